//! Who is asking: passwords (argon2id), random secrets, sessions in the store behind an
//! HttpOnly, Secure, SameSite cookie with a per-session CSRF token, bearer tokens for the API,
//! and the rate limit on failed logins.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};

use crate::store::{Store, StoreError, User};

/// Failed logins allowed per login and per address within [`WINDOW_SECS`].
pub const MAX_FAILURES: usize = 5;
pub const WINDOW_SECS: i64 = 15 * 60;

/// The session cookie's name.
pub const COOKIE: &str = "karta_session";
/// The cookie that carries the login form's CSRF token (there is no session yet).
pub const LOGIN_COOKIE: &str = "karta_login";

/// `n` random bytes as lowercase hex.
pub fn secret(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    // The OS generator failing is not something a request can recover from.
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a secret, as stored.
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// An argon2id PHC string for `password`.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("нет случайных чисел: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Compares secrets without an early exit.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Why a login was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Wrong login or password (not saying which).
    Wrong,
    /// Too many failures lately.
    Throttled,
}

/// Checks a login and password, counting failures by login and by the client's address.
pub fn login(
    store: &mut dyn Store,
    login: &str,
    password: &str,
    peer: &str,
    now_ts: i64,
) -> Result<Result<User, Refused>, StoreError> {
    let keys = [format!("login:{}", login.to_lowercase()), format!("addr:{peer}")];
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    if store.login_failures(&keys, now_ts - WINDOW_SECS)? >= MAX_FAILURES {
        return Ok(Err(Refused::Throttled));
    }
    // A missing user costs a hash too, so timing does not tell which logins exist.
    let user = store.user(login)?;
    let phc = user.as_ref().map_or(DUMMY.as_str(), |u| u.password.as_str());
    let matches = verify_password(password, phc);
    match user {
        Some(u) if matches => Ok(Ok(u)),
        _ => {
            store.login_failed(&keys, now_ts)?;
            Ok(Err(Refused::Wrong))
        }
    }
}

/// A hash of a password nobody types, checked when the login does not exist.
static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hash_password(&secret(16)).unwrap_or_default());

/// A new session: the cookie value and the CSRF token.
pub fn start_session(
    store: &mut dyn Store,
    user: &User,
    now_ts: i64,
    hours: i64,
) -> Result<(String, String), StoreError> {
    let token = secret(32);
    let csrf = secret(32);
    store.start_session(user.id, &digest(&token), &csrf, now_ts + hours * 3600)?;
    Ok((token, csrf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let phc = hash_password("пароль-1").expect("hash");
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("пароль-1", &phc));
        assert!(!verify_password("пароль-2", &phc));
        assert!(!verify_password("пароль-1", &DUMMY));
    }

    #[test]
    fn secrets_are_random_hex() {
        let (a, b) = (secret(32), secret(32));
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(same(&a, &a.clone()) && !same(&a, &b));
        assert_eq!(digest("abc").len(), 64);
    }
}

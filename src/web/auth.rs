//! Who is asking: passwords (argon2id), random secrets, sessions in the store behind an
//! HttpOnly, Secure, SameSite cookie with a per-session CSRF token, bearer tokens for the API,
//! and the limit on failed logins: per login, an exponential backoff; per client address, a
//! ceiling per window. The limit runs on the real clock ([`crate::clock::wall`]), not `--now`.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};

use crate::store::{Failures, Store, StoreError, User};

/// Failed logins under one login before it has to wait: then 1 minute, doubled at each further
/// failure, at most an hour. Failures are remembered for a day, and forgotten at a success.
pub const LOGIN_FREE: usize = 5;
pub const FIRST_WAIT_SECS: i64 = 60;
pub const LONGEST_WAIT_SECS: i64 = 60 * 60;
const LOGIN_MEMORY_SECS: i64 = 24 * 60 * 60;
/// Failed logins from one client address, under any logins, within [`WINDOW_SECS`].
pub const ADDRESS_MAX: usize = 20;
pub const WINDOW_SECS: i64 = 15 * 60;

/// The session cookie's name.
pub const COOKIE: &str = "karta_session";
/// The cookie that carries the login form's CSRF token (there is no session yet).
pub const LOGIN_COOKIE: &str = "karta_login";

/// The cookie that carries a flash message ("Записано: событие № 12") to the page a form
/// redirects to: the text and its HMAC under the session's secret, so that no link and no
/// other site can make karta show words of theirs as its own.
pub const FLASH_COOKIE: &str = "karta_flash";

/// A flash message signed for the session whose cookie value is `session`.
pub fn sign_flash(session: &str, text: &str) -> String {
    let hex: String = text.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.{}", flash_mac(session, text))
}

/// The text of a flash cookie, when it was signed for this session.
pub fn open_flash(session: &str, cookie: &str) -> Option<String> {
    let (hex, mac) = cookie.split_once('.')?;
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<_>>()?;
    let text = String::from_utf8(bytes).ok()?;
    same(mac, &flash_mac(session, &text)).then_some(text)
}

fn flash_mac(session: &str, text: &str) -> String {
    use hmac::{Hmac, Mac};
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(session.as_bytes()) else { return String::new() };
    mac.update(b"karta flash\0");
    mac.update(text.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

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
    /// Too many failures lately: try again in this many seconds.
    Throttled { retry_after: i64 },
}

/// How long a login attempt must wait, given the failures under its login (the last day) and
/// from its client address (the last [`WINDOW_SECS`]): none, or seconds.
pub fn wait(login: Failures, address: Failures, now_ts: i64) -> Option<i64> {
    let by_login = login.last.filter(|_| login.count >= LOGIN_FREE).map(|last| {
        let doublings = (login.count - LOGIN_FREE).min(16) as u32;
        last + (FIRST_WAIT_SECS << doublings).min(LONGEST_WAIT_SECS) - now_ts
    });
    let by_address = address.first.filter(|_| address.count >= ADDRESS_MAX).map(|first| first + WINDOW_SECS - now_ts);
    by_login.into_iter().chain(by_address).filter(|&secs| secs > 0).max()
}

/// Checks a login and password at `now_ts` (the real clock), counting failures by login and by
/// the client's address.
pub fn login(
    store: &mut dyn Store,
    login: &str,
    password: &str,
    peer: &str,
    now_ts: i64,
) -> Result<Result<User, Refused>, StoreError> {
    let (login_key, address_key) = (format!("login:{}", login.to_lowercase()), format!("addr:{peer}"));
    let by_login = store.login_failures(&login_key, now_ts - LOGIN_MEMORY_SECS)?;
    let by_address = store.login_failures(&address_key, now_ts - WINDOW_SECS)?;
    if let Some(retry_after) = wait(by_login, by_address, now_ts) {
        return Ok(Err(Refused::Throttled { retry_after }));
    }
    let keys = [login_key.as_str(), address_key.as_str()];
    // A missing user costs a hash too, so timing does not tell which logins exist.
    let user = store.user(login)?;
    let phc = user.as_ref().map_or(DUMMY.as_str(), |u| u.password.as_str());
    let matches = verify_password(password, phc);
    match user {
        Some(u) if matches => {
            store.forget_login_failures(&login_key)?;
            Ok(Ok(u))
        }
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
    fn a_login_waits_longer_at_each_failure_and_an_address_waits_out_its_window() {
        let now = 1_000_000;
        let login = |count, last: i64| Failures { count, first: Some(last - 100), last: Some(last) };
        let none = Failures::default();
        assert_eq!(wait(login(4, now), none, now), None, "four failures are free");
        assert_eq!(wait(login(5, now), none, now), Some(60));
        assert_eq!(wait(login(6, now), none, now), Some(120));
        assert_eq!(wait(login(8, now - 100), none, now), Some(480 - 100));
        assert_eq!(wait(login(30, now), none, now), Some(LONGEST_WAIT_SECS));
        assert_eq!(wait(login(5, now - 60), none, now), None, "the minute is over");
        let address = Failures { count: ADDRESS_MAX, first: Some(now - 600), last: Some(now) };
        assert_eq!(wait(none, address, now), Some(WINDOW_SECS - 600));
        assert_eq!(wait(none, Failures { count: ADDRESS_MAX - 1, ..address }, now), None);
        assert_eq!(wait(login(6, now), address, now), Some(WINDOW_SECS - 600), "the longer wait wins");
    }

    #[test]
    fn a_flash_opens_only_for_its_session() {
        let cookie = sign_flash("session-a", "Записано: событие № 12");
        assert_eq!(open_flash("session-a", &cookie).as_deref(), Some("Записано: событие № 12"));
        assert_eq!(open_flash("session-b", &cookie), None);
        let forged = format!("{}.{}", "d092", cookie.split_once('.').expect("mac").1);
        assert_eq!(open_flash("session-a", &forged), None);
        assert_eq!(open_flash("session-a", "zz.00"), None);
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

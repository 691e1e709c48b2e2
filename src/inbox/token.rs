//! The reply token: what ties a reply to the notice it answers. karta puts it in the Reply-To
//! address's local part (`karta+TOKEN@region.ru`), which every mail client keeps when it answers.
//! It is an HMAC-SHA256 under a secret key over the notice's opaque number and the day it was
//! issued, so it cannot be made without the key, nor guessed from occurrence ids or Message-IDs,
//! and it expires. Lowercase base32 without padding: letters and digits only, which survives
//! clients and servers that change the case of addresses. Nothing here knows what a notice is.

use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// What the MAC covers before the claim, so that no other use of the key can make a token.
const DOMAIN: &[u8] = b"karta reply token v1\0";
const VERSION: u8 = 1;
/// Bytes of the MAC kept: 88 bits, above the 80 that RFC 2104 asks of a truncated HMAC.
const MAC_LEN: usize = 11;
/// Version, notice number, day, MAC.
const LEN: usize = 1 + 8 + 4 + MAC_LEN;
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
/// How long a token is good for when the configuration says nothing.
pub const DEFAULT_DAYS: u32 = 60;

/// The secret key. Its `Debug` never shows it.
#[derive(Clone)]
pub struct Key(Vec<u8>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

impl Key {
    /// A key from bytes: at least 16 of them.
    pub fn new(bytes: &[u8]) -> Result<Key, TokenError> {
        if bytes.len() < 16 { Err(TokenError::WeakKey) } else { Ok(Key(bytes.to_vec())) }
    }

    /// A new random key of 32 bytes, for the store to keep.
    pub fn generate() -> Result<Key, TokenError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|_| TokenError::NoRandomness)?;
        Ok(Key(bytes.to_vec()))
    }

    /// A key written in hexadecimal (as the configuration and the store keep it).
    pub fn from_hex(text: &str) -> Result<Key, TokenError> {
        let text = text.trim();
        if text.len() % 2 != 0 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(TokenError::WeakKey);
        }
        let bytes: Option<Vec<u8>> =
            (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect();
        Key::new(&bytes.unwrap_or_default())
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn mac(&self, claim: &[u8]) -> HmacSha256 {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(DOMAIN);
        mac.update(claim);
        mac
    }
}

/// What a good token says: the notice and the day it was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    pub notice: u64,
    pub issued: NaiveDate,
}

/// Why a token is not accepted, or a key not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("метка ответа повреждена")]
    Malformed,
    #[error("метка ответа подделана")]
    Forged,
    #[error("метка ответа устарела (выдана {issued})")]
    Expired { issued: NaiveDate },
    #[error("ключ меток ответа короче 16 байт")]
    WeakKey,
    #[error("нет источника случайных чисел для ключа меток ответа")]
    NoRandomness,
}

/// The token for notice `notice` issued on `issued`.
pub fn issue(key: &Key, notice: u64, issued: NaiveDate) -> String {
    let claim = claim_bytes(notice, issued);
    let mac = key.mac(&claim).finalize().into_bytes();
    let mut bytes = claim.to_vec();
    bytes.extend_from_slice(&mac[..MAC_LEN]);
    base32(&bytes)
}

/// What a token says, if it was made with `key` and is at most `days` days old on `today`.
/// The MAC is compared in constant time.
pub fn verify(key: &Key, token: &str, today: NaiveDate, days: u32) -> Result<Claim, TokenError> {
    let bytes = unbase32(&token.trim().to_ascii_lowercase()).ok_or(TokenError::Malformed)?;
    if bytes.len() != LEN || bytes[0] != VERSION {
        return Err(TokenError::Malformed);
    }
    let (claim, tag) = bytes.split_at(LEN - MAC_LEN);
    key.mac(claim).verify_truncated_left(tag).map_err(|_| TokenError::Forged)?;
    let notice = u64::from_be_bytes(claim[1..9].try_into().map_err(|_| TokenError::Malformed)?);
    let day = i32::from_be_bytes(claim[9..13].try_into().map_err(|_| TokenError::Malformed)?);
    let issued = NaiveDate::from_num_days_from_ce_opt(day).ok_or(TokenError::Malformed)?;
    let age = (today - issued).num_days();
    // A day ahead is a clock's difference; more is not a token karta issued.
    if !(-1..=i64::from(days)).contains(&age) {
        return Err(TokenError::Expired { issued });
    }
    Ok(Claim { notice, issued })
}

fn claim_bytes(notice: u64, issued: NaiveDate) -> [u8; 13] {
    use chrono::Datelike;
    let mut claim = [0u8; 13];
    claim[0] = VERSION;
    claim[1..9].copy_from_slice(&notice.to_be_bytes());
    claim[9..13].copy_from_slice(&issued.num_days_from_ce().to_be_bytes());
    claim
}

/// The Reply-To address carrying `token`: the inbox's local part, `+`, the token.
pub fn reply_address(inbox: &str, token: &str) -> Option<String> {
    let (local, domain) = inbox.trim().rsplit_once('@')?;
    let local = local.split('+').next().unwrap_or(local);
    (!local.is_empty() && !domain.is_empty()).then(|| format!("{local}+{token}@{domain}"))
}

/// The token in `address` when it is the inbox with a tag (`karta+TOKEN@region.ru` for the
/// inbox `karta@region.ru`); case does not matter.
pub fn token_in(address: &str, inbox: &str) -> Option<String> {
    let (local, domain) = address.trim().rsplit_once('@')?;
    let (inbox_local, inbox_domain) = inbox.trim().rsplit_once('@')?;
    let (base, tag) = local.split_once('+')?;
    let same = base.eq_ignore_ascii_case(inbox_local.split('+').next().unwrap_or(inbox_local))
        && domain.eq_ignore_ascii_case(inbox_domain);
    (same && !tag.is_empty()).then(|| tag.to_ascii_lowercase())
}

fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

fn unbase32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = ALPHABET.iter().position(|&a| a == c)? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
        buffer &= (1 << bits) - 1;
    }
    // Left-over bits must be the zero padding base32 writes.
    (buffer == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key::from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f").expect("key")
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).expect("date")
    }

    #[test]
    fn a_token_says_its_notice_until_it_expires() {
        let token = issue(&key(), 4_200_017, day(3, 1));
        assert_eq!(token.len(), 39);
        assert!(token.bytes().all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b)), "{token}");
        let claim = Claim { notice: 4_200_017, issued: day(3, 1) };
        assert_eq!(verify(&key(), &token, day(3, 14), DEFAULT_DAYS), Ok(claim));
        assert_eq!(
            verify(&key(), &token.to_uppercase(), day(3, 14), DEFAULT_DAYS),
            Ok(claim),
            "case is lost in transit"
        );
        assert_eq!(verify(&key(), &token, day(4, 30), DEFAULT_DAYS), Ok(claim), "60 days old");
        assert_eq!(verify(&key(), &token, day(5, 1), DEFAULT_DAYS), Err(TokenError::Expired { issued: day(3, 1) }));
        assert_eq!(
            verify(&key(), &token, day(3, 9), 7),
            Err(TokenError::Expired { issued: day(3, 1) }),
            "configurable"
        );
        assert_eq!(verify(&key(), &token, day(2, 20), DEFAULT_DAYS), Err(TokenError::Expired { issued: day(3, 1) }));
    }

    #[test]
    fn forged_altered_and_foreign_tokens_are_refused() {
        let token = issue(&key(), 7, day(3, 1));
        let other = Key::new(b"another key of 32 bytes, really!").expect("key");
        assert_eq!(verify(&other, &token, day(3, 2), DEFAULT_DAYS), Err(TokenError::Forged), "wrong key");
        // Every single-character change is caught.
        for i in 0..token.len() {
            for c in ALPHABET.iter().map(|&c| char::from(c)) {
                if token[i..].starts_with(c) {
                    continue;
                }
                let altered = format!("{}{c}{}", &token[..i], &token[i + 1..]);
                let got = verify(&key(), &altered, day(3, 2), DEFAULT_DAYS);
                assert!(matches!(got, Err(TokenError::Forged | TokenError::Malformed)), "{altered}: {got:?}");
            }
        }
        // A forger who knows the layout and the notice number but not the key.
        let mut bytes = claim_bytes(7, day(3, 1)).to_vec();
        bytes.extend_from_slice(&[0u8; MAC_LEN]);
        assert_eq!(verify(&key(), &base32(&bytes), day(3, 2), DEFAULT_DAYS), Err(TokenError::Forged));
        // Another notice's claim under a valid token's MAC.
        let mut moved = unbase32(&token).expect("base32");
        moved[8] ^= 1;
        assert_eq!(verify(&key(), &base32(&moved), day(3, 2), DEFAULT_DAYS), Err(TokenError::Forged));
        for junk in ["", "abc", "karta", "0000", &token[..20], &format!("{token}a"), "ыыы"] {
            assert_eq!(verify(&key(), junk, day(3, 2), DEFAULT_DAYS), Err(TokenError::Malformed), "{junk}");
        }
    }

    #[test]
    fn tokens_differ_by_notice_day_and_key() {
        let a = issue(&key(), 1, day(3, 1));
        assert_ne!(a, issue(&key(), 2, day(3, 1)));
        assert_ne!(a, issue(&key(), 1, day(3, 2)));
        assert_ne!(a, issue(&Key::generate().expect("random"), 1, day(3, 1)));
        assert_eq!(a, issue(&key(), 1, day(3, 1)), "the same notice on the same day: the same token");
        assert!(matches!(Key::new(b"short"), Err(TokenError::WeakKey)));
        assert!(Key::from_hex("zz").is_err());
        assert_eq!(Key::from_hex(&key().to_hex()).map(|k| k.to_hex()), Ok(key().to_hex()));
        assert_eq!(format!("{:?}", key()), "Key(…)");
    }

    #[test]
    fn addresses_carry_and_give_back_the_token() {
        let token = issue(&key(), 9, day(3, 1));
        let address = reply_address("karta@region.ru", &token).expect("address");
        assert_eq!(address, format!("karta+{token}@region.ru"));
        assert!(address.split('@').next().is_some_and(|l| l.len() <= 64), "an RFC 5321 local part");
        assert_eq!(token_in(&address, "karta@region.ru"), Some(token.clone()));
        assert_eq!(token_in(&address.to_uppercase(), "karta@region.ru"), Some(token.clone()));
        assert_eq!(reply_address("karta+old@region.ru", "x").as_deref(), Some("karta+x@region.ru"));
        assert_eq!(token_in("karta@region.ru", "karta@region.ru"), None);
        assert_eq!(token_in("karta+@region.ru", "karta@region.ru"), None);
        assert_eq!(token_in(&format!("other+{token}@region.ru"), "karta@region.ru"), None);
        assert_eq!(token_in(&format!("karta+{token}@evil.ru"), "karta@region.ru"), None);
        assert_eq!(reply_address("not an address", "x"), None);
    }
}

//! Mail encodings written independently of the reader under test (base64, the Russian 8-bit
//! charsets through encoding_rs, quoted-printable), for the reply tests: the unit tests of
//! `src/inbox/message.rs` include this file, and so do the tests through the binary.

/// Base64 in lines of 76, as MIME writes it.
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    encoded.as_bytes().chunks(76).map(|l| String::from_utf8_lossy(l).into_owned()).collect::<Vec<_>>().join("\r\n")
}

/// Russian text in windows-1251 (as encoding_rs writes it, independently of mail-parser's reader).
pub fn cp1251(text: &str) -> Vec<u8> {
    encoding_rs::WINDOWS_1251.encode(text).0.into_owned()
}

/// Russian text in KOI8-R.
pub fn koi8r(text: &str) -> Vec<u8> {
    encoding_rs::KOI8_R.encode(text).0.into_owned()
}

/// Quoted-printable of UTF-8 text (every non-ASCII byte escaped, long lines softly broken).
pub fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    let mut line = 0;
    for b in text.bytes() {
        let piece = if b == b'\n' {
            line = 0;
            out.push_str("\r\n");
            continue;
        } else if b >= 0x80 || b == b'=' {
            format!("={b:02X}")
        } else {
            char::from(b).to_string()
        };
        if line + piece.len() > 72 {
            out.push_str("=\r\n");
            line = 0;
        }
        line += piece.len();
        out.push_str(&piece);
    }
    out
}

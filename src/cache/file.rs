//! The cache file's layout, all integers little-endian:
//!
//! ```text
//! "karta-cache\n"  format version (u32)  build fingerprint (32 bytes)  entries (u64)
//! per entry: digest of the file's bytes (32 bytes), age (u32),
//!            document length (u32), document, digest of the document as compiling reads it
//!            (32 bytes),
//!            positions asked (u32), each: of a key (u8), pointer digest (16 bytes), line,
//!            column, length (u32 each)
//! BLAKE3 digest of everything before it (32 bytes)
//! ```

use std::io::Read;
use std::path::Path;

use rustc_hash::FxHashMap;

use super::{Digest, Entry};
use crate::diag::Lang;

const MAGIC: &[u8] = b"karta-cache\n";
/// Raised whenever the layout or the encoding of a document changes.
const VERSION: u32 = 3;

/// Why a cache file is not trusted (`karta cache` says it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    Cut,
    Sum,
    NotCache,
    Format,
    Build,
    Damaged,
}

impl Rejection {
    pub fn says(self, lang: Lang) -> &'static str {
        let (ru, en) = match self {
            Rejection::Cut => ("файл кэша обрезан", "the cache file is cut short"),
            Rejection::Sum => (
                "контрольная сумма кэша не сходится: файл обрезан или повреждён",
                "the cache's digest does not match: the file is cut short or damaged",
            ),
            Rejection::NotCache => ("это не файл кэша karta", "this is not a karta cache file"),
            Rejection::Format => ("кэш другого формата", "the cache is of another format"),
            Rejection::Build => ("кэш записан другой сборкой karta", "the cache was written by another karta build"),
            Rejection::Damaged => ("файл кэша повреждён", "the cache file is damaged"),
        };
        match lang {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
}

/// The entries of a cache file, or why it cannot be trusted.
pub fn read(bytes: &[u8], fingerprint: &Digest) -> Result<FxHashMap<Digest, Entry>, Rejection> {
    let Some(body_len) = bytes.len().checked_sub(32) else { return Err(Rejection::Cut) };
    let (body, sum) = bytes.split_at(body_len);
    if digest(body).as_bytes() != sum {
        return Err(Rejection::Sum);
    }
    let mut r = Reader(body);
    if r.take(MAGIC.len()) != Some(MAGIC) {
        return Err(Rejection::NotCache);
    }
    if r.u32() != Some(VERSION) {
        return Err(Rejection::Format);
    }
    if r.take(32) != Some(fingerprint.as_slice()) {
        return Err(Rejection::Build);
    }
    let count = r.u64().ok_or(Rejection::Cut)?;
    let mut entries = FxHashMap::default();
    for _ in 0..count {
        let entry = (|| {
            let digest: Digest = r.take(32)?.try_into().ok()?;
            let age = r.u32()?;
            let document = r.sized()?.to_vec();
            let shape: Digest = r.take(32)?.try_into().ok()?;
            let asked = (0..r.u32()?)
                .map(|_| {
                    let key = r.u8()? != 0;
                    let pointer = u128::from_le_bytes(r.take(16)?.try_into().ok()?);
                    Some((key, pointer, [r.u32()?, r.u32()?, r.u32()?]))
                })
                .collect::<Option<Vec<_>>>()?;
            Some((digest, Entry { age, document, shape, asked }))
        })();
        let (digest, entry) = entry.ok_or(Rejection::Damaged)?;
        entries.insert(digest, entry);
    }
    if !r.0.is_empty() {
        return Err(Rejection::Damaged);
    }
    Ok(entries)
}

/// The bytes of a cache file holding `entries`.
pub fn write(entries: &[(&Digest, &Entry)], fingerprint: &Digest) -> Vec<u8> {
    let size = entries.iter().map(|(_, e)| e.document.len() + e.asked.len() * 29 + 76).sum::<usize>();
    let mut w = Writer(Vec::with_capacity(64 + size));
    w.bytes(MAGIC);
    w.u32(VERSION);
    w.bytes(fingerprint);
    w.u64(entries.len() as u64);
    for (digest, entry) in entries {
        w.bytes(*digest);
        w.u32(entry.age);
        w.sized(&entry.document);
        w.bytes(&entry.shape);
        w.u32(entry.asked.len() as u32);
        for &(key, pointer, span) in &entry.asked {
            w.u8(u8::from(key));
            w.bytes(&pointer.to_le_bytes());
            span.iter().for_each(|&n| w.u32(n));
        }
    }
    let sum = digest(&w.0);
    w.bytes(sum.as_bytes());
    w.0
}

/// The BLAKE3 digest of a kept file's bytes, on all cores for a large one (the kept plan and
/// log run to tens of megabytes).
pub(super) fn digest(bytes: &[u8]) -> blake3::Hash {
    // Below this size, splitting the work costs more than it saves (the crate's advice).
    const SPLIT_FROM: usize = 1 << 20;
    if bytes.len() < SPLIT_FROM {
        return blake3::hash(bytes);
    }
    blake3::Hasher::new().update_rayon(bytes).finalize()
}

/// A kept file's bytes, mapped from the page cache rather than copied (the kept plan is 82 MB
/// at 100,000 activities: reading it copied every page into pages of its own, a fault each).
///
/// Mapping a file is sound while no one writes it in place: karta never does (a kept file is
/// replaced by a new one renamed over it, and a process that mapped the old one keeps reading
/// it), and the bytes are checked against the file's digest before they are used, as read
/// bytes are. Another program cutting a kept file while a command has it mapped would stop that
/// command (the system's `SIGBUS`): the cache files are karta's own, beside the store.
pub enum Bytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(map) => map,
            Bytes::Read(bytes) => bytes,
        }
    }
}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bytes").field("len", &self.len()).finish()
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(bytes: Vec<u8>) -> Bytes {
        Bytes::Read(bytes)
    }
}

impl Bytes {
    /// The bytes of the file at `path`: mapped, and read where a file cannot be mapped (an
    /// empty one).
    pub fn of(path: &Path) -> Option<Bytes> {
        let file = std::fs::File::open(path).ok()?;
        Bytes::of_file(&file)
    }

    fn of_file(file: &std::fs::File) -> Option<Bytes> {
        if file.metadata().ok()?.len() == 0 {
            return Some(Bytes::Read(Vec::new()));
        }
        // SAFETY: see the type's documentation: karta's kept files are never written in place.
        // `populate`: every page mapped at once, not one fault per 64 KiB as it is read.
        match unsafe { memmap2::MmapOptions::new().populate().map(file) } {
            Ok(map) => Some(Bytes::Mapped(map)),
            Err(_) => {
                // From the start: the header may have been read already.
                let mut bytes = Vec::new();
                std::io::Seek::rewind(&mut &*file).ok()?;
                (&*file).read_to_end(&mut bytes).ok()?;
                Some(Bytes::Read(bytes))
            }
        }
    }
}

/// The bytes of the kept file at `path` when it begins with `magic`, `version` and `key`. A file
/// kept under another key (after an edit, for other files) is set aside at its header, the rest
/// of it never read: the plan is 82 MB at 100,000 activities.
pub(super) fn read_keyed(path: &Path, magic: &[u8], version: u32, key: &Digest) -> Option<Bytes> {
    let file = std::fs::File::open(path).ok()?;
    let mut header = Vec::with_capacity(magic.len() + 36);
    (&file).take(magic.len() as u64 + 36).read_to_end(&mut header).ok()?;
    let mut r = Reader(&header);
    if r.take(magic.len())? != magic || r.u32()? != version || r.take(32)? != key.as_slice() {
        return None;
    }
    Bytes::of_file(&file)
}

/// The rest of a kept file (the checks' findings, the log) after its magic, format version and
/// key, when its closing digest holds and it starts with those three; else `None`.
pub(super) fn opened<'a>(bytes: &'a [u8], magic: &[u8], version: u32, key: &Digest) -> Option<Reader<'a>> {
    let (body, sum) = bytes.split_at(bytes.len().checked_sub(32)?);
    if digest(body).as_bytes() != sum {
        return None;
    }
    let mut r = Reader(body);
    (r.take(magic.len())? == magic && r.u32()? == version && r.take(32)? == key.as_slice()).then_some(r)
}

/// A kept file begun: its magic, format version and key; [`Writer::sealed`] ends it.
pub(super) fn begun(magic: &[u8], version: u32, key: &Digest, size: usize) -> Writer {
    let mut w = Writer(Vec::with_capacity(magic.len() + 36 + size + 32));
    w.bytes(magic);
    w.u32(version);
    w.bytes(key);
    w
}

/// Reads a byte slice from the front, never past its end.
pub(super) struct Reader<'a>(pub &'a [u8]);

impl<'a> Reader<'a> {
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    pub fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub fn i32(&mut self) -> Option<i32> {
        Some(i32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// A length (u32) and that many bytes.
    pub fn sized(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    /// A length (u32) and that many bytes of UTF-8.
    pub fn text(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.sized()?).ok()
    }

    /// A number or nothing, as [`Writer::opt_i64`] writes it.
    pub fn opt_i64(&mut self) -> Option<Option<i64>> {
        match self.u8()? {
            0 => Some(None),
            1 => self.i64().map(Some),
            _ => None,
        }
    }

    /// A text or nothing, as [`Writer::opt_text`] writes it.
    pub fn opt_text(&mut self) -> Option<Option<&'a str>> {
        match self.u8()? {
            0 => Some(None),
            1 => self.text().map(Some),
            _ => None,
        }
    }
}

/// Appends to a byte buffer, in the order [`Reader`] reads.
#[derive(Default)]
pub(super) struct Writer(pub Vec<u8>);

impl Writer {
    /// The bytes written, with the digest of them all after them.
    pub fn sealed(mut self) -> Vec<u8> {
        let sum = digest(&self.0);
        self.bytes(sum.as_bytes());
        self.0
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }

    pub fn u8(&mut self, n: u8) {
        self.0.push(n);
    }

    pub fn u32(&mut self, n: u32) {
        self.bytes(&n.to_le_bytes());
    }

    pub fn i32(&mut self, n: i32) {
        self.bytes(&n.to_le_bytes());
    }

    pub fn u64(&mut self, n: u64) {
        self.bytes(&n.to_le_bytes());
    }

    pub fn i64(&mut self, n: i64) {
        self.bytes(&n.to_le_bytes());
    }

    /// A length (u32) and the bytes.
    pub fn sized(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.bytes(b);
    }

    pub fn text(&mut self, s: &str) {
        self.sized(s.as_bytes());
    }

    /// A flag (u8: 0 none, 1 some) and the number.
    pub fn opt_i64(&mut self, n: Option<i64>) {
        match n {
            None => self.u8(0),
            Some(n) => {
                self.u8(1);
                self.i64(n);
            }
        }
    }

    /// A flag (u8: 0 none, 1 some) and the text.
    pub fn opt_text(&mut self, s: Option<&str>) {
        match s {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.text(s);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let entry = Entry { age: 3, document: vec![0, 1, 2, 3], shape: [7; 32], asked: vec![(true, 5, [1, 2, 3])] };
        write(&[(&[7; 32], &entry)], &[1; 32])
    }

    #[test]
    fn reads_what_it_wrote() {
        let entries = read(&sample(), &[1; 32]).unwrap();
        assert_eq!(entries.len(), 1);
        let entry = &entries[&[7; 32]];
        assert_eq!((entry.age, entry.document.as_slice()), (3, &[0u8, 1, 2, 3][..]));
        assert_eq!(entry.asked, [(true, 5, [1, 2, 3])]);
    }

    #[test]
    fn refuses_every_cut_and_every_flipped_byte() {
        let bytes = sample();
        for len in 0..bytes.len() {
            assert!(read(&bytes[..len], &[1; 32]).is_err(), "cut at {len}");
        }
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            assert!(read(&bad, &[1; 32]).is_err(), "byte {i} flipped");
        }
    }

    #[test]
    fn a_kept_file_is_read_only_under_its_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("kept");
        let mut w = begun(b"magic\n", 3, &[9; 32], 4);
        w.u32(42);
        let bytes = w.sealed();
        std::fs::write(&path, &bytes).expect("written");
        assert_eq!(read_keyed(&path, b"magic\n", 3, &[9; 32]).as_deref(), Some(&bytes[..]));
        assert!(read_keyed(&path, b"magic\n", 3, &[8; 32]).is_none(), "another key");
        assert!(read_keyed(&path, b"magic\n", 4, &[9; 32]).is_none(), "another version");
        assert!(read_keyed(&path, b"other\n", 3, &[9; 32]).is_none(), "another kind");
        std::fs::write(&path, &bytes[..20]).expect("cut");
        assert!(read_keyed(&path, b"magic\n", 3, &[9; 32]).is_none(), "cut in the header");
        assert!(read_keyed(&dir.path().join("none"), b"magic\n", 3, &[9; 32]).is_none(), "no file");
    }

    #[test]
    fn refuses_another_build() {
        assert_eq!(read(&sample(), &[2; 32]).unwrap_err(), Rejection::Build);
    }
}

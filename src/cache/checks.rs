//! What the last check found (`karta.cache.check`), kept beside the cache of files under the
//! key of everything a check reads: the build, the calendar in force, and the paths and bytes
//! of every file read, in order. A run whose files are all as they were takes the findings
//! from here instead of checking the documents again (each document's own checks, the checks
//! across documents, the search for dependency cycles); any other run checks, and keeps what
//! it found.
//!
//! ```text
//! "karta-check\n"  format version (u32)  key (32 bytes)
//! diagnostics: count (u32), each as `diagnostics` writes one
//! BLAKE3 digest of everything before it (32 bytes)
//! ```

use std::path::Path;
use std::sync::Arc;

use super::Digest;
use super::diagnostics::{self, Diagnostics};
use super::file;
use crate::diag::{Diagnostic, Source};

const MAGIC: &[u8] = b"karta-check\n";
const VERSION: u32 = 1;

/// The bytes of the file keeping `found` under `key`; `None` when it cannot be kept (a path
/// that is not UTF-8).
pub fn write(key: &Digest, found: &[Diagnostic]) -> Option<Vec<u8>> {
    let mut w = file::begun(MAGIC, VERSION, key, found.len() * 256);
    w.u32(u32::try_from(found.len()).ok()?);
    for d in found {
        diagnostics::write(&mut w, d)?;
    }
    Some(w.sealed())
}

/// The bytes of the findings kept at `path`, when they are kept under `key`.
pub fn kept(path: &Path, key: &Digest) -> Option<Vec<u8>> {
    file::read_keyed(path, MAGIC, VERSION, key)
}

/// The findings kept under `key`, about the files of `sources`, when `bytes` hold them whole.
pub fn read<'a>(bytes: &[u8], key: &Digest, sources: impl Iterator<Item = &'a Arc<Source>>) -> Option<Vec<Diagnostic>> {
    let mut r = file::opened(bytes, MAGIC, VERSION, key)?;
    let count = r.u32()? as usize;
    let reader = Diagnostics::new(sources);
    let mut found = Vec::with_capacity(count.min(r.0.len() / 64));
    for _ in 0..count {
        found.push(reader.read(&mut r)?);
    }
    r.0.is_empty().then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Span};
    use crate::msg;

    fn sample() -> (Arc<Source>, Vec<Diagnostic>) {
        let source = Source::new(std::path::Path::new("roadmaps/r.yaml"), "kind: roadmap\n");
        let found = vec![
            Diagnostic::warning(Code::Schema, msg!("первое"; "first"))
                .at(&source, Span::new(1, 2, 3))
                .hint(msg!("подсказка"; "a hint")),
            Diagnostic::error(Code::Empty, msg!("второе"; "second")),
        ];
        (source, found)
    }

    #[test]
    fn reads_what_it_wrote_and_nothing_cut_or_flipped() {
        let (source, found) = sample();
        let bytes = write(&[7; 32], &found).unwrap();
        let again = read(&bytes, &[7; 32], std::iter::once(&source)).unwrap();
        assert_eq!(format!("{again:?}"), format!("{found:?}"));
        assert!(read(&bytes, &[8; 32], std::iter::once(&source)).is_none(), "another key");
        assert!(read(&bytes, &[7; 32], std::iter::empty()).is_none(), "a file the workspace lacks");
        for len in 0..bytes.len() {
            assert!(read(&bytes[..len], &[7; 32], std::iter::once(&source)).is_none(), "cut at {len}");
        }
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            assert!(read(&bad, &[7; 32], std::iter::once(&source)).is_none(), "byte {i} flipped");
        }
    }
}

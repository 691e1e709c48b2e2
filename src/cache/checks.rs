//! What the last check found (`karta.cache.check`), file by file, kept beside the cache of
//! files under the key of the build and the calendar in force: for each document, the digest
//! of its bytes, the stamp of what its own checks consulted (its bytes, the files it includes,
//! the region, the activity ids of the documents it refers to: `check::incremental`), what they
//! found and what other documents' checks ask of it; then what the checks across documents and
//! the search for dependency cycles found. A run whose files are
//! all as that run read them takes every finding without reading the rest; after an edit, a
//! document is checked again only when its stamp changed.
//!
//! ```text
//! "karta-check\n"  format version (u32)  key (32 bytes: the build, the calendar)
//! the paths and bytes of every file read, in order, digested (32 bytes)
//! found across documents, then the dependency cycles: each a count (u32), then each
//!   finding as `diagnostics` writes one
//! documents (u32), each: path (text), digest of its bytes, stamp (32 bytes each),
//!   found: count (u32), each as `diagnostics` writes one,
//!   what others ask of it: length (u32), then the digest of its activity ids (32 bytes), the
//!   documents it refers to (u32, texts), its activities with those they wait for (u32, each:
//!   key (text), count (u32), keys (texts))
//! BLAKE3 digest of everything before it (32 bytes)
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Digest;
use super::diagnostics::{self, Diagnostics};
use super::file::{self, Reader, Writer};
use crate::diag::{Diagnostic, Source};

const MAGIC: &[u8] = b"karta-check\n";
const VERSION: u32 = 2;

/// What a check found, file by file.
#[derive(Debug, Default)]
pub struct Found {
    /// What the checks across documents found.
    pub across: Vec<Diagnostic>,
    /// The dependency cycles found.
    pub cycles: Vec<Diagnostic>,
    pub documents: Vec<DocumentFound>,
}

/// What the checks of one document found, and what they and other documents' checks consulted.
#[derive(Debug)]
pub struct DocumentFound {
    pub path: PathBuf,
    /// The digest of its bytes.
    pub digest: Digest,
    /// The digest of everything its checks consulted.
    pub stamp: Digest,
    pub found: Vec<Diagnostic>,
    pub facts: Facts,
}

/// What other documents' checks ask of a document, and what its checks ask of others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The digest of its activity ids.
    pub ids: Digest,
    /// The documents it refers to, its own among them.
    pub refers: Vec<String>,
    /// Its activities' keys with the keys of those they wait for.
    pub links: Vec<(String, Vec<String>)>,
}

impl Found {
    /// Every finding in the order a check makes them: across documents, each document's, the
    /// cycles.
    pub fn all(&self) -> Vec<Diagnostic> {
        let own = self.documents.iter().flat_map(|d| d.found.iter());
        self.across.iter().chain(own).chain(&self.cycles).cloned().collect()
    }
}

/// The bytes of the file keeping `found` under `key`, made of the files read as `files`
/// digests them; `None` when it cannot be kept (a path that is not UTF-8).
pub fn write(key: &Digest, files: &Digest, found: &Found) -> Option<Vec<u8>> {
    let size = found.documents.iter().map(|d| 160 + d.found.len() * 256 + d.facts.links.len() * 64).sum::<usize>();
    let mut w = file::begun(MAGIC, VERSION, key, 64 + size);
    w.bytes(files);
    diagnostics_of(&mut w, &found.across)?;
    diagnostics_of(&mut w, &found.cycles)?;
    w.u32(u32::try_from(found.documents.len()).ok()?);
    for d in &found.documents {
        w.text(d.path.to_str()?);
        w.bytes(&d.digest);
        w.bytes(&d.stamp);
        diagnostics_of(&mut w, &d.found)?;
        let mut facts = Writer::default();
        facts.bytes(&d.facts.ids);
        facts.u32(d.facts.refers.len() as u32);
        d.facts.refers.iter().for_each(|r| facts.text(r));
        facts.u32(d.facts.links.len() as u32);
        for (task, waits) in &d.facts.links {
            facts.text(task);
            facts.u32(waits.len() as u32);
            waits.iter().for_each(|k| facts.text(k));
        }
        w.sized(&facts.0);
    }
    Some(w.sealed())
}

fn diagnostics_of(w: &mut Writer, found: &[Diagnostic]) -> Option<()> {
    w.u32(u32::try_from(found.len()).ok()?);
    found.iter().try_for_each(|d| diagnostics::write(w, d))
}

/// The bytes of the findings kept at `path`, when they are kept under `key`.
pub fn kept(path: &Path, key: &Digest) -> Option<file::Bytes> {
    file::read_keyed(path, MAGIC, VERSION, key)
}

/// Every finding kept under `key`, when `bytes` hold them whole and were made of the files as
/// `files` digests them; what the documents' checks consulted is not read.
pub fn read_all<'a>(
    bytes: &[u8],
    key: &Digest,
    files: &Digest,
    sources: impl Iterator<Item = &'a Arc<Source>>,
) -> Option<Vec<Diagnostic>> {
    let mut r = file::opened(bytes, MAGIC, VERSION, key)?;
    if r.take(32)? != files.as_slice() {
        return None;
    }
    let reader = Diagnostics::new(sources);
    let mut all = read_diagnostics(&mut r, &reader)?;
    let cycles = read_diagnostics(&mut r, &reader)?;
    all.reserve(r.0.len() / 256);
    for _ in 0..r.u32()? {
        r.text()?;
        r.take(64)?;
        all.extend(read_diagnostics(&mut r, &reader)?);
        r.sized()?;
    }
    all.extend(cycles);
    r.0.is_empty().then_some(all)
}

/// Everything kept under `key`, when `bytes` hold it whole.
pub fn read<'a>(bytes: &[u8], key: &Digest, sources: impl Iterator<Item = &'a Arc<Source>>) -> Option<Found> {
    let mut r = file::opened(bytes, MAGIC, VERSION, key)?;
    r.take(32)?;
    let reader = Diagnostics::new(sources);
    let across = read_diagnostics(&mut r, &reader)?;
    let cycles = read_diagnostics(&mut r, &reader)?;
    let count = r.u32()? as usize;
    let mut documents = Vec::with_capacity(count.min(r.0.len() / 64));
    for _ in 0..count {
        let path = PathBuf::from(r.text()?);
        let digest: Digest = r.take(32)?.try_into().ok()?;
        let stamp: Digest = r.take(32)?.try_into().ok()?;
        let found = read_diagnostics(&mut r, &reader)?;
        let mut f = Reader(r.sized()?);
        let ids: Digest = f.take(32)?.try_into().ok()?;
        let refers = (0..f.u32()?).map(|_| f.text().map(String::from)).collect::<Option<Vec<_>>>()?;
        let links = (0..f.u32()?)
            .map(|_| {
                let task = f.text()?.to_string();
                let waits = (0..f.u32()?).map(|_| f.text().map(String::from)).collect::<Option<Vec<_>>>()?;
                Some((task, waits))
            })
            .collect::<Option<Vec<_>>>()?;
        if !f.0.is_empty() {
            return None;
        }
        documents.push(DocumentFound { path, digest, stamp, found, facts: Facts { ids, refers, links } });
    }
    r.0.is_empty().then_some(Found { across, cycles, documents })
}

fn read_diagnostics(r: &mut Reader, reader: &Diagnostics) -> Option<Vec<Diagnostic>> {
    let count = r.u32()? as usize;
    let mut found = Vec::with_capacity(count.min(r.0.len() / 64));
    for _ in 0..count {
        found.push(reader.read(r)?);
    }
    Some(found)
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

    fn kept(source: &Arc<Source>, found: Vec<Diagnostic>) -> Found {
        let facts = Facts {
            ids: [3; 32],
            refers: vec!["r".into(), "district".into()],
            links: vec![("r/a".into(), vec!["district/b".into(), "r/c".into()]), ("r/c".into(), Vec::new())],
        };
        let (first, rest) = found.split_at(1);
        Found {
            across: rest.to_vec(),
            cycles: rest.to_vec(),
            documents: vec![DocumentFound {
                path: source.path.clone(),
                digest: [1; 32],
                stamp: [2; 32],
                found: first.to_vec(),
                facts,
            }],
        }
    }

    #[test]
    fn reads_what_it_wrote_and_nothing_cut_or_flipped() {
        let (source, found) = sample();
        let sources = || std::iter::once(&source);
        let kept = kept(&source, found);
        let bytes = write(&[7; 32], &[9; 32], &kept).unwrap();
        let all = read_all(&bytes, &[7; 32], &[9; 32], sources()).unwrap();
        assert_eq!(format!("{all:?}"), format!("{:?}", kept.all()));
        let again = read(&bytes, &[7; 32], sources()).unwrap();
        assert_eq!(format!("{again:?}"), format!("{kept:?}"));
        assert!(read_all(&bytes, &[7; 32], &[8; 32], sources()).is_none(), "other files");
        assert!(read(&bytes, &[8; 32], sources()).is_none(), "another key");
        assert!(read(&bytes, &[7; 32], std::iter::empty()).is_none(), "a file the workspace lacks");
        for len in 0..bytes.len() {
            assert!(read(&bytes[..len], &[7; 32], sources()).is_none(), "cut at {len}");
            assert!(read_all(&bytes[..len], &[7; 32], &[9; 32], sources()).is_none(), "cut at {len}");
        }
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            assert!(read(&bad, &[7; 32], sources()).is_none(), "byte {i} flipped");
            assert!(read_all(&bad, &[7; 32], &[9; 32], sources()).is_none(), "byte {i} flipped");
        }
    }
}

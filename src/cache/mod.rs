//! What one command leaves the next, in files beside the store:
//!
//! - `karta.cache`: for each roadmap file the last run loaded without a problem, the digest of
//!   its bytes, its typed document and the digest of that document as compiling reads it. A
//!   command reads every file anyway (the digest needs the bytes); a file whose path and bytes
//!   are those of an entry skips the YAML parser, the schema and the conversion to the model,
//!   and its positions are found only if a diagnostic asks for one (`load::known`).
//! - `karta.cache.check` (`checks.rs`): what the last check found, file by file, taken whole
//!   when every file read is as that run read it, in the same calendar; else a document is
//!   checked again only when something its checks consult changed.
//! - `karta.cache.plan` (`plan.rs`): the last compiled plan, under the key of the documents as
//!   compiling reads them, with the completions compiling consulted.
//! - `karta.cache.log` (`log.rs`): the progress log as the last run read it, so that the next
//!   reads from the store only the events recorded since.
//! - `karta.cache.fold` (`fold.rs`): what the whole log says of each occurrence of the kept
//!   plan, so that a status with nothing recorded since neither reads the log nor folds it.
//!
//! Each answer is the cold run's: what is taken from a file is what the run would have made
//! of the same inputs (`tests/cache.rs`, `tests/store.rs` compare them).
//!
//! Never trusted: the file carries a format version, the fingerprint of the karta build that
//! wrote it (its version and its executable: another build may read files differently) and a
//! digest of its whole content; a file that fails any of them, is cut short or does not decode
//! is ignored and written again. Written whole to a temporary file and renamed over the old one,
//! so a reader never sees half of it and two commands at once leave one of their two caches.
//! A cache that cannot be written (a read-only folder) costs the next run its speed, nothing else.

pub mod checks;
mod diagnostics;
mod file;
mod fold;
mod log;
mod plan;
mod stat;

pub use file::Rejection;
pub use fold::FoldKeeping;
pub use stat::Stat;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use crate::calendar::Calendar;
use crate::check::{Checked, Workspace};
use crate::compile::{self, Actuals, Plan};
use crate::diag::Diagnostic;
use crate::load::{self, Asked, Budget, Outcome};
use crate::model::Document;
use crate::store::{EventLog, StoreError};
use crate::track::Event;

/// The digest of a file's bytes.
pub type Digest = [u8; 32];

/// The digest of `bytes`, as the cache keys files.
pub fn digest(bytes: &[u8]) -> Digest {
    blake3::hash(bytes).into()
}

/// The bytes of the file at `path`, unless it is larger than a roadmap may be or unreadable
/// (the loader then says which).
pub fn read(path: &Path) -> Option<Vec<u8>> {
    let budget = Budget::default();
    std::fs::metadata(path).ok().filter(|m| m.len() <= budget.max_bytes).and_then(|_| std::fs::read(path).ok())
}

/// Writes an entry survives unread.
const MAX_AGE: u32 = 8;

/// The cache as one command uses it: the entries read at the start, and what this run read.
#[derive(Debug, Default)]
pub struct Cache {
    /// Where it lives; `None` for a run without a cache (`--no-cache`).
    path: Option<PathBuf>,
    /// By the digest of the file's bytes: a document and its positions depend on the bytes
    /// alone, so one entry serves every path (`roadmaps/a.yaml`, `/srv/karta/roadmaps/a.yaml`).
    entries: FxHashMap<Digest, Entry>,
    /// Every file this run read, by path as given.
    read: Mutex<FxHashMap<PathBuf, Read>>,
    /// Why the file on disk was not used, when it was there and was not (`karta cache` says).
    pub rejected: Option<Rejection>,
    /// How many events a log holds before it is kept ([`Cache::events`]).
    keep_log_from: usize,
    /// What names the log this run read through the cache whole ([`Cache::events`],
    /// [`Cache::log_unchanged`]).
    head: Mutex<Option<log::Head>>,
    /// The digest of the kept file of the plan this run read or compiled, when it is kept.
    plan_sum: Mutex<Option<Digest>>,
}

/// The smallest log kept: a smaller one is read from the store in a few milliseconds, less
/// than writing it beside the cache costs.
const KEEP_LOG_FROM: usize = 16_384;

/// One file as an earlier run loaded it.
#[derive(Debug, Clone)]
struct Entry {
    /// How many writes of the cache ago a run last read it: an entry no run reads for
    /// [`MAX_AGE`] writes (an old version of an edited file, a file gone) is dropped.
    age: u32,
    /// The document, encoded (MessagePack, fields by name: the model's optional fields and
    /// untagged unions read back as they were written).
    document: Vec<u8>,
    /// The digest of the document as compiling reads it ([`compile::as_read`]), encoded.
    shape: Digest,
    /// The positions of the file that run was asked for.
    asked: Vec<(bool, u128, [u32; 3])>,
}

/// One file as this run read it.
#[derive(Debug)]
struct Read {
    digest: Digest,
    /// The positions asked of it (shared with its spans, so those asked later count too).
    asked: Arc<Asked>,
    /// Its document encoded, when it was loaded from its text without a problem.
    fresh: Option<Vec<u8>>,
    /// The digest of its document as compiling reads it, when it has one.
    shape: Option<Digest>,
}

/// How many files a run found in the cache and how many it loaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub known: usize,
    pub loaded: usize,
}

impl Cache {
    /// No cache: every file is loaded.
    pub fn none() -> Cache {
        Cache::default()
    }

    /// The cache at `path`; empty (and rebuilt on [`Cache::save`]) when there is none or it
    /// cannot be trusted.
    pub fn open(path: &Path) -> Cache {
        let (entries, rejected) = match file::Bytes::of(path) {
            Some(bytes) => match file::read(&bytes, &fingerprint()) {
                Ok(entries) => (entries, None),
                Err(why) => (FxHashMap::default(), Some(why)),
            },
            None => (FxHashMap::default(), None),
        };
        Cache {
            path: Some(path.to_path_buf()),
            entries,
            read: Mutex::default(),
            rejected,
            keep_log_from: KEEP_LOG_FROM,
            ..Cache::default()
        }
    }

    /// The cache, keeping a log of `events` events or more (for tests of the kept log, which
    /// would otherwise need a log of `KEEP_LOG_FROM` events).
    pub fn keeping_logs_from(self, events: usize) -> Cache {
        Cache { keep_log_from: events, ..self }
    }

    /// Loads the file at `path`: from the cache when its bytes are those of the entry, else
    /// from its text (remembering the result when it loaded without a problem).
    pub fn load(&self, path: &Path) -> Outcome {
        match (&self.path, read(path)) {
            (Some(_), Some(bytes)) => {
                let digest = digest(&bytes);
                self.load_read(path, bytes, digest)
            }
            // No cache, or too large or unreadable: the loader says so.
            _ => load::load_file(path, Budget::default()),
        }
    }

    /// [`Cache::load`] of the file at `path` already read: `bytes`, whose digest is `digest`.
    pub fn load_read(&self, path: &Path, bytes: Vec<u8>, digest: Digest) -> Outcome {
        let budget = Budget::default();
        if self.path.is_none() {
            return load::load_bytes(path, bytes, budget);
        }
        let known = self.entries.get(&digest);
        if let Some((entry, document)) = known.and_then(|e| Some((e, decode(&e.document)?))) {
            if let Ok(text) = String::from_utf8(bytes) {
                let asked = Arc::new(Asked::from_entries(entry.asked.iter().copied()));
                self.note(path, Read { digest, asked: Arc::clone(&asked), fresh: None, shape: Some(entry.shape) });
                return Outcome { loaded: Some(load::known(path, text, document, asked)), diagnostics: Vec::new() };
            }
            return load::load_file(path, budget);
        }
        let outcome = load::load_bytes(path, bytes, budget);
        let fresh = match (&outcome.loaded, outcome.diagnostics.is_empty()) {
            (Some(loaded), true) => encode(&loaded.document),
            _ => None,
        };
        let shape = outcome.loaded.as_ref().and_then(|l| shape(&l.document));
        let asked = outcome.loaded.as_ref().map_or_else(Arc::default, |l| l.spans.asked());
        self.note(path, Read { digest, asked, fresh, shape });
        outcome
    }

    /// Notes that the file at `path`, whose bytes have `digest`, was used as loaded before (by
    /// a process that kept it, with the `shape` this cache gave it then): its entry stays, with
    /// the positions asked of it since.
    pub fn keep(&self, path: &Path, digest: Digest, asked: Arc<Asked>, shape: Option<Digest>) {
        if self.path.is_some() {
            self.note(path, Read { digest, asked, fresh: None, shape });
        }
    }

    fn note(&self, path: &Path, read: Read) {
        if let Ok(mut all) = self.read.lock() {
            all.insert(path.to_path_buf(), read);
        }
    }

    /// How many of the files read so far came from the cache.
    pub fn counts(&self) -> Counts {
        let read = self.read.lock().unwrap_or_else(|e| e.into_inner());
        let loaded = read.values().filter(|r| r.fresh.is_some()).count();
        Counts { known: read.len() - loaded, loaded }
    }

    /// Compiles `workspace` with the completions `actuals`, or reads the plan an earlier run
    /// compiled from the same files and calendar, when every completion that compile consulted
    /// (those of the prerequisites relative deadlines count from) is still what it was; a plan
    /// compiled here is kept for the next run. The result is the compiler's either way.
    pub fn compile(
        &self,
        workspace: &Workspace,
        calendar: &Calendar,
        actuals: &dyn Actuals,
    ) -> Result<Plan, Vec<Diagnostic>> {
        let Some((path, key)) = self.path.as_ref().zip(self.plan_key(workspace, calendar)) else {
            return compile::compile_with(workspace, calendar, actuals);
        };
        let path = plan_path(path);
        if let Some(bytes) = plan::kept(&path, &key) {
            if let Some(plan) = plan::read(&bytes, &key, workspace, Some(actuals)) {
                set(&self.plan_sum, sum_of(&bytes));
                return Ok(plan);
            }
        }
        let consulted = compile::Consulted::new(actuals);
        let plan = compile::compile_with(workspace, calendar, &consulted)?;
        if let Some(bytes) = plan::write(&plan, &key, &consulted.asked()) {
            // As for the files: a plan that cannot be kept is compiled again next time.
            if replace(&path, &bytes).is_ok() {
                set(&self.plan_sum, sum_of(&bytes));
            }
        }
        Ok(plan)
    }

    /// What the checks find in `checked` (loaded through this cache, not yet checked): what
    /// the last run that read the same files in the same calendar found; else what `check`
    /// finds given what the last run found file by file (`None` when nothing is kept), kept
    /// for the next run.
    pub fn checks(
        &self,
        checked: &Checked,
        calendar: &Calendar,
        check: impl FnOnce(Option<checks::Found>) -> checks::Found,
    ) -> Vec<Diagnostic> {
        let Some((path, files)) = self.path.as_ref().zip(self.files_key(&checked.files, calendar)) else {
            return check(None).all();
        };
        let key = self.build_key(calendar);
        let path = checks_path(path);
        let sources = || checked.documents.iter().map(|l| &l.source);
        let bytes = checks::kept(&path, &key);
        if let Some(all) = bytes.as_deref().and_then(|b| checks::read_all(b, &key, &files, sources())) {
            return all;
        }
        let found = check(bytes.and_then(|b| checks::read(&b, &key, sources())));
        if let Some(bytes) = checks::write(&key, &files, &found) {
            // As for the plan: findings that cannot be kept are looked for again next time.
            let _ = replace(&path, &bytes);
        }
        found.all()
    }

    /// Whether this is a cache (not the none of `--no-cache`).
    pub fn is_kept(&self) -> bool {
        self.path.is_some()
    }

    /// The digest of the document read from the file at `path` as compiling reads it, when this
    /// run read it.
    pub fn shape_read(&self, path: &Path) -> Option<Digest> {
        self.read.lock().ok()?.get(path).and_then(|r| r.shape)
    }

    /// The digest of the bytes of the file at `path`, as this run read it.
    pub fn digest_read(&self, path: &Path) -> Option<Digest> {
        self.read.lock().ok()?.get(path).map(|r| r.digest)
    }

    /// Every event of `log`, in the order recorded: those an earlier run kept of the same store,
    /// and those recorded since, read from the store; the whole log when what was kept is not
    /// this store's or not what the store holds up to where it was read. A log of
    /// `KEEP_LOG_FROM` events or more is kept, and written again when many were recorded since.
    pub fn events(&self, log: &(impl EventLog + ?Sized)) -> Result<Vec<Event>, StoreError> {
        let Some(path) = &self.path else { return log.events() };
        let path = log_path(path);
        // A store without its identity (its row removed by hand) is read whole, never kept.
        let Ok(store) = log.identity() else { return log.events() };
        let kept = file::Bytes::of(&path).and_then(|bytes| log::read(&bytes, &fingerprint(), &store));
        let since = match &kept {
            Some(kept) => log.events_since(kept.last, kept.events.len())?.and_then(|newer| after_last(kept, newer)),
            None => None,
        };
        let (events, read) = match (kept, since) {
            (Some(kept), Some(newer)) => {
                let read = newer.len();
                let mut events = kept.events;
                events.extend(newer);
                // Both in the order recorded: the sort merges the two runs.
                events.sort_by_key(|e| (e.event.recorded_at.timestamp(), e.id));
                (events, read)
            }
            _ => {
                let events = log.events()?;
                (events, usize::MAX)
            }
        };
        if events.len() >= self.keep_log_from && read > (events.len() / 32).max(256) {
            // As for the plan: a log that cannot be kept is read whole again next time.
            let _ = replace(&path, &log::write(&fingerprint(), &store, &events));
        }
        set(&self.head, log::Head::of(&store, &events));
        Ok(events)
    }

    /// What a plan depends on besides completions, when this run read every file of the
    /// workspace: the build, the calendar, and the paths of the files in order with each
    /// document as compiling reads it (an edit of a title keeps the plan).
    pub fn plan_key(&self, workspace: &Workspace, calendar: &Calendar) -> Option<Digest> {
        self.key(&workspace.files, calendar, |read| read.shape)
    }

    /// The key of what is made of `files` in `calendar`, when this run read every one of them:
    /// the build, the calendar, and the paths and bytes of the files in order.
    fn files_key(&self, files: &[PathBuf], calendar: &Calendar) -> Option<Digest> {
        self.key(files, calendar, |read| Some(read.digest))
    }

    /// The build and the calendar: what anything kept is made under.
    fn build_key(&self, calendar: &Calendar) -> Digest {
        let mut hasher = blake3::Hasher::new();
        hasher.update(&fingerprint());
        hasher.update(&calendar.digest());
        hasher.finalize().into()
    }

    /// The build, the calendar, and the paths of `files` in order, each with what `of` takes
    /// of it as read (`None` when one was not read, or has not that).
    fn key(&self, files: &[PathBuf], calendar: &Calendar, of: impl Fn(&Read) -> Option<Digest>) -> Option<Digest> {
        let read = self.read.lock().ok()?;
        let mut hasher = blake3::Hasher::new();
        hasher.update(&self.build_key(calendar));
        hasher.update(&(files.len() as u64).to_le_bytes());
        for file in files {
            let path = file.to_str()?;
            hasher.update(&(path.len() as u64).to_le_bytes());
            hasher.update(path.as_bytes());
            hasher.update(&of(read.get(file)?)?);
        }
        Some(hasher.finalize().into())
    }

    /// Writes the cache back when this run loaded a file from its text, asked a file for a
    /// position the cache did not have, or found the cache untrustworthy: the entries this run
    /// read, and the others no run has read for fewer than [`MAX_AGE`] writes. Errors are
    /// returned for the caller to ignore or report.
    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        let read = self.read.lock().unwrap_or_else(|e| e.into_inner());
        let changed = read
            .values()
            .any(|r| r.fresh.is_some() || self.entries.get(&r.digest).is_some_and(|e| e.asked.len() != r.asked.len()));
        if !changed && self.rejected.is_none() {
            return Ok(());
        }
        let mut entries: FxHashMap<Digest, Entry> = self
            .entries
            .iter()
            .filter(|(_, e)| e.age < MAX_AGE)
            .map(|(d, e)| (*d, Entry { age: e.age + 1, ..e.clone() }))
            .collect();
        for r in read.values() {
            let (document, shape) = match (&r.fresh, r.shape, entries.remove(&r.digest)) {
                (Some(fresh), Some(shape), _) => (fresh.clone(), shape),
                (None, _, Some(old)) => (old.document, old.shape),
                _ => continue,
            };
            entries.insert(r.digest, Entry { age: 0, document, shape, asked: r.asked.entries() });
        }
        let mut sorted: Vec<(&Digest, &Entry)> = entries.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        replace(path, &file::write(&sorted, &fingerprint()))
    }
}

/// Where the plan is kept beside the cache of files.
fn plan_path(files: &Path) -> PathBuf {
    beside(files, ".plan")
}

/// The events recorded since the log was kept: `newer` without the last event kept, when the
/// store's event of that number is the one kept (a store put back from a copy and written to
/// again has other events under the same numbers).
fn after_last(kept: &log::Kept, mut newer: Vec<Event>) -> Option<Vec<Event>> {
    let Some(at) = newer.iter().position(|e| e.id == kept.last) else { return (kept.last == 0).then_some(newer) };
    let last = newer.remove(at);
    (kept.events.iter().rev().find(|e| e.id == kept.last) == Some(&last)).then_some(newer)
}

/// Where the log as read is kept beside the cache of files.
fn log_path(files: &Path) -> PathBuf {
    beside(files, ".log")
}

/// Where the fold of the log into the plan is kept beside the cache of files.
fn fold_path(files: &Path) -> PathBuf {
    beside(files, ".fold")
}

/// The digest a kept file ends with (of everything before it).
fn sum_of(bytes: &[u8]) -> Digest {
    let mut sum = [0; 32];
    sum.copy_from_slice(&bytes[bytes.len().saturating_sub(32)..]);
    sum
}

/// Sets what `slot` holds, unless a panic poisoned it (then it stays unset: the run goes on
/// without what it would have kept).
fn set<T>(slot: &Mutex<Option<T>>, value: T) {
    if let Ok(mut slot) = slot.lock() {
        *slot = Some(value);
    }
}

/// Where the checks' findings are kept beside the cache of files.
fn checks_path(files: &Path) -> PathBuf {
    beside(files, ".check")
}

fn beside(files: &Path, suffix: &str) -> PathBuf {
    let mut name = files.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes `bytes` to a temporary file beside `path` and renames it over `path`.
fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    // Named after the cache, so that one left by a killed process says whose it is.
    let mut temp = tempfile::Builder::new().prefix(".karta.cache.").tempfile_in(dir)?;
    std::io::Write::write_all(&mut temp, bytes)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// What a cache holds, for `karta cache`.
#[derive(Debug, Clone)]
pub struct Summary {
    pub path: PathBuf,
    /// The size of the file of files, when there is one.
    pub bytes: Option<u64>,
    /// Files it knows (0 when it is not trusted).
    pub files: usize,
    pub rejected: Option<Rejection>,
    /// The size of the kept plan, when there is one.
    pub plan_bytes: Option<u64>,
    /// The size of the kept findings of the checks, when there are any.
    pub check_bytes: Option<u64>,
    /// The size of the kept log, when there is one.
    pub log_bytes: Option<u64>,
    /// The size of the kept fold of the log into the plan, when there is one.
    pub fold_bytes: Option<u64>,
}

impl Cache {
    pub fn summary(&self) -> Option<Summary> {
        let path = self.path.clone()?;
        let size = |p: &Path| std::fs::metadata(p).ok().map(|m| m.len());
        Some(Summary {
            bytes: size(&path),
            files: self.entries.len(),
            rejected: self.rejected,
            plan_bytes: size(&plan_path(&path)),
            check_bytes: size(&checks_path(&path)),
            log_bytes: size(&log_path(&path)),
            fold_bytes: size(&fold_path(&path)),
            path,
        })
    }

    /// Removes the cache's files; whether there were any.
    pub fn clear(self) -> std::io::Result<bool> {
        let Some(path) = self.path else { return Ok(false) };
        let mut removed = false;
        for p in [plan_path(&path), checks_path(&path), log_path(&path), fold_path(&path), path] {
            match std::fs::remove_file(&p) {
                Ok(()) => removed = true,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(removed)
    }
}

/// The build that writes and reads the cache: its version and its executable's size and
/// modification time (a rebuilt karta may load files differently, and says so by being
/// another file).
fn fingerprint() -> Digest {
    let mut hasher = blake3::Hasher::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    if let Some(meta) = std::env::current_exe().ok().and_then(|exe| std::fs::metadata(exe).ok()) {
        hasher.update(&meta.len().to_le_bytes());
        let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        hasher.update(&modified.map_or(0, |d| d.as_nanos()).to_le_bytes());
    }
    hasher.finalize().into()
}

/// A document as stored: its kind as one byte, then its body.
fn encode(document: &Document) -> Option<Vec<u8>> {
    let (kind, body) = match document {
        Document::Roadmap(r) => (0u8, rmp_serde::to_vec_named(r)),
        Document::Protocol(p) => (1, rmp_serde::to_vec_named(p)),
        Document::Directory(d) => (2, rmp_serde::to_vec_named(d)),
    };
    let mut out = vec![kind];
    out.extend(body.ok()?);
    Some(out)
}

/// The digest of `document` as compiling reads it: what keys a kept plan.
fn shape(document: &Document) -> Option<Digest> {
    encode(&compile::as_read(document)).map(|bytes| digest(&bytes))
}

fn decode(bytes: &[u8]) -> Option<Document> {
    let (kind, body) = bytes.split_first()?;
    match kind {
        0 => rmp_serde::from_slice(body).ok().map(Document::Roadmap),
        1 => rmp_serde::from_slice(body).ok().map(Document::Protocol),
        2 => rmp_serde::from_slice(body).ok().map(Document::Directory),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests;

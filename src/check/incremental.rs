//! Checking again only what changed, for a process that checks the same roadmaps over and over
//! (`karta serve` reloading after an edit). The [`Memo`] keeps, file by file, what the last
//! check found: the document, the problems loading it found, the problems its own checks found
//! and the unit made of it. The next check still reads every file (a file's bytes are its key)
//! but loads only those whose bytes changed, and checks a document again only when something
//! its checks consulted changed: its bytes, the files it includes, the region, or the activity
//! ids of a roadmap it refers to. The checks across documents (one id each, one region) run on
//! all of them, as they cost next to nothing; dependency cycles are looked for only from the
//! documents that changed when the last check found none. The result is a cold check's, diagnostic
//! for diagnostic and unit for unit (`tests/cache.rs` compares them over random edits).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Checked, Unit, Workspace, document, graph};
use crate::cache::{self, Cache, Digest};
use crate::calendar::Calendar;
use crate::diag::Diagnostic;
use crate::load::{self, Loaded};

/// What the last check found, by file (the path as read), for the next check of the same files.
#[derive(Debug, Default)]
pub struct Memo {
    files: FxHashMap<PathBuf, Kept>,
    /// The calendar the kept checks were made in.
    calendar: Option<Digest>,
    /// Whether the last check found no dependency cycle: then a new one passes through a
    /// document whose bytes changed since.
    acyclic: bool,
}

/// One file as the last check left it.
#[derive(Debug)]
struct Kept {
    digest: Digest,
    /// What loading the file found.
    loaded: Option<Loaded>,
    loading: Vec<Diagnostic>,
    facts: Option<Arc<Facts>>,
    /// The stamp of what the document's checks consulted, with what they found.
    checked: Option<(Digest, Vec<Diagnostic>)>,
    /// The unit made of the document, with the stamp it was made under.
    unit: Option<(Digest, Arc<Unit>)>,
}

/// What other documents' checks ask of a document, and what its checks ask of others.
#[derive(Debug)]
struct Facts {
    /// Its tasks' keys (`roadmap/activity`) with the keys of those they wait for.
    links: FxHashMap<String, Vec<String>>,
    /// The digest of its activity ids: what a reference to one of them is checked against.
    ids: Digest,
    /// The documents it refers to by id, its own among them, sorted.
    refers: Vec<String>,
}

impl Facts {
    fn of(l: &Loaded) -> Facts {
        let links: FxHashMap<String, Vec<String>> = graph::links(l)
            .into_iter()
            .map(|(task, to)| (task, to.into_iter().map(|(key, _)| key).collect()))
            .collect();
        let mut ids: Vec<&str> = document::tasks(&l.document).iter().map(|t| t.id).collect();
        ids.sort_unstable();
        let mut refers: Vec<String> =
            links.values().flatten().filter_map(|key| key.split_once('/').map(|(doc, _)| doc.to_string())).collect();
        refers.push(l.document.id().to_string());
        refers.sort_unstable();
        refers.dedup();
        Facts { links, ids: digest_of(ids.iter().map(|i| i.as_bytes())), refers }
    }
}

impl Memo {
    /// Checks `files` as [`super::check_with`] does, and makes the workspace of them as
    /// [`Checked::into_workspace`] does, reusing what the last check found wherever nothing it
    /// depends on changed; remembers what this check found for the next.
    pub fn workspace(
        &mut self,
        files: &[PathBuf],
        calendar: &Calendar,
        cache: &Cache,
    ) -> Result<Workspace, Box<Checked>> {
        let in_force = calendar.digest();
        if self.calendar != Some(in_force) {
            *self = Memo { calendar: Some(in_force), ..Memo::default() };
        }
        let mut before = std::mem::take(&mut self.files);
        let now: Mutex<FxHashMap<PathBuf, Kept>> = Mutex::default();
        let mut checked = super::load_all(files, |path| reload(path, &before, &now, cache));
        let mut now = now.into_inner().unwrap_or_else(|e| e.into_inner());

        let facts: Vec<Arc<Facts>> = checked
            .documents
            .par_iter()
            .map(|l| {
                let kept = now.get(&l.source.path).and_then(|k| k.facts.clone());
                kept.unwrap_or_else(|| Arc::new(Facts::of(l)))
            })
            .collect();
        let (across, region) = document::across(&checked.documents);
        let stamps = stamps(&checked.documents, &facts, &now, region);
        let kept_checks: Vec<Option<Vec<Diagnostic>>> = checked
            .documents
            .iter()
            .zip(&stamps)
            .map(|(l, stamp)| {
                let kept = before.get_mut(&l.source.path).and_then(|k| k.checked.take());
                kept.filter(|(s, _)| s == stamp).map(|(_, found)| found)
            })
            .collect();
        let own: Vec<Vec<Diagnostic>> = if kept_checks.iter().all(Option::is_some) {
            kept_checks.into_iter().flatten().collect()
        } else {
            let by_path = document::by_path(&checked.documents);
            let activities = document::activities(&checked.documents);
            let calendar = calendar.for_region(region);
            checked
                .documents
                .par_iter()
                .zip(kept_checks)
                .map(|(l, kept)| kept.unwrap_or_else(|| document::one(l, &by_path, &activities, calendar)))
                .collect()
        };
        let cycles = self.cycles(&checked.documents, &facts, &before);
        self.acyclic = cycles.is_empty();

        checked.diagnostics.extend(across);
        for (l, ((found, stamp), facts)) in checked.documents.iter().zip(own.iter().zip(&stamps).zip(&facts)) {
            if let Some(kept) = now.get_mut(&l.source.path) {
                kept.checked = Some((*stamp, found.clone()));
                kept.facts = Some(Arc::clone(facts));
                kept.unit = kept.unit.take().filter(|(s, _)| s == stamp);
            }
        }
        checked.diagnostics.extend(own.into_iter().flatten());
        checked.diagnostics.extend(cycles);
        super::sort(&mut checked.diagnostics);
        checked.units = checked
            .documents
            .iter()
            .map(|l| now.get(&l.source.path).and_then(|k| k.unit.clone()).map(|(_, u)| u))
            .collect();

        let workspace = checked.into_workspace();
        if let Ok(workspace) = &workspace {
            for unit in &workspace.units {
                if let Some(kept) = now.get_mut(&unit.source.path) {
                    if let Some((stamp, _)) = &kept.checked {
                        kept.unit = Some((*stamp, Arc::clone(unit)));
                    }
                }
            }
        }
        self.files = now;
        workspace
    }

    /// The dependency cycles among `docs`, as [`graph::cycles`] finds them. When the last
    /// check found none, a cycle now passes through a wait written in a document whose bytes
    /// changed: only if one of those leads back to where it starts are all looked for.
    fn cycles(&self, docs: &[Loaded], facts: &[Arc<Facts>], before: &FxHashMap<PathBuf, Kept>) -> Vec<Diagnostic> {
        if !self.acyclic {
            return graph::cycles(docs);
        }
        let mut by_id: FxHashMap<&str, Vec<&Facts>> = FxHashMap::default();
        for (l, f) in docs.iter().zip(facts) {
            by_id.entry(l.document.id()).or_default().push(f);
        }
        let changed = docs.iter().zip(facts).filter(|(l, f)| {
            before.get(&l.source.path).and_then(|k| k.facts.as_ref()).is_none_or(|k| !Arc::ptr_eq(k, f))
        });
        for (_, f) in changed {
            for (task, waits) in &f.links {
                if waits.iter().any(|to| leads(&by_id, to, task)) {
                    return graph::cycles(docs);
                }
            }
        }
        Vec::new()
    }
}

/// Whether waiting from `from` leads to `to`.
fn leads(by_id: &FxHashMap<&str, Vec<&Facts>>, from: &str, to: &str) -> bool {
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    let mut stack: Vec<&str> = vec![from];
    while let Some(key) = stack.pop() {
        if key == to {
            return true;
        }
        if !seen.insert(key) {
            continue;
        }
        let doc = key.split_once('/').map_or(key, |(doc, _)| doc);
        for f in by_id.get(doc).into_iter().flatten() {
            stack.extend(f.links.get(key).into_iter().flatten().map(String::as_str));
        }
    }
    false
}

/// Loads the file at `path`, or takes what `before` kept of it when its bytes are the same;
/// notes what it found in `now`.
fn reload(
    path: &Path,
    before: &FxHashMap<PathBuf, Kept>,
    now: &Mutex<FxHashMap<PathBuf, Kept>>,
    cache: &Cache,
) -> load::Outcome {
    let Some(bytes) = cache::read(path) else { return cache.load(path) };
    let digest = cache::digest(&bytes);
    let (outcome, kept) = match before.get(path).filter(|k| k.digest == digest) {
        Some(k) => {
            if let Some(l) = &k.loaded {
                cache.keep(path, digest, l.spans.asked());
            }
            let outcome = load::Outcome { loaded: k.loaded.clone(), diagnostics: k.loading.clone() };
            let kept = Kept {
                digest,
                loaded: k.loaded.clone(),
                loading: k.loading.clone(),
                facts: k.facts.clone(),
                checked: None,
                unit: k.unit.clone(),
            };
            (outcome, kept)
        }
        None => {
            let outcome = cache.load_read(path, bytes, digest);
            let kept = Kept {
                digest,
                loaded: outcome.loaded.clone(),
                loading: outcome.diagnostics.clone(),
                facts: None,
                checked: None,
                unit: None,
            };
            (outcome, kept)
        }
    };
    if let Ok(mut now) = now.lock() {
        now.insert(path.to_path_buf(), kept);
    }
    outcome
}

/// For each document, the digest of everything its checks and its unit depend on: its bytes,
/// the bytes of the files it includes, the region whose calendar checks it, and the activity
/// ids of each document it refers to (with the ids of all documents when one of those is
/// missing: the hint names the nearest).
fn stamps(docs: &[Loaded], facts: &[Arc<Facts>], now: &FxHashMap<PathBuf, Kept>, region: Option<&str>) -> Vec<Digest> {
    let digest_at: FxHashMap<PathBuf, Digest> = docs
        .par_iter()
        .filter_map(|l| {
            let digest = now.get(&l.source.path)?.digest;
            Some((std::fs::canonicalize(&l.source.path).unwrap_or_else(|_| l.source.path.clone()), digest))
        })
        .collect();
    // The last of two documents with one id is the one references are checked against.
    let ids: FxHashMap<&str, Digest> = docs.iter().zip(facts).map(|(l, f)| (l.document.id(), f.ids)).collect();
    let all_ids = {
        let mut all: Vec<&str> = ids.keys().copied().collect();
        all.sort_unstable();
        digest_of(all.iter().map(|i| i.as_bytes()))
    };
    docs.par_iter()
        .zip(facts)
        .map(|(l, f)| {
            let mut hasher = blake3::Hasher::new();
            hasher.update(&now.get(&l.source.path).map_or([0; 32], |k| k.digest));
            for include in l.document.declared().include {
                let at = super::include_path(&l.source.path, include);
                hasher.update(at.as_os_str().as_encoded_bytes());
                hasher.update(&digest_at.get(&at).copied().unwrap_or([0; 32]));
            }
            hasher.update(region.unwrap_or_default().as_bytes());
            hasher.update(&[0]);
            let mut missing = false;
            for id in &f.refers {
                hasher.update(id.as_bytes());
                match ids.get(id.as_str()) {
                    Some(d) => hasher.update(d),
                    None => {
                        missing = true;
                        hasher.update(&[0])
                    }
                };
            }
            if missing {
                hasher.update(&all_ids);
            }
            hasher.finalize().into()
        })
        .collect()
}

/// The digest of a sequence of byte strings, each ended so that no two sequences collide.
fn digest_of<'a>(parts: impl Iterator<Item = &'a [u8]>) -> Digest {
    let mut hasher = blake3::Hasher::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize().into()
}

//! Checking again only what changed, for a process that checks the same roadmaps over and over
//! (`karta serve` reloading after an edit). The [`Memo`] keeps, file by file, what the last
//! check found: the document, the problems loading it found, the problems its own checks found
//! and the unit made of it. The next check reads only the files whose metadata changed since
//! ([`cache::Stat`]: size, times, inode), loads only those whose bytes changed (a file's bytes
//! are its key), and checks a document again only when something
//! its checks consulted changed: its bytes, the files it includes, the region, or the activity
//! ids of a roadmap it refers to. The checks across documents (one id each, one region) run on
//! all of them, as they cost next to nothing; dependency cycles are looked for only from the
//! documents that changed when the last check found none. The result is a cold check's, diagnostic
//! for diagnostic and unit for unit (`tests/cache.rs` compares them over random edits).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Canonical, Checked, Unit, Workspace, document, graph};
use crate::cache::{self, Cache, Digest, Stat, checks};
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
    /// How many files the last check read (the others' metadata vouched for their bytes).
    read: usize,
}

/// One file as the last check left it.
#[derive(Debug)]
struct Kept {
    digest: Digest,
    /// The file's metadata before it was read, when it vouches for the bytes read then.
    stat: Option<Stat>,
    /// What loading the file found.
    loaded: Option<Loaded>,
    loading: Vec<Diagnostic>,
    facts: Option<Arc<Facts>>,
    /// The stamp of what the document's checks consulted, with what they found.
    checked: Option<(Digest, Vec<Diagnostic>)>,
    /// The unit made of the document, with the stamp it was made under.
    unit: Option<(Digest, Arc<Unit>)>,
    /// The digest of the document as compiling reads it, as the cache made it when the file
    /// was loaded (what keys the plan: `Cache::plan_key`).
    shape: Option<Digest>,
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
        let mut ids: Vec<&str> = document::task_ids(&l.document);
        ids.sort_unstable();
        let mut refers: Vec<String> =
            links.values().flatten().filter_map(|key| key.split_once('/').map(|(doc, _)| doc.to_string())).collect();
        refers.push(l.document.id().to_string());
        refers.sort_unstable();
        refers.dedup();
        Facts { links, ids: digest_of(ids.iter().map(|i| i.as_bytes())), refers }
    }

    /// As a command keeps them beside the cache.
    fn kept(&self) -> checks::Facts {
        let links = self.links.iter().map(|(task, waits)| (task.clone(), waits.clone())).collect();
        checks::Facts { ids: self.ids, refers: self.refers.clone(), links }
    }

    fn from_kept(kept: checks::Facts) -> Facts {
        Facts { links: kept.links.into_iter().collect(), ids: kept.ids, refers: kept.refers }
    }
}

/// What the checks found in the documents, each with what it consulted.
struct Findings {
    facts: Vec<Arc<Facts>>,
    stamps: Vec<Digest>,
    /// Each document's own checks' findings.
    own: Vec<Vec<Diagnostic>>,
    /// The checks across documents'.
    across: Vec<Diagnostic>,
    cycles: Vec<Diagnostic>,
}

/// Checks `docs`, each as `now` has its file (the digest of its bytes; what others ask of it,
/// when kept), taking a document's findings from `before` when what its checks consult is what
/// they consulted then. `acyclic`: the check that left `before` found no dependency cycle.
fn find(
    (docs, canonical): (&[Loaded], &Canonical),
    now: &FxHashMap<PathBuf, Kept>,
    before: &mut FxHashMap<PathBuf, Kept>,
    acyclic: bool,
    calendar: &Calendar,
) -> Findings {
    let facts: Vec<Arc<Facts>> = docs
        .par_iter()
        .map(|l| {
            let kept = now.get(&l.source.path).and_then(|k| k.facts.clone());
            kept.unwrap_or_else(|| Arc::new(Facts::of(l)))
        })
        .collect();
    let (across, region) = document::across(docs);
    let stamps = stamps((docs, canonical), &facts, now, region);
    let kept_checks: Vec<Option<Vec<Diagnostic>>> = docs
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
        let by_path = document::by_path(docs, canonical);
        let activities = document::activities(docs);
        let calendar = calendar.for_region(region);
        docs.par_iter()
            .zip(kept_checks)
            .map(|(l, kept)| kept.unwrap_or_else(|| document::one(l, (&by_path, canonical), &activities, calendar)))
            .collect()
    };
    let cycles = cycles(acyclic, docs, &facts, before);
    Findings { facts, stamps, own, across, cycles }
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
        self.workspace_read_at(files, calendar, cache, crate::clock::files())
    }

    /// [`Memo::workspace`], the files read at `read_at` (what a file's change time is compared
    /// with: [`Stat::settled`]).
    pub fn workspace_read_at(
        &mut self,
        files: &[PathBuf],
        calendar: &Calendar,
        cache: &Cache,
        read_at: std::time::SystemTime,
    ) -> Result<Workspace, Box<Checked>> {
        let in_force = calendar.digest();
        if self.calendar != Some(in_force) {
            *self = Memo { calendar: Some(in_force), ..Memo::default() };
        }
        let mut before = std::mem::take(&mut self.files);
        let now: Mutex<FxHashMap<PathBuf, Kept>> = Mutex::default();
        let read = AtomicUsize::new(0);
        let mut checked = super::load_all(files, |path| reload(path, &before, &now, cache, (read_at, &read)));
        self.read = read.into_inner();
        let mut now = now.into_inner().unwrap_or_else(|e| e.into_inner());

        let found = find((&checked.documents, &checked.canonical), &now, &mut before, self.acyclic, calendar);
        self.acyclic = found.cycles.is_empty();
        for (l, ((own, stamp), facts)) in
            checked.documents.iter().zip(found.own.iter().zip(&found.stamps).zip(&found.facts))
        {
            if let Some(kept) = now.get_mut(&l.source.path) {
                kept.checked = Some((*stamp, own.clone()));
                kept.facts = Some(Arc::clone(facts));
                kept.unit = kept.unit.take().filter(|(s, _)| s == stamp);
            }
        }
        checked.diagnostics.extend(found.across);
        checked.diagnostics.extend(found.own.into_iter().flatten());
        checked.diagnostics.extend(found.cycles);
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

    /// How many files the last check read: those whose metadata changed, or had not settled.
    pub fn read(&self) -> usize {
        self.read
    }
}

/// What the checks find in `docs`, loaded through `cache` by a command, given what the last
/// command's check kept file by file (`kept`): a document is checked again only when what its
/// checks consult changed, as the service's [`Memo`] does; what this check found, for the next.
pub(super) fn again(
    docs: &[Loaded],
    canonical: &Canonical,
    calendar: &Calendar,
    cache: &Cache,
    kept: Option<checks::Found>,
) -> checks::Found {
    let kept = kept.unwrap_or_default();
    // Nothing kept: no cycle is known not to be there.
    let acyclic = !kept.documents.is_empty() && kept.cycles.is_empty();
    let mut before: FxHashMap<PathBuf, Kept> = kept
        .documents
        .into_iter()
        .map(|d| {
            let facts = Some(Arc::new(Facts::from_kept(d.facts)));
            let kept = Kept { digest: d.digest, facts, checked: Some((d.stamp, d.found)), ..Kept::empty() };
            (d.path, kept)
        })
        .collect();
    let now: FxHashMap<PathBuf, Kept> = docs
        .iter()
        .filter_map(|l| {
            let path = &l.source.path;
            let digest = cache.digest_read(path)?;
            let facts = before.get(path).filter(|k| k.digest == digest).and_then(|k| k.facts.clone());
            Some((path.clone(), Kept { digest, facts, ..Kept::empty() }))
        })
        .collect();
    let found = find((docs, canonical), &now, &mut before, acyclic, calendar);
    let documents = docs
        .iter()
        .zip(found.own.into_iter().zip(found.stamps).zip(found.facts))
        .map(|(l, ((found, stamp), facts))| {
            let digest = now.get(&l.source.path).map_or([0; 32], |k| k.digest);
            checks::DocumentFound { path: l.source.path.clone(), digest, stamp, found, facts: facts.kept() }
        })
        .collect();
    checks::Found { across: found.across, cycles: found.cycles, documents }
}

impl Kept {
    fn empty() -> Kept {
        Kept {
            digest: [0; 32],
            stat: None,
            loaded: None,
            loading: Vec::new(),
            facts: None,
            checked: None,
            unit: None,
            shape: None,
        }
    }
}

/// The dependency cycles among `docs`, as [`graph::cycles`] finds them. When the last check
/// found none (`acyclic`), a cycle now passes through a wait written in a document whose bytes
/// changed: only if one of those leads back to where it starts are all looked for.
fn cycles(acyclic: bool, docs: &[Loaded], facts: &[Arc<Facts>], before: &FxHashMap<PathBuf, Kept>) -> Vec<Diagnostic> {
    if !acyclic {
        return graph::cycles(docs);
    }
    let mut by_id: FxHashMap<&str, Vec<&Facts>> = FxHashMap::default();
    for (l, f) in docs.iter().zip(facts) {
        by_id.entry(l.document.id()).or_default().push(f);
    }
    let changed = docs
        .iter()
        .zip(facts)
        .filter(|(l, f)| before.get(&l.source.path).and_then(|k| k.facts.as_ref()).is_none_or(|k| !Arc::ptr_eq(k, f)));
    for (_, f) in changed {
        for (task, waits) in &f.links {
            if waits.iter().any(|to| leads(&by_id, to, task)) {
                return graph::cycles(docs);
            }
        }
    }
    Vec::new()
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

/// Loads the file at `path`, or takes what `before` kept of it when its metadata vouches for
/// the bytes read then, or its bytes are the same; notes what it found in `now`, and counts in
/// `read` the files read (`read_at`: when this check began reading).
fn reload(
    path: &Path,
    before: &FxHashMap<PathBuf, Kept>,
    now: &Mutex<FxHashMap<PathBuf, Kept>>,
    cache: &Cache,
    (read_at, read): (std::time::SystemTime, &AtomicUsize),
) -> load::Outcome {
    // Taken before the bytes are read: a write after it is another stat next time.
    let stat = Stat::of(path);
    let unchanged = before.get(path).filter(|k| k.stat.is_some() && k.stat == stat);
    let (outcome, kept) = match unchanged {
        Some(k) => taken(path, k, k.stat, cache),
        None => {
            read.fetch_add(1, Ordering::Relaxed);
            let Some(bytes) = cache::read(path) else { return cache.load(path) };
            let digest = cache::digest(&bytes);
            let stat = stat.and_then(|s| s.settled(read_at));
            match before.get(path).filter(|k| k.digest == digest) {
                Some(k) => taken(path, k, stat, cache),
                None => {
                    let outcome = cache.load_read(path, bytes, digest);
                    let kept = Kept {
                        digest,
                        stat,
                        loaded: outcome.loaded.clone(),
                        loading: outcome.diagnostics.clone(),
                        facts: None,
                        checked: None,
                        unit: None,
                        shape: cache.shape_read(path),
                    };
                    (outcome, kept)
                }
            }
        }
    };
    if let Ok(mut now) = now.lock() {
        now.insert(path.to_path_buf(), kept);
    }
    outcome
}

/// What the last check kept of the file at `path` (`k`), its bytes still those: loading's
/// outcome again, and what to keep of it now (with `stat`).
fn taken(path: &Path, k: &Kept, stat: Option<Stat>, cache: &Cache) -> (load::Outcome, Kept) {
    if let Some(l) = &k.loaded {
        cache.keep(path, k.digest, l.spans.asked(), k.shape);
    }
    let outcome = load::Outcome { loaded: k.loaded.clone(), diagnostics: k.loading.clone() };
    let kept = Kept {
        digest: k.digest,
        stat,
        loaded: k.loaded.clone(),
        loading: k.loading.clone(),
        facts: k.facts.clone(),
        checked: None,
        unit: k.unit.clone(),
        shape: k.shape,
    };
    (outcome, kept)
}

/// For each document, the digest of everything its checks and its unit depend on: its bytes,
/// the bytes of the files it includes, the region whose calendar checks it, and the activity
/// ids of each document it refers to (with the ids of all documents when one of those is
/// missing: the hint names the nearest).
fn stamps(
    (docs, canonical): (&[Loaded], &Canonical),
    facts: &[Arc<Facts>],
    now: &FxHashMap<PathBuf, Kept>,
    region: Option<&str>,
) -> Vec<Digest> {
    // By canonical path, as includes are resolved.
    let digest_at: FxHashMap<PathBuf, Digest> = docs
        .par_iter()
        .filter_map(|l| {
            let digest = now.get(&l.source.path)?.digest;
            Some((canonical.of(&l.source.path), digest))
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
                let at = canonical.include(&l.source.path, include);
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

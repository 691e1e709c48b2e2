//! Checking: loads every roadmap file given (directories recursively, with their included
//! directories of executors), then checks references, dates and deadlines across all of them,
//! collecting every problem — never stopping at the first. Pure apart from reading the files.

mod canonical;
mod document;
mod graph;
mod incremental;
mod workspace;

pub use canonical::Canonical;
pub use incremental::Memo;
pub use workspace::{Task, Unit, Workspace};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::cache::Cache;
use crate::calendar::Calendar;
use crate::diag::{Code, Diagnostic, Span};
use crate::load::{self, Loaded};
use crate::msg;

/// The result of checking a set of files.
#[derive(Debug, Default)]
pub struct Checked {
    /// Every file read, in the order read.
    pub files: Vec<PathBuf>,
    /// The documents that loaded (whether or not they have errors).
    pub documents: Vec<Loaded>,
    pub diagnostics: Vec<Diagnostic>,
    /// Units already made of some documents (by an earlier check of the same bytes, checked the
    /// same way: [`Memo`]), in the order of `documents`; empty when there are none.
    units: Vec<Option<std::sync::Arc<Unit>>>,
    /// The canonical paths found in this check.
    canonical: Canonical,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// The YAML files under `paths`: files as given, directories searched recursively, sorted.
/// A path that does not exist is an error of usage, returned as such.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, PathBuf> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut out);
        } else if path.exists() {
            out.push(path.clone());
        } else {
            return Err(path.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// Loads and checks `files` and whatever they include.
pub fn check_files(files: &[PathBuf], calendar: &Calendar) -> Checked {
    check_with(files, calendar, &Cache::none())
}

/// [`check_files`], taking each file from `cache` when its bytes are those the cache knows, and
/// what the checks find when every file read is as the last run that kept its findings read it;
/// after an edit, a document is checked again only when something its checks consult changed
/// (as the service's [`Memo`] does).
pub fn check_with(files: &[PathBuf], calendar: &Calendar, cache: &Cache) -> Checked {
    let mut checked = load_all(files, |path| cache.load(path));
    let found = if cache.is_kept() {
        cache.checks(&checked, calendar, |kept| {
            incremental::again(&checked.documents, &checked.canonical, calendar, cache, kept)
        })
    } else {
        // Nothing is kept without a cache: no stamps to make. Cycles are looked for beside the
        // per-document checks.
        let (mut diagnostics, cycles) = rayon::join(
            || document::check_all(&checked.documents, &checked.canonical, calendar),
            || graph::cycles(&checked.documents),
        );
        diagnostics.extend(cycles);
        diagnostics
    };
    checked.diagnostics.extend(found);
    sort(&mut checked.diagnostics);
    checked
}

/// Loads `files` and whatever they include with `load`, collecting what loading found.
pub(crate) fn load_all(files: &[PathBuf], load: impl Fn(&Path) -> load::Outcome + Sync) -> Checked {
    let mut checked = Checked::default();
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    // Files load independently, so each round (the files given, then what they include, …)
    // loads on all cores; the order is the order of a one-by-one walk.
    let mut round: Vec<PathBuf> = files.to_vec();
    while !round.is_empty() {
        let canonical: Vec<PathBuf> = round.par_iter().map(|path| checked.canonical.of(path)).collect();
        let fresh: Vec<PathBuf> = round
            .into_iter()
            .zip(canonical)
            .filter_map(|(path, canonical)| seen.insert(canonical).then_some(path))
            .collect();
        let outcomes: Vec<load::Outcome> = fresh.par_iter().map(|path| load(path)).collect();
        round = Vec::new();
        for (path, outcome) in fresh.into_iter().zip(outcomes) {
            checked.diagnostics.extend(outcome.diagnostics);
            if let Some(loaded) = outcome.loaded {
                round.extend(included(&path, &loaded, &mut checked.diagnostics));
                checked.documents.push(loaded);
            }
            checked.files.push(path);
        }
    }
    checked
}

/// Diagnostics in the order they are shown: by file, then by place (stable: what one place
/// has keeps the order it was found in).
fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| (a.path(), a.span).cmp(&(b.path(), b.span)));
}

/// The files `loaded` (read from `path`) includes; an include that is not there is an error.
fn included(path: &Path, loaded: &Loaded, diagnostics: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (i, include) in loaded.document.declared().include.iter().enumerate() {
        let target = path.parent().unwrap_or(Path::new(".")).join(include);
        if target.is_file() {
            out.push(target);
        } else {
            diagnostics.push(
                Diagnostic::error(
                    Code::BadInclude,
                    msg!("включаемый файл `{}` не найден", include; "included file `{}` not found", include),
                )
                .at(&loaded.source, loaded.spans.value(&format!("/include/{i}")))
                .hint(msg!("путь указывается относительно этого файла"; "the path is relative to this file")),
            );
        }
    }
    out
}

/// The span of a deadline phrase's part inside the `due` node: exact when the phrase is a
/// one-line scalar, else the whole node.
pub fn phrase_span(loaded: &Loaded, pointer: &str, phrase: &str, start: usize, end: usize) -> Span {
    let node = loaded.spans.value(pointer);
    let Some(line) = loaded.source.line(node.line) else { return node };
    let rest: String = line.chars().skip(node.col - 1).collect();
    let quote = usize::from(rest.starts_with('"') || rest.starts_with('\''));
    let written: String = rest.chars().skip(quote).take(phrase.chars().count()).collect();
    if written != phrase {
        return node;
    }
    Span::new(node.line, node.col + quote + start, (end - start).max(1))
}

//! Where each node of a file is: spans by JSON pointer, for locating diagnostics.

use std::sync::{Arc, Mutex, OnceLock};

use rustc_hash::FxHashMap;

use super::yaml::{self, Budget};
use crate::diag::{Source, Span};

/// Source positions of the nodes of one file, keyed by JSON pointer (`/sections/0/activities/2/due`).
///
/// Kept for every node of every file while the workspace lives, so kept small: a pointer is
/// held as its 128-bit digest (a collision among a file's nodes is as likely as ~10⁻²⁶) and a
/// span as three 32-bit numbers — about 40 bytes a node instead of ~120 with the text.
///
/// A file that came from the cache ([`crate::cache`]) has no table: it has the positions the
/// last run was asked for ([`Asked`]), which are the ones this run asks for too unless
/// something changed, and its text is parsed again, the same way, only for another.
#[derive(Debug, Default, Clone)]
pub struct Spans {
    /// Shared by every copy: a workspace checked again keeps the positions found before.
    table: Arc<OnceLock<Table>>,
    /// The text to find the positions in when the table is wanted and not there yet.
    source: Option<Arc<Source>>,
    asked: Arc<Asked>,
}

#[derive(Debug, Default)]
pub(super) struct Table {
    values: FxHashMap<u128, Compact>,
    keys: FxHashMap<u128, Compact>,
}

impl Table {
    pub(super) fn value_at(&mut self, pointer: &str, span: Span) {
        self.values.insert(crate::digest::of(pointer), span.into());
    }

    pub(super) fn key_at(&mut self, pointer: &str, span: Span) {
        self.keys.insert(crate::digest::of(pointer), span.into());
    }

    /// The span recorded for the value (or the key) at `pointer`.
    #[cfg(test)]
    pub(super) fn at(&self, key: bool, pointer: &str) -> Option<Span> {
        let table = if key { &self.keys } else { &self.values };
        table.get(&crate::digest::of(pointer)).map(|c| (*c).into())
    }
}

/// The positions a run asked a file for, and what they were: (whether of a key, the digest of
/// the pointer) → span. Shared with the cache, which keeps them for the next run.
#[derive(Debug, Default)]
pub struct Asked(Mutex<FxHashMap<(bool, u128), Compact>>);

impl Asked {
    /// As the cache keeps them: (of a key, pointer digest, line, column, length).
    pub fn entries(&self) -> Vec<(bool, u128, [u32; 3])> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<_> = map.iter().map(|(&(key, p), c)| (key, p, [c.0, c.1, c.2])).collect();
        out.sort_unstable();
        out
    }

    pub fn from_entries(entries: impl IntoIterator<Item = (bool, u128, [u32; 3])>) -> Asked {
        Asked(Mutex::new(entries.into_iter().map(|(key, p, [l, c, n])| ((key, p), Compact(l, c, n))).collect()))
    }

    pub fn len(&self) -> usize {
        self.0.lock().map_or(0, |m| m.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, key: bool, pointer: u128) -> Option<Span> {
        self.0.lock().ok()?.get(&(key, pointer)).map(|&c| c.into())
    }

    fn put(&self, key: bool, pointer: u128, span: Span) {
        if let Ok(mut map) = self.0.lock() {
            map.insert((key, pointer), span.into());
        }
    }
}

/// A span in 12 bytes.
#[derive(Debug, Clone, Copy)]
struct Compact(u32, u32, u32);

impl From<Span> for Compact {
    fn from(s: Span) -> Compact {
        let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Compact(small(s.line), small(s.col), small(s.len))
    }
}

impl From<Compact> for Span {
    fn from(c: Compact) -> Span {
        Span::new(c.0 as usize, c.1 as usize, c.2 as usize)
    }
}

impl Spans {
    pub(super) fn known(table: Table) -> Spans {
        Spans { table: Arc::new(OnceLock::from(table)), source: None, asked: Arc::default() }
    }

    /// Spans found in `source` when asked, after those in `asked`.
    pub(super) fn later(source: Arc<Source>, asked: Arc<Asked>) -> Spans {
        Spans { table: Arc::default(), source: Some(source), asked }
    }

    /// What this run asked for, to keep for the next.
    pub fn asked(&self) -> Arc<Asked> {
        Arc::clone(&self.asked)
    }

    fn table(&self) -> &Table {
        self.table.get_or_init(|| {
            let parsed = self.source.as_ref().map(|s| yaml::parse(&s.text, Budget::default()));
            parsed.map(|p| p.spans).unwrap_or_default()
        })
    }

    /// The span of the value at `pointer`, or of its nearest ancestor that has one.
    pub fn value(&self, pointer: &str) -> Span {
        let digest = crate::digest::of(pointer);
        if let Some(span) = self.asked.get(false, digest) {
            return span;
        }
        let table = self.table();
        let mut p = pointer;
        let span = loop {
            if let Some(span) = table.values.get(&crate::digest::of(p)) {
                break (*span).into();
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => break Span::start(),
            }
        };
        self.asked.put(false, digest, span);
        span
    }

    /// The span of the key naming the value at `pointer` (falls back to the value's span).
    pub fn key(&self, pointer: &str) -> Span {
        let digest = crate::digest::of(pointer);
        if let Some(span) = self.asked.get(true, digest) {
            return span;
        }
        let span = self.table().keys.get(&digest).map_or_else(|| self.value(pointer), |s| (*s).into());
        self.asked.put(true, digest, span);
        span
    }
}

//! What the log says of each occurrence of a plan, before the clock is read against it: the
//! events recorded up to an instant, grouped by occurrence and folded in the order recorded.
//! [`super::Reading`] reads a fold against `now`; a fold of the whole log holds for every
//! `now` after its last event, so the cache keeps it (`cache::fold`) until the log, the plan
//! or the approved versions change.

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::event::{Action, Event};
use super::status::effective;
use crate::compile::Plan;

/// One occurrence's events, folded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fold {
    /// The completion date reported, unless a rejection took it back.
    pub done_on: Option<NaiveDate>,
    /// The due date of the last approved move.
    pub moved_to: Option<NaiveDate>,
    /// As the last report of partial work gave it (which may give none).
    pub percent: Option<u8>,
    pub cancelled: bool,
    /// Снято с контроля.
    pub accepted: bool,
    /// The reason it was reported not done, and the reason a report was rejected: places in
    /// [`Folded::texts`].
    pub not_done_reason: Option<u32>,
    pub rejected_reason: Option<u32>,
    /// How many events are about it.
    pub events: u32,
}

impl Fold {
    /// Folds in the `k`-th event's `action`, after those before it.
    fn absorb(&mut self, k: u32, action: &Action) {
        self.events += 1;
        match action {
            Action::Done { on } => {
                self.done_on = Some(*on);
                self.rejected_reason = None;
            }
            Action::Partial { percent } => self.percent = *percent,
            Action::NotDone { .. } => self.not_done_reason = Some(k),
            Action::Cancelled { .. } => self.cancelled = true,
            Action::Moved { to, .. } => self.moved_to = Some(*to),
            Action::Accepted => self.accepted = true,
            Action::Rejected { .. } => {
                self.done_on = None;
                self.accepted = false;
                self.rejected_reason = Some(k);
            }
            Action::Value { .. } | Action::Correction { .. } => {}
        }
    }
}

/// The fold of every occurrence of a plan, by position, and the events about none of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Folded<'t> {
    pub each: Cow<'t, [Fold]>,
    /// The reasons the folds name, each once.
    pub texts: Vec<&'t str>,
    /// Events about occurrences the plan does not have; kept, never dropped.
    pub orphans: Vec<i64>,
    /// Events about occurrences an approved amendment removed.
    pub removed: Vec<i64>,
}

impl<'t> Folded<'t> {
    /// The text at `place` among [`Folded::texts`].
    pub fn text(&self, place: Option<u32>) -> Option<&'t str> {
        place.and_then(|at| self.texts.get(at as usize)).copied()
    }
}

/// A fold that owns its texts (read back from where it was kept).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeptFold {
    pub each: Vec<Fold>,
    pub texts: Vec<String>,
    pub orphans: Vec<i64>,
    pub removed: Vec<i64>,
}

impl KeptFold {
    pub fn folded(&self) -> Folded<'_> {
        Folded {
            each: Cow::Borrowed(&self.each),
            texts: self.texts.iter().map(String::as_str).collect(),
            orphans: self.orphans.clone(),
            removed: self.removed.clone(),
        }
    }
}

/// Folds the events of `events` recorded up to `now` into the occurrences of `plan`.
pub fn fold<'e>(plan: &Plan, events: &'e [Event], now: DateTime<FixedOffset>) -> Folded<'e> {
    let live = effective(events, now);
    // Events grouped by occurrence without an allocation per occurrence: (occurrence, position)
    // pairs, counted into place. Events about occurrences the plan does not have are orphans.
    let located: Vec<Option<usize>> =
        live.par_iter().map(|e| e.event.occurrence.as_deref().and_then(|o| plan.position(o))).collect();
    let mut pairs: Vec<(usize, usize)> = Vec::with_capacity(live.len());
    let (mut orphans, mut removed_by_order) = (Vec::new(), Vec::new());
    for (k, (e, at)) in live.iter().zip(located).enumerate() {
        match at {
            Some(i) => pairs.push((i, k)),
            None if removed(e) && !matches!(e.event.action, Action::Correction { .. }) => removed_by_order.push(e.id),
            None if e.event.occurrence.is_some() && !matches!(e.event.action, Action::Correction { .. }) => {
                orphans.push(e.id)
            }
            None => {}
        }
    }
    let (start, by_occurrence) = bucket(&pairs, plan.occurrences.len());
    // Independent per occurrence: spread over the cores, written in place. A reason is first
    // the number of its event, then its place among the texts.
    let mut each = Vec::with_capacity(plan.occurrences.len());
    (0..plan.occurrences.len())
        .into_par_iter()
        .map(|i| {
            let mut fold = Fold::default();
            for &k in &by_occurrence[start[i]..start[i + 1]] {
                fold.absorb(k as u32, &live[k].event.action);
            }
            fold
        })
        .collect_into_vec(&mut each);
    let mut places: FxHashMap<&str, u32> = FxHashMap::default();
    let mut texts: Vec<&'e str> = Vec::new();
    let mut place = |k: &mut Option<u32>| {
        let Some(event) = *k else { return };
        let reason = match &live[event as usize].event.action {
            Action::NotDone { reason } | Action::Rejected { reason } => reason.as_str(),
            _ => "",
        };
        *k = Some(*places.entry(reason).or_insert_with(|| {
            texts.push(reason);
            texts.len() as u32 - 1
        }));
    };
    for fold in each.iter_mut().filter(|f| f.not_done_reason.is_some() || f.rejected_reason.is_some()) {
        place(&mut fold.not_done_reason);
        place(&mut fold.rejected_reason);
    }
    Folded { each: Cow::Owned(each), texts, orphans, removed: removed_by_order }
}

/// An event whose occurrence an approved amendment removed.
pub(super) fn removed(e: &Event) -> bool {
    e.carried.as_ref().is_some_and(|c| c.rule == crate::store::Rule::Removed)
}

/// Groups event positions by occurrence in linear time, keeping their order within one
/// occurrence (a counting sort: the key range is the plan's length). Occurrence `i`'s events
/// are `events[start[i]..start[i + 1]]`.
fn bucket(pairs: &[(usize, usize)], n: usize) -> (Vec<usize>, Vec<usize>) {
    let mut start = vec![0usize; n + 1];
    for &(i, _) in pairs {
        start[i + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut next = start.clone();
    let mut events = vec![0; pairs.len()];
    for &(i, k) in pairs {
        events[next[i]] = k;
        next[i] += 1;
    }
    (start, events)
}

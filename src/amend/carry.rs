//! Where the reports of one version's occurrences go in the next (docs/amendments.md, section 4).
//!
//! The rule, for every occurrence of the old version whose id the new version no longer has:
//! take the same activity in the new version (by id, or as the diff matched it when renumbered),
//! the same executor (the `for_each` member; none for joint work), and the same position in that
//! executor's series of due dates. That occurrence takes its reports. When there is none (the
//! activity removed, the series shortened, the member gone), the occurrence is removed by the
//! order and its reports stay with it.

use std::collections::{HashMap, HashSet};

use super::Snapshot;
use super::diff::Diff;
use crate::compile::Occurrence;
use crate::store::{Carry, Rule};

/// The carries from `before` to `after`, given their diff.
pub fn carries(before: &Snapshot, after: &Snapshot, diff: &Diff) -> Vec<Carry> {
    let kept: HashSet<&str> = after.plan.occurrences.iter().map(|o| o.id.as_str()).collect();
    let named: HashMap<String, (String, String)> =
        super::diff::activities(before).into_iter().map(|a| (a.id, (a.point, a.title))).collect();
    let new_series = series(after);
    let mut out = Vec::new();
    for ((activity, executor), olds) in series(before) {
        let target = diff.matched.get(activity).and_then(|to| new_series.get(&(to.as_str(), executor)));
        let renamed = diff.matched.get(activity).is_some_and(|to| to != activity);
        let (point, title) = named.get(activity).cloned().unwrap_or_default();
        for (k, old) in olds.iter().enumerate() {
            if kept.contains(old.id.as_str()) {
                continue;
            }
            let carry = match target.and_then(|news| news.get(k)) {
                Some(new) => Carry {
                    from: old.id.clone(),
                    to: Some(new.id.clone()),
                    rule: if renamed { Rule::Renumbered } else { Rule::Moved },
                    point: point.clone(),
                    title: title.clone(),
                },
                None => Carry {
                    from: old.id.clone(),
                    to: None,
                    rule: Rule::Removed,
                    point: point.clone(),
                    title: title.clone(),
                },
            };
            out.push(carry);
        }
    }
    out.sort_by(|a, b| a.from.cmp(&b.from));
    out
}

/// The roadmap's occurrences by (activity id, executor for per-executor work), each series in
/// order of due date.
fn series(snapshot: &Snapshot) -> HashMap<(&str, Option<&str>), Vec<&Occurrence>> {
    let unit = snapshot.unit();
    let mut out: HashMap<(&str, Option<&str>), Vec<&Occurrence>> = HashMap::new();
    for o in snapshot.plan.occurrences.iter().filter(|o| o.unit == snapshot.unit) {
        out.entry((unit.tasks[o.task].id.as_str(), o.executor())).or_default().push(o);
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| (a.due_date, &a.id).cmp(&(b.due_date, &b.id)));
    }
    out
}

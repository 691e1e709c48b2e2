//! Slack and the critical path. Each roadmap's final date is its latest due date. Working
//! backwards from dependents: an occurrence must be done by the due date of each absolute
//! dependent, and — for a dependent whose deadline is counted from it ("в течение N дней
//! после") — early enough that the dependent still meets its own latest date. Slack is that
//! latest date minus the planned due date, in days. The critical path is the chain of relative
//! deadlines ending at the final date: delaying any of it by a day moves the final date.

use chrono::NaiveDate;

use super::Occurrence;
use super::occurrences::OfTask;

/// `of_task` is where each activity's occurrences are.
pub fn mark(order: &[(usize, usize)], occurrences: &mut [Occurrence], of_task: &OfTask) {
    let dependents = Dependents::of(occurrences);
    let units = occurrences.iter().map(|o| o.unit + 1).max().unwrap_or(0);
    let mut finals: Vec<Option<NaiveDate>> = vec![None; units];
    for o in occurrences.iter() {
        let f = finals[o.unit].get_or_insert(o.due_date);
        *f = (*f).max(o.due_date);
    }
    let final_of = |o: &Occurrence| finals[o.unit].unwrap_or(o.due_date);
    // Dependents come later in topological order, so walk it backwards.
    let mut latest: Vec<NaiveDate> = occurrences.iter().map(|o| final_of(o).max(o.due_date)).collect();
    for key in order.iter().rev() {
        for i in of_task.get(key).cloned().unwrap_or_default() {
            let mut lf = latest[i];
            for &(d, counted) in dependents.at(i) {
                let dep = &occurrences[d];
                let limit = if counted {
                    let lag = dep.due_date - occurrences[i].due_date;
                    latest[d] - lag
                } else {
                    dep.due_date.max(occurrences[i].due_date)
                };
                lf = lf.min(limit);
            }
            latest[i] = lf;
            occurrences[i].slack_days = (lf - occurrences[i].due_date).num_days();
        }
    }
    // The critical chain: from each roadmap's final occurrences back through relative links.
    let mut stack: Vec<usize> =
        (0..occurrences.len()).filter(|&i| occurrences[i].due_date == final_of(&occurrences[i])).collect();
    while let Some(i) = stack.pop() {
        if occurrences[i].critical {
            continue;
        }
        occurrences[i].critical = true;
        if occurrences[i].relative {
            stack.extend(&occurrences[i].depends_on[..occurrences[i].counted_from]);
        }
    }
}

/// The dependents of each occurrence, marked when their due date is counted from it: one list
/// for all (occurrence `i`'s are `list[start[i]..start[i + 1]]`), not a list each.
struct Dependents {
    start: Vec<usize>,
    list: Vec<(usize, bool)>,
}

impl Dependents {
    fn of(occurrences: &[Occurrence]) -> Dependents {
        let mut start = vec![0; occurrences.len() + 1];
        for o in occurrences {
            for &p in &o.depends_on {
                start[p + 1] += 1;
            }
        }
        for i in 0..occurrences.len() {
            start[i + 1] += start[i];
        }
        let mut next = start.clone();
        let mut list = vec![(0, false); start[occurrences.len()]];
        for (i, o) in occurrences.iter().enumerate() {
            for (k, &p) in o.depends_on.iter().enumerate() {
                list[next[p]] = (i, k < o.counted_from);
                next[p] += 1;
            }
        }
        Dependents { start, list }
    }

    fn at(&self, i: usize) -> &[(usize, bool)] {
        &self.list[self.start[i]..self.start[i + 1]]
    }
}

//! Slack and the critical path. Each roadmap's final date is its latest due date. Working
//! backwards from dependents: an occurrence must be done by the due date of each absolute
//! dependent, and — for a dependent whose deadline is counted from it ("в течение N дней
//! после") — early enough that the dependent still meets its own latest date. Slack is that
//! latest date minus the planned due date, in days. The critical path is the chain of relative
//! deadlines ending at the final date: delaying any of it by a day moves the final date.

use chrono::NaiveDate;

use super::Occurrence;
use super::occurrences::OfTask;

/// `depends[i]` are the positions of `occurrences[i].depends_on`; `of_task` where each
/// activity's occurrences are.
pub fn mark(order: &[(usize, usize)], occurrences: &mut [Occurrence], depends: &[Vec<usize>], of_task: &OfTask) {
    // Dependents of each occurrence, marked when their due date is counted from it.
    let mut dependents: Vec<Vec<(usize, bool)>> = vec![Vec::new(); occurrences.len()];
    for (i, (o, deps)) in occurrences.iter().zip(depends).enumerate() {
        for (k, &p) in deps.iter().enumerate() {
            dependents[p].push((i, k < o.counted_from));
        }
    }
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
            for &(d, counted) in &dependents[i] {
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
            stack.extend(&depends[i][..occurrences[i].counted_from]);
        }
    }
}

//! Slack and the critical path. Each roadmap's final date is its latest due date. Working
//! backwards from dependents: an occurrence must be done by the due date of each absolute
//! dependent, and — for a dependent whose deadline is counted from it ("в течение N дней
//! после") — early enough that the dependent still meets its own latest date. Slack is that
//! latest date minus the planned due date, in days. The critical path is the chain of relative
//! deadlines ending at the final date: delaying any of it by a day moves the final date.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::Occurrence;

pub fn mark(order: &[(usize, usize)], occurrences: &mut [Occurrence]) {
    let index: HashMap<String, usize> = occurrences.iter().enumerate().map(|(i, o)| (o.id.clone(), i)).collect();
    // Dependents of each occurrence, marked when their due date is counted from it.
    let mut dependents: Vec<Vec<(usize, bool)>> = vec![Vec::new(); occurrences.len()];
    for (i, o) in occurrences.iter().enumerate() {
        for (k, d) in o.depends_on.iter().enumerate() {
            if let Some(&p) = index.get(d) {
                dependents[p].push((i, k < o.counted_from));
            }
        }
    }
    let mut finals: HashMap<usize, NaiveDate> = HashMap::new();
    for o in occurrences.iter() {
        let f = finals.entry(o.unit).or_insert(o.due_date);
        *f = (*f).max(o.due_date);
    }
    let mut by_task: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (i, o) in occurrences.iter().enumerate() {
        by_task.entry((o.unit, o.task)).or_default().push(i);
    }
    // Dependents come later in topological order, so walk it backwards.
    let mut latest: Vec<NaiveDate> = occurrences.iter().map(|o| finals[&o.unit].max(o.due_date)).collect();
    for key in order.iter().rev() {
        for &i in by_task.get(key).map(Vec::as_slice).unwrap_or_default() {
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
        (0..occurrences.len()).filter(|&i| occurrences[i].due_date == finals[&occurrences[i].unit]).collect();
    while let Some(i) = stack.pop() {
        if occurrences[i].critical {
            continue;
        }
        occurrences[i].critical = true;
        if occurrences[i].relative {
            let counted = occurrences[i].counted_from;
            stack.extend(occurrences[i].depends_on[..counted].iter().filter_map(|d| index.get(d).copied()));
        }
    }
}

//! Dated occurrences of every activity, and the links between them.
//!
//! Matching rule (documented in docs/format.md): an occurrence of activity A depends on the
//! occurrences of each prerequisite B that fall due last on or before A's due date — so in a
//! weekly chain day 1 → day 5, the Friday of a week depends on the Tuesday of the same week,
//! and a monthly week-2 task on week 1 of the same month. When no occurrence of B is due by
//! then, A depends on B's first occurrence (and gets a warning). Per-executor work matches the
//! same executor when B is also per-executor; joint work after per-executor work depends on
//! every executor's occurrence of that date.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use chrono::{Days, NaiveDate};

use super::{Actuals, Occurrence};
use crate::calendar::{Calendar, due_instant};
use crate::check::{Task, Unit, Workspace};
use crate::deadline::{Occurrence as DeadlineDate, Spec};
use crate::diag::{Code, Diagnostic};
use crate::msg;

pub struct Built {
    pub occurrences: Vec<Occurrence>,
    /// The positions in `occurrences` of each occurrence's `depends_on`, in the same order.
    pub depends: Vec<Vec<usize>>,
    /// The occurrences of each activity: one run of positions, made together.
    pub of_task: OfTask,
    pub warnings: Vec<Diagnostic>,
}

/// Where the occurrences of each (roadmap, activity) are.
pub type OfTask = FxHashMap<(usize, usize), Range<usize>>;

/// Activities by workspace key (`roadmap/activity`).
pub type ByKey = FxHashMap<String, (usize, usize)>;

pub fn build(
    workspace: &Workspace,
    calendar: &Calendar,
    actuals: &dyn Actuals,
    order: &[(usize, usize)],
    by_key: &ByKey,
) -> Built {
    let mut warnings = Vec::new();
    // Absolute deadlines depend on nothing but their own phrase: their dates are expanded on
    // all cores, and their occurrences written on all cores straight into the one list, each
    // activity's together (a million occurrences are never copied as the list grows).
    let dated: Vec<Dated> = order
        .par_iter()
        .filter_map(|&(u, t)| {
            let unit = &workspace.units[u];
            let task = &unit.tasks[t];
            match &task.spec {
                Some(Spec::Relative(_)) | None => None,
                Some(spec) => Some(Dated::of(unit, task, (u, t), spec, calendar)),
            }
        })
        .collect();
    let mut of_task = OfTask::default();
    let mut slots: Vec<(u32, u32, u32)> = Vec::new();
    for (d, dates) in dated.iter().enumerate() {
        let (u, t) = dates.at;
        let unit = &workspace.units[u];
        let task = &unit.tasks[t];
        if dates.dates.is_empty() && matches!(task.spec, Some(Spec::Recurring(_))) {
            warnings.push(unit.at(
                Diagnostic::warning(
                    Code::NoOccurrences,
                    msg!("у повторяющегося мероприятия `{}` нет ни одного срока в периоде", task.id;
                    "recurring activity `{}` has no occurrence in the period", task.id),
                ),
                &format!("{}/due", task.pointer),
            ));
        }
        let start = slots.len();
        for k in 0..dates.dates.len() {
            slots.extend((0..dates.who.len()).map(|w| (d as u32, k as u32, w as u32)));
        }
        of_task.insert((u, t), start..slots.len());
    }
    // Relative deadlines are counted from their prerequisite's occurrences, in topological
    // order, after all the absolute ones: at most one per occurrence of the prerequisite and
    // executor, so the room for them is known too.
    let mut bound: FxHashMap<(usize, usize), usize> = of_task.iter().map(|(k, r)| (*k, r.len())).collect();
    let mut relative_total = 0;
    for &(u, t) in order {
        let unit = &workspace.units[u];
        let task = &unit.tasks[t];
        if let Some(Spec::Relative(r)) = &task.spec {
            let prereq = by_key.get(&qualify(unit, &r.after)).and_then(|k| bound.get(k)).copied().unwrap_or(0);
            let n = prereq * task.each.len().max(1);
            bound.insert((u, t), n);
            relative_total += n;
        }
    }
    drop(bound);
    let mut out: Vec<Occurrence> = Vec::with_capacity(slots.len() + relative_total);
    out.par_extend(slots.par_iter().map(|&(d, k, w)| {
        let dates = &dated[d as usize];
        dates.occurrence(&workspace.units[dates.at.0], k, w)
    }));
    drop((slots, dated));
    let mut depends: Vec<Vec<usize>> = vec![Vec::new(); out.len()];
    for &(u, t) in order {
        let unit = &workspace.units[u];
        let task = &unit.tasks[t];
        let Some(Spec::Relative(r)) = &task.spec else { continue };
        let prereq = by_key.get(&qualify(unit, &r.after)).and_then(|k| of_task.get(k)).cloned().unwrap_or_default();
        let made = relative(unit, task, (u, t), prereq, &out, r, calendar, actuals);
        if let Some((late, _)) = made.iter().find(|(o, _)| o.due_date > unit.period.to) {
            let (d, end) = (late.due_date.format("%d.%m.%Y"), unit.period.to.format("%d.%m.%Y"));
            warnings.push(unit.at(
                Diagnostic::warning(
                    Code::OutsidePeriod,
                    msg!("срок `{}` ({}), отсчитанный от `{}`, выходит за конец периода ({})", task.id, d, r.after, end;
                    "`{}` ({}), counted from `{}`, falls after the period ends ({})", task.id, d, r.after, end),
                ),
                &format!("{}/due", task.pointer),
            ));
        }
        let start = out.len();
        for (o, d) in made {
            out.push(o);
            depends.push(d);
        }
        of_task.insert((u, t), start..out.len());
    }
    link(workspace, &mut out, &mut depends, &of_task, by_key, &mut warnings);
    warnings.extend(no_email(workspace, &of_task));
    Built { occurrences: out, depends, of_task, warnings }
}

fn qualify(unit: &Unit, dep: &str) -> String {
    if dep.contains('/') { dep.to_string() } else { format!("{}/{dep}", unit.id) }
}

/// The dates of an activity with its own deadline, and who does it.
struct Dated {
    at: (usize, usize),
    key: Arc<str>,
    who: Vec<Responsible>,
    /// Each date, with its id (`roadmap/activity@date`, `#n` for the n-th on the same date).
    dates: Vec<(DeadlineDate, String)>,
}

impl Dated {
    fn of(unit: &Unit, task: &Task, at: (usize, usize), spec: &Spec, calendar: &Calendar) -> Dated {
        let key: Arc<str> = task.key(unit).into();
        let mut seen: FxHashMap<NaiveDate, usize> = FxHashMap::default();
        let dates = spec
            .occurrences(unit.period, calendar, task.shift)
            .into_iter()
            .map(|o| {
                let n = seen.entry(o.due).or_insert(0);
                *n += 1;
                let suffix = if *n > 1 { format!("#{n}") } else { String::new() };
                let base = format!("{key}@{}{suffix}", o.due);
                (o, base)
            })
            .collect();
        Dated { at, key, who: responsible(task), dates }
    }

    /// The occurrence of date `k` for responsible `w`.
    fn occurrence(&self, unit: &Unit, k: u32, w: u32) -> Occurrence {
        let (o, base) = &self.dates[k as usize];
        let who = self.who[w as usize].clone();
        occurrence(unit, &self.key, self.at, base.clone(), who, (o.opens, o.due, o.time), Vec::new(), false)
    }
}

/// One occurrence of `task` for `who`, named `base` (+ `/executor`), due at the end of the day
/// (or `time`) in the executor's time zone.
#[allow(clippy::too_many_arguments)]
fn occurrence(
    unit: &Unit,
    key: &Arc<str>,
    at: (usize, usize),
    base: String,
    who: Responsible,
    (opens, due_date, time): (NaiveDate, NaiveDate, Option<chrono::NaiveTime>),
    depends_on: Vec<String>,
    relative: bool,
) -> Occurrence {
    let (executor, executors, member) = who;
    let tz = executor.as_deref().map_or(unit.tz, |e| unit.zone_of(e));
    let id = match &executor {
        Some(e) => format!("{base}/{e}"),
        None => base,
    };
    Occurrence {
        id,
        unit: at.0,
        task: at.1,
        key: Arc::clone(key),
        opens,
        due_date,
        due: due_instant(due_date, time, tz),
        tz,
        time,
        executor,
        member,
        executors,
        counted_from: if relative { depends_on.len() } else { 0 },
        depends_on,
        relative,
        slack_days: 0,
        critical: false,
    }
}

/// Who does an occurrence: (the executor of per-executor work, the responsible, member position).
type Responsible = (Option<String>, Arc<[String]>, Option<u16>);

/// (executor, responsible, member position) triples: one per member for `for_each`, one joint otherwise.
fn responsible(task: &Task) -> Vec<Responsible> {
    if task.each.is_empty() {
        vec![(None, Arc::from(task.executors.as_slice()), None)]
    } else {
        task.each
            .iter()
            .enumerate()
            .map(|(i, e)| (Some(e.clone()), Arc::from([e.clone()]), u16::try_from(i).ok()))
            .collect()
    }
}

/// Occurrences of "в течение N дней после X": one per date of X, counted from X's actual
/// completion when reported, else from its due date.
#[allow(clippy::too_many_arguments)]
fn relative(
    unit: &Unit,
    task: &Task,
    at: (usize, usize),
    prereq: Range<usize>,
    all: &[Occurrence],
    r: &crate::deadline::Relative,
    calendar: &Calendar,
    actuals: &dyn Actuals,
) -> Vec<(Occurrence, Vec<usize>)> {
    let mut by_date: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
    for i in prereq {
        by_date.entry(all[i].due_date).or_default().push(i);
    }
    let key: Arc<str> = task.key(unit).into();
    let mut out = Vec::new();
    for (date, group) in by_date {
        let finish = |o: &Occurrence| actuals.completed(&o.id).unwrap_or(o.due_date);
        for who in responsible(task) {
            let executor = &who.0.clone();
            // Joint work waits for every executor's part; one executor's work for its own part (or joint work).
            let mine: Vec<usize> = group
                .iter()
                .copied()
                .filter(|&i| executor.is_none() || all[i].executor.is_none() || all[i].executor == *executor)
                .collect();
            let from = mine.iter().map(|&i| finish(&all[i])).max().unwrap_or(date);
            let due = if r.working {
                calendar.add_working_days(from, r.days)
            } else {
                from.checked_add_days(Days::new(u64::from(r.days))).unwrap_or(from)
            };
            let due = calendar.shift(due, task.shift);
            // Named by the prerequisite's stable id date, not its (possibly moving) due date.
            let stable = group
                .first()
                .and_then(|&i| all[i].id.split('@').nth(1))
                .map_or_else(|| date.to_string(), |d| d.chars().take(10).collect());
            let base = format!("{key}@{stable}");
            let depends_on = mine.iter().map(|&i| all[i].id.clone()).collect();
            out.push((occurrence(unit, &key, at, base, who, (from, due, None), depends_on, true), mine));
        }
    }
    out
}

/// Fills `depends_on` by the matching rule and warns about activities due before their prerequisites.
fn link(
    workspace: &Workspace,
    out: &mut [Occurrence],
    depends: &mut [Vec<usize>],
    of_task: &OfTask,
    by_key: &ByKey,
    warnings: &mut Vec<Diagnostic>,
) {
    let mut warned = HashSet::new();
    for i in 0..out.len() {
        let (u, t) = (out[i].unit, out[i].task);
        let unit = &workspace.units[u];
        let task = &unit.tasks[t];
        // A relative occurrence already depends on the occurrence it counts from.
        let counted_from = match &task.spec {
            Some(Spec::Relative(r)) if out[i].relative => Some(qualify(unit, &r.after)),
            _ => None,
        };
        let mut deps = std::mem::take(&mut out[i].depends_on);
        for (a, dep) in task.after.iter().enumerate() {
            if counted_from.as_deref() == Some(dep.as_str()) {
                continue;
            }
            let Some(candidates) = by_key.get(dep).and_then(|k| of_task.get(k)) else { continue };
            let me = &out[i];
            let same_executor: Vec<usize> =
                candidates.clone().filter(|&c| out[c].executor.is_some() && out[c].executor == me.executor).collect();
            let pool: Vec<usize> = if same_executor.is_empty() { candidates.clone().collect() } else { same_executor };
            let before = pool.iter().filter(|&&c| out[c].due_date <= me.due_date).map(|&c| out[c].due_date).max();
            let chosen = match before {
                Some(d) => d,
                None => {
                    let Some(first) = pool.iter().map(|&c| out[c].due_date).min() else { continue };
                    if warned.insert((u, t, a)) {
                        // The prerequisite as the author wrote it: bare within the same roadmap.
                        let shown = dep.strip_prefix(&format!("{}/", unit.id)).unwrap_or(dep);
                        warnings.push(unit.at(
                            Diagnostic::warning(
                                Code::DueBeforePrerequisite,
                                msg!(
                                "срок `{}` ({}) наступает раньше срока предшествующего `{}` ({})",
                                task.id, me.due_date.format("%d.%m.%Y"), shown, first.format("%d.%m.%Y");
                                "`{}` is due ({}) before its prerequisite `{}` ({})",
                                task.id, me.due_date.format("%d.%m.%Y"), shown, first.format("%d.%m.%Y")),
                            ),
                            &format!("{}/after/{a}", task.pointer),
                        ));
                    }
                    first
                }
            };
            for c in pool.into_iter().filter(|&c| out[c].due_date == chosen) {
                deps.push(out[c].id.clone());
                depends[i].push(c);
            }
        }
        out[i].depends_on = deps;
    }
}

/// One warning per roadmap listing executors with deadlines but no e-mail for reminders.
fn no_email(workspace: &Workspace, of_task: &OfTask) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    // Per activity with occurrences, not per occurrence: joint work of a thousand districts
    // repeats the same thousand executors in every occurrence.
    let mut missing_of: Vec<Vec<&str>> = vec![Vec::new(); workspace.units.len()];
    let mut with_occurrences: Vec<(usize, usize)> =
        of_task.iter().filter(|(_, range)| !range.is_empty()).map(|(at, _)| *at).collect();
    with_occurrences.sort_unstable();
    for (u, t) in with_occurrences {
        let unit = &workspace.units[u];
        let task = &unit.tasks[t];
        for e in task.doers() {
            let has_mail = unit
                .executors
                .get(e)
                .is_some_and(|x| x.email.is_some() || x.head.as_ref().is_some_and(|h| h.email.is_some()));
            if !has_mail && !missing_of[u].contains(&e.as_str()) {
                missing_of[u].push(e);
            }
        }
    }
    for (unit, missing) in workspace.units.iter().zip(missing_of) {
        if missing.is_empty() {
            continue;
        }
        let n = missing.len();
        let shown = missing.iter().take(6).copied().collect::<Vec<_>>().join(", ");
        let more = if n > 6 { format!(" и ещё {}", n - 6) } else { String::new() };
        let more_en = if n > 6 { format!(" and {} more", n - 6) } else { String::new() };
        warnings.push(unit.at(
            Diagnostic::warning(Code::NoEmail, msg!("у {} {} со сроками нет e-mail, напоминания до них не дойдут: {}{}",
                n, crate::diag::plural(n as u64, ["исполнителя", "исполнителей", "исполнителей"]), shown, more;
                "{} executor(s) with deadlines have no e-mail, reminders cannot reach them: {}{}", n, shown, more_en))
            .hint(msg!("добавьте `email:` исполнителю или его руководителю (`head:`)"; "add an `email:` to the executor or its `head:`")),
            "/id",
        ));
    }
    warnings
}

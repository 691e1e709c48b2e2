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

use chrono::NaiveDate;

use super::{Actuals, Occurrence, Warning};
use crate::calendar::{Calendar, due_instant};
use crate::check::{Task, Unit, Workspace};
use crate::deadline::{Occurrence as DeadlineDate, Spec};
use crate::diag::{Code, Diagnostic};
use crate::msg;

pub struct Built {
    /// Each with `depends_on` as positions in this list.
    pub occurrences: Vec<Occurrence>,
    /// The occurrences of each activity: one run of positions, made together.
    pub of_task: OfTask,
    pub warnings: Vec<Warning>,
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
                Some(spec) if spec.counted_from().is_some() => None,
                None => None,
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
            warnings.push(Warning::at(
                (u, unit),
                Diagnostic::warning(
                    Code::NoOccurrences,
                    msg!("у повторяющегося мероприятия `{}` нет ни одного срока в периоде", task.id;
                    "recurring activity `{}` has no occurrence in the period", task.id),
                ),
                format!("{}/due", task.pointer),
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
        if let Some((_, after)) = task.spec.as_ref().and_then(Spec::counted_from) {
            let prereq = by_key.get(&qualify(unit, after)).and_then(|k| bound.get(k)).copied().unwrap_or(0);
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
    // A relative deadline counted from another relative one waits for it: they are made level
    // by level, each level's activities on all cores, each activity's occurrences together.
    for level in relative_levels(workspace, order, by_key) {
        let made: Vec<Vec<Occurrence>> = level
            .par_iter()
            .map(|c| {
                let (u, t) = c.at;
                let prereq = c.from.and_then(|k| of_task.get(&k)).cloned().unwrap_or_default();
                let unit = &workspace.units[u];
                relative(unit, &unit.tasks[t], c.at, prereq, &out, c.rule, calendar, actuals)
            })
            .collect();
        for (c, made) in level.iter().zip(made) {
            let unit = &workspace.units[c.at.0];
            let task = &unit.tasks[c.at.1];
            if let Some(late) = made.iter().find(|o| o.due_date > unit.period.to) {
                let (d, end, after) = (late.due_date.format("%d.%m.%Y"), unit.period.to.format("%d.%m.%Y"), c.after);
                warnings.push(Warning::at(
                    (c.at.0, unit),
                    Diagnostic::warning(
                        Code::OutsidePeriod,
                        msg!("срок `{}` ({}), отсчитанный от `{}`, выходит за конец периода ({})", task.id, d, after, end;
                        "`{}` ({}), counted from `{}`, falls after the period ends ({})", task.id, d, after, end),
                    ),
                    format!("{}/due", task.pointer),
                ));
            }
            let start = out.len();
            out.extend(made);
            of_task.insert(c.at, start..out.len());
        }
    }
    link(workspace, &mut out, &of_task, by_key, &mut warnings);
    warnings.extend(no_email(workspace, &of_task));
    Built { occurrences: out, of_task, warnings }
}

/// An activity whose deadline is counted from another's.
struct Counted<'a> {
    at: (usize, usize),
    rule: &'a crate::deadline::Relative,
    /// The id of the activity it counts from, as written.
    after: &'a str,
    /// The activity it counts from, when the workspace has it.
    from: Option<(usize, usize)>,
}

/// The activities with relative deadlines, in topological order, by level: the first level
/// counts from activities with deadlines of their own, each next one from the level before.
fn relative_levels<'a>(workspace: &'a Workspace, order: &[(usize, usize)], by_key: &ByKey) -> Vec<Vec<Counted<'a>>> {
    let mut level_of: FxHashMap<(usize, usize), usize> = FxHashMap::default();
    let mut levels: Vec<Vec<_>> = Vec::new();
    for &at in order {
        let unit = &workspace.units[at.0];
        let Some((rule, after)) = unit.tasks[at.1].spec.as_ref().and_then(Spec::counted_from) else { continue };
        let from = by_key.get(&qualify(unit, after)).copied();
        let level = from.and_then(|k| level_of.get(&k)).map_or(0, |l| l + 1);
        level_of.insert(at, level);
        if levels.len() <= level {
            levels.resize_with(level + 1, Vec::new);
        }
        levels[level].push(Counted { at, rule, after, from });
    }
    levels
}

fn qualify(unit: &Unit, dep: &str) -> String {
    if dep.contains('/') { dep.to_string() } else { format!("{}/{dep}", unit.id) }
}

/// The dates of an activity with its own deadline, and who does it.
struct Dated {
    at: (usize, usize),
    key: Arc<str>,
    who: Vec<Responsible>,
    /// Each date, with its place among those on the same date (`#n` in the id from the second).
    dates: Vec<(DeadlineDate, u32)>,
}

impl Dated {
    fn of(unit: &Unit, task: &Task, at: (usize, usize), spec: &Spec, calendar: &Calendar) -> Dated {
        let key: Arc<str> = task.key(unit).into();
        let mut seen: FxHashMap<NaiveDate, u32> = FxHashMap::default();
        let dates = spec
            .occurrences_from(unit.period, unit.act_date(), calendar, task.shift)
            .into_iter()
            .map(|o| {
                let n = seen.entry(o.due).or_insert(0);
                *n += 1;
                (o, *n)
            })
            .collect();
        Dated { at, key, who: responsible(task), dates }
    }

    /// The occurrence of date `k` for responsible `w`: `roadmap/activity@date`, `#n` for the
    /// n-th on the same date.
    fn occurrence(&self, unit: &Unit, k: u32, w: u32) -> Occurrence {
        let (o, n) = &self.dates[k as usize];
        let who = self.who[w as usize].clone();
        let base = format_args!("{}@{}{}", self.key, o.due, Nth(*n));
        occurrence(unit, &self.key, self.at, base, who, (o.opens, o.due, o.time, o.zone), Vec::new(), false)
    }
}

/// The mark of the n-th occurrence on one date: none for the first, `#n` after.
struct Nth(u32);

impl std::fmt::Display for Nth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0 > 1 { write!(f, "#{}", self.0) } else { Ok(()) }
    }
}

/// One occurrence of `task` for `who`, named `base` (+ `/executor`), due at the end of the day
/// (or `time`) in the executor's time zone.
#[allow(clippy::too_many_arguments)]
fn occurrence(
    unit: &Unit,
    key: &Arc<str>,
    at: (usize, usize),
    base: std::fmt::Arguments<'_>,
    who: Responsible,
    (opens, due_date, time, zone): (NaiveDate, NaiveDate, Option<chrono::NaiveTime>, Option<chrono_tz::Tz>),
    depends_on: Vec<usize>,
    relative: bool,
) -> Occurrence {
    let (executor, executors, member) = who;
    // A time of day in Moscow time («12:00 по московскому времени») is due in Moscow, wherever the executor is.
    let tz = zone.unwrap_or_else(|| executor.as_deref().map_or(unit.tz, |e| unit.zone_of(e)));
    let id = match &executor {
        Some(e) => format!("{base}/{e}"),
        None => base.to_string(),
    };
    Occurrence {
        id,
        unit: at.0,
        task: at.1,
        key_len: key.len() as u32,
        opens,
        due_date,
        due: due_instant(due_date, time, tz),
        tz,
        time,
        // `responsible` gives per-executor work that executor alone as its list.
        own: executor.is_some(),
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
) -> Vec<Occurrence> {
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
                .filter(|&i| {
                    executor.is_none() || all[i].executor().is_none() || all[i].executor() == executor.as_deref()
                })
                .collect();
            let from = mine.iter().map(|&i| finish(&all[i])).max().unwrap_or(date);
            let due = calendar.shift(crate::deadline::counted(from, r, calendar), task.shift);
            // Named by the prerequisite's stable id date, not its (possibly moving) due date.
            let stable = group
                .first()
                .and_then(|&i| all[i].id.split('@').nth(1))
                .map_or_else(|| date.to_string(), |d| d.chars().take(10).collect());
            out.push(occurrence(
                unit,
                &key,
                at,
                format_args!("{key}@{stable}"),
                who,
                (from, due, None, None),
                mine,
                true,
            ));
        }
    }
    out
}

/// Fills `depends_on` by the matching rule and warns about activities due before their prerequisites.
fn link(workspace: &Workspace, out: &mut [Occurrence], of_task: &OfTask, by_key: &ByKey, warnings: &mut Vec<Warning>) {
    // Each occurrence's prerequisites are found on all cores, reading the list as it stands;
    // then written in, and the warnings given in the list's order.
    let found: Vec<Prerequisites> =
        out.par_iter().map(|me| prerequisites(workspace, me, out, of_task, by_key)).collect();
    let mut warned = HashSet::new();
    for (o, found) in out.iter_mut().zip(found) {
        o.depends_on.extend(found.chosen);
        let unit = &workspace.units[o.unit];
        let task = &unit.tasks[o.task];
        for (a, first) in found.early {
            if !warned.insert((o.unit, o.task, a)) {
                continue;
            }
            // The prerequisite as the author wrote it: bare within the same roadmap.
            let dep = &task.after[a];
            let shown = dep.strip_prefix(&format!("{}/", unit.id)).unwrap_or(dep);
            warnings.push(Warning::at(
                (o.unit, unit),
                Diagnostic::warning(
                    Code::DueBeforePrerequisite,
                    msg!(
                    "срок `{}` ({}) наступает раньше срока предшествующего `{}` ({})",
                    task.id, o.due_date.format("%d.%m.%Y"), shown, first.format("%d.%m.%Y");
                    "`{}` is due ({}) before its prerequisite `{}` ({})",
                    task.id, o.due_date.format("%d.%m.%Y"), shown, first.format("%d.%m.%Y")),
                ),
                format!("{}/after/{a}", task.pointer),
            ));
        }
    }
}

/// What the matching rule finds for one occurrence.
#[derive(Default)]
struct Prerequisites {
    /// Positions of the occurrences it depends on (beyond the one a relative deadline counts from).
    chosen: Vec<usize>,
    /// Prerequisites (by position in `after`) with nothing due by then: their first due date.
    early: Vec<(usize, NaiveDate)>,
}

fn prerequisites(
    workspace: &Workspace,
    me: &Occurrence,
    out: &[Occurrence],
    of_task: &OfTask,
    by_key: &ByKey,
) -> Prerequisites {
    let mut found = Prerequisites::default();
    let unit = &workspace.units[me.unit];
    let task = &unit.tasks[me.task];
    if task.after.is_empty() {
        return found;
    }
    // A relative occurrence already depends on the occurrence it counts from.
    let counted_from = match &task.spec {
        Some(spec) if me.relative => spec.counted_from().map(|(_, after)| qualify(unit, after)),
        _ => None,
    };
    for (a, dep) in task.after.iter().enumerate() {
        if counted_from.as_deref() == Some(dep.as_str()) {
            continue;
        }
        let Some(candidates) = by_key.get(dep).and_then(|k| of_task.get(k)) else { continue };
        let same_executor: Vec<usize> =
            candidates.clone().filter(|&c| out[c].executor().is_some() && out[c].executor() == me.executor()).collect();
        let pool: Vec<usize> = if same_executor.is_empty() { candidates.clone().collect() } else { same_executor };
        let before = pool.iter().filter(|&&c| out[c].due_date <= me.due_date).map(|&c| out[c].due_date).max();
        let chosen = match before {
            Some(d) => d,
            None => {
                let Some(first) = pool.iter().map(|&c| out[c].due_date).min() else { continue };
                found.early.push((a, first));
                first
            }
        };
        found.chosen.extend(pool.into_iter().filter(|&c| out[c].due_date == chosen));
    }
    found
}

/// One warning per roadmap listing executors with deadlines but no e-mail for reminders.
fn no_email(workspace: &Workspace, of_task: &OfTask) -> Vec<Warning> {
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
    for (u, (unit, missing)) in workspace.units.iter().zip(missing_of).enumerate() {
        if missing.is_empty() {
            continue;
        }
        let n = missing.len();
        let shown = missing.iter().take(6).copied().collect::<Vec<_>>().join(", ");
        let more = if n > 6 { format!(" и ещё {}", n - 6) } else { String::new() };
        let more_en = if n > 6 { format!(" and {} more", n - 6) } else { String::new() };
        warnings.push(Warning::at(
            (u, unit),
            Diagnostic::warning(Code::NoEmail, msg!("у {} {} со сроками нет e-mail, напоминания до них не дойдут: {}{}",
                n, crate::diag::plural(n as u64, ["исполнителя", "исполнителей", "исполнителей"]), shown, more;
                "{} executor(s) with deadlines have no e-mail, reminders cannot reach them: {}{}", n, shown, more_en))
            .hint(msg!("добавьте `email:` исполнителю или его руководителю (`head:`)"; "add an `email:` to the executor or its `head:`")),
            "/id".to_string(),
        ));
    }
    warnings
}

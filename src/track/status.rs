//! The state of every occurrence at an instant `now`, computed from the plan and the events
//! recorded up to `now` — so the same log answers for today, last Friday or the day of an
//! inspection. Pure: no store, no clock.

use std::collections::{HashMap, HashSet};

use rustc_hash::FxHashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use super::event::{Action, Event};
use crate::calendar::{Calendar, due_instant};
use crate::check::Workspace;
use crate::compile::{self, Occurrence, Plan, digest};
use crate::deadline::Spec;

/// Where an occurrence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// Not open yet.
    Planned,
    Open,
    /// Due within the reminder lead.
    DueSoon,
    Overdue {
        days: i64,
        working_days: i64,
    },
    DoneOnTime,
    DoneLate {
        days: i64,
    },
    Cancelled,
}

impl State {
    pub fn name(&self) -> &'static str {
        match self {
            State::Planned => "planned",
            State::Open => "open",
            State::DueSoon => "due_soon",
            State::Overdue { .. } => "overdue",
            State::DoneOnTime => "done_on_time",
            State::DoneLate { .. } => "done_late",
            State::Cancelled => "cancelled",
        }
    }

    pub fn is_done(&self) -> bool {
        matches!(self, State::DoneOnTime | State::DoneLate { .. })
    }

    /// Русское название для таблиц.
    pub fn ru(&self) -> String {
        match self {
            State::Planned => "запланировано".into(),
            State::Open => "в работе".into(),
            State::DueSoon => "срок скоро".into(),
            State::Overdue { days, .. } => {
                format!("просрочено на {days} {}", crate::diag::plural(*days as u64, ["день", "дня", "дней"]))
            }
            State::DoneOnTime => "выполнено в срок".into(),
            State::DoneLate { days } => format!(
                "выполнено с опозданием на {days} {}",
                crate::diag::plural(*days as u64, ["день", "дня", "дней"])
            ),
            State::Cancelled => "отменено".into(),
        }
    }
}

/// One occurrence at `now` (borrowing its names from the plan).
#[derive(Debug, Clone, Serialize)]
pub struct OccurrenceStatus<'a> {
    pub id: &'a str,
    #[serde(flatten)]
    pub state: State,
    pub roadmap: &'a str,
    pub activity: &'a str,
    pub executors: &'a [String],
    pub opens: NaiveDate,
    /// The due date in force (after an approved move).
    pub due_date: NaiveDate,
    pub due: DateTime<FixedOffset>,
    /// The originally planned due date, when a move was approved.
    pub original_due: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub percent: Option<u8>,
    pub not_done_reason: Option<String>,
    /// Снято с контроля.
    pub accepted: bool,
    pub rejected_reason: Option<String>,
    /// A prerequisite is overdue.
    pub at_risk: bool,
    /// For a relative deadline whose prerequisite is late: the due date it will move to.
    pub forecast_due: Option<NaiveDate>,
    pub events: usize,
}

/// How many occurrences are in each state (serialized as a map by state name).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts([usize; 7]);

const STATE_NAMES: [&str; 7] = ["planned", "open", "due_soon", "overdue", "done_on_time", "done_late", "cancelled"];

impl Counts {
    pub fn get(&self, state: &str) -> usize {
        STATE_NAMES.iter().position(|n| *n == state).map_or(0, |i| self.0[i])
    }

    fn add(&mut self, state: State) {
        let i = match state {
            State::Planned => 0,
            State::Open => 1,
            State::DueSoon => 2,
            State::Overdue { .. } => 3,
            State::DoneOnTime => 4,
            State::DoneLate { .. } => 5,
            State::Cancelled => 6,
        };
        self.0[i] += 1;
    }
}

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        for (name, n) in STATE_NAMES.iter().zip(self.0) {
            if n > 0 {
                map.serialize_entry(name, &n)?;
            }
        }
        map.end()
    }
}

/// Counts for a group of occurrences.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rollup {
    pub key: String,
    pub title: String,
    pub total: usize,
    pub states: Counts,
    pub at_risk: usize,
    /// Occurrences done, or past their due date (cancelled ones aside): the base of discipline.
    pub due: usize,
    pub done_on_time: usize,
    /// Исполнительская дисциплина: the share of those due that were done on time.
    pub discipline: Option<f64>,
}

/// The whole picture at `now`.
#[derive(Debug, Clone, Serialize)]
pub struct Report<'a> {
    pub now: DateTime<FixedOffset>,
    pub occurrences: Vec<OccurrenceStatus<'a>>,
    pub roadmaps: Vec<Rollup>,
    pub sections: Vec<Rollup>,
    pub activities: Vec<Rollup>,
    pub executors: Vec<Rollup>,
    pub total: Rollup,
    /// Activities without dated occurrences (постоянно, по мере необходимости).
    pub undated: Vec<(String, &'static str)>,
    /// Events about occurrences the roadmaps no longer have; kept, never dropped.
    pub orphans: Vec<i64>,
}

/// Reports per occurrence id, as of `now`, with superseded events removed.
pub fn effective(events: &[Event], now: DateTime<FixedOffset>) -> Vec<&Event> {
    let known: Vec<&Event> = events.iter().filter(|e| e.event.recorded_at <= now).collect();
    // From the newest back: a correction that is itself taken back takes nothing back, so
    // undoing an undo restores the original report.
    let mut superseded: HashSet<i64> = HashSet::new();
    for e in known.iter().rev() {
        if let (Action::Correction { supersedes, .. }, false) = (&e.event.action, superseded.contains(&e.id)) {
            superseded.insert(*supersedes);
        }
    }
    known.into_iter().filter(|e| !superseded.contains(&e.id)).collect()
}

/// Approved moves as of `now`: the due date in force per occurrence.
pub fn moves(events: &[&Event]) -> HashMap<String, NaiveDate> {
    let mut moved = HashMap::new();
    for e in events {
        if let (Some(o), Action::Moved { to, .. }) = (&e.event.occurrence, &e.event.action) {
            moved.insert(o.clone(), *to);
        }
    }
    moved
}

/// Completion dates as of `now`, for counting relative deadlines from actual completion.
pub fn completions(events: &[&Event]) -> HashMap<String, NaiveDate> {
    let mut done = HashMap::new();
    for e in events {
        let Some(occ) = &e.event.occurrence else { continue };
        match &e.event.action {
            Action::Done { on } => {
                done.insert(occ.clone(), *on);
            }
            Action::Rejected { .. } => {
                done.remove(occ);
            }
            _ => {}
        }
    }
    done
}

/// Sorts (occurrence, event) pairs by occurrence in linear time, keeping event order within one
/// occurrence (a counting sort: the key range is the plan's length).
fn bucket(pairs: Vec<(usize, usize)>, n: usize) -> Vec<(usize, usize)> {
    let mut start = vec![0usize; n + 1];
    for &(i, _) in &pairs {
        start[i + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut out = vec![(0, 0); pairs.len()];
    for p in pairs {
        out[start[p.0]] = p;
        start[p.0] += 1;
    }
    out
}

/// The plan as of `now`: relative deadlines counted from the completions reported by then.
pub fn plan_at(workspace: &Workspace, events: &[Event], now: DateTime<FixedOffset>, calendar: &Calendar) -> Plan {
    let done = completions(&effective(events, now));
    compile::compile_with(workspace, calendar, &done).unwrap_or_else(|_| empty_plan())
}

/// The state of everything at `now`, folding the events recorded up to `now` into `plan`
/// (compiled by [`plan_at`] for the same `now`).
pub fn status<'a>(
    workspace: &'a Workspace,
    plan: &'a Plan,
    events: &[Event],
    now: DateTime<FixedOffset>,
    calendar: &Calendar,
) -> Report<'a> {
    let live = effective(events, now);
    // Occurrences by the digest of their id (made by the compiler): probing compares integers,
    // not strings scattered on the heap.
    let index: FxHashMap<u128, usize> = plan.occurrences.iter().enumerate().map(|(i, o)| (o.digest, i)).collect();
    // Events grouped by occurrence without an allocation per occurrence: (occurrence, position)
    // pairs, sorted. Events about occurrences the plan does not have are orphans.
    let mut pairs: Vec<(usize, usize)> = Vec::with_capacity(live.len());
    let mut orphans = Vec::new();
    for (k, e) in live.iter().enumerate() {
        let Some(o) = e.event.occurrence.as_deref() else { continue };
        match index.get(&digest(o)) {
            Some(&i) => pairs.push((i, k)),
            None if !matches!(e.event.action, Action::Correction { .. }) => orphans.push(e.id),
            None => {}
        }
    }
    let pairs = bucket(pairs, plan.occurrences.len());
    // The fold is independent per occurrence: split it across the machine's cores.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let chunk = plan.occurrences.len().div_ceil(threads).max(1);
    let fold = |from: usize| {
        let to = (from + chunk).min(plan.occurrences.len());
        let mut cursor = pairs.partition_point(|p| p.0 < from);
        let mut out = Vec::with_capacity(to - from);
        for i in from..to {
            let start = cursor;
            while cursor < pairs.len() && pairs[cursor].0 == i {
                cursor += 1;
            }
            let mine = pairs[start..cursor].iter().map(|&(_, k)| live[k]);
            out.push(one(workspace, &plan.occurrences[i], mine, cursor - start, now, calendar));
        }
        out
    };
    let mut occurrences = Vec::with_capacity(plan.occurrences.len());
    std::thread::scope(|scope| {
        let parts: Vec<_> =
            (0..plan.occurrences.len()).step_by(chunk).map(|from| scope.spawn(move || fold(from))).collect();
        for part in parts {
            occurrences.extend(part.join().unwrap_or_default());
        }
    });
    risk(workspace, plan, &index, &mut occurrences, now, calendar);
    let undated = workspace
        .units
        .iter()
        .flat_map(|u| u.tasks.iter().map(move |t| (u, t)))
        .filter_map(|(u, t)| match &t.spec {
            Some(Spec::Continuous) => Some((t.key(u), "continuous")),
            Some(Spec::OnDemand) => Some((t.key(u), "on_demand")),
            _ => None,
        })
        .collect();
    let rollups = Rollups::of(workspace, plan, &occurrences);
    Report {
        now,
        occurrences,
        roadmaps: rollups.roadmaps,
        sections: rollups.sections,
        activities: rollups.activities,
        executors: rollups.executors,
        total: rollups.total,
        undated,
        orphans,
    }
}

fn empty_plan() -> Plan {
    Plan { graph: Default::default(), nodes: Default::default(), occurrences: Vec::new(), warnings: Vec::new() }
}

/// Folds one occurrence's events.
fn one<'a, 'e>(
    ws: &'a Workspace,
    o: &'a Occurrence,
    events: impl Iterator<Item = &'e Event>,
    count: usize,
    now: DateTime<FixedOffset>,
    calendar: &Calendar,
) -> OccurrenceStatus<'a> {
    let unit = &ws.units[o.unit];
    let task = &unit.tasks[o.task];
    let mut s = OccurrenceStatus {
        id: &o.id,
        state: State::Open,
        roadmap: &unit.id,
        activity: &task.id,
        executors: &o.executors,
        opens: o.opens,
        due_date: o.due_date,
        due: o.due,
        original_due: None,
        done_on: None,
        percent: None,
        not_done_reason: None,
        accepted: false,
        rejected_reason: None,
        at_risk: false,
        forecast_due: None,
        events: count,
    };
    let mut cancelled = false;
    for e in events {
        match &e.event.action {
            Action::Done { on } => {
                s.done_on = Some(*on);
                s.rejected_reason = None;
            }
            Action::Partial { percent } => s.percent = *percent,
            Action::NotDone { reason } => s.not_done_reason = Some(reason.clone()),
            Action::Cancelled { .. } => cancelled = true,
            Action::Moved { to, .. } => {
                s.original_due.get_or_insert(o.due_date);
                s.due_date = *to;
                s.due = due_instant(*to, o.time, o.tz);
            }
            Action::Accepted => s.accepted = true,
            Action::Rejected { reason } => {
                s.done_on = None;
                s.accepted = false;
                s.rejected_reason = Some(reason.clone());
            }
            Action::Value { .. } | Action::Correction { .. } => {}
        }
    }
    let today = now.with_timezone(&s.due.timezone()).date_naive();
    let (lead, working) = lead(ws, o);
    let until_due =
        if working { calendar.working_days_between(today, s.due_date) } else { (s.due_date - today).num_days() };
    s.state = if cancelled {
        State::Cancelled
    } else if let Some(on) = s.done_on {
        let late = (on - s.due_date).num_days();
        if late > 0 { State::DoneLate { days: late } } else { State::DoneOnTime }
    } else if now > s.due {
        State::Overdue {
            days: (today - s.due_date).num_days().max(1),
            working_days: calendar.working_days_between(s.due_date, today).max(0),
        }
    } else if today < s.opens {
        State::Planned
    } else if until_due <= lead {
        State::DueSoon
    } else {
        State::Open
    };
    s
}

/// The longest reminder lead of an occurrence as (days, working) — `7d` or `5wd`; default 7 days.
fn lead(ws: &Workspace, o: &Occurrence) -> (i64, bool) {
    let unit = &ws.units[o.unit];
    let task = &unit.tasks[o.task];
    let before = task
        .reminders
        .as_ref()
        .and_then(|r| r.before.as_ref())
        .or_else(|| unit.reminders.as_ref().and_then(|r| r.before.as_ref()));
    before
        .and_then(|leads| {
            leads
                .iter()
                .filter_map(|l| match l.0.strip_suffix("wd") {
                    Some(n) => n.parse::<i64>().ok().map(|n| (n, true)),
                    None => l.0.strip_suffix('d').and_then(|n| n.parse::<i64>().ok()).map(|n| (n, false)),
                })
                .max_by_key(|(n, working)| n * if *working { 7 } else { 5 })
        })
        .unwrap_or((7, false))
}

/// Marks open work whose prerequisites are overdue, and forecasts relative deadlines.
fn risk(
    ws: &Workspace,
    plan: &Plan,
    index: &FxHashMap<u128, usize>,
    out: &mut [OccurrenceStatus<'_>],
    now: DateTime<FixedOffset>,
    calendar: &Calendar,
) {
    let states: Vec<State> = out.iter().map(|s| s.state).collect();
    for (i, o) in plan.occurrences.iter().enumerate() {
        if !matches!(states[i], State::Planned | State::Open | State::DueSoon) {
            continue;
        }
        let late: Vec<usize> = o
            .depends_on
            .iter()
            .filter_map(|d| index.get(&digest(d)).copied())
            .filter(|&p| matches!(states[p], State::Overdue { .. }))
            .collect();
        if late.is_empty() {
            continue;
        }
        out[i].at_risk = true;
        if let (true, Some(Spec::Relative(r))) = (o.relative, &ws.units[o.unit].tasks[o.task].spec) {
            // Expected completion of a late prerequisite: today at the earliest.
            let today = now.with_timezone(&o.due.timezone()).date_naive();
            let from = late.iter().map(|&p| plan.occurrences[p].due_date.max(today)).max().unwrap_or(today);
            let due = if r.working {
                calendar.add_working_days(from, r.days)
            } else {
                from + chrono::Days::new(u64::from(r.days))
            };
            out[i].forecast_due = Some(due);
        }
    }
}

struct Rollups {
    roadmaps: Vec<Rollup>,
    sections: Vec<Rollup>,
    activities: Vec<Rollup>,
    executors: Vec<Rollup>,
    total: Rollup,
}

impl Rollups {
    fn of(ws: &Workspace, plan: &Plan, list: &[OccurrenceStatus<'_>]) -> Rollups {
        // Activities and sections by position: a flat index per unit, no map lookups per occurrence.
        let offsets = |len: fn(&crate::check::Unit) -> usize| -> (Vec<usize>, usize) {
            let mut total = 0;
            let base = ws
                .units
                .iter()
                .map(|u| {
                    let at = total;
                    total += len(u);
                    at
                })
                .collect();
            (base, total)
        };
        let (task_base, task_count) = offsets(|u| u.tasks.len());
        let (section_base, section_count) = offsets(|u| u.sections.len());
        let mut roadmaps: Vec<Option<Rollup>> = vec![None; ws.units.len()];
        let mut sections: Vec<Option<Rollup>> = vec![None; section_count];
        let mut activities: Vec<Option<Rollup>> = vec![None; task_count];
        let mut executors: Vec<Rollup> = Vec::new();
        let mut slot_of: FxHashMap<&str, usize> = FxHashMap::default();
        let mut task_slots: Vec<Option<Vec<usize>>> = vec![None; activities.len()];
        let mut total = Rollup { key: "всего".into(), title: "Всего".into(), ..Rollup::default() };
        for (o, s) in plan.occurrences.iter().zip(list) {
            let unit = &ws.units[o.unit];
            let task = &unit.tasks[o.task];
            add(roadmaps[o.unit].get_or_insert_with(|| named(&unit.id, &unit.title)), s);
            if let Some(i) = task.section {
                add(
                    sections[section_base[o.unit] + i]
                        .get_or_insert_with(|| named(&format!("{}#{}", unit.id, i + 1), &unit.sections[i])),
                    s,
                );
            }
            add(activities[task_base[o.unit] + o.task].get_or_insert_with(|| named(&task.key(unit), &task.title)), s);
            // Executor slots are looked up once per activity, not once per occurrence.
            let flat = task_base[o.unit] + o.task;
            let slots = task_slots[flat].get_or_insert_with(|| {
                let names = if task.each.is_empty() { &task.executors } else { &task.each };
                names
                    .iter()
                    .map(|e| {
                        *slot_of.entry(e.as_str()).or_insert_with(|| {
                            let title = unit
                                .executors
                                .get(e)
                                .map_or_else(|| e.clone(), |x| x.short.clone().unwrap_or_else(|| x.name.clone()));
                            executors.push(named(e, &title));
                            executors.len() - 1
                        })
                    })
                    .collect()
            });
            match o.member {
                Some(m) => {
                    if let Some(&slot) = slots.get(usize::from(m)) {
                        add(&mut executors[slot], s);
                    }
                }
                None => slots.iter().for_each(|&slot| add(&mut executors[slot], s)),
            }
            add(&mut total, s);
        }
        let mut executors: Vec<Rollup> = executors.into_iter().map(finish).collect();
        executors.sort_by(|a, b| a.key.cmp(&b.key));
        let done = |v: Vec<Option<Rollup>>| v.into_iter().flatten().map(finish).collect();
        Rollups {
            roadmaps: done(roadmaps),
            sections: done(sections),
            activities: done(activities),
            executors,
            total: finish(total),
        }
    }
}

fn named(key: &str, title: &str) -> Rollup {
    Rollup { key: key.to_string(), title: title.to_string(), ..Rollup::default() }
}

fn add(r: &mut Rollup, s: &OccurrenceStatus<'_>) {
    r.total += 1;
    r.states.add(s.state);
    r.at_risk += usize::from(s.at_risk);
    let past_due = matches!(s.state, State::Overdue { .. } | State::DoneLate { .. }) || (s.state == State::DoneOnTime);
    if past_due {
        r.due += 1;
    }
    if s.state == State::DoneOnTime {
        r.done_on_time += 1;
    }
}

fn finish(mut r: Rollup) -> Rollup {
    r.discipline = (r.due > 0).then(|| r.done_on_time as f64 / r.due as f64);
    r
}

//! The state of every occurrence at an instant `now`, computed from the plan and the events
//! recorded up to `now` — so the same log answers for today, last Friday or the day of an
//! inspection. Pure: no store, no clock.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use super::event::{Action, Event};
use crate::calendar::{Calendar, due_instant};
use crate::check::Workspace;
use crate::compile::{self, Occurrence, Plan};
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

/// One occurrence at `now`.
#[derive(Debug, Clone, Serialize)]
pub struct OccurrenceStatus {
    pub id: String,
    #[serde(flatten)]
    pub state: State,
    pub roadmap: String,
    pub activity: String,
    pub executors: Vec<String>,
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

/// Counts for a group of occurrences.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rollup {
    pub key: String,
    pub title: String,
    pub total: usize,
    pub states: BTreeMap<&'static str, usize>,
    pub at_risk: usize,
    /// Occurrences whose due date has passed (cancelled ones aside).
    pub due: usize,
    pub done_on_time: usize,
    /// Исполнительская дисциплина: the share of those due that were done on time.
    pub discipline: Option<f64>,
}

/// The whole picture at `now`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub now: DateTime<FixedOffset>,
    pub occurrences: Vec<OccurrenceStatus>,
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
    let superseded: HashSet<i64> = known
        .iter()
        .filter_map(|e| match e.event.action {
            Action::Correction { supersedes, .. } => Some(supersedes),
            _ => None,
        })
        .collect();
    known.into_iter().filter(|e| !superseded.contains(&e.id)).collect()
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

/// The plan as of `now`: relative deadlines counted from the completions reported by then.
pub fn plan_at(workspace: &Workspace, events: &[Event], now: DateTime<FixedOffset>, calendar: &Calendar) -> Plan {
    let done = completions(&effective(events, now));
    compile::compile_with(workspace, calendar, &done).unwrap_or_else(|_| empty_plan())
}

/// The state of everything at `now`, folding the events recorded up to `now` into `plan`
/// (compiled by [`plan_at`] for the same `now`).
pub fn status(
    workspace: &Workspace,
    plan: &Plan,
    events: &[Event],
    now: DateTime<FixedOffset>,
    calendar: &Calendar,
) -> Report {
    let live = effective(events, now);
    let mut by_occurrence: HashMap<&str, Vec<&Event>> = HashMap::new();
    for e in &live {
        if let Some(o) = &e.event.occurrence {
            by_occurrence.entry(o.as_str()).or_default().push(e);
        }
    }
    let mut occurrences: Vec<OccurrenceStatus> =
        plan.occurrences.iter().map(|o| one(workspace, o, by_occurrence.get(o.id.as_str()), now, calendar)).collect();
    risk(workspace, plan, &mut occurrences, now, calendar);
    let ids: HashSet<&str> = plan.occurrences.iter().map(|o| o.id.as_str()).collect();
    let orphans = events
        .iter()
        .filter(|e| e.event.recorded_at <= now)
        .filter(|e| e.event.occurrence.as_deref().is_some_and(|o| !ids.contains(o)))
        .map(|e| e.id)
        .collect();
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
fn one(
    ws: &Workspace,
    o: &Occurrence,
    events: Option<&Vec<&Event>>,
    now: DateTime<FixedOffset>,
    calendar: &Calendar,
) -> OccurrenceStatus {
    let unit = &ws.units[o.unit];
    let task = &unit.tasks[o.task];
    let mut s = OccurrenceStatus {
        id: o.id.clone(),
        state: State::Open,
        roadmap: unit.id.clone(),
        activity: task.id.clone(),
        executors: o.executors.clone(),
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
        events: events.map_or(0, Vec::len),
    };
    let mut cancelled = false;
    for e in events.into_iter().flatten() {
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
    let lead = lead_days(ws, o);
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
    } else if (s.due_date - today).num_days() <= lead {
        State::DueSoon
    } else {
        State::Open
    };
    s
}

/// The longest reminder lead of an occurrence, in days (default 7).
fn lead_days(ws: &Workspace, o: &Occurrence) -> i64 {
    let unit = &ws.units[o.unit];
    let task = &unit.tasks[o.task];
    let before = task
        .reminders
        .as_ref()
        .and_then(|r| r.before.clone())
        .or_else(|| unit.reminders.as_ref().and_then(|r| r.before.clone()));
    before
        .map(|leads| {
            leads
                .iter()
                .filter_map(|l| l.0.trim_end_matches("wd").trim_end_matches('d').parse::<i64>().ok())
                .max()
                .unwrap_or(7)
        })
        .unwrap_or(7)
}

/// Marks open work whose prerequisites are overdue, and forecasts relative deadlines.
fn risk(ws: &Workspace, plan: &Plan, out: &mut [OccurrenceStatus], now: DateTime<FixedOffset>, calendar: &Calendar) {
    let index: HashMap<&str, usize> = plan.occurrences.iter().enumerate().map(|(i, o)| (o.id.as_str(), i)).collect();
    let states: Vec<State> = out.iter().map(|s| s.state).collect();
    for (i, o) in plan.occurrences.iter().enumerate() {
        if !matches!(states[i], State::Planned | State::Open | State::DueSoon) {
            continue;
        }
        let late: Vec<usize> = o
            .depends_on
            .iter()
            .filter_map(|d| index.get(d.as_str()).copied())
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
    fn of(ws: &Workspace, plan: &Plan, list: &[OccurrenceStatus]) -> Rollups {
        let mut roadmaps: BTreeMap<usize, Rollup> = BTreeMap::new();
        let mut sections: BTreeMap<(usize, usize), Rollup> = BTreeMap::new();
        let mut activities: BTreeMap<(usize, usize), Rollup> = BTreeMap::new();
        let mut executors: HashMap<&str, (usize, Rollup)> = HashMap::new();
        let mut total = Rollup { key: "всего".into(), title: "Всего".into(), ..Rollup::default() };
        for (o, s) in plan.occurrences.iter().zip(list) {
            let unit = &ws.units[o.unit];
            let task = &unit.tasks[o.task];
            add(roadmaps.entry(o.unit).or_insert_with(|| named(&unit.id, &unit.title)), s);
            if let Some(i) = task.section {
                add(
                    sections
                        .entry((o.unit, i))
                        .or_insert_with(|| named(&format!("{}#{}", unit.id, i + 1), &unit.sections[i])),
                    s,
                );
            }
            add(activities.entry((o.unit, o.task)).or_insert_with(|| named(&task.key(unit), &task.title)), s);
            for e in &o.executors {
                let entry = executors.entry(e.as_str()).or_insert_with(|| {
                    let title = unit
                        .executors
                        .get(e)
                        .map_or_else(|| e.clone(), |x| x.short.clone().unwrap_or_else(|| x.name.clone()));
                    (o.unit, named(e, &title))
                });
                add(&mut entry.1, s);
            }
            add(&mut total, s);
        }
        let mut executors: Vec<Rollup> = executors.into_values().map(|(_, r)| finish(r)).collect();
        executors.sort_by(|a, b| a.key.cmp(&b.key));
        Rollups {
            roadmaps: roadmaps.into_values().map(finish).collect(),
            sections: sections.into_values().map(finish).collect(),
            activities: activities.into_values().map(finish).collect(),
            executors,
            total: finish(total),
        }
    }
}

fn named(key: &str, title: &str) -> Rollup {
    Rollup { key: key.to_string(), title: title.to_string(), ..Rollup::default() }
}

fn add(r: &mut Rollup, s: &OccurrenceStatus) {
    r.total += 1;
    *r.states.entry(s.state.name()).or_default() += 1;
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

//! The state of every occurrence at an instant `now`, computed from the plan and the events
//! recorded up to `now` — so the same log answers for today, last Friday or the day of an
//! inspection. Pure: no store, no clock.

use std::collections::HashMap;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use super::event::{Action, Event};
use super::fold::{Fold, Folded, fold, removed};
use super::rollup::{Rollup, Rollups};
use crate::calendar::{Calendar, due_instant};
use crate::check::{Task, Unit, Workspace};
use crate::compile::{self, Occurrence, Plan};
use crate::deadline::Spec;

/// Where an occurrence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Not open yet.
    Planned,
    Open,
    /// Due within the reminder lead.
    DueSoon,
    /// Past due and not done: with no report at all («нет отчёта»), or reported not done or
    /// partly done («не выполнено»); leadership tells the two apart, reminders treat both as late.
    Overdue {
        days: i64,
        working_days: i64,
        /// The executor reported it not done or partly done.
        reported: bool,
    },
    DoneOnTime,
    DoneLate {
        days: i64,
    },
    Cancelled,
}

/// `{"state": "not_done", "days": 3, "working_days": 2}`: the state by its name, with the delay.
impl Serialize for State {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("state", self.name())?;
        match *self {
            State::Overdue { days, working_days, .. } => {
                map.serialize_entry("days", &days)?;
                map.serialize_entry("working_days", &working_days)?;
            }
            State::DoneLate { days } => map.serialize_entry("days", &days)?,
            _ => {}
        }
        map.end()
    }
}

impl State {
    pub fn name(&self) -> &'static str {
        match self {
            State::Planned => "planned",
            State::Open => "open",
            State::DueSoon => "due_soon",
            State::Overdue { reported: false, .. } => "overdue",
            State::Overdue { reported: true, .. } => "not_done",
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
        self.words(crate::diag::Lang::Ru)
    }

    /// The state in words, in the language asked for.
    pub fn words(&self, lang: crate::diag::Lang) -> String {
        use crate::diag::Lang;
        if lang == Lang::En {
            let days = |d: i64| format!("{d} {}", if d == 1 { "day" } else { "days" });
            return match self {
                State::Planned => "planned".into(),
                State::Open => "open".into(),
                State::DueSoon => "due soon".into(),
                State::Overdue { days: d, reported: true, .. } => format!("not done, overdue by {}", days(*d)),
                State::Overdue { days: d, .. } => format!("overdue by {}, no report", days(*d)),
                State::DoneOnTime => "done on time".into(),
                State::DoneLate { days: d } => format!("done late by {}", days(*d)),
                State::Cancelled => "cancelled".into(),
            };
        }
        match self {
            State::Planned => "запланировано".into(),
            State::Open => "в работе".into(),
            State::DueSoon => "срок скоро".into(),
            State::Overdue { days, reported, .. } => {
                let late =
                    format!("просрочено на {days} {}", crate::diag::plural(*days as u64, ["день", "дня", "дней"]));
                if *reported {
                    format!("не выполнено, {late}")
                } else {
                    format!("{late}, нет отчёта")
                }
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
    pub not_done_reason: Option<&'a str>,
    /// Снято с контроля.
    pub accepted: bool,
    pub rejected_reason: Option<&'a str>,
    /// A prerequisite is overdue.
    pub at_risk: bool,
    /// For a relative deadline whose prerequisite is late: the due date it will move to.
    pub forecast_due: Option<NaiveDate>,
    pub events: usize,
    /// The due date of the first approved version, when an approved amendment moved it since
    /// ([`Report::with_versions`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_due: Option<NaiveDate>,
    /// The amending order that moved it last: «приказ от 15.01.2024 № 12».
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amended_by: Option<String>,
}

/// The whole picture at `now`.
#[derive(Debug, Clone, Serialize)]
pub struct Report<'a> {
    pub now: DateTime<FixedOffset>,
    pub occurrences: Vec<OccurrenceStatus<'a>>,
    pub roadmaps: Vec<Rollup<'a>>,
    pub sections: Vec<Rollup<'a>>,
    pub activities: Vec<Rollup<'a>>,
    pub executors: Vec<Rollup<'a>>,
    /// Each executor within each roadmap (key: the executor, title: its name there), roadmap by
    /// roadmap in workspace order: the cells of the executor × roadmap view.
    #[serde(skip)]
    pub executors_by_roadmap: Vec<(&'a str, Rollup<'a>)>,
    pub total: Rollup<'a>,
    /// Activities without dated occurrences (постоянно, по мере необходимости).
    pub undated: Vec<(String, &'static str)>,
    /// Events about occurrences the roadmaps no longer have; kept, never dropped.
    pub orphans: Vec<i64>,
    /// Events about occurrences an approved amendment removed (docs/amendments.md): kept, shown
    /// as removed by its order, no orphans.
    pub removed: Vec<i64>,
}

impl Report<'_> {
    /// Marks each occurrence an approved amendment moved with its baseline date and the order
    /// (docs/amendments.md, section 5).
    pub fn with_versions(mut self, carries: &super::Carries) -> Self {
        amended(&mut self.occurrences, carries);
        self
    }
}

/// The state of each occurrence at `now`, before it is counted up: all a listing needs. The
/// counts per roadmap, section, activity and executor are one more pass over every occurrence
/// ([`States::counted`], [`States::rollups`]), for the views that show them.
#[derive(Debug, Clone)]
pub struct States<'a> {
    pub now: DateTime<FixedOffset>,
    pub occurrences: Vec<OccurrenceStatus<'a>>,
    /// Activities without dated occurrences (постоянно, по мере необходимости).
    pub undated: Vec<(String, &'static str)>,
    /// Events about occurrences the roadmaps no longer have; kept, never dropped.
    pub orphans: Vec<i64>,
    /// Events about occurrences an approved amendment removed.
    pub removed: Vec<i64>,
}

impl<'a> States<'a> {
    /// [`Report::with_versions`].
    pub fn with_versions(mut self, carries: &super::Carries) -> Self {
        amended(&mut self.occurrences, carries);
        self
    }

    /// The counts per roadmap, section, activity and executor of `workspace` and its `plan`
    /// (the plan these states are of).
    pub fn rollups(&self, workspace: &'a Workspace, plan: &'a Plan) -> Rollups<'a> {
        Rollups::of(workspace, plan, &self.occurrences)
    }

    /// The whole picture: these states with their counts.
    pub fn counted(self, workspace: &'a Workspace, plan: &'a Plan) -> Report<'a> {
        let rollups = self.rollups(workspace, plan);
        Report {
            now: self.now,
            occurrences: self.occurrences,
            roadmaps: rollups.roadmaps,
            sections: rollups.sections,
            activities: rollups.activities,
            executors: rollups.executors,
            executors_by_roadmap: rollups.executors_by_roadmap,
            total: rollups.total,
            undated: self.undated,
            orphans: self.orphans,
            removed: self.removed,
        }
    }
}

/// Reports per occurrence id, as of `now`, with superseded events removed.
pub fn effective(events: &[Event], now: DateTime<FixedOffset>) -> Vec<&Event> {
    let known = events.iter().filter(|e| e.event.recorded_at <= now);
    if !events.iter().any(|e| matches!(e.event.action, Action::Correction { .. })) {
        return known.collect();
    }
    let known: Vec<&Event> = known.collect();
    // From the newest back: a correction that is itself taken back takes nothing back, so
    // undoing an undo restores the original report.
    let mut superseded: FxHashSet<i64> = FxHashSet::default();
    for e in known.iter().rev() {
        if let (Action::Correction { supersedes, .. }, false) = (&e.event.action, superseded.contains(&e.id)) {
            superseded.insert(*supersedes);
        }
    }
    known.into_iter().filter(|e| !superseded.contains(&e.id)).collect()
}

/// Events about occurrences the plan does not have (orphans), as of `now`: reports taken back
/// no longer count, and a correction is no report of its own. Kept, never dropped (docs/tracking.md).
pub fn orphans<'e>(events: &'e [Event], plan: &Plan, now: DateTime<FixedOffset>) -> Vec<&'e Event> {
    let missing: Vec<&Event> = effective(events, now)
        .into_iter()
        .filter(|e| !matches!(e.event.action, Action::Correction { .. }) && !removed(e))
        .filter(|e| e.event.occurrence.as_deref().is_some_and(|o| plan.position(o).is_none()))
        .collect();
    if missing.is_empty() {
        return missing;
    }
    // Only the roadmaps read in this run are judged: `karta check one.yaml` says nothing about
    // the reports of the others.
    let loaded: rustc_hash::FxHashSet<&str> =
        plan.occurrences.iter().filter_map(|o| o.key().split_once('/').map(|(roadmap, _)| roadmap)).collect();
    missing
        .into_iter()
        .filter(|e| {
            let o = e.event.occurrence.as_deref().unwrap_or_default();
            o.split_once('/').is_some_and(|(roadmap, _)| loaded.contains(roadmap))
        })
        .collect()
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
pub fn completions<'a>(events: &[&'a Event]) -> FxHashMap<&'a str, NaiveDate> {
    // Sized once for the reports of completion, most of a log.
    let reported = events.iter().filter(|e| matches!(e.event.action, Action::Done { .. })).count();
    let mut done = FxHashMap::with_capacity_and_hasher(reported, Default::default());
    for e in events {
        let Some(occ) = e.event.occurrence.as_deref() else { continue };
        match &e.event.action {
            Action::Done { on } => {
                done.insert(occ, *on);
            }
            Action::Rejected { .. } => {
                done.remove(occ);
            }
            _ => {}
        }
    }
    done
}

/// The completions of the events recorded up to `now` ([`completions`]), made when first asked
/// for: a command whose kept plan needs no second look never makes them.
pub struct Completions<'e> {
    events: &'e [Event],
    now: DateTime<FixedOffset>,
    done: std::sync::OnceLock<FxHashMap<&'e str, NaiveDate>>,
}

impl<'e> Completions<'e> {
    pub fn new(events: &'e [Event], now: DateTime<FixedOffset>) -> Completions<'e> {
        Completions { events, now, done: std::sync::OnceLock::new() }
    }
}

impl compile::Actuals for Completions<'_> {
    fn completed(&self, occurrence: &str) -> Option<NaiveDate> {
        self.done.get_or_init(|| completions(&effective(self.events, self.now))).get(occurrence).copied()
    }
}

/// The plan as of `now`: relative deadlines counted from the completions reported by then.
pub fn plan_at(workspace: &Workspace, events: &[Event], now: DateTime<FixedOffset>, calendar: &Calendar) -> Plan {
    let done = completions(&effective(events, now));
    compile::compile_with(workspace, calendar, &done).unwrap_or_else(|_| Plan::empty())
}

/// The state of everything at `now`, folding the events recorded up to `now` into `plan`
/// (compiled by [`plan_at`] for the same `now`).
pub fn status<'a>(
    workspace: &'a Workspace,
    plan: &'a Plan,
    events: &'a [Event],
    now: DateTime<FixedOffset>,
    calendar: &Calendar,
) -> Report<'a> {
    Reading::new(workspace, plan, &fold(plan, events, now), now, calendar).states().counted(workspace, plan)
}

/// Marks each of `occurrences` an approved amendment moved with its baseline date and the order
/// (docs/amendments.md, section 5).
pub fn amended(occurrences: &mut [OccurrenceStatus<'_>], carries: &super::Carries) {
    if carries.is_empty() {
        return;
    }
    for s in occurrences {
        if let Some((date, order)) = carries.origin(s.id) {
            s.approved_due = Some(date);
            s.amended_by = Some(order.to_string());
        }
    }
}

/// The fold of the log into `plan` read at `now`: the state of each occurrence, from what
/// the events say of it (folded up to `now`, or up to any instant after which nothing was
/// recorded before `now`). What reading each occurrence needs is made once.
pub struct Reading<'a, 'r> {
    workspace: &'a Workspace,
    plan: &'a Plan,
    folded: &'r Folded<'a>,
    now: DateTime<FixedOffset>,
    calendar: &'r Calendar,
    /// Where each unit's activities start in `leads`.
    base: Vec<usize>,
    /// The reminder lead of each activity: read once per activity, not once per occurrence.
    leads: Vec<(i64, bool)>,
}

impl<'a, 'r> Reading<'a, 'r> {
    pub fn new(
        workspace: &'a Workspace,
        plan: &'a Plan,
        folded: &'r Folded<'a>,
        now: DateTime<FixedOffset>,
        calendar: &'r Calendar,
    ) -> Self {
        let (mut base, mut leads) = (Vec::with_capacity(workspace.units.len()), Vec::new());
        for u in &workspace.units {
            base.push(leads.len());
            leads.extend(u.tasks.iter().map(|t| lead(u, t)));
        }
        Reading { workspace, plan, folded, now, calendar, base, leads }
    }

    /// The state of every occurrence, without the counts ([`States::counted`] adds them).
    pub fn states(&self) -> States<'a> {
        // Independent per occurrence: spread over the cores, written in place.
        let mut occurrences = Vec::with_capacity(self.count());
        (0..self.count()).into_par_iter().map(|i| self.state(i)).collect_into_vec(&mut occurrences);
        // Which are overdue, a byte each (not a copy of every state), on all cores.
        let mut overdue = Vec::with_capacity(occurrences.len());
        occurrences.par_iter().map(|s| matches!(s.state, State::Overdue { .. })).collect_into_vec(&mut overdue);
        occurrences.par_iter_mut().zip(&self.plan.occurrences).for_each(|(s, o)| self.risk(s, o, &overdue));
        let undated = self
            .workspace
            .units
            .iter()
            .flat_map(|u| u.tasks.iter().map(move |t| (u, t)))
            .filter_map(|(u, t)| match &t.spec {
                Some(Spec::Continuous) => Some((t.key(u), "continuous")),
                Some(Spec::OnDemand) => Some((t.key(u), "on_demand")),
                _ => None,
            })
            .collect();
        let (orphans, removed) = (self.folded.orphans.clone(), self.folded.removed.clone());
        States { now: self.now, occurrences, undated, orphans, removed }
    }

    /// The states of the occurrences `keep` chooses, in the plan's order, each at risk or not
    /// before it is chosen: a listing of thousands out of a million occurrences keeps only those.
    /// A first pass learns only which occurrences are overdue (what a prerequisite's risk needs),
    /// which costs less than keeping a million states.
    pub fn chosen(&self, keep: &(dyn Fn(&OccurrenceStatus<'a>) -> bool + Sync)) -> Vec<OccurrenceStatus<'a>> {
        let mut overdue = Vec::with_capacity(self.count());
        (0..self.count()).into_par_iter().map(|i| self.overdue(i)).collect_into_vec(&mut overdue);
        (0..self.count())
            .into_par_iter()
            .filter_map(|i| {
                let mut s = self.state(i);
                self.risk(&mut s, &self.plan.occurrences[i], &overdue);
                keep(&s).then_some(s)
            })
            .collect()
    }

    /// How many occurrences have a fold.
    fn count(&self) -> usize {
        self.plan.occurrences.len().min(self.folded.each.len())
    }

    /// The `i`-th occurrence at `now`, not yet marked at risk.
    fn state(&self, i: usize) -> OccurrenceStatus<'a> {
        let o = &self.plan.occurrences[i];
        let lead = self.leads[self.base[o.unit] + o.task];
        one(self.workspace, o, (&self.folded.each[i], self.folded), lead, self.now, self.calendar)
    }

    /// Whether the `i`-th occurrence is overdue at `now`: what [`Reading::state`] says of it,
    /// without the rest of its state.
    fn overdue(&self, i: usize) -> bool {
        let (o, fold) = (&self.plan.occurrences[i], &self.folded.each[i]);
        overdue(fold, due_in_force(o, fold).1, self.now)
    }

    /// Marks `s` (of `o`) at risk when it is open work with an overdue prerequisite, and
    /// forecasts its relative deadline.
    fn risk(&self, s: &mut OccurrenceStatus<'_>, o: &Occurrence, overdue: &[bool]) {
        if o.depends_on.is_empty() || !matches!(s.state, State::Planned | State::Open | State::DueSoon) {
            return;
        }
        let late: Vec<usize> = o.depends_on.iter().copied().filter(|&p| overdue[p]).collect();
        if late.is_empty() {
            return;
        }
        s.at_risk = true;
        let spec = self.workspace.units[o.unit].tasks[o.task].spec.as_ref();
        if let (true, Some((r, _))) = (o.relative, spec.and_then(Spec::counted_from)) {
            // Expected completion of a late prerequisite: today at the earliest.
            let today = o.local_date(self.now);
            let from = late.iter().map(|&p| self.plan.occurrences[p].due_date.max(today)).max().unwrap_or(today);
            s.forecast_due = Some(crate::deadline::counted(from, r, self.calendar));
        }
    }
}

/// One occurrence at `now`, from what its events say.
fn one<'a>(
    ws: &'a Workspace,
    o: &'a Occurrence,
    (fold, folded): (&Fold, &Folded<'a>),
    (lead, working): (i64, bool),
    now: DateTime<FixedOffset>,
    calendar: &Calendar,
) -> OccurrenceStatus<'a> {
    let unit = &ws.units[o.unit];
    let (due_date, due) = due_in_force(o, fold);
    let mut s = OccurrenceStatus {
        id: &o.id,
        state: State::Open,
        roadmap: &unit.id,
        // The activity's id from the occurrence's own key (`roadmap/activity`): the activity
        // itself lies elsewhere in memory, a miss of the cache for each of a million occurrences.
        activity: o.key().get(unit.id.len() + 1..).unwrap_or_default(),
        executors: &o.executors,
        opens: o.opens,
        due_date,
        due,
        original_due: fold.moved_to.map(|_| o.due_date),
        done_on: fold.done_on,
        percent: fold.percent,
        not_done_reason: folded.text(fold.not_done_reason),
        accepted: fold.accepted,
        rejected_reason: folded.text(fold.rejected_reason),
        at_risk: false,
        forecast_due: None,
        events: fold.events as usize,
        approved_due: None,
        amended_by: None,
    };
    let today = now.with_timezone(&s.due.timezone()).date_naive();
    let until_due =
        if working { calendar.working_days_between(today, s.due_date) } else { (s.due_date - today).num_days() };
    s.state = if fold.cancelled {
        State::Cancelled
    } else if let Some(on) = s.done_on {
        let late = (on - s.due_date).num_days();
        if late > 0 { State::DoneLate { days: late } } else { State::DoneOnTime }
    } else if overdue(fold, s.due, now) {
        State::Overdue {
            days: (today - s.due_date).num_days().max(1),
            working_days: calendar.working_days_between(s.due_date, today).max(0),
            reported: s.not_done_reason.is_some() || s.percent.is_some(),
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

/// The due date and instant in force: after the last approved move, if any.
fn due_in_force(o: &Occurrence, fold: &Fold) -> (NaiveDate, DateTime<FixedOffset>) {
    match fold.moved_to {
        Some(to) => (to, due_instant(to, o.time, o.tz)),
        None => (o.due_date, o.due),
    }
}

/// Past `due` at `now`, and neither cancelled nor done.
fn overdue(fold: &Fold, due: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> bool {
    !fold.cancelled && fold.done_on.is_none() && now > due
}

/// The longest reminder lead of an activity's occurrences as (days, working) — `7d` or `5wd`;
/// default 7 days.
fn lead(unit: &Unit, task: &Task) -> (i64, bool) {
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

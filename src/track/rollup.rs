//! Roll-ups: the occurrences' states counted per roadmap, section, activity and executor, with
//! execution discipline (docs/tracking.md, section 4.3).

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::status::{OccurrenceStatus, State};
use crate::check::Workspace;
use crate::compile::Plan;

/// How many occurrences are in each state (serialized as a map by state name).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts([usize; 8]);

const STATE_NAMES: [&str; 8] =
    ["planned", "open", "due_soon", "overdue", "not_done", "done_on_time", "done_late", "cancelled"];

impl Counts {
    pub fn get(&self, state: &str) -> usize {
        STATE_NAMES.iter().position(|n| *n == state).map_or(0, |i| self.0[i])
    }

    fn add(&mut self, state: State) {
        let i = match state {
            State::Planned => 0,
            State::Open => 1,
            State::DueSoon => 2,
            State::Overdue { reported: false, .. } => 3,
            State::Overdue { reported: true, .. } => 4,
            State::DoneOnTime => 5,
            State::DoneLate { .. } => 6,
            State::Cancelled => 7,
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
pub struct Rollup<'a> {
    pub key: Cow<'a, str>,
    pub title: Cow<'a, str>,
    pub total: usize,
    pub states: Counts,
    pub at_risk: usize,
    /// Occurrences done, or past their due date (cancelled ones aside): the base of discipline.
    pub due: usize,
    pub done_on_time: usize,
    /// Исполнительская дисциплина: the share of those due that were done on time.
    pub discipline: Option<f64>,
}

/// The counts of every group of a workspace's occurrences ([`super::States::rollups`]).
pub struct Rollups<'a> {
    pub roadmaps: Vec<Rollup<'a>>,
    pub sections: Vec<Rollup<'a>>,
    pub activities: Vec<Rollup<'a>>,
    pub executors: Vec<Rollup<'a>>,
    pub executors_by_roadmap: Vec<(&'a str, Rollup<'a>)>,
    pub total: Rollup<'a>,
}

impl<'a> Rollups<'a> {
    /// Tallies each activity (and each member of a per-executor activity) in one pass over the
    /// occurrences, then sums the tallies up into sections, roadmaps and executors.
    pub(super) fn of(ws: &'a Workspace, plan: &'a Plan, list: &[OccurrenceStatus<'_>]) -> Rollups<'a> {
        // Each activity in one flat list, and after it the members of a per-executor one (the
        // only members read below): indexes, not a map, for a million occurrences.
        let mut base = Vec::with_capacity(ws.units.len());
        let mut member_base = Vec::new();
        let (mut flat, mut member_slots) = (0, 0);
        for unit in &ws.units {
            base.push(flat);
            flat += unit.tasks.len();
            for task in &unit.tasks {
                member_base.push((member_slots, if task.each.is_empty() { 0 } else { task.each.len() }));
                member_slots += member_base.last().map_or(0, |b| b.1);
            }
        }
        let mut tasks = vec![Tally::default(); flat];
        let mut keys: Vec<&'a str> = vec![""; flat];
        let mut members = vec![Tally::default(); member_slots];
        for (o, s) in plan.occurrences.iter().zip(list) {
            let at = base[o.unit] + o.task;
            tasks[at].add(s);
            keys[at] = o.key();
            match (o.member.map(usize::from), member_base[at]) {
                (Some(m), (from, n)) if m < n => members[from + m].add(s),
                _ => {}
            }
        }
        let mut total = Tally::default();
        let mut roadmaps = Vec::new();
        let mut sections = Vec::new();
        let mut activities = Vec::new();
        let mut executors: Vec<(&'a str, &'a str, Tally)> = Vec::new();
        let mut slot_of: FxHashMap<&str, usize> = FxHashMap::default();
        let mut executors_by_roadmap = Vec::new();
        for (u, unit) in ws.units.iter().enumerate() {
            let mut roadmap = Tally::default();
            let mut here: Vec<(&'a str, Tally)> = Vec::new();
            let mut here_slot: FxHashMap<&str, usize> = FxHashMap::default();
            let mut by_section = vec![Tally::default(); unit.sections.len()];
            for (t, task) in unit.tasks.iter().enumerate() {
                let tally = tasks[base[u] + t];
                if tally.total == 0 {
                    continue;
                }
                activities.push(tally.named(Cow::Borrowed(keys[base[u] + t]), &task.title));
                roadmap.absorb(&tally);
                if let Some(i) = task.section {
                    by_section[i].absorb(&tally);
                }
                let names = task.doers();
                for (m, name) in names.iter().enumerate() {
                    let share = if task.each.is_empty() {
                        tally
                    } else {
                        let (from, n) = member_base[base[u] + t];
                        if m < n { members[from + m] } else { Tally::default() }
                    };
                    if share.total == 0 {
                        continue;
                    }
                    let slot = *slot_of.entry(name.as_str()).or_insert_with(|| {
                        let title = unit.executors.get(name).map_or(name, |x| x.short.as_ref().unwrap_or(&x.name));
                        executors.push((name, title, Tally::default()));
                        executors.len() - 1
                    });
                    executors[slot].2.absorb(&share);
                    let cell = *here_slot.entry(name.as_str()).or_insert_with(|| {
                        here.push((name.as_str(), Tally::default()));
                        here.len() - 1
                    });
                    here[cell].1.absorb(&share);
                }
            }
            for (name, tally) in here {
                let title = unit.executors.get(name).map_or(name, |x| x.short.as_ref().unwrap_or(&x.name));
                executors_by_roadmap.push((unit.id.as_str(), tally.named(Cow::Borrowed(name), title)));
            }
            for (i, tally) in by_section.into_iter().enumerate().filter(|(_, t)| t.total > 0) {
                sections.push(tally.named(Cow::Owned(format!("{}#{}", unit.id, i + 1)), &unit.sections[i]));
            }
            if roadmap.total > 0 {
                roadmaps.push(roadmap.named(Cow::Borrowed(&unit.id), &unit.title));
                total.absorb(&roadmap);
            }
        }
        let mut executors: Vec<Rollup<'a>> =
            executors.into_iter().map(|(key, title, tally)| tally.named(Cow::Borrowed(key), title)).collect();
        executors.sort_by(|a, b| a.key.cmp(&b.key));
        Rollups {
            roadmaps,
            sections,
            activities,
            executors,
            executors_by_roadmap,
            total: total.named(Cow::Borrowed("всего"), "Всего"),
        }
    }
}

/// The counts of a roll-up, before it is named.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    total: usize,
    states: Counts,
    at_risk: usize,
    due: usize,
    done_on_time: usize,
}

impl Tally {
    fn add(&mut self, s: &OccurrenceStatus<'_>) {
        self.total += 1;
        self.states.add(s.state);
        self.at_risk += usize::from(s.at_risk);
        // Done, or past the due date (cancelled work aside): the base of discipline.
        if matches!(s.state, State::Overdue { .. } | State::DoneLate { .. } | State::DoneOnTime) {
            self.due += 1;
        }
        if s.state == State::DoneOnTime {
            self.done_on_time += 1;
        }
    }

    fn absorb(&mut self, other: &Tally) {
        self.total += other.total;
        for (mine, theirs) in self.states.0.iter_mut().zip(other.states.0) {
            *mine += theirs;
        }
        self.at_risk += other.at_risk;
        self.due += other.due;
        self.done_on_time += other.done_on_time;
    }

    fn named<'a>(self, key: Cow<'a, str>, title: &'a str) -> Rollup<'a> {
        Rollup {
            key,
            title: Cow::Borrowed(title),
            total: self.total,
            states: self.states,
            at_risk: self.at_risk,
            due: self.due,
            done_on_time: self.done_on_time,
            discipline: (self.due > 0).then(|| self.done_on_time as f64 / self.due as f64),
        }
    }
}

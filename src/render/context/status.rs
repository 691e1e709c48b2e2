//! The status report (справка о ходе реализации) at `now`.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::indicators::{IndicatorDoc, indicators};
use super::{Mark, Org, Signer, Stamp, issuer, names, org, people, point, stamp, subtitle, task_index};
use crate::check::{Unit, Workspace};
use crate::deadline::Spec;
use crate::model::Observation;
use crate::track::{OccurrenceStatus, Report, State};

/// The status report (справка о ходе реализации) of one roadmap at `now`.
#[derive(Debug, Serialize)]
pub struct StatusDoc {
    pub id: String,
    pub org: Org,
    /// The local date of `now`.
    pub as_of: NaiveDate,
    pub title: String,
    /// The title without its leading "Дорожная карта" ("повышения качества …"), for "о ходе
    /// реализации дорожной карты {subtitle}".
    pub subtitle: String,
    pub approval: Option<Stamp>,
    pub activities: usize,
    pub totals: Figures,
    pub by_section: Vec<FigureRow>,
    pub by_executor: Vec<FigureRow>,
    pub overdue: Vec<Overdue>,
    pub at_risk: Vec<AtRisk>,
    pub moved: Vec<Moved>,
    pub indicators: Vec<IndicatorDoc>,
    /// Continuous and on-demand activities: no dates to count, named instead.
    pub undated: Vec<String>,
    pub signer: Option<Signer>,
    pub mark: Option<Mark>,
}

/// Counts of occurrences (контрольные сроки) by state, with execution discipline.
#[derive(Debug, Serialize, Default, Clone)]
pub struct Figures {
    pub total: usize,
    pub done: usize,
    pub done_on_time: usize,
    pub done_late: usize,
    pub in_progress: usize,
    pub planned: usize,
    /// Past due and not done: `no_report` of them without any report, `not_done` reported not
    /// done or partly done.
    pub overdue: usize,
    pub no_report: usize,
    pub not_done: usize,
    pub cancelled: usize,
    pub at_risk: usize,
    /// Share of those due that were done on time (0..1), absent when nothing is due yet.
    pub discipline: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct FigureRow {
    pub number: String,
    pub title: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Serialize, Clone)]
pub struct Overdue {
    /// The activity's point in the table: "1.4".
    pub point: String,
    pub title: String,
    pub executors: Vec<String>,
    /// The earliest deadline missed.
    pub due: NaiveDate,
    /// The longest delay, in days and in working days.
    pub days: i64,
    pub working_days: i64,
    /// How many dated occurrences of the activity are overdue (one per executor and date).
    pub occurrences: usize,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AtRisk {
    pub point: String,
    pub title: String,
    pub executors: Vec<String>,
    pub due: NaiveDate,
    pub forecast: Option<NaiveDate>,
}

#[derive(Debug, Serialize)]
pub struct Moved {
    pub point: String,
    pub title: String,
    pub original: NaiveDate,
    pub approved: NaiveDate,
}

/// Figures over a set of occurrence statuses.
fn figures<'a>(list: impl Iterator<Item = &'a OccurrenceStatus<'a>>) -> Figures {
    let mut f = Figures::default();
    for s in list {
        f.total += 1;
        f.at_risk += usize::from(s.at_risk);
        match s.state {
            State::DoneOnTime => f.done_on_time += 1,
            State::DoneLate { .. } => f.done_late += 1,
            State::Open | State::DueSoon => f.in_progress += 1,
            State::Planned => f.planned += 1,
            State::Overdue { reported, .. } => {
                f.overdue += 1;
                if reported {
                    f.not_done += 1;
                } else {
                    f.no_report += 1;
                }
            }
            State::Cancelled => f.cancelled += 1,
        }
    }
    f.done = f.done_on_time + f.done_late;
    let due = f.done + f.overdue;
    f.discipline = (due > 0).then(|| f.done_on_time as f64 / due as f64);
    f
}

/// The status report of one roadmap.
pub fn status(
    ws: &Workspace,
    report: &Report<'_>,
    unit_index: usize,
    as_of: NaiveDate,
    recorded: &[(String, Observation)],
) -> StatusDoc {
    let unit = &ws.units[unit_index];
    let mine: Vec<&OccurrenceStatus<'_>> = report.occurrences.iter().filter(|s| s.roadmap == unit.id).collect();
    let index = task_index(unit);
    let task_of = |s: &OccurrenceStatus<'_>| index.get(s.activity).copied().unwrap_or(0);
    // Occurrences by section in one pass.
    let mut in_section: Vec<Vec<&OccurrenceStatus<'_>>> = vec![Vec::new(); unit.sections.len()];
    for s in &mine {
        if let Some(i) = unit.tasks[task_of(s)].section {
            in_section[i].push(s);
        }
    }
    let by_section = unit
        .sections
        .iter()
        .zip(in_section)
        .enumerate()
        .map(|(i, (title, list))| FigureRow {
            number: (i + 1).to_string(),
            title: title.clone(),
            figures: figures(list.into_iter()),
        })
        .collect();
    // Occurrences by executor in one pass, executors in the order first named (joint work by a
    // hundred districts is a hundred rows, each made once).
    let mut executors: Vec<&String> = Vec::new();
    let mut row_of: HashMap<&String, usize> = HashMap::new();
    let mut of_executor: Vec<Vec<&OccurrenceStatus<'_>>> = Vec::new();
    for s in &mine {
        for e in s.executors.iter() {
            let row = *row_of.entry(e).or_insert_with(|| {
                executors.push(e);
                of_executor.push(Vec::new());
                executors.len() - 1
            });
            of_executor[row].push(s);
        }
    }
    let by_executor = executors
        .iter()
        .zip(of_executor)
        .enumerate()
        .map(|(i, (e, list))| FigureRow {
            number: (i + 1).to_string(),
            title: unit.executors.get(*e).map_or_else(|| (*e).clone(), |x| x.display_name().to_string()),
            figures: figures(list.into_iter()),
        })
        .collect();
    let overdue = overdue_items(unit, &mine, &task_of);
    let mut at_risk: Vec<AtRisk> = Vec::new();
    let mut risk_row: HashMap<usize, usize> = HashMap::new();
    for s in mine.iter().filter(|s| s.at_risk) {
        let t = task_of(s);
        match risk_row.get(&t) {
            Some(&row) => {
                let r = &mut at_risk[row];
                r.due = r.due.min(s.due_date);
                r.forecast = r.forecast.max(s.forecast_due);
            }
            None => {
                risk_row.insert(t, at_risk.len());
                at_risk.push(AtRisk {
                    point: point(unit, t),
                    title: unit.tasks[t].title.clone(),
                    executors: names(unit, s.executors),
                    due: s.due_date,
                    forecast: s.forecast_due,
                });
            }
        }
    }
    let moved = mine
        .iter()
        .filter_map(|s| {
            let t = task_of(s);
            s.original_due.map(|original| Moved {
                point: point(unit, t),
                title: unit.tasks[t].title.clone(),
                original,
                approved: s.due_date,
            })
        })
        .collect();
    let (signer, mark) = people(unit);
    StatusDoc {
        id: unit.id.clone(),
        org: org(unit, unit.controller.as_deref().or(issuer(unit))),
        as_of,
        title: unit.title.clone(),
        subtitle: subtitle(&unit.title),
        approval: stamp(unit),
        activities: unit.tasks.len(),
        totals: figures(mine.iter().copied()),
        by_section,
        by_executor,
        overdue,
        at_risk,
        moved,
        indicators: indicators(unit, as_of, recorded),
        undated: undated(unit),
        signer,
        mark,
    }
}

pub(super) fn overdue_items(
    unit: &Unit,
    mine: &[&OccurrenceStatus<'_>],
    task_of: &dyn Fn(&OccurrenceStatus<'_>) -> usize,
) -> Vec<Overdue> {
    // One row per activity: a weekly activity of twenty districts is one point of the roadmap.
    let mut items: Vec<Overdue> = Vec::new();
    let mut row_of: HashMap<usize, usize> = Default::default();
    // The executors already named in each row (by id), so that a row is a set of names.
    let mut named: Vec<std::collections::HashSet<&str>> = Vec::new();
    for s in mine {
        let State::Overdue { days, working_days, .. } = s.state else { continue };
        let t = task_of(s);
        let row = *row_of.entry(t).or_insert_with(|| {
            items.push(Overdue {
                point: point(unit, t),
                title: unit.tasks[t].title.clone(),
                executors: Vec::new(),
                due: s.due_date,
                days,
                working_days,
                occurrences: 0,
                reason: None,
            });
            named.push(Default::default());
            items.len() - 1
        });
        let item = &mut items[row];
        item.occurrences += 1;
        item.due = item.due.min(s.due_date);
        item.days = item.days.max(days);
        item.working_days = item.working_days.max(working_days);
        for id in s.executors.iter().filter(|id| named[row].insert(id.as_str())) {
            item.executors.push(unit.executors.get(id).map_or_else(|| id.clone(), |e| e.display_name().to_string()));
        }
        if item.reason.is_none() {
            item.reason = s.not_done_reason.map(String::from);
        }
    }
    items.sort_by(|a, b| b.days.cmp(&a.days).then_with(|| a.point.cmp(&b.point)));
    items
}

/// Undated work does not enter the status figures; the report names it instead.
fn undated(unit: &Unit) -> Vec<String> {
    unit.tasks
        .iter()
        .filter(|t| matches!(t.spec, Some(Spec::Continuous | Spec::OnDemand)))
        .map(|t| t.title.clone())
        .collect()
}

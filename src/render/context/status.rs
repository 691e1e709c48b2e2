//! The status report (справка о ходе реализации) at `now`.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::indicators::{IndicatorDoc, indicators};
use super::requisites::Requisites;
use super::{Mark, Missing, Org, Signer, Stamp, stamp, subtitle, task_index, written_title};
use crate::check::{Unit, Workspace};
use crate::deadline::Spec;
use crate::model::Observation;
use crate::track::{Action, Event, OccurrenceStatus, Report, State};

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
    /// Moved deadlines counted per executor.
    pub moved_by_executor: Vec<MovedCount>,
    /// Occurrences an approved amendment removed, with the reports they keep.
    pub removed: Vec<Removed>,
    /// The previous cut-off the figures are compared with, and the comparison.
    pub since: Option<NaiveDate>,
    pub comparison: Vec<Compared>,
    /// Points overdue now that were not overdue at the previous cut-off.
    pub newly_overdue: Vec<String>,
    /// Joint work counts for each of its executors, so their rows add up to more than the total.
    pub executors_exceed: bool,
    /// What the figures say, in sentences (the worst executors and sections, what is new).
    pub conclusions: Vec<String>,
    /// Execution discipline by executor as an SVG bar chart (already escaped), when anything is due.
    pub discipline_chart: Option<String>,
    pub indicators: Vec<IndicatorDoc>,
    /// Continuous and on-demand activities: no dates to count, named instead.
    pub undated: Vec<String>,
    pub signer: Option<Signer>,
    pub mark: Option<Mark>,
    /// Requisites the directory lacks: blanks in the document, warnings from `render`.
    pub missing: Vec<Missing>,
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
    /// How many of them have no report at all ("нет отчёта", not "не выполнено").
    pub no_report: usize,
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
    /// The date first approved: the baseline's when an amendment moved it.
    pub original: NaiveDate,
    pub approved: NaiveDate,
    /// Why, and who approved the move (the перенос event, or the amending order and its issuer).
    pub reason: Option<String>,
    pub approved_by: Option<String>,
    /// Executor ids, for the count by executor.
    #[serde(skip)]
    pub executors: Vec<String>,
}

/// An occurrence an approved amendment removed (docs/amendments.md): its reports stay with it.
#[derive(Debug, Serialize)]
pub struct Removed {
    /// Its point and title in the version it was reported under.
    pub point: String,
    pub title: String,
    pub due: Option<NaiveDate>,
    /// «приказ от 15.01.2024 № 12».
    pub order: String,
    /// Reports recorded on it and still in force.
    pub reports: usize,
}

/// The removed occurrences of `unit` with reports, as the log reads at `now`.
fn removed(unit: &Unit, events: &[Event], now: chrono::DateTime<chrono::FixedOffset>) -> Vec<Removed> {
    let prefix = format!("{}/", unit.id);
    let mut out: Vec<(String, Removed)> = Vec::new();
    for e in crate::track::effective(events, now) {
        let (Some(c), Some(occurrence)) = (&e.carried, &e.event.occurrence) else { continue };
        if c.rule != crate::store::Rule::Removed
            || !occurrence.starts_with(&prefix)
            || matches!(e.event.action, Action::Correction { .. })
        {
            continue;
        }
        match out.iter_mut().find(|(o, _)| o == occurrence) {
            Some((_, r)) => r.reports += 1,
            None => {
                let due = crate::compile::planned_date(occurrence);
                let r =
                    Removed { point: c.point.clone(), title: c.title.clone(), due, order: c.order.clone(), reports: 1 };
                out.push((occurrence.clone(), r));
            }
        }
    }
    out.into_iter().map(|(_, r)| r).collect()
}

/// Moved deadlines of one executor.
#[derive(Debug, Serialize)]
pub struct MovedCount {
    pub executor: String,
    pub count: usize,
}

/// Moved deadlines per executor (joint work counts for each), most first.
fn moved_counts(unit: &Unit, moved: &[Moved]) -> Vec<MovedCount> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for id in moved.iter().flat_map(|m| &m.executors) {
        match counts.iter_mut().find(|(e, _)| e == id) {
            Some((_, n)) => *n += 1,
            None => counts.push((id.clone(), 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
        .into_iter()
        .map(|(id, count)| MovedCount { executor: unit.names(std::slice::from_ref(&id)).concat(), count })
        .collect()
}

/// One line of the comparison with the previous cut-off.
#[derive(Debug, Serialize)]
pub struct Compared {
    pub label: String,
    pub before: usize,
    pub now: usize,
    /// "+3", "−2", "0".
    pub change: String,
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
    previous: Option<&Report<'_>>,
    events: &[Event],
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
    let by_section: Vec<FigureRow> = unit
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
    let by_executor: Vec<FigureRow> = executors
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
                    point: unit.point(t),
                    title: unit.tasks[t].title.clone(),
                    executors: unit.names(s.executors),
                    due: s.due_date,
                    forecast: s.forecast_due,
                });
            }
        }
    }
    // The move in force for each moved occurrence: its reason and approver.
    let moves: HashMap<&str, (&str, &str)> = crate::track::effective(events, report.now)
        .into_iter()
        .filter_map(|e| match &e.event.action {
            Action::Moved { reason, approved_by, .. } => {
                e.event.occurrence.as_deref().map(|o| (o, (reason.as_str(), approved_by.as_str())))
            }
            _ => None,
        })
        .collect();
    // An approved amendment's move (docs/amendments.md) is based on its order, approved by the
    // body that issued it; a перенос event's on its own reason and approver.
    let issuer = unit.issuer().and_then(|id| unit.executors.get(id)).map(|e| e.display_name().to_string());
    let moved: Vec<Moved> = mine
        .iter()
        .filter_map(|s| {
            let t = task_of(s);
            let why = moves.get(s.id);
            let original = s.approved_due.filter(|d| *d != s.due_date).or(s.original_due)?;
            let amended = s.approved_due.is_some() && s.original_due.is_none();
            Some(Moved {
                point: unit.point(t),
                title: unit.tasks[t].title.clone(),
                original,
                approved: s.due_date,
                reason: match (&s.amended_by, amended) {
                    (Some(order), true) => Some(format!("изменения в дорожную карту, {order}")),
                    _ => why.map(|w| w.0.to_string()).filter(|r| !r.is_empty()),
                },
                approved_by: match amended {
                    true => issuer.clone(),
                    false => why.map(|w| w.1.to_string()).filter(|a| !a.is_empty()),
                },
                executors: s.executors.to_vec(),
            })
        })
        .collect();
    let moved_by_executor = moved_counts(unit, &moved);
    let totals = figures(mine.iter().copied());
    let before: Option<(NaiveDate, Figures, Vec<Overdue>)> = previous.map(|p| {
        let then: Vec<&OccurrenceStatus<'_>> = p.occurrences.iter().filter(|s| s.roadmap == unit.id).collect();
        let since = p.now.with_timezone(&unit.tz).date_naive();
        (since, figures(then.iter().copied()), overdue_items(unit, &then, &task_of))
    });
    let newly_overdue: Vec<String> = match &before {
        Some((_, _, then)) => {
            overdue.iter().filter(|o| !then.iter().any(|t| t.point == o.point)).map(|o| o.point.clone()).collect()
        }
        None => Vec::new(),
    };
    let comparison = before.as_ref().map(|(_, then, _)| compare(then, &totals)).unwrap_or_default();
    let executors_exceed = by_executor.iter().map(|r: &FigureRow| r.figures.total).sum::<usize>() > totals.total;
    let conclusions = super::conclusions::conclusions(
        &totals,
        &by_section,
        &by_executor,
        &overdue,
        &newly_overdue,
        before.as_ref().map(|b| b.0),
    );
    let discipline_chart = crate::render::discipline::svg(&by_executor);
    let mut req = Requisites::new(unit);
    let (org, signer, mark) = req.report();
    StatusDoc {
        id: unit.id.clone(),
        org,
        missing: req.missing,
        as_of,
        title: unit.title.clone(),
        subtitle: subtitle(&written_title(unit)),
        approval: stamp(unit),
        activities: unit.tasks.len(),
        totals,
        since: before.as_ref().map(|b| b.0),
        comparison,
        newly_overdue,
        executors_exceed,
        conclusions,
        discipline_chart,
        by_section,
        by_executor,
        overdue,
        at_risk,
        moved,
        moved_by_executor,
        removed: removed(unit, events, report.now),
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
                point: unit.point(t),
                title: unit.tasks[t].title.clone(),
                executors: Vec::new(),
                due: s.due_date,
                days,
                working_days,
                occurrences: 0,
                no_report: 0,
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
        item.no_report += usize::from(matches!(s.state, State::Overdue { reported: false, .. }));
    }
    for item in items.iter_mut().filter(|i| i.reason.is_none() && i.no_report > 0) {
        item.reason = Some(if item.no_report == item.occurrences {
            "отчёт не представлен".to_string()
        } else {
            format!("отчёт не представлен ({} из {})", item.no_report, item.occurrences)
        });
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

/// The totals at the previous cut-off beside the current ones.
fn compare(before: &Figures, now: &Figures) -> Vec<Compared> {
    let line = |label: &str, b: usize, n: usize| Compared {
        label: label.to_string(),
        before: b,
        now: n,
        change: match n.cmp(&b) {
            std::cmp::Ordering::Greater => format!("+{}", n - b),
            std::cmp::Ordering::Less => format!("−{}", b - n),
            std::cmp::Ordering::Equal => "0".to_string(),
        },
    };
    vec![
        line("Выполнено", before.done, now.done),
        line("в том числе в установленный срок", before.done_on_time, now.done_on_time),
        line("Просрочено", before.overdue, now.overdue),
        line("в том числе нет отчёта", before.no_report, now.no_report),
        line("Отменено", before.cancelled, now.cancelled),
    ]
}

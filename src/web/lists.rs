//! The complete lists leadership works from: every occurrence across the roadmaps, filtered,
//! searched, sorted by any column and paged (or all at once), and the executor × roadmap view,
//! the worst first, each cell leading to the occurrences behind it. Both take their query from
//! the address, so every view is a link, and export exactly what they show (`super::exports`).

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Fail;
use super::data::{self, STATES};
use super::state::View;
use crate::compile::Occurrence;
use crate::table::{Cell, Table};
use crate::track::{OccurrenceStatus, Report, Rollup, State};

/// Rows per page of a list.
pub const PER_PAGE: usize = 50;

/// The state filter meaning both kinds of late: no report, and reported not done.
const LATE: (&str, &str) = ("late", "просрочено (всё)");

/// The occurrence list's query: filters, search, order and page.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct ListQuery {
    #[serde(default, deserialize_with = "data::blank", skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "data::blank", skip_serializing_if = "Option::is_none")]
    pub roadmap: Option<String>,
    #[serde(default, deserialize_with = "data::blank", skip_serializing_if = "Option::is_none")]
    pub executor: Option<String>,
    #[serde(default, deserialize_with = "data::blank", skip_serializing_if = "Option::is_none")]
    pub activity: Option<String>,
    /// Only occurrences at risk (a prerequisite is late).
    #[serde(default, deserialize_with = "data::blank", skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
    /// Words to find in the activity, its number, its executors or its roadmap.
    #[serde(default, deserialize_with = "data::blank", skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(default, deserialize_with = "data::blank", skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    #[serde(default, deserialize_with = "data::blank", skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
    /// `all`: every row on one page.
    #[serde(default, deserialize_with = "data::blank", skip_serializing_if = "Option::is_none")]
    pub show: Option<String>,
}

/// The occurrence list's columns: (key, header).
const COLUMNS: [(&str, &str); 6] = [
    ("due", "Срок"),
    ("title", "Мероприятие"),
    ("executor", "Исполнители"),
    ("state", "Состояние"),
    ("late", "Дней просрочки"),
    ("roadmap", "Дорожная карта"),
];

impl ListQuery {
    fn late_first(&self) -> bool {
        matches!(self.state.as_deref(), Some("late" | "overdue" | "not_done"))
    }

    /// The column sorted by and its direction: by default the latest first when the list is
    /// of late work, else the nearest deadline first.
    fn order(&self) -> Result<(&str, bool), Fail> {
        let key = self.sort.as_deref().unwrap_or(if self.late_first() { "late" } else { "due" });
        if !COLUMNS.iter().any(|(k, _)| *k == key) {
            let known: Vec<&str> = COLUMNS.iter().map(|(k, _)| *k).collect();
            return Err(Fail::bad(format!("нельзя упорядочить по «{key}»: можно по {}", known.join(", "))));
        }
        let descending = match self.dir.as_deref() {
            None => key == "late",
            Some("desc") => true,
            Some("asc") => false,
            Some(other) => {
                return Err(Fail::bad(format!("порядок «{other}»: asc (по возрастанию) или desc (по убыванию)")));
            }
        };
        Ok((key, descending))
    }

    /// This list's address with `change` applied.
    pub fn link(&self, path: &str, change: impl FnOnce(&mut ListQuery)) -> String {
        let mut q = self.clone();
        change(&mut q);
        let query = serde_urlencoded::to_string(&q).unwrap_or_default();
        if query.is_empty() { path.to_string() } else { format!("{path}?{query}") }
    }
}

/// Who is named on an occurrence (by id): its one executor, or its joint executors.
fn names(o: &Occurrence) -> impl Iterator<Item = &str> {
    o.executor().into_iter().chain(o.executors.iter().map(String::as_str))
}

/// The occurrences the query selects, in its order (all of them, before paging).
pub fn select<'v>(view: &'v View, report: &'v Report<'v>, q: &ListQuery) -> Result<Vec<usize>, Fail> {
    if let Some(state) = &q.state {
        if state != LATE.0 && !STATES.iter().any(|(s, _)| s == state) {
            return Err(Fail::bad(format!("неизвестное состояние «{state}»")));
        }
    }
    let (key, descending) = q.order()?;
    let ws = view.workspace();
    let needle = q.q.as_deref().map(str::to_lowercase);
    let title = |i: usize| {
        let o = &view.plan.occurrences[i];
        let task = &ws.units[o.unit].tasks[o.task];
        (task.number.clone().unwrap_or_default(), task.title.as_str())
    };
    let executor_names = |i: usize| -> Vec<String> {
        let o = &view.plan.occurrences[i];
        let unit = &ws.units[o.unit];
        names(o).map(|e| unit.executors.get(e).map_or(e, |x| x.display_name()).to_string()).collect()
    };
    let mut chosen: Vec<usize> = (0..view.plan.occurrences.len())
        .filter(|&i| {
            let (o, s) = (&view.plan.occurrences[i], &report.occurrences[i]);
            q.state.as_deref().is_none_or(|st| {
                if st == LATE.0 { matches!(s.state, State::Overdue { .. }) } else { s.state.name() == st }
            }) && q.roadmap.as_deref().is_none_or(|r| s.roadmap == r)
                && q.executor.as_deref().is_none_or(|e| names(o).any(|n| n == e))
                && q.activity.as_deref().is_none_or(|a| s.activity == a)
                && (q.risk.is_none() || s.at_risk)
        })
        .collect();
    if let Some(needle) = &needle {
        chosen.retain(|&i| {
            let o = &view.plan.occurrences[i];
            let (number, text) = title(i);
            let unit = &ws.units[o.unit];
            text.to_lowercase().contains(needle)
                || number == *needle
                || unit.title.to_lowercase().contains(needle)
                || o.id.to_lowercase().contains(needle)
                || executor_names(i).iter().any(|n| n.to_lowercase().contains(needle))
        });
    }
    let late = |s: &OccurrenceStatus<'_>| match s.state {
        State::Overdue { days, .. } => days,
        _ => 0,
    };
    let state_rank = |s: &OccurrenceStatus<'_>| STATES.iter().position(|(n, _)| *n == s.state.name());
    let compare = |&a: &usize, &b: &usize| -> Ordering {
        let (sa, sb) = (&report.occurrences[a], &report.occurrences[b]);
        let primary = match key {
            "due" => sa.due_date.cmp(&sb.due_date),
            "title" => natural(&title(a).0, &title(b).0).then_with(|| title(a).1.cmp(title(b).1)),
            "executor" => executor_names(a).first().cmp(&executor_names(b).first()),
            "state" => state_rank(sa).cmp(&state_rank(sb)),
            "late" => late(sa).cmp(&late(sb)),
            _ => ws.units[view.plan.occurrences[a].unit].title.cmp(&ws.units[view.plan.occurrences[b].unit].title),
        };
        let primary = if descending { primary.reverse() } else { primary };
        primary.then_with(|| sa.due_date.cmp(&sb.due_date)).then_with(|| a.cmp(&b))
    };
    chosen.sort_by(compare);
    Ok(chosen)
}

/// Item numbers in document order: "2.10" after "2.9".
fn natural(a: &str, b: &str) -> Ordering {
    let parts = |s: &str| s.split('.').map(|p| p.trim().parse::<u32>().unwrap_or(u32::MAX)).collect::<Vec<_>>();
    parts(a).cmp(&parts(b)).then_with(|| a.cmp(b))
}

/// The occurrence list page: the rows of the page asked for, with links to sort, to page, to
/// show everything and to export.
pub fn occurrences(view: &View, report: &Report<'_>, q: &ListQuery) -> Result<Value, Fail> {
    let chosen = select(view, report, q)?;
    let (key, descending) = q.order()?;
    let total = chosen.len();
    let all = q.show.as_deref() == Some("all");
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let shown: &[usize] =
        if all { &chosen } else { &chosen[((page - 1) * PER_PAGE).min(total)..(page * PER_PAGE).min(total)] };
    let rows: Vec<Value> = shown
        .iter()
        .map(|&i| {
            let s = &report.occurrences[i];
            let mut row = data::item(view, s);
            if let State::Overdue { days, .. } = s.state {
                row["days_late"] = json!(days);
            }
            row
        })
        .collect();
    let columns: Vec<Value> = COLUMNS
        .iter()
        .map(|(k, label)| {
            let sorted = (*k == key).then_some(if descending { "descending" } else { "ascending" });
            // A click sorts by the column; a second click reverses it.
            let dir = if *k == key {
                if descending { "asc" } else { "desc" }
            } else if *k == "late" {
                "desc"
            } else {
                "asc"
            };
            let href = q.link("/occurrences", |n| {
                n.sort = Some(k.to_string());
                n.dir = Some(dir.into());
                n.page = None;
            });
            json!({"key": k, "label": label, "href": href, "sorted": sorted})
        })
        .collect();
    let page_links: Vec<Value> = (1..=pages)
        .filter(|n| pages <= 15 || *n <= 3 || *n + 3 > pages || n.abs_diff(page) <= 2)
        .map(|n| json!({"n": n, "href": q.link("/occurrences", |x| { x.page = Some(n); x.show = None; }), "current": !all && n == page}))
        .collect();
    let ws = view.workspace();
    let mut executors: Vec<(String, String)> = Vec::new();
    for unit in &ws.units {
        for (id, e) in unit.executors.iter() {
            if !executors.iter().any(|(i, _)| i == id) {
                executors.push((id.clone(), e.display_name().to_string()));
            }
        }
    }
    executors.sort_by(|a, b| a.1.cmp(&b.1));
    let states: Vec<Value> = std::iter::once(LATE)
        .chain(STATES)
        .map(|(id, ru)| json!({"id": id, "ru": ru, "selected": q.state.as_deref() == Some(id)}))
        .collect();
    let from = if total == 0 {
        0
    } else if all {
        1
    } else {
        (page - 1) * PER_PAGE + 1
    };
    let to = if all { total } else { (page * PER_PAGE).min(total) };
    Ok(json!({
        "title": "Контрольные сроки",
        "query": q,
        "rows": rows,
        "total": total,
        "from": from,
        "to": to,
        "all": all,
        "paged": pages > 1,
        "page": page,
        "pages": pages,
        "page_links": page_links,
        "all_href": q.link("/occurrences", |x| { x.show = Some("all".into()); x.page = None; }),
        "paged_href": q.link("/occurrences", |x| x.show = None),
        "columns": columns,
        "states": states,
        "roadmaps": ws.units.iter().map(|u| json!({"id": u.id, "title": u.title, "selected": q.roadmap.as_deref() == Some(u.id.as_str())})).collect::<Vec<_>>(),
        "executors": executors.iter().map(|(id, name)| json!({"id": id, "name": name, "selected": q.executor.as_deref() == Some(id.as_str())})).collect::<Vec<_>>(),
        "xlsx": q.link("/occurrences/export.xlsx", |x| { x.page = None; x.show = None; }),
        "csv": q.link("/occurrences/export.csv", |x| { x.page = None; x.show = None; }),
    }))
}

/// Every occurrence the query selects, as a table (all pages).
pub fn occurrences_table(view: &View, report: &Report<'_>, q: &ListQuery) -> Result<Table, Fail> {
    let chosen = select(view, report, q)?;
    let list: Vec<&OccurrenceStatus<'_>> = chosen.iter().map(|&i| &report.occurrences[i]).collect();
    let title = format!("Контрольные сроки на {}", crate::ru::date_digits(view.today()));
    Ok(crate::table::occurrences(&title, view.workspace(), &view.plan, &list))
}

/// The executor × roadmap view's query.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct DistrictQuery {
    #[serde(default, deserialize_with = "data::blank", skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// `late` (default), `risk`, `discipline` or `name`.
    #[serde(default, deserialize_with = "data::blank", skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
}

fn late(r: &Rollup<'_>) -> usize {
    r.states.get("overdue") + r.states.get("not_done")
}

/// One executor's line of the view: their roll-up overall and per roadmap.
struct Line<'r> {
    overall: &'r Rollup<'r>,
    cells: Vec<Option<&'r Rollup<'r>>>,
}

/// The lines of the view, the worst first, and the roadmaps they span.
fn lines<'r>(report: &'r Report<'r>, q: &DistrictQuery) -> Result<(Vec<&'r Rollup<'r>>, Vec<Line<'r>>), Fail> {
    let roadmaps: Vec<&Rollup<'_>> =
        report.roadmaps.iter().filter(|r| report.executors_by_roadmap.iter().any(|(k, _)| *k == r.key)).collect();
    let needle = q.q.as_deref().map(str::to_lowercase);
    let mut lines: Vec<Line<'_>> = report
        .executors
        .iter()
        .filter(|e| needle.as_deref().is_none_or(|n| e.title.to_lowercase().contains(n) || e.key.contains(n)))
        .map(|e| Line {
            overall: e,
            cells: roadmaps
                .iter()
                .map(|r| {
                    report.executors_by_roadmap.iter().find(|(k, c)| *k == r.key && c.key == e.key).map(|(_, c)| c)
                })
                .collect(),
        })
        .collect();
    // Nothing due yet ranks after the worst discipline.
    let d = |r: &Rollup<'_>| r.discipline.unwrap_or(2.0);
    let sort = q.sort.as_deref().unwrap_or("late");
    if !["late", "risk", "discipline", "name"].contains(&sort) {
        return Err(Fail::bad(format!("нельзя упорядочить по «{sort}»: можно по late, risk, discipline, name")));
    }
    lines.sort_by(|a, b| {
        let (a, b) = (a.overall, b.overall);
        let worse = match sort {
            "late" => late(b).cmp(&late(a)).then_with(|| d(a).total_cmp(&d(b))),
            "risk" => b.at_risk.cmp(&a.at_risk).then_with(|| late(b).cmp(&late(a))),
            "discipline" => d(a).total_cmp(&d(b)).then_with(|| late(b).cmp(&late(a))),
            _ => Ordering::Equal,
        };
        worse.then_with(|| a.title.cmp(&b.title))
    });
    Ok((roadmaps, lines))
}

/// The executor × roadmap view: for each executor and roadmap, how much is late (no report,
/// reported not done), at risk, and the discipline; the worst executors first.
pub fn districts(report: &Report<'_>, q: &DistrictQuery) -> Result<Value, Fail> {
    let (roadmaps, lines) = lines(report, q)?;
    let cell = |executor: &str, roadmap: Option<&str>, r: &Rollup<'_>| {
        let list = ListQuery {
            executor: Some(executor.to_string()),
            roadmap: roadmap.map(String::from),
            state: (late(r) > 0).then(|| LATE.0.to_string()),
            ..ListQuery::default()
        };
        json!({
            "late": late(r), "no_report": r.states.get("overdue"), "not_done": r.states.get("not_done"),
            "at_risk": r.at_risk, "due": r.due, "total": r.total,
            "discipline_text": r.discipline.map(crate::ru::percent),
            "href": list.link("/occurrences", |_| {}),
        })
    };
    let rows: Vec<Value> = lines
        .iter()
        .map(|line| {
            let e = line.overall;
            json!({
                "key": e.key, "title": e.title,
                "overall": cell(&e.key, None, e),
                "cells": line.cells.iter().zip(&roadmaps).map(|(c, r)| c.map(|c| cell(&e.key, Some(&r.key), c))).collect::<Vec<_>>(),
            })
        })
        .collect();
    let sorts = [
        ("late", "по просрочкам"),
        ("risk", "по угрозе срыва"),
        ("discipline", "по дисциплине"),
        ("name", "по алфавиту"),
    ];
    let current = q.sort.as_deref().unwrap_or("late");
    let link = |sort: &str| {
        let q = DistrictQuery { sort: Some(sort.to_string()), ..q.clone() };
        format!("/districts?{}", serde_urlencoded::to_string(&q).unwrap_or_default())
    };
    let export = |ext: &str| format!("/districts/export.{ext}?{}", serde_urlencoded::to_string(q).unwrap_or_default());
    Ok(json!({
        "title": "Исполнители по дорожным картам",
        "query": q,
        "roadmaps": roadmaps.iter().map(|r| json!({"key": r.key, "title": r.title})).collect::<Vec<_>>(),
        "rows": rows,
        "sorts": sorts.iter().map(|(k, ru)| json!({"key": k, "ru": ru, "href": link(k), "current": *k == current})).collect::<Vec<_>>(),
        "xlsx": export("xlsx"),
        "csv": export("csv"),
    }))
}

/// The executor × roadmap view as a table: the totals, then late / at risk per roadmap.
pub fn districts_table(report: &Report<'_>, q: &DistrictQuery, today: chrono::NaiveDate) -> Result<Table, Fail> {
    let (roadmaps, lines) = lines(report, q)?;
    let mut columns: Vec<(String, f64)> = [
        ("Исполнитель", 36.0),
        ("Просрочено", 11.0),
        ("из них нет отчёта", 11.0),
        ("из них не выполнено", 11.0),
        ("Под угрозой", 10.0),
        ("Наступило сроков", 10.0),
        ("Исполнительская дисциплина, %", 13.0),
    ]
    .iter()
    .map(|(n, w)| (n.to_string(), *w))
    .collect();
    for r in &roadmaps {
        columns.push((format!("{}: просрочено", r.title), 16.0));
        columns.push((format!("{}: под угрозой", r.title), 16.0));
    }
    let number = |n: usize| Cell::Number(n as f64);
    let rows = lines
        .iter()
        .map(|line| {
            let e = line.overall;
            let mut row = vec![
                Cell::from(e.title.as_ref()),
                number(late(e)),
                number(e.states.get("overdue")),
                number(e.states.get("not_done")),
                number(e.at_risk),
                number(e.due),
                e.discipline.map_or(Cell::Empty, |d| Cell::Number((d * 1000.0).round() / 10.0)),
            ];
            for c in &line.cells {
                match c {
                    Some(c) => row.extend([number(late(c)), number(c.at_risk)]),
                    None => row.extend([Cell::Empty, Cell::Empty]),
                }
            }
            row
        })
        .collect();
    Ok(Table { title: format!("Исполнители на {}", crate::ru::date_digits(today)), columns, rows })
}

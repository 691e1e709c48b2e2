//! The data of each page, made from the view at `now`. The HTML pages fill templates with it
//! and the JSON API returns it as is, so both always say the same.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use serde::Deserialize;
use serde_json::{Value, json};

use super::state::View;
use super::{Fail, gantt};
use crate::check::Unit;
use crate::compile::Occurrence;
use crate::render::{self, context};
use crate::store::MoveRequest;
use crate::track::{Action, OccurrenceStatus, Report, Rollup, State};

/// States as filters offer them.
pub const STATES: [(&str, &str); 8] = [
    ("overdue", "просрочено, нет отчёта"),
    ("not_done", "не выполнено (по отчёту)"),
    ("due_soon", "срок скоро"),
    ("open", "в работе"),
    ("planned", "запланировано"),
    ("done_on_time", "выполнено в срок"),
    ("done_late", "выполнено с опозданием"),
    ("cancelled", "отменено"),
];

/// The roadmap page's filters (query string).
#[derive(Debug, Default, Clone, Deserialize, serde::Serialize)]
pub struct Filters {
    #[serde(default, deserialize_with = "blank")]
    pub executor: Option<String>,
    #[serde(default, deserialize_with = "blank")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "blank_date")]
    pub from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "blank_date")]
    pub to: Option<NaiveDate>,
}

pub(super) fn blank<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.trim().is_empty()))
}

pub(super) fn blank_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match blank(d)? {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| serde::de::Error::custom(format!("«{s}» — не дата (ГГГГ-ММ-ДД)"))),
    }
}

fn digits(d: NaiveDate) -> String {
    crate::ru::date_digits(d)
}

fn rollup(r: &Rollup<'_>) -> Value {
    json!({
        "key": r.key, "title": r.title, "total": r.total, "states": r.states, "at_risk": r.at_risk,
        "overdue": r.states.get("overdue") + r.states.get("not_done"),
        "no_report": r.states.get("overdue"), "not_done": r.states.get("not_done"), "due": r.due, "done_on_time": r.done_on_time,
        "discipline": r.discipline, "discipline_text": r.discipline.map(crate::ru::percent),
    })
}

/// An occurrence in a list.
pub(super) fn item(view: &View, s: &OccurrenceStatus<'_>) -> Value {
    let ws = view.workspace();
    let o = view.plan.position(s.id).map(|i| &view.plan.occurrences[i]);
    let unit = o.map(|o| &*ws.units[o.unit]);
    let task = o.and_then(|o| unit.map(|u| &u.tasks[o.task]));
    json!({
        "id": s.id,
        "roadmap": s.roadmap,
        "roadmap_title": unit.map(|u| u.title.as_str()),
        "activity": s.activity,
        "number": task.and_then(|t| t.number.as_deref()),
        "title": task.map(|t| t.title.as_str()),
        "executor": o.and_then(|o| o.executor()).map(|e| name(unit, e)),
        "executors": s.executors.iter().map(|e| name(unit, e)).collect::<Vec<_>>(),
        "state": s.state.name(),
        "state_ru": s.state.ru(),
        "due": s.due_date,
        "due_text": digits(s.due_date),
        "original_due": s.original_due,
        "approved_due": s.approved_due,
        "amended_by": s.amended_by,
        "done_on": s.done_on,
        "at_risk": s.at_risk,
    })
}

fn name(unit: Option<&Unit>, id: &str) -> String {
    unit.and_then(|u| u.executors.get(id).map(|e| e.display_name().to_string()))
        .or_else(|| unit.and_then(|u| u.groups.get(id).map(|g| g.name.clone())))
        .unwrap_or_else(|| id.to_string())
}

/// The overview: figures, every roadmap, the league table of executors.
pub fn overview(view: &View, report: &Report<'_>) -> Value {
    // The league ranks those with something due by discipline; equal discipline shares a place
    // (when everyone is at 0 %, everyone is first, fewest late listed first). Those with nothing
    // due yet are not ranked at all.
    let mut league: Vec<&Rollup<'_>> = report.executors.iter().filter(|r| r.due > 0).collect();
    let late = |r: &Rollup<'_>| r.states.get("overdue") + r.states.get("not_done");
    league.sort_by(|a, b| {
        b.discipline
            .unwrap_or(0.0)
            .total_cmp(&a.discipline.unwrap_or(0.0))
            .then(late(a).cmp(&late(b)))
            .then(a.title.cmp(&b.title))
    });
    let mut place = 0;
    let mut previous = None;
    let league: Vec<Value> = league
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if previous != Some(r.discipline) {
                place = i + 1;
                previous = Some(r.discipline);
            }
            let mut v = rollup(r);
            v["place"] = json!(place);
            v
        })
        .collect();
    let waiting: Vec<&str> =
        report.executors.iter().filter(|r| r.due == 0 && r.total > 0).map(|r| r.title.as_ref()).collect();
    let roadmaps: Vec<Value> = report
        .roadmaps
        .iter()
        .map(|r| {
            let unit = view.workspace().units.iter().find(|u| u.id == r.key);
            let mut v = rollup(r);
            v["protocol"] = json!(unit.is_some_and(|u| u.protocol));
            v
        })
        .collect();
    // The most recently missed first: what leadership can still chase this week (the full list,
    // sortable either way, is /occurrences).
    let mut late_list: Vec<&OccurrenceStatus<'_>> =
        report.occurrences.iter().filter(|s| matches!(s.state, State::Overdue { .. })).collect();
    late_list.sort_by_key(|s| (std::cmp::Reverse(s.due_date), s.id));
    let overdue: Vec<Value> = late_list.iter().take(50).map(|s| item(view, s)).collect();
    let at_risk: Vec<Value> = report.occurrences.iter().filter(|s| s.at_risk).take(50).map(|s| item(view, s)).collect();
    json!({
        "title": "Обзор исполнения",
        "total": rollup(&report.total),
        "roadmaps": roadmaps,
        "league": league,
        "waiting": waiting,
        "overdue": overdue,
        "overdue_count": late_list.len(),
        "at_risk": at_risk,
        "at_risk_count": report.occurrences.iter().filter(|s| s.at_risk).count(),
    })
}

/// The roadmap page: the table by section as approved, each row with its status.
pub fn roadmap(view: &View, report: &Report<'_>, id: &str, filters: &Filters) -> Result<Value, Fail> {
    let ws = view.workspace();
    let (u, unit) = unit(view, id)?;
    if let Some(status) = &filters.status {
        if !STATES.iter().any(|(s, _)| s == status) {
            return Err(Fail::bad(format!("неизвестное состояние «{status}»")));
        }
    }
    let by_task = occurrences_by_task(view, u);
    let doc = context::roadmap(unit, None);
    let doc_rows: Vec<&context::Row> =
        doc.as_ref().map(|d| d.sections.iter().flat_map(|s| &s.rows).collect()).unwrap_or_default();
    let keep = |i: &usize| {
        let o = &view.plan.occurrences[*i];
        let s = &report.occurrences[*i];
        filters.executor.as_ref().is_none_or(|e| o.executor() == Some(e.as_str()) || o.executors.contains(e))
            && filters.status.as_ref().is_none_or(|st| s.state.name() == st)
            && filters.from.is_none_or(|f| s.due_date >= f)
            && filters.to.is_none_or(|t| s.due_date <= t)
    };
    let filtered =
        filters.executor.is_some() || filters.status.is_some() || filters.from.is_some() || filters.to.is_some();
    let mut sections: Vec<Value> = unit.sections.iter().map(|t| json!({"title": t, "rows": []})).collect();
    sections.push(json!({"title": "", "rows": []}));
    let mut shown = 0;
    for (t, task) in unit.tasks.iter().enumerate() {
        let all = by_task.get(&t).map(Vec::as_slice).unwrap_or_default();
        let mine: Vec<usize> = all.iter().copied().filter(keep).collect();
        if filtered && mine.is_empty() {
            continue;
        }
        let row = doc_rows.get(t).filter(|r| r.title == task.title);
        let current = mine
            .iter()
            .copied()
            .find(|&i| !report.occurrences[i].state.is_done() && report.occurrences[i].state != State::Cancelled)
            .or(mine.last().copied());
        let done = mine.iter().filter(|&&i| report.occurrences[i].state.is_done()).count();
        let (state, state_ru, next) = match current {
            Some(i) => {
                let s = &report.occurrences[i];
                let next = (!s.state.is_done() && s.state != State::Cancelled).then(|| digits(s.due_date));
                (s.state.name(), s.state.ru(), next)
            }
            None => ("undated", "без срока".to_string(), None),
        };
        // The next date's slip against the baseline, beside it (docs/amendments.md, section 5).
        let slip = current.map(|i| &report.occurrences[i]).filter(|_| next.is_some());
        let section = task.section.unwrap_or(unit.sections.len());
        shown += 1;
        let value = json!({
            "activity": task.key(unit),
            "number": row.map(|r| r.number.clone()).or(task.number.clone()),
            "title": task.title,
            "executors": row.map(|r| r.executors.clone()).unwrap_or_else(|| task.executors.iter().map(|e| name(Some(unit), e)).collect()),
            "deadline": row.map(|r| r.due.clone()).or(task.phrase.clone()),
            "result": row.and_then(|r| r.result.clone()),
            "state": state,
            "state_ru": state_ru,
            "next_due": next,
            "approved_due": slip.and_then(|s| s.approved_due),
            "amended_by": slip.and_then(|s| s.amended_by.as_deref()),
            "current": current.map(|i| view.plan.occurrences[i].id.as_str()),
            "done": done,
            "count": mine.len(),
            "critical": mine.iter().any(|&i| view.plan.occurrences[i].critical),
            "at_risk": mine.iter().any(|&i| report.occurrences[i].at_risk),
            "activity_id": task.id,
            "late": mine.iter().filter(|&&i| matches!(report.occurrences[i].state, State::Overdue { .. })).count(),
        });
        if let Some(Value::Array(rows)) = sections.get_mut(section).and_then(|s| s.get_mut("rows")) {
            rows.push(value);
        }
    }
    sections.retain(|s| s["rows"].as_array().is_some_and(|r| !r.is_empty()));
    let totals = report.roadmaps.iter().find(|r| r.key == unit.id).map(rollup);
    let mut executors: Vec<Value> = unit.executors.iter().map(|(id, e)| json!({"id": id, "name": e.display_name(), "selected": filters.executor.as_deref() == Some(id.as_str())})).collect();
    executors.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    Ok(json!({
        "title": unit.title,
        "roadmap": {"id": unit.id, "title": unit.title, "protocol": unit.protocol, "from": digits(unit.period.from), "to": digits(unit.period.to)},
        "totals": totals,
        "filters": filters,
        "filtered": filtered,
        "shown": shown,
        "executors": executors,
        "states": STATES.iter().map(|(id, ru)| json!({"id": id, "ru": ru, "selected": filters.status.as_deref() == Some(*id)})).collect::<Vec<_>>(),
        "sections": sections,
        "documents": documents(ws, unit),
    }))
}

/// The documents of a roadmap (or protocol) and their formats.
fn documents(ws: &crate::check::Workspace, unit: &Unit) -> Vec<Value> {
    let kinds: &[(&str, &str)] = if unit.protocol {
        &[("protocol", "Протокол")]
    } else {
        &[
            ("roadmap", "Приказ и дорожная карта"),
            ("status", "Справка о ходе реализации"),
            ("overdue-letter", "Письма о неисполнении"),
            ("indicators", "Отчёт о показателях"),
        ]
    };
    let _ = ws;
    kinds
        .iter()
        .map(|(kind, title)| {
            // Excel only for the kinds whose tables are workbooks.
            let xlsx = crate::render::XLSX_KINDS.iter().any(|k| k.name() == *kind);
            let formats: Vec<Value> = ["docx", "pdf", "xlsx", "html", "md"]
                .iter()
                .filter(|f| **f != "xlsx" || xlsx)
                .map(|f| json!({"ext": f, "file": format!("{kind}.{f}")}))
                .collect();
            json!({"kind": kind, "title": title, "formats": formats})
        })
        .collect()
}

fn unit<'v>(view: &'v View, id: &str) -> Result<(usize, &'v Unit), Fail> {
    view.workspace()
        .units
        .iter()
        .enumerate()
        .find(|(_, u)| u.id == id)
        .map(|(i, u)| (i, &**u))
        .ok_or_else(|| Fail::not_found(format!("нет дорожной карты «{id}»")))
}

fn occurrences_by_task(view: &View, u: usize) -> HashMap<usize, Vec<usize>> {
    let mut by_task: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, o) in view.plan.occurrences.iter().enumerate().filter(|(_, o)| o.unit == u) {
        by_task.entry(o.task).or_default().push(i);
    }
    by_task
}

/// The timeline: an SVG Gantt chart of the roadmap.
pub fn timeline(view: &View, report: &Report<'_>, id: &str) -> Result<Value, Fail> {
    let (u, unit) = unit(view, id)?;
    let by_task = occurrences_by_task(view, u);
    let mut lanes: Vec<gantt::Lane> =
        unit.sections.iter().map(|t| gantt::Lane { title: t.clone(), bars: Vec::new() }).collect();
    lanes.push(gantt::Lane { title: "Прочее".into(), bars: Vec::new() });
    for (t, task) in unit.tasks.iter().enumerate() {
        let Some(list) = by_task.get(&t) else { continue };
        let link = |i: usize| format!("/o/{}", encode(&view.plan.occurrences[i].id));
        let ticks = list
            .iter()
            .map(|&i| {
                let (o, s) = (&view.plan.occurrences[i], &report.occurrences[i]);
                gantt::Tick {
                    opens: o.opens,
                    due: s.due_date,
                    state: s.state.name(),
                    label: format!("срок {} — {}", digits(s.due_date), s.state.ru()),
                    href: link(i),
                }
            })
            .collect();
        let first_open = list.iter().copied().find(|&i| !report.occurrences[i].state.is_done()).unwrap_or(list[0]);
        let lane = task.section.unwrap_or(unit.sections.len());
        if let Some(l) = lanes.get_mut(lane) {
            l.bars.push(gantt::Bar {
                number: task.number.clone().unwrap_or_default(),
                title: task.title.clone(),
                href: link(first_open),
                critical: list.iter().any(|&i| view.plan.occurrences[i].critical),
                ticks,
            });
        }
    }
    lanes.retain(|l| !l.bars.is_empty());
    Ok(json!({
        "title": format!("График: {}", unit.title),
        "roadmap": {"id": unit.id, "title": unit.title},
        "svg": gantt::svg(&lanes, view.today()),
    }))
}

/// An executor's deadlines: due in the coming weeks, overdue, recently done.
pub fn executor(view: &View, report: &Report<'_>, id: &str, weeks: u64) -> Result<Value, Fail> {
    let ws = view.workspace();
    let unit = ws
        .units
        .iter()
        .find(|u| u.executors.contains_key(id))
        .ok_or_else(|| Fail::not_found(format!("нет исполнителя «{id}»")))?;
    let today = view.today();
    let horizon = today.checked_add_days(Days::new(weeks * 7)).unwrap_or(today);
    let recent = today.checked_sub_days(Days::new(30)).unwrap_or(today);
    let mine = |o: &Occurrence| o.executor() == Some(id) || o.executors.iter().any(|e| e == id);
    let pick = |f: &dyn Fn(&OccurrenceStatus<'_>) -> bool| -> Vec<Value> {
        let mut list: Vec<&OccurrenceStatus<'_>> = view
            .plan
            .occurrences
            .iter()
            .zip(&report.occurrences)
            .filter(|(o, s)| mine(o) && f(s))
            .map(|(_, s)| s)
            .collect();
        list.sort_by_key(|s| s.due_date);
        list.into_iter().map(|s| item(view, s)).collect()
    };
    let upcoming = pick(&|s| matches!(s.state, State::Open | State::DueSoon | State::Planned) && s.due_date <= horizon);
    let overdue = pick(&|s| matches!(s.state, State::Overdue { .. }));
    let done = pick(&|s| s.state.is_done() && s.done_on.is_some_and(|d| d >= recent));
    let e = &unit.executors[id];
    Ok(json!({
        "title": format!("Сроки: {}", e.display_name()),
        "executor": {"id": id, "name": e.name, "short": e.short, "email": e.email},
        "weeks": weeks,
        "horizon": digits(horizon),
        "totals": report.executors.iter().find(|r| r.key == id).map(rollup),
        "upcoming": upcoming,
        "overdue": overdue,
        "done": done,
    }))
}

/// One occurrence: details, dependencies, the whole history, requests to move it.
pub fn occurrence(view: &View, report: &Report<'_>, id: &str, moves: &[MoveRequest]) -> Result<Value, Fail> {
    let i = view.plan.position(id).ok_or_else(|| Fail::not_found(format!("нет срока «{id}»")))?;
    let (o, s) = (&view.plan.occurrences[i], &report.occurrences[i]);
    let unit = &view.workspace().units[o.unit];
    let task = &unit.tasks[o.task];
    let related = |ids: &mut dyn Iterator<Item = usize>| -> Vec<Value> {
        ids.map(|j| item(view, &report.occurrences[j])).collect()
    };
    let depends = related(&mut o.depends_on.iter().copied());
    let dependents = related(
        &mut view.plan.occurrences.iter().enumerate().filter(|(_, x)| x.depends_on.contains(&i)).map(|(j, _)| j),
    );
    let history = history(view, id);
    let section = task.section.and_then(|k| unit.sections.get(k));
    Ok(json!({
        "title": task.title,
        "occurrence": item(view, s),
        "roadmap": {"id": unit.id, "title": unit.title},
        "section": section,
        "phrase": task.phrase,
        "opens": digits(o.opens),
        // The due instant in force: after an approved move, the new one.
        "due_at": s.due.format("%d.%m.%Y %H:%M").to_string(),
        "forecast_due": s.forecast_due.map(digits),
        "percent": s.percent,
        "not_done_reason": s.not_done_reason,
        "accepted": s.accepted,
        "rejected_reason": s.rejected_reason,
        "critical": o.critical,
        "slack_days": o.slack_days,
        "depends": depends,
        "dependents": dependents,
        "history": history,
        "moves": moves.iter().map(|m| json!({
            "id": m.id, "date": digits(m.date), "reason": m.reason, "requested_by": m.requested_by,
            "requested_at": m.requested_at, "decision": m.decision, "decided_by": m.decided_by,
            "pending": m.decision.is_none(),
        })).collect::<Vec<_>>(),
        "today": view.today(),
    }))
}

/// The events recorded about an occurrence up to now, oldest first, each marked when a later
/// correction took it back, and when an approved amendment carried it here from another
/// occurrence or removed its occurrence (docs/amendments.md, section 4).
pub(super) fn history(view: &View, id: &str) -> Vec<Value> {
    let superseded: Vec<i64> = view
        .events
        .iter()
        .filter_map(|e| match e.event.action {
            Action::Correction { supersedes, .. } => Some(supersedes),
            _ => None,
        })
        .collect();
    view.events
        .iter()
        .filter(|e| e.event.occurrence.as_deref() == Some(id) && e.event.recorded_at <= view.now)
        .map(|e| {
            json!({
                "id": e.id,
                "kind": e.event.action.name(),
                "text": e.event.action.describe(None),
                "note": e.event.note,
                "evidence": e.event.evidence,
                "author": e.event.author,
                "recorded_at": e.event.recorded_at.format("%d.%m.%Y %H:%M").to_string(),
                "superseded": superseded.contains(&e.id),
                "carried": e.carried.as_ref().map(|c| json!({
                    "from": c.from, "rule": c.rule.name(), "order": c.order,
                    "text": match c.rule {
                        crate::store::Rule::Removed => format!("мероприятие исключено: {}", c.order),
                        _ => format!("перенесено с {} при утверждении изменений: {}", c.from, c.order),
                    },
                })),
            })
        })
        .collect()
}

/// What waits for `user`'s decision: move requests pending on the roadmaps they review, and
/// reports done but not yet accepted (снять с контроля) there. Empty for those who review
/// nothing (coordinators, leadership).
pub fn awaiting(view: &View, report: &Report<'_>, user: &crate::store::User, moves: &[MoveRequest]) -> Value {
    let ws = view.workspace();
    let reviews = |occurrence: &str| {
        view.plan
            .position(occurrence)
            .is_some_and(|i| super::access::may_review(user, &ws.units[view.plan.occurrences[i].unit]))
    };
    let pending: Vec<Value> = moves
        .iter()
        .filter(|m| m.decision.is_none() && reviews(&m.occurrence))
        .map(|m| {
            let shown = view.plan.position(&m.occurrence).map(|i| item(view, &report.occurrences[i]));
            json!({
                "id": m.id, "occurrence": m.occurrence, "date": digits(m.date), "reason": m.reason,
                "requested_by": m.requested_by, "item": shown,
            })
        })
        .collect();
    let to_accept: Vec<Value> = report
        .occurrences
        .iter()
        .filter(|s| s.state.is_done() && !s.accepted && reviews(s.id))
        .map(|s| item(view, s))
        .collect();
    json!({"moves": pending, "reports": to_accept, "count": pending.len() + to_accept.len()})
}

/// A piece of evidence as shown: a web link as is; an uploaded file by the name it was uploaded
/// under (without the random prefix that keeps names apart), linking to it; anything else as text.
fn evidence(x: &str) -> Value {
    if let Some(stored) = x.strip_prefix("/files/") {
        let name = stored.split_once('-').filter(|(p, _)| p.len() == 16 && p.bytes().all(|b| b.is_ascii_hexdigit()));
        let label = name.map_or(stored, |(_, n)| n);
        return json!({"href": x, "label": label});
    }
    if x.starts_with("https://") || x.starts_with("http://") {
        return json!({"href": x, "label": x});
    }
    json!({"label": x})
}

/// An occurrence's history for people rather than programs (the API keeps logins and raw
/// evidence): logins become the names of their accounts («Иванова И.И.»; authors recorded by
/// name, as the command line's `--by`, stay), evidence becomes links with readable labels.
pub fn history_for_people(data: &mut Value, users: &[crate::store::User]) {
    for entry in data["history"].as_array_mut().into_iter().flatten() {
        if let Some(user) = users.iter().find(|u| entry["author"].as_str() == Some(u.login.as_str())) {
            entry["author"] = json!(user.name);
        }
        let shown: Vec<Value> =
            entry["evidence"].as_array().into_iter().flatten().filter_map(Value::as_str).map(evidence).collect();
        entry["evidence"] = json!(shown);
    }
}

/// The indicators of a roadmap: target against actual, with charts.
pub fn indicators(view: &View, id: &str) -> Result<Value, Fail> {
    let (_, unit) = unit(view, id)?;
    let recorded = render::recorded(&view.events, view.now);
    let doc = context::indicators_doc(unit, view.today(), &recorded);
    let mut executors: Vec<Value> =
        unit.executors.iter().map(|(id, e)| json!({"id": id, "name": e.display_name()})).collect();
    executors.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    Ok(json!({
        "title": format!("Показатели: {}", unit.title),
        "roadmap": {"id": unit.id, "title": unit.title},
        "ids": unit.indicators,
        "executors": executors,
        "document": doc,
    }))
}

/// A path segment, percent-encoded (occurrence ids carry `/` and `@`).
pub fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, crate::render::helpers::SEGMENT).to_string()
}

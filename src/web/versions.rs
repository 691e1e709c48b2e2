//! Approved versions of a roadmap in the web app (docs/amendments.md, section 7): the list of
//! versions, what changed between two of them or since the last one, the amending order to
//! download, and the page of an occurrence an amendment removed. Recording a version stays the
//! command line's (`karta approve`): the web app only reads them.
//!
//! A version is read back by checking its files in a scratch folder ([`crate::amend::sides`]),
//! which takes a while: everything here runs in the blocking pool, and pages are kept by the
//! page cache like the others (the view's key changes when a version is approved).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::documents::{download, not_made};
use super::pages::{Page, page, run};
use super::state::View;
use super::{App, Fail, Session, data, types};
use crate::amend::SnapshotError;
use crate::amend::diff::{self, Activity, Change, Diff, Field, Kind};
use crate::amend::sides::{Sides, SidesError, sides};
use crate::check::Unit;
use crate::render::{self, Output, Sources};
use crate::store::{Order, Rule};

/// The formats the amending order is offered in.
const FORMATS: [&str; 3] = ["docx", "pdf", "html"];

/// What a diff page or an amending order is about: version N against N − 1, or the working files
/// against the last approved version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Version(i64),
    Working,
}

impl Which {
    /// `2` or `working`, as the address has it.
    fn parse(s: &str) -> Result<Which, Fail> {
        if s == "working" {
            return Ok(Which::Working);
        }
        s.parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .map(Which::Version)
            .ok_or_else(|| Fail::not_found(format!("нет версии «{s}»: укажите номер версии или working")))
    }

    /// The `to` of [`sides`]: the version, or `None` for the working files.
    fn to(self) -> Option<i64> {
        match self {
            Which::Version(n) => Some(n),
            Which::Working => None,
        }
    }
}

fn roadmap<'v>(view: &'v View, id: &str) -> Result<&'v Unit, Fail> {
    view.workspace()
        .units
        .iter()
        .map(|u| &**u)
        .find(|u| u.id == id)
        .ok_or_else(|| Fail::not_found(format!("нет дорожной карты «{id}»")))
}

/// The approved versions of a roadmap, oldest first, as the API answers them.
pub(super) fn list(app: &App, view: &View, id: &str) -> Result<types::Versions, Fail> {
    let unit = roadmap(view, id)?;
    let versions = app.store(|s| s.versions(Some(id)))?;
    Ok(types::Versions {
        roadmap: types::RoadmapRef { id: unit.id.clone(), title: unit.title.clone() },
        versions: versions
            .iter()
            .map(|v| types::Version {
                number: v.number,
                baseline: v.number == 1,
                order: types::Order {
                    document: v.order.document.clone(),
                    number: v.order.number.clone(),
                    date: v.order.date,
                },
                order_text: v.order.worded(),
                approved_by: v.approved_by.clone(),
                recorded_at: v.recorded_at,
            })
            .collect(),
    })
}

/// Why two versions cannot be compared, as a failure: what does not exist is 404, files that do
/// not check now 422.
fn refused(e: SidesError) -> Fail {
    let message = e.message().ru;
    match e {
        SidesError::Store(e) => Fail::store(e),
        SidesError::Unknown(_) | SidesError::NoVersion { .. } | SidesError::Baseline(_) => Fail::not_found(message),
        SidesError::Snapshot(SnapshotError::Invalid(_) | SnapshotError::Missing(_)) => Fail::bad(message),
        SidesError::Snapshot(SnapshotError::Io(_)) => Fail::new(StatusCode::INTERNAL_SERVER_ERROR, message),
    }
}

/// A diff with what it compares.
pub(super) struct Compared {
    pub sides: Sides,
    pub diff: Diff,
    /// The version compared from.
    pub from: i64,
    /// The order that approved `sides.version`, or the one the roadmap lists for the working
    /// files' changes, worded.
    pub order: Option<String>,
}

/// Version `to` against `from` (by default `to − 1`), or the working files against `from` (by
/// default the last version), checked from their files.
pub(super) fn compare(app: &App, view: &View, id: &str, from: Option<i64>, to: Option<i64>) -> Result<Compared, Fail> {
    roadmap(view, id)?;
    let calendar = view.snapshot.calendar;
    let (found, versions) =
        app.store(|s| Ok((sides(&*s, view.workspace(), calendar, id, from, to), s.versions(Some(id))?)))?;
    let sides = found.map_err(refused)?;
    let last = versions.last().map_or(0, |v| v.number);
    let order = match to {
        Some(n) => versions.iter().find(|v| v.number == n).map(|v| v.order.worded()),
        None => {
            let approval = sides.after.unit().roadmap().and_then(|r| r.approval.as_ref());
            approval.zip(sides.order.as_ref()).map(|(a, o)| Order::of_amendment(a, o).worded())
        }
    };
    let diff = diff::diff(&sides.before, &sides.after);
    let from = from.unwrap_or(match to {
        Some(n) => n - 1,
        None => last,
    });
    Ok(Compared { sides, diff, from, order })
}

impl Compared {
    /// The API's answer: the diff as `karta diff --format json` gives it, with what it compares.
    pub(super) fn answer(&self) -> Result<types::Diff, Fail> {
        let internal = |e: serde_json::Error| Fail::new(StatusCode::INTERNAL_SERVER_ERROR, format!("сбой: {e}"));
        let mut value = serde_json::to_value(&self.diff).map_err(internal)?;
        value["from"] = json!(self.from);
        value["to"] = json!(self.sides.version);
        value["order"] = json!(self.order);
        serde_json::from_value(value).map_err(internal)
    }
}

/// `/r/{roadmap}/versions`: the approved versions, and what changed since the last one.
pub async fn versions(State(app): State<Arc<App>>, s: Session, Path(id): Path<String>) -> Page {
    run(move || {
        let view = app.view()?;
        let listed = list(&app, &view, &id)?;
        let rows: Vec<Value> = listed
            .versions
            .iter()
            .map(|v| {
                json!({
                    "number": v.number, "baseline": v.baseline, "order_text": v.order_text,
                    "approved_by": v.approved_by, "recorded_at": v.recorded_at.format("%d.%m.%Y %H:%M").to_string(),
                    "downloads": (!v.baseline).then(|| downloads(&id, &v.number.to_string())),
                })
            })
            .collect();
        let working = match listed.versions.last() {
            Some(last) => working(&app, &view, &id, last.number)?,
            None => Value::Null,
        };
        let data = json!({
            "title": format!("Версии: {}", listed.roadmap.title),
            "roadmap": listed.roadmap,
            "versions": rows,
            "working": working,
        });
        page(&app, &s, "versions", data)
    })
    .await
}

/// What changed in the working files since the last version, for the versions page; or, when
/// they cannot be compared (they do not check now), why.
fn working(app: &App, view: &View, id: &str, last: i64) -> Result<Value, Fail> {
    match compare(app, view, id, None, None) {
        Ok(c) => Ok(json!({
            "from": c.from, "order": c.order, "diff": shown(&c.diff),
            "downloads": downloads(id, "working"),
        })),
        Err(fail) if fail.status == StatusCode::SERVICE_UNAVAILABLE => Err(fail),
        Err(fail) => Ok(json!({"from": last, "error": fail.message})),
    }
}

/// The amending order's downloads: `amendment.docx`, … of a version or of the working files,
/// each with what it is for a screen reader (the links of a table's rows read alike).
fn downloads(id: &str, which: &str) -> Vec<Value> {
    let base = format!("/r/{}/versions/{which}/amendment", data::encode(id));
    let label = if which == "working" {
        "проект приказа".to_string()
    } else {
        format!("приказ к версии {which}")
    };
    FORMATS.iter().map(|ext| json!({"ext": ext, "href": format!("{base}.{ext}"), "label": label})).collect()
}

/// `/r/{roadmap}/versions/{n}/diff` (the page) and `/r/{roadmap}/versions/{n}/amendment.{ext}`
/// (the order), `n` a version from 2 or `working`.
pub async fn version(
    State(app): State<Arc<App>>,
    s: Session,
    Path((id, n, file)): Path<(String, String, String)>,
) -> Page {
    let which = Which::parse(&n)?;
    if file == "diff" {
        return run(move || diff_page(&app, &s, &id, which)).await;
    }
    let output = file
        .strip_prefix("amendment.")
        .and_then(Output::parse)
        .filter(|o| *o != Output::Xlsx)
        .ok_or_else(|| Fail::not_found(format!("нет документа «{file}»")))?;
    run(move || amendment(&app, &id, which, output)).await
}

fn diff_page(app: &App, s: &Session, id: &str, which: Which) -> Page {
    let view = app.view()?;
    let unit = roadmap(&view, id)?;
    let c = compare(app, &view, id, None, which.to())?;
    let (title, n) = match which {
        Which::Version(n) => (format!("Изменения в версии {n}"), n.to_string()),
        Which::Working => (format!("Изменения после версии {}", c.from), "working".to_string()),
    };
    let data = json!({
        "title": title,
        "roadmap": {"id": unit.id, "title": unit.title},
        "working": which == Which::Working,
        "version": which.to(),
        "from": c.from,
        "order": c.order,
        "diff": shown(&c.diff),
        "downloads": downloads(id, &n),
    });
    page(app, s, "diff", data)
}

/// The amending order of a version, or the draft of the next one, as a document.
fn amendment(app: &App, id: &str, which: Which, output: Output) -> Page {
    let view = app.view()?;
    let c = compare(app, &view, id, None, which.to())?;
    let amending =
        render::context::Amending { before: &c.sides.before, after: &c.sides.after, order: c.sides.order.as_ref() };
    let sources = Sources {
        workspace: view.workspace(),
        report: None,
        events: &[],
        previous: None,
        now: view.now,
        today: view.today(),
        deadlines: None,
        amendment: Some(&amending),
    };
    let doc =
        render::document(&app.templates, render::Kind::Amendment, output, Some(id), &sources).map_err(not_made)?;
    let stem = match which {
        Which::Version(n) => format!("{id}-amendment-{n}"),
        Which::Working => format!("{id}-amendment-draft"),
    };
    Ok(download(&stem, output, doc.bytes))
}

/// A diff as the pages show it, in the words of `karta diff`: each change with its kind, point
/// and id, and each changed field before → after, with the dates a deadline means when they
/// differ.
pub(super) fn shown(d: &Diff) -> Value {
    let kind_ru = |k: Kind, section: bool| match (k, section) {
        (Kind::Added, false) => "добавлен",
        (Kind::Removed, false) => "исключён",
        (Kind::Changed, false) => "изменён",
        (Kind::Added, true) => "добавлен",
        (Kind::Removed, true) => "исключён",
        (Kind::Changed, true) => "переименован",
    };
    json!({
        "empty": d.is_empty(),
        "added": d.count(Kind::Added),
        "removed": d.count(Kind::Removed),
        "changed": d.count(Kind::Changed),
        "title": d.title.as_ref().map(|(before, after)| json!({"before": before, "after": after})),
        "sections": d.sections.iter().map(|s| json!({
            "kind": s.kind, "kind_ru": kind_ru(s.kind, true), "number": s.number, "before": s.before, "after": s.after,
        })).collect::<Vec<_>>(),
        "activities": d.activities.iter().map(|c| change(c, kind_ru(c.kind, false))).collect::<Vec<_>>(),
    })
}

fn change(c: &Change, kind_ru: &str) -> Value {
    let a = c.activity();
    let was = c.was();
    let fields: Vec<Value> = match (&c.before, &c.after) {
        (Some(b), Some(a)) => c.fields.iter().map(|f| field(*f, b, a)).collect(),
        _ => Vec::new(),
    };
    json!({
        "kind": c.kind, "kind_ru": kind_ru, "point": a.point, "id": a.id, "title": a.title,
        "was": was, "renumbered": c.renumbered, "fields": fields,
        // An added activity as the table will print it.
        "added": (c.kind == Kind::Added).then(|| json!({
            "executors": a.executors.join(", "), "due": a.due, "dates": diff::dates_text(&a.dates), "result": a.result,
        })),
    })
}

/// One changed field: «сроки: «до 17 октября 2023 г.» → «до 30 октября 2023 г.» (17.10.2023 → 30.10.2023)».
fn field(f: Field, b: &Activity, a: &Activity) -> Value {
    let (before, after) = (f.words(b), f.words(a));
    let moved = (f == Field::Due && b.dates != a.dates)
        .then(|| json!({"before": diff::dates_text(&b.dates), "after": diff::dates_text(&a.dates)}));
    json!({"field": f, "label": f.label(), "before": before, "after": after, "dates": moved})
}

/// The page of an occurrence an approved amendment removed: the order, and the reports that
/// stay with it (docs/amendments.md, section 4). `None` when nothing was recorded under it:
/// then it is simply unknown.
pub(super) fn removed(view: &View, id: &str) -> Option<Value> {
    let order = view
        .events
        .iter()
        .filter(|e| e.event.occurrence.as_deref() == Some(id))
        .find_map(|e| e.carried.as_ref().filter(|c| c.rule == Rule::Removed).map(|c| c.order.clone()))?;
    let unit = id.split_once('/').and_then(|(r, _)| view.workspace().units.iter().find(|u| u.id == r));
    Some(json!({
        "title": "Срок исключён из дорожной карты",
        "id": id,
        "order": order,
        "roadmap": unit.map(|u| json!({"id": u.id, "title": u.title})),
        "history": data::history(view, id),
    }))
}

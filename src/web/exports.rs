//! The pages' tables to take away, as XLSX or CSV (`crate::table`), named in Russian: a
//! roadmap's table (with the page's filters), the occurrence list (every page of it, as
//! filtered, searched and sorted), the executor × roadmap view, the overview's roadmaps and
//! league table, and an executor's deadlines.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde_json::Value;

use super::data::{self, Filters};
use super::lists::{self, DistrictQuery, ListQuery};
use super::{App, Fail, Session, blocking};
use crate::table::{Cell, Table};
use crate::track::State as Occurrence;

type Page = Result<Response, Fail>;

/// `/r/{roadmap}/export/{file}`: `table.xlsx` or `table.csv`, filtered as the page is.
pub async fn roadmap(
    State(app): State<Arc<App>>,
    _: Session,
    Path((id, file)): Path<(String, String)>,
    filters: Result<Query<Filters>, axum::extract::rejection::QueryRejection>,
) -> Page {
    let Query(filters) = filters.map_err(|e| Fail::bad(format!("фильтр{}", super::errors::detail(&e.body_text()))))?;
    if file.starts_with("indicators.") {
        let kind = Kind::of(&file, "indicators")?;
        return blocking(move || {
            let view = app.view()?;
            let page = data::indicators(&view, &id)?;
            kind.answer(&indicators_table(&page), &format!("{id}-показатели-{}", view.today()))
        })
        .await?;
    }
    let kind = Kind::of(&file, "table")?;
    blocking(move || {
        let view = app.view()?;
        let report = view.report();
        let page = data::roadmap(&view, &report, &id, &filters)?;
        let table = roadmap_table(&page);
        kind.answer(&table, &format!("{id}-{}", view.today()))
    })
    .await?
}

/// `/export/{file}`: the overview's tables (roadmaps, league) or every late occurrence.
pub async fn overview_or_overdue(app: State<Arc<App>>, s: Session, Path(file): Path<String>) -> Page {
    if file.starts_with("overdue.") { overdue(app, s, Path(file)).await } else { overview(app, s, Path(file)).await }
}

/// `/export/overdue.*`: every late occurrence (the overview lists the first 50).
async fn overdue(State(app): State<Arc<App>>, _: Session, Path(file): Path<String>) -> Page {
    let kind = Kind::of(&file, "overdue")?;
    blocking(move || {
        let view = app.view()?;
        let report = view.report();
        let list: Vec<_> =
            report.occurrences.iter().filter(|s| matches!(s.state, Occurrence::Overdue { .. })).collect();
        let title = format!("Просрочено на {}", crate::ru::date_digits(view.today()));
        let table = crate::table::occurrences(&title, view.workspace(), &view.plan, &list);
        kind.answer(&table, &format!("просрочено-{}", view.today()))
    })
    .await?
}

type Asked<T> = Result<Query<T>, axum::extract::rejection::QueryRejection>;

fn query<T>(q: Asked<T>) -> Result<T, Fail> {
    q.map(|Query(q)| q).map_err(|e| Fail::bad(format!("параметры адреса{}", super::errors::detail(&e.body_text()))))
}

/// `/occurrences/export.{xlsx,csv}`: every occurrence the list's query selects, in its order.
pub async fn occurrences(
    State(app): State<Arc<App>>,
    _: Session,
    Path(file): Path<String>,
    q: Asked<ListQuery>,
) -> Page {
    let (kind, q) = (Kind::of(&file, "export")?, query(q)?);
    blocking(move || {
        let view = app.view()?;
        let report = view.report();
        let table = lists::occurrences_table(&view, &report, &q)?;
        kind.answer(&table, &format!("сроки-{}", view.today()))
    })
    .await?
}

/// `/districts/export.{xlsx,csv}`: the executor × roadmap view.
pub async fn districts(
    State(app): State<Arc<App>>,
    _: Session,
    Path(file): Path<String>,
    q: Asked<DistrictQuery>,
) -> Page {
    let (kind, q) = (Kind::of(&file, "export")?, query(q)?);
    blocking(move || {
        let view = app.view()?;
        let report = view.report();
        let table = lists::districts_table(&report, &q, view.today())?;
        kind.answer(&table, &format!("исполнители-{}", view.today()))
    })
    .await?
}

/// `/export/roadmaps.*` and `/export/league.*`: the overview's tables.
async fn overview(State(app): State<Arc<App>>, _: Session, Path(file): Path<String>) -> Page {
    let (stem, kind) = match Kind::of(&file, "roadmaps") {
        Ok(kind) => ("roadmaps", kind),
        Err(_) => ("league", Kind::of(&file, "league")?),
    };
    blocking(move || {
        let view = app.view()?;
        let report = view.report();
        let page = data::overview(&view, &report);
        let today = crate::ru::date_digits(view.today());
        let (table, name) = if stem == "roadmaps" {
            (rollups(format!("Дорожные карты на {today}"), "Дорожная карта", &page["roadmaps"]), "дорожные-карты")
        } else {
            let mut t = rollups(format!("Рейтинг исполнителей на {today}"), "Исполнитель", &page["league"]);
            t.columns.insert(0, ("Место".into(), 7.0));
            for (row, place) in t.rows.iter_mut().zip(page["league"].as_array().into_iter().flatten()) {
                row.insert(0, place["place"].as_f64().map_or(Cell::Empty, Cell::Number));
            }
            (t, "рейтинг")
        };
        kind.answer(&table, &format!("{name}-{}", view.today()))
    })
    .await?
}

/// Roll-ups as the overview shows them: name, occurrences, late (no report, not done), at risk,
/// due, done on time, discipline.
fn rollups(title: String, first: &str, list: &Value) -> Table {
    let n = |v: &Value| v.as_f64().map_or(Cell::Number(0.0), Cell::Number);
    let rows = list
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            vec![
                Cell::from(r["title"].as_str().unwrap_or_default()),
                n(&r["total"]),
                n(&r["overdue"]),
                n(&r["no_report"]),
                n(&r["not_done"]),
                n(&r["at_risk"]),
                n(&r["due"]),
                n(&r["done_on_time"]),
                r["discipline"].as_f64().map_or(Cell::Empty, |d| Cell::Number((d * 1000.0).round() / 10.0)),
            ]
        })
        .collect();
    let mut columns = crate::table::columns(&[
        ("", 40.0),
        ("Контрольных сроков", 11.0),
        ("Просрочено", 11.0),
        ("из них нет отчёта", 11.0),
        ("из них не выполнено", 11.0),
        ("Под угрозой", 10.0),
        ("Наступило сроков", 10.0),
        ("Выполнено в срок", 10.0),
        ("Исполнительская дисциплина, %", 13.0),
    ]);
    columns[0].0 = first.to_string();
    Table { title, columns, rows }
}

/// `/e/{executor}/export/deadlines.*`: the executor page's three lists in one table.
pub async fn executor(State(app): State<Arc<App>>, _: Session, Path((id, file)): Path<(String, String)>) -> Page {
    let kind = Kind::of(&file, "deadlines")?;
    blocking(move || {
        let view = app.view()?;
        let report = view.report();
        let page = data::executor(&view, &report, &id, 52)?;
        let ids: Vec<&str> = ["overdue", "upcoming", "done"]
            .iter()
            .flat_map(|k| page[*k].as_array().into_iter().flatten())
            .filter_map(|item| item["id"].as_str())
            .collect();
        let list: Vec<_> = ids.iter().filter_map(|i| view.plan.position(i)).map(|i| &report.occurrences[i]).collect();
        let title =
            format!("{} на {}", page["title"].as_str().unwrap_or("Сроки"), crate::ru::date_digits(view.today()));
        let table = crate::table::occurrences(&title, view.workspace(), &view.plan, &list);
        kind.answer(&table, &format!("сроки-{id}-{}", view.today()))
    })
    .await?
}

/// The indicators page's tables in one: a row per indicator and row of each of its series
/// (a period, or a named measurement of one), the series named.
fn indicators_table(page: &Value) -> Table {
    let number = |v: &Value| v.as_f64().map_or(Cell::Empty, Cell::Number);
    let text = |v: &Value| Cell::from(v.as_str().unwrap_or_default());
    let mut rows = Vec::new();
    for ind in page["document"]["indicators"].as_array().into_iter().flatten() {
        let name = format!("{}. {}", ind["number"], ind["title"].as_str().unwrap_or_default());
        for series in ind["series"].as_array().into_iter().flatten() {
            for row in series["rows"].as_array().into_iter().flatten() {
                let met = match row["met"].as_bool() {
                    Some(true) => "да",
                    Some(false) => "нет",
                    None => "",
                };
                rows.push(vec![
                    Cell::from(name.as_str()),
                    text(&ind["unit"]),
                    text(&series["name"]),
                    text(&row["period"]),
                    text(&row["label"]),
                    number(&row["baseline"]),
                    number(&row["target"]),
                    number(&row["actual"]),
                    Cell::from(met),
                ]);
            }
        }
    }
    Table {
        title: page["title"].as_str().unwrap_or("Показатели").to_string(),
        columns: crate::table::columns(&[
            ("Показатель", 44.0),
            ("Единица измерения", 10.0),
            ("Ряд измерений", 24.0),
            ("Период", 14.0),
            ("Измерение", 24.0),
            ("Базовое", 10.0),
            ("Целевое", 10.0),
            ("Фактическое", 11.0),
            ("Достигнуто", 10.0),
        ]),
        rows,
    }
}

/// The roadmap page's rows: section, number, activity, executors, the deadline as written, the
/// state, the next due date, how many of its occurrences are done, risk.
fn roadmap_table(page: &Value) -> Table {
    let mut rows = Vec::new();
    for section in page["sections"].as_array().into_iter().flatten() {
        for row in section["rows"].as_array().into_iter().flatten() {
            let text = |k: &str| Cell::from(row[k].as_str().unwrap_or_default());
            let executors: Vec<&str> =
                row["executors"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let next = row["next_due"].as_str().and_then(|d| NaiveDate::parse_from_str(d, "%d.%m.%Y").ok());
            rows.push(vec![
                Cell::from(section["title"].as_str().unwrap_or_default()),
                text("number"),
                text("title"),
                Cell::from(executors.join("; ")),
                text("deadline"),
                text("state_ru"),
                Cell::from(next),
                Cell::Number(row["done"].as_f64().unwrap_or(0.0)),
                Cell::Number(row["count"].as_f64().unwrap_or(0.0)),
                Cell::from(if row["at_risk"].as_bool() == Some(true) { "да" } else { "" }),
            ]);
        }
    }
    Table {
        title: page["title"].as_str().unwrap_or("Дорожная карта").to_string(),
        columns: crate::table::columns(&[
            ("Раздел", 24.0),
            ("№", 6.0),
            ("Мероприятие", 50.0),
            ("Исполнители", 30.0),
            ("Срок (как в документе)", 24.0),
            ("Состояние", 24.0),
            ("Ближайший срок", 12.0),
            ("Выполнено сроков", 10.0),
            ("Всего сроков", 10.0),
            ("Под угрозой", 8.0),
        ]),
        rows,
    }
}

/// What was asked for: a workbook or CSV.
#[derive(Clone, Copy)]
enum Kind {
    Xlsx,
    Csv,
}

impl Kind {
    fn of(file: &str, stem: &str) -> Result<Kind, Fail> {
        match file.strip_prefix(stem) {
            Some(".xlsx") => Ok(Kind::Xlsx),
            Some(".csv") => Ok(Kind::Csv),
            _ => Err(Fail::not_found(format!("выгрузка бывает {stem}.xlsx или {stem}.csv"))),
        }
    }

    fn answer(self, table: &Table, name: &str) -> Page {
        let (bytes, kind, ext) = match self {
            Kind::Xlsx => (
                table.xlsx().map_err(|e| Fail::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, e))?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
            Kind::Csv => (table.csv(), "text/csv; charset=utf-8", "csv"),
        };
        // RFC 6266: an ASCII fallback, and the Russian name percent-encoded (RFC 5987).
        let disposition =
            format!("attachment; filename=\"export.{ext}\"; filename*=UTF-8''{}.{ext}", data::encode(name));
        let mut response = bytes.into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
        if let Ok(v) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
        Ok(response)
    }
}

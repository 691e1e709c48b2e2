//! The pages' tables to take away: a roadmap's table (with the page's filters) and the complete
//! list of overdue occurrences, as XLSX or CSV (`crate::table`), named in Russian.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde_json::Value;

use super::data::{self, Filters};
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

/// `/export/{file}`: every overdue occurrence (the overview lists the first 50).
pub async fn overdue(State(app): State<Arc<App>>, _: Session, Path(file): Path<String>) -> Page {
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
        columns: vec![
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
        ],
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

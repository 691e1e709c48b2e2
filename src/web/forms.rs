//! Report forms on the web: an executor's page offers its form for a period (the same workbook
//! as `karta form`) and takes it back filled, all or nothing, within what the person may report
//! for (a coordinator: their executors and the members of their groups).

use std::sync::Arc;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Days, NaiveDate};
use serde::Deserialize;

use super::pages::{back, csrf, multipart};
use super::{App, Fail, Session, access, blocking, data};

/// The period of a form, and whether the executor's subordinates are included.
#[derive(Debug, Deserialize)]
pub struct Period {
    #[serde(default, deserialize_with = "data::blank_date")]
    from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "data::blank_date")]
    to: Option<NaiveDate>,
    #[serde(default, deserialize_with = "data::blank")]
    below: Option<String>,
}

/// `/e/{executor}/form.xlsx?from&to&below`: the form, a week from today unless asked otherwise.
pub async fn download(
    State(app): State<Arc<App>>,
    _: Session,
    Path(id): Path<String>,
    q: Result<Query<Period>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Fail> {
    let Query(q) = q.map_err(|e| Fail::bad(format!("параметры адреса{}", super::errors::detail(&e.body_text()))))?;
    blocking(move || {
        let view = app.view()?;
        let report = view.report();
        let executors = crate::form::executors(view.workspace(), &id, q.below.is_some())
            .ok_or_else(|| Fail::not_found(format!("нет исполнителя «{id}»")))?;
        let from = q.from.unwrap_or_else(|| view.today());
        let to = q.to.unwrap_or_else(|| from.checked_add_days(Days::new(6)).unwrap_or(from));
        if to < from {
            return Err(Fail::bad("конец периода раньше начала"));
        }
        let form = crate::form::Form { executors, asked: id.clone(), from, to, made: view.now };
        let made = crate::form::make(view.workspace(), &view.plan, &report, &view.events, &form)
            .map_err(|e| Fail::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
        let name = format!("форма-{id}-{from}.xlsx");
        let disposition = format!("attachment; filename=\"form.xlsx\"; filename*=UTF-8''{}", data::encode(&name));
        let mut response = made.bytes.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        );
        if let Ok(v) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
        Ok(response)
    })
    .await?
}

/// `POST /e/{executor}/form`: the filled form back; its refusals on a page, or what was recorded
/// said on the executor's page.
pub async fn upload(
    State(app): State<Arc<App>>,
    s: Session,
    Path(id): Path<String>,
    form: Multipart,
) -> Result<Response, Fail> {
    let (fields, file) = multipart(&app, form).await?;
    csrf(&s, fields.get("_csrf").map(String::as_str).unwrap_or_default())?;
    let file =
        file.filter(|f| !f.bytes.is_empty()).ok_or_else(|| Fail::bad("выберите заполненную форму (XLSX или ODS)"))?;
    blocking(move || {
        let view = app.view()?;
        let user = s.user.clone();
        let read = crate::form::read(
            &file.name,
            &file.bytes,
            view.workspace(),
            &view.plan,
            &view.events,
            view.now,
            &user.login,
            &|unit, executor| access::may_report_for(&user, unit, executor),
        );
        let outcome = read.map_err(|refusals| {
            let lines: Vec<String> = refusals.iter().map(ToString::to_string).collect();
            Fail::bad(format!("ничего не записано, в форме {} — {}", refusals.len(), lines.join("; ")))
        })?;
        let ids = app.store(|st| st.append(&outcome.events))?;
        let mut said = format!("Импортировано отметок: {}", ids.len());
        if !outcome.already.is_empty() {
            said += &format!("; уже были записаны: {}", outcome.already.join(", "));
        }
        Ok(back(&app, &s, &format!("/e/{}", data::encode(&id)), &said))
    })
    .await?
}

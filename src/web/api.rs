//! The JSON API under `/api/`: the same data as the pages and the same writes as the forms,
//! for scripts and other systems. A bearer token (`karta user token LOGIN`) signs requests;
//! the API is described by the OpenAPI document at `/api/openapi.json`.

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::actions::{self, Reading};
use super::data::{self, Filters};
use super::types::{self, Decision, ReportBody, ReviewBody};
use super::{App, Fail, auth, blocking};
use crate::store::User;

type Shared = State<Arc<App>>;

/// An API failure: the status and `{"error": "…"}`.
pub struct ApiFail(Fail);

impl From<Fail> for ApiFail {
    fn from(f: Fail) -> ApiFail {
        ApiFail(f)
    }
}

impl IntoResponse for ApiFail {
    fn into_response(self) -> Response {
        (self.0.status, Json(json!({"error": self.0.message}))).into_response()
    }
}

type Answer<T> = Result<Json<T>, ApiFail>;

/// Runs a read off the async threads and answers its data as the API's type `T`: a page's data
/// that does not fit its declared type is a server error, never an undocumented answer.
async fn run<T: DeserializeOwned + Serialize + Send + 'static>(
    f: impl FnOnce() -> Result<Value, Fail> + Send + 'static,
) -> Answer<T> {
    let value = blocking(f).await.and_then(|r| r).map_err(ApiFail)?;
    serde_json::from_value(value).map(Json).map_err(|e| {
        tracing::error!(error = %e, "an answer does not fit its type");
        ApiFail(Fail::new(StatusCode::INTERNAL_SERVER_ERROR, format!("ответ не соответствует описанию API: {e}")))
    })
}

/// A typed answer made off the async threads: a write's number (`{"event": n}`,
/// `{"request": n}`), or a read that is typed from the start (the versions and their diffs).
async fn write<T: Serialize + Send + 'static>(f: impl FnOnce() -> Result<T, Fail> + Send + 'static) -> Answer<T> {
    blocking(f).await.and_then(|r| r).map(Json).map_err(ApiFail)
}

/// The user a bearer token belongs to.
pub struct Bearer(pub User);

impl FromRequestParts<Arc<App>> for Bearer {
    type Rejection = ApiFail;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Bearer, ApiFail> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let unauthorized =
            || ApiFail(Fail::new(StatusCode::UNAUTHORIZED, "нужен токен: заголовок Authorization: Bearer …"));
        let token = token.ok_or_else(unauthorized)?;
        match app.store(|s| s.token_user(&auth::digest(token)))? {
            Some(user) => {
                tracing::Span::current().record("user", tracing::field::display(&user.login));
                Ok(Bearer(user))
            }
            None => Err(unauthorized()),
        }
    }
}

pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/overview", get(overview))
        .route("/roadmaps/{roadmap}", get(roadmap))
        .route("/roadmaps/{roadmap}/indicators", get(indicators).post(enter_value))
        .route("/roadmaps/{roadmap}/versions", get(versions))
        .route("/roadmaps/{roadmap}/diff", get(diff))
        .route("/executors/{executor}", get(executor))
        .route("/occurrences/{occurrence}", get(occurrence))
        .route("/occurrences/{occurrence}/report", post(report))
        .route("/occurrences/{occurrence}/move", post(request_move))
        .route("/occurrences/{occurrence}/review", post(review))
        .route("/moves/{id}/decide", post(decide))
}

/// The OpenAPI document, generated once.
static OPENAPI: std::sync::LazyLock<String> = std::sync::LazyLock::new(super::openapi::text);

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI.as_str()).into_response()
}

/// A query, or 400 with what is wrong with it, in Russian.
fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiFail> {
    q.map(|Query(q)| q).map_err(|e| ApiFail(Fail::new(e.status(), super::errors::explain(e.status(), &e.body_text()))))
}

/// A path segment that names something: only spaces name nothing there is.
fn named(id: &str) -> Result<(), ApiFail> {
    if id.trim().is_empty() {
        Err(ApiFail(Fail::not_found("пустой идентификатор в адресе: такого нет")))
    } else {
        Ok(())
    }
}

async fn overview(State(app): Shared, _: Bearer, q: Result<Query<Empty>, QueryRejection>) -> Answer<types::Overview> {
    query(q)?;
    run(move || {
        let view = app.view()?;
        let report = view.report();
        Ok(data::overview(&view, &report))
    })
    .await
}

/// No query parameters.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

async fn roadmap(
    State(app): Shared,
    _: Bearer,
    Path(id): Path<String>,
    q: Result<Query<types::RoadmapQuery>, QueryRejection>,
) -> Answer<types::Roadmap> {
    let q = query(q)?;
    named(&id)?;
    if q.executor.as_deref().is_some_and(|e| e.trim().is_empty()) {
        return Err(ApiFail(Fail::bad("пустой исполнитель: уберите параметр executor или укажите идентификатор")));
    }
    let filters = Filters {
        executor: q.executor,
        status: q
            .status
            .map(|s| serde_json::to_value(s).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()),
        from: q.from,
        to: q.to,
    };
    run(move || {
        let view = app.view()?;
        let report = view.report();
        data::roadmap(&view, &report, &id, &filters)
    })
    .await
}

async fn indicators(
    State(app): Shared,
    _: Bearer,
    Path(id): Path<String>,
    q: Result<Query<Empty>, QueryRejection>,
) -> Answer<types::Indicators> {
    query(q)?;
    named(&id)?;
    run(move || data::indicators(&*app.view()?, &id)).await
}

async fn versions(
    State(app): Shared,
    _: Bearer,
    Path(id): Path<String>,
    q: Result<Query<Empty>, QueryRejection>,
) -> Answer<types::Versions> {
    query(q)?;
    named(&id)?;
    write(move || super::versions::list(&app, &*app.view()?, &id)).await
}

/// What changed between two approved versions, or since one (by default the last) in the
/// working files.
async fn diff(
    State(app): Shared,
    _: Bearer,
    Path(id): Path<String>,
    q: Result<Query<types::DiffQuery>, QueryRejection>,
) -> Answer<types::Diff> {
    let q = query(q)?;
    named(&id)?;
    for (name, n) in [("from", q.from), ("to", q.to)] {
        if let Some(n) = n.filter(|n| *n < 1) {
            return Err(ApiFail(Fail::bad(format!("{name} = {n}: номер версии, от 1"))));
        }
    }
    write(move || super::versions::compare(&app, &*app.view()?, &id, q.from, q.to)?.answer()).await
}

async fn executor(
    State(app): Shared,
    _: Bearer,
    Path(id): Path<String>,
    q: Result<Query<types::WeeksQuery>, QueryRejection>,
) -> Answer<types::Executor> {
    let weeks = query(q)?.weeks.unwrap_or(4);
    named(&id)?;
    if !(1..=52).contains(&weeks) {
        return Err(ApiFail(Fail::bad(format!("weeks = {weeks}: от 1 до 52 недель"))));
    }
    run(move || {
        let view = app.view()?;
        let report = view.report();
        data::executor(&view, &report, &id, u64::from(weeks))
    })
    .await
}

async fn occurrence(
    State(app): Shared,
    _: Bearer,
    Path(id): Path<String>,
    q: Result<Query<Empty>, QueryRejection>,
) -> Answer<types::Occurrence> {
    query(q)?;
    named(&id)?;
    run(move || {
        let view = app.view()?;
        let report = view.report();
        let moves = app.store(|s| s.move_requests(Some(&id)))?;
        data::occurrence(&view, &report, &id, &moves)
    })
    .await
}

/// A JSON body of type `T`, held to its schema in the OpenAPI document (lengths, patterns,
/// ranges: what the type alone does not say), or 4xx with what is wrong, in Russian.
fn body<T: DeserializeOwned + schemars::JsonSchema>(b: Result<Json<Value>, JsonRejection>) -> Result<T, ApiFail> {
    let Json(value) =
        b.map_err(|e| ApiFail(Fail::new(e.status(), super::errors::explain(e.status(), &e.body_text()))))?;
    let typed = serde_json::from_value::<T>(value.clone()).map_err(|e| {
        let text = format!("Failed to deserialize the JSON body into the target type: {e}");
        ApiFail(Fail::bad(super::errors::explain(StatusCode::UNPROCESSABLE_ENTITY, &text)))
    })?;
    match super::openapi::check::<T>(&value) {
        Ok(()) => Ok(typed),
        Err(why) => Err(ApiFail(Fail::bad(why))),
    }
}

async fn report(
    State(app): Shared,
    Bearer(user): Bearer,
    Path(id): Path<String>,
    b: Result<Json<Value>, JsonRejection>,
) -> Answer<types::Written> {
    let b: ReportBody = body(b)?;
    named(&id)?;
    let (kind, on, percent, reason, note, evidence) = match b {
        ReportBody::Done { on, note, evidence } => ("done", on, None, None, note, evidence),
        ReportBody::Partial { percent, note, evidence } => ("partial", None, Some(percent), None, note, evidence),
        ReportBody::NotDone { reason, note, evidence } => ("not_done", None, None, Some(reason), note, evidence),
    };
    let request = actions::report_request(kind, on, percent, reason, note.is_some())?;
    write(move || {
        actions::report(&app, &user, &id, request, note, evidence, None).map(|event| types::Written { event })
    })
    .await
}

async fn request_move(
    State(app): Shared,
    Bearer(user): Bearer,
    Path(id): Path<String>,
    b: Result<Json<Value>, JsonRejection>,
) -> Answer<types::Requested> {
    let b: types::MoveBody = body(b)?;
    named(&id)?;
    write(move || actions::request_move(&app, &user, &id, b.to, &b.reason).map(|request| types::Requested { request }))
        .await
}

async fn review(
    State(app): Shared,
    Bearer(user): Bearer,
    Path(id): Path<String>,
    b: Result<Json<Value>, JsonRejection>,
) -> Answer<types::Written> {
    let (accept, reason) = match body::<ReviewBody>(b)? {
        ReviewBody::Accept {} => (true, None),
        ReviewBody::Reject { reason } => (false, Some(reason)),
    };
    named(&id)?;
    write(move || actions::review(&app, &user, &id, accept, reason).map(|event| types::Written { event })).await
}

async fn decide(
    State(app): Shared,
    Bearer(user): Bearer,
    Path(id): Path<i64>,
    b: Result<Json<Value>, JsonRejection>,
) -> Answer<types::Decided> {
    let approve = matches!(body::<types::DecideBody>(b)?.decision, Decision::Approve);
    write(move || actions::decide(&app, &user, id, approve).map(|event| types::Decided { event })).await
}

async fn enter_value(
    State(app): Shared,
    Bearer(user): Bearer,
    Path(id): Path<String>,
    b: Result<Json<Value>, JsonRejection>,
) -> Answer<types::Written> {
    let b: types::ValueBody = body(b)?;
    named(&id)?;
    write(move || {
        let reading = Reading {
            indicator: b.indicator,
            period: b.period,
            value: b.value.to_string(),
            executor: b.executor,
            source: b.source,
        };
        actions::enter_value(&app, &user, &id, reading).map(|event| types::Written { event })
    })
    .await
}

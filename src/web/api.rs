//! The JSON API under `/api/`: the same data as the pages and the same writes as the forms,
//! for scripts and other systems. A bearer token (`karta user token LOGIN`) signs requests;
//! the API is described by the OpenAPI document at `/api/openapi.json`.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

use super::actions::{self, Reading};
use super::data::{self, Filters};
use super::{App, Fail, auth, blocking};
use crate::store::User;

/// The OpenAPI 3.1 description of this module's routes.
pub const OPENAPI: &str = include_str!("openapi.json");

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

type Answer = Result<Json<Value>, ApiFail>;

async fn run(f: impl FnOnce() -> Result<Value, Fail> + Send + 'static) -> Answer {
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
        .route("/executors/{executor}", get(executor))
        .route("/occurrences/{occurrence}", get(occurrence))
        .route("/occurrences/{occurrence}/report", post(report))
        .route("/occurrences/{occurrence}/move", post(request_move))
        .route("/occurrences/{occurrence}/review", post(review))
        .route("/moves/{id}/decide", post(decide))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn overview(State(app): Shared, _: Bearer) -> Answer {
    run(move || {
        let view = app.view()?;
        let report = view.report();
        Ok(data::overview(&view, &report))
    })
    .await
}

async fn roadmap(State(app): Shared, _: Bearer, Path(id): Path<String>, Query(filters): Query<Filters>) -> Answer {
    run(move || {
        let view = app.view()?;
        let report = view.report();
        data::roadmap(&view, &report, &id, &filters)
    })
    .await
}

async fn indicators(State(app): Shared, _: Bearer, Path(id): Path<String>) -> Answer {
    run(move || data::indicators(&*app.view()?, &id)).await
}

#[derive(Deserialize)]
struct Weeks {
    weeks: Option<u64>,
}

async fn executor(State(app): Shared, _: Bearer, Path(id): Path<String>, Query(w): Query<Weeks>) -> Answer {
    run(move || {
        let view = app.view()?;
        let report = view.report();
        data::executor(&view, &report, &id, w.weeks.unwrap_or(4).clamp(1, 52))
    })
    .await
}

async fn occurrence(State(app): Shared, _: Bearer, Path(id): Path<String>) -> Answer {
    run(move || {
        let view = app.view()?;
        let report = view.report();
        let moves = app.store(|s| s.move_requests(Some(&id)))?;
        data::occurrence(&view, &report, &id, &moves)
    })
    .await
}

/// A JSON body, or 422 with what is wrong with it.
fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiFail> {
    b.map(|Json(t)| t).map_err(|e| ApiFail(Fail::new(e.status(), super::errors::explain(e.status(), &e.body_text()))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportBody {
    kind: String,
    on: Option<NaiveDate>,
    percent: Option<u8>,
    reason: Option<String>,
    note: Option<String>,
    evidence: Option<String>,
}

async fn report(
    State(app): Shared,
    Bearer(user): Bearer,
    Path(id): Path<String>,
    b: Result<Json<ReportBody>, JsonRejection>,
) -> Answer {
    let b = body(b)?;
    let request = actions::report_request(&b.kind, b.on, b.percent, b.reason, b.note.is_some())?;
    run(move || actions::report(&app, &user, &id, request, b.note, b.evidence, None).map(|n| json!({"event": n}))).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveBody {
    to: NaiveDate,
    reason: String,
}

async fn request_move(
    State(app): Shared,
    Bearer(user): Bearer,
    Path(id): Path<String>,
    b: Result<Json<MoveBody>, JsonRejection>,
) -> Answer {
    let b = body(b)?;
    run(move || actions::request_move(&app, &user, &id, b.to, &b.reason).map(|n| json!({"request": n}))).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    decision: String,
    reason: Option<String>,
}

async fn review(
    State(app): Shared,
    Bearer(user): Bearer,
    Path(id): Path<String>,
    b: Result<Json<ReviewBody>, JsonRejection>,
) -> Answer {
    let b = body(b)?;
    let accept = actions::decision(&b.decision, "accept", "reject")?;
    run(move || actions::review(&app, &user, &id, accept, b.reason).map(|n| json!({"event": n}))).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideBody {
    decision: String,
}

async fn decide(
    State(app): Shared,
    Bearer(user): Bearer,
    Path(id): Path<i64>,
    b: Result<Json<DecideBody>, JsonRejection>,
) -> Answer {
    let b = body(b)?;
    let approve = actions::decision(&b.decision, "approve", "decline")?;
    run(move || actions::decide(&app, &user, id, approve).map(|n| json!({"event": n}))).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueBody {
    indicator: String,
    period: String,
    value: f64,
    executor: Option<String>,
    source: Option<String>,
}

async fn enter_value(
    State(app): Shared,
    Bearer(user): Bearer,
    Path(id): Path<String>,
    b: Result<Json<ValueBody>, JsonRejection>,
) -> Answer {
    let b = body(b)?;
    run(move || {
        let reading = Reading {
            indicator: b.indicator,
            period: b.period,
            value: b.value.to_string(),
            executor: b.executor,
            source: b.source,
        };
        actions::enter_value(&app, &user, &id, reading).map(|n| json!({"event": n}))
    })
    .await
}

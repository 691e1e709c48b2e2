//! The HTML pages and forms. A page handler reads the view at `now`, takes its data from
//! [`super::data`] and fills `templates/web/NAME.hbs` inside the common layout; a form handler
//! checks the CSRF token, hands the write to [`super::actions`] and redirects back (303).

use std::sync::Arc;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

use super::actions::{self, Reading, Upload};
use super::data::{self, Filters};
use super::{App, Fail, Session, auth, blocking};
use crate::store::Role;

type Shared = State<Arc<App>>;
pub(super) type Page = Result<Response, Fail>;

/// Runs a page's work off the async threads.
pub(super) async fn run(f: impl FnOnce() -> Page + Send + 'static) -> Page {
    blocking(f).await.and_then(|r| r)
}

/// Fills a page template inside the layout: who is signed in, the CSRF token for its forms, and
/// for admins the problems of the last roadmap reload.
pub(super) fn page(app: &App, session: &Session, name: &str, mut data: Value) -> Page {
    let user = &session.user;
    let problems = app.roadmaps.problems();
    data["me"] = json!({
        "login": user.login, "name": user.name, "role": user.role.name(), "role_ru": user.role.ru(),
        "admin": user.role == Role::Admin, "executors": user.executors,
    });
    data["csrf"] = json!(session.csrf);
    if user.role == Role::Admin && !problems.text.is_empty() {
        data["problems"] = json!({
            "at": problems.at.map(|t| t.format("%d.%m.%Y %H:%M").to_string()),
            "text": problems.text,
        });
    }
    data["now_text"] = json!(app.now().format("%d.%m.%Y %H:%M").to_string());
    if let Some(text) = &session.flash {
        data["saved"] = json!(text);
    }
    let html =
        app.templates.page(name, &data).map_err(|e| Fail::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let mut response = Html(html).into_response();
    if session.flash.is_some() {
        // Shown once: the cookie goes with this page.
        let gone = format!("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax", auth::FLASH_COOKIE);
        if let Ok(value) = HeaderValue::from_str(&gone) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

pub(super) fn csrf(session: &Session, token: &str) -> Result<(), Fail> {
    if auth::same(token, &session.csrf) && !token.is_empty() { Ok(()) } else { Err(Fail::forbidden_csrf()) }
}

impl Fail {
    fn forbidden_csrf() -> Fail {
        Fail::new(
            StatusCode::FORBIDDEN,
            "форма устарела или отправлена не со страницы karta (нет CSRF-токена); обновите страницу и отправьте снова",
        )
    }
}

/// Back to a page, with what was recorded in a flash cookie signed for this session.
pub(super) fn back(app: &App, session: &Session, to: &str, saved: &str) -> Response {
    let flash = cookie(app, auth::FLASH_COOKIE, auth::sign_flash(&session.token, saved));
    (CookieJar::new().add(flash), Redirect::to(to)).into_response()
}

pub async fn overview(State(app): Shared, s: Session) -> Page {
    run(move || {
        let view = app.view()?;
        let report = view.report();
        let mut data = data::overview(&view, &report);
        if matches!(s.user.role, Role::Author | Role::Admin) {
            let moves = app.store(|st| st.move_requests(None))?;
            data["awaiting"] = data::awaiting(&view, &report, &s.user, &moves)["count"].clone();
        }
        page(&app, &s, "overview", data)
    })
    .await
}

pub async fn roadmap(
    State(app): Shared,
    s: Session,
    Path(id): Path<String>,
    filters: Result<Query<Filters>, axum::extract::rejection::QueryRejection>,
) -> Page {
    let Query(filters) = filters.map_err(|e| Fail::bad(format!("фильтр{}", super::errors::detail(&e.body_text()))))?;
    run(move || {
        let view = app.view()?;
        let report = view.report();
        page(&app, &s, "roadmap", data::roadmap(&view, &report, &id, &filters)?)
    })
    .await
}

/// `/occurrences`: every occurrence, filtered, searched, sorted and paged.
pub async fn occurrences(
    State(app): Shared,
    s: Session,
    q: Result<Query<super::lists::ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Page {
    let Query(q) = q.map_err(|e| Fail::bad(format!("параметры адреса{}", super::errors::detail(&e.body_text()))))?;
    run(move || {
        let view = app.view()?;
        let report = view.report();
        page(&app, &s, "occurrences", super::lists::occurrences(&view, &report, &q)?)
    })
    .await
}

/// `/districts`: executors × roadmaps, the worst first.
pub async fn districts(
    State(app): Shared,
    s: Session,
    q: Result<Query<super::lists::DistrictQuery>, axum::extract::rejection::QueryRejection>,
) -> Page {
    let Query(q) = q.map_err(|e| Fail::bad(format!("параметры адреса{}", super::errors::detail(&e.body_text()))))?;
    run(move || {
        let view = app.view()?;
        let report = view.report();
        page(&app, &s, "districts", super::lists::districts(&report, &q)?)
    })
    .await
}

pub async fn timeline(State(app): Shared, s: Session, Path(id): Path<String>) -> Page {
    run(move || {
        let view = app.view()?;
        let report = view.report();
        page(&app, &s, "timeline", data::timeline(&view, &report, &id)?)
    })
    .await
}

#[derive(Deserialize)]
pub struct Weeks {
    #[serde(default = "four")]
    weeks: u64,
}

fn four() -> u64 {
    4
}

pub async fn executor(State(app): Shared, s: Session, Path(id): Path<String>, Query(w): Query<Weeks>) -> Page {
    run(move || {
        let view = app.view()?;
        let report = view.report();
        let mut data = data::executor(&view, &report, &id, w.weeks.clamp(1, 52))?;
        data["feed"] = json!(feed_url(&app, &s.user.feed));
        page(&app, &s, "executor", data)
    })
    .await
}

fn feed_url(app: &App, feed: &str) -> String {
    format!("{}/ics/{feed}.ics", app.config.base_url.trim_end_matches('/'))
}

/// "My deadlines": the executor page of a coordinator's only executor, else a list.
/// "Мои сроки": a coordinator of one executor goes to its page; an author sees what waits for
/// their decision and their organisation's deadlines; others choose an executor.
pub async fn me(State(app): Shared, s: Session) -> Page {
    if let [one] = s.user.executors.as_slice() {
        return Ok(Redirect::to(&format!("/e/{}", data::encode(one))).into_response());
    }
    // Leadership's own work is what is late, everywhere.
    if s.user.role == Role::Viewer && s.user.executors.is_empty() {
        return Ok(Redirect::to("/occurrences?state=late").into_response());
    }
    run(move || {
        let view = app.view()?;
        if matches!(s.user.role, Role::Author | Role::Admin) {
            let report = view.report();
            let moves = app.store(|st| st.move_requests(None))?;
            let awaiting = data::awaiting(&view, &report, &s.user, &moves);
            let organisation = s.user.organisation.as_deref().map(|o| {
                let name = view
                    .workspace()
                    .units
                    .iter()
                    .find_map(|u| u.executors.get(o).map(|e| e.display_name().to_string()));
                json!({"id": o, "name": name.unwrap_or_else(|| o.to_string())})
            });
            let data = json!({
                "title": "Мои сроки", "reviewer": true, "awaiting": awaiting, "organisation": organisation,
                "feed": feed_url(&app, &s.user.feed),
            });
            return page(&app, &s, "me", data);
        }
        let mut executors: Vec<Value> = Vec::new();
        for u in &view.workspace().units {
            for (id, e) in u.executors.iter() {
                let mine = s.user.executors.is_empty() || s.user.executors.contains(id);
                if mine && !executors.iter().any(|x| x["id"] == json!(id)) {
                    executors.push(json!({"id": id, "name": e.display_name()}));
                }
            }
        }
        executors.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        let data = json!({"title": "Мои сроки", "executors": executors, "feed": feed_url(&app, &s.user.feed)});
        page(&app, &s, "me", data)
    })
    .await
}

pub async fn occurrence(State(app): Shared, s: Session, Path(id): Path<String>) -> Page {
    run(move || {
        // An occurrence an approved amendment removed keeps its reports: its page says so.
        let view = app.view()?;
        if view.plan.position(&id).is_none()
            && let Some(mut data) = super::versions::removed(&view, &id)
        {
            data::history_for_people(&mut data, &app.store(|st| st.users())?);
            return page(&app, &s, "removed", data);
        }
        let data = occurrence_data(&app, &s, &id)?;
        page(&app, &s, "occurrence", data)
    })
    .await
}

/// The occurrence page's data, with what the user may do there.
fn occurrence_data(app: &App, s: &Session, id: &str) -> Result<Value, Fail> {
    let view = app.view()?;
    let report = view.report();
    let moves = app.store(|st| st.move_requests(Some(id)))?;
    let mut data = data::occurrence(&view, &report, id, &moves)?;
    data::history_for_people(&mut data, &app.store(|st| st.users())?);
    let i = view.plan.position(id).unwrap_or_default();
    let o = &view.plan.occurrences[i];
    let unit = &view.workspace().units[o.unit];
    data["may_report"] = json!(super::access::may_report(&s.user, unit, o));
    data["may_review"] = json!(super::access::may_review(&s.user, unit));
    data["upload_limit_mb"] = json!(app.config.upload_limit_mb);
    Ok(data)
}

/// A form that was not taken, shown again in place: the page with the message beside the field
/// at fault, an error summary that takes the focus, and what was typed kept (status 422).
fn again(app: &App, s: &Session, id: &str, form: &str, fail: Fail, values: Value) -> Page {
    let mut data = occurrence_data(app, s, id)?;
    data[format!("{form}_error")] = json!({"message": fail.message, "field": fail.field});
    data[format!("{form}_values")] = values;
    let mut response = page(app, s, "occurrence", data)?;
    *response.status_mut() = fail.status;
    Ok(response)
}

pub async fn indicators(State(app): Shared, s: Session, Path(id): Path<String>) -> Page {
    run(move || {
        let view = app.view()?;
        let data = data::indicators(&view, &id)?;
        page(&app, &s, "indicators", data)
    })
    .await
}

/// An uploaded evidence file, for signed-in users.
pub async fn file(State(app): Shared, _s: Session, Path(name): Path<String>) -> Page {
    if name != actions::safe_name(&name) {
        return Err(Fail::not_found("нет такого файла"));
    }
    let path = app.config.uploads.join(&name);
    let bytes = tokio::fs::read(&path).await.map_err(|_| Fail::not_found("нет такого файла"))?;
    let disposition = format!("attachment; filename*=UTF-8''{}", data::encode(&name));
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response())
}

/// A user's calendar feed: the secret in the URL is the credential (calendar apps do not log in).
pub async fn feed(State(app): Shared, Path(file): Path<String>) -> Page {
    let secret = file.strip_suffix(".ics").unwrap_or(&file).to_string();
    run(move || {
        let user = app
            .store(|s| s.user_by_feed(&secret))?
            .filter(|_| secret.len() >= 32)
            .ok_or_else(|| Fail::not_found("нет такого календаря"))?;
        let view = app.view()?;
        // A coordinator's feed is the work they report for; everyone else sees everything.
        let ws = view.workspace();
        let mine = |o: &crate::compile::Occurrence| {
            user.role != Role::Coordinator || super::access::may_report(&user, &ws.units[o.unit], o)
        };
        let name = format!("karta: сроки — {}", user.name);
        let body = crate::ics::feed(ws, &view.plan, &name, mine, view.now, view.snapshot.calendar);
        Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], body).into_response())
    })
    .await
}

pub async fn css(State(app): Shared) -> Response {
    let css = app.templates.part("web/karta.css").unwrap_or_default().to_string();
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], css).into_response()
}

pub async fn health(State(app): Shared) -> Response {
    let snapshot = app.roadmaps.current();
    let store = app.store(|s| s.ping()).is_ok();
    let body = json!({
        "status": if store { "ok" } else { "degraded" },
        "store": store,
        "roadmaps": snapshot.workspace.units.len(),
        "version": snapshot.version,
        "loaded_at": snapshot.loaded_at,
        "reload_errors": app.roadmaps.problems().text.len(),
    });
    let code = if store { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (code, Json(body)).into_response()
}

pub async fn admin(State(app): Shared, s: Session) -> Page {
    if s.user.role != Role::Admin {
        return Err(Fail::new(
            StatusCode::FORBIDDEN,
            "эта страница — только для администраторов; запросы на перенос и отчёты, ждущие вашего решения, — в разделе «Мои сроки» (/me)",
        ));
    }
    run(move || {
        let users = app.store(|st| st.users())?;
        let moves = app.store(|st| st.move_requests(None))?;
        let problems = app.roadmaps.problems();
        let snapshot = app.roadmaps.current();
        let data = json!({
            "title": "Администрирование",
            "users": users.iter().map(|u| json!({"login": u.login, "name": u.name, "role_ru": u.role.ru(), "organisation": u.organisation, "executors": u.executors})).collect::<Vec<_>>(),
            "pending": moves.iter().filter(|m| m.decision.is_none()).map(|m| json!({"id": m.id, "occurrence": m.occurrence, "date": crate::ru::date_digits(m.date), "reason": m.reason, "requested_by": m.requested_by})).collect::<Vec<_>>(),
            "reload": {"files": snapshot.workspace.files.len(), "version": snapshot.version, "loaded_at": snapshot.loaded_at.format("%d.%m.%Y %H:%M:%S").to_string(), "errors": problems.text},
            "calendar": calendar_in_force(snapshot.calendar, snapshot.workspace.local_date(app.now())),
        });
        page(&app, &s, "admin", data)
    })
    .await
}

/// The calendar in force, for the admin page: its region, the years complete and not, the
/// layers with their sources, and the coverage warning (from 1 October for next year).
fn calendar_in_force(calendar: &crate::calendar::Calendar, today: chrono::NaiveDate) -> serde_json::Value {
    let listed = calendar.listed_years();
    let complete: Vec<i32> = listed.iter().copied().filter(|y| calendar.covers(*y)).collect();
    let incomplete: Vec<i32> = listed.iter().copied().filter(|y| !calendar.covers(*y)).collect();
    json!({
        "region": calendar.region(),
        "complete": complete.first().zip(complete.last()).map(|(a, b)| format!("{a}–{b}")),
        "incomplete": incomplete,
        "layers": calendar.layers().iter().map(|l| {
            let years: Vec<i32> = l.years().into_iter().collect();
            json!({"label": l.label(), "source": l.source, "rows": l.rows.len(),
                "years": years.first().zip(years.last()).map(|(a, b)| if a == b { a.to_string() } else { format!("{a}–{b}") })})
        }).collect::<Vec<_>>(),
        "warning": calendar.coverage_warning(today).map(|m| m.ru),
    })
}

/// A path inside this site to go back to: only a path on this site (not `//elsewhere`), else "/".
pub(super) fn local(next: Option<&str>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\')).unwrap_or("/").to_string()
}

/// A cookie of this site: HttpOnly, SameSite=Lax, Secure unless configured otherwise.
pub(super) fn cookie(app: &App, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .secure(app.config.secure_cookies)
        .same_site(SameSite::Lax)
        .path("/")
        .build()
}

// --- forms ---

fn occurrence_page(id: &str) -> String {
    format!("/o/{}", data::encode(id))
}

/// A report: multipart, since it may carry an evidence file.
pub async fn report(State(app): Shared, s: Session, Path(id): Path<String>, form: Multipart) -> Page {
    let (fields, upload) = multipart(&app, form).await?;
    csrf(&s, fields.get("_csrf").map(String::as_str).unwrap_or_default())?;
    let get = |k: &str| fields.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let typed = json!({
        "kind": get("kind").unwrap_or_else(|| "done".into()), "on": get("on"), "percent": get("percent"),
        "reason": get("reason"), "note": get("note"), "evidence": get("evidence"),
    });
    let to = occurrence_page(&id);
    run(move || {
        let get = |k: &str| fields.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let parsed = (|| {
            let percent = get("percent")
                .map(|p| {
                    p.parse::<u8>()
                        .map_err(|_| Fail::bad(format!("«{p}» — не процент: целое число от 0 до 100")).at("percent"))
                })
                .transpose()?;
            let on = date(get("on")).map_err(|f| f.at("on"))?;
            actions::report_request(&get("kind").unwrap_or_default(), on, percent, get("reason"), get("note").is_some())
        })();
        let written = parsed
            .and_then(|request| actions::report(&app, &s.user, &id, request, get("note"), get("evidence"), upload));
        match written {
            Ok(n) => Ok(back(&app, &s, &to, &format!("Записано: событие № {n}"))),
            Err(fail) if fail.status == StatusCode::UNPROCESSABLE_ENTITY => again(&app, &s, &id, "report", fail, typed),
            Err(fail) => Err(fail),
        }
    })
    .await
}

/// A multipart form's text fields and its file (the field `file`), within the upload limit.
pub(super) async fn multipart(
    app: &App,
    mut form: Multipart,
) -> Result<(std::collections::HashMap<String, String>, Option<Upload>), Fail> {
    let mut fields = std::collections::HashMap::new();
    let mut upload = None;
    let too_large = |e: axum::extract::multipart::MultipartError| {
        let status = e.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!("файл больше {} МБ", app.config.upload_limit_mb)
        } else {
            format!("форма не прочитана: {}", e.body_text())
        };
        Fail::new(status, message)
    };
    while let Some(field) = form.next_field().await.map_err(too_large)? {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) if name == "file" => {
                let bytes = field.bytes().await.map_err(too_large)?;
                upload = Some(Upload { name: file_name, bytes: bytes.to_vec() });
            }
            _ => {
                let text = field.text().await.map_err(too_large)?;
                fields.insert(name, text);
            }
        }
    }
    Ok((fields, upload))
}

fn date(s: Option<String>) -> Result<Option<NaiveDate>, Fail> {
    s.map(|d| d.parse().map_err(|_| Fail::bad(format!("«{d}» — не дата (ГГГГ-ММ-ДД)")))).transpose()
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
}

pub async fn request_move(State(app): Shared, s: Session, Path(id): Path<String>, Form(form): Form<MoveForm>) -> Page {
    csrf(&s, &form.csrf)?;
    let back_to = occurrence_page(&id);
    run(move || {
        let typed = json!({"to": form.to, "reason": form.reason});
        let written = date(Some(form.to.clone()).filter(|t| !t.is_empty()))
            .map_err(|f| f.at("to"))
            .and_then(|to| to.ok_or_else(|| Fail::bad("укажите новый срок").at("to")))
            .and_then(|to| actions::request_move(&app, &s.user, &id, to, &form.reason));
        match written {
            Ok(n) => Ok(back(&app, &s, &back_to, &format!("Запрос на перенос № {n} отправлен"))),
            Err(fail) if fail.status == StatusCode::UNPROCESSABLE_ENTITY => again(&app, &s, &id, "move", fail, typed),
            Err(fail) => Err(fail),
        }
    })
    .await
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: Option<String>,
    /// Where to go back to (the list it was decided from); the occurrence's page otherwise.
    #[serde(default)]
    back: Option<String>,
}

pub async fn review(State(app): Shared, s: Session, Path(id): Path<String>, Form(form): Form<ReviewForm>) -> Page {
    csrf(&s, &form.csrf)?;
    let accept = actions::decision(&form.decision, "accept", "reject")?;
    let back_to = form.back.as_deref().map_or_else(|| occurrence_page(&id), |b| local(Some(b)));
    run(move || {
        let n = actions::review(&app, &s.user, &id, accept, form.reason)?;
        Ok(back(&app, &s, &back_to, &format!("Записано: событие № {n}")))
    })
    .await
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    back: Option<String>,
}

pub async fn decide(State(app): Shared, s: Session, Path(id): Path<i64>, Form(form): Form<DecideForm>) -> Page {
    csrf(&s, &form.csrf)?;
    let approve = actions::decision(&form.decision, "approve", "decline")?;
    let back_to = local(form.back.as_deref());
    run(move || {
        let moved = actions::decide(&app, &s.user, id, approve)?;
        let said = match moved {
            Some(n) => format!("Перенос согласован: событие № {n}"),
            None => "В переносе отказано".to_string(),
        };
        Ok(back(&app, &s, &back_to, &said))
    })
    .await
}

#[derive(Deserialize)]
pub struct ValueForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    executor: Option<String>,
    #[serde(default)]
    source: Option<String>,
}

pub async fn enter_value(State(app): Shared, s: Session, Path(id): Path<String>, Form(form): Form<ValueForm>) -> Page {
    csrf(&s, &form.csrf)?;
    let back_to = format!("/r/{}/indicators", data::encode(&id));
    run(move || {
        let reading = Reading {
            indicator: form.indicator,
            period: form.period,
            value: form.value,
            executor: form.executor.filter(|e| !e.is_empty()),
            source: form.source,
        };
        let n = actions::enter_value(&app, &s.user, &id, reading)?;
        Ok(back(&app, &s, &back_to, &format!("Записано: событие № {n}")))
    })
    .await
}

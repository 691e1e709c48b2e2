//! The web app of `karta serve`: dashboards for districts and leadership, reporting in the
//! browser, and a JSON API, server-rendered from `templates/web` on the same store the scheduler
//! uses. No JavaScript is needed; every form carries a CSRF token.
//!
//! Request flow: the router ([`router`]) → who is asking ([`Session`] from the cookie, or a
//! bearer token for `/api/`) → the view of the plan and the log at `now` ([`state::View`]) →
//! the page data ([`data`]) → a template (HTML) or JSON. Writes go through [`actions`], which
//! checks the role ([`access`]) before anything is written.

pub use crate::access;
mod actions;
mod api;
pub mod auth;
mod cache;
mod chats;
pub mod data;
mod documents;
mod errors;
mod exports;
mod forms;
pub mod gantt;
mod lists;
pub mod openapi;
mod pages;
mod signin;
pub mod state;
pub mod types;
mod versions;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::render::Templates;
use crate::store::{Store, StoreError, User};
use state::{Pool, Roadmaps, View};

/// The `[web]` section of karta.toml; `KARTA_*` variables override it.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// The address users open (links in e-mails, the calendar feed URL).
    pub base_url: String,
    /// Where uploaded evidence files are kept.
    pub uploads: PathBuf,
    /// The largest upload, in megabytes.
    pub upload_limit_mb: usize,
    /// How long a session lasts, in hours.
    pub session_hours: i64,
    /// Mark cookies `Secure` (browsers still accept them on http://localhost).
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` names the client (for the sign-in limit per address):
    /// behind nginx on the same host, every request arrives from 127.0.0.1.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Keep rendered pages per view, session and address (render once, serve many; ETag/304).
    /// Off, every request renders its page (benchmarks compare the two).
    pub page_cache: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: "127.0.0.1:8080".into(),
            base_url: "http://localhost:8080".into(),
            uploads: PathBuf::from("uploads"),
            upload_limit_mb: 10,
            session_hours: 12,
            secure_cookies: true,
            trusted_proxies: vec![std::net::Ipv4Addr::LOCALHOST.into(), std::net::Ipv6Addr::LOCALHOST.into()],
            page_cache: true,
        }
    }
}

/// Everything a request may need.
pub struct App {
    pub config: Config,
    pub templates: Templates,
    pub roadmaps: Roadmaps,
    pub pool: Pool,
    /// `--now`: the service runs at a fixed instant (tests, demonstrations).
    pub fixed_now: Option<DateTime<FixedOffset>>,
    /// The last view made, while the plan, the log and the minute stay the same.
    pub cache: std::sync::Mutex<Option<(ViewKey, Arc<View>)>>,
    /// Pages as rendered for that view, per session and address (`cache`).
    pub pages: cache::Pages,
}

/// What a view depends on: the roadmaps' version, the latest event, the newest approved version
/// (approving one appends no event, yet carries reports and moves dates), the minute.
pub type ViewKey = (u64, i64, i64, i64);

impl App {
    pub fn now(&self) -> DateTime<FixedOffset> {
        crate::clock::now(self.fixed_now)
    }

    /// What the view at this instant depends on.
    pub fn view_key(&self) -> Result<ViewKey, Fail> {
        self.key_at(self.roadmaps.current().version, self.now())
    }

    fn key_at(&self, roadmaps: u64, now: DateTime<FixedOffset>) -> Result<ViewKey, Fail> {
        let (event, version) = self.store(|s| state::log_mark(s))?;
        Ok((roadmaps, event, version, now.timestamp().div_euclid(60)))
    }

    /// The plan and the log as of now (to the minute): made once per change of the roadmaps, the
    /// log, the approved versions or the minute, and shared by the requests in between; the
    /// plan itself is compiled again only when the roadmaps or a completion it counts from
    /// changed.
    pub fn view(&self) -> Result<Arc<View>, Fail> {
        let snapshot = self.roadmaps.current();
        let now = self.now();
        let key = self.key_at(snapshot.version, now)?;
        let cached = self.cache.lock().ok().and_then(|c| c.clone());
        if let Some((k, view)) = &cached {
            if *k == key {
                return Ok(Arc::clone(view));
            }
        }
        // The plan of the last view serves when the roadmaps and the completions it counted from are the same.
        let last = cached.as_ref().map(|(_, view)| view.as_ref());
        let view = Arc::new(View::after(last, snapshot, &self.pool, now).map_err(Fail::store)?);
        if let Ok(mut c) = self.cache.lock() {
            *c = Some((key, view.clone()));
        }
        Ok(view)
    }

    pub fn store<T>(&self, f: impl FnOnce(&mut dyn Store) -> Result<T, StoreError>) -> Result<T, Fail> {
        self.pool.with(f).map_err(Fail::store)
    }
}

/// A request that cannot be served: the status and a message in Russian.
#[derive(Debug)]
pub struct Fail {
    pub status: StatusCode,
    pub message: String,
    /// The form field at fault, when one is (the form is shown again with the message beside it).
    pub field: Option<&'static str>,
}

impl Fail {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Fail {
        Fail { status, message: message.into(), field: None }
    }
    /// The same failure, about a form field.
    pub fn at(mut self, field: &'static str) -> Fail {
        self.field = Some(field);
        self
    }

    pub fn bad(message: impl Into<String>) -> Fail {
        Fail::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }
    pub fn not_found(message: impl Into<String>) -> Fail {
        Fail::new(StatusCode::NOT_FOUND, message)
    }
    pub fn forbidden() -> Fail {
        Fail::new(
            StatusCode::FORBIDDEN,
            "недостаточно прав: это может сделать исполнитель, автор дорожной карты или администратор",
        )
    }
    pub fn store(e: StoreError) -> Fail {
        tracing::error!(error = %e, "store");
        Fail::new(StatusCode::SERVICE_UNAVAILABLE, format!("база недоступна: {e}"))
    }
}

/// Errors of pages are pages: the message, in Russian, with a way back.
impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        let title = match self.status {
            StatusCode::FORBIDDEN => "Доступ запрещён",
            StatusCode::NOT_FOUND => "Не найдено",
            StatusCode::PAYLOAD_TOO_LARGE => "Слишком большой запрос",
            StatusCode::TOO_MANY_REQUESTS => "Слишком много попыток",
            s if s.is_server_error() => "Ошибка сервера",
            _ => "Запрос не выполнен",
        };
        let body = format!(
            "<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} — karta</title>\
             <link rel=\"stylesheet\" href=\"/static/karta.css\"></head><body>\
             <a class=\"visually-hidden skip\" href=\"#content\">Перейти к содержанию</a>\
             <header class=\"topbar\"><div class=\"topbar-inner\"><a class=\"brand\" href=\"/\">karta</a>\
             <nav class=\"nav\" aria-label=\"Основное меню\"><ul><li><a href=\"/\">Обзор</a></li><li><a href=\"/me\">Мои сроки</a></li>\
             <li><a href=\"/occurrences\">Все сроки</a></li><li><a href=\"/districts\">Исполнители</a></li></ul></nav></div></header>\
             <main id=\"content\" class=\"page\" tabindex=\"-1\"><h1>{title}</h1><p class=\"error\" role=\"alert\">{}</p>\
             <p><a href=\"/\">На главную</a></p></main></body></html>",
            crate::render::helpers::escape_html(&self.message)
        );
        (self.status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
    }
}

/// A signed-in browser user, with the session's CSRF token.
pub struct Session {
    pub user: User,
    pub csrf: String,
    /// The session cookie's secret (flash messages are signed with it).
    pub token: String,
    /// A flash message signed for this session, shown once.
    pub flash: Option<String>,
}

impl FromRequestParts<Arc<App>> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Session, Response> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar.get(auth::COOKIE).map(|c| c.value().to_string());
        let found = match &token {
            Some(t) => {
                let now = app.now().timestamp();
                app.store(|s| s.session(&auth::digest(t), now)).map_err(IntoResponse::into_response)?
            }
            None => None,
        };
        match (found, token) {
            (Some((user, csrf)), Some(token)) => {
                tracing::Span::current().record("user", tracing::field::display(&user.login));
                let flash = jar.get(auth::FLASH_COOKIE).and_then(|c| auth::open_flash(&token, c.value()));
                Ok(Session { user, csrf, token, flash })
            }
            _ => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                Err(Redirect::to(&format!("/login?next={}", data::encode(next))).into_response())
            }
        }
    }
}

/// The client's address, when the server knows it (rate limiting).
pub struct Peer(pub String);

impl FromRequestParts<Arc<App>> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Peer, Self::Rejection> {
        let connected = parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let forwarded: Vec<&str> =
            parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
        let client = client_address(connected, &forwarded, &app.config.trusted_proxies);
        Ok(Peer(client.map_or_else(|| "local".into(), |ip| ip.to_string())))
    }
}

/// The client's address: the connecting one, or, when that is a trusted proxy, the nearest
/// address in `X-Forwarded-For` (read from the right) that is not a trusted proxy. Addresses
/// further left were written by the client itself and prove nothing.
pub fn client_address(
    connected: Option<std::net::IpAddr>,
    forwarded: &[&str],
    trusted: &[std::net::IpAddr],
) -> Option<std::net::IpAddr> {
    let mut client = connected?;
    let hops = forwarded.iter().flat_map(|h| h.split(',')).rev();
    for hop in hops {
        if !trusted.contains(&client) {
            break;
        }
        match hop.trim().parse() {
            Ok(ip) => client = ip,
            Err(_) => break,
        }
    }
    Some(client)
}

/// The span of a request, logged at `info` with its status and latency when it is answered:
/// method, path (without the query; the secret of a calendar feed is cut) and, once known, the
/// user's login. Never a password, a cookie or a token.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let path = request.uri().path();
    let path = if path.starts_with("/ics/") { "/ics/…" } else { path };
    tracing::info_span!("request", method = %request.method(), path = %path, user = tracing::field::Empty)
}

/// Runs blocking work (the store, templates) off the async threads.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Fail> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Fail::new(StatusCode::INTERNAL_SERVER_ERROR, format!("сбой: {e}")))
}

/// Every route of the app.
pub fn router(app: Arc<App>) -> Router {
    let upload_limit = app.config.upload_limit_mb * 1024 * 1024;
    let form_limit = 64 * 1024;
    let html = Router::new()
        .route("/", get(pages::overview))
        .route("/login", get(signin::login_form).post(signin::login))
        .route("/logout", post(signin::logout))
        .route("/r/{roadmap}", get(pages::roadmap))
        .route("/r/{roadmap}/timeline", get(pages::timeline))
        .route("/r/{roadmap}/indicators", get(pages::indicators).post(pages::enter_value))
        .route("/r/{roadmap}/doc/{file}", get(documents::document))
        .route("/r/{roadmap}/versions", get(versions::versions))
        .route("/r/{roadmap}/versions/{n}/{file}", get(versions::version))
        .route("/r/{roadmap}/export/{file}", get(exports::roadmap))
        .route("/export/{file}", get(exports::overview_or_overdue))
        .route("/occurrences", get(pages::occurrences))
        .route("/occurrences/{file}", get(exports::occurrences))
        .route("/districts", get(pages::districts))
        .route("/districts/{file}", get(exports::districts))
        .route("/e/{executor}/export/{file}", get(exports::executor))
        .route("/e/{executor}/form.xlsx", get(forms::download))
        .route("/e/{executor}", get(pages::executor))
        .route("/me", get(pages::me))
        .route("/me/chats", get(chats::chats))
        .route("/me/chats/code", post(chats::code))
        .route("/me/chats/unlink", post(chats::unlink))
        .route("/o/{occurrence}", get(pages::occurrence))
        .route("/o/{occurrence}/move", post(pages::request_move))
        .route("/o/{occurrence}/review", post(pages::review))
        .route("/moves/{id}/decide", post(pages::decide))
        .route("/admin", get(pages::admin))
        .route("/files/{name}", get(pages::file))
        .route("/ics/{feed}", get(pages::feed))
        .route("/static/karta.css", get(pages::css))
        .route("/healthz", get(pages::health))
        .layer(axum::middleware::from_fn_with_state(app.clone(), cache::pages))
        .layer(DefaultBodyLimit::max(form_limit))
        // Reports carry an evidence file: their own, larger limit.
        .merge(
            Router::new()
                .route("/o/{occurrence}/report", post(pages::report))
                .route("/e/{executor}/form", post(forms::upload))
                .layer(DefaultBodyLimit::max(upload_limit)),
        );
    Router::new()
        .merge(html)
        .nest("/api", api::router().layer(DefaultBodyLimit::max(form_limit)))
        .layer(axum::middleware::from_fn(errors::in_russian))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO))
                .on_failure(tower_http::trace::DefaultOnFailure::new().level(tracing::Level::WARN)),
        )
        .with_state(app)
}

#[cfg(test)]
mod tests {
    use super::client_address;
    use std::net::IpAddr;

    #[test]
    fn the_client_behind_a_trusted_proxy_is_the_forwarded_address() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        let trusted = [ip("127.0.0.1"), ip("10.0.0.5")];
        for (connected, forwarded, client) in [
            // Straight from a client: the header is the client's own word, ignored.
            ("203.0.113.7", vec!["198.51.100.1"], "203.0.113.7"),
            // Through nginx on the same host.
            ("127.0.0.1", vec!["203.0.113.7"], "203.0.113.7"),
            // A client that forges the header: nginx appends the real address, which wins.
            ("127.0.0.1", vec!["198.51.100.1, 203.0.113.7"], "203.0.113.7"),
            // Two trusted hops, two header lines.
            ("127.0.0.1", vec!["203.0.113.7", "10.0.0.5"], "203.0.113.7"),
            // A proxy without the header, or with garbage: the proxy itself.
            ("127.0.0.1", vec![], "127.0.0.1"),
            ("127.0.0.1", vec!["unknown"], "127.0.0.1"),
        ] {
            assert_eq!(client_address(Some(ip(connected)), &forwarded, &trusted), Some(ip(client)), "{forwarded:?}");
        }
        assert_eq!(client_address(None, &["203.0.113.7"], &trusted), None);
    }
}

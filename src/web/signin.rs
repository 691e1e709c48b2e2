//! Signing in and out: the login form with its CSRF cookie, the check of a login and password
//! under the limit on failures (on the real clock), the session cookie, logging out.

use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use serde::Deserialize;
use serde_json::json;

use super::pages::{cookie, csrf, local};
use super::{App, Fail, Peer, Session, auth, blocking};

type Shared = State<std::sync::Arc<App>>;
type Page = Result<Response, Fail>;

#[derive(Deserialize, Default)]
pub struct Next {
    #[serde(default)]
    next: Option<String>,
}

/// The login form, with a fresh CSRF token in a cookie of its own (there is no session yet).
fn login_page(app: &App, jar: CookieJar, next: &str, error: Option<&str>, status: StatusCode) -> Response {
    let token = auth::secret(32);
    let data = json!({"title": "Вход", "next": next, "csrf": token, "error": error});
    match app.templates.page("login", &data) {
        Ok(html) => (status, jar.add(cookie(app, auth::LOGIN_COOKIE, token)), Html(html)).into_response(),
        Err(e) => Fail::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

pub async fn login_form(State(app): Shared, jar: CookieJar, Query(next): Query<Next>) -> Response {
    login_page(&app, jar, &local(next.next.as_deref()), None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct Credentials {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn login(State(app): Shared, jar: CookieJar, Peer(peer): Peer, Form(form): Form<Credentials>) -> Response {
    let next = local(form.next.as_deref());
    let expected = jar.get(auth::LOGIN_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    if expected.is_empty() || !auth::same(&form.csrf, &expected) {
        return login_page(&app, jar, &next, Some("Форма входа устарела. Попробуйте ещё раз."), StatusCode::FORBIDDEN);
    }
    let worker = app.clone();
    let outcome = blocking(move || {
        let now = worker.now().timestamp();
        let hours = worker.config.session_hours;
        // The limit on failures runs on the real clock, even in a service started at `--now`.
        let wall = crate::clock::wall();
        worker.store(|s| {
            Ok(match auth::login(s, form.login.trim(), &form.password, &peer, wall)? {
                Ok(user) => Ok(auth::start_session(s, &user, now, hours)?),
                Err(refused) => Err(refused),
            })
        })
    })
    .await
    .and_then(|r| r);
    match outcome {
        Ok(Ok((token, _csrf))) => {
            let jar = jar.remove(Cookie::from(auth::LOGIN_COOKIE)).add(cookie(&app, auth::COOKIE, token));
            (jar, Redirect::to(&next)).into_response()
        }
        Ok(Err(auth::Refused::Wrong)) => {
            login_page(&app, jar, &next, Some("Неверный логин или пароль."), StatusCode::UNAUTHORIZED)
        }
        Ok(Err(auth::Refused::Throttled { retry_after })) => {
            let minutes = (retry_after + 59) / 60;
            let text = format!(
                "Слишком много неудачных попыток входа. Попробуйте снова через {}.",
                crate::ru::counted(minutes.max(1) as u64, ["минуту", "минуты", "минут"])
            );
            let mut page = login_page(&app, jar, &next, Some(&text), StatusCode::TOO_MANY_REQUESTS);
            page.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            page
        }
        Err(fail) => fail.into_response(),
    }
}

#[derive(Deserialize)]
pub struct Token {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn logout(State(app): Shared, s: Session, jar: CookieJar, Form(form): Form<Token>) -> Page {
    csrf(&s, &form.csrf)?;
    let token = jar.get(auth::COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    let now = app.now().timestamp();
    app.store(|st| st.end_session(&auth::digest(&token), now))?;
    Ok((jar.remove(Cookie::build(auth::COOKIE).path("/")), Redirect::to("/login")).into_response())
}

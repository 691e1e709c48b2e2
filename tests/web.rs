//! The web app in process, on both store backends (a real SQLite file and a real PostgreSQL
//! database) and the bundled roadmaps: the access-control
//! matrix (every role × every write route × own/other target, through the HTML forms and
//! through the API), sign-in with its rate limit, CSRF, XSS, uploads with paths in their names,
//! oversized bodies, every page, documents and the calendar feed, reloading roadmaps, and the
//! OpenAPI document against the API's real answers.

mod support;
#[path = "web/versions.rs"]
mod versions;

use support::Backend;
use support::site::{AMURSKY, BIKINSKY, LAZO, MODEL, NOW, Site, Who, encode, now, o};

use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use karta::track::{Action, NewEvent};
use karta::web::{Config, auth, router};

// --- the access-control matrix ---

#[derive(Debug, Clone, Copy, PartialEq)]
enum Route {
    Report,
    Move,
    Review,
    Decide,
    Value,
}

const ROUTES: [Route; 5] = [Route::Report, Route::Move, Route::Review, Route::Decide, Route::Value];

/// The occurrence (or, for values, the executor) a role's "own" and "other" cases aim at.
fn target(role: &str, own: bool) -> (&'static str, &'static str) {
    match (role, own) {
        (_, true) => (AMURSKY, "mo-amursky"),
        // An author's other target is another organisation's roadmap.
        ("author", false) => (LAZO, "mo-bikinsky"),
        (_, false) => (BIKINSKY, "mo-bikinsky"),
    }
}

/// The roadmap whose indicator values a case enters: an author's other one is not theirs.
fn values_in(role: &str, own: bool) -> &'static str {
    if role == "author" && !own { "lazo-2023-2024" } else { MODEL }
}

/// Whether the role may use the route on its own / other target.
fn allowed(role: &str, route: Route, own: bool) -> bool {
    match role {
        "admin" => true,
        "author" => own,
        "coordinator" => own && matches!(route, Route::Report | Route::Move | Route::Value),
        _ => false,
    }
}

/// Puts the store in the state the route needs: a done report to review, a pending move.
fn prepare(site: &Site, route: Route, occurrence: &str) -> i64 {
    let mut store = site.store();
    match route {
        Route::Review => {
            let done = NewEvent {
                occurrence: Some(occurrence.into()),
                action: Action::Done { on: now().date_naive() },
                note: None,
                evidence: Vec::new(),
                author: "setup".into(),
                recorded_at: now(),
                batch: None,
            };
            store.append(&[done]).expect("done");
            0
        }
        Route::Decide => store
            .request_move(
                occurrence,
                chrono::NaiveDate::from_ymd_opt(2023, 12, 1).expect("date"),
                "setup",
                "setup",
                NOW,
            )
            .expect("request"),
        _ => 0,
    }
}

async fn matrix(backend: Backend, api: bool) {
    let mut rows = Vec::new();
    for role in ["admin", "author", "coordinator", "viewer"] {
        for route in ROUTES {
            for own in [true, false] {
                let site = Site::new(backend);
                let who = site.who(role);
                let (occurrence, executor) = target(role, own);
                let request = prepare(&site, route, occurrence);
                let before = site.fingerprint();
                let status = if api {
                    let (path, body) = match route {
                        Route::Report => {
                            (format!("/api/occurrences/{}/report", encode(occurrence)), json!({"kind": "done"}))
                        }
                        Route::Move => (
                            format!("/api/occurrences/{}/move", encode(occurrence)),
                            json!({"to": "2023-12-01", "reason": "каникулы"}),
                        ),
                        Route::Review => {
                            (format!("/api/occurrences/{}/review", encode(occurrence)), json!({"decision": "accept"}))
                        }
                        Route::Decide => (format!("/api/moves/{request}/decide"), json!({"decision": "approve"})),
                        Route::Value => (
                            format!("/api/roadmaps/{}/indicators", values_in(role, own)),
                            json!({"indicator": "ege-below-min-math-base", "period": "2023", "value": 0.5, "executor": executor}),
                        ),
                    };
                    site.api(&who, "POST", &path, Some(body)).await.0
                } else {
                    let csrf = who.csrf.clone();
                    match route {
                        Route::Report => {
                            site.multipart(
                                &who,
                                &format!("{}/report", o(occurrence)),
                                &[("_csrf", &csrf), ("kind", "done")],
                                None,
                            )
                            .await
                            .0
                        }
                        Route::Move => {
                            site.form(
                                &who,
                                &format!("{}/move", o(occurrence)),
                                &[("_csrf", &csrf), ("to", "2023-12-01"), ("reason", "каникулы")],
                            )
                            .await
                            .0
                        }
                        Route::Review => {
                            site.form(
                                &who,
                                &format!("{}/review", o(occurrence)),
                                &[("_csrf", &csrf), ("decision", "accept")],
                            )
                            .await
                            .0
                        }
                        Route::Decide => {
                            site.form(
                                &who,
                                &format!("/moves/{request}/decide"),
                                &[("_csrf", &csrf), ("decision", "approve")],
                            )
                            .await
                            .0
                        }
                        Route::Value => {
                            site.form(
                                &who,
                                &format!("/r/{}/indicators", values_in(role, own)),
                                &[
                                    ("_csrf", &csrf),
                                    ("indicator", "ege-below-min-math-base"),
                                    ("period", "2023"),
                                    ("value", "0,5"),
                                    ("executor", executor),
                                ],
                            )
                            .await
                            .0
                        }
                    }
                };
                let changed = site.fingerprint() != before;
                let expected_ok = allowed(role, route, own);
                let ok_status = if api { StatusCode::OK } else { StatusCode::SEE_OTHER };
                let expected = if expected_ok { ok_status } else { StatusCode::FORBIDDEN };
                rows.push(format!(
                    "{role:<12} {route:<7?} {:<6} {status} changed={changed}",
                    if own { "own" } else { "other" }
                ));
                assert_eq!(status, expected, "{role} {route:?} own={own}: {}", rows.join("\n"));
                assert_eq!(
                    changed,
                    expected_ok,
                    "{role} {route:?} own={own}: the store {}",
                    if changed { "changed" } else { "did not change" }
                );
            }
        }
    }
    println!("{}", rows.join("\n"));
}

async fn access_matrix_through_the_forms(backend: Backend) {
    matrix(backend, false).await;
}

async fn access_matrix_through_the_api(backend: Backend) {
    matrix(backend, true).await;
}

// --- signing in ---

async fn sign_in_sets_a_safe_cookie_and_failures_are_limited(backend: Backend) {
    let site = Site::new(backend);
    let (status, headers, page) =
        site.send(Request::get("/login?next=/r/lazo-2023-2024").body(Body::empty()).expect("r")).await;
    assert_eq!(status, StatusCode::OK);
    let login_cookie = headers
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with(auth::LOGIN_COOKIE))
        .expect("login cookie")
        .1
        .clone();
    let token = login_cookie.split(';').next().expect("pair").split('=').nth(1).expect("value").to_string();
    assert!(page.contains(&format!("value=\"{token}\"")), "the form carries the token of its cookie");
    let attempt = |password: &'static str, token: String| {
        let body = format!("login=coordinator&password={}&_csrf={token}&next=%2Fr%2Flazo-2023-2024", encode(password));
        Request::post("/login")
            .header(header::COOKIE, format!("{}={token}", auth::LOGIN_COOKIE))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request")
    };
    // Right password: a session cookie, HttpOnly, Secure, SameSite; back where the user was going.
    let (status, headers, _) = site.send(attempt("верный-пароль", token.clone())).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers.iter().any(|(k, v)| k == "location" && v == "/r/lazo-2023-2024"));
    let session = headers
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with(auth::COOKIE))
        .expect("session cookie")
        .1
        .clone();
    for flag in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(flag), "{flag} missing in {session}");
    }
    // Without the form's token: refused.
    let body = "login=coordinator&password=%D0%B2&_csrf=forged";
    let forged = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request");
    assert_eq!(site.send(forged).await.0, StatusCode::FORBIDDEN);
    // Five wrong passwords, then even the right one waits a minute, and says so.
    for _ in 0..auth::LOGIN_FREE {
        assert_eq!(site.send(attempt("неверный", token.clone())).await.0, StatusCode::UNAUTHORIZED);
    }
    let (status, headers, page) = site.send(attempt("верный-пароль", token.clone())).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("Попробуйте снова через 1\u{a0}минуту"), "{page}");
    let retry: i64 = headers.iter().find(|(k, _)| k == "retry-after").expect("Retry-After").1.parse().expect("secs");
    assert!((1..=auth::FIRST_WAIT_SECS).contains(&retry), "{retry}");
    // The limit runs on the real clock, though the service runs at 2023-10-16: the failures are
    // recorded now, so the wait ends in a minute, not never.
    let wall = karta::clock::wall();
    let failures = site.store().login_failures("login:coordinator", 0).expect("failures");
    assert_eq!(failures.count, auth::LOGIN_FREE);
    assert!((wall - failures.last.expect("last")).abs() < 120, "recorded at {:?}, wall clock {wall}", failures.last);
    // Pages need a session.
    let (status, headers, _) = site.send(Request::get("/r/lazo-2023-2024").body(Body::empty()).expect("r")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers.iter().any(|(k, v)| k == "location" && v.starts_with("/login?next=")));
}

// --- security ---

async fn a_form_without_its_csrf_token_is_refused(backend: Backend) {
    let site = Site::new(backend);
    let who = site.who("admin");
    let before = site.fingerprint();
    let (status, page) = site.multipart(&who, &format!("{}/report", o(AMURSKY)), &[("kind", "done")], None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("CSRF"), "{page}");
    let (status, _) = site
        .form(&who, &format!("{}/move", o(AMURSKY)), &[("_csrf", "forged"), ("to", "2023-12-01"), ("reason", "x")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = site
        .form(
            &who,
            &format!("/r/{MODEL}/indicators"),
            &[("indicator", "ege-below-min-math-base"), ("period", "2023"), ("value", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(site.fingerprint(), before, "nothing written");
}

async fn script_in_titles_and_comments_renders_as_text(backend: Backend) {
    let payload = "<script>alert('karta')</script>";
    let site = Site::with(
        backend,
        |dir| {
            let path = dir.join("lazo-2023-2024.yaml");
            let text = std::fs::read_to_string(&path).expect("read");
            let text = text.replacen(
                "title: \"Дорожная карта повышения качества",
                &format!("title: \"{payload} Дорожная карта повышения качества"),
                1,
            );
            std::fs::write(&path, text).expect("write");
        },
        Config::default(),
    );
    let who = site.who("admin");
    let (status, _) = site
        .multipart(
            &who,
            &format!("{}/report", o(LAZO)),
            &[("_csrf", &who.csrf), ("kind", "partial"), ("note", payload)],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    for page in ["/", "/r/lazo-2023-2024", "/r/lazo-2023-2024/timeline", &o(LAZO)] {
        let (status, body) = site.get(Some(&who), page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(!body.contains("<script>"), "{page} has a raw script tag");
        assert!(body.contains("&lt;script&gt;"), "{page} does not show the payload as text");
    }
}

async fn an_uploaded_file_with_a_path_in_its_name_stays_in_the_upload_directory(backend: Backend) {
    let site = Site::new(backend);
    let who = site.who("coordinator");
    let (status, _) = site
        .multipart(
            &who,
            &format!("{}/report", o(AMURSKY)),
            &[("_csrf", &who.csrf), ("kind", "done")],
            Some(("../../../escape.txt", b"evidence")),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        !site.dir.path().join("escape.txt").exists()
            && !site.dir.path().parent().expect("tmp").join("escape.txt").exists()
    );
    let uploads = site.dir.path().join("uploads");
    let files: Vec<String> = std::fs::read_dir(&uploads)
        .expect("uploads")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].ends_with("-escape.txt"), "{files:?}");
    // The event links the file, and the link serves it.
    let events = site.store().events().expect("events");
    let link = events.last().expect("event").event.evidence.last().expect("evidence").clone();
    assert_eq!(link, format!("/files/{}", files[0]));
    assert_eq!(site.get(Some(&who), &link).await, (StatusCode::OK, "evidence".to_string()));
    let (_, page) = site.get(Some(&who), &o(AMURSKY)).await;
    assert!(
        page.contains(&format!("<a class=\"evidence\" href=\"{link}\" rel=\"noopener noreferrer\">escape.txt</a>")),
        "the file is shown by the name it was uploaded under"
    );
    assert_eq!(site.get(Some(&who), "/files/..%2Fkarta.db").await.0, StatusCode::NOT_FOUND);
}

async fn oversized_bodies_are_refused_and_nothing_is_written(backend: Backend) {
    let site = Site::with(backend, |_| {}, Config { upload_limit_mb: 1, ..Config::default() });
    let who = site.who("admin");
    let before = site.fingerprint();
    let big = vec![b'x'; 2 * 1024 * 1024];
    let (status, page) = site
        .multipart(
            &who,
            &format!("{}/report", o(AMURSKY)),
            &[("_csrf", &who.csrf), ("kind", "done")],
            Some(("big.pdf", &big)),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{page}");
    let long = "я".repeat(100_000);
    let (status, _) = site
        .form(&who, &format!("{}/move", o(AMURSKY)), &[("_csrf", &who.csrf), ("to", "2023-12-01"), ("reason", &long)])
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(site.fingerprint(), before);
    assert!(
        !site.dir.path().join("uploads").exists()
            || std::fs::read_dir(site.dir.path().join("uploads")).expect("d").next().is_none()
    );
}

// --- pages ---

async fn every_page_renders_for_a_signed_in_user(backend: Backend) {
    let site = Site::new(backend);
    let who = site.who("admin");
    let coordinator = site.who("coordinator");
    let pages: [(&str, &str); 17] = [
        ("/", "Рейтинг исполнителей"),
        ("/r/lazo-2023-2024", "Ожидаемый результат"),
        ("/r/khabarovsk-model-2023-2024?executor=mo-amursky&status=overdue", "просрочено"),
        ("/r/lazo-2023-2024/timeline", "<svg"),
        ("/e/mo-amursky", "Просрочено"),
        (&o(AMURSKY), "Отчёт об исполнении"),
        ("/r/khabarovsk-model-2023-2024/indicators", "Внести значение"),
        ("/admin", "Пользователи"),
        ("/admin", "<code>data/ru-production-calendar.tsv</code>"),
        ("/me", "Мои сроки"),
        ("/me/chats", "Получить код привязки"),
        ("/r/lazo-2023-2024/doc/status.html", "Справка"),
        ("/r/council-2021-06-03", "Протокол"),
        ("/static/karta.css", ".st-overdue"),
        ("/occurrences?state=late", "Показать все"),
        ("/districts", "Исполнители по дорожным картам"),
        ("/r/khabarovsk-model-2023-2024", "у кого и насколько"),
    ];
    for (page, expected) in pages {
        let (status, body) = site.get(Some(&who), page).await;
        assert_eq!(status, StatusCode::OK, "{page}: {body}");
        assert!(body.contains(expected), "{page} lacks «{expected}»");
    }
    // A coordinator's "my deadlines" is their executor's page; admin pages are not theirs.
    let (status, _) = site.get(Some(&coordinator), "/me").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Leadership's is the late work everywhere.
    let viewer = site.who("viewer");
    let (status, headers, _) = site
        .send(
            Request::get("/me")
                .header(header::COOKIE, format!("{}={}", auth::COOKIE, viewer.cookie))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers.iter().any(|(k, v)| k == "location" && v == "/occurrences?state=late"), "{headers:?}");
    assert_eq!(site.get(Some(&coordinator), "/admin").await.0, StatusCode::FORBIDDEN);
    // Filters narrow the table: only Amursky's rows.
    let (_, filtered) =
        site.get(Some(&who), "/r/khabarovsk-model-2023-2024?executor=mo-bikinsky&status=done_on_time").await;
    assert!(filtered.contains("ничего не найдено"), "nothing is done on time at NOW");
    assert_eq!(site.get(Some(&who), "/r/nope").await.0, StatusCode::NOT_FOUND);
    assert_eq!(site.get(Some(&who), "/r/lazo-2023-2024?from=вчера").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    // Documents download as files.
    let r = Request::get("/r/lazo-2023-2024/doc/roadmap.docx")
        .header(header::COOKIE, format!("{}={}", auth::COOKIE, who.cookie))
        .body(Body::empty())
        .expect("r");
    let (status, headers, _) = site.send(r).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.iter().any(|(k, v)| k == "content-disposition" && v.contains("lazo-2023-2024-roadmap.docx")));
    // The health check needs no session.
    let (status, body) = site.get(None, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serde_json::from_str::<Value>(&body).expect("json")["status"], "ok");
}

async fn a_coordinators_calendar_feed_has_their_executors_only(backend: Backend) {
    let site = Site::new(backend);
    let feed = site.store().user("coordinator").expect("read").expect("user").feed;
    let (status, body) = site.get(None, &format!("/ics/{feed}.ics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with("BEGIN:VCALENDAR"));
    assert!(body.contains("mo-amursky") && !body.contains("mo-bikinsky"));
    assert_eq!(site.get(None, "/ics/guess.ics").await.0, StatusCode::NOT_FOUND);
}

async fn reporting_changes_the_status_and_a_move_needs_a_decision(backend: Backend) {
    let site = Site::new(backend);
    let coordinator = site.who("coordinator");
    let author = site.who("author");
    let (_, page) = site.get(Some(&coordinator), &o(AMURSKY)).await;
    assert!(page.contains("st-overdue"));
    let (status, _) = site
        .form(
            &coordinator,
            &format!("{}/move", o(AMURSKY)),
            &[("_csrf", &coordinator.csrf), ("to", "2023-11-01"), ("reason", "каникулы")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let request = site.store().move_requests(Some(AMURSKY)).expect("moves")[0].id;
    // Still overdue until the author approves.
    assert!(site.get(Some(&coordinator), &o(AMURSKY)).await.1.contains("st-overdue"));
    let (status, _) = site
        .form(
            &author,
            &format!("/moves/{request}/decide"),
            &[("_csrf", &author.csrf), ("decision", "approve"), ("back", "/admin")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, occurrence) = site.api(&coordinator, "GET", &format!("/api/occurrences/{}", encode(AMURSKY)), None).await;
    assert_eq!(occurrence["occurrence"]["due_text"], "01.11.2023");
    let due_at = occurrence["due_at"].as_str().unwrap_or_default();
    assert!(due_at.starts_with("01.11.2023"), "the due time follows the move: {due_at}");
    let (_, page) = site.get(Some(&coordinator), &o(AMURSKY)).await;
    assert!(page.contains("<td>Пользователь author</td>"), "the history names people, not logins");
    assert_ne!(occurrence["occurrence"]["state"], "overdue", "moved to 01.11.2023, no longer overdue");
    assert!(site.get(Some(&coordinator), &o(AMURSKY)).await.1.contains("перенесён с"));
    let moved = site.store().events().expect("events");
    assert!(
        matches!(&moved.last().expect("event").event.action, Action::Moved { approved_by, .. } if approved_by == "Пользователь author")
    );
    assert_eq!(moved.last().expect("event").event.author, "author", "every write records the user");
    // Deciding twice is a conflict, not a second move.
    let (status, _) = site
        .form(&author, &format!("/moves/{request}/decide"), &[("_csrf", &author.csrf), ("decision", "approve")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Done, then the API shows it.
    let (status, _) = site
        .multipart(
            &coordinator,
            &format!("{}/report", o(AMURSKY)),
            &[("_csrf", &coordinator.csrf), ("kind", "done"), ("on", "2023-10-15")],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, occurrence) = site.api(&coordinator, "GET", &format!("/api/occurrences/{}", encode(AMURSKY)), None).await;
    assert_eq!(occurrence["occurrence"]["state"], "done_on_time");
    // A date in the future is refused.
    let (status, _) = site
        .api(
            &coordinator,
            "POST",
            &format!("/api/occurrences/{}/report", encode(AMURSKY)),
            Some(json!({"kind": "done", "on": "2030-01-01"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "already done");
}

async fn a_broken_edit_keeps_the_last_good_plan_and_admins_see_why(backend: Backend) {
    let site = Site::new(backend);
    let admin = site.who("admin");
    let path = site.dir.path().join("roadmaps/lazo-2023-2024.yaml");
    let good = std::fs::read_to_string(&path).expect("read");
    let version = site.app.roadmaps.current().version;
    std::fs::write(&path, good.replacen("timezone: Asia/Vladivostok", "timezone: Asia/Nowhere", 1)).expect("write");
    filetime_bump(&path, 2);
    assert!(!site.app.roadmaps.refresh(now()));
    assert_eq!(site.app.roadmaps.current().version, version, "the last good plan stays");
    let (status, page) = site.get(Some(&admin), "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Asia/Nowhere"), "admins see the diagnostics");
    assert!(site.get(Some(&admin), "/r/lazo-2023-2024").await.0 == StatusCode::OK);
    std::fs::write(&path, good.replacen("Дорожная карта повышения", "Обновлённая дорожная карта повышения", 1))
        .expect("write");
    filetime_bump(&path, 4);
    assert!(site.app.roadmaps.refresh(now()));
    assert!(site.get(Some(&admin), "/r/lazo-2023-2024").await.1.contains("Обновлённая дорожная карта"));
    assert!(site.app.roadmaps.problems().text.is_empty());
}

/// Moves a file's modification time forward (some filesystems keep whole seconds).
fn filetime_bump(path: &Path, secs: u64) {
    let file = std::fs::File::options().write(true).open(path).expect("open");
    let written = file.metadata().and_then(|m| m.modified()).expect("mtime");
    let later = written + std::time::Duration::from_secs(secs);
    file.set_modified(later).expect("set mtime");
}

// --- the API and its description ---

async fn the_api_answers_as_its_openapi_document_says(backend: Backend) {
    let site = Site::new(backend);
    let who = site.who("admin");
    let (status, doc) = site.api(&who, "GET", "/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/overview",
        "/roadmaps/{roadmap}",
        "/roadmaps/{roadmap}/indicators",
        "/roadmaps/{roadmap}/versions",
        "/roadmaps/{roadmap}/diff",
        "/executors/{executor}",
        "/occurrences/{occurrence}",
        "/occurrences/{occurrence}/report",
        "/occurrences/{occurrence}/move",
        "/occurrences/{occurrence}/review",
        "/moves/{id}/decide",
    ] {
        assert!(paths.contains_key(path), "{path} is not described");
    }
    let checks = [
        ("/api/overview".to_string(), "/overview"),
        (format!("/api/roadmaps/{MODEL}?executor=mo-amursky"), "/roadmaps/{roadmap}"),
        (format!("/api/roadmaps/{MODEL}/indicators"), "/roadmaps/{roadmap}/indicators"),
        ("/api/executors/mo-amursky".to_string(), "/executors/{executor}"),
        (format!("/api/occurrences/{}", encode(AMURSKY)), "/occurrences/{occurrence}"),
    ];
    for (uri, path) in checks {
        let (status, body) = site.api(&who, "GET", &uri, None).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        answer_fits(&doc, path, &uri, &body);
    }
    // Errors are JSON with a message; no token, no data.
    let (status, body) = site.api(&who, "GET", "/api/occurrences/nope", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].as_str().is_some_and(|e| e.contains("nope")));
    let anonymous = Who { cookie: String::new(), csrf: String::new(), token: "wrong".into() };
    assert_eq!(site.api(&anonymous, "GET", "/api/overview", None).await.0, StatusCode::UNAUTHORIZED);
    let (status, body) = site
        .api(
            &who,
            "POST",
            &format!("/api/occurrences/{}/report", encode(AMURSKY)),
            Some(json!({"kind": "done", "extra": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

/// Asserts that `body`, the answer to GET `uri`, matches the 200 answer of `path` in the OpenAPI
/// document `doc`.
fn answer_fits(doc: &Value, path: &str, uri: &str, body: &Value) {
    let schema = &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
    let mut root = json!({"components": doc["components"].clone()});
    root.as_object_mut().expect("object").extend(schema.as_object().expect("schema").clone());
    let validator = jsonschema::validator_for(&root).expect("the schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path())).take(5).collect();
    assert!(errors.is_empty(), "{uri} does not match {path}: {errors:?}");
}

/// A login attempt for `login` from `client`, through a proxy on 127.0.0.1 that names the
/// client in `X-Forwarded-For`, or straight from `client` when `proxied` is false.
fn attempt_from(client: &str, proxied: bool, login: &str, password: &str) -> Request<Body> {
    let connected: std::net::IpAddr =
        if proxied { "127.0.0.1".parse().expect("ip") } else { client.parse().expect("ip") };
    let body = format!("login={login}&password={}&_csrf=t", encode(password));
    let mut request = Request::post("/login")
        .header(header::COOKIE, format!("{}=t", auth::LOGIN_COOKIE))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if proxied {
        request = request.header("x-forwarded-for", client);
    }
    let mut request = request.body(Body::from(body)).expect("request");
    request.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(connected, 40_000)));
    request
}

/// Behind the proxy, one client's failures under made-up logins lock that client out, not the
/// proxy's other clients; a client that forges the header is counted under its own address.
async fn failures_count_per_client_behind_a_trusted_proxy(backend: Backend) {
    let site = Site::new(backend);
    for i in 0..auth::ADDRESS_MAX {
        let (status, _, _) = site.send(attempt_from("203.0.113.7", true, &format!("ghost{i}"), "x")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let (status, headers, _) = site.send(attempt_from("203.0.113.7", true, "coordinator", "верный-пароль")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the client that failed 20 times waits");
    assert!(headers.iter().any(|(k, _)| k == "retry-after"));
    let (status, _, _) = site.send(attempt_from("203.0.113.8", true, "coordinator", "верный-пароль")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "another client behind the same proxy signs in");
    // Straight from a client (not a trusted proxy): its own X-Forwarded-For proves nothing.
    let mut forged = attempt_from("198.51.100.9", false, "coordinator", "верный-пароль");
    forged.headers_mut().insert("x-forwarded-for", "203.0.113.7".parse().expect("header"));
    assert_eq!(site.send(forged).await.0, StatusCode::SEE_OTHER);
}

/// What a form recorded is said on the next page from a cookie signed for the session: a
/// `?saved=` link shows nothing, and a flash made for another session is not shown.
async fn a_flash_message_comes_only_from_the_signed_cookie(backend: Backend) {
    let site = Site::new(backend);
    let coordinator = site.who("coordinator");
    let boundary = "karta-flash";
    let part =
        |k: &str, v: &str| format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n");
    let body = format!("{}{}--{boundary}--\r\n", part("_csrf", &coordinator.csrf), part("kind", "done"));
    let r = Request::post(format!("{}/report", o(AMURSKY)))
        .header(header::COOKIE, format!("{}={}", auth::COOKIE, coordinator.cookie))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .expect("request");
    let (status, headers, _) = site.send(r).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers.iter().find(|(k, _)| k == "location").expect("location").1.clone();
    assert!(!location.contains("saved"), "{location}");
    let flash = headers
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with(auth::FLASH_COOKIE))
        .expect("flash cookie")
        .1
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    let with = |cookie: &str, uri: &str| {
        Request::get(uri)
            .header(header::COOKIE, format!("{}={}; {cookie}", auth::COOKIE, coordinator.cookie))
            .body(Body::empty())
            .expect("request")
    };
    let (_, headers, page) = site.send(with(&flash, &location)).await;
    assert!(page.contains("Записано: событие №"), "the flash is shown");
    assert!(
        headers.iter().any(|(k, v)| k == "set-cookie" && v.starts_with(&format!("{}=;", auth::FLASH_COOKIE))),
        "and cleared: {headers:?}"
    );
    let phishing = format!("{location}?saved={}", encode("Ваш пароль устарел, позвоните 8-800"));
    let (_, _, page) = site.send(with("", &phishing)).await;
    assert!(!page.contains("пароль устарел") && !page.contains("alert-ok"), "a link cannot make a banner");
    let admin = site.who("admin");
    let other = format!("{}={}", auth::FLASH_COOKIE, auth::sign_flash(&admin.cookie, "Ваш пароль устарел"));
    let (_, _, page) = site.send(with(&other, &location)).await;
    assert!(!page.contains("пароль устарел"), "a flash signed for another session is not shown");
}

/// Accepting twice, rejecting twice: 409 the second time, and nothing more is written.
async fn repeated_reviews_are_conflicts(backend: Backend) {
    let site = Site::new(backend);
    let (coordinator, author) = (site.who("coordinator"), site.who("author"));
    let path = format!("/api/occurrences/{}", encode(AMURSKY));
    let (status, _) = site.api(&coordinator, "POST", &format!("{path}/report"), Some(json!({"kind": "done"}))).await;
    assert_eq!(status, StatusCode::OK);
    let review = |decision: &'static str| match decision {
        "accept" => Some(json!({"decision": decision})),
        _ => Some(json!({"decision": decision, "reason": "нет акта"})),
    };
    assert_eq!(site.api(&author, "POST", &format!("{path}/review"), review("accept")).await.0, StatusCode::OK);
    let before = site.fingerprint();
    let (status, body) = site.api(&author, "POST", &format!("{path}/review"), review("accept")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"].as_str().unwrap_or_default().contains("уже принят"), "{body}");
    assert_eq!(site.fingerprint(), before, "nothing written");
    assert_eq!(site.api(&author, "POST", &format!("{path}/review"), review("reject")).await.0, StatusCode::OK);
    let before = site.fingerprint();
    let (status, body) = site.api(&author, "POST", &format!("{path}/review"), review("reject")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(site.fingerprint(), before, "nothing written");
}

/// Whatever the framework would answer by itself is a Russian page, or JSON under `/api/`.
async fn errors_are_russian_pages_and_json(backend: Backend) {
    let site = Site::new(backend);
    let viewer = site.who("viewer");
    let english = ["Failed", "deserialize", "invalid", "expected", "buffer"];
    let russian_page = |status: StatusCode, page: &str, what: &str| {
        assert!(page.contains("<html lang=\"ru\"") && page.contains(what), "{status}: {page}");
        assert!(english.iter().all(|w| !page.contains(w)), "{status}: {page}");
    };
    let (status, page) = site.get(Some(&viewer), "/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    russian_page(status, &page, "такой страницы нет");
    let (status, page) = site.get(Some(&viewer), "/e/mo-amursky?weeks=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    russian_page(status, &page, "параметры адреса не разобраны: поле weeks");
    let (status, body) = site.api(&viewer, "GET", "/api/no/such/thing", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].as_str().is_some_and(|e| e.contains("такой страницы нет")), "{body}");
    let coordinator = site.who("coordinator");
    let path = format!("/api/occurrences/{}/report", encode(AMURSKY));
    let (status, body) = site.api(&coordinator, "POST", &path, Some(json!({"kind": "partial", "percent": 11.0}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let error = body["error"].as_str().unwrap_or_default();
    assert!(error.contains("неверное значение: ожидается целое число"), "{body}");
    // Held to the OpenAPI document's rules, said in Russian.
    let long = "причина ".repeat(600);
    for (report, expected) in [
        (json!({"kind": "not_done", "reason": long}), "поле reason: не длиннее 4000 знаков"),
        (json!({"kind": "not_done", "reason": "   "}), "поле reason: не может быть пустым"),
        (
            json!({"kind": "done", "evidence": "ftp://files/акт.pdf"}),
            "поле evidence: ссылка должна начинаться с https:// или http://",
        ),
        (json!({"kind": "partial", "percent": 120}), "поле percent: не больше 100"),
    ] {
        let (status, body) = site.api(&coordinator, "POST", &path, Some(report)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"], expected);
    }
    assert!(english.iter().all(|w| !error.contains(w)), "{body}");
    let (status, body) = site.api(&coordinator, "DELETE", &path, None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert!(body["error"].as_str().is_some_and(|e| e.contains("не принимает")), "{body}");
}

/// Leadership takes the tables away: the complete overdue list and a roadmap's table (with the
/// page's filter) as XLSX read back with calamine and as CSV for Excel, matching the page.
async fn tables_download_as_excel_and_csv(backend: Backend) {
    let site = Site::new(backend);
    let viewer = site.who("viewer");
    let download = |uri: String| {
        Request::get(uri)
            .header(header::COOKIE, format!("{}={}", auth::COOKIE, viewer.cookie))
            .body(Body::empty())
            .expect("request")
    };
    let response = router(site.app.clone()).oneshot(download("/export/overdue.xlsx".into())).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response.headers()[header::CONTENT_DISPOSITION].to_str().expect("ascii").to_string();
    assert!(disposition.contains("filename*=UTF-8''%D0%BF%D1%80%D0%BE%D1%81"), "{disposition}");
    let bytes = response.into_body().collect().await.expect("body").to_bytes().to_vec();
    let mut book: calamine::Xlsx<_> = calamine::Reader::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let name = calamine::Reader::sheet_names(&book)[0].clone();
    let sheet = calamine::Reader::worksheet_range(&mut book, &name).expect("sheet");
    let (_, overview) = site.api(&viewer, "GET", "/api/overview", None).await;
    let overdue = overview["total"]["overdue"].as_u64().expect("overdue count") as usize;
    assert!(overdue > 50, "more than the page lists: {overdue}");
    assert_eq!(sheet.height(), overdue + 1, "every overdue occurrence, not the first 50");
    let id = support::tables::column_named(&sheet, "Идентификатор");
    let ids: Vec<String> = (1..sheet.height())
        .filter_map(|r| calamine::DataType::get_string(sheet.get((r, id))?).map(String::from))
        .collect();
    assert!(ids.iter().any(|id| id == AMURSKY), "{AMURSKY} is overdue");
    let due = sheet.get((1, 4)).expect("due");
    assert!(matches!(due, calamine::Data::DateTime(_)), "dates are dates: {due:?}");

    // A roadmap's table, filtered to one district, as CSV.
    let uri = "/r/khabarovsk-model-2023-2024/export/table.csv?executor=mo-amursky&status=&from=&to=";
    let (status, headers, body) = site.send(download(uri.into())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(headers.iter().any(|(k, v)| k == "content-type" && v.starts_with("text/csv")));
    let text = body.trim_start_matches('\u{feff}');
    assert!(body.starts_with('\u{feff}'), "a byte-order mark for Excel");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Раздел;№;Мероприятие;Исполнители;"), "{}", lines[0]);
    let (_, page) = site.get(Some(&viewer), "/r/khabarovsk-model-2023-2024?executor=mo-amursky").await;
    let rows_on_page = page.matches("<tr class=\"row ").count();
    assert!(rows_on_page > 0 && lines.len() > 1, "{text}");
    assert_eq!(lines.len() - 1, rows_on_page, "as many rows as the page shows");
    let (status, _, _) = site.send(download("/export/overdue.pdf".into())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// An author finds what waits for them on the overview and "Мои сроки", and decides from the
/// list: a move request approved, a report accepted, each in one click, back on the list.
async fn an_author_decides_from_the_list(backend: Backend) {
    let site = Site::new(backend);
    let (coordinator, author) = (site.who("coordinator"), site.who("author"));
    let (status, _) = site
        .form(
            &coordinator,
            &format!("{}/move", o(AMURSKY)),
            &[("_csrf", &coordinator.csrf), ("to", "2023-11-01"), ("reason", "каникулы")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let path = format!("/api/occurrences/{}", encode(BIKINSKY));
    let (status, _) = site.api(&coordinator, "POST", &format!("{path}/report"), Some(json!({"kind": "done"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the coordinator reports for Amursky only");
    let admin = site.who("admin");
    assert_eq!(
        site.api(&admin, "POST", &format!("{path}/report"), Some(json!({"kind": "done"}))).await.0,
        StatusCode::OK
    );

    let (_, overview) = site.get(Some(&author), "/").await;
    assert!(overview.contains("Ждут вашего решения: 2"), "one move, one report");
    let (_, me) = site.get(Some(&author), "/me").await;
    let request = site.store().move_requests(Some(AMURSKY)).expect("moves")[0].id;
    assert!(me.contains(&format!("action=\"/moves/{request}/decide\"")), "the move request with its form");
    assert!(me.contains(&format!("action=\"/o/{}/review\"", encode(BIKINSKY))), "the report with its form");
    let (status, _) = site
        .form(
            &author,
            &format!("/moves/{request}/decide"),
            &[("_csrf", &author.csrf), ("decision", "approve"), ("back", "/me")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = site
        .form(
            &author,
            &format!("/o/{}/review", encode(BIKINSKY)),
            &[("_csrf", &author.csrf), ("decision", "accept"), ("back", "/me")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, me) = site.get(Some(&author), "/me").await;
    assert!(!me.contains("/decide\"") && !me.contains("/review\""), "nothing left to decide");
    let (_, overview) = site.get(Some(&author), "/").await;
    assert!(!overview.contains("Ждут вашего решения"));
    let (status, page) = site.get(Some(&author), "/admin").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Мои сроки"), "the refusal says where to go: {page}");
}

/// A page is rendered once per view and session: the same bytes and ETag the second time, 304
/// when the browser has them, a new page after a report; never served on an ended session.
async fn pages_are_rendered_once_and_revalidated(backend: Backend) {
    let site = Site::new(backend);
    let (viewer, admin) = (site.who("viewer"), site.who("admin"));
    let get = |who: &Who, uri: &str, etag: Option<&str>| {
        let mut r = Request::get(uri)
            .header(header::COOKIE, format!("{}={}", auth::COOKIE, who.cookie))
            .header(header::ACCEPT_ENCODING, "gzip");
        if let Some(tag) = etag {
            r = r.header(header::IF_NONE_MATCH, tag);
        }
        r.body(Body::empty()).expect("request")
    };
    let etag = |headers: &[(String, String)]| {
        headers.iter().find(|(k, _)| k == "etag").map(|(_, v)| v.clone()).expect("an ETag")
    };
    let uri = format!("/r/{MODEL}");
    let (status, first_headers, first) = site.send(get(&viewer, &uri, None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(first_headers.iter().any(|(k, v)| k == "content-encoding" && v == "gzip"), "{first_headers:?}");
    let (_, second_headers, second) = site.send(get(&viewer, &uri, None)).await;
    assert_eq!(etag(&first_headers), etag(&second_headers));
    assert_eq!(first, second, "the same bytes");
    let (status, _, body) = site.send(get(&viewer, &uri, Some(&etag(&first_headers)))).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    // Another user's page is their own (their name, their forms' token).
    let (_, admin_headers, _) = site.send(get(&admin, &uri, None)).await;
    assert_ne!(etag(&admin_headers), etag(&first_headers));
    // A report changes the page.
    let path = format!("/api/occurrences/{}/report", encode(AMURSKY));
    assert_eq!(site.api(&admin, "POST", &path, Some(json!({"kind": "done"}))).await.0, StatusCode::OK);
    let (status, after, _) = site.send(get(&viewer, &uri, Some(&etag(&first_headers)))).await;
    assert_eq!(status, StatusCode::OK, "a new page after the report");
    assert_ne!(etag(&after), etag(&first_headers));
    // Signed out, the cached page is gone with the session.
    let (status, _) = site.form(&viewer, "/logout", &[("_csrf", &viewer.csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, headers, _) = site.send(get(&viewer, &uri, Some(&etag(&after)))).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "to the sign-in page: {headers:?}");
}

/// The regional model's timeline stays small: recurring work is one band per activity.
async fn the_regional_timeline_is_small(backend: Backend) {
    let site = Site::new(backend);
    let viewer = site.who("viewer");
    let (status, page) = site.get(Some(&viewer), &format!("/r/{MODEL}/timeline")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg"), "a chart");
    assert!(page.len() < 300 * 1024, "{} bytes", page.len());
    assert!(page.contains("сроков: "), "bands sum up their occurrences");
}

/// Forms that are not taken come back in place: the message beside the field, what was typed
/// kept, status 422.
async fn refused_forms_come_back_in_place(backend: Backend) {
    let site = Site::new(backend);
    let coordinator = site.who("coordinator");
    let (status, page) = site
        .form(
            &coordinator,
            &format!("{}/move", o(AMURSKY)),
            &[("_csrf", &coordinator.csrf), ("to", "2023-09-01"), ("reason", "каникулы в школах")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"id="move-errors""#) && page.contains("autofocus"), "a summary taking the focus");
    assert!(page.contains(r#"aria-invalid="true" aria-describedby="m-to-error""#), "the field marked");
    assert!(page.contains("новый срок 01.09.2023 уже прошёл"), "the message");
    assert!(page.contains(">каникулы в школах</textarea>") && page.contains(r#"value="2023-09-01""#), "kept");
    let before = site.fingerprint();
    let (status, page) = site
        .multipart(
            &coordinator,
            &format!("{}/report", o(AMURSKY)),
            &[("_csrf", &coordinator.csrf), ("kind", "partial"), ("note", ""), ("evidence", "ftp://x")],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"id="r-percent-error""#), "{page}");
    assert!(page.contains(r#"value="partial" checked"#), "the answer kept");
    assert_eq!(site.fingerprint(), before, "nothing written");
}

on_both_backends!(
    async
    refused_forms_come_back_in_place,
    pages_are_rendered_once_and_revalidated,
    the_regional_timeline_is_small,
    access_matrix_through_the_forms,
    access_matrix_through_the_api,
    sign_in_sets_a_safe_cookie_and_failures_are_limited,
    a_form_without_its_csrf_token_is_refused,
    script_in_titles_and_comments_renders_as_text,
    an_uploaded_file_with_a_path_in_its_name_stays_in_the_upload_directory,
    oversized_bodies_are_refused_and_nothing_is_written,
    every_page_renders_for_a_signed_in_user,
    a_coordinators_calendar_feed_has_their_executors_only,
    reporting_changes_the_status_and_a_move_needs_a_decision,
    a_broken_edit_keeps_the_last_good_plan_and_admins_see_why,
    the_api_answers_as_its_openapi_document_says,
    failures_count_per_client_behind_a_trusted_proxy,
    a_flash_message_comes_only_from_the_signed_cookie,
    repeated_reviews_are_conflicts,
    errors_are_russian_pages_and_json,
    tables_download_as_excel_and_csv,
    an_author_decides_from_the_list,
);

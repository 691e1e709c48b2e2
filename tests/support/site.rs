//! The web app in process for the tests: a copy of the bundled roadmaps, a store on either
//! backend with one user per role (each with a session and an API token), and requests sent
//! straight to the router.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use karta::render::Templates;
use karta::store::{self, NewUser, Role, Store};
use karta::web::state::{Pool, Roadmaps};
use karta::web::{App, Config, auth, router};

use super::Backend;

pub const NOW: &str = "2023-10-16T10:00:00+10:00";
pub const MODEL: &str = "khabarovsk-model-2023-2024";
/// Overdue at NOW, one per district.
pub const AMURSKY: &str = "khabarovsk-model-2023-2024/w-d3-inform@2023-10-03/mo-amursky";
pub const BIKINSKY: &str = "khabarovsk-model-2023-2024/w-d3-inform@2023-10-03/mo-bikinsky";
pub const LAZO: &str = "lazo-2023-2024/org-6@2023-09-27";

pub fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(NOW).expect("now")
}

/// A workspace in a temporary directory: a copy of the roadmaps, a store with one user per role
/// (each with a session and an API token), and the app over them.
pub struct Site {
    pub dir: tempfile::TempDir,
    /// The store: an SQLite file in `dir` or a PostgreSQL database.
    pub db: String,
    pub app: Arc<App>,
    /// The app's clock.
    pub now: chrono::DateTime<chrono::FixedOffset>,
}

pub struct Who {
    pub cookie: String,
    pub csrf: String,
    pub token: String,
}

impl Site {
    pub fn new(backend: Backend) -> Site {
        Site::with(backend, |_| {}, Config::default())
    }

    pub fn with(backend: Backend, edit: impl FnOnce(&Path), mut config: Config) -> Site {
        let dir = tempfile::tempdir().expect("dir");
        let roadmaps = super::copy_roadmaps(dir.path());
        edit(&roadmaps);
        let db = backend.db(dir.path());
        let mut store = store::open(Path::new(&db)).expect("store");
        let people: [(&str, Role, Option<&str>, &[&str]); 4] = [
            ("admin", Role::Admin, None, &[]),
            ("author", Role::Author, Some("khk-iro"), &[]),
            ("coordinator", Role::Coordinator, None, &["mo-amursky"]),
            ("viewer", Role::Viewer, None, &[]),
        ];
        let hash = auth::hash_password("верный-пароль").expect("hash");
        for (login, role, organisation, executors) in people {
            let feed = auth::secret(24);
            store
                .add_user(&NewUser {
                    login,
                    name: &format!("Пользователь {login}"),
                    role,
                    organisation,
                    email: None,
                    password: &hash,
                    feed: &feed,
                    created_at: NOW,
                })
                .expect("user");
            let bound: Vec<String> = executors.iter().map(|e| e.to_string()).collect();
            store.bind(login, &bound).expect("bind");
        }
        config.uploads = dir.path().join("uploads");
        let app = App {
            config,
            templates: Templates::load(None).expect("templates"),
            roadmaps: Roadmaps::load(&[roadmaps], now()).expect("roadmaps check"),
            pool: Pool::open(PathBuf::from(&db)).expect("pool"),
            fixed_now: Some(now()),
            cache: Default::default(),
            pages: Default::default(),
        };
        Site { dir, db, app: Arc::new(app), now: now() }
    }

    /// The same site with the app's clock at `now`.
    pub fn at(mut self, now: chrono::DateTime<chrono::FixedOffset>) -> Site {
        Arc::get_mut(&mut self.app).expect("the site's only handle").fixed_now = Some(now);
        self.now = now;
        self
    }

    pub fn store(&self) -> Box<dyn Store> {
        store::open(Path::new(&self.db)).expect("store")
    }

    /// A signed-in user: session cookie, CSRF token, API token.
    pub fn who(&self, login: &str) -> Who {
        let mut store = self.store();
        let user = store.user(login).expect("read").expect("user");
        let (cookie, _) = auth::start_session(&mut *store, &user, self.now.timestamp(), 12).expect("session");
        let csrf = store.session(&auth::digest(&cookie), self.now.timestamp()).expect("read").expect("live").1;
        let token = auth::secret(32);
        store.add_token(login, &auth::digest(&token), "test", NOW).expect("token");
        Who { cookie, csrf, token }
    }

    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Vec<(String, String)>, String) {
        let response = router(self.app.clone()).oneshot(request).await.expect("response");
        let status = response.status();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        (status, headers, String::from_utf8_lossy(&bytes).into_owned())
    }

    pub async fn get(&self, who: Option<&Who>, uri: &str) -> (StatusCode, String) {
        let mut r = Request::get(uri);
        if let Some(w) = who {
            r = r.header(header::COOKIE, format!("{}={}", auth::COOKIE, w.cookie));
        }
        let (status, _, body) = self.send(r.body(Body::empty()).expect("request")).await;
        (status, body)
    }

    pub async fn form(&self, who: &Who, uri: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let body: String = fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
        let r = Request::post(uri)
            .header(header::COOKIE, format!("{}={}", auth::COOKIE, who.cookie))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        let (status, _, body) = self.send(r).await;
        (status, body)
    }

    pub async fn multipart(
        &self,
        who: &Who,
        uri: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> (StatusCode, String) {
        let boundary = "karta-test-boundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").bytes());
        }
        if let Some((name, bytes)) = file {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .bytes(),
            );
            body.extend(bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").bytes());
        let r = Request::post(uri)
            .header(header::COOKIE, format!("{}={}", auth::COOKIE, who.cookie))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .expect("request");
        let (status, _, body) = self.send(r).await;
        (status, body)
    }

    pub async fn api(&self, who: &Who, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        let r = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", who.token))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .expect("request");
        let (status, _, body) = self.send(r).await;
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    /// What the store holds: events, and requests to move with their decisions.
    pub fn fingerprint(&self) -> (usize, usize, usize) {
        let store = self.store();
        let moves = store.move_requests(None).expect("moves");
        (store.events().expect("events").len(), moves.len(), moves.iter().filter(|m| m.decision.is_some()).count())
    }
}

pub fn encode(s: &str) -> String {
    karta::web::data::encode(s)
}

pub fn o(id: &str) -> String {
    format!("/o/{}", encode(id))
}

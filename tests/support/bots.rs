//! A stand-in for the Telegram Bot API and the MAX Bot API on loopback, for the messenger tests:
//! the methods karta calls (`sendMessage`, `getUpdates`; `POST /messages`, `GET /updates`),
//! written from the published documents — Telegram's Bot API page, MAX's OpenAPI document
//! (`tests/fixtures/max-bot-api`), against which every MAX request is validated. Answers can be
//! scripted: 429 with a wait, 502, a hang past karta's timeout. What people write in the chats
//! is queued by the test ([`Bots::telegram_says`], [`Bots::max_says`], [`Bots::max_started`])
//! and handed out as the APIs do: Telegram's updates from the offset asked for, MAX's from the
//! marker.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

pub const TELEGRAM_TOKEN: &str = "123456:TEST-telegram-token-never-shown";
pub const MAX_TOKEN: &str = "max-test-token-never-shown";

/// A message the stand-in accepted.
#[derive(Debug, Clone)]
pub struct Posted {
    /// `telegram` or `max`.
    pub api: &'static str,
    pub chat: String,
    pub text: String,
    /// The id the stand-in gave it (Telegram's `message_id`, MAX's `mid`).
    pub id: String,
    /// The message it replies to (Telegram's `reply_parameters`, MAX's `link`).
    pub answers: Option<String>,
}

/// What the stand-in answers next.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// 429, waiting this many seconds (Telegram: `parameters.retry_after`; MAX: `Retry-After`).
    TooMany(u64),
    /// 502 Bad Gateway.
    Down,
    /// No answer for this long, then 504 (nothing posted).
    Hang(Duration),
}

#[derive(Default)]
struct Books {
    posted: Vec<Posted>,
    /// Requests that do not follow the API's document, with why.
    violations: Vec<String>,
    script: VecDeque<Answer>,
    /// Every request, answered or not.
    requests: usize,
    delay: Duration,
    /// Updates waiting to be read: Telegram's by `update_id`, MAX's in order.
    telegram_updates: Vec<Value>,
    max_updates: Vec<Value>,
    /// How many messages people wrote (their ids go on from 10,000).
    said: i64,
}

struct Shared {
    books: Mutex<Books>,
    max_body: jsonschema::Validator,
    max_params: Vec<(String, Value)>,
    max_update_params: Vec<(String, Value)>,
}

pub struct Bots {
    port: u16,
    shared: Arc<Shared>,
    _runtime: tokio::runtime::Runtime,
}

impl Bots {
    /// Starts the stand-in on a free port; each answer waits `delay`.
    pub fn start(delay: Duration) -> Bots {
        let spec: Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/max-bot-api/openapi.json"))
                .expect("the MAX OpenAPI document"),
        )
        .expect("JSON");
        let operation = &spec["paths"]["/messages"]["post"];
        let body_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].clone();
        let params = |operation: &Value| {
            operation["parameters"]
                .as_array()
                .expect("parameters")
                .iter()
                .map(|p| (p["name"].as_str().expect("name").to_string(), p["schema"].clone()))
                .collect::<Vec<_>>()
        };
        let max_params = params(operation);
        let max_update_params = params(&spec["paths"]["/updates"]["get"]);
        // OpenAPI 3.0's `nullable` as JSON Schema: null allowed besides the type.
        let mut root = nullable_as_json_schema(spec.clone());
        root["$ref"] = body_ref;
        let max_body = jsonschema::validator_for(&root).expect("the NewMessageBody schema compiles");
        let shared = Arc::new(Shared {
            books: Mutex::new(Books { delay, ..Books::default() }),
            max_body,
            max_params,
            max_update_params,
        });
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let app = axum::Router::new()
            .route("/{bot}/sendMessage", post(telegram))
            .route("/{bot}/getUpdates", post(telegram_updates))
            .route("/messages", post(max))
            .route("/updates", get(max_updates))
            .with_state(shared.clone());
        runtime.spawn(async move { axum::serve(listener, app).await.expect("serve") });
        Bots { port, shared, _runtime: runtime }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `cmd` with both bots' tokens, pointed at the stand-in.
    pub fn reached_by<'c>(&self, cmd: &'c mut std::process::Command) -> &'c mut std::process::Command {
        cmd.env("KARTA_TELEGRAM_TOKEN", TELEGRAM_TOKEN)
            .env("KARTA_TELEGRAM_API", self.url())
            .env("KARTA_MAX_TOKEN", MAX_TOKEN)
            .env("KARTA_MAX_API", self.url())
    }

    /// Answers the next requests so, in order, before answering normally again.
    pub fn script(&self, answers: &[Answer]) {
        self.shared.books.lock().expect("lock").script.extend(answers);
    }

    pub fn posted(&self) -> Vec<Posted> {
        self.shared.books.lock().expect("lock").posted.clone()
    }

    pub fn violations(&self) -> Vec<String> {
        self.shared.books.lock().expect("lock").violations.clone()
    }

    pub fn requests(&self) -> usize {
        self.shared.books.lock().expect("lock").requests
    }

    /// User `user` (shown as `name`) writes `text` in Telegram chat `chat` (a group's negative
    /// id, or the user's own id for the one-to-one chat with the bot), as a reply to message
    /// `reply_to` when given. Returns the message's id.
    pub fn telegram_says(&self, chat: i64, user: i64, name: &str, text: &str, reply_to: Option<&str>) -> String {
        let mut books = self.shared.books.lock().expect("lock");
        books.said += 1;
        let id = 10_000 + books.said;
        let update_id = 500 + books.telegram_updates.len() as i64;
        let kind = if chat == user { "private" } else { "supergroup" };
        let mut message = json!({
            "message_id": id, "date": 1_710_115_200 + books.said,
            "from": {"id": user, "is_bot": false, "first_name": name},
            "chat": {"id": chat, "type": kind}, "text": text,
        });
        if let Some(r) = reply_to {
            message["reply_to_message"] = json!({"message_id": r.parse::<i64>().expect("a Telegram message id"), "date": 0, "chat": {"id": chat, "type": kind}});
        }
        books.telegram_updates.push(json!({"update_id": update_id, "message": message}));
        id.to_string()
    }

    /// User `user` writes `text` in MAX chat `chat` (`dialog` when it is the user's own), as a
    /// reply to message `reply_to` when given. Returns the message's `mid`.
    pub fn max_says(&self, chat: i64, user: i64, name: &str, text: &str, reply_to: Option<&str>) -> String {
        let mut books = self.shared.books.lock().expect("lock");
        books.said += 1;
        let mid = format!("mid.user.{}", books.said);
        let at = 1_710_115_200_000_i64 + books.said * 1000;
        let kind = if chat == user { "dialog" } else { "chat" };
        let seq = books.said;
        let link = reply_to.map(|r| json!({"type": "reply", "message": {"mid": r, "seq": 1, "text": null, "attachments": null, "link": null}}));
        books.max_updates.push(json!({
            "update_type": "message_created", "timestamp": at,
            "message": {
                "sender": {"user_id": user, "first_name": name, "name": name, "is_bot": false, "last_activity_time": at},
                "recipient": {"chat_id": chat, "chat_type": kind, "user_id": null},
                "timestamp": at, "link": link,
                "body": {"mid": mid, "seq": seq, "text": text, "attachments": null, "link": null},
            },
        }));
        mid
    }

    /// User `user` opens the bot's start link carrying `payload` (MAX's `bot_started`).
    pub fn max_started(&self, user: i64, name: &str, payload: &str) {
        let mut books = self.shared.books.lock().expect("lock");
        books.said += 1;
        let at = 1_710_115_200_000_i64 + books.said * 1000;
        books.max_updates.push(json!({
            "update_type": "bot_started", "timestamp": at, "chat_id": user,
            "user": {"user_id": user, "first_name": name, "name": name, "is_bot": false, "last_activity_time": at},
            "payload": payload,
        }));
    }
}

fn nullable_as_json_schema(mut value: Value) -> Value {
    match &mut value {
        Value::Object(map) => {
            for v in map.values_mut() {
                *v = nullable_as_json_schema(v.take());
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                match map.get("type").cloned() {
                    Some(Value::String(t)) => {
                        map.insert("type".into(), json!([t, "null"]));
                    }
                    _ => return json!({"anyOf": [{"type": "null"}, Value::Object(map.clone())]}),
                }
            }
            value
        }
        Value::Array(items) => Value::Array(items.drain(..).map(nullable_as_json_schema).collect()),
        _ => value,
    }
}

/// What to answer now: a scripted answer, or none (answer normally), after the delay.
async fn next(shared: &Shared) -> Option<Answer> {
    let (answer, delay) = {
        let mut books = shared.books.lock().expect("lock");
        books.requests += 1;
        (books.script.pop_front(), books.delay)
    };
    tokio::time::sleep(delay).await;
    if let Some(Answer::Hang(d)) = answer {
        tokio::time::sleep(d).await;
    }
    answer
}

/// The answers every API gives alike: the scripted failures.
fn failed(answer: Option<Answer>) -> Option<Response> {
    match answer? {
        Answer::Down => Some((StatusCode::BAD_GATEWAY, "Bad Gateway").into_response()),
        Answer::Hang(_) => Some((StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout").into_response()),
        Answer::TooMany(_) => None,
    }
}

fn violation(shared: &Shared, why: String) -> Response {
    shared.books.lock().expect("lock").violations.push(why.clone());
    (StatusCode::BAD_REQUEST, axum::Json(json!({"ok": false, "error_code": 400, "description": why}))).into_response()
}

/// Whether `text` is what Telegram's HTML mode takes: the tags it knows, balanced, the entities
/// it knows (`&lt;` `&gt;` `&amp;` `&quot;` and numeric), and no bare `<`, `>` or `&`.
pub fn telegram_html(text: &str) -> Result<(), String> {
    const TAGS: [&str; 8] = ["b", "strong", "i", "em", "u", "s", "a", "code"];
    let mut open: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['<', '>', '&']) {
        let c = rest.as_bytes()[i];
        rest = &rest[i..];
        match c {
            b'<' => {
                let end = rest.find('>').ok_or("a '<' never closed")?;
                let tag = &rest[1..end];
                match tag.strip_prefix('/') {
                    Some(name) if open.pop().as_deref() == Some(name) => {}
                    Some(name) => return Err(format!("</{name}> closes nothing open")),
                    None => {
                        let name = tag.split_whitespace().next().unwrap_or_default();
                        if !TAGS.contains(&name) {
                            return Err(format!("<{tag}> is not a Telegram tag"));
                        }
                        open.push(name.to_string());
                    }
                }
                rest = &rest[end + 1..];
            }
            b'&' => {
                let end = rest.find(';').filter(|&e| e < 10).ok_or("a bare '&'")?;
                let entity = &rest[1..end];
                let numeric = entity.strip_prefix('#').is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
                if !numeric && !["lt", "gt", "amp", "quot"].contains(&entity) {
                    return Err(format!("&{entity}; is not an entity Telegram knows"));
                }
                rest = &rest[end + 1..];
            }
            _ => return Err("a bare '>'".into()),
        }
    }
    if open.is_empty() { Ok(()) } else { Err(format!("tags left open: {open:?}")) }
}

async fn telegram(State(shared): State<Arc<Shared>>, Path(bot): Path<String>, body: String) -> Response {
    if bot != format!("bot{TELEGRAM_TOKEN}") {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"ok": false, "error_code": 404, "description": "Not Found"})),
        )
            .into_response();
    }
    match next(&shared).await {
        Some(Answer::TooMany(wait)) => {
            let body = json!({"ok": false, "error_code": 429, "description": format!("Too Many Requests: retry after {wait}"), "parameters": {"retry_after": wait}});
            return (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
        }
        other => {
            if let Some(response) = failed(other) {
                return response;
            }
        }
    }
    let Ok(request) = serde_json::from_str::<Value>(&body) else {
        return violation(&shared, format!("not JSON: {body}"));
    };
    let chat = match &request["chat_id"] {
        Value::Number(n) if n.is_i64() => n.to_string(),
        Value::String(s) if s.starts_with('@') => s.clone(),
        other => return violation(&shared, format!("chat_id {other} is neither an integer nor @channel")),
    };
    let text = request["text"].as_str().unwrap_or_default().to_string();
    if request["parse_mode"] != "HTML" {
        return violation(&shared, format!("parse_mode {} is not HTML", request["parse_mode"]));
    }
    let length = text.encode_utf16().count();
    if length == 0 || length > 4096 {
        return violation(&shared, format!("text of {length} characters (1–4096)"));
    }
    if let Err(why) = telegram_html(&text) {
        return violation(&shared, format!("can't parse entities: {why}"));
    }
    let answers = request["reply_parameters"]["message_id"].as_i64().map(|id| id.to_string());
    let mut books = shared.books.lock().expect("lock");
    let id = books.posted.len() + 1;
    books.posted.push(Posted { api: "telegram", chat: chat.clone(), text: text.clone(), id: id.to_string(), answers });
    axum::Json(json!({"ok": true, "result": {"message_id": id, "date": 0, "chat": {"id": chat}, "text": text}}))
        .into_response()
}

async fn max(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(refused) = max_unauthorized(&headers) {
        return refused;
    }
    match next(&shared).await {
        Some(Answer::TooMany(wait)) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", wait.to_string())],
                axum::Json(json!({"code": "too.many.requests", "message": "Too many requests"})),
            )
                .into_response();
        }
        other => {
            if let Some(response) = failed(other) {
                return response;
            }
        }
    }
    // The query: only the operation's parameters, each of its schema's type.
    for (name, value) in &query {
        let Some((_, schema)) = shared.max_params.iter().find(|(n, _)| n == name) else {
            return violation(&shared, format!("unknown query parameter {name}"));
        };
        let fits = match schema["type"].as_str() {
            Some("integer") => value.parse::<i64>().is_ok(),
            Some("boolean") => value == "true" || value == "false",
            _ => true,
        };
        if !fits {
            return violation(&shared, format!("{name}={value} is not of type {}", schema["type"]));
        }
    }
    let Some((_, chat)) = query.iter().find(|(n, _)| n == "chat_id" || n == "user_id") else {
        return violation(&shared, "neither chat_id nor user_id".into());
    };
    let Ok(request) = serde_json::from_str::<Value>(&body) else {
        return violation(&shared, format!("not JSON: {body}"));
    };
    let errors: Vec<String> =
        shared.max_body.iter_errors(&request).map(|e| format!("{} at {}", e, e.instance_path().as_str())).collect();
    if !errors.is_empty() {
        return violation(&shared, format!("NewMessageBody: {}", errors.join("; ")));
    }
    let text = request["text"].as_str().unwrap_or_default().to_string();
    if request["format"] == "html"
        && let Err(why) = telegram_html(&text)
    {
        return violation(&shared, format!("HTML: {why}"));
    }
    let answers = request["link"]["mid"].as_str().map(str::to_string);
    let mut books = shared.books.lock().expect("lock");
    let id = books.posted.len() + 1;
    books.posted.push(Posted { api: "max", chat: chat.clone(), text: text.clone(), id: format!("mid.{id}"), answers });
    axum::Json(json!({"message": {"recipient": {"chat_id": chat.parse::<i64>().unwrap_or(0)}, "timestamp": 0, "body": {"mid": format!("mid.{id}"), "seq": id, "text": text}}}))
        .into_response()
}

/// Telegram's `getUpdates`: the updates from `offset` on (those before it are confirmed), only
/// the kinds in `allowed_updates`.
async fn telegram_updates(State(shared): State<Arc<Shared>>, Path(bot): Path<String>, body: String) -> Response {
    if bot != format!("bot{TELEGRAM_TOKEN}") {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"ok": false, "error_code": 404, "description": "Not Found"})),
        )
            .into_response();
    }
    if let Some(response) = failed(next(&shared).await) {
        return response;
    }
    let Ok(request) = serde_json::from_str::<Value>(&body) else {
        return violation(&shared, format!("not JSON: {body}"));
    };
    if !request["timeout"].is_u64() {
        return violation(&shared, format!("timeout {} is not a non-negative integer", request["timeout"]));
    }
    let offset = request["offset"].as_i64().unwrap_or(0);
    let books = shared.books.lock().expect("lock");
    let result: Vec<&Value> =
        books.telegram_updates.iter().filter(|u| u["update_id"].as_i64().unwrap_or_default() >= offset).collect();
    axum::Json(json!({"ok": true, "result": result})).into_response()
}

/// MAX's `GET /updates`: the query checked against the operation's parameters; the updates from
/// the marker on, and the marker after them.
async fn max_updates(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = max_unauthorized(&headers) {
        return refused;
    }
    if let Some(response) = failed(next(&shared).await) {
        return response;
    }
    for (name, value) in &query {
        let Some((_, schema)) = shared.max_update_params.iter().find(|(n, _)| n == name) else {
            return violation(&shared, format!("unknown query parameter {name}"));
        };
        let fits = match schema["type"].as_str() {
            Some("integer") => value.parse::<i64>().is_ok_and(|n| {
                schema["minimum"].as_i64().is_none_or(|m| n >= m) && schema["maximum"].as_i64().is_none_or(|m| n <= m)
            }),
            Some("array") => value.split(',').all(|t| !t.is_empty()),
            _ => true,
        };
        if !fits {
            return violation(&shared, format!("{name}={value} does not fit {schema}"));
        }
    }
    let marker = query.iter().find(|(n, _)| n == "marker").and_then(|(_, v)| v.parse::<usize>().ok()).unwrap_or(0);
    let types: Option<Vec<&str>> = query.iter().find(|(n, _)| n == "types").map(|(_, v)| v.split(',').collect());
    let books = shared.books.lock().expect("lock");
    let updates: Vec<&Value> = books
        .max_updates
        .iter()
        .skip(marker)
        .filter(|u| types.as_ref().is_none_or(|t| t.contains(&u["update_type"].as_str().unwrap_or_default())))
        .collect();
    axum::Json(json!({"updates": updates, "marker": books.max_updates.len()})).into_response()
}

/// MAX's answer to a request without the bot's token.
fn max_unauthorized(headers: &HeaderMap) -> Option<Response> {
    (headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(MAX_TOKEN)).then(|| {
        (StatusCode::UNAUTHORIZED, axum::Json(json!({"code": "verify.token", "message": "Invalid access_token"})))
            .into_response()
    })
}

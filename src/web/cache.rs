//! Render once, serve many. A page depends on the roadmaps (their version), the log (its latest
//! event), the approved versions (the newest: approving one appends no event), the minute (states
//! turn at due instants, and the page shows the time), who asks (their session: the page carries
//! their name and the CSRF token of their forms) and the address with its query (the filter).
//! For that key the rendered page is kept, plain and gzip-compressed, with an ETag: the next
//! request with the same key is answered from memory, and a browser that already has it gets
//! 304 Not Modified.
//!
//! The session is checked on every request, cached or not: a page is never served on a session
//! that has ended. Pages that carry a flash message, set cookies, or are not 200 are not kept.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;

use super::{App, ViewKey, auth, blocking};

/// How many pages are kept (the oldest go first).
const CAPACITY: usize = 512;
/// The largest page kept.
const LARGEST: usize = 4 * 1024 * 1024;

/// What a page depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    view: ViewKey,
    session: String,
    uri: String,
}

/// A page as rendered.
struct Page {
    etag: HeaderValue,
    kind: HeaderValue,
    plain: Bytes,
    gzip: Bytes,
}

/// The pages kept, and their keys oldest first.
#[derive(Default)]
struct Kept {
    map: HashMap<Key, Arc<Page>>,
    order: VecDeque<Key>,
}

/// The pages kept.
#[derive(Default)]
pub struct Pages {
    inner: Mutex<Kept>,
}

impl Pages {
    fn get(&self, key: &Key) -> Option<Arc<Page>> {
        self.inner.lock().ok()?.map.get(key).cloned()
    }

    fn put(&self, key: Key, page: Arc<Page>) {
        let Ok(mut inner) = self.inner.lock() else { return };
        let Kept { map, order } = &mut *inner;
        // Pages made for an older view can never be asked for again.
        if order.front().is_some_and(|k| k.view != key.view) {
            map.retain(|k, _| k.view == key.view);
            order.retain(|k| k.view == key.view);
        }
        if map.insert(key.clone(), page).is_none() {
            order.push_back(key);
        }
        while order.len() > CAPACITY {
            if let Some(old) = order.pop_front() {
                map.remove(&old);
            }
        }
    }
}

/// Whether the path is a page worth keeping: not the API, files, feeds, sign-in or health.
fn cacheable(path: &str) -> bool {
    !["/api/", "/static/", "/files/", "/ics/", "/login", "/logout", "/healthz"].iter().any(|p| path.starts_with(p))
        && !path.contains("/export/")
        && !path.contains("/doc/")
        && !path.contains("/amendment.")
}

/// The middleware: answers from memory when it can, keeps what it renders.
pub async fn pages(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    if !app.config.page_cache || request.method() != Method::GET || !cacheable(request.uri().path()) {
        return next.run(request).await;
    }
    let jar = CookieJar::from_headers(request.headers());
    let (Some(token), None) = (jar.get(auth::COOKIE), jar.get(auth::FLASH_COOKIE)) else {
        return next.run(request).await;
    };
    let token = token.value().to_string();
    let uri = request.uri().to_string();
    let asked = app.clone();
    // Who and when, off the async threads: no live session, no key (the page itself redirects).
    let key = blocking(move || -> Option<Key> {
        let now = asked.now().timestamp();
        let live = asked.store(|s| s.session(&auth::digest(&token), now)).ok()??;
        let view = asked.view_key().ok()?;
        Some(Key { view, session: format!("{}:{}", live.0.id, auth::digest(&token)), uri })
    })
    .await
    .ok()
    .flatten();
    let Some(key) = key else { return next.run(request).await };
    let headers = request.headers().clone();
    if let Some(page) = app.pages.get(&key) {
        return answer(&page, &headers);
    }
    let response = next.run(request).await;
    let keep = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && response.headers().get(header::CONTENT_TYPE).is_some_and(|k| k.as_bytes().starts_with(b"text/html"));
    if !keep {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(plain) = axum::body::to_bytes(body, LARGEST).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "страница слишком большая").into_response();
    };
    let Some(page) = page(plain.clone(), parts.headers.get(header::CONTENT_TYPE).cloned()) else {
        return Response::from_parts(parts, Body::from(plain));
    };
    let page = Arc::new(page);
    app.pages.put(key, page.clone());
    answer(&page, &headers)
}

fn page(plain: Bytes, kind: Option<HeaderValue>) -> Option<Page> {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(&plain);
    let etag = HeaderValue::from_str(&format!("\"{:x}\"", digest)[..34]).ok()?;
    let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(plain.len() / 4), flate2::Compression::fast());
    gz.write_all(&plain).ok()?;
    let gzip = Bytes::from(gz.finish().ok()?);
    Some(Page { etag, kind: kind?, plain, gzip })
}

/// The kept page: 304 when the browser has it, gzip when it takes it.
fn answer(page: &Page, asked: &HeaderMap) -> Response {
    let has_it = asked
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim().trim_start_matches("W/") == page.etag.to_str().unwrap_or_default());
    let gzip = asked
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|e| e.trim().starts_with("gzip") && !e.contains("q=0")));
    let mut response = if has_it {
        StatusCode::NOT_MODIFIED.into_response()
    } else if gzip {
        let mut r = Body::from(page.gzip.clone()).into_response();
        r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        Body::from(page.plain.clone()).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::ETAG, page.etag.clone());
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding, cookie"));
    // Kept per user; revalidated every time.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    if !has_it {
        headers.insert(header::CONTENT_TYPE, page.kind.clone());
    }
    response
}

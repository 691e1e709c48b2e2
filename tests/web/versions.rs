//! Approved versions in the web app (docs/amendments.md, section 7), on both backends: the Lazo
//! roadmap approved as is (`karta approve` through the binary), then amended by an order of
//! 10.10.2023 № 395 that moves the deadline of point 1.4 (org-4) from 15.11.2023 to 15.12.2023 and
//! removes point 1.9 (org-9), with a report recorded under each before. Checked over HTTP: the
//! versions page and its diff, the amending order as DOCX, the slip beside the dates, the carried
//! and removed reports, the API against its OpenAPI document, and that approving a version (which
//! appends no event) is seen at once by kept pages.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use super::support::site::{Site, encode, now, o};
use super::support::{Backend, Test, docx_parts};
use karta::track::{Action, NewEvent};
use karta::web::{auth, router};

const ROADMAP: &str = "lazo-2023-2024";
const ORG4_BEFORE: &str = "lazo-2023-2024/org-4@2023-11-15";
const ORG4_AFTER: &str = "lazo-2023-2024/org-4@2023-12-15";
const ORDER: &str = "приказ от 10.10.2023 № 395";

/// `karta approve lazo-2023-2024` at `at`, on the site's roadmaps and store.
fn approve(site: &Site, at: &str) -> String {
    let run = Test::new()
        .env("KARTA_ROADMAPS", &site.dir.path().join("roadmaps").display().to_string())
        .env("KARTA_DB", &site.db)
        .args(["approve", ROADMAP, "--by", "Иванова Н.П.", "--now", at])
        .run();
    run.succeeds();
    run.stdout()
}

/// A partial report recorded under `occurrence` on 10.10.2023.
fn partly_done(site: &Site, occurrence: &str) {
    let at = chrono::DateTime::parse_from_rfc3339("2023-10-10T09:00:00+10:00").expect("time");
    let event = NewEvent {
        occurrence: Some(occurrence.into()),
        action: Action::Partial { percent: Some(50) },
        note: Some("половина школ".into()),
        evidence: Vec::new(),
        author: "setup".into(),
        recorded_at: at,
        batch: None,
    };
    site.store().append(&[event]).expect("append");
}

/// The amending order in the YAML: org-4 a month later, org-9 removed.
fn amend(site: &Site) {
    let path = site.dir.path().join("roadmaps").join(format!("{ROADMAP}.yaml"));
    let mut text = std::fs::read_to_string(&path).expect("roadmap");
    for (from, to) in [
        ("  date: 2023-10-02\n", "  date: 2023-10-02\n  amendments:\n    - number: \"395\"\n      date: 2023-10-10\n"),
        ("due: \"до 15 ноября 2023 г.\"", "due: \"до 15 декабря 2023 г.\""),
    ] {
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, to, 1);
    }
    let start = text.find("      - id: org-9\n").expect("org-9");
    let end = start + text[start..].find("  - id: method\n").expect("section 2");
    text = format!("{}{}", &text[..start], &text[end..]);
    std::fs::write(&path, text).expect("write");
    super::filetime_bump(&path, 2);
    assert!(site.app.roadmaps.refresh(now()), "the amended roadmap checks");
}

/// The `<li>` of a page that contains `needle`.
fn item<'p>(page: &'p str, needle: &str) -> &'p str {
    let at = page.find(needle).unwrap_or_else(|| panic!("«{needle}» on the page:\n{page}"));
    let start = page[..at].rfind("<li>").expect("in a list item");
    let end = at + page[at..].find("</li>").expect("closed");
    &page[start..end]
}

async fn the_versions_their_diff_and_the_amending_order(backend: Backend) {
    let site = Site::new(backend);
    let viewer = site.who("viewer");
    let admin = site.who("admin");
    let versions = format!("/r/{ROADMAP}/versions");

    // No version yet: the page says how one is recorded; the roadmap links to it.
    let (status, page) = site.get(Some(&viewer), &versions).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Утверждённых версий пока нет") && page.contains("karta approve lazo-2023-2024"), "{page}");
    assert!(site.get(Some(&viewer), &format!("/r/{ROADMAP}")).await.1.contains(&format!("href=\"{versions}\"")));
    let (status, _) = site.get(None, &versions).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed-in users only");

    // The baseline: the same page on the same session shows it at once (no event was appended).
    let org9 = {
        let (_, table) = site.api(&admin, "GET", &format!("/api/roadmaps/{ROADMAP}"), None).await;
        let rows =
            table["sections"].as_array().expect("sections").iter().flat_map(|s| s["rows"].as_array().expect("rows"));
        let row = rows.into_iter().find(|r| r["activity_id"] == "org-9").expect("org-9");
        row["current"].as_str().expect("an occurrence").to_string()
    };
    let out = approve(&site, "2023-10-02T12:00:00+10:00");
    assert!(out.contains("утверждена версия 1"), "{out}");
    let (_, page) = site.get(Some(&viewer), &versions).await;
    assert!(page.contains("приказ от 02.10.2023 № 380") && page.contains("исходная"), "{page}");
    assert!(page.contains("Иванова Н.П.") && page.contains("02.10.2023 12:00"), "who and when: {page}");
    assert!(page.contains("Изменений нет"), "the working files are the baseline: {page}");

    // Reports under the old dates, then the order in the YAML, not approved yet.
    partly_done(&site, ORG4_BEFORE);
    partly_done(&site, &org9);
    amend(&site);
    let roadmap = format!("/r/{ROADMAP}");
    let (_, table) = site.get(Some(&viewer), &roadmap).await;
    assert!(!table.contains("утверждено:"), "nothing approved moved yet");
    let (_, page) = site.get(Some(&viewer), &versions).await;
    assert!(page.contains(&format!("Их утвердит {ORDER}")), "{page}");
    assert!(page.contains(&format!("/r/{ROADMAP}/versions/working/amendment.docx")), "the draft order");
    let due = item(&page, "сроки:");
    assert!(due.contains("«до 15 ноября 2023 г.»") && due.contains("«до 15 декабря 2023 г.»"), "{due}");
    let (status, page) = site.get(Some(&viewer), &format!("/r/{ROADMAP}/versions/working/diff")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Изменения после версии 1"), "{page}");

    // Version 2: the pages kept for the view before see it at once.
    let out = approve(&site, "2023-10-10T12:00:00+10:00");
    assert!(out.contains("утверждена версия 2") && out.contains(ORDER), "{out}");
    let (_, table) = site.get(Some(&viewer), &roadmap).await;
    assert!(table.contains(&format!("утверждено: 15.11.2023, изменено: {ORDER}")), "the slip on the roadmap");
    let (_, page) = site.get(Some(&viewer), &versions).await;
    assert!(page.contains(ORDER) && page.contains(&format!("/r/{ROADMAP}/versions/2/diff")), "{page}");
    assert!(page.contains(&format!("/r/{ROADMAP}/versions/2/amendment.pdf")), "{page}");
    assert!(page.contains("Изменений нет"), "version 2 is the working files: {page}");

    // Its diff: the deadline before → after with the dates, the removed point.
    let (status, page) = site.get(Some(&viewer), &format!("/r/{ROADMAP}/versions/2/diff")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let due = item(&page, "сроки:");
    let (before, after) = (due.find("«до 15 ноября 2023 г.»"), due.find("«до 15 декабря 2023 г.»"));
    assert!(before.zip(after).is_some_and(|(b, a)| b < a), "before, then after: {due}");
    let (before, after) = (due.find("15.11.2023"), due.find("15.12.2023"));
    assert!(before.zip(after).is_some_and(|(b, a)| b < a), "the dates: {due}");
    assert!(page.contains("пункт 1.4") && page.contains("<code>org-4</code>"), "point and id");
    assert!(page.contains("исключён") && page.contains("<code>org-9</code>"), "the removed point");
    assert!(page.contains("Мероприятий добавлено: 0, исключено: 1, изменено: 1."), "{page}");
    for missing in ["/versions/1/diff", "/versions/3/diff", "/versions/x/diff", "/versions/2/amendment.xlsx"] {
        let (status, _) = site.get(Some(&viewer), &format!("/r/{ROADMAP}{missing}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    }

    // The amending order of version 2, as a Word document.
    let request = Request::get(format!("/r/{ROADMAP}/versions/2/amendment.docx"))
        .header(header::COOKIE, format!("{}={}", auth::COOKIE, viewer.cookie))
        .body(Body::empty())
        .expect("request");
    let response = router(site.app.clone()).oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let disposition = headers[header::CONTENT_DISPOSITION].to_str().expect("ascii");
    assert!(disposition.contains("attachment") && disposition.contains("lazo-2023-2024-amendment-2.docx"));
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    let document = docx_parts(&bytes).remove("word/document.xml").expect("word/document.xml");
    assert!(document.contains("О внесении изменений"), "the heading");
    assert!(document.contains("15 декабря 2023"), "the new deadline in the order's items");

    // The documents' address of the kind leads to the draft of the next order.
    let request = Request::get(format!("/r/{ROADMAP}/doc/amendment.docx"))
        .header(header::COOKIE, format!("{}={}", auth::COOKIE, viewer.cookie))
        .body(Body::empty())
        .expect("request");
    let (status, headers, _) = site.send(request).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let draft = format!("/r/{ROADMAP}/versions/working/amendment.docx");
    assert!(headers.iter().any(|(k, v)| k == "location" && *v == draft), "{headers:?}");

    // The occurrence the report was carried to: the slip and the carried report.
    let (status, page) = site.get(Some(&viewer), &o(ORG4_AFTER)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("утверждено: 15.11.2023, изменено: {ORDER}")), "{page}");
    assert!(page.contains(&format!("перенесено с {ORG4_BEFORE} при утверждении изменений: {ORDER}")), "{page}");
    // The removed one keeps its report, marked.
    let (status, page) = site.get(Some(&viewer), &o(&org9)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Срок исключён") && page.contains(&format!("мероприятие исключено: {ORDER}")), "{page}");
    assert!(page.contains("половина школ"), "the report stays");
    assert_eq!(site.get(Some(&viewer), &o("lazo-2023-2024/org-9@2099-01-01")).await.0, StatusCode::NOT_FOUND);

    api(&site, &org9).await;
}

/// The API's versions, diffs and occurrences, each against the OpenAPI document.
async fn api(site: &Site, org9: &str) {
    let who = site.who("viewer");
    let (_, doc) = site.api(&who, "GET", "/api/openapi.json", None).await;
    let (who, doc) = (&who, &doc);
    let get = |uri: String, path: &'static str| async move {
        let (status, body) = site.api(who, "GET", &uri, None).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        super::answer_fits(doc, path, &uri, &body);
        body
    };
    let list = get(format!("/api/roadmaps/{ROADMAP}/versions"), "/roadmaps/{roadmap}/versions").await;
    let orders: Vec<(i64, &str, bool)> = list["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| (v["number"].as_i64().unwrap_or(0), v["order_text"].as_str().unwrap_or(""), v["baseline"] == true))
        .collect();
    assert_eq!(orders, [(1, "приказ от 02.10.2023 № 380", true), (2, ORDER, false)]);

    let diff = get(format!("/api/roadmaps/{ROADMAP}/diff?from=1&to=2"), "/roadmaps/{roadmap}/diff").await;
    assert_eq!((diff["from"].as_i64(), diff["to"].as_i64(), diff["order"].as_str()), (Some(1), Some(2), Some(ORDER)));
    let changes: Vec<(&str, &str, Value)> = diff["activities"]
        .as_array()
        .expect("activities")
        .iter()
        .map(|c| {
            let side = if c["after"].is_null() { &c["before"] } else { &c["after"] };
            (c["kind"].as_str().unwrap_or(""), side["id"].as_str().unwrap_or(""), c["fields"].clone())
        })
        .collect();
    assert_eq!(
        changes,
        [("changed", "org-4", serde_json::json!(["due"])), ("removed", "org-9", serde_json::json!([]))]
    );
    assert_eq!(diff["activities"][0]["before"]["dates"], serde_json::json!(["2023-11-15"]));
    assert_eq!(diff["activities"][0]["after"]["dates"], serde_json::json!(["2023-12-15"]));
    let working = get(format!("/api/roadmaps/{ROADMAP}/diff"), "/roadmaps/{roadmap}/diff").await;
    assert_eq!((working["from"].as_i64(), working["to"].is_null()), (Some(2), true));
    assert_eq!(working["activities"], serde_json::json!([]), "nothing since version 2");

    let occurrence = get(format!("/api/occurrences/{}", encode(ORG4_AFTER)), "/occurrences/{occurrence}").await;
    assert_eq!(occurrence["occurrence"]["approved_due"], "2023-11-15");
    assert_eq!(occurrence["occurrence"]["amended_by"], ORDER);
    let carried = &occurrence["history"][0]["carried"];
    assert_eq!((carried["rule"].as_str(), carried["from"].as_str()), (Some("moved"), Some(ORG4_BEFORE)));
    let roadmap = get(format!("/api/roadmaps/{ROADMAP}"), "/roadmaps/{roadmap}").await;
    let org4 = roadmap["sections"][0]["rows"].as_array().expect("rows").iter().find(|r| r["activity_id"] == "org-4");
    assert_eq!(org4.map(|r| r["approved_due"].clone()), Some(serde_json::json!("2023-11-15")));

    for (uri, status) in [
        (format!("/api/roadmaps/{ROADMAP}/diff?to=1"), StatusCode::NOT_FOUND),
        (format!("/api/roadmaps/{ROADMAP}/diff?from=7"), StatusCode::NOT_FOUND),
        (format!("/api/roadmaps/{ROADMAP}/diff?from=0"), StatusCode::UNPROCESSABLE_ENTITY),
        (format!("/api/roadmaps/{ROADMAP}/diff?from=один"), StatusCode::BAD_REQUEST),
        ("/api/roadmaps/nope/versions".to_string(), StatusCode::NOT_FOUND),
        (format!("/api/occurrences/{}", encode(org9)), StatusCode::NOT_FOUND),
    ] {
        let (got, body) = site.api(who, "GET", &uri, None).await;
        assert_eq!(got, status, "{uri}: {body}");
        assert!(body["error"].is_string(), "{uri}: {body}");
    }
}

crate::on_both_backends!(async the_versions_their_diff_and_the_amending_order);

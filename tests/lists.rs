//! Leadership's lists on both store backends and the bundled roadmaps: every late occurrence
//! reachable (pages and "show all"), sorting by a column both ways, search, the executor ×
//! roadmap view with the worst first and its drill-down to the occurrences behind a cell, "no
//! report" apart from "reported not done", the league table's shared places, and the exports
//! of what the pages show, read back with a real XLSX reader.

mod support;

use support::Backend;
use support::site::{AMURSKY, BIKINSKY, MODEL, Site, Who, encode};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use karta::web::auth;

/// The rows of a list page: (occurrence id, days late as shown, the executors cell).
fn rows(page: &str) -> Vec<(String, Option<u64>, String)> {
    page.split("<tr class=\"row ")
        .skip(1)
        .map(|row| {
            let row = &row[..row.find("</tr>").unwrap_or(row.len())];
            let id = row.split("href=\"/o/").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default();
            let id = percent_encoding::percent_decode_str(id).decode_utf8_lossy().into_owned();
            let cells: Vec<&str> = row.split("<td").skip(1).collect();
            let text = |i: usize| {
                let c = cells.get(i).copied().unwrap_or_default();
                let c = &c[c.find('>').map_or(0, |p| p + 1)..];
                c[..c.find("</td>").unwrap_or(c.len())].to_string()
            };
            (id, text(4).trim().parse().ok(), text(2))
        })
        .collect()
}

fn found(page: &str) -> usize {
    page.split("Найдено ").nth(1).and_then(|r| r.split([',', '.']).next()).and_then(|n| n.parse().ok()).unwrap_or(0)
}

async fn download(site: &Site, who: &Who, uri: &str) -> (StatusCode, Vec<u8>) {
    let request = Request::get(uri)
        .header(header::COOKIE, format!("{}={}", auth::COOKIE, who.cookie))
        .body(Body::empty())
        .expect("request");
    let response = tower::ServiceExt::oneshot(karta::web::router(site.app.clone()), request).await.expect("response");
    let status = response.status();
    let bytes = http_body_util::BodyExt::collect(response.into_body()).await.expect("body").to_bytes();
    (status, bytes.to_vec())
}

fn sheet(bytes: Vec<u8>) -> calamine::Range<calamine::Data> {
    let mut book: calamine::Xlsx<_> = calamine::Reader::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let name = calamine::Reader::sheet_names(&book)[0].clone();
    calamine::Reader::worksheet_range(&mut book, &name).expect("sheet")
}

/// Every late occurrence can be reached, sorted either way, searched, and exported as listed.
async fn every_late_occurrence_is_listed_sorted_and_exported(backend: Backend) {
    let site = Site::new(backend);
    let (viewer, admin) = (site.who("viewer"), site.who("admin"));
    let path = format!("/api/occurrences/{}/report", encode(BIKINSKY));
    let body = json!({"kind": "not_done", "reason": "нет интернета в школах"});
    assert_eq!(site.api(&admin, "POST", &path, Some(body)).await.0, StatusCode::OK);

    let (_, overview) = site.api(&viewer, "GET", "/api/overview", None).await;
    let late = overview["total"]["overdue"].as_u64().expect("late") as usize;
    assert_eq!(overview["total"]["not_done"], 1, "the one reported not done");
    assert_eq!(overview["total"]["no_report"].as_u64(), Some(late as u64 - 1));

    let (status, first) = site.get(Some(&viewer), "/occurrences?state=late").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(found(&first), late, "the list counts every late occurrence");
    assert_eq!(rows(&first).len(), 50, "a page of 50");
    assert!(first.contains(&format!("Показать все ({late})")));
    // The latest first by default.
    let days: Vec<u64> = rows(&first).iter().map(|r| r.1.expect("days late")).collect();
    assert!(days.windows(2).all(|w| w[0] >= w[1]), "{days:?}");
    // Every page together is the whole list, each occurrence once.
    let pages = late.div_ceil(50);
    let mut seen = std::collections::BTreeSet::new();
    for n in 1..=pages {
        let (_, page) = site.get(Some(&viewer), &format!("/occurrences?state=late&page={n}")).await;
        for (id, _, _) in rows(&page) {
            assert!(seen.insert(id.clone()), "{id} twice");
        }
    }
    assert_eq!(seen.len(), late);
    let (_, all) = site.get(Some(&viewer), "/occurrences?state=late&show=all").await;
    assert_eq!(rows(&all).len(), late, "show all");
    // The other way round.
    let (_, ascending) = site.get(Some(&viewer), "/occurrences?state=late&sort=late&dir=asc&show=all").await;
    let days: Vec<u64> = rows(&ascending).iter().map(|r| r.1.expect("days late")).collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "{days:?}");
    assert!(ascending.contains("aria-sort=\"ascending\""));

    // "No report" and "not done" apart.
    let (_, not_done) = site.get(Some(&viewer), "/occurrences?state=not_done").await;
    let ids: Vec<String> = rows(&not_done).into_iter().map(|r| r.0).collect();
    assert_eq!(ids, vec![BIKINSKY.to_string()]);
    let (_, no_report) = site.get(Some(&viewer), "/occurrences?state=overdue&show=all").await;
    assert_eq!(rows(&no_report).len(), late - 1);
    assert!(!no_report.contains(BIKINSKY));

    // Search: every row names the district searched for, and Amursky's late item is there.
    let (_, searched) =
        site.get(Some(&viewer), "/occurrences?state=late&q=%D0%90%D0%BC%D1%83%D1%80%D1%81%D0%BA&show=all").await;
    let hits = rows(&searched);
    assert!(!hits.is_empty() && hits.len() < late, "{}", hits.len());
    assert!(hits.iter().all(|r| r.2.contains("Амурск")), "{hits:?}");
    assert!(hits.iter().any(|r| r.0 == AMURSKY));

    // The export is the list: every page, in the list's order.
    let (status, bytes) = download(&site, &viewer, "/occurrences/export.xlsx?state=late").await;
    assert_eq!(status, StatusCode::OK);
    let sheet = sheet(bytes);
    assert_eq!(sheet.height(), late + 1);
    let id = support::tables::column_named(&sheet, "Идентификатор");
    let exported: Vec<String> = (1..sheet.height())
        .map(|r| calamine::DataType::get_string(sheet.get((r, id)).expect("id")).expect("text").to_string())
        .collect();
    let listed: Vec<String> = rows(&all).into_iter().map(|r| r.0).collect();
    assert_eq!(exported, listed, "the same rows in the same order");

    let (status, page) = site.get(Some(&viewer), "/occurrences?sort=nonsense").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("нельзя упорядочить"), "{page}");
}

/// The executor × roadmap view puts the worst first, and each cell leads to exactly the
/// occurrences it counts.
async fn the_district_view_drills_down_to_its_occurrences(backend: Backend) {
    let site = Site::new(backend);
    let viewer = site.who("viewer");
    let (status, page) = site.get(Some(&viewer), "/districts").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let body = &page[page.find("<tbody>").expect("table")..];
    let lines: Vec<&str> = body.split("<tr><th scope=\"row\">").skip(1).collect();
    assert!(lines.len() > 10, "every executor: {}", lines.len());
    let late = |cell: &str| -> u64 {
        cell.split("<strong class=\"bad\">")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let totals: Vec<u64> =
        lines.iter().map(|l| late(l.split("<td class=\"cell\">").nth(1).unwrap_or_default())).collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "the worst first: {totals:?}");
    let amursky = lines.iter().find(|l| l.contains("/e/mo-amursky")).expect("Amursky's line");
    let mut checked = 0;
    for cell in amursky.split("<td class=\"cell\">").skip(1) {
        let Some(href) = cell.split("<a href=\"").nth(1).and_then(|r| r.split('"').next()) else { continue };
        let href = href.replace("&amp;", "&");
        let n = late(cell);
        let (status, list) = site.get(Some(&viewer), &format!("{href}&show=all")).await;
        assert_eq!(status, StatusCode::OK, "{href}");
        if n > 0 {
            assert_eq!(found(&list) as u64, n, "{href}: the cell counts what it leads to");
            assert!(rows(&list).iter().all(|r| r.1.is_some()), "only late ones");
            checked += 1;
        }
    }
    assert!(checked >= 2, "Amursky is late in the model and overall: {checked}");
    let (_, drill) =
        site.get(Some(&viewer), &format!("/occurrences?roadmap={MODEL}&executor=mo-amursky&state=late")).await;
    assert!(rows(&drill).iter().any(|r| r.0 == AMURSKY));

    let (status, bytes) = download(&site, &viewer, "/districts/export.csv").await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(bytes).expect("utf-8");
    assert_eq!(text.trim_start_matches('\u{feff}').lines().count(), lines.len() + 1, "a line per executor");
}

/// The league ranks by discipline with shared places, and leaves out those with nothing due.
async fn the_league_shares_places_and_skips_those_with_nothing_due(backend: Backend) {
    let site = Site::new(backend);
    let viewer = site.who("viewer");
    let (_, overview) = site.api(&viewer, "GET", "/api/overview", None).await;
    let league = overview["league"].as_array().expect("league");
    assert!(!league.is_empty());
    assert!(league.iter().all(|r| r["due"].as_u64() > Some(0)), "nothing due, no place");
    for pair in league.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let (da, db) = (a["discipline"].as_f64().unwrap_or(0.0), b["discipline"].as_f64().unwrap_or(0.0));
        assert!(da >= db, "by discipline");
        if da == db {
            assert_eq!(a["place"], b["place"], "equal discipline, one place");
        } else {
            assert!(a["place"].as_u64() < b["place"].as_u64());
        }
    }
    let (status, bytes) = download(&site, &viewer, "/export/league.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let table = sheet(bytes);
    assert_eq!(table.height(), league.len() + 1);
    let first: Vec<Value> = (0..2).map(|c| json!(table.get((1, c)).map(|d| d.to_string()))).collect();
    assert_eq!(first[1], json!(league[0]["title"].as_str()), "{first:?}");

    // An executor's three lists in one download: as many rows as their page lists.
    let (_, page) = site.get(Some(&viewer), "/e/mo-amursky?weeks=52").await;
    let (status, bytes) = download(&site, &viewer, "/e/mo-amursky/export/deadlines.csv").await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(bytes).expect("utf-8");
    let rows = page.matches("<tr class=\"row ").count();
    assert!(rows > 0);
    assert_eq!(text.trim_start_matches('\u{feff}').lines().count(), rows + 1, "{text}");

    // The indicators' tables: a row per indicator and year, as the page's year rows.
    let (_, page) = site.get(Some(&viewer), &format!("/r/{MODEL}/indicators")).await;
    let years = page
        .split("<table class=\"grid years\">")
        .skip(1)
        .map(|t| t[..t.find("</table>").unwrap_or(0)].matches("<tr><td>").count())
        .sum::<usize>();
    let (status, bytes) = download(&site, &viewer, &format!("/r/{MODEL}/export/indicators.xlsx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(years > 0);
    assert_eq!(sheet(bytes).height(), years + 1);
}

on_both_backends!(
    async
    every_late_occurrence_is_listed_sorted_and_exported,
    the_district_view_drills_down_to_its_occurrences,
    the_league_shares_places_and_skips_those_with_nothing_due,
);

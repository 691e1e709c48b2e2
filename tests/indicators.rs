//! The indicator report (issue 21, item 5) through the binary: periods are read in every form
//! authors write and refused with a located K0405 otherwise; a school year's values never land
//! in a calendar year's row; a trend compares two points of one series; a count's chart has
//! whole-number ticks; the legend names only what is drawn; the DOCX opens with a summary table
//! of one row per indicator that fits the first page. Expectations come from the YAML.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::Test;

const NOW: &str = "2024-03-01T12:00:00+10:00";
const MODEL: &str = "khabarovsk-model-2023-2024";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Khabarovsk model's indicators as the YAML has them.
fn model_indicators() -> Vec<Value> {
    let text = std::fs::read_to_string(repo().join("roadmaps").join(format!("{MODEL}.yaml"))).expect("the seed");
    let doc = karta::load::json_of(&text).expect("YAML");
    doc["indicators"].as_array().cloned().expect("indicators")
}

/// `karta render indicators` of `roadmap` in `dir` (roadmaps) with the store `db`.
fn render(roadmaps: &Path, db: &Path, roadmap: &str, format: &[&str]) -> support::Run {
    Test::new()
        .env("KARTA_ROADMAPS", &roadmaps.display().to_string())
        .env("KARTA_DB", &db.display().to_string())
        .args(["render", "indicators", "--roadmap", roadmap, "--now", NOW])
        .args(format.iter().copied())
        .run()
}

fn json_of(roadmaps: &Path, db: &Path, roadmap: &str) -> Value {
    let run = render(roadmaps, db, roadmap, &["--format", "json"]);
    run.succeeds();
    serde_json::from_str(&run.stdout()).expect("JSON")
}

fn model_json(db: &Path) -> Value {
    json_of(&repo().join("roadmaps"), db, MODEL)
}

/// A roadmap with one indicator whose fields are `indicator` (YAML lines indented by 4).
fn roadmap(indicator: &str) -> String {
    format!(
        r#"kind: roadmap
id: demo
title: Демонстрационная дорожная карта
period: {{from: 2023-09-01, to: 2024-08-31}}
timezone: Asia/Vladivostok
executors:
  uo: {{name: Управление образования, email: uo@example.org}}
indicators:
  - id: ind
    title: Показатель
{indicator}sections:
  - title: Раздел
    activities:
      - {{id: org-1, title: Назначение ответственных, executors: [uo], due: до 17 октября 2023 г.}}
"#
    )
}

/// `karta check` on a one-indicator roadmap: the diagnostics as JSON.
fn check(indicator: &str) -> (i32, Vec<Value>) {
    let run = Test::new().file("demo.yaml", roadmap(indicator)).args(["check", "demo.yaml", "--format", "json"]).run();
    let diagnostics = run.stdout().lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    (run.code(), diagnostics)
}

#[test]
fn every_period_form_is_read() {
    for period in ["2024", "2023-2024", "2023/2024", "2023/24", "2024-03", "2024-03-15", "15.03.2024", "2023–2024"] {
        let (code, diagnostics) = check(&format!(
            "    unit: \"%\"\n    better: lower\n    baseline: {{\"{period}\": 1}}\n    values:\n      - {{period: \"{period}\", value: 2}}\n"
        ));
        assert_eq!(code, 0, "{period}: {diagnostics:?}");
        assert!(!diagnostics.iter().any(|d| d["code"] == "K0405"), "{period}: {diagnostics:?}");
    }
}

#[test]
fn bad_periods_are_located_errors() {
    // (period, what the message says); the value's `period` is on line 14 of the file.
    let cases = [
        ("2023-2025", "два соседних года"),
        ("2023-24", "месяца 24 нет"),
        ("2024-13", "месяца 13 нет"),
        ("2024-02-30", "нет в календаре"),
        ("весна 2024", "не распознан"),
        ("", "период не указан"),
    ];
    for (period, says) in cases {
        let (code, diagnostics) = check(&format!(
            "    unit: \"%\"\n    better: lower\n    values:\n      - period: \"{period}\"\n        value: 2\n"
        ));
        assert_eq!(code, 1, "{period}: {diagnostics:?}");
        let d =
            diagnostics.iter().find(|d| d["code"] == "K0405").unwrap_or_else(|| panic!("{period}: {diagnostics:?}"));
        assert_eq!(d["severity"], "error");
        assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(14), Some(17)), "{period}: {d}");
        assert!(d["message"].as_str().is_some_and(|m| m.contains(says)), "{period}: {d}");
    }
    // A baseline's key is underlined as a key.
    let (code, diagnostics) = check("    unit: \"%\"\n    better: lower\n    baseline: {\"2023-2025\": 1}\n");
    assert_eq!(code, 1);
    let d = diagnostics.iter().find(|d| d["code"] == "K0405").expect("K0405");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64(), d["length"].as_u64()), (Some(13), Some(16), Some(11)));
    // A baseline by calendar year with targets by school year: a warning, not an error.
    let (code, diagnostics) =
        check("    unit: \"%\"\n    better: lower\n    baseline: {\"2023\": 1}\n    target: {\"2024-2025\": 1}\n");
    assert_eq!(code, 0);
    assert!(diagnostics.iter().any(|d| d["code"] == "K0406" && d["severity"] == "warning"), "{diagnostics:?}");
}

/// Whether a period as written is a school year: two years, the second the next one.
fn school_year(period: &str) -> Option<i32> {
    let (a, b) = period.split_once(['-', '/', '–'])?;
    let a: i32 = a.parse().ok()?;
    let b: i32 = b.parse().ok()?;
    (b == a + 1 || (b < 100 && b == (a + 1) % 100)).then_some(a)
}

#[test]
fn a_school_year_value_never_sits_in_a_calendar_year_row() {
    let store = tempfile::tempdir().expect("temp dir");
    let db = store.path().join("karta.db");
    // A value recorded for the school year, as districts do with `karta value`.
    Test::new()
        .env("KARTA_ROADMAPS", &repo().join("roadmaps").display().to_string())
        .env("KARTA_DB", &db.display().to_string())
        .args(["value", "ege-below-min-math-base", "9,9", "--period", "2023/24", "--now", "2024-02-20T10:00:00+10:00"])
        .run()
        .succeeds();
    let data = model_json(&db);
    let mut checked = 0;
    for (yaml, doc) in model_indicators().iter().zip(data["indicators"].as_array().expect("indicators")) {
        let mut values: Vec<(String, f64)> = yaml["values"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| (v["period"].as_str().unwrap_or_default().to_string(), v["value"].as_f64().unwrap_or(f64::NAN)))
            .collect();
        if yaml["id"] == "ege-below-min-math-base" {
            values.push(("2023/24".into(), 9.9));
        }
        let series = doc["series"].as_array().expect("series");
        for (period, value) in values {
            let rows: Vec<(&Value, &Value)> = series
                .iter()
                .flat_map(|s| s["rows"].as_array().into_iter().flatten().map(move |r| (s, r)))
                .filter(|(_, r)| r["actual"].as_f64() == Some(value))
                .collect();
            assert!(!rows.is_empty(), "{}: {period} = {value} is not shown", yaml["id"]);
            for (s, r) in rows {
                match school_year(&period) {
                    Some(y) => {
                        assert_eq!(s["kind"], "school_year", "{}: {period} = {value} in {}", yaml["id"], s["name"]);
                        assert_eq!(r["period"], format!("{y}/{}\u{a0}уч.\u{a0}г.", y + 1));
                        checked += 1;
                    }
                    None => {
                        assert_eq!((s["kind"].as_str(), r["period"].as_str()), (Some("year"), Some(period.as_str())))
                    }
                }
            }
            // The status report's rows are the targets' series: no school year there.
            if school_year(&period).is_some() {
                let years = doc["years"].as_array().expect("years");
                assert!(
                    !years.iter().any(|y| y["actual"].as_f64() == Some(value)),
                    "{}: {period} in years",
                    yaml["id"]
                );
            }
        }
    }
    assert!(checked >= 19, "only {checked} school-year values checked");
    // A period karta cannot read is refused before it is stored.
    let run = Test::new()
        .env("KARTA_ROADMAPS", &repo().join("roadmaps").display().to_string())
        .env("KARTA_DB", &db.display().to_string())
        .args(["value", "ege-below-min-math-base", "1", "--period", "2023-2025"])
        .run();
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(run.stderr().contains("два соседних года"), "{}", run.stderr());
}

#[test]
fn a_trend_compares_points_of_one_series() {
    // Exam baseline 10 (2023) and result 12 (2024): worse. Diagnostic works of the school year
    // 50 then 5: better. Across series (5 → 12, or 10 → 5) the answers would differ.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("demo.yaml"),
        roadmap(concat!(
            "    unit: \"%\"\n    better: lower\n    measure: ЕГЭ\n",
            "    baseline: {\"2023\": 10}\n    target: {\"2024\": 8}\n    values:\n",
            "      - {period: \"2023-2024\", measure: Диагностические работы, label: ДР 1, value: 50}\n",
            "      - {period: \"2023-2024\", measure: Диагностические работы, label: ДР 2, value: 5}\n",
            "      - {period: \"2024\", label: ЕГЭ 2024, value: 12, source: РЦОИ}\n",
        )),
    )
    .expect("write");
    let data = json_of(dir.path(), &dir.path().join("karta.db"), "demo");
    let ind = &data["indicators"][0];
    let series = ind["series"].as_array().expect("series");
    assert_eq!(series.len(), 2, "{series:?}");
    let exam = series.iter().find(|s| s["kind"] == "year").expect("the exam series");
    let works = series.iter().find(|s| s["kind"] == "school_year").expect("the diagnostic works");
    assert_eq!(exam["main"], true);
    assert_eq!((exam["trend"]["word"].as_str(), exam["trend"]["from"].as_str()), (Some("ухудшение"), Some("2023")));
    assert_eq!(exam["trend"]["to"], "2024");
    assert_eq!((works["trend"]["word"].as_str(), works["trend"]["from"].as_str()), (Some("улучшение"), Some("ДР 1")));
    assert_eq!(works["trend"]["to"], "ДР 2");
    assert_eq!(ind["summary"]["trend"]["word"], "ухудшение", "the summary speaks for the targets' series");
    assert_eq!(ind["summary"]["met"], false, "12 misses the target 8");
    assert_eq!(ind["summary"]["actual"]["value"], 12.0);
    // The label and source of a value are in its row and in every format.
    let row = exam["rows"].as_array().expect("rows").iter().find(|r| r["actual"] == 12.0).expect("the 2024 row");
    assert_eq!((row["label"].as_str(), row["source"].as_str()), (Some("ЕГЭ 2024"), Some("РЦОИ")));
    for format in ["html", "md"] {
        let run = render(dir.path(), &dir.path().join("karta.db"), "demo", &["--format", format]);
        run.succeeds();
        for text in ["ЕГЭ 2024", "РЦОИ", "ДР 2", "ухудшение", "улучшение"] {
            assert!(run.stdout().contains(text), "{format}: no «{text}»");
        }
    }
}

/// The texts of the SVG elements with `class` among the descendants of `node`.
fn texts_of(node: roxmltree::Node, class: &str) -> Vec<String> {
    node.descendants()
        .filter(|n| n.attribute("class") == Some(class))
        .map(|n| n.children().filter(|c| c.is_text()).filter_map(|c| c.text()).collect::<String>())
        .collect()
}

#[test]
fn charts_count_in_whole_numbers_and_name_only_what_is_drawn() {
    let store = tempfile::tempdir().expect("temp dir");
    let data = model_json(&store.path().join("karta.db"));
    let counts = ["чел.", "человек", "ед.", "шт.", "ОО", "школ"];
    let mut whole = 0;
    for (yaml, doc) in model_indicators().iter().zip(data["indicators"].as_array().expect("indicators")) {
        let svg = doc["svg"].as_str().expect("svg");
        let tree = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{}: not XML: {e}", yaml["id"]));
        let ticks: Vec<f64> = texts_of(tree.root(), "tick")
            .iter()
            .map(|t| t.replace(',', ".").replace('\u{a0}', "").parse().unwrap_or_else(|_| panic!("tick «{t}»")))
            .collect();
        assert!(ticks.len() >= 2, "{}: {ticks:?}", yaml["id"]);
        let numbers: Vec<f64> = ["baseline", "target"]
            .iter()
            .flat_map(|k| yaml[k].as_object().into_iter().flatten().filter_map(|(_, v)| v.as_f64()))
            .chain(yaml["values"].as_array().into_iter().flatten().filter_map(|v| v["value"].as_f64()))
            .collect();
        let max = numbers.iter().copied().fold(0.0, f64::max);
        assert!(ticks.last().is_some_and(|t| *t >= max), "{}: {ticks:?} below {max}", yaml["id"]);
        let unit = yaml["unit"].as_str().unwrap_or_default();
        if counts.contains(&unit) || numbers.iter().all(|v| v.fract() == 0.0) {
            assert!(ticks.iter().all(|t| t.fract() == 0.0), "{} ({unit}): {ticks:?}", yaml["id"]);
            let step = ticks[1] - ticks[0];
            assert!(step >= 1.0 && ticks.windows(2).all(|w| w[1] - w[0] == step), "{}: {ticks:?}", yaml["id"]);
            whole += 1;
        }
        // The legend: the baseline, the actual values, the target — each only when present.
        let legend = tree.descendants().find(|n| n.attribute("class") == Some("legend")).expect("a legend");
        let entries: Vec<String> = legend
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text().map(String::from))
            .collect();
        let has = |k: &str| yaml[k].as_object().is_some_and(|m| !m.is_empty());
        let values = yaml["values"].as_array().is_some_and(|v| !v.is_empty());
        assert_eq!(entries.iter().any(|e| e == "базовое значение"), has("baseline"), "{}: {entries:?}", yaml["id"]);
        assert_eq!(entries.iter().any(|e| e == "цель"), has("target"), "{}: {entries:?}", yaml["id"]);
        assert_eq!(entries.iter().any(|e| e.starts_with("факт")), values, "{}: {entries:?}", yaml["id"]);
        // One actual entry per series with values: an exam and the diagnostic works are two.
        let measures: std::collections::BTreeSet<String> = yaml["values"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| v["measure"].as_str().or(yaml["measure"].as_str()).unwrap_or_default().to_string())
            .collect();
        assert_eq!(entries.iter().filter(|e| e.starts_with("факт")).count(), measures.len(), "{}", yaml["id"]);
    }
    assert!(whole >= 4, "only {whole} count indicators");
}

fn docx_document(path: &Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("docx")).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("document.xml").read_to_string(&mut xml).expect("UTF-8");
    xml
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

#[test]
fn the_docx_opens_with_a_summary_row_per_indicator() {
    let store = tempfile::tempdir().expect("temp dir");
    let out = store.path().join("indicators.docx");
    let run = render(
        &repo().join("roadmaps"),
        &store.path().join("karta.db"),
        MODEL,
        &["--format", "docx", "-o", &out.display().to_string()],
    );
    run.succeeds();
    let xml = docx_document(&out);
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let text = |n: roxmltree::Node| -> String {
        n.descendants().filter(|d| d.has_tag_name((W, "t"))).filter_map(|d| d.text()).collect()
    };
    let body = doc.descendants().find(|n| n.has_tag_name((W, "body"))).expect("body");
    let blocks: Vec<roxmltree::Node> = body.children().filter(|n| n.is_element()).collect();
    let first_table = blocks.iter().position(|n| n.has_tag_name((W, "tbl"))).expect("a table");
    let first_chart = blocks.iter().position(|n| n.descendants().any(|d| d.has_tag_name((W, "drawing"))));
    assert!(first_chart.is_some_and(|c| c > first_table), "the summary comes before the first chart");
    let summary = blocks[first_table];
    assert!(text(summary).contains("Показатель"), "{}", text(summary));
    let yaml = model_indicators();
    // Rows whose first cell is a number are indicators; the others are headings.
    let mut heading = String::new();
    let mut numbers = Vec::new();
    for row in summary.children().filter(|n| n.has_tag_name((W, "tr"))).skip(1) {
        let cells: Vec<String> = row.children().filter(|n| n.has_tag_name((W, "tc"))).map(text).collect();
        match cells.first().and_then(|c| c.parse::<usize>().ok()) {
            Some(n) => {
                let ind = &yaml[n - 1];
                let (title, unit) =
                    (ind["title"].as_str().unwrap_or_default(), ind["unit"].as_str().unwrap_or_default());
                let full = format!("{title}, {unit}");
                let named = if cells[1] == full {
                    full.clone()
                } else {
                    let head = heading.strip_suffix(&format!(", {unit}")).unwrap_or(&heading);
                    format!("{head} ({}), {unit}", cells[1])
                };
                assert_eq!(named, full, "row {n}");
                numbers.push(n);
            }
            None => heading = cells.concat(),
        }
    }
    assert_eq!(numbers, (1..=yaml.len()).collect::<Vec<_>>(), "one row per indicator, in order");
    // The detail tables come after it, one per indicator.
    let details = blocks[first_table + 1..]
        .iter()
        .filter(|n| n.has_tag_name((W, "tbl")) && text(**n).contains("Измерение"))
        .count();
    assert_eq!(details, yaml.len());
}

/// The summary fits the first page: LibreOffice's PDF has every summary line on page 1 and the
/// first indicator's details after it.
#[test]
fn the_summary_fits_the_first_page() {
    let office =
        ["soffice", "libreoffice"].iter().any(|p| std::process::Command::new(p).arg("--version").output().is_ok());
    assert!(office, "LibreOffice is needed for this test (.ci/deps installs it)");
    let store = tempfile::tempdir().expect("temp dir");
    let out = store.path().join("indicators.pdf");
    render(
        &repo().join("roadmaps"),
        &store.path().join("karta.db"),
        MODEL,
        &["--format", "pdf", "-o", &out.display().to_string()],
    )
    .succeeds();
    let page = |n: &str| {
        let run = std::process::Command::new("pdftotext")
            .args(["-f", n, "-l", n])
            .arg(&out)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils)");
        String::from_utf8_lossy(&run.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let first = page("1");
    let start = first.find("Сводная таблица").expect("the summary on page 1");
    let mut at = start;
    for ind in model_indicators() {
        // The particular part of the title: in parentheses, or the whole title.
        let title = ind["title"].as_str().unwrap_or_default();
        let name = title.rsplit_once(" (").map_or(title, |(_, t)| t.trim_end_matches(')'));
        let words: String = name.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
        let found = first[at..].find(&words).unwrap_or_else(|| panic!("«{words}» ({}) not on page 1", ind["id"]));
        at += found + words.len();
    }
    assert!(!page("2").contains("Сводная таблица"), "the summary is one page");
}

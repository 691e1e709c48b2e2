//! `karta render`: golden HTML and Markdown of every document kind for the seed roadmaps at a
//! fixed instant, the structure of the DOCX (table rows, repeated header rows, margins, fonts,
//! page numbers), conversion to PDF by LibreOffice with the rows of seed 002 in order, escaping
//! in every format, and clear failures. `KARTA_BLESS=1 cargo test --test render` rewrites the
//! golden files.

mod support;

use support::Test;
use support::documents::{LAZO, MODEL, NOW, docx_parts, render, repo, roadmaps, season};

fn golden(name: &str, actual: &str) {
    let path = repo().join("tests/golden/render").join(name);
    if std::env::var_os("KARTA_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
        std::fs::write(&path, actual).expect("bless");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{name} differs from the golden file at line {}:\n  golden: {}\n  actual: {}\n(KARTA_BLESS=1 to accept)",
            line + 1,
            expected.lines().nth(line).unwrap_or("<end>"),
            actual.lines().nth(line).unwrap_or("<end>")
        );
    }
}

/// Every kind, HTML and Markdown, at a fixed instant.
#[test]
fn golden_documents() {
    let store = tempfile::tempdir().expect("temp dir");
    season(store.path());
    let cases: Vec<(String, Vec<&str>)> = vec![
        (format!("roadmap-{LAZO}"), vec!["roadmap", "--roadmap", LAZO]),
        (format!("roadmap-{MODEL}"), vec!["roadmap", "--roadmap", MODEL]),
        ("roadmap-amur-school-project-2024".into(), vec!["roadmap", "--roadmap", "amur-school-project-2024"]),
        ("protocol-council-2021-06-03".into(), vec!["protocol"]),
        (format!("status-{LAZO}"), vec!["status", "--roadmap", LAZO]),
        (format!("overdue-letter-{LAZO}"), vec!["overdue-letter", "--roadmap", LAZO]),
        (format!("indicators-{MODEL}"), vec!["indicators", "--roadmap", MODEL]),
    ];
    for (name, args) in cases {
        for format in ["html", "md"] {
            let mut all = args.clone();
            all.extend(["--now", NOW, "--format", format]);
            let run = render(store.path(), &all);
            run.succeeds();
            golden(&format!("{name}.{format}"), &run.stdout());
        }
    }
}

/// The status report reflects the season: the late report, the reason, the moved deadline.
#[test]
fn status_reflects_the_store() {
    let store = tempfile::tempdir().expect("temp dir");
    season(store.path());
    let run = render(store.path(), &["status", "--roadmap", LAZO, "--now", NOW, "--format", "json"]);
    run.succeeds();
    let data: serde_json::Value = serde_json::from_str(&run.stdout()).expect("json");
    assert_eq!(data["totals"]["done_on_time"], 1, "org-1 was done on time");
    assert_eq!(data["totals"]["done_late"], 1, "org-2 was done three days late");
    let moved = data["moved"].as_array().expect("moved");
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0]["original"], "2023-10-17");
    assert_eq!(moved[0]["approved"], "2023-11-30");
    let overdue = data["overdue"].as_array().expect("overdue");
    let org4 = overdue.iter().find(|o| o["no_report"] == 0).expect("the not-done report");
    assert_eq!(org4["reason"], "нет кандидатов на 0,25 ставки");
    // Sorted by delay, longest first.
    let days: Vec<i64> = overdue.iter().map(|o| o["days"].as_i64().expect("days")).collect();
    assert!(days.windows(2).all(|w| w[0] >= w[1]), "{days:?}");
    let html = render(store.path(), &["status", "--roadmap", LAZO, "--now", NOW, "--format", "html"]).stdout();
    assert!(html.contains("нет кандидатов на 0,25 ставки"));
    assert!(html.contains("30\u{a0}ноября\u{a0}2023\u{a0}г."), "the approved date is shown");
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn attr<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.attribute((W, name))
}

/// The DOCX of the Lazo roadmap: one table row per section and activity after two header rows
/// that repeat on every page, GOST margins, Times New Roman 14, page numbers from page 2.
#[test]
fn docx_structure() {
    let store = tempfile::tempdir().expect("temp dir");
    let out = store.path().join("lazo.docx");
    let out_s = out.display().to_string();
    render(store.path(), &["roadmap", "--roadmap", LAZO, "--format", "docx", "-o", &out_s]).succeeds();
    let parts = docx_parts(&std::fs::read(&out).expect("docx written"));
    for part in [
        "[Content_Types].xml",
        "word/document.xml",
        "word/styles.xml",
        "word/header1.xml",
        "word/_rels/document.xml.rels",
    ] {
        assert!(parts.contains_key(part), "missing {part}");
        roxmltree::Document::parse(&parts[part]).unwrap_or_else(|e| panic!("{part} is not XML: {e}"));
    }
    let doc = roxmltree::Document::parse(&parts["word/document.xml"]).expect("xml");
    let tables: Vec<_> = doc.descendants().filter(|n| n.has_tag_name((W, "tbl"))).collect();
    let table = tables
        .iter()
        .find(|t| t.descendants().any(|n| n.has_tag_name((W, "t")) && n.text() == Some("Наименование мероприятия")))
        .expect("the roadmap table");
    let rows: Vec<_> = table.children().filter(|n| n.has_tag_name((W, "tr"))).collect();
    let data = render(store.path(), &["roadmap", "--roadmap", LAZO, "--format", "json"]);
    let data: serde_json::Value = serde_json::from_str(&data.stdout()).expect("json");
    let sections = data["sections"].as_array().map_or(0, Vec::len);
    let activities: usize =
        data["sections"].as_array().into_iter().flatten().map(|s| s["rows"].as_array().map_or(0, Vec::len)).sum();
    assert!(sections >= 4 && activities >= 30, "{sections} sections, {activities} activities");
    assert_eq!(rows.len(), 2 + sections + activities, "header, number row, sections, activities");
    let repeated = |row: &roxmltree::Node| row.descendants().any(|n| n.has_tag_name((W, "tblHeader")));
    assert!(repeated(&rows[0]) && repeated(&rows[1]), "both header rows repeat on every page");
    assert!(!rows[2..].iter().any(repeated), "only the header rows repeat");
    let number_row: Vec<String> = rows[1]
        .descendants()
        .filter(|n| n.has_tag_name((W, "t")))
        .filter_map(|n| n.text().map(str::trim).map(String::from))
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(number_row, ["1", "2", "3", "4", "5"]);
    let text_of = |row: &roxmltree::Node| -> String {
        row.descendants().filter(|n| n.has_tag_name((W, "t"))).filter_map(|n| n.text()).collect()
    };
    assert!(text_of(&rows[2]).contains("Организационно-правовое"), "first section row");
    assert!(text_of(&rows[3]).contains("Назначение должностных лиц"), "first activity");
    // Verbatim, typeset: the year and "г." never part at a line end.
    assert!(text_of(&rows[3]).contains("до 17 октября 2023\u{a0}г."), "deadline verbatim");
    let margins = doc.descendants().find(|n| n.has_tag_name((W, "pgMar"))).expect("page margins");
    assert_eq!(
        (attr(margins, "left"), attr(margins, "right"), attr(margins, "top"), attr(margins, "bottom")),
        (Some("1701"), Some("567"), Some("1134"), Some("1134")),
        "30/10/20/20 mm"
    );
    assert!(doc.descendants().any(|n| n.has_tag_name((W, "titlePg"))), "no number on page 1");
    let size = doc.descendants().find(|n| n.has_tag_name((W, "pgSz"))).expect("page size");
    assert_eq!((attr(size, "w"), attr(size, "h")), (Some("11906"), Some("16838")), "A4");
    let styles = roxmltree::Document::parse(&parts["word/styles.xml"]).expect("styles");
    let defaults = styles.descendants().find(|n| n.has_tag_name((W, "rPrDefault"))).expect("default run properties");
    let fonts = defaults.descendants().find(|n| n.has_tag_name((W, "rFonts"))).expect("fonts");
    assert_eq!(attr(fonts, "ascii"), Some("Times New Roman"));
    let sz = defaults.descendants().find(|n| n.has_tag_name((W, "sz"))).expect("size");
    assert_eq!(attr(sz, "val"), Some("28"), "14 pt");
    assert!(parts["word/header1.xml"].contains("PAGE"), "page number field");
}

fn office() -> bool {
    ["soffice", "libreoffice"].iter().any(|p| std::process::Command::new(p).arg("--version").output().is_ok())
}

/// Every kind converts to PDF through LibreOffice; the roadmap PDF of seed 002 has its rows in
/// the seed's order.
#[test]
fn pdf_through_libreoffice() {
    assert!(office(), "LibreOffice is needed for this test (.ci/deps installs it)");
    let store = tempfile::tempdir().expect("temp dir");
    season(store.path());
    for (kind, roadmap) in [
        ("roadmap", LAZO),
        ("protocol", "council-2021-06-03"),
        ("status", LAZO),
        ("overdue-letter", LAZO),
        ("indicators", MODEL),
    ] {
        let out = store.path().join(format!("{kind}.pdf"));
        let out_s = out.display().to_string();
        let run = render(store.path(), &[kind, "--roadmap", roadmap, "--now", NOW, "--format", "pdf", "-o", &out_s]);
        run.succeeds();
        let pdf = std::fs::read(&out).expect("pdf written");
        assert!(pdf.starts_with(b"%PDF"), "{kind}: a PDF");
    }
    // Layout mode keeps each table row's cells side by side: the first words of a title stay
    // together on the row's first line.
    let text = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(store.path().join("roadmap.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    let seed = std::fs::read_to_string(repo().join("tests/fixtures/seeds/002-lazo-order.txt")).expect("seed 002");
    // Each activity row of the seed: "N.<tab>Title…"; its first words must appear in order.
    let mut at = 0;
    let mut rows = 0;
    for line in seed.lines() {
        let Some((number, rest)) = line.split_once('\t') else { continue };
        if !number.ends_with('.') || !number.trim_end_matches('.').chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        // The seed is a PDF-to-text dump with stray <p> marks.
        let rest = rest.replace("<p>", "").replace("</p>", "");
        let words: String = rest.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
        let found = text[at..].find(&words).unwrap_or_else(|| panic!("row {number} «{words}» not found in order"));
        at += found + words.len();
        rows += 1;
    }
    assert!(rows >= 30, "only {rows} rows compared");
}

/// A title with markup, an ampersand, quotes and handlebars braces renders as text everywhere.
#[test]
fn everything_is_escaped() {
    let nasty = r#"<script>alert('x')</script> & "кавычки" {{title}} | *звёзды*"#;
    let yaml = format!(
        r#"kind: roadmap
id: nasty
title: '{}'
period: {{from: 2024-01-01, to: 2024-12-31}}
timezone: Asia/Vladivostok
executors:
  uo: {{name: "Управление <b>образования</b> & Co"}}
sections:
  - title: "Раздел <i>1</i>"
    activities:
      - id: a
        title: '{}'
        executors: [uo]
        due: до 1 марта 2024 г.
        result: "<img src=x onerror=alert(1)>"
"#,
        nasty.replace('\'', "''"),
        nasty.replace('\'', "''")
    );
    for format in ["html", "md", "docx"] {
        let out = format!("out.{format}");
        let t =
            Test::new().file("roadmaps/nasty.yaml", &yaml).args(["render", "roadmap", "--format", format, "-o", &out]);
        let run = t.run();
        run.succeeds();
        let bytes = std::fs::read(run.dir.join(&out)).expect("written");
        match format {
            "docx" => {
                let parts = docx_parts(&bytes);
                let doc = roxmltree::Document::parse(&parts["word/document.xml"]).expect("still XML");
                let text: String =
                    doc.descendants().filter(|n| n.has_tag_name((W, "t"))).filter_map(|n| n.text()).collect();
                assert!(text.contains(&karta::ru::typeset(nasty)), "docx keeps the title as (typeset) text");
                assert!(text.contains("<img src=x onerror=alert(1)>"));
            }
            _ => {
                let text = String::from_utf8(bytes).expect("utf-8");
                assert!(!text.contains("<script>"), "{format}: raw <script>");
                assert!(!text.contains("<img"), "{format}: raw <img>");
                assert!(!text.contains("<b>образования"), "{format}: raw <b>");
                assert!(text.contains("&lt;script&gt;"), "{format}: escaped script");
                assert!(text.contains("{{title}}"), "{format}: braces kept as text");
            }
        }
    }
}

/// A broken user template is named with its line; an unknown roadmap and an ambiguous choice
/// are refused; PDF without LibreOffice says what to install.
#[test]
fn clear_failures() {
    let broken = Test::new()
        .file("mine/html/roadmap.hbs", "<h1>{{title}}</h1>\n<p>{{#if order}}\n")
        .env("KARTA_ROADMAPS", &roadmaps())
        .args(["render", "roadmap", "--roadmap", LAZO, "--templates", "mine"])
        .run();
    broken.fails();
    assert!(broken.stderr().contains("mine/html/roadmap.hbs:"), "{}", broken.stderr());
    assert!(broken.stderr().contains("ошибка в шаблоне"), "{}", broken.stderr());

    let unknown =
        Test::new().env("KARTA_ROADMAPS", &roadmaps()).args(["render", "roadmap", "--roadmap", "lazo-2023-2042"]).run();
    unknown.fails();
    assert!(unknown.stderr().contains("возможно, `lazo-2023-2024`"), "{}", unknown.stderr());

    let ambiguous = Test::new().env("KARTA_ROADMAPS", &roadmaps()).args(["render", "roadmap"]).run();
    assert_eq!(ambiguous.code(), 2);
    assert!(ambiguous.stderr().contains("укажите --roadmap"), "{}", ambiguous.stderr());

    let empty = tempfile::tempdir().expect("temp dir");
    let no_office = Test::new()
        .env("KARTA_ROADMAPS", &roadmaps())
        .env("PATH", &empty.path().display().to_string())
        .args(["render", "roadmap", "--roadmap", LAZO, "--format", "pdf", "-o", "out.pdf"])
        .run();
    // A program the machine lacks is the environment's failure (docs/cli.md §4).
    assert_eq!(no_office.code(), 2, "{}", no_office.stderr());
    assert!(no_office.stderr().contains("LibreOffice"), "{}", no_office.stderr());
    assert!(!no_office.dir.join("out.pdf").exists(), "nothing half-written");
}

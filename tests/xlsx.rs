//! `karta render … --format xlsx`: each workbook says what the DOCX of the same document says.
//! The roadmap, the status report and the indicators are rendered as XLSX and as DOCX from the
//! same roadmaps and store (a scripted season of reports); the XLSX is read back with calamine and
//! compared cell by cell with the DOCX tables (`w:tc` texts), and with the YAML and the JSON data
//! for what the DOCX does not print. Also checked: merged title and section rows, the frozen
//! header, the header repeated on printed pages, A4 landscape fitted to the width, column widths
//! in proportion to the DOCX grid, dates stored as dates, percent and date number formats,
//! numbers as numbers, LibreOffice converting every workbook, and the refusal of the other kinds.

mod support;

use std::path::Path;

use calamine::{Data, Range};
use serde_json::Value;

use support::Test;
use support::documents::{LAZO, MODEL, NOW, render, repo, roadmaps, season};
use support::tables::{Book, Tc, docx_grid, docx_tables, header_row, row_texts, spans_row, table_with, text, texts};

/// `karta render KIND --roadmap ID --format FORMAT` into a file, its bytes.
fn made(store: &Path, kind: &str, roadmap: &str, format: &str) -> Vec<u8> {
    let out = store.join(format!("{kind}-{roadmap}.{format}"));
    let out_s = out.display().to_string();
    render(store, &[kind, "--roadmap", roadmap, "--now", NOW, "--format", format, "-o", &out_s]).succeeds();
    std::fs::read(&out).expect("written")
}

fn json(store: &Path, kind: &str, roadmap: &str) -> Value {
    let run = render(store, &[kind, "--roadmap", roadmap, "--now", NOW, "--format", "json"]);
    run.succeeds();
    serde_json::from_str(&run.stdout()).expect("json")
}

/// What every sheet has: a title across the table naming the cut-off (when `as_of`), the header
/// frozen and repeated on printed pages, A4 landscape fitted to the width.
fn check_sheet(book: &mut Book, sheet: &str, as_of: Option<&str>, header: u32, last_header: u32, columns: u32) {
    let range = book.range(sheet);
    let merged = book.merged(sheet);
    assert!(spans_row(&merged, 0, columns), "{sheet}: the title spans the table: {merged:?}");
    if let Some(date) = as_of {
        let title = text(range.get_value((0, 0)));
        assert!(title.contains(&format!("по состоянию на {date}")), "{sheet}: «{title}»");
    }
    assert!(book.look(sheet, 0, 0).bold, "{sheet}: bold title");
    assert!((0..columns).all(|c| book.look(sheet, header, c).bold), "{sheet}: bold headers");
    assert_eq!(book.frozen(sheet), Some(last_header + 1), "{sheet}: the header rows are frozen");
    let titles = format!("${}:${}", header + 1, last_header + 1);
    assert_eq!(book.print_titles(sheet), Some(titles), "{sheet}: header rows repeated on every page");
    assert_eq!(book.page(sheet), (Some("9".into()), Some("landscape".into()), true), "{sheet}: A4 landscape, fit");
}

/// Activities of a roadmap file: the `- id:` items of each section's `activities:` list.
fn yaml_activities(file: &Path) -> usize {
    let yaml = std::fs::read_to_string(file).expect("roadmap file");
    let sections = yaml.split_once("\nsections:").expect("sections").1;
    let mut inside: Option<usize> = None; // the indent of the `activities:` key we are under
    let mut count = 0;
    for line in sections.lines() {
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        if inside.is_some_and(|at| indent <= at) {
            inside = None;
        }
        if body == "activities:" {
            inside = Some(indent);
        } else if inside.is_some() && body.starts_with("- id:") {
            count += 1;
        }
    }
    count
}

/// A roadmap sheet against the DOCX table of the same roadmap: the title, the headings and the
/// «1 2 3 4 5» row, then every row cell by cell, section rows merged and bold; column widths in
/// proportion to the DOCX grid. Returns the number of activity rows.
fn check_roadmap(docx: &[u8], xlsx: Vec<u8>, subtitle: &str) -> usize {
    let mut book = Book::open(xlsx);
    assert_eq!(book.names(), ["Дорожная карта"]);
    let sheet = "Дорожная карта";
    let range = book.range(sheet);
    let merged = book.merged(sheet);
    let docx_table = table_with(&docx_tables(docx), "Наименование мероприятия");
    let columns = docx_table[0].len() as u32;
    assert_eq!(columns, 5);

    let title = text(range.get_value((0, 0)));
    assert!(title.starts_with("ДОРОЖНАЯ КАРТА") && title.ends_with(subtitle), "title «{title}»");
    let header = header_row(&range, "№ п/п");
    assert_eq!(header, 1, "the header under the title");
    check_sheet(&mut book, sheet, None, header, header + 1, columns);
    assert_eq!(row_texts(&range, header, columns), texts(&docx_table[0]), "the DOCX headings");
    assert_eq!(row_texts(&range, header + 1, columns), texts(&docx_table[1]), "the «1 2 3 4 5» row");

    let mut activities = 0;
    for (i, docx_row) in docx_table.iter().enumerate().skip(2) {
        let r = header + i as u32;
        if docx_row.len() == 1 {
            assert_eq!(docx_row[0].span, 5, "a DOCX section row spans the table");
            assert!(spans_row(&merged, r, columns), "row {}: section merged across the table", r + 1);
            assert_eq!(text(range.get_value((r, 0))), docx_row[0].text, "row {}: section title", r + 1);
            assert!(book.look(sheet, r, 0).bold, "row {}: section in bold", r + 1);
        } else {
            assert_eq!(row_texts(&range, r, columns), texts(docx_row), "row {}: an activity", r + 1);
            assert!(!spans_row(&merged, r, columns));
            activities += 1;
        }
    }
    assert_eq!(range.height(), docx_table.len() + 1, "no rows but the title and the DOCX table's");

    let grid = docx_grid(docx);
    let widths = book.widths(sheet);
    assert_eq!(widths.len(), grid.len());
    let (g, w): (f64, f64) = (grid.iter().sum(), widths.iter().sum());
    for (c, (g_c, w_c)) in grid.iter().zip(&widths).enumerate() {
        assert!((g_c / g - w_c / w).abs() < 0.01, "column {c}: width {w_c} of {w}, DOCX {g_c} of {g}");
    }
    assert!(w > 100.0, "about a landscape page wide: {w}");
    activities
}

/// The Lazo roadmap (its 35 activities) and the regional model (sub-tasks under a title), each
/// against its DOCX and its YAML.
#[test]
fn roadmap_matches_the_docx() {
    let store = tempfile::tempdir().expect("temp dir");
    for (roadmap, file) in [(LAZO, "lazo-2023-2024.yaml"), (MODEL, "khabarovsk-model-2023-2024.yaml")] {
        let docx = made(store.path(), "roadmap", roadmap, "docx");
        let xlsx = made(store.path(), "roadmap", roadmap, "xlsx");
        let data = json(store.path(), "roadmap", roadmap);
        let activities = check_roadmap(&docx, xlsx, data["subtitle"].as_str().expect("subtitle"));
        assert_eq!(activities, yaml_activities(&repo().join("roadmaps").join(file)), "{roadmap}: every activity");
        if roadmap == LAZO {
            assert_eq!(activities, 35);
        }
    }
}

/// Cells of several lines: executors one per line, sub-tasks under the title, a result of several
/// lines, as the DOCX paragraphs have them.
#[test]
fn roadmap_cells_keep_their_lines() {
    let yaml = r#"kind: roadmap
id: lines
title: "Дорожная карта проверки строк"
period: {from: 2024-01-01, to: 2024-12-31}
timezone: Asia/Vladivostok
executors:
  uo: {name: "Управление образования"}
  imc: {name: "Методический центр"}
  oo: {name: "Школы района"}
sections:
  - title: "Первый раздел"
    activities:
      - id: a
        title: "Мероприятие с подзадачами"
        tasks: ["собрать сведения", "подвести итоги"]
        executors: [uo, imc, oo]
        due: до 1 марта 2024 г.
        result: |
          справка
          приказ
  - title: "Второй раздел"
    activities:
      - id: b
        title: "Мероприятие одного исполнителя"
        executors: [oo]
        due: ежеквартально
"#;
    let sandbox = tempfile::tempdir().expect("temp dir");
    let file = sandbox.path().join("roadmaps/lines.yaml");
    std::fs::create_dir_all(file.parent().expect("dir")).expect("mkdir");
    std::fs::write(&file, yaml).expect("write");
    let make = |format: &str| {
        let out = sandbox.path().join(format!("lines.{format}"));
        Test::new()
            .env("KARTA_ROADMAPS", &file.display().to_string())
            .args(["render", "roadmap", "--format", format, "-o", &out.display().to_string()])
            .run()
            .succeeds();
        std::fs::read(&out).expect("written")
    };
    let docx = make("docx");
    let activities = check_roadmap(&docx, make("xlsx"), "проверки строк");
    assert_eq!(activities, yaml_activities(&file));
    let table = table_with(&docx_tables(&docx), "Наименование мероприятия");
    let first = &table[3];
    assert_eq!(first[2].text.lines().count(), 3, "three executors, one per line: {:?}", first[2].text);
    assert_eq!(first[1].text.lines().count(), 3, "the title and its two sub-tasks: {:?}", first[1].text);
    assert_eq!(first[4].text.lines().count(), 2, "a result of two lines: {:?}", first[4].text);
}

/// The figures of a status row as the JSON names them, in the workbook's order after the title.
const FIGURES: [&str; 11] = [
    "total",
    "done",
    "done_on_time",
    "done_late",
    "in_progress",
    "planned",
    "overdue",
    "no_report",
    "not_done",
    "cancelled",
    "at_risk",
];

/// A figures sheet against the DOCX table headed `label` (the columns both print, by the DOCX
/// heading's words) and the JSON rows (every figure, discipline as a percent).
fn check_figures(book: &mut Book, sheet: &str, docx: &[Vec<Tc>], rows: &[Value], totals: Option<&Value>) {
    let range = book.range(sheet);
    let header = header_row(&range, "№ п/п");
    let heads = row_texts(&range, header, 14);
    let column = |head: &str| -> u32 {
        heads.iter().position(|h| h == head).unwrap_or_else(|| panic!("{sheet}: no column «{head}»: {heads:?}")) as u32
    };
    assert_eq!(text(range.get_value((header, 1))), docx[0][1].text, "{sheet}: the label column");
    let expected = rows.iter().chain(totals).collect::<Vec<_>>();
    assert_eq!(docx.len() - 1, expected.len(), "{sheet}: DOCX rows");
    for (i, (docx_row, json_row)) in docx[1..].iter().zip(&expected).enumerate() {
        let r = header + 1 + i as u32;
        let cell = |head: &str| text(range.get_value((r, column(head))));
        for (c, docx_cell) in docx_row.iter().enumerate() {
            // What the workbook says in the words of the DOCX column: the DOCX folds some
            // columns into one cell and names others shorter.
            let workbook = match (c, docx[0][c].text.as_str()) {
                (0 | 1, _) => text(range.get_value((r, c as u32))),
                (_, "Выполнено (из них в срок)") => {
                    format!("{} ({})", cell("Выполнено"), cell("в т. ч. в срок"))
                }
                (_, "Срок не наступил") => cell("Запланировано (срок не наступил)"),
                (_, "Нет отчёта") => cell("из них нет отчёта"),
                (_, "Не выполнено") => cell("из них не выполнено"),
                (_, "Дисциплина") => match range.get_value((r, column("Исполнительская дисциплина")))
                {
                    Some(Data::Float(share)) => karta::ru::percent(*share),
                    _ => "—".to_string(),
                },
                (_, head) => cell(head),
            };
            assert_eq!(workbook, docx_cell.text, "{sheet} row {}: «{}»", r + 1, docx[0][c].text);
        }
        for (k, name) in FIGURES.iter().enumerate() {
            let value = range.get_value((r, 2 + k as u32));
            assert_eq!(
                value,
                Some(&Data::Float(json_row[name].as_f64().expect(name))),
                "{sheet} row {}: {name}",
                r + 1
            );
        }
        let discipline = range.get_value((r, 13));
        match json_row["discipline"].as_f64() {
            Some(share) => assert_eq!(discipline, Some(&Data::Float(share)), "{sheet} row {}", r + 1),
            None => assert!(matches!(discipline, None | Some(Data::Empty)), "{sheet} row {}", r + 1),
        }
        assert!(book.look(sheet, r, 13).format.contains('%'), "{sheet}: discipline as a percent");
    }
}

/// The status report of Lazo after the season, and of the model roadmap (its indicators).
#[test]
fn status_matches_the_docx() {
    let store = tempfile::tempdir().expect("temp dir");
    season(store.path());
    for roadmap in [LAZO, MODEL] {
        let docx = docx_tables(&made(store.path(), "status", roadmap, "docx"));
        let mut book = Book::open(made(store.path(), "status", roadmap, "xlsx"));
        let data = json(store.path(), "status", roadmap);
        let as_of = data["as_of"].as_str().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let as_of = karta::ru::date_digits(as_of.expect("as_of"));
        let sheets = book.names();
        assert_eq!(
            sheets,
            ["По разделам", "По исполнителям", "Просрочено", "Под угрозой срыва", "Перенос сроков", "Показатели"]
        );
        for sheet in &sheets {
            let range = book.range(sheet);
            let header = header_row(&range, "№ п/п");
            let columns = (0..range.width() as u32).filter(|&c| !text(range.get_value((header, c))).is_empty()).count();
            check_sheet(&mut book, sheet, Some(&as_of), header, header, columns as u32);
            assert!(text(range.get_value((1, 0))).contains(data["title"].as_str().expect("title")), "{sheet}");
        }
        let rows = |key: &str| data[key].as_array().cloned().unwrap_or_default();
        check_figures(
            &mut book,
            "По разделам",
            &table_with(&docx, "Раздел"),
            &rows("by_section"),
            Some(&data["totals"]),
        );
        check_figures(&mut book, "По исполнителям", &table_with(&docx, "Исполнитель"), &rows("by_executor"), None);
        check_lists(&mut book, &docx, &data);
        check_status_indicators(&mut book, &docx, &data);
    }
}

/// Overdue, at risk and moved: the DOCX tables' cells, dates as Excel dates.
fn check_lists(book: &mut Book, docx: &[Vec<Vec<Tc>>], data: &Value) {
    let date = |range: &Range<Data>, r: u32, c: u32, book: &Book, sheet: &str| {
        let cell = range.get_value((r, c));
        assert!(matches!(cell, Some(Data::DateTime(_))), "{sheet} row {}: a date, not {cell:?}", r + 1);
        assert_eq!(book.look(sheet, r, c).format, "dd.mm.yyyy", "{sheet}: ДД.ММ.ГГГГ");
        text(cell)
    };
    let overdue = data["overdue"].as_array().cloned().unwrap_or_default();
    let range = book.range("Просрочено");
    if overdue.is_empty() {
        assert!(text(range.get_value((3, 0))).contains("нет"), "says there are none");
    } else {
        let table = table_with(docx, "Просрочка, дней");
        assert_eq!(table.len() - 1, overdue.len());
        for (i, row) in table[1..].iter().enumerate() {
            let r = 3 + i as u32;
            let (title, reason) = row[2].text.split_once('\n').unwrap_or((&row[2].text, ""));
            assert_eq!(text(range.get_value((r, 0))), row[0].text);
            assert_eq!(text(range.get_value((r, 1))), row[1].text);
            assert_eq!(text(range.get_value((r, 2))), title);
            assert_eq!(text(range.get_value((r, 3))), row[3].text, "executors one per line");
            assert_eq!(date(&range, r, 4, book, "Просрочено"), row[4].text);
            assert!(matches!(range.get_value((r, 5)), Some(Data::Float(_))), "days as a number");
            assert_eq!(text(range.get_value((r, 5))), row[5].text);
            assert_eq!(range.get_value((r, 6)), Some(&Data::Float(overdue[i]["working_days"].as_f64().expect("wd"))));
            assert_eq!(text(range.get_value((r, 7))), row[6].text);
            assert_eq!(text(range.get_value((r, 8))), reason);
        }
    }
    let at_risk = data["at_risk"].as_array().cloned().unwrap_or_default();
    let range = book.range("Под угрозой срыва");
    if !at_risk.is_empty() {
        let table = table_with(docx, "Прогноз исполнения");
        assert_eq!(table.len() - 1, at_risk.len());
        for (i, row) in table[1..].iter().enumerate() {
            let r = 3 + i as u32;
            assert_eq!(row_texts(&range, r, 4), texts(&row[..4]));
            assert_eq!(date(&range, r, 4, book, "Под угрозой срыва"), row[4].text);
            assert_eq!(text(range.get_value((r, 5))), row[5].text, "the forecast or «срок не сдвигается»");
        }
    }
    let moved = data["moved"].as_array().cloned().unwrap_or_default();
    let range = book.range("Перенос сроков");
    if !moved.is_empty() {
        let table = table_with(docx, "Первоначальный срок");
        assert_eq!(table.len() - 1, moved.len());
        for (i, row) in table[1..].iter().enumerate() {
            let r = 3 + i as u32;
            assert_eq!(row_texts(&range, r, 3), texts(&row[..3]));
            assert_eq!(date(&range, r, 3, book, "Перенос сроков"), row[3].text);
            assert_eq!(date(&range, r, 4, book, "Перенос сроков"), row[4].text);
        }
    }
}

/// The status report's indicator table: one DOCX row per indicator and year.
fn check_status_indicators(book: &mut Book, docx: &[Vec<Vec<Tc>>], data: &Value) {
    let range = book.range("Показатели");
    let indicators = data["indicators"].as_array().cloned().unwrap_or_default();
    if indicators.is_empty() {
        assert!(text(range.get_value((3, 0))).contains("не установлены"));
        return;
    }
    let table = table_with(docx, "Ед. изм.");
    let dash = |s: String| if s.is_empty() { "—".to_string() } else { s };
    for (i, row) in table[1..].iter().enumerate() {
        let r = 3 + i as u32;
        let cells: Vec<String> = (0..8).map(|c| dash(text(range.get_value((r, c))))).collect();
        assert_eq!(cells, texts(row), "Показатели row {}", r + 1);
    }
    assert_eq!(range.height() as u32, 3 + table.len() as u32 - 1, "no other rows");
}

/// The indicator report of the model roadmap: a row per indicator and period, values as numbers
/// that read as the DOCX tables print them; trend and source as the data says.
#[test]
fn indicators_match_the_docx() {
    let store = tempfile::tempdir().expect("temp dir");
    season(store.path());
    let docx = docx_tables(&made(store.path(), "indicators", MODEL, "docx"));
    let mut book = Book::open(made(store.path(), "indicators", MODEL, "xlsx"));
    let data = json(store.path(), "indicators", MODEL);
    assert_eq!(book.names(), ["Показатели"]);
    let range = book.range("Показатели");
    let header = header_row(&range, "№ п/п");
    let as_of = chrono::NaiveDate::parse_from_str(data["as_of"].as_str().expect("as_of"), "%Y-%m-%d").expect("date");
    check_sheet(&mut book, "Показатели", Some(&karta::ru::date_digits(as_of)), header, header, 10);
    let mut tables = docx.iter().filter(|t| t.first().is_some_and(|h| h.iter().any(|c| c.text == "Период")));
    let mut r = header + 1;
    let indicators = data["indicators"].as_array().expect("indicators");
    assert!(indicators.len() >= 10, "{} indicators", indicators.len());
    for ind in indicators {
        let about = [
            ind["number"].to_string(),
            ind["title"].as_str().unwrap_or("").into(),
            ind["unit"].as_str().unwrap_or("").into(),
        ];
        let after = [ind["trend"].as_str().unwrap_or("").to_string(), ind["source"].as_str().unwrap_or("").to_string()];
        let years = ind["years"].as_array().map(Vec::as_slice).unwrap_or_default();
        let series = ind["series"].as_array().map(Vec::as_slice).unwrap_or_default();
        if series.is_empty() {
            assert!(years.is_empty(), "no series, no rows");
            assert_eq!(row_texts(&range, r, 3), about);
            r += 1;
            continue;
        }
        let table = tables.next().expect("a DOCX table per indicator with values");
        let folded = main_series_by_period(table, series);
        assert_eq!(folded.len(), years.len(), "{}: a workbook row per period of the main series", about[1]);
        for (row, year) in folded.iter().zip(years) {
            assert_eq!(row_texts(&range, r, 3), about, "row {}", r + 1);
            for c in 4..7 {
                let cell = range.get_value((r, c));
                assert!(
                    matches!(cell, None | Some(Data::Empty | Data::Float(_))),
                    "row {}: a number, not {cell:?}",
                    r + 1
                );
            }
            let cells: Vec<String> = (3..7)
                .map(|c| text(range.get_value((r, c))))
                .map(|t| if t.is_empty() { "—".to_string() } else { t })
                .collect();
            assert_eq!(&cells, row, "row {}: the values the DOCX prints for the period", r + 1);
            let met = match year["met"].as_bool() {
                Some(true) => "да",
                Some(false) => "нет",
                None => "—",
            };
            let workbook_met = text(range.get_value((r, 7)));
            assert_eq!(if workbook_met.is_empty() { "—" } else { workbook_met.as_str() }, met, "row {}", r + 1);
            assert_eq!(row_texts(&range, r, 10)[8..], after, "row {}", r + 1);
            r += 1;
        }
    }
    assert!(tables.next().is_none(), "every DOCX table compared");
    assert_eq!(range.height() as u32, r, "no other rows");
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.pdf");
    std::fs::write(&path, pdf).expect("pdf");
    let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// LibreOffice opens and prints every workbook; the roadmap's header is on every page, with all
/// its columns (fitted to the width).
#[test]
fn workbooks_convert_to_pdf() {
    let store = tempfile::tempdir().expect("temp dir");
    season(store.path());
    for (kind, roadmap, heading) in [
        ("roadmap", LAZO, "Наименование мероприятия"),
        ("status", LAZO, "Мероприятие"),
        ("indicators", MODEL, "Показатель"),
    ] {
        let xlsx = made(store.path(), kind, roadmap, "xlsx");
        let pdf = karta::render::pdf::from_xlsx(&xlsx)
            .unwrap_or_else(|e| panic!("{kind}: {e} (.ci/deps installs LibreOffice)"));
        assert!(pdf.starts_with(b"%PDF"), "{kind}: a PDF");
        let text = pdftotext(&pdf);
        let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
        assert!(!pages.is_empty(), "{kind}: pages");
        assert!(text.contains(heading), "{kind}: «{heading}» printed");
        if kind == "roadmap" {
            assert!(pages.len() > 1, "35 activities take more than a page");
            let last = "Результаты / показатели";
            for (i, page) in pages.iter().enumerate() {
                let page = page.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(page.contains(heading) && page.contains(last), "page {}: the whole header repeated", i + 1);
            }
        }
    }
}

/// The protocol and the overdue letters have no tables to forward: refused in Russian and English
/// naming the kinds that have them, exit 2, no file written.
#[test]
fn other_kinds_refuse_xlsx() {
    let store = tempfile::tempdir().expect("temp dir");
    for (kind, lang, words) in [
        ("protocol", "ru", ["документ `protocol` не выводится в XLSX", "roadmap, status и indicators"]),
        ("overdue-letter", "en", ["`overdue-letter` has no XLSX form", "roadmap, status and indicators"]),
    ] {
        let run = Test::new()
            .env("KARTA_ROADMAPS", &roadmaps())
            .env("KARTA_DB", &store.path().join("karta.db").display().to_string())
            .args(["render", kind, "--now", NOW, "--format", "xlsx", "-o", "out.xlsx", "--lang", lang])
            .run();
        assert_eq!(run.code(), 2, "{kind}: {}", run.stderr());
        for w in words {
            assert!(run.stderr().contains(w), "{kind}: «{w}» in {}", run.stderr());
        }
        assert!(!run.dir.join("out.xlsx").exists(), "{kind}: no file");
    }
}

/// The web app's document list offers XLSX for the three kinds that have it and only for them;
/// the download is a workbook with its MIME type; the others' XLSX is not found.
#[tokio::test(flavor = "multi_thread")]
async fn the_web_app_offers_xlsx_where_there_is_one() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use support::site::Site;

    let site = Site::new(support::Backend::Sqlite);
    let who = site.who("admin");
    let (status, page) = site.get(Some(&who), &format!("/r/{LAZO}")).await;
    assert_eq!(status, StatusCode::OK);
    for kind in ["roadmap", "status", "indicators"] {
        assert!(page.contains(&format!("/r/{LAZO}/doc/{kind}.xlsx")), "{kind}.xlsx offered");
    }
    assert!(!page.contains("overdue-letter.xlsx"), "no XLSX for the letters");
    let download = |file: &str| {
        Request::get(format!("/r/{LAZO}/doc/{file}"))
            .header(header::COOKIE, format!("{}={}", karta::web::auth::COOKIE, who.cookie))
            .body(Body::empty())
            .expect("request")
    };
    let (status, headers, body) = site.send(download("status.xlsx")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    assert_eq!(header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(header("content-disposition").contains(&format!("{LAZO}-status.xlsx")), "{headers:?}");
    assert!(body.starts_with("PK"), "a zip");
    let (status, _, _) = site.send(download("overdue-letter.xlsx")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The rows of an indicator's DOCX table that belong to its main series (under its heading row
/// when the table has several), one per period: period, baseline, target, actual, the later row
/// of a period filling what it prints over the earlier one's.
fn main_series_by_period(table: &[Vec<Tc>], series: &[Value]) -> Vec<Vec<String>> {
    let main = series.iter().find(|s| s["main"].as_bool() == Some(true)).expect("a main series");
    let name = main["name"].as_str().unwrap_or_default();
    let mut inside = series.len() == 1;
    let mut out: Vec<Vec<String>> = Vec::new();
    for row in &table[1..] {
        if row.len() == 1 {
            inside = row[0].text == name;
            continue;
        }
        if !inside {
            continue;
        }
        let cells = [&row[0], &row[2], &row[3], &row[4]].map(|c| c.text.clone());
        match out.last_mut() {
            Some(last) if last[0] == cells[0] => {
                for k in 1..4 {
                    if cells[k] != "—" {
                        last[k].clone_from(&cells[k]);
                    }
                }
            }
            _ => out.push(cells.to_vec()),
        }
    }
    out
}

//! Report forms on both store backends and the bundled roadmaps: `karta form` writes the
//! workbook; a script fills it through openpyxl (a real XLSX library, not karta's writer), and
//! LibreOffice re-saves it as XLSX and as ODS; `karta import` reads each back and the status
//! changes as reported. Every refusal names its cell and leaves the store as it was; the same
//! form twice records nothing new. LibreOffice prints the form: A4 landscape, the header on
//! every page.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use support::Backend;
use support::site::{Site, Who};

const NOW: &str = "2023-10-16T10:00:00+10:00";
const LATER: &str = "2023-10-16T11:00:00+10:00";
const AMURSKY: &str = "khabarovsk-model-2023-2024/w-d3-inform@2023-10-03/mo-amursky";
const BIKINSKY: &str = "khabarovsk-model-2023-2024/w-d3-inform@2023-10-03/mo-bikinsky";

/// The bundled roadmaps and a store of their own.
struct Workspace {
    dir: tempfile::TempDir,
    db: String,
}

impl Workspace {
    fn new(backend: Backend) -> Workspace {
        let dir = tempfile::tempdir().expect("dir");
        support::copy_roadmaps(dir.path());
        let db = backend.db(dir.path());
        Workspace { dir, db }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, args: &[&str], now: &str) -> Output {
        Command::new(env!("CARGO_BIN_EXE_karta"))
            .args(args)
            .args(["--now", now])
            .current_dir(self.path())
            .env("KARTA_DB", &self.db)
            .env("KARTA_ROADMAPS", self.path().join("roadmaps"))
            .env_remove("KARTA_NOW")
            .output()
            .expect("run karta")
    }

    fn form(&self, name: &str) -> PathBuf {
        self.form_until(name, "2023-10-22")
    }

    /// Amursky's form from 09.10.2023 to `to`.
    fn form_until(&self, name: &str, to: &str) -> PathBuf {
        let out = self.run(&["form", "--executor", "mo-amursky", "--from", "2023-10-09", "--to", to, "-o", name], NOW);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("форма "), "{}", String::from_utf8_lossy(&out.stdout));
        self.path().join(name)
    }

    fn status(&self) -> Value {
        let out = self.run(&["status", "--all", "--format", "json"], LATER);
        serde_json::from_slice(&out.stdout).expect("status JSON")
    }

    fn events(&self) -> usize {
        karta::store::open(Path::new(&self.db)).expect("store").events().expect("events").len()
    }
}

fn occurrence<'a>(status: &'a Value, id: &str) -> &'a Value {
    status["occurrences"].as_array().and_then(|l| l.iter().find(|o| o["id"] == id)).unwrap_or_else(|| panic!("no {id}"))
}

/// Fills a form with openpyxl: `cells` are (id of the row, column letter, value); `raw` are
/// (cell, value) written as they are. Saves to `out`.
fn fill(form: &Path, out: &Path, cells: &[(&str, &str, &str)], raw: &[(&str, &str)]) {
    let script = r#"
import sys, json, datetime, openpyxl
form, out, cells, raw = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
book = openpyxl.load_workbook(form)
sheet = book["Отчёт"]
rows = {sheet.cell(row=r, column=12).value: r for r in range(6, sheet.max_row + 1)}
for occurrence, column, value in cells:
    if column == "H":
        value = datetime.datetime.strptime(value, "%d.%m.%Y")
    elif column == "I":
        value = int(value)
    sheet[f"{column}{rows[occurrence]}"] = value
for at, value in raw:
    sheet[at] = value
book.save(out)
"#;
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(form)
        .arg(out)
        .arg(serde_json::to_string(cells).expect("json"))
        .arg(serde_json::to_string(raw).expect("json"))
        .status()
        .expect("python3 with openpyxl (.ci/deps installs it)");
    assert!(status.success(), "openpyxl could not fill the form");
}

/// LibreOffice re-saves `file` as `ext` (xlsx or ods) into `dir`.
fn libreoffice(file: &Path, ext: &str, dir: &Path) -> PathBuf {
    let profile = tempfile::tempdir().expect("profile");
    let out = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.path().display()))
        .args(["--headless", "--convert-to", ext, "--outdir"])
        .arg(dir)
        .arg(file)
        .output()
        .expect("soffice (.ci/deps installs LibreOffice)");
    let path = dir.join(file.file_stem().expect("stem")).with_extension(ext);
    assert!(path.exists(), "LibreOffice did not write {}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    path
}

/// The rows reported in every test: done late, not done with the reason, partly done.
fn reported(status: &Value, not_done: &str, partial: &str) {
    let amursky = occurrence(status, AMURSKY);
    assert_eq!(amursky["state"], "done_late", "{amursky}");
    assert_eq!(amursky["done_on"], "2023-10-15");
    assert_eq!(occurrence(status, not_done)["not_done_reason"], "нет связи в школах");
    assert_eq!(occurrence(status, partial)["percent"], 40);
}

/// Two more of Amursky's rows in the form: (not done, partly done).
fn two_more(form: &Path) -> (String, String) {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, openpyxl\nsheet = openpyxl.load_workbook(sys.argv[1])['Отчёт']\n\
             ids = [sheet.cell(row=r, column=12).value for r in range(6, sheet.max_row + 1)]\n\
             print('\\n'.join(i for i in ids if i and 'mo-amursky' in i and 'w-d3-inform@2023-10-03' not in i))",
        ])
        .arg(form)
        .output()
        .expect("python3");
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(String::from).collect();
    assert!(ids.len() >= 2, "{ids:?}");
    (ids[0].clone(), ids[1].clone())
}

async fn round_trip(backend: Backend) {
    let ws = Workspace::new(backend);
    let form = ws.form("форма.xlsx");
    let (not_done, partial) = two_more(&form);
    let filled = ws.path().join("заполнено.xlsx");
    fill(
        &form,
        &filled,
        &[
            (AMURSKY, "G", "выполнено"),
            (AMURSKY, "H", "15.10.2023"),
            (&not_done, "G", "не выполнено"),
            (&not_done, "J", "нет связи в школах"),
            (&partial, "G", "частично"),
            (&partial, "I", "40"),
        ],
        &[],
    );
    let before = ws.status();
    assert_eq!(occurrence(&before, AMURSKY)["state"], "overdue");
    let out = ws.run(&["import", "заполнено.xlsx", "--by", "Иванова И.И."], LATER);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("импортировано 3 отметки"));
    reported(&ws.status(), &not_done, &partial);

    // The same form again: nothing new, and it says which rows were recorded already.
    let events = ws.events();
    let again = ws.run(&["import", "заполнено.xlsx"], "2023-10-16T12:00:00+10:00");
    assert!(again.status.success());
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(text.contains("импортировано 0 отметок") && text.contains("уже записаны раньше"), "{text}");
    assert_eq!(text.matches("Отчёт!строка").count(), 3, "{text}");
    assert_eq!(ws.events(), events);

    // The same filled form after LibreOffice, as XLSX and as ODS, into fresh stores.
    let lo = tempfile::tempdir().expect("dir");
    for ext in ["xlsx", "ods"] {
        let saved = libreoffice(&filled, ext, lo.path());
        let fresh = Workspace::new(backend);
        let out = fresh.run(&["import", &saved.display().to_string(), "--by", "Иванова И.И."], LATER);
        assert!(out.status.success(), "{ext}: {}", String::from_utf8_lossy(&out.stderr));
        reported(&fresh.status(), &not_done, &partial);
    }
}

async fn every_refusal_names_its_cell(backend: Backend) {
    let ws = Workspace::new(backend);
    let form = ws.form("форма.xlsx");
    let (not_done, partial) = two_more(&form);
    let refused = |name: &str, cells: &[(&str, &str, &str)], raw: &[(&str, &str)]| {
        let path = ws.path().join(name);
        fill(&form, &path, cells, raw);
        let before = ws.events();
        let out = ws.run(&["import", name], LATER);
        assert_eq!(out.status.code(), Some(1), "{name} is refused");
        assert_eq!(ws.events(), before, "{name}: nothing written");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // A word the list does not have, at its cell.
    let text = refused("слово.xlsx", &[(AMURSKY, "G", "уточняется"), (AMURSKY, "H", "15.10.2023")], &[]);
    assert!(text.contains("Отчёт!G8: непонятная отметка «уточняется»"), "{text}");
    // A date before the period.
    let text = refused("дата.xlsx", &[(AMURSKY, "G", "выполнено"), (AMURSKY, "H", "01.10.2023")], &[]);
    assert!(text.contains("Отчёт!H8: дата 01.10.2023 раньше начала периода формы (09.10.2023)"), "{text}");
    // A changed protected id.
    let text = refused("код.xlsx", &[(AMURSKY, "G", "выполнено"), (AMURSKY, "H", "15.10.2023")], &[("L8", BIKINSKY)]);
    assert!(text.contains("Отчёт!L8: идентификатор срока изменён"), "{text}");
    // A row of another executor added to the form.
    let text = refused("чужая.xlsx", &[], &[("G200", "выполнено"), ("H200", "15.10.2023"), ("L200", BIKINSKY)]);
    assert!(text.contains("Отчёт!G200: строка не из формы"), "{text}");
    // Not done without the reason, partly done without a percentage or a comment, a bad percent.
    let text = refused("причины.xlsx", &[(&not_done, "G", "не выполнено"), (&partial, "G", "частично")], &[]);
    assert!(text.contains("нужна причина") && text.contains("нужен процент или комментарий"), "{text}");
    assert!(text.contains("ничего не записано: 2 ошибки в форме"), "{text}");
    // Not a form at all.
    std::fs::write(
        ws.path().join("таблица.xlsx"),
        karta::table::Table { title: "Т".into(), columns: vec![("А".into(), 5.0)], rows: vec![] }.xlsx().expect("xlsx"),
    )
    .expect("write");
    let out = ws.run(&["import", "таблица.xlsx"], LATER);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("это не форма karta"));
}

/// LibreOffice prints the form on A4 landscape with the header on every page.
async fn the_form_prints_on_a4_landscape_with_the_header_repeated(backend: Backend) {
    let ws = Workspace::new(backend);
    // The school year's weekly reports: several pages.
    let form = ws.form_until("форма.xlsx", "2024-05-31");
    let out = tempfile::tempdir().expect("dir");
    let pdf = libreoffice(&form, "pdf", out.path());
    let info = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&info.stdout);
    // A4 landscape: 842 × 595 points.
    let size = info.lines().find_map(|l| l.strip_prefix("Page size:")).unwrap_or_default();
    let sides: Vec<f64> = size.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    assert!(size.contains("(A4)") && sides.len() == 2 && sides[0] > sides[1], "{info}");
    let pages: usize =
        info.lines().find_map(|l| l.strip_prefix("Pages:")).and_then(|n| n.trim().parse().ok()).unwrap_or(0);
    let mut report_pages = 0;
    for page in 1..=pages {
        let text = Command::new("pdftotext")
            .args(["-f", &page.to_string(), "-l", &page.to_string(), "-layout"])
            .arg(&pdf)
            .arg("-")
            .output()
            .expect("pdftotext");
        let text = String::from_utf8_lossy(&text.stdout);
        if text.contains("Значения показателей") {
            continue;
        }
        report_pages += 1;
        assert!(text.contains("Отметка об") && text.contains("Мероприятие"), "page {page} has the header:\n{text}");
    }
    assert!(report_pages >= 2, "a school year of weekly reports takes more than a page: {report_pages}");
    if std::env::var_os("KARTA_SCREENSHOTS").is_some() {
        let png = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots/form");
        let status = Command::new("pdftoppm")
            .args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"])
            .arg(&pdf)
            .arg(&png)
            .status();
        assert!(status.is_ok_and(|s| s.success()));
    }
}

/// On the web: a coordinator downloads their district's form from its page and uploads it filled;
/// another district's form, filled the same way, is refused whole.
async fn a_coordinator_reports_through_the_web_form(backend: Backend) {
    let site = Site::new(backend);
    let coordinator = site.who("coordinator");
    let dir = tempfile::tempdir().expect("dir");
    let before = site.store().events().expect("events").len();
    let (status, body) = upload(&site, &coordinator, dir.path(), "mo-amursky", AMURSKY).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(site.store().events().expect("events").len(), before + 1);
    let (status, body) = upload(&site, &coordinator, dir.path(), "mo-bikinsky", BIKINSKY).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Отчёт!G8") && body.contains("отчитываться за него вы не можете"), "{body}");
    assert_eq!(site.store().events().expect("events").len(), before + 1, "nothing more written");
}

/// Downloads a district's form from its page, fills `occurrence` as done, uploads it.
async fn upload(site: &Site, who: &Who, dir: &Path, district: &str, occurrence: &str) -> (StatusCode, String) {
    let (status, page) = site.get(Some(who), &format!("/e/{district}")).await;
    assert_eq!(status, StatusCode::OK);
    let link = format!("/e/{district}/form.xlsx");
    assert!(page.contains(&format!("action=\"{link}\"")), "the page offers the form");
    let request = Request::get(format!("{link}?from=2023-10-09&to=2023-10-22"))
        .header(header::COOKIE, format!("{}={}", karta::web::auth::COOKIE, who.cookie))
        .body(Body::empty())
        .expect("request");
    let response = tower::ServiceExt::oneshot(karta::web::router(site.app.clone()), request).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = http_body_util::BodyExt::collect(response.into_body()).await.expect("body").to_bytes();
    let form = dir.join(format!("{district}.xlsx"));
    std::fs::write(&form, &bytes).expect("save");
    let filled = dir.join(format!("{district}-заполнено.xlsx"));
    fill(&form, &filled, &[(occurrence, "G", "выполнено"), (occurrence, "H", "15.10.2023")], &[]);
    let bytes = std::fs::read(&filled).expect("filled");
    site.multipart(who, &format!("/e/{district}/form"), &[("_csrf", &who.csrf)], Some(("отчёт.xlsx", &bytes))).await
}

on_both_backends!(
    async
    a_coordinator_reports_through_the_web_form,
    round_trip,
    every_refusal_names_its_cell,
    the_form_prints_on_a4_landscape_with_the_header_repeated,
);

//! The web app in a real headless Chromium (Debian's chromium and chromedriver, driven over
//! WebDriver by fantoccini) against `karta serve` on loopback, on each store backend, with accounts made by
//! `karta user add`: a district coordinator signs in, finds the overdue item, reports it done and
//! sees the status change; reporting on another district's occurrence is refused (403) and
//! nothing is written. `KARTA_SCREENSHOTS=1` also saves the pages to `docs/screenshots/`.

mod support;

use support::{Backend, free_port};

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use karta::store;

const NOW: &str = "2023-10-16T10:00:00+10:00";
const AMURSKY: &str = "khabarovsk-model-2023-2024/w-d3-inform@2023-10-03/mo-amursky";
const BIKINSKY: &str = "khabarovsk-model-2023-2024/w-d3-inform@2023-10-03/mo-bikinsky";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn encode(s: &str) -> String {
    karta::web::data::encode(s)
}

/// A child process killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The store of the workspace in `dir`: an SQLite file or a PostgreSQL URL, kept in `dir/store`.
fn db(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("store")).expect("the workspace's store")
}

fn karta(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_karta"));
    cmd.current_dir(dir)
        .env("KARTA_DB", db(dir))
        .env("KARTA_ROADMAPS", dir.join("roadmaps"))
        .env_remove("KARTA_NOW")
        .env_remove("KARTA_SMTP_URL");
    cmd
}

fn add_user(dir: &Path, args: &[&str], password: &str) {
    let mut child = karta(dir)
        .args(["user", "add"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("user add");
    child.stdin.take().expect("stdin").write_all(format!("{password}\n").as_bytes()).expect("password");
    let out = child.wait_with_output().expect("user add ends");
    assert!(out.status.success(), "karta user add {args:?} failed");
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not start on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `karta serve` at a fixed `--now`, and the address it listens on.
fn serve(dir: &Path) -> (Killed, String) {
    let mut child = karta(dir)
        .args(["serve", "--listen", "127.0.0.1:0", "--interval", "3600", "--now", NOW])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("karta serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("serve prints its address");
    let address =
        line.trim().strip_prefix("karta serve: http://").expect("address line").trim_end_matches('/').to_string();
    let port = address.rsplit(':').next().expect("port").to_string();
    // Secure cookies are accepted over plain HTTP on localhost only.
    (Killed(child), format!("http://localhost:{port}"))
}

async fn browser() -> (Killed, Client) {
    browser_with(None).await
}

/// A browser whose downloads go to `downloads`.
async fn browser_with(downloads: Option<&Path>) -> (Killed, Client) {
    let port = free_port();
    let driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (apt-get install chromium-driver; .ci/deps installs it)");
    let driver = Killed(driver);
    wait_for_port(port, "chromedriver");
    let profile = tempfile::tempdir().expect("profile").keep();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,1000", "--lang=ru-RU", format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {
                "download.default_directory": downloads.map(|d| d.display().to_string()).unwrap_or_default(),
                "download.prompt_for_download": false,
            },
        }),
    );
    // Two TLS back ends are linked (lettre's and the WebDriver client's): pick one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = ClientBuilder::rustls()
        .expect("tls")
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session");
    (driver, client)
}

async fn text(client: &Client, css: &str) -> String {
    client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.expect("text")
}

async fn shot(client: &Client, name: &str) {
    if std::env::var_os("KARTA_SCREENSHOTS").is_some() {
        let png = client.screenshot().await.expect("screenshot");
        std::fs::write(repo().join("docs/screenshots").join(format!("web-{name}.png")), png).expect("save screenshot");
    }
}

fn events_about(dir: &Path, occurrence: &str) -> usize {
    let store = store::open(Path::new(&db(dir))).expect("store");
    store.events().expect("events").iter().filter(|e| e.event.occurrence.as_deref() == Some(occurrence)).count()
}

async fn a_coordinator_reports_the_overdue_item_and_is_refused_another_district(backend: Backend) {
    let dir = tempfile::tempdir().expect("dir");
    support::copy_roadmaps(dir.path());
    std::fs::write(dir.path().join("store"), backend.db(dir.path())).expect("store");
    add_user(
        dir.path(),
        &["amur", "--name", "Иванова И.И.", "--role", "coordinator", "--executor", "mo-amursky"],
        "пароль-амур-1",
    );
    let (_server, base) = serve(dir.path());
    let (_driver, client) = browser().await;

    // Signing in lands on the page asked for.
    client.goto(&format!("{base}/me")).await.expect("open");
    assert!(client.current_url().await.expect("url").path().starts_with("/login"));
    client.find(Locator::Id("login")).await.expect("login field").send_keys("amur").await.expect("type");
    client.find(Locator::Id("password")).await.expect("password field").send_keys("пароль-амур-1").await.expect("type");
    client.find(Locator::Id("login-submit")).await.expect("button").click().await.expect("click");
    if client.wait().for_url(&url(&base, "/e/mo-amursky")).await.is_err() {
        let at = client.current_url().await.expect("url");
        panic!("not on my deadlines but {at}:\n{}", client.source().await.unwrap_or_default());
    }
    shot(&client, "executor").await;

    // The overdue item is on "my deadlines"; open it.
    let link = format!("a[href=\"/o/{}\"]", encode(AMURSKY));
    client.find(Locator::Css(&link)).await.expect("the overdue item is listed").click().await.expect("click");
    assert!(text(&client, ".state").await.contains("просрочено"));
    shot(&client, "occurrence").await;

    // Report it done; the page says so and the status changes.
    client
        .find(Locator::Css("textarea[name=note]"))
        .await
        .expect("note")
        .send_keys("Информация направлена письмом")
        .await
        .expect("type");
    client.find(Locator::Id("submit-report")).await.expect("submit").click().await.expect("click");
    client.wait().for_element(Locator::Css("[role=status]")).await.expect("a confirmation");
    assert!(text(&client, "[role=status]").await.contains("Записано"));
    assert!(text(&client, ".state").await.contains("выполнено"), "the status changed");
    assert_eq!(events_about(dir.path(), AMURSKY), 1);

    // Another district's occurrence offers no form …
    client.goto(&format!("{base}/o/{}", encode(BIKINSKY))).await.expect("open");
    assert!(client.find(Locator::Id("report-form")).await.is_err(), "no report form for another district");
    // … and a report forged in the browser (own form, aimed at it) is refused: 403, nothing written.
    client.goto(&format!("{base}/e/mo-amursky")).await.expect("open");
    let other_own = client.find(Locator::Css("a[href^=\"/o/\"]")).await.expect("an occurrence of Amursky");
    other_own.click().await.expect("click");
    client.wait().for_element(Locator::Id("report-form")).await.expect("own form");
    let target = format!("/o/{}/report", encode(BIKINSKY));
    client
        .execute("document.getElementById('report-form').setAttribute('action', arguments[0]);", vec![target.into()])
        .await
        .expect("retarget the form");
    client.find(Locator::Id("submit-report")).await.expect("submit").click().await.expect("click");
    client.wait().for_element(Locator::Css(".error")).await.expect("an error page");
    assert!(text(&client, "h1").await.contains("Доступ запрещён"));
    assert_eq!(events_about(dir.path(), BIKINSKY), 0, "nothing written about the other district");

    // Screenshots of the overview, a roadmap and its timeline for the documentation.
    if std::env::var_os("KARTA_SCREENSHOTS").is_some() {
        for (page, name) in
            [("/", "overview"), ("/r/lazo-2023-2024", "roadmap"), ("/r/lazo-2023-2024/timeline", "timeline")]
        {
            client.goto(&format!("{base}{page}")).await.expect("open");
            shot(&client, name).await;
        }
    }
    client.close().await.expect("close");
}

/// Signs in through the form and waits for the page it lands on.
async fn sign_in(client: &Client, base: &str, login: &str, password: &str, lands: &str) {
    client.goto(&format!("{base}/login")).await.expect("open");
    client.find(Locator::Id("login")).await.expect("login field").send_keys(login).await.expect("type");
    client.find(Locator::Id("password")).await.expect("password field").send_keys(password).await.expect("type");
    client.find(Locator::Id("login-submit")).await.expect("button").click().await.expect("click");
    if client.wait().for_url(&url(base, lands)).await.is_err() {
        let at = client.current_url().await.expect("url");
        panic!("{login} is not on {lands} but {at}:\n{}", client.source().await.unwrap_or_default());
    }
}

/// A workspace with the bundled roadmaps on `backend`, and `karta serve` over it.
fn workspace(backend: Backend) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    support::copy_roadmaps(dir.path());
    std::fs::write(dir.path().join("store"), backend.db(dir.path())).expect("store");
    dir
}

/// The author of the regional model approves a district's request to move a deadline from the
/// list of what waits for them, in one click, and the occurrence shows the new date.
async fn an_author_approves_a_move_from_the_list(backend: Backend) {
    let dir = workspace(backend);
    add_user(
        dir.path(),
        &["iro", "--name", "Петрова А.А.", "--role", "author", "--organisation", "khk-iro"],
        "пароль-иро-1",
    );
    let mut s = store::open(Path::new(&db(dir.path()))).expect("store");
    let date = chrono::NaiveDate::from_ymd_opt(2023, 10, 27).expect("date");
    let request = s.request_move(AMURSKY, date, "каникулы", "amur", NOW).expect("a request");
    drop(s);
    let (_server, base) = serve(dir.path());
    let (_driver, client) = browser().await;
    sign_in(&client, &base, "iro", "пароль-иро-1", "/").await;
    assert!(text(&client, "main").await.contains("Ждут вашего решения: 1"), "on the overview");
    client.goto(&format!("{base}/me")).await.expect("open");
    let approve = format!("form[action=\"/moves/{request}/decide\"] button[value=approve]");
    client.find(Locator::Css(&approve)).await.expect("the request with its buttons").click().await.expect("click");
    client.wait().for_element(Locator::Css("[role=status]")).await.expect("a confirmation");
    assert!(client.current_url().await.expect("url").path() == "/me", "back on the list");
    assert!(client.find(Locator::Css(&approve)).await.is_err(), "nothing left to decide");
    assert_eq!(events_about(dir.path(), AMURSKY), 1, "the move is recorded");
    client.goto(&format!("{base}/o/{}", encode(AMURSKY))).await.expect("open");
    assert!(text(&client, "main").await.contains("27.10.2023"), "the new date");
    client.close().await.expect("close");
}

/// Leadership goes from the executor × roadmap view to the late occurrences behind a cell and
/// downloads them as XLSX; the workbook has the rows the page lists.
async fn leadership_drills_down_and_downloads_the_table(backend: Backend) {
    let dir = workspace(backend);
    add_user(dir.path(), &["head", "--name", "Сидоров С.С.", "--role", "viewer"], "пароль-руководителя");
    let downloads = tempfile::tempdir().expect("downloads");
    let (_server, base) = serve(dir.path());
    let (_driver, client) = browser_with(Some(downloads.path())).await;
    sign_in(&client, &base, "head", "пароль-руководителя", "/").await;
    client.find(Locator::Css("nav a[href=\"/districts\"]")).await.expect("the menu").click().await.expect("click");
    let cell = "a[href*=\"executor=mo-amursky\"][href*=\"roadmap=khabarovsk-model-2023-2024\"]";
    client.find(Locator::Css(cell)).await.expect("Amursky's cell for the model").click().await.expect("click");
    client.wait().for_element(Locator::Css("table.grid")).await.expect("the list");
    let mut listed = Vec::new();
    for link in client.find_all(Locator::Css("table.grid tbody tr td a[href^=\"/o/\"]")).await.expect("rows") {
        let href = link.attr("href").await.expect("href").expect("a link");
        let id = href.trim_start_matches("/o/");
        listed.push(percent_encoding::percent_decode_str(id).decode_utf8_lossy().into_owned());
    }
    assert!(listed.iter().any(|id| id == AMURSKY), "{listed:?}");
    client
        .find(Locator::Css("a[href^=\"/occurrences/export.xlsx\"]"))
        .await
        .expect("the download")
        .click()
        .await
        .expect("click");
    let deadline = Instant::now() + Duration::from_secs(30);
    let file = loop {
        let done = std::fs::read_dir(downloads.path())
            .expect("downloads")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "xlsx"));
        if let Some(f) = done {
            break f;
        }
        assert!(Instant::now() < deadline, "no download");
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&file).expect("a workbook");
    let name = calamine::Reader::sheet_names(&book)[0].clone();
    let sheet = calamine::Reader::worksheet_range(&mut book, &name).expect("sheet");
    let id = support::tables::column_named(&sheet, "Идентификатор");
    let exported: Vec<String> = (1..sheet.height())
        .map(|r| calamine::DataType::get_string(sheet.get((r, id)).expect("id")).expect("text").to_string())
        .collect();
    assert!(exported.len() >= listed.len(), "every row, not only the page's");
    assert_eq!(exported[..listed.len()], listed[..], "the workbook has the page's rows, in its order");
    let found = text(&client, "p.lead").await;
    assert!(found.contains(&format!("Найдено {}", exported.len())), "{found}");
    client.close().await.expect("close");
}

/// axe-core's script (`.ci/deps` installs it from npm into ~/.cache/karta-axe).
fn axe_source() -> String {
    let path = std::env::var_os("KARTA_AXE").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
            .join(".cache/karta-axe/node_modules/axe-core/axe.min.js")
    });
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("axe-core at {} (.ci/deps installs it): {e}", path.display()))
}

/// axe-core on the current page with the WCAG 2.1 A and AA rules: (violations with their
/// nodes, rules needing review, rules passed).
async fn axe(client: &Client, source: &str) -> (Vec<String>, Vec<String>, usize) {
    let script = format!(
        "const done = arguments[arguments.length - 1];\n{source}\n\
         axe.run(document, {{runOnly: {{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}}})\
           .then(r => done(JSON.stringify({{\
             violations: r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')),\
             incomplete: r.incomplete.map(v => v.id), passes: r.passes.length}})))\
           .catch(e => done(JSON.stringify({{violations: ['axe failed: ' + e], incomplete: [], passes: 0}})));"
    );
    let value = client.execute_async(&script, vec![]).await.expect("axe runs");
    let result: serde_json::Value = serde_json::from_str(value.as_str().expect("JSON text")).expect("axe's answer");
    let list = |k: &str| -> Vec<String> {
        result[k].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect()
    };
    (list("violations"), list("incomplete"), result["passes"].as_u64().unwrap_or(0) as usize)
}

/// Every kind of page, for each role, has no WCAG 2.1 A/AA violation that axe-core finds, in
/// the real Chromium; the rules it could not decide are printed (docs/web.md records them).
async fn every_page_passes_axe_for_every_role(backend: Backend) {
    let dir = workspace(backend);
    add_user(
        dir.path(),
        &["amur", "--name", "Иванова И.И.", "--role", "coordinator", "--executor", "mo-amursky"],
        "пароль-амур-1",
    );
    add_user(dir.path(), &["admin", "--name", "Администратор", "--role", "admin"], "пароль-админа-1");
    add_user(
        dir.path(),
        &["iro", "--name", "Петрова А.А.", "--role", "author", "--organisation", "khk-iro"],
        "пароль-иро-1",
    );
    add_user(dir.path(), &["head", "--name", "Сидоров С.С.", "--role", "viewer"], "пароль-руководителя");
    // An approved baseline and an edit not approved yet: the versions page with its table and diff.
    let approved = karta(dir.path())
        .args(["approve", "lazo-2023-2024", "--by", "Иванова Н.П.", "--now", "2023-10-02T12:00:00+10:00"])
        .output()
        .expect("karta approve");
    assert!(approved.status.success(), "{}", String::from_utf8_lossy(&approved.stderr));
    let lazo = dir.path().join("roadmaps/lazo-2023-2024.yaml");
    let text = std::fs::read_to_string(&lazo).expect("lazo");
    std::fs::write(&lazo, text.replacen("due: \"до 15 ноября 2023 г.\"", "due: \"до 15 декабря 2023 г.\"", 1))
        .expect("edit");
    let (_server, base) = serve(dir.path());
    let (_driver, client) = browser().await;
    let source = axe_source();
    let mut review = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut check = |page: String, result: (Vec<String>, Vec<String>, usize)| {
        let (violations, incomplete, passes) = result;
        println!("axe {page}: {} violations, {} to review, {passes} rules passed", violations.len(), incomplete.len());
        review.extend(incomplete);
        checked += 1;
        if !violations.is_empty() {
            failures.push(format!("{page}: {violations:?}"));
        }
    };
    client.goto(&format!("{base}/login")).await.expect("open");
    check("/login".into(), axe(&client, &source).await);
    for (login, password, lands) in [
        ("amur", "пароль-амур-1", "/"),
        ("admin", "пароль-админа-1", "/"),
        ("iro", "пароль-иро-1", "/"),
        ("head", "пароль-руководителя", "/"),
    ] {
        sign_in(&client, &base, login, password, lands).await;
        let mut pages = vec![
            "/".to_string(),
            "/r/lazo-2023-2024".into(),
            "/r/lazo-2023-2024/timeline".into(),
            "/r/lazo-2023-2024/versions".into(),
            "/r/lazo-2023-2024/versions/working/diff".into(),
            "/r/khabarovsk-model-2023-2024/indicators".into(),
            "/me".into(),
            "/me/chats".into(),
            "/e/mo-amursky".into(),
            format!("/o/{}", encode(AMURSKY)),
            "/occurrences?state=late".into(),
            "/districts".into(),
            "/no/such/page".into(),
        ];
        if login == "admin" {
            pages.push("/admin".into());
        }
        for page in pages {
            client.goto(&format!("{base}{page}")).await.expect("open");
            check(format!("{login} {page}"), axe(&client, &source).await);
        }
        if login == "amur" {
            // The report form answering an error in place.
            client.goto(&format!("{base}/o/{}", encode(AMURSKY))).await.expect("open");
            client
                .find(Locator::Css("input[name=kind][value=not_done]"))
                .await
                .expect("radio")
                .click()
                .await
                .expect("click");
            client.find(Locator::Id("submit-report")).await.expect("submit").click().await.expect("click");
            client.wait().for_element(Locator::Id("report-errors")).await.expect("the error in place");
            check(format!("{login} report error"), axe(&client, &source).await);
        }
        client.goto(&format!("{base}/")).await.expect("open");
        client.find(Locator::Css("form.logout button")).await.expect("sign out").click().await.expect("click");
        client.wait().for_url(&url(&base, "/login")).await.expect("signed out");
    }
    println!("axe: {checked} pages; rules to review: {review:?}");
    assert!(checked >= 40, "{checked}");
    assert!(failures.is_empty(), "WCAG 2.1 A/AA violations:\n{}", failures.join("\n"));
    client.close().await.expect("close");
}

/// Keyboard only: sign in, reach the overdue item, report it not done without a reason, find
/// the error beside the field with the comment kept, add the reason and send it.
async fn a_report_by_keyboard_alone_answers_its_error_in_place(backend: Backend) {
    const TAB: char = '\u{E004}';
    const ENTER: char = '\u{E007}';
    const DOWN: char = '\u{E015}';
    let dir = workspace(backend);
    add_user(
        dir.path(),
        &["amur", "--name", "Иванова И.И.", "--role", "coordinator", "--executor", "mo-amursky"],
        "пароль-амур-1",
    );
    let (_server, base) = serve(dir.path());
    let (_driver, client) = browser().await;
    let focused = |client: &Client| {
        let client = client.clone();
        async move {
            let e = client.active_element().await.expect("focus");
            (
                e.attr("id").await.ok().flatten().unwrap_or_default(),
                e.attr("href").await.ok().flatten().unwrap_or_default(),
                e,
            )
        }
    };
    // Tab until `pick` says the focused element is the one.
    async fn tab_to(
        client: &Client,
        what: &str,
        pick: impl Fn(&str, &str, &str) -> bool,
    ) -> fantoccini::elements::Element {
        for _ in 0..200 {
            let e = client.active_element().await.expect("focus");
            let attr = |name: &'static str| {
                let e = e.clone();
                async move { e.attr(name).await.ok().flatten().unwrap_or_default() }
            };
            let (id, href, name) = (attr("id").await, attr("href").await, attr("name").await);
            if pick(&id, &href, &name) {
                return e;
            }
            press(client, TAB).await;
        }
        panic!("{what} is not reachable by Tab");
    }
    client.goto(&format!("{base}/login")).await.expect("open");
    tab_to(&client, "the login field", |id, _, _| id == "login").await.send_keys("amur").await.expect("type");
    press(&client, TAB).await;
    let (id, _, e) = focused(&client).await;
    assert_eq!(id, "password");
    e.send_keys("пароль-амур-1").await.expect("type");
    press(&client, ENTER).await;
    client.wait().for_url(&url(&base, "/")).await.expect("signed in");
    tab_to(&client, "«Мои сроки»", |_, href, _| href == "/me").await;
    press(&client, ENTER).await;
    client.wait().for_url(&url(&base, "/e/mo-amursky")).await.expect("my deadlines");
    let item = format!("/o/{}", encode(AMURSKY));
    tab_to(&client, "the overdue item", |_, href, _| href == item).await;
    press(&client, ENTER).await;
    client.wait().for_element(Locator::Id("report-form")).await.expect("the occurrence page");
    // The answer: the first radio, then down twice to «Не выполнено».
    tab_to(&client, "the answer", |_, _, name| name == "kind").await;
    press(&client, DOWN).await;
    press(&client, DOWN).await;
    tab_to(&client, "the comment", |id, _, _| id == "r-note")
        .await
        .send_keys("нет связи в школах")
        .await
        .expect("type");
    tab_to(&client, "the button", |id, _, _| id == "submit-report").await;
    press(&client, ENTER).await;
    client.wait().for_element(Locator::Id("report-errors")).await.expect("the error in place");
    let (id, _, _) = focused(&client).await;
    assert_eq!(id, "report-errors", "the error summary takes the focus");
    assert!(text(&client, "#r-reason-error").await.contains("укажите причину"));
    let reason = client.find(Locator::Id("r-reason")).await.expect("reason");
    assert_eq!(reason.attr("aria-invalid").await.expect("attr").as_deref(), Some("true"));
    assert_eq!(reason.attr("aria-describedby").await.expect("attr").as_deref(), Some("r-reason-error r-reason-hint"));
    let note = client.find(Locator::Id("r-note")).await.expect("note");
    assert_eq!(
        note.prop("value").await.expect("value").as_deref(),
        Some("нет связи в школах"),
        "what was typed is kept"
    );
    let chosen = client.find(Locator::Css("input[name=kind][value=not_done]")).await.expect("radio");
    assert_eq!(chosen.prop("checked").await.expect("checked").as_deref(), Some("true"));
    let into_view = "document.getElementById('report-errors').scrollIntoView();";
    client.execute(into_view, vec![]).await.expect("scroll");
    shot(&client, "form-error-1280").await;
    client.set_window_size(320, 900).await.expect("narrow");
    client.execute(into_view, vec![]).await.expect("scroll");
    shot(&client, "form-error-320").await;
    let overflow = client
        .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", vec![])
        .await
        .expect("widths");
    assert!(overflow.as_i64().unwrap_or(99) <= 0, "no horizontal scrolling at 320 px: {overflow}");
    client.set_window_size(1280, 1000).await.expect("wide");
    // The link in the summary leads to the field; the reason, then send.
    tab_to(&client, "the reason", |id, _, _| id == "r-reason").await.send_keys("нет интернета").await.expect("type");
    tab_to(&client, "the button", |id, _, _| id == "submit-report").await;
    press(&client, ENTER).await;
    client.wait().for_element(Locator::Css("[role=status]")).await.expect("a confirmation");
    assert!(text(&client, "[role=status]").await.contains("Записано"));
    assert!(text(&client, ".state").await.contains("не выполнено"));
    assert_eq!(events_about(dir.path(), AMURSKY), 1);
    if std::env::var_os("KARTA_SCREENSHOTS").is_some() {
        client.goto(&format!("{base}/r/lazo-2023-2024/timeline")).await.expect("open");
        shot(&client, "timeline-1280").await;
        client.set_window_size(320, 900).await.expect("narrow");
        shot(&client, "timeline-320").await;
    }
    client.close().await.expect("close");
}

/// One key pressed and released, wherever the focus is.
async fn press(client: &Client, key: char) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let keys =
        KeyActions::new("keyboard".into()).then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    client.perform_actions(keys).await.expect("a key");
}

fn url(base: &str, path: &str) -> url::Url {
    url::Url::parse(&format!("{base}{path}")).expect("url")
}

on_both_backends!(
    async
    a_coordinator_reports_the_overdue_item_and_is_refused_another_district,
    an_author_approves_a_move_from_the_list,
    leadership_drills_down_and_downloads_the_table,
    every_page_passes_axe_for_every_role,
    a_report_by_keyboard_alone_answers_its_error_in_place,
);

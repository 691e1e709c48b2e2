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
            ]
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

fn url(base: &str, path: &str) -> url::Url {
    url::Url::parse(&format!("{base}{path}")).expect("url")
}

on_both_backends!(async a_coordinator_reports_the_overdue_item_and_is_refused_another_district);

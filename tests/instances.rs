//! Several `karta serve` instances over one real PostgreSQL database, as a ministry runs them
//! behind a load balancer: a report made through one is seen by the other at once; a roadmap
//! edit is picked up by both; exactly one leads (plans and sends notices) and, SIGKILLed at
//! random points while sending to a real SMTP server, is replaced by the other within one
//! scheduler interval with no notice lost; under load from both sides while a third process
//! imports reports, no request fails and no report is lost.

mod support;
use support::smtp::Smtp;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

const NOW: &str = "2023-10-16T10:00:00+10:00";
const SCHOOLS: usize = 30;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A roadmap whose one activity, due tomorrow, has `SCHOOLS` executors with their own
/// addresses: a pass at NOW sends one reminder to each.
fn roadmap(title: &str) -> String {
    let mut yaml = format!(
        "kind: roadmap\nid: schools\ntitle: \"{title}\"\nperiod: {{from: 2023-09-01, to: 2024-06-30}}\n\
         timezone: Asia/Vladivostok\ncontroller: uo\nexecutors:\n  uo: {{name: \"Управление образования\"}}\n"
    );
    for i in 1..=SCHOOLS {
        yaml += &format!("  s{i:02}: {{name: \"Школа № {i}\", email: s{i:02}@test.example, parent: uo}}\n");
    }
    let all: Vec<String> = (1..=SCHOOLS).map(|i| format!("s{i:02}")).collect();
    yaml += &format!(
        "sections:\n  - title: \"Раздел\"\n    activities:\n      - id: survey\n        title: \"Анкетирование\"\n\
         \x20       executors: [{}]\n        due: до 17 октября 2023 г.\n      - id: plan\n        title: \"План\"\n\
         \x20       executors: [uo]\n        due: до 17 октября 2023 г.\n",
        all.join(", ")
    );
    yaml
}

/// A workspace: the roadmap, a PostgreSQL database, an admin with an API token.
struct Site {
    dir: tempfile::TempDir,
    db: String,
    token: String,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::create_dir_all(dir.path().join("roadmaps")).expect("mkdir");
        std::fs::write(dir.path().join("roadmaps/schools.yaml"), roadmap("Дорожная карта школ")).expect("roadmap");
        let site = Site { dir, db: support::pg::database(), token: String::new() };
        let mut add = site
            .karta(&["user", "add", "admin", "--name", "Администратор", "--role", "admin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("user add");
        add.stdin.take().expect("stdin").write_all(b"a-long-password-1\n").expect("password");
        assert!(add.wait().expect("user add").success());
        let out = site.karta(&["user", "token", "admin"]).output().expect("token");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Site { token, ..site }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn karta(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_karta"));
        cmd.args(args)
            .current_dir(self.path())
            .env_remove("LANG")
            .env_remove("KARTA_CONFIG")
            .env_remove("KARTA_SMTP_URL")
            .env("KARTA_NOW", NOW)
            .env("KARTA_DB", &self.db)
            .env("KARTA_ROADMAPS", self.path().join("roadmaps"));
        cmd
    }

    /// `karta serve` on a free port, the scheduler every second, sending to `smtp`.
    fn serve(&self, smtp: &str) -> Instance {
        let mut child = self
            .karta(&["serve", "--listen", "127.0.0.1:0", "--interval", "1"])
            .env("KARTA_SMTP_URL", smtp)
            .env("KARTA_LOG", "info")
            .env("KARTA_UPLOADS", self.path().join("uploads"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve");
        let log = Arc::new(Mutex::new(Vec::<(Instant, String)>::new()));
        let sink = log.clone();
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().expect("log").push((Instant::now(), line));
            }
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("address");
        let addr = line.trim().trim_start_matches("karta serve: http://").trim_end_matches('/').to_string();
        assert!(addr.starts_with("127.0.0.1:"), "{line} / {:?}", log.lock().expect("log"));
        Instance { child, addr, log }
    }
}

struct Instance {
    child: Child,
    addr: String,
    log: Arc<Mutex<Vec<(Instant, String)>>>,
}

impl Instance {
    /// When the log first had a line containing `text`, waiting up to `limit` for it.
    fn wait_for(&self, text: &str, limit: Duration) -> Option<Instant> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some((at, _)) = self.log.lock().expect("log").iter().find(|(_, l)| l.contains(text)) {
                return Some(*at);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn logged(&self, text: &str) -> usize {
        self.log.lock().expect("log").iter().filter(|(_, l)| l.contains(text)).count()
    }

    fn kill(&mut self) -> Instant {
        let _ = self.child.kill();
        let at = Instant::now();
        let _ = self.child.wait();
        at
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request: the status and the body.
fn http(addr: &str, method: &str, path: &str, token: &str, body: Option<&str>) -> Result<(u16, String), String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(60))).map_err(|e| e.to_string())?;
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| format!("no status: {text}"))?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    // Chunked bodies: good enough to search in; JSON is parsed from the first '{' to the last '}'.
    Ok((status, body))
}

fn json(body: &str) -> Value {
    let (start, end) = (body.find('{').unwrap_or(0), body.rfind('}').map_or(body.len(), |e| e + 1));
    serde_json::from_str(&body[start..end]).unwrap_or(Value::Null)
}

const LEADS: &str = "this instance leads";
const FOLLOWS: &str = "another instance leads";

/// Reports, roadmap edits and the scheduler across two instances.
#[test]
fn two_instances_share_reports_reloads_and_one_scheduler() {
    let smtp = Smtp::start(0.0);
    let site = Site::new();
    let a = site.serve(&smtp.url());
    assert!(a.wait_for(LEADS, Duration::from_secs(20)).is_some(), "the first instance leads");
    let b = site.serve(&smtp.url());
    assert!(b.wait_for(FOLLOWS, Duration::from_secs(20)).is_some(), "the second follows");

    // A report through one is seen by the other on its next request.
    let occurrence = "schools/plan@2023-10-17";
    let path = format!("/api/occurrences/{}", occurrence.replace('/', "%2F").replace('@', "%40"));
    let (status, body) =
        http(&a.addr, "POST", &format!("{path}/report"), &site.token, Some(r#"{"kind":"done"}"#)).expect("report");
    assert_eq!(status, 200, "{body}");
    let (status, body) = http(&b.addr, "GET", &path, &site.token, None).expect("read");
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["occurrence"]["state"], "done_on_time", "{body}");

    // Every request is logged at info with its user, status and latency, never with a secret.
    let logged = a.wait_for("finished processing request", Duration::from_secs(5)).map(|_| {
        a.log
            .lock()
            .expect("log")
            .iter()
            .map(|(_, l)| l.clone())
            .filter(|l| l.contains("path=/api/occurrences"))
            .collect::<Vec<_>>()
    });
    let lines = logged.unwrap_or_default();
    assert!(
        lines.iter().any(|l| l.contains("method=POST")
            && l.contains("user=admin")
            && l.contains("status=200")
            && l.contains("latency=")),
        "{:?}",
        lines.iter().filter(|l| l.contains("request")).collect::<Vec<_>>()
    );
    assert!(a.log.lock().expect("log").iter().all(|(_, l)| !l.contains(&site.token)), "a token in the log");
    // A roadmap edit reaches both.
    std::fs::write(site.path().join("roadmaps/schools.yaml"), roadmap("Дорожная карта школ, редакция 2"))
        .expect("edit");
    for instance in [&a, &b] {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (_, body) = http(&instance.addr, "GET", "/api/roadmaps/schools", &site.token, None).expect("roadmap");
            if body.contains("редакция 2") {
                break;
            }
            assert!(Instant::now() < deadline, "{} did not reload: {body}", instance.addr);
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    // One scheduler: the reminders go out once, all from the leader.
    assert!(smtp.wait_for(SCHOOLS, Duration::from_secs(30)), "sent: {:?}", smtp.message_ids());
    std::thread::sleep(Duration::from_secs(3));
    let seen = smtp.message_ids();
    assert_eq!(seen.len(), SCHOOLS, "{seen:?}");
    assert!(seen.values().all(|&n| n == 1), "a message sent twice: {seen:?}");
    assert!(a.logged("sending") >= SCHOOLS && b.logged("sending") == 0, "only the leader sends");
    assert_eq!(b.logged(LEADS), 0, "two leaders");
}

/// The leader SIGKILLed at random points while it sends (20 runs, each on a new database and a
/// new SMTP server that takes 100 ms per message): the other instance takes over within one
/// interval (1 s here, plus the time a pass takes to start), every notice is sent, and a message
/// arrives twice only when it was accepted just before the kill (at most one per kill).
#[test]
fn a_killed_leader_is_replaced_and_nothing_is_lost() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut takeovers = Vec::new();
    let mut duplicates = 0;
    for run in 0..20 {
        let smtp = Smtp::start(0.1);
        let site = Site::new();
        let mut a = site.serve(&smtp.url());
        assert!(a.wait_for(LEADS, Duration::from_secs(20)).is_some(), "run {run}: the first instance leads");
        let b = site.serve(&smtp.url());
        assert!(b.wait_for(FOLLOWS, Duration::from_secs(20)).is_some(), "run {run}: the second follows");
        std::thread::sleep(Duration::from_millis(random() % 2_500));
        let sent_before = smtp.message_ids().len();
        let killed = a.kill();
        let took = b.wait_for(LEADS, Duration::from_secs(10)).unwrap_or_else(|| panic!("run {run}: no takeover"));
        takeovers.push(took.duration_since(killed));
        assert!(smtp.wait_for(SCHOOLS, Duration::from_secs(30)), "run {run}: lost: {:?}", smtp.message_ids());
        std::thread::sleep(Duration::from_millis(500));
        let seen = smtp.message_ids();
        assert_eq!(seen.len(), SCHOOLS, "run {run}");
        let twice: usize = seen.values().map(|n| n - 1).sum();
        assert!(twice <= 1, "run {run}: {twice} duplicates for one kill: {seen:?}");
        duplicates += twice;
        eprintln!("run {run}: killed after {sent_before} sent, takeover in {:?}, {twice} duplicate", takeovers[run]);
    }
    takeovers.sort();
    let worst = *takeovers.last().expect("runs");
    eprintln!(
        "20 kills: takeover median {:?}, worst {worst:?}; {duplicates} duplicates (each accepted just before a kill)",
        takeovers[takeovers.len() / 2]
    );
    assert!(worst < Duration::from_secs(3), "a takeover took {worst:?} with a 1 s interval");
}

/// Both instances answer a stream of requests while `karta import` writes thousands of reports through
/// a third process: every request answers 200, every report is in the database afterwards.
#[test]
fn two_instances_under_load_while_a_third_imports() {
    let smtp = Smtp::start(0.0);
    let site = Site::new();
    // A second roadmap with many occurrences to import reports for.
    std::fs::copy(repo().join("roadmaps/khabarovsk-model-2023-2024.yaml"), site.path().join("roadmaps/model.yaml"))
        .expect("model");
    std::fs::copy(
        repo().join("roadmaps/khabarovsk-directory.yaml"),
        site.path().join("roadmaps/khabarovsk-directory.yaml"),
    )
    .expect("directory");
    let out = site.karta(&["plan", "roadmaps", "--format", "json", "--to", "2023-11-30"]).output().expect("plan");
    let plan: Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    let ids: Vec<String> = plan["occurrences"]
        .as_array()
        .expect("occurrences")
        .iter()
        .filter_map(|o| o["id"].as_str().filter(|id| id.starts_with("khabarovsk-model")).map(String::from))
        .collect();
    assert!(ids.len() >= 1_000, "{} occurrences", ids.len());
    let mut csv = String::from("occurrence;статус;дата;комментарий\n");
    for id in &ids {
        csv += &format!("{id};выполнено;16.10.2023;отчёт получен\n");
    }
    std::fs::write(site.path().join("reports.csv"), csv).expect("csv");

    let a = site.serve(&smtp.url());
    let b = site.serve(&smtp.url());
    let stop = Arc::new(AtomicBool::new(false));
    let (answered, failed) = (Arc::new(Mutex::new(Vec::new())), Arc::new(Mutex::new(Vec::new())));
    let load: Vec<_> = [&a.addr, &b.addr, &a.addr, &b.addr]
        .into_iter()
        .enumerate()
        .map(|(n, addr)| {
            let (addr, token) = (addr.clone(), site.token.clone());
            let (stop, answered, failed) = (stop.clone(), answered.clone(), failed.clone());
            std::thread::spawn(move || {
                let paths = [
                    "/api/overview",
                    "/api/roadmaps/khabarovsk-model-2023-2024",
                    "/healthz",
                    "/api/executors/mo-amursky",
                ];
                let mut i = n;
                while !stop.load(Ordering::SeqCst) {
                    let path = paths[i % paths.len()];
                    match http(&addr, "GET", path, &token, None) {
                        Ok((200, _)) => answered.lock().expect("a").push((n % 2, Instant::now())),
                        Ok((status, body)) => failed.lock().expect("f").push(format!("{addr}{path}: {status} {body}")),
                        Err(e) => failed.lock().expect("f").push(format!("{addr}{path}: {e}")),
                    }
                    i += 1;
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    let started = Instant::now();
    let import = site.karta(&["import", "reports.csv"]).output().expect("import");
    let ended = Instant::now();
    assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));
    std::thread::sleep(Duration::from_secs(1));
    stop.store(true, Ordering::SeqCst);
    for thread in load {
        thread.join().expect("load");
    }
    let failed = failed.lock().expect("f").clone();
    let answered = answered.lock().expect("a").clone();
    let during = |side: usize| answered.iter().filter(|(s, at)| *s == side && *at >= started && *at <= ended).count();
    eprintln!(
        "{} requests answered 200 ({} and {} during the {:?} import of {} reports), {} failed",
        answered.len(),
        during(0),
        during(1),
        ended - started,
        ids.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "{failed:?}");
    assert!(during(0) > 0 && during(1) > 0, "both instances answer while the import runs");
    // Every report is in the database, and both instances show them.
    let store = karta::store::open(Path::new(&site.db)).expect("open");
    let events = karta::store::EventLog::events(store.as_ref()).expect("events");
    assert_eq!(events.len(), ids.len(), "reports lost");
    for addr in [&a.addr, &b.addr] {
        let (_, body) =
            http(addr, "GET", "/api/roadmaps/khabarovsk-model-2023-2024", &site.token, None).expect("roadmap");
        assert!(body.contains("done"), "{addr}: {body}");
    }
}

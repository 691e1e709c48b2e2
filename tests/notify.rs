//! Every test runs on both store backends (SQLite and a real PostgreSQL, see support::pg).
//! Reminders and overdue notices against a real SMTP server on loopback (aiosmtpd, started by
//! each test; `.ci/deps` installs it): recipients, subjects, bodies and encodings, one digest per
//! recipient, a scripted season on the Lazo roadmap, the server down for a day, SIGKILL at random
//! points, and an address the server rejects.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::smtp::Smtp;
use support::{Backend, Test, free_port};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn parse(bytes: &[u8]) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default().parse(bytes).expect("a parseable message")
}

/// A workspace directory that outlives single commands: roadmaps plus the store.
struct Workspace {
    dir: tempfile::TempDir,
    /// The store: an SQLite file in `dir` or a PostgreSQL database.
    db: String,
}

impl Workspace {
    fn new(backend: Backend, files: &[(&str, String)]) -> Workspace {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = backend.db(dir.path());
        for (name, text) in files {
            let path = dir.path().join("roadmaps").join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write roadmap");
        }
        Workspace { dir, db }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, args: &[&str], now: &str, smtp: Option<&str>) -> Command {
        let mut cmd = support::karta_in(self.path(), &self.db);
        cmd.args(args).args(["--now", now]);
        if let Some(url) = smtp {
            cmd.env("KARTA_SMTP_URL", url);
        }
        cmd
    }

    fn run(&self, args: &[&str], now: &str, smtp: Option<&str>) -> std::process::Output {
        self.command(args, now, smtp).output().expect("run karta")
    }

    /// The outbox as JSON lines.
    fn outbox(&self) -> Vec<serde_json::Value> {
        let out = self.run(&["outbox", "--format", "json"], "2030-01-01", None);
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("json line")).collect()
    }
}

const SMALL: &str = r#"kind: roadmap
id: small
title: "Дорожная карта проверки уведомлений"
period: {from: 2024-01-01, to: 2024-12-31}
timezone: Asia/Vladivostok
controller: uo
executors:
  uo: {name: "Управление образования", email: uo@test.example, head: {name: "А.Б. Начальникова", email: head@test.example}}
  imc: {name: "Информационно-методический центр", short: "ИМЦ", email: imc@test.example, parent: uo}
  school: {name: "Школа № 1", email: school@test.example, parent: uo}
  broken: {name: "Школа с отвергнутым адресом", email: reject@test.example, parent: uo}
sections:
  - title: "Раздел"
    activities:
      - id: plan
        title: "Разработка плана <мероприятий> & «графика»"
        executors: [imc]
        due: до 15 марта 2024 г.
      - id: report
        title: "Отчёт о ходе работ"
        executors: [imc]
        due: до 15 марта 2024 г.
      - id: survey
        title: "Анкетирование педагогов"
        executors: [school, broken]
        due: до 15 марта 2024 г.
"#;

/// The day before a deadline: the executors get their reminders, one message each however many
/// notices; the rejected address fails alone and is reported.
fn delivery_digest_and_rejection(backend: Backend) {
    let smtp = Smtp::start(0.0);
    let ws = Workspace::new(backend, &[("small.yaml", SMALL.to_string())]);
    let out = ws.run(&["remind"], "2024-03-14T10:00:00+10:00", Some(&smtp.url()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "a refused address makes the pass fail\n{stderr}");
    assert!(stderr.contains("reject@test.example") || stderr.contains("не доставлено"), "{stderr}");
    let mut received = smtp.received();
    received.sort_by(|a, b| a.0.cmp(&b.0));
    let rcpts: Vec<&str> = received.iter().map(|(r, _)| r[0].as_str()).collect();
    assert_eq!(rcpts, ["imc@test.example", "school@test.example"], "one message per recipient");
    let imc = parse(&received[0].1);
    assert_eq!(imc.subject(), Some("Сроки по дорожным картам: 2\u{a0}уведомления на 14.03.2024"));
    assert_eq!(imc.to().and_then(|a| a.first()).and_then(|a| a.address()), Some("imc@test.example"));
    assert_eq!(imc.text_body_count(), 1, "a plain text part");
    assert_eq!(imc.html_body_count(), 1, "an HTML part");
    let text = imc.body_text(0).expect("text");
    assert!(text.contains("Разработка плана <мероприятий> & «графика»"), "{text}");
    assert!(text.contains("Отчёт о ходе работ"), "{text}");
    assert!(text.contains("15\u{a0}марта\u{a0}2024\u{a0}г."), "{text}");
    let html = imc.body_html(0).expect("html");
    assert!(html.contains("Разработка плана &lt;мероприятий&gt; &amp; «графика»"), "escaped in HTML: {html}");
    assert!(imc.message_id().is_some_and(|id| id.ends_with("@localhost")));
    let school = parse(&received[1].1);
    assert_eq!(school.subject(), Some("Напоминание: срок 15\u{a0}марта\u{a0}2024\u{a0}г. — «Анкетирование педагогов»"));
    let raw = String::from_utf8_lossy(&received[1].1);
    assert!(raw.contains("Subject: =?utf-8?"), "the Russian subject is encoded (RFC 2047)");
    // The refused notice is failed with the server's reason; the others are sent.
    let outbox = ws.outbox();
    let failed: Vec<_> = outbox.iter().filter(|n| n["state"] == "failed").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["recipient"], "reject@test.example");
    assert!(failed[0]["why"].as_str().is_some_and(|w| w.contains("550")), "{:?}", failed[0]);
    assert_eq!(outbox.iter().filter(|n| n["state"] == "sent").count(), 3);
    let status = ws.run(&["status"], "2024-03-14T10:30:00+10:00", None);
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("не доставлено уведомлений: 1"),
        "karta status shows the failure: {}",
        String::from_utf8_lossy(&status.stdout)
    );
    // Once: a second pass the same day sends nothing new.
    ws.run(&["remind"], "2024-03-14T11:00:00+10:00", Some(&smtp.url()));
    assert_eq!(smtp.received().len(), 2, "no duplicates");
}

/// Sending hours: before 09:00 local nothing goes; a report before the reminder cancels it.
fn hours_and_cancellation(backend: Backend) {
    let smtp = Smtp::start(0.0);
    let ws = Workspace::new(backend, &[("small.yaml", SMALL.to_string())]);
    let early = ws.run(&["remind"], "2024-03-14T07:30:00+10:00", Some(&smtp.url()));
    assert_eq!(early.status.code(), Some(0), "{}", String::from_utf8_lossy(&early.stderr));
    assert!(String::from_utf8_lossy(&early.stdout).contains("ждут часов отправки: 4"));
    assert!(smtp.received().is_empty(), "nothing before sending hours");
    let done = ws.run(&["done", "small/plan", "--on", "2024-03-14"], "2024-03-14T08:00:00+10:00", None);
    assert_eq!(done.status.code(), Some(0), "{}", String::from_utf8_lossy(&done.stderr));
    ws.run(&["remind"], "2024-03-14T09:05:00+10:00", Some(&smtp.url()));
    let outbox = ws.outbox();
    let plan = outbox.iter().find(|n| n["occurrence"] == "small/plan@2024-03-15").expect("the plan's reminder");
    assert_eq!(plan["state"], "cancelled");
    assert_eq!(plan["why"], "выполнено до отправки");
    let imc: Vec<_> = smtp.received().into_iter().filter(|(r, _)| r[0] == "imc@test.example").collect();
    assert_eq!(imc.len(), 1);
    let text = parse(&imc[0].1).body_text(0).expect("text").into_owned();
    assert!(!text.contains("Разработка плана"), "the done activity is not reminded: {text}");
}

/// Overdue: daily notices to the executor, escalation to the head and the controller after
/// three days, and the Monday digest to leadership.
fn overdue_escalation_and_digest(backend: Backend) {
    let smtp = Smtp::start(0.0);
    let ws = Workspace::new(backend, &[("small.yaml", SMALL.replace("reject@", "other@"))]);
    // Friday 15 March is the due date; Monday 18 March three days overdue (1 working day),
    // Tuesday 19 March 4 days.
    for now in ["2024-03-18T10:00:00+10:00", "2024-03-19T10:00:00+10:00"] {
        let out = ws.run(&["remind"], now, Some(&smtp.url()));
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let sent: Vec<(String, String, String)> = ws
        .outbox()
        .iter()
        .filter(|n| n["state"] == "sent")
        .map(|n| {
            (
                n["day"].as_str().unwrap_or_default().to_string(),
                n["recipient"].as_str().unwrap_or_default().to_string(),
                n["rule"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let count = |day: &str, to: &str, rule: &str| {
        sent.iter().filter(|s| (s.0.as_str(), s.1.as_str(), s.2.as_str()) == (day, to, rule)).count()
    };
    assert_eq!(count("2024-03-18", "imc@test.example", "overdue"), 2, "{sent:?}");
    assert_eq!(count("2024-03-19", "imc@test.example", "overdue"), 2, "{sent:?}");
    assert_eq!(count("2024-03-15", "uo@test.example", "escalation-1"), 3, "controller, once per occurrence: {sent:?}");
    assert_eq!(count("2024-03-15", "head@test.example", "escalation-2"), 0, "not yet ten days");
    assert_eq!(count("2024-03-18", "uo@test.example", "digest"), 1, "Monday digest: {sent:?}");
    assert_eq!(count("2024-03-18", "head@test.example", "digest"), 1, "{sent:?}");
    assert_eq!(count("2024-03-19", "uo@test.example", "digest"), 0, "weekly");
    // One message per recipient per pass.
    let received = smtp.received();
    let to_uo = received.iter().filter(|(r, _)| r[0] == "uo@test.example").count();
    assert_eq!(to_uo, 1, "escalations and digest in one message on Monday; nothing new on Tuesday");
}

/// The SMTP server is down for a day: nothing is lost; everything goes out when it is back.
fn server_down_then_back(backend: Backend) {
    let port = free_port();
    let ws = Workspace::new(backend, &[("small.yaml", SMALL.replace("reject@", "other@"))]);
    let url = format!("smtp://127.0.0.1:{port}");
    let down = ws.run(&["remind"], "2024-03-14T10:00:00+10:00", Some(&url));
    assert_eq!(down.status.code(), Some(0), "a server that is down is retried, not given up");
    assert!(String::from_utf8_lossy(&down.stderr).contains("будет повтор"));
    assert!(ws.outbox().iter().all(|n| n["state"] == "sending"), "written, waiting to go");
    let smtp = Smtp::on(port, tempfile::tempdir().expect("dir"), 0.0);
    let back = ws.run(&["remind"], "2024-03-15T10:00:00+10:00", Some(&smtp.url()));
    assert_eq!(back.status.code(), Some(0), "{}", String::from_utf8_lossy(&back.stderr));
    let received = smtp.received();
    let ids: std::collections::BTreeSet<String> =
        received.iter().filter_map(|(_, b)| parse(b).message_id().map(String::from)).collect();
    assert_eq!(ids.len(), received.len(), "no duplicates");
    let outbox = ws.outbox();
    // The day-before reminders of the 14th went out late, and the due-day notices of the 15th.
    assert_eq!(outbox.iter().filter(|n| n["day"] == "2024-03-14" && n["state"] == "sent").count(), 4);
    assert_eq!(outbox.iter().filter(|n| n["rule"] == "due-day" && n["state"] == "sent").count(), 4);
    assert!(outbox.iter().all(|n| n["state"] == "sent"), "{outbox:?}");
}

/// Killed at random points 50 times, the sender loses nothing and duplicates only a message
/// the server had accepted just before the kill (the documented window) — counted here.
#[cfg(unix)]
fn sigkill_loses_nothing(backend: Backend) {
    let smtp = Smtp::start(0.05);
    let ws = Workspace::new(backend, &[("small.yaml", SMALL.replace("reject@", "other@"))]);
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut random = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // Each round is a new day, so there is always something to send.
    let days: Vec<String> = (0..50)
        .map(|i| {
            let d = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).expect("date") + chrono::Days::new(i);
            format!("{d}T10:00:00+10:00")
        })
        .collect();
    let mut kills = 0;
    for now in &days {
        let mut child = ws
            .command(&["remind"], now, Some(&smtp.url()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(random() % 250));
        if child.try_wait().expect("wait").is_none() {
            let _ = child.kill();
            kills += 1;
        }
        let _ = child.wait();
        // The next run (same instant) finishes the job.
        let out = ws.run(&["remind"], now, Some(&smtp.url()));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(kills >= 10, "only {kills} runs were killed mid-way");
    let outbox = ws.outbox();
    let unsent: Vec<_> = outbox.iter().filter(|n| n["state"] != "sent" && n["state"] != "cancelled").collect();
    assert!(unsent.is_empty(), "lost: {unsent:?}");
    let mut seen = std::collections::HashMap::new();
    for (_, bytes) in smtp.received() {
        *seen.entry(parse(&bytes).message_id().map(String::from).expect("message id")).or_insert(0) += 1;
    }
    let messages: std::collections::BTreeSet<&str> = outbox.iter().filter_map(|n| n["message_id"].as_str()).collect();
    for id in &messages {
        let id = id.trim_matches(['<', '>']);
        assert!(seen.contains_key(id), "message {id} never reached the server");
    }
    let duplicates: usize = seen.values().map(|n| n - 1).sum();
    eprintln!("{kills} kills, {} messages, {duplicates} re-sent once (accepted just before a kill)", seen.len());
    assert!(duplicates <= kills, "{duplicates} duplicates for {kills} kills");
    assert!(seen.values().all(|&n| n <= 2), "a message re-sent more than once: {seen:?}");
}

/// The Lazo roadmap over two working weeks of October 2023, `karta remind` every working day at
/// 10:00 local, activity org-1 reported done on the 12th. Only the education authority (uo-lazo)
/// and the deputy head in control (cherepanov) have e-mail here. Every notice sent, in the order
/// planned: day, recipient, rule, occurrence.
const SEASON: &str = "
2023-10-09 uo overdue org-6@2023-09-27
2023-09-27 cherepanov escalation-1 org-6@2023-09-27
2023-09-27 uo escalation-2 org-6@2023-09-27
2023-10-01 cherepanov escalation-1 method-1@2023-10-01
2023-10-01 cherepanov escalation-1 students-1@2023-10-01
2023-10-09 cherepanov digest lazo-2023-2024
2023-10-10 uo overdue org-6@2023-09-27
2023-10-07 cherepanov escalation-1 method-2@2023-10-07
2023-10-10 uo before-7d org-1@2023-10-17
2023-10-10 uo before-7d org-2@2023-10-17
2023-10-10 uo before-7d org-3@2023-10-17
2023-10-11 uo overdue org-6@2023-09-27
2023-10-01 uo escalation-2 method-1@2023-10-01
2023-10-08 cherepanov escalation-1 method-1@2023-10-08
2023-10-08 cherepanov escalation-1 students-1@2023-10-08
2023-10-12 uo overdue org-6@2023-09-27
2023-10-13 uo overdue org-6@2023-09-27
2023-10-16 uo overdue org-6@2023-09-27
2023-10-16 uo before-1d org-2@2023-10-17
2023-10-16 uo before-1d org-3@2023-10-17
2023-10-16 cherepanov digest lazo-2023-2024
2023-10-17 uo overdue org-6@2023-09-27
2023-10-07 uo escalation-2 method-2@2023-10-07
2023-10-14 cherepanov escalation-1 method-3@2023-10-14
2023-10-17 uo due-day org-2@2023-10-17
2023-10-17 uo due-day org-3@2023-10-17
2023-10-18 uo overdue org-6@2023-09-27
2023-10-08 uo escalation-2 method-1@2023-10-08
2023-10-15 cherepanov escalation-1 method-1@2023-10-15
2023-10-15 cherepanov escalation-1 students-1@2023-10-15
2023-10-18 uo overdue org-2@2023-10-17
2023-10-18 uo overdue org-3@2023-10-17
2023-10-18 uo before-7d org-6@2023-10-25
2023-10-19 uo overdue org-6@2023-09-27
2023-10-19 uo overdue org-2@2023-10-17
2023-10-19 uo overdue org-3@2023-10-17
2023-10-20 uo overdue org-6@2023-09-27
2023-10-20 uo overdue org-2@2023-10-17
2023-10-17 cherepanov escalation-1 org-2@2023-10-17
2023-10-20 uo overdue org-3@2023-10-17
2023-10-17 cherepanov escalation-1 org-3@2023-10-17
";

fn season_on_lazo(backend: Backend) {
    let lazo = std::fs::read_to_string(repo().join("roadmaps/lazo-2023-2024.yaml")).expect("seed");
    let mut with_email = String::new();
    let mut current = "";
    for line in lazo.lines() {
        with_email.push_str(line);
        with_email.push('\n');
        if let Some(id) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')).filter(|l| !l.contains(' ')) {
            current = id;
        }
        if line.starts_with("    name:") {
            match current {
                "uo-lazo" => with_email.push_str("    email: uo@lazo.example\n"),
                "cherepanov" => with_email.push_str("    email: cherepanov@lazo.example\n"),
                _ => {}
            }
            current = "";
        }
    }
    let directory = std::fs::read_to_string(repo().join("roadmaps/khabarovsk-directory.yaml")).expect("seed");
    let ws = Workspace::new(backend, &[("lazo-2023-2024.yaml", with_email), ("khabarovsk-directory.yaml", directory)]);
    for day in [9, 10, 11, 12, 13, 16, 17, 18, 19, 20] {
        if day == 12 {
            let done =
                ws.run(&["done", "lazo-2023-2024/org-1", "--on", "2023-10-12"], "2023-10-12T09:30:00+10:00", None);
            assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        }
        let out = ws.run(&["remind"], &format!("2023-10-{day:02}T10:00:00+10:00"), None);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let sent: Vec<String> = ws
        .outbox()
        .iter()
        .filter(|n| n["state"] == "sent")
        .map(|n| {
            let who = n["recipient"].as_str().unwrap_or_default().split('@').next().unwrap_or_default();
            let about = n["occurrence"].as_str().or(n["roadmap"].as_str()).unwrap_or_default();
            format!(
                "{} {who} {} {}",
                n["day"].as_str().unwrap_or_default(),
                n["rule"].as_str().unwrap_or_default(),
                about.replace("lazo-2023-2024/", "")
            )
        })
        .collect();
    let expected: Vec<&str> = SEASON.trim().lines().collect();
    assert_eq!(sent, expected);
    // Each notice went out in a message written to outbox/ (no SMTP configured): one per
    // recipient per day.
    let files = std::fs::read_dir(ws.path().join("outbox")).expect("outbox dir").count();
    assert_eq!(files, 17, "messages");
}

/// `karta serve` runs the pass on its interval (here writing `.eml` files) and stops cleanly on
/// SIGTERM, logging both.
#[cfg(unix)]
fn serve_runs_and_stops_on_sigterm(backend: Backend) {
    let ws = Workspace::new(backend, &[("small.yaml", SMALL.to_string())]);
    let child = ws
        .command(&["serve", "--interval", "1", "--listen", "127.0.0.1:0"], "2024-03-14T10:00:00+10:00", None)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let outbox = ws.path().join("outbox");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::fs::read_dir(&outbox).map_or(0, |d| d.count()) < 2 {
        assert!(std::time::Instant::now() < deadline, "serve wrote nothing in 30 s");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(term.success());
    let out = child.wait_with_output().expect("serve exits");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("karta serve started") && log.contains("karta serve stopped"), "{log}");
    // imc gets one message (two reminders), school one; the refused address has no server here
    // (files), so it is written too.
    assert_eq!(std::fs::read_dir(&outbox).expect("outbox").count(), 3);
}

/// `karta remind --dry-run` on the seeds: who would get what, in Russian; nothing recorded.
#[test]
fn dry_run_on_the_seeds() {
    let run = Test::new()
        .env("KARTA_ROADMAPS", &repo().join("roadmaps").display().to_string())
        .args(["remind", "--dry-run", "--now", "2023-10-16T10:00:00+10:00"])
        .run();
    run.succeeds();
    let out = run.stdout();
    assert!(out.contains("КГАОУ ДПО ХК ИРО <iro@edu.27.ru> — 13\u{a0}уведомлений:"), "{out}");
    assert!(
        out.contains("  – напоминание: до срока 4\u{a0}дня: «Направление в группы всех материалов, Д/З для обучающихся.», срок 20.10.2023"),
        "{out}"
    );
    assert!(out.contains("просрочено на 15\u{a0}дней"), "{out}");
    assert!(!run.dir.join("outbox").exists(), "a dry run sends nothing");
}

/// A request to move a deadline reaches the roadmap's authors by e-mail, once; a request
/// decided before its notice went out is not sent.
fn a_move_request_reaches_the_authors(backend: Backend) {
    let smtp = Smtp::start(0.0);
    // No refused address here: every pass must succeed.
    let yaml = SMALL.replacen("controller: uo\n", "controller: uo\nissuer: uo\n", 1).replace("reject@", "broken@");
    let ws = Workspace::new(backend, &[("small.yaml", yaml)]);
    let mut store = karta::store::open(Path::new(&ws.db)).expect("store");
    for (login, role, organisation, email) in [
        ("author", karta::store::Role::Author, Some("uo"), Some("author@test.example")),
        ("other", karta::store::Role::Author, Some("imc"), Some("other@test.example")),
        ("silent", karta::store::Role::Author, Some("uo"), None),
        ("admin", karta::store::Role::Admin, None, Some("admin@test.example")),
    ] {
        store
            .add_user(&karta::store::NewUser {
                login,
                name: &format!("Пользователь {login}"),
                role,
                organisation,
                email,
                password: "x",
                feed: login,
                created_at: "2024-03-01T10:00:00+10:00",
            })
            .expect("user");
    }
    let first = store
        .request_move(
            "small/plan@2024-03-15",
            chrono::NaiveDate::from_ymd_opt(2024, 3, 29).expect("date"),
            "ремонт",
            "imc-user",
            "2024-03-05T10:00:00+10:00",
        )
        .expect("request");
    // Wednesday 6 March, 10:00 local: inside sending hours.
    let out = ws.run(&["remind"], "2024-03-06T10:00:00+10:00", Some(&smtp.url()));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let to_author: Vec<_> = smtp.received().into_iter().filter(|(r, _)| r[0] == "author@test.example").collect();
    assert_eq!(to_author.len(), 1, "the author of the issuing body hears of it");
    assert!(smtp.received().iter().all(|(r, _)| r[0] != "other@test.example" && r[0] != "admin@test.example"));
    let message = parse(&to_author[0].1);
    assert_eq!(message.subject(), Some("Запрос на перенос срока: «Разработка плана <мероприятий> & «графика»»"));
    let text = message.body_text(0).expect("text");
    assert!(text.contains("просит перенести срок мероприятия на 29\u{a0}марта\u{a0}2024\u{a0}г."), "{text}");
    assert!(text.contains("ремонт") && text.contains("Мои сроки"), "{text}");
    let again = ws.run(&["remind"], "2024-03-06T11:00:00+10:00", Some(&smtp.url()));
    assert!(again.status.success());
    assert_eq!(smtp.received().iter().filter(|(r, _)| r[0] == "author@test.example").count(), 1, "once");

    // A second request at night waits for sending hours; decided meanwhile, it is not sent.
    let second = store
        .request_move(
            "small/report@2024-03-15",
            chrono::NaiveDate::from_ymd_opt(2024, 3, 22).expect("date"),
            "болезнь",
            "imc-user",
            "2024-03-06T22:00:00+10:00",
        )
        .expect("request");
    assert_ne!(first, second);
    let night = ws.run(&["remind"], "2024-03-06T22:30:00+10:00", Some(&smtp.url()));
    assert!(night.status.success());
    store.decide_move(second, false, "author", "2024-03-06T23:00:00+10:00", None).expect("decide");
    let morning = ws.run(&["remind"], "2024-03-07T10:00:00+10:00", Some(&smtp.url()));
    assert!(morning.status.success(), "{}", String::from_utf8_lossy(&morning.stderr));
    assert_eq!(
        smtp.received().iter().filter(|(r, _)| r[0] == "author@test.example").count(),
        1,
        "the decided one is not sent"
    );
    let cancelled: Vec<_> =
        ws.outbox().into_iter().filter(|n| n["rule"] == "move-request" && n["state"] == "cancelled").collect();
    assert_eq!(cancelled.len(), 1, "{cancelled:?}");
    assert_eq!(cancelled[0]["why"], "запрос на перенос уже рассмотрен");
}

/// With `attach_form`, an executor's message carries their report form for the week.
fn the_reminder_carries_the_report_form(backend: Backend) {
    let smtp = Smtp::start(0.0);
    // A school without an address, and the web app at a public address.
    let yaml = SMALL
        .replace("reject@", "broken@")
        .replace("executors: [school, broken]", "executors: [school, broken, silent]")
        .replace("  broken:", "  silent: {name: \"Школа без почты\", parent: uo}\n  broken:");
    let ws = Workspace::new(backend, &[("small.yaml", yaml)]);
    std::fs::write(
        ws.path().join("karta.toml"),
        "[notify]\nattach_form = true\n\n[web]\nbase_url = \"https://karta.example\"\n",
    )
    .expect("config");
    let out = ws.run(&["remind"], "2024-03-14T10:00:00+10:00", Some(&smtp.url()));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("без адреса e-mail, уведомления им не отправлены: 1 исполнитель — Школа без почты"),
        "{said}"
    );
    let received = smtp.received();
    let imc = received.iter().find(|(r, _)| r[0] == "imc@test.example").expect("a message to the IMC");
    let message = parse(&imc.1);
    assert_eq!(message.attachment_count(), 1, "the form");
    let form = message.attachment(0).expect("attachment");
    assert_eq!(mail_parser::MimeHeaders::attachment_name(form), Some("форма-imc-2024-03-14.xlsx"));
    let mut book: calamine::Xlsx<_> =
        calamine::Reader::new(std::io::Cursor::new(form.contents().to_vec())).expect("a workbook");
    let sheet = calamine::Reader::worksheet_range(&mut book, "Отчёт").expect("the report sheet");
    let ids: Vec<String> = (5..sheet.height() as u32)
        .filter_map(|r| sheet.get_value((r, 11)).map(|v| v.to_string()))
        .filter(|v| !v.is_empty())
        .collect();
    assert_eq!(ids, ["small/plan@2024-03-15", "small/report@2024-03-15"], "the IMC's two deadlines");
    assert_eq!(message.text_body_count(), 1, "the text stays");
    let text = message.body_text(0).expect("text");
    assert!(text.contains("Идентификатор: small/plan@2024-03-15"), "{text}");
    assert!(text.contains("Страница: https://karta.example/o/small%2Fplan%402024-03-15"), "{text}");
}

on_both_backends!(
    the_reminder_carries_the_report_form,
    a_move_request_reaches_the_authors,
    delivery_digest_and_rejection,
    hours_and_cancellation,
    overdue_escalation_and_digest,
    server_down_then_back,
    sigkill_loses_nothing,
    season_on_lazo,
    serve_runs_and_stops_on_sigterm,
);

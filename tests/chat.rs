//! Notices in messenger chats and replies from them (issue 29, item 2), through `karta remind`
//! and `karta inbox` against a stand-in of the Telegram Bot API and the MAX Bot API on loopback (`support::bots`; every MAX request is
//! validated against MAX's published OpenAPI document). Each test runs on both store backends.
//! Telegram and MAX themselves cannot be reached from the test machine: docs/notifications.md
//! says how to point karta at them.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use support::Backend;
use support::bots::{Answer, Bots, MAX_TOKEN, Posted, TELEGRAM_TOKEN};
use support::site::Site;

/// A Monday, 10:00 in Vladivostok: reminders, overdue notices and the weekly digests are due.
const MONDAY: &str = "2024-03-11T10:00:00+10:00";

const CHATS: &str = r#"kind: roadmap
id: chats
title: "Дорожная карта проверки уведомлений в мессенджерах"
period: {from: 2024-01-01, to: 2024-12-31}
timezone: Asia/Vladivostok
controller: uo
executors:
  uo: {name: "Управление образования", email: uo@test.example}
  imc: {name: "Информационно-методический центр", short: "ИМЦ <района> & «школ»", telegram: -1001234567890}
  school: {name: "Школа № 1", email: school@test.example, max: -69312345678}
groups:
  district: {name: "Школы района", members: [imc, school], telegram: "@district_chat"}
sections:
  - title: "Раздел"
    activities:
      - id: plan
        title: "Разработка плана <мероприятий> & «графика»"
        executors: [imc]
        due: до 1 марта 2024 г.
      - id: survey
        title: "Анкетирование педагогов"
        executors: [school]
        due: до 12 марта 2024 г.
"#;

struct Workspace {
    dir: tempfile::TempDir,
    db: String,
}

impl Workspace {
    fn new(backend: Backend, roadmap: &str, toml: &str) -> Workspace {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = backend.db(dir.path());
        std::fs::create_dir_all(dir.path().join("roadmaps")).expect("mkdir");
        std::fs::write(dir.path().join("roadmaps/chats.yaml"), roadmap).expect("write roadmap");
        std::fs::write(dir.path().join("karta.toml"), toml).expect("write karta.toml");
        Workspace { dir, db }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, args: &[&str], now: &str, bots: Option<&Bots>) -> Command {
        let mut cmd = support::karta_in(self.path(), &self.db);
        cmd.args(args).args(["--now", now]);
        if let Some(bots) = bots {
            bots.reached_by(&mut cmd);
        }
        cmd
    }

    fn run(&self, args: &[&str], now: &str, bots: Option<&Bots>) -> Output {
        self.command(args, now, bots).output().expect("run karta")
    }

    fn remind(&self, now: &str, bots: &Bots) -> Output {
        let out = self.run(&["remind"], now, Some(bots));
        assert!(out.status.success(), "remind failed:\n{}", String::from_utf8_lossy(&out.stderr));
        out
    }

    /// The notices of the outbox (JSON lines).
    fn outbox(&self) -> Vec<serde_json::Value> {
        let out = self.run(&["outbox", "--format", "json"], "2030-01-01", None);
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("json line")).collect()
    }
}

fn by_chat(posted: &[Posted]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in posted {
        // Numbers stand before their words with a no-break space; compared as spaces here.
        out.entry(format!("{}:{}", p.api, p.chat)).or_default().push(p.text.replace('\u{a0}', " "));
    }
    out
}

/// Three chats, each told what the directory and the rules give it: the ИМЦ its overdue plan
/// (Telegram), the school its reminder (MAX), the district's group its weekly digest (Telegram
/// channel); e-mail goes on beside them. Names and titles are escaped for the HTML mode.
fn three_chats(backend: Backend) {
    let bots = Bots::start(Duration::ZERO);
    let ws = Workspace::new(backend, CHATS, "");
    let out = ws.remind(MONDAY, &bots);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("Telegram") && said.contains("MAX"), "the ways out are named: {said}");
    assert_eq!(bots.violations(), Vec::<String>::new());
    let chats = by_chat(&bots.posted());
    assert_eq!(
        chats.keys().map(String::as_str).collect::<Vec<_>>(),
        ["max:-69312345678", "telegram:-1001234567890", "telegram:@district_chat"],
        "{chats:#?}"
    );
    let imc = &chats["telegram:-1001234567890"];
    assert_eq!(imc.len(), 1);
    assert!(imc[0].contains("<b>Просрочено на 10 дней</b>"), "{}", imc[0]);
    assert!(imc[0].contains("«Разработка плана &lt;мероприятий&gt; &amp; «графика»»"), "{}", imc[0]);
    let school = &chats["max:-69312345678"];
    assert!(
        school[0].contains("<b>Напоминание</b>: через 1 день") && school[0].contains("Анкетирование"),
        "{}",
        school[0]
    );
    let district = &chats["telegram:@district_chat"];
    assert!(
        district[0].contains("<b>Сводка на неделю</b> для «Школы района»: просрочено 1, срок в ближайшие 7 дней — 1")
    );
    assert!(district[0].contains("– ИМЦ &lt;района&gt; &amp; «школ»: Разработка плана"), "{}", district[0]);
    // E-mail is untouched: the school and the controller still get theirs, as files here.
    let emails = std::fs::read_dir(ws.path().join("outbox")).expect("outbox dir").count();
    assert!(emails >= 2, "{emails} e-mails");
    // A second run the same day sends nothing again.
    ws.remind(MONDAY, &bots);
    assert_eq!(bots.posted().len(), 3);
    let outbox = ws.outbox();
    let to_chats: Vec<_> = outbox.iter().filter(|n| n["recipient"].as_str().is_some_and(|r| r.contains(':'))).collect();
    assert_eq!(to_chats.len(), 3, "{to_chats:#?}");
    assert!(to_chats.iter().all(|n| n["state"] == "sent"), "{to_chats:#?}");
}

/// A 429 is a wait, not a failure: the message goes when the API said, and the API is not asked
/// again in the meantime (Telegram's `retry_after` in the body, MAX's `Retry-After` header).
fn too_many_requests_wait(backend: Backend) {
    let bots = Bots::start(Duration::ZERO);
    let ws = Workspace::new(backend, CHATS, "");
    bots.script(&[Answer::TooMany(7), Answer::TooMany(7)]);
    ws.remind(MONDAY, &bots);
    // The two APIs said 429 once each; the second Telegram chat was held, not asked.
    assert_eq!(bots.requests(), 2, "{:?}", bots.posted());
    assert!(bots.posted().is_empty());
    let waiting = ws.outbox();
    assert!(
        waiting
            .iter()
            .filter(|n| n["recipient"].as_str().is_some_and(|r| r.contains(':')))
            .all(|n| n["state"] == "sending")
    );
    ws.remind("2024-03-11T10:00:03+10:00", &bots);
    assert_eq!(bots.requests(), 2, "asked again before the wait was over");
    ws.remind("2024-03-11T10:00:08+10:00", &bots);
    assert_eq!(by_chat(&bots.posted()).len(), 3);
    assert_eq!(bots.posted().len(), 3);
    assert_eq!(bots.violations(), Vec::<String>::new());
}

/// A server down (502) and one that does not answer in time are retried later with backoff, and
/// the token shows nowhere: not in the output, not in the outbox's errors.
fn down_slow_and_the_token_never_shown(backend: Backend) {
    let bots = Bots::start(Duration::ZERO);
    let ws = Workspace::new(backend, CHATS, "[notify]\nbot_timeout_seconds = 1\n");
    bots.script(&[Answer::Down, Answer::Hang(Duration::from_secs(3))]);
    let out = ws.remind(MONDAY, &bots);
    let first = bots.posted().len();
    assert_eq!(first, 1, "the third chat went, the other two were retried: {:?}", bots.posted());
    let shown = format!(
        "{}{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&ws.run(&["outbox"], MONDAY, None).stdout)
    );
    for token in [TELEGRAM_TOKEN, MAX_TOKEN] {
        assert!(!shown.contains(token), "the token is shown:\n{shown}");
    }
    // Backoff: a minute after the first failed attempt.
    ws.remind("2024-03-11T10:02:00+10:00", &bots);
    assert_eq!(by_chat(&bots.posted()).len(), 3, "{:?}", bots.posted());
    // A wrong token: refused (Telegram answers 404), retried, and still never shown.
    let ws = Workspace::new(backend, CHATS, "");
    let mut cmd = ws.command(&["remind"], MONDAY, Some(&bots));
    cmd.env("KARTA_TELEGRAM_TOKEN", "999:wrong-token-also-secret").env("RUST_LOG", "debug");
    let out = cmd.output().expect("run");
    let shown = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let listed = String::from_utf8_lossy(&ws.run(&["outbox", "--format", "json"], MONDAY, None).stdout).to_string();
    assert!(!shown.contains("wrong-token") && !listed.contains("wrong-token"), "{shown}\n{listed}");
    assert!(shown.contains("Telegram ответил 404"), "the refusal is told: {shown}");
}

/// A digest longer than a message is split between lines within each API's limit, the parts in
/// order, nothing lost: 150 overdue activities of one school, its district's chats in both (the
/// digest lists 100 of the 152 items owed and counts the other 52).
fn long_digests_split(backend: Backend) {
    let bots = Bots::start(Duration::ZERO);
    let mut roadmap =
        CHATS.replace(r#"telegram: "@district_chat"}"#, r#"telegram: "@district_chat", max: -70000000001}"#);
    for i in 0..150 {
        roadmap += &format!(
            "      - id: long-{i}\n        title: \"Мероприятие номер {i} с длинным названием для проверки деления сводки на части\"\n        executors: [school]\n        due: до {} февраля 2024 г.\n",
            i % 28 + 1
        );
    }
    let ws = Workspace::new(backend, &roadmap, "");
    ws.remind(MONDAY, &bots);
    assert_eq!(bots.violations(), Vec::<String>::new());
    let chats = by_chat(&bots.posted());
    for (chat, limit) in [("telegram:@district_chat", 4096), ("max:-70000000001", 4000)] {
        let parts = &chats[chat];
        assert!(parts.len() >= 3, "{chat}: {} parts", parts.len());
        for part in parts {
            assert!(part.encode_utf16().count() <= limit, "{chat}: a part over {limit}");
        }
        assert!(parts[0].contains("<b>Сводка на неделю</b>"), "the heading first");
        assert!(parts.last().is_some_and(|p| p.contains("… и ещё 52")), "the count of the rest last");
        let listed = parts.iter().map(|p| p.matches("\n– ").count() + usize::from(p.starts_with("– "))).sum::<usize>();
        assert_eq!(listed, 100, "{chat}: every listed item arrived once");
        // The longest overdue first: the parts arrived in order.
        let days: Vec<i64> = parts
            .iter()
            .flat_map(|p| p.lines())
            .filter_map(|l| l.split("просрочено на ").nth(1))
            .filter_map(|d| d.split(' ').next()?.parse().ok())
            .collect();
        assert!(days.windows(2).all(|w| w[0] >= w[1]), "{chat}: out of order: {days:?}");
    }
}

/// Killed at random points, the sender loses no chat message and repeats one only when the API
/// had taken it just before the kill (the window e-mail has too): counted per chat.
#[cfg(unix)]
fn sigkill_loses_nothing(backend: Backend) {
    let bots = Bots::start(Duration::from_millis(20));
    let mut roadmap = CHATS.to_string();
    let executors: String =
        (0..30).map(|i| format!("  s{i}: {{name: \"Школа № {}\", telegram: {}}}\n", i + 10, -1_000_000 - i)).collect();
    roadmap = roadmap.replace("groups:\n", &format!("{executors}groups:\n"));
    for i in 0..30 {
        roadmap += &format!(
            "      - id: task-{i}\n        title: \"Отчёт школы {i}\"\n        executors: [s{i}]\n        due: до 1 марта 2024 г.\n"
        );
    }
    let ws = Workspace::new(backend, &roadmap, "");
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut random = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut kills = 0;
    // Working days: an overdue notice to every school each day.
    let days = ["11", "12", "13", "14", "15", "18", "19", "20", "21", "22", "25", "26"];
    for day in days {
        let now = format!("2024-03-{day}T10:00:00+10:00");
        let mut child = ws
            .command(&["remind"], &now, Some(&bots))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(150 + random() % 600));
        if child.try_wait().expect("wait").is_none() {
            let _ = child.kill();
            kills += 1;
        }
        let _ = child.wait();
        ws.remind(&now, &bots);
    }
    assert!(kills >= 5, "only {kills} runs were killed mid-way");
    let outbox = ws.outbox();
    let lost: Vec<_> = outbox.iter().filter(|n| n["state"] != "sent" && n["state"] != "cancelled").collect();
    assert!(lost.is_empty(), "lost: {lost:#?}");
    let mut messages: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for n in &outbox {
        if let (Some(to), Some(id)) = (n["recipient"].as_str(), n["message_id"].as_str())
            && to.contains(':')
        {
            messages.entry(to.to_string()).or_default().insert(id.to_string());
        }
    }
    let posted = by_chat(&bots.posted());
    let mut duplicates = 0;
    for (chat, ids) in &messages {
        let got = posted.get(chat).map_or(0, Vec::len);
        assert!(got >= ids.len(), "{chat}: {got} posted of {} messages", ids.len());
        duplicates += got - ids.len();
    }
    eprintln!(
        "{kills} kills, {} chat messages, {duplicates} posted twice",
        messages.values().map(BTreeSet::len).sum::<usize>()
    );
    assert!(duplicates <= kills, "{duplicates} duplicates for {kills} kills");
    assert_eq!(bots.violations(), Vec::<String>::new());
}

/// Without a token, chat messages are written to files in the outbox directory, as e-mail is
/// without SMTP; a chat id that is not one is a located error in Russian.
fn files_without_a_token_and_bad_chat_ids(backend: Backend) {
    let ws = Workspace::new(backend, CHATS, "");
    let out = ws.run(&["remind"], MONDAY, None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let names: Vec<String> = std::fs::read_dir(ws.path().join("outbox"))
        .expect("outbox dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.iter().filter(|n| n.ends_with(".telegram.html")).count(), 2, "{names:?}");
    assert_eq!(names.iter().filter(|n| n.ends_with(".max.html")).count(), 1, "{names:?}");
    let broken = Workspace::new(backend, &CHATS.replace("max: -69312345678", "max: \"@school_one\""), "");
    let out = broken.run(&["check"], MONDAY, None);
    let said = String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("chats.yaml:10:"), "located: {said}");
    assert!(said.contains("недопустимый идентификатор чата `@school_one`"), "{said}");
}

/// `chat_rules` says which notices go to chats: with only the group digest named, the executors'
/// chats hear nothing, their e-mail still does, and the group's channel gets its digest.
fn chat_rules_choose_what_goes_to_chats(backend: Backend) {
    let bots = Bots::start(Duration::ZERO);
    let ws = Workspace::new(backend, CHATS, "[notify]\nchat_rules = [\"group-digest\"]\n");
    ws.remind(MONDAY, &bots);
    let chats = by_chat(&bots.posted());
    assert_eq!(chats.keys().map(String::as_str).collect::<Vec<_>>(), ["telegram:@district_chat"], "{chats:#?}");
    let emails = std::fs::read_dir(ws.path().join("outbox")).expect("outbox dir").count();
    assert!(emails >= 2, "{emails} e-mails");
}

/// A site over the chats roadmap at MONDAY, with the coordinator bound to the ИМЦ and the school.
fn site(backend: Backend) -> Site {
    let edit = |roadmaps: &Path| {
        for entry in std::fs::read_dir(roadmaps).expect("roadmaps") {
            std::fs::remove_file(entry.expect("entry").path()).expect("remove");
        }
        std::fs::write(roadmaps.join("chats.yaml"), CHATS).expect("write roadmap");
    };
    let site = Site::with(backend, edit, karta::web::Config::default()).at(at(MONDAY));
    site.store().bind("coordinator", &["imc".into(), "school".into()]).expect("bind");
    site
}

fn at(instant: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(instant).expect("instant")
}

/// `karta ARGS --now MONDAY` in the site's workspace, with the bots.
fn karta_at(site: &Site, bots: &Bots, args: &[&str]) -> String {
    let mut cmd = support::karta_in(site.dir.path(), &site.db);
    cmd.args(args).args(["--now", MONDAY]);
    let out = bots.reached_by(&mut cmd).output().expect("run karta");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "karta {args:?} failed:\n{said}");
    said
}

/// The linking code the web app shows the signed-in coordinator.
fn code_from_the_page(site: &Site, runtime: &tokio::runtime::Runtime) -> String {
    let who = site.who("coordinator");
    let (status, html) = runtime.block_on(site.form(&who, "/me/chats/code", &[("_csrf", &who.csrf)]));
    assert_eq!(status, 200, "{html}");
    let start =
        html.find("<output id=\"link-code\">").expect("the code on the page") + "<output id=\"link-code\">".len();
    html[start..start + 9].to_string()
}

/// What the bot answered to message `id`.
fn answer_to(bots: &Bots, id: &str) -> String {
    let posted = bots.posted();
    let answers: Vec<&Posted> = posted.iter().filter(|p| p.answers.as_deref() == Some(id)).collect();
    assert_eq!(answers.len(), 1, "one answer to {id}: {posted:#?}");
    answers[0].text.clone()
}

/// Replies in the chats: a reply to karta's message in a chat records the report when its writer
/// is linked to an account that may report on it (linked by the one-time code from the web
/// app's «Мессенджеры» page, sent to the bot, or opened as MAX's start link); an unlinked
/// writer, a wrong or spent code each record nothing and get their answer, as a reply, in the
/// chat; a chat message read again records nothing twice; talk that replies to nothing of
/// karta's is left alone. Through Telegram and MAX both.
fn replies_from_chats(backend: Backend) {
    let bots = Bots::start(Duration::ZERO);
    let site = site(backend);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    karta_at(&site, &bots, &["remind"]);
    let posted = bots.posted();
    let post =
        |api: &str, chat: &str| posted.iter().find(|p| p.api == api && p.chat == chat).expect("posted").id.clone();
    let (plan, survey) = (post("telegram", "-1001234567890"), post("max", "-69312345678"));
    let events = || site.store().events().expect("events");

    // Unlinked: refused, answered in the chat as a reply.
    let unlinked = bots.telegram_says(-1001234567890, 777, "Анна", "Исполнено, план утверждён", Some(&plan));
    // Talk in the group that replies to nothing of karta's: left alone.
    bots.telegram_says(-1001234567890, 778, "Пётр", "Коллеги, добрый день", None);
    let said = karta_at(&site, &bots, &["inbox"]);
    assert!(said.contains("отклонено с ответом: 1, пропущено: 1"), "{said}");
    assert!(answer_to(&bots, &unlinked).contains("не привязана"), "{}", answer_to(&bots, &unlinked));
    assert!(events().is_empty());

    // A wrong code, then the page's code: linked; the same code again is spent.
    let wrong = bots.telegram_says(777, 777, "Анна", "/start ABCD-EFGH", None);
    karta_at(&site, &bots, &["inbox"]);
    assert!(answer_to(&bots, &wrong).contains("Код привязки неверен"), "{}", answer_to(&bots, &wrong));
    let code = code_from_the_page(&site, &runtime);
    let linking = bots.telegram_says(777, 777, "Анна", &format!("/start {code}"), None);
    let said = karta_at(&site, &bots, &["inbox"]);
    assert!(said.contains("привязано: 1"), "{said}");
    assert!(answer_to(&bots, &linking).contains("«Пользователь coordinator» (coordinator)"));
    let again = bots.telegram_says(777, 777, "Анна", &code, None);
    karta_at(&site, &bots, &["inbox"]);
    assert!(answer_to(&bots, &again).contains("Код привязки неверен"));
    let (_, page) = runtime.block_on(site.get(Some(&site.who("coordinator")), "/me/chats"));
    assert!(page.contains("<td>Telegram</td><td>Анна</td>"), "{page}");

    // Linked: the reply is the coordinator's report, confirmed in the chat.
    let done = bots.telegram_says(-1001234567890, 777, "Анна", "Исполнено, план утверждён", Some(&plan));
    karta_at(&site, &bots, &["inbox"]);
    let recorded = events();
    assert_eq!(recorded.len(), 1, "{recorded:#?}");
    let event = &recorded[0].event;
    assert_eq!(event.occurrence.as_deref(), Some("chats/plan@2024-03-01"));
    assert_eq!(event.author, "coordinator");
    assert!(matches!(event.action, karta::track::Action::Done { .. }), "{:?}", event.action);
    assert_eq!(event.note.as_deref(), Some("Исполнено, план утверждён"));
    assert!(answer_to(&bots, &done).starts_with("Записано:"), "{}", answer_to(&bots, &done));

    // Read again from the start (a crash before the cursor was kept): nothing twice.
    site.store().set_cursor("telegram", "0").expect("cursor");
    let before = bots.posted().len();
    let said = karta_at(&site, &bots, &["inbox"]);
    assert!(said.contains("ответов принято: 0, отклонено с ответом: 0, пропущено: 6"), "{said}");
    assert_eq!(events().len(), 1);
    assert_eq!(bots.posted().len(), before, "nothing answered twice");

    // MAX: unlinked refused; linked by the start link's payload; then recorded.
    let stranger = bots.max_says(-69312345678, 31, "Ольга", "исполнено", Some(&survey));
    karta_at(&site, &bots, &["inbox"]);
    assert!(answer_to(&bots, &stranger).contains("не привязана"));
    bots.max_started(31, "Ольга", &code_from_the_page(&site, &runtime));
    let said = karta_at(&site, &bots, &["inbox"]);
    assert!(said.contains("привязано: 1"), "{said}");
    let done = bots.max_says(-69312345678, 31, "Ольга", "Выполнено 10.03", Some(&survey));
    karta_at(&site, &bots, &["inbox"]);
    let recorded = events();
    assert_eq!(recorded.len(), 2, "{recorded:#?}");
    assert_eq!(recorded[1].event.occurrence.as_deref(), Some("chats/survey@2024-03-12"));
    assert_eq!(
        recorded[1].event.action,
        karta::track::Action::Done { on: chrono::NaiveDate::from_ymd_opt(2024, 3, 10).expect("date") }
    );
    assert!(answer_to(&bots, &done).starts_with("Записано:"));
    assert_eq!(bots.violations(), Vec::<String>::new());
}

on_both_backends!(
    replies_from_chats,
    three_chats,
    chat_rules_choose_what_goes_to_chats,
    too_many_requests_wait,
    down_slow_and_the_token_never_shown,
    long_digests_split,
    sigkill_loses_nothing,
    files_without_a_token_and_bad_chat_ids,
);

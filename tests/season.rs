//! A scripted season on the Lazo roadmap: reports arrive over months with `--now` advancing,
//! into a real store (each test runs on SQLite and on PostgreSQL), and `karta status` is asked about five instants — after the whole
//! season is recorded, so every answer must ignore what was recorded later. The expected
//! figures are written out here; they were worked out from `karta plan` and the rules of
//! docs/tracking.md, not copied from karta's output. Then bad input: refused, located, nothing
//! written.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{Backend, Run, Test};

const LAZO: &str = "lazo-2023-2024";

fn seed(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("roadmaps").join(name)).expect("seed roadmap")
}

/// A temp dir holding only the Lazo roadmap and the directory it includes. Running `args` in
/// it with the default roadmaps (`roadmaps/`) creates the store: with SQLite, the default
/// `karta.db` there; with PostgreSQL, a new database (its URL is kept in the directory's
/// `store` file). The returned run keeps the directory alive until it is dropped.
fn season(backend: Backend, args: &[&str]) -> Run {
    let db = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(support::pg::database()),
    };
    let mut test = Test::new()
        .file("roadmaps/lazo-2023-2024.yaml", seed("lazo-2023-2024.yaml"))
        .file("roadmaps/khabarovsk-directory.yaml", seed("khabarovsk-directory.yaml"))
        .file("store", db.clone().unwrap_or_else(|| "karta.db".into()));
    if let Some(url) = &db {
        test = test.env("KARTA_DB", url);
    }
    let run = test.args(args.iter().copied()).run();
    run.succeeds();
    if db.is_none() {
        assert!(run.dir.join("karta.db").is_file(), "the default database is karta.db in the working directory");
    }
    run
}

/// The season's store, as `--db` takes it.
fn store(home: &Path) -> String {
    let db = std::fs::read_to_string(home.join("store")).expect("the season's store");
    if db.starts_with("postgres") { db } else { home.join(db).display().to_string() }
}

/// A command against the season's roadmaps and database, at the instant `now`.
fn at(home: &Path, now: &str) -> Test {
    Test::new()
        .env("KARTA_DB", &store(home))
        .env("KARTA_ROADMAPS", &home.join("roadmaps").display().to_string())
        .args(["--now", now])
}

/// Records an event and returns its number.
fn record(home: &Path, now: &str, args: &[&str]) -> i64 {
    let run = at(home, now).args(args.iter().copied()).args(["--format", "json"]).run();
    run.succeeds();
    let out: Value = serde_json::from_str(&run.stdout()).expect("JSON");
    out["id"].as_i64().expect("event id")
}

fn status(home: &Path, now: &str) -> Value {
    let run = at(home, now).args(["status", "--roadmap", LAZO, "--format", "json"]).run();
    run.succeeds();
    serde_json::from_str(&run.stdout()).expect("JSON")
}

fn export(home: &Path) -> String {
    let run = at(home, "2024-08-31T12:00:00+10:00").args(["export"]).run();
    run.succeeds();
    run.stdout()
}

/// The roll-up of the roadmap: `states` in the order planned, open, due_soon, overdue,
/// done_on_time, done_late, cancelled; then at risk, due (overdue + done late + done on time)
/// and done on time. Discipline is done on time / due.
fn assert_rollup(s: &Value, when: &str, states: [u64; 7], at_risk: u64, due: u64, on_time: u64) {
    let names = ["planned", "open", "due_soon", "overdue", "done_on_time", "done_late", "cancelled"];
    assert_eq!(s["roadmaps"].as_array().map(Vec::len), Some(1), "{when}: one roadmap");
    let r = &s["roadmaps"][0];
    assert_eq!(r["key"], LAZO, "{when}");
    assert_eq!(r["total"], 118, "{when}: every dated occurrence of the roadmap");
    assert_eq!(states.iter().sum::<u64>(), 118, "{when}: the expected states add up");
    // "overdue" here is all late work: no report (`overdue`) and reported not done (`not_done`).
    let count = |n: &str| r["states"][n].as_u64().unwrap_or(0);
    let got: Vec<u64> =
        names.iter().map(|n| if *n == "overdue" { count("overdue") + count("not_done") } else { count(n) }).collect();
    assert_eq!(got, states, "{when}: states {names:?}\n{}", r["states"]);
    // Late work reported not done or partly done is `not_done`; late work with no report is not.
    let list = s["occurrences"].as_array().expect("occurrences");
    let reported = |o: &&Value| !o["not_done_reason"].is_null() || !o["percent"].is_null();
    let late: Vec<&Value> = list.iter().filter(|o| o["state"] == "overdue" || o["state"] == "not_done").collect();
    assert_eq!(
        late.iter().filter(|o| reported(o)).count() as u64,
        count("not_done"),
        "{when}: the late occurrences with a report are the ones not done"
    );
    assert!(late.iter().all(|o| (o["state"] == "not_done") == reported(o)), "{when}: no report ⇔ overdue");
    assert_eq!(r["at_risk"], at_risk, "{when}: at risk");
    assert_eq!(r["due"], due, "{when}: due");
    assert_eq!(r["done_on_time"], on_time, "{when}: done on time");
    let discipline = r["discipline"].as_f64().expect("discipline");
    assert!((discipline - on_time as f64 / due as f64).abs() < 1e-9, "{when}: discipline {discipline}");
}

fn occurrence<'a>(s: &'a Value, id: &str) -> &'a Value {
    let id = format!("{LAZO}/{id}");
    s["occurrences"]
        .as_array()
        .and_then(|l| l.iter().find(|o| o["id"] == id.as_str()))
        .unwrap_or_else(|| panic!("no {id} in the status"))
}

/// One expected occurrence: id, state, days (overdue or late), due date in force, original due
/// date (after a move), completion date.
type Expected<'a> = (&'a str, &'a str, Option<i64>, &'a str, Option<&'a str>, Option<&'a str>);

fn assert_occurrences(s: &Value, when: &str, expected: &[Expected<'_>]) {
    for &(id, state, days, due, original, done) in expected {
        let o = occurrence(s, id);
        let got = (
            o["state"].as_str(),
            o["days"].as_i64(),
            o["due_date"].as_str(),
            o["original_due"].as_str(),
            o["done_on"].as_str(),
        );
        assert_eq!(got, (Some(state), days, Some(due), original, done), "{when}: {id}\n{o}");
    }
}

fn at_risk(s: &Value) -> Vec<String> {
    s["occurrences"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|o| o["at_risk"] == true)
        .map(|o| o["id"].as_str().unwrap_or_default().trim_start_matches("lazo-2023-2024/").to_string())
        .collect()
}

/// The district's December spreadsheet as Excel saves it: UTF-8 with BOM, `;`, CRLF, Russian
/// headers, DD.MM.YYYY. Rows name an activity with its due date, or an occurrence id.
const DECEMBER: &str = "\u{feff}Мероприятие;Срок;Исполнитель;Статус;Дата выполнения;Процент;Причина;Комментарий;Подтверждение;Кто;Код срока\r\n\
students-1;03.12.2023;teachers;выполнено;02.12.2023;;;практикум по химии;https://school.example/praktikum-1.pdf;Петрова А.А.;\r\n\
students-1;10.12.2023;teachers;выполнено;11.12.2023;;;;;Петрова А.А.;\r\n\
students-2;21.11.2023;teachers;частично;;60 %;;проведено по двум предметам из четырёх;;Петрова А.А.;\r\n\
students-3;28.11.2023;;не выполнено;;;карантин по гриппу;;;Петрова А.А.;\r\n\
lazo-2023-2024/method-6;30.11.2023;;выполнено;29.11.2023;;;обучено 18 учителей;;Сидоров И.И.;\r\n\
method-1;03.12.2023;;Выполнено;03.12.2023;;;;;;\r\n\
;;;выполнено;19.11.2023;;;;;Сидоров И.И.;lazo-2023-2024/method-1@2023-11-19\r\n";

const IMC: &str = "МБУ «ИМЦ»";
const UO: &str = "Иванова Н.П.";
const CONTROLLER: &str = "Черепанов Д.Г.";

fn a_scripted_season_on_the_lazo_roadmap(backend: Backend) {
    // Early October: the weekly webinars (method-1) are reported partly, one a day late.
    let home_run = season(
        backend,
        &[
            "partial",
            "lazo-2023-2024/method-1@2023-10-08",
            "--percent",
            "50",
            "--note",
            "вебинар посетили 7 учителей из 14",
            "--by",
            IMC,
            "--now",
            "2023-10-09T10:00:00+10:00",
        ],
    );
    let home = home_run.dir.as_path();
    let roadmaps = home.join("roadmaps").display().to_string();
    let plan = Test::new().args(["plan", roadmaps.as_str(), "--roadmap", LAZO, "--format", "json"]).run();
    plan.succeeds();
    let plan: Value = serde_json::from_str(&plan.stdout()).expect("JSON");
    assert_eq!(plan["summary"]["occurrences"], 118);

    let now = "2023-10-09T10:05:00+10:00";
    record(home, now, &["done", "method-1", "--occurrence", "2023-10-01", "--on", "2023-10-02", "--by", IMC]);

    // 16.10: org-1 and org-2 done, org-3 only partly; a webinar done a day early.
    let now = "2023-10-16T11:00:00+10:00";
    let org1 = record(
        home,
        now,
        &[
            "done",
            "org-1",
            "--on",
            "2023-10-16",
            "--evidence",
            "https://lazo.example/prikaz-395.pdf",
            "--note",
            "приказ от 16.10.2023 № 395",
            "--by",
            UO,
        ],
    );
    let now = "2023-10-16T11:05:00+10:00";
    let org2 = record(home, now, &["done", "lazo-2023-2024/org-2@2023-10-17", "--on", "2023-10-16", "--by", UO]);
    let now = "2023-10-16T11:10:00+10:00";
    record(home, now, &["partial", "org-3", "--percent", "80", "--note", "не назначены координаторы", "--by", UO]);
    let now = "2023-10-16T11:15:00+10:00";
    record(home, now, &["done", "method-1", "--occurrence", "2023-10-15", "--on", "2023-10-14", "--by", IMC]);

    // The controller accepts org-1 and rejects org-2; org-3 is done three days late; the
    // September meeting (before the roadmap was approved) is cancelled by order.
    record(home, "2023-10-18T09:00:00+10:00", &["accept", "org-1", "--by", CONTROLLER]);
    let reject =
        ["reject", "lazo-2023-2024/org-2@2023-10-17", "--reason", "нет организационных документов", "--by", CONTROLLER];
    let rejected = record(home, "2023-10-18T09:10:00+10:00", &reject);
    record(home, "2023-10-20T15:00:00+10:00", &["done", "org-3", "--on", "2023-10-20", "--by", UO]);
    let cancel =
        ["cancel", "lazo-2023-2024/org-6@2023-09-27", "--document", "приказ от 20.10.2023 № 402", "--by", CONTROLLER];
    record(home, "2023-10-20T15:30:00+10:00", &cancel);
    // org-2 re-reported after the rejection: six days late.
    let redone = record(
        home,
        "2023-10-23T10:00:00+10:00",
        &["done", "lazo-2023-2024/org-2@2023-10-17", "--on", "2023-10-23", "--by", UO],
    );
    let now = "2023-10-23T12:00:00+10:00";
    record(home, now, &["partial", "method-1", "--occurrence", "2023-10-22", "--percent", "30", "--by", IMC]);
    // A mistaken report, taken back two days later.
    let mistake = record(home, "2023-10-24T12:00:00+10:00", &["done", "method-12", "--on", "2023-10-24", "--by", IMC]);
    let undo = record(
        home,
        "2023-10-26T09:00:00+10:00",
        &["undo", &mistake.to_string(), "--reason", "ошибочная отметка: диагностика ещё не проведена", "--by", IMC],
    );
    let now = "2023-10-26T09:30:00+10:00";
    record(home, now, &["done", "org-6", "--occurrence", "2023-10-25", "--on", "2023-10-25", "--by", UO]);
    let now = "2023-10-30T10:00:00+10:00";
    record(
        home,
        now,
        &["done", "students-1", "--occurrence", "2023-10-29", "--on", "2023-10-28", "--by", "Петрова А.А."],
    );

    // The end of October as seen on the day, before anything later is recorded.
    let october_live = status(home, "2023-10-31T18:00:00+10:00");

    // November–December: two deadlines moved by the controller, a late meeting, a "not done",
    // the district's spreadsheet.
    let move_org4 = [
        "move",
        "org-4",
        "--to",
        "2023-12-01",
        "--reason",
        "кандидатура согласуется с ХК ИРО",
        "--approved-by",
        CONTROLLER,
        "--by",
        CONTROLLER,
    ];
    record(home, "2023-11-10T10:00:00+10:00", &move_org4);
    let move_method5 = [
        "move",
        "lazo-2023-2024/method-5@2023-11-30",
        "--to",
        "2023-12-20",
        "--reason",
        "семинар совмещён с совещанием руководителей",
        "--approved-by",
        CONTROLLER,
        "--by",
        CONTROLLER,
    ];
    record(home, "2023-11-27T10:00:00+10:00", &move_method5);
    record(home, "2023-11-28T10:00:00+10:00", &["done", "org-4", "--on", "2023-11-28", "--by", IMC]);
    let now = "2023-12-04T10:00:00+10:00";
    record(home, now, &["done", "org-6", "--occurrence", "2023-11-29", "--on", "2023-12-04", "--by", UO]);
    let not_done =
        ["not-done", "method-2", "--occurrence", "2023-11-07", "--reason", "интенсив ХК ИРО не состоялся", "--by", IMC];
    record(home, "2023-12-05T10:00:00+10:00", &not_done);
    let import = at(home, "2023-12-12T16:00:00+10:00")
        .file("отчёт-декабрь.csv", DECEMBER)
        .args(["import", "отчёт-декабрь.csv", "--by", IMC])
        .run();
    import.succeeds();
    assert!(import.stdout().contains("импортировано 7 отметок из отчёт-декабрь.csv"), "{}", import.stdout());

    // 2024: the diagnostic finally done (48 days late), meetings reported, the moved seminar
    // done in April; the December meeting is never reported.
    record(home, "2023-12-20T10:00:00+10:00", &["done", "method-12", "--on", "2023-12-18", "--by", IMC]);
    let meeting = |recorded: &str, date: &str| {
        record(home, recorded, &["done", "org-6", "--occurrence", date, "--on", date, "--by", UO]);
    };
    meeting("2024-02-01T10:00:00+10:00", "2024-01-31");
    meeting("2024-02-29T10:00:00+10:00", "2024-02-28");
    meeting("2024-03-28T10:00:00+10:00", "2024-03-27");
    // The seminar's occurrence is named by its planned date, not the date it was moved to.
    let now = "2024-04-10T10:00:00+10:00";
    record(home, now, &["done", "method-5", "--occurrence", "2023-11-30", "--on", "2024-04-10", "--by", IMC]);
    meeting("2024-04-25T10:00:00+10:00", "2024-04-24");
    meeting("2024-05-30T10:00:00+10:00", "2024-05-29");
    meeting("2024-06-27T10:00:00+10:00", "2024-06-26");

    // Every instant is asked after the whole season is recorded.

    // 10.10.2023 18:00. Overdue: the September meeting (its cancellation comes on 20.10),
    // students-1@01.10, method-2@07.10, method-1@08.10 (a partial report does not close it),
    // students-1@08.10. Done late: method-1@01.10. Due within 7 days: org-1, org-2, org-3
    // (17.10), method-3@14.10, method-1@15.10, students-1@15.10.
    let s = status(home, "2023-10-10T18:00:00+10:00");
    assert_rollup(&s, "10.10.2023", [89, 17, 6, 5, 0, 1, 0], 0, 6, 0);
    assert_eq!(s["roadmaps"][0]["discipline"], 0.0);
    assert_occurrences(
        &s,
        "10.10.2023",
        &[
            ("org-6@2023-09-27", "overdue", Some(13), "2023-09-27", None, None),
            ("method-1@2023-10-01", "done_late", Some(1), "2023-10-01", None, Some("2023-10-02")),
            ("method-1@2023-10-08", "not_done", Some(2), "2023-10-08", None, None),
            ("org-1@2023-10-17", "due_soon", None, "2023-10-17", None, None),
            ("org-2@2023-10-17", "due_soon", None, "2023-10-17", None, None),
            ("org-4@2023-11-15", "open", None, "2023-11-15", None, None),
            ("method-12@2023-10-31", "open", None, "2023-10-31", None, None),
            ("method-4@2023-11-03", "planned", None, "2023-11-03", None, None),
        ],
    );
    assert_eq!(occurrence(&s, "method-1@2023-10-08")["percent"], 50);
    assert_eq!(occurrence(&s, "org-6@2023-09-27")["working_days"], 9);
    assert!(at_risk(&s).is_empty());

    // 31.10.2023 18:00 — the same picture as on the day. org-2: rejected, re-reported 23.10
    // (6 days late); org-3 done 20.10 (3 late); method-12's mistaken report is taken back, so it
    // is due today; org-4's move (recorded 10.11) is not known yet.
    let s = status(home, "2023-10-31T18:00:00+10:00");
    assert_eq!(s, october_live, "status as of 31.10 must ignore everything recorded after it");
    assert_rollup(&s, "31.10.2023", [80, 13, 6, 11, 4, 3, 1], 0, 18, 4);
    assert_occurrences(
        &s,
        "31.10.2023",
        &[
            ("org-1@2023-10-17", "done_on_time", None, "2023-10-17", None, Some("2023-10-16")),
            ("org-2@2023-10-17", "done_late", Some(6), "2023-10-17", None, Some("2023-10-23")),
            ("org-3@2023-10-17", "done_late", Some(3), "2023-10-17", None, Some("2023-10-20")),
            ("org-6@2023-09-27", "cancelled", None, "2023-09-27", None, None),
            ("org-6@2023-10-25", "done_on_time", None, "2023-10-25", None, Some("2023-10-25")),
            ("method-12@2023-10-31", "due_soon", None, "2023-10-31", None, None),
            ("org-4@2023-11-15", "open", None, "2023-11-15", None, None),
            ("method-1@2023-10-15", "done_on_time", None, "2023-10-15", None, Some("2023-10-14")),
            ("method-1@2023-10-22", "not_done", Some(9), "2023-10-22", None, None),
            ("students-1@2023-10-29", "done_on_time", None, "2023-10-29", None, Some("2023-10-28")),
        ],
    );
    assert_eq!(occurrence(&s, "org-1@2023-10-17")["accepted"], true);
    assert_eq!(occurrence(&s, "org-2@2023-10-17")["rejected_reason"], Value::Null, "re-reported after the rejection");
    assert_eq!(occurrence(&s, "org-3@2023-10-17")["percent"], 80);
    assert_eq!(occurrence(&s, "method-1@2023-10-22")["percent"], 30);
    assert!(at_risk(&s).is_empty(), "org-3 is done: nothing waits on an overdue prerequisite");

    // 15.12.2023 18:00. org-4 moved to 01.12 and done 28.11: on time, the original 15.11 kept
    // visible. method-5 moved to 20.12: due in 5 days. method-12 (the diagnostic) is 45 days
    // overdue, and org-7 (15 days overdue) waits on it, so method-14 (after method-12) and
    // method-15 (after org-7) are at risk. The spreadsheet's rows are in.
    let s = status(home, "2023-12-15T18:00:00+10:00");
    assert_rollup(&s, "15.12.2023", [52, 12, 4, 35, 9, 5, 1], 2, 49, 9);
    assert_occurrences(
        &s,
        "15.12.2023",
        &[
            ("org-4@2023-11-15", "done_on_time", None, "2023-12-01", Some("2023-11-15"), Some("2023-11-28")),
            ("method-5@2023-11-30", "due_soon", None, "2023-12-20", Some("2023-11-30"), None),
            ("org-6@2023-11-29", "done_late", Some(5), "2023-11-29", None, Some("2023-12-04")),
            ("method-12@2023-10-31", "overdue", Some(45), "2023-10-31", None, None),
            ("org-7@2023-11-30", "overdue", Some(15), "2023-11-30", None, None),
            ("method-14@2024-05-31", "open", None, "2024-05-31", None, None),
            ("method-15@2024-04-30", "planned", None, "2024-04-30", None, None),
            ("method-2@2023-11-07", "not_done", Some(38), "2023-11-07", None, None),
            ("students-1@2023-12-03", "done_on_time", None, "2023-12-03", None, Some("2023-12-02")),
            ("students-1@2023-12-10", "done_late", Some(1), "2023-12-10", None, Some("2023-12-11")),
            ("students-2@2023-11-21", "not_done", Some(24), "2023-11-21", None, None),
            ("students-3@2023-11-28", "not_done", Some(17), "2023-11-28", None, None),
            ("method-6@2023-11-30", "done_on_time", None, "2023-11-30", None, Some("2023-11-29")),
            ("method-1@2023-11-19", "done_on_time", None, "2023-11-19", None, Some("2023-11-19")),
            ("method-1@2023-12-03", "done_on_time", None, "2023-12-03", None, Some("2023-12-03")),
        ],
    );
    assert_eq!(at_risk(&s), ["method-15@2024-04-30", "method-14@2024-05-31"]);
    // 1–15 December 2023: eleven working days; 1 November – 15 December: 21 + 11.
    assert_eq!(occurrence(&s, "org-7@2023-11-30")["working_days"], 11);
    assert_eq!(occurrence(&s, "method-12@2023-10-31")["working_days"], 32);
    assert_eq!(occurrence(&s, "students-2@2023-11-21")["percent"], 60);
    assert_eq!(occurrence(&s, "students-3@2023-11-28")["not_done_reason"], "карантин по гриппу");
    assert_eq!(occurrence(&s, "method-2@2023-11-07")["not_done_reason"], "интенсив ХК ИРО не состоялся");
    let table = at(home, "2023-12-15T18:00:00+10:00").args(["status", "--roadmap", LAZO]).run();
    table.succeeds();
    let text = table.stdout();
    assert!(text.contains("20.12.2023 (было 30.11.2023)"), "a move keeps the original date visible:\n{text}");
    assert!(text.contains("[под угрозой]"), "{text}");
    assert!(
        text.contains("lazo-2023-2024: всего 118; выполнено в срок 9, с опозданием 5, просрочено 35 (нет отчёта 30, не выполнено 5), в работе 12, срок скоро 4, запланировано 52, отменено 1; под угрозой 2; исполнительская дисциплина 18 %"),
        "{text}"
    );

    // 01.03.2024 18:00. method-12 done 18.12 (48 days late): method-14 is no longer at risk;
    // org-7 still overdue, and method-15 opens today, at risk. The moved seminar is 72 days
    // past its new date (20.12 → 01.03). The December meeting: never reported.
    let s = status(home, "2024-03-01T18:00:00+10:00");
    assert_rollup(&s, "01.03.2024", [15, 13, 2, 70, 11, 6, 1], 1, 87, 11);
    assert_occurrences(
        &s,
        "01.03.2024",
        &[
            ("method-12@2023-10-31", "done_late", Some(48), "2023-10-31", None, Some("2023-12-18")),
            ("method-5@2023-11-30", "overdue", Some(72), "2023-12-20", Some("2023-11-30"), None),
            ("method-15@2024-04-30", "open", None, "2024-04-30", None, None),
            ("method-14@2024-05-31", "open", None, "2024-05-31", None, None),
            ("org-6@2023-12-27", "overdue", Some(65), "2023-12-27", None, None),
            ("org-6@2024-01-31", "done_on_time", None, "2024-01-31", None, Some("2024-01-31")),
            ("org-6@2024-02-28", "done_on_time", None, "2024-02-28", None, Some("2024-02-28")),
        ],
    );
    assert_eq!(at_risk(&s), ["method-15@2024-04-30"]);

    // 30.06.2024 18:00. The moved seminar done 10.04: 112 days after 20.12. method-13 is due
    // today; the July and August meetings are not open yet.
    let s = status(home, "2024-06-30T18:00:00+10:00");
    assert_rollup(&s, "30.06.2024", [2, 0, 1, 92, 15, 7, 1], 0, 114, 15);
    assert_occurrences(
        &s,
        "30.06.2024",
        &[
            ("method-5@2023-11-30", "done_late", Some(112), "2023-12-20", Some("2023-11-30"), Some("2024-04-10")),
            ("method-13@2024-06-30", "due_soon", None, "2024-06-30", None, None),
            ("method-15@2024-04-30", "overdue", Some(61), "2024-04-30", None, None),
            ("org-6@2023-12-27", "overdue", Some(186), "2023-12-27", None, None),
            ("org-6@2024-05-29", "done_on_time", None, "2024-05-29", None, Some("2024-05-29")),
            ("org-6@2024-06-26", "done_on_time", None, "2024-06-26", None, Some("2024-06-26")),
            ("org-6@2024-07-31", "planned", None, "2024-07-31", None, None),
            ("org-6@2024-08-28", "planned", None, "2024-08-28", None, None),
        ],
    );
    assert!(at_risk(&s).is_empty());
    assert_eq!(s["orphans"], serde_json::json!([]));

    // The log: every event, in order, the spreadsheet's rows sharing one batch.
    let log: Vec<Value> = export(home).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert_eq!(log.len(), 36);
    assert!(log.iter().enumerate().all(|(i, e)| e["id"] == i as i64 + 1), "ids in order");
    let batches: Vec<&Value> = log.iter().filter(|e| !e["batch"].is_null()).map(|e| &e["batch"]).collect();
    assert_eq!(batches.len(), 7);
    assert!(batches.iter().all(|b| *b == batches[0]));
    let first = &log[(org1 - 1) as usize];
    assert_eq!(first["evidence"], serde_json::json!(["https://lazo.example/prikaz-395.pdf"]));
    assert_eq!(first["author"], UO);

    // org-2's history: the report, the rejection, the second report.
    let history = at(home, "2024-06-30T18:00:00+10:00").args(["history", "lazo-2023-2024/org-2@2023-10-17"]).run();
    history.succeeds();
    let numbers: Vec<String> = history
        .stdout()
        .lines()
        .filter(|l| l.starts_with("№ "))
        .map(|l| l.split_whitespace().nth(1).unwrap_or_default().to_string())
        .collect();
    assert_eq!(numbers, [org2.to_string(), rejected.to_string(), redone.to_string()], "{}", history.stdout());
    // method-12's history as of 25.10 does not know the correction yet; as of today it does.
    let before = at(home, "2023-10-25T12:00:00+10:00").args(["history", "method-12"]).run();
    before.succeeds();
    assert!(!before.stdout().contains("[отменено"), "{}", before.stdout());
    let after = at(home, "2024-06-30T18:00:00+10:00").args(["history", "method-12"]).run();
    after.succeeds();
    assert!(after.stdout().contains(&format!("[отменено событием № {undo}]")), "{}", after.stdout());
}

fn bad_input_is_refused_and_nothing_is_written(backend: Backend) {
    let home_run =
        season(backend, &["done", "org-1", "--on", "2023-10-16", "--by", UO, "--now", "2023-10-16T11:00:00+10:00"]);
    let home = home_run.dir.as_path();
    // A report against the wrong activity, taken back, and the right one.
    let wrong = record(home, "2023-10-16T11:05:00+10:00", &["done", "org-2", "--on", "2023-10-16", "--by", UO]);
    let undo = record(
        home,
        "2023-10-16T11:10:00+10:00",
        &["undo", &wrong.to_string(), "--reason", "отметка не к тому мероприятию", "--by", UO],
    );
    record(home, "2023-10-16T11:15:00+10:00", &["done", "org-3", "--on", "2023-10-16", "--by", UO]);
    let log = export(home);
    assert_eq!(log.lines().count(), 4);

    let now = "2023-10-20T12:00:00+10:00";
    let refused = |args: &[&str], expected: &str| {
        let run = at(home, now).args(args.iter().copied()).run();
        run.fails();
        assert!(run.stderr().contains(expected), "{args:?}: expected «{expected}» in\n{}", run.stderr());
        assert!(run.stdout().is_empty(), "{args:?}: {}", run.stdout());
    };
    refused(
        &["done", "lazo-2023-2024/org-1@2023-10-18", "--on", "2023-10-16"],
        "нет ни срока, ни мероприятия `lazo-2023-2024/org-1@2023-10-18`",
    );
    refused(&["done", "org-2", "--on", "2023-10-21"], "дата выполнения 21.10.2023 ещё не наступила");
    refused(
        &["done", "org-1", "--on", "2023-10-17"],
        "срок `lazo-2023-2024/org-1@2023-10-17` уже отмечен выполненным 16.10.2023",
    );
    refused(&["done", "org-1"], "karta undo 1 --reason");
    refused(&["undo", &wrong.to_string(), "--reason", "ещё раз"], &format!("событие № {wrong} уже отменено"));
    refused(&["undo", "99", "--reason", "нет такого"], "нет события № 99");
    refused(&["accept", "org-2"], "не отмечен выполненным");

    // One spreadsheet: good rows (one with a two-line comment, as Alt+Enter in Excel makes it)
    // and four bad ones — an impossible date, an unknown activity, an unknown status, a
    // completion date still to come. Nothing of it is written.
    let csv = "Мероприятие;Срок;Статус;Дата выполнения;Комментарий\n\
org-4;15.11.2023;выполнено;19.10.2023;\"кандидатура утверждена;\nприказ ИМЦ № 12\"\n\
org-2;17.10.2023;выполнено;31.09.2023;\n\
org-99;17.10.2023;выполнено;18.10.2023;\n\
method-6;30.11.2023;уточняется;18.10.2023;\n\
method-12;31.10.2023;выполнено;31.10.2023;\n\
students-4;31.10.2023;выполнено;19.10.2023;\n";
    let run = at(home, now).file("отчёт.csv", csv).args(["import", "отчёт.csv"]).run();
    run.fails();
    let err = run.stderr();
    assert!(err.contains("ничего не записано: 4 ошибки в файле"), "{err}");
    for message in [
        "«31.09.2023» — не дата (ожидается ДД.ММ.ГГГГ)",
        "неизвестное мероприятие `org-99`",
        "непонятный статус «уточняется»",
        "дата выполнения 31.10.2023 ещё не наступила",
    ] {
        assert!(err.contains(message), "«{message}» missing:\n{err}");
    }
    assert_eq!(export(home), log, "a refused import writes nothing, the good rows included");

    // The history: in order, the taken-back report marked.
    let history = at(home, now).args(["history", "org-2"]).run();
    history.succeeds();
    let lines: Vec<String> = history.stdout().lines().filter(|l| l.starts_with("№ ")).map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "{}", history.stdout());
    assert!(lines[0].starts_with(&format!("№ {wrong} ")), "{}", lines[0]);
    assert!(lines[0].contains("выполнено lazo-2023-2024/org-2@2023-10-17 (16.10.2023)"), "{}", lines[0]);
    assert!(lines[0].ends_with(&format!("[отменено событием № {undo}]")), "{}", lines[0]);
    assert!(lines[1].starts_with(&format!("№ {undo} ")), "{}", lines[1]);
    assert!(lines[1].contains(&format!("отменено событие № {wrong}: отметка не к тому мероприятию")), "{}", lines[1]);
    let s = status(home, now);
    assert_eq!(occurrence(&s, "org-2@2023-10-17")["state"], "overdue", "the taken-back report does not count");
    assert_eq!(occurrence(&s, "org-3@2023-10-17")["state"], "done_on_time");

    // Every bad row is located at its own line and cell: the comment spans lines 2–3, so the
    // bad rows are lines 4–7; the future date is the «Дата выполнения» cell (column 32), not
    // the equal «Срок» before it (column 11).
    let located: Vec<&str> = err.lines().filter_map(|l| l.trim_start().strip_prefix("--> ")).collect();
    assert_eq!(located, ["отчёт.csv:4:28", "отчёт.csv:5:1", "отчёт.csv:6:21", "отчёт.csv:7:32"], "{err}");
}

fn import_refuses_reports_on_a_cancelled_occurrence(backend: Backend) {
    let home_run = season(
        backend,
        &[
            "cancel",
            "lazo-2023-2024/org-6@2023-09-27",
            "--document",
            "приказ от 20.10.2023 № 402",
            "--now",
            "2023-10-20T12:00:00+10:00",
        ],
    );
    let home = home_run.dir.as_path();
    // A cancelled occurrence takes no reports — from the command line or from a spreadsheet.
    let done = at(home, "2023-10-20T13:00:00+10:00").args(["done", "lazo-2023-2024/org-6@2023-09-27"]).run();
    done.fails();
    assert!(done.stderr().contains("отменён"), "{}", done.stderr());
    let csv = "Код срока;Статус;Дата выполнения\nlazo-2023-2024/org-6@2023-09-27;выполнено;20.10.2023\n";
    let import = at(home, "2023-10-20T13:00:00+10:00").file("отмена.csv", csv).args(["import", "отмена.csv"]).run();
    import.fails();
    assert!(import.stderr().contains("отмена.csv:2:"), "{}", import.stderr());
    assert_eq!(export(home).lines().count(), 1, "only the cancellation");
}

fn import_takes_today_in_the_roadmaps_time_zone(backend: Backend) {
    let home_run =
        season(backend, &["done", "org-3", "--on", "2023-10-16", "--by", UO, "--now", "2023-10-16T11:00:00+10:00"]);
    let home = home_run.dir.as_path();
    // "Today" is the roadmap's day (Asia/Vladivostok), whatever offset the instant is written
    // in: 22:30 UTC on 16.10 is 08:30 on 17.10 in Lazo, so a completion on 17.10 is not in the
    // future — for `done` and for `import` alike (the system clock gives UTC instants).
    let morning = "2023-10-16T22:30:00Z";
    at(home, morning).args(["done", "org-1", "--on", "2023-10-17"]).run().succeeds();
    let csv = "Мероприятие;Срок;Статус;Дата выполнения\norg-2;17.10.2023;выполнено;17.10.2023\n";
    let import = at(home, morning).file("утро.csv", csv).args(["import", "утро.csv"]).run();
    import.succeeds();
}

fn undoing_an_undo_brings_the_report_back_or_is_refused(backend: Backend) {
    let home_run =
        season(backend, &["done", "org-1", "--on", "2023-10-16", "--by", UO, "--now", "2023-10-16T11:00:00+10:00"]);
    let home = home_run.dir.as_path();
    let now = "2023-10-20T12:00:00+10:00";
    let undo = record(home, now, &["undo", "1", "--reason", "по ошибке", "--by", UO]);
    assert_eq!(occurrence(&status(home, now), "org-1@2023-10-17")["state"], "overdue");
    // Taking the correction back: the report counts again ("counts as never recorded" applies
    // to the correction too) — or karta refuses to take back a correction. Recording it and
    // leaving the report dead is neither.
    let undo = undo.to_string();
    let again = at(home, now).args(["undo", undo.as_str(), "--reason", "отмена была ошибкой"]).run();
    let s = status(home, now);
    let org1 = occurrence(&s, "org-1@2023-10-17");
    if again.code() == 0 {
        assert_eq!(org1["state"], "done_on_time", "{org1}");
        assert_eq!(org1["done_on"], "2023-10-16", "{org1}");
    } else {
        again.fails();
        assert_eq!(org1["state"], "overdue", "{org1}");
    }
}

fn an_orphan_taken_back_is_no_longer_flagged(backend: Backend) {
    let home_run = season(
        backend,
        &[
            "done",
            "lazo-2023-2024/org-1@2023-10-17",
            "--on",
            "2023-10-16",
            "--by",
            UO,
            "--now",
            "2023-10-16T11:00:00+10:00",
        ],
    );
    let home = home_run.dir.as_path();
    // The roadmap is amended: org-1 is now due 20.10, so the event is about an occurrence the
    // roadmaps no longer have. It is kept, and `check` says so.
    let path = home.join("roadmaps/lazo-2023-2024.yaml");
    let yaml = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, yaml.replacen("due: \"до 17 октября 2023 г.\"", "due: \"до 20 октября 2023 г.\"", 1))
        .expect("write");
    let roadmaps = home.join("roadmaps").display().to_string();
    let orphans = || -> Vec<String> {
        let run = at(home, "2023-10-18T10:00:00+10:00").args(["check", roadmaps.as_str(), "--format", "json"]).run();
        run.succeeds();
        run.stdout()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("JSON"))
            .filter(|d| d["code"] == "K0703")
            .map(|d| d["message"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let found = orphans();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("событие № 1") && found[0].contains("lazo-2023-2024/org-1@2023-10-17"), "{found:?}");
    assert_eq!(export(home).lines().count(), 1, "kept, never dropped");
    // The hint's remedy: report the new occurrence and take the old report back. Then nothing
    // is left to warn about — and the correction itself is no orphan.
    let now = "2023-10-18T10:00:00+10:00";
    record(home, now, &["done", "lazo-2023-2024/org-1@2023-10-20", "--on", "2023-10-16", "--by", UO]);
    record(home, now, &["undo", "1", "--reason", "срок перенесён в дорожной карте", "--by", UO]);
    assert_eq!(orphans(), Vec::<String>::new());
}

fn history_marks_only_reports_still_taken_back(backend: Backend) {
    let home_run =
        season(backend, &["done", "org-1", "--on", "2023-10-16", "--by", UO, "--now", "2023-10-16T11:00:00+10:00"]);
    let home = home_run.dir.as_path();
    let now = "2023-10-20T12:00:00+10:00";
    let undo = record(home, now, &["undo", "1", "--reason", "по ошибке", "--by", UO]);
    let marked = |when: &str| {
        let run = at(home, when).args(["history", "org-1"]).run();
        run.succeeds();
        run.stdout()
            .lines()
            .filter(|l| l.starts_with("№ 1 "))
            .map(|l| l.contains("[отменено событием"))
            .next()
            .unwrap_or(false)
    };
    assert!(marked(now), "the report is taken back");
    record(
        home,
        "2023-10-21T12:00:00+10:00",
        &["undo", &undo.to_string(), "--reason", "отмена была ошибкой", "--by", UO],
    );
    assert!(!marked("2023-10-21T13:00:00+10:00"), "the undo was undone: the report counts again");
    assert!(marked("2023-10-20T13:00:00+10:00"), "as of 20.10 it was still taken back");
}

/// `karta status --format xlsx`: a real workbook, read back with calamine, whose rows are the
/// occurrences `--format json` lists, dates as dates.
fn status_exports_to_excel(backend: Backend) {
    let home_run =
        season(backend, &["done", "org-1", "--on", "2023-10-16", "--by", UO, "--now", "2023-10-16T11:00:00+10:00"]);
    let home = &home_run.dir;
    let now = "2023-10-20T12:00:00+10:00";
    let path = home.join("status.xlsx").display().to_string();
    at(home, now).args(["status", "--roadmap", LAZO, "--all", "--format", "xlsx", "-o", &path]).run().succeeds();
    let s = status(home, now);
    let listed = s["occurrences"].as_array().expect("occurrences");
    use calamine::{Data, DataType, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(&path).expect("a workbook");
    let sheet = book.worksheet_range(&book.sheet_names()[0]).expect("sheet");
    assert_eq!(sheet.height(), listed.len() + 1, "a header and a row per occurrence");
    assert_eq!(sheet.get((0, 4)), Some(&Data::String("Срок".into())));
    let id = support::tables::column_named(&sheet, "Идентификатор");
    for (r, o) in listed.iter().enumerate() {
        assert_eq!(sheet.get((r + 1, id)).and_then(|c| c.get_string()), o["id"].as_str(), "row {r}");
        let due = sheet.get((r + 1, 4)).and_then(|c| c.as_date()).map(|d| d.to_string());
        assert_eq!(due.as_deref(), o["due_date"].as_str().or(o["due"].as_str()), "row {r}");
    }
}

on_both_backends!(
    a_scripted_season_on_the_lazo_roadmap,
    bad_input_is_refused_and_nothing_is_written,
    import_refuses_reports_on_a_cancelled_occurrence,
    import_takes_today_in_the_roadmaps_time_zone,
    undoing_an_undo_brings_the_report_back_or_is_refused,
    an_orphan_taken_back_is_no_longer_flagged,
    history_marks_only_reports_still_taken_back,
    status_exports_to_excel,
);

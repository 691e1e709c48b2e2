//! Amendments (issue 23, docs/amendments.md): a scripted Lazo season with two amending orders —
//! dates moved (a one-off deadline and a monthly series), an activity added, one removed,
//! executors changed, the points after the removed one renumbered and an activity's id renamed —
//! run on both store backends. The status at four instants, every report carried where the rule
//! places it, the diffs, the orders' items, and the orphans the same script leaves without
//! approvals. Expectations are written out from the script, not read from karta.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::documents::{paragraphs, tables};
use support::tables::{Book, header_row, text as cell_text};
use support::{Backend, Test, copy_roadmaps};

const LAZO: &str = "lazo-2023-2024";

struct Season {
    dir: tempfile::TempDir,
    db: String,
}

impl Season {
    fn new(backend: Backend) -> Season {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_roadmaps(dir.path());
        let db = backend.db(dir.path());
        Season { dir, db }
    }

    fn roadmap(&self) -> PathBuf {
        self.dir.path().join("roadmaps").join(format!("{LAZO}.yaml"))
    }

    fn karta(&self, args: &[&str], now: &str) -> support::Run {
        Test::new()
            .env("KARTA_ROADMAPS", &self.dir.path().join("roadmaps").display().to_string())
            .env("KARTA_DB", &self.db)
            .env("KARTA_USER", "Иванова Н.П.")
            .args(args.iter().copied())
            .args(["--now", now])
            .run()
    }

    fn ok(&self, args: &[&str], now: &str) -> String {
        let run = self.karta(args, now);
        run.succeeds();
        run.stdout()
    }

    fn json(&self, args: &[&str], now: &str) -> Value {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        serde_json::from_str(&self.ok(&all, now)).expect("JSON")
    }

    /// Replaces `from` by `to` in the roadmap file, once; the text must be there.
    fn edit(&self, from: &str, to: &str) {
        let path = self.roadmap();
        let text = std::fs::read_to_string(&path).expect("roadmap");
        assert!(text.contains(from), "the roadmap has {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    }

    /// The status of one occurrence (id) at `now`.
    fn occurrence(&self, now: &str, id: &str) -> Value {
        let status = self.json(&["status", "--all"], now);
        status["occurrences"]
            .as_array()
            .expect("occurrences")
            .iter()
            .find(|o| o["id"] == id)
            .unwrap_or_else(|| panic!("{id} in the status at {now}"))
            .clone()
    }

    fn status(&self, now: &str) -> Value {
        self.json(&["status", "--all"], now)
    }
}

const T1: &str = "2023-11-20T12:00:00+10:00";
const T2: &str = "2023-12-05T12:00:00+10:00";
const T3: &str = "2024-01-20T12:00:00+10:00";
const T4: &str = "2024-03-01T12:00:00+10:00";

/// The reports of the season, before any amendment: (args, recorded at).
const REPORTS: &[(&[&str], &str)] = &[
    (&["done", "lazo-2023-2024/org-1@2023-10-17", "--on", "2023-10-16"], "2023-10-16T15:00:00+10:00"),
    // The monthly meeting, last Wednesday of the month: October and November.
    (&["done", "lazo-2023-2024/org-6@2023-10-25", "--on", "2023-10-25"], "2023-10-25T17:00:00+10:00"),
    (&["done", "lazo-2023-2024/method-12@2023-10-31", "--on", "2023-10-30"], "2023-10-30T10:00:00+10:00"),
    (
        &["not-done", "lazo-2023-2024/org-4@2023-11-15", "--reason", "нет кандидатов на 0,25 ставки"],
        "2023-11-16T10:00:00+10:00",
    ),
    (&["done", "lazo-2023-2024/method-5@2023-11-30", "--on", "2023-11-28"], "2023-11-28T12:00:00+10:00"),
    (&["done", "lazo-2023-2024/org-6@2023-11-29", "--on", "2023-11-29"], "2023-11-29T17:00:00+10:00"),
];

/// Order 1 (30.11.2023 № 425): org-4's deadline a month later, the monthly meeting on the last
/// Thursday, org-7 by the methodological centre alone, a tenth activity in section 1.
fn first_order(s: &Season) {
    s.edit(
        "  date: 2023-10-02\n",
        "  date: 2023-10-02\n  amendments:\n    - number: \"425\"\n      date: 2023-11-30\n",
    );
    s.edit("due: \"до 15 ноября 2023 г.\"", "due: \"до 15 декабря 2023 г.\"");
    s.edit("due: \"Ежемесячно, последняя среда месяца\"", "due: \"Ежемесячно, последний четверг месяца\"");
    s.edit(
        "executors: [imc, oo-admin]\n        executors_text: \"МБУ «ИМЦ» Администрация ОО района\"\n        due: \"октябрь – ноябрь 2023 г.\"",
        "executors: [imc]\n        executors_text: \"МБУ «ИМЦ»\"\n        due: \"октябрь – ноябрь 2023 г.\"",
    );
    s.edit(
        "  - id: method\n",
        "      - id: org-10\n        number: \"10.\"\n        title: \"Мониторинг реализации индивидуальных образовательных маршрутов педагогов\"\n        executors: [imc]\n        due: \"до 20 декабря 2023 г.\"\n        result: \"аналитическая справка\"\n\n  - id: method\n",
    );
}

/// Order 2 (15.01.2024 № 12): method-12 removed (org-7 and method-13 no longer wait for it), points 2.13–2.17
/// renumbered 2.12–2.16, and method-5 kept under a new id.
fn second_order(s: &Season) {
    s.edit("      date: 2023-11-30\n", "      date: 2023-11-30\n    - number: \"12\"\n      date: 2024-01-15\n");
    let path = s.roadmap();
    let text = std::fs::read_to_string(&path).expect("roadmap");
    let start = text.find("      - id: method-12\n").expect("method-12");
    let end = start + text[start..].find("      - id: method-13\n").expect("method-13");
    let mut text = format!("{}{}", &text[..start], &text[end..]);
    for n in 13..=17 {
        let from = format!("      - id: method-{n}\n        number: \"{n}.\"");
        assert!(text.contains(&from), "{from}");
        text = text.replacen(&from, &format!("      - id: method-{n}\n        number: \"{}.\"", n - 1), 1);
    }
    std::fs::write(&path, text).expect("write");
    // org-7 and method-13 waited for the removed diagnostic.
    s.edit("        after: [method-12]\n", "");
    s.edit("        after: [method-12]\n", "");
    s.edit("      - id: method-5\n", "      - id: method-seminars\n");
}

/// The two amending orders as DOCX: their items in the legal wording per kind of change, the
/// added row set out in the table's columns; and as PDF through LibreOffice.
fn amending_orders(s: &Season) {
    let render = |version: &str, format: &str| -> Vec<u8> {
        let out = s.dir.path().join(format!("amendment-{version}.{format}"));
        s.ok(
            &["render", "amendment", "--roadmap", LAZO, "--version", version, "--format", format, "-o", &path(&out)],
            T4,
        );
        std::fs::read(&out).expect("written")
    };
    let first = render("2", "docx");
    let text = paragraphs(&first);
    let items: Vec<&str> = text.iter().map(String::as_str).filter(|p| p.starts_with("1.")).collect();
    assert_eq!(
        items,
        [
            "1. Внести в Дорожную карту повышения качества общего образования в общеобразовательных организациях муниципальных районов имени Лазо в 2023/2024 учебном году, утверждённую приказом Управления образования от 02.10.2023 № 380, следующие изменения:",
            "1.1. в графе «Сроки» пункта 1.4 слова «до 15 ноября 2023 г.» заменить словами «до 15 декабря 2023 г.»;",
            "1.2. в графе «Сроки» пункта 1.6 слова «Ежемесячно, последняя среда месяца» заменить словами «Ежемесячно, последний четверг месяца»;",
            "1.3. в графе «Ответственные исполнители» пункта 1.7 слова «МБУ „ИМЦ“ Администрация ОО района» заменить словами «МБУ „ИМЦ“»;",
            "1.4. раздел 1 дополнить пунктом 1.10 следующего содержания:",
        ]
    );
    assert!(text.iter().any(|p| p == "ПРИКАЗ"), "the kind");
    assert!(text.iter().any(|p| p.starts_with("30.11.2023") && p.ends_with("№ 425")), "date and number");
    assert!(
        text.iter().any(|p| p.starts_with("О внесении изменений в приказ от 02.10.2023 № 380 «Об утверждении")),
        "the heading names the amended order: {text:?}"
    );
    let rows: Vec<Vec<String>> = tables(&first).into_iter().flatten().collect();
    let added = rows.iter().find(|r| r.first().is_some_and(|c| c == "10.")).expect("the added row");
    assert_eq!(
        added[1..],
        [
            "Мониторинг реализации индивидуальных образовательных маршрутов педагогов",
            "МБУ «ИМЦ»",
            "до 20 декабря 2023 г.",
            "аналитическая справка"
        ]
    );
    assert!(rows.iter().any(|r| r.last().is_some_and(|c| c == "А.Г. Виноградова")), "signed");

    let second = paragraphs(&render("3", "docx"));
    let items: Vec<&str> = second.iter().map(String::as_str).filter(|p| p.starts_with("1.")).skip(1).collect();
    assert_eq!(
        items,
        ["1.1. пункт 2.12 исключить;", "1.2. пункты 2.13–2.17 считать соответственно пунктами 2.12–2.16."],
        "a removed point, the renumbering after it; the renamed id and the dependencies change no printed text"
    );
    assert!(second.iter().any(|p| p.starts_with("15.01.2024") && p.ends_with("№ 12")));

    // The справка at t4: deadlines moved by the orders with their basis, counted per executor;
    // the removed activity with its report.
    let out = s.dir.path().join("status.docx");
    s.ok(&["render", "status", "--roadmap", LAZO, "--format", "docx", "-o", &path(&out)], T4);
    let status = std::fs::read(&out).expect("справка");
    let rows: Vec<Vec<String>> = tables(&status).into_iter().flatten().collect();
    let org4 = rows.iter().find(|r| r.get(1).is_some_and(|c| c == "1.4")).expect("org-4 among the moved");
    assert_eq!(
        org4[3..],
        [
            "15.11.2023",
            "15.12.2023",
            "изменения в дорожную карту, приказ от 30.11.2023 № 425",
            "Управление образования района"
        ]
    );
    let gone =
        rows.iter().find(|r| r.get(1).is_some_and(|c| c == "2.12") && r.len() == 6).expect("the removed activity");
    assert_eq!(gone[3..], ["31.10.2023", "приказ от 15.01.2024 № 12", "1"]);
    assert!(gone[2].starts_with("Организация участия в диагностике предметных компетенций"), "{gone:?}");
    let text = paragraphs(&status);
    let counted =
        text.iter().find(|p| p.starts_with("Перенесено сроков по исполнителям:")).expect("moves per executor");
    // org-4 (ИМЦ, administrations, teachers of the 11th form) once, org-6 (the authority, ИМЦ, the
    // heads) twelve times: every month of the series moved.
    assert_eq!(
        counted,
        "Перенесено сроков по исполнителям: МБУ «ИМЦ» – 13; Управление образования района – 12; Руководители ОО района – 12; Администрация ОО района – 1; учителя-предметники 11 классов ОО района – 1."
    );

    // The status table in Excel: the baseline's date and the order beside the date in force.
    let out = s.dir.path().join("status.xlsx");
    s.ok(&["status", "--all", "--format", "xlsx", "-o", &path(&out)], T4);
    let mut book = Book::open(std::fs::read(&out).expect("xlsx"));
    let sheet = book.names()[0].clone();
    let range = book.range(&sheet);
    let head = header_row(&range, "Дорожная карта");
    let column = |name: &str| {
        (0..range.width() as u32)
            .find(|c| cell_text(range.get_value((head, *c))) == name)
            .unwrap_or_else(|| panic!("column {name}"))
    };
    let (approved, order) = (column("Утверждённый срок"), column("Изменён приказом"));
    let row = (head + 1..range.height() as u32)
        .find(|r| {
            (0..range.width() as u32).any(|c| cell_text(range.get_value((*r, c))) == "lazo-2023-2024/org-4@2023-12-15")
        })
        .expect("org-4's row");
    assert_eq!(cell_text(range.get_value((row, approved))), "15.11.2023");
    assert_eq!(cell_text(range.get_value((row, order))), "приказ от 30.11.2023 № 425");

    let pdf = render("2", "pdf");
    assert!(pdf.starts_with(b"%PDF"), "LibreOffice printed the order");
}

fn season(backend: Backend) {
    let s = Season::new(backend);
    // The baseline.
    let out = s.ok(&["approve", LAZO], "2023-10-02T12:00:00+10:00");
    assert!(out.contains("утверждена версия 1") && out.contains("приказ от 02.10.2023 № 380"), "{out}");
    for (args, at) in REPORTS {
        s.ok(args, at);
    }

    // t1: before any amendment.
    let st = s.status(T1);
    assert_eq!(st["orphans"].as_array().map(Vec::len), Some(0));
    let org4 = s.occurrence(T1, "lazo-2023-2024/org-4@2023-11-15");
    assert_eq!(org4["state"], "not_done", "reported not done, past due");
    assert_eq!(org4["not_done_reason"], "нет кандидатов на 0,25 ставки");

    // Order 1, previewed, then approved.
    first_order(&s);
    let preview = s.json(&["approve", LAZO, "--dry-run"], "2023-12-01T09:00:00+10:00");
    assert_eq!(preview["recorded"], false);
    assert_eq!(preview["version"], 2);
    let fates: Vec<(String, String)> = preview["reports"]
        .as_array()
        .expect("reports")
        .iter()
        .map(|f| (f["from"].as_str().unwrap_or("").to_string(), f["to"].as_str().unwrap_or("—").to_string()))
        .collect();
    assert_eq!(
        fates,
        [
            ("lazo-2023-2024/org-6@2023-10-25".to_string(), "lazo-2023-2024/org-6@2023-10-26".to_string()),
            ("lazo-2023-2024/org-4@2023-11-15".into(), "lazo-2023-2024/org-4@2023-12-15".into()),
            ("lazo-2023-2024/org-6@2023-11-29".into(), "lazo-2023-2024/org-6@2023-11-30".into()),
        ],
        "the reports under moved dates follow them, in the order recorded"
    );
    assert_eq!(s.json(&["versions", LAZO], T2).as_array().map(Vec::len), Some(1), "a dry run records nothing");
    let diff = s.json(&["diff", LAZO], "2023-12-01T09:00:00+10:00");
    let changes: Vec<(String, String, Vec<String>)> = diff["activities"]
        .as_array()
        .expect("activities")
        .iter()
        .map(|c| {
            let side = if c["after"].is_null() { &c["before"] } else { &c["after"] };
            let fields =
                c["fields"].as_array().expect("fields").iter().map(|f| f.as_str().unwrap_or("").into()).collect();
            (c["kind"].as_str().unwrap_or("").into(), side["point"].as_str().unwrap_or("").into(), fields)
        })
        .collect();
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    assert_eq!(
        changes,
        [
            ("changed".to_string(), "1.4".to_string(), strings(&["due"])),
            ("changed".into(), "1.6".into(), strings(&["due"])),
            ("changed".into(), "1.7".into(), strings(&["executors"])),
            ("added".into(), "1.10".into(), strings(&[])),
        ]
    );
    let org4_change = &diff["activities"][0];
    assert_eq!(org4_change["before"]["dates"], serde_json::json!(["2023-11-15"]));
    assert_eq!(org4_change["after"]["dates"], serde_json::json!(["2023-12-15"]));
    let out = s.ok(&["approve", LAZO], "2023-12-01T09:00:00+10:00");
    assert!(out.contains("утверждена версия 2") && out.contains("приказ от 30.11.2023 № 425"), "{out}");

    // t2: the reports are where the dates went.
    let st = s.status(T2);
    assert_eq!(st["orphans"].as_array().map(Vec::len), Some(0), "no orphan after order 1");
    let org4 = s.occurrence(T2, "lazo-2023-2024/org-4@2023-12-15");
    assert_eq!(org4["state"], "open", "due 15.12, not yet overdue on 05.12");
    assert_eq!(org4["not_done_reason"], "нет кандидатов на 0,25 ставки", "the carried report");
    assert_eq!(org4["approved_due"], "2023-11-15");
    assert_eq!(org4["amended_by"], "приказ от 30.11.2023 № 425");
    for (id, on) in
        [("lazo-2023-2024/org-6@2023-10-26", "2023-10-25"), ("lazo-2023-2024/org-6@2023-11-30", "2023-11-29")]
    {
        let o = s.occurrence(T2, id);
        assert_eq!(o["state"], "done_on_time", "{id}");
        assert_eq!(o["done_on"], on, "{id}");
    }
    let history = s.ok(&["history", "lazo-2023-2024/org-4"], T2);
    assert!(
        history.contains(
            "[перенесено с lazo-2023-2024/org-4@2023-11-15 при утверждении изменений: приказ от 30.11.2023 № 425]"
        ),
        "{history}"
    );
    // The new date is reported as usual.
    s.ok(&["done", "lazo-2023-2024/org-4@2023-12-15", "--on", "2023-12-14"], "2023-12-14T12:00:00+10:00");

    // Order 2.
    second_order(&s);
    let out = s.ok(&["diff", LAZO], "2024-01-16T09:00:00+10:00");
    assert!(out.contains("- пункт 2.12 (method-12)"), "{out}");
    assert!(out.contains("~ пункт 2.12 (method-13, прежде пункт 2.13)"), "{out}");
    assert!(out.contains("~ пункт 2.5 (method-seminars, прежде method-5)"), "{out}");
    assert!(!out.contains("+ пункт"), "a renumbering is no addition: {out}");
    let out = s.ok(&["approve", LAZO], "2024-01-16T09:00:00+10:00");
    assert!(out.contains("утверждена версия 3") && out.contains("приказ от 15.01.2024 № 12"), "{out}");
    assert!(out.contains("(пункт перенумерован)") && out.contains("мероприятие исключено"), "{out}");

    // t3: the renamed activity keeps its report; the removed one's report is removed by the order.
    let st = s.status(T3);
    assert_eq!(st["orphans"].as_array().map(Vec::len), Some(0), "no orphan after order 2");
    assert_eq!(st["removed"].as_array().map(Vec::len), Some(1), "the method-12 report");
    let seminar = s.occurrence(T3, "lazo-2023-2024/method-seminars@2023-11-30");
    assert_eq!(seminar["state"], "done_on_time");
    assert_eq!(seminar["done_on"], "2023-11-28");
    let history = s.ok(&["history", "lazo-2023-2024/method-12"], T3);
    assert!(history.contains("[мероприятие исключено: приказ от 15.01.2024 № 12]"), "{history}");

    // t4: everything carried through both orders.
    let org4 = s.occurrence(T4, "lazo-2023-2024/org-4@2023-12-15");
    assert_eq!(org4["state"], "done_on_time");
    assert_eq!(org4["done_on"], "2023-12-14");
    let org6 = s.occurrence(T4, "lazo-2023-2024/org-6@2023-10-26");
    assert_eq!((org6["approved_due"].as_str(), org6["state"].as_str()), (Some("2023-10-25"), Some("done_on_time")));
    let st = s.status(T4);
    assert_eq!(st["orphans"].as_array().map(Vec::len), Some(0));
    let check = s.karta(&["check"], T4);
    assert!(!check.stderr().contains("K0703"), "karta check reads the log through the versions:\n{}", check.stderr());

    // The versions, and the text each was approved with.
    let versions = s.json(&["versions", LAZO], T4);
    let orders: Vec<&str> =
        versions.as_array().expect("list").iter().map(|v| v["order"]["number"].as_str().unwrap_or("")).collect();
    assert_eq!(orders, ["380", "425", "12"]);
    let first = s.ok(&["show", LAZO, "--version", "1"], T4);
    assert!(
        first.contains("due: \"до 15 ноября 2023 г.\"") && !first.contains("amendments:"),
        "the baseline as approved"
    );
    let directory = s.ok(&["show", LAZO, "--version", "1", "--file", "khabarovsk-directory.yaml"], T4);
    assert!(directory.contains("kind: directory"), "the included directory is part of the version");
    if backend == Backend::Sqlite {
        amending_orders(&s);
    }
    // Nothing left to approve by: no new order in the YAML.
    let refused = s.karta(&["approve", LAZO], T4);
    refused.fails();
    assert!(refused.stderr().contains("approval.amendments"), "{}", refused.stderr());
}

/// The same script without `karta approve`: every report under a moved, renamed or removed
/// occurrence is an orphan, as before amendments existed.
fn season_without_approvals(backend: Backend) {
    let s = Season::new(backend);
    for (args, at) in REPORTS {
        s.ok(args, at);
    }
    first_order(&s);
    second_order(&s);
    let st = s.status(T4);
    let orphans = st["orphans"].as_array().map(Vec::len);
    // org-6 ×2, org-4, method-12, method-5.
    assert_eq!(orphans, Some(5), "{st}");
    let check = s.karta(&["check"], T4);
    assert_eq!(check.stderr().matches("предупреждение[K0703]").count(), 5, "{}", check.stderr());
}

on_both_backends!(season, season_without_approvals);

/// Two roadmap files compared directly, without a store.
#[test]
fn two_files_compare_without_a_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let roadmaps = copy_roadmaps(dir.path());
    let old = roadmaps.join(format!("{LAZO}.yaml"));
    let new = roadmaps.join("lazo-new.yaml");
    let text = std::fs::read_to_string(&old).expect("read");
    std::fs::write(&new, text.replacen("due: \"до 15 ноября 2023 г.\"", "due: \"до 1 декабря 2023 г.\"", 1))
        .expect("write");
    let run = Test::new().args(["diff", "--files", &path(&old), &path(&new)]).run();
    run.succeeds();
    let out = run.stdout();
    assert_eq!(
        out,
        "~ пункт 1.4 (org-4): Подбор кандидатуры (руководителя / заместителя руководителя РМО/ШМО и (или) специалиста, курирующего вопросы методического сопровождения педагогических и управленческих кадров в муниципальном районе) для заключения трудового договора о работе по совместительству в ХК ИРО на 0.25 ставки\n    сроки: «до 15 ноября 2023 г.» → «до 1 декабря 2023 г.» (15.11.2023 → 01.12.2023)\n"
    );
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

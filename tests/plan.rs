//! Golden tests of `karta plan --format json` on the seed roadmaps in `roadmaps/`.
//!
//! Every expected date here was computed independently of karta — from the roadmap YAML and the
//! binding semantics of docs/format.md §3.3, with a throwaway calendar script — and never copied
//! from karta's output, so these tests catch karta reading a deadline wrongly:
//!
//! - «до D» (once): opens at the period start, due on D; a list gives one occurrence per item;
//! - a window (month, month range, date range): opens on its first day, due on its last;
//! - weekly («еженедельно»): one per Monday–Sunday week overlapping the window, opens =
//!   max(Monday, start), due = min(Sunday, end);
//! - a named weekday («каждый ВТОРНИК», «по средам», «суббота до 18.00»): every such day of the
//!   window (the whole period when none is written), opens = due = that day;
//! - monthly: one per calendar month; «последняя среда месяца»: the last Wednesday; «N неделя» /
//!   «первая … четвертая неделя»: days 7N−6 … 7N of each month, clipped to the window;
//! - «постоянно» (continuous): no occurrences; a decision without `due`: no occurrences;
//! - `shift: keep` everywhere, so due dates stay as written; due at 23:59:59 local time unless
//!   the phrase has a time («до 18.00»).
//!
//! Dependencies follow the matching rule: an occurrence depends on the occurrences of each
//! prerequisite that fall due last on or before its own due date; per-executor after
//! per-executor matches the same executor; joint after per-executor depends on every executor's
//! occurrence of that date.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

// ------------------------------------------------------------------------------------------------
// Running `karta plan` and reading its JSON
// ------------------------------------------------------------------------------------------------

fn roadmaps_dir() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("roadmaps").display().to_string()
}

/// `karta plan <CARGO_MANIFEST_DIR>/roadmaps [--roadmap ID] --format json`, parsed.
fn run_plan(roadmap: Option<&str>) -> Value {
    let mut args = vec!["plan".to_string(), roadmaps_dir()];
    if let Some(id) = roadmap {
        args.extend(["--roadmap".to_string(), id.to_string()]);
    }
    args.extend(["--format".to_string(), "json".to_string()]);
    let output = Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(&args)
        .env_remove("LANG")
        .env_remove("KARTA_LANG")
        .env_remove("KARTA_NOW")
        .output()
        .expect("run karta");
    assert!(
        output.status.success(),
        "karta {args:?} failed ({})\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("karta {args:?}: stdout is not JSON ({e}):\n{}", String::from_utf8_lossy(&output.stdout))
    })
}

fn plan(roadmap: &str) -> Value {
    run_plan(Some(roadmap))
}

fn occurrences(plan: &Value) -> &[Value] {
    plan["occurrences"].as_array().expect("`occurrences` is an array")
}

fn text<'a>(o: &'a Value, key: &str) -> &'a str {
    o[key].as_str().unwrap_or_else(|| panic!("`{key}` is not a string in {o}"))
}

fn executor_of(o: &Value) -> Option<&str> {
    o["executor"].as_str()
}

fn of<'a>(plan: &'a Value, activity: &str) -> Vec<&'a Value> {
    occurrences(plan).iter().filter(|o| o["activity"] == activity).collect()
}

/// Number of occurrences of `activity` (for a `for_each` activity: dates × members).
fn count(plan: &Value, activity: &str) -> usize {
    of(plan, activity).len()
}

/// The due dates of `activity`, in order, each date once (a `for_each` activity repeats every
/// date once per member).
fn due_dates(plan: &Value, activity: &str) -> Vec<String> {
    let dates: BTreeSet<String> = of(plan, activity).iter().map(|o| text(o, "due_date").to_string()).collect();
    dates.into_iter().collect()
}

/// `(opens, due_date)` of the occurrences of `activity` done by `executor` (`None`: the joint
/// occurrences), in order.
fn spans(plan: &Value, activity: &str, executor: Option<&str>) -> Vec<(String, String)> {
    let mut spans: Vec<(String, String)> = of(plan, activity)
        .into_iter()
        .filter(|o| executor_of(o) == executor)
        .map(|o| (text(o, "opens").to_string(), text(o, "due_date").to_string()))
        .collect();
    spans.sort();
    spans
}

/// `(activity, executor)` → sorted `(opens, due_date)`, for checking many activities at once.
type Index = BTreeMap<(String, Option<String>), Vec<(String, String)>>;
/// (opens, due) pairs of an activity.
type Dates = &'static [(&'static str, &'static str)];

fn index(plan: &Value) -> Index {
    let mut index = Index::new();
    for o in occurrences(plan) {
        index
            .entry((text(o, "activity").to_string(), executor_of(o).map(str::to_string)))
            .or_default()
            .push((text(o, "opens").to_string(), text(o, "due_date").to_string()));
    }
    for spans in index.values_mut() {
        spans.sort();
    }
    index
}

/// Occurrence id → occurrence.
fn by_id(plan: &Value) -> HashMap<&str, &Value> {
    occurrences(plan).iter().map(|o| (text(o, "id"), o)).collect()
}

/// The `depends_on` of the occurrence `id` (which must exist), as a set.
fn deps(ids: &HashMap<&str, &Value>, id: &str) -> BTreeSet<String> {
    let o = ids.get(id).unwrap_or_else(|| panic!("no occurrence `{id}`"));
    o["depends_on"]
        .as_array()
        .unwrap_or_else(|| panic!("`depends_on` of `{id}` is not an array"))
        .iter()
        .map(|d| d.as_str().expect("dependency id").to_string())
        .collect()
}

fn none() -> BTreeSet<String> {
    BTreeSet::new()
}

fn set<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> BTreeSet<String> {
    items.into_iter().map(Into::into).collect()
}

fn summary_occurrences(plan: &Value) -> u64 {
    plan["summary"]["occurrences"].as_u64().expect("summary.occurrences is a number")
}

/// Expected occurrences of one activity (per executor, for a `for_each` activity).
#[derive(Clone, Copy)]
enum Due {
    /// opens = due = each of these days
    Days(&'static [&'static str]),
    /// `(opens, due_date)` pairs
    Spans(&'static [(&'static str, &'static str)]),
}

impl Due {
    fn spans(self) -> Vec<(String, String)> {
        match self {
            Due::Days(days) => days.iter().map(|d| (d.to_string(), d.to_string())).collect(),
            Due::Spans(spans) => spans.iter().map(|(o, d)| (o.to_string(), d.to_string())).collect(),
        }
    }

    fn due_dates(self) -> Vec<String> {
        self.spans().into_iter().map(|(_, d)| d).collect()
    }
}

/// The members of `districts`, `municipal-coordinators`, `school-teams` and `school-teachers` in
/// khabarovsk-directory.yaml (the same 19 districts in every group).
const DISTRICTS: [&str; 19] = [
    "mo-khabarovsk",
    "mo-komsomolsk",
    "mo-amursky",
    "mo-ayano-maysky",
    "mo-bikinsky",
    "mo-vaninsky",
    "mo-verkhnebureinsky",
    "mo-vyazemsky",
    "mo-komsomolsky",
    "mo-lazo",
    "mo-nanaysky",
    "mo-nikolaevsky",
    "mo-okhotsky",
    "mo-osipenko",
    "mo-sovgavansky",
    "mo-solnechny",
    "mo-tuguro-chumikansky",
    "mo-ulchsky",
    "mo-khabarovsky",
];

// ------------------------------------------------------------------------------------------------
// lazo-2023-2024 (period 01.09.2023 – 31.08.2024, Asia/Vladivostok)
// ------------------------------------------------------------------------------------------------

const LAZO: &str = "lazo-2023-2024";

/// org-6 «Ежемесячно, последняя среда месяца», whole period: the last Wednesday of each month (12).
#[rustfmt::skip]
const LAZO_ORG_6: &[&str] = &[
    "2023-09-27", "2023-10-25", "2023-11-29", "2023-12-27", "2024-01-31", "2024-02-28", "2024-03-27", "2024-04-24",
    "2024-05-29", "2024-06-26", "2024-07-31", "2024-08-28",
];

/// method-1 «октябрь – декабрь 2023 г., еженедельно»: Monday–Sunday weeks clipped to 01.10 – 31.12.2023
/// (01.10.2023 is a Sunday: a one-day first week) (14).
#[rustfmt::skip]
const LAZO_METHOD_1: &[(&str, &str)] = &[
    ("2023-10-01", "2023-10-01"), ("2023-10-02", "2023-10-08"), ("2023-10-09", "2023-10-15"),
    ("2023-10-16", "2023-10-22"), ("2023-10-23", "2023-10-29"), ("2023-10-30", "2023-11-05"),
    ("2023-11-06", "2023-11-12"), ("2023-11-13", "2023-11-19"), ("2023-11-20", "2023-11-26"),
    ("2023-11-27", "2023-12-03"), ("2023-12-04", "2023-12-10"), ("2023-12-11", "2023-12-17"),
    ("2023-12-18", "2023-12-24"), ("2023-12-25", "2023-12-31"),
];

/// method-2 «октябрь 2023 г. – март 2024 г., первая неделя»: days 1–7 (6).
#[rustfmt::skip]
const LAZO_METHOD_2: &[(&str, &str)] = &[
    ("2023-10-01", "2023-10-07"), ("2023-11-01", "2023-11-07"), ("2023-12-01", "2023-12-07"),
    ("2024-01-01", "2024-01-07"), ("2024-02-01", "2024-02-07"), ("2024-03-01", "2024-03-07"),
];

/// method-3 «… вторая неделя»: days 8–14 (6).
#[rustfmt::skip]
const LAZO_METHOD_3: &[(&str, &str)] = &[
    ("2023-10-08", "2023-10-14"), ("2023-11-08", "2023-11-14"), ("2023-12-08", "2023-12-14"),
    ("2024-01-08", "2024-01-14"), ("2024-02-08", "2024-02-14"), ("2024-03-08", "2024-03-14"),
];

/// method-17 «октябрь 2023 г. – март 2024 г., ежемесячно»: calendar months (6).
#[rustfmt::skip]
const LAZO_METHOD_17: &[(&str, &str)] = &[
    ("2023-10-01", "2023-10-31"), ("2023-11-01", "2023-11-30"), ("2023-12-01", "2023-12-31"),
    ("2024-01-01", "2024-01-31"), ("2024-02-01", "2024-02-29"), ("2024-03-01", "2024-03-31"),
];

/// students-1 «октябрь 2023 г. – март 2024 г., еженедельно»: Monday–Sunday weeks clipped to
/// 01.10.2023 – 31.03.2024 (27).
#[rustfmt::skip]
const LAZO_STUDENTS_1: &[(&str, &str)] = &[
    ("2023-10-01", "2023-10-01"), ("2023-10-02", "2023-10-08"), ("2023-10-09", "2023-10-15"),
    ("2023-10-16", "2023-10-22"), ("2023-10-23", "2023-10-29"), ("2023-10-30", "2023-11-05"),
    ("2023-11-06", "2023-11-12"), ("2023-11-13", "2023-11-19"), ("2023-11-20", "2023-11-26"),
    ("2023-11-27", "2023-12-03"), ("2023-12-04", "2023-12-10"), ("2023-12-11", "2023-12-17"),
    ("2023-12-18", "2023-12-24"), ("2023-12-25", "2023-12-31"), ("2024-01-01", "2024-01-07"),
    ("2024-01-08", "2024-01-14"), ("2024-01-15", "2024-01-21"), ("2024-01-22", "2024-01-28"),
    ("2024-01-29", "2024-02-04"), ("2024-02-05", "2024-02-11"), ("2024-02-12", "2024-02-18"),
    ("2024-02-19", "2024-02-25"), ("2024-02-26", "2024-03-03"), ("2024-03-04", "2024-03-10"),
    ("2024-03-11", "2024-03-17"), ("2024-03-18", "2024-03-24"), ("2024-03-25", "2024-03-31"),
];

/// students-2 «… ежемесячно (каждая третья неделя месяца)»: days 15–21 (6).
#[rustfmt::skip]
const LAZO_STUDENTS_2: &[(&str, &str)] = &[
    ("2023-10-15", "2023-10-21"), ("2023-11-15", "2023-11-21"), ("2023-12-15", "2023-12-21"),
    ("2024-01-15", "2024-01-21"), ("2024-02-15", "2024-02-21"), ("2024-03-15", "2024-03-21"),
];

/// students-3 «… ежемесячно (каждая четвертая неделя месяца)»: days 22–28 (6).
#[rustfmt::skip]
const LAZO_STUDENTS_3: &[(&str, &str)] = &[
    ("2023-10-22", "2023-10-28"), ("2023-11-22", "2023-11-28"), ("2023-12-22", "2023-12-28"),
    ("2024-01-22", "2024-01-28"), ("2024-02-22", "2024-02-28"), ("2024-03-22", "2024-03-28"),
];

/// Every recurring activity of lazo-2023-2024 with all its occurrences.
const LAZO_RECURRING: &[(&str, Due)] = &[
    ("org-6", Due::Days(LAZO_ORG_6)),
    ("method-1", Due::Spans(LAZO_METHOD_1)),
    ("method-2", Due::Spans(LAZO_METHOD_2)),
    ("method-3", Due::Spans(LAZO_METHOD_3)),
    ("method-17", Due::Spans(LAZO_METHOD_17)),
    ("students-1", Due::Spans(LAZO_STUDENTS_1)),
    ("students-2", Due::Spans(LAZO_STUDENTS_2)),
    ("students-3", Due::Spans(LAZO_STUDENTS_3)),
];

/// Every non-recurring dated activity of lazo-2023-2024: kind and `(opens, due_date)` of each
/// occurrence. «до D» opens at the period start (01.09.2023); windows open on their first day.
#[rustfmt::skip]
const LAZO_DATED: &[(&str, &str, Dates)] = &[
    // «до 17 октября 2023 г.», «до 15 ноября 2023 г.»
    ("org-1", "once", &[("2023-09-01", "2023-10-17")]),
    ("org-2", "once", &[("2023-09-01", "2023-10-17")]),
    ("org-3", "once", &[("2023-09-01", "2023-10-17")]),
    ("org-4", "once", &[("2023-09-01", "2023-11-15")]),
    // «октябрь – ноябрь 2023 г.», «октябрь 2023 г. – март 2024 г.»
    ("org-7", "window", &[("2023-10-01", "2023-11-30")]),
    ("org-8", "window", &[("2023-10-01", "2024-03-31")]),
    ("org-9", "window", &[("2023-10-01", "2024-03-31")]),
    // «2 – 3 ноября 2023 г. 28 – 29 марта 2024 г.»: two windows
    ("method-4", "multiple", &[("2023-11-02", "2023-11-03"), ("2024-03-28", "2024-03-29")]),
    // «до 30 ноября 2023 г. до 30 апреля 2024 г.»: two one-offs, both open at the period start
    ("method-5", "multiple", &[("2023-09-01", "2023-11-30"), ("2023-09-01", "2024-04-30")]),
    ("method-6", "window", &[("2023-10-01", "2023-11-30")]),
    // «январь 2024 г. – февраль 2024 г.» (2024 is a leap year)
    ("method-7", "window", &[("2024-01-01", "2024-02-29")]),
    ("method-8", "window", &[("2023-10-01", "2024-05-31")]),
    ("method-9", "window", &[("2023-10-01", "2024-05-31")]),
    ("method-10", "window", &[("2023-11-01", "2024-04-30")]),
    // «ноябрь 2023 г. апрель 2024 г.» (no dash): two month windows
    ("method-11", "multiple", &[("2023-11-01", "2023-11-30"), ("2024-04-01", "2024-04-30")]),
    ("method-12", "window", &[("2023-10-01", "2023-10-31")]),
    ("method-13", "window", &[("2023-10-01", "2024-06-30")]),
    ("method-14", "window", &[("2023-10-01", "2024-05-31")]),
    ("method-15", "window", &[("2024-03-01", "2024-04-30")]),
    // «ноябрь, декабрь 2023 г., январь 2024 г.»: the year written once covers the earlier months
    ("method-16", "multiple", &[("2023-11-01", "2023-11-30"), ("2023-12-01", "2023-12-31"), ("2024-01-01", "2024-01-31")]),
    ("students-4", "multiple", &[("2023-10-01", "2023-10-31"), ("2023-12-01", "2023-12-31"), ("2024-03-01", "2024-03-31")]),
    ("students-5", "window", &[("2023-10-01", "2023-12-31")]),
    ("students-6", "multiple", &[("2023-10-01", "2023-11-30"), ("2024-01-01", "2024-02-29")]),
    ("students-7", "window", &[("2024-03-01", "2024-05-31")]),
    ("parents-1", "multiple", &[("2023-09-01", "2023-10-31"), ("2024-01-01", "2024-02-29")]),
    ("parents-2", "window", &[("2024-03-01", "2024-05-31")]),
];

/// Occurrences of every activity of lazo-2023-2024 (all joint: one per date).
#[rustfmt::skip]
const LAZO_COUNTS: &[(&str, usize)] = &[
    ("org-1", 1), ("org-2", 1), ("org-3", 1), ("org-4", 1),
    ("org-5", 0), // «Постоянно»: continuous
    ("org-6", 12), ("org-7", 1), ("org-8", 1), ("org-9", 1),
    ("method-1", 14), ("method-2", 6), ("method-3", 6), ("method-4", 2), ("method-5", 2), ("method-6", 1),
    ("method-7", 1), ("method-8", 1), ("method-9", 1), ("method-10", 1), ("method-11", 2), ("method-12", 1),
    ("method-13", 1), ("method-14", 1), ("method-15", 1), ("method-16", 3), ("method-17", 6),
    ("students-1", 27), ("students-2", 6), ("students-3", 6), ("students-4", 3), ("students-5", 1),
    ("students-6", 2), ("students-7", 1),
    ("parents-1", 2), ("parents-2", 1),
];

const LAZO_TOTAL: usize = 118;

#[test]
fn lazo_recurring_activity_dates() {
    let plan = plan(LAZO);
    for &(activity, due) in LAZO_RECURRING {
        assert_eq!(due_dates(&plan, activity), due.due_dates(), "{LAZO}/{activity}: due dates");
        assert_eq!(
            spans(&plan, activity, None),
            due.spans(),
            "{LAZO}/{activity}: (opens, due_date) of every occurrence"
        );
        for o in of(&plan, activity) {
            assert_eq!(text(o, "kind"), "recurring", "{LAZO}/{activity}: kind");
            assert!(o["executor"].is_null(), "{LAZO}/{activity}: joint work has no `executor`: {o}");
        }
    }

    // The weekly ones, first and last weeks spelled out: 01.10.2023 is a Sunday, so the first
    // week is that one day; 31.12.2023 and 31.03.2024 are Sundays, so the last weeks are whole.
    let pair = |o: &str, d: &str| (o.to_string(), d.to_string());
    let method_1 = spans(&plan, "method-1", None);
    assert_eq!(method_1.first(), Some(&pair("2023-10-01", "2023-10-01")), "{LAZO}/method-1: first week");
    assert_eq!(method_1.get(1), Some(&pair("2023-10-02", "2023-10-08")), "{LAZO}/method-1: second week");
    assert_eq!(method_1.last(), Some(&pair("2023-12-25", "2023-12-31")), "{LAZO}/method-1: last week");
    let students_1 = spans(&plan, "students-1", None);
    assert_eq!(students_1.first(), Some(&pair("2023-10-01", "2023-10-01")), "{LAZO}/students-1: first week");
    assert_eq!(students_1.get(1), Some(&pair("2023-10-02", "2023-10-08")), "{LAZO}/students-1: second week");
    assert_eq!(students_1.last(), Some(&pair("2024-03-25", "2024-03-31")), "{LAZO}/students-1: last week");

    // One occurrence in full: the example of docs/format.md.
    let ids = by_id(&plan);
    let org_6 = ids.get("lazo-2023-2024/org-6@2024-01-31").expect("occurrence lazo-2023-2024/org-6@2024-01-31");
    assert_eq!(text(org_6, "opens"), "2024-01-31", "org-6@2024-01-31: opens");
    assert_eq!(text(org_6, "due"), "2024-01-31T23:59:59+10:00", "org-6@2024-01-31: due");
    assert_eq!(org_6["executors"], serde_json::json!(["uo-lazo", "imc", "oo-heads"]), "org-6@2024-01-31: executors");
}

#[test]
fn lazo_one_off_window_and_list_dates() {
    let plan = plan(LAZO);
    for &(activity, kind, expected) in LAZO_DATED {
        let expected: Vec<(String, String)> = expected.iter().map(|(o, d)| (o.to_string(), d.to_string())).collect();
        assert_eq!(spans(&plan, activity, None), expected, "{LAZO}/{activity}: (opens, due_date) of every occurrence");
        for o in of(&plan, activity) {
            assert_eq!(text(o, "kind"), kind, "{LAZO}/{activity}: kind");
        }
    }
}

#[test]
fn lazo_occurrence_counts() {
    let plan = plan(LAZO);
    for &(activity, expected) in LAZO_COUNTS {
        assert_eq!(count(&plan, activity), expected, "{LAZO}/{activity}: number of occurrences");
    }
    assert_eq!(LAZO_COUNTS.iter().map(|(_, n)| n).sum::<usize>(), LAZO_TOTAL, "the table adds up");
    let known: HashSet<&str> = LAZO_COUNTS.iter().map(|(a, _)| *a).collect();
    for o in occurrences(&plan) {
        assert_eq!(text(o, "roadmap"), LAZO, "--roadmap {LAZO} lists only its own occurrences: {}", text(o, "id"));
        assert!(known.contains(text(o, "activity")), "unexpected activity in {}", text(o, "id"));
    }
    assert_eq!(occurrences(&plan).len(), LAZO_TOTAL, "{LAZO}: occurrences listed");
    assert_eq!(summary_occurrences(&plan), LAZO_TOTAL as u64, "{LAZO}: summary.occurrences");
}

#[test]
fn lazo_links() {
    let plan = plan(LAZO);
    let ids = by_id(&plan);
    let id = |occ: &str| format!("{LAZO}/{occ}");
    let cases: &[(&str, &[&str])] = &[
        ("org-1@2023-10-17", &[]),
        ("org-2@2023-10-17", &["org-1@2023-10-17"]),
        ("org-7@2023-11-30", &["method-12@2023-10-31"]),
        ("method-14@2024-05-31", &["method-12@2023-10-31"]),
        ("method-15@2024-04-30", &["org-7@2023-11-30"]),
        ("org-6@2023-10-25", &["org-3@2023-10-17"]),
        ("org-6@2024-08-28", &["org-3@2023-10-17"]),
        ("method-1@2023-10-22", &["org-3@2023-10-17"]),
        ("method-2@2023-11-07", &["org-3@2023-10-17"]),
        ("students-1@2023-10-22", &[]),
        ("method-3@2023-10-14", &[]),
    ];
    for &(occ, expected) in cases {
        assert_eq!(deps(&ids, &id(occ)), set(expected.iter().map(|e| id(e))), "depends_on of {occ}");
    }
}

// ------------------------------------------------------------------------------------------------
// khabarovsk-model-2023-2024 (period 01.10.2023 – 31.05.2024, Asia/Vladivostok)
// ------------------------------------------------------------------------------------------------

const KM: &str = "khabarovsk-model-2023-2024";

/// Every Tuesday of 01.10.2023–31.05.2024 (35).
#[rustfmt::skip]
const KM_TUESDAYS: &[&str] = &[
    "2023-10-03", "2023-10-10", "2023-10-17", "2023-10-24", "2023-10-31", "2023-11-07", "2023-11-14", "2023-11-21",
    "2023-11-28", "2023-12-05", "2023-12-12", "2023-12-19", "2023-12-26", "2024-01-02", "2024-01-09", "2024-01-16",
    "2024-01-23", "2024-01-30", "2024-02-06", "2024-02-13", "2024-02-20", "2024-02-27", "2024-03-05", "2024-03-12",
    "2024-03-19", "2024-03-26", "2024-04-02", "2024-04-09", "2024-04-16", "2024-04-23", "2024-04-30", "2024-05-07",
    "2024-05-14", "2024-05-21", "2024-05-28",
];

/// Every Wednesday of 01.10.2023–31.05.2024 (35).
#[rustfmt::skip]
const KM_WEDNESDAYS: &[&str] = &[
    "2023-10-04", "2023-10-11", "2023-10-18", "2023-10-25", "2023-11-01", "2023-11-08", "2023-11-15", "2023-11-22",
    "2023-11-29", "2023-12-06", "2023-12-13", "2023-12-20", "2023-12-27", "2024-01-03", "2024-01-10", "2024-01-17",
    "2024-01-24", "2024-01-31", "2024-02-07", "2024-02-14", "2024-02-21", "2024-02-28", "2024-03-06", "2024-03-13",
    "2024-03-20", "2024-03-27", "2024-04-03", "2024-04-10", "2024-04-17", "2024-04-24", "2024-05-01", "2024-05-08",
    "2024-05-15", "2024-05-22", "2024-05-29",
];

/// Every Friday of 01.10.2023–31.05.2024 (31.05.2024 is a Friday) (35).
#[rustfmt::skip]
const KM_FRIDAYS: &[&str] = &[
    "2023-10-06", "2023-10-13", "2023-10-20", "2023-10-27", "2023-11-03", "2023-11-10", "2023-11-17", "2023-11-24",
    "2023-12-01", "2023-12-08", "2023-12-15", "2023-12-22", "2023-12-29", "2024-01-05", "2024-01-12", "2024-01-19",
    "2024-01-26", "2024-02-02", "2024-02-09", "2024-02-16", "2024-02-23", "2024-03-01", "2024-03-08", "2024-03-15",
    "2024-03-22", "2024-03-29", "2024-04-05", "2024-04-12", "2024-04-19", "2024-04-26", "2024-05-03", "2024-05-10",
    "2024-05-17", "2024-05-24", "2024-05-31",
];

/// Every Saturday of 01.10.2023–31.05.2024 (34).
#[rustfmt::skip]
const KM_SATURDAYS: &[&str] = &[
    "2023-10-07", "2023-10-14", "2023-10-21", "2023-10-28", "2023-11-04", "2023-11-11", "2023-11-18", "2023-11-25",
    "2023-12-02", "2023-12-09", "2023-12-16", "2023-12-23", "2023-12-30", "2024-01-06", "2024-01-13", "2024-01-20",
    "2024-01-27", "2024-02-03", "2024-02-10", "2024-02-17", "2024-02-24", "2024-03-02", "2024-03-09", "2024-03-16",
    "2024-03-23", "2024-03-30", "2024-04-06", "2024-04-13", "2024-04-20", "2024-04-27", "2024-05-04", "2024-05-11",
    "2024-05-18", "2024-05-25",
];

/// «ЕЖЕНЕДЕЛЬНО ОКТЯБРЬ 2023 – май 2024»: Monday–Sunday weeks clipped to 01.10.2023 (a Sunday) …
/// 31.05.2024 (a Friday) (36).
#[rustfmt::skip]
const KM_WEEKS_OCT_MAY: &[(&str, &str)] = &[
    ("2023-10-01", "2023-10-01"), ("2023-10-02", "2023-10-08"), ("2023-10-09", "2023-10-15"),
    ("2023-10-16", "2023-10-22"), ("2023-10-23", "2023-10-29"), ("2023-10-30", "2023-11-05"),
    ("2023-11-06", "2023-11-12"), ("2023-11-13", "2023-11-19"), ("2023-11-20", "2023-11-26"),
    ("2023-11-27", "2023-12-03"), ("2023-12-04", "2023-12-10"), ("2023-12-11", "2023-12-17"),
    ("2023-12-18", "2023-12-24"), ("2023-12-25", "2023-12-31"), ("2024-01-01", "2024-01-07"),
    ("2024-01-08", "2024-01-14"), ("2024-01-15", "2024-01-21"), ("2024-01-22", "2024-01-28"),
    ("2024-01-29", "2024-02-04"), ("2024-02-05", "2024-02-11"), ("2024-02-12", "2024-02-18"),
    ("2024-02-19", "2024-02-25"), ("2024-02-26", "2024-03-03"), ("2024-03-04", "2024-03-10"),
    ("2024-03-11", "2024-03-17"), ("2024-03-18", "2024-03-24"), ("2024-03-25", "2024-03-31"),
    ("2024-04-01", "2024-04-07"), ("2024-04-08", "2024-04-14"), ("2024-04-15", "2024-04-21"),
    ("2024-04-22", "2024-04-28"), ("2024-04-29", "2024-05-05"), ("2024-05-06", "2024-05-12"),
    ("2024-05-13", "2024-05-19"), ("2024-05-20", "2024-05-26"), ("2024-05-27", "2024-05-31"),
];

/// «ЕЖЕНЕДЕЛЬНО ФЕВРАЛЬ - МАЙ» (2024): Monday–Sunday weeks clipped to 01.02.2024 (a Thursday) …
/// 31.05.2024 (a Friday) (18).
#[rustfmt::skip]
const KM_WEEKS_FEB_MAY: &[(&str, &str)] = &[
    ("2024-02-01", "2024-02-04"), ("2024-02-05", "2024-02-11"), ("2024-02-12", "2024-02-18"),
    ("2024-02-19", "2024-02-25"), ("2024-02-26", "2024-03-03"), ("2024-03-04", "2024-03-10"),
    ("2024-03-11", "2024-03-17"), ("2024-03-18", "2024-03-24"), ("2024-03-25", "2024-03-31"),
    ("2024-04-01", "2024-04-07"), ("2024-04-08", "2024-04-14"), ("2024-04-15", "2024-04-21"),
    ("2024-04-22", "2024-04-28"), ("2024-04-29", "2024-05-05"), ("2024-05-06", "2024-05-12"),
    ("2024-05-13", "2024-05-19"), ("2024-05-20", "2024-05-26"), ("2024-05-27", "2024-05-31"),
];

/// «1 неделя» over the period: days 1–7 of October 2023 … May 2024 (8).
#[rustfmt::skip]
const KM_WEEK_1: &[(&str, &str)] = &[
    ("2023-10-01", "2023-10-07"), ("2023-11-01", "2023-11-07"), ("2023-12-01", "2023-12-07"),
    ("2024-01-01", "2024-01-07"), ("2024-02-01", "2024-02-07"), ("2024-03-01", "2024-03-07"),
    ("2024-04-01", "2024-04-07"), ("2024-05-01", "2024-05-07"),
];

/// «2 неделя» over the period: days 8–14 of October 2023 … May 2024 (8).
#[rustfmt::skip]
const KM_WEEK_2: &[(&str, &str)] = &[
    ("2023-10-08", "2023-10-14"), ("2023-11-08", "2023-11-14"), ("2023-12-08", "2023-12-14"),
    ("2024-01-08", "2024-01-14"), ("2024-02-08", "2024-02-14"), ("2024-03-08", "2024-03-14"),
    ("2024-04-08", "2024-04-14"), ("2024-05-08", "2024-05-14"),
];

/// «3 неделя» over the period: days 15–21 of October 2023 … May 2024 (8).
#[rustfmt::skip]
const KM_WEEK_3: &[(&str, &str)] = &[
    ("2023-10-15", "2023-10-21"), ("2023-11-15", "2023-11-21"), ("2023-12-15", "2023-12-21"),
    ("2024-01-15", "2024-01-21"), ("2024-02-15", "2024-02-21"), ("2024-03-15", "2024-03-21"),
    ("2024-04-15", "2024-04-21"), ("2024-05-15", "2024-05-21"),
];

/// «4 неделя» over the period: days 22–28 of October 2023 … May 2024 (8).
#[rustfmt::skip]
const KM_WEEK_4: &[(&str, &str)] = &[
    ("2023-10-22", "2023-10-28"), ("2023-11-22", "2023-11-28"), ("2023-12-22", "2023-12-28"),
    ("2024-01-22", "2024-01-28"), ("2024-02-22", "2024-02-28"), ("2024-03-22", "2024-03-28"),
    ("2024-04-22", "2024-04-28"), ("2024-05-22", "2024-05-28"),
];

/// «ЕЖЕМЕСЯЧНО ОКТАБРЬ 2023 – МАЙ 2024»: calendar months (8).
#[rustfmt::skip]
const KM_MONTHS_OCT_MAY: &[(&str, &str)] = &[
    ("2023-10-01", "2023-10-31"), ("2023-11-01", "2023-11-30"), ("2023-12-01", "2023-12-31"),
    ("2024-01-01", "2024-01-31"), ("2024-02-01", "2024-02-29"), ("2024-03-01", "2024-03-31"),
    ("2024-04-01", "2024-04-30"), ("2024-05-01", "2024-05-31"),
];

/// «ЕЖЕМЕСЯЧНО ФЕВРАЛЬ - АПРЕЛЬ»: calendar months of 2024 (3).
#[rustfmt::skip]
const KM_MONTHS_FEB_APR: &[(&str, &str)] = &[
    ("2024-02-01", "2024-02-29"), ("2024-03-01", "2024-03-31"), ("2024-04-01", "2024-04-30"),
];

/// «до 13.10.2023»: opens at the period start.
const KM_BY_13_OCT: &[(&str, &str)] = &[("2023-10-01", "2023-10-13")];
/// «до 31 января 2024 г.»: opens at the period start.
const KM_BY_31_JAN: &[(&str, &str)] = &[("2023-10-01", "2024-01-31")];
/// «октябрь 2023 г. – май 2024 г.»: one window, the whole period.
const KM_OCT_MAY: &[(&str, &str)] = &[("2023-10-01", "2024-05-31")];

const JOINT: bool = false;
const PER_DISTRICT: bool = true;

/// Every activity of khabarovsk-model-2023-2024: kind, whether it is done by each of the 19
/// districts (`for_each`), and its occurrences (per district for `for_each` ones).
#[rustfmt::skip]
const KM_ACTIVITIES: &[(&str, &str, bool, Due)] = &[
    // weekly cycle, day 1 → day 5
    ("w-d1-webinars", "recurring", JOINT, Due::Days(KM_TUESDAYS)),           // «каждый ВТОРНИК», whole period
    ("w-d1-materials", "recurring", JOINT, Due::Days(KM_TUESDAYS)),          // «… еженедельно, по вторникам»
    ("w-d2-webinars", "recurring", JOINT, Due::Days(KM_FRIDAYS)),            // «… еженедельно, по пятницам»
    ("w-d2-groups", "once", JOINT, Due::Spans(KM_BY_13_OCT)),
    ("w-d2-materials", "recurring", JOINT, Due::Days(KM_FRIDAYS)),
    ("w-d2-report-isro", "recurring", JOINT, Due::Spans(KM_WEEKS_OCT_MAY)),  // «ЕЖЕНЕДЕЛЬНО ОКТЯБРЬ 2023 – май 2024»
    ("w-d3-join", "once", PER_DISTRICT, Due::Spans(KM_BY_13_OCT)),
    ("w-d3-inform", "recurring", PER_DISTRICT, Due::Days(KM_TUESDAYS)),
    ("w-d3-collect", "recurring", PER_DISTRICT, Due::Days(KM_SATURDAYS)),    // «еженедельно, суббота до 18.00»
    ("w-d3-report", "recurring", PER_DISTRICT, Due::Days(KM_SATURDAYS)),     // «суббота до 18.00»
    ("w-d4-correction", "recurring", PER_DISTRICT, Due::Days(KM_WEDNESDAYS)),// «… еженедельно, по средам»
    ("w-d4-hours", "recurring", PER_DISTRICT, Due::Days(KM_WEDNESDAYS)),
    ("w-d4-organise", "recurring", PER_DISTRICT, Due::Days(KM_WEDNESDAYS)),
    ("w-d4-send", "recurring", PER_DISTRICT, Due::Days(KM_SATURDAYS)),       // «в субботу до 18.00»
    ("w-d5-practicum", "recurring", PER_DISTRICT, Due::Days(KM_FRIDAYS)),
    ("w-d5-homework", "recurring", PER_DISTRICT, Due::Days(KM_FRIDAYS)),
    ("w-d5-analytics", "recurring", PER_DISTRICT, Due::Days(KM_FRIDAYS)),
    // monthly cycle, weeks 1–4
    ("m-w1-webinar", "recurring", JOINT, Due::Spans(KM_WEEK_1)),             // «1 неделя»
    ("m-w1-practicum", "recurring", JOINT, Due::Spans(KM_WEEK_1)),
    ("m-w2-cases", "recurring", PER_DISTRICT, Due::Spans(KM_WEEK_2)),        // «2 неделя»
    ("m-w3-practicum", "recurring", PER_DISTRICT, Due::Spans(KM_WEEK_3)),    // «3 неделя»
    ("m-cluster-seminars", "recurring", JOINT, Due::Spans(KM_MONTHS_OCT_MAY)),
    ("m-w4-check", "recurring", PER_DISTRICT, Due::Spans(KM_WEEK_4)),        // «4 неделя»
    // profile courses
    ("p-pk-course-1", "window", JOINT, Due::Spans(KM_OCT_MAY)),
    ("p-pk-course-2", "window", JOINT, Due::Spans(KM_OCT_MAY)),
    // the ten 2024 intensives: «20.02-26.02» … «23.04-29.04», no year, read in 2024
    ("u-intensive-01", "window", JOINT, Due::Spans(&[("2024-02-20", "2024-02-26")])),
    ("u-intensive-02", "window", JOINT, Due::Spans(&[("2024-02-27", "2024-03-04")])),
    ("u-intensive-03", "window", JOINT, Due::Spans(&[("2024-03-05", "2024-03-11")])),
    ("u-intensive-04", "window", JOINT, Due::Spans(&[("2024-03-12", "2024-03-18")])),
    ("u-intensive-05", "window", JOINT, Due::Spans(&[("2024-03-19", "2024-03-25")])),
    ("u-intensive-06", "window", JOINT, Due::Spans(&[("2024-03-26", "2024-04-01")])),
    ("u-intensive-07", "window", JOINT, Due::Spans(&[("2024-04-02", "2024-04-08")])),
    ("u-intensive-08", "window", JOINT, Due::Spans(&[("2024-04-09", "2024-04-15")])),
    ("u-intensive-09", "window", JOINT, Due::Spans(&[("2024-04-16", "2024-04-22")])),
    ("u-intensive-10", "window", JOINT, Due::Spans(&[("2024-04-23", "2024-04-29")])),
    ("u-monthly-feb-apr", "recurring", JOINT, Due::Spans(KM_MONTHS_FEB_APR)), // «ЕЖЕМЕСЯЧНО ФЕВРАЛЬ - АПРЕЛЬ»
    // online school, set-up stage
    ("os-setup-content", "once", JOINT, Due::Spans(KM_BY_31_JAN)),
    ("os-setup-tasks", "once", JOINT, Due::Spans(KM_BY_31_JAN)),
    ("os-setup-homework", "once", JOINT, Due::Spans(KM_BY_31_JAN)),
    ("os-setup-omsu", "once", PER_DISTRICT, Due::Spans(KM_BY_31_JAN)),
    ("os-setup-inform", "once", PER_DISTRICT, Due::Spans(KM_BY_31_JAN)),
    ("os-setup-participation", "once", PER_DISTRICT, Due::Spans(KM_BY_31_JAN)),
    ("os-setup-school-homework", "once", PER_DISTRICT, Due::Spans(KM_BY_31_JAN)),
    // online school, weekly run «ЕЖЕНЕДЕЛЬНО ФЕВРАЛЬ - МАЙ»
    ("os-run-method", "recurring", JOINT, Due::Spans(KM_WEEKS_FEB_MAY)),
    ("os-run-moderation", "recurring", JOINT, Due::Spans(KM_WEEKS_FEB_MAY)),
    ("os-run-omsu-control", "recurring", PER_DISTRICT, Due::Spans(KM_WEEKS_FEB_MAY)),
    ("os-run-coord-report", "recurring", PER_DISTRICT, Due::Spans(KM_WEEKS_FEB_MAY)),
    ("os-run-school-control", "recurring", PER_DISTRICT, Due::Spans(KM_WEEKS_FEB_MAY)),
    ("os-run-school-reports", "recurring", PER_DISTRICT, Due::Spans(KM_WEEKS_FEB_MAY)),
    ("os-run-lessons", "recurring", PER_DISTRICT, Due::Spans(KM_WEEKS_FEB_MAY)),
    ("os-run-check", "recurring", PER_DISTRICT, Due::Spans(KM_WEEKS_FEB_MAY)),
    ("os-run-extra", "recurring", PER_DISTRICT, Due::Spans(KM_WEEKS_FEB_MAY)),
];

/// Σ dates × (1 or 19) over KM_ACTIVITIES, written out.
const KM_TOTAL: usize = 9793;

#[test]
fn regional_model_recurring_activity_dates() {
    let plan = plan(KM);
    let index = index(&plan);
    let districts: BTreeSet<String> = set(DISTRICTS);
    let mut total = 0;
    for &(activity, kind, per_district, due) in KM_ACTIVITIES {
        let expected = due.spans();
        let occurrences = of(&plan, activity);
        assert_eq!(due_dates(&plan, activity), due.due_dates(), "{KM}/{activity}: due dates");
        let executors: BTreeSet<Option<String>> =
            index.keys().filter(|(a, _)| a == activity).map(|(_, e)| e.clone()).collect();
        if per_district {
            let each_district: BTreeSet<Option<String>> = districts.iter().cloned().map(Some).collect();
            assert_eq!(
                executors, each_district,
                "{KM}/{activity}: one occurrence per district (for_each), no joint ones"
            );
            for member in DISTRICTS {
                assert_eq!(
                    index.get(&(activity.to_string(), Some(member.to_string()))),
                    Some(&expected),
                    "{KM}/{activity}: (opens, due_date) of {member}"
                );
            }
            assert_eq!(occurrences.len(), expected.len() * 19, "{KM}/{activity}: dates × 19 districts");
        } else {
            assert_eq!(executors, BTreeSet::from([None::<String>]), "{KM}/{activity}: joint work, no `executor`");
            assert_eq!(
                index.get(&(activity.to_string(), None)),
                Some(&expected),
                "{KM}/{activity}: (opens, due_date) of every occurrence"
            );
            assert_eq!(occurrences.len(), expected.len(), "{KM}/{activity}: one occurrence per date");
        }
        for o in &occurrences {
            assert_eq!(text(o, "kind"), kind, "{KM}/{activity}: kind");
        }
        total += occurrences.len();
    }

    // The district of the examples, spelled out.
    assert_eq!(
        spans(&plan, "w-d3-report", Some("mo-lazo")).first(),
        Some(&("2023-10-07".to_string(), "2023-10-07".to_string())),
        "{KM}/w-d3-report: first Saturday of mo-lazo"
    );
    let ids = by_id(&plan);
    let report = ids
        .get("khabarovsk-model-2023-2024/w-d3-report@2023-10-07/mo-lazo")
        .expect("occurrence khabarovsk-model-2023-2024/w-d3-report@2023-10-07/mo-lazo");
    assert_eq!(text(report, "due"), "2023-10-07T18:00:00+10:00", "w-d3-report: «суббота до 18.00»");
    assert_eq!(text(report, "executor"), "mo-lazo", "w-d3-report: executor");
    let first_week =
        ids.get("khabarovsk-model-2023-2024/w-d2-report-isro@2023-10-01").expect("w-d2-report-isro@2023-10-01");
    assert_eq!(text(first_week, "opens"), "2023-10-01", "w-d2-report-isro: the first week is Sunday 01.10.2023 alone");
    let last_week = ids
        .get("khabarovsk-model-2023-2024/os-run-lessons@2024-05-31/mo-lazo")
        .expect("os-run-lessons@2024-05-31/mo-lazo");
    assert_eq!(
        text(last_week, "opens"),
        "2024-05-27",
        "os-run-lessons: the last week is Monday 27.05 – Friday 31.05.2024"
    );

    assert_eq!(total, KM_TOTAL, "{KM}: occurrences of the listed activities");
    let known: HashSet<&str> = KM_ACTIVITIES.iter().map(|(a, ..)| *a).collect();
    for o in occurrences(&plan) {
        assert!(known.contains(text(o, "activity")), "unexpected activity in {}", text(o, "id"));
    }
    assert_eq!(occurrences(&plan).len(), KM_TOTAL, "{KM}: occurrences listed");
    assert_eq!(summary_occurrences(&plan), KM_TOTAL as u64, "{KM}: summary.occurrences");
}

/// `khabarovsk-model-2023-2024/<occ>`.
fn km(occ: &str) -> String {
    format!("{KM}/{occ}")
}

#[test]
fn regional_model_weekly_chain_links() {
    // The week Monday 16.10 – Sunday 22.10.2023: Tue 17, Wed 18, Fri 20, Sat 21, Sun 22.
    let plan = plan(KM);
    let ids = by_id(&plan);

    // Day 1 (ИСРО, Tuesday): no prerequisites.
    assert_eq!(deps(&ids, &km("w-d1-webinars@2023-10-17")), none(), "w-d1-webinars@2023-10-17");
    assert_eq!(deps(&ids, &km("w-d1-materials@2023-10-17")), none(), "w-d1-materials@2023-10-17");
    // Day 2 (ХК ИРО, Friday) after day 1 of the same week.
    assert_eq!(
        deps(&ids, &km("w-d2-webinars@2023-10-20")),
        set([km("w-d1-webinars@2023-10-17")]),
        "w-d2-webinars@2023-10-20"
    );
    assert_eq!(
        deps(&ids, &km("w-d2-materials@2023-10-20")),
        set([km("w-d1-materials@2023-10-17")]),
        "w-d2-materials@2023-10-20"
    );

    for m in DISTRICTS {
        let d = |occ: &str| deps(&ids, &km(&format!("{occ}/{m}")));
        // Day 3 (coordinators, Tuesday) after the one-off groups of 13.10.
        assert_eq!(d("w-d3-inform@2023-10-17"), set([km("w-d2-groups@2023-10-13")]), "w-d3-inform@2023-10-17/{m}");
        // Day 4 (school teams, Wednesday) after day 3 of the same district and week.
        for day4 in ["w-d4-correction", "w-d4-hours", "w-d4-organise"] {
            assert_eq!(
                d(&format!("{day4}@2023-10-18")),
                set([km(&format!("w-d3-inform@2023-10-17/{m}"))]),
                "{day4}@2023-10-18/{m}"
            );
        }
        // Day 5 (teachers, Friday) after day 4 (same district) and the joint day-2 materials.
        assert_eq!(
            d("w-d5-practicum@2023-10-20"),
            set([km(&format!("w-d4-correction@2023-10-18/{m}")), km(&format!("w-d4-hours@2023-10-18/{m}"))]),
            "w-d5-practicum@2023-10-20/{m}"
        );
        assert_eq!(
            d("w-d5-homework@2023-10-20"),
            set([km("w-d2-materials@2023-10-20"), km(&format!("w-d5-practicum@2023-10-20/{m}"))]),
            "w-d5-homework@2023-10-20/{m}"
        );
        assert_eq!(
            d("w-d5-analytics@2023-10-20"),
            set([km(&format!("w-d4-organise@2023-10-18/{m}")), km(&format!("w-d5-homework@2023-10-20/{m}"))]),
            "w-d5-analytics@2023-10-20/{m}"
        );
        // Reporting back up on Saturday 18:00.
        assert_eq!(
            d("w-d4-send@2023-10-21"),
            set([km(&format!("w-d5-analytics@2023-10-20/{m}"))]),
            "w-d4-send@2023-10-21/{m}"
        );
        assert_eq!(
            d("w-d3-collect@2023-10-21"),
            set([
                km("w-d2-webinars@2023-10-20"),
                km("w-d2-materials@2023-10-20"),
                km(&format!("w-d4-send@2023-10-21/{m}")),
            ]),
            "w-d3-collect@2023-10-21/{m}"
        );
        assert_eq!(
            d("w-d3-report@2023-10-21"),
            set([km(&format!("w-d3-collect@2023-10-21/{m}"))]),
            "w-d3-report@2023-10-21/{m}"
        );
    }

    // Joint after per-district: ХК ИРО's Sunday report waits for every district's Saturday report.
    assert_eq!(
        deps(&ids, &km("w-d2-report-isro@2023-10-22")),
        set(DISTRICTS.map(|m| km(&format!("w-d3-report@2023-10-21/{m}")))),
        "w-d2-report-isro@2023-10-22"
    );
}

#[test]
fn regional_model_monthly_and_online_school_links() {
    let plan = plan(KM);
    let ids = by_id(&plan);

    // Monthly cycle, November 2023: week 1 (1–7) → week 2 (8–14) → week 3 (15–21) → week 4 (22–28).
    assert_eq!(deps(&ids, &km("m-w1-webinar@2023-11-07")), none(), "m-w1-webinar@2023-11-07");
    assert_eq!(
        deps(&ids, &km("m-w1-practicum@2023-11-07")),
        set([km("m-w1-webinar@2023-11-07")]),
        "m-w1-practicum@2023-11-07"
    );
    for m in DISTRICTS {
        let d = |occ: &str| deps(&ids, &km(&format!("{occ}/{m}")));
        assert_eq!(d("m-w2-cases@2023-11-14"), set([km("m-w1-practicum@2023-11-07")]), "m-w2-cases@2023-11-14/{m}");
        assert_eq!(
            d("m-w3-practicum@2023-11-21"),
            set([km(&format!("m-w2-cases@2023-11-14/{m}"))]),
            "m-w3-practicum@2023-11-21/{m}"
        );
        assert_eq!(
            d("m-w4-check@2023-11-28"),
            set([km(&format!("m-w3-practicum@2023-11-21/{m}"))]),
            "m-w4-check@2023-11-28/{m}"
        );
    }

    // Online school set-up (all due 31.01.2024).
    assert_eq!(
        deps(&ids, &km("os-setup-tasks@2024-01-31")),
        set([km("os-setup-content@2024-01-31")]),
        "os-setup-tasks"
    );
    // Online school run, the week 05.02 – 11.02.2024 (due Sunday 11.02).
    assert_eq!(
        deps(&ids, &km("os-run-method@2024-02-11")),
        set([km("os-setup-tasks@2024-01-31")]),
        "os-run-method@2024-02-11"
    );
    for m in DISTRICTS {
        let d = |occ: &str| deps(&ids, &km(&format!("{occ}/{m}")));
        let own = |occ: &str| km(&format!("{occ}/{m}"));
        assert_eq!(d("os-setup-inform@2024-01-31"), set([own("os-setup-omsu@2024-01-31")]), "os-setup-inform/{m}");
        assert_eq!(
            d("os-setup-school-homework@2024-01-31"),
            set([km("os-setup-homework@2024-01-31"), own("os-setup-inform@2024-01-31")]),
            "os-setup-school-homework/{m}"
        );
        assert_eq!(
            d("os-run-lessons@2024-02-11"),
            set([own("os-setup-participation@2024-01-31"), km("os-run-method@2024-02-11")]),
            "os-run-lessons@2024-02-11/{m}"
        );
        assert_eq!(
            d("os-run-check@2024-02-11"),
            set([own("os-setup-school-homework@2024-01-31"), own("os-run-lessons@2024-02-11")]),
            "os-run-check@2024-02-11/{m}"
        );
        assert_eq!(d("os-run-extra@2024-02-11"), set([own("os-run-check@2024-02-11")]), "os-run-extra@2024-02-11/{m}");
        assert_eq!(
            d("os-run-school-reports@2024-02-11"),
            set([own("os-run-check@2024-02-11")]),
            "os-run-school-reports@2024-02-11/{m}"
        );
        assert_eq!(
            d("os-run-coord-report@2024-02-11"),
            set([own("os-setup-inform@2024-01-31"), own("os-run-school-reports@2024-02-11")]),
            "os-run-coord-report@2024-02-11/{m}"
        );
        assert_eq!(
            d("os-run-omsu-control@2024-02-11"),
            set([own("os-setup-omsu@2024-01-31"), own("os-run-coord-report@2024-02-11")]),
            "os-run-omsu-control@2024-02-11/{m}"
        );
    }
    assert_eq!(
        deps(&ids, &km("os-run-moderation@2024-02-11")),
        set(DISTRICTS.map(|m| km(&format!("os-run-check@2024-02-11/{m}")))),
        "os-run-moderation@2024-02-11: joint after per-district"
    );
}

// ------------------------------------------------------------------------------------------------
// The protocol and the two letters
// ------------------------------------------------------------------------------------------------

const COUNCIL: &str = "council-2021-06-03";
const AMUR: &str = "amur-school-project-2024";
const KM_2024: &str = "khabarovsk-model-2024-2025";

/// A one-off or window activity (or decision): whether each district does it (`for_each`), its
/// single `(opens, due_date)` (`None`: no occurrences), and the `depends_on` of its occurrence(s).
type OneOff = (&'static str, bool, Option<(&'static str, &'static str)>, &'static [&'static str]);

/// Protocol council-2021-06-03 (period 03.06 – 31.12.2021): every decision. «Срок: до D» opens at
/// the period start, 03.06.2021; decisions without `due` (d1, d2, d3, d3-1, d4) have no
/// occurrences, so d3-3 (after d3-1) has nothing to depend on.
#[rustfmt::skip]
const COUNCIL_DECISIONS: &[OneOff] = &[
    ("d1", JOINT, None, &[]),
    ("d2", JOINT, None, &[]),
    ("d2-1", JOINT, Some(("2021-06-03", "2021-06-15")), &[]),
    ("d2-2", JOINT, Some(("2021-06-03", "2021-08-10")), &["d4-2@2021-06-30"]),
    ("d3", PER_DISTRICT, None, &[]),
    ("d3-1", PER_DISTRICT, None, &[]),
    ("d3-2", PER_DISTRICT, Some(("2021-06-03", "2021-06-05")), &[]),
    ("d3-3", PER_DISTRICT, Some(("2021-06-03", "2021-07-01")), &[]),
    ("d4", JOINT, None, &[]),
    ("d4-1", JOINT, Some(("2021-06-03", "2021-06-18")), &[]),
    ("d4-2", JOINT, Some(("2021-06-03", "2021-06-30")), &["d4-1@2021-06-18"]),
];
const COUNCIL_TOTAL: usize = 42; // 4 joint + 2 × 19

/// Letter amur-school-project-2024 (period 22.01 – 31.12.2024, Asia/Yakutsk): «в срок до
/// 20.02.2024», «в срок до 04.03.2024», opening at the period start.
#[rustfmt::skip]
const AMUR_STEPS: &[OneOff] = &[
    ("step-1", JOINT, Some(("2024-01-22", "2024-02-20")), &[]),
    ("step-2-1", JOINT, Some(("2024-01-22", "2024-02-20")), &[]),
    ("step-2-2", JOINT, Some(("2024-01-22", "2024-02-20")), &[]),
    ("step-2-3", JOINT, Some(("2024-01-22", "2024-02-20")), &["step-1@2024-02-20", "step-2-2@2024-02-20"]),
    ("step-2-4", JOINT, Some(("2024-01-22", "2024-02-20")), &[]),
    ("step-2-5", JOINT, Some(("2024-01-22", "2024-03-04")), &["step-2-4@2024-02-20"]),
];
const AMUR_TOTAL: usize = 6;

/// Letter khabarovsk-model-2024-2025 (period 01.09.2024 – 31.08.2025): «постоянно» has no
/// occurrences; «в 2024-2025 уч. году» is the school-year window, once per district.
#[rustfmt::skip]
const KM_2024_REQUESTS: &[OneOff] = &[
    ("join-groups", PER_DISTRICT, None, &[]),
    ("support-model", PER_DISTRICT, Some(("2024-09-01", "2025-08-31")), &[]),
];
const KM_2024_TOTAL: usize = 19;

fn check_one_offs(roadmap: &str, table: &[OneOff], kind: &str, offset: &str, total: usize) {
    let plan = plan(roadmap);
    let ids = by_id(&plan);
    for &(activity, per_district, span, after) in table {
        let Some((opens, due)) = span else {
            assert_eq!(count(&plan, activity), 0, "{roadmap}/{activity}: no occurrences");
            continue;
        };
        let expected = vec![(opens.to_string(), due.to_string())];
        let expected_deps = set(after.iter().map(|a| format!("{roadmap}/{a}")));
        assert_eq!(due_dates(&plan, activity), vec![due.to_string()], "{roadmap}/{activity}: due dates");
        let executors: Vec<Option<String>> = if per_district {
            assert!(spans(&plan, activity, None).is_empty(), "{roadmap}/{activity}: no joint occurrence");
            DISTRICTS.iter().map(|m| Some(m.to_string())).collect()
        } else {
            vec![None]
        };
        assert_eq!(count(&plan, activity), executors.len(), "{roadmap}/{activity}: number of occurrences");
        for executor in &executors {
            let who = executor.as_deref().unwrap_or("joint");
            assert_eq!(
                spans(&plan, activity, executor.as_deref()),
                expected,
                "{roadmap}/{activity} ({who}): (opens, due_date)"
            );
            let id = match executor {
                Some(m) => format!("{roadmap}/{activity}@{due}/{m}"),
                None => format!("{roadmap}/{activity}@{due}"),
            };
            let o = ids.get(id.as_str()).unwrap_or_else(|| panic!("no occurrence `{id}`"));
            assert_eq!(text(o, "due"), format!("{due}T23:59:59{offset}"), "{id}: due instant");
            assert_eq!(text(o, "kind"), kind, "{id}: kind");
            assert_eq!(deps(&ids, &id), expected_deps, "{id}: depends_on");
        }
    }
    assert_eq!(occurrences(&plan).len(), total, "{roadmap}: occurrences listed");
    assert_eq!(summary_occurrences(&plan), total as u64, "{roadmap}: summary.occurrences");
}

#[test]
fn protocol_and_letters() {
    check_one_offs(COUNCIL, COUNCIL_DECISIONS, "once", "+10:00", COUNCIL_TOTAL);
    check_one_offs(AMUR, AMUR_STEPS, "once", "+09:00", AMUR_TOTAL);
    check_one_offs(KM_2024, KM_2024_REQUESTS, "window", "+10:00", KM_2024_TOTAL);

    // Joint decisions carry the addressees as written.
    let council = plan(COUNCIL);
    let ids = by_id(&council);
    let d4_1 = ids.get("council-2021-06-03/d4-1@2021-06-18").expect("council-2021-06-03/d4-1@2021-06-18");
    assert_eq!(d4_1["executors"], serde_json::json!(["khk-iro", "rcoko"]), "d4-1: executors");
    assert!(d4_1["executor"].is_null(), "d4-1: joint");
}

// ------------------------------------------------------------------------------------------------
// Every occurrence of every roadmap
// ------------------------------------------------------------------------------------------------

/// UTC offsets of the roadmaps' time zones on every due date (neither zone has DST).
const OFFSETS: &[(&str, &str, usize)] = &[
    (LAZO, "+10:00", LAZO_TOTAL),       // Asia/Vladivostok
    (KM, "+10:00", KM_TOTAL),           // Asia/Vladivostok
    (COUNCIL, "+10:00", COUNCIL_TOTAL), // Asia/Vladivostok
    (AMUR, "+09:00", AMUR_TOTAL),       // Asia/Yakutsk
    (KM_2024, "+10:00", KM_2024_TOTAL), // Asia/Vladivostok
];

/// The activities whose phrase has a time: «суббота до 18.00», «еженедельно, суббота до 18.00»,
/// «в субботу до 18.00».
const AT_18: &[(&str, &str)] = &[(KM, "w-d3-collect"), (KM, "w-d3-report"), (KM, "w-d4-send")];

#[test]
fn every_occurrence_is_well_formed() {
    let plan = run_plan(None);
    let all = occurrences(&plan);
    let total: usize = OFFSETS.iter().map(|(_, _, n)| n).sum();
    assert_eq!(total, 9978, "the per-roadmap totals add up");
    assert_eq!(all.len(), total, "occurrences of all roadmaps");
    assert_eq!(summary_occurrences(&plan), total as u64, "summary.occurrences of all roadmaps");

    let offsets: HashMap<&str, &str> = OFFSETS.iter().map(|(r, o, _)| (*r, *o)).collect();
    let mut per_roadmap: BTreeMap<&str, usize> = BTreeMap::new();
    let mut ids: HashSet<&str> = HashSet::new();
    for o in all {
        let id = text(o, "id");
        assert!(ids.insert(id), "duplicate occurrence id `{id}`");
    }
    let mut previous_due = "";
    for o in all {
        let id = text(o, "id");
        let roadmap = text(o, "roadmap");
        let activity = text(o, "activity");
        let due_date = text(o, "due_date");
        let opens = text(o, "opens");
        *per_roadmap.entry(roadmap).or_default() += 1;

        let expected_id = match executor_of(o) {
            Some(e) => format!("{roadmap}/{activity}@{due_date}/{e}"),
            None => format!("{roadmap}/{activity}@{due_date}"),
        };
        assert_eq!(id, expected_id, "id of an occurrence of {roadmap}/{activity}");
        assert!(
            opens.len() == 10 && due_date.len() == 10 && opens <= due_date,
            "{id}: opens {opens} must be a date on or before due_date {due_date}"
        );
        let offset = offsets.get(roadmap).unwrap_or_else(|| panic!("{id}: unknown roadmap `{roadmap}`"));
        let time = if AT_18.contains(&(roadmap, activity)) { "18:00:00" } else { "23:59:59" };
        assert_eq!(text(o, "due"), format!("{due_date}T{time}{offset}"), "{id}: due instant");
        assert!(
            previous_due <= due_date,
            "{id}: occurrences are sorted by due date ({previous_due} before {due_date})"
        );
        previous_due = due_date;

        let executors: Vec<&str> = o["executors"]
            .as_array()
            .unwrap_or_else(|| panic!("{id}: `executors` is not an array"))
            .iter()
            .map(|e| e.as_str().expect("executor id"))
            .collect();
        match executor_of(o) {
            Some(e) => assert!(executors.contains(&e), "{id}: `executors` {executors:?} should name `{e}`"),
            None => assert!(!executors.is_empty(), "{id}: joint work names its executors"),
        }

        let depends_on = o["depends_on"].as_array().unwrap_or_else(|| panic!("{id}: `depends_on` is not an array"));
        for dep in depends_on {
            let dep = dep.as_str().unwrap_or_else(|| panic!("{id}: dependency {dep} is not a string"));
            assert_ne!(dep, id, "{id} depends on itself");
            assert!(ids.contains(dep), "{id} depends on `{dep}`, which is not an occurrence");
        }
    }
    let expected: BTreeMap<&str, usize> = OFFSETS.iter().map(|(r, _, n)| (*r, *n)).collect();
    assert_eq!(per_roadmap, expected, "occurrences per roadmap");
}

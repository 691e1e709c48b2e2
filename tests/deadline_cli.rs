//! `karta deadline` through the binary: the exact JSON shape, the text explanation, refusals
//! with exit 1 and a caret, and the default period taken from `--now`.

mod support;

use serde_json::{Value, json};
use support::Test;

#[test]
fn json_has_exactly_the_documented_shape() {
    let run = Test::new()
        .args([
            "deadline",
            "октябрь – декабрь 2023 г., еженедельно",
            "--from",
            "2023-09-01",
            "--to",
            "2024-08-31",
            "--tz",
            "Asia/Vladivostok",
            "--format",
            "json",
        ])
        .run();
    run.succeeds();
    let v: Value = serde_json::from_str(run.stdout().trim()).expect("one JSON object");
    let keys: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["phrase", "kind", "structured", "occurrences", "relative"]);
    assert_eq!(v["kind"], "recurring");
    assert_eq!(
        v["structured"],
        json!({"kind": "recurring", "every": "week", "within": [{"from": "2023-10-01", "to": "2023-12-31"}]})
    );
    assert_eq!(v["relative"], Value::Null);
    let occ = v["occurrences"].as_array().expect("list");
    assert_eq!(occ.len(), 14);
    assert_eq!(occ[0], json!({"opens": "2023-10-01", "due": "2023-10-01T23:59:59+10:00"}));
    assert_eq!(occ[1], json!({"opens": "2023-10-02", "due": "2023-10-08T23:59:59+10:00"}));
    assert_eq!(occ[13], json!({"opens": "2023-12-25", "due": "2023-12-31T23:59:59+10:00"}));
}

#[test]
fn relative_deadlines_carry_their_reference() {
    let run = Test::new().args(["deadline", "в течение 5 рабочих дней после org-3", "--format", "json"]).run();
    run.succeeds();
    let v: Value = serde_json::from_str(run.stdout().trim()).expect("JSON");
    assert_eq!(v["relative"], json!({"days": 5, "working": true, "after": "org-3"}));
    assert_eq!(v["occurrences"], json!([]));
}

#[test]
fn the_default_period_is_the_school_year_of_now() {
    let run = Test::new().args(["deadline", "до 17 октября", "--now", "2024-02-10", "--format", "json"]).run();
    run.succeeds();
    let v: Value = serde_json::from_str(run.stdout().trim()).expect("JSON");
    assert_eq!(
        v["structured"],
        json!({"kind": "once", "date": "2023-10-17"}),
        "Feb 2024 is in the 2023/24 school year"
    );
    assert_eq!(v["occurrences"][0]["opens"], "2023-09-01");
}

#[test]
fn an_unreadable_phrase_is_refused_with_a_caret() {
    let run = Test::new().args(["deadline", "до 5 абвгдейка 2024"]).run();
    run.fails();
    let err = run.stderr();
    assert!(err.contains("error[K0501]") || err.contains("ошибка[K0501]"), "{err}");
    assert!(err.contains("до 5 абвгдейка 2024\n") && err.contains("     ^^^^^^^^^"), "{err}");
    let json = Test::new().args(["deadline", "скоро", "--format", "json", "--lang", "en"]).run();
    json.fails();
    let d: Value = serde_json::from_str(json.stdout().trim()).expect("JSON diagnostic");
    assert_eq!((d["code"].as_str(), d["column"].as_u64()), (Some("K0501"), Some(1)));
}

#[test]
fn text_explains_kind_form_and_every_occurrence() {
    let run = Test::new()
        .args([
            "deadline",
            "Ежемесячно, последняя среда месяца",
            "--from",
            "2023-10-01",
            "--to",
            "2024-06-30",
            "--tz",
            "Asia/Vladivostok",
        ])
        .run();
    run.succeeds();
    let out = run.stdout();
    assert!(out.contains("вид: recurring — повторяющийся срок"), "{out}");
    assert!(out.contains("структурная форма: {kind: recurring, every: month, weekday: wednesday, nth: last}"), "{out}");
    assert!(out.contains("каноническая фраза: ежемесячно, последняя среда месяца"), "{out}");
    assert!(out.contains("сроки (9):"), "{out}");
    for d in ["2023-10-25", "2023-11-29", "2023-12-27", "2024-01-31", "2024-06-26"] {
        assert!(out.contains(&format!("{d} … {d}T23:59:59+10:00")), "{d} missing:\n{out}");
    }
}

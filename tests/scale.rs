//! What the work for scale must not change: on a generated region (`karta::synthetic`), a
//! problem deep in a file thousands of lines long is still located exactly, compiling on all
//! cores gives the same plan every time, and an escalation about joint work tells each head
//! about their own organisation while the controller hears about all of them.

use std::path::{Path, PathBuf};

use chrono::DateTime;
use karta::calendar::Calendar;

/// A generated region of `n` activities under `dir`, its files.
fn region(dir: &Path, n: usize) -> Vec<PathBuf> {
    karta::synthetic::workspace(dir, n, &mut karta::synthetic::Rng::new(42)).expect("the generated region");
    karta::check::collect_files(&[dir.join("roadmaps")]).expect("the roadmaps")
}

#[test]
fn a_problem_deep_in_a_big_file_is_located_exactly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = region(dir.path(), 20_000);
    let regional = dir.path().join("roadmaps/regional-0.yaml");
    let text = std::fs::read_to_string(&regional).expect("the regional roadmap");
    // The last deadline of the file, rewritten into something no ministry writes.
    let (line, _) = text.lines().enumerate().filter(|(_, l)| l.trim_start().starts_with("due:")).last().expect("a due");
    let broken: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i == line { "        due: \"когда-нибудь потом\"".to_string() } else { l.to_string() })
        .collect();
    std::fs::write(&regional, broken.join("\n") + "\n").expect("write");
    assert!(line > 4_000, "the problem is deep in the file (line {})", line + 1);

    let checked = karta::check::check_files(&files, Calendar::russia());
    let errors: Vec<_> = checked.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = errors[0];
    assert_eq!(error.path(), Some(regional.as_path()));
    assert_eq!(error.span.line, line + 1, "the line of the broken deadline");
    assert_eq!(error.span.col, "        due: \"".chars().count() + 1, "the column where the phrase starts");
}

#[test]
fn compiling_on_all_cores_gives_the_same_plan_every_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = region(dir.path(), 5_000);
    let ws = karta::check::check_files(&files, Calendar::russia()).into_workspace().expect("no errors");
    let first = karta::compile::compile(&ws, Calendar::russia()).expect("compiles");
    assert!(first.occurrences.len() > 40_000, "{} occurrences", first.occurrences.len());
    assert!(first.occurrences.iter().any(|o| !o.depends_on.is_empty()), "dependencies are linked");
    assert!(first.occurrences.iter().any(|o| o.relative), "relative deadlines are counted");
    for _ in 0..3 {
        let again = karta::compile::compile(&ws, Calendar::russia()).expect("compiles");
        assert!(again.occurrences == first.occurrences, "the same occurrences in the same order");
    }
    // Every occurrence is found by its id, and the list is sorted by due instant.
    assert!(first.occurrences.iter().enumerate().all(|(i, o)| first.position(&o.id) == Some(i)));
    assert!(first.occurrences.windows(2).all(|w| w[0].due <= w[1].due));
}

#[test]
fn an_escalation_about_joint_work_tells_each_head_about_their_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = region(dir.path(), 4_000);
    let ws = karta::check::check_files(&files, Calendar::russia()).into_workspace().expect("no errors");
    let now = DateTime::parse_from_rfc3339("2024-03-01T12:00:00+10:00").expect("time");
    let plan = karta::track::plan_at(&ws, &[], now, Calendar::russia());
    // Nothing reported: all the regional work of the districts together is overdue.
    let report = karta::track::status(&ws, &plan, &[], now, Calendar::russia());
    let rules = karta::notify::Rules::default();
    let notices = karta::notify::rules::plan(&ws, &plan, &report, &rules, Calendar::russia(), now);
    let joint: Vec<&karta::store::Notice> = notices
        .iter()
        .filter(|n| n.rule == "escalation-1" && n.roadmap.starts_with("regional"))
        .filter(|n| {
            let o = &plan.occurrences[plan.position(n.occurrence.as_deref().unwrap_or_default()).expect("known")];
            o.executors.len() > 1
        })
        .collect();
    assert!(!joint.is_empty(), "joint regional work escalates");
    let districts = ws.units[0].groups.get("districts").expect("the group of districts").members.len();
    assert!(districts >= 4, "{districts} districts");
    for n in &joint {
        let payload: serde_json::Value = serde_json::from_str(n.payload.get()).expect("JSON");
        let named = payload["executors"].as_array().expect("executors").len();
        let others = payload["others"].as_u64().expect("others") as usize;
        assert_eq!(named + others, districts, "{payload}");
        if n.recipient == "minobr@region.example" {
            assert_eq!(named, districts, "the controller hears about every district");
        } else {
            let k = n.recipient.trim_start_matches("head").trim_end_matches("@region.example");
            let own = format!("Управление образования района {k}");
            assert_eq!(payload["executors"], serde_json::json!([own]), "a head hears about their own district");
        }
    }
}

#[test]
fn a_listing_keeps_the_occurrences_the_whole_picture_lists() {
    use karta::track::{Event, OccurrenceStatus, State};
    let dir = tempfile::tempdir().expect("temp dir");
    let files = region(dir.path(), 3_000);
    let ws = karta::check::check_files(&files, Calendar::russia()).into_workspace().expect("no errors");
    let now = DateTime::parse_from_rfc3339("2024-03-01T12:00:00+10:00").expect("time");
    let calendar = Calendar::russia();
    // Reports of most work due, some of it late, and a few reported not done.
    let planned = karta::track::plan_at(&ws, &[], now, calendar);
    let (done, _) = karta::synthetic::reports(&planned, now.date_naive(), &mut karta::synthetic::Rng::new(7));
    let mut csv = done.replacen("occurrence;status;date\n", "occurrence;status;date;причина\n", 1);
    for o in planned.occurrences.iter().filter(|o| o.due_date < now.date_naive()).step_by(97) {
        csv += &format!("{};не выполнено;{};нет кабинета\n", o.id, now.format("%d.%m.%Y"));
    }
    let new = karta::track::import::read(Path::new("reports.csv"), &csv, &ws, &planned, &[], now, "test")
        .unwrap_or_else(|errors| panic!("{} rows not read, the first: {}", errors.len(), errors[0].message.ru));
    let events: Vec<Event> = new.into_iter().zip(1..).map(|(event, id)| Event { id, event, carried: None }).collect();
    let plan = karta::track::plan_at(&ws, &events, now, calendar);
    let folded = karta::track::fold(&plan, &events, now);
    let reading = karta::track::Reading::new(&ws, &plan, &folded, now, calendar);
    let states = reading.states();
    let executor = plan.occurrences[plan.occurrences.len() / 2].executors[0].clone();
    let roadmap = ws.units[ws.units.len() / 3].id.clone();
    type Keep = Box<dyn Fn(&OccurrenceStatus<'_>) -> bool + Sync>;
    let keeps: Vec<(&str, Keep)> = vec![
        ("all", Box::new(|_| true)),
        ("overdue", Box::new(|s| matches!(s.state, State::Overdue { .. }))),
        ("reported not done", Box::new(|s| matches!(s.state, State::Overdue { reported: true, .. }))),
        ("at risk", Box::new(|s| s.at_risk)),
        ("one executor's", Box::new(move |s| s.executors.contains(&executor))),
        ("one roadmap's overdue", Box::new(move |s| s.roadmap == roadmap && matches!(s.state, State::Overdue { .. }))),
    ];
    for (what, keep) in &keeps {
        let expected: Vec<&OccurrenceStatus> = states.occurrences.iter().filter(|s| keep(s)).collect();
        let chosen = reading.chosen(keep.as_ref());
        assert!(!expected.is_empty(), "{what}: something to list");
        assert_eq!(chosen.len(), expected.len(), "{what}");
        let same = chosen
            .iter()
            .zip(&expected)
            .all(|(a, b)| serde_json::to_value(a).expect("json") == serde_json::to_value(b).expect("json"));
        assert!(same, "{what}: the same occurrences in the same states, in the same order");
    }
}

//! The calendar as maintained data, through the binary: `karta calendar check` gives located
//! diagnostics for broken files (golden text in Russian and English, and JSON), `karta calendar
//! show` gives the figures, a regional layer moves a relative deadline and a reminder's day,
//! and a local file (the `calendar/` directory, `--calendar`, `[calendar] files`) adding a day
//! off moves a shifted deadline in `karta plan`.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{Test, golden};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `karta calendar check NAME` run in the fixtures directory: exit code, stdout, stderr.
fn check(dir: &Path, name: &str, extra: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(["calendar", "check", name])
        .args(extra)
        .current_dir(dir)
        .env_remove("LANG")
        .env_remove("KARTA_LANG")
        .env_remove("KARTA_REGION")
        .output()
        .expect("run karta");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_broken_calendar_gives_its_located_diagnostic() {
    let dir = root().join("tests/fixtures/calendars");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "only {} broken calendars", files.len());
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().expect("name").to_string_lossy().into_owned();
        let code = &name[..5];
        let (rc, _, ru) = check(&dir, &name, &[]);
        let (_, _, en) = check(&dir, &name, &["--lang", "en"]);
        let (_, json, _) = check(&dir, &name, &["--format", "json"]);
        assert_eq!(rc, 1, "{name}: a broken calendar fails");
        let codes: Vec<String> = json
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("JSON line")["code"].as_str().unwrap_or("").to_string())
            .collect();
        assert!(codes.iter().any(|c| c == code), "{name}: expected {code}, got {codes:?}");
        for l in json.lines() {
            let d: Value = serde_json::from_str(l).expect("JSON line");
            assert!(d["line"].as_u64().unwrap_or(0) >= 1, "{name}: every diagnostic is located: {l}");
        }
        let stem = file.with_extension("");
        golden(&stem.with_extension("ru.txt"), &ru, &mut failures);
        golden(&stem.with_extension("en.txt"), &en, &mut failures);
        golden(&stem.with_extension("json"), &json, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_shipped_calendars_check_clean() {
    for file in [
        "data/ru-production-calendar.tsv",
        "data/calendars/RU-TA.tsv",
        "data/calendars/RU-BA.tsv",
        "data/calendars/RU-BU.tsv",
    ] {
        let (rc, _, err) = check(&root(), file, &[]);
        assert_eq!(rc, 0, "{file}: {err}");
    }
}

fn show(year: &str, extra: &[&str]) -> Value {
    let run = Test::new().args(["calendar", "show", year, "--format", "json"]).args(extra.iter().copied()).run();
    run.succeeds();
    serde_json::from_str(&run.stdout()).expect("JSON report")
}

#[test]
fn show_counts_the_region_and_names_the_layer_and_act() {
    let federal = show("2026", &[]);
    assert_eq!(federal["total"]["working_days"], 247);
    assert_eq!(federal["total"]["hours_40"], 1972);
    assert_eq!(federal["complete"], true);
    let ta = show("2026", &["--region", "RU-TA"]);
    assert_eq!(ta["total"]["working_days"], 244, "Ураза-байрам, Курбан-байрам, День Конституции РТ on weekdays");
    assert_eq!(ta["months"][4]["working_days"], 18, "May: Курбан-байрам on Wed 27.05");
    let kurban = ta["days"].as_array().expect("days").iter().find(|d| d["date"] == "2026-05-27").expect("27.05");
    assert!(kurban["layer"].as_str().unwrap_or("").starts_with("RU-TA"), "{kurban}");
    assert!(kurban["note"].as_str().unwrap_or("").contains("1448-XII"), "{kurban}");
    let ba = show("2026", &["--region", "RU-BA"]);
    // Ураза-байрам (Fri 20.03), Курбан-байрам (Wed 27.05), День Республики moved from Sun 11.10 to Mon 12.10.
    assert_eq!(ba["total"]["working_days"], 244);
    let bu = show("2026", &["--region", "RU-BU"]);
    assert_eq!(bu["total"]["working_days"], 246, "Сагаалган on Wed 18.02");
    assert_eq!(bu["months"][1]["working_days"], 18, "February");
    let next = show("2027", &[]);
    assert_eq!(next["complete"], false, "no decree for 2027 in the data");
    let text = Test::new().args(["calendar", "show", "2027"]).run();
    assert!(text.stdout().contains("переносов выходных на 2027 год в календаре нет"), "{}", text.stdout());
}

/// A 2026 roadmap: `a` due on Fri 22.05, `b` five working days after `a`, `c` due Fri 29.05
/// with a reminder three working days before.
fn roadmap(region: &str) -> String {
    format!(
        "kind: roadmap\nid: r\ntitle: R\nperiod: {{from: 2026-01-01, to: 2026-12-31}}\ntimezone: Europe/Moscow\n{region}\
         reminders: {{before: [3wd]}}\nexecutors: {{uo: {{name: УО, email: uo@example.org}}}}\nsections:\n  - title: S\n    activities:\n\
         \x20     - {{id: a, title: A, executors: [uo], due: до 22 мая 2026 г.}}\n\
         \x20     - {{id: b, title: B, executors: [uo], due: в течение 5 рабочих дней после a}}\n\
         \x20     - {{id: c, title: C, executors: [uo], due: до 29 мая 2026 г.}}\n"
    )
}

/// Due dates by occurrence id from `karta plan --format json`.
fn dues(run: &support::Run) -> BTreeMap<String, String> {
    run.succeeds();
    let plan: Value = serde_json::from_str(&run.stdout()).expect("plan JSON");
    plan["occurrences"]
        .as_array()
        .expect("occurrences")
        .iter()
        .map(|o| (o["id"].as_str().unwrap_or("").to_string(), o["due"].as_str().unwrap_or("")[..10].to_string()))
        .collect()
}

#[test]
fn a_regional_layer_moves_a_relative_deadline_and_a_reminder() {
    let federal = dues(&Test::new().file("r/r.yaml", roadmap("")).args(["plan", "r", "--format", "json"]).run());
    let tatarstan =
        dues(&Test::new().file("r/r.yaml", roadmap("region: RU-TA\n")).args(["plan", "r", "--format", "json"]).run());
    // 5 working days after Fri 22.05.2026: 25, 26, 27, 28, 29 May; in Tatarstan 27.05 is Курбан-байрам.
    assert_eq!(federal["r/b@2026-05-22"], "2026-05-29");
    assert_eq!(tatarstan["r/b@2026-05-22"], "2026-06-01");
    // The roadmap's region or the workspace default (`--region`) select the same layer.
    let by_flag = dues(
        &Test::new().file("r/r.yaml", roadmap("")).args(["plan", "r", "--region", "RU-TA", "--format", "json"]).run(),
    );
    assert_eq!(by_flag["r/b@2026-05-22"], "2026-06-01");

    // The reminder three working days before Fri 29.05: Tue 26.05 federally, Mon 25.05 in Tatarstan.
    let remind = |region: &str| {
        let run = Test::new()
            .file("r/r.yaml", roadmap(region))
            .args(["remind", "--dry-run", "--now", "2026-05-25T10:00:00+03:00", "--roadmaps", "r"])
            .run();
        run.succeeds();
        run.stdout()
    };
    let reminder = "напоминание: до срока 4\u{a0}дня: «C», срок 29.05.2026";
    assert!(!remind("").contains(reminder), "federally the reminder is due on 26.05");
    assert!(remind("region: RU-TA\n").contains(reminder), "in Tatarstan it is due on 25.05");
}

/// A roadmap with `shift: next` and a deadline on Sat 10.10.2026: Mon 12.10 as published.
const SHIFTED: &str = "kind: roadmap\nid: s\ntitle: S\nperiod: {from: 2026-09-01, to: 2026-12-31}\n\
timezone: Europe/Moscow\nshift: next\nexecutors: {uo: {name: УО, email: uo@example.org}}\nsections:\n  - title: S\n    activities:\n\
\x20     - {id: a, title: A, executors: [uo], due: до 10 октября 2026 г.}\n";

/// A local file adding Mon 12.10.2026 as a day off (an example act, not data).
const LOCAL: &str =
    "date\ttype\tnote\n2026-10-12\tholiday\tНерабочий день (пример: постановление администрации района № 1)\n";

#[test]
fn a_local_file_adding_a_day_off_moves_a_shifted_deadline() {
    let plan = |t: Test, extra: &[&str]| {
        dues(
            &t.file("roadmaps/s.yaml", SHIFTED)
                .args(["plan", "roadmaps", "--format", "json"])
                .args(extra.iter().copied())
                .run(),
        )
    };
    let before = plan(Test::new(), &[]);
    assert_eq!(before["s/a@2026-10-12"], "2026-10-12");
    // The calendar/ directory beside the roadmaps.
    let beside = plan(Test::new().file("roadmaps/calendar/local.tsv", LOCAL), &[]);
    assert_eq!(beside["s/a@2026-10-13"], "2026-10-13");
    // --calendar FILE.
    let flag = plan(Test::new().file("extra.tsv", LOCAL), &["--calendar", "extra.tsv"]);
    assert_eq!(flag["s/a@2026-10-13"], "2026-10-13");
    // [calendar] files in karta.toml (relative to it).
    let configured = dues(
        &Test::new()
            .file("roadmaps/s.yaml", SHIFTED)
            .file("conf/extra.tsv", LOCAL)
            .file("conf/karta.toml", "[calendar]\nfiles = [\"extra.tsv\"]\n")
            .env("KARTA_CONFIG", "conf/karta.toml")
            .args(["plan", "roadmaps", "--format", "json"])
            .run(),
    );
    assert_eq!(configured["s/a@2026-10-13"], "2026-10-13");
    // A broken local file stops the command with its located diagnostic.
    let broken = Test::new()
        .file("roadmaps/s.yaml", SHIFTED)
        .file("roadmaps/calendar/local.tsv", "date\ttype\tnote\n2026-10-32\tholiday\tx\n")
        .args(["plan", "roadmaps"])
        .run();
    broken.fails();
    assert!(broken.stderr().contains("K0522") && broken.stderr().contains("local.tsv:2:1"), "{}", broken.stderr());
}

#[test]
fn roadmaps_of_two_regions_are_refused_together() {
    let run = Test::new()
        .file("r/ta.yaml", roadmap("region: RU-TA\n"))
        .file("r/ba.yaml", roadmap("region: RU-BA\n").replace("id: r\n", "id: r2\n"))
        .args(["check", "r"])
        .run();
    run.fails();
    let err = run.stderr();
    assert!(err.contains("K0527") && err.contains("`RU-BA`"), "{err}");
    assert_eq!(err.matches("K0527").count(), 1, "one error, at the file that differs: {err}");
}

#[test]
fn remind_warns_from_october_when_next_year_is_missing() {
    let remind = |now: &str| {
        let run = Test::new()
            .file("r/r.yaml", roadmap(""))
            .args(["remind", "--dry-run", "--now", now, "--roadmaps", "r"])
            .run();
        run.succeeds();
        run.stderr()
    };
    let warning = "нет переносов выходных на 2027 год";
    assert!(!remind("2026-09-30T10:00:00+03:00").contains(warning));
    assert!(remind("2026-10-01T10:00:00+03:00").contains(warning));
    // A local file with the decree's rows makes the year complete: no warning.
    let run = Test::new()
        .file("r/r.yaml", roadmap(""))
        .file("r/calendar/2027.tsv", "date\ttype\tnote\n2027-12-31\ttransferred_day_off\tпример: Постановление № 1\n")
        .args(["remind", "--dry-run", "--now", "2026-12-04T10:00:00+03:00", "--roadmaps", "r"])
        .run();
    run.succeeds();
    assert!(!run.stderr().contains(warning), "{}", run.stderr());
}

/// `karta serve` logs the missing decree once a day, not at every pass.
#[test]
#[cfg(unix)]
fn serve_logs_the_missing_decree_once_a_day() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::create_dir_all(dir.path().join("r")).expect("mkdir");
    std::fs::write(dir.path().join("r/r.yaml"), roadmap("")).expect("roadmap");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(["serve", "--interval", "1", "--listen", "127.0.0.1:0", "--roadmaps", "r"])
        .args(["--now", "2026-12-04T10:00:00+03:00"])
        .current_dir(dir.path())
        .env_remove("KARTA_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn serve");
    // Three passes or more (one a second).
    std::thread::sleep(std::time::Duration::from_millis(3500));
    let term = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(term.success());
    let out = child.wait_with_output().expect("serve exits");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.matches(" pass ").count() >= 2, "several passes: {log}");
    assert_eq!(log.matches("нет переносов выходных на 2027 год").count(), 1, "{log}");
}

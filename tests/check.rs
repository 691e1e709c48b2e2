//! `karta check` through the binary: the seed roadmaps are clean, every broken fixture gives
//! its located diagnostic (golden text in Russian and English, and the JSON form), hostile
//! files are refused without a panic, and exit codes follow the convention.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{Test, golden};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn seed_roadmaps_are_clean() {
    let run = Test::new().args(["check".to_string(), root().join("roadmaps").display().to_string()]).run();
    run.succeeds();
    let summary = run.stderr().lines().last().unwrap_or_default().to_string();
    assert!(summary.starts_with("проверено 6 файлов: 0 ошибок"), "{summary}");
}

fn broken() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/broken"))
        .expect("tests/fixtures/broken")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    files
}

/// Runs `check` on a fixture from the fixtures directory so paths in the output are stable;
/// without the cache, which would be written into the source tree.
fn check(fixture: &Path, extra: &[&str]) -> (i32, String, String) {
    let dir = fixture.parent().expect("dir");
    let name = fixture.file_name().expect("name").to_string_lossy().into_owned();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(["check", "--no-cache"])
        .arg(&name)
        .args(extra)
        .current_dir(dir)
        .env_remove("LANG")
        .env_remove("KARTA_LANG")
        .output()
        .expect("run karta");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn every_broken_fixture_gives_its_located_diagnostic() {
    let fixtures = broken();
    assert!(fixtures.len() >= 20, "only {} broken fixtures", fixtures.len());
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let name = fixture.file_name().expect("name").to_string_lossy().into_owned();
        let (code_ru, _, ru) = check(fixture, &[]);
        let (code_en, _, en) = check(fixture, &["--lang", "en"]);
        let (code_json, json, _) = check(fixture, &["--format", "json"]);
        assert!(!ru.contains("panicked") && !en.contains("panicked"), "{name} panicked:\n{ru}");
        assert_eq!((code_ru, code_en), (code_json, code_json), "{name}: exit codes differ between forms");
        let diagnostics: Vec<Value> = json
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}: bad JSON {l}: {e}")))
            .collect();
        assert!(!diagnostics.is_empty(), "{name}: no diagnostic");
        let errors = diagnostics.iter().filter(|d| d["severity"] == "error").count();
        assert_eq!(code_json, i32::from(errors > 0), "{name}: exit code does not follow the errors");
        // The intended code is the file name's prefix, and it is located in this file.
        let intended = name.split('-').next().unwrap_or_default();
        let hit = diagnostics.iter().find(|d| d["code"] == intended);
        match hit {
            Some(d) => {
                assert_eq!(d["file"], name.as_str(), "{name}: wrong file");
                assert!(d["line"].as_u64().is_some_and(|l| l >= 1), "{name}: no line");
                assert!(d["column"].as_u64().is_some_and(|c| c >= 1), "{name}: no column");
                assert!(!d["message"].as_str().unwrap_or_default().is_empty(), "{name}: empty message");
            }
            None => failures.push(format!("{name}: no {intended} among {json}")),
        }
        golden(&fixture.with_extension("ru.txt"), &ru, &mut failures);
        golden(&fixture.with_extension("en.txt"), &en, &mut failures);
        golden(&fixture.with_extension("json"), &json, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_50_mb_file_is_refused_without_reading_it_all() {
    let test = Test::new();
    let big = test.path().join("big.yaml");
    let line = "# filler line of a roadmap file that is far too large to be a real roadmap\n";
    let mut text = String::from("kind: roadmap\n");
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(line);
    }
    std::fs::write(&big, text).expect("write 50 MB");
    let run = test.args(["check", "big.yaml", "--format", "json"]).run();
    run.fails();
    let d: Value = serde_json::from_str(run.stdout().lines().next().unwrap_or_default()).expect("JSON");
    assert_eq!(d["code"], "K0003");
    assert_eq!(d["file"], "big.yaml");
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let run = Test::new().args(["check", "nowhere.yaml"]).run();
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("путь не найден: nowhere.yaml"), "{}", run.stderr());
}

#[test]
fn directories_are_searched_recursively_and_all_errors_reported() {
    let bad = [
        "kind: roadmap",
        "id: a",
        "title: A",
        "period: {from: 2023-09-01, to: 2024-08-31}",
        "timezone: Asia/Vladivostok",
        "executors: {uo: {name: УО}}",
        "sections:",
        "  - title: S",
        "    activities:",
        "      - {id: x-1, title: T, executors: [uoo], due: до 17 октября 2023 г.}",
        "      - {id: x-2, title: T, executors: [uo], due: до 17 окт 2023 г., after: [x-3]}",
        "",
    ]
    .join("\n");
    let run = Test::new()
        .file("a/one.yaml", &bad)
        .file("a/b/two.yml", bad.replace("id: a\n", "id: b\n"))
        .file("a/notes.txt", "not yaml")
        .args(["check", "a", "--format", "json"])
        .run();
    run.fails();
    let codes: Vec<(String, String)> = run
        .stdout()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON"))
        .map(|d| {
            (d["file"].as_str().unwrap_or_default().to_string(), d["code"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    for file in ["a/b/two.yml", "a/one.yaml"] {
        assert!(codes.contains(&(file.to_string(), "K0302".to_string())), "{codes:?}");
        assert!(codes.contains(&(file.to_string(), "K0303".to_string())), "{codes:?}");
    }
}

#[test]
fn english_from_lang_environment() {
    let run = Test::new().file("r.yaml", "kind: roadmap\n").env("LANG", "en_GB.UTF-8").args(["check", "r.yaml"]).run();
    run.fails();
    assert!(run.stderr().contains("error[K0203]: missing required field"), "{}", run.stderr());
    assert!(run.stderr().ends_with("checked 1 file: 5 errors, 0 warnings\n"), "{}", run.stderr());
}

/// A roadmap with one unreadable deadline is still tracked: `karta check` fails on it, while
/// the commands that work on the plan name it and go on with every other activity.
#[test]
fn an_unreadable_deadline_leaves_the_rest_tracked() {
    let t = support::Test::new();
    let roadmaps = support::copy_roadmaps(t.path());
    let file = roadmaps.join("lazo-2023-2024.yaml");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(text.contains("due: \"до 17 октября 2023 г.\""), "the fixture's phrase");
    std::fs::write(&file, text.replacen("due: \"до 17 октября 2023 г.\"", "due: \"до 17 октябр 20233 г.\"", 1))
        .expect("write");
    let check = t.args(["check", "roadmaps"]).run();
    assert_eq!(check.code(), 1, "{}", check.stderr());
    assert!(check.stderr().contains("ошибка[K0501]"), "{}", check.stderr());

    let status = support::Test::new();
    support::copy_roadmaps(status.path());
    std::fs::copy(&file, status.path().join("roadmaps/lazo-2023-2024.yaml")).expect("copy");
    let run = status.args(["status", "--roadmap", "lazo-2023-2024", "--now", "2023-10-20T18:00:00+10:00"]).run();
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(run.stderr().contains("ошибка[K0501]") && run.stderr().contains("20233"), "{}", run.stderr());
    assert!(run.stderr().contains("мероприятий с нераспознанным сроком: 1"), "{}", run.stderr());
    // The other 117 occurrences of the roadmap are there (118 with the broken one).
    assert!(run.stdout().contains("всего 117"), "{}", run.stdout());
}

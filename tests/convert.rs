//! `karta convert`: every seed roadmap rendered to DOCX converts back to the same sections and
//! activities (titles, executors, deadlines, results); hand-made DOCX and XLSX fixtures in the
//! style of seed 002 convert to the expected YAML (golden: `KARTA_BLESS=1 cargo test --test
//! convert`); broken inputs get a clear message and exit 1.

mod support;

use std::path::PathBuf;

use support::Test;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> String {
    repo().join("tests/fixtures/convert").join(name).display().to_string()
}

/// The rows of a roadmap as the renderer sees them (`karta render roadmap --format json`).
fn rendered(args: &[&str]) -> serde_json::Value {
    let run = Test::new().args(["render", "roadmap", "--format", "json"]).args(args.iter().copied()).run();
    run.succeeds();
    serde_json::from_str(&run.stdout()).expect("json")
}

#[test]
fn seed_roadmaps_round_trip_through_docx() {
    let roadmaps = repo().join("roadmaps").display().to_string();
    for id in ["lazo-2023-2024", "khabarovsk-model-2023-2024", "amur-school-project-2024", "khabarovsk-model-2024-2025"]
    {
        let original = rendered(&["--roadmaps", &roadmaps, "--roadmap", id]);
        let dir = tempfile::tempdir().expect("temp dir");
        let dir = dir.path();
        let docx = dir.join("r.docx").display().to_string();
        Test::new()
            .env("KARTA_ROADMAPS", &roadmaps)
            .args(["render", "roadmap", "--roadmap", id, "--format", "docx", "-o", &docx])
            .run()
            .succeeds();
        let out = dir.join("r.yaml").display().to_string();
        let converted = Test::new().args(["convert", &docx, "-o", &out, "--id", "converted"]).run();
        converted.succeeds();
        assert!(converted.stderr().contains("нераспознанных сроков: 0"), "{id}: {}", converted.stderr());
        // The converted file checks without errors, and renders to the same table.
        let check = Test::new().args(["check", &out]).run();
        assert_eq!(check.code(), 0, "{id}: {}", check.stderr());
        let back = rendered(&["--roadmaps", &out, "--roadmap", "converted"]);
        // The document is typeset (quotes, dashes, non-breaking spaces): what comes back is the
        // original as typeset, with the non-breaking characters read as plain ones.
        let sections = |v: &serde_json::Value| v["sections"].as_array().cloned().unwrap_or_default();
        let (a, b) = (sections(&typeset(&original)), sections(&typeset(&back)));
        assert_eq!(a.len(), b.len(), "{id}: sections");
        for (sa, sb) in a.iter().zip(&b) {
            assert_eq!(sa["title"], sb["title"], "{id}: section title");
            let (ra, rb) = (sa["rows"].as_array().expect("rows"), sb["rows"].as_array().expect("rows"));
            assert_eq!(ra.len(), rb.len(), "{id}: activities of «{}»", sa["title"]);
            for (x, y) in ra.iter().zip(rb) {
                let what = format!("{id}, {} «{}»", x["number"], x["title"]);
                assert_eq!(x["title"], y["title"], "{what}: title");
                assert_eq!(x["tasks"], y["tasks"], "{what}: listed tasks");
                assert_eq!(x["number"], y["number"], "{what}: number");
                assert_eq!(x["due"], y["due"], "{what}: deadline");
                assert_eq!(x["result"], y["result"], "{what}: result");
                assert_eq!(x["executors"], y["executors"], "{what}: executors");
            }
        }
    }
}

/// Every string of `v` typeset as documents are, non-breaking characters made plain.
fn typeset(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(karta::ru::typeset(s).replace('\u{a0}', " ").replace('\u{2011}', "-")),
        Value::Array(a) => Value::Array(a.iter().map(typeset).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), typeset(v))).collect()),
        other => other.clone(),
    }
}

fn golden(name: &str, actual: &str) {
    let path = repo().join("tests/fixtures/convert").join(name);
    if std::env::var_os("KARTA_BLESS").is_some() {
        std::fs::write(&path, actual).expect("bless");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(expected == actual, "{name} differs (KARTA_BLESS=1 to accept):\n{actual}");
}

#[test]
fn seed_style_docx_and_xlsx_convert_to_the_expected_yaml() {
    for (file, golden_name) in
        [("seed-style.docx", "seed-style.docx.yaml"), ("seed-style.xlsx", "seed-style.xlsx.yaml")]
    {
        let run = Test::new().args(["convert", &fixture(file), "--id", "seed-style"]).run();
        run.succeeds();
        let yaml = run.stdout();
        golden(golden_name, &yaml);
        // What the fixture is about, spelled out.
        assert!(yaml.contains("title: \"Организационно-правовое сопровождение\""), "the merged section row");
        assert!(!yaml.contains("\"1\"\n") && !yaml.contains("title: \"2\""), "no column-number rows");
        assert!(yaml.contains("due: \"2 – 3 ноября 2023 г. 28 – 29 марта 2024 г.\""), "two deadlines on two lines");
        assert!(
            yaml.contains("  uo:\n    name: \"Управление образования администрации района\"\n    short: \"УО\""),
            "abbreviation"
        );
        assert!(yaml.contains("executors: [mbu-imts, uo]"), "the abbreviation and the full name are one executor");
        assert!(yaml.contains("# karta: не распознан срок — "), "the unreadable deadline is kept, with a comment");
        assert!(
            run.stderr().contains("найдено: 2 раздела, 5 мероприятий, 3 исполнителя; нераспознанных сроков: 1"),
            "{}",
            run.stderr()
        );
        // karta check points the author at exactly that deadline.
        let t = Test::new().file("roadmaps/seed-style.yaml", &yaml).args(["check", "roadmaps/seed-style.yaml"]);
        let check = t.run();
        check.fails();
        assert!(check.stderr().contains("когда-нибудь весной"), "{}", check.stderr());
        assert_eq!(check.stderr().matches("ошибка[").count(), 1, "only the unreadable deadline: {}", check.stderr());
    }
}

#[test]
fn broken_inputs_get_a_clear_message() {
    for (file, message) in [
        ("corrupt.docx", "файл повреждён или это не документ DOCX"),
        ("password.docx", "файл зашифрован (защищён паролем)"),
        ("no-table.docx", "в документе нет таблиц"),
        ("no-header.docx", "не найдена таблица дорожной карты"),
        // Found by fuzzing (fuzz/regressions/convert_xlsx): a column name past XFD overflowed in calamine.
        ("cell-reference-overflow.xlsx", "за пределами листа"),
        // Also found by fuzzing: a range that ends before it starts («I3:b3») underflowed in calamine.
        ("reversed-range.xlsx", "за пределами листа"),
    ] {
        let run = Test::new().args(["convert", &fixture(file), "-o", "out.yaml"]).run();
        run.fails();
        assert!(run.stderr().contains(message), "{file}: {}", run.stderr());
        assert!(!run.dir.join("out.yaml").exists(), "{file}: nothing written");
    }
    let missing = Test::new().args(["convert", "нет-такого.docx"]).run();
    // A file that is not there is the environment's failure (docs/cli.md §4).
    assert_eq!(missing.code(), 2, "{}", missing.stderr());
    assert!(missing.stderr().contains("не удалось прочитать файл"), "{}", missing.stderr());
}

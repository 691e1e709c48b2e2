//! `karta convert` over the real roadmap tables in `tests/fixtures/convert/real/`: tables copied
//! verbatim from public documents of other authorities, laid out as DOCX and XLSX the way the
//! originals are (`make.py`), each with the expected reading (`*.expected.json`, written by
//! `make.py` from what a person marked in the source). Every table is converted and checked;
//! the test prints what each one got wrong and fails when the share converted right drops, or
//! when convert writes YAML that `karta check` rejects for anything but an unreadable deadline.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::Test;

fn real() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/convert/real")
}

/// Whitespace collapsed and dashes made one, as a reader compares text.
fn norm(text: &str) -> String {
    text.replace(['–', '—', '‑', '−', '‐'], "-").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A section title without its numbering («I.», «1.», «Раздел 2.»).
fn unnumbered(text: &str) -> String {
    let t = norm(text);
    let lower = t.to_lowercase();
    let t = ["раздел ", "глава "].iter().find(|w| lower.starts_with(*w)).map_or(t.as_str(), |w| &t[w.len()..]);
    t.trim_start_matches(|c: char| c.is_ascii_digit() || "IVXLC.) ".contains(c)).to_string()
}

/// What one converted table got wrong, and whether `karta check` accepts it.
struct Verdict {
    problems: Vec<String>,
    check_errors: Vec<String>,
}

fn convert(source: &Path, expected: &Value, has_deadlines: bool) -> Verdict {
    let run = Test::new().args(["convert", &source.display().to_string(), "--id", "real"]).run();
    if !has_deadlines {
        // A table without a deadline column is not a roadmap: refused, with the reason.
        let refused = run.code() == 1 && run.stderr().contains("не найдена таблица дорожной карты");
        let problems = if refused { Vec::new() } else { vec![format!("not refused: {}", run.stderr())] };
        return Verdict { problems, check_errors: Vec::new() };
    }
    if run.code() != 0 {
        return Verdict {
            problems: vec![format!("convert failed: {}", run.stderr().trim())],
            check_errors: Vec::new(),
        };
    }
    let yaml = run.stdout();
    let got = karta::load::json_of(&yaml).unwrap_or(Value::Null);
    let mut problems = Vec::new();
    // (A table printed without a title leaves convert to name it.)
    if let Some(title) = expected["title"].as_str() {
        if norm(got["title"].as_str().unwrap_or_default()) != norm(title) {
            problems.push(format!("title {:?}", got["title"]));
        }
    }
    match (expected["approval"]["date"].as_str(), got["approval"]["date"].as_str()) {
        (Some(want), Some(have)) if want == have => {}
        (None, None) => {}
        (want, have) => problems.push(format!("approval date {have:?}, want {want:?}")),
    }
    if let Some(want) = expected["approval"]["number"].as_str() {
        if got["approval"]["number"].as_str() != Some(want) {
            problems.push(format!("approval number {:?}, want {want:?}", got["approval"]["number"]));
        }
    }
    let activities = |v: &Value| -> Vec<(Value, Value)> {
        v["sections"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| {
                s["activities"].as_array().into_iter().flatten().map(move |a| (s["title"].clone(), a.clone()))
            })
            .collect()
    };
    let (have, want) = (activities(&got), activities(expected));
    if have.len() != want.len() {
        problems.push(format!("{} activities, want {}", have.len(), want.len()));
    }
    for ((hs, h), (ws, w)) in have.iter().zip(&want) {
        let at = format!("{} «{}»", w["number"].as_str().unwrap_or("—"), norm(w["title"].as_str().unwrap_or_default()));
        let tasks: Vec<String> =
            h["tasks"].as_array().into_iter().flatten().filter_map(Value::as_str).map(|t| format!("- {t}")).collect();
        let title = norm(&format!("{} {}", h["title"].as_str().unwrap_or_default(), tasks.join(" ")));
        if title != norm(w["title"].as_str().unwrap_or_default()) {
            problems.push(format!("{at}: title {title:?}"));
        }
        if norm(h["due"].as_str().unwrap_or_default()) != norm(w["due"].as_str().unwrap_or_default()) {
            problems.push(format!("{at}: deadline {:?}", h["due"]));
        }
        if let Some(n) = w["number"].as_str().filter(|n| !n.trim().is_empty()) {
            if h["number"].as_str().map(norm) != Some(norm(n)) {
                problems.push(format!("{at}: number {:?}", h["number"]));
            }
        }
        let executors = w["executors"].as_str().unwrap_or_default();
        if !norm(executors).is_empty() && h["executors_text"].as_str().map(norm) != Some(norm(executors)) {
            problems.push(format!("{at}: executors {:?}", h["executors_text"]));
        }
        for (header, text) in w["extra"].as_object().into_iter().flatten() {
            let text = norm(text.as_str().unwrap_or_default());
            let kept =
                h["columns"].as_object().into_iter().flatten().any(|(_, v)| v.as_str().map(norm) == Some(text.clone()))
                    || h["result"].as_str().map(norm) == Some(text.clone());
            if !text.is_empty() && !kept {
                problems.push(format!("{at}: column «{header}» lost"));
            }
        }
        if let Some(ws) = ws.as_str() {
            if unnumbered(hs.as_str().unwrap_or_default()) != unnumbered(ws) {
                problems.push(format!("{at}: section {hs}, want «{ws}»"));
            }
        }
    }
    let check = Test::new().file("roadmaps/real.yaml", &yaml).args(["check", "roadmaps/real.yaml"]).run();
    let check_errors = check
        .stderr()
        .lines()
        .filter(|l| l.starts_with("ошибка[") && !l.starts_with("ошибка[K0501]"))
        .map(String::from)
        .collect();
    Verdict { problems, check_errors }
}

#[test]
fn real_tables_convert_and_check() {
    let mut names: Vec<PathBuf> = std::fs::read_dir(real())
        .expect("the corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    names.sort();
    assert!(names.len() >= 20, "{} tables", names.len());
    let (mut right, mut clean) = (0, 0);
    let mut report = Vec::new();
    let mut rejected = Vec::new();
    for expected_path in &names {
        let stem = expected_path.to_string_lossy().trim_end_matches(".expected.json").to_string();
        let source = ["docx", "xlsx"].iter().map(|e| PathBuf::from(format!("{stem}.{e}"))).find(|p| p.exists());
        let source = source.unwrap_or_else(|| panic!("no document for {stem}"));
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(expected_path).expect("read")).expect("json");
        let marked: Value =
            serde_json::from_str(&std::fs::read_to_string(format!("{stem}.json")).expect("read")).expect("json");
        let verdict = convert(&source, &expected, !marked["columns"]["due"].is_null());
        let name = source.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        right += usize::from(verdict.problems.is_empty() && verdict.check_errors.is_empty());
        clean += usize::from(verdict.check_errors.is_empty());
        if !verdict.check_errors.is_empty() {
            rejected.push(format!("{name}: {}", verdict.check_errors.join("; ")));
        }
        let status = if verdict.problems.is_empty() && verdict.check_errors.is_empty() { "ok" } else { "WRONG" };
        report.push(format!("{status:5} {name}: {}", [verdict.problems, verdict.check_errors].concat().join("; ")));
    }
    eprintln!("real tables: {right} of {} converted right, {clean} check clean", names.len());
    for line in &report {
        eprintln!("  {line}");
    }
    assert!(rejected.is_empty(), "convert wrote YAML its own check rejects:\n{}", rejected.join("\n"));
    let share = right as f64 / names.len() as f64;
    assert!(share >= 0.9, "only {right} of {} tables converted right:\n{}", names.len(), report.join("\n"));
}

//! `plan`, `agenda`, `graph` and `ics` through the binary, checked with real tools: Graphviz
//! renders the DOT, Python's icalendar parses the feed. Cross-roadmap references and cycles.

mod support;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;
use support::Test;

fn roadmaps() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("roadmaps").display().to_string()
}

fn seeds() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(roadmaps())
        .expect("roadmaps/")
        .map(|e| e.expect("entry").path())
        .filter(|p| !p.display().to_string().contains("directory"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    files
}

/// A one-file roadmap `r` in Asia/Vladivostok with the given period and body lines.
fn roadmap_r(from: &str, to: &str, body: &[&str]) -> String {
    let head =
        format!("kind: roadmap\nid: r\ntitle: R\nperiod: {{from: {from}, to: {to}}}\ntimezone: Asia/Vladivostok\n");
    head + &body.join("\n") + "\n"
}

/// Pipes `input` through a program and returns its exit status and stdout.
fn pipe(program: &str, args: &[&str], input: &[u8]) -> (bool, String, String) {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} is needed for this test (.ci/deps installs it): {e}"));
    child.stdin.take().expect("stdin").write_all(input).expect("write");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn graph_renders_with_graphviz_for_every_seed() {
    for seed in seeds() {
        let run = Test::new().args(["graph".to_string(), seed.clone(), "--format".into(), "dot".into()]).run();
        run.succeeds();
        let (ok, svg, err) = pipe("dot", &["-Tsvg"], run.stdout().as_bytes());
        assert!(ok, "{seed}: dot failed: {err}");
        assert!(svg.contains("<svg") && svg.contains("cluster_0"), "{seed}: no SVG clusters");
    }
}

#[test]
fn graph_marks_the_critical_path_and_speaks_mermaid() {
    let yaml = roadmap_r(
        "2023-09-01",
        "2024-08-31",
        &[
            "executors: {uo: {name: УО, email: uo@example.org}}",
            "sections:",
            "  - title: Подготовка",
            "    activities:",
            "      - {id: a, title: Приказ, executors: [uo], due: до 2 октября 2023 г.}",
            "      - {id: b, title: Команды, executors: [uo], due: в течение 5 рабочих дней после a}",
            "      - {id: c, title: План, executors: [uo], due: в течение 10 рабочих дней после b}",
            "      - {id: d, title: Справка, executors: [uo], due: до 1 октября 2023 г.}",
        ],
    );
    let yaml = yaml.as_str();
    let test = Test::new().file("r.yaml", yaml);
    let dot = test.args(["graph", "r.yaml"]).run();
    dot.succeeds();
    let text = dot.stdout();
    for n in ["n0_0", "n0_1", "n0_2"] {
        assert!(text.contains(&format!("{n} [label=")) && text.contains(&format!("{n} [label=")), "{text}");
    }
    assert!(text.contains("n0_0 -> n0_1 [color=red"), "the chain a → b → c is critical:\n{text}");
    assert!(!text.contains("n0_3 [label=\"Справка\\nдо 1 октября 2023 г.\", tooltip=\"r/d\", color=red"), "{text}");
    let mermaid = Test::new().file("r.yaml", yaml).args(["graph", "r.yaml", "--format", "mermaid"]).run();
    mermaid.succeeds();
    let m = mermaid.stdout();
    assert!(m.starts_with("flowchart LR\n") && m.contains("n0_1 --> n0_2") && m.contains(":::critical"), "{m}");
    // The relative chain in the plan: b is due 5 working days after 02.10.2023, c 10 after that.
    let plan = Test::new().file("r.yaml", yaml).args(["plan", "r.yaml", "--format", "json"]).run();
    plan.succeeds();
    let p: Value = serde_json::from_str(&plan.stdout()).expect("JSON");
    let due = |a: &str| {
        p["occurrences"].as_array().and_then(|l| l.iter().find(|o| o["activity"] == a)).map(|o| o["due_date"].clone())
    };
    assert_eq!(due("b"), Some(Value::from("2023-10-09")));
    assert_eq!(due("c"), Some(Value::from("2023-10-23")));
    let slack = |a: &str| {
        p["occurrences"].as_array().and_then(|l| l.iter().find(|o| o["activity"] == a)).map(|o| o["slack_days"].clone())
    };
    assert_eq!(slack("a"), Some(Value::from(0)));
    assert_eq!(slack("d"), Some(Value::from(22)), "d may slip until the final date 23.10.2023");
}

#[test]
fn ics_feed_parses_with_python_icalendar() {
    let run = Test::new()
        .args([
            "ics".to_string(),
            roadmaps(),
            "--executor".into(),
            "mo-lazo".into(),
            "--now".into(),
            "2023-10-16T09:00:00+10:00".into(),
        ])
        .run();
    run.succeeds();
    let feed = run.stdout();
    assert!(feed.lines().all(|l| l.len() <= 76), "lines are folded at 75 octets");
    let script = "import sys, icalendar\n\
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())\n\
todos = cal.walk('VTODO')\n\
alarms = sum(len(t.walk('VALARM')) for t in todos)\n\
first = todos[0]\n\
print(len(todos), alarms, first.get('uid'), first.decoded('due').isoformat())\n";
    let (ok, out, err) = pipe("python3", &["-c", script], feed.as_bytes());
    assert!(ok, "python icalendar rejected the feed: {err}");
    let fields: Vec<&str> = out.split_whitespace().collect();
    let todos: usize = fields[0].parse().expect("count");
    let plan = Test::new()
        .args(["plan".to_string(), roadmaps(), "--executor".into(), "mo-lazo".into(), "--format".into(), "json".into()])
        .run();
    let p: Value = serde_json::from_str(&plan.stdout()).expect("JSON");
    assert_eq!(todos as u64, p["summary"]["occurrences"].as_u64().expect("count"), "one VTODO per occurrence");
    assert!(fields[1].parse::<usize>().expect("alarms") > todos, "reminders 7 and 1 days before");
    assert!(fields[2].ends_with("/mo-lazo@karta"), "{out}");
}

#[test]
fn agenda_groups_by_day_in_russian() {
    let run = Test::new()
        .args([
            "agenda".to_string(),
            roadmaps(),
            "--executor".into(),
            "uo-lazo".into(),
            "--days".into(),
            "7".into(),
            "--now".into(),
            "2023-10-16T09:00:00+10:00".into(),
        ])
        .run();
    run.succeeds();
    let out = run.stdout();
    assert!(out.contains("вт, 17 октября 2023 г."), "{out}");
    assert!(out.contains("lazo-2023-2024/org-1@2023-10-17"), "{out}");
    assert!(!out.contains("2023-10-24"), "nothing beyond seven days:\n{out}");
}

#[test]
fn a_cycle_across_two_roadmaps_names_both_files() {
    let head = |id: &str| {
        format!(
            "kind: roadmap\nid: {id}\ntitle: T\nperiod: {{from: 2023-09-01, to: 2024-08-31}}\ntimezone: Asia/Vladivostok\nexecutors: {{uo: {{name: УО}}}}\nsections:\n  - title: S\n    activities:\n"
        )
    };
    let region = format!(
        "{}      - id: day-1\n        title: Вебинар\n        executors: [uo]\n        due: каждый вторник\n        after: [district/report]\n",
        head("region")
    );
    let district = format!(
        "{}      - id: report\n        title: Справка\n        executors: [uo]\n        due: суббота до 18.00\n        after: [region/day-1]\n",
        head("district")
    );
    let run = Test::new()
        .file("region.yaml", region)
        .file("district.yaml", district)
        .args(["check", ".", "--format", "json"])
        .run();
    run.fails();
    let cycles: Vec<Value> = run
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .filter(|d: &Value| d["code"] == "K0304")
        .collect();
    assert_eq!(cycles.len(), 1, "{}", run.stdout());
    let message = cycles[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("district/report → region/day-1 → district/report"), "{message}");
    let text = Test::new()
        .file(
            "region.yaml",
            head("region")
                + "      - {id: day-1, title: В, executors: [uo], due: каждый вторник, after: [district/report]}\n",
        )
        .file(
            "district.yaml",
            head("district")
                + "      - {id: report, title: С, executors: [uo], due: суббота до 18.00, after: [region/day-1]}\n",
        )
        .args(["check", "."])
        .run();
    let err = text.stderr();
    assert!(err.contains("./district.yaml:10:") && err.contains("./region.yaml:10:"), "both files' positions:\n{err}");
}

#[test]
fn unknown_cross_reference_is_located() {
    let yaml = "kind: roadmap\nid: d\ntitle: T\nperiod: {from: 2023-09-01, to: 2024-08-31}\ntimezone: Asia/Vladivostok\nexecutors: {uo: {name: УО}}\n\
sections:\n  - title: S\n    activities:\n      - {id: a, title: T, executors: [uo], due: до 2 октября 2023 г., after: [khv-model/day-1]}\n";
    let run = Test::new().file("d.yaml", yaml).args(["check", "d.yaml", "--format", "json"]).run();
    run.fails();
    let d: Value = serde_json::from_str(run.stdout().lines().next().unwrap_or_default()).expect("JSON");
    assert_eq!((d["code"].as_str(), d["line"].as_u64(), d["column"].as_u64()), (Some("K0303"), Some(10), Some(79)));
}

#[test]
fn joint_relative_work_after_per_executor_work_waits_for_every_executor() {
    let yaml = roadmap_r(
        "2023-09-01",
        "2024-08-31",
        &[
            "executors: {iro: {name: ИРО}, a: {name: Район А}, b: {name: Район Б}}",
            "groups: {districts: {name: Районы, members: [a, b]}}",
            "sections:",
            "  - title: S",
            "    activities:",
            "      - {id: report, title: Справка, for_each: districts, due: до 13 октября 2023 г.}",
            "      - {id: summary, title: Свод, executors: [iro], due: в течение 3 рабочих дней после report}",
        ],
    );
    let run = Test::new().file("r.yaml", &yaml).args(["plan", "r.yaml", "--format", "json"]).run();
    run.succeeds();
    let p: Value = serde_json::from_str(&run.stdout()).expect("JSON");
    let summary = p["occurrences"]
        .as_array()
        .and_then(|l| l.iter().find(|o| o["activity"] == "summary"))
        .cloned()
        .expect("summary");
    assert_eq!(summary["id"], "r/summary@2023-10-13");
    assert_eq!(summary["due_date"], "2023-10-18", "13.10.2023 (Fri) + 3 working days");
    let deps: Vec<&str> = summary["depends_on"].as_array().expect("deps").iter().filter_map(Value::as_str).collect();
    assert_eq!(deps, vec!["r/report@2023-10-13/a", "r/report@2023-10-13/b"]);
}

#[test]
fn a_relative_deadline_past_the_period_is_a_warning() {
    let yaml = roadmap_r(
        "2023-09-01",
        "2023-12-31",
        &[
            "executors: {uo: {name: УО, email: uo@example.org}}",
            "sections:",
            "  - title: S",
            "    activities:",
            "      - {id: a, title: Итоги, executors: [uo], due: до 25 декабря 2023 г.}",
            "      - {id: b, title: Отчёт, executors: [uo], due: в течение 10 рабочих дней после a}",
        ],
    );
    let run = Test::new().file("r.yaml", &yaml).args(["check", "r.yaml", "--format", "json"]).run();
    run.succeeds();
    let d: Vec<Value> = run.stdout().lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    let late = d.iter().find(|d| d["code"] == "K0401").expect("a K0401 warning");
    assert_eq!(late["severity"], "warning");
    assert_eq!(late["line"], 11);
    assert!(late["message"].as_str().unwrap_or_default().contains("(16.01.2024)"), "{late}");
}

#[test]
fn a_group_and_its_member_named_together_count_the_member_once() {
    let yaml = roadmap_r(
        "2023-09-01",
        "2024-08-31",
        &[
            "executors: {a: {name: А}, b: {name: Б}, c: {name: В}}",
            "groups: {districts: {name: Районы, members: [b, a]}}",
            "sections:",
            "  - title: S",
            "    activities:",
            "      - {id: x, title: Совещание, executors: [a, c, districts], due: до 2 октября 2023 г.}",
        ],
    );
    let run = Test::new().file("r.yaml", &yaml).args(["plan", "r.yaml", "--format", "json"]).run();
    run.succeeds();
    let p: Value = serde_json::from_str(&run.stdout()).expect("JSON");
    assert_eq!(p["occurrences"][0]["executors"], serde_json::json!(["a", "c", "b"]));
}

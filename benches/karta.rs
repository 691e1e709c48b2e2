//! Benchmarks of the stages that exist so far: `karta check` on a generated 10,000-activity
//! roadmap, deadline phrase parsing (a simple "до D" and a recurrence), and compiling
//! workspaces of 1k, 10k and 100k activities into plans.
//! Run: `cargo bench --bench karta`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use karta::calendar::Calendar;
use karta::model::Period;

/// A deterministic roadmap of `n` activities shaped like the seeds: sections of 50 activities,
/// every third depending on its predecessor, deadlines drawn from the phrases the seeds use.
pub fn roadmap(n: usize) -> String {
    roadmap_with_id(n, "bench")
}

/// Writes a workspace of `n` activities as files of at most 5,000 activities each.
fn workspace(dir: &std::path::Path, n: usize) -> Vec<PathBuf> {
    (0..n.div_ceil(5_000))
        .map(|i| {
            let path = dir.join(format!("bench-{i}.yaml"));
            std::fs::write(&path, roadmap_with_id((n - i * 5_000).min(5_000), &format!("bench-{i}"))).expect("write");
            path
        })
        .collect()
}

fn roadmap_with_id(n: usize, id: &str) -> String {
    const DUE: [&str; 8] = [
        "до 17 октября 2023 г.",
        "октябрь – ноябрь 2023 г.",
        "Ежемесячно, последняя среда месяца",
        "октябрь 2023 г. – март 2024 г., первая неделя",
        "2 – 3 ноября 2023 г. 28 – 29 марта 2024 г.",
        "октябрь – декабрь 2023 г., еженедельно",
        "Постоянно",
        "до 5 числа месяца, следующего за отчетным",
    ];
    let mut out = format!(
        "kind: roadmap\nid: {id}\ntitle: Нагрузочная дорожная карта\nperiod: {{from: 2023-09-01, to: 2024-08-31}}\n\
         timezone: Asia/Vladivostok\nexecutors:\n  uo: {{name: Управление образования, email: uo@example.org}}\n  imc: {{name: МБУ «ИМЦ», email: imc@example.org}}\n\
         sections:\n",
    );
    for i in 0..n {
        if i % 50 == 0 {
            out.push_str(&format!("  - title: Раздел {}\n    activities:\n", i / 50 + 1));
        }
        out.push_str(&format!(
            "      - id: a-{i}\n        title: Мероприятие {i} по повышению качества образования\n        executors: [{}]\n        due: \"{}\"\n",
            if i % 2 == 0 { "uo" } else { "uo, imc" },
            DUE[i % DUE.len()]
        ));
        if i % 3 == 2 {
            out.push_str(&format!("        after: [a-{}]\n", i - 1));
        }
        out.push_str("        result: распорядительные акты и документы\n");
    }
    out
}

fn check(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path: PathBuf = dir.path().join("bench.yaml");
    std::fs::write(&path, roadmap(10_000)).expect("write roadmap");
    let files = vec![path];
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.throughput(Throughput::Elements(10_000));
    group.bench_function("10k activities", |b| {
        b.iter(|| {
            let checked = karta::check::check_files(black_box(&files), Calendar::russia());
            assert!(!checked.has_errors());
        })
    });
    group.finish();
}

fn deadlines(c: &mut Criterion) {
    let period = Period {
        from: chrono::NaiveDate::from_ymd_opt(2023, 9, 1).expect("date"),
        to: chrono::NaiveDate::from_ymd_opt(2024, 8, 31).expect("date"),
    };
    let mut group = c.benchmark_group("deadline");
    group.throughput(Throughput::Elements(1));
    for (name, phrase) in [
        ("once", "до 17 октября 2023 г."),
        ("recurring", "октябрь 2023 г. – март 2024 г., ежемесячно (каждая третья неделя месяца)"),
        ("list", "2 – 3 ноября 2023 г. 28 – 29 марта 2024 г."),
    ] {
        group.bench_function(name, |b| b.iter(|| karta::deadline::read(black_box(phrase), period)));
    }
    group.finish();
}

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    for n in [1_000, 10_000, 100_000] {
        let dir = tempfile::tempdir().expect("temp dir");
        let files = workspace(dir.path(), n);
        let ws = karta::check::check_files(&files, Calendar::russia()).into_workspace().expect("no errors");
        let occurrences = karta::compile::compile(&ws, Calendar::russia()).expect("compiles").occurrences.len();
        eprintln!("compile/{n}: {occurrences} occurrences");
        group.throughput(Throughput::Elements(occurrences as u64));
        group.bench_function(format!("{n} activities"), |b| {
            b.iter(|| karta::compile::compile(black_box(&ws), Calendar::russia()).expect("compiles"))
        });
    }
    group.finish();
}

/// Status of about a million occurrences with one report each: the fold of the event log into
/// states and roll-ups (the plan is compiled once, outside the measurement).
fn status(c: &mut Criterion) {
    use karta::track::{Action, Event, NewEvent};
    let dir = tempfile::tempdir().expect("temp dir");
    let files = workspace(dir.path(), 170_000);
    let ws = karta::check::check_files(&files, Calendar::russia()).into_workspace().expect("no errors");
    let plan = karta::compile::compile(&ws, Calendar::russia()).expect("compiles");
    let now = chrono::DateTime::parse_from_rfc3339("2024-03-01T12:00:00+10:00").expect("time");
    let recorded = chrono::DateTime::parse_from_rfc3339("2024-02-01T12:00:00+10:00").expect("time");
    let events: Vec<Event> = plan
        .occurrences
        .iter()
        .enumerate()
        .map(|(i, o)| Event {
            id: i as i64 + 1,
            event: NewEvent {
                occurrence: Some(o.id.clone()),
                action: if i % 10 == 0 {
                    Action::Partial { percent: Some(50) }
                } else {
                    Action::Done { on: o.due_date }
                },
                note: None,
                evidence: Vec::new(),
                author: "bench".into(),
                recorded_at: recorded,
                batch: None,
            },
            carried: None,
        })
        .collect();
    eprintln!("status: {} occurrences, {} events", plan.occurrences.len(), events.len());
    let mut group = c.benchmark_group("status");
    group.sample_size(10);
    group.throughput(Throughput::Elements(plan.occurrences.len() as u64));
    group.bench_function("1M occurrences, 1M events", |b| {
        b.iter(|| karta::track::status(black_box(&ws), &plan, &events, now, Calendar::russia()))
    });
    group.finish();

    // Planning the notices due at `now` for the same million occurrences (the status is
    // computed once, outside the measurement; sending is bounded by the SMTP server).
    let report = karta::track::status(&ws, &plan, &events, now, Calendar::russia());
    let rules = karta::notify::Rules::default();
    let planned = karta::notify::rules::plan(&ws, &plan, &report, &rules, Calendar::russia(), now).len();
    eprintln!("notify: {planned} notices planned at {now}");
    let mut group = c.benchmark_group("notify");
    group.sample_size(10);
    group.throughput(Throughput::Elements(report.occurrences.len() as u64));
    group.bench_function("plan notices, 1M occurrences", |b| {
        b.iter(|| karta::notify::rules::plan(black_box(&ws), &plan, &report, &rules, Calendar::russia(), now))
    });
    group.finish();
}

/// Rendering the status report (справка) of a 5,000-activity roadmap as HTML: the data from the
/// status at `now`, then the template.
fn render(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = workspace(dir.path(), 5_000);
    let ws = karta::check::check_files(&files, Calendar::russia()).into_workspace().expect("no errors");
    let plan = karta::compile::compile(&ws, Calendar::russia()).expect("compiles");
    let now = chrono::DateTime::parse_from_rfc3339("2024-03-01T12:00:00+10:00").expect("time");
    let templates = karta::render::Templates::load(None).expect("built-in templates");
    let mut group = c.benchmark_group("render");
    group.sample_size(10);
    group.bench_function("status report, 5,000 activities, HTML", |b| {
        b.iter(|| {
            let report = karta::track::status(&ws, &plan, &[], now, Calendar::russia());
            let data = karta::render::context::status(&ws, &report, None, &[], 0, now.date_naive(), &[]);
            templates.render(karta::render::Kind::Status, karta::render::Format::Html, &data).expect("renders")
        })
    });
    group.finish();
}

criterion_group!(benches, check, deadlines, compile, status, render);
criterion_main!(benches);

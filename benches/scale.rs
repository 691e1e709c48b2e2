//! Scale: every stage of karta on synthetic regions (`karta::synthetic`, the workspaces
//! `karta-gen` writes) of 1k, 10k and 100k activities, and 1M on request — the time and the
//! peak memory (RSS high-water mark) of each stage, then the growth from size to size.
//!
//!     cargo bench --bench scale                        # 1000 10000 100000
//!     cargo bench --bench scale -- 1000000 --pipeline  # any sizes; only the pipeline's stages
//!
//! Each stage runs once, in the order the service runs them, on the output of the stage before:
//! a cold, end-to-end figure (criterion's repeated samples of the hot paths are in
//! `benches/karta.rs`). The peak of a stage is the process's, so it includes what earlier
//! stages still hold — as the `karta` command would.

use std::path::PathBuf;
use std::time::Instant;

use chrono::{DateTime, FixedOffset};
use karta::calendar::Calendar;

/// The allocator of the `karta` command, so that the figures are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The instant every stage is computed at: the middle of the school year.
const NOW: &str = "2024-03-01T12:00:00+10:00";

/// One stage measured.
struct Measured {
    stage: &'static str,
    seconds: f64,
    peak_mib: f64,
    /// What the stage went through (files, occurrences, events…), for the reader.
    items: String,
}

/// The stages that make the full pipeline of `karta status` (check, compile, status at an instant).
const PIPELINE: [&str; 4] = ["load + check", "read the log", "compile as of now", "status"];

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000, 10_000, 100_000] } else { sizes };
    // Notices, documents and pages are made for one roadmap or one day at a time; at a million
    // activities only the pipeline's stages are run.
    let pipeline_only = std::env::args().any(|a| a == "--pipeline");
    let now = DateTime::parse_from_rfc3339(NOW).expect("the bench instant");
    let results: Vec<(usize, Vec<Measured>)> = sizes.iter().map(|&n| (n, run(n, now, pipeline_only))).collect();
    for (n, stages) in &results {
        println!("\n## {n} activities\n");
        println!("| stage | time | peak RSS | of what |\n|---|---:|---:|---|");
        for m in stages {
            println!("| {} | {} | {:.0} MiB | {} |", m.stage, seconds(m.seconds), m.peak_mib, m.items);
        }
    }
    if results.len() > 1 {
        growth(&results);
    }
}

/// Generates a region of `n` activities and runs every stage on it.
fn run(n: usize, now: DateTime<FixedOffset>, pipeline_only: bool) -> Vec<Measured> {
    let calendar = Calendar::russia();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut rng = karta::synthetic::Rng::new(42);
    let written = karta::synthetic::workspace(dir.path(), n, &mut rng).expect("the generated workspace");
    eprintln!("scale: {n} activities, {} roadmaps", written.roadmaps);
    let mut out = Vec::new();

    let files = karta::check::collect_files(&[dir.path().join("roadmaps")]).expect("the roadmaps");
    let ws = measure(&mut out, "load + check", || {
        karta::check::check_files(&files, calendar).into_workspace().expect("the generated workspace checks")
    });
    describe(&mut out, format!("{} files", files.len()));

    let phrases: Vec<(&str, karta::model::Period)> =
        ws.units.iter().flat_map(|u| u.tasks.iter().filter_map(|t| Some((t.phrase.as_deref()?, u.period)))).collect();
    let read = measure(&mut out, "deadline phrases", || {
        phrases.iter().filter(|(p, period)| karta::deadline::read(p, *period).is_ok()).count()
    });
    describe(&mut out, format!("{read} phrases"));

    let planned = measure(&mut out, "compile as approved", || {
        karta::compile::compile(&ws, calendar).expect("the generated workspace compiles")
    });
    describe(&mut out, format!("{} occurrences", planned.occurrences.len()));

    let (csv, rows) = karta::synthetic::reports(&planned, now.date_naive(), &mut rng);
    drop(planned);
    let db = dir.path().join("karta.db");
    let mut store = karta::store::open(&db).expect("the store");
    let imported = measure(&mut out, "import reports", || {
        let plan = karta::track::plan_at(&ws, &[], now, calendar);
        let events = karta::track::import::read(&PathBuf::from("events.csv"), &csv, &ws, &plan, &[], now, "bench")
            .expect("the generated reports import");
        store.append(&events).expect("the store takes the reports").len()
    });
    describe(&mut out, format!("{imported} of {rows} rows"));
    drop(csv);

    // The tracked state, dropped before the web app loads its own.
    {
        let events = measure(&mut out, "read the log", || store.events().expect("the log"));
        describe(&mut out, format!("{} events", events.len()));
        let plan = measure(&mut out, "compile as of now", || karta::track::plan_at(&ws, &events, now, calendar));
        describe(&mut out, format!("{} occurrences", plan.occurrences.len()));
        let report = measure(&mut out, "status", || karta::track::status(&ws, &plan, &events, now, calendar));
        describe(
            &mut out,
            format!(
                "{} overdue",
                report.occurrences.iter().filter(|s| matches!(s.state, karta::track::State::Overdue { .. })).count()
            ),
        );

        if pipeline_only {
            return finish(out);
        }
        let rules = karta::notify::Rules::default();
        let notices = measure(&mut out, "notice planning", || {
            karta::notify::rules::plan(&ws, &plan, &report, &rules, calendar, now)
        });
        describe(&mut out, format!("{} notices", notices.len()));

        let regional = ws.units.iter().position(|u| u.id.starts_with("regional")).expect("the regional roadmap");
        let templates = karta::render::Templates::load(None).expect("the built-in templates");
        let html = measure(&mut out, "status report (HTML)", || {
            let data = karta::render::context::status(&ws, &report, None, &[], regional, now.date_naive(), &[]);
            templates
                .render(karta::render::Kind::Status, karta::render::Format::Html, &data)
                .expect("the report renders")
        });
        describe(&mut out, format!("regional roadmap, {} KB", html.len() / 1024));
    }
    drop(ws);

    out.push(web_page(&files, &db, now));
    finish(out)
}

/// The stages, and the pipeline's total: its time the sum, its peak the highest.
fn finish(mut out: Vec<Measured>) -> Vec<Measured> {
    let pipeline: Vec<&Measured> = out.iter().filter(|m| PIPELINE.contains(&m.stage)).collect();
    let total = Measured {
        stage: "pipeline: check + compile + status",
        seconds: pipeline.iter().map(|m| m.seconds).sum(),
        peak_mib: pipeline.iter().map(|m| m.peak_mib).fold(0.0, f64::max),
        items: PIPELINE.join(", "),
    };
    out.push(total);
    out
}

/// The roadmap page of the web app for the regional roadmap, as the service makes it once its
/// view of the minute is cached: the status, the page data and the template.
fn web_page(files: &[PathBuf], db: &std::path::Path, now: DateTime<FixedOffset>) -> Measured {
    use karta::web::state::{Pool, Roadmaps, View};
    let roadmaps = Roadmaps::load(files, now).expect("the service loads the roadmaps");
    let pool = Pool::open(db.to_path_buf()).expect("the store");
    let view = View::at(roadmaps.current(), &pool, now).expect("the view");
    let templates = karta::render::Templates::load(None).expect("the built-in templates");
    let id = view.workspace().units.iter().find(|u| u.id.starts_with("regional")).expect("regional").id.clone();
    let mut out = Vec::new();
    let html = measure(&mut out, "web: roadmap page", || {
        let report = view.report();
        let data = karta::web::data::roadmap(&view, &report, &id, &Default::default()).expect("the page data");
        templates.page("roadmap", &data).expect("the page renders")
    });
    describe(&mut out, format!("regional roadmap, {} KB of HTML", html.len() / 1024));
    out.pop().expect("measured")
}

/// Runs `stage`, recording its time and the process's peak RSS while it ran.
fn measure<T>(out: &mut Vec<Measured>, stage: &'static str, f: impl FnOnce() -> T) -> T {
    reset_peak();
    let start = Instant::now();
    let value = f();
    let seconds = start.elapsed().as_secs_f64();
    out.push(Measured { stage, seconds, peak_mib: peak_mib(), items: String::new() });
    value
}

fn describe(out: &mut [Measured], items: String) {
    if let Some(last) = out.last_mut() {
        last.items = items;
    }
}

/// Resets the RSS high-water mark (Linux: `5` to `/proc/self/clear_refs`).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The RSS high-water mark (`VmHWM`) in MiB.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn seconds(s: f64) -> String {
    if s < 1.0 { format!("{:.1} ms", s * 1000.0) } else { format!("{s:.2} s") }
}

/// Time per stage from each size to the next, against the growth of the size: near 1 is linear.
fn growth(results: &[(usize, Vec<Measured>)]) {
    println!("\n## Growth (time ratio ÷ size ratio; 1.0 is linear)\n");
    let steps: Vec<String> = results.windows(2).map(|w| format!("{} → {}", w[0].0, w[1].0)).collect();
    println!("| stage | {} |\n|---|{}", steps.join(" | "), "---:|".repeat(steps.len()));
    for (i, m) in results[0].1.iter().enumerate() {
        let cells: Vec<String> = results
            .windows(2)
            .map(|w| {
                let (a, b) = (&w[0].1[i], &w[1].1[i]);
                let size = w[1].0 as f64 / w[0].0 as f64;
                format!("{:.2} (×{:.1})", b.seconds / a.seconds / size, b.seconds / a.seconds)
            })
            .collect();
        println!("| {} | {} |", m.stage, cells.join(" | "));
    }
}

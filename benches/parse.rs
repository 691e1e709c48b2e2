//! The cost of reading the input, and karta against it (issue 24): every YAML file of a workspace
//! parsed to events by saphyr-parser on all cores with nothing built — the bare parse, the floor
//! any command that reads the files stands on — and, alternately in one run so that the ratios
//! compare like with like, on the same workspace:
//!
//! - `karta status` cold (`--no-cache`);
//! - `karta status` warm: the cache of files and the plan written by the run before, nothing
//!   changed since;
//! - `karta status` after one edited file: an activity's title changed in one school roadmap
//!   (text compiling never reads: the kept plan serves), or its deadline (the plan is compiled
//!   again);
//! - `karta serve`'s reload after one edited file (in this process, as the service does it)
//!   and the first view of the plan after it: a title (the last view's plan serves) or a
//!   deadline (compiled again); and the view of the next minute.
//!
//! ```sh
//! cargo run --release --bin karta-gen -- --activities 100000 --out /tmp/gen100000 --events
//! (cd /tmp/gen100000 && karta import events.csv --by gen --now 2024-03-01T12:00:00+10:00)
//! cargo bench --bench parse -- /tmp/gen100000 [RUNS]
//! ```
//!
//! Each figure is given as min / median / max over RUNS (default 5) runs: wall seconds and CPU
//! seconds (user + system; the child's for `karta status`), and the ratio of the medians.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rayon::prelude::*;
use saphyr_parser::{Event, Parser};

/// The allocator the `karta` executable runs with (src/main.rs): the service's reload and views
/// measured in this process allocate as `karta serve` does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The instant `karta status` runs at: the middle of the school year.
const NOW: &str = "2024-03-01T12:00:00+10:00";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench parse -- DIR [RUNS]  (DIR: a workspace karta-gen wrote)");
        std::process::exit(2);
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let files = yaml_files(&dir);
    let bytes: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    println!("{}: {} files, {:.1} MB of YAML, {runs} runs each\n", dir.display(), files.len(), bytes as f64 / 1e6);

    // The file edited between runs, and the service watching the workspace.
    let edited = files.iter().find(|f| f.to_string_lossy().contains("school-")).unwrap_or(&files[0]).clone();
    let original = std::fs::read_to_string(&edited).expect("the edited file");
    let now = chrono::DateTime::parse_from_rfc3339(NOW).expect("NOW");
    let calendar = karta::calendar::Calendar::russia();
    let service =
        karta::web::state::Roadmaps::load_cached(&[dir.join("roadmaps")], now, calendar, Some(dir.join("karta.cache")))
            .unwrap_or_else(|e| panic!("the service loads the roadmaps: {e:?}"));
    let pool = karta::web::state::Pool::open(dir.join("karta.db")).expect("the store");
    karta_status(&dir, Cache::Use); // the cache, as the run before a warm one leaves it

    // The service's last view, as `karta serve` keeps it between requests.
    let mut last = Some(karta::web::state::View::at(service.current(), &pool, now).expect("the view"));

    let mut samples: [Vec<Sample>; 11] = Default::default();
    for round in 0..runs {
        let n = round * 6;
        samples[0].push(bare_parse(&files));
        samples[1].push(karta_status(&dir, Cache::Off));
        samples[2].push(karta_status(&dir, Cache::Use));
        edit(&edited, &original, Line::Title, n);
        samples[3].push(karta_status(&dir, Cache::Use));
        edit(&edited, &original, Line::Due, n + 1);
        samples[4].push(karta_status(&dir, Cache::Use));
        // The service: a deadline edited, then a title twice (the first after the deadline
        // compiles, its deadline being back as it was; the second is measured).
        edit(&edited, &original, Line::Due, n + 2);
        let (reload_due, view_due, _) = reload(&service, &pool, now, &mut last);
        edit(&edited, &original, Line::Title, n + 3);
        reload(&service, &pool, now, &mut last);
        edit(&edited, &original, Line::Title, n + 4);
        let (reload_title, view_title, next) = reload(&service, &pool, now, &mut last);
        // And another title at once: nothing freed or compiled just before.
        edit(&edited, &original, Line::Title, n + 5);
        let (reload_again, _, _) = reload(&service, &pool, now, &mut last);
        samples[5].push(reload_title);
        samples[6].push(view_title);
        samples[7].push(next);
        samples[8].push(reload_due);
        samples[9].push(view_due);
        samples[10].push(reload_again);
        // The next warm run follows a run over the same files, as a warm run does.
        karta_status(&dir, Cache::Use);
    }
    std::fs::write(&edited, &original).expect("the edited file restored");
    println!("| | wall, s (min / median / max) | CPU, s (min / median / max) | median / bare parse (wall, CPU) |");
    println!("|---|---:|---:|---:|");
    let rows = [
        "bare parse (saphyr-parser events, all cores)",
        "`karta status --overdue`, cold (`--no-cache`)",
        "`karta status --overdue`, warm (nothing changed)",
        "`karta status --overdue`, one title edited",
        "`karta status --overdue`, one deadline edited",
        "`karta serve` reload, one title edited",
        "`karta serve` first view after the reload (the last view's plan)",
        "`karta serve` view of the next minute",
        "`karta serve` reload, one deadline edited",
        "`karta serve` first view after the reload (compiled)",
        "`karta serve` reload, another title edited at once",
    ];
    for (what, s) in rows.iter().zip(&samples) {
        row(what, s, &samples[0]);
    }
}

/// Whether a `karta status` run uses the cache.
#[derive(Clone, Copy)]
enum Cache {
    Use,
    Off,
}

/// The line of an activity an edit changes.
#[derive(Clone, Copy)]
enum Line {
    Title,
    Due,
}

/// Changes the title of the file's first activity (a different title each time), or its
/// deadline (another date each time).
fn edit(file: &Path, original: &str, line: Line, n: usize) {
    let mut done = false;
    let text: Vec<String> = original
        .lines()
        .map(|l| {
            let indent = &l[..l.len() - l.trim_start().len()];
            match line {
                _ if done || indent.len() < 6 => l.to_string(),
                Line::Title if l.trim_start().starts_with("title:") => {
                    done = true;
                    let quote = if l.ends_with('"') {
                        "\""
                    } else if l.ends_with('\'') {
                        "'"
                    } else {
                        ""
                    };
                    format!("{} (правка {n}){quote}", l.trim_end_matches(['"', '\'']))
                }
                Line::Due if l.trim_start().starts_with("due:") => {
                    done = true;
                    format!("{indent}due: \"до {} декабря 2023 г.\"", 1 + n % 28)
                }
                _ => l.to_string(),
            }
        })
        .collect();
    assert!(done, "an activity line to edit in {}", file.display());
    std::fs::write(file, text.join("\n") + "\n").expect("edit");
}

/// The service's reload after the edit, the first view of the plan at `now` after it (after
/// the service's `last` view), and the view of the next minute (the plan taken from the first),
/// which is the last view then.
fn reload(
    service: &karta::web::state::Roadmaps,
    pool: &karta::web::state::Pool,
    now: chrono::DateTime<chrono::FixedOffset>,
    last: &mut Option<karta::web::state::View>,
) -> (Sample, Sample, Sample) {
    let cpu = own_cpu();
    let start = Instant::now();
    assert!(service.refresh(now), "the edit is seen");
    let reload = Sample { wall: start.elapsed().as_secs_f64(), cpu: own_cpu() - cpu };
    let (cpu, start) = (own_cpu(), Instant::now());
    let view = karta::web::state::View::after(last.as_ref(), service.current(), pool, now).expect("the view");
    assert!(!view.plan.occurrences.is_empty());
    let first = Sample { wall: start.elapsed().as_secs_f64(), cpu: own_cpu() - cpu };
    let (cpu, start) = (own_cpu(), Instant::now());
    let minute = now + chrono::Duration::minutes(1);
    let next = karta::web::state::View::after(Some(&view), service.current(), pool, minute).expect("the view");
    assert!(std::sync::Arc::ptr_eq(&view.plan, &next.plan), "the plan of the minute before serves");
    let next_minute = Sample { wall: start.elapsed().as_secs_f64(), cpu: own_cpu() - cpu };
    // Freed after the measures, as the service frees it on another thread.
    *last = Some(next);
    drop(view);
    (reload, first, next_minute)
}

/// One run: wall and CPU seconds.
struct Sample {
    wall: f64,
    cpu: f64,
}

/// Every file parsed to the end of its event stream, on all cores; the events are counted, not kept.
fn bare_parse(files: &[PathBuf]) -> Sample {
    let cpu = own_cpu();
    let start = Instant::now();
    let events: usize = files
        .par_iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("a YAML file");
            let mut n = 0;
            for event in Parser::new_from_str(&text) {
                match event {
                    Ok((Event::StreamEnd, _)) => break,
                    Ok(_) => n += 1,
                    Err(e) => panic!("{}: {e}", f.display()),
                }
            }
            n
        })
        .sum();
    assert!(events > 0, "nothing parsed");
    Sample { wall: start.elapsed().as_secs_f64(), cpu: own_cpu() - cpu }
}

/// `karta status` on the workspace, as a user runs it: a process of its own, its output dropped.
fn karta_status(dir: &Path, cache: Cache) -> Sample {
    let cpu = children_cpu();
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(["status", "--overdue", "--format", "csv", "--now", NOW])
        .args(match cache {
            Cache::Use => &[][..],
            Cache::Off => &["--no-cache"][..],
        })
        .current_dir(dir)
        .env("KARTA_ROADMAPS", dir.join("roadmaps"))
        .env("KARTA_DB", dir.join("karta.db"))
        .output()
        .expect("karta");
    assert!(out.status.success(), "karta status failed: {}", String::from_utf8_lossy(&out.stderr));
    Sample { wall: start.elapsed().as_secs_f64(), cpu: children_cpu() - cpu }
}

fn row(what: &str, samples: &[Sample], parse: &[Sample]) {
    let spread = |f: fn(&Sample) -> f64| {
        let mut v: Vec<f64> = samples.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        format!("{:.2} / {:.2} / {:.2}", v[0], median(samples, f), v[v.len() - 1])
    };
    let ratio = |f: fn(&Sample) -> f64| median(samples, f) / median(parse, f);
    println!(
        "| {what} | {} | {} | {:.1}×, {:.1}× |",
        spread(|s| s.wall),
        spread(|s| s.cpu),
        ratio(|s| s.wall),
        ratio(|s| s.cpu)
    );
}

fn median(samples: &[Sample], f: fn(&Sample) -> f64) -> f64 {
    let mut v: Vec<f64> = samples.iter().map(f).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

/// The YAML files under `dir/roadmaps` (or `dir` itself), as `karta` finds them.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let root = if dir.join("roadmaps").is_dir() { dir.join("roadmaps") } else { dir.to_path_buf() };
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("a directory").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn own_cpu() -> f64 {
    cpu(libc::RUSAGE_SELF)
}

fn children_cpu() -> f64 {
    cpu(libc::RUSAGE_CHILDREN)
}

/// User + system seconds of `who` so far.
fn cpu(who: libc::c_int) -> f64 {
    // SAFETY: getrusage writes into the zeroed struct it is given and reads nothing else.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

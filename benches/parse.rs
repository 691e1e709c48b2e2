//! The cost of reading the input, and karta against it (issue 24): every YAML file of a workspace
//! parsed to events by saphyr-parser on all cores with nothing built — the bare parse, the floor
//! any command that reads the files stands on — and `karta status` run cold on the same
//! workspace, alternately, in one run, so that the ratios compare like with like.
//!
//!     cargo run --release --bin karta-gen -- --activities 100000 --out /tmp/gen100000 --events
//!     (cd /tmp/gen100000 && karta import events.csv --by gen --now 2024-03-01T12:00:00+10:00)
//!     cargo bench --bench parse -- /tmp/gen100000 [RUNS]
//!
//! Each figure is given as min / median / max over RUNS (default 5) runs: wall seconds and CPU
//! seconds (user + system; the child's for `karta status`), and the ratio of the medians.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rayon::prelude::*;
use saphyr_parser::{Event, Parser};

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

    let (mut parse, mut status) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        parse.push(bare_parse(&files));
        status.push(karta_status(&dir));
    }
    println!("| | wall, s (min / median / max) | CPU, s (min / median / max) |\n|---|---:|---:|");
    row("bare parse (saphyr-parser events, all cores)", &parse);
    row("`karta status --overdue`, cold", &status);
    let ratio = |f: fn(&Sample) -> f64| median(&status, f) / median(&parse, f);
    println!("\nkarta status / bare parse: {:.1}× the wall time, {:.1}× the CPU", ratio(|s| s.wall), ratio(|s| s.cpu));
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
fn karta_status(dir: &Path) -> Sample {
    let cpu = children_cpu();
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(["status", "--overdue", "--format", "csv", "--now", NOW])
        .current_dir(dir)
        .env("KARTA_ROADMAPS", dir.join("roadmaps"))
        .env("KARTA_DB", dir.join("karta.db"))
        .output()
        .expect("karta");
    assert!(out.status.success(), "karta status failed: {}", String::from_utf8_lossy(&out.stderr));
    Sample { wall: start.elapsed().as_secs_f64(), cpu: children_cpu() - cpu }
}

fn row(what: &str, samples: &[Sample]) {
    let spread = |f: fn(&Sample) -> f64| {
        let mut v: Vec<f64> = samples.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        format!("{:.2} / {:.2} / {:.2}", v[0], median(samples, f), v[v.len() - 1])
    };
    println!("| {what} | {} | {} |", spread(|s| s.wall), spread(|s| s.cpu));
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

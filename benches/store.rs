//! The two store backends side by side, same machine, same run: `karta import` of a synthetic
//! region's reports, `karta status` over them, and `karta store copy` to the other backend and
//! back, with the `karta export` of all three compared byte for byte. PostgreSQL is a real
//! server started for the run (tests/support/pg.rs: `initdb` in a temporary directory).
//!
//!     cargo bench --bench store              # 100,000 activities (447,395 reports)
//!     cargo bench --bench store -- 10000     # another size
//!
//! Each figure is the `karta` binary's wall time; imports and copies run once per round on a new
//! store, `status` three times per round, rounds alternate the backends; medians are printed.

#[path = "../tests/support/pg.rs"]
#[allow(dead_code)]
mod pg;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const NOW: &str = "2024-03-01T12:00:00+10:00";
const ROUNDS: usize = 3;

/// Runs `karta ARGS` (with `--db DB` when given) and returns its wall time.
fn karta(dir: &Path, db: Option<&str>, args: &[&str]) -> f64 {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(args)
        .args(db.map(|db| ["--db", db]).into_iter().flatten())
        .current_dir(dir)
        .env_remove("KARTA_DB")
        .env_remove("KARTA_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("karta");
    let seconds = start.elapsed().as_secs_f64();
    assert!(out.status.success(), "karta {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    seconds
}

fn export(dir: &Path, db: &str) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(["export", "--db", db])
        .current_dir(dir)
        .env_remove("KARTA_DB")
        .output()
        .expect("export");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let activities: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let work = tempfile::tempdir().expect("dir");
    let region = work.path().join("region");
    let status = Command::new(env!("CARGO_BIN_EXE_karta-gen"))
        .args(["--activities", &activities.to_string(), "--events", "--out"])
        .arg(&region)
        .status()
        .expect("karta-gen");
    assert!(status.success());
    let reports = std::fs::read_to_string(region.join("events.csv")).expect("events").lines().count() - 1;
    eprintln!("{activities} activities, {reports} reports; PostgreSQL on port {}", pg::server().port);

    let sqlite = |name: &str| -> String { work.path().join(name).display().to_string() };
    let (mut import, mut status) = ([Vec::new(), Vec::new()], [Vec::new(), Vec::new()]);
    let mut last = [String::new(), String::new()];
    for round in 0..ROUNDS {
        for (b, backend) in ["SQLite", "PostgreSQL"].into_iter().enumerate() {
            let db = if b == 0 { sqlite(&format!("round-{round}.db")) } else { pg::database() };
            import[b].push(karta(&region, Some(&db), &["import", "events.csv", "--by", "gen", "--now", NOW]));
            for _ in 0..3 {
                status[b].push(karta(&region, Some(&db), &["status", "--overdue", "--now", NOW, "--format", "csv"]));
            }
            eprintln!(
                "round {round} {backend}: import {:.2} s, status {:.2} s",
                import[b].last().expect("import"),
                status[b].last().expect("status")
            );
            last[b] = db;
        }
    }
    // Copies: SQLite → PostgreSQL → SQLite, each into a new store.
    let there = pg::database();
    let back = sqlite("back.db");
    let to_pg = karta(&region, None, &["store", "copy", "--from", &last[0], "--to", &there]);
    let to_sqlite = karta(&region, None, &["store", "copy", "--from", &there, "--to", &back]);
    let original = export(&region, &last[0]);
    let same = export(&region, &there) == original && export(&region, &back) == original;
    assert!(same, "the exports differ after a copy");

    println!(
        "\n{activities} activities, {reports} reports; medians of {ROUNDS} imports and {} status runs",
        3 * ROUNDS
    );
    println!("| | SQLite | PostgreSQL | ratio |\n|---|---:|---:|---:|");
    for (what, xs) in
        [("`karta import` (all reports, one transaction)", &import), ("`karta status --overdue`", &status)]
    {
        let (s, p) = (median(xs[0].clone()), median(xs[1].clone()));
        println!("| {what} | {s:.2} s | {p:.2} s | {:.2} |", p / s);
    }
    println!(
        "\n`karta store copy` SQLite → PostgreSQL {to_pg:.1} s, PostgreSQL → SQLite {to_sqlite:.1} s; \
         `karta export` of all three identical ({} bytes)",
        original.len()
    );
}

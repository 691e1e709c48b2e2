//! `karta-gen`: a deterministic synthetic workspace shaped like real roadmaps, for benchmarks and
//! the comparison with TaskJuggler and Taskwarrior (`benches/peers/`).
//!
//! A region (ministry, institute) with districts and schools in a three-level directory; one
//! regional roadmap, district roadmaps that follow it, school roadmaps below them — together N
//! activities; ~30 % depend on an earlier activity, ~40 % recur weekly or monthly across the
//! school year; deadlines are Russian phrases from the whole grammar. With `--events`, a stream
//! of reports as of `--now` in `karta import` CSV: most done on time, some late, some never.
//!
//!     karta-gen --activities 10000 --out /tmp/gen [--seed 42] [--events --now 2024-03-01]

use std::path::PathBuf;

use clap::Parser;
use karta::synthetic::{self, Rng};

#[derive(Parser)]
#[command(about = "Generate a synthetic karta workspace")]
struct Args {
    /// How many activities in all.
    #[arg(long, default_value_t = 10_000)]
    activities: usize,
    /// Where to write `roadmaps/` (and `events.csv`).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Also write `events.csv`: reports of the occurrences due by --now.
    #[arg(long)]
    events: bool,
    #[arg(long, default_value = "2024-03-01")]
    now: chrono::NaiveDate,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("karta-gen: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> std::io::Result<()> {
    let mut rng = Rng::new(args.seed);
    let w = synthetic::workspace(&args.out, args.activities, &mut rng)?;
    eprintln!(
        "karta-gen: {} activities in {} roadmaps, {} districts, {} schools",
        w.activities, w.roadmaps, w.districts, w.schools
    );
    if args.events {
        let files = karta::check::collect_files(&[args.out.join("roadmaps")])
            .map_err(|p| std::io::Error::other(format!("no such path: {}", p.display())))?;
        let calendar = karta::calendar::Calendar::russia();
        let ws = karta::check::check_files(&files, calendar)
            .into_workspace()
            .map_err(|c| std::io::Error::other(format!("{} errors", c.diagnostics.len())))?;
        let plan = karta::compile::compile(&ws, calendar).map_err(|_| std::io::Error::other("does not compile"))?;
        let (csv, count) = synthetic::reports(&plan, args.now, &mut rng);
        std::fs::write(args.out.join("events.csv"), csv)?;
        eprintln!("karta-gen: {count} reports in events.csv");
    }
    Ok(())
}

//! `karta ics`: an iCalendar feed of occurrences with reminders (see [`karta::ics`]).

use std::path::PathBuf;

use super::{Global, out_fmt};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Roadmap files or directories (default: roadmaps/).
    pub paths: Vec<PathBuf>,
    /// Only this executor's occurrences.
    #[arg(long)]
    pub executor: Option<String>,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let (workspace, plan) = super::plan(global, &args.paths, args.executor.as_deref())?;
    let name = args
        .executor
        .as_deref()
        .map_or_else(|| "karta: сроки дорожных карт".to_string(), |e| format!("karta: сроки — {e}"));
    let keep = |o: &karta::compile::Occurrence| args.executor.as_ref().is_none_or(|e| o.executors.contains(e));
    let calendar = super::calendar(global, &args.paths)?.for_region(workspace.region());
    out_fmt!("{}", karta::ics::feed(&workspace, &plan, &name, keep, karta::clock::now(global.now), calendar));
    Ok(())
}

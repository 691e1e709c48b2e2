//! `karta ics`: an iCalendar feed of occurrences with reminders (see [`karta::ics`]).

use super::{Global, out_fmt};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this executor's occurrences.
    #[arg(long)]
    pub executor: Option<String>,
    #[command(flatten)]
    pub inputs: super::Inputs,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let (workspace, plan) = super::plan(global, &args.inputs.list(), args.executor.as_deref())?;
    let name = args.executor.as_deref().map_or_else(
        || global.lang().pick("karta: сроки дорожных карт", "karta: roadmap deadlines").to_string(),
        |e| format!("karta: {} — {e}", global.lang().pick("сроки", "deadlines")),
    );
    let keep = |o: &karta::compile::Occurrence| args.executor.as_ref().is_none_or(|e| o.executors.contains(e));
    let calendar = super::calendar(global, &args.inputs.list())?.for_region(workspace.region());
    out_fmt!("{}", karta::ics::feed(&workspace, &plan, &name, keep, karta::clock::now(global.now), calendar));
    Ok(())
}

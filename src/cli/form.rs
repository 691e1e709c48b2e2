//! `karta form`: the report form of an executor (or a group, or a district with its schools)
//! for a period, as an Excel workbook to fill and bring back with `karta import`.

use std::path::PathBuf;

use chrono::{Days, NaiveDate};

use super::track::{Tracking, Where};
use karta::{msg, say};

use super::{Failure, Global, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The executor (or group) id: `mo-lazo`, `municipal-coordinators`.
    #[arg(long)]
    pub executor: String,
    /// The executor and those whose parent it is (a district with its schools).
    #[arg(long)]
    pub below: bool,
    /// The first day of the period (ГГГГ-ММ-ДД); today by default.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// The last day of the period; a week from `--from` by default.
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Where to write the workbook; `форма-EXECUTOR-FROM.xlsx` by default.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub at: Where,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let tracking = Tracking::open(global, &args.at)?;
    let Some(executors) = karta::form::executors(&tracking.workspace, &args.executor, args.below) else {
        let ws = &tracking.workspace;
        let known = ws.units.iter().flat_map(|u| u.executors.keys().chain(u.groups.keys()).map(String::as_str));
        return Err(super::unknown(msg!("неизвестный исполнитель"; "unknown executor"), &args.executor, known));
    };
    let from = args.from.unwrap_or_else(|| tracking.local_today());
    let to = args.to.unwrap_or_else(|| from.checked_add_days(Days::new(6)).unwrap_or(from));
    if to < from {
        return Err(Failure::usage(
            msg!("период наоборот: --to {} раньше --from {}", to, from; "the period is reversed: --to {} is before --from {}", to, from),
        ));
    }
    let report = tracking.report();
    let form = karta::form::Form { executors, asked: args.executor.clone(), from, to, made: tracking.now };
    let made = karta::form::make(&tracking.workspace, &tracking.plan, &report, &tracking.events, &form)
        .map_err(|e| Failure::usage(msg!("{}", e; "{}", e)))?;
    let path = args.output.unwrap_or_else(|| PathBuf::from(format!("форма-{}-{from}.xlsx", args.executor)));
    super::write_output(Some(&path), true, &made.bytes)?;
    let (n, v) = (made.occurrences as u64, made.values as u64);
    out_line!(
        "{}",
        say!(global.lang(), "форма {}: {} {}, {} {} показателей", path.display(),
            n, karta::diag::plural(n, ["срок", "срока", "сроков"]), v, karta::diag::plural(v, ["значение", "значения", "значений"]);
            "form {}: {} occurrences, {} indicator values", path.display(), n, v)
    );
    Ok(())
}

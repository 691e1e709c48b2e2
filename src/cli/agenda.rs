//! `karta agenda`: what opens and what falls due in the next days, for one executor or all,
//! grouped by day in Russian ("вт, 17 октября 2023 г.").

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde_json::json;

use karta::compile::Occurrence;
use karta::ru;
use karta::say;

use super::plan::short;
use super::{Format, Global, out_fmt, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJson,
    /// Only this executor's work.
    #[arg(long)]
    pub executor: Option<String>,
    /// How many days ahead of --now.
    #[arg(long, default_value_t = 14)]
    pub days: u32,
    #[command(flatten)]
    pub inputs: super::Inputs,
}

#[derive(Default)]
struct Day<'a> {
    opening: Vec<&'a Occurrence>,
    due: Vec<&'a Occurrence>,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let (workspace, plan) = super::plan(global, &args.inputs.list(), args.executor.as_deref())?;
    let now = karta::clock::now(global.now);
    let mut days: BTreeMap<NaiveDate, Day> = BTreeMap::new();
    for o in plan.occurrences.iter().filter(|o| args.executor.as_ref().is_none_or(|e| o.executors.contains(e))) {
        let today = o.local_date(now);
        let last = today.checked_add_days(Days::new(u64::from(args.days.max(1) - 1))).unwrap_or(today);
        if o.opens >= today && o.opens <= last && o.opens < o.due_date {
            days.entry(o.opens).or_default().opening.push(o);
        }
        if o.due >= now && o.due_date <= last {
            days.entry(o.due_date).or_default().due.push(o);
        }
    }
    if global.format == Format::Json {
        let list: Vec<_> = days
            .iter()
            .map(|(d, day)| {
                json!({"date": d.to_string(), "opening": day.opening.iter().map(|o| &o.id).collect::<Vec<_>>(), "due": day.due.iter().map(|o| &o.id).collect::<Vec<_>>()})
            })
            .collect();
        out_line!("{}", json!({"now": now.to_rfc3339(), "days": args.days, "executor": args.executor, "agenda": list}));
        return Ok(());
    }
    let lang = global.lang();
    let who = args.executor.as_deref().map(|e| format!(" — {e}")).unwrap_or_default();
    let from = lang.date(now.date_naive());
    let mut out = say!(lang, "Повестка на {} дн. с {}{}\n", args.days, from, who; "Agenda for {} days from {}{}\n", args.days, from, who);
    if days.is_empty() {
        out += lang.pick("\nничего не открывается и не наступает\n", "\nnothing opens or falls due\n");
    }
    let (due_by, opens, due) = match lang {
        karta::diag::Lang::Ru => ("срок до", "начинается", "срок"),
        karta::diag::Lang::En => ("due by  ", "opens     ", "due"),
    };
    for (date, day) in &days {
        out += &format!("\n{}\n", lang.day_heading(*date));
        for o in &day.due {
            let task = &workspace.units[o.unit].tasks[o.task];
            let time = o.due.format("%H:%M");
            out += &format!(
                "  {due_by} {time}  {}\n               {} · {}\n",
                short(&task.title, 80),
                o.id,
                o.executors.join(", ")
            );
        }
        for o in &day.opening {
            let task = &workspace.units[o.unit].tasks[o.task];
            out += &format!(
                "  {opens}   {}\n               {} · {due} {}\n",
                short(&task.title, 80),
                o.id,
                ru::date_digits(o.due_date)
            );
        }
    }
    out_fmt!("{}", out.replace('\u{a0}', " "));
    Ok(())
}

//! `karta plan`: every occurrence of every activity, sorted by due date, with filters and a
//! summary of counts per kind of deadline.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Value, json};

use karta::check::Workspace;
use karta::compile::{Occurrence, Plan};
use karta::ru;

use karta::diag::Lang;
use karta::say;

use super::{Format, Global, out_fmt, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJsonCsv,
    /// Only this roadmap (its id).
    #[arg(long)]
    pub roadmap: Option<String>,
    /// Only occurrences this executor is responsible for.
    #[arg(long)]
    pub executor: Option<String>,
    /// Only this section (its number from 1, or words of its title).
    #[arg(long)]
    pub section: Option<String>,
    /// Only occurrences due on or after this date.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Only occurrences due on or before this date.
    #[arg(long)]
    pub to: Option<NaiveDate>,
    #[command(flatten)]
    pub inputs: super::Inputs,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let (workspace, plan) = super::plan(global, &args.inputs.list(), args.executor.as_deref())?;
    super::known_roadmap(&workspace, args.roadmap.as_deref())?;
    known_section(&workspace, &args)?;
    let chosen: Vec<&Occurrence> = plan.occurrences.iter().filter(|o| keep(&workspace, o, &args)).collect();
    match global.format {
        Format::Json => out_line!(
            "{}",
            json!({"summary": summary(&workspace, &plan, &chosen, args.roadmap.as_deref()), "occurrences": chosen.iter().map(|o| occurrence_json(&workspace, &plan, o)).collect::<Vec<_>>()})
        ),
        // A reader that stops reading (`| head`) ends the listing; nothing else can fail here.
        Format::Csv => {
            let _ = csv(&workspace, &plan, &chosen);
        }
        _ => out_fmt!("{}", text(&workspace, &plan, &chosen, args.roadmap.as_deref(), global.lang())),
    }
    // A one-shot command: the operating system takes the memory back at exit at once
    // (as `Tracking::leave`).
    drop(chosen);
    std::mem::forget((workspace, plan));
    Ok(())
}

/// Whether section `i` (0-based), titled `title`, is the one `--section` names: its number
/// from 1, or words of its title.
fn section_is(title: &str, i: usize, asked: &str) -> bool {
    asked.trim().parse::<usize>().map_or_else(|_| title.to_lowercase().contains(&asked.to_lowercase()), |n| n == i + 1)
}

/// Refuses a `--section` that names no section of the roadmaps chosen, with the nearest title.
fn known_section(ws: &Workspace, args: &Args) -> super::Exit {
    let Some(asked) = &args.section else { return Ok(()) };
    let units = || ws.units.iter().filter(|u| args.roadmap.as_ref().is_none_or(|r| *r == u.id));
    let titles: Vec<(usize, &str)> =
        units().flat_map(|u| u.sections.iter().enumerate().map(|(i, t)| (i, t.as_str()))).collect();
    if titles.iter().any(|(i, t)| section_is(t, *i, asked)) {
        return Ok(());
    }
    let lowered: Vec<String> = titles.iter().map(|(_, t)| t.to_lowercase()).collect();
    // The nearest word of any title, for a misspelt word.
    let words = lowered.iter().flat_map(|t| t.split(|c: char| !c.is_alphanumeric())).filter(|w| w.chars().count() > 3);
    let most = units().map(|u| u.sections.len()).max().unwrap_or(0);
    Err(super::unknown(karta::msg!("нет раздела"; "no section"), asked, words)
        .hint(Some(karta::msg!("укажите номер раздела (1–{}) или слова его названия", most; "give the section's number (1–{}) or words of its title", most))))
}

fn keep(ws: &Workspace, o: &Occurrence, args: &Args) -> bool {
    let unit = &ws.units[o.unit];
    let task = &unit.tasks[o.task];
    args.roadmap.as_ref().is_none_or(|r| *r == unit.id)
        && args.executor.as_ref().is_none_or(|e| o.executors.contains(e))
        && args.from.is_none_or(|d| o.due_date >= d)
        && args.to.is_none_or(|d| o.due_date <= d)
        && args.section.as_ref().is_none_or(|s| task.section.is_some_and(|i| section_is(&unit.sections[i], i, s)))
}

/// The kind of an occurrence's deadline.
pub fn kind(ws: &Workspace, o: &Occurrence) -> &'static str {
    ws.units[o.unit].tasks[o.task].spec.as_ref().map_or("none", |s| s.kind())
}

pub fn occurrence_json(ws: &Workspace, plan: &Plan, o: &Occurrence) -> Value {
    let unit = &ws.units[o.unit];
    let task = &unit.tasks[o.task];
    json!({
        "id": o.id,
        "roadmap": unit.id,
        "activity": task.id,
        "number": task.number,
        "title": task.title,
        "section": task.section.map(|i| unit.sections[i].clone()),
        "kind": kind(ws, o),
        "phrase": task.phrase,
        "executor": o.executor(),
        "executors": &*o.executors,
        "opens": o.opens.to_string(),
        "due": o.due.to_rfc3339(),
        "due_date": o.due_date.to_string(),
        "depends_on": plan.prerequisites(o).map(|p| p.id.as_str()).collect::<Vec<_>>(),
        "relative": o.relative,
        "slack_days": o.slack_days,
        "critical": o.critical,
    })
}

fn summary(ws: &Workspace, plan: &Plan, chosen: &[&Occurrence], roadmap: Option<&str>) -> Value {
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for o in chosen {
        *by_kind.entry(kind(ws, o)).or_default() += 1;
    }
    let units: Vec<&karta::check::Unit> =
        ws.units.iter().map(|u| &**u).filter(|u| roadmap.is_none_or(|r| r == u.id)).collect();
    let activities: usize = units.iter().map(|u| u.tasks.len()).sum();
    let without: BTreeMap<&str, usize> = units
        .iter()
        .flat_map(|u| u.tasks.iter())
        .filter(|t| matches!(t.spec.as_ref().map(|s| s.kind()), Some("continuous" | "on_demand") | None))
        .fold(BTreeMap::new(), |mut m, t| {
            *m.entry(t.spec.as_ref().map_or("none", |s| s.kind())).or_default() += 1;
            m
        });
    json!({
        "roadmaps": units.len(),
        "activities": activities,
        "occurrences": chosen.len(),
        "occurrences_total": plan.occurrences.len(),
        "by_kind": by_kind,
        "without_occurrences": without,
    })
}

fn text(ws: &Workspace, plan: &Plan, chosen: &[&Occurrence], roadmap: Option<&str>, lang: Lang) -> String {
    let mut out =
        String::from(lang.pick("срок        открыто     мероприятие\n", "due         opens       activity\n"));
    for o in chosen {
        let task = &ws.units[o.unit].tasks[o.task];
        let time = o.time.map(|t| format!(" {}", t.format("%H:%M"))).unwrap_or_default();
        let mark = if o.critical { lang.pick(" [критический путь]", " [critical path]") } else { "" };
        out += &format!(
            "{}{time}  {}  {}{mark}\n            {} · {}\n",
            ru::date_digits(o.due_date),
            ru::date_digits(o.opens),
            o.id,
            short(&task.title, 90),
            o.executors.join(", ")
        );
    }
    let s = summary(ws, plan, chosen, roadmap);
    let kinds: Vec<String> =
        s["by_kind"].as_object().map_or_else(Vec::new, |m| m.iter().map(|(k, v)| format!("{k} {v}")).collect());
    let n = chosen.len() as u64;
    let (kinds, roadmaps, activities) = (kinds.join(", "), &s["roadmaps"], &s["activities"]);
    out += &say!(lang, "итого: {} {} ({}); дорожных карт: {}, мероприятий: {}\n",
        n, karta::diag::plural(n, ["срок", "срока", "сроков"]), kinds, roadmaps, activities;
        "total: {} occurrences ({}); roadmaps: {}, activities: {}\n", n, kinds, roadmaps, activities);
    out
}

/// The CSV of `chosen`, written to standard output row by row (a closed pipe ends it quietly).
fn csv(ws: &Workspace, plan: &Plan, chosen: &[&Occurrence]) -> ::csv::Result<()> {
    use std::fmt::Write;
    let mut w = super::csv_out();
    w.write_record([
        "id",
        "roadmap",
        "activity",
        "executor",
        "executors",
        "opens",
        "due",
        "kind",
        "title",
        "depends_on",
        "slack_days",
        "critical",
    ])?;
    let mut scratch = String::new();
    for o in chosen {
        let unit = &ws.units[o.unit];
        let task = &unit.tasks[o.task];
        w.write_field(&o.id)?;
        w.write_field(&unit.id)?;
        w.write_field(&task.id)?;
        w.write_field(o.executor().unwrap_or_default())?;
        w.write_field(super::joined(&mut scratch, o.executors.iter()))?;
        w.write_field(super::field(&mut scratch, |f| write!(f, "{}", o.opens)))?;
        w.write_field(o.due.to_rfc3339())?;
        w.write_field(kind(ws, o))?;
        w.write_field(&task.title)?;
        w.write_field(super::joined(&mut scratch, plan.prerequisites(o).map(|p| p.id.as_str())))?;
        w.write_field(super::field(&mut scratch, |f| write!(f, "{}", o.slack_days)))?;
        w.write_field(if o.critical { "true" } else { "false" })?;
        w.write_record(None::<&[u8]>)?;
    }
    w.flush()?;
    Ok(())
}

/// A title cut to `n` characters for one-line listings.
pub fn short(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(n - 1).collect::<String>())
    }
}

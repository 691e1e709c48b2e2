//! `karta status`: where every occurrence stands at `--now` — a table with Russian headers
//! (coloured on a terminal unless NO_COLOR), totals and execution discipline per roadmap.

use std::io::IsTerminal;

use serde_json::json;

use karta::diag::Lang;
use karta::say;
use karta::track::{OccurrenceStatus, Rollup, Rollups, State};

use super::plan::short;
use super::track::{Tracking, Where};
use super::{Format, Global, out_fmt, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TableFormat,
    /// Only this executor's occurrences.
    #[arg(long)]
    pub executor: Option<String>,
    /// Only this roadmap.
    #[arg(long)]
    pub roadmap: Option<String>,
    /// Only overdue occurrences.
    #[arg(long)]
    pub overdue: bool,
    /// Only occurrences at risk (a prerequisite is overdue).
    #[arg(long)]
    pub at_risk: bool,
    /// Also list occurrences not yet open and those done.
    #[arg(long)]
    pub all: bool,
    /// With `--format xlsx`: write the workbook to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub at: Where,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let tracking = Tracking::open_to_report(global, &args.at)?;
    super::known_executor(&tracking.workspace, args.executor.as_deref())?;
    super::known_roadmap(&tracking.workspace, args.roadmap.as_deref())?;
    let keep = |s: &OccurrenceStatus<'_>| {
        args.executor.as_ref().is_none_or(|e| s.executors.contains(e))
            && args.roadmap.as_ref().is_none_or(|r| *r == s.roadmap)
            && (!args.overdue || matches!(s.state, State::Overdue { .. }))
            && (!args.at_risk || s.at_risk)
    };
    if matches!(global.format, Format::Csv | Format::Xlsx) {
        // A listing: only the occurrences it lists are kept, and nothing is counted.
        let listed = tracking.chosen(&keep);
        let chosen: Vec<&OccurrenceStatus> = listed.iter().collect();
        if matches!(global.format, Format::Csv) {
            // A reader that stops reading (`| head`) ends the listing; nothing else can fail here.
            let _ = csv(&chosen);
        } else {
            workbook(global, &args, &tracking, &chosen)?;
        }
        // The command ends here (see `Tracking::leave`).
        drop(chosen);
        std::mem::forget(listed);
        tracking.leave();
        return Ok(());
    }
    let states = tracking.states();
    let chosen: Vec<&OccurrenceStatus> = states.occurrences.iter().filter(|s| keep(s)).collect();
    let rollups = states.rollups(&tracking.workspace, &tracking.plan);
    let roadmaps = of_roadmap(&rollups, args.roadmap.as_deref());
    if matches!(global.format, Format::Json) {
        let executors: Vec<&Rollup> =
            rollups.executors.iter().filter(|r| args.executor.as_ref().is_none_or(|e| *e == r.key)).collect();
        // With --roadmap, the totals and sections are that roadmap's.
        let total = match (&args.roadmap, roadmaps.first()) {
            (Some(_), Some(r)) => json!(r),
            _ => json!(rollups.total),
        };
        let sections: Vec<_> = rollups
            .sections
            .iter()
            .filter(|s| args.roadmap.as_ref().is_none_or(|r| s.key.starts_with(&format!("{r}#"))))
            .collect();
        out_line!(
            "{}",
            json!({
                "now": states.now.to_rfc3339(),
                "total": total,
                "roadmaps": roadmaps,
                "sections": sections,
                "executors": executors,
                "occurrences": chosen,
                "undated": states.undated,
                "orphans": states.orphans,
                "removed": states.removed,
            })
        );
    } else {
        let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let filtered = args.overdue || args.at_risk || args.executor.is_some();
        out_fmt!("{}", table(&tracking, &chosen, &roadmaps, colour, args.all || filtered, global.lang()));
        // Notices the outbox gave up on: someone was not told.
        let failed = tracking.store.notice_counts().unwrap_or_default().into_iter().find(|(s, _)| s == "failed");
        if let Some((_, n)) = failed {
            out_line!(
                "{}",
                paint(
                    colour,
                    "31",
                    &say!(global.lang(), "не доставлено уведомлений: {} (подробности: karta outbox --state failed)", n;
                        "notices not delivered: {} (details: karta outbox --state failed)", n)
                )
            );
        }
    }
    // The command ends here (see `Tracking::leave`).
    drop((chosen, roadmaps));
    std::mem::forget((rollups, states));
    tracking.leave();
    Ok(())
}

/// The chosen occurrences as an .xlsx workbook: without a filter, those the table would show.
fn workbook(global: &Global, args: &Args, tracking: &Tracking, chosen: &[&OccurrenceStatus]) -> super::Exit {
    let day = karta::ru::date_digits(tracking.local_today());
    let title = say!(global.lang(), "Состояние на {}", day; "State on {}", day);
    let list = if args.all || args.overdue || args.at_risk || args.executor.is_some() || args.roadmap.is_some() {
        chosen.to_vec()
    } else {
        chosen.iter().copied().filter(|s| interesting(s)).collect()
    };
    let bytes = karta::table::occurrences(&title, &tracking.workspace, &tracking.plan, &list).xlsx();
    let bytes = bytes.map_err(|e| super::Failure::usage(karta::msg!("{}", e; "{}", e)))?;
    super::write_output(args.output.as_deref(), true, &bytes)
}

/// What the table shows without `--all`: open, due soon, overdue, or at risk.
fn interesting(s: &OccurrenceStatus) -> bool {
    matches!(s.state, State::Overdue { .. } | State::DueSoon | State::Open) || s.at_risk
}

fn paint(colour: bool, code: &str, text: &str) -> String {
    if colour { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
}

fn table(
    tracking: &Tracking,
    list: &[&OccurrenceStatus],
    roadmaps: &[&Rollup],
    colour: bool,
    all: bool,
    lang: Lang,
) -> String {
    let today = lang.date(tracking.local_today()).replace('\u{a0}', " ");
    let mut out = say!(lang, "Состояние на {}\n\n", today; "State on {}\n\n", today);
    let head = match lang {
        Lang::Ru => ["срок", "состояние", "мероприятие · исполнители"],
        Lang::En => ["due", "state", "activity · executors"],
    };
    out += &format!("{:<12} {:<36} {}\n", head[0], head[1], head[2]);
    let mut shown = 0;
    for s in list {
        if !all && !interesting(s) {
            continue;
        }
        shown += 1;
        let state = s.state.words(lang);
        let code = match s.state {
            State::Overdue { .. } => "31",
            State::DueSoon => "33",
            State::DoneOnTime => "32",
            State::DoneLate { .. } => "35",
            _ => "0",
        };
        let mut due = s.due_date.format("%d.%m.%Y").to_string();
        if let Some(orig) = s.original_due {
            due = format!("{due} ({} {})", lang.pick("было", "was"), orig.format("%d.%m.%Y"));
        }
        if let (Some(approved), Some(order)) = (s.approved_due, &s.amended_by) {
            due = format!(
                "{due} ({} {}, {} {order})",
                lang.pick("утверждено", "approved"),
                approved.format("%d.%m.%Y"),
                lang.pick("изменено:", "amended by")
            );
        }
        let risk = if s.at_risk {
            let forecast = s
                .forecast_due
                .map(|d| format!(", {} {}", lang.pick("прогноз", "forecast"), d.format("%d.%m.%Y")))
                .unwrap_or_default();
            format!(" [{}{forecast}]", lang.pick("под угрозой", "at risk"))
        } else {
            String::new()
        };
        let task = tracking
            .workspace
            .units
            .iter()
            .find(|u| u.id == s.roadmap)
            .and_then(|u| u.tasks.iter().find(|t| t.id == s.activity));
        let title = task.map_or(String::new(), |t| short(&t.title, 70));
        // The state is padded only when the risk note follows it on the line.
        let state = if risk.is_empty() { state } else { format!("{state:<36}") };
        out += &format!(
            "{:<12} {}{risk}\n             {} · {}\n             {}\n",
            due,
            paint(colour, code, &state),
            s.id,
            s.executors.join(", "),
            title
        );
    }
    if shown == 0 {
        out += lang.pick("  (нет открытых и просроченных сроков)\n", "  (nothing open or overdue)\n");
    }
    out += lang.pick("\nИтоги:\n", "\nTotals:\n");
    for r in roadmaps {
        let n = |k: &str| r.states.get(k);
        let discipline = r.discipline.map_or("—".to_string(), |d| format!("{:.0} %", d * 100.0));
        let figures = [
            n("done_on_time"),
            n("done_late"),
            n("overdue") + n("not_done"),
            n("overdue"),
            n("not_done"),
            n("open"),
            n("due_soon"),
            n("planned"),
            n("cancelled"),
        ];
        let [on_time, late, overdue, no_report, not_done, open, soon, planned, cancelled] = figures;
        out += &say!(lang,
            "  {}: всего {}; выполнено в срок {}, с опозданием {}, просрочено {} (нет отчёта {}, не выполнено {}), в работе {}, срок скоро {}, запланировано {}, отменено {}; под угрозой {}; исполнительская дисциплина {}\n",
            r.key, r.total, on_time, late, overdue, no_report, not_done, open, soon, planned, cancelled, r.at_risk, discipline;
            "  {}: total {}; done on time {}, late {}, overdue {} (no report {}, not done {}), open {}, due soon {}, planned {}, cancelled {}; at risk {}; execution discipline {}\n",
            r.key, r.total, on_time, late, overdue, no_report, not_done, open, soon, planned, cancelled, r.at_risk, discipline);
    }
    out
}

/// The CSV of `chosen`, written to standard output row by row.
/// The roll-ups of the roadmap asked for, or of all.
fn of_roadmap<'r, 'a>(rollups: &'r Rollups<'a>, roadmap: Option<&str>) -> Vec<&'r Rollup<'a>> {
    rollups.roadmaps.iter().filter(|r| roadmap.is_none_or(|id| *id == r.key)).collect()
}

fn csv(chosen: &[&OccurrenceStatus<'_>]) -> csv::Result<()> {
    use std::fmt::Write;
    let mut w = super::csv_out();
    w.write_record([
        "id",
        "state",
        "due",
        "original_due",
        "approved_due",
        "amended_by",
        "done_on",
        "at_risk",
        "forecast_due",
        "executors",
    ])?;
    let (mut scratch, mut names) = (String::new(), String::new());
    let mut day = |w: &mut csv::Writer<_>, d: Option<chrono::NaiveDate>| {
        w.write_field(super::field(&mut scratch, |f| d.map_or(Ok(()), |d| write!(f, "{d}"))))
    };
    for s in chosen {
        w.write_field(s.id)?;
        w.write_field(s.state.name())?;
        day(&mut w, Some(s.due_date))?;
        day(&mut w, s.original_due)?;
        day(&mut w, s.approved_due)?;
        w.write_field(s.amended_by.as_deref().unwrap_or_default())?;
        day(&mut w, s.done_on)?;
        w.write_field(if s.at_risk { "true" } else { "false" })?;
        day(&mut w, s.forecast_due)?;
        w.write_field(super::joined(&mut names, s.executors))?;
        w.write_record(None::<&[u8]>)?;
    }
    w.flush()?;
    Ok(())
}

//! `karta render KIND`: an official document — the approving order with the roadmap, a
//! protocol, the status report, overdue letters, the indicator report — as HTML, Markdown, DOCX
//! or PDF (`--format`), the tables of the roadmap, the status report and the indicators as XLSX,
//! or the data the templates receive (`--format json`).

use std::path::PathBuf;

use karta::render::{self, DocumentError, Kind, Output, Sources, Templates};

use super::track::{Tracking, Where};
use karta::{msg, say};

use super::{Failure, Format, Global, err_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::DocumentFormat,
    /// What to render.
    #[arg(value_enum)]
    pub kind: Kind,
    /// The roadmap (or protocol) id; needed when the workspace has several.
    #[arg(long)]
    pub roadmap: Option<String>,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Your own templates: a directory laid out like `templates/` (files missing there are taken
    /// from the built-in set).
    #[arg(long, value_name = "DIR", env = "KARTA_TEMPLATES")]
    pub templates: Option<PathBuf>,
    /// How deadline phrases are printed: as typed (the roadmap's default: the table keeps the
    /// signed words) or normalised (the protocol's default: "до 15 июня 2021 г.").
    #[arg(long, value_enum, value_name = "HOW")]
    pub deadlines: Option<render::context::Deadlines>,
    /// The previous cut-off the status report compares with (end of that day); default: one
    /// month before --now.
    #[arg(long, value_name = "DATE")]
    pub since: Option<chrono::NaiveDate>,
    /// `amendment`: the order that approved version N (against version N − 1); default: the
    /// working files against the last approved version.
    #[arg(long, value_name = "N")]
    pub version: Option<i64>,
    #[command(flatten)]
    pub at: Where,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    // Only the document formats reach here (`DocumentFormat`).
    let output = match global.format {
        Format::Md => Output::Md,
        Format::Docx => Output::Docx,
        Format::Pdf => Output::Pdf,
        Format::Xlsx => Output::Xlsx,
        Format::Json => Output::Json,
        _ => Output::Html,
    };
    let templates = Templates::load(args.templates.as_deref()).map_err(|e| Failure::input(msg!("{}", e; "{}", e)))?;
    let made = if args.kind == Kind::Amendment {
        let tracking = Tracking::open(global, &args.at)?;
        let roadmap = match &args.roadmap {
            Some(r) => r.clone(),
            None => super::amend::the_amended(&tracking)?,
        };
        let sides = karta::amend::sides::sides(
            &*tracking.store,
            &tracking.workspace,
            tracking.calendar,
            &roadmap,
            None,
            args.version,
        )
        .map_err(|e| Failure::input(e.message()))?;
        let amending =
            render::context::Amending { before: &sides.before, after: &sides.after, order: sides.order.as_ref() };
        let sources = Sources {
            workspace: &tracking.workspace,
            report: None,
            previous: None,
            events: &[],
            now: tracking.now,
            today: tracking.local_today(),
            deadlines: args.deadlines,
            amendment: Some(&amending),
        };
        render::document(&templates, args.kind, output, Some(&roadmap), &sources)
    } else if render::needs_status(args.kind) {
        let tracking = Tracking::open(global, &args.at)?;
        let report = tracking.report();
        let previous = (args.kind == Kind::Status).then(|| {
            let since = previous_cut_off(tracking.now, args.since);
            karta::track::status(&tracking.workspace, &tracking.plan, &tracking.events, since, tracking.calendar)
                .with_versions(&tracking.carries)
        });
        let sources = Sources {
            workspace: &tracking.workspace,
            report: Some(&report),
            previous: previous.as_ref(),
            events: &tracking.events,
            now: tracking.now,
            today: tracking.local_today(),
            deadlines: args.deadlines,
            amendment: None,
        };
        render::document(&templates, args.kind, output, args.roadmap.as_deref(), &sources)
    } else {
        let workspace = super::workspace(global, &args.at.inputs.list(), None)?;
        let now = karta::clock::now(global.now);
        let sources = Sources {
            workspace: &workspace,
            report: None,
            events: &[],
            previous: None,
            now,
            today: now.date_naive(),
            deadlines: args.deadlines,
            amendment: None,
        };
        render::document(&templates, args.kind, output, args.roadmap.as_deref(), &sources)
    };
    let document = made.map_err(|e| match e {
        // Which document is meant is the command line's to say, and so is a format the kind does
        // not have (like a format no command has); a PDF needs LibreOffice here.
        DocumentError::Ambiguous { .. } | DocumentError::NoXlsx { .. } | DocumentError::Pdf(_) => Failure::env(&e),
        _ => Failure::bad(&e),
    })?;
    if let Some(remark) = &document.remark {
        err_line!("{remark}");
    }
    // What the directory lacks: the document carries a blank in its place.
    for m in &document.missing {
        err_line!(
            "{}",
            say!(global.lang(), "предупреждение: нет реквизита «{}», оставлено поле для заполнения\n  = {}", m.what, m.fix; "warning: no «{}» in the directory, a blank is left to fill in\n  = {}", m.what, m.fix)
        );
    }
    write(&args, global.format, &document.bytes)
}

/// The end of the previous cut-off's day (or of the day a month before `now`), in `now`'s offset.
fn previous_cut_off(
    now: chrono::DateTime<chrono::FixedOffset>,
    since: Option<chrono::NaiveDate>,
) -> chrono::DateTime<chrono::FixedOffset> {
    let day = since.unwrap_or_else(|| {
        let today = now.date_naive();
        today.checked_sub_months(chrono::Months::new(1)).unwrap_or(today)
    });
    let end = day.and_hms_opt(23, 59, 59).unwrap_or_default();
    end.and_local_timezone(*now.offset()).single().unwrap_or(now).min(now)
}

fn write(args: &Args, format: Format, bytes: &[u8]) -> super::Exit {
    super::write_output(args.output.as_deref(), matches!(format, Format::Docx | Format::Pdf | Format::Xlsx), bytes)
}

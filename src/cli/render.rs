//! `karta render KIND`: an official document — the approving order with the roadmap, a
//! protocol, the status report, overdue letters, the indicator report — as HTML, Markdown, DOCX
//! or PDF (`--format`), the tables of the roadmap, the status report and the indicators as XLSX,
//! or the data the templates receive (`--format json`).

use std::path::PathBuf;

use karta::render::{self, DocumentError, Kind, Output, Sources, Templates};

use super::track::{Tracking, Where};
use karta::msg;

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
    let made = if render::needs_status(args.kind) {
        let tracking = Tracking::open(global, &args.at)?;
        let report = tracking.report();
        let sources = Sources {
            workspace: &tracking.workspace,
            report: Some(&report),
            events: &tracking.events,
            now: tracking.now,
            today: tracking.local_today(),
        };
        render::document(&templates, args.kind, output, args.roadmap.as_deref(), &sources)
    } else {
        let workspace = super::workspace(global, &args.at.inputs.list(), None)?;
        let now = karta::clock::now(global.now);
        let sources = Sources { workspace: &workspace, report: None, events: &[], now, today: now.date_naive() };
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
    write(&args, global.format, &document.bytes)
}

fn write(args: &Args, format: Format, bytes: &[u8]) -> super::Exit {
    super::write_output(args.output.as_deref(), matches!(format, Format::Docx | Format::Pdf | Format::Xlsx), bytes)
}

//! `karta calendar`: `show YEAR` prints the calendar in force for a year (special days with
//! their basis and layer, working days and the 40-hour norm per month, see
//! [`karta::calendar::report`]); `check FILE…` checks calendar files and prints every problem
//! with its line, as `karta check` does for roadmaps.

use std::path::PathBuf;

use karta::calendar::{check, report};
use karta::diag::{Diagnostic, Renderer, Source, Summary};
use karta::msg;

use super::{Failure, Format, Global, err_line, out_fmt, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJson,
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// The special days of YEAR with their basis and layer, and working days per month
    /// (`--region RU-TA` for a region's calendar, `--calendar FILE` to add a local file).
    Show {
        year: i32,
        /// The roadmaps whose `calendar/` directory applies.
        #[command(flatten)]
        inputs: super::Inputs,
    },
    /// Check calendar files (the TSV format `date<TAB>type<TAB>note`).
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    match args.command {
        Sub::Show { year, inputs } => show(global, year, &inputs.list()),
        Sub::Check { files } => check_files(global, &files),
    }
}

fn show(global: &Global, year: i32, roadmaps: &[PathBuf]) -> super::Exit {
    if !(1900..=2200).contains(&year) {
        return Err(Failure::usage(msg!("год {} вне 1900–2200", year; "year {} is outside 1900–2200", year)));
    }
    let calendar = super::calendar(global, roadmaps)?;
    let calendar = calendar.for_region(None);
    let report = report::year(calendar, year);
    match global.format {
        Format::Json => out_line!("{}", serde_json::to_string_pretty(&report).unwrap_or_default()),
        _ => out_fmt!("{}", report.text(global.lang())),
    }
    Ok(())
}

fn check_files(global: &Global, files: &[PathBuf]) -> super::Exit {
    let lang = global.lang();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|e| Failure::file(path, &e))?;
        diagnostics.extend(check::check(&Source::new(path.clone(), text)));
    }
    let renderer = Renderer::new(lang);
    match global.format {
        Format::Json => {
            for d in &diagnostics {
                out_line!("{}", renderer.json(d));
            }
        }
        _ => {
            for d in &diagnostics {
                err_line!("{}", renderer.human(d));
            }
            err_line!("{}", Summary::of(files.len(), &diagnostics).render(lang));
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) { Err(Failure::reported()) } else { Ok(()) }
}

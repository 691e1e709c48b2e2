//! `karta check [PATH...]`: loads, checks and compiles roadmap files, prints every diagnostic
//! and a summary. Exit 0 when there are no errors (warnings allowed), 1 when there are, 2 when
//! a path does not exist.

use std::path::PathBuf;

use karta::check;
use karta::compile;
use karta::diag::{Diagnostic, Renderer, Summary};
use karta::store::{self, Backend, StoreError};
use karta::track::Event;

use super::{Format, Global, err_line, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJson,
    /// The progress database; when it exists, its reports about occurrences the roadmaps no
    /// longer have are listed (they are kept, never dropped).
    #[arg(long, env = "KARTA_DB", default_value = "karta.db")]
    pub db: PathBuf,
    #[command(flatten)]
    pub inputs: super::Inputs,
}

/// The progress log as the approved versions carry it (docs/amendments.md), when the database exists.
fn log(db: &std::path::Path) -> Option<Result<Vec<Event>, StoreError>> {
    // A file that is not there yet has no log to check against; a database server is asked.
    (Backend::of(db) != Backend::Sqlite || db.is_file()).then(|| {
        let store = store::open(db)?;
        karta::track::Carries::log(&*store).map(|(events, _)| events)
    })
}

/// Reports in the log about occurrences the plan does not have.
fn orphans(db: &std::path::Path, log: Option<Result<Vec<Event>, StoreError>>, plan: &compile::Plan) -> Vec<Diagnostic> {
    let events = match log {
        None => return Vec::new(),
        Some(Ok(events)) => events,
        Some(Err(e)) => {
            return vec![Diagnostic::warning(
                karta::diag::Code::Orphan,
                karta::msg!("база {} не прочитана: {}", db.display(), e; "database {} not read: {}", db.display(), e),
            )];
        }
    };
    // Everything recorded, whenever.
    let far = chrono::DateTime::<chrono::FixedOffset>::MAX_UTC.fixed_offset();
    karta::track::orphans(&events, plan, far)
        .into_iter()
        .map(|e| (e, e.event.occurrence.as_deref().unwrap_or_default()))
        .map(|(e, o)| {
            let (id, who, when) = (e.id, &e.event.author, e.event.recorded_at.format("%d.%m.%Y"));
            Diagnostic::warning(
                karta::diag::Code::Orphan,
                karta::msg!("событие № {} ({}, {}) относится к сроку `{}`, которого нет в дорожных картах", id, who, when, o;
                    "event {} ({}, {}) is about `{}`, which the roadmaps no longer have", id, who, when, o),
            )
            .hint(karta::msg!("событие сохранено; если срок переименован, перенесите отметку на новый срок и отмените эту (karta undo {})", id;
                "the event is kept; if the occurrence was renamed, report the new one and take this back (karta undo {})", id))
        })
        .collect()
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let lang = global.lang();
    let paths = args.inputs.list();
    let files = super::files(&paths)?;
    let calendar = super::calendar(global, &paths)?;
    let cache = global.cache();
    // The roadmaps and the log are independent: the log is read while the roadmaps are checked.
    let (checked, log) = std::thread::scope(|scope| {
        let log = scope.spawn(|| log(&args.db));
        let checked = check::check_with(&files, calendar, &cache);
        (checked, log.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let (count, mut diagnostics) = match checked.into_workspace() {
        Ok(mut workspace) => {
            let mut all = std::mem::take(&mut workspace.warnings);
            match cache.compile(&workspace, calendar.for_region(workspace.region()), &karta::compile::Planned) {
                Ok(mut plan) => {
                    all.extend(orphans(&args.db, log, &plan));
                    all.append(&mut plan.warnings);
                    // The command ends soon: the plan goes with the process (see `Tracking::leave`).
                    std::mem::forget(plan);
                }
                Err(errors) => all.extend(errors),
            }
            let count = workspace.files.len();
            std::mem::forget(workspace);
            (count, all)
        }
        Err(checked) => (checked.files.len(), checked.diagnostics),
    };
    // A cache that cannot be written costs the next run its speed, nothing else.
    let _ = cache.save();
    diagnostics.sort_by(|a, b| (a.path(), a.span).cmp(&(b.path(), b.span)));
    let renderer = Renderer::new(lang);
    match global.format {
        Format::Text | Format::Html | Format::Md | Format::Docx | Format::Pdf | Format::Xlsx => {
            for d in &diagnostics {
                err_line!("{}", renderer.human(d));
            }
            err_line!("{}", Summary::of(count, &diagnostics).render(lang));
        }
        Format::Json | Format::Csv | Format::Dot | Format::Mermaid => {
            for d in &diagnostics {
                out_line!("{}", renderer.json(d));
            }
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) { Err(super::Failure::reported()) } else { Ok(()) }
}

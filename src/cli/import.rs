//! `karta import FILE`: bulk reports from a district's spreadsheet (CSV) or a filled report form
//! (XLSX or ODS, from `karta form`), all or nothing.

use std::path::PathBuf;

use karta::diag::Renderer;

use super::track::{Tracking, Where, author};
use karta::{msg, say};

use super::{Failure, Global, err_line, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The CSV file (as Excel saves it; `;` or `,`; headers in Russian or English), or a filled
    /// report form (.xlsx, .ods).
    pub file: PathBuf,
    /// Who reports, for rows without a «кто» column.
    #[arg(long)]
    pub by: Option<String>,
    #[command(flatten)]
    pub at: Where,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let mut tracking = Tracking::open(global, &args.at)?;
    let extension = args.file.extension().and_then(|e| e.to_str()).map(str::to_lowercase);
    if matches!(extension.as_deref(), Some("xlsx" | "ods")) {
        return form(&mut tracking, &args);
    }
    let text = match std::fs::read(&args.file).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            let file = args.file.display();
            return Err(Failure::input(msg!(
                "{} не в кодировке UTF-8: сохраните таблицу как «CSV UTF-8»", file;
                "{} is not UTF-8: save the table as «CSV UTF-8»", file
            )));
        }
        Err(e) => return Err(Failure::file(&args.file, &e)),
    };
    let who = author(args.by.as_deref());
    match karta::track::import::read(
        &args.file,
        &text,
        &tracking.workspace,
        &tracking.plan,
        &tracking.events,
        tracking.now,
        &who,
    ) {
        Err(errors) => {
            let renderer = Renderer::new(tracking.lang);
            for d in &errors {
                err_line!("{}", renderer.human(d));
            }
            Err(nothing_written(errors.len(), msg!("в файле"; "in the file")))
        }
        Ok(events) => {
            let ids = tracking.store.append(&events)?;
            imported(tracking.lang, ids.len(), &args.file);
            Ok(())
        }
    }
}

/// Nothing from a file with errors is recorded: the failure after its diagnostics.
fn nothing_written(n: usize, place: karta::diag::Message) -> Failure {
    let errors = karta::diag::plural(n as u64, ["ошибка", "ошибки", "ошибок"]);
    Failure::input(
        msg!("ничего не записано: {} {} {}", n, errors, place.ru; "nothing recorded: {} errors {}", n, place.en),
    )
}

fn imported(lang: karta::diag::Lang, n: usize, file: &std::path::Path) {
    let reports = karta::diag::plural(n as u64, ["отметка", "отметки", "отметок"]);
    out_line!(
        "{}",
        say!(lang, "импортировано {} {} из {}", n, reports, file.display(); "imported {} reports from {}", n, file.display())
    );
}

/// A filled report form: every refused cell named, or the reports recorded and the rows that
/// were already.
fn form(tracking: &mut Tracking, args: &Args) -> super::Exit {
    let bytes = std::fs::read(&args.file).map_err(|e| Failure::file(&args.file, &e))?;
    let who = author(args.by.as_deref());
    let name = args.file.display().to_string();
    let read = karta::form::read(
        &name,
        &bytes,
        &tracking.workspace,
        &tracking.plan,
        &tracking.events,
        tracking.now,
        &who,
        &|_, _| true,
    );
    let outcome = match read {
        Ok(outcome) => outcome,
        Err(refusals) => {
            for r in &refusals {
                err_line!("{name}: {r}");
            }
            return Err(nothing_written(refusals.len(), msg!("в форме"; "in the form")));
        }
    };
    let ids = tracking.store.append(&outcome.events)?;
    imported(tracking.lang, ids.len(), &args.file);
    if !outcome.already.is_empty() {
        let rows = outcome.already.join(", ");
        out_line!(
            "{}",
            say!(tracking.lang, "уже записаны раньше, не повторены: {}", rows; "recorded before, not repeated: {}", rows)
        );
    }
    Ok(())
}

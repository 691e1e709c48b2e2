//! `karta import FILE`: bulk reports from a district's spreadsheet (CSV) or a filled report form
//! (XLSX or ODS, from `karta form`), all or nothing.

use std::path::PathBuf;

use karta::diag::Renderer;

use super::track::{Tracking, Where, author};
use super::{Global, err_line, out_line};

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
            err_line!("karta: {} не в кодировке UTF-8: сохраните таблицу как «CSV UTF-8»", args.file.display());
            return Err(1);
        }
        Err(e) => {
            err_line!("karta: не удалось прочитать {}: {e}", args.file.display());
            return Err(2);
        }
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
            err_line!(
                "ничего не записано: {} {} в файле",
                errors.len(),
                karta::diag::plural(errors.len() as u64, ["ошибка", "ошибки", "ошибок"])
            );
            Err(1)
        }
        Ok(events) => match tracking.store.append(&events) {
            Ok(ids) => {
                out_line!(
                    "импортировано {} {} из {}",
                    ids.len(),
                    karta::diag::plural(ids.len() as u64, ["отметка", "отметки", "отметок"]),
                    args.file.display()
                );
                Ok(())
            }
            Err(e) => {
                err_line!("karta: {e}");
                Err(2)
            }
        },
    }
}

/// A filled report form: every refused cell named, or the reports recorded and the rows that
/// were already.
fn form(tracking: &mut Tracking, args: &Args) -> super::Exit {
    let bytes = std::fs::read(&args.file).map_err(|e| {
        err_line!("karta: не удалось прочитать {}: {e}", args.file.display());
        2u8
    })?;
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
            err_line!(
                "ничего не записано: {} {} в форме",
                refusals.len(),
                karta::diag::plural(refusals.len() as u64, ["ошибка", "ошибки", "ошибок"])
            );
            return Err(1);
        }
    };
    let ids = tracking.store.append(&outcome.events).map_err(|e| {
        err_line!("karta: {e}");
        2u8
    })?;
    out_line!(
        "импортировано {} {} из {}",
        ids.len(),
        karta::diag::plural(ids.len() as u64, ["отметка", "отметки", "отметок"]),
        args.file.display()
    );
    if !outcome.already.is_empty() {
        out_line!("уже записаны раньше, не повторены: {}", outcome.already.join(", "));
    }
    Ok(())
}

//! `karta import FILE.csv`: bulk reports from a district's spreadsheet, all or nothing.

use std::path::PathBuf;

use karta::diag::Renderer;

use super::track::{Tracking, Where, author};
use super::{Global, err_line, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The CSV file (as Excel saves it; `;` or `,`; headers in Russian or English).
    pub file: PathBuf,
    /// Who reports, for rows without a «кто» column.
    #[arg(long)]
    pub by: Option<String>,
    #[command(flatten)]
    pub at: Where,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let mut tracking = Tracking::open(global, &args.at)?;
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

//! `karta check [PATH...]`: loads and checks roadmap files, prints every diagnostic and a
//! summary. Exit 0 when there are no errors (warnings allowed), 1 when there are, 2 when a
//! path does not exist.

use std::path::PathBuf;

use karta::calendar::Calendar;
use karta::check;
use karta::diag::{Lang, Renderer, Summary};

use super::{Format, Global};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or directories (searched recursively for *.yaml and *.yml). Default: the current directory.
    pub paths: Vec<PathBuf>,
}

pub fn run(global: &Global, args: Args) -> u8 {
    let lang = global.lang();
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths };
    let files = match check::collect_files(&paths) {
        Ok(files) => files,
        Err(missing) => {
            let text = match lang {
                Lang::Ru => format!("karta: путь не найден: {}", missing.display()),
                Lang::En => format!("karta: no such path: {}", missing.display()),
            };
            super::err_line!("{text}");
            return 2;
        }
    };
    let checked = check::check_files(&files, Calendar::russia());
    let renderer = Renderer::new(lang);
    match global.format {
        Format::Text => {
            for d in &checked.diagnostics {
                super::err_line!("{}", renderer.human(d));
            }
            super::err_line!("{}", Summary::of(checked.files.len(), &checked.diagnostics).render(lang));
        }
        Format::Json => {
            for d in &checked.diagnostics {
                super::out_line!("{}", renderer.json(d));
            }
        }
    }
    u8::from(checked.has_errors())
}

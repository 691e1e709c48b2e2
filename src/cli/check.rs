//! `karta check [PATH...]`: loads, checks and compiles roadmap files, prints every diagnostic
//! and a summary. Exit 0 when there are no errors (warnings allowed), 1 when there are, 2 when
//! a path does not exist.

use std::path::PathBuf;

use karta::calendar::Calendar;
use karta::check;
use karta::compile;
use karta::diag::{Diagnostic, Renderer, Summary};

use super::{Format, Global, err_line, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or directories (searched recursively for *.yaml and *.yml). Default: the current directory.
    pub paths: Vec<PathBuf>,
}

pub fn run(global: &Global, args: Args) -> u8 {
    let lang = global.lang();
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths };
    let files = match super::files(&paths, lang) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let checked = check::check_files(&files, Calendar::russia());
    let (count, mut diagnostics) = match checked.into_workspace() {
        Ok(workspace) => {
            let mut all = workspace.warnings.clone();
            match compile::compile(&workspace, Calendar::russia()) {
                Ok(plan) => all.extend(plan.warnings),
                Err(errors) => all.extend(errors),
            }
            (workspace.files.len(), all)
        }
        Err(checked) => (checked.files.len(), checked.diagnostics),
    };
    diagnostics.sort_by(|a, b| (a.path(), a.span).cmp(&(b.path(), b.span)));
    let renderer = Renderer::new(lang);
    match global.format {
        Format::Text => {
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
    u8::from(diagnostics.iter().any(Diagnostic::is_error))
}

//! `karta render KIND`: an official document — the approving order with the roadmap, a
//! protocol, the status report, overdue letters, the indicator report — as HTML, Markdown, DOCX
//! or PDF (`--format`), or the data the templates receive (`--format json`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use serde::Serialize;

use karta::check::{Unit, Workspace};
use karta::model::Observation;
use karta::render::{self, Kind, Templates, context, docx};
use karta::track::Action;

use super::track::{Tracking, Where};
use super::{Format, Global, err_line};

#[derive(Debug, clap::Args)]
pub struct Args {
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
    let format = match global.format {
        Format::Text | Format::Html => Some(render::Format::Html),
        Format::Md => Some(render::Format::Md),
        Format::Docx | Format::Pdf => Some(render::Format::Docx),
        Format::Json => None,
        other => {
            err_line!("ошибка: документ не выводится в формате {other:?}; возможны html, md, docx, pdf, json");
            return Err(2);
        }
    };
    let templates = Templates::load(args.templates.as_deref()).map_err(|e| {
        err_line!("ошибка: {e}");
        1u8
    })?;
    let bytes = match args.kind {
        Kind::Roadmap | Kind::Protocol => {
            let workspace = super::workspace(global, &args.at.roadmaps, None)?;
            let unit = pick(&workspace, &args, args.kind == Kind::Protocol)?;
            let data = match args.kind {
                Kind::Roadmap => to_value(context::roadmap(unit)),
                _ => to_value(context::protocol(unit)),
            };
            fill(&templates, args.kind, format, &data, unit.title.as_str(), &[])?
        }
        Kind::Status | Kind::OverdueLetter | Kind::Indicators => {
            let tracking = Tracking::open(global, &args.at)?;
            let report = tracking.report();
            let recorded = recorded(&tracking);
            let today = tracking.local_today();
            match args.kind {
                Kind::OverdueLetter => {
                    if args.roadmap.is_some() {
                        pick(&tracking.workspace, &args, false)?;
                    }
                    let data = context::letters(&tracking.workspace, &report, args.roadmap.as_deref(), today);
                    if data.letters.is_empty() {
                        err_line!(
                            "просроченных мероприятий на {} нет — письма не нужны",
                            karta::ru::date_digits(today)
                        );
                    }
                    fill(&templates, args.kind, format, &to_value(Some(data)), "О неисполнении мероприятий", &[])?
                }
                _ => {
                    let index = position(&tracking.workspace, &args)?;
                    let unit = &tracking.workspace.units[index];
                    if args.kind == Kind::Status {
                        let data = context::status(&tracking.workspace, &report, index, today, &recorded);
                        fill(&templates, args.kind, format, &to_value(Some(data)), &unit.title, &[])?
                    } else {
                        let data = context::indicators_doc(unit, today, &recorded);
                        let images = match format {
                            Some(render::Format::Docx) => charts(&data),
                            _ => Vec::new(),
                        };
                        fill(&templates, args.kind, format, &to_value(Some(data)), &unit.title, &images)?
                    }
                }
            }
        }
    };
    let bytes = if global.format == Format::Pdf {
        render::pdf::from_docx(&bytes).map_err(|e| {
            err_line!("ошибка: {e}");
            1u8
        })?
    } else {
        bytes
    };
    write(&args, global.format, &bytes)
}

fn to_value<T: Serialize>(data: Option<T>) -> serde_json::Value {
    serde_json::to_value(data).unwrap_or_default()
}

/// Fills the template, or (no format) returns the data as JSON; DOCX is packed.
fn fill(
    templates: &Templates,
    kind: Kind,
    format: Option<render::Format>,
    data: &serde_json::Value,
    title: &str,
    images: &[docx::Image],
) -> Result<Vec<u8>, u8> {
    let fail = |e: render::TemplateError| {
        err_line!("ошибка: {e}");
        1u8
    };
    match format {
        None => Ok(format!("{}\n", serde_json::to_string_pretty(data).unwrap_or_default()).into_bytes()),
        Some(render::Format::Docx) => {
            let xml = templates.render(kind, render::Format::Docx, data).map_err(fail)?;
            docx::package(templates, &xml, title, images).map_err(fail)
        }
        Some(f) => templates.render(kind, f, data).map(String::into_bytes).map_err(fail),
    }
}

/// The PNG of each indicator's chart, named as the DOCX template refers to it.
fn charts(data: &context::IndicatorsDoc) -> Vec<docx::Image> {
    data.indicators
        .iter()
        .filter_map(|i| {
            docx::png(&i.svg).map(|png| docx::Image {
                id: format!("rIdChart{}", i.number),
                name: format!("chart{}.png", i.number),
                png,
            })
        })
        .collect()
}

/// Indicator values recorded with `karta value` up to `--now`.
fn recorded(tracking: &Tracking) -> Vec<(String, Observation)> {
    karta::track::effective(&tracking.events, tracking.now)
        .into_iter()
        .filter_map(|e| match &e.event.action {
            Action::Value { indicator, executor, period, value, source } => Some((
                indicator.clone(),
                Observation {
                    period: period.clone(),
                    label: None,
                    value: *value,
                    executor: executor.clone(),
                    source: source.clone(),
                },
            )),
            _ => None,
        })
        .collect()
}

fn position(workspace: &Workspace, args: &Args) -> Result<usize, u8> {
    let unit = pick(workspace, args, false)?;
    Ok(workspace.units.iter().position(|u| std::ptr::eq(u, unit)).unwrap_or(0))
}

/// The roadmap (or protocol) to render: the one named, or the only one there is.
fn pick<'w>(workspace: &'w Workspace, args: &Args, protocol: bool) -> Result<&'w Unit, u8> {
    let candidates: Vec<&Unit> = workspace.units.iter().filter(|u| u.protocol == protocol).collect();
    let what = if protocol { "протокол" } else { "дорожная карта" };
    match &args.roadmap {
        Some(id) => candidates.iter().copied().find(|u| u.id == *id).ok_or_else(|| {
            let near = karta::diag::did_you_mean(id, candidates.iter().map(|u| u.id.as_str()))
                .map(|n| format!(" — возможно, `{n}`"))
                .unwrap_or_default();
            err_line!("ошибка: нет такого документа ({what}) `{id}`{near}");
            1u8
        }),
        None => match candidates.as_slice() {
            [one] => Ok(one),
            [] => {
                err_line!("ошибка: в рабочей папке нет документа вида «{what}»");
                Err(1)
            }
            many => {
                err_line!("ошибка: документов вида «{what}» несколько; укажите --roadmap ID:");
                for u in many {
                    err_line!("  {}  {}", u.id, u.title);
                }
                Err(2)
            }
        },
    }
}

fn write(args: &Args, format: Format, bytes: &[u8]) -> super::Exit {
    let binary = matches!(format, Format::Docx | Format::Pdf);
    match &args.output {
        Some(path) => {
            // Written beside the target and renamed: a failed render never leaves half a file.
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            let written = tempfile::NamedTempFile::new_in(dir)
                .and_then(|mut f| f.write_all(bytes).map(|()| f))
                .and_then(|f| f.persist(path).map_err(|e| e.error));
            written.map(|_| ()).map_err(|e| {
                err_line!("ошибка: не удалось записать {}: {e}", path.display());
                2
            })
        }
        None if binary && std::io::stdout().is_terminal() => {
            err_line!("ошибка: DOCX и PDF не выводятся на терминал; укажите -o ФАЙЛ");
            Err(2)
        }
        None => {
            let _ = std::io::stdout().lock().write_all(bytes);
            Ok(())
        }
    }
}

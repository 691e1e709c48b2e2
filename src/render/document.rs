//! One document end to end: pick the roadmap, build the template data for the kind, fill the
//! template of the format, pack DOCX (with chart images) and convert to PDF. `karta render` and
//! the web app's downloads both come through here.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Format, Kind, TemplateError, Templates, context, docx, pdf, xlsx};
use crate::check::{Unit, Workspace};
use crate::model::Observation;
use crate::track::{Action, Event, Report};

/// What a document is made from.
pub struct Sources<'a> {
    pub workspace: &'a Workspace,
    /// The status at `now`: needed by the status report and the overdue letters.
    pub report: Option<&'a Report<'a>>,
    /// The event log (indicator values recorded up to `now`).
    pub events: &'a [Event],
    /// The status at the previous cut-off, which the status report compares with.
    pub previous: Option<&'a Report<'a>>,
    pub now: chrono::DateTime<chrono::FixedOffset>,
    /// Today in the roadmaps' local time: the date documents carry.
    pub today: NaiveDate,
    /// How deadline phrases are printed; each kind's default when not given (as typed in the
    /// roadmap table, normalised in protocols).
    pub deadlines: Option<context::Deadlines>,
    /// The versions the amending order is made from (`amendment` only).
    pub amendment: Option<&'a context::Amending<'a>>,
}

/// The file a document is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Html,
    Md,
    Docx,
    Pdf,
    /// The data the templates receive.
    Json,
    /// An Excel workbook of the document's tables (roadmap, status, indicators).
    Xlsx,
}

impl Output {
    pub fn extension(self) -> &'static str {
        match self {
            Output::Html => "html",
            Output::Md => "md",
            Output::Docx => "docx",
            Output::Pdf => "pdf",
            Output::Json => "json",
            Output::Xlsx => "xlsx",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Output::Html => "text/html; charset=utf-8",
            Output::Md => "text/markdown; charset=utf-8",
            Output::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Output::Pdf => "application/pdf",
            Output::Json => "application/json",
            Output::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn parse(s: &str) -> Option<Output> {
        [Output::Html, Output::Md, Output::Docx, Output::Pdf, Output::Json, Output::Xlsx]
            .into_iter()
            .find(|o| o.extension() == s)
    }
}

/// Why a document could not be made. Messages are for users, in Russian.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("нет такого документа ({what}) `{id}`{}", .near.as_ref().map(|n| format!(" — возможно, `{n}`")).unwrap_or_default())]
    Unknown { what: &'static str, id: String, near: Option<String> },
    #[error("в рабочей папке нет документа вида «{what}»")]
    Missing { what: &'static str },
    #[error("документов вида «{what}» несколько; укажите --roadmap ID:{list}")]
    Ambiguous { what: &'static str, list: String },
    #[error("для этого документа нужно состояние исполнения (база)")]
    NoStatus,
    #[error("приказ о внесении изменений составляется по утверждённой версии дорожной карты (karta approve)")]
    NoVersion,
    #[error("{0}")]
    Template(#[from] TemplateError),
    #[error("{0}")]
    Pdf(#[from] pdf::PdfError),
    #[error("документ `{kind}` не выводится в XLSX; таблицы Excel есть только у {}", xlsx::names("и"))]
    NoXlsx { kind: &'static str },
    #[error("не удалось составить XLSX: {0}")]
    Xlsx(String),
}

impl crate::diag::Explain for DocumentError {
    fn explain(&self) -> crate::diag::Message {
        use crate::msg;
        match self {
            DocumentError::Unknown { what, id, near } => {
                let near = near.as_ref().map(|n| format!(" — did you mean `{n}`?")).unwrap_or_default();
                msg!("{}", self; "no such document ({}) `{}`{}", english(what), id, near)
            }
            DocumentError::Missing { what } => {
                msg!("{}", self; "the workspace has no document of the kind “{}”", english(what))
            }
            DocumentError::Ambiguous { what, list } => {
                msg!("{}", self; "there are several documents of the kind “{}”; give --roadmap ID:{}", english(what), list)
            }
            DocumentError::NoStatus => msg!("{}", self; "this document needs the state of execution (the database)"),
            DocumentError::NoVersion => {
                msg!("{}", self; "an amending order is made against an approved version of the roadmap (karta approve)")
            }
            DocumentError::Template(e) => msg!("{}", e; "{}", e),
            DocumentError::Pdf(e) => crate::diag::Explain::explain(e),
            DocumentError::NoXlsx { kind } => {
                msg!("{}", self; "the document `{}` has no XLSX form; Excel tables are made only for {}", kind, xlsx::names("and"))
            }
            DocumentError::Xlsx(why) => msg!("{}", self; "could not make the XLSX: {}", why),
        }
    }
}

/// A finished document, with a remark worth telling the user (no overdue letters to write)
/// and the requisites left blank for want of directory data.
pub struct Document {
    pub bytes: Vec<u8>,
    pub title: String,
    pub remark: Option<String>,
    pub missing: Vec<context::Missing>,
}

/// The document of `kind` about `roadmap` (the only one of its kind when none is named).
pub fn document(
    templates: &Templates,
    kind: Kind,
    output: Output,
    roadmap: Option<&str>,
    sources: &Sources<'_>,
) -> Result<Document, DocumentError> {
    // A workbook is written from the typed data, not from the templates' JSON.
    if output == Output::Xlsx {
        return xlsx::document(kind, roadmap, sources);
    }
    let ws = sources.workspace;
    let mut remark = None;
    // Each kind's data, title, chart images, and the requisites it lacks.
    let (data, title, images, missing) = match kind {
        Kind::Roadmap => {
            let unit = pick(ws, roadmap, false)?;
            let data = context::roadmap(unit, sources.deadlines);
            let missing = data.as_ref().map(|d| d.missing.clone()).unwrap_or_default();
            (to_value(data), unit.title.clone(), Vec::new(), missing)
        }
        Kind::Protocol => {
            let unit = pick(ws, roadmap, true)?;
            let data = context::protocol(unit, sources.deadlines);
            let missing = data.as_ref().map(|d| d.missing.clone()).unwrap_or_default();
            (to_value(data), unit.title.clone(), Vec::new(), missing)
        }
        Kind::Amendment => {
            let amending = sources.amendment.ok_or(DocumentError::NoVersion)?;
            let data = context::amendment(amending).ok_or(DocumentError::NoVersion)?;
            let missing = data.missing.clone();
            (to_value(Some(data)), "О внесении изменений".to_string(), Vec::new(), missing)
        }
        Kind::OverdueLetter => {
            if roadmap.is_some() {
                pick(ws, roadmap, false)?;
            }
            let report = sources.report.ok_or(DocumentError::NoStatus)?;
            let data = context::letters(ws, report, roadmap, sources.today);
            if data.letters.is_empty() {
                remark = Some(format!(
                    "просроченных мероприятий на {} нет — письма не нужны",
                    crate::ru::date_digits(sources.today)
                ));
            }
            // Each missing requisite once, though several letters lack it.
            let mut missing: Vec<context::Missing> = Vec::new();
            for m in data.letters.iter().flat_map(|l| &l.missing) {
                if !missing.contains(m) {
                    missing.push(m.clone());
                }
            }
            (to_value(Some(data)), "О неисполнении мероприятий".to_string(), Vec::new(), missing)
        }
        Kind::Status | Kind::Indicators => {
            let unit = pick(ws, roadmap, false)?;
            let index = ws.units.iter().position(|u| std::ptr::eq(&**u, unit)).unwrap_or(0);
            let recorded = recorded(sources.events, sources.now);
            if kind == Kind::Status {
                let report = sources.report.ok_or(DocumentError::NoStatus)?;
                let data =
                    context::status(ws, report, sources.previous, sources.events, index, sources.today, &recorded);
                let images = match (&data.discipline_chart, output) {
                    (Some(svg), Output::Docx | Output::Pdf) => docx::png(svg)
                        .map(|png| docx::Image { id: "rIdDiscipline".into(), name: "discipline.png".into(), png })
                        .into_iter()
                        .collect(),
                    _ => Vec::new(),
                };
                let missing = data.missing.clone();
                (to_value(Some(data)), unit.title.clone(), images, missing)
            } else {
                let data = context::indicators_doc(unit, sources.today, &recorded);
                let images = if matches!(output, Output::Docx | Output::Pdf) { charts(&data) } else { Vec::new() };
                let missing = data.missing.clone();
                (to_value(Some(data)), unit.title.clone(), images, missing)
            }
        }
    };
    let bytes = match output {
        Output::Json => format!("{}\n", serde_json::to_string_pretty(&data).unwrap_or_default()).into_bytes(),
        Output::Html => templates.render(kind, Format::Html, &data)?.into_bytes(),
        Output::Md => templates.render(kind, Format::Md, &data)?.into_bytes(),
        Output::Docx | Output::Pdf => {
            let xml = templates.render(kind, Format::Docx, &data)?;
            let docx = docx::package(templates, &xml, &title, &images)?;
            if output == Output::Pdf { pdf::from_docx(&docx)? } else { docx }
        }
        // Returned above already; the same call keeps this match whole without a panic.
        Output::Xlsx => return xlsx::document(kind, roadmap, sources),
    };
    Ok(Document { bytes, title, remark, missing })
}

/// Whether the kind needs the status (and so the store) at `now`.
pub fn needs_status(kind: Kind) -> bool {
    matches!(kind, Kind::Status | Kind::OverdueLetter | Kind::Indicators)
}

fn to_value<T: Serialize>(data: Option<T>) -> serde_json::Value {
    serde_json::to_value(data).unwrap_or_default()
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

/// Indicator values recorded up to `now`.
pub fn recorded(events: &[Event], now: chrono::DateTime<chrono::FixedOffset>) -> Vec<(String, Observation)> {
    crate::track::effective(events, now)
        .into_iter()
        .filter_map(|e| match &e.event.action {
            Action::Value { indicator, executor, period, value, source } => Some((
                indicator.clone(),
                Observation {
                    period: period.clone(),
                    measure: None,
                    label: None,
                    value: *value,
                    executor: executor.clone(),
                    source: source.clone(),
                    notes: None,
                },
            )),
            _ => None,
        })
        .collect()
}

/// The kind of document in English.
fn english(what: &str) -> &'static str {
    if what == "протокол" { "protocol" } else { "roadmap" }
}

/// The roadmap (or protocol) a document is about: the one named, or the only one there is.
pub fn pick<'w>(workspace: &'w Workspace, id: Option<&str>, protocol: bool) -> Result<&'w Unit, DocumentError> {
    let candidates: Vec<&Unit> = workspace.units.iter().map(|u| &**u).filter(|u| u.protocol == protocol).collect();
    let what = if protocol { "протокол" } else { "дорожная карта" };
    match id {
        Some(id) => candidates.iter().copied().find(|u| u.id == id).ok_or_else(|| DocumentError::Unknown {
            what,
            id: id.to_string(),
            near: crate::diag::did_you_mean(id, candidates.iter().map(|u| u.id.as_str())).map(str::to_string),
        }),
        None => match candidates.as_slice() {
            [one] => Ok(one),
            [] => Err(DocumentError::Missing { what }),
            many => Err(DocumentError::Ambiguous {
                what,
                list: many.iter().map(|u| format!("\n  {}  {}", u.id, u.title)).collect(),
            }),
        },
    }
}

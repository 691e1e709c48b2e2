//! `karta convert FILE`: a roadmap table from Word (DOCX), Excel (XLSX), ODS or CSV as roadmap
//! YAML that `karta check` accepts; a summary of what was found on standard error.

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;

use karta::convert::{self, Options};
use karta::model::Period;

use super::{Global, err_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The document: .docx, .xlsx, .ods or .csv.
    pub file: PathBuf,
    /// Write the YAML to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The roadmap id (default: from the file name).
    #[arg(long)]
    pub id: Option<String>,
    /// The roadmap period, FROM..TO (YYYY-MM-DD..YYYY-MM-DD); default: from the title or the deadlines.
    #[arg(long, value_parser = period)]
    pub period: Option<Period>,
}

fn period(text: &str) -> Result<Period, String> {
    let (from, to) = text.split_once("..").ok_or("ожидается FROM..TO, например 2023-09-01..2024-08-31")?;
    let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|e| format!("«{s}»: {e}"));
    Ok(Period { from: date(from)?, to: date(to)? })
}

pub fn run(_global: &Global, args: Args) -> super::Exit {
    let options = Options { id: args.id.clone(), period: args.period };
    let converted = convert::convert(&args.file, &options).map_err(|e| {
        err_line!("ошибка: {}: {e}", args.file.display());
        1u8
    })?;
    let yaml = converted.to_yaml();
    match &args.output {
        Some(path) => {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            tempfile::NamedTempFile::new_in(dir)
                .and_then(|mut f| f.write_all(yaml.as_bytes()).map(|()| f))
                .and_then(|f| f.persist(path).map_err(|e| e.error))
                .map_err(|e| {
                    err_line!("ошибка: не удалось записать {}: {e}", path.display());
                    2u8
                })?;
        }
        None => {
            let _ = std::io::stdout().lock().write_all(yaml.as_bytes());
        }
    }
    let count = |n: usize, forms: [&str; 3]| karta::ru::counted(n as u64, forms).replace('\u{a0}', " ");
    err_line!(
        "найдено: {}, {}, {}; нераспознанных сроков: {}",
        count(converted.sections.len(), ["раздел", "раздела", "разделов"]),
        count(converted.activities(), ["мероприятие", "мероприятия", "мероприятий"]),
        count(converted.executors.list.len(), ["исполнитель", "исполнителя", "исполнителей"]),
        converted.unreadable()
    );
    for s in &converted.sections {
        for a in s.activities.iter().filter(|a| a.unreadable.is_some()) {
            err_line!(
                "  не распознан срок «{}» ({}, {}): {}",
                a.due,
                a.id,
                a.number.as_deref().unwrap_or(""),
                a.unreadable.as_deref().unwrap_or_default()
            );
        }
    }
    // What could not be placed stays in the YAML as a comment; the author decides.
    for h in &converted.headings {
        err_line!("  строка-раздел без мероприятий (оставлена комментарием): «{h}»");
    }
    if converted.period_guessed {
        err_line!("  период в документе не найден — укажите его в YAML или через --period FROM..TO");
    }
    match &converted.approval {
        Some(a) if a.date.is_none() => {
            err_line!("  утверждение найдено без даты — оставлено комментарием, впишите дату");
        }
        None => err_line!("  утверждение (приказ, дата, номер) в документе не найдено"),
        Some(_) => {}
    }
    Ok(())
}

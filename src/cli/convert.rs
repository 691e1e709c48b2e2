//! `karta convert FILE`: a roadmap table from Word (DOCX), Excel (XLSX), ODS or CSV as roadmap
//! YAML that `karta check` accepts; a summary of what was found on standard error.

use std::path::PathBuf;

use chrono::NaiveDate;

use karta::convert::{self, Options};
use karta::model::Period;

use karta::diag::Explain;
use karta::{msg, say};

use super::{Failure, Global, err_line};

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

pub fn run(global: &Global, args: Args) -> super::Exit {
    let lang = global.lang();
    let options = Options { id: args.id.clone(), period: args.period };
    let converted = convert::convert(&args.file, &options).map_err(|e| {
        let (file, why) = (args.file.display(), e.explain());
        let said = msg!("{}: {}", file, why.ru; "{}: {}", file, why.en);
        // A file that cannot be read is the environment's; one that reads wrong, the input's.
        match e {
            convert::ConvertError::Read(convert::read::ReadError::Io(_)) => Failure::usage(said),
            _ => Failure::input(said),
        }
    })?;
    let yaml = converted.to_yaml();
    super::write_output(args.output.as_deref(), false, yaml.as_bytes())?;
    let count = |n: usize, forms: [&str; 3]| karta::ru::counted(n as u64, forms).replace('\u{a0}', " ");
    let (sections, activities, executors) =
        (converted.sections.len(), converted.activities(), converted.executors.list.len());
    err_line!(
        "{}",
        say!(lang, "найдено: {}, {}, {}; нераспознанных сроков: {}",
            count(sections, ["раздел", "раздела", "разделов"]),
            count(activities, ["мероприятие", "мероприятия", "мероприятий"]),
            count(executors, ["исполнитель", "исполнителя", "исполнителей"]),
            converted.unreadable();
            "found: {} sections, {} activities, {} executors; unreadable deadlines: {}",
            sections, activities, executors, converted.unreadable())
    );
    for s in &converted.sections {
        for a in s.activities.iter().filter(|a| a.unreadable.is_some()) {
            let (number, why) = (a.number.as_deref().unwrap_or(""), a.unreadable.as_deref().unwrap_or_default());
            err_line!(
                "  {}",
                say!(lang, "не распознан срок «{}» ({}, {}): {}", a.due, a.id, number, why;
                    "unreadable deadline «{}» ({}, {}): {}", a.due, a.id, number, why)
            );
        }
    }
    // What could not be placed stays in the YAML as a comment; the author decides.
    for h in &converted.headings {
        err_line!(
            "  {}",
            say!(lang, "строка-раздел без мероприятий (оставлена комментарием): «{}»", h;
                "a section row without activities (kept as a comment): «{}»", h)
        );
    }
    if converted.period_guessed {
        err_line!(
            "  {}",
            lang.pick(
                "период в документе не найден — укажите его в YAML или через --period FROM..TO",
                "no period found in the document — write it in the YAML or give --period FROM..TO"
            )
        );
    }
    match &converted.approval {
        Some(a) if a.date.is_none() => err_line!(
            "  {}",
            lang.pick(
                "утверждение найдено без даты — оставлено комментарием, впишите дату",
                "the approval was found without a date — kept as a comment, fill in the date"
            )
        ),
        None => err_line!(
            "  {}",
            lang.pick(
                "утверждение (приказ, дата, номер) в документе не найдено",
                "no approval (order, date, number) found in the document"
            )
        ),
        Some(_) => {}
    }
    Ok(())
}

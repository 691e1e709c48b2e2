//! Converting roadmaps people already have — Word tables like seed 002, Excel or ODS sheets,
//! CSV — into roadmap YAML that `karta check` accepts.
//!
//! Pipeline: [`read`] the file into paragraphs and tables → find the roadmap table by its header
//! ([`table`]: the usual columns in any order and wording) → walk its rows into sections and
//! activities, every other column kept by its header → split the executors cells into
//! organisations ([`executors`]) → read every deadline with the deadline language, keeping the
//! cell verbatim → the approving act, the title and the signatory from the text around the
//! table ([`around`]) → [`yaml`]: tidy commented YAML in the order of the source.

mod around;
pub mod executors;
pub mod read;
mod table;
mod yaml;

use chrono::{Datelike, NaiveDate};

pub use around::Approval;
use read::{Block, Row};
use table::Columns;

use crate::model::Period;

/// An activity read from a row.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    pub id: String,
    pub number: Option<String>,
    pub title: String,
    /// Listed sub-tasks: the paragraphs of the title cell that start with a dash.
    pub tasks: Vec<String>,
    pub executors_text: String,
    pub executors: Vec<String>,
    pub due: String,
    /// Why the deadline could not be read, when it could not.
    pub unreadable: Option<String>,
    pub result: Option<String>,
    /// The other columns, by their header as printed.
    pub extra: Vec<(String, String)>,
    /// Editorial notes printed with the row («(в ред. … от … N …)»).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Section {
    pub title: String,
    /// The period printed on a stage's row («1 этап (подготовительный) | август 2016 г.»).
    pub period: Option<String>,
    pub activities: Vec<Activity>,
}

/// A converted roadmap.
#[derive(Debug, Default)]
pub struct Converted {
    pub id: String,
    pub title: String,
    pub period: Option<Period>,
    pub approval: Option<Approval>,
    pub signatory: Option<(String, String)>,
    pub executors: executors::Directory,
    pub sections: Vec<Section>,
    /// Abbreviations the document defines: (short form, the point where it is introduced).
    pub abbreviations: Vec<(String, String)>,
    /// The period is a placeholder: the document names none.
    pub period_guessed: bool,
    /// Section rows with no activity under them (a heading over sub-sections), kept as comments.
    pub headings: Vec<String>,
    pub source: String,
}

impl Converted {
    pub fn activities(&self) -> usize {
        self.sections.iter().map(|s| s.activities.len()).sum()
    }

    pub fn unreadable(&self) -> usize {
        self.sections.iter().flat_map(|s| &s.activities).filter(|a| a.unreadable.is_some()).count()
    }

    pub fn to_yaml(&self) -> String {
        yaml::write(self)
    }
}

/// Why a document could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error(transparent)]
    Read(#[from] read::ReadError),
    #[error("в документе нет таблиц")]
    NoTable,
    #[error(
        "не найдена таблица дорожной карты: ни в одной таблице нет шапки со столбцами «Наименование мероприятия» и «Сроки» (и «Ответственные исполнители» или «Результаты»)"
    )]
    NoHeader,
}

impl crate::diag::Explain for ConvertError {
    fn explain(&self) -> crate::diag::Message {
        use crate::msg;
        match self {
            ConvertError::Read(e) => crate::diag::Explain::explain(e),
            ConvertError::NoTable => msg!("{}", self; "the document has no tables"),
            ConvertError::NoHeader => msg!(
                "{}", self;
                "no roadmap table found: no table has a header with the columns «Наименование мероприятия» and «Сроки» (and «Ответственные исполнители» or «Результаты»)"
            ),
        }
    }
}

/// Options of `karta convert`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub id: Option<String>,
    pub period: Option<Period>,
}

pub fn convert(path: &std::path::Path, options: &Options) -> Result<Converted, ConvertError> {
    let source = read::read(path)?;
    let tables: Vec<(usize, &Vec<Row>)> = source
        .blocks
        .iter()
        .enumerate()
        .filter_map(|(i, b)| match b {
            Block::Table(t) => Some((i, t)),
            Block::Para(_) => None,
        })
        .collect();
    if tables.is_empty() {
        return Err(ConvertError::NoTable);
    }
    let (at, table, mut columns, mut start): (usize, &Vec<Row>, Columns, usize) = tables
        .iter()
        .find_map(|(i, t)| t.iter().take(16).enumerate().find_map(|(h, r)| table::header(r).map(|c| (*i, *t, c, h))))
        .ok_or(ConvertError::NoHeader)?;
    let header_start = start;
    if let Some(refined) = table.get(start + 1).and_then(|next| table::sub_header(&columns, &table[start], next)) {
        columns = refined;
        start += 1;
    }
    // The text around: the paragraphs and layout tables before the table, and the rows of its own
    // above the header (a title typed into the table's first row).
    let mut before = around::lines(&source.blocks[..at]);
    before.extend(table[..header_start].iter().flatten().flat_map(|c| c.text.lines().map(|l| l.trim().to_string())));
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("roadmap");
    let mut converted = Converted {
        id: options.id.clone().unwrap_or_else(|| {
            let s = executors::slug(stem);
            if s.is_empty() { "roadmap".into() } else { s }
        }),
        source: path.file_name().and_then(|s| s.to_str()).unwrap_or_default().to_string(),
        ..Converted::default()
    };
    converted.title = around::title(&before).unwrap_or_else(|| stem.to_string());
    converted.approval = around::approval(&before);
    converted.signatory = around::signatory(&source.blocks[at + 1..])
        .or_else(|| converted.approval.as_ref().and_then(|a| a.signed.clone()));
    let (sections, headings) = table::walk(&table[start + 1..], &columns);
    converted.sections = sections;
    converted.headings = headings;
    name(&mut converted);
    converted.period = options.period.or_else(|| infer_period(&converted));
    let period = match converted.period {
        Some(p) => p,
        None => {
            // Not in the document: a placeholder the YAML marks for the author, still wide
            // enough for every deadline it names.
            let p = widened(unknown_period(), &converted);
            converted.period_guessed = true;
            converted.period = Some(p);
            p
        }
    };
    for a in converted.sections.iter_mut().flat_map(|s| &mut s.activities) {
        if let Err(e) = crate::deadline::read(&a.due, period) {
            a.unreadable = Some(e.message.get(crate::diag::Lang::Ru).to_string());
        }
    }
    Ok(converted)
}

/// Ids for the activities, executors for their cells, and the abbreviations the cells define.
fn name(converted: &mut Converted) {
    for (s, section) in converted.sections.iter_mut().enumerate() {
        for (k, a) in section.activities.iter_mut().enumerate() {
            a.id = format!("s{}-{}", s + 1, k + 1);
            let point = a.number.clone().unwrap_or_default();
            for text in [&a.title, &a.executors_text, &a.due].into_iter().chain(a.result.as_ref()) {
                for part in text.split("(далее").skip(1) {
                    if let Some((short, _)) = executors::defined(&format!("x (далее{part}")) {
                        if !converted.abbreviations.iter().any(|(s, _)| *s == short) {
                            converted.abbreviations.push((short, point.trim().to_string()));
                        }
                    }
                }
            }
            a.executors =
                executors::split(&a.executors_text).iter().map(|name| converted.executors.add(name)).collect();
            a.executors.dedup();
        }
    }
}

/// The period: the years the title names («2023/2024 учебный год»; «на 2021 – 2023 годы»; «в 2016
/// году»), else the approval date's school year — widened to every year a deadline names, so
/// that no deadline falls outside it.
fn infer_period(c: &Converted) -> Option<Period> {
    let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let school_year = |y: i32| Period { from: ymd(y, 9, 1), to: ymd(y + 1, 8, 31) };
    let years_in = |text: &str| -> Vec<i32> {
        text.split(|ch: char| !ch.is_ascii_digit())
            .filter(|w| w.len() == 4)
            .filter_map(|w| w.parse().ok())
            .filter(|y| (1990..2100).contains(y))
            .collect()
    };
    let title = c.title.to_lowercase();
    let title_years = years_in(&title);
    let from_title = match title_years.as_slice() {
        [a, b, ..] if b - a == 1 && (title.contains('/') || title.contains("учебн")) => Some(school_year(*a)),
        [a, b, ..] if b > a => Some(Period { from: ymd(*a, 1, 1), to: ymd(*b, 12, 31) }),
        [a, ..] => Some(Period { from: ymd(*a, 1, 1), to: ymd(*a, 12, 31) }),
        [] => None,
    };
    let approved = c.approval.as_ref().and_then(|a| a.date);
    let base =
        from_title.or_else(|| approved.map(|d| school_year(if d.month() >= 9 { d.year() } else { d.year() - 1 })));
    let dues: Vec<i32> = c.sections.iter().flat_map(|s| &s.activities).flat_map(|a| years_in(&a.due)).collect();
    let (lo, hi) = (dues.iter().min().copied(), dues.iter().max().copied());
    let period = match (base, lo, hi) {
        (Some(p), _, _) => p,
        (None, Some(lo), Some(hi)) => {
            Period { from: approved.filter(|d| d.year() == lo).unwrap_or_else(|| ymd(lo, 1, 1)), to: ymd(hi, 12, 31) }
        }
        _ => return None,
    };
    Some(widened(period, c))
}

/// The period written when the document names none (the YAML says so, for the author to fix).
pub fn unknown_period() -> Period {
    Period {
        from: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
        to: NaiveDate::from_ymd_opt(2024, 12, 31).unwrap_or_default(),
    }
}

/// `period` widened to every date a deadline names, so that none falls outside it.
fn widened(period: Period, c: &Converted) -> Period {
    let calendar = crate::calendar::Calendar::russia();
    let dates = c
        .sections
        .iter()
        .flat_map(|s| &s.activities)
        .filter_map(|a| crate::deadline::read(&a.due, period).ok())
        .filter(|spec| !matches!(spec, crate::deadline::Spec::Recurring(r) if r.following))
        .flat_map(|spec| spec.occurrences(period, calendar, crate::model::Shift::Keep))
        .flat_map(|o| [o.opens, o.written]);
    dates.fold(period, |p, d| Period { from: p.from.min(d), to: p.to.max(d) })
}

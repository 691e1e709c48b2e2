//! Converting roadmaps people already have — Word tables like seed 002, Excel or ODS sheets,
//! CSV — into roadmap YAML that `karta check` accepts.
//!
//! Pipeline: [`read`] the file into paragraphs and tables → find the roadmap table by its header
//! (the five usual columns in any order and wording) → walk its rows: repeated headers and
//! column-number rows skipped, full-width rows become sections, the rest activities → split the
//! executors cells into organisations ([`executors`]) → read every deadline with the deadline
//! language, keeping the cell verbatim → the approving order and the signatory from the
//! paragraphs around the table → [`yaml`]: tidy commented YAML in the order of the source.

pub mod executors;
pub mod read;
mod yaml;

use chrono::{Datelike, NaiveDate};

use crate::model::Period;
use read::{Block, Cell, Row};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Number,
    Title,
    Executors,
    Due,
    Result,
}

fn role(header: &str) -> Option<Role> {
    let h = header.to_lowercase();
    if h.contains("наименование") || h.contains("мероприяти") || h.contains("содержание")
    {
        Some(Role::Title)
    } else if h.contains("ответствен") || h.contains("исполнител") {
        Some(Role::Executors)
    } else if h.contains("срок") {
        Some(Role::Due)
    } else if h.contains("результат") || h.contains("показател") || h.contains("ожидаем") || h.contains("форма")
    {
        Some(Role::Result)
    } else if h.contains('№') || h.contains("п/п") || h.trim() == "n" {
        Some(Role::Number)
    } else {
        None
    }
}

/// A row's cells laid on the grid: the text at each grid column (a spanning cell at its first).
fn grid(row: &Row) -> Vec<(usize, &Cell)> {
    let mut at = 0;
    row.iter()
        .map(|c| {
            let here = at;
            at += c.span.max(1);
            (here, c)
        })
        .collect()
}

/// The roles of a header row's grid columns, when it is one (a title and a deadline column at least).
fn header(row: &Row) -> Option<Vec<(usize, Role)>> {
    let roles: Vec<(usize, Role)> =
        grid(row).into_iter().filter_map(|(at, c)| role(&c.text).map(|r| (at, r))).collect();
    let has = |r: Role| roles.iter().any(|(_, x)| *x == r);
    (has(Role::Title) && has(Role::Due) && roles.len() >= 3).then_some(roles)
}

/// "1 2 3 4 5": the column-number row repeated on every page.
fn numbering(row: &Row) -> bool {
    let texts: Vec<&str> = row.iter().map(|c| c.text.trim()).filter(|t| !t.is_empty()).collect();
    texts.len() >= 3 && texts.iter().enumerate().all(|(i, t)| t.parse::<usize>().ok() == Some(i + 1))
}

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
}

#[derive(Debug, Clone, Default)]
pub struct Section {
    pub title: String,
    pub activities: Vec<Activity>,
}

/// The approving order, as far as the paragraphs give it.
#[derive(Debug, Clone, Default)]
pub struct Approval {
    pub document: String,
    pub number: String,
    pub date: Option<NaiveDate>,
    pub stamp: Option<String>,
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
    let (at, table, roles, start) = tables
        .iter()
        .find_map(|(i, t)| t.iter().take(5).position(|r| header(r).is_some()).map(|h| (*i, *t, header(&t[h]), h)))
        .and_then(|(i, t, roles, h)| roles.map(|r| (i, t, r, h)))
        .ok_or(ConvertError::NoHeader)?;
    let before: Vec<&str> = source.blocks[..at]
        .iter()
        .filter_map(|b| match b {
            Block::Para(p) => Some(p.as_str()),
            Block::Table(_) => None,
        })
        .collect();
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("roadmap");
    let mut converted = Converted {
        id: options.id.clone().unwrap_or_else(|| {
            let s = executors::slug(stem);
            if s.is_empty() { "roadmap".into() } else { s }
        }),
        source: path.file_name().and_then(|s| s.to_str()).unwrap_or_default().to_string(),
        ..Converted::default()
    };
    converted.title = title(&before).unwrap_or_else(|| stem.to_string());
    converted.approval = approval(&before);
    converted.signatory = signatory(&source.blocks[at + 1..]);
    rows(&mut converted, &table[start + 1..], &roles);
    converted.period = options.period.or_else(|| infer_period(&converted));
    let period = converted.period.unwrap_or(Period {
        from: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
        to: NaiveDate::from_ymd_opt(2024, 12, 31).unwrap_or_default(),
    });
    for a in converted.sections.iter_mut().flat_map(|s| &mut s.activities) {
        if let Err(e) = crate::deadline::read(&a.due, period) {
            a.unreadable = Some(e.message.get(crate::diag::Lang::Ru).to_string());
        }
    }
    Ok(converted)
}

fn rows(converted: &mut Converted, rows: &[Row], roles: &[(usize, Role)]) {
    let at = |row: &Row, role: Role| -> String {
        let Some(&(col, _)) = roles.iter().find(|(_, r)| *r == role) else { return String::new() };
        grid(row)
            .into_iter()
            .find(|(c, cell)| *c <= col && col < c + cell.span.max(1))
            .map(|(_, c)| c.text.clone())
            .unwrap_or_default()
    };
    let mut section: Option<Section> = None;
    let mut loose = Section::default();
    for row in rows {
        if header(row).is_some() || numbering(row) {
            continue;
        }
        let filled: Vec<&Cell> = row.iter().filter(|c| !c.text.trim().is_empty()).collect();
        if filled.is_empty() {
            continue;
        }
        let point = at(row, Role::Number);
        for c in &filled {
            for part in c.text.split("(далее").skip(1) {
                if let Some((short, _)) = executors::defined(&format!("x (далее{part}")) {
                    if !converted.abbreviations.iter().any(|(s, _)| *s == short) {
                        converted.abbreviations.push((short, point.trim().to_string()));
                    }
                }
            }
        }
        let spans_all = row.len() == 1 || row.first().is_some_and(|c| c.span >= 3);
        if filled.len() == 1 && (spans_all || at(row, Role::Due).is_empty()) {
            if let Some(s) = section.take() {
                converted.sections.push(s);
            }
            let text = filled[0].text.split_whitespace().collect::<Vec<_>>().join(" ");
            let title = text.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.').trim().to_string();
            section = Some(Section { title, activities: Vec::new() });
            continue;
        }
        let number = at(row, Role::Number).trim().to_string();
        let target = section.as_mut().unwrap_or(&mut loose);
        let title = at(row, Role::Title);
        // A row broken by a page (no number, the previous activity's text goes on).
        if number.is_empty() && !target.activities.is_empty() && at(row, Role::Due).is_empty() {
            if let Some(last) = target.activities.last_mut() {
                let join = |a: &mut String, b: String| {
                    if !b.is_empty() {
                        if !a.is_empty() {
                            a.push(' ');
                        }
                        a.push_str(&b);
                    }
                };
                join(&mut last.title, title);
                join(&mut last.executors_text, at(row, Role::Executors));
                let mut result = last.result.take().unwrap_or_default();
                join(&mut result, at(row, Role::Result));
                last.result = (!result.is_empty()).then_some(result);
            }
            continue;
        }
        let executors_text = at(row, Role::Executors);
        let result = at(row, Role::Result);
        let listed = |l: &str| {
            ["– ", "- ", "• ", "— "].iter().find_map(|d| l.trim().strip_prefix(d)).map(str::trim).map(String::from)
        };
        let tasks: Vec<String> = title.lines().filter_map(listed).collect();
        let title = title.lines().filter(|l| listed(l).is_none()).map(str::trim).collect::<Vec<_>>().join(" ");
        target.activities.push(Activity {
            id: String::new(),
            number: (!number.is_empty()).then_some(number),
            title,
            tasks,
            executors_text,
            executors: Vec::new(),
            // Two deadlines on two lines are one phrase to the deadline language.
            due: at(row, Role::Due).split_whitespace().collect::<Vec<_>>().join(" "),
            unreadable: None,
            result: (!result.is_empty()).then(|| result.lines().map(str::trim).collect::<Vec<_>>().join(" ")),
        });
    }
    if !loose.activities.is_empty() {
        loose.title = "Мероприятия".into();
        converted.sections.insert(0, loose);
    }
    if let Some(s) = section {
        converted.sections.push(s);
    }
    for (s, section) in converted.sections.iter_mut().enumerate() {
        for (k, a) in section.activities.iter_mut().enumerate() {
            a.id = format!("s{}-{}", s + 1, k + 1);
            a.executors =
                executors::split(&a.executors_text).iter().map(|name| converted.executors.add(name)).collect();
            a.executors.dedup();
        }
    }
}

/// The title: "ДОРОЖНАЯ КАРТА" and the line after it, or the first heading-like paragraph.
fn title(before: &[&str]) -> Option<String> {
    let at =
        before.iter().rposition(|p| p.trim().eq_ignore_ascii_case("дорожная карта") || p.trim() == "ДОРОЖНАЯ КАРТА");
    match at {
        Some(i) => {
            let rest = before.get(i + 1).map(|s| s.trim()).unwrap_or_default();
            Some(format!("Дорожная карта {rest}").trim().to_string())
        }
        None => {
            before.iter().rev().find(|p| p.to_lowercase().starts_with("дорожная карта")).map(|p| p.trim().to_string())
        }
    }
}

/// "УТВЕРЖДЕНА / приказом … / от 02.10.2023 № 380" above the table.
fn approval(before: &[&str]) -> Option<Approval> {
    let start = before.iter().rposition(|p| p.trim().to_uppercase().starts_with("УТВЕРЖДЕН"))?;
    let mut by = Vec::new();
    for p in &before[start + 1..] {
        let p = p.trim();
        if let Some(rest) = p.strip_prefix("от ") {
            let (date, number) = rest.split_once('№').map_or((rest, ""), |(d, n)| (d, n));
            let date = NaiveDate::parse_from_str(date.trim().trim_end_matches("г.").trim(), "%d.%m.%Y").ok();
            let stamp = by.join(" ");
            let document = match stamp.split_whitespace().next().unwrap_or_default() {
                "распоряжением" => "распоряжение",
                "постановлением" => "постановление",
                "решением" => "решение",
                "письмом" => "письмо",
                _ => "приказ",
            };
            return Some(Approval {
                document: document.into(),
                number: number.trim().replace('\u{a0}', " ").to_string(),
                date,
                stamp: (!stamp.is_empty()).then_some(stamp),
            });
        }
        by.push(p.to_string());
    }
    None
}

/// The signature under the table: a position and "И.О. Фамилия" (a paragraph, or a borderless
/// two-cell table).
fn signatory(after: &[Block]) -> Option<(String, String)> {
    let looks_like_name = |s: &str| {
        let s = s.trim();
        let mut parts = s.split_whitespace();
        parts
            .next()
            .is_some_and(|initials| initials.ends_with('.') && initials.chars().filter(|c| *c == '.').count() == 2)
            && parts.next().is_some()
    };
    for block in after.iter().take(3) {
        match block {
            Block::Para(p) => {
                let (position, name) = p.rsplit_once('\t').or_else(|| p.rsplit_once("   "))?;
                if looks_like_name(name) {
                    return Some((position.trim().to_string(), name.trim().to_string()));
                }
            }
            Block::Table(t) if t.len() == 1 && t[0].len() == 2 && looks_like_name(&t[0][1].text) => {
                return Some((t[0][0].text.replace('\n', " ").trim().to_string(), t[0][1].text.trim().to_string()));
            }
            Block::Table(_) => {}
        }
    }
    None
}

/// The period: the school year the title names ("2023/2024", "2023-2024 учебном году"), else
/// the approval date's school year, else the years the deadlines mention.
fn infer_period(c: &Converted) -> Option<Period> {
    let school_year = |y: i32| Period {
        from: NaiveDate::from_ymd_opt(y, 9, 1).unwrap_or_default(),
        to: NaiveDate::from_ymd_opt(y + 1, 8, 31).unwrap_or_default(),
    };
    let years_in = |text: &str| -> Vec<i32> {
        text.split(|ch: char| !ch.is_ascii_digit())
            .filter(|w| w.len() == 4)
            .filter_map(|w| w.parse().ok())
            .filter(|y| (2000..2100).contains(y))
            .collect()
    };
    let title_years = years_in(&c.title);
    if let [a, b, ..] = title_years.as_slice() {
        if b - a == 1 {
            return Some(school_year(*a));
        }
    }
    let dues: Vec<i32> = c.sections.iter().flat_map(|s| &s.activities).flat_map(|a| years_in(&a.due)).collect();
    match (dues.iter().min(), dues.iter().max()) {
        (Some(&lo), Some(&hi)) => Some(Period {
            from: c
                .approval
                .as_ref()
                .and_then(|a| a.date)
                .filter(|d| d.year() == lo)
                .unwrap_or_else(|| NaiveDate::from_ymd_opt(lo, 1, 1).unwrap_or_default()),
            to: NaiveDate::from_ymd_opt(hi, 12, 31).unwrap_or_default(),
        }),
        _ => c
            .approval
            .as_ref()
            .and_then(|a| a.date)
            .map(|d| school_year(if d.month() >= 9 { d.year() } else { d.year() - 1 })),
    }
}

//! The period an indicator value is for, read from what authors write: a calendar year
//! ("2023", exam results), a school year ("2023-2024", "2023/2024", "2023/24", diagnostic works
//! of that year), a month ("2024-03") or a day ("2024-03-15", "15.03.2024"). Values of
//! different kinds of period measure different things and are never compared as one series.
//!
//! Reading is position-free: an error says what is wrong with the text; the checker adds the
//! file position.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::diag::Message;
use crate::msg;

/// The period of a baseline, a target or a measured value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    /// A calendar year.
    Year(i32),
    /// A school year, 1 September of the year given to 31 August of the next.
    SchoolYear(i32),
    /// A month of a year (1–12).
    Month(i32, u32),
    /// One day.
    Day(NaiveDate),
}

/// The kind of a period: values are compared only within one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Year,
    SchoolYear,
    Month,
    Day,
}

impl Kind {
    /// How a series of this kind is named: «по календарным годам».
    pub fn words(self) -> &'static str {
        match self {
            Kind::Year => "по календарным годам",
            Kind::SchoolYear => "по учебным годам",
            Kind::Month => "по месяцам",
            Kind::Day => "по датам",
        }
    }

    /// The kind's name in Russian and English, for messages: («календарный год», "calendar year").
    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            Kind::Year => ("календарный год", "calendar year"),
            Kind::SchoolYear => ("учебный год", "school year"),
            Kind::Month => ("месяц", "month"),
            Kind::Day => ("дата", "date"),
        }
    }
}

/// Why a period could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError {
    pub message: Message,
    pub hint: Option<Message>,
}

const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

fn forms() -> Message {
    msg!("пишите год (2024), учебный год (2023-2024, 2023/2024 или 2023/24), месяц (2024-03) или дату (2024-03-15)";
        "write a year (2024), a school year (2023-2024, 2023/2024 or 2023/24), a month (2024-03) or a date (2024-03-15)")
}

impl Period {
    /// Reads a period as authors write it.
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let raw = text.trim();
        if raw.is_empty() {
            return Err(PeriodError {
                message: msg!("период не указан"; "no period given"), hint: Some(forms())
            });
        }
        let unknown = || PeriodError {
            message: msg!("период «{}» не распознан", raw; "period «{}» is not recognised", raw),
            hint: Some(forms()),
        };
        let normal: String = raw.chars().map(|c| if matches!(c, '–' | '—' | '‐' | '−') { '-' } else { c }).collect();
        // Words after the digits: «2024 г.», «2023/2024 учебный год», «2023/24 уч. г.».
        let (digits, school) = strip_words(&normal);
        let parts: Vec<&str> = digits.split(['-', '/', '.']).collect();
        let number = |s: &str| s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse::<i32>().ok()).flatten();
        let mut seps = digits.chars().filter(|c| matches!(c, '-' | '/' | '.'));
        let sep = seps.next();
        if seps.any(|c| Some(c) != sep) {
            return Err(unknown());
        }
        let year = |s: &str| -> Result<i32, PeriodError> {
            let y = number(s).filter(|_| s.len() == 4).ok_or_else(unknown)?;
            if YEARS.contains(&y) {
                Ok(y)
            } else {
                Err(PeriodError {
                    message: msg!("год {} вне 1900–2100", y; "year {} is outside 1900–2100", y),
                    hint: None,
                })
            }
        };
        let period = match (parts.as_slice(), sep) {
            ([y], _) => Period::Year(year(y)?),
            ([a, b], Some('-' | '/')) if b.len() == 4 => {
                let (a, b) = (year(a)?, year(b)?);
                if b != a + 1 {
                    return Err(not_adjacent(raw));
                }
                Period::SchoolYear(a)
            }
            ([a, b], Some('/')) if b.len() == 2 => {
                let a = year(a)?;
                if number(b) != Some((a + 1) % 100) {
                    return Err(not_adjacent(raw));
                }
                Period::SchoolYear(a)
            }
            ([y, m], Some('-')) if m.len() == 2 => month(year(y)?, m, number(m), raw)?,
            ([m, y], Some('.')) if m.len() == 2 => month(year(y)?, m, number(m), raw)?,
            ([y, m, d], Some('-')) if m.len() == 2 && d.len() == 2 => day(year(y)?, number(m), number(d), raw)?,
            ([d, m, y], Some('.')) if m.len() == 2 && d.len() == 2 => day(year(y)?, number(m), number(d), raw)?,
            _ => return Err(unknown()),
        };
        match (school, period) {
            (Some(true), Period::SchoolYear(_)) | (Some(false), Period::Year(_)) | (None, _) => Ok(period),
            _ => Err(unknown()),
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            Period::Year(_) => Kind::Year,
            Period::SchoolYear(_) => Kind::SchoolYear,
            Period::Month(..) => Kind::Month,
            Period::Day(_) => Kind::Day,
        }
    }

    /// The first day of the period.
    pub fn start(self) -> NaiveDate {
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
        match self {
            Period::Year(y) => ymd(y, 1, 1),
            Period::SchoolYear(y) => ymd(y, 9, 1),
            Period::Month(y, m) => ymd(y, m, 1),
            Period::Day(d) => d,
        }
    }

    /// The last day of the period.
    pub fn end(self) -> NaiveDate {
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MAX);
        match self {
            Period::Year(y) => ymd(y, 12, 31),
            Period::SchoolYear(y) => ymd(y + 1, 8, 31),
            Period::Month(y, m) => {
                let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                ymd(ny, nm, 1).pred_opt().unwrap_or(NaiveDate::MAX)
            }
            Period::Day(d) => d,
        }
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        self.start() <= day && day <= self.end()
    }

    /// The period as a reader sees it: «2023», «2023/2024 уч. г.», «март 2024 г.», «15.03.2024».
    pub fn words(self) -> String {
        match self {
            Period::Year(y) => y.to_string(),
            Period::SchoolYear(y) => format!("{}/{}\u{a0}уч.\u{a0}г.", y, y + 1),
            Period::Month(y, m) => format!("{}\u{a0}{}\u{a0}г.", crate::ru::month_name(m), y),
            Period::Day(d) => crate::ru::date_digits(d),
        }
    }
}

/// The canonical form: «2023», «2023-2024», «2024-03», «2024-03-15».
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Year(y) => write!(f, "{y}"),
            Period::SchoolYear(y) => write!(f, "{}-{}", y, y + 1),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
            Period::Day(d) => write!(f, "{}-{:02}-{:02}", d.year(), d.month(), d.day()),
        }
    }
}

/// The digits of a period and whether words after them name a school year (`Some(true)`), a
/// calendar year (`Some(false)`) or nothing (`None`).
fn strip_words(text: &str) -> (&str, Option<bool>) {
    let lower = text.to_lowercase();
    let school = ["учебный год", "уч. год", "уч. г.", "уч.г.", "уч.г", "уч. г"];
    let calendar = ["год", "г.", "г"];
    for (words, is_school) in [(&school[..], true), (&calendar[..], false)] {
        for w in words {
            if let Some(head) = lower.strip_suffix(w) {
                if head.ends_with(|c: char| c.is_ascii_digit() || c.is_whitespace()) {
                    let end = text.char_indices().nth(head.chars().count()).map_or(text.len(), |(i, _)| i);
                    return (text[..end].trim_end(), Some(is_school));
                }
            }
        }
    }
    (text, None)
}

fn not_adjacent(raw: &str) -> PeriodError {
    PeriodError {
        message: msg!("«{}»: учебный год охватывает два соседних года", raw; "«{}»: a school year spans two adjacent years", raw),
        hint: Some(msg!("например, 2023-2024 или 2023/24"; "for example 2023-2024 or 2023/24")),
    }
}

fn month(year: i32, text: &str, number: Option<i32>, raw: &str) -> Result<Period, PeriodError> {
    match number {
        Some(m @ 1..=12) => Ok(Period::Month(year, m as u32)),
        Some(n) => Err(PeriodError {
            message: msg!("«{}»: месяца {} нет", raw, text; "«{}»: there is no month {}", raw, text),
            hint: Some(if n == (year + 1) % 100 {
                msg!("учебный год пишется так: {}-{} или {}/{:02}", year, year + 1, year, n;
                    "a school year is written {}-{} or {}/{:02}", year, year + 1, year, n)
            } else {
                msg!("месяц — от 01 до 12 (2024-03); учебный год пишется 2023-2024 или 2023/24";
                    "a month is 01 to 12 (2024-03); a school year is written 2023-2024 or 2023/24")
            }),
        }),
        None => Err(PeriodError {
            message: msg!("период «{}» не распознан", raw; "period «{}» is not recognised", raw),
            hint: Some(forms()),
        }),
    }
}

fn day(year: i32, month: Option<i32>, day: Option<i32>, raw: &str) -> Result<Period, PeriodError> {
    let date =
        month.zip(day).and_then(|(m, d)| NaiveDate::from_ymd_opt(year, u32::try_from(m).ok()?, u32::try_from(d).ok()?));
    date.map(Period::Day).ok_or_else(|| PeriodError {
        message: msg!("даты «{}» нет в календаре", raw; "there is no date «{}»", raw),
        hint: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Period {
        Period::parse(text).unwrap_or_else(|e| panic!("{text}: {}", e.message.ru))
    }

    #[test]
    fn every_form_is_read() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        let cases = [
            ("2023", Period::Year(2023)),
            (" 2024 г.", Period::Year(2024)),
            ("2023-2024", Period::SchoolYear(2023)),
            ("2023–2024", Period::SchoolYear(2023)),
            ("2023/2024", Period::SchoolYear(2023)),
            ("2023/24", Period::SchoolYear(2023)),
            ("2099/00", Period::SchoolYear(2099)),
            ("2023/2024 учебный год", Period::SchoolYear(2023)),
            ("2023/24 уч. г.", Period::SchoolYear(2023)),
            ("2024-03", Period::Month(2024, 3)),
            ("03.2024", Period::Month(2024, 3)),
            ("2024-03-15", Period::Day(d(2024, 3, 15))),
            ("15.03.2024", Period::Day(d(2024, 3, 15))),
        ];
        for (text, expected) in cases {
            assert_eq!(ok(text), expected, "{text}");
        }
    }

    #[test]
    fn bad_periods_say_why() {
        let cases = [
            ("", "период не указан"),
            ("2023-2025", "два соседних года"),
            ("2023/25", "два соседних года"),
            ("2023-24", "месяца 24 нет"),
            ("2024-13", "месяца 13 нет"),
            ("2024-02-30", "нет в календаре"),
            ("весна 2024", "не распознан"),
            ("ДР-1", "не распознан"),
            ("20244", "не распознан"),
            ("1812", "вне 1900–2100"),
            ("2024 учебный год", "не распознан"),
            ("2023-2024 г.", "не распознан"),
            ("2024-03.15", "не распознан"),
        ];
        for (text, expected) in cases {
            match Period::parse(text) {
                Ok(p) => panic!("{text} read as {p:?}"),
                Err(e) => assert!(e.message.ru.contains(expected), "{text}: {}", e.message.ru),
            }
        }
        let hint = Period::parse("2023-24").err().and_then(|e| e.hint).expect("a hint");
        assert!(hint.ru.contains("2023-2024"), "{}", hint.ru);
    }

    #[test]
    fn bounds_and_words() {
        let p = ok("2023/24");
        assert_eq!(p.kind(), Kind::SchoolYear);
        assert_eq!((p.start().to_string(), p.end().to_string()), ("2023-09-01".into(), "2024-08-31".into()));
        assert_eq!(ok("2024-02").end().to_string(), "2024-02-29");
        assert_eq!(ok("2024-12").end().to_string(), "2024-12-31");
        assert!(ok("2024").contains(NaiveDate::from_ymd_opt(2024, 3, 1).expect("date")));
        assert!(!p.contains(NaiveDate::from_ymd_opt(2024, 9, 1).expect("date")));
        assert_eq!(p.to_string(), "2023-2024");
        assert_eq!(ok("01.03.2024").to_string(), "2024-03-01");
        assert_eq!(p.words().replace('\u{a0}', " "), "2023/2024 уч. г.");
        assert_eq!(ok("2024-03").words().replace('\u{a0}', " "), "март 2024 г.");
    }
}

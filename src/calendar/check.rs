//! Checks a calendar file of the TSV format (federal, regional or local: one format, one
//! checker) and reports every problem as a located [`Diagnostic`]: a malformed line, a date
//! that does not exist, an unknown type, a duplicate or contradicting row, a row without its
//! legal basis, a type that does not fit the weekday. It does not decide what a calendar
//! means; [`super::Calendar`] does.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::layer::{HEADER, Kind, is_weekend};
use crate::diag::{Code, Diagnostic, Source, Span, did_you_mean, suggestion};
use crate::msg;

/// Every problem of a calendar file, in line order.
pub fn check(source: &Arc<Source>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut lines = source.text.lines().enumerate();
    match lines.next() {
        Some((_, first)) if first.trim_end_matches('\r') == HEADER => {}
        first => {
            let len = first.map_or(0, |(_, l)| l.chars().count());
            out.push(
                Diagnostic::error(
                    Code::CalendarLine,
                    msg!("первая строка календаря — заголовок `date<TAB>type<TAB>note`";
                    "the first line of a calendar is the header `date<TAB>type<TAB>note`"),
                )
                .at(source, Span::new(1, 1, len)),
            );
        }
    }
    let mut seen: HashMap<NaiveDate, Vec<(Kind, usize)>> = HashMap::new();
    for (i, raw) in lines {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if let Some(row) = one_line(source, i + 1, line, &mut out) {
            row_rules(source, &row, &mut seen, &mut out);
        }
    }
    out
}

/// A row whose fields parsed, with where each field starts.
struct Parsed<'a> {
    line: usize,
    date: NaiveDate,
    kind: Kind,
    note: &'a str,
    /// 1-based columns of the type and the note.
    kind_col: usize,
    note_col: usize,
    kind_len: usize,
    date_len: usize,
}

fn one_line<'a>(source: &Arc<Source>, n: usize, line: &'a str, out: &mut Vec<Diagnostic>) -> Option<Parsed<'a>> {
    let fields: Vec<&str> = line.split('\t').collect();
    if fields.len() != 3 {
        let got = fields.len();
        out.push(
            Diagnostic::error(
                Code::CalendarLine,
                msg!("строка календаря — три поля через табуляцию (дата, тип, основание), здесь {}", got;
                "a calendar line has three tab-separated fields (date, type, basis); this one has {}", got),
            )
            .at(source, Span::new(n, 1, line.chars().count()))
            .hint(msg!("разделяйте поля знаком табуляции, не пробелами"; "separate the fields with tabs, not spaces")),
        );
        return None;
    }
    let (date_text, kind_text, note) = (fields[0], fields[1], fields[2]);
    let date_len = date_text.chars().count();
    let kind_col = date_len + 2;
    let kind_len = kind_text.chars().count();
    let note_col = kind_col + kind_len + 1;
    let date = NaiveDate::parse_from_str(date_text, "%Y-%m-%d").ok().filter(|_| date_text.len() == 10);
    if date.is_none() {
        out.push(
            Diagnostic::error(
                Code::CalendarDate,
                msg!("неверная дата `{}`: нужна существующая дата в форме ГГГГ-ММ-ДД", date_text;
                "bad date `{}`: an existing date written YYYY-MM-DD is expected", date_text),
            )
            .at(source, Span::new(n, 1, date_len)),
        );
    }
    let kind = Kind::parse(kind_text);
    if kind.is_none() {
        let near = did_you_mean(kind_text, Kind::ALL.iter().map(|k| k.name())).map(suggestion);
        out.push(
            Diagnostic::error(
                Code::CalendarType,
                msg!("неизвестный тип дня `{}`", kind_text; "unknown day type `{}`", kind_text),
            )
            .at(source, Span::new(n, kind_col, kind_len))
            .hint(near.unwrap_or_else(|| {
                msg!("типы: holiday, transferred_day_off, working_weekend, shortened";
                    "types: holiday, transferred_day_off, working_weekend, shortened")
            })),
        );
    }
    Some(Parsed { line: n, date: date?, kind: kind?, note: note.trim(), kind_col, note_col, kind_len, date_len })
}

fn row_rules(
    source: &Arc<Source>,
    row: &Parsed<'_>,
    seen: &mut HashMap<NaiveDate, Vec<(Kind, usize)>>,
    out: &mut Vec<Diagnostic>,
) {
    let day = row.date.format("%d.%m.%Y");
    let earlier = seen.entry(row.date).or_default();
    if let Some((_, first)) = earlier.iter().find(|(k, _)| *k == row.kind) {
        out.push(
            Diagnostic::error(
                Code::CalendarDuplicate,
                msg!("{} ({}) уже указан в строке {}", day, row.kind.name(), first;
                "{} ({}) is already listed on line {}", day, row.kind.name(), first),
            )
            .at(source, Span::new(row.line, 1, row.date_len)),
        );
    } else if let Some((other, first)) = earlier.iter().find(|(k, _)| k.is_day_off() != row.kind.is_day_off()) {
        out.push(
            Diagnostic::error(
                Code::CalendarDuplicate,
                msg!("{} не может быть сразу {} (строка {}) и {}", day, other.name(), first, row.kind.name();
                "{} cannot be both {} (line {}) and {}", day, other.name(), first, row.kind.name()),
            )
            .at(source, Span::new(row.line, row.kind_col, row.kind_len)),
        );
    }
    earlier.push((row.kind, row.line));

    let note_span = Span::new(row.line, row.note_col, row.note.chars().count().max(1));
    if row.note.is_empty() {
        out.push(
            Diagnostic::error(
                Code::CalendarBasis,
                msg!("у строки {} ({}) не указано основание", day, row.kind.name();
                "the row {} ({}) gives no basis", day, row.kind.name()),
            )
            .at(source, note_span)
            .hint(basis_hint()),
        );
    } else if matches!(row.kind, Kind::WorkingWeekend | Kind::TransferredDayOff) && !names_an_act(row.note) {
        out.push(
            Diagnostic::error(
                Code::CalendarBasis,
                msg!("перенос {} без акта: в основании нет ни номера документа, ни статьи", day;
                "the transfer on {} names no act: the basis has neither a document number nor an article", day),
            )
            .at(source, note_span)
            .hint(basis_hint()),
        );
    }

    let weekday = super::weekday_name(row.date);
    let misfit = match row.kind {
        Kind::WorkingWeekend if !is_weekend(row.date) => Some(msg!(
            "рабочим выходным назван будний день: {} — {}", day, weekday;
            "a weekday is listed as a working weekend: {} is a {}", day, row.date.format("%A"))),
        Kind::TransferredDayOff if is_weekend(row.date) => Some(msg!(
            "выходной перенесён на выходной день: {} — {}", day, weekday;
            "a day off is transferred onto a weekend: {} is a {}", day, row.date.format("%A"))),
        _ => None,
    };
    if let Some(message) = misfit {
        out.push(
            Diagnostic::error(Code::CalendarWeekday, message)
                .at(source, Span::new(row.line, 1, row.date_len))
                .hint(msg!("проверьте дату по тексту постановления"; "check the date against the decree's text")),
        );
    }
}

/// Whether a basis names a legal act: a document number or an article of a code.
fn names_an_act(note: &str) -> bool {
    note.contains('№') || note.contains("ст.") || note.to_lowercase().contains("закон")
}

fn basis_hint() -> crate::diag::Message {
    msg!("укажите акт: «Постановление Правительства РФ от 10.10.2020 № 1648», «ч. 2 ст. 112 ТК РФ», закон субъекта";
        "name the act: «Постановление Правительства РФ от 10.10.2020 № 1648», «ч. 2 ст. 112 ТК РФ», a regional law")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<(&'static str, usize)> {
        check(&Source::new("t.tsv", text)).iter().map(|d| (d.code.as_str(), d.span.line)).collect()
    }

    #[test]
    fn shipped_files_are_clean() {
        assert_eq!(codes(super::super::layer::federal_text()), vec![]);
        for (code, _) in super::super::layer::regions() {
            let text = super::super::layer::regional_text(code).unwrap_or_default();
            assert_eq!(codes(text), vec![], "{code}");
        }
    }

    #[test]
    fn each_rule_finds_its_line() {
        let text = "date\ttype\tnote\n\
            2027-02-30\tholiday\tнет такой даты\n\
            2027-03-01\tholyday\tопечатка\n\
            2027-03-02 holiday\n\
            2027-03-06\tworking_weekend\t\n\
            2027-03-07\tworking_weekend\tпросто так\n\
            2027-03-09\tworking_weekend\tПостановление № 1\n\
            2027-03-10\tholiday\tпраздник\n\
            2027-03-10\tholiday\tещё раз\n";
        assert_eq!(
            codes(text),
            vec![("K0522", 2), ("K0523", 3), ("K0521", 4), ("K0525", 5), ("K0525", 6), ("K0526", 7), ("K0524", 9)]
        );
    }
}

//! Report forms (форма отчёта): an Excel workbook per executor and period, out to the executor
//! and back in as reports. What goes out: every occurrence the executor (or each executor of a
//! group, or a district and the schools below it) owes in the period or still owes from before,
//! one row each, with the columns to fill guarded by drop-down lists and limits, the rest locked;
//! the indicator values due in the period on a second sheet. What comes back is read by
//! [`read`]: all or nothing, every bad cell named as `Отчёт!E14`.
//!
//! A hidden sheet («karta») keeps what the form was made for — the executors, the period, and
//! for every row the occurrence it stands for — so that a changed id, a row of someone else's
//! or a form of another executor is recognised on the way back.

mod read;
mod write;

pub use read::{Outcome, Refusal, read};
pub use write::{Form, Made, make};

use chrono::NaiveDate;

use crate::check::{Unit, Workspace};
use crate::compile::{Occurrence, Plan};
use crate::track::{OccurrenceStatus, Report, State};

/// The sheet executors fill, the sheet of indicator values, and the hidden sheet of the form's
/// own data.
pub const REPORT: &str = "Отчёт";
pub const VALUES: &str = "Показатели";
pub const META: &str = "karta";

/// The answers of the state column, as the drop-down offers them.
pub const DONE: &str = "выполнено";
pub const PARTIAL: &str = "частично";
pub const NOT_DONE: &str = "не выполнено";

/// The first row of data on the report sheet (1-based, as Excel numbers rows); the header is
/// the row above it.
pub const FIRST_ROW: u32 = 6;

/// The columns of the report sheet, in order: (header, width). The executor fills G to K; L is
/// the hidden occurrence id.
pub const COLUMNS: [(&str, f64); 12] = [
    ("№", 5.0),
    ("Исполнитель", 22.0),
    ("Дорожная карта", 22.0),
    ("№ пункта", 7.0),
    ("Мероприятие", 44.0),
    ("Срок", 24.0),
    ("Отметка об исполнении", 15.0),
    ("Дата исполнения", 12.0),
    ("Процент", 9.0),
    ("Комментарий или причина", 30.0),
    ("Ссылка на подтверждение", 26.0),
    ("Идентификатор срока", 10.0),
];

/// Column indexes (0-based) of the report sheet.
pub mod col {
    pub const STATE: u16 = 6;
    pub const DATE: u16 = 7;
    pub const PERCENT: u16 = 8;
    pub const NOTE: u16 = 9;
    pub const EVIDENCE: u16 = 10;
    pub const ID: u16 = 11;
}

/// The columns of the indicator sheet.
pub const VALUE_COLUMNS: [(&str, f64); 8] = [
    ("№", 5.0),
    ("Исполнитель", 22.0),
    ("Дорожная карта", 24.0),
    ("Показатель", 50.0),
    ("Единица", 10.0),
    ("Период", 9.0),
    ("Целевое значение", 12.0),
    ("Фактическое значение", 14.0),
];

/// Who a form is for: an executor, the members of a group, or an executor and those whose
/// `parent` it is (a district and its schools). Ids in the order rows name them.
pub fn executors(ws: &Workspace, id: &str, below: bool) -> Option<Vec<String>> {
    if let Some(group) = ws.units.iter().find_map(|u| u.groups.get(id)) {
        return Some(group.members.clone());
    }
    ws.units.iter().find(|u| u.executors.contains_key(id))?;
    let mut out = vec![id.to_string()];
    if below {
        for unit in &ws.units {
            for (child, e) in unit.executors.iter() {
                if e.parent.as_deref() == Some(id) && !out.contains(child) {
                    out.push(child.clone());
                }
            }
        }
    }
    Some(out)
}

/// The executor of `executors` an occurrence is owed by: its own one, or the first of its joint
/// executors in the set.
pub fn owed_by<'a>(o: &Occurrence, executors: &'a [String]) -> Option<&'a str> {
    match o.executor() {
        Some(e) => executors.iter().find(|x| *x == e).map(String::as_str),
        None => executors.iter().find(|x| o.executors.iter().any(|e| e == *x)).map(String::as_str),
    }
}

/// What the form asks about: occurrences owed by the executors, not done or cancelled, due in
/// the period or late before it; in the order of the due dates.
pub fn rows<'p>(
    plan: &'p Plan,
    report: &'p Report<'p>,
    executors: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(&'p Occurrence, &'p OccurrenceStatus<'p>)> {
    let mut rows: Vec<_> = plan
        .occurrences
        .iter()
        .zip(&report.occurrences)
        .filter(|(o, s)| {
            owed_by(o, executors).is_some()
                && !s.state.is_done()
                && s.state != State::Cancelled
                && (s.due_date >= from || matches!(s.state, State::Overdue { .. }))
                && s.due_date <= to
        })
        .collect();
    rows.sort_by(|a, b| a.1.due_date.cmp(&b.1.due_date).then_with(|| a.0.id.cmp(&b.0.id)));
    rows
}

/// An executor's name as the roadmap writes it.
pub fn name(unit: &Unit, id: &str) -> String {
    unit.executors.get(id).map_or_else(|| id.to_string(), |e| e.display_name().to_string())
}

/// `Отчёт!E14`: a cell by sheet, 0-based column and 1-based row.
pub fn cell(sheet: &str, column: u16, row: u32) -> String {
    let mut letters = String::new();
    let mut n = u32::from(column) + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.insert(0, char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    format!("{sheet}!{letters}{row}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_are_named_as_excel_names_them() {
        assert_eq!(super::cell("Отчёт", 4, 14), "Отчёт!E14");
        assert_eq!(super::cell("Отчёт", 11, 6), "Отчёт!L6");
        assert_eq!(super::cell("Отчёт", 26, 1), "Отчёт!AA1");
    }
}

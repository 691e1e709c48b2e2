//! Tables as users take them away: a title, Russian column headers and typed cells (text,
//! dates, numbers), written as XLSX (a real Excel workbook: dates as dates, widths set, the
//! header row frozen and filtered) or as CSV the way Excel in Russia opens it (`;`, UTF-8 with
//! a byte-order mark, dates as ДД.ММ.ГГГГ). The pages' tables and `karta status --format xlsx`
//! are made with [`occurrences`] or built by their page.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::check::Workspace;
use crate::compile::Plan;
use crate::track::OccurrenceStatus;

/// One value in a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Date(NaiveDate),
    Number(f64),
    Empty,
}

impl From<Option<NaiveDate>> for Cell {
    fn from(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        if s.is_empty() { Cell::Empty } else { Cell::Text(s) }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::from(s.to_string())
    }
}

/// A table: its title (the sheet's name and the first line of nothing else), headers with
/// widths in characters, rows.
#[derive(Debug, Clone)]
pub struct Table {
    pub title: String,
    pub columns: Vec<(String, f64)>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An Excel workbook with the table on one sheet.
    pub fn xlsx(&self) -> Result<Vec<u8>, String> {
        self.workbook().map_err(|e| format!("не удалось составить XLSX: {e}"))
    }

    fn workbook(&self) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(&self.title))?;
        let header =
            Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Top).set_background_color(0xDDE6F0);
        let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        let date = Format::new().set_num_format("dd.mm.yyyy").set_align(FormatAlign::Top);
        let number = Format::new().set_align(FormatAlign::Top);
        for (c, (name, width)) in self.columns.iter().enumerate() {
            let c = c as u16;
            sheet.set_column_width(c, *width)?;
            sheet.write_string_with_format(0, c, name, &header)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => {
                        sheet.write_string_with_format(r, c, t, &wrap)?;
                    }
                    Cell::Date(d) => {
                        sheet.write_datetime_with_format(r, c, &excel_date(*d)?, &date)?;
                    }
                    Cell::Number(n) => {
                        sheet.write_number_with_format(r, c, *n, &number)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        if !self.columns.is_empty() {
            sheet.set_freeze_panes(1, 0)?;
            sheet.autofilter(0, 0, self.rows.len() as u32, self.columns.len() as u16 - 1)?;
        }
        book.save_to_buffer()
    }

    /// CSV for Excel in Russia: `;`, UTF-8 with a byte-order mark, dates as ДД.ММ.ГГГГ, decimal commas.
    pub fn csv(&self) -> Vec<u8> {
        let mut out = vec![0xEF, 0xBB, 0xBF];
        let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(&mut out);
        let _ = w.write_record(self.columns.iter().map(|(name, _)| name));
        for row in &self.rows {
            let _ = w.write_record(row.iter().map(|cell| match cell {
                Cell::Text(t) => t.clone(),
                Cell::Date(d) => d.format("%d.%m.%Y").to_string(),
                Cell::Number(n) => n.to_string().replace('.', ","),
                Cell::Empty => String::new(),
            }));
        }
        let _ = w.flush();
        drop(w);
        out
    }
}

/// A date as Excel stores it (a serial day number shown through a date format).
pub(crate) fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

/// How many lines `text` wraps to in a column `width` characters wide (words kept whole), so a
/// row of wrapped text can be made tall enough: not every reader fits rows on its own.
pub(crate) fn wrapped_lines(text: &str, width: f64) -> usize {
    let width = (width * 1.1).max(1.0) as usize;
    let mut lines = 1;
    let mut used = 0;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if used > 0 && used + 1 + n > width {
            lines += 1 + n / width;
            used = n % width;
        } else {
            used += n + usize::from(used > 0);
        }
    }
    lines
}

/// A4 landscape, fitted to the width, the header rows `first..=last` on every page, page
/// numbers at the foot.
pub(crate) fn print_layout(sheet: &mut Worksheet, first: u32, last: u32) -> Result<(), XlsxError> {
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(first, last)?;
    sheet.set_footer("&CСтраница &P из &N");
    Ok(())
}

/// Excel's rules for a sheet name: at most 31 characters, none of `[]:*?/\`.
pub(crate) fn sheet_name(title: &str) -> String {
    let cleaned: String = title.chars().map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c }).collect();
    let name: String = cleaned.trim().chars().take(31).collect();
    let name = name.trim_end();
    if name.is_empty() { "Таблица".into() } else { name.to_string() }
}

/// Column headers with their widths in characters.
pub fn columns(list: &[(&str, f64)]) -> Vec<(String, f64)> {
    list.iter().map(|(name, width)| (name.to_string(), *width)).collect()
}

/// Occurrences as `karta status` lists them: roadmap, number, activity, executors, due date,
/// state, completion, the date before a move, the baseline's date and the order that moved it
/// (docs/amendments.md), risk.
pub fn occurrences(title: &str, ws: &Workspace, plan: &Plan, list: &[&OccurrenceStatus<'_>]) -> Table {
    let rows = list
        .iter()
        .map(|s| {
            let o = plan.position(s.id).map(|i| &plan.occurrences[i]);
            let unit = o.map(|o| &ws.units[o.unit]);
            let task = o.and_then(|o| unit.map(|u| &u.tasks[o.task]));
            let executors: Vec<String> = s
                .executors
                .iter()
                .map(|e| unit.and_then(|u| u.executors.get(e)).map_or(e.clone(), |x| x.display_name().to_string()))
                .collect();
            vec![
                Cell::from(unit.map_or(s.roadmap, |u| u.title.as_str())),
                Cell::from(task.and_then(|t| t.number.clone()).unwrap_or_default()),
                Cell::from(task.map_or(s.activity, |t| t.title.as_str())),
                Cell::from(executors.join("; ")),
                Cell::Date(s.due_date),
                Cell::from(s.state.ru()),
                Cell::from(s.done_on),
                Cell::from(s.original_due),
                Cell::from(s.approved_due),
                Cell::from(s.amended_by.clone().unwrap_or_default()),
                Cell::from(if s.at_risk { "да" } else { "" }),
                Cell::from(s.id),
            ]
        })
        .collect();
    Table {
        title: title.to_string(),
        columns: columns(&[
            ("Дорожная карта", 30.0),
            ("№", 6.0),
            ("Мероприятие", 50.0),
            ("Исполнители", 30.0),
            ("Срок", 11.0),
            ("Состояние", 24.0),
            ("Выполнено", 11.0),
            ("Срок до переноса", 11.0),
            ("Утверждённый срок", 11.0),
            ("Изменён приказом", 24.0),
            ("Под угрозой", 8.0),
            ("Идентификатор", 30.0),
        ]),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, DataType, Reader, Xlsx};

    fn table() -> Table {
        let d = NaiveDate::from_ymd_opt(2023, 10, 17).expect("date");
        Table {
            title: "Просрочено: МО «Амурский район» / 2023".into(),
            columns: columns(&[("Мероприятие", 40.0), ("Срок", 11.0), ("Доля", 8.0), ("Примечание", 20.0)]),
            rows: vec![
                vec![Cell::from("Отчёт; «итоговый»"), Cell::Date(d), Cell::Number(0.25), Cell::Empty],
                vec![Cell::from("Второй"), Cell::Empty, Cell::Number(1.5), Cell::from("есть")],
            ],
        }
    }

    #[test]
    fn xlsx_opens_in_a_real_reader_with_dates_as_dates() {
        let bytes = table().xlsx().expect("xlsx");
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
        let names = book.sheet_names();
        assert_eq!(names, vec!["Просрочено  МО «Амурский район»"], "Excel's rules for names");
        let range = book.worksheet_range(&names[0]).expect("sheet");
        assert_eq!(range.get((0, 0)), Some(&Data::String("Мероприятие".into())));
        assert_eq!(range.get((1, 0)), Some(&Data::String("Отчёт; «итоговый»".into())));
        let due = range.get((1, 1)).expect("date cell");
        assert!(matches!(due, Data::DateTime(_)), "{due:?}");
        assert_eq!(due.as_date(), NaiveDate::from_ymd_opt(2023, 10, 17));
        assert_eq!(range.get((2, 2)), Some(&Data::Float(1.5)));
        assert_eq!(range.get((2, 3)), Some(&Data::String("есть".into())));
    }

    #[test]
    fn csv_is_what_excel_in_russia_opens() {
        let text = table().csv();
        assert!(text.starts_with(&[0xEF, 0xBB, 0xBF]), "a byte-order mark");
        let text = String::from_utf8(text[3..].to_vec()).expect("UTF-8");
        assert_eq!(
            text,
            "Мероприятие;Срок;Доля;Примечание\n\"Отчёт; «итоговый»\";17.10.2023;0,25;\nВторой;;1,5;есть\n"
        );
    }
}

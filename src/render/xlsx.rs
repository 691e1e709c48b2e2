//! Documents as Excel workbooks, for officials who forward tables in Excel: the roadmap table,
//! the status report's tables and the indicators. Each sheet has a title saying what it holds,
//! Russian headers frozen above the data and repeated on every printed page (A4 landscape, fitted
//! to the width), dates as dates and figures as numbers.
//!
//! A workbook is written from the same data the templates get ([`context`]); it must not count or
//! word anything of its own, so the XLSX and the DOCX of a document always say the same thing.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::Kind;
use super::context::{self, FigureRow, Figures, IndicatorDoc, IndicatorsDoc, RoadmapDoc, Row, StatusDoc};
use super::document::{Document, DocumentError, Sources, pick, recorded};
use crate::table::{Cell, excel_date, print_layout, sheet_name, wrapped_lines};

/// The kinds of document made as workbooks.
pub const KINDS: [Kind; 3] = [Kind::Roadmap, Kind::Status, Kind::Indicators];

/// "roadmap, status и indicators": the kinds that have a workbook, for messages.
pub(super) fn names(and: &str) -> String {
    let names: Vec<&str> = KINDS.iter().map(|k| k.name()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} {and} {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// The workbook of `kind` about `roadmap` (the only roadmap when none is named).
pub(super) fn document(kind: Kind, roadmap: Option<&str>, sources: &Sources<'_>) -> Result<Document, DocumentError> {
    let ws = sources.workspace;
    let (unit, made) = match kind {
        Kind::Protocol | Kind::OverdueLetter | Kind::Amendment => {
            return Err(DocumentError::NoXlsx { kind: kind.name() });
        }
        Kind::Roadmap => {
            let unit = pick(ws, roadmap, false)?;
            (unit, roadmap_book(context::roadmap(unit, sources.deadlines).as_ref(), &unit.title))
        }
        Kind::Status => {
            let unit = pick(ws, roadmap, false)?;
            let report = sources.report.ok_or(DocumentError::NoStatus)?;
            let index = ws.units.iter().position(|u| std::ptr::eq(&**u, unit)).unwrap_or(0);
            let recorded = recorded(sources.events, sources.now);
            (
                unit,
                status_book(&context::status(
                    ws,
                    report,
                    sources.previous,
                    sources.events,
                    index,
                    sources.today,
                    &recorded,
                )),
            )
        }
        Kind::Indicators => {
            let unit = pick(ws, roadmap, false)?;
            let recorded = recorded(sources.events, sources.now);
            (unit, indicators_book(&context::indicators_doc(unit, sources.today, &recorded)))
        }
    };
    let bytes = made.map_err(|e| DocumentError::Xlsx(e.to_string()))?;
    // A workbook is a table to forward, not a document to sign: it has no requisites to miss.
    Ok(Document { bytes, title: unit.title.clone(), remark: None, missing: Vec::new() })
}

/// How a column's cells look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Text,
    Center,
    Number,
    Percent,
    Date,
}

/// A column: its header, its width in characters and how its cells look.
#[derive(Debug, Clone, Copy)]
struct Column {
    head: &'static str,
    width: f64,
    style: Style,
}

const fn col(head: &'static str, width: f64, style: Style) -> Column {
    Column { head, width, style }
}

/// The cell formats of every sheet (the header's colour as in `karta status --format xlsx` and the
/// report form).
struct Formats {
    title: Format,
    note: Format,
    header: Format,
    numbering: Format,
    text: Format,
    bold: Format,
    center: Format,
    number: Format,
    percent: Format,
    date: Format,
    section: Format,
}

impl Formats {
    fn new() -> Formats {
        let cell = Format::new().set_text_wrap().set_align(FormatAlign::Top).set_border(FormatBorder::Thin);
        let center = cell.clone().set_align(FormatAlign::Center);
        Formats {
            title: Format::new().set_bold().set_font_size(12).set_text_wrap().set_align(FormatAlign::Center),
            note: Format::new().set_text_wrap().set_align(FormatAlign::Left).set_align(FormatAlign::Top),
            header: center.clone().set_bold().set_align(FormatAlign::VerticalCenter).set_background_color(0xDDE6F0),
            numbering: center.clone().set_align(FormatAlign::VerticalCenter).set_background_color(0xDDE6F0),
            bold: cell.clone().set_bold(),
            number: center.clone(),
            percent: center.clone().set_num_format("0.0%"),
            date: center.clone().set_num_format("dd.mm.yyyy"),
            section: center.clone().set_bold(),
            center,
            text: cell,
        }
    }
}

/// Points of row height per line of wrapped text (the default font).
const LINE: f64 = 15.0;

/// A sheet being written: its columns and the next row.
struct Sheet<'a> {
    sheet: &'a mut Worksheet,
    f: &'a Formats,
    columns: Vec<Column>,
    /// The header row (for the filter) and the next row to write.
    header: u32,
    row: u32,
}

/// A new sheet `name`: `titles` (the first bold) merged across the table, the header row and,
/// when `numbered`, the row of column numbers under it; frozen and repeated on every page.
fn sheet<'a>(
    book: &'a mut Workbook,
    f: &'a Formats,
    name: &str,
    titles: &[String],
    columns: Vec<Column>,
    numbered: bool,
) -> Result<Sheet<'a>, XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name(name))?;
    for (c, column) in columns.iter().enumerate() {
        sheet.set_column_width(c as u16, column.width)?;
    }
    let header = titles.len() as u32;
    let mut s = Sheet { sheet, f, columns, header, row: 0 };
    for (i, title) in titles.iter().enumerate() {
        s.merged(title, if i == 0 { &f.title } else { &f.note })?;
    }
    // Bold headers are wider than the text the estimate is made for.
    let heads = s.columns.iter().map(|c| wrapped_lines(c.head, c.width * 0.8)).max().unwrap_or(1);
    for (c, column) in s.columns.iter().enumerate() {
        s.sheet.write_string_with_format(header, c as u16, column.head, &f.header)?;
    }
    s.sheet.set_row_height(header, LINE * heads as f64 + 2.0)?;
    s.row = header + 1;
    if numbered {
        for c in 0..s.columns.len() {
            s.sheet.write_string_with_format(s.row, c as u16, (c + 1).to_string(), &f.numbering)?;
        }
        s.row += 1;
    }
    s.sheet.set_freeze_panes(s.row, 0)?;
    print_layout(s.sheet, header, s.row - 1)?;
    Ok(s)
}

/// Text as the DOCX sets it (quotes, dashes, non-breaking spaces), but with plain hyphens in
/// numbers: spreadsheet fonts do not all have the non-breaking one.
fn typeset(text: &str) -> String {
    crate::ru::typeset(text).replace('\u{2011}', "-")
}

impl Sheet<'_> {
    fn width(&self) -> f64 {
        self.columns.iter().map(|c| c.width).sum()
    }

    /// A row of one text across the whole table (a title, a section, a note).
    fn merged(&mut self, text: &str, format: &Format) -> Result<(), XlsxError> {
        let last = self.columns.len().saturating_sub(1) as u16;
        if last == 0 {
            self.sheet.write_string_with_format(self.row, 0, typeset(text), format)?;
        } else {
            self.sheet.merge_range(self.row, 0, self.row, last, &typeset(text), format)?;
        }
        self.sheet.set_row_height(self.row, LINE * height(text, self.width()) as f64)?;
        self.row += 1;
        Ok(())
    }

    /// A row of cells, each as its column shows it; text in bold when `bold`.
    fn cells(&mut self, cells: &[Cell], bold: bool) -> Result<(), XlsxError> {
        let f = self.f;
        let mut lines = 1;
        for (c, (cell, column)) in cells.iter().zip(&self.columns).enumerate() {
            let (r, c) = (self.row, c as u16);
            let plain = match column.style {
                Style::Text => &f.text,
                Style::Center => &f.center,
                Style::Number => &f.number,
                Style::Percent => &f.percent,
                Style::Date => &f.date,
            };
            match cell {
                Cell::Text(t) => {
                    let format = if bold {
                        &f.bold
                    } else if column.style == Style::Text {
                        &f.text
                    } else {
                        &f.center
                    };
                    self.sheet.write_string_with_format(r, c, typeset(t), format)?;
                    lines = lines.max(height(t, column.width));
                }
                Cell::Number(n) => {
                    let format = if column.style == Style::Percent { &f.percent } else { &f.number };
                    self.sheet.write_number_with_format(r, c, *n, format)?;
                }
                Cell::Date(d) => {
                    self.sheet.write_datetime_with_format(r, c, &excel_date(*d)?, &f.date)?;
                }
                Cell::Empty => {
                    self.sheet.write_blank(r, c, plain)?;
                }
            }
        }
        self.sheet.set_row_height(self.row, LINE * lines as f64)?;
        self.row += 1;
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        self.cells(cells, false)
    }

    /// A filter on the header over the rows written so far (none without rows).
    fn filter(&mut self) -> Result<(), XlsxError> {
        if self.row > self.header + 1 {
            self.sheet.autofilter(self.header, 0, self.row - 1, self.columns.len() as u16 - 1)?;
        }
        Ok(())
    }
}

/// Lines a text takes in a column `width` characters wide, its own lines each wrapped; a little
/// generous, since a clipped line is worse than a blank one.
fn height(text: &str, width: f64) -> usize {
    text.lines().map(|line| wrapped_lines(line, width * 0.9)).sum::<usize>().max(1)
}

/// A text's non-empty lines, trimmed, as the DOCX templates set them (`{{lines …}}`).
fn lines(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

fn date_digits(d: chrono::NaiveDate) -> String {
    crate::ru::date_digits(d)
}

/// A "№ п/п" given as text: a number when it is one.
fn ordinal(number: &str) -> Cell {
    number.trim().parse::<f64>().map_or_else(|_| Cell::from(number), Cell::Number)
}

fn count(n: usize) -> Cell {
    Cell::Number(n as f64)
}

// The roadmap.

/// The columns of the roadmap table: the DOCX table's headings and grid (`templates/docx/
/// roadmap.hbs`, twips), the widths in proportion.
const ROADMAP: [(&str, u32, Style); 5] = [
    ("№ п/п", 680, Style::Center),
    ("Наименование мероприятия", 3288, Style::Text),
    ("Ответственные исполнители", 1984, Style::Text),
    ("Сроки", 1531, Style::Text),
    ("Результаты / показатели реализации", 2155, Style::Text),
];

/// Characters of column width for the DOCX table's 9638 twips: about a landscape A4 line.
const ROADMAP_WIDTH: f64 = 130.0;

fn roadmap_book(data: Option<&RoadmapDoc>, title: &str) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let f = Formats::new();
    let grid: u32 = ROADMAP.iter().map(|c| c.1).sum();
    let columns = ROADMAP
        .iter()
        .map(|&(head, twips, style)| col(head, ROADMAP_WIDTH * f64::from(twips) / f64::from(grid), style))
        .collect();
    let heading = match data {
        Some(d) => format!("{} {}", d.heading, d.subtitle).trim().to_string(),
        None => title.to_string(),
    };
    let mut s = sheet(&mut book, &f, "Дорожная карта", &[heading], columns, true)?;
    for section in data.iter().flat_map(|d| &d.sections) {
        s.merged(&format!("{}. {}", section.number, section.title), &f.section)?;
        for row in &section.rows {
            s.row(&activity(row))?;
        }
    }
    for row in data.iter().flat_map(|d| &d.rows) {
        s.row(&activity(row))?;
    }
    book.save_to_buffer()
}

/// An activity's row: its sub-tasks under the title, one executor per line.
fn activity(row: &Row) -> [Cell; 5] {
    let mut title = lines(&row.title);
    for task in &row.tasks {
        title.push_str(&format!("\n– {task}"));
    }
    [
        Cell::from(row.number.as_str()),
        Cell::from(title.trim_start().to_string()),
        Cell::from(row.executors.join("\n")),
        Cell::from(row.due.as_str()),
        Cell::from(row.result.as_deref().map(lines).unwrap_or_default()),
    ]
}

// The status report.

/// The figures of a row, after "№ п/п" and its title.
const FIGURES: [Column; 12] = [
    col("Всего сроков", 9.0, Style::Number),
    col("Выполнено", 11.0, Style::Number),
    col("в т. ч. в срок", 9.0, Style::Number),
    col("в т. ч. с нарушением срока", 12.0, Style::Number),
    col("В работе", 9.0, Style::Number),
    col("Запланировано (срок не наступил)", 14.0, Style::Number),
    col("Просрочено", 11.0, Style::Number),
    col("из них нет отчёта", 10.0, Style::Number),
    col("из них не выполнено", 11.0, Style::Number),
    col("Отменено", 10.0, Style::Number),
    col("Под угрозой срыва", 10.0, Style::Number),
    col("Исполнительская дисциплина", 17.0, Style::Percent),
];

fn figures(f: &Figures) -> [Cell; 12] {
    [
        count(f.total),
        count(f.done),
        count(f.done_on_time),
        count(f.done_late),
        count(f.in_progress),
        count(f.planned),
        count(f.overdue),
        count(f.no_report),
        count(f.not_done),
        count(f.cancelled),
        count(f.at_risk),
        f.discipline.map_or(Cell::Empty, Cell::Number),
    ]
}

fn status_book(doc: &StatusDoc) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let f = Formats::new();
    let titles = |caption: &str| [format!("{caption} по состоянию на {}", date_digits(doc.as_of)), doc.title.clone()];

    let caption = "Исполнение мероприятий по разделам дорожной карты";
    let mut s = figures_sheet(&mut book, &f, "По разделам", &titles(caption), "Раздел", &doc.by_section)?;
    let mut total = vec![Cell::Empty, Cell::from("Итого")];
    total.extend(figures(&doc.totals));
    s.cells(&total, true)?;
    if !doc.undated.is_empty() {
        s.merged(
            &format!(
                "Мероприятия без контрольных дат (выполняются постоянно или по мере необходимости) в расчет не включены: {}.",
                doc.undated.join("; ")
            ),
            &f.note,
        )?;
    }
    let caption = "Исполнение мероприятий по исполнителям";
    let mut s = figures_sheet(&mut book, &f, "По исполнителям", &titles(caption), "Исполнитель", &doc.by_executor)?;
    s.filter()?;

    let caption = "Мероприятия, не исполненные в установленный срок";
    let columns = vec![
        col("№ п/п", 6.0, Style::Number),
        col("Пункт", 8.0, Style::Center),
        col("Мероприятие", 50.0, Style::Text),
        col("Исполнители", 30.0, Style::Text),
        col("Установленный срок", 15.0, Style::Date),
        col("Просрочка, дней", 11.0, Style::Number),
        col("Просрочка, рабочих дней", 11.0, Style::Number),
        col("Сроков просрочено", 11.0, Style::Number),
        col("Причина", 30.0, Style::Text),
    ];
    let mut s = sheet(&mut book, &f, "Просрочено", &titles(caption), columns, false)?;
    for (i, o) in doc.overdue.iter().enumerate() {
        s.row(&[
            count(i + 1),
            Cell::from(o.point.as_str()),
            Cell::from(o.title.as_str()),
            Cell::from(o.executors.join("\n")),
            Cell::Date(o.due),
            Cell::Number(o.days as f64),
            Cell::Number(o.working_days as f64),
            count(o.occurrences),
            Cell::from(o.reason.clone().unwrap_or_default()),
        ])?;
    }
    s.filter()?;
    if doc.overdue.is_empty() {
        s.merged("Просроченных мероприятий нет.", &f.note)?;
    }

    let caption = "Мероприятия под угрозой срыва срока";
    let columns = vec![
        col("№ п/п", 6.0, Style::Number),
        col("Пункт", 8.0, Style::Center),
        col("Мероприятие", 60.0, Style::Text),
        col("Исполнители", 30.0, Style::Text),
        col("Установленный срок", 15.0, Style::Date),
        col("Прогноз исполнения", 15.0, Style::Date),
    ];
    let mut s = sheet(&mut book, &f, "Под угрозой срыва", &titles(caption), columns, false)?;
    for (i, r) in doc.at_risk.iter().enumerate() {
        s.row(&[
            count(i + 1),
            Cell::from(r.point.as_str()),
            Cell::from(r.title.as_str()),
            Cell::from(r.executors.join("\n")),
            Cell::Date(r.due),
            r.forecast.map_or_else(|| Cell::from("срок не сдвигается"), Cell::Date),
        ])?;
    }
    s.filter()?;
    if doc.at_risk.is_empty() {
        s.merged("Мероприятий под угрозой срыва срока нет.", &f.note)?;
    }

    let caption = "Мероприятия с перенесенными сроками";
    let columns = vec![
        col("№ п/п", 6.0, Style::Number),
        col("Пункт", 8.0, Style::Center),
        col("Мероприятие", 70.0, Style::Text),
        col("Первоначальный срок", 16.0, Style::Date),
        col("Утвержденный срок", 15.0, Style::Date),
    ];
    let mut s = sheet(&mut book, &f, "Перенос сроков", &titles(caption), columns, false)?;
    for (i, m) in doc.moved.iter().enumerate() {
        s.row(&[
            count(i + 1),
            Cell::from(m.point.as_str()),
            Cell::from(m.title.as_str()),
            Cell::Date(m.original),
            Cell::Date(m.approved),
        ])?;
    }
    s.filter()?;
    if doc.moved.is_empty() {
        s.merged("Сроки мероприятий не переносились.", &f.note)?;
    }

    indicators_sheet(&mut book, &f, &titles("Достижение показателей дорожной карты"), &doc.indicators)?;
    book.save_to_buffer()
}

/// Figures by section or by executor (`label`).
fn figures_sheet<'a>(
    book: &'a mut Workbook,
    f: &'a Formats,
    name: &str,
    titles: &[String],
    label: &'static str,
    rows: &[FigureRow],
) -> Result<Sheet<'a>, XlsxError> {
    let mut columns = vec![col("№ п/п", 6.0, Style::Number), col(label, 40.0, Style::Text)];
    columns.extend(FIGURES);
    let mut s = sheet(book, f, name, titles, columns, false)?;
    for row in rows {
        let mut cells = vec![ordinal(&row.number), Cell::from(row.title.as_str())];
        cells.extend(figures(&row.figures));
        s.row(&cells)?;
    }
    Ok(s)
}

// The indicators.

fn indicators_book(doc: &IndicatorsDoc) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let f = Formats::new();
    let titles =
        [format!("Сведения о достижении показателей по состоянию на {}", date_digits(doc.as_of)), doc.title.clone()];
    indicators_sheet(&mut book, &f, &titles, &doc.indicators)?;
    book.save_to_buffer()
}

/// One row per indicator and period: baseline, target and actual as numbers.
fn indicators_sheet(
    book: &mut Workbook,
    f: &Formats,
    titles: &[String],
    indicators: &[IndicatorDoc],
) -> Result<(), XlsxError> {
    let columns = vec![
        col("№ п/п", 6.0, Style::Number),
        col("Показатель", 50.0, Style::Text),
        col("Ед. изм.", 8.0, Style::Center),
        col("Период", 9.0, Style::Center),
        col("Базовое значение", 11.0, Style::Number),
        col("Целевое значение", 11.0, Style::Number),
        col("Фактическое значение", 12.0, Style::Number),
        col("Целевое значение достигнуто", 12.0, Style::Center),
        col("Динамика", 14.0, Style::Center),
        col("Источник", 50.0, Style::Text),
    ];
    let mut s = sheet(book, f, "Показатели", titles, columns, false)?;
    let value = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
    for ind in indicators {
        let about = [Cell::Number(ind.number as f64), Cell::from(ind.title.as_str()), Cell::from(ind.unit.as_str())];
        let after =
            [Cell::from(ind.trend.clone().unwrap_or_default()), Cell::from(ind.source.clone().unwrap_or_default())];
        if ind.years.is_empty() {
            let mut cells = about.to_vec();
            cells.extend([Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty]);
            cells.extend(after.iter().cloned());
            s.row(&cells)?;
        }
        for y in &ind.years {
            let met = match y.met {
                Some(true) => Cell::from("да"),
                Some(false) => Cell::from("нет"),
                None => Cell::Empty,
            };
            let mut cells = about.to_vec();
            cells.extend([Cell::from(y.year.as_str()), value(y.baseline), value(y.target), value(y.actual), met]);
            cells.extend(after.iter().cloned());
            s.row(&cells)?;
        }
    }
    s.filter()?;
    if indicators.is_empty() {
        s.merged("Показатели в дорожной карте не установлены.", &f.note)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_named_in_a_sentence() {
        assert_eq!(names("и"), "roadmap, status и indicators");
        assert_eq!(names("and"), "roadmap, status and indicators");
    }

    #[test]
    fn cell_text_keeps_the_lines_the_docx_shows() {
        for (text, expected) in [("один", "один"), ("  один \n\n  два ", "один\nдва"), ("", "")] {
            assert_eq!(lines(text), expected, "{text:?}");
        }
        // A tall cell is as tall as its lines, each wrapped on its own.
        assert_eq!(height("а\nб\nв", 10.0), 3);
        assert_eq!(height("", 10.0), 1);
    }

    #[test]
    fn a_point_is_a_number_only_when_it_is_one() {
        assert_eq!(ordinal("3"), Cell::Number(3.0));
        assert_eq!(ordinal("1.4."), Cell::from("1.4."));
    }
}

//! Writing a report form (rust_xlsxwriter): the report sheet with its drop-down list, date,
//! percent and link rules, locked but for the cells to fill, on A4 landscape with the header
//! repeated on every page; the indicator sheet; the hidden sheet of the form's own data.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Workbook, XlsxError,
};

use super::{COLUMNS, DONE, FIRST_ROW, META, NOT_DONE, PARTIAL, REPORT, VALUE_COLUMNS, VALUES, col};
use crate::check::Workspace;
use crate::compile::Plan;
use crate::model::Document;
use crate::table::{print_layout, wrapped_lines as lines};
use crate::track::{Action, Event, Report};

/// What a form is for.
#[derive(Debug, Clone)]
pub struct Form {
    /// The executors whose work it lists (see [`super::executors`]).
    pub executors: Vec<String>,
    /// The executor (or group) it was asked for, named in its title.
    pub asked: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub made: DateTime<FixedOffset>,
}

fn date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

/// The workbook, as bytes; its rows (report sheet, then indicators) in [`Made`].
pub fn make(ws: &Workspace, plan: &Plan, report: &Report<'_>, events: &[Event], form: &Form) -> Result<Made, String> {
    build(ws, plan, report, events, form).map_err(|e| format!("не удалось составить форму: {e}"))
}

/// A form as written.
pub struct Made {
    pub bytes: Vec<u8>,
    pub occurrences: usize,
    pub values: usize,
}

fn build(ws: &Workspace, plan: &Plan, report: &Report<'_>, events: &[Event], form: &Form) -> Result<Made, XlsxError> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(13);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color(0xDDE6F0);
    let fixed = Format::new().set_text_wrap().set_align(FormatAlign::Top).set_border(FormatBorder::Thin);
    let fill = Format::new()
        .set_unlocked()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin)
        .set_background_color(0xFFF8E1);
    let fill_date = fill.clone().set_num_format("dd.mm.yyyy");
    let asked = ws
        .units
        .iter()
        .find_map(|u| u.groups.get(&form.asked).map(|g| g.name.clone()))
        .or_else(|| {
            ws.units.iter().find(|u| u.executors.contains_key(&form.asked)).map(|u| super::name(u, &form.asked))
        })
        .unwrap_or_else(|| form.asked.clone());
    let period = format!("{} – {}", crate::ru::date_digits(form.from), crate::ru::date_digits(form.to));

    // The report sheet.
    let rows = super::rows(plan, report, &form.executors, form.from, form.to);
    let mut meta: Vec<(&str, u32, String)> = Vec::new();
    let sheet = book.add_worksheet();
    sheet.set_name(REPORT)?;
    sheet.write_string_with_format(0, 0, "Форма отчёта об исполнении дорожных карт", &title)?;
    sheet.write_string(1, 0, format!("Исполнитель: {asked}"))?;
    sheet.write_string(2, 0, format!("Период: {period}; в форме — сроки этого периода и не исполненные ранее"))?;
    sheet.write_string(
        3,
        0,
        format!(
            "Заполните жёлтые столбцы: «{DONE}» — с датой, «{PARTIAL}» — с процентом или комментарием, «{NOT_DONE}» — с причиной. Пустая строка — не отчёт."
        ),
    )?;
    let head = FIRST_ROW - 2;
    for (c, (name, width)) in COLUMNS.iter().enumerate() {
        sheet.set_column_width(c as u16, *width)?;
        sheet.write_string_with_format(head, c as u16, *name, &header)?;
    }
    sheet.set_row_height(head, 32)?;
    for (i, (o, s)) in rows.iter().enumerate() {
        let r = head + 1 + i as u32;
        let unit = &ws.units[o.unit];
        let task = &unit.tasks[o.task];
        let who = super::owed_by(o, &form.executors).map(|e| super::name(unit, e)).unwrap_or_default();
        let due = match &task.phrase {
            Some(p) => {
                let p = p.trim();
                format!("{} ({})", crate::ru::date_digits(s.due_date), p.strip_prefix("Срок:").unwrap_or(p).trim())
            }
            None => crate::ru::date_digits(s.due_date),
        };
        sheet.write_number_with_format(r, 0, (i + 1) as f64, &fixed)?;
        sheet.write_string_with_format(r, 1, &who, &fixed)?;
        sheet.write_string_with_format(r, 2, &unit.title, &fixed)?;
        sheet.write_string_with_format(r, 3, task.number.as_deref().unwrap_or(""), &fixed)?;
        sheet.write_string_with_format(r, 4, &task.title, &fixed)?;
        sheet.write_string_with_format(r, 5, &due, &fixed)?;
        sheet.write_blank(r, col::STATE, &fill)?;
        sheet.write_blank(r, col::DATE, &fill_date)?;
        sheet.write_blank(r, col::PERCENT, &fill)?;
        sheet.write_blank(r, col::NOTE, &fill)?;
        sheet.write_blank(r, col::EVIDENCE, &fill)?;
        sheet.write_string_with_format(r, col::ID, &o.id, &fixed)?;
        // Wrapped text needs its row tall enough: not every reader fits rows on its own.
        let lines = [(1, who.as_str()), (2, unit.title.as_str()), (4, task.title.as_str()), (5, due.as_str())]
            .iter()
            .map(|(c, text)| lines(text, COLUMNS[*c].1))
            .max()
            .unwrap_or(1);
        sheet.set_row_height(r, 15.0 * lines as f64)?;
        meta.push((REPORT, r + 1, o.id.clone()));
    }
    if !rows.is_empty() {
        let last = head + rows.len() as u32;
        let first = head + 1;
        let states = DataValidation::new()
            .allow_list_strings(&[DONE, PARTIAL, NOT_DONE])?
            .set_input_title("Отметка")?
            .set_input_message(format!("{DONE}, {PARTIAL} или {NOT_DONE}"))?
            .set_error_title("Отметка")?
            .set_error_message(format!("Выберите из списка: {DONE}, {PARTIAL} или {NOT_DONE}"))?;
        sheet.add_data_validation(first, col::STATE, last, col::STATE, &states)?;
        let earliest = rows.iter().map(|(_, s)| s.opens).min().unwrap_or(form.from);
        let days = DataValidation::new()
            .allow_date(DataValidationRule::Between(date(earliest.min(form.from))?, date(form.made.date_naive())?))
            .set_error_style(DataValidationErrorStyle::Stop)
            .set_error_title("Дата исполнения")?
            .set_error_message("Дата в формате ДД.ММ.ГГГГ, не позже сегодняшней")?;
        sheet.add_data_validation(first, col::DATE, last, col::DATE, &days)?;
        let percent = DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(0, 100))
            .set_error_title("Процент")?
            .set_error_message("Целое число от 0 до 100")?;
        sheet.add_data_validation(first, col::PERCENT, last, col::PERCENT, &percent)?;
        let text = DataValidation::new()
            .allow_text_length(DataValidationRule::LessThanOrEqualTo(4000))
            .set_error_message("Не длиннее 4000 знаков")?;
        sheet.add_data_validation(first, col::NOTE, last, col::EVIDENCE, &text)?;
    }
    sheet.set_column_hidden(col::ID)?;
    sheet.set_freeze_panes(head + 1, 0)?;
    print_layout(sheet, head, head)?;
    sheet.protect();

    // Indicator values due in the period.
    let values = book.add_worksheet();
    values.set_name(VALUES)?;
    values.write_string_with_format(0, 0, "Значения показателей за период", &title)?;
    values.write_string(1, 0, format!("Исполнитель: {asked}; период: {period}"))?;
    values.write_string(2, 0, "Впишите фактические значения в жёлтый столбец; пустая клетка — не отчёт.")?;
    for (c, (name, width)) in VALUE_COLUMNS.iter().enumerate() {
        values.set_column_width(c as u16, *width)?;
        values.write_string_with_format(head, c as u16, *name, &header)?;
    }
    values.set_row_height(head, 32)?;
    let recorded: Vec<(&str, Option<&str>, &str)> = events
        .iter()
        .filter_map(|e| match &e.event.action {
            Action::Value { indicator, executor, period, .. } => {
                Some((indicator.as_str(), executor.as_deref(), period.as_str()))
            }
            _ => None,
        })
        .collect();
    let mut n = 0u32;
    for unit in &ws.units {
        let Document::Roadmap(roadmap) = &*unit.document else { continue };
        for indicator in &roadmap.indicators {
            // Each executor its own targets; the roadmap's own ones are its controller's to report.
            let whole = crate::model::Targets { baseline: Default::default(), target: indicator.target.clone() };
            let controller = unit.controller.as_deref().filter(|_| indicator.breakdown.is_empty());
            let owed: Vec<(&str, &crate::model::Targets, Option<&str>)> = indicator
                .breakdown
                .iter()
                .map(|(e, t)| (e.as_str(), t, Some(e.as_str())))
                .chain(controller.map(|c| (c, &whole, None)))
                .collect();
            for (executor, targets, recorded_as) in owed {
                if !form.executors.iter().any(|e| e == executor) {
                    continue;
                }
                for (period, target) in &targets.target {
                    let year: Option<i32> = period.get(..4).and_then(|y| y.parse().ok());
                    let inside = year.is_some_and(|y| y >= form.from.year() && y <= form.to.year());
                    let done = recorded.contains(&(indicator.id.as_str(), recorded_as, period.as_str()));
                    if !inside || done {
                        continue;
                    }
                    let r = head + 1 + n;
                    values.write_number_with_format(r, 0, f64::from(n + 1), &fixed)?;
                    values.write_string_with_format(r, 1, super::name(unit, executor), &fixed)?;
                    values.write_string_with_format(r, 2, &unit.title, &fixed)?;
                    values.write_string_with_format(r, 3, &indicator.title, &fixed)?;
                    values.write_string_with_format(r, 4, &indicator.unit, &fixed)?;
                    values.write_string_with_format(r, 5, period, &fixed)?;
                    values.write_number_with_format(r, 6, *target, &fixed)?;
                    values.write_blank(r, 7, &fill)?;
                    let lines = lines(&indicator.title, VALUE_COLUMNS[3].1).max(lines(&unit.title, VALUE_COLUMNS[2].1));
                    values.set_row_height(r, 15.0 * lines as f64)?;
                    meta.push((
                        VALUES,
                        r + 1,
                        format!("{}|{}|{}|{}", unit.id, indicator.id, recorded_as.unwrap_or(""), period),
                    ));
                    n += 1;
                }
            }
        }
    }
    if n > 0 {
        let number = DataValidation::new()
            .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(-1e12))
            .set_error_message("Число")?;
        values.add_data_validation(head + 1, 7, head + n, 7, &number)?;
    }
    print_layout(values, head, head)?;
    values.protect();

    // The form's own data, out of sight.
    let hidden = book.add_worksheet();
    hidden.set_name(META)?;
    hidden.write_string(0, 0, "karta-form")?;
    hidden.write_string(0, 1, "1")?;
    hidden.write_string(1, 0, "executors")?;
    hidden.write_string(1, 1, form.executors.join(","))?;
    hidden.write_string(2, 0, "from")?;
    hidden.write_string(2, 1, form.from.to_string())?;
    hidden.write_string(3, 0, "to")?;
    hidden.write_string(3, 1, form.to.to_string())?;
    hidden.write_string(4, 0, "made")?;
    hidden.write_string(4, 1, form.made.to_rfc3339())?;
    hidden.write_string(5, 0, "asked")?;
    hidden.write_string(5, 1, &form.asked)?;
    for (i, (sheet, row, id)) in meta.iter().enumerate() {
        let r = 7 + i as u32;
        hidden.write_string(r, 0, *sheet)?;
        hidden.write_number(r, 1, f64::from(*row))?;
        hidden.write_string(r, 2, id)?;
    }
    hidden.protect();
    hidden.set_hidden(true);
    Ok(Made { bytes: book.save_to_buffer()?, occurrences: rows.len(), values: n as usize })
}

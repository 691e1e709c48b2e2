//! Reading a filled report form back (calamine: XLSX as Excel or LibreOffice saves it, and
//! ODS): all or nothing. Every cell that cannot be taken is refused with its place (`Отчёт!G14`)
//! and the reason, in Russian; nothing is recorded until every row is right. Empty rows are not
//! reports; a row already recorded the same way is named, not recorded twice.

use std::io::Cursor;

use calamine::{Data, Range, Reader};
use chrono::{DateTime, FixedOffset, NaiveDate};

use super::{DONE, META, NOT_DONE, PARTIAL, REPORT, VALUES, cell, col};
use crate::check::{Unit, Workspace};
use crate::compile::Plan;
use crate::track::{self, Action, Event, NewEvent};

/// A cell that cannot be taken, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// `Отчёт!G14`, or the file when the whole file is wrong.
    pub at: String,
    pub message: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// What a form brings.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The reports to record.
    pub events: Vec<NewEvent>,
    /// The rows already recorded just so (`Отчёт!строка 14`), recorded nothing.
    pub already: Vec<String>,
    /// The form's executors, as it says.
    pub executors: Vec<String>,
}

fn refuse(at: impl Into<String>, message: impl Into<String>) -> Refusal {
    Refusal { at: at.into(), message: message.into() }
}

/// A cell's text, trimmed; numbers as Excel shows them.
fn text(range: &Range<Data>, row: u32, column: u16) -> Option<String> {
    let value = range.get_value((row - 1, u32::from(column)))?;
    let s = match value {
        Data::Empty => return None,
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    };
    (!s.is_empty()).then_some(s)
}

/// A date cell: a real date, or text as ДД.ММ.ГГГГ or ГГГГ-ММ-ДД.
fn date_at(range: &Range<Data>, row: u32, column: u16) -> Result<Option<NaiveDate>, String> {
    let Some(value) = range.get_value((row - 1, u32::from(column))) else { return Ok(None) };
    match value {
        Data::Empty => Ok(None),
        Data::DateTime(d) => d.as_datetime().map(|t| Some(t.date())).ok_or_else(|| "не дата".to_string()),
        Data::DateTimeIso(s) => NaiveDate::parse_from_str(&s[..s.len().min(10)], "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("«{s}» — не дата")),
        Data::String(s) if s.trim().is_empty() => Ok(None),
        Data::String(s) => NaiveDate::parse_from_str(s.trim(), "%d.%m.%Y")
            .or_else(|_| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d"))
            .map(Some)
            .map_err(|_| format!("«{}» — не дата (ожидается ДД.ММ.ГГГГ)", s.trim())),
        Data::Float(f) => calamine::ExcelDateTime::new(*f, calamine::ExcelDateTimeType::DateTime, false)
            .as_datetime()
            .map(|t| Some(t.date()))
            .ok_or_else(|| "не дата".to_string()),
        other => Err(format!("«{other}» — не дата (ожидается ДД.ММ.ГГГГ)")),
    }
}

/// What the form was made for, from its hidden sheet.
struct Meta {
    executors: Vec<String>,
    from: NaiveDate,
    /// (sheet, 1-based row, what the row stands for).
    rows: Vec<(String, u32, String)>,
}

fn meta(range: &Range<Data>) -> Option<Meta> {
    let get = |r: u32, c: u16| text(range, r, c);
    if get(1, 0).as_deref() != Some("karta-form") {
        return None;
    }
    let executors = get(2, 1)?.split(',').map(str::to_string).collect();
    let from = NaiveDate::parse_from_str(&get(3, 1)?, "%Y-%m-%d").ok()?;
    let mut rows = Vec::new();
    let mut r = 8;
    while let (Some(sheet), Some(row), Some(id)) = (get(r, 0), get(r, 1), get(r, 2)) {
        rows.push((sheet, row.parse().ok()?, id));
        r += 1;
    }
    Some(Meta { executors, from, rows })
}

/// Reads a filled form. `may`: whether the person importing may report for an executor of a
/// roadmap (on the command line, anyone the form names). `file` names the batch and the
/// refusals about the whole file.
#[allow(clippy::too_many_arguments)]
pub fn read(
    file: &str,
    bytes: &[u8],
    ws: &Workspace,
    plan: &Plan,
    existing: &[Event],
    now: DateTime<FixedOffset>,
    author: &str,
    may: &dyn Fn(&Unit, &str) -> bool,
) -> Result<Outcome, Vec<Refusal>> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| vec![refuse(file, format!("не читается как таблица XLSX или ODS: {e}"))])?;
    let not_form = || {
        vec![refuse(
            file,
            format!(
                "это не форма karta (нет служебного листа «{META}»): форму выдаёт `karta form`, таблицы CSV читает `karta import ФАЙЛ.csv`"
            ),
        )]
    };
    let meta = book.worksheet_range(META).ok().and_then(|r| meta(&r)).ok_or_else(not_form)?;
    let sheet = |name: &str, book: &mut calamine::Sheets<Cursor<Vec<u8>>>| {
        book.worksheet_range(name).map_err(|_| vec![refuse(file, format!("в форме нет листа «{name}»"))])
    };
    let report = sheet(REPORT, &mut book)?;
    let values = sheet(VALUES, &mut book).unwrap_or_default();
    let live = track::effective(existing, now);
    let done = track::completions(&live);
    let batch = format!("{file}@{}", now.to_rfc3339());
    let mut refusals = Vec::new();
    let mut outcome = Outcome { executors: meta.executors.clone(), ..Outcome::default() };

    // Rows someone added below or between the form's own.
    let own: Vec<u32> = meta.rows.iter().filter(|(s, ..)| s == REPORT).map(|(_, r, _)| *r).collect();
    let (height, _) = report.get_size();
    for r in super::FIRST_ROW..=height as u32 {
        let filled = (col::STATE..=col::EVIDENCE).any(|c| text(&report, r, c).is_some());
        if filled && !own.contains(&r) {
            refusals.push(refuse(
                cell(REPORT, col::STATE, r),
                "строка не из формы: добавленные строки не принимаются; сроки берутся только из выданной формы",
            ));
        }
    }

    for (sheet_name, r, id) in meta.rows.iter().filter(|(s, ..)| s == REPORT) {
        let r = *r;
        let at = |c: u16| cell(sheet_name, c, r);
        if text(&report, r, col::ID).as_deref() != Some(id.as_str()) {
            refusals.push(refuse(
                at(col::ID),
                format!("идентификатор срока изменён (в форме был `{id}`): эту клетку менять нельзя"),
            ));
            continue;
        }
        let state = text(&report, r, col::STATE).map(|s| s.to_lowercase());
        let note = text(&report, r, col::NOTE);
        let evidence = text(&report, r, col::EVIDENCE);
        let percent = text(&report, r, col::PERCENT);
        let date = date_at(&report, r, col::DATE);
        let filled =
            state.is_some() || note.is_some() || evidence.is_some() || percent.is_some() || !matches!(date, Ok(None));
        if !filled {
            continue;
        }
        let Some(i) = plan.position(id) else {
            refusals.push(refuse(
                at(col::STATE),
                format!("срока `{id}` больше нет в дорожной карте (её изменили после выдачи формы)"),
            ));
            continue;
        };
        let o = &plan.occurrences[i];
        let Some(owner) = super::owed_by(o, &meta.executors) else {
            refusals.push(refuse(at(col::STATE), format!("срок `{id}` не относится к исполнителям формы")));
            continue;
        };
        if !may(&ws.units[o.unit], owner) {
            refusals.push(refuse(
                at(col::STATE),
                format!("строка исполнителя `{owner}`: отчитываться за него вы не можете"),
            ));
            continue;
        }
        let Some(state) = state else {
            refusals.push(refuse(at(col::STATE), format!("не выбрана отметка: {DONE}, {PARTIAL} или {NOT_DONE}")));
            continue;
        };
        let today = now.with_timezone(&o.due.timezone()).date_naive();
        let latest = live.iter().rev().find(|e| e.event.occurrence.as_deref() == Some(id.as_str()));
        let action = match track::import::answer(&state) {
            Some(track::import::Answer::Done) => {
                let on = match date {
                    Ok(Some(on)) => on,
                    Ok(None) => {
                        refusals.push(refuse(at(col::DATE), "для «выполнено» нужна дата исполнения"));
                        continue;
                    }
                    Err(why) => {
                        refusals.push(refuse(at(col::DATE), why));
                        continue;
                    }
                };
                if on > today {
                    refusals
                        .push(refuse(at(col::DATE), format!("дата {} ещё не наступила", crate::ru::date_digits(on))));
                    continue;
                }
                if on < meta.from {
                    refusals.push(refuse(
                        at(col::DATE),
                        format!(
                            "дата {} раньше начала периода формы ({})",
                            crate::ru::date_digits(on),
                            crate::ru::date_digits(meta.from)
                        ),
                    ));
                    continue;
                }
                match done.get(id.as_str()) {
                    Some(d) if *d == on => {
                        outcome.already.push(format!("{REPORT}!строка {r}"));
                        continue;
                    }
                    Some(d) => {
                        refusals.push(refuse(
                            at(col::STATE),
                            format!("срок уже отмечен выполненным {}", crate::ru::date_digits(*d)),
                        ));
                        continue;
                    }
                    None => Action::Done { on },
                }
            }
            Some(track::import::Answer::Partial) => {
                let percent = match percent.as_deref().map(|p| p.trim_end_matches('%').trim().parse::<u8>()) {
                    None => None,
                    Some(Ok(p)) if p <= 100 => Some(p),
                    Some(_) => {
                        refusals.push(refuse(at(col::PERCENT), "процент — целое число от 0 до 100"));
                        continue;
                    }
                };
                if percent.is_none() && note.is_none() {
                    refusals.push(refuse(at(col::PERCENT), "для «частично» нужен процент или комментарий"));
                    continue;
                }
                Action::Partial { percent }
            }
            Some(track::import::Answer::NotDone) => match &note {
                Some(reason) => Action::NotDone { reason: reason.clone() },
                None => {
                    refusals.push(refuse(
                        at(col::NOTE),
                        "для «не выполнено» нужна причина (столбец «Комментарий или причина»)",
                    ));
                    continue;
                }
            },
            None => {
                refusals.push(refuse(
                    at(col::STATE),
                    format!("непонятная отметка «{state}»: {DONE}, {PARTIAL} или {NOT_DONE}"),
                ));
                continue;
            }
        };
        if latest.is_some_and(|e| e.event.action == action && e.event.note == note) {
            outcome.already.push(format!("{REPORT}!строка {r}"));
            continue;
        }
        outcome.events.push(NewEvent {
            occurrence: Some(id.clone()),
            action,
            note,
            evidence: evidence
                .map(|e| e.split([' ', ';', '\n']).filter(|s| !s.is_empty()).map(str::to_string).collect())
                .unwrap_or_default(),
            author: author.to_string(),
            recorded_at: now,
            batch: Some(batch.clone()),
        });
    }

    for (_, r, key) in meta.rows.iter().filter(|(s, ..)| s == VALUES) {
        let r = *r;
        let Some(raw) = text(&values, r, 7) else { continue };
        let at = cell(VALUES, 7, r);
        let mut parts = key.splitn(4, '|');
        let (Some(roadmap), Some(indicator), Some(executor), Some(period)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            refusals.push(refuse(at, "служебная запись формы повреждена"));
            continue;
        };
        let Some(unit) = ws.units.iter().find(|u| u.id == roadmap) else {
            refusals.push(refuse(at, format!("дорожной карты `{roadmap}` больше нет")));
            continue;
        };
        // The roadmap's own targets are its controller's to report.
        let executor = (!executor.is_empty()).then_some(executor);
        let reporter = executor.or(unit.controller.as_deref()).unwrap_or_default();
        if !may(unit, reporter) {
            refusals.push(refuse(at, format!("значение исполнителя `{reporter}`: вносить его вы не можете")));
            continue;
        }
        let Ok(value) = raw.replace(',', ".").replace(' ', "").parse::<f64>() else {
            refusals.push(refuse(at, format!("«{raw}» — не число")));
            continue;
        };
        let action = Action::Value {
            indicator: indicator.into(),
            executor: executor.map(String::from),
            period: period.into(),
            value,
            source: None,
        };
        if live.iter().any(|e| e.event.action == action) {
            outcome.already.push(format!("{VALUES}!строка {r}"));
            continue;
        }
        outcome.events.push(NewEvent {
            occurrence: None,
            action,
            note: None,
            evidence: Vec::new(),
            author: author.to_string(),
            recorded_at: now,
            batch: Some(batch.clone()),
        });
    }
    if refusals.is_empty() { Ok(outcome) } else { Err(refusals) }
}

//! Bulk import of progress reports from districts' spreadsheets (CSV, as Excel saves it: `;`
//! or `,` separated, UTF-8 with or without BOM). Every row is checked before anything is
//! written; one bad row means nothing from the file is recorded, and each bad row gets a
//! located message. The layout is documented in docs/tracking.md.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::event::{Action, Event, NewEvent};
use crate::check::Workspace;
use crate::compile::Plan;
use crate::diag::{Code, Diagnostic, Source, Span};
use crate::msg;

/// The columns karta reads, with the header words accepted for each (lowercase).
const COLUMNS: &[(Col, &[&str])] = &[
    (Col::Occurrence, &["occurrence", "id", "код срока", "идентификатор"]),
    (Col::Activity, &["мероприятие", "activity", "код мероприятия"]),
    (Col::Due, &["срок", "due", "дата срока", "плановый срок"]),
    (Col::Executor, &["исполнитель", "executor", "район", "код исполнителя"]),
    (Col::Status, &["статус", "status", "отметка", "состояние"]),
    (Col::Date, &["дата", "date", "дата выполнения", "выполнено"]),
    (Col::Percent, &["процент", "percent", "%", "процент выполнения"]),
    (Col::Note, &["комментарий", "comment", "note", "примечание"]),
    (Col::Evidence, &["подтверждение", "evidence", "ссылка", "ссылки", "документ"]),
    (Col::Author, &["кто", "author", "by", "ответственный", "кто отметил"]),
    (Col::Reason, &["причина", "reason"]),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Col {
    Occurrence,
    Activity,
    Due,
    Executor,
    Status,
    Date,
    Percent,
    Note,
    Evidence,
    Author,
    Reason,
}

/// The words of the status column: the list shared with report forms and replies to notices.
pub use super::answer::{Answer, answer};

/// What the rows say, ready to append — or every problem found.
pub fn read(
    path: &Path,
    text: &str,
    workspace: &Workspace,
    plan: &Plan,
    existing: &[Event],
    now: DateTime<FixedOffset>,
    author: &str,
) -> Result<Vec<NewEvent>, Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let source = Source::new(path, text);
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let mut errors = Vec::new();
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![located(
                &source,
                1,
                msg!("не удалось прочитать заголовок: {}", e; "cannot read the header: {}", e),
            )]);
        }
    };
    let columns: HashMap<Col, usize> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let h = h.trim().to_lowercase();
            COLUMNS.iter().find(|(_, names)| names.contains(&h.as_str())).map(|(c, _)| (*c, i))
        })
        .collect();
    if !columns.contains_key(&Col::Occurrence) && !columns.contains_key(&Col::Activity) {
        return Err(vec![located(&source, 1, msg!("нет столбца «мероприятие» (или «occurrence»)"; "no «мероприятие» (or «occurrence») column"))
            .hint(msg!("первая строка — заголовки: мероприятие; срок; исполнитель; статус; дата; комментарий; подтверждение; кто";
                "the first line holds headers: мероприятие; срок; исполнитель; статус; дата; комментарий; подтверждение; кто"))]);
    }
    let ids: HashMap<&str, usize> = plan.occurrences.iter().enumerate().map(|(i, o)| (o.id.as_str(), i)).collect();
    let live = super::effective(existing, now);
    let mut done: HashSet<String> = super::completions(&live).into_keys().map(String::from).collect();
    let cancelled: HashSet<&str> = live
        .iter()
        .filter(|e| matches!(e.event.action, Action::Cancelled { .. }))
        .filter_map(|e| e.event.occurrence.as_deref())
        .collect();
    let batch = format!("{}@{}", path.display(), now.to_rfc3339());
    let mut out = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line() as usize);
                errors.push(located(
                    &source,
                    line,
                    msg!("строка не читается как CSV: {}", e; "the line is not valid CSV: {}", e),
                ));
                continue;
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        // The line the record starts on (a cell may span lines, as Alt+Enter in Excel makes it).
        let line = record.position().map_or(1, |p| p.line() as usize);
        let field = |c: Col| columns.get(&c).and_then(|&i| record.get(i)).map(str::trim).filter(|s| !s.is_empty());
        let mut row = Row {
            source: &source,
            line,
            errors: &mut errors,
            text: source.line(line).unwrap_or_default().to_string(),
            delimiter: char::from(delimiter),
            columns: &columns,
        };
        let Some(occurrence) = row.occurrence(&field, workspace, plan, &ids) else { continue };
        if cancelled.contains(occurrence.as_str()) {
            row.error(None, msg!("срок `{}` отменён: отметки по нему не принимаются", occurrence; "`{}` is cancelled: it takes no reports", occurrence));
            continue;
        }
        // "Today" is the roadmap's day, whatever offset `now` is written in.
        let today = ids
            .get(occurrence.as_str())
            .map_or_else(|| now.date_naive(), |&i| now.with_timezone(&plan.occurrences[i].due.timezone()).date_naive());
        let status = field(Col::Status).map(str::to_lowercase).unwrap_or_else(|| "выполнено".into());
        let action = match answer(&status) {
            Some(Answer::Done) => {
                let Some(on) = row.date(field(Col::Date), Col::Date, "дата", true) else { continue };
                if on > today {
                    row.error(Some(Col::Date), msg!("дата выполнения {} ещё не наступила", on.format("%d.%m.%Y"); "the completion date {} is in the future", on));
                    continue;
                }
                if !done.insert(occurrence.clone()) {
                    row.error(None, msg!("срок `{}` уже отмечен выполненным", occurrence; "`{}` is already reported done", occurrence));
                    continue;
                }
                Action::Done { on }
            }
            Some(Answer::Partial) => {
                let percent = match field(Col::Percent).map(|p| p.trim_end_matches('%').trim().parse::<u8>()) {
                    None => None,
                    Some(Ok(p)) if p <= 100 => Some(p),
                    Some(_) => {
                        row.error(
                            Some(Col::Percent),
                            msg!("процент — целое число от 0 до 100"; "percent is a whole number 0–100"),
                        );
                        continue;
                    }
                };
                Action::Partial { percent }
            }
            Some(Answer::NotDone) => {
                match field(Col::Reason).or(field(Col::Note)) {
                    Some(reason) => Action::NotDone { reason: reason.to_string() },
                    None => {
                        row.error(None, msg!("для «не выполнено» нужна причина (столбец «причина»)"; "«не выполнено» needs a reason"));
                        continue;
                    }
                }
            }
            None => {
                let other = status.as_str();
                row.error(Some(Col::Status), msg!("непонятный статус «{}»", other; "unknown status «{}»", other));
                continue;
            }
        };
        out.push(NewEvent {
            occurrence: Some(occurrence),
            action,
            note: field(Col::Note).map(str::to_string),
            evidence: field(Col::Evidence)
                .map(|e| e.split([' ', ';', '\n']).filter(|s| !s.is_empty()).map(str::to_string).collect())
                .unwrap_or_default(),
            author: field(Col::Author).unwrap_or(author).to_string(),
            recorded_at: now,
            batch: Some(batch.clone()),
        });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

struct Row<'a> {
    source: &'a Arc<Source>,
    line: usize,
    errors: &'a mut Vec<Diagnostic>,
    text: String,
    delimiter: char,
    columns: &'a HashMap<Col, usize>,
}

impl Row<'_> {
    /// An error at a cell of the row (found by its column, quotes respected), or at the whole row.
    fn error(&mut self, col: Option<Col>, message: crate::diag::Message) {
        let cell = col.and_then(|c| self.columns.get(&c)).and_then(|&i| cell_span(&self.text, self.delimiter, i));
        let (col, len) = cell.unwrap_or((1, self.text.chars().count().max(1)));
        self.errors.push(Diagnostic::error(Code::BadRow, message).at(self.source, Span::new(self.line, col, len)));
    }

    fn date(&mut self, value: Option<&str>, col: Col, what: &str, required: bool) -> Option<NaiveDate> {
        let Some(v) = value else {
            if required {
                self.error(None, msg!("не указана {}", what; "no {} given", what));
            }
            return None;
        };
        let parsed = NaiveDate::parse_from_str(v, "%d.%m.%Y").or_else(|_| NaiveDate::parse_from_str(v, "%Y-%m-%d"));
        if parsed.is_err() {
            self.error(
                Some(col),
                msg!("«{}» — не дата (ожидается ДД.ММ.ГГГГ)", v; "«{}» is not a date (DD.MM.YYYY expected)", v),
            );
        }
        parsed.ok()
    }

    /// The occurrence a row is about: its id, or an activity with the due date and executor.
    fn occurrence<'f>(
        &mut self,
        field: &dyn Fn(Col) -> Option<&'f str>,
        ws: &Workspace,
        plan: &Plan,
        ids: &HashMap<&str, usize>,
    ) -> Option<String> {
        if let Some(id) = field(Col::Occurrence) {
            if ids.contains_key(id) {
                return Some(id.to_string());
            }
            self.error(Some(Col::Occurrence), msg!("неизвестный срок `{}`", id; "unknown occurrence `{}`", id));
            return None;
        }
        let Some(activity) = field(Col::Activity) else {
            self.error(None, msg!("не указано мероприятие"; "no activity given"));
            return None;
        };
        let keys: Vec<String> = ws
            .units
            .iter()
            .flat_map(|u| u.tasks.iter().map(move |t| t.key(u)))
            .filter(|k| k == activity || k.rsplit('/').next() == Some(activity))
            .collect();
        let key = match keys.as_slice() {
            [one] => one.clone(),
            [] => {
                self.error(
                    Some(Col::Activity),
                    msg!("неизвестное мероприятие `{}`", activity; "unknown activity `{}`", activity),
                );
                return None;
            }
            _ => {
                self.error(
                    Some(Col::Activity),
                    msg!("`{}` есть в нескольких дорожных картах: укажите `карта/мероприятие`", activity;
                    "`{}` is in several roadmaps: write `roadmap/activity`", activity),
                );
                return None;
            }
        };
        let due = match field(Col::Due) {
            Some(d) => Some(self.date(Some(d), Col::Due, "дата срока", true)?),
            None => None,
        };
        let executor = field(Col::Executor);
        let candidates: Vec<&str> = plan
            .occurrences
            .iter()
            .filter(|o| o.key() == key && due.is_none_or(|d| o.due_date == d))
            .filter(|o| o.executor().is_none() || executor.is_some_and(|e| o.executor() == Some(e)))
            .map(|o| o.id.as_str())
            .collect();
        match candidates.as_slice() {
            [one] => Some(one.to_string()),
            [] => {
                self.error(Some(if field(Col::Due).is_some() { Col::Due } else { Col::Executor }), msg!("у `{}` нет такого срока{}", key, executor.map(|e| format!(" для исполнителя `{e}`")).unwrap_or_default();
                    "`{}` has no such occurrence{}", key, executor.map(|e| format!(" for executor `{e}`")).unwrap_or_default()));
                None
            }
            many => {
                let n = many.len();
                self.error(Some(Col::Activity), msg!("у `{}` {} подходящих сроков: укажите «срок» (и «исполнитель»)", key, n; "`{}` has {} matching occurrences: give «срок» (and «исполнитель»)", key, n));
                None
            }
        }
    }
}

/// The 1-based column and length of cell `index` in a CSV line, skipping delimiters in quotes.
fn cell_span(line: &str, delimiter: char, index: usize) -> Option<(usize, usize)> {
    let mut cell = 0;
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in line.chars().enumerate() {
        if c == '"' {
            quoted = !quoted;
        } else if c == delimiter && !quoted {
            if cell == index {
                return Some((start + 1, (i - start).max(1)));
            }
            cell += 1;
            start = i + 1;
        }
    }
    (cell == index).then(|| (start + 1, (line.chars().count() - start).max(1)))
}

fn located(source: &Arc<Source>, line: usize, message: crate::diag::Message) -> Diagnostic {
    Diagnostic::error(Code::BadRow, message)
        .at(source, Span::new(line, 1, source.line(line).map_or(1, |l| l.chars().count().max(1))))
}

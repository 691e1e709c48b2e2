//! The progress log in SQLite: one row per event, the action's details in their own columns.

use std::time::Duration;

use chrono::{DateTime, NaiveDate};
use rusqlite::{Connection, ErrorCode, TransactionBehavior, params};

use super::{Sqlite, read, write};
use crate::store::{EventLog, StoreError};
use crate::track::{Action, Event, NewEvent};

impl EventLog for Sqlite {
    fn append(&mut self, events: &[NewEvent]) -> Result<Vec<i64>, StoreError> {
        // Busy retries on top of the busy timeout: a long import in another process is not an error.
        let mut attempt = 0;
        loop {
            match insert_all(&mut self.conn, events) {
                Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::DatabaseBusy && attempt < 5 => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(100 << attempt));
                }
                other => return other.map_err(write),
            }
        }
    }

    fn events(&self) -> Result<Vec<Event>, StoreError> {
        // Counted first, so that the list of hundreds of thousands of events is made once at its size.
        let count: i64 = self.conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).map_err(read)?;
        let mut events = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        let mut stmt = self.conn.prepare(&format!("{SELECT} ORDER BY recorded_ts, id")).map_err(read)?;
        let mut rows = stmt.query([]).map_err(read)?;
        while let Some(r) = rows.next().map_err(read)? {
            events.push(event_of(r)?);
        }
        Ok(events)
    }

    fn event(&self, id: i64) -> Result<Option<Event>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("{SELECT} WHERE id = ?1")).map_err(read)?;
        let mut rows = stmt.query([id]).map_err(read)?;
        rows.next().map_err(read)?.map(event_of).transpose()
    }

    fn last_event(&self) -> Result<i64, StoreError> {
        self.conn.query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0)).map_err(read)
    }
}

fn insert_all(conn: &mut Connection, events: &[NewEvent]) -> Result<Vec<i64>, rusqlite::Error> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let ids = insert_into(&tx, events)?;
    tx.commit()?;
    Ok(ids)
}

/// Inserts events inside the caller's transaction.
pub(super) fn insert_into(tx: &Connection, events: &[NewEvent]) -> Result<Vec<i64>, rusqlite::Error> {
    let mut ids = Vec::with_capacity(events.len());
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO events (kind, occurrence, date, percent, reason, approved_by, indicator, executor, period, value,
                                 source, supersedes, note, evidence, author, recorded_at, recorded_ts, batch)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        )?;
        for e in events {
            let mut raw = Raw::default();
            match &e.action {
                Action::Done { on } => raw.date = Some(on.to_string()),
                Action::Partial { percent } => raw.percent = percent.map(i64::from),
                Action::NotDone { reason } | Action::Rejected { reason } => raw.reason = Some(reason.clone()),
                Action::Cancelled { document } => raw.reason = Some(document.clone()),
                Action::Moved { to, reason, approved_by } => {
                    raw.date = Some(to.to_string());
                    raw.reason = Some(reason.clone());
                    raw.approved_by = Some(approved_by.clone());
                }
                Action::Value { indicator, executor, period, value, source } => {
                    raw.indicator = Some(indicator.clone());
                    raw.executor = executor.clone();
                    raw.period = Some(period.clone());
                    raw.value = Some(*value);
                    raw.source = source.clone();
                }
                Action::Accepted => {}
                Action::Correction { supersedes, reason } => {
                    raw.supersedes = Some(*supersedes);
                    raw.reason = Some(reason.clone());
                }
            }
            let evidence = serde_json::to_string(&e.evidence).unwrap_or_else(|_| "[]".into());
            stmt.execute(params![
                e.action.name(),
                e.occurrence,
                raw.date,
                raw.percent,
                raw.reason,
                raw.approved_by,
                raw.indicator,
                raw.executor,
                raw.period,
                raw.value,
                raw.source,
                raw.supersedes,
                e.note,
                evidence,
                e.author,
                e.recorded_at.to_rfc3339(),
                e.recorded_at.timestamp(),
                e.batch,
            ])?;
            ids.push(tx.last_insert_rowid());
        }
    }
    Ok(ids)
}

const SELECT: &str =
    "SELECT id, kind, occurrence, date, percent, reason, approved_by, indicator, executor, period, value,
                              source, supersedes, note, evidence, author, recorded_at, batch FROM events";

/// The columns that hold an action's details, as stored.
#[derive(Debug, Default)]
struct Raw {
    date: Option<String>,
    percent: Option<i64>,
    reason: Option<String>,
    approved_by: Option<String>,
    indicator: Option<String>,
    executor: Option<String>,
    period: Option<String>,
    value: Option<f64>,
    source: Option<String>,
    supersedes: Option<i64>,
}

/// An event from its row. Text that is only parsed (the kind, dates, evidence, the time of
/// recording) is read in place; only what the event keeps is copied.
fn event_of(r: &rusqlite::Row<'_>) -> Result<Event, StoreError> {
    let id: i64 = r.get(0).map_err(read)?;
    let corrupt = |what: &str| StoreError::Corrupt { id, what: what.to_string() };
    let text = |i: usize| -> Result<Option<&str>, StoreError> {
        r.get_ref(i).map_err(read)?.as_str_or_null().map_err(|_| corrupt("текст"))
    };
    let owned = |i: usize| -> Result<Option<String>, StoreError> { r.get(i).map_err(read) };
    let required = |i: usize| owned(i)?.ok_or_else(|| corrupt("пустое поле"));
    let date = || text(3)?.and_then(|d| d.parse::<NaiveDate>().ok()).ok_or_else(|| corrupt("дата"));
    let kind = text(1)?.unwrap_or_default();
    let action = match kind {
        "done" => Action::Done { on: date()? },
        "partial" => {
            Action::Partial { percent: r.get::<_, Option<i64>>(4).map_err(read)?.and_then(|p| u8::try_from(p).ok()) }
        }
        "not_done" => Action::NotDone { reason: required(5)? },
        "cancelled" => Action::Cancelled { document: required(5)? },
        "moved" => Action::Moved { to: date()?, reason: required(5)?, approved_by: required(6)? },
        "value" => Action::Value {
            indicator: required(7)?,
            executor: owned(8)?,
            period: required(9)?,
            value: r.get::<_, Option<f64>>(10).map_err(read)?.ok_or_else(|| corrupt("значение"))?,
            source: owned(11)?,
        },
        "accepted" => Action::Accepted,
        "rejected" => Action::Rejected { reason: required(5)? },
        "correction" => Action::Correction {
            supersedes: r.get::<_, Option<i64>>(12).map_err(read)?.ok_or_else(|| corrupt("ссылка"))?,
            reason: required(5)?,
        },
        other => return Err(corrupt(&format!("вид «{other}»"))),
    };
    let evidence = match text(14)? {
        None | Some("[]") => Vec::new(),
        Some(json) => serde_json::from_str(json).unwrap_or_default(),
    };
    let recorded_at =
        text(16)?.and_then(|t| DateTime::parse_from_rfc3339(t).ok()).ok_or_else(|| corrupt("время записи"))?;
    Ok(Event {
        id,
        event: NewEvent {
            occurrence: owned(2)?,
            action,
            note: owned(13)?,
            evidence,
            author: required(15)?,
            recorded_at,
            batch: owned(17)?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn event(occurrence: &str, action: Action) -> NewEvent {
        NewEvent {
            occurrence: Some(occurrence.into()),
            action,
            note: Some("комментарий".into()),
            evidence: vec!["https://example.org/акт.pdf".into()],
            author: "Иванова".into(),
            recorded_at: DateTime::parse_from_rfc3339("2023-10-16T09:00:00+10:00").expect("time"),
            batch: None,
        }
    }

    #[test]
    fn events_round_trip_through_a_real_file() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("karta.db");
        let d = NaiveDate::from_ymd_opt(2023, 10, 16).expect("date");
        let actions = vec![
            Action::Done { on: d },
            Action::Partial { percent: Some(40) },
            Action::NotDone { reason: "нет связи".into() },
            Action::Cancelled { document: "приказ № 401".into() },
            Action::Moved { to: d, reason: "каникулы".into(), approved_by: "Черепанов Д.Г.".into() },
            Action::Value {
                indicator: "ege".into(),
                executor: Some("mo-lazo".into()),
                period: "2024".into(),
                value: 0.6,
                source: None,
            },
            Action::Accepted,
            Action::Rejected { reason: "нет акта".into() },
            Action::Correction { supersedes: 1, reason: "ошибка".into() },
        ];
        let written: Vec<NewEvent> = actions.into_iter().map(|a| event("r/a@2023-10-17", a)).collect();
        let ids = Sqlite::open(&path).expect("open").append(&written).expect("append");
        assert_eq!(ids, (1..=9).collect::<Vec<_>>());
        let store = Sqlite::open(&path).expect("reopen");
        let read: Vec<NewEvent> = store.events().expect("read").into_iter().map(|e| e.event).collect();
        assert_eq!(read, written);
        assert_eq!(store.integrity().expect("check"), "ok");
    }

    #[test]
    fn the_log_refuses_updates_and_deletes() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("karta.db");
        let mut store = Sqlite::open(&path).expect("open");
        store.append(&[event("r/a@2023-10-17", Action::Accepted)]).expect("append");
        let conn = Connection::open(&path).expect("raw");
        assert!(conn.execute("UPDATE events SET author = 'x'", []).is_err());
        assert!(conn.execute("DELETE FROM events", []).is_err());
        assert_eq!(store.events().expect("read").len(), 1);
    }

    #[test]
    fn a_failed_batch_writes_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let mut store = Sqlite::open(&dir.path().join("karta.db")).expect("open");
        let bad =
            NewEvent { action: Action::Partial { percent: Some(101) }, ..event("r/a@2023-10-17", Action::Accepted) };
        let good = event("r/a@2023-10-17", Action::Accepted);
        assert!(store.append(&[good.clone(), bad]).is_err());
        assert!(store.events().expect("read").is_empty());
    }
}

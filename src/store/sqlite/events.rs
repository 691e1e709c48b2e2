//! The progress log in SQLite: one row per event, the action's details in their own columns.

use std::time::Duration;

use chrono::{DateTime, NaiveDate};
use rusqlite::{Connection, ErrorCode, TransactionBehavior, params};

use super::{Sqlite, read, write};
use crate::store::columns::{Columns, evidence_json, evidence_of};
use crate::store::{EventLog, StoreError};
use crate::track::{Event, NewEvent};

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
        rows(&self.conn, "ORDER BY recorded_ts, id", [], usize::try_from(count).unwrap_or(0))
    }

    fn event(&self, id: i64) -> Result<Option<Event>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("{SELECT} WHERE id = ?1")).map_err(read)?;
        let mut rows = stmt.query([id]).map_err(read)?;
        rows.next().map_err(read)?.map(event_of).transpose()
    }

    fn last_event(&self) -> Result<i64, StoreError> {
        self.conn.query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0)).map_err(read)
    }

    fn identity(&self) -> Result<String, StoreError> {
        self.conn.query_row("SELECT id FROM store_identity", [], |r| r.get(0)).map_err(read)
    }

    fn events_since(&self, last: i64, count: usize) -> Result<Option<Vec<Event>>, StoreError> {
        // A read transaction: the count and the rows after it are one snapshot of the log.
        let tx = self.conn.unchecked_transaction().map_err(read)?;
        // All events (counted in the smallest index) less those after `last` (a short range).
        let had: i64 = tx
            .query_row(
                "SELECT (SELECT count(*) FROM events) - (SELECT count(*) FROM events WHERE id > ?1)",
                [last],
                |r| r.get(0),
            )
            .map_err(read)?;
        if usize::try_from(had).ok() != Some(count) {
            return Ok(None);
        }
        rows(&tx, "WHERE id >= ?1 ORDER BY recorded_ts, id", [last], 0).map(Some)
    }
}

/// The events `tail` (what follows `SELECT … FROM events`) selects, into a list made at
/// `capacity`.
fn rows(
    conn: &Connection,
    tail: &str,
    params: impl rusqlite::Params,
    capacity: usize,
) -> Result<Vec<Event>, StoreError> {
    let mut events = Vec::with_capacity(capacity);
    let mut stmt = conn.prepare(&format!("{SELECT} {tail}")).map_err(read)?;
    let mut rows = stmt.query(params).map_err(read)?;
    while let Some(r) = rows.next().map_err(read)? {
        events.push(event_of(r)?);
    }
    Ok(events)
}

fn insert_all(conn: &mut Connection, events: &[NewEvent]) -> Result<Vec<i64>, rusqlite::Error> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let ids = insert_into(&tx, events, None)?;
    tx.commit()?;
    Ok(ids)
}

/// Inserts events inside the caller's transaction. With `ids`, the events keep those numbers
/// (a copy from another store).
pub(super) fn insert_into(
    tx: &Connection,
    events: &[NewEvent],
    ids: Option<&[i64]>,
) -> Result<Vec<i64>, rusqlite::Error> {
    let given = |i: usize| ids.map(|ids| ids[i]);
    let mut ids = Vec::with_capacity(events.len());
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO events (kind, occurrence, date, percent, reason, approved_by, indicator, executor, period, value,
                                 source, supersedes, note, evidence, author, recorded_at, recorded_ts, batch, id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
        )?;
        for (i, e) in events.iter().enumerate() {
            let raw = Columns::of(&e.action);
            let evidence = evidence_json(&e.evidence);
            stmt.execute(params![
                e.action.name(),
                e.occurrence,
                raw.date.map(|d| d.to_string()),
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
                given(i),
            ])?;
            ids.push(tx.last_insert_rowid());
        }
    }
    Ok(ids)
}

const SELECT: &str =
    "SELECT id, kind, occurrence, date, percent, reason, approved_by, indicator, executor, period, value,
                              source, supersedes, note, evidence, author, recorded_at, batch FROM events";

/// An event from its row. Text that is only parsed (the kind, dates, evidence, the time of
/// recording) is read in place; only what the event keeps is copied.
fn event_of(r: &rusqlite::Row<'_>) -> Result<Event, StoreError> {
    let id: i64 = r.get(0).map_err(read)?;
    let corrupt = |what: &str| StoreError::Corrupt { id, what: what.to_string() };
    let text = |i: usize| -> Result<Option<&str>, StoreError> {
        r.get_ref(i).map_err(read)?.as_str_or_null().map_err(|_| corrupt("текст"))
    };
    let owned = |i: usize| -> Result<Option<String>, StoreError> { r.get(i).map_err(read) };
    let raw = Columns {
        date: text(3)?.and_then(|d| d.parse::<NaiveDate>().ok()),
        percent: r.get(4).map_err(read)?,
        reason: owned(5)?,
        approved_by: owned(6)?,
        indicator: owned(7)?,
        executor: owned(8)?,
        period: owned(9)?,
        value: r.get(10).map_err(read)?,
        source: owned(11)?,
        supersedes: r.get(12).map_err(read)?,
    };
    let action = raw.action(text(1)?.unwrap_or_default()).map_err(|what| corrupt(&what))?;
    let evidence = evidence_of(text(14)?);
    let recorded_at =
        text(16)?.and_then(|t| DateTime::parse_from_rfc3339(t).ok()).ok_or_else(|| corrupt("время записи"))?;
    Ok(Event {
        id,
        event: NewEvent {
            occurrence: owned(2)?,
            action,
            note: owned(13)?,
            evidence,
            author: owned(15)?.ok_or_else(|| corrupt("пустое поле"))?,
            recorded_at,
            batch: owned(17)?,
        },
        carried: None,
    })
}

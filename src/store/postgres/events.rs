//! The progress log in PostgreSQL: one row per event, the action's details in their own columns
//! (the same columns as in SQLite). Appends go in chunks of rows passed as arrays, under the
//! table's lock, so a large import is a few round trips and ids are committed in order.

use chrono::{DateTime, NaiveDate};
use postgres::GenericClient;
use postgres::fallible_iterator::FallibleIterator;

use super::{Postgres, read, write};
use crate::store::columns::{Columns, evidence_json, evidence_of};
use crate::store::{EventLog, StoreError};
use crate::track::{Event, NewEvent};

/// Rows per INSERT: large enough for few round trips, small enough for modest messages.
const CHUNK: usize = 5_000;

impl EventLog for Postgres {
    fn append(&mut self, events: &[NewEvent]) -> Result<Vec<i64>, StoreError> {
        self.run(|c| {
            let mut tx = c.transaction().map_err(write)?;
            let ids = insert_into(&mut tx, events, None)?;
            tx.commit().map_err(write)?;
            Ok(ids)
        })
    }

    fn events(&self) -> Result<Vec<Event>, StoreError> {
        self.run(|c| {
            let count: i64 = c.query_one("SELECT count(*) FROM events", &[]).map_err(read)?.get(0);
            let none: [&str; 0] = [];
            rows(c, "ORDER BY recorded_ts, id", none, usize::try_from(count).unwrap_or(0))
        })
    }

    fn event(&self, id: i64) -> Result<Option<Event>, StoreError> {
        let row = self.run(|c| c.query_opt(&format!("{SELECT} WHERE id = $1"), &[&id]).map_err(read))?;
        row.as_ref().map(event_of).transpose()
    }

    fn last_event(&self) -> Result<i64, StoreError> {
        self.run(|c| c.query_one("SELECT coalesce(max(id), 0) FROM events", &[]).map(|r| r.get(0)).map_err(read))
    }

    fn identity(&self) -> Result<String, StoreError> {
        self.run(|c| c.query_one("SELECT id FROM store_identity", &[]).map(|r| r.get(0)).map_err(read))
    }

    fn events_since(&self, last: i64, count: usize) -> Result<Option<Vec<Event>>, StoreError> {
        self.run(|c| {
            // One snapshot for the count and the rows after it.
            let mut tx = c
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(read)?;
            let had: i64 = tx.query_one("SELECT count(*) FROM events WHERE id <= $1", &[&last]).map_err(read)?.get(0);
            if usize::try_from(had).ok() != Some(count) {
                return Ok(None);
            }
            let events = rows(&mut tx, "WHERE id >= $1 ORDER BY recorded_ts, id", [&last], 0)?;
            tx.commit().map_err(read)?;
            Ok(Some(events))
        })
    }
}

/// The events `tail` (what follows `SELECT … FROM events`) selects, into a list made at
/// `capacity`.
fn rows<P, I>(c: &mut impl GenericClient, tail: &str, params: I, capacity: usize) -> Result<Vec<Event>, StoreError>
where
    P: postgres::types::BorrowToSql,
    I: IntoIterator<Item = P>,
    I::IntoIter: ExactSizeIterator,
{
    let mut events = Vec::with_capacity(capacity);
    let mut rows = c.query_raw(&format!("{SELECT} {tail}"), params).map_err(read)?;
    while let Some(row) = rows.next().map_err(read)? {
        events.push(event_of(&row)?);
    }
    Ok(events)
}

/// Inserts events inside the caller's transaction, after taking the log's table lock (readers
/// go on; other writers wait for this transaction). With `ids`, the events keep those numbers
/// (a copy from another store) and the id sequence is moved past them.
pub(super) fn insert_into(
    tx: &mut impl GenericClient,
    events: &[NewEvent],
    ids: Option<&[i64]>,
) -> Result<Vec<i64>, StoreError> {
    tx.batch_execute("LOCK TABLE events IN EXCLUSIVE MODE").map_err(write)?;
    let statement = tx
        .prepare(
            "INSERT INTO events (id, kind, occurrence, date, percent, reason, approved_by, indicator, executor, period,
                                 value, source, supersedes, note, evidence, author, recorded_at, recorded_ts, batch)
             OVERRIDING SYSTEM VALUE
             SELECT coalesce(id, nextval(pg_get_serial_sequence('events', 'id'))), kind, occurrence, date, percent,
                    reason, approved_by, indicator, executor, period, value, source, supersedes, note, evidence,
                    author, recorded_at, recorded_ts, batch
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::date[], $5::bigint[], $6::text[], $7::text[],
                         $8::text[], $9::text[], $10::text[], $11::float8[], $12::text[], $13::bigint[], $14::text[],
                         $15::text[], $16::text[], $17::text[], $18::bigint[], $19::text[])
                  WITH ORDINALITY AS e (id, kind, occurrence, date, percent, reason, approved_by, indicator, executor,
                                        period, value, source, supersedes, note, evidence, author, recorded_at,
                                        recorded_ts, batch, n)
             ORDER BY n
             RETURNING id",
        )
        .map_err(write)?;
    let mut all = Vec::with_capacity(events.len());
    for (c, chunk) in events.chunks(CHUNK).enumerate() {
        let given: Vec<Option<i64>> = match ids {
            Some(ids) => ids[c * CHUNK..c * CHUNK + chunk.len()].iter().map(|&i| Some(i)).collect(),
            None => vec![None; chunk.len()],
        };
        let mut a = Arrays::default();
        for e in chunk {
            a.push(e);
        }
        let rows = tx
            .query(
                &statement,
                &[
                    &given,
                    &a.kind,
                    &a.occurrence,
                    &a.date,
                    &a.percent,
                    &a.reason,
                    &a.approved_by,
                    &a.indicator,
                    &a.executor,
                    &a.period,
                    &a.value,
                    &a.source,
                    &a.supersedes,
                    &a.note,
                    &a.evidence,
                    &a.author,
                    &a.recorded_at,
                    &a.recorded_ts,
                    &a.batch,
                ],
            )
            .map_err(write)?;
        let mut chunk_ids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
        // Ids are drawn in row order (ORDER BY n); RETURNING gives no order, sorting restores it.
        chunk_ids.sort_unstable();
        all.extend(chunk_ids);
    }
    if ids.is_some() {
        tx.execute(
            "SELECT setval(pg_get_serial_sequence('events', 'id'), coalesce(max(id), 0) + 1, false) FROM events",
            &[],
        )
        .map_err(write)?;
    }
    Ok(all)
}

/// A chunk of events, column by column.
#[derive(Default)]
struct Arrays<'a> {
    kind: Vec<&'static str>,
    occurrence: Vec<Option<&'a str>>,
    date: Vec<Option<NaiveDate>>,
    percent: Vec<Option<i64>>,
    reason: Vec<Option<String>>,
    approved_by: Vec<Option<String>>,
    indicator: Vec<Option<String>>,
    executor: Vec<Option<String>>,
    period: Vec<Option<String>>,
    value: Vec<Option<f64>>,
    source: Vec<Option<String>>,
    supersedes: Vec<Option<i64>>,
    note: Vec<Option<&'a str>>,
    evidence: Vec<String>,
    author: Vec<&'a str>,
    recorded_at: Vec<String>,
    recorded_ts: Vec<i64>,
    batch: Vec<Option<&'a str>>,
}

impl<'a> Arrays<'a> {
    fn push(&mut self, e: &'a NewEvent) {
        let raw = Columns::of(&e.action);
        self.kind.push(e.action.name());
        self.occurrence.push(e.occurrence.as_deref());
        self.date.push(raw.date);
        self.percent.push(raw.percent);
        self.reason.push(raw.reason);
        self.approved_by.push(raw.approved_by);
        self.indicator.push(raw.indicator);
        self.executor.push(raw.executor);
        self.period.push(raw.period);
        self.value.push(raw.value);
        self.source.push(raw.source);
        self.supersedes.push(raw.supersedes);
        self.note.push(e.note.as_deref());
        self.evidence.push(evidence_json(&e.evidence));
        self.author.push(&e.author);
        self.recorded_at.push(e.recorded_at.to_rfc3339());
        self.recorded_ts.push(e.recorded_at.timestamp());
        self.batch.push(e.batch.as_deref());
    }
}

const SELECT: &str = "SELECT id, kind, occurrence, date, percent, reason, approved_by, indicator, executor, period,
                             value, source, supersedes, note, evidence, author, recorded_at, batch FROM events";

fn event_of(r: &postgres::Row) -> Result<Event, StoreError> {
    let id: i64 = r.try_get(0).map_err(read)?;
    let corrupt = |what: &str| StoreError::Corrupt { id, what: what.to_string() };
    let get = |i: usize| -> Result<Option<String>, StoreError> { r.try_get(i).map_err(read) };
    let raw = Columns {
        date: r.try_get(3).map_err(read)?,
        percent: r.try_get(4).map_err(read)?,
        reason: get(5)?,
        approved_by: get(6)?,
        indicator: get(7)?,
        executor: get(8)?,
        period: get(9)?,
        value: r.try_get(10).map_err(read)?,
        source: get(11)?,
        supersedes: r.try_get(12).map_err(read)?,
    };
    let kind: &str = r.try_get(1).map_err(read)?;
    let action = raw.action(kind).map_err(|what| corrupt(&what))?;
    let recorded_at: &str = r.try_get(16).map_err(read)?;
    Ok(Event {
        id,
        event: NewEvent {
            occurrence: get(2)?,
            action,
            note: get(13)?,
            evidence: evidence_of(r.try_get(14).map_err(read)?),
            author: get(15)?.ok_or_else(|| corrupt("пустое поле"))?,
            recorded_at: DateTime::parse_from_rfc3339(recorded_at).map_err(|_| corrupt("время записи"))?,
            batch: get(17)?,
        },
        carried: None,
    })
}

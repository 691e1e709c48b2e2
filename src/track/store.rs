//! The progress store: an append-only event log behind a small [`Store`] interface. The
//! default backend is one embedded SQLite file (WAL mode, schema migrations applied on open,
//! every write one transaction); a PostgreSQL backend would implement the same trait.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate};
use rusqlite::{Connection, ErrorCode, TransactionBehavior, params};

use super::event::{Action, Event, NewEvent};

/// Schema migrations, in order; the database's `user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_events.sql"),
    include_str!("migrations/0002_outbox.sql"),
    include_str!("migrations/0003_web.sql"),
];

/// What can go wrong with the store. Messages are for users, in Russian.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("не удалось открыть базу {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("база {path} создана более новой версией karta (схема {found}, эта версия знает {known})")]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("не удалось обновить схему базы: {0}")]
    Migrate(rusqlite::Error),
    #[error("не удалось записать в базу (ничего не записано): {0}")]
    Write(rusqlite::Error),
    #[error("не удалось прочитать базу: {0}")]
    Read(rusqlite::Error),
    #[error("{0}")]
    Conflict(String),
    #[error("в базе испорченная запись № {id}: {what}")]
    Corrupt { id: i64, what: String },
}

/// An append-only log of progress events.
pub trait Store {
    /// Records events, all or none, and returns their ids.
    fn append(&mut self, events: &[NewEvent]) -> Result<Vec<i64>, StoreError>;
    /// Every event, in the order recorded.
    fn events(&self) -> Result<Vec<Event>, StoreError>;
    /// One event by id.
    fn event(&self, id: i64) -> Result<Option<Event>, StoreError>;
}

/// The embedded SQLite store.
pub struct Sqlite {
    pub(super) conn: Connection,
}

impl Sqlite {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Sqlite, StoreError> {
        let open_err = |source| StoreError::Open { path: path.to_path_buf(), source };
        let mut conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(Duration::from_secs(15)).map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(open_err)?;
        migrate(&mut conn, path)?;
        Ok(Sqlite { conn })
    }

    /// `PRAGMA integrity_check`: "ok" for a sound file.
    pub fn integrity(&self) -> Result<String, StoreError> {
        self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(StoreError::Read)
    }
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    // Two processes may open a new file at once: take the write lock before reading the version.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::Migrate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(StoreError::Migrate)?;
    if version > known {
        return Err(StoreError::TooNew { path: path.to_path_buf(), found: version, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql).map_err(StoreError::Migrate)?;
        tx.pragma_update(None, "user_version", i as i64 + 1).map_err(StoreError::Migrate)?;
    }
    tx.commit().map_err(StoreError::Migrate)
}

impl Store for Sqlite {
    fn append(&mut self, events: &[NewEvent]) -> Result<Vec<i64>, StoreError> {
        // Busy retries on top of the busy timeout: a long import in another process is not an error.
        let mut attempt = 0;
        loop {
            match insert_all(&mut self.conn, events) {
                Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::DatabaseBusy && attempt < 5 => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(100 << attempt));
                }
                other => return other.map_err(StoreError::Write),
            }
        }
    }

    fn events(&self) -> Result<Vec<Event>, StoreError> {
        // Counted first, so that the list of hundreds of thousands of events is made once at its size.
        let count: i64 =
            self.conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).map_err(StoreError::Read)?;
        let mut events = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        let mut stmt = self.conn.prepare(&format!("{SELECT} ORDER BY recorded_ts, id")).map_err(StoreError::Read)?;
        let mut rows = stmt.query([]).map_err(StoreError::Read)?;
        while let Some(r) = rows.next().map_err(StoreError::Read)? {
            events.push(event_of(r)?);
        }
        Ok(events)
    }

    fn event(&self, id: i64) -> Result<Option<Event>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("{SELECT} WHERE id = ?1")).map_err(StoreError::Read)?;
        let mut rows = stmt.query([id]).map_err(StoreError::Read)?;
        rows.next().map_err(StoreError::Read)?.map(event_of).transpose()
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
    let read = StoreError::Read;
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

//! Approved versions in SQLite: a version row, its files and its carries, written in one
//! transaction. The tables' append-only rule is the schema's (triggers), not this code's.

use chrono::{DateTime, NaiveDate};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{Sqlite, read, write};
use crate::store::versions::already_approved;
use crate::store::{Carry, NewVersion, Order, Rule, StoreError, Version, VersionFile, Versions};

const SELECT: &str =
    "SELECT id, roadmap, number, document, order_number, order_date, approved_by, recorded_at FROM versions";

impl Versions for Sqlite {
    fn approve(&mut self, version: &NewVersion) -> Result<Version, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(write)?;
        let o = &version.order;
        let held: Option<i64> = tx
            .query_row(
                "SELECT number FROM versions
                 WHERE roadmap = ?1 AND document = ?2 AND order_number = ?3 AND order_date = ?4",
                params![version.roadmap, o.document, o.number, o.date.to_string()],
                |r| r.get(0),
            )
            .optional()
            .map_err(write)?;
        if let Some(number) = held {
            return Err(already_approved(&version.roadmap, o, number));
        }
        let number: i64 = tx
            .query_row(
                "SELECT coalesce(max(number), 0) + 1 FROM versions WHERE roadmap = ?1",
                [&version.roadmap],
                |r| r.get(0),
            )
            .map_err(write)?;
        let id = insert_into(&tx, version, number, None).map_err(write)?;
        tx.commit().map_err(write)?;
        Ok(version.recorded(id, number))
    }

    fn versions(&self, roadmap: Option<&str>) -> Result<Vec<Version>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("{SELECT} WHERE ?1 IS NULL OR roadmap = ?1 ORDER BY roadmap, number"))
            .map_err(read)?;
        let mut rows = stmt.query([roadmap]).map_err(read)?;
        let mut versions = Vec::new();
        while let Some(r) = rows.next().map_err(read)? {
            versions.push(version_of(r)?);
        }
        Ok(versions)
    }

    fn version_files(&self, version: i64) -> Result<Vec<VersionFile>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, content FROM version_files WHERE version = ?1 ORDER BY position")
            .map_err(read)?;
        stmt.query_map([version], |r| Ok(VersionFile { path: r.get(0)?, text: r.get(1)? }))
            .and_then(Iterator::collect)
            .map_err(read)
    }

    fn carries(&self) -> Result<Vec<(i64, Carry)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT version, occurrence, target, rule, point, title FROM carries ORDER BY version, occurrence")
            .map_err(read)?;
        let mut rows = stmt.query([]).map_err(read)?;
        let mut carries = Vec::new();
        while let Some(r) = rows.next().map_err(read)? {
            let version: i64 = r.get(0).map_err(read)?;
            let rule: String = r.get(3).map_err(read)?;
            let rule = Rule::parse(&rule)
                .ok_or_else(|| StoreError::Corrupt {
                    id: version, what: format!("правило перехода «{rule}»")
                })?;
            carries.push((
                version,
                Carry {
                    from: r.get(1).map_err(read)?,
                    to: r.get(2).map_err(read)?,
                    rule,
                    point: r.get(4).map_err(read)?,
                    title: r.get(5).map_err(read)?,
                },
            ));
        }
        Ok(carries)
    }
}

/// Inserts a version as `number` with its files and carries inside the caller's transaction
/// and returns its id. With `id`, the version keeps that number (a copy from another store).
pub(super) fn insert_into(
    tx: &Connection,
    version: &NewVersion,
    number: i64,
    id: Option<i64>,
) -> Result<i64, rusqlite::Error> {
    let o = &version.order;
    tx.execute(
        "INSERT INTO versions (id, roadmap, number, document, order_number, order_date, approved_by, recorded_at,
                               recorded_ts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            version.roadmap,
            number,
            o.document,
            o.number,
            o.date.to_string(),
            version.approved_by,
            version.recorded_at.to_rfc3339(),
            version.recorded_at.timestamp(),
        ],
    )?;
    let id = tx.last_insert_rowid();
    let mut file =
        tx.prepare_cached("INSERT INTO version_files (version, position, path, content) VALUES (?1, ?2, ?3, ?4)")?;
    for (position, f) in (1_i64..).zip(&version.files) {
        file.execute(params![id, position, f.path, f.text])?;
    }
    let mut carry = tx.prepare_cached(
        "INSERT INTO carries (version, occurrence, target, rule, point, title) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for c in &version.carries {
        carry.execute(params![id, c.from, c.to, c.rule.name(), c.point, c.title])?;
    }
    Ok(id)
}

/// A version from its row.
fn version_of(r: &rusqlite::Row<'_>) -> Result<Version, StoreError> {
    let id: i64 = r.get(0).map_err(read)?;
    let corrupt = |what: &str| StoreError::Corrupt { id, what: what.to_string() };
    let date: String = r.get(5).map_err(read)?;
    let recorded_at: String = r.get(7).map_err(read)?;
    Ok(Version {
        id,
        roadmap: r.get(1).map_err(read)?,
        number: r.get(2).map_err(read)?,
        order: Order {
            document: r.get(3).map_err(read)?,
            number: r.get(4).map_err(read)?,
            date: date.parse::<NaiveDate>().map_err(|_| corrupt("дата приказа"))?,
        },
        approved_by: r.get(6).map_err(read)?,
        recorded_at: DateTime::parse_from_rfc3339(&recorded_at).map_err(|_| corrupt("время записи"))?,
    })
}

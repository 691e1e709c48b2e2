//! The outbox in SQLite: the `notices` and `messages` tables.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Sqlite, read, write};
use crate::store::{Notice, Outbox, Outgoing, StoreError, Stored};

pub(super) const NOTICE: &str = "SELECT id, key, rule, occurrence, roadmap, recipient, name, tz, day, expires, payload, state, \
                      message_id, planned_at, closed_at, why FROM notices";

pub(super) fn notice(r: &rusqlite::Row) -> rusqlite::Result<Stored> {
    let day: String = r.get(8)?;
    let expires: String = r.get(9)?;
    let payload: String = r.get(10)?;
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
    Ok(Stored {
        id: r.get(0)?,
        notice: Notice {
            key: r.get(1)?,
            rule: r.get(2)?,
            occurrence: r.get(3)?,
            roadmap: r.get(4)?,
            recipient: r.get(5)?,
            name: r.get(6)?,
            tz: r.get(7)?,
            day: date(&day),
            expires: date(&expires),
            payload: serde_json::value::RawValue::from_string(payload)
                .or_else(|_| serde_json::value::RawValue::from_string("{}".into()))
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?,
        },
        state: r.get(11)?,
        message_id: r.get(12)?,
        planned_at: r.get(13)?,
        closed_at: r.get(14)?,
        why: r.get(15)?,
    })
}

impl Outbox for Sqlite {
    fn plan_notices(&mut self, notices: &[Notice], now: DateTime<FixedOffset>) -> Result<usize, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(write)?;
        let mut added = 0;
        {
            let mut insert = tx
                .prepare(
                    "INSERT OR IGNORE INTO notices (key, rule, occurrence, roadmap, recipient, name, tz, day, expires, \
                     payload, state, planned_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'planned', ?11)",
                )
                .map_err(write)?;
            for n in notices {
                added += insert
                    .execute(params![
                        n.key,
                        n.rule,
                        n.occurrence,
                        n.roadmap,
                        n.recipient,
                        n.name,
                        n.tz,
                        n.day.to_string(),
                        n.expires.to_string(),
                        n.payload.get(),
                        now.to_rfc3339()
                    ])
                    .map_err(write)?;
            }
        }
        tx.commit().map_err(write)?;
        Ok(added)
    }

    fn planned(&self) -> Result<Vec<Stored>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("{NOTICE} WHERE state = 'planned' ORDER BY id")).map_err(read)?;
        stmt.query_map([], notice).and_then(Iterator::collect).map_err(read)
    }

    fn notices(&self) -> Result<Vec<Stored>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("{NOTICE} ORDER BY id")).map_err(read)?;
        stmt.query_map([], notice).and_then(Iterator::collect).map_err(read)
    }

    fn cancel_notices(&mut self, ids: &[(i64, String)], now: DateTime<FixedOffset>) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(write)?;
        for (id, why) in ids {
            tx.execute(
                "UPDATE notices SET state = 'cancelled', closed_at = ?2, why = ?3 WHERE id = ?1 AND state = 'planned'",
                params![id, now.to_rfc3339(), why],
            )
            .map_err(write)?;
        }
        tx.commit().map_err(write)
    }

    fn fail_notices(&mut self, ids: &[i64], why: &str, now: DateTime<FixedOffset>) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(write)?;
        for id in ids {
            tx.execute(
                "UPDATE notices SET state = 'failed', closed_at = ?2, why = ?3 WHERE id = ?1 AND state = 'planned'",
                params![id, now.to_rfc3339(), why],
            )
            .map_err(write)?;
        }
        tx.commit().map_err(write)
    }

    fn compose_parts(&mut self, parts: &[Outgoing], notices: &[i64]) -> Result<(), StoreError> {
        let Some(first) = parts.first() else { return Ok(()) };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(write)?;
        for message in parts {
            insert_message(&tx, message).map_err(write)?;
        }
        for id in notices {
            tx.execute(
                "UPDATE notices SET state = 'sending', message_id = ?2 WHERE id = ?1 AND state = 'planned'",
                params![id, first.message_id],
            )
            .map_err(write)?;
        }
        tx.commit().map_err(write)
    }

    fn outgoing(&self, now: DateTime<FixedOffset>) -> Result<Vec<Outgoing>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT message_id, recipient, subject, eml, attempts, created_at, answers FROM messages \
                 WHERE state = 'sending' AND next_ts <= ?1 ORDER BY created_ts, message_id",
            )
            .map_err(read)?;
        stmt.query_map([now.timestamp()], |r| {
            let created: String = r.get(5)?;
            Ok(Outgoing {
                message_id: r.get(0)?,
                recipient: r.get(1)?,
                subject: r.get(2)?,
                eml: r.get(3)?,
                attempts: r.get(4)?,
                created: DateTime::parse_from_rfc3339(&created).unwrap_or_default(),
                answers: r.get(6)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(read)
    }

    fn delivered(
        &mut self,
        message_id: &str,
        post: Option<&str>,
        now: DateTime<FixedOffset>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(write)?;
        tx.execute(
            "UPDATE messages SET state = 'sent', sent_at = ?2, attempts = attempts + 1, post = ?3 WHERE message_id = ?1",
            params![message_id, now.to_rfc3339(), post],
        )
        .map_err(write)?;
        tx.execute(
            "UPDATE notices SET state = 'sent', closed_at = ?2 WHERE message_id = ?1",
            params![message_id, now.to_rfc3339()],
        )
        .map_err(write)?;
        tx.commit().map_err(write)
    }

    fn undelivered(
        &mut self,
        message_id: &str,
        error: &str,
        retry: Option<DateTime<FixedOffset>>,
        now: DateTime<FixedOffset>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(write)?;
        match retry {
            Some(at) => tx.execute(
                "UPDATE messages SET attempts = attempts + 1, next_ts = ?2, last_error = ?3 WHERE message_id = ?1",
                params![message_id, at.timestamp(), error],
            ),
            None => tx
                .execute(
                    "UPDATE messages SET state = 'failed', attempts = attempts + 1, last_error = ?2 WHERE message_id = ?1",
                    params![message_id, error],
                )
                .and_then(|_| {
                    tx.execute(
                        "UPDATE notices SET state = 'failed', closed_at = ?2, why = ?3 WHERE message_id = ?1",
                        params![message_id, now.to_rfc3339(), error],
                    )
                }),
        }
        .map_err(write)?;
        tx.commit().map_err(write)
    }

    fn notice_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT state, count(*) FROM notices GROUP BY state ORDER BY state").map_err(read)?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).and_then(Iterator::collect).map_err(read)
    }

    fn message_error(&self, message_id: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT last_error FROM messages WHERE message_id = ?1", [message_id], |r| r.get(0))
            .optional()
            .map(Option::flatten)
            .map_err(read)
    }
}

/// Writes `message` to send, inside the caller's transaction (a message already written is left
/// as it is).
pub(super) fn insert_message(tx: &rusqlite::Connection, message: &Outgoing) -> Result<(), rusqlite::Error> {
    tx.execute(
        "INSERT OR IGNORE INTO messages (message_id, recipient, subject, eml, state, next_ts, created_at, created_ts, \
         answers) VALUES (?1, ?2, ?3, ?4, 'sending', ?5, ?6, ?5, ?7)",
        params![
            message.message_id,
            message.recipient,
            message.subject,
            message.eml,
            message.created.timestamp(),
            message.created.to_rfc3339(),
            message.answers
        ],
    )
    .map(drop)
}

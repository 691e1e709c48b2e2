//! The outbox in PostgreSQL: the `notices` and `messages` tables. Sending claims one message at
//! a time with its row lock held through the send (`FOR UPDATE SKIP LOCKED`): another sender
//! skips it, and if this process dies mid-send the lock goes with its connection and the
//! message is sent again by whoever sends next (the documented duplicate window).

use chrono::{DateTime, FixedOffset};
use postgres::{Client, GenericClient};

use super::{Postgres, read, write};
use crate::store::{Delivery, Notice, Outbox, Outgoing, StoreError, Stored};

pub(super) const NOTICE: &str = "SELECT id, key, rule, occurrence, roadmap, recipient, name, tz, day, expires, payload, state, \
                      message_id, planned_at, closed_at, why FROM notices";

const OUTGOING: &str = "SELECT message_id, recipient, subject, eml, attempts, created_at, answers FROM messages \
                        WHERE state = 'sending' AND next_ts <= $1";

pub(super) fn notice(r: &postgres::Row) -> Result<Stored, StoreError> {
    let payload: String = r.try_get(10).map_err(read)?;
    Ok(Stored {
        id: r.try_get(0).map_err(read)?,
        notice: Notice {
            key: r.try_get(1).map_err(read)?,
            rule: r.try_get(2).map_err(read)?,
            occurrence: r.try_get(3).map_err(read)?,
            roadmap: r.try_get(4).map_err(read)?,
            recipient: r.try_get(5).map_err(read)?,
            name: r.try_get(6).map_err(read)?,
            tz: r.try_get(7).map_err(read)?,
            day: r.try_get(8).map_err(read)?,
            expires: r.try_get(9).map_err(read)?,
            payload: serde_json::value::RawValue::from_string(payload)
                .or_else(|_| serde_json::value::RawValue::from_string("{}".into()))
                .map_err(|e| StoreError::Read(e.to_string()))?,
        },
        state: r.try_get(11).map_err(read)?,
        message_id: r.try_get(12).map_err(read)?,
        planned_at: r.try_get(13).map_err(read)?,
        closed_at: r.try_get(14).map_err(read)?,
        why: r.try_get(15).map_err(read)?,
    })
}

fn outgoing(r: &postgres::Row) -> Result<Outgoing, StoreError> {
    let created: String = r.try_get(5).map_err(read)?;
    Ok(Outgoing {
        message_id: r.try_get(0).map_err(read)?,
        recipient: r.try_get(1).map_err(read)?,
        subject: r.try_get(2).map_err(read)?,
        eml: r.try_get(3).map_err(read)?,
        attempts: r.try_get(4).map_err(read)?,
        created: DateTime::parse_from_rfc3339(&created).unwrap_or_default(),
        answers: r.try_get(6).map_err(read)?,
    })
}

impl Outbox for Postgres {
    fn plan_notices(&mut self, notices: &[Notice], now: DateTime<FixedOffset>) -> Result<usize, StoreError> {
        self.run(|c| {
            let mut tx = c.transaction().map_err(write)?;
            let insert = tx
            .prepare(
                "INSERT INTO notices (key, rule, occurrence, roadmap, recipient, name, tz, day, expires, payload, state,
                                      planned_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'planned', $11) ON CONFLICT (key) DO NOTHING",
            )
            .map_err(write)?;
            let now = now.to_rfc3339();
            let mut added = 0;
            for n in notices {
                added += tx
                    .execute(
                        &insert,
                        &[
                            &n.key,
                            &n.rule,
                            &n.occurrence,
                            &n.roadmap,
                            &n.recipient,
                            &n.name,
                            &n.tz,
                            &n.day,
                            &n.expires,
                            &n.payload.get(),
                            &now,
                        ],
                    )
                    .map_err(write)?;
            }
            tx.commit().map_err(write)?;
            Ok(added as usize)
        })
    }

    fn planned(&self) -> Result<Vec<Stored>, StoreError> {
        let rows =
            self.run(|c| c.query(&format!("{NOTICE} WHERE state = 'planned' ORDER BY id"), &[]).map_err(read))?;
        rows.iter().map(notice).collect()
    }

    fn notices(&self) -> Result<Vec<Stored>, StoreError> {
        let rows = self.run(|c| c.query(&format!("{NOTICE} ORDER BY id"), &[]).map_err(read))?;
        rows.iter().map(notice).collect()
    }

    fn cancel_notices(&mut self, ids: &[(i64, String)], now: DateTime<FixedOffset>) -> Result<(), StoreError> {
        self.close_notices(ids.iter().map(|(id, why)| (*id, why.as_str())), "cancelled", now)
    }

    fn fail_notices(&mut self, ids: &[i64], why: &str, now: DateTime<FixedOffset>) -> Result<(), StoreError> {
        self.close_notices(ids.iter().map(|id| (*id, why)), "failed", now)
    }

    fn compose_parts(&mut self, parts: &[Outgoing], notices: &[i64]) -> Result<(), StoreError> {
        let Some(first) = parts.first() else { return Ok(()) };
        self.run(|c| {
            let mut tx = c.transaction().map_err(write)?;
            for message in parts {
                insert_message(&mut tx, message)?;
            }
            tx.execute(
                "UPDATE notices SET state = 'sending', message_id = $2 WHERE id = ANY($1) AND state = 'planned'",
                &[&notices, &first.message_id],
            )
            .map_err(write)?;
            tx.commit().map_err(write)
        })
    }

    fn outgoing(&self, now: DateTime<FixedOffset>) -> Result<Vec<Outgoing>, StoreError> {
        let rows = self.run(|c| {
            c.query(&format!("{OUTGOING} ORDER BY created_ts, message_id"), &[&now.timestamp()]).map_err(read)
        })?;
        rows.iter().map(outgoing).collect()
    }

    fn delivered(
        &mut self,
        message_id: &str,
        post: Option<&str>,
        now: DateTime<FixedOffset>,
    ) -> Result<(), StoreError> {
        self.run(|c| recorded(c, message_id, &Delivery::Sent { post: post.map(str::to_string) }, now))
    }

    fn undelivered(
        &mut self,
        message_id: &str,
        error: &str,
        retry: Option<DateTime<FixedOffset>>,
        now: DateTime<FixedOffset>,
    ) -> Result<(), StoreError> {
        self.run(|c| recorded(c, message_id, &Delivery::failed(error, retry), now))
    }

    /// One transaction per message: claim it (skipping any another sender holds), send it,
    /// record the outcome, commit. Runs on the caller's thread (sending blocks anyway: the
    /// caller is never an async thread).
    fn send_due(
        &mut self,
        now: DateTime<FixedOffset>,
        deliver: &mut dyn FnMut(&Outgoing) -> Delivery,
    ) -> Result<Vec<(Outgoing, Delivery)>, StoreError> {
        let mut done: Vec<(Outgoing, Delivery)> = Vec::new();
        loop {
            let mut guard = self.client.borrow_mut();
            let client = guard.as_mut().expect("a store's connection lives as long as the store");
            let mut tx = client.transaction().map_err(write)?;
            let handled: Vec<&str> = done.iter().map(|(m, _)| m.message_id.as_str()).collect();
            let row = tx
                .query_opt(
                    &format!(
                        "{OUTGOING} AND NOT message_id = ANY($2) ORDER BY created_ts, message_id \
                         LIMIT 1 FOR UPDATE SKIP LOCKED"
                    ),
                    &[&now.timestamp(), &handled],
                )
                .map_err(write)?;
            let Some(row) = row else { break };
            let message = outgoing(&row)?;
            let outcome = deliver(&message);
            record(&mut tx, &message.message_id, &outcome, now)?;
            tx.commit().map_err(write)?;
            done.push((message, outcome));
        }
        Ok(done)
    }

    fn notice_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = self
            .run(|c| c.query("SELECT state, count(*) FROM notices GROUP BY state ORDER BY state", &[]).map_err(read))?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn message_error(&self, message_id: &str) -> Result<Option<String>, StoreError> {
        let row = self.run(|c| {
            c.query_opt("SELECT last_error FROM messages WHERE message_id = $1", &[&message_id]).map_err(read)
        })?;
        Ok(row.and_then(|r| r.get(0)))
    }
}

impl Postgres {
    /// Closes planned notices in one state, each with its reason, in one transaction.
    fn close_notices<'a>(
        &mut self,
        ids: impl Iterator<Item = (i64, &'a str)>,
        state: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<(), StoreError> {
        let (ids, whys): (Vec<i64>, Vec<&str>) = ids.unzip();
        self.run(|c| {
            c.execute(
                "UPDATE notices n SET state = $1, closed_at = $2, why = c.why
                 FROM unnest($3::bigint[], $4::text[]) AS c (id, why)
                 WHERE n.id = c.id AND n.state = 'planned'",
                &[&state, &now.to_rfc3339(), &ids, &whys],
            )
            .map(drop)
            .map_err(write)
        })
    }
}

/// Records what became of a send, in a transaction of its own.
fn recorded(
    c: &mut Client,
    message_id: &str,
    outcome: &Delivery,
    now: DateTime<FixedOffset>,
) -> Result<(), StoreError> {
    let mut tx = c.transaction().map_err(write)?;
    record(&mut tx, message_id, outcome, now)?;
    tx.commit().map_err(write)
}

/// Records what became of a send, inside the caller's transaction.
fn record(
    tx: &mut impl GenericClient,
    message_id: &str,
    outcome: &Delivery,
    now: DateTime<FixedOffset>,
) -> Result<(), StoreError> {
    let now = now.to_rfc3339();
    match outcome {
        Delivery::Sent { post } => {
            tx.execute(
                "UPDATE messages SET state = 'sent', sent_at = $2, attempts = attempts + 1, post = $3 WHERE message_id = $1",
                &[&message_id, &now, post],
            )
            .map_err(write)?;
            tx.execute("UPDATE notices SET state = 'sent', closed_at = $2 WHERE message_id = $1", &[&message_id, &now])
                .map_err(write)?;
        }
        Delivery::Retry { at, error } => {
            tx.execute(
                "UPDATE messages SET attempts = attempts + 1, next_ts = $2, last_error = $3 WHERE message_id = $1",
                &[&message_id, &at.timestamp(), error],
            )
            .map_err(write)?;
        }
        Delivery::Failed { error } => {
            tx.execute(
                "UPDATE messages SET state = 'failed', attempts = attempts + 1, last_error = $2 WHERE message_id = $1",
                &[&message_id, error],
            )
            .map_err(write)?;
            tx.execute(
                "UPDATE notices SET state = 'failed', closed_at = $2, why = $3 WHERE message_id = $1",
                &[&message_id, &now, error],
            )
            .map_err(write)?;
        }
    }
    Ok(())
}

/// Writes `message` to send, inside the caller's transaction (a message already written is left
/// as it is).
pub(super) fn insert_message(tx: &mut impl GenericClient, message: &Outgoing) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO messages (message_id, recipient, subject, eml, state, next_ts, created_at, created_ts, answers)
         VALUES ($1, $2, $3, $4, 'sending', $5, $6, $5, $7) ON CONFLICT (message_id) DO NOTHING",
        &[
            &message.message_id,
            &message.recipient,
            &message.subject,
            &message.eml,
            &message.created.timestamp(),
            &message.created.to_rfc3339(),
            &message.answers,
        ],
    )
    .map(drop)
    .map_err(write)
}

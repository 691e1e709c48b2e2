//! Replies to notices in PostgreSQL: the `secrets` and `handled` tables, and the notices of a
//! sent message. Two instances handling the same message at once: the second one's insert of
//! the handled mark waits for the first's transaction and then finds the row, so it writes
//! nothing.

use postgres::Client;

use super::{Postgres, read, write};
use crate::store::inbox::{Item, bracketed};
use crate::store::{Handled, Inbox, NewMove, Outgoing, Sent, StoreError};
use crate::track::NewEvent;

impl Inbox for Postgres {
    fn secret(&mut self, name: &str, fresh: &str) -> Result<String, StoreError> {
        self.run(|c| {
            c.execute(
                "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                &[&name, &fresh],
            )
            .map_err(write)?;
            c.query_one("SELECT value FROM secrets WHERE name = $1", &[&name]).map(|r| r.get(0)).map_err(read)
        })
    }

    fn sent_with(&self, notice: i64) -> Result<Option<Sent>, StoreError> {
        self.run(|c| {
            let row = c.query_opt("SELECT message_id FROM notices WHERE id = $1", &[&notice]).map_err(read)?;
            match row.and_then(|r| r.get::<_, Option<String>>(0)) {
                Some(id) => sent(c, &id),
                None => Ok(None),
            }
        })
    }

    fn sent_as(&self, message_id: &str) -> Result<Option<Sent>, StoreError> {
        let id = bracketed(message_id);
        self.run(|c| sent(c, &id))
    }

    fn handled(&self, message_id: &str) -> Result<bool, StoreError> {
        self.run(|c| {
            c.query_one("SELECT count(*) > 0 FROM handled WHERE message_id = $1", &[&message_id])
                .map(|r| r.get(0))
                .map_err(read)
        })
    }

    fn handle(
        &mut self,
        mark: &Handled,
        events: &[NewEvent],
        moves: &[NewMove],
        answer: Option<&Outgoing>,
    ) -> Result<Option<Vec<i64>>, StoreError> {
        self.run(|c| {
            let mut tx = c.transaction().map_err(write)?;
            if !mark_handled(&mut tx, mark)? {
                return Ok(None);
            }
            let ids = if events.is_empty() { Vec::new() } else { super::events::insert_into(&mut tx, events, None)? };
            let at = mark.at.to_rfc3339();
            for m in moves {
                super::accounts::insert_move(&mut tx, &m.occurrence, m.to, &m.reason, &m.by, &at)?;
            }
            if let Some(message) = answer {
                super::outbox::insert_message(&mut tx, message)?;
            }
            tx.commit().map_err(write)?;
            Ok(Some(ids))
        })
    }
}

/// The message `id` (in angle brackets) and its notices.
fn sent(c: &mut Client, id: &str) -> Result<Option<Sent>, StoreError> {
    let Some(row) = c.query_opt("SELECT recipient FROM messages WHERE message_id = $1", &[&id]).map_err(read)? else {
        return Ok(None);
    };
    let notices = c
        .query("SELECT occurrence, day FROM notices WHERE message_id = $1 ORDER BY id", &[&id])
        .map_err(read)?
        .iter()
        .map(|r| Ok(Item { occurrence: r.try_get(0).map_err(read)?, day: r.try_get(1).map_err(read)? }))
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(Sent { message_id: id.to_string(), recipient: row.get(0), notices }))
}

/// Marks an incoming message handled inside the caller's transaction; `false` when it was already.
pub(super) fn mark_handled(tx: &mut impl postgres::GenericClient, mark: &Handled) -> Result<bool, StoreError> {
    tx.execute(
        "INSERT INTO handled (message_id, sender, outcome, detail, handled_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (message_id) DO NOTHING",
        &[&mark.message_id, &mark.sender, &mark.outcome.name(), &mark.detail, &mark.at.to_rfc3339()],
    )
    .map(|n| n > 0)
    .map_err(write)
}

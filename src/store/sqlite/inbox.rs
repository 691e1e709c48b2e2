//! Replies to notices in SQLite: the `secrets` and `handled` tables, and the notices of a sent
//! message looked up by a notice's id or the message's Message-ID.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Sqlite, read, write};
use crate::store::inbox::{Item, bracketed};
use crate::store::{Handled, Inbox, NewMove, Outgoing, Sent, StoreError};
use crate::track::NewEvent;

impl Inbox for Sqlite {
    fn secret(&mut self, name: &str, fresh: &str) -> Result<String, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(write)?;
        tx.execute("INSERT OR IGNORE INTO secrets (name, value) VALUES (?1, ?2)", params![name, fresh])
            .map_err(write)?;
        let value: String =
            tx.query_row("SELECT value FROM secrets WHERE name = ?1", [name], |r| r.get(0)).map_err(read)?;
        tx.commit().map_err(write)?;
        Ok(value)
    }

    fn sent_with(&self, notice: i64) -> Result<Option<Sent>, StoreError> {
        let id: Option<Option<String>> = self
            .conn
            .query_row("SELECT message_id FROM notices WHERE id = ?1", [notice], |r| r.get(0))
            .optional()
            .map_err(read)?;
        match id.flatten() {
            Some(id) => self.sent_as(&id),
            None => Ok(None),
        }
    }

    fn sent_as(&self, message_id: &str) -> Result<Option<Sent>, StoreError> {
        let id = bracketed(message_id);
        let recipient: Option<String> = self
            .conn
            .query_row("SELECT recipient FROM messages WHERE message_id = ?1", [&id], |r| r.get(0))
            .optional()
            .map_err(read)?;
        let Some(recipient) = recipient else { return Ok(None) };
        let mut stmt =
            self.conn.prepare("SELECT occurrence, day FROM notices WHERE message_id = ?1 ORDER BY id").map_err(read)?;
        let notices = stmt
            .query_map([&id], |r| {
                let day: String = r.get(1)?;
                Ok(Item { occurrence: r.get(0)?, day: NaiveDate::parse_from_str(&day, "%Y-%m-%d").unwrap_or_default() })
            })
            .and_then(Iterator::collect)
            .map_err(read)?;
        Ok(Some(Sent { message_id: id, recipient, notices }))
    }

    fn handled(&self, message_id: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row("SELECT count(*) > 0 FROM handled WHERE message_id = ?1", [message_id], |r| r.get(0))
            .map_err(read)
    }

    fn handle(
        &mut self,
        mark: &Handled,
        events: &[NewEvent],
        moves: &[NewMove],
        answer: Option<&Outgoing>,
    ) -> Result<Option<Vec<i64>>, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(write)?;
        if !mark_handled(&tx, mark).map_err(write)? {
            // Handled already: the transaction is dropped, nothing is written.
            return Ok(None);
        }
        let ids = super::events::insert_into(&tx, events, None).map_err(write)?;
        let at = mark.at.to_rfc3339();
        for m in moves {
            super::accounts::insert_move(&tx, &m.occurrence, m.to, &m.reason, &m.by, &at).map_err(write)?;
        }
        if let Some(message) = answer {
            super::outbox::insert_message(&tx, message).map_err(write)?;
        }
        tx.commit().map_err(write)?;
        Ok(Some(ids))
    }
}

/// Marks an incoming message handled inside the caller's transaction; `false` when it was already.
pub(super) fn mark_handled(tx: &rusqlite::Connection, mark: &Handled) -> Result<bool, rusqlite::Error> {
    tx.execute(
        "INSERT OR IGNORE INTO handled (message_id, sender, outcome, detail, handled_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![mark.message_id, mark.sender, mark.outcome.name(), mark.detail, mark.at.to_rfc3339()],
    )
    .map(|n| n > 0)
}

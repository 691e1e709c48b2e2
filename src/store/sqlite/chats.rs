//! Chats in SQLite: the `chat_links`, `link_codes` and `cursors` tables, and the messages
//! posted to chats by the id the messenger gave them.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Sqlite, read, write};
use crate::store::{ChatLink, Chats, Handled, Linking, Outgoing, StoreError, User};

impl Chats for Sqlite {
    fn issue_link_code(
        &mut self,
        user: i64,
        digest: &str,
        expires: chrono::DateTime<chrono::FixedOffset>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(write)?;
        tx.execute("DELETE FROM link_codes WHERE user_id = ?1", [user]).map_err(write)?;
        tx.execute(
            "INSERT INTO link_codes (digest, user_id, expires_ts) VALUES (?1, ?2, ?3)",
            params![digest, user, expires.timestamp()],
        )
        .map_err(write)?;
        tx.commit().map_err(write)
    }

    fn link_chat(
        &mut self,
        digest: &str,
        link: &ChatLink,
        mark: &Handled,
        answer: &mut (dyn FnMut(Option<&User>) -> Outgoing + Send),
    ) -> Result<Linking, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(write)?;
        if !super::inbox::mark_handled(&tx, mark).map_err(write)? {
            return Ok(Linking::Repeat);
        }
        let owner: Option<i64> = tx
            .query_row(
                "DELETE FROM link_codes WHERE digest = ?1 AND expires_ts > ?2 RETURNING user_id",
                params![digest, mark.at.timestamp()],
                |r| r.get(0),
            )
            .optional()
            .map_err(write)?;
        let user = match owner {
            Some(owner) => {
                tx.execute(
                    "INSERT INTO chat_links (messenger, chat_user, user_id, name, linked_at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (messenger, chat_user) DO UPDATE SET user_id = ?3, name = ?4, linked_at = ?5",
                    params![link.messenger, link.chat_user, owner, link.name, link.linked_at],
                )
                .map_err(write)?;
                super::accounts::user_by_id(&tx, owner).map_err(read)?
            }
            None => None,
        };
        super::outbox::insert_message(&tx, &answer(user.as_ref())).map_err(write)?;
        tx.commit().map_err(write)?;
        Ok(user.map_or(Linking::BadCode, Linking::Linked))
    }

    fn chat_account(&self, messenger: &str, chat_user: &str) -> Result<Option<User>, StoreError> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT user_id FROM chat_links WHERE messenger = ?1 AND chat_user = ?2",
                params![messenger, chat_user],
                |r| r.get(0),
            )
            .optional()
            .map_err(read)?;
        match id {
            Some(id) => super::accounts::user_by_id(&self.conn, id).map_err(read),
            None => Ok(None),
        }
    }

    fn chat_links(&self, user: i64) -> Result<Vec<ChatLink>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT messenger, chat_user, name, linked_at FROM chat_links WHERE user_id = ?1
                 ORDER BY messenger, chat_user",
            )
            .map_err(read)?;
        stmt.query_map([user], |r| {
            Ok(ChatLink { messenger: r.get(0)?, chat_user: r.get(1)?, name: r.get(2)?, linked_at: r.get(3)? })
        })
        .and_then(Iterator::collect)
        .map_err(read)
    }

    fn unlink_chat(&mut self, user: i64, messenger: &str, chat_user: &str) -> Result<bool, StoreError> {
        self.conn
            .execute(
                "DELETE FROM chat_links WHERE user_id = ?1 AND messenger = ?2 AND chat_user = ?3",
                params![user, messenger, chat_user],
            )
            .map(|n| n > 0)
            .map_err(write)
    }

    fn posted_as(&self, recipient: &str, post: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT message_id FROM messages WHERE recipient = ?1 AND post = ?2",
                params![recipient, post],
                |r| r.get(0),
            )
            .optional()
            .map_err(read)
    }

    fn cursor(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.conn.query_row("SELECT value FROM cursors WHERE name = ?1", [name], |r| r.get(0)).optional().map_err(read)
    }

    fn set_cursor(&mut self, name: &str, value: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO cursors (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = ?2",
                params![name, value],
            )
            .map(drop)
            .map_err(write)
    }
}

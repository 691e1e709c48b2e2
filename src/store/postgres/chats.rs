//! Chats in PostgreSQL: the `chat_links`, `link_codes` and `cursors` tables, and the messages
//! posted to chats by the id the messenger gave them. Two instances reading the same chat
//! message at once: the second one's insert of the handled mark waits for the first's
//! transaction and then finds the row, so it links and answers nothing.

use postgres::GenericClient;

use super::accounts::{USER, user_row, with_bindings};
use super::{Postgres, read, write};
use crate::store::{ChatLink, Chats, Handled, Linking, Outgoing, StoreError, User};

impl Chats for Postgres {
    fn issue_link_code(
        &mut self,
        user: i64,
        digest: &str,
        expires: chrono::DateTime<chrono::FixedOffset>,
    ) -> Result<(), StoreError> {
        self.run(|c| {
            let mut tx = c.transaction().map_err(write)?;
            tx.execute("DELETE FROM link_codes WHERE user_id = $1", &[&user]).map_err(write)?;
            tx.execute(
                "INSERT INTO link_codes (digest, user_id, expires_ts) VALUES ($1, $2, $3)",
                &[&digest, &user, &expires.timestamp()],
            )
            .map_err(write)?;
            tx.commit().map_err(write)
        })
    }

    fn link_chat(
        &mut self,
        digest: &str,
        link: &ChatLink,
        mark: &Handled,
        answer: &mut (dyn FnMut(Option<&User>) -> Outgoing + Send),
    ) -> Result<Linking, StoreError> {
        self.run(|c| {
            let mut tx = c.transaction().map_err(write)?;
            if !super::inbox::mark_handled(&mut tx, mark)? {
                return Ok(Linking::Repeat);
            }
            let owner: Option<i64> = tx
                .query_opt(
                    "DELETE FROM link_codes WHERE digest = $1 AND expires_ts > $2 RETURNING user_id",
                    &[&digest, &mark.at.timestamp()],
                )
                .map_err(write)?
                .map(|r| r.get(0));
            let user = match owner {
                Some(owner) => {
                    tx.execute(
                        "INSERT INTO chat_links (messenger, chat_user, user_id, name, linked_at)
                         VALUES ($1, $2, $3, $4, $5)
                         ON CONFLICT (messenger, chat_user) DO UPDATE SET user_id = $3, name = $4, linked_at = $5",
                        &[&link.messenger, &link.chat_user, &owner, &link.name, &link.linked_at],
                    )
                    .map_err(write)?;
                    account(&mut tx, owner)?
                }
                None => None,
            };
            super::outbox::insert_message(&mut tx, &answer(user.as_ref()))?;
            tx.commit().map_err(write)?;
            Ok(user.map_or(Linking::BadCode, Linking::Linked))
        })
    }

    fn chat_account(&self, messenger: &str, chat_user: &str) -> Result<Option<User>, StoreError> {
        self.run(|c| {
            let row = c
                .query_opt(
                    "SELECT user_id FROM chat_links WHERE messenger = $1 AND chat_user = $2",
                    &[&messenger, &chat_user],
                )
                .map_err(read)?;
            match row {
                Some(row) => account(c, row.get(0)),
                None => Ok(None),
            }
        })
    }

    fn chat_links(&self, user: i64) -> Result<Vec<ChatLink>, StoreError> {
        let rows = self.run(|c| {
            c.query(
                "SELECT messenger, chat_user, name, linked_at FROM chat_links WHERE user_id = $1
                 ORDER BY messenger, chat_user",
                &[&user],
            )
            .map_err(read)
        })?;
        Ok(rows
            .iter()
            .map(|r| ChatLink { messenger: r.get(0), chat_user: r.get(1), name: r.get(2), linked_at: r.get(3) })
            .collect())
    }

    fn unlink_chat(&mut self, user: i64, messenger: &str, chat_user: &str) -> Result<bool, StoreError> {
        self.run(|c| {
            c.execute(
                "DELETE FROM chat_links WHERE user_id = $1 AND messenger = $2 AND chat_user = $3",
                &[&user, &messenger, &chat_user],
            )
            .map(|n| n > 0)
            .map_err(write)
        })
    }

    fn posted_as(&self, recipient: &str, post: &str) -> Result<Option<String>, StoreError> {
        self.run(|c| {
            c.query_opt("SELECT message_id FROM messages WHERE recipient = $1 AND post = $2", &[&recipient, &post])
                .map(|r| r.map(|r| r.get(0)))
                .map_err(read)
        })
    }

    fn cursor(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.run(|c| {
            c.query_opt("SELECT value FROM cursors WHERE name = $1", &[&name])
                .map(|r| r.map(|r| r.get(0)))
                .map_err(read)
        })
    }

    fn set_cursor(&mut self, name: &str, value: &str) -> Result<(), StoreError> {
        self.run(|c| {
            c.execute(
                "INSERT INTO cursors (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = $2",
                &[&name, &value],
            )
            .map(drop)
            .map_err(write)
        })
    }
}

/// The account `id` with its bindings.
fn account(c: &mut impl GenericClient, id: i64) -> Result<Option<User>, StoreError> {
    let row = c.query_opt(&format!("{USER} WHERE id = $1"), &[&id]).map_err(read)?;
    row.map(|r| with_bindings(c, user_row(&r)?)).transpose()
}

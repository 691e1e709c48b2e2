//! Every row of a PostgreSQL store, out and in (`karta store copy`).

use postgres::{Client, Row};

use super::events::insert_into;
use super::{Postgres, read, versions, write};
use crate::store::copy::{
    Account, Contents, HandledRow, LinkRow, Message, MoveRow, Session, TABLES, Token, by_id, versions_of,
};
use crate::store::{ChatLink, EventLog, MoveRequest, Outbox, StoreError};

impl Postgres {
    pub(super) fn contents(&self) -> Result<Contents, StoreError> {
        let events = by_id(self.events()?);
        let notices = self.notices()?;
        let versions = versions_of(self)?;
        self.run(|c| {
            Ok(Contents {
                events,
                notices,
                versions,
                messages: rows(
                    c,
                    "SELECT message_id, recipient, subject, eml, state, attempts, next_ts, created_at, created_ts,
                            sent_at, last_error, post, answers FROM messages
                     ORDER BY created_ts, message_id COLLATE \"C\"",
                    |r| {
                        Ok(Message {
                            message_id: r.try_get(0)?,
                            recipient: r.try_get(1)?,
                            subject: r.try_get(2)?,
                            eml: r.try_get(3)?,
                            state: r.try_get(4)?,
                            attempts: r.try_get(5)?,
                            next_ts: r.try_get(6)?,
                            created_at: r.try_get(7)?,
                            created_ts: r.try_get(8)?,
                            sent_at: r.try_get(9)?,
                            last_error: r.try_get(10)?,
                            post: r.try_get(11)?,
                            answers: r.try_get(12)?,
                        })
                    },
                )?,
                users: rows(
                    c,
                    "SELECT id, login, name, role, organisation, email, password, feed, created_at,
                            array(SELECT executor FROM bindings b WHERE b.user_id = users.id ORDER BY executor)
                     FROM users ORDER BY id",
                    |r| {
                        Ok(Account {
                            id: r.try_get(0)?,
                            login: r.try_get(1)?,
                            name: r.try_get(2)?,
                            role: r.try_get(3)?,
                            organisation: r.try_get(4)?,
                            email: r.try_get(5)?,
                            password: r.try_get(6)?,
                            feed: r.try_get(7)?,
                            created_at: r.try_get(8)?,
                            executors: r.try_get(9)?,
                        })
                    },
                )?,
                sessions: rows(
                    c,
                    "SELECT token_hash, user_id, csrf, expires_ts FROM sessions ORDER BY token_hash COLLATE \"C\"",
                    |r| {
                        Ok(Session {
                            token_hash: r.try_get(0)?,
                            user_id: r.try_get(1)?,
                            csrf: r.try_get(2)?,
                            expires_ts: r.try_get(3)?,
                        })
                    },
                )?,
                tokens: rows(
                    c,
                    "SELECT token_hash, user_id, label, created_at FROM api_tokens ORDER BY token_hash COLLATE \"C\"",
                    |r| {
                        Ok(Token {
                            token_hash: r.try_get(0)?,
                            user_id: r.try_get(1)?,
                            label: r.try_get(2)?,
                            created_at: r.try_get(3)?,
                        })
                    },
                )?,
                login_failures: rows(c, "SELECT key, ts FROM login_failures ORDER BY ts, key COLLATE \"C\"", |r| {
                    Ok((r.try_get(0)?, r.try_get(1)?))
                })?,
                move_requests: rows(
                    c,
                    "SELECT id, occurrence, date, reason, requested_by, requested_at, decision, decided_by,
                            decided_at, event FROM move_requests ORDER BY id",
                    |r| {
                        Ok(MoveRow {
                            request: MoveRequest {
                                id: r.try_get(0)?,
                                occurrence: r.try_get(1)?,
                                date: r.try_get(2)?,
                                reason: r.try_get(3)?,
                                requested_by: r.try_get(4)?,
                                requested_at: r.try_get(5)?,
                                decision: r.try_get(6)?,
                                decided_by: r.try_get(7)?,
                                decided_at: r.try_get(8)?,
                            },
                            event: r.try_get(9)?,
                        })
                    },
                )?,
                secrets: rows(c, "SELECT name, value FROM secrets ORDER BY name COLLATE \"C\"", |r| {
                    Ok((r.try_get(0)?, r.try_get(1)?))
                })?,
                handled: rows(
                    c,
                    "SELECT message_id, sender, outcome, detail, handled_at FROM handled ORDER BY message_id COLLATE \"C\"",
                    |r| {
                        Ok(HandledRow {
                            message_id: r.try_get(0)?,
                            sender: r.try_get(1)?,
                            outcome: r.try_get(2)?,
                            detail: r.try_get(3)?,
                            handled_at: r.try_get(4)?,
                        })
                    },
                )?,
                chat_links: rows(
                    c,
                    "SELECT user_id, messenger, chat_user, name, linked_at FROM chat_links
                     ORDER BY messenger COLLATE \"C\", chat_user COLLATE \"C\"",
                    |r| {
                        Ok(LinkRow {
                            user_id: r.try_get(0)?,
                            link: ChatLink {
                                messenger: r.try_get(1)?,
                                chat_user: r.try_get(2)?,
                                name: r.try_get(3)?,
                                linked_at: r.try_get(4)?,
                            },
                        })
                    },
                )?,
                cursors: rows(c, "SELECT name, value FROM cursors ORDER BY name COLLATE \"C\"", |r| {
                    Ok((r.try_get(0)?, r.try_get(1)?))
                })?,
            })
        })
    }

    pub(super) fn contents_summary(&self) -> Result<Vec<(&'static str, usize)>, StoreError> {
        self.run(|c| {
            TABLES
                .iter()
                .map(|(table, name)| {
                    let n: i64 = c.query_one(&format!("SELECT count(*) FROM {table}"), &[]).map_err(read)?.get(0);
                    Ok((*name, n as usize))
                })
                .collect()
        })
    }

    pub(super) fn fill(&mut self, c: &Contents) -> Result<(), StoreError> {
        self.run(|client| {
            let mut tx = client.transaction().map_err(write)?;
            let events: Vec<_> = c.events.iter().map(|e| e.event.clone()).collect();
            let ids: Vec<i64> = c.events.iter().map(|e| e.id).collect();
            insert_into(&mut tx, &events, Some(&ids))?;
            for m in &c.messages {
                tx.execute(
                    "INSERT INTO messages (message_id, recipient, subject, eml, state, attempts, next_ts, created_at,
                                           created_ts, sent_at, last_error, post, answers)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                    &[
                        &m.message_id,
                        &m.recipient,
                        &m.subject,
                        &m.eml,
                        &m.state,
                        &m.attempts,
                        &m.next_ts,
                        &m.created_at,
                        &m.created_ts,
                        &m.sent_at,
                        &m.last_error,
                        &m.post,
                        &m.answers,
                    ],
                )
                .map_err(write)?;
            }
            for s in &c.notices {
                let n = &s.notice;
                tx.execute(
                    "INSERT INTO notices (id, key, rule, occurrence, roadmap, recipient, name, tz, day, expires,
                                          payload, state, message_id, planned_at, closed_at, why)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
                    &[
                        &s.id,
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
                        &s.state,
                        &s.message_id,
                        &s.planned_at,
                        &s.closed_at,
                        &s.why,
                    ],
                )
                .map_err(write)?;
            }
            for u in &c.users {
                tx.execute(
                    "INSERT INTO users (id, login, name, role, organisation, email, password, feed, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &[
                        &u.id,
                        &u.login,
                        &u.name,
                        &u.role,
                        &u.organisation,
                        &u.email,
                        &u.password,
                        &u.feed,
                        &u.created_at,
                    ],
                )
                .map_err(write)?;
                tx.execute(
                    "INSERT INTO bindings (user_id, executor) SELECT $1, unnest($2::text[])",
                    &[&u.id, &u.executors],
                )
                .map_err(write)?;
            }
            for s in &c.sessions {
                tx.execute(
                    "INSERT INTO sessions (token_hash, user_id, csrf, expires_ts) VALUES ($1, $2, $3, $4)",
                    &[&s.token_hash, &s.user_id, &s.csrf, &s.expires_ts],
                )
                .map_err(write)?;
            }
            for t in &c.tokens {
                tx.execute(
                    "INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES ($1, $2, $3, $4)",
                    &[&t.token_hash, &t.user_id, &t.label, &t.created_at],
                )
                .map_err(write)?;
            }
            for (key, ts) in &c.login_failures {
                tx.execute("INSERT INTO login_failures (key, ts) VALUES ($1, $2)", &[key, ts]).map_err(write)?;
            }
            for m in &c.move_requests {
                let r = &m.request;
                tx.execute(
                    "INSERT INTO move_requests (id, occurrence, date, reason, requested_by, requested_at, decision,
                                                decided_by, decided_at, event)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    &[
                        &r.id,
                        &r.occurrence,
                        &r.date,
                        &r.reason,
                        &r.requested_by,
                        &r.requested_at,
                        &r.decision,
                        &r.decided_by,
                        &r.decided_at,
                        &m.event,
                    ],
                )
                .map_err(write)?;
            }
            for v in &c.versions {
                versions::insert_into(&mut tx, &v.as_new(), v.version.number, Some(v.version.id))?;
            }
            for (name, value) in &c.secrets {
                tx.execute("INSERT INTO secrets (name, value) VALUES ($1, $2)", &[name, value]).map_err(write)?;
            }
            for h in &c.handled {
                tx.execute(
                    "INSERT INTO handled (message_id, sender, outcome, detail, handled_at) VALUES ($1, $2, $3, $4, $5)",
                    &[&h.message_id, &h.sender, &h.outcome, &h.detail, &h.handled_at],
                )
                .map_err(write)?;
            }
            for l in &c.chat_links {
                let k = &l.link;
                tx.execute(
                    "INSERT INTO chat_links (messenger, chat_user, user_id, name, linked_at) VALUES ($1, $2, $3, $4, $5)",
                    &[&k.messenger, &k.chat_user, &l.user_id, &k.name, &k.linked_at],
                )
                .map_err(write)?;
            }
            for (name, value) in &c.cursors {
                tx.execute("INSERT INTO cursors (name, value) VALUES ($1, $2)", &[name, value]).map_err(write)?;
            }
            // The identity sequences go on after the ids copied.
            for table in ["notices", "users", "move_requests", "versions"] {
                tx.execute(
                    &format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false)
                         FROM {table}"
                    ),
                    &[],
                )
                .map_err(write)?;
            }
            tx.commit().map_err(write)
        })
    }
}

fn rows<T>(c: &mut Client, sql: &str, row: impl Fn(&Row) -> Result<T, postgres::Error>) -> Result<Vec<T>, StoreError> {
    c.query(sql, &[]).map_err(read)?.iter().map(|r| row(r).map_err(read)).collect()
}

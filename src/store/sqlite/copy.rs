//! Every row of an SQLite store, out and in (`karta store copy`).

use rusqlite::{Connection, TransactionBehavior, params};

use super::events::insert_into;
use super::{Sqlite, read, versions, write};
use crate::store::copy::{
    Account, Contents, HandledRow, LinkRow, Message, MoveRow, Session, TABLES, Token, by_id, versions_of,
};
use crate::store::{ChatLink, EventLog, MoveRequest, Outbox, StoreError};

impl Sqlite {
    pub(super) fn contents(&self) -> Result<Contents, StoreError> {
        let c = &self.conn;
        Ok(Contents {
            events: by_id(self.events()?),
            messages: rows(
                c,
                "SELECT message_id, recipient, subject, eml, state, attempts, next_ts, created_at, created_ts, sent_at,
                        last_error, post, answers FROM messages ORDER BY created_ts, message_id",
                |r| {
                    Ok(Message {
                        message_id: r.get(0)?,
                        recipient: r.get(1)?,
                        subject: r.get(2)?,
                        eml: r.get(3)?,
                        state: r.get(4)?,
                        attempts: r.get(5)?,
                        next_ts: r.get(6)?,
                        created_at: r.get(7)?,
                        created_ts: r.get(8)?,
                        sent_at: r.get(9)?,
                        last_error: r.get(10)?,
                        post: r.get(11)?,
                        answers: r.get(12)?,
                    })
                },
            )?,
            notices: self.notices()?,
            users: rows(
                c,
                "SELECT id, login, name, role, organisation, email, password, feed, created_at,
                        (SELECT coalesce(json_group_array(executor), '[]')
                         FROM (SELECT executor FROM bindings b WHERE b.user_id = users.id ORDER BY executor))
                 FROM users ORDER BY id",
                |r| {
                    let executors: String = r.get(9)?;
                    Ok(Account {
                        id: r.get(0)?,
                        login: r.get(1)?,
                        name: r.get(2)?,
                        role: r.get(3)?,
                        organisation: r.get(4)?,
                        email: r.get(5)?,
                        password: r.get(6)?,
                        feed: r.get(7)?,
                        created_at: r.get(8)?,
                        executors: serde_json::from_str(&executors).unwrap_or_default(),
                    })
                },
            )?,
            sessions: rows(c, "SELECT token_hash, user_id, csrf, expires_ts FROM sessions ORDER BY token_hash", |r| {
                Ok(Session { token_hash: r.get(0)?, user_id: r.get(1)?, csrf: r.get(2)?, expires_ts: r.get(3)? })
            })?,
            tokens: rows(c, "SELECT token_hash, user_id, label, created_at FROM api_tokens ORDER BY token_hash", |r| {
                Ok(Token { token_hash: r.get(0)?, user_id: r.get(1)?, label: r.get(2)?, created_at: r.get(3)? })
            })?,
            login_failures: rows(c, "SELECT key, ts FROM login_failures ORDER BY ts, key, rowid", |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?,
            move_requests: rows(
                c,
                "SELECT id, occurrence, date, reason, requested_by, requested_at, decision, decided_by, decided_at, event
                 FROM move_requests ORDER BY id",
                |r| {
                    let date: String = r.get(2)?;
                    Ok(MoveRow {
                        request: MoveRequest {
                            id: r.get(0)?,
                            occurrence: r.get(1)?,
                            date: date.parse().unwrap_or_default(),
                            reason: r.get(3)?,
                            requested_by: r.get(4)?,
                            requested_at: r.get(5)?,
                            decision: r.get(6)?,
                            decided_by: r.get(7)?,
                            decided_at: r.get(8)?,
                        },
                        event: r.get(9)?,
                    })
                },
            )?,
            versions: versions_of(self)?,
            secrets: rows(c, "SELECT name, value FROM secrets ORDER BY name", |r| Ok((r.get(0)?, r.get(1)?)))?,
            handled: rows(
                c,
                "SELECT message_id, sender, outcome, detail, handled_at FROM handled ORDER BY message_id",
                |r| {
                    Ok(HandledRow {
                        message_id: r.get(0)?,
                        sender: r.get(1)?,
                        outcome: r.get(2)?,
                        detail: r.get(3)?,
                        handled_at: r.get(4)?,
                    })
                },
            )?,
            chat_links: rows(
                c,
                "SELECT user_id, messenger, chat_user, name, linked_at FROM chat_links ORDER BY messenger, chat_user",
                |r| {
                    Ok(LinkRow {
                        user_id: r.get(0)?,
                        link: ChatLink { messenger: r.get(1)?, chat_user: r.get(2)?, name: r.get(3)?, linked_at: r.get(4)? },
                    })
                },
            )?,
            cursors: rows(c, "SELECT name, value FROM cursors ORDER BY name", |r| Ok((r.get(0)?, r.get(1)?)))?,
        })
    }

    pub(super) fn contents_summary(&self) -> Result<Vec<(&'static str, usize)>, StoreError> {
        TABLES
            .iter()
            .map(|(table, name)| {
                let n: i64 =
                    self.conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).map_err(read)?;
                Ok((*name, n as usize))
            })
            .collect()
    }

    pub(super) fn fill(&mut self, c: &Contents) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(write)?;
        let events: Vec<_> = c.events.iter().map(|e| e.event.clone()).collect();
        let ids: Vec<i64> = c.events.iter().map(|e| e.id).collect();
        insert_into(&tx, &events, Some(&ids)).map_err(write)?;
        for m in &c.messages {
            tx.execute(
                "INSERT INTO messages (message_id, recipient, subject, eml, state, attempts, next_ts, created_at,
                                       created_ts, sent_at, last_error, post, answers)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    m.message_id,
                    m.recipient,
                    m.subject,
                    m.eml,
                    m.state,
                    m.attempts,
                    m.next_ts,
                    m.created_at,
                    m.created_ts,
                    m.sent_at,
                    m.last_error,
                    m.post,
                    m.answers
                ],
            )
            .map_err(write)?;
        }
        for s in &c.notices {
            let n = &s.notice;
            tx.execute(
                "INSERT INTO notices (id, key, rule, occurrence, roadmap, recipient, name, tz, day, expires, payload,
                                      state, message_id, planned_at, closed_at, why)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                params![
                    s.id,
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
                    s.state,
                    s.message_id,
                    s.planned_at,
                    s.closed_at,
                    s.why
                ],
            )
            .map_err(write)?;
        }
        for u in &c.users {
            tx.execute(
                "INSERT INTO users (id, login, name, role, organisation, email, password, feed, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![u.id, u.login, u.name, u.role, u.organisation, u.email, u.password, u.feed, u.created_at],
            )
            .map_err(write)?;
            for e in &u.executors {
                tx.execute("INSERT INTO bindings (user_id, executor) VALUES (?1, ?2)", params![u.id, e])
                    .map_err(write)?;
            }
        }
        for s in &c.sessions {
            tx.execute(
                "INSERT INTO sessions (token_hash, user_id, csrf, expires_ts) VALUES (?1, ?2, ?3, ?4)",
                params![s.token_hash, s.user_id, s.csrf, s.expires_ts],
            )
            .map_err(write)?;
        }
        for t in &c.tokens {
            tx.execute(
                "INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![t.token_hash, t.user_id, t.label, t.created_at],
            )
            .map_err(write)?;
        }
        for (key, ts) in &c.login_failures {
            tx.execute("INSERT INTO login_failures (key, ts) VALUES (?1, ?2)", params![key, ts]).map_err(write)?;
        }
        for m in &c.move_requests {
            let r = &m.request;
            tx.execute(
                "INSERT INTO move_requests (id, occurrence, date, reason, requested_by, requested_at, decision,
                                            decided_by, decided_at, event)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    r.id,
                    r.occurrence,
                    r.date.to_string(),
                    r.reason,
                    r.requested_by,
                    r.requested_at,
                    r.decision,
                    r.decided_by,
                    r.decided_at,
                    m.event
                ],
            )
            .map_err(write)?;
        }
        for v in &c.versions {
            versions::insert_into(&tx, &v.as_new(), v.version.number, Some(v.version.id)).map_err(write)?;
        }
        for (name, value) in &c.secrets {
            tx.execute("INSERT INTO secrets (name, value) VALUES (?1, ?2)", params![name, value]).map_err(write)?;
        }
        for h in &c.handled {
            tx.execute(
                "INSERT INTO handled (message_id, sender, outcome, detail, handled_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![h.message_id, h.sender, h.outcome, h.detail, h.handled_at],
            )
            .map_err(write)?;
        }
        for l in &c.chat_links {
            let k = &l.link;
            tx.execute(
                "INSERT INTO chat_links (messenger, chat_user, user_id, name, linked_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![k.messenger, k.chat_user, l.user_id, k.name, k.linked_at],
            )
            .map_err(write)?;
        }
        for (name, value) in &c.cursors {
            tx.execute("INSERT INTO cursors (name, value) VALUES (?1, ?2)", params![name, value]).map_err(write)?;
        }
        tx.commit().map_err(write)
    }
}

fn rows<T>(
    c: &Connection,
    sql: &str,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = c.prepare(sql).map_err(read)?;
    stmt.query_map([], row).and_then(Iterator::collect).map_err(read)
}

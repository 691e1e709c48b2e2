//! Accounts in SQLite: users, bindings, sessions, tokens, failed logins and move requests.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::events::insert_into;
use super::{Sqlite, read, write};
use crate::store::{Accounts, Failures, MoveRequest, NewUser, Role, StoreError, User};
use crate::track::NewEvent;

const USER: &str = "SELECT id, login, name, role, organisation, email, password, feed FROM users";

impl Accounts for Sqlite {
    fn add_user(&mut self, user: &NewUser<'_>) -> Result<User, StoreError> {
        if self.user(user.login)?.is_some() {
            return Err(StoreError::Conflict(format!("пользователь «{}» уже есть", user.login)));
        }
        self.conn
            .execute(
                "INSERT INTO users (login, name, role, organisation, email, password, feed, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    user.login,
                    user.name,
                    user.role.name(),
                    user.organisation,
                    user.email,
                    user.password,
                    user.feed,
                    user.created_at
                ],
            )
            .map_err(write)?;
        self.user(user.login)?.ok_or_else(|| StoreError::Conflict(format!("пользователь «{}» не записан", user.login)))
    }

    fn user(&self, login: &str) -> Result<Option<User>, StoreError> {
        self.user_where("login = ?1", login)
    }

    fn user_by_feed(&self, feed: &str) -> Result<Option<User>, StoreError> {
        self.user_where("feed = ?1", feed)
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("{USER} ORDER BY login")).map_err(read)?;
        let users: Vec<User> = stmt.query_map([], user_row).and_then(Iterator::collect).map_err(read)?;
        users.into_iter().map(|u| self.with_bindings(u)).collect()
    }

    fn set_password(&mut self, login: &str, hash: &str) -> Result<(), StoreError> {
        let user = self.existing(login)?;
        let tx = self.conn.transaction().map_err(write)?;
        tx.execute("UPDATE users SET password = ?1 WHERE id = ?2", params![hash, user.id]).map_err(write)?;
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user.id]).map_err(write)?;
        tx.commit().map_err(write)
    }

    fn bind(&mut self, login: &str, executors: &[String]) -> Result<User, StoreError> {
        let user = self.existing(login)?;
        let tx = self.conn.transaction().map_err(write)?;
        for e in executors {
            tx.execute("INSERT OR IGNORE INTO bindings (user_id, executor) VALUES (?1, ?2)", params![user.id, e])
                .map_err(write)?;
        }
        tx.commit().map_err(write)?;
        self.existing(login)
    }

    fn unbind(&mut self, login: &str, executors: &[String]) -> Result<User, StoreError> {
        let user = self.existing(login)?;
        for e in executors {
            self.conn
                .execute("DELETE FROM bindings WHERE user_id = ?1 AND executor = ?2", params![user.id, e])
                .map_err(write)?;
        }
        self.existing(login)
    }

    fn start_session(&mut self, user: i64, token_hash: &str, csrf: &str, expires_ts: i64) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO sessions (token_hash, user_id, csrf, expires_ts) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash, user, csrf, expires_ts],
            )
            .map(drop)
            .map_err(write)
    }

    fn session(&self, token_hash: &str, now_ts: i64) -> Result<Option<(User, String)>, StoreError> {
        let found: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT u.login, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = ?1 AND s.expires_ts > ?2",
                params![token_hash, now_ts],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(read)?;
        match found {
            Some((login, csrf)) => Ok(self.user(&login)?.map(|u| (u, csrf))),
            None => Ok(None),
        }
    }

    fn end_session(&mut self, token_hash: &str, now_ts: i64) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM sessions WHERE token_hash = ?1 OR expires_ts <= ?2", params![token_hash, now_ts])
            .map(drop)
            .map_err(write)
    }

    fn add_token(&mut self, login: &str, token_hash: &str, label: &str, now: &str) -> Result<(), StoreError> {
        let user = self.existing(login)?;
        self.conn
            .execute(
                "INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash, user.id, label, now],
            )
            .map(drop)
            .map_err(write)
    }

    fn token_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let login: Option<String> = self
            .conn
            .query_row(
                "SELECT u.login FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?1",
                [token_hash],
                |r| r.get(0),
            )
            .optional()
            .map_err(read)?;
        login.map_or(Ok(None), |l| self.user(&l))
    }

    fn login_failures(&self, key: &str, since_ts: i64) -> Result<Failures, StoreError> {
        self.conn
            .query_row(
                "SELECT count(*), min(ts), max(ts) FROM login_failures WHERE key = ?1 AND ts > ?2",
                params![key, since_ts],
                |r| Ok(Failures { count: r.get::<_, i64>(0)? as usize, first: r.get(1)?, last: r.get(2)? }),
            )
            .map_err(read)
    }

    fn login_failed(&mut self, keys: &[&str], ts: i64) -> Result<(), StoreError> {
        let tx = self.conn.transaction().map_err(write)?;
        for key in keys {
            tx.execute("INSERT INTO login_failures (key, ts) VALUES (?1, ?2)", params![key, ts]).map_err(write)?;
        }
        tx.commit().map_err(write)
    }

    fn forget_login_failures(&mut self, key: &str) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM login_failures WHERE key = ?1", [key]).map(drop).map_err(write)
    }

    fn request_move(
        &mut self,
        occurrence: &str,
        date: chrono::NaiveDate,
        reason: &str,
        by: &str,
        at: &str,
    ) -> Result<i64, StoreError> {
        insert_move(&self.conn, occurrence, date, reason, by, at).map_err(write)
    }

    fn move_requests(&self, occurrence: Option<&str>) -> Result<Vec<MoveRequest>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, occurrence, date, reason, requested_by, requested_at, decision, decided_by, decided_at
                 FROM move_requests WHERE ?1 IS NULL OR occurrence = ?1 ORDER BY id",
            )
            .map_err(read)?;
        let rows = stmt
            .query_map([occurrence], |r| {
                let date: String = r.get(2)?;
                Ok(MoveRequest {
                    id: r.get(0)?,
                    occurrence: r.get(1)?,
                    date: date.parse().unwrap_or_default(),
                    reason: r.get(3)?,
                    requested_by: r.get(4)?,
                    requested_at: r.get(5)?,
                    decision: r.get(6)?,
                    decided_by: r.get(7)?,
                    decided_at: r.get(8)?,
                })
            })
            .map_err(read)?;
        rows.collect::<Result<_, _>>().map_err(read)
    }

    fn decide_move(
        &mut self,
        id: i64,
        approved: bool,
        by: &str,
        at: &str,
        event: Option<&NewEvent>,
    ) -> Result<Option<i64>, StoreError> {
        // The decision and the event commit together, or neither.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(write)?;
        let decision = if approved { "approved" } else { "declined" };
        let changed = tx
            .execute(
                "UPDATE move_requests SET decision = ?1, decided_by = ?2, decided_at = ?3
                 WHERE id = ?4 AND decision IS NULL",
                params![decision, by, at, id],
            )
            .map_err(write)?;
        if changed == 0 {
            return Err(StoreError::Conflict(format!("запрос № {id} уже рассмотрен или не существует")));
        }
        let event_id = match event {
            Some(e) if approved => {
                let ids = insert_into(&tx, std::slice::from_ref(e), None).map_err(write)?;
                tx.execute("UPDATE move_requests SET event = ?1 WHERE id = ?2", params![ids[0], id]).map_err(write)?;
                Some(ids[0])
            }
            _ => None,
        };
        tx.commit().map_err(write)?;
        Ok(event_id)
    }
}

impl Sqlite {
    fn user_where(&self, condition: &str, value: &str) -> Result<Option<User>, StoreError> {
        let found =
            self.conn.query_row(&format!("{USER} WHERE {condition}"), [value], user_row).optional().map_err(read)?;
        found.map(|u| self.with_bindings(u)).transpose()
    }

    fn with_bindings(&self, mut user: User) -> Result<User, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT executor FROM bindings WHERE user_id = ?1 ORDER BY executor")
            .map_err(read)?;
        user.executors = stmt.query_map([user.id], |r| r.get(0)).and_then(Iterator::collect).map_err(read)?;
        Ok(user)
    }

    fn existing(&self, login: &str) -> Result<User, StoreError> {
        self.user(login)?.ok_or_else(|| StoreError::Conflict(format!("нет пользователя «{login}»")))
    }
}

/// The account `id` with its bindings, read through `conn` (a transaction's, when inside one).
pub(super) fn user_by_id(conn: &rusqlite::Connection, id: i64) -> rusqlite::Result<Option<User>> {
    let Some(mut user) = conn.query_row(&format!("{USER} WHERE id = ?1"), [id], user_row).optional()? else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached("SELECT executor FROM bindings WHERE user_id = ?1 ORDER BY executor")?;
    user.executors = stmt.query_map([id], |r| r.get(0)).and_then(Iterator::collect)?;
    Ok(Some(user))
}

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(3)?;
    Ok(User {
        id: r.get(0)?,
        login: r.get(1)?,
        name: r.get(2)?,
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        organisation: r.get(4)?,
        email: r.get(5)?,
        executors: Vec::new(),
        password: r.get(6)?,
        feed: r.get(7)?,
    })
}

/// Records a move request inside the caller's transaction; returns its id.
pub(super) fn insert_move(
    c: &rusqlite::Connection,
    occurrence: &str,
    date: chrono::NaiveDate,
    reason: &str,
    by: &str,
    at: &str,
) -> Result<i64, rusqlite::Error> {
    c.execute(
        "INSERT INTO move_requests (occurrence, date, reason, requested_by, requested_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![occurrence, date.to_string(), reason, by, at],
    )?;
    Ok(c.last_insert_rowid())
}

//! Accounts in the store: users and their roles, the executors a coordinator is bound to,
//! browser sessions, API tokens, failed logins, and requests to move a deadline. Secrets are
//! never stored: sessions and tokens by their SHA-256, passwords as argon2 PHC strings (hashed by
//! the caller).

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::event::NewEvent;
use super::store::{Sqlite, StoreError, insert_into};

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    Admin,
    /// Roadmaps issued by their organisation: reports, moves, reviews, indicator values.
    Author,
    /// Reports for the executors they are bound to, nothing else.
    Coordinator,
    /// Reads everything and receives digests.
    Viewer,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Author => "author",
            Role::Coordinator => "coordinator",
            Role::Viewer => "viewer",
        }
    }

    pub fn ru(self) -> &'static str {
        match self {
            Role::Admin => "администратор",
            Role::Author => "автор дорожных карт",
            Role::Coordinator => "координатор",
            Role::Viewer => "руководство (просмотр)",
        }
    }

    fn parse(s: &str) -> Option<Role> {
        [Role::Admin, Role::Author, Role::Coordinator, Role::Viewer].into_iter().find(|r| r.name() == s)
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    /// An author's organisation (an executor id).
    pub organisation: Option<String>,
    pub email: Option<String>,
    /// The executors a coordinator reports for.
    pub executors: Vec<String>,
    #[serde(skip)]
    pub password: String,
    #[serde(skip)]
    pub feed: String,
}

/// An account to create.
pub struct NewUser<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub organisation: Option<&'a str>,
    pub email: Option<&'a str>,
    pub password: &'a str,
    pub feed: &'a str,
    pub created_at: &'a str,
}

/// A request to move a deadline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoveRequest {
    pub id: i64,
    pub occurrence: String,
    pub date: chrono::NaiveDate,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: String,
    /// `approved` or `declined`; none while pending.
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

const USER: &str = "SELECT id, login, name, role, organisation, email, password, feed FROM users";

impl Sqlite {
    /// The id of the latest event (0 for none): the log is append-only, so it changes exactly
    /// when something is recorded.
    pub fn last_event(&self) -> Result<i64, StoreError> {
        self.conn.query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0)).map_err(StoreError::Read)
    }

    /// Whether the store answers.
    pub fn ping(&self) -> Result<(), StoreError> {
        self.conn.query_row("SELECT 1", [], |_| Ok(())).map_err(StoreError::Read)
    }

    /// Creates an account; a taken login is refused.
    pub fn add_user(&mut self, user: &NewUser<'_>) -> Result<User, StoreError> {
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
            .map_err(StoreError::Write)?;
        self.user(user.login)?.ok_or_else(|| StoreError::Conflict(format!("пользователь «{}» не записан", user.login)))
    }

    /// The account with this login.
    pub fn user(&self, login: &str) -> Result<Option<User>, StoreError> {
        self.user_where("login = ?1", login)
    }

    /// The account whose calendar feed has this secret.
    pub fn user_by_feed(&self, feed: &str) -> Result<Option<User>, StoreError> {
        self.user_where("feed = ?1", feed)
    }

    fn user_where(&self, condition: &str, value: &str) -> Result<Option<User>, StoreError> {
        let found = self
            .conn
            .query_row(&format!("{USER} WHERE {condition}"), [value], user_row)
            .optional()
            .map_err(StoreError::Read)?;
        found.map(|u| self.with_bindings(u)).transpose()
    }

    fn with_bindings(&self, mut user: User) -> Result<User, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT executor FROM bindings WHERE user_id = ?1 ORDER BY executor")
            .map_err(StoreError::Read)?;
        user.executors =
            stmt.query_map([user.id], |r| r.get(0)).and_then(Iterator::collect).map_err(StoreError::Read)?;
        Ok(user)
    }

    /// Every account, by login.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("{USER} ORDER BY login")).map_err(StoreError::Read)?;
        let users: Vec<User> = stmt.query_map([], user_row).and_then(Iterator::collect).map_err(StoreError::Read)?;
        users.into_iter().map(|u| self.with_bindings(u)).collect()
    }

    /// Replaces a password hash; ends the user's sessions.
    pub fn set_password(&mut self, login: &str, hash: &str) -> Result<(), StoreError> {
        let user = self.existing(login)?;
        let tx = self.conn.transaction().map_err(StoreError::Write)?;
        tx.execute("UPDATE users SET password = ?1 WHERE id = ?2", params![hash, user.id])
            .map_err(StoreError::Write)?;
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user.id]).map_err(StoreError::Write)?;
        tx.commit().map_err(StoreError::Write)
    }

    /// Binds a user to executors (adding to those already bound).
    pub fn bind(&mut self, login: &str, executors: &[String]) -> Result<User, StoreError> {
        let user = self.existing(login)?;
        let tx = self.conn.transaction().map_err(StoreError::Write)?;
        for e in executors {
            tx.execute("INSERT OR IGNORE INTO bindings (user_id, executor) VALUES (?1, ?2)", params![user.id, e])
                .map_err(StoreError::Write)?;
        }
        tx.commit().map_err(StoreError::Write)?;
        self.existing(login)
    }

    /// Removes bindings.
    pub fn unbind(&mut self, login: &str, executors: &[String]) -> Result<User, StoreError> {
        let user = self.existing(login)?;
        for e in executors {
            self.conn
                .execute("DELETE FROM bindings WHERE user_id = ?1 AND executor = ?2", params![user.id, e])
                .map_err(StoreError::Write)?;
        }
        self.existing(login)
    }

    fn existing(&self, login: &str) -> Result<User, StoreError> {
        self.user(login)?.ok_or_else(|| StoreError::Conflict(format!("нет пользователя «{login}»")))
    }

    /// Starts a session (the token's hash) valid until `expires_ts`.
    pub fn start_session(
        &mut self,
        user: i64,
        token_hash: &str,
        csrf: &str,
        expires_ts: i64,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO sessions (token_hash, user_id, csrf, expires_ts) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash, user, csrf, expires_ts],
            )
            .map(drop)
            .map_err(StoreError::Write)
    }

    /// The user and CSRF token of a live session.
    pub fn session(&self, token_hash: &str, now_ts: i64) -> Result<Option<(User, String)>, StoreError> {
        let found: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT u.login, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = ?1 AND s.expires_ts > ?2",
                params![token_hash, now_ts],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(StoreError::Read)?;
        match found {
            Some((login, csrf)) => Ok(self.user(&login)?.map(|u| (u, csrf))),
            None => Ok(None),
        }
    }

    /// Ends a session (and any that have expired).
    pub fn end_session(&mut self, token_hash: &str, now_ts: i64) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM sessions WHERE token_hash = ?1 OR expires_ts <= ?2", params![token_hash, now_ts])
            .map(drop)
            .map_err(StoreError::Write)
    }

    /// Records an API token (its hash) for a user.
    pub fn add_token(&mut self, login: &str, token_hash: &str, label: &str, now: &str) -> Result<(), StoreError> {
        let user = self.existing(login)?;
        self.conn
            .execute(
                "INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash, user.id, label, now],
            )
            .map(drop)
            .map_err(StoreError::Write)
    }

    /// The user an API token belongs to.
    pub fn token_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let login: Option<String> = self
            .conn
            .query_row(
                "SELECT u.login FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?1",
                [token_hash],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::Read)?;
        login.map_or(Ok(None), |l| self.user(&l))
    }

    /// Failed logins under any of `keys` since `since_ts`.
    pub fn login_failures(&self, keys: &[&str], since_ts: i64) -> Result<usize, StoreError> {
        let mut n = 0;
        for key in keys {
            let count: i64 = self
                .conn
                .query_row(
                    "SELECT count(*) FROM login_failures WHERE key = ?1 AND ts > ?2",
                    params![key, since_ts],
                    |r| r.get(0),
                )
                .map_err(StoreError::Read)?;
            n = n.max(count as usize);
        }
        Ok(n)
    }

    pub fn login_failed(&mut self, keys: &[&str], ts: i64) -> Result<(), StoreError> {
        let tx = self.conn.transaction().map_err(StoreError::Write)?;
        for key in keys {
            tx.execute("INSERT INTO login_failures (key, ts) VALUES (?1, ?2)", params![key, ts])
                .map_err(StoreError::Write)?;
        }
        tx.commit().map_err(StoreError::Write)
    }

    /// Records a request to move a deadline and returns its number.
    pub fn request_move(
        &mut self,
        occurrence: &str,
        date: chrono::NaiveDate,
        reason: &str,
        by: &str,
        at: &str,
    ) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO move_requests (occurrence, date, reason, requested_by, requested_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![occurrence, date.to_string(), reason, by, at],
            )
            .map_err(StoreError::Write)?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Requests to move deadlines: of one occurrence, or all of them.
    pub fn move_requests(&self, occurrence: Option<&str>) -> Result<Vec<MoveRequest>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, occurrence, date, reason, requested_by, requested_at, decision, decided_by, decided_at
                 FROM move_requests WHERE ?1 IS NULL OR occurrence = ?1 ORDER BY id",
            )
            .map_err(StoreError::Read)?;
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
            .map_err(StoreError::Read)?;
        rows.collect::<Result<_, _>>().map_err(StoreError::Read)
    }

    /// Decides a pending request: the decision and, when approved, the move event are written
    /// in one transaction, or neither.
    pub fn decide_move(
        &mut self,
        id: i64,
        approved: bool,
        by: &str,
        at: &str,
        event: Option<&NewEvent>,
    ) -> Result<Option<i64>, StoreError> {
        // The decision and the event commit together, or neither.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::Write)?;
        let decision = if approved { "approved" } else { "declined" };
        let changed = tx
            .execute(
                "UPDATE move_requests SET decision = ?1, decided_by = ?2, decided_at = ?3
                 WHERE id = ?4 AND decision IS NULL",
                params![decision, by, at, id],
            )
            .map_err(StoreError::Write)?;
        if changed == 0 {
            return Err(StoreError::Conflict(format!("запрос № {id} уже рассмотрен или не существует")));
        }
        let event_id = match event {
            Some(e) if approved => {
                let ids = insert_into(&tx, std::slice::from_ref(e)).map_err(StoreError::Write)?;
                tx.execute("UPDATE move_requests SET event = ?1 WHERE id = ?2", params![ids[0], id])
                    .map_err(StoreError::Write)?;
                Some(ids[0])
            }
            _ => None,
        };
        tx.commit().map_err(StoreError::Write)?;
        Ok(event_id)
    }
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

//! Accounts in PostgreSQL: users, bindings, sessions, tokens, failed logins and move requests.

use super::events::insert_into;
use super::{Postgres, read, write};
use crate::store::{Accounts, Failures, MoveRequest, NewUser, Role, StoreError, User};
use crate::track::NewEvent;

pub(super) const USER: &str = "SELECT id, login, name, role, organisation, email, password, feed FROM users";

impl Accounts for Postgres {
    fn add_user(&mut self, user: &NewUser<'_>) -> Result<User, StoreError> {
        let added = self.run(|c| {
            c.execute(
                "INSERT INTO users (login, name, role, organisation, email, password, feed, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (login) DO NOTHING",
                &[
                    &user.login,
                    &user.name,
                    &user.role.name(),
                    &user.organisation,
                    &user.email,
                    &user.password,
                    &user.feed,
                    &user.created_at,
                ],
            )
            .map_err(write)
        })?;
        if added == 0 {
            return Err(StoreError::Conflict(format!("пользователь «{}» уже есть", user.login)));
        }
        self.existing(user.login)
    }

    fn user(&self, login: &str) -> Result<Option<User>, StoreError> {
        self.user_where("login = $1", login)
    }

    fn user_by_feed(&self, feed: &str) -> Result<Option<User>, StoreError> {
        self.user_where("feed = $1", feed)
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        self.run(|c| {
            let rows = c.query(&format!("{USER} ORDER BY login"), &[]).map_err(read)?;
            rows.iter().map(|r| with_bindings(c, user_row(r)?)).collect()
        })
    }

    fn set_password(&mut self, login: &str, hash: &str) -> Result<(), StoreError> {
        let user = self.existing(login)?;
        self.run(|c| {
            let mut tx = c.transaction().map_err(write)?;
            tx.execute("UPDATE users SET password = $1 WHERE id = $2", &[&hash, &user.id]).map_err(write)?;
            tx.execute("DELETE FROM sessions WHERE user_id = $1", &[&user.id]).map_err(write)?;
            tx.commit().map_err(write)
        })
    }

    fn bind(&mut self, login: &str, executors: &[String]) -> Result<User, StoreError> {
        let user = self.existing(login)?;
        self.run(|c| {
            c.execute(
                "INSERT INTO bindings (user_id, executor) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
                &[&user.id, &executors],
            )
            .map_err(write)
        })?;
        self.existing(login)
    }

    fn unbind(&mut self, login: &str, executors: &[String]) -> Result<User, StoreError> {
        let user = self.existing(login)?;
        self.run(|c| {
            c.execute("DELETE FROM bindings WHERE user_id = $1 AND executor = ANY($2)", &[&user.id, &executors])
                .map_err(write)
        })?;
        self.existing(login)
    }

    fn start_session(&mut self, user: i64, token_hash: &str, csrf: &str, expires_ts: i64) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf, expires_ts) VALUES ($1, $2, $3, $4)",
            &[&token_hash, &user, &csrf, &expires_ts],
        )
    }

    fn session(&self, token_hash: &str, now_ts: i64) -> Result<Option<(User, String)>, StoreError> {
        let found: Option<(String, String)> = self.run(|c| {
            c.query_opt(
                "SELECT u.login, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = $1 AND s.expires_ts > $2",
                &[&token_hash, &now_ts],
            )
            .map(|row| row.map(|r| (r.get(0), r.get(1))))
            .map_err(read)
        })?;
        match found {
            Some((login, csrf)) => Ok(self.user(&login)?.map(|u| (u, csrf))),
            None => Ok(None),
        }
    }

    fn end_session(&mut self, token_hash: &str, now_ts: i64) -> Result<(), StoreError> {
        self.execute("DELETE FROM sessions WHERE token_hash = $1 OR expires_ts <= $2", &[&token_hash, &now_ts])
    }

    fn add_token(&mut self, login: &str, token_hash: &str, label: &str, now: &str) -> Result<(), StoreError> {
        let user = self.existing(login)?;
        self.execute(
            "INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES ($1, $2, $3, $4)",
            &[&token_hash, &user.id, &label, &now],
        )
    }

    fn token_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let login: Option<String> = self.run(|c| {
            c.query_opt(
                "SELECT u.login FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
                &[&token_hash],
            )
            .map(|row| row.map(|r| r.get(0)))
            .map_err(read)
        })?;
        login.map_or(Ok(None), |l| self.user(&l))
    }

    fn login_failures(&self, key: &str, since_ts: i64) -> Result<Failures, StoreError> {
        self.run(|c| {
            c.query_one(
                "SELECT count(*), min(ts), max(ts) FROM login_failures WHERE key = $1 AND ts > $2",
                &[&key, &since_ts],
            )
            .map(|r| Failures { count: r.get::<_, i64>(0) as usize, first: r.get(1), last: r.get(2) })
            .map_err(read)
        })
    }

    fn login_failed(&mut self, keys: &[&str], ts: i64) -> Result<(), StoreError> {
        self.execute("INSERT INTO login_failures (key, ts) SELECT unnest($1::text[]), $2", &[&keys, &ts])
    }

    fn forget_login_failures(&mut self, key: &str) -> Result<(), StoreError> {
        self.execute("DELETE FROM login_failures WHERE key = $1", &[&key])
    }

    fn request_move(
        &mut self,
        occurrence: &str,
        date: chrono::NaiveDate,
        reason: &str,
        by: &str,
        at: &str,
    ) -> Result<i64, StoreError> {
        self.run(|c| insert_move(c, occurrence, date, reason, by, at))
    }

    fn move_requests(&self, occurrence: Option<&str>) -> Result<Vec<MoveRequest>, StoreError> {
        let rows = self.run(|c| {
            c.query(
                "SELECT id, occurrence, date, reason, requested_by, requested_at, decision, decided_by, decided_at
                 FROM move_requests WHERE $1::text IS NULL OR occurrence = $1 ORDER BY id",
                &[&occurrence],
            )
            .map_err(read)
        })?;
        rows.iter()
            .map(|r| {
                Ok(MoveRequest {
                    id: r.try_get(0).map_err(read)?,
                    occurrence: r.try_get(1).map_err(read)?,
                    date: r.try_get(2).map_err(read)?,
                    reason: r.try_get(3).map_err(read)?,
                    requested_by: r.try_get(4).map_err(read)?,
                    requested_at: r.try_get(5).map_err(read)?,
                    decision: r.try_get(6).map_err(read)?,
                    decided_by: r.try_get(7).map_err(read)?,
                    decided_at: r.try_get(8).map_err(read)?,
                })
            })
            .collect()
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
        self.run(|c| {
            let mut tx = c.transaction().map_err(write)?;
            let decision = if approved { "approved" } else { "declined" };
            let changed = tx
                .execute(
                    "UPDATE move_requests SET decision = $1, decided_by = $2, decided_at = $3
                     WHERE id = $4 AND decision IS NULL",
                    &[&decision, &by, &at, &id],
                )
                .map_err(write)?;
            if changed == 0 {
                return Err(StoreError::Conflict(format!("запрос № {id} уже рассмотрен или не существует")));
            }
            let event_id = match event {
                Some(e) if approved => {
                    let ids = insert_into(&mut tx, std::slice::from_ref(e), None)?;
                    tx.execute("UPDATE move_requests SET event = $1 WHERE id = $2", &[&ids[0], &id]).map_err(write)?;
                    Some(ids[0])
                }
                _ => None,
            };
            tx.commit().map_err(write)?;
            Ok(event_id)
        })
    }
}

impl Postgres {
    /// One statement, its own transaction.
    fn execute(&mut self, sql: &str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> Result<(), StoreError> {
        self.run(|c| c.execute(sql, params).map(drop).map_err(write))
    }

    fn user_where(&self, condition: &str, value: &str) -> Result<Option<User>, StoreError> {
        self.run(|c| {
            let row = c.query_opt(&format!("{USER} WHERE {condition}"), &[&value]).map_err(read)?;
            row.map(|r| with_bindings(c, user_row(&r)?)).transpose()
        })
    }

    fn existing(&self, login: &str) -> Result<User, StoreError> {
        self.user(login)?.ok_or_else(|| StoreError::Conflict(format!("нет пользователя «{login}»")))
    }
}

pub(super) fn with_bindings(c: &mut impl postgres::GenericClient, mut user: User) -> Result<User, StoreError> {
    let rows =
        c.query("SELECT executor FROM bindings WHERE user_id = $1 ORDER BY executor", &[&user.id]).map_err(read)?;
    user.executors = rows.iter().map(|r| r.get(0)).collect();
    Ok(user)
}

pub(super) fn user_row(r: &postgres::Row) -> Result<User, StoreError> {
    let role: &str = r.try_get(3).map_err(read)?;
    Ok(User {
        id: r.try_get(0).map_err(read)?,
        login: r.try_get(1).map_err(read)?,
        name: r.try_get(2).map_err(read)?,
        role: Role::parse(role).unwrap_or(Role::Viewer),
        organisation: r.try_get(4).map_err(read)?,
        email: r.try_get(5).map_err(read)?,
        executors: Vec::new(),
        password: r.try_get(6).map_err(read)?,
        feed: r.try_get(7).map_err(read)?,
    })
}

/// Records a move request inside the caller's transaction; returns its id.
pub(super) fn insert_move(
    c: &mut impl postgres::GenericClient,
    occurrence: &str,
    date: chrono::NaiveDate,
    reason: &str,
    by: &str,
    at: &str,
) -> Result<i64, StoreError> {
    c.query_one(
        "INSERT INTO move_requests (occurrence, date, reason, requested_by, requested_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        &[&occurrence, &date, &reason, &by, &at],
    )
    .map(|r| r.get(0))
    .map_err(write)
}

//! The web app's accounts: users and their roles, the executors a coordinator is bound to,
//! browser sessions, API tokens, failed logins, and requests to move a deadline. They are not
//! part of tracking: the progress log knows authors only by name. Secrets are never stored:
//! sessions and tokens by their SHA-256, passwords as argon2 PHC strings (hashed by the caller).

use serde::Serialize;

use super::StoreError;
use crate::track::NewEvent;

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

    /// The role stored under this name.
    pub fn parse(s: &str) -> Option<Role> {
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

/// Failed logins under one key (a login, a client address) within a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    pub count: usize,
    /// Unix seconds of the first and the last, when there are any.
    pub first: Option<i64>,
    pub last: Option<i64>,
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

/// Accounts, sessions, tokens and move requests.
pub trait Accounts {
    /// Creates an account; a taken login is refused.
    fn add_user(&mut self, user: &NewUser<'_>) -> Result<User, StoreError>;
    /// The account with this login.
    fn user(&self, login: &str) -> Result<Option<User>, StoreError>;
    /// The account whose calendar feed has this secret.
    fn user_by_feed(&self, feed: &str) -> Result<Option<User>, StoreError>;
    /// Every account, by login.
    fn users(&self) -> Result<Vec<User>, StoreError>;
    /// Replaces a password hash; ends the user's sessions.
    fn set_password(&mut self, login: &str, hash: &str) -> Result<(), StoreError>;
    /// Binds a user to executors (adding to those already bound).
    fn bind(&mut self, login: &str, executors: &[String]) -> Result<User, StoreError>;
    /// Removes bindings.
    fn unbind(&mut self, login: &str, executors: &[String]) -> Result<User, StoreError>;
    /// Starts a session (the token's hash) valid until `expires_ts`.
    fn start_session(&mut self, user: i64, token_hash: &str, csrf: &str, expires_ts: i64) -> Result<(), StoreError>;
    /// The user and CSRF token of a live session.
    fn session(&self, token_hash: &str, now_ts: i64) -> Result<Option<(User, String)>, StoreError>;
    /// Ends a session (and any that have expired).
    fn end_session(&mut self, token_hash: &str, now_ts: i64) -> Result<(), StoreError>;
    /// Records an API token (its hash) for a user.
    fn add_token(&mut self, login: &str, token_hash: &str, label: &str, now: &str) -> Result<(), StoreError>;
    /// The user an API token belongs to.
    fn token_user(&self, token_hash: &str) -> Result<Option<User>, StoreError>;
    /// Failed logins under `key` since `since_ts`: how many, the first and the last.
    fn login_failures(&self, key: &str, since_ts: i64) -> Result<Failures, StoreError>;
    /// Records a failed login under each of `keys`.
    fn login_failed(&mut self, keys: &[&str], ts: i64) -> Result<(), StoreError>;
    /// Forgets the failed logins under `key` (after a successful one).
    fn forget_login_failures(&mut self, key: &str) -> Result<(), StoreError>;
    /// Records a request to move a deadline and returns its number.
    fn request_move(
        &mut self,
        occurrence: &str,
        date: chrono::NaiveDate,
        reason: &str,
        by: &str,
        at: &str,
    ) -> Result<i64, StoreError>;
    /// Requests to move deadlines: of one occurrence, or all of them.
    fn move_requests(&self, occurrence: Option<&str>) -> Result<Vec<MoveRequest>, StoreError>;
    /// Decides a pending request: the decision and, when approved, the move event are written
    /// in one transaction, or neither.
    fn decide_move(
        &mut self,
        id: i64,
        approved: bool,
        by: &str,
        at: &str,
        event: Option<&NewEvent>,
    ) -> Result<Option<i64>, StoreError>;
}

//! Everything a store holds, row for row, to move it to another backend (`karta store copy`):
//! the log with its event numbers, authors and instants, the outbox with its messages as sent,
//! the accounts with their password hashes, sessions and tokens, and the approved versions with
//! their files and carries. A digest of the whole shows that what arrived is what left.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Carry, NewVersion, Store, StoreError, Stored, Version, VersionFile, Versions};
use crate::track::Event;

/// The rows of a store, table by table, in id order.
#[derive(Debug, Default, Serialize)]
pub struct Contents {
    pub events: Vec<Event>,
    pub messages: Vec<Message>,
    pub notices: Vec<Stored>,
    pub users: Vec<Account>,
    pub sessions: Vec<Session>,
    pub tokens: Vec<Token>,
    /// (key, Unix seconds)
    pub login_failures: Vec<(String, i64)>,
    pub move_requests: Vec<MoveRow>,
    pub versions: Vec<VersionRow>,
    /// (name, value): the reply tokens' key.
    pub secrets: Vec<(String, String)>,
    /// Incoming messages handled (replies to notices).
    pub handled: Vec<HandledRow>,
    /// Chat users linked to accounts. The linking codes are not copied: they are good for
    /// minutes, and a new one is a click away.
    pub chat_links: Vec<LinkRow>,
    /// (bot, how far its updates are read)
    pub cursors: Vec<(String, String)>,
}

/// A chat user linked to an account, as stored.
#[derive(Debug, Clone, Serialize)]
pub struct LinkRow {
    pub user_id: i64,
    #[serde(flatten)]
    pub link: super::ChatLink,
}

/// An incoming message handled, as stored.
#[derive(Debug, Clone, Serialize)]
pub struct HandledRow {
    pub message_id: String,
    pub sender: String,
    pub outcome: String,
    pub detail: String,
    pub handled_at: String,
}

/// A message as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub message_id: String,
    pub recipient: String,
    pub subject: String,
    pub eml: Vec<u8>,
    pub state: String,
    pub attempts: i64,
    pub next_ts: i64,
    pub created_at: String,
    pub created_ts: i64,
    pub sent_at: Option<String>,
    pub last_error: Option<String>,
    pub post: Option<String>,
    pub answers: Option<String>,
}

/// An account as stored, secrets' hashes included.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: String,
    pub organisation: Option<String>,
    pub email: Option<String>,
    pub password: String,
    pub feed: String,
    pub created_at: String,
    /// Bound executors, sorted.
    pub executors: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub token_hash: String,
    pub user_id: i64,
    pub csrf: String,
    pub expires_ts: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Token {
    pub token_hash: String,
    pub user_id: i64,
    pub label: String,
    pub created_at: String,
}

/// A move request as stored, with the event its approval recorded.
#[derive(Debug, Clone, Serialize)]
pub struct MoveRow {
    #[serde(flatten)]
    pub request: super::MoveRequest,
    pub event: Option<i64>,
}

/// An approved version as stored, with its files and carries in their order.
#[derive(Debug, Clone, Serialize)]
pub struct VersionRow {
    #[serde(flatten)]
    pub version: Version,
    pub files: Vec<VersionFile>,
    pub carries: Vec<Carry>,
}

impl VersionRow {
    /// The version as it was given to `approve`, to write it again elsewhere.
    pub(super) fn as_new(&self) -> NewVersion {
        let v = &self.version;
        NewVersion {
            roadmap: v.roadmap.clone(),
            order: v.order.clone(),
            approved_by: v.approved_by.clone(),
            recorded_at: v.recorded_at,
            files: self.files.clone(),
            carries: self.carries.clone(),
        }
    }
}

/// The tables a copy moves, in the order they are written (each after those it refers to),
/// with their names for people.
pub const TABLES: [(&str, &str); 15] = [
    ("events", "события"),
    ("messages", "письма"),
    ("notices", "уведомления"),
    ("users", "пользователи"),
    ("sessions", "сеансы"),
    ("api_tokens", "API-токены"),
    ("login_failures", "неудачные входы"),
    ("move_requests", "запросы на перенос"),
    ("versions", "версии дорожных карт"),
    ("version_files", "файлы версий"),
    ("carries", "переходы отчётов"),
    ("secrets", "ключи"),
    ("handled", "обработанные ответы"),
    ("chat_links", "привязанные чаты"),
    ("cursors", "прочитанное ботами"),
];

impl Contents {
    /// Rows per table, by the tables' names for people.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        let n = [
            self.events.len(),
            self.messages.len(),
            self.notices.len(),
            self.users.len(),
            self.sessions.len(),
            self.tokens.len(),
            self.login_failures.len(),
            self.move_requests.len(),
            self.versions.len(),
            self.versions.iter().map(|v| v.files.len()).sum(),
            self.versions.iter().map(|v| v.carries.len()).sum(),
            self.secrets.len(),
            self.handled.len(),
            self.chat_links.len(),
            self.cursors.len(),
        ];
        TABLES.iter().zip(n).map(|((_, name), n)| (*name, n)).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.counts().iter().all(|(_, n)| *n == 0)
    }

    /// SHA-256 of every row, in order (hex).
    pub fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        // Serialising plain data to a Vec cannot fail.
        hasher.update(serde_json::to_vec(self).unwrap_or_default());
        hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The log in id order: the order in which a copy writes it, so that a correction follows what
/// it corrects.
pub(super) fn by_id(mut events: Vec<Event>) -> Vec<Event> {
    events.sort_unstable_by_key(|e| e.id);
    events
}

/// Every version in id order (the order approved) with its files and carries: what `store`
/// gives through [`super::Versions`], put together for a copy.
pub(super) fn versions_of(store: &dyn Versions) -> Result<Vec<VersionRow>, StoreError> {
    let mut versions = store.versions(None)?;
    versions.sort_unstable_by_key(|v| v.id);
    let mut carries = store.carries()?.into_iter().peekable();
    versions
        .into_iter()
        .map(|version| {
            let files = store.version_files(version.id)?;
            // Carries come by version id, as the versions now do.
            let mut own = Vec::new();
            while let Some((_, carry)) = carries.next_if(|(id, _)| *id == version.id) {
                own.push(carry);
            }
            Ok(VersionRow { version, files, carries: own })
        })
        .collect()
}

/// What a copy moved.
#[derive(Debug)]
pub struct Copied {
    pub counts: Vec<(&'static str, usize)>,
    pub digest: String,
}

/// Copies everything in `from` into `to`, which must hold nothing (so running it twice is
/// refused), in one transaction; then reads `to` back and compares counts and digest.
pub fn copy(from: &dyn Store, to: &mut dyn Store) -> Result<Copied, StoreError> {
    let contents = from.contents()?;
    let there = to.contents_summary()?;
    if there.iter().any(|(_, n)| *n > 0) {
        let held: Vec<String> = there.iter().filter(|(_, n)| *n > 0).map(|(t, n)| format!("{t}: {n}")).collect();
        return Err(StoreError::Conflict(format!(
            "в базе назначения уже есть данные ({}): копирование отменено, ничего не записано",
            held.join(", ")
        )));
    }
    to.fill(&contents)?;
    let arrived = to.contents()?;
    let (counts, digest) = (contents.counts(), contents.digest());
    if arrived.counts() != counts || arrived.digest() != digest {
        return Err(StoreError::Conflict(format!(
            "скопированное не совпадает с исходным (контрольная сумма {digest} против {})",
            arrived.digest()
        )));
    }
    Ok(Copied { counts, digest })
}

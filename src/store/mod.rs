//! The store: everything karta keeps between runs, behind six traits — the append-only
//! progress log ([`EventLog`]), the notification outbox ([`Outbox`]), the web app's accounts
//! ([`Accounts`]), the approved versions of roadmaps ([`Versions`]), the replies to notices
//! handled ([`Inbox`]) and the messenger chats linked to accounts ([`Chats`]) — and one error
//! type that names no backend. [`open`] picks the backend from `--db`: a file path is an embedded SQLite
//! file, a `postgres://` URL a PostgreSQL database.
//!
//! Modules above the store (tracking's callers, notify, web, the CLI) hold a `Box<dyn Store>`
//! and must not name a backend. A backend must keep the log and the approved versions
//! append-only, make every write all-or-nothing, and apply its numbered migrations on open
//! (docs/tracking.md).

mod accounts;
mod chats;
pub(crate) mod columns;
pub mod copy;
mod inbox;
mod outbox;
mod postgres;
mod sqlite;
mod versions;

use std::path::Path;

pub use accounts::{Accounts, Failures, MoveRequest, NewUser, Role, User};
pub use chats::{ChatLink, Chats, Linking};
pub use inbox::{Handled, Inbox, Item, NewMove, Outcome, Sent};
pub use outbox::{Delivery, Notice, Outbox, Outgoing, Stored};
pub use versions::{Carry, NewVersion, Order, Rule, Version, VersionFile, Versions};

use crate::track::{Event, NewEvent};

/// What can go wrong with the store, whatever the backend. Messages are for users, in Russian;
/// the backend's own message is kept as text.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("не удалось открыть базу {target}: {message}")]
    Unavailable { target: String, message: String },
    #[error("база {target} создана более новой версией karta (схема {found}, эта версия знает {known})")]
    TooNew { target: String, found: i64, known: i64 },
    #[error("не удалось обновить схему базы: {0}")]
    Migrate(String),
    #[error("не удалось записать в базу (ничего не записано): {0}")]
    Write(String),
    #[error("не удалось прочитать базу: {0}")]
    Read(String),
    #[error("{0}")]
    Conflict(String),
    #[error("в базе испорченная запись № {id}: {what}")]
    Corrupt { id: i64, what: String },
}

impl crate::diag::Explain for StoreError {
    fn explain(&self) -> crate::diag::Message {
        use crate::msg;
        match self {
            StoreError::Unavailable { target, message } => {
                msg!("не удалось открыть базу {}: {}", target, message; "cannot open the database {}: {}", target, message)
            }
            StoreError::TooNew { target, found, known } => msg!(
                "база {} создана более новой версией karta (схема {}, эта версия знает {})", target, found, known;
                "the database {} was made by a newer karta (schema {}, this version knows {})", target, found, known
            ),
            StoreError::Migrate(m) => {
                msg!("не удалось обновить схему базы: {}", m; "cannot upgrade the database schema: {}", m)
            }
            StoreError::Write(m) => {
                msg!("не удалось записать в базу (ничего не записано): {}", m; "cannot write to the database (nothing written): {}", m)
            }
            StoreError::Read(m) => msg!("не удалось прочитать базу: {}", m; "cannot read the database: {}", m),
            StoreError::Conflict(m) => crate::diag::Message::new(m.clone(), m.clone()),
            StoreError::Corrupt { id, what } => {
                msg!("в базе испорченная запись № {}: {}", id, what; "record {} in the database is corrupt: {}", id, what)
            }
        }
    }
}

/// The append-only log of progress events. Nothing is ever updated or deleted: a correction
/// is a new event.
pub trait EventLog {
    /// Records events, all or none, and returns their ids.
    fn append(&mut self, events: &[NewEvent]) -> Result<Vec<i64>, StoreError>;
    /// Every event, in the order recorded.
    fn events(&self) -> Result<Vec<Event>, StoreError>;
    /// One event by id.
    fn event(&self, id: i64) -> Result<Option<Event>, StoreError>;
    /// The id of the latest event (0 for none): the log is append-only, so it changes exactly
    /// when something is recorded.
    fn last_event(&self) -> Result<i64, StoreError>;
    /// Which store this is: a random id given when it was made, never another store's.
    fn identity(&self) -> Result<String, StoreError>;
    /// The events from `last` on (`last` itself, for the reader to compare with its copy, and
    /// those recorded since), in the order recorded, when exactly `count` events have an id up
    /// to `last`: the log is append-only, so then they are the events a reader that read it up
    /// to `last` has. `None` when they are not (an event with a smaller id committed since, a
    /// store put back from a copy), and the whole log must be read. Read as one snapshot.
    fn events_since(&self, last: i64, count: usize) -> Result<Option<Vec<Event>>, StoreError>;
}

/// One connection to a store: the log, the outbox, the accounts and the versions together, so
/// that a write that touches two of them (an approved move request and its event) is one
/// transaction.
pub trait Store: EventLog + Outbox + Accounts + Versions + Inbox + Chats + Send {
    /// Whether the store answers.
    fn ping(&self) -> Result<(), StoreError>;
    /// The backend's own consistency check: "ok" for a sound store whose append-only tables
    /// (the log, the versions) are still guarded by their triggers.
    fn integrity(&self) -> Result<String, StoreError>;
    /// Tries to become the one process that plans and sends notices, and returns whether this
    /// connection is it. The claim lasts as long as the connection: when its process ends,
    /// however it ends, another may take over. A store only one process uses (an SQLite file)
    /// always answers yes.
    fn lead(&mut self) -> Result<bool, StoreError> {
        Ok(true)
    }
    /// Every row, table by table (for `karta store copy`).
    fn contents(&self) -> Result<copy::Contents, StoreError>;
    /// Rows per table, without reading them.
    fn contents_summary(&self) -> Result<Vec<(&'static str, usize)>, StoreError>;
    /// Writes `contents` into this store, keeping every id, all or nothing.
    fn fill(&mut self, contents: &copy::Contents) -> Result<(), StoreError>;
}

/// What [`Store::integrity`] answers when the append-only triggers of `tables` are gone.
fn unguarded<'a>(tables: impl IntoIterator<Item = &'a str>) -> String {
    let mut names: Vec<&str> = tables
        .into_iter()
        .map(|t| copy::TABLES.iter().find(|(table, _)| *table == t).map_or(t, |(_, name)| *name))
        .collect();
    names.dedup();
    format!("не защищены от изменения, триггеры сняты: {}", names.join(", "))
}

/// Opens the store named by `--db` (creating and migrating it if needed): a file path is an
/// SQLite file; a `postgres://` or `postgresql://` URL names a PostgreSQL database.
pub fn open(db: &Path) -> Result<Box<dyn Store>, StoreError> {
    match Backend::of(db) {
        Backend::Sqlite => Ok(Box::new(sqlite::Sqlite::open(db)?)),
        Backend::Postgres => Ok(Box::new(postgres::Postgres::open(db.to_str().unwrap_or_default())?)),
    }
}

/// The kinds of store, told apart by the form of `--db`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend `db` names: a PostgreSQL URL, or else a file.
    pub fn of(db: &Path) -> Backend {
        let url = db.to_str().unwrap_or_default();
        if ["postgres://", "postgresql://"].iter().any(|scheme| url.starts_with(scheme)) {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_applied_in_its_numbered_place() {
        for (backend, list) in [("sqlite", sqlite::MIGRATIONS), ("postgres", postgres::MIGRATIONS)] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store").join(backend).join("migrations");
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .expect("migrations")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            assert_eq!(names.len(), list.len(), "{backend}: {names:?}");
            for (i, (name, sql)) in names.iter().zip(list).enumerate() {
                assert!(name.starts_with(&format!("{:04}_", i + 1)), "{backend}: {name} is not migration {}", i + 1);
                let file =
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store").join(backend).join("migrations").join(name);
                assert_eq!(
                    std::fs::read_to_string(file).expect("read"),
                    *sql,
                    "{backend}: {name} is compiled in at its place"
                );
            }
        }
        assert_eq!(
            sqlite::MIGRATIONS.len(),
            postgres::MIGRATIONS.len(),
            "migration N means the same change everywhere"
        );
    }

    #[test]
    fn the_backend_follows_the_form_of_db() {
        for (db, backend) in [
            ("karta.db", Backend::Sqlite),
            ("/var/lib/karta/karta.db", Backend::Sqlite),
            ("postgres://karta@db/karta", Backend::Postgres),
            ("postgresql://karta@db/karta", Backend::Postgres),
            ("./postgres:/karta.db", Backend::Sqlite),
        ] {
            assert_eq!(Backend::of(Path::new(db)), backend, "{db}");
        }
    }
}

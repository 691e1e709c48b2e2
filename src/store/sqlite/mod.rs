//! The embedded SQLite backend: one file in WAL mode, numbered migrations applied on open
//! (the file's `user_version` is how many are applied), every write one transaction. The
//! append-only rule of the log and of the approved versions is enforced by triggers in the
//! schema, not by this code.

mod accounts;
mod chats;
mod copy;
mod events;
mod inbox;
mod outbox;
mod versions;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, TransactionBehavior};

use super::copy::Contents;
use super::{Store, StoreError, unguarded};

/// Schema migrations, in order; the database's `user_version` is the number applied.
pub(super) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_events.sql"),
    include_str!("migrations/0002_outbox.sql"),
    include_str!("migrations/0003_web.sql"),
    include_str!("migrations/0004_versions.sql"),
    include_str!("migrations/0005_inbox.sql"),
    include_str!("migrations/0006_chats.sql"),
    include_str!("migrations/0007_identity.sql"),
];

/// How many pages the write-ahead log grows to before it is folded into the file.
const WAL_PAGES: i64 = 64;

/// The append-only tables and the triggers that keep them so.
const GUARDS: [(&str, &str); 8] = [
    ("events", "events_no_update"),
    ("events", "events_no_delete"),
    ("versions", "versions_no_update"),
    ("versions", "versions_no_delete"),
    ("version_files", "version_files_no_update"),
    ("version_files", "version_files_no_delete"),
    ("carries", "carries_no_update"),
    ("carries", "carries_no_delete"),
];

/// The embedded SQLite store.
pub struct Sqlite {
    conn: Connection,
    /// The write-ahead log beside the file.
    wal: PathBuf,
}

impl Sqlite {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Sqlite, StoreError> {
        let open_err =
            |e: rusqlite::Error| StoreError::Unavailable { target: path.display().to_string(), message: e.to_string() };
        let mut conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(Duration::from_secs(15)).map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(open_err)?;
        // Each commit syncs the log: a write is on disk when the command says it is (a reply's
        // exit 0 lets the mail server drop the message). So closing needs no checkpoint: the log
        // stays beside the file until it is long (see `Drop`), and a commit that takes it past
        // `WAL_PAGES` folds it into the file while others have it open.
        conn.pragma_update(None, "synchronous", "FULL").map_err(open_err)?;
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).map_err(open_err)?;
        conn.pragma_update(None, "wal_autocheckpoint", WAL_PAGES).map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(open_err)?;
        migrate(&mut conn, path)?;
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        Ok(Sqlite { conn, wal: PathBuf::from(wal) })
    }
}

impl Drop for Sqlite {
    /// Folds the log into the file and empties it when it has grown past `WAL_PAGES` pages.
    /// A process that finds nobody else with the file open reads the whole log back, and cannot
    /// start it over where an earlier one folded it, so between short commands only this keeps
    /// it short. Tried once: when another connection is busy, a later close does it.
    fn drop(&mut self) {
        let long = std::fs::metadata(&self.wal).is_ok_and(|m| m.len() > WAL_PAGES as u64 * 4096);
        if long && self.conn.busy_timeout(Duration::ZERO).is_ok() {
            let _ = self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
    }
}

impl Store for Sqlite {
    fn ping(&self) -> Result<(), StoreError> {
        self.conn.query_row("SELECT 1", [], |_| Ok(())).map_err(read)
    }

    /// `PRAGMA integrity_check`, then whether every append-only trigger is still there.
    fn integrity(&self) -> Result<String, StoreError> {
        let pages: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(read)?;
        if pages != "ok" {
            return Ok(pages);
        }
        let mut unguarded_tables = Vec::new();
        for (table, trigger) in GUARDS {
            let present: bool = self
                .conn
                .query_row(
                    "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'trigger' AND name = ?1 AND tbl_name = ?2",
                    [trigger, table],
                    |r| r.get(0),
                )
                .map_err(read)?;
            if !present {
                unguarded_tables.push(table);
            }
        }
        Ok(if unguarded_tables.is_empty() { pages } else { unguarded(unguarded_tables) })
    }

    fn contents(&self) -> Result<Contents, StoreError> {
        Sqlite::contents(self)
    }

    fn contents_summary(&self) -> Result<Vec<(&'static str, usize)>, StoreError> {
        Sqlite::contents_summary(self)
    }

    fn fill(&mut self, contents: &Contents) -> Result<(), StoreError> {
        Sqlite::fill(self, contents)
    }
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    let failed = |e: rusqlite::Error| StoreError::Migrate(e.to_string());
    // Two processes may open a new file at once: take the write lock before reading the version.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(failed)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(failed)?;
    if version > known {
        return Err(StoreError::TooNew { target: path.display().to_string(), found: version, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql).map_err(failed)?;
        tx.pragma_update(None, "user_version", i as i64 + 1).map_err(failed)?;
    }
    tx.commit().map_err(failed)
}

/// A failed read, with SQLite's message.
fn read(e: rusqlite::Error) -> StoreError {
    StoreError::Read(e.to_string())
}

/// A failed write (its transaction rolled back), with SQLite's message.
fn write(e: rusqlite::Error) -> StoreError {
    StoreError::Write(e.to_string())
}

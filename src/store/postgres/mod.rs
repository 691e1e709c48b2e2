//! The PostgreSQL backend, for a ministry that runs its services on PostgreSQL and for several
//! `karta serve` instances over one database. The driver is `postgres` (rust-postgres, the
//! synchronous face of tokio-postgres): the store's traits are synchronous and every caller
//! already runs them off the async threads, so a blocking client on one connection per store
//! is the plain fit (the web app keeps a few of them in its pool).
//!
//! Numbered migrations are applied on open, under an advisory lock so that instances starting
//! together do not race; the `karta_schema` table holds how many are applied (SQLite keeps the
//! same number in `user_version`). The append-only rule of the log and of the approved
//! versions is enforced by triggers.
//!
//! Several instances: appends take the log's table lock, so event ids become visible in order
//! and "the latest event" names exactly what has been recorded; one instance at a time leads
//! (plans and sends notices) by holding a session advisory lock, released by the server when
//! that instance's connection ends, however it ends; a sender holds a message's row lock while
//! it sends it (`FOR UPDATE SKIP LOCKED`), so two senders never take the same message.

mod accounts;
mod chats;
mod copy;
mod events;
mod inbox;
mod outbox;
mod versions;

use std::cell::RefCell;

use postgres::config::SslMode;
use postgres::{Client, NoTls};

use super::copy::Contents;
use super::{Store, StoreError, unguarded};

/// Schema migrations, in order; `karta_schema.version` is the number applied.
pub(super) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_events.sql"),
    include_str!("migrations/0002_outbox.sql"),
    include_str!("migrations/0003_web.sql"),
    include_str!("migrations/0004_versions.sql"),
    include_str!("migrations/0005_inbox.sql"),
    include_str!("migrations/0006_chats.sql"),
    include_str!("migrations/0007_identity.sql"),
];

/// The append-only tables and the triggers that keep them so (rows: UPDATE and DELETE; the
/// table: TRUNCATE).
const GUARDS: [(&str, &str); 8] = [
    ("events", "events_no_update"),
    ("events", "events_no_truncate"),
    ("versions", "versions_no_update"),
    ("versions", "versions_no_truncate"),
    ("version_files", "version_files_no_update"),
    ("version_files", "version_files_no_truncate"),
    ("carries", "carries_no_update"),
    ("carries", "carries_no_truncate"),
];

/// Advisory lock keys (one namespace: "karta" in ASCII, then the purpose).
const MIGRATING: i64 = 0x6b61_7274_6101;
const LEADING: i64 = 0x6b61_7274_6102;

/// A PostgreSQL store: one connection. Reads take `&self` in the traits, the driver wants
/// `&mut`; a store is used by one thread at a time (it is `Send`, not `Sync`).
///
/// The driver blocks on a runtime of its own, which tokio forbids on a thread that is already
/// running async code; callers should use the store off the async threads, and when one does not
/// (a request handler's quick look-up, a test), [`Postgres::run`] moves the call to a thread of
/// its own rather than panic.
pub struct Postgres {
    client: RefCell<Option<Client>>,
    /// This connection holds the leader's lock.
    leading: bool,
}

impl Postgres {
    /// Connects to the database at `url` and brings its schema up to date.
    pub fn open(url: &str) -> Result<Postgres, StoreError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return std::thread::scope(|s| s.spawn(|| Postgres::connect(url)).join())
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
        }
        Postgres::connect(url)
    }

    fn connect(url: &str) -> Result<Postgres, StoreError> {
        let unavailable = |message: String| StoreError::Unavailable { target: redacted(url), message };
        let (plain, root) = tls_options(url);
        let mut config: postgres::Config = plain.parse().map_err(|e: postgres::Error| unavailable(message(&e)))?;
        if config.get_application_name().is_none() {
            config.application_name("karta");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        let mut client = if config.get_ssl_mode() == SslMode::Require {
            config.connect(tls(root.as_deref()).map_err(unavailable)?)
        } else {
            config.connect(NoTls)
        }
        .map_err(|e| unavailable(message(&e)))?;
        migrate(&mut client, url)?;
        Ok(Postgres { client: RefCell::new(Some(client)), leading: false })
    }

    /// Runs `f` on the connection, on another thread when this one runs async code.
    fn run<T: Send>(&self, f: impl FnOnce(&mut Client) -> T + Send) -> T {
        let mut guard = self.client.borrow_mut();
        let client = guard.as_mut().expect("a store's connection lives as long as the store");
        if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| s.spawn(move || f(client)).join()).unwrap_or_else(|p| std::panic::resume_unwind(p))
        } else {
            f(client)
        }
    }
}

impl Drop for Postgres {
    /// Closing the connection blocks too: on an async thread it is closed from another one.
    fn drop(&mut self) {
        if let Some(client) = self.client.get_mut().take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                std::thread::scope(|s| {
                    s.spawn(move || drop(client));
                });
            }
        }
    }
}

impl Store for Postgres {
    fn ping(&self) -> Result<(), StoreError> {
        self.run(|c| c.simple_query("SELECT 1").map(drop).map_err(read))
    }

    /// PostgreSQL checks its own pages; what karta checks is that the guards of the log and of
    /// the versions are in force: every append-only trigger present and enabled.
    fn integrity(&self) -> Result<String, StoreError> {
        let (tables, triggers): (Vec<&str>, Vec<&str>) = GUARDS.into_iter().unzip();
        let unguarded_tables: Vec<String> = self.run(|c| {
            c.query(
                "SELECT g.tbl FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS g (tbl, name, n)
                 WHERE NOT EXISTS (SELECT 1 FROM pg_trigger t
                                   WHERE t.tgrelid = g.tbl::regclass AND t.tgname = g.name AND t.tgenabled <> 'D')
                 ORDER BY g.n",
                &[&tables, &triggers],
            )
            .map(|rows| rows.iter().map(|r| r.get(0)).collect())
            .map_err(read)
        })?;
        Ok(if unguarded_tables.is_empty() {
            "ok".into()
        } else {
            unguarded(unguarded_tables.iter().map(String::as_str))
        })
    }

    fn contents(&self) -> Result<Contents, StoreError> {
        Postgres::contents(self)
    }

    fn contents_summary(&self) -> Result<Vec<(&'static str, usize)>, StoreError> {
        Postgres::contents_summary(self)
    }

    fn fill(&mut self, contents: &Contents) -> Result<(), StoreError> {
        Postgres::fill(self, contents)
    }

    fn lead(&mut self) -> Result<bool, StoreError> {
        if self.leading {
            // Still connected means still holding the lock.
            return self.ping().map(|()| true);
        }
        self.leading =
            self.run(|c| c.query_one("SELECT pg_try_advisory_lock($1)", &[&LEADING]).map(|r| r.get(0)).map_err(read))?;
        Ok(self.leading)
    }
}

fn migrate(client: &mut Client, url: &str) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    let failed = |e: postgres::Error| StoreError::Migrate(message(&e));
    let mut tx = client.transaction().map_err(failed)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATING]).map_err(failed)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS karta_schema (version BIGINT NOT NULL)").map_err(failed)?;
    let version: i64 = match tx.query_opt("SELECT version FROM karta_schema", &[]).map_err(failed)? {
        Some(row) => row.get(0),
        None => {
            tx.execute("INSERT INTO karta_schema (version) VALUES (0)", &[]).map_err(failed)?;
            0
        }
    };
    if version > known {
        return Err(StoreError::TooNew { target: redacted(url), found: version, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql).map_err(failed)?;
        tx.execute("UPDATE karta_schema SET version = $1", &[&(i as i64 + 1)]).map_err(failed)?;
    }
    tx.commit().map_err(failed)
}

/// The URL as the driver reads it, and the file of `sslrootcert=` if given. libpq's
/// `verify-ca` and `verify-full` become `require`, which here always verifies.
fn tls_options(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else { return (url.to_string(), None) };
    let mut root = None;
    let kept: Vec<String> = query
        .split('&')
        .filter_map(|pair| match pair.split_once('=') {
            Some(("sslrootcert", file)) => {
                root = Some(percent_encoding::percent_decode_str(file).decode_utf8_lossy().into_owned());
                None
            }
            Some(("sslmode", "verify-ca" | "verify-full")) => Some("sslmode=require".to_string()),
            _ => Some(pair.to_string()),
        })
        .collect();
    let url = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
    (url, root)
}

/// TLS for `sslmode=require`: the connection is encrypted and the server's certificate checked
/// against the system's roots and the certificates in `root_file` (libpq's `verify-full`), for
/// the host name in the URL.
fn tls(root_file: Option<&str>) -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = root_file {
        let unreadable = |e: &dyn std::fmt::Display| format!("сертификаты sslrootcert={path} не прочитаны: {e}");
        let certs = CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))?;
        for cert in certs {
            roots.add(cert.map_err(|e| unreadable(&e))?).map_err(|e| unreadable(&e))?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// The server's message when it sent one, else the driver's (with its cause).
fn message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        },
        None => {
            let cause = std::error::Error::source(e).map(|s| format!(": {s}")).unwrap_or_default();
            format!("{e}{cause}")
        }
    }
}

/// A failed read, with PostgreSQL's message.
fn read(e: postgres::Error) -> StoreError {
    StoreError::Read(message(&e))
}

/// A failed write (its transaction rolled back), with PostgreSQL's message.
fn write(e: postgres::Error) -> StoreError {
    StoreError::Write(message(&e))
}

/// The URL without its password, for messages and logs.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (authority, tail) = rest.find(['/', '?']).map_or((rest, ""), |i| rest.split_at(i));
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once("password=") {
        Some((before, after)) => {
            let end = after.find('&').unwrap_or(after.len());
            format!("{before}password=***{}", &after[end..])
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_options_the_driver_does_not_know_are_read_here() {
        assert_eq!(tls_options("postgres://db/karta"), ("postgres://db/karta".into(), None));
        assert_eq!(
            tls_options(
                "postgres://db/karta?sslmode=verify-full&sslrootcert=%2Fetc%2Fkarta%2Fca.pem&connect_timeout=5"
            ),
            ("postgres://db/karta?sslmode=require&connect_timeout=5".into(), Some("/etc/karta/ca.pem".into()))
        );
        assert_eq!(
            tls_options("postgres://db/k?sslrootcert=/ca.pem"),
            ("postgres://db/k".into(), Some("/ca.pem".into()))
        );
    }

    #[test]
    fn passwords_never_reach_messages() {
        for (url, shown) in [
            ("postgres://karta:секрет@db:5432/karta", "postgres://karta:***@db:5432/karta"),
            (
                "postgres://karta@db/karta?password=s3&sslmode=disable",
                "postgres://karta@db/karta?password=***&sslmode=disable",
            ),
            ("postgresql://db/karta", "postgresql://db/karta"),
        ] {
            assert_eq!(redacted(url), shown);
        }
    }

    #[test]
    fn a_server_that_is_not_there_is_a_clear_error() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
        let err = Postgres::open(&format!("postgres://karta:secret@127.0.0.1:{port}/karta")).err().expect("refused");
        let text = err.to_string();
        assert!(text.starts_with("не удалось открыть базу postgres://karta:***@"), "{text}");
        assert!(!text.contains("secret"), "{text}");
    }
}

//! One builder for tests through the `karta` binary:
//! `Test::new().file("r.yaml", yaml).args(["check", "r.yaml"]).run().fails()`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Test {
    dir: tempfile::TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

pub struct Run {
    pub output: Output,
    pub dir: PathBuf,
}

impl Test {
    pub fn new() -> Self {
        Test { dir: tempfile::tempdir().expect("temp dir"), args: Vec::new(), env: Vec::new() }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(self, name: &str, content: impl AsRef<[u8]>) -> Self {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, content).expect("write fixture");
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn run(self) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_karta"));
        cmd.args(&self.args)
            .current_dir(self.dir.path())
            .env_remove("LANG")
            .env_remove("KARTA_LANG")
            .env_remove("KARTA_NOW");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let output = cmd.output().expect("run karta");
        let dir = self.dir.keep();
        Run { output, dir }
    }
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    pub fn succeeds(&self) -> &Self {
        assert_eq!(self.code(), 0, "expected success\nstdout:\n{}\nstderr:\n{}", self.stdout(), self.stderr());
        self
    }

    pub fn fails(&self) -> &Self {
        assert_eq!(self.code(), 1, "expected exit 1\nstdout:\n{}\nstderr:\n{}", self.stdout(), self.stderr());
        self
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Copies the bundled roadmaps into `dir/roadmaps` (a workspace the test may edit) and returns it.
pub fn copy_roadmaps(dir: &Path) -> PathBuf {
    let roadmaps = dir.join("roadmaps");
    std::fs::create_dir_all(&roadmaps).expect("mkdir");
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("roadmaps")).expect("roadmaps") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, roadmaps.join(path.file_name().expect("name"))).expect("copy");
    }
    roadmaps
}

/// Compares with a golden file; `KARTA_BLESS=1` rewrites it.
pub fn golden(path: &Path, actual: &str, failures: &mut Vec<String>) {
    if std::env::var_os("KARTA_BLESS").is_some() {
        std::fs::write(path, actual).expect("bless");
        return;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => failures.push(format!("{}:\n--- expected\n{expected}\n--- actual\n{actual}", path.display())),
        Err(_) => failures.push(format!("{} is missing; run with KARTA_BLESS=1", path.display())),
    }
}

pub mod bots;
pub mod documents;
pub mod dovecot;
pub mod encode;
pub mod pg;
pub mod replies;
pub mod site;
pub mod smtp;
pub mod tables;

/// A port nobody listens on right now.
/// `karta` run in the workspace `dir` over the store `db`: the roadmaps in `dir/roadmaps`, and
/// the caller's language, clock, configuration and every way in or out (SMTP, the bots, the
/// mailbox, the reply key) cleared, for the test to set what it uses.
pub fn karta_in(dir: &Path, db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_karta"));
    cmd.current_dir(dir).env("KARTA_ROADMAPS", dir.join("roadmaps")).env("KARTA_DB", db);
    for name in [
        "LANG",
        "KARTA_LANG",
        "KARTA_NOW",
        "KARTA_CONFIG",
        "KARTA_SMTP_URL",
        "KARTA_TELEGRAM_TOKEN",
        "KARTA_TELEGRAM_API",
        "KARTA_MAX_TOKEN",
        "KARTA_MAX_API",
        "KARTA_INBOX_ADDRESS",
        "KARTA_INBOX_KEY",
        "KARTA_IMAP_URL",
    ] {
        cmd.env_remove(name);
    }
    cmd
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// The store backends the tracking, notification and web suites run on: each test of those
/// suites is written once, taking a `Backend`, and [`on_both_backends!`] makes it a test per
/// backend (`sqlite::name`, `postgres::name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// A new empty store for one test, as `--db` takes it: `karta.db` in `dir`, or a new
    /// database on the test PostgreSQL server.
    pub fn db(self, dir: &Path) -> String {
        match self {
            Backend::Sqlite => dir.join("karta.db").display().to_string(),
            Backend::Postgres => pg::database(),
        }
    }
}

/// `on_both_backends!(a, b)`: tests `sqlite::a`, `postgres::a`, … calling `a(Backend::…)`;
/// `on_both_backends!(async a, b)` for async tests.
#[macro_export]
macro_rules! on_both_backends {
    (async $($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread")] async fn $name() { super::$name($crate::support::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread")] async fn $name() { super::$name($crate::support::Backend::Postgres).await })*
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name($crate::support::Backend::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $name() { super::$name($crate::support::Backend::Postgres) })*
        }
    };
}

/// The text parts of a DOCX package by name (`word/document.xml`, …); pictures are left out.
pub fn docx_parts(bytes: &[u8]) -> std::collections::HashMap<String, String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..zip.len())
        .filter_map(|i| {
            let mut f = zip.by_index(i).expect("entry");
            let mut text = String::new();
            f.read_to_string(&mut text).ok().map(|_| (f.name().to_string(), text))
        })
        .collect()
}

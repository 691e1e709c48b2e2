//! The progress store under stress: a writer killed with SIGKILL in the
//! middle of an import leaves the store sound and holding all or none of that import; two
//! processes writing at once lose nothing and never fail with "database is locked". Each runs on
//! both backends (a real SQLite file, a real PostgreSQL database); an unreachable PostgreSQL
//! server is a clear error that never shows the password.

mod support;

use support::Backend;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use karta::store;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn karta(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_karta"));
    cmd.current_dir(dir).env_remove("LANG").env_remove("KARTA_NOW").env("KARTA_USER", "тест");
    cmd
}

/// A workspace with the given seed roadmaps and the shared directory.
fn workspace(seeds: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("roadmaps")).expect("mkdir");
    for name in seeds.iter().chain(&["khabarovsk-directory.yaml"]) {
        std::fs::copy(root().join("roadmaps").join(name), dir.path().join("roadmaps").join(name)).expect("copy");
    }
    dir
}

/// Every occurrence id due by `until`, from `karta plan`.
fn occurrences(dir: &Path, until: &str) -> Vec<(String, String)> {
    let out = karta(dir).args(["plan", "roadmaps", "--to", until, "--format", "json"]).output().expect("plan");
    let plan: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    plan["occurrences"]
        .as_array()
        .expect("list")
        .iter()
        .map(|o| {
            (o["id"].as_str().unwrap_or_default().to_string(), o["due_date"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

/// A new store of `backend` for one run, created (and migrated) before it is used.
fn fresh(backend: Backend, dir: &Path, name: &str) -> String {
    let home = dir.join(name);
    std::fs::create_dir_all(&home).expect("mkdir");
    let db = backend.db(&home);
    drop(store::open(Path::new(&db)).expect("create the database"));
    db
}

#[cfg(unix)]
fn a_writer_killed_mid_import_leaves_all_or_nothing(backend: Backend) {
    let dir = workspace(&["khabarovsk-model-2023-2024.yaml"]);
    let rows = occurrences(dir.path(), "2024-05-31");
    assert!(rows.len() > 5_000, "a large import: {} rows", rows.len());
    let mut csv = String::from("occurrence;статус;дата;комментарий\n");
    for (id, due) in &rows {
        let (y, m, d) = (&due[0..4], &due[5..7], &due[8..10]);
        csv += &format!("{id};выполнено;{d}.{m}.{y};отчёт получен\n");
    }
    std::fs::write(dir.path().join("progress.csv"), csv).expect("csv");

    // How long a whole import takes, to spread the kills across it.
    let full = {
        let db = fresh(backend, dir.path(), "timing");
        let start = Instant::now();
        let out = karta(dir.path())
            .args(["import", "progress.csv", "--db", &db, "--now", "2024-06-30T12:00:00+10:00"])
            .output()
            .expect("import");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        start.elapsed()
    };
    let (mut none, mut all) = (0, 0);
    for attempt in 0..10u32 {
        let db = fresh(backend, dir.path(), &format!("attempt-{attempt}"));
        let mut child = karta(dir.path())
            .args(["import", "progress.csv", "--db", &db, "--now", "2024-06-30T12:00:00+10:00"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        // From the start of the run to just past its end: most kills land while it works.
        std::thread::sleep(full.mul_f64(f64::from(attempt) / 8.0));
        let _ = child.kill();
        let _ = child.wait();
        let store = store::open(Path::new(&db)).expect("the database opens after SIGKILL");
        assert_eq!(store.integrity().expect("integrity check"), "ok", "attempt {attempt}");
        let n = store.events().expect("read").len();
        assert!(n == 0 || n == rows.len(), "attempt {attempt}: {n} of {} events — a half-written import", rows.len());
        if n == 0 { none += 1 } else { all += 1 }
    }
    assert!(none > 0, "some kills must land before the commit");
    eprintln!("killed 10 imports of {} rows over {:?}: {none} left nothing, {all} completed", rows.len(), full);
}

fn two_writers_at_once_lose_nothing(backend: Backend) {
    let dir = workspace(&["lazo-2023-2024.yaml"]);
    let db = fresh(backend, dir.path(), "store");
    let rows: Vec<String> = occurrences(dir.path(), "2024-03-31")
        .into_iter()
        .filter(|(id, _)| id.contains("/students-1@") || id.contains("/method-1@"))
        .map(|(id, _)| id)
        .collect();
    assert!(rows.len() >= 30, "{} occurrences", rows.len());
    let (left, right) = rows.split_at(rows.len() / 2);
    let writer = |ids: Vec<String>, dir: PathBuf, db: String| {
        std::thread::spawn(move || {
            ids.iter()
                .map(|id| {
                    let out = karta(&dir)
                        .args(["done", id, "--db", &db, "--now", "2024-04-01T10:00:00+10:00"])
                        .output()
                        .expect("done");
                    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
                })
                .collect::<Vec<_>>()
        })
    };
    let a = writer(left.to_vec(), dir.path().to_path_buf(), db.clone());
    let b = writer(right.to_vec(), dir.path().to_path_buf(), db.clone());
    for (code, err) in a.join().expect("a").into_iter().chain(b.join().expect("b")) {
        assert_eq!(code, Some(0), "a concurrent write failed: {err}");
        assert!(!err.contains("locked"), "{err}");
    }
    let store = store::open(Path::new(&db)).expect("open");
    assert_eq!(store.events().expect("read").len(), rows.len(), "every report recorded once");
    assert_eq!(store.integrity().expect("check"), "ok");
}

/// Commands that each write a little and exit keep SQLite's write-ahead log short: every
/// commit is synced to it and a close leaves it beside the file, until one close finds it past
/// 64 pages and folds it in. (A new process reads the whole log back before its first read.)
#[test]
fn the_log_beside_an_sqlite_file_stays_short_between_commands() {
    let dir = workspace(&["lazo-2023-2024.yaml"]);
    let db = fresh(Backend::Sqlite, dir.path(), "store");
    let rows: Vec<String> =
        occurrences(dir.path(), "2024-03-31").into_iter().map(|(id, _)| id).filter(|id| id.contains("-1@")).collect();
    assert!(rows.len() >= 30, "{} occurrences", rows.len());
    let wal = PathBuf::from(format!("{db}-wal"));
    let mut sizes = Vec::new();
    for id in &rows[..30] {
        let out = karta(dir.path())
            .args(["done", id, "--db", &db, "--now", "2024-04-01T10:00:00+10:00"])
            .output()
            .expect("done");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        sizes.push(std::fs::metadata(&wal).map_or(0, |m| m.len()));
    }
    let most = *sizes.iter().max().expect("sizes");
    assert!(most <= 96 * (4096 + 24), "the log grew to {most} bytes: {sizes:?}");
    assert!(sizes.windows(2).any(|w| w[1] < w[0]), "the log was folded in and emptied: {sizes:?}");
    assert!(sizes.last().is_some_and(|&n| n > 0), "the last commands' writes wait in the log: {sizes:?}");
    let store = store::open(Path::new(&db)).expect("open");
    assert_eq!(store.events().expect("read").len(), 30, "every report is there");
    assert_eq!(store.integrity().expect("check"), "ok");
}

#[test]
fn a_postgres_server_that_is_not_there_is_a_clear_error() {
    let roadmaps = root().join("roadmaps").display().to_string();
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let url = format!("postgres://karta:secret@127.0.0.1:{port}/karta");
    for args in [
        vec!["status", "--roadmaps", &roadmaps, "--db", &url, "--now", "2023-10-16"],
        vec!["user", "list", "--db", &url],
    ] {
        let run = support::Test::new().args(args.clone()).run();
        assert_eq!(run.code(), 2, "{args:?}: {}", run.stderr());
        let expected = format!("ошибка: не удалось открыть базу postgres://karta:***@127.0.0.1:{port}/karta: ");
        assert!(run.stderr().starts_with(&expected), "{args:?}: {}", run.stderr());
        assert!(!run.stderr().contains("secret"), "the password is never shown: {}", run.stderr());
    }
}

on_both_backends!(a_writer_killed_mid_import_leaves_all_or_nothing, two_writers_at_once_lose_nothing);

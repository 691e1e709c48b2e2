//! A real PostgreSQL server for the tests: started once per test binary, on first use, from the
//! machine's PostgreSQL (Debian's `postgresql` package: `initdb` in a temporary directory as
//! the `postgres` user when the tests run as root, on a free loopback port), and stopped when
//! the test binary exits, by a watchdog shell that outlives it. Each test gets its own database.
//!
//! Without PostgreSQL the PostgreSQL half of the suites fails and says what is missing: it never
//! passes silently.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The running server.
pub struct Server {
    pub port: u16,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// The test server, started on first use; a clear panic when it cannot be.
pub fn server() -> &'static Server {
    match SERVER.get_or_init(start) {
        Ok(server) => server,
        Err(why) => panic!(
            "PostgreSQL is needed for the PostgreSQL half of this suite and could not be started: {why}\n\
             Install it with .ci/deps (Debian's postgresql package: initdb, pg_ctl, postgres)."
        ),
    }
}

/// A new empty database on the test server, as a URL for `--db` / `KARTA_DB`.
pub fn database() -> String {
    let server = server();
    let name = format!("karta_{}_{}", std::process::id(), DATABASES.fetch_add(1, Ordering::SeqCst));
    sql("postgres", &format!("CREATE DATABASE {name}"));
    server.url(&name)
}

/// Runs SQL on a database of the test server, as its superuser, and returns the error if any
/// (on a thread of its own: the driver must not block an async test's thread).
pub fn try_sql(database: &str, sql: &str) -> Result<(), String> {
    let url = server().url(database);
    let sql = sql.to_string();
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).map_err(|e| e.to_string())?;
        client
            .batch_execute(&sql)
            .map_err(|e| e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_string()))
    })
    .join()
    .expect("sql thread")
}

/// Runs SQL that must succeed.
pub fn sql(database: &str, sql: &str) {
    if let Err(e) = try_sql(database, sql) {
        panic!("{sql}: {e}");
    }
}

impl Server {
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// The first column of the first row of `sql`, as text, on a database of this server.
    pub fn query(&self, database: &str, sql: &str) -> String {
        let (url, sql) = (self.url(database), sql.to_string());
        std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
            client.simple_query(&sql).expect("query").into_iter().find_map(|m| match m {
                postgres::SimpleQueryMessage::Row(row) => row.get(0).map(String::from),
                _ => None,
            })
        })
        .join()
        .expect("query thread")
        .unwrap_or_default()
    }
}

/// Another server of its own (not the shared one), with `files` written into its data
/// directory (as the server's user, private) and `options` added to its command line: for
/// tests of server settings, such as TLS.
pub fn start_with(options: &str, files: &[(&str, Vec<u8>)]) -> Server {
    launch(options, files).unwrap_or_else(|why| panic!("PostgreSQL could not be started: {why}"))
}

/// Where the PostgreSQL programs are: on PATH, or in Debian's versioned directory.
fn bin(program: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(program)).find(|f| f.is_file()))
        .unwrap_or_default();
    on_path.or_else(|| {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin").join(program)))
            .filter(|f| f.is_file())
            .collect();
        versions.sort();
        versions.pop()
    })
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
}

/// A command run as the `postgres` user when we are root (PostgreSQL refuses to run as root).
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

fn start() -> Result<Server, String> {
    launch("", &[])
}

fn launch(extra: &str, files: &[(&str, Vec<u8>)]) -> Result<Server, String> {
    let missing = |p: &str| format!("`{p}` not found (on PATH or in /usr/lib/postgresql/*/bin)");
    let initdb = bin("initdb").ok_or_else(|| missing("initdb"))?;
    let pg_ctl = bin("pg_ctl").ok_or_else(|| missing("pg_ctl"))?;
    let dir = tempfile::Builder::new().prefix("karta-pg-").tempdir().map_err(|e| e.to_string())?.keep();
    let data = dir.join("data");
    if is_root() {
        let chown = Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir).status();
        if !chown.map(|s| s.success()).unwrap_or(false) {
            return Err("cannot give the data directory to the `postgres` user (is there one?)".into());
        }
    }
    let out = as_server_user(&initdb)
        .args(["--auth=trust", "--username=postgres", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync", "-D"])
        .arg(&data)
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!("initdb failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let options = format!(
        "-p {port} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=300 {extra}",
        dir.display()
    );
    for (name, bytes) in files {
        let path = data.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("{name}: {e}"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(|e| e.to_string())?;
        }
        if is_root() {
            Command::new("chown").arg("postgres:postgres").arg(&path).status().map_err(|e| e.to_string())?;
        }
    }
    let out = as_server_user(&pg_ctl)
        .args(["-D"])
        .arg(&data)
        .args(["-o", &options, "-l"])
        .arg(dir.join("server.log"))
        .args(["-w", "-t", "60", "start"])
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("pg_ctl: {e}"))?;
    if !out.status.success() {
        let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        return Err(format!("pg_ctl start failed: {}{log}", String::from_utf8_lossy(&out.stderr)));
    }
    // The watchdog stops the server and removes its files once this process has gone.
    let stop = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} -D '{data}' -m immediate stop >/dev/null 2>&1; rm -rf '{dir}'",
        pid = std::process::id(),
        stop = if is_root() {
            format!("runuser -u postgres -- '{}'", pg_ctl.display())
        } else {
            format!("'{}'", pg_ctl.display())
        },
        data = data.display(),
        dir = dir.display(),
    );
    Command::new("sh")
        .args(["-c", &stop])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("watchdog: {e}"))?;
    let server = Server { port };
    let deadline = Instant::now() + Duration::from_secs(30);
    let url = server.url("postgres");
    let answers = || {
        let url = url.clone();
        std::thread::spawn(move || postgres::Client::connect(&url, postgres::NoTls).map(drop)).join()
    };
    loop {
        match answers().unwrap_or_else(|_| panic!("connect thread")) {
            Ok(_) => return Ok(server),
            Err(e) if Instant::now() > deadline => return Err(format!("the server does not answer: {e}")),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

//! The README's tour runs as written, top to bottom, in a fresh copy of the repository's inputs.
//!
//! `README.md` is read block by block, in order, and every block is run in one sandbox (a
//! temporary directory holding copies of `roadmaps/`, `examples/`, `templates/` and `data/`, as a
//! fresh clone has them), so the state the tour builds (`karta.db`, `outbox/`, the files it
//! writes) carries from block to block exactly as it does for a reader, and nothing is left in
//! the repository:
//!
//! - A `console` block is compared by [trycmd]: each `$ cargo run -q -- ARGS` line runs and its
//!   output (stdout and stderr together) must match the lines below it, where `...` on its own
//!   line stands for any lines, `[..]` for any text within a line, and `? CODE` after the command
//!   for an exit code other than 0. `cargo` is `tests/readme/cargo`, a shim that runs the karta
//!   binary under test (and treats `# …` as a comment, as a shell does), so nothing is built.
//! - A `sh` block holds what trycmd cannot run (pipes, redirections, `<<<`, environment
//!   prefixes, a server). Each line runs through `bash -o pipefail -c` with the shim first in
//!   `PATH`; it must exit 0, and the files it writes (`> FILE`, `-o FILE`) must exist and not be
//!   empty. `karta serve` is started on a free port, must answer `GET /login` and stop cleanly on
//!   SIGTERM. Not run, with the reason printed: `.ci/deps && cargo test` (installs packages and
//!   runs this very suite), `TRYCMD=overwrite cargo test --test readme` and the `KARTA_SMTP_URL=…` line (it needs a mail server;
//!   `tests/notify.rs` sends through a local one). A line whose tool is missing (`dot`, LibreOffice
//!   for `--format pdf`) is skipped with a note, except under `CI`, where that is a failure.
//! - At the end `roadmaps/` in the sandbox must be byte for byte what the repository has.
//!
//! The second test checks that every file or directory of the repository the README names (a
//! link, or a path such as `docs/format.md` or `examples/…`) exists.
//!
//! **Regenerating the outputs.** After a change to what karta prints, run
//!
//! ```sh
//! TRYCMD=overwrite cargo test --test readme
//! ```
//!
//! which writes the real output of every `console` block into `README.md` (keeping the `...`
//! and `[..]` elisions that still match), then review `git diff README.md`.
//!
//! [trycmd]: https://docs.rs/trycmd

#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// What the tour reads from a fresh clone.
const CLONE: &[&str] = &["roadmaps", "examples", "templates", "data"];

/// A piece of the README: prose, or a fenced block with its opening and closing lines.
enum Segment {
    Text(String),
    Block { info: String, open: String, body: String, close: String, line: usize },
}

/// Splits Markdown into prose and fenced blocks (fences of three or more backticks at the start
/// of a line; a block closes at a line of at least as many backticks and nothing else).
fn segments(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut prose = String::new();
    let mut lines = text.split_inclusive('\n').enumerate();
    while let Some((i, line)) = lines.next() {
        let ticks = line.chars().take_while(|&c| c == '`').count();
        let info = line[ticks..].trim();
        if ticks < 3 || info.contains('`') {
            prose.push_str(line);
            continue;
        }
        if !prose.is_empty() {
            out.push(Segment::Text(std::mem::take(&mut prose)));
        }
        let (mut body, mut close) = (String::new(), String::new());
        for (_, l) in lines.by_ref() {
            let t = l.trim_end();
            if t.len() >= ticks && t.chars().all(|c| c == '`') {
                close = l.to_string();
                break;
            }
            body.push_str(l);
        }
        assert!(!close.is_empty(), "README.md:{}: the block is never closed", i + 1);
        out.push(Segment::Block { info: info.to_string(), open: line.to_string(), body, close, line: i + 1 });
    }
    if !prose.is_empty() {
        out.push(Segment::Text(prose));
    }
    out
}

fn join(segments: &[Segment]) -> String {
    let mut s = String::new();
    for seg in segments {
        match seg {
            Segment::Text(t) => s.push_str(t),
            Segment::Block { open, body, close, .. } => {
                s.push_str(open);
                s.push_str(body);
                s.push_str(close);
            }
        }
    }
    s
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir`, relative to it, with its bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.push((path.strip_prefix(base).unwrap().to_path_buf(), std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn has_tool(tool: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {tool}")).stdout(Stdio::null()).status().unwrap().success()
}

/// The sandbox: `work/` is the reader's clone, `bin/cargo` the shim, `blocks/` trycmd's cases.
struct Sandbox {
    _dir: tempfile::TempDir,
    work: PathBuf,
    bin: PathBuf,
    blocks: PathBuf,
    /// Variables of this process that would change karta's output (`LANG`, `KARTA_*`).
    unset: Vec<String>,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (work, bin, blocks) = (dir.path().join("work"), dir.path().join("bin"), dir.path().join("blocks"));
        for d in CLONE {
            copy_dir(&Path::new(ROOT).join(d), &work.join(d));
        }
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(&blocks).unwrap();
        let shim = bin.join("cargo");
        std::fs::copy(Path::new(ROOT).join("tests/readme/cargo"), &shim).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
        let unset = std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .filter(|k| k == "LANG" || k.starts_with("LC_") || k.starts_with("KARTA_"))
            .collect();
        Sandbox { _dir: dir, work, bin, blocks, unset }
    }

    /// Runs a `console` block through trycmd. The case file repeats the README's line numbers,
    /// so trycmd's report (`blocks/NN.md:LINE`) names the README's line. Returns the block's
    /// body as trycmd left it (rewritten under `TRYCMD=overwrite`) and whether it passed.
    fn console(&self, line: usize, open: &str, body: &str, close: &str) -> (String, bool) {
        let case = self.blocks.join(format!("{line:04}.md"));
        std::fs::write(&case, format!("{}{open}{body}{close}", "\n".repeat(line - 1))).unwrap();
        std::os::unix::fs::symlink(&self.work, case.with_extension("in")).unwrap();
        let cases = trycmd::TestCases::new();
        cases
            .case(&case)
            .register_bin("cargo", self.bin.join("cargo"))
            .env("KARTA_README_EXE", env!("CARGO_BIN_EXE_karta"))
            .env("KARTA_README_UNSET", self.unset.join(" "));
        let passed = std::panic::catch_unwind(|| cases.run()).is_ok();
        let text = std::fs::read_to_string(&case).unwrap();
        let body = match segments(&text).into_iter().find(|s| matches!(s, Segment::Block { .. })) {
            Some(Segment::Block { body, .. }) => body,
            _ => unreachable!(),
        };
        (body, passed)
    }

    fn bash(&self, line: &str) -> Command {
        let path = std::env::var("PATH").unwrap_or_default();
        let mut cmd = Command::new("bash");
        cmd.args(["-o", "pipefail", "-c", line])
            .current_dir(&self.work)
            .env("PATH", format!("{}:{path}", self.bin.display()))
            .env("KARTA_README_EXE", env!("CARGO_BIN_EXE_karta"))
            .stdin(Stdio::null());
        for name in &self.unset {
            cmd.env_remove(name);
        }
        cmd
    }

    /// Runs one line of a `sh` block; `Err` says what went wrong.
    fn sh(&self, line: &str) -> Result<(), String> {
        let words: Vec<&str> = line.split('#').next().unwrap().split_whitespace().collect();
        if words.contains(&"serve") {
            return self.serve(line);
        }
        let out = self.bash(line).output().unwrap();
        if !out.status.success() {
            return Err(format!(
                "{}\n{}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        // The files the line writes.
        let mut written = Vec::new();
        for (i, w) in words.iter().enumerate() {
            match *w {
                ">" | "-o" => written.extend(words.get(i + 1).copied()),
                w if w.starts_with('>') => written.push(&w[1..]),
                _ => {}
            }
        }
        if words.contains(&"remind") && !words.contains(&"--dry-run") {
            written.push("karta.db");
            let eml = std::fs::read_dir(self.work.join("outbox"))
                .map(|d| d.filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "eml")).count())
                .unwrap_or(0);
            if eml == 0 {
                return Err("the main job wrote no .eml file into outbox/".into());
            }
        }
        for file in written {
            let len = std::fs::metadata(self.work.join(file)).map(|m| m.len()).unwrap_or(0);
            if len == 0 {
                return Err(format!("`{file}` was not written"));
            }
        }
        Ok(())
    }

    /// `karta serve` as written, on a free port (`KARTA_LISTEN`): it must answer `GET /login`
    /// with 200 and stop with exit 0 on SIGTERM.
    fn serve(&self, line: &str) -> Result<(), String> {
        use std::os::unix::process::CommandExt;
        let log = std::fs::File::create(self.work.join("../serve.log")).unwrap();
        let mut child = self
            .bash(line)
            .env("KARTA_LISTEN", "127.0.0.1:0")
            .stdout(Stdio::piped())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let result = (|| {
            let first = rx.recv_timeout(Duration::from_secs(60)).map_err(|_| "serve printed no address".to_string())?;
            let address = first
                .split("http://")
                .nth(1)
                .map(|a| a.trim_end_matches('/').to_string())
                .ok_or_else(|| format!("no address in `{first}`"))?;
            let mut stream = std::net::TcpStream::connect(&address).map_err(|e| format!("{address}: {e}"))?;
            stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            write!(stream, "GET /login HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
            let mut response = String::new();
            let _ = stream.read_to_string(&mut response);
            let status = response.lines().next().unwrap_or_default().to_string();
            if !status.starts_with("HTTP/1.1 200") {
                return Err(format!("GET /login answered `{status}`"));
            }
            Ok(())
        })();
        // The process group: bash, the shim and karta, whichever of them still runs.
        signal_group(&child, libc::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if Instant::now() > deadline {
                signal_group(&child, libc::SIGKILL);
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let log = std::fs::read_to_string(self.work.join("../serve.log")).unwrap_or_default();
        result.map_err(|e| format!("{e}\n{log}"))?;
        match status {
            Some(s) if s.success() => Ok(()),
            Some(s) => Err(format!("serve ended with {s} on SIGTERM\n{log}")),
            None => Err(format!("serve did not stop within 30 s of SIGTERM\n{log}")),
        }
    }
}

/// Signals the process group the test made for `child` (bash, the shim and karta: each `exec`s
/// the next, so usually one process). Never the test's own group, never pid 0 or -1.
fn signal_group(child: &std::process::Child, signal: libc::c_int) {
    let group = libc::pid_t::try_from(child.id()).unwrap();
    assert!(group > 1);
    // SAFETY: kill(2) takes no pointers; a negative pid names the group `process_group(0)` made.
    unsafe { libc::kill(-group, signal) };
}

/// Why a line of a `sh` block is not run, or the tool it needs.
enum Plan {
    Run,
    Never(&'static str),
    Needs(&'static str),
}

fn plan(line: &str) -> Plan {
    if line.contains(".ci/deps") {
        Plan::Never("it installs system packages and runs the whole test suite, this test included")
    } else if line.contains("cargo test") {
        Plan::Never("it runs this very test")
    } else if line.contains("KARTA_SMTP_URL=") {
        Plan::Never("it sends through a real SMTP server; tests/notify.rs sends through a local one")
    } else if line.contains("| dot ") {
        Plan::Needs("dot")
    } else if line.contains("--format pdf") {
        Plan::Needs("soffice")
    } else {
        Plan::Run
    }
}

#[test]
fn the_readme_tour_runs_as_written() {
    let overwrite = std::env::var_os("TRYCMD").is_some_and(|m| m == "overwrite");
    let readme_path = Path::new(ROOT).join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let mut segments = segments(&readme);
    let sandbox = Sandbox::new();
    let mut failures = Vec::new();
    let (mut compared, mut executed, mut skipped) = (0, 0, Vec::new());
    for seg in &mut segments {
        let Segment::Block { info, open, body, close, line } = seg else { continue };
        match info.as_str() {
            "console" => {
                for (i, l) in body.lines().enumerate() {
                    if let Some(cmd) = l.strip_prefix("$ ") {
                        assert!(
                            cmd.starts_with("cargo run -q -- "),
                            "README.md:{}: a tour command starts with `cargo run -q -- `: {cmd}",
                            *line + 1 + i
                        );
                        compared += 1;
                    }
                }
                let (new_body, passed) = sandbox.console(*line, open, body, close);
                if !passed {
                    failures.push(format!("README.md:{line}: the console block's output differs (above)"));
                }
                *body = new_body;
            }
            "sh" => {
                for (i, l) in body.lines().enumerate() {
                    let at = *line + 1 + i;
                    if l.trim().is_empty() || l.trim_start().starts_with('#') {
                        continue;
                    }
                    match plan(l) {
                        Plan::Never(why) => {
                            eprintln!("README.md:{at}: not run: {why}");
                            skipped.push(at);
                            continue;
                        }
                        Plan::Needs(tool) if !has_tool(tool) => {
                            if std::env::var_os("CI").is_some() {
                                failures.push(format!("README.md:{at}: `{tool}` is missing (run .ci/deps)"));
                            } else {
                                eprintln!("README.md:{at}: skipped: `{tool}` is not installed (.ci/deps installs it)");
                                skipped.push(at);
                            }
                            continue;
                        }
                        _ => {}
                    }
                    eprintln!("README.md:{at}: $ {l}");
                    executed += 1;
                    if let Err(e) = sandbox.sh(l) {
                        failures.push(format!("README.md:{at}: `{l}` failed: {e}"));
                    }
                }
            }
            _ => {}
        }
    }
    eprintln!("{compared} commands compared, {executed} executed, {} not run", skipped.len());
    assert!(compared >= 20 && executed >= 6, "the tour has shrunk: is README.md read right?");

    let roadmaps = Path::new("roadmaps");
    if tree(&Path::new(ROOT).join(roadmaps)) != tree(&sandbox.work.join(roadmaps)) {
        failures.push("the tour changed roadmaps/: it must write its files elsewhere".into());
    }

    if overwrite {
        let updated = join(&segments);
        if updated != readme {
            std::fs::write(&readme_path, updated).unwrap();
            eprintln!("README.md rewritten with the tour's output (TRYCMD=overwrite): review `git diff README.md`");
        }
    }
    assert!(failures.is_empty(), "the README tour does not run as written:\n{}", failures.join("\n"));
}

/// Every path of the repository the README names exists: links, and words such as
/// `docs/format.md` or `data/calendars/RU-TA.tsv` (a pattern with `*` or `…` is a convention,
/// not a file, and is left alone).
#[test]
fn the_readme_names_only_files_that_exist() {
    const TOP: &[&str] = &[
        "benches/",
        "data/",
        "deploy/",
        "docs/",
        "examples/",
        "fuzz/",
        "roadmaps/",
        "schemas/",
        "src/",
        "templates/",
        "tests/",
        ".ci/",
    ];
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let mut named = Vec::new();
    for (n, line) in readme.lines().enumerate() {
        // Links: `](target)`.
        for part in line.split("](").skip(1) {
            let target = part.split(')').next().unwrap().split('#').next().unwrap();
            if !target.is_empty() && !target.contains("://") && !target.starts_with("mailto:") {
                named.push((n + 1, target.to_string()));
            }
        }
        // Paths in the text.
        for (i, _) in line.char_indices() {
            let before = line[..i].chars().next_back();
            if before.is_some_and(|c| !matches!(c, ' ' | '`' | '(' | '[' | '«' | '"' | '\'')) {
                continue;
            }
            if let Some(top) = TOP.iter().find(|t| line[i..].starts_with(*t)) {
                let rest = &line[i + top.len()..];
                let end = rest
                    .find(|c: char| {
                        c.is_whitespace() || matches!(c, '`' | ')' | ']' | ':' | ',' | ';' | '»' | '"' | '\'')
                    })
                    .unwrap_or(rest.len());
                let path = format!("{top}{}", rest[..end].trim_end_matches('.'));
                if !path.contains('*') && !path.contains('…') {
                    named.push((n + 1, path));
                }
            }
        }
    }
    assert!(named.len() > 20, "found only {} paths in README.md", named.len());
    let missing: Vec<String> = named
        .iter()
        .filter(|(_, p)| !Path::new(ROOT).join(p).exists())
        .map(|(n, p)| format!("README.md:{n}: {p}"))
        .collect();
    assert!(missing.is_empty(), "README.md names files the repository lacks:\n{}", missing.join("\n"));
}

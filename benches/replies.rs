//! Replies to notices handled per second (issue 29; goal ≥ 100/s on the 2-core machine), in one
//! run: N replies to one notice of N numbered activities, each reporting its own item done
//! («7 — исполнено»), written as a mail client writes them (quoted original, signature);
//!
//! - through `karta inbox --stdin`, one process per reply, as a mail server's pipe delivery runs
//!   it (each process loads the roadmaps and opens the store);
//! - through IMAP: the N replies appended to a real Dovecot started here, taken by one
//!   `karta inbox` pass.
//!
//! karta runs without the `LD_LIBRARY_PATH` cargo sets for a bench (some sixty build
//! directories, searched for every shared library at each start: about 1 ms a process), as a
//! mail server runs it.
//!
//! Every reply must be recorded (N events in the log at the end, or the bench fails). Needs
//! what the reply tests need: Python's aiosmtpd and Dovecot (`.ci/deps`), run as root.
//!
//! ```sh
//! cargo bench --bench replies -- [N]      # N = 200 by default
//! ```

#[path = "../tests/support/mod.rs"]
#[allow(unused_imports)]
mod support;

use std::io::Write as _;
use std::process::Stdio;
use std::time::Instant;

use support::Backend;
use support::dovecot::Dovecot;
use support::replies::{Desk, LATER, reply};

/// A roadmap with one school owing `n` activities.
fn roadmap(n: usize) -> String {
    let mut roadmap = String::from(
        "kind: roadmap\nid: bench\ntitle: \"Дорожная карта для замера ответов\"\n\
         period: {from: 2024-01-01, to: 2024-12-31}\ntimezone: Asia/Vladivostok\n\
         executors:\n  school: {name: \"Школа № 1\", email: school@test.example}\n\
         sections:\n  - title: \"Раздел\"\n    activities:\n",
    );
    for i in 1..=n {
        roadmap += &format!(
            "      - id: a{i}\n        title: \"Мероприятие {i}\"\n        executors: [school]\n        due: до 15 марта 2024 г.\n"
        );
    }
    roadmap
}

/// N replies to the school's notice, the i-th reporting item i done.
fn replies_to(desk: &Desk, n: usize) -> Vec<Vec<u8>> {
    let notice = desk.notice("school@test.example");
    (1..=n)
        .map(|i| reply("school@test.example", &notice, &format!("r{i}@bench"), &format!("{i} — исполнено")))
        .collect()
}

fn main() {
    let n: usize = std::env::args().skip(1).find(|a| a != "--bench").and_then(|a| a.parse().ok()).unwrap_or(200);

    // Through --stdin: one process per reply.
    let desk = Desk::with(Backend::Sqlite, &roadmap(n));
    let replies = replies_to(&desk, n);
    let started = Instant::now();
    for raw in &replies {
        let mut child = desk
            .command(&["inbox", "--stdin", "--now", LATER])
            .env_remove("LD_LIBRARY_PATH")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("karta inbox --stdin");
        child.stdin.take().expect("stdin").write_all(raw).expect("write");
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let stdin = started.elapsed().as_secs_f64();
    assert_eq!(desk.events().len(), n, "every reply through --stdin recorded");

    // Through IMAP: one pass over N replies in a real Dovecot.
    let desk = Desk::with(Backend::Sqlite, &roadmap(n));
    let dovecot = Dovecot::start();
    for raw in replies_to(&desk, n) {
        dovecot.append(&raw);
    }
    let started = Instant::now();
    let out = desk
        .command(&["inbox", "--now", LATER])
        .env("KARTA_IMAP_URL", dovecot.url())
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("karta inbox");
    let imap = started.elapsed().as_secs_f64();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(desk.events().len(), n, "every reply through IMAP recorded");

    println!("{n} replies, each recording one item of a {n}-item notice\n");
    println!("| path | wall, s | replies per second |");
    println!("|---|---:|---:|");
    println!("| `karta inbox --stdin`, one process per reply | {stdin:.2} | {:.0} |", n as f64 / stdin);
    println!("| `karta inbox` over IMAP (Dovecot), one pass | {imap:.2} | {:.0} |", n as f64 / imap);
}

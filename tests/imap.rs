//! Replies to notices read from a real IMAP server, on both store backends: Dovecot, started by
//! each test in a temporary directory on a free port with its own configuration and user
//! (tests/support/dovecot.rs; `.ci/deps` installs it), gets replies by IMAP APPEND as a mail
//! server would deliver them; `karta inbox` (one pass, or `--watch`) and `karta serve` take
//! them; the notices and the answers go through aiosmtpd as in tests/inbox.rs.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use support::Backend;
use support::dovecot::Dovecot;
use support::replies::*;

/// `karta inbox` over IMAP against a real Dovecot: replies delivered into the mailbox are each
/// taken once and marked seen, the report shown by `karta status` and on the activity's page;
/// refusals are answered, robots and replays skipped; a second pass finds nothing new; the
/// password is shown nowhere.
fn replies_through_imap(backend: Backend) {
    let desk = Desk::new(backend);
    let dovecot = Dovecot::start();
    let imc = desk.notice("imc@test.example");
    let second = item(&imc, 2);
    let good = reply("Ivanova <ivanova@test.example>", &imc, "g1@test.example", "2 — исполнено, отчёт направлен");
    let forged = String::from_utf8(reply("imc@test.example", &imc, "f1@test.example", "1 — исполнено"))
        .expect("utf-8")
        .replace(&imc.reply_to, &imc.reply_to.replacen("karta+", "karta+a", 1));
    let robot = String::from_utf8(reply("imc@test.example", &imc, "auto1@test.example", "Я в отпуске"))
        .expect("utf-8")
        .replace("MIME-Version: 1.0\r\n", "MIME-Version: 1.0\r\nAuto-Submitted: auto-replied\r\n");
    for raw in [
        good.clone(),
        reply("stranger@elsewhere.example", &imc, "s1@elsewhere.example", "1 — исполнено"),
        forged.into_bytes(),
        robot.into_bytes(),
        good,
        reply("imc@test.example", &imc, "g2@test.example", "2 — исполнено"),
    ] {
        dovecot.append(&raw);
    }
    assert_eq!(dovecot.counts(), (6, 6));
    let imap = dovecot.url();
    let out = desk.run_with(&["inbox"], LATER, None, &[("KARTA_IMAP_URL", &imap)]);
    let (said, err) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{said}\n{err}");
    assert!(said.contains("ответов принято: 1, отклонено с ответом: 3, пропущено: 2"), "{said}");
    assert!(!said.contains(support::dovecot::PASSWORD) && !err.contains(support::dovecot::PASSWORD), "{said}{err}");
    assert_eq!(dovecot.counts(), (6, 0), "every message marked seen");
    let events = desk.events();
    assert_eq!(events.len(), 1, "recorded once: {events:?}");
    assert_eq!(events[0].event.occurrence.as_deref(), Some(second.as_str()));
    assert_eq!(desk.answers("stranger@elsewhere.example").len(), 1);
    let answers = desk.answers("imc@test.example");
    assert_eq!(answers.len(), 2, "the forged token and the second «исполнено»");
    let mut texts: Vec<String> = answers.iter().map(|a| parse(a).body_text(0).expect("text").into_owned()).collect();
    texts.sort_by_key(|t| t.contains("метка ответа"));
    assert!(
        texts[0].contains("уже отмечен выполненным"),
        "checked against the log with the first reply in it: {texts:?}"
    );
    assert!(texts[1].contains("метка ответа в адресе повреждена"), "{texts:?}");
    let shown = status_of(&desk, &second);
    assert_eq!(shown["done_on"], "2024-03-14", "in karta status, done the day the reply was written: {shown}");
    assert!(page(&desk, &second).contains("отчёт направлен"), "on the activity's page");
    // A second pass: nothing new.
    let out = desk.run_with(&["inbox"], LATER, None, &[("KARTA_IMAP_URL", &imap)]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("ответов принято: 0, отклонено с ответом: 0, пропущено: 0"));
    assert_eq!(desk.events().len(), 1);
    // A wrong password: exit 2, the password shown nowhere.
    let wrong = imap.replace(support::dovecot::PASSWORD, "wrong-secret");
    let out = desk.run_with(&["inbox"], LATER, None, &[("KARTA_IMAP_URL", &wrong)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("почтовый ящик imap://karta@127.0.0.1:") && !err.contains("wrong-secret"), "{err}");
}

/// `karta inbox --watch`: after a pass it waits in IMAP IDLE, so a reply delivered then is taken
/// at once, long before the minute of its polling interval.
fn watch_takes_new_mail_at_once(backend: Backend) {
    use std::io::BufRead;
    let desk = Desk::new(backend);
    let dovecot = Dovecot::start();
    let imc = desk.notice("imc@test.example");
    let mut child = desk
        .command(&["inbox", "--watch", "60", "--now", LATER])
        .env("KARTA_IMAP_URL", dovecot.url())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("karta inbox --watch");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a first pass").expect("a line");
    assert!(first.contains("ответов принято: 0"), "{first}");
    // Give it a moment to enter IDLE, then deliver.
    std::thread::sleep(Duration::from_millis(500));
    let delivered = std::time::Instant::now();
    dovecot.append(&reply("imc@test.example", &imc, "w1@test.example", "1 — исполнено"));
    let second = lines.next().expect("a second pass").expect("a line");
    let _ = child.kill();
    let _ = child.wait();
    assert!(second.contains("ответов принято: 1"), "{second}");
    assert!(delivered.elapsed() < Duration::from_secs(20), "woken by IDLE, not by the 60 s wait");
    assert_eq!(desk.events().len(), 1);
}

/// `karta serve` takes the replies on its schedule, as `karta inbox` does.
fn serve_reads_the_mailbox(backend: Backend) {
    let desk = Desk::new(backend);
    let dovecot = Dovecot::start();
    let imc = desk.notice("imc@test.example");
    dovecot.append(&reply("imc@test.example", &imc, "sv1@test.example", "1 — исполнено"));
    dovecot.append(&reply("stranger@elsewhere.example", &imc, "sv2@elsewhere.example", "1 — исполнено"));
    let child = desk
        .command(&["serve", "--interval", "1", "--listen", "127.0.0.1:0", "--now", LATER])
        .env("KARTA_IMAP_URL", dovecot.url())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("karta serve");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while desk.answers("stranger@elsewhere.example").is_empty() || dovecot.counts().1 > 0 {
        assert!(std::time::Instant::now() < deadline, "serve took no reply in 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(term.success());
    let out = child.wait_with_output().expect("serve exits");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("inbox pass"), "{log}");
    assert!(!log.contains(support::dovecot::PASSWORD), "the password is not logged: {log}");
    let events = desk.events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].event.author, "imc@test.example");
}

/// 200 replies in the mailbox, `karta inbox` killed with SIGKILL 20 times while taking them,
/// then a pass to the end: every reply recorded exactly once, every message seen.
fn sigkill_records_each_reply_once(backend: Backend) {
    let desk = Desk::new(backend);
    let dovecot = Dovecot::start();
    let school = desk.notice("school@test.example");
    const REPLIES: usize = 200;
    for i in 0..REPLIES {
        // Each reply its own minute, so that its event is known by its instant.
        let raw = String::from_utf8(reply(
            "school@test.example",
            &school,
            &format!("k{i}@test.example"),
            "Выполнено частично: 50 %",
        ))
        .expect("utf-8")
        .replace("12:00:00 +1000", &format!("{:02}:{:02}:00 +1000", 9 + i / 60, i % 60));
        dovecot.append(raw.as_bytes());
    }
    let imap = dovecot.url();
    let mut seed: u64 = 0x006b_6172_7461;
    // Unseen after each kill: the kills must come while replies are being taken.
    let mut progress = Vec::new();
    for _ in 0..20 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let wait = Duration::from_millis((seed >> 33) % 10);
        let before = dovecot.counts().1;
        let mut child = desk
            .command(&["inbox", "--now", LATER])
            .env("KARTA_IMAP_URL", &imap)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("karta inbox");
        // Once it has started taking replies, at a random moment.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while dovecot.counts().1 == before && std::time::Instant::now() < deadline {
            if child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(wait);
        let _ = child.kill();
        let _ = child.wait();
        progress.push(dovecot.counts().1);
    }
    let taking = progress.windows(2).filter(|w| w[1] < w[0] && w[1] > 0).count();
    assert!(taking >= 15, "killed while taking replies, not before or after: {progress:?}");
    let out = desk.run_with(&["inbox"], LATER, None, &[("KARTA_IMAP_URL", &imap)]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(dovecot.counts(), (REPLIES, 0), "every message seen");
    let events = desk.events();
    let instants: std::collections::BTreeSet<String> =
        events.iter().map(|e| e.event.recorded_at.to_rfc3339()).collect();
    assert_eq!(instants.len(), REPLIES, "every reply recorded");
    assert_eq!(events.len(), REPLIES, "none twice");
    assert!(desk.answers("school@test.example").is_empty(), "none refused");
}

on_both_backends!(
    replies_through_imap,
    watch_takes_new_mail_at_once,
    serve_reads_the_mailbox,
    sigkill_records_each_reply_once,
);

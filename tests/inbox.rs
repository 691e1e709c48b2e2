//! Replies to notices through `karta inbox --stdin`, on both store backends: `karta remind`
//! sends its notices through a real SMTP server on loopback (aiosmtpd, as tests/notify.rs), a
//! reply is written the way a mail client writes it and piped to `karta inbox --stdin`, and
//! what it records is read back through `karta status`, the store and the activity's web page.
//! Refused replies record nothing and get one answer through the same SMTP server; robots get
//! none; the bad mail of issue 29 each ends in a clear outcome. tests/imap.rs takes replies from
//! a real IMAP server.

mod support;

use std::io::Write as _;
use std::path::Path;

use support::encode::{base64, cp1251, koi8r};
use support::replies::*;
use support::{Backend, free_port};

/// The whole path: notice → reply with a file → event with the reply's text, the sender and the
/// file → `karta status` and the activity's page show it.
fn a_reply_is_recorded_and_shown(backend: Backend) {
    let desk = Desk::new(backend);
    let imc = desk.notice("imc@test.example");
    assert!(imc.reply_to.starts_with("karta+") && imc.reply_to.ends_with("@region.test"), "{}", imc.reply_to);
    assert!(imc.text.contains("\n1. ") && imc.text.contains("\n2. "), "numbered: {}", imc.text);
    assert!(imc.text.contains("ответьте на это письмо и укажите номера пунктов"), "{}", imc.text);
    let school = desk.notice("school@test.example");
    assert_ne!(school.reply_to, imc.reply_to, "a token per message");
    assert!(!school.text.contains("\n1. "), "a notice of one is not numbered: {}", school.text);
    let second = item(&imc, 2);
    let mut raw = String::from_utf8(reply(
        "Ivanova <ivanova@test.example>",
        &imc,
        "r1@test.example",
        "2 — исполнено 13.03, отчёт направлен",
    ))
    .expect("utf-8");
    // A PDF attached, as a client attaches it.
    raw = raw.replace(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
    );
    raw.push_str(
        "\r\n--b1\r\nContent-Type: application/pdf; name=\"otchet.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"otchet.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         JVBERi0xLjQKJXRlc3QK\r\n--b1--\r\n",
    );
    let said = desk.inbox(raw.as_bytes());
    assert!(said.contains("ответ принят: записано событий: 1"), "{said}");
    let events = desk.events();
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0].event;
    assert_eq!(e.occurrence.as_deref(), Some(second.as_str()));
    assert_eq!(e.action, karta::track::Action::Done { on: chrono::NaiveDate::from_ymd_opt(2024, 3, 13).expect("day") });
    assert_eq!(e.author, "ivanova@test.example", "the contact person listed for the IMC");
    assert_eq!(e.note.as_deref(), Some("2 — исполнено 13.03, отчёт направлен"), "the reply's own text");
    assert_eq!(e.recorded_at.to_rfc3339(), "2024-03-14T12:00:00+10:00", "the message's Date");
    assert_eq!(e.evidence.len(), 1);
    let file = desk.path().join("uploads").join(e.evidence[0].trim_start_matches("/files/"));
    assert_eq!(std::fs::read(&file).expect("the kept file"), b"%PDF-1.4\n%test\n");
    // karta status.
    let shown = status_of(&desk, &second);
    assert_eq!(shown["done_on"], "2024-03-13", "{shown}");
    // The activity's page.
    let page = page(&desk, &second);
    assert!(page.contains("ivanova@test.example"), "the author on the page");
    assert!(page.contains("otchet.pdf") && page.contains(&e.evidence[0]), "the file listed and linked");
    assert!(page.contains("отчёт направлен"), "the comment");
    assert!(desk.answers("ivanova@test.example").is_empty(), "a recorded reply is not answered");
}

/// The same reply from another address, a replay, a forged token, a second «исполнено»: each
/// records nothing and gets its answer (once); a robot's message gets none.
fn refused_replies_record_nothing_and_are_answered(backend: Backend) {
    let desk = Desk::new(backend);
    let imc = desk.notice("imc@test.example");
    let words = "1 — исполнено";
    // Another address.
    let said = desk.inbox(&reply("stranger@elsewhere.example", &imc, "s1@elsewhere.example", words));
    assert!(said.contains("ответ не записан"), "{said}");
    let answers = desk.answers("stranger@elsewhere.example");
    assert_eq!(answers.len(), 1, "one answer");
    let answer = parse(&answers[0]);
    assert_eq!(answer.header_raw("Auto-Submitted").map(str::trim), Some("auto-replied"));
    assert_eq!(answer.in_reply_to().as_text(), Some("s1@elsewhere.example"));
    assert_eq!(answer.subject(), Some(format!("Re: {}", imc.subject).as_str()));
    let text = answer.body_text(0).expect("text");
    assert!(text.contains("адрес stranger@elsewhere.example не указан в справочнике"), "{text}");
    // A forged token: one letter changed.
    let mut forged = imc.reply_to.clone();
    let at = forged.find('@').expect("@");
    let last = forged.as_bytes()[at - 1];
    forged.replace_range(at - 1..at, if last == b'a' { "b" } else { "a" });
    let raw = String::from_utf8(reply("imc@test.example", &imc, "f1@test.example", words)).expect("utf-8");
    let said = desk.inbox(raw.replace(&imc.reply_to, &forged).as_bytes());
    assert!(said.contains("ответ не записан"), "{said}");
    let answers = desk.answers("imc@test.example");
    assert_eq!(answers.len(), 1);
    let text = parse(&answers[0]).body_text(0).expect("text").into_owned();
    assert!(text.contains("метка ответа в адресе повреждена"), "{text}");
    assert!(desk.events().is_empty(), "nothing recorded so far");
    // The good reply, then the same message again: handled once, answered never.
    let good = reply("imc@test.example", &imc, "g1@test.example", words);
    assert!(desk.inbox(&good).contains("ответ принят"));
    assert!(desk.inbox(&good).contains("уже обработано"));
    assert_eq!(desk.events().len(), 1, "recorded once");
    assert_eq!(desk.answers("imc@test.example").len(), 1, "a replay is not answered");
    // The same words in a new message: already done, so answered.
    let said = desk.inbox(&reply("imc@test.example", &imc, "g2@test.example", words));
    assert!(said.contains("ответ не записан"), "{said}");
    let answers = desk.answers("imc@test.example");
    assert_eq!(answers.len(), 2);
    let text = parse(&answers[1]).body_text(0).expect("text").into_owned();
    assert!(text.contains("уже отмечен выполненным 14.03.2024"), "{text}");
    // A robot (an out-of-office reply): nothing recorded, nothing answered.
    let robot = String::from_utf8(reply("imc@test.example", &imc, "auto1@test.example", "Я в отпуске до 20 марта"))
        .expect("utf-8")
        .replace("MIME-Version: 1.0\r\n", "MIME-Version: 1.0\r\nAuto-Submitted: auto-replied\r\n");
    let said = desk.inbox(robot.as_bytes());
    assert!(said.contains("письмо робота"), "{said}");
    assert_eq!(desk.answers("imc@test.example").len(), 2, "no answer to a robot");
    assert_eq!(desk.events().len(), 1);
    // A reply whose client dropped the token: the thread still names the notice.
    let school = desk.notice("school@test.example");
    let raw = String::from_utf8(reply("school@test.example", &school, "t1@test.example", "Выполнено частично: 40 %"))
        .expect("utf-8")
        .replace(&school.reply_to, "karta@region.test");
    assert!(desk.inbox(raw.as_bytes()).contains("ответ принят"));
    let last = desk.events().pop().expect("an event");
    assert_eq!(last.event.occurrence.as_deref(), Some(SURVEY));
    assert_eq!(last.event.action, karta::track::Action::Partial { percent: Some(40) });
}

/// An expired token, a DMARC failure, an item the notice did not have, several items with
/// none named: each answered, none recorded.
fn more_refusals(backend: Backend) {
    let desk = Desk::new(backend);
    let imc = desk.notice("imc@test.example");
    let answered = |raw: &[u8], now: &str, says: &str| {
        let count = desk.answers("imc@test.example").len();
        let out = desk.run(&["inbox", "--stdin"], now, Some(raw));
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{said}");
        assert!(said.contains("ответ не записан"), "{said}");
        let answers = desk.answers("imc@test.example");
        assert_eq!(answers.len(), count + 1, "one answer");
        let text = parse(answers.last().expect("answer")).body_text(0).expect("text").into_owned();
        assert!(text.contains(says), "{says}: {text}");
    };
    // 61 days after the notice's day (14 March): expired; the default is 60.
    let late = reply("imc@test.example", &imc, "late@test.example", "1 — исполнено");
    answered(&late, "2024-05-14T12:00:00+10:00", "уведомление от 14.03.2024 устарело");
    // The receiving server found DMARC failed.
    let spoofed =
        String::from_utf8(reply("imc@test.example", &imc, "spoof@test.example", "1 — исполнено")).expect("utf-8");
    let spoofed = format!(
        "Authentication-Results: mx.region.test; spf=fail smtp.mailfrom=test.example; dmarc=fail header.from=test.example\r\n{spoofed}"
    );
    answered(spoofed.as_bytes(), LATER, "проверка DMARC не пройдена");
    let five = reply("imc@test.example", &imc, "five@test.example", "5 — исполнено");
    answered(&five, LATER, "в уведомлении 2\u{a0}пункта, а в ответе указан пункт 5");
    let which = reply("imc@test.example", &imc, "which@test.example", "Исполнено");
    answered(&which, LATER, "не указано, к каким из них относится отметка");
    assert!(desk.events().is_empty(), "nothing recorded");
    // With a token good for 90 days, the late reply counts.
    std::fs::write(desk.path().join("karta.toml"), CONFIG.replace("[inbox]\n", "[inbox]\ntoken_days = 90\n"))
        .expect("config");
    let late = reply("imc@test.example", &imc, "late2@test.example", "1 — исполнено");
    let out = desk.run(&["inbox", "--stdin"], "2024-05-14T12:00:00+10:00", Some(&late));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ответ принят"), "{out:?}");
    // Two messages without a Message-ID, the same subject: told apart by their bytes, each answered.
    for words in ["1 — исполнено", "2 — исполнено"] {
        let raw = String::from_utf8(reply("nobody@elsewhere.example", &imc, "x@y", words)).expect("utf-8");
        let raw = raw.replace("Message-ID: <x@y>\r\n", "");
        assert!(desk.inbox(raw.as_bytes()).contains("ответ не записан"));
    }
    assert_eq!(desk.answers("nobody@elsewhere.example").len(), 2);
    // A deputy listed in the directory reports for the school (case aside).
    let school = desk.notice("school@test.example");
    let said = desk.inbox(&reply("zam@test.example", &school, "zam1@test.example", "Исполнено"));
    assert!(said.contains("ответ принят"), "{said}");
    let last = desk.events().pop().expect("an event");
    assert_eq!((last.event.occurrence.as_deref(), last.event.author.as_str()), (Some(SURVEY), "zam@test.example"));
}

/// A reply to the weekly digest (leadership's «Спасибо») is told that a digest takes no reports,
/// not that its sender is unknown.
fn a_reply_to_a_digest_reports_nothing(backend: Backend) {
    let desk = Desk::new(backend);
    let monday = desk.run(&["remind"], "2024-03-18T10:00:00+10:00", None);
    assert!(monday.status.success(), "{}", String::from_utf8_lossy(&monday.stderr));
    let digest = desk.notice("head@test.example");
    assert!(digest.subject.starts_with("Еженедельная сводка"), "{}", digest.subject);
    let out = desk.run(
        &["inbox", "--stdin"],
        "2024-03-18T11:00:00+10:00",
        Some(&reply("head@test.example", &digest, "d1@test.example", "Спасибо, принято")),
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ответ не записан"), "{out:?}");
    let answers = desk.answers("head@test.example");
    assert_eq!(answers.len(), 1);
    let text = parse(&answers[0]).body_text(0).expect("text").into_owned();
    assert!(text.contains("сводка или запрос, в нём нет мероприятий"), "{text}");
    assert!(desk.events().is_empty());
}

/// A move asked for in a reply becomes a request for the approver, as the web form makes it.
fn a_reply_asks_to_move_a_deadline(backend: Backend) {
    let desk = Desk::new(backend);
    let imc = desk.notice("imc@test.example");
    let first = item(&imc, 1);
    let said = desk.inbox(&reply(
        "imc@test.example",
        &imc,
        "m1@test.example",
        "1 — прошу перенести до 29 марта 2024 г., так как эксперт в отпуске\n2 — не исполнено, так как нет данных",
    ));
    assert!(said.contains("записано событий: 1, запросов на перенос: 1"), "{said}");
    let store = karta::store::open(Path::new(&desk.db)).expect("store");
    let requests = karta::store::Accounts::move_requests(&*store, None).expect("requests");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].occurrence, first);
    assert_eq!(requests[0].date, chrono::NaiveDate::from_ymd_opt(2024, 3, 29).expect("day"));
    assert_eq!(requests[0].requested_by, "imc@test.example");
    assert_eq!(requests[0].decision, None, "for the approver");
    let events = desk.events();
    assert!(
        matches!(&events[0].event.action, karta::track::Action::NotDone { reason } if reason.contains("нет данных"))
    );
    assert_ne!(events[0].event.occurrence.as_deref(), Some(first.as_str()));
}

/// The store out of reach: exit 75, so the mail server keeps the message and retries.
fn an_unreachable_store_is_a_temporary_failure(backend: Backend) {
    let desk = Desk::new(backend);
    let imc = desk.notice("imc@test.example");
    let raw = reply("imc@test.example", &imc, "x1@test.example", "1 — исполнено");
    let gone = match backend {
        Backend::Sqlite => "/nonexistent/karta/karta.db".to_string(),
        Backend::Postgres => format!("postgres://karta@127.0.0.1:{}/karta", free_port()),
    };
    let out = desk.run_with(&["inbox", "--stdin"], LATER, Some(&raw), &[("KARTA_DB", &gone)]);
    assert_eq!(out.status.code(), Some(75), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ошибка: не удалось открыть базу"));
    // Delivered again once the store is back: taken.
    assert!(desk.inbox(&raw).contains("ответ принят"));
}

/// The school's notice answered by `body` (headers of the body part and the body).
fn school_reply(desk: &Desk, id: &str, body_part: &[u8]) -> Vec<u8> {
    let school = desk.notice("school@test.example");
    let mut raw = format!(
        "From: school@test.example\r\nTo: {}\r\nSubject: Re: {}\r\nDate: Thu, 14 Mar 2024 12:00:00 +1000\r\n\
         Message-ID: <{id}>\r\nIn-Reply-To: <{mid}>\r\nReferences: <{mid}>\r\nMIME-Version: 1.0\r\n",
        school.reply_to,
        school.subject,
        mid = school.message_id
    )
    .into_bytes();
    raw.extend_from_slice(body_part);
    raw
}

/// The bad mail of issue 29, each piped to `karta inbox --stdin` in turn to the school's
/// notice of one occurrence: read and recorded (HTML only, windows-1251, KOI8-R, base64,
/// quoted-printable, a zip bomb kept unopened) or answered (forwarded as an attachment, 50 MB,
/// an empty body), or, with no sender to answer, dropped (a malformed header) — never a panic.
fn bad_mail_gets_a_clear_outcome(backend: Backend) {
    let desk = Desk::new(backend);
    let recorded = |id: &str, body: &[u8]| {
        let said = desk.inbox(&school_reply(&desk, id, body));
        assert!(said.contains("ответ принят"), "{id}: {said}");
        desk.events().pop().expect("an event").event
    };
    let partial = |p: u8| karta::track::Action::Partial { percent: Some(p) };
    let html = recorded(
        "html@test.example",
        "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><div>Выполнено частично:&nbsp;<b>10 %</b></div>\
         <blockquote>Напоминание</blockquote></body></html>\r\n"
            .as_bytes(),
    );
    assert_eq!(html.action, partial(10));
    let mut body =
        b"Content-Type: text/plain; charset=windows-1251\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".to_vec();
    body.extend(cp1251("Выполнено частично: 20 %"));
    assert_eq!(recorded("cp1251@test.example", &body).action, partial(20));
    let mut body = b"Content-Type: text/plain; charset=KOI8-R\r\n\r\n".to_vec();
    body.extend(koi8r("Выполнено частично: 30 %"));
    assert_eq!(recorded("koi8@test.example", &body).action, partial(30));
    let body = format!(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        base64("Выполнено частично: 40 %".as_bytes())
    );
    assert_eq!(recorded("b64@test.example", body.as_bytes()).action, partial(40));
    let body = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
                =D0=92=D1=8B=D0=BF=D0=BE=D0=BB=D0=BD=D0=B5=D0=BD=D0=BE =D1=87=D0=B0=D1=81=D1=82=D0=B8=D1=87=D0=BD=D0=BE: 50 %\r\n";
    assert_eq!(recorded("qp@test.example", body.as_bytes()).action, partial(50));
    // A zip bomb: kept as evidence exactly as sent, never unpacked.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("zeros.bin", options).expect("zip entry");
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..16 {
        zip.write_all(&zeros).expect("zip write");
    }
    let bomb = zip.finish().expect("zip").into_inner();
    let body = format!(
        "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Выполнено частично: 60 %\r\n--x\r\nContent-Type: application/zip; name=\"bomb.zip\"\r\n\
         Content-Disposition: attachment; filename=\"bomb.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--x--\r\n",
        base64(&bomb)
    );
    let event = recorded("zip@test.example", body.as_bytes());
    assert_eq!(event.action, partial(60));
    let kept = desk.path().join("uploads").join(event.evidence[0].trim_start_matches("/files/"));
    assert_eq!(std::fs::read(kept).expect("kept"), bomb, "the bytes as sent");
    let before = desk.events().len();
    let answered = |id: &str, raw: &[u8], says: &str| {
        let count = desk.answers("school@test.example").len();
        let said = desk.inbox(raw);
        assert!(said.contains("ответ не записан"), "{id}: {said}");
        let answers = desk.answers("school@test.example");
        assert_eq!(answers.len(), count + 1, "{id}: one answer");
        let text = parse(answers.last().expect("answer")).body_text(0).expect("text").into_owned();
        assert!(text.contains(says), "{id}: {text}");
    };
    // Forwarded as an attachment, with no words of the sender's own.
    let school = desk.notice("school@test.example");
    let inner = format!(
        "From: school@test.example\r\nTo: {}\r\nSubject: Re: x\r\nMessage-ID: <inner@test.example>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nИсполнено\r\n",
        school.reply_to
    );
    let body = format!(
        "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\r\n\
         --x\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n{inner}\r\n--x--\r\n"
    );
    answered("fwd@test.example", &school_reply(&desk, "fwd@test.example", body.as_bytes()), "пересланное письмо");
    // 50 MB.
    let line = "JVBERi0xLjQKJeLjz9MKMSAwIG9iago8PC9UeXBlL0NhdGFsb2cvUGFnZXMgMiAwIFI+PgplbmRv\r\n";
    let mut body = "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\n\
        Исполнено\r\n--x\r\nContent-Type: application/pdf; name=\"big.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        .as_bytes()
        .to_vec();
    for _ in 0..(50 << 20) / 57 + 1 {
        body.extend_from_slice(line.as_bytes());
    }
    body.extend_from_slice(b"--x--\r\n");
    answered("big@test.example", &school_reply(&desk, "big@test.example", &body), "письмо слишком велико");
    // An empty body.
    let empty = school_reply(&desk, "empty@test.example", b"Content-Type: text/plain\r\n\r\n");
    answered("empty@test.example", &empty, "не найдено отметки");
    // A malformed header: no sender to answer, nothing recorded, exit 0.
    let said = desk.inbox(b"From school@test.example\r\nX-Broken header\r\nSubject: x\r\n\r\n\xD0\x98\xD1\x81\r\n");
    assert!(said.contains("без адреса, на который можно ответить"), "{said}");
    assert_eq!(desk.events().len(), before, "nothing recorded by the refused ones");
}

on_both_backends!(
    a_reply_is_recorded_and_shown,
    refused_replies_record_nothing_and_are_answered,
    more_refusals,
    a_reply_to_a_digest_reports_nothing,
    a_reply_asks_to_move_a_deadline,
    an_unreachable_store_is_a_temporary_failure,
    bad_mail_gets_a_clear_outcome,
);

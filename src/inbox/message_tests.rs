//! Hand-written raw messages, as mail clients and servers write them, and arbitrary bytes.

use super::*;
use std::io::Write;

#[path = "../../tests/support/encode.rs"]
mod encode;
use encode::{base64, cp1251, koi8r, quoted_printable};

fn settings() -> Settings {
    Settings { inbox: "karta@region.ru".into(), ..Settings::default() }
}

fn read_ok(raw: &[u8]) -> Incoming {
    read(raw, &settings()).expect("a readable message")
}

/// Headers of a reply from Иванова, then `rest` (more headers, a blank line, the body).
fn reply(rest: &str) -> Vec<u8> {
    format!(
        "Return-Path: <ivanova@lazo.ru>\r\n\
         Message-ID: <r1@lazo.ru>\r\n\
         From: =?UTF-8?B?0JjQstCw0L3QvtCy0LA=?= <Ivanova@Lazo.RU>\r\n\
         To: karta <karta+abc234@region.ru>\r\n\
         Date: Mon, 15 Mar 2027 09:30:00 +1000\r\n\
         Subject: Re: =?UTF-8?B?0J3QsNC/0L7QvNC40L3QsNC90LjQtQ==?=\r\n\
         In-Reply-To: <n1@region.ru>\r\n\
         References: <n0@region.ru> <n1@region.ru>\r\n\
         MIME-Version: 1.0\r\n{rest}"
    )
    .into_bytes()
}

#[test]
fn a_plain_reply_gives_every_field() {
    let raw = reply(
        "Authentication-Results: mx.region.ru; spf=pass smtp.mailfrom=lazo.ru; dkim=pass header.d=lazo.ru; dmarc=pass (p=NONE) header.from=lazo.ru\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         1, 3 — исполнено\r\n\r\n> Напоминание\r\n",
    );
    let m = read_ok(&raw);
    assert_eq!(m.message_id.as_deref(), Some("r1@lazo.ru"));
    assert_eq!(m.from, "ivanova@lazo.ru");
    assert_eq!(m.subject, "Re: Напоминание");
    assert_eq!(m.date.map(|d| d.to_rfc3339()).as_deref(), Some("2027-03-15T09:30:00+10:00"));
    assert_eq!(m.in_reply_to, ["n1@region.ru"]);
    assert_eq!(m.references, ["n0@region.ru", "n1@region.ru"]);
    assert_eq!(m.reply_to_token.as_deref(), Some("abc234"));
    assert_eq!(m.text, "1, 3 — исполнено\n\n> Напоминание");
    assert_eq!(m.auth, Dmarc::Pass);
    assert_eq!(m.robot, None);
    assert!(m.attachments.is_empty() && m.dropped.is_empty() && m.forwarded.is_empty());
}

#[test]
fn an_html_only_body_becomes_text() {
    let raw = reply(
        "Content-Type: text/html; charset=utf-8\r\n\r\n\
         <html><head><style>div{}</style></head><body><div>Исполнено,&nbsp;отчёт <b>направлен</b></div>\
         <div class=\"gmail_quote\">пн, 15 мар. 2027 г. в 09:00, karta &lt;karta@region.ru&gt;:<br>\
         <blockquote>Напоминание</blockquote></div></body></html>\r\n",
    );
    let m = read_ok(&raw);
    assert_eq!(
        m.text,
        "Исполнено, отчёт направлен\nпн, 15 мар. 2027 г. в 09:00, karta <karta@region.ru>:\n> Напоминание"
    );
    // The HTML half of an alternative is taken when the plain half is empty.
    let raw = reply(
        "Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\r\n\
         --b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Выполнено</p>\r\n--b--\r\n",
    );
    assert_eq!(read_ok(&raw).text, "Выполнено");
}

#[test]
fn windows_1251_and_koi8_r_are_read() {
    let words = "2 — выполнено частично: отчёт ЁЛКИ";
    let subject = format!("=?windows-1251?B?{}?=", base64(&cp1251("Ответ по пункту 2")));
    let mut raw = format!(
        "From: ivanova@lazo.ru\r\nSubject: {subject}\r\nContent-Type: text/plain; charset=\"windows-1251\"\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n"
    )
    .into_bytes();
    raw.extend(cp1251(words));
    let m = read_ok(&raw);
    assert_eq!(m.text, words);
    assert_eq!(m.subject, "Ответ по пункту 2");
    // KOI8-R has no dash «—».
    let words = "2 - выполнено частично: отчёт ЁЛКИ";
    let mut raw = b"From: ivanova@lazo.ru\r\nContent-Type: text/plain; charset=KOI8-R\r\n\r\n".to_vec();
    raw.extend(koi8r(words));
    assert_eq!(read_ok(&raw).text, words);
}

#[test]
fn base64_and_quoted_printable_are_decoded() {
    let words = "Исполнено 14.03, отчёт направлен в министерство образования Приморского края = в срок";
    let raw = reply(&format!(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        base64(words.as_bytes())
    ));
    assert_eq!(read_ok(&raw).text, words);
    let raw = reply(&format!(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}\r\n",
        quoted_printable(words)
    ));
    assert_eq!(read_ok(&raw).text, words);
}

#[test]
fn a_reply_forwarded_as_an_attachment_is_set_apart() {
    let inner = "From: Иванова <ivanova@lazo.ru>\r\nTo: karta+abc234@region.ru\r\nSubject: Re: Напоминание\r\n\
                 Message-ID: <r0@lazo.ru>\r\nIn-Reply-To: <n1@region.ru>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
                 1 — исполнено\r\n";
    let raw = format!(
        "From: secretary@lazo.ru\r\nTo: karta@region.ru\r\nSubject: Fwd: Re: Напоминание\r\n\
         Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Пересылаю ответ Ивановой\r\n--x\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n{inner}\r\n--x--\r\n"
    );
    let m = read_ok(raw.as_bytes());
    assert_eq!(m.from, "secretary@lazo.ru");
    assert_eq!(m.text, "Пересылаю ответ Ивановой", "the attached message is not the sender's text");
    assert_eq!(m.reply_to_token, None);
    assert!(m.attachments.is_empty() && m.dropped.is_empty(), "{:?}", m.dropped);
    let forwarded = &m.forwarded[..];
    assert_eq!(forwarded.len(), 1);
    assert_eq!(forwarded[0].from.as_deref(), Some("ivanova@lazo.ru"));
    assert_eq!(forwarded[0].message_id.as_deref(), Some("r0@lazo.ru"));
    assert_eq!(forwarded[0].in_reply_to, ["n1@region.ru"]);
    assert_eq!(forwarded[0].text, "1 — исполнено");
}

/// A message carrying one file.
fn with_file(name: &str, content_type: &str, bytes: &[u8], extra: &str) -> Vec<u8> {
    reply(&format!(
        "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Исполнено, отчёт во вложении\r\n--x\r\nContent-Type: {content_type}; name=\"{name}\"\r\n\
         Content-Disposition: attachment; filename=\"{name}\"\r\n{extra}Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--x--\r\n",
        base64(bytes)
    ))
}

#[test]
fn a_50_mb_attachment_is_refused_before_it_is_decoded() {
    // 50 MiB of file, in base64 lines: built as text, never decoded by the test either.
    let line = "JVBERi0xLjQKJeLjz9MKMSAwIG9iago8PC9UeXBlL0NhdGFsb2cvUGFnZXMgMiAwIFI+PgplbmRv\r\n";
    let lines = (50 << 20) / 57 + 1;
    let mut raw = reply(
        "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nИсполнено\r\n\
         --x\r\nContent-Type: application/pdf; name=\"big.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
    );
    raw.reserve(lines * line.len() + 16);
    for _ in 0..lines {
        raw.extend_from_slice(line.as_bytes());
    }
    raw.extend_from_slice(b"--x--\r\n");
    let refused = read(&raw, &settings()).expect_err("too large");
    assert_eq!(refused.flaw, Flaw::TooLarge { size: raw.len(), limit: Limits::default().message });
    assert_eq!(refused.from.as_deref(), Some("ivanova@lazo.ru"), "the sender can still be told");
    assert_eq!(refused.message_id.as_deref(), Some("r1@lazo.ru"));
    // Under the message limit but over the file limit: the file is dropped, not copied.
    let limits = Limits { message: 1 << 20, attachment: 4096, files: 10 };
    let pdf = [b"%PDF-1.4\n".as_slice(), &[b'x'; 8000]].concat();
    let m = read(&with_file("отчёт.pdf", "application/pdf", &pdf, ""), &Settings { limits, ..settings() })
        .expect("readable");
    assert!(m.attachments.is_empty());
    assert_eq!(m.dropped[0].why, Drop::TooLarge { limit: 4096 });
    assert_eq!(m.dropped[0].size, pdf.len());
    assert_eq!(m.text, "Исполнено, отчёт во вложении");
}

#[test]
fn a_zip_bomb_is_kept_as_opaque_bytes_never_opened() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("zeros.bin", options).expect("zip entry");
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..4 {
        zip.write_all(&zeros).expect("zip write");
    }
    let bomb = zip.finish().expect("zip").into_inner();
    assert!(bomb.len() < 64 << 10, "4 MiB of zeros pack small: {}", bomb.len());
    let m = read_ok(&with_file("отчёт.zip", "application/zip", &bomb, ""));
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].bytes, bomb, "kept exactly as sent, not unpacked");
    assert_eq!(m.attachments[0].name, "отчёт.zip");
    assert_eq!(m.attachments[0].content_type, "application/zip");
    // The same bytes under a limit smaller than the archive: dropped.
    let limits = Limits { attachment: bomb.len() - 1, ..Limits::default() };
    let m = read(&with_file("отчёт.zip", "application/zip", &bomb, ""), &Settings { limits, ..settings() })
        .expect("readable");
    assert!(m.attachments.is_empty());
    assert_eq!(m.dropped[0].why, Drop::TooLarge { limit: bomb.len() - 1 });
}

#[test]
fn files_are_kept_only_of_allowed_types() {
    let pdf = b"%PDF-1.7\n1 0 obj\n".as_slice();
    let m = read_ok(&with_file("Отчёт ИМЦ.PDF", "application/pdf", pdf, ""));
    assert_eq!(
        m.attachments,
        [Attachment {
            name: "Отчёт ИМЦ.PDF".into(), content_type: "application/pdf".into(), bytes: pdf.to_vec()
        }]
    );
    for (name, bytes, why) in [
        ("setup.exe", b"MZ\x90\x00".as_slice(), Drop::Type),
        ("отчёт.pdf", b"MZ\x90\x00".as_slice(), Drop::Mismatch),
        ("фото.jpeg", b"\x89PNG\r\n\x1A\n".as_slice(), Drop::Mismatch),
        ("winmail.dat", b"\x78\x9F\x3E\x22".as_slice(), Drop::Type),
    ] {
        let m = read_ok(&with_file(name, "application/octet-stream", bytes, ""));
        assert!(m.attachments.is_empty(), "{name}");
        assert_eq!(m.dropped[0].why, why, "{name}");
    }
    let m = read_ok(&with_file("../../etc/фото.jpg", "image/jpeg", b"\xFF\xD8\xFF\xE0", ""));
    assert_eq!(m.attachments[0].name, "фото.jpg", "no folders in a stored name");
    // A signature's logo shown in the HTML is no file.
    let raw = reply(&format!(
        "Content-Type: multipart/related; boundary=\"r\"\r\n\r\n--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <p>Исполнено</p><img src=\"cid:image001@01D\">\r\n--r\r\nContent-Type: image/png; name=\"image001.png\"\r\n\
         Content-Disposition: inline; filename=\"image001.png\"\r\nContent-ID: <image001@01D>\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--r--\r\n",
        base64(b"\x89PNG\r\n\x1A\n")
    ));
    let m = read_ok(&raw);
    assert_eq!(m.text, "Исполнено");
    assert!(m.attachments.is_empty() && m.dropped.is_empty(), "a picture in the body is not kept: {:?}", m.dropped);
    // Past the number of files.
    let limits = Limits { files: 0, ..Limits::default() };
    let m =
        read(&with_file("a.pdf", "application/pdf", pdf, ""), &Settings { limits, ..settings() }).expect("readable");
    assert_eq!(m.dropped[0].why, Drop::TooMany { limit: 0 });
}

#[test]
fn an_empty_body_is_empty_text() {
    assert_eq!(read_ok(&reply("Content-Type: text/plain\r\n\r\n")).text, "");
    assert_eq!(read_ok(&reply("\r\n")).text, "");
    assert_eq!(read_ok(b"From: ivanova@lazo.ru\r\n").text, "", "headers and nothing more");
    let raw = reply("Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x--\r\n");
    assert_eq!(read_ok(&raw).text, "");
}

#[test]
fn malformed_headers_end_in_a_clear_outcome() {
    // Garbage around a good From: read, with what could not be read left empty.
    let raw = b"\tcontinuation before any header\r\nX-Broken header without colon\r\n\
        From: ivanova@lazo.ru\r\nDate: \xFF\xFE yesterday\r\nSubject: =?utf-8?B?!!!?= \xD0\r\n\
        Message-ID: <<<>>>\r\nContent-Type: text/plain; charset=no-such-charset\r\n\r\n\xD0\x98\xD1\x81\xD0\xBF\r\n";
    let m = read(raw, &settings()).expect("a From is enough");
    assert_eq!(m.from, "ivanova@lazo.ru");
    assert_eq!(m.date, None);
    // No usable From.
    for (raw, flaw) in [
        ("From ivanova@lazo.ru\r\nSubject: x\r\n\r\nИсполнено".as_bytes(), Flaw::NoSender),
        ("From: <<<@>\r\n\r\nИсполнено".as_bytes(), Flaw::NoSender),
        (b"From: undisclosed-recipients:;\r\n\r\nx".as_slice(), Flaw::NoSender),
        ("From: a@lazo.ru, b@lazo.ru\r\n\r\nИсполнено".as_bytes(), Flaw::SeveralSenders),
        (b"".as_slice(), Flaw::NotMail),
    ] {
        let refused = read(raw, &settings()).expect_err("refused");
        assert_eq!(refused.flaw, flaw, "{}", String::from_utf8_lossy(raw));
    }
    // An impossible date is no date.
    let m = read_ok(b"From: ivanova@lazo.ru\r\nDate: Mon, 31 Feb 2027 25:61:00 +0300\r\n\r\nx");
    assert_eq!(m.date, None);
    let m = read_ok(b"From: ivanova@lazo.ru\r\nDate: Mon, 15 Mar 2027 09:30:00 -0500\r\n\r\nx");
    assert_eq!(m.date.map(|d| d.to_rfc3339()).as_deref(), Some("2027-03-15T09:30:00-05:00"));
}

#[test]
fn the_token_is_found_where_servers_put_it() {
    let raw = b"From: ivanova@lazo.ru\r\nDelivered-To: karta+XYZ234@region.ru\r\nTo: karta@region.ru\r\n\r\nx";
    assert_eq!(read_ok(raw).reply_to_token.as_deref(), Some("xyz234"));
    let raw = b"From: ivanova@lazo.ru\r\nX-Original-To: <karta+q2@region.ru>\r\nTo: ivanova@lazo.ru\r\n\r\nx";
    assert_eq!(read_ok(raw).reply_to_token.as_deref(), Some("q2"));
    let raw = b"From: ivanova@lazo.ru\r\nTo: boss@lazo.ru\r\nCc: Karta <KARTA+cc7@region.ru>\r\n\r\nx";
    assert_eq!(read_ok(raw).reply_to_token.as_deref(), Some("cc7"));
    let raw = b"From: ivanova@lazo.ru\r\nTo: karta+abc@other.ru\r\n\r\nx";
    assert_eq!(read_ok(raw).reply_to_token, None, "another domain's plus-address");
}

#[test]
fn only_the_receiving_servers_dmarc_verdict_counts() {
    let two = "Authentication-Results: mx.region.ru; dmarc=fail (p=REJECT) header.from=lazo.ru\r\n\
               Authentication-Results: evil.example; dmarc=pass header.from=lazo.ru\r\n";
    let m = read_ok(&reply(&format!("{two}\r\nИсполнено")));
    assert_eq!(m.auth, Dmarc::Fail, "the topmost header is the receiving server's");
    let forged_below = "Authentication-Results: evil.example; dmarc=pass\r\nAuthentication-Results: mx.region.ru;\r\n dkim=pass; DMARC=FAIL\r\n";
    let s = Settings { authserv_id: Some("mx.region.ru".into()), ..settings() };
    assert_eq!(read(&reply(&format!("{forged_below}\r\nx")), &s).map(|m| m.auth), Ok(Dmarc::Fail));
    assert_eq!(
        read(&reply("Authentication-Results: evil.example; dmarc=pass\r\n\r\nx"), &s).map(|m| m.auth),
        Ok(Dmarc::None)
    );
    let none = "Authentication-Results: mx.region.ru; spf=pass; dmarc=none (p=none)\r\n";
    assert_eq!(read_ok(&reply(&format!("{none}\r\nx"))).auth, Dmarc::None);
    assert_eq!(read_ok(&reply("\r\nx")).auth, Dmarc::None);
    let comment = "Authentication-Results: mx.region.ru; dkim=pass (dmarc=fail in a comment; really); dmarc=pass\r\n";
    assert_eq!(read_ok(&reply(&format!("{comment}\r\nx"))).auth, Dmarc::Pass);
}

#[test]
fn robots_are_marked_when_read() {
    let m = read_ok(&reply("Auto-Submitted: auto-replied\r\n\r\nЯ в отпуске"));
    assert_eq!(m.robot, Some(Robot::AutoSubmitted));
}

mod arbitrary {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn no_bytes_make_it_panic(raw in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let _ = read(&raw, &settings());
            let _ = robot::of(&raw, &settings());
        }

        #[test]
        fn no_damage_to_a_real_message_makes_it_panic(
            cut in 0usize..2000,
            insert in proptest::collection::vec(any::<u8>(), 0..64),
            at in 0usize..2000,
        ) {
            let mut raw = with_file("отчёт.pdf", "application/pdf", b"%PDF-1.4 x", "");
            let at = at.min(raw.len());
            raw.splice(at..at, insert);
            raw.truncate(cut.max(1).min(raw.len()).max(raw.len() / 2));
            let _ = read(&raw, &settings());
        }

        #[test]
        fn no_mail_like_text_makes_it_panic(
            headers in proptest::collection::vec("[A-Za-z-]{1,12}: [ -~\\t]{0,40}", 0..8),
            body in "\\PC{0,200}",
        ) {
            let raw = format!("{}\r\n\r\n{body}", headers.join("\r\n"));
            let _ = read(raw.as_bytes(), &settings());
        }
    }
}

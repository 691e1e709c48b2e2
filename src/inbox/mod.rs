//! Reports by replying to a notice: the library that reads an incoming e-mail and decides what
//! it says. [`message`] reads the bytes (charsets, encodings, HTML, attachments under
//! [`Limits`]); [`robot`] tells mail no one must answer (RFC 3834); [`token`] makes and checks
//! the reply token in the Reply-To address; [`reply`] reads the decisions in the reply's own
//! text. A reply that records nothing gets one short answer in Russian: [`answer`] writes it.
//!
//! This module reads and decides; it must not record events, send mail or know the store: the
//! caller looks the token's notice up, checks the sender against the directory and records.

mod dates;
mod html;
pub mod message;
pub mod reply;
pub mod robot;
mod strip;
pub mod token;

pub use message::{Attachment, Dmarc, Drop, Dropped, Flaw, Forwarded, Incoming, Limits, Settings, Unreadable};
pub use reply::{Context, Decision, Statement, Unclear};
pub use robot::Robot;
pub use token::{Claim, Key, TokenError};

use crate::ru;

/// Why a reply records nothing. Each gets one answer ([`answer`]), unless the message comes
/// from a [`Robot`].
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The message itself cannot be taken.
    Unreadable(Flaw),
    /// Files the message carried that were not taken.
    Files(Vec<Dropped>),
    /// The sender is neither the executor nor a deputy in the directory.
    UnknownSender { address: String },
    /// The receiving server found that the sender's domain did not send it (DMARC failed).
    Spoofed { address: String },
    /// No reply token, and no known notice in In-Reply-To or References.
    NoToken,
    /// A reply token that is forged, damaged or expired.
    Token(TokenError),
    /// A message forwarded as an attachment, with no reply of the sender's own.
    Forwarded,
    /// A reply to a notice that reports nothing (a weekly digest, a move request): there is
    /// nothing in it to mark done.
    NothingToReport,
    /// The reply's text cannot be read with certainty.
    Unclear(Unclear),
    /// Tracking refuses what the reply asks for item `item` (`None`: the only one), the
    /// activity `title`: already done, cancelled, a date in the future…
    Track { item: Option<usize>, title: String, refusal: crate::track::Refusal },
    /// In a chat: the writer is linked to no account (`messenger`: its name).
    Unlinked { messenger: String },
    /// In a chat: the writer's account (`login`) may not report on what the notice lists.
    NotAllowed { login: String },
    /// In a chat: a linking code that is wrong, spent or expired.
    BadCode,
    /// In a one-to-one chat with the bot: a message that is neither a reply to a notice nor a
    /// linking code.
    NotAReply,
}

/// How to write a reply karta reads, for answers about the reply's text.
const HOW: &str = "Как ответить: «1, 3 — исполнено», «2 — выполнено частично: …», \
«2 — не исполнено, так как …», «2 — прошу перенести до 15 марта 2027 г.»; \
если в уведомлении одно мероприятие, номер не нужен. \
Отметить исполнение можно и на странице мероприятия в karta.";

/// The subject of an answer to a message with subject `subject`.
pub fn answer_subject(subject: &str) -> String {
    let mut bare = subject.trim();
    while let Some(rest) = ["re:", "ответ:", "fwd:", "fw:"]
        .iter()
        .find_map(|p| bare.get(..p.len()).filter(|h| h.to_lowercase() == *p).map(|_| bare[p.len()..].trim_start()))
    {
        bare = rest;
    }
    format!("Re: {bare}")
}

/// The answer to a refused reply: why nothing was recorded and what to do instead. Text only;
/// the caller sends it (with `Auto-Submitted: auto-replied`).
pub fn answer(refusal: &Refusal) -> String {
    let (why, instead) = explain(refusal);
    format!(
        "Здравствуйте!\n\nВаш ответ на уведомление karta не записан: {why}\n\n{instead}\n\n\
         Это письмо отправлено автоматически.\n"
    )
}

/// The answer in a chat to a refused message: why and what to do instead, plain text (the
/// caller escapes it for the API's HTML mode).
pub fn chat_answer(refusal: &Refusal) -> String {
    let (why, instead) = explain(refusal);
    let mut why = why;
    if let Some(first) = why.chars().next() {
        why.replace_range(..first.len_utf8(), &first.to_uppercase().to_string());
    }
    format!("Не записано. {why}\n\n{instead}")
}

/// Why a reply was refused, in both languages, for the log of the run that read it.
impl crate::diag::Explain for Refusal {
    fn explain(&self) -> crate::diag::Message {
        let (ru, _) = explain(self);
        crate::diag::Message::new(ru.trim_end_matches('.'), english(self))
    }
}

impl crate::diag::Explain for TokenError {
    fn explain(&self) -> crate::diag::Message {
        let en = match self {
            TokenError::Malformed => "the reply token is damaged".to_string(),
            TokenError::Forged => "the reply token is forged".to_string(),
            TokenError::Expired { issued } => format!("the reply token has expired (issued {issued})"),
            TokenError::WeakKey => "the reply token key is shorter than 16 bytes".to_string(),
            TokenError::NoRandomness => "no source of randomness for the reply token key".to_string(),
        };
        crate::diag::Message::new(self.to_string(), en)
    }
}

/// The reason of a refusal in English.
fn english(refusal: &Refusal) -> String {
    match refusal {
        Refusal::Unreadable(Flaw::TooLarge { size, limit }) => {
            format!("the message is too large ({size} bytes, limit {limit})")
        }
        Refusal::Unreadable(Flaw::NotMail) => "not an e-mail message".into(),
        Refusal::Unreadable(Flaw::NoSender) => "no sender address".into(),
        Refusal::Unreadable(Flaw::SeveralSenders) => "several sender addresses".into(),
        Refusal::Files(dropped) => {
            let names: Vec<&str> = dropped.iter().map(|d| d.name.as_str()).collect();
            format!("files not taken: {}", names.join(", "))
        }
        Refusal::UnknownSender { address } => format!("{address} is neither an executor nor a deputy in the directory"),
        Refusal::Spoofed { address } => format!("DMARC failed for {address}"),
        Refusal::NoToken => "no reply token and no known notice in the thread".into(),
        Refusal::Token(e) => crate::diag::Explain::explain(e).en,
        Refusal::Forwarded => "a forwarded message, not a reply".into(),
        Refusal::NothingToReport => "the notice lists nothing to report on".into(),
        Refusal::Unclear(u) => match u {
            Unclear::NoDecision { line: Some(line) } => format!("no decision in «{line}»"),
            Unclear::NoDecision { line: None } => "no decision found".into(),
            Unclear::NoSuchItem { item, count } => format!("item {item}, but the notice has {count}"),
            Unclear::WhichItems { count } => format!("no item named, and the notice has {count}"),
            Unclear::Contradiction { item } => format!("contradictory decisions for item {item}"),
            Unclear::BadDate { text } => format!("«{text}» is not a date"),
            Unclear::NoNewDate { line } => format!("no readable new deadline in «{line}»"),
        },
        Refusal::Track { item, title, refusal } => {
            let which = item.map(|i| format!("item {i}: ")).unwrap_or_default();
            format!("{which}{}", refusal.message(title).en)
        }
        Refusal::Unlinked { messenger } => format!("the {messenger} user is linked to no account"),
        Refusal::NotAllowed { login } => format!("the account {login} may not report on this"),
        Refusal::BadCode => "the linking code is wrong, spent or expired".into(),
        Refusal::NotAReply => "neither a reply to a notice nor a linking code".into(),
    }
}

/// The reason and the advice of an answer.
fn explain(refusal: &Refusal) -> (String, String) {
    let reply_again = "Нажмите «Ответить» в самом письме-уведомлении karta и не меняйте адрес получателя.";
    match refusal {
        Refusal::Unreadable(flaw) => unreadable(*flaw),
        Refusal::Files(dropped) => {
            let list: Vec<String> = dropped.iter().map(|d| format!("«{}» — {}", d.name, dropped_why(d))).collect();
            (
                format!("не приняты вложения: {}.", list.join("; ")),
                format!(
                    "Ответьте ещё раз с допустимыми файлами ({}) или загрузите их на странице мероприятия.",
                    allowed()
                ),
            )
        }
        Refusal::UnknownSender { address } => (
            format!("адрес {address} не указан в справочнике ни как адрес исполнителя, ни как адрес его заместителя."),
            "Ответьте с адреса, указанного в справочнике, или попросите координатора добавить этот адрес.".into(),
        ),
        Refusal::Spoofed { address } => (
            format!(
                "почтовый сервер не подтвердил, что письмо отправлено с адреса {address} (проверка DMARC не пройдена)."
            ),
            "Ответьте ещё раз прямо из своего почтового ящика, без пересылки через другие сервисы.".into(),
        ),
        Refusal::NoToken => ("не удалось понять, на какое уведомление это ответ.".into(), reply_again.into()),
        Refusal::Token(TokenError::Expired { issued }) => (
            format!("уведомление от {} устарело, ответы на него не принимаются.", ru::date_digits(*issued)),
            "Ответьте на последнее уведомление или отметьте исполнение на странице мероприятия.".into(),
        ),
        Refusal::Token(_) => ("метка ответа в адресе повреждена или выдана не karta.".into(), reply_again.into()),
        Refusal::NothingToReport => (
            "это уведомление — сводка или запрос, в нём нет мероприятий, по которым отчитываются ответом.".into(),
            "Отметить исполнение можно ответом на напоминание о сроке или на странице мероприятия в karta.".into(),
        ),
        Refusal::Forwarded => {
            ("пересланное письмо не принимается как отчёт.".into(), format!("Ответьте на уведомление сами. {HOW}"))
        }
        Refusal::Unclear(unclear) => (unclear_why(unclear), HOW.into()),
        Refusal::Track { item, title, refusal } => {
            let which = item.map(|i| format!("пункт {i}, ")).unwrap_or_default();
            let told = refusal.message(title).ru.replace(&format!("`{title}`"), &format!("«{title}»"));
            (format!("{which}{told}."), track_advice(refusal).into())
        }
        Refusal::Unlinked { messenger } => (
            format!("ваша учётная запись {messenger} не привязана к учётной записи karta."),
            format!("{LINK} Потом ответьте на уведомление ещё раз."),
        ),
        Refusal::NotAllowed { login } => (
            format!("учётная запись karta «{login}» не может отчитываться по мероприятиям этого уведомления."),
            "Отчитывается исполнитель мероприятия или координатор, за которым закреплён исполнитель. \
             Если это ошибка, попросите администратора karta закрепить исполнителя за вашей учётной записью."
                .into(),
        ),
        Refusal::BadCode => {
            ("код привязки неверен, уже использован или устарел (код действует 15 минут).".into(), LINK.into())
        }
        Refusal::NotAReply => (
            "это сообщение не ответ на уведомление karta и не код привязки.".into(),
            format!("Чтобы отчитаться, ответьте на сообщение karta (кнопка «Ответить»). {HOW} {LINK}"),
        ),
    }
}

/// How to link a chat user to an account, for answers in chats.
const LINK: &str = "Чтобы привязать этот мессенджер, откройте в karta страницу «Мессенджеры» \
(/me/chats), получите код и отправьте его боту.";

fn unreadable(flaw: Flaw) -> (String, String) {
    match flaw {
        Flaw::TooLarge { size, limit } => (
            format!("письмо слишком велико ({} МБ, допускается до {} МБ).", megabytes(size), megabytes(limit)),
            "Ответьте ещё раз без больших вложений, а файлы загрузите на странице мероприятия.".into(),
        ),
        Flaw::NotMail => ("письмо не удалось прочитать.".into(), "Ответьте на уведомление ещё раз.".into()),
        Flaw::NoSender => {
            ("в письме нет адреса отправителя.".into(), "Ответьте на уведомление из своего почтового ящика.".into())
        }
        Flaw::SeveralSenders => (
            "в поле «От» несколько адресов: непонятно, чей это отчёт.".into(),
            "Ответьте на уведомление из своего почтового ящика.".into(),
        ),
    }
}

fn unclear_why(unclear: &Unclear) -> String {
    match unclear {
        Unclear::NoDecision { line: Some(line) } => format!("в строке «{line}» нет отметки об исполнении."),
        Unclear::NoDecision { line: None } => {
            "в ответе не найдено отметки: «исполнено», «выполнено частично», «не исполнено» или просьбы о переносе срока."
                .into()
        }
        Unclear::NoSuchItem { item, count: 1 } => {
            format!("в уведомлении одно мероприятие, а в ответе указан пункт {item}; номер указывать не нужно.")
        }
        Unclear::NoSuchItem { item, count } => format!(
            "в уведомлении {}, а в ответе указан пункт {item}.",
            ru::counted(*count as u64, ["пункт", "пункта", "пунктов"])
        ),
        Unclear::WhichItems { count } => format!(
            "в уведомлении {}, а в ответе не указано, к каким из них относится отметка.",
            ru::counted(*count as u64, ["мероприятие", "мероприятия", "мероприятий"])
        ),
        Unclear::Contradiction { item } => {
            format!("для пункта {item} в ответе разные отметки; оставьте одну.")
        }
        Unclear::BadDate { text } => format!("даты «{text}» не бывает; пишите дату как 14.03.2027."),
        Unclear::NoNewDate { line } => format!("в «{line}» не удалось прочитать новый срок."),
    }
}

fn track_advice(refusal: &crate::track::Refusal) -> &'static str {
    use crate::track::Refusal as R;
    match refusal {
        R::AlreadyDone { .. } | R::AlreadyAccepted => "Повторная отметка не нужна.",
        R::Cancelled => "Отчитываться по отменённому сроку не нужно.",
        R::InFuture { .. } => "Укажите дату, которая уже наступила, или не указывайте дату вовсе.",
        R::MoveToPast { .. } => "Укажите новый срок, который ещё не наступил.",
        R::NeedReason => "Напишите причину: «не исполнено, так как …».",
        R::NeedPercentOrNote => "Напишите процент или что сделано: «выполнено частично: 60 %, …».",
        _ => "Ответьте ещё раз или отметьте исполнение на странице мероприятия.",
    }
}

fn dropped_why(d: &Dropped) -> String {
    match d.why {
        Drop::TooLarge { limit } => format!("больше {} МБ", megabytes(limit)),
        Drop::Type => "такие файлы не принимаются".into(),
        Drop::Mismatch => "содержимое не соответствует расширению файла".into(),
        Drop::TooMany { limit } => format!("в одном письме принимается не больше {limit} файлов"),
    }
}

/// The allowed types, for people: «PDF, DOCX, …».
fn allowed() -> String {
    message::ALLOWED.iter().map(|(e, _)| e.to_uppercase()).collect::<Vec<_>>().join(", ")
}

fn megabytes(bytes: usize) -> String {
    ru::decimal(bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn every_refusal_gets_a_short_russian_answer() {
        let day = NaiveDate::from_ymd_opt(2027, 1, 10).expect("date");
        let pdf = Dropped {
            name: "вирус.exe".into(),
            content_type: "application/x-msdownload".into(),
            size: 10,
            why: Drop::Type,
        };
        for (refusal, says) in [
            (
                Refusal::Unreadable(Flaw::TooLarge { size: 52_428_800, limit: 20 << 20 }),
                "слишком велико (50 МБ, допускается до 20 МБ)",
            ),
            (Refusal::Files(vec![pdf]), "«вирус.exe» — такие файлы не принимаются"),
            (Refusal::UnknownSender { address: "x@mail.ru".into() }, "адрес x@mail.ru не указан в справочнике"),
            (Refusal::Spoofed { address: "ivanova@lazo.ru".into() }, "проверка DMARC не пройдена"),
            (Refusal::NoToken, "на какое уведомление"),
            (Refusal::Token(TokenError::Forged), "метка ответа в адресе повреждена"),
            (Refusal::Token(TokenError::Expired { issued: day }), "уведомление от 10.01.2027 устарело"),
            (Refusal::Forwarded, "пересланное письмо"),
            (Refusal::NothingToReport, "в нём нет мероприятий"),
            (Refusal::Unclear(Unclear::NoDecision { line: None }), "не найдено отметки"),
            (
                Refusal::Unclear(Unclear::NoSuchItem { item: 4, count: 3 }),
                "в уведомлении 3\u{a0}пункта, а в ответе указан пункт 4",
            ),
            (Refusal::Unclear(Unclear::NoSuchItem { item: 2, count: 1 }), "номер указывать не нужно"),
            (Refusal::Unclear(Unclear::WhichItems { count: 5 }), "в уведомлении 5\u{a0}мероприятий"),
            (Refusal::Unclear(Unclear::Contradiction { item: 2 }), "для пункта 2 в ответе разные отметки"),
            (Refusal::Unclear(Unclear::BadDate { text: "31.02".into() }), "даты «31.02» не бывает"),
            (
                Refusal::Track {
                    item: Some(2),
                    title: "Отчёт ИМЦ".into(),
                    refusal: crate::track::Refusal::AlreadyDone { on: Some(day) },
                },
                "пункт 2, срок «Отчёт ИМЦ» уже отмечен выполненным 10.01.2027",
            ),
        ] {
            let text = answer(&refusal);
            assert!(text.contains(says), "{refusal:?}:\n{text}");
            assert!(text.starts_with("Здравствуйте!\n\nВаш ответ на уведомление karta не записан: "), "{text}");
            assert!(text.lines().count() <= 8, "short: {text}");
        }
        assert!(answer(&Refusal::Unclear(Unclear::NoDecision { line: None })).contains("1, 3 — исполнено"));
        use crate::diag::{Explain, Lang};
        let told = Refusal::Token(TokenError::Forged).explain();
        assert_eq!(told.get(Lang::Ru), "метка ответа в адресе повреждена или выдана не karta");
        assert_eq!(told.get(Lang::En), "the reply token is forged");
    }

    #[test]
    fn a_gmail_reply_read_end_to_end() {
        let key = Key::new(b"0123456789abcdef0123456789abcdef").expect("key");
        let sent = NaiveDate::from_ymd_opt(2027, 3, 14).expect("date");
        let token = token::issue(&key, 7001, sent);
        let reply_to = token::reply_address("karta@region.ru", &token).expect("address");
        let raw = format!(
            "Received: from mx.lazo.ru by mx.region.ru\r\n\
             Authentication-Results: mx.region.ru; dkim=pass header.d=lazo.ru; dmarc=pass header.from=lazo.ru\r\n\
             From: =?UTF-8?B?0JjQstCw0L3QvtCy0LA=?= <ivanova@lazo.ru>\r\nTo: karta <{reply_to}>\r\n\
             Subject: Re: =?UTF-8?Q?=D0=A1=D1=80=D0=BE=D0=BA=D0=B8?=\r\nDate: Mon, 15 Mar 2027 09:30:00 +1000\r\n\
             Message-ID: <CAF=r1@mail.gmail.com>\r\nIn-Reply-To: <n1@region.ru>\r\nReferences: <n1@region.ru>\r\n\
             MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"000a\"\r\n\r\n\
             --000a\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
             1, 3 =E2=80=94 =D0=B8=D1=81=D0=BF=D0=BE=D0=BB=D0=BD=D0=B5=D0=BD=D0=BE 12.03\r\n\
             2 =D0=B2 =D1=80=D0=B0=D0=B1=D0=BE=D1=82=D0=B5: 60%\r\n\r\n\
             On Sun, Mar 14, 2027 at 10:00 AM karta <karta@region.ru> wrote:\r\n\r\n\
             > =D0=9D=D0=B0 14.03.2027\r\n> 1. =D0=9E=D1=82=D1=87=D1=91=D1=82\r\n\r\n\
             --000a\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n\r\n<div dir=\"ltr\">1, 3 &mdash; ...</div>\r\n\
             --000a--\r\n"
        );
        let settings = Settings { inbox: "karta@region.ru".into(), ..Settings::default() };
        let incoming = message::read(raw.as_bytes(), &settings).expect("readable");
        assert_eq!(incoming.robot, None);
        assert_eq!(incoming.auth, Dmarc::Pass);
        assert_eq!(incoming.subject, "Re: Сроки");
        let today = incoming.date.map(|d| d.date_naive()).expect("dated");
        let claim = token::verify(&key, incoming.reply_to_token.as_deref().expect("token"), today, token::DEFAULT_DAYS);
        assert_eq!(claim, Ok(Claim { notice: 7001, issued: sent }));
        let period = crate::model::Period {
            from: NaiveDate::from_ymd_opt(2026, 9, 1).expect("date"),
            to: NaiveDate::from_ymd_opt(2027, 8, 31).expect("date"),
        };
        let statements = reply::read(&incoming.text, &Context { count: 3, sent, period }).expect("clear");
        assert_eq!(
            statements,
            [
                Statement {
                    items: vec![1, 3],
                    decision: Decision::Done { on: NaiveDate::from_ymd_opt(2027, 3, 12) },
                    comment: None
                },
                Statement {
                    items: vec![2],
                    decision: Decision::Partly { percent: Some(60), comment: Some("60%".into()) },
                    comment: Some("60%".into())
                },
            ]
        );
    }

    #[test]
    fn answers_keep_the_subject() {
        assert_eq!(answer_subject("Напоминание: срок 14 марта"), "Re: Напоминание: срок 14 марта");
        assert_eq!(answer_subject("RE: Re: Напоминание"), "Re: Напоминание");
        assert_eq!(answer_subject("Ответ: Напоминание"), "Re: Напоминание");
        assert_eq!(answer_subject(""), "Re: ");
    }
}

//! A reply's own words: what its author typed, without the quoted notice, the original below a
//! forwarding or reply header, the signature and the mobile client's footer. Mail clients mark
//! these in their own ways (Outlook, Gmail, Yandex, Mail.ru, Thunderbird, Apple Mail, in Russian
//! and English); this knows their marks and nothing about what the words mean.

use std::borrow::Cow;

/// Lines that start the original message, compared without dashes, underscores and spaces.
const SEPARATORS: &[&str] = &[
    "original message",
    "исходное сообщение",
    "пересылаемое сообщение",
    "конец пересылаемого сообщения",
    "forwarded message",
    "переадресованное сообщение",
    "начало переадресованного сообщения",
    "begin forwarded message",
    "reply message",
    "ответное сообщение",
];

/// How an attribution line ends («…, Иванова пишет:», «… wrote:»).
const ATTRIBUTIONS: &[&str] = &["wrote:", "пишет:", "написал:", "написала:", "написал(а):", "писал(а):", "a écrit :"];

/// The first line of an Outlook header block, and the lines that confirm it.
const HEADER_FROM: &[&str] = &["from:", "от:", "от кого:"];
const HEADER_NEXT: &[&str] = &["sent:", "отправлено:", "date:", "дата:", "to:", "кому:"];

/// Lines that start a signature or a client's footer.
const SIGNATURES: &[&str] = &[
    "с уважением",
    "с наилучшими пожеланиями",
    "всего доброго",
    "best regards",
    "kind regards",
    "regards,",
    "отправлено из ",
    "отправлено с ",
    "отправлено через ",
    "sent from my ",
    "sent from mail",
    "sent from outlook",
    "sent from yandex",
    "get outlook for",
    "скачайте outlook",
    "получить outlook",
];

/// The reply's own text.
pub fn own_text(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut own: Vec<Cow<str>> = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let line = plain(raw);
        let trimmed = line.trim();
        let lower = trimmed.to_lowercase();
        if trimmed.starts_with('>') || trimmed.starts_with('|') {
            continue;
        }
        if is_separator(&lower) || is_outlook_header(&lower, &lines[i + 1..]) {
            break;
        }
        if is_notice_line(&lower) {
            // The notice quoted without marks: its greeting goes with it.
            while own.last().is_some_and(|l| l.trim().is_empty()) {
                own.pop();
            }
            if own.last().is_some_and(|l| l.trim().to_lowercase().starts_with("здравствуйте")) {
                own.pop();
            }
            break;
        }
        if is_attribution(&lower) {
            // Gmail wraps a long attribution: its start is the line before.
            let fragment = ATTRIBUTIONS.contains(&lower.as_str()) || lower.contains('@');
            if fragment && !has_time(&lower) && own.last().is_some_and(|prev| starts_attribution(prev)) {
                own.pop();
            }
            break;
        }
        if trimmed == "--" || line == "-- " || SIGNATURES.iter().any(|s| lower.starts_with(s)) {
            break;
        }
        // «Исполнено. С уважением, Иванова» on one line.
        if let Some(at) = lower.find("с уважением") {
            let chars = lower[..at].chars().count();
            let cut = trimmed.char_indices().nth(chars).map_or(trimmed.len(), |(i, _)| i);
            own.push(Cow::Owned(trimmed[..cut].to_string()));
            break;
        }
        own.push(line);
    }
    while own.last().is_some_and(|l| l.trim().is_empty()) {
        own.pop();
    }
    let start = own.iter().position(|l| !l.trim().is_empty()).unwrap_or(own.len());
    own[start..].iter().map(|l| l.trim_end()).collect::<Vec<_>>().join("\n")
}

/// A line of the text as read: without the CR of its CRLF, a stray CR or a no-break space as a
/// space. Lines are made plain one by one as they are looked at: the quoted notice below the
/// reply, often most of the text, is never copied.
fn plain(line: &str) -> Cow<'_, str> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.contains('\r') || line.contains('\u{a0}') {
        Cow::Owned(line.replace(['\r', '\u{a0}'], " "))
    } else {
        Cow::Borrowed(line)
    }
}

fn is_separator(lower: &str) -> bool {
    let marked = lower.starts_with(['-', '_', '=']) || lower.ends_with(':');
    let core = lower.trim_matches(|c: char| matches!(c, '-' | '_' | '=' | ' ' | ':' | '–' | '—'));
    (marked && SEPARATORS.contains(&core)) || (lower.len() >= 10 && lower.chars().all(|c| c == '_'))
}

/// A line of karta's own notice (templates/mail/message.txt.hbs), for clients that quote it
/// without marks: the list's heading or an item's first line, numbered or not.
fn is_notice_line(lower: &str) -> bool {
    let digits = lower.bytes().take_while(u8::is_ascii_digit).count();
    let item = match lower[digits..].strip_prefix(". ") {
        Some(rest) if digits > 0 => rest,
        _ => lower,
    };
    let heading = lower.starts_with("на ") && lower.contains(" по дорожным картам ") && lower.ends_with(':');
    heading
        || item.starts_with("сегодня срок исполнения мероприятия")
        || (item.starts_with("напоминание: через ") && item.contains("срок исполнения мероприятия"))
        || (item.starts_with("просрочено на ") && item.ends_with(" мероприятие"))
        || (item.starts_with("не исполнено в срок (") && item.contains("просрочки) мероприятие"))
        || item.starts_with("длительное неисполнение (")
        || item.starts_with("сводка по дорожной карте «")
}

/// «From: …» followed within three lines by «Sent: …» (Outlook, and Mail.ru's forwards).
fn is_outlook_header(lower: &str, next: &[&str]) -> bool {
    HEADER_FROM.iter().any(|h| lower.starts_with(h))
        && next.iter().take(3).any(|l| {
            let l = plain(l).trim().to_lowercase();
            HEADER_NEXT.iter().any(|h| l.starts_with(h))
        })
}

/// «… wrote:», «… пишет:», or the Yandex, Mail.ru and Russian Gmail form ending in the
/// address: «14.03.2027, 10:00, "karta" <karta@region.ru>:».
fn is_attribution(lower: &str) -> bool {
    ATTRIBUTIONS.iter().any(|a| lower.ends_with(a)) || (lower.ends_with(">:") && lower.contains('@'))
}

/// The first half of a wrapped attribution: it has the time or the address.
fn starts_attribution(line: &str) -> bool {
    let line = line.trim();
    has_time(line) || line.ends_with('<') || line.contains('@')
}

/// Whether a line holds a time of day (`10:00`).
fn has_time(line: &str) -> bool {
    let b = line.as_bytes();
    (0..b.len().saturating_sub(2)).any(|i| {
        b[i].is_ascii_digit()
            && b[i + 1] == b':'
            && b.get(i + 2).is_some_and(u8::is_ascii_digit)
            && b.get(i + 3).is_some_and(u8::is_ascii_digit)
    })
}

#[cfg(test)]
mod tests {
    use super::own_text;

    #[test]
    fn quotes_and_attributions_of_each_client_go() {
        for (client, reply) in [
            (
                "Gmail",
                "1, 3 — исполнено\n\nOn Mon, Mar 14, 2027 at 10:00 AM karta <karta@region.ru>\nwrote:\n\n> Напоминание\n> 1. Отчёт\n",
            ),
            (
                "Gmail, Russian",
                "1, 3 — исполнено\n\nпн, 14 мар. 2027 г. в 10:00, karta <\nkarta@region.ru>:\n\n> Напоминание\n",
            ),
            ("Thunderbird", "1, 3 — исполнено\n\n14.03.2027 10:00, karta пишет:\n> Напоминание\n"),
            ("Yandex", "1, 3 — исполнено\n\n14.03.2027, 10:00, \"karta\" <karta@region.ru>:\nНапоминание\n1. Отчёт\n"),
            (
                "Mail.ru",
                "1, 3 — исполнено\n\n\nПонедельник, 14 марта 2027, 10:00 +03:00 от karta <karta@region.ru>:\n\nНапоминание\n",
            ),
            (
                "Outlook",
                "1, 3 — исполнено\r\n\r\n________________________________\r\nFrom: karta <karta@region.ru>\r\nSent: Monday, March 14, 2027 10:00 AM\r\nTo: Иванова\r\nSubject: Напоминание\r\n\r\n1. Отчёт\r\n",
            ),
            (
                "Outlook, Russian",
                "1, 3 — исполнено\n\nОт: karta <karta@region.ru>\nОтправлено: 14 марта 2027 г. 10:00\nКому: Иванова\nТема: Напоминание\n",
            ),
            ("Outlook, plain", "1, 3 — исполнено\n\n-----Original Message-----\nFrom: karta\n1. Отчёт\n"),
            (
                "Yandex, forward",
                "1, 3 — исполнено\n\n-------- Пересылаемое сообщение --------\n14.03.2027, 10:00, karta:\n",
            ),
            ("Gmail, forward", "1, 3 — исполнено\n\n---------- Forwarded message ---------\nFrom: karta\n"),
            (
                "Apple Mail",
                "1, 3 — исполнено\n\n> On 14 Mar 2027, at 10:00, karta <karta@region.ru> wrote:\n> Напоминание\n",
            ),
            ("Apple Mail, forward", "1, 3 — исполнено\n\nНачало переадресованного сообщения:\n\nОт: karta\n"),
        ] {
            assert_eq!(own_text(reply), "1, 3 — исполнено", "{client}");
        }
    }

    #[test]
    fn a_notice_quoted_without_marks_goes() {
        let notice = "Здравствуйте, Иванова И. И.!\n\nНа 14.03.2027 по дорожным картам 2 уведомления:\n\n\
                      1. Не исполнено в срок (3 дня просрочки) мероприятие\n   «Отчёт ИМЦ»\n\
                      2. Сегодня срок исполнения мероприятия\n   «Семинар»\n";
        assert_eq!(own_text(&format!("1 — исполнено\n2 — в работе\n\n{notice}")), "1 — исполнено\n2 — в работе");
        let one = "Здравствуйте!\n\nПросрочено на 3 дня мероприятие\n   «Отчёт ИМЦ»\n";
        assert_eq!(own_text(&format!("Здравствуйте!\nИсполнено\n{one}")), "Здравствуйте!\nИсполнено");
        assert_eq!(
            own_text("Не исполнено в срок, так как болел исполнитель"),
            "Не исполнено в срок, так как болел исполнитель"
        );
    }

    #[test]
    fn signatures_and_footers_go() {
        for (what, reply) in [
            ("dash-dash", "Исполнено\n-- \nИванова И. И.\nметодист ИМЦ"),
            ("dash-dash trimmed", "Исполнено\n--\nИванова"),
            ("С уважением", "Исполнено\n\nС уважением,\nИванова И. И."),
            ("Mail.ru mobile", "Исполнено\n\n\nОтправлено из мобильной Почты Mail.ru"),
            ("iPhone", "Исполнено\n\nОтправлено с iPhone"),
            ("iPhone, English", "Исполнено\n\nSent from my iPhone"),
            ("Yandex mobile", "Исполнено\n\n-- \nОтправлено из Яндекс Почты для мобильных"),
            (
                "Yandex mobile, no dashes",
                "Исполнено\nОтправлено из Яндекс Почты для мобильных\n\n14.03.2027, 10:00, karta <karta@region.ru>:",
            ),
            ("Outlook mobile", "Исполнено\n\nGet Outlook for Android"),
        ] {
            assert_eq!(own_text(reply), "Исполнено", "{what}");
        }
    }

    #[test]
    fn the_authors_lines_stay() {
        assert_eq!(
            own_text("\n\nДобрый день!\n\n1 — исполнено\n2 — в работе\n\n"),
            "Добрый день!\n\n1 — исполнено\n2 — в работе"
        );
        assert_eq!(own_text("Отправлено: отчёт в министерство"), "Отправлено: отчёт в министерство");
        assert_eq!(own_text("Исполнено 14.03 в 10:00\nИванова пишет:"), "Исполнено 14.03 в 10:00");
        assert_eq!(own_text("Исполнено. С уважением, Иванова"), "Исполнено.");
        assert_eq!(own_text(""), "");
        assert_eq!(own_text("> только цитата"), "");
    }
}

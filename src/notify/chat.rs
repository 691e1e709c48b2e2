//! Notices in messenger chats. The planned notices of one chat become one message in the HTML
//! subset both Telegram and MAX take (`templates/mail/message.chat.hbs`), split at paragraph and
//! line boundaries into parts within the API's length limit. Each part is a row of the outbox,
//! written together with the others in one transaction, so a chat gets exactly the messages
//! e-mail would: once, or after a crash between send and commit, once more.

use chrono::{DateTime, FixedOffset};

use super::mail::{self, ComposeError};
use crate::render::Templates;
use crate::store::{Outgoing, Stored};

/// A messenger karta posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Messenger {
    Telegram,
    Max,
}

impl Messenger {
    /// The messenger and chat of an outbox recipient written `telegram:ID` or `max:ID`; `None`
    /// for an e-mail address.
    pub fn of(recipient: &str) -> Option<(Messenger, &str)> {
        let (scheme, chat) = recipient.split_once(':')?;
        let messenger = match scheme {
            "telegram" => Messenger::Telegram,
            "max" => Messenger::Max,
            _ => return None,
        };
        Some((messenger, chat))
    }

    /// The outbox recipient of chat `chat`.
    pub fn address(self, chat: &str) -> String {
        format!("{}:{chat}", self.scheme())
    }

    pub fn scheme(self) -> &'static str {
        match self {
            Messenger::Telegram => "telegram",
            Messenger::Max => "max",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Messenger::Telegram => "Telegram",
            Messenger::Max => "MAX",
        }
    }

    /// The longest text one message may carry: Telegram's `sendMessage` takes 4,096 characters,
    /// MAX's `NewMessageBody.text` 4,000 (its OpenAPI document's `maxLength`).
    pub fn limit(self) -> usize {
        match self {
            Messenger::Telegram => 4096,
            Messenger::Max => 4000,
        }
    }
}

/// The messages carrying `notices` (all for one chat) at `now`: one per part.
pub fn compose(
    templates: &Templates,
    config: &super::Config,
    notices: &[&Stored],
    now: DateTime<FixedOffset>,
) -> Result<Vec<Outgoing>, ComposeError> {
    let first = notices.first().ok_or_else(|| ComposeError::Build("нет уведомлений".into()))?;
    let recipient = first.notice.recipient.clone();
    let (messenger, _) = Messenger::of(&recipient)
        .ok_or_else(|| ComposeError::Address { address: recipient.clone(), why: "это не чат".into() })?;
    let text = templates.mail("chat", &mail::data(notices, config.links.as_deref()))?;
    let parts = split(&tidy(&text), messenger.limit());
    let subject = mail::subject(notices);
    let id = mail::message_id(notices, &format!("{}.karta", messenger.scheme()));
    let count = parts.len();
    Ok(parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| Outgoing {
            // Parts sort in order: the outbox sends a recipient's messages by creation, then id.
            message_id: if count == 1 { id.clone() } else { id.replacen('@', &format!(".{:03}@", i + 1), 1) },
            recipient: recipient.clone(),
            subject: if count == 1 { subject.clone() } else { format!("{subject} ({}/{count})", i + 1) },
            eml: part.into_bytes(),
            attempts: 0,
            created: now,
            answers: None,
        })
        .collect())
}

/// The rendered text without trailing spaces and with at most one empty line in a row.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut empty = 0;
    for line in text.trim().lines().map(str::trim_end) {
        empty = if line.is_empty() { empty + 1 } else { 0 };
        if empty < 2 {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.trim_end().to_string()
}

/// The length the APIs count: UTF-16 code units (Telegram's own measure; for text in Cyrillic,
/// characters). Tags and entities are counted too, so a part is never over the limit once they
/// are parsed away.
fn length(text: &str) -> usize {
    text.encode_utf16().count()
}

/// `text` in parts of at most `limit`, cut between paragraphs where it can, else between lines;
/// a line longer than the limit on its own loses its markup and is cut between characters (never
/// inside an entity). The template keeps each tag within a line.
pub fn split(text: &str, limit: usize) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut put = |piece: &str, joint: &str, parts: &mut Vec<String>| {
        if current.is_empty() {
            current.push_str(piece);
        } else if length(&current) + length(joint) + length(piece) <= limit {
            current.push_str(joint);
            current.push_str(piece);
        } else {
            parts.push(std::mem::replace(&mut current, piece.to_string()));
        }
    };
    for paragraph in text.split("\n\n") {
        if length(paragraph) <= limit {
            put(paragraph, "\n\n", &mut parts);
            continue;
        }
        let mut joint = "\n\n";
        for line in paragraph.split('\n') {
            if length(line) <= limit {
                put(line, joint, &mut parts);
            } else {
                for piece in cut(&plain(line), limit) {
                    put(&piece, joint, &mut parts);
                }
            }
            joint = "\n";
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// A line without its tags (its entities kept).
fn plain(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_tag = false;
    for c in line.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Plain text in pieces of at most `limit`, each cut before an entity rather than inside it.
fn cut(text: &str, limit: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut units = 0;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        // An entity (`&amp;`, `&#39;`) moves as one.
        let token = match c {
            '&' => rest.find(';').filter(|&end| end <= 10).map_or(&rest[..1], |end| &rest[..=end]),
            c => &rest[..c.len_utf8()],
        };
        let size = length(token);
        if units + size > limit && !piece.is_empty() {
            pieces.push(std::mem::take(&mut piece));
            units = 0;
        }
        piece.push_str(token);
        units += size;
        rest = &rest[token.len()..];
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether every tag opened in `part` is closed in it.
    fn balanced(part: &str) -> bool {
        let mut open: Vec<String> = Vec::new();
        let mut rest = part;
        while let Some(start) = rest.find('<') {
            let Some(end) = rest[start..].find('>') else { return false };
            let tag = &rest[start + 1..start + end];
            match tag.strip_prefix('/') {
                Some(name) => {
                    if open.pop().as_deref() != Some(name) {
                        return false;
                    }
                }
                None => open.push(tag.split_whitespace().next().unwrap_or_default().to_string()),
            }
            rest = &rest[start + end + 1..];
        }
        open.is_empty()
    }

    #[test]
    fn recipients_name_their_messenger() {
        assert_eq!(Messenger::of("telegram:-1001234567890"), Some((Messenger::Telegram, "-1001234567890")));
        assert_eq!(Messenger::of("max:-69312345678"), Some((Messenger::Max, "-69312345678")));
        assert_eq!(Messenger::of("uo@lazo.example"), None);
        assert_eq!(Messenger::Telegram.address("@uo_lazo"), "telegram:@uo_lazo");
    }

    #[test]
    fn a_short_message_is_one_part() {
        assert_eq!(split("<b>Сегодня срок</b>\n«Отчёт»", 4096), vec!["<b>Сегодня срок</b>\n«Отчёт»"]);
    }

    #[test]
    fn long_digests_split_between_paragraphs_and_lines_within_the_limit() {
        let item = |i: usize| {
            format!(
                "{i}. <b>Просрочено</b> мероприятие\n«{}»\n<a href=\"https://k/o/{i}\">Открыть</a>",
                "Отчёт ".repeat(i % 7 + 1)
            )
        };
        let text: String = (1..=300).map(item).collect::<Vec<_>>().join("\n\n");
        for limit in [4096, 4000, 500, 120] {
            let parts = split(&text, limit);
            assert!(parts.len() > 1, "{limit}: one part");
            for part in &parts {
                assert!(length(part) <= limit, "{limit}: a part of {} units", length(part));
                assert!(balanced(part), "{limit}: a tag cut in {part:?}");
            }
            // Nothing lost, nothing added: the parts joined are the text.
            let joined: String = parts.join("\n");
            let squeeze = |s: &str| s.split_whitespace().collect::<String>();
            assert_eq!(squeeze(&joined), squeeze(&text), "{limit}");
        }
    }

    #[test]
    fn a_line_over_the_limit_is_cut_between_characters_never_inside_an_entity() {
        let line = format!("<b>{}</b>", "Отчёт &amp; план &#39;а&#39; ".repeat(40));
        let parts = split(&line, 100);
        assert!(parts.len() > 5);
        for part in &parts {
            assert!(length(part) <= 100);
            assert!(!part.contains('<'), "markup left in {part:?}");
            let amp = part.matches('&').count();
            assert_eq!(amp, part.matches(';').count(), "an entity cut in {part:?}");
        }
        assert_eq!(parts.concat(), plain(&line));
    }

    #[test]
    fn tidy_keeps_one_empty_line() {
        assert_eq!(tidy("\n  a  \n\n\n\nb\n\n"), "a\n\nb");
    }
}

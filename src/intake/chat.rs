//! Replies in messenger chats: what someone writes in a chat the bot is in becomes the events
//! the web form would record, or one answer in the chat saying why nothing was — as a reply by
//! e-mail does ([`super::take`]). The notice is the message the chat message replies to (the
//! messenger's id of each message karta posted is kept); the writer is whoever is linked to the
//! messenger's user: an account of the web app, linked by a one-time code the account's holder
//! gets on their page («Мессенджеры», `/me/chats`) and sends to the bot (or opens the bot's
//! start link carrying it). What an account may report on is what it may report on in the web
//! app ([`crate::access`]).
//!
//! Each chat message is handled once: its mark, its events or link, and the bot's answer are one
//! transaction. Chatter in a group that replies to nothing of karta's is left alone, unanswered.

use chrono::{DateTime, FixedOffset};
use sha2::Digest as _;

use super::decide::{self, Said};
use super::{Ground, IntakeError};
use crate::inbox::Refusal;
use crate::notify::ChatMessage;
use crate::store::{ChatLink, Handled, Linking, Outcome, Outgoing, Store, User};

/// How long a linking code is good for, in minutes.
pub const CODE_MINUTES: i64 = 15;

/// The letters of a linking code: no 0/O, no 1/I, so that it reads back as written.
const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// What became of one chat message.
#[derive(Debug, Clone, PartialEq)]
pub enum Heard {
    /// The writer is now linked to this account (its login).
    Linked(String),
    /// Recorded: the events' ids and how many move requests; a confirmation is queued.
    Recorded { events: Vec<i64>, moves: usize },
    /// Nothing recorded; the answer is queued.
    Answered(Refusal),
    /// Not for karta (talk in a group): nothing done, nothing answered.
    Ignored,
    /// Handled before: nothing done again.
    Repeat,
}

/// A new linking code, as shown to its account's holder (`ABCD-EFGH`), and the digest the store
/// keeps of it.
pub fn new_code() -> Result<(String, String), crate::inbox::TokenError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|_| crate::inbox::TokenError::NoRandomness)?;
    let letters: String = bytes.iter().map(|b| ALPHABET[usize::from(b % 32)] as char).collect();
    let shown = format!("{}-{}", &letters[..4], &letters[4..]);
    Ok((shown, code_digest(&letters)))
}

/// The digest of a code as typed (any case, with or without the hyphen and spaces).
fn code_digest(code: &str) -> String {
    let bare: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    let digest = sha2::Sha256::digest(format!("karta-link\n{bare}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The linking code a message carries: the whole text (after `/start`, as a start link sends
/// it) is eight letters of the code's alphabet, a hyphen or spaces between.
fn code_in(text: &str) -> Option<&str> {
    let mut text = text.trim();
    if let Some(rest) = text.strip_prefix("/start") {
        // `/start CODE`, or `/start@bot CODE` in a group.
        text = rest.trim_start_matches(|c: char| c != ' ').trim();
    }
    let letters: Vec<char> = text.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    let fits = letters.len() == 8 && letters.iter().all(|c| ALPHABET.contains(&(c.to_ascii_uppercase() as u8)));
    fits.then_some(text)
}

/// Handles one chat message.
pub fn hear(ground: &Ground<'_>, store: &mut dyn Store, message: &ChatMessage) -> Result<Heard, IntakeError> {
    if store.handled(&message.key)? {
        return Ok(Heard::Repeat);
    }
    let messenger = message.messenger;
    let mark = |outcome, detail: String| Handled {
        message_id: message.key.clone(),
        sender: format!("{}:{} {}", messenger.scheme(), message.user, message.name).trim_end().to_string(),
        outcome,
        detail,
        at: ground.now,
    };
    if let Some(code) = code_in(&message.text) {
        let link = ChatLink {
            messenger: messenger.scheme().to_string(),
            chat_user: message.user.clone(),
            name: message.name.clone(),
            linked_at: ground.now.to_rfc3339(),
        };
        let linked = mark(Outcome::Recorded, format!("привязка {} {}", messenger.name(), message.user));
        let mut answer = |user: Option<&User>| match user {
            Some(user) => answer(message, &linked_text(messenger.name(), user), ground.now),
            None => answer(message, &crate::inbox::chat_answer(&Refusal::BadCode), ground.now),
        };
        return Ok(match store.link_chat(&code_digest(code), &link, &linked, &mut answer)? {
            Linking::Linked(user) => Heard::Linked(user.login),
            Linking::BadCode => Heard::Answered(Refusal::BadCode),
            Linking::Repeat => Heard::Repeat,
        });
    }
    let notice = match &message.replies_to {
        Some(post) => store.posted_as(&messenger.address(&message.chat), post)?,
        None => None,
    };
    let sent = match notice {
        Some(id) => store.sent_as(&first_part(&id))?,
        None => None,
    };
    let Some(sent) = sent else {
        if !message.private {
            return Ok(Heard::Ignored);
        }
        return refuse(store, message, mark(Outcome::Answered, String::new()), Refusal::NotAReply, ground.now);
    };
    let Some(user) = store.chat_account(messenger.scheme(), &message.user)? else {
        let refusal = Refusal::Unlinked { messenger: messenger.name().to_string() };
        return refuse(store, message, mark(Outcome::Answered, String::new()), refusal, ground.now);
    };
    let issued = sent.notices.first().map_or(ground.now.date_naive(), |n| n.day);
    let may = |o: &crate::compile::Occurrence| {
        crate::access::may_report(&user, &ground.workspace.units[o.unit], o)
            || user.email.as_deref().is_some_and(|e| decide::may_report(ground, o, e))
    };
    let said = Said {
        text: &message.text,
        author: &user.login,
        may: &may,
        stranger: Refusal::NotAllowed { login: user.login.clone() },
        // In the roadmaps' offset, as the web form records: the messengers give UTC.
        written: message.at.map(|t| t.with_timezone(&ground.now.timezone())),
        dropped: &[],
        forwarded: false,
    };
    match decide::statements(ground, &said, &sent, issued) {
        Err(refusal) => refuse(store, message, mark(Outcome::Answered, String::new()), refusal, ground.now),
        Ok(decided) => {
            let detail = decided.describe();
            let confirmation = answer(message, &format!("Записано: {detail}."), ground.now);
            let marked = mark(Outcome::Recorded, detail);
            Ok(match store.handle(&marked, &decided.events, &decided.moves, Some(&confirmation))? {
                Some(events) => Heard::Recorded { events, moves: decided.moves.len() },
                None => Heard::Repeat,
            })
        }
    }
}

/// Marks a refused message handled, with its answer queued.
fn refuse(
    store: &mut dyn Store,
    message: &ChatMessage,
    mut mark: Handled,
    refusal: Refusal,
    now: DateTime<FixedOffset>,
) -> Result<Heard, IntakeError> {
    mark.detail = crate::diag::Explain::explain(&refusal).ru;
    let reply = answer(message, &crate::inbox::chat_answer(&refusal), now);
    Ok(match store.handle(&mark, &[], &[], Some(&reply))? {
        Some(_) => Heard::Answered(refusal),
        None => Heard::Repeat,
    })
}

/// What the bot says when a chat user is linked.
fn linked_text(messenger: &str, user: &User) -> String {
    format!(
        "Готово: {messenger} привязан к учётной записи karta «{}» ({}). Теперь на уведомления karta \
         можно отвечать прямо здесь: «исполнено» или «1, 3 — исполнено» в ответ на сообщение.",
        user.name, user.login
    )
}

/// The bot's answer to `message` with `text`, as a reply to it. Its Message-ID follows from the
/// message's key, so the same answer is the same outbox row.
fn answer(message: &ChatMessage, text: &str, now: DateTime<FixedOffset>) -> Outgoing {
    let scheme = message.messenger.scheme();
    Outgoing {
        message_id: format!("<{:032x}@answer.{scheme}.karta>", crate::digest::of(&format!("answer\n{}", message.key))),
        recipient: message.messenger.address(&message.chat),
        subject: "Ответ karta".into(),
        eml: crate::render::helpers::escape_html(text).into_bytes(),
        attempts: 0,
        created: now,
        answers: message.post.clone(),
    }
}

/// The Message-ID under which a message's notices are kept: its first part's (the parts of a long
/// chat message are `….001@…`, `….002@…`).
fn first_part(message_id: &str) -> String {
    match message_id.split_once('@') {
        Some((local, domain)) => match local.rsplit_once('.') {
            Some((stem, n)) if n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()) => format!("{stem}.001@{domain}"),
            _ => message_id.to_string(),
        },
        None => message_id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_typed() {
        let (shown, digest) = new_code().expect("randomness");
        assert_eq!(shown.len(), 9);
        for typed in [shown.clone(), shown.to_lowercase(), shown.replace('-', " "), format!("/start {shown}")] {
            let code = code_in(&typed).unwrap_or_else(|| panic!("{typed} is a code"));
            assert_eq!(code_digest(code), digest, "{typed}");
        }
        assert_eq!(code_in(&format!("/start@karta_bot {shown}")).map(code_digest), Some(digest));
        for not in ["исполнено", "1, 3 — исполнено", "ABCD-EFG", "ABCD-EFGH1", "ABCD-EFG0", ""] {
            assert_eq!(code_in(not), None, "{not}");
        }
    }

    #[test]
    fn a_part_leads_to_the_first() {
        assert_eq!(first_part("<abc.002@telegram.karta>"), "<abc.001@telegram.karta>");
        assert_eq!(first_part("<abc.001@telegram.karta>"), "<abc.001@telegram.karta>");
        assert_eq!(first_part("<abc@telegram.karta>"), "<abc@telegram.karta>");
        assert_eq!(first_part("<v1.2024@x>"), "<v1.2024@x>");
    }
}

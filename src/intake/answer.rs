//! The answer to a refused reply: one short message in Russian ([`crate::inbox::answer`]) to
//! the sender, in the thread of their reply, marked `Auto-Submitted: auto-replied` (RFC 3834)
//! so that a well-behaved robot on the other side never answers it back.

use chrono::{DateTime, FixedOffset};
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, SinglePart};

use crate::inbox::{Refusal, answer, answer_subject};
use crate::store::Outgoing;

/// What is answered: the sender, the subject and the Message-ID of their message, and what it
/// is known by among the messages handled (its Message-ID, else a digest of its bytes).
pub struct Reply<'a> {
    pub key: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub message_id: Option<&'a str>,
}

/// Why an answer could not be composed (an address lettre does not take).
#[derive(Debug, thiserror::Error)]
#[error("не удалось составить ответ на {to}: {why}")]
pub struct AnswerError {
    pub to: String,
    pub why: String,
}

/// `Auto-Submitted: auto-replied`.
#[derive(Clone)]
struct AutoReplied;

impl Header for AutoReplied {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoReplied)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-replied".into())
    }
}

/// The answer from `from` to `reply`, saying why it was refused, composed at `now`. Its
/// Message-ID follows from the answered message's key, so the same refusal is the same message.
pub fn compose(
    from: &str,
    reply: &Reply<'_>,
    refusal: &Refusal,
    now: DateTime<FixedOffset>,
) -> Result<Outgoing, AnswerError> {
    let failed = |why: String| AnswerError { to: reply.to.to_string(), why };
    let sender: Mailbox = from.parse().map_err(|e: lettre::address::AddressError| failed(e.to_string()))?;
    let sender = if sender.name.is_none() { Mailbox::new(Some("karta".into()), sender.email) } else { sender };
    let to: Mailbox = reply.to.parse().map_err(|e: lettre::address::AddressError| failed(e.to_string()))?;
    let domain = sender.email.domain().to_string();
    let seed = format!("answer\n{}\n{}", reply.key, reply.to);
    let id = format!("<{:032x}@{domain}>", crate::digest::of(&seed));
    let subject = answer_subject(reply.subject);
    let mut builder = lettre::Message::builder()
        .from(sender)
        .to(to)
        .subject(subject.clone())
        .message_id(Some(id.clone()))
        .date(std::time::SystemTime::from(now))
        .header(AutoReplied);
    if let Some(answered) = reply.message_id {
        let answered = format!("<{}>", answered.trim_start_matches('<').trim_end_matches('>'));
        builder = builder.in_reply_to(answered.clone()).references(answered);
    }
    let message = builder.singlepart(SinglePart::plain(answer(refusal))).map_err(|e| failed(e.to_string()))?;
    Ok(Outgoing {
        message_id: id,
        recipient: reply.to.to_string(),
        subject,
        eml: message.formatted(),
        attempts: 0,
        created: now,
        answers: None,
    })
}

//! What replies to notices need from the store: the secrets karta keeps for itself (the reply
//! tokens' key), the message a notice went out in (by the notice's number in a token, or by the
//! Message-ID a reply's In-Reply-To or References names), and the incoming messages already
//! handled. Handling a message is one transaction: its events, its move requests, its answer
//! for the outbox and the mark that it is handled are written together or not at all, so a
//! message delivered twice, or handled again after a crash, records nothing twice.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::{Outgoing, StoreError};
use crate::track::NewEvent;

/// A message karta sent, with the notices it carried in the order its body numbers them.
#[derive(Debug, Clone)]
pub struct Sent {
    /// As sent: `<…@…>`.
    pub message_id: String,
    pub recipient: String,
    /// Numbered 1…n in the message's body, in this order.
    pub notices: Vec<Item>,
}

/// One numbered item of a sent message: what a reply naming it is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The occurrence the notice was about (none for a digest or a move request).
    pub occurrence: Option<String>,
    /// The notice's day (the message's, for all its items).
    pub day: NaiveDate,
}

/// What became of an incoming message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Its report or request is recorded.
    Recorded,
    /// Nothing recorded; an answer says why.
    Answered,
    /// Nothing recorded, nothing answered: mail from a robot.
    Ignored,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Recorded => "recorded",
            Outcome::Answered => "answered",
            Outcome::Ignored => "ignored",
        }
    }
}

/// The mark that an incoming message is handled.
#[derive(Debug, Clone)]
pub struct Handled {
    /// Its Message-ID without angle brackets (a digest of its bytes when it has none).
    pub message_id: String,
    pub sender: String,
    pub outcome: Outcome,
    /// What was recorded, or why nothing was.
    pub detail: String,
    pub at: DateTime<FixedOffset>,
}

/// A request to move a deadline, made by a reply.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMove {
    pub occurrence: String,
    pub to: NaiveDate,
    pub reason: String,
    pub by: String,
}

/// The store's side of replies.
pub trait Inbox {
    /// The secret `name`; when there is none yet, `fresh` is stored and returned. Two processes
    /// that both find none get the same answer: whichever was stored first.
    fn secret(&mut self, name: &str, fresh: &str) -> Result<String, StoreError>;
    /// The message that carried notice `notice`, when it has been written.
    fn sent_with(&self, notice: i64) -> Result<Option<Sent>, StoreError>;
    /// The message karta sent as `message_id` (with or without angle brackets).
    fn sent_as(&self, message_id: &str) -> Result<Option<Sent>, StoreError>;
    /// Whether the incoming message `message_id` is handled already.
    fn handled(&self, message_id: &str) -> Result<bool, StoreError>;
    /// Writes what an incoming message makes and marks it handled, in one transaction. Returns
    /// the events' ids, or `None` (and writes nothing) when it was handled already.
    fn handle(
        &mut self,
        mark: &Handled,
        events: &[NewEvent],
        moves: &[NewMove],
        answer: Option<&Outgoing>,
    ) -> Result<Option<Vec<i64>>, StoreError>;
}

/// A Message-ID as karta writes them: in angle brackets.
pub(super) fn bracketed(message_id: &str) -> String {
    let bare = message_id.trim().trim_start_matches('<').trim_end_matches('>');
    format!("<{bare}>")
}

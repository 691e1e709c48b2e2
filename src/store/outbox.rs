//! The durable outbox: notices planned once per idempotency key, and the messages that carry
//! them, kept in the same store as the events. Each step is one transaction:
//! plan (insert new keys) → compose (write the message, tie its notices to it) → deliver
//! (mark sent, or schedule a retry, or give up). A backend must keep each step all-or-nothing
//! and must never plan the same key twice.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use super::StoreError;

/// A notice to plan: who gets told what about which occurrence, for which local day.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    /// occurrence | rule | recipient | date: the same notice is never planned twice.
    pub key: String,
    pub rule: String,
    pub occurrence: Option<String>,
    pub roadmap: String,
    pub recipient: String,
    pub name: String,
    pub tz: String,
    pub day: NaiveDate,
    pub expires: NaiveDate,
    /// What the message says about it (JSON, written once when planned).
    pub payload: Box<serde_json::value::RawValue>,
}

impl Notice {
    /// The payload, parsed (`null` if it does not parse: it was written by karta as JSON).
    pub fn details(&self) -> serde_json::Value {
        serde_json::from_str(self.payload.get()).unwrap_or_default()
    }
}

/// A notice as stored, with where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct Stored {
    pub id: i64,
    #[serde(flatten)]
    pub notice: Notice,
    pub state: String,
    pub message_id: Option<String>,
    pub planned_at: String,
    pub closed_at: Option<String>,
    pub why: Option<String>,
}

/// A composed message waiting to go out (or going out again after a crash).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub message_id: String,
    pub recipient: String,
    pub subject: String,
    pub eml: Vec<u8>,
    pub attempts: i64,
    pub created: DateTime<FixedOffset>,
    /// In a chat: the messenger's id of the message this one answers (shown as a reply to it).
    pub answers: Option<String>,
}

/// What became of a message handed to the transport.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// Sent; a messenger's id of the posted message, which replies to it will name.
    Sent { post: Option<String> },
    /// Not sent; try again at `at`.
    Retry { at: DateTime<FixedOffset>, error: String },
    /// Not sent, and given up.
    Failed { error: String },
}

impl Delivery {
    /// A failed send: retried at `retry`, or given up without one.
    pub fn failed(error: &str, retry: Option<DateTime<FixedOffset>>) -> Delivery {
        match retry {
            Some(at) => Delivery::Retry { at, error: error.to_string() },
            None => Delivery::Failed { error: error.to_string() },
        }
    }
}

/// The outbox's steps, each one transaction.
pub trait Outbox {
    /// Plans notices; those whose key is already known are left alone. Returns how many are new.
    fn plan_notices(&mut self, notices: &[Notice], now: DateTime<FixedOffset>) -> Result<usize, StoreError>;
    /// Notices not yet composed into a message.
    fn planned(&self) -> Result<Vec<Stored>, StoreError>;
    /// Every notice, in the order planned.
    fn notices(&self) -> Result<Vec<Stored>, StoreError>;
    /// Cancels planned notices (a report arrived, or the day they were for has passed).
    fn cancel_notices(&mut self, ids: &[(i64, String)], now: DateTime<FixedOffset>) -> Result<(), StoreError>;
    /// Gives up planned notices that cannot be composed (a bad address, a broken template).
    fn fail_notices(&mut self, ids: &[i64], why: &str, now: DateTime<FixedOffset>) -> Result<(), StoreError>;
    /// Writes a message and ties its notices to it, in one transaction: from here on the notices
    /// go out exactly in this message.
    fn compose(&mut self, message: &Outgoing, notices: &[i64]) -> Result<(), StoreError> {
        self.compose_parts(std::slice::from_ref(message), notices)
    }
    /// Writes the parts of one message (a long chat message split within the API's limit) and
    /// ties the notices to the first, all in one transaction: all parts go out, or none is written.
    fn compose_parts(&mut self, parts: &[Outgoing], notices: &[i64]) -> Result<(), StoreError>;
    /// Messages to send at `now`: new ones, retries whose time has come, and any a crash left
    /// between writing and marking sent.
    fn outgoing(&self, now: DateTime<FixedOffset>) -> Result<Vec<Outgoing>, StoreError>;
    /// The message went out (posted as `post`, in a chat): it and its notices are sent.
    fn delivered(&mut self, message_id: &str, post: Option<&str>, now: DateTime<FixedOffset>)
    -> Result<(), StoreError>;
    /// A send failed: retry at `retry` or, without one, give up (message and notices failed).
    fn undelivered(
        &mut self,
        message_id: &str,
        error: &str,
        retry: Option<DateTime<FixedOffset>>,
        now: DateTime<FixedOffset>,
    ) -> Result<(), StoreError>;
    /// Sends the messages due at `now`, one at a time, through `deliver`, and records each
    /// outcome before the next. A backend shared by several processes must make sure two
    /// senders never take the same message; this default suits a store one process owns.
    fn send_due(
        &mut self,
        now: DateTime<FixedOffset>,
        deliver: &mut dyn FnMut(&Outgoing) -> Delivery,
    ) -> Result<Vec<(Outgoing, Delivery)>, StoreError> {
        let mut done = Vec::new();
        for message in self.outgoing(now)? {
            let outcome = deliver(&message);
            match &outcome {
                Delivery::Sent { post } => self.delivered(&message.message_id, post.as_deref(), now)?,
                Delivery::Retry { at, error } => self.undelivered(&message.message_id, error, Some(*at), now)?,
                Delivery::Failed { error } => self.undelivered(&message.message_id, error, None, now)?,
            }
            done.push((message, outcome));
        }
        Ok(done)
    }
    /// How many notices are in each state.
    fn notice_counts(&self) -> Result<Vec<(String, i64)>, StoreError>;
    /// The last error of a message.
    fn message_error(&self, message_id: &str) -> Result<Option<String>, StoreError>;
}

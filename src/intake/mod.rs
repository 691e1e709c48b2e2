//! Replies to notices, taken in: one incoming message becomes the events the web form would
//! record, or one answer in Russian saying why nothing was. The message is read and its text
//! decided by [`crate::inbox`]; here the notice it answers is found in the store (by the reply
//! token, else by In-Reply-To and References), the sender is checked against the directory and
//! DMARC, each decision is checked by [`crate::track::check`] like the web form's, and the
//! outcome is written in one transaction with the mark that the message is handled
//! ([`crate::store::Inbox::handle`]): a message handled twice records nothing twice.
//!
//! This module must not send mail itself: an answer is a row of the durable outbox, sent by
//! whoever sends the outbox (`karta inbox` right after, or the next `remind` pass). It never
//! answers a robot (RFC 3834: auto-replies, bounces, lists, karta itself).

mod answer;
pub mod chat;
mod decide;
mod evidence;
pub mod mailbox;

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

use crate::check::Workspace;
use crate::compile::Plan;
use crate::inbox::{Incoming, Key, Refusal, Robot, Settings, message};
use crate::store::{Handled, Outcome, Store, StoreError};
use crate::track::Report;

/// `[inbox]` in karta.toml; `KARTA_INBOX_ADDRESS` and `KARTA_INBOX_KEY` override it.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The mailbox replies come to (`karta@region.ru`). With it set, every notice carries a
    /// reply token in its Reply-To (`karta+TOKEN@region.ru`).
    pub address: Option<String>,
    /// The reply tokens' key in hexadecimal (at least 16 bytes). Without it, a key is generated
    /// on first use and kept in the store.
    pub key: Option<String>,
    /// How many days a reply token is good for.
    pub token_days: u32,
    /// The receiving server's `authserv-id`: only its `Authentication-Results` are believed.
    pub authserv_id: Option<String>,
    /// Where files attached to replies are kept as evidence (the web app's `[web] uploads`
    /// when none, so that its pages link to them).
    pub evidence: Option<PathBuf>,
    /// The mailbox `karta inbox` reads: `imaps://USER:PASSWORD@HOST/FOLDER`; `KARTA_IMAP_URL`
    /// overrides it (better: the password stays out of the file).
    pub imap_url: Option<String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            address: None,
            key: None,
            token_days: crate::inbox::token::DEFAULT_DAYS,
            authserv_id: None,
            evidence: None,
            imap_url: None,
        }
    }
}

/// What a reply is checked against: the roadmaps and their state at `now`.
pub struct Ground<'a> {
    pub workspace: &'a Workspace,
    pub plan: &'a Plan,
    pub report: &'a Report<'a>,
    pub now: DateTime<FixedOffset>,
}

/// What handling a message needs: the ground, the mailbox's settings, the tokens' key and
/// where evidence goes.
pub struct Intake<'a> {
    pub ground: Ground<'a>,
    pub settings: Settings,
    pub key: Key,
    pub token_days: u32,
    pub evidence: PathBuf,
    /// The sender of answers (`[notify] from`).
    pub from: String,
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Taken {
    /// Recorded: the events' ids and how many move requests.
    Recorded { events: Vec<i64>, moves: usize },
    /// Nothing recorded; the answer is queued in the outbox.
    Answered(Refusal),
    /// Mail from a robot: nothing recorded, nothing answered.
    Ignored(Robot),
    /// Mail with no address an answer can go to (none readable, or one no answer can be
    /// written to): nothing recorded, nothing answered.
    Unanswerable,
    /// Handled before (the same Message-ID): nothing done again.
    Repeat,
}

/// Why a message could not be handled: the store failed. Nothing of it is recorded; the mail
/// server (or the next pass) should try again.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("не удалось сохранить вложение {path}: {source}")]
    Evidence { path: PathBuf, source: std::io::Error },
}

impl crate::diag::Explain for IntakeError {
    fn explain(&self) -> crate::diag::Message {
        match self {
            IntakeError::Store(e) => e.explain(),
            IntakeError::Evidence { path, source } => {
                let why = crate::diag::os_error(source);
                crate::msg!("не удалось сохранить вложение {}: {}", path.display(), why.ru;
                    "cannot keep the attachment {}: {}", path.display(), why.en)
            }
        }
    }
}

/// Handles one message: records what it reports, or queues one answer, or ignores it.
pub fn take(intake: &Intake<'_>, store: &mut dyn Store, raw: &[u8]) -> Result<Taken, IntakeError> {
    let incoming = match message::read(raw, &intake.settings) {
        Ok(incoming) => incoming,
        Err(unreadable) => {
            if let Some(robot) = unreadable.robot {
                return ignore(intake, store, raw, unreadable.message_id.as_deref(), "", robot);
            }
            let Some(from) = unreadable.from else { return Ok(Taken::Unanswerable) };
            let id = handled_id(unreadable.message_id.as_deref(), raw);
            let reply =
                answer::Reply { key: &id, to: &from, subject: "", message_id: unreadable.message_id.as_deref() };
            return refuse(intake, store, &id, &reply, Refusal::Unreadable(unreadable.flaw));
        }
    };
    if let Some(robot) = incoming.robot {
        return ignore(intake, store, raw, incoming.message_id.as_deref(), &incoming.from, robot);
    }
    let id = handled_id(incoming.message_id.as_deref(), raw);
    if store.handled(&id)? {
        return Ok(Taken::Repeat);
    }
    let reply = answer::Reply {
        key: &id,
        to: &incoming.from,
        subject: &incoming.subject,
        message_id: incoming.message_id.as_deref(),
    };
    match decide::decide(intake, store, &incoming)? {
        Err(refusal) => refuse(intake, store, &id, &reply, refusal),
        Ok(decided) => record(intake, store, &id, &incoming, decided),
    }
}

/// Writes the reply's files, then its events and move requests with the handled mark.
fn record(
    intake: &Intake<'_>,
    store: &mut dyn Store,
    id: &str,
    incoming: &Incoming,
    mut decided: decide::Decided,
) -> Result<Taken, IntakeError> {
    let kept = evidence::keep(&intake.evidence, &incoming.attachments)?;
    for event in &mut decided.events {
        event.evidence.extend(kept.iter().map(|k| k.link.clone()));
    }
    let mark = Handled {
        message_id: id.to_string(),
        sender: incoming.from.clone(),
        outcome: Outcome::Recorded,
        detail: decided.describe(),
        at: intake.ground.now,
    };
    match store.handle(&mark, &decided.events, &decided.moves, None) {
        Ok(Some(events)) => Ok(Taken::Recorded { events, moves: decided.moves.len() }),
        // Another process handled it meanwhile, or the write failed: its files go.
        Ok(None) => {
            evidence::discard(&kept);
            Ok(Taken::Repeat)
        }
        Err(e) => {
            evidence::discard(&kept);
            Err(e.into())
        }
    }
}

/// Queues the answer to a refused message, with the handled mark.
fn refuse(
    intake: &Intake<'_>,
    store: &mut dyn Store,
    id: &str,
    reply: &answer::Reply<'_>,
    refusal: Refusal,
) -> Result<Taken, IntakeError> {
    let why = crate::diag::Explain::explain(&refusal).ru;
    let mark = |outcome, detail| Handled {
        message_id: id.to_string(),
        sender: reply.to.to_string(),
        outcome,
        detail,
        at: intake.ground.now,
    };
    match answer::compose(&intake.from, reply, &refusal, intake.ground.now) {
        Ok(message) => Ok(match store.handle(&mark(Outcome::Answered, why), &[], &[], Some(&message))? {
            Some(_) => Taken::Answered(refusal),
            None => Taken::Repeat,
        }),
        // An address no answer can go to: handled all the same, or it would come back forever.
        Err(e) => {
            tracing::warn!(error = %e, "cannot answer");
            store.handle(&mark(Outcome::Ignored, format!("{why}; {e}")), &[], &[], None)?;
            Ok(Taken::Unanswerable)
        }
    }
}

/// Marks a robot's message handled, answering nothing.
fn ignore(
    intake: &Intake<'_>,
    store: &mut dyn Store,
    raw: &[u8],
    message_id: Option<&str>,
    from: &str,
    robot: Robot,
) -> Result<Taken, IntakeError> {
    let mark = Handled {
        message_id: handled_id(message_id, raw),
        sender: from.to_string(),
        outcome: Outcome::Ignored,
        detail: format!("{robot:?}"),
        at: intake.ground.now,
    };
    store.handle(&mark, &[], &[], None)?;
    Ok(Taken::Ignored(robot))
}

/// What a message is known by among those handled: its Message-ID, else a digest of its bytes.
fn handled_id(message_id: Option<&str>, raw: &[u8]) -> String {
    match message_id.map(str::trim).filter(|m| !m.is_empty()) {
        Some(id) => id.trim_start_matches('<').trim_end_matches('>').to_string(),
        None => {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(raw);
            format!("sha256:{}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
        }
    }
}

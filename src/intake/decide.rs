//! What a reply makes, decided before anything is written: the notice it answers (its token,
//! else its thread), whether its sender may report on it, and the events and move requests its
//! statements become, each checked like the web form's request at the same instant. The first
//! thing that does not hold refuses the whole reply: half a reply is never recorded.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::{Ground, Intake};
use crate::compile::Occurrence;
use crate::inbox::{Claim, Context, Decision, Dmarc, Dropped, Incoming, Refusal, TokenError, Unclear, reply, token};
use crate::store::{NewMove, Sent, Store, StoreError};
use crate::track::{self, NewEvent, Request};

/// What a reply records.
#[derive(Debug, Default)]
pub struct Decided {
    pub events: Vec<NewEvent>,
    pub moves: Vec<NewMove>,
}

impl Decided {
    /// What it records, in words: for the handled mark, and for the confirmation in a chat.
    pub fn describe(&self) -> String {
        let said = self.events.iter().map(|e| e.action.describe(e.occurrence.as_deref()));
        let asked = self.moves.iter().map(|m| format!("запрос на перенос {} на {}", m.occurrence, m.to));
        said.chain(asked).collect::<Vec<_>>().join("; ")
    }
}

/// The longest comment kept from a reply's text.
const LONGEST_NOTE: usize = 2000;

/// The reason a move request carries when the reply gives none.
const NO_REASON: &str = "просьба в ответе на уведомление";

pub fn decide(
    intake: &Intake<'_>,
    store: &mut dyn Store,
    incoming: &Incoming,
) -> Result<Result<Decided, Refusal>, StoreError> {
    // A token's age is counted to now: the Date is the sender's to write.
    let (sent, issued) = match notice_of(intake, store, incoming, intake.ground.now.date_naive())? {
        Ok(found) => found,
        Err(refusal) => return Ok(Err(refusal)),
    };
    // The sender first: a stranger learns nothing of what the notice was about.
    if incoming.auth == Dmarc::Fail {
        return Ok(Err(Refusal::Spoofed { address: incoming.from.clone() }));
    }
    let ground = &intake.ground;
    let may = |o: &Occurrence| may_report(ground, o, &incoming.from);
    let said = Said {
        text: &incoming.text,
        author: &incoming.from,
        may: &may,
        stranger: Refusal::UnknownSender { address: incoming.from.clone() },
        written: incoming.date,
        dropped: &incoming.dropped,
        forwarded: !incoming.forwarded.is_empty(),
    };
    Ok(statements(ground, &said, &sent, issued))
}

/// A reply's text and who wrote it: the events' author, what they may report on, and the
/// refusal when they may not.
pub struct Said<'a> {
    pub text: &'a str,
    pub author: &'a str,
    pub may: &'a dyn Fn(&Occurrence) -> bool,
    pub stranger: Refusal,
    /// When it was written, as its writer's side says (the mail's Date, the chat message's
    /// time): the reported instant, never later than now.
    pub written: Option<DateTime<FixedOffset>>,
    /// Files the reply carried that were not taken.
    pub dropped: &'a [Dropped],
    /// It carried messages forwarded whole.
    pub forwarded: bool,
}

/// The message a reply answers and the day its token was issued.
fn notice_of(
    intake: &Intake<'_>,
    store: &mut dyn Store,
    incoming: &Incoming,
    today: NaiveDate,
) -> Result<Result<(Sent, NaiveDate), Refusal>, StoreError> {
    if let Some(t) = &incoming.reply_to_token {
        let Claim { notice, issued } = match token::verify(&intake.key, t, today, intake.token_days) {
            Ok(claim) => claim,
            Err(e) => return Ok(Err(Refusal::Token(e))),
        };
        let found = i64::try_from(notice).ok().map(|n| store.sent_with(n)).transpose()?.flatten();
        return Ok(found.map(|sent| (sent, issued)).ok_or(Refusal::NoToken));
    }
    // No token (a client that dropped Reply-To): the thread, newest first.
    let thread = incoming.in_reply_to.iter().chain(incoming.references.iter().rev());
    for id in thread {
        if let Some(sent) = store.sent_as(id)? {
            let Some(issued) = sent.notices.first().map(|n| n.day) else { continue };
            let age = (today - issued).num_days();
            if age > i64::from(intake.token_days) {
                return Ok(Err(Refusal::Token(TokenError::Expired { issued })));
            }
            return Ok(Ok((sent, issued)));
        }
    }
    Ok(Err(Refusal::NoToken))
}

/// The statements of a reply to `sent`, checked: the events and move requests, or why not.
pub fn statements(ground: &Ground<'_>, said: &Said<'_>, sent: &Sent, issued: NaiveDate) -> Result<Decided, Refusal> {
    let at = said.written.map_or(ground.now, |w| w.min(ground.now));
    let items: Vec<Option<&Occurrence>> = sent
        .notices
        .iter()
        .map(|n| n.occurrence.as_deref().and_then(|o| ground.plan.position(o)))
        .map(|i| i.map(|i| &ground.plan.occurrences[i]))
        .collect();
    if items.iter().all(Option::is_none) {
        return Err(Refusal::NothingToReport);
    }
    if !items.iter().flatten().any(|o| (said.may)(o)) {
        return Err(said.stranger.clone());
    }
    if !said.dropped.is_empty() {
        return Err(Refusal::Files(said.dropped.to_vec()));
    }
    let period = items.iter().flatten().next().map(|o| ground.workspace.units[o.unit].period);
    let period = period.unwrap_or(crate::model::Period { from: issued, to: issued });
    let context = Context { count: sent.notices.len(), sent: issued, period };
    let read = reply::read(said.text, &context).map_err(|unclear| match unclear {
        Unclear::NoDecision { .. } if said.forwarded => Refusal::Forwarded,
        other => Refusal::Unclear(other),
    })?;
    let note = note(said.text);
    let mut decided = Decided::default();
    for statement in read {
        let numbered = if statement.items.is_empty() { vec![1] } else { statement.items.clone() };
        for item in numbered {
            let named = (context.count > 1).then_some(item);
            let occurrence = items
                .get(item.wrapping_sub(1))
                .copied()
                .flatten()
                .ok_or(Refusal::Unclear(Unclear::NoSuchItem { item, count: context.count }))?;
            if !(said.may)(occurrence) {
                return Err(said.stranger.clone());
            }
            let title = ground.workspace.units[occurrence.unit].tasks[occurrence.task].title.clone();
            let request = request(&statement.decision, statement.comment.as_deref(), occurrence.local_date(at));
            let position = ground.plan.position(&occurrence.id);
            let status = position.and_then(|i| ground.report.occurrences.get(i));
            let action = track::check(request, status, occurrence.local_date(ground.now))
                .map_err(|refusal| Refusal::Track { item: named, title, refusal })?;
            match (&statement.decision, action) {
                (Decision::Move { to, reason }, _) => decided.moves.push(NewMove {
                    occurrence: occurrence.id.clone(),
                    to: *to,
                    reason: reason.clone().or_else(|| statement.comment.clone()).unwrap_or_else(|| NO_REASON.into()),
                    by: said.author.to_string(),
                }),
                (_, action) => decided.events.push(NewEvent {
                    occurrence: Some(occurrence.id.clone()),
                    action,
                    note: note.clone(),
                    evidence: Vec::new(),
                    author: said.author.to_string(),
                    recorded_at: at,
                    batch: None,
                }),
            }
        }
    }
    Ok(decided)
}

/// The request a decision makes; a done date defaults to the day the reply was written.
fn request(decision: &Decision, comment: Option<&str>, written: NaiveDate) -> Request {
    match decision {
        Decision::Done { on } => Request::Done { on: Some(on.unwrap_or(written)) },
        Decision::Partly { percent, comment: own } => {
            Request::Partial { percent: *percent, noted: own.is_some() || comment.is_some() }
        }
        Decision::NotDone { reason } => {
            Request::NotDone { reason: reason.clone().or_else(|| comment.map(str::to_string)).unwrap_or_default() }
        }
        Decision::Move { to, reason } => Request::AskMove {
            to: *to,
            reason: reason.clone().or_else(|| comment.map(str::to_string)).unwrap_or_else(|| NO_REASON.into()),
        },
    }
}

/// The reply's own text (no quotes, no signature) as the events' comment.
fn note(text: &str) -> Option<String> {
    let own = reply::own_text(text);
    let own = own.trim();
    let cut: String = own.chars().take(LONGEST_NOTE).collect();
    (!cut.is_empty()).then_some(cut)
}

/// Whether `address` may report on `occurrence`: the address of one of its executors in the
/// directory, or of that executor's deputy, contact person or head.
pub fn may_report(ground: &Ground<'_>, occurrence: &Occurrence, address: &str) -> bool {
    let unit = &ground.workspace.units[occurrence.unit];
    // Per-executor work has its one executor as its list.
    let ids = occurrence.executors.iter();
    let same = |email: Option<&String>| email.is_some_and(|e| e.trim().eq_ignore_ascii_case(address.trim()));
    ids.filter_map(|id| unit.executors.get(id)).any(|e| {
        same(e.email.as_ref())
            || same(e.contact.as_ref().and_then(|p| p.email.as_ref()))
            || same(e.head.as_ref().and_then(|p| p.email.as_ref()))
            || e.deputies.iter().any(|p| same(p.email.as_ref()))
    })
}

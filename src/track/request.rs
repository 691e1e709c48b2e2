//! What someone asks to record about an occurrence, checked against where it stands at `now`:
//! the one place that decides whether a report, move, cancellation or review is accepted and
//! which event it becomes. The command line (`karta done`, …) and the web app both come here.

use chrono::NaiveDate;

use super::event::Action;
use super::status::{OccurrenceStatus, State};
use crate::diag::Message;
use crate::msg;

/// A request about one occurrence.
pub enum Request {
    /// Done on the date (today when none).
    Done {
        on: Option<NaiveDate>,
    },
    /// Partly done: a percentage or a comment is needed.
    Partial {
        percent: Option<u8>,
        noted: bool,
    },
    NotDone {
        reason: String,
    },
    /// A move already approved by `approved_by`.
    Move {
        to: NaiveDate,
        reason: String,
        approved_by: String,
    },
    /// A request to move, to be approved later: checked like a move, recorded elsewhere.
    AskMove {
        to: NaiveDate,
        reason: String,
    },
    Cancel {
        document: String,
    },
    Accept,
    Reject {
        reason: String,
    },
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    Cancelled,
    AlreadyDone {
        on: Option<NaiveDate>,
    },
    InFuture {
        on: NaiveDate,
    },
    NeedPercentOrNote,
    PercentOutOfRange,
    NeedReason,
    MoveDone,
    MoveToPast {
        to: NaiveDate,
    },
    NotReported,
    /// Accepted already: a second acceptance would only repeat the first.
    AlreadyAccepted,
    /// Rejected already, and not reported again since.
    AlreadyRejected,
}

impl Refusal {
    /// The field of a form the refusal is about, when it is about one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Refusal::NeedReason => Some("reason"),
            Refusal::NeedPercentOrNote | Refusal::PercentOutOfRange => Some("percent"),
            Refusal::InFuture { .. } => Some("on"),
            Refusal::MoveToPast { .. } => Some("to"),
            _ => None,
        }
    }

    /// Whether the request repeats what is already recorded (HTTP 409), rather than being wrong.
    pub fn is_repeat(&self) -> bool {
        matches!(self, Refusal::AlreadyDone { .. } | Refusal::AlreadyAccepted | Refusal::AlreadyRejected)
    }
}

impl Refusal {
    /// What to tell the user about the occurrence `id`.
    pub fn message(&self, id: &str) -> Message {
        let digits = |d: &NaiveDate| d.format("%d.%m.%Y").to_string();
        match self {
            Refusal::Cancelled => msg!("срок `{}` отменён", id; "`{}` is cancelled", id),
            Refusal::AlreadyDone { on } => {
                let when = on.as_ref().map(digits).unwrap_or_default();
                msg!("срок `{}` уже отмечен выполненным {}", id, when; "`{}` is already reported done on {}", id, when)
            }
            Refusal::InFuture { on } => {
                msg!("дата выполнения {} ещё не наступила", digits(on); "the completion date {} is in the future", on)
            }
            Refusal::NeedPercentOrNote => {
                msg!("укажите процент выполнения или комментарий"; "give a percentage or a comment")
            }
            Refusal::PercentOutOfRange => msg!("процент выполнения — от 0 до 100"; "the percentage is 0 to 100"),
            Refusal::NeedReason => msg!("укажите причину"; "give the reason"),
            Refusal::MoveDone => {
                msg!("срок `{}` уже выполнен: переносить нечего", id; "`{}` is already done", id)
            }
            Refusal::MoveToPast { to } => msg!("новый срок {} уже прошёл", digits(to); "the new date {} is past", to),
            Refusal::AlreadyAccepted => msg!(
                "отчёт по сроку `{}` уже принят (снят с контроля)", id;
                "the report on `{}` is already accepted", id
            ),
            Refusal::AlreadyRejected => msg!(
                "отчёт по сроку `{}` уже отклонён; нового отчёта с тех пор не было", id;
                "the report on `{}` is already rejected, and none has come since", id
            ),
            Refusal::NotReported => msg!(
                "срок `{}` не отмечен выполненным: принимать или отклонять нечего", id;
                "`{}` is not reported done: nothing to accept or reject", id
            ),
        }
    }
}

/// The event a request becomes, given the occurrence's status and today's date in its zone.
pub fn check(request: Request, status: Option<&OccurrenceStatus<'_>>, today: NaiveDate) -> Result<Action, Refusal> {
    let state = status.map(|s| s.state);
    let done = state.is_some_and(|s| s.is_done());
    if state == Some(State::Cancelled) {
        return Err(Refusal::Cancelled);
    }
    let reason = |r: String| if r.trim().is_empty() { Err(Refusal::NeedReason) } else { Ok(r) };
    match request {
        Request::Done { .. } if done => Err(Refusal::AlreadyDone { on: status.and_then(|s| s.done_on) }),
        Request::Done { on } => {
            let on = on.unwrap_or(today);
            if on > today { Err(Refusal::InFuture { on }) } else { Ok(Action::Done { on }) }
        }
        Request::Partial { percent: None, noted: false } => Err(Refusal::NeedPercentOrNote),
        Request::Partial { percent: Some(p), .. } if p > 100 => Err(Refusal::PercentOutOfRange),
        Request::Partial { percent, .. } => Ok(Action::Partial { percent }),
        Request::NotDone { reason: r } => Ok(Action::NotDone { reason: reason(r)? }),
        Request::Move { .. } | Request::AskMove { .. } if done => Err(Refusal::MoveDone),
        Request::Move { to, reason: r, approved_by } => Ok(Action::Moved { to, reason: reason(r)?, approved_by }),
        Request::AskMove { to, .. } if to < today => Err(Refusal::MoveToPast { to }),
        Request::AskMove { to, reason: r } => Ok(Action::Moved { to, reason: reason(r)?, approved_by: String::new() }),
        Request::Cancel { document } => Ok(Action::Cancelled { document }),
        Request::Accept if status.is_some_and(|s| s.accepted) => Err(Refusal::AlreadyAccepted),
        Request::Reject { .. } if !done && status.is_some_and(|s| s.rejected_reason.is_some()) => {
            Err(Refusal::AlreadyRejected)
        }
        Request::Accept | Request::Reject { .. } if !done => Err(Refusal::NotReported),
        Request::Accept => Ok(Action::Accepted),
        Request::Reject { reason: r } => Ok(Action::Rejected { reason: reason(r)? }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2023, 10, d).expect("date")
    }

    #[test]
    fn requests_become_events_or_refusals() {
        let today = day(16);
        assert_eq!(check(Request::Done { on: None }, None, today), Ok(Action::Done { on: today }));
        assert_eq!(check(Request::Done { on: Some(day(20)) }, None, today), Err(Refusal::InFuture { on: day(20) }));
        assert_eq!(
            check(Request::Partial { percent: None, noted: false }, None, today),
            Err(Refusal::NeedPercentOrNote)
        );
        assert_eq!(
            check(Request::Partial { percent: Some(101), noted: true }, None, today),
            Err(Refusal::PercentOutOfRange)
        );
        assert_eq!(check(Request::NotDone { reason: " ".into() }, None, today), Err(Refusal::NeedReason));
        assert_eq!(
            check(Request::AskMove { to: day(1), reason: "x".into() }, None, today),
            Err(Refusal::MoveToPast { to: day(1) })
        );
        assert_eq!(check(Request::Accept, None, today), Err(Refusal::NotReported));
    }
}

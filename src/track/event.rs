//! Progress events: what districts and controllers report. An event is never changed once
//! recorded; a mistake is fixed by a correction that supersedes it.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

/// What an event says.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Выполнено: the work was completed on `on`.
    Done { on: NaiveDate },
    /// Частично выполнено.
    Partial { percent: Option<u8> },
    /// Не выполнено, with the reason.
    NotDone { reason: String },
    /// Отменено by an order or decision.
    Cancelled { document: String },
    /// Перенос срока: the new due date, why, and who approved it.
    Moved { to: NaiveDate, reason: String, approved_by: String },
    /// A measured indicator value.
    Value { indicator: String, executor: Option<String>, period: String, value: f64, source: Option<String> },
    /// The controller accepted the report (снято с контроля).
    Accepted,
    /// The controller rejected the report: the occurrence is open again.
    Rejected { reason: String },
    /// Supersedes an earlier event, which from then on counts as never recorded.
    Correction { supersedes: i64, reason: String },
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Done { .. } => "done",
            Action::Partial { .. } => "partial",
            Action::NotDone { .. } => "not_done",
            Action::Cancelled { .. } => "cancelled",
            Action::Moved { .. } => "moved",
            Action::Value { .. } => "value",
            Action::Accepted => "accepted",
            Action::Rejected { .. } => "rejected",
            Action::Correction { .. } => "correction",
        }
    }

    /// The event in one Russian line, naming the occurrence when given.
    pub fn describe(&self, occurrence: Option<&str>) -> String {
        self.describe_in(occurrence, crate::diag::Lang::Ru)
    }

    /// [`Action::describe`] in the language asked for.
    pub fn describe_in(&self, occurrence: Option<&str>, lang: crate::diag::Lang) -> String {
        use crate::say;
        let at = occurrence.map(|o| format!(" {o}")).unwrap_or_default();
        let digits = |d: &NaiveDate| d.format("%d.%m.%Y").to_string();
        match self {
            Action::Done { on } => say!(lang, "выполнено{} ({})", at, digits(on); "done{} ({})", at, digits(on)),
            Action::Partial { percent } => {
                let p = percent.map(|p| format!(" ({p} %)")).unwrap_or_default();
                say!(lang, "частично выполнено{}{}", at, p; "partly done{}{}", at, p)
            }
            Action::NotDone { reason } => say!(lang, "не выполнено{}: {}", at, reason; "not done{}: {}", at, reason),
            Action::Cancelled { document } => {
                say!(lang, "отменено{} ({})", at, document; "cancelled{} ({})", at, document)
            }
            Action::Moved { to, reason, approved_by } => say!(lang,
                "срок{} перенесён на {} ({}; согласовал {})", at, digits(to), reason, approved_by;
                "deadline{} moved to {} ({}; approved by {})", at, digits(to), reason, approved_by),
            Action::Value { indicator, executor, period, value, .. } => {
                let who = executor.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
                let shown = match lang {
                    crate::diag::Lang::Ru => value.to_string().replace('.', ","),
                    crate::diag::Lang::En => value.to_string(),
                };
                say!(lang, "показатель {} за {}{}: {}", indicator, period, who, shown;
                    "indicator {} for {}{}: {}", indicator, period, who, shown)
            }
            Action::Accepted => say!(lang, "снято с контроля{}", at; "accepted{}", at),
            Action::Rejected { reason } => match occurrence {
                Some(o) => say!(lang, "отчёт по {} отклонён: {}", o, reason; "report on {} rejected: {}", o, reason),
                None => say!(lang, "отчёт отклонён: {}", reason; "report rejected: {}", reason),
            },
            Action::Correction { supersedes, reason } => say!(lang,
                "отменено событие № {}: {}", supersedes, reason; "event {} taken back: {}", supersedes, reason),
        }
    }
}

/// An event to record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewEvent {
    /// The occurrence the event is about (none for indicator values and corrections).
    pub occurrence: Option<String>,
    #[serde(flatten)]
    pub action: Action,
    pub note: Option<String>,
    pub evidence: Vec<String>,
    pub author: String,
    pub recorded_at: DateTime<FixedOffset>,
    /// Rows of one import share a batch id.
    pub batch: Option<String>,
}

/// A recorded event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: i64,
    #[serde(flatten)]
    pub event: NewEvent,
    /// Set when an approved amendment carried the event to another occurrence (then
    /// `event.occurrence` is the new one) or removed its occurrence (docs/amendments.md).
    /// Never stored: [`crate::track::carry`] sets it from the approved versions when the log is read.
    /// Boxed: few events are carried, and a log holds hundreds of thousands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carried: Option<Box<Carried>>,
}

/// How an amendment moved an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Carried {
    /// The occurrence it was recorded under.
    pub from: String,
    pub rule: crate::store::Rule,
    /// The approved version that did it.
    pub version: i64,
    /// Its order, worded: «приказ от 15.01.2024 № 12».
    pub order: String,
    /// The activity's point and title in the version it was recorded under.
    pub point: String,
    pub title: String,
}

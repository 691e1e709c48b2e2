//! An event's action spread over the log's columns, the same in every backend: each kind of
//! action keeps its details in the columns it needs and leaves the rest empty.

use chrono::NaiveDate;

use crate::track::Action;

/// The columns that hold an action's details, as stored.
#[derive(Debug, Default)]
pub(crate) struct Columns {
    pub date: Option<NaiveDate>,
    pub percent: Option<i64>,
    pub reason: Option<String>,
    pub approved_by: Option<String>,
    pub indicator: Option<String>,
    pub executor: Option<String>,
    pub period: Option<String>,
    pub value: Option<f64>,
    pub source: Option<String>,
    pub supersedes: Option<i64>,
}

impl Columns {
    /// Where an action's details go.
    pub fn of(action: &Action) -> Columns {
        let mut raw = Columns::default();
        match action {
            Action::Done { on } => raw.date = Some(*on),
            Action::Partial { percent } => raw.percent = percent.map(i64::from),
            Action::NotDone { reason } | Action::Rejected { reason } => raw.reason = Some(reason.clone()),
            Action::Cancelled { document } => raw.reason = Some(document.clone()),
            Action::Moved { to, reason, approved_by } => {
                raw.date = Some(*to);
                raw.reason = Some(reason.clone());
                raw.approved_by = Some(approved_by.clone());
            }
            Action::Value { indicator, executor, period, value, source } => {
                raw.indicator = Some(indicator.clone());
                raw.executor = executor.clone();
                raw.period = Some(period.clone());
                raw.value = Some(*value);
                raw.source = source.clone();
            }
            Action::Accepted => {}
            Action::Correction { supersedes, reason } => {
                raw.supersedes = Some(*supersedes);
                raw.reason = Some(reason.clone());
            }
        }
        raw
    }

    /// The action of kind `kind` back from its columns; on a missing detail, what is missing
    /// (in Russian, for [`StoreError::Corrupt`](super::StoreError::Corrupt)).
    pub fn action(self, kind: &str) -> Result<Action, String> {
        let required = |field: Option<String>| field.ok_or_else(|| "пустое поле".to_string());
        let date = self.date.ok_or_else(|| "дата".to_string());
        Ok(match kind {
            "done" => Action::Done { on: date? },
            "partial" => Action::Partial { percent: self.percent.and_then(|p| u8::try_from(p).ok()) },
            "not_done" => Action::NotDone { reason: required(self.reason)? },
            "cancelled" => Action::Cancelled { document: required(self.reason)? },
            "moved" => {
                Action::Moved { to: date?, reason: required(self.reason)?, approved_by: required(self.approved_by)? }
            }
            "value" => Action::Value {
                indicator: required(self.indicator)?,
                executor: self.executor,
                period: required(self.period)?,
                value: self.value.ok_or_else(|| "значение".to_string())?,
                source: self.source,
            },
            "accepted" => Action::Accepted,
            "rejected" => Action::Rejected { reason: required(self.reason)? },
            "correction" => Action::Correction {
                supersedes: self.supersedes.ok_or_else(|| "ссылка".to_string())?,
                reason: required(self.reason)?,
            },
            other => return Err(format!("вид «{other}»")),
        })
    }
}

/// Evidence as stored: a JSON array of links or file references.
pub(super) fn evidence_json(evidence: &[String]) -> String {
    serde_json::to_string(evidence).unwrap_or_else(|_| "[]".into())
}

/// Evidence back from its JSON.
pub(super) fn evidence_of(json: Option<&str>) -> Vec<String> {
    match json {
        None | Some("[]") => Vec::new(),
        Some(json) => serde_json::from_str(json).unwrap_or_default(),
    }
}

//! Approving a roadmap as it stands (`karta approve`): which order approves it (the roadmap's
//! own `approval` for the first version, the last of `approval.amendments` after that), what
//! changed against the last approved version, where the reports go, and why it may not be
//! approved at all.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::diff::{Diff, diff};
use super::{Snapshot, SnapshotError, carry};
use crate::calendar::Calendar;
use crate::check::Unit;
use crate::diag::Message;
use crate::msg;
use crate::store::{Carry, NewVersion, Order, Rule, Version, VersionFile};
use crate::track::Event;

/// A version ready to record, with what it changes.
pub struct Proposal {
    pub version: NewVersion,
    /// The number it will get.
    pub number: i64,
    /// Against the last approved version; `None` for the baseline.
    pub diff: Option<Diff>,
}

/// What becomes of one recorded report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fate {
    pub event: i64,
    pub from: String,
    /// `None`: its occurrence is removed and the report stays with it.
    pub to: Option<String>,
    pub rule: Rule,
}

/// Why a roadmap cannot be approved now.
#[derive(Debug)]
pub enum Refusal {
    NoApproval(String),
    NoNewOrder { roadmap: String, last: i64, order: String },
    Unchanged { roadmap: String, last: i64 },
    Version(SnapshotError),
    Io(String),
}

impl Refusal {
    pub fn message(&self) -> Message {
        match self {
            Refusal::NoApproval(r) => msg!(
                "в дорожной карте {} нет `approval`: утверждать её нечем", r;
                "roadmap {} has no `approval`: nothing approves it", r),
            Refusal::NoNewOrder { roadmap, last, order } => msg!(
                "версия {} дорожной карты {} уже утверждена ({}); для новой версии добавьте приказ о внесении изменений в `approval.amendments`", last, roadmap, order;
                "version {} of roadmap {} is already approved ({}); add the amending order to `approval.amendments` for a new one", last, roadmap, order),
            Refusal::Unchanged { roadmap, last } => msg!(
                "дорожная карта {} не изменилась со времени версии {}", roadmap, last;
                "roadmap {} has not changed since version {}", roadmap, last),
            Refusal::Version(e) => e.message(),
            Refusal::Io(e) => SnapshotError::Io(e.clone()).message(),
        }
    }
}

/// The next version of `unit` (checked from the working files), given the versions recorded so far.
pub fn propose(
    unit: &Unit,
    versions: &[Version],
    last_files: Option<Vec<VersionFile>>,
    calendar: &Calendar,
    by: &str,
    now: DateTime<FixedOffset>,
) -> Result<Proposal, Refusal> {
    let roadmap = unit.roadmap().ok_or_else(|| Refusal::NoApproval(unit.id.clone()))?;
    let approval = roadmap.approval.as_ref().ok_or_else(|| Refusal::NoApproval(unit.id.clone()))?;
    // Version 1 is the approval itself; version k + 1 the k-th amending order.
    let amending = versions.len().checked_sub(1).and_then(|k| approval.amendments.get(k));
    let order = match amending {
        Some(a) => Order::of_amendment(approval, a),
        None if versions.is_empty() => Order::of_approval(approval),
        None => {
            let last = versions.last().expect("versions");
            return Err(Refusal::NoNewOrder {
                roadmap: unit.id.clone(),
                last: last.number,
                order: last.order.worded(),
            });
        }
    };
    let files = super::files_of(&unit.source.path).map_err(|e| Refusal::Io(e.to_string()))?;
    let (diff, carries) = match (versions.last(), last_files) {
        (Some(last), Some(old_files)) => {
            if old_files == files {
                return Err(Refusal::Unchanged { roadmap: unit.id.clone(), last: last.number });
            }
            let old = Snapshot::of_files(&unit.id, &old_files, calendar).map_err(Refusal::Version)?;
            let new = Snapshot::of_files(&unit.id, &files, calendar).map_err(Refusal::Version)?;
            let d = diff(&old, &new);
            let carries = carry::carries(&old, &new, &d);
            (Some(d), carries)
        }
        _ => (None, Vec::new()),
    };
    let number = versions.last().map_or(1, |v| v.number + 1);
    let version =
        NewVersion { roadmap: unit.id.clone(), order, approved_by: by.to_string(), recorded_at: now, files, carries };
    Ok(Proposal { version, number, diff })
}

/// What the carries do to the reports recorded (as the log reads before them).
pub fn fates(events: &[Event], carries: &[Carry]) -> Vec<Fate> {
    let by_from: std::collections::HashMap<&str, &Carry> = carries.iter().map(|c| (c.from.as_str(), c)).collect();
    events
        .iter()
        .filter_map(|e| {
            let o = e.event.occurrence.as_deref()?;
            let c = by_from.get(o)?;
            Some(Fate { event: e.id, from: o.to_string(), to: c.to.clone(), rule: c.rule })
        })
        .collect()
}

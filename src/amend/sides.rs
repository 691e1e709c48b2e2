//! The two versions a diff or an amending order compares, read from the store and the working
//! files: version N against N − 1 (the order that approved N), or the working files against the
//! last approved version (the order still to be signed). Shared by `karta diff`, `karta render
//! amendment` and the web app.

use super::{Snapshot, SnapshotError, files_of};
use crate::calendar::Calendar;
use crate::check::Workspace;
use crate::diag::Message;
use crate::model::Amendment;
use crate::msg;
use crate::store::{StoreError, Version, Versions};

/// The versions compared, and the amending order's data when the roadmap lists it.
pub struct Sides {
    pub roadmap: String,
    pub before: Snapshot,
    pub after: Snapshot,
    /// `None` for the working files: the order is still to be numbered.
    pub version: Option<i64>,
    pub order: Option<Amendment>,
}

/// Why the versions cannot be compared.
#[derive(Debug)]
pub enum SidesError {
    Store(StoreError),
    /// No such roadmap in the working files.
    Unknown(String),
    /// The roadmap has no approved version (to amend, or with this number).
    NoVersion {
        roadmap: String,
        number: Option<i64>,
    },
    /// Version 1 is the baseline: no amending order approved it.
    Baseline(String),
    Snapshot(SnapshotError),
}

impl From<StoreError> for SidesError {
    fn from(e: StoreError) -> Self {
        SidesError::Store(e)
    }
}

impl SidesError {
    pub fn message(&self) -> Message {
        match self {
            SidesError::Store(e) => crate::diag::Explain::explain(e),
            SidesError::Unknown(r) => msg!("нет дорожной карты `{}`", r; "no roadmap `{}`", r),
            SidesError::NoVersion { roadmap, number: None } => msg!(
                "у дорожной карты {} нет утверждённой версии (karta approve {} утвердит исходную)", roadmap, roadmap;
                "roadmap {} has no approved version (karta approve {} records the baseline)", roadmap, roadmap),
            SidesError::NoVersion { roadmap, number: Some(n) } => msg!(
                "у дорожной карты {} нет утверждённой версии {} (karta versions {} покажет их)", roadmap, n, roadmap;
                "roadmap {} has no approved version {} (karta versions {} lists them)", roadmap, n, roadmap),
            SidesError::Baseline(r) => msg!(
                "версия 1 дорожной карты {} исходная: её утвердил не приказ о внесении изменений", r;
                "version 1 of roadmap {} is the baseline: no amending order approved it", r),
            SidesError::Snapshot(e) => e.message(),
        }
    }
}

/// Version `to` against `to − 1`, or (`to` = `None`) the working files against `from` (the last
/// approved version by default).
pub fn sides(
    store: &(impl Versions + ?Sized),
    workspace: &Workspace,
    calendar: &Calendar,
    roadmap: &str,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<Sides, SidesError> {
    let versions = store.versions(Some(roadmap))?;
    let pick = |n: Option<i64>| -> Result<&Version, SidesError> {
        let found = match n {
            Some(n) => versions.iter().find(|v| v.number == n),
            None => versions.last(),
        };
        found.ok_or_else(|| SidesError::NoVersion { roadmap: roadmap.to_string(), number: n })
    };
    let stored = |v: &Version| -> Result<Snapshot, SidesError> {
        Snapshot::of_files(roadmap, &store.version_files(v.id)?, calendar).map_err(SidesError::Snapshot)
    };
    let after_version = match to {
        Some(n) => Some(pick(Some(n))?),
        None => None,
    };
    let before_version = match (from, to) {
        (Some(n), _) => pick(Some(n))?,
        (None, Some(n)) if n <= 1 => return Err(SidesError::Baseline(roadmap.to_string())),
        (None, Some(n)) => pick(Some(n - 1))?,
        (None, None) => pick(None)?,
    };
    let before = stored(before_version)?;
    let after = match after_version {
        Some(v) => stored(v)?,
        None => {
            let unit = workspace.roadmap(roadmap).ok_or_else(|| SidesError::Unknown(roadmap.to_string()))?;
            let files =
                files_of(&unit.source.path).map_err(|e| SidesError::Snapshot(SnapshotError::Io(e.to_string())))?;
            Snapshot::of_files(roadmap, &files, calendar).map_err(SidesError::Snapshot)?
        }
    };
    // Version k + 1 is approved by the k-th amending order; the working files by the one after
    // the last recorded, when the roadmap lists it already.
    let k = match to {
        Some(n) => n - 2,
        None => versions.len() as i64 - 1,
    };
    let order = after
        .unit()
        .roadmap()
        .and_then(|r| r.approval.as_ref())
        .and_then(|a| usize::try_from(k).ok().and_then(|k| a.amendments.get(k)))
        .cloned();
    Ok(Sides { roadmap: roadmap.to_string(), before, after, version: to, order })
}

//! The API's types of approved versions and what changed between them (docs/amendments.md):
//! `GET /roadmaps/{roadmap}/versions` and `GET /roadmaps/{roadmap}/diff`.

use chrono::{DateTime, FixedOffset, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::RoadmapRef;

/// The order that approved or amended a roadmap.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// «приказ», «распоряжение».
    pub document: String,
    /// As written: «380», «23-35-1791».
    pub number: String,
    pub date: NaiveDate,
}

/// An approved version of a roadmap (docs/amendments.md, section 2).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Version {
    /// 1, 2, …; 1 is the baseline.
    #[schemars(range(min = 1))]
    pub number: i64,
    /// Version 1: approved by the roadmap's own order, not by an amending one.
    pub baseline: bool,
    pub order: Order,
    /// «приказ от 02.10.2023 № 380».
    pub order_text: String,
    /// Who recorded the approval.
    pub approved_by: String,
    pub recorded_at: DateTime<FixedOffset>,
}

/// `GET /roadmaps/{roadmap}/versions`: the approved versions, oldest first.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Versions {
    pub roadmap: RoadmapRef,
    pub versions: Vec<Version>,
}

/// How an activity or a section changed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// A field of an activity that a change names.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DiffField {
    Title,
    Tasks,
    Executors,
    Due,
    Result,
    After,
}

/// One activity as a version has it: what the roadmap table prints and the dates it means.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffActivity {
    pub id: String,
    /// The point as the amending order names it: «2.3».
    pub point: String,
    /// The number as the table prints it: «3.».
    pub printed: String,
    /// The section's number, from 1.
    #[schemars(range(min = 1))]
    pub section: u64,
    pub title: String,
    pub tasks: Vec<String>,
    pub executors: Vec<String>,
    /// The deadline as written.
    pub due: String,
    /// The distinct due dates of its occurrences.
    pub dates: Vec<NaiveDate>,
    pub result: Option<String>,
    /// Prerequisites as written.
    pub after: Vec<String>,
}

/// One activity's change: `before` is null for an added one, `after` for a removed one.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityChange {
    pub kind: ChangeKind,
    pub before: Option<DiffActivity>,
    pub after: Option<DiffActivity>,
    /// The fields that differ (a changed activity).
    pub fields: Vec<DiffField>,
    /// The same activity under another point or id.
    pub renumbered: bool,
}

/// A section added, removed or retitled (by position).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionChange {
    pub kind: ChangeKind,
    #[schemars(range(min = 1))]
    pub number: u64,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// `GET /roadmaps/{roadmap}/diff`: what changed from one version to another, or to the working
/// files (`to` null), as `karta diff --format json` gives it.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Diff {
    pub roadmap: String,
    /// The version compared from.
    pub from: i64,
    /// The version compared to; null: the working files, not approved yet.
    pub to: Option<i64>,
    /// The order that approved `to`, or the one the roadmap lists for the working files' changes.
    pub order: Option<String>,
    /// The roadmap's title, when it changed: [before, after].
    pub title: Option<(String, String)>,
    pub sections: Vec<SectionChange>,
    /// In the order of the table: the new version's, removed ones at their old place.
    pub activities: Vec<ActivityChange>,
    /// Activity ids of the old version → the same activity's id in the new one.
    pub matched: std::collections::BTreeMap<String, String>,
}

/// `GET /roadmaps/{roadmap}/diff`: which versions to compare.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    /// The version to compare from: by default the one before `to`, or the last one.
    #[schemars(range(min = 1))]
    pub from: Option<i64>,
    /// The version to compare to; the working files when absent.
    #[schemars(range(min = 1))]
    pub to: Option<i64>,
}

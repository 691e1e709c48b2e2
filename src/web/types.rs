//! The API's typed requests and answers, from which its OpenAPI document is generated
//! (`super::openapi`). Requests are parsed straight into these types; answers are the pages'
//! data (`super::data`) read into them, strictly (`deny_unknown_fields`): a field a page adds
//! without its type here fails the API's tests, not its clients.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

mod versions;
pub use versions::*;

/// The state of an occurrence, by name.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum StateName {
    Planned,
    Open,
    DueSoon,
    /// Past due with no report.
    Overdue,
    /// Past due, reported not done or partly done.
    NotDone,
    DoneOnTime,
    DoneLate,
    Cancelled,
}

/// A roadmap row's state: an occurrence's, or `undated` for work without dates.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowState {
    Planned,
    Open,
    DueSoon,
    Overdue,
    NotDone,
    DoneOnTime,
    DoneLate,
    Cancelled,
    Undated,
}

/// Counts of occurrences by state, and the discipline.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rollup {
    pub key: String,
    pub title: String,
    pub total: u64,
    /// Occurrences per state name (states with none are left out).
    pub states: std::collections::BTreeMap<StateName, u64>,
    pub at_risk: u64,
    /// Late: `no_report` + `not_done`.
    pub overdue: u64,
    pub no_report: u64,
    pub not_done: u64,
    /// Done, or past due (the base of discipline).
    pub due: u64,
    pub done_on_time: u64,
    /// Done on time / due, 0 to 1; null while nothing is due.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub discipline: Option<f64>,
    pub discipline_text: Option<String>,
    /// Roadmaps: whether it is a protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<bool>,
    /// The league: the place (equal discipline, equal place).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub place: Option<u64>,
}

/// An occurrence in a list.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub roadmap: String,
    pub roadmap_title: Option<String>,
    pub activity: String,
    pub number: Option<String>,
    pub title: Option<String>,
    pub executor: Option<String>,
    pub executors: Vec<String>,
    pub state: StateName,
    pub state_ru: String,
    pub due: NaiveDate,
    /// ДД.ММ.ГГГГ.
    pub due_text: String,
    pub original_due: Option<NaiveDate>,
    /// The date in the baseline (the first approved version), when an approved amendment moved
    /// it since.
    pub approved_due: Option<NaiveDate>,
    /// The amending order that moved it last: «приказ от 30.11.2023 № 425».
    pub amended_by: Option<String>,
    pub done_on: Option<NaiveDate>,
    pub at_risk: bool,
}

/// `GET /overview`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Overview {
    pub title: String,
    pub total: Rollup,
    pub roadmaps: Vec<Rollup>,
    /// Executors with something due, by discipline.
    pub league: Vec<Rollup>,
    /// Executors with nothing due yet (not ranked).
    pub waiting: Vec<String>,
    /// The 50 latest of the late occurrences.
    pub overdue: Vec<Item>,
    pub overdue_count: u64,
    /// The first 50 occurrences at risk.
    pub at_risk: Vec<Item>,
    pub at_risk_count: u64,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadmapRef {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadmapHead {
    pub id: String,
    pub title: String,
    pub protocol: bool,
    /// ДД.ММ.ГГГГ.
    pub from: String,
    pub to: String,
}

/// The filters in force (echoed).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FiltersEcho {
    pub executor: Option<String>,
    pub status: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ru: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected: Option<bool>,
}

/// An activity of a roadmap as its table shows it.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadmapRow {
    /// roadmap/activity.
    pub activity: String,
    pub activity_id: String,
    pub number: Option<String>,
    pub title: String,
    pub executors: Vec<String>,
    /// The deadline as written.
    pub deadline: Option<String>,
    pub result: Option<String>,
    pub state: RowState,
    pub state_ru: String,
    pub next_due: Option<String>,
    /// The next date in the baseline, when an approved amendment moved it.
    pub approved_due: Option<NaiveDate>,
    /// The amending order that moved the next date last.
    pub amended_by: Option<String>,
    /// The occurrence the row stands for now.
    pub current: Option<String>,
    pub done: u64,
    pub count: u64,
    /// Occurrences late (no report or not done).
    pub late: u64,
    pub critical: bool,
    pub at_risk: bool,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub title: String,
    pub rows: Vec<RoadmapRow>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Format {
    pub ext: String,
    pub file: String,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentLink {
    pub kind: String,
    pub title: String,
    pub formats: Vec<Format>,
}

/// `GET /roadmaps/{roadmap}`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Roadmap {
    pub title: String,
    pub roadmap: RoadmapHead,
    pub totals: Option<Rollup>,
    pub filters: FiltersEcho,
    pub filtered: bool,
    pub shown: u64,
    pub executors: Vec<Choice>,
    pub states: Vec<Choice>,
    pub sections: Vec<Section>,
    pub documents: Vec<DocumentLink>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecutorHead {
    pub id: String,
    pub name: String,
    pub short: Option<String>,
    pub email: Option<String>,
}

/// `GET /executors/{executor}`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Executor {
    pub title: String,
    pub executor: ExecutorHead,
    #[schemars(range(min = 1, max = 52))]
    pub weeks: u64,
    pub horizon: String,
    pub totals: Option<Rollup>,
    pub upcoming: Vec<Item>,
    pub overdue: Vec<Item>,
    pub done: Vec<Item>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    pub id: i64,
    pub kind: String,
    pub text: String,
    pub note: Option<String>,
    pub evidence: Vec<String>,
    pub author: String,
    pub recorded_at: String,
    /// Taken back by a later correction.
    pub superseded: bool,
    /// Set when an approved amendment carried the event here from another occurrence, or removed
    /// its occurrence.
    pub carried: Option<CarriedEntry>,
}

/// How an approved amendment moved an event (docs/amendments.md, section 4).
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CarriedEntry {
    /// The occurrence it was recorded under.
    pub from: String,
    pub rule: CarryRule,
    /// The amending order: «приказ от 30.11.2023 № 425».
    pub order: String,
    /// «перенесено с … при утверждении изменений: приказ …», or «мероприятие исключено: приказ …».
    pub text: String,
}

/// Why an event counts for another occurrence.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CarryRule {
    /// Its date moved.
    Moved,
    /// The activity under a new id.
    Renumbered,
    /// The occurrence is gone; the event stays with it.
    Removed,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    pub id: i64,
    pub date: String,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: String,
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub pending: bool,
}

/// `GET /occurrences/{occurrence}`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Occurrence {
    pub title: String,
    pub occurrence: Item,
    pub roadmap: RoadmapRef,
    pub section: Option<String>,
    pub phrase: Option<String>,
    pub opens: String,
    /// The due instant in force (after an approved move, the new one).
    pub due_at: String,
    pub forecast_due: Option<String>,
    #[schemars(range(max = 100))]
    pub percent: Option<u8>,
    pub not_done_reason: Option<String>,
    pub accepted: bool,
    pub rejected_reason: Option<String>,
    pub critical: bool,
    pub slack_days: i64,
    pub depends: Vec<Item>,
    pub dependents: Vec<Item>,
    pub history: Vec<HistoryEntry>,
    pub moves: Vec<MoveRequest>,
    pub today: NaiveDate,
}

/// `GET /roadmaps/{roadmap}/indicators`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicators {
    pub title: String,
    pub roadmap: RoadmapRef,
    pub ids: Vec<String>,
    pub executors: Vec<Choice>,
    /// The indicator report as the documents have it: targets, values, shares.
    pub document: Map<String, Value>,
}

/// What a write recorded: the event's number.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Written {
    pub event: i64,
}

/// A decision on a move request: the move's event when approved, none when declined.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decided {
    pub event: Option<i64>,
}

/// A move request's number.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Requested {
    pub request: i64,
}

/// Every failure: the status and a message in Russian.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Error {
    pub error: String,
}

/// Text that says something: not empty, not only spaces.
pub const TEXT: &str = r"\S";
/// A web link to evidence.
pub const LINK: &str = r"^https?://\S";

/// `POST /occurrences/{occurrence}/report`: done, partly done (with a percentage) or not done
/// (with the reason).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ReportBody {
    Done {
        /// The day it was done (today when absent; not in the future).
        on: Option<NaiveDate>,
        #[schemars(length(max = 4000))]
        note: Option<String>,
        #[schemars(regex(pattern = LINK), length(max = 2000))]
        evidence: Option<String>,
    },
    Partial {
        #[schemars(range(max = 100))]
        percent: u8,
        #[schemars(length(max = 4000))]
        note: Option<String>,
        #[schemars(regex(pattern = LINK), length(max = 2000))]
        evidence: Option<String>,
    },
    NotDone {
        #[schemars(regex(pattern = TEXT), length(max = 4000))]
        reason: String,
        #[schemars(length(max = 4000))]
        note: Option<String>,
        #[schemars(regex(pattern = LINK), length(max = 2000))]
        evidence: Option<String>,
    },
}

/// `POST /occurrences/{occurrence}/move`: a request to move the deadline (not in the past).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    pub to: NaiveDate,
    #[schemars(regex(pattern = TEXT), length(max = 4000))]
    pub reason: String,
}

/// `POST /occurrences/{occurrence}/review`: accept the report (снять с контроля), or reject it
/// with the reason.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "decision", rename_all = "snake_case", deny_unknown_fields)]
pub enum ReviewBody {
    Accept {},
    Reject {
        #[schemars(regex(pattern = TEXT), length(max = 4000))]
        reason: String,
    },
}

/// `POST /moves/{id}/decide`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideBody {
    pub decision: Decision,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Decline,
}

/// `POST /roadmaps/{roadmap}/indicators`: a value of an indicator for a period.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueBody {
    #[schemars(regex(pattern = TEXT), length(max = 200))]
    pub indicator: String,
    /// The period: a year (`2024`), a school year (`2023-2024`, `2023/24`), a month (`2024-03`)
    /// or a date (`2024-03-15`).
    #[schemars(regex(pattern = TEXT), length(max = 40))]
    pub period: String,
    pub value: f64,
    #[schemars(regex(pattern = TEXT), length(max = 200))]
    pub executor: Option<String>,
    #[schemars(length(max = 2000))]
    pub source: Option<String>,
}

/// The roadmap table's filters (`GET /roadmaps/{roadmap}`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoadmapQuery {
    /// An executor id: only their activities.
    #[schemars(regex(pattern = TEXT))]
    pub executor: Option<String>,
    pub status: Option<StateName>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// `GET /executors/{executor}`: how far ahead to look.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeksQuery {
    #[schemars(range(min = 1, max = 52))]
    pub weeks: Option<u8>,
}

//! A roadmap (дорожная карта): metadata, the approving document, executors, sections of
//! activities, indicators and reminder settings.

use chrono::NaiveDate;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Due, Executor, Group, Id, Indicator, Period, Person, Shift};

/// A roadmap document (`kind: roadmap`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Roadmap {
    /// Unique across the workspace; part of every occurrence id (`lazo-2023-2024/org-6@2024-01-31`).
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: Id,
    /// The title as approved: "Дорожная карта повышения качества общего образования …".
    pub title: String,
    /// Deadline phrases without a year are read inside the period.
    pub period: Period,
    /// IANA time zone of the roadmap ("Asia/Vladivostok"); due instants are local to it.
    pub timezone: String,
    /// The region whose holidays count (art. 6 ТК РФ): an ISO 3166-2 code such as `RU-TA`;
    /// default: `[calendar] region` in karta.toml, else the federal calendar alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$"))]
    pub region: Option<String>,
    /// The organisation that issues the roadmap (an executor id): its letterhead heads documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Id>,
    /// The document that approved the roadmap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
    /// Who controls execution (контроль за исполнением), an executor id: receives escalations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<Id>,
    /// What the roadmap implements (поручение, распоряжение).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// Aims stated in the document.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<String>,
    /// Directory files (paths relative to this file) whose executors and groups this roadmap uses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Executors declared in this file, by id.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z0-9][a-z0-9-]*$"}))]
    pub executors: IndexMap<Id, Executor>,
    /// Named groups of executors, by id (`districts`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z0-9][a-z0-9-]*$"}))]
    pub groups: IndexMap<Id, Group>,
    /// Due dates on non-working days: keep (default), or move to the next/previous working day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift: Option<Shift>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminders: Option<Reminders>,
    pub sections: Vec<Section>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<Indicator>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// The order (приказ, распоряжение) that approved a roadmap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The kind of document: "приказ", "распоряжение", "постановление".
    pub document: String,
    /// The issuing organisation (an executor id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Id>,
    /// Registration number, as written ("380", "23-35-1791").
    pub number: String,
    pub date: NaiveDate,
    /// The approving act in the instrumental for the approval stamp: "приказом Управления
    /// образования". Default: the kind of document ("приказом").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<String>,
    /// The heading of the order: "Об утверждении «Дорожной карты» …".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Place of issue: "р.п. Переяславка".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// The text before ПРИКАЗЫВАЮ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preamble: Option<String>,
    /// The numbered points of the order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatory: Option<Person>,
    /// The orders that amended the roadmap since, oldest first; `karta approve` records the
    /// roadmap as each of them approves it (docs/amendments.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amendments: Vec<Amendment>,
}

/// An order amending the roadmap: «О внесении изменений в приказ от 02.10.2023 № 380».
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    /// The kind of document; the approving one's by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// Registration number, as written.
    pub number: String,
    pub date: NaiveDate,
    /// The heading; «О внесении изменений в <approving order>» by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The text before ПРИКАЗЫВАЮ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preamble: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatory: Option<Person>,
}

/// A section of the roadmap table: a full-width heading row and its activities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: Option<Id>,
    pub title: String,
    pub activities: Vec<Activity>,
}

/// One activity (мероприятие): a row of the roadmap table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// Unique in the roadmap: `org-1`.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: Id,
    /// The number printed in the approved table ("1.", "2"), kept for rendering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Наименование мероприятия.
    pub title: String,
    /// Tasks listed inside the activity.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<String>,
    /// Jointly responsible executors or groups (ids): one occurrence, done once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub executors: Vec<Id>,
    /// A group whose every member does the activity separately: one occurrence per member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_each: Option<Id>,
    /// The executors cell exactly as printed in the approved document, when it differs from the names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executors_text: Option<String>,
    /// The deadline (Сроки), as a phrase or in structured form.
    pub due: Due,
    /// Activities that must be done first: ids in this roadmap or `roadmap-id/activity-id`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
    /// Результаты / показатели реализации, as printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// Other columns of the approved table, by their header as printed («Нормативный правовой
    /// акт», «Итоговый документ», «Номер целевого показателя»): kept for the documents.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub columns: IndexMap<String, String>,
    /// Indicators (ids) this activity moves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<Id>,
    /// Overrides the roadmap's non-working-day rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift: Option<Shift>,
    /// Overrides the roadmap's reminder settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminders: Option<Reminders>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl Activity {
    /// The number the roadmap table prints in its first column: its own (`number`), else «s.k.»
    /// from its section's and its own position (both from 0).
    pub fn printed_number(&self, section: usize, position: usize) -> String {
        self.number.clone().unwrap_or_else(|| format!("{}.{}.", section + 1, position + 1))
    }
}

/// When reminders and overdue notices go out. Durations: `7d` (calendar days), `5wd` (working days).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reminders {
    /// Reminders before the due date (default `[7d, 1d]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Vec<Lead>>,
    /// A reminder on the morning of the due day (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_due_day: Option<bool>,
    /// How often overdue notices repeat (default `1wd`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue_every: Option<Lead>,
    /// Escalate to the controller and the executor's head after this long overdue (default `3d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_after: Option<Lead>,
    /// Escalate to higher leadership after this long overdue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_higher_after: Option<Lead>,
}

/// A span of days: `7d` calendar days or `5wd` working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Lead(#[schemars(regex(pattern = r"^[0-9]{1,3}(d|wd)$"))] pub String);

//! A meeting protocol (протокол заседания, совещания): who met, what was heard, and the
//! decisions — which carry executors and deadlines ("Срок: до 15 июня 2021 г.") and are
//! tracked like roadmap activities.

use chrono::NaiveDate;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Due, Executor, Group, Id, Period, Person, Reminders, Shift};

/// A protocol document (`kind: protocol`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Protocol {
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: Id,
    /// What met: "заседания совета по вопросам общего и дополнительного образования".
    pub title: String,
    /// The organisation holding the meeting (an executor id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Id>,
    pub date: NaiveDate,
    /// Registration number; absent on a draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Where the protocol was drawn up (requisite 14): "г. Хабаровск".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// How the meeting was held, as the title says it: "в режиме ВКС", "в очном формате".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// A draft (ПРОЕКТ) not yet signed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    /// Deadline phrases are read inside the period; default: the protocol date to the end of the next year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    pub timezone: String,
    /// The region whose holidays count (art. 6 ТК РФ): an ISO 3166-2 code such as `RU-TA`;
    /// default: `[calendar] region` in karta.toml, else the federal calendar alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$"))]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chair: Option<Person>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secretary: Option<Person>,
    /// Present (Присутствовали).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<Attendee>,
    /// Who controls execution of the decisions (an executor id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<Id>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z0-9][a-z0-9-]*$"}))]
    pub executors: IndexMap<Id, Executor>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(extend("propertyNames" = {"pattern": "^[a-z0-9][a-z0-9-]*$"}))]
    pub groups: IndexMap<Id, Group>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift: Option<Shift>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminders: Option<Reminders>,
    /// Повестка дня.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agenda: Vec<AgendaItem>,
    /// РЕШИЛИ: the numbered decisions.
    pub decisions: Vec<Decision>,
}

/// One person present at the meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attendee {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
}

/// One item of the agenda with what was heard on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaItem {
    pub title: String,
    /// СЛУШАЛИ.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub heard: Vec<Speech>,
    /// ВЫСТУПИЛИ.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spoke: Vec<Speech>,
}

/// A speaker and the gist of what they said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Speech {
    pub speaker: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

/// A decision (a point of РЕШИЛИ). With `due` it is tracked like an activity; sub-points inherit
/// its executors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: Id,
    /// The number as printed: "2.1".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The text of the decision.
    pub text: String,
    /// Listed items of the decision text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// Addressees (executor or group ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub executors: Vec<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_each: Option<Id>,
    /// Срок.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Due>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decision>,
}

//! KPI indicators (показатели): what a roadmap promises to move, from a baseline to targets by
//! period, optionally broken down by executor, and values measured along the way. Periods stay
//! as written here; [`period::Period`] reads them, and the checker refuses those it cannot read.

pub mod period;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Id;

/// A measurable target of the roadmap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: Id,
    /// "Доля обучающихся, не преодолевших минимальный порог баллов на ЕГЭ (математика, база)".
    pub title: String,
    /// "%", "чел.", "ед.".
    pub unit: String,
    /// Whether the roadmap wants the value to go down or up.
    pub better: Better,
    /// What the baseline and the targets measure, when the values measure other things too:
    /// "ЕГЭ". Values without a `measure` of their own measure the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<String>,
    /// Values before the roadmap, by period: a year ("2023"), a school year ("2023-2024"), a
    /// month ("2024-03") or a date.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub baseline: IndexMap<String, f64>,
    /// Target values, by period (as `baseline`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub target: IndexMap<String, f64>,
    /// The same baseline and targets per executor (district, school).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub breakdown: IndexMap<Id, Targets>,
    /// Values measured along the way (diagnostic works, preliminary results).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Observation>,
    /// Where the figures come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Which direction of an indicator is an improvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Lower,
    Higher,
}

/// Baseline and targets for one executor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub baseline: IndexMap<String, f64>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub target: IndexMap<String, f64>,
}

/// One measured value of an indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// The period measured: a year ("2024"), a school year ("2023-2024", "2023/2024",
    /// "2023/24"), a month ("2024-03") or a date ("2024-03-15").
    pub period: String,
    /// The series of measurements the value belongs to, when not what the baseline and targets
    /// measure: "Диагностические работы". Values of different measures are never compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<String>,
    /// What the measurement was: "Диагностическая работа 1". Values of one period with
    /// different labels are separate measurements; a later value with the same period and
    /// label replaces the earlier one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub value: f64,
    /// The executor measured, when not the whole roadmap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor: Option<Id>,
    /// Where the figure comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// A remark on the value, shown beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

//! Target against actual for the indicators of one roadmap.

use chrono::NaiveDate;
use serde::Serialize;

use super::requisites::Requisites;
use super::{Mark, Missing, Org, Signer, roadmap_of, written_title};
use crate::check::Unit;
use crate::model::{Indicator, Observation};

/// Target against actual for the indicators of one roadmap.
#[derive(Debug, Serialize)]
pub struct IndicatorsDoc {
    pub id: String,
    pub org: Org,
    pub as_of: NaiveDate,
    pub title: String,
    pub indicators: Vec<IndicatorDoc>,
    pub signer: Option<Signer>,
    pub mark: Option<Mark>,
    /// Requisites the directory lacks: blanks in the document, warnings from `render`.
    pub missing: Vec<Missing>,
}

#[derive(Debug, Serialize)]
pub struct IndicatorDoc {
    pub number: usize,
    pub id: String,
    pub title: String,
    pub unit: String,
    /// "lower" or "higher".
    pub better: String,
    pub years: Vec<YearRow>,
    /// "улучшение", "ухудшение", "без изменений", or absent without two values to compare.
    pub trend: Option<String>,
    pub source: Option<String>,
    /// The chart, an SVG document (already escaped; embed as is).
    pub svg: String,
}

#[derive(Debug, Serialize, Clone)]
pub struct YearRow {
    pub year: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub actual: Option<f64>,
    /// Whether the actual value meets the target.
    pub met: Option<bool>,
}

/// Indicator values recorded in the store (`karta value`), by indicator id.
pub type Recorded = [(String, Observation)];

pub fn indicators_doc(unit: &Unit, as_of: NaiveDate, recorded: &Recorded) -> IndicatorsDoc {
    let mut req = Requisites::new(unit);
    let (org, signer, mark) = req.report();
    IndicatorsDoc {
        id: unit.id.clone(),
        org,
        signer,
        mark,
        missing: req.missing,
        as_of,
        title: written_title(unit),
        indicators: indicators(unit, as_of, recorded),
    }
}

pub(super) fn indicators(unit: &Unit, as_of: NaiveDate, recorded: &Recorded) -> Vec<IndicatorDoc> {
    let Some(r) = roadmap_of(unit) else { return Vec::new() };
    r.indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| {
            let extra = recorded.iter().filter(|(id, _)| *id == ind.id).map(|(_, o)| o);
            indicator(i + 1, ind, as_of, extra)
        })
        .collect()
}

fn indicator<'a>(
    number: usize,
    ind: &'a Indicator,
    as_of: NaiveDate,
    recorded: impl Iterator<Item = &'a Observation>,
) -> IndicatorDoc {
    let mut years: Vec<String> = ind.baseline.keys().chain(ind.target.keys()).cloned().collect();
    // Values measured by `as_of`, for the whole roadmap (no executor), the last one per year.
    let mut actual: std::collections::BTreeMap<String, f64> = Default::default();
    for v in ind.values.iter().chain(recorded).filter(|v| v.executor.is_none()) {
        let year: String = v.period.chars().take(4).collect();
        let measured = NaiveDate::parse_from_str(&v.period, "%Y-%m-%d")
            .ok()
            .or_else(|| NaiveDate::parse_from_str(&format!("{}-01", v.period), "%Y-%m-%d").ok())
            .or_else(|| year.parse().ok().and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)));
        if measured.is_some_and(|m| m <= as_of) {
            years.push(year.clone());
            actual.insert(year, v.value);
        }
    }
    years.sort();
    years.dedup();
    let lower = matches!(ind.better, crate::model::Better::Lower);
    let rows: Vec<YearRow> = years
        .iter()
        .map(|y| {
            let target = ind.target.get(y).copied();
            let actual = actual.get(y).copied();
            YearRow {
                year: y.clone(),
                baseline: ind.baseline.get(y).copied(),
                target,
                actual,
                met: target.zip(actual).map(|(t, a)| if lower { a <= t } else { a >= t }),
            }
        })
        .collect();
    let measured: Vec<f64> = rows.iter().filter_map(|r| r.actual.or(r.baseline)).collect();
    let trend = match measured.as_slice() {
        [.., a, b] if (b - a).abs() < 1e-9 => Some("без изменений".to_string()),
        [.., a, b] => Some(if (b < a) == lower { "улучшение" } else { "ухудшение" }.to_string()),
        _ => None,
    };
    IndicatorDoc {
        number,
        id: ind.id.clone(),
        title: ind.title.clone(),
        unit: ind.unit.clone(),
        better: if lower { "lower" } else { "higher" }.into(),
        svg: crate::render::chart::svg(&ind.title, &ind.unit, &rows),
        years: rows,
        trend,
        source: ind.source.clone(),
    }
}

//! Target against actual for the indicators of one roadmap: a summary row per indicator, then
//! each indicator's series (see [`series`]) with their rows, trends and a chart. Values of
//! different series (an exam year, a school year's diagnostic works) are never put in one row
//! or compared.

mod series;

use chrono::NaiveDate;
use serde::Serialize;

use super::requisites::Requisites;
use super::{Mark, Missing, Org, Signer, written_title};
use crate::check::Unit;
use crate::model::period::Kind;
use crate::model::{Better, Indicator, Observation};
use crate::render::chart;
use crate::ru;
use series::{Point, Series};

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
    /// What the baseline and targets measure ("ЕГЭ"), when the roadmap says.
    pub measure: Option<String>,
    /// The series of the baseline and targets, one row per period (what the status report
    /// shows); the other series are in `series`.
    pub years: Vec<YearRow>,
    /// Every series, the targets' first.
    pub series: Vec<SeriesDoc>,
    /// Whether there is more than one series (the tables then name each).
    pub grouped: bool,
    /// The trend of the targets' series, in words with the points compared:
    /// «ухудшение, 0,98 (2023) → 3,8 (2024)».
    pub trend: Option<String>,
    /// The indicator's line in the summary table.
    pub summary: Summary,
    pub source: Option<String>,
    pub notes: Option<String>,
    /// The chart, an SVG document (already escaped; embed as is).
    pub svg: String,
}

/// A period of the targets' series: baseline, target, the last value measured, whether met.
#[derive(Debug, Serialize, Clone)]
pub struct YearRow {
    /// The period in words: «2024», «2023/2024 уч. г.», «март 2024 г.».
    pub year: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub actual: Option<f64>,
    /// Whether the actual value meets the target.
    pub met: Option<bool>,
}

/// One series of values of one kind of period and one measure.
#[derive(Debug, Serialize)]
pub struct SeriesDoc {
    /// «ЕГЭ, по календарным годам», «Диагностические работы, 2023/2024 уч. г.».
    pub name: String,
    /// "year", "school_year", "month" or "day".
    pub kind: &'static str,
    pub measure: Option<String>,
    /// Whether the baseline and targets are in this series.
    pub main: bool,
    pub rows: Vec<Row>,
    pub trend: Option<Trend>,
}

/// One period, or one named measurement of a period.
#[derive(Debug, Serialize)]
pub struct Row {
    /// In words: «2024», «2023/2024 уч. г.».
    pub period: String,
    /// «Диагностическая работа 1».
    pub label: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub actual: Option<f64>,
    pub met: Option<bool>,
    pub source: Option<String>,
    pub notes: Option<String>,
}

/// The change between two points of one series.
#[derive(Debug, Serialize, Clone)]
pub struct Trend {
    /// «улучшение», «ухудшение» or «без изменений», taking `better` into account.
    pub word: &'static str,
    /// The points compared: «2023», «Диагностическая работа 2».
    pub from: String,
    pub to: String,
    /// «2023 → 2024».
    pub between: String,
    /// «ухудшение, 0,98 (2023) → 3,8 (2024)».
    pub text: String,
}

/// An indicator's line in the summary table: all from the targets' series.
#[derive(Debug, Serialize, Default)]
pub struct Summary {
    /// A heading row before this line: what this and the next indicators' titles share, with
    /// the unit («Доля обучающихся, не преодолевших … на ЕГЭ, %»); only on the first of them.
    pub group: Option<String>,
    /// The line's name: the title with the unit, or, under a heading, what is particular to
    /// this indicator («математика, база»).
    pub name: String,
    /// The latest baseline.
    pub baseline: Option<Figure>,
    /// The target of the period `as_of` falls in, else the next one, else the last.
    pub target: Option<Figure>,
    /// The latest value measured.
    pub actual: Option<Figure>,
    /// Whether the target's period has a value that meets it; none without such a value.
    pub met: Option<bool>,
    pub trend: Option<Trend>,
}

/// A value with its period.
#[derive(Debug, Serialize)]
pub struct Figure {
    pub value: f64,
    pub period: String,
    pub label: Option<String>,
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
    let Some(r) = unit.roadmap() else { return Vec::new() };
    let mut docs: Vec<IndicatorDoc> = r
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| {
            let extra = recorded.iter().filter(|(id, _)| *id == ind.id).map(|(_, o)| o);
            indicator(i + 1, ind, as_of, extra)
        })
        .collect();
    name_lines(&mut docs);
    docs
}

/// Names the summary's lines, putting what consecutive titles share into one heading: the
/// seeds' indicators differ only in the subject in parentheses, and the summary must fit a page.
fn name_lines(docs: &mut [IndicatorDoc]) {
    let split = |d: &IndicatorDoc| -> Option<(String, String)> {
        let inner = d.title.strip_suffix(')')?;
        let (head, tail) = inner.rsplit_once(" (")?;
        (!head.trim().is_empty() && !tail.trim().is_empty()).then(|| (head.to_string(), tail.to_string()))
    };
    let keys: Vec<Option<(String, String)>> = docs.iter().map(split).collect();
    let units: Vec<String> = docs.iter().map(|d| d.unit.clone()).collect();
    let shared = |i: usize, j: usize| match (&keys[i], &keys[j]) {
        (Some((a, _)), Some((b, _))) => a == b && units[i] == units[j],
        _ => false,
    };
    for i in 0..docs.len() {
        let before = i > 0 && shared(i - 1, i);
        let after = i + 1 < docs.len() && shared(i, i + 1);
        let d = &mut docs[i];
        let with_unit = |text: &str| if d.unit.is_empty() { text.to_string() } else { format!("{text}, {}", d.unit) };
        match &keys[i] {
            Some((head, tail)) if before || after => {
                d.summary.group = (!before).then(|| with_unit(head));
                d.summary.name = tail.clone();
            }
            _ => d.summary.name = with_unit(&d.title),
        }
    }
}

fn indicator<'a>(
    number: usize,
    ind: &'a Indicator,
    as_of: NaiveDate,
    recorded: impl Iterator<Item = &'a Observation>,
) -> IndicatorDoc {
    let all = series::series(ind, as_of, recorded);
    let main = all.iter().find(|s| s.main);
    let docs: Vec<SeriesDoc> = all.iter().map(|s| series_doc(s, ind.better)).collect();
    let values = all.iter().flat_map(|s| &s.points).flat_map(|p| [p.baseline, p.target, p.actual]).flatten();
    let integer = series::counts(&ind.unit, values);
    let groups: Vec<chart::Group> = all.iter().zip(&docs).map(|(s, d)| group(s, d)).collect();
    IndicatorDoc {
        number,
        id: ind.id.clone(),
        title: ind.title.clone(),
        unit: ind.unit.clone(),
        better: if ind.better == Better::Lower { "lower" } else { "higher" }.into(),
        measure: ind.measure.clone(),
        years: main.map(|s| years(s, ind.better)).unwrap_or_default(),
        trend: docs.iter().find(|d| d.main).and_then(|d| d.trend.as_ref()).map(|t| t.text.clone()),
        summary: main.map(|s| summary(s, ind.better, as_of)).unwrap_or_default(),
        grouped: docs.len() > 1,
        series: docs,
        source: ind.source.clone(),
        notes: ind.notes.clone(),
        svg: chart::svg(&ind.title, &ind.unit, &groups, integer),
    }
}

fn series_doc(s: &Series, better: Better) -> SeriesDoc {
    SeriesDoc {
        name: s.name(),
        kind: match s.kind {
            Kind::Year => "year",
            Kind::SchoolYear => "school_year",
            Kind::Month => "month",
            Kind::Day => "day",
        },
        measure: s.measure.clone(),
        main: s.main,
        rows: s
            .points
            .iter()
            .map(|p| Row {
                period: p.period.words(),
                label: p.label.clone(),
                baseline: p.baseline,
                target: p.target,
                actual: p.actual,
                met: p.met(better),
                source: p.source.clone(),
                notes: p.notes.clone(),
            })
            .collect(),
        trend: trend(s, better),
    }
}

fn trend(s: &Series, better: Better) -> Option<Trend> {
    let (a, b) = s.trend_points()?;
    let (x, y) = (a.value()?, b.value()?);
    let word = if (y - x).abs() < 1e-9 {
        "без изменений"
    } else if (y < x) == (better == Better::Lower) {
        "улучшение"
    } else {
        "ухудшение"
    };
    let (from, to) = (s.point_name(a), s.point_name(b));
    let text = format!("{word}, {} ({from}) → {} ({to})", ru::decimal(x), ru::decimal(y));
    // Narrow no-break spaces keep «2023 → 2024» on one line of a narrow column.
    Some(Trend { word, between: format!("{from}\u{202f}→\u{202f}{to}"), from, to, text })
}

/// The targets' series with one row per period, the period's last value as its actual.
fn years(s: &Series, better: Better) -> Vec<YearRow> {
    let mut out: Vec<(crate::model::period::Period, Point)> = Vec::new();
    for p in &s.points {
        match out.last_mut() {
            Some((period, row)) if *period == p.period => {
                row.baseline = p.baseline.or(row.baseline);
                row.target = p.target.or(row.target);
                row.actual = p.actual.or(row.actual);
            }
            _ => out.push((p.period, p.clone())),
        }
    }
    out.into_iter()
        .map(|(period, p)| YearRow {
            year: period.words(),
            baseline: p.baseline,
            target: p.target,
            actual: p.actual,
            met: p.met(better),
        })
        .collect()
}

fn summary(s: &Series, better: Better, as_of: NaiveDate) -> Summary {
    // Only a measured value has a label: baselines and targets are of the period.
    let figure = |p: &Point, value: f64| Figure { value, period: p.period.words(), label: None };
    let targets: Vec<&Point> = s.points.iter().filter(|p| p.target.is_some()).collect();
    let current = targets
        .iter()
        .find(|p| p.period.contains(as_of))
        .or_else(|| targets.iter().find(|p| p.period.start() > as_of))
        .or(targets.last())
        .copied();
    Summary {
        group: None,
        name: String::new(),
        baseline: s.points.iter().rev().find_map(|p| p.baseline.map(|v| figure(p, v))),
        target: current.and_then(|p| p.target.map(|v| figure(p, v))),
        actual: s
            .points
            .iter()
            .rev()
            .find_map(|p| p.actual.map(|value| Figure { value, period: p.period.words(), label: p.label.clone() })),
        met: current.and_then(|p| p.met(better)),
        trend: trend(s, better),
    }
}

/// A series as the chart draws it.
fn group(s: &Series, d: &SeriesDoc) -> chart::Group {
    chart::Group {
        name: d.name.clone(),
        short: s.measure.clone().unwrap_or_else(|| d.name.clone()),
        main: s.main,
        bars: s
            .points
            .iter()
            .map(|p| chart::Bar {
                label: s.point_name(p),
                title: match &p.label {
                    Some(l) => format!("{l}, {}", p.period.words()),
                    None => p.period.words(),
                },
                baseline: p.baseline,
                target: p.target,
                actual: p.actual,
            })
            .collect(),
    }
}

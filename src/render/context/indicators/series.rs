//! An indicator's figures as series. A series is one kind of period (calendar year, school
//! year, month, day) and one measure ("ЕГЭ", "Диагностические работы"): the baseline, targets
//! and values of one series are compared with each other, never with another series'. Within a
//! series a point is one period, or one named measurement of a period ("Диагностическая работа
//! 2" of 2023/2024); a later value of the same period and label replaces the earlier one.

use chrono::NaiveDate;

use crate::model::period::{Kind, Period};
use crate::model::{Better, Indicator, Observation};

/// One series, before it is worded for the documents.
#[derive(Debug, Clone)]
pub(super) struct Series {
    pub kind: Kind,
    pub measure: Option<String>,
    /// Holds the baseline and targets (or, without them, the latest value).
    pub main: bool,
    /// In order of period; measurements of one period in the order written.
    pub points: Vec<Point>,
}

#[derive(Debug, Clone)]
pub(super) struct Point {
    pub period: Period,
    pub label: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub actual: Option<f64>,
    pub source: Option<String>,
    pub notes: Option<String>,
}

impl Point {
    fn new(period: Period, label: Option<String>) -> Point {
        Point { period, label, baseline: None, target: None, actual: None, source: None, notes: None }
    }

    /// The value measured, else the baseline: what a trend compares.
    pub fn value(&self) -> Option<f64> {
        self.actual.or(self.baseline)
    }

    /// Whether the actual value meets the target of the same point.
    pub fn met(&self, better: Better) -> Option<bool> {
        self.target.zip(self.actual).map(|(t, a)| if better == Better::Lower { a <= t } else { a >= t })
    }
}

impl Series {
    /// Whether the series is several measurements of one period (the diagnostic works of one
    /// school year): its points are then named by their labels.
    pub fn one_period(&self) -> bool {
        self.points.len() > 1 && self.points.windows(2).all(|w| w[0].period == w[1].period)
    }

    /// «ЕГЭ, по календарным годам», «Диагностические работы, 2023/2024 уч. г.», «По месяцам».
    pub fn name(&self) -> String {
        let when = match self.points.first() {
            Some(p) if self.one_period() => p.period.words(),
            _ => self.kind.words().to_string(),
        };
        match &self.measure {
            Some(m) => format!("{m}, {when}"),
            None => capitalised(&when),
        }
    }

    /// How a point is named in a trend or a chart: its label within one period, else its period.
    pub fn point_name(&self, p: &Point) -> String {
        match &p.label {
            Some(l) if self.one_period() => l.clone(),
            _ => p.period.words(),
        }
    }

    /// The two points a trend compares: the latest value against the latest value of an
    /// earlier period, or, when the series has one period, against the measurement before it.
    pub fn trend_points(&self) -> Option<(&Point, &Point)> {
        let valued: Vec<&Point> = self.points.iter().filter(|p| p.value().is_some()).collect();
        let (last, earlier) = valued.split_last()?;
        let previous = if self.one_period() {
            earlier.last()
        } else {
            earlier.iter().rev().find(|p| p.period.start() < last.period.start())
        };
        previous.map(|p| (*p, *last))
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The series of an indicator at `as_of`: its own values and `recorded` ones for the whole
/// roadmap, those of periods begun by `as_of`; the targets' series first.
pub(super) fn series<'a>(
    ind: &'a Indicator,
    as_of: NaiveDate,
    recorded: impl Iterator<Item = &'a Observation>,
) -> Vec<Series> {
    let read = |m: &indexmap::IndexMap<String, f64>| -> Vec<(Period, f64)> {
        m.iter().filter_map(|(k, v)| Period::parse(k).ok().map(|p| (p, *v))).collect()
    };
    let (baseline, target) = (read(&ind.baseline), read(&ind.target));
    let mut out: Vec<Series> = Vec::new();
    // The targets' series comes first, even before any value.
    if let Some((p, _)) = target.first().or(baseline.first()) {
        let i = find(&mut out, p.kind(), ind.measure.as_ref());
        out[i].main = true;
    }
    for v in ind.values.iter().chain(recorded).filter(|v| v.executor.is_none()) {
        let Ok(period) = Period::parse(&v.period) else { continue };
        if period.start() > as_of {
            continue;
        }
        let i = find(&mut out, period.kind(), v.measure.as_ref().or(ind.measure.as_ref()));
        let points = &mut out[i].points;
        let at = match points.iter().position(|p| p.period == period && p.label == v.label) {
            Some(at) => at,
            None => {
                points.push(Point::new(period, v.label.clone()));
                points.len() - 1
            }
        };
        let p = &mut points[at];
        (p.actual, p.source, p.notes) = (Some(v.value), v.source.clone(), v.notes.clone());
    }
    for s in &mut out {
        s.points.sort_by_key(|p| p.period.start());
    }
    for (list, is_target) in [(&baseline, false), (&target, true)] {
        for (period, value) in list {
            let i = find(&mut out, period.kind(), ind.measure.as_ref());
            let points = &mut out[i].points;
            // On the period's last measurement: that is the value a target is judged by.
            let at = match points.iter().rposition(|p| p.period == *period) {
                Some(at) => at,
                None => {
                    let at = points.iter().position(|p| p.period.start() > period.start()).unwrap_or(points.len());
                    points.insert(at, Point::new(*period, None));
                    at
                }
            };
            *(if is_target { &mut points[at].target } else { &mut points[at].baseline }) = Some(*value);
        }
    }
    if !out.iter().any(|s| s.main) {
        // Without a baseline or targets, the series measured last stands for the indicator.
        let latest = out
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.points.last().map(|p| (i, p.period.end())))
            .max_by_key(|&(i, end)| (end, std::cmp::Reverse(i)));
        if let Some((i, _)) = latest {
            out[i].main = true;
        }
    }
    out.sort_by_key(|s| !s.main);
    out.retain(|s| !s.points.is_empty());
    out
}

/// The index of the series of `kind` and `measure`, made when missing.
fn find(out: &mut Vec<Series>, kind: Kind, measure: Option<&String>) -> usize {
    match out.iter().position(|s| s.kind == kind && s.measure.as_ref() == measure) {
        Some(i) => i,
        None => {
            out.push(Series { kind, measure: measure.cloned(), main: false, points: Vec::new() });
            out.len() - 1
        }
    }
}

/// Whether an indicator counts things (people, schools), so its axis steps by whole numbers.
pub(super) fn counts(unit: &str, values: impl IntoIterator<Item = f64>) -> bool {
    const WORDS: [&str; 17] = [
        "чел",
        "человек",
        "ед",
        "единиц",
        "шт",
        "оо",
        "школ",
        "школы",
        "организаций",
        "учреждений",
        "педагогов",
        "учителей",
        "участников",
        "обучающихся",
        "выпускников",
        "мероприятий",
        "классов",
    ];
    let unit = unit.trim().to_lowercase();
    let word = unit.split(|c: char| c.is_whitespace() || c == '.').next().unwrap_or_default();
    let mut values = values.into_iter().peekable();
    WORDS.contains(&word) || (values.peek().is_some() && values.all(|v| v.fract() == 0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_that_count() {
        for unit in ["чел.", "человек", "ед.", "шт.", "ОО", "школ", "Чел"] {
            assert!(counts(unit, [0.5]), "{unit}");
        }
        assert!(!counts("%", [0.98, 3.0]));
        assert!(counts("%", [1.0, 3.0]), "all values whole");
        assert!(!counts("%", []), "no values");
        assert!(!counts("баллов", [62.5]));
    }
}

//! The figures of one year of a calendar, as an accountant checks them against the published
//! production calendar: the special days with their basis and layer, and per month the
//! calendar days, working days, days off, shortened days and the 40-hour norm. Computed from
//! the merged calendar only; rendering is plain text or JSON (serde).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{Calendar, Kind, Origin};

/// One year's figures.
#[derive(Debug, Clone, Serialize)]
pub struct YearReport {
    pub year: i32,
    pub region: Option<String>,
    /// Whether the year's transfers (the decree) are in the calendar.
    pub complete: bool,
    pub layers: Vec<LayerRef>,
    pub days: Vec<Day>,
    pub months: Vec<Figures>,
    pub total: Figures,
}

/// A layer in force.
#[derive(Debug, Clone, Serialize)]
pub struct LayerRef {
    pub label: String,
    pub origin: Origin,
    pub source: String,
}

/// A special day and what set it.
#[derive(Debug, Clone, Serialize)]
pub struct Day {
    pub date: NaiveDate,
    pub weekday: &'static str,
    pub kind: Kind,
    pub note: String,
    pub layer: String,
}

/// Counts for a month (1–12) or the year (month 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub month: u32,
    pub calendar_days: u32,
    pub working_days: u32,
    pub days_off: u32,
    pub shortened: u32,
    /// The norm of a 40-hour week: 8 h a working day, 1 h less on a shortened one.
    pub hours_40: u32,
}

impl std::ops::AddAssign for Figures {
    fn add_assign(&mut self, o: Figures) {
        self.calendar_days += o.calendar_days;
        self.working_days += o.working_days;
        self.days_off += o.days_off;
        self.shortened += o.shortened;
        self.hours_40 += o.hours_40;
    }
}

/// The figures of `year` in `calendar`.
pub fn year(calendar: &Calendar, year: i32) -> YearReport {
    let layers = calendar.layers();
    let days = calendar
        .special_days(year)
        .flat_map(|(date, sets)| {
            sets.iter().map(move |s| Day {
                date,
                weekday: super::weekday_name(date),
                kind: s.kind,
                note: s.note.clone(),
                layer: layers.get(s.layer).map(super::Layer::label).unwrap_or_default(),
            })
        })
        .collect();
    let months: Vec<Figures> = (1..=12).map(|m| month(calendar, year, m)).collect();
    let mut total = Figures::default();
    for m in &months {
        total += *m;
    }
    YearReport {
        year,
        region: calendar.region().map(str::to_string),
        complete: calendar.covers(year),
        layers: layers
            .iter()
            .map(|l| LayerRef { label: l.label(), origin: l.origin.clone(), source: l.source.clone() })
            .collect(),
        days,
        months,
        total,
    }
}

/// The figures of one month.
pub fn month(calendar: &Calendar, year: i32, month: u32) -> Figures {
    let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else { return Figures { month, ..Figures::default() } };
    let mut f = Figures { month, ..Figures::default() };
    for d in first.iter_days().take_while(|d| d.month() == month) {
        f.calendar_days += 1;
        if calendar.is_working(d) {
            f.working_days += 1;
            let short = calendar.is_shortened(d);
            f.shortened += u32::from(short);
            f.hours_40 += if short { 7 } else { 8 };
        } else {
            f.days_off += 1;
        }
    }
    f
}

const MONTHS: [&str; 12] = [
    "январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
];

fn kind_ru(k: Kind) -> &'static str {
    match k {
        Kind::Holiday => "праздник",
        Kind::TransferredDayOff => "перенесённый выходной",
        Kind::WorkingWeekend => "рабочий выходной",
        Kind::Shortened => "сокращённый день",
    }
}

impl YearReport {
    /// The report as text (Russian, as the published calendars are).
    pub fn text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let region = self.region.as_deref().map(|r| format!(", регион {r}")).unwrap_or_default();
        let _ = writeln!(s, "Производственный календарь на {} год{} (пятидневная неделя)", self.year, region);
        if !self.complete {
            let _ = writeln!(
                s,
                "ВНИМАНИЕ: переносов выходных на {} год в календаре нет (постановление не внесено): \
                 рабочие дни считаются по праздникам и выходным без переносов",
                self.year
            );
        }
        let _ = writeln!(s, "Слои (позднее сильнее):");
        for l in &self.layers {
            let _ = writeln!(s, "  {} — {}", l.label, l.source);
        }
        let _ = writeln!(s, "\nОсобые дни:");
        for d in &self.days {
            let _ = writeln!(
                s,
                "  {} {:<11} {:<22} {}  [{}]",
                d.date.format("%d.%m.%Y"),
                d.weekday,
                kind_ru(d.kind),
                d.note,
                d.layer
            );
        }
        let _ = writeln!(s, "\n{:<10} {:>5} {:>8} {:>9} {:>11} {:>12}", "месяц", "дней", "рабочих", "выходных", "сокращённых", "часов (40 ч)");
        for m in &self.months {
            let name = MONTHS.get(m.month as usize - 1).copied().unwrap_or_default();
            let _ = writeln!(s, "{}", row(name, m));
        }
        let _ = writeln!(s, "{}", row("год", &self.total));
        s
    }
}

fn row(name: &str, f: &Figures) -> String {
    format!(
        "{:<10} {:>5} {:>8} {:>9} {:>11} {:>12}",
        name, f.calendar_days, f.working_days, f.days_off, f.shortened, f.hours_40
    )
}

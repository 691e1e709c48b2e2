//! The figures of one year of a calendar, as an accountant checks them against the published
//! production calendar: the special days with their basis and layer, and per month the
//! calendar days, working days, days off, shortened days and the 40-hour norm. Computed from
//! the merged calendar only; rendering is plain text or JSON (serde).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{Calendar, Kind, Origin};
use crate::diag::Lang;
use crate::say;

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

fn kind_name(k: Kind, lang: Lang) -> &'static str {
    match k {
        Kind::Holiday => lang.pick("праздник", "holiday"),
        Kind::TransferredDayOff => lang.pick("перенесённый выходной", "transferred day off"),
        Kind::WorkingWeekend => lang.pick("рабочий выходной", "working weekend day"),
        Kind::Shortened => lang.pick("сокращённый день", "shortened day"),
    }
}

impl YearReport {
    /// The report as text, in Russian (as the published calendars are) or English; the days'
    /// notes are the calendar's own words.
    pub fn text(&self, lang: Lang) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let region = self.region.as_deref().map(|r| say!(lang, ", регион {}", r; ", region {}", r)).unwrap_or_default();
        let _ = writeln!(
            s,
            "{}",
            say!(lang, "Производственный календарь на {} год{} (пятидневная неделя)", self.year, region;
                "Production calendar for {}{} (five-day week)", self.year, region)
        );
        if !self.complete {
            let _ = writeln!(
                s,
                "{}",
                say!(lang,
                    "ВНИМАНИЕ: переносов выходных на {} год в календаре нет (постановление не внесено): \
                     рабочие дни считаются по праздникам и выходным без переносов", self.year;
                    "NOTE: the calendar has no transfers of days off for {} (no decree entered): \
                     working days are counted from holidays and weekends without transfers", self.year)
            );
        }
        let _ = writeln!(s, "{}", lang.pick("Слои (позднее сильнее):", "Layers (later ones win):"));
        for l in &self.layers {
            let _ = writeln!(s, "  {} — {}", l.label, l.source);
        }
        let _ = writeln!(s, "\n{}", lang.pick("Особые дни:", "Special days:"));
        for d in &self.days {
            let _ = writeln!(
                s,
                "  {} {:<11} {:<22} {}  [{}]",
                d.date.format("%d.%m.%Y"),
                lang.weekday(d.date),
                kind_name(d.kind, lang),
                d.note,
                d.layer
            );
        }
        let head = match lang {
            Lang::Ru => ["месяц", "дней", "рабочих", "выходных", "сокращённых", "часов (40 ч)"],
            Lang::En => ["month", "days", "working", "days off", "shortened", "hours (40 h)"],
        };
        let _ = writeln!(
            s,
            "\n{:<10} {:>5} {:>8} {:>9} {:>11} {:>12}",
            head[0], head[1], head[2], head[3], head[4], head[5]
        );
        for m in &self.months {
            let _ = writeln!(s, "{}", row(lang.month(m.month), m));
        }
        let _ = writeln!(s, "{}", row(lang.pick("год", "year"), &self.total));
        s
    }
}

fn row(name: &str, f: &Figures) -> String {
    format!(
        "{:<10} {:>5} {:>8} {:>9} {:>11} {:>12}",
        name, f.calendar_days, f.working_days, f.days_off, f.shortened, f.hours_40
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Published figures of the federal five-day-week calendar (see data/README.md and
    /// data/calendars/README.md for the sources): months or quarters, working days, and the
    /// 40-hour norm where the source gives it.
    /// Year, months, working days, 40-hour norm (if published), source.
    type Published = (i32, &'static [u32], u32, Option<u32>, &'static str);

    const PUBLISHED: &[Published] = &[
        (2021, &[1], 15, None, "mishki163.ru, data/README.md"),
        (2021, &[2], 19, None, "mishki163.ru"),
        (2021, &[1, 2, 3], 56, Some(447), "mishki163.ru: I квартал 56 дней / 447 ч"),
        (2021, &[4, 5, 6], 62, Some(494), "mishki163.ru: II квартал 62 дня / 494 ч"),
        (2022, &[1, 2, 3], 57, Some(454), "zavkuban.ru: I квартал 57 / 454 ч"),
        (2022, &[4, 5, 6], 60, Some(480), "zavkuban.ru: II квартал 60 / 480 ч"),
        (2023, &[1, 2, 3], 57, Some(454), "ria.ru: I квартал 57 дней / 454 ч"),
        (2024, &[4], 21, None, "data/README.md"),
        (2024, &[11], 21, None, "data/README.md"),
        (2026, &[1], 15, None, "news.mail.ru, riamo.ru, bfm.ru"),
        (2026, &[7], 23, None, "news.mail.ru, riamo.ru, bfm.ru"),
        (2026, &[1, 2, 3], 55, Some(440), "4dk.ru/s/calendar: I квартал 55 / 440 ч"),
        (2026, &[4, 5, 6], 62, Some(493), "4dk.ru/s/calendar: II квартал 62 / 493 ч"),
        (2026, &[7, 8, 9], 66, Some(528), "4dk.ru/s/calendar: III квартал 66 / 528 ч"),
        (2026, &[10, 11, 12], 64, Some(511), "4dk.ru/s/calendar: IV квартал 64 / 511 ч"),
        (2026, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 247, Some(1972), "4dk.ru/s/calendar: год 247 / 1972 ч"),
    ];

    #[test]
    fn federal_figures_equal_the_published_calendar() {
        let calendar = Calendar::russia();
        for (year, months, days, hours, source) in PUBLISHED {
            let mut sum = Figures::default();
            for m in *months {
                sum += month(calendar, *year, *m);
            }
            assert_eq!(sum.working_days, *days, "{year} {months:?} ({source})");
            if let Some(h) = hours {
                assert_eq!(sum.hours_40, *h, "{year} {months:?} hours ({source})");
            }
        }
    }

    #[test]
    fn the_year_report_counts_what_the_months_count() {
        let calendar = Calendar::russia().for_region(Some("RU-TA"));
        let r = year(calendar, 2026);
        assert_eq!(r.total.calendar_days, 365);
        assert_eq!(r.total.working_days + r.total.days_off, 365);
        // Tatarstan: the federal 247 less Ураза-байрам (Fri 20.03), Курбан-байрам (Wed 27.05)
        // and the Constitution Day (Fri 06.11); the Republic Day fell on a Sunday.
        assert_eq!(r.total.working_days, 244);
        assert_eq!(r.months[2].working_days, 20, "March");
        assert!(r.days.iter().any(
            |d| d.layer.starts_with("RU-TA") && d.date == NaiveDate::from_ymd_opt(2026, 5, 27).unwrap_or_default()
        ));
        assert!(!year(Calendar::russia(), 2027).complete, "no decree for 2027 is in the data");
    }
}

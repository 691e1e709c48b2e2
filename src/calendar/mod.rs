//! The Russian Federation production calendar (производственный календарь): which days are
//! working days, with the government's transfers of days off, and the arithmetic on them
//! that deadlines need. The data is `data/ru-production-calendar.tsv`, compiled into the
//! binary. Also the conversion of a due date to an instant in a time zone.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;

use crate::model::Shift;

const DATA: &str = include_str!("../../data/ru-production-calendar.tsv");

/// What the calendar says about a special date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    /// A public holiday or a day off transferred onto a weekday.
    DayOff,
    /// A Saturday or Sunday made a working day.
    WorkingWeekend,
}

/// The production calendar: weekends, holidays and transfers for the years it covers.
#[derive(Debug)]
pub struct Calendar {
    special: BTreeMap<NaiveDate, Special>,
    shortened: BTreeSet<NaiveDate>,
    covered: BTreeSet<i32>,
}

impl Calendar {
    /// The federal calendar shipped with karta.
    pub fn russia() -> &'static Calendar {
        static CALENDAR: OnceLock<Calendar> = OnceLock::new();
        CALENDAR.get_or_init(|| Calendar::parse(DATA))
    }

    /// Reads the TSV format (`date<TAB>type<TAB>note`). Malformed lines are skipped: the
    /// shipped file is checked by tests, so this never sees user input.
    pub fn parse(text: &str) -> Calendar {
        let mut special = BTreeMap::new();
        let mut shortened = BTreeSet::new();
        let mut years = BTreeSet::new();
        let mut decreed = BTreeSet::new();
        for line in text.lines().skip(1) {
            let mut fields = line.split('\t');
            let (Some(date), Some(kind)) = (fields.next(), fields.next()) else { continue };
            let Ok(date) = NaiveDate::parse_from_str(date, "%Y-%m-%d") else { continue };
            years.insert(date.year());
            match kind {
                "holiday" => {
                    special.insert(date, Special::DayOff);
                }
                "transferred_day_off" => {
                    special.insert(date, Special::DayOff);
                    decreed.insert(date.year());
                }
                "working_weekend" => {
                    special.insert(date, Special::WorkingWeekend);
                    decreed.insert(date.year());
                }
                "shortened" => {
                    shortened.insert(date);
                    decreed.insert(date.year());
                }
                _ => {}
            }
        }
        // A year counts as covered only when the decree on transfers is in the data
        // (a year with holidays alone, like 2027 in the shipped file, is not).
        let covered = years.intersection(&decreed).copied().collect();
        Calendar { special, shortened, covered }
    }

    /// Whether the calendar knows the transfers of `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.covered.contains(&year)
    }

    /// The first and last year covered.
    pub fn years(&self) -> Option<(i32, i32)> {
        Some((*self.covered.first()?, *self.covered.last()?))
    }

    pub fn is_working(&self, date: NaiveDate) -> bool {
        match self.special.get(&date) {
            Some(Special::DayOff) => false,
            Some(Special::WorkingWeekend) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// A working day one hour shorter (предпраздничный).
    pub fn is_shortened(&self, date: NaiveDate) -> bool {
        self.shortened.contains(&date)
    }

    /// Working days in a calendar year.
    pub fn working_days_in_year(&self, year: i32) -> usize {
        let Some(first) = NaiveDate::from_ymd_opt(year, 1, 1) else { return 0 };
        first.iter_days().take_while(|d| d.year() == year).filter(|d| self.is_working(*d)).count()
    }

    /// Working days strictly after `from` up to and including `to` (negative when `to` < `from`).
    /// Counted by arithmetic on whole weeks plus the calendar's exceptions in the range, so a
    /// long overdue stretch costs no more than a short one.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (a, b, sign) = if from <= to { (from, to, 1) } else { (to, from, -1) };
        let Some(start) = a.succ_opt() else { return 0 };
        if start > b {
            return 0;
        }
        let mut n = weekdays_through(b) - weekdays_through(a);
        for (date, kind) in self.special.range(start..=b) {
            let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
            match (kind, weekend) {
                (Special::DayOff, false) => n -= 1,
                (Special::WorkingWeekend, true) => n += 1,
                _ => {}
            }
        }
        sign * n
    }

    /// The date `n` working days after `date` ("в течение 5 рабочих дней после …").
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        self.step_working_days(date, n, NaiveDate::succ_opt)
    }

    /// The date `n` working days before `date` (a reminder "за 5 рабочих дней").
    pub fn sub_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        self.step_working_days(date, n, NaiveDate::pred_opt)
    }

    fn step_working_days(&self, date: NaiveDate, n: u32, step: fn(&NaiveDate) -> Option<NaiveDate>) -> NaiveDate {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            day = step(&day).unwrap_or(day);
            if self.is_working(day) {
                left -= 1;
            }
        }
        day
    }

    /// Applies a non-working-day rule to a due date.
    pub fn shift(&self, date: NaiveDate, rule: Shift) -> NaiveDate {
        let step = |d: NaiveDate| match rule {
            Shift::Keep => None,
            Shift::Next => d.succ_opt(),
            Shift::Previous => d.pred_opt(),
        };
        let mut day = date;
        // Bounded: the longest run of days off in the calendar is under two weeks.
        for _ in 0..31 {
            if self.is_working(day) {
                return day;
            }
            match step(day) {
                Some(next) => day = next,
                None => return date,
            }
        }
        date
    }
}

/// Monday–Friday days from a fixed epoch through `d` (only differences are meaningful).
fn weekdays_through(d: NaiveDate) -> i64 {
    let days = i64::from(d.num_days_from_ce());
    // Day 1 of the common era (0001-01-01) was a Monday.
    let (weeks, rest) = (days.div_euclid(7), days.rem_euclid(7));
    weeks * 5 + rest.min(5)
}

/// An IANA time zone by name.
pub fn zone(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok()
}

/// The instant a due date ends in a time zone: `time` if given, else 23:59:59.
pub fn due_instant(date: NaiveDate, time: Option<NaiveTime>, tz: Tz) -> DateTime<FixedOffset> {
    let time = time.unwrap_or_else(|| NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
    let local = date.and_time(time);
    let resolved = tz.from_local_datetime(&local).earliest().or_else(|| {
        // A local time inside a DST gap: take the same wall time an hour later.
        tz.from_local_datetime(&(local + chrono::Duration::hours(1))).earliest()
    });
    match resolved {
        Some(t) => t.fixed_offset(),
        None => local.and_utc().fixed_offset(),
    }
}

/// The day after `date`, saturating at the end of chrono's range.
pub fn next_day(date: NaiveDate) -> NaiveDate {
    date.checked_add_days(Days::new(1)).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn working_days_per_year_match_the_official_totals() {
        let cal = Calendar::russia();
        // Official totals for a five-day week (see data/README).
        for (year, total) in [(2021, 247), (2022, 247), (2023, 247), (2024, 248), (2025, 247), (2026, 247)] {
            assert_eq!(cal.working_days_in_year(year), total, "{year}");
        }
    }

    #[test]
    fn transfers_and_weekends() {
        let cal = Calendar::russia();
        assert!(!cal.is_working(d(2023, 11, 6)), "transferred from Sat 04.11.2023");
        assert!(cal.is_working(d(2024, 4, 27)), "working Saturday");
        assert!(cal.is_working(d(2024, 11, 2)) && cal.is_shortened(d(2024, 11, 2)));
        assert!(!cal.is_working(d(2023, 10, 14)), "ordinary Saturday");
        assert!(cal.covers(2026) && !cal.covers(2027) && !cal.covers(2020));
    }

    #[test]
    fn shifting_due_dates() {
        let cal = Calendar::russia();
        assert_eq!(cal.shift(d(2023, 12, 31), Shift::Next), d(2024, 1, 9));
        assert_eq!(cal.shift(d(2023, 12, 31), Shift::Previous), d(2023, 12, 29));
        assert_eq!(cal.shift(d(2023, 12, 31), Shift::Keep), d(2023, 12, 31));
        assert_eq!(cal.add_working_days(d(2023, 12, 29), 1), d(2024, 1, 9));
        assert_eq!(cal.working_days_between(d(2023, 12, 29), d(2024, 1, 9)), 1);
        // The arithmetic agrees with counting day by day, across years, transfers and directions.
        let by_days = |a: NaiveDate, b: NaiveDate| {
            a.iter_days().skip(1).take_while(|x| *x <= b).filter(|x| cal.is_working(*x)).count() as i64
        };
        for (a, b) in [
            (d(2021, 1, 1), d(2026, 12, 31)),
            (d(2023, 11, 3), d(2023, 11, 7)),
            (d(2024, 4, 26), d(2024, 5, 13)),
            (d(2023, 10, 14), d(2023, 10, 15)),
        ] {
            assert_eq!(cal.working_days_between(a, b), by_days(a, b), "{a}..{b}");
            assert_eq!(cal.working_days_between(b, a), -by_days(a, b), "{b}..{a}");
        }
        assert_eq!(cal.working_days_between(d(2023, 1, 1) - chrono::Days::new(1), d(2023, 12, 31)), 247);
    }

    #[test]
    fn due_instants_are_local_end_of_day() {
        let tz = zone("Asia/Vladivostok").expect("zone");
        assert_eq!(due_instant(d(2023, 10, 8), None, tz).to_rfc3339(), "2023-10-08T23:59:59+10:00");
        let t = NaiveTime::from_hms_opt(18, 0, 0);
        assert_eq!(due_instant(d(2023, 10, 7), t, tz).to_rfc3339(), "2023-10-07T18:00:00+10:00");
        assert!(zone("Asia/Yakutsk").is_some() && zone("Europe/Lazo").is_none());
    }
}

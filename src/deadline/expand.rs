//! Expands a [`Spec`] into dated occurrences inside a period, following the binding semantics
//! in `docs/format.md`: weeks run Monday–Sunday, months and quarters are calendar ones, a
//! stretch is clipped to its window, and due dates on days off move by the roadmap's rule.

use chrono::{Datelike, Days, NaiveDate, NaiveTime};

use super::resolve::last_of_month;
use super::spec::{Every, Item, Nth, Range, Recurrence, Spec, Time};
use crate::calendar::Calendar;
use crate::model::{Period, Shift};

/// One dated instance of a deadline: work opens on `opens` and is due at the end of `due`
/// (or at `time` on that day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub opens: NaiveDate,
    pub due: NaiveDate,
    pub time: Option<NaiveTime>,
    /// The zone of `time` when the phrase names one («по московскому времени»).
    pub zone: Option<chrono_tz::Tz>,
    /// The due date as written, before a non-working-day shift.
    pub written: NaiveDate,
}

impl Spec {
    /// Every occurrence of the deadline in `period`, in date order of due; a span counted from
    /// the approving act counts from the period's start.
    pub fn occurrences(&self, period: Period, calendar: &Calendar, shift: Shift) -> Vec<Occurrence> {
        self.occurrences_from(period, period.from, calendar, shift)
    }

    /// [`Spec::occurrences`] of a document approved on `act`: a span counted from the act itself
    /// ("в двухнедельный срок") opens on `act` and is due that span later.
    pub fn occurrences_from(
        &self,
        period: Period,
        act: NaiveDate,
        calendar: &Calendar,
        shift: Shift,
    ) -> Vec<Occurrence> {
        let mut out = Vec::new();
        let mut push = |opens: NaiveDate, due: NaiveDate, time: Option<super::spec::Time>| {
            let shifted = calendar.shift(due, shift);
            out.push(Occurrence {
                opens: opens.min(shifted),
                due: shifted,
                time: time.map(|t| t.at),
                zone: time.and_then(Time::zone),
                written: due,
            });
        };
        match self {
            Spec::Once { date, time } => push(period.from.min(*date), *date, *time),
            Spec::Window { from, to, time } => push(*from, *to, *time),
            Spec::Multiple { items } => {
                for item in items {
                    match item {
                        Item::Once { date, time } => push(period.from.min(*date), *date, *time),
                        Item::Window { from, to, time } => push(*from, *to, *time),
                        Item::Recurring(rec) => recurring(rec, period, &mut push),
                    }
                }
            }
            Spec::Recurring(rec) => recurring(rec, period, &mut push),
            Spec::Relative(r) if r.after.is_none() && r.event.is_none() => {
                push(act, counted(act, r, calendar), None);
            }
            Spec::Continuous | Spec::OnDemand | Spec::Relative(_) => {}
        }
        out
    }
}

fn recurring(rec: &Recurrence, period: Period, push: &mut impl FnMut(NaiveDate, NaiveDate, Option<super::spec::Time>)) {
    let windows =
        if rec.within.is_empty() { vec![Range { from: period.from, to: period.to }] } else { rec.within.clone() };
    for w in windows {
        for (opens, due) in repeat(rec, w) {
            push(opens, due, rec.time);
        }
    }
}

/// The day a relative span ends, counted from `from`: months first, then calendar or working days.
pub fn counted(from: NaiveDate, r: &super::spec::Relative, calendar: &Calendar) -> NaiveDate {
    let months = from.checked_add_months(chrono::Months::new(r.months)).unwrap_or(from);
    if r.working { calendar.add_working_days(months, r.days) } else { months + Days::new(u64::from(r.days)) }
}

/// (opens, due) pairs of a recurrence inside one window.
fn repeat(rec: &Recurrence, w: Range) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    match rec.every {
        Every::Week => {
            let monday = w.from - Days::new(u64::from(w.from.weekday().num_days_from_monday()));
            for start in monday.iter_weeks().take_while(|d| *d <= w.to) {
                let sunday = start + Days::new(6);
                match rec.weekday {
                    Some(wd) => {
                        let day = start + Days::new(u64::from(wd.chrono().num_days_from_monday()));
                        if day >= w.from && day <= w.to {
                            out.push((day, day));
                        }
                    }
                    None => out.push((start.max(w.from), sunday.min(w.to))),
                }
            }
        }
        Every::Month | Every::Quarter | Every::Year => {
            let months = match rec.every {
                Every::Month => 1,
                Every::Quarter => 3,
                _ => 12,
            };
            let mut start = period_start(w.from, months);
            while start <= w.to {
                let end = last_of_month(add_months(start, months - 1));
                if let Some(pair) = one_period(rec, start, end, w) {
                    out.push(pair);
                }
                start = add_months(start, months);
            }
        }
    }
    out
}

/// The occurrence of a monthly, quarterly or yearly recurrence for the period `start..=end`.
fn one_period(rec: &Recurrence, start: NaiveDate, end: NaiveDate, w: Range) -> Option<(NaiveDate, NaiveDate)> {
    let clip = |a: NaiveDate, b: NaiveDate| {
        let (a, b) = (a.max(w.from), b.min(w.to));
        (a <= b).then_some((a, b))
    };
    let inside = |d: NaiveDate| (d >= w.from && d <= w.to).then_some((d, d));
    if let (Some(wd), Some(nth)) = (rec.weekday, rec.nth) {
        let day = nth_weekday(start, wd.chrono(), nth)?;
        return inside(day);
    }
    if let Some(week) = rec.week {
        let (a, b) = match week.number() {
            Some(n) => (start + Days::new(u64::from(7 * n - 7)), start + Days::new(u64::from(7 * n - 1))),
            None => (last_of_month(start) - Days::new(6), last_of_month(start)),
        };
        return clip(a, b.min(last_of_month(start)));
    }
    if let Some(day) = rec.day {
        if rec.following {
            let next = end.succ_opt()?;
            // The report on a period inside the window is due after it, possibly past the window.
            if end < w.from || start > w.to {
                return None;
            }
            // "до 1 февраля года, следующего за отчетным": a month of the year after.
            let month = rec.month.and_then(|m| NaiveDate::from_ymd_opt(next.year(), m, 1)).unwrap_or(next);
            return Some((next, day_in_month(month, day)));
        }
        let month_start = match (rec.every, rec.month) {
            (Every::Year, Some(m)) => NaiveDate::from_ymd_opt(start.year(), m, 1)?,
            (Every::Quarter, _) => add_months(start, 2),
            _ => start,
        };
        let due = day_in_month(month_start, day);
        return (due >= w.from && due <= w.to).then_some((start.max(w.from), due));
    }
    // "сентябрь, ежегодно": that month of every year.
    if let (Every::Year, Some(m)) = (rec.every, rec.month) {
        let first = NaiveDate::from_ymd_opt(start.year(), m, 1)?;
        return clip(first, last_of_month(first));
    }
    clip(start, end)
}

/// Day `day` of the month of `first`, or the month's last day when it is shorter.
fn day_in_month(first: NaiveDate, day: u32) -> NaiveDate {
    let last = last_of_month(first);
    first.with_day(day.min(last.day())).unwrap_or(last)
}

fn nth_weekday(month_start: NaiveDate, wd: chrono::Weekday, nth: Nth) -> Option<NaiveDate> {
    match nth.number() {
        Some(n) => NaiveDate::from_weekday_of_month_opt(month_start.year(), month_start.month(), wd, n as u8),
        None => {
            let last = last_of_month(month_start);
            let back = (7 + last.weekday().num_days_from_monday() - wd.num_days_from_monday()) % 7;
            Some(last - Days::new(u64::from(back)))
        }
    }
}

/// The first day of the month / quarter / year containing `date`.
fn period_start(date: NaiveDate, months: u32) -> NaiveDate {
    let m0 = (date.month0() / months) * months;
    NaiveDate::from_ymd_opt(date.year(), m0 + 1, 1).unwrap_or(date)
}

fn add_months(date: NaiveDate, n: u32) -> NaiveDate {
    date.checked_add_months(chrono::Months::new(n)).unwrap_or(date)
}

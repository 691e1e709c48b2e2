//! Turns the parts of a phrase into a [`Spec`]: decides which kind of deadline the phrase is,
//! and fills in missing years — from a year written later in the phrase ("ноябрь, декабрь
//! 2023 г." — the clerk's habit of writing the year once, at the end), else from the
//! roadmap's period.

use chrono::{Datelike, NaiveDate};

use super::DeadlineError;
use super::parser::{Item as PItem, Located, Part, Point, PointKind};
use super::spec::{Every, Item, Range, Recurrence, Spec};
use crate::model::Period;
use crate::msg;

/// Combines parts into a deadline read inside `period`.
pub fn resolve(parts: Vec<Located>, period: Period, phrase_len: usize) -> Result<Spec, DeadlineError> {
    let Some(first) = parts.first() else {
        return Err(DeadlineError::new(0, phrase_len, msg!("срок не указан"; "no deadline given"))
            .with_hint(super::known_forms()));
    };
    if let Some(whole) = parts.iter().find(|p| matches!(p.part, Part::Continuous | Part::OnDemand | Part::Relative(_)))
    {
        if let Some(other) = parts.iter().find(|p| p != &whole) {
            return Err(DeadlineError::new(
                other.start,
                other.end,
                msg!("эта часть не сочетается с остальной фразой"; "this part does not go with the rest of the phrase"),
            )
            .with_hint(msg!("«постоянно», «по мере необходимости» и «в течение N дней после …» пишутся отдельно";
                    "«постоянно», «по мере необходимости» and «в течение N дней после …» stand alone")));
        }
        return Ok(match &whole.part {
            Part::Continuous => Spec::Continuous,
            Part::OnDemand => Spec::OnDemand,
            Part::Relative(r) => Spec::Relative(r.clone()),
            _ => unreachable_spec(first),
        });
    }

    let mut rec = Recurrence::every(Every::Week);
    let mut every: Option<(Every, &Located)> = None;
    let mut repeats = false;
    let mut items: Vec<(PItem, usize, usize)> = Vec::new();
    let mut time = None;
    let twice = |p: &Located| {
        DeadlineError::new(p.start, p.end, msg!("второй день недели, неделя или число в одном сроке"; "a second weekday, week or day in one deadline"))
            .with_hint(msg!("karta ведёт один день в повторяющемся сроке: разделите мероприятие на два (например, «по понедельникам» и «по пятницам»)";
                "a repeating deadline has one day: split the activity in two"))
    };
    for p in &parts {
        let already = rec.weekday.is_some() || rec.week.is_some() || rec.day.is_some();
        if matches!(p.part, Part::Weekday(_) | Part::NthWeekday(..) | Part::Week(_) | Part::DayOfMonth { .. })
            && already
        {
            return Err(twice(p));
        }
        match &p.part {
            Part::Every(e) => {
                if let Some((prev, _)) = every {
                    if prev != *e {
                        return Err(DeadlineError::new(
                            p.start,
                            p.end,
                            msg!("две разные периодичности в одной фразе"; "two different repetitions in one phrase"),
                        ));
                    }
                }
                every = Some((*e, p));
                repeats = true;
            }
            Part::Weekday(w) => {
                rec.weekday = Some(*w);
                repeats = true;
            }
            Part::NthWeekday(n, w) => {
                rec.weekday = Some(*w);
                rec.nth = Some(*n);
                repeats = true;
            }
            Part::Week(n) => {
                rec.week = Some(*n);
                repeats = true;
            }
            Part::DayOfMonth { day, following } => {
                rec.day = Some(*day);
                rec.following = *following;
                repeats = true;
            }
            Part::Time(t) => time = Some(super::spec::Time(*t)),
            Part::Item(item) => items.push((*item, p.start, p.end)),
            Part::Continuous | Part::OnDemand | Part::Relative(_) => {}
        }
    }

    if repeats {
        rec.every = match every {
            Some((e, _)) => e,
            None if rec.weekday.is_some() && rec.nth.is_none() => Every::Week,
            None => Every::Month,
        };
        rec.time = time;
        // "ежегодно, до 1 сентября": the yearly due date, not a date of one year.
        if rec.every == Every::Year {
            if let Some(pos) = items.iter().position(|(i, ..)| {
                matches!(i, PItem::Due(Point { kind: PointKind::Day { month: Some(_), .. }, year: None, .. }))
            }) {
                if let (PItem::Due(Point { kind: PointKind::Day { day, month }, .. }), ..) = items.remove(pos) {
                    rec.day = Some(day);
                    rec.month = month;
                }
            }
        }
        let resolved = years(&items, period)?;
        for (item, (_, start, end)) in resolved.into_iter().zip(&items) {
            match item {
                Resolved::Window(from, to) => rec.within.push(Range { from, to }),
                Resolved::Once(_) => {
                    return Err(DeadlineError::new(*start, *end, msg!("в повторяющемся сроке здесь ожидается период, а не дата"; "a repeating deadline needs a stretch of time here, not a date"))
                        .with_hint(msg!("например: «октябрь – декабрь 2023 г., еженедельно»"; "for example: «октябрь – декабрь 2023 г., еженедельно»")));
                }
            }
        }
        let spec = Spec::Recurring(rec);
        if let Err(message) = spec.validate() {
            let (start, end) = (first.start, parts.last().map_or(phrase_len, |p| p.end));
            return Err(DeadlineError::new(start, end, message));
        }
        return Ok(spec);
    }

    if items.is_empty() {
        return Err(DeadlineError::new(
            0,
            phrase_len,
            msg!("во фразе нет ни даты, ни периодичности"; "the phrase has neither a date nor a repetition"),
        )
        .with_hint(super::known_forms()));
    }
    let resolved = years(&items, period)?;
    let mut out: Vec<Item> = resolved
        .into_iter()
        .map(|r| match r {
            Resolved::Once(date) => Item::Once { date, time },
            Resolved::Window(from, to) => Item::Window { from, to, time },
        })
        .collect();
    Ok(if out.len() == 1 {
        match out.remove(0) {
            Item::Once { date, time } => Spec::Once { date, time },
            Item::Window { from, to, time } => Spec::Window { from, to, time },
        }
    } else {
        Spec::Multiple { items: out }
    })
}

fn unreachable_spec(_: &Located) -> Spec {
    Spec::Continuous
}

enum Resolved {
    Once(NaiveDate),
    Window(NaiveDate, NaiveDate),
}

/// Fills in missing years and turns items into dates.
fn years(items: &[(PItem, usize, usize)], period: Period) -> Result<Vec<Resolved>, DeadlineError> {
    // Points as (start, end) pairs with the range's missing parts filled from its end.
    let mut pairs: Vec<(Point, Option<Point>, bool)> = Vec::with_capacity(items.len());
    for (item, ..) in items {
        pairs.push(match *item {
            PItem::Due(p) => (p, None, true),
            PItem::Bare(p) => (p, None, false),
            PItem::Range(mut a, b) => {
                if let PointKind::Day { day, month: None } = a.kind {
                    let PointKind::Day { month: Some(m), .. } = b.kind else {
                        return Err(DeadlineError::new(
                            a.start,
                            b.end,
                            msg!("у начала периода нет месяца"; "the start of the stretch has no month"),
                        ));
                    };
                    a.kind = PointKind::Day { day, month: Some(m) };
                }
                if let (None, Some(y)) = (a.year, b.year) {
                    a.year = Some(y);
                    // "декабрь – февраль 2024 г.": a short stretch across the new year starts the year before.
                    if first_month(&a) > first_month(&b) && 12 + first_month(&b) - first_month(&a) < 6 {
                        a.year = Some(y - 1);
                    }
                }
                (a, Some(b), false)
            }
        });
    }
    // A year written later in the phrase applies backwards to the points before it.
    let mut cursor: Option<(i32, u32)> = None;
    for (a, b, _) in pairs.iter_mut().rev() {
        if let Some(b) = b {
            fill_back(b, &mut cursor);
            if a.year.is_none() {
                a.year = b.year.map(|y| if first_month(a) > first_month(b) { y - 1 } else { y });
            }
        }
        fill_back(a, &mut cursor);
    }
    // What is still without a year is read inside the period.
    for (a, b, _) in pairs.iter_mut() {
        if a.year.is_none() {
            a.year = Some(year_in_period(a, period));
        }
        if let Some(b) = b {
            if b.year.is_none() {
                let y = a.year.unwrap_or(period.from.year());
                b.year = Some(if first_month(b) < first_month(a) { y + 1 } else { y });
            }
        }
    }
    pairs
        .iter()
        .map(|(a, b, due)| {
            let (a_first, a_last) = bounds(a)?;
            Ok(match (b, due) {
                (Some(b), _) => {
                    let (_, b_last) = bounds(b)?;
                    if b_last < a_first {
                        return Err(DeadlineError::new(a.start, b.end, msg!("конец периода ({}) раньше начала ({})", b_last.format("%d.%m.%Y"), a_first.format("%d.%m.%Y");
                            "the stretch ends ({}) before it starts ({})", b_last.format("%d.%m.%Y"), a_first.format("%d.%m.%Y"))));
                    }
                    Resolved::Window(a_first, b_last)
                }
                (None, true) => Resolved::Once(a_last),
                (None, false) if matches!(a.kind, PointKind::Day { .. }) => Resolved::Once(a_first),
                (None, false) => Resolved::Window(a_first, a_last),
            })
        })
        .collect()
}

fn fill_back(p: &mut Point, cursor: &mut Option<(i32, u32)>) {
    match (p.year, *cursor) {
        (Some(y), _) => *cursor = Some((y, first_month(p))),
        (None, Some((y, m))) => {
            let year = if first_month(p) <= m { y } else { y - 1 };
            p.year = Some(year);
            *cursor = Some((year, first_month(p)));
        }
        (None, None) => {}
    }
}

fn first_month(p: &Point) -> u32 {
    match p.kind {
        PointKind::Day { month, .. } => month.unwrap_or(1),
        PointKind::Month(m) => m,
        PointKind::Quarter(q) => 3 * q - 2,
        PointKind::Half(h) => 6 * h - 5,
        PointKind::Year => 1,
        PointKind::SchoolYear => 9,
    }
}

/// The year that puts a yearless point inside the period (the period's first year if none does).
fn year_in_period(p: &Point, period: Period) -> i32 {
    for y in period.from.year()..=period.to.year() {
        let candidate = Point { year: Some(y), ..*p };
        if let Ok((first, last)) = bounds(&candidate) {
            if first <= period.to && last >= period.from {
                return y;
            }
        }
    }
    period.from.year()
}

/// The first and last day of a point whose year is known.
fn bounds(p: &Point) -> Result<(NaiveDate, NaiveDate), DeadlineError> {
    let y = p.year.unwrap_or(2000);
    let invalid = || {
        DeadlineError::new(p.start, p.end, msg!("такой даты нет в календаре"; "there is no such date in the calendar"))
    };
    let month = |y: i32, m: u32| -> Result<(NaiveDate, NaiveDate), DeadlineError> {
        let first = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(invalid)?;
        Ok((first, last_of_month(first)))
    };
    match p.kind {
        PointKind::Day { day, month: Some(m) } => {
            let d = NaiveDate::from_ymd_opt(y, m, day).ok_or_else(|| {
                DeadlineError::new(
                    p.start,
                    p.end,
                    msg!("такой даты нет: {} {} {} г.", day, super::words::month_genitive(m), y;
                    "no such date: {}.{:02}.{}", day, m, y),
                )
            })?;
            Ok((d, d))
        }
        PointKind::Day { month: None, .. } => Err(invalid()),
        PointKind::Month(m) => month(y, m),
        PointKind::Quarter(q) => Ok((month(y, 3 * q - 2)?.0, month(y, 3 * q)?.1)),
        PointKind::Half(h) => Ok((month(y, 6 * h - 5)?.0, month(y, 6 * h)?.1)),
        PointKind::Year => Ok((month(y, 1)?.0, month(y, 12)?.1)),
        PointKind::SchoolYear => Ok((month(y, 9)?.0, month(y + 1, 8)?.1)),
    }
}

/// The last day of `date`'s month.
pub fn last_of_month(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 { (date.year() + 1, 1) } else { (date.year(), date.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).unwrap_or(date)
}

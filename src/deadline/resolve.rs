//! Turns the parts of a phrase into a [`Spec`]: decides which kind of deadline the phrase is,
//! and fills in missing years — from a year written later in the phrase ("ноябрь, декабрь
//! 2023 г." — the clerk's habit of writing the year once, at the end), else from the
//! roadmap's period.

use chrono::{Datelike, NaiveDate};

use super::DeadlineError;
use super::parser::{Item as PItem, Located, Part, Point, PointKind};
use super::spec::{Every, Item, Range, Recurrence, Spec, Weekday};
use crate::model::Period;
use crate::msg;

/// Combines parts into a deadline read inside `period`.
pub fn resolve(mut parts: Vec<Located>, period: Period, phrase_len: usize) -> Result<Spec, DeadlineError> {
    let Some(then) = parts.iter().position(|p| p.part == Part::Then) else {
        return simple(parts, period, phrase_len);
    };
    // «до 1 сентября 2024 г., далее – ежегодно»: a first stage, then a repetition after it.
    let tail = parts.split_off(then + 1);
    let marker = parts.pop().map_or((0, phrase_len), |p| (p.start, p.end));
    let stage_error = |message| DeadlineError::new(marker.0, marker.1, message);
    let mut items = match simple(parts, period, phrase_len)? {
        Spec::Once { date, time } => vec![Item::Once { date, time }],
        Spec::Window { from, to, time } => vec![Item::Window { from, to, time }],
        Spec::Multiple { items } => items,
        _ => {
            return Err(stage_error(
                msg!("перед «далее» ожидается дата или период"; "a date or a stretch must come before «далее»"),
            ));
        }
    };
    let Spec::Recurring(mut rec) = simple(tail, period, phrase_len)? else {
        return Err(stage_error(
            msg!("после «далее» ожидается периодичность: «ежегодно», «ежеквартально»"; "a repetition must follow «далее»"),
        ));
    };
    let last = items.iter().filter_map(|i| match i {
        Item::Once { date, .. } => Some(*date),
        Item::Window { to, .. } => Some(*to),
        Item::Recurring(_) => None,
    });
    let last = last.max().unwrap_or(period.from);
    if rec.within.is_empty() {
        let from = last.succ_opt().unwrap_or(last);
        if from > period.to {
            return Err(stage_error(
                msg!("после первого этапа ({}) период дорожной карты уже закончился", last.format("%d.%m.%Y");
                "the period ends before the first stage ({}) is over", last.format("%d.%m.%Y")),
            ));
        }
        rec.within.push(Range { from, to: period.to });
    }
    // «до 1 сентября 2024 г., далее – ежегодно»: every year by the same day.
    if let (Every::Year, None, None, [Item::Once { date, .. }]) = (rec.every, rec.day, rec.month, items.as_slice()) {
        rec.day = Some(date.day());
        rec.month = Some(date.month());
    }
    items.push(Item::Recurring(rec));
    Ok(Spec::Multiple { items })
}

/// A phrase without stages.
fn simple(parts: Vec<Located>, period: Period, phrase_len: usize) -> Result<Spec, DeadlineError> {
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

    let confirms = confirming_weekdays(&parts);
    let mut rec = Recurrence::every(Every::Week);
    let mut unit: Option<Every> = None;
    let mut starting: Option<(Point, usize, usize)> = None;
    let mut every: Option<(Every, &Located)> = None;
    let mut repeats = false;
    let mut items: Vec<(PItem, usize, usize)> = Vec::new();
    let mut time = None;
    let mut moscow: Option<&Located> = None;
    let twice = |p: &Located| {
        DeadlineError::new(p.start, p.end, msg!("второй день недели, неделя или число в одном сроке"; "a second weekday, week or day in one deadline"))
            .with_hint(msg!("karta ведёт один день в повторяющемся сроке: разделите мероприятие на два (например, «по понедельникам» и «по пятницам»)";
                "a repeating deadline has one day: split the activity in two"))
    };
    for (k, p) in parts.iter().enumerate() {
        if confirms.iter().any(|c| c.part == k) {
            continue;
        }
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
            Part::DayOfMonth { day, following, unit: u } => {
                rec.day = Some(*day);
                rec.following = *following;
                unit = *u;
                repeats = true;
            }
            Part::DueNextYear { day, month } => {
                rec.day = Some(*day);
                rec.month = Some(*month);
                rec.following = true;
                unit = Some(Every::Year);
                repeats = true;
            }
            Part::Starting(point) => starting = Some((*point, p.start, p.end)),
            Part::Time(t) => time = Some(super::spec::Time::local(*t)),
            Part::Moscow => moscow = Some(p),
            Part::Item(item) => items.push((*item, p.start, p.end)),
            Part::Continuous | Part::OnDemand | Part::Relative(_) | Part::Then => {}
        }
    }

    if let Some(m) = moscow {
        match time.as_mut() {
            Some(t) => t.moscow = true,
            None => {
                return Err(DeadlineError::new(m.start, m.end, msg!("московское время указано, а время суток — нет"; "Moscow time is named, but no time of day"))
                    .with_hint(msg!("например: «до 12:00 по московскому времени»"; "for example: «до 12:00 по московскому времени»")));
            }
        }
    }
    if repeats {
        rec.every = match (every, unit) {
            (Some((e, _)), _) => e,
            (None, Some(u)) => u,
            (None, None) if rec.weekday.is_some() && rec.nth.is_none() => Every::Week,
            (None, None) => Every::Month,
        };
        rec.time = time;
        // «сентябрь, ежегодно»: that month of every year.
        if rec.every == Every::Year && rec.day.is_none() && rec.month.is_none() {
            if let Some(pos) = items
                .iter()
                .position(|(i, ..)| matches!(i, PItem::Bare(Point { kind: PointKind::Month(_), year: None, .. })))
            {
                if let (PItem::Bare(Point { kind: PointKind::Month(m), .. }), ..) = items.remove(pos) {
                    rec.month = Some(m);
                }
            }
        }
        if let Some((point, start, end)) = starting {
            let from = match years(&[(PItem::Bare(point), start, end)], period)?.pop() {
                Some(Resolved::Once(d) | Resolved::Window(d, _)) => d,
                None => period.from,
            };
            if from > period.to {
                return Err(DeadlineError::new(
                    start,
                    end,
                    msg!("начало ({}) позже конца периода", from.format("%d.%m.%Y");
                    "the start ({}) is after the period ends", from.format("%d.%m.%Y")),
                ));
            }
            rec.within.push(Range { from, to: period.to });
        }
        // "ежегодно, до 1 сентября": the yearly due date, not a date of one year.
        if rec.every == Every::Year {
            if let Some(pos) = items.iter().position(|(i, ..)| {
                matches!(
                    i,
                    PItem::Due(Point { kind: PointKind::Day { month: Some(_), .. }, year: None, .. })
                        | PItem::Bare(Point { kind: PointKind::Day { month: Some(_), .. }, year: None, .. })
                )
            }) {
                if let (
                    PItem::Due(Point { kind: PointKind::Day { day, month }, .. })
                    | PItem::Bare(Point { kind: PointKind::Day { day, month }, .. }),
                    ..,
                ) = items.remove(pos)
                {
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
    let mut resolved = years(&items, period)?;
    // «во вторую среду февраля (13 февраля)»: the date confirms the weekday's day.
    let mut k = 0;
    while k + 1 < items.len().min(resolved.len()) {
        let is_nth = |i: &PItem| matches!(i, PItem::Bare(Point { kind: PointKind::NthWeekdayOf { .. }, .. }));
        let is_day = |i: &PItem| matches!(i, PItem::Bare(Point { kind: PointKind::Day { .. }, .. }));
        let (a, b) = (&items[k].0, &items[k + 1].0);
        if (is_nth(a) && is_day(b)) || (is_day(a) && is_nth(b)) {
            if let (Resolved::Once(x), Resolved::Once(y)) = (&resolved[k], &resolved[k + 1]) {
                if x != y {
                    let (start, end) = (items[k].1, items[k + 1].2);
                    return Err(DeadlineError::new(
                        start,
                        end,
                        msg!("день недели месяца приходится на {}, а рядом написано {}", x.format("%d.%m.%Y"), y.format("%d.%m.%Y");
                        "the weekday of the month falls on {}, but {} is written beside it", x.format("%d.%m.%Y"), y.format("%d.%m.%Y")),
                    ));
                }
                resolved.remove(k + 1);
                items.remove(k + 1);
            }
        }
        k += 1;
    }
    for c in &confirms {
        let date = match resolved.get(c.item) {
            Some(Resolved::Once(d)) => *d,
            _ => continue,
        };
        if date.weekday() != c.weekday.chrono() {
            let actual =
                super::phrase::weekday_nominative(Weekday::ALL[date.weekday().num_days_from_monday() as usize]);
            let written = super::phrase::weekday_nominative(c.weekday);
            return Err(DeadlineError::new(
                c.start,
                c.end,
                msg!("{} — {}, а не {}", date.format("%d.%m.%Y"), actual, written;
                "{} is a {}, not a {}", date.format("%d.%m.%Y"), actual, written),
            )
            .with_hint(msg!("исправьте дату или день недели"; "correct the date or the weekday")));
        }
    }
    let out: Vec<Item> = resolved
        .into_iter()
        .map(|r| match r {
            Resolved::Once(date) => Item::Once { date, time },
            Resolved::Window(from, to) => Item::Window { from, to, time },
        })
        .collect();
    Ok(match out.as_slice() {
        [Item::Once { date, time }] => Spec::Once { date: *date, time: *time },
        [Item::Window { from, to, time }] => Spec::Window { from: *from, to: *to, time: *time },
        _ => Spec::Multiple { items: out },
    })
}

fn unreachable_spec(_: &Located) -> Spec {
    Spec::Continuous
}

/// A weekday written beside a day to confirm it («14.03 (чт)», «в среду, 12 октября»).
struct Confirm {
    /// The weekday's place among the parts, and the day's among the dated items.
    part: usize,
    item: usize,
    weekday: super::spec::Weekday,
    start: usize,
    end: usize,
}

/// The weekdays that confirm a day next to them rather than make the phrase weekly: in a
/// phrase without a repetition word, a weekday right before or after a single day.
fn confirming_weekdays(parts: &[Located]) -> Vec<Confirm> {
    let repeats = parts.iter().any(|p| {
        matches!(
            p.part,
            Part::Every(_) | Part::NthWeekday(..) | Part::Week(_) | Part::DayOfMonth { .. } | Part::DueNextYear { .. }
        )
    });
    if repeats {
        return Vec::new();
    }
    let is_day = |p: Option<&Located>| {
        matches!(
            p.map(|p| &p.part),
            Some(Part::Item(
                PItem::Bare(Point { kind: PointKind::Day { .. }, .. })
                    | PItem::Due(Point { kind: PointKind::Day { .. }, .. })
            ))
        )
    };
    let mut out = Vec::new();
    for (k, p) in parts.iter().enumerate() {
        let Part::Weekday(weekday) = p.part else { continue };
        let day = if is_day(parts.get(k + 1)) && !matches!(parts.get(k + 2).map(|p| &p.part), Some(Part::Weekday(_))) {
            k + 1
        } else if k > 0 && is_day(parts.get(k - 1)) {
            k - 1
        } else {
            return Vec::new();
        };
        let item = parts[..day].iter().filter(|p| matches!(p.part, Part::Item(_))).count();
        out.push(Confirm { part: k, item, weekday, start: p.start, end: p.end });
    }
    out
}

enum Resolved {
    Once(NaiveDate),
    Window(NaiveDate, NaiveDate),
}

/// Fills in missing years and turns items into dates.
fn years(items: &[(PItem, usize, usize)], period: Period) -> Result<Vec<Resolved>, DeadlineError> {
    // «5 и 6 мая»: a day without a month takes the month of the next day that has one.
    let mut month_after: Option<u32> = None;
    let mut months = vec![None; items.len()];
    for (k, (item, ..)) in items.iter().enumerate().rev() {
        match item {
            PItem::Bare(Point { kind: PointKind::Day { month: None, .. }, .. }) => months[k] = month_after,
            PItem::Bare(Point { kind: PointKind::Day { month: Some(m), .. }, .. })
            | PItem::Due(Point { kind: PointKind::Day { month: Some(m), .. }, .. }) => month_after = Some(*m),
            _ => month_after = None,
        }
    }
    // Points as (start, end) pairs with the range's missing parts filled from its end.
    let mut pairs: Vec<(Point, Option<Point>, bool)> = Vec::with_capacity(items.len());
    for (k, (item, ..)) in items.iter().enumerate() {
        pairs.push(match *item {
            PItem::Due(p) => (p, None, true),
            PItem::Bare(mut p) => {
                if let (PointKind::Day { day, month: None }, Some(m)) = (p.kind, months[k]) {
                    p.kind = PointKind::Day { day, month: Some(m) };
                }
                (p, None, false)
            }
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
    // What is still without a year is read inside the period: a stretch as a whole («с 1 апреля
    // до 30 июня» in a period from 3 April is the one that overlaps it).
    for (a, b, _) in pairs.iter_mut() {
        if let (None, Some(end)) = (a.year, b.as_mut()) {
            if end.year.is_none() {
                let wraps = first_month(end) < first_month(a);
                let overlaps = |y: i32| {
                    let (s, e) =
                        (Point { year: Some(y), ..*a }, Point { year: Some(if wraps { y + 1 } else { y }), ..*end });
                    matches!((bounds(&s), bounds(&e)), (Ok((first, _)), Ok((_, last))) if first <= period.to && last >= period.from)
                };
                let y = (period.from.year()..=period.to.year()).find(|y| overlaps(*y)).unwrap_or(period.from.year());
                a.year = Some(y);
                end.year = Some(if wraps { y + 1 } else { y });
            }
        }
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
                (None, false) if matches!(a.kind, PointKind::Day { .. } | PointKind::NthWeekdayOf { .. }) => Resolved::Once(a_first),
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
        PointKind::Month(m) | PointKind::NthWeekdayOf { month: m, .. } => m,
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
        PointKind::NthWeekdayOf { nth, weekday, month: m, working } => {
            let (first, last) = month(y, m)?;
            // «первая рабочая среда мая»: counted among the Wednesdays that are working days
            // by the federal calendar.
            let calendar = crate::calendar::Calendar::russia();
            let days: Vec<NaiveDate> = first
                .iter_days()
                .take_while(|d| *d <= last)
                .filter(|d| d.weekday() == weekday.chrono() && (!working || calendar.is_working(*d)))
                .collect();
            let day = match nth.number() {
                Some(n) => days.get(n as usize - 1).copied(),
                None => days.last().copied(),
            };
            let day = day.ok_or_else(invalid)?;
            Ok((day, day))
        }
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

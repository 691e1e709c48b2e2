//! Every deadline read in its document's period: the phrase (or structured form) understood, its
//! days inside the period, on working days or said otherwise, and what a relative deadline is
//! counted from.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};

use super::coverage::Depends;
use super::{Ctx, activity_ref};
use crate::calendar::Calendar;
use crate::deadline::{self, Relative, Spec};
use crate::diag::{Code, Diagnostic};
use crate::model::{Due, Period, Shift};
use crate::msg;

#[allow(clippy::too_many_arguments)]
pub(super) fn deadline(
    ctx: &mut Ctx<'_>,
    pointer: &str,
    due: &Due,
    period: Period,
    calendar: &Calendar,
    shift: Shift,
    own: &HashSet<&str>,
    all: &HashMap<&str, HashSet<&str>>,
) -> Option<Depends> {
    let spec = match due {
        Due::Phrase(phrase) => {
            // A footnote mark glued to a date («15 мая 2021* г.») is read past, and said so.
            for mark in deadline::footnotes(phrase) {
                let span = super::super::phrase_span(ctx.loaded, pointer, phrase, mark.start, mark.end);
                ctx.out.push(
                    Diagnostic::warning(Code::FootnoteInDeadline, mark.message)
                        .at(&ctx.loaded.source, span)
                        .hint_opt(mark.hint),
                );
            }
            match deadline::read_remembered(phrase, period) {
                Ok(spec) => spec,
                Err(e) => {
                    let span = super::super::phrase_span(ctx.loaded, pointer, phrase, e.start, e.end);
                    let d = Diagnostic::error(Code::UnreadableDeadline, msg!("не удалось прочитать срок: {}", e.message.ru; "cannot read the deadline: {}", e.message.en))
                    .at(&ctx.loaded.source, span)
                    .hint_opt(e.hint);
                    ctx.out.push(d);
                    return None;
                }
            }
        }
        Due::Structured(spec) => {
            if let Err(m) = spec.validate() {
                ctx.error(
                    Code::UnreadableDeadline,
                    pointer,
                    msg!("срок задан неверно: {}", m.ru; "invalid deadline: {}", m.en),
                );
                return None;
            }
            spec.clone()
        }
    };
    let uncovered = (period.from.year()..=period.to.year()).any(|y| !calendar.covers(y));
    if let Some((r, after)) = spec.counted_from() {
        activity_ref(ctx, pointer, after, "", own, all);
        // The prerequisite's date is not known before compiling: any uncovered year counts.
        return match (uncovered, r.working, shift) {
            (false, _, _) => None,
            (true, true, _) => Some(Depends::WorkingDays),
            (true, false, Shift::Keep) => None,
            (true, false, _) => Some(Depends::Shift),
        };
    }
    if let Spec::Relative(Relative { event: Some(event), .. }) = &spec {
        ctx.warning(
            Code::UndatedEvent,
            pointer,
            msg!("срок отсчитывается от события «{}», которого нет среди мероприятий: karta не может его датировать, напоминаний по нему не будет", event;
                "the deadline counts from «{}», which is not an activity: karta cannot date it and will not remind", event),
        )
        .hints
        .push(msg!("если событие — мероприятие дорожной карты, сошлитесь на него: «в течение 3 дней после org-5»; иначе укажите дату";
            "if the event is an activity of a roadmap, name it: «в течение 3 дней после org-5»; else give a date"));
        return None;
    }
    let occurrences = spec.occurrences(period, calendar, shift);
    // A report due in the month after the last reporting month may fall past the period's end.
    let reports_after = matches!(&spec, Spec::Recurring(r) if r.following);
    if let Some(o) = occurrences.iter().find(|o| o.written < period.from || (o.written > period.to && !reports_after)) {
        let (d, a, b) = (o.written.format("%d.%m.%Y"), period.from.format("%d.%m.%Y"), period.to.format("%d.%m.%Y"));
        ctx.error(
            Code::OutsidePeriod,
            pointer,
            msg!("срок {} вне периода дорожной карты ({} – {})", d, a, b;
            "the deadline {} is outside the roadmap period ({} – {})", d, a, b),
        )
        .hints
        .push(msg!("проверьте год в сроке или расширьте `period`"; "check the year of the deadline or widen `period`"));
        return None;
    }
    if shift == Shift::Keep {
        if let Some(day) = named_days(&spec).into_iter().find(|d| !calendar.is_working(*d) && calendar.covers(d.year()))
        {
            let d = day.format("%d.%m.%Y");
            let wd = weekday_ru(day);
            ctx.warning(Code::NonWorkingDue, pointer, msg!("срок {} приходится на нерабочий день ({})", d, wd; "the deadline {} falls on a day off ({})", d, day.format("%A")))
                .hints
                .push(msg!("перенесите срок или задайте `shift: next` — перенос на следующий рабочий день";
                    "move the deadline, or set `shift: next` to move it to the next working day"));
        }
    }
    let shifted_in_gap = shift != Shift::Keep && occurrences.iter().any(|o| !calendar.covers(o.written.year()));
    shifted_in_gap.then_some(Depends::Shift)
}

/// The due dates the author named as days. A month ("октябрь 2023 г.") ending on a Sunday is
/// not a choice of that Sunday, and weekly reports fall on weekends by design, so neither is
/// worth a warning.
fn named_days(spec: &Spec) -> Vec<NaiveDate> {
    let window_end = |from: NaiveDate, to: NaiveDate| {
        let whole_months = from.day() == 1 && to.succ_opt().is_some_and(|n| n.day() == 1);
        (!whole_months).then_some(to)
    };
    match spec {
        Spec::Once { date, .. } => vec![*date],
        Spec::Window { from, to, .. } => window_end(*from, *to).into_iter().collect(),
        Spec::Multiple { items } => items
            .iter()
            .filter_map(|i| match i {
                deadline::Item::Once { date, .. } => Some(*date),
                deadline::Item::Window { from, to, .. } => window_end(*from, *to),
                deadline::Item::Recurring(_) => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn weekday_ru(d: NaiveDate) -> &'static str {
    [
        "понедельник — праздник или перенесённый выходной",
        "вторник — праздник или перенесённый выходной",
        "среда — праздник или перенесённый выходной",
        "четверг — праздник или перенесённый выходной",
        "пятница — праздник или перенесённый выходной",
        "суббота",
        "воскресенье",
    ][d.weekday().num_days_from_monday() as usize]
}

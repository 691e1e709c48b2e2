//! Which calendar a document's dates depend on: its region (K0520 for one karta has no
//! calendar for) and the years of its period whose decree on transfers the calendar in force
//! lacks (K0503, once per document, naming the deadlines whose dates depend on them). It
//! decides nothing about dates itself; the deadline checks report what depends on what.

use chrono::Datelike;

use super::Ctx;
use crate::calendar::{self, Calendar};
use crate::diag::Code;
use crate::model::{Document, Period};
use crate::msg;

/// The region of a roadmap or protocol, as written.
pub fn region_of(doc: &Document) -> Option<&str> {
    match doc {
        Document::Roadmap(r) => r.region.as_deref(),
        Document::Protocol(p) => p.region.as_deref(),
        Document::Directory(_) => None,
    }
}

pub(super) fn region_known(ctx: &mut Ctx<'_>, region: Option<&str>) {
    if let Some(d) = region.and_then(calendar::unknown_region) {
        let span = ctx.loaded.spans.value("/region");
        ctx.out.push(d.at(&ctx.loaded.source, span));
    }
}

/// Why a deadline's date depends on the calendar of its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Depends {
    /// Counted in working days.
    WorkingDays,
    /// Moved off a day off by the shift rule.
    Shift,
}

/// K0503, once per document: the years of the period whose decree the calendar lacks, and the
/// deadlines whose dates depend on them.
pub(super) fn coverage(ctx: &mut Ctx<'_>, p: Period, calendar: &Calendar, depend: &[(&str, Depends)]) {
    if p.to < p.from {
        return;
    }
    let missing: Vec<String> =
        (p.from.year()..=p.to.year()).filter(|y| !calendar.covers(*y)).map(|y| y.to_string()).collect();
    if missing.is_empty() {
        return;
    }
    let years = missing.join(", ");
    let message = if depend.is_empty() {
        msg!("производственный календарь не охватывает {} г. (нет постановления о переносе выходных): сроки этой карты от него не зависят, но напоминания в рабочих днях и часы рассылки считаются без переносов", years;
            "the production calendar does not cover {} (no decree on transfers): this file's deadlines do not depend on it, but reminders in working days and sending hours are counted without transfers", years)
    } else {
        let list = |lang_wd: &str, lang_shift: &str| {
            depend
                .iter()
                .map(|(id, why)| format!("{id} ({})", if *why == Depends::WorkingDays { lang_wd } else { lang_shift }))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (ru, en) = (list("рабочие дни", "перенос с выходного"), list("working days", "shift off a day off"));
        let n = depend.len();
        msg!("производственный календарь не охватывает {} г. (нет постановления о переносе выходных): от него зависят сроки {} {}: {}", years, n, crate::diag::plural(n as u64, ["мероприятия", "мероприятий", "мероприятий"]), ru;
            "the production calendar does not cover {} (no decree on transfers); the deadlines of {} activities depend on it: {}", years, n, en)
    };
    ctx.warning(Code::CalendarGap, "/period", message).hints.push(msg!(
        "когда выйдет постановление, внесите его переносы в файл календаря и подключите его (`[calendar] files`, `--calendar` или каталог calendar/ рядом с дорожными картами), см. docs/format.md §3.6";
        "once the decree is out, add its transfers to a calendar file and use it (`[calendar] files`, `--calendar` or the calendar/ directory beside the roadmaps); see docs/format.md §3.6"));
}

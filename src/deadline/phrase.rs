//! Writes a [`Spec`] as a Russian phrase that reads back to the same spec — the other half of
//! "every phrase has a structured form": authors can switch either way, and structured
//! deadlines get a wording for official documents.

use chrono::{Datelike, NaiveDate};

use super::resolve::last_of_month;
use super::spec::{Every, Item, Nth, Range, Recurrence, Relative, Spec, Time, Weekday};
use super::words::{month_genitive, month_nominative};

impl Spec {
    /// The canonical phrase for this deadline.
    pub fn phrase(&self) -> String {
        match self {
            Spec::Once { date, time } => with_time(format!("до {}", day(*date)), *time),
            Spec::Window { from, to, time } => with_time(stretch(*from, *to), *time),
            Spec::Multiple { items } => {
                let mut out = String::new();
                for (k, i) in items.iter().enumerate() {
                    let (sep, text) = match i {
                        Item::Once { date, time } => (", ", with_time(format!("до {}", day(*date)), *time)),
                        Item::Window { from, to, time } => (", ", with_time(stretch(*from, *to), *time)),
                        Item::Recurring(rec) => (", далее – ", recurrence(rec)),
                    };
                    if k > 0 {
                        out.push_str(sep);
                    }
                    out.push_str(&text);
                }
                out
            }
            Spec::Recurring(rec) => recurrence(rec),
            Spec::Continuous => "постоянно".to_string(),
            Spec::OnDemand => "по мере необходимости".to_string(),
            Spec::Relative(r) => relative(r),
        }
    }
}

/// "ежемесячно, последняя среда месяца", with its stretches first.
fn recurrence(rec: &Recurrence) -> String {
    let mut parts: Vec<String> = rec.within.iter().map(|Range { from, to }| stretch(*from, *to)).collect();
    parts.push(
        match rec.every {
            Every::Week => "еженедельно",
            Every::Month => "ежемесячно",
            Every::Quarter => "ежеквартально",
            Every::Year => "ежегодно",
        }
        .to_string(),
    );
    if let Some(wd) = rec.weekday {
        parts.push(match rec.nth {
            Some(nth) => format!("{} {} месяца", ordinal_fem(nth, wd), weekday_nominative(wd)),
            None => format!("по {}", weekday_dative_plural(wd)),
        });
    }
    if let Some(week) = rec.week {
        parts.push(format!("{} неделя месяца", ordinal(week)));
    }
    match (rec.day, rec.month) {
        (Some(d), Some(m)) if rec.following => {
            parts.push(format!("до {d} {} года, следующего за отчетным", month_genitive(m)))
        }
        (Some(d), Some(m)) => parts.push(format!("до {d} {}", month_genitive(m))),
        (Some(d), None) => parts.push(match (rec.following, rec.every) {
            (true, Every::Quarter) => format!("до {d} числа месяца, следующего за отчетным кварталом"),
            (true, Every::Year) => format!("до {d} числа месяца, следующего за отчетным годом"),
            (true, _) => format!("до {d} числа месяца, следующего за отчетным"),
            (false, _) => format!("до {d} числа"),
        }),
        (None, Some(m)) => parts.insert(parts.len() - 1, month_nominative(m).to_string()),
        (None, None) => {}
    }
    with_time(parts.join(", "), rec.time)
}

/// "в течение 5 рабочих дней после org-3", "в течение 14 календарных дней", "за 10 календарных
/// дней до начала учебного года".
fn relative(r: &Relative) -> String {
    let mut span = Vec::new();
    if r.months > 0 {
        span.push(format!(
            "{} {}",
            r.months,
            crate::diag::plural(u64::from(r.months), ["месяца", "месяцев", "месяцев"])
        ));
    }
    if r.days > 0 || r.months == 0 {
        span.push(format!(
            "{} {} {}",
            r.days,
            if r.working { "рабочих" } else { "календарных" },
            crate::diag::plural(u64::from(r.days), ["дня", "дней", "дней"])
        ));
    }
    let span = span.join(" и ");
    match (&r.after, &r.event) {
        (Some(after), _) => format!("в течение {span} после {after}"),
        (None, Some(event)) if r.before => format!("за {span} до {event}"),
        (None, Some(event)) => format!("в течение {span} со дня {event}"),
        (None, None) => format!("в течение {span}"),
    }
}

fn with_time(text: String, time: Option<Time>) -> String {
    match time {
        Some(Time { at, moscow: false }) => format!("{text} до {}", at.format("%H.%M")),
        Some(Time { at, moscow: true }) => format!("{text} до {} по московскому времени", at.format("%H.%M")),
        None => text,
    }
}

/// "17 октября 2023 г."
fn day(d: NaiveDate) -> String {
    format!("{} {} {} г.", d.day(), month_genitive(d.month()), d.year())
}

/// A stretch in the words a clerk would use: whole months by name, otherwise dates.
fn stretch(from: NaiveDate, to: NaiveDate) -> String {
    let whole_months = from.day() == 1 && to == last_of_month(to);
    if whole_months {
        let a = format!("{} {} г.", month_nominative(from.month()), from.year());
        if from.year() == to.year() && from.month() == to.month() {
            return a;
        }
        return format!("{a} – {} {} г.", month_nominative(to.month()), to.year());
    }
    format!("{} – {}", day(from), day(to))
}

fn ordinal(n: Nth) -> &'static str {
    match n {
        Nth::First => "первая",
        Nth::Second => "вторая",
        Nth::Third => "третья",
        Nth::Fourth => "четвертая",
        Nth::Last => "последняя",
    }
}

/// The ordinal agreeing with the weekday's gender: "последний вторник", "последняя среда".
fn ordinal_fem(n: Nth, wd: Weekday) -> &'static str {
    let feminine = matches!(wd, Weekday::Wednesday | Weekday::Friday | Weekday::Saturday);
    let neuter = wd == Weekday::Sunday;
    match (n, feminine, neuter) {
        (_, true, _) => ordinal(n),
        (Nth::First, _, true) => "первое",
        (Nth::Second, _, true) => "второе",
        (Nth::Third, _, true) => "третье",
        (Nth::Fourth, _, true) => "четвертое",
        (Nth::Last, _, true) => "последнее",
        (Nth::First, ..) => "первый",
        (Nth::Second, ..) => "второй",
        (Nth::Third, ..) => "третий",
        (Nth::Fourth, ..) => "четвертый",
        (Nth::Last, ..) => "последний",
    }
}

pub(super) fn weekday_nominative(wd: Weekday) -> &'static str {
    ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"]
        [wd.chrono().num_days_from_monday() as usize]
}

fn weekday_dative_plural(wd: Weekday) -> &'static str {
    ["понедельникам", "вторникам", "средам", "четвергам", "пятницам", "субботам", "воскресеньям"]
        [wd.chrono().num_days_from_monday() as usize]
}

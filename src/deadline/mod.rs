//! The deadline language: the ministry's own deadline phrases ("до 17 октября 2023 г.",
//! "Ежемесячно, последняя среда месяца", "октябрь 2023 г. – март 2024 г., первая неделя") and
//! their structured form, read into a [`Spec`] and expanded into dated [`Occurrence`]s.
//!
//! Reading goes lexer → parser (parts of the phrase) → resolve (kind and years, inside the
//! roadmap's period). Nothing here knows about files: errors carry character offsets inside
//! the phrase, and the caller adds the file position. What cannot be read is refused with the
//! part that was not understood, never guessed.

mod expand;
mod lexer;
mod parser;
mod phrase;
mod resolve;
pub mod spec;
mod words;

use crate::diag::Message;
use crate::model::Period;
use crate::msg;

pub use expand::{Occurrence, counted};
pub use parser::is_activity_ref;
pub use spec::{Every, Item, Nth, Range, Recurrence, Relative, Spec, Time, Weekday};

/// Why a phrase could not be read: the part (character offsets in the phrase) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineError {
    pub start: usize,
    pub end: usize,
    pub message: Message,
    pub hint: Option<Message>,
}

impl DeadlineError {
    pub fn new(start: usize, end: usize, message: Message) -> Self {
        DeadlineError { start, end, message, hint: None }
    }

    pub fn with_hint(mut self, hint: Message) -> Self {
        self.hint = Some(hint);
        self
    }
}

/// [`read`], remembering each reading: a workspace repeats a few dozen phrases ("ежемесячно до
/// 25 числа") across thousands of activities, and checking and compiling both read them. The
/// reading is a pure function of the phrase and the period, so remembering changes nothing
/// but the time; the memory is bounded (it starts over past `LIMIT` phrases).
pub fn read_remembered(phrase: &str, period: Period) -> Result<Spec, DeadlineError> {
    type Readings = rustc_hash::FxHashMap<(Box<str>, Period), Result<Spec, DeadlineError>>;
    static READINGS: std::sync::LazyLock<std::sync::Mutex<Readings>> = std::sync::LazyLock::new(Default::default);
    const LIMIT: usize = 50_000;
    let key = (Box::<str>::from(phrase), period);
    if let Some(known) = READINGS.lock().ok().and_then(|r| r.get(&key).cloned()) {
        return known;
    }
    let reading = read(phrase, period);
    if let Ok(mut readings) = READINGS.lock() {
        if readings.len() >= LIMIT {
            readings.clear();
        }
        readings.insert(key, reading.clone());
    }
    reading
}

/// Reads a deadline phrase inside a period.
pub fn read(phrase: &str, period: Period) -> Result<Spec, DeadlineError> {
    let parts = parser::parse(phrase)?;
    resolve::resolve(parts, period, phrase.chars().count())
}

/// The footnote marks in a phrase («15 мая 2021* г.», «<*>», «<1>»): the reader passes over
/// them; the caller warns, because the footnote may change the deadline.
pub fn footnotes(phrase: &str) -> Vec<DeadlineError> {
    lexer::lex(phrase)
        .into_iter()
        .filter(|t| t.tok == lexer::Tok::Footnote)
        .map(|t| {
            let mark: String = phrase.chars().skip(t.start).take(t.end - t.start).collect();
            DeadlineError::new(t.start, t.end, msg!("сноска «{}» в сроке пропущена", mark; "footnote mark «{}» in the deadline skipped", mark))
                .with_hint(msg!("проверьте текст сноски: она может менять срок; перенесите её в `notes`"; "read the footnote: it may change the deadline; move it to `notes`"))
        })
        .collect()
}

/// The forms karta understands, for hints.
pub fn known_forms() -> Message {
    msg!(
        "понятные формы: «до 17 октября 2023 г.», «октябрь – ноябрь 2023 г.», «IV квартал 2023 г.», «ежемесячно, последняя среда месяца», «октябрь – декабрь 2023 г., еженедельно», «каждый вторник», «постоянно», «по мере необходимости», «в течение 5 рабочих дней после org-3»";
        "forms karta reads: «до 17 октября 2023 г.», «октябрь – ноябрь 2023 г.», «IV квартал 2023 г.», «ежемесячно, последняя среда месяца», «октябрь – декабрь 2023 г., еженедельно», «каждый вторник», «постоянно», «по мере необходимости», «в течение 5 рабочих дней после org-3»"
    )
}

impl Spec {
    /// The rule and the activity of a deadline counted from another activity being done.
    pub fn counted_from(&self) -> Option<(&Relative, &str)> {
        match self {
            Spec::Relative(r) => r.after.as_deref().map(|after| (r, after)),
            _ => None,
        }
    }

    /// The name of the kind, as in the structured form.
    pub fn kind(&self) -> &'static str {
        match self {
            Spec::Once { .. } => "once",
            Spec::Window { .. } => "window",
            Spec::Multiple { .. } => "multiple",
            Spec::Recurring(_) => "recurring",
            Spec::Continuous => "continuous",
            Spec::OnDemand => "on_demand",
            Spec::Relative(_) => "relative",
        }
    }

    /// Whether the structured form makes sense (the schema checks types; this checks meaning).
    pub fn validate(&self) -> Result<(), Message> {
        let range_ok = |from: chrono::NaiveDate, to: chrono::NaiveDate| -> Result<(), Message> {
            use chrono::Datelike;
            if to < from {
                return Err(
                    msg!("конец периода ({}) раньше начала ({})", to, from; "the stretch ends ({}) before it starts ({})", to, from),
                );
            }
            if from.year() < 1990 || to.year() > 2100 {
                return Err(msg!("даты вне 1990–2100 годов"; "dates outside the years 1990–2100"));
            }
            Ok(())
        };
        match self {
            Spec::Once { date, .. } => range_ok(*date, *date),
            Spec::Window { from, to, .. } => range_ok(*from, *to),
            Spec::Multiple { items } => {
                if items.is_empty() {
                    return Err(msg!("в списке сроков нет ни одного срока"; "the list of deadlines is empty"));
                }
                items.iter().try_for_each(|i| match i {
                    Item::Once { date, .. } => range_ok(*date, *date),
                    Item::Window { from, to, .. } => range_ok(*from, *to),
                    Item::Recurring(rec) => {
                        rec.within.iter().try_for_each(|r| range_ok(r.from, r.to))?;
                        rec.validate()
                    }
                })
            }
            Spec::Recurring(rec) => {
                rec.within.iter().try_for_each(|r| range_ok(r.from, r.to))?;
                rec.validate()
            }
            Spec::Relative(r) => match (&r.after, &r.event) {
                (Some(after), _) if !is_activity_ref(after) => {
                    Err(msg!("`{}` — не идентификатор мероприятия", after; "`{}` is not an activity id", after))
                }
                (Some(_), Some(_)) => {
                    Err(msg!("срок отсчитывается либо от мероприятия (`after`), либо от события (`event`)";
                    "a relative deadline counts from an activity (`after`) or an event (`event`), not both"))
                }
                _ if r.days > 3660 || r.months > 120 => Err(
                    msg!("слишком долгий срок: до 3660 дней или 120 месяцев"; "too long: up to 3660 days or 120 months"),
                ),
                _ if r.before && r.event.is_none() => Err(msg!("«за N дней до …» требует события (`event`)";
                    "`before` needs an `event`")),
                _ => Ok(()),
            },
            Spec::Continuous | Spec::OnDemand => Ok(()),
        }
    }
}

impl Recurrence {
    fn validate(&self) -> Result<(), Message> {
        let nothing_but = |allowed: &[&str]| -> Result<(), Message> {
            let used = [
                ("weekday", self.weekday.is_some()),
                ("nth", self.nth.is_some()),
                ("week", self.week.is_some()),
                ("day", self.day.is_some()),
                ("month", self.month.is_some()),
                ("following", self.following),
            ];
            match used.iter().find(|(name, on)| *on && !allowed.contains(name)) {
                Some((name, _)) => {
                    Err(msg!("поле `{}` не подходит к периодичности `{}`", name, every_name(self.every);
                    "`{}` does not go with repetition `{}`", name, every_name(self.every)))
                }
                None => Ok(()),
            }
        };
        if self.day.is_some_and(|d| !(1..=31).contains(&d)) || self.month.is_some_and(|m| !(1..=12).contains(&m)) {
            return Err(msg!("число месяца 1–31, месяц 1–12"; "day of month 1–31, month 1–12"));
        }
        if self.following && self.day.is_none() {
            return Err(msg!("«следующего за отчетным» требует числа: «до 5 числа месяца, следующего за отчетным»";
                "`following` needs a `day`: «до 5 числа месяца, следующего за отчетным»"));
        }
        if self.nth.is_some() && self.weekday.is_none() {
            return Err(msg!("`nth` (какой по счёту) указывается вместе с `weekday`: «последняя среда месяца»";
                "`nth` goes with `weekday`: «последняя среда месяца»"));
        }
        match self.every {
            Every::Week => nothing_but(&["weekday"]),
            Every::Month => {
                if self.weekday.is_some() && self.nth.is_none() {
                    return Err(
                        msg!("какой по счёту день недели месяца? Например: «последняя среда месяца»; или «еженедельно, по средам»";
                        "which weekday of the month? e.g. «последняя среда месяца», or weekly «еженедельно, по средам»"),
                    );
                }
                let set = [self.nth.is_some(), self.week.is_some(), self.day.is_some()].iter().filter(|b| **b).count();
                if set > 1 {
                    return Err(
                        msg!("укажите что-то одно: день недели, неделю месяца или число"; "give one of: a weekday, a week of the month, or a day"),
                    );
                }
                nothing_but(&["weekday", "nth", "week", "day", "following"])
            }
            Every::Quarter => nothing_but(&["day", "following"]),
            Every::Year => nothing_but(&["day", "month", "following"]),
        }
    }
}

fn every_name(e: Every) -> &'static str {
    match e {
        Every::Week => "week",
        Every::Month => "month",
        Every::Quarter => "quarter",
        Every::Year => "year",
    }
}

#[cfg(test)]
mod tests;

//! The structured form of a deadline: what a phrase means, spelled out field by field. Every
//! phrase karta reads has one (`karta deadline` prints it), and authors may write it in place
//! of the phrase. Dates here are always complete; a phrase's missing years are filled in from
//! the roadmap's period before it becomes a `Spec`.

use chrono::{NaiveDate, NaiveTime};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A deadline in structured form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Spec {
    /// One date ("до 17 октября 2023 г."): opens at the period start, due on `date`.
    Once {
        date: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time: Option<Time>,
    },
    /// A stretch of days ("октябрь – ноябрь 2023 г."): opens on `from`, due on `to`.
    Window {
        from: NaiveDate,
        to: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time: Option<Time>,
    },
    /// Several dates or stretches, each its own occurrence, in order.
    Multiple { items: Vec<Item> },
    /// A repeating deadline ("ежемесячно, последняя среда месяца").
    Recurring(Recurrence),
    /// Ongoing work without a due date ("постоянно").
    Continuous,
    /// Work done when needed ("по мере необходимости").
    OnDemand,
    /// Due a span of time after (or before) something: another activity being done, the act
    /// that approves the document itself, or an event named in words.
    Relative(Relative),
}

/// One item of a `multiple` deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Item {
    Once {
        date: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time: Option<Time>,
    },
    Window {
        from: NaiveDate,
        to: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time: Option<Time>,
    },
    /// A stage that repeats ("…, далее – ежегодно").
    Recurring(Recurrence),
}

/// How a recurring deadline repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recurrence {
    /// The unit of repetition.
    pub every: Every,
    /// Stretches of days the repetition is limited to; the whole period when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub within: Vec<Range>,
    /// A weekday: every such day (weekly), or with `nth` the n-th such day of the month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekday: Option<Weekday>,
    /// With `weekday` in a monthly repetition: which of the month's such days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<Nth>,
    /// In a monthly repetition: the n-th week of the month (days 7n−6 … 7n; `last`: the last 7 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week: Option<Nth>,
    /// Due on this day of the month ("до 5 числа").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 31))]
    pub day: Option<u32>,
    /// In a yearly repetition: the month of the due date with `day` ("ежегодно, до 1 сентября"),
    /// or without `day` the month itself, every year ("сентябрь, ежегодно").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 12))]
    pub month: Option<u32>,
    /// The report for a month (quarter) is due in the following one ("месяца, следующего за отчетным").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub following: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Time>,
}

impl Recurrence {
    pub fn every(every: Every) -> Self {
        Recurrence {
            every,
            within: Vec::new(),
            weekday: None,
            nth: None,
            week: None,
            day: None,
            month: None,
            following: false,
            time: None,
        }
    }
}

/// A relative deadline: `days` (working or calendar) and `months` counted from its anchor —
/// activity `after` being done; or `event`, named in words ("начала учебного года"); or, with
/// neither, the act that approves the document ("в двухнедельный срок").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Relative {
    #[serde(default)]
    #[schemars(range(min = 0, max = 3660))]
    pub days: u32,
    /// Calendar months ("в 6-месячный срок"), counted before `days`.
    #[serde(default, skip_serializing_if = "is_zero")]
    #[schemars(range(min = 0, max = 120))]
    pub months: u32,
    #[serde(default)]
    pub working: bool,
    /// The activity id (`org-3`, or `roadmap-id/activity-id` in another roadmap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// An event named in words that is not an activity ("начала учебного года"): karta cannot
    /// date it, so the deadline has no dated occurrences until it is tied to an activity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Counted back from the anchor ("за 10 дней до начала …").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub before: bool,
}

impl Relative {
    /// Counted from activity `after` being done.
    pub fn after(days: u32, working: bool, after: &str) -> Self {
        Relative { days, months: 0, working, after: Some(after.to_string()), event: None, before: false }
    }

    /// What it is counted from, in words: the activity id, the event, or the act.
    pub fn anchor(&self) -> &str {
        self.after.as_deref().or(self.event.as_deref()).unwrap_or("утверждения документа")
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// An inclusive stretch of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The unit a deadline repeats by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Every {
    Week,
    Month,
    Quarter,
    Year,
}

/// Which week (or weekday) of the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Nth {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

impl Nth {
    pub fn from_number(n: u32) -> Option<Nth> {
        Some(match n {
            1 => Nth::First,
            2 => Nth::Second,
            3 => Nth::Third,
            4 => Nth::Fourth,
            _ => return None,
        })
    }

    /// 1 … 4 for the counted weeks, `None` for `last`.
    pub fn number(self) -> Option<u32> {
        match self {
            Nth::First => Some(1),
            Nth::Second => Some(2),
            Nth::Third => Some(3),
            Nth::Fourth => Some(4),
            Nth::Last => None,
        }
    }
}

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    pub fn chrono(self) -> chrono::Weekday {
        match self {
            Weekday::Monday => chrono::Weekday::Mon,
            Weekday::Tuesday => chrono::Weekday::Tue,
            Weekday::Wednesday => chrono::Weekday::Wed,
            Weekday::Thursday => chrono::Weekday::Thu,
            Weekday::Friday => chrono::Weekday::Fri,
            Weekday::Saturday => chrono::Weekday::Sat,
            Weekday::Sunday => chrono::Weekday::Sun,
        }
    }
}

/// A time of day written `HH:MM`: local time of the roadmap (or executor), or Moscow time when
/// the phrase says so («12:00 по московскому времени», «17:00 Мск»), written `HH:MM МСК`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Time {
    pub at: NaiveTime,
    pub moscow: bool,
}

impl Time {
    pub fn local(at: NaiveTime) -> Self {
        Time { at, moscow: false }
    }

    /// The zone the time is in, when it is not the roadmap's own.
    pub fn zone(self) -> Option<chrono_tz::Tz> {
        self.moscow.then_some(chrono_tz::Europe::Moscow)
    }
}

impl std::fmt::Display for Time {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.at.format("%H:%M"), if self.moscow { " МСК" } else { "" })
    }
}

impl Serialize for Time {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let (clock, moscow) = match text.strip_suffix(" МСК") {
            Some(clock) => (clock, true),
            None => (text.as_str(), false),
        };
        NaiveTime::parse_from_str(clock, "%H:%M").map(|at| Time { at, moscow }).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Time {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Time".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]( МСК)?$",
            "description": "A time of day, HH:MM (local time of the roadmap or executor), or HH:MM МСК (Moscow time)."
        })
    }
}

//! Calendar layers: the federal calendar shipped with karta, the regional calendars shipped
//! beside it, and the operator's local files. Every layer is the same TSV (`date<TAB>type<TAB>
//! note`), read here into [`Row`]s that remember their line, so that the checker can point at
//! them and the merged calendar can say which layer and which act set a day. Reading is
//! lenient ([`Layer::read`] keeps what it understands); strictness lives in [`super::check`].

use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};

const FEDERAL: &str = include_str!("../../data/ru-production-calendar.tsv");

/// The regional calendars shipped with karta: ISO 3166-2 code, name, data.
const REGIONS: &[(&str, &str, &str)] = &[
    ("RU-BA", "Республика Башкортостан", include_str!("../../data/calendars/RU-BA.tsv")),
    ("RU-BU", "Республика Бурятия", include_str!("../../data/calendars/RU-BU.tsv")),
    ("RU-TA", "Республика Татарстан", include_str!("../../data/calendars/RU-TA.tsv")),
];

/// The header line every calendar file starts with.
pub const HEADER: &str = "date\ttype\tnote";

/// What a row says about its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A non-working holiday (federal art. 112 ТК РФ, or a regional law's).
    Holiday,
    /// A weekday made a day off by a transfer.
    TransferredDayOff,
    /// A Saturday or Sunday made a working day.
    WorkingWeekend,
    /// A working day one hour shorter (ст. 95 ТК РФ).
    Shortened,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Holiday, Kind::TransferredDayOff, Kind::WorkingWeekend, Kind::Shortened];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Holiday => "holiday",
            Kind::TransferredDayOff => "transferred_day_off",
            Kind::WorkingWeekend => "working_weekend",
            Kind::Shortened => "shortened",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == text)
    }

    /// Whether the row makes its date a day off.
    pub fn is_day_off(self) -> bool {
        matches!(self, Kind::Holiday | Kind::TransferredDayOff)
    }

    /// Rows of these kinds come from the annual decree (or art. 112 transfers): a year that has
    /// them in a federal or local layer is complete.
    pub fn is_decreed(self) -> bool {
        !matches!(self, Kind::Holiday)
    }
}

/// One row of a calendar file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub date: NaiveDate,
    pub kind: Kind,
    /// The holiday's name or the legal basis, as written.
    pub note: String,
    /// 1-based line in the file.
    pub line: usize,
}

/// Where a layer comes from; the order of layers is federal, regional, local.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "region")]
pub enum Origin {
    Federal,
    Regional(String),
    Local,
}

/// A calendar file as read.
#[derive(Debug, Clone)]
pub struct Layer {
    pub origin: Origin,
    /// Where it was read from: `data/…` for the built-in ones, the path for local files.
    pub source: String,
    /// The region's name for a regional layer.
    pub title: String,
    pub rows: Vec<Row>,
}

impl Layer {
    /// Reads the rows it understands; the header and malformed lines are skipped.
    pub fn read(origin: Origin, source: impl Into<String>, title: impl Into<String>, text: &str) -> Layer {
        let rows = text
            .lines()
            .enumerate()
            .skip(1)
            .filter_map(|(i, line)| {
                let mut fields = line.split('\t');
                let date = NaiveDate::parse_from_str(fields.next()?, "%Y-%m-%d").ok()?;
                let kind = Kind::parse(fields.next()?)?;
                let note = fields.next().unwrap_or_default().trim().to_string();
                Some(Row { date, kind, note, line: i + 1 })
            })
            .collect();
        Layer { origin, source: source.into(), title: title.into(), rows }
    }

    /// The federal calendar shipped with karta.
    pub fn federal() -> Layer {
        Layer::read(Origin::Federal, "data/ru-production-calendar.tsv", "Российская Федерация", FEDERAL)
    }

    /// The shipped regional calendar of an ISO 3166-2 code (`RU-TA`), if karta has one.
    pub fn regional(code: &str) -> Option<Layer> {
        let (code, title, text) = REGIONS.iter().find(|(c, _, _)| c.eq_ignore_ascii_case(code))?;
        Some(Layer::read(Origin::Regional((*code).to_string()), format!("data/calendars/{code}.tsv"), *title, text))
    }

    /// A local calendar file given by the operator.
    pub fn local(path: &Path, text: &str) -> Layer {
        Layer::read(Origin::Local, path.display().to_string(), "", text)
    }

    /// The years the layer has rows for.
    pub fn years(&self) -> std::collections::BTreeSet<i32> {
        self.rows.iter().map(|r| r.date.year()).collect()
    }

    /// A name for people: «федеральный», «RU-TA Республика Татарстан», the file's path.
    pub fn label(&self) -> String {
        match &self.origin {
            Origin::Federal => "федеральный".to_string(),
            Origin::Regional(code) => format!("{code} {}", self.title),
            Origin::Local => self.source.clone(),
        }
    }
}

/// The regions karta ships a calendar for: code and name.
pub fn regions() -> impl Iterator<Item = (&'static str, &'static str)> {
    REGIONS.iter().map(|(c, t, _)| (*c, *t))
}

/// The text of a shipped regional file, for checking it like any other.
pub fn regional_text(code: &str) -> Option<&'static str> {
    REGIONS.iter().find(|(c, _, _)| c.eq_ignore_ascii_case(code)).map(|(_, _, t)| *t)
}

/// The text of the shipped federal file.
pub fn federal_text() -> &'static str {
    FEDERAL
}

/// Saturday or Sunday.
pub fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

//! The roadmap format as typed Rust values. These types are the single source of the JSON
//! Schema in `schemas/roadmap.schema.json` (via schemars) and of `docs/format.md`. They hold
//! what the author wrote, nothing more: no source positions (the loader keeps those) and no
//! computed dates (the compiler makes those).

mod executor;
mod indicator;
mod protocol;
mod roadmap;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use executor::{ChatId, Directory, Executor, ExecutorKind, Group, MaxChatId, Person};
pub use indicator::{Better, Indicator, Observation, Targets, period};
pub use protocol::{AgendaItem, Attendee, Decision, Protocol, Speech};
pub use roadmap::{Activity, Amendment, Approval, Lead, Reminders, Roadmap, Section};

use crate::deadline::Spec;

/// One YAML file: a roadmap, a meeting protocol, or a shared directory of executors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[schemars(title = "karta roadmap document")]
pub enum Document {
    /// A roadmap (дорожная карта): sections of activities with executors and deadlines.
    Roadmap(Roadmap),
    /// A meeting protocol (протокол) whose decisions are tracked like activities.
    Protocol(Protocol),
    /// A directory of executors shared by several roadmaps (справочник исполнителей).
    Directory(Directory),
}

/// What a document declares about who does the work: the directory files it includes and its
/// own executors and groups.
#[derive(Debug, Clone, Copy)]
pub struct Declared<'a> {
    pub include: &'a [String],
    pub executors: &'a indexmap::IndexMap<Id, Executor>,
    pub groups: &'a indexmap::IndexMap<Id, Group>,
}

impl Document {
    pub fn declared(&self) -> Declared<'_> {
        match self {
            Document::Roadmap(r) => Declared { include: &r.include, executors: &r.executors, groups: &r.groups },
            Document::Protocol(p) => Declared { include: &p.include, executors: &p.executors, groups: &p.groups },
            Document::Directory(d) => Declared { include: &[], executors: &d.executors, groups: &d.groups },
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Document::Roadmap(r) => &r.id,
            Document::Protocol(p) => &p.id,
            Document::Directory(d) => &d.id,
        }
    }
}

/// The stretch of time a roadmap covers; deadline phrases without a year are read inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A deadline as the author wrote it: the ministry's own phrase (kept verbatim for official
/// documents) or the structured form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Due {
    /// A Russian deadline phrase: "до 17 октября 2023 г.", "Ежемесячно, последняя среда месяца".
    Phrase(String),
    /// The structured form of a deadline.
    Structured(Spec),
}

impl Due {
    /// The deadline as the documents print it: the phrase as typed, or the structured form worded.
    pub fn written(&self) -> String {
        match self {
            Due::Phrase(p) => p.clone(),
            Due::Structured(s) => s.phrase(),
        }
    }
}

/// What to do with a due date that falls on a non-working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Shift {
    /// Keep the date as written (karta check warns).
    #[default]
    Keep,
    /// Move it to the next working day.
    Next,
    /// Move it to the previous working day.
    Previous,
}

/// An identifier: lowercase Latin letters, digits and hyphens (`org-1`, `uo-lazo`).
pub type Id = String;

/// The JSON Schema of the roadmap format, as checked in at `schemas/roadmap.schema.json`.
pub fn schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut schema = generator.into_root_schema_for::<Document>().to_value();
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("$id".into(), "https://karta.example.org/schemas/roadmap.schema.json".into());
    }
    schema
}

/// The schema as pretty JSON text with a trailing newline.
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    text.push('\n');
    text
}

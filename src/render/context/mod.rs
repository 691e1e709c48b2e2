//! What each document says, as data for the templates: the requisites (organisation, date and
//! number, addressee, approval stamp, signature, executor mark) and the body of each kind, taken
//! from the roadmap files, the plan and the status at `now`. Dates stay ISO (`2023-10-02`); the
//! templates word them with the Russian helpers (`date_words`, `date_digits`).

mod indicators;
mod letters;
mod protocol;
mod roadmap;
mod status;

pub use indicators::{IndicatorDoc, IndicatorsDoc, Recorded, YearRow, indicators_doc};
pub use letters::{Letter, LettersDoc, letters};
pub use protocol::{AgendaItem, DecisionRow, ProtocolDoc, Speech, protocol};
pub use roadmap::{Order, RoadmapDoc, Row, TableSection, roadmap};
pub use status::{AtRisk, FigureRow, Figures, Moved, Overdue, StatusDoc, status};

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::check::Unit;
use crate::model::{Document, Person};

/// The organisation a document comes from (requisite 05, with the parent body above it).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Org {
    pub parent: Option<String>,
    pub name: String,
    pub short: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A signature block (requisite 22): position flush left, "И.О. Фамилия" flush right.
#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    pub position: String,
    pub name: String,
}

/// The executor mark (requisite 25).
#[derive(Debug, Clone, Serialize)]
pub struct Mark {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// "УТВЕРЖДЕНА / приказом … / от 02.10.2023 № 380".
#[derive(Debug, Serialize)]
pub struct Stamp {
    pub word: String,
    pub by: String,
    pub date: NaiveDate,
    pub number: String,
}

/// The organisation named by an executor id (a person's organisation for a person): the parent
/// body above, the short form below.
fn org(unit: &Unit, id: Option<&str>) -> Org {
    let Some(mut e) = id.and_then(|id| unit.executors.get(id)) else { return Org::default() };
    if e.kind == crate::model::ExecutorKind::Person {
        match e.parent.as_deref().and_then(|p| unit.executors.get(p)) {
            Some(parent) => e = parent,
            None => return Org::default(),
        }
    }
    Org {
        parent: e.parent.as_deref().and_then(|p| unit.executors.get(p)).map(|p| p.name.clone()),
        name: e.name.clone(),
        short: e.short.clone(),
        phone: e.phone.clone(),
        email: e.email.clone(),
    }
}

fn signer(p: &Person) -> Signer {
    Signer { position: capitalized(p.position.as_deref().unwrap_or_default()), name: p.name.clone() }
}

/// A position opens the signature block: "заместитель начальника …" → "Заместитель начальника …".
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn head<'u>(unit: &'u Unit, id: Option<&str>) -> Option<&'u Person> {
    id.and_then(|id| unit.executors.get(id)).and_then(|e| e.head.as_ref())
}

/// Executor names as a table cell shows them: the short form, else the full name.
fn names(unit: &Unit, ids: &[String]) -> Vec<String> {
    ids.iter().map(|id| unit.executors.get(id).map_or_else(|| id.clone(), |e| e.display_name().to_string())).collect()
}

fn roadmap_of(unit: &Unit) -> Option<&crate::model::Roadmap> {
    match &*unit.document {
        Document::Roadmap(r) => Some(r),
        _ => None,
    }
}

fn stamp(unit: &Unit) -> Option<Stamp> {
    let a = roadmap_of(unit)?.approval.as_ref()?;
    Some(Stamp {
        word: "УТВЕРЖДЕНА".into(),
        by: a.stamp.clone().unwrap_or_else(|| instrumental(&a.document)),
        date: a.date,
        number: a.number.clone(),
    })
}

/// Activities of a roadmap by id.
fn task_index(unit: &Unit) -> HashMap<&str, usize> {
    unit.tasks.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect()
}

/// The point of an activity as printed: "1.4." from its section and position, or its own number.
fn point(unit: &Unit, task: usize) -> String {
    let t = &unit.tasks[task];
    if let Some(n) = &t.number {
        let n = n.trim_end_matches('.');
        // Numbers that restart in each section ("1.", "2.") are qualified by the section.
        return match t.section {
            Some(s) if !n.contains('.') => format!("{}.{n}", s + 1),
            _ => n.to_string(),
        };
    }
    match t.section {
        Some(s) => {
            let k = unit.tasks[..=task].iter().filter(|x| x.section == Some(s)).count();
            format!("{}.{}", s + 1, k)
        }
        None => (task + 1).to_string(),
    }
}

/// "Дорожная карта повышения …" → "повышения …"; other titles in quotes: "«Модель …»".
fn subtitle(title: &str) -> String {
    let prefix = "дорожная карта";
    match title.to_lowercase().strip_prefix(prefix) {
        Some(_) => title.chars().skip(prefix.chars().count()).collect::<String>().trim().to_string(),
        None => format!("«{}»", title.trim_matches(['«', '»'])),
    }
}

fn due_text(due: &crate::model::Due) -> String {
    match due {
        crate::model::Due::Phrase(p) => p.clone(),
        crate::model::Due::Structured(s) => s.phrase(),
    }
}

fn issuer(unit: &Unit) -> Option<&str> {
    unit.issuer()
}

/// Who signs documents about a roadmap (the controller's head) and the executor mark (the
/// controller's contacts).
fn people(unit: &Unit) -> (Option<Signer>, Option<Mark>) {
    let controller = unit.controller.as_deref().or(issuer(unit));
    // A person in control signs themselves.
    if let Some(e) =
        controller.and_then(|id| unit.executors.get(id)).filter(|e| e.kind == crate::model::ExecutorKind::Person)
    {
        let signer = Signer { position: capitalized(e.position.as_deref().unwrap_or_default()), name: e.name.clone() };
        let mark = (e.phone.is_some() || e.email.is_some()).then(|| Mark {
            name: e.name.clone(),
            phone: e.phone.clone(),
            email: e.email.clone(),
        });
        return (Some(signer), mark);
    }
    let head = head(unit, controller);
    let mark = controller.and_then(|id| unit.executors.get(id)).and_then(|e| {
        (e.phone.is_some() || e.email.is_some()).then(|| Mark {
            name: e.display_name().to_string(),
            phone: e.phone.clone(),
            email: e.email.clone(),
        })
    });
    (head.map(signer), mark)
}

/// "приказ" → "ПРИКАЗ" and the verb of its text; the stamp word agrees with "дорожная карта".
fn verb(kind: &str) -> Option<&'static str> {
    match kind.to_lowercase().as_str() {
        "распоряжение" => Some("ОБЯЗЫВАЮ:"),
        "постановление" => Some("ПОСТАНОВЛЯЮ:"),
        "письмо" => None,
        _ => Some("ПРИКАЗЫВАЮ:"),
    }
}

fn instrumental(kind: &str) -> String {
    match kind.to_lowercase().as_str() {
        "распоряжение" => "распоряжением".into(),
        "постановление" => "постановлением".into(),
        "приказ" => "приказом".into(),
        "письмо" => "письмом".into(),
        other => other.to_string(),
    }
}

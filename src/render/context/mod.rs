//! What each document says, as data for the templates: the requisites (organisation, date and
//! number, addressee, approval stamp, signature, executor mark) and the body of each kind, taken
//! from the roadmap files, the plan and the status at `now`. Dates stay ISO (`2023-10-02`); the
//! templates word them with the Russian helpers (`date_words`, `date_digits`).

mod amendment;
mod conclusions;
mod indicators;
mod letters;
mod protocol;
mod requisites;
mod roadmap;
mod status;

pub use amendment::{Amending, AmendmentDoc, ItemDoc, amendment};
pub use indicators::{IndicatorDoc, IndicatorsDoc, Recorded, YearRow, indicators_doc};
pub use letters::{Letter, LettersDoc, letters};
pub use protocol::{AgendaItem, DecisionRow, ProtocolDoc, Speech, protocol};
pub use requisites::{Mark, Missing, Org, Signer};
pub use roadmap::{Order, RoadmapDoc, Row, TableSection, roadmap};
pub use status::{AtRisk, Compared, FigureRow, Figures, Moved, Overdue, StatusDoc, status};

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::check::Unit;
use crate::model::Person;

/// "УТВЕРЖДЕНА / приказом … / от 02.10.2023 № 380".
#[derive(Debug, Serialize)]
pub struct Stamp {
    pub word: String,
    pub by: String,
    pub date: NaiveDate,
    pub number: String,
}

fn signer(p: &Person) -> Signer {
    Signer { position: capitalized(p.position.as_deref().unwrap_or_default()), name: requisites::signed_name(&p.name) }
}

/// A position opens the signature block: "заместитель начальника …" → "Заместитель начальника …".
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn stamp(unit: &Unit) -> Option<Stamp> {
    let a = unit.roadmap()?.approval.as_ref()?;
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

/// "Дорожная карта повышения …" → "повышения …"; other titles in quotes: "«Модель …»".
fn subtitle(title: &str) -> String {
    let prefix = "дорожная карта";
    match title.to_lowercase().strip_prefix(prefix) {
        Some(_) => title.chars().skip(prefix.chars().count()).collect::<String>().trim().to_string(),
        None => format!("«{}»", title.trim_matches(['«', '»'])),
    }
}

/// The title as running text writes it: a title typed in capitals (as on a cover page) in
/// sentence case, with the proper names the roadmap writes capitalised elsewhere (its executors'
/// names, its sections) kept capitalised: "МОДЕЛЬ … ХАБАРОВСКОГО КРАЯ" → "Модель … Хабаровского края".
fn written_title(unit: &Unit) -> String {
    let title = unit.title.trim();
    let letters: Vec<char> = title.chars().filter(|c| c.is_alphabetic()).collect();
    let capitals = letters.iter().filter(|c| c.is_uppercase()).count();
    if letters.is_empty() || capitals * 10 < letters.len() * 8 {
        return title.to_string();
    }
    // The roadmap's own text says how its words are written: capitalised inside a sentence
    // (names of places and bodies), or in capitals throughout (abbreviations: ОО, ЕГЭ, ХК ИРО).
    let mut proper: std::collections::HashSet<String> = Default::default();
    let mut abbreviations: std::collections::HashSet<String> = Default::default();
    let texts = unit
        .executors
        .values()
        .map(|e| e.name.as_str())
        .chain(unit.executors.values().filter_map(|e| e.short.as_deref()))
        .chain(unit.sections.iter().map(String::as_str))
        .chain(unit.tasks.iter().map(|t| t.title.as_str()));
    for text in texts {
        // A text typed all in capitals says nothing about its words.
        let lower_letters = text.chars().filter(|c| c.is_lowercase()).count();
        let all_letters = text.chars().filter(|c| c.is_alphabetic()).count();
        if lower_letters * 5 < all_letters {
            continue;
        }
        for (i, word) in text.split_whitespace().enumerate() {
            let bare: String = word.chars().filter(|c| c.is_alphanumeric() || *c == '-').collect();
            let letters = bare.chars().filter(|c| c.is_alphabetic()).count();
            if (2..=5).contains(&letters) && bare.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase) {
                abbreviations.insert(bare);
                continue;
            }
            let mut chars = bare.chars();
            if i > 0 && letters >= 2 && chars.next().is_some_and(char::is_uppercase) && chars.all(|c| !c.is_uppercase())
            {
                proper.insert(bare.to_lowercase());
            }
        }
    }
    let mut out = Vec::new();
    for (i, word) in title.split_whitespace().enumerate() {
        let lower = word.to_lowercase();
        let bare: String = word.chars().filter(|c| c.is_alphanumeric() || *c == '-').collect();
        let kept = if abbreviations.contains(&bare) {
            word.to_string()
        } else if i == 0 || proper.contains(&bare.to_lowercase()) {
            capitalized(&lower)
        } else {
            lower
        };
        out.push(kept);
    }
    out.join(" ")
}

/// How deadline phrases are printed: as the authors typed them, or in karta's own wording of
/// what they mean (one spelling of dates, no doubled "г.", no leading zeros).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Deadlines {
    /// As typed: the approved roadmap's table keeps the words that were signed.
    Written,
    /// karta's wording of the deadline read: protocols and reports.
    Normalised,
}

impl Deadlines {
    /// The phrase worded this way; a phrase karta cannot read stays as typed.
    pub fn apply(self, phrase: &str, period: crate::model::Period) -> String {
        match self {
            Deadlines::Written => phrase.to_string(),
            Deadlines::Normalised => {
                crate::deadline::read(phrase, period).map_or_else(|_| phrase.to_string(), |s| s.phrase())
            }
        }
    }
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

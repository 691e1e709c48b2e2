//! Overdue letters: to leadership about work past its deadline.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::status::{Overdue, overdue_items};
use super::{Mark, Org, Signer, Stamp, head, issuer, org, people, stamp, subtitle, task_index};
use crate::check::Workspace;
use crate::track::{OccurrenceStatus, Report};

/// Letters to leadership about overdue work: one per addressee.
#[derive(Debug, Serialize)]
pub struct LettersDoc {
    pub letters: Vec<Letter>,
}

#[derive(Debug, Serialize)]
pub struct Letter {
    pub org: Org,
    pub date: NaiveDate,
    /// Left blank for the clerk who registers the letter.
    pub number: Option<String>,
    /// Dative lines: "Министру образования …", "А.Г. Кузнецовой".
    pub addressee: Vec<String>,
    pub salutation: Option<String>,
    pub heading: String,
    pub roadmap: String,
    /// The title without its leading "Дорожная карта".
    pub subtitle: String,
    /// The overdue work is decisions of a protocol, not activities of a roadmap.
    pub protocol: bool,
    pub approval: Option<Stamp>,
    /// "3 мероприятия", worded.
    pub count: usize,
    pub worst: Option<Overdue>,
    pub items: Vec<Overdue>,
    pub signer: Option<Signer>,
    pub mark: Option<Mark>,
}

/// Overdue letters: for each roadmap with overdue work, one letter from the controller to the
/// head of the organisation that approved the roadmap (or to the controller's head).
pub fn letters(ws: &Workspace, report: &Report<'_>, only: Option<&str>, date: NaiveDate) -> LettersDoc {
    let mut letters = Vec::new();
    // Occurrences by roadmap in one pass (not one pass per roadmap: thousands of school roadmaps).
    let mut of_roadmap: HashMap<&str, Vec<&OccurrenceStatus<'_>>> = HashMap::new();
    for s in report.occurrences.iter().filter(|s| only.is_none_or(|id| id == s.roadmap)) {
        of_roadmap.entry(s.roadmap).or_default().push(s);
    }
    for unit in ws.units.iter().filter(|u| only.is_none_or(|id| id == u.id)) {
        let mine = of_roadmap.remove(unit.id.as_str()).unwrap_or_default();
        let index = task_index(unit);
        let task_of = |s: &OccurrenceStatus<'_>| index.get(s.activity).copied().unwrap_or(0);
        let items = overdue_items(unit, &mine, &task_of);
        if items.is_empty() {
            continue;
        }
        let to = head(unit, issuer(unit)).or_else(|| head(unit, unit.controller.as_deref()));
        let addressee = match to {
            Some(p) => match &p.addressee {
                Some(a) => vec![a.clone()],
                None => p.position.iter().cloned().chain([p.name.clone()]).collect(),
            },
            None => Vec::new(),
        };
        let (signer, mark) = people(unit);
        letters.push(Letter {
            org: org(unit, unit.controller.as_deref().or(issuer(unit))),
            date,
            number: None,
            addressee,
            salutation: to.and_then(|p| p.salutation.clone()),
            heading: if unit.protocol {
                "О неисполнении решений протокола".into()
            } else {
                "О неисполнении мероприятий дорожной карты".into()
            },
            roadmap: unit.title.clone(),
            subtitle: subtitle(&unit.title),
            protocol: unit.protocol,
            approval: stamp(unit),
            count: items.len(),
            worst: items.first().cloned(),
            items,
            signer,
            mark,
        });
    }
    LettersDoc { letters }
}

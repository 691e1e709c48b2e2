//! A meeting protocol: attendees, agenda, decisions.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Org, due_text, org};
use crate::check::Unit;
use crate::model::{Decision, Document, Person};

/// A meeting protocol.
#[derive(Debug, Serialize)]
pub struct ProtocolDoc {
    pub id: String,
    pub org: Org,
    pub draft: bool,
    /// "заседания совета …"
    pub title: String,
    pub date: NaiveDate,
    pub number: Option<String>,
    pub place: Option<String>,
    pub chair: Option<Person>,
    pub secretary: Option<Person>,
    /// Listed in full when at most 15, else counted ("24 человека (список прилагается)").
    pub attendees: Vec<Person>,
    pub attendee_count: usize,
    pub attendees_listed: bool,
    pub agenda: Vec<AgendaItem>,
    pub decisions: Vec<DecisionRow>,
}

#[derive(Debug, Serialize)]
pub struct AgendaItem {
    pub number: usize,
    pub title: String,
    pub heard: Vec<Speech>,
    pub spoke: Vec<Speech>,
}

#[derive(Debug, Serialize)]
pub struct Speech {
    pub speaker: String,
    pub summary: Option<String>,
}

/// A decision flattened with its depth (1 for "1.", 2 for "1.1."), in document order.
#[derive(Debug, Serialize)]
pub struct DecisionRow {
    pub number: String,
    pub level: usize,
    pub text: String,
    pub items: Vec<String>,
    pub executors: Vec<String>,
    pub due: Option<String>,
}

pub fn protocol(unit: &Unit) -> Option<ProtocolDoc> {
    let Document::Protocol(p) = &*unit.document else { return None };
    let mut decisions = Vec::new();
    flatten(unit, &p.decisions, "", 1, &mut decisions);
    let attendees: Vec<Person> = p
        .attendees
        .iter()
        .map(|a| Person {
            name: a.name.clone(),
            position: a.position.clone(),
            email: None,
            addressee: None,
            salutation: None,
        })
        .collect();
    Some(ProtocolDoc {
        id: p.id.clone(),
        org: org(unit, p.issuer.as_deref()),
        draft: p.draft,
        title: p.title.clone(),
        date: p.date,
        number: p.number.clone(),
        place: p.place.clone(),
        chair: p.chair.clone(),
        secretary: p.secretary.clone(),
        attendee_count: attendees.len(),
        attendees_listed: attendees.len() <= 15,
        attendees,
        agenda: p
            .agenda
            .iter()
            .enumerate()
            .map(|(i, a)| AgendaItem {
                number: i + 1,
                title: a.title.clone(),
                heard: a
                    .heard
                    .iter()
                    .map(|s| Speech { speaker: s.speaker.clone(), summary: s.summary.clone() })
                    .collect(),
                spoke: a
                    .spoke
                    .iter()
                    .map(|s| Speech { speaker: s.speaker.clone(), summary: s.summary.clone() })
                    .collect(),
            })
            .collect(),
        decisions,
    })
}

fn flatten(unit: &Unit, list: &[Decision], prefix: &str, level: usize, out: &mut Vec<DecisionRow>) {
    flatten_under(unit, list, prefix, level, &[], out);
}

/// Decisions in document order; sub-points name their executors only when they differ from the
/// point above (they inherit them).
fn flatten_under(
    unit: &Unit,
    list: &[Decision],
    prefix: &str,
    level: usize,
    inherited: &[String],
    out: &mut Vec<DecisionRow>,
) {
    for (i, d) in list.iter().enumerate() {
        let number = d.number.clone().unwrap_or_else(|| format!("{prefix}{}.", i + 1));
        let mut ids = d.executors.clone();
        ids.extend(d.for_each.iter().cloned());
        let own = if ids.is_empty() || ids == inherited { Vec::new() } else { ids.clone() };
        let ids_for_children = if ids.is_empty() { inherited.to_vec() } else { ids.clone() };
        let ids = own;
        out.push(DecisionRow {
            number: number.clone(),
            level,
            text: d.text.clone(),
            items: d.items.clone(),
            executors: ids
                .iter()
                .map(|id| {
                    unit.executors
                        .get(id)
                        .map(|e| e.display_name().to_string())
                        .or_else(|| unit.groups.get(id).map(|g| g.name.clone()))
                        .unwrap_or_else(|| id.clone())
                })
                .collect(),
            due: d.due.as_ref().map(due_text).map(|t| {
                let t = t.trim();
                t.strip_prefix("Срок:").or_else(|| t.strip_prefix("срок:")).unwrap_or(t).trim().to_string()
            }),
        });
        let prefix = format!("{}.", number.trim_end_matches('.'));
        flatten_under(unit, &d.decisions, &prefix, level + 1, &ids_for_children, out);
    }
}

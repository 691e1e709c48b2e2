//! A meeting protocol: attendees, agenda, decisions.

use chrono::NaiveDate;
use serde::Serialize;

use super::requisites::{Requisites, person};
use super::{Deadlines, Missing, Org};
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
    /// How the meeting was held: "в режиме ВКС" (older files wrote it as the place).
    pub mode: Option<String>,
    pub chair: Option<Person>,
    pub secretary: Option<Person>,
    /// Listed in full when at most 15, else counted ("24 человека (список прилагается)").
    pub attendees: Vec<Person>,
    pub attendee_count: usize,
    pub attendees_listed: bool,
    pub agenda: Vec<AgendaItem>,
    pub decisions: Vec<DecisionRow>,
    /// Requisites the protocol lacks: blanks in the document, warnings from `render`.
    pub missing: Vec<Missing>,
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

/// The protocol, its deadlines worded as `deadlines` says (normalised unless asked otherwise:
/// "до 15 июня 2021 г." for "до 15 июня 2021 г. г.").
pub fn protocol(unit: &Unit, deadlines: Option<Deadlines>) -> Option<ProtocolDoc> {
    let Document::Protocol(p) = &*unit.document else { return None };
    let mut decisions = Vec::new();
    flatten(unit, &p.decisions, "", 1, deadlines.unwrap_or(Deadlines::Normalised), &mut decisions);
    let attendees: Vec<Person> = p.attendees.iter().map(|a| person(&a.name, a.position.as_deref())).collect();
    let mut req = Requisites::new(unit);
    let org = req.org(p.issuer.as_deref(), false);
    let is_mode = |s: &&String| {
        let s = s.to_lowercase();
        ["в режиме", "в формате", "в очном", "в заочном", "онлайн", "дистанционно", "в дистанционном"]
            .iter()
            .any(|m| s.starts_with(m))
    };
    let mode = p.mode.clone().or_else(|| p.place.as_ref().filter(is_mode).cloned());
    let place = p.place.clone().filter(|s| !is_mode(&s));
    for (role, who, field) in [("председатель", &p.chair, "chair"), ("секретарь", &p.secretary, "secretary")]
    {
        if who.is_none() {
            req.miss(role, None, field, &format!("{role} заседания (`name` — «И.О. Фамилия», `position`)"));
        }
    }
    Some(ProtocolDoc {
        id: p.id.clone(),
        org,
        missing: req.missing,
        draft: p.draft,
        title: p.title.clone(),
        date: p.date,
        number: p.number.clone(),
        place,
        mode,
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

fn flatten(unit: &Unit, list: &[Decision], prefix: &str, level: usize, wording: Deadlines, out: &mut Vec<DecisionRow>) {
    flatten_under(unit, list, prefix, level, &[], wording, out);
}

/// Decisions in document order; sub-points name their executors only when they differ from the
/// point above (they inherit them).
fn flatten_under(
    unit: &Unit,
    list: &[Decision],
    prefix: &str,
    level: usize,
    inherited: &[String],
    wording: Deadlines,
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
            executors: unit.names(&ids),
            due: d.due.as_ref().map(|due| {
                let text = due.written();
                let text = text.trim();
                let text = text.strip_prefix("Срок:").or_else(|| text.strip_prefix("срок:")).unwrap_or(text).trim();
                wording.apply(text, unit.period)
            }),
        });
        let prefix = format!("{}.", number.trim_end_matches('.'));
        flatten_under(unit, &d.decisions, &prefix, level + 1, &ids_for_children, wording, out);
    }
}

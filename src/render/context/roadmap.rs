//! The approving order and its appendix, the roadmap table.

use chrono::NaiveDate;
use serde::Serialize;

use super::requisites::Requisites;
use super::{Deadlines, Missing, Org, Signer, Stamp, signer, stamp, subtitle, verb};
use crate::check::Unit;

/// The roadmap document: the approving order and its appendix.
#[derive(Debug, Serialize)]
pub struct RoadmapDoc {
    pub id: String,
    pub org: Org,
    pub order: Option<Order>,
    /// Top-right approval stamp of the appendix.
    pub stamp: Option<Stamp>,
    /// "ДОРОЖНАЯ КАРТА".
    pub heading: String,
    /// The rest of the title after "Дорожная карта": "повышения качества …".
    pub subtitle: String,
    pub sections: Vec<TableSection>,
    /// Activities outside any section (none in a well-formed roadmap, kept for completeness).
    pub rows: Vec<Row>,
    /// Requisites the directory lacks: blanks in the document, warnings from `render`.
    pub missing: Vec<Missing>,
}

#[derive(Debug, Serialize)]
pub struct Order {
    /// "ПРИКАЗ".
    pub kind: String,
    pub date: NaiveDate,
    pub number: String,
    pub place: Option<String>,
    pub heading: Option<String>,
    pub preamble: Option<String>,
    /// "ПРИКАЗЫВАЮ:" (or "ПОСТАНОВЛЯЮ:", "ОБЯЗЫВАЮ:"); none for a letter.
    pub verb: Option<String>,
    /// The approving act is a letter (no kind word, no verb).
    pub letter: bool,
    pub points: Vec<String>,
    pub signer: Option<Signer>,
}

#[derive(Debug, Serialize)]
pub struct TableSection {
    pub number: usize,
    pub title: String,
    pub rows: Vec<Row>,
}

/// One row of the five-column table.
#[derive(Debug, Serialize)]
pub struct Row {
    /// "1.1."
    pub number: String,
    pub title: String,
    /// Listed sub-tasks of the activity.
    pub tasks: Vec<String>,
    /// One executor per line.
    pub executors: Vec<String>,
    /// The deadline as the authors wrote it.
    pub due: String,
    pub result: Option<String>,
}

/// The roadmap, its deadlines worded as `deadlines` says (as typed unless asked otherwise: the
/// approved table keeps the words that were signed).
pub fn roadmap(unit: &Unit, deadlines: Option<Deadlines>) -> Option<RoadmapDoc> {
    let wording = deadlines.unwrap_or(Deadlines::Written);
    let r = unit.roadmap()?;
    let issuer = r.approval.as_ref().and_then(|a| a.issuer.as_deref()).or(r.issuer.as_deref());
    // The order page only when the roadmap carries the order's own text.
    let written = |a: &&crate::model::Approval| a.title.is_some() || a.preamble.is_some() || !a.points.is_empty();
    let order = r.approval.as_ref().filter(written).map(|a| Order {
        kind: a.document.to_uppercase(),
        letter: a.document.to_lowercase() == "письмо",
        date: a.date,
        number: a.number.clone(),
        place: a.place.clone(),
        heading: a.title.clone(),
        preamble: a.preamble.clone(),
        verb: verb(&a.document).map(String::from),
        points: a.points.clone(),
        signer: a.signatory.as_ref().map(signer),
    });
    let subtitle = subtitle(&r.title);
    let mut task = 0;
    let sections = r
        .sections
        .iter()
        .enumerate()
        .map(|(s, section)| TableSection {
            number: s + 1,
            title: section.title.clone(),
            rows: section
                .activities
                .iter()
                .enumerate()
                .map(|(k, a)| {
                    let due = wording.apply(&a.due.written(), unit.period);
                    task += 1;
                    Row {
                        number: a.printed_number(s, k),
                        title: a.title.clone(),
                        tasks: a.tasks.clone(),
                        executors: unit.executors_cell(a),
                        due,
                        result: a.result.clone(),
                    }
                })
                .collect(),
        })
        .collect();
    let mut req = Requisites::new(unit);
    let org = req.org(issuer, false);
    if let Some(order) = order.as_ref().filter(|o| o.signer.is_none()) {
        req.miss(
            "подпись приказа",
            None,
            "approval.signatory",
            &format!("кто подписал {} (`position`, `name`)", order.kind.to_lowercase()),
        );
    }
    Some(RoadmapDoc {
        id: r.id.clone(),
        org,
        missing: req.missing,
        order,
        stamp: stamp(unit),
        heading: "ДОРОЖНАЯ КАРТА".into(),
        subtitle,
        sections,
        rows: Vec::new(),
    })
}

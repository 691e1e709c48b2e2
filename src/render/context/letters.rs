//! Overdue letters: to leadership about work past its deadline.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::requisites::Requisites;
use super::status::{Overdue, overdue_items};
use super::{Mark, Missing, Org, Signer, Stamp, stamp, subtitle, task_index, written_title};
use crate::check::Workspace;
use crate::track::{OccurrenceStatus, Report};

/// Letters to leadership about overdue work: one per addressee.
#[derive(Debug, Serialize)]
pub struct LettersDoc {
    pub letters: Vec<Letter>,
}

#[derive(Debug, Serialize)]
pub struct Letter {
    /// A докладная записка: the controller and the addressee work in one organisation, and a
    /// letter inside one organisation is a memo (no letterhead, no reference data).
    pub memo: bool,
    pub org: Org,
    pub date: NaiveDate,
    /// Left blank for the clerk who registers the letter.
    pub number: Option<String>,
    /// Dative lines: "Министру образования …", "А.Г. Кузнецовой"; empty when the directory has
    /// none (the document shows a blank).
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
    /// The appendix's sheets, for the attachment mark ("на 2 л. в 1 экз.").
    pub sheets: usize,
    pub signer: Option<Signer>,
    pub mark: Option<Mark>,
    /// Requisites the directory lacks: blanks in the document, warnings from `render`.
    pub missing: Vec<Missing>,
}

/// Overdue notices: for each roadmap with overdue work, one from the controller to the head of
/// the organisation that issued the roadmap — a letter between organisations, a докладная
/// записка inside one.
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
        let title = written_title(unit);
        let mut req = Requisites::new(unit);
        let from = req.controller();
        let from_org = req.org_id(from);
        let to_org = req.org_id(unit.issuer()).or(from_org);
        let memo = from_org.is_some() && from_org == to_org;
        if memo && from == from_org {
            // The organisation would write to its own head: the memo's author is the person
            // who controls the roadmap, and the roadmap does not name one.
            req.miss(
                "автор докладной записки",
                None,
                "controller",
                "сотрудник, контролирующий исполнение (исполнитель с `kind: person` и `parent` — его организацией)",
            );
        }
        let org = req.org(from, !memo);
        let (addressee, salutation) = req.addressee(to_org, !memo);
        let signer = if memo && from == from_org { None } else { req.signer(from, from_org) };
        let mark = if memo { None } else { req.mark(from) };
        letters.push(Letter {
            memo,
            org,
            date,
            number: None,
            addressee,
            salutation,
            heading: if unit.protocol {
                "О неисполнении решений протокола".into()
            } else {
                "О неисполнении мероприятий дорожной карты".into()
            },
            subtitle: subtitle(&title),
            roadmap: title,
            protocol: unit.protocol,
            approval: stamp(unit),
            count: items.len(),
            worst: items.first().cloned(),
            sheets: sheets(&items),
            items,
            signer,
            mark,
            missing: req.missing,
        });
    }
    LettersDoc { letters }
}

/// The appendix's sheets: the rows' heights at the table's column widths (12 pt Times New
/// Roman, about 107 twips a character, words wrapped whole) on an A4 page with GOST margins;
/// rows break across pages. Calibrated against LibreOffice's pagination of the bundled letters
/// at seven instants of a season (24 notices, every count exact; tests/documents.rs checks it).
fn sheets(items: &[Overdue]) -> usize {
    const PAGE: usize = 14_570; // 257 mm of text height, in twips
    const FIRST: usize = 3_400; // the stamp, the title, the two header rows
    const HEADER: usize = 1_800; // the header rows repeated on every page
    const LINE: usize = 276; // one 12 pt line
    const CHAR: usize = 107;
    let lines = |text: &str, width: usize| -> usize {
        let per_line = (width.saturating_sub(216) / CHAR).max(1);
        let mut count = 1;
        let mut used = 0;
        for word in text.split_whitespace() {
            let len = word.chars().count();
            if used > 0 && used + 1 + len > per_line {
                count += 1;
                used = 0;
            }
            used += if used > 0 { len + 1 } else { len };
            while used > per_line {
                count += 1;
                used -= per_line;
            }
        }
        count
    };
    let mut pages = 1;
    let mut used = FIRST;
    for item in items {
        let executors = item.executors.iter().map(|e| lines(e, WIDTHS[3])).sum::<usize>().max(1);
        let rows = [
            lines(&item.title, WIDTHS[2]),
            executors,
            lines(&crate::ru::date_digits(item.due), WIDTHS[4]),
            lines(item.reason.as_deref().unwrap_or(""), WIDTHS[6]),
        ];
        used += rows.into_iter().max().unwrap_or(1) * LINE + 80;
        while used > PAGE {
            pages += 1;
            used = HEADER + (used - PAGE);
        }
    }
    pages
}

/// The appendix's column widths in twips (the DOCX template's grid): №, point, activity,
/// executor, deadline, days late, reasons.
pub const WIDTHS: [usize; 7] = [454, 1134, 2267, 1814, 1361, 1134, 1474];

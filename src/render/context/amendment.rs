//! The amending order (docs/amendments.md, section 6): «О внесении изменений в приказ от … № …»,
//! ПРИКАЗЫВАЮ, «1. Внести в … следующие изменения:» and the items of `amend::order`, each with
//! the row it sets out; or, when the changes are many, the roadmap restated as the appendix.

use chrono::NaiveDate;
use serde::Serialize;

use super::requisites::Requisites;
use super::roadmap::{Row, TableSection};
use super::{Missing, Org, Signer, Stamp, roadmap, signer, subtitle, verb};
use crate::amend::Snapshot;
use crate::amend::diff::{Activity, diff};
use crate::amend::order::items;
use crate::model::Amendment;
use crate::store::Order;

/// What the amending order is made from: the version it amends, the one it approves, and the
/// order's own data when the roadmap lists it (`approval.amendments`).
pub struct Amending<'a> {
    pub before: &'a Snapshot,
    pub after: &'a Snapshot,
    pub order: Option<&'a Amendment>,
}

#[derive(Debug, Serialize)]
pub struct AmendmentDoc {
    pub id: String,
    pub org: Org,
    /// "ПРИКАЗ".
    pub kind: String,
    /// Blanks to fill in at registration when absent.
    pub date: Option<NaiveDate>,
    pub number: Option<String>,
    pub place: Option<String>,
    /// «О внесении изменений в приказ от 02.10.2023 № 380».
    pub heading: String,
    pub preamble: Option<String>,
    /// "ПРИКАЗЫВАЮ:".
    pub verb: Option<String>,
    /// «1. Внести в Дорожную карту …, утверждённую приказом … от … № …, следующие изменения:», or
    /// «1. Изложить … в новой редакции (прилагается).».
    pub intro: String,
    pub items: Vec<ItemDoc>,
    /// The appendix set out anew: the stamp and the whole table.
    pub restated: bool,
    pub stamp: Option<Stamp>,
    pub heading_table: String,
    pub subtitle: String,
    pub sections: Vec<TableSection>,
    pub signer: Option<Signer>,
    pub missing: Vec<Missing>,
}

/// «1.1. в графе «Сроки» пункта 1.4 слова «…» заменить словами «…»;».
#[derive(Debug, Serialize)]
pub struct ItemDoc {
    /// "1.1."
    pub number: String,
    /// With its closing «;» or «.» (or the colon before a row).
    pub text: String,
    pub row: Option<Row>,
}

pub fn amendment(a: &Amending<'_>) -> Option<AmendmentDoc> {
    let (old, new) = (a.before.unit(), a.after.unit());
    let r = new.roadmap()?;
    let approval = r.approval.as_ref()?;
    let d = diff(a.before, a.after);
    let rows: usize = r.sections.iter().map(|s| s.activities.len()).sum();
    let planned = items(&d, rows);
    let document = a.order.map_or_else(|| approval.document.clone(), |o| Order::of_amendment(approval, o).document);
    let approving = Order::of_approval(approval).worded();
    // «О внесении изменений в приказ от 02.10.2023 № 380 «Об утверждении …»».
    let heading = a.order.and_then(|o| o.title.clone()).unwrap_or_else(|| match &approval.title {
        Some(title) => format!("О внесении изменений в {approving} «{}»", title.trim_matches(['«', '»'])),
        None => format!("О внесении изменений в {approving}"),
    });
    let by = approval.stamp.clone().unwrap_or_else(|| super::instrumental(&approval.document));
    let named = named(&old.roadmap().map_or_else(|| r.title.clone(), |o| o.title.clone()));
    let approved = format!("утверждённую {by} от {} № {}", crate::ru::date_digits(approval.date), approval.number);
    let intro = if planned.restated {
        format!("1. Изложить {named}, {approved}, в новой редакции (прилагается).")
    } else {
        format!("1. Внести в {named}, {approved}, следующие изменения:")
    };
    let count = planned.items.len();
    let items = planned
        .items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let end = if item.text.ends_with(':') {
                ""
            } else if i + 1 == count {
                "."
            } else {
                ";"
            };
            ItemDoc {
                number: format!("1.{}.", i + 1),
                text: format!("{}{end}", item.text),
                row: item.row.as_deref().map(row),
            }
        })
        .collect();
    let issuer = approval.issuer.as_deref().or(r.issuer.as_deref());
    let mut req = Requisites::new(new);
    let org = req.org(issuer, false);
    let signatory = a.order.and_then(|o| o.signatory.as_ref()).or(approval.signatory.as_ref());
    if signatory.is_none() {
        req.miss(
            "подпись приказа",
            None,
            "approval.amendments[].signatory",
            "кто подписал приказ (`position`, `name`)",
        );
    }
    let table = planned.restated.then(|| roadmap(new, None)).flatten();
    Some(AmendmentDoc {
        id: new.id.clone(),
        org,
        kind: document.to_uppercase(),
        date: a.order.map(|o| o.date),
        number: a.order.map(|o| o.number.clone()),
        place: approval.place.clone(),
        heading,
        preamble: a.order.and_then(|o| o.preamble.clone()),
        verb: verb(&document).map(String::from),
        intro,
        items,
        restated: planned.restated,
        stamp: table.as_ref().map(|_| Stamp {
            word: "УТВЕРЖДЕНА".into(),
            by: by.clone(),
            date: a.order.map_or(approval.date, |o| o.date),
            number: a.order.map_or_else(|| "____".into(), |o| o.number.clone()),
        }),
        heading_table: "ДОРОЖНАЯ КАРТА".into(),
        subtitle: subtitle(&r.title),
        sections: table.map(|t| t.sections).unwrap_or_default(),
        signer: signatory.map(signer),
        missing: req.missing,
    })
}

/// «Дорожная карта повышения …» as the object of «внести в»: «Дорожную карту повышения …»; other
/// titles as «дорожную карту «…»».
fn named(title: &str) -> String {
    let t = title.trim();
    match t.strip_prefix("Дорожная карта") {
        Some(rest) => format!("Дорожную карту{rest}"),
        None => format!("дорожную карту «{}»", t.trim_matches(['«', '»'])),
    }
}

/// A row the order sets out, as the roadmap table prints it.
fn row(a: &Activity) -> Row {
    Row {
        number: a.printed.clone(),
        title: a.title.clone(),
        tasks: a.tasks.clone(),
        executors: a.executors.clone(),
        due: a.due.clone(),
        result: a.result.clone(),
    }
}

//! Approved versions of a roadmap (docs/amendments.md): the exact text of the roadmap file and
//! of every file it includes, as approved by an order, kept unchanged for ever; and, with each
//! version after the first, where the reports recorded under the previous version's occurrences
//! go now (the carries). The first version is the baseline.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use super::StoreError;

/// The order that approved or amended a roadmap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    /// "приказ", "распоряжение".
    pub document: String,
    /// As written: "380", "23-35-1791".
    pub number: String,
    pub date: NaiveDate,
}

impl Order {
    /// The order that approved the roadmap.
    pub fn of_approval(a: &crate::model::Approval) -> Order {
        Order { document: a.document.clone(), number: a.number.clone(), date: a.date }
    }

    /// An amending order: of the approving order's kind unless it names its own.
    pub fn of_amendment(approval: &crate::model::Approval, a: &crate::model::Amendment) -> Order {
        let document = a.document.clone().unwrap_or_else(|| approval.document.clone());
        Order { document, number: a.number.clone(), date: a.date }
    }

    /// As running text names it: «приказ от 15.01.2024 № 12».
    pub fn worded(&self) -> String {
        format!("{} от {} № {}", self.document.to_lowercase(), crate::ru::date_digits(self.date), self.number)
    }
}

/// One file of a version: its path relative to the roadmap file's folder (the roadmap file
/// itself first, then its includes as the roadmap names them) and its exact text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionFile {
    pub path: String,
    pub text: String,
}

/// Why a report recorded under an occurrence of the previous version counts for another one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The same activity and executor, the same position in the series: its date moved.
    Moved,
    /// The activity under a new id (renumbered), the same executor and position.
    Renumbered,
    /// The occurrence is gone (its activity removed, or its series shortened): the reports stay
    /// with it, shown as removed by the order.
    Removed,
}

impl Rule {
    pub fn name(self) -> &'static str {
        match self {
            Rule::Moved => "moved",
            Rule::Renumbered => "renumbered",
            Rule::Removed => "removed",
        }
    }

    pub fn parse(s: &str) -> Option<Rule> {
        [Rule::Moved, Rule::Renumbered, Rule::Removed].into_iter().find(|r| r.name() == s)
    }
}

/// Where the reports of an occurrence of the previous version go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Carry {
    /// The occurrence id in the previous version.
    pub from: String,
    /// The occurrence id in this version; `None` when it is removed.
    pub to: Option<String>,
    pub rule: Rule,
    /// The activity's point and title in the previous version, to name a removed one.
    pub point: String,
    pub title: String,
}

/// A version to record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewVersion {
    pub roadmap: String,
    pub order: Order,
    /// Who recorded the approval (`--by`).
    pub approved_by: String,
    pub recorded_at: DateTime<FixedOffset>,
    /// The roadmap file first, then what it includes.
    pub files: Vec<VersionFile>,
    /// Empty for the baseline.
    pub carries: Vec<Carry>,
}

impl NewVersion {
    /// The version as recorded under `id` and `number`.
    pub fn recorded(&self, id: i64, number: i64) -> Version {
        Version {
            id,
            roadmap: self.roadmap.clone(),
            number,
            order: self.order.clone(),
            approved_by: self.approved_by.clone(),
            recorded_at: self.recorded_at,
        }
    }
}

/// A recorded version, without its files and carries (ask for those by `id`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    /// Unique in the store.
    pub id: i64,
    pub roadmap: String,
    /// 1, 2, … per roadmap; 1 is the baseline.
    pub number: i64,
    pub order: Order,
    pub approved_by: String,
    pub recorded_at: DateTime<FixedOffset>,
}

/// The approved versions. Nothing recorded here is ever changed or deleted.
pub trait Versions {
    /// Records `version` with its files and carries, all or nothing, as the roadmap's next
    /// number, and returns it. A roadmap whose versions already hold the same order (document,
    /// number and date) is a [`StoreError::Conflict`].
    fn approve(&mut self, version: &NewVersion) -> Result<Version, StoreError>;
    /// The versions of `roadmap` (of every roadmap when `None`), by roadmap and number.
    fn versions(&self, roadmap: Option<&str>) -> Result<Vec<Version>, StoreError>;
    /// The files of a version, in the order recorded.
    fn version_files(&self, version: i64) -> Result<Vec<VersionFile>, StoreError>;
    /// The carries of every version, each with its version's id, in the order approved.
    fn carries(&self) -> Result<Vec<(i64, Carry)>, StoreError>;
}

/// The conflict of approving `order` again for `roadmap`, which holds it as version `number`.
pub(super) fn already_approved(roadmap: &str, order: &Order, number: i64) -> StoreError {
    StoreError::Conflict(format!(
        "версия дорожной карты {roadmap} по {} от {} № {} уже утверждена (версия {number})",
        dative(&order.document),
        order.date.format("%d.%m.%Y"),
        order.number
    ))
}

/// "приказ" → "приказу", "распоряжение министерства" → "распоряжению министерства": the kinds
/// of act an order is, after «по». Only the first word changes; a word the rules do not know
/// stays as written.
fn dative(document: &str) -> String {
    let (word, rest) = document.split_once(' ').map_or((document, ""), |(w, r)| (w, r));
    let word = if let Some(stem) = word.strip_suffix('е') {
        format!("{stem}ю")
    } else if word.ends_with(|c: char| "бвгджзклмнпрстфхцчшщ".contains(c)) {
        format!("{word}у")
    } else {
        word.to_string()
    };
    if rest.is_empty() { word } else { format!("{word} {rest}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_is_named_after_po_in_the_dative() {
        for (document, after_po) in [
            ("приказ", "приказу"),
            ("распоряжение", "распоряжению"),
            ("постановление", "постановлению"),
            ("решение", "решению"),
            ("протокол", "протоколу"),
            ("приказ министерства", "приказу министерства"),
            ("акт", "акту"),
            ("указ", "указу"),
            ("Order", "Order"),
        ] {
            assert_eq!(dative(document), after_po, "{document}");
        }
    }

    #[test]
    fn the_same_order_twice_says_which_version_holds_it() {
        let order = Order {
            document: "приказ".into(),
            number: "380".into(),
            date: NaiveDate::from_ymd_opt(2023, 10, 2).expect("date"),
        };
        assert_eq!(
            already_approved("lazo-2023-2024", &order, 1).to_string(),
            "версия дорожной карты lazo-2023-2024 по приказу от 02.10.2023 № 380 уже утверждена (версия 1)"
        );
    }
}

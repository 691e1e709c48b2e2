//! Reports follow approved amendments (docs/amendments.md, section 4): when the log is read for
//! a status, each event recorded under an occurrence that a later approved version moved is
//! read as about the occurrence it moved to (through every later version), and marked as
//! carried; an event whose occurrence a version removed keeps its occurrence and is marked as
//! removed by that order, so it is no orphan. The log itself is never changed.

use std::collections::HashMap;

use super::event::{Carried, Event};
use crate::store::{Carry, Rule, StoreError, Version, Versions};

/// The approved versions' carries, ready to apply to the log.
#[derive(Debug, Default, Clone)]
pub struct Carries {
    /// Occurrence → where it went, one step per approval.
    step: HashMap<String, Carry>,
    /// Occurrence → the version that carried it.
    by: HashMap<String, i64>,
    /// Version id → its order, worded.
    orders: HashMap<i64, String>,
    /// Occurrence → the occurrence it was carried from (the reverse of the moves), to find a
    /// current occurrence's approved date.
    back: HashMap<String, (String, i64)>,
}

impl Carries {
    /// Reads every version's carries from the store.
    pub fn read(store: &(impl Versions + ?Sized)) -> Result<Carries, StoreError> {
        let versions = store.versions(None)?;
        Ok(Carries::new(&versions, store.carries()?))
    }

    pub fn new(versions: &[Version], carries: Vec<(i64, Carry)>) -> Carries {
        let orders = versions.iter().map(|v| (v.id, worded(v))).collect();
        let (mut step, mut by, mut back) = (HashMap::new(), HashMap::new(), HashMap::new());
        for (version, c) in carries {
            if let Some(to) = &c.to {
                back.insert(to.clone(), (c.from.clone(), version));
            }
            by.insert(c.from.clone(), version);
            step.insert(c.from.clone(), c);
        }
        Carries { step, by, orders, back }
    }

    pub fn is_empty(&self) -> bool {
        self.step.is_empty()
    }

    /// Rewrites the events' occurrences as the approved versions carried them.
    pub fn apply(&self, events: &mut [Event]) {
        if self.step.is_empty() {
            return;
        }
        for e in events.iter_mut() {
            let Some(first) = e.event.occurrence.clone() else { continue };
            let mut at = first.clone();
            let mut last: Option<&Carry> = None;
            // Follow the chain; a cycle (A → B in one version, B → A in a later one) ends where
            // it started, bounded by the number of steps.
            for _ in 0..=self.step.len() {
                let Some(c) = self.step.get(&at) else { break };
                last = Some(c);
                match &c.to {
                    Some(to) => at = to.clone(),
                    None => break,
                }
            }
            let Some(c) = last else { continue };
            if at == first && c.rule != Rule::Removed {
                continue;
            }
            let version = self.by.get(&c.from).copied().unwrap_or_default();
            let order = self.orders.get(&version).cloned().unwrap_or_default();
            e.carried = Some(Carried {
                from: first,
                rule: c.rule,
                version,
                order,
                point: c.point.clone(),
                title: c.title.clone(),
            });
            e.event.occurrence = Some(at);
        }
    }

    /// The occurrence of the baseline an occurrence descends from, and the order that moved it
    /// last; `None` for an occurrence no amendment moved.
    pub fn origin(&self, occurrence: &str) -> Option<(&str, &str)> {
        let (mut at, last) = self.back.get(occurrence).map(|(from, v)| (from.as_str(), *v))?;
        for _ in 0..self.back.len() {
            match self.back.get(at) {
                Some((from, _)) if from != occurrence => at = from,
                _ => break,
            }
        }
        Some((at, self.orders.get(&last).map_or("", String::as_str)))
    }
}

/// «приказ от 15.01.2024 № 12».
pub fn worded(v: &Version) -> String {
    format!("{} от {} № {}", v.order.document, v.order.date.format("%d.%m.%Y"), v.order.number)
}

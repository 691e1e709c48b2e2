//! Reports follow approved amendments (docs/amendments.md, section 4): when the log is read for
//! a status, each event recorded under an occurrence that a later approved version moved is
//! read as about the occurrence it moved to (through every later version), and marked as
//! carried; an event whose occurrence a version removed keeps its occurrence and is marked as
//! removed by that order, so it is no orphan. The log itself is never changed.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::event::{Carried, Event};
use crate::store::{Carry, EventLog, Rule, StoreError, Version, Versions};

/// The approved versions' carries, ready to apply to the log.
#[derive(Debug, Default, Clone)]
pub struct Carries {
    /// Occurrence → the version that carried it and where it went, one step per approval.
    step: HashMap<String, (i64, Carry)>,
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

    /// The log as the approved versions carry it, and the carries: what every reader of the log
    /// for a status (the CLI, the web app, the scheduler, `karta check`) reads.
    pub fn log(store: &(impl EventLog + Versions + ?Sized)) -> Result<(Vec<Event>, Carries), StoreError> {
        Carries::log_with(store, &crate::cache::Cache::none())
    }

    /// [`Carries::log`], the events read through `cache` (only those recorded since the last
    /// run kept the log are read from the store).
    pub fn log_with(
        store: &(impl EventLog + Versions + ?Sized),
        cache: &crate::cache::Cache,
    ) -> Result<(Vec<Event>, Carries), StoreError> {
        let mut events = cache.events(store)?;
        let carries = Carries::read(store)?;
        carries.apply(&mut events);
        Ok((events, carries))
    }

    pub fn new(versions: &[Version], carries: Vec<(i64, Carry)>) -> Carries {
        let orders = versions.iter().map(|v| (v.id, v.order.worded())).collect();
        let (mut step, mut back) = (HashMap::new(), HashMap::new());
        for (version, c) in carries {
            if let Some(to) = &c.to {
                back.insert(to.clone(), (c.from.clone(), version));
            }
            step.insert(c.from.clone(), (version, c));
        }
        Carries { step, orders, back }
    }

    pub fn is_empty(&self) -> bool {
        self.step.is_empty()
    }

    /// The digest of where the carries take events (what a fold of the carried log depends on;
    /// the orders' wording is not).
    pub fn digest(&self) -> [u8; 32] {
        let mut steps: Vec<_> = self.step.iter().collect();
        steps.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut hasher = blake3::Hasher::new();
        let mut text = |t: &str| {
            hasher.update(&(t.len() as u64).to_le_bytes());
            hasher.update(t.as_bytes());
        };
        for (from, (version, c)) in steps {
            text(from);
            text(&version.to_string());
            text(c.to.as_deref().unwrap_or("\u{0}"));
            text(match c.rule {
                Rule::Moved => "moved",
                Rule::Renumbered => "renumbered",
                Rule::Removed => "removed",
            });
        }
        hasher.finalize().into()
    }

    /// Rewrites the events' occurrences as the approved versions carried them.
    pub fn apply(&self, events: &mut [Event]) {
        if self.step.is_empty() {
            return;
        }
        for e in events.iter_mut() {
            let Some(first) = e.event.occurrence.clone() else { continue };
            let mut at = first.clone();
            let mut last: Option<&(i64, Carry)> = None;
            // Follow the chain; a cycle (A → B in one version, B → A in a later one) ends where
            // it started, bounded by the number of steps.
            for _ in 0..=self.step.len() {
                let Some(step) = self.step.get(&at) else { break };
                last = Some(step);
                let c = &step.1;
                match &c.to {
                    Some(to) => at = to.clone(),
                    None => break,
                }
            }
            let Some((version, c)) = last else { continue };
            if at == first && c.rule != Rule::Removed {
                continue;
            }
            let version = *version;
            let order = self.orders.get(&version).cloned().unwrap_or_default();
            e.carried = Some(Box::new(Carried {
                from: first,
                rule: c.rule,
                version,
                order,
                point: c.point.clone(),
                title: c.title.clone(),
            }));
            e.event.occurrence = Some(at);
        }
    }

    /// The due date of the baseline's occurrence an occurrence descends from, and the order that
    /// last moved its date; `None` when no amendment moved its date (a renumbering alone is no slip).
    pub fn origin(&self, occurrence: &str) -> Option<(NaiveDate, &str)> {
        let date = crate::compile::planned_date;
        let mut at = occurrence;
        let mut mover: Option<i64> = None;
        for _ in 0..self.back.len() {
            let Some((from, version)) = self.back.get(at) else { break };
            if mover.is_none() && date(from) != date(at) {
                mover = Some(*version);
            }
            at = from;
            if at == occurrence {
                break;
            }
        }
        let mover = mover?;
        Some((date(at)?, self.orders.get(&mover).map_or("", String::as_str)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Order;
    use crate::track::{Action, NewEvent};

    fn version(id: i64, number: &str, date: &str) -> Version {
        Version {
            id,
            roadmap: "r".into(),
            number: id,
            order: Order { document: "приказ".into(), number: number.into(), date: date.parse().expect("date") },
            approved_by: "Иванова Н.П.".into(),
            recorded_at: "2024-01-01T00:00:00+10:00".parse().expect("instant"),
        }
    }

    fn carry(from: &str, to: Option<&str>, rule: Rule) -> Carry {
        Carry {
            from: from.into(), to: to.map(Into::into), rule, point: "1.1".into(), title: "Совещание".into()
        }
    }

    fn event(id: i64, occurrence: &str) -> Event {
        Event {
            id,
            event: NewEvent {
                occurrence: Some(occurrence.into()),
                action: Action::Done { on: "2023-10-01".parse().expect("date") },
                note: None,
                evidence: Vec::new(),
                author: "Иванова Н.П.".into(),
                recorded_at: "2023-10-01T12:00:00+10:00".parse().expect("instant"),
                batch: None,
            },
            carried: None,
        }
    }

    #[test]
    fn the_digest_changes_with_where_events_go_and_not_with_the_orders_wording() {
        let versions = [version(1, "380", "2023-10-02"), version(2, "425", "2023-11-30")];
        let of = |versions: &[Version], carries: Vec<(i64, Carry)>| Carries::new(versions, carries).digest();
        let moved = || vec![(2, carry("r/a@2023-10-17", Some("r/a@2023-11-30"), Rule::Moved))];
        let base = of(&versions, moved());
        assert_eq!(base, of(&versions, moved()));
        assert_eq!(base, of(&[version(1, "1", "2023-10-02"), version(2, "2", "2023-11-30")], moved()), "wording");
        assert_ne!(base, of(&versions, vec![(2, carry("r/a@2023-10-17", Some("r/a@2023-12-01"), Rule::Moved))]));
        assert_ne!(base, of(&versions, vec![(2, carry("r/a@2023-10-17", None, Rule::Removed))]));
        assert_ne!(base, of(&versions, vec![(1, carry("r/a@2023-10-17", Some("r/a@2023-11-30"), Rule::Moved))]));
        assert_ne!(base, of(&versions, Vec::new()));
    }

    #[test]
    fn a_report_follows_every_later_version_and_a_removal_keeps_it_in_place() {
        let versions =
            [version(1, "380", "2023-10-02"), version(2, "425", "2023-11-30"), version(3, "12", "2024-01-15")];
        let carries = Carries::new(
            &versions,
            vec![
                (2, carry("r/a@2023-10-17", Some("r/a@2023-11-30"), Rule::Moved)),
                (3, carry("r/a@2023-11-30", Some("r/b@2023-11-30"), Rule::Renumbered)),
                (3, carry("r/c@2023-10-31", None, Rule::Removed)),
            ],
        );
        let mut log = vec![
            event(1, "r/a@2023-10-17"),
            event(2, "r/a@2023-11-30"),
            event(3, "r/c@2023-10-31"),
            event(4, "r/d@2023-12-01"),
        ];
        carries.apply(&mut log);
        let at: Vec<&str> = log.iter().map(|e| e.event.occurrence.as_deref().unwrap_or_default()).collect();
        assert_eq!(at, ["r/b@2023-11-30", "r/b@2023-11-30", "r/c@2023-10-31", "r/d@2023-12-01"]);
        let first = log[0].carried.as_ref().expect("carried");
        assert_eq!(
            (first.from.as_str(), first.rule, first.order.as_str()),
            ("r/a@2023-10-17", Rule::Renumbered, "приказ от 15.01.2024 № 12")
        );
        assert_eq!(log[2].carried.as_ref().map(|c| c.rule), Some(Rule::Removed));
        assert!(log[3].carried.is_none());
        // The baseline's occurrence, and the order that moved the date (not the one that renumbered).
        let baseline = "2023-10-17".parse().expect("date");
        assert_eq!(carries.origin("r/b@2023-11-30"), Some((baseline, "приказ от 30.11.2023 № 425")));
        assert_eq!(carries.origin("r/d@2023-12-01"), None);
    }
}

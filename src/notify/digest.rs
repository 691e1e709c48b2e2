//! The weekly digests: a roadmap's to its leadership (everything overdue and at risk), and a
//! group's to its chats (what the members owe across all roadmaps). Planned like every other
//! notice (`super::rules::plan`), once per recipient and day.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde_json::json;

use super::chat::Messenger;
use super::rules::{Rules, leadership, raw};
use crate::check::{Task, Unit, Workspace};
use crate::compile::Plan;
use crate::store::Notice;
use crate::track::{OccurrenceStatus, Report, State};

/// The weekly digest of a roadmap to its leadership: everything overdue and at risk.
pub(super) fn digest(
    unit: &Unit,
    mine: &[(&Task, &OccurrenceStatus<'_>)],
    rules: &Rules,
    now: DateTime<FixedOffset>,
) -> Vec<Notice> {
    let mut out = Vec::new();
    for to in leadership(unit, now) {
        let local = now.with_timezone(&to.zone);
        if local.weekday() != rules.digest_day || local.time() < rules.digest_time {
            continue;
        }
        let mut overdue = 0;
        let mut at_risk = 0;
        let mut items = Vec::new();
        for &(task, s) in mine {
            let late = matches!(s.state, State::Overdue { .. });
            if !(late || s.at_risk) {
                continue;
            }
            overdue += usize::from(late);
            at_risk += usize::from(s.at_risk);
            items.push(json!({
                "occurrence": s.id,
                "activity": task.title,
                "due": s.due_date,
                "days": match s.state { State::Overdue { days, .. } => days, _ => 0 },
                "at_risk": s.at_risk,
            }));
        }
        if items.is_empty() {
            continue;
        }
        let day = local.date_naive();
        let payload = json!({"roadmap": unit.title, "overdue": overdue, "at_risk": at_risk, "items": items});
        out.push(weekly("digest", &unit.id, &unit.id, [&to.address, &to.name, &to.tz], day, payload));
    }
    out
}

/// How many items a group's digest lists; the rest are counted.
const GROUP_DIGEST_ITEMS: usize = 100;

/// The weekly digest to each group's chats: what its members owe, overdue or due within seven
/// days, across all roadmaps (a district group hears about its schools).
pub(super) fn group_digests(
    ws: &Workspace,
    plan: &Plan,
    report: &Report<'_>,
    rules: &Rules,
    now: DateTime<FixedOffset>,
) -> Vec<Notice> {
    // Each group once, from the first roadmap that knows it (school roadmaps share a directory).
    let mut groups: Vec<(&str, &crate::model::Group, &Unit)> = Vec::new();
    let mut seen_maps = rustc_hash::FxHashSet::default();
    for unit in &ws.units {
        if !seen_maps.insert(std::sync::Arc::as_ptr(&unit.groups)) {
            continue;
        }
        for (id, group) in unit.groups.iter() {
            if (group.telegram.is_some() || group.max.is_some()) && !groups.iter().any(|(g, ..)| g == id) {
                groups.push((id, group, unit));
            }
        }
    }
    let mut out = Vec::new();
    for (id, group, unit) in groups {
        let local = now.with_timezone(&unit.tz);
        if local.weekday() != rules.digest_day || local.time() < rules.digest_time {
            continue;
        }
        let day = local.date_naive();
        let members: rustc_hash::FxHashSet<&str> = group.members.iter().map(String::as_str).collect();
        let mut items: Vec<(i64, NaiveDate, serde_json::Value)> = Vec::new();
        let (mut overdue, mut soon) = (0, 0);
        for (o, s) in plan.occurrences.iter().zip(&report.occurrences) {
            let late = match s.state {
                State::Overdue { days, .. } => Some(days),
                _ if s.state.is_done() || s.state == State::Cancelled => continue,
                _ if (s.due_date - day).num_days() <= 7 && s.due_date >= day => None,
                _ => continue,
            };
            let owing: Vec<&str> = s.executors.iter().map(String::as_str).filter(|e| members.contains(e)).collect();
            if owing.is_empty() {
                continue;
            }
            overdue += usize::from(late.is_some());
            soon += usize::from(late.is_none());
            let unit = &ws.units[o.unit];
            let names: Vec<&str> =
                owing.iter().map(|e| unit.executors.get(*e).map_or(*e, |x| x.display_name())).collect();
            items.push((
                late.unwrap_or(-1),
                s.due_date,
                json!({
                    "occurrence": s.id,
                    "activity": unit.tasks[o.task].title,
                    "executor": names.join(", "),
                    "due": s.due_date,
                    "days": late.unwrap_or(0),
                }),
            ));
        }
        if items.is_empty() {
            continue;
        }
        // The longest overdue first, then what is due soonest.
        items.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let more = items.len().saturating_sub(GROUP_DIGEST_ITEMS);
        let items: Vec<serde_json::Value> = items.into_iter().take(GROUP_DIGEST_ITEMS).map(|(.., item)| item).collect();
        let chats = [
            group.telegram.as_ref().map(|c| Messenger::Telegram.address(&c.0)),
            group.max.as_ref().map(|c| Messenger::Max.address(&c.0)),
        ];
        for address in chats.into_iter().flatten() {
            let payload = json!({"group": group.name, "overdue": overdue, "soon": soon, "items": items, "more": more});
            out.push(weekly("group-digest", id, &unit.id, [&address, &group.name, unit.tz.name()], day, payload));
        }
    }
    out
}

/// A weekly notice of `rule` about `about` (a roadmap, a group) to `[address, name, time zone]`
/// for `day`, good for two days.
fn weekly(
    rule: &str,
    about: &str,
    roadmap: &str,
    to: [&str; 3],
    day: NaiveDate,
    mut payload: serde_json::Value,
) -> Notice {
    let [address, name, tz] = to;
    payload["rule"] = json!(rule);
    Notice {
        key: format!("{rule}|{about}|{address}|{day}"),
        rule: rule.to_string(),
        occurrence: None,
        roadmap: roadmap.to_string(),
        recipient: address.to_string(),
        name: name.to_string(),
        tz: tz.to_string(),
        day,
        expires: day + chrono::Days::new(2),
        payload: raw(&payload),
    }
}

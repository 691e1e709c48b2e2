//! Which notices are due at `now`, from the status of every occurrence: reminders before the
//! due date, the due-day notice, overdue notices, escalation up the ladder (executor → head →
//! controller → its head), and the weekly digest to leadership. Pure: the same status and rules
//! give the same notices, each with a key that makes planning it twice a no-op.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Weekday};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::calendar::Calendar;
use crate::check::{Task, Unit, Workspace};
use crate::model::{Lead, Reminders};
use crate::track::{Notice, OccurrenceStatus, Report, State};

/// The rules in force unless a roadmap or activity says otherwise (`reminders:` in YAML), and
/// the workspace-wide settings (`[notify]` in karta.toml).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// Reminders before the due date: `7d` (days), `5wd` (working days).
    pub before: Vec<String>,
    /// A notice on the morning of the due day.
    pub on_due_day: bool,
    /// Overdue notices to the executors: `1wd` every working day, `3d` every three days.
    pub overdue_every: String,
    /// Escalation to the executor's head and the roadmap's controller after this long overdue.
    pub escalate_after: String,
    /// Escalation one step higher (the controller's head, the executor's parent body) after this.
    pub escalate_higher_after: String,
    /// The weekly digest to leadership: weekday and local time.
    pub digest_day: Weekday,
    pub digest_time: NaiveTime,
    /// Sending hours in each recipient's time zone, working days only.
    pub hours_from: NaiveTime,
    pub hours_to: NaiveTime,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            before: vec!["7d".into(), "1d".into()],
            on_due_day: true,
            overdue_every: "1wd".into(),
            escalate_after: "3d".into(),
            escalate_higher_after: "10d".into(),
            digest_day: Weekday::Mon,
            digest_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            hours_from: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            hours_to: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
        }
    }
}

/// A lead written `7d` or `5wd`: (count, working days?).
fn lead(text: &str) -> Option<(u32, bool)> {
    match text.strip_suffix("wd") {
        Some(n) => n.parse().ok().map(|n| (n, true)),
        None => text.strip_suffix('d').and_then(|n| n.parse().ok()).map(|n| (n, false)),
    }
}

/// Settings of one activity: its own, else its roadmap's, else the workspace rules.
struct Effective<'a> {
    before: Vec<&'a str>,
    on_due_day: bool,
    overdue_every: &'a str,
    escalate_after: &'a str,
    escalate_higher_after: &'a str,
}

fn effective<'a>(rules: &'a Rules, unit: &'a Unit, task: &'a Task) -> Effective<'a> {
    let layers: [Option<&'a Reminders>; 2] = [task.reminders.as_ref(), unit.reminders.as_ref()];
    let pick = |f: fn(&'a Reminders) -> Option<&'a Lead>, default: &'a str| -> &'a str {
        layers.iter().flatten().find_map(|r| f(r)).map_or(default, |l| l.0.as_str())
    };
    Effective {
        before: layers
            .iter()
            .flatten()
            .find_map(|r| r.before.as_ref())
            .map_or_else(|| rules.before.iter().map(String::as_str).collect(), |v| v.iter().map(|l| l.0.as_str()).collect()),
        on_due_day: layers.iter().flatten().find_map(|r| r.on_due_day).unwrap_or(rules.on_due_day),
        overdue_every: pick(|r| r.overdue_every.as_ref(), &rules.overdue_every),
        escalate_after: pick(|r| r.escalate_after.as_ref(), &rules.escalate_after),
        escalate_higher_after: pick(|r| r.escalate_higher_after.as_ref(), &rules.escalate_higher_after),
    }
}

/// Someone to tell: address, how to greet them, their time zone.
#[derive(Debug, Clone)]
struct Recipient {
    email: String,
    name: String,
    tz: String,
}

/// The executor itself (its e-mail).
fn executor(unit: &Unit, id: &str) -> Option<Recipient> {
    let e = unit.executors.get(id)?;
    Some(Recipient {
        email: e.email.clone()?,
        name: e.short.clone().unwrap_or_else(|| e.name.clone()),
        tz: unit.zone_of(id).name().to_string(),
    })
}

/// The head of an organisation (when the directory gives the head an e-mail).
fn head(unit: &Unit, id: &str) -> Option<Recipient> {
    let e = unit.executors.get(id)?;
    let h = e.head.as_ref()?;
    Some(Recipient { email: h.email.clone()?, name: h.name.clone(), tz: unit.zone_of(id).name().to_string() })
}

/// The escalation ladder of an executor: step 1 is its head and the roadmap's controller;
/// step 2 the controller's head and the executor's parent body (and that body's head).
fn ladder(unit: &Unit, id: &str, step: u8) -> Vec<Recipient> {
    let controller = unit.controller.as_deref();
    let parent = unit.executors.get(id).and_then(|e| e.parent.as_deref());
    let mut out: Vec<Recipient> = match step {
        1 => [head(unit, id), controller.and_then(|c| executor(unit, c))].into_iter().flatten().collect(),
        _ => [
            controller.and_then(|c| head(unit, c)),
            parent.and_then(|p| executor(unit, p)),
            parent.and_then(|p| head(unit, p)),
        ]
        .into_iter()
        .flatten()
        .collect(),
    };
    out.dedup_by(|a, b| a.email == b.email);
    out
}

/// Leadership of a roadmap: the controller and its head (else the approving body's head).
fn leadership(unit: &Unit) -> Vec<Recipient> {
    let mut out: Vec<Recipient> = match unit.controller.as_deref() {
        Some(c) => [executor(unit, c), head(unit, c)].into_iter().flatten().collect(),
        None => Vec::new(),
    };
    out.dedup_by(|a, b| a.email == b.email);
    out
}

/// The local date of `now` for a recipient.
fn local_day(now: DateTime<FixedOffset>, tz: &str) -> NaiveDate {
    crate::calendar::zone(tz).map_or_else(|| now.date_naive(), |z| now.with_timezone(&z).date_naive())
}

/// Whether `now` is inside sending hours on a working day in the recipient's zone.
pub fn sending_hours(rules: &Rules, calendar: &Calendar, tz: &str, now: DateTime<FixedOffset>) -> bool {
    let Some(zone) = crate::calendar::zone(tz) else { return true };
    let local = now.with_timezone(&zone);
    calendar.is_working(local.date_naive()) && local.time() >= rules.hours_from && local.time() < rules.hours_to
}

/// Everything that should be planned at `now`.
pub fn plan(ws: &Workspace, report: &Report<'_>, rules: &Rules, calendar: &Calendar, now: DateTime<FixedOffset>) -> Vec<Notice> {
    // Activities by (roadmap, activity id), looked up once per occurrence.
    let tasks: rustc_hash::FxHashMap<(&str, &str), (&Unit, &Task)> = ws
        .units
        .iter()
        .flat_map(|u| u.tasks.iter().map(move |t| ((u.id.as_str(), t.id.as_str()), (u, t))))
        .collect();
    let mut notices: Vec<Notice> = report
        .occurrences
        .par_iter()
        .flat_map_iter(|s| {
            let found = tasks.get(&(s.roadmap, s.activity)).copied();
            found.map(|(unit, task)| about(unit, task, s, rules, calendar, now)).unwrap_or_default()
        })
        .collect();
    notices.extend(ws.units.iter().flat_map(|u| digest(u, report, rules, now)));
    notices
}

/// The notices about one occurrence.
fn about(
    unit: &Unit,
    task: &Task,
    s: &OccurrenceStatus<'_>,
    rules: &Rules,
    calendar: &Calendar,
    now: DateTime<FixedOffset>,
) -> Vec<Notice> {
    if s.state.is_done() || s.state == State::Cancelled {
        return Vec::new();
    }
    let settings = effective(rules, unit, task);
    let mut out = Vec::new();
    let payload = |rule: &str, extra: serde_json::Value| {
        let mut p = json!({
            "rule": rule,
            "roadmap": unit.title,
            "activity": task.title,
            "point": task.number,
            "occurrence": s.id,
            "due": s.due_date,
            "phrase": task.phrase.as_deref().map(|p| {
                let p = p.trim();
                p.strip_prefix("Срок:").unwrap_or(p).trim().to_string()
            }),
            "document": if unit.protocol { "Протокол" } else { "Дорожная карта" },
        });
        if let (Some(p), Some(e)) = (p.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        p
    };
    let mut push = |rule: String, to: &Recipient, day: NaiveDate, expires: NaiveDate, extra: serde_json::Value| {
        out.push(Notice {
            key: format!("{}|{rule}|{}|{day}", s.id, to.email),
            payload: payload(&rule, extra),
            rule,
            occurrence: Some(s.id.to_string()),
            roadmap: unit.id.clone(),
            recipient: to.email.clone(),
            name: to.name.clone(),
            tz: to.tz.clone(),
            day,
            expires,
        });
    };
    let executors: Vec<Recipient> = s.executors.iter().filter_map(|e| executor(unit, e)).collect();
    for to in &executors {
        let today = local_day(now, &to.tz);
        match s.state {
            State::Overdue { days, working_days } => {
                let every = lead(settings.overdue_every).unwrap_or((1, true));
                let (count, step) = if every.1 { (working_days, every.0) } else { (days, every.0) };
                let due_today = step > 0 && count % i64::from(step) == 0;
                if due_today && (!every.1 || calendar.is_working(today)) {
                    push("overdue".into(), to, today, today, json!({"days": days, "working_days": working_days}));
                }
            }
            _ => {
                // Of the reminders whose day has come, only the latest: a first run a day before
                // the deadline sends the day-before reminder, not the week-before one too.
                let latest = settings
                    .before
                    .iter()
                    .filter_map(|text| {
                        let (n, working) = lead(text)?;
                        let trigger = if working {
                            calendar.sub_working_days(s.due_date, n)
                        } else {
                            s.due_date - chrono::Days::new(u64::from(n))
                        };
                        // A reminder falling on a day off goes out on the working day before it.
                        let trigger = calendar.shift(trigger, crate::model::Shift::Previous);
                        (trigger <= today && today < s.due_date).then_some((trigger, *text))
                    })
                    .max();
                if let Some((trigger, text)) = latest {
                    let left = (s.due_date - today).num_days();
                    push(format!("before-{text}"), to, trigger, s.due_date, json!({"days_left": left}));
                }
                if settings.on_due_day && today == s.due_date {
                    push("due-day".into(), to, today, today, json!({}));
                }
            }
        }
    }
    // Escalation: once per occurrence, recipient and step.
    if let State::Overdue { days, .. } = s.state {
        for (step, after) in [(1u8, settings.escalate_after), (2, settings.escalate_higher_after)] {
            let Some((n, working)) = lead(after) else { continue };
            let late = if working {
                match s.state {
                    State::Overdue { working_days, .. } => working_days,
                    _ => 0,
                }
            } else {
                days
            };
            if late < i64::from(n) {
                continue;
            }
            let mut to: Vec<Recipient> = Vec::new();
            for e in s.executors.iter() {
                to.extend(ladder(unit, e, step));
            }
            to.sort_by(|a, b| a.email.cmp(&b.email));
            to.dedup_by(|a, b| a.email == b.email);
            for r in &to {
                let today = local_day(now, &r.tz);
                let expires = today + chrono::Days::new(30);
                let names: Vec<String> = s
                    .executors
                    .iter()
                    .map(|e| unit.executors.get(e).map_or_else(|| e.clone(), |x| x.short.clone().unwrap_or_else(|| x.name.clone())))
                    .collect();
                push(format!("escalation-{step}"), r, s.due_date, expires, json!({"days": days, "executors": names}));
            }
        }
    }
    out
}

/// The weekly digest of a roadmap to its leadership: everything overdue and at risk.
fn digest(unit: &Unit, report: &Report<'_>, rules: &Rules, now: DateTime<FixedOffset>) -> Vec<Notice> {
    let mut out = Vec::new();
    for to in leadership(unit) {
        let Some(zone) = crate::calendar::zone(&to.tz) else { continue };
        let local = now.with_timezone(&zone);
        if local.weekday() != rules.digest_day || local.time() < rules.digest_time {
            continue;
        }
        let mine = report.occurrences.iter().filter(|s| s.roadmap == unit.id);
        let mut overdue = 0;
        let mut at_risk = 0;
        let mut items = Vec::new();
        for s in mine {
            let late = matches!(s.state, State::Overdue { .. });
            if !(late || s.at_risk) {
                continue;
            }
            overdue += usize::from(late);
            at_risk += usize::from(s.at_risk);
            let title = unit.tasks.iter().find(|t| t.id == s.activity).map_or(s.activity, |t| t.title.as_str());
            items.push(json!({
                "occurrence": s.id,
                "activity": title,
                "due": s.due_date,
                "days": match s.state { State::Overdue { days, .. } => days, _ => 0 },
                "at_risk": s.at_risk,
            }));
        }
        if items.is_empty() {
            continue;
        }
        let day = local.date_naive();
        out.push(Notice {
            key: format!("digest|{}|{}|{day}", unit.id, to.email),
            rule: "digest".into(),
            occurrence: None,
            roadmap: unit.id.clone(),
            recipient: to.email.clone(),
            name: to.name.clone(),
            tz: to.tz.clone(),
            day,
            expires: day + chrono::Days::new(2),
            payload: json!({
                "rule": "digest",
                "roadmap": unit.title,
                "overdue": overdue,
                "at_risk": at_risk,
                "items": items,
            }),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leads() {
        assert_eq!(lead("7d"), Some((7, false)));
        assert_eq!(lead("5wd"), Some((5, true)));
        assert_eq!(lead("x"), None);
    }
}

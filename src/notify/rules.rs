//! Which notices are due at `now`, from the status of every occurrence: reminders before the
//! due date, the due-day notice, overdue notices, escalation up the ladder (executor → head →
//! controller → its head), and the weekly digests (`super::digest`). Pure: the same status and rules
//! give the same notices, each with a key that makes planning it twice a no-op.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Weekday};
use rayon::prelude::*;
use serde::Deserialize;

use super::chat::Messenger;
use crate::calendar::Calendar;
use crate::check::{Task, Unit, Workspace};
use crate::compile::Plan;
use crate::model::{Lead, Reminders};
use crate::store::Notice;
use crate::track::{OccurrenceStatus, Report, State};

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
    /// Which notices go to executors' messenger chats besides e-mail (`telegram:` and `max:` in
    /// the directory), by rule: `before`, `due-day`, `overdue`, `escalation`, `digest`. A group's
    /// chat gets the weekly digest of what its members owe (`group-digest`).
    pub chat_rules: Vec<String>,
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
            chat_rules: ["before", "due-day", "overdue", "escalation", "digest", "group-digest"]
                .map(String::from)
                .to_vec(),
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

/// Settings of one activity (its own, else its roadmap's, else the workspace rules), parsed.
struct Settings<'a> {
    /// Reminder leads: (count, working days?, as written).
    before: Vec<(u32, bool, &'a str)>,
    on_due_day: bool,
    overdue_every: (u32, bool),
    escalate: [(u8, Option<(u32, bool)>); 2],
    /// Days before the due date beyond which nothing can be due yet (a cheap first test).
    horizon: i64,
}

fn settings<'a>(rules: &'a Rules, unit: &'a Unit, task: &'a Task) -> Settings<'a> {
    let layers: [Option<&'a Reminders>; 2] = [task.reminders.as_ref(), unit.reminders.as_ref()];
    let pick = |f: fn(&'a Reminders) -> Option<&'a Lead>, default: &'a str| -> &'a str {
        layers.iter().flatten().find_map(|r| f(r)).map_or(default, |l| l.0.as_str())
    };
    let before: Vec<&'a str> = layers.iter().flatten().find_map(|r| r.before.as_ref()).map_or_else(
        || rules.before.iter().map(String::as_str).collect(),
        |v| v.iter().map(|l| l.0.as_str()).collect(),
    );
    let before: Vec<(u32, bool, &str)> =
        before.into_iter().filter_map(|t| lead(t).map(|(n, working)| (n, working, t))).collect();
    // Working days stretch to at most 7/5 calendar days, plus holidays and a shift to the
    // working day before: two weeks of margin is safe.
    let horizon =
        before.iter().map(|(n, w, _)| if *w { i64::from(*n) * 7 / 5 } else { i64::from(*n) }).max().unwrap_or(0) + 16;
    Settings {
        before,
        on_due_day: layers.iter().flatten().find_map(|r| r.on_due_day).unwrap_or(rules.on_due_day),
        overdue_every: lead(pick(|r| r.overdue_every.as_ref(), &rules.overdue_every)).unwrap_or((1, true)),
        escalate: [
            (1, lead(pick(|r| r.escalate_after.as_ref(), &rules.escalate_after))),
            (2, lead(pick(|r| r.escalate_higher_after.as_ref(), &rules.escalate_higher_after))),
        ],
        horizon,
    }
}

impl Rules {
    /// Whether notices of `rule` (`before-7d`, `escalation-1`…) go to chats.
    fn to_chat(&self, rule: &str) -> bool {
        self.chat_rules
            .iter()
            .any(|r| rule == r || rule.strip_prefix(r.as_str()).is_some_and(|rest| rest.starts_with('-')))
    }
}

/// Someone to tell: address (e-mail, or a chat: `telegram:ID`, `max:ID`), how to greet them,
/// their time zone and local date at `now`.
#[derive(Debug, Clone)]
pub(super) struct Recipient {
    pub(super) address: String,
    pub(super) name: String,
    pub(super) tz: String,
    pub(super) today: NaiveDate,
    pub(super) zone: chrono_tz::Tz,
}

fn recipient(address: &str, name: &str, zone: chrono_tz::Tz, now: DateTime<FixedOffset>) -> Recipient {
    Recipient {
        address: address.to_string(),
        name: name.to_string(),
        tz: zone.name().to_string(),
        today: now.with_timezone(&zone).date_naive(),
        zone,
    }
}

/// The executor itself: its e-mail and its chats.
fn executor(unit: &Unit, id: &str, now: DateTime<FixedOffset>) -> Vec<Recipient> {
    let Some(e) = unit.executors.get(id) else { return Vec::new() };
    let (name, zone) = (e.display_name(), unit.zone_of(id));
    let chats =
        [(Messenger::Telegram, e.telegram.as_ref().map(|c| &c.0)), (Messenger::Max, e.max.as_ref().map(|c| &c.0))];
    let chats = chats.into_iter().filter_map(|(m, chat)| chat.map(|c| m.address(c)));
    e.email.iter().cloned().chain(chats).map(|address| recipient(&address, name, zone, now)).collect()
}

/// The head of an organisation (when the directory gives the head an e-mail).
fn head(unit: &Unit, id: &str, now: DateTime<FixedOffset>) -> Option<Recipient> {
    let h = unit.executors.get(id)?.head.as_ref()?;
    Some(recipient(h.email.as_deref()?, &h.name, unit.zone_of(id), now))
}

/// The escalation ladder of an executor: step 1 is its head and the roadmap's controller;
/// step 2 the controller's head and the executor's parent body (and that body's head).
fn ladder(unit: &Unit, id: &str, step: u8, now: DateTime<FixedOffset>) -> Vec<Recipient> {
    let controller = unit.controller.as_deref();
    let parent = unit.executors.get(id).and_then(|e| e.parent.as_deref());
    let mut out: Vec<Recipient> = match step {
        1 => {
            head(unit, id, now).into_iter().chain(controller.into_iter().flat_map(|c| executor(unit, c, now))).collect()
        }
        _ => controller
            .and_then(|c| head(unit, c, now))
            .into_iter()
            .chain(parent.into_iter().flat_map(|p| executor(unit, p, now)))
            .chain(parent.and_then(|p| head(unit, p, now)))
            .collect(),
    };
    out.dedup_by(|a, b| a.address == b.address);
    out
}

/// Leadership of a roadmap: the controller and its head.
pub(super) fn leadership(unit: &Unit, now: DateTime<FixedOffset>) -> Vec<Recipient> {
    let mut out: Vec<Recipient> = match unit.controller.as_deref() {
        Some(c) => executor(unit, c, now).into_iter().chain(head(unit, c, now)).collect(),
        None => Vec::new(),
    };
    out.dedup_by(|a, b| a.address == b.address);
    out
}

/// Executors who owe something late or due within two weeks but have no e-mail address and no
/// chat: the
/// notices meant for them cannot be sent (their names, each once).
pub fn unreachable(ws: &Workspace, plan: &Plan, report: &Report<'_>, now: DateTime<FixedOffset>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (o, s) in plan.occurrences.iter().zip(&report.occurrences) {
        let soon = s.due_date <= now.date_naive() + chrono::Days::new(14);
        if s.state.is_done() || s.state == State::Cancelled || !soon {
            continue;
        }
        let unit = &ws.units[o.unit];
        for id in s.executors {
            let Some(e) = unit.executors.get(id) else { continue };
            let name = e.display_name().to_string();
            let no_email = e.email.as_deref().is_none_or(|m| m.trim().is_empty());
            if no_email && e.telegram.is_none() && e.max.is_none() && !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// Whether `now` is inside sending hours on a working day in the recipient's zone.
pub fn sending_hours(rules: &Rules, calendar: &Calendar, tz: &str, now: DateTime<FixedOffset>) -> bool {
    let Some(zone) = crate::calendar::zone(tz) else { return true };
    let local = now.with_timezone(&zone);
    calendar.is_working(local.date_naive()) && local.time() >= rules.hours_from && local.time() < rules.hours_to
}

/// What planning needs of a roadmap, worked out once: today in its zone, its executors as
/// recipients, their escalation ladders, and the settings of each activity.
struct Roadmap<'a> {
    today: NaiveDate,
    executors: rustc_hash::FxHashMap<&'a str, Vec<Recipient>>,
    ladders: rustc_hash::FxHashMap<(&'a str, u8), Vec<Recipient>>,
    settings: Vec<Settings<'a>>,
}

impl<'a> Roadmap<'a> {
    fn of(unit: &'a Unit, rules: &'a Rules, now: DateTime<FixedOffset>) -> Roadmap<'a> {
        // Only the executors the roadmap's activities name: a school roadmap includes the whole
        // regional directory (thousands of executors) but names its own school.
        let mut named: Vec<&'a str> = unit.tasks.iter().flat_map(Task::doers).map(String::as_str).collect();
        named.sort_unstable();
        named.dedup();
        Roadmap {
            today: now.with_timezone(&unit.tz).date_naive(),
            executors: named.iter().map(|&id| (id, executor(unit, id, now))).collect(),
            ladders: named
                .iter()
                .flat_map(|&id| [1u8, 2].map(|step| ((id, step), ladder(unit, id, step, now))))
                .collect(),
            settings: unit.tasks.iter().map(|t| settings(rules, unit, t)).collect(),
        }
    }
}

/// Everything that should be planned at `now`, from `report` (the status of `plan` at `now`).
pub fn plan(
    ws: &Workspace,
    plan: &Plan,
    report: &Report<'_>,
    rules: &Rules,
    calendar: &Calendar,
    now: DateTime<FixedOffset>,
) -> Vec<Notice> {
    let roadmaps: Vec<Roadmap<'_>> = ws.units.iter().map(|u| Roadmap::of(u, rules, now)).collect();
    let mut notices: Vec<Notice> = plan
        .occurrences
        .par_iter()
        .zip(report.occurrences.par_iter())
        .flat_map_iter(|(o, s)| {
            let unit = &ws.units[o.unit];
            about(unit, &unit.tasks[o.task], &roadmaps[o.unit], &roadmaps[o.unit].settings[o.task], s, calendar)
        })
        .collect();
    // Each roadmap's digest lists its own occurrences: grouped in one pass, not one per roadmap.
    let mut of_unit: Vec<Vec<(&Task, &OccurrenceStatus<'_>)>> = vec![Vec::new(); ws.units.len()];
    for (o, s) in plan.occurrences.iter().zip(&report.occurrences) {
        of_unit[o.unit].push((&ws.units[o.unit].tasks[o.task], s));
    }
    notices.extend(ws.units.iter().zip(&of_unit).flat_map(|(u, mine)| super::digest::digest(u, mine, rules, now)));
    if rules.to_chat("group-digest") {
        notices.extend(super::digest::group_digests(ws, plan, report, rules, now));
    }
    // Chats get only the rules `chat_rules` names; e-mail gets every one.
    notices.retain(|n| Messenger::of(&n.recipient).is_none() || rules.to_chat(&n.rule));
    notices
}

/// What a notice says about its occurrence, as stored in the outbox.
#[derive(serde::Serialize)]
struct Payload<'a> {
    rule: &'a str,
    roadmap: &'a str,
    activity: &'a str,
    point: Option<&'a str>,
    occurrence: &'a str,
    due: NaiveDate,
    phrase: Option<&'a str>,
    document: &'a str,
    #[serde(flatten)]
    extra: Extra<'a>,
}

#[derive(serde::Serialize)]
#[serde(untagged)]
enum Extra<'a> {
    None {},
    Before {
        days_left: i64,
    },
    Overdue {
        days: i64,
        working_days: i64,
    },
    /// The executors the recipient answers for (all of them for the controller), and how
    /// many others share the work: a head of one of a hundred districts doing joint work hears
    /// about their own district, not a hundred names (which, to a hundred heads, is quadratic).
    Escalation {
        days: i64,
        executors: Vec<&'a str>,
        others: usize,
    },
}

pub(super) fn raw(value: &impl serde::Serialize) -> Box<serde_json::value::RawValue> {
    serde_json::value::to_raw_value(value).unwrap_or_default()
}

/// The notices about one occurrence.
fn about(
    unit: &Unit,
    task: &Task,
    roadmap: &Roadmap<'_>,
    settings: &Settings<'_>,
    s: &OccurrenceStatus<'_>,
    calendar: &Calendar,
) -> Vec<Notice> {
    if s.state.is_done() || s.state == State::Cancelled {
        return Vec::new();
    }
    let overdue = matches!(s.state, State::Overdue { .. });
    if !overdue && (s.due_date - roadmap.today).num_days() > settings.horizon {
        return Vec::new();
    }
    let mut out = Vec::new();
    let phrase = task.phrase.as_deref().map(|p| {
        let p = p.trim();
        p.strip_prefix("Срок:").unwrap_or(p).trim()
    });
    let mut push = |rule: String, to: &Recipient, day: NaiveDate, expires: NaiveDate, extra: Extra<'_>| {
        let payload = Payload {
            rule: &rule,
            roadmap: &unit.title,
            activity: &task.title,
            point: task.number.as_deref(),
            occurrence: s.id,
            due: s.due_date,
            phrase,
            document: if unit.protocol { "Протокол" } else { "Дорожная карта" },
            extra,
        };
        out.push(Notice {
            key: format!("{}|{rule}|{}|{day}", s.id, to.address),
            payload: raw(&payload),
            rule,
            occurrence: Some(s.id.to_string()),
            roadmap: unit.id.clone(),
            recipient: to.address.clone(),
            name: to.name.clone(),
            tz: to.tz.clone(),
            day,
            expires,
        });
    };
    for to in s.executors.iter().flat_map(|e| roadmap.executors.get(e.as_str()).into_iter().flatten()) {
        let today = to.today;
        match s.state {
            State::Overdue { days, working_days, .. } => {
                let (step, working) = settings.overdue_every;
                let count = if working { working_days } else { days };
                // Daily notices go out on working days only (nobody reads them on Sunday).
                if step > 0 && count % i64::from(step) == 0 && calendar.is_working(today) {
                    push("overdue".into(), to, today, today, Extra::Overdue { days, working_days });
                }
            }
            _ => {
                // Of the reminders whose day has come, only the latest: a first run a day before
                // the deadline sends the day-before reminder, not the week-before one too.
                let latest = settings
                    .before
                    .iter()
                    .filter_map(|&(n, working, text)| {
                        let trigger = if working {
                            calendar.sub_working_days(s.due_date, n)
                        } else {
                            s.due_date - chrono::Days::new(u64::from(n))
                        };
                        // A reminder falling on a day off goes out on the working day before it.
                        let trigger = calendar.shift(trigger, crate::model::Shift::Previous);
                        (trigger <= today && today < s.due_date).then_some((trigger, text))
                    })
                    .max();
                if let Some((trigger, text)) = latest {
                    let left = (s.due_date - today).num_days();
                    push(format!("before-{text}"), to, trigger, s.due_date, Extra::Before { days_left: left });
                }
                if settings.on_due_day && today == s.due_date && calendar.is_working(today) {
                    push("due-day".into(), to, today, today, Extra::None {});
                }
            }
        }
    }
    // Escalation: once per occurrence, recipient and step.
    if let State::Overdue { days, working_days, .. } = s.state {
        for (step, after) in settings.escalate {
            let Some((n, working)) = after else { continue };
            if (if working { working_days } else { days }) < i64::from(n) {
                continue;
            }
            // Each recipient (in e-mail order) with the executors they answer for.
            let mut answers: std::collections::BTreeMap<&str, (&Recipient, Vec<&str>)> = Default::default();
            for e in s.executors.iter() {
                let name = unit.executors.get(e).map_or(e.as_str(), |x| x.display_name());
                for r in roadmap.ladders.get(&(e.as_str(), step)).into_iter().flatten() {
                    let (_, names) = answers.entry(r.address.as_str()).or_insert((r, Vec::new()));
                    if names.last() != Some(&name) {
                        names.push(name);
                    }
                }
            }
            for (r, executors) in answers.into_values() {
                let others = s.executors.len().saturating_sub(executors.len());
                let expires = r.today + chrono::Days::new(30);
                push(
                    format!("escalation-{step}"),
                    r,
                    s.due_date,
                    expires,
                    Extra::Escalation { days, executors, others },
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_rules_match_by_rule_and_its_variants() {
        let rules = Rules { chat_rules: vec!["before".into(), "escalation".into()], ..Rules::default() };
        assert!(rules.to_chat("before-7d") && rules.to_chat("escalation-2") && rules.to_chat("before"));
        assert!(!rules.to_chat("overdue") && !rules.to_chat("beforehand") && !rules.to_chat("digest"));
    }

    #[test]
    fn leads() {
        assert_eq!(lead("7d"), Some((7, false)));
        assert_eq!(lead("5wd"), Some((5, true)));
        assert_eq!(lead("x"), None);
    }
}

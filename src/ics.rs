//! iCalendar (RFC 5545) feeds of occurrences as VTODOs with DTSTART (opens), DUE (the due
//! instant) and a VALARM for each reminder lead (default 7 and 1 days before, at 09:00 local),
//! which Outlook, Yandex Calendar and Thunderbird import or subscribe to (`karta ics`, and each
//! user's feed URL in the web app).

use std::fmt::Write as _;

use chrono::{DateTime, Days, FixedOffset, NaiveTime, TimeZone, Utc};

use crate::calendar::Calendar;
use crate::check::{Unit, Workspace};
use crate::compile::{Occurrence, Plan};

/// The feed named `name` of the occurrences `keep` selects, stamped `now`; reminders in
/// working days count on `calendar` (the roadmaps' region's).
pub fn feed(
    workspace: &Workspace,
    plan: &Plan,
    name: &str,
    keep: impl Fn(&Occurrence) -> bool,
    now: DateTime<FixedOffset>,
    calendar: &Calendar,
) -> String {
    let stamp = now.with_timezone(&Utc);
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//karta//roadmaps//RU");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    for o in plan.occurrences.iter().filter(|o| keep(o)) {
        todo_item(&mut out, workspace, o, stamp, calendar);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

fn todo_item(out: &mut String, ws: &Workspace, o: &Occurrence, stamp: DateTime<Utc>, calendar: &Calendar) {
    let unit = &ws.units[o.unit];
    let task = &unit.tasks[o.task];
    line(out, "BEGIN:VTODO");
    line(out, &format!("UID:{}@karta", o.id));
    line(out, &format!("DTSTAMP:{}", utc(stamp)));
    // DTSTART and DUE must share a value type (RFC 5545 §3.8.2.3): the start of the opening day.
    let opens = o.due.timezone().from_local_datetime(&o.opens.and_time(NaiveTime::MIN)).earliest().unwrap_or(o.due);
    line(out, &format!("DTSTART:{}", utc(opens.with_timezone(&Utc))));
    line(out, &format!("DUE:{}", utc(o.due.with_timezone(&Utc))));
    line(out, &format!("SUMMARY:{}", text(&task.title)));
    let mut description = format!("{}\n", unit.title);
    if let Some(p) = &task.phrase {
        let _ = writeln!(description, "Срок: {p}");
    }
    let _ = write!(description, "Исполнители: {}\nID: {}", o.executors.join(", "), o.id);
    line(out, &format!("DESCRIPTION:{}", text(&description)));
    line(out, &format!("CATEGORIES:{}", text(&unit.id)));
    line(out, "STATUS:NEEDS-ACTION");
    for (days, working) in leads(unit, task.reminders.as_ref()) {
        let at = remind_at(o, days, working, calendar);
        if at >= o.due {
            continue;
        }
        line(out, "BEGIN:VALARM");
        line(out, "ACTION:DISPLAY");
        line(out, &format!("TRIGGER;VALUE=DATE-TIME:{}", utc(at.with_timezone(&Utc))));
        line(out, &format!("DESCRIPTION:{}", text(&format!("Срок {}: {}", o.due.format("%d.%m.%Y"), task.title))));
        line(out, "END:VALARM");
    }
    line(out, "END:VTODO");
}

/// Reminder leads as (days, working): the activity's, else the roadmap's, else 7 and 1 days.
fn leads(unit: &Unit, own: Option<&crate::model::Reminders>) -> Vec<(u32, bool)> {
    let before = own.and_then(|r| r.before.clone()).or_else(|| unit.reminders.as_ref().and_then(|r| r.before.clone()));
    match before {
        Some(list) => list
            .iter()
            .filter_map(|l| {
                let s = l.0.as_str();
                match s.strip_suffix("wd") {
                    Some(n) => n.parse().ok().map(|n| (n, true)),
                    None => s.strip_suffix('d').and_then(|n| n.parse().ok()).map(|n| (n, false)),
                }
            })
            .collect(),
        None => vec![(7, false), (1, false)],
    }
}

/// 09:00 local on the day `days` (working) days before the due date.
fn remind_at(o: &Occurrence, days: u32, working: bool, calendar: &Calendar) -> DateTime<FixedOffset> {
    let mut day = o.due_date;
    if working {
        let mut left = days;
        while left > 0 {
            day = day.pred_opt().unwrap_or(day);
            if calendar.is_working(day) {
                left -= 1;
            }
        }
    } else {
        day = day.checked_sub_days(Days::new(u64::from(days))).unwrap_or(day);
    }
    let nine = day.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default());
    o.due.timezone().from_local_datetime(&nine).earliest().unwrap_or(o.due)
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT value escaping (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n")
}

/// A content line folded at 75 octets without splitting a UTF-8 character (§3.1), CRLF-ended.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

//! `karta history`: every event about an occurrence (or all occurrences of an activity), in
//! the order recorded, corrections marked.

use serde_json::json;

use karta::say;
use karta::track::Action;

use super::track::{Tracking, Where};
use super::{Format, Global, out_fmt, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJson,
    /// An occurrence id, or an activity (all its occurrences).
    pub target: String,
    #[command(flatten)]
    pub at: Where,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let tracking = Tracking::open(global, &args.at)?;
    let exact = tracking.plan.position(&args.target).is_some();
    let about = |occ: &str| {
        if exact {
            occ == args.target
        } else {
            occ.split('@')
                .next()
                .is_some_and(|key| key == args.target || key.rsplit('/').next() == Some(args.target.as_str()))
        }
    };
    let known = exact
        || tracking.plan.occurrences.iter().any(|o| about(&o.id))
        || tracking.events.iter().any(|e| e.event.occurrence.as_deref().is_some_and(about));
    if !known {
        return tracking.refuse(karta::msg!("нет ни срока, ни мероприятия `{}`", args.target; "no occurrence or activity `{}`", args.target), None);
    }
    let ids: Vec<i64> =
        tracking.events.iter().filter(|e| e.event.occurrence.as_deref().is_some_and(about)).map(|e| e.id).collect();
    let events: Vec<_> = tracking
        .events
        .iter()
        .filter(|e| {
            ids.contains(&e.id)
                || matches!(e.event.action, Action::Correction { supersedes, .. } if ids.contains(&supersedes))
        })
        .filter(|e| e.event.recorded_at <= tracking.now)
        .collect();
    // A report is taken back when the log as of now no longer counts it — an undone undo
    // brings it back — and the correction that took it back is the one still in force.
    let live: std::collections::HashSet<i64> =
        karta::track::effective(&tracking.events, tracking.now).iter().map(|e| e.id).collect();
    let undone = |id: i64| {
        if live.contains(&id) {
            return None;
        }
        events.iter().rev().find_map(|e| match e.event.action {
            Action::Correction { supersedes, .. } if supersedes == id && live.contains(&e.id) => Some(e.id),
            _ => None,
        })
    };
    if global.format == Format::Json {
        out_line!("{}", json!(events));
        return Ok(());
    }
    let lang = global.lang();
    let mut out = String::new();
    if events.is_empty() {
        out += &say!(lang, "по `{}` отметок нет\n", args.target; "no reports on `{}`\n", args.target);
    }
    for e in &events {
        let when = e.event.recorded_at.format("%d.%m.%Y %H:%M");
        let mark = undone(e.id)
            .map(|c| say!(lang, "  [отменено событием № {}]", c; "  [taken back by event {}]", c))
            .unwrap_or_default();
        let what = super::report::describe(&e.event, lang);
        let mark = match &e.carried {
            Some(c) if c.rule == karta::store::Rule::Removed => {
                mark + &say!(lang,
                "  [мероприятие исключено: {}]", c.order; "  [activity removed: {}]", c.order)
            }
            Some(c) => {
                mark + &say!(lang,
                "  [перенесено с {} при утверждении изменений: {}]", c.from, c.order;
                "  [carried from {} by the amendment: {}]", c.from, c.order)
            }
            None => mark,
        };
        out += &format!("№ {:<5} {when}  {}  {what}{mark}\n", e.id, e.event.author);
        if let Some(n) = &e.event.note {
            out += &format!("        {}: {n}\n", lang.pick("комментарий", "comment"));
        }
        for ev in &e.event.evidence {
            out += &format!("        {}: {ev}\n", lang.pick("подтверждение", "evidence"));
        }
    }
    out_fmt!("{out}");
    Ok(())
}

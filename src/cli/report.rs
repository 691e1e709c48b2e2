//! The commands that record progress events: `done`, `partial`, `not-done`, `move`, `cancel`,
//! `accept`, `reject`, `undo`, `value`. Each checks the report against the plan and the log as
//! of `--now`, then appends one event in one transaction.

use chrono::NaiveDate;
use serde_json::json;

use karta::msg;
use karta::track::{self, Action, NewEvent, Refusal, Request};

use super::track::{Tracking, Where, author};
use super::{Format, Global, out_line};

/// Which occurrence, and who reports.
#[derive(Debug, clap::Args)]
pub struct Target {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJson,
    /// An occurrence id (`lazo-2023-2024/org-1@2023-10-17`) or an activity (`lazo-2023-2024/org-1`, `org-1`).
    pub target: String,
    /// The due date of the occurrence meant, when the activity has several open ones.
    #[arg(long = "occurrence")]
    pub date: Option<NaiveDate>,
    /// The executor meant, for work each executor does separately.
    #[arg(long)]
    pub executor: Option<String>,
    /// Who reports (default: KARTA_USER or the login name).
    #[arg(long)]
    pub by: Option<String>,
    /// A comment.
    #[arg(long)]
    pub note: Option<String>,
    #[command(flatten)]
    pub at: Where,
}

#[derive(Debug, clap::Args)]
pub struct Done {
    #[command(flatten)]
    pub target: Target,
    /// The completion date (default: today).
    #[arg(long)]
    pub on: Option<NaiveDate>,
    /// A link or file reference proving it (repeatable).
    #[arg(long)]
    pub evidence: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct Partial {
    #[command(flatten)]
    pub target: Target,
    /// How much is done, 0–100.
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub percent: Option<u8>,
}

#[derive(Debug, clap::Args)]
pub struct WithReason {
    #[command(flatten)]
    pub target: Target,
    /// Why.
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, clap::Args)]
pub struct Move {
    #[command(flatten)]
    pub target: Target,
    /// The new due date.
    #[arg(long)]
    pub to: NaiveDate,
    /// Why the deadline moves.
    #[arg(long)]
    pub reason: String,
    /// Who approved the move.
    #[arg(long)]
    pub approved_by: String,
}

#[derive(Debug, clap::Args)]
pub struct Cancel {
    #[command(flatten)]
    pub target: Target,
    /// The order or decision that cancelled it ("приказ от 01.12.2023 № 450").
    #[arg(long)]
    pub document: String,
}

#[derive(Debug, clap::Args)]
pub struct Accept {
    #[command(flatten)]
    pub target: Target,
}

#[derive(Debug, clap::Args)]
pub struct Undo {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJson,
    /// The number of the event to take back (see `karta history`).
    pub event: i64,
    /// Why.
    #[arg(long)]
    pub reason: String,
    #[arg(long)]
    pub by: Option<String>,
    #[command(flatten)]
    pub at: Where,
}

#[derive(Debug, clap::Args)]
pub struct Value {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJson,
    /// The indicator id.
    pub indicator: String,
    /// The value (a decimal comma is fine: 0,6).
    pub value: String,
    /// The period measured: a year (2024), a school year (2023-2024, 2023/24), a month
    /// (2024-03) or a date (2024-03-15).
    #[arg(long)]
    pub period: String,
    /// The executor measured (default: the whole roadmap).
    #[arg(long)]
    pub executor: Option<String>,
    /// Where the figure comes from.
    #[arg(long)]
    pub source: Option<String>,
    #[arg(long)]
    pub by: Option<String>,
    #[command(flatten)]
    pub at: Where,
}

/// The kinds of report about one occurrence.
pub enum Report {
    Done(Done),
    Partial(Partial),
    NotDone(WithReason),
    Move(Move),
    Cancel(Cancel),
    Accept(Accept),
    Reject(WithReason),
}

impl Report {
    fn target(&self) -> &Target {
        match self {
            Report::Done(a) => &a.target,
            Report::Partial(a) => &a.target,
            Report::NotDone(a) | Report::Reject(a) => &a.target,
            Report::Move(a) => &a.target,
            Report::Cancel(a) => &a.target,
            Report::Accept(a) => &a.target,
        }
    }
}

pub fn report(global: &Global, report: Report) -> super::Exit {
    let t = report.target();
    let tracking = Tracking::open(global, &t.at)?;
    let occurrence = match tracking.target(&t.target, t.date, t.executor.as_deref()) {
        Ok(id) => id,
        Err((m, h)) => return tracking.refuse(m, h),
    };
    let report_now = tracking.report();
    let status = report_now.occurrences.iter().find(|s| s.id == occurrence);
    let today = tracking.today(&occurrence);
    let request = match &report {
        Report::Done(a) => Request::Done { on: a.on },
        Report::Partial(a) => Request::Partial { percent: a.percent, noted: a.target.note.is_some() },
        Report::NotDone(a) => Request::NotDone { reason: a.reason.clone() },
        Report::Move(a) => Request::Move { to: a.to, reason: a.reason.clone(), approved_by: a.approved_by.clone() },
        Report::Cancel(a) => Request::Cancel { document: a.document.clone() },
        Report::Accept(_) => Request::Accept,
        Report::Reject(a) => Request::Reject { reason: a.reason.clone() },
    };
    let action = match track::check(request, status, today) {
        Ok(action) => action,
        Err(refusal) => {
            // Fixing a report is taking it back: say how.
            let hint = matches!(refusal, Refusal::AlreadyDone { .. }).then(|| {
                let last = last_event(&tracking, &occurrence, "done");
                msg!("чтобы исправить отметку, отмените её: karta undo {} --reason …", last; "to fix it, take it back: karta undo {} --reason …", last)
            });
            return tracking.refuse(refusal.message(&occurrence), hint);
        }
    };
    let evidence = match &report {
        Report::Done(a) => a.evidence.clone(),
        _ => Vec::new(),
    };
    let event = NewEvent {
        occurrence: Some(occurrence),
        action,
        note: t.note.clone(),
        evidence,
        author: author(t.by.as_deref()),
        recorded_at: tracking.now,
        batch: None,
    };
    record(global, tracking, event)
}

/// The id of the latest event of a kind about an occurrence, for hints.
fn last_event(tracking: &Tracking, occurrence: &str, kind: &str) -> i64 {
    track::effective(&tracking.events, tracking.now)
        .iter()
        .rev()
        .find(|e| e.event.occurrence.as_deref() == Some(occurrence) && e.event.action.name() == kind)
        .map_or(0, |e| e.id)
}

fn record(global: &Global, mut tracking: Tracking, event: NewEvent) -> super::Exit {
    match tracking.store.append(std::slice::from_ref(&event)) {
        Ok(ids) => {
            let id = ids.first().copied().unwrap_or_default();
            match global.format {
                Format::Json => out_line!("{}", json!({"id": id, "event": event})),
                _ => {
                    let what = describe(&event, global.lang());
                    out_line!(
                        "{}",
                        karta::say!(global.lang(), "записано: событие № {} — {}", id, what; "recorded: event {} — {}", id, what)
                    );
                }
            }
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// One line about an event.
pub fn describe(e: &NewEvent, lang: karta::diag::Lang) -> String {
    e.action.describe_in(e.occurrence.as_deref(), lang)
}

pub fn undo(global: &Global, args: Undo) -> super::Exit {
    let tracking = Tracking::open(global, &args.at)?;
    let Some(target) = tracking.events.iter().find(|e| e.id == args.event) else {
        return tracking.refuse(msg!("нет события № {}", args.event; "no event {}", args.event), None);
    };
    if !track::effective(&tracking.events, tracking.now).iter().any(|e| e.id == args.event) {
        return tracking
            .refuse(msg!("событие № {} уже отменено", args.event; "event {} is already taken back", args.event), None);
    }
    let event = NewEvent {
        occurrence: target.event.occurrence.clone(),
        action: Action::Correction { supersedes: args.event, reason: args.reason.clone() },
        note: None,
        evidence: Vec::new(),
        author: author(args.by.as_deref()),
        recorded_at: tracking.now,
        batch: None,
    };
    record(global, tracking, event)
}

pub fn value(global: &Global, args: Value) -> super::Exit {
    let tracking = Tracking::open(global, &args.at)?;
    let Some(unit) = tracking.workspace.units.iter().find(|u| u.indicators.contains(&args.indicator)) else {
        return tracking.refuse(
            msg!("неизвестный показатель `{}`", args.indicator; "unknown indicator `{}`", args.indicator),
            None,
        );
    };
    if let Some(e) = &args.executor {
        if !unit.executors.contains_key(e) {
            return tracking.refuse(msg!("неизвестный исполнитель `{}`", e; "unknown executor `{}`", e), None);
        }
    }
    let Ok(value) = args.value.replace(',', ".").parse::<f64>() else {
        return tracking.refuse(msg!("«{}» — не число", args.value; "«{}» is not a number", args.value), None);
    };
    if let Err(e) = karta::model::period::Period::parse(&args.period) {
        return tracking.refuse(e.message, e.hint);
    }
    let event = NewEvent {
        occurrence: None,
        action: Action::Value {
            indicator: args.indicator,
            executor: args.executor,
            period: args.period,
            value,
            source: args.source,
        },
        note: None,
        evidence: Vec::new(),
        author: author(args.by.as_deref()),
        recorded_at: tracking.now,
        batch: None,
    };
    record(global, tracking, event)
}

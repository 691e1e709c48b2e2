//! `karta outbox`: the notices planned, sent, failed and cancelled, and why.

use serde_json::json;

use super::track::{Tracking, Where};
use karta::msg;

use super::{Failure, Format, Global, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJsonCsv,
    /// Only notices in this state: planned, sending, sent, failed, cancelled.
    #[arg(long)]
    pub state: Option<String>,
    #[command(flatten)]
    pub at: Where,
}

const STATES: [(&str, &str); 5] = [
    ("planned", "запланировано"),
    ("sending", "отправляется"),
    ("sent", "отправлено"),
    ("failed", "не доставлено"),
    ("cancelled", "отменено"),
];

/// A notice's state in the language asked for (the English is its name).
fn state_name(state: &str, lang: karta::diag::Lang) -> &str {
    match lang {
        karta::diag::Lang::En => state,
        karta::diag::Lang::Ru => STATES.iter().find(|(s, _)| *s == state).map_or(state, |(_, ru)| ru),
    }
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    if let Some(s) = &args.state {
        if !STATES.iter().any(|(name, _)| name == s) {
            // A value outside a fixed list is a usage error, as clap's own are.
            return Err(Failure::usage(msg!("неизвестное состояние `{}`", s; "unknown state `{}`", s))
                .hint(Some(msg!("возможны planned, sending, sent, failed, cancelled"; "one of planned, sending, sent, failed, cancelled"))));
        }
    }
    let tracking = Tracking::open(global, &args.at)?;
    let notices = tracking.store.notices()?;
    let lang = global.lang();
    let chosen: Vec<_> = notices.iter().filter(|n| args.state.as_ref().is_none_or(|s| *s == n.state)).collect();
    match global.format {
        Format::Json => {
            for n in &chosen {
                out_line!("{}", json!(n));
            }
        }
        Format::Csv => {
            out_line!("id,state,day,recipient,rule,occurrence,message_id,why");
            for n in &chosen {
                let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
                out_line!(
                    "{},{},{},{},{},{},{},{}",
                    n.id,
                    n.state,
                    n.notice.day,
                    quote(&n.notice.recipient),
                    n.notice.rule,
                    quote(n.notice.occurrence.as_deref().unwrap_or(&n.notice.roadmap)),
                    quote(n.message_id.as_deref().unwrap_or_default()),
                    quote(n.why.as_deref().unwrap_or_default())
                );
            }
        }
        _ => {
            if chosen.is_empty() {
                out_line!("{}", lang.pick("уведомлений нет", "no notices"));
            }
            for n in &chosen {
                let state = state_name(&n.state, lang);
                out_line!(
                    "{:>5}  {:<14} {}  {:<32} {:<14} {}{}",
                    n.id,
                    state,
                    karta::ru::date_digits(n.notice.day),
                    n.notice.recipient,
                    n.notice.rule,
                    n.notice.occurrence.as_deref().unwrap_or(&n.notice.roadmap),
                    n.why.as_deref().map(|w| format!(" — {w}")).unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}

//! `karta deadline PHRASE`: explains how karta reads a deadline phrase — its kind, the
//! structured form an author can write instead, and every dated occurrence.

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use karta::calendar;
use karta::deadline::{self, Spec};
use karta::diag::{Code, Diagnostic, Lang, Renderer, Source, Span};
use karta::model::{Period, Shift};
use karta::msg;

use super::{Format, Global};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJsonCsv,
    /// The phrase, in quotes: "до 17 октября 2023 г."
    pub phrase: String,
    /// First day of the period the phrase is read in (default: 1 September of the current school year).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last day of the period (default: 31 August of the current school year).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// IANA time zone of the due instants.
    #[arg(long, default_value = "Europe/Moscow")]
    pub tz: String,
    /// What to do with due dates on non-working days.
    #[arg(long, value_enum, default_value_t = Shift::Keep)]
    pub shift: Shift,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let lang = global.lang();
    let Some(tz) = calendar::zone(&args.tz) else {
        return Err(super::Failure::usage(
            msg!("неизвестный часовой пояс «{}»", args.tz; "unknown time zone «{}»", args.tz),
        ));
    };
    let today = karta::clock::now(global.now).date_naive();
    let start_year = if today.month() >= 9 { today.year() } else { today.year() - 1 };
    let period = Period {
        from: args.from.unwrap_or_else(|| NaiveDate::from_ymd_opt(start_year, 9, 1).unwrap_or(today)),
        to: args.to.unwrap_or_else(|| NaiveDate::from_ymd_opt(start_year + 1, 8, 31).unwrap_or(today)),
    };
    let spec = match deadline::read(&args.phrase, period) {
        Ok(spec) => spec,
        Err(e) => {
            let source = Source::new("<срок>", args.phrase.clone());
            let d = Diagnostic::error(
                Code::UnreadableDeadline,
                msg!("не удалось прочитать срок: {}", e.message.ru; "cannot read the deadline: {}", e.message.en),
            )
            .at(&source, Span::new(1, e.start + 1, (e.end - e.start).max(1)))
            .hint_opt(e.hint);
            let renderer = Renderer::new(lang);
            match global.format {
                Format::Json => super::out_line!("{}", renderer.json(&d)),
                _ => super::err_fmt!("{}", renderer.human(&d)),
            }
            return Err(super::Failure::reported());
        }
    };
    let occurrences: Vec<Value> = spec
        .occurrences(period, super::calendar(global, &[])?.for_region(None), args.shift)
        .iter()
        .map(|o| json!({"opens": o.opens.to_string(), "due": calendar::due_instant(o.due, o.time, o.zone.unwrap_or(tz)).to_rfc3339()}))
        .collect();
    let relative = match &spec {
        Spec::Relative(r) => serde_json::to_value(r).unwrap_or_default(),
        _ => Value::Null,
    };
    let structured = serde_json::to_value(&spec).unwrap_or(Value::Null);
    match global.format {
        Format::Json => {
            let out = json!({"phrase": args.phrase, "kind": spec.kind(), "structured": structured, "occurrences": occurrences, "relative": relative});
            super::out_line!("{out}");
        }
        Format::Csv => {
            super::out_line!("opens,due");
            for o in &occurrences {
                super::out_line!(
                    "{},{}",
                    o["opens"].as_str().unwrap_or_default(),
                    o["due"].as_str().unwrap_or_default()
                );
            }
        }
        Format::Text
        | Format::Dot
        | Format::Mermaid
        | Format::Html
        | Format::Md
        | Format::Docx
        | Format::Pdf
        | Format::Xlsx => {
            super::out_fmt!("{}", text(&args.phrase, &spec, &structured, &occurrences, period, &args.tz, lang))
        }
    }
    Ok(())
}

fn text(
    phrase: &str,
    spec: &Spec,
    structured: &Value,
    occurrences: &[Value],
    period: Period,
    tz: &str,
    lang: Lang,
) -> String {
    let ru = lang == Lang::Ru;
    // What a relative deadline counts from, in words.
    let anchor = match spec {
        Spec::Relative(r) if r.after.is_some() => {
            lang.pick("относительно другого мероприятия", "from another activity")
        }
        Spec::Relative(r) if r.event.is_some() => {
            lang.pick("от события, названного словами (дат нет)", "from an event named in words (no dates)")
        }
        _ => lang.pick("от даты утверждения документа", "from the document's approval date"),
    };
    let relative = format!("relative — {anchor}");
    let kind = match (spec.kind(), ru) {
        ("once", true) => "once — один срок",
        ("window", true) => "window — период",
        ("multiple", true) => "multiple — несколько сроков",
        ("recurring", true) => "recurring — повторяющийся срок",
        ("continuous", true) => "continuous — постоянно, без сроков",
        ("on_demand", true) => "on_demand — по мере необходимости, без сроков",
        ("relative", true) => relative.as_str(),
        ("once", false) => "once — a single deadline",
        ("window", false) => "window — a period",
        ("multiple", false) => "multiple — several deadlines",
        ("recurring", false) => "recurring — a recurring deadline",
        ("continuous", false) => "continuous — ongoing, no deadlines",
        ("on_demand", false) => "on_demand — as needed, no deadlines",
        (k, _) => k,
    };
    let (l_phrase, l_kind, l_period, l_form, l_canon, l_occ) = if ru {
        ("фраза", "вид", "период", "структурная форма", "каноническая фраза", "сроки")
    } else {
        ("phrase", "kind", "period", "structured form", "canonical phrase", "occurrences")
    };
    let mut out = format!(
        "{l_phrase}: {phrase}\n{l_kind}: {kind}\n{l_period}: {} – {} ({tz})\n",
        period.from.format("%d.%m.%Y"),
        period.to.format("%d.%m.%Y")
    );
    out += &format!("{l_form}: {}\n", flow_yaml(structured));
    out += &format!("{l_canon}: {}\n", spec.phrase());
    out += &format!("{l_occ} ({}):\n", occurrences.len());
    for (i, o) in occurrences.iter().enumerate() {
        out += &format!(
            "  {:>3}. {} … {}\n",
            i + 1,
            o["opens"].as_str().unwrap_or_default(),
            o["due"].as_str().unwrap_or_default()
        );
    }
    out
}

/// A JSON value as one line of YAML flow style, ready to paste after `due:`.
fn flow_yaml(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let items: Vec<String> = map.iter().map(|(k, v)| format!("{k}: {}", flow_yaml(v))).collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(flow_yaml).collect::<Vec<_>>().join(", ")),
        Value::String(s)
            if s.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')) && !s.is_empty() =>
        {
            if s.contains(':') { format!("\"{s}\"") } else { s.clone() }
        }
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        other => other.to_string(),
    }
}

//! `karta export`: the whole event log, for backup and audit — JSON (one object per line) or CSV.

use super::track::{Tracking, Where};
use super::{Format, Global, out_fmt, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::ExportFormat,
    #[command(flatten)]
    pub at: Where,
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    let tracking = Tracking::open(global, &args.at)?;
    let events = tracking.store.events()?;
    if global.format == Format::Csv {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "id",
            "recorded_at",
            "author",
            "kind",
            "occurrence",
            "details",
            "note",
            "evidence",
            "batch",
        ]);
        for e in &events {
            let details = serde_json::to_value(&e.event.action).map(|v| v.to_string()).unwrap_or_default();
            let _ = w.write_record([
                e.id.to_string().as_str(),
                &e.event.recorded_at.to_rfc3339(),
                &e.event.author,
                e.event.action.name(),
                e.event.occurrence.as_deref().unwrap_or_default(),
                &details,
                e.event.note.as_deref().unwrap_or_default(),
                &e.event.evidence.join(" "),
                e.event.batch.as_deref().unwrap_or_default(),
            ]);
        }
        out_fmt!("{}", String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default());
    } else {
        for e in &events {
            out_line!("{}", serde_json::to_string(e).unwrap_or_default());
        }
    }
    Ok(())
}

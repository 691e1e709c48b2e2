//! `karta approve`, `karta versions`, `karta show` and `karta diff`: a roadmap's approved
//! versions and what changed between them (docs/amendments.md).

use std::path::PathBuf;

use serde_json::json;

use karta::amend::approve::{self, Fate};
use karta::amend::{Snapshot, SnapshotError, diff, files_of};
use karta::check::Unit;
use karta::store::{Rule, Version};

use super::track::{Tracking, Where, author};
use super::{Failure, Format, Global, out_fmt, out_line};

#[derive(Debug, clap::Args)]
pub struct Approve {
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJson,
    /// The roadmap id.
    pub roadmap: String,
    /// Who records the approval (default: KARTA_USER or the login name).
    #[arg(long)]
    pub by: Option<String>,
    /// Show what would change and what becomes of each report, record nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub at: Where,
}

#[derive(Debug, clap::Args)]
pub struct Versions {
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJson,
    /// The roadmap id (every roadmap's versions when absent).
    pub roadmap: Option<String>,
    /// The progress database: an SQLite file or a PostgreSQL URL.
    #[arg(long, env = "KARTA_DB", default_value = "karta.db")]
    pub db: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct Show {
    /// The roadmap id.
    pub roadmap: String,
    /// The version number (1 is the baseline); the last approved when absent.
    #[arg(long)]
    pub version: Option<i64>,
    /// One of the version's files by its path (default: the roadmap file).
    #[arg(long)]
    pub file: Option<String>,
    /// The progress database: an SQLite file or a PostgreSQL URL.
    #[arg(long, env = "KARTA_DB", default_value = "karta.db")]
    pub db: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct Diff {
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJson,
    /// The roadmap id: its versions are compared.
    #[arg(required_unless_present = "files")]
    pub roadmap: Option<String>,
    /// Two roadmap files to compare instead (each with what it includes), without a store.
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"], conflicts_with = "roadmap")]
    pub files: Vec<PathBuf>,
    /// The version compared from (default: the last approved).
    #[arg(long)]
    pub from: Option<i64>,
    /// The version compared to (default: the working files).
    #[arg(long)]
    pub to: Option<i64>,
    #[command(flatten)]
    pub at: Where,
}

pub fn approve(global: &Global, args: Approve) -> super::Exit {
    let mut tracking = Tracking::open(global, &args.at)?;
    let unit = roadmap_unit(&tracking, &args.roadmap)?;
    let versions = tracking.store.versions(Some(&args.roadmap))?;
    let last_files = match versions.last() {
        Some(v) => Some(tracking.store.version_files(v.id)?),
        None => None,
    };
    let by = author(args.by.as_deref());
    let proposal = approve::propose(unit, &versions, last_files, tracking.calendar, &by, tracking.now)
        .map_err(|r| Failure::input(r.message()))?;
    // The fates of the reports as the log reads now (carried by the earlier versions already).
    let fates = approve::fates(&tracking.events, &proposal.version.carries);
    let order = proposal.version.order.worded();
    if !args.dry_run {
        tracking.store.approve(&proposal.version)?;
    }
    if global.format == Format::Json {
        out_line!(
            "{}",
            json!({
                "roadmap": args.roadmap,
                "version": proposal.number,
                "order": proposal.version.order,
                "recorded": !args.dry_run,
                "diff": proposal.diff,
                "carries": proposal.version.carries,
                "reports": fates,
            })
        );
    } else {
        let verb = if args.dry_run { "будет утверждена" } else { "утверждена" };
        out_line!("{verb} версия {} дорожной карты {} ({order})", proposal.number, args.roadmap);
        if let Some(d) = &proposal.diff {
            out_fmt!("{}", d.text());
        }
        out_fmt!("{}", fates_text(&fates));
    }
    tracking.leave();
    Ok(())
}

/// «отметка № 3: lazo/org-3@2023-10-17 → lazo/org-3@2023-11-30».
fn fates_text(fates: &[Fate]) -> String {
    let mut out = String::new();
    if !fates.is_empty() {
        out += &format!("отметки ({}):\n", fates.len());
    }
    for f in fates {
        out += &match (&f.to, f.rule) {
            (Some(to), Rule::Renumbered) => format!("  № {}: {} → {} (пункт перенумерован)\n", f.event, f.from, to),
            (Some(to), _) => format!("  № {}: {} → {}\n", f.event, f.from, to),
            (None, _) => format!("  № {}: {} — мероприятие исключено, отметка остаётся в истории\n", f.event, f.from),
        };
    }
    out
}

pub fn versions(global: &Global, args: Versions) -> super::Exit {
    let store = karta::store::open(&args.db)?;
    let list = store.versions(args.roadmap.as_deref())?;
    if global.format == Format::Json {
        out_line!("{}", json!(list));
        return Ok(());
    }
    if list.is_empty() {
        out_line!("утверждённых версий нет (karta approve записывает версию)");
    }
    for v in &list {
        let base = if v.number == 1 { " (исходная)" } else { "" };
        out_line!(
            "{} версия {}{base}: {}, записал {} {}",
            v.roadmap,
            v.number,
            v.order.worded(),
            v.approved_by,
            v.recorded_at.format("%d.%m.%Y %H:%M")
        );
    }
    Ok(())
}

pub fn show(_global: &Global, args: Show) -> super::Exit {
    let store = karta::store::open(&args.db)?;
    let versions = store.versions(Some(&args.roadmap))?;
    let v = pick(&versions, &args.roadmap, args.version)?;
    let files = store.version_files(v.id)?;
    let file = match &args.file {
        Some(path) => files.iter().find(|f| &f.path == path),
        None => files.first(),
    };
    let Some(file) = file else {
        let list = files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>().join(", ");
        return Err(Failure::input(karta::msg!(
            "в версии {} нет файла {}; есть: {}", v.number, args.file.as_deref().unwrap_or_default(), list;
            "version {} has no file {}; it has: {}", v.number, args.file.as_deref().unwrap_or_default(), list)));
    };
    out_fmt!("{}", file.text);
    Ok(())
}

pub fn diff(global: &Global, args: Diff) -> super::Exit {
    let calendar = super::calendar(global, &args.at.inputs.list())?;
    let (before, after) = if let [a, b] = args.files.as_slice() {
        (from_file(a, calendar)?, from_file(b, calendar)?)
    } else {
        let roadmap = args.roadmap.as_deref().unwrap_or_default();
        let tracking = Tracking::open(global, &args.at)?;
        let sides = karta::amend::sides::sides(
            &*tracking.store,
            &tracking.workspace,
            tracking.calendar,
            roadmap,
            args.from,
            args.to,
        )
        .map_err(|e| Failure::input(e.message()))?;
        (sides.before, sides.after)
    };
    let d = diff::diff(&before, &after);
    if global.format == Format::Json {
        out_line!("{}", json!(d));
    } else if d.is_empty() {
        out_line!("изменений нет");
    } else {
        out_fmt!("{}", d.text());
    }
    Ok(())
}

/// A version by number, else the last one.
fn pick<'v>(versions: &'v [Version], roadmap: &str, number: Option<i64>) -> Result<&'v Version, Failure> {
    let found = match number {
        Some(n) => versions.iter().find(|v| v.number == n),
        None => versions.last(),
    };
    found.ok_or_else(|| {
        let missing = karta::amend::sides::SidesError::NoVersion { roadmap: roadmap.to_string(), number };
        Failure::input(missing.message())
    })
}

fn roadmap_unit<'t>(tracking: &'t Tracking, id: &str) -> Result<&'t Unit, Failure> {
    tracking.workspace.roadmap(id).ok_or_else(|| {
        Failure::input(karta::msg!("нет дорожной карты `{}`", id; "no roadmap `{}`", id)).hint(Some(
            karta::msg!("идентификатор — поле `id` файла дорожной карты"; "the id is the roadmap file's `id`"),
        ))
    })
}

/// A roadmap file and what it includes, as a version of its own.
fn from_file(path: &std::path::Path, calendar: &karta::calendar::Calendar) -> Result<Snapshot, Failure> {
    let files = files_of(path).map_err(|e| Failure::file(path, &e))?;
    let id = files
        .first()
        .and_then(|f| karta::load::json_of(&f.text))
        .and_then(|doc| doc.get("id").and_then(|i| i.as_str()).map(String::from))
        .unwrap_or_default();
    Snapshot::of_files(&id, &files, calendar).map_err(|e| match e {
        SnapshotError::Invalid(_) => Failure::input(karta::msg!(
            "{} не проходит проверку: karta check {} покажет ошибки", path.display(), path.display();
            "{} does not check: karta check {} shows the errors", path.display(), path.display())),
        other => Failure::input(other.message()),
    })
}

/// The roadmap `render amendment` means without `--roadmap`: the only one with approved versions.
pub fn the_amended(tracking: &Tracking) -> Result<String, Failure> {
    let all = tracking.store.versions(None)?;
    let mut ids: Vec<&str> = all.iter().map(|v| v.roadmap.as_str()).collect();
    ids.dedup();
    match ids.as_slice() {
        [one] => Ok(one.to_string()),
        [] => Err(Failure::input(karta::msg!(
            "утверждённых версий нет: karta approve ROADMAP утвердит исходную";
            "no approved versions: karta approve ROADMAP records the baseline"))),
        _ => Err(Failure::usage(karta::msg!(
            "укажите --roadmap ID: утверждённые версии есть у {}", ids.join(", ");
            "give --roadmap ID: approved versions exist for {}", ids.join(", ")))),
    }
}

//! Command-line interface: one file per subcommand. Parsing only validates arguments; files
//! are read by the subcommand itself.

mod agenda;
mod calendar;
mod check;
mod convert;
mod deadline;
mod export;
mod form;
mod graph;
mod history;
mod ics;
mod import;
mod outbox;
mod plan;
mod remind;
mod render;
mod report;
mod schema;
mod serve;
mod status;
mod store;
mod track;
mod user;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset};
use clap::{Parser, Subcommand, ValueEnum};

use karta::calendar::Calendar;
use karta::diag::Lang;

/// karta — дорожные карты: проверка, сроки, контроль исполнения.
#[derive(Debug, Parser)]
#[command(name = "karta", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// Language of messages: ru (default) or en. Falls back to LANG.
    #[arg(long, global = true, env = "KARTA_LANG")]
    pub lang: Option<Lang>,
    /// The instant the command runs at (RFC 3339 or YYYY-MM-DD); the system clock otherwise.
    #[arg(long, global = true, env = "KARTA_NOW", value_parser = karta::clock::parse_instant)]
    pub now: Option<DateTime<FixedOffset>>,
    /// The output format: each command takes its own `--format` (only the formats it writes);
    /// set from it before the command runs.
    #[arg(skip = Format::Text)]
    pub format: Format,
    /// A local calendar file (the TSV format of the shipped calendar) applied after the
    /// federal and regional calendars and `[calendar] files`; repeatable.
    #[arg(long = "calendar", global = true, value_name = "FILE")]
    pub calendar_files: Vec<PathBuf>,
    /// The region whose holidays count where a roadmap names none (ISO 3166-2: RU-TA).
    #[arg(long, global = true, env = "KARTA_REGION")]
    pub region: Option<String>,
}

impl Global {
    pub fn lang(&self) -> Lang {
        self.lang.unwrap_or_else(|| std::env::var("LANG").map(|l| Lang::from_locale(&l)).unwrap_or_default())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
    /// Graphviz DOT (`karta graph`).
    Dot,
    /// Mermaid flowchart (`karta graph`).
    Mermaid,
    /// HTML that prints on A4 (`karta render`).
    Html,
    /// Markdown (`karta render`).
    Md,
    /// Word document (`karta render`).
    Docx,
    /// PDF through LibreOffice (`karta render`).
    Pdf,
    /// Excel workbook (`karta status`).
    Xlsx,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check roadmap files (or directories of them) and report every problem.
    Check(check::Args),
    /// Explain a deadline phrase: its kind, structured form and every occurrence.
    Deadline(deadline::Args),
    /// Print the JSON Schema of the roadmap format.
    Schema,
    /// Every occurrence of every activity, sorted by due date.
    Plan(plan::Args),
    /// What each executor has opening and due in the coming days.
    Agenda(agenda::Args),
    /// The dependency graph (Graphviz DOT or Mermaid), critical path highlighted.
    Graph(graph::Args),
    /// An iCalendar (RFC 5545) feed of occurrences with reminders.
    Ics(ics::Args),
    /// Report an occurrence done (выполнено).
    Done(report::Done),
    /// Report an occurrence partly done.
    Partial(report::Partial),
    /// Report an occurrence not done, with the reason.
    NotDone(report::WithReason),
    /// Move a deadline (перенос срока), with the reason and who approved it.
    Move(report::Move),
    /// Cancel an occurrence by an order or decision.
    Cancel(report::Cancel),
    /// Accept a report (снять с контроля).
    Accept(report::Accept),
    /// Reject a report: the occurrence is open again.
    Reject(report::WithReason),
    /// Take back an event by recording a correction.
    Undo(report::Undo),
    /// Record an indicator value.
    Value(report::Value),
    /// Where every occurrence stands at --now.
    Status(status::Args),
    /// Every event about an occurrence or activity.
    History(history::Args),
    /// Import reports from a CSV spreadsheet or a filled report form (XLSX, ODS), all or nothing.
    Import(import::Args),
    /// Write the report form of an executor for a period (XLSX), to fill and import.
    Form(form::Args),
    /// Render an official document: roadmap, protocol, status, overdue-letter, indicators.
    Render(render::Args),
    /// Convert a roadmap table from DOCX, XLSX, ODS or CSV into roadmap YAML.
    Convert(convert::Args),
    /// Plan and send the reminders and overdue notices due at --now, once.
    Remind(remind::Args),
    /// The notices planned, sent, failed and cancelled.
    Outbox(outbox::Args),
    /// Run the service: the web app and the scheduler (`remind` every --interval seconds) until SIGTERM/SIGINT.
    Serve(serve::Args),
    /// The production calendar: `show YEAR` (special days, working days per month), `check FILE`.
    Calendar(calendar::Args),
    /// Accounts of the web app: add, passwd, bind, list, token.
    User(user::Args),
    /// The whole event log as JSON lines or CSV.
    Export(export::Args),
    /// The store itself: `copy --from A --to B` moves everything to another store (SQLite ⇄ PostgreSQL).
    Store(store::Args),
}

/// Writes a command's output to `output`, or to standard output; a binary file (DOCX, PDF, XLSX)
/// is never written to a terminal. A file is written beside its target and renamed, so a failed
/// command never leaves half a file.
pub fn write_output(output: Option<&std::path::Path>, binary: bool, bytes: &[u8]) -> Exit {
    use std::io::{IsTerminal, Write};
    match output {
        Some(path) => {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
            let written = tempfile::NamedTempFile::new_in(dir)
                .and_then(|mut f| f.write_all(bytes).map(|()| f))
                .and_then(|f| f.persist(path).map_err(|e| e.error))
                .and_then(|_| readable(path));
            written.map_err(|e| {
                err_line!("ошибка: не удалось записать {}: {e}", path.display());
                2
            })
        }
        None if binary && std::io::stdout().is_terminal() => {
            err_line!("ошибка: DOCX, PDF и XLSX не выводятся на терминал; укажите -o ФАЙЛ");
            Err(2)
        }
        None => {
            let _ = std::io::stdout().lock().write_all(bytes);
            Ok(())
        }
    }
}

/// A temporary file is made private; the document it became is the user's, readable as any file
/// they write (0644 before the umask).
fn readable(path: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))?;
    }
    let _ = path;
    Ok(())
}

/// The YAML files under `paths`, or exit code 2 (with a message) when a path does not exist.
pub fn files(paths: &[std::path::PathBuf], lang: Lang) -> Result<Vec<std::path::PathBuf>, u8> {
    karta::check::collect_files(paths).map_err(|missing| {
        err_line!(
            "{}",
            match lang {
                Lang::Ru => format!("karta: путь не найден: {}", missing.display()),
                Lang::En => format!("karta: no such path: {}", missing.display()),
            }
        );
        2
    })
}

/// Checks the roadmaps under `paths` (default `roadmaps/`); on errors prints them and returns
/// exit code 1. The `--executor` filter, when given, must name an executor or group of them.
pub fn workspace(
    global: &Global,
    paths: &[std::path::PathBuf],
    executor: Option<&str>,
) -> Result<karta::check::Workspace, u8> {
    let lang = global.lang();
    let default = [std::path::PathBuf::from("roadmaps")];
    let files = files(if paths.is_empty() { &default } else { paths }, lang)?;
    let renderer = karta::diag::Renderer::new(lang);
    let calendar = calendar(global, if paths.is_empty() { &default } else { paths })?;
    let workspace = karta::check::check_files(&files, calendar).into_workspace().map_err(|checked| {
        for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
            err_line!("{}", renderer.human(d));
        }
        err_line!("{}", karta::diag::Summary::of(checked.files.len(), &checked.diagnostics).render(lang));
        1u8
    })?;
    // Unreadable deadlines do not stop the work, but every command says which activities wait.
    let untracked: Vec<_> = workspace.untracked().collect();
    if !untracked.is_empty() {
        for d in &untracked {
            err_line!("{}", renderer.human(d));
        }
        err_line!(
            "{}",
            match lang {
                Lang::Ru => format!(
                    "karta: мероприятий с нераспознанным сроком: {} — они не отслеживаются, пока срок не исправлен; остальное работает",
                    untracked.len()
                ),
                Lang::En => format!(
                    "karta: {} activities have an unreadable deadline and are not tracked until it is fixed; the rest works",
                    untracked.len()
                ),
            }
        );
    }
    known_executor(&workspace, executor, lang)?;
    Ok(workspace)
}

/// [`workspace`], compiled into the plan as approved.
pub fn plan(
    global: &Global,
    paths: &[std::path::PathBuf],
    executor: Option<&str>,
) -> Result<(karta::check::Workspace, karta::compile::Plan), u8> {
    let workspace = workspace(global, paths, executor)?;
    let calendar = calendar(global, paths)?.for_region(workspace.region());
    match karta::compile::compile(&workspace, calendar) {
        Ok(plan) => Ok((workspace, plan)),
        Err(errors) => {
            let renderer = karta::diag::Renderer::new(global.lang());
            for d in &errors {
                err_line!("{}", renderer.human(d));
            }
            Err(1)
        }
    }
}

/// The calendar in force for this run, built once: the shipped federal and regional layers,
/// then the `calendar/` directory beside the roadmaps, `[calendar] files` of the configuration
/// (`KARTA_CONFIG`, else karta.toml) and `--calendar` files; `--region` over `[calendar]
/// region`. A calendar file with errors stops the command (exit 1) with its diagnostics.
pub fn calendar(global: &Global, roadmaps: &[PathBuf]) -> Result<&'static Calendar, u8> {
    let config = std::env::var_os("KARTA_CONFIG").map_or_else(|| PathBuf::from("karta.toml"), PathBuf::from);
    calendar_from(global, &config, roadmaps)
}

/// [`calendar`] with the configuration file given (`--config` of `remind` and `serve`).
pub fn calendar_from(global: &Global, config: &Path, roadmaps: &[PathBuf]) -> Result<&'static Calendar, u8> {
    static CALENDAR: OnceLock<Calendar> = OnceLock::new();
    if let Some(c) = CALENDAR.get() {
        return Ok(c);
    }
    let mut settings = config_file(config)?.calendar;
    if let Some(r) = &global.region {
        settings.region = Some(r.clone());
    }
    settings.files.extend(global.calendar_files.iter().cloned());
    let renderer = karta::diag::Renderer::new(global.lang());
    match karta::calendar::load(&settings, roadmaps) {
        Ok((calendar, warnings)) => {
            for d in &warnings {
                err_line!("{}", renderer.human(d));
            }
            Ok(CALENDAR.get_or_init(|| calendar))
        }
        Err(errors) => {
            for d in &errors {
                err_line!("{}", renderer.human(d));
            }
            Err(1)
        }
    }
}

/// `[calendar]` of a configuration file (missing file: the defaults); its `files` are
/// relative to the file's directory.
/// karta.toml, or the reason it cannot be read (exit 1 for what it says, 2 for reading it).
pub fn config_file(path: &Path) -> Result<karta::config::File, u8> {
    karta::config::File::read(path).map_err(|e| {
        err_line!("ошибка: {e}");
        match e {
            karta::config::Error::Invalid { .. } => 1,
            karta::config::Error::Unreadable { .. } => 2,
        }
    })
}

/// Refuses an `--executor` no roadmap knows (a filter that matches nothing silently would mislead).
pub fn known_executor(workspace: &karta::check::Workspace, executor: Option<&str>, lang: Lang) -> Result<(), u8> {
    let Some(e) = executor else { return Ok(()) };
    if workspace.units.iter().any(|u| u.executors.contains_key(e) || u.groups.contains_key(e)) {
        return Ok(());
    }
    let names: Vec<&str> = workspace.units.iter().flat_map(|u| u.executors.keys().map(String::as_str)).collect();
    let near = karta::diag::did_you_mean(e, names).map(|n| format!(" — возможно, `{n}`")).unwrap_or_default();
    err_line!(
        "{}",
        match lang {
            Lang::Ru => format!("ошибка: неизвестный исполнитель `{e}`{near}"),
            Lang::En => format!("error: unknown executor `{e}`{near}"),
        }
    );
    Err(1)
}

/// Refuses a `--roadmap` no file defines, with the nearest id.
pub fn known_roadmap(workspace: &karta::check::Workspace, roadmap: Option<&str>, lang: Lang) -> Result<(), u8> {
    let Some(r) = roadmap else { return Ok(()) };
    if workspace.units.iter().any(|u| u.id == r) {
        return Ok(());
    }
    let names: Vec<&str> = workspace.units.iter().map(|u| u.id.as_str()).collect();
    let near = karta::diag::did_you_mean(r, names).map(|n| format!(" — возможно, `{n}`")).unwrap_or_default();
    err_line!(
        "{}",
        match lang {
            Lang::Ru => format!("ошибка: неизвестная дорожная карта `{r}`{near}"),
            Lang::En => format!("error: unknown roadmap `{r}`{near}"),
        }
    );
    Err(1)
}

/// Writes to standard output; a closed pipe (`karta … | head`) is not an error worth a panic.
pub fn out(text: impl std::fmt::Display) {
    use std::io::Write;
    let _ = write!(std::io::stdout().lock(), "{text}");
}

/// Writes to standard error, ignoring a closed pipe.
pub fn err(text: impl std::fmt::Display) {
    use std::io::Write;
    let _ = write!(std::io::stderr().lock(), "{text}");
}

macro_rules! out_line { ($($t:tt)*) => { $crate::cli::out(format_args!("{}\n", format_args!($($t)*))) } }
macro_rules! out_fmt { ($($t:tt)*) => { $crate::cli::out(format_args!($($t)*)) } }
macro_rules! err_line { ($($t:tt)*) => { $crate::cli::err(format_args!("{}\n", format_args!($($t)*))) } }
macro_rules! err_fmt { ($($t:tt)*) => { $crate::cli::err(format_args!($($t)*)) } }
pub(crate) use {err_fmt, err_line, out_fmt, out_line};

/// How a subcommand ends: `Ok` (exit 0) or the exit code — 1 when the input has errors, 2 on
/// usage or environment errors.
pub type Exit = Result<(), u8>;

/// The formats of the commands that take `--format`, each offering only what it writes.
macro_rules! formats {
    ($($(#[$meta:meta])* $name:ident { $first:ident $(, $rest:ident)* })*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
        pub enum $name {
            #[default]
            $first,
            $($rest,)*
        }

        impl From<$name> for Format {
            fn from(f: $name) -> Format {
                match f {
                    $name::$first => Format::$first,
                    $($name::$rest => Format::$rest,)*
                }
            }
        }
    )*};
}

formats! {
    /// Text for people, JSON for programs.
    TextJson { Text, Json }
    /// …and CSV for spreadsheets.
    TextJsonCsv { Text, Json, Csv }
    /// `karta status`: also an Excel workbook.
    TableFormat { Text, Json, Csv, Xlsx }
    /// `karta graph`: Graphviz DOT, Mermaid, or JSON.
    GraphFormat { Dot, Mermaid, Json }
    /// `karta render`: the document as HTML, Markdown, Word or PDF, or the data it is made from.
    DocumentFormat { Html, Md, Docx, Pdf, Json }
    /// `karta export`: JSON lines or CSV.
    ExportFormat { Json, Csv }
}

impl Command {
    /// The output format the command was asked for (text for those without one).
    fn format(&self) -> Format {
        match self {
            Command::Check(a) => a.format.into(),
            Command::Deadline(a) => a.format.into(),
            Command::Plan(a) => a.format.into(),
            Command::Agenda(a) => a.format.into(),
            Command::Graph(a) => a.format.into(),
            Command::Status(a) => a.format.into(),
            Command::History(a) => a.format.into(),
            Command::Render(a) => a.format.into(),
            Command::Remind(a) => a.format.into(),
            Command::Outbox(a) => a.format.into(),
            Command::Calendar(a) => a.format.into(),
            Command::Done(a) => a.target.format.into(),
            Command::Partial(a) => a.target.format.into(),
            Command::NotDone(a) | Command::Reject(a) => a.target.format.into(),
            Command::Move(a) => a.target.format.into(),
            Command::Cancel(a) => a.target.format.into(),
            Command::Accept(a) => a.target.format.into(),
            Command::Undo(a) => a.format.into(),
            Command::Value(a) => a.format.into(),
            Command::Export(a) => a.format.into(),
            Command::Store(a) => a.format.into(),
            Command::User(a) => a.format.into(),
            Command::Schema
            | Command::Ics(_)
            | Command::Import(_)
            | Command::Form(_)
            | Command::Convert(_)
            | Command::Serve(_) => Format::Text,
        }
    }
}

/// Runs a subcommand and returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    let cli = Cli { global: Global { format: cli.command.format(), ..cli.global }, ..cli };
    let exit = match cli.command {
        Command::Check(args) => check::run(&cli.global, args),
        Command::Deadline(args) => deadline::run(&cli.global, args),
        Command::Schema => schema::run(),
        Command::Plan(args) => plan::run(&cli.global, args),
        Command::Agenda(args) => agenda::run(&cli.global, args),
        Command::Graph(args) => graph::run(&cli.global, args),
        Command::Ics(args) => ics::run(&cli.global, args),
        Command::Done(a) => report::report(&cli.global, report::Report::Done(a)),
        Command::Partial(a) => report::report(&cli.global, report::Report::Partial(a)),
        Command::NotDone(a) => report::report(&cli.global, report::Report::NotDone(a)),
        Command::Move(a) => report::report(&cli.global, report::Report::Move(a)),
        Command::Cancel(a) => report::report(&cli.global, report::Report::Cancel(a)),
        Command::Accept(a) => report::report(&cli.global, report::Report::Accept(a)),
        Command::Reject(a) => report::report(&cli.global, report::Report::Reject(a)),
        Command::Undo(a) => report::undo(&cli.global, a),
        Command::Value(a) => report::value(&cli.global, a),
        Command::Status(a) => status::run(&cli.global, a),
        Command::History(a) => history::run(&cli.global, a),
        Command::Import(a) => import::run(&cli.global, a),
        Command::Form(a) => form::run(&cli.global, a),
        Command::Render(a) => render::run(&cli.global, a),
        Command::Convert(a) => convert::run(&cli.global, a),
        Command::Remind(a) => remind::run(&cli.global, a),
        Command::Outbox(a) => outbox::run(&cli.global, a),
        Command::Serve(a) => serve::run(&cli.global, a),
        Command::Calendar(a) => calendar::run(&cli.global, a),
        Command::User(a) => user::run(&cli.global, a),
        Command::Export(a) => export::run(&cli.global, a),
        Command::Store(a) => store::run(&cli.global, a),
    };
    exit.err().unwrap_or(0)
}

//! Command-line interface: one file per subcommand. Parsing only validates arguments; files
//! are read by the subcommand itself.

mod agenda;
mod amend;
mod cache;
mod calendar;
mod check;
mod convert;
mod deadline;
mod export;
mod fail;
mod form;
mod graph;
mod history;
mod ics;
mod import;
mod inbox;
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
use karta::diag::{Lang, Message};
use karta::msg;

pub use fail::{Exit, Failure};

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
    /// The cache of loaded roadmap files, kept between commands (docs/performance.md).
    #[arg(long, global = true, env = "KARTA_CACHE", value_name = "FILE", default_value = "karta.cache")]
    pub cache: PathBuf,
    /// Load every roadmap file from its text, neither reading nor writing the cache.
    #[arg(long, global = true)]
    pub no_cache: bool,
}

impl Global {
    /// The cache this run reads and writes (none with `--no-cache`).
    pub fn cache(&self) -> karta::cache::Cache {
        if self.no_cache { karta::cache::Cache::none() } else { karta::cache::Cache::open(&self.cache) }
    }

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
    /// Record the roadmap as approved by its order (the first time) or by its latest amending order.
    Approve(amend::Approve),
    /// The approved versions of a roadmap.
    Versions(amend::Versions),
    /// A roadmap file as an approved version has it.
    Show(amend::Show),
    /// What changed between two versions of a roadmap (default: the last approved and the working files).
    Diff(amend::Diff),
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
    /// Take a reply to a notice (`--stdin`: one message, for a mail server's pipe delivery).
    Inbox(inbox::Args),
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
    /// The cache of loaded roadmap files and of the last plan: what it holds; `--clear` removes it.
    Cache(cache::Args),
}

/// The roadmaps a command reads, given the same way on every command: as paths after the
/// command's own arguments, with `--roadmaps` (repeatable), or both; without either,
/// `KARTA_ROADMAPS`, else `roadmaps/`. A path is a file or a directory searched for `*.yaml`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Inputs {
    /// Roadmap files or directories (default: KARTA_ROADMAPS, else roadmaps/).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Roadmap files or directories, the same as the paths (repeatable).
    #[arg(long = "roadmaps", value_name = "PATH")]
    pub roadmaps: Vec<PathBuf>,
}

impl Inputs {
    /// The paths given, in order, or the default.
    pub fn list(&self) -> Vec<PathBuf> {
        let given: Vec<PathBuf> = self.paths.iter().chain(&self.roadmaps).cloned().collect();
        if !given.is_empty() {
            return given;
        }
        match std::env::var_os("KARTA_ROADMAPS").filter(|v| !v.is_empty()) {
            Some(v) => std::env::split_paths(&v).collect(),
            None => vec![PathBuf::from("roadmaps")],
        }
    }
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
            written.map_err(|e| Failure::file(path, &e))
        }
        None if binary && std::io::stdout().is_terminal() => Err(Failure::usage(msg!(
            "DOCX, PDF и XLSX не выводятся на терминал; укажите -o ФАЙЛ";
            "DOCX, PDF and XLSX are not written to a terminal; give -o FILE"
        ))),
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

/// The YAML files under `paths`; a path that does not exist is a usage error.
pub fn files(paths: &[std::path::PathBuf]) -> Result<Vec<std::path::PathBuf>, Failure> {
    karta::check::collect_files(paths).map_err(|missing| {
        Failure::usage(msg!("путь не найден: {}", missing.display(); "no such path: {}", missing.display()))
    })
}

/// Checks the roadmaps under `paths` (default `roadmaps/`); on errors prints them and fails
/// (exit 1). The `--executor` filter, when given, must name an executor or group of them.
pub fn workspace(
    global: &Global,
    paths: &[std::path::PathBuf],
    executor: Option<&str>,
) -> Result<karta::check::Workspace, Failure> {
    let cache = global.cache();
    let workspace = workspace_with(global, paths, executor, &cache);
    // A cache that cannot be written costs the next run its speed, nothing else.
    let _ = cache.save();
    workspace
}

/// [`workspace`], loading the files through `cache` (the caller saves it when done with it).
pub fn workspace_with(
    global: &Global,
    paths: &[std::path::PathBuf],
    executor: Option<&str>,
    cache: &karta::cache::Cache,
) -> Result<karta::check::Workspace, Failure> {
    let lang = global.lang();
    let files = files(paths)?;
    let renderer = karta::diag::Renderer::new(lang);
    let calendar = calendar(global, paths)?;
    let workspace = karta::check::check_with(&files, calendar, cache).into_workspace().map_err(|checked| {
        for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
            err_line!("{}", renderer.human(d));
        }
        err_line!("{}", karta::diag::Summary::of(checked.files.len(), &checked.diagnostics).render(lang));
        Failure::reported()
    })?;
    // Unreadable deadlines do not stop the work, but every command says which activities wait.
    let untracked: Vec<_> = workspace.untracked().collect();
    if !untracked.is_empty() {
        for d in &untracked {
            err_line!("{}", renderer.human(d));
        }
        let n = untracked.len();
        fail::warn(
            lang,
            &msg!(
                "мероприятий с нераспознанным сроком: {} — они не отслеживаются, пока срок не исправлен; остальное работает", n;
                "{} activities have an unreadable deadline and are not tracked until it is fixed; the rest works", n
            ),
        );
    }
    known_executor(&workspace, executor)?;
    Ok(workspace)
}

/// [`workspace`], compiled into the plan as approved.
pub fn plan(
    global: &Global,
    paths: &[std::path::PathBuf],
    executor: Option<&str>,
) -> Result<(karta::check::Workspace, karta::compile::Plan), Failure> {
    let cache = global.cache();
    let workspace = workspace_with(global, paths, executor, &cache)?;
    let calendar = calendar(global, paths)?.for_region(workspace.region());
    let compiled = cache.compile(&workspace, calendar, &karta::compile::Planned);
    let _ = cache.save();
    match compiled {
        Ok(plan) => Ok((workspace, plan)),
        Err(errors) => {
            let renderer = karta::diag::Renderer::new(global.lang());
            for d in &errors {
                err_line!("{}", renderer.human(d));
            }
            Err(Failure::reported())
        }
    }
}

/// The calendar in force for this run, built once: the shipped federal and regional layers,
/// then the `calendar/` directory beside the roadmaps, `[calendar] files` of the configuration
/// (`KARTA_CONFIG`, else karta.toml) and `--calendar` files; `--region` over `[calendar]
/// region`. A calendar file with errors stops the command (exit 1) with its diagnostics.
pub fn calendar(global: &Global, roadmaps: &[PathBuf]) -> Result<&'static Calendar, Failure> {
    let config = std::env::var_os("KARTA_CONFIG").map_or_else(|| PathBuf::from("karta.toml"), PathBuf::from);
    calendar_from(global, &config, roadmaps)
}

/// [`calendar`] with the configuration file given (`--config` of `remind` and `serve`).
pub fn calendar_from(global: &Global, config: &Path, roadmaps: &[PathBuf]) -> Result<&'static Calendar, Failure> {
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
            Err(Failure::reported())
        }
    }
}

/// karta.toml (a missing file is the defaults), or why it cannot be read.
pub fn config_file(path: &Path) -> Result<karta::config::File, Failure> {
    Ok(karta::config::File::read(path)?)
}

/// Refuses an `--executor` no roadmap knows (a filter that matches nothing silently would mislead).
pub fn known_executor(workspace: &karta::check::Workspace, executor: Option<&str>) -> Result<(), Failure> {
    let Some(e) = executor else { return Ok(()) };
    if workspace.units.iter().any(|u| u.executors.contains_key(e) || u.groups.contains_key(e)) {
        return Ok(());
    }
    let names = workspace.units.iter().flat_map(|u| u.executors.keys().chain(u.groups.keys()).map(String::as_str));
    Err(unknown(msg!("неизвестный исполнитель"; "unknown executor"), e, names))
}

/// Refuses a `--roadmap` no file defines, with the nearest id.
pub fn known_roadmap(workspace: &karta::check::Workspace, roadmap: Option<&str>) -> Result<(), Failure> {
    let Some(r) = roadmap else { return Ok(()) };
    if workspace.units.iter().any(|u| u.id == r) {
        return Ok(());
    }
    Err(unknown(
        msg!("неизвестная дорожная карта"; "unknown roadmap"),
        r,
        workspace.units.iter().map(|u| u.id.as_str()),
    ))
}

/// An id a filter does not know (`what`: "неизвестный исполнитель"), with the nearest known
/// one ("did you mean").
pub fn unknown<'a>(what: Message, id: &str, known: impl IntoIterator<Item = &'a str>) -> Failure {
    let near = karta::diag::did_you_mean(id, known);
    let (ru, en) = near
        .map_or((String::new(), String::new()), |n| (format!(" — возможно, `{n}`"), format!(" — did you mean `{n}`?")));
    Failure::input(msg!("{} `{}`{}", what.ru, id, ru; "{} `{}`{}", what.en, id, en))
}

/// Writes to standard output; a closed pipe (`karta … | head`) is not an error worth a panic.
pub fn out(text: impl std::fmt::Display) {
    use std::io::Write;
    let _ = write!(std::io::stdout().lock(), "{text}");
}

/// A CSV writer straight to standard output: a plan's CSV is megabytes, written as it is
/// made rather than copied whole first.
pub fn csv_out() -> ::csv::Writer<std::io::StdoutLock<'static>> {
    ::csv::WriterBuilder::new().buffer_capacity(1 << 16).from_writer(std::io::stdout().lock())
}

/// A field made in `scratch` (cleared first) by `make`, for CSV writers that write many rows
/// of dates and lists without a string for each.
pub fn field(scratch: &mut String, make: impl FnOnce(&mut String) -> std::fmt::Result) -> &str {
    scratch.clear();
    let _ = make(scratch);
    scratch
}

/// `items` joined by spaces in `scratch` (cleared first), as the CSV writers list names.
pub fn joined(scratch: &mut String, items: impl IntoIterator<Item = impl AsRef<str>>) -> &str {
    scratch.clear();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            scratch.push(' ');
        }
        scratch.push_str(item.as_ref());
    }
    scratch
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
    /// `karta render`: the document as HTML, Markdown, Word or PDF, its tables as an Excel
    /// workbook, or the data it is made from.
    DocumentFormat { Html, Md, Docx, Pdf, Xlsx, Json }
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
            Command::Approve(a) => a.format.into(),
            Command::Versions(a) => a.format.into(),
            Command::Diff(a) => a.format.into(),
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
            Command::Cache(a) => a.format.into(),
            Command::User(a) => a.format.into(),
            Command::Schema
            | Command::Show(_)
            | Command::Ics(_)
            | Command::Import(_)
            | Command::Form(_)
            | Command::Convert(_)
            | Command::Serve(_)
            | Command::Inbox(_) => Format::Text,
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
        Command::Approve(a) => amend::approve(&cli.global, a),
        Command::Versions(a) => amend::versions(&cli.global, a),
        Command::Show(a) => amend::show(&cli.global, a),
        Command::Diff(a) => amend::diff(&cli.global, a),
        Command::History(a) => history::run(&cli.global, a),
        Command::Import(a) => import::run(&cli.global, a),
        Command::Form(a) => form::run(&cli.global, a),
        Command::Render(a) => render::run(&cli.global, a),
        Command::Convert(a) => convert::run(&cli.global, a),
        Command::Remind(a) => remind::run(&cli.global, a),
        Command::Outbox(a) => outbox::run(&cli.global, a),
        Command::Inbox(a) => inbox::run(&cli.global, a),
        Command::Serve(a) => serve::run(&cli.global, a),
        Command::Calendar(a) => calendar::run(&cli.global, a),
        Command::User(a) => user::run(&cli.global, a),
        Command::Export(a) => export::run(&cli.global, a),
        Command::Store(a) => store::run(&cli.global, a),
        Command::Cache(a) => cache::run(&cli.global, a),
    };
    match exit {
        Ok(()) => 0,
        Err(failure) => {
            failure.print(cli.global.lang());
            failure.code()
        }
    }
}

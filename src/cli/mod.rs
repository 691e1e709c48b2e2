//! Command-line interface: one file per subcommand. Parsing only validates arguments; files
//! are read by the subcommand itself.

mod check;
mod deadline;
mod schema;

use chrono::{DateTime, FixedOffset};
use clap::{Parser, Subcommand, ValueEnum};

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
#[derive(Debug, clap::Args)]
pub struct Global {
    /// Language of messages: ru (default) or en. Falls back to LANG.
    #[arg(long, global = true, env = "KARTA_LANG")]
    pub lang: Option<Lang>,
    /// The instant the command runs at (RFC 3339 or YYYY-MM-DD); the system clock otherwise.
    #[arg(long, global = true, env = "KARTA_NOW", value_parser = karta::clock::parse_instant)]
    pub now: Option<DateTime<FixedOffset>>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
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
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check roadmap files (or directories of them) and report every problem.
    Check(check::Args),
    /// Explain a deadline phrase: its kind, structured form and every occurrence.
    Deadline(deadline::Args),
    /// Print the JSON Schema of the roadmap format.
    Schema,
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

/// Runs a subcommand and returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) => check::run(&cli.global, args),
        Command::Deadline(args) => deadline::run(&cli.global, args),
        Command::Schema => schema::run(),
    }
}

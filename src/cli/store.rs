//! `karta store copy --from A --to B`: moves everything a store holds to another one (SQLite to
//! PostgreSQL when a ministry outgrows one machine, or back), keeping event numbers, authors and
//! instants. The target must be empty, so a second run is refused and changes nothing; the copy is
//! one transaction, read back and compared (counts and a SHA-256 digest) before it is reported.

use std::path::{Path, PathBuf};

use karta::store::{self, copy};

use karta::msg;

use super::{Failure, Format, Global, out_line};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: super::TextJson,
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Copy the log, the outbox, the accounts and the approved versions into an empty store (stop
    /// `karta serve` first).
    Copy {
        /// The store to copy: an SQLite file or a `postgres://` URL.
        #[arg(long)]
        from: PathBuf,
        /// The empty store to fill (created if it does not exist).
        #[arg(long)]
        to: PathBuf,
    },
}

pub fn run(global: &Global, args: Args) -> super::Exit {
    match args.command {
        Sub::Copy { from, to } => copy_store(global, &from, &to),
    }
}

fn copy_store(global: &Global, from: &Path, to: &Path) -> super::Exit {
    if store::Backend::of(from) == store::Backend::Sqlite && !from.is_file() {
        return Err(Failure::usage(msg!("нет базы {}", from.display(); "no database {}", from.display())));
    }
    let source = store::open(from)?;
    let mut target = store::open(to)?;
    let copied = copy::copy(source.as_ref(), target.as_mut())?;
    let lang = global.lang();
    match global.format {
        Format::Json => out_line!(
            "{}",
            serde_json::json!({
                "counts": copied.counts.iter().map(|(t, n)| (t.to_string(), serde_json::json!(n))).collect::<serde_json::Map<_, _>>(),
                "digest": copied.digest,
            })
        ),
        _ => {
            let counts: Vec<String> = copied.counts.iter().map(|(t, n)| format!("{t}: {n}")).collect();
            out_line!("{}: {}", lang.pick("скопировано", "copied"), counts.join(", "));
            out_line!(
                "{}: {}",
                lang.pick("контрольная сумма (SHA-256) совпадает", "the checksum (SHA-256) matches"),
                copied.digest
            );
        }
    }
    Ok(())
}

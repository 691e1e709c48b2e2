//! The `karta` command: parse the arguments, run one subcommand, exit with its code
//! (0 success, 1 the input has errors, 2 usage or environment error).

use std::process::ExitCode;

use clap::Parser;

mod cli;

/// karta allocates many small strings and maps (one per YAML node, occurrence and event);
/// mimalloc serves them markedly faster than the system allocator and frees whole pages back.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    ExitCode::from(cli::run(args))
}

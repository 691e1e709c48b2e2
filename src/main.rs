//! The `karta` command: parse the arguments, run one subcommand, exit with its code
//! (0 success, 1 the input has errors, 2 usage or environment error).

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    ExitCode::from(cli::run(args))
}

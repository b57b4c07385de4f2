//! `flightcheck`: the command line. Thin: parses arguments, runs the pipeline, renders,
//! and turns the gate into an exit code (0 passed, 1 failed, 2 usage/config/internal error).

mod cli;
mod init_cmd;
mod rule_cmd;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match std::panic::catch_unwind(|| cli::run(cli)) {
        Ok(code) => code,
        Err(_) => {
            eprintln!(
                "flightcheck: internal error (this is a bug; please report it with the command you ran)"
            );
            ExitCode::from(2)
        }
    }
}

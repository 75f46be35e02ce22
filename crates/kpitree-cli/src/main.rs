//! The `kpitree` command line: check trees in pipelines, convert between JSON and CSV, prune, and
//! explain the rules.
//!
//! Exit codes: 0 when nothing reaches `--fail-on`, 1 when something does or a rule plugin failed
//! (unless `--fail-on never`), 2 for invalid input or usage (bad tree, bad config, unreadable file,
//! bad flags).

mod cli;
mod input;
mod render_sarif;
mod render_text;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => code,
        // A closed pipe (`kpitree check ... | head`) is not an error worth reporting.
        Err(input::CliError::Io { error, .. }) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let mut err = anstream::stderr();
            let _ = input::print_error(&mut err, &e);
            ExitCode::from(2)
        }
    }
}

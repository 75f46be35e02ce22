//! The `kpitree` command line: check trees in pipelines, convert between JSON and CSV, prune, and
//! explain the rules.
//!
//! Exit codes: 0 when nothing reaches `--fail-on`, 1 when something does or a rule plugin failed
//! (unless `--fail-on never`), 2 for invalid input or usage (bad tree, bad config, unreadable file,
//! bad flags). A check of several trees exits with the worst.

mod cli;
mod human;
mod input;
mod measurements;
mod new_plugin;
mod render_diff;
mod render_github;
mod render_sarif;
mod render_text;

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match cli::Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            // clap quotes the arguments it rejects as they are, and prints them raw when coloured: when
            // any argument holds control or bidi characters the message is shown plain and escaped
            // (`to_string` has already dropped escape sequences); any other message is clap's own,
            // coloured on a terminal.
            let text = e.render().to_string();
            let unsafe_args = std::env::args_os().any(|a| a.to_string_lossy().contains(human::is_unsafe_but_newline));
            if !unsafe_args && !text.contains(human::is_unsafe_but_newline) {
                e.exit();
            }
            let code = e.exit_code();
            let escaped = human::EscLines(&text).to_string();
            let _ = if e.use_stderr() {
                std::io::stderr().write_all(escaped.as_bytes())
            } else {
                std::io::stdout().write_all(escaped.as_bytes())
            };
            return ExitCode::from(u8::try_from(code).unwrap_or(2));
        }
    };
    match cli::run(args) {
        Ok(code) => code,
        // A closed pipe (`kpitree check ... | head`) is not an error worth reporting.
        Err(input::CliError::Io { error, .. }) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = human::print_error(&mut human::stderr(), &e);
            ExitCode::from(2)
        }
    }
}

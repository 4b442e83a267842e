//! `medshare`: privacy-preserving medical record sharing on a consortium chain.
//!
//! The binary is a thin shell: [`args`] declares the command line, [`cmd`] runs each command,
//! [`output`] prints exactly one result or error per run (text, `-q` or one JSON document).
//! Exit codes: 0 success, 2 a wrong command line, 1 any other failure, 141 stdout closed.

mod args;
mod client;
mod cmd;
mod datadir;
mod identity_store;
mod keystore;
mod output;
mod parse;
mod revert;

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    process::ExitCode,
    sync::Mutex,
};

use clap::Parser;
use output::{EXIT_FAILURE, EXIT_STDOUT_CLOSED, EXIT_USAGE, Printer, StdoutClosed, UsageError};

/// The message of the last panic. The hook only records it: a library may catch a panic and
/// turn it into an error (redb on a damaged file), and an uncaught one is reported by `main`,
/// so the user sees exactly one line either way.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(info.to_string());
        }
    }));
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return command_line_error(&err),
    };
    let printer = Printer::new(cli.global.json, cli.global.quiet);
    let outcome = catch_unwind(AssertUnwindSafe(|| cmd::run(cli, &printer)));
    let err = match outcome {
        Ok(Ok(())) => return ExitCode::SUCCESS,
        Ok(Err(err)) => err,
        Err(payload) if payload.is::<StdoutClosed>() => {
            return ExitCode::from(EXIT_STDOUT_CLOSED);
        }
        Err(_) => {
            let message = LAST_PANIC.lock().ok().and_then(|mut last| last.take());
            anyhow::anyhow!(
                "internal error (this is a bug in medshare, please report it): {}",
                message.unwrap_or_else(|| "unknown panic".into())
            )
        }
    };
    let usage = err.chain().any(|cause| cause.is::<UsageError>());
    // Reporting the error may itself meet a closed stdout (`--json … | head -0`).
    let reported = catch_unwind(AssertUnwindSafe(|| printer.error(&err, usage)));
    match reported {
        Err(_) => ExitCode::from(EXIT_STDOUT_CLOSED),
        Ok(()) if usage => ExitCode::from(EXIT_USAGE),
        Ok(()) => ExitCode::from(EXIT_FAILURE),
    }
}

/// `--help`, `--version` and a wrong command line, as clap renders them; with `--json` a wrong
/// command line is the error envelope, so that scripts always get one JSON document.
fn command_line_error(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let informational = matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    let json = std::env::args_os().any(|arg| arg == "--json");
    if informational || !json {
        let _ = err.print();
        return if informational && err.kind() != ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(EXIT_USAGE)
        };
    }
    let rendered = err.render().to_string();
    // clap's first line is "error: <what>"; the rest is usage and a --help hint.
    let first = rendered.lines().next().unwrap_or_default();
    let message = first.strip_prefix("error: ").unwrap_or(first).to_string();
    let printer = Printer::new(true, false);
    let reported = catch_unwind(AssertUnwindSafe(|| {
        printer.error(&UsageError(message).into(), true);
    }));
    if reported.is_err() {
        return ExitCode::from(EXIT_STDOUT_CLOSED);
    }
    ExitCode::from(EXIT_USAGE)
}

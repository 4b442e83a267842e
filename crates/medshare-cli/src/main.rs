//! `medshare`: privacy-preserving medical record sharing on a consortium chain.
//!
//! The binary is a thin shell: [`args`] declares the command line, [`cmd`] runs each command,
//! and every error reaches the user as one line on stderr (or a JSON object with `--json`)
//! with exit code 1.

mod args;
mod client;
mod cmd;
mod datadir;
mod identity_store;
mod keystore;
mod output;

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    process::ExitCode,
    sync::Mutex,
};

use clap::Parser;

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
    let cli = args::Cli::parse();
    let printer = output::Printer::new(cli.global.json, cli.global.quiet);
    let outcome = catch_unwind(AssertUnwindSafe(|| cmd::run(cli, &printer)));
    let err = match outcome {
        Ok(Ok(())) => return ExitCode::SUCCESS,
        Ok(Err(err)) => err,
        Err(_) => {
            let message = LAST_PANIC.lock().ok().and_then(|mut last| last.take());
            anyhow::anyhow!(
                "internal error (this is a bug in medshare, please report it): {}",
                message.unwrap_or_else(|| "unknown panic".into())
            )
        }
    };
    printer.error(&err);
    ExitCode::FAILURE
}

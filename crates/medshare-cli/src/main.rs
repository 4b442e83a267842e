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

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A panic is a bug, but the user still deserves one line instead of a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error (this is a bug in medshare, please report it): {info}");
    }));
    let cli = args::Cli::parse();
    let printer = output::Printer::new(cli.global.json, cli.global.quiet);
    match cmd::run(cli, &printer) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            printer.error(&err);
            ExitCode::FAILURE
        }
    }
}

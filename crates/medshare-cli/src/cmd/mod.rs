//! One module per command group; [`run`] dispatches.

mod account;
mod chain;
mod consortium;
mod demo;
pub(crate) mod identity;
pub(crate) mod init;

use anyhow::Result;

use crate::{
    args::{Cli, Command, GlobalArgs},
    datadir::DataDir,
    output::Printer,
};

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli, printer: &Printer) -> Result<()> {
    let Cli { global, command } = cli;
    match command {
        Command::Init(args) => init::run(&global, &args, printer),
        Command::Account(cmd) => account::run(&global, cmd, printer),
        Command::Chain(cmd) => chain::run(&global, cmd, printer),
        Command::Consortium(cmd) => consortium::run(&global, cmd, printer),
        Command::Identity(cmd) => identity::run(&global, cmd, printer),
        Command::Demo(args) => demo::run(&global, &args, printer),
    }
}

/// The data directory named by the global options.
fn data_dir(global: &GlobalArgs) -> Result<DataDir> {
    DataDir::resolve(global.data_dir.as_deref())
}

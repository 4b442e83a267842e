//! One module per command group; [`run`] locks the data directory and dispatches.

mod account;
mod chain;
mod consortium;
mod demo;
mod deploy;
pub(crate) mod identity;
pub(crate) mod init;
mod network;
mod node;
pub(crate) use node::serving_node;

use anyhow::Result;

use crate::{
    args::{
        AccountCommand, ChainCommand, Cli, Command, ConsortiumCommand, EpochCommand, GlobalArgs,
        IdentityCommand, NetworkCommand, TraceCommand,
    },
    datadir::{Config, DataDir, Lock},
    output::Printer,
};

/// Runs the parsed command line. A command that changes the data directory (or sends a
/// transaction) holds its exclusive lock from start to end, a read-only one a shared lock, so
/// that parallel commands never interleave their updates.
pub(crate) fn run(cli: Cli, printer: &Printer) -> Result<()> {
    let Cli { global, command } = cli;
    match command {
        // Both build a new directory under a temporary name; there is nothing to lock yet.
        Command::Init(args) => return init::run(&global, &args, printer),
        Command::Demo(args) => return demo::run(&global, &args, printer),
        // A long-running service: it holds the chain, not the data directory.
        Command::Node(args) => return node::run(&global, &args, printer),
        _ => {}
    }
    let data_dir = data_dir(&global)?;
    if is_read_only(&command) {
        let _shared = data_dir.lock_shared()?;
        return dispatch(&global, command, printer, None);
    }
    let lock = data_dir.lock()?;
    dispatch(&global, command, printer, Some(&lock))
}

fn dispatch(
    global: &GlobalArgs,
    command: Command,
    printer: &Printer,
    lock: Option<&Lock>,
) -> Result<()> {
    match command {
        Command::Account(cmd) => account::run(global, cmd, printer, lock),
        Command::Chain(cmd) => chain::run(global, cmd, printer),
        Command::Consortium(cmd) => consortium::run(global, cmd, printer),
        Command::Identity(cmd) => identity::run(global, cmd, printer, lock),
        Command::Deploy(args) => deploy::run(global, &args, printer, lock),
        Command::Network(cmd) => network::run(global, cmd, printer, lock),
        Command::Init(_) | Command::Demo(_) | Command::Node(_) => {
            unreachable!("handled by `run`")
        }
    }
}

/// Commands that only read: they work on a read-only data directory.
const fn is_read_only(command: &Command) -> bool {
    matches!(
        command,
        Command::Account(AccountCommand::List | AccountCommand::Address { .. })
            | Command::Chain(ChainCommand::Status | ChainCommand::Verify)
            | Command::Consortium(ConsortiumCommand::Members | ConsortiumCommand::Proposal { .. })
            | Command::Network(NetworkCommand::List | NetworkCommand::Show { .. })
            | Command::Identity(
                IdentityCommand::Verify { .. }
                    | IdentityCommand::Epoch(EpochCommand::Show)
                    | IdentityCommand::Trace(TraceCommand::Show { .. })
            )
    )
}

/// The data directory named by the global options.
fn data_dir(global: &GlobalArgs) -> Result<DataDir> {
    DataDir::resolve(global.data_dir.as_deref())
}

/// The configuration of `data_dir`, with the network of `--network` (else the default one)
/// selected.
fn config(global: &GlobalArgs, data_dir: &DataDir) -> Result<Config> {
    let mut config = data_dir.config()?;
    config.select(global.network.as_deref())?;
    Ok(config)
}

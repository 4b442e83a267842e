//! One module per command group; [`run`] locks the data directory and dispatches.

mod account;
mod chain;
mod consortium;
mod demo;
pub(crate) mod identity;
pub(crate) mod init;
mod node;
pub(crate) use node::serving_node;

use anyhow::Result;

use crate::{
    args::{
        AccountCommand, ChainCommand, Cli, Command, ConsortiumCommand, EpochCommand, GlobalArgs,
        IdentityCommand, TraceCommand,
    },
    datadir::{DataDir, Lock},
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
        Command::Node(args) => return node::run(&data_dir(&global)?, &args, printer),
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

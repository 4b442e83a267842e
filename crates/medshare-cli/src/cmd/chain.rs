//! `medshare chain`: what the chain looks like from this data directory.

use alloy::primitives::{Address, B256, U256};
use anyhow::{Context, Result};
use medshare_contracts::{Consortium, IdentityRegistry};
use serde::Serialize;

use crate::{
    args::{ChainCommand, GlobalArgs},
    client::Client,
    datadir::{Config, DataDir},
    output::{Printer, plural, utc},
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Status {
    network: String,
    chain_id: u64,
    block_number: u64,
    block_hash: B256,
    block_timestamp: u64,
    contracts: Contracts,
    consortium: ConsortiumStatus,
    identity: IdentityStatus,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IdentityStatus {
    epoch: u64,
    active_key_set: Option<B256>,
    traces: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Contracts {
    consortium: Address,
    identity_registry: Address,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConsortiumStatus {
    members: u64,
    admins: u64,
    threshold: u64,
    proposals: u64,
}

pub(super) fn run(global: &GlobalArgs, cmd: ChainCommand, printer: &Printer) -> Result<()> {
    let data_dir = super::data_dir(global)?;
    match cmd {
        ChainCommand::Status => {
            let config = data_dir.config()?;
            let client = Client::open(&data_dir, &config)?;
            let status = status(&client, &config)?;
            printer.result(&status, || render(&status, &data_dir), status.block_number);
        }
        ChainCommand::Verify => {
            // Opening checks the state and the head; `verify` checks everything else.
            let client = Client::open(&data_dir, &data_dir.config()?)?;
            let Some(chain) = client.embedded_chain() else {
                anyhow::bail!(
                    "a medshare node serves the chain of {}: stop it to check the chain file",
                    data_dir.root().display()
                );
            };
            let report = chain.verify().with_context(|| {
                format!(
                    "verifying the embedded chain in {}",
                    data_dir.chain_dir().display()
                )
            })?;
            let text = || {
                format!(
                    "{} is intact: {}, {} with their receipts, {}, {}, {}\n",
                    data_dir.chain_dir().display(),
                    plural(report.blocks, "block"),
                    plural(report.transactions, "transaction"),
                    plural(report.accounts, "account"),
                    plural(report.storage_slots, "storage slot"),
                    plural(report.code_entries, "contract code"),
                )
            };
            printer.result(&report, text, report.blocks);
        }
    }
    Ok(())
}

pub(super) fn status(client: &Client, config: &Config) -> Result<Status> {
    let head = client.head()?;
    let consortium = config.contracts.consortium;
    let registry = config.contracts.identity_registry;
    Ok(Status {
        network: config.network.clone(),
        chain_id: client.chain_id(),
        block_number: head.number,
        block_hash: head.hash,
        block_timestamp: head.timestamp,
        contracts: Contracts {
            consortium,
            identity_registry: registry,
        },
        consortium: ConsortiumStatus {
            members: count(client.call(consortium, &Consortium::memberCountCall {})?),
            admins: count(client.call(consortium, &Consortium::adminCountCall {})?),
            threshold: count(client.call(consortium, &Consortium::thresholdCall {})?),
            proposals: count(client.call(consortium, &Consortium::proposalCountCall {})?),
        },
        identity: IdentityStatus {
            epoch: client.call(registry, &IdentityRegistry::currentEpochCall {})?,
            active_key_set: Some(client.call(registry, &IdentityRegistry::activeKeySetCall {})?)
                .filter(|k| *k != B256::ZERO),
            traces: count(client.call(registry, &IdentityRegistry::traceCountCall {})?),
        },
    })
}

/// A count the contracts keep in a `uint256` but that never leaves `u64` (it counts
/// transactions).
fn count(value: U256) -> u64 {
    value.saturating_to()
}

pub(super) fn render(status: &Status, data_dir: &DataDir) -> String {
    let c = &status.consortium;
    format!(
        "network      {} ({})\nchain id     {}\nblock        {} at {} ({})\nconsortium   {}\n             {}, {}, {}-of-{} admin approvals, {}\nidentity     {}\n             epoch {}, key set {}, {}\n",
        status.network,
        data_dir.chain_dir().display(),
        status.chain_id,
        status.block_number,
        utc(status.block_timestamp),
        status.block_hash,
        status.contracts.consortium,
        plural(c.members, "member"),
        plural(c.admins, "admin"),
        c.threshold,
        c.admins,
        plural(c.proposals, "proposal"),
        status.contracts.identity_registry,
        status.identity.epoch,
        status.identity.active_key_set.map_or_else(
            || "none (run `medshare identity keygen`)".to_string(),
            |k| k.to_string()
        ),
        plural(status.identity.traces, "trace"),
    )
}

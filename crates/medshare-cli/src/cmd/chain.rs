//! `medshare chain`: what the chain looks like from this data directory.

use alloy::primitives::{Address, B256};
use anyhow::{Context, Result};
use serde::Serialize;

use crate::{
    args::{ChainCommand, GlobalArgs},
    client::Client,
    datadir::{Config, DataDir, Profile},
    output::{Printer, plural, utc},
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Status {
    network: String,
    /// The JSON-RPC endpoint; absent for the embedded chain.
    #[serde(skip_serializing_if = "Option::is_none")]
    rpc_url: Option<String>,
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
            let config = super::config(global, &data_dir)?;
            let client = Client::open(&data_dir, &config)?;
            let status = status(&client, &config)?;
            printer.result(&status, || render(&status, &data_dir), status.block_number);
        }
        ChainCommand::Verify => {
            let config = super::config(global, &data_dir)?;
            if let (
                name,
                Profile {
                    rpc_url: Some(url), ..
                },
            ) = config.network()
            {
                anyhow::bail!(
                    "chain verify checks the file of an embedded chain; network `{name}` is a chain reached at {url}"
                );
            }
            // Opening checks the state and the head; `verify` checks everything else.
            let client = Client::open(&data_dir, &config)?;
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
    let (network, profile) = config.network();
    let consortium = client.consortium()?;
    let registry = client.registry()?;
    Ok(Status {
        network: network.to_string(),
        rpc_url: profile.rpc_url,
        chain_id: client.chain_id(),
        block_number: head.number,
        block_hash: head.hash,
        block_timestamp: head.timestamp,
        contracts: Contracts {
            consortium: consortium.address(),
            identity_registry: registry.address(),
        },
        consortium: ConsortiumStatus {
            members: client.run(consortium.member_count())?,
            admins: client.run(consortium.admin_count())?,
            threshold: client.run(consortium.threshold())?,
            proposals: client.run(consortium.proposal_count())?,
        },
        identity: IdentityStatus {
            epoch: client.run(registry.current_epoch())?,
            active_key_set: client.run(registry.active_key_set())?,
            traces: client.run(registry.trace_count())?,
        },
    })
}

pub(super) fn render(status: &Status, data_dir: &DataDir) -> String {
    let c = &status.consortium;
    format!(
        "network      {} ({})\nchain id     {}\nblock        {} at {} ({})\nconsortium   {}\n             {}, {}, {}-of-{} admin approvals, {}\nidentity     {}\n             epoch {}, key set {}, {}\n",
        status.network,
        status
            .rpc_url
            .clone()
            .unwrap_or_else(|| data_dir.chain_dir().display().to_string()),
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

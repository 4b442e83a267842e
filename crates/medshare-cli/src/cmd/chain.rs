//! `medshare chain`: what the chain looks like from this data directory.

use alloy::primitives::{Address, B256, U256};
use anyhow::Result;
use medshare_contracts::{Consortium, IdentityRegistry};
use serde::Serialize;

use crate::{
    args::{ChainCommand, GlobalArgs},
    client::Client,
    datadir::{Config, DataDir},
    output::{Printer, plural},
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
    }
    Ok(())
}

pub(super) fn status(client: &Client, config: &Config) -> Result<Status> {
    let head = client.chain().head();
    let consortium = config.contracts.consortium;
    let registry = config.contracts.identity_registry;
    Ok(Status {
        network: config.network.clone(),
        chain_id: client.chain().chain_id(),
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

/// `YYYY-MM-DD HH:MM:SS UTC` for a Unix timestamp (proleptic Gregorian calendar).
pub(super) fn utc(timestamp: u64) -> String {
    let (days, secs) = (timestamp / 86_400, timestamp % 86_400);
    // Howard Hinnant's civil_from_days, shifted so that eras start on 0000-03-01.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn formats_known_timestamps() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_795_788_000), "2026-11-27 14:00:00 UTC");
    }
}

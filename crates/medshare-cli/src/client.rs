//! Talking to the chain: typed calls and signed transactions through `medshare_chain::Network`,
//! the same client on every network. On the embedded network the data directory's chain runs
//! in this process; while a `medshare node` serves it, commands go through the node.

use std::{cell::Cell, future::IntoFuture, path::PathBuf};

use alloy::{eips::BlockNumberOrTag, primitives::B256, providers::Provider};
use anyhow::{Context, Result, bail};
use medshare_chain::{
    Consortium, Deployment, Error as NetworkError, FeePolicy, IdentityRegistry, Network,
    Result as NetworkResult, Revert,
};
use medshare_evm::{Chain, Error as ChainError};

use crate::{
    datadir::{Config, DataDir, Profile},
    output::ContractError,
    revert,
};

/// Why a client made to deploy has no contracts.
const NOT_DEPLOYED: &str = "internal error: the contracts are used before they are deployed";

/// How long a command waits for another process to release the embedded chain.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A connection to the chain of a data directory.
pub(crate) struct Client {
    runtime: tokio::runtime::Runtime,
    network: Network,
    /// The contracts `config.json` names, checked against their artifacts when a command first
    /// uses them; why there are none, before they are deployed.
    contracts: std::result::Result<Configured, String>,
}

/// The latest block, as a command shows it.
pub(crate) struct Head {
    pub(crate) number: u64,
    pub(crate) hash: B256,
    pub(crate) timestamp: u64,
}

/// Where the chain of a data directory is.
pub(crate) enum Opened {
    /// Opened by this process.
    Chain(Box<Chain>),
    /// Held by a `medshare node` serving it at this URL.
    Node { url: String, pid: u32 },
}

/// The deployment a data directory's `config.json` records for the network.
struct Configured {
    deployment: Deployment,
    config_path: PathBuf,
    /// Whether their code was found to be medshare's during this command.
    checked: Cell<bool>,
}

/// Opens the chain of `data_dir`, or finds the node that holds it.
///
/// Another medshare process may hold the chain for the length of one command; this waits up to
/// [`LOCK_WAIT`] for it before giving up.
pub(crate) fn open_chain(data_dir: &DataDir) -> Result<Opened> {
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    let opened = loop {
        match Chain::open(data_dir.chain_dir()) {
            // A node holds the chain for as long as it runs: go through it.
            Err(err) if err.is_locked() => {
                if let Some((url, pid)) = crate::cmd::serving_node(data_dir) {
                    return Ok(Opened::Node { url, pid });
                }
                if std::time::Instant::now() >= deadline {
                    break Err(err);
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            other => break other,
        }
    };
    // A data directory this process may only read (its owner's, a read-only mount) still
    // answers read-only commands.
    let opened = match opened {
        Err(err) if err.is_not_writable() => Chain::open_read_only(data_dir.chain_dir()),
        other => other,
    };
    opened.map(|chain| Opened::Chain(Box::new(chain))).map_err(|err| match err {
        ChainError::Locked { .. } => anyhow::anyhow!(
            "the embedded chain in {} is still in use by another medshare process after {} s; try again when it has finished",
            data_dir.root().display(),
            LOCK_WAIT.as_secs()
        ),
        ChainError::NotFound { .. } => anyhow::anyhow!(
            "{} has no embedded chain; was it initialised for another network?",
            data_dir.root().display()
        ),
        other => anyhow::Error::new(other)
            .context(format!("opening the embedded chain in {}", data_dir.root().display())),
    })
}

impl Client {
    /// Connects to the network `config` selected for this command: the chain of `data_dir`
    /// in this process (or through the `medshare node` that serves it), or a JSON-RPC endpoint.
    pub(crate) fn open(data_dir: &DataDir, config: &Config) -> Result<Self> {
        let (name, profile) = config.network();
        let mut client = match &profile.rpc_url {
            Some(_) => Self::connect(name, &profile)?,
            None => {
                let runtime = runtime()?;
                let network = match open_chain(data_dir)? {
                    Opened::Chain(chain) => runtime.block_on(Network::embedded(*chain))?,
                    Opened::Node { url, pid } => runtime
                        .block_on(Network::http(&url, profile.chain_id, FeePolicy::Free))
                        .with_context(|| {
                            format!("reaching the medshare node (pid {pid}) at {url}")
                        })?,
                };
                if let Some(expected) = profile.chain_id.filter(|id| *id != network.chain_id()) {
                    bail!(
                        "the embedded chain in {} has chain id {}, but {} records {expected}",
                        data_dir.root().display(),
                        network.chain_id(),
                        data_dir.config_path().display()
                    );
                }
                Self {
                    runtime,
                    network,
                    contracts: Err(NOT_DEPLOYED.into()),
                }
            }
        };
        client.contracts = config
            .deployment()
            .map(|deployment| Configured {
                deployment,
                config_path: data_dir.config_path(),
                checked: Cell::new(false),
            })
            .map_err(|missing| format!("{missing:#}"));
        Ok(client)
    }

    /// Connects to the JSON-RPC endpoint of profile `name`, checking its chain id; no contract
    /// is known yet.
    pub(crate) fn connect(name: &str, profile: &Profile) -> Result<Self> {
        let url = profile
            .rpc_url
            .as_deref()
            .context("internal error: connecting to a network without an RPC URL")?;
        let runtime = runtime()?;
        let network = runtime
            .block_on(Network::http(url, profile.chain_id, profile.fees.into()))
            .with_context(|| format!("reaching network `{name}` at {url}"))?
            .with_log_range(profile.log_range);
        Ok(Self {
            runtime,
            network,
            contracts: Err(NOT_DEPLOYED.into()),
        })
    }

    /// A client for a chain that has no configured contracts yet (`init` deploys them).
    pub(crate) fn from_chain(chain: Chain) -> Result<Self> {
        let runtime = runtime()?;
        let network = runtime.block_on(Network::embedded(chain))?;
        Ok(Self {
            runtime,
            network,
            contracts: Err(NOT_DEPLOYED.into()),
        })
    }

    /// The network, for the contract wrappers and deployments of `medshare_chain`.
    pub(crate) const fn network(&self) -> &Network {
        &self.network
    }

    /// The chain id, checked on connect.
    pub(crate) const fn chain_id(&self) -> u64 {
        self.network.chain_id()
    }

    /// Runs a request of `medshare_chain` to completion; a contract's refusal becomes its
    /// sentence.
    pub(crate) fn run<T>(&self, request: impl Future<Output = NetworkResult<T>>) -> Result<T> {
        self.runtime
            .block_on(request)
            .map_err(|err| self.failure(err))
    }

    /// The data directory's `Consortium`, its code checked once per command.
    pub(crate) fn consortium(&self) -> Result<Consortium<'_>> {
        let contracts = self.checked_contracts()?;
        Ok(Consortium::new(
            &self.network,
            contracts.deployment.contracts.consortium,
            contracts.deployment.block,
        ))
    }

    /// The data directory's `IdentityRegistry`, its code checked once per command.
    pub(crate) fn registry(&self) -> Result<IdentityRegistry<'_>> {
        let contracts = self.checked_contracts()?;
        Ok(IdentityRegistry::new(
            &self.network,
            contracts.deployment.contracts.identity_registry,
            contracts.deployment.block,
        ))
    }

    /// The latest block.
    pub(crate) fn head(&self) -> Result<Head> {
        let block = self
            .runtime
            .block_on(
                self.network
                    .provider()
                    .get_block_by_number(BlockNumberOrTag::Latest)
                    .into_future(),
            )
            .map_err(|err| anyhow::anyhow!("reading the latest block: {err}"))?
            .context("the chain has no latest block")?;
        Ok(Head {
            number: block.header.number,
            hash: block.header.hash,
            timestamp: block.header.timestamp,
        })
    }

    /// The chain behind an embedded connection (`None` through a node).
    pub(crate) fn embedded_chain(&self) -> Option<std::sync::MutexGuard<'_, Chain>> {
        self.network.embedded_chain().map(|chain| {
            chain
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        })
    }

    /// The configured contracts, once their code is known to be medshare's: pointed at another
    /// chain, views would quietly find nothing and transactions would be mined before failing.
    fn checked_contracts(&self) -> Result<&Configured> {
        let contracts = self
            .contracts
            .as_ref()
            .map_err(|missing| anyhow::anyhow!("{missing}"))?;
        let path = contracts.config_path.display();
        if contracts.deployment.chain_id != self.chain_id() {
            bail!(
                "the deployment in {path} is on chain {}, but the endpoint serves chain {}",
                contracts.deployment.chain_id,
                self.chain_id()
            );
        }
        if contracts.checked.get() {
            return Ok(contracts);
        }
        for (contract, address) in contracts.deployment.contracts.each() {
            match self
                .runtime
                .block_on(self.network.check_code(contract, address))
            {
                Ok(()) => {}
                Err(NetworkError::NoCode { contract, address }) => bail!(
                    "the {contract} address {address} in {path} holds no contract code; was the data directory initialised against another chain?"
                ),
                Err(NetworkError::WrongCode {
                    contract,
                    address,
                    length,
                }) => bail!(
                    "the {contract} address {address} in {path} holds code that is not medshare's {contract} ({length} bytes); was it deployed by another medshare version, or is the chain corrupt?"
                ),
                Err(other) => return Err(self.failure(other)),
            }
        }
        contracts.checked.set(true);
        Ok(contracts)
    }

    /// A failure of the network as an error: a contract's refusal becomes its sentence.
    fn failure(&self, err: NetworkError) -> anyhow::Error {
        let Some(revert) = err.revert() else {
            return anyhow::Error::new(err);
        };
        let refusal = anyhow::Error::new(self.refusal(&revert));
        match err {
            NetworkError::Reverted {
                transaction: Some(hash),
                ..
            } => refusal.context(format!("transaction {hash} reverted")),
            _ => refusal,
        }
    }

    /// A contract's refusal as an error.
    fn refusal(&self, revert: &Revert) -> ContractError {
        // "Now" as the chain sees it (the time the next block runs at), for errors carrying a
        // deadline.
        let wall_clock = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let now = self
            .head()
            .map_or(wall_clock, |head| wall_clock.max(head.timestamp + 1));
        ContractError {
            name: revert.name(),
            message: revert::explain(revert, now),
        }
    }
}

/// The runtime the network client runs on: one thread, as commands run one call at a time.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the I/O runtime")
}

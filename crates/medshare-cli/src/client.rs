//! Talking to the chain: typed calls and signed transactions through `medshare_chain::Network`,
//! the same client on every network. On the embedded network the data directory's chain runs
//! in this process; while a `medshare node` serves it, commands go through the node.

use std::{cell::Cell, future::IntoFuture, path::PathBuf};

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, B256, Bytes},
    providers::Provider,
    rpc::types::{Filter, TransactionReceipt},
    signers::local::PrivateKeySigner,
    sol_types::{SolCall, SolEvent},
};
use anyhow::{Context, Result, bail};
use medshare_chain::{Error as NetworkError, FeePolicy, Network};
use medshare_contracts::Contract;
use medshare_evm::{Chain, Error as ChainError, Log, LogFilter, Receipt};

use crate::{
    datadir::{Config, DataDir},
    output::ContractError,
    revert,
};

/// How long a command waits for another process to release the embedded chain.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A connection to the chain of a data directory.
pub(crate) struct Client {
    runtime: tokio::runtime::Runtime,
    network: Network,
    /// The contracts `config.json` names, each checked against its artifact when a command
    /// first uses it.
    configured: Vec<Configured>,
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

/// A contract address from a data directory's `config.json`.
struct Configured {
    contract: Contract,
    address: Address,
    config_path: PathBuf,
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
    /// Connects to the chain of `data_dir`, whose configuration is `config`: in this process,
    /// or through the `medshare node` that serves it.
    pub(crate) fn open(data_dir: &DataDir, config: &Config) -> Result<Self> {
        let runtime = runtime()?;
        let network = match open_chain(data_dir)? {
            Opened::Chain(chain) => runtime.block_on(Network::embedded(*chain))?,
            Opened::Node { url, pid } => runtime
                .block_on(Network::http(&url, Some(config.chain_id), FeePolicy::Free))
                .with_context(|| format!("reaching the medshare node (pid {pid}) at {url}"))?,
        };
        let configured = [
            (Contract::Consortium, config.contracts.consortium),
            (
                Contract::IdentityRegistry,
                config.contracts.identity_registry,
            ),
        ]
        .map(|(contract, address)| Configured {
            contract,
            address,
            config_path: data_dir.config_path(),
            checked: Cell::new(false),
        });
        Ok(Self {
            runtime,
            network,
            configured: configured.into(),
        })
    }

    /// A client for a chain that has no configured contracts yet (`init` deploys them).
    pub(crate) fn from_chain(chain: Chain) -> Result<Self> {
        let runtime = runtime()?;
        let network = runtime.block_on(Network::embedded(chain))?;
        Ok(Self {
            runtime,
            network,
            configured: Vec::new(),
        })
    }

    /// The chain id, checked on connect.
    pub(crate) const fn chain_id(&self) -> u64 {
        self.network.chain_id()
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

    /// Calls a view function.
    pub(crate) fn call<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return> {
        self.check_code(to)?;
        self.runtime
            .block_on(self.network.call(to, call))
            .map_err(|err| self.failure(err))
            .with_context(|| format!("calling {}", C::SIGNATURE))
    }

    /// Signs and sends a call of `call` on `to`; fails, with the decoded custom error, if it
    /// would revert or reverted.
    pub(crate) fn send<C: SolCall>(
        &mut self,
        signer: &PrivateKeySigner,
        to: Address,
        call: &C,
    ) -> Result<Receipt> {
        self.check_code(to)?;
        let receipt = self
            .runtime
            .block_on(self.network.send(signer, to, call))
            .map_err(|err| self.failure(err))
            .with_context(|| format!("sending {}", function_name::<C>()))?;
        Ok(receipt_of(&receipt))
    }

    /// Signs and sends a contract creation.
    pub(crate) fn deploy(&mut self, signer: &PrivateKeySigner, code: Bytes) -> Result<Address> {
        let receipt = self
            .runtime
            .block_on(self.network.deploy(signer, code))
            .map_err(|err| self.failure(err))
            .context("deploying a contract")?;
        receipt
            .contract_address
            .context("the deployment created no contract")
    }

    /// The logs matching `filter`.
    pub(crate) fn logs(&self, filter: &LogFilter) -> Result<Vec<Log>> {
        for address in &filter.addresses {
            self.check_code(*address)?;
        }
        let mut query = Filter::new().address(filter.addresses.clone());
        query = query.from_block(filter.from_block.unwrap_or(0));
        if let Some(to) = filter.to_block {
            query = query.to_block(to);
        }
        for (position, alternatives) in filter.topics.iter().enumerate().take(4) {
            query.topics[position] = alternatives.clone().into();
        }
        let logs = self
            .runtime
            .block_on(self.network.provider().get_logs(&query))
            .map_err(|err| anyhow::anyhow!("reading logs: {err}"))?;
        Ok(logs.iter().map(log_of).collect())
    }

    /// Refuses a configured address whose code is not the contract `config.json` says it is:
    /// pointed at another chain, views would quietly find nothing and transactions would be
    /// mined before failing. Checked once per contract and command.
    fn check_code(&self, address: Address) -> Result<()> {
        for configured in &self.configured {
            if configured.address != address || configured.checked.get() {
                continue;
            }
            let code = self
                .runtime
                .block_on(self.network.provider().get_code_at(address).into_future())
                .map_err(|err| anyhow::anyhow!("reading the code at {address}: {err}"))?;
            let name = configured.contract.name();
            let path = configured.config_path.display();
            if code.is_empty() {
                bail!(
                    "the {name} address {address} in {path} holds no contract code; was the data directory initialised against another chain?"
                );
            }
            if !configured.contract.matches_runtime_code(&code) {
                bail!(
                    "the {name} address {address} in {path} holds code that is not medshare's {name} ({} bytes); was it deployed by another medshare version, or is the chain corrupt?",
                    code.len()
                );
            }
            configured.checked.set(true);
        }
        Ok(())
    }

    /// A failure of the network as an error: a contract's refusal becomes its sentence.
    fn failure(&self, err: NetworkError) -> anyhow::Error {
        match err {
            NetworkError::Reverted { data, transaction } => {
                let refusal = anyhow::Error::new(self.refusal(&data));
                match transaction {
                    Some(hash) => refusal.context(format!("transaction {hash} reverted")),
                    None => refusal,
                }
            }
            other => anyhow::Error::new(other),
        }
    }

    /// A contract's revert data as an error.
    fn refusal(&self, output: &[u8]) -> ContractError {
        // "Now" as the chain sees it (the time the next block runs at), for errors carrying a
        // deadline.
        let wall_clock = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let now = self
            .head()
            .map_or(wall_clock, |head| wall_clock.max(head.timestamp + 1));
        let explained = revert::explain(output, now);
        ContractError {
            name: explained.name,
            message: explained.message,
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

/// A JSON-RPC receipt in the shape commands read.
fn receipt_of(receipt: &TransactionReceipt) -> Receipt {
    Receipt {
        transaction_hash: receipt.transaction_hash,
        transaction_index: receipt.transaction_index.unwrap_or_default(),
        block_number: receipt.block_number.unwrap_or_default(),
        block_hash: receipt.block_hash.unwrap_or_default(),
        from: receipt.from,
        to: receipt.to,
        contract_address: receipt.contract_address,
        status: receipt.status(),
        gas_used: receipt.gas_used,
        cumulative_gas_used: receipt.inner.cumulative_gas_used(),
        effective_gas_price: receipt.effective_gas_price,
        logs: receipt.inner.logs().iter().map(log_of).collect(),
        // Nodes keep no return data in receipts.
        output: Bytes::new(),
    }
}

fn log_of(log: &alloy::rpc::types::Log) -> Log {
    Log {
        address: log.address(),
        topics: log.topics().to_vec(),
        data: log.data().data.clone(),
        block_number: log.block_number.unwrap_or_default(),
        block_hash: log.block_hash.unwrap_or_default(),
        transaction_hash: log.transaction_hash.unwrap_or_default(),
        transaction_index: log.transaction_index.unwrap_or_default(),
        log_index: log.log_index.unwrap_or_default(),
    }
}

/// `propose` for `propose(uint8,address,uint256,bytes32)`.
fn function_name<C: SolCall>() -> &'static str {
    C::SIGNATURE
        .split_once('(')
        .map_or(C::SIGNATURE, |(name, _)| name)
}

/// The first event of type `E` among `logs`.
pub(crate) fn first_event<E: SolEvent>(logs: &[medshare_evm::Log]) -> Option<E> {
    logs.iter()
        .filter(|log| log.topics.first() == Some(&E::SIGNATURE_HASH))
        .find_map(|log| E::decode_raw_log(log.topics.iter().copied(), &log.data).ok())
}

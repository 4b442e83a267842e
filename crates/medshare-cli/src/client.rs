//! Talking to the chain: signed transactions and typed calls on the embedded network.

use std::{cell::Cell, path::PathBuf};

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::Encodable2718,
    primitives::{Address, Bytes, TxKind, U256},
    signers::{SignerSync, local::PrivateKeySigner},
    sol_types::{SolCall, SolEvent},
};
use anyhow::{Context, Result, bail};
use medshare_contracts::Contract;
use medshare_evm::{CallRequest, Chain, Error as ChainError, Log, LogFilter, Receipt};

use crate::{
    datadir::{Config, DataDir},
    output::ContractError,
    revert,
};

/// Headroom over the estimated gas: the state can change between estimate and inclusion.
const GAS_HEADROOM_PERCENT: u64 = 20;

/// How long a command waits for another process to release the embedded chain.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A connection to the chain of a data directory.
pub(crate) struct Client {
    chain: Chain,
    /// The contracts `config.json` names, each checked against its artifact when a command
    /// first uses it.
    configured: Vec<Configured>,
}

/// A contract address from a data directory's `config.json`.
struct Configured {
    contract: Contract,
    address: Address,
    config_path: PathBuf,
    checked: Cell<bool>,
}

impl Client {
    /// Opens the embedded chain of `data_dir`, whose configuration is `config`.
    ///
    /// Another medshare process may hold the chain for the length of one command; this waits up
    /// to [`LOCK_WAIT`] for it before giving up.
    pub(crate) fn open(data_dir: &DataDir, config: &Config) -> Result<Self> {
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        let opened = loop {
            match Chain::open(data_dir.chain_dir()) {
                // A node holds the chain for as long as it runs: waiting would not help.
                Err(err) if err.is_locked() => {
                    if let Some((url, pid)) = crate::cmd::serving_node(data_dir) {
                        bail!(
                            "the embedded chain in {} is being served by `medshare node` (pid {pid}) at {url}; use that JSON-RPC endpoint (e.g. with cast), or stop the node to run medshare commands here",
                            data_dir.root().display()
                        );
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
        let chain = opened.map_err(|err| match err {
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
        })?;
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
            chain,
            configured: configured.into(),
        })
    }

    /// A client for a chain that has no configured contracts yet (`init` deploys them).
    pub(crate) const fn from_chain(chain: Chain) -> Self {
        Self {
            chain,
            configured: Vec::new(),
        }
    }

    /// The chain, for a service that serves it to others (`medshare node`).
    pub(crate) fn into_chain(self) -> Chain {
        self.chain
    }

    pub(crate) const fn chain(&self) -> &Chain {
        &self.chain
    }

    /// Calls a view function.
    pub(crate) fn call<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return> {
        self.check_code(to)?;
        let outcome = self
            .chain
            .call(&CallRequest::new(Address::ZERO, to, call.abi_encode()))
            .with_context(|| format!("calling {}", C::SIGNATURE))?;
        if !outcome.success {
            return Err(self.refusal(&outcome.output).into());
        }
        C::abi_decode_returns(&outcome.output)
            .with_context(|| format!("decoding the result of {}", C::SIGNATURE))
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
        self.transact(signer, Some(to), call.abi_encode().into())
            .with_context(|| format!("sending {}", function_name::<C>()))
    }

    /// Signs and sends a contract creation.
    pub(crate) fn deploy(&mut self, signer: &PrivateKeySigner, code: Bytes) -> Result<Address> {
        let receipt = self
            .transact(signer, None, code)
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
        Ok(self.chain.logs(filter)?)
    }

    /// Refuses a configured address whose code is not the contract `config.json` says it is:
    /// pointed at another chain, views would quietly find nothing and transactions would be
    /// mined before failing. Checked once per contract and command.
    fn check_code(&self, address: Address) -> Result<()> {
        for configured in &self.configured {
            if configured.address != address || configured.checked.get() {
                continue;
            }
            let code = self.chain.code(address);
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

    fn transact(
        &mut self,
        signer: &PrivateKeySigner,
        to: Option<Address>,
        input: Bytes,
    ) -> Result<Receipt> {
        let from = signer.address();
        let request = CallRequest {
            from,
            to,
            data: input.clone(),
            ..Default::default()
        };
        // Estimating first turns a revert into an error before anything is signed or mined.
        let estimate = self.chain.estimate_gas(&request).map_err(|err| match err {
            ChainError::Reverted(output) => self.refusal(&output).into(),
            other => anyhow::Error::new(other),
        })?;
        let mut tx = TxEip1559 {
            chain_id: self.chain.chain_id(),
            nonce: self.chain.nonce(from),
            gas_limit: estimate + estimate * GAS_HEADROOM_PERCENT / 100,
            // The consortium chain charges no gas (Besu: zeroBaseFee, min-gas-price 0).
            max_fee_per_gas: 0,
            max_priority_fee_per_gas: 0,
            to: to.map_or(TxKind::Create, TxKind::Call),
            value: U256::ZERO,
            input,
            ..Default::default()
        };
        let signature = signer
            .sign_hash_sync(&tx.signature_hash())
            .context("signing")?;
        let raw = TxEnvelope::from(std::mem::take(&mut tx).into_signed(signature)).encoded_2718();
        let receipt = self.chain.send_raw_transaction(&raw)?;
        if !receipt.status {
            return Err(anyhow::Error::new(self.refusal(&receipt.output))
                .context(format!("transaction {} reverted", receipt.transaction_hash)));
        }
        Ok(receipt)
    }

    /// A contract's revert data as an error.
    fn refusal(&self, output: &[u8]) -> ContractError {
        // "Now" as the chain sees it (the time a call runs at), for errors carrying a deadline.
        let explained = revert::explain(output, self.chain.next_timestamp());
        ContractError {
            name: explained.name,
            message: explained.message,
        }
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

//! Talking to the chain: signed transactions and typed calls on the embedded network.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::Encodable2718,
    primitives::{Address, Bytes, TxKind, U256},
    signers::{SignerSync, local::PrivateKeySigner},
    sol_types::{SolCall, SolEvent},
};
use anyhow::{Context, Result};
use medshare_evm::{CallRequest, Chain, Error as ChainError, Receipt};

use crate::{datadir::DataDir, output::ContractError, revert};

/// Headroom over the estimated gas: the state can change between estimate and inclusion.
const GAS_HEADROOM_PERCENT: u64 = 20;

/// How long a command waits for another process to release the embedded chain.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A connection to the chain of a data directory.
pub(crate) struct Client {
    chain: Chain,
}

impl Client {
    /// Opens the embedded chain of `data_dir`.
    ///
    /// Another medshare process may hold the chain for the length of one command; this waits up
    /// to [`LOCK_WAIT`] for it before giving up.
    pub(crate) fn open(data_dir: &DataDir) -> Result<Self> {
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        let opened = loop {
            match Chain::open(data_dir.chain_dir()) {
                Err(err) if err.is_locked() && std::time::Instant::now() < deadline => {
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
        Ok(Self { chain })
    }

    pub(crate) const fn from_chain(chain: Chain) -> Self {
        Self { chain }
    }

    pub(crate) const fn chain(&self) -> &Chain {
        &self.chain
    }

    /// Calls a view function.
    pub(crate) fn call<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return> {
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
            ChainError::Rejected(_) => match self.chain.call(&request) {
                Ok(outcome) if !outcome.success => self.refusal(&outcome.output).into(),
                _ => anyhow::Error::new(err),
            },
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

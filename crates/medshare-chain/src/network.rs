//! A connection to one chain, the same for every network.

#[cfg(feature = "embedded")]
use std::sync::{Arc, Mutex};
use std::{num::NonZeroU64, time::Duration};

use alloy::{
    network::{EthereumWallet, NetworkTransactionBuilder, TransactionBuilder},
    primitives::{Address, B256, Bytes},
    providers::{Provider, RootProvider},
    rpc::{
        client::RpcClient,
        types::{Filter, Log, TransactionReceipt, TransactionRequest},
    },
    signers::local::PrivateKeySigner,
    sol_types::{SolCall, SolEvent},
};
use medshare_contracts::Contract;
#[cfg(feature = "embedded")]
use medshare_evm::{Chain, rpc::Mining};

#[cfg(feature = "embedded")]
use crate::InProcess;
use crate::{Error, Result};

/// Headroom over the estimated gas: the state can change between estimate and inclusion.
const GAS_HEADROOM_PERCENT: u64 = 20;
/// How often a sent transaction's receipt is asked for, and for how long.
const RECEIPT_POLL: Duration = Duration::from_millis(100);
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long connecting may take before the endpoint counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What a transaction pays for gas: a network difference kept as data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeePolicy {
    /// A consortium chain without fees (Besu `zeroBaseFee` with `min-gas-price` 0, the embedded
    /// chain): fee fields are zero, so accounts need no balance.
    Free,
    /// Fees as the node estimates them (anvil, public networks).
    Market,
}

/// One chain, reached through an alloy provider.
#[derive(Debug)]
pub struct Network {
    provider: RootProvider,
    chain_id: u64,
    fees: FeePolicy,
    /// Most blocks one `eth_getLogs` may span (Besu's `--rpc-max-logs-range`); `None` for no
    /// limit.
    log_range: Option<NonZeroU64>,
    #[cfg(feature = "embedded")]
    embedded: Option<InProcess>,
}

/// Logs of one event of one contract over a block range: what medshare asks of a chain.
#[derive(Clone, Debug)]
pub struct EventQuery {
    address: Address,
    topics: [Option<B256>; 4],
    from_block: u64,
    to_block: Option<u64>,
}

impl EventQuery {
    /// Events with signature hash `event` emitted by `address`, from genesis to the latest block.
    pub const fn new(address: Address, event: B256) -> Self {
        Self {
            address,
            topics: [Some(event), None, None, None],
            from_block: 0,
            to_block: None,
        }
    }

    /// Only events whose indexed topic `position` (1 to 3) is `value`.
    #[must_use]
    pub const fn topic(mut self, position: usize, value: B256) -> Self {
        if position > 0 && position < 4 {
            self.topics[position] = Some(value);
        }
        self
    }

    /// Starting at block `number` (a deployment block: nothing earlier can match).
    #[must_use]
    pub const fn from_block(mut self, number: u64) -> Self {
        self.from_block = number;
        self
    }

    /// Up to block `number`, inclusive.
    #[must_use]
    pub const fn to_block(mut self, number: u64) -> Self {
        self.to_block = Some(number);
        self
    }

    fn filter(&self, from: u64, to: u64) -> Filter {
        let mut filter = Filter::new()
            .address(self.address)
            .from_block(from)
            .to_block(to);
        for (position, topic) in self.topics.iter().enumerate() {
            if let Some(topic) = topic {
                filter.topics[position] = (*topic).into();
            }
        }
        filter
    }
}

/// The first event of type `E` in `receipt`; [`Error::MissingEvent`] if there is none.
pub(crate) fn event<E: SolEvent>(receipt: &TransactionReceipt) -> Result<E> {
    decoded::<E>(receipt.inner.logs())
        .next()
        .ok_or(Error::MissingEvent {
            event: event_name::<E>(),
            transaction: receipt.transaction_hash,
        })
}

/// The events of type `E` among `logs`, in order; logs of other events are skipped.
pub(crate) fn decoded<E: SolEvent>(logs: &[Log]) -> impl Iterator<Item = E> + '_ {
    logs.iter()
        .filter(|log| log.topics().first() == Some(&E::SIGNATURE_HASH))
        .filter_map(|log| E::decode_raw_log(log.topics().iter().copied(), &log.data().data).ok())
}

/// `ProposalApproved` for `ProposalApproved(uint256,address,uint32)`.
fn event_name<E: SolEvent>() -> &'static str {
    E::SIGNATURE
        .split_once('(')
        .map_or(E::SIGNATURE, |(name, _)| name)
}

impl Network {
    /// The embedded chain, in this process; each transaction is mined when sent.
    #[cfg(feature = "embedded")]
    pub async fn embedded(chain: Chain) -> Result<Self> {
        let transport = InProcess::new(chain, Mining::Instant);
        let provider = RootProvider::new(RpcClient::new(transport.clone(), true));
        let mut network = Self::connect(provider, None, FeePolicy::Free).await?;
        network.embedded = Some(transport);
        Ok(network)
    }

    /// A JSON-RPC endpoint over HTTP (a `medshare node`, anvil, Besu); fails with
    /// [`Error::WrongChain`] if it serves another chain than `expected_chain_id`.
    pub async fn http(url: &str, expected_chain_id: Option<u64>, fees: FeePolicy) -> Result<Self> {
        let url = url
            .parse()
            .map_err(|err| Error::Transport(format!("{url} is not a URL: {err}")))?;
        let provider = RootProvider::new(RpcClient::new_http(url));
        Self::connect(provider, expected_chain_id, fees).await
    }

    async fn connect(
        provider: RootProvider,
        expected_chain_id: Option<u64>,
        fees: FeePolicy,
    ) -> Result<Self> {
        let chain_id = tokio::time::timeout(CONNECT_TIMEOUT, provider.get_chain_id())
            .await
            .map_err(|_| {
                Error::Transport(format!(
                    "no answer to eth_chainId within {} s",
                    CONNECT_TIMEOUT.as_secs()
                ))
            })?
            .map_err(Error::from_rpc)?;
        if let Some(expected) = expected_chain_id.filter(|expected| *expected != chain_id) {
            return Err(Error::WrongChain {
                expected,
                found: chain_id,
            });
        }
        Ok(Self {
            provider,
            chain_id,
            fees,
            log_range: None,
            #[cfg(feature = "embedded")]
            embedded: None,
        })
    }

    /// Splits event queries into requests of at most `blocks` blocks each, for nodes that limit
    /// the range of `eth_getLogs`.
    #[must_use]
    pub const fn with_log_range(mut self, blocks: Option<NonZeroU64>) -> Self {
        self.log_range = blocks;
        self
    }

    /// The logs `query` matches, in chain order, asked for in pages of the log range.
    pub async fn logs(&self, query: &EventQuery) -> Result<Vec<Log>> {
        let to = match query.to_block {
            Some(to) => to,
            None => self.block_number().await?,
        };
        let page = self.log_range.map_or(u64::MAX, NonZeroU64::get);
        let mut logs = Vec::new();
        let mut from = query.from_block;
        while from <= to {
            let last = from.saturating_add(page - 1).min(to);
            logs.extend(
                self.provider
                    .get_logs(&query.filter(from, last))
                    .await
                    .map_err(Error::from_rpc)?,
            );
            if last == u64::MAX {
                break;
            }
            from = last + 1;
        }
        Ok(logs)
    }

    /// Fails unless `address` holds the committed runtime code of `contract` (immutables aside):
    /// pointed at another chain, views would quietly find nothing and transactions would be
    /// mined before failing.
    pub async fn check_code(&self, contract: Contract, address: Address) -> Result<()> {
        let code = self
            .provider
            .get_code_at(address)
            .await
            .map_err(Error::from_rpc)?;
        if code.is_empty() {
            return Err(Error::NoCode {
                contract: contract.name(),
                address,
            });
        }
        if !contract.matches_runtime_code(&code) {
            return Err(Error::WrongCode {
                contract: contract.name(),
                address,
                length: code.len(),
            });
        }
        Ok(())
    }

    /// The EIP-155 chain id, checked on connect.
    pub const fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The chain itself, on the embedded network only (to check its file, for instance).
    #[cfg(feature = "embedded")]
    pub fn embedded_chain(&self) -> Option<&Arc<Mutex<Chain>>> {
        self.embedded.as_ref().map(InProcess::chain)
    }

    /// The provider, for queries this type does not wrap.
    pub const fn provider(&self) -> &RootProvider {
        &self.provider
    }

    /// Number of the latest block.
    pub async fn block_number(&self) -> Result<u64> {
        self.provider
            .get_block_number()
            .await
            .map_err(Error::from_rpc)
    }

    /// Calls a view function of `to` (`eth_call` at the latest block).
    pub async fn call<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return> {
        let request = TransactionRequest::default()
            .with_to(to)
            .with_input(call.abi_encode());
        let output = self.provider.call(request).await.map_err(Error::from_rpc)?;
        C::abi_decode_returns(&output).map_err(|err| Error::Decode {
            function: C::SIGNATURE,
            reason: err.to_string(),
        })
    }

    /// Signs `call` of `to` with `signer`, sends it and waits for its receipt.
    ///
    /// A call the contract refuses fails at the gas estimate, before anything is signed, with
    /// [`Error::Reverted`] and the revert data; one that reverts once mined is replayed with
    /// `eth_call` to recover its revert data (nodes keep none in receipts).
    pub async fn send<C: SolCall>(
        &self,
        signer: &PrivateKeySigner,
        to: Address,
        call: &C,
    ) -> Result<TransactionReceipt> {
        self.transact(signer, Some(to), call.abi_encode().into())
            .await
    }

    /// Signs and sends a contract creation with `code` (creation code and constructor
    /// arguments); returns the receipt, which names the new contract.
    pub async fn deploy(
        &self,
        signer: &PrivateKeySigner,
        code: Bytes,
    ) -> Result<TransactionReceipt> {
        self.transact(signer, None, code).await
    }

    async fn transact(
        &self,
        signer: &PrivateKeySigner,
        to: Option<Address>,
        input: Bytes,
    ) -> Result<TransactionReceipt> {
        let from = signer.address();
        let mut request = TransactionRequest::default()
            .with_from(from)
            .with_input(input)
            .with_chain_id(self.chain_id);
        request = match to {
            Some(to) => request.with_to(to),
            None => request.into_create(),
        };
        let nonce = self
            .provider
            .get_transaction_count(from)
            .pending()
            .await
            .map_err(Error::from_rpc)?;
        request.set_nonce(nonce);
        match self.fees {
            FeePolicy::Free => {
                request.set_max_fee_per_gas(0);
                request.set_max_priority_fee_per_gas(0);
            }
            FeePolicy::Market => {
                let fees = self
                    .provider
                    .estimate_eip1559_fees()
                    .await
                    .map_err(Error::from_rpc)?;
                request.set_max_fee_per_gas(fees.max_fee_per_gas);
                request.set_max_priority_fee_per_gas(fees.max_priority_fee_per_gas);
            }
        }
        let estimate = self
            .provider
            .estimate_gas(request.clone())
            .await
            .map_err(Error::from_rpc)?;
        request.set_gas_limit(estimate + estimate * GAS_HEADROOM_PERCENT / 100);
        let envelope = request
            .clone()
            .build(&EthereumWallet::from(signer.clone()))
            .await
            .map_err(|err| Error::Transport(format!("signing: {err}")))?;
        let hash = *envelope.tx_hash();
        match self.provider.send_tx_envelope(envelope).await {
            Ok(_) => {}
            // The node answered: it refused the transaction, which is not on its way.
            Err(err @ alloy::transports::RpcError::ErrorResp(_)) => {
                return Err(Error::from_rpc(err));
            }
            // The request may have arrived before the connection failed.
            Err(err) => {
                return Err(Error::Unconfirmed {
                    transaction: hash,
                    reason: err.to_string(),
                });
            }
        }
        let receipt = self.receipt(hash).await.map_err(|err| Error::Unconfirmed {
            transaction: hash,
            reason: err.to_string(),
        })?;
        if receipt.status() {
            return Ok(receipt);
        }
        let replayed = self
            .provider
            .call(request)
            .block(receipt.block_number.unwrap_or_default().into())
            .await;
        Err(Error::Reverted {
            data: match replayed {
                Err(err) => match Error::from_rpc(err) {
                    Error::Reverted { data, .. } => data,
                    _ => Bytes::new(),
                },
                // The state moved on since: the replay no longer reverts.
                Ok(_) => Bytes::new(),
            },
            transaction: Some(hash),
        })
    }

    /// Waits for the receipt of `hash`, asking every [`RECEIPT_POLL`] (on a tokio runtime with
    /// its timer enabled).
    async fn receipt(&self, hash: B256) -> Result<TransactionReceipt> {
        let deadline = std::time::Instant::now() + RECEIPT_TIMEOUT;
        loop {
            if let Some(receipt) = self
                .provider
                .get_transaction_receipt(hash)
                .await
                .map_err(Error::from_rpc)?
            {
                return Ok(receipt);
            }
            if std::time::Instant::now() > deadline {
                return Err(Error::Node(format!(
                    "transaction {hash} was not mined within {} s",
                    RECEIPT_TIMEOUT.as_secs()
                )));
            }
            tokio::time::sleep(RECEIPT_POLL).await;
        }
    }
}

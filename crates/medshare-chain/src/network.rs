//! A connection to one chain, the same for every network.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use alloy::{
    network::{EthereumWallet, NetworkTransactionBuilder, TransactionBuilder},
    primitives::{Address, Bytes},
    providers::{Provider, RootProvider},
    rpc::{
        client::RpcClient,
        types::{TransactionReceipt, TransactionRequest},
    },
    signers::local::PrivateKeySigner,
    sol_types::SolCall,
};
use medshare_evm::{Chain, rpc::Mining};

use crate::{Error, InProcess, Result};

/// Headroom over the estimated gas: the state can change between estimate and inclusion.
const GAS_HEADROOM_PERCENT: u64 = 20;
/// How often a sent transaction's receipt is asked for, and for how long.
const RECEIPT_POLL: Duration = Duration::from_millis(100);
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(60);

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
    embedded: Option<InProcess>,
}

impl Network {
    /// The embedded chain, in this process; each transaction is mined when sent.
    pub async fn embedded(chain: Chain) -> Result<Self> {
        let transport = InProcess::new(chain, Mining::Instant);
        let provider = RootProvider::new(RpcClient::new(transport.clone(), true));
        Self::connect(provider, None, FeePolicy::Free, Some(transport)).await
    }

    /// A JSON-RPC endpoint over HTTP (a `medshare node`, anvil, Besu); fails with
    /// [`Error::WrongChain`] if it serves another chain than `expected_chain_id`.
    pub async fn http(url: &str, expected_chain_id: Option<u64>, fees: FeePolicy) -> Result<Self> {
        let url = url
            .parse()
            .map_err(|err| Error::Transport(format!("{url} is not a URL: {err}")))?;
        let provider = RootProvider::new(RpcClient::new_http(url));
        Self::connect(provider, expected_chain_id, fees, None).await
    }

    async fn connect(
        provider: RootProvider,
        expected_chain_id: Option<u64>,
        fees: FeePolicy,
        embedded: Option<InProcess>,
    ) -> Result<Self> {
        let chain_id = provider.get_chain_id().await.map_err(Error::from_rpc)?;
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
            embedded,
        })
    }

    /// The EIP-155 chain id, checked on connect.
    pub const fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The chain itself, on the embedded network only (to check its file, for instance).
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
        let pending = self
            .provider
            .send_tx_envelope(envelope)
            .await
            .map_err(Error::from_rpc)?;
        let hash = *pending.tx_hash();
        let receipt = self.receipt(hash).await?;
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
    async fn receipt(&self, hash: alloy::primitives::B256) -> Result<TransactionReceipt> {
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

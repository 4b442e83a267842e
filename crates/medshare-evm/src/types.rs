use alloy::primitives::{Address, B256, Bytes, U256};
use serde::{Deserialize, Serialize};

/// A mined block. One block is mined per transaction (like a dev node with automine).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Block {
    /// Height; the genesis block is 0.
    pub number: u64,
    /// Hash of the header fields (see [`crate::Chain`] for which).
    pub hash: B256,
    /// Hash of the previous block (zero for genesis).
    pub parent_hash: B256,
    /// Seconds since the Unix epoch; strictly increasing.
    pub timestamp: u64,
    /// Gas limit of the block.
    pub gas_limit: u64,
    /// Gas used by all transactions of the block.
    pub gas_used: u64,
    /// Base fee per gas (zero on a consortium chain without fees).
    pub base_fee_per_gas: u64,
    /// Hashes of the included transactions, in order.
    pub transactions: Vec<B256>,
}

/// The receipt of an included transaction, successful or reverted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// Hash of the transaction.
    pub transaction_hash: B256,
    /// Position of the transaction in its block.
    pub transaction_index: u64,
    /// Block that includes the transaction.
    pub block_number: u64,
    /// Hash of that block.
    pub block_hash: B256,
    /// Sender, recovered from the signature.
    pub from: Address,
    /// Recipient; `None` for a contract creation.
    pub to: Option<Address>,
    /// Address of the created contract, for a successful creation.
    pub contract_address: Option<Address>,
    /// `true` if execution succeeded, `false` if it reverted or halted.
    pub status: bool,
    /// Gas used by this transaction.
    pub gas_used: u64,
    /// Gas used by this and the preceding transactions of the block.
    pub cumulative_gas_used: u64,
    /// Price per gas actually paid.
    pub effective_gas_price: u128,
    /// Logs emitted (empty when the transaction reverted).
    pub logs: Vec<Log>,
    /// Return data, or revert data when `status` is false. Not part of an Ethereum receipt, but
    /// kept so that callers can decode custom errors of reverted transactions.
    pub output: Bytes,
}

/// A log emitted by a contract, with its position in the chain (as `eth_getLogs` returns it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Log {
    /// Emitting contract.
    pub address: Address,
    /// Indexed topics; the first is the event signature for non-anonymous events.
    pub topics: Vec<B256>,
    /// ABI-encoded non-indexed data.
    pub data: Bytes,
    /// Block that includes the log.
    pub block_number: u64,
    /// Hash of that block.
    pub block_hash: B256,
    /// Transaction that emitted the log.
    pub transaction_hash: B256,
    /// Position of that transaction in its block.
    pub transaction_index: u64,
    /// Position of the log in its block.
    pub log_index: u64,
}

/// A read-only call (`eth_call`) or a gas estimate request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallRequest {
    /// Caller; the zero address if not given.
    pub from: Address,
    /// Callee; `None` executes `data` as init code.
    pub to: Option<Address>,
    /// Calldata.
    pub data: Bytes,
    /// Value sent with the call.
    pub value: U256,
    /// Gas limit; defaults to the block gas limit.
    pub gas: Option<u64>,
}

impl CallRequest {
    /// A call of `data` on `to` from `from` without value.
    pub fn new(from: Address, to: Address, data: impl Into<Bytes>) -> Self {
        Self {
            from,
            to: Some(to),
            data: data.into(),
            ..Default::default()
        }
    }
}

/// Outcome of a read-only call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallOutcome {
    /// `true` if the call returned normally.
    pub success: bool,
    /// Return data, or revert data.
    pub output: Bytes,
    /// Gas the call used.
    pub gas_used: u64,
}

/// A query over logs, with `eth_getLogs` semantics.
///
/// `topics[i]` constrains the i-th topic: an empty list matches anything, otherwise the topic must
/// equal one of the listed values. Block bounds are inclusive; `None` means genesis / head.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// First block (inclusive).
    pub from_block: Option<u64>,
    /// Last block (inclusive).
    pub to_block: Option<u64>,
    /// Emitting contracts; empty matches any.
    pub addresses: Vec<Address>,
    /// Per-position topic alternatives.
    pub topics: Vec<Vec<B256>>,
}

impl LogFilter {
    /// All logs of one contract.
    pub fn address(address: Address) -> Self {
        Self {
            addresses: vec![address],
            ..Default::default()
        }
    }

    /// Restricts the first topic (the event signature) to `topic0`.
    pub fn event(mut self, topic0: B256) -> Self {
        self.set_topic(0, vec![topic0]);
        self
    }

    /// Restricts topic `index` to one of `values`.
    pub fn topic(mut self, index: usize, values: Vec<B256>) -> Self {
        self.set_topic(index, values);
        self
    }

    /// Restricts the block range (inclusive).
    pub const fn blocks(mut self, from: u64, to: u64) -> Self {
        self.from_block = Some(from);
        self.to_block = Some(to);
        self
    }

    fn set_topic(&mut self, index: usize, values: Vec<B256>) {
        if self.topics.len() <= index {
            self.topics.resize(index + 1, Vec::new());
        }
        self.topics[index] = values;
    }

    /// Whether `log` passes the address and topic constraints (not the block range).
    pub fn matches(&self, log: &Log) -> bool {
        (self.addresses.is_empty() || self.addresses.contains(&log.address))
            && self.topics.iter().enumerate().all(|(i, wanted)| {
                wanted.is_empty() || log.topics.get(i).is_some_and(|t| wanted.contains(t))
            })
    }
}

/// What [`crate::Chain::verify`] checked, entry by entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    /// Blocks from genesis to the head.
    pub blocks: u64,
    /// Accounts in the state.
    pub accounts: u64,
    /// Non-zero storage slots in the state.
    pub storage_slots: u64,
    /// Distinct contract codes.
    pub code_entries: u64,
    /// Transactions in blocks (each with its raw bytes).
    pub transactions: u64,
    /// Receipts (one per transaction).
    pub receipts: u64,
}

/// Parameters fixed when a chain is created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Genesis {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Timestamp of the genesis block.
    pub timestamp: u64,
    /// Gas limit of every block.
    pub gas_limit: u64,
    /// Accounts funded at genesis.
    pub alloc: Vec<(Address, U256)>,
}

impl Genesis {
    /// Chain id of the embedded development chain (the one Besu's dev mode and anvil use).
    pub const DEFAULT_CHAIN_ID: u64 = 1337;
    /// Block gas limit; Besu QBFT networks commonly use 30M or more.
    pub const DEFAULT_GAS_LIMIT: u64 = 30_000_000;

    /// A genesis at `timestamp` with the default chain id and gas limit and no funded accounts.
    pub const fn new(timestamp: u64) -> Self {
        Self {
            chain_id: Self::DEFAULT_CHAIN_ID,
            timestamp,
            gas_limit: Self::DEFAULT_GAS_LIMIT,
            alloc: Vec::new(),
        }
    }

    /// A genesis at the current time with the default chain id and gas limit.
    pub fn starting_now() -> Self {
        Self::new(unix_now())
    }

    /// Funds `account` with `balance` wei at genesis.
    pub fn fund(mut self, account: Address, balance: U256) -> Self {
        self.alloc.push((account, balance));
        self
    }

    /// Sets the chain id.
    pub const fn with_chain_id(mut self, chain_id: u64) -> Self {
        self.chain_id = chain_id;
        self
    }
}

/// Seconds since the Unix epoch by the wall clock (0 if the clock is before 1970).
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

//! Ethereum JSON-RPC over a [`Chain`]: the methods a wallet, alloy's providers and foundry's
//! `cast` use, answered as geth and anvil answer them, so that one client serves the embedded
//! chain, a `medshare node`, anvil and Besu alike.
//!
//! [`handle`] takes a request body (one call or a batch) and returns the response body;
//! [`execute`] runs one method. Transports (HTTP in `medshare node`, in-process for the embedded
//! network) are thin shells around them.
//!
//! Standard behaviour worth knowing:
//! - a call or gas estimate that reverts is error code 3, message `execution reverted`, with the
//!   revert data as `data`, which alloy decodes into the contract's custom error;
//! - state is kept for the latest block only: state queries at an older block are refused with
//!   a message saying so (`latest`, `pending`, `safe` and `finalized` all mean the head, except
//!   that `eth_getTransactionCount` at `pending` counts the pending block's transactions);
//! - blocks carry no Merkle roots (the embedded chain computes no tries): `stateRoot`,
//!   `transactionsRoot` and `receiptsRoot` are zero; `logsBloom` is computed.

use alloy::{
    consensus::TxEnvelope,
    eips::Decodable2718,
    primitives::{Address, B256, Bloom, Bytes, U256},
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::{Block, CallRequest, Chain, Error, Log, LogFilter, Receipt};

/// `web3_clientVersion`.
const CLIENT_VERSION: &str = concat!("medshare/v", env!("CARGO_PKG_VERSION"));
/// The empty ommers hash (keccak256 of the RLP of an empty list).
const EMPTY_OMMERS: B256 =
    alloy::primitives::b256!("1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
/// The root of an empty trie (keccak256 of the RLP of an empty string).
const EMPTY_ROOT: B256 =
    alloy::primitives::b256!("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
/// Most blocks one `eth_feeHistory` call may ask for (geth's limit).
const FEE_HISTORY_MAX_BLOCKS: u64 = 1024;
/// Largest request body [`handle`] parses; a transport should refuse bigger ones first.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024 * 1024;
/// Most calls in one batch.
pub const MAX_BATCH: usize = 1_000;

/// How `eth_sendRawTransaction` mines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mining {
    /// Each transaction in a block of its own, mined before the call returns (a dev node).
    Instant,
    /// Transactions join the pending block, which the caller mines with
    /// [`Chain::mine_pending`] once per block period (as the QBFT target does).
    Periodic,
}

/// A JSON-RPC error object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpcError {
    /// JSON-RPC error code: -32700 parse error, -32600 invalid request, -32601 method not
    /// found, -32602 invalid params, -32603 internal error, -32000 a transaction or query the
    /// node refuses, 3 execution reverted.
    pub code: i64,
    /// What went wrong, in a sentence.
    pub message: String,
    /// Revert data for code 3.
    pub data: Option<Bytes>,
}

impl RpcError {
    fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(-32602, message)
    }

    fn reverted(data: Bytes) -> Self {
        Self {
            code: 3,
            message: "execution reverted".into(),
            data: Some(data),
        }
    }

    fn to_json(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(data) = &self.data {
            error["data"] = json!(data);
        }
        error
    }
}

impl From<Error> for RpcError {
    fn from(err: Error) -> Self {
        match err {
            Error::Reverted(data) => Self::reverted(data),
            Error::MalformedTransaction(_) => Self::invalid_params(err.to_string()),
            Error::Rejected(_) | Error::ReadOnly { .. } => Self::new(-32000, err.to_string()),
            other => Self::new(-32603, other.to_string()),
        }
    }
}

/// Answers a JSON-RPC request body: one call or a batch. Returns `None` when nothing is to be
/// sent back (only notifications, i.e. calls without an id).
pub fn handle(chain: &mut Chain, body: &[u8], mining: Mining) -> Option<Vec<u8>> {
    let request: Value = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(err) => {
            return Some(encode(&failure(
                Value::Null,
                &RpcError::new(-32700, format!("parse error: {err}")),
            )));
        }
    };
    let response = match request {
        Value::Array(calls) if calls.is_empty() => failure(
            Value::Null,
            &RpcError::new(-32600, "invalid request: empty batch"),
        ),
        Value::Array(calls) if calls.len() > MAX_BATCH => failure(
            Value::Null,
            &RpcError::new(
                -32600,
                format!("invalid request: more than {MAX_BATCH} calls in one batch"),
            ),
        ),
        Value::Array(calls) => {
            let responses: Vec<Value> = calls
                .into_iter()
                .filter_map(|call| answer(chain, call, mining))
                .collect();
            if responses.is_empty() {
                return None;
            }
            Value::Array(responses)
        }
        call => answer(chain, call, mining)?,
    };
    Some(encode(&response))
}

/// Answers one call object; `None` for a notification.
fn answer(chain: &mut Chain, call: Value, mining: Mining) -> Option<Value> {
    let Value::Object(mut call) = call else {
        return Some(failure(
            Value::Null,
            &RpcError::new(-32600, "invalid request: not an object"),
        ));
    };
    let id = call.remove("id");
    let method = match call.remove("method") {
        Some(Value::String(method)) if call.get("jsonrpc") == Some(&json!("2.0")) => method,
        _ => {
            return Some(failure(
                id.unwrap_or(Value::Null),
                &RpcError::new(
                    -32600,
                    "invalid request: needs \"jsonrpc\": \"2.0\" and a method name",
                ),
            ));
        }
    };
    let params = call.remove("params").unwrap_or(Value::Array(Vec::new()));
    let result = execute(chain, &method, params, mining);
    let id = id?;
    Some(match result {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err(err) => failure(id, &err),
    })
}

fn failure(id: Value, err: &RpcError) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": err.to_json() })
}

fn encode(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("JSON values always serialise")
}

/// Runs method `method` with `params` (a JSON array, or an object for none).
pub fn execute(
    chain: &mut Chain,
    method: &str,
    params: Value,
    mining: Mining,
) -> Result<Value, RpcError> {
    let params = Params::new(params)?;
    let head = chain.block_number();
    Ok(match method {
        "web3_clientVersion" => json!(CLIENT_VERSION),
        "net_version" => json!(chain.chain_id().to_string()),
        "net_listening" => json!(true),
        "eth_chainId" => quantity(chain.chain_id()),
        "eth_syncing" => json!(false),
        "eth_accounts" => json!([]),
        "eth_blockNumber" => quantity(head),
        "eth_gasPrice" | "eth_maxPriorityFeePerGas" | "eth_blobBaseFee" => quantity(0),
        "eth_feeHistory" => fee_history(chain, &params)?,
        "eth_getBalance" => {
            params.latest_state(1, head)?;
            json!(chain.balance(params.get(0)?)?)
        }
        "eth_getTransactionCount" if params.0.get(1) == Some(&json!("pending")) => {
            quantity(chain.pending_nonce(params.get(0)?)?)
        }
        "eth_getTransactionCount" => {
            params.latest_state(1, head)?;
            quantity(chain.nonce(params.get(0)?)?)
        }
        "eth_getCode" => {
            params.latest_state(1, head)?;
            json!(chain.code(params.get(0)?)?)
        }
        "eth_getStorageAt" => {
            params.latest_state(2, head)?;
            let slot: U256 = params.get(1)?;
            json!(B256::from(chain.storage_at(params.get(0)?, slot)?))
        }
        "eth_call" => {
            params.latest_state(1, head)?;
            let outcome = chain.call(&call_request(&params.get(0)?)?)?;
            if !outcome.success {
                return Err(RpcError::reverted(outcome.output));
            }
            json!(outcome.output)
        }
        "eth_estimateGas" => {
            params.latest_state(1, head)?;
            quantity(chain.estimate_gas(&call_request(&params.get(0)?)?)?)
        }
        "eth_sendRawTransaction" => {
            let raw: Bytes = params.get(0)?;
            match mining {
                Mining::Instant => json!(chain.send_raw_transaction(&raw)?.transaction_hash),
                Mining::Periodic => json!(chain.submit_raw_transaction(&raw)?),
            }
        }
        "eth_getBlockByNumber" => {
            let number = params.block_number(0, head)?;
            block_json(
                chain,
                chain.block(number)?,
                params.optional(1)?.unwrap_or(false),
            )?
        }
        "eth_getBlockByHash" => {
            let block = chain.block_by_hash(params.get(0)?)?;
            block_json(chain, block, params.optional(1)?.unwrap_or(false))?
        }
        "eth_getTransactionByHash" => {
            let hash: B256 = params.get(0)?;
            match chain.receipt(hash)? {
                Some(receipt) => transaction_json(chain, &receipt)?,
                None => Value::Null,
            }
        }
        "eth_getTransactionReceipt" => {
            let hash: B256 = params.get(0)?;
            match chain.receipt(hash)? {
                Some(receipt) => receipt_json(chain, &receipt)?,
                None => Value::Null,
            }
        }
        "eth_getLogs" => {
            let filter = log_filter(&params.get::<Map<String, Value>>(0)?, chain)?;
            json!(
                chain
                    .logs(&filter)?
                    .iter()
                    .map(log_json)
                    .collect::<Vec<_>>()
            )
        }
        _ => {
            return Err(RpcError::new(
                -32601,
                format!("the method {method} does not exist or is not available"),
            ));
        }
    })
}

/// Positional parameters.
struct Params(Vec<Value>);

impl Params {
    fn new(params: Value) -> Result<Self, RpcError> {
        match params {
            Value::Array(values) => Ok(Self(values)),
            Value::Null => Ok(Self(Vec::new())),
            _ => Err(RpcError::invalid_params(
                "params must be an array of positional parameters",
            )),
        }
    }

    fn get<T: DeserializeOwned>(&self, index: usize) -> Result<T, RpcError> {
        self.optional(index)?
            .ok_or_else(|| RpcError::invalid_params(format!("missing parameter {}", index + 1)))
    }

    fn optional<T: DeserializeOwned>(&self, index: usize) -> Result<Option<T>, RpcError> {
        match self.0.get(index) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => serde_json::from_value(value.clone())
                .map(Some)
                .map_err(|err| RpcError::invalid_params(format!("parameter {}: {err}", index + 1))),
        }
    }

    /// The block parameter at `index` (default `latest`) as a number.
    fn block_number(&self, index: usize, head: u64) -> Result<u64, RpcError> {
        match self.0.get(index) {
            None | Some(Value::Null) => Ok(head),
            Some(value) => block_tag(value, head),
        }
    }

    /// Refuses a block parameter other than the head for a query of state.
    fn latest_state(&self, index: usize, head: u64) -> Result<(), RpcError> {
        let wanted = match self.0.get(index) {
            // EIP-1898 `{ "blockHash": … }` or `{ "blockNumber": … }`.
            Some(Value::Object(block)) if block.contains_key("blockNumber") => {
                block_tag(&block["blockNumber"], head)?
            }
            Some(Value::Object(_)) => {
                return Err(RpcError::new(
                    -32000,
                    "state by block hash is not kept; ask for the latest block",
                ));
            }
            _ => self.block_number(index, head)?,
        };
        if wanted != head {
            return Err(RpcError::new(
                -32000,
                format!("state is kept for the latest block ({head}) only, not for block {wanted}"),
            ));
        }
        Ok(())
    }
}

/// A block tag or number: `latest`, `pending`, `safe`, `finalized` (the head), `earliest` (0),
/// or a quantity.
fn block_tag(value: &Value, head: u64) -> Result<u64, RpcError> {
    let invalid = || RpcError::invalid_params(format!("{value} is not a block number or tag"));
    match value.as_str().ok_or_else(invalid)? {
        "latest" | "pending" | "safe" | "finalized" => Ok(head),
        "earliest" => Ok(0),
        number => parse_quantity(number).ok_or_else(invalid),
    }
}

fn parse_quantity(text: &str) -> Option<u64> {
    let digits = text.strip_prefix("0x")?;
    if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

fn quantity(value: u64) -> Value {
    json!(format!("{value:#x}"))
}

/// A call object of `eth_call` / `eth_estimateGas`.
fn call_request(object: &Map<String, Value>) -> Result<CallRequest, RpcError> {
    let get = |name: &str| object.get(name).filter(|value| !value.is_null());
    let data = match (get("input"), get("data")) {
        (Some(input), Some(data)) if input != data => {
            return Err(RpcError::invalid_params(
                "call fields input and data differ; give one",
            ));
        }
        (Some(input), _) => decode("call field input", input)?,
        (None, Some(data)) => decode("call field data", data)?,
        (None, None) => Bytes::new(),
    };
    let gas: Option<U256> = get("gas")
        .map(|v| decode("call field gas", v))
        .transpose()?;
    Ok(CallRequest {
        from: get("from")
            .map(|v| decode("call field from", v))
            .transpose()?
            .unwrap_or_default(),
        to: get("to").map(|v| decode("call field to", v)).transpose()?,
        data,
        value: get("value")
            .map(|v| decode("call field value", v))
            .transpose()?
            .unwrap_or_default(),
        gas: gas.map(|gas| gas.saturating_to()),
    })
}

/// `value` as a `T`, or an invalid-params error naming `what`.
fn decode<T: DeserializeOwned>(what: &str, value: &Value) -> Result<T, RpcError> {
    serde_json::from_value(value.clone())
        .map_err(|err| RpcError::invalid_params(format!("{what}: {err}")))
}

/// An `eth_getLogs` filter object.
fn log_filter(object: &Map<String, Value>, chain: &Chain) -> Result<LogFilter, RpcError> {
    let head = chain.block_number();
    let mut filter = LogFilter::default();
    if let Some(hash) = object.get("blockHash").filter(|v| !v.is_null()) {
        let hash: B256 = decode("filter field blockHash", hash)?;
        let block = chain
            .block_by_hash(hash)?
            .ok_or_else(|| RpcError::new(-32000, format!("unknown block {hash}")))?;
        filter.from_block = Some(block.number);
        filter.to_block = Some(block.number);
    } else {
        for (name, bound) in [
            ("fromBlock", &mut filter.from_block),
            ("toBlock", &mut filter.to_block),
        ] {
            if let Some(value) = object.get(name).filter(|v| !v.is_null()) {
                *bound = Some(block_tag(value, head)?);
            }
        }
    }
    filter.addresses = match object.get("address") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(addresses)) => addresses
            .iter()
            .map(|a| decode("filter field address", a))
            .collect::<Result<_, _>>()?,
        Some(address) => vec![decode("filter field address", address)?],
    };
    if let Some(topics) = object.get("topics").filter(|v| !v.is_null()) {
        let Value::Array(topics) = topics else {
            return Err(RpcError::invalid_params(
                "filter field topics: not an array",
            ));
        };
        filter.topics = topics
            .iter()
            .map(|position| match position {
                Value::Null => Ok(Vec::new()),
                Value::Array(alternatives) => alternatives
                    .iter()
                    .map(|t| decode("filter field topics", t))
                    .collect::<Result<_, _>>(),
                topic => Ok(vec![decode("filter field topics", topic)?]),
            })
            .collect::<Result<_, _>>()?;
    }
    Ok(filter)
}

fn fee_history(chain: &Chain, params: &Params) -> Result<Value, RpcError> {
    let head = chain.block_number();
    let count = match params.0.first() {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(q)) => parse_quantity(q),
        _ => None,
    }
    .ok_or_else(|| RpcError::invalid_params("parameter 1: a block count is needed"))?
    .min(FEE_HISTORY_MAX_BLOCKS);
    let newest = params.block_number(1, head)?.min(head);
    let count = count.min(newest + 1);
    let oldest = newest + 1 - count;
    let percentiles: Vec<f64> = params.optional(2)?.unwrap_or_default();
    let mut gas_used_ratio = Vec::new();
    for number in oldest..=newest {
        let block = chain
            .block(number)?
            .ok_or_else(|| RpcError::new(-32603, format!("block {number} is missing")))?;
        gas_used_ratio.push(block.gas_used as f64 / block.gas_limit.max(1) as f64);
    }
    let mut history = json!({
        "oldestBlock": quantity(oldest),
        // One more than blocks: the base fee of the block after `newest`. Always zero here.
        "baseFeePerGas": vec![quantity(0); usize::try_from(count + 1).unwrap_or(usize::MAX)],
        "gasUsedRatio": gas_used_ratio,
    });
    if !percentiles.is_empty() {
        // No priority fees are paid on the consortium chain.
        let blocks = usize::try_from(count).unwrap_or(usize::MAX);
        history["reward"] = json!(vec![vec![quantity(0); percentiles.len()]; blocks]);
    }
    Ok(history)
}

fn block_json(chain: &Chain, block: Option<Block>, full: bool) -> Result<Value, RpcError> {
    let Some(block) = block else {
        return Ok(Value::Null);
    };
    let mut bloom = Bloom::ZERO;
    let mut transactions = Vec::with_capacity(block.transactions.len());
    for hash in &block.transactions {
        let receipt = chain
            .receipt(*hash)?
            .ok_or_else(|| RpcError::new(-32603, format!("the receipt of {hash} is missing")))?;
        bloom.accrue_bloom(&logs_bloom(&receipt.logs));
        transactions.push(if full {
            transaction_json(chain, &receipt)?
        } else {
            json!(hash)
        });
    }
    Ok(json!({
        "number": quantity(block.number),
        "hash": block.hash,
        "parentHash": block.parent_hash,
        "nonce": "0x0000000000000000",
        "mixHash": B256::ZERO,
        "sha3Uncles": EMPTY_OMMERS,
        "logsBloom": bloom,
        "transactionsRoot": B256::ZERO,
        "stateRoot": B256::ZERO,
        "receiptsRoot": B256::ZERO,
        "withdrawalsRoot": EMPTY_ROOT,
        "withdrawals": [],
        "miner": Address::ZERO,
        "difficulty": "0x0",
        "totalDifficulty": "0x0",
        "extraData": "0x",
        "size": quantity(0),
        "gasLimit": quantity(block.gas_limit),
        "gasUsed": quantity(block.gas_used),
        "timestamp": quantity(block.timestamp),
        "baseFeePerGas": quantity(block.base_fee_per_gas),
        "transactions": transactions,
        "uncles": [],
    }))
}

/// An included transaction as `eth_getTransactionByHash` returns it: the signed transaction's
/// own fields, and where it was included.
fn transaction_json(chain: &Chain, receipt: &Receipt) -> Result<Value, RpcError> {
    let raw = chain
        .raw_transaction(receipt.transaction_hash)?
        .unwrap_or_default();
    let mut buf = raw.as_ref();
    let Ok(envelope) = TxEnvelope::decode_2718(&mut buf) else {
        // An impersonated test transaction has no signed form.
        return Ok(Value::Null);
    };
    let mut object = match serde_json::to_value(&envelope) {
        Ok(Value::Object(object)) => object,
        _ => return Err(RpcError::new(-32603, "the transaction does not serialise")),
    };
    object.insert("hash".into(), json!(receipt.transaction_hash));
    // The sender was recovered from the signature when the transaction was included.
    object.insert("from".into(), json!(receipt.from));
    object.insert("blockHash".into(), json!(receipt.block_hash));
    object.insert("blockNumber".into(), quantity(receipt.block_number));
    object.insert(
        "transactionIndex".into(),
        quantity(receipt.transaction_index),
    );
    object.insert(
        "gasPrice".into(),
        json!(format!("{:#x}", receipt.effective_gas_price)),
    );
    Ok(Value::Object(object))
}

fn receipt_json(chain: &Chain, receipt: &Receipt) -> Result<Value, RpcError> {
    let raw = chain.raw_transaction(receipt.transaction_hash)?;
    // EIP-2718: a typed transaction starts with its type byte (< 0x7f); a legacy one with an
    // RLP list header (≥ 0xc0). Impersonated test transactions count as EIP-1559.
    let tx_type = match raw.as_ref().and_then(|raw| raw.first()) {
        Some(&byte) if byte < 0x7f => u64::from(byte),
        Some(_) => 0,
        None => 2,
    };
    Ok(json!({
        "transactionHash": receipt.transaction_hash,
        "transactionIndex": quantity(receipt.transaction_index),
        "blockHash": receipt.block_hash,
        "blockNumber": quantity(receipt.block_number),
        "from": receipt.from,
        "to": receipt.to,
        "contractAddress": receipt.contract_address,
        "gasUsed": quantity(receipt.gas_used),
        "cumulativeGasUsed": quantity(receipt.cumulative_gas_used),
        "effectiveGasPrice": format!("{:#x}", receipt.effective_gas_price),
        "status": quantity(u64::from(receipt.status)),
        "type": quantity(tx_type),
        "logs": receipt.logs.iter().map(log_json).collect::<Vec<_>>(),
        "logsBloom": logs_bloom(&receipt.logs),
    }))
}

fn log_json(log: &Log) -> Value {
    json!({
        "address": log.address,
        "topics": log.topics,
        "data": log.data,
        "blockNumber": quantity(log.block_number),
        "blockHash": log.block_hash,
        "transactionHash": log.transaction_hash,
        "transactionIndex": quantity(log.transaction_index),
        "logIndex": quantity(log.log_index),
        "removed": false,
    })
}

fn logs_bloom(logs: &[Log]) -> Bloom {
    let mut bloom = Bloom::ZERO;
    for log in logs {
        bloom.accrue_raw_log(log.address, &log.topics);
    }
    bloom
}

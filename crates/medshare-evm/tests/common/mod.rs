//! Shared helpers of the integration tests: hand-assembled contracts, fixed signing keys and
//! builders of signed EIP-2718 transactions.
#![allow(dead_code, clippy::unwrap_used)]

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEnvelope, TxLegacy},
    eips::Encodable2718,
    primitives::{Address, B256, Bytes, TxKind, U256, hex},
    signers::{SignerSync, local::PrivateKeySigner},
};
use std::path::Path;

use medshare_evm::{Block, Chain, Genesis, Log, LogFilter, Receipt};

/// Chain id of every test chain (the default one).
pub(crate) const CHAIN_ID: u64 = Genesis::DEFAULT_CHAIN_ID;

/// Genesis timestamp of the test chains: fixed, far in the past, so block timestamps come from
/// the wall clock unless a test overrides them.
pub(crate) const GENESIS_TIME: u64 = 1_700_000_000;

/// Gas price of the signed test transactions (1 gwei).
pub(crate) const GAS_PRICE: u128 = 1_000_000_000;

/// Gas limit of the signed test transactions: plenty for the hand-assembled contracts.
pub(crate) const GAS_LIMIT: u64 = 200_000;

/// 1 ether in wei.
pub(crate) fn ether(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

/// topic0 of the counter's `Incremented(newValue)` event: a fixed marker, `0xc0…c0`.
pub(crate) const COUNTER_TOPIC: B256 = B256::repeat_byte(0xc0);

/// Runtime of a counter whose event signature is `topic0`. Every call:
///
/// ```text
/// 60 00      PUSH1 0        ; slot 0
/// 54         SLOAD          ; [v]
/// 60 01      PUSH1 1
/// 01         ADD            ; [v+1]
/// 80         DUP1           ; [n, n]
/// 60 00      PUSH1 0
/// 55         SSTORE         ; slot0 = n            [n]
/// 80         DUP1           ; [n, n]               (topic1 = n)
/// 7f <32 B>  PUSH32 topic0  ; [n, n, topic0]
/// 60 00      PUSH1 0        ; size
/// 60 00      PUSH1 0        ; offset
/// a2         LOG2           ; LOG2(0, 0, topic0, n) [n]
/// 60 00      PUSH1 0
/// 52         MSTORE         ; mem[0..32] = n
/// 60 20      PUSH1 32
/// 60 00      PUSH1 0
/// f3         RETURN         ; return mem[0..32]
/// ```
pub(crate) fn counter_runtime_with_topic(topic0: B256) -> Vec<u8> {
    [
        &hex!("6000 54 6001 01 80 6000 55 80 7f")[..],
        topic0.as_slice(),
        &hex!("6000 6000 a2 6000 52 6020 6000 f3")[..],
    ]
    .concat()
}

/// Runtime of the counter with [`COUNTER_TOPIC`] (57 bytes).
pub(crate) fn counter_runtime() -> Vec<u8> {
    counter_runtime_with_topic(COUNTER_TOPIC)
}

/// Init code that deploys the counter.
pub(crate) fn counter_init() -> Vec<u8> {
    init_code(&counter_runtime())
}

/// Runtime that reverts every call with `data` (at most 255 bytes):
///
/// ```text
/// 60 LL      PUSH1 len(data)
/// 60 0c      PUSH1 12       ; data starts right after these 12 bytes of code
/// 60 00      PUSH1 0
/// 39         CODECOPY       ; mem[0..len] = code[12..12+len]
/// 60 LL      PUSH1 len(data)
/// 60 00      PUSH1 0
/// fd         REVERT         ; revert(mem[0..len])
/// <data>
/// ```
pub(crate) fn reverter_runtime(data: &[u8]) -> Vec<u8> {
    let len = u8::try_from(data.len()).unwrap();
    [
        &[
            0x60, len, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xfd,
        ][..],
        data,
    ]
    .concat()
}

/// Init code that deploys `runtime` (at most 255 bytes) unchanged:
///
/// ```text
/// 60 LL      PUSH1 len(runtime)
/// 80         DUP1           ; [len, len]
/// 60 0b      PUSH1 11       ; runtime starts right after these 11 bytes of code
/// 60 00      PUSH1 0
/// 39         CODECOPY       ; mem[0..len] = code[11..11+len]   [len]
/// 60 00      PUSH1 0
/// f3         RETURN         ; return mem[0..len] as the contract's code
/// <runtime>
/// ```
pub(crate) fn init_code(runtime: &[u8]) -> Vec<u8> {
    let len = u8::try_from(runtime.len()).unwrap();
    [
        &[
            0x60, len, 0x80, 0x60, 0x0b, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3,
        ][..],
        runtime,
    ]
    .concat()
}

/// Init code whose constructor reverts with `data` (the reverter's runtime run as init code).
pub(crate) fn reverting_init(data: &[u8]) -> Vec<u8> {
    reverter_runtime(data)
}

/// topic0 of the logger's first log.
pub(crate) const LOGGER_TOPIC_A: B256 = B256::repeat_byte(0xa1);
/// topic0 of the logger's second log.
pub(crate) const LOGGER_TOPIC_B: B256 = B256::repeat_byte(0xb2);

/// Runtime of a logger that emits two logs per call: the calldata under [`LOGGER_TOPIC_A`], then
/// an empty log under [`LOGGER_TOPIC_B`] (82 bytes):
///
/// ```text
/// 36         CALLDATASIZE
/// 60 00      PUSH1 0
/// 60 00      PUSH1 0
/// 37         CALLDATACOPY   ; mem[0..cds] = calldata
/// 7f <32 B>  PUSH32 0xa1…a1
/// 36         CALLDATASIZE
/// 60 00      PUSH1 0
/// a1         LOG1           ; LOG1(0, cds, 0xa1…a1): data = calldata
/// 7f <32 B>  PUSH32 0xb2…b2
/// 60 00      PUSH1 0
/// 60 00      PUSH1 0
/// a1         LOG1           ; LOG1(0, 0, 0xb2…b2)
/// 00         STOP
/// ```
pub(crate) fn logger_runtime() -> Vec<u8> {
    [
        &hex!("36 6000 6000 37 7f")[..],
        LOGGER_TOPIC_A.as_slice(),
        &hex!("36 6000 a1 7f")[..],
        LOGGER_TOPIC_B.as_slice(),
        &hex!("6000 6000 a1 00")[..],
    ]
    .concat()
}

/// Runtime that returns the block it runs in: `abi.encode(block.timestamp, block.number)`:
///
/// ```text
/// 42         TIMESTAMP
/// 60 00      PUSH1 0
/// 52         MSTORE         ; mem[0..32] = timestamp
/// 43         NUMBER
/// 60 20      PUSH1 32
/// 52         MSTORE         ; mem[32..64] = number
/// 60 40      PUSH1 64
/// 60 00      PUSH1 0
/// f3         RETURN         ; return mem[0..64]
/// ```
pub(crate) fn clock_runtime() -> Vec<u8> {
    hex!("42 6000 52 43 6020 52 6040 6000 f3").to_vec()
}

/// Decodes the output of [`clock_runtime`] into `(timestamp, number)`.
pub(crate) fn decode_clock(output: &[u8]) -> (u64, u64) {
    assert_eq!(output.len(), 64, "clock output");
    (
        U256::from_be_slice(&output[..32]).to(),
        U256::from_be_slice(&output[32..]).to(),
    )
}

/// Runtime that flips slot 0 between 0 and 1 (so every other call clears it and earns a refund):
///
/// ```text
/// 60 00      PUSH1 0
/// 54         SLOAD
/// 15         ISZERO
/// 60 00      PUSH1 0
/// 55         SSTORE         ; slot0 = (slot0 == 0)
/// 00         STOP
/// ```
pub(crate) fn toggle_runtime() -> Vec<u8> {
    hex!("6000 54 15 6000 55 00").to_vec()
}

/// Code (run as init code or runtime) that emits a log and then reverts, which must discard it:
///
/// ```text
/// 60 00      PUSH1 0
/// 60 00      PUSH1 0
/// a0         LOG0           ; an empty log
/// 60 00      PUSH1 0
/// 60 00      PUSH1 0
/// fd         REVERT         ; revert without data
/// ```
pub(crate) fn log_then_revert() -> Vec<u8> {
    hex!("6000 6000 a0 6000 6000 fd").to_vec()
}

/// Init code of a contract that stores 1 in slot 0 at construction and whose every call
/// self-destructs it, sending its balance to the caller:
///
/// ```text
/// 60 01      PUSH1 1
/// 60 00      PUSH1 0
/// 55         SSTORE         ; slot0 = 1
/// 60 02      PUSH1 2        ; runtime length
/// 80         DUP1
/// 60 10      PUSH1 16       ; runtime offset
/// 60 00      PUSH1 0
/// 39         CODECOPY
/// 60 00      PUSH1 0
/// f3         RETURN         ; deploy the runtime:
/// 33         CALLER
/// ff         SELFDESTRUCT   ; selfdestruct(msg.sender)
/// ```
pub(crate) fn destructible_init() -> Vec<u8> {
    hex!("6001 6000 55 6002 80 6010 6000 39 6000 f3 33 ff").to_vec()
}

/// The topic holding `n` (a counter value) as a 32-byte big-endian word.
pub(crate) fn word(n: u64) -> B256 {
    B256::from(U256::from(n))
}

/// A deterministic signer: private key `0xkk…kk`.
pub(crate) fn signer(byte: u8) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&B256::repeat_byte(byte)).unwrap()
}

/// The main funded test key.
pub(crate) fn alice() -> PrivateKeySigner {
    signer(0x11)
}

/// A second funded test key.
pub(crate) fn bob() -> PrivateKeySigner {
    signer(0x22)
}

/// Genesis at [`GENESIS_TIME`] funding alice and bob with 100 ether each.
pub(crate) fn genesis() -> Genesis {
    Genesis::new(GENESIS_TIME)
        .fund(alice().address(), ether(100))
        .fund(bob().address(), ether(100))
}

/// Signs `tx` with `signer` and returns its EIP-2718 encoding and hash.
pub(crate) fn sign<T>(signer: &PrivateKeySigner, tx: T) -> (Bytes, B256)
where
    T: SignableTransaction<alloy::primitives::Signature>,
    TxEnvelope: From<alloy::consensus::Signed<T>>,
{
    let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    let envelope = TxEnvelope::from(tx.into_signed(sig));
    let hash = *envelope.tx_hash();
    (envelope.encoded_2718().into(), hash)
}

/// A signed EIP-1559 transaction (max fee [`GAS_PRICE`], priority fee [`GAS_PRICE`]).
pub(crate) fn eip1559(
    signer: &PrivateKeySigner,
    nonce: u64,
    to: TxKind,
    value: U256,
    input: impl Into<Bytes>,
) -> Bytes {
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: GAS_LIMIT,
        max_fee_per_gas: GAS_PRICE,
        max_priority_fee_per_gas: GAS_PRICE,
        to,
        value,
        input: input.into(),
        ..Default::default()
    };
    sign(signer, tx).0
}

/// A signed EIP-155 legacy transaction.
pub(crate) fn legacy(
    signer: &PrivateKeySigner,
    nonce: u64,
    to: TxKind,
    value: U256,
    input: impl Into<Bytes>,
) -> Bytes {
    let tx = TxLegacy {
        chain_id: Some(CHAIN_ID),
        nonce,
        gas_price: GAS_PRICE,
        gas_limit: GAS_LIMIT,
        to,
        value,
        input: input.into(),
    };
    sign(signer, tx).0
}

/// A signed EIP-2930 transaction with an empty access list.
pub(crate) fn eip2930(
    signer: &PrivateKeySigner,
    nonce: u64,
    to: TxKind,
    value: U256,
    input: impl Into<Bytes>,
) -> Bytes {
    let tx = TxEip2930 {
        chain_id: CHAIN_ID,
        nonce,
        gas_price: GAS_PRICE,
        gas_limit: GAS_LIMIT,
        to,
        value,
        input: input.into(),
        ..Default::default()
    };
    sign(signer, tx).0
}

/// Deploys the counter with a signed EIP-1559 transaction from `signer` at its current nonce.
pub(crate) fn deploy_counter(chain: &mut Chain, signer: &PrivateKeySigner) -> Address {
    let nonce = chain.nonce(signer.address()).unwrap();
    let receipt = chain
        .send_raw_transaction(&eip1559(
            signer,
            nonce,
            TxKind::Create,
            U256::ZERO,
            counter_init(),
        ))
        .unwrap();
    assert!(receipt.status, "counter deployment failed: {receipt:?}");
    let address = receipt.contract_address.unwrap();
    assert_eq!(address, signer.address().create(nonce));
    address
}

/// Increments `counter` with a signed EIP-1559 transaction from `signer` at its current nonce.
pub(crate) fn increment(chain: &mut Chain, signer: &PrivateKeySigner, counter: Address) -> Receipt {
    let nonce = chain.nonce(signer.address()).unwrap();
    chain
        .send_raw_transaction(&eip1559(
            signer,
            nonce,
            TxKind::Call(counter),
            U256::ZERO,
            vec![],
        ))
        .unwrap()
}

/// Reads the counter's slot 0.
pub(crate) fn counter_value(chain: &Chain, counter: Address) -> u64 {
    chain.storage_at(counter, U256::ZERO).unwrap().to::<u64>()
}

/// Everything a reopened chain must reproduce.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Everything {
    pub(crate) genesis: Genesis,
    pub(crate) head: Block,
    pub(crate) blocks: Vec<Block>,
    pub(crate) receipts: Vec<Receipt>,
    pub(crate) raw: Vec<Bytes>,
    pub(crate) logs: Vec<Log>,
    pub(crate) accounts: Vec<(Address, U256, u64, Bytes)>,
    pub(crate) storage: Vec<(Address, U256)>,
}

pub(crate) fn everything(chain: &Chain, accounts: &[Address]) -> Everything {
    answers(chain, accounts).unwrap()
}

/// Why [`answers`] gave no answer.
#[derive(Debug)]
pub(crate) enum NoAnswer {
    /// A read failed (for a damaged chain: reported damage).
    Read(medshare_evm::Error),
    /// A lookup found nothing where something must be: a wrong answer, not a report.
    Vanished(String),
}

impl From<medshare_evm::Error> for NoAnswer {
    fn from(err: medshare_evm::Error) -> Self {
        Self::Read(err)
    }
}

/// [`everything`], or why there is none (for chains that may be damaged).
pub(crate) fn answers(chain: &Chain, accounts: &[Address]) -> Result<Everything, NoAnswer> {
    let vanished = |what: String| NoAnswer::Vanished(format!("{what} vanished without an error"));
    let mut blocks = Vec::new();
    for number in 0..=chain.block_number() {
        blocks.push(
            chain
                .block(number)?
                .ok_or_else(|| vanished(format!("block {number}")))?,
        );
    }
    let hashes: Vec<B256> = blocks.iter().flat_map(|b| b.transactions.clone()).collect();
    let mut receipts = Vec::new();
    let mut raw = Vec::new();
    for hash in &hashes {
        receipts.push(
            chain
                .receipt(*hash)?
                .ok_or_else(|| vanished(format!("receipt {hash}")))?,
        );
        raw.push(
            chain
                .raw_transaction(*hash)?
                .ok_or_else(|| vanished(format!("transaction {hash}")))?,
        );
    }
    let mut state = Vec::new();
    let mut storage = Vec::new();
    for &a in accounts {
        state.push((a, chain.balance(a)?, chain.nonce(a)?, chain.code(a)?));
        for slot in 0..3u64 {
            storage.push((a, chain.storage_at(a, U256::from(slot))?));
        }
    }
    Ok(Everything {
        genesis: chain.genesis().clone(),
        head: chain.head().clone(),
        logs: chain.logs(&LogFilter::default())?,
        accounts: state,
        storage,
        blocks,
        receipts,
        raw,
    })
}

/// A chain in `dir` with a counter incremented three times, a logger, a transfer, a reverted
/// call and a contract whose storage was written and then cleared.
pub(crate) fn populate(dir: &Path) -> (Vec<Address>, Address) {
    let alice = alice();
    let mut chain = Chain::create(dir, genesis()).unwrap();
    assert_eq!(chain.path(), Some(dir));
    let counter = deploy_counter(&mut chain, &alice);
    for _ in 0..3 {
        assert!(increment(&mut chain, &alice, counter).status);
    }
    let raw = eip1559(
        &alice,
        4,
        TxKind::Create,
        U256::ZERO,
        init_code(&logger_runtime()),
    );
    let logger = chain
        .send_raw_transaction(&raw)
        .unwrap()
        .contract_address
        .unwrap();
    let raw = legacy(
        &alice,
        5,
        TxKind::Call(logger),
        U256::ZERO,
        hex!("c0ffee").to_vec(),
    );
    assert_eq!(chain.send_raw_transaction(&raw).unwrap().logs.len(), 2);
    let carol = Address::repeat_byte(0xca);
    let raw = eip2930(&bob(), 0, TxKind::Call(carol), ether(1), vec![]);
    assert!(chain.send_raw_transaction(&raw).unwrap().status);
    let raw = eip1559(
        &alice,
        6,
        TxKind::Create,
        U256::ZERO,
        init_code(&reverter_runtime(b"no")),
    );
    let reverter = chain
        .send_raw_transaction(&raw)
        .unwrap()
        .contract_address
        .unwrap();
    let raw = eip1559(&alice, 7, TxKind::Call(reverter), U256::ZERO, vec![]);
    assert!(!chain.send_raw_transaction(&raw).unwrap().status);
    let raw = eip1559(
        &alice,
        8,
        TxKind::Create,
        U256::ZERO,
        init_code(&toggle_runtime()),
    );
    let toggle = chain
        .send_raw_transaction(&raw)
        .unwrap()
        .contract_address
        .unwrap();
    for nonce in 9..11 {
        let raw = eip1559(&alice, nonce, TxKind::Call(toggle), U256::ZERO, vec![]);
        assert!(chain.send_raw_transaction(&raw).unwrap().status);
    }
    assert_eq!(
        chain.storage_at(toggle, U256::ZERO).unwrap(),
        U256::ZERO,
        "set, then cleared"
    );
    assert_eq!(chain.block_number(), 12);
    let accounts = vec![
        alice.address(),
        bob().address(),
        carol,
        counter,
        logger,
        reverter,
        toggle,
        Address::ZERO,
    ];
    (accounts, counter)
}

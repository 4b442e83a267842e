//! Signed transactions through [`Chain::send_raw_transaction`]: every accepted type is mined with
//! a complete receipt into a block of its own, and everything the chain must refuse is rejected
//! without changing anything.
#![allow(clippy::unwrap_used)]

mod common;

use alloy::{
    consensus::{Signed, TxEip1559, TxEip4844, TxEip7702, TxEnvelope, TxLegacy},
    eips::Encodable2718,
    primitives::{Address, B256, Bytes, Signature, TxKind, U256, hex},
    signers::local::PrivateKeySigner,
};
use common::*;
use medshare_evm::{Block, Chain, Error, Genesis, Receipt};

/// What a rejected transaction must leave untouched.
#[derive(Debug, PartialEq, Eq)]
struct Observed {
    head: Block,
    nonce: u64,
    balance: U256,
}

fn observe(chain: &Chain, who: Address) -> Observed {
    Observed {
        head: chain.head().clone(),
        nonce: chain.nonce(who).unwrap(),
        balance: chain.balance(who).unwrap(),
    }
}

/// Sends `raw`, expects a rejection, and checks that head, nonce and balance did not move.
fn assert_refused(chain: &mut Chain, who: Address, raw: &[u8]) -> Error {
    let before = observe(chain, who);
    let err = chain.send_raw_transaction(raw).unwrap_err();
    assert_eq!(
        observe(chain, who),
        before,
        "a refused transaction changed the chain ({err})"
    );
    assert_eq!(chain.block(before.head.number + 1).unwrap(), None);
    err
}

fn chain_with_counter() -> (Chain, Address) {
    let mut chain = Chain::in_memory(genesis()).unwrap();
    let counter = deploy_counter(&mut chain, &alice());
    (chain, counter)
}

/// Checks the receipt against its block and the chain's bookkeeping.
fn assert_mined(chain: &Chain, receipt: &Receipt, raw: &[u8]) {
    let block = chain.block(receipt.block_number).unwrap().unwrap();
    assert_eq!(block.hash, receipt.block_hash);
    assert_eq!(block.transactions, vec![receipt.transaction_hash]);
    assert_eq!(block.gas_used, receipt.gas_used);
    assert_eq!(receipt.transaction_index, 0);
    assert_eq!(
        receipt.cumulative_gas_used, receipt.gas_used,
        "one transaction per block"
    );
    assert_eq!(
        chain.receipt(receipt.transaction_hash).unwrap().as_ref(),
        Some(receipt)
    );
    assert_eq!(
        chain
            .raw_transaction(receipt.transaction_hash)
            .unwrap()
            .as_ref()
            .map(|b| &b[..]),
        Some(raw)
    );
    for (index, log) in receipt.logs.iter().enumerate() {
        assert_eq!(log.log_index, index as u64);
        assert_eq!(log.block_number, receipt.block_number);
        assert_eq!(log.block_hash, receipt.block_hash);
        assert_eq!(log.transaction_hash, receipt.transaction_hash);
        assert_eq!(log.transaction_index, 0);
    }
}

#[test]
fn each_accepted_transaction_type_is_mined_with_a_full_receipt() {
    let mut chain = Chain::in_memory(genesis()).unwrap();
    let alice = alice();
    let genesis_block = chain.block(0).unwrap().unwrap();
    assert_eq!(chain.head(), &genesis_block);
    assert_eq!(genesis_block.timestamp, GENESIS_TIME);
    assert_eq!(genesis_block.parent_hash, B256::ZERO);
    assert_eq!(chain.balance(alice.address()).unwrap(), ether(100));

    // Legacy (EIP-155) creation of the counter.
    let raw = legacy(&alice, 0, TxKind::Create, U256::ZERO, counter_init());
    let created = chain.send_raw_transaction(&raw).unwrap();
    assert_mined(&chain, &created, &raw);
    let counter = alice.address().create(0);
    assert!(created.status);
    assert_eq!(created.from, alice.address());
    assert_eq!(created.to, None);
    assert_eq!(created.contract_address, Some(counter));
    assert_eq!(created.block_number, 1);
    assert_eq!(created.effective_gas_price, GAS_PRICE);
    assert!(created.logs.is_empty());
    assert_eq!(
        created.output.as_ref(),
        counter_runtime().as_slice(),
        "creation returns the code"
    );
    assert_eq!(
        chain.code(counter).unwrap().as_ref(),
        counter_runtime().as_slice()
    );
    assert_eq!(chain.nonce(alice.address()).unwrap(), 1);
    assert_eq!(
        chain.nonce(counter).unwrap(),
        1,
        "EIP-161: a created contract starts at nonce 1"
    );

    // EIP-2930 call.
    let raw = eip2930(&alice, 1, TxKind::Call(counter), U256::ZERO, vec![]);
    let first = chain.send_raw_transaction(&raw).unwrap();
    assert_mined(&chain, &first, &raw);
    assert!(first.status);
    assert_eq!(first.to, Some(counter));
    assert_eq!(first.contract_address, None);
    assert!(
        first.gas_used > 21_000,
        "a storage write costs more than a transfer"
    );
    assert_eq!(first.output, Bytes::from(word(1).0));
    assert_eq!(first.logs.len(), 1);
    assert_eq!(first.logs[0].address, counter);
    assert_eq!(first.logs[0].topics, vec![COUNTER_TOPIC, word(1)]);
    assert!(first.logs[0].data.is_empty());
    assert_eq!(chain.nonce(alice.address()).unwrap(), 2);

    // EIP-1559 call.
    let raw = eip1559(&alice, 2, TxKind::Call(counter), U256::ZERO, vec![]);
    let second = chain.send_raw_transaction(&raw).unwrap();
    assert_mined(&chain, &second, &raw);
    assert!(second.status);
    assert_eq!(second.block_number, 3);
    assert_eq!(second.logs[0].topics, vec![COUNTER_TOPIC, word(2)]);
    assert_eq!(counter_value(&chain, counter), 2);
    assert_eq!(chain.nonce(alice.address()).unwrap(), 3);

    // Legacy call.
    let raw = legacy(&alice, 3, TxKind::Call(counter), U256::ZERO, vec![]);
    let third = chain.send_raw_transaction(&raw).unwrap();
    assert_mined(&chain, &third, &raw);
    assert_eq!(counter_value(&chain, counter), 3);

    // Gas was paid at the (legacy or EIP-1559 effective) price by the sender.
    let paid: u64 = [&created, &first, &second, &third]
        .iter()
        .map(|r| r.gas_used)
        .sum();
    assert_eq!(
        chain.balance(alice.address()).unwrap(),
        ether(100) - U256::from(paid) * U256::from(GAS_PRICE)
    );

    // The blocks form a chain with strictly increasing timestamps.
    assert_eq!(chain.block_number(), 4);
    assert_eq!(chain.head(), &chain.block(4).unwrap().unwrap());
    assert_eq!(chain.block(5).unwrap(), None);
    for n in 1..=4 {
        let parent = chain.block(n - 1).unwrap().unwrap();
        let block = chain.block(n).unwrap().unwrap();
        assert_eq!(block.number, n);
        assert_eq!(block.parent_hash, parent.hash);
        assert_ne!(block.hash, parent.hash);
        assert!(
            block.timestamp > parent.timestamp,
            "timestamps must increase strictly"
        );
        assert_eq!(block.gas_limit, Genesis::DEFAULT_GAS_LIMIT);
        assert_eq!(block.base_fee_per_gas, 0);
    }
}

#[test]
fn value_transfer_moves_exactly_value_plus_fee() {
    let mut chain = Chain::in_memory(genesis()).unwrap();
    let alice = alice();
    let carol = Address::repeat_byte(0xca);
    let raw = legacy(&alice, 0, TxKind::Call(carol), ether(3), vec![]);
    let receipt = chain.send_raw_transaction(&raw).unwrap();
    assert_mined(&chain, &receipt, &raw);
    assert!(receipt.status);
    assert_eq!(receipt.gas_used, 21_000);
    assert!(receipt.logs.is_empty());
    assert!(receipt.output.is_empty());
    assert_eq!(chain.balance(carol).unwrap(), ether(3));
    assert_eq!(
        chain.balance(alice.address()).unwrap(),
        ether(97) - U256::from(21_000u64) * U256::from(GAS_PRICE)
    );
    assert_eq!(chain.nonce(alice.address()).unwrap(), 1);
    assert_eq!(chain.nonce(carol).unwrap(), 0);
}

#[test]
fn eip1559_receipt_reports_the_price_actually_paid() {
    let mut chain = Chain::in_memory(genesis()).unwrap();
    let alice = alice();
    // Base fee is zero, so the sender pays the priority fee, not the maximum fee.
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: 0,
        gas_limit: 50_000,
        max_fee_per_gas: 10 * GAS_PRICE,
        max_priority_fee_per_gas: GAS_PRICE,
        to: TxKind::Call(Address::repeat_byte(0xca)),
        value: U256::from(1u64),
        ..Default::default()
    };
    let (raw, hash) = sign(&alice, tx);
    let receipt = chain.send_raw_transaction(&raw).unwrap();
    assert_eq!(receipt.transaction_hash, hash);
    let spent = ether(100) - chain.balance(alice.address()).unwrap() - U256::from(1u64);
    assert_eq!(spent, U256::from(receipt.gas_used) * U256::from(GAS_PRICE));
    assert_eq!(receipt.effective_gas_price, GAS_PRICE);
}

#[test]
fn logs_of_one_transaction_are_indexed_in_order() {
    let mut chain = Chain::in_memory(genesis()).unwrap();
    let alice = alice();
    let raw = eip1559(
        &alice,
        0,
        TxKind::Create,
        U256::ZERO,
        init_code(&logger_runtime()),
    );
    let logger = chain
        .send_raw_transaction(&raw)
        .unwrap()
        .contract_address
        .unwrap();
    let raw = eip1559(
        &alice,
        1,
        TxKind::Call(logger),
        U256::ZERO,
        hex!("0102030405").to_vec(),
    );
    let receipt = chain.send_raw_transaction(&raw).unwrap();
    assert_mined(&chain, &receipt, &raw);
    assert_eq!(receipt.logs.len(), 2);
    assert_eq!(receipt.logs[0].topics, vec![LOGGER_TOPIC_A]);
    assert_eq!(receipt.logs[0].data.as_ref(), hex!("0102030405"));
    assert_eq!(receipt.logs[0].log_index, 0);
    assert_eq!(receipt.logs[1].topics, vec![LOGGER_TOPIC_B]);
    assert!(receipt.logs[1].data.is_empty());
    assert_eq!(receipt.logs[1].log_index, 1);
    assert!(receipt.logs.iter().all(|log| log.address == logger));
}

#[test]
fn reverted_call_is_mined_with_revert_data_and_consumes_the_nonce() {
    let mut chain = Chain::in_memory(genesis()).unwrap();
    let alice = alice();
    // Error(string)-like payload: selector 0x08c379a0 and some bytes.
    let revert_data =
        hex!("08c379a0 deadbeef 0000000000000000000000000000000000000000000000000000000000000042");
    let raw = eip1559(
        &alice,
        0,
        TxKind::Create,
        U256::ZERO,
        init_code(&reverter_runtime(&revert_data)),
    );
    let reverter = chain
        .send_raw_transaction(&raw)
        .unwrap()
        .contract_address
        .unwrap();
    let counter = deploy_counter(&mut chain, &alice);

    let balance_before = chain.balance(alice.address()).unwrap();
    let raw = legacy(&alice, 2, TxKind::Call(reverter), U256::ZERO, vec![0x01]);
    let receipt = chain.send_raw_transaction(&raw).unwrap();
    assert_mined(&chain, &receipt, &raw);
    assert!(!receipt.status);
    assert_eq!(receipt.output.as_ref(), revert_data.as_slice());
    assert!(receipt.logs.is_empty());
    assert_eq!(receipt.block_number, 3);
    assert_eq!(chain.block_number(), 3);
    assert_eq!(
        chain.nonce(alice.address()).unwrap(),
        3,
        "a reverted transaction still uses its nonce"
    );
    assert_eq!(
        chain.balance(alice.address()).unwrap(),
        balance_before - U256::from(receipt.gas_used) * U256::from(GAS_PRICE),
        "a reverted transaction still pays for its gas"
    );

    // Value sent with a reverted call stays with the sender.
    let raw = legacy(&alice, 3, TxKind::Call(reverter), ether(1), vec![]);
    let receipt = chain.send_raw_transaction(&raw).unwrap();
    assert!(!receipt.status);
    assert_eq!(chain.balance(reverter).unwrap(), U256::ZERO);

    // The chain goes on normally afterwards.
    assert!(increment(&mut chain, &alice, counter).status);
    assert_eq!(counter_value(&chain, counter), 1);
}

#[test]
fn reverted_creation_deploys_nothing() {
    let mut chain = Chain::in_memory(genesis()).unwrap();
    let alice = alice();
    let raw = eip1559(
        &alice,
        0,
        TxKind::Create,
        U256::ZERO,
        reverting_init(&hex!("abcd")),
    );
    let receipt = chain.send_raw_transaction(&raw).unwrap();
    assert!(!receipt.status);
    assert_eq!(receipt.to, None);
    assert_eq!(receipt.contract_address, None);
    assert_eq!(receipt.output.as_ref(), hex!("abcd"));
    assert!(chain.code(alice.address().create(0)).unwrap().is_empty());
    assert_eq!(chain.nonce(alice.address()).unwrap(), 1);
}

#[test]
fn wrong_chain_id_is_rejected() {
    let (mut chain, counter) = chain_with_counter();
    let alice = alice();
    let tx = TxEip1559 {
        chain_id: 1,
        nonce: 1,
        gas_limit: GAS_LIMIT,
        max_fee_per_gas: GAS_PRICE,
        max_priority_fee_per_gas: GAS_PRICE,
        to: TxKind::Call(counter),
        ..Default::default()
    };
    let err = assert_refused(&mut chain, alice.address(), &sign(&alice, tx).0);
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
    let tx = TxLegacy {
        chain_id: Some(CHAIN_ID + 1),
        nonce: 1,
        gas_price: GAS_PRICE,
        gas_limit: GAS_LIMIT,
        to: TxKind::Call(counter),
        ..Default::default()
    };
    let err = assert_refused(&mut chain, alice.address(), &sign(&alice, tx).0);
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
    assert_eq!(counter_value(&chain, counter), 0);
}

#[test]
fn a_chain_with_another_id_accepts_its_own_transactions_only() {
    let alice = alice();
    let mut chain = Chain::in_memory(genesis().with_chain_id(4242)).unwrap();
    assert_eq!(chain.chain_id(), 4242);
    // The helpers sign for the default chain id: refused here.
    let err = assert_refused(
        &mut chain,
        alice.address(),
        &legacy(&alice, 0, TxKind::Call(Address::ZERO), U256::ZERO, vec![]),
    );
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
    let tx = TxLegacy {
        chain_id: Some(4242),
        gas_price: GAS_PRICE,
        gas_limit: 21_000,
        to: TxKind::Call(Address::ZERO),
        ..Default::default()
    };
    assert!(
        chain
            .send_raw_transaction(&sign(&alice, tx).0)
            .unwrap()
            .status
    );
}

#[test]
fn nonce_too_low_and_too_high_are_rejected() {
    let (mut chain, counter) = chain_with_counter();
    let alice = alice();
    assert_eq!(chain.nonce(alice.address()).unwrap(), 1);
    // Too low: nonce 0 is used (a different transaction than the deployment).
    let err = assert_refused(
        &mut chain,
        alice.address(),
        &eip1559(&alice, 0, TxKind::Call(counter), U256::ZERO, vec![]),
    );
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
    // Too high: nothing is queued for later.
    let err = assert_refused(
        &mut chain,
        alice.address(),
        &eip1559(&alice, 2, TxKind::Call(counter), U256::ZERO, vec![]),
    );
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
    assert!(increment(&mut chain, &alice, counter).status);
    assert_eq!(chain.nonce(alice.address()).unwrap(), 2);
    assert_eq!(
        counter_value(&chain, counter),
        1,
        "the too-high transaction was not kept"
    );
}

#[test]
fn replaying_the_same_raw_transaction_is_rejected() {
    let (mut chain, counter) = chain_with_counter();
    let alice = alice();
    let raw = legacy(&alice, 1, TxKind::Call(counter), U256::ZERO, vec![]);
    let receipt = chain.send_raw_transaction(&raw).unwrap();
    let err = assert_refused(&mut chain, alice.address(), &raw);
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
    assert_eq!(counter_value(&chain, counter), 1);
    assert_eq!(
        chain.receipt(receipt.transaction_hash).unwrap(),
        Some(receipt)
    );
}

#[test]
fn garbage_and_trailing_bytes_are_malformed() {
    let (mut chain, counter) = chain_with_counter();
    let alice = alice();
    let raw = eip1559(&alice, 1, TxKind::Call(counter), U256::ZERO, vec![]);
    let mut garbage: Vec<Vec<u8>> = vec![
        vec![],
        hex!("deadbeef").to_vec(),
        vec![0x02],
        vec![0x7f, 0x00, 0x01],
        raw[..raw.len() - 1].to_vec(),
    ];
    garbage.push([&raw[..], &[0x00]].concat());
    garbage.push([&raw[..], &raw[..]].concat());
    for bytes in &garbage {
        let err = assert_refused(&mut chain, alice.address(), bytes);
        assert!(
            matches!(err, Error::MalformedTransaction(_)),
            "{}: {err:?}",
            hex::encode(bytes)
        );
    }
    // The transaction itself, without the extra bytes, is fine.
    assert!(chain.send_raw_transaction(&raw).unwrap().status);
    assert_eq!(counter_value(&chain, counter), 1);
}

#[test]
fn invalid_signature_is_rejected() {
    let (mut chain, counter) = chain_with_counter();
    let alice = alice();
    let tx = TxLegacy {
        chain_id: Some(CHAIN_ID),
        nonce: 1,
        gas_price: GAS_PRICE,
        gas_limit: GAS_LIMIT,
        to: TxKind::Call(counter),
        ..Default::default()
    };
    // r = 0 is no point on the curve: nothing can be recovered.
    let sig = Signature::new(U256::ZERO, U256::from(1u64), false);
    let raw = TxEnvelope::from(Signed::new_unhashed(tx, sig)).encoded_2718();
    let err = assert_refused(&mut chain, alice.address(), &raw);
    assert!(
        matches!(err, Error::Rejected(_) | Error::MalformedTransaction(_)),
        "{err:?}"
    );
}

#[test]
fn unprotected_legacy_transaction_is_rejected() {
    let (mut chain, counter) = chain_with_counter();
    let alice = alice();
    let tx = TxLegacy {
        chain_id: None,
        nonce: 1,
        gas_price: GAS_PRICE,
        gas_limit: GAS_LIMIT,
        to: TxKind::Call(counter),
        ..Default::default()
    };
    let (raw, _) = sign(&alice, tx);
    let err = assert_refused(&mut chain, alice.address(), &raw);
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
    assert_eq!(counter_value(&chain, counter), 0);
}

#[test]
fn blob_and_set_code_transactions_are_rejected() {
    let (mut chain, counter) = chain_with_counter();
    let alice = alice();
    let blob = TxEip4844 {
        chain_id: CHAIN_ID,
        nonce: 1,
        gas_limit: GAS_LIMIT,
        max_fee_per_gas: GAS_PRICE,
        max_priority_fee_per_gas: GAS_PRICE,
        to: counter,
        blob_versioned_hashes: vec![B256::with_last_byte(1)],
        max_fee_per_blob_gas: 1,
        ..Default::default()
    };
    let (raw, _) = sign(&alice, blob);
    assert_eq!(raw[0], 3);
    let err = assert_refused(&mut chain, alice.address(), &raw);
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");

    let set_code = TxEip7702 {
        chain_id: CHAIN_ID,
        nonce: 1,
        gas_limit: GAS_LIMIT,
        max_fee_per_gas: GAS_PRICE,
        max_priority_fee_per_gas: GAS_PRICE,
        to: counter,
        ..Default::default()
    };
    let (raw, _) = sign(&alice, set_code);
    assert_eq!(raw[0], 4);
    let err = assert_refused(&mut chain, alice.address(), &raw);
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
    assert_eq!(counter_value(&chain, counter), 0);
}

#[test]
fn gas_limit_above_the_block_gas_limit_is_rejected() {
    let (mut chain, counter) = chain_with_counter();
    let alice = alice();
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: 1,
        gas_limit: Genesis::DEFAULT_GAS_LIMIT + 1,
        max_fee_per_gas: 1,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(counter),
        ..Default::default()
    };
    let err = assert_refused(&mut chain, alice.address(), &sign(&alice, tx).0);
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
    // Exactly the block gas limit is fine.
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: 1,
        gas_limit: Genesis::DEFAULT_GAS_LIMIT,
        max_fee_per_gas: 1,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(counter),
        ..Default::default()
    };
    assert!(
        chain
            .send_raw_transaction(&sign(&alice, tx).0)
            .unwrap()
            .status
    );
}

#[test]
fn insufficient_balance_is_rejected() {
    let (mut chain, _) = chain_with_counter();
    let alice = alice();
    let carol = Address::repeat_byte(0xca);
    // The whole balance as value leaves nothing for gas.
    let balance = chain.balance(alice.address()).unwrap();
    let err = assert_refused(
        &mut chain,
        alice.address(),
        &legacy(&alice, 1, TxKind::Call(carol), balance, vec![]),
    );
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
    assert_eq!(chain.balance(carol).unwrap(), U256::ZERO);
    // Value plus the maximum fee exactly covered: accepted.
    let fee = U256::from(GAS_LIMIT) * U256::from(GAS_PRICE);
    let raw = legacy(&alice, 1, TxKind::Call(carol), balance - fee, vec![]);
    assert!(chain.send_raw_transaction(&raw).unwrap().status);
    assert_eq!(chain.balance(carol).unwrap(), balance - fee);

    // An unfunded key cannot pay for gas at all.
    let dave = PrivateKeySigner::from_bytes(&B256::repeat_byte(0xdd)).unwrap();
    let err = assert_refused(
        &mut chain,
        dave.address(),
        &legacy(&dave, 0, TxKind::Call(carol), U256::ZERO, vec![]),
    );
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
}

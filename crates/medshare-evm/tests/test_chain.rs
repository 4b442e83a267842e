//! The test-only controls of [`TestChain`]: snapshot/revert (state, head, blocks, receipts, logs
//! and clock), time travel, balance setting and impersonation.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use alloy::primitives::{Address, B256, Bytes, TxKind, U256};
use common::*;
use medshare_evm::{CallRequest, Error, LogFilter, TestChain};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn chain_with_counter() -> (TestChain, Address) {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let counter = deploy_counter(&mut chain, &alice());
    (chain, counter)
}

/// Everything observable that a revert must restore.
#[derive(Debug, PartialEq, Eq)]
struct View {
    head: medshare_evm::Block,
    counter: u64,
    alice_nonce: u64,
    alice_balance: U256,
    logs: Vec<medshare_evm::Log>,
}

fn view(chain: &TestChain, counter: Address) -> View {
    View {
        head: chain.head().clone(),
        counter: counter_value(chain, counter),
        alice_nonce: chain.nonce(alice().address()),
        alice_balance: chain.balance(alice().address()),
        logs: chain.logs(&LogFilter::default()).unwrap(),
    }
}

#[test]
fn revert_restores_state_head_blocks_receipts_and_logs() {
    let (mut chain, counter) = chain_with_counter();
    let alice = alice();
    increment(&mut chain, &alice, counter);
    let before = view(&chain, counter);
    let snapshot = chain.snapshot().unwrap();

    let later = increment(&mut chain, &alice, counter);
    let raw = chain
        .raw_transaction(later.transaction_hash)
        .unwrap()
        .unwrap();
    increment(&mut chain, &alice, counter);
    let carol = Address::repeat_byte(0xca);
    chain.set_balance(carol, ether(5)).unwrap();
    let other = chain
        .deploy_as(carol, counter_init())
        .unwrap()
        .contract_address
        .unwrap();
    assert_eq!(counter_value(&chain, counter), 3);
    assert_eq!(chain.block_number(), 5);

    chain.revert(snapshot).unwrap();
    assert_eq!(view(&chain, counter), before);
    assert_eq!(chain.block_number(), 2);
    for n in 3..=5 {
        assert_eq!(
            chain.block(n).unwrap(),
            None,
            "block {n} was mined after the snapshot"
        );
    }
    assert_eq!(chain.receipt(later.transaction_hash).unwrap(), None);
    assert_eq!(chain.raw_transaction(later.transaction_hash).unwrap(), None);
    assert_eq!(chain.balance(carol), U256::ZERO);
    assert_eq!(chain.nonce(carol), 0);
    assert!(chain.code(other).is_empty());
    assert!(
        chain
            .logs(&LogFilter::default().blocks(3, 100))
            .unwrap()
            .is_empty()
    );

    // The very same signed transaction can be mined again, at the same height.
    let again = chain.send_raw_transaction(&raw).unwrap();
    assert_eq!(again.transaction_hash, later.transaction_hash);
    assert_eq!(again.block_number, later.block_number);
    assert_eq!(again.block_hash, chain.block(3).unwrap().unwrap().hash);
    assert_eq!(
        chain.block(3).unwrap().unwrap().parent_hash,
        before.head.hash
    );
    assert_eq!(counter_value(&chain, counter), 2);
}

#[test]
fn nested_snapshots_revert_in_any_order_of_depth() {
    let (mut chain, counter) = chain_with_counter();
    let alice = alice();
    let at0 = view(&chain, counter);
    let s0 = chain.snapshot().unwrap();
    increment(&mut chain, &alice, counter);
    let at1 = view(&chain, counter);
    let s1 = chain.snapshot().unwrap();
    increment(&mut chain, &alice, counter);
    let s2 = chain.snapshot().unwrap();
    increment(&mut chain, &alice, counter);
    assert_ne!(s0, s1);
    assert_ne!(s1, s2);

    chain.revert(s1).unwrap();
    assert_eq!(view(&chain, counter), at1);
    // s2 was taken after s1: reverting to s1 discarded it.
    assert!(matches!(chain.revert(s2), Err(Error::UnknownSnapshot(_))));
    assert_eq!(
        view(&chain, counter),
        at1,
        "a failed revert changes nothing"
    );

    // Diverge from s1, then go further back to s0.
    increment(&mut chain, &alice, counter);
    let s3 = chain.snapshot().unwrap();
    assert_ne!(s3, s2, "ids are never reused");
    chain.revert(s0).unwrap();
    assert_eq!(view(&chain, counter), at0);
    assert!(matches!(chain.revert(s1), Err(Error::UnknownSnapshot(_))));
    assert!(matches!(chain.revert(s3), Err(Error::UnknownSnapshot(_))));
}

#[test]
fn reverting_twice_to_the_same_snapshot() {
    let (mut chain, counter) = chain_with_counter();
    let alice = alice();
    let at = view(&chain, counter);
    let snapshot = chain.snapshot().unwrap();
    for round in 1..=3u64 {
        for _ in 0..round {
            increment(&mut chain, &alice, counter);
        }
        assert_eq!(counter_value(&chain, counter), round);
        chain.revert(snapshot).unwrap();
        assert_eq!(view(&chain, counter), at, "round {round}");
    }
}

#[test]
fn unknown_snapshot_is_an_error() {
    let (mut chain, counter) = chain_with_counter();
    let mut other = TestChain::new().unwrap();
    let foreign = other.snapshot().unwrap();
    let err = chain.revert(foreign).unwrap_err();
    assert!(matches!(err, Error::UnknownSnapshot(1)), "{err:?}");
    assert_eq!(err.to_string(), "unknown snapshot 1");
    assert_eq!(counter_value(&chain, counter), 0);
    assert_eq!(chain.block_number(), 1);
}

#[test]
fn increase_time_moves_block_timestamps_forward() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let clock = chain
        .deploy_as(Address::ZERO, init_code(&clock_runtime()))
        .unwrap();
    let clock = clock.contract_address.unwrap();
    let first = chain.head().timestamp;
    assert!(
        first >= now() - 1 && first <= now() + 1,
        "blocks follow the wall clock"
    );

    chain.increase_time(86_400);
    let start = now();
    let receipt = chain
        .send_as(Address::ZERO, Some(clock), vec![], U256::ZERO)
        .unwrap();
    let block = chain.block(receipt.block_number).unwrap().unwrap();
    assert!(
        block.timestamp >= start + 86_400,
        "{} < {}",
        block.timestamp,
        start + 86_400
    );
    assert!(block.timestamp <= now() + 86_400 + 1);
    assert_eq!(
        decode_clock(&receipt.output),
        (block.timestamp, block.number),
        "the EVM sees it"
    );

    // The offset accumulates and stays for later blocks.
    chain.increase_time(3_600);
    let receipt = chain
        .send_as(Address::ZERO, Some(clock), vec![], U256::ZERO)
        .unwrap();
    let (timestamp, _) = decode_clock(&receipt.output);
    assert!(timestamp >= start + 86_400 + 3_600);
}

#[test]
fn set_next_block_timestamp_applies_to_one_block() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let clock = chain
        .deploy_as(Address::ZERO, init_code(&clock_runtime()))
        .unwrap();
    let clock = clock.contract_address.unwrap();
    let target = now() + 1_000_000;
    chain.set_next_block_timestamp(target);

    // A rejected transaction does not consume the override.
    let unfunded = signer(0x99);
    let raw = legacy(&unfunded, 0, TxKind::Call(clock), U256::ZERO, vec![]);
    assert!(chain.send_raw_transaction(&raw).is_err());
    let call = chain
        .call(&CallRequest::new(Address::ZERO, clock, Bytes::new()))
        .unwrap();
    assert_eq!(
        decode_clock(&call.output).0,
        target,
        "calls run in the next block"
    );

    let receipt = chain
        .send_as(Address::ZERO, Some(clock), vec![], U256::ZERO)
        .unwrap();
    let block = chain.block(receipt.block_number).unwrap().unwrap();
    assert_eq!(block.timestamp, target);
    assert_eq!(decode_clock(&receipt.output), (target, block.number));

    // The next block is after it (the wall clock is far behind).
    chain
        .send_as(Address::ZERO, Some(clock), vec![], U256::ZERO)
        .unwrap();
    assert_eq!(chain.head().timestamp, target + 1);

    // A timestamp not after the head cannot be used: the next block is one second later.
    chain.set_next_block_timestamp(target - 10);
    chain
        .send_as(Address::ZERO, Some(clock), vec![], U256::ZERO)
        .unwrap();
    assert_eq!(chain.head().timestamp, target + 2);
}

#[test]
fn revert_restores_the_clock() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let snapshot = chain.snapshot().unwrap();
    chain.increase_time(1_000_000);
    chain.set_next_block_timestamp(now() + 5_000_000);
    chain.revert(snapshot).unwrap();
    chain
        .send_as(Address::ZERO, Some(Address::ZERO), vec![], U256::ZERO)
        .unwrap();
    let timestamp = chain.head().timestamp;
    assert!(
        timestamp <= now() + 1,
        "time travel undone: {timestamp} vs {}",
        now()
    );
}

#[test]
fn set_balance_funds_and_drains_accounts() {
    let (mut chain, counter) = chain_with_counter();
    let dave = signer(0xdd);
    let head = chain.head().clone();
    let raw = legacy(&dave, 0, TxKind::Call(counter), U256::ZERO, vec![]);
    assert!(matches!(
        chain.send_raw_transaction(&raw),
        Err(Error::Rejected(_))
    ));

    chain.set_balance(dave.address(), ether(2)).unwrap();
    assert_eq!(chain.balance(dave.address()), ether(2));
    assert_eq!(chain.head(), &head, "setting a balance mines no block");
    assert_eq!(chain.block(head.number).unwrap().unwrap(), head);
    let receipt = chain.send_raw_transaction(&raw).unwrap();
    assert!(receipt.status);
    assert_eq!(
        chain.balance(dave.address()),
        ether(2) - U256::from(receipt.gas_used) * U256::from(GAS_PRICE)
    );

    // Draining leaves the nonce, and the account can no longer pay.
    chain.set_balance(dave.address(), U256::ZERO).unwrap();
    assert_eq!(chain.balance(dave.address()), U256::ZERO);
    assert_eq!(chain.nonce(dave.address()), 1);
    let raw = legacy(&dave, 1, TxKind::Call(counter), U256::ZERO, vec![]);
    assert!(matches!(
        chain.send_raw_transaction(&raw),
        Err(Error::Rejected(_))
    ));

    // A contract keeps its code and storage.
    chain.set_balance(counter, U256::from(7u64)).unwrap();
    assert_eq!(chain.balance(counter), U256::from(7u64));
    assert_eq!(chain.code(counter).as_ref(), counter_runtime().as_slice());
    assert_eq!(counter_value(&chain, counter), 1);
    increment(&mut chain, &alice(), counter);
    assert_eq!(counter_value(&chain, counter), 2);
    assert_eq!(chain.balance(counter), U256::from(7u64));

    // And a snapshot covers balances set after it.
    let snapshot = chain.snapshot().unwrap();
    chain.set_balance(counter, U256::ZERO).unwrap();
    chain.revert(snapshot).unwrap();
    assert_eq!(chain.balance(counter), U256::from(7u64));
}

#[test]
fn impersonated_transactions_need_no_key_or_funds() {
    let mut chain = TestChain::new().unwrap();
    let stranger = Address::repeat_byte(0x5a);
    assert_eq!(chain.balance(stranger), U256::ZERO);
    let deployed = chain.deploy_as(stranger, counter_init()).unwrap();
    assert!(deployed.status);
    assert_eq!(deployed.from, stranger);
    let counter = deployed.contract_address.unwrap();
    assert_eq!(counter, stranger.create(0));
    let receipt = chain
        .send_as(stranger, Some(counter), vec![], U256::ZERO)
        .unwrap();
    assert!(receipt.status);
    assert_eq!(receipt.from, stranger);
    assert_eq!(receipt.to, Some(counter));
    assert_eq!(receipt.logs[0].topics, vec![COUNTER_TOPIC, word(1)]);
    assert_ne!(receipt.transaction_hash, deployed.transaction_hash);
    assert_eq!(
        chain.receipt(receipt.transaction_hash).unwrap(),
        Some(receipt.clone())
    );
    assert_ne!(receipt.transaction_hash, B256::ZERO);
    assert_eq!(chain.nonce(stranger), 2);
    // Value still needs a balance.
    assert!(matches!(
        chain.send_as(stranger, Some(counter), vec![], U256::from(1u64)),
        Err(Error::Rejected(_))
    ));
    assert_eq!(chain.nonce(stranger), 2);
}

//! Read-only calls ([`Chain::call`]) and gas estimation ([`Chain::estimate_gas`]): they see the
//! latest state, commit nothing, and the estimate is the exact gas limit a transaction needs.
#![allow(clippy::unwrap_used)]

mod common;

use alloy::{
    consensus::TxEip1559,
    primitives::{Address, Bytes, TxKind, U256, hex},
};
use common::*;
use medshare_evm::{CallRequest, Chain, Error, Genesis, TestChain};

fn deploy(chain: &mut TestChain, runtime: &[u8]) -> Address {
    let deployer = Address::repeat_byte(0xde);
    chain
        .deploy_as(deployer, init_code(runtime))
        .unwrap()
        .contract_address
        .unwrap()
}

/// A signed EIP-1559 call from alice with exactly `gas_limit`.
fn send_with_gas(chain: &mut Chain, to: Address, gas_limit: u64) -> medshare_evm::Receipt {
    let alice = alice();
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: chain.nonce(alice.address()).unwrap(),
        gas_limit,
        max_fee_per_gas: GAS_PRICE,
        max_priority_fee_per_gas: GAS_PRICE,
        to: TxKind::Call(to),
        ..Default::default()
    };
    chain.send_raw_transaction(&sign(&alice, tx).0).unwrap()
}

#[test]
fn call_returns_output_and_commits_nothing() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let counter = deploy(&mut chain, &counter_runtime());
    chain
        .send_as(alice().address(), Some(counter), vec![], U256::ZERO)
        .unwrap();
    let head = chain.head().clone();
    let nonce = chain.nonce(alice().address());

    let request = CallRequest::new(alice().address(), counter, Bytes::new());
    for _ in 0..3 {
        let outcome = chain.call(&request).unwrap();
        assert!(outcome.success);
        assert_eq!(
            outcome.output,
            Bytes::from(word(2).0),
            "sees the latest state, 1 + 1"
        );
        assert!(outcome.gas_used > 21_000);
    }
    assert_eq!(counter_value(&chain, counter), 1);
    assert_eq!(chain.head(), &head);
    assert_eq!(chain.nonce(alice().address()), nonce);
    assert!(
        chain.logs(&Default::default()).unwrap().len() == 1,
        "the call's log was not kept"
    );

    // The zero address as caller works too (no balance, no nonce needed).
    let outcome = chain
        .call(&CallRequest::new(Address::ZERO, counter, Bytes::new()))
        .unwrap();
    assert!(outcome.success);
    assert_eq!(outcome.output, Bytes::from(word(2).0));
}

#[test]
fn call_reports_reverts_with_their_data() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let data = hex!("cafebabe0000000000000000000000000000000000000000000000000000000000000007");
    let reverter = deploy(&mut chain, &reverter_runtime(&data));
    let outcome = chain
        .call(&CallRequest::new(alice().address(), reverter, Bytes::new()))
        .unwrap();
    assert!(!outcome.success);
    assert_eq!(outcome.output.as_ref(), data.as_slice());
    assert!(outcome.gas_used > 21_000);
}

#[test]
fn call_without_target_runs_init_code() {
    let chain = TestChain::with_genesis(genesis()).unwrap();
    let request = CallRequest {
        from: alice().address(),
        to: None,
        data: counter_init().into(),
        ..Default::default()
    };
    let outcome = chain.call(&request).unwrap();
    assert!(outcome.success);
    assert_eq!(outcome.output.as_ref(), counter_runtime().as_slice());
    assert!(
        chain.code(alice().address().create(0)).is_empty(),
        "nothing deployed"
    );
}

#[test]
fn call_runs_in_the_next_block() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let clock = deploy(&mut chain, &clock_runtime());
    chain.set_next_block_timestamp(4_000_000_000);
    let outcome = chain
        .call(&CallRequest::new(Address::ZERO, clock, Bytes::new()))
        .unwrap();
    assert_eq!(
        decode_clock(&outcome.output),
        (4_000_000_000, chain.block_number() + 1)
    );
}

#[test]
fn call_with_too_little_gas_fails() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let counter = deploy(&mut chain, &counter_runtime());
    let mut request = CallRequest::new(alice().address(), counter, Bytes::new());
    // Enough for the intrinsic cost only: out of gas during execution.
    request.gas = Some(21_000);
    let outcome = chain.call(&request).unwrap();
    assert!(!outcome.success);
    assert!(outcome.output.is_empty());
    // Below the intrinsic cost the call cannot even start.
    request.gas = Some(20_999);
    assert!(matches!(chain.call(&request), Err(Error::Rejected(_))));
    // Above the block gas limit neither.
    request.gas = Some(Genesis::DEFAULT_GAS_LIMIT + 1);
    assert!(matches!(chain.call(&request), Err(Error::Rejected(_))));
}

#[test]
fn call_with_value_needs_the_balance() {
    let chain = TestChain::with_genesis(genesis()).unwrap();
    let carol = Address::repeat_byte(0xca);
    let mut request = CallRequest::new(alice().address(), carol, Bytes::new());
    request.value = ether(1);
    assert!(chain.call(&request).unwrap().success);
    assert_eq!(chain.balance(carol), U256::ZERO, "nothing was transferred");
    request.from = Address::repeat_byte(0x99);
    assert!(matches!(chain.call(&request), Err(Error::Rejected(_))));
}

#[test]
fn estimate_is_the_exact_gas_limit_of_a_storage_write() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let counter = deploy(&mut chain, &counter_runtime());
    let request = CallRequest::new(alice().address(), counter, Bytes::new());

    // First write of the slot (zero to non-zero) and then a rewrite (non-zero to non-zero).
    let mut previous = None;
    for value in 1..=2u64 {
        let estimate = chain.estimate_gas(&request).unwrap();
        let with = |gas| {
            chain
                .call(&CallRequest {
                    gas: Some(gas),
                    ..request.clone()
                })
                .unwrap()
        };
        assert!(with(estimate).success, "estimate {estimate} is enough");
        assert!(
            !with(estimate - 1).success,
            "estimate {estimate} is the minimum"
        );
        if let Some(previous) = previous {
            assert!(
                estimate < previous,
                "rewriting a slot is cheaper than a first write"
            );
        }
        previous = Some(estimate);

        // A real transaction with one gas less runs out of gas, is mined, and changes nothing...
        let failed = send_with_gas(&mut chain, counter, estimate - 1);
        assert!(!failed.status);
        assert_eq!(
            failed.gas_used,
            estimate - 1,
            "out of gas consumes everything"
        );
        assert_eq!(counter_value(&chain, counter), value - 1);
        // ...and one with exactly the estimate succeeds.
        let receipt = send_with_gas(&mut chain, counter, estimate);
        assert!(receipt.status);
        assert_eq!(
            receipt.gas_used, estimate,
            "no refund: the estimate is the gas used"
        );
        assert_eq!(counter_value(&chain, counter), value);
    }
}

#[test]
fn estimate_covers_gas_that_is_refunded_later() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let toggle = deploy(&mut chain, &toggle_runtime());
    chain
        .send_as(alice().address(), Some(toggle), vec![], U256::ZERO)
        .unwrap();
    assert_eq!(chain.storage_at(toggle, U256::ZERO), U256::from(1u64));

    // Clearing the slot earns a refund, so the gas used is less than the limit it needs.
    let request = CallRequest::new(alice().address(), toggle, Bytes::new());
    let estimate = chain.estimate_gas(&request).unwrap();
    let with = |gas| {
        chain
            .call(&CallRequest {
                gas: Some(gas),
                ..request.clone()
            })
            .unwrap()
    };
    let at_estimate = with(estimate);
    assert!(at_estimate.success);
    assert!(!with(estimate - 1).success);
    assert!(
        at_estimate.gas_used < estimate,
        "refund: {} < {estimate}",
        at_estimate.gas_used
    );

    let receipt = send_with_gas(&mut chain, toggle, estimate);
    assert!(receipt.status);
    assert_eq!(receipt.gas_used, at_estimate.gas_used);
    assert_eq!(chain.storage_at(toggle, U256::ZERO), U256::ZERO);
}

#[test]
fn estimate_of_a_transfer_is_21000() {
    let chain = TestChain::with_genesis(genesis()).unwrap();
    let mut request = CallRequest::new(alice().address(), Address::repeat_byte(0xca), Bytes::new());
    request.value = ether(1);
    assert_eq!(chain.estimate_gas(&request).unwrap(), 21_000);
}

#[test]
fn estimate_of_a_deployment_suffices_for_it() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let request = CallRequest {
        from: alice().address(),
        to: None,
        data: counter_init().into(),
        ..Default::default()
    };
    let estimate = chain.estimate_gas(&request).unwrap();
    let with = |gas| {
        chain
            .call(&CallRequest {
                gas: Some(gas),
                ..request.clone()
            })
            .unwrap()
    };
    assert!(with(estimate).success);
    assert!(!with(estimate - 1).success);
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        gas_limit: estimate,
        max_fee_per_gas: GAS_PRICE,
        max_priority_fee_per_gas: GAS_PRICE,
        to: TxKind::Create,
        input: counter_init().into(),
        ..Default::default()
    };
    let receipt = chain.send_raw_transaction(&sign(&alice(), tx).0).unwrap();
    assert!(receipt.status);
    assert_eq!(receipt.gas_used, estimate);
}

#[test]
fn estimate_of_a_reverting_call_fails() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let reverter = deploy(&mut chain, &reverter_runtime(&hex!("0badf00d")));
    let err = chain
        .estimate_gas(&CallRequest::new(alice().address(), reverter, Bytes::new()))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Reverted(data) if data.as_ref() == hex!("0badf00d")),
        "{err}"
    );
    // A cap too low for the call halts: the same error, without revert data.
    let counter = deploy(&mut chain, &counter_runtime());
    let mut request = CallRequest::new(alice().address(), counter, Bytes::new());
    request.gas = Some(30_000);
    assert!(matches!(
        chain.estimate_gas(&request),
        Err(Error::Reverted(data)) if data.is_empty()
    ));
}

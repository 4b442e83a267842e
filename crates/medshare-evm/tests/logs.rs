//! Log queries ([`Chain::logs`]) with `eth_getLogs` semantics: address and per-position topic
//! alternatives, inclusive block ranges clamped to the head.
#![allow(clippy::unwrap_used)]

mod common;

use alloy::primitives::{Address, B256, U256};
use common::*;
use medshare_evm::{Chain, Log, LogFilter};

/// topic0 of the second counter.
const OTHER_TOPIC: B256 = B256::repeat_byte(0xd0);

/// Two counters A (topic [`COUNTER_TOPIC`]) and B (topic [`OTHER_TOPIC`]) in these blocks:
///
/// | block | transaction            | log            |
/// |-------|------------------------|----------------|
/// | 1     | deploy A               |                |
/// | 2     | deploy B               |                |
/// | 3     | increment A            | A, value 1     |
/// | 4     | increment B            | B, value 1     |
/// | 5     | increment A            | A, value 2     |
/// | 6     | log, then revert       | (discarded)    |
/// | 7     | increment A            | A, value 3     |
/// | 8     | increment B            | B, value 2     |
struct Fixture {
    chain: Chain,
    a: Address,
    b: Address,
}

fn fixture() -> Fixture {
    let alice = alice();
    let mut chain = Chain::in_memory(genesis()).unwrap();
    let a = deploy_counter(&mut chain, &alice);
    let raw = eip1559(
        &alice,
        1,
        alloy::primitives::TxKind::Create,
        U256::ZERO,
        init_code(&counter_runtime_with_topic(OTHER_TOPIC)),
    );
    let b = chain
        .send_raw_transaction(&raw)
        .unwrap()
        .contract_address
        .unwrap();
    increment(&mut chain, &alice, a);
    increment(&mut chain, &alice, b);
    increment(&mut chain, &alice, a);
    // Block 6: a transaction that emits a log and then reverts, discarding it.
    let raw = eip1559(
        &bob(),
        0,
        alloy::primitives::TxKind::Create,
        U256::ZERO,
        log_then_revert(),
    );
    assert!(!chain.send_raw_transaction(&raw).unwrap().status);
    increment(&mut chain, &alice, a);
    increment(&mut chain, &alice, b);
    assert_eq!(chain.block_number(), 8);
    Fixture { chain, a, b }
}

/// `(block, contract, value)` of each log, for compact comparisons.
fn summary(fixture: &Fixture, logs: &[Log]) -> Vec<(u64, char, u64)> {
    logs.iter()
        .map(|log| {
            let name = if log.address == fixture.a {
                'A'
            } else if log.address == fixture.b {
                'B'
            } else {
                '?'
            };
            (
                log.block_number,
                name,
                U256::from_be_bytes(log.topics[1].0).to::<u64>(),
            )
        })
        .collect()
}

fn query(fixture: &Fixture, filter: &LogFilter) -> Vec<(u64, char, u64)> {
    summary(fixture, &fixture.chain.logs(filter).unwrap())
}

const ALL: [(u64, char, u64); 5] = [
    (3, 'A', 1),
    (4, 'B', 1),
    (5, 'A', 2),
    (7, 'A', 3),
    (8, 'B', 2),
];

#[test]
fn unfiltered_query_returns_every_log_in_chain_order_with_positions() {
    let fixture = fixture();
    let logs = fixture.chain.logs(&LogFilter::default()).unwrap();
    assert_eq!(summary(&fixture, &logs), ALL);
    for log in &logs {
        let block = fixture.chain.block(log.block_number).unwrap().unwrap();
        assert_eq!(log.block_hash, block.hash);
        assert_eq!(block.transactions, vec![log.transaction_hash]);
        assert_eq!((log.transaction_index, log.log_index), (0, 0));
        let receipt = fixture
            .chain
            .receipt(log.transaction_hash)
            .unwrap()
            .unwrap();
        assert_eq!(receipt.logs, vec![log.clone()]);
    }
}

#[test]
fn filter_by_address() {
    let fixture = fixture();
    assert_eq!(
        query(&fixture, &LogFilter::address(fixture.a)),
        [(3, 'A', 1), (5, 'A', 2), (7, 'A', 3)]
    );
    assert_eq!(
        query(&fixture, &LogFilter::address(fixture.b)),
        [(4, 'B', 1), (8, 'B', 2)]
    );
    let both = LogFilter {
        addresses: vec![fixture.b, fixture.a],
        ..Default::default()
    };
    assert_eq!(query(&fixture, &both), ALL);
    assert!(query(&fixture, &LogFilter::address(Address::repeat_byte(0x77))).is_empty());
}

#[test]
fn filter_by_topic0() {
    let fixture = fixture();
    assert_eq!(
        query(&fixture, &LogFilter::default().event(COUNTER_TOPIC)),
        [(3, 'A', 1), (5, 'A', 2), (7, 'A', 3)]
    );
    assert_eq!(
        query(&fixture, &LogFilter::default().event(OTHER_TOPIC)),
        [(4, 'B', 1), (8, 'B', 2)]
    );
    let either = LogFilter::default().topic(0, vec![OTHER_TOPIC, COUNTER_TOPIC]);
    assert_eq!(query(&fixture, &either), ALL);
    assert!(query(&fixture, &LogFilter::default().event(B256::ZERO)).is_empty());
    // Address and event must both match.
    assert!(query(&fixture, &LogFilter::address(fixture.a).event(OTHER_TOPIC)).is_empty());
}

#[test]
fn filter_by_topic1_alternatives() {
    let fixture = fixture();
    // topic0 left open (empty alternatives match anything).
    let ones_and_threes = LogFilter::default().topic(1, vec![word(1), word(3)]);
    assert_eq!(ones_and_threes.topics, vec![vec![], vec![word(1), word(3)]]);
    assert_eq!(
        query(&fixture, &ones_and_threes),
        [(3, 'A', 1), (4, 'B', 1), (7, 'A', 3)]
    );
    let twos = LogFilter::default().topic(1, vec![word(2)]);
    assert_eq!(query(&fixture, &twos), [(5, 'A', 2), (8, 'B', 2)]);
    // Combined with topic0.
    let b_two = LogFilter::default()
        .event(OTHER_TOPIC)
        .topic(1, vec![word(2), word(9)]);
    assert_eq!(query(&fixture, &b_two), [(8, 'B', 2)]);
    assert!(query(&fixture, &LogFilter::default().topic(1, vec![word(4)])).is_empty());
    // A constraint on a topic the logs do not have matches nothing; an open one matches all.
    assert!(query(&fixture, &LogFilter::default().topic(2, vec![word(1)])).is_empty());
    assert_eq!(query(&fixture, &LogFilter::default().topic(2, vec![])), ALL);
}

#[test]
fn block_ranges_are_inclusive_and_clamped() {
    let fixture = fixture();
    let range = |from, to| query(&fixture, &LogFilter::default().blocks(from, to));
    assert_eq!(range(4, 7), [(4, 'B', 1), (5, 'A', 2), (7, 'A', 3)]);
    assert_eq!(range(5, 5), [(5, 'A', 2)]);
    assert_eq!(range(0, 2), [], "blocks without logs");
    assert_eq!(range(6, 6), [], "a reverted transaction keeps no logs");
    assert!(
        fixture
            .chain
            .logs(&LogFilter::address(bob().address().create(0)))
            .unwrap()
            .is_empty()
    );
    assert_eq!(range(0, 8), ALL);
    assert_eq!(range(7, 4), [], "from > to");
    assert_eq!(
        range(7, 1_000),
        [(7, 'A', 3), (8, 'B', 2)],
        "to beyond the head is clamped"
    );
    assert_eq!(range(9, 1_000), [], "from beyond the head");
    assert_eq!(range(u64::MAX, u64::MAX), []);
    let from_only = LogFilter {
        from_block: Some(5),
        ..Default::default()
    };
    assert_eq!(
        query(&fixture, &from_only),
        [(5, 'A', 2), (7, 'A', 3), (8, 'B', 2)]
    );
    let to_only = LogFilter {
        to_block: Some(4),
        ..Default::default()
    };
    assert_eq!(query(&fixture, &to_only), [(3, 'A', 1), (4, 'B', 1)]);
    // Everything at once.
    let combined = LogFilter::address(fixture.a)
        .topic(1, vec![word(1), word(2), word(3)])
        .blocks(4, 100);
    assert_eq!(query(&fixture, &combined), [(5, 'A', 2), (7, 'A', 3)]);
}

#[test]
fn matches_checks_address_and_topics_only() {
    let fixture = fixture();
    let logs = fixture.chain.logs(&LogFilter::default()).unwrap();
    let filter = LogFilter::address(fixture.a)
        .event(COUNTER_TOPIC)
        .blocks(100, 200);
    let matched: Vec<bool> = logs.iter().map(|log| filter.matches(log)).collect();
    assert_eq!(matched, [true, false, true, true, false]);
}

/// The log index answers exactly what reading every block answers, for every combination of
/// contracts, event topics, other topics and block ranges over the fixture.
#[test]
fn the_log_index_answers_as_a_full_scan_does() {
    let fixture = fixture();
    let every = fixture.chain.logs(&LogFilter::default()).unwrap();
    let value_topic = |value: u64| B256::from(U256::from(value));
    let contracts = [
        vec![fixture.a],
        vec![fixture.b],
        vec![fixture.a, fixture.b],
        vec![Address::repeat_byte(0x77)],
    ];
    let topic0s = [
        vec![],
        vec![COUNTER_TOPIC],
        vec![OTHER_TOPIC],
        vec![COUNTER_TOPIC, OTHER_TOPIC],
    ];
    let topic1s = [
        vec![],
        vec![value_topic(2)],
        vec![value_topic(1), value_topic(3)],
    ];
    let ranges = [(0, 8), (3, 3), (4, 7), (8, 100), (6, 6)];
    let mut compared = 0;
    for addresses in &contracts {
        for topic0 in &topic0s {
            for topic1 in &topic1s {
                for (from, to) in ranges {
                    let filter = LogFilter {
                        from_block: Some(from),
                        to_block: Some(to),
                        addresses: addresses.clone(),
                        topics: vec![topic0.clone(), topic1.clone()],
                    };
                    let expected: Vec<&Log> = every
                        .iter()
                        .filter(|log| {
                            (from..=to).contains(&log.block_number) && filter.matches(log)
                        })
                        .collect();
                    let found = fixture.chain.logs(&filter).unwrap();
                    assert_eq!(found.iter().collect::<Vec<_>>(), expected, "{filter:?}");
                    compared += usize::from(!expected.is_empty());
                }
            }
        }
    }
    assert!(
        compared > 20,
        "the combinations must find logs, not only nothing"
    );
}

//! Blocks with several transactions, as a node with a block period mines them: transactions
//! wait in the pending block (executed, with their nonces counted) until it is mined in one
//! commit; positions, cumulative gas and log indices run through the block.
#![allow(clippy::unwrap_used)]

mod common;

use alloy::primitives::{TxKind, U256, hex};
use common::*;
use medshare_evm::{Chain, Error, Genesis, LogFilter};

#[test]
fn pending_transactions_are_mined_together_in_one_block() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = Chain::create(dir.path(), genesis()).unwrap();
    let logger = deploy_counter_like_logger(&mut chain);
    let head = chain.block_number();
    let alice = alice();

    let first = chain
        .submit_raw_transaction(&eip1559(
            &alice,
            1,
            TxKind::Call(logger),
            U256::ZERO,
            hex!("01").to_vec(),
        ))
        .unwrap();
    // The next nonce counts the pending transaction; the mined state does not change yet.
    assert_eq!(chain.pending_nonce(alice.address()).unwrap(), 2);
    assert_eq!(chain.nonce(alice.address()).unwrap(), 1);
    assert!(chain.receipt(first).unwrap().is_none());
    let second = chain
        .submit_raw_transaction(&eip1559(
            &alice,
            2,
            TxKind::Call(logger),
            U256::ZERO,
            hex!("02").to_vec(),
        ))
        .unwrap();
    let third = chain
        .submit_raw_transaction(&eip2930(
            &bob(),
            0,
            TxKind::Call(logger),
            U256::ZERO,
            vec![],
        ))
        .unwrap();
    assert_eq!(chain.block_number(), head, "nothing mined yet");

    let block = chain.mine_pending().unwrap().unwrap();
    assert_eq!(block.number, head + 1);
    assert_eq!(block.transactions, vec![first, second, third]);
    let receipts: Vec<_> = block
        .transactions
        .iter()
        .map(|hash| chain.receipt(*hash).unwrap().unwrap())
        .collect();
    let mut cumulative = 0;
    let mut log_index = 0;
    for (index, receipt) in receipts.iter().enumerate() {
        assert_eq!(receipt.transaction_index, index as u64);
        assert_eq!(receipt.block_hash, block.hash);
        cumulative += receipt.gas_used;
        assert_eq!(receipt.cumulative_gas_used, cumulative);
        for log in &receipt.logs {
            assert_eq!(
                log.log_index, log_index,
                "log indices run through the block"
            );
            assert_eq!(log.transaction_index, index as u64);
            assert_eq!(log.block_hash, block.hash);
            log_index += 1;
        }
    }
    assert_eq!(block.gas_used, cumulative);
    assert!(log_index >= 6, "two logs per call");
    assert_eq!(
        chain.logs(&LogFilter::address(logger)).unwrap().len() as u64,
        log_index
    );
    assert!(chain.mine_pending().unwrap().is_none(), "no empty blocks");

    // The same after reopening, and the whole file checks out.
    drop(chain);
    let chain = Chain::open(dir.path()).unwrap();
    assert_eq!(chain.block(head + 1).unwrap().unwrap(), block);
    assert_eq!(chain.receipt(second).unwrap().unwrap(), receipts[1]);
    assert_eq!(chain.nonce(alice.address()).unwrap(), 3);
    assert_eq!(chain.verify().unwrap().transactions, head + 3);
}

/// The logger of the shared helpers, deployed by Alice with nonce 0.
fn deploy_counter_like_logger(chain: &mut Chain) -> alloy::primitives::Address {
    let raw = eip1559(
        &alice(),
        0,
        TxKind::Create,
        U256::ZERO,
        init_code(&logger_runtime()),
    );
    chain
        .send_raw_transaction(&raw)
        .unwrap()
        .contract_address
        .unwrap()
}

#[test]
fn a_rejected_transaction_leaves_the_pending_block_as_it_was() {
    let mut chain = Chain::in_memory(genesis()).unwrap();
    let logger = deploy_counter_like_logger(&mut chain);
    let raw = eip1559(&alice(), 1, TxKind::Call(logger), U256::ZERO, vec![]);
    let hash = chain.submit_raw_transaction(&raw).unwrap();
    // The same transaction again, a reused nonce, a nonce gap.
    assert!(
        matches!(chain.submit_raw_transaction(&raw), Err(Error::Rejected(m)) if m.contains("already known"))
    );
    let reused = eip1559(&alice(), 1, TxKind::Call(logger), U256::from(1), vec![]);
    assert!(matches!(
        chain.submit_raw_transaction(&reused),
        Err(Error::Rejected(_))
    ));
    let gap = eip1559(&alice(), 5, TxKind::Call(logger), U256::ZERO, vec![]);
    assert!(matches!(
        chain.submit_raw_transaction(&gap),
        Err(Error::Rejected(_))
    ));
    let block = chain.mine_pending().unwrap().unwrap();
    assert_eq!(block.transactions, vec![hash]);
    // Rejected first transactions open no block.
    assert!(chain.submit_raw_transaction(&gap).is_err());
    assert!(!chain.has_pending());
}

#[test]
fn a_block_never_exceeds_its_gas_limit() {
    // A transaction fits while the gas used so far plus its gas limit stays within the block's:
    // with transfers (21,000 gas) of limit GAS_LIMIT, two fit and the third does not.
    let genesis = Genesis {
        gas_limit: GAS_LIMIT + 31_000,
        ..genesis()
    };
    let mut chain = Chain::in_memory(genesis).unwrap();
    let to = TxKind::Call(bob().address());
    for nonce in 0..3 {
        chain
            .submit_raw_transaction(&eip1559(&alice(), nonce, to, U256::from(1), vec![]))
            .unwrap();
    }
    // The third did not fit: the first two were mined, the third waits in a new block.
    assert_eq!(chain.block_number(), 1);
    assert_eq!(chain.block(1).unwrap().unwrap().transactions.len(), 2);
    let last = chain.mine_pending().unwrap().unwrap();
    assert_eq!((last.number, last.transactions.len()), (2, 1));
}

#[test]
fn calls_see_the_mined_state_not_the_pending_block() {
    let mut chain = Chain::in_memory(genesis()).unwrap();
    let counter = deploy_counter(&mut chain, &alice());
    chain
        .submit_raw_transaction(&eip1559(
            &alice(),
            1,
            TxKind::Call(counter),
            U256::ZERO,
            vec![],
        ))
        .unwrap();
    assert_eq!(counter_value(&chain, counter), 0);
    chain.mine_pending().unwrap();
    assert_eq!(counter_value(&chain, counter), 1);
}

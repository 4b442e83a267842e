//! A chain persisted in a directory: reopening it yields exactly the same chain, and the
//! directory states that are not an openable chain (missing, existing on create, in use,
//! garbage) give their specific errors instead of panicking.
#![allow(clippy::unwrap_used)]

mod common;

use std::fs;

use alloy::primitives::{Address, TxKind, U256, hex};
use common::*;
use medshare_evm::{Chain, Error, Genesis};

const CHAIN_FILE: &str = "chain.redb";

#[test]
fn reopened_chain_is_identical_and_continues() {
    let dir = tempfile::tempdir().unwrap();
    let (accounts, counter) = populate(dir.path());
    let before = {
        let chain = Chain::open(dir.path()).unwrap();
        everything(&chain, &accounts)
    };
    assert_eq!(before.receipts.len(), 12);
    assert_eq!(before.logs.len(), 5);
    assert_eq!(counter_value_in(&before, counter), 3);

    // Reopen again (a third handle in sequence): still identical, and it goes on from there.
    let mut chain = Chain::open(dir.path()).unwrap();
    assert_eq!(everything(&chain, &accounts), before);
    assert_eq!(chain.path(), Some(dir.path()));
    let receipt = increment(&mut chain, &alice(), counter);
    assert_eq!(receipt.block_number, 13);
    assert_eq!(
        chain.block(13).unwrap().unwrap().parent_hash,
        before.head.hash
    );
    assert!(chain.head().timestamp > before.head.timestamp);
    assert_eq!(receipt.logs[0].topics[1], word(4));
    let after = everything(&chain, &accounts);
    drop(chain);

    let chain = Chain::open(dir.path()).unwrap();
    assert_eq!(everything(&chain, &accounts), after);
    assert_eq!(counter_value(&chain, counter), 4);
}

fn counter_value_in(everything: &Everything, counter: Address) -> u64 {
    everything
        .storage
        .iter()
        .find(|(a, _)| *a == counter)
        .unwrap()
        .1
        .to()
}

#[test]
fn first_handle_and_reopened_handle_agree() {
    let dir = tempfile::tempdir().unwrap();
    let alice = alice();
    let mut chain = Chain::create(dir.path(), genesis().with_chain_id(CHAIN_ID)).unwrap();
    let counter = deploy_counter(&mut chain, &alice);
    increment(&mut chain, &alice, counter);
    let accounts = [alice.address(), counter];
    let live = everything(&chain, &accounts);
    drop(chain);
    let reopened = Chain::open(dir.path()).unwrap();
    assert_eq!(everything(&reopened, &accounts), live);
    assert_eq!(
        reopened.code(counter).unwrap().as_ref(),
        counter_runtime().as_slice()
    );
}

#[test]
fn self_destructed_contract_stays_gone_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let alice = alice();
    let bob = bob();
    let contract = {
        let mut chain = Chain::create(dir.path(), genesis()).unwrap();
        let raw = eip1559(&alice, 0, TxKind::Create, ether(2), destructible_init());
        let contract = chain
            .send_raw_transaction(&raw)
            .unwrap()
            .contract_address
            .unwrap();
        assert_eq!(chain.code(contract).unwrap().as_ref(), hex!("33ff"));
        assert_eq!(
            chain.storage_at(contract, U256::ZERO).unwrap(),
            U256::from(1u64)
        );
        assert_eq!(chain.balance(contract).unwrap(), ether(2));
        contract
    };
    let bob_before;
    {
        let mut chain = Chain::open(dir.path()).unwrap();
        assert_eq!(
            chain.storage_at(contract, U256::ZERO).unwrap(),
            U256::from(1u64),
            "persisted"
        );
        bob_before = chain.balance(bob.address()).unwrap();
        let raw = eip1559(&bob, 0, TxKind::Call(contract), U256::ZERO, vec![]);
        let receipt = chain.send_raw_transaction(&raw).unwrap();
        assert!(receipt.status);
        let fee = U256::from(receipt.gas_used) * U256::from(GAS_PRICE);
        assert_eq!(
            chain.balance(bob.address()).unwrap(),
            bob_before + ether(2) - fee
        );
        assert!(chain.code(contract).unwrap().is_empty());
        assert_eq!(chain.storage_at(contract, U256::ZERO).unwrap(), U256::ZERO);
    }
    let chain = Chain::open(dir.path()).unwrap();
    assert!(chain.code(contract).unwrap().is_empty());
    assert_eq!(chain.storage_at(contract, U256::ZERO).unwrap(), U256::ZERO);
    assert_eq!(chain.balance(contract).unwrap(), U256::ZERO);
    assert_eq!(chain.nonce(contract).unwrap(), 0);
    assert!(chain.balance(bob.address()).unwrap() > bob_before + ether(1));
}

#[test]
fn create_in_a_missing_nested_directory() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a/b/c");
    let chain = Chain::create(&nested, genesis()).unwrap();
    assert_eq!(chain.block_number(), 0);
    drop(chain);
    assert!(nested.join(CHAIN_FILE).is_file());
    assert!(
        !nested.join(format!("{CHAIN_FILE}.tmp")).exists(),
        "no temporary file left"
    );
    let chain = Chain::open(&nested).unwrap();
    assert_eq!(chain.balance(alice().address()).unwrap(), ether(100));
    assert_eq!(chain.genesis(), &genesis());
}

#[test]
fn create_on_an_existing_chain_fails_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = Chain::create(dir.path(), genesis()).unwrap();
    let counter = deploy_counter(&mut chain, &alice());
    // While it is open...
    let err = Chain::create(dir.path(), Genesis::new(0)).unwrap_err();
    assert!(matches!(&err, Error::AlreadyExists { path } if path == &dir.path().join(CHAIN_FILE)));
    drop(chain);
    // ...and after.
    let err = Chain::create(dir.path(), Genesis::new(0)).unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err:?}");
    let chain = Chain::open(dir.path()).unwrap();
    assert_eq!(chain.block_number(), 1);
    assert_eq!(chain.genesis(), &genesis());
    assert_eq!(
        chain.code(counter).unwrap().as_ref(),
        counter_runtime().as_slice()
    );
}

#[test]
fn open_without_a_chain_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let err = Chain::open(dir.path()).unwrap_err();
    assert!(matches!(&err, Error::NotFound { path } if path == &dir.path().join(CHAIN_FILE)));
    let err = Chain::open(dir.path().join("missing")).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    // The leftover of an interrupted creation is no chain, and does not block a new one.
    fs::write(
        dir.path().join(format!("{CHAIN_FILE}.tmp")),
        b"half-written",
    )
    .unwrap();
    let err = Chain::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let created = tempfile::tempdir().unwrap();
    fs::write(
        created.path().join(format!("{CHAIN_FILE}.tmp")),
        b"half-written",
    )
    .unwrap();
    drop(Chain::create(created.path(), genesis()).unwrap());
    assert_eq!(Chain::open(created.path()).unwrap().block_number(), 0);
    // A directory in place of the file is no chain either.
    fs::create_dir(dir.path().join(CHAIN_FILE)).unwrap();
    let err = Chain::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    // Looking does not create anything.
    let other = tempfile::tempdir().unwrap();
    let _ = Chain::open(other.path());
    assert_eq!(fs::read_dir(other.path()).unwrap().count(), 0);
}

#[test]
fn second_open_in_the_same_process_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = Chain::create(dir.path(), genesis()).unwrap();
    let err = Chain::open(dir.path()).unwrap_err();
    assert!(err.is_locked(), "{err:?}");
    assert!(matches!(&err, Error::Locked { path } if path == &dir.path().join(CHAIN_FILE)));
    assert!(err.to_string().contains("in use"), "{err}");
    // The holder is unaffected by the refused open.
    let counter = deploy_counter(&mut chain, &alice());
    assert!(Chain::open(dir.path()).unwrap_err().is_locked());
    drop(chain);
    // Released on drop.
    let mut chain = Chain::open(dir.path()).unwrap();
    assert!(Chain::open(dir.path()).unwrap_err().is_locked());
    increment(&mut chain, &alice(), counter);
    drop(chain);
    assert_eq!(counter_value(&Chain::open(dir.path()).unwrap(), counter), 1);
}

/// Writes `bytes` as the chain file and expects [`Error::Corrupt`] from opening it.
fn assert_corrupt(bytes: &[u8], what: &str) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(CHAIN_FILE), bytes).unwrap();
    let result = std::panic::catch_unwind(|| Chain::open(dir.path()).map(|_| ()));
    let err = result
        .unwrap_or_else(|_| panic!("{what}: open panicked"))
        .unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{what}: {err:?}");
    assert!(
        err.to_string().starts_with("the chain state is corrupt"),
        "{what}: {err}"
    );
    // A second attempt behaves the same (the failed open released everything it took).
    assert!(
        matches!(Chain::open(dir.path()), Err(Error::Corrupt { .. })),
        "{what}: again"
    );
}

/// A valid chain file's bytes.
fn valid_chain_file() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = Chain::create(dir.path(), genesis()).unwrap();
    let counter = deploy_counter(&mut chain, &alice());
    increment(&mut chain, &alice(), counter);
    drop(chain);
    fs::read(dir.path().join(CHAIN_FILE)).unwrap()
}

#[test]
fn garbage_chain_file_is_corrupt() {
    // Pseudo-random bytes (xorshift), 64 KiB.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let random: Vec<u8> = (0..65_536)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    assert_corrupt(&random, "random bytes");
    assert_corrupt(b"{\"not\": \"a chain\"}\n", "text");
    assert_corrupt(&[0u8; 4096], "zeros");
    assert_corrupt(&[], "empty file");
}

#[test]
fn damaged_chain_file_is_corrupt() {
    let valid = valid_chain_file();
    assert!(valid.len() > 4096);
    // The real header followed by garbage.
    let mut damaged = valid.clone();
    for (i, byte) in damaged.iter_mut().enumerate().skip(64) {
        *byte = (i as u8).wrapping_mul(31) ^ 0x5a;
    }
    assert_corrupt(&damaged, "valid header, garbage body");
    // Cut short, in the header or in the body.
    assert_corrupt(&valid[..32], "truncated to 32 bytes");
    assert_corrupt(&valid[..valid.len() / 2], "truncated to half");
    assert_corrupt(&valid[..valid.len() - 1], "one byte short");

    // One damaged 4 KiB page at a time: opening never panics; it either reports corruption or
    // (for a page the chain does not use) opens.
    let mut corrupt = 0;
    for start in (0..valid.len()).step_by(4096) {
        let mut damaged = valid.clone();
        let end = (start + 4096).min(valid.len());
        damaged[start..end]
            .iter_mut()
            .for_each(|byte| *byte ^= 0xa5);
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(CHAIN_FILE), &damaged).unwrap();
        let result = std::panic::catch_unwind(|| Chain::open(dir.path()).map(|_| ()));
        match result.unwrap_or_else(|_| panic!("page at {start}: open panicked")) {
            Ok(()) => {}
            Err(Error::Corrupt { .. }) => corrupt += 1,
            Err(err) => panic!("page at {start}: {err:?}"),
        }
    }
    assert!(
        corrupt >= 2,
        "damaged header and root pages are detected ({corrupt})"
    );
}

#[test]
fn a_database_that_is_not_a_chain_is_corrupt() {
    // A redb database without the chain's tables, and one whose "meta" table has other types.
    for name in ["other", "meta"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CHAIN_FILE);
        {
            let db = redb::Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            {
                let table: redb::TableDefinition<'_, u64, u64> = redb::TableDefinition::new(name);
                let mut table = txn.open_table(table).unwrap();
                table.insert(1, 2).unwrap();
            }
            txn.commit().unwrap();
        }
        let err = Chain::open(dir.path()).unwrap_err();
        assert!(
            matches!(err, Error::Corrupt { .. }),
            "table {name}: {err:?}"
        );
    }
}

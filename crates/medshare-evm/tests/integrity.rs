//! Damage of a chain file is reported, never answered around (`docs/chain-integrity.md`): random
//! byte flips, and the damage a checksum alone would miss — a value under another key, a lost
//! entry, a consistently resealed value, an older file under a newer `HEAD`. Each test asserts
//! where the damage is caught: at open (the head), by the read that meets it (every value's
//! seal), or only by `verify` (the whole-file walk: lost, added or consistently resealed
//! entries).
//!
//! The seal is re-derived here from the spec, independently of `src/store.rs`, so that a drift
//! between the two shows up as a failing test.
#![allow(clippy::unwrap_used)]

mod common;

use std::{fs, path::Path};

use alloy::primitives::{Address, B256, Keccak256, TxKind, U256};
use common::*;
use medshare_evm::{Chain, Error, LogFilter, VerifyReport};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};

const CHAIN_FILE: &str = "chain.redb";
const HEAD_FILE: &str = "HEAD";
const DOMAIN: &[u8] = b"medshare-chain-3";

type Sealed = &'static [u8];
const META: TableDefinition<'_, &str, Sealed> = TableDefinition::new("meta");
const ACCOUNTS: TableDefinition<'_, [u8; 20], Sealed> = TableDefinition::new("accounts");
const STORAGE: TableDefinition<'_, [u8; 52], Sealed> = TableDefinition::new("storage");
const BLOCKS: TableDefinition<'_, u64, Sealed> = TableDefinition::new("blocks");

/// The spec's seal: `payload ‖ keccak256(DOMAIN ‖ u8 len(table) ‖ table ‖ u32 len(key) ‖ key ‖
/// payload)[..16]`.
fn seal(table: &str, key: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut hasher = Keccak256::new();
    hasher.update(DOMAIN);
    hasher.update([u8::try_from(table.len()).unwrap()]);
    hasher.update(table);
    hasher.update(u32::try_from(key.len()).unwrap().to_be_bytes());
    hasher.update(key);
    hasher.update(payload);
    [payload, &hasher.finalize()[..16]].concat()
}

fn storage_key(address: Address, slot: u64) -> [u8; 52] {
    let mut key = [0u8; 52];
    key[..20].copy_from_slice(address.as_slice());
    key[20..].copy_from_slice(&U256::from(slot).to_be_bytes::<32>());
    key
}

/// Opens the closed chain file of `dir` with redb itself, to damage it the way a disk would not
/// (consistently).
fn with_raw_database(dir: &Path, change: impl FnOnce(&redb::WriteTransaction)) {
    let db = redb::Database::open(dir.join(CHAIN_FILE)).unwrap();
    let txn = db.begin_write().unwrap();
    change(&txn);
    txn.commit().unwrap();
}

fn corruption(result: Result<impl std::fmt::Debug, Error>, what: &str) -> String {
    match result {
        Err(Error::Corrupt { reason }) => reason,
        other => panic!("{what}: expected corruption, got {other:?}"),
    }
}

#[test]
fn a_healthy_chain_verifies_with_its_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (accounts, _) = populate(dir.path());
    let chain = Chain::open(dir.path()).unwrap();
    let report = chain.verify().unwrap();
    assert_eq!(
        report,
        VerifyReport {
            blocks: 13,
            transactions: 12,
            receipts: 12,
            // Alice, Bob, Carol, the four contracts and the zero address (the block beneficiary).
            accounts: 8,
            // The counter's; the toggle's slot was set and cleared.
            storage_slots: 1,
            code_entries: 4,
        }
    );
    assert!(accounts.len() >= 7);
    // The seal of this spec is the one stored (a known answer re-derived from the spec).
    drop(chain);
    let db = redb::Database::open(dir.path().join(CHAIN_FILE)).unwrap();
    let txn = db.begin_read().unwrap();
    let meta = txn.open_table(META).unwrap();
    assert_eq!(
        meta.get("format").unwrap().unwrap().value(),
        seal("meta", b"format", b"medshare-chain-3").as_slice()
    );
}

/// The test, doubled: 2,000 random single-byte changes of a populated chain file. Each
/// is either reported as corruption (at open, by a read, or by `verify`) or changes no answer. Opening
/// reads only the head, so a change that hides an entry (a damaged key or redb page: the lookup
/// finds nothing, with no seal to fail) gives a wrong answer until `verify` runs; it must be
/// `verify` that reports it then.
#[test]
fn every_random_byte_flip_is_harmless_or_reported() {
    let original = tempfile::tempdir().unwrap();
    let (accounts, _) = populate(original.path());
    let expected = answers(&Chain::open(original.path()).unwrap(), &accounts).unwrap();
    let file = fs::read(original.path().join(CHAIN_FILE)).unwrap();
    let head = fs::read(original.path().join(HEAD_FILE)).unwrap();

    let damaged = tempfile::tempdir().unwrap();
    fs::write(damaged.path().join(HEAD_FILE), &head).unwrap();
    let mut rng: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let (mut at_open, mut at_read, mut by_verify, mut wrong, mut harmless) = (0, 0, 0, 0, 0);
    for round in 0..2_000 {
        let position = usize::try_from(next() % file.len() as u64).unwrap();
        let mask = u8::try_from(next() % 255).unwrap() + 1;
        let mut bytes = file.clone();
        bytes[position] ^= mask;
        fs::write(damaged.path().join(CHAIN_FILE), &bytes).unwrap();
        let what = format!("round {round}: byte {position} ^= {mask:#04x}");
        let outcome = std::panic::catch_unwind(|| {
            let chain = match Chain::open(damaged.path()) {
                Err(Error::Corrupt { .. }) => return "open",
                Err(other) => panic!("{what}: open failed with {other:?}"),
                Ok(chain) => chain,
            };
            let right = match answers(&chain, &accounts) {
                Err(NoAnswer::Read(Error::Corrupt { .. })) => return "read",
                Err(NoAnswer::Read(other)) => panic!("{what}: a read failed with {other:?}"),
                Err(NoAnswer::Vanished(_)) => false,
                Ok(found) => found == expected,
            };
            match chain.verify() {
                Err(Error::Corrupt { .. }) if right => "verify",
                Err(Error::Corrupt { .. }) => "wrong answer, then verify",
                Err(other) => panic!("{what}: verify failed with {other:?}"),
                Ok(_) if right => "harmless",
                Ok(_) => panic!("{what}: a wrong answer that verify does not report"),
            }
        });
        match outcome.unwrap_or_else(|_| panic!("panicked (see above)")) {
            "open" => at_open += 1,
            "read" => at_read += 1,
            "verify" => by_verify += 1,
            "wrong answer, then verify" => wrong += 1,
            _ => harmless += 1,
        }
    }
    eprintln!(
        "{at_open} reported at open, {at_read} by a read, {by_verify} by verify, \
         {wrong} answered wrongly and then reported by verify, {harmless} harmless"
    );
    // Much of this small file is redb's preallocated space: at least 5 % of the flips must land
    // in live data.
    assert!(
        at_open + at_read + by_verify + wrong >= 100,
        "too few flips hit data"
    );
}

#[test]
fn a_value_under_another_key_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path());
    // Bob's account record copied over Alice's: a valid seal, but for another key.
    with_raw_database(dir.path(), |txn| {
        let mut table = txn.open_table(ACCOUNTS).unwrap();
        let bob = table
            .get(bob().address().0.0)
            .unwrap()
            .unwrap()
            .value()
            .to_vec();
        table.insert(alice().address().0.0, bob.as_slice()).unwrap();
    });
    // Opening reads no account; the first read of Alice's does, and fails its checksum.
    let chain = Chain::open(dir.path()).unwrap();
    let reason = corruption(chain.balance(alice().address()), "moved value");
    assert!(
        reason.contains("accounts entry") && reason.contains("checksum"),
        "{reason}"
    );
    corruption(chain.verify(), "verify");
}

#[test]
fn a_damaged_state_entry_is_reported_by_the_call_that_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let (_, counter) = populate(dir.path());
    // One byte of the counter's slot flipped on disk, seal left as it was.
    with_raw_database(dir.path(), |txn| {
        let mut table = txn.open_table(STORAGE).unwrap();
        let key = storage_key(counter, 0);
        let mut sealed = table.get(key).unwrap().unwrap().value().to_vec();
        sealed[31] ^= 0x01;
        table.insert(key, sealed.as_slice()).unwrap();
    });
    let mut chain = Chain::open(dir.path()).unwrap();
    // What does not touch the slot still answers.
    assert_eq!(chain.nonce(alice().address()).unwrap(), 11);
    let call = medshare_evm::CallRequest::new(Address::ZERO, counter, Vec::new());
    let reason = corruption(chain.call(&call), "a call reading the slot");
    assert!(
        reason.contains("storage entry") && reason.contains("checksum"),
        "{reason}"
    );
    // A transaction reading it is refused, and nothing is committed.
    let raw = eip1559(&alice(), 11, TxKind::Call(counter), U256::ZERO, vec![]);
    corruption(
        chain.send_raw_transaction(&raw),
        "a transaction reading the slot",
    );
    assert_eq!(chain.block_number(), 12);
    assert!(!chain.has_pending());
    corruption(chain.storage_at(counter, U256::ZERO), "eth_getStorageAt");
}

#[test]
fn a_lost_state_entry_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (_, counter) = populate(dir.path());
    // The counter's slot vanishes, as if a branch page lost a child: no value is damaged.
    with_raw_database(dir.path(), |txn| {
        let mut table = txn.open_table(STORAGE).unwrap();
        assert!(table.remove(storage_key(counter, 0)).unwrap().is_some());
    });
    // No lookup can tell a lost entry from one never written: the chain opens and answers 0,
    // and only the whole-state sum of `verify` finds it.
    let mut chain = Chain::open(dir.path()).unwrap();
    assert_eq!(counter_value(&chain, counter), 0);
    let reason = corruption(chain.verify(), "lost entry");
    assert!(reason.contains("state digest"), "{reason}");
    // Blocks written over it keep the sum off: still found later.
    assert!(increment(&mut chain, &alice(), counter).status);
    let reason = corruption(chain.verify(), "lost entry, a block later");
    assert!(reason.contains("state digest"), "{reason}");
}

#[test]
fn a_consistently_resealed_state_value_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (_, counter) = populate(dir.path());
    // The counter's value changed from 3 to 4 with a correct seal: only the digest can tell.
    with_raw_database(dir.path(), |txn| {
        let mut table = txn.open_table(STORAGE).unwrap();
        let key = storage_key(counter, 0);
        let four = U256::from(4).to_be_bytes::<32>();
        table
            .insert(key, seal("storage", &key, &four).as_slice())
            .unwrap();
    });
    // A valid seal: reads answer 4 until `verify` sums the state.
    let chain = Chain::open(dir.path()).unwrap();
    assert_eq!(counter_value(&chain, counter), 4);
    let reason = corruption(chain.verify(), "resealed value");
    assert!(reason.contains("state digest"), "{reason}");
}

#[test]
fn a_consistently_resealed_old_block_is_found_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path());
    with_raw_database(dir.path(), |txn| {
        let mut table = txn.open_table(BLOCKS).unwrap();
        let sealed = table.get(3).unwrap().unwrap().value().to_vec();
        // The spec's block encoding: gas used is the u64 at bytes 88..96.
        let mut payload = sealed[..sealed.len() - 16].to_vec();
        payload[95] ^= 0x01;
        table
            .insert(3, seal("blocks", &3u64.to_le_bytes(), &payload).as_slice())
            .unwrap();
    });
    // The state and head are intact, so the chain opens; the whole-file check finds it.
    let chain = Chain::open(dir.path()).unwrap();
    let reason = corruption(chain.verify(), "resealed block");
    assert!(reason.contains("block 3"), "{reason}");
}

#[test]
fn an_older_chain_file_under_a_newer_head_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (_, counter) = populate(dir.path());
    let older = fs::read(dir.path().join(CHAIN_FILE)).unwrap();
    let mut chain = Chain::open(dir.path()).unwrap();
    assert!(increment(&mut chain, &alice(), counter).status);
    drop(chain);
    // The database silently back at block 12 (a damaged commit slot, a restored backup).
    fs::write(dir.path().join(CHAIN_FILE), &older).unwrap();
    let reason = corruption(Chain::open(dir.path()), "rollback");
    assert!(reason.contains("older state"), "{reason}");
}

#[test]
fn a_head_record_that_names_another_block_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path());
    let head = fs::read_to_string(dir.path().join(HEAD_FILE)).unwrap();
    let (number, _) = head.trim_end().split_once(' ').unwrap();
    assert_eq!(number, "12");
    fs::write(
        dir.path().join(HEAD_FILE),
        format!("12 {}\n", B256::repeat_byte(7)),
    )
    .unwrap();
    let reason = corruption(Chain::open(dir.path()), "other block");
    assert!(reason.contains("block 12 differs"), "{reason}");
}

#[test]
fn a_missing_head_record_is_reported_unless_only_the_genesis_exists() {
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path());
    fs::remove_file(dir.path().join(HEAD_FILE)).unwrap();
    let reason = corruption(Chain::open(dir.path()), "missing HEAD");
    assert!(reason.contains("HEAD is missing"), "{reason}");

    // A kill between publishing a new chain and writing its HEAD loses nothing.
    let fresh = tempfile::tempdir().unwrap();
    drop(Chain::create(fresh.path(), genesis()).unwrap());
    fs::remove_file(fresh.path().join(HEAD_FILE)).unwrap();
    let mut chain = Chain::open(fresh.path()).unwrap();
    deploy_counter(&mut chain, &alice());
    drop(chain);
    assert!(fresh.path().join(HEAD_FILE).is_file(), "recorded again");
    assert_eq!(
        Chain::open(fresh.path()).unwrap().verify().unwrap().blocks,
        2
    );
}

#[test]
fn a_chain_file_of_the_previous_layout_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path());
    with_raw_database(dir.path(), |txn| {
        let mut meta = txn.open_table(META).unwrap();
        meta.insert("format", b"medshare-chain-2".as_slice())
            .unwrap();
    });
    let reason = corruption(Chain::open(dir.path()), "old layout");
    assert!(reason.contains("\"medshare-chain-2\""), "{reason}");
}

#[test]
fn a_read_only_open_answers_the_same_and_checks_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let (accounts, counter) = populate(dir.path());
    let expected = answers(&Chain::open(dir.path()).unwrap(), &accounts).unwrap();
    let mut chain = Chain::open_read_only(dir.path()).unwrap();
    assert!(chain.is_read_only());
    assert!(answers(&chain, &accounts).unwrap() == expected);
    let nonce = chain.nonce(alice().address()).unwrap();
    let raw = eip1559(&alice(), nonce, TxKind::Call(counter), U256::ZERO, vec![]);
    assert!(matches!(
        chain.send_raw_transaction(&raw),
        Err(Error::ReadOnly { .. })
    ));
    assert!(
        answers(&chain, &accounts).unwrap() == expected,
        "nothing changed"
    );
    drop(chain);
    // A receipt that a lookup would no longer find: a read-only open has no redb page check,
    // so the whole-file check must catch it.
    let hash = expected.receipts[0].transaction_hash;
    with_raw_database(dir.path(), |txn| {
        let mut table = txn
            .open_table(TableDefinition::<[u8; 32], Sealed>::new("receipts"))
            .unwrap();
        assert!(table.remove(hash.0).unwrap().is_some());
    });
    let reason = corruption(Chain::open_read_only(dir.path()), "hidden receipt");
    assert!(
        reason.contains("receipt") && reason.contains("missing"),
        "{reason}"
    );
}

#[test]
fn a_head_record_left_behind_by_a_kill_is_brought_up_to_date_so_a_later_rollback_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let (_, counter) = populate(dir.path());
    let older_file = fs::read(dir.path().join(CHAIN_FILE)).unwrap();
    let older_head = fs::read(dir.path().join(HEAD_FILE)).unwrap();
    let mut chain = Chain::open(dir.path()).unwrap();
    assert!(increment(&mut chain, &alice(), counter).status);
    drop(chain);
    // As a kill between the commit of block 13 and its HEAD update leaves it.
    fs::write(dir.path().join(HEAD_FILE), &older_head).unwrap();
    let chain = Chain::open(dir.path()).unwrap();
    assert_eq!(chain.block_number(), 13);
    drop(chain);
    let head = fs::read_to_string(dir.path().join(HEAD_FILE)).unwrap();
    assert!(head.starts_with("13 "), "{head}");
    // Now the database going back to block 12 is caught.
    fs::write(dir.path().join(CHAIN_FILE), &older_file).unwrap();
    let reason = corruption(Chain::open(dir.path()), "rollback after a stale HEAD");
    assert!(reason.contains("older state"), "{reason}");
}

#[test]
fn every_damaged_head_record_is_reported_or_means_the_same() {
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path());
    let head = fs::read(dir.path().join(HEAD_FILE)).unwrap();
    for position in 0..head.len() {
        for mask in [0x01u8, 0x20, 0x80] {
            let mut damaged = head.clone();
            damaged[position] ^= mask;
            fs::write(dir.path().join(HEAD_FILE), &damaged).unwrap();
            match Chain::open(dir.path()) {
                Err(Error::Corrupt { .. }) => {}
                // Only a change that names the same block and digest (hex case) is harmless.
                Ok(_) => assert!(
                    String::from_utf8(damaged.clone())
                        .unwrap()
                        .eq_ignore_ascii_case(std::str::from_utf8(&head).unwrap()),
                    "byte {position} ^= {mask:#04x} accepted"
                ),
                Err(other) => panic!("byte {position} ^= {mask:#04x}: {other:?}"),
            }
        }
    }
}

#[test]
fn a_missing_block_below_the_head_is_an_error_not_an_absence() {
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path());
    with_raw_database(dir.path(), |txn| {
        let mut table = txn.open_table(BLOCKS).unwrap();
        assert!(table.remove(3).unwrap().is_some());
    });
    // The state and the head are intact, so the chain opens; reading block 3 is corruption.
    let chain = Chain::open(dir.path()).unwrap();
    corruption(chain.block(3), "block 3");
    corruption(chain.logs(&LogFilter::default()), "logs over block 3");
    assert!(
        chain.block(99).unwrap().is_none(),
        "beyond the head: absent"
    );
    corruption(chain.verify(), "verify");
}

#[test]
fn a_reader_of_a_chain_whose_writer_was_killed_is_told_to_recover_it() {
    let dir = tempfile::tempdir().unwrap();
    let (_, counter) = populate(dir.path());
    let mut chain = Chain::open(dir.path()).unwrap();
    assert!(increment(&mut chain, &alice(), counter).status);
    // The file as a killed writer leaves it: open, not closed cleanly.
    let snapshot = tempfile::tempdir().unwrap();
    for name in [CHAIN_FILE, HEAD_FILE] {
        fs::copy(dir.path().join(name), snapshot.path().join(name)).unwrap();
    }
    drop(chain);
    assert!(matches!(
        Chain::open_read_only(snapshot.path()),
        Err(Error::NeedsRecovery { .. })
    ));
    // One writable open recovers it; nothing is lost.
    assert_eq!(Chain::open(snapshot.path()).unwrap().block_number(), 13);
    assert_eq!(
        Chain::open_read_only(snapshot.path())
            .unwrap()
            .block_number(),
        13
    );
}

#[test]
fn a_log_index_that_disagrees_with_the_receipts_is_reported() {
    let index: TableDefinition<'_, [u8; 32], Sealed> = TableDefinition::new("logs_by_address");
    // The first index entry of `contract`.
    let first_key_of = |txn: &redb::WriteTransaction, contract: Address| {
        let table = txn.open_table(index).unwrap();
        table
            .iter()
            .unwrap()
            .map(|entry| entry.unwrap().0.value())
            .find(|key| key[..20] == contract[..])
            .unwrap()
    };

    // A lost entry: a query by contract would miss the log; verify finds it.
    let dir = tempfile::tempdir().unwrap();
    let (_, counter) = populate(dir.path());
    with_raw_database(dir.path(), |txn| {
        let key = first_key_of(txn, counter);
        txn.open_table(index).unwrap().remove(key).unwrap();
    });
    let chain = Chain::open(dir.path()).unwrap();
    let reason = corruption(chain.verify(), "lost index entry");
    assert!(reason.contains("missing from the log index"), "{reason}");
    drop(chain);

    // An entry resealed to name another transaction: the query itself refuses it.
    let dir = tempfile::tempdir().unwrap();
    let (_, counter) = populate(dir.path());
    with_raw_database(dir.path(), |txn| {
        let key = first_key_of(txn, counter);
        let other = B256::repeat_byte(0x42);
        txn.open_table(index)
            .unwrap()
            .insert(
                key,
                seal("logs_by_address", &key, other.as_slice()).as_slice(),
            )
            .unwrap();
    });
    let chain = Chain::open(dir.path()).unwrap();
    corruption(
        chain.logs(&LogFilter::address(counter)),
        "misdirected index entry",
    );
    corruption(chain.verify(), "verify");
}

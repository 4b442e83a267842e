//! A persisted chain across processes: one process deploys and another reads, and a writer
//! process killed with SIGKILL at arbitrary points leaves a consistent chain that every
//! acknowledged block survived and that accepts further transactions.
//!
//! The child processes are this test binary itself, re-run with `--exact <child test> --ignored`
//! and the chain directory in an environment variable. The child tests do nothing when run
//! without that variable.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use alloy::primitives::{Address, B256, U256};
use common::*;
use medshare_evm::{Chain, Error, LogFilter};

/// Chain directory of the writer child.
const WRITER_DIR: &str = "MEDSHARE_EVM_TEST_WRITER_DIR";
/// Chain directory of the deployer child.
const DEPLOYER_DIR: &str = "MEDSHARE_EVM_TEST_DEPLOYER_DIR";
/// Longest wait for a line of a child before the test gives up.
const LINE_TIMEOUT: Duration = Duration::from_secs(60);

/// The counter every writer increments: alice's first contract.
fn counter() -> Address {
    alice().address().create(0)
}

/// Starts this test binary running only the ignored child test `name`, with `dir` in `env`.
fn spawn_child(name: &str, env: &str, dir: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            name,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(env, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// Marks the lines a child reports on; the test harness writes its own text to stdout too,
/// including `test <name> ... ` right before the first line of the test.
const MARK: &str = "@@ ";

/// Forwards what follows [`MARK`] in the child's stdout lines to a channel, from a thread.
fn marked_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some((_, report)) = line.split_once(MARK)
                && send.send(report.trim().to_owned()).is_err()
            {
                break;
            }
        }
    });
    receive
}

/// A child process that is killed if the test fails before it ends.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn next_line(lines: &mpsc::Receiver<String>, child: &mut Child) -> String {
    match lines.recv_timeout(LINE_TIMEOUT) {
        Ok(line) => line,
        Err(err) => {
            let _ = child.kill();
            let status = child.wait().unwrap();
            panic!("no line from the child ({err}); it ended with {status}");
        }
    }
}

/// Up to 4 ms of pseudo-random delay, so that kills land anywhere in a commit.
fn jitter() {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let until = Instant::now() + Duration::from_micros(u64::from(nanos % 4_000));
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

/// Child: opens (or creates) the chain in `$MEDSHARE_EVM_TEST_WRITER_DIR`, deploys the counter if
/// needed, and increments it forever, printing `COMMITTED <block> <value>` after each block.
#[test]
#[ignore = "child process of `killed_writer_leaves_a_consistent_chain`"]
fn child_writer() {
    let Some(dir) = std::env::var_os(WRITER_DIR) else {
        return;
    };
    let alice = alice();
    let mut chain = match Chain::open(&dir) {
        Ok(chain) => chain,
        Err(Error::NotFound { .. }) => Chain::create(&dir, genesis()).unwrap(),
        Err(err) => panic!("writer cannot open the chain: {err}"),
    };
    if chain.code(counter()).unwrap().is_empty() {
        assert_eq!(deploy_counter(&mut chain, &alice), counter());
    }
    println!("{MARK}READY {}", chain.block_number());
    loop {
        let receipt = increment(&mut chain, &alice, counter());
        assert!(receipt.status);
        println!(
            "{MARK}COMMITTED {} {}",
            receipt.block_number,
            counter_value(&chain, counter())
        );
    }
}

/// Checks the chain in `dir` after a crash of its writer and returns the counter value.
///
/// Every block from genesis to the head is readable and linked to its parent, every transaction
/// has its receipt and raw bytes, and the counter, the successful increment receipts, the
/// counter's logs and alice's nonce all tell the same count.
fn check_consistency(dir: &Path) -> u64 {
    let chain = Chain::open(dir).unwrap();
    let head = chain.block_number();
    assert_eq!(chain.head(), &chain.block(head).unwrap().unwrap());
    assert_eq!(
        chain.block(head + 1).unwrap(),
        None,
        "nothing beyond the head"
    );
    let mut parent_hash = B256::ZERO;
    let mut increments = 0u64;
    for n in 0..=head {
        let block = chain
            .block(n)
            .unwrap()
            .unwrap_or_else(|| panic!("block {n} of {head} missing"));
        assert_eq!(block.number, n);
        assert_eq!(
            block.parent_hash, parent_hash,
            "block {n} is linked to its parent"
        );
        parent_hash = block.hash;
        assert_eq!(block.transactions.len(), usize::from(n > 0));
        for hash in &block.transactions {
            let receipt = chain
                .receipt(*hash)
                .unwrap()
                .unwrap_or_else(|| panic!("receipt of block {n}"));
            assert_eq!((receipt.block_number, receipt.block_hash), (n, block.hash));
            assert!(
                chain.raw_transaction(*hash).unwrap().is_some(),
                "raw tx of block {n}"
            );
            assert!(receipt.status);
            if receipt.to == Some(counter()) {
                increments += 1;
                assert_eq!(receipt.logs[0].topics[1], word(increments));
            }
        }
    }
    let value = counter_value(&chain, counter());
    assert_eq!(
        value, increments,
        "counter storage vs successful increment receipts"
    );
    assert_eq!(
        chain.nonce(alice().address()).unwrap(),
        1 + increments,
        "deployment + increments"
    );
    assert_eq!(head, 1 + increments, "one block per transaction");
    let logs = chain.logs(&LogFilter::address(counter())).unwrap();
    assert_eq!(logs.len() as u64, increments);
    assert_eq!(
        chain.code(counter()).unwrap().as_ref(),
        counter_runtime().as_slice()
    );
    value
}

#[test]
fn killed_writer_leaves_a_consistent_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut expected_min = 0;
    for (round, kill_after) in [20usize, 37, 51].into_iter().enumerate() {
        let mut child = Guard(spawn_child("child_writer", WRITER_DIR, dir.path()));
        let lines = marked_lines(&mut child.0);
        let line = next_line(&lines, &mut child.0);
        let ready: u64 = line
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("{line}"))
            .parse()
            .unwrap();
        if round == 0 {
            assert_eq!(ready, 1, "a fresh chain with the counter deployed");
            // The writer holds the lock: another process gets `Locked`, not a shared file.
            let err = Chain::open(dir.path()).unwrap_err();
            assert!(err.is_locked(), "{err:?}");
            assert!(matches!(
                Chain::create(dir.path(), genesis()),
                Err(Error::AlreadyExists { .. })
            ));
        } else {
            assert_eq!(
                ready,
                1 + expected_min,
                "the writer resumes from the last block"
            );
        }

        let mut acknowledged = 0;
        while acknowledged < kill_after as u64 {
            let line = next_line(&lines, &mut child.0);
            let rest = line
                .strip_prefix("COMMITTED ")
                .unwrap_or_else(|| panic!("{line}"));
            acknowledged += 1;
            let fields: Vec<u64> = rest.split(' ').map(|f| f.parse().unwrap()).collect();
            let value = expected_min + acknowledged;
            assert_eq!(fields, [value + 1, value], "block and value of the commit");
        }
        jitter();
        child.0.kill().unwrap();
        let status = child.0.wait().unwrap();
        assert!(!status.success(), "killed, not finished: {status}");

        let value = check_consistency(dir.path());
        println!(
            "round {round}: killed after {acknowledged} acknowledged commits; counter {value}, \
             {} commit(s) beyond the last acknowledged",
            value - expected_min - acknowledged
        );
        // Every commit the writer acknowledged survived the kill; at most the one in flight
        // (and any acknowledged after the parent stopped reading) comes on top.
        assert!(
            value >= expected_min + acknowledged,
            "round {round}: value {value} < acknowledged {}",
            expected_min + acknowledged
        );

        // The recovered chain accepts a further transaction, durably.
        {
            let mut chain = Chain::open(dir.path()).unwrap();
            let receipt = increment(&mut chain, &alice(), counter());
            assert!(receipt.status);
            assert_eq!(receipt.block_number, value + 2);
            assert_eq!(receipt.logs[0].topics[1], word(value + 1));
        }
        assert_eq!(check_consistency(dir.path()), value + 1);
        expected_min = value + 1;
    }
}

/// Child: creates the chain in `$MEDSHARE_EVM_TEST_DEPLOYER_DIR`, deploys the counter,
/// increments it twice and exits normally, printing `DEPLOYED <address> <head hash>`.
#[test]
#[ignore = "child process of `deployment_in_one_process_is_read_in_another`"]
fn child_deployer() {
    let Some(dir) = std::env::var_os(DEPLOYER_DIR) else {
        return;
    };
    let alice = alice();
    let mut chain = Chain::create(&dir, genesis()).unwrap();
    let counter = deploy_counter(&mut chain, &alice);
    increment(&mut chain, &alice, counter);
    increment(&mut chain, &alice, counter);
    println!("{MARK}DEPLOYED {counter} {}", chain.head().hash);
}

#[test]
fn deployment_in_one_process_is_read_in_another() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Guard(spawn_child("child_deployer", DEPLOYER_DIR, dir.path()));
    let lines = marked_lines(&mut child.0);
    let line = next_line(&lines, &mut child.0);
    let status = child.0.wait().unwrap();
    assert!(status.success(), "deployer failed: {status}");
    let mut fields = line
        .strip_prefix("DEPLOYED ")
        .unwrap_or_else(|| panic!("{line}"))
        .split(' ');
    let counter: Address = fields.next().unwrap().parse().unwrap();
    let head_hash: B256 = fields.next().unwrap().parse().unwrap();

    let mut chain = Chain::open(dir.path()).unwrap();
    assert_eq!(counter, alice().address().create(0));
    assert_eq!(
        chain.code(counter).unwrap().as_ref(),
        counter_runtime().as_slice()
    );
    assert_eq!(
        chain.storage_at(counter, U256::ZERO).unwrap(),
        U256::from(2u64)
    );
    assert_eq!(chain.block_number(), 3);
    assert_eq!(chain.head().hash, head_hash);
    assert_eq!(chain.nonce(alice().address()).unwrap(), 3);
    let logs = chain.logs(&LogFilter::address(counter)).unwrap();
    let values: Vec<B256> = logs.iter().map(|log| log.topics[1]).collect();
    assert_eq!(values, [word(1), word(2)]);
    // This process continues the chain the other one started.
    let receipt = increment(&mut chain, &alice(), counter);
    assert_eq!(receipt.output.as_ref(), word(3).as_slice());
    assert_eq!(chain.block(4).unwrap().unwrap().parent_hash, head_hash);
}

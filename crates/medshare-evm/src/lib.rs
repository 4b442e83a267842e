//! The embedded EVM chain of medshare.
//!
//! A [`Chain`] executes real signed transactions with [revm] at the Shanghai hardfork (the EVM
//! version of the Besu QBFT target): chain id, nonces, gas accounting, receipts, logs and blocks
//! with timestamps. It runs in memory for tests ([`TestChain`]: snapshot/revert, time travel,
//! impersonation) or persisted in a data directory ([`Chain::create`] / [`Chain::open`]), so
//! that separate `medshare` invocations share one chain.
//!
//! Persistence uses [redb]: each block, with its state changes, receipt and logs, is committed
//! in one ACID write transaction, so a process killed at any moment leaves the previous or the
//! new block, never a mix. The database file is locked while open; a second process gets
//! [`Error::Locked`] instead of corrupting it. Damage is detected: every value carries a
//! checksum, every block a chained digest of its state and transactions, a `HEAD` file catches
//! a database that went back to an older commit, and [`Chain::verify`] checks the whole file
//! (`docs/chain-integrity.md`).
//!
//! ```
//! use medshare_evm::{Genesis, LogFilter, TestChain};
//! use alloy::primitives::{Address, U256};
//!
//! let mut chain = TestChain::new()?;
//! let alice = Address::repeat_byte(0xa1);
//! // Init code that deploys `PUSH1 0 PUSH1 0 LOG0 STOP`: a contract that emits an empty log.
//! let receipt = chain.deploy_as(alice, alloy::primitives::hex!("6005600c60003960056000f360006000a000"))?;
//! let contract = receipt.contract_address.expect("deployed");
//! chain.send_as(alice, Some(contract), vec![], U256::ZERO)?;
//! assert_eq!(chain.logs(&LogFilter::address(contract))?.len(), 1);
//! # Ok::<_, medshare_evm::Error>(())
//! ```
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod chain;
pub use chain::{Chain, SPEC};

mod encoding;

mod error;
pub use error::{Error, Result};

pub mod rpc;

mod store;

mod testing;
pub use testing::{SnapshotId, TestChain};

mod types;
pub use types::{Block, CallOutcome, CallRequest, Genesis, Log, LogFilter, Receipt, VerifyReport};

//! One client for every network medshare runs on.
//!
//! A [`Network`] is an alloy provider plus what differs between networks as data: the chain id
//! (checked on connect), the [`FeePolicy`] and the most blocks one log query may span. Its
//! transport is the only thing that depends on where the chain is: [`InProcess`] hands each
//! JSON-RPC request to `medshare_evm::rpc` in this process (the embedded network, feature
//! `embedded`), HTTP reaches a `medshare node`, anvil or Besu. Everything above it is one code
//! path:
//!
//! - typed contract wrappers, [`Consortium`], [`IdentityRegistry`] and [`PreVerifier`], which
//!   send, wait for the receipt and read its events;
//! - a [`Deployment`] record (chain id, deployment block, addresses) that deploys and verifies
//!   the suite;
//! - typed values at the ABI edge ([`Roles`], [`ShortText`], the Solidity enums, a consortium
//!   [`Change`]) and one decoder of reverts, [`Revert`].
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use medshare_chain::Network;
//! use medshare_evm::{Chain, Genesis};
//!
//! let network = Network::embedded(Chain::in_memory(Genesis::new(1_700_000_000))?).await?;
//! assert_eq!(network.chain_id(), Genesis::DEFAULT_CHAIN_ID);
//! assert_eq!(network.block_number().await?, 0);
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod error;
pub use error::{Error, Result};

mod network;
pub use network::{EventQuery, FeePolicy, Network};

#[cfg(feature = "embedded")]
mod transport;
#[cfg(feature = "embedded")]
pub use transport::InProcess;

mod values;
pub use values::{
    KeySetStatus, MotionKind, ProposalAction, ProposalStatus, Roles, ShortText, ShortTextError,
    TraceStatus, UndefinedRoles, UnknownEnumValue, UnknownRole,
};

mod revert;
pub use revert::Revert;

mod consortium;
pub use consortium::{Change, Consortium, Member, Proposal, ProposalOutcome};

mod identity;
pub use identity::{Approval, IdentityRegistry, KeySet, Motion, Trace, TraceOutcome, UsedToken};

mod pre;
pub use pre::PreVerifier;

mod deployment;
pub use deployment::{Contracts, Deployment, SuiteSettings};

//! One client for every network medshare runs on.
//!
//! A [`Network`] is an alloy provider plus what differs between networks as data: the chain id
//! (checked on connect) and the [`FeePolicy`]. Its transport is the only thing that depends on
//! where the chain is: [`InProcess`] hands each JSON-RPC request to `medshare_evm::rpc` in this
//! process (the embedded network), HTTP reaches a `medshare node`, anvil or Besu. The calls,
//! sends, estimates and revert decoding above it are one code path.
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
pub use network::{FeePolicy, Network};

mod transport;
pub use transport::InProcess;

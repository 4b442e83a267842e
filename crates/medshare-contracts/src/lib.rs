//! The medshare Solidity contracts as Rust types.
//!
//! The artifacts under `contracts/out/` are produced by `scripts/build-contracts` (solc 0.8.28,
//! optimizer on, EVM version `shanghai`) and committed, so building this crate needs no
//! Solidity toolchain. Each contract gets an [`alloy::sol!`] module with typed calls, events,
//! custom errors and its creation code.
//!
//! ```
//! use alloy::sol_types::SolCall;
//! use medshare_contracts::Consortium;
//!
//! let call = Consortium::hasRoleCall { account: Default::default(), role: medshare_contracts::roles::ADMIN };
//! assert_eq!(&call.abi_encode()[..4], Consortium::hasRoleCall::SELECTOR);
//! ```
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod consortium;
pub use consortium::{Consortium, IConsortium, action, proposal_status};

mod pre_verifier;
pub use pre_verifier::{Bn254, IPreVerifier, PreVerifier};

mod identity_registry;
/// The `IdentityRegistry` contract; its structs live in `IIdentityRegistry` and, for points, in
/// `IdentityBn254` (the same `Bn254.G1Point`/`G2Point` as [`Bn254`], but a distinct Rust type
/// because each `sol!` expansion generates its own).
pub use identity_registry::{Bn254 as IdentityBn254, IIdentityRegistry, IdentityRegistry};

pub mod identity_abi;

pub mod pre_abi;

pub mod roles;

mod deploy;
pub use deploy::deploy_code;

mod runtime_code;
pub use runtime_code::Contract;

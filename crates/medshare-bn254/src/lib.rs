//! # medshare-bn254
//!
//! BN254 plumbing shared by `medshare-pre` and `medshare-identity`. Nothing here knows about a
//! protocol: domain tags, wire type codes, generators other than `G1` and every proof live in
//! the crate that uses them. What lives here is what both crates must do byte for byte alike:
//!
//! * **Scalars** ([`scalar`]): 32-byte big-endian codec rejecting values `>= r`, random
//!   non-zero scalars, Lagrange coefficients.
//! * **G1 points** ([`g1`]): the 32-byte compressed wire form (byte-identical to arkworks'
//!   `serialize_compressed`; decoding rejects bad flags, non-canonical `x`, the identity,
//!   off-curve and wrong-subgroup points), the 64-byte EVM view `x || y`, try-and-increment
//!   generator derivation, and the field-element helpers a G2 codec builds on.
//! * **Fixed-base multiplication** ([`FixedBase`]): 6-bit windowed tables; with `std`, the
//!   table of `G1` is built once per process ([`g1_mul_generator`]).
//! * **Hashing** ([`hashing`]): keccak256, the keccak Fiat-Shamir [`Transcript`] a Solidity
//!   verifier recomputes, HKDF-SHA256 wide hash-to-scalar and hedged nonces.
//! * **Wire format** ([`wire`]): the tag byte `0xVT` (format version, type code), the
//!   length/tag check [`open`] and the field [`Reader`].
//! * **Errors** ([`DecodeError`]): the decoding failures common to both crates; each crate's
//!   own `DecodeError` converts from it variant for variant.
//!
//! Arithmetic comes from arkworks, whose group operations are variable-time.
//!
//! ```
//! use ark_bn254::Fr;
//! use medshare_bn254::{g1_from_bytes, g1_mul_generator, g1_to_bytes};
//! use ark_ec::CurveGroup;
//!
//! let p = g1_mul_generator(&Fr::from(7u64)).into_affine();
//! assert_eq!(g1_from_bytes(&g1_to_bytes(&p)), Ok(p));
//! ```
//!
//! ## Features
//!
//! * `std` (off by default): the cached fixed-base table of `G1`. Without it the crate is
//!   `no_std` + `alloc`.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

extern crate alloc;

mod error;
pub use error::DecodeError;

mod fixed_base;
pub use fixed_base::{FixedBase, g1_mul_generator};

pub mod g1;
pub use g1::{
    G1_LEN, g1_from_bytes, g1_from_evm, g1_mul, g1_normalize, g1_to_bytes, g1_to_evm,
    g1_try_and_increment,
};

pub mod scalar;
pub use scalar::{
    SCALAR_LEN, lagrange_at, lagrange_at_zero, nonzero_scalar_from_be, random_bytes32,
    random_nonzero_scalar, scalar_from_be, scalar_to_be, u64_word,
};

pub mod hashing;
pub use hashing::{Transcript, hash_to_scalar, hedged_nonce, keccak256, wide_scalar};

pub mod wire;
pub use wire::{FORMAT_VERSION, Reader, open, wire_tag};

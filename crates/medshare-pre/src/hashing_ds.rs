//! Domain separation: every domain tag of the crate and every hash that turns bytes into a
//! scalar, a key or a challenge. Nothing else in the crate calls a hash function directly.
//!
//! Two kinds of hashing, on purpose:
//!
//! * **Off-chain derivations** (label keys, the non-interactive secret `d`, share indices,
//!   proof nonces, DEM keys) use HKDF-SHA256. Scalars take 64 bytes of HKDF output reduced
//!   mod `r` (bias < 2^-250).
//! * **Challenges a contract recomputes** (capsule check, kfrag signature, cfrag DLEQ proof)
//!   use `keccak256(transcript) mod r`; the transcript starts with a 32-byte tag
//!   `keccak256(ascii tag)`, followed by fixed-width fields (points 64 bytes `x || y`
//!   big-endian, scalars and ids 32 bytes big-endian). See `docs/pre.md`.
//!
//! The hash constructions themselves ([`Transcript`], [`hash_to_scalar`], the hedged-nonce
//! layout) are shared with `medshare-identity` and live in `medshare-bn254`; this module binds
//! them to this crate's tags.

use ark_bn254::Fr;

pub(crate) use medshare_bn254::{Transcript, hash_to_scalar, wide_scalar};

/// Prefix shared by every tag (format version 1).
macro_rules! tag {
    ($s:literal) => {
        concat!("MEDSHARE-PRE-v1/", $s).as_bytes()
    };
}

/// HKDF salt for label-key derivation (`MasterSecret::derive_label_key`).
pub(crate) const LABEL_KEY_SALT: &[u8] = tag!("label-key/salt");
/// HKDF info prefix for label-key derivation; followed by `u32be(len(label)) || label || ctr`.
pub(crate) const LABEL_KEY_INFO: &[u8] = tag!("label-key/info");
/// Hash-to-scalar tag of the non-interactive secret `d = H(X_A, pk_B, x_A·pk_B)`.
pub(crate) const KFRAG_D: &[u8] = tag!("kfrag/d");
/// Hash-to-scalar tag of a fragment's share index `x_i = H(X_A, pk_B, x_A·pk_B, id_i)`.
pub(crate) const KFRAG_SHARE_INDEX: &[u8] = tag!("kfrag/share-index");
/// Hedged-nonce tag for the kfrag Schnorr signature.
pub(crate) const KFRAG_SIGNATURE_NONCE: &[u8] = tag!("kfrag/signature-nonce");
/// Hedged-nonce tag for the cfrag DLEQ proof.
pub(crate) const CFRAG_PROOF_NONCE: &[u8] = tag!("cfrag/proof-nonce");
/// HKDF salt of the DEM key derived from the KEM shared point.
pub(crate) const DEM_KEY_SALT: &[u8] = tag!("dem-key/salt");
/// HKDF info prefix of the DEM key; followed by the 97-byte capsule encoding.
pub(crate) const DEM_KEY_INFO: &[u8] = tag!("dem-key/info");
/// HKDF info of the per-stream ChaCha20-Poly1305 key (salt = the header's 16-byte salt).
pub(crate) const DEM_STREAM_KEY_INFO: &[u8] = tag!("dem-stream-key");
/// Seed of the second generator `U` (try-and-increment, see [`crate::curve`]). Only the
/// test that recomputes `U` reads it; `U` itself is a constant.
#[cfg(test)]
pub(crate) const GENERATOR_U_SEED: &[u8] = tag!("generator-U");
/// Keccak transcript tag of the capsule validity check.
pub(crate) const CAPSULE_CHECK: &[u8] = tag!("capsule-check");
/// Keccak transcript tag of the kfrag Schnorr signature.
pub(crate) const KFRAG_SIGNATURE: &[u8] = tag!("kfrag-signature");
/// Keccak transcript tag of the cfrag Chaum-Pedersen (DLEQ) proof.
pub(crate) const CFRAG_PROOF: &[u8] = tag!("cfrag-dleq");

/// A hedged nonce: [`hash_to_scalar`]`(tag, random || be32(secret) || statement)`, fresh
/// randomness plus the secret and the statement. Even a broken RNG then cannot reuse a nonce
/// across two different statements.
pub(crate) fn hedged_nonce(tag: &[u8], random: &[u8; 32], secret: &Fr, statement: &[u8]) -> Fr {
    medshare_bn254::hedged_nonce(tag, random, core::slice::from_ref(secret), &[statement])
}

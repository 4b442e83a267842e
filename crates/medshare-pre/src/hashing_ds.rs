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

use alloc::vec::Vec;

use ark_bn254::{Fr, G1Affine};
use ark_ff::PrimeField;
use hkdf::{Hkdf, HkdfExtract};
use sha2::Sha256;
use sha3::{Digest, Keccak256};
use zeroize::Zeroizing;

use crate::curve::{point_to_evm, scalar_to_be};

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

/// `keccak256(data)`.
pub(crate) fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// HKDF-SHA256 with `salt = tag`, `ikm = parts[0] || parts[1] || ..`, empty info, 64 bytes
/// of output read as a big-endian integer and reduced mod r.
pub(crate) fn hash_to_scalar(tag: &[u8], parts: &[&[u8]]) -> Fr {
    let mut extract = HkdfExtract::<Sha256>::new(Some(tag));
    for part in parts {
        extract.input_ikm(part);
    }
    let (_, hk) = extract.finalize();
    wide_scalar(&hk, &[])
}

/// Expands 64 bytes from `hk` with `info = info[0] || info[1] || ..` and reduces them mod r.
pub(crate) fn wide_scalar(hk: &Hkdf<Sha256>, info: &[&[u8]]) -> Fr {
    let mut okm = Zeroizing::new([0u8; 64]);
    // 64 <= 255 * 32, cannot fail.
    hk.expand_multi_info(info, okm.as_mut_slice())
        .expect("64 bytes is a valid HKDF-SHA256 output length");
    Fr::from_be_bytes_mod_order(okm.as_slice())
}

/// A keccak Fiat-Shamir transcript with the exact byte layout a Solidity verifier hashes.
pub(crate) struct Transcript {
    bytes: Vec<u8>,
}

impl Transcript {
    /// Starts a transcript with the 32-byte tag `keccak256(tag)`.
    pub(crate) fn new(tag: &[u8]) -> Self {
        let mut bytes = Vec::with_capacity(1024);
        bytes.extend_from_slice(&keccak256(tag));
        Self { bytes }
    }

    /// Appends a point as 64 bytes `x || y` (big-endian; identity as 64 zero bytes).
    pub(crate) fn point(&mut self, p: &G1Affine) -> &mut Self {
        self.bytes.extend_from_slice(&point_to_evm(p));
        self
    }

    /// Appends a scalar as 32 bytes big-endian.
    pub(crate) fn scalar(&mut self, s: &Fr) -> &mut Self {
        self.bytes.extend_from_slice(&scalar_to_be(s));
        self
    }

    /// Appends 32 raw bytes (ids).
    pub(crate) fn bytes32(&mut self, b: &[u8; 32]) -> &mut Self {
        self.bytes.extend_from_slice(b);
        self
    }

    /// `keccak256(transcript)` as it would be returned by the EVM.
    pub(crate) fn digest(&self) -> [u8; 32] {
        keccak256(&self.bytes)
    }

    /// The challenge `keccak256(transcript) mod r`.
    pub(crate) fn challenge(&self) -> Fr {
        Fr::from_be_bytes_mod_order(&self.digest())
    }

    /// The raw transcript bytes.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// A hedged nonce: HKDF over fresh randomness, the secret and the statement. Even a broken RNG
/// then cannot reuse a nonce across two different statements.
pub(crate) fn hedged_nonce(tag: &[u8], random: &[u8; 32], secret: &Fr, statement: &[u8]) -> Fr {
    let secret_bytes = Zeroizing::new(scalar_to_be(secret));
    hash_to_scalar(tag, &[random, secret_bytes.as_slice(), statement])
}

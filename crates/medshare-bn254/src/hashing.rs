//! Hashing with the exact byte layouts the medshare crates and their Solidity verifiers share.
//! Domain tags are not here: each crate keeps its own (`MEDSHARE-PRE-v1/..`, `MEDSHARE-ID-v1/..`)
//! in its `hashing_ds` module and passes them in.
//!
//! * [`keccak256`] and the keccak Fiat-Shamir [`Transcript`]: `keccak256(tag)` (32 bytes)
//!   followed by fixed-width big-endian words; the challenge is the digest mod `r`.
//! * [`hash_to_scalar`]: HKDF-SHA256 with `salt = tag`, 64 bytes of output reduced mod `r`
//!   (bias < 2^-250), for off-chain derivations.
//! * [`hedged_nonce`]: the same over fresh randomness, the secrets and the statement.

use alloc::vec::Vec;

use ark_bn254::{Fr, G1Affine};
use ark_ff::PrimeField;
use hkdf::{Hkdf, HkdfExtract};
use sha2::Sha256;
use sha3::{Digest, Keccak256};
use zeroize::Zeroizing;

use crate::{g1_to_evm, scalar_to_be, u64_word};

/// `keccak256(data)`.
#[inline]
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// HKDF-SHA256 with `salt = tag`, `ikm = parts[0] || parts[1] || ..`, empty info, 64 bytes
/// of output read as a big-endian integer and reduced mod r.
pub fn hash_to_scalar(tag: &[u8], parts: &[&[u8]]) -> Fr {
    let mut extract = HkdfExtract::<Sha256>::new(Some(tag));
    for part in parts {
        extract.input_ikm(part);
    }
    let (_, hk) = extract.finalize();
    wide_scalar(&hk, &[])
}

/// Expands 64 bytes from `hk` with `info = info[0] || info[1] || ..` and reduces them mod r.
pub fn wide_scalar(hk: &Hkdf<Sha256>, info: &[&[u8]]) -> Fr {
    let mut okm = Zeroizing::new([0u8; 64]);
    // 64 <= 255 * 32, cannot fail.
    hk.expand_multi_info(info, okm.as_mut_slice())
        .expect("64 bytes is a valid HKDF-SHA256 output length");
    Fr::from_be_bytes_mod_order(okm.as_slice())
}

/// A hedged nonce: [`hash_to_scalar`]`(tag, random || be32(secrets[0]) || be32(secrets[1]) ||
/// .. || statement[0] || statement[1] || ..)`. It is random whenever the RNG works, and even a
/// broken RNG cannot repeat a nonce across two different statements. The secrets' encodings
/// are zeroized after use.
pub fn hedged_nonce(tag: &[u8], random: &[u8; 32], secrets: &[Fr], statement: &[&[u8]]) -> Fr {
    let mut extract = HkdfExtract::<Sha256>::new(Some(tag));
    extract.input_ikm(random);
    for s in secrets {
        extract.input_ikm(Zeroizing::new(scalar_to_be(s)).as_slice());
    }
    for part in statement {
        extract.input_ikm(part);
    }
    let (_, hk) = extract.finalize();
    wide_scalar(&hk, &[])
}

/// A keccak Fiat-Shamir transcript with the exact byte layout a Solidity verifier hashes:
/// `keccak256(tag)`, then fixed-width fields (G1 points 64 bytes `x || y`, scalars and
/// integers 32 bytes, all big-endian — `abi.encodePacked` of `uint256`/`bytes32` words).
#[derive(Clone)]
pub struct Transcript {
    bytes: Vec<u8>,
}

impl Transcript {
    /// Starts a transcript with the 32-byte tag `keccak256(tag)`.
    pub fn new(tag: &[u8]) -> Self {
        let mut bytes = Vec::with_capacity(1536);
        bytes.extend_from_slice(&keccak256(tag));
        Self { bytes }
    }

    /// Appends a G1 point as 64 bytes `x || y` (big-endian; identity as 64 zero bytes).
    pub fn g1(&mut self, p: &G1Affine) -> &mut Self {
        self.bytes.extend_from_slice(&g1_to_evm(p));
        self
    }

    /// Appends a scalar as 32 bytes big-endian.
    pub fn scalar(&mut self, s: &Fr) -> &mut Self {
        self.bytes.extend_from_slice(&scalar_to_be(s));
        self
    }

    /// Appends an integer as a 32-byte big-endian word.
    pub fn uint(&mut self, v: u64) -> &mut Self {
        self.bytes.extend_from_slice(&u64_word(v));
        self
    }

    /// Appends 32 raw bytes (ids, digests, words).
    pub fn bytes32(&mut self, b: &[u8; 32]) -> &mut Self {
        self.bytes.extend_from_slice(b);
        self
    }

    /// Appends raw bytes; for fields this crate does not know (such as a G2 point in EIP-197
    /// order, 128 bytes).
    pub fn raw(&mut self, b: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(b);
        self
    }

    /// `keccak256(transcript)` as the EVM returns it.
    pub fn digest(&self) -> [u8; 32] {
        keccak256(&self.bytes)
    }

    /// The challenge `keccak256(transcript) mod r`.
    pub fn challenge(&self) -> Fr {
        Fr::from_be_bytes_mod_order(&self.digest())
    }

    /// The raw transcript bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The raw transcript bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::AffineRepr;

    #[test]
    fn keccak_known_answer() {
        // keccak256("") (not SHA3-256).
        assert_eq!(keccak256(b"")[..4], [0xc5, 0xd2, 0x46, 0x01],);
    }

    #[test]
    fn transcript_layout() {
        let g = G1Affine::generator();
        let mut t = Transcript::new(b"tag");
        t.g1(&g)
            .scalar(&Fr::from(5u64))
            .uint(7)
            .bytes32(&[9; 32])
            .raw(&[1, 2]);
        let b = t.as_bytes();
        assert_eq!(b.len(), 32 + 64 + 32 + 32 + 32 + 2);
        assert_eq!(&b[..32], &keccak256(b"tag"));
        assert_eq!(&b[32..96], &g1_to_evm(&g));
        assert_eq!(b[127], 5);
        assert_eq!(b[159], 7);
        assert_eq!(&b[160..192], &[9; 32]);
        assert_eq!(t.digest(), keccak256(b));
        assert_eq!(t.challenge(), Fr::from_be_bytes_mod_order(&keccak256(b)));
        assert_eq!(t.clone().into_bytes(), b);
    }

    #[test]
    fn hedged_nonce_is_hash_to_scalar_of_the_concatenation() {
        let (s1, s2) = (Fr::from(11u64), Fr::from(12u64));
        let r = [3u8; 32];
        let concat = [
            &r[..],
            &scalar_to_be(&s1),
            &scalar_to_be(&s2),
            b"statement",
            &[4],
        ]
        .concat();
        let n = hedged_nonce(b"t", &r, &[s1, s2], &[b"state", b"ment", &[4]]);
        assert_eq!(n, hash_to_scalar(b"t", &[&concat]));
        assert_eq!(n, hash_to_scalar(b"t", &[&concat[..10], &concat[10..]]));
        assert_ne!(n, hedged_nonce(b"u", &r, &[s1, s2], &[b"statement", &[4]]));
        let hk = Hkdf::<Sha256>::new(Some(b"t"), &concat);
        assert_eq!(n, wide_scalar(&hk, &[]));
    }
}

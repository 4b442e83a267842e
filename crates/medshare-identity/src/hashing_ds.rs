//! Domain separation: every domain tag of the crate and every hash that turns bytes into a
//! scalar, a point or a challenge. Nothing else in the crate calls a hash function directly.
//!
//! * **Off-chain derivations** (proof nonces) use HKDF-SHA256 with 64 bytes of output reduced
//!   mod `r` (bias < 2^-250), hedged: fresh randomness + the secret + the statement.
//! * **Challenges** (registration, issuance, token, trace share, DKG) are
//!   `keccak256(transcript) mod r`. A transcript starts with the 32-byte tag
//!   `keccak256(ascii tag)`, followed by fixed-width words: G1 points 64 bytes `x || y`, G2
//!   points 128 bytes in EIP-197 order, scalars and integers 32 bytes, addresses left-padded
//!   to 32 bytes, all big-endian (exactly Solidity's `abi.encodePacked` of `uint256`/`bytes32`
//!   words). See `docs/identity.md` §7.
//! * **Hash to G2** (`h = H_G2(cm, epoch)`, off-chain only): try-and-increment on keccak256,
//!   then cofactor clearing.
//!
//! The hash constructions shared with `medshare-pre` ([`Transcript`], the wide HKDF
//! hash-to-scalar and the hedged-nonce layout) live in `medshare-bn254`; this module binds them
//! to this crate's tags and adds G2 points to the transcript ([`TranscriptG2`]).

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::PrimeField;

pub(crate) use medshare_bn254::{Transcript, keccak256};

use crate::curve::{g1_to_evm, g2_to_evm};

/// Prefix of the tags unchanged since format version 1.
macro_rules! tag {
    ($s:literal) => {
        concat!("MEDSHARE-ID-v1/", $s).as_bytes()
    };
}

/// Prefix of the tags of constructions that changed in format version 2 (issue #7): the
/// issuance request (proof of knowledge of `d`), the token (registry address, scope, scoped
/// nullifier) and the two new derivations of a show.
macro_rules! tag_v2 {
    ($s:literal) => {
        concat!("MEDSHARE-ID-v2/", $s).as_bytes()
    };
}

/// Seed of the second G1 generator `H1` (try-and-increment, see [`crate::curve::h1`]).
pub(crate) const GENERATOR_H1_SEED: &[u8] = tag!("generator-H1");
/// Seed of the credential base `h = H_G2(cm, epoch)`.
pub(crate) const HASH_TO_G2: &[u8] = tag!("hash-to-G2");
/// Keccak transcript tag of the registration proof (knowledge of `m` in `M = m·H1`).
pub(crate) const REGISTRATION: &[u8] = tag!("registration");
/// Keccak transcript tag of the issuance-request proof.
pub(crate) const ISSUANCE_REQUEST: &[u8] = tag_v2!("issuance-request");
/// Keccak transcript tag of the token (show) proof.
pub(crate) const TOKEN: &[u8] = tag_v2!("token");
/// Seed of the scope point `P_scope = H_G1(chain, registry, contract, scope)`.
pub(crate) const HASH_TO_G1_SCOPE: &[u8] = tag_v2!("scope-to-G1");
/// Hedged derivation of a show's blinding scalars `r, t', k`.
pub(crate) const SHOW_BLINDING: &[u8] = tag_v2!("show-blinding");
/// Keccak transcript tag of a trace share's DLEQ proof.
pub(crate) const TRACE_SHARE: &[u8] = tag!("trace-share");
/// Keccak transcript tag of a DKG dealer's proof of possession of its constant terms.
pub(crate) const DKG_POP: &[u8] = tag!("dkg-pop");
/// Hedged-nonce tag of every proof (the statement and a per-witness index follow).
pub(crate) const PROOF_NONCE: &[u8] = tag!("proof-nonce");

/// A hedged nonce for witness number `index` of a proof: HKDF over fresh randomness, the
/// secrets and the statement, `H_wide(PROOF_NONCE, random || be32(secrets..) || statement ||
/// index)`. Even a broken RNG then cannot reuse a nonce across two different statements.
pub(crate) fn hedged_nonce(random: &[u8; 32], secrets: &[Fr], statement: &[u8], index: u8) -> Fr {
    medshare_bn254::hedged_nonce(PROOF_NONCE, random, secrets, &[statement, &[index]])
}

/// A hedged blinding scalar `r`, `t'` or `k` of a show (`index` 0, 1, 2): like
/// [`hedged_nonce`] under its own tag, so a broken RNG can neither repeat them across two shows
/// with different contexts nor make them public.
pub(crate) fn hedged_blinding(
    random: &[u8; 32],
    secrets: &[Fr],
    statement: &[u8],
    index: u8,
) -> Fr {
    medshare_bn254::hedged_nonce(SHOW_BLINDING, random, secrets, &[statement, &[index]])
}

/// `P_scope = H_G1(chain_id, registry, contract, scope)`, the base of scoped nullifiers, as the
/// contract computes it. For `ctr = 0, 1, ..`, with the words
/// `W(j) = keccak256(tag) || uint256(chain_id) || uint256(uint160(registry)) ||
/// uint256(uint160(contract)) || scope || uint256(j)`:
/// `x = (keccak256(W(2·ctr)) · 2^256 + keccak256(W(2·ctr + 1))) mod q` (a 512-bit value, so `x`
/// is uniform within 2^-250); the first `x` with `x³ + 3` a square gives the point with the
/// smaller root `y`. Nobody knows its discrete log to `G1`, `H1` or any other scope's point
/// (random oracle). Only the first [`SCOPE_CANDIDATES`] candidates are tried, here and on
/// chain, so that verifying a scoped token stays within its gas budget for every accepted
/// scope; `None` for the 1 in 2^5 scopes that need more (the consuming contract picks another
/// scope word).
pub(crate) fn hash_to_g1_scope(
    chain_id: u64,
    registry: &[u8; 20],
    contract: &[u8; 20],
    scope: &[u8; 32],
) -> Option<G1Affine> {
    let mut input = Vec::with_capacity(6 * 32);
    input.extend_from_slice(&keccak256(HASH_TO_G1_SCOPE));
    input.extend_from_slice(&medshare_bn254::u64_word(chain_id));
    input.extend_from_slice(&address_word(registry));
    input.extend_from_slice(&address_word(contract));
    input.extend_from_slice(scope);
    let base = input.len();
    let mut wide = [0u8; 64];
    (0..SCOPE_CANDIDATES).find_map(|ctr| {
        let j = 2 * ctr;
        input.truncate(base);
        input.extend_from_slice(&medshare_bn254::u64_word(j));
        wide[..32].copy_from_slice(&keccak256(&input));
        input.truncate(base);
        input.extend_from_slice(&medshare_bn254::u64_word(j + 1));
        wide[32..].copy_from_slice(&keccak256(&input));
        let x = Fq::from_be_bytes_mod_order(&wide);
        G1Affine::get_point_from_x_unchecked(x, false)
    })
}

/// How many candidates [`hash_to_g1_scope`] tries (the contract's `SCOPE_CANDIDATES`): with 5,
/// the worst accepted scope costs about 4 × 1,600 gas more than the best, and `verifyToken`
/// stays below 200,000 execution gas.
pub(crate) const SCOPE_CANDIDATES: u64 = 5;

/// An address as a 32-byte word (left-padded).
pub(crate) fn address_word(a: &[u8; 20]) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(a);
    w
}

/// `h = H_G2(cm, epoch)`: for `ctr = 0, 1, ..`:
/// `x.c0 = keccak256(tag || cm || u64be(epoch) || u32be(ctr) || 0x00) mod q`,
/// `x.c1 = keccak256(.. || 0x01) mod q`; the first `x` on the twist (smaller root `y`) is
/// multiplied by the cofactor; the first non-identity result is `h`. Nobody knows a discrete
/// log of `h` to any other point; binding `h` to the epoch stops a user from combining two
/// credentials of different epochs that share `h` (see `docs/identity.md` §4.3).
pub(crate) fn hash_to_g2(cm: &G1Affine, epoch: u64) -> G2Affine {
    let mut input = Vec::with_capacity(32 + 64 + 8 + 4 + 1);
    input.extend_from_slice(&keccak256(HASH_TO_G2));
    input.extend_from_slice(&g1_to_evm(cm));
    input.extend_from_slice(&epoch.to_be_bytes());
    let base = input.len();
    let mut ctr: u32 = 0;
    loop {
        input.truncate(base);
        input.extend_from_slice(&ctr.to_be_bytes());
        input.push(0);
        let c0 = Fq::from_be_bytes_mod_order(&keccak256(&input));
        *input.last_mut().expect("non-empty") = 1;
        let c1 = Fq::from_be_bytes_mod_order(&keccak256(&input));
        if let Some(p) = G2Affine::get_point_from_x_unchecked(Fq2::new(c0, c1), false) {
            let h = p.clear_cofactor();
            if !h.is_zero() {
                return h;
            }
        }
        ctr += 1;
    }
}

/// G2 points in a [`Transcript`]: 128 bytes in EIP-197 order (`curve::g2_to_evm`).
pub(crate) trait TranscriptG2 {
    /// Appends a G2 point as 128 bytes in EIP-197 order.
    fn g2(&mut self, p: &G2Affine) -> &mut Self;
}

impl TranscriptG2 for Transcript {
    fn g2(&mut self, p: &G2Affine) -> &mut Self {
        self.raw(&g2_to_evm(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::G1Affine;

    #[test]
    fn hash_to_g2_lands_in_subgroup_and_depends_on_epoch() {
        let cm = G1Affine::generator();
        let a = hash_to_g2(&cm, 1);
        let b = hash_to_g2(&cm, 2);
        assert!(a.is_on_curve() && a.is_in_correct_subgroup_assuming_on_curve());
        assert_ne!(a, b);
        assert_eq!(a, hash_to_g2(&cm, 1));
    }
}

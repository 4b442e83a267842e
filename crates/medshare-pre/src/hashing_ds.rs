//! Domain separation: every domain tag of the crate and every hash that turns bytes into a
//! scalar, a key or a challenge. Nothing else in the crate calls a hash function directly.
//!
//! Two kinds of hashing, on purpose:
//!
//! * **Off-chain derivations** (label and delegation keys, the non-interactive secret `d`,
//!   share indices, hedged delegation randomness, proof nonces, DEM keys) use HKDF-SHA256.
//!   Scalars take 64 bytes of HKDF output reduced mod `r` (bias < 2^-250).
//! * **Challenges a contract recomputes** (capsule check, kfrag signature, cfrag DLEQ proof)
//!   use `keccak256(transcript) mod r`; the transcript starts with a 32-byte tag
//!   `keccak256(ascii tag)`, followed by fixed-width fields (points 64 bytes `x || y`
//!   big-endian, scalars and ids 32 bytes big-endian). See `docs/pre.md`.
//!
//! The hash constructions themselves ([`Transcript`], [`hash_to_scalar`], the hedged-nonce
//! layout) are shared with `medshare-identity` and live in `medshare-bn254`; this module binds
//! them to this crate's tags.

use ark_bn254::Fr;
use hkdf::{Hkdf, HkdfExtract};
use medshare_bn254::scalar_to_be;
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

pub(crate) use medshare_bn254::{Transcript, hash_to_scalar, wide_scalar};

/// A tag of a construction unchanged since format version 1 (`MEDSHARE-PRE-v1/..`): label
/// keys, capsules, the DEM, `U`, `d`, share indices and the DLEQ proof are the same bits as in
/// version 1, so data encrypted under version 1 still opens.
macro_rules! tag_v1 {
    ($s:literal) => {
        concat!("MEDSHARE-PRE-v1/", $s).as_bytes()
    };
}

/// A tag of a construction introduced or changed in version 2 (`MEDSHARE-PRE-v2/..`): the
/// delegation-signing key and everything it signs, and the hedged delegation randomness.
macro_rules! tag_v2 {
    ($s:literal) => {
        concat!("MEDSHARE-PRE-v2/", $s).as_bytes()
    };
}

/// HKDF salt of every key derived from the master secret: the extract step
/// `PRK = HMAC(salt, msk)` is shared, the expand infos below separate the keys. The text
/// predates delegation keys and is kept so that label keys are unchanged.
pub(crate) const MASTER_KEY_SALT: &[u8] = tag_v1!("label-key/salt");
/// HKDF info prefix for label-key derivation; followed by `u64be(len(label)) || label || ctr`.
pub(crate) const LABEL_KEY_INFO: &[u8] = tag_v1!("label-key/info");
/// HKDF info prefix for delegation-signing-key derivation
/// (`MasterSecret::derive_delegation_key`); followed by `u64be(len(label)) || label || ctr`.
pub(crate) const DELEGATION_KEY_INFO: &[u8] = tag_v2!("delegation-key/info");
/// Hash-to-scalar tag of the non-interactive secret `d = H(X_A, pk_B, x_A·pk_B)`.
pub(crate) const KFRAG_D: &[u8] = tag_v1!("kfrag/d");
/// Hash-to-scalar tag of a fragment's share index `x_i = H(X_A, pk_B, x_A·pk_B, id_i)`.
pub(crate) const KFRAG_SHARE_INDEX: &[u8] = tag_v1!("kfrag/share-index");
/// HKDF salt of a delegation's hedge ([`DelegationHedge`]).
pub(crate) const KFRAG_HEDGE: &[u8] = tag_v2!("kfrag/hedge");
/// Hedge expand info of the precursor secret `x_A`; followed by `u64be(counter)`.
pub(crate) const KFRAG_PRECURSOR: &[u8] = tag_v2!("kfrag/precursor");
/// Hedge expand info of the polynomial's coefficients `c_j`; followed by `u64be(j)`.
pub(crate) const KFRAG_COEFFICIENT: &[u8] = tag_v2!("kfrag/coefficient");
/// Hedge expand info of the fragment ids; followed by `u64be(counter)`.
pub(crate) const KFRAG_ID: &[u8] = tag_v2!("kfrag/id");
/// Hedged-nonce tag for the kfrag Schnorr signature.
pub(crate) const KFRAG_SIGNATURE_NONCE: &[u8] = tag_v2!("kfrag/signature-nonce");
/// Hedged-nonce tag for the cfrag DLEQ proof.
pub(crate) const CFRAG_PROOF_NONCE: &[u8] = tag_v1!("cfrag/proof-nonce");
/// HKDF salt of the DEM key derived from the KEM shared point.
pub(crate) const DEM_KEY_SALT: &[u8] = tag_v1!("dem-key/salt");
/// HKDF info prefix of the DEM key; followed by the 97-byte capsule encoding.
pub(crate) const DEM_KEY_INFO: &[u8] = tag_v1!("dem-key/info");
/// HKDF info of the per-stream ChaCha20-Poly1305 key (salt = the header's 16-byte salt).
pub(crate) const DEM_STREAM_KEY_INFO: &[u8] = tag_v1!("dem-stream-key");
/// Seed of the second generator `U` (try-and-increment, see [`crate::curve`]). Only the
/// test that recomputes `U` reads it; `U` itself is a constant.
#[cfg(test)]
pub(crate) const GENERATOR_U_SEED: &[u8] = tag_v1!("generator-U");
/// Keccak transcript tag of the capsule validity check.
pub(crate) const CAPSULE_CHECK: &[u8] = tag_v1!("capsule-check");
/// Keccak transcript tag of the kfrag Schnorr signature.
pub(crate) const KFRAG_SIGNATURE: &[u8] = tag_v2!("kfrag-signature");
/// Keccak transcript tag of the cfrag Chaum-Pedersen (DLEQ) proof.
pub(crate) const CFRAG_PROOF: &[u8] = tag_v1!("cfrag-dleq");

/// A hedged nonce: [`hash_to_scalar`]`(tag, random || be32(secret) || statement)`, fresh
/// randomness plus the secret and the statement. Even a broken RNG then cannot reuse a nonce
/// across two different statements.
pub(crate) fn hedged_nonce(tag: &[u8], random: &[u8; 32], secret: &Fr, statement: &[u8]) -> Fr {
    medshare_bn254::hedged_nonce(tag, random, core::slice::from_ref(secret), &[statement])
}

/// The hedged randomness of one delegation: `PRK = HKDF-Extract(salt = KFRAG_HEDGE,
/// random || be32(a) || be32(dsk_L) || context)`, from which every secret choice (`x_A`, the
/// coefficients, the ids) is expanded with its own info and counter. With a working RNG the
/// values are uniform; with a stuck or predictable one they are still pseudorandom functions of
/// the owner's two secrets, unknown to everyone else, and the counters keep retries distinct.
pub(crate) struct DelegationHedge(Hkdf<Sha256>);

impl DelegationHedge {
    pub(crate) fn new(random: &[u8; 32], secrets: &[Fr; 2], context: &[&[u8]]) -> Self {
        let mut extract = HkdfExtract::<Sha256>::new(Some(KFRAG_HEDGE));
        extract.input_ikm(random);
        for s in secrets {
            extract.input_ikm(Zeroizing::new(scalar_to_be(s)).as_slice());
        }
        for part in context {
            extract.input_ikm(part);
        }
        let (mut prk, hk) = extract.finalize();
        prk[..].zeroize();
        Self(hk)
    }

    /// `OS2IP(HKDF-Expand(PRK, info || u64be(counter), 64)) mod r`.
    pub(crate) fn scalar(&self, info: &[u8], counter: u64) -> Fr {
        wide_scalar(&self.0, &[info, &counter.to_be_bytes()])
    }
}

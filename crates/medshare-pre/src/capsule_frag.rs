//! Re-encryption: capsule fragments ([`CapsuleFrag`]) with their Chaum-Pedersen (DLEQ) proof,
//! made by proxies and verified by requesters (or a contract).
//!
//! A proxy holding `rk_i` turns the capsule's `W = E + V` into `W1 = rk_i·W` and proves
//! `log_W W1 = log_U U1` where `U1 = rk_i·U` is the commitment the owner signed.

use alloc::vec::Vec;
use core::fmt;

use ark_bn254::{Fr, G1Affine};
use ark_ec::CurveGroup;
use rand_core::{CryptoRng, RngCore};

use crate::capsule::Capsule;
use crate::curve::{
    self, GENERATOR_U, POINT_LEN, SCALAR_LEN, point_from_bytes, point_to_bytes, scalar_from_be,
    scalar_to_be,
};
use crate::encoding::{self, DecodeError, WireType, Writer};
use crate::hashing_ds::{self, Transcript};
use crate::key_frag::{KeyFragSignature, VerifiedKeyFrag, signature_transcript};
use crate::keys::{DelegationVerifyingKey, PublicKey, SecretScalar, fmt_hex};

/// A re-encrypted capsule fragment with its proof of correct re-encryption.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CapsuleFrag {
    pub(crate) w1: G1Affine,
    pub(crate) kfrag_id: [u8; 32],
    pub(crate) precursor: G1Affine,
    pub(crate) commitment: G1Affine,
    pub(crate) w2: G1Affine,
    pub(crate) u2: G1Affine,
    pub(crate) z: Fr,
    pub(crate) kfrag_signature: KeyFragSignature,
}

/// A [`CapsuleFrag`] verified against a capsule and the delegating, verifying and receiving
/// keys; only [`CapsuleFrag::verify`] and [`reencrypt_with_rng`] produce one. It remembers all
/// four, and [`Capsule::open_reencrypted`] checks that the fragments it combines agree on them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct VerifiedCapsuleFrag {
    pub(crate) cfrag: CapsuleFrag,
    pub(crate) capsule: Capsule,
    pub(crate) delegating_pk: PublicKey,
    pub(crate) verifying_key: DelegationVerifyingKey,
    pub(crate) receiving_pk: PublicKey,
}

impl core::ops::Deref for VerifiedCapsuleFrag {
    type Target = CapsuleFrag;
    fn deref(&self) -> &CapsuleFrag {
        &self.cfrag
    }
}

/// Error returned by [`CapsuleFrag::verify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapsuleFragVerificationError {
    /// The owner's signature on the key fragment (`id`, `U1`, `X_A`) does not verify for the
    /// given delegating, verifying and receiving keys.
    IncorrectKeyFragSignature,
    /// The DLEQ proof does not show `W1 = rk·(E + V)` for the signed `U1 = rk·U`.
    IncorrectReencryption,
    /// The verifying key given is the label public key itself: whoever holds `a_L` (t proxies
    /// and the requester, after the collusion of `docs/pre.md` §9) could sign under it, so it
    /// proves no consent. Metadata that stores it so is refused, never trusted.
    LabelKeyAsVerifyingKey,
}

impl fmt::Display for CapsuleFragVerificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::IncorrectKeyFragSignature => "key fragment signature is invalid",
            Self::IncorrectReencryption => "re-encryption proof is invalid",
            Self::LabelKeyAsVerifyingKey => {
                "the delegation verifying key is the label public key itself"
            }
        })
    }
}

impl core::error::Error for CapsuleFragVerificationError {}

/// The DLEQ transcript: `keccak256(tag) || G || U || pk_A || pk_B || E || V || s || X_A || id ||
/// U1 || W1 || W2 || U2` (points 64 bytes `x || y`, scalars and id 32 bytes, big-endian).
pub(crate) fn proof_transcript(
    capsule: &Capsule,
    delegating_pk: &PublicKey,
    receiving_pk: &PublicKey,
    cfrag: &CapsuleFrag,
) -> Transcript {
    let mut t = Transcript::new(hashing_ds::CFRAG_PROOF);
    t.g1(&curve::generator())
        .g1(&GENERATOR_U)
        .g1(&delegating_pk.0)
        .g1(&receiving_pk.0)
        .g1(&capsule.e)
        .g1(&capsule.v)
        .scalar(&capsule.s)
        .g1(&cfrag.precursor)
        .bytes32(&cfrag.kfrag_id)
        .g1(&cfrag.commitment)
        .g1(&cfrag.w1)
        .g1(&cfrag.w2)
        .g1(&cfrag.u2);
    t
}

impl CapsuleFrag {
    /// Length of [`to_bytes`](Self::to_bytes).
    pub const ENCODED_LEN: usize = 1 + 32 + 6 * POINT_LEN + 2 * SCALAR_LEN;

    /// The id of the key fragment this fragment was made with.
    pub fn kfrag_id(&self) -> [u8; 32] {
        self.kfrag_id
    }

    /// Verifies the owner's signature on the key fragment under `verifying_key` (the label's
    /// delegation verifying key, taken like `delegating_pk` from the record's metadata), then
    /// the DLEQ proof `z·W = W2 + h·W1`, `z·U = U2 + h·U1` with `W = E + V` and `h` the keccak
    /// challenge of the DLEQ transcript (`docs/pre.md` §6.3). On failure the fragment is handed
    /// back with the error.
    // Handing the rejected input back (umbral-pre style) is worth the large `Err`.
    #[allow(clippy::result_large_err)]
    pub fn verify(
        self,
        capsule: &Capsule,
        delegating_pk: &PublicKey,
        verifying_key: &DelegationVerifyingKey,
        receiving_pk: &PublicKey,
    ) -> Result<VerifiedCapsuleFrag, (CapsuleFragVerificationError, Self)> {
        if verifying_key.0 == delegating_pk.0 {
            return Err((CapsuleFragVerificationError::LabelKeyAsVerifyingKey, self));
        }
        let t = signature_transcript(
            delegating_pk,
            verifying_key,
            receiving_pk,
            &self.precursor,
            &self.kfrag_id,
            &self.commitment,
        );
        if !self.kfrag_signature.verify(verifying_key, t) {
            return Err((
                CapsuleFragVerificationError::IncorrectKeyFragSignature,
                self,
            ));
        }
        let h = proof_transcript(capsule, delegating_pk, receiving_pk, &self).challenge();
        let w = capsule.w();
        let ok_w = w * self.z == curve::mul(&self.w1, &h) + self.w2;
        let ok_u = curve::mul_u(&self.z) == curve::mul(&self.commitment, &h) + self.u2;
        if !(ok_w && ok_u) {
            return Err((CapsuleFragVerificationError::IncorrectReencryption, self));
        }
        Ok(VerifiedCapsuleFrag {
            cfrag: self,
            capsule: *capsule,
            delegating_pk: *delegating_pk,
            verifying_key: *verifying_key,
            receiving_pk: *receiving_pk,
        })
    }

    /// `0x14 || W1 (32) || id (32) || X_A (32) || U1 (32) || W2 (32) || U2 (32) || z (32, BE) ||
    /// R (32) || z_sig (32, BE)` = 289 bytes.
    pub fn to_bytes(&self) -> [u8; Self::ENCODED_LEN] {
        let mut out = [0u8; Self::ENCODED_LEN];
        Writer::new(&mut out, WireType::CapsuleFrag)
            .put(&point_to_bytes(&self.w1))
            .put(&self.kfrag_id)
            .put(&point_to_bytes(&self.precursor))
            .put(&point_to_bytes(&self.commitment))
            .put(&point_to_bytes(&self.w2))
            .put(&point_to_bytes(&self.u2))
            .put(&scalar_to_be(&self.z))
            .put(&point_to_bytes(&self.kfrag_signature.r))
            .put(&scalar_to_be(&self.kfrag_signature.z))
            .finish();
        out
    }

    /// Decodes [`to_bytes`](Self::to_bytes) (canonical encodings only; no proof check).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = encoding::open(bytes, WireType::CapsuleFrag, Self::ENCODED_LEN)?;
        let w1 = point_from_bytes(&r.take())?;
        let kfrag_id = r.take();
        let precursor = point_from_bytes(&r.take())?;
        let commitment = point_from_bytes(&r.take())?;
        let w2 = point_from_bytes(&r.take())?;
        let u2 = point_from_bytes(&r.take())?;
        let z = scalar_from_be(&r.take())?;
        let sig_r = point_from_bytes(&r.take())?;
        let sig_z = scalar_from_be(&r.take())?;
        Ok(Self {
            w1,
            kfrag_id,
            precursor,
            commitment,
            w2,
            u2,
            z,
            kfrag_signature: KeyFragSignature { r: sig_r, z: sig_z },
        })
    }
}

impl fmt::Debug for CapsuleFrag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CapsuleFrag(")?;
        fmt_hex(f, &self.to_bytes())?;
        f.write_str(")")
    }
}

impl fmt::Debug for VerifiedCapsuleFrag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VerifiedCapsuleFrag")
            .field(&self.cfrag)
            .finish()
    }
}

impl VerifiedCapsuleFrag {
    /// The transport form.
    pub fn unverify(self) -> CapsuleFrag {
        self.cfrag
    }

    /// See [`CapsuleFrag::to_bytes`].
    pub fn to_bytes(&self) -> [u8; CapsuleFrag::ENCODED_LEN] {
        self.cfrag.to_bytes()
    }
}

/// Re-encrypts `capsule` with a verified key fragment (the proxy's job) and proves it.
pub fn reencrypt_with_rng(
    rng: &mut (impl CryptoRng + RngCore),
    capsule: &Capsule,
    kfrag: &VerifiedKeyFrag,
) -> VerifiedCapsuleFrag {
    let k = &kfrag.kfrag;
    let w = capsule.w();
    let w1 = (w * k.rk.0).into_affine();
    let mut cfrag = CapsuleFrag {
        w1,
        kfrag_id: k.id,
        precursor: k.precursor,
        commitment: k.commitment,
        w2: w1,
        u2: w1,
        z: Fr::from(0u64),
        kfrag_signature: k.signature,
    };
    // Hedged nonce over the statement (the transcript prefix up to W1).
    let mut statement: Vec<u8> =
        proof_transcript(capsule, &kfrag.delegating_pk, &kfrag.receiving_pk, &cfrag).into_bytes();
    statement.truncate(statement.len() - 128);
    let random = curve::random_bytes32(rng);
    let tau = SecretScalar(hashing_ds::hedged_nonce(
        hashing_ds::CFRAG_PROOF_NONCE,
        &random,
        &k.rk.0,
        &statement,
    ));
    let [w2, u2] = curve::normalize([w * tau.0, curve::mul_u(&tau.0)]);
    cfrag.w2 = w2;
    cfrag.u2 = u2;
    let h =
        proof_transcript(capsule, &kfrag.delegating_pk, &kfrag.receiving_pk, &cfrag).challenge();
    cfrag.z = tau.0 + h * k.rk.0;
    VerifiedCapsuleFrag {
        cfrag,
        capsule: *capsule,
        delegating_pk: kfrag.delegating_pk,
        verifying_key: kfrag.verifying_key,
        receiving_pk: kfrag.receiving_pk,
    }
}

/// [`reencrypt_with_rng`] with the OS RNG.
#[cfg(feature = "default-rng")]
pub fn reencrypt(capsule: &Capsule, kfrag: &VerifiedKeyFrag) -> VerifiedCapsuleFrag {
    reencrypt_with_rng(&mut rand_core::OsRng, capsule, kfrag)
}

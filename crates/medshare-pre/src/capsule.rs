//! The KEM: [`Capsule`] creation (encapsulation) and opening, by the label key or from
//! re-encrypted fragments.

use core::fmt;

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Zero;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::capsule_frag::VerifiedCapsuleFrag;
use crate::curve::{
    self, POINT_LEN, SCALAR_LEN, point_from_bytes, point_to_bytes, scalar_from_be, scalar_to_be,
};
use crate::dem::DemKey;
use crate::encoding::{self, DecodeError, WireType, Writer};
use crate::hashing_ds::{self, Transcript};
use crate::key_frag::{share_index, shared_d};
use crate::keys::{LabelSecretKey, PublicKey, SecretKey, fmt_hex};

/// An encapsulated key: `(E, V, s)` with `E = r·G`, `V = u·G`, `s = u + r·h`,
/// `h = keccak256(tag || G || E || V) mod r`. The shared point is `K = (r + u)·pk`.
///
/// A `Capsule` value is always valid: [`Capsule::from_bytes`] checks `s·G = V + h·E` and
/// `E + V != O`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Capsule {
    pub(crate) e: G1Affine,
    pub(crate) v: G1Affine,
    pub(crate) s: Fr,
}

/// Error returned by [`Capsule::open_reencrypted`] (and
/// [`decrypt_reencrypted`](crate::decrypt_reencrypted)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenReencryptedError {
    /// No capsule fragments were given.
    NoCapsuleFrags,
    /// The fragments come from different delegations (different precursors `X_A`), or were
    /// verified against another capsule, another receiving key, or another label (delegating
    /// or verifying key).
    MismatchedCapsuleFrags,
    /// Two fragments share a key-fragment id (or a share index).
    RepeatingCapsuleFrags,
}

impl fmt::Display for OpenReencryptedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoCapsuleFrags => "no capsule fragments given",
            Self::MismatchedCapsuleFrags => "capsule fragments come from different delegations",
            Self::RepeatingCapsuleFrags => "repeating capsule fragments",
        })
    }
}

impl core::error::Error for OpenReencryptedError {}

impl Capsule {
    /// Length of [`to_bytes`](Self::to_bytes).
    pub const ENCODED_LEN: usize = 1 + 2 * POINT_LEN + SCALAR_LEN;

    /// `h = keccak256(keccak256(tag) || G || E || V) mod r`.
    pub(crate) fn challenge(e: &G1Affine, v: &G1Affine) -> Fr {
        let mut t = Transcript::new(hashing_ds::CAPSULE_CHECK);
        t.g1(&curve::generator()).g1(e).g1(v);
        t.challenge()
    }

    /// `W = E + V`, the base that fragments re-encrypt.
    pub(crate) fn w(&self) -> G1Projective {
        self.e.into_group() + self.v
    }

    /// Encapsulates a fresh key to `pk`: returns the capsule (public) and the DEM key.
    pub fn new_with_rng(rng: &mut (impl CryptoRng + RngCore), pk: &PublicKey) -> (Self, DemKey) {
        loop {
            let r = Zeroizing::new(curve::random_nonzero_scalar(rng));
            let u = Zeroizing::new(curve::random_nonzero_scalar(rng));
            let sum = Zeroizing::new(*r + *u);
            if sum.is_zero() {
                continue;
            }
            let [e, v, k] =
                curve::normalize([curve::mul_g(&r), curve::mul_g(&u), curve::mul(&pk.0, &sum)]);
            let k = Zeroizing::new(k);
            let s = *u + *r * Self::challenge(&e, &v);
            let capsule = Self { e, v, s };
            let key = DemKey::from_shared_point(&k, &capsule);
            return (capsule, key);
        }
    }

    /// Encapsulates with the OS RNG; see [`new_with_rng`](Self::new_with_rng).
    #[cfg(feature = "default-rng")]
    pub fn new(pk: &PublicKey) -> (Self, DemKey) {
        Self::new_with_rng(&mut rand_core::OsRng, pk)
    }

    /// Checks `s·G = V + h·E` and `E + V != O`.
    fn is_valid(&self) -> bool {
        let h = Self::challenge(&self.e, &self.v);
        !self.w().is_zero() && curve::mul_g(&self.s) == curve::mul(&self.e, &h) + self.v
    }

    /// Opens the capsule with the label secret key it was made for: `K = sk·(E + V)`.
    /// A wrong key yields a wrong [`DemKey`], which the DEM then rejects.
    pub fn open_original(&self, sk: &LabelSecretKey) -> DemKey {
        let k = (self.w() * sk.0.0).into_affine();
        DemKey::from_shared_point(&k, self)
    }

    /// Opens the capsule from at least `threshold` fragments of one delegation, each verified
    /// against this capsule and `receiving_sk`'s public key:
    /// `K = d · Σ λ_i W1_i` with `d = H(X_A, pk_B, b·X_A)` and Lagrange coefficients at 0
    /// over the share indices `x_i = H(X_A, pk_B, b·X_A, id_i)`.
    ///
    /// With fewer than `threshold` fragments (or fragments made for another requester) the
    /// result is a wrong key, which the DEM rejects on the first chunk.
    pub fn open_reencrypted(
        &self,
        receiving_sk: &SecretKey,
        cfrags: &[VerifiedCapsuleFrag],
    ) -> Result<DemKey, OpenReencryptedError> {
        let first = cfrags.first().ok_or(OpenReencryptedError::NoCapsuleFrags)?;
        let precursor = first.cfrag.precursor;
        let pk_b = receiving_sk.public_key();
        for (i, c) in cfrags.iter().enumerate() {
            if c.cfrag.precursor != precursor
                || c.capsule != *self
                || c.receiving_pk != pk_b
                || c.delegating_pk != first.delegating_pk
                || c.verifying_key != first.verifying_key
            {
                return Err(OpenReencryptedError::MismatchedCapsuleFrags);
            }
            if cfrags[..i]
                .iter()
                .any(|o| o.cfrag.kfrag_id == c.cfrag.kfrag_id)
            {
                return Err(OpenReencryptedError::RepeatingCapsuleFrags);
            }
        }
        // DH, d, the share indices and the sum are secrets of the requester (with t proxies'
        // shares they rebuild the label key; the sum is the KEM key).
        let dh = Zeroizing::new(curve::mul(&precursor, &receiving_sk.0.0).into_affine());
        let d = Zeroizing::new(shared_d(&precursor, &pk_b.0, &dh));
        let xs: Zeroizing<alloc::vec::Vec<Fr>> = Zeroizing::new(
            cfrags
                .iter()
                .map(|c| share_index(&precursor, &pk_b.0, &dh, &c.cfrag.kfrag_id))
                .collect(),
        );
        let mut acc = Zeroizing::new(G1Projective::zero());
        for (i, c) in cfrags.iter().enumerate() {
            let coefficient = Zeroizing::new(
                *d * curve::lagrange_at_zero(&xs, i)
                    .ok_or(OpenReencryptedError::RepeatingCapsuleFrags)?,
            );
            *acc += curve::mul(&c.cfrag.w1, &coefficient);
        }
        let k = Zeroizing::new(acc.into_affine());
        Ok(DemKey::from_shared_point(&k, self))
    }

    /// `0x12 || E (32) || V (32) || s (32, big-endian)` = 97 bytes.
    pub fn to_bytes(&self) -> [u8; Self::ENCODED_LEN] {
        let mut out = [0u8; Self::ENCODED_LEN];
        Writer::new(&mut out, WireType::Capsule)
            .put(&point_to_bytes(&self.e))
            .put(&point_to_bytes(&self.v))
            .put(&scalar_to_be(&self.s))
            .finish();
        out
    }

    /// Decodes [`to_bytes`](Self::to_bytes) and checks the capsule's validity proof.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = encoding::open(bytes, WireType::Capsule, Self::ENCODED_LEN)?;
        let e = point_from_bytes(&r.take())?;
        let v = point_from_bytes(&r.take())?;
        let s = scalar_from_be(&r.take())?;
        let capsule = Self { e, v, s };
        if !capsule.is_valid() {
            return Err(DecodeError::InvalidCapsule);
        }
        Ok(capsule)
    }
}

impl fmt::Debug for Capsule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Capsule(")?;
        fmt_hex(f, &self.to_bytes())?;
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::MasterSecret;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn encapsulate_open_original() {
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        let sk = MasterSecret::random_with_rng(&mut rng).derive_label_key(b"l");
        let (capsule, key) = Capsule::new_with_rng(&mut rng, &sk.public_key());
        assert!(capsule.is_valid());
        assert_eq!(capsule.open_original(&sk).as_bytes(), key.as_bytes());
        assert_eq!(Capsule::from_bytes(&capsule.to_bytes()), Ok(capsule));
    }

    #[test]
    fn open_reencrypted_checks_the_label_keys() {
        // Fragments that share X_A, the capsule and the requester but were verified under
        // another label's keys (e.g. a second owner signing a copy of the public X_A) are not
        // combined.
        let mut rng = ChaCha20Rng::seed_from_u64(13);
        let msk = MasterSecret::random_with_rng(&mut rng);
        let (sk, dsk) = (msk.derive_label_key(b"l"), msk.derive_delegation_key(b"l"));
        let bob = SecretKey::random_with_rng(&mut rng);
        let (capsule, key) = Capsule::new_with_rng(&mut rng, &sk.public_key());
        let kfrags = crate::generate_kfrags_with_rng(&mut rng, &sk, &dsk, &bob.public_key(), 2, 2)
            .expect("ok");
        let cfrags: alloc::vec::Vec<_> = kfrags
            .iter()
            .map(|k| crate::reencrypt_with_rng(&mut rng, &capsule, k))
            .collect();
        let opened = capsule.open_reencrypted(&bob, &cfrags).expect("opens");
        assert_eq!(opened.as_bytes(), key.as_bytes());
        let other = msk.derive_delegation_key(b"m");
        let mut relabelled = cfrags.clone();
        relabelled[1].verifying_key = other.verifying_key();
        assert_eq!(
            capsule.open_reencrypted(&bob, &relabelled).map(|_| ()),
            Err(OpenReencryptedError::MismatchedCapsuleFrags)
        );
        let mut relabelled = cfrags;
        relabelled[1].delegating_pk = msk.derive_label_key(b"m").public_key();
        assert_eq!(
            capsule.open_reencrypted(&bob, &relabelled).map(|_| ()),
            Err(OpenReencryptedError::MismatchedCapsuleFrags)
        );
    }

    #[test]
    fn tampered_capsule_is_rejected() {
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let pk = SecretKey::random_with_rng(&mut rng).public_key();
        let (capsule, _) = Capsule::new_with_rng(&mut rng, &pk);
        let mut bad = capsule;
        bad.s += Fr::from(1u64);
        assert_eq!(
            Capsule::from_bytes(&bad.to_bytes()),
            Err(DecodeError::InvalidCapsule)
        );
        let mut swapped = capsule;
        core::mem::swap(&mut swapped.e, &mut swapped.v);
        assert_eq!(
            Capsule::from_bytes(&swapped.to_bytes()),
            Err(DecodeError::InvalidCapsule)
        );
    }
}

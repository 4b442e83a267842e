//! Keys: the owner's [`MasterSecret`], and derived from it per label a [`LabelSecretKey`]
//! (decryption) and a [`DelegationSigningKey`] (signs grants; public [`DelegationVerifyingKey`]);
//! the requester's [`SecretKey`]; the [`PublicKey`] of a label or requester.

use core::fmt;

use ark_bn254::{Fr, G1Affine};
use ark_ec::CurveGroup;
use ark_ff::Zero;
use hkdf::Hkdf;
use rand_core::{CryptoRng, RngCore};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::curve::{
    self, POINT_LEN, SCALAR_LEN, nonzero_scalar_from_be, point_from_bytes, point_to_bytes,
    point_to_evm, scalar_to_be,
};
use crate::encoding::{self, DecodeError, WireType, Writer};
use crate::hashing_ds;

pub(crate) fn fmt_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for b in bytes {
        write!(f, "{b:02x}")?;
    }
    Ok(())
}

/// The owner's root secret: 32 random bytes from which every label key and delegation-signing
/// key is derived.
///
/// Never leaves the owner's keystore. Zeroized on drop; `Debug` prints no secret.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterSecret([u8; 32]);

impl MasterSecret {
    /// Length of the secret in bytes.
    pub const LEN: usize = 32;

    /// Draws a fresh master secret from `rng`.
    pub fn random_with_rng(rng: &mut (impl CryptoRng + RngCore)) -> Self {
        let mut s = [0u8; 32];
        rng.fill_bytes(&mut s);
        Self(s)
    }

    /// Draws a fresh master secret from the OS RNG.
    #[cfg(feature = "default-rng")]
    pub fn random() -> Self {
        Self::random_with_rng(&mut rand_core::OsRng)
    }

    /// Restores a master secret from its 32 bytes (e.g. read from a keystore).
    pub fn from_bytes(mut bytes: [u8; 32]) -> Self {
        let s = Self(bytes);
        bytes.zeroize();
        s
    }

    /// The 32 secret bytes, in a buffer zeroized on drop (for keystores only).
    pub fn to_secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0)
    }

    /// Derives the key pair of `label` (one record or one policy):
    ///
    /// `sk_L = OS2IP(HKDF-SHA256(salt = "MEDSHARE-PRE-v1/label-key/salt", ikm = msk,
    ///          info = "MEDSHARE-PRE-v1/label-key/info" || u64be(len(L)) || L || ctr, 64)) mod r`
    ///
    /// with `ctr = 0` (incremented only in the 2^-254 event of a zero scalar). Deterministic and
    /// one-way: label keys have no algebraic relation to each other or to `msk`.
    pub fn derive_label_key(&self, label: &[u8]) -> LabelSecretKey {
        LabelSecretKey(self.derive_scalar(hashing_ds::LABEL_KEY_INFO, label))
    }

    /// Derives the delegation-signing key of `label`, which signs every key fragment of the
    /// label's grants:
    ///
    /// `dsk_L = OS2IP(HKDF-SHA256(salt = "MEDSHARE-PRE-v1/label-key/salt", ikm = msk,
    ///          info = "MEDSHARE-PRE-v2/delegation-key/info" || u64be(len(L)) || L || ctr, 64)) mod r`
    ///
    /// Same extract step as [`derive_label_key`](Self::derive_label_key), another expand
    /// info: `dsk_L` and `sk_L` are independent pseudorandom values, so the `sk_L` that a
    /// colluding requester and `t` proxies can rebuild (`docs/pre.md` §9) says nothing about
    /// `dsk_L`. One key per label keeps the grants of different records unlinkable.
    pub fn derive_delegation_key(&self, label: &[u8]) -> DelegationSigningKey {
        DelegationSigningKey::new(self.derive_scalar(hashing_ds::DELEGATION_KEY_INFO, label))
    }

    fn derive_scalar(&self, info: &[u8], label: &[u8]) -> SecretScalar {
        let hk = Hkdf::<Sha256>::new(Some(hashing_ds::MASTER_KEY_SALT), &self.0);
        let len = (label.len() as u64).to_be_bytes();
        let mut ctr: u8 = 0;
        loop {
            let s = hashing_ds::wide_scalar(&hk, &[info, &len, label, &[ctr]]);
            if !s.is_zero() {
                return SecretScalar(s);
            }
            ctr = ctr.wrapping_add(1);
        }
    }
}

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterSecret(<redacted>)")
    }
}

impl ConstantTimeEq for MasterSecret {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

/// A non-zero secret scalar, zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct SecretScalar(pub(crate) Fr);

impl SecretScalar {
    fn public_key(&self) -> PublicKey {
        PublicKey(curve::mul_g(&self.0).into_affine())
    }

    fn to_be_bytes(&self) -> Zeroizing<[u8; SCALAR_LEN]> {
        Zeroizing::new(scalar_to_be(&self.0))
    }

    fn from_be_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let arr: &[u8; SCALAR_LEN] = bytes.try_into().map_err(|_| DecodeError::WrongLength {
            expected: SCALAR_LEN,
            actual: bytes.len(),
        })?;
        Ok(Self(nonzero_scalar_from_be(arr)?))
    }
}

impl ConstantTimeEq for SecretScalar {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.to_be_bytes().ct_eq(&*other.to_be_bytes())
    }
}

/// The secret key of one label (`sk_L`), obtained from
/// [`MasterSecret::derive_label_key`]. Data for the label is encrypted to its
/// [`PublicKey`]; delegations ([`generate_kfrags`](crate::generate_kfrags_with_rng)) are made
/// with it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct LabelSecretKey(pub(crate) SecretScalar);

/// A requester's (delegatee's) secret key: a random scalar.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey(pub(crate) SecretScalar);

/// The secret key `dsk_L` with which the owner signs the key fragments of one label's grants,
/// obtained from [`MasterSecret::derive_delegation_key`]. Verifiers expect its
/// [`DelegationVerifyingKey`], published next to the label public key (e.g. in the record's
/// on-chain metadata). Independent of the [`LabelSecretKey`], so a coalition that rebuilds
/// the label key still cannot sign delegations.
#[derive(Clone)]
pub struct DelegationSigningKey {
    pub(crate) secret: SecretScalar,
    // Computed once: every delegation signs it into its transcripts.
    pub(crate) verifying_key: DelegationVerifyingKey,
}

impl DelegationSigningKey {
    fn new(secret: SecretScalar) -> Self {
        let verifying_key = DelegationVerifyingKey(secret.public_key().0);
        Self {
            secret,
            verifying_key,
        }
    }

    /// The matching verifying key `dsk_L · G`.
    pub fn verifying_key(&self) -> DelegationVerifyingKey {
        self.verifying_key
    }
}

impl fmt::Debug for DelegationSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DelegationSigningKey(<redacted>)")
    }
}

macro_rules! secret_key_common {
    ($ty:ident) => {
        impl $ty {
            /// Length of the big-endian encoding.
            pub const LEN: usize = SCALAR_LEN;

            /// The matching public key `sk · G`.
            pub fn public_key(&self) -> PublicKey {
                self.0.public_key()
            }

            /// The scalar as 32 bytes big-endian, zeroized on drop (keystores only).
            pub fn to_be_bytes(&self) -> Zeroizing<[u8; SCALAR_LEN]> {
                self.0.to_be_bytes()
            }

            /// Restores a key from 32 bytes big-endian; rejects values `>= r` and zero.
            pub fn from_be_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
                SecretScalar::from_be_bytes(bytes).map(Self)
            }
        }

        impl ConstantTimeEq for $ty {
            fn ct_eq(&self, other: &Self) -> Choice {
                self.0.ct_eq(&other.0)
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($ty), "(<redacted>)"))
            }
        }
    };
}

secret_key_common!(LabelSecretKey);
secret_key_common!(SecretKey);

impl SecretKey {
    /// Draws a fresh key from `rng`.
    pub fn random_with_rng(rng: &mut (impl CryptoRng + RngCore)) -> Self {
        Self(SecretScalar(curve::random_nonzero_scalar(rng)))
    }

    /// Draws a fresh key from the OS RNG.
    #[cfg(feature = "default-rng")]
    pub fn random() -> Self {
        Self::random_with_rng(&mut rand_core::OsRng)
    }
}

/// A public key: a non-identity point of BN254 G1.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey(pub(crate) G1Affine);

impl PublicKey {
    /// Length of [`to_bytes`](Self::to_bytes): `0x11 || compressed point (32)`.
    pub const ENCODED_LEN: usize = 1 + POINT_LEN;

    /// `0x11 || point (32 bytes, arkworks compressed)`.
    pub fn to_bytes(&self) -> [u8; Self::ENCODED_LEN] {
        let mut out = [0u8; Self::ENCODED_LEN];
        Writer::new(&mut out, WireType::PublicKey)
            .put(&point_to_bytes(&self.0))
            .finish();
        out
    }

    /// Decodes [`to_bytes`](Self::to_bytes); see [`DecodeError`] for what is rejected.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = encoding::open(bytes, WireType::PublicKey, Self::ENCODED_LEN)?;
        Ok(Self(point_from_bytes(&r.take())?))
    }

    /// The point as the EVM sees it: `x || y`, 32 bytes big-endian each.
    pub fn to_evm_bytes(&self) -> [u8; 64] {
        point_to_evm(&self.0)
    }
}

/// The public key `vk_L = dsk_L·G` that a label's key fragments are signed with: a
/// non-identity point of BN254 G1. Kfrag and cfrag verifiers take it next to the label's
/// [`PublicKey`]; it is distinct from every label public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DelegationVerifyingKey(pub(crate) G1Affine);

impl DelegationVerifyingKey {
    /// Length of [`to_bytes`](Self::to_bytes).
    pub const ENCODED_LEN: usize = PublicKey::ENCODED_LEN;

    /// `0x11 || point (32 bytes, arkworks compressed)`: the [`PublicKey`] encoding (both are
    /// G1 points; the type codes `0x6..0xF` belong to `medshare-identity`). Which of the two a
    /// value is follows from where it is stored, and the type system keeps them apart here.
    pub fn to_bytes(&self) -> [u8; Self::ENCODED_LEN] {
        PublicKey(self.0).to_bytes()
    }

    /// Decodes [`to_bytes`](Self::to_bytes); see [`DecodeError`] for what is rejected.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        PublicKey::from_bytes(bytes).map(|pk| Self(pk.0))
    }

    /// The point as the EVM sees it: `x || y`, 32 bytes big-endian each.
    pub fn to_evm_bytes(&self) -> [u8; 64] {
        point_to_evm(&self.0)
    }
}

impl fmt::Debug for DelegationVerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DelegationVerifyingKey(")?;
        fmt_hex(f, &self.to_bytes())?;
        f.write_str(")")
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PublicKey(")?;
        fmt_hex(f, &self.to_bytes())?;
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn label_keys_are_deterministic_and_distinct() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let msk = MasterSecret::random_with_rng(&mut rng);
        let a = msk.derive_label_key(b"record-1");
        let b = msk.derive_label_key(b"record-1");
        let c = msk.derive_label_key(b"record-2");
        assert!(bool::from(a.ct_eq(&b)));
        assert!(!bool::from(a.ct_eq(&c)));
        assert_eq!(a.public_key(), b.public_key());
        assert_ne!(a.public_key(), c.public_key());
        // Length prefix: "ab" || "" differs from "a" || "b" style ambiguities.
        assert!(!bool::from(
            msk.derive_label_key(b"").ct_eq(&msk.derive_label_key(&[0]))
        ));
    }

    #[test]
    fn delegation_keys_are_independent_of_label_keys() {
        let mut rng = ChaCha20Rng::seed_from_u64(10);
        let msk = MasterSecret::random_with_rng(&mut rng);
        let sk = msk.derive_label_key(b"record-1");
        let dsk = msk.derive_delegation_key(b"record-1");
        // Deterministic, per label, and never the label key itself.
        assert!(bool::from(
            dsk.secret
                .ct_eq(&msk.derive_delegation_key(b"record-1").secret)
        ));
        assert!(!bool::from(dsk.secret.ct_eq(&sk.0)));
        assert!(!bool::from(
            dsk.secret
                .ct_eq(&msk.derive_delegation_key(b"record-2").secret)
        ));
        assert_ne!(dsk.verifying_key().0, sk.public_key().0);
        assert_eq!(dsk.verifying_key().0, dsk.secret.public_key().0);
        // No small algebraic relation either (the additive shapes an attacker would try).
        let (a, s) = (sk.0.0, dsk.secret.0);
        for k in 1u64..=4 {
            assert_ne!(s, a * Fr::from(k));
            assert_ne!(s, a + Fr::from(k));
            assert_ne!(s, -a * Fr::from(k));
        }
        let vk = dsk.verifying_key();
        assert_eq!(DelegationVerifyingKey::from_bytes(&vk.to_bytes()), Ok(vk));
    }

    #[test]
    fn debug_is_redacted() {
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let msk = MasterSecret::random_with_rng(&mut rng);
        let sk = msk.derive_label_key(b"x");
        assert_eq!(format!("{msk:?}"), "MasterSecret(<redacted>)");
        assert_eq!(format!("{sk:?}"), "LabelSecretKey(<redacted>)");
        let dsk = msk.derive_delegation_key(b"x");
        assert_eq!(format!("{dsk:?}"), "DelegationSigningKey(<redacted>)");
    }

    #[test]
    fn public_key_round_trip() {
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let pk = SecretKey::random_with_rng(&mut rng).public_key();
        assert_eq!(PublicKey::from_bytes(&pk.to_bytes()), Ok(pk));
    }
}

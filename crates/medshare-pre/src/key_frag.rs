//! Delegation: key fragments ([`KeyFrag`]), their generation by the label owner and their
//! verification by proxies.
//!
//! `rk = a · d⁻¹` with `d = H(X_A, pk_B, x_A·pk_B)` is shared with a random polynomial `f` of
//! degree `t - 1`, `f(0) = rk`; fragment `i` holds `rk_i = f(x_i)` with the share index
//! `x_i = H(X_A, pk_B, x_A·pk_B, id_i)`, its commitment `U1_i = rk_i·U`, and a Schnorr
//! signature by the label key over `(pk_A, pk_B, X_A, id_i, U1_i)`.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::CurveGroup;
use ark_ff::{Field, Zero};
use rand_core::{CryptoRng, RngCore};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::curve::{
    self, POINT_LEN, SCALAR_LEN, point_from_bytes, point_to_bytes, point_to_evm, scalar_from_be,
    scalar_to_be,
};
use crate::encoding::{self, DecodeError, WireType, Writer};
use crate::hashing_ds::{self, Transcript};
use crate::keys::{LabelSecretKey, PublicKey, SecretScalar, fmt_hex};

/// `d = H_wide("MEDSHARE-PRE-v1/kfrag/d", X_A || pk_B || DH)` (points as 64-byte `x || y`).
pub(crate) fn shared_d(precursor: &G1Affine, pk_b: &G1Affine, dh: &G1Affine) -> Fr {
    hashing_ds::hash_to_scalar(
        hashing_ds::KFRAG_D,
        &[
            &point_to_evm(precursor),
            &point_to_evm(pk_b),
            &point_to_evm(dh),
        ],
    )
}

/// `x_i = H_wide("MEDSHARE-PRE-v1/kfrag/share-index", X_A || pk_B || DH || id_i)`.
pub(crate) fn share_index(
    precursor: &G1Affine,
    pk_b: &G1Affine,
    dh: &G1Affine,
    id: &[u8; 32],
) -> Fr {
    hashing_ds::hash_to_scalar(
        hashing_ds::KFRAG_SHARE_INDEX,
        &[
            &point_to_evm(precursor),
            &point_to_evm(pk_b),
            &point_to_evm(dh),
            id,
        ],
    )
}

/// A Schnorr signature `(R, z)` on BN254 G1 with a keccak challenge: valid iff
/// `z·G = R + c·pk_A`, `c = keccak256(transcript || R) mod r`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeyFragSignature {
    pub(crate) r: G1Affine,
    pub(crate) z: Fr,
}

/// The signed statement of a kfrag, without `R`: `keccak256(tag) || G || pk_A || pk_B || X_A ||
/// id || U1`.
pub(crate) fn signature_transcript(
    delegating_pk: &PublicKey,
    receiving_pk: &PublicKey,
    precursor: &G1Affine,
    id: &[u8; 32],
    commitment: &G1Affine,
) -> Transcript {
    let mut t = Transcript::new(hashing_ds::KFRAG_SIGNATURE);
    t.g1(&curve::generator())
        .g1(&delegating_pk.0)
        .g1(&receiving_pk.0)
        .g1(precursor)
        .bytes32(id)
        .g1(commitment);
    t
}

impl KeyFragSignature {
    pub(crate) fn verify(&self, delegating_pk: &PublicKey, mut transcript: Transcript) -> bool {
        transcript.g1(&self.r);
        let c = transcript.challenge();
        curve::mul_g(&self.z) == curve::mul(&delegating_pk.0, &c) + self.r
    }
}

/// A key fragment as sent (encrypted) to one proxy. Holds a secret share: zeroized on drop,
/// and `Debug` prints only its id.
#[derive(Clone)]
pub struct KeyFrag {
    pub(crate) id: [u8; 32],
    pub(crate) rk: SecretScalar,
    pub(crate) commitment: G1Affine,
    pub(crate) precursor: G1Affine,
    pub(crate) signature: KeyFragSignature,
}

/// A [`KeyFrag`] checked against the delegating and receiving public keys; only
/// [`KeyFrag::verify`] and [`generate_kfrags_with_rng`] produce one.
#[derive(Clone)]
pub struct VerifiedKeyFrag {
    pub(crate) kfrag: KeyFrag,
    pub(crate) delegating_pk: PublicKey,
    pub(crate) receiving_pk: PublicKey,
}

/// Error returned by [`KeyFrag::verify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyFragVerificationError {
    /// The commitment `U1` is not `rk·U`.
    IncorrectCommitment,
    /// The owner's signature over the fragment does not verify for these public keys.
    IncorrectSignature,
}

impl fmt::Display for KeyFragVerificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::IncorrectCommitment => "key fragment commitment is incorrect",
            Self::IncorrectSignature => "key fragment signature is invalid",
        })
    }
}

impl core::error::Error for KeyFragVerificationError {}

/// Error returned by [`generate_kfrags_with_rng`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenerateKFragsError {
    /// `threshold` is zero.
    ZeroThreshold,
    /// `threshold` is larger than `shares`.
    ThresholdExceedsShares,
}

impl fmt::Display for GenerateKFragsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ZeroThreshold => "threshold must be at least 1",
            Self::ThresholdExceedsShares => "threshold exceeds the number of shares",
        })
    }
}

impl core::error::Error for GenerateKFragsError {}

impl KeyFrag {
    /// Length of [`to_bytes`](Self::to_bytes).
    pub const ENCODED_LEN: usize = 1 + 32 + SCALAR_LEN + 3 * POINT_LEN + SCALAR_LEN;

    /// The fragment id (32 random bytes chosen by the owner).
    pub fn id(&self) -> [u8; 32] {
        self.id
    }

    /// Checks the commitment (`U1 = rk·U`) and the owner's signature for `delegating_pk`
    /// (the label public key) and `receiving_pk` (the requester's). On failure the fragment is
    /// handed back with the error.
    // Handing the rejected input back (umbral-pre style) is worth the large `Err`.
    #[allow(clippy::result_large_err)]
    pub fn verify(
        self,
        delegating_pk: &PublicKey,
        receiving_pk: &PublicKey,
    ) -> Result<VerifiedKeyFrag, (KeyFragVerificationError, Self)> {
        if curve::mul_u(&self.rk.0) != self.commitment {
            return Err((KeyFragVerificationError::IncorrectCommitment, self));
        }
        let t = signature_transcript(
            delegating_pk,
            receiving_pk,
            &self.precursor,
            &self.id,
            &self.commitment,
        );
        if !self.signature.verify(delegating_pk, t) {
            return Err((KeyFragVerificationError::IncorrectSignature, self));
        }
        Ok(VerifiedKeyFrag {
            kfrag: self,
            delegating_pk: *delegating_pk,
            receiving_pk: *receiving_pk,
        })
    }

    /// `0x13 || id (32) || rk (32, BE) || U1 (32) || X_A (32) || R (32) || z (32, BE)` =
    /// 193 bytes. Contains the secret share `rk`: encrypt before sending.
    pub fn to_bytes(&self) -> Zeroizing<[u8; Self::ENCODED_LEN]> {
        let mut out = Zeroizing::new([0u8; Self::ENCODED_LEN]);
        let rk = Zeroizing::new(scalar_to_be(&self.rk.0));
        Writer::new(out.as_mut_slice(), WireType::KeyFrag)
            .put(&self.id)
            .put(rk.as_slice())
            .put(&point_to_bytes(&self.commitment))
            .put(&point_to_bytes(&self.precursor))
            .put(&point_to_bytes(&self.signature.r))
            .put(&scalar_to_be(&self.signature.z))
            .finish();
        out
    }

    /// Decodes [`to_bytes`](Self::to_bytes) (canonical encodings only; no signature check).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = encoding::open(bytes, WireType::KeyFrag, Self::ENCODED_LEN)?;
        let id = r.take();
        let mut rk_bytes = Zeroizing::new(r.take::<32>());
        let rk = SecretScalar(scalar_from_be(&rk_bytes)?);
        rk_bytes.zeroize();
        let commitment = point_from_bytes(&r.take())?;
        let precursor = point_from_bytes(&r.take())?;
        let sig_r = point_from_bytes(&r.take())?;
        let sig_z = scalar_from_be(&r.take())?;
        Ok(Self {
            id,
            rk,
            commitment,
            precursor,
            signature: KeyFragSignature { r: sig_r, z: sig_z },
        })
    }
}

impl PartialEq for KeyFrag {
    fn eq(&self, other: &Self) -> bool {
        self.to_bytes().ct_eq(other.to_bytes().as_slice()).into()
    }
}

impl Eq for KeyFrag {}

impl fmt::Debug for KeyFrag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyFrag { id: ")?;
        fmt_hex(f, &self.id)?;
        f.write_str(", .. }")
    }
}

impl VerifiedKeyFrag {
    /// The transport form (e.g. to re-send it).
    pub fn unverify(self) -> KeyFrag {
        self.kfrag
    }

    /// See [`KeyFrag::to_bytes`].
    pub fn to_bytes(&self) -> Zeroizing<[u8; KeyFrag::ENCODED_LEN]> {
        self.kfrag.to_bytes()
    }

    /// The fragment id.
    pub fn id(&self) -> [u8; 32] {
        self.kfrag.id
    }
}

impl fmt::Debug for VerifiedKeyFrag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VerifiedKeyFrag").field(&self.kfrag).finish()
    }
}

impl PartialEq for VerifiedKeyFrag {
    fn eq(&self, other: &Self) -> bool {
        self.kfrag == other.kfrag
            && self.delegating_pk == other.delegating_pk
            && self.receiving_pk == other.receiving_pk
    }
}

/// Makes `shares` key fragments of the delegation of `delegating_sk`'s label to
/// `receiving_pk`; any `threshold` of them re-encrypt a capsule the requester can open.
///
/// Non-interactive: only the requester's public key is needed.
pub fn generate_kfrags_with_rng(
    rng: &mut (impl CryptoRng + RngCore),
    delegating_sk: &LabelSecretKey,
    receiving_pk: &PublicKey,
    threshold: usize,
    shares: usize,
) -> Result<Box<[VerifiedKeyFrag]>, GenerateKFragsError> {
    if threshold == 0 {
        return Err(GenerateKFragsError::ZeroThreshold);
    }
    if threshold > shares {
        return Err(GenerateKFragsError::ThresholdExceedsShares);
    }
    let a = &delegating_sk.0.0;
    let delegating_pk = delegating_sk.public_key();

    // Precursor X_A = x_A·G and the non-interactive secret d (probability 2^-254 of a retry).
    let (x_a, precursor, dh, d_inv) = loop {
        let x_a = SecretScalar(curve::random_nonzero_scalar(rng));
        let [precursor, dh] =
            curve::normalize([curve::mul_g(&x_a.0), curve::mul(&receiving_pk.0, &x_a.0)]);
        if let Some(d_inv) = shared_d(&precursor, &receiving_pk.0, &dh).inverse() {
            break (x_a, precursor, dh, SecretScalar(d_inv));
        }
    };
    drop(x_a);

    // f(x) = rk + c_1 x + ... + c_{t-1} x^{t-1}
    let mut coefficients: Vec<Fr> = Vec::with_capacity(threshold);
    coefficients.push(*a * d_inv.0);
    for _ in 1..threshold {
        coefficients.push(curve::random_nonzero_scalar(rng));
    }

    let mut ids: Vec<[u8; 32]> = Vec::with_capacity(shares);
    let mut xs: Vec<Fr> = Vec::with_capacity(shares);
    while ids.len() < shares {
        let id = curve::random_bytes32(rng);
        let x = share_index(&precursor, &receiving_pk.0, &dh, &id);
        if x.is_zero() || xs.contains(&x) {
            continue;
        }
        ids.push(id);
        xs.push(x);
    }
    let rks: Vec<SecretScalar> = xs
        .iter()
        .map(|x| {
            SecretScalar(
                coefficients
                    .iter()
                    .rev()
                    .fold(Fr::zero(), |acc, c| acc * x + c),
            )
        })
        .collect();
    coefficients.zeroize();

    let commitments = G1Projective::normalize_batch(
        &rks.iter().map(|rk| curve::mul_u(&rk.0)).collect::<Vec<_>>(),
    );

    // Schnorr signatures with hedged nonces.
    let mut transcripts = Vec::with_capacity(shares);
    let mut nonces = Vec::with_capacity(shares);
    for (id, commitment) in ids.iter().zip(&commitments) {
        let t = signature_transcript(&delegating_pk, receiving_pk, &precursor, id, commitment);
        let random = curve::random_bytes32(rng);
        nonces.push(SecretScalar(hashing_ds::hedged_nonce(
            hashing_ds::KFRAG_SIGNATURE_NONCE,
            &random,
            a,
            t.as_bytes(),
        )));
        transcripts.push(t);
    }
    let rs = G1Projective::normalize_batch(
        &nonces
            .iter()
            .map(|k| curve::mul_g(&k.0))
            .collect::<Vec<_>>(),
    );

    let kfrags = ids
        .into_iter()
        .zip(rks)
        .zip(commitments)
        .zip(transcripts)
        .zip(nonces.iter().zip(rs))
        .map(|((((id, rk), commitment), mut t), (k, r))| {
            t.g1(&r);
            let z = k.0 + t.challenge() * a;
            VerifiedKeyFrag {
                kfrag: KeyFrag {
                    id,
                    rk,
                    commitment,
                    precursor,
                    signature: KeyFragSignature { r, z },
                },
                delegating_pk,
                receiving_pk: *receiving_pk,
            }
        })
        .collect();
    Ok(kfrags)
}

/// [`generate_kfrags_with_rng`] with the OS RNG.
#[cfg(feature = "default-rng")]
pub fn generate_kfrags(
    delegating_sk: &LabelSecretKey,
    receiving_pk: &PublicKey,
    threshold: usize,
    shares: usize,
) -> Result<Box<[VerifiedKeyFrag]>, GenerateKFragsError> {
    generate_kfrags_with_rng(
        &mut rand_core::OsRng,
        delegating_sk,
        receiving_pk,
        threshold,
        shares,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{MasterSecret, SecretKey};
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn setup() -> (LabelSecretKey, SecretKey, Box<[VerifiedKeyFrag]>) {
        let mut rng = ChaCha20Rng::seed_from_u64(21);
        let sk = MasterSecret::random_with_rng(&mut rng).derive_label_key(b"l");
        let bob = SecretKey::random_with_rng(&mut rng);
        let kfrags = generate_kfrags_with_rng(&mut rng, &sk, &bob.public_key(), 2, 3)
            .expect("valid parameters");
        (sk, bob, kfrags)
    }

    #[test]
    fn kfrags_verify_and_round_trip() {
        let (sk, bob, kfrags) = setup();
        for vk in kfrags.iter() {
            let k = KeyFrag::from_bytes(vk.to_bytes().as_slice()).expect("decodes");
            assert_eq!(k, vk.clone().unverify());
            let v = k
                .verify(&sk.public_key(), &bob.public_key())
                .expect("verifies");
            assert_eq!(&v, vk);
        }
    }

    #[test]
    fn bad_kfrags_are_rejected() {
        let (sk, bob, kfrags) = setup();
        let mut k = kfrags[0].clone().unverify();
        k.rk.0 += Fr::from(1u64);
        let (err, _) = k
            .verify(&sk.public_key(), &bob.public_key())
            .expect_err("tampered share");
        assert_eq!(err, KeyFragVerificationError::IncorrectCommitment);

        let k = kfrags[0].clone().unverify();
        let (err, _) = k
            .verify(&bob.public_key(), &bob.public_key())
            .expect_err("wrong delegating key");
        assert_eq!(err, KeyFragVerificationError::IncorrectSignature);

        let mut k = kfrags[0].clone().unverify();
        k.id[0] ^= 1;
        let (err, _) = k
            .verify(&sk.public_key(), &bob.public_key())
            .expect_err("tampered id");
        assert_eq!(err, KeyFragVerificationError::IncorrectSignature);
    }

    #[test]
    fn parameter_errors() {
        let mut rng = ChaCha20Rng::seed_from_u64(22);
        let sk = MasterSecret::random_with_rng(&mut rng).derive_label_key(b"l");
        let pk = sk.public_key();
        assert_eq!(
            generate_kfrags_with_rng(&mut rng, &sk, &pk, 0, 3).map(|_| ()),
            Err(GenerateKFragsError::ZeroThreshold)
        );
        assert_eq!(
            generate_kfrags_with_rng(&mut rng, &sk, &pk, 4, 3).map(|_| ()),
            Err(GenerateKFragsError::ThresholdExceedsShares)
        );
    }
}

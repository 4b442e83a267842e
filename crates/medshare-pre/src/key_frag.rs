//! Delegation: key fragments ([`KeyFrag`]), their generation by the label owner and their
//! verification by proxies.
//!
//! `rk = a · d⁻¹` with `d = H(X_A, pk_B, x_A·pk_B)` is shared with a random polynomial `f` of
//! degree `t - 1`, `f(0) = rk`; fragment `i` holds `rk_i = f(x_i)` with the share index
//! `x_i = H(X_A, pk_B, x_A·pk_B, id_i)`, its commitment `U1_i = rk_i·U`, and a Schnorr
//! signature by the label's delegation-signing key `dsk_L` (not the label key `a`, which a
//! requester and `t` proxies can rebuild) over `(pk_A, vk_L, pk_B, X_A, id_i, U1_i)`.

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
    scalar_to_be, u64_word,
};
use crate::encoding::{self, DecodeError, WireType, Writer};
use crate::hashing_ds::{self, Transcript};
use crate::keys::{
    DelegationSigningKey, DelegationVerifyingKey, LabelSecretKey, PublicKey, SecretScalar, fmt_hex,
};

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
/// `z·G = R + c·vk_L`, `c = keccak256(transcript || R) mod r`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeyFragSignature {
    pub(crate) r: G1Affine,
    pub(crate) z: Fr,
}

/// The signed statement of a kfrag, without `R`: `keccak256(tag) || G || pk_A || vk_L || pk_B ||
/// X_A || id || U1`.
pub(crate) fn signature_transcript(
    delegating_pk: &PublicKey,
    verifying_key: &DelegationVerifyingKey,
    receiving_pk: &PublicKey,
    precursor: &G1Affine,
    id: &[u8; 32],
    commitment: &G1Affine,
) -> Transcript {
    let mut t = Transcript::new(hashing_ds::KFRAG_SIGNATURE);
    t.g1(&curve::generator())
        .g1(&delegating_pk.0)
        .g1(&verifying_key.0)
        .g1(&receiving_pk.0)
        .g1(precursor)
        .bytes32(id)
        .g1(commitment);
    t
}

impl KeyFragSignature {
    pub(crate) fn verify(
        &self,
        verifying_key: &DelegationVerifyingKey,
        mut transcript: Transcript,
    ) -> bool {
        transcript.g1(&self.r);
        let c = transcript.challenge();
        curve::mul_g(&self.z) == curve::mul(&verifying_key.0, &c) + self.r
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

/// A [`KeyFrag`] checked against the delegating (label) public key, the label's delegation
/// verifying key and the receiving public key, which it remembers; only [`KeyFrag::verify`]
/// and [`generate_kfrags_with_rng`] produce one.
#[derive(Clone)]
pub struct VerifiedKeyFrag {
    pub(crate) kfrag: KeyFrag,
    pub(crate) delegating_pk: PublicKey,
    pub(crate) verifying_key: DelegationVerifyingKey,
    pub(crate) receiving_pk: PublicKey,
}

/// Error returned by [`KeyFrag::verify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyFragVerificationError {
    /// The commitment `U1` is not `rk·U`.
    IncorrectCommitment,
    /// The owner's signature over the fragment does not verify for these keys.
    IncorrectSignature,
    /// The verifying key given is the label public key itself, under which whoever holds
    /// `a_L` could sign (see [`CapsuleFragVerificationError::LabelKeyAsVerifyingKey`]).
    ///
    /// [`CapsuleFragVerificationError::LabelKeyAsVerifyingKey`]: crate::CapsuleFragVerificationError::LabelKeyAsVerifyingKey
    LabelKeyAsVerifyingKey,
}

impl fmt::Display for KeyFragVerificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::IncorrectCommitment => "key fragment commitment is incorrect",
            Self::IncorrectSignature => "key fragment signature is invalid",
            Self::LabelKeyAsVerifyingKey => {
                "the delegation verifying key is the label public key itself"
            }
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

    /// The fragment id (32 bytes, a hedged random scalar chosen by the owner).
    pub fn id(&self) -> [u8; 32] {
        self.id
    }

    /// Checks the commitment (`U1 = rk·U`) and the owner's signature under `verifying_key`
    /// over `delegating_pk` (the label public key), `verifying_key` and `receiving_pk` (the
    /// requester's). The verifier takes the label's two keys from a trusted source (the
    /// record's metadata), never from the fragment. On failure the fragment is handed back with
    /// the error.
    // Handing the rejected input back (umbral-pre style) is worth the large `Err`.
    #[allow(clippy::result_large_err)]
    pub fn verify(
        self,
        delegating_pk: &PublicKey,
        verifying_key: &DelegationVerifyingKey,
        receiving_pk: &PublicKey,
    ) -> Result<VerifiedKeyFrag, (KeyFragVerificationError, Self)> {
        if verifying_key.0 == delegating_pk.0 {
            return Err((KeyFragVerificationError::LabelKeyAsVerifyingKey, self));
        }
        if curve::mul_u(&self.rk.0) != self.commitment {
            return Err((KeyFragVerificationError::IncorrectCommitment, self));
        }
        let t = signature_transcript(
            delegating_pk,
            verifying_key,
            receiving_pk,
            &self.precursor,
            &self.id,
            &self.commitment,
        );
        if !self.signature.verify(verifying_key, t) {
            return Err((KeyFragVerificationError::IncorrectSignature, self));
        }
        Ok(VerifiedKeyFrag {
            kfrag: self,
            delegating_pk: *delegating_pk,
            verifying_key: *verifying_key,
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
            && self.verifying_key == other.verifying_key
            && self.receiving_pk == other.receiving_pk
    }
}

/// Makes `shares` key fragments of the delegation of `delegating_sk`'s label to
/// `receiving_pk`, signed with the label's `signing_key`; any `threshold` of them re-encrypt a
/// capsule the requester can open.
///
/// Non-interactive: only the requester's public key is needed.
///
/// `rng` must be a cryptographically secure RNG. The secret randomness (`x_A`, the
/// polynomial, the ids, the signature nonces) is hedged: each value is derived from fresh RNG
/// output together with `a` and `dsk_L`, the delegation's public keys, `threshold`, `shares`
/// and a counter. A stuck RNG therefore cannot make the retry loops spin forever, and a predictable
/// one reveals `x_A` (hence `x_A·pk_B`, the value that lets `t` proxies rebuild `a` without the
/// requester) to nobody who lacks `dsk_L`. What a faulty RNG does lose is freshness: two
/// delegations with the same keys and parameters then repeat each other, which the proxies can
/// see.
pub fn generate_kfrags_with_rng(
    rng: &mut (impl CryptoRng + RngCore),
    delegating_sk: &LabelSecretKey,
    signing_key: &DelegationSigningKey,
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
    let dsk = &signing_key.secret.0;
    let delegating_pk = delegating_sk.public_key();
    let verifying_key = signing_key.verifying_key;
    let hedge = hashing_ds::DelegationHedge::new(
        &Zeroizing::new(curve::random_bytes32(rng)),
        &Zeroizing::new([*a, *dsk]),
        &[
            &point_to_evm(&delegating_pk.0),
            &point_to_evm(&verifying_key.0),
            &point_to_evm(&receiving_pk.0),
            &u64_word(threshold as u64),
            &u64_word(shares as u64),
        ],
    );

    // Precursor X_A = x_A·G and the non-interactive secret d; a retry (x_A = 0 or d = 0) has
    // probability about 2^-253 and moves the counter.
    let mut attempt = 0u64;
    let (precursor, dh, d_inv) = loop {
        let x_a = SecretScalar(hedge.scalar(hashing_ds::KFRAG_PRECURSOR, attempt));
        attempt += 1;
        if x_a.0.is_zero() {
            continue;
        }
        let [precursor, dh] =
            curve::normalize([curve::mul_g(&x_a.0), curve::mul(&receiving_pk.0, &x_a.0)]);
        let dh = Zeroizing::new(dh);
        if let Some(d_inv) = shared_d(&precursor, &receiving_pk.0, &dh).inverse() {
            break (precursor, dh, SecretScalar(d_inv));
        }
    };

    // f(x) = rk + c_1 x + ... + c_{t-1} x^{t-1}
    let mut coefficients: Zeroizing<Vec<Fr>> = Zeroizing::new(Vec::with_capacity(threshold));
    coefficients.push(*a * d_inv.0);
    drop(d_inv);
    for j in 1..threshold {
        coefficients.push(hedge.scalar(hashing_ds::KFRAG_COEFFICIENT, j as u64));
    }

    // Ids and share indices; a retry (x_i = 0 or a repeated x_i) moves the counter.
    let mut ids: Vec<[u8; 32]> = Vec::with_capacity(shares);
    let mut xs: Zeroizing<Vec<Fr>> = Zeroizing::new(Vec::with_capacity(shares));
    let mut attempt = 0u64;
    while ids.len() < shares {
        let id = scalar_to_be(&hedge.scalar(hashing_ds::KFRAG_ID, attempt));
        attempt += 1;
        let x = share_index(&precursor, &receiving_pk.0, &dh, &id);
        if x.is_zero() || xs.contains(&x) {
            continue;
        }
        ids.push(id);
        xs.push(x);
    }
    drop(dh);
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
    drop(coefficients);
    drop(xs);

    let commitments = G1Projective::normalize_batch(
        &rks.iter().map(|rk| curve::mul_u(&rk.0)).collect::<Vec<_>>(),
    );

    // Schnorr signatures by dsk_L with hedged nonces.
    let mut transcripts = Vec::with_capacity(shares);
    let mut nonces = Vec::with_capacity(shares);
    for (id, commitment) in ids.iter().zip(&commitments) {
        let t = signature_transcript(
            &delegating_pk,
            &verifying_key,
            receiving_pk,
            &precursor,
            id,
            commitment,
        );
        let random = Zeroizing::new(curve::random_bytes32(rng));
        nonces.push(SecretScalar(hashing_ds::hedged_nonce(
            hashing_ds::KFRAG_SIGNATURE_NONCE,
            &random,
            dsk,
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
            let z = k.0 + t.challenge() * dsk;
            VerifiedKeyFrag {
                kfrag: KeyFrag {
                    id,
                    rk,
                    commitment,
                    precursor,
                    signature: KeyFragSignature { r, z },
                },
                delegating_pk,
                verifying_key,
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
    signing_key: &DelegationSigningKey,
    receiving_pk: &PublicKey,
    threshold: usize,
    shares: usize,
) -> Result<Box<[VerifiedKeyFrag]>, GenerateKFragsError> {
    generate_kfrags_with_rng(
        &mut rand_core::OsRng,
        delegating_sk,
        signing_key,
        receiving_pk,
        threshold,
        shares,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{MasterSecret, SecretKey};
    use ark_ff::PrimeField;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    struct Owner {
        sk: LabelSecretKey,
        dsk: DelegationSigningKey,
    }

    impl Owner {
        fn new(rng: &mut ChaCha20Rng, label: &[u8]) -> Self {
            let msk = MasterSecret::random_with_rng(rng);
            Self {
                sk: msk.derive_label_key(label),
                dsk: msk.derive_delegation_key(label),
            }
        }
    }

    fn setup() -> (Owner, SecretKey, Box<[VerifiedKeyFrag]>) {
        let mut rng = ChaCha20Rng::seed_from_u64(21);
        let owner = Owner::new(&mut rng, b"l");
        let bob = SecretKey::random_with_rng(&mut rng);
        let kfrags =
            generate_kfrags_with_rng(&mut rng, &owner.sk, &owner.dsk, &bob.public_key(), 2, 3)
                .expect("valid parameters");
        (owner, bob, kfrags)
    }

    #[test]
    fn kfrags_verify_and_round_trip() {
        let (owner, bob, kfrags) = setup();
        for vk in kfrags.iter() {
            let k = KeyFrag::from_bytes(vk.to_bytes().as_slice()).expect("decodes");
            assert_eq!(k, vk.clone().unverify());
            let v = k
                .verify(
                    &owner.sk.public_key(),
                    &owner.dsk.verifying_key(),
                    &bob.public_key(),
                )
                .expect("verifies");
            assert_eq!(&v, vk);
        }
    }

    #[test]
    fn bad_kfrags_are_rejected() {
        let (owner, bob, kfrags) = setup();
        let (pk, vk) = (owner.sk.public_key(), owner.dsk.verifying_key());
        let mut k = kfrags[0].clone().unverify();
        k.rk.0 += Fr::from(1u64);
        let (err, _) = k
            .verify(&pk, &vk, &bob.public_key())
            .expect_err("tampered share");
        assert_eq!(err, KeyFragVerificationError::IncorrectCommitment);

        let k = kfrags[0].clone().unverify();
        let (err, _) = k
            .verify(&bob.public_key(), &vk, &bob.public_key())
            .expect_err("wrong delegating key");
        assert_eq!(err, KeyFragVerificationError::IncorrectSignature);

        // The label key is never a verifying key (the version 1 construction).
        let k = kfrags[0].clone().unverify();
        let (err, _) = k
            .verify(&pk, &DelegationVerifyingKey(pk.0), &bob.public_key())
            .expect_err("label key as verifying key");
        assert_eq!(err, KeyFragVerificationError::LabelKeyAsVerifyingKey);

        let mut rng = ChaCha20Rng::seed_from_u64(23);
        let other = Owner::new(&mut rng, b"l");
        let k = kfrags[0].clone().unverify();
        let (err, _) = k
            .verify(&pk, &other.dsk.verifying_key(), &bob.public_key())
            .expect_err("another owner's verifying key");
        assert_eq!(err, KeyFragVerificationError::IncorrectSignature);

        let mut k = kfrags[0].clone().unverify();
        k.id[0] ^= 1;
        let (err, _) = k
            .verify(&pk, &vk, &bob.public_key())
            .expect_err("tampered id");
        assert_eq!(err, KeyFragVerificationError::IncorrectSignature);
    }

    #[test]
    fn parameter_errors() {
        let mut rng = ChaCha20Rng::seed_from_u64(22);
        let owner = Owner::new(&mut rng, b"l");
        let pk = owner.sk.public_key();
        assert_eq!(
            generate_kfrags_with_rng(&mut rng, &owner.sk, &owner.dsk, &pk, 0, 3).map(|_| ()),
            Err(GenerateKFragsError::ZeroThreshold)
        );
        assert_eq!(
            generate_kfrags_with_rng(&mut rng, &owner.sk, &owner.dsk, &pk, 4, 3).map(|_| ()),
            Err(GenerateKFragsError::ThresholdExceedsShares)
        );
    }

    #[test]
    fn predictable_rng_does_not_reveal_the_precursor_secret() {
        // An attacker who knows the RNG's seed replays its output stream. Unhedged generation
        // takes x_A from that stream (the first draw, in version 1); hedged generation mixes in
        // a and dsk_L, so no scalar read off the stream is log_G X_A.
        let mut rng = ChaCha20Rng::seed_from_u64(24);
        let owner = Owner::new(&mut rng, b"l");
        let bob = SecretKey::random_with_rng(&mut rng).public_key();
        let seed = [0x5a; 32];
        let kfrags = generate_kfrags_with_rng(
            &mut ChaCha20Rng::from_seed(seed),
            &owner.sk,
            &owner.dsk,
            &bob,
            3,
            5,
        )
        .expect("ok");
        let precursor = kfrags[0].kfrag.precursor;
        let mut replay = ChaCha20Rng::from_seed(seed);
        let unhedged = curve::random_nonzero_scalar(&mut ChaCha20Rng::from_seed(seed));
        assert_ne!(curve::mul_g(&unhedged), precursor);
        for _ in 0..64 {
            let block = curve::random_bytes32(&mut replay);
            let guess = Fr::from_be_bytes_mod_order(&block);
            assert_ne!(curve::mul_g(&guess), precursor);
        }
    }
}

//! Blind, threshold issuance (Coconut-style, signatures in G2).
//!
//! 1. The user ([`UserSecret::request_credential_with_rng`]) commits `cm = o·G1 + m·H1`,
//!    derives `h = H_G2(cm, epoch)`, encrypts `m·h` under a fresh ElGamal key `Γ = d·G2`:
//!    `(a, b) = (k·G2, k·Γ + m·h)`, and proves knowledge of `(m, o, k, d)` with
//!    `cm = o·G1 + m·H1`, `M = m·H1`, `Γ = d·G2`, `a = k·G2`, `b = k·Γ + m·h`
//!    ([`IssuanceRequest`]). Knowing `d` matters: with `Γ = δ·h` (possible since `h` is public),
//!    `b = (m + k·δ)·h` and the authorities would sign `m + k·δ`, a value the user chooses.
//! 2. Authority `i` checks the proof, that `M` is the registered identity of the
//!    (authenticated, non-revoked) user, and the epoch ([`IssuanceRequest::verify`]); it
//!    returns `(ŝ_a, ŝ_b) = (y_m_i·a, (x_i + e·y_e_i)·h + y_m_i·b)` ([`BlindSignature`]).
//! 3. The user unblinds `s_i = ŝ_b - d·ŝ_a = (x_i + m·y_m_i + e·y_e_i)·h`, checks
//!    `e(X_i + m·Y_m_i + e·Y_e_i, h) = e(G1, s_i)` ([`PendingCredential::unblind`]) and
//!    interpolates any `t` partials: `s = Σ λ_i·s_i` ([`PendingCredential::finish`]), a
//!    Pointcheval-Sanders signature `σ = (h, s)` on `(m, e)` under `(x, y_m, y_e)`.

use core::fmt;

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine, G2Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{One, Zero};
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::curve::{
    self, G1_LEN, G2_LEN, SCALAR_LEN, g1_from_bytes, g1_to_bytes, g2_from_bytes, g2_to_bytes,
};
use crate::encoding::{self, DecodeError, SecretKind, WireType, Writer};
use crate::hashing_ds::{self, Transcript, TranscriptG2};
use crate::keys::{
    AuthoritySecretKey, AuthorityVerificationKey, GroupPublicKey, X, YE, YM, fmt_hex,
};
use crate::user::{IdentityPoint, UserSecret};

/// `e(K, h) == e(G1, s)`, as one 2-pair product `e(K, h)·e(-G1, s) == 1`.
pub(crate) fn ps_check(k: &G1Affine, h: &G2Affine, s: &G2Affine) -> bool {
    let neg_g1 = -curve::g1();
    Bn254::multi_pairing([*k, neg_g1], [*h, *s]).0.is_one()
}

/// An issuance request (blinded; see the module doc).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct IssuanceRequest {
    pub(crate) epoch: u64,
    pub(crate) identity: IdentityPoint,
    pub(crate) cm: G1Affine,
    pub(crate) gamma: G2Affine,
    pub(crate) a: G2Affine,
    pub(crate) b: G2Affine,
    pub(crate) c: Fr,
    pub(crate) z_m: Fr,
    pub(crate) z_o: Fr,
    pub(crate) z_k: Fr,
    pub(crate) z_d: Fr,
}

/// The user's side of a pending issuance: `m`, the ElGamal secret `d`, `h` and the epoch.
/// Zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct PendingCredential {
    m: Fr,
    d: Fr,
    #[zeroize(skip)]
    h: G2Affine,
    #[zeroize(skip)]
    epoch: u64,
}

/// An [`IssuanceRequest`] that passed [`IssuanceRequest::verify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedIssuanceRequest {
    pub(crate) req: IssuanceRequest,
    pub(crate) h: G2Affine,
}

/// Error returned by [`IssuanceRequest::verify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssuanceRequestError {
    /// The request is for another epoch than the one being issued.
    WrongEpoch,
    /// `M` is not the registered identity of the requesting user.
    NotRegistered,
    /// The consistency proof does not verify.
    InvalidProof,
}

impl fmt::Display for IssuanceRequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::WrongEpoch => "issuance request is for another epoch",
            Self::NotRegistered => "identity point is not the registered one",
            Self::InvalidProof => "issuance request proof is invalid",
        })
    }
}

impl core::error::Error for IssuanceRequestError {}

/// `keccak256(tag) || G1 || H1 || G2 || epoch || M || cm || h || Γ || a || b` (the five proof
/// commitments `A_cm, A_M` (G1) and `A_Γ, A_a, A_b` (G2) follow).
pub(crate) fn request_transcript(req: &IssuanceRequest, h: &G2Affine) -> Transcript {
    let mut t = Transcript::new(hashing_ds::ISSUANCE_REQUEST);
    t.g1(&curve::g1())
        .g1(&curve::h1())
        .g2(&curve::g2())
        .uint(req.epoch)
        .g1(&req.identity.0)
        .g1(&req.cm)
        .g2(h)
        .g2(&req.gamma)
        .g2(&req.a)
        .g2(&req.b);
    t
}

impl UserSecret {
    /// Starts an issuance for `epoch`: the request for the authorities and the state needed
    /// to unblind their answers.
    pub fn request_credential_with_rng(
        &self,
        rng: &mut (impl CryptoRng + RngCore),
        epoch: u64,
    ) -> (IssuanceRequest, PendingCredential) {
        let m = self.0;
        let o = Zeroizing::new(curve::random_nonzero_scalar(rng));
        let d = Zeroizing::new(curve::random_nonzero_scalar(rng));
        let k = Zeroizing::new(curve::random_nonzero_scalar(rng));
        let cm = (curve::mul_g1(&o) + curve::mul_h1(&m)).into_affine();
        let h = hashing_ds::hash_to_g2(&cm, epoch);
        let [gamma, a, b] = curve::normalize2([
            curve::mul_g2(&d),
            curve::mul_g2(&k),
            curve::mul_g2(&(*k * *d)) + curve::mul2(&h, &m),
        ]);
        let mut req = IssuanceRequest {
            epoch,
            identity: self.identity(),
            cm,
            gamma,
            a,
            b,
            c: Fr::zero(),
            z_m: Fr::zero(),
            z_o: Fr::zero(),
            z_k: Fr::zero(),
            z_d: Fr::zero(),
        };
        let statement = request_transcript(&req, &h);
        let random = curve::random_bytes32(rng);
        let secrets = Zeroizing::new([m, *o, *k, *d]);
        let w: Zeroizing<[Fr; 4]> = Zeroizing::new(core::array::from_fn(|i| {
            hashing_ds::hedged_nonce(&random, &*secrets, statement.as_bytes(), i as u8)
        }));
        let [w_m, w_o, w_k, w_d] = *w;
        let [a_cm, a_m] = curve::normalize1([
            curve::mul_g1(&w_o) + curve::mul_h1(&w_m),
            curve::mul_h1(&w_m),
        ]);
        let [a_gamma, a_a, a_b] = curve::normalize2([
            curve::mul_g2(&w_d),
            curve::mul_g2(&w_k),
            curve::mul2(&gamma, &w_k) + curve::mul2(&h, &w_m),
        ]);
        let mut t = statement;
        t.g1(&a_cm).g1(&a_m).g2(&a_gamma).g2(&a_a).g2(&a_b);
        let c = t.challenge();
        req.c = c;
        req.z_m = w_m + c * m;
        req.z_o = w_o + c * *o;
        req.z_k = w_k + c * *k;
        req.z_d = w_d + c * *d;
        (req, PendingCredential { m, d: *d, h, epoch })
    }
}

impl IssuanceRequest {
    /// Length of [`to_bytes`](Self::to_bytes).
    pub const ENCODED_LEN: usize = 1 + 8 + 2 * G1_LEN + 3 * G2_LEN + 5 * SCALAR_LEN;

    /// The epoch the credential is requested for.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The claimed identity point `M` (look it up in the registration table).
    pub fn identity(&self) -> IdentityPoint {
        self.identity
    }

    /// Checks the epoch, that `M` equals `registered` (the identity point stored for the
    /// authenticated user at registration, who must not be revoked: the caller's check) and
    /// the proof of knowledge of `(m, o, k, d)`, which includes `Γ = d·G2` (without it the user
    /// could pick `Γ = δ·h` and have any message signed). Recomputes `h = H_G2(cm, epoch)`.
    #[allow(clippy::result_large_err)]
    pub fn verify(
        self,
        epoch: u64,
        registered: &IdentityPoint,
    ) -> Result<VerifiedIssuanceRequest, (IssuanceRequestError, Self)> {
        if self.epoch != epoch {
            return Err((IssuanceRequestError::WrongEpoch, self));
        }
        if self.identity != *registered {
            return Err((IssuanceRequestError::NotRegistered, self));
        }
        let h = hashing_ds::hash_to_g2(&self.cm, self.epoch);
        let c = self.c;
        let [a_cm, a_m] = curve::normalize1([
            curve::mul_g1(&self.z_o) + curve::mul_h1(&self.z_m) - curve::mul1(&self.cm, &c),
            curve::mul_h1(&self.z_m) - curve::mul1(&self.identity.0, &c),
        ]);
        let [a_gamma, a_a, a_b] = curve::normalize2([
            curve::mul_g2(&self.z_d) - curve::mul2(&self.gamma, &c),
            curve::mul_g2(&self.z_k) - curve::mul2(&self.a, &c),
            curve::mul2(&self.gamma, &self.z_k) + curve::mul2(&h, &self.z_m)
                - curve::mul2(&self.b, &c),
        ]);
        let mut t = request_transcript(&self, &h);
        t.g1(&a_cm).g1(&a_m).g2(&a_gamma).g2(&a_a).g2(&a_b);
        if t.challenge() != c {
            return Err((IssuanceRequestError::InvalidProof, self));
        }
        Ok(VerifiedIssuanceRequest { req: self, h })
    }

    /// `0x28 || epoch (8, BE) || M (32) || cm (32) || Γ (64) || a (64) || b (64) || c || z_m ||
    /// z_o || z_k || z_d` (32 each) = 489 bytes (format version 2).
    pub fn to_bytes(&self) -> [u8; Self::ENCODED_LEN] {
        let mut w = Writer::new(WireType::IssuanceRequest, Self::ENCODED_LEN);
        w.put(&self.epoch.to_be_bytes())
            .put(&g1_to_bytes(&self.identity.0))
            .put(&g1_to_bytes(&self.cm))
            .put(&g2_to_bytes(&self.gamma))
            .put(&g2_to_bytes(&self.a))
            .put(&g2_to_bytes(&self.b));
        for s in [&self.c, &self.z_m, &self.z_o, &self.z_k, &self.z_d] {
            w.put(&curve::scalar_to_be(s));
        }
        w.finish_array()
    }

    /// Decodes [`to_bytes`](Self::to_bytes) (no proof check).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = encoding::open(bytes, WireType::IssuanceRequest, Some(Self::ENCODED_LEN))?;
        Ok(Self {
            epoch: u64::from_be_bytes(r.take()),
            identity: IdentityPoint(g1_from_bytes(&r.take())?),
            cm: g1_from_bytes(&r.take())?,
            gamma: g2_from_bytes(&r.take())?,
            a: g2_from_bytes(&r.take())?,
            b: g2_from_bytes(&r.take())?,
            c: curve::scalar_from_be(&r.take())?,
            z_m: curve::scalar_from_be(&r.take())?,
            z_o: curve::scalar_from_be(&r.take())?,
            z_k: curve::scalar_from_be(&r.take())?,
            z_d: curve::scalar_from_be(&r.take())?,
        })
    }
}

impl fmt::Debug for IssuanceRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IssuanceRequest(")?;
        fmt_hex(f, &self.to_bytes())?;
        f.write_str(")")
    }
}

impl VerifiedIssuanceRequest {
    /// The requester's identity point.
    pub fn identity(&self) -> IdentityPoint {
        self.req.identity
    }

    /// The epoch.
    pub fn epoch(&self) -> u64 {
        self.req.epoch
    }
}

/// Authority `i`'s blinded partial signature `(ŝ_a, ŝ_b)`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BlindSignature {
    pub(crate) index: u8,
    pub(crate) s_a: G2Affine,
    pub(crate) s_b: G2Affine,
}

impl AuthoritySecretKey {
    /// Blind-signs a verified request: `ŝ_a = y_m_i·a`, `ŝ_b = (x_i + e·y_e_i)·h + y_m_i·b`.
    /// The authority sees `M`, `cm`, `Γ`, `(a, b)`, `h`, never `m·h` nor the credential.
    pub fn blind_sign(&self, req: &VerifiedIssuanceRequest) -> BlindSignature {
        let e = Fr::from(req.req.epoch);
        let s = &self.shares;
        let [s_a, s_b] = curve::normalize2([
            curve::mul2(&req.req.a, &s[YM]),
            curve::mul2(&req.h, &(s[X] + e * s[YE])) + curve::mul2(&req.req.b, &s[YM]),
        ]);
        BlindSignature {
            index: self.index,
            s_a,
            s_b,
        }
    }
}

impl BlindSignature {
    /// Length of [`to_bytes`](Self::to_bytes).
    pub const ENCODED_LEN: usize = 2 + 2 * G2_LEN;

    /// The signing authority's index.
    pub fn index(&self) -> u8 {
        self.index
    }

    /// `0x19 || index (1) || ŝ_a (64) || ŝ_b (64)`.
    pub fn to_bytes(&self) -> [u8; Self::ENCODED_LEN] {
        let mut w = Writer::new(WireType::BlindSignature, Self::ENCODED_LEN);
        w.put(&[self.index])
            .put(&g2_to_bytes(&self.s_a))
            .put(&g2_to_bytes(&self.s_b));
        w.finish_array()
    }

    /// Decodes [`to_bytes`](Self::to_bytes); rejects index 0.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = encoding::open(bytes, WireType::BlindSignature, Some(Self::ENCODED_LEN))?;
        let [index] = r.take::<1>();
        if index == 0 {
            return Err(DecodeError::InvalidThreshold);
        }
        Ok(Self {
            index,
            s_a: g2_from_bytes(&r.take())?,
            s_b: g2_from_bytes(&r.take())?,
        })
    }
}

impl fmt::Debug for BlindSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BlindSignature(")?;
        fmt_hex(f, &self.to_bytes())?;
        f.write_str(")")
    }
}

/// An unblinded, verified partial credential `s_i` of authority `i`; only
/// [`PendingCredential::unblind`] makes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartialCredential {
    pub(crate) index: u8,
    pub(crate) s: G2Affine,
}

impl PartialCredential {
    /// The signing authority's index.
    pub fn index(&self) -> u8 {
        self.index
    }
}

/// Error returned by [`PendingCredential::unblind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnblindError {
    /// The verification key is not the signer's (index mismatch).
    WrongAuthority,
    /// `e(X_i + m·Y_m_i + e·Y_e_i, h) != e(G1, s_i)`.
    InvalidSignature,
}

impl fmt::Display for UnblindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::WrongAuthority => "verification key of another authority",
            Self::InvalidSignature => "partial signature is invalid",
        })
    }
}

impl core::error::Error for UnblindError {}

/// Error returned by [`PendingCredential::finish`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggregateError {
    /// Fewer than `t` partial credentials with distinct indices.
    NotEnoughPartials {
        /// `t`.
        needed: usize,
        /// Distinct partials received.
        got: usize,
    },
    /// An index is not in `1..=n`.
    UnknownAuthority,
    /// The aggregate does not verify under the group key (a partial from another group key).
    InvalidCredential,
}

impl fmt::Display for AggregateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotEnoughPartials { needed, got } => {
                write!(f, "need {needed} partial credentials, got {got}")
            }
            Self::UnknownAuthority => f.write_str("partial credential of an unknown authority"),
            Self::InvalidCredential => f.write_str("aggregated credential does not verify"),
        }
    }
}

impl core::error::Error for AggregateError {}

impl PendingCredential {
    /// The epoch.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Unblinds authority `vk.index()`'s answer and checks it against `vk`.
    pub fn unblind(
        &self,
        vk: &AuthorityVerificationKey,
        sig: &BlindSignature,
    ) -> Result<PartialCredential, UnblindError> {
        if vk.index != sig.index {
            return Err(UnblindError::WrongAuthority);
        }
        let s = (sig.s_b.into_group() - curve::mul2(&sig.s_a, &self.d)).into_affine();
        let e = Fr::from(self.epoch);
        let k = (vk.points[X].into_group()
            + curve::mul1(&vk.points[YM], &self.m)
            + curve::mul1(&vk.points[YE], &e))
        .into_affine();
        if s.is_zero() || !ps_check(&k, &self.h, &s) {
            return Err(UnblindError::InvalidSignature);
        }
        Ok(PartialCredential {
            index: sig.index,
            s,
        })
    }

    /// Interpolates the first `t` partials with distinct indices (`s = Σ λ_i·s_i`) and checks
    /// the credential `e(X + m·Y_m + e·Y_e, h) = e(G1, s)`.
    pub fn finish(
        self,
        gpk: &GroupPublicKey,
        partials: &[PartialCredential],
    ) -> Result<Credential, AggregateError> {
        let t = gpk.params.threshold();
        let mut chosen: Vec<&PartialCredential> = Vec::with_capacity(t);
        for p in partials {
            if !gpk.params.contains(p.index) {
                return Err(AggregateError::UnknownAuthority);
            }
            if chosen.len() < t && chosen.iter().all(|q| q.index != p.index) {
                chosen.push(p);
            }
        }
        if chosen.len() < t {
            return Err(AggregateError::NotEnoughPartials {
                needed: t,
                got: chosen.len(),
            });
        }
        let xs: Vec<Fr> = chosen
            .iter()
            .map(|p| Fr::from(u64::from(p.index)))
            .collect();
        let mut s = G2Projective::zero();
        for (i, p) in chosen.iter().enumerate() {
            let l = curve::lagrange_at_zero(&xs, i).ok_or(AggregateError::UnknownAuthority)?;
            s += curve::mul2(&p.s, &l);
        }
        let cred = Credential {
            m: self.m,
            epoch: self.epoch,
            h: self.h,
            s: s.into_affine(),
        };
        if !cred.is_valid(gpk) {
            return Err(AggregateError::InvalidCredential);
        }
        Ok(cred)
    }
}

impl fmt::Debug for PendingCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PendingCredential(epoch {}, <redacted>)", self.epoch)
    }
}

/// A credential: the user's `m`, the epoch `e` and the Pointcheval-Sanders signature
/// `σ = (h, s)`, `s = (x + m·y_m + e·y_e)·h`. Zeroized on drop; `Debug` prints no secret.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Credential {
    pub(crate) m: Fr,
    #[zeroize(skip)]
    pub(crate) epoch: u64,
    #[zeroize(skip)]
    pub(crate) h: G2Affine,
    #[zeroize(skip)]
    pub(crate) s: G2Affine,
}

impl Credential {
    /// Length of [`to_secret_bytes`](Self::to_secret_bytes).
    pub const ENCODED_LEN: usize = 2 + 8 + SCALAR_LEN + 2 * G2_LEN;

    /// The epoch the credential is valid for.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// `e(X + m·Y_m + e·Y_e, h) == e(G1, s)` and `h != O`.
    pub(crate) fn is_valid(&self, gpk: &GroupPublicKey) -> bool {
        let e = Fr::from(self.epoch);
        let k =
            (gpk.x().into_group() + curve::mul1(gpk.y_m(), &self.m) + curve::mul1(gpk.y_e(), &e))
                .into_affine();
        !self.h.is_zero() && !self.s.is_zero() && ps_check(&k, &self.h, &self.s)
    }

    /// `0x1F || 0x03 || epoch (8, BE) || m (32) || h (64) || s (64)`, zeroized on drop
    /// (wallets only).
    pub fn to_secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::secret(SecretKind::Credential, Self::ENCODED_LEN);
        w.put(&self.epoch.to_be_bytes())
            .put(Zeroizing::new(curve::scalar_to_be(&self.m)).as_slice())
            .put(&g2_to_bytes(&self.h))
            .put(&g2_to_bytes(&self.s));
        Zeroizing::new(w.finish())
    }

    /// Decodes [`to_secret_bytes`](Self::to_secret_bytes) and checks the credential against
    /// `gpk`.
    pub fn from_secret_bytes(bytes: &[u8], gpk: &GroupPublicKey) -> Result<Self, DecodeError> {
        let mut r = encoding::open_secret(bytes, SecretKind::Credential, Self::ENCODED_LEN)?;
        let epoch = u64::from_be_bytes(r.take());
        let m = curve::nonzero_scalar_from_be(&Zeroizing::new(r.take()))?;
        let h = g2_from_bytes(&r.take())?;
        let s = g2_from_bytes(&r.take())?;
        let c = Self { m, epoch, h, s };
        if !c.is_valid(gpk) {
            return Err(DecodeError::InvalidCredential);
        }
        Ok(c)
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Credential(epoch {}, <redacted>)", self.epoch)
    }
}

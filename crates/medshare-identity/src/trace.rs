//! Tracing: authority `i` posts `D_i = τ_i·C1` with a DLEQ proof `log_G1 T_i = log_C1 D_i`
//! ([`TraceShare`]); any `t` verified shares combine to `D = Σ λ_i·D_i = τ·C1` and
//! `M = C2 - D` ([`trace`]). The contract does the same and emits `keccak256(M)`.

use core::fmt;

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Zero;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::curve::{self, G1_LEN, SCALAR_LEN, g1_from_bytes, g1_to_bytes};
use crate::encoding::{self, DecodeError, WireType, Writer};
use crate::hashing_ds::{self, Transcript};
use crate::keys::{AuthoritySecretKey, GroupPublicKey, TAU, fmt_hex};
use crate::token::TracingTag;
use crate::user::IdentityPoint;

/// Authority `i`'s decryption share of a tracing tag, with its DLEQ proof `(c, z)`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TraceShare {
    pub(crate) index: u8,
    pub(crate) d: G1Affine,
    pub(crate) c: Fr,
    pub(crate) z: Fr,
}

/// A [`TraceShare`] verified for a tag and an authority key `T_i`; only [`TraceShare::verify`]
/// and [`AuthoritySecretKey::trace_share_with_rng`] make one. [`trace`] checks both against
/// what it combines for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedTraceShare {
    pub(crate) share: TraceShare,
    pub(crate) tag: TracingTag,
    /// The `T_i` the proof was checked against.
    pub(crate) t_i: G1Affine,
}

/// Error returned by [`TraceShare::verify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceShareError {
    /// The index is not an authority of the group key.
    UnknownAuthority,
    /// The DLEQ proof does not verify: `D_i` is not `τ_i·C1`.
    InvalidProof,
}

impl fmt::Display for TraceShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::UnknownAuthority => "trace share of an unknown authority",
            Self::InvalidProof => "trace share proof is invalid",
        })
    }
}

impl core::error::Error for TraceShareError {}

/// Error returned by [`trace`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceError {
    /// Fewer than `t` shares with distinct indices.
    NotEnoughShares {
        /// `t`.
        needed: usize,
        /// Distinct shares received.
        got: usize,
    },
    /// A share was verified for another tracing tag.
    ShareForAnotherTag,
    /// A share was verified against another group key (its `T_i` is not this key's).
    ShareForAnotherKey,
    /// The result is the identity (cannot happen for a verified token).
    IdentityResult,
}

impl fmt::Display for TraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotEnoughShares { needed, got } => {
                write!(f, "need {needed} trace shares, got {got}")
            }
            Self::ShareForAnotherTag => f.write_str("trace share for another token"),
            Self::ShareForAnotherKey => f.write_str("trace share for another group key"),
            Self::IdentityResult => f.write_str("traced identity is the identity element"),
        }
    }
}

impl core::error::Error for TraceError {}

/// `keccak256(tag) || G1 || T_i || C1 || C2 || uint256(i) || D_i` (the commitments
/// `A = w·G1`, `B = w·C1` follow).
pub(crate) fn share_transcript(
    t_i: &G1Affine,
    tag: &TracingTag,
    index: u8,
    d: &G1Affine,
) -> Transcript {
    let mut t = Transcript::new(hashing_ds::TRACE_SHARE);
    t.g1(&curve::g1())
        .g1(t_i)
        .g1(&tag.c1)
        .g1(&tag.c2)
        .uint(u64::from(index))
        .g1(d);
    t
}

/// The verifier's recomputation `A = z·G1 - c·T_i`, `B = z·C1 - c·D_i`.
pub(crate) fn share_commitments(t_i: &G1Affine, tag: &TracingTag, s: &TraceShare) -> [G1Affine; 2] {
    curve::normalize1([
        curve::mul_g1(&s.z) - curve::mul1(t_i, &s.c),
        curve::mul1(&tag.c1, &s.z) - curve::mul1(&s.d, &s.c),
    ])
}

impl AuthoritySecretKey {
    /// This authority's decryption share of `tag` with its DLEQ proof.
    pub fn trace_share_with_rng(
        &self,
        rng: &mut (impl CryptoRng + RngCore),
        tag: &TracingTag,
    ) -> VerifiedTraceShare {
        let tau = self.shares[TAU];
        let [t_i, d] = curve::normalize1([curve::mul_g1(&tau), curve::mul1(&tag.c1, &tau)]);
        let statement = share_transcript(&t_i, tag, self.index, &d);
        let w = Zeroizing::new(hashing_ds::hedged_nonce(
            &curve::random_bytes32(rng),
            &[tau],
            statement.as_bytes(),
            0,
        ));
        let [a, b] = curve::normalize1([curve::mul_g1(&w), curve::mul1(&tag.c1, &w)]);
        let mut t = statement;
        t.g1(&a).g1(&b);
        let c = t.challenge();
        VerifiedTraceShare {
            share: TraceShare {
                index: self.index,
                d,
                c,
                z: *w + c * tau,
            },
            tag: *tag,
            t_i,
        }
    }
}

impl TraceShare {
    /// Length of [`to_bytes`](Self::to_bytes).
    pub const ENCODED_LEN: usize = 2 + G1_LEN + 2 * SCALAR_LEN;

    /// The authority index.
    pub fn index(&self) -> u8 {
        self.index
    }

    /// Checks the DLEQ proof against authority `i`'s `T_i` in `gpk`.
    #[allow(clippy::result_large_err)]
    pub fn verify(
        self,
        gpk: &GroupPublicKey,
        tag: &TracingTag,
    ) -> Result<VerifiedTraceShare, (TraceShareError, Self)> {
        let Some(vk) = gpk.authority(self.index) else {
            return Err((TraceShareError::UnknownAuthority, self));
        };
        let t_i = vk.points[TAU];
        let [a, b] = share_commitments(&t_i, tag, &self);
        let mut t = share_transcript(&t_i, tag, self.index, &self.d);
        t.g1(&a).g1(&b);
        if t.challenge() != self.c {
            return Err((TraceShareError::InvalidProof, self));
        }
        Ok(VerifiedTraceShare {
            share: self,
            tag: *tag,
            t_i,
        })
    }

    /// `0x1B || index (1) || D_i (32) || c (32) || z (32)`.
    pub fn to_bytes(&self) -> [u8; Self::ENCODED_LEN] {
        let mut w = Writer::new(WireType::TraceShare, Self::ENCODED_LEN);
        w.put(&[self.index])
            .put(&g1_to_bytes(&self.d))
            .put(&curve::scalar_to_be(&self.c))
            .put(&curve::scalar_to_be(&self.z));
        w.finish_array()
    }

    /// Decodes [`to_bytes`](Self::to_bytes); rejects index 0.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = encoding::open(bytes, WireType::TraceShare, Some(Self::ENCODED_LEN))?;
        let [index] = r.take::<1>();
        if index == 0 {
            return Err(DecodeError::InvalidThreshold);
        }
        Ok(Self {
            index,
            d: g1_from_bytes(&r.take())?,
            c: curve::scalar_from_be(&r.take())?,
            z: curve::scalar_from_be(&r.take())?,
        })
    }
}

impl fmt::Debug for TraceShare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TraceShare(")?;
        fmt_hex(f, &self.to_bytes())?;
        f.write_str(")")
    }
}

impl VerifiedTraceShare {
    /// The transport form.
    pub fn unverify(self) -> TraceShare {
        self.share
    }

    /// The authority index.
    pub fn index(&self) -> u8 {
        self.share.index
    }

    /// See [`TraceShare::to_bytes`].
    pub fn to_bytes(&self) -> [u8; TraceShare::ENCODED_LEN] {
        self.share.to_bytes()
    }
}

/// Combines the first `t` verified shares with distinct indices: `D = Σ λ_i·D_i`,
/// `M = C2 - D`. Every share must have been verified for `tag` and for this `gpk`'s `T_i`
/// (a share checked against another key set would interpolate to garbage). Map `M` to `RID`
/// with the registration table; the contract emits [`IdentityPoint::commitment`].
pub fn trace(
    gpk: &GroupPublicKey,
    tag: &TracingTag,
    shares: &[VerifiedTraceShare],
) -> Result<IdentityPoint, TraceError> {
    let t = gpk.params.threshold();
    let mut chosen: Vec<&TraceShare> = Vec::with_capacity(t);
    for s in shares {
        if s.tag != *tag {
            return Err(TraceError::ShareForAnotherTag);
        }
        if gpk.authority(s.share.index).map(|vk| vk.points[TAU]) != Some(s.t_i) {
            return Err(TraceError::ShareForAnotherKey);
        }
        if chosen.len() < t && chosen.iter().all(|q| q.index != s.share.index) {
            chosen.push(&s.share);
        }
    }
    if chosen.len() < t {
        return Err(TraceError::NotEnoughShares {
            needed: t,
            got: chosen.len(),
        });
    }
    let xs: Vec<Fr> = chosen
        .iter()
        .map(|s| Fr::from(u64::from(s.index)))
        .collect();
    let mut d = G1Projective::zero();
    for (i, s) in chosen.iter().enumerate() {
        let l = curve::lagrange_at_zero(&xs, i).ok_or(TraceError::IdentityResult)?;
        d += curve::mul1(&s.d, &l);
    }
    let m = (tag.c2.into_group() - d).into_affine();
    if m.is_zero() {
        return Err(TraceError::IdentityResult);
    }
    Ok(IdentityPoint(m))
}

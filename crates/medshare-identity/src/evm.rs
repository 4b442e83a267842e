//! The EVM view: every value a Solidity verifier needs, as the EVM sees it (G1 points 64 bytes
//! `x || y`, G2 points 128 bytes in EIP-197 order `x.c1 || x.c0 || y.c1 || y.c0`, scalars 32
//! bytes, all big-endian), plus the exact keccak transcripts and the ecPairing input.

use ark_bn254::Fr;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Zero;

use crate::curve::{self, g1_to_evm, g2_to_evm, scalar_to_be, u64_word};
use crate::keys::{GroupPublicKey, TAU};
use crate::token::{Token, TokenContext, TracingTag, token_commitments, token_transcript};
use crate::trace::{TraceShare, VerifiedTraceShare, share_commitments, share_transcript};
use crate::user::IdentityPoint;

/// `G1 = (1, 2)` as 64 bytes.
pub fn generator_g1_evm() -> [u8; 64] {
    g1_to_evm(&curve::g1())
}

/// `-G1 = (1, q - 2)`, the fixed first point of the second pairing pair.
pub fn neg_generator_g1_evm() -> [u8; 64] {
    g1_to_evm(&-curve::g1())
}

/// The second G1 generator `H1` (derivation in `docs/identity.md` §3).
pub fn generator_h1_evm() -> [u8; 64] {
    g1_to_evm(&curve::h1())
}

/// The G2 generator in EIP-197 order.
pub fn generator_g2_evm() -> [u8; 128] {
    g2_to_evm(&curve::g2())
}

/// Inputs of the on-chain `verifyToken` (8 ecMul and 6 ecAdd with `X + e·Y_e` cached, one
/// 2-pair ecPairing; scoped: 2 ecMul, 1 ecAdd and the hash to G1 of the scope more):
///
/// ```text
/// K' = κ - X - e·Y_e
/// A1 = z_m·Y_m + z_r·G1 - c·K'     A2 = z_k·G1 - c·C1     A3 = z_m·H1 + z_k·T - c·C2
/// scoped: P = H_G1(chain, registry, contract, scope)      A4 = z_m·P - c·N
/// c == keccak256(transcript_prefix || A1 || A2 || A3 [|| A4]) mod r
/// ecPairing(κ, h', -G1, ν) == 1
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenEvmInputs {
    /// `[X, Y_m, Y_e, T]`.
    pub group_key: [[u8; 64]; 4],
    /// Epoch as `uint256`.
    pub epoch: [u8; 32],
    /// The seven context words ([`TokenContext::to_words`]).
    pub context: [u8; 224],
    /// `κ`.
    pub kappa: [u8; 64],
    /// `h'` (EIP-197 order).
    pub h: [u8; 128],
    /// `ν` (EIP-197 order).
    pub nu: [u8; 128],
    /// Tracing tag `C1`.
    pub c1: [u8; 64],
    /// Tracing tag `C2`.
    pub c2: [u8; 64],
    /// Scoped mode: the scope point `P_scope` the contract derives from the context.
    pub scope_point: Option<[u8; 64]>,
    /// Scoped mode: the nullifier point `N = m·P_scope`.
    pub nullifier_point: Option<[u8; 64]>,
    /// Challenge `c` (also in the token).
    pub c: [u8; 32],
    /// Response `z_m`.
    pub z_m: [u8; 32],
    /// Response `z_r`.
    pub z_r: [u8; 32],
    /// Response `z_k`.
    pub z_k: [u8; 32],
    /// Recomputed commitment `A1`.
    pub a1: [u8; 64],
    /// Recomputed commitment `A2`.
    pub a2: [u8; 64],
    /// Recomputed commitment `A3`.
    pub a3: [u8; 64],
    /// Scoped mode: recomputed commitment `A4`.
    pub a4: Option<[u8; 64]>,
    /// Exact keccak input (1,312 bytes unscoped, ending with `A1 || A2 || A3`; 1,504 bytes
    /// scoped, with `P_scope || N` before and `A4` after the commitments).
    pub transcript: Vec<u8>,
    /// `keccak256(transcript)` before reduction.
    pub digest: [u8; 32],
    /// `keccak256(transcript) mod r` (equals `c` iff the proof is valid).
    pub challenge: [u8; 32],
    /// [`Token::nullifier`]: `keccak256(N.x || N.y)` scoped, `keccak256(κ.x || κ.y)` unscoped.
    pub nullifier: [u8; 32],
    /// The 384-byte ecPairing input `κ || h' || -G1 || ν`.
    pub pairing_input: Vec<u8>,
}

impl Token {
    /// The EVM view of this token's verification for `gpk`, `ctx` (computed whether or not the
    /// token is valid; a scope the registry refuses gives no scope point).
    pub fn evm_inputs(&self, gpk: &GroupPublicKey, ctx: &TokenContext) -> TokenEvmInputs {
        let scope_point = ctx.scope_point().ok().flatten();
        let ([a1, a2, a3], a4) = token_commitments(gpk, scope_point.as_ref(), self);
        let mut t = token_transcript(gpk, ctx, scope_point.as_ref(), self);
        t.g1(&a1).g1(&a2).g1(&a3);
        if let Some(a4) = &a4 {
            t.g1(a4);
        }
        let pairing_input = [
            &g1_to_evm(&self.kappa)[..],
            &g2_to_evm(&self.h),
            &g1_to_evm(&-curve::g1()),
            &g2_to_evm(&self.nu),
        ]
        .concat();
        TokenEvmInputs {
            group_key: gpk.to_evm_points(),
            epoch: u64_word(self.epoch),
            context: ctx.to_words(),
            kappa: g1_to_evm(&self.kappa),
            h: g2_to_evm(&self.h),
            nu: g2_to_evm(&self.nu),
            c1: g1_to_evm(&self.c1),
            c2: g1_to_evm(&self.c2),
            scope_point: scope_point.as_ref().map(g1_to_evm),
            nullifier_point: self.scoped.as_ref().map(g1_to_evm),
            c: scalar_to_be(&self.c),
            z_m: scalar_to_be(&self.z_m),
            z_r: scalar_to_be(&self.z_r),
            z_k: scalar_to_be(&self.z_k),
            a1: g1_to_evm(&a1),
            a2: g1_to_evm(&a2),
            a3: g1_to_evm(&a3),
            a4: a4.as_ref().map(g1_to_evm),
            digest: t.digest(),
            challenge: scalar_to_be(&t.challenge()),
            nullifier: self.nullifier(),
            transcript: t.into_bytes(),
            pairing_input,
        }
    }
}

/// Inputs of the on-chain check of one trace share (4 ecMul + 2 ecAdd + keccak):
/// `A = z·G1 - c·T_i`, `B = z·C1 - c·D_i`, `c == keccak256(transcript) mod r`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceShareEvmInputs {
    /// Authority index as `uint256`.
    pub index: [u8; 32],
    /// The authority's `T_i`.
    pub t_i: [u8; 64],
    /// `C1` of the token.
    pub c1: [u8; 64],
    /// `C2` of the token.
    pub c2: [u8; 64],
    /// Decryption share `D_i`.
    pub d: [u8; 64],
    /// Challenge `c`.
    pub c: [u8; 32],
    /// Response `z`.
    pub z: [u8; 32],
    /// Recomputed `A`.
    pub a: [u8; 64],
    /// Recomputed `B`.
    pub b: [u8; 64],
    /// Exact keccak input (512 bytes).
    pub transcript: Vec<u8>,
    /// `keccak256(transcript)`.
    pub digest: [u8; 32],
    /// `keccak256(transcript) mod r`.
    pub challenge: [u8; 32],
}

impl TraceShare {
    /// The EVM view of this share's check for `gpk` and `tag`; `None` for an unknown index.
    pub fn evm_inputs(
        &self,
        gpk: &GroupPublicKey,
        tag: &TracingTag,
    ) -> Option<TraceShareEvmInputs> {
        let t_i = gpk.authority(self.index)?.points[TAU];
        let [a, b] = share_commitments(&t_i, tag, self);
        let mut t = share_transcript(&t_i, tag, self.index, &self.d);
        t.g1(&a).g1(&b);
        Some(TraceShareEvmInputs {
            index: u64_word(u64::from(self.index)),
            t_i: g1_to_evm(&t_i),
            c1: g1_to_evm(&tag.c1),
            c2: g1_to_evm(&tag.c2),
            d: g1_to_evm(&self.d),
            c: scalar_to_be(&self.c),
            z: scalar_to_be(&self.z),
            a: g1_to_evm(&a),
            b: g1_to_evm(&b),
            digest: t.digest(),
            challenge: scalar_to_be(&t.challenge()),
            transcript: t.into_bytes(),
        })
    }
}

/// The on-chain combination of `t` verified shares: Lagrange coefficients at 0 for the
/// indices, `D = Σ λ_i·D_i`, `M = C2 - D`, and the emitted `keccak256(M.x || M.y)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceCombineEvmInputs {
    /// Indices used, in order.
    pub indices: Vec<u8>,
    /// `λ_i` for each index (32 bytes).
    pub lagrange: Vec<[u8; 32]>,
    /// `D`.
    pub d: [u8; 64],
    /// `M`.
    pub identity: [u8; 64],
    /// `keccak256(M.x || M.y)`.
    pub commitment: [u8; 32],
}

/// The EVM view of [`trace`](crate::trace) over the first `shares.len()` shares (call it with
/// exactly `t` distinct, verified shares).
pub fn trace_combine_evm_inputs(
    tag: &TracingTag,
    shares: &[VerifiedTraceShare],
) -> TraceCombineEvmInputs {
    let xs: Vec<Fr> = shares
        .iter()
        .map(|s| Fr::from(u64::from(s.index())))
        .collect();
    let lambdas: Vec<Fr> = (0..xs.len())
        .map(|i| curve::lagrange_at_zero(&xs, i).unwrap_or(Fr::zero()))
        .collect();
    let mut d = ark_bn254::G1Projective::zero();
    for (s, l) in shares.iter().zip(&lambdas) {
        d += curve::mul1(&s.share.d, l);
    }
    let m = (tag.c2.into_group() - d).into_affine();
    TraceCombineEvmInputs {
        indices: shares.iter().map(VerifiedTraceShare::index).collect(),
        lagrange: lambdas.iter().map(scalar_to_be).collect(),
        d: g1_to_evm(&d.into_affine()),
        identity: g1_to_evm(&m),
        commitment: IdentityPoint(m).commitment(),
    }
}

//! Tokens: one show of a credential, bound to a [`TokenContext`] and an epoch, carrying an
//! encryption of the user's identity under the tracing key and, in scoped mode, a nullifier
//! that is the same for every token of one user in one scope.
//!
//! Show ([`Credential::show_with_rng`]), with hedged `r, t', k` (fresh randomness, `m` and the
//! context):
//!
//! * `h' = t'·h`, `ν = t'·s + r·h' = (x + m·y_m + e·y_e + r)·h'`,
//! * `κ = X + m·Y_m + e·Y_e + r·G1`,
//! * tracing tag `C1 = k·G1`, `C2 = m·H1 + k·T` (ElGamal encryption of `M` under `T`),
//! * scoped mode only: `N = m·P_scope` with `P_scope = H_G1(chain, registry, contract, scope)`,
//! * a Sigma proof `(c, z_m, z_r, z_k)` of knowledge of `(m, r, k)` with
//!   `κ - X - e·Y_e = m·Y_m + r·G1`, `C1 = k·G1`, `C2 = m·H1 + k·T` (and `N = m·P_scope`, with
//!   the same `z_m`), `c = keccak256(transcript) mod r` (`docs/identity.md` §7.3).
//!
//! Verification ([`Token::verify`]): `h' != O`, recompute `A1 = z_m·Y_m + z_r·G1 - c·(κ - X -
//! e·Y_e)`, `A2 = z_k·G1 - c·C1`, `A3 = z_m·H1 + z_k·T - c·C2` (and `A4 = z_m·P_scope - c·N`),
//! check the challenge, and the 2-pair check `e(κ, h')·e(-G1, ν) = 1`.
//!
//! Nullifier ([`Token::nullifier`]): `keccak256(N)` in scoped mode (one per user and scope),
//! `keccak256(κ)` otherwise (fresh per token).

use core::fmt;

use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Zero;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroizing;

use crate::curve::{
    self, G1_LEN, G2_LEN, SCALAR_LEN, g1_from_bytes, g1_to_bytes, g1_to_evm, g2_from_bytes,
    g2_to_bytes,
};
use crate::encoding::{self, DecodeError, WireType, Writer};
use crate::hashing_ds::{self, Transcript, TranscriptG2, address_word};
use crate::issuance::{Credential, ps_check};
use crate::keys::{GroupPublicKey, fmt_hex};

/// The scope of a scoped token: a non-zero 32-byte word chosen by the verifying contract (for
/// example `keccak256(recordId)` for "one request per user and record"). Every token of one
/// user in one scope (of one contract, registry and chain) has the same nullifier, whatever
/// the credential or epoch; tokens in different scopes are unlinkable. The zero word is
/// reserved: on chain it means "unscoped".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Scope([u8; 32]);

impl Scope {
    /// The scope `word`; `None` for the zero word (reserved for unscoped tokens).
    pub fn new(word: [u8; 32]) -> Option<Self> {
        (word != [0; 32]).then_some(Self(word))
    }

    /// The 32-byte word (the contract's `bytes32 scope`).
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }
}

/// Where and for what a token is used. Every field enters the token's Fiat-Shamir challenge,
/// so a token is valid for exactly one (chain, registry, contract, action, sender, nonce,
/// scope).
///
/// Encoding (`to_words`, and in the transcript): seven 32-byte words, `abi.encode` style:
/// `uint256(chain_id) || uint256(uint160(registry)) || uint256(uint160(verifying_contract)) ||
/// action || uint256(uint160(sender)) || nonce || scope` (zero word when unscoped). The
/// contract takes `registry` from `address(this)`, not from the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TokenContext {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// The identity registry that checks the token (a token does not replay on another
    /// registry that shares the key set).
    pub registry: [u8; 20],
    /// The contract that consumes the token.
    pub verifying_contract: [u8; 20],
    /// Action tag, by convention `keccak256("medshare.<action>")` ([`TokenContext::action_id`]).
    pub action: [u8; 32],
    /// `msg.sender` of the transaction that submits the token (stops front-running).
    pub sender: [u8; 20],
    /// Nonce or record id (one token per request).
    pub nonce: [u8; 32],
    /// `Some` for a scoped token (nullifier per user and scope), `None` for an unscoped one
    /// (nullifier per token).
    pub scope: Option<Scope>,
}

impl TokenContext {
    /// Length of [`to_words`](Self::to_words).
    pub const ENCODED_LEN: usize = 224;

    /// `keccak256(name)`, the conventional action tag.
    pub fn action_id(name: &str) -> [u8; 32] {
        hashing_ds::keccak256(name.as_bytes())
    }

    /// The seven 32-byte words (see the type doc).
    pub fn to_words(&self) -> [u8; Self::ENCODED_LEN] {
        let mut out = [0u8; Self::ENCODED_LEN];
        out[..32].copy_from_slice(&curve::u64_word(self.chain_id));
        out[32..64].copy_from_slice(&address_word(&self.registry));
        out[64..96].copy_from_slice(&address_word(&self.verifying_contract));
        out[96..128].copy_from_slice(&self.action);
        out[128..160].copy_from_slice(&address_word(&self.sender));
        out[160..192].copy_from_slice(&self.nonce);
        if let Some(scope) = &self.scope {
            out[192..].copy_from_slice(&scope.0);
        }
        out
    }

    /// `P_scope = H_G1(chain_id, registry, verifying_contract, scope)` (`docs/identity.md` §2)
    /// as the EVM sees it (`x || y`), the point the contract derives; `Ok(None)` when unscoped.
    pub fn scope_point_evm(&self) -> Result<Option<[u8; 64]>, UnhashableScope> {
        Ok(self.scope_point()?.map(|p| g1_to_evm(&p)))
    }

    pub(crate) fn scope_point(&self) -> Result<Option<G1Affine>, UnhashableScope> {
        self.scope
            .map(|s| {
                hashing_ds::hash_to_g1_scope(
                    self.chain_id,
                    &self.registry,
                    &self.verifying_contract,
                    &s.0,
                )
                .ok_or(UnhashableScope)
            })
            .transpose()
    }
}

/// The context's scope has no point within the first 5 hash candidates (1 scope in 32); the
/// registry refuses it too (`IdentityRegistryScopeUnhashable`): the consuming contract has to
/// use another scope word. Returned by [`Credential::show_with_rng`] and
/// [`TokenContext::scope_point_evm`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnhashableScope;

impl fmt::Display for UnhashableScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the scope hashes to no point within 5 candidates; use another scope word")
    }
}

impl core::error::Error for UnhashableScope {}

/// A token (one show of a credential). Transport form; see [`Token::verify`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub(crate) epoch: u64,
    pub(crate) kappa: G1Affine,
    pub(crate) h: G2Affine,
    pub(crate) nu: G2Affine,
    pub(crate) c1: G1Affine,
    pub(crate) c2: G1Affine,
    /// `N = m·P_scope` of a scoped token.
    pub(crate) scoped: Option<G1Affine>,
    pub(crate) c: Fr,
    pub(crate) z_m: Fr,
    pub(crate) z_r: Fr,
    pub(crate) z_k: Fr,
}

/// A [`Token`] verified for a group key, context and epoch; only [`Token::verify`] makes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedToken {
    pub(crate) token: Token,
    pub(crate) ctx: TokenContext,
}

/// The tracing tag `(C1, C2)` of a verified token: ElGamal encryption of `M` under `T`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TracingTag {
    pub(crate) c1: G1Affine,
    pub(crate) c2: G1Affine,
}

impl TracingTag {
    /// Reads a tracing tag as a contract reports it (e.g. in `TokenUsed`), rejecting
    /// non-canonical coordinates, off-curve points and the identity.
    pub fn from_evm_points(points: &[[u8; 64]; 2]) -> Result<Self, DecodeError> {
        Ok(Self {
            c1: curve::g1_from_evm_checked(&points[0])?,
            c2: curve::g1_from_evm_checked(&points[1])?,
        })
    }

    /// `(C1, C2)` as the EVM sees them.
    pub fn to_evm_points(&self) -> [[u8; 64]; 2] {
        [g1_to_evm(&self.c1), g1_to_evm(&self.c2)]
    }
}

/// Error returned by [`Token::verify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenVerificationError {
    /// The token is for another epoch.
    WrongEpoch,
    /// A scoped token for an unscoped context, or the reverse.
    ScopeMismatch,
    /// `h'` (or `κ`, `ν`) is the identity.
    IdentityElement,
    /// The proof of knowledge does not verify (wrong context or scope, tampered tag,
    /// nullifier or proof).
    InvalidProof,
    /// `e(κ, h') != e(G1, ν)`: not backed by a credential of this group key and epoch.
    InvalidSignature,
    /// The context's scope is refused ([`UnhashableScope`]).
    UnhashableScope,
}

impl fmt::Display for TokenVerificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::WrongEpoch => "token is for another epoch",
            Self::ScopeMismatch => "token and context disagree on the scope",
            Self::IdentityElement => "token contains the identity element",
            Self::InvalidProof => "token proof is invalid",
            Self::InvalidSignature => "token signature check failed",
            Self::UnhashableScope => "the context's scope hashes to no point within 5 candidates",
        })
    }
}

impl core::error::Error for TokenVerificationError {}

/// `keccak256(tag) || G1 || H1 || X || Y_m || Y_e || T || epoch || context (7 words) || κ ||
/// h' || ν || C1 || C2`, then `P_scope || N` in scoped mode (the commitments `A1 || A2 || A3`
/// and, scoped, `A4` follow).
pub(crate) fn token_transcript(
    gpk: &GroupPublicKey,
    ctx: &TokenContext,
    scope_point: Option<&G1Affine>,
    tok: &Token,
) -> Transcript {
    let mut t = Transcript::new(hashing_ds::TOKEN);
    t.g1(&curve::g1())
        .g1(&curve::h1())
        .g1(gpk.x())
        .g1(gpk.y_m())
        .g1(gpk.y_e())
        .g1(gpk.tracing())
        .uint(tok.epoch)
        .raw(&ctx.to_words())
        .g1(&tok.kappa)
        .g2(&tok.h)
        .g2(&tok.nu)
        .g1(&tok.c1)
        .g1(&tok.c2);
    if let Some(p) = scope_point {
        t.g1(p);
    }
    if let Some(n) = &tok.scoped {
        t.g1(n);
    }
    t
}

/// The verifier's recomputation of `(A1, A2, A3)` and, for a scoped token and context, `A4`.
pub(crate) fn token_commitments(
    gpk: &GroupPublicKey,
    scope_point: Option<&G1Affine>,
    tok: &Token,
) -> ([G1Affine; 3], Option<G1Affine>) {
    let e = Fr::from(tok.epoch);
    let k_prime = tok.kappa.into_group() - gpk.x() - curve::mul1(gpk.y_e(), &e);
    let a4 = match (scope_point, &tok.scoped) {
        (Some(p), Some(n)) => curve::mul1(p, &tok.z_m) - curve::mul1(n, &tok.c),
        _ => ark_bn254::G1Projective::zero(),
    };
    let [a1, a2, a3, a4] = curve::normalize1([
        curve::mul1(gpk.y_m(), &tok.z_m) + curve::mul_g1(&tok.z_r) - k_prime * tok.c,
        curve::mul_g1(&tok.z_k) - curve::mul1(&tok.c1, &tok.c),
        curve::mul_h1(&tok.z_m) + curve::mul1(gpk.tracing(), &tok.z_k)
            - curve::mul1(&tok.c2, &tok.c),
        a4,
    ]);
    let scoped = scope_point.is_some() && tok.scoped.is_some();
    ([a1, a2, a3], scoped.then_some(a4))
}

impl Credential {
    /// Shows the credential: a fresh [`Token`] for `ctx` (see the module doc), scoped iff
    /// `ctx.scope` is. Tokens of one credential share no element with each other or with the
    /// issuance messages, except the nullifier point `N` of scoped tokens in the same scope.
    /// Fails only for a scope the registry refuses ([`UnhashableScope`]).
    pub fn show_with_rng(
        &self,
        rng: &mut (impl CryptoRng + RngCore),
        gpk: &GroupPublicKey,
        ctx: &TokenContext,
    ) -> Result<Token, UnhashableScope> {
        let e = Fr::from(self.epoch);
        // r, t', k hedged like the proof nonces: a broken RNG cannot repeat them for another
        // context, epoch or credential, nor make them guessable without m.
        let mut seed = Transcript::new(hashing_ds::SHOW_BLINDING);
        for p in [gpk.x(), gpk.y_m(), gpk.y_e(), gpk.tracing()] {
            seed.g1(p);
        }
        seed.uint(self.epoch)
            .raw(&ctx.to_words())
            .g2(&self.h)
            .g2(&self.s);
        let random = Zeroizing::new(curve::random_bytes32(rng));
        let blinding: Zeroizing<[Fr; 3]> = Zeroizing::new(core::array::from_fn(|i| {
            hashing_ds::hedged_blinding(&random, &[self.m], seed.as_bytes(), i as u8)
        }));
        let [r, t_prime, k] = *blinding;
        let h = curve::mul2(&self.h, &t_prime).into_affine();
        let nu = (curve::mul2(&self.s, &t_prime) + curve::mul2(&h, &r)).into_affine();
        let scope_point = ctx.scope_point()?;
        let n =
            scope_point.map_or_else(ark_bn254::G1Projective::zero, |p| curve::mul1(&p, &self.m));
        let [kappa, c1, c2, n] = curve::normalize1([
            gpk.x().into_group()
                + curve::mul1(gpk.y_m(), &self.m)
                + curve::mul1(gpk.y_e(), &e)
                + curve::mul_g1(&r),
            curve::mul_g1(&k),
            curve::mul_h1(&self.m) + curve::mul1(gpk.tracing(), &k),
            n,
        ]);
        let mut tok = Token {
            epoch: self.epoch,
            kappa,
            h,
            nu,
            c1,
            c2,
            scoped: scope_point.map(|_| n),
            c: Fr::zero(),
            z_m: Fr::zero(),
            z_r: Fr::zero(),
            z_k: Fr::zero(),
        };
        let statement = token_transcript(gpk, ctx, scope_point.as_ref(), &tok);
        let random = curve::random_bytes32(rng);
        let secrets = [self.m, r, k];
        let w: Zeroizing<[Fr; 3]> = Zeroizing::new(core::array::from_fn(|i| {
            hashing_ds::hedged_nonce(&random, &secrets, statement.as_bytes(), i as u8)
        }));
        let [w_m, w_r, w_k] = *w;
        let a4 = scope_point.map_or_else(ark_bn254::G1Projective::zero, |p| curve::mul1(&p, &w_m));
        let [a1, a2, a3, a4] = curve::normalize1([
            curve::mul1(gpk.y_m(), &w_m) + curve::mul_g1(&w_r),
            curve::mul_g1(&w_k),
            curve::mul_h1(&w_m) + curve::mul1(gpk.tracing(), &w_k),
            a4,
        ]);
        let mut t = statement;
        t.g1(&a1).g1(&a2).g1(&a3);
        if scope_point.is_some() {
            t.g1(&a4);
        }
        let c = t.challenge();
        tok.c = c;
        tok.z_m = w_m + c * self.m;
        tok.z_r = w_r + c * r;
        tok.z_k = w_k + c * k;
        Ok(tok)
    }

    /// [`show_with_rng`](Self::show_with_rng) with the OS RNG.
    #[cfg(feature = "default-rng")]
    pub fn show(&self, gpk: &GroupPublicKey, ctx: &TokenContext) -> Result<Token, UnhashableScope> {
        self.show_with_rng(&mut rand_core::OsRng, gpk, ctx)
    }
}

impl Token {
    /// Length of [`to_bytes`](Self::to_bytes) for an unscoped token.
    pub const ENCODED_LEN: usize = 1 + 8 + 3 * G1_LEN + 2 * G2_LEN + 4 * SCALAR_LEN;

    /// Length of [`to_bytes`](Self::to_bytes) for a scoped token (`N` added).
    pub const SCOPED_ENCODED_LEN: usize = Self::ENCODED_LEN + G1_LEN;

    /// The epoch the token claims.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Whether the token carries a scoped nullifier `N`.
    pub fn is_scoped(&self) -> bool {
        self.scoped.is_some()
    }

    /// The nullifier the contract records: `keccak256(N.x || N.y)` for a scoped token (the
    /// same for every token of one user in one scope: a second one is refused), else
    /// `keccak256(κ.x || κ.y)` (`κ` is fresh per token, so it links nothing).
    pub fn nullifier(&self) -> [u8; 32] {
        hashing_ds::keccak256(&g1_to_evm(self.scoped.as_ref().unwrap_or(&self.kappa)))
    }

    /// Verifies the token for `gpk`, `ctx` and the expected `epoch` (module doc). On failure
    /// the token is handed back with the error.
    #[allow(clippy::result_large_err)]
    pub fn verify(
        self,
        gpk: &GroupPublicKey,
        ctx: &TokenContext,
        epoch: u64,
    ) -> Result<VerifiedToken, (TokenVerificationError, Self)> {
        if self.epoch != epoch {
            return Err((TokenVerificationError::WrongEpoch, self));
        }
        if self.scoped.is_some() != ctx.scope.is_some() {
            return Err((TokenVerificationError::ScopeMismatch, self));
        }
        if self.h.is_zero() || self.nu.is_zero() || self.kappa.is_zero() {
            return Err((TokenVerificationError::IdentityElement, self));
        }
        let scope_point = match ctx.scope_point() {
            Ok(point) => point,
            Err(UnhashableScope) => return Err((TokenVerificationError::UnhashableScope, self)),
        };
        let ([a1, a2, a3], a4) = token_commitments(gpk, scope_point.as_ref(), &self);
        let mut t = token_transcript(gpk, ctx, scope_point.as_ref(), &self);
        t.g1(&a1).g1(&a2).g1(&a3);
        if let Some(a4) = &a4 {
            t.g1(a4);
        }
        if t.challenge() != self.c {
            return Err((TokenVerificationError::InvalidProof, self));
        }
        if !ps_check(&self.kappa, &self.h, &self.nu) {
            return Err((TokenVerificationError::InvalidSignature, self));
        }
        Ok(VerifiedToken {
            token: self,
            ctx: *ctx,
        })
    }

    /// `0x2A || epoch (8, BE) || κ (32) || h' (64) || ν (64) || C1 (32) || C2 (32) || [N (32)] ||
    /// c || z_m || z_r || z_k (32 each, BE)`: 361 bytes unscoped, 393 scoped; points
    /// compressed (format version 2).
    pub fn to_bytes(&self) -> Vec<u8> {
        let len = if self.scoped.is_some() {
            Self::SCOPED_ENCODED_LEN
        } else {
            Self::ENCODED_LEN
        };
        let mut w = Writer::new(WireType::Token, len);
        w.put(&self.epoch.to_be_bytes())
            .put(&g1_to_bytes(&self.kappa))
            .put(&g2_to_bytes(&self.h))
            .put(&g2_to_bytes(&self.nu))
            .put(&g1_to_bytes(&self.c1))
            .put(&g1_to_bytes(&self.c2));
        if let Some(n) = &self.scoped {
            w.put(&g1_to_bytes(n));
        }
        for s in [&self.c, &self.z_m, &self.z_r, &self.z_k] {
            w.put(&curve::scalar_to_be(s));
        }
        w.finish()
    }

    /// Decodes [`to_bytes`](Self::to_bytes) (canonical encodings, subgroup-checked points; no
    /// proof check). The length tells the mode.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let scoped = bytes.len() == Self::SCOPED_ENCODED_LEN;
        if !scoped && bytes.len() != Self::ENCODED_LEN {
            return Err(DecodeError::WrongLength {
                expected: Self::ENCODED_LEN,
                actual: bytes.len(),
            });
        }
        let mut r = encoding::open(bytes, WireType::Token, None)?;
        let epoch = u64::from_be_bytes(r.take());
        let kappa = g1_from_bytes(&r.take())?;
        let h = g2_from_bytes(&r.take())?;
        let nu = g2_from_bytes(&r.take())?;
        let c1 = g1_from_bytes(&r.take())?;
        let c2 = g1_from_bytes(&r.take())?;
        let scoped = if scoped {
            Some(g1_from_bytes(&r.take())?)
        } else {
            None
        };
        Ok(Self {
            epoch,
            kappa,
            h,
            nu,
            c1,
            c2,
            scoped,
            c: curve::scalar_from_be(&r.take())?,
            z_m: curve::scalar_from_be(&r.take())?,
            z_r: curve::scalar_from_be(&r.take())?,
            z_k: curve::scalar_from_be(&r.take())?,
        })
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(")?;
        fmt_hex(f, &self.to_bytes())?;
        f.write_str(")")
    }
}

impl VerifiedToken {
    /// The transport form.
    pub fn unverify(self) -> Token {
        self.token
    }

    /// The context it was verified for.
    pub fn context(&self) -> &TokenContext {
        &self.ctx
    }

    /// See [`Token::nullifier`].
    pub fn nullifier(&self) -> [u8; 32] {
        self.token.nullifier()
    }

    /// The epoch.
    pub fn epoch(&self) -> u64 {
        self.token.epoch
    }

    /// The tracing tag, input of [`AuthoritySecretKey::trace_share_with_rng`](crate::AuthoritySecretKey::trace_share_with_rng).
    pub fn tracing_tag(&self) -> TracingTag {
        TracingTag {
            c1: self.token.c1,
            c2: self.token.c2,
        }
    }

    /// See [`Token::to_bytes`].
    pub fn to_bytes(&self) -> Vec<u8> {
        self.token.to_bytes()
    }
}

//! Tokens: one show of a credential, bound to a [`TokenContext`] and an epoch, carrying an
//! encryption of the user's identity under the tracing key.
//!
//! Show ([`Credential::show_with_rng`]), with fresh `r, t', k`:
//!
//! * `h' = t'·h`, `ν = t'·s + r·h' = (x + m·y_m + e·y_e + r)·h'`,
//! * `κ = X + m·Y_m + e·Y_e + r·G1`,
//! * tracing tag `C1 = k·G1`, `C2 = m·H1 + k·T` (ElGamal encryption of `M` under `T`),
//! * a Sigma proof `(c, z_m, z_r, z_k)` of knowledge of `(m, r, k)` with
//!   `κ - X - e·Y_e = m·Y_m + r·G1`, `C1 = k·G1`, `C2 = m·H1 + k·T`, and
//!   `c = keccak256(transcript) mod r` (`docs/identity.md` §7.3).
//!
//! Verification ([`Token::verify`]): `h' != O`, recompute `A1 = z_m·Y_m + z_r·G1 - c·(κ - X -
//! e·Y_e)`, `A2 = z_k·G1 - c·C1`, `A3 = z_m·H1 + z_k·T - c·C2`, check the challenge, and the
//! 2-pair check `e(κ, h')·e(-G1, ν) = 1`.

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
use crate::hashing_ds::{self, Transcript, TranscriptG2};
use crate::issuance::{Credential, ps_check};
use crate::keys::{GroupPublicKey, fmt_hex};
use crate::user::address_word;

/// Where and for what a token is used. Every field enters the token's Fiat-Shamir challenge,
/// so a token is valid for exactly one (chain, contract, action, sender, nonce).
///
/// Encoding (`to_words`, and in the transcript): five 32-byte words, `abi.encode` style:
/// `uint256(chain_id) || uint256(uint160(verifying_contract)) || action || uint256(uint160(sender)) ||
/// nonce`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TokenContext {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// The contract that verifies the token.
    pub verifying_contract: [u8; 20],
    /// Action tag, by convention `keccak256("medshare.<action>")` ([`TokenContext::action_id`]).
    pub action: [u8; 32],
    /// `msg.sender` of the transaction that submits the token (stops front-running).
    pub sender: [u8; 20],
    /// Nonce or record id (one token per request).
    pub nonce: [u8; 32],
}

impl TokenContext {
    /// Length of [`to_words`](Self::to_words).
    pub const ENCODED_LEN: usize = 160;

    /// `keccak256(name)`, the conventional action tag.
    pub fn action_id(name: &str) -> [u8; 32] {
        hashing_ds::keccak256(name.as_bytes())
    }

    /// The five 32-byte words (see the type doc).
    pub fn to_words(&self) -> [u8; Self::ENCODED_LEN] {
        let mut out = [0u8; Self::ENCODED_LEN];
        out[..32].copy_from_slice(&curve::u64_word(self.chain_id));
        out[32..64].copy_from_slice(&address_word(&self.verifying_contract));
        out[64..96].copy_from_slice(&self.action);
        out[96..128].copy_from_slice(&address_word(&self.sender));
        out[128..].copy_from_slice(&self.nonce);
        out
    }
}

/// A token (one show of a credential). Transport form; see [`Token::verify`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub(crate) epoch: u64,
    pub(crate) kappa: G1Affine,
    pub(crate) h: G2Affine,
    pub(crate) nu: G2Affine,
    pub(crate) c1: G1Affine,
    pub(crate) c2: G1Affine,
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
    /// `h'` (or `κ`, `ν`) is the identity.
    IdentityElement,
    /// The proof of knowledge does not verify (wrong context, tampered tag or proof).
    InvalidProof,
    /// `e(κ, h') != e(G1, ν)`: not backed by a credential of this group key and epoch.
    InvalidSignature,
}

impl fmt::Display for TokenVerificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::WrongEpoch => "token is for another epoch",
            Self::IdentityElement => "token contains the identity element",
            Self::InvalidProof => "token proof is invalid",
            Self::InvalidSignature => "token signature check failed",
        })
    }
}

impl core::error::Error for TokenVerificationError {}

/// `keccak256(tag) || G1 || H1 || X || Y_m || Y_e || T || epoch || context (5 words) || κ ||
/// h' || ν || C1 || C2` (the commitments `A1 || A2 || A3` follow).
pub(crate) fn token_transcript(
    gpk: &GroupPublicKey,
    ctx: &TokenContext,
    tok: &Token,
) -> Transcript {
    let mut t = Transcript::new(hashing_ds::TOKEN);
    t.g1(&curve::g1())
        .g1(&curve::h1())
        .g1(gpk.x())
        .g1(gpk.y_m())
        .g1(gpk.y_e())
        .g1(gpk.tracing())
        .uint(tok.epoch);
    let words = ctx.to_words();
    for w in words.chunks_exact(32) {
        let mut b = [0u8; 32];
        b.copy_from_slice(w);
        t.bytes32(&b);
    }
    t.g1(&tok.kappa)
        .g2(&tok.h)
        .g2(&tok.nu)
        .g1(&tok.c1)
        .g1(&tok.c2);
    t
}

/// The verifier's recomputation of `(A1, A2, A3)` from the token.
pub(crate) fn token_commitments(gpk: &GroupPublicKey, tok: &Token) -> [G1Affine; 3] {
    let e = Fr::from(tok.epoch);
    let k_prime = tok.kappa.into_group() - gpk.x() - curve::mul1(gpk.y_e(), &e);
    curve::normalize1([
        curve::mul1(gpk.y_m(), &tok.z_m) + curve::mul_g1(&tok.z_r) - k_prime * tok.c,
        curve::mul_g1(&tok.z_k) - curve::mul1(&tok.c1, &tok.c),
        curve::mul_h1(&tok.z_m) + curve::mul1(gpk.tracing(), &tok.z_k)
            - curve::mul1(&tok.c2, &tok.c),
    ])
}

impl Credential {
    /// Shows the credential: a fresh [`Token`] for `ctx` (see the module doc). Tokens of one
    /// credential share no element with each other or with the issuance messages.
    pub fn show_with_rng(
        &self,
        rng: &mut (impl CryptoRng + RngCore),
        gpk: &GroupPublicKey,
        ctx: &TokenContext,
    ) -> Token {
        let r = Zeroizing::new(curve::random_nonzero_scalar(rng));
        let t_prime = Zeroizing::new(curve::random_nonzero_scalar(rng));
        let k = Zeroizing::new(curve::random_nonzero_scalar(rng));
        let e = Fr::from(self.epoch);
        let h = curve::mul2(&self.h, &t_prime).into_affine();
        let nu = (curve::mul2(&self.s, &t_prime) + curve::mul2(&h, &r)).into_affine();
        let [kappa, c1, c2] = curve::normalize1([
            gpk.x().into_group()
                + curve::mul1(gpk.y_m(), &self.m)
                + curve::mul1(gpk.y_e(), &e)
                + curve::mul_g1(&r),
            curve::mul_g1(&k),
            curve::mul_h1(&self.m) + curve::mul1(gpk.tracing(), &k),
        ]);
        let mut tok = Token {
            epoch: self.epoch,
            kappa,
            h,
            nu,
            c1,
            c2,
            c: Fr::zero(),
            z_m: Fr::zero(),
            z_r: Fr::zero(),
            z_k: Fr::zero(),
        };
        let statement = token_transcript(gpk, ctx, &tok);
        let random = curve::random_bytes32(rng);
        let secrets = [self.m, *r, *k];
        let w: Zeroizing<[Fr; 3]> = Zeroizing::new(core::array::from_fn(|i| {
            hashing_ds::hedged_nonce(&random, &secrets, statement.as_bytes(), i as u8)
        }));
        let [w_m, w_r, w_k] = *w;
        let [a1, a2, a3] = curve::normalize1([
            curve::mul1(gpk.y_m(), &w_m) + curve::mul_g1(&w_r),
            curve::mul_g1(&w_k),
            curve::mul_h1(&w_m) + curve::mul1(gpk.tracing(), &w_k),
        ]);
        let mut t = statement;
        t.g1(&a1).g1(&a2).g1(&a3);
        let c = t.challenge();
        tok.c = c;
        tok.z_m = w_m + c * self.m;
        tok.z_r = w_r + c * *r;
        tok.z_k = w_k + c * *k;
        tok
    }

    /// [`show_with_rng`](Self::show_with_rng) with the OS RNG.
    #[cfg(feature = "default-rng")]
    pub fn show(&self, gpk: &GroupPublicKey, ctx: &TokenContext) -> Token {
        self.show_with_rng(&mut rand_core::OsRng, gpk, ctx)
    }
}

impl Token {
    /// Length of [`to_bytes`](Self::to_bytes).
    pub const ENCODED_LEN: usize = 1 + 8 + 3 * G1_LEN + 2 * G2_LEN + 4 * SCALAR_LEN;

    /// The epoch the token claims.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The nullifier `keccak256(κ.x || κ.y)`: the contract records it (replay protection) and
    /// can block it. `κ` is fresh per token, so nullifiers do not link tokens.
    pub fn nullifier(&self) -> [u8; 32] {
        hashing_ds::keccak256(&g1_to_evm(&self.kappa))
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
        if self.h.is_zero() || self.nu.is_zero() || self.kappa.is_zero() {
            return Err((TokenVerificationError::IdentityElement, self));
        }
        let [a1, a2, a3] = token_commitments(gpk, &self);
        let mut t = token_transcript(gpk, ctx, &self);
        t.g1(&a1).g1(&a2).g1(&a3);
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

    /// `0x1A || epoch (8, BE) || κ (32) || h' (64) || ν (64) || C1 (32) || C2 (32) || c || z_m ||
    /// z_r || z_k (32 each, BE)` = 361 bytes; points compressed.
    pub fn to_bytes(&self) -> [u8; Self::ENCODED_LEN] {
        let mut w = Writer::new(WireType::Token, Self::ENCODED_LEN);
        w.put(&self.epoch.to_be_bytes())
            .put(&g1_to_bytes(&self.kappa))
            .put(&g2_to_bytes(&self.h))
            .put(&g2_to_bytes(&self.nu))
            .put(&g1_to_bytes(&self.c1))
            .put(&g1_to_bytes(&self.c2));
        for s in [&self.c, &self.z_m, &self.z_r, &self.z_k] {
            w.put(&curve::scalar_to_be(s));
        }
        w.finish_array()
    }

    /// Decodes [`to_bytes`](Self::to_bytes) (canonical encodings, subgroup-checked points; no
    /// proof check).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = encoding::open(bytes, WireType::Token, Some(Self::ENCODED_LEN))?;
        Ok(Self {
            epoch: u64::from_be_bytes(r.take()),
            kappa: g1_from_bytes(&r.take())?,
            h: g2_from_bytes(&r.take())?,
            nu: g2_from_bytes(&r.take())?,
            c1: g1_from_bytes(&r.take())?,
            c2: g1_from_bytes(&r.take())?,
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
    pub fn to_bytes(&self) -> [u8; Token::ENCODED_LEN] {
        self.token.to_bytes()
    }
}

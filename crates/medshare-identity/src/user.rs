//! The user: its secret `m` ([`UserSecret`]), its identity point `M = m·H1`
//! ([`IdentityPoint`]) and the registration proof that binds `M` to a real identity `RID`
//! ([`Registration`]).

use core::fmt;

use ark_bn254::{Fr, G1Affine};
use ark_ec::CurveGroup;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::curve::{self, G1_LEN, SCALAR_LEN, g1_from_bytes, g1_to_bytes, g1_to_evm};
use crate::encoding::{self, DecodeError, SecretKind, WireType, Writer};
use crate::hashing_ds::{self, Transcript, address_word};
use crate::keys::fmt_hex;

/// A user's secret identity scalar `m`. Zeroized on drop; `Debug` prints no secret.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct UserSecret(pub(crate) Fr);

impl UserSecret {
    /// Length of [`to_secret_bytes`](Self::to_secret_bytes).
    pub const ENCODED_LEN: usize = 2 + SCALAR_LEN;

    /// Draws a fresh non-zero secret.
    pub fn random_with_rng(rng: &mut (impl CryptoRng + RngCore)) -> Self {
        Self(curve::random_nonzero_scalar(rng))
    }

    /// Draws a fresh secret from the OS RNG.
    #[cfg(feature = "default-rng")]
    pub fn random() -> Self {
        Self::random_with_rng(&mut rand_core::OsRng)
    }

    /// The identity point `M = m·H1`, known to the authorities after registration.
    pub fn identity(&self) -> IdentityPoint {
        IdentityPoint(curve::mul_h1(&self.0).into_affine())
    }

    /// `0x1F || 0x01 || m (32 bytes big-endian)`, zeroized on drop (keystores only).
    pub fn to_secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut w = Writer::secret(SecretKind::UserSecret, Self::ENCODED_LEN);
        w.put(Zeroizing::new(curve::scalar_to_be(&self.0)).as_slice());
        Zeroizing::new(w.finish())
    }

    /// Decodes [`to_secret_bytes`](Self::to_secret_bytes); rejects zero and values `>= r`.
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = encoding::open_secret(bytes, SecretKind::UserSecret, Self::ENCODED_LEN)?;
        Ok(Self(curve::nonzero_scalar_from_be(&Zeroizing::new(
            r.take(),
        ))?))
    }

    /// A registration proof for `ctx`: a Schnorr proof of knowledge of `m` in `M = m·H1`
    /// whose keccak challenge covers the context (chain, registry, `RID` digest).
    pub fn register_with_rng(
        &self,
        rng: &mut (impl CryptoRng + RngCore),
        ctx: &RegistrationContext,
    ) -> Registration {
        let identity = self.identity();
        let statement = registration_transcript(ctx, &identity);
        let w = Zeroizing::new(hashing_ds::hedged_nonce(
            &curve::random_bytes32(rng),
            &[self.0],
            statement.as_bytes(),
            0,
        ));
        let a = curve::mul_h1(&w).into_affine();
        let mut t = statement;
        t.g1(&a);
        let c = t.challenge();
        Registration {
            identity,
            c,
            z: *w + c * self.0,
        }
    }
}

impl fmt::Debug for UserSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserSecret(<redacted>)")
    }
}

/// A user's identity point `M = m·H1`. The authorities keep the table `RID ↔ M` (off chain);
/// tracing a token yields `M`; the chain only ever sees [`IdentityPoint::commitment`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdentityPoint(pub(crate) G1Affine);

impl IdentityPoint {
    /// Length of [`to_bytes`](Self::to_bytes).
    pub const ENCODED_LEN: usize = 1 + G1_LEN;

    /// `0x16 || M (32, compressed)`.
    pub fn to_bytes(&self) -> [u8; Self::ENCODED_LEN] {
        let mut w = Writer::new(WireType::IdentityPoint, Self::ENCODED_LEN);
        w.put(&g1_to_bytes(&self.0));
        w.finish_array()
    }

    /// Decodes [`to_bytes`](Self::to_bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = encoding::open(bytes, WireType::IdentityPoint, Some(Self::ENCODED_LEN))?;
        Ok(Self(g1_from_bytes(&r.take())?))
    }

    /// `M` as the EVM sees it (`x || y`).
    pub fn to_evm_bytes(&self) -> [u8; 64] {
        g1_to_evm(&self.0)
    }

    /// The identity commitment a contract emits in `Traced`: `keccak256(M.x || M.y)`.
    pub fn commitment(&self) -> [u8; 32] {
        hashing_ds::keccak256(&g1_to_evm(&self.0))
    }
}

impl fmt::Debug for IdentityPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdentityPoint(")?;
        fmt_hex(f, &self.to_bytes())?;
        f.write_str(")")
    }
}

/// What a registration is bound to: the chain, the registry (identity contract) and the
/// digest of the user's real-identity record `RID` (e.g. `keccak256` of the KYC document id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RegistrationContext {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Address of the identity registry contract.
    pub registry: [u8; 20],
    /// Digest of the real identity `RID`.
    pub rid_digest: [u8; 32],
}

/// `keccak256(tag) || G1 || H1 || chain_id || registry || rid_digest || M` (the proof
/// commitment `A` follows).
fn registration_transcript(ctx: &RegistrationContext, m: &IdentityPoint) -> Transcript {
    let mut t = Transcript::new(hashing_ds::REGISTRATION);
    t.g1(&curve::g1())
        .g1(&curve::h1())
        .uint(ctx.chain_id)
        .bytes32(&address_word(&ctx.registry))
        .bytes32(&ctx.rid_digest)
        .g1(&m.0);
    t
}

/// Error returned by [`Registration::verify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationError {
    /// The proof of knowledge of `m` does not verify for this context.
    InvalidProof,
}

impl fmt::Display for RegistrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("registration proof is invalid")
    }
}

impl core::error::Error for RegistrationError {}

/// A registration request: `M` and a Schnorr proof `(c, z)` of knowledge of `m`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Registration {
    pub(crate) identity: IdentityPoint,
    pub(crate) c: Fr,
    pub(crate) z: Fr,
}

/// A [`Registration`] verified for a context; only [`Registration::verify`] makes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedRegistration {
    pub(crate) identity: IdentityPoint,
    pub(crate) ctx: RegistrationContext,
}

impl VerifiedRegistration {
    /// The registered identity point (store `RID ↔ M`).
    pub fn identity(&self) -> IdentityPoint {
        self.identity
    }

    /// The context it was verified for.
    pub fn context(&self) -> &RegistrationContext {
        &self.ctx
    }
}

impl Registration {
    /// Length of [`to_bytes`](Self::to_bytes).
    pub const ENCODED_LEN: usize = 1 + G1_LEN + 2 * SCALAR_LEN;

    /// The claimed identity point (unverified).
    pub fn identity(&self) -> IdentityPoint {
        self.identity
    }

    /// Checks `c = H(.., M, z·H1 - c·M)`.
    #[allow(clippy::result_large_err)]
    pub fn verify(
        self,
        ctx: &RegistrationContext,
    ) -> Result<VerifiedRegistration, (RegistrationError, Self)> {
        let a = (curve::mul_h1(&self.z) - curve::mul1(&self.identity.0, &self.c)).into_affine();
        let mut t = registration_transcript(ctx, &self.identity);
        t.g1(&a);
        if t.challenge() != self.c {
            return Err((RegistrationError::InvalidProof, self));
        }
        Ok(VerifiedRegistration {
            identity: self.identity,
            ctx: *ctx,
        })
    }

    /// `0x17 || M (32) || c (32) || z (32)`.
    pub fn to_bytes(&self) -> [u8; Self::ENCODED_LEN] {
        let mut w = Writer::new(WireType::Registration, Self::ENCODED_LEN);
        w.put(&g1_to_bytes(&self.identity.0))
            .put(&curve::scalar_to_be(&self.c))
            .put(&curve::scalar_to_be(&self.z));
        w.finish_array()
    }

    /// Decodes [`to_bytes`](Self::to_bytes) (no proof check).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = encoding::open(bytes, WireType::Registration, Some(Self::ENCODED_LEN))?;
        Ok(Self {
            identity: IdentityPoint(g1_from_bytes(&r.take())?),
            c: curve::scalar_from_be(&r.take())?,
            z: curve::scalar_from_be(&r.take())?,
        })
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Registration(")?;
        fmt_hex(f, &self.to_bytes())?;
        f.write_str(")")
    }
}

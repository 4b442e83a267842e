//! Wire format: versioned type tags, the decoding error and small slice reader / writer.
//!
//! Every encoding starts with one byte `0xVT`: high nibble `V` = format version (1), low nibble
//! `T` = type. Type codes `0x1..0x5` belong to `medshare-pre`, `0x6..0xF` to this crate, so a
//! value of one crate never decodes as a value of the other. Layouts are fixed-length (or
//! length-prefixed by `n`); see each type's `to_bytes` and `docs/identity.md` §6.
//! The tag-byte scheme, the length/tag check and the field reader are shared with
//! `medshare-pre` (`medshare-bn254`); the type codes and this crate's errors are here.

use core::fmt;

pub(crate) use medshare_bn254::Reader;

/// Wire type (low nibble of the tag byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WireType {
    IdentityPoint = 0x6,
    Registration = 0x7,
    IssuanceRequest = 0x8,
    BlindSignature = 0x9,
    Token = 0xA,
    TraceShare = 0xB,
    GroupPublicKey = 0xC,
    DkgDealing = 0xD,
    DkgShare = 0xE,
    /// Secret key material; a second byte names the kind ([`SecretKind`]).
    Secret = 0xF,
}

impl WireType {
    pub(crate) const fn tag(self) -> u8 {
        medshare_bn254::wire_tag(self as u8)
    }
}

/// Second byte of a [`WireType::Secret`] encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SecretKind {
    UserSecret = 1,
    AuthoritySecretKey = 2,
    Credential = 3,
}

/// Error returned by every `from_bytes` decoder of the crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The input does not have the exact length of the encoding.
    WrongLength {
        /// Length of a valid encoding.
        expected: usize,
        /// Length received.
        actual: usize,
    },
    /// The tag byte names a format version this crate does not know.
    UnsupportedVersion(u8),
    /// The tag byte (or the secret-kind byte) names another type.
    WrongType {
        /// Expected tag byte.
        expected: u8,
        /// Tag byte received.
        actual: u8,
    },
    /// A scalar is not in `[0, r)`.
    NonCanonicalScalar,
    /// A scalar that must be non-zero (secret, share index) is zero.
    ZeroScalar,
    /// A coordinate is not in `[0, q)`.
    NonCanonicalFieldElement,
    /// Both flag bits of a compressed point are set.
    InvalidPointFlags,
    /// A point is the identity (point at infinity), which no encoding allows.
    IdentityPoint,
    /// A point's x coordinate has no y on the curve.
    NotOnCurve,
    /// A point is not in the prime-order subgroup (G2 has a large cofactor).
    WrongSubgroup,
    /// Threshold parameters out of range (`1 <= t <= n <= 255`) or a share index not in `1..=n`.
    InvalidThreshold,
    /// The per-authority verification keys of a [`GroupPublicKey`](crate::GroupPublicKey) do
    /// not lie on one polynomial of degree `t - 1` through the group key.
    InconsistentKeyShares,
    /// A stored credential does not verify under the given group key.
    InvalidCredential,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongLength { expected, actual } => {
                write!(f, "wrong length: expected {expected} bytes, got {actual}")
            }
            Self::UnsupportedVersion(v) => write!(f, "unsupported format version {v}"),
            Self::WrongType { expected, actual } => {
                write!(
                    f,
                    "wrong type tag: expected {expected:#04x}, got {actual:#04x}"
                )
            }
            Self::NonCanonicalScalar => f.write_str("scalar is not reduced modulo the group order"),
            Self::ZeroScalar => f.write_str("scalar is zero"),
            Self::NonCanonicalFieldElement => {
                f.write_str("field element is not reduced modulo the field prime")
            }
            Self::InvalidPointFlags => f.write_str("invalid compressed point flags"),
            Self::IdentityPoint => f.write_str("point is the identity"),
            Self::NotOnCurve => f.write_str("point is not on the curve"),
            Self::WrongSubgroup => f.write_str("point is not in the prime-order subgroup"),
            Self::InvalidThreshold => {
                f.write_str("threshold parameters or share index out of range")
            }
            Self::InconsistentKeyShares => {
                f.write_str("authority verification keys are inconsistent with the group key")
            }
            Self::InvalidCredential => {
                f.write_str("credential does not verify under the group key")
            }
        }
    }
}

impl core::error::Error for DecodeError {}

impl From<medshare_bn254::DecodeError> for DecodeError {
    fn from(e: medshare_bn254::DecodeError) -> Self {
        use medshare_bn254::DecodeError as E;
        match e {
            E::WrongLength { expected, actual } => Self::WrongLength { expected, actual },
            E::UnsupportedVersion(v) => Self::UnsupportedVersion(v),
            E::WrongType { expected, actual } => Self::WrongType { expected, actual },
            E::NonCanonicalScalar => Self::NonCanonicalScalar,
            E::ZeroScalar => Self::ZeroScalar,
            E::NonCanonicalFieldElement => Self::NonCanonicalFieldElement,
            E::InvalidPointFlags => Self::InvalidPointFlags,
            E::IdentityPoint => Self::IdentityPoint,
            E::NotOnCurve => Self::NotOnCurve,
            E::WrongSubgroup => Self::WrongSubgroup,
        }
    }
}

/// Checks the tag byte (and length when `len` is `Some`), then returns a reader after the tag.
pub(crate) fn open(
    bytes: &[u8],
    ty: WireType,
    len: Option<usize>,
) -> Result<Reader<'_>, DecodeError> {
    Ok(medshare_bn254::open(bytes, ty as u8, len)?)
}

/// Opens a secret encoding `0x1F || kind || ..` of exact length `len`.
pub(crate) fn open_secret(
    bytes: &[u8],
    kind: SecretKind,
    len: usize,
) -> Result<Reader<'_>, DecodeError> {
    let mut r = open(bytes, WireType::Secret, Some(len))?;
    let [k] = r.take::<1>();
    if k != kind as u8 {
        return Err(DecodeError::WrongType {
            expected: kind as u8,
            actual: k,
        });
    }
    Ok(r)
}

/// Appends fixed-size fields to a buffer that starts with the tag byte.
pub(crate) struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn new(ty: WireType, capacity: usize) -> Self {
        let mut buf = Vec::with_capacity(capacity);
        buf.push(ty.tag());
        Self { buf }
    }

    pub(crate) fn secret(kind: SecretKind, capacity: usize) -> Self {
        let mut w = Self::new(WireType::Secret, capacity);
        w.buf.push(kind as u8);
        w
    }

    pub(crate) fn put(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(bytes);
        self
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.buf
    }

    /// Finishes into a fixed-size array (panics on a length mismatch: a bug in this crate).
    pub(crate) fn finish_array<const N: usize>(self) -> [u8; N] {
        let mut out = [0u8; N];
        out.copy_from_slice(&self.buf);
        out
    }
}

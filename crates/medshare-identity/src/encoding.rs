//! Wire format: versioned type tags, the decoding error and small slice reader / writer.
//!
//! Every encoding starts with one byte `0xVT`: high nibble `V` = format version, low nibble
//! `T` = type. Type codes `0x1..0x5` belong to `medshare-pre`, `0x6..0xF` to this crate, so a
//! value of one crate never decodes as a value of the other. Layouts are fixed-length (or
//! length-prefixed by `n`); see each type's `to_bytes` and `docs/identity.md` §6.
//! The tag-byte scheme is shared with `medshare-pre` (`medshare-bn254`, version 1); the
//! version is per type here ([`WireType::version`]): the types whose construction changed in
//! format 2 carry `V = 2`, so a version-1 value of them is refused as
//! [`DecodeError::UnsupportedVersion`] instead of failing later.

use core::fmt;

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
    /// Format version of this type's encoding: 2 for [`Self::IssuanceRequest`] (proof of
    /// knowledge of `d`) and [`Self::Token`] (scoped nullifier), 1 for the unchanged types.
    pub(crate) const fn version(self) -> u8 {
        match self {
            Self::IssuanceRequest | Self::Token => 2,
            _ => medshare_bn254::FORMAT_VERSION,
        }
    }

    pub(crate) const fn tag(self) -> u8 {
        (self.version() << 4) | self as u8
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

/// Checks the length (when `len` is `Some`), the version nibble and the tag byte, in this order
/// (as `medshare_bn254::open`, but with the type's own version), then returns a reader after
/// the tag.
pub(crate) fn open(
    bytes: &[u8],
    ty: WireType,
    len: Option<usize>,
) -> Result<Reader<'_>, DecodeError> {
    if let Some(len) = len
        && bytes.len() != len
    {
        return Err(DecodeError::WrongLength {
            expected: len,
            actual: bytes.len(),
        });
    }
    let Some((&tag, rest)) = bytes.split_first() else {
        return Err(DecodeError::WrongLength {
            expected: len.unwrap_or(1),
            actual: 0,
        });
    };
    if tag >> 4 != ty.version() {
        return Err(DecodeError::UnsupportedVersion(tag >> 4));
    }
    if tag != ty.tag() {
        return Err(DecodeError::WrongType {
            expected: ty.tag(),
            actual: tag,
        });
    }
    Ok(Reader { rest })
}

/// Reads fixed-size fields from a slice whose total length was already checked.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl Reader<'_> {
    /// The next `N` bytes. Panics if fewer are left: callers check the length first.
    pub(crate) fn take<const N: usize>(&mut self) -> [u8; N] {
        let (head, tail) = self.rest.split_at(N);
        self.rest = tail;
        let mut out = [0u8; N];
        out.copy_from_slice(head);
        out
    }
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

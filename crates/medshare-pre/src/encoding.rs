//! Wire format: versioned type tags, the decoding error and a small slice reader.
//!
//! Every encoding starts with one byte `0xVT`: high nibble `V` = format version (1), low
//! nibble `T` = type. Layouts are fixed-length; see each type's `to_bytes` and `docs/pre.md`.
//! The tag-byte scheme, the length/tag check and the field reader are shared with
//! `medshare-identity` (`medshare-bn254`); the type codes and this crate's errors are here.

use core::fmt;

pub(crate) use medshare_bn254::Reader;

/// Wire type (low nibble of the tag byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WireType {
    PublicKey = 1,
    Capsule = 2,
    KeyFrag = 3,
    CapsuleFrag = 4,
    StreamHeader = 5,
}

impl WireType {
    pub(crate) const fn tag(self) -> u8 {
        medshare_bn254::wire_tag(self as u8)
    }
}

/// Error returned by every `from_bytes` decoder of the crate
/// ([`PublicKey::from_bytes`](crate::PublicKey::from_bytes),
/// [`Capsule::from_bytes`](crate::Capsule::from_bytes),
/// [`KeyFrag::from_bytes`](crate::KeyFrag::from_bytes),
/// [`CapsuleFrag::from_bytes`](crate::CapsuleFrag::from_bytes),
/// [`StreamHeader::from_bytes`](crate::StreamHeader::from_bytes), and the secret-key decoders).
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
    /// The tag byte names another type.
    WrongType {
        /// Expected tag byte.
        expected: u8,
        /// Tag byte received.
        actual: u8,
    },
    /// A scalar is not in `[0, r)`.
    NonCanonicalScalar,
    /// A scalar that must be non-zero (secret key) is zero.
    ZeroScalar,
    /// A point's x coordinate is not in `[0, q)`.
    NonCanonicalFieldElement,
    /// Both flag bits of a compressed point are set.
    InvalidPointFlags,
    /// A point is the identity (point at infinity), which no encoding allows.
    IdentityPoint,
    /// A point's x coordinate has no y on the curve.
    NotOnCurve,
    /// A point is not in the prime-order subgroup (impossible on BN254 G1, checked anyway).
    WrongSubgroup,
    /// A capsule's validity proof `s·G = V + h·E` does not hold.
    InvalidCapsule,
    /// A stream header's chunk size is outside `[MIN_CHUNK_SIZE, MAX_CHUNK_SIZE]`.
    InvalidChunkSize,
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
            Self::ZeroScalar => f.write_str("secret scalar is zero"),
            Self::NonCanonicalFieldElement => {
                f.write_str("field element is not reduced modulo the field prime")
            }
            Self::InvalidPointFlags => f.write_str("invalid compressed point flags"),
            Self::IdentityPoint => f.write_str("point is the identity"),
            Self::NotOnCurve => f.write_str("point is not on the curve"),
            Self::WrongSubgroup => f.write_str("point is not in the prime-order subgroup"),
            Self::InvalidCapsule => f.write_str("capsule validity check failed"),
            Self::InvalidChunkSize => f.write_str("stream chunk size out of range"),
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

/// Checks length and tag byte, then returns a reader positioned after the tag.
pub(crate) fn open(bytes: &[u8], ty: WireType, len: usize) -> Result<Reader<'_>, DecodeError> {
    Ok(medshare_bn254::open(bytes, ty as u8, Some(len))?)
}

/// Writes fixed-size fields into an array.
pub(crate) struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(buf: &'a mut [u8], ty: WireType) -> Self {
        buf[0] = ty.tag();
        Self { buf, pos: 1 }
    }

    pub(crate) fn put(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf[self.pos..self.pos + bytes.len()].copy_from_slice(bytes);
        self.pos += bytes.len();
        self
    }

    pub(crate) fn finish(&self) {
        debug_assert_eq!(self.pos, self.buf.len());
    }
}

//! Wire format: versioned type tags, the decoding error and a small slice reader.
//!
//! Every encoding starts with one byte `0xVT`: high nibble `V` = format version (1), low
//! nibble `T` = type. Layouts are fixed-length; see each type's `to_bytes` and `docs/pre.md`.

use core::fmt;

/// Format version written in the high nibble of every tag byte.
pub(crate) const FORMAT_VERSION: u8 = 1;

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
        (FORMAT_VERSION << 4) | self as u8
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

/// Checks length and tag byte, then returns a reader positioned after the tag.
pub(crate) fn open(bytes: &[u8], ty: WireType, len: usize) -> Result<Reader<'_>, DecodeError> {
    if bytes.len() != len {
        return Err(DecodeError::WrongLength {
            expected: len,
            actual: bytes.len(),
        });
    }
    let tag = bytes[0];
    if tag >> 4 != FORMAT_VERSION {
        return Err(DecodeError::UnsupportedVersion(tag >> 4));
    }
    if tag != ty.tag() {
        return Err(DecodeError::WrongType {
            expected: ty.tag(),
            actual: tag,
        });
    }
    Ok(Reader { rest: &bytes[1..] })
}

/// Reads fixed-size fields from a slice whose total length was already checked.
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl Reader<'_> {
    pub(crate) fn take<const N: usize>(&mut self) -> [u8; N] {
        let (head, tail) = self.rest.split_at(N);
        self.rest = tail;
        let mut out = [0u8; N];
        out.copy_from_slice(head);
        out
    }
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

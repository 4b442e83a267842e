//! The decoding failures common to every medshare encoding.

use core::fmt;

/// Error returned by the decoders of this crate ([`open`](crate::open),
/// [`g1_from_bytes`](crate::g1_from_bytes), [`g1_from_evm`](crate::g1_from_evm),
/// [`scalar_from_be`](crate::scalar_from_be), ...).
///
/// `medshare_pre::DecodeError` and `medshare_identity::DecodeError` have a variant of the same
/// name for each of these (plus their own) and convert from this type with `From`.
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
    /// A scalar that must be non-zero is zero.
    ZeroScalar,
    /// A coordinate is not in `[0, q)`.
    NonCanonicalFieldElement,
    /// Both flag bits of a compressed point are set.
    InvalidPointFlags,
    /// A point is the identity (point at infinity), which no encoding allows.
    IdentityPoint,
    /// A point's x coordinate has no y on the curve, or `(x, y)` is not on the curve.
    NotOnCurve,
    /// A point is not in the prime-order subgroup.
    WrongSubgroup,
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
        }
    }
}

impl core::error::Error for DecodeError {}

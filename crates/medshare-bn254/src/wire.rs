//! The tag byte and fixed-field reader shared by every medshare encoding.
//!
//! Every encoding starts with one byte `0xVT`: high nibble `V` = format version
//! ([`FORMAT_VERSION`]), low nibble `T` = type code. The type codes are partitioned between
//! the crates (`medshare-pre` uses `0x1..0x5`, `medshare-identity` `0x6..0xF`), so a value of
//! one crate never decodes as a value of the other; each crate defines its own codes.

use crate::DecodeError;

/// Format version written in the high nibble of every tag byte.
pub const FORMAT_VERSION: u8 = 1;

/// The tag byte `0xVT` of type code `ty` (`ty < 16`).
#[inline]
pub const fn wire_tag(ty: u8) -> u8 {
    (FORMAT_VERSION << 4) | ty
}

/// Checks the length (when `len` is `Some`), the version nibble and the tag byte of type code
/// `ty`, then returns a reader positioned after the tag. The errors, in this order:
/// [`DecodeError::WrongLength`] (also for an empty input),
/// [`DecodeError::UnsupportedVersion`], [`DecodeError::WrongType`].
pub fn open(bytes: &[u8], ty: u8, len: Option<usize>) -> Result<Reader<'_>, DecodeError> {
    if let Some(len) = len
        && bytes.len() != len
    {
        return Err(DecodeError::WrongLength {
            expected: len,
            actual: bytes.len(),
        });
    }
    let Some(&tag) = bytes.first() else {
        return Err(DecodeError::WrongLength {
            expected: len.unwrap_or(1),
            actual: 0,
        });
    };
    if tag >> 4 != FORMAT_VERSION {
        return Err(DecodeError::UnsupportedVersion(tag >> 4));
    }
    let expected = wire_tag(ty);
    if tag != expected {
        return Err(DecodeError::WrongType {
            expected,
            actual: tag,
        });
    }
    Ok(Reader { rest: &bytes[1..] })
}

/// Reads fixed-size fields from a slice whose total length was already checked.
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl Reader<'_> {
    /// The next `N` bytes. Panics if fewer are left: callers check the length first.
    pub fn take<const N: usize>(&mut self) -> [u8; N] {
        let (head, tail) = self.rest.split_at(N);
        self.rest = tail;
        let mut out = [0u8; N];
        out.copy_from_slice(head);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_checks_length_version_and_type() {
        let good = [0x13, 1, 2, 3, 4];
        let mut r = open(&good, 3, Some(5)).expect("valid");
        assert_eq!(r.take::<2>(), [1, 2]);
        assert_eq!(r.take::<2>(), [3, 4]);
        assert!(open(&good, 3, None).is_ok());
        assert_eq!(
            open(&good, 3, Some(6)).err(),
            Some(DecodeError::WrongLength {
                expected: 6,
                actual: 5
            })
        );
        assert_eq!(
            open(&[], 3, None).err(),
            Some(DecodeError::WrongLength {
                expected: 1,
                actual: 0
            })
        );
        assert_eq!(
            open(&[0x23, 0], 3, None).err(),
            Some(DecodeError::UnsupportedVersion(2))
        );
        assert_eq!(
            open(&[0x14, 0], 3, Some(2)).err(),
            Some(DecodeError::WrongType {
                expected: 0x13,
                actual: 0x14
            })
        );
        assert_eq!(wire_tag(0xF), 0x1F);
    }
}

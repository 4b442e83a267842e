//! The DEM: ChaCha20-Poly1305 in the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár
//! 2015) over fixed-size chunks.
//!
//! Ciphertext = `StreamHeader (28 bytes) || chunk_0 || .. || chunk_last`. Every chunk but the
//! last holds exactly `chunk_size` plaintext bytes (+16 tag); the last holds `1..=chunk_size`
//! bytes (0 only for an empty plaintext) and is always present. Chunk `i` uses nonce
//! `header.nonce_prefix (7) || u32be(i) || last_flag (0x00 or 0x01)` and the 28 header bytes as
//! associated data, under the per-stream key
//! `HKDF-SHA256(salt = header.salt, ikm = DemKey, info = "MEDSHARE-PRE-v1/dem-stream-key")`.
//! Truncation, reordering, duplication and extension all fail authentication.

use alloc::vec::Vec;
use core::fmt;

use ark_bn254::G1Affine;
use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hkdf::Hkdf;
use rand_core::{CryptoRng, RngCore};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::capsule::Capsule;
use crate::curve::point_to_evm;
use crate::encoding::{self, DecodeError, WireType, Writer};
use crate::hashing_ds;

/// Authentication tag length of each chunk.
pub const TAG_LEN: usize = 16;
/// Default plaintext chunk size (64 KiB).
pub const DEFAULT_CHUNK_SIZE: u32 = 64 * 1024;
/// Smallest allowed chunk size.
pub const MIN_CHUNK_SIZE: u32 = 1;
/// Largest allowed chunk size (16 MiB): bounds the memory a decoder allocates.
pub const MAX_CHUNK_SIZE: u32 = 16 * 1024 * 1024;

/// A 32-byte DEM key derived from a capsule's shared point. Zeroized on drop; no secret in
/// `Debug`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DemKey([u8; 32]);

impl DemKey {
    /// `HKDF-SHA256(salt = "MEDSHARE-PRE-v1/dem-key/salt", ikm = x || y of K,
    /// info = "MEDSHARE-PRE-v1/dem-key/info" || capsule.to_bytes())`, 32 bytes.
    pub(crate) fn from_shared_point(k: &G1Affine, capsule: &Capsule) -> Self {
        let ikm = Zeroizing::new(point_to_evm(k));
        let hk = Hkdf::<Sha256>::new(Some(hashing_ds::DEM_KEY_SALT), ikm.as_slice());
        let mut key = [0u8; 32];
        hk.expand_multi_info(&[hashing_ds::DEM_KEY_INFO, &capsule.to_bytes()], &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        Self(key)
    }

    #[cfg(test)]
    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn stream_cipher(&self, header: &StreamHeader) -> ChaCha20Poly1305 {
        let hk = Hkdf::<Sha256>::new(Some(&header.salt), &self.0);
        let mut key = Zeroizing::new([0u8; 32]);
        hk.expand(hashing_ds::DEM_STREAM_KEY_INFO, key.as_mut_slice())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        ChaCha20Poly1305::new(&Key::from(*key))
    }

    /// Encrypts `plaintext` in one go (header and all chunks), with the default chunk size.
    pub fn encrypt_with_rng(
        &self,
        rng: &mut (impl CryptoRng + RngCore),
        plaintext: &[u8],
    ) -> Vec<u8> {
        let header = StreamHeader::new_with_rng(rng, DEFAULT_CHUNK_SIZE)
            .expect("the default chunk size is valid");
        self.encrypt_with_header(header, plaintext)
    }

    /// Encrypts `plaintext` in one go under a given header (chunk size, salt).
    pub fn encrypt_with_header(&self, header: StreamHeader, plaintext: &[u8]) -> Vec<u8> {
        let cs = header.chunk_size as usize;
        let n_chunks = plaintext.len().div_ceil(cs).max(1);
        let mut out =
            Vec::with_capacity(StreamHeader::ENCODED_LEN + plaintext.len() + n_chunks * TAG_LEN);
        out.extend_from_slice(&header.to_bytes());
        let mut enc = StreamEncryptor::new(self, header);
        let mut chunks = plaintext.chunks(cs).peekable();
        let mut buf = Vec::with_capacity(cs + TAG_LEN);
        if chunks.peek().is_none() {
            enc.seal_chunk(&mut buf, true)
                .expect("one chunk cannot overflow the counter");
            out.extend_from_slice(&buf);
        }
        while let Some(chunk) = chunks.next() {
            buf.clear();
            buf.extend_from_slice(chunk);
            // An exact multiple of the chunk size ends with a full final chunk.
            let last = chunks.peek().is_none();
            enc.seal_chunk(&mut buf, last)
                .expect("a slice in memory cannot exceed 2^32 chunks");
            out.extend_from_slice(&buf);
        }
        out
    }

    /// Decrypts and authenticates a whole ciphertext made by any encryptor of this module.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>, DemError> {
        if ciphertext.len() < StreamHeader::ENCODED_LEN {
            return Err(DemError::Truncated);
        }
        let (h, body) = ciphertext.split_at(StreamHeader::ENCODED_LEN);
        let header = StreamHeader::from_bytes(h).map_err(DemError::InvalidHeader)?;
        let ccs = header.chunk_size as usize + TAG_LEN;
        let mut dec = StreamDecryptor::new(self, header);
        let mut out = Vec::with_capacity(body.len());
        let mut rest = body;
        loop {
            // The last chunk is the one that ends the input (possibly a full one).
            let last = rest.len() <= ccs;
            let take = if last { rest.len() } else { ccs };
            let (chunk, tail) = rest.split_at(take);
            rest = tail;
            if chunk.len() < TAG_LEN {
                return Err(DemError::Truncated);
            }
            // Decrypt straight into the output: one copy of the ciphertext, opened in place.
            let (sealed, tag) = chunk.split_at(chunk.len() - TAG_LEN);
            let start = out.len();
            out.extend_from_slice(sealed);
            dec.open_chunk_detached(&mut out[start..], tag, last)?;
            if last {
                return Ok(out);
            }
        }
    }
}

impl fmt::Debug for DemKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DemKey(<redacted>)")
    }
}

/// Error returned by DEM decryption ([`DemKey::decrypt`], the streaming reader,
/// [`decrypt_original`](crate::decrypt_original), [`decrypt_reencrypted`](crate::decrypt_reencrypted)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemError {
    /// The stream header is malformed.
    InvalidHeader(DecodeError),
    /// The input ends before a complete header or a chunk's tag.
    Truncated,
    /// A chunk fails authentication: wrong key, tampering, reordering, truncation at a chunk
    /// boundary or data after the last chunk.
    Authentication,
    /// More than 2^32 chunks.
    TooManyChunks,
}

impl fmt::Display for DemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidHeader(e) => write!(f, "invalid stream header: {e}"),
            Self::Truncated => f.write_str("ciphertext is truncated"),
            Self::Authentication => f.write_str("ciphertext chunk failed authentication"),
            Self::TooManyChunks => f.write_str("too many chunks"),
        }
    }
}

impl core::error::Error for DemError {}

/// The stream header: `0x15 || u32be(chunk_size) || salt (16) || reserved nonce prefix (7)`.
///
/// The 7-byte nonce prefix is random too (as in Tink's streaming AEAD); the per-stream key
/// already comes from the random salt, so the prefix is defence in depth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamHeader {
    chunk_size: u32,
    salt: [u8; 16],
    nonce_prefix: [u8; 7],
}

impl StreamHeader {
    /// Length of [`to_bytes`](Self::to_bytes).
    pub const ENCODED_LEN: usize = 1 + 4 + 16 + 7;

    /// A fresh header (random salt and nonce prefix).
    pub fn new_with_rng(
        rng: &mut (impl CryptoRng + RngCore),
        chunk_size: u32,
    ) -> Result<Self, DecodeError> {
        if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&chunk_size) {
            return Err(DecodeError::InvalidChunkSize);
        }
        let mut salt = [0u8; 16];
        let mut nonce_prefix = [0u8; 7];
        rng.fill_bytes(&mut salt);
        rng.fill_bytes(&mut nonce_prefix);
        Ok(Self {
            chunk_size,
            salt,
            nonce_prefix,
        })
    }

    /// Plaintext bytes per chunk.
    pub fn chunk_size(&self) -> u32 {
        self.chunk_size
    }

    /// The 28-byte encoding.
    pub fn to_bytes(&self) -> [u8; Self::ENCODED_LEN] {
        let mut out = [0u8; Self::ENCODED_LEN];
        Writer::new(&mut out, WireType::StreamHeader)
            .put(&self.chunk_size.to_be_bytes())
            .put(&self.salt)
            .put(&self.nonce_prefix)
            .finish();
        out
    }

    /// Decodes [`to_bytes`](Self::to_bytes); rejects chunk sizes out of range.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = encoding::open(bytes, WireType::StreamHeader, Self::ENCODED_LEN)?;
        let chunk_size = u32::from_be_bytes(r.take());
        if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&chunk_size) {
            return Err(DecodeError::InvalidChunkSize);
        }
        Ok(Self {
            chunk_size,
            salt: r.take(),
            nonce_prefix: r.take(),
        })
    }

    fn nonce(&self, counter: u32, last: bool) -> Nonce {
        let mut n = [0u8; 12];
        n[..7].copy_from_slice(&self.nonce_prefix);
        n[7..11].copy_from_slice(&counter.to_be_bytes());
        n[11] = u8::from(last);
        Nonce::from(n)
    }
}

/// Low-level STREAM encryptor: seals chunks in order.
pub(crate) struct StreamEncryptor {
    cipher: ChaCha20Poly1305,
    header: StreamHeader,
    ad: [u8; StreamHeader::ENCODED_LEN],
    counter: Option<u32>,
}

impl StreamEncryptor {
    pub(crate) fn new(key: &DemKey, header: StreamHeader) -> Self {
        Self {
            cipher: key.stream_cipher(&header),
            ad: header.to_bytes(),
            header,
            counter: Some(0),
        }
    }

    /// Encrypts `buf` (a chunk's plaintext) in place, appending the tag.
    pub(crate) fn seal_chunk(&mut self, buf: &mut Vec<u8>, last: bool) -> Result<(), DemError> {
        let i = self.counter.ok_or(DemError::TooManyChunks)?;
        let nonce = self.header.nonce(i, last);
        self.cipher
            .encrypt_in_place(&nonce, &self.ad, buf)
            .map_err(|_| DemError::TooManyChunks)?;
        self.counter = i.checked_add(1);
        Ok(())
    }
}

/// Low-level STREAM decryptor: opens chunks in order.
pub(crate) struct StreamDecryptor {
    cipher: ChaCha20Poly1305,
    header: StreamHeader,
    ad: [u8; StreamHeader::ENCODED_LEN],
    counter: Option<u32>,
}

impl StreamDecryptor {
    pub(crate) fn new(key: &DemKey, header: StreamHeader) -> Self {
        Self {
            cipher: key.stream_cipher(&header),
            ad: header.to_bytes(),
            header,
            counter: Some(0),
        }
    }

    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    pub(crate) fn header(&self) -> &StreamHeader {
        &self.header
    }

    /// Decrypts a chunk (ciphertext + tag) in place.
    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    pub(crate) fn open_chunk(&mut self, buf: &mut Vec<u8>, last: bool) -> Result<(), DemError> {
        if buf.len() < TAG_LEN {
            return Err(DemError::Truncated);
        }
        let tag_at = buf.len() - TAG_LEN;
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&buf[tag_at..]);
        buf.truncate(tag_at);
        self.open_chunk_detached(buf, &tag, last)
    }

    /// Decrypts a chunk's ciphertext in place, given its tag.
    pub(crate) fn open_chunk_detached(
        &mut self,
        sealed: &mut [u8],
        tag: &[u8],
        last: bool,
    ) -> Result<(), DemError> {
        let i = self.counter.ok_or(DemError::TooManyChunks)?;
        let nonce = self.header.nonce(i, last);
        self.cipher
            .decrypt_in_place_detached(&nonce, &self.ad, sealed, tag.into())
            .map_err(|_| DemError::Authentication)?;
        self.counter = i.checked_add(1);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn key() -> DemKey {
        DemKey([7u8; 32])
    }

    #[test]
    fn round_trip_sizes() {
        let mut rng = ChaCha20Rng::seed_from_u64(31);
        for cs in [1u32, 3, 16] {
            for len in [0usize, 1, 2, 3, 15, 16, 17, 32, 33, 48] {
                let pt: Vec<u8> = (0..len).map(|i| i as u8).collect();
                let h = StreamHeader::new_with_rng(&mut rng, cs).expect("valid");
                let ct = key().encrypt_with_header(h, &pt);
                let n_chunks = len.div_ceil(cs as usize).max(1);
                assert_eq!(
                    ct.len(),
                    StreamHeader::ENCODED_LEN + len + n_chunks * TAG_LEN
                );
                assert_eq!(key().decrypt(&ct).expect("decrypts"), pt);
            }
        }
    }

    #[test]
    fn tampering_detected() {
        let mut rng = ChaCha20Rng::seed_from_u64(32);
        let h = StreamHeader::new_with_rng(&mut rng, 4).expect("valid");
        let pt = b"0123456789abcdef".to_vec(); // 4 full chunks, the last one final
        let ct = key().encrypt_with_header(h, &pt);
        let hl = StreamHeader::ENCODED_LEN;
        let c = 4 + TAG_LEN;
        // truncation at a chunk boundary
        assert_eq!(
            key().decrypt(&ct[..hl + 2 * c]),
            Err(DemError::Authentication)
        );
        // drop the final chunk
        assert_eq!(
            key().decrypt(&ct[..hl + 3 * c]),
            Err(DemError::Authentication)
        );
        // cut inside the final chunk
        assert_eq!(
            key().decrypt(&ct[..ct.len() - 1]),
            Err(DemError::Authentication)
        );
        assert_eq!(
            key().decrypt(&ct[..ct.len() - TAG_LEN]),
            Err(DemError::Truncated)
        );
        // reorder chunks 0 and 1
        let mut r = ct.clone();
        r[hl..hl + c].copy_from_slice(&ct[hl + c..hl + 2 * c]);
        r[hl + c..hl + 2 * c].copy_from_slice(&ct[hl..hl + c]);
        assert_eq!(key().decrypt(&r), Err(DemError::Authentication));
        // duplicate chunk 0
        let mut d = ct[..hl + c].to_vec();
        d.extend_from_slice(&ct[hl..]);
        assert_eq!(key().decrypt(&d), Err(DemError::Authentication));
        // extension
        let mut e = ct.clone();
        e.extend_from_slice(&ct[hl..hl + c]);
        assert_eq!(key().decrypt(&e), Err(DemError::Authentication));
        // bit flip everywhere
        for i in 0..ct.len() {
            let mut f = ct.clone();
            f[i] ^= 0x01;
            assert!(key().decrypt(&f).is_err(), "flip at {i}");
        }
        // wrong key
        assert_eq!(
            DemKey([8u8; 32]).decrypt(&ct),
            Err(DemError::Authentication)
        );
        // header only / short
        assert_eq!(key().decrypt(&ct[..hl]), Err(DemError::Truncated));
        assert_eq!(key().decrypt(&ct[..3]), Err(DemError::Truncated));
    }
}

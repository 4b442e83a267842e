//! One-call helpers: encrypt a message to a label, decrypt it with the label key or from
//! re-encrypted fragments.

use alloc::vec::Vec;
use core::fmt;

use rand_core::{CryptoRng, RngCore};

use crate::capsule::{Capsule, OpenReencryptedError};
use crate::capsule_frag::VerifiedCapsuleFrag;
use crate::dem::DemError;
use crate::keys::{LabelSecretKey, PublicKey, SecretKey};

/// Error returned by [`decrypt_reencrypted`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecryptionError {
    /// The fragments could not be combined.
    Open(OpenReencryptedError),
    /// The ciphertext failed to decrypt (also: fewer than `threshold` fragments, or fragments
    /// made for another requester, which give a wrong key).
    Dem(DemError),
}

impl fmt::Display for DecryptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Open(e) => write!(f, "cannot open capsule: {e}"),
            Self::Dem(e) => write!(f, "cannot decrypt: {e}"),
        }
    }
}

impl core::error::Error for DecryptionError {}

/// Encrypts `plaintext` to the label public key `pk`: a fresh capsule plus the DEM ciphertext
/// (header and chunks, 64 KiB chunks).
pub fn encrypt_with_rng(
    rng: &mut (impl CryptoRng + RngCore),
    pk: &PublicKey,
    plaintext: &[u8],
) -> (Capsule, Vec<u8>) {
    let (capsule, key) = Capsule::new_with_rng(rng, pk);
    let ct = key.encrypt_with_rng(rng, plaintext);
    (capsule, ct)
}

/// [`encrypt_with_rng`] with the OS RNG.
#[cfg(feature = "default-rng")]
pub fn encrypt(pk: &PublicKey, plaintext: &[u8]) -> (Capsule, Vec<u8>) {
    encrypt_with_rng(&mut rand_core::OsRng, pk, plaintext)
}

/// Decrypts with the label secret key the data was encrypted to.
pub fn decrypt_original(
    sk: &LabelSecretKey,
    capsule: &Capsule,
    ciphertext: &[u8],
) -> Result<Vec<u8>, DemError> {
    capsule.open_original(sk).decrypt(ciphertext)
}

/// Decrypts as the requester from at least `threshold` verified capsule fragments.
pub fn decrypt_reencrypted(
    receiving_sk: &SecretKey,
    capsule: &Capsule,
    cfrags: &[VerifiedCapsuleFrag],
    ciphertext: &[u8],
) -> Result<Vec<u8>, DecryptionError> {
    let key = capsule
        .open_reencrypted(receiving_sk, cfrags)
        .map_err(DecryptionError::Open)?;
    key.decrypt(ciphertext).map_err(DecryptionError::Dem)
}

//! # medshare-pre
//!
//! Threshold, verifiable, **label-bound** proxy re-encryption on BN254 G1 (Umbral-style KEM)
//! with a streaming ChaCha20-Poly1305 DEM. The full specification, name for name with this
//! code, is `docs/pre.md`.
//!
//! * **Labels.** An owner keeps one [`MasterSecret`] and derives per record or policy a key
//!   pair ([`MasterSecret::derive_label_key`]) and an independent delegation-signing key
//!   ([`MasterSecret::derive_delegation_key`]), both with HKDF. A requester colluding with `t`
//!   proxies learns the keys of the labels granted to that requester, never the master secret,
//!   and cannot sign delegations: the owner's consent stays unforgeable.
//! * **Threshold.** A delegation is split into `n` key fragments; any `t` proxies re-encrypt.
//! * **Verifiable.** Each [`CapsuleFrag`] carries a Chaum-Pedersen proof and the owner's
//!   Schnorr signature on the key fragment (by the delegation-signing key, bound to the label
//!   public key), both with keccak256 challenges that a contract checks with the ecAdd/ecMul
//!   precompiles ([`CapsuleFrag::evm_inputs`]).
//! * **Streaming DEM.** STREAM construction over 64 KiB chunks, with `std::io` adapters.
//!
//! ```
//! use medshare_pre::{
//!     MasterSecret, SecretKey, decrypt_original, decrypt_reencrypted, encrypt_with_rng,
//!     generate_kfrags_with_rng, reencrypt_with_rng,
//! };
//! # use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};
//! # let mut rng = ChaCha20Rng::seed_from_u64(0);
//!
//! // The owner derives the key pair of one record and its delegation-signing key; the record's
//! // metadata publishes both public keys.
//! let msk = MasterSecret::random_with_rng(&mut rng);
//! let label_sk = msk.derive_label_key(b"record:42");
//! let label_pk = label_sk.public_key();
//! let signing_key = msk.derive_delegation_key(b"record:42");
//! let label_vk = signing_key.verifying_key();
//!
//! // A hospital encrypts the record to the label public key.
//! let (capsule, ciphertext) = encrypt_with_rng(&mut rng, &label_pk, b"FHIR bundle ...");
//! assert_eq!(decrypt_original(&label_sk, &capsule, &ciphertext).unwrap(), b"FHIR bundle ...");
//!
//! // The owner grants a requester 3-of-5 access, knowing only the requester's public key.
//! let requester = SecretKey::random_with_rng(&mut rng);
//! let kfrags = generate_kfrags_with_rng(
//!     &mut rng, &label_sk, &signing_key, &requester.public_key(), 3, 5,
//! )
//! .unwrap();
//!
//! // Each proxy receives its fragment as bytes, verifies it, and re-encrypts the capsule.
//! let cfrag_bytes: Vec<_> = kfrags[..3]
//!     .iter()
//!     .map(|vk| {
//!         let kfrag = medshare_pre::KeyFrag::from_bytes(vk.to_bytes().as_slice()).unwrap();
//!         let kfrag = kfrag.verify(&label_pk, &label_vk, &requester.public_key()).unwrap();
//!         reencrypt_with_rng(&mut rng, &capsule, &kfrag).to_bytes()
//!     })
//!     .collect();
//!
//! // The requester verifies the fragments (as a contract could) and decrypts.
//! let cfrags: Vec<_> = cfrag_bytes
//!     .iter()
//!     .map(|b| {
//!         medshare_pre::CapsuleFrag::from_bytes(b)
//!             .unwrap()
//!             .verify(&capsule, &label_pk, &label_vk, &requester.public_key())
//!             .unwrap()
//!     })
//!     .collect();
//! let plaintext = decrypt_reencrypted(&requester, &capsule, &cfrags, &ciphertext).unwrap();
//! assert_eq!(plaintext, b"FHIR bundle ...");
//! ```
//!
//! ## Features
//!
//! * `std` (default): [`EncryptWriter`] / [`DecryptReader`] (`std::io`), cached fixed-base
//!   tables for `G` and `U` (about 4x faster fixed-base multiplication).
//! * `default-rng` (default): `random()`, [`encrypt`], [`generate_kfrags`], [`reencrypt`],
//!   [`Capsule::new`] using the OS RNG.
//!
//! Without `std` the crate is `no_std` + `alloc`.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

extern crate alloc;

// Used only through the `std` feature forwarding.
use ark_std as _;

mod capsule;
mod capsule_frag;
mod curve;
mod dem;
mod encoding;
mod evm;
mod hashing_ds;
mod key_frag;
mod keys;
mod pre;
#[cfg(feature = "std")]
mod stream;

#[cfg(feature = "default-rng")]
pub use capsule_frag::reencrypt;
#[cfg(feature = "default-rng")]
pub use key_frag::generate_kfrags;
#[cfg(feature = "default-rng")]
pub use pre::encrypt;
#[cfg(feature = "std")]
pub use stream::{DecryptReader, EncryptWriter};
pub use {
    capsule::{Capsule, OpenReencryptedError},
    capsule_frag::{
        CapsuleFrag, CapsuleFragVerificationError, VerifiedCapsuleFrag, reencrypt_with_rng,
    },
    dem::{
        DEFAULT_CHUNK_SIZE, DemError, DemKey, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, StreamHeader, TAG_LEN,
    },
    encoding::DecodeError,
    evm::{CapsuleFragEvmInputs, generator_g_evm, generator_u_evm},
    key_frag::{
        GenerateKFragsError, KeyFrag, KeyFragVerificationError, VerifiedKeyFrag,
        generate_kfrags_with_rng,
    },
    keys::{
        DelegationSigningKey, DelegationVerifyingKey, LabelSecretKey, MasterSecret, PublicKey,
        SecretKey,
    },
    pre::{DecryptionError, decrypt_original, decrypt_reencrypted, encrypt_with_rng},
};

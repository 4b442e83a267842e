//! End-to-end behaviour: t-of-n for every subset, wrong requester, tampering, faulty RNGs.

use medshare_pre::{
    Capsule, CapsuleFrag, CapsuleFragVerificationError, DecryptionError, DelegationSigningKey,
    DelegationVerifyingKey, DemError, KeyFrag, KeyFragVerificationError, LabelSecretKey,
    MasterSecret, OpenReencryptedError, PublicKey, SecretKey, VerifiedCapsuleFrag, VerifiedKeyFrag,
    decrypt_original, decrypt_reencrypted, encrypt_with_rng, generate_kfrags_with_rng,
    reencrypt_with_rng,
};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{CryptoRng, RngCore, SeedableRng};

struct Setup {
    rng: ChaCha20Rng,
    label_sk: LabelSecretKey,
    label_pk: PublicKey,
    signing_key: DelegationSigningKey,
    label_vk: DelegationVerifyingKey,
    bob: SecretKey,
    capsule: Capsule,
    ciphertext: Vec<u8>,
    plaintext: Vec<u8>,
}

fn setup(seed: u64) -> Setup {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let msk = MasterSecret::random_with_rng(&mut rng);
    let label_sk = msk.derive_label_key(b"patient-7/record-3");
    let label_pk = label_sk.public_key();
    let signing_key = msk.derive_delegation_key(b"patient-7/record-3");
    let label_vk = signing_key.verifying_key();
    let bob = SecretKey::random_with_rng(&mut rng);
    let plaintext: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
    let (capsule, ciphertext) = encrypt_with_rng(&mut rng, &label_pk, &plaintext);
    Setup {
        rng,
        label_sk,
        label_pk,
        signing_key,
        label_vk,
        bob,
        capsule,
        ciphertext,
        plaintext,
    }
}

fn kfrags_for(s: &mut Setup, pk: &PublicKey, t: usize, n: usize) -> Box<[VerifiedKeyFrag]> {
    generate_kfrags_with_rng(&mut s.rng, &s.label_sk, &s.signing_key, pk, t, n)
        .expect("valid parameters")
}

fn cfrags_for(s: &mut Setup, t: usize, n: usize) -> Vec<VerifiedCapsuleFrag> {
    let bob_pk = s.bob.public_key();
    let kfrags = kfrags_for(s, &bob_pk, t, n);
    kfrags
        .iter()
        .map(|k| reencrypt_with_rng(&mut s.rng, &s.capsule, k))
        .collect()
}

/// Indices of every subset of `0..n` with `k` elements.
fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    (0u32..1 << n)
        .filter(|m| m.count_ones() as usize == k)
        .map(|m| (0..n).filter(|i| m & (1 << i) != 0).collect())
        .collect()
}

#[test]
fn original_round_trip() {
    let s = setup(1);
    assert_eq!(
        decrypt_original(&s.label_sk, &s.capsule, &s.ciphertext).expect("decrypts"),
        s.plaintext
    );
    let other = MasterSecret::from_bytes([9; 32]).derive_label_key(b"patient-7/record-3");
    assert_eq!(
        decrypt_original(&other, &s.capsule, &s.ciphertext),
        Err(DemError::Authentication)
    );
}

#[test]
fn every_threshold_of_five() {
    let n = 5;
    for t in 1..=n {
        let mut s = setup(10 + t as u64);
        let cfrags = cfrags_for(&mut s, t, n);
        // every subset of size t (and of size n) decrypts
        for size in [t, n] {
            for idx in subsets(n, size) {
                let chosen: Vec<_> = idx.iter().map(|&i| cfrags[i]).collect();
                let pt = decrypt_reencrypted(&s.bob, &s.capsule, &chosen, &s.ciphertext)
                    .expect("t fragments decrypt");
                assert_eq!(pt, s.plaintext, "t={t} subset={idx:?}");
            }
        }
        // every subset of size t-1 fails
        if t > 1 {
            for idx in subsets(n, t - 1) {
                let chosen: Vec<_> = idx.iter().map(|&i| cfrags[i]).collect();
                assert_eq!(
                    decrypt_reencrypted(&s.bob, &s.capsule, &chosen, &s.ciphertext),
                    Err(DecryptionError::Dem(DemError::Authentication)),
                    "t={t} subset={idx:?}"
                );
            }
        }
    }
}

#[test]
fn fragments_survive_transport_and_verification() {
    let mut s = setup(2);
    let bob_pk = s.bob.public_key();
    let kfrags = kfrags_for(&mut s, &bob_pk, 2, 3);
    let mut verified = Vec::new();
    for k in kfrags.iter() {
        let k = KeyFrag::from_bytes(k.to_bytes().as_slice())
            .expect("decodes")
            .verify(&s.label_pk, &s.label_vk, &bob_pk)
            .expect("verifies");
        let c = reencrypt_with_rng(&mut s.rng, &s.capsule, &k);
        let c = CapsuleFrag::from_bytes(&c.to_bytes()).expect("decodes");
        verified.push(
            c.verify(&s.capsule, &s.label_pk, &s.label_vk, &bob_pk)
                .expect("verifies"),
        );
    }
    let capsule = Capsule::from_bytes(&s.capsule.to_bytes()).expect("decodes");
    let pt = decrypt_reencrypted(&s.bob, &capsule, &verified[1..], &s.ciphertext).expect("ok");
    assert_eq!(pt, s.plaintext);
}

#[test]
fn wrong_requester_fails() {
    let mut s = setup(3);
    let cfrags = cfrags_for(&mut s, 2, 3);
    let eve = SecretKey::random_with_rng(&mut s.rng);
    // Eve cannot even get the fragments verified for her key...
    let (err, _) = cfrags[0]
        .unverify()
        .verify(&s.capsule, &s.label_pk, &s.label_vk, &eve.public_key())
        .expect_err("signature binds pk_B");
    assert_eq!(err, CapsuleFragVerificationError::IncorrectKeyFragSignature);
    // ...and fragments verified for Bob do not open for her.
    assert_eq!(
        s.capsule.open_reencrypted(&eve, &cfrags).map(|_| ()),
        Err(OpenReencryptedError::MismatchedCapsuleFrags)
    );
    // A kfrag made for Bob does not verify for Eve.
    let bob_pk = s.bob.public_key();
    let kfrags = kfrags_for(&mut s, &bob_pk, 2, 3);
    let (err, _) = kfrags[0]
        .clone()
        .unverify()
        .verify(&s.label_pk, &s.label_vk, &eve.public_key())
        .expect_err("wrong receiver");
    assert_eq!(err, KeyFragVerificationError::IncorrectSignature);
}

#[test]
fn open_reencrypted_input_errors() {
    let mut s = setup(4);
    let cfrags = cfrags_for(&mut s, 2, 3);
    assert_eq!(
        s.capsule.open_reencrypted(&s.bob, &[]).map(|_| ()),
        Err(OpenReencryptedError::NoCapsuleFrags)
    );
    assert_eq!(
        s.capsule
            .open_reencrypted(&s.bob, &[cfrags[0], cfrags[0]])
            .map(|_| ()),
        Err(OpenReencryptedError::RepeatingCapsuleFrags)
    );
    // fragments from two different grants
    let other = cfrags_for(&mut s, 2, 3);
    assert_eq!(
        s.capsule
            .open_reencrypted(&s.bob, &[cfrags[0], other[1]])
            .map(|_| ()),
        Err(OpenReencryptedError::MismatchedCapsuleFrags)
    );
    // fragments verified for another capsule
    let (capsule2, _) = Capsule::new_with_rng(&mut s.rng, &s.label_pk);
    assert_eq!(
        capsule2.open_reencrypted(&s.bob, &cfrags).map(|_| ()),
        Err(OpenReencryptedError::MismatchedCapsuleFrags)
    );
}

/// An RNG that returns the same byte forever.
struct StuckRng(u8);

impl RngCore for StuckRng {
    fn next_u32(&mut self) -> u32 {
        u32::from_ne_bytes([self.0; 4])
    }
    fn next_u64(&mut self) -> u64 {
        u64::from_ne_bytes([self.0; 8])
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.fill(self.0);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_chacha::rand_core::Error> {
        dest.fill(self.0);
        Ok(())
    }
}

// Not secure: claims it only so that the test can hand it to the API, as a buggy caller would.
impl CryptoRng for StuckRng {}

#[test]
fn delegation_with_a_stuck_rng_terminates_and_works() {
    let mut s = setup(13);
    let bob_pk = s.bob.public_key();
    let carol_pk = SecretKey::random_with_rng(&mut s.rng).public_key();
    // 0x00 (zero scalars) and 0xff (above r, rejected by sampling) made unhedged sampling loop
    // forever.
    for byte in [0x00, 0xff, 0x5a] {
        let kfrags = generate_kfrags_with_rng(
            &mut StuckRng(byte),
            &s.label_sk,
            &s.signing_key,
            &bob_pk,
            3,
            5,
        )
        .expect("terminates");
        let mut ids: Vec<_> = kfrags.iter().map(|k| k.id()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 5, "distinct ids despite identical RNG output");
        let cfrags: Vec<_> = kfrags[2..]
            .iter()
            .map(|k| {
                let k = k
                    .clone()
                    .unverify()
                    .verify(&s.label_pk, &s.label_vk, &bob_pk)
                    .expect("verifies");
                let c = reencrypt_with_rng(&mut s.rng, &s.capsule, &k).unverify();
                c.verify(&s.capsule, &s.label_pk, &s.label_vk, &bob_pk)
                    .expect("verifies")
            })
            .collect();
        assert_eq!(
            decrypt_reencrypted(&s.bob, &s.capsule, &cfrags, &s.ciphertext).expect("decrypts"),
            s.plaintext
        );
        // The hedge still separates delegations that differ in requester or parameters.
        let precursor = |k: &VerifiedKeyFrag| k.to_bytes()[97..129].to_vec();
        let again = |pk: &PublicKey, t: usize, n: usize| {
            generate_kfrags_with_rng(&mut StuckRng(byte), &s.label_sk, &s.signing_key, pk, t, n)
                .expect("ok")
        };
        assert_eq!(precursor(&again(&bob_pk, 3, 5)[0]), precursor(&kfrags[0]));
        assert_ne!(precursor(&again(&carol_pk, 3, 5)[0]), precursor(&kfrags[0]));
        assert_ne!(precursor(&again(&bob_pk, 2, 5)[0]), precursor(&kfrags[0]));
    }
}

#[test]
fn bad_cfrags_rejected_good_ones_still_decrypt() {
    let mut s = setup(5);
    let bob_pk = s.bob.public_key();
    let cfrags = cfrags_for(&mut s, 3, 5);
    let mut good = Vec::new();
    for (i, c) in cfrags.iter().enumerate() {
        let mut bytes = c.to_bytes();
        if i < 2 {
            // proxies 0 and 1 cheat: flip a bit of z (response) / of W1's encoding
            let pos = if i == 0 { 1 + 32 * 7 - 1 } else { 5 };
            bytes[pos] ^= 1;
        }
        match CapsuleFrag::from_bytes(&bytes) {
            Ok(c) => match c.verify(&s.capsule, &s.label_pk, &s.label_vk, &bob_pk) {
                Ok(v) => good.push(v),
                Err((e, _)) => assert!(i < 2, "honest fragment {i} rejected: {e}"),
            },
            Err(e) => assert!(i < 2, "honest fragment {i} undecodable: {e}"),
        }
    }
    assert_eq!(good.len(), 3);
    let pt = decrypt_reencrypted(&s.bob, &s.capsule, &good, &s.ciphertext).expect("ok");
    assert_eq!(pt, s.plaintext);
}

/// Flips every bit of an encoded cfrag: each flip is rejected by decoding or verification.
#[test]
fn every_cfrag_bit_flip_is_rejected() {
    let mut s = setup(6);
    let bob_pk = s.bob.public_key();
    let cfrag = cfrags_for(&mut s, 1, 1)[0];
    let bytes = cfrag.to_bytes();
    for i in 0..bytes.len() * 8 {
        let mut b = bytes;
        b[i / 8] ^= 1 << (i % 8);
        if let Ok(c) = CapsuleFrag::from_bytes(&b) {
            assert!(
                c.verify(&s.capsule, &s.label_pk, &s.label_vk, &bob_pk)
                    .is_err(),
                "bit {i} accepted"
            );
        }
    }
}

#[test]
fn cfrag_verified_against_wrong_capsule_or_owner_is_rejected() {
    let mut s = setup(7);
    let bob_pk = s.bob.public_key();
    let cfrag = cfrags_for(&mut s, 2, 3)[0].unverify();
    let (capsule2, _) = Capsule::new_with_rng(&mut s.rng, &s.label_pk);
    let (err, cfrag) = cfrag
        .verify(&capsule2, &s.label_pk, &s.label_vk, &bob_pk)
        .expect_err("other capsule");
    assert_eq!(err, CapsuleFragVerificationError::IncorrectReencryption);
    let other = MasterSecret::from_bytes([1; 32]);
    let other_owner = other.derive_label_key(b"x").public_key();
    let (err, cfrag) = cfrag
        .verify(&s.capsule, &other_owner, &s.label_vk, &bob_pk)
        .expect_err("other owner");
    assert_eq!(err, CapsuleFragVerificationError::IncorrectKeyFragSignature);
    let other_vk = other.derive_delegation_key(b"x").verifying_key();
    let (err, cfrag) = cfrag
        .verify(&s.capsule, &s.label_pk, &other_vk, &bob_pk)
        .expect_err("other verifying key");
    assert_eq!(err, CapsuleFragVerificationError::IncorrectKeyFragSignature);
    // Nor does the label key itself (version 1 signed with it).
    let (err, _) = cfrag
        .verify(
            &s.capsule,
            &s.label_pk,
            &DelegationVerifyingKey::from_bytes(&s.label_pk.to_bytes()).expect("a point"),
            &bob_pk,
        )
        .expect_err("label key as verifying key");
    assert_eq!(err, CapsuleFragVerificationError::LabelKeyAsVerifyingKey);
}

#[test]
fn every_kfrag_bit_flip_is_rejected() {
    let mut s = setup(8);
    let bob_pk = s.bob.public_key();
    let kfrags = kfrags_for(&mut s, &bob_pk, 2, 2);
    let bytes = kfrags[0].to_bytes();
    for i in 0..bytes.len() * 8 {
        let mut b = *bytes;
        b[i / 8] ^= 1 << (i % 8);
        if let Ok(k) = KeyFrag::from_bytes(&b) {
            assert!(
                k.verify(&s.label_pk, &s.label_vk, &bob_pk).is_err(),
                "bit {i} accepted"
            );
        }
    }
}

#[test]
fn every_capsule_bit_flip_is_rejected() {
    let s = setup(9);
    let bytes = s.capsule.to_bytes();
    for i in 0..bytes.len() * 8 {
        let mut b = bytes;
        b[i / 8] ^= 1 << (i % 8);
        assert!(Capsule::from_bytes(&b).is_err(), "bit {i} accepted");
    }
}

#[test]
fn tampered_ciphertext_and_header_rejected() {
    let s = setup(10);
    for i in 0..s.ciphertext.len() {
        let mut ct = s.ciphertext.clone();
        ct[i] ^= 0x80;
        assert!(
            decrypt_original(&s.label_sk, &s.capsule, &ct).is_err(),
            "byte {i} accepted"
        );
    }
    assert!(decrypt_original(&s.label_sk, &s.capsule, &s.ciphertext[..20]).is_err());
}

#[cfg(feature = "std")]
#[test]
fn streaming_adapters_round_trip() {
    use medshare_pre::{DecryptReader, EncryptWriter, StreamHeader};
    use std::io::{Read, Write};

    let mut s = setup(11);
    let (capsule, key) = Capsule::new_with_rng(&mut s.rng, &s.label_pk);
    let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let header = StreamHeader::new_with_rng(&mut s.rng, 1000).expect("valid");
    let mut w = EncryptWriter::with_header(&key, header, Vec::new()).expect("header");
    for piece in data.chunks(333) {
        w.write_all(piece).expect("write");
    }
    let ct = w.finish().expect("finish");
    // one-shot decryption of the streamed ciphertext
    assert_eq!(
        capsule.open_original(&s.label_sk).decrypt(&ct).expect("ok"),
        data
    );
    // streaming decryption with small reads
    let mut r = DecryptReader::new(&capsule.open_original(&s.label_sk), &ct[..]).expect("header");
    let mut out = Vec::new();
    let mut buf = [0u8; 77];
    loop {
        let n = r.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    assert_eq!(out, data);
    // truncated stream fails at the end
    let mut r = DecryptReader::new(&key, &ct[..ct.len() - 1016]).expect("header");
    let mut sink = Vec::new();
    let err = r.read_to_end(&mut sink).expect_err("truncated");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    // a writer dropped without finish leaves an undecryptable stream
    let mut unfinished = Vec::new();
    let mut w = EncryptWriter::with_header(&key, header, &mut unfinished).expect("header");
    w.write_all(&data).expect("write");
    drop(w);
    assert!(key.decrypt(&unfinished).is_err());
}

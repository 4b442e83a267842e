//! The collusion attack on Umbral-style delegation, run against this crate, and the forgery
//! it would enable if the owner signed delegations with the label key.
//!
//! In Umbral the re-encryption key is `rk = a · d⁻¹`, shared among proxies, where
//! `d = H(X_A, pk_B, x_A·pk_B) = H(X_A, pk_B, b·X_A)` is computable by the requester `B`.
//! `t` colluding proxies hand `B` their shares; `B` recomputes the share indices, interpolates
//! `rk` and gets `a = rk · d`, the delegating secret key. With one long-term key that opens
//! everything the owner ever received. Here `a` is one label's key: the coalition opens only
//! what was granted anyway, and since kfrags are signed by an independent delegation-signing
//! key, it cannot grant anyone else access in the owner's name (`colluders_cannot_forge_kfrags`).
//!
//! The attacks use only the documented wire format (`docs/pre.md`) and hashes, not crate
//! internals (`common/mod.rs`).

mod common;

use ark_bn254::Fr;
use ark_ec::{CurveGroup, PrimeGroup};
use ark_ff::{BigInteger, PrimeField};
use common::{
    candidate_signing_secrets, collude, forge, guessed_delegation_scalar, h, pk_point, scalar_of,
    to_label_key, verifying_key_of, vk_point,
};
use medshare_pre::{
    CapsuleFragVerificationError, DelegationSigningKey, DemError, KeyFrag,
    KeyFragVerificationError, LabelSecretKey, MasterSecret, SecretKey, decrypt_original,
    decrypt_reencrypted, encrypt_with_rng, generate_kfrags_with_rng, reencrypt_with_rng,
};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

/// One label of one owner: its key, its delegation-signing key.
fn label(msk: &MasterSecret, name: &[u8]) -> (LabelSecretKey, DelegationSigningKey) {
    (msk.derive_label_key(name), msk.derive_delegation_key(name))
}

#[test]
fn attack_recovers_a_single_long_term_key() {
    // "Plain Umbral": the owner uses ONE key for everything (here: one label for all records).
    let mut rng = ChaCha20Rng::seed_from_u64(100);
    let (owner, signer) = label(&MasterSecret::random_with_rng(&mut rng), b"everything");
    let owner_pk = owner.public_key();
    let bob = SecretKey::random_with_rng(&mut rng);
    let (c1, ct1) = encrypt_with_rng(&mut rng, &owner_pk, b"record 1 (granted)");
    let (c2, ct2) = encrypt_with_rng(&mut rng, &owner_pk, b"record 2 (never granted)");

    // The owner grants Bob access (intending record 1 only), 3-of-5.
    let kfrags =
        generate_kfrags_with_rng(&mut rng, &owner, &signer, &bob.public_key(), 3, 5).expect("ok");
    let cfrags: Vec<_> = kfrags[..3]
        .iter()
        .map(|k| reencrypt_with_rng(&mut rng, &c1, k))
        .collect();
    assert_eq!(
        decrypt_reencrypted(&bob, &c1, &cfrags, &ct1).expect("granted"),
        b"record 1 (granted)"
    );

    // Three proxies collude with Bob: he recovers the owner's secret key...
    let a = collude(&bob, &kfrags[2..5]).a;
    assert_eq!(a, scalar_of(owner.to_be_bytes().as_slice()));
    // ...and opens everything encrypted to it, without any further grant.
    let stolen = to_label_key(&a);
    assert_eq!(
        decrypt_original(&stolen, &c2, &ct2).expect("owner key recovered"),
        b"record 2 (never granted)"
    );
    // Fewer than t proxies are not enough.
    assert_ne!(collude(&bob, &kfrags[..2]).a, a);
}

#[test]
fn attack_is_confined_to_the_granted_label() {
    let mut rng = ChaCha20Rng::seed_from_u64(101);
    let msk = MasterSecret::random_with_rng(&mut rng);
    let (l1, s1) = label(&msk, b"record-1");
    let (l2, s2) = label(&msk, b"record-2");
    let bob = SecretKey::random_with_rng(&mut rng);
    let carol = SecretKey::random_with_rng(&mut rng);
    let (c1, ct1) = encrypt_with_rng(&mut rng, &l1.public_key(), b"record 1");
    let (c2, ct2) = encrypt_with_rng(&mut rng, &l2.public_key(), b"record 2");

    // Bob is granted record 1; Carol is granted record 2. All 5 proxies of both grants collude
    // with Bob.
    let bob_kfrags =
        generate_kfrags_with_rng(&mut rng, &l1, &s1, &bob.public_key(), 3, 5).expect("ok");
    let carol_kfrags =
        generate_kfrags_with_rng(&mut rng, &l2, &s2, &carol.public_key(), 3, 5).expect("ok");

    // The coalition learns the key of label 1: what Bob was granted anyway.
    let a1 = collude(&bob, &bob_kfrags).a;
    assert_eq!(a1, scalar_of(l1.to_be_bytes().as_slice()));
    let stolen = to_label_key(&a1);
    assert_eq!(
        decrypt_original(&stolen, &c1, &ct1).expect("label 1"),
        b"record 1"
    );

    // It cannot open another label of the same owner.
    assert_eq!(
        decrypt_original(&stolen, &c2, &ct2),
        Err(DemError::Authentication)
    );
    assert_ne!(stolen.public_key(), l2.public_key());

    // It cannot use Carol's grant: without Carol's secret (or x_A) d and the share indices are
    // unknown, so the same interpolation with Bob's key yields garbage...
    let garbage = collude(&bob, &carol_kfrags).a;
    assert_ne!(garbage, scalar_of(l2.to_be_bytes().as_slice()));
    // ...and Carol's fragments re-encrypt to Carol only.
    let cfrags: Vec<_> = carol_kfrags[..3]
        .iter()
        .map(|k| reencrypt_with_rng(&mut rng, &c2, k))
        .collect();
    assert!(c2.open_reencrypted(&bob, &cfrags).is_err());
    let forged: Vec<_> = cfrags
        .iter()
        .filter_map(|c| {
            c.unverify()
                .verify(
                    &c2,
                    &l2.public_key(),
                    &s2.verifying_key(),
                    &bob.public_key(),
                )
                .ok()
        })
        .collect();
    assert!(forged.is_empty(), "Carol's fragments never verify for Bob");

    // It does not reveal the master secret: label keys are HKDF outputs with no algebraic
    // relation. Contrast with the additive derivation sk_L = msk + H(L), where the recovered
    // label key gives msk = sk_L1 - H(L1) and then every label.
    let naive = |msk: &Fr, label: &[u8]| *msk + h("naive", &[label]);
    let msk_scalar = Fr::from_be_bytes_mod_order(msk.to_secret_bytes().as_slice());
    let naive_l1 = naive(&msk_scalar, b"record-1");
    let naive_recovered_msk = naive_l1 - h("naive", &[b"record-1"]);
    assert_eq!(
        naive(&naive_recovered_msk, b"record-2"),
        naive(&msk_scalar, b"record-2")
    );
    // The same manipulation on HKDF label keys gets nowhere:
    let guess_l2 = a1 - h("naive", &[b"record-1"]) + h("naive", &[b"record-2"]);
    assert_ne!(guess_l2, scalar_of(l2.to_be_bytes().as_slice()));
    assert_ne!(a1, msk_scalar);
    // Re-deriving from a guessed master secret of the recovered scalar's bytes fails too.
    let guess_msk =
        MasterSecret::from_bytes(a1.into_bigint().to_bytes_be().try_into().expect("32 bytes"));
    assert_ne!(
        guess_msk.derive_label_key(b"record-2").public_key(),
        l2.public_key()
    );

    // Sanity: the kfrag layout the attack relies on is the documented one.
    let k = KeyFrag::from_bytes(bob_kfrags[0].to_bytes().as_slice()).expect("decodes");
    assert_eq!(k.id(), bob_kfrags[0].id());
}

#[test]
fn colluders_cannot_forge_kfrags() {
    // The owner grants Bob record 1 (3-of-5). Bob and three of its proxies collude, rebuild
    // a_L exactly as above, and try to hand Mallory (a key they control) a delegation of the
    // same label that the proxies, Mallory and the contract would accept as the owner's.
    let mut rng = ChaCha20Rng::seed_from_u64(102);
    let msk = MasterSecret::random_with_rng(&mut rng);
    let (l1, s1) = label(&msk, b"record-1");
    let (pk_l, vk_l) = (l1.public_key(), s1.verifying_key());
    let bob = SecretKey::random_with_rng(&mut rng);
    let mallory = SecretKey::random_with_rng(&mut rng);
    let pk_m = mallory.public_key();
    let (capsule, ct) = encrypt_with_rng(&mut rng, &pk_l, b"record 1");
    let bob_kfrags =
        generate_kfrags_with_rng(&mut rng, &l1, &s1, &bob.public_key(), 3, 5).expect("ok");

    let loot = collude(&bob, &bob_kfrags[1..4]);
    assert_eq!(
        loot.a,
        scalar_of(l1.to_be_bytes().as_slice()),
        "a_L recovered"
    );
    // ...and a_L is not the signing key: nothing in the loot is log_G vk_L.
    let guessed = guessed_delegation_scalar(&loot.a, b"record-1");
    let guessed_msk =
        MasterSecret::from_bytes(loot.a.into_bigint().to_bytes_be().try_into().expect("32"));
    assert_eq!(
        vk_point(
            &guessed_msk
                .derive_delegation_key(b"record-1")
                .verifying_key()
        ),
        (ark_bn254::G1Projective::generator() * guessed).into_affine(),
        "the documented derivation, recomputed by hand"
    );
    let candidates = candidate_signing_secrets(&loot, &bob, &guessed);
    for (name, secret) in &candidates {
        assert_ne!(
            (ark_bn254::G1Projective::generator() * secret).into_affine(),
            vk_point(&vk_l),
            "{name} is the signing key"
        );
    }

    // Move 1: mint a kfrag and a cfrag for Mallory, signed with each secret the coalition has.
    for (name, secret) in &candidates {
        // Not vacuous: claiming the key it was signed with (for a_L: the label key, the version
        // 1 rule), the forging code makes a complete, working delegation that opens the record
        // for Mallory.
        let own = verifying_key_of(secret);
        let f = forge(&mut rng, &loot.a, &pk_l, &own, &pk_m, &capsule, secret);
        if vk_point(&own) == pk_point(&pk_l) {
            // The v1 rule (a_L signs): even metadata that named the label key as the verifying
            // key would not make the coalition's signature count.
            let (err, _) = f.kfrag.verify(&pk_l, &own, &pk_m).expect_err("v1 forgery");
            assert_eq!(err, KeyFragVerificationError::LabelKeyAsVerifyingKey);
            let (err, _) = f
                .cfrag
                .verify(&capsule, &pk_l, &own, &pk_m)
                .expect_err("v1 forgery");
            assert_eq!(err, CapsuleFragVerificationError::LabelKeyAsVerifyingKey);
        } else {
            f.kfrag
                .verify(&pk_l, &own, &pk_m)
                .expect("valid under its own key");
            let accepted = f
                .cfrag
                .verify(&capsule, &pk_l, &own, &pk_m)
                .expect("valid under its own key");
            assert_eq!(
                decrypt_reencrypted(&mallory, &capsule, &[accepted], &ct).expect("opens"),
                b"record 1"
            );
        }
        // Claiming the label's real verifying key: rejected by the proxy, by Mallory, by anyone.
        let f = forge(&mut rng, &loot.a, &pk_l, &vk_l, &pk_m, &capsule, secret);
        let (err, _) = f
            .kfrag
            .verify(&pk_l, &vk_l, &pk_m)
            .expect_err("forged kfrag accepted");
        assert_eq!(err, KeyFragVerificationError::IncorrectSignature, "{name}");
        let (err, _) = f
            .cfrag
            .verify(&capsule, &pk_l, &vk_l, &pk_m)
            .expect_err("forged cfrag accepted");
        assert_eq!(
            err,
            CapsuleFragVerificationError::IncorrectKeyFragSignature,
            "{name}"
        );
    }

    // Move 2: the public API with everything derivable (a_L as the label key, a delegation
    // key of a guessed master secret).
    let forged = generate_kfrags_with_rng(
        &mut rng,
        &to_label_key(&loot.a),
        &guessed_msk.derive_delegation_key(b"record-1"),
        &pk_m,
        1,
        1,
    )
    .expect("ok");
    let (err, _) = forged[0]
        .clone()
        .unverify()
        .verify(&pk_l, &vk_l, &pk_m)
        .expect_err("forged kfrag accepted");
    assert_eq!(err, KeyFragVerificationError::IncorrectSignature);

    // Move 3: re-target the owner's genuine signatures. Bob's kfrags and cfrags, signed by
    // dsk_L, name pk_B; presented for Mallory they fail.
    for k in bob_kfrags.iter() {
        let (err, _) = KeyFrag::from_bytes(k.to_bytes().as_slice())
            .expect("decodes")
            .verify(&pk_l, &vk_l, &pk_m)
            .expect_err("re-targeted kfrag accepted");
        assert_eq!(err, KeyFragVerificationError::IncorrectSignature);
        let c = reencrypt_with_rng(&mut rng, &capsule, k).unverify();
        let (err, _) = c
            .verify(&capsule, &pk_l, &vk_l, &pk_m)
            .expect_err("re-targeted cfrag accepted");
        assert_eq!(err, CapsuleFragVerificationError::IncorrectKeyFragSignature);
    }

    // The coalition's loot stays what section 9 says: a_L, which decrypts label 1 (granted
    // to Bob anyway) and, being unrelated to dsk_L, no consent.
    assert_eq!(
        decrypt_original(&to_label_key(&loot.a), &capsule, &ct).expect("label 1"),
        b"record 1"
    );
    assert_eq!(
        pk_point(&to_label_key(&loot.a).public_key()),
        pk_point(&pk_l)
    );
}

//! The collusion attack on Umbral-style delegation, run against this crate.
//!
//! In Umbral the re-encryption key is `rk = a · d⁻¹`, shared among proxies, where
//! `d = H(X_A, pk_B, x_A·pk_B) = H(X_A, pk_B, b·X_A)` is computable by the requester `B`.
//! `t` colluding proxies hand `B` their shares; `B` recomputes the share indices, interpolates
//! `rk` and gets `a = rk · d`, the delegating secret key. With one long-term key that opens
//! everything the owner ever received. Here `a` is one label's key: the coalition opens only
//! what was granted anyway.
//!
//! The attack uses only the documented wire format (`docs/pre.md`) and hashes, not crate
//! internals: a colluding proxy simply hands over the bytes of its key fragment.

use ark_bn254::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, Field, PrimeField, Zero};
use ark_serialize::CanonicalDeserialize;
use hkdf::HkdfExtract;
use medshare_pre::{
    DemError, KeyFrag, LabelSecretKey, MasterSecret, PublicKey, SecretKey, VerifiedKeyFrag,
    decrypt_original, decrypt_reencrypted, encrypt_with_rng, generate_kfrags_with_rng,
    reencrypt_with_rng,
};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use sha2::Sha256;

fn evm(p: &G1Affine) -> [u8; 64] {
    let (x, y) = p.xy().expect("not identity");
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&x.into_bigint().to_bytes_be());
    out[32..].copy_from_slice(&y.into_bigint().to_bytes_be());
    out
}

/// `hash_to_scalar` as specified in docs/pre.md.
fn h(tag: &str, parts: &[&[u8]]) -> Fr {
    let mut ex = HkdfExtract::<Sha256>::new(Some(tag.as_bytes()));
    for p in parts {
        ex.input_ikm(p);
    }
    let (_, hk) = ex.finalize();
    let mut okm = [0u8; 64];
    hk.expand(&[], &mut okm).expect("64 bytes");
    Fr::from_be_bytes_mod_order(&okm)
}

fn pk_point(pk: &PublicKey) -> G1Affine {
    G1Affine::deserialize_compressed(&pk.to_bytes()[1..]).expect("valid")
}

fn scalar_of(sk_bytes: &[u8]) -> Fr {
    Fr::from_be_bytes_mod_order(sk_bytes)
}

/// The attack: requester `b` plus the byte encodings of `t` key fragments.
fn collude(b: &SecretKey, kfrags: &[VerifiedKeyFrag]) -> Fr {
    let b_scalar = scalar_of(b.to_be_bytes().as_slice());
    let pk_b = pk_point(&b.public_key());
    let mut shares = Vec::new();
    let mut precursor = None;
    for k in kfrags {
        let bytes = k.to_bytes(); // what the colluding proxy hands over
        let id: [u8; 32] = bytes[1..33].try_into().expect("32");
        let rk = Fr::from_be_bytes_mod_order(&bytes[33..65]);
        let x_a = G1Affine::deserialize_compressed(&bytes[97..129]).expect("X_A");
        precursor = Some(x_a);
        shares.push((id, rk));
    }
    let x_a = precursor.expect("at least one fragment");
    let dh = (x_a * b_scalar).into_affine();
    let d = h(
        "MEDSHARE-PRE-v1/kfrag/d",
        &[&evm(&x_a), &evm(&pk_b), &evm(&dh)],
    );
    let xs: Vec<Fr> = shares
        .iter()
        .map(|(id, _)| {
            h(
                "MEDSHARE-PRE-v1/kfrag/share-index",
                &[&evm(&x_a), &evm(&pk_b), &evm(&dh), id],
            )
        })
        .collect();
    let mut rk = Fr::zero();
    for (i, (_, rk_i)) in shares.iter().enumerate() {
        let mut lambda = Fr::from(1u64);
        for (j, x_j) in xs.iter().enumerate() {
            if i != j {
                lambda *= *x_j * (*x_j - xs[i]).inverse().expect("distinct");
            }
        }
        rk += lambda * rk_i;
    }
    rk * d
}

fn to_label_key(a: &Fr) -> LabelSecretKey {
    LabelSecretKey::from_be_bytes(&a.into_bigint().to_bytes_be()).expect("non-zero")
}

#[test]
fn attack_recovers_a_single_long_term_key() {
    // "Plain Umbral": the owner uses ONE key for everything (here: one label for all records).
    let mut rng = ChaCha20Rng::seed_from_u64(100);
    let owner = MasterSecret::random_with_rng(&mut rng).derive_label_key(b"everything");
    let owner_pk = owner.public_key();
    let bob = SecretKey::random_with_rng(&mut rng);
    let (c1, ct1) = encrypt_with_rng(&mut rng, &owner_pk, b"record 1 (granted)");
    let (c2, ct2) = encrypt_with_rng(&mut rng, &owner_pk, b"record 2 (never granted)");

    // The owner grants Bob access (intending record 1 only), 3-of-5.
    let kfrags = generate_kfrags_with_rng(&mut rng, &owner, &bob.public_key(), 3, 5).expect("ok");
    let cfrags: Vec<_> = kfrags[..3]
        .iter()
        .map(|k| reencrypt_with_rng(&mut rng, &c1, k))
        .collect();
    assert_eq!(
        decrypt_reencrypted(&bob, &c1, &cfrags, &ct1).expect("granted"),
        b"record 1 (granted)"
    );

    // Three proxies collude with Bob: he recovers the owner's secret key...
    let a = collude(&bob, &kfrags[2..5]);
    assert_eq!(a, scalar_of(owner.to_be_bytes().as_slice()));
    // ...and opens everything encrypted to it, without any further grant.
    let stolen = to_label_key(&a);
    assert_eq!(
        decrypt_original(&stolen, &c2, &ct2).expect("owner key recovered"),
        b"record 2 (never granted)"
    );
    // Fewer than t proxies are not enough.
    assert_ne!(collude(&bob, &kfrags[..2]), a);
}

#[test]
fn attack_is_confined_to_the_granted_label() {
    let mut rng = ChaCha20Rng::seed_from_u64(101);
    let msk = MasterSecret::random_with_rng(&mut rng);
    let l1 = msk.derive_label_key(b"record-1");
    let l2 = msk.derive_label_key(b"record-2");
    let bob = SecretKey::random_with_rng(&mut rng);
    let carol = SecretKey::random_with_rng(&mut rng);
    let (c1, ct1) = encrypt_with_rng(&mut rng, &l1.public_key(), b"record 1");
    let (c2, ct2) = encrypt_with_rng(&mut rng, &l2.public_key(), b"record 2");

    // Bob is granted record 1; Carol is granted record 2. All 5 proxies of both grants collude
    // with Bob.
    let bob_kfrags = generate_kfrags_with_rng(&mut rng, &l1, &bob.public_key(), 3, 5).expect("ok");
    let carol_kfrags =
        generate_kfrags_with_rng(&mut rng, &l2, &carol.public_key(), 3, 5).expect("ok");

    // The coalition learns the key of label 1: what Bob was granted anyway.
    let a1 = collude(&bob, &bob_kfrags);
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
    let garbage = collude(&bob, &carol_kfrags);
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
                .verify(&c2, &l2.public_key(), &bob.public_key())
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

//! Every decoder rejects malformed input with a typed error, and round-trips valid input
//! (property tests).

use ark_bn254::{Fq, Fr};
use ark_ff::{BigInteger, PrimeField};
use medshare_pre::{
    Capsule, CapsuleFrag, DecodeError, DemKey, KeyFrag, LabelSecretKey, MasterSecret, PublicKey,
    SecretKey, StreamHeader, encrypt_with_rng, generate_kfrags_with_rng, reencrypt_with_rng,
};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

fn valid_pk(seed: u64) -> [u8; 33] {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    SecretKey::random_with_rng(&mut rng).public_key().to_bytes()
}

/// Replaces the 32-byte compressed point at `pos` (x little-endian + 2 flag bits).
fn with_point(mut bytes: Vec<u8>, pos: usize, point: [u8; 32]) -> Vec<u8> {
    bytes[pos..pos + 32].copy_from_slice(&point);
    bytes
}

fn identity_point() -> [u8; 32] {
    let mut p = [0u8; 32];
    p[31] = 0x40;
    p
}

fn both_flags_point() -> [u8; 32] {
    let mut p = [0u8; 32];
    p[0] = 1;
    p[31] = 0xc0;
    p
}

/// x = q (the field prime): not canonical.
fn non_canonical_x_point() -> [u8; 32] {
    let mut p = [0u8; 32];
    p.copy_from_slice(&Fq::MODULUS.to_bytes_le());
    p
}

/// An x with no y on the curve (x = 0: 3 is not a square mod q? search).
fn off_curve_point() -> [u8; 32] {
    use ark_bn254::G1Affine;
    for x in 0u64.. {
        if G1Affine::get_point_from_x_unchecked(Fq::from(x), false).is_none() {
            let mut p = [0u8; 32];
            p.copy_from_slice(&Fq::from(x).into_bigint().to_bytes_le());
            return p;
        }
    }
    unreachable!()
}

fn r_be() -> [u8; 32] {
    let mut s = [0u8; 32];
    s.copy_from_slice(&Fr::MODULUS.to_bytes_be());
    s
}

fn bad_points() -> Vec<([u8; 32], DecodeError)> {
    vec![
        (identity_point(), DecodeError::IdentityPoint),
        (both_flags_point(), DecodeError::InvalidPointFlags),
        (
            non_canonical_x_point(),
            DecodeError::NonCanonicalFieldElement,
        ),
        (off_curve_point(), DecodeError::NotOnCurve),
    ]
}

struct Samples {
    pk: Vec<u8>,
    capsule: Vec<u8>,
    kfrag: Vec<u8>,
    cfrag: Vec<u8>,
    header: Vec<u8>,
}

fn samples() -> Samples {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let msk = MasterSecret::random_with_rng(&mut rng);
    let (sk, dsk) = (msk.derive_label_key(b"l"), msk.derive_delegation_key(b"l"));
    let bob = SecretKey::random_with_rng(&mut rng);
    let (capsule, _) = encrypt_with_rng(&mut rng, &sk.public_key(), b"x");
    let kfrags =
        generate_kfrags_with_rng(&mut rng, &sk, &dsk, &bob.public_key(), 1, 1).expect("ok");
    let cfrag = reencrypt_with_rng(&mut rng, &capsule, &kfrags[0]);
    Samples {
        pk: sk.public_key().to_bytes().to_vec(),
        capsule: capsule.to_bytes().to_vec(),
        kfrag: kfrags[0].to_bytes().to_vec(),
        cfrag: cfrag.to_bytes().to_vec(),
        header: StreamHeader::new_with_rng(&mut rng, 4096)
            .expect("ok")
            .to_bytes()
            .to_vec(),
    }
}

type Decoder = fn(&[u8]) -> Result<(), DecodeError>;
type SampleOf = fn(&Samples) -> &Vec<u8>;

fn decoders() -> Vec<(&'static str, Decoder, SampleOf)> {
    vec![
        (
            "PublicKey",
            |b| PublicKey::from_bytes(b).map(|_| ()),
            |s| &s.pk,
        ),
        (
            "Capsule",
            |b| Capsule::from_bytes(b).map(|_| ()),
            |s| &s.capsule,
        ),
        (
            "KeyFrag",
            |b| KeyFrag::from_bytes(b).map(|_| ()),
            |s| &s.kfrag,
        ),
        (
            "CapsuleFrag",
            |b| CapsuleFrag::from_bytes(b).map(|_| ()),
            |s| &s.cfrag,
        ),
        (
            "StreamHeader",
            |b| StreamHeader::from_bytes(b).map(|_| ()),
            |s| &s.header,
        ),
    ]
}

#[test]
fn wrong_length_version_and_type() {
    let s = samples();
    for (name, decode, sample) in decoders() {
        let good = sample(&s);
        assert_eq!(decode(good), Ok(()), "{name}");
        assert_eq!(
            decode(&good[..good.len() - 1]),
            Err(DecodeError::WrongLength {
                expected: good.len(),
                actual: good.len() - 1
            }),
            "{name}"
        );
        let mut longer = good.clone();
        longer.push(0);
        assert!(
            matches!(decode(&longer), Err(DecodeError::WrongLength { .. })),
            "{name}"
        );
        assert!(
            matches!(decode(&[]), Err(DecodeError::WrongLength { .. })),
            "{name}"
        );
        let mut v2 = good.clone();
        v2[0] = 0x20 | (good[0] & 0x0f);
        assert_eq!(
            decode(&v2),
            Err(DecodeError::UnsupportedVersion(2)),
            "{name}"
        );
        let mut v0 = good.clone();
        v0[0] &= 0x0f;
        assert_eq!(
            decode(&v0),
            Err(DecodeError::UnsupportedVersion(0)),
            "{name}"
        );
        let mut ty = good.clone();
        ty[0] = 0x1f;
        assert_eq!(
            decode(&ty),
            Err(DecodeError::WrongType {
                expected: good[0],
                actual: 0x1f
            }),
            "{name}"
        );
    }
}

#[test]
fn bad_points_in_every_position() {
    let s = samples();
    // (name, decoder, sample, offsets of points)
    let cases: Vec<(&str, Decoder, &Vec<u8>, Vec<usize>)> = vec![
        (
            "PublicKey",
            |b| PublicKey::from_bytes(b).map(|_| ()),
            &s.pk,
            vec![1],
        ),
        (
            "Capsule",
            |b| Capsule::from_bytes(b).map(|_| ()),
            &s.capsule,
            vec![1, 33],
        ),
        (
            "KeyFrag",
            |b| KeyFrag::from_bytes(b).map(|_| ()),
            &s.kfrag,
            vec![65, 97, 129],
        ),
        (
            "CapsuleFrag",
            |b| CapsuleFrag::from_bytes(b).map(|_| ()),
            &s.cfrag,
            vec![1, 65, 97, 129, 161, 225],
        ),
    ];
    for (name, decode, good, offsets) in cases {
        for &pos in &offsets {
            for (point, err) in bad_points() {
                assert_eq!(
                    decode(&with_point(good.clone(), pos, point)),
                    Err(err),
                    "{name} point at {pos}"
                );
            }
        }
    }
}

#[test]
fn non_canonical_scalars() {
    let s = samples();
    let cases: Vec<(&str, Decoder, &Vec<u8>, Vec<usize>)> = vec![
        (
            "Capsule",
            |b| Capsule::from_bytes(b).map(|_| ()),
            &s.capsule,
            vec![65],
        ),
        (
            "KeyFrag",
            |b| KeyFrag::from_bytes(b).map(|_| ()),
            &s.kfrag,
            vec![33, 161],
        ),
        (
            "CapsuleFrag",
            |b| CapsuleFrag::from_bytes(b).map(|_| ()),
            &s.cfrag,
            vec![193, 257],
        ),
    ];
    for (name, decode, good, offsets) in cases {
        for &pos in &offsets {
            let mut b = good.clone();
            b[pos..pos + 32].copy_from_slice(&r_be());
            assert_eq!(
                decode(&b),
                Err(DecodeError::NonCanonicalScalar),
                "{name} at {pos}"
            );
            b[pos..pos + 32].copy_from_slice(&[0xff; 32]);
            assert_eq!(
                decode(&b),
                Err(DecodeError::NonCanonicalScalar),
                "{name} at {pos}"
            );
        }
    }
    assert_eq!(
        LabelSecretKey::from_be_bytes(&r_be()).map(|_| ()),
        Err(DecodeError::NonCanonicalScalar)
    );
    assert_eq!(
        SecretKey::from_be_bytes(&[0; 32]).map(|_| ()),
        Err(DecodeError::ZeroScalar)
    );
    assert!(matches!(
        SecretKey::from_be_bytes(&[1; 31]),
        Err(DecodeError::WrongLength { .. })
    ));
}

#[test]
fn stream_header_chunk_size_bounds() {
    let s = samples();
    for bad in [0u32, medshare_pre::MAX_CHUNK_SIZE + 1, u32::MAX] {
        let mut b = s.header.clone();
        b[1..5].copy_from_slice(&bad.to_be_bytes());
        assert_eq!(
            StreamHeader::from_bytes(&b),
            Err(DecodeError::InvalidChunkSize)
        );
    }
}

#[test]
fn public_key_encodings_of_valid_points_only() {
    // The compressed form is canonical: flipping the sign bit gives the negated point, which
    // is a different valid key; decoding then re-encoding is the identity.
    let good = valid_pk(1);
    let mut neg = good;
    neg[32] ^= 0x80;
    let pk = PublicKey::from_bytes(&neg).expect("negated point is valid");
    assert_eq!(pk.to_bytes(), neg);
    assert_ne!(pk, PublicKey::from_bytes(&good).expect("valid"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), tag in 0x10u8..0x16) {
        let mut b = bytes;
        if !b.is_empty() { b[0] = tag; }
        for (_, decode, _) in decoders() {
            let _ = decode(&b);
        }
    }

    #[test]
    fn encodings_round_trip(seed in any::<u64>()) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let msk = MasterSecret::random_with_rng(&mut rng);
        let sk = msk.derive_label_key(&seed.to_be_bytes());
        let dsk = msk.derive_delegation_key(&seed.to_be_bytes());
        let bob = SecretKey::random_with_rng(&mut rng);
        let pk = sk.public_key();
        prop_assert_eq!(PublicKey::from_bytes(&pk.to_bytes()), Ok(pk));
        let (capsule, _) = encrypt_with_rng(&mut rng, &pk, b"");
        prop_assert_eq!(Capsule::from_bytes(&capsule.to_bytes()), Ok(capsule));
        let kfrags =
            generate_kfrags_with_rng(&mut rng, &sk, &dsk, &bob.public_key(), 1, 2).expect("ok");
        let k = KeyFrag::from_bytes(kfrags[1].to_bytes().as_slice()).expect("decodes");
        prop_assert_eq!(&k, &kfrags[1].clone().unverify());
        let c = reencrypt_with_rng(&mut rng, &capsule, &kfrags[0]);
        prop_assert_eq!(CapsuleFrag::from_bytes(&c.to_bytes()), Ok(c.unverify()));
        let sk2 = LabelSecretKey::from_be_bytes(sk.to_be_bytes().as_slice()).expect("ok");
        prop_assert_eq!(sk2.public_key(), pk);
    }

    #[test]
    fn dem_round_trip_across_chunk_boundaries(
        chunk in 1u32..64,
        blocks in 0usize..6,
        extra in 0usize..3,
        seed in any::<u64>(),
    ) {
        // sizes at, just below and just above multiples of the chunk size (incl. 0)
        let len = (blocks * chunk as usize + extra).saturating_sub(1);
        for len in [len, blocks * chunk as usize] {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let sk = MasterSecret::random_with_rng(&mut rng).derive_label_key(b"dem");
            let (capsule, key): (Capsule, DemKey) = Capsule::new_with_rng(&mut rng, &sk.public_key());
            let pt: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31)).collect();
            let header = StreamHeader::new_with_rng(&mut rng, chunk).expect("valid");
            let ct = key.encrypt_with_header(header, &pt);
            prop_assert_eq!(capsule.open_original(&sk).decrypt(&ct).expect("ok"), pt.clone());

            // streaming writer produces the same bytes; reader recovers the plaintext
            use std::io::{Read, Write};
            let mut w = medshare_pre::EncryptWriter::with_header(&key, header, Vec::new()).expect("w");
            for part in pt.chunks(7) { w.write_all(part).expect("write"); }
            let streamed = w.finish().expect("finish");
            prop_assert_eq!(&streamed, &ct);
            let mut r = medshare_pre::DecryptReader::new(&key, &ct[..]).expect("r");
            let mut out = Vec::new();
            r.read_to_end(&mut out).expect("read");
            prop_assert_eq!(out, pt);
            // any truncation fails
            if ct.len() > StreamHeader::ENCODED_LEN {
                let cut = StreamHeader::ENCODED_LEN + (seed as usize % (ct.len() - StreamHeader::ENCODED_LEN));
                prop_assert!(key.decrypt(&ct[..cut]).is_err());
            }
        }
    }
}

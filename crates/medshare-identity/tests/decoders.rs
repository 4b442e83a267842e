//! Every decoder rejects malformed input with a typed error and round-trips valid input
//! (property tests).

mod common;

use ark_bn254::{Fq, Fq2, Fr, G2Affine};
use ark_ff::{BigInteger, PrimeField};
use common::*;
use medshare_identity::{
    BlindSignature, Dealing, DecodeError, DkgShare, GroupPublicKey, IdentityPoint, IssuanceRequest,
    Registration, Token, TraceShare, UserSecret,
};
use proptest::prelude::*;

fn decode(name: &str, b: &[u8]) -> Result<Vec<u8>, DecodeError> {
    match name {
        "identity_point" => IdentityPoint::from_bytes(b).map(|v| v.to_bytes().to_vec()),
        "registration" => Registration::from_bytes(b).map(|v| v.to_bytes().to_vec()),
        "issuance_request" => IssuanceRequest::from_bytes(b).map(|v| v.to_bytes().to_vec()),
        "blind_signature" => BlindSignature::from_bytes(b).map(|v| v.to_bytes().to_vec()),
        "token" => Token::from_bytes(b).map(|v| v.to_bytes().to_vec()),
        "trace_share" => TraceShare::from_bytes(b).map(|v| v.to_bytes().to_vec()),
        "group_public_key" => GroupPublicKey::from_bytes(b).map(|v| v.to_bytes()),
        "dkg_dealing" => Dealing::from_bytes(b).map(|v| v.to_bytes()),
        "dkg_share" => DkgShare::from_secret_bytes(b).map(|v| v.to_secret_bytes().to_vec()),
        "user_secret" => UserSecret::from_secret_bytes(b).map(|v| v.to_secret_bytes().to_vec()),
        other => panic!("unknown decoder {other}"),
    }
}

/// Valid encodings of every wire type under a 2-of-3 key set.
fn samples() -> Vec<Sample> {
    wire_samples(&mut rng(5), 2, 3, &[0, 1])
}

fn g1_bad() -> Vec<([u8; 32], DecodeError)> {
    let mut identity = [0u8; 32];
    identity[31] = 0x40;
    let mut both = [0u8; 32];
    both[0] = 1;
    both[31] = 0xc0;
    let mut noncanon = [0u8; 32];
    noncanon.copy_from_slice(&Fq::MODULUS.to_bytes_le());
    let off = (0u64..)
        .find(|x| ark_bn254::G1Affine::get_point_from_x_unchecked(Fq::from(*x), false).is_none())
        .expect("exists");
    let mut off_curve = [0u8; 32];
    off_curve.copy_from_slice(&Fq::from(off).into_bigint().to_bytes_le());
    vec![
        (identity, DecodeError::IdentityPoint),
        (both, DecodeError::InvalidPointFlags),
        (noncanon, DecodeError::NonCanonicalFieldElement),
        (off_curve, DecodeError::NotOnCurve),
    ]
}

fn g2_bad() -> Vec<([u8; 64], DecodeError)> {
    let mut identity = [0u8; 64];
    identity[63] = 0x40;
    let mut noncanon = [0u8; 64];
    noncanon[32..].copy_from_slice(&Fq::MODULUS.to_bytes_le());
    // A twist point outside the order-r subgroup, and an x with no point.
    let mut wrong_sub = None;
    let mut off_curve = None;
    for i in 1u64..1000 {
        let x = Fq2::new(Fq::from(i), Fq::from(1u64));
        let mut enc = [0u8; 64];
        enc[..32].copy_from_slice(&x.c0.into_bigint().to_bytes_le());
        enc[32..].copy_from_slice(&x.c1.into_bigint().to_bytes_le());
        match G2Affine::get_point_from_x_unchecked(x, false) {
            Some(_) if wrong_sub.is_none() => wrong_sub = Some(enc),
            None if off_curve.is_none() => off_curve = Some(enc),
            _ => {}
        }
    }
    vec![
        (identity, DecodeError::IdentityPoint),
        (noncanon, DecodeError::NonCanonicalFieldElement),
        (wrong_sub.expect("found"), DecodeError::WrongSubgroup),
        (off_curve.expect("found"), DecodeError::NotOnCurve),
    ]
}

#[test]
fn every_decoder_rejects_malformed_input() {
    for s in samples() {
        let name = s.name;
        assert_eq!(
            decode(name, &s.bytes).expect("valid"),
            s.bytes,
            "{name} round trip"
        );
        // length
        assert!(
            matches!(
                decode(name, &s.bytes[..s.bytes.len() - 1]),
                Err(DecodeError::WrongLength { .. })
            ),
            "{name}"
        );
        assert!(
            matches!(
                decode(name, &[&s.bytes[..], &[0]].concat()),
                Err(DecodeError::WrongLength { .. })
            ),
            "{name}"
        );
        assert!(
            matches!(decode(name, &[]), Err(DecodeError::WrongLength { .. })),
            "{name}"
        );
        // version / type
        let mut v = s.bytes.clone();
        v[0] = 0x30 | (v[0] & 0x0f);
        assert_eq!(
            decode(name, &v),
            Err(DecodeError::UnsupportedVersion(3)),
            "{name}"
        );
        // The types changed in format 2 refuse their version-1 tag; the others are still v1.
        let mut v = s.bytes.clone();
        let other = if v[0] >> 4 == 1 { 2 } else { 1 };
        v[0] = (other << 4) | (v[0] & 0x0f);
        assert_eq!(
            decode(name, &v),
            Err(DecodeError::UnsupportedVersion(other)),
            "{name}"
        );
        let v2 = matches!(name, "token" | "issuance_request");
        assert_eq!(s.bytes[0] >> 4, if v2 { 2 } else { 1 }, "{name} version");
        let mut v = s.bytes.clone();
        v[0] = (v[0] & 0xf0) | 0x1; // a medshare-pre type code, same version
        assert!(
            matches!(decode(name, &v), Err(DecodeError::WrongType { .. })),
            "{name}"
        );
        if let Some(p) = s.g1_at {
            for (bad, err) in g1_bad() {
                let mut v = s.bytes.clone();
                v[p..p + 32].copy_from_slice(&bad);
                assert_eq!(decode(name, &v), Err(err), "{name} G1 {err:?}");
            }
        }
        if let Some(p) = s.g2_at {
            for (bad, err) in g2_bad() {
                let mut v = s.bytes.clone();
                v[p..p + 64].copy_from_slice(&bad);
                assert_eq!(decode(name, &v), Err(err), "{name} G2 {err:?}");
            }
        }
        if let Some(p) = s.scalar_at {
            let mut v = s.bytes.clone();
            v[p..p + 32].copy_from_slice(&Fr::MODULUS.to_bytes_be());
            assert_eq!(
                decode(name, &v),
                Err(DecodeError::NonCanonicalScalar),
                "{name} scalar = r"
            );
        }
    }
}

#[test]
fn index_zero_and_bad_thresholds_are_rejected() {
    for s in samples() {
        let at = match s.name {
            "blind_signature" | "trace_share" => 1,
            "dkg_share" => 2,
            _ => continue,
        };
        let mut v = s.bytes.clone();
        v[at] = 0;
        assert_eq!(
            decode(s.name, &v),
            Err(DecodeError::InvalidThreshold),
            "{}",
            s.name
        );
    }
    let gpk = samples()
        .into_iter()
        .find(|s| s.name == "group_public_key")
        .expect("gpk")
        .bytes;
    let mut v = gpk.clone();
    v[1] = 4; // t > n
    assert_eq!(
        decode("group_public_key", &v),
        Err(DecodeError::InvalidThreshold)
    );
    let mut v = gpk;
    v[2] = 4; // n = 4 but 3 authority keys
    assert!(matches!(
        decode("group_public_key", &v),
        Err(DecodeError::WrongLength { .. })
    ));
    assert_eq!(
        decode(
            "user_secret",
            &[0x1f, 0x01]
                .iter()
                .copied()
                .chain([0u8; 32])
                .collect::<Vec<_>>()
        ),
        Err(DecodeError::ZeroScalar)
    );
    assert!(matches!(
        decode(
            "user_secret",
            &[0x1f, 0x02]
                .iter()
                .copied()
                .chain([1u8; 32])
                .collect::<Vec<_>>()
        ),
        Err(DecodeError::WrongType { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn decoders_never_panic_and_are_canonical(data in proptest::collection::vec(any::<u8>(), 0..700), pick in 0usize..10) {
        let names = ["identity_point", "registration", "issuance_request", "blind_signature", "token", "trace_share", "group_public_key", "dkg_dealing", "dkg_share", "user_secret"];
        if let Ok(re) = decode(names[pick], &data) {
            prop_assert_eq!(re, data);
        }
    }

    #[test]
    fn mutated_valid_encodings_decode_canonically(pos in any::<prop::sample::Index>(), bit in 0u8..8, pick in 0usize..10) {
        let samples = samples();
        let s = &samples[pick];
        let mut v = s.bytes.clone();
        let i = pos.index(v.len());
        v[i] ^= 1 << bit;
        if let Ok(re) = decode(s.name, &v) {
            prop_assert_eq!(re, v);
        }
    }

    #[test]
    fn tokens_round_trip(seed in any::<u64>(), nonce in any::<u8>()) {
        let mut rng = rng(seed);
        let (gpk, auths) = setup(&mut rng, 1, 1);
        let user = UserSecret::random_with_rng(&mut rng);
        let m = register(&mut rng, &user, 1);
        let cred = issue(&mut rng, &gpk, &auths, &user, &m, seed % 1000, &[0]);
        let c = if nonce % 2 == 0 { ctx(nonce) } else { scoped_ctx(nonce, nonce) };
        // 1 scope in 32 is refused (hashes to no point within 5 candidates), never an unscoped context.
        let Ok(tok) = cred.show_with_rng(&mut rng, &gpk, &c) else {
            prop_assert!(c.scope.is_some());
            return Ok(());
        };
        let back = Token::from_bytes(&tok.to_bytes()).expect("decodes");
        prop_assert_eq!(back, tok);
        prop_assert!(back.verify(&gpk, &c, seed % 1000).is_ok());
    }
}

#[test]
fn tracing_tag_from_evm_points_round_trips_and_rejects_bad_points() {
    use medshare_identity::TracingTag;
    let mut rng = rng(9);
    let (gpk, auths) = setup(&mut rng, 2, 3);
    let user = UserSecret::random_with_rng(&mut rng);
    let m = register(&mut rng, &user, 1);
    let cred = issue(&mut rng, &gpk, &auths, &user, &m, 1, &[0, 1]);
    let token = cred
        .show_with_rng(&mut rng, &gpk, &ctx(1))
        .expect("an accepted scope");
    let tag = token.verify(&gpk, &ctx(1), 1).expect("ok").tracing_tag();
    let points = tag.to_evm_points();
    assert_eq!(TracingTag::from_evm_points(&points), Ok(tag));

    assert_eq!(
        TracingTag::from_evm_points(&[[0; 64], points[1]]),
        Err(DecodeError::IdentityPoint)
    );
    let mut off_curve = points;
    off_curve[1][63] ^= 1;
    assert_eq!(
        TracingTag::from_evm_points(&off_curve),
        Err(DecodeError::NotOnCurve)
    );
    let mut non_canonical = points;
    non_canonical[0][..32].copy_from_slice(&[0xff; 32]);
    assert_eq!(
        TracingTag::from_evm_points(&non_canonical),
        Err(DecodeError::NonCanonicalFieldElement)
    );
}

#[test]
fn threshold_parameters_are_bounded_like_the_contract() {
    use medshare_identity::{MAX_AUTHORITIES, ThresholdParams};
    assert!(ThresholdParams::new(1, MAX_AUTHORITIES).is_ok());
    assert!(ThresholdParams::new(1, MAX_AUTHORITIES + 1).is_err());
    assert!(ThresholdParams::new(0, 3).is_err());
    assert!(ThresholdParams::new(4, 3).is_err());

    // A dealing that claims a degree above the bound is refused before anything is parsed.
    let mut rng = rng(11);
    let (gpk, _) = setup(&mut rng, 2, 3);
    let session = medshare_identity::DkgSession {
        params: gpk.params(),
        id: [3; 32],
    };
    let dealing = medshare_identity::Dealer::new_with_rng(&mut rng, &session, 1)
        .expect("dealer")
        .dealing()
        .to_bytes();
    let mut oversized = dealing.clone();
    oversized[2] = (MAX_AUTHORITIES + 1) as u8;
    assert_eq!(
        medshare_identity::Dealing::from_bytes(&oversized).map(|_| ()),
        Err(DecodeError::InvalidThreshold)
    );
    assert!(medshare_identity::Dealing::from_bytes(&dealing).is_ok());
}

//! Unit tests with access to internals: forgeries the public API cannot build.

use ark_bn254::{Fr, G1Projective, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::UniformRand;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use crate::curve::{self, lagrange_at_zero};
use crate::issuance::Credential;
use crate::{
    AuthoritySecretKey, GroupPublicKey, IdentityPoint, RegistrationContext, ThresholdParams,
    TokenContext, TokenVerificationError, UserSecret, run_dkg_with_rng, trace,
};

fn ctx() -> TokenContext {
    TokenContext {
        chain_id: 1,
        verifying_contract: [1; 20],
        action: [2; 32],
        sender: [3; 20],
        nonce: [4; 32],
    }
}

fn setup(seed: u64, t: usize, n: usize) -> (ChaCha20Rng, GroupPublicKey, Vec<AuthoritySecretKey>) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let (gpk, keys) =
        run_dkg_with_rng(&mut rng, ThresholdParams::new(t, n).expect("p")).expect("dkg");
    (rng, gpk, keys)
}

fn registered(rng: &mut ChaCha20Rng, user: &UserSecret) -> IdentityPoint {
    let c = RegistrationContext {
        chain_id: 1,
        registry: [0; 20],
        rid_digest: [9; 32],
    };
    user.register_with_rng(rng, &c)
        .verify(&c)
        .expect("reg")
        .identity()
}

#[test]
fn interpolating_t_minus_one_partials_gives_no_credential() {
    let (mut rng, gpk, keys) = setup(100, 3, 5);
    let user = UserSecret::random_with_rng(&mut rng);
    let m = registered(&mut rng, &user);
    let (req, pending) = user.request_credential_with_rng(&mut rng, 1);
    let partials: Vec<_> = keys[..2]
        .iter()
        .map(|k| {
            let b = k.blind_sign(&req.verify(1, &m).expect("ok"));
            pending
                .unblind(&gpk.authority(k.index()).expect("vk"), &b)
                .expect("ok")
        })
        .collect();
    let xs: Vec<Fr> = partials
        .iter()
        .map(|p| Fr::from(u64::from(p.index)))
        .collect();
    let mut s = G2Projective::default();
    for (i, p) in partials.iter().enumerate() {
        s += p.s * lagrange_at_zero(&xs, i).expect("distinct");
    }
    let cred = Credential {
        m: user.0,
        epoch: 1,
        h: req_h(&req),
        s: s.into_affine(),
    };
    assert!(!cred.is_valid(&gpk));
    let tok = cred.show_with_rng(&mut rng, &gpk, &ctx());
    assert_eq!(
        tok.verify(&gpk, &ctx(), 1).map_err(|e| e.0).err(),
        Some(TokenVerificationError::InvalidSignature)
    );
}

fn req_h(req: &crate::IssuanceRequest) -> ark_bn254::G2Affine {
    crate::hashing_ds::hash_to_g2(&req.cm, req.epoch)
}

#[test]
fn random_and_shifted_credentials_are_rejected() {
    let (mut rng, gpk, _) = setup(101, 2, 3);
    let user = UserSecret::random_with_rng(&mut rng);
    let h = (G2Projective::generator() * Fr::rand(&mut rng)).into_affine();
    let s = (G2Projective::generator() * Fr::rand(&mut rng)).into_affine();
    let cred = Credential {
        m: user.0,
        epoch: 1,
        h,
        s,
    };
    assert!(!cred.is_valid(&gpk));
    let tok = cred.show_with_rng(&mut rng, &gpk, &ctx());
    assert!(tok.verify(&gpk, &ctx(), 1).is_err());
}

#[test]
fn identity_elements_are_refused() {
    let (mut rng, gpk, keys) = setup(102, 2, 2);
    let user = UserSecret::random_with_rng(&mut rng);
    let m = registered(&mut rng, &user);
    let (req, pending) = user.request_credential_with_rng(&mut rng, 1);
    let ps: Vec<_> = keys
        .iter()
        .map(|k| {
            pending
                .unblind(
                    &gpk.authority(k.index()).expect("vk"),
                    &k.blind_sign(&req.verify(1, &m).expect("ok")),
                )
                .expect("ok")
        })
        .collect();
    let cred = pending.finish(&gpk, &ps).expect("cred");
    let mut tok = cred.show_with_rng(&mut rng, &gpk, &ctx());
    tok.h = ark_bn254::G2Affine::zero();
    tok.nu = ark_bn254::G2Affine::zero();
    assert_eq!(
        tok.verify(&gpk, &ctx(), 1).map_err(|e| e.0).err(),
        Some(TokenVerificationError::IdentityElement)
    );
}

#[test]
fn interpolating_t_minus_one_trace_shares_gives_the_wrong_identity() {
    let (mut rng, gpk, keys) = setup(103, 3, 4);
    let user = UserSecret::random_with_rng(&mut rng);
    let m = registered(&mut rng, &user);
    let (req, pending) = user.request_credential_with_rng(&mut rng, 1);
    let ps: Vec<_> = keys[..3]
        .iter()
        .map(|k| {
            pending
                .unblind(
                    &gpk.authority(k.index()).expect("vk"),
                    &k.blind_sign(&req.verify(1, &m).expect("ok")),
                )
                .expect("ok")
        })
        .collect();
    let cred = pending.finish(&gpk, &ps).expect("cred");
    let v = cred
        .show_with_rng(&mut rng, &gpk, &ctx())
        .verify(&gpk, &ctx(), 1)
        .expect("ok");
    let tag = v.tracing_tag();
    let shares: Vec<_> = keys[..2]
        .iter()
        .map(|k| k.trace_share_with_rng(&mut rng, &tag))
        .collect();
    let xs: Vec<Fr> = shares
        .iter()
        .map(|s| Fr::from(u64::from(s.index())))
        .collect();
    let mut d = G1Projective::default();
    for (i, s) in shares.iter().enumerate() {
        d += curve::mul1(&s.share.d, &lagrange_at_zero(&xs, i).expect("distinct"));
    }
    assert_ne!(IdentityPoint((tag.c2.into_group() - d).into_affine()), m);
    assert!(trace(&gpk, &tag, &shares).is_err());
}

#[test]
fn group_key_decoder_rejects_inconsistent_shares() {
    let (_, gpk, _) = setup(104, 2, 3);
    let mut bad = gpk.clone();
    bad.authorities[2] = bad.authorities[1];
    assert_eq!(
        GroupPublicKey::from_bytes(&bad.to_bytes()),
        Err(crate::DecodeError::InconsistentKeyShares)
    );
    let mut bad = gpk.clone();
    bad.group[3] = bad.group[2];
    assert_eq!(
        GroupPublicKey::from_bytes(&bad.to_bytes()),
        Err(crate::DecodeError::InconsistentKeyShares)
    );
    assert_eq!(GroupPublicKey::from_bytes(&gpk.to_bytes()), Ok(gpk));
}

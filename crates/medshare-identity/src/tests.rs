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
        registry: [5; 20],
        verifying_contract: [1; 20],
        action: [2; 32],
        sender: [3; 20],
        nonce: [4; 32],
        scope: None,
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
    let tok = cred
        .show_with_rng(&mut rng, &gpk, &ctx())
        .expect("an accepted scope");
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
    let tok = cred
        .show_with_rng(&mut rng, &gpk, &ctx())
        .expect("an accepted scope");
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
    let mut tok = cred
        .show_with_rng(&mut rng, &gpk, &ctx())
        .expect("an accepted scope");
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
        .expect("an accepted scope")
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

/// Issue #7, item 1: `Γ = δ·h` turns `b` into `(m + k·δ)·h`, so the authorities' `ŝ_b` would be
/// a partial signature on `m* = m + k·δ`, chosen by the user (here another user's secret, so
/// that its tokens would trace to that victim; `m* = 0` would trace to nobody). The request must prove knowledge of `d` with `Γ = d·G2`, which the user does not
/// have for `Γ = δ·h`.
#[test]
fn issuance_rejects_gamma_from_h() {
    use crate::hashing_ds::TranscriptG2;
    use crate::issuance::{IssuanceRequest, VerifiedIssuanceRequest, ps_check, request_transcript};
    use crate::keys::{X, YE, YM};
    use crate::{IssuanceRequestError, hashing_ds};
    use ark_ff::Field;

    let (mut rng, gpk, keys) = setup(105, 3, 5);
    let user = UserSecret::random_with_rng(&mut rng);
    let registered = registered(&mut rng, &user);
    let victim = UserSecret::random_with_rng(&mut rng);
    let epoch = 4;
    let m = user.0;
    let [o, k, w_m, w_o, w_k, w_d] = core::array::from_fn(|_| Fr::rand(&mut rng));
    let cm = (curve::mul_g1(&o) + curve::mul_h1(&m)).into_affine();
    let h = hashing_ds::hash_to_g2(&cm, epoch);
    // m* = m + k·δ = the victim's secret.
    let m_star = victim.0;
    let delta = (m_star - m) * k.inverse().expect("k != 0");
    let gamma = (h * delta).into_affine();
    let a = curve::mul_g2(&k).into_affine();
    let b = (curve::mul2(&gamma, &k) + curve::mul2(&h, &m)).into_affine();
    let mut req = IssuanceRequest {
        epoch,
        identity: registered,
        cm,
        gamma,
        a,
        b,
        c: Fr::from(0u64),
        z_m: Fr::from(0u64),
        z_o: Fr::from(0u64),
        z_k: Fr::from(0u64),
        z_d: Fr::from(0u64),
    };
    // The honest proof for (m, o, k), and the best the user can do for d: use δ.
    let mut t = request_transcript(&req, &h);
    t.g1(&(curve::mul_g1(&w_o) + curve::mul_h1(&w_m)).into_affine())
        .g1(&curve::mul_h1(&w_m).into_affine())
        .g2(&curve::mul_g2(&w_d).into_affine())
        .g2(&curve::mul_g2(&w_k).into_affine())
        .g2(&(curve::mul2(&gamma, &w_k) + curve::mul2(&h, &w_m)).into_affine());
    let c = t.challenge();
    (req.c, req.z_m, req.z_o, req.z_k, req.z_d) =
        (c, w_m + c * m, w_o + c * o, w_k + c * k, w_d + c * delta);

    // Why it matters: signed without the check, authority i's ŝ_b is already a valid partial
    // signature on m* for the public h, with no unblinding at all.
    let unchecked = VerifiedIssuanceRequest { req, h };
    let e = Fr::from(epoch);
    for key in &keys {
        let blind = key.blind_sign(&unchecked);
        let vk = gpk.authority(key.index()).expect("vk");
        let k_star =
            (vk.points[X].into_group() + vk.points[YM] * m_star + vk.points[YE] * e).into_affine();
        assert!(ps_check(&k_star, &h, &blind.s_b), "ŝ_b signs m*");
    }

    // Every authority refuses the request (nothing gets signed), also after a round trip
    // through the wire format.
    let decoded = IssuanceRequest::from_bytes(&req.to_bytes()).expect("well-formed");
    assert_eq!(decoded, req);
    for key in &keys {
        for r in [req, decoded] {
            let signed = r.verify(epoch, &registered).map(|v| key.blind_sign(&v));
            assert_eq!(
                signed.map_err(|e| e.0).err(),
                Some(IssuanceRequestError::InvalidProof)
            );
        }
    }
    // The honest request of the same user still verifies.
    let (honest, _) = user.request_credential_with_rng(&mut rng, epoch);
    let honest = IssuanceRequest::from_bytes(&honest.to_bytes()).expect("decodes");
    assert!(honest.verify(epoch, &registered).is_ok());
}

/// Issue #7, item 5: what registration showed an authority (`M = m·H1`) does not link a
/// user's scoped nullifiers. Its best move against a scope point `P` whose discrete log `α`
/// to `H1` it knows is the test `N == α·M`; a hash-to-scalar shortcut such as
/// `P = keccak256(scope)·H1` gives it that `α`. The real `P_scope` is a hash to the curve
/// (random oracle, unknown logs), where linking is DDH in G1.
#[test]
fn authorities_cannot_link_scoped_nullifiers_from_registration() {
    use crate::Scope;
    use ark_ff::PrimeField;

    let (mut rng, gpk, keys) = setup(106, 2, 3);
    let users: Vec<_> = (0..3)
        .map(|_| UserSecret::random_with_rng(&mut rng))
        .collect();
    let table: Vec<IdentityPoint> = users.iter().map(|u| registered(&mut rng, u)).collect();
    let scope = [0x5c; 32];
    let ctx = TokenContext {
        scope: Scope::new(scope),
        ..ctx()
    };
    // The shortcut: a scope point with a known log relative to H1.
    let alpha = Fr::from_be_bytes_mod_order(&crate::hashing_ds::keccak256(&scope));
    let weak = curve::mul_h1(&alpha).into_affine();
    let real = ctx
        .scope_point()
        .expect("an accepted scope")
        .expect("scoped");
    assert_ne!(real, weak);

    for (user, m) in users.iter().zip(&table) {
        // Against the weak point every nullifier points at its registration entry.
        let n_weak = curve::mul1(&weak, &user.0).into_affine();
        let linked: Vec<_> = table
            .iter()
            .filter(|cand| curve::mul1(&cand.0, &alpha).into_affine() == n_weak)
            .collect();
        assert_eq!(linked, vec![m]);

        // Against the real point the same test matches nobody, nor does it for the small
        // multiples of H1 and G1 an authority could try.
        let (req, pending) = user.request_credential_with_rng(&mut rng, 1);
        let partials: Vec<_> = keys
            .iter()
            .map(|k| {
                let b = k.blind_sign(&req.verify(1, m).expect("ok"));
                pending
                    .unblind(&gpk.authority(k.index()).expect("vk"), &b)
                    .expect("ok")
            })
            .collect();
        let cred = pending.finish(&gpk, &partials).expect("credential");
        let tok = cred
            .show_with_rng(&mut rng, &gpk, &ctx)
            .expect("an accepted scope");
        let n = tok.scoped.expect("scoped token");
        assert!(tok.verify(&gpk, &ctx, 1).is_ok());
        for cand in &table {
            assert_ne!(curve::mul1(&cand.0, &alpha).into_affine(), n);
        }
        for j in 1u64..=256 {
            let j = Fr::from(j);
            assert_ne!(curve::mul_h1(&j).into_affine(), real);
            assert_ne!(curve::mul_g1(&j).into_affine(), real);
            for cand in &table {
                assert_ne!(curve::mul1(&cand.0, &j).into_affine(), n);
            }
        }
    }
}

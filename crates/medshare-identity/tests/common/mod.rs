//! Shared helpers of the integration tests.
#![allow(dead_code, unreachable_pub)]

use medshare_identity::{
    AuthoritySecretKey, Credential, GroupPublicKey, IdentityPoint, RegistrationContext,
    ThresholdParams, TokenContext, UserSecret, run_dkg_with_rng,
};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub fn setup(
    rng: &mut ChaCha20Rng,
    t: usize,
    n: usize,
) -> (GroupPublicKey, Vec<AuthoritySecretKey>) {
    run_dkg_with_rng(rng, ThresholdParams::new(t, n).expect("params")).expect("dkg")
}

pub fn reg_ctx(rid: u8) -> RegistrationContext {
    RegistrationContext {
        chain_id: 1337,
        registry: [0x11; 20],
        rid_digest: [rid; 32],
    }
}

pub fn ctx(nonce: u8) -> TokenContext {
    TokenContext {
        chain_id: 1337,
        registry: [0x11; 20],
        verifying_contract: [0x33; 20],
        action: TokenContext::action_id("medshare.access.request"),
        sender: [0x44; 20],
        nonce: [nonce; 32],
        scope: None,
    }
}

/// [`ctx`] in scope `[scope; 32]` (non-zero).
pub fn scoped_ctx(nonce: u8, scope: u8) -> TokenContext {
    TokenContext {
        scope: medshare_identity::Scope::new([scope; 32]),
        ..ctx(nonce)
    }
}

/// Registers `user` and returns its verified identity point.
pub fn register(rng: &mut ChaCha20Rng, user: &UserSecret, rid: u8) -> IdentityPoint {
    let c = reg_ctx(rid);
    user.register_with_rng(rng, &c)
        .verify(&c)
        .expect("registration")
        .identity()
}

/// Issues a credential for `epoch` from the authorities at positions `signers` (0-based).
pub fn issue(
    rng: &mut ChaCha20Rng,
    gpk: &GroupPublicKey,
    auths: &[AuthoritySecretKey],
    user: &UserSecret,
    registered: &IdentityPoint,
    epoch: u64,
    signers: &[usize],
) -> Credential {
    let (req, pending) = user.request_credential_with_rng(rng, epoch);
    let partials: Vec<_> = signers
        .iter()
        .map(|&i| {
            let v = req.verify(epoch, registered).expect("request");
            let b = auths[i].blind_sign(&v);
            pending
                .unblind(&gpk.authority(auths[i].index()).expect("vk"), &b)
                .expect("partial")
        })
        .collect();
    pending.finish(gpk, &partials).expect("credential")
}

/// A valid encoding of one wire type, with the offsets of one G1 point, one G2 point and one
/// scalar in it (where present), for the decoder tests and the fuzz seed corpus.
pub struct Sample {
    /// The decoder (fuzz target) name.
    pub name: &'static str,
    /// Tells two samples of one decoder apart ("" or e.g. "scoped-").
    pub variant: &'static str,
    pub bytes: Vec<u8>,
    pub g1_at: Option<usize>,
    pub g2_at: Option<usize>,
    pub scalar_at: Option<usize>,
}

/// One valid encoding of every wire type (two tokens: unscoped and scoped) under a `t`-of-`n`
/// DKG, the credential issued by authorities `signers`.
pub fn wire_samples(rng: &mut ChaCha20Rng, t: usize, n: usize, signers: &[usize]) -> Vec<Sample> {
    let (gpk, auths) = setup(rng, t, n);
    let user = UserSecret::random_with_rng(rng);
    let c = reg_ctx(1);
    let reg = user.register_with_rng(rng, &c);
    let m = reg.verify(&c).expect("ok").identity();
    let (req, _) = user.request_credential_with_rng(rng, 1);
    let blind = auths[0].blind_sign(&req.verify(1, &m).expect("ok"));
    let cred = issue(rng, &gpk, &auths, &user, &m, 1, signers);
    let tok = cred
        .show_with_rng(rng, &gpk, &ctx(1))
        .expect("an accepted scope");
    let scoped = cred
        .show_with_rng(rng, &gpk, &scoped_ctx(1, 9))
        .expect("an accepted scope");
    let tag = tok.verify(&gpk, &ctx(1), 1).expect("ok").tracing_tag();
    let share = auths[0].trace_share_with_rng(rng, &tag);
    let session = medshare_identity::DkgSession {
        params: gpk.params(),
        id: [1; 32],
    };
    let dealer = medshare_identity::Dealer::new_with_rng(rng, &session, 1).expect("dealer");
    let sample = |name, variant, bytes: Vec<u8>, g1_at, g2_at, scalar_at| Sample {
        name,
        variant,
        bytes,
        g1_at,
        g2_at,
        scalar_at,
    };
    vec![
        sample(
            "identity_point",
            "",
            m.to_bytes().to_vec(),
            Some(1),
            None,
            None,
        ),
        sample(
            "registration",
            "",
            reg.to_bytes().to_vec(),
            Some(1),
            None,
            Some(33),
        ),
        sample(
            "issuance_request",
            "",
            req.to_bytes().to_vec(),
            Some(9),
            Some(73),
            Some(265),
        ),
        sample(
            "blind_signature",
            "",
            blind.to_bytes().to_vec(),
            None,
            Some(2),
            None,
        ),
        sample("token", "", tok.to_bytes(), Some(9), Some(41), Some(233)),
        // Scoped: N at 233, the scalars after it.
        sample(
            "token",
            "scoped-",
            scoped.to_bytes(),
            Some(233),
            Some(105),
            Some(297),
        ),
        sample(
            "trace_share",
            "",
            share.to_bytes().to_vec(),
            Some(2),
            None,
            Some(34),
        ),
        sample("group_public_key", "", gpk.to_bytes(), Some(3), None, None),
        // The scalars follow the t commitment rows of four points each.
        sample(
            "dkg_dealing",
            "",
            dealer.dealing().to_bytes(),
            Some(3),
            None,
            Some(3 + t * 4 * 32),
        ),
        sample(
            "dkg_share",
            "",
            dealer
                .share_for(2.min(n as u8))
                .expect("share")
                .to_secret_bytes()
                .to_vec(),
            None,
            None,
            Some(3),
        ),
        sample(
            "user_secret",
            "",
            user.to_secret_bytes().to_vec(),
            None,
            None,
            Some(2),
        ),
    ]
}

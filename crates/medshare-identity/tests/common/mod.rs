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

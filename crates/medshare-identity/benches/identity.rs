//! Criterion benchmarks of medshare-identity. Ids name the operation as `Type::method`.
//! Run: `cargo bench -p medshare-identity --bench identity`.

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use medshare_identity::{
    IssuanceRequest, RegistrationContext, Scope, ThresholdParams, Token, TokenContext, TraceShare,
    UserSecret, run_dkg_with_rng, trace,
};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

fn identity(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let (gpk, auths) =
        run_dkg_with_rng(&mut rng, ThresholdParams::new(3, 5).expect("p")).expect("dkg");
    let mut g = c.benchmark_group("medshare-identity");
    g.sample_size(20);

    g.bench_function("run_dkg(3-of-5)", |b| {
        b.iter(|| run_dkg_with_rng(&mut rng, ThresholdParams::new(3, 5).expect("p")))
    });
    let user = UserSecret::random_with_rng(&mut rng);
    let rc = RegistrationContext {
        chain_id: 1,
        registry: [1; 20],
        rid_digest: [2; 32],
    };
    g.bench_function("UserSecret::register", |b| {
        b.iter(|| user.register_with_rng(&mut rng, &rc))
    });
    let m = user
        .register_with_rng(&mut rng, &rc)
        .verify(&rc)
        .expect("ok")
        .identity();

    g.bench_function("UserSecret::request_credential", |b| {
        b.iter(|| user.request_credential_with_rng(&mut rng, black_box(1)))
    });
    let (req, pending) = user.request_credential_with_rng(&mut rng, 1);
    let req_bytes = req.to_bytes();
    g.bench_function("IssuanceRequest::from_bytes+verify", |b| {
        b.iter(|| {
            IssuanceRequest::from_bytes(black_box(&req_bytes))
                .expect("ok")
                .verify(1, &m)
                .is_ok()
        })
    });
    let vreq = req.verify(1, &m).expect("ok");
    g.bench_function("AuthoritySecretKey::blind_sign", |b| {
        b.iter(|| auths[0].blind_sign(black_box(&vreq)))
    });
    g.bench_function("issue per authority (verify request + blind_sign)", |b| {
        b.iter(|| {
            auths[0].blind_sign(
                &IssuanceRequest::from_bytes(&req_bytes)
                    .expect("ok")
                    .verify(1, &m)
                    .expect("ok"),
            )
        })
    });
    let blinds: Vec<_> = auths[..3].iter().map(|a| a.blind_sign(&vreq)).collect();
    let vk = gpk.authority(1).expect("vk");
    g.bench_function("PendingCredential::unblind", |b| {
        b.iter(|| pending.unblind(&vk, black_box(&blinds[0])))
    });
    let partials: Vec<_> = blinds
        .iter()
        .zip(&auths)
        .map(|(s, a)| {
            pending
                .unblind(&gpk.authority(a.index()).expect("vk"), s)
                .expect("ok")
        })
        .collect();
    g.bench_function("PendingCredential::finish(3)", |b| {
        b.iter(|| pending.clone().finish(&gpk, black_box(&partials)))
    });
    g.bench_function("issue aggregate (3 x unblind + finish)", |b| {
        b.iter(|| {
            let ps: Vec<_> = blinds
                .iter()
                .zip(&auths)
                .map(|(s, a)| {
                    pending
                        .unblind(&gpk.authority(a.index()).expect("vk"), s)
                        .expect("ok")
                })
                .collect();
            pending.clone().finish(&gpk, &ps)
        })
    });
    let cred = pending.clone().finish(&gpk, &partials).expect("cred");
    let ctx = TokenContext {
        chain_id: 1337,
        registry: [2; 20],
        verifying_contract: [3; 20],
        action: TokenContext::action_id("medshare.access.request"),
        sender: [4; 20],
        nonce: [5; 32],
        scope: None,
    };
    let scoped = TokenContext {
        scope: Scope::new([6; 32]),
        ..ctx
    };
    g.bench_function("Credential::show", |b| {
        b.iter(|| cred.show_with_rng(&mut rng, &gpk, black_box(&ctx)))
    });
    let tok = cred
        .show_with_rng(&mut rng, &gpk, &ctx)
        .expect("an accepted scope");
    let tok_bytes = tok.to_bytes();
    g.bench_function("Token::from_bytes", |b| {
        b.iter(|| Token::from_bytes(black_box(&tok_bytes)))
    });
    g.bench_function("Token::verify", |b| {
        b.iter(|| tok.verify(&gpk, black_box(&ctx), 1).is_ok())
    });
    g.bench_function("Token::evm_inputs", |b| {
        b.iter(|| tok.evm_inputs(&gpk, black_box(&ctx)))
    });
    g.bench_function("Credential::show (scoped)", |b| {
        b.iter(|| cred.show_with_rng(&mut rng, &gpk, black_box(&scoped)))
    });
    let scoped_tok = cred
        .show_with_rng(&mut rng, &gpk, &scoped)
        .expect("an accepted scope");
    g.bench_function("Token::verify (scoped)", |b| {
        b.iter(|| scoped_tok.verify(&gpk, black_box(&scoped), 1).is_ok())
    });
    let tag = tok.verify(&gpk, &ctx, 1).expect("ok").tracing_tag();
    g.bench_function("AuthoritySecretKey::trace_share", |b| {
        b.iter(|| auths[0].trace_share_with_rng(&mut rng, black_box(&tag)))
    });
    let shares: Vec<_> = auths[..3]
        .iter()
        .map(|a| a.trace_share_with_rng(&mut rng, &tag))
        .collect();
    let sb = shares[0].to_bytes();
    g.bench_function("TraceShare::from_bytes+verify", |b| {
        b.iter(|| {
            TraceShare::from_bytes(black_box(&sb))
                .expect("ok")
                .verify(&gpk, &tag)
                .is_ok()
        })
    });
    g.bench_function("trace(3 shares)", |b| {
        b.iter(|| trace(&gpk, &tag, black_box(&shares)))
    });
    g.finish();
}

criterion_group!(benches, identity);
criterion_main!(benches);

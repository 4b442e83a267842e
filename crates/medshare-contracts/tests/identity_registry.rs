//! Tests of `IdentityRegistry.sol` on the embedded revm chain against the real
//! `medshare-identity` crate: blind issuance, tokens shown in Rust and verified and consumed on
//! chain, every rejection (forged credential, foreign context, replay, wrong epoch, tampered tag
//! and proof, malformed points and scalars), threshold tracing with DLEQ shares (too few, a bad
//! one, the right identity for a population of users, an identity element), and the
//! known-answer vectors of `crates/medshare-identity/tests/vectors/`. Who may install key sets,
//! change epochs and revoke is tested in `identity_governance.rs`.
#![allow(clippy::unwrap_used)]

#[macro_use]
#[path = "common/identity.rs"]
mod identity;

use alloy::{
    primitives::{Address, B256, U256, keccak256},
    sol_types::SolCall,
};
use identity::{
    APP, CHAIN_ID, DEPLOYER, EPOCH, MIN_AUTHORITIES, MIN_THRESHOLD, OUTSIDER, World,
    assert_reverts, authority, decode_error, key_set, nullifier, sol_context, sol_share, sol_token,
    tag_digest,
};
use medshare_contracts::{
    IIdentityRegistry, IdentityBn254,
    IdentityRegistry::{self, IdentityRegistryErrors, IdentityRegistryEvents},
    identity_abi,
};
use medshare_identity::{ThresholdParams, TokenContext, UserSecret, run_dkg_with_rng};
use serde_json::Value;

/// BN254 group order `r`.
const R: U256 = U256::from_be_slice(&[
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01,
]);

fn bump(s: U256) -> U256 {
    (s + U256::from(1)) % R
}

/// A user with a credential for the current epoch, a token for `world.context(nonce)`, and the
/// contract views of both.
struct Shown {
    user: UserSecret,
    ctx: TokenContext,
    token: medshare_identity::Token,
    sol: IIdentityRegistry::Token,
    sol_ctx: IIdentityRegistry::TokenContext,
}

fn show(world: &mut World, nonce: u8) -> Shown {
    let user = UserSecret::random_with_rng(&mut world.rng);
    let epoch = world.epoch();
    let credential = world.issue(&user, epoch);
    let ctx = world.context(nonce);
    let token = world.show(&credential, &ctx);
    let sol = sol_token(&token, &world.gpk, &ctx);
    Shown {
        user,
        sol_ctx: sol_context(&ctx),
        ctx,
        token,
        sol,
    }
}

impl Shown {
    fn tag(&self, world: &World) -> medshare_identity::TracingTag {
        self.token
            .verify(&world.gpk, &self.ctx, self.token.epoch())
            .unwrap()
            .tracing_tag()
    }
}

#[test]
fn honest_token_verifies_and_is_consumed_once() {
    let mut world = World::new(3, 5, 1);
    let s = show(&mut world, 1);
    assert_eq!(world.verify(&s.sol, &s.sol_ctx), Ok(true));
    assert!(!world.view(IdentityRegistry::isUsedCall {
        nullifier: nullifier(&s.sol)
    }));

    let receipt = world.consume(APP, &s.sol, &s.sol_ctx);
    assert!(receipt.status, "{:?}", decode_error(&receipt.output));
    let n = IdentityRegistry::consumeTokenCall::abi_decode_returns(&receipt.output).unwrap();
    assert_eq!(n, B256::from(s.token.nullifier()));
    assert_eq!(
        world.events(&receipt),
        vec![event!(TokenUsed {
            nullifier: n,
            verifyingContract: APP,
            action: s.sol_ctx.action,
            epoch: 1,
            c1: s.sol.c1.clone(),
            c2: s.sol.c2.clone(),
        })]
    );
    assert!(world.view(IdentityRegistry::isUsedCall { nullifier: n }));
    // One slot binds the tag and the epoch that were verified.
    let record = world.view(IdentityRegistry::tokenRecordCall { nullifier: n });
    assert_eq!(record.tagDigest, tag_digest(&s.sol.c1, &s.sol.c2, 1));

    // Replay: the same token again.
    assert_reverts(
        &world.consume(APP, &s.sol, &s.sol_ctx),
        error!(IdentityRegistryTokenAlreadyUsed { nullifier: n }),
    );
}

#[test]
fn token_bound_to_another_context_is_rejected() {
    let mut world = World::new(2, 3, 2);
    let s = show(&mut world, 7);
    let base = s.sol_ctx.clone();
    let variants: Vec<(&str, IIdentityRegistry::TokenContext)> = vec![
        (
            "action",
            IIdentityRegistry::TokenContext {
                action: keccak256("medshare.other"),
                ..base.clone()
            },
        ),
        (
            "sender",
            IIdentityRegistry::TokenContext {
                sender: OUTSIDER,
                ..base.clone()
            },
        ),
        (
            "verifier",
            IIdentityRegistry::TokenContext {
                verifyingContract: OUTSIDER,
                ..base.clone()
            },
        ),
        (
            "chain id",
            IIdentityRegistry::TokenContext {
                chainId: U256::from(1),
                ..base.clone()
            },
        ),
        (
            "nonce",
            IIdentityRegistry::TokenContext {
                nonce: B256::repeat_byte(8),
                ..base.clone()
            },
        ),
    ];
    for (what, ctx) in &variants {
        assert_eq!(world.verify(&s.sol, ctx), Ok(false), "{what}");
    }
    // Through consumeToken: the registry checks chain and caller itself, the proof the rest.
    let n = nullifier(&s.sol);
    for (what, ctx) in &variants[..2] {
        let r = world.consume(APP, &s.sol, ctx);
        assert_reverts(&r, error!(IdentityRegistryInvalidToken { nullifier: n }));
        let _ = what;
    }
    assert_reverts(
        &world.consume(OUTSIDER, &s.sol, &variants[2].1),
        error!(IdentityRegistryInvalidToken { nullifier: n }),
    );
    assert_reverts(
        &world.consume(APP, &s.sol, &variants[3].1),
        error!(IdentityRegistryWrongChain {
            chainId: U256::from(1),
            expected: U256::from(CHAIN_ID)
        }),
    );
    assert_reverts(
        &world.consume(APP, &s.sol, &variants[4].1),
        error!(IdentityRegistryInvalidToken { nullifier: n }),
    );
    // Another caller than the context's verifying contract.
    assert_reverts(
        &world.consume(OUTSIDER, &s.sol, &base),
        error!(IdentityRegistryWrongVerifier {
            verifyingContract: APP,
            caller: OUTSIDER
        }),
    );
    // The honest context still works afterwards (nothing was recorded).
    assert!(world.consume(APP, &s.sol, &base).status);
}

#[test]
fn forged_credential_token_is_rejected() {
    let mut world = World::new(3, 5, 3);
    // Another authority set (same parameters) issues a credential: its tokens verify under its
    // own key only.
    let (other_gpk, other_keys) =
        run_dkg_with_rng(&mut world.rng, ThresholdParams::new(3, 5).unwrap()).unwrap();
    let user = UserSecret::random_with_rng(&mut world.rng);
    let credential = world.issue_with(&other_gpk, &other_keys, &user, 1);
    let ctx = world.context(1);
    let token = credential
        .show_with_rng(&mut world.rng, &other_gpk, &ctx)
        .expect("an accepted scope");
    assert!(token.verify(&other_gpk, &ctx, 1).is_ok());
    let sol = sol_token(&token, &world.gpk, &ctx);
    assert_eq!(world.verify(&sol, &sol_context(&ctx)), Ok(false));
    assert_reverts(
        &world.consume(APP, &sol, &sol_context(&ctx)),
        error!(IdentityRegistryInvalidToken {
            nullifier: nullifier(&sol)
        }),
    );

    // A real token whose signature part (h', ν) is swapped for another real token's: the proof
    // still holds, the pairing check does not.
    let a = show(&mut world, 2);
    let b = show(&mut world, 2);
    let mixed = IIdentityRegistry::Token {
        nu: b.sol.nu,
        ..a.sol.clone()
    };
    assert_eq!(world.verify(&mixed, &a.sol_ctx), Ok(false));
}

#[test]
fn every_tampered_scalar_and_tag_is_rejected() {
    let mut world = World::new(2, 3, 4);
    let s = show(&mut world, 3);
    let other = show(&mut world, 3);
    let t = &s.sol;
    let tampered: Vec<(&str, IIdentityRegistry::Token)> = vec![
        (
            "c",
            IIdentityRegistry::Token {
                c: bump(t.c),
                ..t.clone()
            },
        ),
        (
            "z_m",
            IIdentityRegistry::Token {
                zm: bump(t.zm),
                ..t.clone()
            },
        ),
        (
            "z_r",
            IIdentityRegistry::Token {
                zr: bump(t.zr),
                ..t.clone()
            },
        ),
        (
            "z_k",
            IIdentityRegistry::Token {
                zk: bump(t.zk),
                ..t.clone()
            },
        ),
        (
            "C1",
            IIdentityRegistry::Token {
                c1: other.sol.c1.clone(),
                ..t.clone()
            },
        ),
        (
            "C2",
            IIdentityRegistry::Token {
                c2: other.sol.c2.clone(),
                ..t.clone()
            },
        ),
        (
            "C1 and C2",
            IIdentityRegistry::Token {
                c1: other.sol.c1.clone(),
                c2: other.sol.c2.clone(),
                ..t.clone()
            },
        ),
        (
            "kappa",
            IIdentityRegistry::Token {
                kappa: other.sol.kappa.clone(),
                ..t.clone()
            },
        ),
        (
            "h'",
            IIdentityRegistry::Token {
                h: other.sol.h,
                ..t.clone()
            },
        ),
        (
            "epoch",
            IIdentityRegistry::Token {
                epoch: 2,
                ..t.clone()
            },
        ),
    ];
    for (what, token) in &tampered {
        assert_eq!(world.verify(token, &s.sol_ctx), Ok(false), "{what}");
        let r = world.consume(APP, token, &s.sol_ctx);
        assert!(!r.status, "{what}");
    }
    // Consumption errors name the failure.
    let c = &tampered[0].1;
    assert_reverts(
        &world.consume(APP, c, &s.sol_ctx),
        error!(IdentityRegistryInvalidToken {
            nullifier: nullifier(c)
        }),
    );
    assert_reverts(
        &world.consume(APP, &tampered[9].1, &s.sol_ctx),
        error!(IdentityRegistryWrongEpoch {
            epoch: 2,
            current: 1
        }),
    );
    // The untouched token is still fresh and valid.
    assert!(world.consume(APP, t, &s.sol_ctx).status);
}

#[test]
fn malformed_points_and_scalars_revert_with_bn254_errors() {
    let mut world = World::new(2, 3, 5);
    let s = show(&mut world, 4);
    let t = &s.sol;
    let ctx = &s.sol_ctx;
    let off = IdentityBn254::G1Point {
        x: t.kappa.x,
        y: t.kappa.y + U256::from(1),
    };
    assert_eq!(
        world.verify(
            &IIdentityRegistry::Token {
                kappa: off.clone(),
                ..t.clone()
            },
            ctx
        ),
        Err(error!(Bn254InvalidPoint { x: off.x, y: off.y }))
    );
    let zero = IdentityBn254::G1Point {
        x: U256::ZERO,
        y: U256::ZERO,
    };
    for token in [
        IIdentityRegistry::Token {
            kappa: zero.clone(),
            ..t.clone()
        },
        IIdentityRegistry::Token {
            c1: zero.clone(),
            ..t.clone()
        },
        IIdentityRegistry::Token {
            c2: zero,
            ..t.clone()
        },
        IIdentityRegistry::Token {
            h: IdentityBn254::G2Point::default(),
            ..t.clone()
        },
        IIdentityRegistry::Token {
            nu: IdentityBn254::G2Point::default(),
            ..t.clone()
        },
    ] {
        assert_eq!(
            world.verify(&token, ctx),
            Err(error!(Bn254IdentityPoint {}))
        );
    }
    for token in [
        IIdentityRegistry::Token {
            c: t.c + R,
            ..t.clone()
        },
        IIdentityRegistry::Token {
            zm: t.zm + R,
            ..t.clone()
        },
        IIdentityRegistry::Token {
            zr: t.zr + R,
            ..t.clone()
        },
        IIdentityRegistry::Token {
            zk: t.zk + R,
            ..t.clone()
        },
    ] {
        let big = [token.c, token.zm, token.zr, token.zk]
            .into_iter()
            .find(|s| *s >= R)
            .unwrap();
        assert_eq!(
            world.verify(&token, ctx),
            Err(error!(Bn254ScalarOutOfRange { scalar: big }))
        );
    }
    // A G2 point off the twist: h' is in the transcript, so the challenge check fails before
    // the pairing precompile (which would reject the point) is reached.
    let bad_h = IdentityBn254::G2Point {
        x: [U256::from(1), U256::from(2)],
        y: [U256::from(3), U256::from(4)],
    };
    let bad = IIdentityRegistry::Token {
        h: bad_h,
        ..t.clone()
    };
    assert_eq!(world.verify(&bad, ctx), Ok(false));
}

#[test]
fn tokens_are_for_the_current_epoch_only() {
    let mut world = World::new(2, 3, 6);
    let s = show(&mut world, 5);
    world.advance();
    assert_eq!(world.epoch(), 2);
    assert_eq!(world.verify(&s.sol, &s.sol_ctx), Ok(false));
    assert_reverts(
        &world.consume(APP, &s.sol, &s.sol_ctx),
        error!(IdentityRegistryWrongEpoch {
            epoch: 1,
            current: 2
        }),
    );
    // A credential of epoch 2 works.
    let fresh = show(&mut world, 5);
    assert_eq!(fresh.sol.epoch, 2);
    assert!(world.consume(APP, &fresh.sol, &fresh.sol_ctx).status);
}

#[test]
fn trace_needs_t_valid_shares_and_finds_the_user() {
    let mut world = World::new(3, 5, 10);
    let s = show(&mut world, 9);
    let tag = s.tag(&world);
    let n = nullifier(&s.sol);
    assert!(world.consume(APP, &s.sol, &s.sol_ctx).status);

    // Requests: only authorities, only used tokens, only with the token's own tag and epoch.
    let request_in =
        |c1: IdentityBn254::G1Point, c2: IdentityBn254::G1Point, nullifier: B256, epoch: u64| {
            IdentityRegistry::requestTraceCall {
                nullifier,
                c1,
                c2,
                epoch,
                reason: B256::repeat_byte(0xc0),
            }
        };
    let request = |c1, c2, nullifier| request_in(c1, c2, nullifier, 1);
    assert_reverts(
        &world.send(OUTSIDER, &request(s.sol.c1.clone(), s.sol.c2.clone(), n)),
        error!(IdentityRegistryUnauthorizedAccount { account: OUTSIDER }),
    );
    assert_reverts(
        &world.send(
            authority(2),
            &request(s.sol.c1.clone(), s.sol.c2.clone(), B256::repeat_byte(3)),
        ),
        error!(IdentityRegistryUnknownToken {
            nullifier: B256::repeat_byte(3)
        }),
    );
    assert_reverts(
        &world.send(
            authority(2),
            &request(s.sol.c2.clone(), s.sol.c1.clone(), n),
        ),
        error!(IdentityRegistryTagMismatch { nullifier: n }),
    );
    // Another epoch would name another key set: refused too.
    assert_reverts(
        &world.send(
            authority(2),
            &request_in(s.sol.c1.clone(), s.sol.c2.clone(), n, 2),
        ),
        error!(IdentityRegistryTagMismatch { nullifier: n }),
    );
    // A member of the consortium with the authority role, but not of the token's key set (it
    // could not complete the trace, and must not squat it with a false reason).
    assert_reverts(
        &world.send(
            authority(9),
            &request(s.sol.c1.clone(), s.sol.c2.clone(), n),
        ),
        error!(IdentityRegistryUnauthorizedAccount {
            account: authority(9)
        }),
    );
    let reason = B256::repeat_byte(0xc0);
    assert_eq!(
        world.view(IdentityRegistry::traceOfCall {
            nullifier: n,
            reason
        }),
        U256::ZERO
    );
    let receipt = world.send_ok(
        authority(2),
        &request(s.sol.c1.clone(), s.sol.c2.clone(), n),
    );
    let id = IdentityRegistry::requestTraceCall::abi_decode_returns(&receipt.output).unwrap();
    assert_eq!(id, U256::from(1));
    assert_eq!(
        world.view(IdentityRegistry::traceOfCall {
            nullifier: n,
            reason
        }),
        id
    );
    assert_eq!(world.trace_tag(id), (s.sol.c1.clone(), s.sol.c2.clone()));
    assert_eq!(
        world.events(&receipt),
        vec![event!(TraceRequested {
            traceId: id,
            nullifier: n,
            authority: authority(2),
            reason: B256::repeat_byte(0xc0)
        })]
    );

    // t - 1 = 2 valid shares: no Traced.
    for i in [2u8, 5] {
        let share = world.share(i, &tag);
        let r = world.submit_share(id, &share);
        assert!(r.status, "{:?}", decode_error(&r.output));
        assert!(
            world
                .events(&r)
                .iter()
                .all(|e| !matches!(e, IdentityRegistryEvents::Traced(_)))
        );
    }
    let info = world.view(IdentityRegistry::traceCall { traceId: id });
    assert_eq!(
        (info.status, info.shareCount, info.shareMask),
        (1, 2, 0b10010)
    );

    // Wrong sender, duplicate, wrong tag and invalid shares are refused with named errors.
    let share4 = world.share(4, &tag);
    let submit_with = |c1: &IdentityBn254::G1Point,
                       c2: &IdentityBn254::G1Point,
                       share: &IIdentityRegistry::TraceShare| {
        IdentityRegistry::submitTraceShareCall {
            traceId: id,
            c1: c1.clone(),
            c2: c2.clone(),
            share: share.clone(),
        }
    };
    assert_reverts(
        &world.send(authority(3), &submit_with(&s.sol.c1, &s.sol.c2, &share4)),
        error!(IdentityRegistryUnauthorizedAccount {
            account: authority(3)
        }),
    );
    let dup = world.share(2, &tag);
    assert_reverts(
        &world.submit_share(id, &dup),
        error!(IdentityRegistryDuplicateTraceShare {
            traceId: id,
            index: 2
        }),
    );
    // The trace keeps only the tag's digest: a tag other than the token's is refused before
    // the proof is looked at, and the view says false.
    for (c1, c2) in [
        (&s.sol.c2, &s.sol.c1),
        (&s.sol.c1, &s.sol.kappa),
        (&share4.d, &s.sol.c2),
    ] {
        assert_reverts(
            &world.send(authority(4), &submit_with(c1, c2, &share4)),
            error!(IdentityRegistryTagMismatch { nullifier: n }),
        );
        let verify = IdentityRegistry::verifyTraceShareCall {
            traceId: id,
            c1: c1.clone(),
            c2: c2.clone(),
            share: share4.clone(),
        };
        assert_eq!(world.try_view(verify), Ok(false));
    }
    let verify = |trace_id: U256, share: &IIdentityRegistry::TraceShare| {
        IdentityRegistry::verifyTraceShareCall {
            traceId: trace_id,
            c1: s.sol.c1.clone(),
            c2: s.sol.c2.clone(),
            share: share.clone(),
        }
    };
    assert_eq!(world.try_view(verify(id, &share4)), Ok(true));
    assert_eq!(world.try_view(verify(U256::from(7), &share4)), Ok(false));
    let bad = IIdentityRegistry::TraceShare {
        z: bump(share4.z),
        ..share4.clone()
    };
    assert_eq!(world.try_view(verify(id, &bad)), Ok(false));
    assert_reverts(
        &world.submit_share(id, &bad),
        error!(IdentityRegistryInvalidTraceShare {
            traceId: id,
            index: 4
        }),
    );
    // A share for another tag (a valid proof, but not for this token).
    let other = show(&mut world, 9);
    let wrong_tag = world.share(4, &other.tag(&world));
    assert_reverts(
        &world.submit_share(id, &wrong_tag),
        error!(IdentityRegistryInvalidTraceShare {
            traceId: id,
            index: 4
        }),
    );
    let forged_d = IIdentityRegistry::TraceShare {
        d: other.sol.c1,
        ..share4.clone()
    };
    assert_reverts(
        &world.submit_share(id, &forged_d),
        error!(IdentityRegistryInvalidTraceShare {
            traceId: id,
            index: 4
        }),
    );
    let big = IIdentityRegistry::TraceShare {
        c: share4.c + R,
        ..share4.clone()
    };
    assert_reverts(
        &world.submit_share(id, &big),
        error!(Bn254ScalarOutOfRange {
            scalar: share4.c + R
        }),
    );

    // The good share completes the trace with the user's identity commitment.
    let commitment = B256::from(s.user.identity().commitment());
    let r = world.submit_share(id, &share4);
    assert_eq!(
        world.events(&r),
        vec![
            event!(TraceShareSubmitted {
                traceId: id,
                account: authority(4),
                index: 4,
                shareCount: U256::from(3)
            }),
            event!(Traced {
                traceId: id,
                nullifier: n,
                identityCommitment: commitment,
                reason: B256::repeat_byte(0xc0)
            }),
        ]
    );
    let info = world.view(IdentityRegistry::traceCall { traceId: id });
    assert_eq!(
        (
            info.status,
            info.identityCommitment,
            info.requester,
            info.epoch
        ),
        (2, commitment, authority(2), 1)
    );
    assert_eq!(
        world.view(IdentityRegistry::identityStatusCall {
            identityCommitment: commitment
        }),
        1
    );

    // Completed: no more shares; the token cannot be traced again nor consumed (it was used:
    // a nullifier never comes back, so no separate block is needed).
    let share1 = world.share(1, &tag);
    assert_reverts(
        &world.submit_share(id, &share1),
        error!(IdentityRegistryTraceNotPending {
            traceId: id,
            status: 2
        }),
    );
    assert_reverts(
        &world.send(
            authority(2),
            &request(s.sol.c1.clone(), s.sol.c2.clone(), n),
        ),
        error!(IdentityRegistryAlreadyTraced {
            nullifier: n,
            traceId: id
        }),
    );
    // One trace per token and reason: another reason opens its own trace.
    let other_reason = world.send_ok(
        authority(3),
        &IdentityRegistry::requestTraceCall {
            nullifier: n,
            c1: s.sol.c1.clone(),
            c2: s.sol.c2.clone(),
            epoch: 1,
            reason: B256::repeat_byte(0xc1),
        },
    );
    assert_eq!(
        IdentityRegistry::requestTraceCall::abi_decode_returns(&other_reason.output).unwrap(),
        U256::from(2)
    );
    assert_reverts(
        &world.consume(APP, &s.sol, &s.sol_ctx),
        error!(IdentityRegistryTokenAlreadyUsed { nullifier: n }),
    );
    assert_reverts(
        &world.send(
            authority(1),
            &IdentityRegistry::submitTraceShareCall {
                traceId: U256::from(7),
                c1: s.sol.c1.clone(),
                c2: s.sol.c2.clone(),
                share: share1,
            },
        ),
        error!(IdentityRegistryTraceNotPending {
            traceId: U256::from(7),
            status: 0
        }),
    );
}

#[test]
fn trace_refuses_the_identity_element() {
    // No protocol run yields a used token whose tag decrypts to M = O (it needs a credential on
    // m = 0), so the state is written directly: a token record for the tag (G1, T), for which
    // the t honest shares D_i = τ_i·G1 = T_i combine to D = T and M = C2 - D = O. Rust refuses
    // that result, and so must the contract, rather than record keccak256(O) as an identity.
    let mut world = World::new(2, 3, 27);
    let set = world.key_set();
    let g1 = IdentityBn254::G1Point {
        x: U256::from(1),
        y: U256::from(2),
    };
    let fake = B256::repeat_byte(0x0e);
    let layout: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../contracts/out/IdentityRegistry.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let tokens_slot = layout["storageLayout"]["storage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["label"] == "_tokens")
        .unwrap()["slot"]
        .as_str()
        .unwrap()
        .parse::<u64>()
        .unwrap();
    let mut key = [0u8; 64];
    key[..32].copy_from_slice(fake.as_slice());
    key[32..].copy_from_slice(&U256::from(tokens_slot).to_be_bytes::<32>());
    let slot = U256::from_be_bytes(keccak256(key).0);
    let digest = tag_digest(&g1, &set.tracing, 1);
    world
        .chain
        .set_storage(world.registry, slot, U256::from_be_bytes(digest.0))
        .unwrap();
    assert!(world.view(IdentityRegistry::isUsedCall { nullifier: fake }));

    let evm = |p: &IdentityBn254::G1Point| {
        let mut b = [0u8; 64];
        b[..32].copy_from_slice(&p.x.to_be_bytes::<32>());
        b[32..].copy_from_slice(&p.y.to_be_bytes::<32>());
        b
    };
    let tag =
        medshare_identity::TracingTag::from_evm_points(&[evm(&g1), evm(&set.tracing)]).unwrap();
    let receipt = world.send_ok(
        authority(1),
        &IdentityRegistry::requestTraceCall {
            nullifier: fake,
            c1: g1.clone(),
            c2: set.tracing.clone(),
            epoch: 1,
            reason: B256::ZERO,
        },
    );
    let id = IdentityRegistry::requestTraceCall::abi_decode_returns(&receipt.output).unwrap();
    world.tags.insert(fake, (g1, set.tracing));
    let keys = world.keys.clone();
    let shares: Vec<_> = keys[..2]
        .iter()
        .map(|k| k.trace_share_with_rng(&mut world.rng, &tag))
        .collect();
    assert_eq!(
        medshare_identity::trace(&world.gpk, &tag, &shares),
        Err(medshare_identity::TraceError::IdentityResult)
    );
    assert!(
        world
            .submit_share(id, &sol_share(&shares[0], &world.gpk, &tag))
            .status
    );
    assert_reverts(
        &world.submit_share(id, &sol_share(&shares[1], &world.gpk, &tag)),
        error!(IdentityRegistryTracedIdentityElement { traceId: id }),
    );
}

#[test]
fn shares_come_from_the_key_set_of_the_token_epoch() {
    let mut world = World::new(2, 3, 11);
    let s = show(&mut world, 1);
    let tag = s.tag(&world);
    assert!(world.consume(APP, &s.sol, &s.sol_ctx).status);
    // Rotate to a new key set held by other accounts; the old token is traced by the old set.
    let (gpk2, _) = run_dkg_with_rng(&mut world.rng, ThresholdParams::new(2, 3).unwrap()).unwrap();
    let set2 = key_set(&gpk2, &[authority(11), authority(12), authority(13)]);
    world.install(&set2);
    world.activate_scheduled();
    let id = world.request_trace(&s.sol);
    let share = world.share(1, &tag);
    let from_new = world.send(
        authority(11),
        &IdentityRegistry::submitTraceShareCall {
            traceId: id,
            c1: s.sol.c1.clone(),
            c2: s.sol.c2.clone(),
            share: share.clone(),
        },
    );
    assert_reverts(
        &from_new,
        error!(IdentityRegistryUnauthorizedAccount {
            account: authority(11)
        }),
    );
    assert!(world.submit_share(id, &share).status);
    // A removed authority can no longer submit.
    world.remove_member(authority(3));
    let share3 = world.share(3, &tag);
    assert_reverts(
        &world.submit_share(id, &share3),
        error!(IdentityRegistryUnauthorizedAccount {
            account: authority(3)
        }),
    );
    let share2 = world.share(2, &tag);
    let r = world.submit_share(id, &share2);
    assert!(world.events(&r).iter().any(|e| matches!(e, IdentityRegistryEvents::Traced(t) if t.identityCommitment == B256::from(s.user.identity().commitment()))));
}

#[test]
fn tracing_a_population_returns_each_users_identity() {
    let mut world = World::new(3, 5, 12);
    let users: Vec<Shown> = (0..10).map(|i| show(&mut world, i)).collect();
    for u in &users {
        assert!(world.consume(APP, &u.sol, &u.sol_ctx).status);
    }
    for (k, u) in users.iter().enumerate() {
        let tag = u.tag(&world);
        let id = world.request_trace(&u.sol);
        // Rotate the subset of authorities from user to user.
        let subset: Vec<u8> = (0..3).map(|j| ((k + 2 * j) % 5) as u8 + 1).collect();
        let mut last = None;
        for &i in &subset {
            let share = world.share(i, &tag);
            last = Some(world.submit_share(id, &share));
        }
        let events = world.events(&last.unwrap());
        let traced = events
            .iter()
            .find_map(|e| match e {
                IdentityRegistryEvents::Traced(t) => Some(t.identityCommitment),
                _ => None,
            })
            .unwrap();
        assert_eq!(
            traced,
            B256::from(u.user.identity().commitment()),
            "user {k}, subset {subset:?}"
        );
        for (j, other) in users.iter().enumerate() {
            if j != k {
                assert_ne!(traced, B256::from(other.user.identity().commitment()));
            }
        }
    }
}

/// Issue #7, item 5: a scoped token's nullifier is `keccak256(N)`, one per user and scope, so
/// a consuming contract that picks the scope (here a record id) gets one use per user: a
/// second token of the same user in that scope is refused, whatever its credential or epoch;
/// other users and other scopes are unaffected.
#[test]
fn scoped_tokens_allow_one_use_per_user_and_scope() {
    let mut world = World::new(3, 5, 21);
    let record = keccak256("record 42");
    let alice = UserSecret::random_with_rng(&mut world.rng);
    let bob = UserSecret::random_with_rng(&mut world.rng);
    let alice_1 = world.issue(&alice, 1);
    let bob_1 = world.issue(&bob, 1);

    let ctx = world.scoped_context(1, record);
    assert_eq!(
        world.view(IdentityRegistry::scopePointCall {
            verifyingContract: APP,
            scope: record,
        }),
        identity_abi::g1(&ctx.scope_point_evm().unwrap().unwrap()),
        "the registry derives the scope point as Rust does"
    );
    let first = world.show(&alice_1, &ctx);
    let sol = sol_token(&first, &world.gpk, &ctx);
    assert_eq!(world.verify(&sol, &sol_context(&ctx)), Ok(true));
    let receipt = world.consume(APP, &sol, &sol_context(&ctx));
    assert!(receipt.status, "{:?}", decode_error(&receipt.output));
    let used = IdentityRegistry::consumeTokenCall::abi_decode_returns(&receipt.output).unwrap();
    assert_eq!(used, B256::from(first.nullifier()));
    assert_eq!(used, keccak256(identity_abi::g1_bytes(&sol.nullifierPoint)));

    // Bob in the same scope: his own nullifier.
    let bobs = world.show(&bob_1, &ctx);
    let r = world.consume(APP, &sol_token(&bobs, &world.gpk, &ctx), &sol_context(&ctx));
    assert!(r.status, "{:?}", decode_error(&r.output));

    // Alice again: another credential of the same epoch, another nonce: refused.
    let alice_1b = world.issue(&alice, 1);
    let again_ctx = world.scoped_context(2, record);
    let again = world.show(&alice_1b, &again_ctx);
    let again_sol = sol_token(&again, &world.gpk, &again_ctx);
    assert_eq!(world.verify(&again_sol, &sol_context(&again_ctx)), Ok(true));
    assert_reverts(
        &world.consume(APP, &again_sol, &sol_context(&again_ctx)),
        error!(IdentityRegistryTokenAlreadyUsed { nullifier: used }),
    );
    // And in the next epoch, with a fresh credential: still refused.
    world.advance();
    let alice_2 = world.issue(&alice, 2);
    let later = world.show(&alice_2, &ctx);
    assert_reverts(
        &world.consume(
            APP,
            &sol_token(&later, &world.gpk, &ctx),
            &sol_context(&ctx),
        ),
        error!(IdentityRegistryTokenAlreadyUsed { nullifier: used }),
    );
    // Another scope, and unscoped tokens, are not affected.
    let other_ctx = world.scoped_context(1, keccak256("record 43"));
    let other = world.show(&alice_2, &other_ctx);
    assert!(
        world
            .consume(
                APP,
                &sol_token(&other, &world.gpk, &other_ctx),
                &sol_context(&other_ctx)
            )
            .status
    );
    let plain_ctx = world.context(1);
    let plain = world.show(&alice_2, &plain_ctx);
    assert!(
        world
            .consume(
                APP,
                &sol_token(&plain, &world.gpk, &plain_ctx),
                &sol_context(&plain_ctx)
            )
            .status
    );

    // A scoped token traces to its user like any other.
    let tag = later.verify(&world.gpk, &ctx, 2).unwrap().tracing_tag();
    let bob_tag = bobs.verify(&world.gpk, &ctx, 1).unwrap().tracing_tag();
    assert_ne!(tag, bob_tag);
}

/// A scoped token for an unscoped context (or the reverse), a foreign `N`, or an unscoped token
/// carrying an `N`: all refused.
#[test]
fn token_and_context_must_agree_on_the_scope() {
    let mut world = World::new(2, 3, 23);
    let user = UserSecret::random_with_rng(&mut world.rng);
    let other_user = UserSecret::random_with_rng(&mut world.rng);
    let cred = world.issue(&user, 1);
    let other_cred = world.issue(&other_user, 1);
    let scoped_ctx = world.scoped_context(1, B256::repeat_byte(0x5c));
    let plain_ctx = world.context(1);
    let scoped = sol_token(&world.show(&cred, &scoped_ctx), &world.gpk, &scoped_ctx);
    let plain = sol_token(&world.show(&cred, &plain_ctx), &world.gpk, &plain_ctx);
    let foreign = sol_token(
        &world.show(&other_cred, &scoped_ctx),
        &world.gpk,
        &scoped_ctx,
    );
    assert_eq!(world.verify(&scoped, &sol_context(&plain_ctx)), Ok(false));
    // Scoped, N must be a point: an unscoped token's (0, 0) is the identity.
    assert_eq!(
        world.verify(&plain, &sol_context(&scoped_ctx)),
        Err(error!(Bn254IdentityPoint {}))
    );
    let with_n = IIdentityRegistry::Token {
        nullifierPoint: scoped.nullifierPoint.clone(),
        ..plain
    };
    assert_eq!(world.verify(&with_n, &sol_context(&plain_ctx)), Ok(false));
    // Another user's N in this user's token: the proof ties N to the credential's m.
    let swapped = IIdentityRegistry::Token {
        nullifierPoint: foreign.nullifierPoint,
        ..scoped.clone()
    };
    assert_eq!(world.verify(&swapped, &sol_context(&scoped_ctx)), Ok(false));
    assert_reverts(
        &world.consume(APP, &swapped, &sol_context(&scoped_ctx)),
        error!(IdentityRegistryInvalidToken {
            nullifier: nullifier(&swapped)
        }),
    );
    // An off-curve N reverts like any other point.
    let off = IdentityBn254::G1Point {
        x: scoped.nullifierPoint.x,
        y: scoped.nullifierPoint.y + U256::from(1),
    };
    assert_eq!(
        world.verify(
            &IIdentityRegistry::Token {
                nullifierPoint: off.clone(),
                ..scoped.clone()
            },
            &sol_context(&scoped_ctx)
        ),
        Err(error!(Bn254InvalidPoint { x: off.x, y: off.y }))
    );
    assert_eq!(world.verify(&scoped, &sol_context(&scoped_ctx)), Ok(true));
}

/// Issue #7, low item: the registry's address is in the token transcript, so a token does not
/// replay on a second registry that shares the key set.
#[test]
fn tokens_do_not_replay_on_another_registry_sharing_the_key_set() {
    let mut world = World::new(3, 5, 24);
    let s = show(&mut world, 1);
    let first = world.registry;
    let receipt = world
        .chain
        .deploy_as(
            DEPLOYER,
            medshare_contracts::deploy_code(
                &IdentityRegistry::BYTECODE,
                &IdentityRegistry::constructorCall {
                    consortium_: world.consortium,
                    minEpochDuration_: EPOCH,
                    minThreshold_: MIN_THRESHOLD,
                    minAuthorities_: MIN_AUTHORITIES,
                },
            ),
        )
        .unwrap();
    world.registry = receipt.contract_address.unwrap();
    let set = world.key_set();
    world.install(&set);
    assert_eq!(world.epoch(), 1);
    assert_eq!(world.verify(&s.sol, &s.sol_ctx), Ok(false));
    assert_reverts(
        &world.consume(APP, &s.sol, &s.sol_ctx),
        error!(IdentityRegistryInvalidToken {
            nullifier: nullifier(&s.sol)
        }),
    );
    // A token made for the second registry verifies there, and not on the first.
    let fresh = show(&mut world, 1);
    assert_eq!(world.verify(&fresh.sol, &fresh.sol_ctx), Ok(true));
    world.registry = first;
    assert_eq!(world.verify(&fresh.sol, &fresh.sol_ctx), Ok(false));
    assert_eq!(world.verify(&s.sol, &s.sol_ctx), Ok(true));
}

// ---- known-answer vectors ----

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../medshare-identity/tests/vectors/identity_v2.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn hex_word(v: &Value) -> U256 {
    v.as_str().unwrap().parse().unwrap()
}

fn vg1(v: &Value) -> IdentityBn254::G1Point {
    IdentityBn254::G1Point {
        x: hex_word(&v["x"]),
        y: hex_word(&v["y"]),
    }
}

fn vg2(v: &Value) -> IdentityBn254::G2Point {
    IdentityBn254::G2Point {
        x: [hex_word(&v["x_c1"]), hex_word(&v["x_c0"])],
        y: [hex_word(&v["y_c1"]), hex_word(&v["y_c0"])],
    }
}

fn vector_key_set(v: &Value) -> IIdentityRegistry::KeySet {
    let gk = &v["group_key"];
    IIdentityRegistry::KeySet {
        threshold: gk["threshold"].as_u64().unwrap() as u8,
        x: vg1(&gk["X"]),
        ym: vg1(&gk["Y_m"]),
        ye: vg1(&gk["Y_e"]),
        tracing: vg1(&gk["T"]),
        authorities: gk["authority_keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let index = a["index"].as_u64().unwrap() as u8;
                IIdentityRegistry::AuthorityKey {
                    index,
                    account: authority(index),
                    x: vg1(&a["X_i"]),
                    ym: vg1(&a["Y_m_i"]),
                    ye: vg1(&a["Y_e_i"]),
                    tracing: vg1(&a["T_i"]),
                }
            })
            .collect(),
    }
}

fn vector_token(case: &Value) -> (IIdentityRegistry::Token, IIdentityRegistry::TokenContext) {
    let t = &case["token"];
    let c = &case["context"];
    let token = IIdentityRegistry::Token {
        epoch: case["epoch"].as_u64().unwrap(),
        kappa: vg1(&t["kappa"]),
        h: vg2(&t["h"]),
        nu: vg2(&t["nu"]),
        c1: vg1(&t["c1"]),
        c2: vg1(&t["c2"]),
        nullifierPoint: if t["nullifier_point"].is_null() {
            IdentityBn254::G1Point::default()
        } else {
            vg1(&t["nullifier_point"])
        },
        c: hex_word(&t["c"]),
        zm: hex_word(&t["z_m"]),
        zr: hex_word(&t["z_r"]),
        zk: hex_word(&t["z_k"]),
    };
    let ctx = IIdentityRegistry::TokenContext {
        chainId: U256::from(c["chain_id"].as_u64().unwrap()),
        verifyingContract: c["verifying_contract"].as_str().unwrap().parse().unwrap(),
        action: c["action"].as_str().unwrap().parse().unwrap(),
        sender: c["sender"].as_str().unwrap().parse().unwrap(),
        nonce: c["nonce"].as_str().unwrap().parse().unwrap(),
        scope: c["scope"].as_str().unwrap().parse().unwrap(),
    };
    (token, ctx)
}

#[test]
fn known_answer_vectors_are_accepted_on_chain() {
    let v = vectors();
    let set = vector_key_set(&v);
    for case in v["cases"].as_array().unwrap() {
        let (token, ctx) = vector_token(case);
        // Each case on its own chain, whose id is the context's.
        let mut world = World::deployed_on(u64::try_from(ctx.chainId).unwrap(), 1, 1, 15);
        // Tokens are bound to the registry: the vectors name the fixture's address.
        assert_eq!(
            world.registry,
            v["registry"]["address"]
                .as_str()
                .unwrap()
                .parse::<Address>()
                .unwrap(),
            "the vectors' registry is CREATE(DEPLOYER, 1)"
        );
        world.install(&set);
        while world.epoch() < token.epoch {
            world.advance();
        }
        assert_eq!(
            world.verify(&token, &ctx),
            Ok(true),
            "epoch {}",
            token.epoch
        );
        assert_eq!(
            nullifier(&token),
            case["token"]["nullifier"]
                .as_str()
                .unwrap()
                .parse::<B256>()
                .unwrap()
        );
        // A tampered copy: every scalar and the tag.
        for bad in [
            IIdentityRegistry::Token {
                c: bump(token.c),
                ..token.clone()
            },
            IIdentityRegistry::Token {
                zm: bump(token.zm),
                ..token.clone()
            },
            IIdentityRegistry::Token {
                c2: token.c1.clone(),
                ..token.clone()
            },
        ] {
            assert_eq!(world.verify(&bad, &ctx), Ok(false));
        }
        // The scope: the contract derives the vector's P_scope; another scope, or the token in
        // the other mode, fails.
        if ctx.scope != B256::ZERO {
            assert_eq!(
                world.view(IdentityRegistry::scopePointCall {
                    verifyingContract: ctx.verifyingContract,
                    scope: ctx.scope,
                }),
                vg1(&case["token"]["scope_point"])
            );
            let other = IIdentityRegistry::TokenContext {
                scope: B256::repeat_byte(0x01),
                ..ctx.clone()
            };
            assert_eq!(world.verify(&token, &other), Ok(false));
            let unscoped = IIdentityRegistry::TokenContext {
                scope: B256::ZERO,
                ..ctx.clone()
            };
            assert_eq!(world.verify(&token, &unscoped), Ok(false));
            let bad_n = IIdentityRegistry::Token {
                nullifierPoint: token.c1.clone(),
                ..token.clone()
            };
            assert_eq!(world.verify(&bad_n, &ctx), Ok(false));
        }

        // Consume it as the vector's verifying contract, then trace it with the vector shares.
        let receipt = world.consume(ctx.verifyingContract, &token, &ctx);
        assert!(receipt.status, "{:?}", decode_error(&receipt.output));
        let id = world.request_trace(&token);
        let mut last = None;
        for s in case["trace_shares"].as_array().unwrap() {
            let share = IIdentityRegistry::TraceShare {
                index: s["index"].as_u64().unwrap() as u8,
                d: vg1(&s["d"]),
                c: hex_word(&s["c"]),
                z: hex_word(&s["z"]),
            };
            let r = world.submit_share(id, &share);
            assert!(r.status, "{:?}", decode_error(&r.output));
            last = Some(r);
        }
        let expected: B256 = case["trace"]["commitment"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            expected,
            case["identity"]["commitment"]
                .as_str()
                .unwrap()
                .parse::<B256>()
                .unwrap()
        );
        assert!(world.events(&last.unwrap()).contains(&event!(Traced {
            traceId: id,
            nullifier: nullifier(&token),
            identityCommitment: expected,
            reason: B256::repeat_byte(0xc0),
        })));
    }
}

/// Execution gas of a view call: gas used minus the intrinsic 21,000 and the calldata gas
/// (as `tests/pre_verifier.rs` and the gas report measure views).
fn execution_gas(world: &World, call: &impl SolCall) -> (bool, u64) {
    let data = call.abi_encode();
    let outcome = world
        .chain
        .call(&medshare_evm::CallRequest::new(
            Address::ZERO,
            world.registry,
            data.clone(),
        ))
        .unwrap();
    assert!(outcome.success);
    let calldata: u64 = data.iter().map(|&b| if b == 0 { 4 } else { 16 }).sum();
    let ok = alloy::sol_types::SolValue::abi_decode(&outcome.output).unwrap();
    (ok, outcome.gas_used - 21_000 - calldata)
}

#[test]
fn verification_fits_the_gas_budgets() {
    let mut world = World::new(3, 5, 16);
    let s = show(&mut world, 1);
    let (ok, gas) = execution_gas(
        &world,
        &IdentityRegistry::verifyTokenCall {
            token: s.sol.clone(),
            context: s.sol_ctx.clone(),
        },
    );
    assert!(ok);
    // 8 ecMul + 6 ecAdd + one 2-pair ecPairing = 161,900 gas of precompiles; budget 200,000.
    assert!(
        (161_900..200_000).contains(&gas),
        "verifyToken used {gas} gas of execution"
    );
    // Scoped: 10 ecMul + 7 ecAdd + the pairing = 174,050, plus one modexp (≈ 1,350) per
    // hash-to-curve candidate; budget 200,000 as well.
    let user = UserSecret::random_with_rng(&mut world.rng);
    let cred = world.issue(&user, 1);
    let ctx = world.scoped_context(1, keccak256("record 1"));
    let token = sol_token(&world.show(&cred, &ctx), &world.gpk, &ctx);
    let (ok, gas) = execution_gas(
        &world,
        &IdentityRegistry::verifyTokenCall {
            token,
            context: sol_context(&ctx),
        },
    );
    assert!(ok);
    assert!(
        (174_050..200_000).contains(&gas),
        "scoped verifyToken used {gas} gas of execution"
    );

    let tag = s.tag(&world);
    assert!(world.consume(APP, &s.sol, &s.sol_ctx).status);
    let id = world.request_trace(&s.sol);
    let share = world.share(2, &tag);
    let (ok, gas) = execution_gas(
        &world,
        &IdentityRegistry::verifyTraceShareCall {
            traceId: id,
            c1: s.sol.c1.clone(),
            c2: s.sol.c2.clone(),
            share,
        },
    );
    assert!(ok);
    // 4 ecMul + 2 ecAdd = 24,900 gas of precompiles, plus three cold storage reads (the
    // trace's slot with its tag digest, and T_i: 6,300 gas); the tag comes in calldata, so no
    // decompression. Budget 40,000.
    assert!(
        (31_200..=40_000).contains(&gas),
        "verifyTraceShare used {gas} gas of execution"
    );
}

#[test]
fn every_accepted_scope_fits_the_gas_budget() {
    // The scope point is tried on at most 5 candidates, so the worst scope the registry accepts
    // still verifies within 200,000 execution gas; the 1 in 32 that need more are refused, in
    // Rust and on chain alike. Scan 200 scope words for the costliest accepted one (gas grows
    // by one modexp per candidate) and the refused ones.
    let mut world = World::new(3, 5, 30);
    let mut costliest = (0u64, B256::ZERO);
    let mut refused = Vec::new();
    for w in 1..=200u64 {
        let scope = B256::from(U256::from(w));
        let call = IdentityRegistry::scopePointCall {
            verifyingContract: APP,
            scope,
        };
        let outcome = world
            .chain
            .call(&medshare_evm::CallRequest::new(
                Address::ZERO,
                world.registry,
                call.abi_encode(),
            ))
            .unwrap();
        if outcome.success {
            costliest = costliest.max((outcome.gas_used, scope));
        } else {
            assert_eq!(
                decode_error(&outcome.output),
                error!(IdentityRegistryScopeUnhashable { scope })
            );
            refused.push(scope);
        }
    }
    assert!(
        !refused.is_empty(),
        "about 6 of 200 scopes need more than 5 candidates"
    );

    let user = UserSecret::random_with_rng(&mut world.rng);
    let credential = world.issue(&user, 1);
    // A refused scope: Rust refuses to show and to verify for it, as the contract refuses it.
    let refused_ctx = world.scoped_context(1, refused[0]);
    assert_eq!(
        credential.show_with_rng(&mut world.rng, &world.gpk, &refused_ctx),
        Err(medshare_identity::UnhashableScope)
    );
    let ctx = world.scoped_context(1, costliest.1);
    let token = world.show(&credential, &ctx);
    assert_eq!(
        token
            .verify(&world.gpk, &refused_ctx, 1)
            .map_err(|(e, _)| e),
        Err(medshare_identity::TokenVerificationError::UnhashableScope)
    );
    let (ok, gas) = execution_gas(
        &world,
        &IdentityRegistry::verifyTokenCall {
            token: sol_token(&token, &world.gpk, &ctx),
            context: sol_context(&ctx),
        },
    );
    assert!(ok, "the scoped token verifies");
    assert!(
        gas <= 200_000,
        "verifyToken for the costliest accepted scope: {gas} execution gas"
    );
}

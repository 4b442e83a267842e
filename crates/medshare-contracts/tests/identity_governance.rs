//! Who may change what in `IdentityRegistry.sol`: every rule that hands out power needs a
//! threshold. The first key set needs the consortium's admin threshold; every later key set,
//! a cancellation, an early epoch change and a revocation need `t` authorities of the active
//! key set; the deployment fixes the smallest `t` and `n`; the tracing key shares are checked
//! on chain. Each rule has a test that plays one party's best move alone and fails, and the
//! revocation test shows that the revoked user's fresh tokens are refused after the rotation.
#![allow(clippy::unwrap_used)]

#[macro_use]
#[path = "common/identity.rs"]
mod identity;

use alloy::{
    primitives::{Address, B256, U256, keccak256},
    sol_types::SolCall,
};
use identity::{
    ADMIN, ADMIN2, APP, EPOCH, MIN_AUTHORITIES, MIN_THRESHOLD, OUTSIDER, World, assert_reverts,
    authority, decode_error, key_set, sol_context, sol_token,
};
use medshare_contracts::{
    IIdentityRegistry, IdentityBn254,
    IdentityRegistry::{self, IdentityRegistryErrors, IdentityRegistryEvents},
    action, roles,
};
use medshare_identity::{ThresholdParams, UserSecret, run_dkg_with_rng};

/// `KeySetStatus` values.
const PROPOSED: u8 = 1;
const SCHEDULED: u8 = 2;
const ACTIVE: u8 = 3;
const RETIRED: u8 = 4;
const SUPERSEDED: u8 = 5;
const CANCELLED: u8 = 6;

/// `Motion` values.
const APPROVE_KEY_SET: u8 = 0;
const CANCEL_KEY_SET: u8 = 1;
const ROTATE_EPOCH: u8 = 2;
const REVOKE_IDENTITY: u8 = 3;

/// A third consortium admin (the fixture has [`ADMIN`] and [`ADMIN2`]).
const ADMIN3: Address = Address::repeat_byte(0xaf);

/// `motionApprovals(motion, subject)`.
fn approvals(world: &World, motion: u8, subject: B256) -> (u64, u64) {
    let r = world.view(IdentityRegistry::motionApprovalsCall { motion, subject });
    (r.approvals.to::<u64>(), r.needed.to::<u64>())
}

/// A fresh token of `user` (credential of the current epoch from the fixture's authorities)
/// and whether the registry accepts it.
fn fresh_token_verifies(world: &mut World, credential: &medshare_identity::Credential) -> bool {
    let ctx = world.context(0x42);
    let token = world.show(credential, &ctx);
    world
        .verify(&sol_token(&token, &world.gpk, &ctx), &sol_context(&ctx))
        .unwrap()
}

#[test]
fn epoch_advance_timing_and_permissions() {
    let mut world = World::deployed(2, 3, 7);
    assert_eq!(world.epoch(), 0);
    assert_reverts(
        &world.send(authority(1), &IdentityRegistry::advanceEpochCall {}),
        error!(IdentityRegistryNoActiveKeySet {}),
    );
    // verifyToken before any key set: false, consumeToken: named error.
    let user = UserSecret::random_with_rng(&mut world.rng);
    let credential = world.issue(&user, 0);
    let ctx = world.context(1);
    let token = world.show(&credential, &ctx);
    let sol = sol_token(&token, &world.gpk, &ctx);
    assert_eq!(world.verify(&sol, &sol_context(&ctx)), Ok(false));
    assert_reverts(
        &world.consume(APP, &sol, &sol_context(&ctx)),
        error!(IdentityRegistryNoActiveKeySet {}),
    );

    let set = world.key_set();
    world.install(&set);
    let started = world.view(IdentityRegistry::lastEpochChangeCall {});
    assert_eq!(world.epoch(), 1);
    assert_eq!(world.view(IdentityRegistry::minEpochDurationCall {}), EPOCH);

    assert_reverts(
        &world.send(OUTSIDER, &IdentityRegistry::advanceEpochCall {}),
        error!(IdentityRegistryUnauthorizedAccount { account: OUTSIDER }),
    );
    world.chain.set_next_block_timestamp(started + EPOCH - 1);
    assert_reverts(
        &world.send(authority(2), &IdentityRegistry::advanceEpochCall {}),
        error!(IdentityRegistryEpochTooEarly {
            notBefore: U256::from(started + EPOCH)
        }),
    );
    world.chain.set_next_block_timestamp(started + EPOCH);
    // Any authority may advance, listed in the key set or not.
    let receipt = world.send_ok(authority(9), &IdentityRegistry::advanceEpochCall {});
    let active = world.view(IdentityRegistry::activeKeySetCall {});
    assert_eq!(
        world.events(&receipt),
        vec![event!(EpochAdvanced {
            epoch: 2,
            keySetHash: active
        })]
    );
    assert_eq!(world.epoch(), 2);
    assert_eq!(
        world.view(IdentityRegistry::lastEpochChangeCall {}),
        started + EPOCH
    );
}

#[test]
fn key_set_installation_flow() {
    let mut world = World::deployed(3, 5, 8);
    let set = world.key_set();
    let expected_hash = keccak256(
        &IdentityRegistry::proposeKeySetCall {
            keySet_: set.clone(),
        }
        .abi_encode()[4..],
    );
    assert_reverts(
        &world.send(
            OUTSIDER,
            &IdentityRegistry::proposeKeySetCall {
                keySet_: set.clone(),
            },
        ),
        error!(IdentityRegistryUnauthorizedAccount { account: OUTSIDER }),
    );
    let receipt = world.send_ok(
        authority(7),
        &IdentityRegistry::proposeKeySetCall {
            keySet_: set.clone(),
        },
    );
    let hash = IdentityRegistry::proposeKeySetCall::abi_decode_returns(&receipt.output).unwrap();
    // keccak256(abi.encode(keySet)): the call's argument encoding, without the selector.
    assert_eq!(hash, expected_hash);
    assert_eq!(
        world.events(&receipt),
        vec![event!(KeySetProposed {
            keySetHash: hash,
            keySetId: U256::from(1),
            proposer: authority(7),
            keySet: set.clone()
        })]
    );
    let info = world.view(IdentityRegistry::keySetCall { keySetHash: hash });
    assert_eq!(
        (
            info.status,
            info.threshold,
            info.size,
            info.confirmations,
            info.proposer
        ),
        (PROPOSED, 3, 5, 0, authority(7))
    );
    let gk = world.view(IdentityRegistry::groupKeyCall { keySetHash: hash });
    assert_eq!(
        gk,
        [
            set.x.clone(),
            set.ym.clone(),
            set.ye.clone(),
            set.tracing.clone()
        ]
    );
    let (account, tracing) = {
        let r = world.view(IdentityRegistry::authorityOfCall {
            keySetHash: hash,
            index: 4,
        });
        (r.account, r.tracing)
    };
    assert_eq!(
        (account, tracing),
        (authority(4), set.authorities[3].tracing.clone())
    );

    assert_reverts(
        &world.send(
            authority(1),
            &IdentityRegistry::proposeKeySetCall { keySet_: set },
        ),
        error!(IdentityRegistryKeySetExists { keySetHash: hash }),
    );
    // Not listed (authority 9), unknown hash, double confirmation.
    assert_reverts(
        &world.send(
            authority(9),
            &IdentityRegistry::confirmKeySetCall { keySetHash: hash },
        ),
        error!(IdentityRegistryUnauthorizedAccount {
            account: authority(9)
        }),
    );
    assert_reverts(
        &world.send(
            authority(1),
            &IdentityRegistry::confirmKeySetCall {
                keySetHash: B256::repeat_byte(1),
            },
        ),
        error!(IdentityRegistryKeySetNotProposed {
            keySetHash: B256::repeat_byte(1),
            status: 0
        }),
    );
    for i in 1..=4u8 {
        let r = world.send_ok(
            authority(i),
            &IdentityRegistry::confirmKeySetCall { keySetHash: hash },
        );
        assert_eq!(
            world.events(&r),
            vec![event!(KeySetConfirmed {
                keySetHash: hash,
                account: authority(i),
                index: i,
                confirmations: U256::from(i)
            })]
        );
        assert_eq!(world.epoch(), 0, "not active before the last confirmation");
    }
    // Nobody can approve an incomplete key set: no approval may wait for a confirmation to
    // come later and make the set take effect behind the approvers' backs.
    assert_reverts(
        &world.send(
            ADMIN,
            &IdentityRegistry::approveKeySetCall { keySetHash: hash },
        ),
        error!(IdentityRegistryKeySetNotConfirmed {
            keySetHash: hash,
            confirmations: 0b1111
        }),
    );
    // A complete set of confirmations does nothing by itself either.
    assert_reverts(
        &world.send(
            authority(2),
            &IdentityRegistry::confirmKeySetCall { keySetHash: hash },
        ),
        error!(IdentityRegistryAlreadyConfirmed {
            keySetHash: hash,
            account: authority(2)
        }),
    );
    let r = world.send_ok(
        authority(5),
        &IdentityRegistry::confirmKeySetCall { keySetHash: hash },
    );
    assert_eq!(
        world.events(&r),
        vec![event!(KeySetConfirmed {
            keySetHash: hash,
            account: authority(5),
            index: 5,
            confirmations: U256::from(5)
        })]
    );
    assert_eq!(world.epoch(), 0);
    // The consortium's admin threshold (2) approves the first key set.
    world.send_ok(
        ADMIN,
        &IdentityRegistry::approveKeySetCall { keySetHash: hash },
    );
    assert_eq!(approvals(&world, APPROVE_KEY_SET, hash), (1, 2));
    let r = world.send_ok(
        ADMIN2,
        &IdentityRegistry::approveKeySetCall { keySetHash: hash },
    );
    assert_eq!(
        world.events(&r),
        vec![
            event!(MotionApproved {
                motion: APPROVE_KEY_SET,
                subject: hash,
                account: ADMIN2,
                index: 0,
                approvals: U256::from(2),
                needed: U256::from(2)
            }),
            event!(KeySetApproved { keySetHash: hash }),
            event!(KeySetActivated {
                keySetHash: hash,
                epoch: 1
            }),
            event!(EpochAdvanced {
                epoch: 1,
                keySetHash: hash
            }),
        ]
    );
    let info = world.view(IdentityRegistry::keySetCall { keySetHash: hash });
    assert_eq!(
        (info.status, info.confirmations, info.activationEpoch),
        (ACTIVE, 0x1f, 1)
    );
    assert_eq!(world.view(IdentityRegistry::activeKeySetCall {}), hash);
    assert_reverts(
        &world.send(
            authority(1),
            &IdentityRegistry::confirmKeySetCall { keySetHash: hash },
        ),
        error!(IdentityRegistryKeySetNotProposed {
            keySetHash: hash,
            status: ACTIVE
        }),
    );

    // A rotation: approved by t = 3 authorities of the active set, the new set is scheduled
    // for the first epoch change at least minEpochDuration later; a later one supersedes it.
    let (gpk2, _) = run_dkg_with_rng(&mut world.rng, ThresholdParams::new(2, 3).unwrap()).unwrap();
    let set2 = key_set(&gpk2, &[authority(3), authority(6), authority(8)]);
    let (hash2, r) = world.install(&set2);
    let scheduled_at = world.timestamp(&r);
    assert_eq!(
        world.events(&r),
        vec![
            event!(MotionApproved {
                motion: APPROVE_KEY_SET,
                subject: hash2,
                account: authority(3),
                index: 3,
                approvals: U256::from(3),
                needed: U256::from(3)
            }),
            event!(KeySetApproved { keySetHash: hash2 }),
            event!(KeySetScheduled {
                keySetHash: hash2,
                notBefore: scheduled_at + EPOCH
            }),
        ]
    );
    assert_eq!(world.view(IdentityRegistry::scheduledKeySetCall {}), hash2);
    let (gpk3, _) = run_dkg_with_rng(&mut world.rng, ThresholdParams::new(2, 3).unwrap()).unwrap();
    let set3 = key_set(&gpk3, &[authority(10), authority(11), authority(12)]);
    let (hash3, _) = world.install(&set3);
    assert_eq!(
        world
            .view(IdentityRegistry::keySetCall { keySetHash: hash2 })
            .status,
        SUPERSEDED
    );
    assert_eq!(
        world
            .view(IdentityRegistry::keySetCall { keySetHash: hash3 })
            .status,
        SCHEDULED
    );
    // The epoch change due first comes less than minEpochDuration after the scheduling: the
    // active set stays (the review window), the next one activates the scheduled set.
    let r = world.advance();
    assert_eq!(
        world.events(&r),
        vec![event!(EpochAdvanced {
            epoch: 2,
            keySetHash: hash
        })]
    );
    assert_eq!(world.view(IdentityRegistry::scheduledKeySetCall {}), hash3);
    let r = world.advance();
    assert_eq!(
        world.events(&r),
        vec![
            event!(KeySetActivated {
                keySetHash: hash3,
                epoch: 3
            }),
            event!(EpochAdvanced {
                epoch: 3,
                keySetHash: hash3
            })
        ]
    );
    assert_eq!(
        world
            .view(IdentityRegistry::keySetCall { keySetHash: hash })
            .status,
        RETIRED
    );
    assert_eq!(world.view(IdentityRegistry::activeKeySetCall {}), hash3);
    assert_eq!(
        world.view(IdentityRegistry::scheduledKeySetCall {}),
        B256::ZERO
    );
}

#[test]
fn key_set_validation() {
    let mut world = World::deployed(3, 5, 9);
    let set = world.key_set();
    let propose = |world: &mut World, s: IIdentityRegistry::KeySet| {
        world.send(
            authority(1),
            &IdentityRegistry::proposeKeySetCall { keySet_: s },
        )
    };
    // Below the deployment's minimums (t >= 2, n >= 3), t > n, nothing.
    for (t, n) in [(0u8, 5usize), (1, 5), (2, 2), (6, 5), (1, 0)] {
        let mut s = set.clone();
        s.threshold = t;
        s.authorities.truncate(n);
        assert_reverts(
            &propose(&mut world, s),
            error!(IdentityRegistryInvalidThreshold {
                threshold: U256::from(t),
                size: U256::from(n)
            }),
        );
    }
    // 17 authorities.
    let mut s = set.clone();
    while s.authorities.len() < 17 {
        let mut a = s.authorities[0].clone();
        a.index = s.authorities.len() as u8 + 1;
        s.authorities.push(a);
    }
    assert_reverts(
        &propose(&mut world, s),
        error!(IdentityRegistryInvalidThreshold {
            threshold: U256::from(3),
            size: U256::from(17)
        }),
    );

    let mut s = set.clone();
    s.authorities[2].index = 4;
    assert_reverts(
        &propose(&mut world, s),
        error!(IdentityRegistryInvalidAuthorityIndex {
            position: U256::from(2),
            index: U256::from(4)
        }),
    );
    for bad in [Address::ZERO, OUTSIDER, authority(1)] {
        let mut s = set.clone();
        s.authorities[3].account = bad;
        assert_reverts(
            &propose(&mut world, s),
            error!(IdentityRegistryInvalidAuthority { account: bad }),
        );
    }
    let mut s = set.clone();
    s.ye.y += U256::from(1);
    assert_reverts(
        &propose(&mut world, s.clone()),
        error!(Bn254InvalidPoint {
            x: s.ye.x,
            y: s.ye.y
        }),
    );
    let mut s = set.clone();
    s.authorities[1].tracing = IdentityBn254::G1Point::default();
    assert_reverts(&propose(&mut world, s), error!(Bn254IdentityPoint {}));
    // A listed authority that lost ROLE_AUTHORITY can no longer confirm.
    let r = world.send_ok(
        authority(1),
        &IdentityRegistry::proposeKeySetCall { keySet_: set },
    );
    let hash = IdentityRegistry::proposeKeySetCall::abi_decode_returns(&r.output).unwrap();
    world.remove_member(authority(2));
    assert_reverts(
        &world.send(
            authority(2),
            &IdentityRegistry::confirmKeySetCall { keySetHash: hash },
        ),
        error!(IdentityRegistryUnauthorizedAccount {
            account: authority(2)
        }),
    );
}

#[test]
fn constructor_rejects_bad_configuration() {
    let mut world = World::deployed(2, 3, 14);
    // No consortium, no epoch length, a threshold of 1 (one authority could trace alone), a
    // threshold above the size, more than 16 authorities.
    let consortium = world.consortium;
    for (consortium, duration, t, n) in [
        (Address::ZERO, EPOCH, 2, 3),
        (consortium, 0, 2, 3),
        (consortium, EPOCH, 1, 3),
        (consortium, EPOCH, 0, 0),
        (consortium, EPOCH, 4, 3),
        (consortium, EPOCH, 2, 17),
    ] {
        let r = world
            .chain
            .deploy_as(
                identity::DEPLOYER,
                medshare_contracts::deploy_code(
                    &IdentityRegistry::BYTECODE,
                    &IdentityRegistry::constructorCall {
                        consortium_: consortium,
                        minEpochDuration_: duration,
                        minThreshold_: t,
                        minAuthorities_: n,
                    },
                ),
            )
            .unwrap();
        assert_eq!(
            decode_error(&r.output),
            error!(IdentityRegistryInvalidConfiguration {})
        );
    }
    assert_eq!(
        world.view(IdentityRegistry::consortiumCall {}),
        world.consortium
    );
    assert_eq!(
        world.view(IdentityRegistry::ROLE_AUTHORITYCall {}),
        medshare_contracts::roles::AUTHORITY
    );
    assert_eq!(
        world.view(IdentityRegistry::ROLE_ADMINCall {}),
        medshare_contracts::roles::ADMIN
    );
    assert_eq!(
        (
            world.view(IdentityRegistry::minThresholdCall {}),
            world.view(IdentityRegistry::minAuthoritiesCall {})
        ),
        (MIN_THRESHOLD, MIN_AUTHORITIES)
    );
}

#[test]
fn single_authority_cannot_replace_key_set() {
    // Active: 3-of-7 held by authorities 1..=7. The attacker is authority 1; its best move is
    // a key set whose every share it holds, listing itself and two accounts it controls
    // (authorities 14 and 15: members with ROLE_AUTHORITY, outside the active set).
    let mut world = World::new(3, 7, 21);
    let honest = world.view(IdentityRegistry::activeKeySetCall {});
    let attacker = authority(1);

    // A 1-of-1 set naming only itself is below the deployment's minimums.
    let (solo, _) = run_dkg_with_rng(&mut world.rng, ThresholdParams::new(1, 1).unwrap()).unwrap();
    assert_reverts(
        &world.send(
            attacker,
            &IdentityRegistry::proposeKeySetCall {
                keySet_: key_set(&solo, &[attacker]),
            },
        ),
        error!(IdentityRegistryInvalidThreshold {
            threshold: U256::from(1),
            size: U256::from(1)
        }),
    );

    // The smallest allowed set, all of it the attacker's: proposed and fully confirmed.
    let (own_gpk, own_keys) =
        run_dkg_with_rng(&mut world.rng, ThresholdParams::new(2, 3).unwrap()).unwrap();
    let own_set = key_set(&own_gpk, &[attacker, authority(14), authority(15)]);
    let own = world.propose_and_confirm(&own_set);
    assert_eq!(
        world
            .view(IdentityRegistry::keySetCall { keySetHash: own })
            .confirmations,
        0b111
    );
    // Its own approval is one of the three needed; its sybils are not in the active set.
    world.send_ok(
        attacker,
        &IdentityRegistry::approveKeySetCall { keySetHash: own },
    );
    assert_eq!(approvals(&world, APPROVE_KEY_SET, own), (1, 3));
    assert_reverts(
        &world.send(
            attacker,
            &IdentityRegistry::approveKeySetCall { keySetHash: own },
        ),
        error!(IdentityRegistryAlreadyApproved {
            motion: APPROVE_KEY_SET,
            subject: own,
            account: attacker
        }),
    );
    for sybil in [authority(14), authority(15), ADMIN] {
        assert_reverts(
            &world.send(
                sybil,
                &IdentityRegistry::approveKeySetCall { keySetHash: own },
            ),
            error!(IdentityRegistryUnauthorizedAccount { account: sybil }),
        );
    }
    // Nor can it hurry the epoch on its own.
    world.send_ok(
        attacker,
        &IdentityRegistry::approveEpochRotationCall { epoch: 1 },
    );
    assert_eq!(world.epoch(), 1);

    // After the epoch advances, the honest set is still active and the attacker's set waits.
    world.advance();
    assert_eq!(world.view(IdentityRegistry::activeKeySetCall {}), honest);
    let info = world.view(IdentityRegistry::keySetCall { keySetHash: own });
    assert_eq!(info.status, PROPOSED);
    assert_eq!(
        world.view(IdentityRegistry::scheduledKeySetCall {}),
        B256::ZERO
    );

    // What it can issue by itself is worthless: a credential under its own key set yields
    // tokens the registry refuses.
    let user = UserSecret::random_with_rng(&mut world.rng);
    let forged = world.issue_with(&own_gpk, &own_keys, &user, 2);
    let ctx = world.context(1);
    let token = forged
        .show_with_rng(&mut world.rng, &own_gpk, &ctx)
        .expect("an accepted scope");
    assert_eq!(
        world.verify(&sol_token(&token, &own_gpk, &ctx), &sol_context(&ctx)),
        Ok(false)
    );

    // The rule is exactly t: a second colluder is still not enough, a third is. The same
    // approvals count again in the new epoch because the approvers (the active set) are the same.
    world.send_ok(
        authority(2),
        &IdentityRegistry::approveKeySetCall { keySetHash: own },
    );
    assert_eq!(
        world
            .view(IdentityRegistry::keySetCall { keySetHash: own })
            .status,
        PROPOSED
    );
    let r = world.send_ok(
        authority(3),
        &IdentityRegistry::approveKeySetCall { keySetHash: own },
    );
    assert!(world.events(&r).contains(&event!(KeySetScheduled {
        keySetHash: own,
        notBefore: world.timestamp(&r) + EPOCH
    })));
    // Even the colluders' t-of-n early rotation cannot activate it inside the review window...
    for i in [1u8, 2, 3] {
        world.send_ok(
            authority(i),
            &IdentityRegistry::approveEpochRotationCall { epoch: 2 },
        );
    }
    assert_eq!(world.epoch(), 3);
    assert_eq!(world.view(IdentityRegistry::activeKeySetCall {}), honest);
    // ... in which t honest authorities of the active set stop it.
    for i in [4u8, 5] {
        world.send_ok(
            authority(i),
            &IdentityRegistry::cancelKeySetCall { keySetHash: own },
        );
    }
    assert_eq!(approvals(&world, CANCEL_KEY_SET, own), (2, 3));
    let r = world.send_ok(
        authority(6),
        &IdentityRegistry::cancelKeySetCall { keySetHash: own },
    );
    assert!(
        world
            .events(&r)
            .contains(&event!(KeySetCancelled { keySetHash: own }))
    );
    world.advance();
    assert_eq!(world.view(IdentityRegistry::activeKeySetCall {}), honest);
    assert_eq!(
        world
            .view(IdentityRegistry::keySetCall { keySetHash: own })
            .status,
        CANCELLED
    );
}

#[test]
fn first_key_set_needs_the_consortium_admin_threshold() {
    // The fixture's consortium: two admins, threshold 2.
    let mut world = World::deployed(2, 3, 22);
    let set = world.key_set();
    let hash = world.propose_and_confirm(&set);

    // Authorities, even all of those listed, cannot install the first key set.
    assert_reverts(
        &world.send(
            authority(1),
            &IdentityRegistry::approveKeySetCall { keySetHash: hash },
        ),
        error!(IdentityRegistryUnauthorizedAccount {
            account: authority(1)
        }),
    );
    // One admin alone is not enough.
    let r = world.send_ok(
        ADMIN,
        &IdentityRegistry::approveKeySetCall { keySetHash: hash },
    );
    assert_eq!(
        world.events(&r),
        vec![event!(MotionApproved {
            motion: APPROVE_KEY_SET,
            subject: hash,
            account: ADMIN,
            index: 0,
            approvals: U256::from(1),
            needed: U256::from(2)
        })]
    );
    assert_eq!(world.epoch(), 0);
    assert_reverts(
        &world.send(
            ADMIN,
            &IdentityRegistry::approveKeySetCall { keySetHash: hash },
        ),
        error!(IdentityRegistryAlreadyApproved {
            motion: APPROVE_KEY_SET,
            subject: hash,
            account: ADMIN
        }),
    );
    // A change of the admin set starts a new round: the earlier approval lapses.
    world.consortium_change(action::ADD_MEMBER, ADMIN3, roles::ADMIN);
    world.send_ok(
        ADMIN2,
        &IdentityRegistry::approveKeySetCall { keySetHash: hash },
    );
    assert_eq!(
        world.epoch(),
        0,
        "ADMIN's approval was in the previous admin epoch"
    );
    let r = world.send_ok(
        ADMIN,
        &IdentityRegistry::approveKeySetCall { keySetHash: hash },
    );
    assert!(world.events(&r).contains(&event!(KeySetActivated {
        keySetHash: hash,
        epoch: 1
    })));
    assert_eq!(world.view(IdentityRegistry::activeKeySetCall {}), hash);
}

#[test]
fn a_consortium_run_by_one_admin_cannot_install_the_first_key_set() {
    let mut world = World::deployed(2, 3, 29);
    world.consortium_change(action::SET_THRESHOLD, Address::ZERO, U256::from(1));
    let set = world.key_set();
    let hash = world.propose_and_confirm(&set);
    for admin in [ADMIN, ADMIN2] {
        assert_reverts(
            &world.send(
                admin,
                &IdentityRegistry::approveKeySetCall { keySetHash: hash },
            ),
            error!(IdentityRegistryAdminThresholdTooLow {
                threshold: U256::from(1)
            }),
        );
    }
    assert_eq!(world.epoch(), 0);
}

#[test]
fn approvals_lapse_when_the_active_key_set_changes() {
    // Approvals of a rotation are bound to the key set that gave them: after another rotation,
    // an approval by the old active set no longer counts.
    let mut world = World::new(2, 3, 23);
    let (gpk_a, _) = run_dkg_with_rng(&mut world.rng, ThresholdParams::new(2, 3).unwrap()).unwrap();
    let (gpk_b, _) = run_dkg_with_rng(&mut world.rng, ThresholdParams::new(2, 3).unwrap()).unwrap();
    let set_b = key_set(&gpk_b, &[authority(7), authority(8), authority(9)]);
    let hash_b = world.propose_and_confirm(&set_b);
    world.send_ok(
        authority(1),
        &IdentityRegistry::approveKeySetCall { keySetHash: hash_b },
    );
    assert_eq!(approvals(&world, APPROVE_KEY_SET, hash_b), (1, 2));
    // A rotation to A (authorities 4..=6) happens first.
    let set_a = key_set(&gpk_a, &[authority(4), authority(5), authority(6)]);
    world.install(&set_a);
    world.activate_scheduled();
    assert_eq!(approvals(&world, APPROVE_KEY_SET, hash_b), (0, 2));
    assert_reverts(
        &world.send(
            authority(2),
            &IdentityRegistry::approveKeySetCall { keySetHash: hash_b },
        ),
        error!(IdentityRegistryUnauthorizedAccount {
            account: authority(2)
        }),
    );
    // One of A plus authority 1's old approval would be two; only A's own count.
    world.send_ok(
        authority(4),
        &IdentityRegistry::approveKeySetCall { keySetHash: hash_b },
    );
    assert_eq!(
        world
            .view(IdentityRegistry::keySetCall { keySetHash: hash_b })
            .status,
        PROPOSED
    );
    world.send_ok(
        authority(6),
        &IdentityRegistry::approveKeySetCall { keySetHash: hash_b },
    );
    assert_eq!(
        world
            .view(IdentityRegistry::keySetCall { keySetHash: hash_b })
            .status,
        SCHEDULED
    );
}

#[test]
fn a_late_confirmation_cannot_replace_a_scheduled_key_set() {
    // The review's attack: t authorities approve S2 while one of its members holds back its
    // confirmation; the honest side schedules S1; the member confirms S2 at a moment of its
    // choosing to supersede S1 and restart the review window. Approving an incomplete set is
    // refused, so a confirmation never makes a key set take effect.
    let mut world = World::new(2, 3, 28);
    let (gpk2, _) = run_dkg_with_rng(&mut world.rng, ThresholdParams::new(2, 3).unwrap()).unwrap();
    let set2 = key_set(&gpk2, &[authority(7), authority(8), authority(9)]);
    let r = world.send_ok(
        authority(7),
        &IdentityRegistry::proposeKeySetCall { keySet_: set2 },
    );
    let s2 = IdentityRegistry::proposeKeySetCall::abi_decode_returns(&r.output).unwrap();
    for i in [7u8, 8] {
        world.send_ok(
            authority(i),
            &IdentityRegistry::confirmKeySetCall { keySetHash: s2 },
        );
    }
    for i in [1u8, 2] {
        assert_reverts(
            &world.send(
                authority(i),
                &IdentityRegistry::approveKeySetCall { keySetHash: s2 },
            ),
            error!(IdentityRegistryKeySetNotConfirmed {
                keySetHash: s2,
                confirmations: 0b011
            }),
        );
    }
    let (gpk1, _) = run_dkg_with_rng(&mut world.rng, ThresholdParams::new(2, 3).unwrap()).unwrap();
    let (s1, _) = world.install(&key_set(&gpk1, &[authority(4), authority(5), authority(6)]));
    let r = world.send_ok(
        authority(9),
        &IdentityRegistry::confirmKeySetCall { keySetHash: s2 },
    );
    assert_eq!(world.events(&r).len(), 1, "a confirmation only confirms");
    assert_eq!(world.view(IdentityRegistry::scheduledKeySetCall {}), s1);
    assert_eq!(
        world
            .view(IdentityRegistry::keySetCall { keySetHash: s2 })
            .status,
        PROPOSED
    );
}

#[test]
fn key_sets_with_inconsistent_tracing_shares_are_rejected() {
    let mut world = World::deployed(3, 5, 24);
    let set = world.key_set();
    let propose = |world: &mut World, s: IIdentityRegistry::KeySet| {
        world.send(
            authority(1),
            &IdentityRegistry::proposeKeySetCall { keySet_: s },
        )
    };
    // The tracing key of another DKG, one share of another DKG, two shares swapped: every
    // trace would output garbage, so the proposal is refused and names the first bad index.
    let (other, _) = run_dkg_with_rng(&mut world.rng, ThresholdParams::new(3, 5).unwrap()).unwrap();
    let foreign = key_set(&other, &(1..=5).map(authority).collect::<Vec<_>>());
    let mut s = set.clone();
    s.tracing = foreign.tracing.clone();
    assert_reverts(
        &propose(&mut world, s),
        error!(IdentityRegistryInconsistentKeyShares { index: U256::ZERO }),
    );
    let mut s = set.clone();
    s.authorities[4].tracing = foreign.authorities[4].tracing.clone();
    assert_reverts(
        &propose(&mut world, s),
        error!(IdentityRegistryInconsistentKeyShares {
            index: U256::from(5)
        }),
    );
    let mut s = set.clone();
    let t1 = s.authorities[0].tracing.clone();
    s.authorities[0].tracing = s.authorities[1].tracing.clone();
    s.authorities[1].tracing = t1;
    assert_reverts(
        &propose(&mut world, s),
        error!(IdentityRegistryInconsistentKeyShares { index: U256::ZERO }),
    );
    // With t = n there is only the check at 0.
    let (full, _) = run_dkg_with_rng(&mut world.rng, ThresholdParams::new(3, 3).unwrap()).unwrap();
    let mut s = key_set(&full, &[authority(1), authority(2), authority(3)]);
    assert!(propose(&mut world, s.clone()).status);
    s.authorities[2].tracing = foreign.authorities[2].tracing.clone();
    assert_reverts(
        &propose(&mut world, s),
        error!(IdentityRegistryInconsistentKeyShares { index: U256::ZERO }),
    );
    // The consistent set passes.
    assert!(propose(&mut world, set).status);
}

#[test]
fn early_epoch_rotation_needs_t_authorities() {
    let mut world = World::new(3, 5, 25);
    assert_reverts(
        &world.send(
            authority(1),
            &IdentityRegistry::approveEpochRotationCall { epoch: 2 },
        ),
        error!(IdentityRegistryWrongEpoch {
            epoch: 2,
            current: 1
        }),
    );
    let subject = B256::from(U256::from(1));
    for (k, i) in [2u8, 4].into_iter().enumerate() {
        let r = world.send_ok(
            authority(i),
            &IdentityRegistry::approveEpochRotationCall { epoch: 1 },
        );
        assert_eq!(
            world.events(&r),
            vec![event!(MotionApproved {
                motion: ROTATE_EPOCH,
                subject,
                account: authority(i),
                index: i,
                approvals: U256::from(k + 1),
                needed: U256::from(3)
            })]
        );
        assert_eq!(world.epoch(), 1);
    }
    // An authority outside the active set does not count.
    assert_reverts(
        &world.send(
            authority(9),
            &IdentityRegistry::approveEpochRotationCall { epoch: 1 },
        ),
        error!(IdentityRegistryUnauthorizedAccount {
            account: authority(9)
        }),
    );
    // An approver that loses ROLE_AUTHORITY (e.g. removed when its key leaked) no longer
    // counts, and cannot approve again.
    world.remove_member(authority(4));
    assert_eq!(approvals(&world, ROTATE_EPOCH, subject), (1, 3));
    assert_reverts(
        &world.send(
            authority(4),
            &IdentityRegistry::approveEpochRotationCall { epoch: 1 },
        ),
        error!(IdentityRegistryUnauthorizedAccount {
            account: authority(4)
        }),
    );
    world.send_ok(
        authority(1),
        &IdentityRegistry::approveEpochRotationCall { epoch: 1 },
    );
    assert_eq!(world.epoch(), 1, "two live approvals of three");
    // The third live approval rotates at once, long before minEpochDuration.
    let r = world.send_ok(
        authority(3),
        &IdentityRegistry::approveEpochRotationCall { epoch: 1 },
    );
    let active = world.view(IdentityRegistry::activeKeySetCall {});
    assert_eq!(
        world.events(&r).last(),
        Some(&event!(EpochAdvanced {
            epoch: 2,
            keySetHash: active
        }))
    );
    assert_eq!(world.epoch(), 2);
    assert_eq!(
        approvals(&world, ROTATE_EPOCH, B256::from(U256::from(2))),
        (0, 3)
    );
}

/// A user with a credential of the current epoch whose consumed token has been traced by
/// authorities 1 and 3 of a 2-of-3 world; returns the user, the credential and the commitment.
fn traced_user(world: &mut World) -> (UserSecret, medshare_identity::Credential, B256) {
    let user = UserSecret::random_with_rng(&mut world.rng);
    let credential = world.issue(&user, world.epoch());
    let ctx = world.context(1);
    let token = world.show(&credential, &ctx);
    let tag = token
        .verify(&world.gpk, &ctx, world.epoch())
        .unwrap()
        .tracing_tag();
    let sol = sol_token(&token, &world.gpk, &ctx);
    assert!(world.consume(APP, &sol, &sol_context(&ctx)).status);
    let id = world.request_trace(&sol);
    for i in [1u8, 3] {
        let share = world.share(i, &tag);
        assert!(world.submit_share(id, &share).status);
    }
    let commitment = B256::from(user.identity().commitment());
    (user, credential, commitment)
}

#[test]
fn revocation_needs_a_completed_trace_and_t_authorities() {
    let mut world = World::new(2, 3, 13);
    let revoke = |c: B256| IdentityRegistry::revokeIdentityCall {
        identityCommitment: c,
        reason: B256::repeat_byte(0xee),
    };
    // No one is revoked without a completed threshold trace.
    let bystander = B256::from(
        UserSecret::random_with_rng(&mut world.rng)
            .identity()
            .commitment(),
    );
    assert_reverts(
        &world.send(authority(1), &revoke(bystander)),
        error!(IdentityRegistryUntracedIdentity {
            identityCommitment: bystander
        }),
    );
    let (_, _, commitment) = traced_user(&mut world);
    assert_reverts(
        &world.send(OUTSIDER, &revoke(commitment)),
        error!(IdentityRegistryUnauthorizedAccount { account: OUTSIDER }),
    );
    assert_reverts(
        &world.send(authority(9), &revoke(commitment)),
        error!(IdentityRegistryUnauthorizedAccount {
            account: authority(9)
        }),
    );
    // One authority alone: recorded, not revoked.
    let r = world.send_ok(authority(2), &revoke(commitment));
    assert_eq!(
        world.events(&r),
        vec![event!(MotionApproved {
            motion: REVOKE_IDENTITY,
            subject: commitment,
            account: authority(2),
            index: 2,
            approvals: U256::from(1),
            needed: U256::from(2)
        })]
    );
    assert!(!world.view(IdentityRegistry::isRevokedCall {
        identityCommitment: commitment
    }));
    assert_reverts(
        &world.send(authority(2), &revoke(commitment)),
        error!(IdentityRegistryAlreadyApproved {
            motion: REVOKE_IDENTITY,
            subject: commitment,
            account: authority(2)
        }),
    );
    // The second revokes and starts epoch 2 at once.
    let r = world.send_ok(authority(3), &revoke(commitment));
    let active = world.view(IdentityRegistry::activeKeySetCall {});
    assert_eq!(
        world.events(&r)[1..],
        [
            event!(IdentityRevoked {
                identityCommitment: commitment,
                authority: authority(3),
                reason: B256::repeat_byte(0xee)
            }),
            event!(EpochAdvanced {
                epoch: 2,
                keySetHash: active
            })
        ]
    );
    assert_eq!(world.epoch(), 2);
    assert_eq!(
        world.view(IdentityRegistry::identityStatusCall {
            identityCommitment: commitment
        }),
        2
    );
    assert_reverts(
        &world.send(authority(1), &revoke(commitment)),
        error!(IdentityRegistryAlreadyRevoked {
            identityCommitment: commitment
        }),
    );
}

#[test]
fn revoked_user_has_no_valid_token_after_the_rotation() {
    let mut world = World::new(2, 3, 26);
    let (user, credential, commitment) = traced_user(&mut world);
    // Every credential it can hold is of the current epoch (authorities issue for no other):
    // a second one from another pair of authorities, and fresh tokens from both, verify now.
    let gpk = world.gpk.clone();
    let keys = world.keys.clone();
    let second = world.issue_with(&gpk, &keys[1..], &user, 1);
    assert!(fresh_token_verifies(&mut world, &credential));
    assert!(fresh_token_verifies(&mut world, &second));
    let honest = UserSecret::random_with_rng(&mut world.rng);

    for i in [1u8, 2] {
        world.send_ok(
            authority(i),
            &IdentityRegistry::revokeIdentityCall {
                identityCommitment: commitment,
                reason: B256::ZERO,
            },
        );
    }
    assert_eq!(world.epoch(), 2);
    // Fresh tokens from either credential are refused, verified and consumed.
    for held in [&credential, &second] {
        assert!(!fresh_token_verifies(&mut world, held));
        let ctx = world.context(0x43);
        let token = world.show(held, &ctx);
        assert_reverts(
            &world.consume(
                APP,
                &sol_token(&token, &world.gpk, &ctx),
                &sol_context(&ctx),
            ),
            error!(IdentityRegistryWrongEpoch {
                epoch: 1,
                current: 2
            }),
        );
    }
    // Honest users are issued credentials of the new epoch and carry on.
    let renewed = world.issue(&honest, 2);
    assert!(fresh_token_verifies(&mut world, &renewed));
}

//! End-to-end behaviour: honest runs, and every rejection the issue asks for.

mod common;

use std::collections::{HashMap, HashSet};

use common::*;
use medshare_identity::{
    AggregateError, AuthoritySecretKey, Dealer, DkgError, DkgSession, GroupPublicKey,
    IssuanceRequest, IssuanceRequestError, RegistrationError, ThresholdParams, Token,
    TokenVerificationError, TraceError, TraceShare, TraceShareError, UnblindError, UserSecret,
    trace,
};

#[test]
fn honest_issue_show_verify_trace() {
    let mut rng = rng(1);
    let (gpk, auths) = setup(&mut rng, 3, 5);
    let user = UserSecret::random_with_rng(&mut rng);
    let m = register(&mut rng, &user, 1);
    for signers in [[0usize, 1, 2], [2, 3, 4], [4, 0, 3]] {
        let cred = issue(&mut rng, &gpk, &auths, &user, &m, 9, &signers);
        let tok = cred
            .show_with_rng(&mut rng, &gpk, &ctx(1))
            .expect("an accepted scope");
        let v = Token::from_bytes(&tok.to_bytes())
            .expect("decodes")
            .verify(&gpk, &ctx(1), 9)
            .expect("valid");
        let tag = v.tracing_tag();
        let shares: Vec<_> = [1usize, 3, 4]
            .iter()
            .map(|&i| auths[i].trace_share_with_rng(&mut rng, &tag))
            .collect();
        assert_eq!(trace(&gpk, &tag, &shares), Ok(m));
    }
}

#[test]
fn forged_credentials_are_rejected() {
    let mut rng = rng(2);
    let (gpk, auths) = setup(&mut rng, 2, 3);
    let (other_gpk, other_auths) = setup(&mut rng, 2, 3);
    let user = UserSecret::random_with_rng(&mut rng);
    let m = register(&mut rng, &user, 2);
    // A credential of another authority set (e.g. a rogue or test deployment).
    let rogue = issue(&mut rng, &other_gpk, &other_auths, &user, &m, 1, &[0, 1]);
    let tok = rogue
        .show_with_rng(&mut rng, &gpk, &ctx(1))
        .expect("an accepted scope");
    assert_eq!(
        tok.verify(&gpk, &ctx(1), 1).map_err(|e| e.0).err(),
        Some(TokenVerificationError::InvalidSignature)
    );
    // Partials of two different authority sets do not combine.
    let (req, pending) = user.request_credential_with_rng(&mut rng, 1);
    let good = pending
        .unblind(
            &gpk.authority(1).expect("vk"),
            &auths[0].blind_sign(&req.verify(1, &m).expect("ok")),
        )
        .expect("ok");
    let foreign = pending
        .unblind(
            &other_gpk.authority(2).expect("vk"),
            &other_auths[1].blind_sign(&req.verify(1, &m).expect("ok")),
        )
        .expect("ok");
    assert_eq!(
        pending.clone().finish(&gpk, &[good, foreign]).err(),
        Some(AggregateError::InvalidCredential)
    );
    // A blind signature checked against the wrong authority's key.
    let b = auths[0].blind_sign(&req.verify(1, &m).expect("ok"));
    assert_eq!(
        pending.unblind(&gpk.authority(2).expect("vk"), &b).err(),
        Some(UnblindError::WrongAuthority)
    );
    let mut bytes = b.to_bytes();
    bytes[1] = 2; // claim to be authority 2
    let relabelled = medshare_identity::BlindSignature::from_bytes(&bytes).expect("decodes");
    assert_eq!(
        pending
            .unblind(&gpk.authority(2).expect("vk"), &relabelled)
            .err(),
        Some(UnblindError::InvalidSignature)
    );
}

#[test]
fn t_minus_one_issuers_cannot_issue() {
    let mut rng = rng(3);
    let (gpk, auths) = setup(&mut rng, 3, 4);
    let user = UserSecret::random_with_rng(&mut rng);
    let m = register(&mut rng, &user, 3);
    let (req, pending) = user.request_credential_with_rng(&mut rng, 5);
    let partials: Vec<_> = auths[..2]
        .iter()
        .map(|a| {
            let b = a.blind_sign(&req.verify(5, &m).expect("ok"));
            pending
                .unblind(&gpk.authority(a.index()).expect("vk"), &b)
                .expect("ok")
        })
        .collect();
    // Repeating a partial does not count twice.
    let doubled = [partials[0], partials[1], partials[1]];
    assert_eq!(
        pending.finish(&gpk, &doubled).err(),
        Some(AggregateError::NotEnoughPartials { needed: 3, got: 2 })
    );
    // (The cryptographic counterpart, interpolating t - 1 partials, is a unit test.)
}

#[test]
fn tokens_are_bound_to_context_and_epoch() {
    let mut rng = rng(4);
    let (gpk, auths) = setup(&mut rng, 2, 3);
    let user = UserSecret::random_with_rng(&mut rng);
    let m = register(&mut rng, &user, 4);
    let cred = issue(&mut rng, &gpk, &auths, &user, &m, 10, &[0, 2]);
    let c = ctx(7);
    let tok = cred
        .show_with_rng(&mut rng, &gpk, &c)
        .expect("an accepted scope");
    assert!(tok.verify(&gpk, &c, 10).is_ok());
    let mut others = Vec::new();
    let mut o = c;
    o.chain_id += 1;
    others.push(o);
    let mut o = c;
    o.verifying_contract[19] ^= 1;
    others.push(o);
    let mut o = c;
    o.action = medshare_identity::TokenContext::action_id("medshare.record.write");
    others.push(o);
    let mut o = c;
    o.sender[0] ^= 1;
    others.push(o);
    let mut o = c;
    o.nonce[31] ^= 1;
    others.push(o);
    // A second registry sharing the key set: the token does not replay there.
    let mut o = c;
    o.registry[0] ^= 1;
    others.push(o);
    for o in others {
        assert_eq!(
            tok.verify(&gpk, &o, 10).map_err(|e| e.0).err(),
            Some(TokenVerificationError::InvalidProof)
        );
    }
    assert_eq!(
        tok.verify(&gpk, &c, 11).map_err(|e| e.0).err(),
        Some(TokenVerificationError::WrongEpoch)
    );
    // An unscoped token is not a scoped one, and the reverse.
    assert_eq!(
        tok.verify(&gpk, &scoped_ctx(7, 1), 10)
            .map_err(|e| e.0)
            .err(),
        Some(TokenVerificationError::ScopeMismatch)
    );
    let scoped = cred
        .show_with_rng(&mut rng, &gpk, &scoped_ctx(7, 1))
        .expect("an accepted scope");
    assert_eq!(
        scoped.verify(&gpk, &c, 10).map_err(|e| e.0).err(),
        Some(TokenVerificationError::ScopeMismatch)
    );
    // Relabelling the epoch in the bytes breaks the proof and the signature.
    let mut b = tok.to_bytes();
    b[8] ^= 1; // last byte of the epoch: 10 -> 11
    let relabelled = Token::from_bytes(&b).expect("decodes");
    assert!(relabelled.verify(&gpk, &c, 11).is_err());
    // A credential of epoch 10 cannot show for epoch 11 at all.
    let (other_gpk, _) = setup(&mut rng, 2, 3);
    assert!(tok.verify(&other_gpk, &c, 10).is_err());
}

#[test]
fn tampered_tokens_are_rejected() {
    let mut rng = rng(5);
    let (gpk, auths) = setup(&mut rng, 2, 3);
    let user = UserSecret::random_with_rng(&mut rng);
    let m = register(&mut rng, &user, 5);
    let cred = issue(&mut rng, &gpk, &auths, &user, &m, 1, &[0, 1]);
    let tok = cred
        .show_with_rng(&mut rng, &gpk, &ctx(1))
        .expect("an accepted scope");
    let other = cred
        .show_with_rng(&mut rng, &gpk, &ctx(1))
        .expect("an accepted scope");
    let (good, donor) = (tok.to_bytes(), other.to_bytes());
    // Swap in each field of another valid token: (offset, len, name).
    let fields = [
        (9, 32, "kappa"),
        (41, 64, "h'"),
        (105, 64, "nu"),
        (169, 32, "C1"),
        (201, 32, "C2"),
        (233, 32, "c"),
        (265, 32, "z_m"),
        (297, 32, "z_r"),
        (329, 32, "z_k"),
    ];
    for (off, len, name) in fields {
        let mut b = good.clone();
        b[off..off + len].copy_from_slice(&donor[off..off + len]);
        let t = Token::from_bytes(&b).expect("still canonical");
        assert!(
            t.verify(&gpk, &ctx(1), 1).is_err(),
            "swapped {name} accepted"
        );
    }
    // Replacing the tracing tag by an encryption of another identity (C2 + H1-multiple is not
    // reachable without the proof; here: C2 of another user's token) fails the proof.
    let user2 = UserSecret::random_with_rng(&mut rng);
    let m2 = register(&mut rng, &user2, 6);
    let cred2 = issue(&mut rng, &gpk, &auths, &user2, &m2, 1, &[1, 2]);
    let tok2 = cred2
        .show_with_rng(&mut rng, &gpk, &ctx(1))
        .expect("an accepted scope")
        .to_bytes();
    let mut b = good;
    b[169..233].copy_from_slice(&tok2[169..233]);
    assert_eq!(
        Token::from_bytes(&b)
            .expect("decodes")
            .verify(&gpk, &ctx(1), 1)
            .map_err(|e| e.0)
            .err(),
        Some(TokenVerificationError::InvalidProof)
    );
}

#[test]
fn tracing_needs_t_good_shares() {
    let mut rng = rng(6);
    let (gpk, auths) = setup(&mut rng, 3, 5);
    let user = UserSecret::random_with_rng(&mut rng);
    let m = register(&mut rng, &user, 7);
    let cred = issue(&mut rng, &gpk, &auths, &user, &m, 2, &[0, 1, 2]);
    let v = cred
        .show_with_rng(&mut rng, &gpk, &ctx(2))
        .expect("an accepted scope")
        .verify(&gpk, &ctx(2), 2)
        .expect("valid");
    let tag = v.tracing_tag();
    let shares: Vec<_> = auths
        .iter()
        .map(|a| a.trace_share_with_rng(&mut rng, &tag))
        .collect();
    // t - 1 shares (even repeated) cannot trace.
    assert_eq!(
        trace(&gpk, &tag, &[shares[0], shares[1], shares[1]]),
        Err(TraceError::NotEnoughShares { needed: 3, got: 2 })
    );
    // One bad share among t is detected by its DLEQ proof...
    let mut bad = shares[2].to_bytes();
    bad[2..34].copy_from_slice(&shares[3].to_bytes()[2..34]); // D_3 := D_4
    let bad = TraceShare::from_bytes(&bad).expect("decodes");
    assert_eq!(
        bad.verify(&gpk, &tag).map_err(|e| e.0).err(),
        Some(TraceShareError::InvalidProof)
    );
    // ... a share claiming another index too ...
    let mut relabel = shares[2].to_bytes();
    relabel[1] = 5;
    let relabel = TraceShare::from_bytes(&relabel).expect("decodes");
    assert!(relabel.verify(&gpk, &tag).is_err());
    let mut unknown = shares[2].to_bytes();
    unknown[1] = 6;
    assert_eq!(
        TraceShare::from_bytes(&unknown)
            .expect("decodes")
            .verify(&gpk, &tag)
            .map_err(|e| e.0)
            .err(),
        Some(TraceShareError::UnknownAuthority)
    );
    // ... and the remaining good ones plus another suffice.
    let good: Vec<_> = [0usize, 1, 4]
        .iter()
        .map(|&i| shares[i].unverify().verify(&gpk, &tag).expect("good"))
        .collect();
    assert_eq!(trace(&gpk, &tag, &good), Ok(m));
    // A share for another token is refused.
    let v2 = cred
        .show_with_rng(&mut rng, &gpk, &ctx(3))
        .expect("an accepted scope")
        .verify(&gpk, &ctx(3), 2)
        .expect("valid");
    let tag2 = v2.tracing_tag();
    assert!(shares[0].unverify().verify(&gpk, &tag2).is_err());
    let other = auths[0].trace_share_with_rng(&mut rng, &tag2);
    assert_eq!(
        trace(&gpk, &tag, &[other, shares[1], shares[2]]),
        Err(TraceError::ShareForAnotherTag)
    );
}

#[test]
fn registration_and_issuance_checks() {
    let mut rng = rng(7);
    let (gpk, auths) = setup(&mut rng, 2, 3);
    let user = UserSecret::random_with_rng(&mut rng);
    let other = UserSecret::random_with_rng(&mut rng);
    let c = reg_ctx(1);
    let reg = user.register_with_rng(&mut rng, &c);
    // Bound to the RID digest, the registry and the chain.
    for mut o in [reg_ctx(2), c, c] {
        if o == c {
            o.chain_id = 1;
        }
        assert_eq!(
            reg.verify(&o).map_err(|e| e.0).err(),
            Some(RegistrationError::InvalidProof)
        );
    }
    let mut o = c;
    o.registry[0] = 0;
    assert!(reg.verify(&o).is_err());
    let m = reg.verify(&c).expect("valid").identity();
    // Someone else's M cannot be registered without m: swap M in the bytes.
    let mut b = reg.to_bytes();
    b[1..33].copy_from_slice(&other.identity().to_bytes()[1..]);
    assert!(
        medshare_identity::Registration::from_bytes(&b)
            .expect("decodes")
            .verify(&c)
            .is_err()
    );

    let (req, _) = user.request_credential_with_rng(&mut rng, 3);
    assert_eq!(
        req.verify(4, &m).map_err(|e| e.0).err(),
        Some(IssuanceRequestError::WrongEpoch)
    );
    assert_eq!(
        req.verify(3, &other.identity()).map_err(|e| e.0).err(),
        Some(IssuanceRequestError::NotRegistered)
    );
    // A user cannot ask for a credential on another identity: the request is for M but
    // encrypts m' (forged by replacing b with another request's b).
    let (req2, _) = other.request_credential_with_rng(&mut rng, 3);
    let mut b = req.to_bytes();
    let off = 1 + 8 + 32 + 32 + 64 + 64; // b
    b[off..off + 64].copy_from_slice(&req2.to_bytes()[off..off + 64]);
    assert_eq!(
        IssuanceRequest::from_bytes(&b)
            .expect("decodes")
            .verify(3, &m)
            .map_err(|e| e.0)
            .err(),
        Some(IssuanceRequestError::InvalidProof)
    );
    // Revocation is per epoch: authorities refuse a revoked user's next request.
    let revoked: HashSet<[u8; 33]> = [m.to_bytes()].into();
    let (req, _) = user.request_credential_with_rng(&mut rng, 4);
    let v = req.verify(4, &m).expect("valid proof");
    assert!(revoked.contains(&v.identity().to_bytes()));
    let _ = (&gpk, &auths);
}

#[test]
fn unlinkability_no_shared_elements() {
    let mut rng = rng(8);
    let (gpk, auths) = setup(&mut rng, 2, 3);
    let user = UserSecret::random_with_rng(&mut rng);
    let m = register(&mut rng, &user, 8);
    let (req, pending) = user.request_credential_with_rng(&mut rng, 1);
    let blinds: Vec<_> = auths[..2]
        .iter()
        .map(|a| a.blind_sign(&req.verify(1, &m).expect("ok")))
        .collect();
    let partials: Vec<_> = blinds
        .iter()
        .zip(&auths)
        .map(|(b, a)| {
            pending
                .unblind(&gpk.authority(a.index()).expect("vk"), b)
                .expect("ok")
        })
        .collect();
    let cred = pending.finish(&gpk, &partials).expect("cred");
    // Everything the authorities saw at issuance, as 32-byte chunks of the wire forms.
    let mut issuance: HashSet<Vec<u8>> = HashSet::new();
    let req_b = req.to_bytes();
    for (off, len) in [(9, 32), (41, 32), (73, 64), (137, 64), (201, 64)] {
        issuance.insert(req_b[off..off + len].to_vec());
    }
    for b in &blinds {
        let b = b.to_bytes();
        issuance.insert(b[2..66].to_vec());
        issuance.insert(b[66..130].to_vec());
    }
    let elements = |t: &Token| -> Vec<Vec<u8>> {
        let b = t.to_bytes();
        [
            (9, 32),
            (41, 64),
            (105, 64),
            (169, 32),
            (201, 32),
            (233, 32),
            (265, 32),
            (297, 32),
            (329, 32),
        ]
        .iter()
        .map(|&(o, l)| b[o..o + l].to_vec())
        .collect()
    };
    let t1 = cred
        .show_with_rng(&mut rng, &gpk, &ctx(1))
        .expect("an accepted scope");
    let t2 = cred
        .show_with_rng(&mut rng, &gpk, &ctx(1))
        .expect("an accepted scope"); // even the same context
    let e1: HashSet<_> = elements(&t1).into_iter().collect();
    let e2: HashSet<_> = elements(&t2).into_iter().collect();
    assert!(e1.is_disjoint(&e2));
    assert!(e1.is_disjoint(&issuance) && e2.is_disjoint(&issuance));
    assert_ne!(t1.nullifier(), t2.nullifier());
    // The identity point M never appears in a token.
    let mb = m.to_bytes()[1..].to_vec();
    assert!(!e1.contains(&mb) && !e2.contains(&mb));
}

#[test]
fn population_of_50_traces_correctly() {
    let mut rng = rng(9);
    let (gpk, auths) = setup(&mut rng, 3, 5);
    let mut table: HashMap<[u8; 33], usize> = HashMap::new();
    let mut tokens = Vec::new();
    for rid in 0..50usize {
        let user = UserSecret::random_with_rng(&mut rng);
        let m = register(&mut rng, &user, rid as u8);
        table.insert(m.to_bytes(), rid);
        let signers = [rid % 5, (rid + 1) % 5, (rid + 3) % 5];
        let cred = issue(&mut rng, &gpk, &auths, &user, &m, 42, &signers);
        let tok = cred
            .show_with_rng(&mut rng, &gpk, &ctx(rid as u8))
            .expect("an accepted scope");
        tokens.push((rid, tok.verify(&gpk, &ctx(rid as u8), 42).expect("valid")));
    }
    let mut blocked: HashSet<[u8; 32]> = HashSet::new();
    for (rid, v) in &tokens {
        assert!(blocked.insert(v.nullifier()), "nullifier collision");
        let tag = v.tracing_tag();
        let shares: Vec<_> = [(rid + 2) % 5, (rid + 3) % 5, (rid + 4) % 5]
            .iter()
            .map(|&i| auths[i].trace_share_with_rng(&mut rng, &tag))
            .collect();
        let m = trace(&gpk, &tag, &shares).expect("traced");
        assert_eq!(table.get(&m.to_bytes()), Some(rid));
    }
}

#[test]
fn dkg_detects_and_excludes_a_cheating_dealer() {
    let mut rng = rng(10);
    let params = ThresholdParams::new(2, 4).expect("params");
    let session = DkgSession {
        params,
        id: [7; 32],
    };
    let dealers: Vec<Dealer> = (1..=4)
        .map(|j| Dealer::new_with_rng(&mut rng, &session, j).expect("dealer"))
        .collect();
    let dealings: Vec<_> = dealers
        .iter()
        .map(|d| d.dealing().verify(&session).expect("pop"))
        .collect();
    // Dealer 3 sends authority 2 a share of dealer 4's polynomial: a complaint.
    let forged = dealers[3].share_for(2).expect("share");
    let mut bytes = forged.to_secret_bytes().to_vec();
    bytes[1] = 3;
    let forged = medshare_identity::DkgShare::from_secret_bytes(&bytes).expect("decodes");
    assert_eq!(
        forged.verify(&dealings[2]).map_err(|e| e.0).err(),
        Some(DkgError::InvalidShare { dealer: 3 })
    );
    // A dealing replayed in another session fails its proof of possession.
    let other = DkgSession {
        params,
        id: [8; 32],
    };
    assert_eq!(
        dealers[0].dealing().verify(&other).map_err(|e| e.0).err(),
        Some(DkgError::InvalidProofOfPossession { dealer: 1 })
    );
    // QUAL = {1, 2, 4}; everybody derives keys without dealer 3.
    let qual: Vec<_> = [0usize, 1, 3]
        .iter()
        .map(|&j| dealings[j].clone())
        .collect();
    let gpk = GroupPublicKey::from_dealings(&session, &qual).expect("gpk");
    let keys: Vec<AuthoritySecretKey> = (1..=4u8)
        .map(|i| {
            let shares: Vec<_> = [0usize, 1, 3]
                .iter()
                .map(|&j| {
                    dealers[j]
                        .share_for(i)
                        .expect("share")
                        .verify(&dealings[j])
                        .expect("valid")
                })
                .collect();
            AuthoritySecretKey::from_dkg(&gpk, i, &shares).expect("key")
        })
        .collect();
    // A key summed over the wrong set of dealers is refused.
    let all: Vec<_> = (0..4)
        .map(|j| {
            dealers[j]
                .share_for(1)
                .expect("share")
                .verify(&dealings[j])
                .expect("valid")
        })
        .collect();
    assert_eq!(
        AuthoritySecretKey::from_dkg(&gpk, 1, &all).err(),
        Some(DkgError::ShareKeyMismatch)
    );
    // The group key round-trips and works end to end.
    assert_eq!(GroupPublicKey::from_bytes(&gpk.to_bytes()), Ok(gpk.clone()));
    let user = UserSecret::random_with_rng(&mut rng);
    let m = register(&mut rng, &user, 1);
    let cred = issue(&mut rng, &gpk, &keys, &user, &m, 1, &[1, 3]);
    let v = cred
        .show_with_rng(&mut rng, &gpk, &ctx(1))
        .expect("an accepted scope")
        .verify(&gpk, &ctx(1), 1)
        .expect("valid");
    let tag = v.tracing_tag();
    let shares: Vec<_> = keys[..2]
        .iter()
        .map(|k| k.trace_share_with_rng(&mut rng, &tag))
        .collect();
    assert_eq!(trace(&gpk, &tag, &shares), Ok(m));
}

#[test]
fn secrets_round_trip_and_debug_is_redacted() {
    let mut rng = rng(11);
    let (gpk, auths) = setup(&mut rng, 2, 2);
    let user = UserSecret::random_with_rng(&mut rng);
    let m = register(&mut rng, &user, 1);
    let cred = issue(&mut rng, &gpk, &auths, &user, &m, 3, &[0, 1]);
    let c2 = medshare_identity::Credential::from_secret_bytes(&cred.to_secret_bytes(), &gpk)
        .expect("ok");
    assert!(
        c2.show_with_rng(&mut rng, &gpk, &ctx(1))
            .expect("an accepted scope")
            .verify(&gpk, &ctx(1), 3)
            .is_ok()
    );
    let u2 = UserSecret::from_secret_bytes(&user.to_secret_bytes()).expect("ok");
    assert_eq!(u2.identity(), m);
    let a2 = AuthoritySecretKey::from_secret_bytes(&auths[0].to_secret_bytes()).expect("ok");
    assert_eq!(a2.verification_key(), auths[0].verification_key());
    assert_eq!(format!("{user:?}"), "UserSecret(<redacted>)");
    assert_eq!(format!("{cred:?}"), "Credential(epoch 3, <redacted>)");
    assert!(format!("{:?}", auths[0]).contains("<redacted>"));
}

/// Issue #7, item 5: the scoped nullifier `keccak256(m·P_scope)` is one per user and scope,
/// whatever the credential or epoch, and is bound to the credential's `m` by the proof.
#[test]
fn scoped_nullifiers_are_per_user_and_scope() {
    let mut rng = rng(12);
    let (gpk, auths) = setup(&mut rng, 2, 3);
    let alice = UserSecret::random_with_rng(&mut rng);
    let bob = UserSecret::random_with_rng(&mut rng);
    let ma = register(&mut rng, &alice, 12);
    let mb = register(&mut rng, &bob, 13);
    // Two credentials of Alice (epochs 1 and 2, other signers), one of Bob.
    let a1 = issue(&mut rng, &gpk, &auths, &alice, &ma, 1, &[0, 1]);
    let a2 = issue(&mut rng, &gpk, &auths, &alice, &ma, 2, &[1, 2]);
    let b1 = issue(&mut rng, &gpk, &auths, &bob, &mb, 1, &[0, 2]);
    let record = scoped_ctx(1, 0x51);
    let same_record_later = scoped_ctx(2, 0x51);
    let other_record = scoped_ctx(1, 0x52);

    let first = a1
        .show_with_rng(&mut rng, &gpk, &record)
        .expect("an accepted scope");
    let again = a2
        .show_with_rng(&mut rng, &gpk, &same_record_later)
        .expect("an accepted scope");
    let bobs = b1
        .show_with_rng(&mut rng, &gpk, &record)
        .expect("an accepted scope");
    let elsewhere = a1
        .show_with_rng(&mut rng, &gpk, &other_record)
        .expect("an accepted scope");
    for (t, c, e) in [
        (&first, &record, 1),
        (&again, &same_record_later, 2),
        (&bobs, &record, 1),
        (&elsewhere, &other_record, 1),
    ] {
        assert!(t.is_scoped());
        assert!(t.verify(&gpk, c, e).is_ok());
    }
    assert_eq!(first.nullifier(), again.nullifier(), "one user, one scope");
    assert_ne!(first.nullifier(), bobs.nullifier(), "two users, one scope");
    assert_ne!(
        first.nullifier(),
        elsewhere.nullifier(),
        "one user, two scopes"
    );
    // The scope point is per contract and registry too: the same scope word elsewhere gives
    // another nullifier.
    let mut other_contract = record;
    other_contract.verifying_contract[0] ^= 1;
    let mut other_registry = record;
    other_registry.registry[0] ^= 1;
    for c in [other_contract, other_registry] {
        let t = a1
            .show_with_rng(&mut rng, &gpk, &c)
            .expect("an accepted scope");
        assert!(t.verify(&gpk, &c, 1).is_ok());
        assert_ne!(t.nullifier(), first.nullifier());
    }
    // Unscoped tokens keep a fresh nullifier per show.
    let u1 = a1
        .show_with_rng(&mut rng, &gpk, &ctx(1))
        .expect("an accepted scope");
    let u2 = a1
        .show_with_rng(&mut rng, &gpk, &ctx(1))
        .expect("an accepted scope");
    assert!(!u1.is_scoped());
    assert_ne!(u1.nullifier(), u2.nullifier());

    // N is bound to the credential's m: Bob's N in Alice's token (same scope) fails the proof,
    // so Bob cannot burn Alice's nullifier and Alice cannot escape hers.
    let mut b = first.to_bytes();
    b[233..265].copy_from_slice(&bobs.to_bytes()[233..265]);
    assert_eq!(
        Token::from_bytes(&b)
            .expect("canonical")
            .verify(&gpk, &record, 1)
            .map_err(|e| e.0)
            .err(),
        Some(TokenVerificationError::InvalidProof)
    );
    // A scoped token traces like any other.
    let tag = first.verify(&gpk, &record, 1).expect("ok").tracing_tag();
    let shares: Vec<_> = auths[..2]
        .iter()
        .map(|a| a.trace_share_with_rng(&mut rng, &tag))
        .collect();
    assert_eq!(trace(&gpk, &tag, &shares), Ok(ma));
}

/// Issue #7, low items: a verified trace share remembers the key it was checked against and a
/// verified dealing its session, so combining refuses mixed inputs.
#[test]
fn combining_checks_the_key_and_session_of_verified_inputs() {
    let mut rng = rng(13);
    let (gpk, auths) = setup(&mut rng, 2, 3);
    let (other_gpk, other_auths) = setup(&mut rng, 2, 3);
    let user = UserSecret::random_with_rng(&mut rng);
    let m = register(&mut rng, &user, 14);
    let cred = issue(&mut rng, &gpk, &auths, &user, &m, 1, &[0, 1]);
    let tag = cred
        .show_with_rng(&mut rng, &gpk, &ctx(1))
        .expect("an accepted scope")
        .verify(&gpk, &ctx(1), 1)
        .expect("ok")
        .tracing_tag();
    let mine = auths[0].trace_share_with_rng(&mut rng, &tag);
    let foreign = TraceShare::from_bytes(
        &other_auths[1]
            .trace_share_with_rng(&mut rng, &tag)
            .to_bytes(),
    )
    .expect("decodes")
    .verify(&other_gpk, &tag)
    .expect("valid for its own key");
    assert_eq!(
        trace(&gpk, &tag, &[mine, foreign]),
        Err(TraceError::ShareForAnotherKey)
    );
    let good = auths[1].trace_share_with_rng(&mut rng, &tag);
    assert_eq!(trace(&gpk, &tag, &[mine, good]), Ok(m));

    let params = ThresholdParams::new(2, 2).expect("params");
    let session = DkgSession {
        params,
        id: [1; 32],
    };
    let other = DkgSession {
        params,
        id: [2; 32],
    };
    let d1 = Dealer::new_with_rng(&mut rng, &session, 1).expect("dealer");
    let d2 = Dealer::new_with_rng(&mut rng, &other, 2).expect("dealer");
    let v1 = d1.dealing().verify(&session).expect("valid");
    let v2 = d2.dealing().verify(&other).expect("valid for its session");
    assert_eq!(v2.session(), &other);
    assert_eq!(
        GroupPublicKey::from_dealings(&session, &[v1.clone(), v2.clone()]),
        Err(DkgError::WrongSession { dealer: 2 })
    );
    // Shares of dealings from two sessions do not make a key either.
    let gpk12 =
        GroupPublicKey::from_dealings(&session, std::slice::from_ref(&v1)).expect("one dealer");
    let s1 = d1.share_for(1).expect("share").verify(&v1).expect("ok");
    let s2 = d2.share_for(1).expect("share").verify(&v2).expect("ok");
    assert_eq!(
        AuthoritySecretKey::from_dkg(&gpk12, 1, &[s1, s2]).map(|k| k.index()),
        Err(DkgError::WrongSession { dealer: 2 })
    );
}

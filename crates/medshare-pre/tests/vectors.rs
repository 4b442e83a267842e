//! Known-answer vectors in `tests/vectors/pre_v2.json`.
//!
//! * `generate_vectors` (ignored) rewrites the file from a seeded ChaCha20 RNG:
//!   `cargo test -p medshare-pre --test vectors -- --ignored generate_vectors`.
//! * `vectors_are_reproduced` regenerates everything in memory and compares it with the file
//!   byte for byte, then decodes, verifies and decrypts from the file's bytes alone, and
//!   checks that every forgery of the file (a delegation minted by a coalition that rebuilt
//!   the label key, `common/mod.rs`) is rejected.
//! * `evm_view_checks` re-does the on-chain verification from the file's EVM-view values
//!   only (keccak + point arithmetic, as a Solidity verifier would), and rejects tampered
//!   copies and the forgeries.
//! * `version_1_data_still_opens` reads the frozen `pre_v1.json`: label keys, capsules and
//!   ciphertexts are unchanged in version 2, its delegations no longer verify.

mod common;

use std::path::PathBuf;

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::PrimeField;
use medshare_pre::{
    Capsule, CapsuleFrag, CapsuleFragEvmInputs, DelegationVerifyingKey, KeyFrag, MasterSecret,
    PublicKey, SecretKey, StreamHeader, decrypt_original, decrypt_reencrypted,
    generate_kfrags_with_rng, generator_g_evm, generator_u_evm, reencrypt_with_rng,
};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use serde_json::{Value, json};
use sha3::{Digest, Keccak256};

const SEED: u64 = 0x6d65_6473_6861_7265; // "medshare"

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/pre_v2.json")
}

fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(2 + 2 * b.len());
    s.push_str("0x");
    for x in b {
        s.push_str(&format!("{x:02x}"));
    }
    s
}

fn unhex(s: &str) -> Vec<u8> {
    let s = s.strip_prefix("0x").expect("0x prefix");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn point_json(p: &[u8; 64]) -> Value {
    json!({ "x": hex(&p[..32]), "y": hex(&p[32..]) })
}

fn tag_json(ascii: &str) -> Value {
    json!({ "ascii": ascii, "keccak256": hex(&Keccak256::digest(ascii.as_bytes())) })
}

fn cfrag_json(bytes: &[u8], e: &CapsuleFragEvmInputs) -> Value {
    json!({
        "bytes": hex(bytes),
        "kfrag_id": hex(&e.kfrag_id),
        "w": point_json(&e.w),
        "precursor": point_json(&e.precursor),
        "commitment": point_json(&e.commitment),
        "w1": point_json(&e.w1),
        "w2": point_json(&e.w2),
        "u2": point_json(&e.u2),
        "z": hex(&e.z),
        "proof_transcript": hex(&e.proof_transcript),
        "proof_digest": hex(&e.proof_digest),
        "proof_challenge": hex(&e.proof_challenge),
        "signature_r": point_json(&e.signature_r),
        "signature_z": hex(&e.signature_z),
        "signature_transcript": hex(&e.signature_transcript),
        "signature_challenge": hex(&e.signature_challenge),
    })
}

fn case(rng: &mut ChaCha20Rng, label: &str, t: usize, n: usize, chunk: u32, len: usize) -> Value {
    let msk = MasterSecret::random_with_rng(rng);
    let sk = msk.derive_label_key(label.as_bytes());
    let pk = sk.public_key();
    let dsk = msk.derive_delegation_key(label.as_bytes());
    let vk = dsk.verifying_key();
    let bob = SecretKey::random_with_rng(rng);
    let bob_pk = bob.public_key();
    let plaintext: Vec<u8> = (0..len).map(|i| (i * 13 + 5) as u8).collect();
    let (capsule, key) = Capsule::new_with_rng(rng, &pk);
    let header = StreamHeader::new_with_rng(rng, chunk).expect("valid");
    let ciphertext = key.encrypt_with_header(header, &plaintext);
    let kfrags = generate_kfrags_with_rng(rng, &sk, &dsk, &bob_pk, t, n).expect("valid");
    let cfrags: Vec<Value> = kfrags
        .iter()
        .map(|k| {
            let c = reencrypt_with_rng(rng, &capsule, k);
            cfrag_json(&c.to_bytes(), &c.evm_inputs(&capsule, &pk, &vk, &bob_pk))
        })
        .collect();

    // Bob and t proxies rebuild a_L and mint delegations to Mallory (a key they control).
    let mallory = SecretKey::random_with_rng(rng);
    let mallory_pk = mallory.public_key();
    let loot = common::collude(&bob, &kfrags[..t]);
    let guessed = common::guessed_delegation_scalar(&loot.a, label.as_bytes());
    let forgeries: Vec<Value> = common::candidate_signing_secrets(&loot, &bob, &guessed)
        .into_iter()
        .map(|(name, secret)| {
            let f = common::forge(rng, &loot.a, &pk, &vk, &mallory_pk, &capsule, &secret);
            let mut v = cfrag_json(
                &f.cfrag.to_bytes(),
                &f.cfrag.evm_inputs(&capsule, &pk, &vk, &mallory_pk),
            );
            v["signed_with"] = json!(name);
            v["kfrag"] = json!(hex(f.kfrag.to_bytes().as_slice()));
            // The same forging, claiming the signer's own key: accepted, so the rejection
            // above is down to the signing key alone.
            let own = common::verifying_key_of(&secret);
            let g = common::forge(rng, &loot.a, &pk, &own, &mallory_pk, &capsule, &secret);
            v["own_key"] = json!({
                "verifying_key": { "bytes": hex(&own.to_bytes()), "evm": point_json(&own.to_evm_bytes()) },
                "cfrag": cfrag_json(&g.cfrag.to_bytes(), &g.cfrag.evm_inputs(&capsule, &pk, &own, &mallory_pk)),
            });
            v
        })
        .collect();
    let cap_evm = capsule.to_evm_bytes();
    json!({
        "label": label,
        "master_secret": hex(msk.to_secret_bytes().as_slice()),
        "label_secret_key": hex(sk.to_be_bytes().as_slice()),
        "delegating_pk": { "bytes": hex(&pk.to_bytes()), "evm": point_json(&pk.to_evm_bytes()) },
        "delegation_verifying_key": { "bytes": hex(&vk.to_bytes()), "evm": point_json(&vk.to_evm_bytes()) },
        "receiving_secret_key": hex(bob.to_be_bytes().as_slice()),
        "receiving_pk": { "bytes": hex(&bob_pk.to_bytes()), "evm": point_json(&bob_pk.to_evm_bytes()) },
        "threshold": t,
        "shares": n,
        "chunk_size": chunk,
        "plaintext": hex(&plaintext),
        "capsule": {
            "bytes": hex(&capsule.to_bytes()),
            "e": point_json(cap_evm[..64].try_into().expect("64")),
            "v": point_json(cap_evm[64..128].try_into().expect("64")),
            "s": hex(&cap_evm[128..]),
        },
        "ciphertext": hex(&ciphertext),
        "kfrags": kfrags.iter().map(|k| hex(k.to_bytes().as_slice())).collect::<Vec<_>>(),
        "cfrags": cfrags,
        "forgeries": {
            "description": "t proxies and the requester rebuilt the label key a_L and minted 1-of-1 delegations of this label to Mallory, each signed with one secret they hold (signed_with); every cfrag must be rejected under delegation_verifying_key. own_key: the same forging claiming the signer's own key, which is accepted, except for a_L: a verifying key equal to the label key is refused outright.",
            "recovered_label_secret_key": hex(&common::be(&loot.a)),
            "receiving_secret_key": hex(mallory.to_be_bytes().as_slice()),
            "receiving_pk": { "bytes": hex(&mallory_pk.to_bytes()), "evm": point_json(&mallory_pk.to_evm_bytes()) },
            "cfrags": forgeries,
        },
    })
}

fn generate() -> Value {
    let mut rng = ChaCha20Rng::seed_from_u64(SEED);
    json!({
        "format": "medshare-pre vectors v2",
        "description": "Known-answer vectors; see docs/pre.md. Points: arkworks-compressed in *bytes*, EVM view {x,y} as 32-byte big-endian hex. Scalars 32-byte big-endian hex. Challenges are keccak256(transcript) mod r.",
        "generator": "cargo test -p medshare-pre --test vectors -- --ignored generate_vectors",
        "rng": "rand_chacha 0.3 ChaCha20Rng::seed_from_u64(0x6d65647368617265)",
        "generators": { "G": point_json(&generator_g_evm()), "U": point_json(&generator_u_evm()) },
        "domain_tags": {
            "capsule_check": tag_json("MEDSHARE-PRE-v1/capsule-check"),
            "kfrag_signature": tag_json("MEDSHARE-PRE-v2/kfrag-signature"),
            "cfrag_dleq": tag_json("MEDSHARE-PRE-v1/cfrag-dleq"),
        },
        "cases": [
            case(&mut rng, "record:1", 2, 3, 65536, 32),
            case(&mut rng, "policy:cardiology-2026", 3, 5, 64, 150),
        ],
    })
}

#[test]
#[ignore = "rewrites tests/vectors/pre_v2.json"]
fn generate_vectors() {
    let s = serde_json::to_string_pretty(&generate()).expect("json") + "\n";
    std::fs::write(path(), s).expect("write vectors");
}

fn load() -> Value {
    serde_json::from_str(&std::fs::read_to_string(path()).expect("vector file")).expect("json")
}

fn verifying_key(c: &Value) -> DelegationVerifyingKey {
    DelegationVerifyingKey::from_bytes(&unhex(s(&c["delegation_verifying_key"], "bytes")))
        .expect("vk")
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("field {k}"))
}

#[test]
fn vectors_are_reproduced() {
    let file = load();
    assert_eq!(
        generate(),
        file,
        "regenerated vectors differ from the committed file"
    );

    for c in file["cases"].as_array().expect("cases") {
        let pk = PublicKey::from_bytes(&unhex(s(&c["delegating_pk"], "bytes"))).expect("pk");
        let bob_pk = PublicKey::from_bytes(&unhex(s(&c["receiving_pk"], "bytes"))).expect("pk");
        let bob = SecretKey::from_be_bytes(&unhex(s(c, "receiving_secret_key"))).expect("sk");
        let vk = verifying_key(c);
        let msk =
            MasterSecret::from_bytes(unhex(s(c, "master_secret")).try_into().expect("32 bytes"));
        assert_eq!(
            msk.derive_label_key(s(c, "label").as_bytes()).public_key(),
            pk
        );
        assert_eq!(
            msk.derive_delegation_key(s(c, "label").as_bytes())
                .verifying_key(),
            vk
        );
        let capsule = Capsule::from_bytes(&unhex(s(&c["capsule"], "bytes"))).expect("capsule");
        for k in c["kfrags"].as_array().expect("kfrags") {
            KeyFrag::from_bytes(&unhex(k.as_str().expect("hex")))
                .expect("kfrag")
                .verify(&pk, &vk, &bob_pk)
                .expect("kfrag verifies");
        }
        let t = c["threshold"].as_u64().expect("t") as usize;
        let cfrags: Vec<_> = c["cfrags"]
            .as_array()
            .expect("cfrags")
            .iter()
            .map(|v| {
                let cf = CapsuleFrag::from_bytes(&unhex(s(v, "bytes"))).expect("cfrag");
                cf.verify(&capsule, &pk, &vk, &bob_pk)
                    .expect("cfrag verifies")
            })
            .collect();
        let pt = decrypt_reencrypted(
            &bob,
            &capsule,
            &cfrags[cfrags.len() - t..],
            &unhex(s(c, "ciphertext")),
        )
        .expect("decrypts");
        assert_eq!(pt, unhex(s(c, "plaintext")));

        let forgeries = &c["forgeries"];
        let mallory_pk =
            PublicKey::from_bytes(&unhex(s(&forgeries["receiving_pk"], "bytes"))).expect("pk");
        let forged = forgeries["cfrags"].as_array().expect("forgeries");
        assert_eq!(forged.len(), 6);
        for f in forged {
            let kfrag = KeyFrag::from_bytes(&unhex(s(f, "kfrag"))).expect("kfrag");
            assert!(
                kfrag.verify(&pk, &vk, &mallory_pk).is_err(),
                "{}",
                s(f, "signed_with")
            );
            let cf = CapsuleFrag::from_bytes(&unhex(s(f, "bytes"))).expect("cfrag");
            assert!(cf.verify(&capsule, &pk, &vk, &mallory_pk).is_err());
            let own = &f["own_key"];
            let own_vk =
                DelegationVerifyingKey::from_bytes(&unhex(s(&own["verifying_key"], "bytes")))
                    .expect("vk");
            let cf = CapsuleFrag::from_bytes(&unhex(s(&own["cfrag"], "bytes"))).expect("cfrag");
            // Valid under its own key, except the v1 rule (the label key), refused outright.
            let v1_rule = own_vk.to_bytes() == pk.to_bytes();
            assert_eq!(
                cf.verify(&capsule, &pk, &own_vk, &mallory_pk).is_ok(),
                !v1_rule,
                "{}",
                s(f, "signed_with")
            );
        }
    }
}

#[test]
fn version_1_data_still_opens() {
    let v1: Value = serde_json::from_str(
        &std::fs::read_to_string(path().with_file_name("pre_v1.json")).expect("v1 file"),
    )
    .expect("json");
    for c in v1["cases"].as_array().expect("cases") {
        let msk =
            MasterSecret::from_bytes(unhex(s(c, "master_secret")).try_into().expect("32 bytes"));
        let label = s(c, "label").as_bytes();
        let sk = msk.derive_label_key(label);
        let pk = PublicKey::from_bytes(&unhex(s(&c["delegating_pk"], "bytes"))).expect("pk");
        assert_eq!(sk.public_key(), pk, "label keys are unchanged");
        let capsule = Capsule::from_bytes(&unhex(s(&c["capsule"], "bytes"))).expect("capsule");
        assert_eq!(
            decrypt_original(&sk, &capsule, &unhex(s(c, "ciphertext"))).expect("decrypts"),
            unhex(s(c, "plaintext")),
            "capsules and the DEM are unchanged"
        );
        // Version 1 kfrags were signed with the label key over another transcript: no key
        // makes them verify now, neither the label's verifying key nor the label key.
        let bob_pk = PublicKey::from_bytes(&unhex(s(&c["receiving_pk"], "bytes"))).expect("pk");
        let vk = msk.derive_delegation_key(label).verifying_key();
        let as_vk = DelegationVerifyingKey::from_bytes(&pk.to_bytes()).expect("point");
        for k in c["kfrags"].as_array().expect("kfrags") {
            let kfrag = KeyFrag::from_bytes(&unhex(k.as_str().expect("hex"))).expect("decodes");
            assert!(kfrag.clone().verify(&pk, &vk, &bob_pk).is_err());
            assert!(kfrag.verify(&pk, &as_vk, &bob_pk).is_err());
        }
        for cf in c["cfrags"].as_array().expect("cfrags") {
            let cfrag = CapsuleFrag::from_bytes(&unhex(s(cf, "bytes"))).expect("decodes");
            assert!(cfrag.verify(&capsule, &pk, &vk, &bob_pk).is_err());
            assert!(cfrag.verify(&capsule, &pk, &as_vk, &bob_pk).is_err());
        }
    }
}

// ---- an independent "Solidity" verifier working only from EVM-view values ----

fn fe(v: &Value) -> Fq {
    Fq::from_be_bytes_mod_order(&unhex(v.as_str().expect("hex")))
}

fn pt(v: &Value) -> G1Projective {
    let p = G1Affine::new_unchecked(fe(&v["x"]), fe(&v["y"]));
    assert!(p.is_on_curve() && !p.is_zero(), "point on curve");
    p.into_group()
}

fn word(p: &Value) -> Vec<u8> {
    [unhex(s(p, "x")), unhex(s(p, "y"))].concat()
}

fn sc(v: &Value) -> Fr {
    let b = unhex(v.as_str().expect("hex"));
    let r = Fr::from_be_bytes_mod_order(&b);
    assert_eq!(b.len(), 32);
    r
}

/// What the contract does for one cfrag: rebuild both transcripts from the public inputs,
/// hash them, and check `z_sig·G == R + c·vk_L`, `z·W == W2 + h·W1`, `z·U == U2 + h·U1`.
fn evm_verify(file: &Value, c: &Value, pk_b: &Value, cf: &Value) -> bool {
    let tag = |k: &str| unhex(s(&file["domain_tags"][k], "keccak256"));
    let g = &file["generators"]["G"];
    let u = &file["generators"]["U"];
    let pk_a = &c["delegating_pk"]["evm"];
    let vk = &c["delegation_verifying_key"]["evm"];
    let cap = &c["capsule"];
    // docs/pre.md §10: a verifying key equal to the label key proves no consent.
    if word(vk) == word(pk_a) {
        return false;
    }

    let sig_t = [
        tag("kfrag_signature"),
        word(g),
        word(pk_a),
        word(vk),
        word(pk_b),
        word(&cf["precursor"]),
        unhex(s(cf, "kfrag_id")),
        word(&cf["commitment"]),
        word(&cf["signature_r"]),
    ]
    .concat();
    let proof_t = [
        tag("cfrag_dleq"),
        word(g),
        word(u),
        word(pk_a),
        word(pk_b),
        word(&cap["e"]),
        word(&cap["v"]),
        unhex(s(cap, "s")),
        word(&cf["precursor"]),
        unhex(s(cf, "kfrag_id")),
        word(&cf["commitment"]),
        word(&cf["w1"]),
        word(&cf["w2"]),
        word(&cf["u2"]),
    ]
    .concat();
    let c_sig = Fr::from_be_bytes_mod_order(&Keccak256::digest(&sig_t));
    let h = Fr::from_be_bytes_mod_order(&Keccak256::digest(&proof_t));
    let w = pt(&cap["e"]) + pt(&cap["v"]);
    let sig_ok = pt(g) * sc(&cf["signature_z"]) == pt(&cf["signature_r"]) + pt(vk) * c_sig;
    let w_ok = w * sc(&cf["z"]) == pt(&cf["w2"]) + pt(&cf["w1"]) * h;
    let u_ok = pt(u) * sc(&cf["z"]) == pt(&cf["u2"]) + pt(&cf["commitment"]) * h;
    // the recorded transcripts and challenges are the ones a contract computes
    let consistent = hex(&sig_t) == s(cf, "signature_transcript")
        && hex(&proof_t) == s(cf, "proof_transcript")
        && sc(&cf["proof_challenge"]) == h
        && sc(&cf["signature_challenge"]) == c_sig
        && w.into_affine() == pt(&cf["w"]).into_affine();
    sig_ok && w_ok && u_ok && consistent
}

#[test]
fn evm_view_checks() {
    let file = load();
    for c in file["cases"].as_array().expect("cases") {
        let pk_b = &c["receiving_pk"]["evm"];
        for cf in c["cfrags"].as_array().expect("cfrags") {
            assert!(evm_verify(&file, c, pk_b, cf));
            // tampered copies are rejected
            for field in ["z", "signature_z", "kfrag_id"] {
                let mut bad = cf.clone();
                let mut b = unhex(s(cf, field));
                b[31] ^= 1;
                bad[field] = Value::String(hex(&b));
                assert!(
                    !evm_verify(&file, c, pk_b, &bad),
                    "tampered {field} accepted"
                );
            }
            for field in ["w1", "w2", "u2", "commitment", "signature_r", "precursor"] {
                let mut bad = cf.clone();
                bad[field] = cf["w"].clone(); // a valid curve point, but the wrong one
                assert!(
                    !evm_verify(&file, c, pk_b, &bad),
                    "tampered {field} accepted"
                );
            }
        }
        // the forgeries fail on chain as they fail in Rust
        let mallory = &c["forgeries"]["receiving_pk"]["evm"];
        for cf in c["forgeries"]["cfrags"].as_array().expect("forgeries") {
            assert!(
                !evm_verify(&file, c, mallory, cf),
                "{}",
                s(cf, "signed_with")
            );
            let mut claimed = c.clone();
            claimed["delegation_verifying_key"] = cf["own_key"]["verifying_key"].clone();
            let v1_rule = claimed["delegation_verifying_key"]["evm"] == c["delegating_pk"]["evm"];
            assert_eq!(
                evm_verify(&file, &claimed, mallory, &cf["own_key"]["cfrag"]),
                !v1_rule,
                "{}",
                s(cf, "signed_with")
            );
        }
        // the same tampering on the wire bytes is rejected by the Rust verifier
        let pk = PublicKey::from_bytes(&unhex(s(&c["delegating_pk"], "bytes"))).expect("pk");
        let vk = verifying_key(c);
        let bob_pk = PublicKey::from_bytes(&unhex(s(&c["receiving_pk"], "bytes"))).expect("pk");
        let capsule = Capsule::from_bytes(&unhex(s(&c["capsule"], "bytes"))).expect("capsule");
        let mut b = unhex(s(&c["cfrags"][0], "bytes"));
        b[1 + 32 * 7 - 1] ^= 1; // last byte of z
        let cf = CapsuleFrag::from_bytes(&b).expect("still canonical");
        assert!(cf.verify(&capsule, &pk, &vk, &bob_pk).is_err());
    }
}

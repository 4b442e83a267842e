//! Replays every file of `fuzz/corpus/<target>/` through the decoder that target fuzzes, with
//! the same assertions as the fuzz target (CI runs this; the fuzzer itself needs nightly).
//!
//! `cargo test -p medshare-identity --test fuzz_corpus -- --ignored write_seed_corpus` rewrites
//! the named seed files (valid encodings and classic malformed ones). Files named by SHA-1 are
//! the corpus grown by libFuzzer; crash reproducers go to the same directories.

mod common;

use std::path::PathBuf;

use common::*;
use medshare_identity::{
    BlindSignature, Dealing, GroupPublicKey, IdentityPoint, IssuanceRequest, Registration, Token,
    TraceShare, UserSecret,
};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus")
}

macro_rules! round_trip {
    ($ty:ty, $data:expr) => {
        if let Ok(v) = <$ty>::from_bytes($data) {
            assert_eq!(&v.to_bytes()[..], $data);
        }
    };
}

/// The `token` target also runs verification (must not panic) under a fixed group key, in
/// the token's own mode and in the other one.
fn token(data: &[u8]) {
    if let Ok(t) = Token::from_bytes(data) {
        assert_eq!(&t.to_bytes()[..], data);
        let mut rng = rng(1);
        let (gpk, _) = setup(&mut rng, 1, 1);
        let _ = t.verify(&gpk, &ctx(1), t.epoch());
        let _ = t.verify(&gpk, &scoped_ctx(1, 9), t.epoch());
    }
}

fn run(target: &str, data: &[u8]) {
    match target {
        "identity_point" => round_trip!(IdentityPoint, data),
        "registration" => round_trip!(Registration, data),
        "issuance_request" => round_trip!(IssuanceRequest, data),
        "blind_signature" => round_trip!(BlindSignature, data),
        "token" => token(data),
        "trace_share" => round_trip!(TraceShare, data),
        "group_public_key" => round_trip!(GroupPublicKey, data),
        "dkg_dealing" => round_trip!(Dealing, data),
        other => panic!("corpus directory {other} has no matching target"),
    }
}

#[test]
fn replay_fuzz_corpus() {
    let mut files = 0;
    for dir in std::fs::read_dir(corpus_dir()).expect("fuzz/corpus exists") {
        let dir = dir.expect("entry").path();
        let target = dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        for f in std::fs::read_dir(&dir).expect("target dir") {
            let f = f.expect("entry").path();
            let data = std::fs::read(&f).expect("corpus file");
            let r = std::panic::catch_unwind(|| run(&target, &data));
            assert!(r.is_ok(), "{} panicked", f.display());
            files += 1;
        }
    }
    assert!(files >= 60, "seed corpus missing ({files} files)");
}

fn write(target: &str, name: &str, data: &[u8]) {
    let dir = corpus_dir().join(target);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join(name), data).expect("write");
}

/// Variants of a valid encoding: truncated, extended, other version, wrong type, and a bad
/// G1 point / G2 point / scalar at the given offsets.
fn variants(
    target: &str,
    good: &[u8],
    g1_at: Option<usize>,
    g2_at: Option<usize>,
    scalar_at: Option<usize>,
) {
    variants_named(target, "", good, g1_at, g2_at, scalar_at);
}

/// [`variants`] with file names prefixed by `prefix` (a second seed for the same target).
fn variants_named(
    target: &str,
    prefix: &str,
    good: &[u8],
    g1_at: Option<usize>,
    g2_at: Option<usize>,
    scalar_at: Option<usize>,
) {
    let write = |name: &str, data: &[u8]| write(target, &format!("{prefix}{name}"), data);
    write("valid", good);
    write("truncated", &good[..good.len() - 1]);
    write("extended", &[good, &[0]].concat());
    write("empty", &[]);
    // The other format version (1 <-> 2): types changed in version 2 refuse their v1 tag.
    let mut v = good.to_vec();
    v[0] = if v[0] >> 4 == 1 { 0x20 } else { 0x10 } | (v[0] & 0x0f);
    write("other-version", &v);
    let mut v = good.to_vec();
    v[0] = (v[0] & 0xf0) | 0x1;
    write("wrong-type", &v);
    if let Some(p) = g1_at {
        let mut v = good.to_vec();
        v[p..p + 32].fill(0);
        v[p + 31] = 0x40;
        write("g1-identity", &v);
        let mut v = good.to_vec();
        v[p..p + 32].fill(0xff);
        v[p + 31] = 0x3f;
        write("g1-x-not-canonical", &v);
        let mut v = good.to_vec();
        v[p + 31] |= 0xc0;
        write("g1-both-flags", &v);
    }
    if let Some(p) = g2_at {
        let mut v = good.to_vec();
        v[p..p + 64].fill(0);
        v[p + 63] = 0x40;
        write("g2-identity", &v);
        let mut v = good.to_vec();
        v[p..p + 64].fill(0);
        v[p] = 1;
        v[p + 32] = 1; // x = 1 + u: on the twist but outside the subgroup, or off it
        write("g2-small-x", &v);
        let mut v = good.to_vec();
        v[p + 10] ^= 0x55;
        write("g2-garbled", &v);
    }
    if let Some(s) = scalar_at {
        let mut v = good.to_vec();
        v[s..s + 32].fill(0xff);
        write("scalar-not-canonical", &v);
    }
}

#[test]
#[ignore = "rewrites fuzz/corpus"]
fn write_seed_corpus() {
    let mut rng = rng(77);
    let (gpk, auths) = setup(&mut rng, 1, 1);
    let user = UserSecret::random_with_rng(&mut rng);
    let c = reg_ctx(1);
    let reg = user.register_with_rng(&mut rng, &c);
    let m = reg.verify(&c).expect("ok").identity();
    let (req, _) = user.request_credential_with_rng(&mut rng, 1);
    let blind = auths[0].blind_sign(&req.verify(1, &m).expect("ok"));
    let cred = issue(&mut rng, &gpk, &auths, &user, &m, 1, &[0]);
    let tok = cred
        .show_with_rng(&mut rng, &gpk, &ctx(1))
        .expect("an accepted scope");
    let scoped = cred
        .show_with_rng(&mut rng, &gpk, &scoped_ctx(1, 9))
        .expect("an accepted scope");
    let tag = tok.verify(&gpk, &ctx(1), 1).expect("ok").tracing_tag();
    let share = auths[0].trace_share_with_rng(&mut rng, &tag);
    let session = medshare_identity::DkgSession {
        params: gpk.params(),
        id: [1; 32],
    };
    let dealer = medshare_identity::Dealer::new_with_rng(&mut rng, &session, 1).expect("dealer");
    let (gpk3, _) = setup(&mut rng, 2, 3);

    variants("identity_point", &m.to_bytes(), Some(1), None, None);
    variants("registration", &reg.to_bytes(), Some(1), None, Some(33));
    variants(
        "issuance_request",
        &req.to_bytes(),
        Some(9),
        Some(73),
        Some(265),
    );
    variants("blind_signature", &blind.to_bytes(), None, Some(2), None);
    variants("token", &tok.to_bytes(), Some(9), Some(41), Some(233));
    variants_named(
        "token",
        "scoped-",
        &scoped.to_bytes(),
        Some(233),
        Some(105),
        Some(297),
    );
    variants("trace_share", &share.to_bytes(), Some(2), None, Some(34));
    variants("group_public_key", &gpk3.to_bytes(), Some(3), None, None);
    variants(
        "dkg_dealing",
        &dealer.dealing().to_bytes(),
        Some(3),
        None,
        Some(3 + 4 * 32),
    );
}

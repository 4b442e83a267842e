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
    TraceShare,
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

/// Writes `good` and its classic malformed variants (truncated, extended, other version, wrong
/// type, a bad G1 point / G2 point / scalar at the given offsets) as seeds of `target`, file
/// names prefixed by `prefix` (to tell several seeds of one target apart).
fn variants(
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
    // Secrets are not fuzz targets (they are only ever read from the owner's own files).
    for sample in wire_samples(&mut rng(77), 2, 3, &[0, 1])
        .into_iter()
        .filter(|s| !matches!(s.name, "dkg_share" | "user_secret"))
    {
        variants(
            sample.name,
            sample.variant,
            &sample.bytes,
            sample.g1_at,
            sample.g2_at,
            sample.scalar_at,
        );
    }
}

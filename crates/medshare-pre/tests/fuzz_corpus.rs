//! Replays every file of `fuzz/corpus/<target>/` through the decoder that target fuzzes, with
//! the same assertions as the fuzz target (CI runs this; the fuzzer itself needs nightly).
//!
//! `cargo test -p medshare-pre --test fuzz_corpus -- --ignored write_seed_corpus` rewrites the
//! named seed files (valid encodings and classic malformed ones). The SHA-1-named files are the
//! minimised corpus grown by libFuzzer; crash reproducers go to the same directories.

use std::io::Read;
use std::path::PathBuf;

use medshare_pre::{
    Capsule, CapsuleFrag, DecryptReader, KeyFrag, MasterSecret, PublicKey, SecretKey, StreamHeader,
    generate_kfrags_with_rng, reencrypt_with_rng,
};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

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

fn decrypt_original(data: &[u8]) {
    if data.len() < Capsule::ENCODED_LEN {
        return;
    }
    let (c, ct) = data.split_at(Capsule::ENCODED_LEN);
    let Ok(capsule) = Capsule::from_bytes(c) else {
        return;
    };
    let sk = MasterSecret::from_bytes([0x42; 32]).derive_label_key(b"fuzz");
    let key = capsule.open_original(&sk);
    let one_shot = key.decrypt(ct);
    let streamed = DecryptReader::new(&key, ct).and_then(|mut r| {
        let mut out = Vec::new();
        r.read_to_end(&mut out).map(|_| out)
    });
    assert_eq!(one_shot.is_ok(), streamed.is_ok());
    if let (Ok(a), Ok(b)) = (one_shot, streamed) {
        assert_eq!(a, b);
    }
}

fn run(target: &str, data: &[u8]) {
    match target {
        "public_key" => round_trip!(PublicKey, data),
        "capsule" => round_trip!(Capsule, data),
        "key_frag" => round_trip!(KeyFrag, data),
        "capsule_frag" => round_trip!(CapsuleFrag, data),
        "stream_header" => round_trip!(StreamHeader, data),
        "decrypt_original" => decrypt_original(data),
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
    assert!(files >= 30, "seed corpus missing ({files} files)");
}

fn write(target: &str, name: &str, data: &[u8]) {
    let dir = corpus_dir().join(target);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join(name), data).expect("write");
}

/// Variants of a valid encoding: truncated, extended, other version, wrong type, identity
/// point, non-canonical field element / scalar at `point_at` / `scalar_at`.
fn variants(target: &str, good: &[u8], point_at: Option<usize>, scalar_at: Option<usize>) {
    write(target, "valid", good);
    write(target, "truncated", &good[..good.len() - 1]);
    write(target, "extended", &[good, &[0]].concat());
    write(target, "empty", &[]);
    let mut v = good.to_vec();
    v[0] = 0x20 | (v[0] & 0x0f);
    write(target, "version-2", &v);
    let mut v = good.to_vec();
    v[0] = 0x1f;
    write(target, "wrong-type", &v);
    if let Some(p) = point_at {
        let mut v = good.to_vec();
        v[p..p + 32].fill(0);
        v[p + 31] = 0x40;
        write(target, "identity", &v);
        let mut v = good.to_vec();
        v[p..p + 32].fill(0xff);
        v[p + 31] = 0x3f;
        write(target, "x-not-canonical", &v);
        let mut v = good.to_vec();
        v[p + 31] |= 0xc0;
        write(target, "both-flags", &v);
    }
    if let Some(s) = scalar_at {
        let mut v = good.to_vec();
        v[s..s + 32].fill(0xff);
        write(target, "scalar-not-canonical", &v);
    }
}

#[test]
#[ignore = "rewrites fuzz/corpus"]
fn write_seed_corpus() {
    let mut rng = ChaCha20Rng::seed_from_u64(77);
    let msk = MasterSecret::from_bytes([0x42; 32]);
    let (sk, dsk) = (
        msk.derive_label_key(b"fuzz"),
        msk.derive_delegation_key(b"fuzz"),
    );
    let pk = sk.public_key();
    let bob = SecretKey::random_with_rng(&mut rng);
    let (capsule, key) = Capsule::new_with_rng(&mut rng, &pk);
    let kfrags =
        generate_kfrags_with_rng(&mut rng, &sk, &dsk, &bob.public_key(), 2, 3).expect("ok");
    let cfrag = reencrypt_with_rng(&mut rng, &capsule, &kfrags[0]);
    let header = StreamHeader::new_with_rng(&mut rng, 16).expect("ok");

    variants("public_key", &pk.to_bytes(), Some(1), None);
    variants("capsule", &capsule.to_bytes(), Some(33), Some(65));
    variants(
        "key_frag",
        kfrags[0].to_bytes().as_slice(),
        Some(97),
        Some(33),
    );
    variants("capsule_frag", &cfrag.to_bytes(), Some(1), Some(193));
    variants("stream_header", &header.to_bytes(), None, None);
    let mut v = header.to_bytes();
    v[1..5].copy_from_slice(&0u32.to_be_bytes());
    write("stream_header", "chunk-size-0", &v);

    let cap = capsule.to_bytes();
    for (name, len) in [
        ("empty", 0usize),
        ("one-chunk", 10),
        ("exact-2-chunks", 32),
        ("3-chunks", 40),
    ] {
        let pt: Vec<u8> = (0..len as u8).collect();
        let ct = key.encrypt_with_header(header, &pt);
        write("decrypt_original", name, &[&cap[..], &ct].concat());
        if len > 0 {
            let cut = &ct[..ct.len() - 17];
            write(
                "decrypt_original",
                &format!("{name}-truncated"),
                &[&cap[..], cut].concat(),
            );
        }
    }
    let ct = key.encrypt_with_header(header, b"0123456789abcdef0123");
    let mut ext = [&cap[..], &ct].concat();
    ext.extend_from_slice(&ct[StreamHeader::ENCODED_LEN..StreamHeader::ENCODED_LEN + 32]);
    write("decrypt_original", "extended", &ext);
    write("decrypt_original", "capsule-only", &cap);
}

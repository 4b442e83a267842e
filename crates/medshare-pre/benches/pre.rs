//! Criterion benchmarks of medshare-pre. Ids name the operation as `Type::method` (umbral-pre
//! style). Run: `cargo bench -p medshare-pre --bench pre`.

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::io::{Read, Write};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use medshare_pre::{
    Capsule, CapsuleFrag, DecryptReader, EncryptWriter, KeyFrag, MasterSecret, SecretKey,
    StreamHeader, decrypt_original, encrypt_with_rng, generate_kfrags_with_rng, reencrypt_with_rng,
};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

fn pre(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let msk = MasterSecret::random_with_rng(&mut rng);
    let mut g = c.benchmark_group("medshare-pre");

    g.bench_function("MasterSecret::derive_label_key+public_key", |b| {
        b.iter(|| msk.derive_label_key(black_box(b"record:42")).public_key())
    });
    g.bench_function("MasterSecret::derive_delegation_key+verifying_key", |b| {
        b.iter(|| {
            msk.derive_delegation_key(black_box(b"record:42"))
                .verifying_key()
        })
    });
    g.bench_function("SecretKey::random+public_key", |b| {
        b.iter(|| SecretKey::random_with_rng(&mut rng).public_key())
    });

    let sk = msk.derive_label_key(b"record:42");
    let pk = sk.public_key();
    let dsk = msk.derive_delegation_key(b"record:42");
    let vk = dsk.verifying_key();
    let bob = SecretKey::random_with_rng(&mut rng);
    let bob_pk = bob.public_key();

    g.bench_function("Capsule::new", |b| {
        b.iter(|| Capsule::new_with_rng(&mut rng, black_box(&pk)))
    });
    g.bench_function("encrypt(32 B)", |b| {
        b.iter(|| encrypt_with_rng(&mut rng, &pk, black_box(&[0u8; 32])))
    });
    let (capsule, ct) = encrypt_with_rng(&mut rng, &pk, &[0u8; 32]);
    g.bench_function("Capsule::from_bytes", |b| {
        let bytes = capsule.to_bytes();
        b.iter(|| Capsule::from_bytes(black_box(&bytes)))
    });
    g.bench_function("Capsule::open_original", |b| {
        b.iter(|| capsule.open_original(black_box(&sk)))
    });
    g.bench_function("decrypt_original(32 B)", |b| {
        b.iter(|| decrypt_original(&sk, &capsule, black_box(&ct)))
    });
    g.bench_function("generate_kfrags(3-of-5)", |b| {
        b.iter(|| generate_kfrags_with_rng(&mut rng, &sk, &dsk, &bob_pk, 3, 5))
    });
    let kfrags = generate_kfrags_with_rng(&mut rng, &sk, &dsk, &bob_pk, 3, 5).expect("ok");
    g.bench_function("KeyFrag::verify", |b| {
        let k = kfrags[0].clone().unverify();
        b.iter(|| k.clone().verify(&pk, &vk, &bob_pk).is_ok())
    });
    g.bench_function("reencrypt", |b| {
        b.iter(|| reencrypt_with_rng(&mut rng, &capsule, black_box(&kfrags[0])))
    });
    let cfrags: Vec<_> = kfrags
        .iter()
        .map(|k| reencrypt_with_rng(&mut rng, &capsule, k))
        .collect();
    g.bench_function("CapsuleFrag::from_bytes", |b| {
        let bytes = cfrags[0].to_bytes();
        b.iter(|| CapsuleFrag::from_bytes(black_box(&bytes)))
    });
    g.bench_function("KeyFrag::from_bytes", |b| {
        let bytes = kfrags[0].to_bytes();
        b.iter(|| KeyFrag::from_bytes(black_box(bytes.as_slice())))
    });
    g.bench_function("CapsuleFrag::verify", |b| {
        let c = cfrags[0].unverify();
        b.iter(|| c.verify(&capsule, &pk, &vk, &bob_pk).is_ok())
    });
    g.bench_function("Capsule::open_reencrypted(3)", |b| {
        b.iter(|| capsule.open_reencrypted(&bob, black_box(&cfrags[..3])))
    });
    g.finish();

    let mut g = c.benchmark_group("medshare-pre DEM");
    g.sample_size(10);
    let (_, key) = Capsule::new_with_rng(&mut rng, &pk);
    for size in [1usize << 10, 1 << 20] {
        let data = vec![0x5au8; size];
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_with_input(BenchmarkId::new("DemKey::encrypt", size), &data, |b, d| {
            b.iter(|| key.encrypt_with_rng(&mut rng, d))
        });
        let ct = key.encrypt_with_rng(&mut rng, &data);
        g.bench_with_input(BenchmarkId::new("DemKey::decrypt", size), &ct, |b, ct| {
            b.iter(|| key.decrypt(ct))
        });
    }
    // 256 MiB through the streaming writer (constant memory: one 64 KiB buffer).
    let size = 256usize << 20;
    let block = vec![0x5au8; 1 << 20];
    g.throughput(Throughput::Bytes(size as u64));
    g.bench_function(BenchmarkId::new("EncryptWriter::write", size), |b| {
        b.iter(|| {
            let header = StreamHeader::new_with_rng(&mut rng, 64 * 1024).expect("ok");
            let mut w = EncryptWriter::with_header(&key, header, std::io::sink()).expect("w");
            for _ in 0..256 {
                w.write_all(&block).expect("write");
            }
            w.finish().expect("finish")
        })
    });
    // Decryption of the same 256 MiB stream, read in 1 MiB blocks (the ciphertext is prepared
    // in memory once; the reader itself holds one chunk).
    let header = StreamHeader::new_with_rng(&mut rng, 64 * 1024).expect("ok");
    let mut w =
        EncryptWriter::with_header(&key, header, Vec::with_capacity(size + (1 << 20))).expect("w");
    for _ in 0..256 {
        w.write_all(&block).expect("write");
    }
    let sealed = w.finish().expect("finish");
    g.bench_function(BenchmarkId::new("DecryptReader::read", size), |b| {
        let mut out = vec![0u8; 1 << 20];
        b.iter(|| {
            let mut r = DecryptReader::new(&key, sealed.as_slice()).expect("r");
            while r.read(&mut out).expect("read") > 0 {}
        })
    });
    g.finish();
}

criterion_group!(benches, pre);
criterion_main!(benches);

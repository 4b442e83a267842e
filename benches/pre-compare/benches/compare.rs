//! Same operations, three libraries, one criterion run. Group = operation, function = library.
//!
//! "keygen" = random secret key + its public key. "encrypt" = KEM + DEM of 32 bytes where the
//! library has a DEM (recrypt: KEM of a random Fp12 plaintext only). Threshold operations use
//! 3-of-5 (recrypt has no threshold mode: its rows are single-proxy).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use recrypt::api::{CryptoOps, Ed25519Ops, KeyGenOps, Recrypt};

const T: usize = 3;
const N: usize = 5;
const MSG: &[u8; 32] = b"thirty-two bytes of medical data";

fn medshare(c: &mut Criterion) {
    use medshare_pre as m;
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let msk = m::MasterSecret::random_with_rng(&mut rng);
    let sk = msk.derive_label_key(b"record:1");
    let pk = sk.public_key();
    let dsk = msk.derive_delegation_key(b"record:1");
    let vk = dsk.verifying_key();
    let bob = m::SecretKey::random_with_rng(&mut rng);
    let bob_pk = bob.public_key();
    let (capsule, ct) = m::encrypt_with_rng(&mut rng, &pk, MSG);
    let kfrags = m::generate_kfrags_with_rng(&mut rng, &sk, &dsk, &bob_pk, T, N).expect("ok");
    let cfrags: Vec<_> = kfrags
        .iter()
        .map(|k| m::reencrypt_with_rng(&mut rng, &capsule, k))
        .collect();
    let name = "medshare-pre";

    c.bench_function(&format!("keygen/{name}"), |b| {
        b.iter(|| m::SecretKey::random_with_rng(&mut rng).public_key())
    });
    c.bench_function(&format!("label-keygen/{name}"), |b| {
        b.iter(|| msk.derive_label_key(black_box(b"record:2")).public_key())
    });
    c.bench_function(&format!("encrypt/{name}"), |b| {
        b.iter(|| m::encrypt_with_rng(&mut rng, &pk, black_box(MSG)))
    });
    c.bench_function(&format!("decrypt_original/{name}"), |b| {
        b.iter(|| m::decrypt_original(&sk, &capsule, black_box(&ct)))
    });
    c.bench_function(&format!("generate_kfrags_3of5/{name}"), |b| {
        b.iter(|| m::generate_kfrags_with_rng(&mut rng, &sk, &dsk, &bob_pk, T, N))
    });
    c.bench_function(&format!("kfrag_verify/{name}"), |b| {
        let k = kfrags[0].clone().unverify();
        b.iter(|| k.clone().verify(&pk, &vk, &bob_pk).is_ok())
    });
    c.bench_function(&format!("reencrypt/{name}"), |b| {
        b.iter(|| m::reencrypt_with_rng(&mut rng, &capsule, &kfrags[0]))
    });
    c.bench_function(&format!("cfrag_verify/{name}"), |b| {
        let cf = cfrags[0].unverify();
        b.iter(|| cf.verify(&capsule, &pk, &vk, &bob_pk).is_ok())
    });
    c.bench_function(&format!("decrypt_reencrypted_3/{name}"), |b| {
        b.iter(|| m::decrypt_reencrypted(&bob, &capsule, &cfrags[..T], black_box(&ct)))
    });
}

fn umbral(c: &mut Criterion) {
    use umbral_pre as u;
    let sk = u::SecretKey::random();
    let pk = sk.public_key();
    let signer = u::Signer::new(u::SecretKey::random());
    let verifying_pk = signer.verifying_key();
    let bob = u::SecretKey::random();
    let bob_pk = bob.public_key();
    let (capsule, ct) = u::encrypt(&pk, MSG).expect("ok");
    let kfrags = u::generate_kfrags(&sk, &bob_pk, &signer, T, N, true, true);
    let cfrags: Vec<_> = kfrags
        .iter()
        .map(|k| u::reencrypt(&capsule, k.clone()))
        .collect();
    let name = "umbral-pre";

    c.bench_function(&format!("keygen/{name}"), |b| {
        b.iter(|| u::SecretKey::random().public_key())
    });
    c.bench_function(&format!("encrypt/{name}"), |b| {
        b.iter(|| u::encrypt(&pk, black_box(MSG)))
    });
    c.bench_function(&format!("decrypt_original/{name}"), |b| {
        b.iter(|| u::decrypt_original(&sk, &capsule, black_box(&ct)))
    });
    c.bench_function(&format!("generate_kfrags_3of5/{name}"), |b| {
        b.iter(|| u::generate_kfrags(&sk, &bob_pk, &signer, T, N, true, true))
    });
    c.bench_function(&format!("kfrag_verify/{name}"), |b| {
        let k = kfrags[0].clone().unverify();
        b.iter(|| {
            k.clone()
                .verify(&verifying_pk, Some(&pk), Some(&bob_pk))
                .is_ok()
        })
    });
    c.bench_function(&format!("reencrypt/{name}"), |b| {
        b.iter(|| u::reencrypt(&capsule, kfrags[0].clone()))
    });
    c.bench_function(&format!("cfrag_verify/{name}"), |b| {
        let cf = cfrags[0].clone().unverify();
        b.iter(|| {
            cf.clone()
                .verify(&capsule, &verifying_pk, &pk, &bob_pk)
                .is_ok()
        })
    });
    c.bench_function(&format!("decrypt_reencrypted_3/{name}"), |b| {
        b.iter(|| u::decrypt_reencrypted(&bob, &pk, &capsule, cfrags[..T].to_vec(), black_box(&ct)))
    });
}

fn recrypt_bench(c: &mut Criterion) {
    let r = Recrypt::new();
    let (sk, pk) = r.generate_key_pair().expect("ok");
    let (bob_sk, bob_pk) = r.generate_key_pair().expect("ok");
    let signing = r.generate_ed25519_key_pair();
    let pt = r.gen_plaintext();
    let enc = r.encrypt(&pt, &pk, &signing).expect("ok");
    let tk = r
        .generate_transform_key(&sk, &bob_pk, &signing)
        .expect("ok");
    let transformed = r.transform(enc.clone(), tk.clone(), &signing).expect("ok");
    let name = "recrypt";

    c.bench_function(&format!("keygen/{name}"), |b| {
        b.iter(|| r.generate_key_pair())
    });
    c.bench_function(&format!("encrypt/{name}"), |b| {
        b.iter(|| r.encrypt(black_box(&pt), &pk, &signing))
    });
    c.bench_function(&format!("decrypt_original/{name}"), |b| {
        b.iter(|| r.decrypt(enc.clone(), &sk))
    });
    c.bench_function(
        &format!("generate_kfrags_3of5/{name} (1 transform key)"),
        |b| b.iter(|| r.generate_transform_key(&sk, &bob_pk, &signing)),
    );
    c.bench_function(&format!("reencrypt/{name}"), |b| {
        b.iter(|| r.transform(enc.clone(), tk.clone(), &signing))
    });
    c.bench_function(
        &format!("decrypt_reencrypted_3/{name} (1 transformed)"),
        |b| b.iter(|| r.decrypt(transformed.clone(), &bob_sk)),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = medshare, umbral, recrypt_bench
}
criterion_main!(benches);

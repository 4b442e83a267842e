//! The coalition of `t` proxies and a requester, shared by `collusion.rs` (which runs the
//! attacks) and `vectors.rs` (which writes the forgeries into the known-answer file, so that
//! `medshare-contracts` checks that the contract rejects them too).
//!
//! Everything here works from the documented wire format and hashes (`docs/pre.md`), never
//! from crate internals: a colluding proxy simply hands over the bytes of its key fragment, and
//! the coalition signs and proves with its own arithmetic.

// Each test binary that includes this module uses a subset of it.
#![allow(dead_code)]

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{BigInteger, Field, PrimeField, UniformRand, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use hkdf::HkdfExtract;
use medshare_pre::{
    Capsule, CapsuleFrag, DelegationVerifyingKey, KeyFrag, LabelSecretKey, PublicKey, SecretKey,
    VerifiedKeyFrag, generator_u_evm,
};
use rand_chacha::ChaCha20Rng;
use sha2::Sha256;
use sha3::{Digest, Keccak256};

pub(crate) fn evm(p: &G1Affine) -> [u8; 64] {
    let (x, y) = p.xy().expect("not identity");
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&x.into_bigint().to_bytes_be());
    out[32..].copy_from_slice(&y.into_bigint().to_bytes_be());
    out
}

fn compressed(p: &G1Affine) -> [u8; 32] {
    let mut out = [0u8; 32];
    p.serialize_compressed(&mut out[..]).expect("32 bytes");
    out
}

pub(crate) fn be(s: &Fr) -> [u8; 32] {
    s.into_bigint().to_bytes_be().try_into().expect("32 bytes")
}

/// `hash_to_scalar` as specified in docs/pre.md.
pub(crate) fn h(tag: &str, parts: &[&[u8]]) -> Fr {
    let mut ex = HkdfExtract::<Sha256>::new(Some(tag.as_bytes()));
    for p in parts {
        ex.input_ikm(p);
    }
    let (_, hk) = ex.finalize();
    let mut okm = [0u8; 64];
    hk.expand(&[], &mut okm).expect("64 bytes");
    Fr::from_be_bytes_mod_order(&okm)
}

/// `keccak256(transcript) mod r`, with the tag hashed first (docs/pre.md §3).
fn keccak_challenge(tag: &str, fields: &[&[u8]]) -> Fr {
    let mut k = Keccak256::new();
    k.update(Keccak256::digest(tag.as_bytes()));
    for f in fields {
        k.update(f);
    }
    Fr::from_be_bytes_mod_order(&k.finalize())
}

pub(crate) fn pk_point(pk: &PublicKey) -> G1Affine {
    G1Affine::deserialize_compressed(&pk.to_bytes()[1..]).expect("valid")
}

pub(crate) fn vk_point(vk: &DelegationVerifyingKey) -> G1Affine {
    G1Affine::deserialize_compressed(&vk.to_bytes()[1..]).expect("valid")
}

pub(crate) fn scalar_of(sk_bytes: &[u8]) -> Fr {
    Fr::from_be_bytes_mod_order(sk_bytes)
}

pub(crate) fn to_label_key(a: &Fr) -> LabelSecretKey {
    LabelSecretKey::from_be_bytes(&be(a)).expect("non-zero")
}

/// What the coalition rebuilds from the requester's key and `t` kfrags: `d` and the
/// interpolated `rk`, hence the label key `a = rk · d`.
pub(crate) struct Loot {
    pub(crate) d: Fr,
    pub(crate) rk: Fr,
    pub(crate) a: Fr,
}

/// The attack: requester `b` plus the byte encodings of `t` key fragments.
pub(crate) fn collude(b: &SecretKey, kfrags: &[VerifiedKeyFrag]) -> Loot {
    let b_scalar = scalar_of(b.to_be_bytes().as_slice());
    let pk_b = pk_point(&b.public_key());
    let mut shares = Vec::new();
    let mut precursor = None;
    for k in kfrags {
        let bytes = k.to_bytes(); // what the colluding proxy hands over
        let id: [u8; 32] = bytes[1..33].try_into().expect("32");
        let rk = Fr::from_be_bytes_mod_order(&bytes[33..65]);
        let x_a = G1Affine::deserialize_compressed(&bytes[97..129]).expect("X_A");
        precursor = Some(x_a);
        shares.push((id, rk));
    }
    let x_a = precursor.expect("at least one fragment");
    let dh = (x_a * b_scalar).into_affine();
    let d = h(
        "MEDSHARE-PRE-v1/kfrag/d",
        &[&evm(&x_a), &evm(&pk_b), &evm(&dh)],
    );
    let xs: Vec<Fr> = shares
        .iter()
        .map(|(id, _)| {
            h(
                "MEDSHARE-PRE-v1/kfrag/share-index",
                &[&evm(&x_a), &evm(&pk_b), &evm(&dh), id],
            )
        })
        .collect();
    let mut rk = Fr::zero();
    for (i, (_, rk_i)) in shares.iter().enumerate() {
        let mut lambda = Fr::from(1u64);
        for (j, x_j) in xs.iter().enumerate() {
            if i != j {
                lambda *= *x_j * (*x_j - xs[i]).inverse().expect("distinct");
            }
        }
        rk += lambda * rk_i;
    }
    Loot { d, rk, a: rk * d }
}

fn generator_u() -> G1Affine {
    let u = generator_u_evm();
    let x = ark_bn254::Fq::from_be_bytes_mod_order(&u[..32]);
    let y = ark_bn254::Fq::from_be_bytes_mod_order(&u[32..]);
    G1Affine::new(x, y)
}

/// A 1-of-1 delegation of label `pk_L` to `pk_M` claiming the verifying key `vk` (the
/// label's real `vk_L` for an attack), made by the coalition holding `a = a_L` and signed with
/// `signing_secret` (its best guess at a key the verifiers accept), plus the capsule fragment a
/// colluding proxy makes with it for `capsule`. The share, the commitment and the DLEQ proof
/// are all genuine: only the signing key is not the owner's.
pub(crate) struct Forgery {
    pub(crate) kfrag: KeyFrag,
    pub(crate) cfrag: CapsuleFrag,
}

/// `secret · G` as a verifying key: the key a forgery signed with `secret` verifies under
/// when it claims that key.
pub(crate) fn verifying_key_of(secret: &Fr) -> DelegationVerifyingKey {
    let p = (G1Projective::generator() * secret).into_affine();
    DelegationVerifyingKey::from_bytes(&[&[0x11][..], &compressed(&p)].concat()).expect("a point")
}

pub(crate) fn forge(
    rng: &mut ChaCha20Rng,
    a: &Fr,
    pk_l: &PublicKey,
    vk_l: &DelegationVerifyingKey,
    pk_m: &PublicKey,
    capsule: &Capsule,
    signing_secret: &Fr,
) -> Forgery {
    let g = G1Affine::generator();
    let u = generator_u();
    let pk_m_pt = pk_point(pk_m);
    // The delegation arithmetic of docs/pre.md §4.3, with t = n = 1.
    let x = Fr::rand(rng);
    let precursor = (g * x).into_affine();
    let dh = (pk_m_pt * x).into_affine();
    let d = h(
        "MEDSHARE-PRE-v1/kfrag/d",
        &[&evm(&precursor), &evm(&pk_m_pt), &evm(&dh)],
    );
    let rk = *a * d.inverse().expect("non-zero");
    let id: [u8; 32] = be(&Fr::rand(rng));
    let commitment = (u * rk).into_affine();

    // Schnorr over the version 2 transcript: pk_L, vk_L, pk_M, X_A, id, U1, R.
    let k = Fr::rand(rng);
    let r = (g * k).into_affine();
    let c = keccak_challenge(
        "MEDSHARE-PRE-v2/kfrag-signature",
        &[
            &evm(&g),
            &evm(&pk_point(pk_l)),
            &evm(&vk_point(vk_l)),
            &evm(&pk_m_pt),
            &evm(&precursor),
            &id,
            &evm(&commitment),
            &evm(&r),
        ],
    );
    let z_sig = k + c * signing_secret;
    let kfrag_bytes = [
        &[0x13][..],
        &id,
        &be(&rk),
        &compressed(&commitment),
        &compressed(&precursor),
        &compressed(&r),
        &be(&z_sig),
    ]
    .concat();
    let kfrag = KeyFrag::from_bytes(&kfrag_bytes).expect("a well-formed kfrag");

    // Re-encryption and DLEQ proof, as an honest proxy would make them from this share.
    let cap = capsule.to_evm_bytes();
    let pt = |b: &[u8]| {
        G1Affine::new(
            ark_bn254::Fq::from_be_bytes_mod_order(&b[..32]),
            ark_bn254::Fq::from_be_bytes_mod_order(&b[32..64]),
        )
    };
    let w = (pt(&cap[..64]).into_group() + pt(&cap[64..128])).into_affine();
    let w1 = (w * rk).into_affine();
    let tau = Fr::rand(rng);
    let (w2, u2) = ((w * tau).into_affine(), (u * tau).into_affine());
    let hh = keccak_challenge(
        "MEDSHARE-PRE-v1/cfrag-dleq",
        &[
            &evm(&g),
            &evm(&u),
            &evm(&pk_point(pk_l)),
            &evm(&pk_m_pt),
            &cap[..128],
            &cap[128..],
            &evm(&precursor),
            &id,
            &evm(&commitment),
            &evm(&w1),
            &evm(&w2),
            &evm(&u2),
        ],
    );
    let z = tau + hh * rk;
    let cfrag_bytes = [
        &[0x14][..],
        &compressed(&w1),
        &id,
        &compressed(&precursor),
        &compressed(&commitment),
        &compressed(&w2),
        &compressed(&u2),
        &be(&z),
        &compressed(&r),
        &be(&z_sig),
    ]
    .concat();
    let cfrag = CapsuleFrag::from_bytes(&cfrag_bytes).expect("a well-formed cfrag");
    Forgery { kfrag, cfrag }
}

/// Every signing secret the coalition holds or can derive, by name: the label key it
/// rebuilt, the pieces of the rebuild, the requester's key, the forged delegation's own
/// secrets, and a delegation key re-derived from a "master secret" guessed as `be32(a_L)`.
pub(crate) fn candidate_signing_secrets(
    loot: &Loot,
    requester: &SecretKey,
    guessed_dsk: &Fr,
) -> Vec<(&'static str, Fr)> {
    vec![
        ("recovered label key a_L", loot.a),
        ("interpolated rk = a_L/d", loot.rk),
        ("non-interactive secret d", loot.d),
        (
            "requester key b",
            scalar_of(requester.to_be_bytes().as_slice()),
        ),
        ("a_L + d", loot.a + loot.d),
        ("delegation key of msk := be32(a_L)", *guessed_dsk),
    ]
}

/// The delegation key that a master secret guessed as `be32(a_L)` derives for `label`, as a
/// scalar: the public API never exports it, so it is recomputed with the documented HKDF.
pub(crate) fn guessed_delegation_scalar(a: &Fr, label: &[u8]) -> Fr {
    let hk = hkdf::Hkdf::<Sha256>::new(Some(b"MEDSHARE-PRE-v1/label-key/salt"), &be(a));
    let mut okm = [0u8; 64];
    hk.expand_multi_info(
        &[
            b"MEDSHARE-PRE-v2/delegation-key/info",
            &(label.len() as u64).to_be_bytes(),
            label,
            &[0],
        ],
        &mut okm,
    )
    .expect("64 bytes");
    Fr::from_be_bytes_mod_order(&okm)
}

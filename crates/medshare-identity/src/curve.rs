//! BN254 plumbing of this crate: the generators `G1`, `H1`, `G2`; the G2 codecs (compressed
//! wire form and EIP-197 EVM view); scalar multiplication (fixed-base tables for `G1` and
//! `H1`). The scalar and G1 codecs, the G1 arithmetic helpers and the Lagrange coefficients
//! are shared with `medshare-pre` and live in `medshare-bn254`; they are re-exported here.
//!
//! Arithmetic comes from arkworks, whose group operations are variable-time; see the security
//! notes in `docs/identity.md`.

use std::sync::OnceLock;

#[cfg(test)]
use ark_bn254::Fq;
use ark_bn254::{Fq2, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, BigInteger, PrimeField, Zero};
use medshare_bn254::FixedBase;
use medshare_bn254::g1::{FLAG_INFINITY, FLAG_Y_LARGER, compressed_flags, fq_from_le, fq_to_be};

pub(crate) use medshare_bn254::{
    G1_LEN, SCALAR_LEN, g1_from_bytes, g1_from_evm as g1_from_evm_checked, g1_mul as mul1,
    g1_mul_generator as mul_g1, g1_normalize as normalize1, g1_to_bytes, g1_to_evm, lagrange_at,
    lagrange_at_zero, nonzero_scalar_from_be, random_bytes32, random_nonzero_scalar,
    scalar_from_be, scalar_to_be, u64_word,
};

use crate::encoding::DecodeError;
use crate::hashing_ds;

/// Size of a compressed G2 point (arkworks compressed form).
pub(crate) const G2_LEN: usize = 64;

/// The standard generator `G1 = (1, 2)`.
pub(crate) fn g1() -> G1Affine {
    G1Affine::generator()
}

/// The standard G2 generator (the one of EIP-197).
pub(crate) fn g2() -> G2Affine {
    G2Affine::generator()
}

/// The second G1 generator `H1`: the first try-and-increment point of
/// `x = keccak256("MEDSHARE-ID-v1/generator-H1" || u32be(ctr)) mod q`, smaller root `y`.
/// Nobody knows `log_G1 H1`.
pub(crate) fn h1() -> G1Affine {
    static H1: OnceLock<G1Affine> = OnceLock::new();
    *H1.get_or_init(|| medshare_bn254::g1_try_and_increment(hashing_ds::GENERATOR_H1_SEED))
}

/// G2 point in EIP-197 order: `x.c1 || x.c0 || y.c1 || y.c0` (arkworks `Fq2 = c0 + c1·u`;
/// EIP-197 writes `a·i + b` as `(a, b)`, imaginary part first). Identity: 128 zero bytes.
pub(crate) fn g2_to_evm(p: &G2Affine) -> [u8; 128] {
    let mut out = [0u8; 128];
    if let Some((x, y)) = p.xy() {
        out[..32].copy_from_slice(&fq_to_be(&x.c1));
        out[32..64].copy_from_slice(&fq_to_be(&x.c0));
        out[64..96].copy_from_slice(&fq_to_be(&y.c1));
        out[96..].copy_from_slice(&fq_to_be(&y.c0));
    }
    out
}

/// Decodes an EIP-197-order G2 point; used by tests and vector checks.
#[cfg(test)]
pub(crate) fn g2_from_evm(bytes: &[u8; 128]) -> Option<G2Affine> {
    let f = |i: usize| Fq::from_be_bytes_mod_order(&bytes[32 * i..32 * i + 32]);
    let p = G2Affine::new_unchecked(Fq2::new(f(1), f(0)), Fq2::new(f(3), f(2)));
    (p.is_on_curve() && !p.is_zero() && p.is_in_correct_subgroup_assuming_on_curve()).then_some(p)
}

/// Compressed G2 point, byte-identical to arkworks' `serialize_compressed`: `x.c0 || x.c1`
/// little-endian, flags in the last byte, `y > -y` in arkworks' `Fq2` order (c1 first).
pub(crate) fn g2_to_bytes(p: &G2Affine) -> [u8; G2_LEN] {
    let mut out = [0u8; G2_LEN];
    match p.xy() {
        Some((x, y)) => {
            out[..32].copy_from_slice(&x.c0.into_bigint().to_bytes_le());
            out[32..].copy_from_slice(&x.c1.into_bigint().to_bytes_le());
            if y > -y {
                out[63] |= FLAG_Y_LARGER;
            }
        }
        None => out[63] |= FLAG_INFINITY,
    }
    out
}

/// Decodes a compressed G2 point with the same checks; the subgroup check matters here
/// (the twist has cofactor ≈ 2^254).
pub(crate) fn g2_from_bytes(bytes: &[u8; G2_LEN]) -> Result<G2Affine, DecodeError> {
    let larger = compressed_flags(bytes[63])?;
    let (lo, hi) = bytes.split_at(32);
    let half = |h: &[u8], mask| {
        fq_from_le(h.try_into().expect("32-byte half"), mask)
            .ok_or(DecodeError::NonCanonicalFieldElement)
    };
    let (c0, c1) = (half(lo, false)?, half(hi, true)?);
    let p = G2Affine::get_point_from_x_unchecked(Fq2::new(c0, c1), larger)
        .ok_or(DecodeError::NotOnCurve)?;
    if p.is_zero() {
        return Err(DecodeError::IdentityPoint);
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(DecodeError::WrongSubgroup);
    }
    Ok(p)
}

/// `s · p` for a variable G2 base (projective GLV multiplication).
pub(crate) fn mul2(p: &G2Affine, s: &Fr) -> G2Projective {
    p.into_group() * s
}

/// `s · H1` (fixed-base table).
pub(crate) fn mul_h1(s: &Fr) -> G1Projective {
    static TABLE: OnceLock<FixedBase> = OnceLock::new();
    TABLE.get_or_init(|| FixedBase::new(h1())).mul(s)
}

/// Window width of the `G2` fixed-base table ([`mul_g2`]).
const G2_WINDOW: usize = 6;
const G2_WINDOWS: usize = 254usize.div_ceil(G2_WINDOW);
const G2_ENTRIES: usize = (1 << G2_WINDOW) - 1;

/// `s · G2` from a fixed-base table built on first use (`table[w][j-1] = j·2^(6w)·G2`, 2,709
/// affine points, ≈ 350 KB): at most 43 mixed additions and no doublings, several times faster
/// than a variable-base G2 multiplication. Issuance multiplies `G2` five times per request and
/// twice per verification. Like all arkworks arithmetic here, not constant-time.
pub(crate) fn mul_g2(s: &Fr) -> G2Projective {
    static TABLE: OnceLock<Vec<G2Affine>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut proj = Vec::with_capacity(G2_WINDOWS * G2_ENTRIES);
        let mut window_base = g2().into_group();
        for _ in 0..G2_WINDOWS {
            let mut acc = G2Projective::zero();
            for _ in 0..G2_ENTRIES {
                acc += window_base;
                proj.push(acc);
            }
            for _ in 0..G2_WINDOW {
                window_base.double_in_place();
            }
        }
        G2Projective::normalize_batch(&proj)
    });
    let bits = s.into_bigint().to_bits_le();
    let mut acc = G2Projective::zero();
    for w in 0..G2_WINDOWS {
        let mut digit = 0usize;
        for b in 0..G2_WINDOW {
            if bits.get(w * G2_WINDOW + b).copied().unwrap_or(false) {
                digit |= 1 << b;
            }
        }
        if digit != 0 {
            acc += &table[w * G2_ENTRIES + digit - 1];
        }
    }
    acc
}

/// Batch normalization in G2.
pub(crate) fn normalize2<const N: usize>(points: [G2Projective; N]) -> [G2Affine; N] {
    let v = G2Projective::normalize_batch(&points);
    let mut out = [G2Affine::zero(); N];
    out.copy_from_slice(&v);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::PrimeGroup;
    use ark_ff::{UniformRand, Zero};
    use ark_serialize::CanonicalSerialize;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn h1_is_a_valid_independent_generator() {
        let h = h1();
        assert!(h.is_on_curve() && h.is_in_correct_subgroup_assuming_on_curve());
        assert_ne!(h, g1());
        assert!(!h.is_zero());
    }

    #[test]
    fn fixed_base_matches_plain_mul() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        for _ in 0..20 {
            let s = Fr::rand(&mut rng);
            assert_eq!(mul_g1(&s), G1Projective::generator() * s);
            assert_eq!(mul_h1(&s), h1().into_group() * s);
            assert_eq!(mul_g2(&s), G2Projective::generator() * s);
        }
        assert!(mul_g1(&Fr::zero()).is_zero());
        assert!(mul_g2(&Fr::zero()).is_zero());
        assert_eq!(mul_g2(&-Fr::from(1u64)), -G2Projective::generator());
    }

    #[test]
    fn compressed_matches_arkworks() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        for _ in 0..30 {
            let s = Fr::rand(&mut rng);
            let p = (G1Projective::generator() * s).into_affine();
            let mut ark = [0u8; 32];
            p.serialize_compressed(&mut ark[..]).expect("fits");
            assert_eq!(g1_to_bytes(&p), ark);
            assert_eq!(g1_from_bytes(&ark), Ok(p));
            assert_eq!(g1_from_evm_checked(&g1_to_evm(&p)), Ok(p));
            let q = (G2Projective::generator() * s).into_affine();
            let mut ark = [0u8; 64];
            q.serialize_compressed(&mut ark[..]).expect("fits");
            assert_eq!(g2_to_bytes(&q), ark);
            assert_eq!(g2_from_bytes(&ark), Ok(q));
            assert_eq!(g2_from_evm(&g2_to_evm(&q)), Some(q));
        }
    }

    #[test]
    fn g2_evm_order_is_eip197() {
        // EIP-197 / the classic Pairing.sol writes the G2 generator as
        // [[x_im, x_re], [y_im, y_re]] with x_im = 1155973203...
        let e = g2_to_evm(&g2());
        let x_im = Fq::from_be_bytes_mod_order(&e[..32]);
        assert_eq!(
            x_im.to_string(),
            "11559732032986387107991004021392285783925812861821192530917403151452391805634"
        );
        let y_re = Fq::from_be_bytes_mod_order(&e[96..]);
        assert_eq!(
            y_re.to_string(),
            "8495653923123431417604973247489272438418190587263600148770280649306958101930"
        );
    }

    #[test]
    fn g2_rejects_points_outside_subgroup() {
        // A random point on the twist is almost surely outside the order-r subgroup.
        let mut found = false;
        for i in 1u64..200 {
            let x = Fq2::new(Fq::from(i), Fq::from(1u64));
            if let Some(p) = G2Affine::get_point_from_x_unchecked(x, false) {
                assert!(!p.is_in_correct_subgroup_assuming_on_curve());
                assert_eq!(
                    g2_from_bytes(&g2_to_bytes(&p)),
                    Err(DecodeError::WrongSubgroup)
                );
                found = true;
                break;
            }
        }
        assert!(found);
    }
}

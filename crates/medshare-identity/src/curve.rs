//! BN254 plumbing: generators `G1`, `H1`, `G2`; point and scalar codecs (compressed wire form
//! and EVM view); scalar multiplication (fixed-base tables for `G1` and `H1`); Lagrange
//! coefficients.
//!
//! Arithmetic comes from arkworks, whose group operations are variable-time; see the security
//! notes in `docs/identity.md`.

use std::sync::OnceLock;

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInt, BigInteger, Field, PrimeField, UniformRand, Zero};
use rand_core::{CryptoRng, RngCore};

use crate::encoding::DecodeError;
use crate::hashing_ds;

/// Size of a compressed G1 point (arkworks compressed form).
pub(crate) const G1_LEN: usize = 32;
/// Size of a compressed G2 point (arkworks compressed form).
pub(crate) const G2_LEN: usize = 64;
/// Size of a scalar (big-endian).
pub(crate) const SCALAR_LEN: usize = 32;

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
    *H1.get_or_init(|| {
        let mut ctr: u32 = 0;
        loop {
            let mut input = Vec::from(hashing_ds::GENERATOR_H1_SEED);
            input.extend_from_slice(&ctr.to_be_bytes());
            let x = Fq::from_be_bytes_mod_order(&hashing_ds::keccak256(&input));
            if let Some(p) = G1Affine::get_point_from_x_unchecked(x, false)
                && !p.is_zero()
            {
                return p;
            }
            ctr += 1;
        }
    })
}

/// A uniformly random non-zero scalar.
pub(crate) fn random_nonzero_scalar(rng: &mut (impl CryptoRng + RngCore)) -> Fr {
    loop {
        let s = Fr::rand(rng);
        if !s.is_zero() {
            return s;
        }
    }
}

/// 32 random bytes.
pub(crate) fn random_bytes32(rng: &mut (impl CryptoRng + RngCore)) -> [u8; 32] {
    let mut b = [0u8; 32];
    rng.fill_bytes(&mut b);
    b
}

/// Scalar as 32 bytes big-endian.
pub(crate) fn scalar_to_be(s: &Fr) -> [u8; SCALAR_LEN] {
    let mut out = [0u8; SCALAR_LEN];
    out.copy_from_slice(&s.into_bigint().to_bytes_be());
    out
}

/// Scalar from 32 bytes big-endian; rejects values `>= r`.
pub(crate) fn scalar_from_be(bytes: &[u8; SCALAR_LEN]) -> Result<Fr, DecodeError> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[32 - 8 * (i + 1)..32 - 8 * i]);
        *limb = u64::from_be_bytes(w);
    }
    Fr::from_bigint(BigInt::new(limbs)).ok_or(DecodeError::NonCanonicalScalar)
}

/// Non-zero scalar from 32 bytes big-endian (secrets).
pub(crate) fn nonzero_scalar_from_be(bytes: &[u8; SCALAR_LEN]) -> Result<Fr, DecodeError> {
    let s = scalar_from_be(bytes)?;
    if s.is_zero() {
        return Err(DecodeError::ZeroScalar);
    }
    Ok(s)
}

/// A `u64` as a 32-byte big-endian word (Solidity `uint256`).
pub(crate) fn u64_word(v: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[24..].copy_from_slice(&v.to_be_bytes());
    out
}

fn fq_to_be(x: &Fq) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&x.into_bigint().to_bytes_be());
    out
}

fn fq_from_le(bytes: &[u8], mask_flags: bool) -> Option<Fq> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[8 * i..8 * i + 8]);
        *limb = u64::from_le_bytes(w);
    }
    if mask_flags {
        limbs[3] &= !(u64::from(FLAG_Y_LARGER | FLAG_INFINITY) << 56);
    }
    Fq::from_bigint(BigInt::new(limbs))
}

/// G1 point as the EVM sees it: 64 bytes `x || y` big-endian; the identity is 64 zero bytes.
pub(crate) fn g1_to_evm(p: &G1Affine) -> [u8; 64] {
    let mut out = [0u8; 64];
    if let Some((x, y)) = p.xy() {
        out[..32].copy_from_slice(&fq_to_be(&x));
        out[32..].copy_from_slice(&fq_to_be(&y));
    }
    out
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

/// Decodes an EVM-view G1 point (`x || y` big-endian) from an untrusted source, such as a
/// contract event: coordinates must be canonical and the point on the curve and not the identity.
pub(crate) fn g1_from_evm_checked(bytes: &[u8; 64]) -> Result<G1Affine, DecodeError> {
    let coordinate = |word: &[u8]| {
        let value = Fq::from_be_bytes_mod_order(word);
        // Canonical iff reducing did not change it.
        (value.into_bigint().to_bytes_be() == word)
            .then_some(value)
            .ok_or(DecodeError::NonCanonicalFieldElement)
    };
    let (x, y) = (coordinate(&bytes[..32])?, coordinate(&bytes[32..])?);
    if x.is_zero() && y.is_zero() {
        return Err(DecodeError::IdentityPoint);
    }
    let p = G1Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err(DecodeError::NotOnCurve);
    }
    Ok(p)
}

/// Decodes an EVM-view G1 point (`x || y` big-endian); used by tests and vector checks.
#[cfg(test)]
pub(crate) fn g1_from_evm(bytes: &[u8; 64]) -> Option<G1Affine> {
    let x = Fq::from_be_bytes_mod_order(&bytes[..32]);
    let y = Fq::from_be_bytes_mod_order(&bytes[32..]);
    let p = G1Affine::new_unchecked(x, y);
    (p.is_on_curve() && !p.is_zero()).then_some(p)
}

/// Decodes an EIP-197-order G2 point; used by tests and vector checks.
#[cfg(test)]
pub(crate) fn g2_from_evm(bytes: &[u8; 128]) -> Option<G2Affine> {
    let f = |i: usize| Fq::from_be_bytes_mod_order(&bytes[32 * i..32 * i + 32]);
    let p = G2Affine::new_unchecked(Fq2::new(f(1), f(0)), Fq2::new(f(3), f(2)));
    (p.is_on_curve() && !p.is_zero() && p.is_in_correct_subgroup_assuming_on_curve()).then_some(p)
}

const FLAG_Y_LARGER: u8 = 1 << 7;
const FLAG_INFINITY: u8 = 1 << 6;

/// Compressed G1 point, byte-identical to arkworks' `serialize_compressed`: x little-endian,
/// bit 7 of the last byte set iff `y > q - y`, bit 6 = infinity (never written here).
pub(crate) fn g1_to_bytes(p: &G1Affine) -> [u8; G1_LEN] {
    let mut out = [0u8; G1_LEN];
    match p.xy() {
        Some((x, y)) => {
            out.copy_from_slice(&x.into_bigint().to_bytes_le());
            if y > -y {
                out[31] |= FLAG_Y_LARGER;
            }
        }
        None => out[31] |= FLAG_INFINITY,
    }
    out
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

fn flags(last: u8) -> Result<bool, DecodeError> {
    let flags = last & (FLAG_Y_LARGER | FLAG_INFINITY);
    if flags == FLAG_Y_LARGER | FLAG_INFINITY {
        return Err(DecodeError::InvalidPointFlags);
    }
    if flags == FLAG_INFINITY {
        return Err(DecodeError::IdentityPoint);
    }
    Ok(flags == FLAG_Y_LARGER)
}

/// Decodes a compressed G1 point; rejects non-canonical x, bad flags, the identity, points off
/// the curve and points outside the prime-order subgroup, each with its own error.
pub(crate) fn g1_from_bytes(bytes: &[u8; G1_LEN]) -> Result<G1Affine, DecodeError> {
    let larger = flags(bytes[31])?;
    let x = fq_from_le(bytes, true).ok_or(DecodeError::NonCanonicalFieldElement)?;
    let p = G1Affine::get_point_from_x_unchecked(x, larger).ok_or(DecodeError::NotOnCurve)?;
    if p.is_zero() {
        return Err(DecodeError::IdentityPoint);
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(DecodeError::WrongSubgroup);
    }
    Ok(p)
}

/// Decodes a compressed G2 point with the same checks; the subgroup check matters here
/// (the twist has cofactor ≈ 2^254).
pub(crate) fn g2_from_bytes(bytes: &[u8; G2_LEN]) -> Result<G2Affine, DecodeError> {
    let larger = flags(bytes[63])?;
    let c0 = fq_from_le(&bytes[..32], false).ok_or(DecodeError::NonCanonicalFieldElement)?;
    let c1 = fq_from_le(&bytes[32..], true).ok_or(DecodeError::NonCanonicalFieldElement)?;
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

/// `s · p` for a variable G1 base (projective GLV multiplication).
pub(crate) fn mul1(p: &G1Affine, s: &Fr) -> G1Projective {
    p.into_group() * s
}

/// `s · p` for a variable G2 base (projective GLV multiplication).
pub(crate) fn mul2(p: &G2Affine, s: &Fr) -> G2Projective {
    p.into_group() * s
}

/// `s · G1` (fixed-base table).
pub(crate) fn mul_g1(s: &Fr) -> G1Projective {
    tables::g1().mul(s)
}

/// `s · H1` (fixed-base table).
pub(crate) fn mul_h1(s: &Fr) -> G1Projective {
    tables::h1().mul(s)
}

/// `s · G2`.
pub(crate) fn mul_g2(s: &Fr) -> G2Projective {
    G2Affine::generator().into_group() * s
}

/// Batch normalization (one inversion for all points).
pub(crate) fn normalize1<const N: usize>(points: [G1Projective; N]) -> [G1Affine; N] {
    let v = G1Projective::normalize_batch(&points);
    let mut out = [G1Affine::zero(); N];
    out.copy_from_slice(&v);
    out
}

/// Batch normalization in G2.
pub(crate) fn normalize2<const N: usize>(points: [G2Projective; N]) -> [G2Affine; N] {
    let v = G2Projective::normalize_batch(&points);
    let mut out = [G2Affine::zero(); N];
    out.copy_from_slice(&v);
    out
}

/// Lagrange coefficient of `xs[i]` for interpolation at 0. `xs` must be distinct and non-zero.
pub(crate) fn lagrange_at_zero(xs: &[Fr], i: usize) -> Option<Fr> {
    lagrange_at(xs, i, &Fr::zero())
}

/// Lagrange coefficient of `xs[i]` for interpolation at `at`.
pub(crate) fn lagrange_at(xs: &[Fr], i: usize, at: &Fr) -> Option<Fr> {
    let mut num = Fr::from(1u64);
    let mut den = Fr::from(1u64);
    for (j, xj) in xs.iter().enumerate() {
        if j != i {
            num *= *xj - at;
            den *= *xj - xs[i];
        }
    }
    den.inverse().map(|inv| num * inv)
}

mod tables {
    //! Fixed-base windowed tables: `table[w][j-1] = j · 2^(6w) · B` for `j = 1..=63`, so a
    //! multiplication is at most 43 mixed additions and no doublings.

    use std::sync::OnceLock;

    use ark_bn254::{Fr, G1Affine, G1Projective};
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ff::{AdditiveGroup, BigInteger, PrimeField, Zero};

    const WINDOW: usize = 6;
    const WINDOWS: usize = 254usize.div_ceil(WINDOW);
    const ENTRIES: usize = (1 << WINDOW) - 1;

    pub(super) struct FixedBase {
        points: Vec<G1Affine>,
    }

    impl FixedBase {
        fn new(base: G1Affine) -> Self {
            let mut proj = Vec::with_capacity(WINDOWS * ENTRIES);
            let mut window_base = base.into_group();
            for _ in 0..WINDOWS {
                let mut acc = G1Projective::zero();
                for _ in 0..ENTRIES {
                    acc += window_base;
                    proj.push(acc);
                }
                for _ in 0..WINDOW {
                    window_base.double_in_place();
                }
            }
            Self {
                points: G1Projective::normalize_batch(&proj),
            }
        }

        pub(super) fn mul(&self, s: &Fr) -> G1Projective {
            let bits = s.into_bigint().to_bits_le();
            let mut acc = G1Projective::zero();
            for w in 0..WINDOWS {
                let mut digit = 0usize;
                for b in 0..WINDOW {
                    if bits.get(w * WINDOW + b).copied().unwrap_or(false) {
                        digit |= 1 << b;
                    }
                }
                if digit != 0 {
                    acc += &self.points[w * ENTRIES + digit - 1];
                }
            }
            acc
        }
    }

    pub(super) fn g1() -> &'static FixedBase {
        static T: OnceLock<FixedBase> = OnceLock::new();
        T.get_or_init(|| FixedBase::new(G1Affine::generator()))
    }

    pub(super) fn h1() -> &'static FixedBase {
        static T: OnceLock<FixedBase> = OnceLock::new();
        T.get_or_init(|| FixedBase::new(super::h1()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::PrimeGroup;
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
        }
        assert!(mul_g1(&Fr::zero()).is_zero());
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
            assert_eq!(g1_from_evm(&g1_to_evm(&p)), Some(p));
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

    #[test]
    fn scalar_codec() {
        let r = Fr::MODULUS.to_bytes_be();
        let mut r32 = [0u8; 32];
        r32.copy_from_slice(&r);
        assert_eq!(scalar_from_be(&r32), Err(DecodeError::NonCanonicalScalar));
        assert_eq!(
            nonzero_scalar_from_be(&[0u8; 32]),
            Err(DecodeError::ZeroScalar)
        );
        let s = Fr::from(12345u64);
        assert_eq!(scalar_from_be(&scalar_to_be(&s)), Ok(s));
    }
}

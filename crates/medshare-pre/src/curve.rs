//! BN254 G1 plumbing: generators `G` and `U`, point and scalar codecs, scalar multiplication
//! (fixed-base tables for `G` and `U` under `std`).
//!
//! Arithmetic comes from arkworks, whose group operations are variable-time; see the security
//! notes in `docs/pre.md`.

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInt, BigInteger, Field, MontFp, PrimeField, UniformRand, Zero};
use rand_core::{CryptoRng, RngCore};

use crate::encoding::DecodeError;

/// Size of a compressed point (arkworks compressed form).
pub(crate) const POINT_LEN: usize = 32;
/// Size of a scalar (big-endian).
pub(crate) const SCALAR_LEN: usize = 32;

/// The second generator `U`: the first try-and-increment point of
/// `keccak256("MEDSHARE-PRE-v1/generator-U" || u32be(ctr)) mod q`, taking the smaller root `y`.
/// Nobody knows `log_G U`. `derive_generator_u` recomputes it (checked by a unit test).
pub(crate) const GENERATOR_U: G1Affine = G1Affine::new_unchecked(
    MontFp!("1539467036941614620792974665130059622476872345269366659467661132358722433400"),
    MontFp!("5979424430625426547255323115682320191099796281003984960148288881488333136117"),
);

/// The standard generator `G = (1, 2)`.
pub(crate) fn generator() -> G1Affine {
    G1Affine::generator()
}

/// Recomputes `U` by try-and-increment (documented in `docs/pre.md`).
#[cfg(test)]
pub(crate) fn derive_generator_u() -> G1Affine {
    let mut ctr: u32 = 0;
    loop {
        let mut input = alloc::vec::Vec::from(crate::hashing_ds::GENERATOR_U_SEED);
        input.extend_from_slice(&ctr.to_be_bytes());
        let x = Fq::from_be_bytes_mod_order(&crate::hashing_ds::keccak256(&input));
        if let Some(p) = G1Affine::get_point_from_x_unchecked(x, false)
            && !p.is_zero()
            && p.is_in_correct_subgroup_assuming_on_curve()
        {
            return p;
        }
        ctr += 1;
    }
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

/// Non-zero scalar from 32 bytes big-endian (secret keys).
pub(crate) fn nonzero_scalar_from_be(bytes: &[u8; SCALAR_LEN]) -> Result<Fr, DecodeError> {
    let s = scalar_from_be(bytes)?;
    if s.is_zero() {
        return Err(DecodeError::ZeroScalar);
    }
    Ok(s)
}

/// Field element as 32 bytes big-endian.
fn fq_to_be(x: &Fq) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&x.into_bigint().to_bytes_be());
    out
}

/// Point as the EVM sees it: 64 bytes `x || y`, big-endian; the identity is 64 zero bytes.
pub(crate) fn point_to_evm(p: &G1Affine) -> [u8; 64] {
    let mut out = [0u8; 64];
    if let Some((x, y)) = p.xy() {
        out[..32].copy_from_slice(&fq_to_be(&x));
        out[32..].copy_from_slice(&fq_to_be(&y));
    }
    out
}

const FLAG_Y_LARGER: u8 = 1 << 7;
const FLAG_INFINITY: u8 = 1 << 6;

/// Compressed point, byte-identical to arkworks' `serialize_compressed`: x little-endian,
/// bit 7 of the last byte set iff `y > q - y`, bit 6 = infinity (never written here).
pub(crate) fn point_to_bytes(p: &G1Affine) -> [u8; POINT_LEN] {
    let mut out = [0u8; POINT_LEN];
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

/// Decodes a compressed point; rejects non-canonical x, bad flags, the identity, points off the
/// curve and points outside the prime-order subgroup, each with its own error.
pub(crate) fn point_from_bytes(bytes: &[u8; POINT_LEN]) -> Result<G1Affine, DecodeError> {
    let flags = bytes[31] & (FLAG_Y_LARGER | FLAG_INFINITY);
    if flags == FLAG_Y_LARGER | FLAG_INFINITY {
        return Err(DecodeError::InvalidPointFlags);
    }
    if flags == FLAG_INFINITY {
        return Err(DecodeError::IdentityPoint);
    }
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[8 * i..8 * i + 8]);
        *limb = u64::from_le_bytes(w);
    }
    limbs[3] &= !(u64::from(FLAG_Y_LARGER | FLAG_INFINITY) << 56);
    let x = Fq::from_bigint(BigInt::new(limbs)).ok_or(DecodeError::NonCanonicalFieldElement)?;
    let p = G1Affine::get_point_from_x_unchecked(x, flags == FLAG_Y_LARGER)
        .ok_or(DecodeError::NotOnCurve)?;
    if p.is_zero() {
        return Err(DecodeError::IdentityPoint);
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(DecodeError::WrongSubgroup);
    }
    Ok(p)
}

/// Decodes an EVM-view point (`x || y` big-endian); used only by tests and vector checks.
#[cfg(test)]
pub(crate) fn point_from_evm(bytes: &[u8; 64]) -> Option<G1Affine> {
    let x = Fq::from_be_bytes_mod_order(&bytes[..32]);
    let y = Fq::from_be_bytes_mod_order(&bytes[32..]);
    let p = G1Affine::new_unchecked(x, y);
    (p.is_on_curve() && !p.is_zero()).then_some(p)
}

/// `s · p` for a variable base (projective GLV multiplication).
pub(crate) fn mul(p: &G1Affine, s: &Fr) -> G1Projective {
    p.into_group() * s
}

/// `s · G`.
pub(crate) fn mul_g(s: &Fr) -> G1Projective {
    #[cfg(feature = "std")]
    {
        tables::g().mul(s)
    }
    #[cfg(not(feature = "std"))]
    {
        G1Affine::generator().into_group() * s
    }
}

/// `s · U`.
pub(crate) fn mul_u(s: &Fr) -> G1Projective {
    #[cfg(feature = "std")]
    {
        tables::u().mul(s)
    }
    #[cfg(not(feature = "std"))]
    {
        GENERATOR_U.into_group() * s
    }
}

/// Batch normalization (one inversion for all points).
pub(crate) fn normalize<const N: usize>(points: [G1Projective; N]) -> [G1Affine; N] {
    let v = G1Projective::normalize_batch(&points);
    let mut out = [G1Affine::zero(); N];
    out.copy_from_slice(&v);
    out
}

/// Lagrange coefficient of `xs[i]` for interpolation at 0. `xs` must be distinct.
pub(crate) fn lagrange_at_zero(xs: &[Fr], i: usize) -> Option<Fr> {
    let mut num = Fr::from(1u64);
    let mut den = Fr::from(1u64);
    for (j, xj) in xs.iter().enumerate() {
        if j != i {
            num *= xj;
            den *= *xj - xs[i];
        }
    }
    den.inverse().map(|inv| num * inv)
}

#[cfg(feature = "std")]
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

    pub(super) fn g() -> &'static FixedBase {
        static T: OnceLock<FixedBase> = OnceLock::new();
        T.get_or_init(|| FixedBase::new(G1Affine::generator()))
    }

    pub(super) fn u() -> &'static FixedBase {
        static T: OnceLock<FixedBase> = OnceLock::new();
        T.get_or_init(|| FixedBase::new(super::GENERATOR_U))
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
    fn generator_u_matches_derivation() {
        let u = derive_generator_u();
        assert_eq!(u, GENERATOR_U);
        assert!(GENERATOR_U.is_on_curve());
        assert_ne!(GENERATOR_U, generator());
    }

    #[test]
    fn fixed_base_matches_plain_mul() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        for _ in 0..20 {
            let s = Fr::rand(&mut rng);
            assert_eq!(mul_g(&s), G1Projective::generator() * s);
            assert_eq!(mul_u(&s), GENERATOR_U.into_group() * s);
        }
        assert!(mul_g(&Fr::zero()).is_zero());
        assert_eq!(mul_g(&-Fr::from(1u64)), -G1Projective::generator());
    }

    #[test]
    fn compressed_matches_arkworks() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        for _ in 0..50 {
            let p = (G1Projective::generator() * Fr::rand(&mut rng)).into_affine();
            let mut ark = [0u8; 32];
            p.serialize_compressed(&mut ark[..]).expect("fits");
            assert_eq!(point_to_bytes(&p), ark);
            assert_eq!(point_from_bytes(&ark), Ok(p));
            assert_eq!(point_from_evm(&point_to_evm(&p)), Some(p));
        }
    }

    #[test]
    fn scalar_codec() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        for _ in 0..50 {
            let s = Fr::rand(&mut rng);
            assert_eq!(scalar_from_be(&scalar_to_be(&s)), Ok(s));
        }
        let r = Fr::MODULUS.to_bytes_be();
        let mut r32 = [0u8; 32];
        r32.copy_from_slice(&r);
        assert_eq!(scalar_from_be(&r32), Err(DecodeError::NonCanonicalScalar));
        assert_eq!(
            nonzero_scalar_from_be(&[0u8; 32]),
            Err(DecodeError::ZeroScalar)
        );
    }
}

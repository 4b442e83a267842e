//! G1 points of BN254: the compressed wire form, the EVM view, variable-base multiplication,
//! batch normalization and try-and-increment generators; plus the base-field and flag helpers
//! that a compressed G2 codec (in `medshare-identity`) builds on.
//!
//! Compressed form (arkworks' `serialize_compressed`): `x` little-endian, bit 7 of the last byte
//! set iff `y > q - y`, bit 6 = infinity. Infinity is never written by the medshare crates and
//! never accepted.

use alloc::vec::Vec;

use ark_bn254::{Fq, Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInt, BigInteger, PrimeField, Zero};

use crate::DecodeError;
use crate::hashing::keccak256;

/// Size of a compressed G1 point.
pub const G1_LEN: usize = 32;

/// Flag bit (bit 7 of the last byte) of a compressed point: `y` is the larger root.
pub const FLAG_Y_LARGER: u8 = 1 << 7;
/// Flag bit (bit 6 of the last byte) of a compressed point: the point at infinity.
pub const FLAG_INFINITY: u8 = 1 << 6;

/// Reads the flag bits of the last byte of a compressed point: `Ok(true)` iff `y` is the
/// larger root. Both bits set is [`DecodeError::InvalidPointFlags`], the infinity bit alone
/// [`DecodeError::IdentityPoint`].
pub fn compressed_flags(last: u8) -> Result<bool, DecodeError> {
    let flags = last & (FLAG_Y_LARGER | FLAG_INFINITY);
    if flags == FLAG_Y_LARGER | FLAG_INFINITY {
        return Err(DecodeError::InvalidPointFlags);
    }
    if flags == FLAG_INFINITY {
        return Err(DecodeError::IdentityPoint);
    }
    Ok(flags == FLAG_Y_LARGER)
}

/// Base-field element from 32 bytes little-endian, clearing the two flag bits of the last byte
/// first when `mask_flags`; `None` if the value is `>= q`.
pub fn fq_from_le(bytes: &[u8; 32], mask_flags: bool) -> Option<Fq> {
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

/// Base-field element as 32 bytes big-endian (an EVM word).
#[inline]
pub fn fq_to_be(x: &Fq) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&x.into_bigint().to_bytes_be());
    out
}

/// Compressed G1 point, byte-identical to arkworks' `serialize_compressed`.
pub fn g1_to_bytes(p: &G1Affine) -> [u8; G1_LEN] {
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

/// Decodes a compressed G1 point; rejects bad flags, non-canonical x, the identity, points off
/// the curve and points outside the prime-order subgroup (impossible on G1, checked anyway),
/// each with its own error.
pub fn g1_from_bytes(bytes: &[u8; G1_LEN]) -> Result<G1Affine, DecodeError> {
    let larger = compressed_flags(bytes[31])?;
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

/// G1 point as the EVM sees it: 64 bytes `x || y` big-endian; the identity is 64 zero bytes.
pub fn g1_to_evm(p: &G1Affine) -> [u8; 64] {
    let mut out = [0u8; 64];
    if let Some((x, y)) = p.xy() {
        out[..32].copy_from_slice(&fq_to_be(&x));
        out[32..].copy_from_slice(&fq_to_be(&y));
    }
    out
}

/// Decodes an EVM-view G1 point (`x || y` big-endian) from an untrusted source, such as a
/// contract event: coordinates must be canonical and the point on the curve and not the identity.
pub fn g1_from_evm(bytes: &[u8; 64]) -> Result<G1Affine, DecodeError> {
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

/// `s · p` for a variable G1 base (projective GLV multiplication). For the generator use
/// [`g1_mul_generator`](crate::g1_mul_generator), for another fixed base a
/// [`FixedBase`](crate::FixedBase).
#[inline]
pub fn g1_mul(p: &G1Affine, s: &Fr) -> G1Projective {
    p.into_group() * s
}

/// Batch normalization (one inversion for all points).
pub fn g1_normalize<const N: usize>(points: [G1Projective; N]) -> [G1Affine; N] {
    let v = G1Projective::normalize_batch(&points);
    let mut out = [G1Affine::zero(); N];
    out.copy_from_slice(&v);
    out
}

/// A G1 generator nobody knows a discrete log of: the first try-and-increment point with
/// `x = keccak256(seed || u32be(ctr)) mod q` for `ctr = 0, 1, ..` and the smaller root `y`.
/// The subgroup check never fails on G1 (cofactor 1); it is kept for the record.
pub fn g1_try_and_increment(seed: &[u8]) -> G1Affine {
    let mut ctr: u32 = 0;
    loop {
        let mut input = Vec::from(seed);
        input.extend_from_slice(&ctr.to_be_bytes());
        let x = Fq::from_be_bytes_mod_order(&keccak256(&input));
        if let Some(p) = G1Affine::get_point_from_x_unchecked(x, false)
            && !p.is_zero()
            && p.is_in_correct_subgroup_assuming_on_curve()
        {
            return p;
        }
        ctr += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::PrimeGroup;
    use ark_ff::UniformRand;
    use ark_serialize::CanonicalSerialize;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn random_point(rng: &mut ChaCha20Rng) -> G1Affine {
        (G1Projective::generator() * Fr::rand(rng)).into_affine()
    }

    #[test]
    fn compressed_matches_arkworks_and_round_trips() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        for _ in 0..50 {
            let p = random_point(&mut rng);
            let mut ark = [0u8; 32];
            p.serialize_compressed(&mut ark[..]).expect("fits");
            assert_eq!(g1_to_bytes(&p), ark);
            assert_eq!(g1_from_bytes(&ark), Ok(p));
            assert_eq!(g1_from_bytes(&g1_to_bytes(&-p)), Ok(-p));
        }
    }

    #[test]
    fn compressed_rejects_malformed() {
        let p = random_point(&mut ChaCha20Rng::seed_from_u64(5));
        let good = g1_to_bytes(&p);

        let mut both = good;
        both[31] |= FLAG_Y_LARGER | FLAG_INFINITY;
        assert_eq!(g1_from_bytes(&both), Err(DecodeError::InvalidPointFlags));

        let mut inf = [0u8; 32];
        inf[31] = FLAG_INFINITY;
        assert_eq!(g1_from_bytes(&inf), Err(DecodeError::IdentityPoint));
        // What arkworks writes for the identity.
        let mut ark = [0u8; 32];
        G1Affine::zero()
            .serialize_compressed(&mut ark[..])
            .expect("fits");
        assert_eq!(g1_from_bytes(&ark), Err(DecodeError::IdentityPoint));
        assert_eq!(g1_to_bytes(&G1Affine::zero()), ark);

        let mut big = [0xff; 32];
        big[31] = 0x3f; // x = 2^254 - 1 >= q, no flags
        assert_eq!(
            g1_from_bytes(&big),
            Err(DecodeError::NonCanonicalFieldElement)
        );
        let mut q = [0u8; 32];
        q.copy_from_slice(&Fq::MODULUS.to_bytes_le());
        assert_eq!(
            g1_from_bytes(&q),
            Err(DecodeError::NonCanonicalFieldElement)
        );

        // x = 0 has y^2 = 3, not a square mod q: no point.
        assert_eq!(g1_from_bytes(&[0u8; 32]), Err(DecodeError::NotOnCurve));
        let mut found = false;
        for x in 1u8..50 {
            let mut b = [0u8; 32];
            b[0] = x;
            if G1Affine::get_point_from_x_unchecked(Fq::from(x), false).is_none() {
                assert_eq!(g1_from_bytes(&b), Err(DecodeError::NotOnCurve));
                found = true;
            }
        }
        assert!(found);
    }

    #[test]
    fn evm_view_round_trips_and_rejects_malformed() {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        for _ in 0..20 {
            let p = random_point(&mut rng);
            assert_eq!(g1_from_evm(&g1_to_evm(&p)), Ok(p));
        }
        let g = g1_to_evm(&G1Affine::generator());
        assert_eq!(g[31], 1);
        assert_eq!(g[63], 2);
        assert_eq!(g1_to_evm(&G1Affine::zero()), [0u8; 64]);
        assert_eq!(g1_from_evm(&[0u8; 64]), Err(DecodeError::IdentityPoint));
        let mut off = g;
        off[63] = 3;
        assert_eq!(g1_from_evm(&off), Err(DecodeError::NotOnCurve));
        // x + q encodes the same field element, non-canonically.
        let mut big = g;
        let mut x_plus_q = Fq::MODULUS;
        x_plus_q.add_with_carry(&BigInt::from(1u64));
        big[..32].copy_from_slice(&x_plus_q.to_bytes_be());
        assert_eq!(
            g1_from_evm(&big),
            Err(DecodeError::NonCanonicalFieldElement)
        );
    }

    #[test]
    fn fq_helpers() {
        let x = Fq::from(0x0102_0304u64);
        let mut le = fq_to_be(&x);
        le.reverse();
        assert_eq!(fq_from_le(&le, false), Some(x));
        le[31] |= FLAG_Y_LARGER;
        assert_eq!(fq_from_le(&le, true), Some(x));
        assert_eq!(fq_from_le(&[0xff; 32], false), None);
        assert_eq!(compressed_flags(0), Ok(false));
        assert_eq!(compressed_flags(FLAG_Y_LARGER | 0x3f), Ok(true));
        assert_eq!(
            compressed_flags(FLAG_INFINITY),
            Err(DecodeError::IdentityPoint)
        );
        assert_eq!(compressed_flags(0xc0), Err(DecodeError::InvalidPointFlags));
    }

    #[test]
    fn try_and_increment_is_deterministic_and_valid() {
        let a = g1_try_and_increment(b"medshare-bn254 test seed");
        assert_eq!(a, g1_try_and_increment(b"medshare-bn254 test seed"));
        assert!(a.is_on_curve() && !a.is_zero());
        assert_ne!(a, G1Affine::generator());
        assert_ne!(a, g1_try_and_increment(b"another seed"));
        let [n] = g1_normalize([g1_mul(&a, &Fr::from(2u64))]);
        assert_eq!(n, (a.into_group() + a).into_affine());
    }
}

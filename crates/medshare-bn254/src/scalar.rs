//! Scalars of BN254 (`Fr`, order `r`): the 32-byte big-endian codec, randomness, Lagrange
//! coefficients.

use ark_bn254::Fr;
use ark_ff::{BigInt, BigInteger, Field, PrimeField, UniformRand, Zero};
use rand_core::{CryptoRng, RngCore};

use crate::DecodeError;

/// Size of an encoded scalar (big-endian).
pub const SCALAR_LEN: usize = 32;

/// A uniformly random non-zero scalar.
pub fn random_nonzero_scalar(rng: &mut (impl CryptoRng + RngCore)) -> Fr {
    loop {
        let s = Fr::rand(rng);
        if !s.is_zero() {
            return s;
        }
    }
}

/// 32 random bytes.
pub fn random_bytes32(rng: &mut (impl CryptoRng + RngCore)) -> [u8; 32] {
    let mut b = [0u8; 32];
    rng.fill_bytes(&mut b);
    b
}

/// Scalar as 32 bytes big-endian.
#[inline]
pub fn scalar_to_be(s: &Fr) -> [u8; SCALAR_LEN] {
    let mut out = [0u8; SCALAR_LEN];
    out.copy_from_slice(&s.into_bigint().to_bytes_be());
    out
}

/// Scalar from 32 bytes big-endian; rejects values `>= r` ([`DecodeError::NonCanonicalScalar`]).
pub fn scalar_from_be(bytes: &[u8; SCALAR_LEN]) -> Result<Fr, DecodeError> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[32 - 8 * (i + 1)..32 - 8 * i]);
        *limb = u64::from_be_bytes(w);
    }
    Fr::from_bigint(BigInt::new(limbs)).ok_or(DecodeError::NonCanonicalScalar)
}

/// Non-zero scalar from 32 bytes big-endian (secrets); zero is [`DecodeError::ZeroScalar`].
pub fn nonzero_scalar_from_be(bytes: &[u8; SCALAR_LEN]) -> Result<Fr, DecodeError> {
    let s = scalar_from_be(bytes)?;
    if s.is_zero() {
        return Err(DecodeError::ZeroScalar);
    }
    Ok(s)
}

/// A `u64` as a 32-byte big-endian word (Solidity `uint256`).
#[inline]
pub fn u64_word(v: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[24..].copy_from_slice(&v.to_be_bytes());
    out
}

/// Lagrange coefficient of `xs[i]` for interpolation at 0. `xs` must be distinct; `None` if
/// two are equal.
pub fn lagrange_at_zero(xs: &[Fr], i: usize) -> Option<Fr> {
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

/// Lagrange coefficient of `xs[i]` for interpolation at `at`. `xs` must be distinct; `None` if
/// two are equal.
pub fn lagrange_at(xs: &[Fr], i: usize, at: &Fr) -> Option<Fr> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn codec_round_trips_and_rejects_non_canonical() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        for _ in 0..50 {
            let s = Fr::rand(&mut rng);
            assert_eq!(scalar_from_be(&scalar_to_be(&s)), Ok(s));
        }
        let max = -Fr::from(1u64);
        assert_eq!(scalar_from_be(&scalar_to_be(&max)), Ok(max));
        let mut r32 = [0u8; 32];
        r32.copy_from_slice(&Fr::MODULUS.to_bytes_be());
        assert_eq!(scalar_from_be(&r32), Err(DecodeError::NonCanonicalScalar));
        assert_eq!(
            scalar_from_be(&[0xff; 32]),
            Err(DecodeError::NonCanonicalScalar)
        );
        assert_eq!(scalar_from_be(&[0u8; 32]), Ok(Fr::zero()));
        assert_eq!(
            nonzero_scalar_from_be(&[0u8; 32]),
            Err(DecodeError::ZeroScalar)
        );
        assert_eq!(
            nonzero_scalar_from_be(&r32),
            Err(DecodeError::NonCanonicalScalar)
        );
        let mut one = [0u8; 32];
        one[31] = 1;
        assert_eq!(nonzero_scalar_from_be(&one), Ok(Fr::from(1u64)));
        assert_eq!(u64_word(0x0102), {
            let mut w = [0u8; 32];
            w[30] = 1;
            w[31] = 2;
            w
        });
    }

    #[test]
    fn lagrange_interpolates() {
        // f(x) = 5 + 3x + 2x^2 through x = 1, 2, 3.
        let f = |x: Fr| Fr::from(5u64) + Fr::from(3u64) * x + Fr::from(2u64) * x * x;
        let xs = [Fr::from(1u64), Fr::from(2u64), Fr::from(3u64)];
        let at = |z: Fr| -> Fr {
            (0..3)
                .map(|i| f(xs[i]) * lagrange_at(&xs, i, &z).expect("distinct"))
                .sum()
        };
        let zero: Fr = (0..3)
            .map(|i| f(xs[i]) * lagrange_at_zero(&xs, i).expect("distinct"))
            .sum();
        assert_eq!(zero, Fr::from(5u64));
        assert_eq!(at(Fr::zero()), Fr::from(5u64));
        assert_eq!(at(Fr::from(10u64)), f(Fr::from(10u64)));
        assert_eq!(lagrange_at_zero(&[xs[0], xs[0]], 0), None);
        assert!(random_nonzero_scalar(&mut ChaCha20Rng::seed_from_u64(4)) != Fr::zero());
    }
}

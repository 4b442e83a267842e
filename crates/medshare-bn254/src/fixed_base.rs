//! Fixed-base windowed tables: `table[w][j-1] = j · 2^(6w) · B` for `j = 1..=63`, so a
//! multiplication is at most 43 mixed additions and no doublings.
//!
//! The table indexes memory with secret digits (not constant-time), like the rest of arkworks'
//! group arithmetic.

use alloc::vec::Vec;

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, BigInteger, PrimeField, Zero};

const WINDOW: usize = 6;
const WINDOWS: usize = 254usize.div_ceil(WINDOW);
const ENTRIES: usize = (1 << WINDOW) - 1;

/// A precomputed table of multiples of one G1 base (about 85 KB). Build it once per base and
/// keep it (callers cache it in a `OnceLock`).
pub struct FixedBase {
    points: Vec<G1Affine>,
}

impl FixedBase {
    /// Builds the table of `base` (2 709 additions and one batch normalization).
    pub fn new(base: G1Affine) -> Self {
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

    /// `s · base`.
    pub fn mul(&self, s: &Fr) -> G1Projective {
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

/// `s · G1` for the standard generator `G1 = (1, 2)`: from a table built on first use under
/// `std`, a plain multiplication otherwise.
pub fn g1_mul_generator(s: &Fr) -> G1Projective {
    #[cfg(feature = "std")]
    {
        static TABLE: std::sync::OnceLock<FixedBase> = std::sync::OnceLock::new();
        TABLE
            .get_or_init(|| FixedBase::new(G1Affine::generator()))
            .mul(s)
    }
    #[cfg(not(feature = "std"))]
    {
        G1Affine::generator().into_group() * s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::PrimeGroup;
    use ark_ff::UniformRand;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn table_mul_matches_plain_mul() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let base = (G1Projective::generator() * Fr::from(0xdead_beefu64)).into_affine();
        let table = FixedBase::new(base);
        for _ in 0..20 {
            let s = Fr::rand(&mut rng);
            assert_eq!(g1_mul_generator(&s), G1Projective::generator() * s);
            assert_eq!(table.mul(&s), base.into_group() * s);
        }
        for s in [
            Fr::zero(),
            Fr::from(1u64),
            Fr::from(63u64),
            Fr::from(64u64),
            -Fr::from(1u64),
        ] {
            assert_eq!(g1_mul_generator(&s), G1Projective::generator() * s);
            assert_eq!(table.mul(&s), base.into_group() * s);
        }
        assert!(g1_mul_generator(&Fr::zero()).is_zero());
    }
}

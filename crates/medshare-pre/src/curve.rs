//! BN254 G1 plumbing of this crate: the generators `G` and `U`, and scalar multiplication by
//! them (fixed-base tables under `std`). The codecs and the rest of the curve arithmetic live
//! in `medshare-bn254` and are re-exported here under this crate's names (it has one group,
//! so a G1 point is a "point").
//!
//! Arithmetic comes from arkworks, whose group operations are variable-time; see the security
//! notes in `docs/pre.md`.

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::AffineRepr;
use ark_ff::MontFp;

pub(crate) use medshare_bn254::{
    G1_LEN as POINT_LEN, SCALAR_LEN, g1_from_bytes as point_from_bytes, g1_mul as mul,
    g1_mul_generator as mul_g, g1_normalize as normalize, g1_to_bytes as point_to_bytes,
    g1_to_evm as point_to_evm, lagrange_at_zero, nonzero_scalar_from_be, random_bytes32,
    random_nonzero_scalar, scalar_from_be, scalar_to_be, u64_word,
};

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
    medshare_bn254::g1_try_and_increment(crate::hashing_ds::GENERATOR_U_SEED)
}

/// `s · U`.
pub(crate) fn mul_u(s: &Fr) -> G1Projective {
    #[cfg(feature = "std")]
    {
        use medshare_bn254::FixedBase;
        use std::sync::OnceLock;

        static TABLE: OnceLock<FixedBase> = OnceLock::new();
        TABLE.get_or_init(|| FixedBase::new(GENERATOR_U)).mul(s)
    }
    #[cfg(not(feature = "std"))]
    {
        GENERATOR_U.into_group() * s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::PrimeGroup;
    use ark_ff::{UniformRand, Zero};
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
}

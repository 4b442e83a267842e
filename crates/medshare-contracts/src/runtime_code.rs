//! Whether the code at an address is a medshare contract: a configured address can point at
//! nothing (another chain) or at something else, and calls to it would then fail late or,
//! for views, quietly return nothing.

use crate::{Consortium, IdentityRegistry, PreVerifier};

mod immutables {
    include!(concat!(env!("OUT_DIR"), "/immutables.rs"));
}

/// A deployable medshare contract whose runtime code can be recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Contract {
    /// `Consortium.sol`.
    Consortium,
    /// `IdentityRegistry.sol`.
    IdentityRegistry,
    /// `PreVerifier.sol`.
    PreVerifier,
}

impl Contract {
    /// The contract's Solidity name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Consortium => "Consortium",
            Self::IdentityRegistry => "IdentityRegistry",
            Self::PreVerifier => "PreVerifier",
        }
    }

    /// Whether `code` (an account's runtime code) is this contract as compiled into the
    /// committed artifact: the same length and the same bytes everywhere except in the
    /// immutables, which the constructor fills in.
    pub fn matches_runtime_code(self, code: &[u8]) -> bool {
        let (expected, immutables): (&[u8], _) = match self {
            Self::Consortium => (&Consortium::DEPLOYED_BYTECODE, immutables::CONSORTIUM),
            Self::IdentityRegistry => (
                &IdentityRegistry::DEPLOYED_BYTECODE,
                immutables::IDENTITY_REGISTRY,
            ),
            Self::PreVerifier => (&PreVerifier::DEPLOYED_BYTECODE, immutables::PRE_VERIFIER),
        };
        if code.len() != expected.len() {
            return false;
        }
        // The ranges are sorted; compare the stretches between them.
        let mut from = 0;
        for &(start, length) in immutables {
            if code.get(from..start) != expected.get(from..start) {
                return false;
            }
            from = from.max(start.saturating_add(length));
        }
        code.get(from..) == expected.get(from..)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const ALL: [Contract; 3] = [
        Contract::Consortium,
        Contract::IdentityRegistry,
        Contract::PreVerifier,
    ];

    #[test]
    fn the_immutable_ranges_lie_inside_the_code() {
        assert!(!immutables::IDENTITY_REGISTRY.is_empty());
        for (code, ranges) in [
            (
                &IdentityRegistry::DEPLOYED_BYTECODE,
                immutables::IDENTITY_REGISTRY,
            ),
            (&Consortium::DEPLOYED_BYTECODE, immutables::CONSORTIUM),
            (&PreVerifier::DEPLOYED_BYTECODE, immutables::PRE_VERIFIER),
        ] {
            assert!(ranges.windows(2).all(|w| w[0].0 + w[0].1 <= w[1].0));
            assert!(
                ranges
                    .iter()
                    .all(|&(start, length)| start + length <= code.len())
            );
        }
    }

    #[test]
    fn each_contract_recognises_only_its_own_artifact() {
        let codes = [
            &Consortium::DEPLOYED_BYTECODE,
            &IdentityRegistry::DEPLOYED_BYTECODE,
            &PreVerifier::DEPLOYED_BYTECODE,
        ];
        for (i, contract) in ALL.into_iter().enumerate() {
            for (j, code) in codes.into_iter().enumerate() {
                assert_eq!(
                    contract.matches_runtime_code(code),
                    i == j,
                    "{contract:?} {j}"
                );
            }
            assert!(!contract.matches_runtime_code(&[]));
        }
    }

    #[test]
    fn only_immutable_bytes_may_differ() {
        let code = IdentityRegistry::DEPLOYED_BYTECODE.to_vec();
        let contract = Contract::IdentityRegistry;
        let mut filled = code.clone();
        for &(start, length) in immutables::IDENTITY_REGISTRY {
            filled[start..start + length].fill(0xa5);
        }
        assert!(contract.matches_runtime_code(&filled));

        let (start, length) = immutables::IDENTITY_REGISTRY[0];
        for outside in [0, start - 1, start + length, code.len() - 1] {
            let mut flipped = code.clone();
            flipped[outside] ^= 1;
            assert!(!contract.matches_runtime_code(&flipped), "byte {outside}");
        }
        assert!(!contract.matches_runtime_code(&code[..code.len() - 1]));
        let mut longer = code;
        longer.push(0);
        assert!(!contract.matches_runtime_code(&longer));
    }
}

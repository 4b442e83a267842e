//! One decoder of revert data for every medshare contract.

use alloy::{
    primitives::Bytes,
    sol_types::{SolError, SolInterface},
};
use medshare_contracts::{Consortium::ConsortiumErrors, IdentityRegistry::IdentityRegistryErrors};

/// Revert data, decoded. The `Bn254*` errors of the curve library, which every contract doing
/// curve arithmetic shares, decode as [`Revert::IdentityRegistry`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revert {
    /// A custom error of `Consortium`.
    Consortium(ConsortiumErrors),
    /// A custom error of `IdentityRegistry` (or of the `Bn254` library).
    IdentityRegistry(IdentityRegistryErrors),
    /// A `revert("…")` / `require(…, "…")` message.
    Message(String),
    /// No data: out of gas or an invalid instruction.
    Empty,
    /// Data that is none of the above.
    Unknown(Bytes),
}

impl Revert {
    /// Decodes `data` as the revert data of a medshare contract.
    pub fn decode(data: &[u8]) -> Self {
        if data.is_empty() {
            return Self::Empty;
        }
        if let Ok(error) = ConsortiumErrors::abi_decode(data) {
            return Self::Consortium(error);
        }
        if let Ok(error) = IdentityRegistryErrors::abi_decode(data) {
            return Self::IdentityRegistry(error);
        }
        match alloy::sol_types::Revert::abi_decode(data) {
            Ok(revert) => Self::Message(revert.reason),
            Err(_) => Self::Unknown(Bytes::copy_from_slice(data)),
        }
    }

    /// The custom error's Solidity name, for a custom error.
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Self::Consortium(error) => ConsortiumErrors::name_by_selector(error.selector()),
            Self::IdentityRegistry(error) => {
                IdentityRegistryErrors::name_by_selector(error.selector())
            }
            Self::Message(_) | Self::Empty | Self::Unknown(_) => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use alloy::{
        primitives::{Address, U256},
        sol_types::{SolError, SolInterface},
    };
    use medshare_contracts::{Consortium, IdentityRegistry};

    use super::*;

    #[test]
    fn every_custom_error_of_every_contract_decodes_by_name() {
        let all = ConsortiumErrors::SELECTORS
            .iter()
            .zip(ConsortiumErrors::VARIANT_NAMES)
            .chain(
                IdentityRegistryErrors::SELECTORS
                    .iter()
                    .zip(IdentityRegistryErrors::VARIANT_NAMES),
            );
        let mut count = 0;
        for (selector, name) in all {
            // No error has more than three static fields.
            let data = [&selector[..], &[0; 96]].concat();
            assert_eq!(Revert::decode(&data).name(), Some(*name));
            count += 1;
        }
        assert_eq!(
            count,
            ConsortiumErrors::COUNT + IdentityRegistryErrors::COUNT
        );
    }

    #[test]
    fn messages_empty_and_foreign_data() {
        let unauthorized = Consortium::ConsortiumUnauthorizedAccount {
            account: Address::repeat_byte(1),
        };
        assert!(matches!(
            Revert::decode(&unauthorized.abi_encode()),
            Revert::Consortium(ConsortiumErrors::ConsortiumUnauthorizedAccount(e)) if e.account == Address::repeat_byte(1)
        ));
        let traced = IdentityRegistry::IdentityRegistryTracedIdentityElement {
            traceId: U256::from(7),
        };
        assert_eq!(
            Revert::decode(&traced.abi_encode()).name(),
            Some("IdentityRegistryTracedIdentityElement")
        );
        let message = alloy::sol_types::Revert::from("no").abi_encode();
        assert_eq!(Revert::decode(&message), Revert::Message("no".into()));
        assert_eq!(Revert::decode(&[]), Revert::Empty);
        assert_eq!(
            Revert::decode(&[0xde, 0xad]),
            Revert::Unknown(Bytes::from_static(&[0xde, 0xad]))
        );
        assert_eq!(Revert::decode(&[0xde, 0xad]).name(), None);
    }
}

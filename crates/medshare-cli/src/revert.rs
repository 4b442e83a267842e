//! Revert data of the medshare contracts, decoded: the custom error's name (kept for `--json`)
//! and a one-line rendering of its fields.

use alloy::sol_types::{SolError, SolInterface};
use medshare_contracts::{Consortium::ConsortiumErrors, IdentityRegistry::IdentityRegistryErrors};

use crate::output::cut;

/// A revert explained.
pub(crate) struct Explained {
    /// The Solidity custom error, if the data is one of medshare's.
    pub(crate) name: Option<String>,
    pub(crate) message: String,
}

/// Explains revert data `output`.
pub(crate) fn explain(output: &[u8]) -> Explained {
    // Debug renders `Variant(Variant { field: value })`; keep the inner part.
    let custom = |debug: String| {
        let inner = match debug.split_once('(') {
            Some((_, inner)) if inner.ends_with(')') => inner[..inner.len() - 1].to_string(),
            _ => debug,
        };
        let name = inner
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .map(str::to_string);
        Explained {
            name,
            message: inner,
        }
    };
    if let Ok(error) = ConsortiumErrors::abi_decode(output) {
        return custom(format!("{error:?}"));
    }
    if let Ok(error) = IdentityRegistryErrors::abi_decode(output) {
        return custom(format!("{error:?}"));
    }
    let message = if let Ok(reason) = alloy::sol_types::Revert::abi_decode(output) {
        format!("the contract refused: {}", cut(&reason.reason))
    } else if output.is_empty() {
        "the call ran out of gas or hit an invalid instruction (no revert data)".to_string()
    } else {
        let hex = alloy::primitives::hex::encode(output);
        let shown = if hex.len() > 64 {
            format!("{}…", &hex[..64])
        } else {
            hex
        };
        format!(
            "the contract reverted with unrecognised data ({} bytes): 0x{shown}",
            output.len()
        )
    };
    Explained {
        name: None,
        message,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use alloy::primitives::Address;
    use medshare_contracts::Consortium;

    use super::*;

    #[test]
    fn names_a_custom_error_and_cuts_unknown_data() {
        let data = Consortium::ConsortiumUnauthorizedAccount {
            account: Address::repeat_byte(1),
        }
        .abi_encode();
        let explained = explain(&data);
        assert_eq!(
            explained.name.as_deref(),
            Some("ConsortiumUnauthorizedAccount")
        );
        assert!(
            explained
                .message
                .starts_with("ConsortiumUnauthorizedAccount")
        );
        let unknown = explain(&[0xab; 4000]);
        assert!(unknown.name.is_none());
        assert!(unknown.message.len() < 160, "{}", unknown.message);
        assert!(unknown.message.contains("4000 bytes"));
        assert!(explain(&[]).message.contains("out of gas"));
    }
}

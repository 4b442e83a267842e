//! Values typed on the command line: addresses and 32-byte words, with errors that say what
//! is wrong (usage errors, exit code 2).

use alloy::primitives::{Address, B256};
use anyhow::Result;
use medshare_chain::{Roles, ShortText};

use crate::output::{cut, usage};

/// An address: `0x` and 40 hex digits, all lower case, all upper case, or mixed case with a
/// valid EIP-55 checksum (a mixed-case typo is caught instead of sending to a wrong address).
pub(crate) fn address(text: &str, what: &str) -> Result<Address> {
    let shown = cut(text);
    let Some(digits) = text.strip_prefix("0x") else {
        return Err(usage(format!(
            "the {what} `{shown}` is not a hex address: it must start with 0x"
        )));
    };
    if digits.len() != 40 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(usage(format!(
            "the {what} `{shown}` is not a hex address (0x followed by 40 hex digits)"
        )));
    }
    let mixed_case = digits.bytes().any(|b| b.is_ascii_lowercase())
        && digits.bytes().any(|b| b.is_ascii_uppercase());
    if mixed_case {
        return Address::parse_checksummed(text, None).map_err(|_| {
            usage(format!(
                "the {what} `{shown}` has a wrong EIP-55 checksum (its upper- and lower-case letters do not match); check it for a typo, or write it all in lower case"
            ))
        });
    }
    text.parse()
        .map_err(|_| usage(format!("the {what} `{shown}` is not a hex address")))
}

/// Short text kept on chain (an institution name, a reason); `what` names it in errors.
pub(crate) fn short_text(text: &str, what: &str) -> Result<ShortText> {
    ShortText::new(text).map_err(|err| usage(format!("the {what} `{}`: {err}", cut(text))))
}

/// A comma-separated list of role names with at least one role, for `flag`.
pub(crate) fn roles(list: &str, flag: &str) -> Result<Roles> {
    let roles: Roles = list
        .parse()
        .map_err(|err| usage(format!("{flag}: {err}")))?;
    if roles.is_empty() {
        return Err(usage(format!(
            "{flag} names no role; give at least one, e.g. {flag} hospital"
        )));
    }
    Ok(roles)
}

/// A 32-byte word: `0x` and 64 hex digits.
pub(crate) fn word(text: &str, what: &str) -> Result<B256> {
    let valid = text
        .strip_prefix("0x")
        .is_some_and(|d| d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()));
    if !valid {
        return Err(usage(format!(
            "the {what} `{}` is not a 32-byte hex word (0x followed by 64 hex digits)",
            cut(text)
        )));
    }
    text.parse().map_err(|_| {
        usage(format!(
            "the {what} `{}` is not a 32-byte hex word",
            cut(text)
        ))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const CHECKSUMMED: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

    #[test]
    fn addresses_in_every_accepted_form() {
        let expected: Address = CHECKSUMMED.to_lowercase().parse().unwrap();
        assert_eq!(address(CHECKSUMMED, "member").unwrap(), expected);
        assert_eq!(
            address(&CHECKSUMMED.to_lowercase(), "member").unwrap(),
            expected
        );
        let upper = format!("0x{}", CHECKSUMMED[2..].to_uppercase());
        assert_eq!(address(&upper, "member").unwrap(), expected);
    }

    #[test]
    fn bad_addresses_are_usage_errors_that_say_why() {
        let wrong_checksum = CHECKSUMMED.replace("aAeb", "aaEb");
        for (input, says) in [
            (&CHECKSUMMED[2..], "must start with 0x"),
            (
                "0xnothex0000000000000000000000000000000000",
                "not a hex address",
            ),
            ("0x1234", "not a hex address"),
            (wrong_checksum.as_str(), "EIP-55 checksum"),
        ] {
            let err = address(input, "member").unwrap_err();
            assert!(err.is::<crate::output::UsageError>(), "{input}");
            assert!(err.to_string().contains(says), "{input}: {err}");
        }
        let long = "0x".to_string() + &"g".repeat(4000);
        assert!(address(&long, "member").unwrap_err().to_string().len() < 200);
    }

    #[test]
    fn words() {
        assert_eq!(
            word(&format!("0x{}", "ab".repeat(32)), "hash").unwrap(),
            B256::repeat_byte(0xab)
        );
        assert!(word("0xab", "hash").is_err());
        assert!(word(&"ab".repeat(32), "hash").is_err());
    }
}

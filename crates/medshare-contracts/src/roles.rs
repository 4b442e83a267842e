//! Role bits of `Consortium.sol` (`ROLE_*` constants), for building role masks off-chain.
//! A test checks them against the deployed contract's getters.

use alloy::primitives::U256;

/// Administrators: vote on membership, roles and the approval threshold.
pub const ADMIN: U256 = U256::from_limbs([1 << 0, 0, 0, 0]);
/// Hospitals: register medical records.
pub const HOSPITAL: U256 = U256::from_limbs([1 << 1, 0, 0, 0]);
/// Research institutes: request access to records.
pub const RESEARCH: U256 = U256::from_limbs([1 << 2, 0, 0, 0]);
/// Authorities: issue credentials, trace and revoke users.
pub const AUTHORITY: U256 = U256::from_limbs([1 << 3, 0, 0, 0]);
/// Proxies: re-encrypt capsules for authorised requesters.
pub const PROXY: U256 = U256::from_limbs([1 << 4, 0, 0, 0]);
/// Every defined role.
pub const ALL: U256 = U256::from_limbs([0x1f, 0, 0, 0]);

/// Names of the roles, in bit order, for display and parsing.
pub const NAMES: [(&str, U256); 5] = [
    ("admin", ADMIN),
    ("hospital", HOSPITAL),
    ("research", RESEARCH),
    ("authority", AUTHORITY),
    ("proxy", PROXY),
];

/// The names of the roles in `mask`, in bit order.
pub fn names(mask: U256) -> Vec<&'static str> {
    NAMES
        .iter()
        .filter(|(_, bit)| mask & *bit != U256::ZERO)
        .map(|(name, _)| *name)
        .collect()
}

/// Human-readable list of the roles in `mask`, e.g. `admin,hospital`.
pub fn describe(mask: U256) -> String {
    let names = names(mask);
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(",")
    }
}

/// Parses a comma-separated list of role names (`hospital,proxy`) into a mask.
pub fn parse(list: &str) -> Result<U256, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .try_fold(U256::ZERO, |mask, name| {
            NAMES
                .iter()
                .find(|(known, _)| known.eq_ignore_ascii_case(name))
                .map(|(_, bit)| mask | *bit)
                .ok_or_else(|| {
                    let known: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
                    format!("unknown role `{name}` (known: {})", known.join(", "))
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_describe_round_trip() {
        assert_eq!(parse("hospital, PROXY"), Ok(HOSPITAL | PROXY));
        assert_eq!(describe(HOSPITAL | PROXY), "hospital,proxy");
        assert_eq!(describe(U256::ZERO), "none");
        assert!(parse("surgeon").is_err_and(|e| e.contains("unknown role `surgeon`")));
        assert_eq!(NAMES.iter().fold(U256::ZERO, |m, (_, b)| m | *b), ALL);
    }
}

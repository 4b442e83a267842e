//! Role bits of `Consortium.sol` (`ROLE_*` constants), for building role masks off-chain
//! (`medshare_chain::Roles` is the typed set on top).
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

//! Revert data of the medshare contracts, explained: one English sentence with the facts a
//! person needs, and the custom error's Solidity name (kept for `--json`).
//!
//! The sentences follow the NatSpec of the errors in `contracts/src/interfaces/` and the places
//! that raise them; an error raised for several reasons names each of them.

use alloy::primitives::{Address, B256, U256};
use medshare_chain::{KeySetStatus, MotionKind, ProposalStatus, Revert, Roles, TraceStatus};
use medshare_contracts::{
    Consortium::ConsortiumErrors as C, IdentityRegistry::IdentityRegistryErrors as I,
};

use crate::output::{cut, plural, relative, utc_minutes};

/// The sentence for `revert`, a refusal of a call that ran at Unix time `now` (for errors that
/// carry a time).
pub(crate) fn explain(revert: &Revert, now: u64) -> String {
    match revert {
        Revert::Consortium(error) => consortium(error),
        Revert::IdentityRegistry(error) => identity_registry(error, now),
        Revert::Message(reason) => format!("the contract refused: {}", cut(reason)),
        Revert::Empty => {
            "the call ran out of gas or hit an invalid instruction (no revert data)".to_string()
        }
        Revert::Unknown(data) => {
            let hex = alloy::primitives::hex::encode(data);
            let shown = if hex.len() > 64 {
                format!("{}…", &hex[..64])
            } else {
                hex
            };
            format!(
                "the contract reverted with unrecognised data ({} bytes): 0x{shown}",
                data.len()
            )
        }
    }
}

/// `IConsortium.PROPOSAL_TTL`, in days.
const PROPOSAL_TTL_DAYS: u64 = 7;

/// `IConsortium.MAX_INITIAL_ADMINS`.
const MAX_INITIAL_ADMINS: u64 = 64;

fn consortium(error: &C) -> String {
    match error {
        C::ConsortiumAlreadyApproved(e) => {
            format!(
                "{:#} has already approved proposal #{}",
                e.admin, e.proposalId
            )
        }
        C::ConsortiumAlreadyMember(e) => {
            format!("{:#} is already a member of the consortium", e.account)
        }
        C::ConsortiumInvalidAccount(e) if e.account == Address::ZERO => {
            "the zero address cannot be a member of the consortium".to_string()
        }
        C::ConsortiumInvalidAccount(e) => format!(
            "a threshold change names no account, but {:#} was given",
            e.account
        ),
        C::ConsortiumInvalidBootstrap(_) => format!(
            "the consortium needs 1 to {MAX_INITIAL_ADMINS} initial admins, each with a name"
        ),
        C::ConsortiumInvalidRoles(e) if e.roles.is_zero() => {
            "a member needs at least one role".to_string()
        }
        C::ConsortiumInvalidRoles(e) if Roles::try_from(e.roles).is_err() => format!(
            "role mask {:#x} has bits that are no role (the roles are {})",
            e.roles,
            Roles::ALL
        ),
        // The only other case: a removal, which takes no roles.
        C::ConsortiumInvalidRoles(e) => format!(
            "removing a member takes no roles, but {} was given",
            Roles::try_from(e.roles).unwrap_or_default()
        ),
        C::ConsortiumInvalidThreshold(e) if e.threshold.is_zero() => {
            "the approval threshold must be at least 1".to_string()
        }
        C::ConsortiumInvalidThreshold(e) => format!(
            "an approval threshold of {} needs at least {} admins, but the consortium would have {}",
            e.threshold,
            e.threshold,
            plural(e.adminCount.saturating_to::<u64>(), "admin")
        ),
        C::ConsortiumNotMember(e) => {
            format!("{:#} is not a member of the consortium", e.account)
        }
        C::ConsortiumProposalExpired(e) => format!(
            "proposal #{} has expired: a proposal gathers approvals for {PROPOSAL_TTL_DAYS} days",
            e.proposalId
        ),
        C::ConsortiumProposalNotPending(e) => {
            let id = e.proposalId;
            match ProposalStatus::try_from(e.status) {
                Ok(ProposalStatus::None) => format!("there is no proposal #{id}"),
                Ok(status) => format!("proposal #{id} is already {status}"),
                Err(_) => format!("proposal #{id} is not pending (status {})", e.status),
            }
        }
        C::ConsortiumProposalStale(e) => format!(
            "proposal #{} is stale: the admins or the threshold changed since it was made; propose it again",
            e.proposalId
        ),
        // Raised by every admin-only function, and by `cancel` when the caller is not the
        // proposer of a proposal that is still live.
        C::ConsortiumUnauthorizedAccount(e) => format!(
            "{:#} is not a member of the consortium with the {} role, or, to cancel a proposal that is neither stale nor expired, not its proposer",
            e.account,
            Roles::ADMIN
        ),
        C::ConsortiumUnknownProposal(e) => format!("there is no proposal #{}", e.proposalId),
    }
}

fn key_set_status(status: u8) -> String {
    KeySetStatus::try_from(status).map_or_else(
        |_| format!("in status {status}"),
        |status| status.to_string(),
    )
}

/// What an `IIdentityRegistry.Motion` on `subject` does.
fn motion(motion: u8, subject: B256) -> String {
    match MotionKind::try_from(motion) {
        Ok(MotionKind::ApproveKeySet) => format!("installing key set {}", short(subject)),
        Ok(MotionKind::CancelKeySet) => format!("cancelling key set {}", short(subject)),
        // The subject of a rotation is the epoch it leaves.
        Ok(MotionKind::RotateEpoch) => {
            format!("leaving epoch {}", word(U256::from_be_bytes(subject.0)))
        }
        Ok(MotionKind::RevokeIdentity) => format!("revoking identity {}", short(subject)),
        Err(_) => format!("motion {motion} on {}", short(subject)),
    }
}

fn identity_registry(error: &I, now: u64) -> String {
    match error {
        I::Bn254IdentityPoint(_) => {
            "a curve point given is the point at infinity, which is not allowed here".to_string()
        }
        I::Bn254InvalidPoint(e) => format!(
            "({}, {}) is not a point of BN254's G1: a coordinate is out of range or the point is off the curve",
            word(e.x),
            word(e.y)
        ),
        I::Bn254NotInvertible(e) => format!(
            "{} has no inverse modulo the BN254 group order",
            word(e.value)
        ),
        I::Bn254PrecompileFailed(e) => format!(
            "the {} precompile failed or returned data of an unexpected length",
            precompile(e.precompile)
        ),
        I::Bn254ScalarOutOfRange(e) => format!(
            "scalar {} is not below the BN254 group order",
            word(e.scalar)
        ),
        I::IdentityRegistryAdminThresholdTooLow(e) => format!(
            "the first key set needs the approval of at least 2 consortium admins, but the consortium's threshold is {}: one admin alone may not install the tracing key set",
            e.threshold
        ),
        I::IdentityRegistryAlreadyApproved(e) => format!(
            "{:#} has already approved {}",
            e.account,
            motion(e.motion, e.subject)
        ),
        I::IdentityRegistryAlreadyConfirmed(e) => format!(
            "{:#} has already confirmed key set {}",
            e.account,
            short(e.keySetHash)
        ),
        I::IdentityRegistryAlreadyRevoked(e) => {
            format!("identity {} is already revoked", short(e.identityCommitment))
        }
        I::IdentityRegistryAlreadyTraced(e) => format!(
            "the token with nullifier {} already has trace #{} for this reason",
            short(e.nullifier),
            e.traceId
        ),
        I::IdentityRegistryDuplicateTraceShare(e) => format!(
            "the share of authority {} for trace #{} was accepted already",
            e.index, e.traceId
        ),
        I::IdentityRegistryEpochTooEarly(e) => {
            let not_before = e.notBefore.saturating_to::<u64>();
            // Rounded up: from the minute shown on, the epoch can start.
            let shown = not_before.div_ceil(60).saturating_mul(60);
            format!(
                "the next epoch can start at {} ({})",
                utc_minutes(shown),
                relative(not_before, now)
            )
        }
        I::IdentityRegistryInconsistentKeyShares(e) if e.index.is_zero() => {
            "the authorities' tracing key shares do not combine to the key set's tracing key"
                .to_string()
        }
        I::IdentityRegistryInconsistentKeyShares(e) => format!(
            "tracing key share {} does not lie on the polynomial of the first threshold-many shares",
            e.index
        ),
        I::IdentityRegistryInvalidAuthority(e) if e.account == Address::ZERO => {
            "the zero address cannot be a key set authority".to_string()
        }
        I::IdentityRegistryInvalidAuthority(e) => format!(
            "{:#} cannot be a key set authority: it is listed twice or is not a member of the consortium with the {} role",
            e.account,
            Roles::AUTHORITY
        ),
        I::IdentityRegistryInvalidAuthorityIndex(e) => format!(
            "entry {} of the key set's authorities has index {}, not {}",
            e.position,
            e.index,
            e.position.saturating_add(U256::from(1))
        ),
        I::IdentityRegistryInvalidConfiguration(_) => {
            "the identity registry needs a consortium, a non-zero epoch duration and 2 <= minimum threshold <= minimum authorities <= 16".to_string()
        }
        I::IdentityRegistryInvalidThreshold(e) => format!(
            "a {}-of-{} key set is not allowed: the threshold must be at least the registry's minimum and at most the number of authorities, which must be at least its minimum and at most 16",
            e.threshold, e.size
        ),
        I::IdentityRegistryInvalidToken(e) => format!(
            "the token with nullifier {} does not verify: a forged credential, the wrong context, or a tampered tag or proof",
            short(e.nullifier)
        ),
        I::IdentityRegistryInvalidTraceShare(e) => format!(
            "the share of authority {} for trace #{} has an invalid proof",
            e.index, e.traceId
        ),
        I::IdentityRegistryKeySetExists(e) => {
            format!("key set {} has already been proposed", short(e.keySetHash))
        }
        I::IdentityRegistryKeySetNotConfirmed(e) => {
            let confirmed: Vec<String> = (1..=16u8)
                .filter(|i| e.confirmations & (1 << (i - 1)) != 0)
                .map(|i| i.to_string())
                .collect();
            let so_far = if confirmed.is_empty() {
                "none has yet".to_string()
            } else {
                format!("so far: {}", confirmed.join(", "))
            };
            format!(
                "key set {} cannot be approved before every authority it lists has confirmed it ({so_far})",
                short(e.keySetHash)
            )
        }
        I::IdentityRegistryKeySetNotPending(e) if e.status == 0 => {
            format!("key set {} was never proposed", short(e.keySetHash))
        }
        I::IdentityRegistryKeySetNotPending(e) => format!(
            "key set {} is {}: it can no longer be cancelled",
            short(e.keySetHash),
            key_set_status(e.status)
        ),
        I::IdentityRegistryKeySetNotProposed(e) if e.status == 0 => {
            format!("key set {} was never proposed", short(e.keySetHash))
        }
        I::IdentityRegistryKeySetNotProposed(e) => format!(
            "key set {} is {}: only a proposed key set can be confirmed or approved",
            short(e.keySetHash),
            key_set_status(e.status)
        ),
        I::IdentityRegistryKeyStorageFailed(_) => {
            "storing the epoch's token key failed: its contract could not be created".to_string()
        }
        I::IdentityRegistryNoActiveKeySet(_) => {
            "no key set is active yet: the registry is in epoch 0 until the first key set is approved".to_string()
        }
        I::IdentityRegistryScopeUnhashable(e) => format!(
            "scope {} maps to no curve point (1 scope in 32 does not): use another scope",
            short(e.scope)
        ),
        I::IdentityRegistryTagMismatch(e) => format!(
            "the tracing tag or epoch given is not that of the token with nullifier {}",
            short(e.nullifier)
        ),
        I::IdentityRegistryTokenAlreadyUsed(e) => format!(
            "the token with nullifier {} has already been used (in a scope, every token of one user has the same nullifier)",
            short(e.nullifier)
        ),
        I::IdentityRegistryTraceNotPending(e) => match TraceStatus::try_from(e.status) {
            Ok(TraceStatus::None) => format!("there is no trace #{}", e.traceId),
            Ok(TraceStatus::Completed) => format!("trace #{} is already complete", e.traceId),
            _ => format!("trace #{} is not pending (status {})", e.traceId, e.status),
        },
        I::IdentityRegistryTracedIdentityElement(e) => format!(
            "the shares of trace #{} combine to the identity element: the token's credential was not issued by the protocol (evidence against the issuing authorities)",
            e.traceId
        ),
        // Raised for a caller without the authority role, outside the key set a step needs
        // (confirming, approving, tracing, sharing) or, for the first key set, not an admin.
        I::IdentityRegistryUnauthorizedAccount(e) => format!(
            "{:#} may not do this: it needs the {} role in the consortium and a place in the key set concerned (approving the first key set needs the {} role instead)",
            e.account,
            Roles::AUTHORITY,
            Roles::ADMIN
        ),
        I::IdentityRegistryUnknownToken(e) => format!(
            "no token with nullifier {} has been used",
            short(e.nullifier)
        ),
        I::IdentityRegistryUntracedIdentity(e) => format!(
            "identity {} is not the result of a completed trace",
            short(e.identityCommitment)
        ),
        I::IdentityRegistryWrongChain(e) => format!(
            "the token is for chain {}, but this is chain {}",
            e.chainId, e.expected
        ),
        // Raised for a token's epoch and for the epoch a rotation approval names.
        I::IdentityRegistryWrongEpoch(e) => format!(
            "this is for epoch {}, but the current epoch is {}",
            e.epoch, e.current
        ),
        I::IdentityRegistryWrongVerifier(e) => format!(
            "the token is bound to contract {:#}, but {:#} submitted it",
            e.verifyingContract, e.caller
        ),
    }
}

/// A 32-byte value as `0x12ab34cd…55ef`: enough to recognise it.
fn short(value: B256) -> String {
    let hex = alloy::primitives::hex::encode(value);
    format!("0x{}…{}", &hex[..8], &hex[60..])
}

/// A `uint256` in decimal if it is small, else as [`short`] hex.
fn word(value: U256) -> String {
    u64::try_from(value).map_or_else(|_| short(value.into()), |small| small.to_string())
}

/// The name of a precompile the BN254 library calls.
fn precompile(address: Address) -> String {
    let name = match address.into_array() {
        [rest @ .., last] if rest.iter().all(|b| *b == 0) => match last {
            0x05 => Some("modexp (0x05)"),
            0x06 => Some("ecAdd (0x06)"),
            0x07 => Some("ecMul (0x07)"),
            0x08 => Some("ecPairing (0x08)"),
            _ => None,
        },
        _ => None,
    };
    name.map_or_else(|| format!("{address:#}"), str::to_string)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use alloy::sol_types::{SolError, SolInterface};
    use medshare_contracts::{Consortium, IdentityRegistry};

    use super::*;

    #[test]
    fn the_contract_facts_in_sentences_are_those_of_the_solidity_sources() {
        let consortium = include_str!("../../../contracts/src/Consortium.sol");
        assert!(consortium.contains(&format!("PROPOSAL_TTL = {PROPOSAL_TTL_DAYS} days;")));
        assert!(consortium.contains(&format!("MAX_INITIAL_ADMINS = {MAX_INITIAL_ADMINS};")));
    }

    /// Every custom error, decoded from its selector and zero fields.
    fn every_error() -> Vec<(&'static str, Vec<u8>)> {
        let all = C::SELECTORS
            .iter()
            .zip(C::VARIANT_NAMES)
            .chain(I::SELECTORS.iter().zip(I::VARIANT_NAMES));
        // No error has more than three (static) fields.
        all.map(|(selector, name)| (*name, [&selector[..], &[0; 96]].concat()))
            .collect()
    }

    #[test]
    fn every_custom_error_gets_a_sentence() {
        let errors = every_error();
        assert_eq!(errors.len(), C::COUNT + I::COUNT);
        for (name, data) in errors {
            let revert = Revert::decode(&data);
            assert_eq!(revert.name(), Some(name));
            let message = &explain(&revert, 0);
            // Neither the Debug rendering nor the fallback for data that is none of ours.
            assert!(
                !message.contains(name)
                    && !message.contains('{')
                    && !message.starts_with("the contract"),
                "{name}: {message}"
            );
        }
    }

    fn sentence(error: impl SolError, now: u64) -> String {
        explain(&Revert::decode(&error.abi_encode()), now)
    }

    #[test]
    fn known_sentences() {
        let account = Address::repeat_byte(0x11);
        let mut hash = B256::ZERO;
        hash[..4].copy_from_slice(&[0x12, 0xab, 0x34, 0xcd]);
        hash[30..].copy_from_slice(&[0x55, 0xef]);
        assert_eq!(
            sentence(
                Consortium::ConsortiumProposalNotPending {
                    proposalId: U256::from(1),
                    status: ProposalStatus::Executed.into(),
                },
                0
            ),
            "proposal #1 is already executed"
        );
        // 2026-12-03 14:01:30 UTC, 23 h 10 min from now.
        let not_before = 1_796_306_490;
        let now = not_before - 23 * 3_600 - 600;
        assert_eq!(
            sentence(
                IdentityRegistry::IdentityRegistryEpochTooEarly {
                    notBefore: U256::from(not_before),
                },
                now
            ),
            "the next epoch can start at 2026-12-03 14:02 UTC (in 23 h)"
        );
        assert_eq!(
            sentence(Consortium::ConsortiumUnauthorizedAccount { account }, 0),
            "0x1111…1111 is not a member of the consortium with the admin role, or, to cancel a proposal that is neither stale nor expired, not its proposer"
        );
        assert_eq!(
            sentence(
                IdentityRegistry::IdentityRegistryTokenAlreadyUsed { nullifier: hash },
                0
            ),
            "the token with nullifier 0x12ab34cd…55ef has already been used (in a scope, every token of one user has the same nullifier)"
        );
        assert_eq!(
            sentence(
                Consortium::ConsortiumInvalidThreshold {
                    threshold: U256::from(5),
                    adminCount: U256::from(1),
                },
                0
            ),
            "an approval threshold of 5 needs at least 5 admins, but the consortium would have 1 admin"
        );
        assert_eq!(
            sentence(
                IdentityRegistry::IdentityRegistryKeySetNotConfirmed {
                    keySetHash: hash,
                    confirmations: 0b101,
                },
                0
            ),
            "key set 0x12ab34cd…55ef cannot be approved before every authority it lists has confirmed it (so far: 1, 3)"
        );
        assert_eq!(
            sentence(
                IdentityRegistry::IdentityRegistryAlreadyApproved {
                    motion: 2,
                    subject: B256::from(U256::from(4)),
                    account,
                },
                0
            ),
            "0x1111…1111 has already approved leaving epoch 4"
        );
        assert_eq!(
            sentence(
                IdentityRegistry::Bn254PrecompileFailed {
                    precompile: Address::with_last_byte(8),
                },
                0
            ),
            "the ecPairing (0x08) precompile failed or returned data of an unexpected length"
        );
    }

    #[test]
    fn keeps_revert_strings_and_cuts_unknown_data() {
        let reason = alloy::sol_types::Revert::from("no").abi_encode();
        assert_eq!(
            explain(&Revert::decode(&reason), 0),
            "the contract refused: no"
        );
        let unknown = explain(&Revert::decode(&[0xab; 4000]), 0);
        assert!(unknown.len() < 160, "{unknown}");
        assert!(unknown.contains("4000 bytes"));
        assert!(explain(&Revert::Empty, 0).contains("out of gas"));
    }
}

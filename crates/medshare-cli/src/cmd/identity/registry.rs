//! The `IdentityRegistry` contract as the identity commands use it.

use alloy::{
    primitives::{Address, B256, U256},
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use anyhow::{Context, Result, bail};
use medshare_contracts::{Consortium, IIdentityRegistry, IdentityRegistry, identity_abi, roles};
use medshare_evm::LogFilter;
use medshare_identity::{GroupPublicKey, Token, TokenContext, TracingTag, VerifiedTraceShare};
use serde::Serialize;

use super::TraceOutcome;
use crate::{
    client::{Client, first_event as event},
    cmd::init::short_text,
    datadir::Config,
};

/// `IIdentityRegistry.TraceStatus.Completed`.
const TRACE_COMPLETED: u8 = 2;

pub(super) fn is_authority(client: &Client, config: &Config, account: Address) -> Result<bool> {
    client.call(
        config.contracts.consortium,
        &Consortium::hasRoleCall {
            account,
            role: roles::AUTHORITY,
        },
    )
}

/// What an approval is for: the `IIdentityRegistry.Motion`s and their subjects.
#[derive(Clone, Debug)]
pub(crate) enum Motion {
    /// Install a proposed key set.
    ApproveKeySet(B256),
    /// Cancel a proposed or scheduled key set.
    CancelKeySet(B256),
    /// Leave the current epoch now.
    RotateEpoch,
    /// Revoke a traced identity commitment, for a reason.
    RevokeIdentity(B256, String),
}

/// `IIdentityRegistry.Motion.ApproveKeySet`.
const MOTION_APPROVE_KEY_SET: u8 = 0;

/// Where an approval left its motion, from the receipt's events.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Approval {
    pub(crate) approvals: u64,
    pub(crate) needed: u64,
    /// The rule was met and the motion took effect.
    pub(crate) done: bool,
    /// The epoch the approval started (a key set activated, a rotation, a revocation).
    pub(crate) epoch: Option<u64>,
    /// For a scheduled key set: the unix time from which the next epoch change activates it.
    pub(crate) scheduled_from: Option<u64>,
}

impl Approval {
    fn from_logs(logs: &[medshare_evm::Log], motion: &Motion) -> Result<Self> {
        let approved: IdentityRegistry::MotionApproved =
            event(logs).context("no MotionApproved event")?;
        let epoch = event::<IdentityRegistry::EpochAdvanced>(logs).map(|e| e.epoch);
        let scheduled_from = event::<IdentityRegistry::KeySetScheduled>(logs).map(|e| e.notBefore);
        let done = match motion {
            Motion::ApproveKeySet(_) => event::<IdentityRegistry::KeySetApproved>(logs).is_some(),
            Motion::CancelKeySet(_) => event::<IdentityRegistry::KeySetCancelled>(logs).is_some(),
            Motion::RotateEpoch => epoch.is_some(),
            Motion::RevokeIdentity(..) => {
                event::<IdentityRegistry::IdentityRevoked>(logs).is_some()
            }
        };
        Ok(Self {
            approvals: approved.approvals.saturating_to(),
            needed: approved.needed.saturating_to(),
            done,
            epoch,
            scheduled_from,
        })
    }
}

/// Proposes the key set from the first authority; each authority then checks it against its own
/// view of the DKG (`own_views[i]`, the group key as that authority computed it) and confirms.
/// The key set takes effect only once approved ([`approve`]).
pub(super) fn propose_key_set(
    client: &mut Client,
    config: &Config,
    gpk: &GroupPublicKey,
    authorities: &[PrivateKeySigner],
    own_views: &[GroupPublicKey],
) -> Result<B256> {
    let accounts: Vec<Address> = authorities.iter().map(PrivateKeySigner::address).collect();
    let key_set =
        identity_abi::key_set(gpk, &accounts).context("one account per authority is needed")?;
    let proposer = authorities.first().context("no authorities")?;
    let receipt = client.send(
        proposer,
        config.contracts.identity_registry,
        &IdentityRegistry::proposeKeySetCall { keySet_: key_set },
    )?;
    let proposed: IdentityRegistry::KeySetProposed =
        event(&receipt.logs).context("no KeySetProposed event")?;
    for (authority, view) in authorities.iter().zip(own_views) {
        // What is on chain must be what this authority's DKG produced, with every account in
        // its place: recompute the hash rather than trust the proposer's.
        let expected = identity_abi::key_set(view, &accounts)
            .map(|set| identity_abi::key_set_hash(&set))
            .context("one account per authority is needed")?;
        if expected != proposed.keySetHash {
            bail!(
                "authority {} computed key set {expected}, but {} was proposed; not confirming",
                authority.address(),
                proposed.keySetHash
            );
        }
        client.send(
            authority,
            config.contracts.identity_registry,
            &IdentityRegistry::confirmKeySetCall {
                keySetHash: proposed.keySetHash,
            },
        )?;
    }
    Ok(proposed.keySetHash)
}

/// The approvals a key set still needs before it takes effect: `(approvals so far, needed)`
/// for the active key set's authorities, or `None` with no key set active (then the
/// consortium's admin threshold applies).
pub(super) fn key_set_approvals(
    client: &Client,
    config: &Config,
    key_set: B256,
) -> Result<Option<(u64, u64)>> {
    let registry = config.contracts.identity_registry;
    if client.call(registry, &IdentityRegistry::activeKeySetCall {})? == B256::ZERO {
        return Ok(None);
    }
    let r = client.call(
        registry,
        &IdentityRegistry::motionApprovalsCall {
            motion: MOTION_APPROVE_KEY_SET,
            subject: key_set,
        },
    )?;
    Ok(Some((
        r.approvals.saturating_to(),
        r.needed.saturating_to(),
    )))
}

/// The consortium's admin threshold (the approvals the first key set needs).
pub(super) fn admin_threshold(client: &Client, config: &Config) -> Result<u64> {
    let threshold = client.call(config.contracts.consortium, &Consortium::thresholdCall {})?;
    Ok(threshold.saturating_to())
}

/// Approves `motion` from `signer`: a consortium admin for the first key set, otherwise an
/// authority of the active key set. The approval that meets the rule makes it take effect.
pub(super) fn approve(
    client: &mut Client,
    config: &Config,
    signer: &PrivateKeySigner,
    motion: &Motion,
) -> Result<Approval> {
    let registry = config.contracts.identity_registry;
    let receipt = match motion {
        Motion::ApproveKeySet(key_set) => client.send(
            signer,
            registry,
            &IdentityRegistry::approveKeySetCall {
                keySetHash: *key_set,
            },
        )?,
        Motion::CancelKeySet(key_set) => client.send(
            signer,
            registry,
            &IdentityRegistry::cancelKeySetCall {
                keySetHash: *key_set,
            },
        )?,
        Motion::RotateEpoch => {
            let epoch = current_epoch(client, config)?;
            client.send(
                signer,
                registry,
                &IdentityRegistry::approveEpochRotationCall { epoch },
            )?
        }
        Motion::RevokeIdentity(commitment, reason) => client.send(
            signer,
            registry,
            &IdentityRegistry::revokeIdentityCall {
                identityCommitment: *commitment,
                reason: short_text(reason, "reason")?,
            },
        )?,
    };
    Approval::from_logs(&receipt.logs, motion)
}

pub(super) fn current_epoch(client: &Client, config: &Config) -> Result<u64> {
    client.call(
        config.contracts.identity_registry,
        &IdentityRegistry::currentEpochCall {},
    )
}

/// The key set of the current epoch, if any was ever activated.
pub(super) fn active_key_set(client: &Client, config: &Config) -> Result<Option<B256>> {
    let key_set = client.call(
        config.contracts.identity_registry,
        &IdentityRegistry::activeKeySetCall {},
    )?;
    Ok((key_set != B256::ZERO).then_some(key_set))
}

/// The key set approved to take over at a coming epoch change, if any.
pub(super) fn scheduled_key_set(client: &Client, config: &Config) -> Result<Option<B256>> {
    let key_set = client.call(
        config.contracts.identity_registry,
        &IdentityRegistry::scheduledKeySetCall {},
    )?;
    Ok((key_set != B256::ZERO).then_some(key_set))
}

/// The threshold `t` of `key_set`.
pub(super) fn key_set_threshold(client: &Client, config: &Config, key_set: B256) -> Result<usize> {
    let info = client.call(
        config.contracts.identity_registry,
        &IdentityRegistry::keySetCall {
            keySetHash: key_set,
        },
    )?;
    Ok(usize::from(info.threshold))
}

/// Whether a token with `nullifier` was already used.
pub(super) fn is_used(client: &Client, config: &Config, nullifier: B256) -> Result<bool> {
    client.call(
        config.contracts.identity_registry,
        &IdentityRegistry::isUsedCall { nullifier },
    )
}

pub(super) fn is_revoked(client: &Client, config: &Config, commitment: B256) -> Result<bool> {
    client.call(
        config.contracts.identity_registry,
        &IdentityRegistry::isRevokedCall {
            identityCommitment: commitment,
        },
    )
}

pub(super) fn verify_token(
    client: &Client,
    config: &Config,
    gpk: &GroupPublicKey,
    token: &Token,
    context: &TokenContext,
) -> Result<bool> {
    client.call(
        config.contracts.identity_registry,
        &IdentityRegistry::verifyTokenCall {
            token: identity_abi::token(token, gpk, context),
            context: identity_abi::token_context(context),
        },
    )
}

pub(super) fn consume_token(
    client: &mut Client,
    config: &Config,
    signer: &PrivateKeySigner,
    gpk: &GroupPublicKey,
    token: &Token,
    context: &TokenContext,
) -> Result<B256> {
    let receipt = client.send(
        signer,
        config.contracts.identity_registry,
        &IdentityRegistry::consumeTokenCall {
            token: identity_abi::token(token, gpk, context),
            context: identity_abi::token_context(context),
        },
    )?;
    let used: IdentityRegistry::TokenUsed = event(&receipt.logs).context("no TokenUsed event")?;
    Ok(used.nullifier)
}

/// The tracing tag and epoch of a used token, from its `TokenUsed` event.
fn used_tag(client: &Client, config: &Config, nullifier: B256) -> Result<(TracingTag, u64)> {
    let filter = LogFilter::address(config.contracts.identity_registry)
        .event(IdentityRegistry::TokenUsed::SIGNATURE_HASH)
        .topic(1, vec![nullifier]);
    let used: IdentityRegistry::TokenUsed = event(&client.logs(&filter)?)
        .with_context(|| format!("no token with nullifier {nullifier} was used"))?;
    let tag = TracingTag::from_evm_points(&[
        identity_abi::g1_bytes(&used.c1),
        identity_abi::g1_bytes(&used.c2),
    ])
    .map_err(|e| anyhow::anyhow!("the registry reported an invalid tracing tag: {e}"))?;
    Ok((tag, used.epoch))
}

pub(super) fn request_trace(
    client: &mut Client,
    config: &Config,
    signer: &PrivateKeySigner,
    nullifier: B256,
    reason: &str,
) -> Result<u64> {
    let (tag, epoch) = used_tag(client, config, nullifier)?;
    let [c1, c2] = tag.to_evm_points().map(|p| identity_abi::g1(&p));
    let receipt = client.send(
        signer,
        config.contracts.identity_registry,
        &IdentityRegistry::requestTraceCall {
            nullifier,
            c1,
            c2,
            epoch,
            reason: short_text(reason, "reason")?,
        },
    )?;
    let requested: IdentityRegistry::TraceRequested =
        event(&receipt.logs).context("no TraceRequested event")?;
    Ok(requested.traceId.saturating_to())
}

fn trace_info(client: &Client, config: &Config, id: u64) -> Result<IIdentityRegistry::TraceInfo> {
    let info = client.call(
        config.contracts.identity_registry,
        &IdentityRegistry::traceCall {
            traceId: U256::from(id),
        },
    )?;
    if info.nullifier == B256::ZERO {
        bail!("there is no trace #{id}");
    }
    Ok(info)
}

/// The tracing tag of the token trace `id` is about, and the key set whose authorities trace it.
pub(super) fn trace_tag(client: &Client, config: &Config, id: u64) -> Result<(TracingTag, B256)> {
    let info = trace_info(client, config, id)?;
    Ok((used_tag(client, config, info.nullifier)?.0, info.keySetHash))
}

pub(super) fn submit_trace_share(
    client: &mut Client,
    config: &Config,
    signer: &PrivateKeySigner,
    gpk: &GroupPublicKey,
    id: u64,
    tag: &TracingTag,
    share: &VerifiedTraceShare,
) -> Result<TraceOutcome> {
    let share =
        identity_abi::trace_share(share, gpk, tag).context("the share is for another tag")?;
    // The trace keeps only a digest of the tag; the contract checks this copy against it.
    let [c1, c2] = tag.to_evm_points().map(|p| identity_abi::g1(&p));
    client.send(
        signer,
        config.contracts.identity_registry,
        &IdentityRegistry::submitTraceShareCall {
            traceId: U256::from(id),
            c1,
            c2,
            share,
        },
    )?;
    let info = trace_info(client, config, id)?;
    let key_set = client.call(
        config.contracts.identity_registry,
        &IdentityRegistry::keySetCall {
            keySetHash: info.keySetHash,
        },
    )?;
    Ok(TraceOutcome {
        id,
        shares: u64::from(info.shareCount),
        threshold: u64::from(key_set.threshold),
        commitment: (info.status == TRACE_COMPLETED).then_some(info.identityCommitment),
    })
}

pub(super) fn traced_commitment(client: &Client, config: &Config, id: u64) -> Result<Option<B256>> {
    let info = trace_info(client, config, id)?;
    Ok((info.status == TRACE_COMPLETED).then_some(info.identityCommitment))
}

pub(super) fn advance_epoch(
    client: &mut Client,
    config: &Config,
    signer: &PrivateKeySigner,
) -> Result<u64> {
    client.send(
        signer,
        config.contracts.identity_registry,
        &IdentityRegistry::advanceEpochCall {},
    )?;
    current_epoch(client, config)
}

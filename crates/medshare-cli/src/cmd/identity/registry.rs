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

/// Proposes the key set from the first authority and confirms it from every authority.
pub(super) fn install_key_set(
    client: &mut Client,
    config: &Config,
    gpk: &GroupPublicKey,
    authorities: &[PrivateKeySigner],
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
    for authority in authorities {
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

pub(super) fn current_epoch(client: &Client, config: &Config) -> Result<u64> {
    client.call(
        config.contracts.identity_registry,
        &IdentityRegistry::currentEpochCall {},
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

/// The tracing tag of a used token, from its `TokenUsed` event.
fn used_tag(client: &Client, config: &Config, nullifier: B256) -> Result<TracingTag> {
    let filter = LogFilter::address(config.contracts.identity_registry)
        .event(IdentityRegistry::TokenUsed::SIGNATURE_HASH)
        .topic(1, vec![nullifier]);
    let used: IdentityRegistry::TokenUsed = event(&client.chain().logs(&filter)?)
        .with_context(|| format!("no token with nullifier {nullifier} was used"))?;
    TracingTag::from_evm_points(&[
        identity_abi::g1_bytes(&used.c1),
        identity_abi::g1_bytes(&used.c2),
    ])
    .map_err(|e| anyhow::anyhow!("the registry reported an invalid tracing tag: {e}"))
}

pub(super) fn request_trace(
    client: &mut Client,
    config: &Config,
    signer: &PrivateKeySigner,
    nullifier: B256,
    reason: &str,
) -> Result<u64> {
    let [c1, c2] = used_tag(client, config, nullifier)?
        .to_evm_points()
        .map(|p| identity_abi::g1(&p));
    let receipt = client.send(
        signer,
        config.contracts.identity_registry,
        &IdentityRegistry::requestTraceCall {
            nullifier,
            c1,
            c2,
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

/// The tracing tag of the token trace `id` is about.
pub(super) fn trace_tag(client: &Client, config: &Config, id: u64) -> Result<TracingTag> {
    used_tag(client, config, trace_info(client, config, id)?.nullifier)
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

pub(super) fn revoke(
    client: &mut Client,
    config: &Config,
    signer: &PrivateKeySigner,
    commitment: B256,
    reason: &str,
) -> Result<()> {
    client.send(
        signer,
        config.contracts.identity_registry,
        &IdentityRegistry::revokeIdentityCall {
            identityCommitment: commitment,
            reason: short_text(reason, "reason")?,
        },
    )?;
    Ok(())
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

//! `IdentityRegistry`: key sets of the tracing authorities, tokens, traces and revocations, each
//! power behind a `t`-of-`n` approval.

use alloy::{
    primitives::{Address, B256, U256},
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use medshare_contracts::{IIdentityRegistry, IdentityRegistry as Abi, identity_abi};
use medshare_identity::{GroupPublicKey, Token, TokenContext, TracingTag, VerifiedTraceShare};
use serde::Serialize;

use crate::{
    Error, EventQuery, KeySetStatus, MotionKind, Network, Result, ShortText, TraceStatus,
    network::{decoded, event},
};

/// What an approval of the authorities is for, with its subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Motion {
    /// Install the proposed key set with this hash.
    ApproveKeySet(B256),
    /// Cancel the proposed or scheduled key set with this hash.
    CancelKeySet(B256),
    /// Leave the current epoch now.
    RotateEpoch,
    /// Revoke a traced identity commitment.
    RevokeIdentity {
        /// The commitment a completed trace found.
        commitment: B256,
        /// Why (e.g. the hash of a court order).
        reason: ShortText,
    },
}

impl Motion {
    /// The `IIdentityRegistry.Motion` the contract records.
    pub const fn kind(&self) -> MotionKind {
        match self {
            Self::ApproveKeySet(_) => MotionKind::ApproveKeySet,
            Self::CancelKeySet(_) => MotionKind::CancelKeySet,
            Self::RotateEpoch => MotionKind::RotateEpoch,
            Self::RevokeIdentity { .. } => MotionKind::RevokeIdentity,
        }
    }
}

/// Where an approval left its motion, from the transaction's events.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    /// Approvals so far in this round.
    pub approvals: u64,
    /// Approvals the rule needs.
    pub needed: u64,
    /// The rule was met and the motion took effect.
    pub done: bool,
    /// The epoch this transaction started (a key set activated, a rotation, a revocation).
    pub epoch: Option<u64>,
    /// For a key set approved to take over later: the Unix time from which the next epoch
    /// change activates it.
    pub scheduled_from: Option<u64>,
}

/// A key set as the registry stores it.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeySet {
    /// `keccak256(abi.encode(keySet))`.
    pub hash: B256,
    /// Where it stands.
    pub status: KeySetStatus,
    /// `t`: the shares a trace needs.
    pub threshold: u8,
    /// `n`: its authorities.
    pub size: u8,
    /// First epoch it was active in (0 until activated).
    pub activation_epoch: u64,
    /// The authority that proposed it.
    pub proposer: Address,
}

/// A trace as the registry stores it.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    /// Its number.
    pub id: u64,
    /// The traced token.
    pub nullifier: B256,
    /// The token's epoch.
    pub epoch: u64,
    /// Why it was requested.
    pub reason: ShortText,
    /// The authority that requested it.
    pub requester: Address,
    /// The key set whose authorities hold the shares that trace the token.
    pub key_set: B256,
    /// Where it stands.
    pub status: TraceStatus,
    /// Valid shares received.
    pub shares: u8,
    /// The identity commitment, once completed.
    pub commitment: Option<B256>,
}

/// Where a trace stands after a share.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceOutcome {
    /// The trace.
    pub id: u64,
    /// Valid shares so far.
    pub shares: u64,
    /// Shares it needs (`t` of its key set).
    pub threshold: u64,
    /// The identity commitment, once `t` shares are in.
    pub commitment: Option<B256>,
}

/// A used token as its `TokenUsed` event records it.
#[derive(Clone, Debug)]
pub struct UsedToken {
    /// Its tracing tag (input of a trace).
    pub tag: TracingTag,
    /// The epoch it was shown in.
    pub epoch: u64,
    /// The contract that consumed it.
    pub verifying_contract: Address,
}

/// `IdentityRegistry` at one address, on any network.
#[derive(Clone, Copy, Debug)]
pub struct IdentityRegistry<'a> {
    network: &'a Network,
    address: Address,
    /// First block to search for events (the deployment block).
    from_block: u64,
}

impl<'a> IdentityRegistry<'a> {
    /// The contract at `address`, deployed at block `from_block`.
    pub const fn new(network: &'a Network, address: Address, from_block: u64) -> Self {
        Self {
            network,
            address,
            from_block,
        }
    }

    /// Its address.
    pub const fn address(&self) -> Address {
        self.address
    }

    /// The current epoch.
    pub async fn current_epoch(&self) -> Result<u64> {
        self.network
            .call(self.address, &Abi::currentEpochCall {})
            .await
    }

    /// The key set of the current epoch, if one was ever activated.
    pub async fn active_key_set(&self) -> Result<Option<B256>> {
        let hash = self
            .network
            .call(self.address, &Abi::activeKeySetCall {})
            .await?;
        Ok((hash != B256::ZERO).then_some(hash))
    }

    /// The key set approved to take over at a coming epoch change, if any.
    pub async fn scheduled_key_set(&self) -> Result<Option<B256>> {
        let hash = self
            .network
            .call(self.address, &Abi::scheduledKeySetCall {})
            .await?;
        Ok((hash != B256::ZERO).then_some(hash))
    }

    /// Key set `hash`, if it was ever proposed.
    pub async fn key_set(&self, hash: B256) -> Result<Option<KeySet>> {
        let info = self
            .network
            .call(self.address, &Abi::keySetCall { keySetHash: hash })
            .await?;
        let status = KeySetStatus::try_from(info.status).map_err(Error::unexpected)?;
        Ok((status != KeySetStatus::None).then_some(KeySet {
            hash,
            status,
            threshold: info.threshold,
            size: info.size,
            activation_epoch: info.activationEpoch,
            proposer: info.proposer,
        }))
    }

    /// Number of traces ever requested.
    pub async fn trace_count(&self) -> Result<u64> {
        let count = self
            .network
            .call(self.address, &Abi::traceCountCall {})
            .await?;
        Ok(count.saturating_to())
    }

    /// `(approvals so far, needed)` for the key set `hash` from the authorities of the active
    /// key set; `None` while no key set is active (the consortium's admins then approve the
    /// first, under its admin threshold).
    pub async fn key_set_approvals(&self, hash: B256) -> Result<Option<(u64, u64)>> {
        if self.active_key_set().await?.is_none() {
            return Ok(None);
        }
        let approvals = self
            .network
            .call(
                self.address,
                &Abi::motionApprovalsCall {
                    motion: MotionKind::ApproveKeySet.into(),
                    subject: hash,
                },
            )
            .await?;
        Ok(Some((
            approvals.approvals.saturating_to(),
            approvals.needed.saturating_to(),
        )))
    }

    /// Proposes `key_set` from `proposer` (one of its authorities); returns its hash. Each
    /// authority then checks it and confirms ([`Self::confirm_key_set`]).
    pub async fn propose_key_set(
        &self,
        proposer: &PrivateKeySigner,
        key_set: IIdentityRegistry::KeySet,
    ) -> Result<B256> {
        let receipt = self
            .send(proposer, &Abi::proposeKeySetCall { keySet_: key_set })
            .await?;
        Ok(event::<Abi::KeySetProposed>(&receipt)?.keySetHash)
    }

    /// Confirms key set `hash` as the authority `authority`.
    pub async fn confirm_key_set(&self, authority: &PrivateKeySigner, hash: B256) -> Result<()> {
        let receipt = self
            .send(authority, &Abi::confirmKeySetCall { keySetHash: hash })
            .await?;
        event::<Abi::KeySetConfirmed>(&receipt)?;
        Ok(())
    }

    /// Approves `motion` from `signer`: a consortium admin for the first key set, otherwise an
    /// authority of the active key set. The approval that meets the rule makes it take effect.
    pub async fn approve(&self, signer: &PrivateKeySigner, motion: &Motion) -> Result<Approval> {
        let receipt = match motion {
            Motion::ApproveKeySet(hash) => {
                self.send(signer, &Abi::approveKeySetCall { keySetHash: *hash })
                    .await?
            }
            Motion::CancelKeySet(hash) => {
                self.send(signer, &Abi::cancelKeySetCall { keySetHash: *hash })
                    .await?
            }
            Motion::RotateEpoch => {
                let epoch = self.current_epoch().await?;
                self.send(signer, &Abi::approveEpochRotationCall { epoch })
                    .await?
            }
            Motion::RevokeIdentity { commitment, reason } => {
                self.send(
                    signer,
                    &Abi::revokeIdentityCall {
                        identityCommitment: *commitment,
                        reason: reason.to_b256(),
                    },
                )
                .await?
            }
        };
        let approved = event::<Abi::MotionApproved>(&receipt)?;
        let epoch = event::<Abi::EpochAdvanced>(&receipt).ok().map(|e| e.epoch);
        let done = match motion {
            Motion::ApproveKeySet(_) => event::<Abi::KeySetApproved>(&receipt).is_ok(),
            Motion::CancelKeySet(_) => event::<Abi::KeySetCancelled>(&receipt).is_ok(),
            Motion::RotateEpoch => epoch.is_some(),
            Motion::RevokeIdentity { .. } => event::<Abi::IdentityRevoked>(&receipt).is_ok(),
        };
        Ok(Approval {
            approvals: approved.approvals.saturating_to(),
            needed: approved.needed.saturating_to(),
            done,
            epoch,
            scheduled_from: event::<Abi::KeySetScheduled>(&receipt)
                .ok()
                .map(|e| e.notBefore),
        })
    }

    /// Starts the next epoch from `signer` once the current one has lasted its minimum; returns
    /// the new epoch.
    pub async fn advance_epoch(&self, signer: &PrivateKeySigner) -> Result<u64> {
        let receipt = self.send(signer, &Abi::advanceEpochCall {}).await?;
        Ok(event::<Abi::EpochAdvanced>(&receipt)?.epoch)
    }

    /// Whether the token with `nullifier` was used.
    pub async fn is_used(&self, nullifier: B256) -> Result<bool> {
        self.network
            .call(self.address, &Abi::isUsedCall { nullifier })
            .await
    }

    /// Whether the identity `commitment` was revoked.
    pub async fn is_revoked(&self, commitment: B256) -> Result<bool> {
        self.network
            .call(
                self.address,
                &Abi::isRevokedCall {
                    identityCommitment: commitment,
                },
            )
            .await
    }

    /// Whether the registry accepts `token` in `context` under group key `gpk` (without using
    /// it).
    pub async fn verify_token(
        &self,
        gpk: &GroupPublicKey,
        token: &Token,
        context: &TokenContext,
    ) -> Result<bool> {
        self.network
            .call(
                self.address,
                &Abi::verifyTokenCall {
                    token: identity_abi::token(token, gpk, context),
                    context: identity_abi::token_context(context),
                },
            )
            .await
    }

    /// Uses `token` from `signer` (the verifying contract of its context); returns its
    /// nullifier.
    pub async fn consume_token(
        &self,
        signer: &PrivateKeySigner,
        gpk: &GroupPublicKey,
        token: &Token,
        context: &TokenContext,
    ) -> Result<B256> {
        let receipt = self
            .send(
                signer,
                &Abi::consumeTokenCall {
                    token: identity_abi::token(token, gpk, context),
                    context: identity_abi::token_context(context),
                },
            )
            .await?;
        Ok(event::<Abi::TokenUsed>(&receipt)?.nullifier)
    }

    /// The used token with `nullifier`, from its `TokenUsed` event (one query by topic).
    pub async fn used_token(&self, nullifier: B256) -> Result<Option<UsedToken>> {
        let logs = self
            .network
            .logs(
                &EventQuery::new(self.address, Abi::TokenUsed::SIGNATURE_HASH)
                    .topic(1, nullifier)
                    .from_block(self.from_block),
            )
            .await?;
        let Some(used) = decoded::<Abi::TokenUsed>(&logs).next() else {
            return Ok(None);
        };
        let tag = TracingTag::from_evm_points(&[
            identity_abi::g1_bytes(&used.c1),
            identity_abi::g1_bytes(&used.c2),
        ])
        .map_err(|err| Error::unexpected(format!("an invalid tracing tag: {err}")))?;
        Ok(Some(UsedToken {
            tag,
            epoch: used.epoch,
            verifying_contract: used.verifyingContract,
        }))
    }

    /// Opens a trace of the used token `nullifier` from the authority `signer`; returns its
    /// number.
    pub async fn request_trace(
        &self,
        signer: &PrivateKeySigner,
        nullifier: B256,
        reason: ShortText,
    ) -> Result<u64> {
        let used = self
            .used_token(nullifier)
            .await?
            .ok_or(Error::UnknownToken(nullifier))?;
        let [c1, c2] = used.tag.to_evm_points().map(|p| identity_abi::g1(&p));
        let receipt = self
            .send(
                signer,
                &Abi::requestTraceCall {
                    nullifier,
                    c1,
                    c2,
                    epoch: used.epoch,
                    reason: reason.to_b256(),
                },
            )
            .await?;
        Ok(event::<Abi::TraceRequested>(&receipt)?
            .traceId
            .saturating_to())
    }

    /// Trace `id`, if there is one.
    pub async fn trace(&self, id: u64) -> Result<Option<Trace>> {
        let info = self
            .network
            .call(
                self.address,
                &Abi::traceCall {
                    traceId: U256::from(id),
                },
            )
            .await?;
        let status = TraceStatus::try_from(info.status).map_err(Error::unexpected)?;
        Ok((status != TraceStatus::None).then_some(Trace {
            id,
            nullifier: info.nullifier,
            epoch: info.epoch,
            reason: ShortText::from_word(info.reason),
            requester: info.requester,
            key_set: info.keySetHash,
            status,
            shares: info.shareCount,
            commitment: (status == TraceStatus::Completed).then_some(info.identityCommitment),
        }))
    }

    /// Posts `share` of trace `id` (whose token has tracing tag `tag`) from the authority
    /// `signer` of the trace's key set `gpk`.
    pub async fn submit_trace_share(
        &self,
        signer: &PrivateKeySigner,
        gpk: &GroupPublicKey,
        trace: &Trace,
        tag: &TracingTag,
        share: &VerifiedTraceShare,
    ) -> Result<TraceOutcome> {
        let share = identity_abi::trace_share(share, gpk, tag)
            .ok_or_else(|| Error::unexpected("a trace share for another tracing tag"))?;
        // The trace keeps only a digest of the tag; the contract checks this copy against it.
        let [c1, c2] = tag.to_evm_points().map(|p| identity_abi::g1(&p));
        let receipt = self
            .send(
                signer,
                &Abi::submitTraceShareCall {
                    traceId: U256::from(trace.id),
                    c1,
                    c2,
                    share,
                },
            )
            .await?;
        let submitted = event::<Abi::TraceShareSubmitted>(&receipt)?;
        let key_set = self
            .key_set(trace.key_set)
            .await?
            .ok_or_else(|| Error::unexpected(format!("trace #{} names no key set", trace.id)))?;
        Ok(TraceOutcome {
            id: trace.id,
            shares: submitted.shareCount.saturating_to(),
            threshold: u64::from(key_set.threshold),
            commitment: event::<Abi::Traced>(&receipt)
                .ok()
                .map(|traced| traced.identityCommitment),
        })
    }

    async fn send<C: alloy::sol_types::SolCall>(
        &self,
        signer: &PrivateKeySigner,
        call: &C,
    ) -> Result<alloy::rpc::types::TransactionReceipt> {
        self.network.send(signer, self.address, call).await
    }
}

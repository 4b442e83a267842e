//! Test fixture for `IdentityRegistry`: a consortium with authority members, the registry, a
//! real `medshare-identity` DKG, credential issuance and token/trace-share conversion to the
//! contract's structs, plus call, event and custom-error helpers.
// Shared by `identity_registry.rs` and `identity_governance.rs`; each uses a part of it.
#![allow(dead_code)]

use std::collections::HashMap;

use alloy::{
    primitives::{Address, B256, U256},
    sol_types::{SolCall, SolEventInterface, SolInterface},
};
use medshare_contracts::{
    Consortium, IIdentityRegistry, IdentityBn254,
    IdentityRegistry::{self, IdentityRegistryErrors, IdentityRegistryEvents},
    action, deploy_code, identity_abi, roles,
};
use medshare_evm::{CallRequest, Genesis, Receipt, TestChain};
use medshare_identity::{
    AuthoritySecretKey, Credential, GroupPublicKey, ThresholdParams, Token, TokenContext,
    TracingTag, UserSecret, VerifiedTraceShare, run_dkg_with_rng,
};
use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

/// `IdentityRegistryErrors::Name(IdentityRegistry::Name { .. })`.
#[allow(unused_macros)]
macro_rules! error {
    ($name:ident $($fields:tt)*) => {
        IdentityRegistryErrors::$name(IdentityRegistry::$name $($fields)*)
    };
}

/// `IdentityRegistryEvents::Name(IdentityRegistry::Name { .. })`.
#[allow(unused_macros)]
macro_rules! event {
    ($name:ident $($fields:tt)*) => {
        IdentityRegistryEvents::$name(IdentityRegistry::$name $($fields)*)
    };
}

/// The consortium's admins: two, threshold 2 (the first key set needs two admins).
pub(crate) const ADMIN: Address = Address::repeat_byte(0xad);
/// The consortium's second admin.
pub(crate) const ADMIN2: Address = Address::repeat_byte(0xae);
/// Deploys the contracts.
pub(crate) const DEPLOYER: Address = Address::repeat_byte(0xde);
/// The application contract that consumes tokens (impersonated).
pub(crate) const APP: Address = Address::repeat_byte(0x77);
/// The user account that submits tokens to [`APP`].
pub(crate) const USER: Address = Address::repeat_byte(0x55);
/// An account that is never a member.
pub(crate) const OUTSIDER: Address = Address::repeat_byte(0x99);
/// `minEpochDuration` of the fixture: one hour.
pub(crate) const EPOCH: u64 = 3600;
/// `minThreshold` of the fixture's registry.
pub(crate) const MIN_THRESHOLD: u8 = 2;
/// `minAuthorities` of the fixture's registry.
pub(crate) const MIN_AUTHORITIES: u8 = 3;
/// The test chain's id.
pub(crate) const CHAIN_ID: u64 = 1337;

/// Account of authority `i` (`1..=16`), an `ROLE_AUTHORITY` member.
pub(crate) fn authority(i: u8) -> Address {
    Address::repeat_byte(0xb0 + i)
}

/// The contract's `KeySet` for `gpk`, authority `i` acting from `accounts[i - 1]`.
pub(crate) fn key_set(gpk: &GroupPublicKey, accounts: &[Address]) -> IIdentityRegistry::KeySet {
    identity_abi::key_set(gpk, accounts).expect("one account per authority")
}

/// The contract's `TokenContext` for `ctx`.
pub(crate) fn sol_context(ctx: &TokenContext) -> IIdentityRegistry::TokenContext {
    identity_abi::token_context(ctx)
}

/// The contract's `Token` for `token`.
pub(crate) fn sol_token(
    token: &Token,
    gpk: &GroupPublicKey,
    ctx: &TokenContext,
) -> IIdentityRegistry::Token {
    identity_abi::token(token, gpk, ctx)
}

/// The contract's `TraceShare` for `share`.
pub(crate) fn sol_share(
    share: &VerifiedTraceShare,
    gpk: &GroupPublicKey,
    tag: &TracingTag,
) -> IIdentityRegistry::TraceShare {
    identity_abi::trace_share(share, gpk, tag).expect("share for this tag")
}

/// The custom error a reverted transaction or call returned.
pub(crate) fn decode_error(output: &[u8]) -> IdentityRegistryErrors {
    IdentityRegistryErrors::abi_decode(output).unwrap_or_else(|e| {
        panic!(
            "revert data 0x{} is not an IdentityRegistry error: {e}",
            alloy::primitives::hex::encode(output)
        )
    })
}

/// Asserts that `receipt` reverted with exactly `expected`.
#[track_caller]
pub(crate) fn assert_reverts(receipt: &Receipt, expected: IdentityRegistryErrors) {
    assert!(!receipt.status, "expected a revert, got success");
    assert!(
        receipt.logs.is_empty(),
        "a reverted transaction has no logs"
    );
    assert_eq!(decode_error(&receipt.output), expected);
}

/// A consortium with `n` authorities, a registry, and a `t`-of-`n` DKG result.
pub(crate) struct World {
    pub(crate) chain: TestChain,
    pub(crate) consortium: Address,
    pub(crate) registry: Address,
    pub(crate) gpk: GroupPublicKey,
    pub(crate) keys: Vec<AuthoritySecretKey>,
    pub(crate) rng: ChaCha20Rng,
    /// Tracing tags `(C1, C2)` of the consumed tokens by nullifier, from their `TokenUsed`
    /// events (where the CLI reads them).
    pub(crate) tags: HashMap<B256, (IdentityBn254::G1Point, IdentityBn254::G1Point)>,
    /// Epochs of the consumed tokens by nullifier, from their `TokenUsed` events.
    pub(crate) epochs: HashMap<B256, u64>,
}

impl World {
    /// Deploys everything; authorities `1..=n` are members but no key set is proposed yet.
    pub(crate) fn deployed(t: usize, n: usize, seed: u64) -> Self {
        Self::deployed_on(CHAIN_ID, t, n, seed)
    }

    /// [`World::deployed`] on a chain with id `chain_id`.
    pub(crate) fn deployed_on(chain_id: u64, t: usize, n: usize, seed: u64) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let (gpk, keys) = run_dkg_with_rng(&mut rng, ThresholdParams::new(t, n).unwrap()).unwrap();
        let mut chain =
            TestChain::with_genesis(Genesis::starting_now().with_chain_id(chain_id)).unwrap();
        let receipt = chain
            .deploy_as(
                DEPLOYER,
                deploy_code(
                    &Consortium::BYTECODE,
                    &Consortium::constructorCall {
                        initialAdmins: vec![ADMIN, ADMIN2],
                        names: vec![B256::ZERO, B256::ZERO],
                        initialThreshold: U256::from(1),
                    },
                ),
            )
            .unwrap();
        let consortium = receipt.contract_address.unwrap();
        let mut world = Self {
            registry: Address::ZERO,
            consortium,
            chain,
            gpk,
            keys,
            rng,
            tags: HashMap::new(),
            epochs: HashMap::new(),
        };
        for i in 1..=16 {
            world.add_authority(authority(i));
        }
        world.consortium_change(action::SET_THRESHOLD, Address::ZERO, U256::from(2));
        let receipt = world
            .chain
            .deploy_as(
                DEPLOYER,
                deploy_code(
                    &IdentityRegistry::BYTECODE,
                    &IdentityRegistry::constructorCall {
                        consortium_: consortium,
                        minEpochDuration_: EPOCH,
                        minThreshold_: MIN_THRESHOLD,
                        minAuthorities_: MIN_AUTHORITIES,
                    },
                ),
            )
            .unwrap();
        assert!(receipt.status, "registry deployment failed");
        world.registry = receipt.contract_address.unwrap();
        world
    }

    /// [`World::deployed`] with the DKG key set proposed by authority 1, confirmed by all and
    /// approved by the consortium's two admins: active in epoch 1.
    pub(crate) fn new(t: usize, n: usize, seed: u64) -> Self {
        let mut world = Self::deployed(t, n, seed);
        let set = world.key_set();
        world.install(&set);
        assert_eq!(world.epoch(), 1);
        world
    }

    /// Makes `account` a consortium member with `ROLE_AUTHORITY`.
    pub(crate) fn add_authority(&mut self, account: Address) {
        self.consortium_change(action::ADD_MEMBER, account, roles::AUTHORITY);
    }

    /// Removes `account` from the consortium.
    pub(crate) fn remove_member(&mut self, account: Address) {
        self.consortium_change(action::REMOVE_MEMBER, account, U256::ZERO);
    }

    /// A consortium change proposed by [`ADMIN`] and, while the threshold is 2, approved by
    /// [`ADMIN2`].
    pub(crate) fn consortium_change(&mut self, action: u8, account: Address, value: U256) {
        let id = self.consortium_propose(ADMIN, action, account, value);
        let call = Consortium::proposalCall { proposalId: id };
        let outcome = self
            .chain
            .call(&CallRequest::new(
                Address::ZERO,
                self.consortium,
                call.abi_encode(),
            ))
            .unwrap();
        let proposal = Consortium::proposalCall::abi_decode_returns(&outcome.output).unwrap();
        if proposal.status == medshare_contracts::proposal_status::PENDING {
            self.consortium_approve(ADMIN2, id);
        }
    }

    /// `Consortium.propose(action, account, value, 0)` from `from`, which must succeed; returns
    /// the proposal id.
    pub(crate) fn consortium_propose(
        &mut self,
        from: Address,
        action: u8,
        account: Address,
        value: U256,
    ) -> U256 {
        let call = Consortium::proposeCall {
            action,
            account,
            value,
            name: B256::ZERO,
        };
        let receipt = self
            .chain
            .send_as(from, Some(self.consortium), call.abi_encode(), U256::ZERO)
            .unwrap();
        assert!(receipt.status, "consortium proposal failed");
        Consortium::proposeCall::abi_decode_returns(&receipt.output).unwrap()
    }

    /// `Consortium.approve(proposal)` from `from`, which must succeed.
    pub(crate) fn consortium_approve(&mut self, from: Address, proposal: U256) {
        let call = Consortium::approveCall {
            proposalId: proposal,
        };
        let receipt = self
            .chain
            .send_as(from, Some(self.consortium), call.abi_encode(), U256::ZERO)
            .unwrap();
        assert!(receipt.status, "consortium approval failed");
    }

    /// The fixture's key set: authority `i` acts from [`authority`]`(i)`.
    pub(crate) fn key_set(&self) -> IIdentityRegistry::KeySet {
        let accounts: Vec<Address> = (1..=16).map(authority).collect();
        key_set(&self.gpk, &accounts)
    }

    /// Sends `call` to the registry from `from`.
    pub(crate) fn send(&mut self, from: Address, call: &impl SolCall) -> Receipt {
        self.chain
            .send_as(from, Some(self.registry), call.abi_encode(), U256::ZERO)
            .unwrap()
    }

    /// Sends `call` and asserts success.
    #[track_caller]
    pub(crate) fn send_ok(&mut self, from: Address, call: &impl SolCall) -> Receipt {
        let receipt = self.send(from, call);
        assert!(
            receipt.status,
            "transaction reverted: {:?}",
            decode_error(&receipt.output)
        );
        receipt
    }

    /// The decoded events of a successful receipt.
    pub(crate) fn events(&self, receipt: &Receipt) -> Vec<IdentityRegistryEvents> {
        assert!(receipt.status);
        receipt
            .logs
            .iter()
            .map(|log| {
                assert_eq!(log.address, self.registry);
                IdentityRegistryEvents::decode_raw_log(&log.topics, &log.data).unwrap()
            })
            .collect()
    }

    /// Calls a view; `Err` holds the decoded revert.
    pub(crate) fn try_view<C: SolCall>(
        &self,
        call: C,
    ) -> Result<C::Return, IdentityRegistryErrors> {
        let outcome = self
            .chain
            .call(&CallRequest::new(
                Address::ZERO,
                self.registry,
                call.abi_encode(),
            ))
            .unwrap();
        if outcome.success {
            Ok(C::abi_decode_returns(&outcome.output).unwrap())
        } else {
            Err(decode_error(&outcome.output))
        }
    }

    /// Calls a view that must not revert.
    #[track_caller]
    pub(crate) fn view<C: SolCall>(&self, call: C) -> C::Return {
        self.try_view(call).unwrap()
    }

    /// Proposes `set` from authority 1, confirms it from every listed authority and approves
    /// it ([`World::approvers`]); returns its hash and the last receipt (the approval that met
    /// the rule).
    pub(crate) fn install(&mut self, set: &IIdentityRegistry::KeySet) -> (B256, Receipt) {
        let hash = self.propose_and_confirm(set);
        let mut last = None;
        for approver in self.approvers() {
            last = Some(self.send_ok(
                approver,
                &IdentityRegistry::approveKeySetCall { keySetHash: hash },
            ));
        }
        (hash, last.expect("at least one approver"))
    }

    /// Proposes `set` from authority 1 and confirms it from every listed authority; returns its hash.
    pub(crate) fn propose_and_confirm(&mut self, set: &IIdentityRegistry::KeySet) -> B256 {
        let receipt = self.send_ok(
            authority(1),
            &IdentityRegistry::proposeKeySetCall {
                keySet_: set.clone(),
            },
        );
        let hash =
            IdentityRegistry::proposeKeySetCall::abi_decode_returns(&receipt.output).unwrap();
        for a in &set.authorities {
            self.send_ok(
                a.account,
                &IdentityRegistry::confirmKeySetCall { keySetHash: hash },
            );
        }
        hash
    }

    /// Who can approve a motion now: the consortium's two admins (threshold 2) with no key set
    /// active, else the first `t` authorities of the active key set.
    pub(crate) fn approvers(&self) -> Vec<Address> {
        let active = self.view(IdentityRegistry::activeKeySetCall {});
        if active == B256::ZERO {
            return vec![ADMIN, ADMIN2];
        }
        self.active_authorities()[..usize::from(
            self.view(IdentityRegistry::keySetCall { keySetHash: active })
                .threshold,
        )]
            .to_vec()
    }

    /// The accounts of the active key set's authorities, in index order.
    pub(crate) fn active_authorities(&self) -> Vec<Address> {
        let active = self.view(IdentityRegistry::activeKeySetCall {});
        let size = self
            .view(IdentityRegistry::keySetCall { keySetHash: active })
            .size;
        (1..=size)
            .map(|index| {
                self.view(IdentityRegistry::authorityOfCall {
                    keySetHash: active,
                    index,
                })
                .account
            })
            .collect()
    }

    /// `currentEpoch()`.
    pub(crate) fn epoch(&self) -> u64 {
        self.view(IdentityRegistry::currentEpochCall {})
    }

    /// Waits until [`EPOCH`] seconds after the last epoch change and advances the epoch from authority 1.
    pub(crate) fn advance(&mut self) -> Receipt {
        let last = self.view(IdentityRegistry::lastEpochChangeCall {});
        self.chain.set_next_block_timestamp(last + EPOCH);
        self.send_ok(authority(1), &IdentityRegistry::advanceEpochCall {})
    }

    /// Advances epochs until the scheduled key set takes effect: at the first epoch change at
    /// least [`EPOCH`] after it was scheduled, so at most two. Returns the activating receipt.
    pub(crate) fn activate_scheduled(&mut self) -> Receipt {
        let scheduled = self.view(IdentityRegistry::scheduledKeySetCall {});
        assert_ne!(scheduled, B256::ZERO, "no key set is scheduled");
        for _ in 0..2 {
            let receipt = self.advance();
            if self.view(IdentityRegistry::activeKeySetCall {}) == scheduled {
                return receipt;
            }
        }
        panic!("the scheduled key set did not activate within two epochs");
    }

    /// The timestamp of the block that holds `receipt`.
    pub(crate) fn timestamp(&self, receipt: &Receipt) -> u64 {
        self.chain
            .block(receipt.block_number)
            .unwrap()
            .expect("the receipt's block")
            .timestamp
    }

    /// A credential of `user` for `epoch`, issued blindly by authorities `1..=t` of `gpk`.
    pub(crate) fn issue_with(
        &mut self,
        gpk: &GroupPublicKey,
        keys: &[AuthoritySecretKey],
        user: &UserSecret,
        epoch: u64,
    ) -> Credential {
        let (request, pending) = user.request_credential_with_rng(&mut self.rng, epoch);
        let partials: Vec<_> = keys[..gpk.params().threshold()]
            .iter()
            .map(|key| {
                let ok = request.verify(epoch, &user.identity()).unwrap();
                let blind = key.blind_sign(&ok);
                pending
                    .unblind(&gpk.authority(key.index()).unwrap(), &blind)
                    .unwrap()
            })
            .collect();
        pending.finish(gpk, &partials).unwrap()
    }

    /// A credential of `user` for `epoch` from the fixture's authorities.
    pub(crate) fn issue(&mut self, user: &UserSecret, epoch: u64) -> Credential {
        let gpk = self.gpk.clone();
        let keys = self.keys.clone();
        self.issue_with(&gpk, &keys, user, epoch)
    }

    /// A context for [`APP`], submitted by [`USER`], with `nonce`.
    pub(crate) fn context(&self, nonce: u8) -> TokenContext {
        TokenContext {
            chain_id: CHAIN_ID,
            registry: self.registry.into_array(),
            verifying_contract: APP.into_array(),
            action: TokenContext::action_id("medshare.access.request"),
            sender: USER.into_array(),
            nonce: [nonce; 32],
            scope: None,
        }
    }

    /// [`World::context`] in scope `scope` (a token of `APP`'s scope `scope`).
    pub(crate) fn scoped_context(&self, nonce: u8, scope: B256) -> TokenContext {
        TokenContext {
            scope: medshare_identity::Scope::new(scope.0),
            ..self.context(nonce)
        }
    }

    /// Shows `credential` for `ctx` (fixture key set).
    pub(crate) fn show(&mut self, credential: &Credential, ctx: &TokenContext) -> Token {
        credential
            .show_with_rng(&mut self.rng, &self.gpk, ctx)
            .expect("an accepted scope")
    }

    /// `verifyToken(token, context)`: `Ok(bool)` or the revert.
    pub(crate) fn verify(
        &self,
        token: &IIdentityRegistry::Token,
        ctx: &IIdentityRegistry::TokenContext,
    ) -> Result<bool, IdentityRegistryErrors> {
        self.try_view(IdentityRegistry::verifyTokenCall {
            token: token.clone(),
            context: ctx.clone(),
        })
    }

    /// `consumeToken(token, context)` sent from `from`.
    pub(crate) fn consume(
        &mut self,
        from: Address,
        token: &IIdentityRegistry::Token,
        ctx: &IIdentityRegistry::TokenContext,
    ) -> Receipt {
        let receipt = self.send(
            from,
            &IdentityRegistry::consumeTokenCall {
                token: token.clone(),
                context: ctx.clone(),
            },
        );
        if receipt.status {
            self.record_tags(&receipt);
        }
        receipt
    }

    /// Remembers the tags and epochs of the `TokenUsed` events of a successful receipt.
    pub(crate) fn record_tags(&mut self, receipt: &Receipt) {
        for event in self.events(receipt) {
            if let IdentityRegistryEvents::TokenUsed(used) = event {
                self.tags.insert(used.nullifier, (used.c1, used.c2));
                self.epochs.insert(used.nullifier, used.epoch);
            }
        }
    }

    /// The tag of the token trace `trace_id` is about, from its `TokenUsed` event (zero points
    /// for an unknown trace).
    pub(crate) fn trace_tag(
        &self,
        trace_id: U256,
    ) -> (IdentityBn254::G1Point, IdentityBn254::G1Point) {
        let nullifier = self
            .view(IdentityRegistry::traceCall { traceId: trace_id })
            .nullifier;
        self.tags.get(&nullifier).cloned().unwrap_or_else(|| {
            let zero = || IdentityBn254::G1Point {
                x: U256::ZERO,
                y: U256::ZERO,
            };
            (zero(), zero())
        })
    }

    /// `requestTrace` from authority 1 for a consumed token; returns the trace id.
    pub(crate) fn request_trace(&mut self, token: &IIdentityRegistry::Token) -> U256 {
        let receipt = self.send_ok(
            authority(1),
            &IdentityRegistry::requestTraceCall {
                nullifier: nullifier(token),
                c1: token.c1.clone(),
                c2: token.c2.clone(),
                epoch: token.epoch,
                reason: B256::repeat_byte(0xc0),
            },
        );
        IdentityRegistry::requestTraceCall::abi_decode_returns(&receipt.output).unwrap()
    }

    /// `submitTraceShare(traceId, c1, c2, share)` with the trace's tag ([`World::trace_tag`])
    /// from the account of `share.index`.
    pub(crate) fn submit_share(
        &mut self,
        trace_id: U256,
        share: &IIdentityRegistry::TraceShare,
    ) -> Receipt {
        let (c1, c2) = self.trace_tag(trace_id);
        self.send(
            authority(share.index),
            &IdentityRegistry::submitTraceShareCall {
                traceId: trace_id,
                c1,
                c2,
                share: share.clone(),
            },
        )
    }

    /// Authority `index`'s (verified) share for `tag`.
    pub(crate) fn share(&mut self, index: u8, tag: &TracingTag) -> IIdentityRegistry::TraceShare {
        let key = self.keys[usize::from(index) - 1].clone();
        let share = key.trace_share_with_rng(&mut self.rng, tag);
        sol_share(&share, &self.gpk, tag)
    }
}

/// A used token's record: `keccak256(abi.encode(c1, c2, uint64 epoch))`.
pub(crate) fn tag_digest(
    c1: &IdentityBn254::G1Point,
    c2: &IdentityBn254::G1Point,
    epoch: u64,
) -> B256 {
    let mut bytes = Vec::with_capacity(160);
    for word in [c1.x, c1.y, c2.x, c2.y, U256::from(epoch)] {
        bytes.extend_from_slice(&word.to_be_bytes::<32>());
    }
    alloy::primitives::keccak256(bytes)
}

/// The nullifier of a contract token (Rust `Token::nullifier`): `keccak256(N.x || N.y)` for a
/// scoped token (`N != (0, 0)`), else `keccak256(κ.x || κ.y)`.
pub(crate) fn nullifier(token: &IIdentityRegistry::Token) -> B256 {
    let n = &token.nullifierPoint;
    let p = if n.x.is_zero() && n.y.is_zero() {
        &token.kappa
    } else {
        n
    };
    alloy::primitives::keccak256(identity_abi::g1_bytes(p))
}

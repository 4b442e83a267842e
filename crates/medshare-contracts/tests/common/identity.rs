//! Test fixture for `IdentityRegistry`: a consortium with authority members, the registry, a
//! real `medshare-identity` DKG, credential issuance and token/trace-share conversion to the
//! contract's structs, plus call, event and custom-error helpers.

use std::collections::HashMap;

use alloy::{
    primitives::{Address, B256, U256},
    sol_types::{SolCall, SolEventInterface, SolInterface},
};
use medshare_contracts::{
    Consortium, IIdentityRegistry, IdentityBn254,
    IdentityRegistry::{self, IdentityRegistryErrors, IdentityRegistryEvents},
    deploy_code, identity_abi, roles,
};
use medshare_evm::{CallRequest, Genesis, Receipt, TestChain};
use medshare_identity::{
    AuthoritySecretKey, Credential, GroupPublicKey, ThresholdParams, Token, TokenContext,
    TracingTag, UserSecret, VerifiedTraceShare, run_dkg_with_rng,
};
use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};

/// The consortium's only admin (threshold 1), which adds the authorities.
pub(crate) const ADMIN: Address = Address::repeat_byte(0xad);
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
                        initialAdmins: vec![ADMIN],
                        names: vec![B256::ZERO],
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
        };
        for i in 1..=16 {
            world.add_authority(authority(i));
        }
        let receipt = world
            .chain
            .deploy_as(
                DEPLOYER,
                deploy_code(
                    &IdentityRegistry::BYTECODE,
                    &IdentityRegistry::constructorCall {
                        consortium_: consortium,
                        minEpochDuration_: EPOCH,
                    },
                ),
            )
            .unwrap();
        assert!(receipt.status, "registry deployment failed");
        world.registry = receipt.contract_address.unwrap();
        world
    }

    /// [`World::deployed`] with the DKG key set proposed by authority 1 and confirmed by all:
    /// active in epoch 1.
    pub(crate) fn new(t: usize, n: usize, seed: u64) -> Self {
        let mut world = Self::deployed(t, n, seed);
        let set = world.key_set();
        world.install(&set);
        assert_eq!(world.epoch(), 1);
        world
    }

    /// Makes `account` a consortium member with `ROLE_AUTHORITY`.
    pub(crate) fn add_authority(&mut self, account: Address) {
        let receipt = self
            .chain
            .send_as(
                ADMIN,
                Some(self.consortium),
                Consortium::proposeCall {
                    action: medshare_contracts::action::ADD_MEMBER,
                    account,
                    value: roles::AUTHORITY,
                    name: B256::ZERO,
                }
                .abi_encode(),
                U256::ZERO,
            )
            .unwrap();
        assert!(receipt.status);
    }

    /// Removes `account` from the consortium.
    pub(crate) fn remove_member(&mut self, account: Address) {
        let receipt = self
            .chain
            .send_as(
                ADMIN,
                Some(self.consortium),
                Consortium::proposeCall {
                    action: medshare_contracts::action::REMOVE_MEMBER,
                    account,
                    value: U256::ZERO,
                    name: B256::ZERO,
                }
                .abi_encode(),
                U256::ZERO,
            )
            .unwrap();
        assert!(receipt.status);
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

    /// Proposes `set` from authority 1 and confirms it from every listed authority; returns
    /// its hash and the last receipt.
    pub(crate) fn install(&mut self, set: &IIdentityRegistry::KeySet) -> (B256, Receipt) {
        let receipt = self.send_ok(
            authority(1),
            &IdentityRegistry::proposeKeySetCall {
                keySet_: set.clone(),
            },
        );
        let hash =
            IdentityRegistry::proposeKeySetCall::abi_decode_returns(&receipt.output).unwrap();
        let mut last = receipt;
        for a in &set.authorities {
            last = self.send_ok(
                a.account,
                &IdentityRegistry::confirmKeySetCall { keySetHash: hash },
            );
        }
        (hash, last)
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
            verifying_contract: APP.into_array(),
            action: TokenContext::action_id("medshare.access.request"),
            sender: USER.into_array(),
            nonce: [nonce; 32],
        }
    }

    /// Shows `credential` for `ctx` (fixture key set).
    pub(crate) fn show(&mut self, credential: &Credential, ctx: &TokenContext) -> Token {
        credential.show_with_rng(&mut self.rng, &self.gpk, ctx)
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

    /// Remembers the tags of the `TokenUsed` events of a successful receipt.
    pub(crate) fn record_tags(&mut self, receipt: &Receipt) {
        for event in self.events(receipt) {
            if let IdentityRegistryEvents::TokenUsed(used) = event {
                self.tags.insert(used.nullifier, (used.c1, used.c2));
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

/// `keccak256(κ.x || κ.y)` of a contract token.
pub(crate) fn nullifier(token: &IIdentityRegistry::Token) -> B256 {
    let mut bytes = [0u8; 64];
    bytes[..32].copy_from_slice(&token.kappa.x.to_be_bytes::<32>());
    bytes[32..].copy_from_slice(&token.kappa.y.to_be_bytes::<32>());
    alloy::primitives::keccak256(bytes)
}

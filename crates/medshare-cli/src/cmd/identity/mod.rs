//! `medshare identity`: threshold-issued anonymous credentials, tokens, tracing, revocation.
//!
//! The authorities, users and the chain all live in one data directory here (one account per
//! party), so every step runs locally against the embedded chain; each party's secrets stay
//! encrypted under its own account (see [`crate::identity_store`]). Messages that would cross
//! the network between parties (registration, issuance requests, blind signatures, trace shares)
//! are the crate's checked wire encodings.

use alloy::primitives::{Address, B256, hex};
use anyhow::{Context, Result, bail};
use medshare_chain::{Approval, Deployment, Motion, Roles, TraceOutcome};
use medshare_contracts::identity_abi;
use medshare_identity::{
    AuthoritySecretKey, Dealer, Dealing, DkgSession, DkgShare, GroupPublicKey, RegistrationContext,
    Scope, ThresholdParams, Token, TokenContext, TraceShare,
};
use serde::Serialize;

use crate::{
    args::{EpochCommand, GlobalArgs, IdentityCommand, KeySetCommand, TokenArgs, TraceCommand},
    client::Client,
    datadir::{Config, DataDir, Lock},
    identity_store::{IdentityStore, RegistrationRecord, identity_hex},
    keystore,
    output::{Printer, cut, plural, usage},
    parse,
};

pub(super) fn run(
    global: &GlobalArgs,
    cmd: IdentityCommand,
    printer: &Printer,
    lock: Option<&Lock>,
) -> Result<()> {
    let data_dir = super::data_dir(global)?;
    let config = super::config(global, &data_dir)?;
    let session = Session::new(&data_dir, &config, lock);
    let from = global.from.as_deref();
    match cmd {
        IdentityCommand::Keygen {
            authorities,
            threshold,
            approvers,
            rotate,
        } => {
            let report = session.keygen(&authorities, threshold, &approvers, rotate)?;
            printer.result(&report, || report.describe(), report.key_set);
        }
        IdentityCommand::KeySet(KeySetCommand::Approve { key_set }) => {
            let key_set = parse::word(&key_set, "key set hash")?;
            let approval = session.approve(from, &Motion::ApproveKeySet(key_set))?;
            printer.result(
                &approval,
                || describe_key_set_approval(key_set, &approval),
                approval.approvals,
            );
        }
        IdentityCommand::KeySet(KeySetCommand::Cancel { key_set }) => {
            let key_set = parse::word(&key_set, "key set hash")?;
            let approval = session.approve(from, &Motion::CancelKeySet(key_set))?;
            let text = || {
                if approval.done {
                    format!("key set {key_set} cancelled")
                } else {
                    format!(
                        "cancellation of key set {key_set}: {} of {}",
                        approval.approvals,
                        plural(approval.needed, "approval")
                    )
                }
            };
            printer.result(&approval, text, approval.approvals);
        }
        IdentityCommand::Register { rid, authorities } => {
            let commitment = session.register(from, &rid, &authorities)?;
            printer.result(
                &serde_json::json!({ "commitment": commitment, "authorities": authorities }),
                || {
                    format!(
                        "registered with {} ({}); identity commitment {commitment}",
                        plural(authorities.len() as u64, "authority"),
                        authorities.join(", ")
                    )
                },
                commitment,
            );
        }
        IdentityCommand::Issue { authorities } => {
            let epoch = session.issue(from, &authorities)?;
            printer.result(
                &serde_json::json!({ "epoch": epoch, "authorities": authorities }),
                || {
                    format!(
                        "credential for epoch {epoch} issued by {}",
                        authorities.join(", ")
                    )
                },
                epoch,
            );
        }
        IdentityCommand::Token(args) => {
            let (token, nullifier) = session.token(from, &args)?;
            let token = hex::encode_prefixed(token.to_bytes());
            printer.result(
                &serde_json::json!({ "token": token, "nullifier": nullifier }),
                || format!("{token}\n(nullifier {nullifier})"),
                &token,
            );
        }
        IdentityCommand::Verify { token, context } => {
            let verdict = session.verify(from, &token, &context)?;
            if !verdict.valid {
                bail!("the registry rejects this token for that context");
            }
            printer.result(
                &verdict,
                || verdict.describe(),
                if verdict.used {
                    "valid, already used"
                } else {
                    "valid"
                },
            );
        }
        IdentityCommand::Use { token, context } => {
            let nullifier = session.consume(from, &token, &context)?;
            printer.result(
                &serde_json::json!({ "nullifier": nullifier }),
                || format!("token used; nullifier {nullifier}"),
                nullifier,
            );
        }
        IdentityCommand::Trace(TraceCommand::Request { nullifier, reason }) => {
            let id = session.request_trace(from, &nullifier, &reason)?;
            printer.result(
                &serde_json::json!({ "traceId": id }),
                || format!("trace #{id} requested"),
                id,
            );
        }
        IdentityCommand::Trace(TraceCommand::Share { id }) => {
            let outcome = session.trace_share(from, id)?;
            let essential = outcome
                .commitment
                .map_or_else(|| outcome.shares.to_string(), |c| c.to_string());
            printer.result(&outcome, || describe_trace(&outcome), essential);
        }
        IdentityCommand::Trace(TraceCommand::Show { id }) => {
            let shown = session.trace_show(from, id)?;
            let essential = shown.rid.clone().unwrap_or_default();
            printer.result(&shown, || shown.describe(), essential);
        }
        IdentityCommand::Revoke { commitment, reason } => {
            let approval = session.revoke(from, &commitment, &reason)?;
            let text = || match approval.epoch {
                Some(epoch) if approval.done => format!(
                    "identity {commitment} revoked ({} of {}); epoch {epoch} started, so every credential it held has expired",
                    approval.approvals,
                    plural(approval.needed, "approval")
                ),
                _ => format!(
                    "revocation of {commitment}: {} of {}; it takes effect when {} of the active key set approve",
                    approval.approvals,
                    plural(approval.needed, "approval"),
                    plural(approval.needed, "authority")
                ),
            };
            printer.result(&approval, text, approval.approvals);
        }
        IdentityCommand::Epoch(EpochCommand::Advance) => {
            let epoch = session.advance_epoch(from)?;
            printer.result(
                &serde_json::json!({ "epoch": epoch }),
                || format!("epoch {epoch} started"),
                epoch,
            );
        }
        IdentityCommand::Epoch(EpochCommand::Rotate) => {
            let approval = session.approve(from, &Motion::RotateEpoch)?;
            let text = || match approval.epoch {
                Some(epoch) => format!(
                    "epoch {epoch} started early ({} of {} approved)",
                    approval.approvals,
                    plural(approval.needed, "authority")
                ),
                None => format!(
                    "early rotation: {} of {}",
                    approval.approvals,
                    plural(approval.needed, "approval")
                ),
            };
            printer.result(&approval, text, approval.approvals);
        }
        IdentityCommand::Epoch(EpochCommand::Show) => {
            let client = Client::open(&data_dir, &config)?;
            let epoch = client.run(client.registry()?.current_epoch())?;
            printer.result(
                &serde_json::json!({ "epoch": epoch }),
                || format!("epoch {epoch}"),
                epoch,
            );
        }
    }
    Ok(())
}

/// What the registry says of a token, without recording anything.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Verdict {
    pub(super) valid: bool,
    /// A token with this nullifier was already used (the registry would refuse it now).
    pub(super) used: bool,
    pub(super) nullifier: B256,
}

impl Verdict {
    fn describe(&self) -> String {
        if self.used {
            format!(
                "valid, already used: a token with nullifier {} was submitted before, so the registry refuses it now",
                self.nullifier
            )
        } else {
            format!("valid (nullifier {})", self.nullifier)
        }
    }
}

/// What `identity keygen` produced.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct KeygenReport {
    pub(super) key_set: B256,
    threshold: usize,
    authorities: Vec<String>,
    /// Where the approval stands after `--approvers` (`None` if nobody approved yet).
    approval: Option<Approval>,
    /// Approvals it needs, and who gives them.
    needed: u64,
    approvers: &'static str,
}

impl KeygenReport {
    pub(super) fn describe(&self) -> String {
        let head = format!(
            "key set {} ({}-of-{}: {}) proposed and confirmed by every authority",
            self.key_set,
            self.threshold,
            self.authorities.len(),
            self.authorities.join(", ")
        );
        match &self.approval {
            Some(a) if a.done => format!("{head}; {}", describe_key_set_approval(self.key_set, a)),
            Some(a) => format!(
                "{head}; {} of {} approvals by {} so far: the rest run `medshare --from <account> identity key-set approve {}`",
                a.approvals, a.needed, self.approvers, self.key_set
            ),
            None if self.needed < 2 => format!(
                "{head}; the first key set needs the approval of at least two consortium admins, and the consortium's threshold is {}: add an admin and raise the threshold to 2 or more, then each runs `medshare --from <admin> identity key-set approve {}`",
                self.needed, self.key_set
            ),
            None => format!(
                "{head}; it takes effect once {} {} approve: `medshare --from <account> identity key-set approve {}`",
                self.needed, self.approvers, self.key_set
            ),
        }
    }
}

/// A sentence for an approval of key set `key_set`.
fn describe_key_set_approval(key_set: B256, approval: &Approval) -> String {
    match (approval.done, approval.epoch, approval.scheduled_from) {
        (true, Some(epoch), _) => format!(
            "key set {key_set} approved ({} of {}): it is the active key set from epoch {epoch}",
            approval.approvals, approval.needed
        ),
        (true, None, Some(from)) => format!(
            "key set {key_set} approved ({} of {}) and scheduled: the first epoch change from unix time {from} on activates it; until then t authorities of the active key set can cancel it",
            approval.approvals, approval.needed
        ),
        (true, None, None) => format!(
            "key set {key_set} approved ({} of {}); it takes effect once every listed authority has confirmed",
            approval.approvals, approval.needed
        ),
        (false, ..) => format!(
            "key set {key_set}: {} of {} approvals",
            approval.approvals, approval.needed
        ),
    }
}

/// `trace #2 complete: identity commitment 0x…` / `trace #2: 1 of 2 shares`.
pub(super) fn describe_trace(outcome: &TraceOutcome) -> String {
    match outcome.commitment {
        Some(c) => format!("trace #{} complete: identity commitment {c}", outcome.id),
        None => format!(
            "trace #{}: {} of {} shares",
            outcome.id, outcome.shares, outcome.threshold
        ),
    }
}

/// A completed trace as one authority resolves it with its registration table.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TraceShown {
    pub(super) id: u64,
    pub(super) commitment: B256,
    pub(super) rid: Option<String>,
}

impl TraceShown {
    pub(super) fn describe(&self) -> String {
        match &self.rid {
            Some(rid) => format!(
                "trace #{}: identity {} is `{rid}`",
                self.id, self.commitment
            ),
            None => format!(
                "trace #{}: identity {} is not in this authority's table",
                self.id, self.commitment
            ),
        }
    }
}

pub(super) struct Session<'a> {
    data_dir: &'a DataDir,
    config: &'a Config,
    store: IdentityStore,
    /// The data directory's exclusive lock, held by commands that write to it.
    lock: Option<&'a Lock>,
    /// One password for every account (the demo's); otherwise each is asked for.
    password: Option<String>,
}

impl<'a> Session<'a> {
    pub(super) fn new(data_dir: &'a DataDir, config: &'a Config, lock: Option<&'a Lock>) -> Self {
        Self {
            data_dir,
            config,
            store: IdentityStore::new(data_dir, config),
            lock,
            password: None,
        }
    }

    /// A session whose accounts all share `password`.
    pub(super) fn with_password(
        data_dir: &'a DataDir,
        config: &'a Config,
        lock: &'a Lock,
        password: &str,
    ) -> Self {
        Self {
            password: Some(password.to_string()),
            ..Self::new(data_dir, config, Some(lock))
        }
    }

    fn password(&self, account: &str) -> Result<String> {
        match &self.password {
            Some(password) => Ok(password.clone()),
            None => keystore::password(account),
        }
    }

    fn lock(&self) -> Result<&'a Lock> {
        self.lock.context(
            "internal error: a writing identity command runs without the data directory's lock",
        )
    }

    fn signer(
        &self,
        account: Option<&str>,
    ) -> Result<(String, alloy::signers::local::PrivateKeySigner)> {
        let (name, _) = self.config.account(account)?;
        let password = self.password(name)?;
        Ok((
            name.to_string(),
            self.data_dir.unlock(self.config, name, &password)?,
        ))
    }

    /// The active key set and its group key, which this directory must hold.
    fn active_key_set(&self, client: &Client) -> Result<(B256, GroupPublicKey)> {
        let key_set = client.run(client.registry()?.active_key_set())?.context(
            "no key set is active yet: run `medshare identity keygen` and have it approved (`identity key-set approve`)",
        )?;
        Ok((key_set, self.store.group_key(key_set)?))
    }

    pub(super) fn keygen(
        &self,
        authorities: &[String],
        threshold: usize,
        approvers: &[String],
        rotate: bool,
    ) -> Result<KeygenReport> {
        let params = ThresholdParams::new(threshold, authorities.len()).map_err(|e| {
            usage(format!(
                "threshold {threshold} of {}: {e}",
                authorities.len()
            ))
        })?;
        distinct(authorities, "--authorities")?;
        let lock = self.lock()?;
        let client = Client::open(self.data_dir, self.config)?;
        let registry = client.registry()?;
        if !rotate {
            let existing = match client.run(registry.scheduled_key_set())? {
                Some(scheduled) => Some((scheduled, "scheduled to take over")),
                None => client
                    .run(registry.active_key_set())?
                    .map(|a| (a, "active")),
            };
            if let Some((key_set, state)) = existing {
                return Err(usage(format!(
                    "key set {key_set} is {state}; a new key generation would propose its successor: pass --rotate to do that (the shares of every earlier key set are kept, so their tokens can still be traced)"
                )));
            }
        }
        let mut signers = Vec::with_capacity(authorities.len());
        let mut passwords = Vec::with_capacity(authorities.len());
        for name in authorities {
            let (_, signer) = self.signer(Some(name))?;
            if !client.run(
                client
                    .consortium()?
                    .has_role(signer.address(), Roles::AUTHORITY),
            )? {
                bail!("account `{name}` is not a consortium member with the authority role");
            }
            signers.push(signer);
            passwords.push(self.password(name)?);
        }
        let approver_signers = approvers
            .iter()
            .map(|name| Ok(self.signer(Some(name))?.1))
            .collect::<Result<Vec<_>>>()?;
        let session = DkgSession {
            params,
            id: dkg_session_id(&self.config.deployment()?),
        };
        let (views, shares) = run_dealers(&session)?;
        let gpk = views.first().context("no authorities")?.clone();
        // The shares are stored durably before the key set exists on chain, so that no key set
        // is ever active without the shares that trace its tokens.
        let accounts: Vec<Address> = signers.iter().map(|s| s.address()).collect();
        let key_set = identity_abi::key_set(&gpk, &accounts)
            .map(|set| identity_abi::key_set_hash(&set))
            .context("one account per authority is needed")?;
        let mut txn = lock.transaction();
        let staged: Vec<(&str, &AuthoritySecretKey, &str)> = authorities
            .iter()
            .zip(&shares)
            .zip(&passwords)
            .map(|((name, share), password)| (name.as_str(), share, password.as_str()))
            .collect();
        self.store.stage_key_set(&mut txn, key_set, &gpk, &staged)?;
        txn.commit()?;
        let proposer = signers.first().context("no authorities")?;
        let on_chain = identity_abi::key_set(&gpk, &accounts)
            .context("one account per authority is needed")?;
        let proposed = client.run(registry.propose_key_set(proposer, on_chain))?;
        for (signer, view) in signers.iter().zip(&views) {
            // What is on chain must be what this authority's DKG produced, with every account
            // in its place: each recomputes the hash rather than trust the proposer's.
            let expected = identity_abi::key_set(view, &accounts)
                .map(|set| identity_abi::key_set_hash(&set))
                .context("one account per authority is needed")?;
            if expected != proposed {
                bail!(
                    "authority {} computed key set {expected}, but {proposed} was proposed; not confirming",
                    signer.address()
                );
            }
            client.run(registry.confirm_key_set(signer, proposed))?;
        }
        let (needed, approvers_are) = match client.run(registry.key_set_approvals(key_set))? {
            None => (
                client.run(client.consortium()?.threshold())?,
                "consortium admins",
            ),
            Some((_, needed)) => (needed, "authorities of the active key set"),
        };
        let mut approval = None;
        for signer in &approver_signers {
            approval = Some(client.run(registry.approve(signer, &Motion::ApproveKeySet(key_set)))?);
        }
        Ok(KeygenReport {
            key_set,
            threshold,
            authorities: authorities.to_vec(),
            approval,
            needed,
            approvers: approvers_are,
        })
    }

    /// Approves `motion` as the `from` account (see [`medshare_chain::IdentityRegistry::approve`]).
    pub(super) fn approve(&self, from: Option<&str>, motion: &Motion) -> Result<Approval> {
        let (_, signer) = self.signer(from)?;
        let client = Client::open(self.data_dir, self.config)?;
        client.run(client.registry()?.approve(&signer, motion))
    }

    pub(super) fn register(
        &self,
        user: Option<&str>,
        rid: &str,
        authorities: &[String],
    ) -> Result<B256> {
        let (user, _) = self.config.account(user)?;
        if self.store.has_user(user) {
            bail!("account `{user}` is already registered");
        }
        if rid.is_empty() || rid.chars().any(char::is_control) {
            return Err(usage(format!(
                "the real identity `{}` must be non-empty plain text without control characters",
                cut(rid)
            )));
        }
        distinct(authorities, "--authorities")?;
        let lock = self.lock()?;
        let client = Client::open(self.data_dir, self.config)?;
        let (key_set, _) = self.active_key_set(&client)?;
        let threshold = client
            .run(client.registry()?.key_set(key_set))?
            .map_or(0, |info| usize::from(info.threshold));
        if authorities.len() < threshold {
            return Err(usage(format!(
                "register with at least {threshold} authorities (the threshold of key set {key_set}): a credential needs that many of them to issue it, and only authorities holding the registration issue"
            )));
        }
        drop(client);
        let mut txn = lock.transaction();
        let deployment = self.config.deployment()?;
        let context = RegistrationContext {
            chain_id: deployment.chain_id,
            registry: deployment.contracts.identity_registry.0.0,
            rid_digest: alloy::primitives::keccak256(rid.as_bytes()).0,
        };
        let secret = medshare_identity::UserSecret::random();
        let registration = secret.register_with_rng(&mut rand08::thread_rng(), &context);
        let wire = registration.to_bytes();
        let mut commitment = B256::ZERO;
        for authority in authorities {
            // What each authority receives: the request bytes and the RID, checked afresh.
            let received = medshare_identity::Registration::from_bytes(&wire)
                .map_err(|e| anyhow::anyhow!("registration request: {e}"))?;
            let verified = received.verify(&context).map_err(|(e, _)| {
                anyhow::anyhow!("authority `{authority}` rejects the registration: {e}")
            })?;
            let password = self.password(authority)?;
            // Only holders of a share of the active key set keep tables (and this unlocks it).
            self.store.authority(key_set, authority, &password)?;
            let mut table = self.store.registrations(authority, &password)?;
            let identity = verified.identity();
            commitment = B256::from(identity.commitment());
            if table.iter().any(|r| r.rid == rid) {
                bail!("authority `{authority}` already has a registration for `{rid}`");
            }
            table.push(RegistrationRecord {
                rid: rid.to_string(),
                identity: identity_hex(&identity),
                commitment: commitment.to_string(),
            });
            self.store
                .stage_registrations(&mut txn, authority, &table, &password)?;
        }
        self.store
            .stage_user(&mut txn, user, &secret, &self.password(user)?)?;
        // Every table and the user's secret, or nothing.
        txn.commit()?;
        Ok(commitment)
    }

    pub(super) fn issue(&self, user: Option<&str>, authorities: &[String]) -> Result<u64> {
        let (user, _) = self.config.account(user)?;
        distinct(authorities, "--authorities")?;
        let lock = self.lock()?;
        let client = Client::open(self.data_dir, self.config)?;
        let (key_set, gpk) = self.active_key_set(&client)?;
        let registry = client.registry()?;
        let epoch = client.run(registry.current_epoch())?;
        let secret = self.store.user(user, &self.password(user)?)?;
        let (request, pending) =
            secret.request_credential_with_rng(&mut rand08::thread_rng(), epoch);
        let wire = request.to_bytes();
        let mut partials = Vec::new();
        for authority in authorities {
            let password = self.password(authority)?;
            let key = self.store.authority(key_set, authority, &password)?;
            let received = medshare_identity::IssuanceRequest::from_bytes(&wire)
                .map_err(|e| anyhow::anyhow!("issuance request: {e}"))?;
            // The authority issues only to users in its table whose identity was never revoked.
            let identity = received.identity();
            let registered = self
                .store
                .registrations(authority, &password)?
                .into_iter()
                .find(|r| r.identity == identity_hex(&identity))
                .with_context(|| {
                    format!("authority `{authority}` has no registration for this user")
                })?;
            if client.run(registry.is_revoked(B256::from(identity.commitment())))? {
                bail!(
                    "authority `{authority}` refuses: the identity of `{}` is revoked",
                    registered.rid
                );
            }
            let verified = received.verify(epoch, &identity).map_err(|(e, _)| {
                anyhow::anyhow!("authority `{authority}` rejects the request: {e}")
            })?;
            let blind = key.blind_sign(&verified);
            let vk = gpk
                .authority(key.index())
                .context("authority index outside the group key")?;
            partials.push(
                pending.unblind(&vk, &blind).map_err(|e| {
                    anyhow::anyhow!("signature of `{authority}` does not verify: {e}")
                })?,
            );
        }
        let credential = pending
            .finish(&gpk, &partials)
            .map_err(|e| anyhow::anyhow!("cannot assemble a credential: {e}"))?;
        let mut txn = lock.transaction();
        self.store
            .stage_credential(&mut txn, key_set, user, &credential, &self.password(user)?)?;
        txn.commit()?;
        Ok(epoch)
    }

    fn context(&self, args: &TokenArgs, sender: Address) -> Result<TokenContext> {
        let nonce: B256 = match args.nonce.strip_prefix("0x") {
            Some(_) => parse::word(&args.nonce, "--nonce")?,
            None => B256::from(alloy::primitives::U256::from(
                args.nonce.parse::<u64>().map_err(|_| {
                    usage(format!(
                        "--nonce `{}` is not a number or a 0x-prefixed 32-byte word",
                        cut(&args.nonce)
                    ))
                })?,
            )),
        };
        let resolve = |given: &Option<String>, what: &str| -> Result<Option<Address>> {
            Ok(match given {
                Some(s) if s.starts_with("0x") => Some(parse::address(s, what)?),
                Some(name) => Some(self.config.account(Some(name))?.1),
                None => None,
            })
        };
        let sender = resolve(&args.sender, "sender")?.unwrap_or(sender);
        // Until an application contract consumes tokens, the submitting account does.
        let verifier = resolve(&args.verifier, "verifier")?.unwrap_or(sender);
        let scope = match &args.scope {
            None => None,
            Some(word) if word.starts_with("0x") => {
                let word = parse::word(word, "--scope")?;
                Some(
                    Scope::new(word.0)
                        .ok_or_else(|| usage("--scope 0x00…00 means no scope; omit it"))?,
                )
            }
            Some(name) => Some(
                Scope::new(TokenContext::action_id(name))
                    .ok_or_else(|| usage("--scope hashes to zero; choose another name"))?,
            ),
        };
        let deployment = self.config.deployment()?;
        Ok(TokenContext {
            chain_id: deployment.chain_id,
            registry: deployment.contracts.identity_registry.0.0,
            verifying_contract: verifier.0.0,
            action: TokenContext::action_id(&args.action),
            sender: sender.0.0,
            nonce: nonce.0,
            scope,
        })
    }

    pub(super) fn token(&self, user: Option<&str>, args: &TokenArgs) -> Result<(Token, B256)> {
        let (user, address) = self.config.account(user)?;
        let client = Client::open(self.data_dir, self.config)?;
        let (key_set, gpk) = self.active_key_set(&client)?;
        let epoch = client.run(client.registry()?.current_epoch())?;
        let credential =
            self.store
                .credential(key_set, user, epoch, &gpk, &self.password(user)?)?;
        let context = self.context(args, address)?;
        let token = credential
            .show(&gpk, &context)
            .map_err(|e| anyhow::anyhow!("{e}: the registry refuses this --scope"))?;
        let nullifier = B256::from(token.nullifier());
        Ok((token, nullifier))
    }

    fn parse_token(text: &str) -> Result<Token> {
        let bytes = hex::decode(text.trim())
            .map_err(|_| usage(format!("the token `{}` is not hex", cut(text))))?;
        Token::from_bytes(&bytes).map_err(|e| {
            usage(format!(
                "the token is malformed ({} bytes): {e}",
                bytes.len()
            ))
        })
    }

    pub(super) fn verify(
        &self,
        from: Option<&str>,
        token: &str,
        args: &TokenArgs,
    ) -> Result<Verdict> {
        let (_, address) = self.config.account(from)?;
        let token = Self::parse_token(token)?;
        let context = self.context(args, address)?;
        let client = Client::open(self.data_dir, self.config)?;
        let (_, gpk) = self.active_key_set(&client)?;
        let nullifier = B256::from(token.nullifier());
        let registry = client.registry()?;
        Ok(Verdict {
            valid: client.run(registry.verify_token(&gpk, &token, &context))?,
            used: client.run(registry.is_used(nullifier))?,
            nullifier,
        })
    }

    pub(super) fn consume(
        &self,
        from: Option<&str>,
        token: &str,
        args: &TokenArgs,
    ) -> Result<B256> {
        let (_, signer) = self.signer(from)?;
        let token = Self::parse_token(token)?;
        let context = self.context(args, signer.address())?;
        let client = Client::open(self.data_dir, self.config)?;
        let (_, gpk) = self.active_key_set(&client)?;
        client.run(
            client
                .registry()?
                .consume_token(&signer, &gpk, &token, &context),
        )
    }

    pub(super) fn request_trace(
        &self,
        from: Option<&str>,
        nullifier: &str,
        reason: &str,
    ) -> Result<u64> {
        let (_, signer) = self.signer(from)?;
        let nullifier = parse::word(nullifier, "nullifier")?;
        let reason = parse::short_text(reason, "reason")?;
        let client = Client::open(self.data_dir, self.config)?;
        client.run(client.registry()?.request_trace(&signer, nullifier, reason))
    }

    pub(super) fn trace_share(&self, from: Option<&str>, id: u64) -> Result<TraceOutcome> {
        let (name, signer) = self.signer(from)?;
        let client = Client::open(self.data_dir, self.config)?;
        let registry = client.registry()?;
        let trace = client
            .run(registry.trace(id))?
            .with_context(|| format!("there is no trace #{id}"))?;
        let tag = client
            .run(registry.used_token(trace.nullifier))?
            .with_context(|| format!("trace #{id} names a token that was never used"))?
            .tag;
        // The authorities of the key set that verified the token trace it, even after a rotation.
        let key_set = trace.key_set;
        let key = self
            .store
            .authority(key_set, &name, &self.password(&name)?)?;
        let share = key.trace_share_with_rng(&mut rand08::thread_rng(), &tag);
        // The contract verifies the share's DLEQ proof; check it here first for a clear error.
        let gpk = self.store.group_key(key_set)?;
        TraceShare::from_bytes(&share.to_bytes())
            .map_err(|e| anyhow::anyhow!("trace share: {e}"))?
            .verify(&gpk, &tag)
            .map_err(|(e, _)| anyhow::anyhow!("own trace share does not verify: {e}"))?;
        client.run(registry.submit_trace_share(&signer, &gpk, &trace, &tag, &share))
    }

    pub(super) fn trace_show(&self, from: Option<&str>, id: u64) -> Result<TraceShown> {
        let (name, _) = self.config.account(from)?;
        let client = Client::open(self.data_dir, self.config)?;
        let commitment = client
            .run(client.registry()?.trace(id))?
            .with_context(|| format!("there is no trace #{id}"))?
            .commitment
            .with_context(|| format!("trace #{id} is not complete"))?;
        let table = self.store.registrations(name, &self.password(name)?)?;
        let rid = table
            .into_iter()
            .find(|r| r.commitment == commitment.to_string())
            .map(|r| r.rid);
        Ok(TraceShown {
            id,
            commitment,
            rid,
        })
    }

    /// Approves revoking the identity `commitment` (hex) as the `from` authority.
    pub(super) fn revoke(
        &self,
        from: Option<&str>,
        commitment: &str,
        reason: &str,
    ) -> Result<Approval> {
        let commitment = parse::word(commitment, "identity commitment")?;
        let reason = parse::short_text(reason, "reason")?;
        self.approve(from, &Motion::RevokeIdentity { commitment, reason })
    }

    pub(super) fn advance_epoch(&self, from: Option<&str>) -> Result<u64> {
        let (_, signer) = self.signer(from)?;
        let client = Client::open(self.data_dir, self.config)?;
        client.run(client.registry()?.advance_epoch(&signer))
    }
}

/// Refuses a list that names an account twice.
fn distinct(names: &[String], what: &str) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    match names.iter().find(|name| !seen.insert(name.as_str())) {
        Some(twice) => Err(usage(format!("{what} names `{}` twice", cut(twice)))),
        None => Ok(()),
    }
}

/// A fresh DKG session id bound to this chain and registry, so that no dealing of another
/// ceremony or network verifies in this one.
fn dkg_session_id(deployment: &Deployment) -> [u8; 32] {
    let mut nonce = [0u8; 32];
    rand08::RngCore::fill_bytes(&mut rand08::thread_rng(), &mut nonce);
    let mut input = Vec::with_capacity(32 + 20 + 32);
    input
        .extend_from_slice(&alloy::primitives::U256::from(deployment.chain_id).to_be_bytes::<32>());
    input.extend_from_slice(deployment.contracts.identity_registry.as_slice());
    input.extend_from_slice(&nonce);
    alloy::primitives::keccak256(input).0
}

/// Runs every dealer of the DKG in this process (the authorities' accounts live in one data
/// directory) but keeps the authorities' roles apart: each authority decodes and verifies every
/// dealing as broadcast, verifies the shares addressed to it, and computes its own view of the
/// group key and its own secret key. Returns the views (one per authority, in index order) and
/// the secret keys.
fn run_dealers(session: &DkgSession) -> Result<(Vec<GroupPublicKey>, Vec<AuthoritySecretKey>)> {
    let dkg = |e: medshare_identity::DkgError| anyhow::anyhow!("key generation failed: {e}");
    let n = u8::try_from(session.params.authorities()).context("too many authorities")?;
    let dealers = (1..=n)
        .map(|j| Dealer::new_with_rng(&mut rand08::thread_rng(), session, j))
        .collect::<Result<Vec<_>, _>>()
        .map_err(dkg)?;
    let broadcast: Vec<Vec<u8>> = dealers.iter().map(|d| d.dealing().to_bytes()).collect();
    let mut views = Vec::with_capacity(usize::from(n));
    let mut keys = Vec::with_capacity(usize::from(n));
    for i in 1..=n {
        let dealings = broadcast
            .iter()
            .map(|bytes| {
                Dealing::from_bytes(bytes)
                    .map_err(|e| anyhow::anyhow!("dealing: {e}"))?
                    .verify(session)
                    .map_err(|(e, _)| dkg(e))
            })
            .collect::<Result<Vec<_>>>()?;
        let view = GroupPublicKey::from_dealings(session, &dealings).map_err(dkg)?;
        let shares = dealers
            .iter()
            .zip(&dealings)
            .map(|(dealer, dealing)| {
                let sent = dealer.share_for(i).map_err(dkg)?.to_secret_bytes();
                DkgShare::from_secret_bytes(&sent)
                    .map_err(|e| anyhow::anyhow!("share: {e}"))?
                    .verify(dealing)
                    .map_err(|(e, _)| dkg(e))
            })
            .collect::<Result<Vec<_>>>()?;
        keys.push(AuthoritySecretKey::from_dkg(&view, i, &shares).map_err(dkg)?);
        views.push(view);
    }
    Ok((views, keys))
}

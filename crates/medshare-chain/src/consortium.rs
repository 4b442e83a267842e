//! `Consortium`: membership and roles, changed by k-of-n admin approval.

use std::{collections::BTreeSet, fmt, num::NonZeroU64};

use alloy::{
    primitives::{Address, B256, U256},
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
    sol_types::{SolCall, SolEvent},
};
use medshare_contracts::Consortium as Abi;
use serde::Serialize;

use crate::{
    Error, EventQuery, Network, ProposalAction, ProposalStatus, Result, Roles, ShortText,
    network::{decoded, event},
};

/// A change of the consortium; each variant carries exactly the fields its action uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Admit `account` with `roles` under the label `name`.
    AddMember {
        /// The new member.
        account: Address,
        /// Its roles (at least one).
        roles: Roles,
        /// Its institution label.
        name: ShortText,
    },
    /// Remove a member.
    RemoveMember {
        /// The member.
        account: Address,
    },
    /// Replace a member's roles.
    SetRoles {
        /// The member.
        account: Address,
        /// Its new roles (at least one).
        roles: Roles,
    },
    /// Require this many admin approvals from now on.
    SetThreshold(NonZeroU64),
}

impl Change {
    /// The action the contract records for this change.
    pub const fn action(&self) -> ProposalAction {
        match self {
            Self::AddMember { .. } => ProposalAction::AddMember,
            Self::RemoveMember { .. } => ProposalAction::RemoveMember,
            Self::SetRoles { .. } => ProposalAction::SetRoles,
            Self::SetThreshold(_) => ProposalAction::SetThreshold,
        }
    }

    /// The `propose(action, account, value, name)` call that makes this change.
    pub fn to_call(&self) -> Abi::proposeCall {
        let (account, value, name) = match self {
            Self::AddMember {
                account,
                roles,
                name,
            } => (*account, roles.to_u256(), name.to_b256()),
            Self::RemoveMember { account } => (*account, U256::ZERO, B256::ZERO),
            Self::SetRoles { account, roles } => (*account, roles.to_u256(), B256::ZERO),
            Self::SetThreshold(threshold) => {
                (Address::ZERO, U256::from(threshold.get()), B256::ZERO)
            }
        };
        Abi::proposeCall {
            action: self.action().into(),
            account,
            value,
            name,
        }
    }

    /// The change a stored proposal makes, as the contract returned it.
    fn from_proposal(proposal: &medshare_contracts::IConsortium::Proposal) -> Result<Self> {
        let roles = || Roles::try_from(proposal.value).map_err(Error::unexpected);
        Ok(
            match ProposalAction::try_from(proposal.action).map_err(Error::unexpected)? {
                ProposalAction::AddMember => Self::AddMember {
                    account: proposal.account,
                    roles: roles()?,
                    name: ShortText::from_word(proposal.name),
                },
                ProposalAction::RemoveMember => Self::RemoveMember {
                    account: proposal.account,
                },
                ProposalAction::SetRoles => Self::SetRoles {
                    account: proposal.account,
                    roles: roles()?,
                },
                ProposalAction::SetThreshold => Self::SetThreshold(
                    u64::try_from(proposal.value)
                        .ok()
                        .and_then(NonZeroU64::new)
                        .ok_or_else(|| {
                            Error::unexpected(format!("a proposed threshold of {}", proposal.value))
                        })?,
                ),
            },
        )
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AddMember {
                account,
                roles,
                name,
            } => write!(f, "add {account} \"{name}\" with the roles {roles}"),
            Self::RemoveMember { account } => write!(f, "remove {account}"),
            Self::SetRoles { account, roles } => write!(f, "give {account} the roles {roles}"),
            Self::SetThreshold(threshold) => {
                write!(f, "set the approval threshold to {threshold}")
            }
        }
    }
}

impl Serialize for Change {
    /// `{"action": "add", "account": …, "roles": […], "name": …}`, with the fields the action
    /// uses.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("action", &self.action())?;
        match self {
            Self::AddMember {
                account,
                roles,
                name,
            } => {
                map.serialize_entry("account", account)?;
                map.serialize_entry("roles", roles)?;
                map.serialize_entry("name", name)?;
            }
            Self::RemoveMember { account } => map.serialize_entry("account", account)?,
            Self::SetRoles { account, roles } => {
                map.serialize_entry("account", account)?;
                map.serialize_entry("roles", roles)?;
            }
            Self::SetThreshold(threshold) => map.serialize_entry("threshold", threshold)?,
        }
        map.end()
    }
}

/// A proposal as the contract stores it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Proposal {
    /// Its number.
    pub id: u64,
    /// What it changes.
    pub change: Change,
    /// The admin who proposed it.
    pub proposer: Address,
    /// Unix time of its creation (it expires a week later).
    pub created_at: u64,
    /// Admin approvals so far, the proposer's included.
    pub approvals: u32,
    /// Where it stands.
    pub status: ProposalStatus,
}

/// What a proposal or approval transaction did.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProposalOutcome {
    /// The proposal.
    pub id: u64,
    /// Approvals it has now.
    pub approvals: u32,
    /// Approvals it needs.
    pub threshold: u64,
    /// Whether this transaction executed it.
    pub executed: bool,
    /// The transaction.
    pub transaction: B256,
}

/// A current member.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// Its account.
    pub address: Address,
    /// Its institution label.
    pub name: ShortText,
    /// Its roles.
    pub roles: Roles,
    /// Unix time it joined.
    pub joined_at: u64,
}

/// `Consortium` at one address, on any network.
#[derive(Clone, Copy, Debug)]
pub struct Consortium<'a> {
    network: &'a Network,
    address: Address,
    /// First block to search for events (the deployment block).
    from_block: u64,
}

impl<'a> Consortium<'a> {
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

    /// The admin approvals a proposal needs.
    pub async fn threshold(&self) -> Result<u64> {
        self.count(&Abi::thresholdCall {}).await
    }

    /// Number of members.
    pub async fn member_count(&self) -> Result<u64> {
        self.count(&Abi::memberCountCall {}).await
    }

    /// Number of members with the admin role.
    pub async fn admin_count(&self) -> Result<u64> {
        self.count(&Abi::adminCountCall {}).await
    }

    /// Number of proposals ever made.
    pub async fn proposal_count(&self) -> Result<u64> {
        self.count(&Abi::proposalCountCall {}).await
    }

    /// A count the contract keeps in a `uint256` but that never leaves `u64` (it counts
    /// transactions).
    async fn count<C: SolCall<Return = U256>>(&self, call: &C) -> Result<u64> {
        Ok(self.network.call(self.address, call).await?.saturating_to())
    }

    /// Whether `account` holds every role of `roles`.
    pub async fn has_role(&self, account: Address, roles: Roles) -> Result<bool> {
        self.network
            .call(
                self.address,
                &Abi::hasRoleCall {
                    account,
                    role: roles.to_u256(),
                },
            )
            .await
    }

    /// The member `account`, if it is one.
    pub async fn member(&self, account: Address) -> Result<Option<Member>> {
        let member = self
            .network
            .call(self.address, &Abi::memberOfCall { account })
            .await?;
        let roles = Roles::try_from(member.roles).map_err(Error::unexpected)?;
        Ok((!roles.is_empty()).then(|| Member {
            address: account,
            name: ShortText::from_word(member.name),
            roles,
            joined_at: member.joinedAt,
        }))
    }

    /// The current members, in the order they first joined: every account a `MemberAdded` event
    /// names, still a member now.
    pub async fn members(&self) -> Result<Vec<Member>> {
        let logs = self
            .network
            .logs(
                &EventQuery::new(self.address, Abi::MemberAdded::SIGNATURE_HASH)
                    .from_block(self.from_block),
            )
            .await?;
        let mut seen = BTreeSet::new();
        let mut members = Vec::new();
        for added in decoded::<Abi::MemberAdded>(&logs) {
            if seen.insert(added.account) {
                members.extend(self.member(added.account).await?);
            }
        }
        Ok(members)
    }

    /// Proposal `id`, if there is one.
    pub async fn proposal(&self, id: u64) -> Result<Option<Proposal>> {
        let stored = self
            .network
            .call(
                self.address,
                &Abi::proposalCall {
                    proposalId: U256::from(id),
                },
            )
            .await?;
        let status = ProposalStatus::try_from(stored.status).map_err(Error::unexpected)?;
        if status == ProposalStatus::None {
            return Ok(None);
        }
        Ok(Some(Proposal {
            id,
            change: Change::from_proposal(&stored)?,
            proposer: stored.proposer,
            created_at: stored.createdAt,
            approvals: stored.approvals,
            status,
        }))
    }

    /// Proposes `change` from `admin`, whose approval counts as the first. Fails with
    /// [`Error::Reverted`] (before anything is mined) if the contract refuses it.
    pub async fn propose(
        &self,
        admin: &PrivateKeySigner,
        change: &Change,
    ) -> Result<ProposalOutcome> {
        let receipt = self
            .network
            .send(admin, self.address, &change.to_call())
            .await?;
        self.outcome(&receipt).await
    }

    /// Approves proposal `id` from `admin`; the approval that reaches the threshold executes it.
    pub async fn approve(&self, admin: &PrivateKeySigner, id: u64) -> Result<ProposalOutcome> {
        let receipt = self
            .network
            .send(
                admin,
                self.address,
                &Abi::approveCall {
                    proposalId: U256::from(id),
                },
            )
            .await?;
        self.outcome(&receipt).await
    }

    /// Withdraws proposal `id` (its proposer, or any admin once it is stale or expired).
    pub async fn cancel(&self, admin: &PrivateKeySigner, id: u64) -> Result<B256> {
        let receipt = self
            .network
            .send(
                admin,
                self.address,
                &Abi::cancelCall {
                    proposalId: U256::from(id),
                },
            )
            .await?;
        event::<Abi::ProposalCancelled>(&receipt)?;
        Ok(receipt.transaction_hash)
    }

    async fn outcome(&self, receipt: &TransactionReceipt) -> Result<ProposalOutcome> {
        let approved = event::<Abi::ProposalApproved>(receipt)?;
        Ok(ProposalOutcome {
            id: approved.proposalId.saturating_to(),
            approvals: approved.approvals,
            threshold: self.threshold().await?,
            executed: event::<Abi::ProposalExecuted>(receipt).is_ok(),
            transaction: receipt.transaction_hash,
        })
    }
}

//! `medshare consortium`: membership governed by k-of-n admin approval.

use std::collections::BTreeSet;

use alloy::{
    primitives::{Address, B256, U256},
    signers::local::PrivateKeySigner,
    sol_types::SolEvent,
};
use anyhow::{Context, Result, bail};
use medshare_contracts::{Consortium, action, proposal_status, roles};
use medshare_evm::{LogFilter, Receipt};
use serde::Serialize;

use super::init::{display_name, institution_name};
use crate::{
    args::{ConsortiumCommand, GlobalArgs, ProposalAction, ProposeArgs},
    client::{Client, first_event},
    datadir::{Config, DataDir},
    keystore,
    output::{Printer, cut, plural, usage, utc},
    parse,
};

/// A current member, as listed by `consortium members`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MemberView {
    address: Address,
    name: String,
    roles: Vec<&'static str>,
    joined_at: u64,
}

/// What a proposal or approval transaction did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ProposalOutcome {
    pub(super) id: u64,
    pub(super) approvals: u32,
    pub(super) threshold: u64,
    pub(super) executed: bool,
    pub(super) transaction: B256,
}

impl ProposalOutcome {
    pub(super) fn describe(&self) -> String {
        if self.executed {
            format!(
                "proposal #{} executed ({})",
                self.id,
                plural(self.approvals, "approval")
            )
        } else {
            format!(
                "proposal #{} pending: {} of {}",
                self.id,
                self.approvals,
                plural(self.threshold, "approval")
            )
        }
    }
}

/// A change to propose, validated off-chain before anything is signed.
#[derive(Debug, Clone, Copy)]
pub(super) struct Change {
    pub(super) action: ProposalAction,
    pub(super) account: Address,
    pub(super) value: U256,
    pub(super) name: B256,
}

impl Change {
    fn parse(args: &ProposeArgs) -> Result<Self> {
        let roles = args
            .roles
            .as_deref()
            .map(roles::parse)
            .transpose()
            .map_err(usage)?;
        if roles == Some(U256::ZERO) {
            return Err(usage(
                "--roles names no role; give at least one, e.g. --roles hospital",
            ));
        }
        let address = || parse::address(&args.target, "member address");
        let need_roles = || {
            roles.ok_or_else(|| usage("--roles is required for this action, e.g. --roles hospital"))
        };
        let (account, value) = match args.action {
            ProposalAction::Add | ProposalAction::SetRoles => (address()?, need_roles()?),
            ProposalAction::Remove => (address()?, U256::ZERO),
            ProposalAction::SetThreshold => {
                let threshold = args
                    .target
                    .parse::<u64>()
                    .ok()
                    .filter(|t| *t > 0)
                    .ok_or_else(|| {
                        usage(format!(
                            "`{}` is not a threshold (a positive number)",
                            cut(&args.target)
                        ))
                    })?;
                (Address::ZERO, U256::from(threshold))
            }
        };
        if roles.is_some()
            && matches!(
                args.action,
                ProposalAction::Remove | ProposalAction::SetThreshold
            )
        {
            return Err(usage("--roles does not apply to this action"));
        }
        if !args.name.is_empty() && args.action != ProposalAction::Add {
            return Err(usage("--name applies only to `add`"));
        }
        Ok(Self {
            action: args.action,
            account,
            value,
            name: institution_name(&args.name)?,
        })
    }

    pub(super) const fn add(account: Address, roles: U256, name: B256) -> Self {
        Self {
            action: ProposalAction::Add,
            account,
            value: roles,
            name,
        }
    }

    pub(super) fn threshold(threshold: u64) -> Self {
        Self {
            action: ProposalAction::SetThreshold,
            account: Address::ZERO,
            value: U256::from(threshold),
            name: B256::ZERO,
        }
    }

    const fn action(self) -> u8 {
        match self.action {
            ProposalAction::Add => action::ADD_MEMBER,
            ProposalAction::Remove => action::REMOVE_MEMBER,
            ProposalAction::SetRoles => action::SET_ROLES,
            ProposalAction::SetThreshold => action::SET_THRESHOLD,
        }
    }
}

pub(super) fn run(global: &GlobalArgs, cmd: ConsortiumCommand, printer: &Printer) -> Result<()> {
    let data_dir = super::data_dir(global)?;
    let config = data_dir.config()?;
    match cmd {
        ConsortiumCommand::Members => {
            let client = Client::open(&data_dir, &config)?;
            let members = members(&client, &config)?;
            let essential: String = members.iter().map(|m| format!("{}\n", m.address)).collect();
            printer.result(&members, || render_members(&members), essential);
        }
        ConsortiumCommand::Propose(args) => {
            let change = Change::parse(&args)?;
            let signer = unlock(&data_dir, &config, global.from.as_deref())?;
            let mut client = Client::open(&data_dir, &config)?;
            let outcome = propose(&mut client, &config, &signer, change)?;
            printer.result(&outcome, || outcome.describe(), outcome.id);
        }
        ConsortiumCommand::Approve { id } => {
            let signer = unlock(&data_dir, &config, global.from.as_deref())?;
            let mut client = Client::open(&data_dir, &config)?;
            let outcome = approve(&mut client, &config, &signer, id)?;
            printer.result(&outcome, || outcome.describe(), outcome.approvals);
        }
        ConsortiumCommand::Cancel { id } => {
            let signer = unlock(&data_dir, &config, global.from.as_deref())?;
            let mut client = Client::open(&data_dir, &config)?;
            let receipt = client.send(
                &signer,
                config.contracts.consortium,
                &Consortium::cancelCall {
                    proposalId: U256::from(id),
                },
            )?;
            printer.result(
                &serde_json::json!({ "id": id, "cancelled": true, "transaction": receipt.transaction_hash }),
                || format!("proposal #{id} cancelled"),
                id,
            );
        }
        ConsortiumCommand::Proposal { id } => {
            let client = Client::open(&data_dir, &config)?;
            let proposal = client.call(
                config.contracts.consortium,
                &Consortium::proposalCall {
                    proposalId: U256::from(id),
                },
            )?;
            if proposal.status == proposal_status::NONE {
                bail!("there is no proposal #{id}");
            }
            let change = match proposal.action {
                action::SET_THRESHOLD => {
                    format!("set the approval threshold to {}", proposal.value)
                }
                action::REMOVE_MEMBER => format!("remove {}", proposal.account),
                action::SET_ROLES => format!(
                    "give {} the roles {}",
                    proposal.account,
                    roles::describe(proposal.value)
                ),
                _ => format!(
                    "add {} \"{}\" with the roles {}",
                    proposal.account,
                    display_name(proposal.name),
                    roles::describe(proposal.value)
                ),
            };
            let mut view = serde_json::json!({
                "id": id,
                "action": action_name(proposal.action),
                "account": proposal.account,
                "name": display_name(proposal.name),
                "proposer": proposal.proposer,
                "createdAt": proposal.createdAt,
                "approvals": proposal.approvals,
                "status": status_name(proposal.status),
            });
            if proposal.action == action::SET_THRESHOLD {
                view["threshold"] = proposal.value.saturating_to::<u64>().into();
            } else if proposal.action != action::REMOVE_MEMBER {
                view["roles"] = roles::names(proposal.value).into();
            }
            let status = status_name(proposal.status);
            printer.result(
                &view,
                || {
                    format!(
                        "proposal #{id}: {change}\n  proposer  {}\n  created   {}\n  status    {status} with {}\n",
                        proposal.proposer,
                        utc(proposal.createdAt),
                        plural(proposal.approvals, "approval"),
                    )
                },
                status,
            );
        }
    }
    Ok(())
}

/// Decrypts the signing account (`--from`, else the default account).
pub(super) fn unlock(
    data_dir: &DataDir,
    config: &Config,
    from: Option<&str>,
) -> Result<PrivateKeySigner> {
    let (name, _) = config.account(from)?;
    let password = keystore::password(name)?;
    data_dir.unlock(config, name, &password)
}

pub(super) fn propose(
    client: &mut Client,
    config: &Config,
    signer: &PrivateKeySigner,
    change: Change,
) -> Result<ProposalOutcome> {
    let call = Consortium::proposeCall {
        action: change.action(),
        account: change.account,
        value: change.value,
        name: change.name,
    };
    let receipt = client.send(signer, config.contracts.consortium, &call)?;
    outcome(client, config, &receipt)
}

pub(super) fn approve(
    client: &mut Client,
    config: &Config,
    signer: &PrivateKeySigner,
    id: u64,
) -> Result<ProposalOutcome> {
    let receipt = client.send(
        signer,
        config.contracts.consortium,
        &Consortium::approveCall {
            proposalId: U256::from(id),
        },
    )?;
    outcome(client, config, &receipt)
}

/// Reads a proposal's state from the events of the transaction that approved it.
fn outcome(client: &Client, config: &Config, receipt: &Receipt) -> Result<ProposalOutcome> {
    let approved: Consortium::ProposalApproved =
        first_event(&receipt.logs).context("the transaction emitted no ProposalApproved event")?;
    let executed = first_event::<Consortium::ProposalExecuted>(&receipt.logs).is_some();
    Ok(ProposalOutcome {
        id: approved.proposalId.saturating_to(),
        approvals: approved.approvals,
        threshold: client
            .call(config.contracts.consortium, &Consortium::thresholdCall {})?
            .saturating_to(),
        executed,
        transaction: receipt.transaction_hash,
    })
}

/// Current members: every account ever added (from `MemberAdded` logs) that is still a member.
pub(super) fn members(client: &Client, config: &Config) -> Result<Vec<MemberView>> {
    let consortium = config.contracts.consortium;
    let filter = LogFilter::address(consortium).event(Consortium::MemberAdded::SIGNATURE_HASH);
    let mut seen = BTreeSet::new();
    let mut members = Vec::new();
    for log in client.logs(&filter)? {
        let Some(account) = log.topics.get(1).map(|t| Address::from_word(*t)) else {
            continue;
        };
        if !seen.insert(account) {
            continue;
        }
        let member = client.call(consortium, &Consortium::memberOfCall { account })?;
        if member.roles != U256::ZERO {
            members.push(MemberView {
                address: account,
                name: display_name(member.name),
                roles: roles::names(member.roles),
                joined_at: member.joinedAt,
            });
        }
    }
    Ok(members)
}

pub(super) fn render_members(members: &[MemberView]) -> String {
    let mut text = format!("{}\n", plural(members.len() as u64, "member"));
    text.push_str(&format!("{:<42}  {:<32}  {}\n", "address", "name", "roles"));
    for member in members {
        text.push_str(&format!(
            "{:<42}  {:<32}  {}\n",
            member.address,
            member.name,
            member.roles.join(",")
        ));
    }
    text
}

fn action_name(action: u8) -> &'static str {
    match action {
        action::ADD_MEMBER => "add",
        action::REMOVE_MEMBER => "remove",
        action::SET_ROLES => "set-roles",
        action::SET_THRESHOLD => "set-threshold",
        _ => "unknown",
    }
}

fn status_name(status: u8) -> &'static str {
    match status {
        proposal_status::PENDING => "pending",
        proposal_status::EXECUTED => "executed",
        proposal_status::CANCELLED => "cancelled",
        _ => "none",
    }
}

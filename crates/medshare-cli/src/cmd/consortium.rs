//! `medshare consortium`: membership governed by k-of-n admin approval.

use std::num::NonZeroU64;

use alloy::signers::local::PrivateKeySigner;
use anyhow::{Result, bail};
use medshare_chain::{Change, Member, ProposalOutcome};

use crate::{
    args::{ConsortiumCommand, GlobalArgs, ProposalAction, ProposeArgs},
    client::Client,
    datadir::{Config, DataDir},
    keystore,
    output::{Printer, cut, plural, usage, utc},
    parse,
};

/// `proposal #3 executed (2 approvals)` / `proposal #3 pending: 1 of 2 approvals`.
pub(super) fn describe(outcome: &ProposalOutcome) -> String {
    if outcome.executed {
        format!(
            "proposal #{} executed ({})",
            outcome.id,
            plural(outcome.approvals, "approval")
        )
    } else {
        format!(
            "proposal #{} pending: {} of {}",
            outcome.id,
            outcome.approvals,
            plural(outcome.threshold, "approval")
        )
    }
}

/// The change `args` ask for, checked before anything is signed.
fn change(args: &ProposeArgs) -> Result<Change> {
    let roles = args
        .roles
        .as_deref()
        .map(|list| parse::roles(list, "--roles"))
        .transpose()?;
    let account = || parse::address(&args.target, "member address");
    let need_roles =
        || roles.ok_or_else(|| usage("--roles is required for this action, e.g. --roles hospital"));
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
    Ok(match args.action {
        ProposalAction::Add => Change::AddMember {
            account: account()?,
            roles: need_roles()?,
            name: parse::short_text(&args.name, "institution name")?,
        },
        ProposalAction::Remove => Change::RemoveMember {
            account: account()?,
        },
        ProposalAction::SetRoles => Change::SetRoles {
            account: account()?,
            roles: need_roles()?,
        },
        ProposalAction::SetThreshold => {
            Change::SetThreshold(args.target.parse::<NonZeroU64>().map_err(|_| {
                usage(format!(
                    "`{}` is not a threshold (a positive number)",
                    cut(&args.target)
                ))
            })?)
        }
    })
}

pub(super) fn run(global: &GlobalArgs, cmd: ConsortiumCommand, printer: &Printer) -> Result<()> {
    let data_dir = super::data_dir(global)?;
    let config = super::config(global, &data_dir)?;
    match cmd {
        ConsortiumCommand::Members => {
            let client = Client::open(&data_dir, &config)?;
            let members = client.run(client.consortium()?.members())?;
            let essential: String = members.iter().map(|m| format!("{}\n", m.address)).collect();
            printer.result(&members, || render_members(&members), essential);
        }
        ConsortiumCommand::Propose(args) => {
            let change = change(&args)?;
            let signer = unlock(&data_dir, &config, global.from.as_deref())?;
            let client = Client::open(&data_dir, &config)?;
            let outcome = client.run(client.consortium()?.propose(&signer, &change))?;
            printer.result(&outcome, || describe(&outcome), outcome.id);
        }
        ConsortiumCommand::Approve { id } => {
            let signer = unlock(&data_dir, &config, global.from.as_deref())?;
            let client = Client::open(&data_dir, &config)?;
            let outcome = client.run(client.consortium()?.approve(&signer, id))?;
            printer.result(&outcome, || describe(&outcome), outcome.approvals);
        }
        ConsortiumCommand::Cancel { id } => {
            let signer = unlock(&data_dir, &config, global.from.as_deref())?;
            let client = Client::open(&data_dir, &config)?;
            let transaction = client.run(client.consortium()?.cancel(&signer, id))?;
            printer.result(
                &serde_json::json!({ "id": id, "cancelled": true, "transaction": transaction }),
                || format!("proposal #{id} cancelled"),
                id,
            );
        }
        ConsortiumCommand::Proposal { id } => {
            let client = Client::open(&data_dir, &config)?;
            let Some(proposal) = client.run(client.consortium()?.proposal(id))? else {
                bail!("there is no proposal #{id}");
            };
            printer.result(
                &proposal,
                || {
                    format!(
                        "proposal #{id}: {}\n  proposer  {}\n  created   {}\n  status    {} with {}\n",
                        proposal.change,
                        proposal.proposer,
                        utc(proposal.created_at),
                        proposal.status,
                        plural(proposal.approvals, "approval"),
                    )
                },
                proposal.status,
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

pub(super) fn render_members(members: &[Member]) -> String {
    let mut text = format!("{}\n", plural(members.len() as u64, "member"));
    text.push_str(&format!("{:<42}  {:<32}  {}\n", "address", "name", "roles"));
    for member in members {
        text.push_str(&format!(
            "{:<42}  {:<32}  {}\n",
            member.address,
            member.name.to_string(),
            member.roles
        ));
    }
    text
}

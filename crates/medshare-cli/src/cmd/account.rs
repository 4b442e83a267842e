//! `medshare account`: keystores in the data directory.

use alloy::signers::local::PrivateKeySigner;
use anyhow::{Context, Result};
use serde::Serialize;

use crate::{
    args::{AccountCommand, GlobalArgs},
    datadir::{Lock, new_account_file},
    keystore::{self, Kdf},
    output::{Printer, plural},
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountView<'a> {
    name: &'a str,
    address: alloy::primitives::Address,
    default: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DamagedView<'a> {
    name: &'a str,
    problem: &'a str,
}

pub(super) fn run(
    global: &GlobalArgs,
    cmd: AccountCommand,
    printer: &Printer,
    lock: Option<&Lock>,
) -> Result<()> {
    let data_dir = super::data_dir(global)?;
    let config = super::config(global, &data_dir)?;
    match cmd {
        AccountCommand::New { name, light_kdf } => {
            keystore::validate_name(&name)?;
            let lock = lock.context("account new runs under the data directory's lock")?;
            let password = keystore::new_password(&name)?;
            let kdf = if light_kdf { Kdf::Light } else { config.kdf };
            let signer = PrivateKeySigner::random();
            let file = new_account_file(&signer, &password, kdf)?;
            let mut txn = lock.transaction();
            data_dir.stage_account(&mut txn, &name, &file)?;
            txn.commit()?;
            let address = signer.address();
            printer.result(
                &serde_json::json!({ "name": name, "address": address }),
                || format!("created account {name} {address}"),
                address,
            );
        }
        AccountCommand::List => {
            let accounts: Vec<AccountView<'_>> = config
                .accounts
                .iter()
                .map(|(name, address)| AccountView {
                    name,
                    address: *address,
                    default: *name == config.default_account,
                })
                .collect();
            let damaged: Vec<DamagedView<'_>> = config
                .damaged_accounts
                .iter()
                .map(|(name, problem)| DamagedView { name, problem })
                .collect();
            let essential: String = accounts
                .iter()
                .map(|a| format!("{}\n", a.address))
                .collect();
            printer.result(
                &serde_json::json!({ "accounts": accounts, "damaged": damaged }),
                || {
                    let mut text = format!("{}\n", plural(accounts.len() as u64, "account"));
                    for account in &accounts {
                        let marker = if account.default { " (default)" } else { "" };
                        text.push_str(&format!(
                            "  {:<20} {}{marker}\n",
                            account.name, account.address
                        ));
                    }
                    for damaged in &damaged {
                        text.push_str(&format!(
                            "  {:<20} DAMAGED: {}\n",
                            damaged.name, damaged.problem
                        ));
                    }
                    text
                },
                essential,
            );
        }
        AccountCommand::Address { name } => {
            let (name, address) = config.account(name.as_deref())?;
            printer.result(
                &serde_json::json!({ "name": name, "address": address }),
                || address.to_string(),
                address,
            );
        }
    }
    Ok(())
}

//! `medshare account`: keystores in the data directory.

use std::collections::BTreeMap;

use alloy::primitives::Address;
use anyhow::Result;

use crate::{
    args::{AccountCommand, GlobalArgs},
    keystore,
    output::Printer,
};

pub(super) fn run(global: &GlobalArgs, cmd: AccountCommand, printer: &Printer) -> Result<()> {
    let data_dir = super::data_dir(global)?;
    let mut config = data_dir.config()?;
    match cmd {
        AccountCommand::New { name } => {
            keystore::validate_name(&name)?;
            if config.accounts.contains_key(&name) {
                anyhow::bail!("account `{name}` already exists");
            }
            let password = keystore::password(&name, true)?;
            let address = keystore::create(&data_dir.keystore_dir(), &name, &password)?.address();
            config.accounts.insert(name.clone(), address);
            data_dir.save_config(&config)?;
            printer.result(
                &serde_json::json!({ "name": name, "address": address }),
                || format!("created account {name} {address}"),
            );
        }
        AccountCommand::List => {
            let accounts: &BTreeMap<String, Address> = &config.accounts;
            printer.result(accounts, || {
                accounts
                    .iter()
                    .map(|(name, address)| {
                        let marker = if *name == config.default_account {
                            " (default)"
                        } else {
                            ""
                        };
                        format!("{name:<20} {address}{marker}\n")
                    })
                    .collect()
            });
        }
        AccountCommand::Address { name } => {
            let (name, address) = config.account(name.as_deref())?;
            printer.value(
                &serde_json::json!({ "name": name, "address": address }),
                address,
            );
        }
    }
    Ok(())
}

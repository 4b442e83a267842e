//! `medshare init`: a data directory with an account and, on the embedded network, a chain.

use std::{fs, path::Path};

use alloy::{
    primitives::{Address, B256, U256, utils::parse_ether},
    signers::local::PrivateKeySigner,
};
use anyhow::{Context, Result, bail};
use medshare_contracts::{Consortium, IdentityRegistry, deploy_code};
use medshare_evm::{Chain, Genesis};
use serde::Serialize;

use crate::{
    args::{GlobalArgs, InitArgs, Network},
    client::Client,
    datadir::{Config, Contracts, DataDir, create_private_dir, new_account_file, write_atomically},
    keystore::{self, Kdf},
    output::{Printer, cut, usage},
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InitReport<'a> {
    data_dir: &'a Path,
    network: &'a str,
    chain_id: u64,
    account: &'a str,
    address: Address,
    consortium: Address,
}

/// The `IdentityRegistry` constructor's settings, fixed at deployment.
#[derive(Clone, Copy, Debug)]
pub(super) struct RegistrySettings {
    /// `minEpochDuration`, in seconds.
    pub(super) epoch_duration: u64,
    /// `minThreshold`: the smallest `t` of a key set.
    pub(super) min_threshold: u8,
    /// `minAuthorities`: the smallest `n` of a key set.
    pub(super) min_authorities: u8,
}

pub(super) fn run(global: &GlobalArgs, args: &InitArgs, printer: &Printer) -> Result<()> {
    let data_dir = super::data_dir(global)?;
    keystore::validate_name(&args.account)?;
    let name = institution_name(&args.name)?;
    if args.min_threshold > args.min_authorities {
        return Err(usage(format!(
            "--min-threshold {} is larger than --min-authorities {}: no key set could have both",
            args.min_threshold, args.min_authorities
        )));
    }
    check_free(data_dir.root())?;
    let password = keystore::new_password(&args.account)?;
    let kdf = if args.light_kdf {
        Kdf::Light
    } else {
        Kdf::Standard
    };
    let (config, address) = initialise(
        &data_dir,
        global.network,
        &args.account,
        name,
        &password,
        kdf,
        RegistrySettings {
            epoch_duration: args.epoch_duration,
            min_threshold: args.min_threshold,
            min_authorities: args.min_authorities,
        },
    )?;
    printer.result(
        &InitReport {
            data_dir: data_dir.root(),
            network: &config.network,
            chain_id: config.chain_id,
            account: &config.default_account,
            address,
            consortium: config.contracts.consortium,
        },
        || {
            format!(
                "initialised {}\n  network     {} (chain id {})\n  account     {} {}\n  consortium  {}\n",
                data_dir.root().display(),
                config.network,
                config.chain_id,
                config.default_account,
                address,
                config.contracts.consortium,
            )
        },
        address,
    );
    Ok(())
}

/// Fails unless `root` is absent or an empty directory.
pub(super) fn check_free(root: &Path) -> Result<()> {
    if root.join("config.json").exists() {
        bail!("{} is already initialised", root.display());
    }
    if root.exists() {
        let empty = fs::read_dir(root)
            .with_context(|| format!("reading {}", root.display()))?
            .next()
            .is_none();
        if !empty {
            bail!(
                "{} exists and is not empty; choose another --data-dir",
                root.display()
            );
        }
    }
    Ok(())
}

/// Builds the data directory in a staging directory beside it and renames it into place, so an
/// interrupted `init` leaves nothing half-made under the real name.
pub(super) fn initialise(
    data_dir: &DataDir,
    network: Network,
    account: &str,
    institution: B256,
    password: &str,
    kdf: Kdf,
    registry: RegistrySettings,
) -> Result<(Config, Address)> {
    let root = data_dir.root();
    let staging = staging_dir(root)?;
    if let Some(parent) = staging.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    let built = build(
        &DataDir::at(staging.clone()),
        network,
        account,
        institution,
        password,
        kdf,
        registry,
    );
    let built = match built {
        Ok(config) => config,
        Err(err) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(err);
        }
    };
    if root.exists() {
        // check_free made sure it is empty.
        fs::remove_dir(root).with_context(|| format!("replacing {}", root.display()))?;
    }
    fs::rename(&staging, root)
        .with_context(|| format!("moving the new data into {}", root.display()))?;
    Ok(built)
}

/// Where `init` builds the data directory `root` before renaming it into place:
/// `.NAME.init-PID` beside it.
pub(super) fn staging_dir(root: &Path) -> Result<std::path::PathBuf> {
    let parent = match root.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let leaf = root
        .file_name()
        .context("the data directory needs a name")?
        .to_string_lossy();
    Ok(parent.join(format!(".{leaf}.init-{}", std::process::id())))
}

fn build(
    data_dir: &DataDir,
    network: Network,
    account: &str,
    institution: B256,
    password: &str,
    kdf: Kdf,
    registry: RegistrySettings,
) -> Result<(Config, Address)> {
    create_private_dir(data_dir.root())?;
    // Created here so that a read-only copy of the directory can still be locked for reading.
    write_atomically(&data_dir.root().join(".lock"), b"", 0o644)?;
    let signer = PrivateKeySigner::random();
    create_private_dir(&data_dir.keystore_dir())?;
    write_atomically(
        &data_dir.keystore_dir().join(format!("{account}.json")),
        &new_account_file(&signer, password, kdf)?,
        0o600,
    )?;
    let address = signer.address();
    let (chain_id, contracts) = match network {
        Network::Embedded => {
            // Gas is free on the consortium chain; the balance only pays for value transfers.
            let genesis = Genesis::starting_now().fund(address, parse_ether("1000000")?);
            let chain =
                Chain::create(data_dir.chain_dir(), genesis).context("creating the chain")?;
            let chain_id = chain.chain_id();
            let mut client = Client::from_chain(chain)?;
            let consortium = client
                .deploy(
                    &signer,
                    deploy_code(
                        &Consortium::BYTECODE,
                        &Consortium::constructorCall {
                            initialAdmins: vec![address],
                            names: vec![institution],
                            initialThreshold: U256::from(1),
                        },
                    ),
                )
                .context("deploying Consortium")?;
            let identity_registry = client
                .deploy(
                    &signer,
                    deploy_code(
                        &IdentityRegistry::BYTECODE,
                        &IdentityRegistry::constructorCall {
                            consortium_: consortium,
                            minEpochDuration_: registry.epoch_duration,
                            minThreshold_: registry.min_threshold,
                            minAuthorities_: registry.min_authorities,
                        },
                    ),
                )
                .context("deploying IdentityRegistry")?;
            (
                chain_id,
                Contracts {
                    consortium,
                    identity_registry,
                },
            )
        }
    };
    let config = Config::new(
        "embedded".into(),
        chain_id,
        account.to_string(),
        contracts,
        kdf,
    );
    let mut text = serde_json::to_string_pretty(&config)?;
    text.push('\n');
    write_atomically(&data_dir.root().join("config.json"), text.as_bytes(), 0o644)?;
    Ok((config, address))
}

/// An institution name as the contract stores it: UTF-8, zero-padded to 32 bytes.
pub(super) fn institution_name(name: &str) -> Result<B256> {
    short_text(name, "institution name")
}

/// Longest short text (institution name, reason): one `bytes32` on chain.
pub(crate) const SHORT_TEXT_MAX_BYTES: usize = 32;

/// Short text (a name, a reason) as a `bytes32`: UTF-8 without control characters, zero-padded;
/// `what` names it in errors.
pub(crate) fn short_text(text: &str, what: &str) -> Result<B256> {
    if text.chars().any(char::is_control) {
        return Err(usage(format!(
            "the {what} `{}` contains control characters (newlines, tabs or terminal escapes); use plain text",
            cut(text)
        )));
    }
    if text.len() > SHORT_TEXT_MAX_BYTES {
        return Err(usage(format!(
            "the {what} `{}` is {} bytes long; at most {SHORT_TEXT_MAX_BYTES} bytes fit on chain",
            cut(text),
            text.len()
        )));
    }
    let mut bytes = [0u8; 32];
    bytes[..text.len()].copy_from_slice(text.as_bytes());
    Ok(B256::from(bytes))
}

/// The inverse of [`institution_name`]; control characters stored by other tools are escaped,
/// so that a name never drives the terminal.
pub(super) fn display_name(name: B256) -> String {
    let end = name.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    String::from_utf8_lossy(&name[..end])
        .chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

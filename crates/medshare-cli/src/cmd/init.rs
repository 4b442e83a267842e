//! `medshare init`: a data directory with an account and, on the embedded network, a chain.

use std::{fs, path::Path};

use alloy::{
    primitives::{Address, utils::parse_ether},
    signers::local::PrivateKeySigner,
};
use anyhow::{Context, Result, bail};
use medshare_chain::{Deployment, ShortText, SuiteSettings};
use medshare_evm::{Chain, Genesis};
use serde::Serialize;

use super::{deploy::read_record, network::checked_profile};
use crate::{
    args::{GlobalArgs, InitArgs, SuiteArgs},
    client::Client,
    datadir::{
        Config, DataDir, EMBEDDED, Profile, create_private_dir, new_account_file, write_atomically,
    },
    keystore::{self, Kdf},
    output::{Printer, usage},
    parse,
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InitReport<'a> {
    data_dir: &'a Path,
    network: &'a str,
    chain_id: Option<u64>,
    account: &'a str,
    address: Address,
    consortium: Option<Address>,
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

/// Where a new data directory's chain is.
pub(super) enum Joining {
    /// A new chain in the data directory, with the suite deployed by the new account as the
    /// only admin under the institution name `institution`.
    Embedded {
        institution: ShortText,
        registry: RegistrySettings,
    },
    /// A network reached over JSON-RPC, its profile checked on the chain.
    Network { name: String, profile: Profile },
}

/// The suite `args` describe, bootstrapped by `admin`; checked before anything is deployed.
pub(super) fn suite_settings(args: &SuiteArgs, admin: Address) -> Result<SuiteSettings> {
    let name = parse::short_text(&args.name, "institution name")?;
    if args.min_threshold > args.min_authorities {
        return Err(usage(format!(
            "--min-threshold {} is larger than --min-authorities {}: no key set could have both",
            args.min_threshold, args.min_authorities
        )));
    }
    Ok(SuiteSettings {
        admins: vec![(admin, name)],
        threshold: 1,
        epoch_duration: args.epoch_duration,
        min_threshold: args.min_threshold,
        min_authorities: args.min_authorities,
    })
}

pub(super) fn run(global: &GlobalArgs, args: &InitArgs, printer: &Printer) -> Result<()> {
    let data_dir = super::data_dir(global)?;
    keystore::validate_name(&args.account)?;
    let network = global.network.as_deref().unwrap_or(EMBEDDED);
    check_free(data_dir.root())?;
    // Everything on the chain is checked before the password is asked for.
    let joining = if network == EMBEDDED {
        if args.addresses.is_some() || args.endpoint.rpc_url.is_some() {
            return Err(usage(
                "--addresses and --rpc-url join a chain reached over JSON-RPC: name it with --network NAME",
            ));
        }
        let suite = suite_settings(&args.suite, Address::ZERO)?;
        Joining::Embedded {
            institution: suite.admins[0].1,
            registry: RegistrySettings {
                epoch_duration: suite.epoch_duration,
                min_threshold: suite.min_threshold,
                min_authorities: suite.min_authorities,
            },
        }
    } else {
        super::network::validate_name(network)?;
        let deployment = match &args.addresses {
            Some(path) => Some(
                read_record(path)?.with_context(|| format!("{} does not exist", path.display()))?,
            ),
            None => None,
        };
        let profile =
            checked_profile(network, &args.endpoint, deployment).context("checking the network")?;
        Joining::Network {
            name: network.to_string(),
            profile,
        }
    };
    let password = keystore::new_password(&args.account)?;
    let kdf = if args.light_kdf {
        Kdf::Light
    } else {
        Kdf::Standard
    };
    let (config, address) = initialise(&data_dir, &args.account, &password, kdf, joining)?;
    let (name, profile) = config.network();
    let consortium = profile.deployment.map(|d| d.contracts.consortium);
    printer.result(
        &InitReport {
            data_dir: data_dir.root(),
            network: name,
            chain_id: profile.chain_id,
            account: &config.default_account,
            address,
            consortium,
        },
        || {
            format!(
                "initialised {}\n  network     {name} ({}, chain id {})\n  account     {} {}\n  consortium  {}\n",
                data_dir.root().display(),
                profile.rpc_url.as_deref().unwrap_or("embedded in the data directory"),
                profile.chain_id.unwrap_or_default(),
                config.default_account,
                address,
                consortium.map_or_else(
                    || format!("not deployed yet: run `medshare deploy --network {name}`"),
                    |c| c.to_string()
                ),
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
    account: &str,
    password: &str,
    kdf: Kdf,
    joining: Joining,
) -> Result<(Config, Address)> {
    let root = data_dir.root();
    let staging = staging_dir(root)?;
    if let Some(parent) = staging.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    let built = build(
        &DataDir::at(staging.clone()),
        account,
        password,
        kdf,
        joining,
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
    account: &str,
    password: &str,
    kdf: Kdf,
    joining: Joining,
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
    let (name, profile) = match joining {
        Joining::Embedded {
            institution,
            registry,
        } => {
            // Gas is free on the consortium chain; the balance only pays for value transfers.
            let genesis = Genesis::starting_now().fund(address, parse_ether("1000000")?);
            let chain =
                Chain::create(data_dir.chain_dir(), genesis).context("creating the chain")?;
            let client = Client::from_chain(chain)?;
            let deployment = client
                .run(Deployment::deploy(
                    client.network(),
                    &signer,
                    &SuiteSettings {
                        admins: vec![(address, institution)],
                        threshold: 1,
                        epoch_duration: registry.epoch_duration,
                        min_threshold: registry.min_threshold,
                        min_authorities: registry.min_authorities,
                    },
                ))
                .context("deploying the contracts")?;
            (EMBEDDED.to_string(), Profile::embedded(deployment))
        }
        Joining::Network { name, profile } => (name, profile),
    };
    let config = Config::new(account.to_string(), kdf, name, profile);
    write_atomically(&data_dir.config_path(), &config.to_file()?, 0o644)?;
    Ok((config, address))
}

//! `medshare network`: the profiles of the networks a data directory reaches.

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::{
    args::{EndpointArgs, GlobalArgs, NetworkCommand},
    client::Client,
    datadir::{Config, DataDir, EMBEDDED, LOCAL, LOCAL_RPC_URL, Lock, Profile},
    keystore,
    output::{Printer, usage},
};

/// A profile as `network list` and `network show` print it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed<'a> {
    name: &'a str,
    default: bool,
    #[serde(flatten)]
    profile: &'a Profile,
}

pub(super) fn run(
    global: &GlobalArgs,
    cmd: NetworkCommand,
    printer: &Printer,
    lock: Option<&Lock>,
) -> Result<()> {
    let data_dir = super::data_dir(global)?;
    let mut config = data_dir.config()?;
    match cmd {
        NetworkCommand::Add { name, endpoint } => {
            validate_name(&name)?;
            if name == EMBEDDED {
                return Err(usage(
                    "`embedded` is the chain kept in the data directory; give the network another name",
                ));
            }
            if config.networks.contains_key(&name) {
                return Err(usage(format!(
                    "network `{name}` exists already; `medshare network remove {name}` first to change it"
                )));
            }
            let profile = checked_profile(&name, &endpoint, None)?;
            config.networks.insert(name.clone(), profile.clone());
            save(&data_dir, &config, lock)?;
            printer.result(
                &Listed {
                    name: &name,
                    default: false,
                    profile: &profile,
                },
                || {
                    format!(
                        "added network `{name}`: {} (chain id {}); use it with --network {name}\n",
                        profile.rpc_url.as_deref().unwrap_or_default(),
                        profile.chain_id.unwrap_or_default()
                    )
                },
                &name,
            );
        }
        NetworkCommand::List => {
            let listed: Vec<Listed<'_>> = config
                .networks
                .iter()
                .map(|(name, profile)| Listed {
                    name,
                    default: *name == config.default_network,
                    profile,
                })
                .collect();
            let essential: String = listed.iter().map(|l| format!("{}\n", l.name)).collect();
            printer.result(&listed, || render_list(&listed), essential);
        }
        NetworkCommand::Show { name } => {
            config.select(name.as_deref().or(global.network.as_deref()))?;
            let (name, profile) = config.network();
            let shown = Listed {
                name,
                default: name == config.default_network,
                profile: &profile,
            };
            printer.result(&shown, || render_profile(&shown), name);
        }
        NetworkCommand::Remove { name } => {
            if !config.networks.contains_key(&name) {
                return Err(usage(format!(
                    "no network named `{name}` in this data directory"
                )));
            }
            if name == EMBEDDED {
                bail!(
                    "the `embedded` profile describes the chain kept in {}; it cannot be removed",
                    data_dir.root().display()
                );
            }
            if name == config.default_network {
                bail!(
                    "network `{name}` is this data directory's default network (the one `init` set up); it cannot be removed"
                );
            }
            config.networks.remove(&name);
            save(&data_dir, &config, lock)?;
            printer.result(
                &serde_json::json!({ "name": name, "removed": true }),
                || format!("removed network `{name}` (nothing on its chain changed)\n"),
                &name,
            );
        }
    }
    Ok(())
}

/// A network profile name: like an account name.
pub(super) fn validate_name(name: &str) -> Result<()> {
    keystore::validate_name(name).map_err(|_| {
        usage(format!(
            "invalid network name `{}`: use 1 to 32 letters, digits, '-' or '_'",
            crate::output::cut(name)
        ))
    })
}

/// The profile `endpoint` describes for network `name`, checked on the chain: reachable, the
/// chain id expected (or, if none was given, the one it serves, recorded from now on), and
/// `deployment`, if given, present with the committed code.
pub(super) fn checked_profile(
    name: &str,
    endpoint: &EndpointArgs,
    deployment: Option<medshare_chain::Deployment>,
) -> Result<Profile> {
    let rpc_url = match (&endpoint.rpc_url, name) {
        (Some(url), _) => url.clone(),
        (None, LOCAL) => LOCAL_RPC_URL.to_string(),
        (None, _) => {
            return Err(usage(format!(
                "network `{name}` needs --rpc-url URL (only `{LOCAL}` has a default, {LOCAL_RPC_URL})"
            )));
        }
    };
    let chain_id = match (endpoint.chain_id, &deployment) {
        (Some(given), Some(deployment)) if given != deployment.chain_id => {
            return Err(usage(format!(
                "--chain-id {given} contradicts the deployment, which is on chain {}",
                deployment.chain_id
            )));
        }
        (given, deployment) => given.or(deployment.map(|d| d.chain_id)),
    };
    let mut profile = Profile {
        rpc_url: Some(rpc_url),
        chain_id,
        fees: endpoint.fees,
        log_range: endpoint.log_range,
        deployment: None,
    };
    let client = Client::connect(name, &profile)?;
    if let Some(deployment) = &deployment {
        client.run(deployment.verify(client.network()))?;
    }
    profile.chain_id = Some(client.chain_id());
    profile.deployment = deployment;
    Ok(profile)
}

/// Writes `config` as the data directory's `config.json`, under its lock.
pub(super) fn save(data_dir: &DataDir, config: &Config, lock: Option<&Lock>) -> Result<()> {
    let lock = lock.context("internal error: the configuration is changed without the lock")?;
    let mut txn = lock.transaction();
    txn.put(&data_dir.config_path(), &config.to_file()?, 0o644)?;
    txn.commit()
}

fn render_list(listed: &[Listed<'_>]) -> String {
    let mut text = format!(
        "{:<2}{:<16}  {:<32}  {:<9}  {}\n",
        "", "name", "endpoint", "chain id", "medshare"
    );
    for l in listed {
        text.push_str(&format!(
            "{:<2}{:<16}  {:<32}  {:<9}  {}\n",
            if l.default { "*" } else { "" },
            l.name,
            endpoint(l.profile),
            l.profile
                .chain_id
                .map_or_else(|| "?".to_string(), |id| id.to_string()),
            l.profile.deployment.map_or("not deployed", |_| "deployed"),
        ));
    }
    text.push_str("(* the default network)\n");
    text
}

fn render_profile(shown: &Listed<'_>) -> String {
    let profile = shown.profile;
    let mut text = format!(
        "network `{}`{}\n  endpoint   {}\n  chain id   {}\n  fees       {}\n",
        shown.name,
        if shown.default { " (default)" } else { "" },
        endpoint(profile),
        profile
            .chain_id
            .map_or_else(|| "read on connect".to_string(), |id| id.to_string()),
        profile.fees,
    );
    if let Some(range) = profile.log_range {
        text.push_str(&format!("  log range  {range} blocks per query\n"));
    }
    match &profile.deployment {
        Some(d) => {
            text.push_str(&format!(
                "  deployed   at block {}\n    Consortium        {}\n    IdentityRegistry  {}\n",
                d.block, d.contracts.consortium, d.contracts.identity_registry
            ));
            if let Some(pre) = d.contracts.pre_verifier {
                text.push_str(&format!("    PreVerifier       {pre}\n"));
            }
        }
        None => text.push_str(&format!(
            "  deployed   no: `medshare deploy --network {}`, or join with `medshare init --network {} --addresses FILE`\n",
            shown.name, shown.name
        )),
    }
    text
}

fn endpoint(profile: &Profile) -> &str {
    profile
        .rpc_url
        .as_deref()
        .unwrap_or("this data directory's chain")
}

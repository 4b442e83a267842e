//! `medshare deploy`: the contract suite on the selected network, recorded for the parties that
//! join it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use medshare_chain::Deployment;
use serde::Serialize;

use super::{init::suite_settings, network::save};
use crate::{
    args::{DeployArgs, GlobalArgs},
    client::Client,
    datadir::{Lock, write_atomically},
    output::Printer,
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeployReport<'a> {
    network: &'a str,
    /// Whether this run deployed the contracts (false: it found and verified a deployment).
    deployed: bool,
    deployment: &'a Deployment,
    record: &'a Path,
}

pub(super) fn run(
    global: &GlobalArgs,
    args: &DeployArgs,
    printer: &Printer,
    lock: Option<&Lock>,
) -> Result<()> {
    let data_dir = super::data_dir(global)?;
    let mut config = super::config(global, &data_dir)?;
    let (name, mut profile) = config.network();
    let name = name.to_string();
    let record = args.out.join(&name).join("addresses.json");
    let recorded = read_record(&record)?;
    let client = Client::open(&data_dir, &config)?;
    let (deployment, deployed) = match (profile.deployment, recorded) {
        (Some(known), Some(recorded)) if known != recorded => bail!(
            "{} records another deployment than network `{name}` in {} (Consortium {} there, {} here); move one of them away",
            record.display(),
            data_dir.config_path().display(),
            recorded.contracts.consortium,
            known.contracts.consortium
        ),
        (Some(known), _) | (None, Some(known)) => {
            client
                .run(known.verify(client.network()))
                .context("verifying the recorded deployment")?;
            (known, false)
        }
        (None, None) => {
            let (account, admin) = config.account(global.from.as_deref())?;
            let settings = suite_settings(&args.suite, admin)?;
            let password = crate::keystore::password(account)?;
            let signer = data_dir.unlock(&config, account, &password)?;
            let deployment = client
                .run(Deployment::deploy(client.network(), &signer, &settings))
                .with_context(|| format!("deploying the contracts on network `{name}`"))?;
            (deployment, true)
        }
    };
    if profile.deployment.is_none() {
        profile.deployment = Some(deployment);
        config.networks.insert(name.clone(), profile);
        save(&data_dir, &config, lock)?;
    }
    write_record(&record, &deployment)?;
    printer.result(
        &DeployReport {
            network: &name,
            deployed,
            deployment: &deployment,
            record: &record,
        },
        || render(&name, deployed, &deployment, &record),
        deployment.contracts.consortium,
    );
    Ok(())
}

/// The deployment recorded at `path`, if there is a record.
pub(super) fn read_record(path: &Path) -> Result<Option<Deployment>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .with_context(|| format!("{} is not a medshare deployment record", path.display())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err).with_context(|| format!("reading {}", path.display())),
    }
}

fn write_record(path: &Path, deployment: &Deployment) -> Result<()> {
    let dir: PathBuf = path.parent().map(Path::to_path_buf).unwrap_or_default();
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut text = serde_json::to_string_pretty(deployment)?;
    text.push('\n');
    write_atomically(path, text.as_bytes(), 0o644)
}

fn render(name: &str, deployed: bool, deployment: &Deployment, record: &Path) -> String {
    let head = if deployed {
        format!(
            "deployed medshare on network `{name}` (chain id {}) from block {}",
            deployment.chain_id, deployment.block
        )
    } else {
        format!(
            "medshare is already deployed on network `{name}` (chain id {}, from block {}); every contract's code matches its artifact",
            deployment.chain_id, deployment.block
        )
    };
    let mut text = format!(
        "{head}\n  Consortium        {}\n  IdentityRegistry  {}\n",
        deployment.contracts.consortium, deployment.contracts.identity_registry
    );
    if let Some(pre) = deployment.contracts.pre_verifier {
        text.push_str(&format!("  PreVerifier       {pre}\n"));
    }
    text.push_str(&format!(
        "  record            {} (other parties join with `medshare init --network {name} --addresses {}`)\n",
        record.display(),
        record.display()
    ));
    text
}

//! The data directory: `config.json`, `keystore/<account>.json` and `chain/` (embedded network).

use std::{
    collections::BTreeMap,
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use alloy::primitives::Address;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

const CONFIG_FILE: &str = "config.json";
const CONFIG_VERSION: u32 = 1;

/// What `medshare init` recorded about this installation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Config {
    /// Layout version of this file.
    pub(crate) version: u32,
    /// Network the data directory was initialised for.
    pub(crate) network: String,
    /// Chain id of that network.
    pub(crate) chain_id: u64,
    /// Account used when `--from` is not given.
    pub(crate) default_account: String,
    /// Account name → address (so that addresses are known without a password).
    pub(crate) accounts: BTreeMap<String, Address>,
    /// Deployed contracts.
    pub(crate) contracts: Contracts,
}

/// Addresses of the medshare contracts on the configured network.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Contracts {
    pub(crate) consortium: Address,
    pub(crate) identity_registry: Address,
}

/// A data directory, resolved but not necessarily existing.
#[derive(Debug, Clone)]
pub(crate) struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// `--data-dir`, else `$HOME/.medshare`.
    pub(crate) fn resolve(explicit: Option<&Path>) -> Result<Self> {
        let root = match explicit {
            Some(path) => path.to_path_buf(),
            None => std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".medshare"))
                .context("no data directory: pass --data-dir or set HOME")?,
        };
        Ok(Self { root })
    }

    pub(crate) const fn at(root: PathBuf) -> Self {
        Self { root }
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn chain_dir(&self) -> PathBuf {
        self.root.join("chain")
    }

    pub(crate) fn keystore_dir(&self) -> PathBuf {
        self.root.join("keystore")
    }

    /// Reads `config.json`, with an error that says what to do when there is none.
    pub(crate) fn config(&self) -> Result<Config> {
        let path = self.root.join(CONFIG_FILE);
        if !self.root.is_dir() {
            bail!(
                "no medshare data directory at {}; create one with `medshare init` or pass --data-dir",
                self.root.display()
            );
        }
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => bail!(
                "{} is not initialised (no {CONFIG_FILE}); run `medshare init`",
                self.root.display()
            ),
            Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
        };
        let config: Config = serde_json::from_str(&text)
            .with_context(|| format!("{} is corrupt", path.display()))?;
        if config.version != CONFIG_VERSION {
            bail!(
                "{} has layout version {}, this medshare understands {CONFIG_VERSION}",
                path.display(),
                config.version
            );
        }
        Ok(config)
    }

    /// Writes `config.json` atomically (temporary file, fsync, rename).
    pub(crate) fn save_config(&self, config: &Config) -> Result<()> {
        let mut text = serde_json::to_string_pretty(config)?;
        text.push('\n');
        write_atomically(&self.root.join(CONFIG_FILE), text.as_bytes(), 0o644)
    }
}

impl Config {
    /// Address of account `name`, or of the default account.
    pub(crate) fn account(&self, name: Option<&str>) -> Result<(&str, Address)> {
        let name = name.unwrap_or(&self.default_account);
        self.accounts
            .get_key_value(name)
            .map(|(n, a)| (n.as_str(), *a))
            .with_context(|| {
                let known: Vec<&str> = self.accounts.keys().map(String::as_str).collect();
                format!("no account named `{name}` (accounts: {})", known.join(", "))
            })
    }
}

/// Replaces `path` with `contents` so that readers see the old or the new file, never a part.
pub(crate) fn write_atomically(path: &Path, contents: &[u8], mode: u32) -> Result<()> {
    let dir = path.parent().context("path has no parent directory")?;
    let file_name = path
        .file_name()
        .context("path has no file name")?
        .to_string_lossy();
    let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = open_with_mode(&tmp, mode)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        fs::File::open(dir)?.sync_all()
    };
    write().map_err(|err| {
        let _ = fs::remove_file(&tmp);
        anyhow::Error::new(err).context(format!("writing {}", path.display()))
    })
}

#[cfg(unix)]
fn open_with_mode(path: &Path, mode: u32) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
}

#[cfg(not(unix))]
fn open_with_mode(path: &Path, _mode: u32) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Creates `dir` (and parents) readable by the owner only.
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .with_context(|| format!("restricting {}", dir.display()))?;
    }
    Ok(())
}

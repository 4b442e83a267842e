//! The data directory: `config.json`, `keystore/<account>.json`, `identity/` and `chain/`.
//!
//! Commands run in parallel and may be killed at any moment, so:
//! - every command that changes the directory holds its exclusive lock ([`DataDir::lock`]),
//!   read-only commands a shared one ([`DataDir::lock_shared`]);
//! - every change is a [`Transaction`]: each file is written under a temporary name and
//!   fsynced; a change of several files first records the renames in a journal, so that a
//!   killed command's change is completed by the next command that takes the lock, and one that
//!   was killed before its journal existed leaves only temporary files, which that command
//!   removes;
//! - the keystore directory is the list of accounts (each keystore records its address), so no
//!   second file can disagree with it.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    io::Write,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use std::num::NonZeroU64;

use alloy::{primitives::Address, signers::local::PrivateKeySigner};
use anyhow::{Context, Result, bail};
use medshare_chain::{Contracts, Deployment, FeePolicy};
use serde::{Deserialize, Serialize};

use crate::{
    keystore::{self, DecryptError, Kdf},
    output::usage,
};

const CONFIG_FILE: &str = "config.json";
const LOCK_FILE: &str = ".lock";
const JOURNAL_FILE: &str = ".journal";
/// Layout version written by this medshare; versions 1 (accounts listed in `config.json`) and
/// 2 (one network) are still read.
const CONFIG_VERSION: u32 = 3;
/// How long a command waits for another one to release the data directory.
const LOCK_WAIT: Duration = Duration::from_secs(300);
/// The network of the chain kept in the data directory itself.
pub(crate) const EMBEDDED: &str = "embedded";
/// A `medshare node` on this machine, at its default port: usable without `network add`.
pub(crate) const LOCAL: &str = "local";
/// Where [`LOCAL`] is.
pub(crate) const LOCAL_RPC_URL: &str = "http://127.0.0.1:8545";

/// What `medshare init` recorded about this installation, and the networks added since.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Config {
    /// Layout version of this file.
    pub(crate) version: u32,
    /// Account used when `--from` is not given.
    pub(crate) default_account: String,
    /// Cost of the key derivation of new secrets in this directory.
    #[serde(default)]
    pub(crate) kdf: Kdf,
    /// Network used when `--network` is not given: the one `init` set up.
    pub(crate) default_network: String,
    /// Network profiles by name.
    pub(crate) networks: BTreeMap<String, Profile>,
    /// Version 1 listed the accounts here; kept as the address of its keystores, which did not
    /// record one.
    #[serde(
        rename = "accounts",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    legacy_accounts: BTreeMap<String, Address>,
    /// Account name → address, from the keystore directory.
    #[serde(skip)]
    pub(crate) accounts: BTreeMap<String, Address>,
    /// Keystore files that cannot be read, with the reason.
    #[serde(skip)]
    pub(crate) damaged_accounts: BTreeMap<String, String>,
    /// The network this command uses ([`Config::select`]).
    #[serde(skip)]
    selected: String,
}

/// How to reach one network, and where medshare is deployed on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Profile {
    /// JSON-RPC endpoint; absent for the embedded chain of this directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) rpc_url: Option<String>,
    /// Chain id the endpoint must serve, checked on connect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) chain_id: Option<u64>,
    /// What transactions pay for gas.
    #[serde(default)]
    pub(crate) fees: Fees,
    /// Most blocks one `eth_getLogs` may span on this endpoint (Besu's `--rpc-max-logs-range`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) log_range: Option<NonZeroU64>,
    /// The medshare contracts on this network, once deployed or joined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) deployment: Option<Deployment>,
}

/// What transactions pay for gas on a network.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Fees {
    /// Nothing: a consortium chain with a zero base fee and gas price (Besu QBFT, the embedded
    /// chain)
    #[default]
    Free,
    /// What the node asks (anvil by default, public networks); accounts need a balance
    Market,
}

impl From<Fees> for FeePolicy {
    fn from(fees: Fees) -> Self {
        match fees {
            Fees::Free => Self::Free,
            Fees::Market => Self::Market,
        }
    }
}

impl std::fmt::Display for Fees {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Free => "free",
            Self::Market => "market",
        })
    }
}

impl Profile {
    /// The embedded chain with `deployment` on it.
    pub(crate) const fn embedded(deployment: Deployment) -> Self {
        Self {
            rpc_url: None,
            chain_id: Some(deployment.chain_id),
            fees: Fees::Free,
            log_range: None,
            deployment: Some(deployment),
        }
    }

    /// The built-in `local` network: a `medshare node` at its default port.
    fn local() -> Self {
        Self {
            rpc_url: Some(LOCAL_RPC_URL.into()),
            chain_id: None,
            fees: Fees::Free,
            log_range: None,
            deployment: None,
        }
    }
}

/// How versions 1 and 2 recorded their one network.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SingleNetwork {
    network: String,
    chain_id: u64,
    contracts: SingleNetworkContracts,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SingleNetworkContracts {
    consortium: Address,
    identity_registry: Address,
}

impl Config {
    /// A configuration with one network, `default_network`, which commands use by default.
    pub(crate) fn new(
        default_account: String,
        kdf: Kdf,
        default_network: String,
        profile: Profile,
    ) -> Self {
        Self {
            version: CONFIG_VERSION,
            default_account,
            kdf,
            networks: BTreeMap::from([(default_network.clone(), profile)]),
            selected: default_network.clone(),
            default_network,
            legacy_accounts: BTreeMap::new(),
            accounts: BTreeMap::new(),
            damaged_accounts: BTreeMap::new(),
        }
    }

    /// Parses `config.json` of layout `version`, one this medshare reads.
    fn parse(text: &str, version: u32) -> Result<Self> {
        if version == CONFIG_VERSION {
            let mut config: Self = serde_json::from_str(text)?;
            config.selected = config.default_network.clone();
            return Ok(config);
        }
        // Versions 1 and 2: one network, the embedded one, deployed at an unrecorded block.
        let mut value: serde_json::Value = serde_json::from_str(text)?;
        let single: SingleNetwork = serde_json::from_value(value.clone())?;
        let fields = value.as_object_mut().context("it is not a JSON object")?;
        for old in ["network", "chainId", "contracts"] {
            fields.remove(old);
        }
        fields.insert("version".into(), CONFIG_VERSION.into());
        fields.insert("defaultNetwork".into(), single.network.clone().into());
        let deployment = Deployment {
            chain_id: single.chain_id,
            block: 0,
            contracts: Contracts {
                consortium: single.contracts.consortium,
                identity_registry: single.contracts.identity_registry,
                pre_verifier: None,
            },
        };
        fields.insert(
            "networks".into(),
            serde_json::json!({ single.network: Profile::embedded(deployment) }),
        );
        let mut config: Self = serde_json::from_value(value)?;
        config.selected = config.default_network.clone();
        Ok(config)
    }

    /// Makes `name` (`--network`), else the default network, the one this command uses.
    pub(crate) fn select(&mut self, name: Option<&str>) -> Result<()> {
        let name = name.unwrap_or(&self.default_network);
        if !self.networks.contains_key(name) && name != LOCAL {
            let known: Vec<&str> = self.networks.keys().map(String::as_str).collect();
            return Err(usage(format!(
                "no network named `{}` in this data directory (networks: {}); add one with `medshare network add NAME --rpc-url URL`",
                crate::output::cut(name),
                known.join(", ")
            )));
        }
        self.selected = name.to_string();
        Ok(())
    }

    /// The network this command uses, with its profile.
    pub(crate) fn network(&self) -> (&str, Profile) {
        let profile = self
            .networks
            .get(&self.selected)
            .cloned()
            .unwrap_or_else(Profile::local);
        (&self.selected, profile)
    }

    /// The medshare deployment on the network this command uses.
    pub(crate) fn deployment(&self) -> Result<Deployment> {
        let (name, profile) = self.network();
        profile.deployment.with_context(|| {
            format!(
                "network `{name}` has no medshare deployment in this data directory: deploy one with `medshare deploy --network {name}`, or join one with `medshare init --network {name} --addresses FILE`"
            )
        })
    }

    /// Address of account `name`, or of the default account.
    pub(crate) fn account(&self, name: Option<&str>) -> Result<(&str, Address)> {
        let name = name.unwrap_or(&self.default_account);
        if let Some(problem) = self.damaged_accounts.get(name) {
            bail!("the keystore of account `{name}` is damaged: {problem}");
        }
        self.accounts
            .get_key_value(name)
            .map(|(n, a)| (n.as_str(), *a))
            .ok_or_else(|| {
                let known: Vec<&str> = self.accounts.keys().map(String::as_str).collect();
                usage(format!(
                    "no account named `{}` (accounts: {})",
                    crate::output::cut(name),
                    known.join(", ")
                ))
            })
    }

    /// `config.json` as written.
    pub(crate) fn to_file(&self) -> Result<Vec<u8>> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        Ok(text.into_bytes())
    }
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

    pub(crate) fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    pub(crate) fn keystore_dir(&self) -> PathBuf {
        self.root.join("keystore")
    }

    fn keystore_path(&self, name: &str) -> PathBuf {
        self.keystore_dir().join(format!("{name}.json"))
    }

    fn require_initialised(&self) -> Result<()> {
        if !self.root.is_dir() {
            bail!(
                "no medshare data directory at {}; create one with `medshare init` or pass --data-dir",
                self.root.display()
            );
        }
        if !self.root.join(CONFIG_FILE).exists() {
            bail!(
                "{} is not initialised (no {CONFIG_FILE}); run `medshare init`",
                self.root.display()
            );
        }
        Ok(())
    }

    /// Reads `config.json` and the account list, with an error that says what to do when there
    /// is no data directory.
    pub(crate) fn config(&self) -> Result<Config> {
        self.require_initialised()?;
        let path = self.config_path();
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        #[derive(Deserialize)]
        struct Version {
            version: u32,
        }
        let corrupt = || format!("{} is corrupt", path.display());
        let Version { version } = serde_json::from_str(&text).with_context(corrupt)?;
        if !(1..=CONFIG_VERSION).contains(&version) {
            bail!(
                "{} has layout version {version}, this medshare understands 1 to {CONFIG_VERSION}",
                path.display()
            );
        }
        let mut config = Config::parse(&text, version).with_context(corrupt)?;
        self.read_accounts(&mut config)?;
        Ok(config)
    }

    fn read_accounts(&self, config: &mut Config) -> Result<()> {
        let dir = self.keystore_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(err).with_context(|| format!("reading {}", dir.display())),
        };
        for entry in entries {
            let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
            let file_name = entry.file_name();
            let Some(name) = file_name
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .filter(|n| keystore::validate_name(n).is_ok())
            else {
                continue; // temporary files and foreign files are not accounts
            };
            let recorded = fs::read(entry.path())
                .map_err(anyhow::Error::new)
                .and_then(|bytes| keystore::recorded_address(&bytes));
            match recorded {
                Ok(Some(address)) => {
                    config.accounts.insert(name.to_string(), address);
                }
                Ok(None) => match config.legacy_accounts.get(name) {
                    Some(address) => {
                        config.accounts.insert(name.to_string(), *address);
                    }
                    None => {
                        config
                            .damaged_accounts
                            .insert(name.to_string(), "it records no address".into());
                    }
                },
                Err(err) => {
                    config
                        .damaged_accounts
                        .insert(name.to_string(), format!("{err:#}"));
                }
            }
        }
        Ok(())
    }

    /// Decrypts account `name` and checks that its key is the address it records, so that a
    /// keystore copied over another never signs as someone else.
    pub(crate) fn unlock(
        &self,
        config: &Config,
        name: &str,
        password: &str,
    ) -> Result<PrivateKeySigner> {
        let (name, recorded) = config.account(Some(name))?;
        let path = self.keystore_path(name);
        let file = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let secret = keystore::decrypt(&file, password).map_err(|err| match err {
            DecryptError::WrongPassword => anyhow::anyhow!("account `{name}`: wrong password"),
            other => anyhow::anyhow!("account `{name}` ({}): {other}", path.display()),
        })?;
        let signer = PrivateKeySigner::from_slice(&secret)
            .with_context(|| format!("keystore {} holds no valid key", path.display()))?;
        if signer.address() != recorded {
            bail!(
                "keystore {} holds the key of {} but records {}; it was copied or replaced, so medshare will not sign with it",
                path.display(),
                signer.address(),
                recorded
            );
        }
        Ok(signer)
    }

    /// Takes the exclusive lock for a command that changes the directory, waiting for other
    /// commands to finish. Completes an update a killed command left in its journal and removes
    /// the temporary files of killed commands.
    pub(crate) fn lock(&self) -> Result<Lock> {
        self.require_initialised()?;
        let path = self.root.join(LOCK_FILE);
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|err| match err.kind() {
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                    anyhow::anyhow!(
                        "{} is read-only; this command changes it",
                        self.root.display()
                    )
                }
                _ => anyhow::Error::new(err).context(format!("opening {}", path.display())),
            })?;
        wait_for(&self.root, || file.try_lock())?;
        let lock = Lock {
            _file: file,
            root: self.root.clone(),
        };
        lock.recover()?;
        lock.sweep();
        Ok(lock)
    }

    /// Takes a shared lock for a read-only command: it waits for a change in progress, and
    /// works on a read-only directory.
    pub(crate) fn lock_shared(&self) -> Result<SharedLock> {
        self.require_initialised()?;
        if self.root.join(JOURNAL_FILE).exists() {
            // A killed command left a change half-applied: complete it first, if we may write.
            match self.lock() {
                Ok(lock) => drop(lock),
                Err(err) => {
                    return Err(err.context(format!(
                        "an interrupted change of {} is pending and needs write access to complete",
                        self.root.display()
                    )));
                }
            }
        }
        let path = self.root.join(LOCK_FILE);
        let file = match fs::File::open(&path) {
            Ok(file) => Some(file),
            // A directory made before locks existed, read-only: nobody can be writing to it.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .ok(),
            Err(err) => return Err(err).with_context(|| format!("opening {}", path.display())),
        };
        if let Some(file) = &file {
            wait_for(&self.root, || file.try_lock_shared())?;
        }
        Ok(SharedLock { _file: file })
    }
}

fn wait_for(root: &Path, mut try_lock: impl FnMut() -> Result<(), fs::TryLockError>) -> Result<()> {
    let started = Instant::now();
    let mut announced = false;
    loop {
        match try_lock() {
            Ok(()) => return Ok(()),
            Err(fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                if !announced && started.elapsed() > Duration::from_secs(1) {
                    let _ = writeln!(
                        std::io::stderr(),
                        "waiting for another medshare command to finish with {}",
                        root.display()
                    );
                    announced = true;
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(fs::TryLockError::WouldBlock) => bail!(
                "{} is still in use by another medshare command after {} s; try again when it has finished",
                root.display(),
                LOCK_WAIT.as_secs()
            ),
            Err(fs::TryLockError::Error(err)) => {
                return Err(err).with_context(|| format!("locking {}", root.display()));
            }
        }
    }
}

/// The shared lock of a read-only command.
pub(crate) struct SharedLock {
    _file: Option<fs::File>,
}

/// The exclusive lock of a data directory; changes are made through [`Lock::transaction`].
pub(crate) struct Lock {
    _file: fs::File,
    root: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Journal {
    /// `(temporary file, final file)`, relative to the data directory.
    renames: Vec<(PathBuf, PathBuf)>,
}

impl Lock {
    /// Starts a change of the data directory.
    pub(crate) fn transaction(&self) -> Transaction<'_> {
        Transaction {
            lock: self,
            staged: Vec::new(),
        }
    }

    /// Rolls forward the journal of a command killed while applying it.
    fn recover(&self) -> Result<()> {
        let path = self.root.join(JOURNAL_FILE);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
        };
        let journal: Journal = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} (the record of an interrupted change) is damaged; restore the data directory from a backup",
                path.display()
            )
        })?;
        self.apply(&journal)?;
        fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        sync_dir(&self.root)
    }

    fn apply(&self, journal: &Journal) -> Result<()> {
        let mut dirs = BTreeSet::new();
        for (tmp, target) in &journal.renames {
            let (tmp, target) = (self.root.join(tmp), self.root.join(target));
            // Absent: renamed before the kill.
            if tmp.exists() {
                fs::rename(&tmp, &target)
                    .with_context(|| format!("moving {} into place", target.display()))?;
            }
            if let Some(dir) = target.parent() {
                dirs.insert(dir.to_path_buf());
            }
        }
        dirs.iter().try_for_each(|dir| sync_dir(dir))
    }

    /// Removes what killed commands left: temporary files of writes and transactions, the
    /// scratch directories of older versions, and staging directories of killed `init`s.
    fn sweep(&self) {
        fn sweep_dir(dir: &Path, depth: usize) {
            let Ok(entries) = fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = entry.path();
                let leftover = name.starts_with('.')
                    && (name.contains(".tmp-")
                        || name.contains(".txn-")
                        || name.starts_with(".scratch-"));
                if leftover {
                    let _ = if path.is_dir() {
                        fs::remove_dir_all(&path)
                    } else {
                        fs::remove_file(&path)
                    };
                } else if depth > 0 && path.is_dir() && name != "chain" {
                    sweep_dir(&path, depth - 1);
                }
            }
        }
        sweep_dir(&self.root, 3);
        // `.NAME.init-PID` beside the directory: only once that process is gone.
        let (Some(parent), Some(leaf)) = (self.root.parent(), self.root.file_name()) else {
            return;
        };
        let prefix = format!(".{}.init-", leaf.to_string_lossy());
        let Ok(entries) = fs::read_dir(if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        }) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name.strip_prefix(&prefix) else {
                continue;
            };
            let gone = pid
                .parse::<u32>()
                .is_ok_and(|pid| !Path::new(&format!("/proc/{pid}")).exists());
            if gone && Path::new("/proc/self").exists() {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// A change of several files of the data directory that happens completely or not at all.
pub(crate) struct Transaction<'a> {
    lock: &'a Lock,
    staged: Vec<(PathBuf, PathBuf)>,
}

impl Transaction<'_> {
    /// Stages `contents` as the new file `path` (absolute, inside the data directory), with
    /// `mode`; its directory is created (owner-only) if missing.
    pub(crate) fn put(&mut self, path: &Path, contents: &[u8], mode: u32) -> Result<()> {
        let dir = path.parent().context("path has no parent directory")?;
        if !dir.is_dir() {
            create_private_dir(dir)?;
        }
        let file_name = path.file_name().context("path has no file name")?;
        let tmp = dir.join(format!(
            ".{}.txn-{}-{}",
            file_name.to_string_lossy(),
            std::process::id(),
            self.staged.len()
        ));
        write_synced(&tmp, contents, mode)
            .with_context(|| format!("writing {}", path.display()))?;
        self.staged.push((tmp, path.to_path_buf()));
        Ok(())
    }

    /// Applies the change: one file is renamed into place; several are renamed after their
    /// list is recorded in the journal, which the next command completes if this one is killed.
    pub(crate) fn commit(mut self) -> Result<()> {
        let staged = std::mem::take(&mut self.staged);
        let root = &self.lock.root;
        let relative = |path: &Path| path.strip_prefix(root).map(Path::to_path_buf);
        let journal = Journal {
            renames: staged
                .iter()
                .map(|(tmp, target)| Ok((relative(tmp)?, relative(target)?)))
                .collect::<Result<_, std::path::StripPrefixError>>()
                .context("a transaction wrote outside the data directory")?,
        };
        let journal_path = root.join(JOURNAL_FILE);
        if journal.renames.len() > 1 {
            write_atomically(&journal_path, &serde_json::to_vec(&journal)?, 0o600)?;
        }
        let applied = self.lock.apply(&journal);
        if journal.renames.len() > 1 && applied.is_ok() {
            fs::remove_file(&journal_path)
                .with_context(|| format!("removing {}", journal_path.display()))?;
            sync_dir(root)?;
        }
        applied
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        for (tmp, _) in &self.staged {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// Replaces `path` with `contents` so that readers see the old or the new file, never a part.
/// For files outside a locked data directory (the staging directory of `init`); inside one,
/// use a [`Transaction`].
pub(crate) fn write_atomically(path: &Path, contents: &[u8], mode: u32) -> Result<()> {
    let dir = path.parent().context("path has no parent directory")?;
    let file_name = path
        .file_name()
        .context("path has no file name")?
        .to_string_lossy();
    let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let _ = fs::remove_file(&tmp); // a leftover of a killed process that had our pid
        write_synced(&tmp, contents, mode)?;
        fs::rename(&tmp, path)?;
        fs::File::open(dir)?.sync_all()
    };
    write().map_err(|err| {
        let _ = fs::remove_file(&tmp);
        anyhow::Error::new(err).context(format!("writing {}", path.display()))
    })
}

fn write_synced(path: &Path, contents: &[u8], mode: u32) -> std::io::Result<()> {
    let mut file = open_new(path, mode)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(unix)]
fn open_new(path: &Path, mode: u32) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
}

#[cfg(not(unix))]
fn open_new(path: &Path, _mode: u32) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("syncing {}", dir.display()))
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

/// The keystore file of a new account `name` holding `signer`'s key, encrypted under
/// `password` (expensive: done before the data directory is locked).
pub(crate) fn new_account_file(
    signer: &PrivateKeySigner,
    password: &str,
    kdf: Kdf,
) -> Result<Vec<u8>> {
    keystore::encrypt(
        signer.to_bytes().as_slice(),
        password,
        kdf,
        Some(signer.address()),
    )
}

impl DataDir {
    /// Stages the keystore of a new account in `txn`; fails if the name is taken.
    pub(crate) fn stage_account(
        &self,
        txn: &mut Transaction<'_>,
        name: &str,
        file: &[u8],
    ) -> Result<()> {
        keystore::validate_name(name)?;
        let path = self.keystore_path(name);
        if path.exists() {
            bail!("account `{name}` already exists ({})", path.display());
        }
        if !self.keystore_dir().is_dir() {
            create_private_dir(&self.keystore_dir())?;
        }
        txn.put(&path, file, 0o600)
    }
}

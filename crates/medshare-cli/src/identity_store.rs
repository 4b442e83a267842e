//! Identity secrets in the data directory (`identity/`), each encrypted under the password of
//! the account that owns it. Key material is kept per key set, so that a new key set never
//! replaces the shares that trace the tokens of earlier epochs:
//!
//! | file | owner | content |
//! |---|---|---|
//! | `key-sets/<hash>/group-key.bin` | public | the key set's group public key (DKG output) |
//! | `key-sets/<hash>/authority-<account>.json` | authority | its share of that key set |
//! | `key-sets/<hash>/credential-<account>-<epoch>.json` | user | a credential of one epoch |
//! | `registrations-<account>.json` | authority | its table RID ↔ identity point `M` |
//! | `user-<account>.json` | user | the identity secret `m` |
//!
//! Reads take the data directory; writes are staged in a [`Transaction`] of the locked
//! directory.

use std::{fs, path::PathBuf};

use alloy::primitives::B256;
use anyhow::{Context, Result};
use medshare_identity::{
    AuthoritySecretKey, Credential, GroupPublicKey, IdentityPoint, UserSecret,
};
use serde::{Deserialize, Serialize};

use crate::{
    datadir::{Config, DataDir, Transaction},
    keystore::{self, DecryptError, Kdf},
};

/// One registered user as an authority records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RegistrationRecord {
    /// The real identity, as given at registration.
    pub(crate) rid: String,
    /// `M` (hex of its encoding).
    pub(crate) identity: String,
    /// `keccak256(M)`, the commitment a trace reveals.
    pub(crate) commitment: String,
}

pub(crate) struct IdentityStore {
    dir: PathBuf,
    kdf: Kdf,
}

impl IdentityStore {
    pub(crate) fn new(data_dir: &DataDir, config: &Config) -> Self {
        Self {
            dir: data_dir.root().join("identity"),
            kdf: config.kdf,
        }
    }

    fn key_set_dir(&self, key_set: B256) -> PathBuf {
        self.dir.join("key-sets").join(key_set.to_string())
    }

    pub(crate) fn group_key(&self, key_set: B256) -> Result<GroupPublicKey> {
        let path = self.key_set_dir(key_set).join("group-key.bin");
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
                "this data directory holds no group key of key set {key_set}; it was generated elsewhere (run `medshare identity keygen` here for a key set of local authorities)"
            ),
            Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
        };
        GroupPublicKey::from_bytes(&bytes)
            .map_err(|e| anyhow::anyhow!("{} is corrupt: {e}", path.display()))
    }

    pub(crate) fn authority(
        &self,
        key_set: B256,
        account: &str,
        password: &str,
    ) -> Result<AuthoritySecretKey> {
        let path = self
            .key_set_dir(key_set)
            .join(format!("authority-{account}.json"));
        read(
            &path,
            account,
            password,
            AuthoritySecretKey::from_secret_bytes,
        )?
        .with_context(|| format!("account `{account}` holds no share of key set {key_set}"))
    }

    /// Stages a key set: its group key and every authority's share, encrypted under that
    /// authority's password.
    pub(crate) fn stage_key_set(
        &self,
        txn: &mut Transaction<'_>,
        key_set: B256,
        gpk: &GroupPublicKey,
        shares: &[(&str, &AuthoritySecretKey, &str)],
    ) -> Result<()> {
        let dir = self.key_set_dir(key_set);
        for (account, share, password) in shares {
            let file = keystore::encrypt(&share.to_secret_bytes(), password, self.kdf, None)?;
            txn.put(&dir.join(format!("authority-{account}.json")), &file, 0o600)?;
        }
        txn.put(&dir.join("group-key.bin"), &gpk.to_bytes(), 0o644)
    }

    pub(crate) fn registrations(
        &self,
        authority: &str,
        password: &str,
    ) -> Result<Vec<RegistrationRecord>> {
        let path = self.dir.join(format!("registrations-{authority}.json"));
        let records = read(&path, authority, password, |bytes| {
            serde_json::from_slice(bytes)
        })?;
        Ok(records.unwrap_or_default())
    }

    pub(crate) fn stage_registrations(
        &self,
        txn: &mut Transaction<'_>,
        authority: &str,
        records: &[RegistrationRecord],
        password: &str,
    ) -> Result<()> {
        let bytes = zeroize::Zeroizing::new(serde_json::to_vec(records)?);
        let file = keystore::encrypt(&bytes, password, self.kdf, None)?;
        txn.put(
            &self.dir.join(format!("registrations-{authority}.json")),
            &file,
            0o600,
        )
    }

    pub(crate) fn stage_user(
        &self,
        txn: &mut Transaction<'_>,
        account: &str,
        secret: &UserSecret,
        password: &str,
    ) -> Result<()> {
        let file = keystore::encrypt(&secret.to_secret_bytes(), password, self.kdf, None)?;
        txn.put(&self.dir.join(format!("user-{account}.json")), &file, 0o600)
    }

    pub(crate) fn has_user(&self, account: &str) -> bool {
        self.dir.join(format!("user-{account}.json")).is_file()
    }

    pub(crate) fn user(&self, account: &str, password: &str) -> Result<UserSecret> {
        let path = self.dir.join(format!("user-{account}.json"));
        read(&path, account, password, UserSecret::from_secret_bytes)?.with_context(|| {
            format!("account `{account}` has no identity; run `medshare --from {account} identity register`")
        })
    }

    pub(crate) fn stage_credential(
        &self,
        txn: &mut Transaction<'_>,
        key_set: B256,
        account: &str,
        credential: &Credential,
        password: &str,
    ) -> Result<()> {
        let name = format!("credential-{account}-{}.json", credential.epoch());
        let file = keystore::encrypt(&credential.to_secret_bytes(), password, self.kdf, None)?;
        txn.put(&self.key_set_dir(key_set).join(name), &file, 0o600)
    }

    pub(crate) fn credential(
        &self,
        key_set: B256,
        account: &str,
        epoch: u64,
        gpk: &GroupPublicKey,
        password: &str,
    ) -> Result<Credential> {
        let path = self
            .key_set_dir(key_set)
            .join(format!("credential-{account}-{epoch}.json"));
        read(&path, account, password, |bytes| Credential::from_secret_bytes(bytes, gpk))?
            .with_context(|| {
                format!(
                    "account `{account}` has no credential for epoch {epoch}; run `medshare --from {account} identity issue`"
                )
            })
    }
}

/// Decrypts the file `path` with the password of `account` and decodes it; `None` if there is
/// no such file.
fn read<T, E: std::fmt::Display>(
    path: &std::path::Path,
    account: &str,
    password: &str,
    decode: impl FnOnce(&[u8]) -> Result<T, E>,
) -> Result<Option<T>> {
    let file = match fs::read(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
    };
    let bytes = keystore::decrypt(&file, password).map_err(|err| match err {
        DecryptError::WrongPassword => anyhow::anyhow!("account `{account}`: wrong password"),
        other => anyhow::anyhow!("{}: {other}", path.display()),
    })?;
    decode(&bytes)
        .map(Some)
        .map_err(|e| anyhow::anyhow!("{} is corrupt: {e}", path.display()))
}

/// Hex of an identity point, as stored in registration tables.
pub(crate) fn identity_hex(identity: &IdentityPoint) -> String {
    alloy::primitives::hex::encode(identity.to_bytes())
}

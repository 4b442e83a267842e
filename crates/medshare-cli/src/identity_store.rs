//! Identity secrets in the data directory (`identity/`), each encrypted under the password of
//! the account that owns it:
//!
//! | file | owner | content |
//! |---|---|---|
//! | `group-key.bin` | public | the authorities' group public key (DKG output) |
//! | `authority-<account>.json` | authority | its share of the issuing and tracing keys |
//! | `registrations-<account>.json` | authority | its table RID digest ↔ identity point `M` |
//! | `user-<account>.json` | user | the identity secret `m` |
//! | `credential-<account>-<epoch>.json` | user | the credential of one epoch |

use std::{fs, path::PathBuf};

use anyhow::{Context, Result};
use medshare_identity::{
    AuthoritySecretKey, Credential, GroupPublicKey, IdentityPoint, UserSecret,
};
use serde::{Deserialize, Serialize};

use crate::{
    datadir::{DataDir, write_atomically},
    keystore::{load_secret, store_secret},
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
}

impl IdentityStore {
    pub(crate) fn new(data_dir: &DataDir) -> Self {
        Self {
            dir: data_dir.root().join("identity"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub(crate) fn save_group_key(&self, gpk: &GroupPublicKey) -> Result<()> {
        fs::create_dir_all(&self.dir)
            .with_context(|| format!("creating {}", self.dir.display()))?;
        write_atomically(&self.path("group-key.bin"), &gpk.to_bytes(), 0o644)
    }

    pub(crate) fn group_key(&self) -> Result<GroupPublicKey> {
        let path = self.path("group-key.bin");
        let bytes = fs::read(&path).with_context(|| {
            format!(
                "no authority group key at {}; run `medshare identity keygen` first",
                path.display()
            )
        })?;
        GroupPublicKey::from_bytes(&bytes)
            .map_err(|e| anyhow::anyhow!("{} is corrupt: {e}", path.display()))
    }

    pub(crate) fn save_authority(
        &self,
        account: &str,
        key: &AuthoritySecretKey,
        password: &str,
    ) -> Result<()> {
        store_secret(
            &self.path(&format!("authority-{account}.json")),
            &key.to_secret_bytes(),
            password,
        )
    }

    pub(crate) fn authority(&self, account: &str, password: &str) -> Result<AuthoritySecretKey> {
        self.read(
            &format!("authority-{account}.json"),
            account,
            password,
            AuthoritySecretKey::from_secret_bytes,
        )?
        .with_context(|| {
            format!(
                "account `{account}` holds no authority key share (not part of `identity keygen`)"
            )
        })
    }

    pub(crate) fn registrations(
        &self,
        authority: &str,
        password: &str,
    ) -> Result<Vec<RegistrationRecord>> {
        let records = self.read(
            &format!("registrations-{authority}.json"),
            authority,
            password,
            |bytes| serde_json::from_slice(bytes),
        )?;
        Ok(records.unwrap_or_default())
    }

    pub(crate) fn save_registrations(
        &self,
        authority: &str,
        records: &[RegistrationRecord],
        password: &str,
    ) -> Result<()> {
        let bytes = zeroize::Zeroizing::new(serde_json::to_vec(records)?);
        store_secret(
            &self.path(&format!("registrations-{authority}.json")),
            &bytes,
            password,
        )
    }

    pub(crate) fn save_user(
        &self,
        account: &str,
        secret: &UserSecret,
        password: &str,
    ) -> Result<()> {
        store_secret(
            &self.path(&format!("user-{account}.json")),
            &secret.to_secret_bytes(),
            password,
        )
    }

    pub(crate) fn has_user(&self, account: &str) -> bool {
        self.path(&format!("user-{account}.json")).is_file()
    }

    pub(crate) fn user(&self, account: &str, password: &str) -> Result<UserSecret> {
        self.read(&format!("user-{account}.json"), account, password, UserSecret::from_secret_bytes)?
            .with_context(|| {
                format!("account `{account}` has no identity; run `medshare --from {account} identity register`")
            })
    }

    pub(crate) fn save_credential(
        &self,
        account: &str,
        credential: &Credential,
        password: &str,
    ) -> Result<()> {
        let name = format!("credential-{account}-{}.json", credential.epoch());
        store_secret(&self.path(&name), &credential.to_secret_bytes(), password)
    }

    pub(crate) fn credential(
        &self,
        account: &str,
        epoch: u64,
        gpk: &GroupPublicKey,
        password: &str,
    ) -> Result<Credential> {
        let name = format!("credential-{account}-{epoch}.json");
        self.read(&name, account, password, |bytes| Credential::from_secret_bytes(bytes, gpk))?
            .with_context(|| {
                format!(
                    "account `{account}` has no credential for epoch {epoch}; run `medshare --from {account} identity issue`"
                )
            })
    }

    /// Decrypts file `name` with the password of `account` and decodes it; `None` if there is
    /// no such file.
    fn read<T, E: std::fmt::Display>(
        &self,
        name: &str,
        account: &str,
        password: &str,
        decode: impl FnOnce(&[u8]) -> Result<T, E>,
    ) -> Result<Option<T>> {
        let path = self.path(name);
        if !path.is_file() {
            return Ok(None);
        }
        let bytes = zeroize::Zeroizing::new(
            load_secret(&path, password).map_err(|e| e.context(format!("account `{account}`")))?,
        );
        decode(&bytes)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("{} is corrupt: {e}", path.display()))
    }
}

/// Hex of an identity point, as stored in registration tables.
pub(crate) fn identity_hex(identity: &IdentityPoint) -> String {
    alloy::primitives::hex::encode(identity.to_bytes())
}

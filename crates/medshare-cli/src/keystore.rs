//! Encrypted Ethereum keystores (Web3 Secret Storage, scrypt + AES-128-CTR) in the data directory.

use std::{fs, path::Path};

use alloy::signers::local::{LocalSignerError, PrivateKeySigner};
use anyhow::{Context, Result, bail};

use crate::datadir::{create_private_dir, write_atomically};

/// Environment variable that supplies the keystore password to scripts and CI.
pub(crate) const PASSWORD_ENV: &str = "MEDSHARE_PASSWORD";

/// Checks that an account name is usable as a file name and on the command line.
pub(crate) fn validate_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        bail!("invalid account name `{name}`: use 1 to 32 letters, digits, '-' or '_'");
    }
    Ok(())
}

/// The password from `MEDSHARE_PASSWORD`, or asked on the terminal (twice when `confirm`).
pub(crate) fn password(account: &str, confirm: bool) -> Result<String> {
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        if password.is_empty() {
            bail!("{PASSWORD_ENV} is set but empty");
        }
        return Ok(password);
    }
    let prompt = |text: &str| {
        rpassword::prompt_password(text).with_context(|| {
            format!("cannot read a password (no terminal?); set {PASSWORD_ENV} instead")
        })
    };
    let password = prompt(&format!("Password for account `{account}`: "))?;
    if password.is_empty() {
        bail!("the password must not be empty");
    }
    if confirm && prompt("Repeat the password: ")? != password {
        bail!("the passwords do not match");
    }
    Ok(password)
}

/// Creates a new random account in `dir/<name>.json`, readable by the owner only.
///
/// The keystore is written in a private scratch directory and renamed into place, so a crash
/// never leaves a partial keystore under the account's name.
pub(crate) fn create(dir: &Path, name: &str, password: &str) -> Result<PrivateKeySigner> {
    validate_name(name)?;
    let path = dir.join(format!("{name}.json"));
    if path.exists() {
        bail!("account `{name}` already exists ({})", path.display());
    }
    create_private_dir(dir)?;
    let scratch = dir.join(format!(".new-{name}-{}", std::process::id()));
    create_private_dir(&scratch)?;
    let result = (|| {
        let (signer, _) = PrivateKeySigner::new_keystore(
            &scratch,
            &mut rand08::thread_rng(),
            password,
            Some(name),
        )
        .context("creating the keystore")?;
        let contents = fs::read(scratch.join(name)).context("reading the new keystore")?;
        write_atomically(&path, &contents, 0o600)?;
        Ok(signer)
    })();
    let _ = fs::remove_dir_all(&scratch);
    result
}

/// Decrypts account `name`.
pub(crate) fn unlock(dir: &Path, name: &str, password: &str) -> Result<PrivateKeySigner> {
    let path = dir.join(format!("{name}.json"));
    if !path.is_file() {
        bail!("no keystore for account `{name}` at {}", path.display());
    }
    PrivateKeySigner::decrypt_keystore(&path, password).map_err(|err| match err {
        LocalSignerError::EthKeystoreError(eth_keystore::KeystoreError::MacMismatch) => {
            anyhow::anyhow!("wrong password for account `{name}`")
        }
        other => anyhow::Error::new(other).context(format!("reading keystore {}", path.display())),
    })
}

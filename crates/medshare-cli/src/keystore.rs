//! Encrypted secrets in the data directory: Ethereum account keys and medshare's own secrets
//! (identity secrets, credentials, authority key shares), all as Web3 Secret Storage files
//! (scrypt + AES-128-CTR + keccak MAC), written atomically with mode 0600 in a 0700 directory.

use std::{fs, path::Path};

use alloy::signers::local::PrivateKeySigner;
use anyhow::{Context, Result, bail};
use eth_keystore::KeystoreError;

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

/// Creates a new random account in `dir/<name>.json`.
pub(crate) fn create(dir: &Path, name: &str, password: &str) -> Result<PrivateKeySigner> {
    validate_name(name)?;
    let path = dir.join(format!("{name}.json"));
    if path.exists() {
        bail!("account `{name}` already exists ({})", path.display());
    }
    let signer = PrivateKeySigner::random();
    store_secret(&path, signer.to_bytes().as_slice(), password)?;
    Ok(signer)
}

/// Decrypts account `name`.
pub(crate) fn unlock(dir: &Path, name: &str, password: &str) -> Result<PrivateKeySigner> {
    let path = dir.join(format!("{name}.json"));
    if !path.is_file() {
        bail!("no keystore for account `{name}` at {}", path.display());
    }
    let secret =
        load_secret(&path, password).map_err(|err| err.context(format!("account `{name}`")))?;
    PrivateKeySigner::from_slice(&secret)
        .with_context(|| format!("keystore {} holds no valid key", path.display()))
}

/// Encrypts `secret` under `password` into the file `path`, replacing it atomically.
///
/// The keystore library writes files itself (non-atomically, default mode), so it writes into
/// a private scratch directory and the result is moved into place by [`write_atomically`].
pub(crate) fn store_secret(path: &Path, secret: &[u8], password: &str) -> Result<()> {
    let dir = path.parent().context("secret path has no directory")?;
    create_private_dir(dir)?;
    let scratch = dir.join(format!(".scratch-{}", std::process::id()));
    create_private_dir(&scratch)?;
    let result = (|| {
        eth_keystore::encrypt_key(
            &scratch,
            &mut rand08::thread_rng(),
            secret,
            password,
            Some("secret"),
        )
        .context("encrypting")?;
        let contents = fs::read(scratch.join("secret")).context("reading the encrypted file")?;
        write_atomically(path, &contents, 0o600)
    })();
    let _ = fs::remove_dir_all(&scratch);
    result
}

/// Decrypts the file `path`; a wrong password is reported as such.
pub(crate) fn load_secret(path: &Path, password: &str) -> Result<Vec<u8>> {
    eth_keystore::decrypt_key(path, password).map_err(|err| match err {
        KeystoreError::MacMismatch => anyhow::anyhow!("wrong password"),
        other => anyhow::Error::new(other).context(format!("reading {}", path.display())),
    })
}

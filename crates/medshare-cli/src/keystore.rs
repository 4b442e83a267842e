//! Encrypted secrets in the data directory: Ethereum account keys and medshare's own secrets
//! (identity secrets, credentials, authority key shares), all as Web3 Secret Storage v3 JSON
//! (scrypt + AES-128-CTR + keccak-256 MAC), the format of geth's and foundry's keystores.
//!
//! Encryption and decryption are implemented here rather than by a keystore library because the
//! files are untrusted input (a copied or damaged file must give an error, never a panic) and
//! the scrypt cost must be selectable (geth's standard cost by default, `--light-kdf` for tests
//! and throwaway directories).

use alloy::primitives::{Address, hex, keccak256};
use anyhow::{Context, Result, bail};
use ctr::cipher::{KeyIvInit, StreamCipher};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::output::usage;

/// Environment variable that supplies the keystore password to scripts and CI.
pub(crate) const PASSWORD_ENV: &str = "MEDSHARE_PASSWORD";

/// Shortest password accepted for a new account.
pub(crate) const MIN_PASSWORD_LEN: usize = 8;

/// Longest account name.
pub(crate) const MAX_NAME_LEN: usize = 32;

/// Largest secret a keystore file may hold (registration tables grow with the users).
const MAX_SECRET_LEN: usize = 16 << 20;

/// Largest scrypt cost accepted when decrypting: 2^20 needs 1 GiB with r = 8, far above the
/// standard 2^18; a file asking for more is refused rather than exhausting memory.
const MAX_LOG_N: u8 = 20;

type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;

/// How expensive the password-based key derivation of new files is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kdf {
    /// geth's standard scrypt cost: n = 2^18, r = 8, p = 1 (about 256 MiB and a second).
    #[default]
    Standard,
    /// geth's light cost: n = 2^12, r = 8, p = 6; for tests and throwaway data directories.
    Light,
}

impl Kdf {
    /// `(log2 n, r, p)`.
    const fn params(self) -> (u8, u32, u32) {
        match self {
            Self::Standard => (18, 8, 1),
            Self::Light => (12, 8, 6),
        }
    }
}

/// Checks that an account name is usable as a file name and on the command line.
pub(crate) fn validate_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(usage(format!(
            "invalid account name `{}`: use 1 to {MAX_NAME_LEN} letters, digits, '-' or '_'",
            crate::output::cut(name)
        )));
    }
    Ok(())
}

/// The password of an existing account: `MEDSHARE_PASSWORD`, or asked on the terminal.
pub(crate) fn password(account: &str) -> Result<String> {
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        if password.is_empty() {
            bail!("{PASSWORD_ENV} is set but empty");
        }
        return Ok(password);
    }
    prompt(&format!("Password for account `{account}`: "))
}

/// The password of a new account: at least [`MIN_PASSWORD_LEN`] characters, asked twice on the
/// terminal unless `MEDSHARE_PASSWORD` supplies it.
pub(crate) fn new_password(account: &str) -> Result<String> {
    let from_env = std::env::var(PASSWORD_ENV).is_ok();
    let password = password(account)?;
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(usage(format!(
            "the password of a new account needs at least {MIN_PASSWORD_LEN} characters"
        )));
    }
    if !from_env && prompt("Repeat the password: ")? != password {
        return Err(usage("the passwords do not match"));
    }
    Ok(password)
}

fn prompt(text: &str) -> Result<String> {
    let password = rpassword::prompt_password(text).with_context(|| {
        format!("cannot read a password (no terminal?); set {PASSWORD_ENV} instead")
    })?;
    if password.is_empty() {
        return Err(usage("the password must not be empty"));
    }
    Ok(password)
}

#[derive(Serialize, Deserialize)]
struct KeystoreJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address: Option<String>,
    crypto: CryptoJson,
    #[serde(default)]
    id: String,
    version: u32,
}

#[derive(Serialize, Deserialize)]
struct CryptoJson {
    cipher: String,
    cipherparams: CipherParams,
    ciphertext: String,
    kdf: String,
    kdfparams: ScryptParams,
    mac: String,
}

#[derive(Serialize, Deserialize)]
struct CipherParams {
    iv: String,
}

#[derive(Serialize, Deserialize)]
struct ScryptParams {
    dklen: u32,
    n: u64,
    r: u32,
    p: u32,
    salt: String,
}

/// Encrypts `secret` under `password`; `address` is recorded in the clear (as geth does) so
/// that accounts can be listed without their passwords.
pub(crate) fn encrypt(
    secret: &[u8],
    password: &str,
    kdf: Kdf,
    address: Option<Address>,
) -> Result<Vec<u8>> {
    let mut random = [0u8; 32 + 16 + 16];
    rand08::RngCore::fill_bytes(&mut rand08::thread_rng(), &mut random);
    let (salt, rest) = random.split_at(32);
    let (iv, uuid) = rest.split_at(16);
    let (log_n, r, p) = kdf.params();
    let key = derive(password, salt, log_n, r, p)?;
    let mut ciphertext = secret.to_vec();
    Aes128Ctr::new(key[..16].into(), iv.into()).apply_keystream(&mut ciphertext);
    let mac = mac(&key, &ciphertext);
    let file = KeystoreJson {
        address: address.map(|a| hex::encode(a.as_slice())),
        crypto: CryptoJson {
            cipher: "aes-128-ctr".into(),
            cipherparams: CipherParams {
                iv: hex::encode(iv),
            },
            ciphertext: hex::encode(&ciphertext),
            kdf: "scrypt".into(),
            kdfparams: ScryptParams {
                dklen: 32,
                n: 1 << log_n,
                r,
                p,
                salt: hex::encode(salt),
            },
            mac: hex::encode(mac),
        },
        id: uuid_v4(uuid),
        version: 3,
    };
    let mut json = serde_json::to_vec_pretty(&file)?;
    json.push(b'\n');
    Ok(json)
}

/// Why a keystore file could not be decrypted.
#[derive(Debug)]
pub(crate) enum DecryptError {
    /// The MAC does not match: the password is wrong (or the file was altered).
    WrongPassword,
    /// The file is not a keystore this program can read.
    Malformed(String),
}

impl std::fmt::Display for DecryptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::WrongPassword => f.write_str("wrong password"),
            Self::Malformed(reason) => write!(f, "not a readable keystore: {reason}"),
        }
    }
}

impl std::error::Error for DecryptError {}

/// Decrypts the keystore JSON `file` with `password`.
pub(crate) fn decrypt(file: &[u8], password: &str) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    let malformed = |reason: &str| DecryptError::Malformed(reason.to_string());
    let file: KeystoreJson =
        serde_json::from_slice(file).map_err(|e| DecryptError::Malformed(e.to_string()))?;
    let crypto = &file.crypto;
    if file.version != 3 || crypto.cipher != "aes-128-ctr" || crypto.kdf != "scrypt" {
        return Err(malformed(
            "only version 3 files with scrypt and aes-128-ctr are supported",
        ));
    }
    let params = &crypto.kdfparams;
    if params.dklen != 32 || !params.n.is_power_of_two() || params.n < 2 {
        return Err(malformed("unsupported scrypt parameters"));
    }
    let log_n = u8::try_from(params.n.trailing_zeros()).map_err(|_| malformed("scrypt n"))?;
    if log_n > MAX_LOG_N || !(1..=16).contains(&params.r) || !(1..=16).contains(&params.p) {
        return Err(malformed("scrypt cost out of the accepted range"));
    }
    let decode = |text: &str, what: &str| {
        hex::decode(text).map_err(|_| DecryptError::Malformed(format!("{what} is not hex")))
    };
    let salt = decode(&params.salt, "salt")?;
    let iv = decode(&crypto.cipherparams.iv, "iv")?;
    let mut plaintext = Zeroizing::new(decode(&crypto.ciphertext, "ciphertext")?);
    let expected_mac = decode(&crypto.mac, "mac")?;
    if iv.len() != 16 || expected_mac.len() != 32 || plaintext.len() > MAX_SECRET_LEN {
        return Err(malformed("field lengths"));
    }
    let key = derive(password, &salt, log_n, params.r, params.p)
        .map_err(|e| DecryptError::Malformed(e.to_string()))?;
    let difference = mac(&key, &plaintext)
        .iter()
        .zip(&expected_mac)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if difference != 0 {
        return Err(DecryptError::WrongPassword);
    }
    Aes128Ctr::new(key[..16].into(), iv.as_slice().into()).apply_keystream(&mut plaintext);
    Ok(plaintext)
}

/// The address a keystore file records in the clear, if any.
pub(crate) fn recorded_address(file: &[u8]) -> Result<Option<Address>> {
    let file: KeystoreJson = serde_json::from_slice(file).context("not a keystore file")?;
    file.address
        .map(|text| {
            let text = text.strip_prefix("0x").unwrap_or(&text);
            hex::decode(text)
                .ok()
                .filter(|bytes| bytes.len() == 20)
                .map(|bytes| Address::from_slice(&bytes))
                .context("its address field is not an address")
        })
        .transpose()
}

fn derive(password: &str, salt: &[u8], log_n: u8, r: u32, p: u32) -> Result<Zeroizing<[u8; 32]>> {
    let params = scrypt::Params::new(log_n, r, p)
        .map_err(|_| anyhow::anyhow!("invalid scrypt parameters"))?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password.as_bytes(), salt, &params, key.as_mut())
        .map_err(|_| anyhow::anyhow!("invalid scrypt output length"))?;
    Ok(key)
}

fn mac(key: &[u8; 32], ciphertext: &[u8]) -> [u8; 32] {
    let mut input = Vec::with_capacity(16 + ciphertext.len());
    input.extend_from_slice(&key[16..]);
    input.extend_from_slice(ciphertext);
    keccak256(input).0
}

/// A random (version 4) UUID from 16 random bytes.
fn uuid_v4(random: &[u8]) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(random);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Derived independently with Python (hashlib.scrypt, pycryptodome's AES-CTR and
    /// keccak-256) from web3.js's documented example key, whose address is
    /// 0x2c7536E3605D9C16a7a3D7b1898e529396a65c23; password "medshare vector password".
    const VECTOR: &str = r#"{"address":"2c7536e3605d9c16a7a3d7b1898e529396a65c23","crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6465666768696a6b6c6d6e6f70717273"},"ciphertext":"ac306bad581c9456312e773a0cdd2a2051b47528c2d765aee8e4c01040d5f148","kdf":"scrypt","kdfparams":{"dklen":32,"n":4096,"p":6,"r":8,"salt":"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"},"mac":"1058c420d532569f4b712ba507922438a13754bd2a3fef947f4079fa57cc77a9"},"id":"00000000-0000-4000-8000-000000000000","version":3}"#;

    #[test]
    fn decrypts_an_independently_made_vector() {
        let secret = decrypt(VECTOR.as_bytes(), "medshare vector password").expect("decrypts");
        let signer = alloy::signers::local::PrivateKeySigner::from_slice(&secret).unwrap();
        let recorded = recorded_address(VECTOR.as_bytes()).unwrap();
        assert_eq!(Some(signer.address()), recorded);
        assert_eq!(
            signer.address().to_string(),
            "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
        );
        assert!(matches!(
            decrypt(VECTOR.as_bytes(), "medshare vector passworD"),
            Err(DecryptError::WrongPassword)
        ));
    }

    #[test]
    fn round_trips_with_the_light_cost_and_records_the_address() {
        let address = Address::repeat_byte(0x5a);
        let file = encrypt(b"secret bytes", "password1", Kdf::Light, Some(address)).unwrap();
        assert_eq!(
            decrypt(&file, "password1").unwrap().as_slice(),
            b"secret bytes"
        );
        assert!(matches!(
            decrypt(&file, "password2"),
            Err(DecryptError::WrongPassword)
        ));
        assert_eq!(recorded_address(&file).unwrap(), Some(address));
        let json: serde_json::Value = serde_json::from_slice(&file).unwrap();
        assert_eq!(json["crypto"]["kdfparams"]["n"], 4096);
        assert_eq!(json["id"].as_str().unwrap().len(), 36);
    }

    #[test]
    fn damaged_files_are_errors_not_panics() {
        let file = encrypt(b"k", "password1", Kdf::Light, None).unwrap();
        let text = String::from_utf8(file).unwrap();
        for (from, to) in [
            ("\"n\": 4096", "\"n\": 4095"),
            ("\"n\": 4096", "\"n\": 1099511627776"),
            ("\"dklen\": 32", "\"dklen\": 16"),
            ("\"p\": 6", "\"p\": 0"),
            ("aes-128-ctr", "aes-256-ctr"),
            ("\"version\": 3", "\"version\": 4"),
        ] {
            let damaged = text.replace(from, to);
            assert_ne!(damaged, text, "{from}");
            assert!(
                matches!(
                    decrypt(damaged.as_bytes(), "password1"),
                    Err(DecryptError::Malformed(_))
                ),
                "{to}"
            );
        }
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let iv = json["crypto"]["cipherparams"]["iv"].as_str().unwrap();
        let short_iv = text.replace(iv, &iv[..8]);
        assert!(matches!(
            decrypt(short_iv.as_bytes(), "password1"),
            Err(DecryptError::Malformed(_))
        ));
        for cut in 0..text.len() {
            let _ = decrypt(&text.as_bytes()[..cut], "password1");
        }
    }

    #[test]
    fn standard_cost_is_geths() {
        assert_eq!(Kdf::Standard.params(), (18, 8, 1));
        assert_eq!(Kdf::default(), Kdf::Standard);
    }
}

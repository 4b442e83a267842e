//! `medshare demo`: the end-to-end flow on a fresh embedded chain, narrated step by step.
//!
//! It grows with the project: today it bootstraps a consortium of a hospital, a regulator, a
//! research lab and three re-encryption proxies, governed by 2-of-2 admin approval, shows that
//! the chain refuses a change proposed by a non-admin, and shares a record with the lab through
//! 2-of-3 threshold proxy re-encryption under a per-record label key.

use std::path::PathBuf;

use std::num::NonZeroU64;

use alloy::signers::local::PrivateKeySigner;
use anyhow::{Context, Result, bail};
use medshare_chain::{Change, Roles, ShortText};
use serde::Serialize;

use super::{
    chain,
    consortium::{describe, render_members},
    init::{Joining, RegistrySettings, check_free, initialise, staging_dir},
};
use crate::{
    args::{DemoArgs, GlobalArgs},
    client::Client,
    datadir::{Config, DataDir, EMBEDDED, Lock, new_account_file},
    keystore::{self, Kdf},
    output::Printer,
};

/// Password of the demo's throwaway keystores when MEDSHARE_PASSWORD is not set.
const DEMO_PASSWORD: &str = "medshare-demo";
/// Epochs of the demo chain are short so that it can show an epoch change.
const DEMO_EPOCH_SECONDS: u64 = 1;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DemoReport {
    data_dir: PathBuf,
    kept: bool,
    steps: Vec<String>,
}

pub(super) fn run(global: &GlobalArgs, args: &DemoArgs, printer: &Printer) -> Result<()> {
    if global
        .network
        .as_deref()
        .is_some_and(|name| name != EMBEDDED)
    {
        return Err(crate::output::usage(
            "the demo runs on a fresh embedded chain; leave out --network",
        ));
    }
    let (root, explicit) = match &global.data_dir {
        Some(dir) => (dir.clone(), true),
        None => (scratch_dir()?, false),
    };
    check_free(&root)?;
    let data_dir = DataDir::at(root.clone());
    // A directory the user named is theirs to keep; the scratch one goes unless --keep, on every
    // exit: success, error, a closed stdout (unwinding) or Ctrl-C / SIGTERM (the handler).
    let kept = explicit || args.keep;
    let _cleanup = if kept {
        None
    } else {
        Some(RemoveOnExit::new(vec![root.clone(), staging_dir(&root)?]))
    };
    let mut steps = Vec::new();
    narrate(&data_dir, printer, &mut steps)?;
    printer.result(
        &DemoReport {
            data_dir: root.clone(),
            kept,
            steps,
        },
        || {
            if kept {
                format!("demo finished; its data directory is {}", root.display())
            } else {
                "demo finished (pass --keep to keep its data directory)".to_string()
            }
        },
        root.display(),
    );
    Ok(())
}

/// Removes the demo's scratch directory (and `init`'s staging directory of it) when dropped,
/// and on Ctrl-C or SIGTERM.
struct RemoveOnExit {
    dirs: Vec<PathBuf>,
}

impl RemoveOnExit {
    fn new(dirs: Vec<PathBuf>) -> Self {
        let on_signal = dirs.clone();
        // Fails only if a handler is already installed, which medshare never does elsewhere.
        let _ = ctrlc::set_handler(move || {
            remove_all(&on_signal);
            std::process::exit(130);
        });
        Self { dirs }
    }
}

impl Drop for RemoveOnExit {
    fn drop(&mut self) {
        remove_all(&self.dirs);
    }
}

fn remove_all(dirs: &[PathBuf]) {
    for dir in dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn narrate(data_dir: &DataDir, printer: &Printer, steps: &mut Vec<String>) -> Result<()> {
    let mut step = |message: String| {
        printer.step(&message);
        steps.push(message);
    };
    let password = std::env::var(keystore::PASSWORD_ENV).unwrap_or_else(|_| DEMO_PASSWORD.into());

    step(format!(
        "creating a consortium chain in {}",
        data_dir.root().display()
    ));
    // Throwaway keystores: the light key derivation keeps the demo fast.
    initialise(
        data_dir,
        "st-mary",
        &password,
        Kdf::Light,
        Joining::Embedded {
            institution: ShortText::new("St Mary Hospital")?,
            registry: RegistrySettings {
                epoch_duration: DEMO_EPOCH_SECONDS,
                min_threshold: 2,
                min_authorities: 3,
            },
        },
    )?;
    let lock = data_dir.lock()?;
    let config = data_dir.config()?;
    let hospital = data_dir.unlock(&config, "st-mary", &password)?;
    step(format!(
        "St Mary Hospital {} bootstraps it as the only admin (1-of-1)",
        hospital.address()
    ));

    let regulator = new_account(data_dir, &lock, "regulator", &password)?;
    let lab = new_account(data_dir, &lock, "city-lab", &password)?;
    let proxies = [
        new_account(data_dir, &lock, "proxy-1", &password)?,
        new_account(data_dir, &lock, "proxy-2", &password)?,
        new_account(data_dir, &lock, "proxy-3", &password)?,
    ];
    let config = data_dir.config()?;
    step("created keystores for the regulator, City Lab and proxies 1-3".into());

    let client = Client::open(data_dir, &config)?;
    let consortium = client.consortium()?;
    let outcome = client.run(consortium.propose(
        &hospital,
        &add(
            &regulator,
            Roles::ADMIN | Roles::AUTHORITY,
            "Health Regulator",
        )?,
    ))?;
    step(format!(
        "St Mary adds the regulator as admin + authority: {}",
        describe(&outcome)
    ));
    let two = NonZeroU64::new(2).context("2 is not zero")?;
    let outcome = client.run(consortium.propose(&hospital, &Change::SetThreshold(two)))?;
    step(format!(
        "St Mary raises the approval threshold to 2: {}",
        describe(&outcome)
    ));

    for (signer, roles, name) in [
        (&lab, Roles::RESEARCH, "City Lab"),
        (&proxies[0], Roles::PROXY, "Proxy One"),
        (&proxies[1], Roles::PROXY, "Proxy Two"),
        (&proxies[2], Roles::PROXY, "Proxy Three"),
    ] {
        let proposed = client.run(consortium.propose(&hospital, &add(signer, roles, name)?))?;
        step(format!(
            "St Mary proposes {name} ({roles}): {}",
            describe(&proposed)
        ));
        let approved = client.run(consortium.approve(&regulator, proposed.id))?;
        step(format!("the regulator approves: {}", describe(&approved)));
        if !approved.executed {
            bail!(
                "proposal #{} should have executed with 2 approvals",
                proposed.id
            );
        }
    }

    let refused = client
        .run(consortium.propose(&lab, &add(&lab, Roles::ADMIN, "City Lab")?))
        .err()
        .context("a research lab must not be able to propose changes")?;
    step(format!(
        "City Lab tries to make itself admin and is refused: {refused:#}"
    ));

    let members = client.run(consortium.members())?;
    if members.len() != 6 {
        bail!("expected 6 members, found {}", members.len());
    }
    step(format!("members:\n{}", render_members(&members).trim_end()));
    share_record(&mut step)?;

    // The identity commands open the chain themselves.
    drop(client);
    let config = anonymous_access(data_dir, &lock, &config, &password, &mut step)?;

    let client = Client::open(data_dir, &config)?;
    let status = chain::status(&client, &config)?;
    step(format!(
        "chain status:\n{}",
        chain::render(&status, data_dir).trim_end()
    ));
    Ok(())
}

/// The proposal that admits `signer` with `roles` under the institution name `name`.
fn add(signer: &PrivateKeySigner, roles: Roles, name: &str) -> Result<Change> {
    Ok(Change::AddMember {
        account: signer.address(),
        roles,
        name: ShortText::new(name)?,
    })
}

/// Creates account `name` of the demo (light key derivation).
fn new_account(
    data_dir: &DataDir,
    lock: &Lock,
    name: &str,
    password: &str,
) -> Result<PrivateKeySigner> {
    let signer = PrivateKeySigner::random();
    let mut txn = lock.transaction();
    data_dir.stage_account(
        &mut txn,
        name,
        &new_account_file(&signer, password, Kdf::Light)?,
    )?;
    txn.commit()?;
    Ok(signer)
}

/// A fresh directory name under the system temporary directory.
fn scratch_dir() -> Result<PathBuf> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the system clock is before 1970")?
        .subsec_nanos();
    Ok(std::env::temp_dir().join(format!("medshare-demo-{}-{nanos}", std::process::id())))
}

/// A researcher acts anonymously, misbehaves, is traced by 2 of 3 authorities and revoked.
fn anonymous_access(
    data_dir: &DataDir,
    lock: &Lock,
    config: &Config,
    password: &str,
    step: &mut impl FnMut(String),
) -> Result<Config> {
    use medshare_chain::Motion;

    use super::identity::{Session, describe_trace};
    use crate::args::TokenArgs;

    let client = Client::open(data_dir, config)?;
    let consortium = client.consortium()?;
    let hospital = data_dir.unlock(config, "st-mary", password)?;
    let regulator = data_dir.unlock(config, "regulator", password)?;
    for (name, label) in [
        ("ethics-board", "Ethics Board"),
        ("privacy-office", "Privacy Office"),
    ] {
        let signer = new_account(data_dir, lock, name, password)?;
        let change = add(&signer, Roles::AUTHORITY, label)?;
        let proposed = client.run(consortium.propose(&hospital, &change))?;
        client.run(consortium.approve(&regulator, proposed.id))?;
    }
    new_account(data_dir, lock, "dr-lee", password)?;
    let config = data_dir.config()?;
    drop(client);
    step("the Ethics Board and the Privacy Office join as authorities (2-of-2 approvals)".into());

    let session = Session::with_password(data_dir, &config, lock, password);
    let authorities = ["regulator", "ethics-board", "privacy-office"].map(String::from);
    let lone = session.keygen(&authorities, 2, &["st-mary".to_string()], false)?;
    if session
        .approve(Some("st-mary"), &Motion::ApproveKeySet(lone.key_set))
        .is_ok()
    {
        bail!("one admin must not be able to approve a key set twice");
    }
    let key_set = session.approve(Some("regulator"), &Motion::ApproveKeySet(lone.key_set))?;
    if !key_set.done {
        bail!("the key set should be active after 2 of 2 admin approvals");
    }
    step(format!(
        "the three authorities run a distributed key generation; each checks key set {} (2-of-3) against its own view and confirms; St Mary's approval alone does not install it, the regulator's second one does (2-of-2 admins)",
        lone.key_set
    ));
    let rid = "ORCID 0000-0002-1825-0097";
    session.register(Some("dr-lee"), rid, &authorities)?;
    step(format!(
        "Dr Lee registers her real identity ({rid}) with the authorities, off chain"
    ));
    let epoch = session.issue(Some("dr-lee"), &authorities[1..])?;
    step(format!(
        "the Ethics Board and the Privacy Office blindly issue her epoch-{epoch} credential"
    ));

    let request = TokenArgs {
        action: "medshare.access.request".into(),
        nonce: "1".into(),
        sender: Some("city-lab".into()),
        verifier: None,
        scope: None,
    };
    let (token, _) = session.token(Some("dr-lee"), &request)?;
    let token_hex = alloy::primitives::hex::encode(token.to_bytes());
    if !session.verify(Some("dr-lee"), &token_hex, &request)?.valid {
        bail!("the registry rejected an honest token");
    }
    let replayed_elsewhere = TokenArgs {
        nonce: "2".into(),
        ..request.clone()
    };
    if session
        .verify(Some("dr-lee"), &token_hex, &replayed_elsewhere)?
        .valid
    {
        bail!("a token must not verify for another request");
    }
    step("she shows an unlinkable token bound to City Lab's request #1; the registry verifies it (and rejects it for request #2)".into());
    let nullifier = session.consume(Some("city-lab"), &token_hex, &request)?;
    let replay = session
        .consume(Some("city-lab"), &token_hex, &request)
        .err()
        .context("a replayed token must be refused")?;
    step(format!(
        "City Lab submits it (nullifier {nullifier}); a replay is refused: {replay:#}"
    ));

    let trace_id = session.request_trace(
        Some("regulator"),
        &nullifier.to_string(),
        "ethics complaint 2026-31",
    )?;
    let first = session.trace_share(Some("regulator"), trace_id)?;
    step(format!(
        "misuse is reported: the regulator opens trace #{trace_id} on chain and posts its share ({})",
        describe_trace(&first)
    ));
    let second = session.trace_share(Some("ethics-board"), trace_id)?;
    step(format!(
        "the Ethics Board posts a verifiable share: {}",
        describe_trace(&second)
    ));
    let shown = session.trace_show(Some("privacy-office"), trace_id)?;
    if shown.rid.as_deref() != Some(rid) {
        bail!("the trace resolved to {:?}, not {rid}", shown.rid);
    }
    step(format!(
        "the Privacy Office resolves it with its registration table: {}",
        shown.describe()
    ));
    let commitment = shown.commitment.to_string();
    let first = session.revoke(Some("regulator"), &commitment, "ethics complaint 2026-31")?;
    if first.done {
        bail!("one authority must not be able to revoke alone");
    }
    let revoked = session.revoke(
        Some("ethics-board"),
        &commitment,
        "ethics complaint 2026-31",
    )?;
    let next = revoked
        .epoch
        .filter(|_| revoked.done)
        .context("the second approval should revoke her and start the next epoch")?;
    let refused = session
        .issue(Some("dr-lee"), &authorities[1..])
        .err()
        .context("a revoked user must not get a credential")?;
    step(format!(
        "the regulator's approval alone revokes nobody; with the Ethics Board's (2-of-3) she is revoked and epoch {next} starts at once, so her credential has expired; her new credential request is refused: {refused:#}"
    ));
    drop(session);
    Ok(config)
}

/// A patient's record reaches City Lab through 2-of-3 proxy re-encryption (off-chain for now;
/// the on-chain grant and re-encryption evidence arrive with the record registry).
fn share_record(step: &mut impl FnMut(String)) -> Result<()> {
    use medshare_pre::{
        CapsuleFrag, KeyFrag, MasterSecret, SecretKey, decrypt_reencrypted, encrypt,
        generate_kfrags, reencrypt,
    };

    const RECORD: &[u8] = br#"{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Observation","code":{"text":"HbA1c"},"valueQuantity":{"value":6.1,"unit":"%"}}}]}"#;
    const RECORD_LABEL: &[u8] = b"record:st-mary/2026/0001";
    let patient = MasterSecret::random();
    let label = patient.derive_label_key(RECORD_LABEL);
    let label_pk = label.public_key();
    // Published with the record next to `label_pk`: the key every grant of it is signed with.
    let signing_key = patient.derive_delegation_key(RECORD_LABEL);
    let label_vk = signing_key.verifying_key();
    let (capsule, ciphertext) = encrypt(&label_pk, RECORD);
    step(format!(
        "St Mary encrypts a {}-byte FHIR record to the patient's per-record label key",
        RECORD.len()
    ));

    let lab_key = SecretKey::random();
    let kfrags = generate_kfrags(&label, &signing_key, &lab_key.public_key(), 2, 3)
        .map_err(|e| anyhow::anyhow!("generating key fragments: {e}"))?;
    step("the patient grants City Lab 2-of-3 access: one key fragment per proxy".into());

    // Proxies 1 and 3 answer; each checks its fragment before using it.
    let cfrags = [&kfrags[0], &kfrags[2]]
        .into_iter()
        .map(|kfrag| -> Result<Vec<u8>> {
            let received = KeyFrag::from_bytes(kfrag.to_bytes().as_slice())
                .map_err(|e| anyhow::anyhow!("decoding a key fragment: {e}"))?;
            let verified = received
                .verify(&label_pk, &label_vk, &lab_key.public_key())
                .map_err(|(e, _)| anyhow::anyhow!("a proxy rejected its key fragment: {e}"))?;
            Ok(reencrypt(&capsule, &verified).to_bytes().to_vec())
        })
        .collect::<Result<Vec<_>>>()?;
    step("proxies 1 and 3 re-encrypt the capsule, each with a proof of correct work".into());

    let verified = cfrags
        .iter()
        .map(|bytes| {
            CapsuleFrag::from_bytes(bytes)
                .map_err(|e| anyhow::anyhow!("decoding a capsule fragment: {e}"))?
                .verify(&capsule, &label_pk, &label_vk, &lab_key.public_key())
                .map_err(|(e, _)| anyhow::anyhow!("a capsule fragment failed verification: {e}"))
        })
        .collect::<Result<Vec<_>>>()?;
    let plaintext = decrypt_reencrypted(&lab_key, &capsule, &verified, &ciphertext)
        .map_err(|e| anyhow::anyhow!("City Lab could not decrypt: {e}"))?;
    if plaintext != RECORD {
        bail!("the decrypted record differs from the original");
    }
    step("City Lab verifies both fragments and decrypts the record; it matches".into());
    Ok(())
}

//! End-to-end tests of the `medshare` binary: what a user types and what they see.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use std::path::Path;

#[test]
fn init_then_status_on_the_embedded_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let report = init(&dir);
    assert_eq!(report["network"], "embedded");
    assert_eq!(report["chainId"], 1337);

    // The keystore is private and encrypted.
    let keystore = dir.join("keystore/default.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&keystore).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(dir.join("keystore"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
    }
    let keystore_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&keystore).unwrap()).unwrap();
    assert_eq!(keystore_json["crypto"]["kdf"], "scrypt");

    // A second process reads what the first one deployed.
    let output = run(&dir, &["--json", "chain", "status"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let status: serde_json::Value = data(&output);
    assert_eq!(status["chainId"], 1337);
    assert_eq!(
        status["blockNumber"], 3,
        "genesis, then the Consortium, IdentityRegistry and PreVerifier deployments"
    );
    assert_eq!(status["identity"]["epoch"], 0, "no key set yet");
    assert_eq!(status["contracts"]["consortium"], report["consortium"]);
    assert_eq!(status["consortium"]["members"], 1);
    assert_eq!(status["consortium"]["threshold"], 1);

    let text = stdout(&run(&dir, &["chain", "status"]));
    assert!(text.contains("chain id     1337"), "{text}");
    let consortium = report["consortium"].as_str().unwrap().to_lowercase();
    assert!(text.to_lowercase().contains(&consortium), "{text}");

    // No staging directory is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("data")]);
}

#[test]
fn governance_through_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    assert!(run(&dir, &["account", "new", "regulator"]).status.success());
    let regulator = stdout(&run(&dir, &["-q", "account", "address", "regulator"]))
        .trim()
        .to_string();
    assert!(
        regulator.starts_with("0x") && regulator.len() == 42,
        "{regulator}"
    );

    let out = run(
        &dir,
        &[
            "consortium",
            "propose",
            "add",
            &regulator,
            "--roles",
            "admin,authority",
            "--name",
            "Regulator",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("proposal #1 executed"),
        "{}",
        stdout(&out)
    );
    let out = run(&dir, &["consortium", "propose", "set-threshold", "2"]);
    assert!(
        stdout(&out).contains("proposal #2 executed"),
        "{}",
        stderr(&out)
    );

    let lab = "0x00000000000000000000000000000000000000aa";
    let out = run(
        &dir,
        &["consortium", "propose", "add", lab, "--roles", "research"],
    );
    assert!(
        stdout(&out).contains("proposal #3 pending: 1 of 2"),
        "{}",
        stderr(&out)
    );
    let out = run(&dir, &["--from", "regulator", "consortium", "approve", "3"]);
    assert!(
        stdout(&out).contains("proposal #3 executed (2 approvals)"),
        "{}",
        stderr(&out)
    );

    let members: serde_json::Value = data(&run(&dir, &["--json", "consortium", "members"]));
    let roles: Vec<serde_json::Value> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["roles"].clone())
        .collect();
    assert_eq!(
        roles,
        [
            serde_json::json!(["admin"]),
            serde_json::json!(["admin", "authority"]),
            serde_json::json!(["research"])
        ]
    );

    // The contract's custom error reaches people as a sentence, scripts by name.
    let out = run(&dir, &["--from", "regulator", "consortium", "approve", "3"]);
    assert_refusal(&out, "proposal #3 is already executed");
    let out = run(
        &dir,
        &[
            "--json",
            "--from",
            "regulator",
            "consortium",
            "approve",
            "3",
        ],
    );
    assert_json_refusal(&out, "ConsortiumProposalNotPending");
    let out = run(&dir, &["consortium", "proposal", "3", "--json"]);
    let proposal: serde_json::Value = data(&out);
    assert_eq!(proposal["status"], "executed");
    assert_eq!(proposal["approvals"], 2);
}

#[test]
fn demo_runs_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let out = run(&dir, &["demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("refused: ")
            && text.contains("is not a member of the consortium with the admin role"),
        "{text}"
    );
    assert!(
        text.contains("8 members, 2 admins, 2-of-2 admin approvals"),
        "{text}"
    );
    assert!(text.contains("decrypts the record; it matches"), "{text}");
    assert!(text.contains("is `ORCID 0000-0002-1825-0097`"), "{text}");
    assert!(text.contains("has already been used"), "{text}");
    assert!(
        !text.contains("Consortium") && !text.contains("IdentityRegistry"),
        "no raw error names: {text}"
    );
    assert!(
        text.contains("the identity of `ORCID 0000-0002-1825-0097` is revoked"),
        "{text}"
    );
    // With an explicit --data-dir the demo's chain stays for inspection.
    assert!(run(&dir, &["chain", "status"]).status.success());
}

#[test]
fn unknown_network_is_refused_before_anything_happens() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let before = std::fs::read(dir.join("config.json")).unwrap();
    let out = run(&dir, &["--network", "mainnet", "chain", "status"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("no network named `mainnet`")
            && err.contains("(networks: embedded)")
            && err.contains("medshare network add"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    assert_eq!(std::fs::read(dir.join("config.json")).unwrap(), before);
}

#[test]
fn missing_data_dir_says_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&tmp.path().join("nowhere"), &["chain", "status"]);
    assert_one_line_error(&out, "create one with `medshare init`");
    let out = run(tmp.path(), &["chain", "status"]);
    assert_one_line_error(&out, "is not initialised");
}

#[test]
fn wrong_password_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let out = medshare(&dir, &["consortium", "propose", "set-threshold", "1"])
        .env("MEDSHARE_PASSWORD", "not the password")
        .output()
        .unwrap();
    assert_one_line_error(&out, "account `default`: wrong password");
    // Nothing was sent.
    let status: serde_json::Value = data(&run(&dir, &["--json", "chain", "status"]));
    assert_eq!(status["consortium"]["proposals"], 0);
}

#[test]
fn no_password_and_no_terminal_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = medshare(&tmp.path().join("data"), &["init"])
        .env_remove("MEDSHARE_PASSWORD")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_one_line_error(&out, "MEDSHARE_PASSWORD");
    assert!(
        !tmp.path().join("data").exists(),
        "a failed init leaves nothing"
    );
}

#[test]
fn corrupt_state_is_reported_not_panicked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    std::fs::write(dir.join("chain/chain.redb"), b"this is not a database").unwrap();
    assert_one_line_error(&run(&dir, &["chain", "status"]), "corrupt");

    std::fs::write(dir.join("config.json"), b"{ not json").unwrap();
    assert_one_line_error(&run(&dir, &["chain", "status"]), "config.json is corrupt");
}

#[test]
fn init_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    assert_one_line_error(&run(&dir, &["init"]), "already initialised");
    std::fs::create_dir(tmp.path().join("busy")).unwrap();
    std::fs::write(tmp.path().join("busy/notes.txt"), b"mine").unwrap();
    assert_one_line_error(&run(&tmp.path().join("busy"), &["init"]), "is not empty");
    assert_usage_error(
        &run(&tmp.path().join("x"), &["init", "--account", "../evil"]),
        "invalid account name",
    );
    assert_usage_error(
        &run(
            &tmp.path().join("y"),
            &["init", "--name", "An Institution Name Far Too Long To Fit"],
        ),
        "is 39 bytes long; at most 32 bytes fit on chain",
    );
    assert_usage_error(
        &run(
            &tmp.path().join("z"),
            &["init", "--name", "Evil\n\u{1b}[2J"],
        ),
        "contains control characters",
    );
}

#[test]
fn bad_arguments_to_propose_are_explained() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    assert_usage_error(
        &run(&dir, &["consortium", "propose", "add", "0x1234"]),
        "is not a hex address",
    );
    assert_usage_error(
        &run(
            &dir,
            &[
                "consortium",
                "propose",
                "add",
                "0x00000000000000000000000000000000000000aa",
            ],
        ),
        "--roles is required",
    );
    assert_usage_error(
        &run(
            &dir,
            &[
                "consortium",
                "propose",
                "add",
                "0x00000000000000000000000000000000000000aa",
                "--roles",
                "surgeon",
            ],
        ),
        "unknown role `surgeon`",
    );
    // Rejected on chain before signing: the threshold cannot exceed the admin count.
    assert_refusal(
        &run(&dir, &["consortium", "propose", "set-threshold", "5"]),
        "an approval threshold of 5 needs at least 5 admins, but the consortium would have 1 admin",
    );
    assert_json_refusal(
        &run(
            &dir,
            &["--json", "consortium", "propose", "set-threshold", "5"],
        ),
        "ConsortiumInvalidThreshold",
    );
    assert_usage_error(
        &run(&dir, &["--from", "nobody", "consortium", "approve", "1"]),
        "no account named `nobody`",
    );
}

#[test]
fn json_errors_are_machine_readable() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&tmp.path().join("nowhere"), &["--json", "chain", "status"]);
    assert_eq!(out.status.code(), Some(1));
    let error = json_error(&out);
    assert_eq!(error["kind"], "failure");
    assert!(error["message"].as_str().unwrap().contains("medshare init"));
}

#[test]
fn identity_lifecycle_through_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    ok(&dir, &["init", "--light-kdf", "--epoch-duration", "1"]);
    for account in ["auth-1", "auth-2", "auth-3", "alice", "lab", "admin-2"] {
        ok(&dir, &["account", "new", account]);
    }
    let keygen = |global: &[&str], threshold: &str| {
        let args = [
            "identity",
            "keygen",
            "--authorities",
            "auth-1,auth-2,auth-3",
            "--threshold",
            threshold,
        ];
        run(&dir, &[global, &args].concat())
    };
    // Keys can only be generated by consortium authorities.
    assert_one_line_error(
        &keygen(&[], "2"),
        "is not a consortium member with the authority role",
    );
    for account in ["auth-1", "auth-2", "auth-3"] {
        let address = ok(&dir, &["-q", "account", "address", account]);
        ok(
            &dir,
            &[
                "consortium",
                "propose",
                "add",
                address.trim(),
                "--roles",
                "authority",
            ],
        );
    }
    // Below the registry's minimum threshold (2, fixed at init): refused on chain.
    assert_refusal(&keygen(&[], "1"), "a 1-of-3 key set is not allowed");
    let out = keygen(&["--json"], "2");
    assert!(out.status.success(), "{}", stderr(&out));
    let keygen: serde_json::Value = data(&out);
    // Proposed and confirmed, but not in force until the consortium's admins approve it; with
    // a single admin nobody can.
    assert_eq!(keygen["needed"], 1, "{keygen}");
    assert_eq!(ok(&dir, &["-q", "identity", "epoch", "show"]).trim(), "0");
    let key_set = keygen["keySet"].as_str().unwrap().to_string();
    assert_refusal(
        &run(&dir, &["identity", "key-set", "approve", &key_set]),
        "the first key set needs the approval of at least 2 consortium admins, but the consortium's threshold is 1",
    );
    assert_json_refusal(
        &run(
            &dir,
            &["--json", "identity", "key-set", "approve", &key_set],
        ),
        "IdentityRegistryAdminThresholdTooLow",
    );
    let admin_2 = ok(&dir, &["-q", "account", "address", "admin-2"]);
    ok(
        &dir,
        &[
            "consortium",
            "propose",
            "add",
            admin_2.trim(),
            "--roles",
            "admin",
        ],
    );
    ok(&dir, &["consortium", "propose", "set-threshold", "2"]);
    // An authority is not a consortium admin: it cannot approve the first key set.
    let auth_1 = address(&dir, "auth-1");
    let auth_1_short = format!("{}…{}", &auth_1[..6], &auth_1[38..]);
    assert_refusal(
        &run(
            &dir,
            &[
                "--from", "auth-1", "identity", "key-set", "approve", &key_set,
            ],
        ),
        &format!("{auth_1_short} may not do this"),
    );
    assert_json_refusal(
        &run(
            &dir,
            &[
                "--json", "--from", "auth-1", "identity", "key-set", "approve", &key_set,
            ],
        ),
        "IdentityRegistryUnauthorizedAccount",
    );
    let first = ok(&dir, &["identity", "key-set", "approve", &key_set]);
    assert!(first.contains("1 of 2 approvals"), "{first}");
    let approved = ok(
        &dir,
        &[
            "--from", "admin-2", "identity", "key-set", "approve", &key_set,
        ],
    );
    assert!(
        approved.contains("it is the active key set from epoch 1"),
        "{approved}"
    );
    assert_eq!(ok(&dir, &["-q", "identity", "epoch", "show"]).trim(), "1");

    ok(
        &dir,
        &[
            "--from",
            "alice",
            "identity",
            "register",
            "--rid",
            "patient:alice",
            "--authorities",
            "auth-1,auth-2,auth-3",
        ],
    );
    // One authority is below the threshold.
    assert_one_line_error(
        &run(
            &dir,
            &[
                "--from",
                "alice",
                "identity",
                "issue",
                "--authorities",
                "auth-2",
            ],
        ),
        "cannot assemble a credential",
    );
    ok(
        &dir,
        &[
            "--from",
            "alice",
            "identity",
            "issue",
            "--authorities",
            "auth-2,auth-3",
        ],
    );

    let context = [
        "--action",
        "medshare.access.request",
        "--nonce",
        "7",
        "--sender",
        "lab",
    ];
    let token = ok(
        &dir,
        &[
            &["-q", "--from", "alice", "identity", "token"][..],
            &context,
        ]
        .concat(),
    );
    let token = token.trim();
    assert_eq!(
        ok(
            &dir,
            &[
                &["-q", "--from", "alice", "identity", "verify", token][..],
                &context
            ]
            .concat()
        )
        .trim(),
        "valid"
    );
    // Bound to its context: another nonce is rejected.
    let other = [
        "--action",
        "medshare.access.request",
        "--nonce",
        "8",
        "--sender",
        "lab",
    ];
    assert_one_line_error(
        &run(
            &dir,
            &[
                &["--from", "alice", "identity", "verify", token][..],
                &other,
            ]
            .concat(),
        ),
        "rejects this token",
    );
    // With --json a rejection is exactly one document: the error envelope.
    let rejected = run(
        &dir,
        &[
            &["--json", "--from", "alice", "identity", "verify", token][..],
            &other,
        ]
        .concat(),
    );
    assert_eq!(rejected.status.code(), Some(1));
    assert!(
        json_error(&rejected)["message"]
            .as_str()
            .unwrap()
            .contains("rejects this token")
    );
    let used: serde_json::Value = serde_json::from_str(&ok(
        &dir,
        &[
            &["--json", "--from", "lab", "identity", "use", token][..],
            &context[..4],
        ]
        .concat(),
    ))
    .unwrap();
    let nullifier = used["data"]["nullifier"].as_str().unwrap().to_string();
    // Verifying a used token says so, with its nullifier.
    let verdict = data(&run(
        &dir,
        &[
            &["--json", "--from", "alice", "identity", "verify", token][..],
            &context,
        ]
        .concat(),
    ));
    assert_eq!(verdict["valid"], true);
    assert_eq!(verdict["used"], true);
    assert_eq!(verdict["nullifier"], nullifier.as_str());
    let said = ok(
        &dir,
        &[
            &["--from", "alice", "identity", "verify", token][..],
            &context,
        ]
        .concat(),
    );
    assert!(
        said.starts_with("valid, already used") && said.contains(&nullifier),
        "{said}"
    );
    let short_nullifier = format!("{}…{}", &nullifier[..10], &nullifier[62..]);
    assert_refusal(
        &run(
            &dir,
            &[
                &["--from", "lab", "identity", "use", token][..],
                &context[..4],
            ]
            .concat(),
        ),
        &format!("the token with nullifier {short_nullifier} has already been used"),
    );
    assert_json_refusal(
        &run(
            &dir,
            &[
                &["--json", "--from", "lab", "identity", "use", token][..],
                &context[..4],
            ]
            .concat(),
        ),
        "IdentityRegistryTokenAlreadyUsed",
    );
    // Scoped: one use per user and scope, whatever the nonce; another scope is independent.
    // The scope point depends on the registry's address (new each run), and 1 scope in 32 is
    // refused with a clear error, so take the first two scope names the registry accepts.
    let token_in = |scope: &str, nonce: &str| {
        let args = [
            "--action",
            "medshare.access.request",
            "--nonce",
            nonce,
            "--scope",
            scope,
        ];
        let out = run(
            &dir,
            &[
                &[
                    "-q", "--from", "alice", "identity", "token", "--sender", "lab",
                ][..],
                &args,
            ]
            .concat(),
        );
        if out.status.success() {
            Some(String::from_utf8(out.stdout).unwrap().trim().to_string())
        } else {
            assert_one_line_error(&out, "the registry refuses this --scope");
            None
        }
    };
    let scopes: Vec<String> = (0..64)
        .map(|i| format!("record:{i}"))
        .filter(|scope| token_in(scope, "0").is_some())
        .take(2)
        .collect();
    let use_in = |scope: &str, nonce: &str| {
        let token = token_in(scope, nonce).unwrap();
        let args = [
            "--action",
            "medshare.access.request",
            "--nonce",
            nonce,
            "--scope",
            scope,
        ];
        run(
            &dir,
            &[
                &["--from", "lab", "identity", "use", token.as_str()][..],
                &args,
            ]
            .concat(),
        )
    };
    assert!(use_in(&scopes[0], "1").status.success());
    assert_refusal(&use_in(&scopes[0], "2"), "has already been used");
    assert!(use_in(&scopes[1], "3").status.success());

    ok(
        &dir,
        &[
            "--from",
            "auth-1",
            "identity",
            "trace",
            "request",
            &nullifier,
            "--reason",
            "court order 17",
        ],
    );
    assert!(
        ok(
            &dir,
            &["--from", "auth-1", "identity", "trace", "share", "1"]
        )
        .contains("1 of 2 shares")
    );
    assert_refusal(
        &run(
            &dir,
            &["--from", "auth-1", "identity", "trace", "share", "1"],
        ),
        "the share of authority 1 for trace #1 was accepted already",
    );
    assert_json_refusal(
        &run(
            &dir,
            &[
                "--json", "--from", "auth-1", "identity", "trace", "share", "1",
            ],
        ),
        "IdentityRegistryDuplicateTraceShare",
    );
    assert!(
        ok(
            &dir,
            &["--from", "auth-3", "identity", "trace", "share", "1"]
        )
        .contains("complete")
    );
    let shown = data(&run(
        &dir,
        &[
            "--json", "--from", "auth-2", "identity", "trace", "show", "1",
        ],
    ));
    assert_eq!(shown["rid"], "patient:alice");
    let commitment = shown["commitment"].as_str().unwrap().to_string();

    // Only authorities revoke, and only traced identities.
    assert_refusal(
        &run(
            &dir,
            &[
                "--from",
                "lab",
                "identity",
                "revoke",
                &commitment,
                "--reason",
                "misuse",
            ],
        ),
        "may not do this: it needs the authority role in the consortium",
    );
    let revoke = |from: &str| {
        ok(
            &dir,
            &[
                "--from",
                from,
                "identity",
                "revoke",
                &commitment,
                "--reason",
                "misuse",
            ],
        )
    };
    // One authority alone revokes nobody; the second (t = 2) revokes and rotates the epoch.
    let first = revoke("auth-1");
    assert!(first.contains("1 of 2 approvals"), "{first}");
    assert_eq!(ok(&dir, &["-q", "identity", "epoch", "show"]).trim(), "1");
    let second = revoke("auth-2");
    assert!(
        second.contains("revoked") && second.contains("epoch 2 started"),
        "{second}"
    );
    assert_one_line_error(
        &run(
            &dir,
            &[
                "--from",
                "alice",
                "identity",
                "issue",
                "--authorities",
                "auth-2,auth-3",
            ],
        ),
        "is revoked",
    );
    // The old credential is for epoch 1 and no longer yields tokens.
    assert_one_line_error(
        &run(
            &dir,
            &[&["--from", "alice", "identity", "token"][..], &context].concat(),
        ),
        "no credential for epoch 2",
    );
    let status = data(&run(&dir, &["--json", "chain", "status"]));
    assert_eq!(status["identity"]["epoch"], 2);
    assert_eq!(status["identity"]["traces"], 1);
}

#[test]
fn every_damaged_chain_page_gives_one_line_or_works() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let chain_file = dir.join("chain/chain.redb");
    let valid = std::fs::read(&chain_file).unwrap();
    let mut reported = 0;
    for start in (0..valid.len()).step_by(4096) {
        let mut damaged = valid.clone();
        let end = (start + 4096).min(valid.len());
        damaged[start..end]
            .iter_mut()
            .for_each(|byte| *byte ^= 0xa5);
        std::fs::write(&chain_file, &damaged).unwrap();
        let out = run(&dir, &["chain", "status"]);
        if !out.status.success() {
            // redb panics on some damaged pages; that too must reach the user as one line that
            // says the chain is corrupt, not as a panic report.
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "page at {start}: {err}");
            assert_eq!(
                err.lines().count(),
                1,
                "page at {start}: not one line: {err}"
            );
            assert!(
                err.starts_with("error: ") && err.contains("corrupt"),
                "page at {start}: {err}"
            );
            assert!(
                !err.contains("panicked") && !err.contains("a bug in medshare"),
                "{err}"
            );
            reported += 1;
        }
    }
    assert!(
        reported > 0,
        "damage to the chain file went unnoticed everywhere"
    );
}

#[test]
fn a_busy_chain_is_waited_for_then_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let chain_dir = dir.join("chain");

    // Held briefly by another user of the chain: the command waits and succeeds.
    let holder = {
        let chain = medshare_evm::Chain::open(&chain_dir).unwrap();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(700));
            drop(chain);
        })
    };
    let out = run(&dir, &["chain", "status"]);
    holder.join().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    // Held for longer than the wait: one clear line.
    let _held = medshare_evm::Chain::open(&chain_dir).unwrap();
    assert_one_line_error(
        &run(&dir, &["chain", "status"]),
        "still in use by another medshare process",
    );
}

/// The sh block after `marker` in the README, run as written with this build's `medshare`
/// first on the PATH; returns its stdout.
fn run_readme_block(marker: &str) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let script = readme
        .split_once(&format!("<!-- {marker} -->\n```sh\n"))
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(script, _)| script)
        .unwrap_or_else(|| panic!("the README has no {marker} block"));
    let tmp = tempfile::tempdir().unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_medshare")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .env("PATH", path)
        .env("TMPDIR", tmp.path())
        .env_remove("MEDSHARE_PASSWORD")
        .env_remove("MEDSHARE_DATA_DIR")
        .env_remove("MEDSHARE_NETWORK")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    text
}

/// The README's CLI walkthrough runs as written, so that it cannot go stale.
#[test]
fn the_readme_walkthrough_runs_as_written() {
    let text = run_readme_block("walkthrough");
    assert!(text.contains("valid, already used"), "{text}");
    assert!(text.contains("is `ORCID 0000-0002-1825-0097`"), "{text}");
    assert!(text.contains("revoked"), "{text}");
}

/// So does the walkthrough of parties on their own data directories.
#[test]
fn the_readme_parties_walkthrough_runs_as_written() {
    let text = run_readme_block("parties-walkthrough");
    assert!(
        text.contains("medshare is already deployed on network `embedded`"),
        "{text}"
    );
    assert!(text.contains("City Lab"), "{text}");
    assert!(text.contains("network `local` (default)"), "{text}");
}

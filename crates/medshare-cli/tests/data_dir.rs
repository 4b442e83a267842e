//! The data directory under parallel commands, kills at random moments, copied and damaged
//! files, read-only use and closed pipes: nothing is lost, nothing half-done is reported as
//! done, and damage is reported.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    path::Path,
    process::{Child, Stdio},
    thread,
    time::Duration,
};

use common::*;

/// Spawns `medshare` with `args` without waiting for it.
fn spawn(data_dir: &Path, args: &[&str]) -> Child {
    medshare(data_dir, args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn parallel_account_creation_loses_no_account() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let names: Vec<String> = (0..8).map(|i| format!("r_{i}")).collect();
    let children: Vec<Child> = names
        .iter()
        .map(|n| spawn(&dir, &["account", "new", n]))
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let listed = data(&run(&dir, &["--json", "account", "list"]));
    let listed: Vec<&str> = listed["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    for name in &names {
        assert!(listed.contains(&name.as_str()), "{name} lost: {listed:?}");
        // Each is usable: its keystore decrypts and records its own address.
        let out = run(
            &dir,
            &[
                "--from",
                name,
                "consortium",
                "propose",
                "set-threshold",
                "1",
            ],
        );
        assert!(!stderr(&out).contains("keystore"), "{}", stderr(&out));
    }
}

#[test]
fn parallel_registrations_all_get_credentials() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    identity_ready(&dir);
    let users: Vec<String> = (0..6).map(|i| format!("user-{i}")).collect();
    for user in &users {
        ok(&dir, &["account", "new", user]);
    }
    let children: Vec<Child> = users
        .iter()
        .map(|user| {
            let rid = format!("patient:{user}");
            spawn(
                &dir,
                &[
                    "--from",
                    user,
                    "identity",
                    "register",
                    "--rid",
                    &rid,
                    "--authorities",
                    "auth-1,auth-2,auth-3",
                ],
            )
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    for user in &users {
        ok(
            &dir,
            &[
                "--from",
                user,
                "identity",
                "issue",
                "--authorities",
                "auth-1,auth-3",
            ],
        );
    }
}

/// Kills `args` after a random delay, `rounds` times, calling `check` after each kill.
fn kill_at_random_moments(
    dir: &Path,
    rounds: u64,
    args: impl Fn(u64) -> Vec<String>,
    check: impl Fn(u64),
) {
    for round in 0..rounds {
        let args = args(round);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = spawn(dir, &args);
        // Spread over the command's whole run: from before it locks to after it commits.
        thread::sleep(Duration::from_millis((round * 37) % 400));
        let _ = child.kill();
        child.wait().unwrap();
        check(round);
    }
}

#[test]
fn a_killed_account_creation_completes_or_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    kill_at_random_moments(
        &dir,
        12,
        |round| vec!["account".into(), "new".into(), format!("k{round}")],
        |round| {
            let name = format!("k{round}");
            let listed = run(&dir, &["-q", "account", "address", &name]);
            if listed.status.success() {
                // Complete: usable.
                let out = run(
                    &dir,
                    &[
                        "--from",
                        &name,
                        "consortium",
                        "propose",
                        "set-threshold",
                        "1",
                    ],
                );
                assert!(!stderr(&out).contains("keystore"), "{}", stderr(&out));
            } else {
                // Nothing: the name is free again.
                ok(&dir, &["account", "new", &name]);
            }
        },
    );
    // The next locked command swept every temporary file.
    ok(&dir, &["account", "new", "sweeper"]);
    let leftovers: Vec<String> = std::fs::read_dir(dir.join("keystore"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_killed_registration_completes_or_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    identity_ready(&dir);
    kill_at_random_moments(
        &dir,
        10,
        |round| {
            let user = format!("u{round}");
            ok(&dir, &["account", "new", &user]);
            [
                "--from",
                &user,
                "identity",
                "register",
                "--rid",
                &format!("rid:{round}"),
                "--authorities",
                "auth-1,auth-2,auth-3",
            ]
            .map(String::from)
            .to_vec()
        },
        |round| {
            let user = format!("u{round}");
            let issue = [
                "--from",
                &user,
                "identity",
                "issue",
                "--authorities",
                "auth-1,auth-2",
            ];
            let issued = run(&dir, &issue);
            if !issued.status.success() {
                // Not registered at all: registering again works, then issuing does.
                assert!(
                    stderr(&issued).contains("has no identity"),
                    "{}",
                    stderr(&issued)
                );
                ok(
                    &dir,
                    &[
                        "--from",
                        &user,
                        "identity",
                        "register",
                        "--rid",
                        &format!("rid:{round}"),
                        "--authorities",
                        "auth-1,auth-2,auth-3",
                    ],
                );
                ok(&dir, &issue);
            }
        },
    );
}

/// The issue's case: a key generation killed after its key set reached the chain left no local
/// shares. Whenever it is killed, the key set that ends up active has its shares on disk.
#[test]
fn a_killed_key_generation_never_leaves_a_key_set_without_its_shares() {
    for (round, delay) in [60u64, 250, 500, 800, 1_100, 1_500].into_iter().enumerate() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        identity_members(&dir);
        let mut child = spawn(&dir, &KEYGEN);
        thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        child.wait().unwrap();
        // Either the killed run's key set was approved (then a plain keygen refuses) or a new
        // one is made now.
        let again = run(&dir, &KEYGEN);
        if !again.status.success() {
            assert_usage_error(&again, "pass --rotate");
        }
        let mut status = data(&run(&dir, &["--json", "chain", "status"]));
        if status["identity"]["activeKeySet"].is_null() {
            thread::sleep(Duration::from_millis(1_100));
            ok(&dir, &["identity", "epoch", "advance"]);
            status = data(&run(&dir, &["--json", "chain", "status"]));
        }
        let active = status["identity"]["activeKeySet"].as_str().unwrap();
        for authority in ["auth-1", "auth-2", "auth-3"] {
            assert!(
                dir.join(format!(
                    "identity/key-sets/{active}/authority-{authority}.json"
                ))
                .is_file(),
                "round {round} ({delay} ms): no share of {authority} for the active key set"
            );
        }
        // The shares work: a user is registered and issued a credential.
        ok(&dir, &["account", "new", "alice"]);
        let register = [
            "--from",
            "alice",
            "identity",
            "register",
            "--rid",
            "patient:alice",
            "--authorities",
            "auth-1,auth-2,auth-3",
        ];
        ok(&dir, &register);
        let issue = [
            "--from",
            "alice",
            "identity",
            "issue",
            "--authorities",
            "auth-1,auth-3",
        ];
        ok(&dir, &issue);
    }
}

#[test]
fn keygen_refuses_to_replace_a_key_set_and_a_rotation_keeps_old_shares() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let first = identity_ready(&dir);
    let keygen = [
        "identity",
        "keygen",
        "--authorities",
        "auth-1,auth-2,auth-3",
        "--threshold",
        "2",
    ];
    assert_usage_error(&run(&dir, &keygen), "pass --rotate");

    // A token of the first key set's epoch, used on chain.
    ok(&dir, &["account", "new", "alice"]);
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
    ok(
        &dir,
        &[
            "--from",
            "alice",
            "identity",
            "issue",
            "--authorities",
            "auth-1,auth-2",
        ],
    );
    let token = ok(&dir, &["-q", "--from", "alice", "identity", "token"]);
    let used = data(&run(
        &dir,
        &["--json", "--from", "alice", "identity", "use", token.trim()],
    ));
    let nullifier = used["nullifier"].as_str().unwrap().to_string();

    // The successor: approved by t authorities of the first key set.
    let rotated = data(&run(
        &dir,
        &[
            &["--json"][..],
            &keygen,
            &["--rotate", "--approvers", "auth-1,auth-2"],
        ]
        .concat(),
    ));
    let second = rotated["keySet"].as_str().unwrap().to_string();
    assert_ne!(first, second);
    assert_eq!(rotated["approval"]["done"], true, "{rotated}");
    assert!(
        dir.join(format!("identity/key-sets/{first}/authority-auth-1.json"))
            .is_file()
    );
    assert!(
        dir.join(format!("identity/key-sets/{second}/authority-auth-1.json"))
            .is_file()
    );

    // The old token is still traced by the first key set's authorities.
    ok(
        &dir,
        &[
            "--from", "auth-1", "identity", "trace", "request", &nullifier, "--reason", "audit 1",
        ],
    );
    ok(
        &dir,
        &["--from", "auth-1", "identity", "trace", "share", "1"],
    );
    let done = ok(
        &dir,
        &["--from", "auth-3", "identity", "trace", "share", "1"],
    );
    assert!(done.contains("complete"), "{done}");
    let shown = data(&run(
        &dir,
        &[
            "--json", "--from", "auth-2", "identity", "trace", "show", "1",
        ],
    ));
    assert_eq!(shown["rid"], "patient:alice");
}

#[test]
fn registration_below_the_threshold_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    identity_ready(&dir);
    ok(&dir, &["account", "new", "bob"]);
    let register = |authorities: &str| {
        run(
            &dir,
            &[
                "--from",
                "bob",
                "identity",
                "register",
                "--rid",
                "patient:bob",
                "--authorities",
                authorities,
            ],
        )
    };
    assert_usage_error(&register("auth-1"), "at least 2 authorities");
    assert_usage_error(&register("auth-1,auth-1"), "names `auth-1` twice");
    // Nothing was recorded: a proper registration works.
    ok(
        &dir,
        &[
            "--from",
            "bob",
            "identity",
            "register",
            "--rid",
            "patient:bob",
            "--authorities",
            "auth-1,auth-2",
        ],
    );
}

#[test]
fn a_keystore_that_records_another_address_never_signs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    ok(&dir, &["account", "new", "other"]);
    let other = address(&dir, "other");
    // Copy `other`'s key under the name `default` while keeping default's recorded address.
    let default_file = dir.join("keystore/default.json");
    let mut copied: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("keystore/other.json")).unwrap()).unwrap();
    let recorded: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&default_file).unwrap()).unwrap();
    copied["address"] = recorded["address"].clone();
    std::fs::write(&default_file, serde_json::to_vec(&copied).unwrap()).unwrap();
    let out = run(&dir, &["consortium", "propose", "set-threshold", "1"]);
    assert_one_line_error(&out, "copied or replaced");
    assert!(stderr(&out).contains(&other), "{}", stderr(&out));
}

#[test]
fn leftovers_of_killed_commands_are_swept_by_the_next_writer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let leftovers = [
        dir.join(".config.json.tmp-4242"),
        dir.join("keystore/.default.json.txn-4242-0"),
        dir.join("keystore/.scratch-4242"),
        tmp.path().join(".data.init-999999999"),
    ];
    for path in &leftovers {
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .contains("scratch")
            || path.ends_with(".data.init-999999999")
        {
            std::fs::create_dir_all(path.join("inner")).unwrap();
        } else {
            std::fs::write(path, b"half written").unwrap();
        }
    }
    // A reader leaves them alone, a writer removes them.
    ok(&dir, &["account", "list"]);
    assert!(leftovers.iter().all(|p| p.exists()));
    ok(&dir, &["account", "new", "x"]);
    for path in &leftovers {
        assert!(!path.exists(), "{} left", path.display());
    }
}

#[test]
fn an_interrupted_multi_file_change_is_completed_by_the_next_command() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    // What a command killed between writing its journal and its renames leaves behind.
    std::fs::write(dir.join("keystore/.a.json.txn-7-0"), b"first").unwrap();
    std::fs::write(dir.join(".notes.txn-7-1"), b"second").unwrap();
    std::fs::write(
        dir.join(".journal"),
        br#"{"renames":[["keystore/.a.json.txn-7-0","keystore/a.json"],[".notes.txn-7-1","notes"]]}"#,
    )
    .unwrap();
    ok(&dir, &["account", "list"]);
    assert_eq!(
        std::fs::read(dir.join("keystore/a.json")).unwrap(),
        b"first"
    );
    assert_eq!(std::fs::read(dir.join("notes")).unwrap(), b"second");
    assert!(!dir.join(".journal").exists());
    // The completed file is reported as damaged, not skipped: it is no keystore.
    let listed = data(&run(&dir, &["--json", "account", "list"]));
    assert_eq!(listed["damaged"][0]["name"], "a");
}

#[test]
fn read_only_commands_work_on_a_read_only_directory() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let set_mode = |dir_mode: u32, file_mode: u32| {
        for entry in walk(&dir) {
            let mode = if entry.is_dir() { dir_mode } else { file_mode };
            std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    };
    set_mode(0o555, 0o444);
    // Root ignores file modes: run as `nobody` where that is possible, so that the modes bite.
    let other_user = OtherUser::new(tmp.path());
    for args in [
        &["chain", "status"][..],
        &["chain", "verify"],
        &["account", "list"],
        &["consortium", "members"],
        &["identity", "epoch", "show"],
    ] {
        let out = match &other_user {
            Some(user) => user.run(&dir, args),
            None => run(&dir, args),
        };
        set_mode(0o755, 0o644);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        set_mode(0o555, 0o444);
    }
    if let Some(user) = &other_user {
        let out = user.run(&dir, &["account", "new", "x"]);
        set_mode(0o755, 0o644);
        assert_one_line_error(&out, "read-only");
        set_mode(0o555, 0o444);
    }
    let out = run(&dir, &["account", "new", "x"]);
    set_mode(0o755, 0o644);
    // Root ignores file modes; everyone else gets a sentence.
    if !out.status.success() {
        assert_one_line_error(&out, "read-only");
    }
}

/// Runs `medshare` as user `nobody` (uid 65534) when the tests run as root and `setpriv` exists.
struct OtherUser {
    binary: std::path::PathBuf,
}

impl OtherUser {
    fn new(scratch: &Path) -> Option<Self> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let root = std::fs::metadata("/proc/self").ok()?.uid() == 0;
        let setpriv = std::process::Command::new("setpriv")
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success());
        if !root || !setpriv {
            return None;
        }
        // `nobody` must reach the binary and the data directory.
        let binary = scratch.join("medshare");
        std::fs::copy(env!("CARGO_BIN_EXE_medshare"), &binary).unwrap();
        std::fs::set_permissions(scratch, std::fs::Permissions::from_mode(0o755)).unwrap();
        Some(Self { binary })
    }

    fn run(&self, dir: &Path, args: &[&str]) -> std::process::Output {
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&self.binary)
            .arg("--data-dir")
            .arg(dir)
            .args(args)
            .env("MEDSHARE_PASSWORD", common::PASSWORD)
            .env_remove("MEDSHARE_NETWORK")
            .env_remove("MEDSHARE_DATA_DIR")
            .output()
            .unwrap()
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut all = vec![dir.to_path_buf()];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.extend(walk(&path));
        } else {
            all.push(path);
        }
    }
    all
}

#[test]
fn a_closed_pipe_ends_the_demo_quietly_and_removes_its_directory() {
    use std::io::{BufRead, BufReader};
    let tmp = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_medshare"))
        .arg("demo")
        .env("TMPDIR", tmp.path())
        .env_remove("MEDSHARE_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(
        first.starts_with("==> creating a consortium chain"),
        "{first}"
    );
    // The reader is gone (as with `| head -1`).
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(141));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "the demo left {left:?}");
}

#[test]
fn an_interrupted_demo_removes_its_directory() {
    use std::io::{BufRead, BufReader};
    let tmp = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_medshare"))
        .arg("demo")
        .env("TMPDIR", tmp.path())
        .env_remove("MEDSHARE_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "the demo left {left:?}");
}

#[test]
fn json_prints_one_envelope_even_for_a_wrong_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(
        tmp.path(),
        &["--json", "consortium", "approve", "not-a-number"],
    );
    assert_eq!(out.status.code(), Some(2));
    let error = json_error(&out);
    assert_eq!(error["kind"], "usage");
    assert!(
        error["message"].as_str().unwrap().contains("not-a-number"),
        "{error}"
    );
}

#[test]
fn new_accounts_use_the_standard_kdf_and_a_long_enough_password() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = medshare(&dir, &["init"])
        .env("MEDSHARE_PASSWORD", "short")
        .output()
        .unwrap();
    assert_usage_error(&out, "at least 8 characters");
    assert!(!dir.exists());
    ok(&dir, &["init"]);
    let keystore: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("keystore/default.json")).unwrap()).unwrap();
    assert_eq!(keystore["crypto"]["kdfparams"]["n"], 1 << 18);
    ok(&dir, &["account", "new", "fast", "--light-kdf"]);
    let keystore: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("keystore/fast.json")).unwrap()).unwrap();
    assert_eq!(keystore["crypto"]["kdfparams"]["n"], 1 << 12);
}

#[test]
fn addresses_with_a_wrong_checksum_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let right = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    let wrong = "0x5aaEb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    assert_usage_error(
        &run(
            &dir,
            &["consortium", "propose", "add", wrong, "--roles", "research"],
        ),
        "EIP-55 checksum",
    );
    ok(
        &dir,
        &["consortium", "propose", "add", right, "--roles", "research"],
    );
    assert_usage_error(
        &run(
            &dir,
            &[
                "consortium",
                "propose",
                "add",
                &right[2..],
                "--roles",
                "research",
            ],
        ),
        "must start with 0x",
    );
}

#[test]
fn chain_verify_checks_the_whole_file_and_a_rolled_back_chain_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let report = data(&run(&dir, &["--json", "chain", "verify"]));
    let blocks = report["blocks"].as_u64().unwrap();
    assert!(
        blocks > 1 && report["transactions"].as_u64() == Some(blocks - 1),
        "{report}"
    );
    assert_eq!(report["receipts"], report["transactions"]);
    let text = ok(&dir, &["chain", "verify"]);
    assert!(
        text.contains("is intact") && text.contains(&format!("{blocks} blocks")),
        "{text}"
    );

    // The chain file as it was, then one more block, then the old file back: as a disk that lost
    // the last commit, or a restored backup, would leave it.
    let chain_file = dir.join("chain/chain.redb");
    let older = std::fs::read(&chain_file).unwrap();
    let lab = "0x00000000000000000000000000000000000000aa";
    ok(
        &dir,
        &["consortium", "propose", "add", lab, "--roles", "research"],
    );
    std::fs::write(&chain_file, older).unwrap();
    for args in [
        &["chain", "verify"][..],
        &["chain", "status"],
        &["consortium", "members"],
    ] {
        let out = run(&dir, args);
        assert_one_line_error(&out, "went back to an older state");
    }
    let error = json_error(&run(&dir, &["--json", "chain", "verify"]));
    assert!(
        error["message"].as_str().unwrap().contains("corrupt"),
        "{error}"
    );
}

#[test]
fn a_consortium_address_without_its_code_is_refused_before_anything_is_mined() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let status = data(&run(&dir, &["--json", "chain", "status"]));
    let height = status["blockNumber"].as_u64().unwrap();
    let registry = status["contracts"]["identityRegistry"].as_str().unwrap();
    let config_path = dir.join("config.json");
    let original = std::fs::read_to_string(&config_path).unwrap();
    let mut config: serde_json::Value = serde_json::from_str(&original).unwrap();
    let member = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

    for (consortium, problem) in [
        (
            "0x4242424242424242424242424242424242424242",
            "holds no contract code; was the data directory initialised against another chain?",
        ),
        (registry, "holds code that is not medshare's Consortium ("),
    ] {
        config["networks"]["embedded"]["deployment"]["contracts"]["consortium"] = consortium.into();
        std::fs::write(&config_path, config.to_string()).unwrap();
        let consortium: alloy::primitives::Address = consortium.parse().unwrap();
        let sentence = format!(
            "the Consortium address {consortium} in {} {problem}",
            config_path.display()
        );
        for args in [
            &["consortium", "members"][..],
            &[
                "consortium",
                "propose",
                "add",
                member,
                "--roles",
                "research",
            ],
        ] {
            assert_one_line_error(&run(&dir, args), &sentence);
            let json = run(&dir, &[&["--json"], args].concat());
            assert_eq!(json.status.code(), Some(1));
            let message = json_error(&json)["message"].as_str().unwrap().to_string();
            assert!(message.starts_with("the Consortium address"), "{message}");
        }
    }

    // With the right address back, nothing was mined in between and the members are there.
    std::fs::write(&config_path, original).unwrap();
    let status = data(&run(&dir, &["--json", "chain", "status"]));
    assert_eq!(status["blockNumber"].as_u64(), Some(height));
    assert!(ok(&dir, &["consortium", "members"]).contains("St Mary Hospital"));
}

#[test]
fn a_version_2_config_is_read_and_rewritten_as_version_3_without_loss() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let config_path = dir.join("config.json");
    let v3: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&config_path).unwrap()).unwrap();
    let embedded = &v3["networks"]["embedded"]["deployment"];
    let default_address = address(&dir, "default").to_lowercase();
    // What medshare wrote before network profiles, with a version-1 account list kept in it.
    let v2 = serde_json::json!({
        "version": 2,
        "network": "embedded",
        "chainId": embedded["chainId"],
        "defaultAccount": "default",
        "contracts": {
            "consortium": embedded["contracts"]["consortium"],
            "identityRegistry": embedded["contracts"]["identityRegistry"],
        },
        "kdf": v3["kdf"],
        "accounts": { "default": default_address },
    });
    std::fs::write(&config_path, v2.to_string()).unwrap();
    let status = data(&run(&dir, &["--json", "chain", "status"]));
    assert_eq!(status["network"], "embedded");
    assert_eq!(
        status["contracts"]["consortium"],
        embedded["contracts"]["consortium"]
    );
    assert_eq!(
        data(&run(&dir, &["--json", "consortium", "members"]))[0]["address"],
        default_address.as_str()
    );

    // The first change of the configuration writes version 3 and keeps everything.
    let peer = tmp.path().join("peer");
    init(&peer);
    let node = common::node::Node::start(&peer);
    ok(&dir, &["network", "add", "peer", "--rpc-url", &node.url]);
    let rewritten: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&config_path).unwrap()).unwrap();
    assert_eq!(rewritten["version"], 3);
    assert_eq!(rewritten["defaultNetwork"], "embedded");
    assert_eq!(rewritten["accounts"]["default"], default_address.as_str());
    let kept = &rewritten["networks"]["embedded"]["deployment"];
    assert_eq!(
        kept["contracts"]["consortium"],
        embedded["contracts"]["consortium"]
    );
    assert_eq!(
        kept["block"], 0,
        "v2 recorded no deployment block: search from genesis"
    );
    assert_eq!(rewritten["networks"]["peer"]["rpcUrl"], node.url.as_str());
    assert!(run(&dir, &["chain", "status"]).status.success());
}

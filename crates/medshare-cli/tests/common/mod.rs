//! What the CLI tests share: running `medshare` on a data directory and reading its output.
#![allow(clippy::unwrap_used, dead_code, unreachable_pub)]

#[path = "../../../medshare-chain/tests/common/anvil.rs"]
pub mod anvil;
pub mod node;

use std::{
    path::Path,
    process::{Command, Output},
};

pub const PASSWORD: &str = "correct horse battery staple";

pub fn medshare(data_dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_medshare"));
    cmd.arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("MEDSHARE_PASSWORD", PASSWORD);
    cmd.env_remove("MEDSHARE_NETWORK")
        .env_remove("MEDSHARE_DATA_DIR");
    cmd
}

pub fn run(data_dir: &Path, args: &[&str]) -> Output {
    medshare(data_dir, args).output().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A failure must be one line on stderr starting with `error:`, exit code 1, and no panic.
pub fn assert_one_line_error(output: &Output, expected: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(1), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(expected), "expected `{expected}` in: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
}

/// A contract's refusal in text mode: one line with the sentence that explains it, neither the
/// Solidity error's name nor its raw fields.
pub fn assert_refusal(output: &Output, sentence: &str) {
    assert_one_line_error(output, sentence);
    let err = stderr(output);
    assert!(
        !err.contains('{') && !err.contains("Consortium") && !err.contains("IdentityRegistry"),
        "{err}"
    );
}

/// A contract's refusal with `--json`: the error envelope names the Solidity error.
pub fn assert_json_refusal(output: &Output, name: &str) {
    assert_eq!(output.status.code(), Some(1), "{}", stderr(output));
    let error = json_error(output);
    assert_eq!(error["kind"], "failure", "{error}");
    assert_eq!(error["contractError"], name, "{error}");
    assert!(
        !error["message"].as_str().unwrap().contains(name),
        "{error}"
    );
}

/// The `data` of a successful command's JSON envelope (`--json`).
pub fn data(output: &Output) -> serde_json::Value {
    let text = stdout(output);
    let document: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}): {text}{}", stderr(output)));
    assert_eq!(document["success"], true, "{document}");
    document["data"].clone()
}

/// The `error` of a failed command's JSON envelope.
pub fn json_error(output: &Output) -> serde_json::Value {
    let text = stdout(output);
    let document: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}): {text}"));
    assert_eq!(document["success"], false, "{document}");
    document["error"].clone()
}

/// A wrong command line: one line on stderr starting with `error:`, exit code 2.
pub fn assert_usage_error(output: &Output, expected: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(expected), "expected `{expected}` in: {err}");
}

pub fn init(data_dir: &Path) -> serde_json::Value {
    let output = run(
        data_dir,
        &[
            "--json",
            "init",
            "--light-kdf",
            "--name",
            "St Mary Hospital",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    data(&output)
}

/// Runs `medshare` with `args`, expecting success; returns stdout.
pub fn ok(data_dir: &Path, args: &[&str]) -> String {
    let out = run(data_dir, args);
    assert!(out.status.success(), "{args:?} failed: {}", stderr(&out));
    stdout(&out)
}

/// Address of account `name`.
pub fn address(data_dir: &Path, name: &str) -> String {
    ok(data_dir, &["-q", "account", "address", name])
        .trim()
        .to_string()
}

/// A data directory with three authorities (`auth-1..3`), two admins (`default`, `admin-2`,
/// threshold 2) and an active 2-of-3 key set, whose hash is returned.
pub fn identity_ready(data_dir: &Path) -> String {
    identity_members(data_dir);
    let keygen = data(&run(data_dir, &[&["--json"][..], &KEYGEN].concat()));
    assert_eq!(keygen["approval"]["done"], true, "{keygen}");
    keygen["keySet"].as_str().unwrap().to_string()
}

/// The first key generation: 2-of-3 authorities, approved by the two admins.
pub const KEYGEN: [&str; 8] = [
    "identity",
    "keygen",
    "--authorities",
    "auth-1,auth-2,auth-3",
    "--threshold",
    "2",
    "--approvers",
    "default,admin-2",
];

/// A consortium ready for its first key generation: three authorities and two admins with a
/// threshold of 2, epochs of 1 s.
pub fn identity_members(data_dir: &Path) {
    ok(data_dir, &["init", "--light-kdf", "--epoch-duration", "1"]);
    for account in ["auth-1", "auth-2", "auth-3", "admin-2"] {
        ok(data_dir, &["account", "new", account]);
    }
    for account in ["auth-1", "auth-2", "auth-3"] {
        let member = address(data_dir, account);
        ok(
            data_dir,
            &[
                "consortium",
                "propose",
                "add",
                &member,
                "--roles",
                "authority",
            ],
        );
    }
    let admin = address(data_dir, "admin-2");
    ok(
        data_dir,
        &["consortium", "propose", "add", &admin, "--roles", "admin"],
    );
    ok(data_dir, &["consortium", "propose", "set-threshold", "2"]);
}

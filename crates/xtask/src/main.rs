//! Developer tasks of the medshare workspace.
//!
//! ```text
//! cargo run -p xtask -- build-contracts [--check]   # compile contracts/src into contracts/out
//! cargo run -p xtask -- gas-report [--check]        # write docs/gas.md
//! ```
//! `scripts/build-contracts` and `scripts/gas-report` wrap these with the Node.js set-up they need.

mod build_contracts;
mod gas_report;

use std::{path::PathBuf, process::ExitCode};

const USAGE: &str = "usage: xtask <build-contracts|gas-report> [--check]

  build-contracts   compile contracts/src/**/*.sol with the pinned solc (scripts/solc) into
                    contracts/out/<Contract>.json
  gas-report        deploy the contracts on the embedded chain, exercise every state-changing
                    function and write docs/gas.md

  --check           write nothing; fail if the committed files differ from a fresh run";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let task = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(String::as_str);
    let result = match task {
        Some("build-contracts") => build_contracts::run(&workspace_root(), check),
        Some("gas-report") => gas_report::run(&workspace_root(), check),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the nearest directory, from the current one upwards, that holds
/// `contracts/src` and a `Cargo.toml`. Found at run time, not baked in at compile time, because
/// one target directory may serve several checkouts (CI clones beside the developer's).
fn workspace_root() -> PathBuf {
    let start = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    start
        .ancestors()
        .find(|dir| dir.join("contracts/src").is_dir() && dir.join("Cargo.toml").is_file())
        .map_or(start.clone(), PathBuf::from)
}

/// Writes `contents` to `path` or, in check mode, compares them. Returns whether they differed.
fn write_or_check(path: &std::path::Path, contents: &[u8], check: bool) -> Result<bool, String> {
    let current = std::fs::read(path).ok();
    let stale = current.as_deref() != Some(contents);
    if stale && !check {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, contents)
            .and_then(|()| std::fs::File::open(&tmp)?.sync_all())
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    Ok(stale)
}

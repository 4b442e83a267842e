//! Compiles `contracts/src` with solc-js (pinned in `tools/node/package.json`), driven by
//! foundry-compilers through the `scripts/solc` shim, and writes one artifact per deployable
//! contract to `contracts/out/<Name>.json`: ABI, bytecode, deployed bytecode (with the ranges
//! of its immutables), storage layout and the compiler settings. The artifacts are committed so
//! that `cargo build` needs no Node.js.

use std::{collections::BTreeMap, path::Path};

use foundry_compilers::{
    ConfigurableArtifacts, ProjectBuilder, ProjectPathsConfig,
    artifacts::{EvmVersion, output_selection::OutputSelection},
    solc::{Solc, SolcCompiler, SolcLanguage, SolcSettings},
};
use serde_json::{Value, json};

/// Optimiser runs: contracts here are called far more often than deployed.
const OPTIMIZER_RUNS: usize = 200;
/// The Besu QBFT target runs Shanghai.
const EVM_VERSION: EvmVersion = EvmVersion::Shanghai;
const OUTPUTS: [&str; 5] = [
    "abi",
    "evm.bytecode.object",
    "evm.deployedBytecode.object",
    // Where the deployed code holds immutables (filled in at deployment), so that a deployment
    // can be checked against the artifact with those ranges masked.
    "evm.deployedBytecode.immutableReferences",
    "storageLayout",
];

pub(crate) fn run(root: &Path, check: bool) -> Result<(), String> {
    let shim = root.join("scripts/solc");
    let solc = Solc::new(&shim).map_err(|e| {
        format!(
            "cannot run {} ({e}); run scripts/install-node-tools first",
            shim.display()
        )
    })?;
    let version = solc.version.to_string();

    let mut settings = SolcSettings::default();
    settings.settings.optimizer.enabled = Some(true);
    settings.settings.optimizer.runs = Some(OPTIMIZER_RUNS);
    settings.settings.evm_version = Some(EVM_VERSION);
    settings.settings.output_selection = OutputSelection::from(BTreeMap::from([(
        "*".to_string(),
        BTreeMap::from([("*".to_string(), OUTPUTS.map(String::from).to_vec())]),
    )]));

    let paths = ProjectPathsConfig::builder()
        .sources(root.join("contracts/src"))
        .build_with_root::<SolcLanguage>(root);
    let project = ProjectBuilder::<SolcCompiler, ConfigurableArtifacts>::default()
        .paths(paths)
        .settings(settings)
        .ephemeral()
        .no_artifacts()
        .offline()
        .build(SolcCompiler::Specific(solc))
        .map_err(|e| format!("setting up the compiler: {e}"))?;
    let output = project.compile().map_err(|e| format!("compiling: {e}"))?;
    if output.has_compiler_errors() || output.has_compiler_warnings() {
        return Err(format!(
            "solc reported problems (warnings count as errors):\n{output}"
        ));
    }

    let out_dir = root.join("contracts/out");
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("creating {}: {e}", out_dir.display()))?;
    let mut expected = Vec::new();
    let mut stale = Vec::new();
    for (file, name, contract) in output.output().contracts.contracts_with_files() {
        let contract = serde_json::to_value(contract).map_err(|e| e.to_string())?;
        let bytecode = &contract["evm"]["bytecode"]["object"];
        // Interfaces and abstract contracts have no code and need no artifact.
        if bytecode
            .as_str()
            .is_none_or(|code| code.trim_start_matches("0x").is_empty())
        {
            continue;
        }
        let source = file
            .strip_prefix(root)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let artifact = json!({
            "contractName": name,
            "sourceName": source,
            "compiler": {
                "version": version,
                "evmVersion": EVM_VERSION.as_str(),
                "optimizer": { "enabled": true, "runs": OPTIMIZER_RUNS },
            },
            "abi": contract["abi"],
            "bytecode": { "object": hex_prefixed(bytecode) },
            "deployedBytecode": {
                "object": hex_prefixed(&contract["evm"]["deployedBytecode"]["object"]),
                "immutableReferences": immutable_references(&contract["evm"]["deployedBytecode"]),
            },
            "storageLayout": contract["storageLayout"],
        });
        let mut text = serde_json::to_string_pretty(&artifact).map_err(|e| e.to_string())?;
        text.push('\n');
        let path = out_dir.join(format!("{name}.json"));
        if crate::write_or_check(&path, text.as_bytes(), check)? {
            stale.push(path.display().to_string());
        }
        expected.push(format!("{name}.json"));
    }
    // Artifacts of contracts that no longer exist are stale too.
    for entry in std::fs::read_dir(&out_dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.extension().is_some_and(|e| e == "json") && !expected.contains(&file_name) {
            stale.push(path.display().to_string());
            if !check {
                std::fs::remove_file(&path)
                    .map_err(|e| format!("removing {}: {e}", path.display()))?;
            }
        }
    }
    if check && !stale.is_empty() {
        return Err(format!(
            "committed artifacts are stale; run scripts/build-contracts and commit:\n  {}",
            stale.join("\n  ")
        ));
    }
    println!(
        "{} {} contract artifact(s) in contracts/out (solc {version}, {}, optimizer {OPTIMIZER_RUNS} runs)",
        if check { "checked" } else { "wrote" },
        expected.len(),
        EVM_VERSION.as_str(),
    );
    Ok(())
}

/// The deployed bytecode's `immutableReferences` (AST id -> `[{start, length}]`), `{}` when the
/// contract has no immutables: solc omits the field then, or foundry-compilers writes `null`.
fn immutable_references(deployed: &Value) -> Value {
    match &deployed["immutableReferences"] {
        Value::Null => json!({}),
        references => references.clone(),
    }
}

fn hex_prefixed(value: &Value) -> String {
    let hex = value.as_str().unwrap_or_default();
    if hex.starts_with("0x") {
        hex.to_string()
    } else {
        format!("0x{hex}")
    }
}

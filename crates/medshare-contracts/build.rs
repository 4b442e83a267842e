//! `sol!` reads the artifacts in `contracts/out` when it expands, and cargo does not track
//! files a macro reads: without this, a rebuilt artifact would leave stale bindings and
//! bytecode in the compiled crate (the gas report and the tests would run the old contracts).
//!
//! It also writes `$OUT_DIR/immutables.rs`: where the deployed code of each [`CHECKED`]
//! contract holds immutables, which `Contract::matches_runtime_code` masks.

use std::{error::Error, fmt::Write as _, path::Path};

/// Artifacts whose immutable ranges the crate needs, with the constant to write them to.
const CHECKED: [(&str, &str); 3] = [
    ("Consortium", "CONSORTIUM"),
    ("IdentityRegistry", "IDENTITY_REGISTRY"),
    ("PreVerifier", "PRE_VERIFIER"),
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=../../contracts/out");
    let mut out = String::new();
    for (name, constant) in CHECKED {
        let path = format!("../../contracts/out/{name}.json");
        let text = std::fs::read_to_string(&path).map_err(|e| format!("reading {path}: {e}"))?;
        let artifact: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("parsing {path}: {e}"))?;
        let references = artifact["deployedBytecode"]["immutableReferences"]
            .as_object()
            .ok_or_else(|| {
                format!("{path} has no immutableReferences; run scripts/build-contracts")
            })?;
        let mut ranges = Vec::new();
        for offsets in references.values() {
            for offset in offsets.as_array().into_iter().flatten() {
                let field = |key: &str| {
                    offset[key]
                        .as_u64()
                        .ok_or_else(|| format!("{path}: an immutable reference without `{key}`"))
                };
                ranges.push((field("start")?, field("length")?));
            }
        }
        ranges.sort_unstable();
        writeln!(
            out,
            "/// `(start, length)` of each immutable in the deployed code of `{name}`, in order.\n\
             pub(crate) const {constant}: &[(usize, usize)] = &{ranges:?};"
        )?;
    }
    let dir = std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?;
    std::fs::write(Path::new(&dir).join("immutables.rs"), out)?;
    Ok(())
}

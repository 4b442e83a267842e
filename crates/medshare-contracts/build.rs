//! `sol!` reads the artifacts in `contracts/out` when it expands, and cargo does not track
//! files a macro reads: without this, a rebuilt artifact would leave stale bindings and
//! bytecode in the compiled crate (the gas report and the tests would run the old contracts).
fn main() {
    println!("cargo:rerun-if-changed=../../contracts/out");
}

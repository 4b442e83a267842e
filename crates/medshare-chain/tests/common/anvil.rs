//! The pinned npm tools (`scripts/install-node-tools`), and anvil among them started on a free
//! port as the consortium chain runs (Shanghai, chain id 1337). Shared by the tests of
//! medshare-chain and medshare-cli (which includes this file by path).
#![allow(clippy::unwrap_used, dead_code, unreachable_pub)]

use std::{
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// The chain id anvil is started with: the consortium's.
pub const CHAIN_ID: u64 = 1337;

/// Options that make anvil charge no gas, as the consortium's Besu QBFT network does.
pub const FREE: [&str; 4] = ["--block-base-fee-per-gas", "0", "--gas-price", "0"];

/// A running anvil; killed on drop.
pub struct Anvil {
    child: Child,
    /// Its JSON-RPC endpoint.
    pub url: String,
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary `name` of the pinned npm tools (`anvil`, `cast`).
pub fn node_tool(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../.tools/node/node_modules/.bin")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/install-node-tools (scripts/test does)",
        path.display()
    );
    path
}

impl Anvil {
    /// Starts anvil with `options` and waits until it listens.
    pub fn start(options: &[&str]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(node_tool("anvil"))
            .args([
                "--hardfork",
                "shanghai",
                "--chain-id",
                &CHAIN_ID.to_string(),
            ])
            .args(["--port", &port.to_string()])
            .args(options)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let anvil = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "anvil did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        anvil
    }
}

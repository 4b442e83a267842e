//! The same client against anvil (the pinned npm binary `scripts/install-node-tools` installs),
//! as the consortium chain runs it (Shanghai, chain id 1337, no fees) and with market fees.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use alloy::signers::local::PrivateKeySigner;
use medshare_chain::{Error, FeePolicy, Network};

/// Anvil's first two funded development keys.
const FUNDED_KEYS: [&str; 2] = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
];

struct Anvil {
    child: Child,
    url: String,
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn anvil_binary() -> PathBuf {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/node/node_modules/.bin/anvil");
    assert!(
        path.exists(),
        "{} is missing: run scripts/install-node-tools (scripts/test does)",
        path.display()
    );
    path
}

/// Starts anvil on a free port with `options`, waiting until it answers.
async fn anvil(options: &[&str]) -> Anvil {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(anvil_binary())
        .args(["--hardfork", "shanghai", "--chain-id", "1337", "--port"])
        .arg(port.to_string())
        .args(options)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let anvil = Anvil {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while Network::http(&anvil.url, Some(1337), FeePolicy::Free)
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "anvil did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anvil
}

#[tokio::test]
async fn the_scenario_on_anvil_without_fees_as_the_consortium_runs() {
    let anvil = anvil(&["--block-base-fee-per-gas", "0", "--gas-price", "0"]).await;
    let network = Network::http(&anvil.url, Some(1337), FeePolicy::Free)
        .await
        .unwrap();
    // Accounts that hold nothing sign: the chain charges no gas.
    common::consortium_scenario(&network, &common::signer(0x11), &common::signer(0x22)).await;
    assert!(matches!(
        Network::http(&anvil.url, Some(5), FeePolicy::Free).await,
        Err(Error::WrongChain {
            expected: 5,
            found: 1337
        })
    ));
}

#[tokio::test]
async fn the_scenario_on_anvil_with_market_fees() {
    let anvil = anvil(&[]).await;
    let network = Network::http(&anvil.url, Some(1337), FeePolicy::Market)
        .await
        .unwrap();
    // With fees, even an estimate needs a balance: both parties are funded accounts.
    let [admin, outsider] = FUNDED_KEYS.map(|key| key.parse::<PrivateKeySigner>().unwrap());
    common::consortium_scenario(&network, &admin, &outsider).await;
}

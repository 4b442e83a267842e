//! The same client against anvil (the pinned npm binary `scripts/install-node-tools` installs),
//! as the consortium chain runs it (Shanghai, chain id 1337, no fees) and with market fees.
#![allow(clippy::unwrap_used)]

mod common;

use alloy::signers::local::PrivateKeySigner;
use common::anvil::{Anvil, CHAIN_ID, FREE};
use medshare_chain::{Error, FeePolicy, Network};

/// Anvil's first two funded development keys.
const FUNDED_KEYS: [&str; 2] = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
];

#[tokio::test]
async fn the_scenario_on_anvil_without_fees_as_the_consortium_runs() {
    let anvil = Anvil::start(&FREE);
    let network = Network::http(&anvil.url, Some(CHAIN_ID), FeePolicy::Free)
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
    let anvil = Anvil::start(&[]);
    let network = Network::http(&anvil.url, Some(CHAIN_ID), FeePolicy::Market)
        .await
        .unwrap();
    // With fees, even an estimate needs a balance: both parties are funded accounts.
    let [admin, outsider] = FUNDED_KEYS.map(|key| key.parse::<PrivateKeySigner>().unwrap());
    common::consortium_scenario(&network, &admin, &outsider).await;
}

//! The client on the embedded network: the common scenario through alloy's provider and the
//! in-process JSON-RPC transport.
#![allow(clippy::unwrap_used)]

mod common;

use medshare_chain::Network;
use medshare_evm::{Chain, Genesis};

#[tokio::test]
async fn the_scenario_on_the_embedded_chain() {
    let network = Network::embedded(Chain::in_memory(Genesis::new(1_700_000_000)).unwrap())
        .await
        .unwrap();
    common::consortium_scenario(&network, &common::signer(0x11), &common::signer(0x22)).await;
    // The chain behind the transport saw exactly the three deployments and the executed proposal.
    assert_eq!(
        network
            .embedded_chain()
            .unwrap()
            .lock()
            .unwrap()
            .block_number(),
        4
    );
}

//! The client on the embedded network: deploy, call, send, and a refusal decoded by name, all
//! through alloy's provider and the in-process JSON-RPC transport.
#![allow(clippy::unwrap_used)]

use alloy::{
    primitives::{Address, B256, U256},
    signers::local::PrivateKeySigner,
    sol_types::{SolEvent, SolInterface},
};
use medshare_chain::{Error, Network};
use medshare_contracts::{Consortium, deploy_code, roles};
use medshare_evm::{Chain, Genesis};

fn signer(byte: u8) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&B256::repeat_byte(byte)).unwrap()
}

#[tokio::test]
async fn deploy_call_send_and_a_refusal_by_name() {
    let network = Network::embedded(Chain::in_memory(Genesis::new(1_700_000_000)).unwrap())
        .await
        .unwrap();
    let admin = signer(0x11);
    let deployed = network
        .deploy(
            &admin,
            deploy_code(
                &Consortium::BYTECODE,
                &Consortium::constructorCall {
                    initialAdmins: vec![admin.address()],
                    names: vec![B256::repeat_byte(0x61)],
                    initialThreshold: U256::from(1),
                },
            ),
        )
        .await
        .unwrap();
    let consortium = deployed.contract_address.unwrap();
    assert_eq!(network.block_number().await.unwrap(), 1);
    let members = network
        .call(consortium, &Consortium::memberCountCall {})
        .await
        .unwrap();
    assert_eq!(members, U256::from(1));

    // An outsider's proposal is refused at the estimate: nothing is mined.
    let outsider = signer(0x22);
    let propose = Consortium::proposeCall {
        action: medshare_contracts::action::ADD_MEMBER,
        account: Address::repeat_byte(0x33),
        value: roles::RESEARCH,
        name: B256::repeat_byte(0x62),
    };
    let Err(Error::Reverted { data, transaction }) =
        network.send(&outsider, consortium, &propose).await
    else {
        panic!("an outsider's proposal must be refused");
    };
    assert!(transaction.is_none());
    assert!(matches!(
        Consortium::ConsortiumErrors::abi_decode(&data).unwrap(),
        Consortium::ConsortiumErrors::ConsortiumUnauthorizedAccount(e) if e.account == outsider.address()
    ));
    assert_eq!(network.block_number().await.unwrap(), 1);

    // The admin's executes at once (threshold 1).
    let receipt = network.send(&admin, consortium, &propose).await.unwrap();
    assert!(receipt.status());
    assert!(receipt.inner.logs().iter().any(|log| {
        log.topics().first() == Some(&Consortium::ProposalExecuted::SIGNATURE_HASH)
    }));
    let members = network
        .call(consortium, &Consortium::memberCountCall {})
        .await
        .unwrap();
    assert_eq!(members, U256::from(2));
    // The chain behind the transport saw exactly these two blocks.
    assert_eq!(
        network
            .embedded_chain()
            .unwrap()
            .lock()
            .unwrap()
            .block_number(),
        2
    );
}

//! The scenario every network must pass the same way: deploy, call, a refusal decoded by name,
//! a send.
#![allow(clippy::unwrap_used, dead_code)]

use alloy::{
    primitives::{Address, B256, U256},
    signers::local::PrivateKeySigner,
    sol_types::{SolEvent, SolInterface},
};
use medshare_chain::{Error, Network};
use medshare_contracts::{Consortium, deploy_code, roles};

pub(crate) fn signer(byte: u8) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&B256::repeat_byte(byte)).unwrap()
}

/// `admin` deploys a consortium; `outsider`'s proposal is refused before anything is mined,
/// with the custom error decoded by name; the admin's executes. Returns the consortium.
pub(crate) async fn consortium_scenario(
    network: &Network,
    admin: &PrivateKeySigner,
    outsider: &PrivateKeySigner,
) -> Address {
    let start = network.block_number().await.unwrap();
    let deployed = network
        .deploy(
            admin,
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
    assert_eq!(network.block_number().await.unwrap(), start + 1);
    let members = network
        .call(consortium, &Consortium::memberCountCall {})
        .await
        .unwrap();
    assert_eq!(members, U256::from(1));

    let propose = Consortium::proposeCall {
        action: medshare_contracts::action::ADD_MEMBER,
        account: Address::repeat_byte(0x33),
        value: roles::RESEARCH,
        name: B256::repeat_byte(0x62),
    };
    let Err(Error::Reverted { data, transaction }) =
        network.send(outsider, consortium, &propose).await
    else {
        panic!("an outsider's proposal must be refused");
    };
    assert!(transaction.is_none());
    assert!(matches!(
        Consortium::ConsortiumErrors::abi_decode(&data).unwrap(),
        Consortium::ConsortiumErrors::ConsortiumUnauthorizedAccount(e) if e.account == outsider.address()
    ));
    assert_eq!(
        network.block_number().await.unwrap(),
        start + 1,
        "nothing mined"
    );

    let receipt = network.send(admin, consortium, &propose).await.unwrap();
    assert!(receipt.status());
    assert!(receipt.inner.logs().iter().any(|log| {
        log.topics().first() == Some(&Consortium::ProposalExecuted::SIGNATURE_HASH)
    }));
    let members = network
        .call(consortium, &Consortium::memberCountCall {})
        .await
        .unwrap();
    assert_eq!(members, U256::from(2));
    consortium
}

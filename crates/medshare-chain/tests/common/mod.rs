//! The scenario every network must pass the same way: the suite deployed and verified, typed
//! views, a refusal decoded by name before anything is mined, proposals executed and read back,
//! events queried from the deployment block.
#![allow(clippy::unwrap_used, dead_code)]

pub(crate) mod anvil;

use std::num::NonZeroU64;

use alloy::{
    primitives::{Address, B256},
    signers::local::PrivateKeySigner,
};
use medshare_chain::{
    Change, Consortium, Deployment, Error, Network, ProposalStatus, Revert, Roles, ShortText,
    SuiteSettings,
};
use medshare_contracts::Consortium::ConsortiumErrors;

pub(crate) fn signer(byte: u8) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&B256::repeat_byte(byte)).unwrap()
}

/// `admin` deploys the suite as the only admin; `outsider`'s proposal is refused before
/// anything is mined, with the custom error decoded by name; the admin adds a member and
/// raises nothing else. Returns the deployment.
pub(crate) async fn consortium_scenario(
    network: &Network,
    admin: &PrivateKeySigner,
    outsider: &PrivateKeySigner,
) -> Deployment {
    let start = network.block_number().await.unwrap();
    let hospital = ShortText::new("St Mary Hospital").unwrap();
    let deployment = Deployment::deploy(
        network,
        admin,
        &SuiteSettings {
            admins: vec![(admin.address(), hospital)],
            threshold: 1,
            epoch_duration: 3600,
            min_threshold: 2,
            min_authorities: 3,
        },
    )
    .await
    .unwrap();
    assert_eq!(deployment.chain_id, network.chain_id());
    assert_eq!(deployment.block, start + 1, "the first contract's block");
    assert_eq!(network.block_number().await.unwrap(), start + 3);
    deployment.verify(network).await.unwrap();

    let consortium = Consortium::new(network, deployment.contracts.consortium, deployment.block);
    assert_eq!(consortium.member_count().await.unwrap(), 1);
    assert_eq!(consortium.threshold().await.unwrap(), 1);
    let founder = consortium.member(admin.address()).await.unwrap().unwrap();
    assert_eq!(founder.name, hospital);
    assert_eq!(founder.roles, Roles::ADMIN);
    assert!(
        consortium
            .member(outsider.address())
            .await
            .unwrap()
            .is_none()
    );

    let lab = Address::repeat_byte(0x33);
    let change = Change::AddMember {
        account: lab,
        roles: Roles::RESEARCH,
        name: ShortText::new("City Lab").unwrap(),
    };
    let refused = consortium.propose(outsider, &change).await.unwrap_err();
    assert!(
        matches!(
            &refused,
            Error::Reverted {
                transaction: None,
                ..
            }
        ),
        "{refused:?}"
    );
    assert!(matches!(
        refused.revert(),
        Some(Revert::Consortium(ConsortiumErrors::ConsortiumUnauthorizedAccount(e))) if e.account == outsider.address()
    ));
    assert_eq!(
        network.block_number().await.unwrap(),
        start + 3,
        "nothing mined"
    );

    let outcome = consortium.propose(admin, &change).await.unwrap();
    assert!(outcome.executed);
    assert_eq!((outcome.approvals, outcome.threshold), (1, 1));
    let proposal = consortium.proposal(outcome.id).await.unwrap().unwrap();
    assert_eq!(proposal.change, change);
    assert_eq!(proposal.status, ProposalStatus::Executed);
    assert_eq!(proposal.proposer, admin.address());
    assert!(consortium.proposal(outcome.id + 1).await.unwrap().is_none());

    // A proposal that reverts once executing (a threshold above the admin count) is refused at
    // the estimate too, by name.
    let too_high = Change::SetThreshold(NonZeroU64::new(5).unwrap());
    let refused = consortium.propose(admin, &too_high).await.unwrap_err();
    assert_eq!(
        refused.revert().and_then(|r| r.name()),
        Some("ConsortiumInvalidThreshold")
    );

    let members = consortium.members().await.unwrap();
    let listed: Vec<_> = members.iter().map(|m| (m.address, m.roles)).collect();
    assert_eq!(
        listed,
        [(admin.address(), Roles::ADMIN), (lab, Roles::RESEARCH)]
    );
    deployment
}

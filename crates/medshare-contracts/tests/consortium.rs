//! Tests of `Consortium.sol` on the embedded revm chain: the constructor, every external
//! function and every revert path (each asserted as the decoded custom error with its
//! arguments), the events with their fields, k-of-n approval flows, staleness and expiry, and a
//! flow driven by real signed EIP-1559 and legacy transactions.
#![allow(clippy::unwrap_used)]

mod common;

use alloy::{
    consensus::{SignableTransaction, Signed, TxEip1559, TxEnvelope, TxLegacy},
    eips::Encodable2718,
    network::TxSignerSync,
    primitives::{Address, B256, Bytes, Signature, TxKind, U256},
    signers::local::PrivateKeySigner,
    sol_types::SolCall,
};
use common::{
    Action, Counts, DEPLOYER, Fixture, Status, TTL, account, assert_reverts, deploy, expect_error,
    label, proposal_id,
};
use medshare_contracts::{
    Consortium::{self, ConsortiumErrors, ConsortiumEvents},
    deploy_code, roles,
};
use medshare_evm::{Receipt, TestChain};

/// A hospital that is not an admin.
const HOSPITAL: Address = Address::repeat_byte(0x40);
/// A research centre that is not an admin.
const LAB: Address = Address::repeat_byte(0x41);
/// An account that is never a member.
const OUTSIDER: Address = Address::repeat_byte(0x99);

fn u(value: u64) -> U256 {
    U256::from(value)
}

/// `ConsortiumEvents::Name(Consortium::Name { .. })`.
macro_rules! event {
    ($name:ident $($fields:tt)*) => {
        ConsortiumEvents::$name(Consortium::$name $($fields)*)
    };
}

/// `ConsortiumErrors::Name(Consortium::Name { .. })`.
macro_rules! error {
    ($name:ident $($fields:tt)*) => {
        ConsortiumErrors::$name(Consortium::$name $($fields)*)
    };
}

fn created(
    id: u64,
    proposer: Address,
    action: Action,
    account: Address,
    value: U256,
    name: B256,
) -> ConsortiumEvents {
    event!(ProposalCreated {
        proposalId: u(id),
        proposer,
        action: action as u8,
        account,
        value,
        name
    })
}

fn approved(id: u64, admin: Address, approvals: u32) -> ConsortiumEvents {
    event!(ProposalApproved {
        proposalId: u(id),
        admin,
        approvals
    })
}

fn executed(id: u64) -> ConsortiumEvents {
    event!(ProposalExecuted { proposalId: u(id) })
}

fn unauthorized(account: Address) -> ConsortiumErrors {
    error!(ConsortiumUnauthorizedAccount { account })
}

fn not_pending(id: u64, status: Status) -> ConsortiumErrors {
    error!(ConsortiumProposalNotPending {
        proposalId: u(id),
        status: status as u8
    })
}

fn invalid_threshold(threshold: u64, admin_count: u64) -> ConsortiumErrors {
    error!(ConsortiumInvalidThreshold {
        threshold: u(threshold),
        adminCount: u(admin_count)
    })
}

/// Deploys on a fresh chain, expects the constructor to revert, and returns its error.
fn bootstrap_error(admins: &[Address], names: &[B256], threshold: u64) -> ConsortiumErrors {
    let mut chain = TestChain::new().unwrap();
    let receipt = deploy(&mut chain, admins, names, threshold);
    assert_eq!(receipt.contract_address, None);
    expect_error(&receipt)
}

fn accounts(n: u8) -> Vec<Address> {
    (1..=n).map(account).collect()
}

fn names(n: usize) -> Vec<B256> {
    (0..n).map(|i| label(&format!("Institution {i}"))).collect()
}

// ---------------------------------------------------------------------------------------------
// Constructor
// ---------------------------------------------------------------------------------------------

#[test]
fn constructor_bootstraps_admins_threshold_and_events() {
    let mut chain = TestChain::new().unwrap();
    let admins = accounts(3);
    let names = [
        label("St Mary Hospital"),
        label("City Lab"),
        label("Regulator"),
    ];
    let receipt = deploy(&mut chain, &admins, &names, 2);
    assert!(receipt.status, "{receipt:?}");
    let joined_at = chain.head().timestamp;
    let mut f = Fixture {
        chain,
        address: receipt.contract_address.unwrap(),
        admins: admins.clone(),
    };

    let expected: Vec<ConsortiumEvents> = admins
        .iter()
        .zip(names)
        .map(|(&account, name)| {
            event!(MemberAdded {
                account,
                roles: roles::ADMIN,
                name
            })
        })
        .chain([event!(ThresholdChanged {
            oldThreshold: U256::ZERO,
            newThreshold: u(2)
        })])
        .collect();
    assert_eq!(f.events(&receipt), expected);

    for (&admin, name) in admins.iter().zip(names) {
        assert!(f.view(Consortium::isMemberCall { account: admin }));
        assert!(f.view(Consortium::hasRoleCall {
            account: admin,
            role: roles::ADMIN
        }));
        assert_eq!(f.roles(admin), roles::ADMIN);
        let member = f.view(Consortium::memberOfCall { account: admin });
        assert_eq!(
            (member.roles, member.name, member.joinedAt),
            (roles::ADMIN, name, joined_at)
        );
    }
    assert_eq!(
        f.counts(),
        Counts {
            threshold: 2,
            admins: 3,
            members: 3,
            epoch: 0,
            proposals: 0
        }
    );

    // The deployer has no special power.
    assert!(!f.view(Consortium::isMemberCall { account: DEPLOYER }));
    let receipt = f.propose(DEPLOYER, Action::AddMember, DEPLOYER, roles::ADMIN);
    assert_reverts(&receipt, unauthorized(DEPLOYER));
}

#[test]
fn constructor_accepts_the_bounds() {
    // 64 admins (MAX_INITIAL_ADMINS) with threshold 64.
    let mut chain = TestChain::new().unwrap();
    let receipt = deploy(&mut chain, &accounts(64), &names(64), 64);
    assert!(receipt.status, "{receipt:?}");
    assert_eq!(receipt.logs.len(), 65);
    let f = Fixture {
        chain,
        address: receipt.contract_address.unwrap(),
        admins: accounts(64),
    };
    assert_eq!(
        f.counts(),
        Counts {
            threshold: 64,
            admins: 64,
            members: 64,
            epoch: 0,
            proposals: 0
        }
    );

    // A single admin with threshold 1.
    let f = Fixture::new(1, 1);
    assert_eq!(
        f.counts(),
        Counts {
            threshold: 1,
            admins: 1,
            members: 1,
            epoch: 0,
            proposals: 0
        }
    );
}

#[test]
fn constructor_rejects_an_empty_admin_list() {
    for (names, threshold) in [(vec![], 0), (vec![], 1), (names(1), 1)] {
        let error = bootstrap_error(&[], &names, threshold);
        assert!(
            matches!(error, ConsortiumErrors::ConsortiumInvalidBootstrap(_)),
            "{error:?}"
        );
    }
}

#[test]
fn constructor_rejects_a_names_length_mismatch() {
    for names in [names(1), names(3), vec![]] {
        let error = bootstrap_error(&accounts(2), &names, 1);
        assert!(
            matches!(error, ConsortiumErrors::ConsortiumInvalidBootstrap(_)),
            "{error:?}"
        );
    }
}

#[test]
fn constructor_rejects_more_than_64_admins() {
    let error = bootstrap_error(&accounts(65), &names(65), 1);
    assert!(
        matches!(error, ConsortiumErrors::ConsortiumInvalidBootstrap(_)),
        "{error:?}"
    );
}

#[test]
fn constructor_rejects_the_zero_address() {
    for admins in [
        vec![Address::ZERO],
        vec![account(1), Address::ZERO, account(3)],
    ] {
        let error = bootstrap_error(&admins, &names(admins.len()), 1);
        assert!(
            matches!(error, ConsortiumErrors::ConsortiumInvalidAccount(Consortium::ConsortiumInvalidAccount { account }) if account == Address::ZERO),
            "{error:?}"
        );
    }
}

#[test]
fn constructor_rejects_a_duplicate_admin() {
    let admins = [account(1), account(2), account(1)];
    let error = bootstrap_error(&admins, &names(3), 1);
    assert!(
        matches!(error, ConsortiumErrors::ConsortiumAlreadyMember(Consortium::ConsortiumAlreadyMember { account: a }) if a == account(1)),
        "{error:?}"
    );
}

#[test]
fn constructor_rejects_a_threshold_of_zero_or_above_the_admin_count() {
    for (threshold, expected) in [(0, invalid_threshold(0, 3)), (4, invalid_threshold(4, 3))] {
        assert_eq!(
            bootstrap_error(&accounts(3), &names(3), threshold),
            expected
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Constants and views
// ---------------------------------------------------------------------------------------------

#[test]
fn role_constants_match_the_contract_getters() {
    let f = Fixture::new(1, 1);
    assert_eq!(f.view(Consortium::ROLE_ADMINCall {}), roles::ADMIN);
    assert_eq!(f.view(Consortium::ROLE_HOSPITALCall {}), roles::HOSPITAL);
    assert_eq!(f.view(Consortium::ROLE_RESEARCHCall {}), roles::RESEARCH);
    assert_eq!(f.view(Consortium::ROLE_AUTHORITYCall {}), roles::AUTHORITY);
    assert_eq!(f.view(Consortium::ROLE_PROXYCall {}), roles::PROXY);
    assert_eq!(f.view(Consortium::ALL_ROLESCall {}), roles::ALL);
    assert_eq!(f.view(Consortium::PROPOSAL_TTLCall {}), u(TTL));
    assert_eq!(f.view(Consortium::MAX_INITIAL_ADMINSCall {}), u(64));
}

#[test]
fn membership_views_report_roles_and_masks() {
    let mut f = Fixture::new(2, 1);
    let admin = f.admins[0];
    let mask = roles::HOSPITAL | roles::RESEARCH;
    let receipt = f.propose_named(admin, Action::AddMember, HOSPITAL, mask, label("St Mary"));
    assert!(receipt.status);
    let joined_at = f.chain.head().timestamp;

    assert!(f.view(Consortium::isMemberCall { account: HOSPITAL }));
    assert!(!f.view(Consortium::isMemberCall { account: OUTSIDER }));
    assert!(!f.view(Consortium::isMemberCall {
        account: Address::ZERO
    }));

    let has_role = |account, role| f.view(Consortium::hasRoleCall { account, role });
    assert!(has_role(HOSPITAL, roles::HOSPITAL));
    assert!(has_role(HOSPITAL, roles::RESEARCH));
    assert!(
        has_role(HOSPITAL, mask),
        "every bit of a multi-bit mask is held"
    );
    assert!(
        !has_role(HOSPITAL, roles::HOSPITAL | roles::PROXY),
        "one bit of the mask is missing"
    );
    assert!(!has_role(HOSPITAL, roles::ADMIN));
    assert!(!has_role(HOSPITAL, roles::ALL));
    assert!(!has_role(HOSPITAL, U256::ZERO), "role 0 is never held");
    assert!(
        !has_role(admin, U256::ZERO),
        "role 0 is never held, even by an admin"
    );
    assert!(
        !has_role(HOSPITAL, u(1 << 5)),
        "bits outside ALL_ROLES are never held"
    );
    assert!(has_role(admin, roles::ADMIN));
    assert!(!has_role(OUTSIDER, roles::HOSPITAL));
    assert!(!has_role(OUTSIDER, U256::ZERO));

    assert_eq!(f.roles(HOSPITAL), mask);
    assert_eq!(f.roles(admin), roles::ADMIN);
    assert_eq!(f.roles(OUTSIDER), U256::ZERO);

    let member = f.view(Consortium::memberOfCall { account: HOSPITAL });
    assert_eq!(
        (member.roles, member.name, member.joinedAt),
        (mask, label("St Mary"), joined_at)
    );
    let nobody = f.view(Consortium::memberOfCall { account: OUTSIDER });
    assert_eq!(
        (nobody.roles, nobody.name, nobody.joinedAt),
        (U256::ZERO, B256::ZERO, 0)
    );

    assert_eq!(
        f.counts(),
        Counts {
            threshold: 1,
            admins: 2,
            members: 3,
            epoch: 0,
            proposals: 1
        }
    );
}

#[test]
fn proposal_views_track_the_lifecycle() {
    let mut f = Fixture::new(3, 2);
    let [a1, a2, a3] = [f.admins[0], f.admins[1], f.admins[2]];

    // Unknown ids (including 0) read as all-zero with status None.
    for id in [0, 1] {
        let p = f.proposal(id);
        assert_eq!(p.status, Status::None as u8);
        assert_eq!(
            (p.action, p.account, p.value, p.proposer),
            (0, Address::ZERO, U256::ZERO, Address::ZERO)
        );
        assert_eq!(
            (p.createdAt, p.adminEpoch, p.approvals, p.name),
            (0, 0, 0, B256::ZERO)
        );
    }
    assert!(!f.has_approved(1, a1));
    assert_eq!(f.counts().proposals, 0);

    let receipt = f.propose_named(
        a1,
        Action::AddMember,
        LAB,
        roles::RESEARCH,
        label("City Lab"),
    );
    assert_eq!(proposal_id(&receipt), 1);
    let created_at = f.chain.head().timestamp;
    let p = f.proposal(1);
    assert_eq!(
        (p.action, p.account, p.value, p.proposer, p.name),
        (
            Action::AddMember as u8,
            LAB,
            roles::RESEARCH,
            a1,
            label("City Lab")
        )
    );
    assert_eq!(
        (p.createdAt, p.adminEpoch, p.approvals, p.status),
        (created_at, 0, 1, Status::Pending as u8)
    );
    assert!(f.has_approved(1, a1), "the proposer always has approved");
    assert!(!f.has_approved(1, a2));
    assert_eq!(f.counts().proposals, 1);

    assert!(f.approve(a2, 1).status);
    let p = f.proposal(1);
    assert_eq!((p.approvals, p.status), (2, Status::Executed as u8));
    assert!(f.has_approved(1, a2));
    assert!(!f.has_approved(1, a3));

    let receipt = f.propose(a3, Action::SetThreshold, Address::ZERO, u(3));
    assert_eq!(proposal_id(&receipt), 2);
    assert!(f.cancel(a3, 2).status);
    assert_eq!(f.proposal(2).status, Status::Cancelled as u8);
    assert!(f.has_approved(2, a3));
    assert_eq!(f.counts().proposals, 2);
}

// ---------------------------------------------------------------------------------------------
// propose
// ---------------------------------------------------------------------------------------------

#[test]
fn each_action_executes_with_its_effect_event() {
    let mut f = Fixture::new(2, 1);
    let [a1, a2] = [f.admins[0], f.admins[1]];
    let name = label("St Mary");

    // Threshold 1: the proposer's approval executes at once.
    let receipt = f.propose_named(a1, Action::AddMember, HOSPITAL, roles::HOSPITAL, name);
    assert_eq!(proposal_id(&receipt), 1);
    assert_eq!(
        f.events(&receipt),
        [
            created(1, a1, Action::AddMember, HOSPITAL, roles::HOSPITAL, name),
            approved(1, a1, 1),
            executed(1),
            event!(MemberAdded {
                account: HOSPITAL,
                roles: roles::HOSPITAL,
                name
            }),
        ]
    );
    assert_eq!(f.roles(HOSPITAL), roles::HOSPITAL);

    let new_roles = roles::HOSPITAL | roles::PROXY;
    let receipt = f.propose(a2, Action::SetRoles, HOSPITAL, new_roles);
    assert_eq!(proposal_id(&receipt), 2);
    assert_eq!(
        f.events(&receipt),
        [
            created(2, a2, Action::SetRoles, HOSPITAL, new_roles, B256::ZERO),
            approved(2, a2, 1),
            executed(2),
            event!(RolesChanged {
                account: HOSPITAL,
                oldRoles: roles::HOSPITAL,
                newRoles: new_roles
            }),
        ]
    );
    assert_eq!(f.roles(HOSPITAL), new_roles);

    let receipt = f.propose(a1, Action::SetThreshold, Address::ZERO, u(2));
    assert_eq!(
        f.events(&receipt),
        [
            created(3, a1, Action::SetThreshold, Address::ZERO, u(2), B256::ZERO),
            approved(3, a1, 1),
            executed(3),
            event!(ThresholdChanged {
                oldThreshold: u(1),
                newThreshold: u(2)
            }),
        ]
    );
    assert_eq!(f.counts().threshold, 2);

    // Threshold 2 now: proposing alone no longer executes.
    let receipt = f.propose(a1, Action::RemoveMember, HOSPITAL, U256::ZERO);
    assert_eq!(
        f.events(&receipt),
        [
            created(
                4,
                a1,
                Action::RemoveMember,
                HOSPITAL,
                U256::ZERO,
                B256::ZERO
            ),
            approved(4, a1, 1),
        ]
    );
    let receipt = f.approve(a2, 4);
    assert_eq!(
        f.events(&receipt),
        [
            approved(4, a2, 2),
            executed(4),
            event!(MemberRemoved {
                account: HOSPITAL,
                roles: new_roles
            }),
        ]
    );
    assert!(!f.view(Consortium::isMemberCall { account: HOSPITAL }));
    let gone = f.view(Consortium::memberOfCall { account: HOSPITAL });
    assert_eq!(
        (gone.roles, gone.name, gone.joinedAt),
        (U256::ZERO, B256::ZERO, 0)
    );
    assert_eq!(
        f.counts(),
        Counts {
            threshold: 2,
            admins: 2,
            members: 2,
            epoch: 1,
            proposals: 4
        }
    );
}

#[test]
fn propose_add_member_validates_eagerly() {
    // Threshold 1, so a proposal that passed validation would execute at once.
    let mut f = Fixture::new(2, 1);
    let a1 = f.admins[0];
    assert!(
        f.propose(a1, Action::AddMember, HOSPITAL, roles::HOSPITAL)
            .status
    );
    let before = f.counts();

    let cases: [(Address, U256, ConsortiumErrors); 8] = [
        (
            Address::ZERO,
            roles::HOSPITAL,
            error!(ConsortiumInvalidAccount {
                account: Address::ZERO
            }),
        ),
        (
            Address::ZERO,
            U256::ZERO,
            error!(ConsortiumInvalidAccount {
                account: Address::ZERO
            }),
        ),
        (
            f.admins[1],
            roles::HOSPITAL,
            error!(ConsortiumAlreadyMember {
                account: f.admins[1]
            }),
        ),
        (
            HOSPITAL,
            roles::RESEARCH,
            error!(ConsortiumAlreadyMember { account: HOSPITAL }),
        ),
        (
            LAB,
            U256::ZERO,
            error!(ConsortiumInvalidRoles { roles: U256::ZERO }),
        ),
        (
            LAB,
            u(1 << 5),
            error!(ConsortiumInvalidRoles { roles: u(1 << 5) }),
        ),
        (
            LAB,
            roles::ALL | u(1 << 5),
            error!(ConsortiumInvalidRoles {
                roles: roles::ALL | u(1 << 5)
            }),
        ),
        (
            LAB,
            U256::MAX,
            error!(ConsortiumInvalidRoles { roles: U256::MAX }),
        ),
    ];
    for (account, value, expected) in cases {
        let receipt = f.propose(a1, Action::AddMember, account, value);
        assert_eq!(
            expect_error(&receipt),
            expected,
            "AddMember({account}, {value})"
        );
    }
    assert_eq!(f.counts(), before);
    assert!(!f.view(Consortium::isMemberCall { account: LAB }));
}

#[test]
fn propose_remove_member_validates_eagerly() {
    let mut f = Fixture::new(2, 2);
    let [a1, a2] = [f.admins[0], f.admins[1]];
    f.pass(&[a1, a2], Action::AddMember, HOSPITAL, roles::HOSPITAL);
    let before = f.counts();

    let cases: [(Address, U256, ConsortiumErrors); 6] = [
        (
            OUTSIDER,
            U256::ZERO,
            error!(ConsortiumNotMember { account: OUTSIDER }),
        ),
        (
            Address::ZERO,
            U256::ZERO,
            error!(ConsortiumNotMember {
                account: Address::ZERO
            }),
        ),
        (
            OUTSIDER,
            u(5),
            error!(ConsortiumNotMember { account: OUTSIDER }),
        ),
        (
            HOSPITAL,
            roles::HOSPITAL,
            error!(ConsortiumInvalidRoles {
                roles: roles::HOSPITAL
            }),
        ),
        (
            HOSPITAL,
            u(1),
            error!(ConsortiumInvalidRoles { roles: u(1) }),
        ),
        // Removing an admin would leave 1 admin for a threshold of 2.
        (a2, U256::ZERO, invalid_threshold(2, 1)),
    ];
    for (account, value, expected) in cases {
        let receipt = f.propose(a1, Action::RemoveMember, account, value);
        assert_eq!(
            expect_error(&receipt),
            expected,
            "RemoveMember({account}, {value})"
        );
    }
    assert_eq!(f.counts(), before);

    assert!(
        f.propose(a1, Action::RemoveMember, HOSPITAL, U256::ZERO)
            .status
    );
}

#[test]
fn propose_set_roles_validates_eagerly() {
    let mut f = Fixture::new(2, 2);
    let [a1, a2] = [f.admins[0], f.admins[1]];
    f.pass(&[a1, a2], Action::AddMember, HOSPITAL, roles::HOSPITAL);
    let before = f.counts();

    let cases: [(Address, U256, ConsortiumErrors); 6] = [
        (
            OUTSIDER,
            roles::HOSPITAL,
            error!(ConsortiumNotMember { account: OUTSIDER }),
        ),
        (
            OUTSIDER,
            U256::ZERO,
            error!(ConsortiumNotMember { account: OUTSIDER }),
        ),
        (
            HOSPITAL,
            U256::ZERO,
            error!(ConsortiumInvalidRoles { roles: U256::ZERO }),
        ),
        (
            HOSPITAL,
            u(1 << 6),
            error!(ConsortiumInvalidRoles { roles: u(1 << 6) }),
        ),
        // Demoting an admin would leave 1 admin for a threshold of 2.
        (a1, roles::HOSPITAL, invalid_threshold(2, 1)),
        (a2, roles::ALL & !roles::ADMIN, invalid_threshold(2, 1)),
    ];
    for (account, value, expected) in cases {
        let receipt = f.propose(a1, Action::SetRoles, account, value);
        assert_eq!(
            expect_error(&receipt),
            expected,
            "SetRoles({account}, {value})"
        );
    }
    assert_eq!(f.counts(), before);

    // Changes that keep the admin count are fine.
    assert!(
        f.propose(a1, Action::SetRoles, a1, roles::ADMIN | roles::HOSPITAL)
            .status
    );
    assert!(
        f.propose(a1, Action::SetRoles, HOSPITAL, roles::ADMIN)
            .status
    );
}

#[test]
fn propose_set_threshold_validates_eagerly() {
    let mut f = Fixture::new(3, 1);
    let a1 = f.admins[0];
    let cases: [(Address, U256, ConsortiumErrors); 5] = [
        (a1, u(1), error!(ConsortiumInvalidAccount { account: a1 })),
        (
            OUTSIDER,
            u(0),
            error!(ConsortiumInvalidAccount { account: OUTSIDER }),
        ),
        (Address::ZERO, u(0), invalid_threshold(0, 3)),
        (Address::ZERO, u(4), invalid_threshold(4, 3)),
        (
            Address::ZERO,
            U256::MAX,
            error!(ConsortiumInvalidThreshold {
                threshold: U256::MAX,
                adminCount: u(3)
            }),
        ),
    ];
    for (account, value, expected) in cases {
        let receipt = f.propose(a1, Action::SetThreshold, account, value);
        assert_eq!(
            expect_error(&receipt),
            expected,
            "SetThreshold({account}, {value})"
        );
    }
    assert_eq!(
        f.counts(),
        Counts {
            threshold: 1,
            admins: 3,
            members: 3,
            epoch: 0,
            proposals: 0
        }
    );

    assert!(
        f.propose(a1, Action::SetThreshold, Address::ZERO, u(3))
            .status
    );
    assert_eq!(f.counts().threshold, 3);
}

#[test]
fn propose_rejects_an_out_of_range_action_without_error_data() {
    // Solidity's ABI decoder rejects enum values out of range with empty revert data: there is
    // no custom error for this path.
    let mut f = Fixture::new(1, 1);
    let call = Consortium::proposeCall {
        action: 4,
        account: HOSPITAL,
        value: roles::HOSPITAL,
        name: B256::ZERO,
    };
    let receipt = f.send(f.admins[0], &call);
    assert!(!receipt.status);
    assert!(receipt.output.is_empty(), "{}", receipt.output);
    assert_eq!(f.counts().proposals, 0);
}

#[test]
fn unauthorized_callers_cannot_propose_or_approve() {
    let mut f = Fixture::new(3, 2);
    let [a1, a2, a3] = [f.admins[0], f.admins[1], f.admins[2]];
    f.pass(
        &[a1, a2],
        Action::AddMember,
        HOSPITAL,
        roles::HOSPITAL | roles::RESEARCH,
    );
    let id = proposal_id(&f.propose(a1, Action::AddMember, LAB, roles::RESEARCH));

    for caller in [OUTSIDER, HOSPITAL, DEPLOYER, Address::ZERO] {
        let receipt = f.propose(caller, Action::AddMember, LAB, roles::RESEARCH);
        assert_reverts(&receipt, unauthorized(caller));
        assert_reverts(&f.approve(caller, id), unauthorized(caller));
        // The role check comes before the proposal lookup.
        assert_reverts(&f.approve(caller, 999), unauthorized(caller));
        assert!(!f.has_approved(id, caller));
    }
    assert_eq!(f.proposal(id).approvals, 1);
    assert_eq!(f.counts().proposals, id);

    // An admin demoted to a plain hospital loses the right to propose and approve.
    f.pass(&[a1, a2], Action::SetRoles, a3, roles::HOSPITAL);
    assert_reverts(
        &f.propose(a3, Action::AddMember, LAB, roles::RESEARCH),
        unauthorized(a3),
    );
    assert_reverts(&f.approve(a3, id), unauthorized(a3));
}

// ---------------------------------------------------------------------------------------------
// approve
// ---------------------------------------------------------------------------------------------

#[test]
fn approve_rejects_unknown_proposals() {
    let mut f = Fixture::new(3, 2);
    let [a1, a2] = [f.admins[0], f.admins[1]];
    let unknown = |id: u64| error!(ConsortiumUnknownProposal { proposalId: u(id) });
    assert_reverts(&f.approve(a2, 0), unknown(0));
    assert_reverts(&f.approve(a2, 1), unknown(1));

    assert!(
        f.propose(a1, Action::AddMember, LAB, roles::RESEARCH)
            .status
    );
    assert_reverts(&f.approve(a2, 0), unknown(0));
    assert_reverts(&f.approve(a2, 2), unknown(2));
    let receipt = f.send(
        a2,
        &Consortium::approveCall {
            proposalId: U256::MAX,
        },
    );
    assert_reverts(
        &receipt,
        error!(ConsortiumUnknownProposal {
            proposalId: U256::MAX
        }),
    );
}

#[test]
fn approve_rejects_executed_and_cancelled_proposals() {
    let mut f = Fixture::new(3, 2);
    let [a1, a2, a3] = [f.admins[0], f.admins[1], f.admins[2]];
    let (done, _) = f.pass(&[a1, a2], Action::AddMember, LAB, roles::RESEARCH);
    assert_reverts(&f.approve(a3, done), not_pending(done, Status::Executed));
    // The status check comes before the already-approved check.
    assert_reverts(&f.approve(a1, done), not_pending(done, Status::Executed));

    let cancelled = proposal_id(&f.propose(a1, Action::AddMember, HOSPITAL, roles::HOSPITAL));
    assert!(f.cancel(a1, cancelled).status);
    assert_reverts(
        &f.approve(a2, cancelled),
        not_pending(cancelled, Status::Cancelled),
    );
    assert!(!f.has_approved(cancelled, a2));
}

#[test]
fn approve_rejects_proposals_made_stale_by_admin_set_or_threshold_changes() {
    let mut f = Fixture::new(3, 2);
    let [a1, a2, a3] = [f.admins[0], f.admins[1], f.admins[2]];
    let dana = account(4);
    let stale = |id: u64| error!(ConsortiumProposalStale { proposalId: u(id) });

    // A new admin.
    let id = proposal_id(&f.propose(a1, Action::AddMember, HOSPITAL, roles::HOSPITAL));
    f.pass(&[a2, a3], Action::AddMember, dana, roles::ADMIN);
    assert_eq!(f.proposal(id).adminEpoch, 0);
    assert_eq!(f.epoch(), 1);
    assert_reverts(&f.approve(a2, id), stale(id));
    assert!(!f.has_approved(id, a2));
    assert_eq!(f.proposal(id).approvals, 1);

    // A threshold change.
    let id = proposal_id(&f.propose(a1, Action::AddMember, HOSPITAL, roles::HOSPITAL));
    f.pass(&[a2, a3], Action::SetThreshold, Address::ZERO, u(3));
    assert_reverts(&f.approve(a3, id), stale(id));

    // A demotion (4 admins, threshold 3).
    let id = proposal_id(&f.propose(a1, Action::AddMember, HOSPITAL, roles::HOSPITAL));
    f.pass(&[a2, a3, dana], Action::SetRoles, dana, roles::AUTHORITY);
    assert_reverts(&f.approve(a2, id), stale(id));

    // A removal (after lowering the threshold back to 2, so that an admin can go).
    f.pass(&[a1, a2, a3], Action::SetThreshold, Address::ZERO, u(2));
    let id = proposal_id(&f.propose(a1, Action::AddMember, HOSPITAL, roles::HOSPITAL));
    f.pass(&[a2, a3], Action::RemoveMember, a3, U256::ZERO);
    assert_reverts(&f.approve(a2, id), stale(id));
    assert_eq!(f.epoch(), 5);

    // A change that leaves the admin set alone keeps pending proposals valid.
    let id = proposal_id(&f.propose(a1, Action::AddMember, HOSPITAL, roles::HOSPITAL));
    f.pass(&[a2, a1], Action::AddMember, LAB, roles::RESEARCH);
    assert_eq!(f.epoch(), 5);
    let receipt = f.approve(a2, id);
    assert_eq!(f.events(&receipt)[..2], [approved(id, a2, 2), executed(id)]);
}

#[test]
fn approve_accepts_at_the_ttl_and_rejects_one_second_later() {
    let mut f = Fixture::new(3, 2);
    let [a1, a2] = [f.admins[0], f.admins[1]];
    let id = proposal_id(&f.propose(a1, Action::AddMember, LAB, roles::RESEARCH));
    let created_at = f.proposal(id).createdAt;
    let snapshot = f.chain.snapshot().unwrap();

    f.chain.set_next_block_timestamp(created_at + TTL);
    let receipt = f.approve(a2, id);
    assert_eq!(f.chain.head().timestamp, created_at + TTL);
    assert_eq!(f.events(&receipt)[..2], [approved(id, a2, 2), executed(id)]);

    f.chain.revert(snapshot).unwrap();
    f.chain.set_next_block_timestamp(created_at + TTL + 1);
    let receipt = f.approve(a2, id);
    assert_eq!(f.chain.head().timestamp, created_at + TTL + 1);
    assert_reverts(
        &receipt,
        error!(ConsortiumProposalExpired { proposalId: u(id) }),
    );
    assert!(!f.has_approved(id, a2));
    let p = f.proposal(id);
    assert_eq!((p.approvals, p.status), (1, Status::Pending as u8));

    // Staleness is reported before expiry.
    f.pass(&[a1, a2], Action::SetThreshold, Address::ZERO, u(3));
    assert_reverts(
        &f.approve(a2, id),
        error!(ConsortiumProposalStale { proposalId: u(id) }),
    );
}

#[test]
fn approve_rejects_a_second_approval_by_the_same_admin() {
    let mut f = Fixture::new(4, 3);
    let [a1, a2, a3] = [f.admins[0], f.admins[1], f.admins[2]];
    let id = proposal_id(&f.propose(a1, Action::AddMember, LAB, roles::RESEARCH));
    let already = |admin| {
        error!(ConsortiumAlreadyApproved {
            proposalId: u(id),
            admin
        })
    };

    assert_reverts(&f.approve(a1, id), already(a1));
    assert!(f.approve(a2, id).status);
    assert_reverts(&f.approve(a2, id), already(a2));
    let p = f.proposal(id);
    assert_eq!((p.approvals, p.status), (2, Status::Pending as u8));

    let receipt = f.approve(a3, id);
    assert_eq!(f.events(&receipt)[..2], [approved(id, a3, 3), executed(id)]);
}

#[test]
fn approve_reverts_when_the_recheck_fails_and_records_nothing() {
    let mut f = Fixture::new(3, 2);
    let [a1, a2, a3] = [f.admins[0], f.admins[1], f.admins[2]];

    // Two proposals to add the same hospital; the second fails once the first executed.
    let first = proposal_id(&f.propose(a1, Action::AddMember, HOSPITAL, roles::HOSPITAL));
    let second = proposal_id(&f.propose(a2, Action::AddMember, HOSPITAL, roles::RESEARCH));
    assert!(f.approve(a3, first).status);
    for admin in [a3, a1] {
        assert_reverts(
            &f.approve(admin, second),
            error!(ConsortiumAlreadyMember { account: HOSPITAL }),
        );
        assert!(
            !f.has_approved(second, admin),
            "the failed approval is not recorded"
        );
    }
    let p = f.proposal(second);
    assert_eq!((p.approvals, p.status), (1, Status::Pending as u8));
    assert_eq!(f.roles(HOSPITAL), roles::HOSPITAL);
    // The proposal can still be cancelled.
    let receipt = f.cancel(a2, second);
    assert_eq!(
        f.events(&receipt),
        [event!(ProposalCancelled {
            proposalId: u(second),
            by: a2
        })]
    );

    // A removal executes first; a role change and a second removal of the member then fail.
    let remove = proposal_id(&f.propose(a1, Action::RemoveMember, HOSPITAL, U256::ZERO));
    let set_roles = proposal_id(&f.propose(a2, Action::SetRoles, HOSPITAL, roles::PROXY));
    let remove_again = proposal_id(&f.propose(a3, Action::RemoveMember, HOSPITAL, U256::ZERO));
    assert!(f.approve(a2, remove).status);
    for id in [set_roles, remove_again] {
        assert_reverts(
            &f.approve(a1, id),
            error!(ConsortiumNotMember { account: HOSPITAL }),
        );
        assert!(!f.has_approved(id, a1));
        assert_eq!(f.proposal(id).approvals, 1);
    }
    assert_eq!(
        f.counts(),
        Counts {
            threshold: 2,
            admins: 3,
            members: 3,
            epoch: 0,
            proposals: 5
        }
    );
}

// ---------------------------------------------------------------------------------------------
// k-of-n flows
// ---------------------------------------------------------------------------------------------

#[test]
fn two_of_three_executes_exactly_at_the_second_approval() {
    let mut f = Fixture::new(3, 2);
    let [a1, a2, a3] = [f.admins[0], f.admins[1], f.admins[2]];
    let name = label("City Lab");

    let receipt = f.propose_named(a1, Action::AddMember, LAB, roles::RESEARCH, name);
    let id = proposal_id(&receipt);
    assert_eq!(id, 1);
    assert_eq!(
        f.events(&receipt),
        [
            created(id, a1, Action::AddMember, LAB, roles::RESEARCH, name),
            approved(id, a1, 1),
        ]
    );
    assert!(!f.view(Consortium::isMemberCall { account: LAB }));
    assert_eq!(f.proposal(id).status, Status::Pending as u8);

    let receipt = f.approve(a2, id);
    let joined_at = f.chain.head().timestamp;
    assert_eq!(
        f.events(&receipt),
        [
            approved(id, a2, 2),
            executed(id),
            event!(MemberAdded {
                account: LAB,
                roles: roles::RESEARCH,
                name
            }),
        ]
    );
    let member = f.view(Consortium::memberOfCall { account: LAB });
    assert_eq!(
        (member.roles, member.name, member.joinedAt),
        (roles::RESEARCH, name, joined_at)
    );
    assert_eq!(f.proposal(id).status, Status::Executed as u8);

    assert_reverts(&f.approve(a3, id), not_pending(id, Status::Executed));
    assert_eq!(
        f.counts(),
        Counts {
            threshold: 2,
            admins: 3,
            members: 4,
            epoch: 0,
            proposals: 1
        }
    );
}

#[test]
fn three_of_four_waits_for_the_third_approval() {
    let mut f = Fixture::new(4, 3);
    let [a1, a2, a4] = [f.admins[0], f.admins[1], f.admins[3]];
    let new_roles = roles::ADMIN | roles::AUTHORITY;

    let id = proposal_id(&f.propose(a1, Action::SetRoles, a4, new_roles));
    let receipt = f.approve(a2, id);
    assert_eq!(f.events(&receipt), [approved(id, a2, 2)]);
    assert_eq!(f.roles(a4), roles::ADMIN);

    let receipt = f.approve(a4, id);
    assert_eq!(
        f.events(&receipt),
        [
            approved(id, a4, 3),
            executed(id),
            event!(RolesChanged {
                account: a4,
                oldRoles: roles::ADMIN,
                newRoles: new_roles
            }),
        ]
    );
    assert_eq!(f.roles(a4), new_roles);
    assert_eq!(f.epoch(), 0, "the admin set did not change");
}

// ---------------------------------------------------------------------------------------------
// cancel
// ---------------------------------------------------------------------------------------------

#[test]
fn proposer_cancels_pending_proposals_only() {
    let mut f = Fixture::new(3, 2);
    let [a1, a2] = [f.admins[0], f.admins[1]];
    let unknown = |id: u64| error!(ConsortiumUnknownProposal { proposalId: u(id) });
    assert_reverts(&f.cancel(a1, 0), unknown(0));
    assert_reverts(&f.cancel(a1, 1), unknown(1));
    // Existence is checked before the caller.
    assert_reverts(&f.cancel(OUTSIDER, 99), unknown(99));

    let id = proposal_id(&f.propose(a1, Action::AddMember, LAB, roles::RESEARCH));
    let receipt = f.cancel(a1, id);
    assert_eq!(
        f.events(&receipt),
        [event!(ProposalCancelled {
            proposalId: u(id),
            by: a1
        })]
    );
    let p = f.proposal(id);
    assert_eq!((p.approvals, p.status), (1, Status::Cancelled as u8));
    assert_reverts(&f.cancel(a1, id), not_pending(id, Status::Cancelled));

    let (done, _) = f.pass(&[a1, a2], Action::AddMember, LAB, roles::RESEARCH);
    assert_reverts(&f.cancel(a1, done), not_pending(done, Status::Executed));
}

#[test]
fn other_admins_cancel_only_stale_or_expired_proposals() {
    let mut f = Fixture::new(3, 2);
    let [a1, a2, a3] = [f.admins[0], f.admins[1], f.admins[2]];
    f.pass(&[a1, a2], Action::AddMember, HOSPITAL, roles::HOSPITAL);
    let id = proposal_id(&f.propose(a1, Action::AddMember, LAB, roles::RESEARCH));
    let created_at = f.proposal(id).createdAt;
    let cancelled_by = |by| {
        vec![event!(ProposalCancelled {
            proposalId: u(id),
            by
        })]
    };

    // Fresh: only the proposer.
    for caller in [a2, HOSPITAL, OUTSIDER] {
        assert_reverts(&f.cancel(caller, id), unauthorized(caller));
    }
    let snapshot = f.chain.snapshot().unwrap();

    // Exactly at the TTL the proposal is still live.
    f.chain.set_next_block_timestamp(created_at + TTL);
    assert_reverts(&f.cancel(a2, id), unauthorized(a2));

    // Expired: any admin, but not other members or outsiders.
    f.chain.revert(snapshot).unwrap();
    f.chain.set_next_block_timestamp(created_at + TTL + 1);
    for caller in [HOSPITAL, OUTSIDER] {
        assert_reverts(&f.cancel(caller, id), unauthorized(caller));
    }
    let receipt = f.cancel(a2, id);
    assert_eq!(f.events(&receipt), cancelled_by(a2));
    assert_eq!(f.proposal(id).status, Status::Cancelled as u8);

    // Stale: any admin, but not other members or outsiders.
    f.chain.revert(snapshot).unwrap();
    f.pass(&[a2, a3], Action::SetThreshold, Address::ZERO, u(3));
    for caller in [HOSPITAL, OUTSIDER] {
        assert_reverts(&f.cancel(caller, id), unauthorized(caller));
    }
    let receipt = f.cancel(a3, id);
    assert_eq!(f.events(&receipt), cancelled_by(a3));

    // The proposer may cancel even after losing the admin role.
    f.chain.revert(snapshot).unwrap();
    f.pass(&[a2, a3], Action::SetRoles, a1, roles::HOSPITAL);
    let receipt = f.cancel(a1, id);
    assert_eq!(f.events(&receipt), cancelled_by(a1));
}

// ---------------------------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------------------------

#[test]
fn admin_count_never_drops_below_the_threshold() {
    // A single admin can neither leave nor give up the admin role.
    let mut f = Fixture::new(1, 1);
    let solo = f.admins[0];
    assert_reverts(
        &f.propose(solo, Action::RemoveMember, solo, U256::ZERO),
        invalid_threshold(1, 0),
    );
    assert_reverts(
        &f.propose(solo, Action::SetRoles, solo, roles::HOSPITAL),
        invalid_threshold(1, 0),
    );
    assert_reverts(
        &f.propose(solo, Action::SetThreshold, Address::ZERO, U256::ZERO),
        invalid_threshold(0, 1),
    );
    assert!(
        f.propose(solo, Action::SetRoles, solo, roles::ADMIN | roles::HOSPITAL)
            .status
    );
    assert_eq!(
        f.counts(),
        Counts {
            threshold: 1,
            admins: 1,
            members: 1,
            epoch: 0,
            proposals: 1
        }
    );

    // n = k = 3: no admin can go until the threshold is lowered.
    let mut f = Fixture::new(3, 3);
    let [a1, a2, a3] = [f.admins[0], f.admins[1], f.admins[2]];
    assert_reverts(
        &f.propose(a1, Action::RemoveMember, a3, U256::ZERO),
        invalid_threshold(3, 2),
    );
    assert_reverts(
        &f.propose(a1, Action::SetRoles, a3, roles::PROXY),
        invalid_threshold(3, 2),
    );
    f.pass(&[a1, a2, a3], Action::SetThreshold, Address::ZERO, u(2));
    f.pass(&[a1, a2], Action::RemoveMember, a3, U256::ZERO);
    assert_eq!(
        f.counts(),
        Counts {
            threshold: 2,
            admins: 2,
            members: 2,
            epoch: 2,
            proposals: 2
        }
    );
    assert_reverts(
        &f.propose(a1, Action::RemoveMember, a2, U256::ZERO),
        invalid_threshold(2, 1),
    );
    assert_reverts(
        &f.propose(a1, Action::SetRoles, a1, roles::RESEARCH),
        invalid_threshold(2, 1),
    );

    // Non-admin members come and go freely; promoting one raises the admin count.
    f.pass(&[a1, a2], Action::AddMember, HOSPITAL, roles::HOSPITAL);
    f.pass(
        &[a1, a2],
        Action::SetRoles,
        HOSPITAL,
        roles::HOSPITAL | roles::ADMIN,
    );
    assert_eq!(f.counts().admins, 3);
    f.pass(&[a1, a2], Action::RemoveMember, a1, U256::ZERO);
    assert_eq!(
        f.counts(),
        Counts {
            threshold: 2,
            admins: 2,
            members: 2,
            epoch: 4,
            proposals: 5
        }
    );
}

#[test]
fn admin_epoch_changes_exactly_with_the_admin_set_or_threshold() {
    let mut f = Fixture::new(2, 1);
    let [a1, a2] = [f.admins[0], f.admins[1]];
    let dana = account(4);
    let steps: [(Action, Address, U256, u64); 11] = [
        (Action::AddMember, HOSPITAL, roles::HOSPITAL, 0),
        (
            Action::SetRoles,
            HOSPITAL,
            roles::HOSPITAL | roles::RESEARCH,
            0,
        ),
        (
            Action::SetRoles,
            HOSPITAL,
            roles::HOSPITAL | roles::ADMIN,
            1,
        ),
        (Action::SetRoles, HOSPITAL, roles::ADMIN | roles::PROXY, 1),
        (Action::SetThreshold, Address::ZERO, u(1), 1),
        (Action::AddMember, LAB, roles::RESEARCH, 1),
        (Action::RemoveMember, LAB, U256::ZERO, 1),
        (Action::AddMember, dana, roles::ADMIN | roles::AUTHORITY, 2),
        (Action::SetRoles, dana, roles::AUTHORITY, 3),
        (Action::RemoveMember, HOSPITAL, U256::ZERO, 4),
        (Action::SetThreshold, Address::ZERO, u(2), 5),
    ];
    for (action, account, value, epoch) in steps {
        f.pass(&[a1], action, account, value);
        assert_eq!(f.epoch(), epoch, "after {action:?}({account}, {value})");
    }
    f.pass(&[a2, a1], Action::SetThreshold, Address::ZERO, u(2));
    assert_eq!(f.epoch(), 5, "same threshold");
    f.pass(&[a2, a1], Action::SetThreshold, Address::ZERO, u(1));
    assert_eq!(
        f.counts(),
        Counts {
            threshold: 1,
            admins: 2,
            members: 3,
            epoch: 6,
            proposals: 13
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Real signed transactions
// ---------------------------------------------------------------------------------------------

/// Signs `tx` with `signer` and submits it as raw EIP-2718 bytes.
fn send_signed<T>(chain: &mut TestChain, signer: &PrivateKeySigner, mut tx: T) -> Receipt
where
    T: SignableTransaction<Signature>,
    Signed<T>: Into<TxEnvelope>,
{
    let signature = signer.sign_transaction_sync(&mut tx).unwrap();
    let envelope: TxEnvelope = tx.into_signed(signature).into();
    let receipt = chain
        .send_raw_transaction(&envelope.encoded_2718())
        .unwrap();
    assert_eq!(receipt.from, signer.address());
    assert_eq!(receipt.transaction_hash, *envelope.tx_hash());
    receipt
}

fn eip1559(chain: &TestChain, from: Address, to: TxKind, input: Bytes) -> TxEip1559 {
    TxEip1559 {
        chain_id: chain.chain_id(),
        nonce: chain.nonce(from),
        gas_limit: 5_000_000,
        max_fee_per_gas: 0,
        max_priority_fee_per_gas: 0,
        to,
        input,
        ..Default::default()
    }
}

fn legacy(chain: &TestChain, from: Address, to: TxKind, input: Bytes) -> TxLegacy {
    TxLegacy {
        chain_id: Some(chain.chain_id()),
        nonce: chain.nonce(from),
        gas_price: 0,
        gas_limit: 1_000_000,
        to,
        input,
        ..Default::default()
    }
}

#[test]
fn signed_transactions_drive_a_two_of_two_flow() {
    let alice = PrivateKeySigner::from_bytes(&B256::repeat_byte(0x11)).unwrap();
    let bob = PrivateKeySigner::from_bytes(&B256::repeat_byte(0x22)).unwrap();
    let (a, b) = (alice.address(), bob.address());
    let mut chain = TestChain::new().unwrap();

    // Deployment: a signed EIP-1559 contract creation.
    let code = deploy_code(
        &Consortium::BYTECODE,
        &Consortium::constructorCall {
            initialAdmins: vec![a, b],
            names: vec![label("Alice Hospital"), label("Bob Clinic")],
            initialThreshold: u(2),
        },
    );
    let tx = eip1559(&chain, a, TxKind::Create, code);
    let receipt = send_signed(&mut chain, &alice, tx);
    assert!(receipt.status, "{receipt:?}");
    let address = receipt.contract_address.unwrap();
    assert_eq!(address, a.create(0));
    let mut f = Fixture {
        chain,
        address,
        admins: vec![a, b],
    };

    // Alice proposes with an EIP-1559 transaction.
    let call = Consortium::proposeCall {
        action: Action::AddMember as u8,
        account: LAB,
        value: roles::RESEARCH,
        name: label("City Lab"),
    };
    let tx = eip1559(&f.chain, a, TxKind::Call(address), call.abi_encode().into());
    let receipt = send_signed(&mut f.chain, &alice, tx);
    let id = proposal_id(&receipt);
    assert_eq!(
        f.events(&receipt),
        [
            created(
                id,
                a,
                Action::AddMember,
                LAB,
                roles::RESEARCH,
                label("City Lab")
            ),
            approved(id, a, 1),
        ]
    );

    // Bob approves with a legacy EIP-155 transaction: threshold reached.
    let approve = Consortium::approveCall { proposalId: u(id) }.abi_encode();
    let tx = legacy(&f.chain, b, TxKind::Call(address), approve.clone().into());
    let receipt = send_signed(&mut f.chain, &bob, tx);
    assert_eq!(
        f.events(&receipt),
        [
            approved(id, b, 2),
            executed(id),
            event!(MemberAdded {
                account: LAB,
                roles: roles::RESEARCH,
                name: label("City Lab")
            }),
        ]
    );
    assert!(f.view(Consortium::hasRoleCall {
        account: LAB,
        role: roles::RESEARCH
    }));

    // A signed transaction that reverts is mined with its custom error.
    let tx = legacy(&f.chain, b, TxKind::Call(address), approve.into());
    let receipt = send_signed(&mut f.chain, &bob, tx);
    assert_reverts(&receipt, not_pending(id, Status::Executed));

    assert_eq!((f.chain.nonce(a), f.chain.nonce(b)), (2, 2));
    assert_eq!(
        f.counts(),
        Counts {
            threshold: 2,
            admins: 2,
            members: 3,
            epoch: 0,
            proposals: 1
        }
    );
}

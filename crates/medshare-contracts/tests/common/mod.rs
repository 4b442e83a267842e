//! Test fixture for `Consortium`: deploys it on an in-memory [`TestChain`] and wraps the calls,
//! event decoding and custom-error decoding the tests need.

use alloy::{
    primitives::{Address, B256, U256},
    sol_types::{SolCall, SolEventInterface, SolInterface},
};
use medshare_contracts::{
    Consortium::{self, ConsortiumErrors, ConsortiumEvents},
    deploy_code,
};
use medshare_evm::{CallRequest, Receipt, TestChain};

/// `IConsortium.Action`, as the `uint8` the ABI carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Action {
    AddMember = 0,
    RemoveMember = 1,
    SetRoles = 2,
    SetThreshold = 3,
}

/// `IConsortium.ProposalStatus`, as the `uint8` the ABI carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Status {
    None = 0,
    Pending = 1,
    Executed = 2,
    Cancelled = 3,
}

/// `Consortium.PROPOSAL_TTL`: 7 days.
pub(crate) const TTL: u64 = 7 * 24 * 60 * 60;

/// Account that deploys the contract; it is not an admin unless listed.
pub(crate) const DEPLOYER: Address = Address::repeat_byte(0xde);

/// The `i`-th test account (`i` in `1..=255`); admins of [`Fixture::new`] are `account(1..=n)`.
pub(crate) fn account(i: u8) -> Address {
    Address::repeat_byte(i)
}

/// Solidity `bytes32("...")`: the text left-aligned and zero-padded.
pub(crate) fn label(text: &str) -> B256 {
    B256::right_padding_from(text.as_bytes())
}

/// Deploys `Consortium(admins, names, threshold)` from [`DEPLOYER`] and returns the receipt,
/// successful or not.
pub(crate) fn deploy(
    chain: &mut TestChain,
    admins: &[Address],
    names: &[B256],
    threshold: u64,
) -> Receipt {
    let code = deploy_code(
        &Consortium::BYTECODE,
        &Consortium::constructorCall {
            initialAdmins: admins.to_vec(),
            names: names.to_vec(),
            initialThreshold: U256::from(threshold),
        },
    );
    chain.deploy_as(DEPLOYER, code).unwrap()
}

/// The custom error a reverted transaction returned. Panics if it succeeded or if the revert
/// data is not a `Consortium` error.
pub(crate) fn expect_error(receipt: &Receipt) -> ConsortiumErrors {
    assert!(
        !receipt.status,
        "expected a revert, got success: {receipt:?}"
    );
    assert!(
        receipt.logs.is_empty(),
        "a reverted transaction has no logs"
    );
    ConsortiumErrors::abi_decode(&receipt.output).unwrap_or_else(|e| {
        panic!(
            "revert data {} is not a Consortium error: {e}",
            receipt.output
        )
    })
}

/// Asserts that `receipt` reverted with exactly `expected` (name and arguments).
#[track_caller]
pub(crate) fn assert_reverts(receipt: &Receipt, expected: ConsortiumErrors) {
    assert_eq!(expect_error(receipt), expected);
}

/// Counters of the contract, compared as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) threshold: u64,
    pub(crate) admins: u64,
    pub(crate) members: u64,
    pub(crate) epoch: u64,
    pub(crate) proposals: u64,
}

/// A deployed `Consortium` on its own chain.
pub(crate) struct Fixture {
    pub(crate) chain: TestChain,
    pub(crate) address: Address,
    /// The initial admins, `account(1..=n)`.
    pub(crate) admins: Vec<Address>,
}

impl Fixture {
    /// `n` initial admins `account(1..=n)` named `Admin i`, threshold `k`.
    pub(crate) fn new(n: u8, k: u64) -> Self {
        let mut chain = TestChain::new().unwrap();
        let admins: Vec<Address> = (1..=n).map(account).collect();
        let names: Vec<B256> = (1..=n).map(|i| label(&format!("Admin {i}"))).collect();
        let receipt = deploy(&mut chain, &admins, &names, k);
        assert!(receipt.status, "deployment failed: {receipt:?}");
        Self {
            chain,
            address: receipt.contract_address.unwrap(),
            admins,
        }
    }

    /// Sends `call` to the contract from `from` (impersonated) and returns the mined receipt.
    pub(crate) fn send(&mut self, from: Address, call: &impl SolCall) -> Receipt {
        self.chain
            .send_as(from, Some(self.address), call.abi_encode(), U256::ZERO)
            .unwrap()
    }

    /// `propose(action, account, value, name)` from `from`.
    pub(crate) fn propose_named(
        &mut self,
        from: Address,
        action: Action,
        account: Address,
        value: U256,
        name: B256,
    ) -> Receipt {
        self.send(
            from,
            &Consortium::proposeCall {
                action: action as u8,
                account,
                value,
                name,
            },
        )
    }

    /// `propose(action, account, value, bytes32(0))` from `from`.
    pub(crate) fn propose(
        &mut self,
        from: Address,
        action: Action,
        account: Address,
        value: U256,
    ) -> Receipt {
        self.propose_named(from, action, account, value, B256::ZERO)
    }

    /// `approve(id)` from `from`.
    pub(crate) fn approve(&mut self, from: Address, id: u64) -> Receipt {
        self.send(
            from,
            &Consortium::approveCall {
                proposalId: U256::from(id),
            },
        )
    }

    /// `cancel(id)` from `from`.
    pub(crate) fn cancel(&mut self, from: Address, id: u64) -> Receipt {
        self.send(
            from,
            &Consortium::cancelCall {
                proposalId: U256::from(id),
            },
        )
    }

    /// Proposes with `signers[0]`, approves with the others, and checks that exactly the last
    /// transaction executed the proposal. Returns the proposal id and the executing receipt.
    pub(crate) fn pass(
        &mut self,
        signers: &[Address],
        action: Action,
        account: Address,
        value: U256,
    ) -> (u64, Receipt) {
        let mut receipt = self.propose(signers[0], action, account, value);
        assert!(
            receipt.status,
            "propose failed: {:?}",
            expect_error(&receipt)
        );
        let id = proposal_id(&receipt);
        for &admin in &signers[1..] {
            assert!(
                !self.executed(&receipt),
                "executed before all signers approved"
            );
            receipt = self.approve(admin, id);
            assert!(
                receipt.status,
                "approve failed: {:?}",
                expect_error(&receipt)
            );
        }
        assert!(
            self.executed(&receipt),
            "not executed after all signers approved"
        );
        (id, receipt)
    }

    /// The decoded events of a successful receipt, all emitted by the contract.
    pub(crate) fn events(&self, receipt: &Receipt) -> Vec<ConsortiumEvents> {
        assert!(
            receipt.status,
            "transaction reverted: {:?}",
            expect_error(receipt)
        );
        receipt
            .logs
            .iter()
            .map(|log| {
                assert_eq!(log.address, self.address);
                ConsortiumEvents::decode_raw_log(&log.topics, &log.data).unwrap()
            })
            .collect()
    }

    fn executed(&self, receipt: &Receipt) -> bool {
        self.events(receipt)
            .iter()
            .any(|e| matches!(e, ConsortiumEvents::ProposalExecuted(_)))
    }

    /// Calls a view function (from the zero address) and decodes its result.
    pub(crate) fn view<C: SolCall>(&self, call: C) -> C::Return {
        let outcome = self
            .chain
            .call(&CallRequest::new(
                Address::ZERO,
                self.address,
                call.abi_encode(),
            ))
            .unwrap();
        assert!(outcome.success, "view reverted: {}", outcome.output);
        C::abi_decode_returns(&outcome.output).unwrap()
    }

    /// `rolesOf(account)`.
    pub(crate) fn roles(&self, account: Address) -> U256 {
        self.view(Consortium::rolesOfCall { account })
    }

    /// `proposal(id)`.
    pub(crate) fn proposal(&self, id: u64) -> <Consortium::proposalCall as SolCall>::Return {
        self.view(Consortium::proposalCall {
            proposalId: U256::from(id),
        })
    }

    /// `hasApproved(id, admin)`.
    pub(crate) fn has_approved(&self, id: u64, admin: Address) -> bool {
        self.view(Consortium::hasApprovedCall {
            proposalId: U256::from(id),
            admin,
        })
    }

    /// All counters: threshold, adminCount, memberCount, adminEpoch, proposalCount.
    pub(crate) fn counts(&self) -> Counts {
        let word = |value: U256| u64::try_from(value).unwrap();
        Counts {
            threshold: word(self.view(Consortium::thresholdCall {})),
            admins: word(self.view(Consortium::adminCountCall {})),
            members: word(self.view(Consortium::memberCountCall {})),
            epoch: self.view(Consortium::adminEpochCall {}),
            proposals: word(self.view(Consortium::proposalCountCall {})),
        }
    }

    /// `adminEpoch()`.
    pub(crate) fn epoch(&self) -> u64 {
        self.view(Consortium::adminEpochCall {})
    }
}

/// The id `propose` returned in a successful receipt.
pub(crate) fn proposal_id(receipt: &Receipt) -> u64 {
    let id = Consortium::proposeCall::abi_decode_returns(&receipt.output).unwrap();
    u64::try_from(id).unwrap()
}

//! `Contract::matches_runtime_code` on code that the embedded chain actually deployed.
#![allow(clippy::unwrap_used)]

use alloy::primitives::{Address, B256, Bytes, U256};
use medshare_contracts::{Consortium, Contract, IdentityRegistry, PreVerifier, deploy_code};
use medshare_evm::TestChain;

const DEPLOYER: Address = Address::repeat_byte(0xde);

fn deploy(chain: &mut TestChain, code: Bytes) -> Address {
    let receipt = chain.deploy_as(DEPLOYER, code).unwrap();
    assert!(receipt.status, "deployment failed: {receipt:?}");
    receipt.contract_address.unwrap()
}

fn registry(chain: &mut TestChain, consortium: Address, min_epoch_duration: u64) -> Address {
    deploy(
        chain,
        deploy_code(
            &IdentityRegistry::BYTECODE,
            &IdentityRegistry::constructorCall {
                consortium_: consortium,
                minEpochDuration_: min_epoch_duration,
                minThreshold_: 2,
                minAuthorities_: 3,
            },
        ),
    )
}

#[test]
fn deployed_code_matches_its_contract_only() {
    let mut chain = TestChain::new().unwrap();
    let consortium = deploy(
        &mut chain,
        deploy_code(
            &Consortium::BYTECODE,
            &Consortium::constructorCall {
                initialAdmins: vec![Address::repeat_byte(1)],
                names: vec![B256::ZERO],
                initialThreshold: U256::from(1),
            },
        ),
    );
    let registry = registry(&mut chain, consortium, 3600);
    let pre_verifier = deploy(&mut chain, PreVerifier::BYTECODE.clone());

    let deployed = [
        (Contract::Consortium, consortium),
        (Contract::IdentityRegistry, registry),
        (Contract::PreVerifier, pre_verifier),
    ];
    for (contract, _) in deployed {
        for (other, address) in deployed {
            assert_eq!(
                contract.matches_runtime_code(&chain.code(address)),
                contract == other,
                "{} against the code of {}",
                contract.name(),
                other.name()
            );
        }
        // An account without code, as on a chain where nothing was deployed.
        assert!(!contract.matches_runtime_code(&chain.code(Address::repeat_byte(0x77))));
    }
}

#[test]
fn immutables_may_differ_and_nothing_else() {
    let mut chain = TestChain::new().unwrap();
    let a = registry(&mut chain, Address::repeat_byte(0xc1), 3600);
    let b = registry(&mut chain, Address::repeat_byte(0xc2), 7200);
    let (a, b) = (chain.code(a), chain.code(b));
    // The constructor arguments live in the immutables, so the deployments differ there.
    assert_ne!(a, b);
    assert_ne!(a, IdentityRegistry::DEPLOYED_BYTECODE);
    let contract = Contract::IdentityRegistry;
    assert!(contract.matches_runtime_code(&a) && contract.matches_runtime_code(&b));

    // A byte where the two deployments differ is in an immutable; the first (an opcode) and
    // the last (the metadata length) are not.
    let inside = (0..a.len()).find(|&i| a[i] != b[i]).unwrap();
    for (i, accepted) in [(inside, true), (0, false), (a.len() - 1, false)] {
        let mut flipped = a.to_vec();
        flipped[i] ^= 0x01;
        assert_eq!(
            contract.matches_runtime_code(&flipped),
            accepted,
            "byte {i}"
        );
    }
    assert!(!contract.matches_runtime_code(&a[..a.len() - 1]));
    assert!(!contract.matches_runtime_code(&a[..a.len() / 2]));
}

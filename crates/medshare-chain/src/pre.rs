//! `PreVerifier`: the chain's check of proxy re-encryption (capsules and capsule fragments).

use alloy::primitives::Address;
use medshare_contracts::{PreVerifier as Abi, pre_abi};
use medshare_pre::{Capsule, CapsuleFrag, DelegationVerifyingKey, PublicKey};

use crate::{Network, Result};

/// `PreVerifier` at one address, on any network. It holds no state: every answer is a view.
#[derive(Clone, Copy, Debug)]
pub struct PreVerifier<'a> {
    network: &'a Network,
    address: Address,
}

impl<'a> PreVerifier<'a> {
    /// The contract at `address`.
    pub const fn new(network: &'a Network, address: Address) -> Self {
        Self { network, address }
    }

    /// Its address.
    pub const fn address(&self) -> Address {
        self.address
    }

    /// Whether `capsule` is well formed (its proof verifies).
    pub async fn verify_capsule(&self, capsule: &Capsule) -> Result<bool> {
        self.network
            .call(
                self.address,
                &Abi::verifyCapsuleCall {
                    capsule: pre_abi::capsule(capsule),
                },
            )
            .await
    }

    /// Whether `cfrag` is a proxy's correct re-encryption of `capsule`, made with a key
    /// fragment that the holder of `verifying_key` signed for the delegation from
    /// `delegating_pk` to `receiving_pk`.
    pub async fn verify_capsule_frag(
        &self,
        capsule: &Capsule,
        delegating_pk: &PublicKey,
        verifying_key: &DelegationVerifyingKey,
        receiving_pk: &PublicKey,
        cfrag: &CapsuleFrag,
    ) -> Result<bool> {
        let inputs = cfrag.evm_inputs(capsule, delegating_pk, verifying_key, receiving_pk);
        self.network
            .call(self.address, &pre_abi::verify_capsule_frag_call(&inputs))
            .await
    }
}

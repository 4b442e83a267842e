//! `medshare-pre` values as the `PreVerifier` ABI takes them: points as `(x, y)` words, scalars
//! as `uint256` (`docs/pre.md`, the EVM encoding).

use alloy::primitives::{B256, U256};
use medshare_pre::{Capsule, CapsuleFragEvmInputs};

use crate::{
    Bn254::G1Point,
    IPreVerifier::{self, KeyFragSignature},
    PreVerifier,
};

/// A G1 point from its 64-byte EVM encoding `x || y`.
pub fn g1(bytes: &[u8; 64]) -> G1Point {
    G1Point {
        x: U256::from_be_slice(&bytes[..32]),
        y: U256::from_be_slice(&bytes[32..]),
    }
}

/// A capsule as `verifyCapsule` takes it.
pub fn capsule(capsule: &Capsule) -> IPreVerifier::Capsule {
    let bytes = capsule.to_evm_bytes();
    let (e, rest) = bytes.split_at(64);
    let (v, s) = rest.split_at(64);
    IPreVerifier::Capsule {
        e: g1(&point(e)),
        v: g1(&point(v)),
        s: U256::from_be_slice(s),
    }
}

/// The `verifyCapsuleFrag` call that checks one fragment (`CapsuleFrag::evm_inputs`).
pub fn verify_capsule_frag_call(
    inputs: &CapsuleFragEvmInputs,
) -> PreVerifier::verifyCapsuleFragCall {
    PreVerifier::verifyCapsuleFragCall {
        capsule: IPreVerifier::Capsule {
            e: g1(&inputs.e),
            v: g1(&inputs.v),
            s: U256::from_be_bytes(inputs.s),
        },
        delegatingPk: g1(&inputs.delegating_pk),
        verifyingKey: g1(&inputs.verifying_key),
        receivingPk: g1(&inputs.receiving_pk),
        cfrag: IPreVerifier::CapsuleFrag {
            w1: g1(&inputs.w1),
            kfragId: B256::from(inputs.kfrag_id),
            precursor: g1(&inputs.precursor),
            commitment: g1(&inputs.commitment),
            w2: g1(&inputs.w2),
            u2: g1(&inputs.u2),
            z: U256::from_be_bytes(inputs.z),
            signature: KeyFragSignature {
                r: g1(&inputs.signature_r),
                z: U256::from_be_bytes(inputs.signature_z),
            },
        },
    }
}

fn point(bytes: &[u8]) -> [u8; 64] {
    let mut point = [0; 64];
    point.copy_from_slice(bytes);
    point
}

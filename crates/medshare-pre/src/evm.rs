//! The EVM view: every value a Solidity verifier needs, as the EVM sees it (points 64 bytes
//! `x || y` big-endian, scalars 32 bytes big-endian), plus the exact keccak transcripts.

use alloc::vec::Vec;

use crate::capsule::Capsule;
use crate::capsule_frag::{CapsuleFrag, proof_transcript};
use crate::curve::{self, GENERATOR_U, point_to_evm, scalar_to_be};
use crate::key_frag::signature_transcript;
use crate::keys::{DelegationVerifyingKey, PublicKey};

/// The generator `G = (1, 2)` as 64 bytes `x || y`.
pub fn generator_g_evm() -> [u8; 64] {
    point_to_evm(&curve::generator())
}

/// The second generator `U` as 64 bytes `x || y` (see `docs/pre.md` for its derivation).
pub fn generator_u_evm() -> [u8; 64] {
    point_to_evm(&GENERATOR_U)
}

/// Inputs of the on-chain check of one capsule fragment: the kfrag signature
/// (`z_sig·G == R + c·vk_L`, 2 ecMul + 1 ecAdd) and the DLEQ proof (`W = E + V`;
/// `z·W == W2 + h·W1` and `z·U == U2 + h·U1`, 4 ecMul + 3 ecAdd).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapsuleFragEvmInputs {
    /// Delegating (label) public key `pk_A`.
    pub delegating_pk: [u8; 64],
    /// The label's delegation verifying key `vk_L`, under which the kfrag is signed.
    pub verifying_key: [u8; 64],
    /// Receiving (requester) public key `pk_B`.
    pub receiving_pk: [u8; 64],
    /// Capsule `E`.
    pub e: [u8; 64],
    /// Capsule `V`.
    pub v: [u8; 64],
    /// Capsule `s`.
    pub s: [u8; 32],
    /// `W = E + V`.
    pub w: [u8; 64],
    /// Precursor `X_A`.
    pub precursor: [u8; 64],
    /// Key-fragment id.
    pub kfrag_id: [u8; 32],
    /// Key-fragment commitment `U1 = rk·U`.
    pub commitment: [u8; 64],
    /// Re-encrypted point `W1 = rk·W`.
    pub w1: [u8; 64],
    /// Proof commitment `W2 = τ·W`.
    pub w2: [u8; 64],
    /// Proof commitment `U2 = τ·U`.
    pub u2: [u8; 64],
    /// DLEQ response `z = τ + h·rk`.
    pub z: [u8; 32],
    /// Exact keccak input of the DLEQ challenge.
    pub proof_transcript: Vec<u8>,
    /// `keccak256(proof_transcript)` (before reduction).
    pub proof_digest: [u8; 32],
    /// DLEQ challenge `h = keccak256(proof_transcript) mod r`.
    pub proof_challenge: [u8; 32],
    /// Signature point `R`.
    pub signature_r: [u8; 64],
    /// Signature response `z_sig`.
    pub signature_z: [u8; 32],
    /// Exact keccak input of the signature challenge (ends with `R`).
    pub signature_transcript: Vec<u8>,
    /// Signature challenge `c = keccak256(signature_transcript) mod r`.
    pub signature_challenge: [u8; 32],
}

impl CapsuleFrag {
    /// The EVM view of this fragment's verification for `capsule`, `delegating_pk`,
    /// `verifying_key`, `receiving_pk` (computed whether or not the fragment is valid).
    pub fn evm_inputs(
        &self,
        capsule: &Capsule,
        delegating_pk: &PublicKey,
        verifying_key: &DelegationVerifyingKey,
        receiving_pk: &PublicKey,
    ) -> CapsuleFragEvmInputs {
        use ark_ec::CurveGroup;
        let pt = proof_transcript(capsule, delegating_pk, receiving_pk, self);
        let mut st = signature_transcript(
            delegating_pk,
            verifying_key,
            receiving_pk,
            &self.precursor,
            &self.kfrag_id,
            &self.commitment,
        );
        st.g1(&self.kfrag_signature.r);
        CapsuleFragEvmInputs {
            delegating_pk: delegating_pk.to_evm_bytes(),
            verifying_key: verifying_key.to_evm_bytes(),
            receiving_pk: receiving_pk.to_evm_bytes(),
            e: point_to_evm(&capsule.e),
            v: point_to_evm(&capsule.v),
            s: scalar_to_be(&capsule.s),
            w: point_to_evm(&capsule.w().into_affine()),
            precursor: point_to_evm(&self.precursor),
            kfrag_id: self.kfrag_id,
            commitment: point_to_evm(&self.commitment),
            w1: point_to_evm(&self.w1),
            w2: point_to_evm(&self.w2),
            u2: point_to_evm(&self.u2),
            z: scalar_to_be(&self.z),
            proof_digest: pt.digest(),
            proof_challenge: scalar_to_be(&pt.challenge()),
            proof_transcript: pt.into_bytes(),
            signature_r: point_to_evm(&self.kfrag_signature.r),
            signature_z: scalar_to_be(&self.kfrag_signature.z),
            signature_challenge: scalar_to_be(&st.challenge()),
            signature_transcript: st.into_bytes(),
        }
    }
}

impl Capsule {
    /// The capsule as the EVM sees it: `E (64) || V (64) || s (32)`.
    pub fn to_evm_bytes(&self) -> [u8; 160] {
        let mut out = [0u8; 160];
        out[..64].copy_from_slice(&point_to_evm(&self.e));
        out[64..128].copy_from_slice(&point_to_evm(&self.v));
        out[128..].copy_from_slice(&scalar_to_be(&self.s));
        out
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Bn254} from "./Bn254.sol";
import {IPreVerifier} from "../interfaces/IPreVerifier.sol";

/**
 * @title PreVerification
 * @notice On-chain verification of medshare-pre proofs (`docs/pre.md`, format version 2), with
 * the ecAdd/ecMul precompiles only: a capsule's validity proof, the label owner's Schnorr
 * signature on a key fragment (by the label's delegation-signing key, not the label key), and a
 * capsule fragment's Chaum-Pedersen (DLEQ) re-encryption proof. Each function is named after the
 * Rust item it mirrors.
 * @dev Fiat-Shamir challenges are `keccak256(transcript) mod r` (as {Bn254-hashToScalar}), over
 * the byte-exact transcripts of `docs/pre.md` §6: a 32-byte tag `keccak256(ascii tag)`, then
 * points as 64 bytes `x || y`, scalars and ids as 32 bytes, all big-endian. Every field is one
 * or two words, so a transcript is built as a static `uint256[n]` in memory and hashed in
 * place, which is `keccak256(abi.encodePacked(fields...))` without the copy (see
 * {proofChallenge}).
 *
 * Input handling, for every `verify*` function:
 *
 * - malformed input reverts with a {Bn254} error: a point with a coordinate `>= p` or off the
 *   curve ({Bn254-Bn254InvalidPoint}), the identity `(0, 0)` ({Bn254-Bn254IdentityPoint}), a
 *   scalar `>= r` ({Bn254-Bn254ScalarOutOfRange}). These are exactly the encodings the Rust
 *   decoders reject.
 * - a well-formed input whose proof fails returns `false`.
 *
 * Trust: `pk_A` (label public key) and `vk_L` (the label's delegation verifying key) must come
 * from the record's registration, `pk_B` from the grant, never from the fragment's poster. A
 * coalition of a requester and `t` proxies can rebuild the label key (`docs/pre.md` §9), so a
 * contract that accepted signatures under `pk_A` would accept delegations they mint.
 *
 * ```solidity
 * // In a contract that stores pk_A, vk_L and the capsule (the record, whose capsule it checked
 * // with verifyCapsule at registration) and pk_B (the grant):
 * if (!PreVerification.verifyCapsuleFrag(capsule, pkA, vkL, pkB, cfrag)) revert BadFragment();
 * ```
 */
library PreVerification {
    using Bn254 for Bn254.G1Point;

    /// @dev `keccak256("MEDSHARE-PRE-v1/capsule-check")`, first word of the capsule-check transcript.
    bytes32 internal constant CAPSULE_CHECK_TAG = 0x06b06c80163d78e2889b8dd779175dced3d48ac6dc4f795df76db1b70e02beda;

    /// @dev `keccak256("MEDSHARE-PRE-v2/kfrag-signature")`, first word of the signature transcript.
    bytes32 internal constant KFRAG_SIGNATURE_TAG = 0x5fc253ec0038be3b2a425c80e8b6d0f624a7932059938c8fbc51dac6583cc239;

    /// @dev `keccak256("MEDSHARE-PRE-v1/cfrag-dleq")`, first word of the DLEQ transcript.
    bytes32 internal constant CFRAG_DLEQ_TAG = 0xddbcfbd2af3c7e9ade097faed99da7d0573bc703219e56aa635d295eb46b4cf3;

    /**
     * @dev x coordinate of the second generator `U`, whose discrete log to base `G` is unknown:
     * the first `x = keccak256("MEDSHARE-PRE-v1/generator-U" || u32be(ctr)) mod p` on the curve
     * (`docs/pre.md` §2, Rust `curve::GENERATOR_U`).
     */
    uint256 internal constant U_X = 0x03674eb605a4a90a9ca1d02f0d6e21b1d26cd556d8960a99d0609db34676b178;

    /// @dev y coordinate of `U`: the smaller of the two square roots of `U_X³ + 3`.
    uint256 internal constant U_Y = 0x0d383bfac1a7aac873993b8d89061040b89a8ec5cce7b2be073d4e104c1860f5;

    /// @dev The second generator `U`.
    function generatorU() internal pure returns (Bn254.G1Point memory) {
        return Bn254.G1Point(U_X, U_Y);
    }

    /**
     * @dev `Capsule::is_valid` (run by Rust's `Capsule::from_bytes`): `s·G == V + h·E` and
     * `E + V != O`, `h` = {capsuleChallenge}. 2 ecMul + 2 ecAdd.
     *
     * Requirements: `E`, `V` are non-identity points and `s < r`, else reverts (see the
     * library documentation).
     */
    function verifyCapsule(IPreVerifier.Capsule memory capsule) internal view returns (bool) {
        Bn254.validateNonIdentity(capsule.e);
        Bn254.validateNonIdentity(capsule.v);
        Bn254.validateScalar(capsule.s);
        if (capsule.e.addUnchecked(capsule.v).isIdentity()) return false;
        uint256 h = capsuleChallenge(capsule);
        // s·G == V + h·E
        return Bn254.mulEqualsAddMulUnchecked(Bn254.generator(), capsule.s, capsule.v, capsule.e, h);
    }

    /**
     * @dev `KeyFragSignature::verify`: `z_sig·G == R + c·vk_L` with `c` = {signatureChallenge}.
     * 2 ecMul + 1 ecAdd. Returns false if `verifyingKey == delegatingPk` (such metadata proves
     * no consent).
     *
     * Requirements: `delegatingPk`, `verifyingKey`, `receivingPk`, `precursor`, `commitment` and
     * `signature.r` are non-identity points and `signature.z < r`, else reverts (see the library
     * documentation).
     */
    function verifyKeyFragSignature(
        Bn254.G1Point memory delegatingPk,
        Bn254.G1Point memory verifyingKey,
        Bn254.G1Point memory receivingPk,
        Bn254.G1Point memory precursor,
        bytes32 kfragId,
        Bn254.G1Point memory commitment,
        IPreVerifier.KeyFragSignature memory signature
    ) internal view returns (bool) {
        Bn254.validateNonIdentity(delegatingPk);
        Bn254.validateNonIdentity(verifyingKey);
        Bn254.validateNonIdentity(receivingPk);
        Bn254.validateNonIdentity(precursor);
        Bn254.validateNonIdentity(commitment);
        Bn254.validateNonIdentity(signature.r);
        Bn254.validateScalar(signature.z);
        return
            _verifyKeyFragSignature(
                delegatingPk,
                verifyingKey,
                receivingPk,
                precursor,
                kfragId,
                commitment,
                signature
            );
    }

    /**
     * @dev The re-encryption check of `CapsuleFrag::verify` (step 2, `IncorrectReencryption`):
     * with `W = E + V` and `h` = {proofChallenge}, `z·W == W2 + h·W1` and `z·U == U2 + h·U1`.
     * A capsule with `W = O` (never valid) yields false. 4 ecMul + 3 ecAdd. It does not check the
     * key-fragment signature that authenticates `U1`: use {verifyCapsuleFrag} unless `U1` is
     * known to be genuine.
     *
     * Requirements: all points of the four arguments are non-identity points and `capsule.s`,
     * `cfrag.z` are below `r`, else reverts (see the library documentation).
     */
    function verifyCapsuleFragProof(
        IPreVerifier.Capsule memory capsule,
        Bn254.G1Point memory delegatingPk,
        Bn254.G1Point memory receivingPk,
        IPreVerifier.CapsuleFrag memory cfrag
    ) internal view returns (bool) {
        Bn254.validateNonIdentity(delegatingPk);
        Bn254.validateNonIdentity(receivingPk);
        _validateProofInputs(capsule, cfrag);
        return _verifyCapsuleFragProof(capsule, delegatingPk, receivingPk, cfrag);
    }

    /**
     * @dev `CapsuleFrag::verify`: {verifyKeyFragSignature} under `vk_L` over
     * `(pk_A, vk_L, pk_B, X_A, id, U1)`, then {verifyCapsuleFragProof}. 6 ecMul + 4 ecAdd.
     *
     * The capsule's own proof is not re-checked here: `capsule` must be one that passed
     * {verifyCapsule} (as Rust's `Capsule::from_bytes` ensures), e.g. checked once when the
     * record was registered. For an unchecked capsule a true result proves the re-encryption
     * but not that the capsule is well formed.
     *
     * Returns false if `verifyingKey == delegatingPk` (such metadata proves no consent).
     *
     * Requirements: every point (`capsule.e`, `capsule.v`, the three keys and the six points of
     * `cfrag`) is a non-identity point and `capsule.s`, `cfrag.z`, `cfrag.signature.z` are below
     * `r`, else reverts (see the library documentation).
     */
    function verifyCapsuleFrag(
        IPreVerifier.Capsule memory capsule,
        Bn254.G1Point memory delegatingPk,
        Bn254.G1Point memory verifyingKey,
        Bn254.G1Point memory receivingPk,
        IPreVerifier.CapsuleFrag memory cfrag
    ) internal view returns (bool) {
        Bn254.validateNonIdentity(delegatingPk);
        Bn254.validateNonIdentity(verifyingKey);
        Bn254.validateNonIdentity(receivingPk);
        _validateProofInputs(capsule, cfrag);
        Bn254.validateNonIdentity(cfrag.signature.r);
        Bn254.validateScalar(cfrag.signature.z);
        return
            _verifyKeyFragSignature(
                delegatingPk,
                verifyingKey,
                receivingPk,
                cfrag.precursor,
                cfrag.kfragId,
                cfrag.commitment,
                cfrag.signature
            ) && _verifyCapsuleFragProof(capsule, delegatingPk, receivingPk, cfrag);
    }

    /**
     * @dev `Capsule::challenge`: `keccak256(CAPSULE_CHECK_TAG || G || E || V) mod r` over 224
     * bytes (`docs/pre.md` §6.1). Hashes the words as given, without validation.
     */
    function capsuleChallenge(IPreVerifier.Capsule memory capsule) internal pure returns (uint256) {
        uint256[7] memory t;
        t[0] = uint256(CAPSULE_CHECK_TAG);
        (t[1], t[2]) = (Bn254.G1_X, Bn254.G1_Y);
        (t[3], t[4]) = (capsule.e.x, capsule.e.y);
        (t[5], t[6]) = (capsule.v.x, capsule.v.y);
        bytes32 digest;
        assembly ("memory-safe") {
            // keccak256(abi.encodePacked(t)) without copying `t`: see {proofChallenge}.
            digest := keccak256(t, 224)
        }
        return uint256(digest) % Bn254.R;
    }

    /**
     * @dev The challenge of `KeyFragSignature::verify`: `keccak256(signature_transcript || R) mod r`
     * with `signature_transcript = KFRAG_SIGNATURE_TAG || G || pk_A || vk_L || pk_B || X_A || id || U1`,
     * 512 bytes in all (`docs/pre.md` §6.2). Hashes the words as given, without validation.
     */
    function signatureChallenge(
        Bn254.G1Point memory delegatingPk,
        Bn254.G1Point memory verifyingKey,
        Bn254.G1Point memory receivingPk,
        Bn254.G1Point memory precursor,
        bytes32 kfragId,
        Bn254.G1Point memory commitment,
        Bn254.G1Point memory signatureR
    ) internal pure returns (uint256) {
        uint256[16] memory t;
        t[0] = uint256(KFRAG_SIGNATURE_TAG);
        (t[1], t[2]) = (Bn254.G1_X, Bn254.G1_Y);
        (t[3], t[4]) = (delegatingPk.x, delegatingPk.y);
        (t[5], t[6]) = (verifyingKey.x, verifyingKey.y);
        (t[7], t[8]) = (receivingPk.x, receivingPk.y);
        (t[9], t[10]) = (precursor.x, precursor.y);
        t[11] = uint256(kfragId);
        (t[12], t[13]) = (commitment.x, commitment.y);
        (t[14], t[15]) = (signatureR.x, signatureR.y);
        bytes32 digest;
        assembly ("memory-safe") {
            // keccak256(abi.encodePacked(t)) without copying `t`: see {proofChallenge}.
            digest := keccak256(t, 512)
        }
        return uint256(digest) % Bn254.R;
    }

    /**
     * @dev The DLEQ challenge of `CapsuleFrag::verify`, `capsule_frag::proof_transcript`:
     * `keccak256(CFRAG_DLEQ_TAG || G || U || pk_A || pk_B || E || V || s || X_A || id || U1 || W1 || W2 || U2) mod r`
     * over 800 bytes (`docs/pre.md` §6.3). Hashes the words as given, without validation.
     *
     * The transcript is a static `uint256[25]` in memory, whose words are contiguous at its
     * address, so hashing its 800 bytes gives exactly `keccak256(abi.encodePacked(t))`, i.e. the
     * packed encoding of the fields in order, without the copy `abi.encodePacked` makes (about
     * 2,000 gas for this transcript).
     */
    function proofChallenge(
        IPreVerifier.Capsule memory capsule,
        Bn254.G1Point memory delegatingPk,
        Bn254.G1Point memory receivingPk,
        IPreVerifier.CapsuleFrag memory cfrag
    ) internal pure returns (uint256) {
        uint256[25] memory t;
        t[0] = uint256(CFRAG_DLEQ_TAG);
        (t[1], t[2]) = (Bn254.G1_X, Bn254.G1_Y);
        (t[3], t[4]) = (U_X, U_Y);
        (t[5], t[6]) = (delegatingPk.x, delegatingPk.y);
        (t[7], t[8]) = (receivingPk.x, receivingPk.y);
        (t[9], t[10]) = (capsule.e.x, capsule.e.y);
        (t[11], t[12]) = (capsule.v.x, capsule.v.y);
        t[13] = capsule.s;
        (t[14], t[15]) = (cfrag.precursor.x, cfrag.precursor.y);
        t[16] = uint256(cfrag.kfragId);
        (t[17], t[18]) = (cfrag.commitment.x, cfrag.commitment.y);
        (t[19], t[20]) = (cfrag.w1.x, cfrag.w1.y);
        (t[21], t[22]) = (cfrag.w2.x, cfrag.w2.y);
        (t[23], t[24]) = (cfrag.u2.x, cfrag.u2.y);
        bytes32 digest;
        assembly ("memory-safe") {
            digest := keccak256(t, 800)
        }
        return uint256(digest) % Bn254.R;
    }

    /// @dev Validates the inputs of the DLEQ check other than the two public keys.
    function _validateProofInputs(IPreVerifier.Capsule memory capsule, IPreVerifier.CapsuleFrag memory cfrag)
        private
        pure
    {
        Bn254.validateNonIdentity(capsule.e);
        Bn254.validateNonIdentity(capsule.v);
        Bn254.validateScalar(capsule.s);
        Bn254.validateNonIdentity(cfrag.w1);
        Bn254.validateNonIdentity(cfrag.precursor);
        Bn254.validateNonIdentity(cfrag.commitment);
        Bn254.validateNonIdentity(cfrag.w2);
        Bn254.validateNonIdentity(cfrag.u2);
        Bn254.validateScalar(cfrag.z);
    }

    /// @dev {verifyKeyFragSignature} on validated inputs.
    function _verifyKeyFragSignature(
        Bn254.G1Point memory delegatingPk,
        Bn254.G1Point memory verifyingKey,
        Bn254.G1Point memory receivingPk,
        Bn254.G1Point memory precursor,
        bytes32 kfragId,
        Bn254.G1Point memory commitment,
        IPreVerifier.KeyFragSignature memory signature
    ) private view returns (bool) {
        // A verifying key equal to the label key proves no consent: whoever rebuilt a_L could
        // sign under it (Rust `LabelKeyAsVerifyingKey`).
        if (delegatingPk.eq(verifyingKey)) return false;
        uint256 c = signatureChallenge(
            delegatingPk,
            verifyingKey,
            receivingPk,
            precursor,
            kfragId,
            commitment,
            signature.r
        );
        // z_sig·G == R + c·vk_L: the delegation-signing key, never the label key pk_A.
        return Bn254.mulEqualsAddMulUnchecked(Bn254.generator(), signature.z, signature.r, verifyingKey, c);
    }

    /// @dev {verifyCapsuleFragProof} on validated inputs.
    function _verifyCapsuleFragProof(
        IPreVerifier.Capsule memory capsule,
        Bn254.G1Point memory delegatingPk,
        Bn254.G1Point memory receivingPk,
        IPreVerifier.CapsuleFrag memory cfrag
    ) private view returns (bool) {
        Bn254.G1Point memory w = capsule.e.addUnchecked(capsule.v);
        if (w.isIdentity()) return false;
        uint256 h = proofChallenge(capsule, delegatingPk, receivingPk, cfrag);
        // z·W == W2 + h·W1 and z·U == U2 + h·U1
        return
            Bn254.mulEqualsAddMulUnchecked(w, cfrag.z, cfrag.w2, cfrag.w1, h) &&
            Bn254.mulEqualsAddMulUnchecked(generatorU(), cfrag.z, cfrag.u2, cfrag.commitment, h);
    }
}

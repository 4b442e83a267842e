// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IPreVerifier} from "./interfaces/IPreVerifier.sol";
import {Bn254} from "./libraries/Bn254.sol";
import {PreVerification} from "./libraries/PreVerification.sol";

/**
 * @title PreVerifier
 * @notice Stateless verifier of medshare-pre capsules and capsule fragments, for off-chain checks
 * through `eth_call`, tests and gas measurements.
 * @dev A thin external face of the {PreVerification} library; contracts that verify fragments as
 * part of their own logic (e.g. an access manager) call the library internally instead of this
 * contract. Malformed points or scalars revert with a `Bn254` error, a proof that does not hold
 * returns false (see {IPreVerifier}).
 *
 * ```solidity
 * // Off-chain, through eth_call:
 * bool ok = IPreVerifier(verifier).verifyCapsuleFrag(capsule, pkA, vkL, pkB, cfrag);
 * ```
 *
 * The contract has no state, no owner and makes no calls other than to the precompiles.
 */
contract PreVerifier is IPreVerifier {
    /// @inheritdoc IPreVerifier
    function verifyCapsule(Capsule memory capsule) external view returns (bool) {
        return PreVerification.verifyCapsule(capsule);
    }

    /// @inheritdoc IPreVerifier
    function verifyCapsuleFrag(
        Capsule memory capsule,
        Bn254.G1Point memory delegatingPk,
        Bn254.G1Point memory verifyingKey,
        Bn254.G1Point memory receivingPk,
        CapsuleFrag memory cfrag
    ) external view returns (bool) {
        return PreVerification.verifyCapsuleFrag(capsule, delegatingPk, verifyingKey, receivingPk, cfrag);
    }

    /// @inheritdoc IPreVerifier
    function capsuleChallenge(Capsule memory capsule) external pure returns (uint256) {
        return PreVerification.capsuleChallenge(capsule);
    }

    /// @inheritdoc IPreVerifier
    function signatureChallenge(
        Bn254.G1Point memory delegatingPk,
        Bn254.G1Point memory verifyingKey,
        Bn254.G1Point memory receivingPk,
        CapsuleFrag memory cfrag
    ) external pure returns (uint256) {
        return
            PreVerification.signatureChallenge(
                delegatingPk,
                verifyingKey,
                receivingPk,
                cfrag.precursor,
                cfrag.kfragId,
                cfrag.commitment,
                cfrag.signature.r
            );
    }

    /// @inheritdoc IPreVerifier
    function proofChallenge(
        Capsule memory capsule,
        Bn254.G1Point memory delegatingPk,
        Bn254.G1Point memory receivingPk,
        CapsuleFrag memory cfrag
    ) external pure returns (uint256) {
        return PreVerification.proofChallenge(capsule, delegatingPk, receivingPk, cfrag);
    }
}

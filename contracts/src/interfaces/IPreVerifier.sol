// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Bn254} from "../libraries/Bn254.sol";

/**
 * @title IPreVerifier
 * @notice Stateless checks of medshare-pre proofs (`docs/pre.md`, format version 2): a capsule's
 * validity proof, and a capsule fragment's key-fragment signature (by the label's delegation
 * verifying key `vk_L`) and re-encryption (DLEQ) proof.
 * @dev The structs are the EVM view of the Rust types (`CapsuleFrag::evm_inputs`): points as
 * `(x, y)` words, scalars as `uint256`, ids as `bytes32`. Other contracts verify with the
 * internal library `PreVerification`, which takes the same structs; a deployed `PreVerifier`
 * serves off-chain checks through `eth_call`, tests and gas measurements.
 *
 * Results split in two:
 *
 * - **malformed input** (not an encoding the Rust decoders accept) reverts with a
 *   `Bn254` error carrying the offending value: `Bn254InvalidPoint(x, y)` for a coordinate
 *   `>= p` or a point off the curve, `Bn254IdentityPoint()` for `(0, 0)` (every point of the
 *   protocol must be a non-identity G1 point), `Bn254ScalarOutOfRange(s)` for a scalar `>= r`.
 * - **well-formed input whose proof does not hold** returns `false`.
 *
 * So {verifyCapsule} returns true exactly for what Rust's `Capsule::from_bytes` accepts, and
 * {verifyCapsuleFrag} (for such a capsule) exactly for what `CapsuleFrag::verify` accepts.
 * These errors are declared in the `Bn254` library (shared with every contract that does curve
 * arithmetic) and appear in the ABI of every contract that uses them; this interface adds none.
 */
interface IPreVerifier {
    /// @dev A capsule `(E, V, s)` (`docs/pre.md` §4.2).
    struct Capsule {
        /// @dev `E = r·G`.
        Bn254.G1Point e;
        /// @dev `V = u·G`.
        Bn254.G1Point v;
        /// @dev `s = u + r·h`, the response of the capsule's validity proof.
        uint256 s;
    }

    /// @dev The label owner's Schnorr signature `(R, z_sig)` on a key fragment (§4.3).
    struct KeyFragSignature {
        /// @dev Commitment `R = k·G`.
        Bn254.G1Point r;
        /// @dev Response `z_sig = k + c·dsk_L`.
        uint256 z;
    }

    /// @dev A capsule fragment, fields in wire order (§4.4, §5).
    struct CapsuleFrag {
        /// @dev Re-encrypted point `W1 = rk·W`, `W = E + V`.
        Bn254.G1Point w1;
        /// @dev Key-fragment id (32 bytes chosen by the owner, pseudorandom).
        bytes32 kfragId;
        /// @dev Precursor `X_A` of the delegation.
        Bn254.G1Point precursor;
        /// @dev Commitment `U1 = rk·U` to the key-fragment share.
        Bn254.G1Point commitment;
        /// @dev Proof commitment `W2 = τ·W`.
        Bn254.G1Point w2;
        /// @dev Proof commitment `U2 = τ·U`.
        Bn254.G1Point u2;
        /// @dev DLEQ response `z = τ + h·rk`.
        uint256 z;
        /// @dev The owner's signature on `(pk_A, vk_L, pk_B, X_A, id, U1)`.
        KeyFragSignature signature;
    }

    /**
     * @notice Checks a capsule's validity proof: `s·G == V + h·E` and `E + V != O`, with
     * `h = keccak256(capsule-check transcript) mod r` (`docs/pre.md` §4.2, §6.1), as Rust's
     * `Capsule::from_bytes` does.
     * @dev Costs 2 ecMul + 2 ecAdd.
     *
     * Requirements:
     *
     * - `E` and `V` are non-identity G1 points and `s < r`; otherwise reverts with
     *   `Bn254InvalidPoint`, `Bn254IdentityPoint` or `Bn254ScalarOutOfRange`.
     *
     * @param capsule The capsule.
     * @return True iff the proof holds; false for a well-formed capsule whose proof fails.
     */
    function verifyCapsule(Capsule memory capsule) external view returns (bool);

    /**
     * @notice Checks a capsule fragment as Rust's `CapsuleFrag::verify` does: the owner's
     * signature on the key fragment under the label's delegation verifying key
     * (`z_sig·G == R + c·vk_L`) and the re-encryption proof (`z·W == W2 + h·W1`,
     * `z·U == U2 + h·U1` with `W = E + V`), with the keccak challenges of `docs/pre.md` §6.2
     * and §6.3.
     * @dev Costs 6 ecMul + 4 ecAdd. The capsule's own proof is not re-checked: pass a capsule
     * that passed {verifyCapsule} (a record registry checks it once, at registration); a
     * capsule with `E + V = O` yields false. Take `delegatingPk` and `verifyingKey` from the
     * record and `receivingPk` from the grant, never from the caller of a fragment.
     *
     * Requirements:
     *
     * - every point (`capsule.e`, `capsule.v`, `delegatingPk`, `verifyingKey`, `receivingPk` and
     *   the six of `cfrag`) is a non-identity G1 point, and `capsule.s`, `cfrag.z`,
     *   `cfrag.signature.z` are below `r`; otherwise reverts with `Bn254InvalidPoint`,
     *   `Bn254IdentityPoint` or `Bn254ScalarOutOfRange`.
     *
     * @param capsule The capsule that was re-encrypted (already checked with {verifyCapsule}).
     * @param delegatingPk The label public key `pk_A` the capsule was made for.
     * @param verifyingKey The label's delegation verifying key `vk_L`, which signed the key
     * fragment.
     * @param receivingPk The requester's public key `pk_B`.
     * @param cfrag The capsule fragment.
     * @return True iff both the signature and the DLEQ proof hold.
     */
    function verifyCapsuleFrag(
        Capsule memory capsule,
        Bn254.G1Point memory delegatingPk,
        Bn254.G1Point memory verifyingKey,
        Bn254.G1Point memory receivingPk,
        CapsuleFrag memory cfrag
    ) external view returns (bool);

    /**
     * @notice The capsule-check challenge `h = keccak256(tag || G || E || V) mod r` (§6.1).
     * @dev Hashes the given words as they are, without validating them.
     * @param capsule The capsule (`s` is not part of the transcript).
     * @return The challenge, below `r`.
     */
    function capsuleChallenge(Capsule memory capsule) external pure returns (uint256);

    /**
     * @notice The key-fragment signature challenge
     * `c = keccak256(tag || G || pk_A || vk_L || pk_B || X_A || id || U1 || R) mod r` (§6.2).
     * @dev Hashes the given words as they are, without validating them.
     * @param delegatingPk `pk_A`.
     * @param verifyingKey `vk_L`.
     * @param receivingPk `pk_B`.
     * @param cfrag The capsule fragment (its `precursor`, `kfragId`, `commitment` and
     * `signature.r` are hashed).
     * @return The challenge, below `r`.
     */
    function signatureChallenge(
        Bn254.G1Point memory delegatingPk,
        Bn254.G1Point memory verifyingKey,
        Bn254.G1Point memory receivingPk,
        CapsuleFrag memory cfrag
    ) external pure returns (uint256);

    /**
     * @notice The DLEQ challenge
     * `h = keccak256(tag || G || U || pk_A || pk_B || E || V || s || X_A || id || U1 || W1 || W2 || U2) mod r`
     * (§6.3).
     * @dev Hashes the given words as they are, without validating them.
     * @param capsule The capsule.
     * @param delegatingPk `pk_A`.
     * @param receivingPk `pk_B`.
     * @param cfrag The capsule fragment (`z` and `signature` are not hashed).
     * @return The challenge, below `r`.
     */
    function proofChallenge(
        Capsule memory capsule,
        Bn254.G1Point memory delegatingPk,
        Bn254.G1Point memory receivingPk,
        CapsuleFrag memory cfrag
    ) external pure returns (uint256);
}

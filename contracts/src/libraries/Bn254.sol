// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title Bn254
 * @notice Arithmetic on the BN254 (alt_bn128) curve through the EVM precompiles: G1 addition
 * (`0x06`, EIP-196), G1 scalar multiplication (`0x07`, EIP-196) and the pairing check (`0x08`,
 * EIP-197), priced by EIP-1108 at 150, 6,000 and 45,000 + 34,000 per pair gas.
 * @dev G1 is `y² = x³ + 3` over `F_p`, of prime order {R} (cofactor 1). The precompiles encode
 * the point at infinity as `(0, 0)`, which is therefore a valid input and output of {add} and
 * {mul}; protocols that forbid it must say so with {validateNonIdentity}.
 *
 * BN254 offers about 100-bit security (exTNFS attacks on its pairing group); it is used because
 * every EVM chain has these precompiles.
 *
 * Every precompile call is a `memory-safe` `staticcall` whose success flag and return length are
 * both checked; a failure reverts with {Bn254PrecompileFailed}. {add}, {mul}, {neg} and the
 * pairing functions validate their G1 inputs first (reverting with {Bn254InvalidPoint}),
 * because a precompile that rejects its input consumes all the gas passed to it. The
 * `*Unchecked` variants skip that check, for hot paths whose points were validated once on
 * entry or come from the precompiles themselves.
 *
 * ```solidity
 * using Bn254 for Bn254.G1Point;
 * Bn254.validateNonIdentity(pk); // reverts with Bn254InvalidPoint / Bn254IdentityPoint
 * Bn254.validateNonIdentity(r);
 * Bn254.validateScalar(z); // reverts with Bn254ScalarOutOfRange
 * bool ok = Bn254.generator().mul(z).eq(r.add(pk.mul(c))); // z·G == R + c·pk
 * // the same check without re-validation or allocations:
 * ok = Bn254.mulEqualsAddMulUnchecked(Bn254.generator(), z, r, pk, c);
 * ```
 */
library Bn254 {
    /// @dev A G1 point in affine coordinates; `(0, 0)` is the point at infinity (EIP-196).
    struct G1Point {
        uint256 x;
        uint256 y;
    }

    /**
     * @dev A G2 point over `F_p²` in the EIP-197 word order: an element `a·i + b` is stored as
     * `[a, b]`, i.e. **imaginary part first**: `x = [x_im, x_re]`, `y = [y_im, y_re]` (arkworks'
     * `c1` before `c0`). `([0, 0], [0, 0])` is the point at infinity.
     */
    struct G2Point {
        uint256[2] x;
        uint256[2] y;
    }

    /// @dev Base field modulus `p` (`q` in `docs/pre.md`): coordinates must be below it.
    uint256 internal constant P = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    /// @dev Order `r` of G1 (and G2, GT): scalars are reduced modulo it.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @dev `b` in the G1 equation `y² = x³ + b`.
    uint256 internal constant B = 3;

    /// @dev x coordinate of the G1 generator `G = (1, 2)`.
    uint256 internal constant G1_X = 1;

    /// @dev y coordinate of the G1 generator `G = (1, 2)`.
    uint256 internal constant G1_Y = 2;

    /// @dev Imaginary part of the x coordinate of the standard G2 generator (EIP-197).
    uint256 internal constant G2_X_IM = 11559732032986387107991004021392285783925812861821192530917403151452391805634;

    /// @dev Real part of the x coordinate of the standard G2 generator (EIP-197).
    uint256 internal constant G2_X_RE = 10857046999023057135944570762232829481370756359578518086990519993285655852781;

    /// @dev Imaginary part of the y coordinate of the standard G2 generator (EIP-197).
    uint256 internal constant G2_Y_IM = 4082367875863433681332203403145435568316851327593401208105741076214120093531;

    /// @dev Real part of the y coordinate of the standard G2 generator (EIP-197).
    uint256 internal constant G2_Y_RE = 8495653923123431417604973247489272438418190587263600148770280649306958101930;

    /// @dev Address of the ecAdd precompile (EIP-196).
    address internal constant EC_ADD = address(0x06);

    /// @dev Address of the ecMul precompile (EIP-196).
    address internal constant EC_MUL = address(0x07);

    /// @dev Address of the ecPairing precompile (EIP-197).
    address internal constant EC_PAIRING = address(0x08);

    /// @dev The call to `precompile` failed or returned data of an unexpected length.
    error Bn254PrecompileFailed(address precompile);

    /// @dev `(x, y)` is not a G1 point: a coordinate is `>= P` or the point is not on the curve.
    error Bn254InvalidPoint(uint256 x, uint256 y);

    /// @dev A G1 input is the point at infinity `(0, 0)`, which the protocol forbids here.
    error Bn254IdentityPoint();

    /// @dev `scalar` is not a canonical scalar: it is `>= R`.
    error Bn254ScalarOutOfRange(uint256 scalar);

    /// @dev A pairing check got `g1Count` G1 and `g2Count` G2 points: the counts differ, or are 0.
    error Bn254InvalidPairingInput(uint256 g1Count, uint256 g2Count);

    /// @dev The G1 generator `(1, 2)`.
    function generator() internal pure returns (G1Point memory) {
        return G1Point(G1_X, G1_Y);
    }

    /// @dev The standard G2 generator, in EIP-197 word order (see {G2Point}).
    function g2Generator() internal pure returns (G2Point memory) {
        return G2Point([G2_X_IM, G2_X_RE], [G2_Y_IM, G2_Y_RE]);
    }

    /// @dev Whether `p` is the point at infinity `(0, 0)`.
    function isIdentity(G1Point memory p) internal pure returns (bool) {
        return p.x | p.y == 0;
    }

    /**
     * @dev Whether `p` is a valid input of the G1 precompiles: both coordinates below {P} and
     * `y² = x³ + 3`, or the point at infinity `(0, 0)`. Since G1 has cofactor 1, every such
     * point is in the prime-order group.
     */
    function isOnCurve(G1Point memory p) internal pure returns (bool) {
        return isIdentity(p) || _isAffinePoint(p);
    }

    /// @dev Reverts with {Bn254InvalidPoint} unless {isOnCurve}`(p)` (the identity passes).
    function validate(G1Point memory p) internal pure {
        if (!isOnCurve(p)) revert Bn254InvalidPoint(p.x, p.y);
    }

    /**
     * @dev Reverts with {Bn254IdentityPoint} if `p` is the point at infinity `(0, 0)`, and with
     * {Bn254InvalidPoint} unless it is on the curve with canonical coordinates. Use it on every
     * point received from outside when the protocol forbids the identity (public keys,
     * commitments, proof points).
     */
    function validateNonIdentity(G1Point memory p) internal pure {
        if (!_isAffinePoint(p)) {
            if (isIdentity(p)) revert Bn254IdentityPoint();
            revert Bn254InvalidPoint(p.x, p.y);
        }
    }

    /// @dev Reverts with {Bn254ScalarOutOfRange} unless `s < R`.
    function validateScalar(uint256 s) internal pure {
        if (s >= R) revert Bn254ScalarOutOfRange(s);
    }

    /// @dev Whether `a` and `b` are the same point (coordinate-wise; affine points are unique).
    function eq(G1Point memory a, G1Point memory b) internal pure returns (bool) {
        return a.x == b.x && a.y == b.y;
    }

    /**
     * @dev `-p`. Requirements: `p` is a valid point (see {isOnCurve}); the identity maps to itself.
     * Reverts with {Bn254InvalidPoint} otherwise.
     */
    function neg(G1Point memory p) internal pure returns (G1Point memory) {
        validate(p);
        // No G1 point has y = 0 (it would have order 2), so only the identity keeps y = 0.
        return G1Point(p.x, p.y == 0 ? 0 : P - p.y);
    }

    /// @dev `uint256(keccak256(data)) mod R`: the Fiat-Shamir challenge `H_keccak` of `docs/pre.md`.
    function hashToScalar(bytes memory data) internal pure returns (uint256) {
        return uint256(keccak256(data)) % R;
    }

    /**
     * @dev `a + b` with the ecAdd precompile (150 gas).
     *
     * Requirements: `a` and `b` are valid points (see {isOnCurve}), else reverts with
     * {Bn254InvalidPoint}. Reverts with {Bn254PrecompileFailed} if the precompile fails.
     */
    function add(G1Point memory a, G1Point memory b) internal view returns (G1Point memory) {
        validate(a);
        validate(b);
        return addUnchecked(a, b);
    }

    /**
     * @dev {add} without the input validation, for points already validated or produced by
     * this library. An invalid input makes the precompile fail, consuming all the gas passed to
     * it, and the call reverts with {Bn254PrecompileFailed}.
     */
    function addUnchecked(G1Point memory a, G1Point memory b) internal view returns (G1Point memory r) {
        bool ok;
        assembly ("memory-safe") {
            // Input in free memory (not allocated: it is dead after the call), output into `r`.
            let input := mload(0x40)
            mstore(input, mload(a))
            mstore(add(input, 0x20), mload(add(a, 0x20)))
            mstore(add(input, 0x40), mload(b))
            mstore(add(input, 0x60), mload(add(b, 0x20)))
            // 0x06 is {EC_ADD} (inline assembly cannot read address constants).
            ok := staticcall(gas(), 0x06, input, 0x80, r, 0x40)
            // A call to an address without code also "succeeds" with no output: check the length.
            ok := and(ok, eq(returndatasize(), 0x40))
        }
        if (!ok) revert Bn254PrecompileFailed(EC_ADD);
    }

    /**
     * @dev `s·p` with the ecMul precompile (6,000 gas). Any 256-bit `s` is accepted; callers that
     * take scalars from outside check them with {validateScalar}.
     *
     * Requirements: `p` is a valid point (see {isOnCurve}), else reverts with
     * {Bn254InvalidPoint}. Reverts with {Bn254PrecompileFailed} if the precompile fails.
     */
    function mul(G1Point memory p, uint256 s) internal view returns (G1Point memory) {
        validate(p);
        return mulUnchecked(p, s);
    }

    /**
     * @dev {mul} without the input validation, for points already validated or produced by
     * this library. An invalid input makes the precompile fail, consuming all the gas passed to
     * it, and the call reverts with {Bn254PrecompileFailed}.
     */
    function mulUnchecked(G1Point memory p, uint256 s) internal view returns (G1Point memory r) {
        bool ok;
        assembly ("memory-safe") {
            let input := mload(0x40)
            mstore(input, mload(p))
            mstore(add(input, 0x20), mload(add(p, 0x20)))
            mstore(add(input, 0x40), s)
            ok := staticcall(gas(), 0x07, input, 0x60, r, 0x40)
            // A call to an address without code also "succeeds" with no output: check the length.
            ok := and(ok, eq(returndatasize(), 0x40))
        }
        if (!ok) revert Bn254PrecompileFailed(EC_MUL);
    }

    /**
     * @dev Whether `a·p == q + b·s`, the shape of every Schnorr-style verification equation,
     * with 2 ecMul + 1 ecAdd in scratch memory: the same result as
     * `eq(mulUnchecked(p, a), addUnchecked(q, mulUnchecked(s, b)))` without allocating three
     * points (about 300 gas less).
     *
     * Requirements: `p`, `q` and `s` are valid points (see {isOnCurve}); they are not re-checked.
     * An invalid input makes a precompile fail, consuming all the gas passed to it, and the call
     * reverts with {Bn254PrecompileFailed}.
     */
    function mulEqualsAddMulUnchecked(
        G1Point memory p,
        uint256 a,
        G1Point memory q,
        G1Point memory s,
        uint256 b
    ) internal view returns (bool result) {
        uint256 failed;
        assembly ("memory-safe") {
            // Scratch space in free memory (never allocated): [m, m + 0x40) holds the left
            // operand of ecAdd and then the sum, [m + 0x40, m + 0xa0) the ecMul inputs/outputs.
            let m := mload(0x40)
            mstore(m, mload(q))
            mstore(add(m, 0x20), mload(add(q, 0x20)))
            mstore(add(m, 0x40), mload(s))
            mstore(add(m, 0x60), mload(add(s, 0x20)))
            mstore(add(m, 0x80), b)
            // b·s, written over its own input, right after q: the ecAdd input (q, b·s).
            let ok := staticcall(gas(), 0x07, add(m, 0x40), 0x60, add(m, 0x40), 0x40)
            // Checked in a statement of its own: Yul evaluates arguments right to left.
            if iszero(and(ok, eq(returndatasize(), 0x40))) {
                failed := 0x07
            }
            ok := staticcall(gas(), 0x06, m, 0x80, m, 0x40)
            if iszero(and(ok, eq(returndatasize(), 0x40))) {
                if iszero(failed) {
                    failed := 0x06
                }
            }
            mstore(add(m, 0x40), mload(p))
            mstore(add(m, 0x60), mload(add(p, 0x20)))
            mstore(add(m, 0x80), a)
            ok := staticcall(gas(), 0x07, add(m, 0x40), 0x60, add(m, 0x40), 0x40)
            if iszero(and(ok, eq(returndatasize(), 0x40))) {
                if iszero(failed) {
                    failed := 0x07
                }
            }
            result := and(eq(mload(m), mload(add(m, 0x40))), eq(mload(add(m, 0x20)), mload(add(m, 0x60))))
        }
        if (failed != 0) revert Bn254PrecompileFailed(address(uint160(failed)));
    }

    /**
     * @dev Whether `e(a1, a2) · e(b1, b2) == 1` in GT, with the ecPairing precompile
     * (45,000 + 2 × 34,000 = 113,000 gas).
     *
     * Requirements: `a1`, `b1` are valid G1 points (else {Bn254InvalidPoint}). `a2`, `b2` must
     * be G2 points of the prime-order subgroup with coordinates below {P}; the precompile
     * checks this (a G2 subgroup check is too costly in Solidity) and its failure reverts with
     * {Bn254PrecompileFailed}, after consuming the gas passed to it.
     */
    function pairing2(G1Point memory a1, G2Point memory a2, G1Point memory b1, G2Point memory b2)
        internal
        view
        returns (bool)
    {
        G1Point[] memory g1 = new G1Point[](2);
        G2Point[] memory g2 = new G2Point[](2);
        (g1[0], g1[1], g2[0], g2[1]) = (a1, b1, a2, b2);
        return pairing(g1, g2);
    }

    /**
     * @dev Whether `Π e(g1[i], g2[i]) == 1` in GT, with the ecPairing precompile
     * (45,000 + 34,000 per pair gas). Each pair is encoded as EIP-197 requires:
     * `g1.x, g1.y, g2.x[0] (im), g2.x[1] (re), g2.y[0] (im), g2.y[1] (re)`.
     *
     * Requirements:
     *
     * - `g1` and `g2` have the same, non-zero length, else {Bn254InvalidPairingInput} (the
     *   precompile would accept an empty input and return true).
     * - every `g1[i]` is a valid G1 point, else {Bn254InvalidPoint}.
     * - every `g2[i]` is a G2 point of the prime-order subgroup; the precompile checks this and
     *   its failure reverts with {Bn254PrecompileFailed}, after consuming the gas passed to it.
     */
    function pairing(G1Point[] memory g1, G2Point[] memory g2) internal view returns (bool) {
        uint256 n = g1.length;
        if (n == 0 || n != g2.length) revert Bn254InvalidPairingInput(n, g2.length);
        uint256[] memory input = new uint256[](6 * n);
        // Bounded by the caller's arrays, which are in memory already.
        for (uint256 i = 0; i < n; ++i) {
            G1Point memory a = g1[i];
            G2Point memory b = g2[i];
            validate(a);
            uint256 j = 6 * i;
            input[j] = a.x;
            input[j + 1] = a.y;
            input[j + 2] = b.x[0];
            input[j + 3] = b.x[1];
            input[j + 4] = b.y[0];
            input[j + 5] = b.y[1];
        }
        bool ok;
        uint256 result;
        assembly ("memory-safe") {
            // The 32-byte result goes to scratch space (0x00..0x20).
            ok := staticcall(gas(), 0x08, add(input, 0x20), mul(mload(input), 0x20), 0x00, 0x20)
            // A call to an address without code also "succeeds" with no output: check the length.
            ok := and(ok, eq(returndatasize(), 0x20))
            result := mload(0x00)
        }
        if (!ok) revert Bn254PrecompileFailed(EC_PAIRING);
        return result == 1;
    }

    /// @dev Whether `p` is an affine curve point with coordinates below {P} (not the identity).
    function _isAffinePoint(G1Point memory p) private pure returns (bool result) {
        assembly ("memory-safe") {
            let x := mload(p)
            let y := mload(add(p, 0x20))
            // Read the modulus once: the optimiser would otherwise copy it from the code per use.
            let q := P
            result := and(
                and(lt(x, q), lt(y, q)),
                eq(mulmod(y, y, q), addmod(mulmod(x, mulmod(x, x, q), q), B, q))
            )
        }
    }
}

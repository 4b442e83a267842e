// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title Bn254
 * @notice Arithmetic on the BN254 (alt_bn128) curve through the EVM precompiles: G1 addition
 * (`0x06`, EIP-196), G1 scalar multiplication (`0x07`, EIP-196) and the pairing check (`0x08`,
 * EIP-197), priced by EIP-1108 at 150, 6,000 and 45,000 + 34,000 per pair gas; plus modular
 * exponentiation (`0x05`, EIP-198, about 1,350 gas for 256-bit operands under EIP-2565) for
 * inverses mod {R} and square roots mod {P}, and a 32-byte compressed form of G1 points.
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

    /// @dev Address of the modexp precompile (EIP-198).
    address internal constant MODEXP = address(0x05);

    /// @dev Address of the ecAdd precompile (EIP-196).
    address internal constant EC_ADD = address(0x06);

    /// @dev Address of the ecMul precompile (EIP-196).
    address internal constant EC_MUL = address(0x07);

    /// @dev Address of the ecPairing precompile (EIP-197).
    address internal constant EC_PAIRING = address(0x08);

    /// @dev `(p + 1) / 4`: since `p ≡ 3 (mod 4)`, `a^((p+1)/4)` is a square root of a square `a`.
    /// Spelt with the literal of {P}, so that it is a number constant inline assembly can read.
    uint256 private constant SQRT_EXPONENT =
        (21888242871839275222246405745257275088696311157297823662689037894645226208583 + 1) / 4;

    /// @dev The y-parity flag of a {compress}ed point (bit 255; `x < p < 2^254`).
    uint256 private constant PARITY_BIT = 1 << 255;

    /// @dev The call to `precompile` failed or returned data of an unexpected length.
    error Bn254PrecompileFailed(address precompile);

    /// @dev `(x, y)` is not a G1 point: a coordinate is `>= P` or the point is not on the curve.
    error Bn254InvalidPoint(uint256 x, uint256 y);

    /// @dev A G1 input is the point at infinity `(0, 0)`, which the protocol forbids here.
    error Bn254IdentityPoint();

    /// @dev `scalar` is not a canonical scalar: it is `>= R`.
    error Bn254ScalarOutOfRange(uint256 scalar);

    /// @dev `value` has no inverse modulo {R}: it is `0 mod R`.
    error Bn254NotInvertible(uint256 value);

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
        return negUnchecked(p);
    }

    /**
     * @dev {neg} without the input validation, for points already validated or produced by
     * the precompiles. For `p.y >= P` the result is not a point (and later precompile calls on
     * it fail).
     */
    function negUnchecked(G1Point memory p) internal pure returns (G1Point memory) {
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
     * @dev `a·p + b·q` with 2 ecMul + 1 ecAdd in scratch memory: the same result as
     * `addUnchecked(mulUnchecked(p, a), mulUnchecked(q, b))` without allocating the two products.
     * A difference `a·p - b·q` is `mulAddMulUnchecked(p, a, q, R - b)` for `b < R`, since G1 has
     * order {R} (ecMul costs the same for every scalar).
     *
     * Requirements: `p` and `q` are valid points (see {isOnCurve}); they are not re-checked. An
     * invalid input makes a precompile fail, consuming all the gas passed to it, and the call
     * reverts with {Bn254PrecompileFailed} naming the first precompile that failed.
     */
    function mulAddMulUnchecked(G1Point memory p, uint256 a, G1Point memory q, uint256 b)
        internal
        view
        returns (G1Point memory r)
    {
        uint256 failed;
        assembly ("memory-safe") {
            // Scratch space in free memory (never allocated; `r` was allocated before it):
            // [m, m + 0x40) receives a·p, [m + 0x40, m + 0xa0) holds (q, b) and then b·q, so that
            // [m, m + 0x80) is the ecAdd input (a·p, b·q).
            let m := mload(0x40)
            mstore(m, mload(p))
            mstore(add(m, 0x20), mload(add(p, 0x20)))
            mstore(add(m, 0x40), a)
            let ok := staticcall(gas(), 0x07, m, 0x60, m, 0x40)
            // Checked in a statement of its own: Yul evaluates arguments right to left.
            if iszero(and(ok, eq(returndatasize(), 0x40))) {
                failed := 0x07
            }
            mstore(add(m, 0x40), mload(q))
            mstore(add(m, 0x60), mload(add(q, 0x20)))
            mstore(add(m, 0x80), b)
            ok := staticcall(gas(), 0x07, add(m, 0x40), 0x60, add(m, 0x40), 0x40)
            if iszero(and(ok, eq(returndatasize(), 0x40))) {
                if iszero(failed) {
                    failed := 0x07
                }
            }
            ok := staticcall(gas(), 0x06, m, 0x80, r, 0x40)
            if iszero(and(ok, eq(returndatasize(), 0x40))) {
                if iszero(failed) {
                    failed := 0x06
                }
            }
        }
        if (failed != 0) revert Bn254PrecompileFailed(address(uint160(failed)));
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
        validate(a1);
        validate(b1);
        return pairing2Unchecked(a1, a2, b1, b2);
    }

    /**
     * @dev {pairing2} without the validation of `a1` and `b1`, for points already validated:
     * the 12-word input is written straight into memory, without the arrays of {pairing}. The precompile still checks every point; an invalid one makes it fail,
     * consuming all the gas passed to it, and the call reverts with {Bn254PrecompileFailed}.
     */
    function pairing2Unchecked(G1Point memory a1, G2Point memory a2, G1Point memory b1, G2Point memory b2)
        internal
        view
        returns (bool)
    {
        uint256 input;
        assembly ("memory-safe") {
            // Allocated (the call is in another function); a memory `G2Point` holds pointers to
            // its `x` and `y` arrays.
            input := mload(0x40)
            mstore(0x40, add(input, 0x180))
            mstore(input, mload(a1))
            mstore(add(input, 0x20), mload(add(a1, 0x20)))
            let c := mload(a2)
            mstore(add(input, 0x40), mload(c))
            mstore(add(input, 0x60), mload(add(c, 0x20)))
            c := mload(add(a2, 0x20))
            mstore(add(input, 0x80), mload(c))
            mstore(add(input, 0xa0), mload(add(c, 0x20)))
            mstore(add(input, 0xc0), mload(b1))
            mstore(add(input, 0xe0), mload(add(b1, 0x20)))
            c := mload(b2)
            mstore(add(input, 0x100), mload(c))
            mstore(add(input, 0x120), mload(add(c, 0x20)))
            c := mload(add(b2, 0x20))
            mstore(add(input, 0x140), mload(c))
            mstore(add(input, 0x160), mload(add(c, 0x20)))
        }
        return _pairingPrecompile(input, 0x180);
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
        uint256 start;
        assembly ("memory-safe") {
            start := add(input, 0x20)
        }
        return _pairingPrecompile(start, 0x20 * input.length);
    }

    /**
     * @dev `base^exponent mod modulus` with the modexp precompile (EIP-198; about 1,350 gas for
     * a 256-bit exponent, EIP-2565). `modulus` 0 yields 0, as the precompile defines.
     *
     * Reverts with {Bn254PrecompileFailed} if the call fails or returns other than 32 bytes.
     */
    function modexp(uint256 base, uint256 exponent, uint256 modulus) internal view returns (uint256 result) {
        bool ok;
        assembly ("memory-safe") {
            // Input in free memory (not allocated: it is dead after the call), output to scratch
            // space: three 32-byte lengths, then base, exponent and modulus.
            let input := mload(0x40)
            mstore(input, 0x20)
            mstore(add(input, 0x20), 0x20)
            mstore(add(input, 0x40), 0x20)
            mstore(add(input, 0x60), base)
            mstore(add(input, 0x80), exponent)
            mstore(add(input, 0xa0), modulus)
            // 0x05 is {MODEXP}.
            ok := staticcall(gas(), 0x05, input, 0xc0, 0x00, 0x20)
            // A call to an address without code also "succeeds" with no output: check the length.
            ok := and(ok, eq(returndatasize(), 0x20))
            result := mload(0x00)
        }
        if (!ok) revert Bn254PrecompileFailed(MODEXP);
    }

    /**
     * @dev `a⁻¹ mod R` as `a^(R-2)` (Fermat; {R} is prime), with one {modexp}.
     *
     * Reverts with {Bn254NotInvertible} if `a ≡ 0 (mod R)`, and with {Bn254PrecompileFailed} if
     * the precompile fails.
     */
    function invertScalar(uint256 a) internal view returns (uint256) {
        if (a % R == 0) revert Bn254NotInvertible(a);
        return modexp(a, R - 2, R);
    }

    /**
     * @dev The 32-byte form of a valid non-identity G1 point: `x` with the parity of `y` in
     * bit 255 (free, since `x < p < 2^254`). Only for points already validated: the result is
     * meaningless otherwise. {decompress} inverts it.
     */
    function compress(G1Point memory p) internal pure returns (uint256) {
        return p.x | (p.y << 255);
    }

    /**
     * @dev Inverse of {compress}: `y = (x³ + 3)^((p+1)/4)` (one modexp), negated if its parity
     * differs from bit 255. Meant for values {compress} produced; the result is still checked
     * as {validate} does, so any other value (`x >= P`, or `x³ + 3` not a square) reverts
     * with {Bn254InvalidPoint}`(x, y)`. The result is never the identity (`x = 0` gives
     * `y² = 3`).
     *
     * The modexp call is written out here rather than through {modexp}: when a trace completes
     * (one decompression per stored share) the shared wrapper costs about 350 gas more per
     * call. Its success flag and return length are checked the same way, and a failure reverts
     * with {Bn254PrecompileFailed}.
     */
    function decompress(uint256 packed) internal view returns (G1Point memory p) {
        uint256 x;
        uint256 y;
        bool ok;
        bool valid;
        assembly ("memory-safe") {
            let q := P
            x := and(packed, not(PARITY_BIT))
            let rhs := addmod(mulmod(x, mulmod(x, x, q), q), B, q)
            // y = rhs^((p+1)/4): the {modexp} input (three 32-byte lengths, base, exponent,
            // modulus) in free memory, not allocated; the output to scratch space.
            let m := mload(0x40)
            mstore(m, 0x20)
            mstore(add(m, 0x20), 0x20)
            mstore(add(m, 0x40), 0x20)
            mstore(add(m, 0x60), rhs)
            mstore(add(m, 0x80), SQRT_EXPONENT)
            mstore(add(m, 0xa0), q)
            // 0x05 is {MODEXP}. A call to an address without code also "succeeds" with no
            // output: check the length.
            ok := staticcall(gas(), 0x05, m, 0xc0, 0x00, 0x20)
            ok := and(ok, eq(returndatasize(), 0x20))
            y := mload(0x00)
            if iszero(eq(and(y, 1), shr(255, packed))) {
                y := sub(q, y)
            }
            // {validate}, reusing `rhs`; `y < P` fails only for y = P (a root 0, parity bit set).
            valid := and(and(lt(x, q), lt(y, q)), eq(mulmod(y, y, q), rhs))
            mstore(p, x)
            mstore(add(p, 0x20), y)
        }
        if (!ok) revert Bn254PrecompileFailed(MODEXP);
        if (!valid) revert Bn254InvalidPoint(x, y);
    }

    /**
     * @dev Calls the ecPairing precompile on the `size` bytes at memory `input` (whole pairs,
     * EIP-197 order) and returns whether the product of the pairings is 1. Reverts with
     * {Bn254PrecompileFailed} if the call fails or returns other than 32 bytes.
     */
    function _pairingPrecompile(uint256 input, uint256 size) private view returns (bool) {
        bool ok;
        uint256 result;
        assembly ("memory-safe") {
            // The 32-byte result goes to scratch space (0x00..0x20).
            ok := staticcall(gas(), 0x08, input, size, 0x00, 0x20)
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

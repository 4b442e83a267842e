// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Bn254} from "./Bn254.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";

/**
 * @title IdentityVerification
 * @notice The checks of `medshare-identity` (`docs/identity.md`, format version 2) in G1 and
 * keccak, for the EVM: token verification (Rust `Token::verify`, unscoped and scoped), the hash
 * of a scope to G1, trace-share DLEQ verification (Rust `TraceShare::verify`), the Lagrange
 * combination of trace shares (Rust `trace`), and a 32-byte storage form of G1 points.
 * @dev Transcripts are the Rust `Transcript` bytes: the 32-byte tag `keccak256(ascii tag)`,
 * then 32-byte big-endian words (G1 points `x || y`, G2 points in EIP-197 order, integers and
 * addresses left-padded). Challenges are `keccak256(transcript) mod r`.
 *
 * {verifyToken} is the hot path (`docs/gas.md` budget: 200,000 execution gas in both modes)
 * and is written in assembly: the token key is copied from its code-storage contract straight
 * into the one transcript buffer, every precompile is a direct `staticcall` whose success flag
 * and return length are checked, and nothing is allocated. The other functions go through the
 * `Bn254` library, whose wrappers make the same checks.
 */
library IdentityVerification {
    using Bn254 for Bn254.G1Point;

    /// @dev x coordinate of `H1`, the second G1 generator: the first try-and-increment point of
    /// `keccak256("MEDSHARE-ID-v1/generator-H1" || u32be(ctr)) mod p` (ctr = 2), smaller root.
    uint256 internal constant H1_X = 5382209455203835609570294733784336430769701909892945144150467078543930504722;

    /// @dev y coordinate of `H1` (the smaller of the two roots).
    uint256 internal constant H1_Y = 2906811740288465869920863280754576760030312854485214555031032225080407832134;

    /// @dev Transcript tag of the token proof: `keccak256("MEDSHARE-ID-v2/token")`.
    bytes32 internal constant TOKEN_TAG = keccak256("MEDSHARE-ID-v2/token");

    /// @dev Seed tag of the scope points: `keccak256("MEDSHARE-ID-v2/scope-to-G1")`.
    bytes32 internal constant SCOPE_TAG = keccak256("MEDSHARE-ID-v2/scope-to-G1");

    /// @dev Transcript tag of a trace share's DLEQ proof: `keccak256("MEDSHARE-ID-v1/trace-share")`.
    bytes32 internal constant TRACE_SHARE_TAG = keccak256("MEDSHARE-ID-v1/trace-share");

    /// @dev Candidates {scopePoint} tries before giving up (each fails with probability 1/2): 5
    /// keeps `verifyToken` below 200,000 execution gas for every scope it accepts; the 1 in 32
    /// scopes that need more are refused (Rust `hash_to_g1_scope` stops at the same count).
    uint256 internal constant SCOPE_TRIES = 5;

    /// @dev `2^256 mod p`, to reduce a 512-bit hash modulo `p` with one `mulmod` and one `addmod`.
    uint256 private constant TWO_256_MOD_P = 0x0e0a77c19a07df2f666ea36f7879462c0a78eb28f5c70b3dd35d438dc58f0d9d;

    /// @dev `(p + 1) / 4`: `a^((p + 1) / 4)` is a square root of a square `a` (`p ≡ 3 mod 4`).
    uint256 private constant SQRT_EXPONENT = 0x0c19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f52;

    /// @dev `(p - 1) / 2`: the smaller root `y` of a point is the one `<=` it.
    uint256 private constant HALF_P = 0x183227397098d014dc2822db40c0ac2ecbc0b548b438e5469e10460b6c3e7ea3;

    /// @dev The BN254 base-field prime `p` (`Bn254.P`), as a literal for inline assembly.
    uint256 private constant P = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    /// @dev The group order `r` (`Bn254.R`), as a literal for inline assembly.
    uint256 private constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /**
     * @dev The group key a token is checked against: the active key set's `X, Y_m, Y_e, T` and
     * the cached `base = X + e·Y_e` of the current epoch `e`. {verifyToken} reads it from a
     * code-storage contract holding `STOP || abi.encode(key)` (10 words after one byte).
     */
    struct TokenKey {
        Bn254.G1Point x;
        Bn254.G1Point ym;
        Bn254.G1Point ye;
        Bn254.G1Point tracing;
        Bn254.G1Point base;
    }

    /**
     * @dev Rust `Token::verify` for the key at code-storage contract `tokenKey` (see {TokenKey})
     * and the epoch whose `X + e·Y_e` it caches (the caller checks `token.epoch`), for this
     * contract as the registry (`address(this)`, a word of the transcript). Recomputes
     * `A1 = z_m·Y_m + z_r·G1 + c·(base - κ)`, `A2 = z_k·G1 - c·C1`, `A3 = z_m·H1 + z_k·T - c·C2`
     * (8 ecMul, 6 ecAdd) and, when `context.scope != 0`, `P = {scopePoint}` and
     * `A4 = z_m·P - c·N` (2 ecMul, 1 ecAdd more); checks `c == keccak256(tag || G1 || H1 || X ||
     * Y_m || Y_e || T || e || chainId || registry || verifyingContract || action || sender ||
     * nonce || scope || κ || h' || ν || C1 || C2 [|| P || N] || A1 || A2 || A3 [|| A4]) mod r`,
     * then `e(κ, h')·e(-G1, ν) == 1`. `-c·Q` is computed as `(r - c)·Q` (G1 has order `r`).
     *
     * Reverts with `Bn254InvalidPoint` / `Bn254IdentityPoint` unless `κ`, `C1`, `C2` (and `N`
     * when scoped) are non-identity G1 points, with `Bn254IdentityPoint` if `h'` or `ν` is the
     * identity, with `Bn254ScalarOutOfRange` unless `c, z_m, z_r, z_k < r`, and with
     * `Bn254PrecompileFailed` if a precompile fails (for the pairing: a G2 point off the twist
     * or outside the subgroup). Returns false for an unscoped token whose `N` is not `(0, 0)`
     * and for a well-formed token whose proof or pairing check fails.
     */
    function verifyToken(
        IIdentityRegistry.Token calldata token,
        IIdentityRegistry.TokenContext calldata context,
        address tokenKey
    ) internal view returns (bool) {
        _validateToken(token);
        bool scoped = context.scope != 0;
        if (scoped) {
            Bn254.validateNonIdentity(token.nullifierPoint);
            (uint256 px, uint256 py) =
                scopePoint(block.chainid, address(this), context.verifyingContract, context.scope);
            assembly ("memory-safe") {
                // Words 35 and 36 of the transcript that {_tokenTranscript} builds there.
                let t := mload(0x40)
                mstore(add(t, 0x460), px)
                mstore(add(t, 0x480), py)
            }
        } else if (token.nullifierPoint.x | token.nullifierPoint.y != 0) {
            return false;
        }
        uint256 length = _tokenTranscript(token, context, tokenKey, scoped);
        bytes32 digest;
        assembly ("memory-safe") {
            digest := keccak256(mload(0x40), length)
        }
        if (uint256(digest) % R != token.c) return false;
        return _pairingCheck(token);
    }

    /**
     * @dev Rust `Token::nullifier`: `keccak256(N.x, N.y)` for a scoped token (`context.scope !=
     * 0`; one per user and scope), else `keccak256(κ.x, κ.y)` (fresh per token).
     */
    function nullifier(IIdentityRegistry.Token calldata token, IIdentityRegistry.TokenContext calldata context)
        internal
        pure
        returns (bytes32)
    {
        return context.scope != 0 ? keccak256(abi.encode(token.nullifierPoint)) : keccak256(abi.encode(token.kappa));
    }

    /**
     * @dev `P_scope = H_G1(chainId, registry, verifyingContract, scope)`, Rust
     * `TokenContext::scope_point`: for `ctr = 0, 1, ..` and `W(j) = SCOPE_TAG || chainId ||
     * registry || verifyingContract || scope || j` (32-byte words),
     * `x = (keccak256(W(2·ctr))·2^256 + keccak256(W(2·ctr + 1))) mod p`; the first `x` with
     * `x³ + 3` a square gives `(x, y)` with the smaller root `y = ±(x³ + 3)^((p + 1) / 4)`. The
     * 512-bit reduction makes `x` uniform (within 2^-250), so the point is a random oracle
     * output whose discrete log to `G1`, `H1` and every other scope's point nobody knows. One
     * modexp (≈ 1,350 gas) per candidate, 2 expected.
     *
     * Reverts with {IIdentityRegistry-IdentityRegistryScopeUnhashable} after {SCOPE_TRIES}
     * candidates (probability 1/32) and with `Bn254PrecompileFailed(0x05)` if modexp fails.
     */
    function scopePoint(uint256 chainId, address registry, address verifyingContract, bytes32 scope)
        internal
        view
        returns (uint256 x, uint256 y)
    {
        bool found;
        bool failed;
        bytes32 tag = SCOPE_TAG;
        assembly ("memory-safe") {
            // Scratch past the free memory pointer: the 6-word hash input `m`, then the modexp
            // input (base, exponent and modulus lengths, then the three values).
            let m := mload(0x40)
            let e := add(m, 0xc0)
            mstore(m, tag)
            mstore(add(m, 0x20), chainId)
            mstore(add(m, 0x40), registry)
            mstore(add(m, 0x60), verifyingContract)
            mstore(add(m, 0x80), scope)
            for { let ctr := 0 } lt(ctr, SCOPE_TRIES) { ctr := add(ctr, 1) } {
                mstore(add(m, 0xa0), shl(1, ctr))
                let hi := keccak256(m, 0xc0)
                mstore(add(m, 0xa0), add(shl(1, ctr), 1))
                x := addmod(mulmod(hi, TWO_256_MOD_P, P), keccak256(m, 0xc0), P)
                let y2 := addmod(mulmod(x, mulmod(x, x, P), P), 3, P)
                mstore(e, 0x20)
                mstore(add(e, 0x20), 0x20)
                mstore(add(e, 0x40), 0x20)
                mstore(add(e, 0x60), y2)
                mstore(add(e, 0x80), SQRT_EXPONENT)
                mstore(add(e, 0xa0), P)
                let success := staticcall(gas(), 0x05, e, 0xc0, e, 0x20)
                if iszero(and(success, eq(returndatasize(), 0x20))) {
                    failed := 1
                    break
                }
                y := mload(e)
                if eq(mulmod(y, y, P), y2) {
                    if gt(y, HALF_P) { y := sub(P, y) }
                    found := 1
                    break
                }
            }
        }
        if (failed) revert Bn254.Bn254PrecompileFailed(Bn254.MODEXP);
        if (!found) revert IIdentityRegistry.IdentityRegistryScopeUnhashable(scope);
    }

    /**
     * @dev Rust `TraceShare::verify`: with `A = z·G1 - c·T_i` and `B = z·C1 - c·D_i`, checks
     * `c == keccak256(tag || G1 || T_i || C1 || C2 || uint256(i) || D_i || A || B) mod r`.
     * 4 ecMul + 2 ecAdd; `-c·P` is computed as `(r - c)·P` (G1 has order `r`).
     *
     * `tracingShare` (`T_i`) comes from storage (validated at key-set proposal); `c1`, `c2` are a
     * token's tag, validated by {verifyToken} when the token was used (the registry checks the
     * caller's copy against the stored digest of that tag). Reverts with a `Bn254` error unless
     * `D_i` is a non-identity G1 point and `c, z < r`.
     */
    function verifyTraceShare(
        Bn254.G1Point memory tracingShare,
        Bn254.G1Point memory c1,
        Bn254.G1Point memory c2,
        IIdentityRegistry.TraceShare calldata share
    ) internal view returns (bool) {
        Bn254.G1Point memory d = share.d;
        d.validateNonIdentity();
        uint256 c = share.c;
        uint256 z = share.z;
        Bn254.validateScalar(c);
        Bn254.validateScalar(z);
        uint256 minusC = Bn254.R - c;
        Bn254.G1Point memory a = Bn254.mulAddMulUnchecked(Bn254.generator(), z, tracingShare, minusC);
        Bn254.G1Point memory b = Bn254.mulAddMulUnchecked(c1, z, d, minusC);
        // The 16-word transcript as a static array, hashed in place: `keccak256(abi.encode(...))`
        // of the same words without the copy.
        uint256[16] memory t;
        t[0] = uint256(TRACE_SHARE_TAG);
        (t[1], t[2]) = (Bn254.G1_X, Bn254.G1_Y);
        (t[3], t[4]) = (tracingShare.x, tracingShare.y);
        (t[5], t[6]) = (c1.x, c1.y);
        (t[7], t[8]) = (c2.x, c2.y);
        t[9] = share.index;
        (t[10], t[11]) = (d.x, d.y);
        (t[12], t[13]) = (a.x, a.y);
        (t[14], t[15]) = (b.x, b.y);
        bytes32 digest;
        assembly ("memory-safe") {
            digest := keccak256(t, 512)
        }
        return uint256(digest) % Bn254.R == c;
    }

    /**
     * @dev `base = X + e·Y_e`, cached per epoch so that a token costs one ecMul less.
     */
    function epochBase(Bn254.G1Point memory x, Bn254.G1Point memory ye, uint64 epoch)
        internal
        view
        returns (Bn254.G1Point memory)
    {
        return x.add(ye.mul(epoch));
    }

    /**
     * @dev Lagrange coefficients at 0 of the distinct non-zero indices `xs` (each `< r`):
     * `λ_i = Π_{j≠i} x_j / (x_j - x_i) mod r`. The `t` denominators are inverted together with
     * one modexp (`d^(r-2)`, Fermat, {Bn254-invertScalar}), as in Rust's `lagrange_at_zero`.
     * `O(t²)` `mulmod`s.
     */
    function lagrangeAtZero(uint256[] memory xs) internal view returns (uint256[] memory lambdas) {
        uint256 t = xs.length;
        lambdas = new uint256[](t);
        uint256[] memory dens = new uint256[](t);
        uint256 all = 1;
        // Bounded by the caller (t <= 16).
        for (uint256 i = 0; i < t; ++i) {
            uint256 num = 1;
            uint256 den = 1;
            for (uint256 j = 0; j < t; ++j) {
                if (j == i) continue;
                num = mulmod(num, xs[j], Bn254.R);
                den = mulmod(den, addmod(xs[j], Bn254.R - xs[i], Bn254.R), Bn254.R);
            }
            lambdas[i] = num;
            dens[i] = den;
            all = mulmod(all, den, Bn254.R);
        }
        uint256 inverse = Bn254.invertScalar(all);
        for (uint256 i = 0; i < t; ++i) {
            // 1/den_i = (1/Π den_k) · Π_{k≠i} den_k.
            uint256 inv = inverse;
            for (uint256 k = 0; k < t; ++k) {
                if (k != i) inv = mulmod(inv, dens[k], Bn254.R);
            }
            lambdas[i] = mulmod(lambdas[i], inv, Bn254.R);
        }
    }

    /**
     * @dev Writes the token transcript of {verifyToken} at the free memory pointer (scratch,
     * not allocated) and returns its length: 1,312 bytes, or 1,504 when `scoped` (then words 35
     * and 36, `P_scope`, must be there already). The key is copied from its code-storage
     * contract straight into words 5..14 (`base = X + e·Y_e` lands on words 13, 14 and is moved
     * out before they are written); the commitments are computed with direct precompile calls
     * whose operands are the transcript's own words (`G1`, `H1`, `Y_m`, `T`, `C1`, `C2`, `P`, `N`).
     * Every input is a validated point (the key at proposal, the token in {_validateToken}) or a
     * precompile output. Reverts with `Bn254PrecompileFailed` if a call fails or returns other
     * than 64 bytes.
     */
    function _tokenTranscript(
        IIdentityRegistry.Token calldata token,
        IIdentityRegistry.TokenContext calldata context,
        address tokenKey,
        bool scoped
    ) private view returns (uint256 length) {
        // Assembly reads only number constants, not keccak256 expressions.
        bytes32 tag = TOKEN_TAG;
        assembly ("memory-safe") {
            // Reverts with Bn254PrecompileFailed(precompile): selector
            // bytes4(keccak256("Bn254PrecompileFailed(address)")) = 0x9a655ecb.
            function fail(precompile) {
                mstore(0, shl(224, 0x9a655ecb))
                mstore(4, precompile)
                revert(0, 0x24)
            }
            // `x·Q` into `out`, for the point `Q` at `src`, through the 3-word buffer `s_`.
            function mulInto(s_, src, x, out) {
                mstore(s_, mload(src))
                mstore(add(s_, 0x20), mload(add(src, 0x20)))
                mstore(add(s_, 0x40), x)
                let success := staticcall(gas(), 0x07, s_, 0x60, out, 0x40)
                // Checked in a statement of its own: Yul evaluates arguments right to left.
                if iszero(and(success, eq(returndatasize(), 0x40))) { fail(0x07) }
            }
            // The sum of the two points at `u_` into `out`.
            function addInto(u_, out) {
                let success := staticcall(gas(), 0x06, u_, 0x80, out, 0x40)
                if iszero(and(success, eq(returndatasize(), 0x40))) { fail(0x06) }
            }

            // The transcript `t` (47 words at most), then the ecMul buffer `s` (3 words) and the
            // ecAdd buffer `u` (2 points).
            let t := mload(0x40)
            let s := add(t, 0x600)
            let u := add(s, 0x60)
            mstore(t, tag)
            mstore(add(t, 0x20), 1) // G1
            mstore(add(t, 0x40), 2)
            mstore(add(t, 0x60), H1_X)
            mstore(add(t, 0x80), H1_Y)
            // X, Y_m, Y_e, T into words 5..12, base into words 13, 14 (skipping the STOP byte).
            extcodecopy(tokenKey, add(t, 0xa0), 1, 0x140)
            mstore(u, mload(add(t, 0x1a0)))
            mstore(add(u, 0x20), mload(add(t, 0x1c0)))
            // The epoch and the context; the registry is this contract. Masking the calldata
            // words keeps exactly the bits the ABI types can hold.
            mstore(add(t, 0x1a0), and(calldataload(token), 0xffffffffffffffff))
            mstore(add(t, 0x1c0), calldataload(context)) // chainId
            mstore(add(t, 0x1e0), address())
            mstore(add(t, 0x200), and(calldataload(add(context, 0x20)), 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(t, 0x220), calldataload(add(context, 0x40))) // action
            mstore(add(t, 0x240), and(calldataload(add(context, 0x60)), 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(t, 0x260), calldataload(add(context, 0x80))) // nonce
            mstore(add(t, 0x280), calldataload(add(context, 0xa0))) // scope
            // κ, h', ν, C1, C2: token words 1..14 into words 21..34.
            calldatacopy(add(t, 0x2a0), add(token, 0x20), 0x1c0)
            // The commitments start at word 35, or 39 after P_scope and N.
            let a := add(t, 0x460)
            if scoped {
                calldatacopy(add(t, 0x4a0), add(token, 0x1e0), 0x40) // N
                a := add(t, 0x4e0)
            }
            // Token words 17..20: c, z_m, z_r, z_k; -c·Q is (r - c)·Q.

            // A1 = c·(base - κ) + z_m·Y_m + z_r·G1 (κ.y != 0: G1 has no point of order 2).
            mstore(add(u, 0x40), mload(add(t, 0x2a0)))
            mstore(add(u, 0x60), sub(P, mload(add(t, 0x2c0))))
            addInto(u, s)
            mulInto(s, s, calldataload(add(token, 0x220)), u)
            mulInto(s, add(t, 0xe0), calldataload(add(token, 0x240)), add(u, 0x40))
            addInto(u, u)
            mulInto(s, add(t, 0x20), calldataload(add(token, 0x260)), add(u, 0x40))
            addInto(u, a)
            // A2 = z_k·G1 - c·C1.
            mulInto(s, add(t, 0x20), calldataload(add(token, 0x280)), u)
            mulInto(s, add(t, 0x3e0), sub(R, calldataload(add(token, 0x220))), add(u, 0x40))
            addInto(u, add(a, 0x40))
            // A3 = z_m·H1 + z_k·T - c·C2.
            mulInto(s, add(t, 0x60), calldataload(add(token, 0x240)), u)
            mulInto(s, add(t, 0x160), calldataload(add(token, 0x280)), add(u, 0x40))
            addInto(u, u)
            mulInto(s, add(t, 0x420), sub(R, calldataload(add(token, 0x220))), add(u, 0x40))
            addInto(u, add(a, 0x80))
            length := add(sub(a, t), 0xc0)
            if scoped {
                // A4 = z_m·P - c·N.
                mulInto(s, add(t, 0x460), calldataload(add(token, 0x240)), u)
                mulInto(s, add(t, 0x4a0), sub(R, calldataload(add(token, 0x220))), add(u, 0x40))
                addInto(u, add(a, 0xc0))
                length := add(length, 0x40)
            }
        }
    }

    /**
     * @dev `e(κ, h')·e(-G1, ν) == 1` with the ecPairing precompile (113,000 gas), its input
     * copied from calldata into scratch memory (`κ` was validated, the precompile checks `h'` and
     * `ν`). Reverts with `Bn254PrecompileFailed(0x08)` if the call fails (e.g. a G2 point outside
     * the subgroup) or returns other than 32 bytes.
     */
    function _pairingCheck(IIdentityRegistry.Token calldata token) private view returns (bool ok) {
        bool success;
        assembly ("memory-safe") {
            // κ, h' (token words 1..6), -G1 = (1, p - 2), ν (token words 7..10).
            let s := mload(0x40)
            calldatacopy(s, add(token, 0x20), 0xc0)
            mstore(add(s, 0xc0), 1)
            mstore(add(s, 0xe0), sub(P, 2))
            calldatacopy(add(s, 0x100), add(token, 0xe0), 0x80)
            success := staticcall(gas(), 0x08, s, 0x180, s, 0x20)
            success := and(success, eq(returndatasize(), 0x20))
            ok := eq(mload(s), 1)
        }
        if (!success) revert Bn254.Bn254PrecompileFailed(Bn254.EC_PAIRING);
    }

    /// @dev Reverts unless `κ`, `C1`, `C2`, `h'`, `ν` and the scalars are well formed (see {verifyToken}).
    function _validateToken(IIdentityRegistry.Token calldata token) private pure {
        Bn254.validateNonIdentity(token.kappa);
        Bn254.validateNonIdentity(token.c1);
        Bn254.validateNonIdentity(token.c2);
        if (_isG2Identity(token.h) || _isG2Identity(token.nu)) revert Bn254.Bn254IdentityPoint();
        Bn254.validateScalar(token.c);
        Bn254.validateScalar(token.zm);
        Bn254.validateScalar(token.zr);
        Bn254.validateScalar(token.zk);
    }

    /// @dev Whether a G2 point is the point at infinity (all four words zero).
    function _isG2Identity(Bn254.G2Point calldata p) private pure returns (bool) {
        return p.x[0] | p.x[1] | p.y[0] | p.y[1] == 0;
    }
}

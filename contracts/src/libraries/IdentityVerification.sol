// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Bn254} from "./Bn254.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";

/**
 * @title IdentityVerification
 * @notice The checks of `medshare-identity` (`docs/identity.md`, format version 1) in G1 and
 * keccak, for the EVM: token verification (Rust `Token::verify`), trace-share DLEQ
 * verification (Rust `TraceShare::verify`), the Lagrange combination of trace shares (Rust
 * `trace`), and a 32-byte storage form of G1 points.
 * @dev Transcripts are the Rust `Transcript` bytes: the 32-byte tag `keccak256(ascii tag)`,
 * then 32-byte big-endian words (G1 points `x || y`, G2 points in EIP-197 order, integers and
 * addresses left-padded). Every field here is a static `uint256`/`bytes32`/`address` word or a
 * static struct of such words, so `abi.encode` yields exactly these bytes (identical to
 * `abi.encodePacked` of the individual words). Challenges are `keccak256(transcript) mod r`.
 *
 * Every precompile call (ecAdd, ecMul, ecPairing, and modexp for inverses mod `r`) goes through
 * the `Bn254` library, whose wrappers check the success flag and the return length. Points are
 * validated once on entry (or come from storage, validated when stored), so the hot paths use
 * its `*Unchecked` variants.
 */
library IdentityVerification {
    using Bn254 for Bn254.G1Point;

    /// @dev x coordinate of `H1`, the second G1 generator: the first try-and-increment point of
    /// `keccak256("MEDSHARE-ID-v1/generator-H1" || u32be(ctr)) mod p` (ctr = 2), smaller root.
    uint256 internal constant H1_X = 5382209455203835609570294733784336430769701909892945144150467078543930504722;

    /// @dev y coordinate of `H1` (the smaller of the two roots).
    uint256 internal constant H1_Y = 2906811740288465869920863280754576760030312854485214555031032225080407832134;

    /// @dev Transcript tag of the token proof: `keccak256("MEDSHARE-ID-v1/token")`.
    bytes32 internal constant TOKEN_TAG = keccak256("MEDSHARE-ID-v1/token");

    /// @dev Transcript tag of a trace share's DLEQ proof: `keccak256("MEDSHARE-ID-v1/trace-share")`.
    bytes32 internal constant TRACE_SHARE_TAG = keccak256("MEDSHARE-ID-v1/trace-share");

    /**
     * @dev The group key a token is checked against: the active key set's `X, Y_m, Y_e, T` and
     * the cached `base = X + e·Y_e` of the current epoch `e`.
     */
    struct TokenKey {
        Bn254.G1Point x;
        Bn254.G1Point ym;
        Bn254.G1Point ye;
        Bn254.G1Point tracing;
        Bn254.G1Point base;
    }

    /**
     * @dev Rust `Token::verify` for `key` and the epoch whose `X + e·Y_e` is `key.base` (the
     * caller checks `token.epoch`). Recomputes
     * `A1 = z_m·Y_m + z_r·G1 + c·(base - κ)`, `A2 = z_k·G1 - c·C1`, `A3 = z_m·H1 + z_k·T - c·C2`,
     * checks `c == keccak256(tag || G1 || H1 || X || Y_m || Y_e || T || e || context || κ || h'
     * || ν || C1 || C2 || A1 || A2 || A3) mod r`, then `e(κ, h')·e(-G1, ν) == 1`.
     *
     * Reverts with `Bn254InvalidPoint` / `Bn254IdentityPoint` unless `κ`, `C1`, `C2` are
     * non-identity G1 points, with `Bn254IdentityPoint` if `h'` or `ν` is the identity, and
     * with `Bn254ScalarOutOfRange` unless `c, z_m, z_r, z_k < r`. Returns false for a
     * well-formed token whose proof or pairing check fails.
     */
    function verifyToken(
        IIdentityRegistry.Token calldata token,
        IIdentityRegistry.TokenContext calldata context,
        TokenKey memory key
    ) internal view returns (bool) {
        _validateToken(token);
        if (_tokenChallenge(token, context, key) != token.c) return false;
        return _pairingCheck(token);
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

    /// @dev Reverts unless the token is well formed (see {verifyToken}).
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

    /**
     * @dev `keccak256(tag || G1 || H1 || X || Y_m || Y_e || T || e || context || κ || h' || ν ||
     * C1 || C2 || A1 || A2 || A3) mod r`, the Rust `token_transcript` followed by the commitments.
     */
    function _tokenChallenge(
        IIdentityRegistry.Token calldata token,
        IIdentityRegistry.TokenContext calldata context,
        TokenKey memory key
    ) private view returns (uint256) {
        bytes memory commitments = _tokenCommitments(token, key);
        bytes memory head =
            abi.encode(TOKEN_TAG, Bn254.G1_X, Bn254.G1_Y, H1_X, H1_Y, key.x, key.ym, key.ye, key.tracing);
        bytes memory body =
            abi.encode(uint256(token.epoch), context, token.kappa, token.h, token.nu, token.c1, token.c2);
        return Bn254.hashToScalar(bytes.concat(head, body, commitments));
    }

    /// @dev `A1 || A2 || A3` of {verifyToken} (6 words); 8 ecMul and 6 ecAdd.
    function _tokenCommitments(IIdentityRegistry.Token calldata token, TokenKey memory key)
        private
        view
        returns (bytes memory)
    {
        // Every input is a validated point (the key at proposal, the token in `_validateToken`) or
        // a precompile output, so the unchecked helpers apply. `-c·P` is `(r - c)·P`.
        uint256 c = token.c;
        uint256 minusC = Bn254.R - c;
        Bn254.G1Point memory g = Bn254.generator();
        // A1 = z_m·Y_m + z_r·G1 - c·(κ - X - e·Y_e) = z_m·Y_m + z_r·G1 + c·(base - κ).
        Bn254.G1Point memory a1 = Bn254.mulAddMulUnchecked(key.ym, token.zm, g, token.zr).addUnchecked(
            key.base.addUnchecked(Bn254.negUnchecked(token.kappa)).mulUnchecked(c)
        );
        // A2 = z_k·G1 - c·C1.
        Bn254.G1Point memory a2 = Bn254.mulAddMulUnchecked(g, token.zk, token.c1, minusC);
        // A3 = z_m·H1 + z_k·T - c·C2.
        Bn254.G1Point memory a3 = Bn254.mulAddMulUnchecked(Bn254.G1Point(H1_X, H1_Y), token.zm, key.tracing, token.zk)
            .addUnchecked(Bn254.mulUnchecked(token.c2, minusC));
        return abi.encode(a1, a2, a3);
    }

    /**
     * @dev `e(κ, h')·e(-G1, ν) == 1` with the ecPairing precompile (113,000 gas), through
     * {Bn254-pairing2Unchecked} (`κ` was validated, the precompile checks `h'` and `ν`).
     * Reverts with `Bn254PrecompileFailed(0x08)` if the call fails (e.g. a G2 point outside
     * the subgroup) or returns other than 32 bytes.
     */
    function _pairingCheck(IIdentityRegistry.Token calldata token) private view returns (bool) {
        return Bn254.pairing2Unchecked(token.kappa, token.h, Bn254.G1Point(Bn254.G1_X, Bn254.P - Bn254.G1_Y), token.nu);
    }

    /// @dev Whether a G2 point is the point at infinity (all four words zero).
    function _isG2Identity(Bn254.G2Point calldata p) private pure returns (bool) {
        return p.x[0] | p.x[1] | p.y[0] | p.y[1] == 0;
    }
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Bn254} from "../libraries/Bn254.sol";

/**
 * @title IIdentityRegistry
 * @notice On-chain side of medshare's anonymous, traceable identity (`docs/identity.md`, format
 * version 1): the authorities' threshold key set, epochs, one-time use of identity tokens,
 * threshold tracing of a used token back to an identity commitment, and revocation.
 * @dev The structs are the EVM view of the Rust types of `medshare-identity`: G1 points as
 * `(x, y)` words, G2 points in EIP-197 word order (imaginary part first), scalars as `uint256`.
 *
 * Lifecycle:
 *
 * 1. Key set: an authority proposes the DKG's {KeySet} ({proposeKeySet}); every authority
 *    listed in it confirms its hash ({confirmKeySet}); it then becomes active at once (first key
 *    set, which starts epoch 1) or at the next epoch.
 * 2. Epochs: any authority calls {advanceEpoch} once {minEpochDuration} has passed. Credentials
 *    and tokens are per epoch; only tokens of {currentEpoch} are accepted.
 * 3. Tokens: an application contract calls {consumeToken} with a user's token bound to it
 *    (`context.verifyingContract == msg.sender`); the registry verifies it, records its
 *    nullifier (no replay) with a digest of its tracing tag, and emits {TokenUsed}.
 * 4. Tracing: an authority opens a trace on a used token ({requestTrace}); authorities of the
 *    token's key set post decryption shares with DLEQ proofs ({submitTraceShare}); the `t`-th
 *    valid share combines them, emits {Traced} with the identity commitment and blocks the
 *    token.
 * 5. Revocation: an authority revokes a traced identity commitment ({revokeIdentity});
 *    authorities refuse to issue credentials for revoked identities (checked off chain).
 *
 * Malformed cryptographic input (a coordinate `>= p`, a G1 point off the curve, a forbidden
 * point at infinity, a scalar `>= r`) reverts with the `Bn254` error naming the value
 * (`Bn254InvalidPoint`, `Bn254IdentityPoint`, `Bn254ScalarOutOfRange`); a G2 point outside the
 * prime-order subgroup makes the pairing precompile fail (`Bn254PrecompileFailed`).
 */
interface IIdentityRegistry {
    /**
     * @dev Authority `index`'s verification key in a {KeySet} (Rust
     * `AuthorityVerificationKey`), plus the account that acts for it on chain.
     */
    struct AuthorityKey {
        /// @dev Share index `i`; the `k`-th entry of {KeySet-authorities} must have `i = k + 1`.
        uint8 index;
        /// @dev The consortium account (with `ROLE_AUTHORITY`) holding share `i`.
        address account;
        /// @dev `X_i = x_i·G1`.
        Bn254.G1Point x;
        /// @dev `Y_m_i = y_m_i·G1`.
        Bn254.G1Point ym;
        /// @dev `Y_e_i = y_e_i·G1`.
        Bn254.G1Point ye;
        /// @dev `T_i = τ_i·G1`: trace shares of authority `i` are checked against it.
        Bn254.G1Point tracing;
    }

    /**
     * @dev The public output of a DKG (Rust `GroupPublicKey`, `t`-of-`n`), with one account per
     * authority. Its id is `keccak256(abi.encode(keySet))`.
     */
    struct KeySet {
        /// @dev `t`: shares needed to issue or trace, `1 <= t <= n`.
        uint8 threshold;
        /// @dev `X = x·G1`.
        Bn254.G1Point x;
        /// @dev `Y_m = y_m·G1`.
        Bn254.G1Point ym;
        /// @dev `Y_e = y_e·G1`.
        Bn254.G1Point ye;
        /// @dev Tracing key `T = τ·G1`.
        Bn254.G1Point tracing;
        /// @dev The `n` authorities, in index order `1..=n` (`n <= 16`).
        AuthorityKey[] authorities;
    }

    /// @dev Status of a key set.
    enum KeySetStatus {
        /// @dev Never proposed.
        None,
        /// @dev Proposed, collecting confirmations.
        Proposed,
        /// @dev Confirmed by every listed authority; becomes active at the next epoch.
        Scheduled,
        /// @dev The key set of {currentEpoch}.
        Active,
        /// @dev Was active in earlier epochs; still used to trace tokens of those epochs.
        Retired,
        /// @dev Was scheduled, then replaced by a key set confirmed later in the same epoch.
        Superseded
    }

    /// @dev A key set as stored (the full key set is in its {KeySetProposed} event).
    struct KeySetInfo {
        /// @dev `keccak256(abi.encode(keySet))`.
        bytes32 keySetHash;
        /// @dev Current status.
        KeySetStatus status;
        /// @dev `t`.
        uint8 threshold;
        /// @dev `n`.
        uint8 size;
        /// @dev Bit `i - 1` is set iff authority `i` has confirmed.
        uint16 confirmations;
        /// @dev First epoch in which it was active (0 until activated).
        uint64 activationEpoch;
        /// @dev The authority that proposed it.
        address proposer;
    }

    /**
     * @dev A token: one show of a credential (Rust `Token`, `docs/identity.md` §5): `h' = t'·h`,
     * `ν = (x + m·y_m + e·y_e + r)·h'`, `κ = X + m·Y_m + e·Y_e + r·G1`, the tracing tag
     * `(C1, C2) = (k·G1, m·H1 + k·T)` and the Sigma proof `(c, z_m, z_r, z_k)`.
     */
    struct Token {
        /// @dev The epoch `e` of the credential.
        uint64 epoch;
        /// @dev `κ`; its hash is the nullifier.
        Bn254.G1Point kappa;
        /// @dev `h'` (EIP-197 order), not the identity.
        Bn254.G2Point h;
        /// @dev `ν` (EIP-197 order).
        Bn254.G2Point nu;
        /// @dev Tracing tag `C1 = k·G1`.
        Bn254.G1Point c1;
        /// @dev Tracing tag `C2 = m·H1 + k·T`.
        Bn254.G1Point c2;
        /// @dev Challenge `c = keccak256(transcript) mod r`.
        uint256 c;
        /// @dev Response `z_m = w_m + c·m`.
        uint256 zm;
        /// @dev Response `z_r = w_r + c·r`.
        uint256 zr;
        /// @dev Response `z_k = w_k + c·k`.
        uint256 zk;
    }

    /**
     * @dev Where a token is used (Rust `TokenContext`); all five fields enter the token's
     * challenge as 32-byte words, in this order.
     */
    struct TokenContext {
        /// @dev EIP-155 chain id.
        uint256 chainId;
        /// @dev The contract that consumes the token: {consumeToken} requires it to be `msg.sender`.
        address verifyingContract;
        /// @dev Action tag, by convention `keccak256("medshare.<action>")`.
        bytes32 action;
        /// @dev The account that submitted the token to `verifyingContract` (its `msg.sender`);
        /// the consuming contract must set it, which stops front-running.
        address sender;
        /// @dev Request nonce or record id.
        bytes32 nonce;
    }

    /// @dev What the registry remembers about a used token.
    struct TokenRecord {
        /// @dev The first 24 bytes of `keccak256(C1.x, C1.y, C2.x, C2.y)`.
        bytes24 tagDigest;
        /// @dev Internal id of the key set that verified it (0: never used).
        uint32 keySetId;
        /// @dev Whether a completed trace blocked it.
        bool blocked;
    }

    /// @dev Authority `index`'s decryption share `D_i = τ_i·C1` with its DLEQ proof `(c, z)` (Rust `TraceShare`).
    struct TraceShare {
        /// @dev Share index `i`.
        uint8 index;
        /// @dev `D_i`.
        Bn254.G1Point d;
        /// @dev Challenge.
        uint256 c;
        /// @dev Response `z = w + c·τ_i`.
        uint256 z;
    }

    /// @dev Status of a trace.
    enum TraceStatus {
        /// @dev No such trace.
        None,
        /// @dev Collecting shares.
        Pending,
        /// @dev `t` valid shares combined; {Traced} emitted.
        Completed
    }

    /// @dev A trace, as {trace} returns it.
    struct TraceInfo {
        /// @dev The traced token.
        bytes32 nullifier;
        /// @dev Why the trace was requested (e.g. the hash of a court order).
        bytes32 reason;
        /// @dev The authority that requested it.
        address requester;
        /// @dev Hash of the key set that verified the token (its authorities hold the shares).
        bytes32 keySetHash;
        /// @dev Current status.
        TraceStatus status;
        /// @dev Valid shares received so far.
        uint8 shareCount;
        /// @dev Bit `i - 1` is set iff authority `i`'s share was accepted.
        uint16 shareMask;
        /// @dev `keccak256(M.x, M.y)` once completed, else 0.
        bytes32 identityCommitment;
    }

    /// @dev Status of an identity commitment.
    enum IdentityStatus {
        /// @dev Never the result of a trace.
        Unknown,
        /// @dev The result of a completed trace: it may be revoked.
        Traced,
        /// @dev Revoked: authorities issue it no further credentials.
        Revoked
    }

    /// @dev The constructor got `consortium == address(0)` or `minEpochDuration == 0`.
    error IdentityRegistryInvalidConfiguration();

    /// @dev `account` lacks `ROLE_AUTHORITY` or is not the authority this operation needs.
    error IdentityRegistryUnauthorizedAccount(address account);

    /// @dev The key set has `threshold` and `size` outside `1 <= threshold <= size <= 16`.
    error IdentityRegistryInvalidThreshold(uint256 threshold, uint256 size);

    /// @dev Entry `position` of a key set's authority list has index `index`, not `position + 1`.
    error IdentityRegistryInvalidAuthorityIndex(uint256 position, uint256 index);

    /// @dev `account` is listed twice in a key set, or is `address(0)`, or lacks `ROLE_AUTHORITY`.
    error IdentityRegistryInvalidAuthority(address account);

    /// @dev Key set `keySetHash` has already been proposed.
    error IdentityRegistryKeySetExists(bytes32 keySetHash);

    /// @dev Key set `keySetHash` is `status`, not `Proposed`.
    error IdentityRegistryKeySetNotProposed(bytes32 keySetHash, KeySetStatus status);

    /// @dev `account` has already confirmed key set `keySetHash`.
    error IdentityRegistryAlreadyConfirmed(bytes32 keySetHash, address account);

    /// @dev No key set is active yet (the registry is in epoch 0).
    error IdentityRegistryNoActiveKeySet();

    /// @dev The epoch cannot advance before timestamp `notBefore`.
    error IdentityRegistryEpochTooEarly(uint256 notBefore);

    /// @dev The token's context is for chain `chainId`, this is chain `expected`.
    error IdentityRegistryWrongChain(uint256 chainId, uint256 expected);

    /// @dev The token's context names `verifyingContract`, but `caller` submitted it.
    error IdentityRegistryWrongVerifier(address verifyingContract, address caller);

    /// @dev The token is for epoch `epoch`, the current epoch is `current`.
    error IdentityRegistryWrongEpoch(uint64 epoch, uint64 current);

    /// @dev The token with nullifier `nullifier` has been used already.
    error IdentityRegistryTokenAlreadyUsed(bytes32 nullifier);

    /// @dev The token with nullifier `nullifier` has been blocked by a completed trace.
    error IdentityRegistryTokenBlocked(bytes32 nullifier);

    /// @dev The token with nullifier `nullifier` does not verify (forged credential, wrong
    /// context, tampered tag or proof).
    error IdentityRegistryInvalidToken(bytes32 nullifier);

    /// @dev No token with nullifier `nullifier` has been used.
    error IdentityRegistryUnknownToken(bytes32 nullifier);

    /// @dev The tracing tag given for `nullifier` is not the one of the used token.
    error IdentityRegistryTagMismatch(bytes32 nullifier);

    /// @dev Trace `traceId` is `status`, not `Pending`.
    error IdentityRegistryTraceNotPending(uint256 traceId, TraceStatus status);

    /// @dev Authority `index`'s share for trace `traceId` has been accepted already.
    error IdentityRegistryDuplicateTraceShare(uint256 traceId, uint8 index);

    /// @dev Authority `index`'s share for trace `traceId` has an invalid DLEQ proof.
    error IdentityRegistryInvalidTraceShare(uint256 traceId, uint8 index);

    /// @dev `identityCommitment` is not the result of a completed trace.
    error IdentityRegistryUntracedIdentity(bytes32 identityCommitment);

    /// @dev `identityCommitment` is revoked already.
    error IdentityRegistryAlreadyRevoked(bytes32 identityCommitment);

    /// @dev Creating the code-storage contract of an epoch's token key failed.
    error IdentityRegistryKeyStorageFailed();

    /// @dev `proposer` proposed key set `keySetHash` (internal id `keySetId`); `keySet` is its full content.
    event KeySetProposed(bytes32 indexed keySetHash, uint256 indexed keySetId, address indexed proposer, KeySet keySet);

    /// @dev Authority `index` (`account`) confirmed key set `keySetHash`; `confirmations` have been given.
    event KeySetConfirmed(bytes32 indexed keySetHash, address indexed account, uint8 index, uint256 confirmations);

    /// @dev Key set `keySetHash` was confirmed by all its authorities and becomes active in `epoch`.
    event KeySetScheduled(bytes32 indexed keySetHash, uint64 epoch);

    /// @dev Key set `keySetHash` became the active key set in `epoch`.
    event KeySetActivated(bytes32 indexed keySetHash, uint64 indexed epoch);

    /// @dev The registry moved to `epoch`, verified with key set `keySetHash`.
    event EpochAdvanced(uint64 indexed epoch, bytes32 indexed keySetHash);

    /// @dev `verifyingContract` consumed the token `nullifier` for `action` in `epoch`; `(c1, c2)`
    /// is its tracing tag (input of {requestTrace}, {submitTraceShare} and {verifyTraceShare}).
    event TokenUsed(
        bytes32 indexed nullifier,
        address indexed verifyingContract,
        bytes32 indexed action,
        uint64 epoch,
        Bn254.G1Point c1,
        Bn254.G1Point c2
    );

    /// @dev `authority` opened trace `traceId` on token `nullifier` for `reason`.
    event TraceRequested(uint256 indexed traceId, bytes32 indexed nullifier, address indexed authority, bytes32 reason);

    /// @dev Authority `index` (`account`) posted a valid share for trace `traceId`; `shareCount` are in.
    event TraceShareSubmitted(uint256 indexed traceId, address indexed account, uint8 index, uint256 shareCount);

    /// @dev Trace `traceId` of token `nullifier` completed: the user's identity commitment is
    /// `identityCommitment = keccak256(M.x, M.y)`; the token is now blocked.
    event Traced(
        uint256 indexed traceId, bytes32 indexed nullifier, bytes32 indexed identityCommitment, bytes32 reason
    );

    /// @dev `authority` revoked `identityCommitment` for `reason`.
    event IdentityRevoked(bytes32 indexed identityCommitment, address indexed authority, bytes32 reason);

    /**
     * @notice Proposes a key set produced by a DKG.
     * @dev Stores the group key, `t`, and each authority's account and `T_i`; the full key set
     * is emitted in {KeySetProposed} for off-chain readers. The contract does not check that the
     * authority keys interpolate to the group key (about 4·n·t ecMul): every listed authority
     * checks it off chain (Rust `GroupPublicKey::from_bytes`) before confirming, and activation
     * needs all of them.
     *
     * Requirements:
     *
     * - the caller has `ROLE_AUTHORITY`.
     * - `1 <= keySet.threshold <= n <= 16`, `n = keySet.authorities.length`.
     * - entry `k` has index `k + 1`; accounts are distinct, non-zero, and have `ROLE_AUTHORITY`.
     * - every point is a non-identity G1 point (else a `Bn254` error).
     * - the same key set has not been proposed before.
     *
     * Emits a {KeySetProposed} event.
     *
     * @param keySet The key set.
     * @return keySetHash `keccak256(abi.encode(keySet))`.
     */
    function proposeKeySet(KeySet calldata keySet) external returns (bytes32 keySetHash);

    /**
     * @notice Confirms a proposed key set as one of its authorities.
     * @dev The last confirmation activates it: at once, starting epoch 1, if no key set is
     * active yet; otherwise at the next {advanceEpoch}, replacing (`Superseded`) any key set
     * scheduled before.
     *
     * Requirements:
     *
     * - key set `keySetHash` is `Proposed`.
     * - the caller is listed in it, still has `ROLE_AUTHORITY`, and has not confirmed yet.
     *
     * Emits a {KeySetConfirmed} event; the last one is followed by {KeySetActivated} and
     * {EpochAdvanced} (first key set) or by {KeySetScheduled}.
     *
     * @param keySetHash The key set's hash.
     */
    function confirmKeySet(bytes32 keySetHash) external;

    /**
     * @notice Moves to the next epoch, activating the scheduled key set if there is one.
     * @dev Tokens of the previous epoch stop being accepted: users show credentials of the new
     * epoch. Costs one ecMul and a contract creation: the epoch's token key (`X, Y_m, Y_e, T`,
     * `X + e·Y_e`) is written as contract code, which tokens read for 2,600 gas.
     *
     * Requirements:
     *
     * - the caller has `ROLE_AUTHORITY`.
     * - a key set is active.
     * - at least {minEpochDuration} seconds have passed since the last epoch change.
     *
     * Emits a {KeySetActivated} event if a key set was scheduled, then an {EpochAdvanced} event.
     */
    function advanceEpoch() external;

    /**
     * @notice Verifies `token` for `context` against the active key set and the current epoch,
     * exactly as Rust's `Token::verify` does.
     * @dev Recomputes the three Sigma commitments (8 ecMul, 6 ecAdd), checks the challenge over
     * the transcript of `docs/identity.md` §7.3, then `e(κ, h')·e(-G1, ν) = 1` (one 2-pair
     * pairing). The key (`X, Y_m, Y_e, T`, `X + e·Y_e`) is read from a code-storage contract
     * written at each epoch change. Does not look at the nullifier, the chain id or the caller:
     * see {consumeToken}.
     *
     * Requirements (else reverts with the `Bn254` error):
     *
     * - `κ`, `C1`, `C2` are non-identity G1 points; `h'` and `ν` are not the identity.
     * - `c`, `z_m`, `z_r`, `z_k` are below `r`.
     *
     * @param token The token.
     * @param context Its context.
     * @return True iff a key set is active, `token.epoch` is {currentEpoch} and the proof and the
     * pairing check hold.
     */
    function verifyToken(Token calldata token, TokenContext calldata context) external view returns (bool);

    /**
     * @notice Verifies and uses up `token`, on behalf of the calling application contract.
     * @dev Records the nullifier `keccak256(κ.x, κ.y)` (Rust `Token::nullifier`) with the first
     * 24 bytes of `keccak256(C1, C2)` and the key set, so that only this token's real tag can be
     * traced. The application must pass `context.sender = msg.sender` (its own caller); the
     * registry checks the other fields it can know.
     *
     * Requirements:
     *
     * - `context.chainId == block.chainid` and `context.verifyingContract == msg.sender`.
     * - `token.epoch == currentEpoch()` (a key set is active).
     * - the token is neither blocked nor used, and verifies (see {verifyToken}).
     *
     * Emits a {TokenUsed} event.
     *
     * @param token The token.
     * @param context Its context.
     * @return nullifier The token's nullifier.
     */
    function consumeToken(Token calldata token, TokenContext calldata context) external returns (bytes32 nullifier);

    /**
     * @notice Opens a trace of a used token.
     * @param nullifier The token's nullifier.
     * @param c1 Its tracing tag's `C1` (from {TokenUsed}).
     * @param c2 Its tracing tag's `C2`.
     * @param reason Why (e.g. the hash of a court order); repeated in {Traced}.
     * @return traceId The new trace's id (ids start at 1).
     *
     * Requirements:
     *
     * - the caller has `ROLE_AUTHORITY`.
     * - the token was used and is not blocked; `(c1, c2)` is its tag.
     *
     * Emits a {TraceRequested} event.
     */
    function requestTrace(bytes32 nullifier, Bn254.G1Point calldata c1, Bn254.G1Point calldata c2, bytes32 reason)
        external
        returns (uint256 traceId);

    /**
     * @notice Posts authority `share.index`'s decryption share for trace `traceId`.
     * @dev Checks the DLEQ proof `log_G1 T_i = log_C1 D_i` (4 ecMul, 2 ecAdd). The trace stores
     * only a digest of the token's tag, so the caller passes the tag `(c1, c2)` (from
     * {TokenUsed}); it must hash to that digest, which binds it to the tag validated when the
     * token was used. The `t`-th accepted share combines all of them, `D = Σ λ_i·D_i` with
     * Lagrange coefficients at 0 (one modexp inversion), `M = C2 - D`, and completes the trace.
     *
     * Requirements:
     *
     * - trace `traceId` is `Pending`.
     * - the caller is the account of authority `share.index` in the token's key set and still
     *   has `ROLE_AUTHORITY`.
     * - that authority's share has not been accepted yet.
     * - `(c1, c2)` is the traced token's tag (else {IdentityRegistryTagMismatch}).
     * - `D_i` is a non-identity G1 point and `c, z < r` (else a `Bn254` error); the proof holds.
     *
     * Emits a {TraceShareSubmitted} event; the `t`-th is followed by {Traced}.
     *
     * @param traceId The trace.
     * @param c1 The traced token's tracing tag `C1` (from {TokenUsed}).
     * @param c2 Its tracing tag's `C2`.
     * @param share The share.
     */
    function submitTraceShare(
        uint256 traceId,
        Bn254.G1Point calldata c1,
        Bn254.G1Point calldata c2,
        TraceShare calldata share
    ) external;

    /**
     * @notice Checks authority `share.index`'s share for trace `traceId` without submitting it,
     * as {submitTraceShare} would (Rust `TraceShare::verify`).
     * @dev For authorities to pre-check a share with `eth_call`; it ignores the caller, the
     * trace status and duplicates.
     *
     * Requirements: `D_i` is a non-identity G1 point and `c, z < r` (else a `Bn254` error).
     *
     * @param traceId The trace.
     * @param c1 The traced token's tracing tag `C1` (from {TokenUsed}).
     * @param c2 Its tracing tag's `C2`.
     * @param share The share.
     * @return True iff the trace exists, `(c1, c2)` is its token's tag, the index is in its key
     * set and the DLEQ proof holds.
     */
    function verifyTraceShare(
        uint256 traceId,
        Bn254.G1Point calldata c1,
        Bn254.G1Point calldata c2,
        TraceShare calldata share
    ) external view returns (bool);

    /**
     * @notice Revokes an identity found by a completed trace.
     * @dev Revocation is recorded, not enforced on chain: authorities check {isRevoked} before
     * issuing credentials. Only traced commitments can be revoked, so no one is revoked without
     * a threshold trace.
     *
     * Requirements:
     *
     * - the caller has `ROLE_AUTHORITY`.
     * - `identityCommitment` came out of a completed trace and is not revoked.
     *
     * Emits an {IdentityRevoked} event.
     *
     * @param identityCommitment `keccak256(M.x, M.y)` from {Traced}.
     * @param reason Why.
     */
    function revokeIdentity(bytes32 identityCommitment, bytes32 reason) external;

    /// @notice The consortium whose `ROLE_AUTHORITY` members are the authorities.
    function consortium() external view returns (address);

    /// @notice The shortest time between two epoch changes, in seconds.
    function minEpochDuration() external view returns (uint64);

    /// @notice The current epoch (0 until the first key set is active).
    function currentEpoch() external view returns (uint64);

    /// @notice When the epoch last changed (0 before the first key set).
    function lastEpochChange() external view returns (uint64);

    /// @notice The hash of the active key set (0 if none).
    function activeKeySet() external view returns (bytes32);

    /// @notice The hash of the key set scheduled for the next epoch (0 if none).
    function scheduledKeySet() external view returns (bytes32);

    /// @notice The stored summary of key set `keySetHash` (all zero if unknown).
    function keySet(bytes32 keySetHash) external view returns (KeySetInfo memory);

    /// @notice `[X, Y_m, Y_e, T]` of key set `keySetHash` (all zero if unknown).
    function groupKey(bytes32 keySetHash) external view returns (Bn254.G1Point[4] memory);

    /**
     * @notice Authority `index` of key set `keySetHash`.
     * @return account Its account (0 if unknown).
     * @return tracing Its `T_i`.
     */
    function authorityOf(bytes32 keySetHash, uint8 index)
        external
        view
        returns (address account, Bn254.G1Point memory tracing);

    /// @notice The record of the token `nullifier` (all zero if never used).
    function tokenRecord(bytes32 nullifier) external view returns (TokenRecord memory);

    /// @notice Whether the token `nullifier` has been used.
    function isUsed(bytes32 nullifier) external view returns (bool);

    /// @notice Whether the token `nullifier` was blocked by a completed trace.
    function isBlocked(bytes32 nullifier) external view returns (bool);

    /// @notice Trace `traceId` (status `None` if unknown).
    function trace(uint256 traceId) external view returns (TraceInfo memory);

    /// @notice The number of traces requested so far, which is also the latest id.
    function traceCount() external view returns (uint256);

    /// @notice The status of `identityCommitment`.
    function identityStatus(bytes32 identityCommitment) external view returns (IdentityStatus);

    /// @notice Whether `identityCommitment` has been revoked.
    function isRevoked(bytes32 identityCommitment) external view returns (bool);
}

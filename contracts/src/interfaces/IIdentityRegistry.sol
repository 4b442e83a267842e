// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Bn254} from "../libraries/Bn254.sol";

/**
 * @title IIdentityRegistry
 * @notice On-chain side of medshare's anonymous, traceable identity (`docs/identity.md`, format
 * version 2): the authorities' threshold key set, epochs, one-time use of identity tokens,
 * threshold tracing of a used token back to an identity commitment, and revocation.
 * @dev The structs are the EVM view of the Rust types of `medshare-identity`: G1 points as
 * `(x, y)` words, G2 points in EIP-197 word order (imaginary part first), scalars as `uint256`.
 *
 * Lifecycle:
 *
 * 1. Key set: an authority proposes the DKG's {KeySet} ({proposeKeySet}; `t` and `n` at least
 *    {minThreshold} and {minAuthorities}, the tracing key shares checked on chain); every
 *    authority listed in it confirms its hash ({confirmKeySet}), then it is approved
 *    ({approveKeySet}) by the consortium's admin threshold (the first key set) or by `t`
 *    authorities of the active key set (every later one). It then becomes active at once (first
 *    key set, which starts epoch 1) or at the next epoch; `t` authorities of the active set can
 *    cancel it before ({cancelKeySet}).
 * 2. Epochs: any authority calls {advanceEpoch} once {minEpochDuration} has passed; `t`
 *    authorities of the active key set can rotate at once ({approveEpochRotation}). Credentials
 *    and tokens are per epoch; only tokens of {currentEpoch} are accepted.
 * 3. Tokens: an application contract calls {consumeToken} with a user's token bound to it
 *    (`context.verifyingContract == msg.sender`); the registry verifies it, records its
 *    nullifier (no replay) with a digest of its tracing tag, and emits {TokenUsed}.
 * 4. Tracing: an authority opens a trace on a used token ({requestTrace}); authorities of the
 *    token's key set post decryption shares with DLEQ proofs ({submitTraceShare}); the `t`-th
 *    valid share combines them and emits {Traced} with the identity commitment.
 * 5. Revocation: `t` authorities of the active key set revoke a traced identity commitment
 *    ({revokeIdentity}); the `t`-th approval also starts a new epoch at once, so every credential
 *    the revoked user holds expires; authorities issue credentials only for the current epoch
 *    and never to a revoked identity (checked off chain).
 *
 * Every rule that hands out power (installing a key set, cancelling one, an early epoch
 * change, revocation) needs `t` authorities of the active key set (or, for the first key set,
 * the consortium's admin threshold): no single authority can act alone.
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
        /// @dev `t`: shares needed to issue or trace, `minThreshold <= t <= n`.
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
        /// @dev Confirmed by every listed authority and approved; becomes active at the first
        /// epoch change at least {minEpochDuration} after it was scheduled.
        Scheduled,
        /// @dev The key set of {currentEpoch}.
        Active,
        /// @dev Was active in earlier epochs; still used to trace tokens of those epochs.
        Retired,
        /// @dev Was scheduled, then replaced by a key set approved later, before it took effect.
        Superseded,
        /// @dev Cancelled by `t` authorities of the active key set before it took effect.
        Cancelled
    }

    /// @dev What a `t`-of-`n` approval of the active key set's authorities is for.
    enum Motion {
        /// @dev Install a proposed key set ({approveKeySet}).
        ApproveKeySet,
        /// @dev Cancel a proposed or scheduled key set ({cancelKeySet}).
        CancelKeySet,
        /// @dev Start the next epoch now ({approveEpochRotation}).
        RotateEpoch,
        /// @dev Revoke a traced identity ({revokeIdentity}).
        RevokeIdentity
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
     * @dev A token: one show of a credential (Rust `Token`, `docs/identity.md` §4.3): `h' = t'·h`,
     * `ν = (x + m·y_m + e·y_e + r)·h'`, `κ = X + m·Y_m + e·Y_e + r·G1`, the tracing tag
     * `(C1, C2) = (k·G1, m·H1 + k·T)`, in scoped mode the nullifier point `N = m·P_scope`, and
     * the Sigma proof `(c, z_m, z_r, z_k)`.
     */
    struct Token {
        /// @dev The epoch `e` of the credential.
        uint64 epoch;
        /// @dev `κ`; in unscoped mode its hash is the nullifier.
        Bn254.G1Point kappa;
        /// @dev `h'` (EIP-197 order), not the identity.
        Bn254.G2Point h;
        /// @dev `ν` (EIP-197 order).
        Bn254.G2Point nu;
        /// @dev Tracing tag `C1 = k·G1`.
        Bn254.G1Point c1;
        /// @dev Tracing tag `C2 = m·H1 + k·T`.
        Bn254.G1Point c2;
        /// @dev Scoped mode (`TokenContext.scope != 0`): `N = m·P_scope` ({scopePoint}), whose hash
        /// is the nullifier, the same for every token of one user in that scope. Unscoped: `(0, 0)`.
        Bn254.G1Point nullifierPoint;
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
     * @dev Where a token is used (Rust `TokenContext`); the fields enter the token's challenge as
     * 32-byte words, in this order, with the registry's own address after `chainId` (a token does
     * not replay on another registry sharing the key set).
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
        /// @dev 0 for an unscoped token (nullifier fresh per token). Otherwise the scope chosen by
        /// `verifyingContract`, e.g. `keccak256(abi.encode(recordId))` for "one request per user
        /// and record": every token of one user in one scope of one contract has the same
        /// nullifier, so {consumeToken} accepts one; scopes are unlinkable to each other.
        bytes32 scope;
    }

    /// @dev What the registry remembers about a used token: one storage slot.
    struct TokenRecord {
        /// @dev `keccak256(C1.x, C1.y, C2.x, C2.y, epoch)`: binds the tracing tag and the epoch
        /// (hence the key set) of the token; 0 iff never used.
        bytes32 tagDigest;
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
        /// @dev The token's epoch.
        uint64 epoch;
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

    /// @dev The constructor got `consortium == address(0)`, `minEpochDuration == 0`, or minimums
    /// outside `2 <= minThreshold <= minAuthorities <= 16`.
    error IdentityRegistryInvalidConfiguration();

    /// @dev `account` lacks `ROLE_AUTHORITY` or is not the authority this operation needs.
    error IdentityRegistryUnauthorizedAccount(address account);

    /// @dev The key set has `threshold` and `size` outside `minThreshold <= threshold <= size`,
    /// `minAuthorities <= size <= 16`.
    error IdentityRegistryInvalidThreshold(uint256 threshold, uint256 size);

    /// @dev The authorities' tracing keys `T_i` do not lie on one polynomial of degree `t - 1`
    /// through the tracing key `T`; `index` is the first share off it (0: `T` itself).
    error IdentityRegistryInconsistentKeyShares(uint256 index);

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

    /// @dev Key set `keySetHash` is `status`: it can no longer be cancelled.
    error IdentityRegistryKeySetNotPending(bytes32 keySetHash, KeySetStatus status);

    /// @dev Key set `keySetHash` cannot be approved before every listed authority has confirmed
    /// it; `confirmations` has bit `i - 1` set for each authority `i` that has.
    error IdentityRegistryKeySetNotConfirmed(bytes32 keySetHash, uint16 confirmations);

    /// @dev The consortium's admin threshold is `threshold`: the first key set needs at least two
    /// admins' approval, so one admin alone cannot install the tracing key set.
    error IdentityRegistryAdminThresholdTooLow(uint256 threshold);

    /// @dev `account` has already approved `motion` on `subject` (in this admin epoch, for the
    /// first key set).
    error IdentityRegistryAlreadyApproved(Motion motion, bytes32 subject, address account);

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


    /// @dev The token with nullifier `nullifier` does not verify (forged credential, wrong
    /// context, tampered tag or proof).
    error IdentityRegistryInvalidToken(bytes32 nullifier);

    /// @dev No token with nullifier `nullifier` has been used.
    error IdentityRegistryUnknownToken(bytes32 nullifier);

    /// @dev The tracing tag (or epoch) given for `nullifier` is not the one of the used token.
    error IdentityRegistryTagMismatch(bytes32 nullifier);

    /// @dev Token `nullifier` already has trace `traceId` for this reason.
    error IdentityRegistryAlreadyTraced(bytes32 nullifier, uint256 traceId);

    /// @dev The shares of trace `traceId` combine to `M = O`: no registered user has that
    /// identity, so the token's credential was not issued by the protocol (evidence against
    /// the issuing authorities); Rust's `trace` refuses it too.
    error IdentityRegistryTracedIdentityElement(uint256 traceId);

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

    /// @dev No point of G1 was found for `scope` in 5 candidates (1 scope in 32): the consuming
    /// contract must use another scope word (e.g. bump a salt until {scopePoint} succeeds).
    error IdentityRegistryScopeUnhashable(bytes32 scope);

    /// @dev Creating the code-storage contract of an epoch's token key failed.
    error IdentityRegistryKeyStorageFailed();

    /// @dev `proposer` proposed key set `keySetHash` (internal id `keySetId`); `keySet` is its full content.
    event KeySetProposed(bytes32 indexed keySetHash, uint256 indexed keySetId, address indexed proposer, KeySet keySet);

    /// @dev Authority `index` (`account`) confirmed key set `keySetHash`; `confirmations` have been given.
    event KeySetConfirmed(bytes32 indexed keySetHash, address indexed account, uint8 index, uint256 confirmations);

    /// @dev Key set `keySetHash` was confirmed by all its authorities and approved; it becomes
    /// active at the first epoch change at or after timestamp `notBefore` (until then `t`
    /// authorities of the active key set can cancel it).
    event KeySetScheduled(bytes32 indexed keySetHash, uint64 notBefore);

    /// @dev Key set `keySetHash` met its approval rule.
    event KeySetApproved(bytes32 indexed keySetHash);

    /// @dev Key set `keySetHash` was cancelled by `t` authorities of the active key set.
    event KeySetCancelled(bytes32 indexed keySetHash);

    /// @dev Scheduled key set `keySetHash` was replaced by the newly approved `by` before it took
    /// effect. (An active key set is retired by the next {KeySetActivated}.)
    event KeySetSuperseded(bytes32 indexed keySetHash, bytes32 indexed by);

    /// @dev `account` approved `motion` on `subject` as authority `index` of the active key set
    /// (index 0: as a consortium admin, for the first key set); `approvals` of the `needed` are in.
    event MotionApproved(
        Motion indexed motion,
        bytes32 indexed subject,
        address indexed account,
        uint8 index,
        uint256 approvals,
        uint256 needed
    );

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
    /// `identityCommitment = keccak256(M.x, M.y)`.
    event Traced(
        uint256 indexed traceId, bytes32 indexed nullifier, bytes32 indexed identityCommitment, bytes32 reason
    );

    /// @dev `identityCommitment` was revoked for `reason`; `authority` gave the last of the `t`
    /// approvals. A new epoch starts in the same transaction.
    event IdentityRevoked(bytes32 indexed identityCommitment, address indexed authority, bytes32 reason);

    /**
     * @notice Proposes a key set produced by a DKG.
     * @dev Stores the group key, `t`, and each authority's account and `T_i`; the full key set
     * is emitted in {KeySetProposed} for off-chain readers. Checks on chain that the tracing
     * key shares `T_1..T_n` lie on one polynomial of degree `t - 1` through `T` (interpolation
     * from `T_1..T_t`: `(n - t + 1)·t` ecMul), since inconsistent `T_i` would make every trace
     * output garbage. The issuing shares `X_i, Y_m_i, Y_e_i` are checked by every listed
     * authority off chain (Rust `GroupPublicKey::from_bytes`, recomputing this hash from its own
     * DKG view) before it confirms; activation needs all of them.
     *
     * Requirements:
     *
     * - the caller has `ROLE_AUTHORITY`.
     * - `minThreshold <= keySet.threshold <= n` and `minAuthorities <= n <= 16`,
     *   `n = keySet.authorities.length`.
     * - entry `k` has index `k + 1`; accounts are distinct, non-zero, and have `ROLE_AUTHORITY`.
     * - every point is a non-identity G1 point (else a `Bn254` error).
     * - the `T_i` interpolate to `T` (else {IdentityRegistryInconsistentKeyShares}).
     * - the same key set has not been proposed before.
     *
     * Emits a {KeySetProposed} event.
     *
     * @param keySet The key set.
     * @return keySetHash `keccak256(abi.encode(keySet))`.
     */
    function proposeKeySet(KeySet calldata keySet) external returns (bytes32 keySetHash);

    /**
     * @notice Confirms a proposed key set as one of its authorities: it holds its shares and
     * has checked the key set against its own view of the DKG.
     * @dev Once every listed authority has confirmed, the key set can be approved
     * ({approveKeySet}); the approval that meets the rule makes it take effect.
     *
     * Requirements:
     *
     * - key set `keySetHash` is `Proposed`.
     * - the caller is listed in it, still has `ROLE_AUTHORITY`, and has not confirmed yet.
     *
     * Emits a {KeySetConfirmed} event.
     *
     * @param keySetHash The key set's hash.
     */
    function confirmKeySet(bytes32 keySetHash) external;

    /**
     * @notice Approves a proposed, fully confirmed key set. No single party can install one:
     * the first key set needs the consortium's admin threshold (`Consortium.threshold()`, at
     * least 2, distinct admins in one admin epoch), every later one `t` authorities of the
     * active key set that still hold `ROLE_AUTHORITY`.
     * @dev Approvals of a later key set count only while the key set that gave them is active,
     * and only from authorities that still hold the role; approvals of the first key set only
     * within one `Consortium.adminEpoch()`. The approval that meets the rule emits
     * {KeySetApproved} and makes the key set take effect: at once, starting epoch 1, if no key
     * set is active yet; otherwise it is scheduled, replacing (`Superseded`) any key set
     * scheduled before, and activates at the first epoch change at least {minEpochDuration}
     * later.
     *
     * Requirements:
     *
     * - key set `keySetHash` is `Proposed` and confirmed by every authority it lists (else
     *   {IdentityRegistryKeySetNotConfirmed}).
     * - with no active key set, the consortium's threshold is at least 2 (else
     *   {IdentityRegistryAdminThresholdTooLow}).
     * - with no active key set: the caller has the consortium's `ROLE_ADMIN`; otherwise it is an
     *   authority of the active key set and still has `ROLE_AUTHORITY`.
     * - the caller has not approved it yet.
     *
     * Emits a {MotionApproved} event; the one that meets the rule is followed by
     * {KeySetApproved} and {KeySetActivated} and {EpochAdvanced} (first key set), or by
     * {KeySetSuperseded} (if one was scheduled) and {KeySetScheduled}.
     *
     * @param keySetHash The key set's hash.
     */
    function approveKeySet(bytes32 keySetHash) external;

    /**
     * @notice Approves cancelling a proposed or scheduled key set; the `t`-th approval of the
     * active key set's authorities cancels it, so a key set pushed through by others can be
     * stopped before it takes effect.
     *
     * Requirements:
     *
     * - a key set is active; key set `keySetHash` is `Proposed` or `Scheduled`.
     * - the caller is an authority of the active key set, still has `ROLE_AUTHORITY`, and has
     *   not approved this cancellation yet.
     *
     * Emits a {MotionApproved} event, and on the `t`-th a {KeySetCancelled} event.
     *
     * @param keySetHash The key set's hash.
     */
    function cancelKeySet(bytes32 keySetHash) external;

    /**
     * @notice Approves leaving epoch `epoch` now, without waiting for {minEpochDuration}; the
     * `t`-th approval of the active key set's authorities starts the next epoch (activating the
     * scheduled key set if there is one). For compromised credentials or keys.
     *
     * Requirements:
     *
     * - a key set is active and `epoch` is {currentEpoch} (else {IdentityRegistryWrongEpoch}).
     * - the caller is an authority of the active key set, still has `ROLE_AUTHORITY`, and has
     *   not approved leaving this epoch yet.
     *
     * Emits a {MotionApproved} event, and on the `t`-th the events of {advanceEpoch}.
     *
     * @param epoch The current epoch.
     */
    function approveEpochRotation(uint64 epoch) external;

    /**
     * @notice Moves to the next epoch, activating the scheduled key set if it was scheduled at
     * least {minEpochDuration} ago.
     * @dev Tokens of the previous epoch stop being accepted: users show credentials of the new
     * epoch. Costs one ecMul and a contract creation: the epoch's token key (`X, Y_m, Y_e, T`,
     * `X + e·Y_e`) is written as contract code, which tokens read for 2,600 gas.
     *
     * Requirements:
     *
     * - the caller has `ROLE_AUTHORITY`.
     * - a key set is active.
     * - at least {minEpochDuration} seconds have passed since the last epoch change (an earlier
     *   change needs `t` authorities: {approveEpochRotation}).
     *
     * Emits a {KeySetActivated} event if a key set was scheduled, then an {EpochAdvanced} event.
     */
    function advanceEpoch() external;

    /**
     * @notice Verifies `token` for `context` against the active key set and the current epoch,
     * exactly as Rust's `Token::verify` does.
     * @dev Recomputes the three Sigma commitments (8 ecMul, 6 ecAdd), checks the challenge over
     * the transcript of `docs/identity.md` §7.3 (which includes this registry's address), then
     * `e(κ, h')·e(-G1, ν) = 1` (one 2-pair pairing). A scoped token (`context.scope != 0`) also
     * proves `N = m·P_scope` with the same `m`: the registry derives `P_scope` itself
     * ({scopePoint}, about 2 modexp) and recomputes a fourth commitment (2 ecMul, 1 ecAdd). The
     * key (`X, Y_m, Y_e, T`, `X + e·Y_e`) is read from a code-storage contract written at each
     * epoch change. Does not look at the nullifier, the chain id or the caller: see
     * {consumeToken}.
     *
     * Requirements (else reverts with the `Bn254` error):
     *
     * - `κ`, `C1`, `C2` (and `N` when scoped) are non-identity G1 points; `h'` and `ν` are not
     *   the identity.
     * - `c`, `z_m`, `z_r`, `z_k` are below `r`.
     *
     * @param token The token.
     * @param context Its context.
     * @return True iff a key set is active, `token.epoch` is {currentEpoch}, the token's mode is
     * the context's (an unscoped token has `N = (0, 0)`) and the proof and the pairing check hold.
     */
    function verifyToken(Token calldata token, TokenContext calldata context) external view returns (bool);

    /**
     * @notice Verifies and uses up `token`, on behalf of the calling application contract.
     * @dev Records the nullifier (Rust `Token::nullifier`): `keccak256(N.x, N.y)` for a scoped
     * token, so a second token of the same user in the same scope is refused as used, whatever
     * its credential or epoch; `keccak256(κ.x, κ.y)` for an unscoped one. With it
     * `keccak256(C1, C2, epoch)` (one slot), so that only this token's real tag can be traced,
     * by the key set of its epoch. The application must pass `context.sender = msg.sender` (its
     * own caller) and its own choice of `context.scope`; the registry checks the other fields it
     * can know.
     *
     * Requirements:
     *
     * - `context.chainId == block.chainid` and `context.verifyingContract == msg.sender`.
     * - `token.epoch == currentEpoch()` (a key set is active).
     * - the nullifier has not been used, and the token verifies (see {verifyToken}).
     *
     * Emits a {TokenUsed} event.
     *
     * @param token The token.
     * @param context Its context.
     * @return nullifier The token's nullifier.
     */
    function consumeToken(Token calldata token, TokenContext calldata context) external returns (bytes32 nullifier);

    /**
     * @notice The scope point `P_scope` of `scope` for tokens consumed by `verifyingContract` on
     * this registry and chain (Rust `TokenContext::scope_point_evm`): a hash to G1 of
     * `(chainid, registry, verifyingContract, scope)`, so scopes of different contracts never
     * collide. A scoped token's nullifier is `keccak256(m·P_scope)`.
     * @dev Reverts with {IdentityRegistryScopeUnhashable} if no point is found within 5
     * candidates (1 scope in 32), which bounds the gas of every scoped token.
     * @param verifyingContract The consuming contract.
     * @param scope The scope (not 0).
     * @return The point; `(0, 0)` for `scope == 0` (unscoped).
     */
    function scopePoint(address verifyingContract, bytes32 scope) external view returns (Bn254.G1Point memory);

    /**
     * @notice Opens a trace of a used token. Opening needs one authority of the key set that
     * verified the token (only they can complete it); completing it needs `t` valid decryption
     * shares ({submitTraceShare}). One trace per token and reason, so no one can squat a
     * token's trace with a false reason.
     * @param nullifier The token's nullifier.
     * @param c1 Its tracing tag's `C1` (from {TokenUsed}).
     * @param c2 Its tracing tag's `C2`.
     * @param epoch Its epoch (from {TokenUsed}): the trace's shares come from that epoch's key set.
     * @param reason Why (e.g. the hash of a court order); repeated in {Traced}.
     * @return traceId The new trace's id (ids start at 1).
     *
     * Requirements:
     *
     * - the caller has `ROLE_AUTHORITY` and is an authority of the key set of `epoch`.
     * - the token was used and has no trace for `reason` yet; `(c1, c2, epoch)` are its tag and
     *   epoch.
     *
     * Emits a {TraceRequested} event.
     */
    function requestTrace(
        bytes32 nullifier,
        Bn254.G1Point calldata c1,
        Bn254.G1Point calldata c2,
        uint64 epoch,
        bytes32 reason
    ) external returns (uint256 traceId);

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
     * @notice Approves revoking an identity found by a completed trace; the `t`-th approval of
     * the active key set's authorities revokes it and starts the next epoch at once.
     * @dev The epoch change is what makes revocation bite: every credential is for one epoch,
     * authorities issue only for {currentEpoch} and check {isRevoked} first, so from the new
     * epoch on the revoked user can show no token. Only traced commitments can be revoked, so
     * no one is revoked without a threshold trace.
     *
     * Requirements:
     *
     * - a key set is active; `identityCommitment` came out of a completed trace and is not
     *   revoked.
     * - the caller is an authority of the active key set, still has `ROLE_AUTHORITY`, and has
     *   not approved this revocation yet.
     *
     * Emits a {MotionApproved} event; the `t`-th is followed by {IdentityRevoked} and the events
     * of {advanceEpoch}.
     *
     * @param identityCommitment `keccak256(M.x, M.y)` from {Traced}.
     * @param reason Why.
     */
    function revokeIdentity(bytes32 identityCommitment, bytes32 reason) external;

    /// @notice The consortium whose `ROLE_AUTHORITY` members are the authorities.
    function consortium() external view returns (address);

    /// @notice The shortest time between two epoch changes, in seconds.
    function minEpochDuration() external view returns (uint64);

    /// @notice The smallest threshold `t` a key set may have (fixed at deployment, at least 2).
    function minThreshold() external view returns (uint8);

    /// @notice The smallest number of authorities `n` a key set may have (fixed at deployment).
    function minAuthorities() external view returns (uint8);

    /**
     * @notice How many approvals `motion` on `subject` has in the current round, and how many
     * it needs: authorities of the active key set that still hold `ROLE_AUTHORITY`, out of `t`;
     * with no active key set, consortium admins of the current admin epoch, out of
     * `Consortium.threshold()`.
     */
    function motionApprovals(Motion motion, bytes32 subject) external view returns (uint256 approvals, uint256 needed);

    /// @notice The trace opened on token `nullifier` for `reason` (0 if none).
    function traceOf(bytes32 nullifier, bytes32 reason) external view returns (uint256 traceId);

    /// @notice The current epoch (0 until the first key set is active).
    function currentEpoch() external view returns (uint64);

    /// @notice When the epoch last changed (0 before the first key set).
    function lastEpochChange() external view returns (uint64);

    /// @notice The hash of the active key set (0 if none).
    function activeKeySet() external view returns (bytes32);

    /// @notice The hash of the scheduled key set (0 if none); it activates at the first epoch
    /// change at least {minEpochDuration} after it was scheduled.
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

    /// @notice Trace `traceId` (status `None` if unknown).
    function trace(uint256 traceId) external view returns (TraceInfo memory);

    /// @notice The number of traces requested so far, which is also the latest id.
    function traceCount() external view returns (uint256);

    /// @notice The status of `identityCommitment`.
    function identityStatus(bytes32 identityCommitment) external view returns (IdentityStatus);

    /// @notice Whether `identityCommitment` has been revoked.
    function isRevoked(bytes32 identityCommitment) external view returns (bool);
}

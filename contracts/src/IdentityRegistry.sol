// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IConsortium} from "./interfaces/IConsortium.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";
import {Bn254} from "./libraries/Bn254.sol";
import {IdentityVerification} from "./libraries/IdentityVerification.sol";

/**
 * @title IdentityRegistry
 * @notice Anonymous, one-time identity tokens for medshare applications, with threshold tracing
 * and revocation by the consortium's authorities (`docs/identity.md`, "On-chain:
 * IdentityRegistry").
 * @dev The authorities are the {IConsortium} members holding `ROLE_AUTHORITY` (`1 << 3`); the
 * consortium is the only contract called, through its views ({IConsortium-hasRole},
 * {IConsortium-threshold}, {IConsortium-adminEpoch}; `STATICCALL`s, so no reentrancy), always
 * after the checks and before no state change it could observe.
 *
 * An application contract gates an action on an anonymous credential like this:
 *
 * ```solidity
 * function requestAccess(bytes32 recordId, IIdentityRegistry.Token calldata token) external {
 *     IIdentityRegistry.TokenContext memory ctx = IIdentityRegistry.TokenContext({
 *         chainId: block.chainid, verifyingContract: address(this),
 *         action: keccak256("medshare.request-access"), sender: msg.sender, nonce: recordId,
 *         scope: keccak256(abi.encode(recordId)) // one request per user and record; 0: no limit
 *     });
 *     bytes32 nullifier = registry.consumeToken(token, ctx); // reverts unless valid and fresh
 *     ...
 * }
 * ```
 *
 * Design choices:
 *
 * - No single party holds power. A key set needs the confirmation of every authority it lists
 *   (each holds its shares and checked the key set against its own DKG view) and an approval:
 *   by the consortium's admin threshold for the first key set, by `t` authorities of the
 *   active key set for every later one; `t` and `n` are at least the deployment's
 *   {minThreshold} and {minAuthorities}. Cancelling a key set, an early epoch change and a
 *   revocation also need `t` authorities of the active key set ({Motion}). Approvals are
 *   counted per round: a round is keyed by the active key set (or, for the first key set, the
 *   consortium's admin epoch), so approvals lapse when the approvers change.
 * - The tracing key shares `T_i` are checked on chain to interpolate to `T`; the issuing key
 *   shares are checked off chain by the confirming authorities. Only what the contract uses is
 *   stored (`X, Y_m, Y_e, T`, `t`, and per authority its account and `T_i`); the rest is in the
 *   {KeySetProposed} event, whose content the stored hash commits to.
 * - Epoch 0 means "no key set". The first key set to take effect starts epoch 1; a later one
 *   is scheduled and activates at the first epoch change at least {minEpochDuration} later: a
 *   window in which `t` authorities of the active set can still cancel it. `X + e·Y_e` is
 *   cached per epoch, and so is the epoch's key set id.
 * - A used token's record is one storage slot, `keccak256(C1, C2, epoch)`: it binds the tag
 *   that was verified and, through the epoch, the key set whose authorities can trace it.
 *   There is no per-token block: a used nullifier can never be used again anyway, so
 *   revocation works through the epoch (see {revokeIdentity}).
 * - A trace stores no tag: it copies the token's digest and epoch, and every share call takes
 *   `(C1, C2)` in calldata (from {TokenUsed}) and checks `keccak256(C1, C2, epoch)` against that
 *   digest. The digest was computed at {consumeToken} from a tag that
 *   {IdentityVerification-verifyToken} had validated (non-identity points on the curve), so a
 *   matching calldata tag is that tag, as {requestTrace} already relies on. A share reads two
 *   slots of the trace and no tag, and needs no decompression.
 * - Trace shares waiting for the threshold are stored compressed (32 bytes, `x` plus the parity
 *   of `y`) and decompressed with one modexp each; Lagrange denominators are inverted with one
 *   modexp for all shares (no caller-supplied hints). Authority keys `T_i` are stored
 *   uncompressed (two slots), so a share needs no modexp.
 */
contract IdentityRegistry is IIdentityRegistry {
    using Bn254 for Bn254.G1Point;

    /// @notice Role bit of the consortium's admins (`Consortium.ROLE_ADMIN`), who approve the first key set.
    uint256 public constant ROLE_ADMIN = 1 << 0;

    /// @notice Role bit of the authorities in the consortium (`Consortium.ROLE_AUTHORITY`).
    uint256 public constant ROLE_AUTHORITY = 1 << 3;

    /// @notice The largest number of authorities in a key set (bounds every loop; fits the `uint16` masks).
    uint256 public constant MAX_AUTHORITIES = 16;

    /// @dev Size of an encoded {IdentityVerification-TokenKey}: five G1 points.
    uint256 private constant TOKEN_KEY_SIZE = 320;

    /// @dev A key set's authority as stored: its account and `T_i`.
    struct Authority {
        address account;
        Bn254.G1Point tracing;
    }

    /**
     * @dev The epoch state. The first slot is all a token needs: the epoch, the active key set,
     * and the code-storage contract holding its {IdentityVerification-TokenKey}.
     */
    struct EpochState {
        address tokenKey;
        uint64 epoch;
        uint32 activeKeySetId;
        uint64 lastChange;
        uint32 scheduledKeySetId;
        uint64 scheduledAt;
    }

    /**
     * @dev A trace as stored. A share's verification reads two slots: `tagDigest`, the token
     * record's `keccak256(C1, C2, epoch)` against which share calls check the tag they are given,
     * and the last five fields.
     */
    struct TraceData {
        bytes32 nullifier;
        bytes32 reason;
        bytes32 identityCommitment;
        address requester;
        bytes32 tagDigest;
        uint64 epoch;
        uint32 keySetId;
        TraceStatus status;
        uint8 shareCount;
        uint16 shareMask;
    }

    IConsortium private immutable _consortium;
    uint64 private immutable _minEpochDuration;
    uint8 private immutable _minThreshold;
    uint8 private immutable _minAuthorities;

    EpochState private _epochState;
    uint256 private _keySetCount;
    uint256 private _traceCount;

    mapping(uint256 keySetId => KeySetInfo) private _keySets;
    mapping(bytes32 keySetHash => uint256 keySetId) private _keySetIds;
    mapping(uint256 keySetId => Bn254.G1Point[4]) private _groupKeys;
    mapping(uint256 keySetId => mapping(uint256 index => Authority)) private _authorities;
    mapping(uint256 keySetId => mapping(address account => uint8 index)) private _authorityIndex;
    mapping(uint256 epoch => uint32 keySetId) private _epochKeySets;
    /// @dev Authority rounds: bit `i - 1` is set iff authority `i` of the round's key set approved.
    mapping(bytes32 round => uint16 mask) private _approvalMasks;
    /// @dev Consortium-admin rounds (first key set only; keyed by the admin epoch).
    mapping(bytes32 round => mapping(address admin => bool)) private _adminApproved;
    mapping(bytes32 round => uint256 approvals) private _adminApprovals;
    mapping(bytes32 nullifier => TokenRecord) private _tokens;
    /// @dev Keyed by `keccak256(nullifier, reason)`: one trace per token and reason.
    mapping(bytes32 traceKey => uint256 traceId) private _traceIds;
    mapping(uint256 traceId => TraceData) private _traces;
    mapping(uint256 traceId => mapping(uint256 index => uint256 compressedShare)) private _traceShares;
    mapping(bytes32 identityCommitment => IdentityStatus) private _identities;

    /**
     * @notice Deploys the registry for `consortium`.
     * @dev Starts in epoch 0 with no key set. The minimums bind every key set ever proposed, so
     * that no later approval can shrink the authority set below what the consortium deployed.
     *
     * Requirements:
     *
     * - `consortium` is not `address(0)` and `minEpochDuration_` is not 0.
     * - `2 <= minThreshold_ <= minAuthorities_ <= 16`: tracing and issuing always need two
     *   authorities or more.
     *
     * @param consortium_ The consortium whose `ROLE_AUTHORITY` members are the authorities.
     * @param minEpochDuration_ The shortest time between two epoch changes, in seconds.
     * @param minThreshold_ The smallest threshold `t` of a key set.
     * @param minAuthorities_ The smallest number of authorities `n` of a key set.
     */
    constructor(IConsortium consortium_, uint64 minEpochDuration_, uint8 minThreshold_, uint8 minAuthorities_) {
        if (
            address(consortium_) == address(0) || minEpochDuration_ == 0 || minEpochDuration_ > type(uint32).max
                || minThreshold_ < 2 || minThreshold_ > minAuthorities_ || minAuthorities_ > MAX_AUTHORITIES
        ) {
            revert IdentityRegistryInvalidConfiguration();
        }
        _consortium = consortium_;
        _minEpochDuration = minEpochDuration_;
        _minThreshold = minThreshold_;
        _minAuthorities = minAuthorities_;
    }

    /// @dev Restricts a function to consortium members holding {ROLE_AUTHORITY}.
    modifier onlyAuthority() {
        _checkAuthority(msg.sender);
        _;
    }

    /// @inheritdoc IIdentityRegistry
    function proposeKeySet(KeySet calldata keySet_) external onlyAuthority returns (bytes32 keySetHash) {
        uint256 n = keySet_.authorities.length;
        uint256 t = keySet_.threshold;
        if (t < _minThreshold || t > n || n < _minAuthorities || n > MAX_AUTHORITIES) {
            revert IdentityRegistryInvalidThreshold(t, n);
        }
        Bn254.validateNonIdentity(keySet_.x);
        Bn254.validateNonIdentity(keySet_.ym);
        Bn254.validateNonIdentity(keySet_.ye);
        Bn254.validateNonIdentity(keySet_.tracing);
        // Bounded by MAX_AUTHORITIES.
        for (uint256 k = 0; k < n; ++k) {
            _validateAuthorityKey(keySet_.authorities, k);
        }
        _checkTracingShares(keySet_.tracing, keySet_.authorities, t);

        keySetHash = keccak256(abi.encode(keySet_));
        if (_keySetIds[keySetHash] != 0) revert IdentityRegistryKeySetExists(keySetHash);

        uint256 id = ++_keySetCount;
        if (id > type(uint32).max) revert IdentityRegistryInvalidConfiguration();
        _keySetIds[keySetHash] = id;
        _keySets[id] = KeySetInfo({
            keySetHash: keySetHash,
            status: KeySetStatus.Proposed,
            threshold: uint8(t),
            size: uint8(n),
            confirmations: 0,
            activationEpoch: 0,
            proposer: msg.sender
        });
        Bn254.G1Point[4] storage gk = _groupKeys[id];
        (gk[0], gk[1], gk[2], gk[3]) = (keySet_.x, keySet_.ym, keySet_.ye, keySet_.tracing);
        for (uint256 k = 0; k < n; ++k) {
            AuthorityKey calldata a = keySet_.authorities[k];
            _authorities[id][k + 1] = Authority({account: a.account, tracing: a.tracing});
            _authorityIndex[id][a.account] = uint8(k + 1);
        }
        emit KeySetProposed(keySetHash, id, msg.sender, keySet_);
    }

    /// @inheritdoc IIdentityRegistry
    function confirmKeySet(bytes32 keySetHash) external onlyAuthority {
        uint256 id = _keySetIds[keySetHash];
        KeySetInfo storage info = _keySets[id];
        if (id == 0 || info.status != KeySetStatus.Proposed) {
            revert IdentityRegistryKeySetNotProposed(keySetHash, info.status);
        }
        uint256 index = _authorityIndex[id][msg.sender];
        if (index == 0) revert IdentityRegistryUnauthorizedAccount(msg.sender);
        uint16 bit = uint16(1 << (index - 1));
        uint16 mask = info.confirmations;
        if (mask & bit != 0) revert IdentityRegistryAlreadyConfirmed(keySetHash, msg.sender);

        mask |= bit;
        info.confirmations = mask;
        uint256 count = _popcount(mask);
        emit KeySetConfirmed(keySetHash, msg.sender, uint8(index), count);
    }

    /// @inheritdoc IIdentityRegistry
    function approveKeySet(bytes32 keySetHash) external {
        uint256 id = _keySetIds[keySetHash];
        KeySetInfo storage info = _keySets[id];
        if (id == 0 || info.status != KeySetStatus.Proposed) {
            revert IdentityRegistryKeySetNotProposed(keySetHash, info.status);
        }
        // Only a complete key set can be approved, so the approval that meets the rule is the
        // one that makes it take effect: no approval lingers for a later confirmation to use.
        uint16 confirmations = info.confirmations;
        if (_popcount(confirmations) != info.size) {
            revert IdentityRegistryKeySetNotConfirmed(keySetHash, confirmations);
        }
        if (!_approve(Motion.ApproveKeySet, keySetHash)) return;
        emit KeySetApproved(keySetHash);
        _takeEffect(id, info);
    }

    /// @inheritdoc IIdentityRegistry
    function cancelKeySet(bytes32 keySetHash) external {
        uint256 id = _keySetIds[keySetHash];
        KeySetInfo storage info = _keySets[id];
        KeySetStatus status = info.status;
        if (status != KeySetStatus.Proposed && status != KeySetStatus.Scheduled) {
            revert IdentityRegistryKeySetNotPending(keySetHash, status);
        }
        if (_epochState.activeKeySetId == 0) revert IdentityRegistryNoActiveKeySet();
        if (!_approve(Motion.CancelKeySet, keySetHash)) return;
        info.status = KeySetStatus.Cancelled;
        if (status == KeySetStatus.Scheduled) (_epochState.scheduledKeySetId, _epochState.scheduledAt) = (0, 0);
        emit KeySetCancelled(keySetHash);
    }

    /// @inheritdoc IIdentityRegistry
    function approveEpochRotation(uint64 epoch) external {
        EpochState memory state = _epochState;
        if (state.activeKeySetId == 0) revert IdentityRegistryNoActiveKeySet();
        if (epoch != state.epoch) revert IdentityRegistryWrongEpoch(epoch, state.epoch);
        if (_approve(Motion.RotateEpoch, bytes32(uint256(epoch)))) _nextEpoch(state);
    }

    /// @inheritdoc IIdentityRegistry
    function advanceEpoch() external onlyAuthority {
        EpochState memory state = _epochState;
        if (state.activeKeySetId == 0) revert IdentityRegistryNoActiveKeySet();
        uint256 notBefore = uint256(state.lastChange) + _minEpochDuration;
        if (block.timestamp < notBefore) revert IdentityRegistryEpochTooEarly(notBefore);
        _nextEpoch(state);
    }

    /**
     * @dev Enters the epoch after `state.epoch`, activating the scheduled key set if it has
     * waited {minEpochDuration} since it was scheduled (else it stays scheduled): that window
     * lets `t` authorities of the active set cancel a set that others pushed through, even
     * when it is scheduled right before an epoch change.
     *
     * Emits the events of {_startEpoch}.
     */
    function _nextEpoch(EpochState memory state) private {
        uint32 next = state.scheduledKeySetId;
        if (next != 0 && block.timestamp >= uint256(state.scheduledAt) + _minEpochDuration) {
            _keySets[state.activeKeySetId].status = KeySetStatus.Retired;
            state.scheduledKeySetId = 0;
            state.scheduledAt = 0;
        } else {
            next = state.activeKeySetId;
        }
        _startEpoch(state, state.epoch + 1, next);
    }

    /// @inheritdoc IIdentityRegistry
    function verifyToken(Token calldata token, TokenContext calldata context) external view returns (bool) {
        EpochState storage state = _epochState;
        (address tokenKey, uint64 epoch) = (state.tokenKey, state.epoch);
        if (tokenKey == address(0) || token.epoch != epoch) return false;
        return IdentityVerification.verifyToken(token, context, tokenKey);
    }

    /// @inheritdoc IIdentityRegistry
    function consumeToken(Token calldata token, TokenContext calldata context) external returns (bytes32 nullifier) {
        if (context.chainId != block.chainid) revert IdentityRegistryWrongChain(context.chainId, block.chainid);
        if (context.verifyingContract != msg.sender) {
            revert IdentityRegistryWrongVerifier(context.verifyingContract, msg.sender);
        }
        EpochState storage state = _epochState;
        (address tokenKey, uint64 epoch) = (state.tokenKey, state.epoch);
        if (tokenKey == address(0)) revert IdentityRegistryNoActiveKeySet();
        if (token.epoch != epoch) revert IdentityRegistryWrongEpoch(token.epoch, epoch);
        // Scoped: keccak256(N), one per user and scope, so a second token of that user is used.
        nullifier = IdentityVerification.nullifier(token, context);
        if (_tokens[nullifier].tagDigest != 0) revert IdentityRegistryTokenAlreadyUsed(nullifier);
        if (!IdentityVerification.verifyToken(token, context, tokenKey)) {
            revert IdentityRegistryInvalidToken(nullifier);
        }

        _tokens[nullifier] = TokenRecord({tagDigest: _tagDigest(token.c1, token.c2, epoch)});
        emit TokenUsed(nullifier, msg.sender, context.action, epoch, token.c1, token.c2);
    }

    /// @inheritdoc IIdentityRegistry
    function scopePoint(address verifyingContract, bytes32 scope) external view returns (Bn254.G1Point memory) {
        if (scope == 0) return Bn254.G1Point(0, 0);
        (uint256 x, uint256 y) = IdentityVerification.scopePoint(block.chainid, address(this), verifyingContract, scope);
        return Bn254.G1Point(x, y);
    }

    /// @inheritdoc IIdentityRegistry
    function requestTrace(
        bytes32 nullifier,
        Bn254.G1Point calldata c1,
        Bn254.G1Point calldata c2,
        uint64 epoch,
        bytes32 reason
    ) external onlyAuthority returns (uint256 traceId) {
        bytes32 digest = _tokens[nullifier].tagDigest;
        if (digest == 0) revert IdentityRegistryUnknownToken(nullifier);
        // The digest matches only the tag and epoch that were verified with the token, so c1
        // and c2 are valid non-identity points and the epoch names the key set that verified it.
        if (_tagDigest(c1, c2, epoch) != digest) revert IdentityRegistryTagMismatch(nullifier);
        uint32 keySetId = _epochKeySets[epoch];
        // Only the authorities who can complete it may open it: nobody else can squat a reason.
        if (_authorityIndex[keySetId][msg.sender] == 0) revert IdentityRegistryUnauthorizedAccount(msg.sender);
        bytes32 traceKey = keccak256(abi.encode(nullifier, reason));
        uint256 existing = _traceIds[traceKey];
        if (existing != 0) revert IdentityRegistryAlreadyTraced(nullifier, existing);

        traceId = ++_traceCount;
        _traceIds[traceKey] = traceId;
        _traces[traceId] = TraceData({
            nullifier: nullifier,
            reason: reason,
            identityCommitment: bytes32(0),
            requester: msg.sender,
            tagDigest: digest,
            epoch: epoch,
            keySetId: keySetId,
            status: TraceStatus.Pending,
            shareCount: 0,
            shareMask: 0
        });
        emit TraceRequested(traceId, nullifier, msg.sender, reason);
    }

    /// @inheritdoc IIdentityRegistry
    function submitTraceShare(
        uint256 traceId,
        Bn254.G1Point calldata c1,
        Bn254.G1Point calldata c2,
        TraceShare calldata share
    ) external {
        TraceData storage tr = _traces[traceId];
        if (tr.status != TraceStatus.Pending) revert IdentityRegistryTraceNotPending(traceId, tr.status);
        (uint16 mask, uint8 threshold) = _checkTraceShare(tr, traceId, c1, c2, share);

        uint8 count = tr.shareCount + 1;
        tr.shareMask = mask;
        tr.shareCount = count;
        if (count < threshold) {
            _traceShares[traceId][share.index] = Bn254.compress(share.d);
            emit TraceShareSubmitted(traceId, msg.sender, share.index, count);
            return;
        }
        _completeTrace(tr, traceId, mask, share, c2);
    }

    /// @inheritdoc IIdentityRegistry
    function verifyTraceShare(
        uint256 traceId,
        Bn254.G1Point calldata c1,
        Bn254.G1Point calldata c2,
        TraceShare calldata share
    ) external view returns (bool) {
        TraceData storage tr = _traces[traceId];
        // Two slots: the tag digest, and the status, epoch and key set id. An unknown trace has
        // status None.
        if (tr.status == TraceStatus.None || _tagDigest(c1, c2, tr.epoch) != tr.tagDigest) return false;
        // An index outside the key set has T_i = (0, 0) in storage, so its proof cannot hold.
        return IdentityVerification.verifyTraceShare(_authorities[tr.keySetId][share.index].tracing, c1, c2, share);
    }

    /// @inheritdoc IIdentityRegistry
    function revokeIdentity(bytes32 identityCommitment, bytes32 reason) external {
        IdentityStatus status = _identities[identityCommitment];
        if (status == IdentityStatus.Unknown) revert IdentityRegistryUntracedIdentity(identityCommitment);
        if (status == IdentityStatus.Revoked) revert IdentityRegistryAlreadyRevoked(identityCommitment);
        if (_epochState.activeKeySetId == 0) revert IdentityRegistryNoActiveKeySet();
        if (!_approve(Motion.RevokeIdentity, identityCommitment)) return;
        _identities[identityCommitment] = IdentityStatus.Revoked;
        emit IdentityRevoked(identityCommitment, msg.sender, reason);
        // Every credential is for one epoch: a new epoch now leaves the revoked user none.
        _nextEpoch(_epochState);
    }

    /// @inheritdoc IIdentityRegistry
    function consortium() external view returns (address) {
        return address(_consortium);
    }

    /// @inheritdoc IIdentityRegistry
    function minEpochDuration() external view returns (uint64) {
        return _minEpochDuration;
    }

    /// @inheritdoc IIdentityRegistry
    function minThreshold() external view returns (uint8) {
        return _minThreshold;
    }

    /// @inheritdoc IIdentityRegistry
    function minAuthorities() external view returns (uint8) {
        return _minAuthorities;
    }

    /// @inheritdoc IIdentityRegistry
    function motionApprovals(Motion motion, bytes32 subject) external view returns (uint256 approvals, uint256 needed) {
        uint32 active = _epochState.activeKeySetId;
        if (active == 0) {
            bytes32 adminRound = _round(motion, subject, 0, _consortium.adminEpoch());
            return (_adminApprovals[adminRound], _consortium.threshold());
        }
        uint16 mask = _approvalMasks[_round(motion, subject, active, 0)];
        return (_liveApprovals(active, mask), _keySets[active].threshold);
    }

    /// @inheritdoc IIdentityRegistry
    function traceOf(bytes32 nullifier, bytes32 reason) external view returns (uint256 traceId) {
        return _traceIds[keccak256(abi.encode(nullifier, reason))];
    }

    /// @inheritdoc IIdentityRegistry
    function currentEpoch() external view returns (uint64) {
        return _epochState.epoch;
    }

    /// @inheritdoc IIdentityRegistry
    function lastEpochChange() external view returns (uint64) {
        return _epochState.lastChange;
    }

    /// @inheritdoc IIdentityRegistry
    function activeKeySet() external view returns (bytes32) {
        return _keySets[_epochState.activeKeySetId].keySetHash;
    }

    /// @inheritdoc IIdentityRegistry
    function scheduledKeySet() external view returns (bytes32) {
        return _keySets[_epochState.scheduledKeySetId].keySetHash;
    }

    /// @inheritdoc IIdentityRegistry
    function keySet(bytes32 keySetHash) external view returns (KeySetInfo memory) {
        return _keySets[_keySetIds[keySetHash]];
    }

    /// @inheritdoc IIdentityRegistry
    function groupKey(bytes32 keySetHash) external view returns (Bn254.G1Point[4] memory) {
        return _groupKeys[_keySetIds[keySetHash]];
    }

    /// @inheritdoc IIdentityRegistry
    function authorityOf(bytes32 keySetHash, uint8 index)
        external
        view
        returns (address account, Bn254.G1Point memory tracing)
    {
        Authority storage a = _authorities[_keySetIds[keySetHash]][index];
        return (a.account, a.tracing);
    }

    /// @inheritdoc IIdentityRegistry
    function tokenRecord(bytes32 nullifier) external view returns (TokenRecord memory) {
        return _tokens[nullifier];
    }

    /// @inheritdoc IIdentityRegistry
    function isUsed(bytes32 nullifier) external view returns (bool) {
        return _tokens[nullifier].tagDigest != 0;
    }

    /// @inheritdoc IIdentityRegistry
    function trace(uint256 traceId) external view returns (TraceInfo memory) {
        TraceData storage tr = _traces[traceId];
        return TraceInfo({
            nullifier: tr.nullifier,
            epoch: tr.epoch,
            reason: tr.reason,
            requester: tr.requester,
            keySetHash: _keySets[tr.keySetId].keySetHash,
            status: tr.status,
            shareCount: tr.shareCount,
            shareMask: tr.shareMask,
            identityCommitment: tr.identityCommitment
        });
    }

    /// @inheritdoc IIdentityRegistry
    function traceCount() external view returns (uint256) {
        return _traceCount;
    }

    /// @inheritdoc IIdentityRegistry
    function identityStatus(bytes32 identityCommitment) external view returns (IdentityStatus) {
        return _identities[identityCommitment];
    }

    /// @inheritdoc IIdentityRegistry
    function isRevoked(bytes32 identityCommitment) external view returns (bool) {
        return _identities[identityCommitment] == IdentityStatus.Revoked;
    }

    /**
     * @dev Checks a share for pending trace `tr`: the caller is authority `share.index` of the
     * token's key set and still has {ROLE_AUTHORITY}, the index is new, `(c1, c2)` is the
     * token's tag (digest equality, see the contract notes), and the DLEQ proof holds.
     * Returns the share mask including it and the threshold `t`.
     */
    function _checkTraceShare(
        TraceData storage tr,
        uint256 traceId,
        Bn254.G1Point calldata c1,
        Bn254.G1Point calldata c2,
        TraceShare calldata share
    ) private view returns (uint16 mask, uint8 threshold) {
        uint32 keySetId = tr.keySetId;
        uint8 index = share.index;
        KeySetInfo storage info = _keySets[keySetId];
        Authority storage authority = _authorities[keySetId][index];
        if (index == 0 || index > info.size || authority.account != msg.sender) {
            revert IdentityRegistryUnauthorizedAccount(msg.sender);
        }
        _checkAuthority(msg.sender);
        uint16 bit = uint16(1 << (index - 1));
        mask = tr.shareMask;
        if (mask & bit != 0) revert IdentityRegistryDuplicateTraceShare(traceId, index);

        if (_tagDigest(c1, c2, tr.epoch) != tr.tagDigest) revert IdentityRegistryTagMismatch(tr.nullifier);
        if (!IdentityVerification.verifyTraceShare(authority.tracing, c1, c2, share)) {
            revert IdentityRegistryInvalidTraceShare(traceId, index);
        }
        mask |= bit;
        threshold = info.threshold;
    }

    /**
     * @dev Completes trace `tr` with its last share: `M = C2 - Σ λ_i·D_i`, records the identity
     * commitment `keccak256(M.x, M.y)` (Rust `IdentityPoint::commitment`) as traced.
     *
     * Reverts with {IdentityRegistryTracedIdentityElement} if `M = O`.
     *
     * Emits {TraceShareSubmitted}, then {Traced}.
     */
    function _completeTrace(
        TraceData storage tr,
        uint256 traceId,
        uint16 mask,
        TraceShare calldata share,
        Bn254.G1Point memory c2
    ) private {
        uint8 count = tr.shareCount;
        Bn254.G1Point memory m = c2.add(_combineShares(traceId, mask, count, share.index, share.d).neg());
        if (m.isIdentity()) revert IdentityRegistryTracedIdentityElement(traceId);
        bytes32 commitment = keccak256(abi.encode(m));
        bytes32 nullifier = tr.nullifier;
        tr.status = TraceStatus.Completed;
        tr.identityCommitment = commitment;
        if (_identities[commitment] == IdentityStatus.Unknown) _identities[commitment] = IdentityStatus.Traced;
        emit TraceShareSubmitted(traceId, msg.sender, share.index, count);
        emit Traced(traceId, nullifier, commitment, tr.reason);
    }

    /**
     * @dev Enters `epoch` with key set `keySetId` (activating it if it is not the active one):
     * caches `X + epoch·Y_e`, clears the schedule, records the time.
     *
     * Emits {KeySetActivated} on a key set change, then {EpochAdvanced}.
     */
    function _startEpoch(EpochState memory state, uint64 epoch, uint32 keySetId) private {
        KeySetInfo storage info = _keySets[keySetId];
        bool changed = keySetId != state.activeKeySetId;
        if (changed) {
            info.status = KeySetStatus.Active;
            info.activationEpoch = epoch;
        }
        _epochKeySets[epoch] = keySetId;
        _epochState = EpochState({
            tokenKey: _storeTokenKey(keySetId, epoch),
            epoch: epoch,
            activeKeySetId: keySetId,
            lastChange: uint64(block.timestamp),
            scheduledKeySetId: state.scheduledKeySetId,
            scheduledAt: state.scheduledAt
        });
        bytes32 keySetHash = info.keySetHash;
        if (changed) emit KeySetActivated(keySetHash, epoch);
        emit EpochAdvanced(epoch, keySetHash);
    }

    /**
     * @dev Writes the {IdentityVerification-TokenKey} of `epoch` under key set `keySetId`
     * (`X, Y_m, Y_e, T` and `X + epoch·Y_e`, 320 bytes) as the code of a new contract and returns
     * its address ("SSTORE2"). Reading it back costs one `EXTCODECOPY` (2,600 gas cold) instead
     * of ten cold `SLOAD`s (21,000 gas) per token. The code starts with `STOP`, so calling the
     * contract does nothing.
     *
     * Reverts with {IdentityRegistryKeyStorageFailed} if the creation fails.
     */
    function _storeTokenKey(uint256 keySetId, uint64 epoch) private returns (address pointer) {
        Bn254.G1Point[4] storage gk = _groupKeys[keySetId];
        Bn254.G1Point memory x = gk[0];
        Bn254.G1Point memory ye = gk[2];
        bytes memory data = abi.encode(
            IdentityVerification.TokenKey({
                x: x,
                ym: gk[1],
                ye: ye,
                tracing: gk[3],
                base: IdentityVerification.epochBase(x, ye, epoch)
            })
        );
        // PUSH2 size, DUP1, PUSH1 10, RETURNDATASIZE, CODECOPY, RETURNDATASIZE, RETURN: returns
        // the `size` bytes after these 10 bytes of init code, i.e. STOP || data.
        bytes memory init = abi.encodePacked(hex"61", uint16(TOKEN_KEY_SIZE + 1), hex"80600a3d393df3", hex"00", data);
        assembly ("memory-safe") {
            pointer := create(0, add(init, 0x20), mload(init))
        }
        if (pointer == address(0)) revert IdentityRegistryKeyStorageFailed();
    }

    /**
     * @dev `D = Σ λ_i·D_i` over the `count` shares of `mask`: the stored ones and the new share
     * `d` of `newIndex`. Bounded by {MAX_AUTHORITIES}.
     */
    function _combineShares(uint256 traceId, uint16 mask, uint256 count, uint8 newIndex, Bn254.G1Point memory d)
        private
        view
        returns (Bn254.G1Point memory sum)
    {
        uint256[] memory xs = new uint256[](count);
        uint256 k = 0;
        for (uint256 i = 1; i <= MAX_AUTHORITIES; ++i) {
            if (mask & (1 << (i - 1)) != 0) xs[k++] = i;
        }
        uint256[] memory lambdas = IdentityVerification.lagrangeAtZero(xs);
        sum = Bn254.G1Point(0, 0);
        for (uint256 j = 0; j < count; ++j) {
            uint256 index = xs[j];
            Bn254.G1Point memory share =
                index == newIndex ? d : Bn254.decompress(_traceShares[traceId][index]);
            sum = sum.add(share.mul(lambdas[j]));
        }
    }

    /**
     * @dev Reverts unless entry `k` of `authorities` has index `k + 1`, a fresh non-zero account
     * holding {ROLE_AUTHORITY} (distinct from entries `0..k`), and valid non-identity points.
     */
    function _validateAuthorityKey(AuthorityKey[] calldata authorities, uint256 k) private view {
        AuthorityKey calldata a = authorities[k];
        if (a.index != k + 1) revert IdentityRegistryInvalidAuthorityIndex(k, a.index);
        address account = a.account;
        if (account == address(0) || !_isAuthority(account)) revert IdentityRegistryInvalidAuthority(account);
        // Bounded by MAX_AUTHORITIES.
        for (uint256 j = 0; j < k; ++j) {
            if (authorities[j].account == account) revert IdentityRegistryInvalidAuthority(account);
        }
        Bn254.validateNonIdentity(a.x);
        Bn254.validateNonIdentity(a.ym);
        Bn254.validateNonIdentity(a.ye);
        Bn254.validateNonIdentity(a.tracing);
    }

    /// @dev Reverts with {IdentityRegistryUnauthorizedAccount} unless `account` has {ROLE_AUTHORITY}.
    function _checkAuthority(address account) private view {
        if (!_isAuthority(account)) revert IdentityRegistryUnauthorizedAccount(account);
    }

    /// @dev Whether `account` has {ROLE_AUTHORITY} in the consortium.
    function _isAuthority(address account) private view returns (bool) {
        return _consortium.hasRole(account, ROLE_AUTHORITY);
    }

    /// @dev `keccak256(C1.x, C1.y, C2.x, C2.y, epoch)`.
    function _tagDigest(Bn254.G1Point calldata c1, Bn254.G1Point calldata c2, uint64 epoch)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(c1, c2, epoch));
    }

    /**
     * @dev Records the caller's approval of `motion` on `subject` and returns whether the rule
     * is met. With a key set active, the caller must be one of its authorities (still holding
     * {ROLE_AUTHORITY}), and `t` of its authorities that *still* hold the role must have
     * approved: an approval given by an authority that lost its role since no longer counts.
     * With none (only for the first key set), the caller must be a consortium admin and
     * `Consortium.threshold()` admins (at least 2) must have approved within one admin epoch,
     * which every change of the admin set or threshold ends. Every motion's effect changes the
     * state its preconditions check (status, epoch, revocation), so it happens once.
     *
     * Emits a {MotionApproved} event.
     */
    function _approve(Motion motion, bytes32 subject) private returns (bool reached) {
        uint32 active = _epochState.activeKeySetId;
        if (active == 0) return _approveAsAdmin(motion, subject);
        uint8 index = _authorityIndex[active][msg.sender];
        if (index == 0) revert IdentityRegistryUnauthorizedAccount(msg.sender);
        _checkAuthority(msg.sender);
        bytes32 round = _round(motion, subject, active, 0);
        uint16 bit = uint16(1 << (index - 1));
        uint16 mask = _approvalMasks[round];
        if (mask & bit != 0) revert IdentityRegistryAlreadyApproved(motion, subject, msg.sender);
        mask |= bit;
        _approvalMasks[round] = mask;
        uint256 needed = _keySets[active].threshold;
        uint256 approvals = _liveApprovals(active, mask);
        emit MotionApproved(motion, subject, msg.sender, index, approvals, needed);
        return approvals >= needed;
    }

    /// @dev {_approve} for the first key set, by the consortium's admins.
    function _approveAsAdmin(Motion motion, bytes32 subject) private returns (bool reached) {
        if (!_consortium.hasRole(msg.sender, ROLE_ADMIN)) revert IdentityRegistryUnauthorizedAccount(msg.sender);
        uint256 needed = _consortium.threshold();
        // A consortium run by one admin would let one party install the tracing key set.
        if (needed < 2) revert IdentityRegistryAdminThresholdTooLow(needed);
        bytes32 round = _round(motion, subject, 0, _consortium.adminEpoch());
        if (_adminApproved[round][msg.sender]) revert IdentityRegistryAlreadyApproved(motion, subject, msg.sender);
        _adminApproved[round][msg.sender] = true;
        uint256 approvals = ++_adminApprovals[round];
        emit MotionApproved(motion, subject, msg.sender, 0, approvals, needed);
        return approvals >= needed;
    }

    /// @dev How many authorities of key set `keySetId` in `mask` still hold {ROLE_AUTHORITY}.
    function _liveApprovals(uint32 keySetId, uint16 mask) private view returns (uint256 count) {
        // Bounded by MAX_AUTHORITIES.
        for (uint256 i = 1; mask != 0; ++i) {
            if (mask & 1 != 0 && _isAuthority(_authorities[keySetId][i].account)) ++count;
            mask >>= 1;
        }
    }

    /// @dev The approval round of `motion` on `subject` under key set `approvers` (0: the admins of `adminEpoch`).
    function _round(Motion motion, bytes32 subject, uint256 approvers, uint256 adminEpoch)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(motion, subject, approvers, adminEpoch));
    }

    /**
     * @dev Makes the approved key set `id` take effect: the first one starts epoch 1 at once, a
     * later one is scheduled (superseding any scheduled before) for the first epoch change at
     * least {minEpochDuration} from now.
     *
     * Emits {KeySetActivated} and {EpochAdvanced}, or {KeySetSuperseded} and {KeySetScheduled}.
     */
    function _takeEffect(uint256 id, KeySetInfo storage info) private {
        EpochState memory state = _epochState;
        if (state.activeKeySetId == 0) {
            _startEpoch(state, 1, uint32(id));
        } else {
            if (state.scheduledKeySetId != 0) {
                KeySetInfo storage replaced = _keySets[state.scheduledKeySetId];
                replaced.status = KeySetStatus.Superseded;
                emit KeySetSuperseded(replaced.keySetHash, info.keySetHash);
            }
            info.status = KeySetStatus.Scheduled;
            (_epochState.scheduledKeySetId, _epochState.scheduledAt) = (uint32(id), uint64(block.timestamp));
            emit KeySetScheduled(info.keySetHash, uint64(block.timestamp) + _minEpochDuration);
        }
    }

    /**
     * @dev Reverts with {IdentityRegistryInconsistentKeyShares} unless the tracing key shares
     * lie on one polynomial of degree `t - 1` through `T`: interpolating `T_1..T_t` gives `T` at
     * 0 and `T_j` at every `j > t`. The Lagrange coefficients at `j` for the nodes `1..t` are
     * those at 0 for the nodes shifted by `-j`. `(n - t + 1)·t` ecMul, bounded by
     * {MAX_AUTHORITIES}.
     */
    function _checkTracingShares(Bn254.G1Point calldata tracing, AuthorityKey[] calldata authorities, uint256 t)
        private
        view
    {
        uint256 n = authorities.length;
        uint256[] memory nodes = new uint256[](t);
        for (uint256 j = 0; j <= n; j = j == 0 ? t + 1 : j + 1) {
            for (uint256 k = 0; k < t; ++k) {
                nodes[k] = addmod(k + 1, Bn254.R - j, Bn254.R);
            }
            uint256[] memory lambdas = IdentityVerification.lagrangeAtZero(nodes);
            Bn254.G1Point memory sum = Bn254.G1Point(0, 0);
            for (uint256 k = 0; k < t; ++k) {
                sum = sum.add(Bn254.mul(authorities[k].tracing, lambdas[k]));
            }
            Bn254.G1Point memory expected = j == 0 ? tracing : authorities[j - 1].tracing;
            if (!sum.eq(expected)) revert IdentityRegistryInconsistentKeyShares(j);
        }
    }

    /// @dev The number of set bits of `mask`.
    function _popcount(uint16 mask) private pure returns (uint256 count) {
        for (uint256 m = mask; m != 0; m &= m - 1) {
            ++count;
        }
    }
}

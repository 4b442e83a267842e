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
 * consortium is the only contract called (a view, {IConsortium-hasRole}), always after the
 * checks and before no state change it could observe.
 *
 * An application contract gates an action on an anonymous credential like this:
 *
 * ```solidity
 * function requestAccess(bytes32 recordId, IIdentityRegistry.Token calldata token) external {
 *     IIdentityRegistry.TokenContext memory ctx = IIdentityRegistry.TokenContext({
 *         chainId: block.chainid, verifyingContract: address(this),
 *         action: keccak256("medshare.request-access"), sender: msg.sender, nonce: recordId
 *     });
 *     bytes32 nullifier = registry.consumeToken(token, ctx); // reverts unless valid and fresh
 *     ...
 * }
 * ```
 *
 * Design choices:
 *
 * - Key sets are installed by unanimity of their listed authorities, who each check off chain
 *   that the shares interpolate to the group key. Only what the contract uses is stored
 *   (`X, Y_m, Y_e, T`, `t`, and per authority its account and `T_i`); the rest is in the
 *   {KeySetProposed} event, whose content the stored hash commits to.
 * - Epoch 0 means "no key set". The first key set to be fully confirmed starts epoch 1; later
 *   ones wait for the next {advanceEpoch}. `X + e·Y_e` is cached per epoch.
 * - A used token's record is one storage slot: the first 24 bytes of `keccak256(C1, C2)`
 *   (192 bits: a tag of a used token cannot be substituted without a 2^192 second preimage), the
 *   key set id and the blocked flag.
 * - A trace stores no tag: it copies the token record's tag digest into the slot that also
 *   holds its key set id, status and share mask, and every share call takes `(C1, C2)` in
 *   calldata (from {TokenUsed}) and checks `keccak256(C1, C2)` against that digest. The digest
 *   was computed at {consumeToken} from a tag that {IdentityVerification-verifyToken} had
 *   validated (non-identity points on the curve), so a matching calldata tag is that tag, as
 *   {requestTrace} already relies on. A share reads one slot of the trace and no tag, and
 *   needs no decompression.
 * - Trace shares waiting for the threshold are stored compressed (32 bytes, `x` plus the parity
 *   of `y`) and decompressed with one modexp each; Lagrange denominators are inverted with one
 *   modexp for all shares (no caller-supplied hints). Authority keys `T_i` are stored
 *   uncompressed (two slots), so a share needs no modexp.
 */
contract IdentityRegistry is IIdentityRegistry {
    using Bn254 for Bn254.G1Point;

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
    }

    /**
     * @dev A trace as stored. The last five fields fill one slot, the only one a share's
     * verification reads: `tagDigest` is the token record's (first 24 bytes of
     * `keccak256(C1, C2)`), against which share calls check the tag they are given.
     */
    struct TraceData {
        bytes32 nullifier;
        bytes32 reason;
        bytes32 identityCommitment;
        address requester;
        bytes24 tagDigest;
        uint32 keySetId;
        TraceStatus status;
        uint8 shareCount;
        uint16 shareMask;
    }

    IConsortium private immutable _consortium;
    uint64 private immutable _minEpochDuration;

    EpochState private _epochState;
    uint256 private _keySetCount;
    uint256 private _traceCount;

    mapping(uint256 keySetId => KeySetInfo) private _keySets;
    mapping(bytes32 keySetHash => uint256 keySetId) private _keySetIds;
    mapping(uint256 keySetId => Bn254.G1Point[4]) private _groupKeys;
    mapping(uint256 keySetId => mapping(uint256 index => Authority)) private _authorities;
    mapping(bytes32 nullifier => TokenRecord) private _tokens;
    mapping(uint256 traceId => TraceData) private _traces;
    mapping(uint256 traceId => mapping(uint256 index => uint256 compressedShare)) private _traceShares;
    mapping(bytes32 identityCommitment => IdentityStatus) private _identities;

    /**
     * @notice Deploys the registry for `consortium`.
     * @dev Starts in epoch 0 with no key set.
     *
     * Requirements:
     *
     * - `consortium` is not `address(0)` and `minEpochDuration_` is not 0.
     *
     * @param consortium_ The consortium whose `ROLE_AUTHORITY` members are the authorities.
     * @param minEpochDuration_ The shortest time between two epoch changes, in seconds.
     */
    constructor(IConsortium consortium_, uint64 minEpochDuration_) {
        if (address(consortium_) == address(0) || minEpochDuration_ == 0) {
            revert IdentityRegistryInvalidConfiguration();
        }
        _consortium = consortium_;
        _minEpochDuration = minEpochDuration_;
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
        if (t == 0 || t > n || n > MAX_AUTHORITIES) revert IdentityRegistryInvalidThreshold(t, n);
        Bn254.validateNonIdentity(keySet_.x);
        Bn254.validateNonIdentity(keySet_.ym);
        Bn254.validateNonIdentity(keySet_.ye);
        Bn254.validateNonIdentity(keySet_.tracing);
        // Bounded by MAX_AUTHORITIES.
        for (uint256 k = 0; k < n; ++k) {
            _validateAuthorityKey(keySet_.authorities, k);
        }

        keySetHash = keccak256(abi.encode(keySet_));
        if (_keySetIds[keySetHash] != 0) revert IdentityRegistryKeySetExists(keySetHash);

        uint256 id = ++_keySetCount;
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
        uint256 n = info.size;
        uint256 index = 0;
        // Bounded by MAX_AUTHORITIES.
        for (uint256 i = 1; i <= n; ++i) {
            if (_authorities[id][i].account == msg.sender) {
                index = i;
                break;
            }
        }
        if (index == 0) revert IdentityRegistryUnauthorizedAccount(msg.sender);
        uint16 bit = uint16(1 << (index - 1));
        uint16 mask = info.confirmations;
        if (mask & bit != 0) revert IdentityRegistryAlreadyConfirmed(keySetHash, msg.sender);

        mask |= bit;
        info.confirmations = mask;
        uint256 count = _popcount(mask);
        emit KeySetConfirmed(keySetHash, msg.sender, uint8(index), count);
        if (count < n) return;

        EpochState memory state = _epochState;
        if (state.activeKeySetId == 0) {
            // The first key set starts epoch 1 at once.
            _startEpoch(state, 1, uint32(id));
        } else {
            if (state.scheduledKeySetId != 0) _keySets[state.scheduledKeySetId].status = KeySetStatus.Superseded;
            info.status = KeySetStatus.Scheduled;
            _epochState.scheduledKeySetId = uint32(id);
            emit KeySetScheduled(keySetHash, state.epoch + 1);
        }
    }

    /// @inheritdoc IIdentityRegistry
    function advanceEpoch() external onlyAuthority {
        EpochState memory state = _epochState;
        if (state.activeKeySetId == 0) revert IdentityRegistryNoActiveKeySet();
        uint256 notBefore = uint256(state.lastChange) + _minEpochDuration;
        if (block.timestamp < notBefore) revert IdentityRegistryEpochTooEarly(notBefore);
        uint32 next = state.scheduledKeySetId;
        if (next != 0) {
            _keySets[state.activeKeySetId].status = KeySetStatus.Retired;
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
        return IdentityVerification.verifyToken(token, context, _loadTokenKey(tokenKey));
    }

    /// @inheritdoc IIdentityRegistry
    function consumeToken(Token calldata token, TokenContext calldata context) external returns (bytes32 nullifier) {
        if (context.chainId != block.chainid) revert IdentityRegistryWrongChain(context.chainId, block.chainid);
        if (context.verifyingContract != msg.sender) {
            revert IdentityRegistryWrongVerifier(context.verifyingContract, msg.sender);
        }
        EpochState storage state = _epochState;
        (address tokenKey, uint64 epoch, uint32 keySetId) = (state.tokenKey, state.epoch, state.activeKeySetId);
        if (tokenKey == address(0)) revert IdentityRegistryNoActiveKeySet();
        if (token.epoch != epoch) revert IdentityRegistryWrongEpoch(token.epoch, epoch);
        nullifier = keccak256(abi.encode(token.kappa));
        TokenRecord storage record = _tokens[nullifier];
        if (record.blocked) revert IdentityRegistryTokenBlocked(nullifier);
        if (record.keySetId != 0) revert IdentityRegistryTokenAlreadyUsed(nullifier);
        if (!IdentityVerification.verifyToken(token, context, _loadTokenKey(tokenKey))) {
            revert IdentityRegistryInvalidToken(nullifier);
        }

        _tokens[nullifier] =
            TokenRecord({tagDigest: _tagDigest(token.c1, token.c2), keySetId: keySetId, blocked: false});
        emit TokenUsed(nullifier, msg.sender, context.action, epoch, token.c1, token.c2);
    }

    /// @inheritdoc IIdentityRegistry
    function requestTrace(bytes32 nullifier, Bn254.G1Point calldata c1, Bn254.G1Point calldata c2, bytes32 reason)
        external
        onlyAuthority
        returns (uint256 traceId)
    {
        TokenRecord memory record = _tokens[nullifier];
        if (record.keySetId == 0) revert IdentityRegistryUnknownToken(nullifier);
        if (record.blocked) revert IdentityRegistryTokenBlocked(nullifier);
        // The digest matches only the tag that was verified with the token, so c1 and c2 are
        // valid non-identity points.
        if (_tagDigest(c1, c2) != record.tagDigest) revert IdentityRegistryTagMismatch(nullifier);

        traceId = ++_traceCount;
        _traces[traceId] = TraceData({
            nullifier: nullifier,
            reason: reason,
            identityCommitment: bytes32(0),
            requester: msg.sender,
            tagDigest: record.tagDigest,
            keySetId: record.keySetId,
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
        // One slot: status, key set id and tag digest. An unknown trace has status None.
        if (tr.status == TraceStatus.None || _tagDigest(c1, c2) != tr.tagDigest) return false;
        // An index outside the key set has T_i = (0, 0) in storage, so its proof cannot hold.
        return IdentityVerification.verifyTraceShare(_authorities[tr.keySetId][share.index].tracing, c1, c2, share);
    }

    /// @inheritdoc IIdentityRegistry
    function revokeIdentity(bytes32 identityCommitment, bytes32 reason) external onlyAuthority {
        IdentityStatus status = _identities[identityCommitment];
        if (status == IdentityStatus.Unknown) revert IdentityRegistryUntracedIdentity(identityCommitment);
        if (status == IdentityStatus.Revoked) revert IdentityRegistryAlreadyRevoked(identityCommitment);
        _identities[identityCommitment] = IdentityStatus.Revoked;
        emit IdentityRevoked(identityCommitment, msg.sender, reason);
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
        return _tokens[nullifier].keySetId != 0;
    }

    /// @inheritdoc IIdentityRegistry
    function isBlocked(bytes32 nullifier) external view returns (bool) {
        return _tokens[nullifier].blocked;
    }

    /// @inheritdoc IIdentityRegistry
    function trace(uint256 traceId) external view returns (TraceInfo memory) {
        TraceData storage tr = _traces[traceId];
        return TraceInfo({
            nullifier: tr.nullifier,
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

        if (_tagDigest(c1, c2) != tr.tagDigest) revert IdentityRegistryTagMismatch(tr.nullifier);
        if (!IdentityVerification.verifyTraceShare(authority.tracing, c1, c2, share)) {
            revert IdentityRegistryInvalidTraceShare(traceId, index);
        }
        mask |= bit;
        threshold = info.threshold;
    }

    /**
     * @dev Completes trace `tr` with its last share: `M = C2 - Σ λ_i·D_i`, records the identity
     * commitment `keccak256(M.x, M.y)` (Rust `IdentityPoint::commitment`) as traced, blocks the
     * token.
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
        bytes32 commitment = keccak256(abi.encode(m));
        bytes32 nullifier = tr.nullifier;
        tr.status = TraceStatus.Completed;
        tr.identityCommitment = commitment;
        _tokens[nullifier].blocked = true;
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
        _epochState = EpochState({
            tokenKey: _storeTokenKey(keySetId, epoch),
            epoch: epoch,
            activeKeySetId: keySetId,
            lastChange: uint64(block.timestamp),
            scheduledKeySetId: 0
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

    /// @dev Reads the {IdentityVerification-TokenKey} stored by {_storeTokenKey} at `pointer`.
    function _loadTokenKey(address pointer) private view returns (IdentityVerification.TokenKey memory) {
        bytes memory data = new bytes(TOKEN_KEY_SIZE);
        assembly ("memory-safe") {
            // Skip the leading STOP byte.
            extcodecopy(pointer, add(data, 0x20), 1, TOKEN_KEY_SIZE)
        }
        return abi.decode(data, (IdentityVerification.TokenKey));
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

    /// @dev The first 24 bytes of `keccak256(C1.x, C1.y, C2.x, C2.y)`.
    function _tagDigest(Bn254.G1Point calldata c1, Bn254.G1Point calldata c2) private pure returns (bytes24) {
        return bytes24(keccak256(abi.encode(c1, c2)));
    }

    /// @dev The number of set bits of `mask`.
    function _popcount(uint16 mask) private pure returns (uint256 count) {
        for (uint256 m = mask; m != 0; m &= m - 1) {
            ++count;
        }
    }
}

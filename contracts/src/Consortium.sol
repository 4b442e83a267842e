// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IConsortium} from "./interfaces/IConsortium.sol";

/**
 * @title Consortium
 * @notice The membership registry of the medshare consortium, governed by k-of-n admin approval.
 * @dev Deployed once per network by a bootstrap account that names the first admins and the
 * threshold k. From then on the deployer has no special power: every change is a proposal that
 * `k` current admins approve. Roles are bits of a `uint256`:
 *
 * ```solidity
 * // In a contract that gates on membership (1 << 1 is ROLE_HOSPITAL):
 * if (!consortium.hasRole(msg.sender, 1 << 1)) revert NotAHospital(msg.sender);
 * ```
 *
 * A typical change, with k = 2:
 *
 * ```solidity
 * uint256 id = consortium.propose(IConsortium.Action.AddMember, lab, ROLE_RESEARCH, "City Lab"); // admin A
 * consortium.approve(id); // admin B: reaches k, executes, emits MemberAdded
 * ```
 *
 * Safety rules:
 *
 * - Proposals are checked when created and re-checked when executed.
 * - Every change of the admin set or of the threshold increments {adminEpoch}, which makes all
 *   pending proposals stale: approvals collected from a different admin set never add up.
 * - Proposals expire after {PROPOSAL_TTL}.
 * - The admin count never drops below the threshold, and the threshold is never 0.
 *
 * The contract makes no external calls.
 */
contract Consortium is IConsortium {
    /// @notice Role bit of the admins, who propose and approve changes.
    uint256 public constant ROLE_ADMIN = 1 << 0;
    /// @notice Role bit of hospitals (data holders).
    uint256 public constant ROLE_HOSPITAL = 1 << 1;
    /// @notice Role bit of research centres (data requesters).
    uint256 public constant ROLE_RESEARCH = 1 << 2;
    /// @notice Role bit of the regulator / tracing authority.
    uint256 public constant ROLE_AUTHORITY = 1 << 3;
    /// @notice Role bit of re-encryption proxies.
    uint256 public constant ROLE_PROXY = 1 << 4;
    /// @notice The union of all role bits; valid role masks are non-zero subsets of it.
    uint256 public constant ALL_ROLES = 0x1f;
    /// @notice How long a proposal can gather approvals.
    uint256 public constant PROPOSAL_TTL = 7 days;
    /// @notice The largest admin list the constructor accepts (bounds its loop).
    uint256 public constant MAX_INITIAL_ADMINS = 64;

    mapping(address account => Member) private _members;
    mapping(uint256 proposalId => Proposal) private _proposals;
    mapping(uint256 proposalId => mapping(address admin => bool)) private _approvals;

    uint256 private _threshold;
    uint256 private _adminCount;
    uint256 private _memberCount;
    uint256 private _proposalCount;
    uint64 private _adminEpoch;

    /**
     * @notice Bootstraps the consortium with its first admins and threshold.
     * @dev Each initial admin becomes a member with roles {ROLE_ADMIN} only. {adminEpoch} starts
     * at 0.
     *
     * Requirements:
     *
     * - `initialAdmins` is non-empty, at most {MAX_INITIAL_ADMINS} long, and as long as `names`.
     * - no admin is `address(0)`, and there are no duplicates.
     * - `1 <= initialThreshold <= initialAdmins.length`.
     *
     * Emits a {MemberAdded} event per admin, then a {ThresholdChanged} event from 0.
     *
     * @param initialAdmins The first admins.
     * @param names The institution label of each admin, in the same order.
     * @param initialThreshold The number of admin approvals a proposal needs.
     */
    constructor(address[] memory initialAdmins, bytes32[] memory names, uint256 initialThreshold) {
        uint256 n = initialAdmins.length;
        if (n == 0 || n > MAX_INITIAL_ADMINS || n != names.length) revert ConsortiumInvalidBootstrap();

        // Bounded by MAX_INITIAL_ADMINS, and the list comes from the deployer, not from users.
        for (uint256 i = 0; i < n; ++i) {
            address account = initialAdmins[i];
            if (account == address(0)) revert ConsortiumInvalidAccount(address(0));
            if (_members[account].roles != 0) revert ConsortiumAlreadyMember(account);
            _addMember(account, ROLE_ADMIN, names[i]);
        }

        if (initialThreshold == 0 || initialThreshold > n) revert ConsortiumInvalidThreshold(initialThreshold, n);
        _threshold = initialThreshold;
        emit ThresholdChanged(0, initialThreshold);
    }

    /// @dev Restricts a function to members holding {ROLE_ADMIN}.
    modifier onlyAdmin() {
        _checkAdmin(msg.sender);
        _;
    }

    /// @inheritdoc IConsortium
    function propose(Action action, address account, uint256 value, bytes32 name)
        external
        onlyAdmin
        returns (uint256 proposalId)
    {
        _validate(action, account, value);

        proposalId = ++_proposalCount;
        _proposals[proposalId] = Proposal({
            action: action,
            account: account,
            value: value,
            proposer: msg.sender,
            createdAt: uint64(block.timestamp),
            adminEpoch: _adminEpoch,
            approvals: 1,
            status: ProposalStatus.Pending,
            name: name
        });
        _approvals[proposalId][msg.sender] = true;
        emit ProposalCreated(proposalId, msg.sender, action, account, value, name);
        emit ProposalApproved(proposalId, msg.sender, 1);

        // The proposer's approval alone suffices when the threshold is 1.
        if (_threshold == 1) _execute(proposalId);
    }

    /// @inheritdoc IConsortium
    function approve(uint256 proposalId) external onlyAdmin {
        Proposal storage p = _pendingProposal(proposalId);
        if (p.adminEpoch != _adminEpoch) revert ConsortiumProposalStale(proposalId);
        if (_isExpired(p)) revert ConsortiumProposalExpired(proposalId);
        if (_approvals[proposalId][msg.sender]) revert ConsortiumAlreadyApproved(proposalId, msg.sender);

        _approvals[proposalId][msg.sender] = true;
        uint32 approvals = ++p.approvals;
        emit ProposalApproved(proposalId, msg.sender, approvals);

        if (approvals >= _threshold) _execute(proposalId);
    }

    /// @inheritdoc IConsortium
    function cancel(uint256 proposalId) external {
        Proposal storage p = _pendingProposal(proposalId);
        if (msg.sender != p.proposer) {
            bool abandoned = p.adminEpoch != _adminEpoch || _isExpired(p);
            if (!abandoned || !_isAdmin(msg.sender)) revert ConsortiumUnauthorizedAccount(msg.sender);
        }

        p.status = ProposalStatus.Cancelled;
        emit ProposalCancelled(proposalId, msg.sender);
    }

    /// @inheritdoc IConsortium
    function isMember(address account) external view returns (bool) {
        return _members[account].roles != 0;
    }

    /// @inheritdoc IConsortium
    function hasRole(address account, uint256 role) external view returns (bool) {
        return role != 0 && _members[account].roles & role == role;
    }

    /// @inheritdoc IConsortium
    function rolesOf(address account) external view returns (uint256) {
        return _members[account].roles;
    }

    /// @inheritdoc IConsortium
    function memberOf(address account) external view returns (Member memory) {
        return _members[account];
    }

    /// @inheritdoc IConsortium
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @inheritdoc IConsortium
    function adminCount() external view returns (uint256) {
        return _adminCount;
    }

    /// @inheritdoc IConsortium
    function memberCount() external view returns (uint256) {
        return _memberCount;
    }

    /// @inheritdoc IConsortium
    function adminEpoch() external view returns (uint64) {
        return _adminEpoch;
    }

    /// @inheritdoc IConsortium
    function proposal(uint256 proposalId) external view returns (Proposal memory) {
        return _proposals[proposalId];
    }

    /// @inheritdoc IConsortium
    function hasApproved(uint256 proposalId, address admin) external view returns (bool) {
        return _approvals[proposalId][admin];
    }

    /// @inheritdoc IConsortium
    function proposalCount() external view returns (uint256) {
        return _proposalCount;
    }

    /**
     * @dev Re-checks and applies pending proposal `proposalId`, which has just reached the
     * threshold. Reverts with the specific error if the action is no longer valid.
     *
     * Emits a {ProposalExecuted} event followed by the effect event.
     */
    function _execute(uint256 proposalId) private {
        Proposal storage p = _proposals[proposalId];
        (Action action, address account, uint256 value) = (p.action, p.account, p.value);
        _validate(action, account, value);

        p.status = ProposalStatus.Executed;
        emit ProposalExecuted(proposalId);

        if (action == Action.AddMember) {
            _addMember(account, value, p.name);
            if (value & ROLE_ADMIN != 0) _bumpAdminEpoch();
        } else if (action == Action.RemoveMember) {
            uint256 roles = _members[account].roles;
            delete _members[account];
            --_memberCount;
            if (roles & ROLE_ADMIN != 0) {
                --_adminCount;
                _bumpAdminEpoch();
            }
            emit MemberRemoved(account, roles);
        } else if (action == Action.SetRoles) {
            uint256 oldRoles = _members[account].roles;
            _members[account].roles = value;
            bool wasAdmin = oldRoles & ROLE_ADMIN != 0;
            bool isAdmin = value & ROLE_ADMIN != 0;
            if (wasAdmin != isAdmin) {
                if (isAdmin) ++_adminCount;
                else --_adminCount;
                _bumpAdminEpoch();
            }
            emit RolesChanged(account, oldRoles, value);
        } else {
            uint256 oldThreshold = _threshold;
            _threshold = value;
            if (oldThreshold != value) _bumpAdminEpoch();
            emit ThresholdChanged(oldThreshold, value);
        }
    }

    /**
     * @dev Reverts unless `action` on `account` with `value` can be applied to the current state.
     * Used both by {propose} (eagerly) and by {_execute} (the state may have changed since).
     */
    function _validate(Action action, address account, uint256 value) private view {
        if (action == Action.AddMember) {
            if (account == address(0)) revert ConsortiumInvalidAccount(address(0));
            if (_members[account].roles != 0) revert ConsortiumAlreadyMember(account);
            _checkRoles(value);
        } else if (action == Action.RemoveMember) {
            uint256 roles = _members[account].roles;
            if (roles == 0) revert ConsortiumNotMember(account);
            if (value != 0) revert ConsortiumInvalidRoles(value);
            if (roles & ROLE_ADMIN != 0) _checkAdminRemovable();
        } else if (action == Action.SetRoles) {
            uint256 roles = _members[account].roles;
            if (roles == 0) revert ConsortiumNotMember(account);
            _checkRoles(value);
            if (roles & ROLE_ADMIN != 0 && value & ROLE_ADMIN == 0) _checkAdminRemovable();
        } else {
            if (account != address(0)) revert ConsortiumInvalidAccount(account);
            if (value == 0 || value > _adminCount) revert ConsortiumInvalidThreshold(value, _adminCount);
        }
    }

    /// @dev Reverts unless the admin set can lose one admin and still meet the threshold.
    function _checkAdminRemovable() private view {
        // Cannot underflow: the caller found an admin, so _adminCount >= 1.
        uint256 newAdminCount = _adminCount - 1;
        // _threshold >= 1, so this also keeps at least one admin.
        if (newAdminCount < _threshold) revert ConsortiumInvalidThreshold(_threshold, newAdminCount);
    }

    /// @dev Reverts with {ConsortiumInvalidRoles} unless `roles` is a non-zero subset of {ALL_ROLES}.
    function _checkRoles(uint256 roles) private pure {
        if (roles == 0 || roles & ~ALL_ROLES != 0) revert ConsortiumInvalidRoles(roles);
    }

    /// @dev Reverts with {ConsortiumUnauthorizedAccount} unless `account` has {ROLE_ADMIN}.
    function _checkAdmin(address account) private view {
        if (!_isAdmin(account)) revert ConsortiumUnauthorizedAccount(account);
    }

    /// @dev Adds `account` (checked by the caller) and emits {MemberAdded}.
    function _addMember(address account, uint256 roles, bytes32 name) private {
        _members[account] = Member({roles: roles, name: name, joinedAt: uint64(block.timestamp)});
        ++_memberCount;
        if (roles & ROLE_ADMIN != 0) ++_adminCount;
        emit MemberAdded(account, roles, name);
    }

    /// @dev Moves to a new admin epoch, making every pending proposal stale.
    function _bumpAdminEpoch() private {
        ++_adminEpoch;
    }

    /**
     * @dev Returns pending proposal `proposalId`, or reverts with {ConsortiumUnknownProposal} or
     * {ConsortiumProposalNotPending}.
     */
    function _pendingProposal(uint256 proposalId) private view returns (Proposal storage p) {
        p = _proposals[proposalId];
        ProposalStatus status = p.status;
        if (status == ProposalStatus.None) revert ConsortiumUnknownProposal(proposalId);
        if (status != ProposalStatus.Pending) revert ConsortiumProposalNotPending(proposalId, status);
    }

    /// @dev Whether `account` has {ROLE_ADMIN}.
    function _isAdmin(address account) private view returns (bool) {
        return _members[account].roles & ROLE_ADMIN != 0;
    }

    /// @dev Whether `p` is older than {PROPOSAL_TTL}.
    function _isExpired(Proposal storage p) private view returns (bool) {
        return block.timestamp > p.createdAt + PROPOSAL_TTL;
    }
}

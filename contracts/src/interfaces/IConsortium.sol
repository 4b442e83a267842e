// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title IConsortium
 * @notice The membership registry of the medshare consortium: hospitals, research centres, the
 * regulator and re-encryption proxies, each with a bitmask of roles.
 * @dev Membership, roles and the approval threshold change only through proposals approved by
 * `threshold` of the current admins (see {propose}, {approve}, {cancel}). Other medshare
 * contracts consult {isMember}, {hasRole} and {rolesOf}.
 *
 * Roles (bits of a `uint256`): {ROLE_ADMIN} `1 << 0`, {ROLE_HOSPITAL} `1 << 1`,
 * {ROLE_RESEARCH} `1 << 2`, {ROLE_AUTHORITY} `1 << 3`, {ROLE_PROXY} `1 << 4`. A valid role
 * mask is a non-zero subset of {ALL_ROLES}; an account is a member iff its roles are non-zero.
 */
interface IConsortium {
    /// @dev A consortium member. `roles` is non-zero for every member.
    struct Member {
        /// @dev Bitmask of `ROLE_*` values.
        uint256 roles;
        /// @dev Short institution label, e.g. `bytes32("St Mary Hospital")`.
        bytes32 name;
        /// @dev `block.timestamp` at which the member was added.
        uint64 joinedAt;
    }

    /// @dev The change a proposal makes when executed.
    enum Action {
        /// @dev Add `account` with roles `value` and label `name`.
        AddMember,
        /// @dev Remove member `account`; `value` must be 0.
        RemoveMember,
        /// @dev Replace the roles of member `account` with `value`.
        SetRoles,
        /// @dev Set the approval threshold to `value`; `account` must be `address(0)`.
        SetThreshold
    }

    /// @dev Lifecycle of a proposal. `None` means the id was never used.
    enum ProposalStatus {
        None,
        Pending,
        Executed,
        Cancelled
    }

    /// @dev A proposed change, see {Action} for how `account`, `value` and `name` are used.
    struct Proposal {
        Action action;
        address account;
        uint256 value;
        address proposer;
        /// @dev `block.timestamp` at creation; the proposal expires {PROPOSAL_TTL} later.
        uint64 createdAt;
        /// @dev {adminEpoch} at creation; the proposal is stale once the epoch moves on.
        uint64 adminEpoch;
        uint32 approvals;
        ProposalStatus status;
        /// @dev Institution label for `AddMember`; ignored by the other actions.
        bytes32 name;
    }

    /**
     * @dev The constructor's admin list is empty, longer than {MAX_INITIAL_ADMINS}, or its
     * length differs from the names list.
     */
    error ConsortiumInvalidBootstrap();

    /// @dev `account` is not acceptable here (zero address, or non-zero for `SetThreshold`).
    error ConsortiumInvalidAccount(address account);

    /// @dev `account` is already a member.
    error ConsortiumAlreadyMember(address account);

    /// @dev `account` is not a member.
    error ConsortiumNotMember(address account);

    /// @dev `roles` is not a non-zero subset of {ALL_ROLES} (or is non-zero for `RemoveMember`).
    error ConsortiumInvalidRoles(uint256 roles);

    /**
     * @dev `threshold` is not within `1..=adminCount`. Raised for a bad `SetThreshold` value, a
     * bad constructor threshold, and for a removal or role change that would leave `adminCount`
     * admins, fewer than the current `threshold`.
     */
    error ConsortiumInvalidThreshold(uint256 threshold, uint256 adminCount);

    /// @dev `account` may not perform this operation.
    error ConsortiumUnauthorizedAccount(address account);

    /// @dev No proposal has id `proposalId`.
    error ConsortiumUnknownProposal(uint256 proposalId);

    /// @dev Proposal `proposalId` is `status`, not `Pending`.
    error ConsortiumProposalNotPending(uint256 proposalId, ProposalStatus status);

    /// @dev The admin set or the threshold changed since proposal `proposalId` was created.
    error ConsortiumProposalStale(uint256 proposalId);

    /// @dev Proposal `proposalId` is older than {PROPOSAL_TTL}.
    error ConsortiumProposalExpired(uint256 proposalId);

    /// @dev `admin` has already approved proposal `proposalId`.
    error ConsortiumAlreadyApproved(uint256 proposalId, address admin);

    /// @dev `account` joined the consortium with `roles` under the label `name`.
    event MemberAdded(address indexed account, uint256 roles, bytes32 name);

    /// @dev `account`, which held `roles`, left the consortium.
    event MemberRemoved(address indexed account, uint256 roles);

    /// @dev The roles of `account` changed from `oldRoles` to `newRoles`.
    event RolesChanged(address indexed account, uint256 oldRoles, uint256 newRoles);

    /// @dev The approval threshold changed from `oldThreshold` to `newThreshold` (0 at deployment).
    event ThresholdChanged(uint256 oldThreshold, uint256 newThreshold);

    /// @dev `proposer` created proposal `proposalId` to apply `action` to `account` with `value` and `name`.
    event ProposalCreated(
        uint256 indexed proposalId,
        address indexed proposer,
        Action action,
        address indexed account,
        uint256 value,
        bytes32 name
    );

    /// @dev `admin` approved proposal `proposalId`, which now has `approvals` approvals.
    event ProposalApproved(uint256 indexed proposalId, address indexed admin, uint32 approvals);

    /// @dev Proposal `proposalId` was executed; the effect event follows.
    event ProposalExecuted(uint256 indexed proposalId);

    /// @dev Proposal `proposalId` was cancelled by `by`.
    event ProposalCancelled(uint256 indexed proposalId, address indexed by);

    /// @notice Role bit of the admins, who propose and approve changes.
    function ROLE_ADMIN() external view returns (uint256);

    /// @notice Role bit of hospitals (data holders).
    function ROLE_HOSPITAL() external view returns (uint256);

    /// @notice Role bit of research centres (data requesters).
    function ROLE_RESEARCH() external view returns (uint256);

    /// @notice Role bit of the regulator / tracing authority.
    function ROLE_AUTHORITY() external view returns (uint256);

    /// @notice Role bit of re-encryption proxies.
    function ROLE_PROXY() external view returns (uint256);

    /// @notice The union of all role bits; valid role masks are non-zero subsets of it.
    function ALL_ROLES() external view returns (uint256);

    /// @notice How long a proposal can gather approvals (7 days).
    function PROPOSAL_TTL() external view returns (uint256);

    /// @notice The largest admin list the constructor accepts (64).
    function MAX_INITIAL_ADMINS() external view returns (uint256);

    /**
     * @notice Proposes a change to the consortium and approves it as the caller.
     * @dev The action is validated now with the same checks as at execution. The caller's
     * approval is counted, and if that reaches {threshold} the proposal executes at once.
     *
     * Requirements:
     *
     * - the caller must have {ROLE_ADMIN}.
     * - `AddMember`: `account` is non-zero and not a member; `value` is a valid role mask.
     * - `RemoveMember`: `account` is a member; `value` is 0.
     * - `SetRoles`: `account` is a member; `value` is a valid role mask.
     * - `SetThreshold`: `account` is `address(0)`; `1 <= value <= adminCount()`.
     * - a removal or role change must leave at least {threshold} (and at least one) admins.
     *
     * Emits a {ProposalCreated} event, then a {ProposalApproved} event, and on immediate
     * execution a {ProposalExecuted} event followed by the effect event.
     *
     * @param action The kind of change.
     * @param account The member concerned (`address(0)` for `SetThreshold`).
     * @param value Roles (`AddMember`, `SetRoles`), threshold (`SetThreshold`) or 0 (`RemoveMember`).
     * @param name Institution label for `AddMember`; ignored by the other actions.
     * @return proposalId The new proposal's id (ids start at 1).
     */
    function propose(Action action, address account, uint256 value, bytes32 name)
        external
        returns (uint256 proposalId);

    /**
     * @notice Approves a pending proposal, executing it once it has {threshold} approvals.
     * @dev Execution re-checks the action against the current state. If that re-check fails,
     * the whole call reverts with the specific error (e.g. {ConsortiumAlreadyMember}) and the
     * approval is not recorded; the proposal can then only be cancelled or left to expire.
     *
     * Requirements:
     *
     * - the caller must have {ROLE_ADMIN}.
     * - proposal `proposalId` must exist and be `Pending`.
     * - the proposal must not be stale (created under the current {adminEpoch}).
     * - the proposal must not be older than {PROPOSAL_TTL}.
     * - the caller must not have approved it yet.
     *
     * Emits a {ProposalApproved} event, and on execution a {ProposalExecuted} event followed by
     * a {MemberAdded}, {MemberRemoved}, {RolesChanged} or {ThresholdChanged} event.
     *
     * @param proposalId The proposal to approve.
     */
    function approve(uint256 proposalId) external;

    /**
     * @notice Cancels a pending proposal.
     *
     * Requirements:
     *
     * - proposal `proposalId` must exist and be `Pending`.
     * - the caller must be its proposer, or have {ROLE_ADMIN} if the proposal is stale or expired.
     *
     * Emits a {ProposalCancelled} event.
     *
     * @param proposalId The proposal to cancel.
     */
    function cancel(uint256 proposalId) external;

    /**
     * @notice Whether `account` is a member (has any role).
     * @param account The account to look up.
     * @return True iff `account` has non-zero roles.
     */
    function isMember(address account) external view returns (bool);

    /**
     * @notice Whether `account` holds every role bit in `role`.
     * @param account The account to look up.
     * @param role One role bit, or several OR-ed together.
     * @return True iff `role` is non-zero and all its bits are set in the roles of `account`.
     */
    function hasRole(address account, uint256 role) external view returns (bool);

    /**
     * @notice The roles of `account`.
     * @param account The account to look up.
     * @return The role bitmask, 0 for non-members.
     */
    function rolesOf(address account) external view returns (uint256);

    /**
     * @notice The membership record of `account`.
     * @param account The account to look up.
     * @return The record; all fields are zero for non-members.
     */
    function memberOf(address account) external view returns (Member memory);

    /**
     * @notice The number of admin approvals a proposal needs.
     * @return The current threshold, `1 <= threshold() <= adminCount()`.
     */
    function threshold() external view returns (uint256);

    /**
     * @notice The number of members holding {ROLE_ADMIN}.
     * @return The admin count.
     */
    function adminCount() external view returns (uint256);

    /**
     * @notice The number of members.
     * @return The member count.
     */
    function memberCount() external view returns (uint256);

    /**
     * @notice A counter incremented whenever the admin set or the threshold changes.
     * @dev Proposals created under an earlier epoch are stale and can no longer be approved.
     * @return The current epoch, 0 at deployment.
     */
    function adminEpoch() external view returns (uint64);

    /**
     * @notice The proposal with id `proposalId`.
     * @param proposalId The id to look up.
     * @return The proposal; all fields are zero (status `None`) for unknown ids.
     */
    function proposal(uint256 proposalId) external view returns (Proposal memory);

    /**
     * @notice Whether `admin` has approved proposal `proposalId`.
     * @param proposalId The proposal to look up.
     * @param admin The admin to look up.
     * @return True iff `admin` approved the proposal (the proposer always has).
     */
    function hasApproved(uint256 proposalId, address admin) external view returns (bool);

    /**
     * @notice The number of proposals created so far, which is also the latest id.
     * @return The proposal count.
     */
    function proposalCount() external view returns (uint256);
}

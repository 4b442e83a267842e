//! Typed values at the ABI edge: what the contracts encode as `uint8`, bit masks and `bytes32`,
//! as Rust types that cannot hold a value the contract does not define.

use std::{fmt, str::FromStr};

use alloy::primitives::{B256, U256};
use medshare_contracts::roles;

/// A value that is not one of a Solidity enum's members.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{value} is not a value of the Solidity enum {name}")]
pub struct UnknownEnumValue {
    /// The enum's Solidity name.
    pub name: &'static str,
    /// The value found.
    pub value: u8,
}

/// A Solidity enum as a Rust enum: `TryFrom<u8>` for what the contract returns, `u8::from` for
/// what it takes, `Display` in the CLI's words.
macro_rules! sol_enum {
    ($(#[$meta:meta])* $name:ident as $sol:literal { $($(#[$vmeta:meta])* $variant:ident = $value:literal => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant = $value,)+
        }

        impl TryFrom<u8> for $name {
            type Error = UnknownEnumValue;

            fn try_from(value: u8) -> Result<Self, UnknownEnumValue> {
                match value {
                    $($value => Ok(Self::$variant),)+
                    _ => Err(UnknownEnumValue { name: $sol, value }),
                }
            }
        }

        impl From<$name> for u8 {
            fn from(value: $name) -> Self {
                value as Self
            }
        }

        impl $name {
            /// Every value, in declaration order (solc encodes a value as its index).
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The word the CLI shows for this value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

sol_enum! {
    /// `IConsortium.Action`: what a proposal changes.
    ProposalAction as "IConsortium.Action" {
        /// Add a member with roles and a name.
        AddMember = 0 => "add",
        /// Remove a member.
        RemoveMember = 1 => "remove",
        /// Replace a member's roles.
        SetRoles = 2 => "set-roles",
        /// Change the approval threshold.
        SetThreshold = 3 => "set-threshold",
    }
}

sol_enum! {
    /// `IConsortium.ProposalStatus`.
    ProposalStatus as "IConsortium.ProposalStatus" {
        /// No such proposal.
        None = 0 => "none",
        /// Gathering approvals.
        Pending = 1 => "pending",
        /// Reached the threshold and applied.
        Executed = 2 => "executed",
        /// Withdrawn.
        Cancelled = 3 => "cancelled",
    }
}

sol_enum! {
    /// `IIdentityRegistry.KeySetStatus`.
    KeySetStatus as "IIdentityRegistry.KeySetStatus" {
        /// Never proposed.
        None = 0 => "none",
        /// Proposed, collecting its authorities' confirmations.
        Proposed = 1 => "proposed",
        /// Approved; activates at the first epoch change after its delay.
        Scheduled = 2 => "scheduled",
        /// The key set of the current epoch.
        Active = 3 => "active",
        /// Active in earlier epochs; still traces their tokens.
        Retired = 4 => "retired",
        /// Replaced by a key set approved later, before it took effect.
        Superseded = 5 => "superseded",
        /// Cancelled before it took effect.
        Cancelled = 6 => "cancelled",
    }
}

sol_enum! {
    /// `IIdentityRegistry.Motion`: what a `t`-of-`n` approval of the authorities is for.
    MotionKind as "IIdentityRegistry.Motion" {
        /// Install a proposed key set.
        ApproveKeySet = 0 => "approve key set",
        /// Cancel a proposed or scheduled key set.
        CancelKeySet = 1 => "cancel key set",
        /// Start the next epoch now.
        RotateEpoch = 2 => "rotate epoch",
        /// Revoke a traced identity.
        RevokeIdentity = 3 => "revoke identity",
    }
}

sol_enum! {
    /// `IIdentityRegistry.TraceStatus`.
    TraceStatus as "IIdentityRegistry.TraceStatus" {
        /// No such trace.
        None = 0 => "none",
        /// Collecting shares.
        Pending = 1 => "pending",
        /// `t` valid shares combined; the identity is known.
        Completed = 2 => "completed",
    }
}

/// A set of consortium roles (the `ROLE_*` bits of `Consortium.sol`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Roles(U256);

impl Roles {
    /// No role: not a member.
    pub const NONE: Self = Self(U256::ZERO);
    /// Administrators: vote on membership, roles and the approval threshold.
    pub const ADMIN: Self = Self(roles::ADMIN);
    /// Hospitals: register medical records.
    pub const HOSPITAL: Self = Self(roles::HOSPITAL);
    /// Research institutes: request access to records.
    pub const RESEARCH: Self = Self(roles::RESEARCH);
    /// Authorities: issue credentials, trace and revoke users.
    pub const AUTHORITY: Self = Self(roles::AUTHORITY);
    /// Proxies: re-encrypt capsules for authorised requesters.
    pub const PROXY: Self = Self(roles::PROXY);
    /// Every defined role.
    pub const ALL: Self = Self(roles::ALL);

    /// The roles by name, in bit order.
    pub const NAMED: [(&'static str, Self); 5] = [
        ("admin", Self::ADMIN),
        ("hospital", Self::HOSPITAL),
        ("research", Self::RESEARCH),
        ("authority", Self::AUTHORITY),
        ("proxy", Self::PROXY),
    ];

    /// The mask as the contract takes it.
    pub const fn to_u256(self) -> U256 {
        self.0
    }

    /// Whether no role is set.
    pub fn is_empty(self) -> bool {
        self.0.is_zero()
    }

    /// Whether every role of `other` is in `self`.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The names of the roles, in bit order.
    pub fn names(self) -> Vec<&'static str> {
        Self::NAMED
            .iter()
            .filter(|(_, role)| self.contains(*role))
            .map(|(name, _)| *name)
            .collect()
    }
}

impl std::ops::BitOr for Roles {
    type Output = Self;

    fn bitor(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

/// A role mask with bits the contract does not define.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the role mask {0:#x} has bits no role defines")]
pub struct UndefinedRoles(pub U256);

impl TryFrom<U256> for Roles {
    type Error = UndefinedRoles;

    fn try_from(mask: U256) -> Result<Self, UndefinedRoles> {
        if mask & !roles::ALL == U256::ZERO {
            Ok(Self(mask))
        } else {
            Err(UndefinedRoles(mask))
        }
    }
}

/// A role name that is not one of [`Roles::NAMED`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}` (known: admin, hospital, research, authority, proxy)")]
pub struct UnknownRole(pub String);

impl FromStr for Roles {
    type Err = UnknownRole;

    /// Parses a comma-separated list of role names, e.g. `hospital,proxy` (case-insensitive).
    fn from_str(list: &str) -> Result<Self, UnknownRole> {
        list.split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .try_fold(Self::NONE, |roles, name| {
                Self::NAMED
                    .iter()
                    .find(|(known, _)| known.eq_ignore_ascii_case(name))
                    .map(|(_, role)| roles | *role)
                    .ok_or_else(|| UnknownRole(name.to_string()))
            })
    }
}

impl fmt::Display for Roles {
    /// `admin,hospital`, or `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&self.names().join(","))
        }
    }
}

impl serde::Serialize for Roles {
    /// As the list of role names.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.names())
    }
}

/// Short text kept on chain in one `bytes32` (an institution name, a reason). [`ShortText::new`]
/// takes UTF-8 without control characters, at most [`ShortText::MAX_BYTES`] bytes, zero-padded;
/// a word read from chain is kept as it is and shown safely by `Display`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ShortText(B256);

/// Text that does not fit a [`ShortText`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShortTextError {
    /// It holds control characters (newlines, tabs, terminal escapes).
    #[error("it contains control characters (newlines, tabs or terminal escapes)")]
    ControlCharacters,
    /// It is longer than one `bytes32`.
    #[error("it is {0} bytes long; at most 32 bytes fit on chain")]
    TooLong(usize),
}

impl ShortText {
    /// Longest text, in bytes.
    pub const MAX_BYTES: usize = 32;

    /// Checks `text`.
    pub fn new(text: &str) -> Result<Self, ShortTextError> {
        if text.chars().any(char::is_control) {
            return Err(ShortTextError::ControlCharacters);
        }
        if text.len() > Self::MAX_BYTES {
            return Err(ShortTextError::TooLong(text.len()));
        }
        let mut word = [0u8; 32];
        word[..text.len()].copy_from_slice(text.as_bytes());
        Ok(Self(B256::from(word)))
    }

    /// A word a contract returned, which other tools may have written.
    pub const fn from_word(word: B256) -> Self {
        Self(word)
    }

    /// The `bytes32` the contract stores.
    pub const fn to_b256(self) -> B256 {
        self.0
    }
}

impl fmt::Display for ShortText {
    /// The text without its zero padding; invalid UTF-8 replaced and control characters escaped,
    /// so that a word written by another tool never drives a terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = self.0.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
        for c in String::from_utf8_lossy(&self.0[..end]).chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

impl serde::Serialize for ShortText {
    /// As its displayed text.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_display_and_reject_unknown_bits() {
        let roles: Roles = "hospital, PROXY".parse().unwrap();
        assert_eq!(roles, Roles::HOSPITAL | Roles::PROXY);
        assert_eq!(roles.to_string(), "hospital,proxy");
        assert_eq!(Roles::NONE.to_string(), "none");
        assert_eq!(
            "surgeon".parse::<Roles>(),
            Err(UnknownRole("surgeon".into()))
        );
        let all = Roles::NAMED
            .iter()
            .fold(Roles::NONE, |all, (_, role)| all | *role);
        assert_eq!(all, Roles::ALL);
        assert_eq!(Roles::try_from(roles::ALL), Ok(Roles::ALL));
        let stray = roles::ALL | U256::from(1 << 5);
        assert_eq!(Roles::try_from(stray), Err(UndefinedRoles(stray)));
        assert!(Roles::ALL.contains(Roles::ADMIN | Roles::PROXY));
        assert!(!Roles::HOSPITAL.contains(Roles::HOSPITAL | Roles::PROXY));
    }

    #[test]
    fn enums_round_trip_and_refuse_values_solidity_does_not_define() {
        for value in 0..=u8::MAX {
            match ProposalStatus::try_from(value) {
                Ok(status) => assert_eq!(u8::from(status), value),
                Err(err) => {
                    assert!(value > 3);
                    assert_eq!(err.name, "IConsortium.ProposalStatus");
                }
            }
        }
        assert_eq!(KeySetStatus::try_from(6), Ok(KeySetStatus::Cancelled));
        assert!(KeySetStatus::try_from(7).is_err());
        assert_eq!(TraceStatus::Completed.to_string(), "completed");
        assert_eq!(
            serde_json::to_string(&ProposalAction::SetRoles).unwrap(),
            "\"set-roles\""
        );
    }

    /// The members of Solidity `enum NAME { ... }` in `source`, in order.
    fn solidity_enum(source: &str, name: &str) -> Vec<String> {
        let start = source.find(&format!("enum {name} {{")).unwrap();
        source[start..]
            .lines()
            .skip(1)
            .map(str::trim)
            .take_while(|line| *line != "}")
            .filter(|line| !line.is_empty() && !line.starts_with("//"))
            .map(|line| line.trim_end_matches(',').to_string())
            .collect()
    }

    fn rust_enum<T: fmt::Debug>(all: &[T]) -> Vec<String> {
        all.iter().map(|value| format!("{value:?}")).collect()
    }

    #[test]
    fn the_enums_are_those_of_the_solidity_sources() {
        let consortium = include_str!("../../../contracts/src/interfaces/IConsortium.sol");
        let registry = include_str!("../../../contracts/src/interfaces/IIdentityRegistry.sol");
        assert_eq!(
            solidity_enum(consortium, "Action"),
            rust_enum(ProposalAction::ALL)
        );
        assert_eq!(
            solidity_enum(consortium, "ProposalStatus"),
            rust_enum(ProposalStatus::ALL)
        );
        assert_eq!(
            solidity_enum(registry, "KeySetStatus"),
            rust_enum(KeySetStatus::ALL)
        );
        assert_eq!(
            solidity_enum(registry, "Motion"),
            rust_enum(MotionKind::ALL)
        );
        assert_eq!(
            solidity_enum(registry, "TraceStatus"),
            rust_enum(TraceStatus::ALL)
        );
        for (i, status) in KeySetStatus::ALL.iter().enumerate() {
            assert_eq!(usize::from(u8::from(*status)), i);
        }
    }

    #[test]
    fn short_text_fits_one_word_and_never_drives_a_terminal() {
        let name = ShortText::new("Hôpital Saint-Louis").unwrap();
        assert_eq!(ShortText::from_word(name.to_b256()), name);
        assert_eq!(name.to_string(), "Hôpital Saint-Louis");
        assert_eq!(
            ShortText::new(&"x".repeat(33)),
            Err(ShortTextError::TooLong(33))
        );
        assert_eq!(
            ShortText::new(&"x".repeat(32)).unwrap().to_string().len(),
            32
        );
        assert_eq!(
            ShortText::new("a\nb"),
            Err(ShortTextError::ControlCharacters)
        );
        let mut word = [0u8; 32];
        word[..4].copy_from_slice(b"\x1b[2J");
        assert_eq!(
            ShortText::from_word(B256::from(word)).to_string(),
            "\\u{1b}[2J"
        );
    }
}

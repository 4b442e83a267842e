use alloy::primitives::{Address, B256, Bytes};

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong talking to a chain.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The endpoint is unreachable or answered something that is not JSON-RPC.
    #[error("the chain endpoint failed: {0}")]
    Transport(String),
    /// The endpoint answered with a JSON-RPC error other than a revert.
    #[error("the node refused: {0}")]
    Node(String),
    /// The endpoint serves another chain than the one expected.
    #[error("the endpoint serves chain {found}, not chain {expected}")]
    WrongChain {
        /// The chain id asked for.
        expected: u64,
        /// The chain id the endpoint reports.
        found: u64,
    },
    /// A call or transaction reverted; holds the revert data for decoding (a custom error).
    #[error(
        "the contract refused (revert data 0x{})",
        alloy::primitives::hex::encode(data)
    )]
    Reverted {
        /// The revert data (empty for a halt such as running out of gas).
        data: Bytes,
        /// The mined transaction, if it got that far.
        transaction: Option<B256>,
    },
    /// A result that does not decode as the called function's return type.
    #[error("the result of {function} does not decode: {reason}")]
    Decode {
        /// The Solidity signature called.
        function: &'static str,
        /// What the decoder said.
        reason: String,
    },
    /// A signed transaction was handed to the endpoint, which then failed before its receipt
    /// was read: it may or may not be mined.
    #[error(
        "transaction {transaction} was sent, but whether it was mined is unknown ({reason}); once the endpoint answers again, check it with `cast receipt {transaction} --rpc-url URL`"
    )]
    Unconfirmed {
        /// The transaction's hash.
        transaction: B256,
        /// What failed.
        reason: String,
    },
    /// A transaction succeeded but did not emit the event its function always emits: the
    /// address holds other code than expected.
    #[error("transaction {transaction} emitted no {event} event")]
    MissingEvent {
        /// The Solidity event's name.
        event: &'static str,
        /// The transaction.
        transaction: B256,
    },
    /// No token with this nullifier was used on the registry.
    #[error("no token with nullifier {0} was used")]
    UnknownToken(B256),
    /// A contract returned a value its interface does not define (an enum out of range, a
    /// role bit no role has).
    #[error("the contract returned an unexpected value: {0}")]
    Unexpected(String),
    /// An address that should hold a medshare contract holds no code.
    #[error("the {contract} address {address} holds no contract code")]
    NoCode {
        /// The contract expected.
        contract: &'static str,
        /// Its address.
        address: Address,
    },
    /// An address holds code that is not the committed artifact of the contract expected.
    #[error(
        "the {contract} address {address} holds code that is not medshare's {contract} ({length} bytes)"
    )]
    WrongCode {
        /// The contract expected.
        contract: &'static str,
        /// Its address.
        address: Address,
        /// Length of the code found.
        length: usize,
    },
}

impl Error {
    /// The contract's refusal, decoded, if this is one.
    pub fn revert(&self) -> Option<crate::Revert> {
        match self {
            Self::Reverted { data, .. } => Some(crate::Revert::decode(data)),
            _ => None,
        }
    }

    pub(crate) fn unexpected(what: impl std::fmt::Display) -> Self {
        Self::Unexpected(what.to_string())
    }

    /// The error for a failed request: a revert keeps its data, everything else its message.
    pub(crate) fn from_rpc(err: alloy::transports::TransportError) -> Self {
        match err {
            alloy::transports::RpcError::ErrorResp(payload) => match payload.as_revert_data() {
                Some(data) => Self::Reverted {
                    data,
                    transaction: None,
                },
                None => Self::Node(payload.message.to_string()),
            },
            other => Self::Transport(other.to_string()),
        }
    }
}

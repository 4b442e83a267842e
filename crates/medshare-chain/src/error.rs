use alloy::primitives::{B256, Bytes};

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
}

impl Error {
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

use std::path::PathBuf;

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong with the embedded chain.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Another process holds the chain's data directory.
    #[error("the chain in {} is in use by another process; wait for it to finish", path.display())]
    Locked {
        /// The chain file.
        path: PathBuf,
    },
    /// The chain was opened read-only ([`crate::Chain::open_read_only`]) and cannot take a block.
    #[error("the chain in {} is open read-only (the data directory is not writable here)", path.display())]
    ReadOnly {
        /// The chain file.
        path: PathBuf,
    },
    /// A read-only open met a chain file whose writer was killed: it needs one writable open to
    /// recover (nothing is lost).
    #[error("the chain in {} was not closed cleanly (its writer was killed); one medshare command with write access to it recovers it", path.display())]
    NeedsRecovery {
        /// The chain file.
        path: PathBuf,
    },
    /// No chain has been created at this path.
    #[error("no chain at {}", path.display())]
    NotFound {
        /// The chain file that was expected.
        path: PathBuf,
    },
    /// A chain already exists at this path.
    #[error("a chain already exists at {}", path.display())]
    AlreadyExists {
        /// The chain file.
        path: PathBuf,
    },
    /// The chain file exists but cannot be read as a chain.
    #[error("the chain state is corrupt: {reason}")]
    Corrupt {
        /// What was found to be wrong.
        reason: String,
    },
    /// The storage engine failed (I/O error, disk full, ...).
    #[error("chain storage failed: {0}")]
    Storage(#[from] redb::Error),
    /// The transaction bytes are not a valid signed transaction.
    #[error("malformed transaction: {0}")]
    MalformedTransaction(String),
    /// The transaction is well formed but the chain refuses to include it.
    #[error("transaction rejected: {0}")]
    Rejected(String),
    /// Execution reverted or halted even with the block gas limit (from gas estimation); holds
    /// the revert data (empty for a halt), as a node returns it with JSON-RPC error code 3.
    #[error("execution reverted (revert data 0x{})", alloy::primitives::hex::encode(.0))]
    Reverted(alloy::primitives::Bytes),
    /// A snapshot id that was never taken, or was invalidated by an earlier revert.
    #[error("unknown snapshot {0}")]
    UnknownSnapshot(u64),
}

impl Error {
    pub(crate) fn corrupt(reason: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            reason: reason.to_string(),
        }
    }

    /// Whether this is [`Error::Locked`].
    pub const fn is_locked(&self) -> bool {
        matches!(self, Self::Locked { .. })
    }

    /// Whether this process may not write the chain file (permissions, a read-only file
    /// system): [`crate::Chain::open_read_only`] may still read it.
    pub fn is_not_writable(&self) -> bool {
        matches!(
            self,
            Self::Storage(redb::Error::Io(io))
                if matches!(
                    io.kind(),
                    std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
                )
        )
    }
}

/// Lifts any redb error into [`Error::Storage`], except corruption, which gets its own variant.
/// Every table is created with the genesis, so a missing or differently typed one means the file
/// is not (or no longer) a chain: corruption too.
pub(crate) fn storage<E: Into<redb::Error>>(err: E) -> Error {
    match err.into() {
        redb::Error::Corrupted(reason) => Error::corrupt(reason),
        err @ (redb::Error::TableDoesNotExist(_)
        | redb::Error::TableTypeMismatch { .. }
        | redb::Error::TableIsMultimap(_)) => Error::corrupt(err),
        other => Error::Storage(other),
    }
}

//! Durable home of a chain: one redb database holding state, blocks, receipts and raw
//! transactions, plus a `HEAD` file beside it. Every block is written in a single ACID write
//! transaction, so a process killed at any point leaves the chain at either the previous or the
//! new block.
//!
//! Damage is detected, never answered around (`docs/chain-integrity.md`):
//! - every stored value is *sealed*: followed by a checksum over its table, its key and itself,
//!   checked on every read, so a flipped byte in a value, or a value found under another key,
//!   is reported as corruption;
//! - each block records a *state digest* (a sum of entry hashes over accounts, storage and code,
//!   updated incrementally as entries change) and a *chain digest* linking the block, its
//!   receipts, its transactions and the state digest to the previous block's chain digest;
//!   [`Store::verify`] recomputes the state digest from the whole state, which catches entries
//!   that went missing or appeared, and walks every block;
//! - `HEAD` names the last committed block and its chain digest, so that a database that
//!   silently went back to an older commit (a damaged commit slot) is caught at open.
//!
//! Opening reads only the head: the state is read lazily ([`StateReader`]), one entry at a time
//! as execution touches it, so opening and a call cost the same at any chain length.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use alloy::primitives::{Address, B256, Bytes, Keccak256, U256};
use redb::{
    Database, Key, ReadOnlyDatabase, ReadOnlyTable, ReadableDatabase, ReadableTable,
    ReadableTableMetadata, TableDefinition, TableHandle, backends::InMemoryBackend,
};
use revm::{
    DatabaseRef,
    bytecode::Bytecode,
    database::EmptyDB,
    primitives::KECCAK_EMPTY,
    state::{AccountInfo, EvmState},
};

use crate::{
    Block, Genesis, Log, LogFilter, Receipt, VerifyReport,
    encoding::{decode_block, decode_receipt, encode_block, encode_receipt},
    error::{Error, Result, storage},
};

/// Every value below is sealed (see [`seal`]).
type Sealed = &'static [u8];
/// Small values: the format marker, the genesis and the head pointer.
const META: TableDefinition<'_, &str, Sealed> = TableDefinition::new("meta");
/// address → balance (32 bytes BE) ‖ nonce (8 bytes BE) ‖ code hash (32 bytes).
const ACCOUNTS: TableDefinition<'_, [u8; 20], Sealed> = TableDefinition::new("accounts");
/// address ‖ slot (32 bytes BE) → value (32 bytes BE); zero values are deleted.
const STORAGE: TableDefinition<'_, [u8; 52], Sealed> = TableDefinition::new("storage");
/// code hash → bytecode.
const CODE: TableDefinition<'_, [u8; 32], Sealed> = TableDefinition::new("code");
/// number → block (`encoding::encode_block`).
const BLOCKS: TableDefinition<'_, u64, Sealed> = TableDefinition::new("blocks");
/// block hash → number (8 bytes BE), for lookups by hash.
const BLOCK_NUMBERS: TableDefinition<'_, [u8; 32], Sealed> = TableDefinition::new("block_numbers");
/// address ‖ block number (8 bytes BE) ‖ log index in the block (4 bytes BE) → transaction
/// hash: logs by contract.
const LOGS_BY_ADDRESS: TableDefinition<'_, [u8; 32], Sealed> =
    TableDefinition::new("logs_by_address");
/// address ‖ topic 0 ‖ block number (8 bytes BE) ‖ log index (4 bytes BE) → transaction hash:
/// logs by contract and event, so that such a query costs its matches, not the chain.
const LOGS_BY_TOPIC: TableDefinition<'_, [u8; 64], Sealed> = TableDefinition::new("logs_by_topic");
/// number → state digest (32 bytes) ‖ chain digest (32 bytes).
const DIGESTS: TableDefinition<'_, u64, Sealed> = TableDefinition::new("digests");
/// transaction hash → receipt (`encoding::encode_receipt`).
const RECEIPTS: TableDefinition<'_, [u8; 32], Sealed> = TableDefinition::new("receipts");
/// transaction hash → signed EIP-2718 bytes (empty for impersonated test transactions).
const TRANSACTIONS: TableDefinition<'_, [u8; 32], Sealed> = TableDefinition::new("transactions");

const GENESIS_KEY: &str = "genesis";
const HEAD_KEY: &str = "head";
/// Layout version of this file; bumped on any incompatible change of the tables above.
const FORMAT_KEY: &str = "format";
const FORMAT_VERSION: &[u8] = b"medshare-chain-3";
/// Domain of every checksum and digest of this layout.
const DOMAIN: &[u8] = b"medshare-chain-3";
/// Bytes of checksum after each value: 128 bits make an undetected random change negligible.
const CHECKSUM_LEN: usize = 16;

/// Name of the chain file inside a chain directory.
pub(crate) const CHAIN_FILE: &str = "chain.redb";
/// Name of the file recording the last committed block, beside the chain file.
pub(crate) const HEAD_FILE: &str = "HEAD";

/// What a block commits besides the block itself.
pub(crate) struct BlockWrite<'a> {
    pub(crate) block: &'a Block,
    /// The state changes of each transaction, applied in order.
    pub(crate) changes: &'a [EvmState],
    pub(crate) receipts: &'a [Receipt],
    pub(crate) raw_transactions: &'a [(B256, Bytes)],
}

/// What a committed block left for [`Store::record_head`].
#[must_use = "the head must be recorded once the block is applied in memory"]
pub(crate) struct Committed {
    number: u64,
    chain_digest: B256,
}

/// What opening a chain reads: its parameters and its head, not its state.
pub(crate) struct Loaded {
    pub(crate) genesis: Genesis,
    pub(crate) head: Block,
}

/// The state as of the last commit when it was made, read lazily from the store: each account,
/// slot and code is looked up (and its seal checked) when execution touches it. It holds a redb
/// read transaction, so later commits do not change what it sees; the chain takes a new one after
/// each commit.
pub(crate) struct StateReader {
    accounts: ReadOnlyTable<[u8; 20], Sealed>,
    storage: ReadOnlyTable<[u8; 52], Sealed>,
    code: ReadOnlyTable<[u8; 32], Sealed>,
}

impl std::fmt::Debug for StateReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateReader").finish_non_exhaustive()
    }
}

impl DatabaseRef for StateReader {
    type Error = Error;

    fn basic_ref(&self, address: Address) -> Result<Option<AccountInfo>> {
        guarded(|| {
            get(&self.accounts, address.0.0)?
                .map(|payload| decode_account(&payload))
                .transpose()
        })
    }

    fn code_by_hash_ref(&self, hash: B256) -> Result<Bytecode> {
        if hash == KECCAK_EMPTY {
            return Ok(Bytecode::default());
        }
        guarded(|| bytecode(&self.code, hash))
    }

    fn storage_ref(&self, address: Address, slot: U256) -> Result<U256> {
        guarded(|| {
            get(&self.storage, storage_key(&address, slot))?
                .map(|payload| decode_word(&payload))
                .transpose()
                .map(Option::unwrap_or_default)
        })
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256> {
        // The chain's block hashes are not Ethereum's, so BLOCKHASH keeps revm's stand-in.
        EmptyDB::default()
            .block_hash_ref(number)
            .map_err(|never| match never {})
    }
}

impl revm::database::DBErrorMarker for Error {}

pub(crate) struct Store {
    db: Db,
    /// Directory of the chain file and `HEAD`; `None` in memory.
    dir: Option<PathBuf>,
    /// Whether the database holds a block that `HEAD` does not name yet. The next commit first
    /// brings `HEAD` up to date, so that it is never more than one block behind.
    head_behind: std::cell::Cell<bool>,
    /// In bulk mode, the blocks committed without a flush since the last flush.
    #[cfg(feature = "bulk")]
    unflushed: std::cell::Cell<Option<u32>>,
}

/// In bulk mode, one commit in this many is flushed, so that redb reuses the pages that the
/// commits in between freed (it cannot before a flush).
#[cfg(feature = "bulk")]
const BULK_FLUSH_EVERY: u32 = 100;

/// The database, writable or (for a data directory this process may not write) read-only.
enum Db {
    Writable(Database),
    ReadOnly(ReadOnlyDatabase),
    /// What dropping the store leaves while it closes the database.
    Closed,
}

impl Db {
    fn begin_read(&self) -> Result<redb::ReadTransaction> {
        match self {
            Self::Writable(db) => db.begin_read(),
            Self::ReadOnly(db) => db.begin_read(),
            Self::Closed => Err(redb::TransactionError::Storage(
                redb::StorageError::DatabaseClosed,
            )),
        }
        .map_err(storage)
    }

    fn begin_write(&self, dir: Option<&Path>) -> Result<redb::WriteTransaction> {
        match self {
            Self::Writable(db) => {
                let mut txn = db.begin_write().map_err(storage)?;
                // With a two-phase commit a damaged latest commit is reported by redb instead of
                // repaired by falling back to the previous one (which would drop a block and
                // overwrite it on the next commit).
                txn.set_two_phase_commit(true);
                Ok(txn)
            }
            Self::ReadOnly(_) => Err(Error::ReadOnly {
                path: dir.map(|dir| dir.join(CHAIN_FILE)).unwrap_or_default(),
            }),
            Self::Closed => Err(storage(redb::StorageError::DatabaseClosed)),
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // Closing records redb's allocator state, which is read unchecked at open: if it is
        // damaged, redb panics here, and a panic in a drop may abort the process. The damage is
        // reported by the next open or verify instead.
        let db = std::mem::replace(&mut self.db, Db::Closed);
        let _ = without_panic(|| drop(db));
    }
}

impl Store {
    fn new(db: Db, dir: Option<PathBuf>) -> Self {
        Self {
            db,
            dir,
            head_behind: false.into(),
            #[cfg(feature = "bulk")]
            unflushed: None.into(),
        }
    }

    /// Starts bulk mode: commits are flushed only now and then, and `HEAD` is not written.
    #[cfg(feature = "bulk")]
    pub(crate) fn start_bulk(&self) {
        self.unflushed.set(Some(0));
    }

    /// Ends bulk mode: every block committed is flushed, and `HEAD` names the head.
    #[cfg(feature = "bulk")]
    pub(crate) fn end_bulk(&self) -> Result<()> {
        self.unflushed.set(None);
        guarded(|| {
            self.db
                .begin_write(self.dir.as_deref())?
                .commit()
                .map_err(storage)?;
            self.record_current_head()
        })
    }

    /// Whether `HEAD` is written after each commit (not in bulk mode).
    fn records_heads(&self) -> bool {
        #[cfg(feature = "bulk")]
        if self.unflushed.get().is_some() {
            return false;
        }
        true
    }

    /// A store that lives in memory only.
    pub(crate) fn in_memory() -> Result<Self> {
        let db = Database::builder()
            .create_with_backend(InMemoryBackend::new())
            .map_err(storage)?;
        Ok(Self::new(Db::Writable(db), None))
    }

    /// Creates the chain file in `dir` and writes the genesis block, atomically: the file is
    /// built under a temporary name and published only once complete.
    pub(crate) fn create(
        dir: &Path,
        genesis_write: impl FnOnce(&Self) -> Result<Committed>,
    ) -> Result<Self> {
        let path = dir.join(CHAIN_FILE);
        if path.exists() {
            return Err(Error::AlreadyExists { path });
        }
        fs::create_dir_all(dir).map_err(io_error)?;
        // Per process, so that two processes creating the same chain never share a file.
        let tmp = dir.join(format!("{CHAIN_FILE}.tmp-{}", std::process::id()));
        // A leftover of an interrupted creation (by a process with our pid) holds nothing of value.
        let _ = fs::remove_file(&tmp);
        let mut store = Self::new(
            Db::Writable(Database::create(&tmp).map_err(|e| open_error(e, &tmp))?),
            None,
        );
        let genesis = genesis_write(&store)?;
        // A hard link publishes the file without clobbering a chain another process created
        // meanwhile (a rename would silently replace it). The database stays open, so its lock
        // keeps every other process out until `HEAD` describes the published file.
        let published = fs::hard_link(&tmp, &path);
        let _ = fs::remove_file(&tmp);
        match published {
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(Error::AlreadyExists { path });
            }
            other => other.map_err(io_error)?,
        }
        sync_dir(dir)?;
        // A kill before this line leaves a genesis-only chain without `HEAD`, which opens (see
        // `check_head`).
        write_head(dir, &genesis)?;
        store.dir = Some(dir.to_path_buf());
        Ok(store)
    }

    /// Opens the chain file in `dir`, taking its lock.
    pub(crate) fn open(dir: &Path) -> Result<Self> {
        let path = chain_file(dir)?;
        // No page check at open (redb's reads the whole file, so opening would grow with the
        // chain): damage that makes redb panic is reported by the read that meets it (`guarded`),
        // and an entry a damaged page hides by `verify`, which counts and sums every entry.
        let db = without_panic(|| Database::open(&path))
            .map_err(|reason| Error::corrupt(format!("{}: {reason}", path.display())))?
            .map_err(|e| open_error(e, &path))?;
        Ok(Self::new(Db::Writable(db), Some(dir.to_path_buf())))
    }

    /// Opens the chain file in `dir` without writing to it. The caller runs [`Self::verify`]
    /// before trusting any answer (see [`crate::Chain::open_read_only`]).
    pub(crate) fn open_read_only(dir: &Path) -> Result<Self> {
        let path = chain_file(dir)?;
        let db = without_panic(|| ReadOnlyDatabase::open(&path))
            .map_err(|reason| Error::corrupt(format!("{}: {reason}", path.display())))?
            .map_err(|e| open_error(e, &path))?;
        Ok(Self::new(Db::ReadOnly(db), Some(dir.to_path_buf())))
    }

    /// Whether this store was opened with [`Self::open_read_only`].
    pub(crate) const fn is_read_only(&self) -> bool {
        matches!(self.db, Db::ReadOnly(_))
    }

    /// Writes genesis state and block 0.
    pub(crate) fn write_genesis(
        &self,
        genesis: &Genesis,
        block: &Block,
        changes: &EvmState,
    ) -> Result<Committed> {
        let txn = self.db.begin_write(self.dir.as_deref())?;
        {
            let mut meta = txn.open_table(META).map_err(storage)?;
            put(&mut meta, FORMAT_KEY, FORMAT_VERSION)?;
            put(&mut meta, GENESIS_KEY, &to_json(genesis))?;
        }
        // Create every table so that readers never meet a missing one.
        txn.open_table(RECEIPTS).map_err(storage)?;
        txn.open_table(TRANSACTIONS).map_err(storage)?;
        txn.open_table(CODE).map_err(storage)?;
        txn.open_table(STORAGE).map_err(storage)?;
        txn.open_table(ACCOUNTS).map_err(storage)?;
        txn.open_table(BLOCKS).map_err(storage)?;
        txn.open_table(DIGESTS).map_err(storage)?;
        txn.open_table(BLOCK_NUMBERS).map_err(storage)?;
        txn.open_table(LOGS_BY_ADDRESS).map_err(storage)?;
        txn.open_table(LOGS_BY_TOPIC).map_err(storage)?;
        txn.commit().map_err(storage)?;
        self.write_block(&BlockWrite {
            block,
            changes: std::slice::from_ref(changes),
            receipts: &[],
            raw_transactions: &[],
        })
    }

    /// Commits one block with its state changes, receipts and transactions, all or nothing.
    /// Writing the head block again (a test cheat code) replaces its state and digests.
    pub(crate) fn write_block(&self, write: &BlockWrite<'_>) -> Result<Committed> {
        guarded(|| self.write_block_unguarded(write))
    }

    fn write_block_unguarded(&self, write: &BlockWrite<'_>) -> Result<Committed> {
        if self.head_behind.get() && self.records_heads() {
            self.record_current_head()?;
        }
        #[allow(unused_mut, reason = "changed in bulk mode only")]
        let mut txn = self.db.begin_write(self.dir.as_deref())?;
        #[cfg(feature = "bulk")]
        if let Some(unflushed) = self.unflushed.get() {
            let flush = unflushed + 1 >= BULK_FLUSH_EVERY;
            if !flush {
                txn.set_durability(redb::Durability::None)
                    .map_err(|e| storage(redb::Error::from(e)))?;
            }
            self.unflushed
                .set(Some(if flush { 0 } else { unflushed + 1 }));
        }
        let committed = {
            let mut meta = txn.open_table(META).map_err(storage)?;
            let mut digests = txn.open_table(DIGESTS).map_err(storage)?;
            let parent = match head_number(&meta)? {
                // The genesis and a rewrite of block 0 start from nothing.
                None => Digests::default(),
                Some(head) if head + 1 == write.block.number => digests_of(&digests, head)?,
                Some(head) if head == write.block.number => {
                    let rewritten = digests_of(&digests, head)?;
                    let parent_chain = match head.checked_sub(1) {
                        Some(parent) => digests_of(&digests, parent)?.chain,
                        None => B256::ZERO,
                    };
                    Digests {
                        state: rewritten.state,
                        chain: parent_chain,
                    }
                }
                Some(head) => {
                    return Err(Error::corrupt(format!(
                        "block {} written on head {head}",
                        write.block.number
                    )));
                }
            };
            let mut state = StateDigest(U256::from_be_bytes(parent.state.0));
            for changes in write.changes {
                write_state(&txn, changes, &mut state)?;
            }

            let mut receipts = txn.open_table(RECEIPTS).map_err(storage)?;
            let mut by_address = txn.open_table(LOGS_BY_ADDRESS).map_err(storage)?;
            let mut by_topic = txn.open_table(LOGS_BY_TOPIC).map_err(storage)?;
            for receipt in write.receipts {
                put(
                    &mut receipts,
                    receipt.transaction_hash.0,
                    &encode_receipt(receipt),
                )?;
                let hash = receipt.transaction_hash.as_slice();
                for log in &receipt.logs {
                    let position = LogPosition::of(log)?;
                    put(&mut by_address, position.address_key(log.address), hash)?;
                    if let Some(topic) = log.topics.first() {
                        put(&mut by_topic, position.topic_key(log.address, *topic), hash)?;
                    }
                }
            }
            let mut transactions = txn.open_table(TRANSACTIONS).map_err(storage)?;
            for (hash, raw) in write.raw_transactions {
                put(&mut transactions, hash.0, raw)?;
            }
            let mut blocks = txn.open_table(BLOCKS).map_err(storage)?;
            let block_bytes = encode_block(write.block);
            put(&mut blocks, write.block.number, &block_bytes)?;
            let mut numbers = txn.open_table(BLOCK_NUMBERS).map_err(storage)?;
            put(
                &mut numbers,
                write.block.hash.0,
                &write.block.number.to_be_bytes(),
            )?;
            let state = B256::from(state.0.to_be_bytes::<32>());
            let chain = chain_digest(
                parent.chain,
                &block_bytes,
                state,
                write.block,
                &receipts,
                &transactions,
            )?;
            put(
                &mut digests,
                write.block.number,
                &[state.as_slice(), chain.as_slice()].concat(),
            )?;
            put(&mut meta, HEAD_KEY, &write.block.number.to_be_bytes())?;
            Committed {
                number: write.block.number,
                chain_digest: chain,
            }
        };
        txn.commit().map_err(storage)?;
        self.head_behind.set(self.dir.is_some());
        Ok(committed)
    }

    /// Writes `HEAD` for the head block of the database.
    fn record_current_head(&self) -> Result<()> {
        let txn = self.db.begin_read()?;
        let meta = txn.open_table(META).map_err(storage)?;
        let number = head_number(&meta)?.ok_or_else(|| Error::corrupt("no head block"))?;
        let chain_digest = digests_of(&txn.open_table(DIGESTS).map_err(storage)?, number)?.chain;
        self.record_head(&Committed {
            number,
            chain_digest,
        })
    }

    /// Records a committed block in `HEAD` (nothing to do in memory). Called after the block is
    /// applied in memory, so that a failure here leaves this process consistent with the file;
    /// the next block records the head again.
    pub(crate) fn record_head(&self, committed: &Committed) -> Result<()> {
        if !self.records_heads() {
            return Ok(());
        }
        if let Some(dir) = &self.dir {
            write_head(dir, committed)?;
        }
        self.head_behind.set(false);
        Ok(())
    }

    /// Reads and checks what opening a chain needs, without walking anything: the format, the
    /// genesis, the head block and its digests, and `HEAD` against them. A damaged file that
    /// makes redb panic is reported as corrupt.
    pub(crate) fn load(&self) -> Result<Loaded> {
        guarded(|| self.load_unguarded())
    }

    fn load_unguarded(&self) -> Result<Loaded> {
        let txn = self.db.begin_read()?;
        let meta = txn.open_table(META).map_err(storage)?;
        let format = meta
            .get(FORMAT_KEY)
            .map_err(storage)?
            .ok_or_else(|| Error::corrupt("no format marker"))?;
        // The marker is compared before its seal so that an older layout is named as such.
        let found = format.value();
        if !found.starts_with(FORMAT_VERSION) {
            return Err(Error::corrupt(format!(
                "the chain file has format {:?}, this medshare reads {:?}",
                String::from_utf8_lossy(&found[..found.len().min(FORMAT_VERSION.len())]),
                String::from_utf8_lossy(FORMAT_VERSION)
            )));
        }
        drop(format);
        get(&meta, FORMAT_KEY)?;
        let genesis: Genesis =
            from_json(&get(&meta, GENESIS_KEY)?.ok_or_else(|| Error::corrupt("no genesis"))?)?;
        let head_number = head_number(&meta)?.ok_or_else(|| Error::corrupt("no head block"))?;
        let blocks = txn.open_table(BLOCKS).map_err(storage)?;
        let head: Block = block_at(&blocks, head_number)?;
        if head.number != head_number {
            return Err(Error::corrupt(format!(
                "block {head_number} is stored as block {}",
                head.number
            )));
        }
        let digests = txn.open_table(DIGESTS).map_err(storage)?;
        let recorded = digests_of(&digests, head_number)?;
        let named = check_head(self.dir.as_deref(), head_number, &digests)?;
        // A writer killed between its commit and `HEAD` left `HEAD` one block behind: the head
        // block checked out, so record it now, before a later rollback could hide behind the old
        // name.
        if named.is_some_and(|named| named < head_number) && !self.is_read_only() {
            self.record_head(&Committed {
                number: head_number,
                chain_digest: recorded.chain,
            })?;
        }
        Ok(Loaded { genesis, head })
    }

    /// A lazy reader of the state as of the last commit.
    pub(crate) fn reader(&self) -> Result<StateReader> {
        guarded(|| {
            let txn = self.db.begin_read()?;
            Ok(StateReader {
                accounts: txn.open_table(ACCOUNTS).map_err(storage)?,
                storage: txn.open_table(STORAGE).map_err(storage)?,
                code: txn.open_table(CODE).map_err(storage)?,
            })
        })
    }

    /// Checks the whole file: what [`Self::load`] checks, every stored value, the state against
    /// the head's state digest, the chain of blocks and digests from genesis to the head, and
    /// that every transaction has its receipt and raw bytes and nothing else is stored.
    pub(crate) fn verify(&self) -> Result<VerifyReport> {
        guarded(|| {
            // The head and `HEAD` again: the file may have changed since it was opened.
            self.load_unguarded()?;
            self.verify_beyond_load()
        })
    }

    fn verify_beyond_load(&self) -> Result<VerifyReport> {
        let txn = self.db.begin_read()?;
        let meta = txn.open_table(META).map_err(storage)?;
        let head = head_number(&meta)?.ok_or_else(|| Error::corrupt("no head block"))?;
        let blocks = txn.open_table(BLOCKS).map_err(storage)?;
        let digests = txn.open_table(DIGESTS).map_err(storage)?;
        let receipts = txn.open_table(RECEIPTS).map_err(storage)?;
        let transactions = txn.open_table(TRANSACTIONS).map_err(storage)?;
        let numbers = txn.open_table(BLOCK_NUMBERS).map_err(storage)?;
        let (accounts, storage_slots, code_entries) =
            check_state(&txn, head, digests_of(&digests, head)?.state)?;
        let mut report = VerifyReport {
            blocks: 0,
            transactions: 0,
            receipts: 0,
            accounts,
            storage_slots,
            code_entries,
        };
        check_all(&meta, META.name())?;
        if blocks.len().map_err(storage)? != head + 1
            || digests.len().map_err(storage)? != head + 1
            || check_all(&numbers, BLOCK_NUMBERS.name())? != head + 1
        {
            return Err(Error::corrupt(format!(
                "blocks or digests other than 0..={head} are stored"
            )));
        }
        let mut parent: Option<Block> = None;
        let mut parent_chain = B256::ZERO;
        for number in 0..=head {
            let bytes = get(&blocks, number)?
                .ok_or_else(|| Error::corrupt(format!("block {number} is missing")))?;
            let block = decode_block(&bytes)?;
            let linked = match &parent {
                None => block.parent_hash == B256::ZERO,
                Some(parent) => block.parent_hash == parent.hash,
            };
            if block.number != number || !linked || block.hash != crate::chain::block_hash(&block) {
                return Err(Error::corrupt(format!(
                    "block {number} does not link to its parent"
                )));
            }
            let recorded = digests_of(&digests, number)?;
            let computed = chain_digest(
                parent_chain,
                &bytes,
                recorded.state,
                &block,
                &receipts,
                &transactions,
            )?;
            if computed != recorded.chain {
                return Err(Error::corrupt(format!(
                    "block {number} does not match its chain digest"
                )));
            }
            report.blocks += 1;
            report.transactions += block.transactions.len() as u64;
            parent_chain = recorded.chain;
            parent = Some(block);
        }
        // Every receipt and raw transaction belongs to a block (the digests covered those).
        report.receipts = check_all(&receipts, RECEIPTS.name())?;
        check_log_index(&txn, &receipts)?;
        let raw = check_all(&transactions, TRANSACTIONS.name())?;
        if report.receipts != report.transactions || raw != report.transactions {
            return Err(Error::corrupt(format!(
                "{} receipts and {raw} transactions are stored for {} transactions in blocks",
                report.receipts, report.transactions
            )));
        }
        Ok(report)
    }

    /// Block `number`; one up to the head that is not found is corruption.
    pub(crate) fn block(&self, number: u64, head: u64) -> Result<Option<Block>> {
        guarded(|| {
            let txn = self.db.begin_read()?;
            let table = txn.open_table(BLOCKS).map_err(storage)?;
            if number <= head {
                return block_at(&table, number).map(Some);
            }
            get(&table, number)?
                .map(|bytes| decode_block(&bytes))
                .transpose()
        })
    }

    pub(crate) fn block_by_hash(&self, hash: B256) -> Result<Option<Block>> {
        guarded(|| {
            let txn = self.db.begin_read()?;
            let numbers = txn.open_table(BLOCK_NUMBERS).map_err(storage)?;
            let Some(number) = get(&numbers, hash.0)? else {
                return Ok(None);
            };
            let number = <[u8; 8]>::try_from(number.as_slice())
                .map(u64::from_be_bytes)
                .map_err(|_| Error::corrupt("block number of the wrong length"))?;
            let block = block_at(&txn.open_table(BLOCKS).map_err(storage)?, number)?;
            if block.hash != hash {
                return Err(Error::corrupt(format!(
                    "block hash {hash} is indexed as block {number}, which has another hash"
                )));
            }
            Ok(Some(block))
        })
    }

    pub(crate) fn receipt(&self, hash: B256) -> Result<Option<Receipt>> {
        guarded(|| {
            let txn = self.db.begin_read()?;
            let table = txn.open_table(RECEIPTS).map_err(storage)?;
            get(&table, hash.0)?
                .map(|bytes| decode_receipt(hash, &bytes))
                .transpose()
        })
    }

    pub(crate) fn raw_transaction(&self, hash: B256) -> Result<Option<Bytes>> {
        guarded(|| {
            let txn = self.db.begin_read()?;
            let table = txn.open_table(TRANSACTIONS).map_err(storage)?;
            Ok(get(&table, hash.0)?.map(Bytes::from))
        })
    }

    /// Logs of blocks `from..=to` that match `filter`, in chain order. A filter naming its
    /// contracts is answered from the log index (cost: the logs of those contracts in the
    /// range, or with event topics, only the matches); any other filter reads every block of
    /// the range.
    pub(crate) fn logs(&self, from: u64, to: u64, filter: &LogFilter) -> Result<Vec<Log>> {
        guarded(|| {
            let txn = self.db.begin_read()?;
            let receipts = txn.open_table(RECEIPTS).map_err(storage)?;
            let receipt_of = |hash: B256| -> Result<Receipt> {
                decode_receipt(
                    hash,
                    &get(&receipts, hash.0)?
                        .ok_or_else(|| Error::corrupt(format!("receipt {hash} is missing")))?,
                )
            };
            if filter.addresses.is_empty() {
                let blocks = txn.open_table(BLOCKS).map_err(storage)?;
                let mut found = Vec::new();
                for number in from..=to {
                    for hash in block_at(&blocks, number)?.transactions {
                        let logs = receipt_of(hash)?.logs;
                        found.extend(logs.into_iter().filter(|log| filter.matches(log)));
                    }
                }
                return Ok(found);
            }
            // (position, transaction) of every candidate, from the index.
            let mut candidates: Vec<(LogPosition, B256)> = Vec::new();
            let topics = filter.topics.first().filter(|t| !t.is_empty());
            for address in &filter.addresses {
                match topics {
                    Some(topics) => {
                        let table = txn.open_table(LOGS_BY_TOPIC).map_err(storage)?;
                        for topic in topics {
                            let range = LogPosition::first(from).topic_key(*address, *topic)
                                ..=LogPosition::last(to).topic_key(*address, *topic);
                            index_range(&table, range, &mut candidates)?;
                        }
                    }
                    None => {
                        let table = txn.open_table(LOGS_BY_ADDRESS).map_err(storage)?;
                        let range = LogPosition::first(from).address_key(*address)
                            ..=LogPosition::last(to).address_key(*address);
                        index_range(&table, range, &mut candidates)?;
                    }
                }
            }
            candidates.sort_unstable_by_key(|(position, _)| *position);
            candidates.dedup();
            let mut found = Vec::with_capacity(candidates.len());
            let mut last: Option<Receipt> = None;
            for (position, hash) in candidates {
                let receipt = match last.take() {
                    Some(receipt) if receipt.transaction_hash == hash => receipt,
                    _ => receipt_of(hash)?,
                };
                let log = receipt
                    .logs
                    .iter()
                    .find(|log| u64::from(position.index) == log.log_index)
                    .filter(|log| log.block_number == position.block)
                    .ok_or_else(|| {
                        Error::corrupt(format!(
                            "the log index names log {} of block {} in transaction {hash}, which has no such log",
                            position.index, position.block
                        ))
                    })?;
                if filter.matches(log) {
                    found.push(log.clone());
                }
                last = Some(receipt);
            }
            Ok(found)
        })
    }

    /// Gives access to the database for snapshot bookkeeping (of a writable store).
    pub(crate) fn database(&self) -> Result<&Database> {
        match &self.db {
            Db::Writable(db) => Ok(db),
            Db::ReadOnly(_) | Db::Closed => Err(Error::ReadOnly {
                path: self.dir.clone().unwrap_or_default(),
            }),
        }
    }
}

/// Where a log sits in the chain: the order of `eth_getLogs` answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct LogPosition {
    block: u64,
    index: u32,
}

impl LogPosition {
    fn of(log: &Log) -> Result<Self> {
        let index = u32::try_from(log.log_index)
            .map_err(|_| Error::Rejected("more than 2^32 logs in one block".into()))?;
        Ok(Self {
            block: log.block_number,
            index,
        })
    }

    const fn first(block: u64) -> Self {
        Self { block, index: 0 }
    }

    const fn last(block: u64) -> Self {
        Self {
            block,
            index: u32::MAX,
        }
    }

    fn address_key(self, address: Address) -> [u8; 32] {
        let mut key = [0u8; 32];
        key[..20].copy_from_slice(address.as_slice());
        key[20..28].copy_from_slice(&self.block.to_be_bytes());
        key[28..].copy_from_slice(&self.index.to_be_bytes());
        key
    }

    fn topic_key(self, address: Address, topic: B256) -> [u8; 64] {
        let mut key = [0u8; 64];
        key[..20].copy_from_slice(address.as_slice());
        key[20..52].copy_from_slice(topic.as_slice());
        key[52..60].copy_from_slice(&self.block.to_be_bytes());
        key[60..].copy_from_slice(&self.index.to_be_bytes());
        key
    }

    /// The position at the end of an index key.
    fn from_key(key: &[u8]) -> Result<Self> {
        let (block, index) = key
            .len()
            .checked_sub(12)
            .map(|start| key[start..].split_at(8))
            .ok_or_else(|| Error::corrupt("a log index key is too short"))?;
        Ok(Self {
            block: u64::from_be_bytes(block.try_into().unwrap_or_default()),
            index: u32::from_be_bytes(index.try_into().unwrap_or_default()),
        })
    }
}

/// Checks that the log index holds exactly one entry per log (and per log with a topic), each
/// naming the log's transaction.
fn check_log_index<T: ReadableTable<[u8; 32], Sealed> + TableHandle>(
    txn: &redb::ReadTransaction,
    receipts: &T,
) -> Result<()> {
    let by_address = txn.open_table(LOGS_BY_ADDRESS).map_err(storage)?;
    let by_topic = txn.open_table(LOGS_BY_TOPIC).map_err(storage)?;
    let (mut logs, mut with_topic) = (0u64, 0u64);
    for entry in receipts.iter().map_err(storage)? {
        let (hash, sealed) = entry.map_err(storage)?;
        let hash = hash.value();
        let receipt = decode_receipt(
            B256::from(hash),
            unseal(RECEIPTS.name(), &hash, sealed.value())?,
        )?;
        for log in &receipt.logs {
            let position = LogPosition::of(log)?;
            let missing = || {
                Error::corrupt(format!(
                    "log {} of block {} is missing from the log index",
                    log.log_index, log.block_number
                ))
            };
            let indexed = get(&by_address, position.address_key(log.address))?;
            if indexed.as_deref() != Some(&hash[..]) {
                return Err(missing());
            }
            logs += 1;
            if let Some(topic) = log.topics.first() {
                let indexed = get(&by_topic, position.topic_key(log.address, *topic))?;
                if indexed.as_deref() != Some(&hash[..]) {
                    return Err(missing());
                }
                with_topic += 1;
            }
        }
    }
    if check_all(&by_address, LOGS_BY_ADDRESS.name())? != logs
        || check_all(&by_topic, LOGS_BY_TOPIC.name())? != with_topic
    {
        return Err(Error::corrupt("the log index holds entries of no log"));
    }
    Ok(())
}

/// Adds the checked entries of `range` of a log index to `found`.
fn index_range<const N: usize, T: ReadableTable<[u8; N], Sealed> + TableHandle>(
    table: &T,
    range: std::ops::RangeInclusive<[u8; N]>,
    found: &mut Vec<(LogPosition, B256)>,
) -> Result<()> {
    for entry in table.range(range).map_err(storage)? {
        let (key, sealed) = entry.map_err(storage)?;
        let key = key.value();
        let hash = unseal(table.name(), &key, sealed.value())?;
        let hash = <[u8; 32]>::try_from(hash)
            .map(B256::from)
            .map_err(|_| Error::corrupt("a log index entry of the wrong length"))?;
        found.push((LogPosition::from_key(&key)?, hash));
    }
    Ok(())
}

/// A block's digests as recorded in [`DIGESTS`].
#[derive(Default)]
struct Digests {
    state: B256,
    chain: B256,
}

/// The state digest: the sum, modulo 2^256, of the entry hashes of every account, storage slot
/// and code entry. A sum can be updated entry by entry, and order does not matter.
#[derive(Default)]
struct StateDigest(U256);

impl StateDigest {
    fn add(&mut self, table: &str, key: &[u8], payload: &[u8]) {
        self.0 = self.0.wrapping_add(entry_hash(table, key, payload).into());
    }

    fn remove(&mut self, table: &str, key: &[u8], payload: &[u8]) {
        self.0 = self.0.wrapping_sub(entry_hash(table, key, payload).into());
    }

    fn to_b256(&self) -> B256 {
        B256::from(self.0.to_be_bytes::<32>())
    }
}

/// keccak256(DOMAIN ‖ len(table) ‖ table ‖ len(key) ‖ key ‖ payload), lengths as one and four
/// bytes: the hash a value's checksum and the state digest are made of.
fn entry_hash(table: &str, key: &[u8], payload: &[u8]) -> B256 {
    let mut hasher = Keccak256::new();
    hasher.update(DOMAIN);
    hasher.update([table.len() as u8]);
    hasher.update(table.as_bytes());
    hasher.update((key.len() as u32).to_be_bytes());
    hasher.update(key);
    hasher.update(payload);
    hasher.finalize()
}

/// `payload ‖ entry_hash(table, key, payload)[..CHECKSUM_LEN]`.
fn seal(table: &str, key: &[u8], payload: &[u8]) -> Vec<u8> {
    let checksum = entry_hash(table, key, payload);
    [payload, &checksum[..CHECKSUM_LEN]].concat()
}

/// The payload of a sealed value, if its checksum holds.
fn unseal<'v>(table: &str, key: &[u8], sealed: &'v [u8]) -> Result<&'v [u8]> {
    let damaged = || {
        Error::corrupt(format!(
            "the {table} entry {} fails its checksum",
            shown_key(key)
        ))
    };
    let split = sealed.len().checked_sub(CHECKSUM_LEN).ok_or_else(damaged)?;
    let (payload, checksum) = sealed.split_at(split);
    if entry_hash(table, key, payload)[..CHECKSUM_LEN] != *checksum {
        return Err(damaged());
    }
    Ok(payload)
}

/// A key for an error message: text as is if printable, else hex (block numbers as numbers).
fn shown_key(key: &[u8]) -> String {
    match key.len() {
        8 => u64::from_le_bytes(key.try_into().unwrap_or_default()).to_string(),
        _ if key.iter().all(u8::is_ascii_alphanumeric) => String::from_utf8_lossy(key).into(),
        _ => format!("0x{}", alloy::primitives::hex::encode(key)),
    }
}

/// redb's byte form of a key (what the checksum covers).
fn key_bytes<K: Key>(key: &K::SelfType<'_>) -> Vec<u8> {
    K::as_bytes(key).as_ref().to_vec()
}

/// Stores `payload` sealed under `key`, returning the payload it replaced (checked).
fn put<'k, K: Key + 'static>(
    table: &mut redb::Table<'_, K, Sealed>,
    key: impl std::borrow::Borrow<K::SelfType<'k>>,
    payload: &[u8],
) -> Result<Option<Vec<u8>>> {
    let key_bytes = key_bytes::<K>(key.borrow());
    let name = table.name().to_owned();
    let sealed = seal(&name, &key_bytes, payload);
    let old = table
        .insert(key.borrow(), sealed.as_slice())
        .map_err(storage)?;
    old.map(|old| unseal(&name, &key_bytes, old.value()).map(<[u8]>::to_vec))
        .transpose()
}

/// Removes `key`, returning the payload it held (checked).
fn delete<'k, K: Key + 'static>(
    table: &mut redb::Table<'_, K, Sealed>,
    key: impl std::borrow::Borrow<K::SelfType<'k>>,
) -> Result<Option<Vec<u8>>> {
    let key_bytes = key_bytes::<K>(key.borrow());
    let name = table.name().to_owned();
    let old = table.remove(key.borrow()).map_err(storage)?;
    old.map(|old| unseal(&name, &key_bytes, old.value()).map(<[u8]>::to_vec))
        .transpose()
}

/// The checked payload under `key`.
fn get<'k, K: Key + 'static, T: ReadableTable<K, Sealed> + TableHandle>(
    table: &T,
    key: impl std::borrow::Borrow<K::SelfType<'k>>,
) -> Result<Option<Vec<u8>>> {
    let key_bytes = key_bytes::<K>(key.borrow());
    table
        .get(key.borrow())
        .map_err(storage)?
        .map(|sealed| unseal(table.name(), &key_bytes, sealed.value()).map(<[u8]>::to_vec))
        .transpose()
}

/// Checks the seal of every entry of `table`; returns how many there are.
fn check_all<K: Key + 'static, T: ReadableTable<K, Sealed> + TableHandle>(
    table: &T,
    name: &str,
) -> Result<u64> {
    let mut count = 0;
    for entry in table.iter().map_err(storage)? {
        let (key, sealed) = entry.map_err(storage)?;
        unseal(name, &key_bytes::<K>(&key.value()), sealed.value())?;
        count += 1;
    }
    Ok(count)
}

/// Recomputes the state digest from every account, storage slot and code entry, checking each
/// seal, that each account decodes and has its code and each slot its account, and compares it
/// with the state digest recorded for block `head`: the one check that finds entries lost or
/// added (a lookup of a lost entry finds nothing, with no seal to fail). Returns the counts of
/// accounts, slots and code entries.
fn check_state(txn: &redb::ReadTransaction, head: u64, recorded: B256) -> Result<(u64, u64, u64)> {
    let mut digest = StateDigest::default();
    let accounts = txn.open_table(ACCOUNTS).map_err(storage)?;
    let slots = txn.open_table(STORAGE).map_err(storage)?;
    let code = txn.open_table(CODE).map_err(storage)?;
    let mut counts = (0, 0, 0);
    for entry in accounts.iter().map_err(storage)? {
        let (address, sealed) = entry.map_err(storage)?;
        let address = address.value();
        let payload = unseal(ACCOUNTS.name(), &address, sealed.value())?;
        digest.add(ACCOUNTS.name(), &address, payload);
        let info = decode_account(payload)?;
        if info.code_hash != KECCAK_EMPTY {
            bytecode(&code, info.code_hash)?;
        }
        counts.0 += 1;
    }
    for entry in slots.iter().map_err(storage)? {
        let (key, sealed) = entry.map_err(storage)?;
        let key = key.value();
        let payload = unseal(STORAGE.name(), &key, sealed.value())?;
        digest.add(STORAGE.name(), &key, payload);
        decode_word(payload)?;
        let address: [u8; 20] = key[..20].try_into().unwrap_or_default();
        if accounts.get(address).map_err(storage)?.is_none() {
            return Err(Error::corrupt(format!(
                "storage of the unknown account {}",
                Address::from(address)
            )));
        }
        counts.1 += 1;
    }
    for entry in code.iter().map_err(storage)? {
        let (hash, sealed) = entry.map_err(storage)?;
        let hash = hash.value();
        digest.add(
            CODE.name(),
            &hash,
            unseal(CODE.name(), &hash, sealed.value())?,
        );
        counts.2 += 1;
    }
    if digest.to_b256() != recorded {
        return Err(Error::corrupt(format!(
            "the state does not match the state digest of block {head}: entries were changed, lost or added"
        )));
    }
    Ok(counts)
}

fn head_number<T: ReadableTable<&'static str, Sealed> + TableHandle>(
    meta: &T,
) -> Result<Option<u64>> {
    get(meta, HEAD_KEY)?
        .map(|bytes| {
            <[u8; 8]>::try_from(bytes.as_slice())
                .map(u64::from_be_bytes)
                .map_err(|_| Error::corrupt("head pointer of the wrong length"))
        })
        .transpose()
}

fn block_at<T: ReadableTable<u64, Sealed> + TableHandle>(blocks: &T, number: u64) -> Result<Block> {
    decode_block(
        &get(blocks, number)?
            .ok_or_else(|| Error::corrupt(format!("block {number} is missing")))?,
    )
}

fn digests_of<T: ReadableTable<u64, Sealed> + TableHandle>(
    digests: &T,
    number: u64,
) -> Result<Digests> {
    let bytes = get(digests, number)?
        .ok_or_else(|| Error::corrupt(format!("the digests of block {number} are missing")))?;
    if bytes.len() != 64 {
        return Err(Error::corrupt(format!(
            "the digests of block {number} have the wrong length"
        )));
    }
    Ok(Digests {
        state: B256::from_slice(&bytes[..32]),
        chain: B256::from_slice(&bytes[32..]),
    })
}

fn bytecode<T: ReadableTable<[u8; 32], Sealed> + TableHandle>(
    code: &T,
    hash: B256,
) -> Result<Bytecode> {
    let bytes =
        get(code, hash.0)?.ok_or_else(|| Error::corrupt(format!("code {hash} is missing")))?;
    Bytecode::new_raw_checked(Bytes::from(bytes))
        .map_err(|e| Error::corrupt(format!("bad bytecode {hash}: {e:?}")))
}

/// keccak256(DOMAIN ‖ "block" ‖ parent chain digest ‖ keccak(block) ‖ state digest ‖ for each
/// transaction: keccak(receipt) ‖ keccak(raw transaction)).
fn chain_digest<
    R: ReadableTable<[u8; 32], Sealed> + TableHandle,
    T: ReadableTable<[u8; 32], Sealed> + TableHandle,
>(
    parent: B256,
    block_bytes: &[u8],
    state: B256,
    block: &Block,
    receipts: &R,
    transactions: &T,
) -> Result<B256> {
    let mut hasher = Keccak256::new();
    hasher.update(DOMAIN);
    hasher.update(b"block");
    hasher.update(parent);
    hasher.update(alloy::primitives::keccak256(block_bytes));
    hasher.update(state);
    for hash in &block.transactions {
        let missing = |what: &str| {
            Error::corrupt(format!(
                "the {what} of transaction {hash} in block {} is missing",
                block.number
            ))
        };
        let receipt = get(receipts, hash.0)?.ok_or_else(|| missing("receipt"))?;
        let raw = get(transactions, hash.0)?.ok_or_else(|| missing("raw bytes"))?;
        hasher.update(alloy::primitives::keccak256(receipt));
        hasher.update(alloy::primitives::keccak256(raw));
    }
    Ok(hasher.finalize())
}

/// Applies state changes to the state tables, keeping `digest` in step.
fn write_state(
    txn: &redb::WriteTransaction,
    changes: &EvmState,
    digest: &mut StateDigest,
) -> Result<()> {
    let mut accounts = txn.open_table(ACCOUNTS).map_err(storage)?;
    let mut slots = txn.open_table(STORAGE).map_err(storage)?;
    let mut code = txn.open_table(CODE).map_err(storage)?;
    let mut replace = |table: &str, key: &[u8], old: Option<Vec<u8>>, new: Option<&[u8]>| {
        if let Some(old) = old {
            digest.remove(table, key, &old);
        }
        if let Some(new) = new {
            digest.add(table, key, new);
        }
    };
    for (address, account) in changes {
        if !account.is_touched() {
            continue;
        }
        if account.is_selfdestructed() || account.is_created() {
            let start = storage_key(address, U256::ZERO);
            let end = storage_key(address, U256::MAX);
            let cleared: Vec<[u8; 52]> = slots
                .range(start..=end)
                .map_err(storage)?
                .map(|entry| entry.map(|(key, _)| key.value()))
                .collect::<std::result::Result<_, _>>()
                .map_err(storage)?;
            for key in cleared {
                let old = delete(&mut slots, key)?;
                replace(STORAGE.name(), &key, old, None);
            }
        }
        let address_key = address.0.0;
        if account.is_selfdestructed() {
            let old = delete(&mut accounts, address_key)?;
            replace(ACCOUNTS.name(), &address_key, old, None);
            continue;
        }
        let encoded = encode_account(&account.info);
        let old = put(&mut accounts, address_key, &encoded)?;
        replace(ACCOUNTS.name(), &address_key, old, Some(&encoded));
        // Code never changes under its hash: written once, so that calling a contract does not
        // rewrite its code.
        if let Some(bytecode) = &account.info.code
            && account.info.code_hash != KECCAK_EMPTY
            && get(&code, account.info.code_hash.0)?.is_none()
        {
            let bytes = bytecode.original_byte_slice();
            put(&mut code, account.info.code_hash.0, bytes)?;
            replace(CODE.name(), &account.info.code_hash.0, None, Some(bytes));
        }
        for (slot, value) in &account.storage {
            if !value.is_changed() {
                continue;
            }
            let key = storage_key(address, *slot);
            let present = value.present_value();
            if present.is_zero() {
                let old = delete(&mut slots, key)?;
                replace(STORAGE.name(), &key, old, None);
            } else {
                let bytes = present.to_be_bytes::<32>();
                let old = put(&mut slots, key, &bytes)?;
                replace(STORAGE.name(), &key, old, Some(&bytes));
            }
        }
    }
    Ok(())
}

/// `HEAD`: "<number> <chain digest>\n", replaced atomically.
fn write_head(dir: &Path, committed: &Committed) -> Result<()> {
    let path = dir.join(HEAD_FILE);
    let tmp = dir.join(format!(".{HEAD_FILE}.tmp-{}", std::process::id()));
    let contents = format!("{} {}\n", committed.number, committed.chain_digest);
    let written = fs::File::create(&tmp).and_then(|mut file| {
        file.write_all(contents.as_bytes())?;
        file.sync_all()
    });
    written
        .and_then(|()| fs::rename(&tmp, &path))
        .map_err(io_error)?;
    sync_dir(dir)
}

/// Compares `HEAD` with the database: the block it names must be stored with the chain digest it
/// records. The database may be ahead of `HEAD` (a kill between commit and `HEAD` update), never
/// behind. Returns the block `HEAD` names (`None` in memory, or for a genesis-only chain whose
/// `HEAD` was never written).
fn check_head<T: ReadableTable<u64, Sealed> + TableHandle>(
    dir: Option<&Path>,
    head: u64,
    digests: &T,
) -> Result<Option<u64>> {
    let Some(dir) = dir else {
        return Ok(None);
    };
    let path = dir.join(HEAD_FILE);
    let bytes = match fs::read(&path) {
        // `Store::create` publishes the chain file before `HEAD`: a genesis-only chain may lack it.
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && head == 0 => return Ok(None),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::corrupt(format!(
                "{} is missing, so the chain cannot be checked for a rollback",
                path.display()
            )));
        }
        other => other.map_err(io_error)?,
    };
    let (number, digest) = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|text| text.strip_suffix('\n'))
        .and_then(|text| text.split_once(' '))
        .and_then(|(number, digest)| {
            Some((number.parse::<u64>().ok()?, digest.parse::<B256>().ok()?))
        })
        .ok_or_else(|| Error::corrupt(format!("{} is not a head record", path.display())))?;
    if number > head {
        return Err(Error::corrupt(format!(
            "the chain file ends at block {head} but block {number} was committed: the database went back to an older state"
        )));
    }
    if digests_of(digests, number)?.chain != digest {
        return Err(Error::corrupt(format!(
            "block {number} differs from the one committed ({})",
            path.display()
        )));
    }
    Ok(Some(number))
}

/// Runs a read or write of the store, reporting a panic of redb (damage found after open) as
/// corruption.
fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    without_panic(f).map_err(Error::corrupt)?
}

/// Runs `f`, turning a panic into its message.
fn without_panic<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        format!("unreadable database ({message})")
    })
}

/// The chain file of `dir`, if there is one.
fn chain_file(dir: &Path) -> Result<PathBuf> {
    let path = dir.join(CHAIN_FILE);
    if !path.is_file() {
        return Err(Error::NotFound { path });
    }
    Ok(path)
}

fn open_error(err: redb::DatabaseError, path: &Path) -> Error {
    match err {
        // Only a read-only open refuses to recover a file whose writer was killed.
        redb::DatabaseError::RepairAborted => Error::NeedsRecovery {
            path: path.to_path_buf(),
        },
        // A mismatch of lock protocols means a process with another redb version holds the file.
        redb::DatabaseError::DatabaseAlreadyOpen | redb::DatabaseError::LockProtocolMismatch => {
            Error::Locked {
                path: path.to_path_buf(),
            }
        }
        // redb reports a file that is not a database (bad magic number, empty file) as invalid
        // data, and one cut short in its header as an unexpected end of file.
        redb::DatabaseError::Storage(redb::StorageError::Io(io))
            if matches!(
                io.kind(),
                std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof
            ) =>
        {
            Error::corrupt(format!("{}: {io}", path.display()))
        }
        redb::DatabaseError::Storage(redb::StorageError::Io(io)) => Error::Storage(io.into()),
        other => Error::corrupt(format!("{}: {other}", path.display())),
    }
}

fn storage_key(address: &Address, slot: U256) -> [u8; 52] {
    let mut key = [0u8; 52];
    key[..20].copy_from_slice(address.as_slice());
    key[20..].copy_from_slice(&slot.to_be_bytes::<32>());
    key
}

fn encode_account(info: &AccountInfo) -> [u8; 72] {
    let mut out = [0u8; 72];
    out[..32].copy_from_slice(&info.balance.to_be_bytes::<32>());
    out[32..40].copy_from_slice(&info.nonce.to_be_bytes());
    out[40..].copy_from_slice(info.code_hash.as_slice());
    out
}

fn decode_account(bytes: &[u8]) -> Result<AccountInfo> {
    let bytes: &[u8; 72] = bytes
        .try_into()
        .map_err(|_| Error::corrupt("account record of the wrong length"))?;
    let mut nonce = [0u8; 8];
    nonce.copy_from_slice(&bytes[32..40]);
    Ok(AccountInfo {
        balance: U256::from_be_slice(&bytes[..32]),
        nonce: u64::from_be_bytes(nonce),
        code_hash: B256::from_slice(&bytes[40..]),
        code: None,
        ..Default::default()
    })
}

fn decode_word(bytes: &[u8]) -> Result<U256> {
    <[u8; 32]>::try_from(bytes)
        .map(U256::from_be_bytes)
        .map_err(|_| Error::corrupt("storage value of the wrong length"))
}

fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("plain structs with string keys always serialise")
}

fn from_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(Error::corrupt)
}

fn io_error(err: std::io::Error) -> Error {
    Error::Storage(err.into())
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error)
}

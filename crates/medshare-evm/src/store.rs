//! Durable home of a chain: one redb database holding state, blocks, receipts and raw
//! transactions. Every block is written in a single ACID write transaction, so a process killed
//! at any point leaves the chain at either the previous or the new block.

use std::{fs, path::Path};

use alloy::primitives::{Address, B256, Bytes, U256};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, backends::InMemoryBackend};
use revm::{
    bytecode::Bytecode,
    database::{CacheDB, EmptyDB},
    primitives::KECCAK_EMPTY,
    state::{AccountInfo, EvmState},
};

use crate::{
    Block, Genesis, Log, LogFilter, Receipt,
    error::{Error, Result, storage},
};

/// Small values: the genesis and the head pointer.
const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("meta");
/// address → balance (32 bytes BE) ‖ nonce (8 bytes BE) ‖ code hash (32 bytes).
const ACCOUNTS: TableDefinition<'_, [u8; 20], [u8; 72]> = TableDefinition::new("accounts");
/// address ‖ slot (32 bytes BE) → value (32 bytes BE); zero values are deleted.
const STORAGE: TableDefinition<'_, [u8; 52], [u8; 32]> = TableDefinition::new("storage");
/// code hash → bytecode.
const CODE: TableDefinition<'_, [u8; 32], &[u8]> = TableDefinition::new("code");
/// number → block (JSON).
const BLOCKS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("blocks");
/// transaction hash → receipt (JSON).
const RECEIPTS: TableDefinition<'_, [u8; 32], &[u8]> = TableDefinition::new("receipts");
/// transaction hash → signed EIP-2718 bytes.
const TRANSACTIONS: TableDefinition<'_, [u8; 32], &[u8]> = TableDefinition::new("transactions");

const GENESIS_KEY: &str = "genesis";
const HEAD_KEY: &str = "head";
/// Layout version of this file; bumped on any incompatible change of the tables above.
const FORMAT_KEY: &str = "format";
const FORMAT_VERSION: &[u8] = b"medshare-chain-1";

/// Name of the chain file inside a chain directory.
pub(crate) const CHAIN_FILE: &str = "chain.redb";

/// What a block commits besides the block itself.
pub(crate) struct BlockWrite<'a> {
    pub(crate) block: &'a Block,
    pub(crate) changes: &'a EvmState,
    pub(crate) receipts: &'a [Receipt],
    pub(crate) raw_transactions: &'a [(B256, Bytes)],
}

/// Everything loaded when a chain is opened.
pub(crate) struct Loaded {
    pub(crate) genesis: Genesis,
    pub(crate) head: Block,
    pub(crate) state: CacheDB<EmptyDB>,
}

pub(crate) struct Store {
    db: Database,
}

impl Store {
    /// A store that lives in memory only.
    pub(crate) fn in_memory() -> Result<Self> {
        let db = Database::builder()
            .create_with_backend(InMemoryBackend::new())
            .map_err(storage)?;
        Ok(Self { db })
    }

    /// Creates the chain file in `dir` and writes the genesis block, atomically: the file is
    /// built under a temporary name and renamed into place only once complete.
    pub(crate) fn create(
        dir: &Path,
        genesis_write: impl FnOnce(&Self) -> Result<()>,
    ) -> Result<Self> {
        let path = dir.join(CHAIN_FILE);
        if path.exists() {
            return Err(Error::AlreadyExists { path });
        }
        fs::create_dir_all(dir).map_err(|e| Error::Storage(e.into()))?;
        // Per process, so that two processes creating the same chain never share a file.
        let tmp = dir.join(format!("{CHAIN_FILE}.tmp-{}", std::process::id()));
        // A leftover of an interrupted creation (by a process with our pid) holds nothing of value.
        let _ = fs::remove_file(&tmp);
        {
            let store = Self {
                db: Database::create(&tmp).map_err(|e| open_error(e, &tmp))?,
            };
            genesis_write(&store)?;
        }
        // A hard link publishes the file without clobbering a chain another process created
        // meanwhile (a rename would silently replace it).
        let published = fs::hard_link(&tmp, &path);
        let _ = fs::remove_file(&tmp);
        match published {
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(Error::AlreadyExists { path });
            }
            other => other.map_err(|e| Error::Storage(e.into()))?,
        }
        sync_dir(dir)?;
        Self::open(dir)
    }

    /// Opens the chain file in `dir`, taking its lock.
    pub(crate) fn open(dir: &Path) -> Result<Self> {
        let path = dir.join(CHAIN_FILE);
        if !path.is_file() {
            return Err(Error::NotFound { path });
        }
        // redb trusts the pages of a cleanly closed file and panics on some damaged ones.
        let db = without_panic(|| Database::open(&path))
            .map_err(|reason| Error::corrupt(format!("{}: {reason}", path.display())))?
            .map_err(|e| open_error(e, &path))?;
        Ok(Self { db })
    }

    /// Writes genesis state and block 0.
    pub(crate) fn write_genesis(
        &self,
        genesis: &Genesis,
        block: &Block,
        changes: &EvmState,
    ) -> Result<()> {
        let txn = self.db.begin_write().map_err(storage)?;
        {
            let mut meta = txn.open_table(META).map_err(storage)?;
            meta.insert(FORMAT_KEY, FORMAT_VERSION).map_err(storage)?;
            meta.insert(GENESIS_KEY, to_json(genesis).as_slice())
                .map_err(storage)?;
        }
        // Create every table so that readers never meet a missing one.
        txn.open_table(RECEIPTS).map_err(storage)?;
        txn.open_table(TRANSACTIONS).map_err(storage)?;
        txn.open_table(CODE).map_err(storage)?;
        txn.open_table(STORAGE).map_err(storage)?;
        txn.open_table(ACCOUNTS).map_err(storage)?;
        txn.open_table(BLOCKS).map_err(storage)?;
        txn.commit().map_err(storage)?;
        self.write_block(&BlockWrite {
            block,
            changes,
            receipts: &[],
            raw_transactions: &[],
        })
    }

    /// Commits one block with its state changes, receipts and transactions, all or nothing.
    pub(crate) fn write_block(&self, write: &BlockWrite<'_>) -> Result<()> {
        let txn = self.db.begin_write().map_err(storage)?;
        {
            let mut accounts = txn.open_table(ACCOUNTS).map_err(storage)?;
            let mut slots = txn.open_table(STORAGE).map_err(storage)?;
            let mut code = txn.open_table(CODE).map_err(storage)?;
            for (address, account) in write.changes {
                if !account.is_touched() {
                    continue;
                }
                if account.is_selfdestructed() || account.is_created() {
                    clear_storage(&mut slots, address)?;
                }
                if account.is_selfdestructed() {
                    accounts.remove(address.0.0).map_err(storage)?;
                    continue;
                }
                accounts
                    .insert(address.0.0, encode_account(&account.info))
                    .map_err(storage)?;
                if let Some(bytecode) = &account.info.code
                    && account.info.code_hash != KECCAK_EMPTY
                {
                    code.insert(account.info.code_hash.0, bytecode.original_byte_slice())
                        .map_err(storage)?;
                }
                for (slot, value) in &account.storage {
                    if !value.is_changed() {
                        continue;
                    }
                    let key = storage_key(address, *slot);
                    let present = value.present_value();
                    if present.is_zero() {
                        slots.remove(key).map_err(storage)?;
                    } else {
                        slots
                            .insert(key, present.to_be_bytes::<32>())
                            .map_err(storage)?;
                    }
                }
            }
            let mut receipts = txn.open_table(RECEIPTS).map_err(storage)?;
            for receipt in write.receipts {
                receipts
                    .insert(receipt.transaction_hash.0, to_json(receipt).as_slice())
                    .map_err(storage)?;
            }
            let mut transactions = txn.open_table(TRANSACTIONS).map_err(storage)?;
            for (hash, raw) in write.raw_transactions {
                transactions.insert(hash.0, raw.as_ref()).map_err(storage)?;
            }
            let mut blocks = txn.open_table(BLOCKS).map_err(storage)?;
            blocks
                .insert(write.block.number, to_json(write.block).as_slice())
                .map_err(storage)?;
            let mut meta = txn.open_table(META).map_err(storage)?;
            meta.insert(HEAD_KEY, write.block.number.to_be_bytes().as_slice())
                .map_err(storage)?;
        }
        txn.commit().map_err(storage)
    }

    /// Reads the whole chain state into memory; a damaged file that makes redb panic is reported
    /// as corrupt.
    pub(crate) fn load(&self) -> Result<Loaded> {
        without_panic(|| self.load_unguarded()).map_err(Error::corrupt)?
    }

    fn load_unguarded(&self) -> Result<Loaded> {
        let txn = self.db.begin_read().map_err(storage)?;
        let meta = txn.open_table(META).map_err(storage)?;
        let format = meta
            .get(FORMAT_KEY)
            .map_err(storage)?
            .ok_or_else(|| Error::corrupt("no format marker"))?;
        if format.value() != FORMAT_VERSION {
            return Err(Error::corrupt(format!(
                "unsupported chain format {:?}",
                String::from_utf8_lossy(format.value())
            )));
        }
        let genesis: Genesis = from_json(
            meta.get(GENESIS_KEY)
                .map_err(storage)?
                .ok_or_else(|| Error::corrupt("no genesis"))?
                .value(),
        )?;
        let head_number = meta
            .get(HEAD_KEY)
            .map_err(storage)?
            .and_then(|v| v.value().try_into().ok().map(u64::from_be_bytes))
            .ok_or_else(|| Error::corrupt("no head block"))?;
        let head = self
            .block(head_number)?
            .ok_or_else(|| Error::corrupt("head block missing"))?;

        let mut state = CacheDB::new(EmptyDB::default());
        let code = txn.open_table(CODE).map_err(storage)?;
        for entry in txn
            .open_table(ACCOUNTS)
            .map_err(storage)?
            .iter()
            .map_err(storage)?
        {
            let (address, encoded) = entry.map_err(storage)?;
            let mut info = decode_account(&encoded.value());
            if info.code_hash != KECCAK_EMPTY {
                let bytes = code
                    .get(info.code_hash.0)
                    .map_err(storage)?
                    .ok_or_else(|| Error::corrupt(format!("code {} missing", info.code_hash)))?;
                let bytecode = Bytecode::new_raw_checked(Bytes::copy_from_slice(bytes.value()))
                    .map_err(|e| {
                        Error::corrupt(format!("bad bytecode {}: {e:?}", info.code_hash))
                    })?;
                info.code = Some(bytecode);
            }
            state.insert_account_info(Address::from(address.value()), info);
        }
        for entry in txn
            .open_table(STORAGE)
            .map_err(storage)?
            .iter()
            .map_err(storage)?
        {
            let (key, value) = entry.map_err(storage)?;
            let key = key.value();
            let address = Address::from_slice(&key[..20]);
            let slot = U256::from_be_slice(&key[20..]);
            state
                .insert_account_storage(address, slot, U256::from_be_bytes(value.value()))
                .map_err(|_| Error::corrupt("storage of an unknown account"))?;
        }
        Ok(Loaded {
            genesis,
            head,
            state,
        })
    }

    pub(crate) fn block(&self, number: u64) -> Result<Option<Block>> {
        let txn = self.db.begin_read().map_err(storage)?;
        let table = txn.open_table(BLOCKS).map_err(storage)?;
        table
            .get(number)
            .map_err(storage)?
            .map(|v| from_json(v.value()))
            .transpose()
    }

    pub(crate) fn receipt(&self, hash: B256) -> Result<Option<Receipt>> {
        let txn = self.db.begin_read().map_err(storage)?;
        let table = txn.open_table(RECEIPTS).map_err(storage)?;
        table
            .get(hash.0)
            .map_err(storage)?
            .map(|v| from_json(v.value()))
            .transpose()
    }

    pub(crate) fn raw_transaction(&self, hash: B256) -> Result<Option<Bytes>> {
        let txn = self.db.begin_read().map_err(storage)?;
        let table = txn.open_table(TRANSACTIONS).map_err(storage)?;
        Ok(table
            .get(hash.0)
            .map_err(storage)?
            .map(|v| Bytes::copy_from_slice(v.value())))
    }

    /// Logs of blocks `from..=to` that match `filter`, in chain order.
    pub(crate) fn logs(&self, from: u64, to: u64, filter: &LogFilter) -> Result<Vec<Log>> {
        let txn = self.db.begin_read().map_err(storage)?;
        let blocks = txn.open_table(BLOCKS).map_err(storage)?;
        let receipts = txn.open_table(RECEIPTS).map_err(storage)?;
        let mut found = Vec::new();
        for entry in blocks.range(from..=to).map_err(storage)? {
            let block: Block = from_json(entry.map_err(storage)?.1.value())?;
            for hash in &block.transactions {
                let receipt: Receipt = from_json(
                    receipts
                        .get(hash.0)
                        .map_err(storage)?
                        .ok_or_else(|| Error::corrupt(format!("receipt {hash} missing")))?
                        .value(),
                )?;
                found.extend(receipt.logs.into_iter().filter(|log| filter.matches(log)));
            }
        }
        Ok(found)
    }

    /// Gives access to the database for snapshot bookkeeping.
    pub(crate) const fn database(&self) -> &Database {
        &self.db
    }
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

fn open_error(err: redb::DatabaseError, path: &Path) -> Error {
    match err {
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

fn clear_storage(slots: &mut redb::Table<'_, [u8; 52], [u8; 32]>, address: &Address) -> Result<()> {
    let start = storage_key(address, U256::ZERO);
    let end = storage_key(address, U256::MAX);
    slots.retain_in(start..=end, |_, _| false).map_err(storage)
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

fn decode_account(bytes: &[u8; 72]) -> AccountInfo {
    let mut nonce = [0u8; 8];
    nonce.copy_from_slice(&bytes[32..40]);
    AccountInfo {
        balance: U256::from_be_slice(&bytes[..32]),
        nonce: u64::from_be_bytes(nonce),
        code_hash: B256::from_slice(&bytes[40..]),
        code: None,
        ..Default::default()
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("plain structs with string keys always serialise")
}

fn from_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(Error::corrupt)
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::Storage(e.into()))
}

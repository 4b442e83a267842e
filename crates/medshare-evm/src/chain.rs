use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use alloy::{
    consensus::{Transaction, TxEnvelope, transaction::SignerRecoverable},
    eips::Decodable2718,
    primitives::{Address, B256, Bytes, TxKind, U256, keccak256},
};
use revm::{
    Context, DatabaseCommit, DatabaseRef, ExecuteEvm, MainBuilder, MainContext,
    context::{BlockEnv, TxEnv, result::EVMError, result::ExecutionResult},
    database::CacheDB,
    primitives::hardfork::SpecId,
    state::{Account, AccountInfo, EvmState, EvmStorageSlot, TransactionId},
};

use crate::{
    Block, CallOutcome, CallRequest, Genesis, Log, LogFilter, Receipt, VerifyReport,
    error::{Error, Result},
    store::{BlockWrite, StateReader, Store},
    types::unix_now,
};

/// The EVM hardfork the chain runs: Shanghai, as on the Besu QBFT target.
pub const SPEC: SpecId = SpecId::SHANGHAI;

/// An EVM chain executed in-process by revm.
///
/// Every accepted transaction is executed, mined into a block of its own and committed, together
/// with its state changes, receipt and logs, in one ACID transaction of the backing store. A
/// chain opened from a directory ([`Chain::create`], [`Chain::open`]) survives restarts and
/// crashes; the lock on its file keeps other processes out while it is open. A chain made by
/// [`Chain::in_memory`] vanishes when dropped; [`crate::TestChain`] adds test-only controls.
///
/// Damage of the chain file is detected, not answered around: values carry checksums, blocks
/// carry chained digests of their state and transactions, and [`Chain::verify`] checks it all.
///
/// Block hashes are `keccak256(parentHash ‖ number ‖ timestamp ‖ gasLimit ‖ gasUsed ‖ baseFee ‖
/// txHash…)` with integers as 8-byte big-endian: unique and chained, but not Ethereum header hashes
/// (the embedded chain computes no state or receipt tries).
pub struct Chain {
    store: Store,
    pending: Option<Pending>,
    genesis: Genesis,
    /// The latest state, read lazily from the store. Shared with the pending block, which reads
    /// it underneath its own changes. `None` if taking it after the last commit failed: each
    /// read then takes its own, until the next commit.
    state: Option<Arc<StateReader>>,
    head: Block,
    pub(crate) clock: Clock,
    path: Option<PathBuf>,
}

/// Where block timestamps come from: the wall clock, shifted and overridable for tests.
#[derive(Clone, Debug, Default)]
pub(crate) struct Clock {
    /// Seconds added to the wall clock (time travel).
    pub(crate) offset: u64,
    /// Exact timestamp for the next block, consumed when it is mined.
    pub(crate) next: Option<u64>,
}

impl Clock {
    fn now(&self) -> u64 {
        unix_now().saturating_add(self.offset)
    }
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain")
            .field("chain_id", &self.genesis.chain_id)
            .field("head", &self.head.number)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Chain {
    /// A fresh chain that lives in memory only.
    pub fn in_memory(genesis: Genesis) -> Result<Self> {
        let store = Store::in_memory()?;
        let (block, changes) = genesis_block(&genesis);
        let committed = store.write_genesis(&genesis, &block, &changes)?;
        store.record_head(&committed)?;
        Self::from_store(store, None)
    }

    /// Creates a persistent chain in directory `dir` (created if missing).
    ///
    /// Fails with [`Error::AlreadyExists`] if `dir` already holds a chain.
    pub fn create(dir: impl AsRef<Path>, genesis: Genesis) -> Result<Self> {
        let dir = dir.as_ref();
        let (block, changes) = genesis_block(&genesis);
        let store = Store::create(dir, |store| store.write_genesis(&genesis, &block, &changes))?;
        Self::from_store(store, Some(dir.to_path_buf()))
    }

    /// Opens the persistent chain in directory `dir`. Only the head is read and checked (format,
    /// genesis, head block and digests, `HEAD`); the state is read as it is used, each value
    /// checked then, and [`Self::verify`] checks the whole file.
    ///
    /// Fails with [`Error::NotFound`] if there is none, [`Error::Locked`] if another process has
    /// it open, and [`Error::Corrupt`] if the file is not a readable chain.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        Self::from_store(Store::open(dir)?, Some(dir.to_path_buf()))
    }

    /// Opens the persistent chain in directory `dir` without writing to it, for a data
    /// directory this process may only read. The whole file is checked as by [`Self::verify`]
    /// (a file this process cannot write may also not be repaired by it); sending a transaction
    /// fails with [`Error::ReadOnly`].
    pub fn open_read_only(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let chain = Self::from_store(Store::open_read_only(dir)?, Some(dir.to_path_buf()))?;
        chain.store.verify()?;
        Ok(chain)
    }

    /// Whether the chain was opened with [`Self::open_read_only`].
    pub const fn is_read_only(&self) -> bool {
        self.store.is_read_only()
    }

    fn from_store(store: Store, path: Option<PathBuf>) -> Result<Self> {
        let loaded = store.load()?;
        let state = Some(Arc::new(store.reader()?));
        Ok(Self {
            store,
            pending: None,
            genesis: loaded.genesis,
            state,
            head: loaded.head,
            clock: Clock::default(),
            path,
        })
    }

    /// EIP-155 chain id.
    pub const fn chain_id(&self) -> u64 {
        self.genesis.chain_id
    }

    /// The parameters the chain was created with.
    pub const fn genesis(&self) -> &Genesis {
        &self.genesis
    }

    /// Directory of a persistent chain; `None` for an in-memory one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The latest block.
    pub const fn head(&self) -> &Block {
        &self.head
    }

    /// Number of the latest block.
    pub const fn block_number(&self) -> u64 {
        self.head.number
    }

    /// Block `number`, if mined.
    ///
    /// A block up to the head that cannot be read is [`Error::Corrupt`], never `None`.
    pub fn block(&self, number: u64) -> Result<Option<Block>> {
        self.store.block(number, self.head.number)
    }

    /// The block with hash `hash`, if mined.
    pub fn block_by_hash(&self, hash: B256) -> Result<Option<Block>> {
        self.store.block_by_hash(hash)
    }

    /// Receipt of an included transaction.
    pub fn receipt(&self, tx_hash: B256) -> Result<Option<Receipt>> {
        self.store.receipt(tx_hash)
    }

    /// Signed EIP-2718 bytes of an included transaction.
    pub fn raw_transaction(&self, tx_hash: B256) -> Result<Option<Bytes>> {
        self.store.raw_transaction(tx_hash)
    }

    /// Logs matching `filter`, like `eth_getLogs`.
    pub fn logs(&self, filter: &LogFilter) -> Result<Vec<Log>> {
        let from = filter.from_block.unwrap_or(0);
        let to = filter
            .to_block
            .unwrap_or(self.head.number)
            .min(self.head.number);
        if from > to {
            return Ok(Vec::new());
        }
        self.store.logs(from, to, filter)
    }

    /// Checks the whole chain file: every stored value against its checksum, the state against
    /// the head's state digest, every block against its parent and its chain digest, every
    /// transaction against its receipt and raw bytes, and the head against the `HEAD` record.
    ///
    /// Fails with [`Error::Corrupt`] naming the first damage found.
    pub fn verify(&self) -> Result<VerifyReport> {
        self.store.verify()
    }

    /// Account nonce (number of transactions sent, or contracts created by a contract).
    ///
    /// State is read from the chain file when asked for, so this and the other state reads fail
    /// with [`Error::Corrupt`] if the value read is damaged.
    pub fn nonce(&self, address: Address) -> Result<u64> {
        Ok(self.account(address)?.map_or(0, |info| info.nonce))
    }

    /// Account balance in wei.
    pub fn balance(&self, address: Address) -> Result<U256> {
        Ok(self
            .account(address)?
            .map_or(U256::ZERO, |info| info.balance))
    }

    /// Deployed code of an account (empty for an externally owned account).
    pub fn code(&self, address: Address) -> Result<Bytes> {
        let Some(info) = self.account(address)? else {
            return Ok(Bytes::new());
        };
        Ok(self
            .latest()?
            .code_by_hash_ref(info.code_hash)?
            .original_bytes())
    }

    /// Value of a storage slot.
    pub fn storage_at(&self, address: Address, slot: U256) -> Result<U256> {
        self.latest()?.storage_ref(address, slot)
    }

    fn account(&self, address: Address) -> Result<Option<AccountInfo>> {
        self.latest()?.basic_ref(address)
    }

    /// The latest state.
    fn latest(&self) -> Result<Arc<StateReader>> {
        match &self.state {
            Some(state) => Ok(Arc::clone(state)),
            None => self.store.reader().map(Arc::new),
        }
    }

    /// Validates, executes and mines a signed transaction (EIP-2718 bytes: legacy with EIP-155,
    /// EIP-2930 or EIP-1559), returning its receipt: the transaction joins the pending block
    /// (see [`Self::submit_raw_transaction`]), which is then mined.
    ///
    /// A transaction that reverts is still mined (its receipt has `status == false`); one that
    /// cannot be included at all (bad signature, wrong chain id, nonce, gas, balance) is
    /// rejected with an error and changes nothing.
    pub fn send_raw_transaction(&mut self, raw: &[u8]) -> Result<Receipt> {
        let hash = self.submit_raw_transaction(raw)?;
        self.mine_including(hash)
    }

    /// Validates and executes a signed transaction into the pending block, without mining it:
    /// [`Self::mine_pending`] commits every pending transaction as one block, as a node with a
    /// block period does. Returns the transaction hash; its receipt exists once mined.
    ///
    /// Rejections are as for [`Self::send_raw_transaction`], checked against the pending state
    /// (so a sender's next nonce is [`Self::pending_nonce`]).
    pub fn submit_raw_transaction(&mut self, raw: &[u8]) -> Result<B256> {
        let envelope = decode_transaction(raw)?;
        let caller = envelope
            .recover_signer()
            .map_err(|e| Error::Rejected(format!("invalid signature: {e}")))?;
        let tx = tx_env(&envelope, caller, self.chain_id())?;
        let hash = *envelope.tx_hash();
        if self.pending.as_ref().is_some_and(|p| p.includes(hash))
            || self.store.receipt(hash)?.is_some()
        {
            return Err(Error::Rejected(format!(
                "transaction {hash} is already known"
            )));
        }
        self.include(tx, hash, Bytes::copy_from_slice(raw))?;
        Ok(hash)
    }

    /// Executes `tx` into the pending block, opening one if there is none, and sealing the
    /// current one first if `tx` could overflow its gas limit.
    pub(crate) fn include(&mut self, tx: TxEnv, hash: B256, raw: Bytes) -> Result<()> {
        let gas_limit = self.genesis.gas_limit;
        if self
            .pending
            .as_ref()
            .is_some_and(|p| p.gas_used.saturating_add(tx.gas_limit) > gas_limit)
        {
            self.mine_pending()?;
        }
        let pending = match self.pending.take() {
            Some(pending) => pending,
            None => Pending::open(self)?,
        };
        let block_env = self.block_env(pending.number, pending.timestamp);
        // What the sender pays per gas: the gas price of legacy and EIP-2930 transactions, and
        // min(max fee, base fee + priority fee) for EIP-1559 ones.
        let gas_price = {
            use revm::context::Transaction;
            tx.effective_gas_price(u128::from(block_env.basefee))
        };
        let from = tx.caller;
        let to = tx.kind.to().copied();
        let outcome = match execute(&pending.state, self.chain_id(), tx, block_env) {
            Ok(outcome) => outcome,
            Err(err) => {
                // A rejected transaction leaves the pending block as it was.
                self.pending = (!pending.raw_transactions.is_empty()).then_some(pending);
                return Err(err);
            }
        };
        let mut pending = pending;
        pending.add(hash, raw, from, to, gas_price, outcome);
        self.pending = Some(pending);
        Ok(())
    }

    /// Mines the pending transactions into one block and commits it; returns it (`None` when
    /// nothing is pending).
    pub fn mine_pending(&mut self) -> Result<Option<Block>> {
        Ok(self.seal_pending()?.map(|(block, _)| block))
    }

    /// Mines the pending block, which holds transaction `hash`, and returns its receipt.
    pub(crate) fn mine_including(&mut self, hash: B256) -> Result<Receipt> {
        self.seal_pending()?
            .and_then(|(_, receipts)| receipts.into_iter().find(|r| r.transaction_hash == hash))
            .ok_or_else(|| Error::corrupt(format!("transaction {hash} was not in the mined block")))
    }

    /// [`Self::mine_pending`], also returning the block's receipts.
    fn seal_pending(&mut self) -> Result<Option<(Block, Vec<Receipt>)>> {
        let Some(pending) = &self.pending else {
            return Ok(None);
        };
        let (block, receipts) = pending.seal(self.head.hash, self.genesis.gas_limit);
        // On failure the transactions stay pending, for the next attempt.
        let committed = self.store.write_block(&BlockWrite {
            block: &block,
            changes: &pending.changes,
            receipts: &receipts,
            raw_transactions: &pending.raw_transactions,
        })?;
        // Only once the block is durable does the in-memory view move on.
        self.pending = None;
        self.head = block.clone();
        self.clock.next = None;
        self.refresh_state();
        self.store.record_head(&committed)?;
        Ok(Some((block, receipts)))
    }

    /// Runs `build` in bulk mode, for generating long histories in benchmarks: blocks are
    /// committed one by one as usual, but flushed to disk only now and then and without updating
    /// `HEAD`, which a kill may then leave far behind; everything is flushed and `HEAD` written
    /// when `build` returns.
    #[cfg(feature = "bulk")]
    pub fn in_bulk<T>(&mut self, build: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.store.start_bulk();
        let built = build(self);
        let ended = self.store.end_bulk();
        let built = built?;
        ended.map(|()| built)
    }

    /// Whether transactions wait in the pending block.
    pub fn has_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Reads the state of the last commit from now on (the previous reader's redb read
    /// transaction ends, so redb can reuse the pages that commit freed).
    fn refresh_state(&mut self) {
        // On failure each read takes its own reader (see `latest`), and reports the error.
        self.state = self.store.reader().ok().map(Arc::new);
    }

    /// The nonce of `address` after the pending transactions (the next one it may use).
    pub fn pending_nonce(&self, address: Address) -> Result<u64> {
        match &self.pending {
            Some(pending) => Ok(pending
                .state
                .basic_ref(address)?
                .map_or(0, |info| info.nonce)),
            None => self.nonce(address),
        }
    }

    /// Executes a read-only call against the latest state (`eth_call`); nothing is committed.
    pub fn call(&self, request: &CallRequest) -> Result<CallOutcome> {
        let block_env = self.block_env(self.head.number + 1, self.next_timestamp());
        let outcome = execute(
            &*self.latest()?,
            self.chain_id(),
            self.call_env(request)?,
            block_env,
        )?;
        let gas_used = outcome.result.tx_gas_used();
        Ok(match outcome.result {
            ExecutionResult::Success { output, .. } => CallOutcome {
                success: true,
                output: output.into_data(),
                gas_used,
            },
            ExecutionResult::Revert { output, .. } => CallOutcome {
                success: false,
                output,
                gas_used,
            },
            ExecutionResult::Halt { .. } => CallOutcome {
                success: false,
                output: Bytes::new(),
                gas_used,
            },
        })
    }

    /// The smallest gas limit with which `request` succeeds (`eth_estimateGas`), found by binary
    /// search. Fails with [`Error::Reverted`], holding the revert data, if it fails even with the
    /// block gas limit.
    pub fn estimate_gas(&self, request: &CallRequest) -> Result<u64> {
        let with_gas = |gas: u64| {
            let mut request = request.clone();
            request.gas = Some(gas);
            self.call(&request)
        };
        let cap = request.gas.unwrap_or(self.genesis.gas_limit);
        let first = with_gas(cap)?;
        if !first.success {
            return Err(Error::Reverted(first.output));
        }
        // Gas used is a lower bound; refunds and the 63/64 rule can make the needed limit higher.
        let (mut low, mut high) = (first.gas_used.saturating_sub(1), cap);
        while low + 1 < high {
            let mid = low + (high - low) / 2;
            if with_gas(mid)?.success {
                high = mid;
            } else {
                low = mid;
            }
        }
        Ok(high)
    }

    fn call_env(&self, request: &CallRequest) -> Result<TxEnv> {
        Ok(TxEnv {
            tx_type: 0,
            caller: request.from,
            gas_limit: request.gas.unwrap_or(self.genesis.gas_limit),
            gas_price: 0,
            kind: request.to.map_or(TxKind::Create, TxKind::Call),
            value: request.value,
            data: request.data.clone(),
            nonce: self.nonce(request.from)?,
            chain_id: Some(self.chain_id()),
            ..Default::default()
        })
    }

    fn block_env(&self, number: u64, timestamp: u64) -> BlockEnv {
        BlockEnv {
            number: U256::from(number),
            timestamp: U256::from(timestamp),
            gas_limit: self.genesis.gas_limit,
            basefee: 0,
            difficulty: U256::ZERO,
            prevrandao: Some(B256::ZERO),
            ..Default::default()
        }
    }

    /// Timestamp of the next block, at which [`Chain::call`] and [`Chain::estimate_gas`] also
    /// run: the (shifted) wall clock, an explicit override, and always after the parent.
    pub(crate) fn next_timestamp(&self) -> u64 {
        let wanted = self.clock.next.unwrap_or_else(|| self.clock.now());
        wanted.max(self.head.timestamp + 1)
    }

    pub(crate) const fn store(&self) -> &Store {
        &self.store
    }

    /// Ends every read of the state, which a restore of a savepoint needs.
    pub(crate) fn release_state(&mut self) {
        self.pending = None;
        self.state = None;
    }

    /// Returns to a snapshot's head, once the store is back at it; pending transactions are
    /// dropped with what came after it.
    pub(crate) fn restore(&mut self, head: Block) {
        self.head = head;
        self.pending = None;
        self.refresh_state();
    }

    pub(crate) fn set_balance(&mut self, address: Address, balance: U256) -> Result<()> {
        let mut info = self.account(address)?.unwrap_or_default();
        info.balance = balance;
        self.rewrite_head(address, Account::from(info))
    }

    pub(crate) fn set_storage(&mut self, address: Address, slot: U256, value: U256) -> Result<()> {
        let mut account = Account::from(self.account(address)?.unwrap_or_default());
        let original = self.storage_at(address, slot)?;
        account.storage.insert(
            slot,
            EvmStorageSlot::new_changed(original, value, TransactionId::ZERO),
        );
        self.rewrite_head(address, account)
    }

    /// Applies a cheat-code change of one account.
    fn rewrite_head(&mut self, address: Address, mut account: Account) -> Result<()> {
        // Pending transactions ran on the state this would change.
        self.mine_pending()?;
        account.mark_touch();
        let changes: EvmState = std::iter::once((address, account)).collect();
        // Recorded as a rewrite of the head block so that the store and memory agree.
        let committed = self.store.write_block(&BlockWrite {
            block: &self.head,
            changes: std::slice::from_ref(&changes),
            receipts: &[],
            raw_transactions: &[],
        })?;
        self.refresh_state();
        self.store.record_head(&committed)
    }
}

/// Executes `tx` against `state` in a block with `block` environment; nothing is committed.
fn execute<DB: DatabaseRef<Error = Error>>(
    state: &DB,
    chain_id: u64,
    tx: TxEnv,
    block: BlockEnv,
) -> Result<revm::context::result::ResultAndState> {
    let mut evm = Context::mainnet()
        .with_ref_db(state)
        .modify_cfg_chained(|cfg| {
            cfg.chain_id = chain_id;
            cfg.set_spec_and_mainnet_gas_params(SPEC);
        })
        .with_block(block)
        .build_mainnet();
    evm.transact(tx).map_err(|err| match err {
        EVMError::Transaction(invalid) => Error::Rejected(invalid.to_string()),
        EVMError::Header(invalid) => Error::Rejected(invalid.to_string()),
        EVMError::Database(err) => err,
        other => Error::Rejected(other.to_string()),
    })
}

/// The block being filled: transactions executed, in order, over the latest state, not yet
/// committed.
struct Pending {
    number: u64,
    timestamp: u64,
    /// The block's changes over the latest state: what the block touched, no more.
    state: CacheDB<Arc<StateReader>>,
    gas_used: u64,
    changes: Vec<EvmState>,
    /// Receipts without the block hash, which is known only once the block is sealed.
    receipts: Vec<Receipt>,
    raw_transactions: Vec<(B256, Bytes)>,
}

impl Pending {
    fn open(chain: &Chain) -> Result<Self> {
        Ok(Self {
            number: chain.head.number + 1,
            timestamp: chain.next_timestamp(),
            state: CacheDB::new(chain.latest()?),
            gas_used: 0,
            changes: Vec::new(),
            receipts: Vec::new(),
            raw_transactions: Vec::new(),
        })
    }

    fn includes(&self, hash: B256) -> bool {
        self.raw_transactions.iter().any(|(h, _)| *h == hash)
    }

    fn add(
        &mut self,
        hash: B256,
        raw: Bytes,
        from: Address,
        to: Option<Address>,
        gas_price: u128,
        outcome: revm::context::result::ResultAndState,
    ) {
        let gas_used = outcome.result.tx_gas_used();
        self.gas_used += gas_used;
        let status = outcome.result.is_success();
        let contract_address = outcome.result.created_address().filter(|_| status);
        let output = match &outcome.result {
            ExecutionResult::Success { output, .. } => output.data().clone(),
            ExecutionResult::Revert { output, .. } => output.clone(),
            ExecutionResult::Halt { .. } => Bytes::new(),
        };
        let index = self.receipts.len() as u64;
        let first_log_index = self
            .receipts
            .iter()
            .map(|r| r.logs.len() as u64)
            .sum::<u64>();
        let logs = if status {
            outcome.result.logs().to_vec()
        } else {
            Vec::new()
        };
        self.receipts.push(Receipt {
            transaction_hash: hash,
            transaction_index: index,
            block_number: self.number,
            block_hash: B256::ZERO,
            from,
            to,
            contract_address,
            status,
            gas_used,
            cumulative_gas_used: self.gas_used,
            effective_gas_price: gas_price,
            logs: logs
                .into_iter()
                .zip(first_log_index..)
                .map(|(log, log_index)| Log {
                    address: log.address,
                    topics: log.data.topics().to_vec(),
                    data: log.data.data,
                    block_number: self.number,
                    block_hash: B256::ZERO,
                    transaction_hash: hash,
                    transaction_index: index,
                    log_index,
                })
                .collect(),
            output,
        });
        self.state.commit(outcome.state.clone());
        self.changes.push(outcome.state);
        self.raw_transactions.push((hash, raw));
    }

    /// The block on top of `parent_hash`, and the receipts with its hash filled in.
    fn seal(&self, parent_hash: B256, gas_limit: u64) -> (Block, Vec<Receipt>) {
        let mut block = Block {
            number: self.number,
            hash: B256::ZERO,
            parent_hash,
            timestamp: self.timestamp,
            gas_limit,
            gas_used: self.gas_used,
            base_fee_per_gas: 0,
            transactions: self
                .raw_transactions
                .iter()
                .map(|(hash, _)| *hash)
                .collect(),
        };
        block.hash = block_hash(&block);
        let mut receipts = self.receipts.clone();
        for receipt in &mut receipts {
            receipt.block_hash = block.hash;
            for log in &mut receipt.logs {
                log.block_hash = block.hash;
            }
        }
        (block, receipts)
    }
}

fn genesis_block(genesis: &Genesis) -> (Block, EvmState) {
    let mut block = Block {
        number: 0,
        hash: B256::ZERO,
        parent_hash: B256::ZERO,
        timestamp: genesis.timestamp,
        gas_limit: genesis.gas_limit,
        gas_used: 0,
        base_fee_per_gas: 0,
        transactions: Vec::new(),
    };
    block.hash = block_hash(&block);
    let changes = genesis
        .alloc
        .iter()
        .map(|(address, balance)| {
            let mut account = Account::from(AccountInfo::from_balance(*balance));
            account.mark_touch();
            (*address, account)
        })
        .collect();
    (block, changes)
}

pub(crate) fn block_hash(block: &Block) -> B256 {
    let mut preimage = Vec::with_capacity(72 + 32 * block.transactions.len());
    preimage.extend_from_slice(block.parent_hash.as_slice());
    for field in [
        block.number,
        block.timestamp,
        block.gas_limit,
        block.gas_used,
        block.base_fee_per_gas,
    ] {
        preimage.extend_from_slice(&field.to_be_bytes());
    }
    for hash in &block.transactions {
        preimage.extend_from_slice(hash.as_slice());
    }
    keccak256(preimage)
}

fn decode_transaction(raw: &[u8]) -> Result<TxEnvelope> {
    let mut buf = raw;
    let envelope = TxEnvelope::decode_2718(&mut buf)
        .map_err(|e| Error::MalformedTransaction(e.to_string()))?;
    if !buf.is_empty() {
        return Err(Error::MalformedTransaction(format!(
            "{} trailing bytes",
            buf.len()
        )));
    }
    Ok(envelope)
}

/// Maps a signed transaction to revm's transaction environment, refusing what Shanghai and a
/// replay-safe chain do not accept.
fn tx_env(envelope: &TxEnvelope, caller: Address, chain_id: u64) -> Result<TxEnv> {
    match envelope {
        TxEnvelope::Legacy(_) | TxEnvelope::Eip2930(_) | TxEnvelope::Eip1559(_) => {}
        TxEnvelope::Eip4844(_) | TxEnvelope::Eip7702(_) => {
            return Err(Error::Rejected(format!(
                "transaction type {} is not enabled on this chain (Shanghai)",
                envelope.tx_type() as u8
            )));
        }
    }
    match envelope.chain_id() {
        None => {
            return Err(Error::Rejected(
                "legacy transaction without EIP-155 chain id (replayable); sign it with the chain id"
                    .into(),
            ));
        }
        Some(id) if id != chain_id => {
            return Err(Error::Rejected(format!(
                "transaction is for chain {id}, this chain is {chain_id}"
            )));
        }
        Some(_) => {}
    }
    Ok(TxEnv {
        tx_type: envelope.tx_type() as u8,
        caller,
        gas_limit: envelope.gas_limit(),
        gas_price: envelope.max_fee_per_gas(),
        kind: envelope.kind(),
        value: envelope.value(),
        data: envelope.input().clone(),
        nonce: envelope.nonce(),
        chain_id: envelope.chain_id(),
        access_list: envelope.access_list().cloned().unwrap_or_default(),
        gas_priority_fee: envelope.max_priority_fee_per_gas(),
        ..Default::default()
    })
}

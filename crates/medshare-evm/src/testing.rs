//! Test-only controls over an in-memory chain.

use std::ops::{Deref, DerefMut};

use alloy::primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use revm::context::TxEnv;

use crate::{
    Block, Chain, Genesis, Receipt,
    chain::Clock,
    error::{Error, Result, storage},
};

/// Identifies a state captured by [`TestChain::snapshot`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SnapshotId(u64);

struct Snapshot {
    id: SnapshotId,
    savepoint: redb::Savepoint,
    head: Block,
    clock: Clock,
}

/// An in-memory [`Chain`] with the controls tests need and production must never have:
/// snapshot/revert, time travel, balance setting and impersonation (unsigned transactions).
///
/// It dereferences to [`Chain`], so signed transactions, calls and log queries work as usual.
pub struct TestChain {
    chain: Chain,
    snapshots: Vec<Snapshot>,
    next_snapshot: u64,
}

impl std::fmt::Debug for TestChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestChain")
            .field("chain", &self.chain)
            .finish_non_exhaustive()
    }
}

impl TestChain {
    /// A fresh chain with the default chain id, genesis at the current time.
    pub fn new() -> Result<Self> {
        Self::with_genesis(Genesis::starting_now())
    }

    /// A fresh chain from `genesis`.
    pub fn with_genesis(genesis: Genesis) -> Result<Self> {
        Ok(Self {
            chain: Chain::in_memory(genesis)?,
            snapshots: Vec::new(),
            next_snapshot: 1,
        })
    }

    /// Captures the whole chain (state, blocks, receipts, clock) for a later [`Self::revert`].
    pub fn snapshot(&mut self) -> Result<SnapshotId> {
        let txn = self
            .chain
            .store()
            .database()?
            .begin_write()
            .map_err(storage)?;
        let savepoint = txn.ephemeral_savepoint().map_err(storage)?;
        txn.commit().map_err(storage)?;
        let id = SnapshotId(self.next_snapshot);
        self.next_snapshot += 1;
        self.snapshots.push(Snapshot {
            id,
            savepoint,
            head: self.chain.head().clone(),
            clock: self.chain.clock.clone(),
        });
        Ok(id)
    }

    /// Returns the chain to snapshot `id`. Snapshots taken after `id` are discarded; `id` itself
    /// stays valid, so a test can revert to it again.
    pub fn revert(&mut self, id: SnapshotId) -> Result<()> {
        let position = self
            .snapshots
            .iter()
            .position(|s| s.id == id)
            .ok_or(Error::UnknownSnapshot(id.0))?;
        self.snapshots.truncate(position + 1);
        let snapshot = &self.snapshots[position];
        self.chain.release_state();
        let mut txn = self
            .chain
            .store()
            .database()?
            .begin_write()
            .map_err(storage)?;
        txn.restore_savepoint(&snapshot.savepoint)
            .map_err(storage)?;
        txn.commit().map_err(storage)?;
        self.chain.restore(snapshot.head.clone());
        self.chain.clock = snapshot.clock.clone();
        Ok(())
    }

    /// Account nonce. An in-memory chain cannot be damaged, so its state reads do not fail (those
    /// of [`Chain`] may, on a damaged chain file).
    pub fn nonce(&self, address: Address) -> u64 {
        in_memory(self.chain.nonce(address))
    }

    /// Account balance in wei.
    pub fn balance(&self, address: Address) -> U256 {
        in_memory(self.chain.balance(address))
    }

    /// Deployed code of an account (empty for an externally owned account).
    pub fn code(&self, address: Address) -> Bytes {
        in_memory(self.chain.code(address))
    }

    /// Value of a storage slot.
    pub fn storage_at(&self, address: Address, slot: U256) -> U256 {
        in_memory(self.chain.storage_at(address, slot))
    }

    /// Moves the clock forward by `seconds` for all later blocks.
    pub fn increase_time(&mut self, seconds: u64) {
        self.chain.clock.offset = self.chain.clock.offset.saturating_add(seconds);
    }

    /// Gives the next mined block exactly this timestamp (if it is after the head's).
    pub fn set_next_block_timestamp(&mut self, timestamp: u64) {
        self.chain.clock.next = Some(timestamp);
    }

    /// Sets an account's balance.
    pub fn set_balance(&mut self, address: Address, balance: U256) -> Result<()> {
        self.chain.set_balance(address, balance)
    }

    /// Overwrites one storage slot of `address` (like anvil's `anvil_setStorageAt`), for tests
    /// that need a contract state no transaction sequence can reach.
    pub fn set_storage(&mut self, address: Address, slot: U256, value: U256) -> Result<()> {
        self.chain.set_storage(address, slot, value)
    }

    /// Executes and mines a transaction from `from` without a signature (impersonation), with
    /// the block gas limit and a zero gas price. For testing contracts from arbitrary senders.
    pub fn send_as(
        &mut self,
        from: Address,
        to: Option<Address>,
        data: impl Into<Bytes>,
        value: U256,
    ) -> Result<Receipt> {
        let data = data.into();
        let nonce = self.chain.nonce(from)?;
        let tx = TxEnv {
            tx_type: 2,
            caller: from,
            gas_limit: self.chain.genesis().gas_limit,
            gas_price: 0,
            gas_priority_fee: Some(0),
            kind: to.map_or(TxKind::Create, TxKind::Call),
            value,
            data: data.clone(),
            nonce,
            chain_id: Some(self.chain.chain_id()),
            ..Default::default()
        };
        let hash = impersonated_hash(from, nonce, &data);
        self.chain.include(tx, hash, Bytes::new())?;
        self.chain.mine_including(hash)
    }

    /// Deploys `init_code` from `from` (impersonated) and returns the receipt.
    pub fn deploy_as(&mut self, from: Address, init_code: impl Into<Bytes>) -> Result<Receipt> {
        self.send_as(from, None, init_code, U256::ZERO)
    }
}

/// The value of a state read of an in-memory chain, whose store only a bug can make fail.
fn in_memory<T>(read: Result<T>) -> T {
    read.unwrap_or_else(|err| panic!("the state of an in-memory chain failed to read: {err}"))
}

/// A unique stand-in for the hash of an unsigned transaction.
fn impersonated_hash(from: Address, nonce: u64, data: &[u8]) -> B256 {
    let mut preimage = b"medshare-impersonated".to_vec();
    preimage.extend_from_slice(from.as_slice());
    preimage.extend_from_slice(&nonce.to_be_bytes());
    preimage.extend_from_slice(data);
    keccak256(preimage)
}

impl Deref for TestChain {
    type Target = Chain;

    fn deref(&self) -> &Chain {
        &self.chain
    }
}

impl DerefMut for TestChain {
    fn deref_mut(&mut self) -> &mut Chain {
        &mut self.chain
    }
}

//! The compact binary form of blocks and receipts in the chain file (`docs/chain-integrity.md`,
//! "Encodings"): fixed-width big-endian integers, lengths before variable parts, and nothing a
//! reader can derive (a receipt is stored under its transaction hash; a log's block, transaction
//! and transaction index are its receipt's). A fraction of the size of JSON, which matters at a
//! million blocks.

use alloy::primitives::{Address, B256, Bytes};

use crate::{
    Block, Log, Receipt,
    error::{Error, Result},
};

/// number ‖ hash ‖ parent hash ‖ timestamp ‖ gas limit ‖ gas used ‖ base fee ‖ u32 count ‖
/// transaction hashes.
pub(crate) fn encode_block(block: &Block) -> Vec<u8> {
    let mut out = Vec::with_capacity(108 + 32 * block.transactions.len());
    out.extend_from_slice(&block.number.to_be_bytes());
    out.extend_from_slice(block.hash.as_slice());
    out.extend_from_slice(block.parent_hash.as_slice());
    for field in [
        block.timestamp,
        block.gas_limit,
        block.gas_used,
        block.base_fee_per_gas,
    ] {
        out.extend_from_slice(&field.to_be_bytes());
    }
    put_len(&mut out, block.transactions.len());
    for hash in &block.transactions {
        out.extend_from_slice(hash.as_slice());
    }
    out
}

pub(crate) fn decode_block(bytes: &[u8]) -> Result<Block> {
    let mut input = Decoder::new(bytes, "block");
    let block = Block {
        number: input.u64()?,
        hash: input.b256()?,
        parent_hash: input.b256()?,
        timestamp: input.u64()?,
        gas_limit: input.u64()?,
        gas_used: input.u64()?,
        base_fee_per_gas: input.u64()?,
        transactions: (0..input.len()?)
            .map(|_| input.b256())
            .collect::<Result<_>>()?,
    };
    input.finish()?;
    Ok(block)
}

/// transaction index ‖ block number ‖ block hash ‖ from ‖ to? ‖ contract address? ‖ status ‖ gas
/// used ‖ cumulative gas used ‖ effective gas price (16 bytes) ‖ output ‖ u32 count ‖ logs, each:
/// address ‖ u8 count ‖ topics ‖ data ‖ log index. `x?` is one byte 0 (none) or 1 followed by
/// `x`; bytes are a u32 length followed by them.
pub(crate) fn encode_receipt(receipt: &Receipt) -> Vec<u8> {
    let mut out = Vec::with_capacity(160 + 128 * receipt.logs.len() + receipt.output.len());
    out.extend_from_slice(&receipt.transaction_index.to_be_bytes());
    out.extend_from_slice(&receipt.block_number.to_be_bytes());
    out.extend_from_slice(receipt.block_hash.as_slice());
    out.extend_from_slice(receipt.from.as_slice());
    for address in [receipt.to, receipt.contract_address] {
        match address {
            None => out.push(0),
            Some(address) => {
                out.push(1);
                out.extend_from_slice(address.as_slice());
            }
        }
    }
    out.push(u8::from(receipt.status));
    out.extend_from_slice(&receipt.gas_used.to_be_bytes());
    out.extend_from_slice(&receipt.cumulative_gas_used.to_be_bytes());
    out.extend_from_slice(&receipt.effective_gas_price.to_be_bytes());
    put_bytes(&mut out, &receipt.output);
    put_len(&mut out, receipt.logs.len());
    for log in &receipt.logs {
        out.extend_from_slice(log.address.as_slice());
        // At most four topics (LOG0..LOG4).
        out.push(log.topics.len() as u8);
        for topic in &log.topics {
            out.extend_from_slice(topic.as_slice());
        }
        put_bytes(&mut out, &log.data);
        out.extend_from_slice(&log.log_index.to_be_bytes());
    }
    out
}

/// The receipt of transaction `hash` from its stored bytes.
pub(crate) fn decode_receipt(hash: B256, bytes: &[u8]) -> Result<Receipt> {
    let mut input = Decoder::new(bytes, "receipt");
    let transaction_index = input.u64()?;
    let block_number = input.u64()?;
    let block_hash = input.b256()?;
    let from = input.address()?;
    let to = input.optional_address()?;
    let contract_address = input.optional_address()?;
    let status = match input.u8()? {
        0 => false,
        1 => true,
        _ => return Err(input.malformed()),
    };
    let gas_used = input.u64()?;
    let cumulative_gas_used = input.u64()?;
    let effective_gas_price = u128::from_be_bytes(input.array()?);
    let output = input.bytes()?;
    let logs = (0..input.len()?)
        .map(|_| {
            Ok(Log {
                address: input.address()?,
                topics: (0..input.u8()?)
                    .map(|_| input.b256())
                    .collect::<Result<_>>()?,
                data: input.bytes()?,
                block_number,
                block_hash,
                transaction_hash: hash,
                transaction_index,
                log_index: input.u64()?,
            })
        })
        .collect::<Result<_>>()?;
    input.finish()?;
    Ok(Receipt {
        transaction_hash: hash,
        transaction_index,
        block_number,
        block_hash,
        from,
        to,
        contract_address,
        status,
        gas_used,
        cumulative_gas_used,
        effective_gas_price,
        logs,
        output,
    })
}

/// Lengths are u32: no block holds 2^32 transactions, no receipt 2^32 logs or bytes of output
/// (the gas limit forbids it).
fn put_len(out: &mut Vec<u8>, len: usize) {
    out.extend_from_slice(&(len as u32).to_be_bytes());
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_len(out, bytes.len());
    out.extend_from_slice(bytes);
}

/// Reads an encoding front to back; running short, a bad flag or bytes left over are corruption
/// (the seal held, so this is a bug or a forger, but never an answer).
struct Decoder<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Decoder<'a> {
    const fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Self { bytes, what }
    }

    fn malformed(&self) -> Error {
        Error::corrupt(format!("a stored {} is malformed", self.what))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.bytes.len() < n {
            return Err(self.malformed());
        }
        let (taken, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let taken = self.take(N)?;
        taken.try_into().map_err(|_| self.malformed())
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn u64(&mut self) -> Result<u64> {
        self.array().map(u64::from_be_bytes)
    }

    fn len(&mut self) -> Result<u32> {
        self.array().map(u32::from_be_bytes)
    }

    fn b256(&mut self) -> Result<B256> {
        self.array().map(B256::from)
    }

    fn address(&mut self) -> Result<Address> {
        self.array().map(Address::from)
    }

    fn optional_address(&mut self) -> Result<Option<Address>> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.address().map(Some),
            _ => Err(self.malformed()),
        }
    }

    fn bytes(&mut self) -> Result<Bytes> {
        let len = self.len()? as usize;
        self.take(len).map(Bytes::copy_from_slice)
    }

    fn finish(&self) -> Result<()> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(self.malformed())
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_receipts_round_trip_and_refuse_damage() {
        let block = Block {
            number: 7,
            hash: B256::repeat_byte(1),
            parent_hash: B256::repeat_byte(2),
            timestamp: 1_700_000_000,
            gas_limit: 30_000_000,
            gas_used: 43_000,
            base_fee_per_gas: 0,
            transactions: vec![B256::repeat_byte(3), B256::repeat_byte(4)],
        };
        let encoded = encode_block(&block);
        assert_eq!(decode_block(&encoded).unwrap(), block);
        assert!(decode_block(&encoded[..encoded.len() - 1]).is_err());
        assert!(decode_block(&[encoded.as_slice(), &[0]].concat()).is_err());

        let hash = B256::repeat_byte(3);
        let receipt = Receipt {
            transaction_hash: hash,
            transaction_index: 0,
            block_number: 7,
            block_hash: block.hash,
            from: Address::repeat_byte(5),
            to: Some(Address::repeat_byte(6)),
            contract_address: None,
            status: true,
            gas_used: 43_000,
            cumulative_gas_used: 43_000,
            effective_gas_price: 1_000_000_000,
            logs: vec![Log {
                address: Address::repeat_byte(6),
                topics: vec![B256::repeat_byte(7), B256::repeat_byte(8)],
                data: Bytes::from_static(b"data"),
                block_number: 7,
                block_hash: block.hash,
                transaction_hash: hash,
                transaction_index: 0,
                log_index: 0,
            }],
            output: Bytes::from_static(&[9; 32]),
        };
        let encoded = encode_receipt(&receipt);
        assert_eq!(decode_receipt(hash, &encoded).unwrap(), receipt);
        assert!(decode_receipt(hash, &encoded[..encoded.len() - 1]).is_err());
        // The status flag, after index, number, block hash, from and the two optional addresses.
        let mut bad_flag = encoded;
        bad_flag[8 + 8 + 32 + 20 + 21 + 1] = 2;
        assert!(decode_receipt(hash, &bad_flag).is_err());
    }
}

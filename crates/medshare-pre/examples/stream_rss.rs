//! Streams a large record through the DEM and back, to show constant memory.
//!
//! ```text
//! cargo build --release -p medshare-pre --example stream_rss
//! /usr/bin/time -v target/release/examples/stream_rss 256   # "Maximum resident set size"
//! ```
//!
//! Encrypts `MIB` MiB (default 256) of generated plaintext with [`EncryptWriter`] into a
//! temporary file, decrypts it back with [`DecryptReader`] while checking every byte, prints
//! the throughput of both directions, and deletes the file. Memory stays at a few chunks
//! whatever the size.

use std::{
    error::Error,
    fs::File,
    io::{BufReader, BufWriter, Read, Write},
    time::Instant,
};

use medshare_pre::{Capsule, DecryptReader, EncryptWriter, SecretKey};

/// A cheap, position-dependent byte pattern, so that decryption can be checked without a copy.
fn pattern(offset: u64) -> u8 {
    (offset.wrapping_mul(2_654_435_761) >> 13) as u8
}

fn main() -> Result<(), Box<dyn Error>> {
    let mib: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(256);
    let total = mib << 20;
    let (_, key) = Capsule::new(&SecretKey::random().public_key());
    let path = std::env::temp_dir().join(format!("medshare-stream-rss-{}", std::process::id()));

    let mut block = vec![0u8; 1 << 20];
    let started = Instant::now();
    let mut writer = EncryptWriter::new_with_rng(
        &mut rand_core::OsRng,
        &key,
        BufWriter::new(File::create(&path)?),
    )?;
    for mb in 0..mib {
        for (i, byte) in block.iter_mut().enumerate() {
            *byte = pattern((mb << 20) + i as u64);
        }
        writer.write_all(&block)?;
    }
    writer.finish()?.into_inner()?.sync_all()?;
    let encrypt = started.elapsed();

    let started = Instant::now();
    let mut reader = DecryptReader::new(&key, BufReader::new(File::open(&path)?))?;
    let mut offset = 0u64;
    loop {
        let n = reader.read(&mut block)?;
        if n == 0 {
            break;
        }
        if block[..n]
            .iter()
            .enumerate()
            .any(|(i, b)| *b != pattern(offset + i as u64))
        {
            return Err(format!("decrypted data differs near offset {offset}").into());
        }
        offset += n as u64;
    }
    let decrypt = started.elapsed();
    std::fs::remove_file(&path)?;
    if offset != total {
        return Err(format!("decrypted {offset} bytes, expected {total}").into());
    }
    let rate = |d: std::time::Duration| total as f64 / d.as_secs_f64() / f64::from(1 << 30);
    println!(
        "{mib} MiB: encrypt {:.0} ms ({:.2} GiB/s, incl. pattern generation and file write), decrypt {:.0} ms ({:.2} GiB/s, incl. check and file read)",
        encrypt.as_secs_f64() * 1e3,
        rate(encrypt),
        decrypt.as_secs_f64() * 1e3,
        rate(decrypt),
    );
    Ok(())
}

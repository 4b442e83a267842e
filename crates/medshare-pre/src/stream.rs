//! `std::io` adapters for the streaming DEM: [`EncryptWriter`] (implements `Write`) and
//! [`DecryptReader`] (implements `Read`). Memory use is one chunk, whatever the stream length.

use std::io::{self, Read, Write};

use rand_core::{CryptoRng, RngCore};

use crate::dem::{
    DEFAULT_CHUNK_SIZE, DemError, DemKey, StreamDecryptor, StreamEncryptor, StreamHeader, TAG_LEN,
};

fn invalid_data(e: DemError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// Encrypts everything written to it and writes the ciphertext to `inner`.
///
/// Call [`finish`](Self::finish) at the end: it seals the final chunk. A writer dropped without
/// `finish` leaves a truncated stream, which decryption rejects.
pub struct EncryptWriter<W: Write> {
    inner: W,
    enc: StreamEncryptor,
    buf: Vec<u8>,
    chunk_size: usize,
}

impl<W: Write> EncryptWriter<W> {
    /// Starts a stream with a fresh header (default 64 KiB chunks) and writes the header.
    pub fn new_with_rng(
        rng: &mut (impl CryptoRng + RngCore),
        key: &DemKey,
        inner: W,
    ) -> io::Result<Self> {
        let header = StreamHeader::new_with_rng(rng, DEFAULT_CHUNK_SIZE)
            .map_err(|e| invalid_data(DemError::InvalidHeader(e)))?;
        Self::with_header(key, header, inner)
    }

    /// Starts a stream under a given header (chunk size, salt) and writes the header.
    pub fn with_header(key: &DemKey, header: StreamHeader, mut inner: W) -> io::Result<Self> {
        inner.write_all(&header.to_bytes())?;
        let chunk_size = header.chunk_size() as usize;
        Ok(Self {
            inner,
            enc: StreamEncryptor::new(key, header),
            buf: Vec::with_capacity(chunk_size + TAG_LEN),
            chunk_size,
        })
    }

    fn emit(&mut self, last: bool) -> io::Result<()> {
        self.enc
            .seal_chunk(&mut self.buf, last)
            .map_err(invalid_data)?;
        self.inner.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// Seals the final chunk, flushes and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.emit(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for EncryptWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut rest = data;
        while !rest.is_empty() {
            // A full buffer is sealed as non-final only once more data is known to follow.
            if self.buf.len() == self.chunk_size {
                self.emit(false)?;
            }
            let n = (self.chunk_size - self.buf.len()).min(rest.len());
            self.buf.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
        }
        Ok(data.len())
    }

    /// Flushes the inner writer (a partial chunk stays buffered until it is full or finished).
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Reads a ciphertext from `inner` and yields the authenticated plaintext.
///
/// Each chunk is released only after its tag verified. Truncation and extension are detected
/// when the end of the stream is reached: treat the data as final only after `read` returned
/// `Ok(0)`.
pub struct DecryptReader<R: Read> {
    inner: R,
    dec: StreamDecryptor,
    buf: Vec<u8>,
    pos: usize,
    lookahead: Option<u8>,
    done: bool,
    failed: Option<DemError>,
}

impl<R: Read> DecryptReader<R> {
    /// Reads and checks the stream header.
    pub fn new(key: &DemKey, mut inner: R) -> io::Result<Self> {
        let mut h = [0u8; StreamHeader::ENCODED_LEN];
        inner.read_exact(&mut h).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                invalid_data(DemError::Truncated)
            } else {
                e
            }
        })?;
        let header =
            StreamHeader::from_bytes(&h).map_err(|e| invalid_data(DemError::InvalidHeader(e)))?;
        let cap = header.chunk_size() as usize + TAG_LEN + 1;
        Ok(Self {
            inner,
            dec: StreamDecryptor::new(key, header),
            buf: Vec::with_capacity(cap),
            pos: 0,
            lookahead: None,
            done: false,
            failed: None,
        })
    }

    /// The inner reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    fn next_chunk(&mut self) -> io::Result<()> {
        let ccs = self.dec.header().chunk_size() as usize + TAG_LEN;
        self.buf.clear();
        self.buf.resize(ccs + 1, 0);
        let mut filled = 0;
        if let Some(b) = self.lookahead.take() {
            self.buf[0] = b;
            filled = 1;
        }
        while filled < ccs + 1 {
            match self.inner.read(&mut self.buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let last = filled <= ccs;
        if !last {
            self.lookahead = Some(self.buf[ccs]);
            filled = ccs;
        }
        self.buf.truncate(filled);
        if let Err(e) = self.dec.open_chunk(&mut self.buf, last) {
            self.buf.clear();
            self.failed = Some(e);
            return Err(invalid_data(e));
        }
        self.pos = 0;
        self.done = last;
        Ok(())
    }
}

impl<R: Read> Read for DecryptReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = self.failed {
            return Err(invalid_data(e));
        }
        while self.pos == self.buf.len() {
            if self.done || out.is_empty() {
                return Ok(0);
            }
            self.next_chunk()?;
        }
        let n = (self.buf.len() - self.pos).min(out.len());
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

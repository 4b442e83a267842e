//! Fuzzes capsule decoding + DEM decryption (one-shot and streaming) under a fixed label key:
//! input = capsule (97 bytes) || ciphertext. Must never panic; both paths must agree.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use medshare_pre::{Capsule, DecryptReader, MasterSecret};

fuzz_target!(|data: &[u8]| {
    if data.len() < Capsule::ENCODED_LEN {
        return;
    }
    let (c, ct) = data.split_at(Capsule::ENCODED_LEN);
    let Ok(capsule) = Capsule::from_bytes(c) else {
        return;
    };
    let sk = MasterSecret::from_bytes([0x42; 32]).derive_label_key(b"fuzz");
    let key = capsule.open_original(&sk);
    let one_shot = key.decrypt(ct);
    let streamed = DecryptReader::new(&key, ct).and_then(|mut r| {
        let mut out = Vec::new();
        r.read_to_end(&mut out).map(|_| out)
    });
    assert_eq!(one_shot.is_ok(), streamed.is_ok());
    if let (Ok(a), Ok(b)) = (one_shot, streamed) {
        assert_eq!(a, b);
    }
});

//! Fuzzes `GroupPublicKey::from_bytes`: must never panic; whatever decodes re-encodes to the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medshare_identity::GroupPublicKey;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = GroupPublicKey::from_bytes(data) {
        assert_eq!(&v.to_bytes()[..], data);
    }
});

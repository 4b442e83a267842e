//! Fuzzes `Token::from_bytes` and `Token::verify` (unscoped and scoped contexts): must never
//! panic; whatever decodes re-encodes to the input.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use medshare_identity::{
    GroupPublicKey, Scope, ThresholdParams, Token, TokenContext, run_dkg_with_rng,
};

fn gpk() -> &'static GroupPublicKey {
    static G: OnceLock<GroupPublicKey> = OnceLock::new();
    G.get_or_init(|| {
        // Deterministic key: a fixed-seed RNG-like counter is enough for fuzzing.
        struct Ctr(u64);
        impl rand_core_compat::RngCore for Ctr {
            fn next_u32(&mut self) -> u32 { self.next_u64() as u32 }
            fn next_u64(&mut self) -> u64 { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1); self.0 }
            fn fill_bytes(&mut self, d: &mut [u8]) { for b in d { *b = self.next_u64() as u8 } }
            fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core_compat::Error> { self.fill_bytes(d); Ok(()) }
        }
        impl rand_core_compat::CryptoRng for Ctr {}
        run_dkg_with_rng(&mut Ctr(1), ThresholdParams::new(1, 1).expect("params")).expect("dkg").0
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = Token::from_bytes(data) {
        assert_eq!(&t.to_bytes()[..], data);
        let ctx = TokenContext {
            chain_id: 1337,
            registry: [0x11; 20],
            verifying_contract: [0x33; 20],
            action: [0; 32],
            sender: [0x44; 20],
            nonce: [1; 32],
            scope: None,
        };
        let _ = t.verify(gpk(), &ctx, t.epoch());
        let scoped = TokenContext { scope: Scope::new([9; 32]), ..ctx };
        let _ = t.verify(gpk(), &scoped, t.epoch());
    }
});

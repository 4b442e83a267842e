//! Fuzzes `rpc::handle`, the parser and dispatcher of JSON-RPC request bodies a node accepts from
//! anyone who reaches it: it must never panic, and every answer is well-formed JSON-RPC.
#![no_main]

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;
use medshare_evm::{Chain, Genesis, rpc};

thread_local! {
    // One chain for the whole run: transactions the fuzzer manages to send stay mined, which
    // also exercises the answers about them.
    static CHAIN: RefCell<Chain> =
        RefCell::new(Chain::in_memory(Genesis::new(1_700_000_000)).expect("an in-memory chain"));
}

fuzz_target!(|data: &[u8]| {
    CHAIN.with(|chain| {
        let Some(answer) = rpc::handle(&mut chain.borrow_mut(), data, rpc::Mining::Instant) else {
            return;
        };
        let answer: serde_json::Value =
            serde_json::from_slice(&answer).expect("answers are JSON");
        let answers = match answer {
            serde_json::Value::Array(all) => all,
            one => vec![one],
        };
        for one in answers {
            assert_eq!(one["jsonrpc"], "2.0");
            assert!(one.get("result").is_some() != one.get("error").is_some());
        }
    });
});

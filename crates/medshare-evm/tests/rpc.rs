//! The JSON-RPC dispatcher (`medshare_evm::rpc`): standard answers and errors, and robustness
//! against malformed requests (the fuzz corpus `fuzz/corpus/rpc_handle`, replayed and mutated).
#![allow(clippy::unwrap_used)]

mod common;

use alloy::primitives::{Address, B256, Bloom, Bytes, TxKind, U256, hex};
use common::*;
use medshare_evm::{Chain, TestChain, rpc};
use serde_json::{Value, json};

fn call(chain: &mut Chain, method: &str, params: Value) -> Result<Value, rpc::RpcError> {
    rpc::execute(chain, method, params, rpc::Mining::Instant)
}

fn deploy(chain: &mut TestChain, runtime: &[u8]) -> Address {
    chain
        .deploy_as(Address::repeat_byte(0xde), init_code(runtime))
        .unwrap()
        .contract_address
        .unwrap()
}

#[test]
fn reverts_are_code_3_with_the_revert_data() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let reverter = deploy(&mut chain, &reverter_runtime(&hex!("0badf00d")));
    let request = json!([{ "to": reverter, "data": "0x" }, "latest"]);
    for method in ["eth_call", "eth_estimateGas"] {
        let err = call(&mut chain, method, request.clone()).unwrap_err();
        assert_eq!(err.code, 3, "{method}");
        assert_eq!(err.message, "execution reverted");
        assert_eq!(err.data, Some(Bytes::from(hex!("0badf00d"))), "{method}");
    }
}

#[test]
fn state_is_answered_for_the_latest_block_only() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let counter = deploy(&mut chain, &counter_runtime());
    chain
        .send_as(alice().address(), Some(counter), vec![], U256::ZERO)
        .unwrap();
    let head = chain.block_number();
    for block in [
        json!("latest"),
        json!("pending"),
        json!(format!("{head:#x}")),
    ] {
        let value = call(
            &mut chain,
            "eth_getStorageAt",
            json!([counter, "0x0", block]),
        )
        .unwrap();
        assert_eq!(value, json!(B256::from(U256::from(1))));
    }
    let err = call(
        &mut chain,
        "eth_getStorageAt",
        json!([counter, "0x0", "0x1"]),
    )
    .unwrap_err();
    assert_eq!(err.code, -32000);
    assert!(
        err.message.contains(&format!("latest block ({head})")),
        "{}",
        err.message
    );
    // A quantity with a leading zero is not a quantity.
    let err = call(&mut chain, "eth_getBalance", json!([counter, "0x01"])).unwrap_err();
    assert_eq!(err.code, -32602);
}

#[test]
fn signed_transactions_read_back_as_transactions_receipts_blocks_and_logs() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let logger = deploy(&mut chain, &logger_runtime());
    let raw = eip1559(
        &alice(),
        0,
        TxKind::Call(logger),
        U256::ZERO,
        hex!("c0ffee").to_vec(),
    );
    let hash: B256 =
        serde_json::from_value(call(&mut chain, "eth_sendRawTransaction", json!([raw])).unwrap())
            .unwrap();
    let receipt = call(&mut chain, "eth_getTransactionReceipt", json!([hash])).unwrap();
    assert_eq!(receipt["status"], "0x1");
    assert_eq!(receipt["type"], "0x2");
    let logs = receipt["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 2);
    // The bloom holds every log's address and topics.
    let bloom: Bloom = serde_json::from_value(receipt["logsBloom"].clone()).unwrap();
    for log in logs {
        let topics: Vec<B256> = serde_json::from_value(log["topics"].clone()).unwrap();
        assert!(bloom.contains_raw_log(logger, &topics));
    }

    let tx = call(&mut chain, "eth_getTransactionByHash", json!([hash])).unwrap();
    assert_eq!(tx["hash"], json!(hash));
    assert_eq!(tx["from"], json!(alice().address()));
    assert_eq!(tx["input"], "0xc0ffee");
    assert_eq!(tx["blockNumber"], receipt["blockNumber"]);

    let by_number = call(&mut chain, "eth_getBlockByNumber", json!(["latest", true])).unwrap();
    let by_hash = call(
        &mut chain,
        "eth_getBlockByHash",
        json!([by_number["hash"], true]),
    )
    .unwrap();
    assert_eq!(by_number, by_hash);
    assert_eq!(by_number["transactions"][0]["hash"], json!(hash));
    assert_eq!(
        call(
            &mut chain,
            "eth_getBlockByHash",
            json!([B256::repeat_byte(1), false])
        )
        .unwrap(),
        Value::Null
    );

    // By address and topic, and by block hash.
    let topic = &logs[1]["topics"][0];
    let found = call(
        &mut chain,
        "eth_getLogs",
        json!([{ "fromBlock": "earliest", "address": logger, "topics": [[topic]] }]),
    )
    .unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0], logs[1]);
    let in_block = call(
        &mut chain,
        "eth_getLogs",
        json!([{ "blockHash": by_number["hash"] }]),
    )
    .unwrap();
    assert_eq!(in_block.as_array().unwrap().len(), 2);
    let elsewhere = call(
        &mut chain,
        "eth_getLogs",
        json!([{ "address": Address::repeat_byte(9) }]),
    )
    .unwrap();
    assert_eq!(elsewhere, json!([]));
}

#[test]
fn fee_history_covers_the_blocks_asked_for() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    deploy(&mut chain, &counter_runtime());
    let history = call(
        &mut chain,
        "eth_feeHistory",
        json!(["0x10", "latest", [50.0]]),
    )
    .unwrap();
    // Two blocks exist: the genesis and the deployment.
    assert_eq!(history["oldestBlock"], "0x0");
    assert_eq!(history["gasUsedRatio"].as_array().unwrap().len(), 2);
    assert_eq!(history["baseFeePerGas"].as_array().unwrap().len(), 3);
    assert_eq!(history["reward"], json!([["0x0"], ["0x0"]]));
}

#[test]
fn requests_that_are_not_json_rpc_get_the_standard_errors() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let answer = |chain: &mut Chain, body: &str| -> Value {
        serde_json::from_slice(&rpc::handle(chain, body.as_bytes(), rpc::Mining::Instant).unwrap())
            .unwrap()
    };
    assert_eq!(answer(&mut chain, "{")["error"]["code"], -32700);
    assert_eq!(answer(&mut chain, "[]")["error"]["code"], -32600);
    assert_eq!(answer(&mut chain, "7")["error"]["code"], -32600);
    assert_eq!(
        answer(&mut chain, r#"{"id":1,"method":"eth_chainId"}"#)["error"]["code"],
        -32600,
        "jsonrpc 2.0 is required"
    );
    assert_eq!(
        answer(
            &mut chain,
            r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":7}"#
        )["error"]["code"],
        -32602
    );
    // A notification alone gets nothing back; with a call, only the call's answer.
    assert!(
        rpc::handle(
            &mut chain,
            br#"{"jsonrpc":"2.0","method":"eth_chainId"}"#,
            rpc::Mining::Instant,
        )
        .is_none()
    );
    let batch = format!(
        "[{}]",
        vec![r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#; 1_001].join(",")
    );
    assert_eq!(answer(&mut chain, &batch)["error"]["code"], -32600);
}

/// Every corpus request, and 300 mutations of each, gets a JSON-RPC answer: no panic, no
/// malformed output.
#[test]
fn the_request_corpus_and_its_mutations_get_well_formed_answers() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/rpc_handle");
    let mut corpus: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect();
    corpus.sort();
    assert!(corpus.len() >= 5);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for seed in &corpus {
        for round in 0..=300 {
            let mut input = seed.clone();
            // Round 0 replays the seed; later rounds flip, cut or duplicate bytes.
            for _ in 0..round % 4 {
                let at = usize::try_from(next() % input.len() as u64).unwrap();
                match next() % 3 {
                    0 => input[at] ^= 1 << (next() % 8),
                    1 => input.truncate(at.max(1)),
                    _ => {
                        let byte = input[at];
                        input.insert(at, byte);
                    }
                }
            }
            let Some(answer) = rpc::handle(&mut chain, &input, rpc::Mining::Instant) else {
                continue;
            };
            let answer: Value = serde_json::from_slice(&answer).unwrap();
            let answers = match &answer {
                Value::Array(all) => all.clone(),
                one => vec![one.clone()],
            };
            for one in answers {
                assert_eq!(one["jsonrpc"], "2.0", "{answer}");
                assert!(
                    one.get("result").is_some() != one.get("error").is_some(),
                    "{answer}"
                );
            }
        }
    }
}

#[test]
fn periodic_mining_answers_with_the_hash_and_counts_the_pending_nonce() {
    let mut chain = TestChain::with_genesis(genesis()).unwrap();
    let raw = eip1559(
        &alice(),
        0,
        TxKind::Call(bob().address()),
        U256::from(1),
        vec![],
    );
    let hash = rpc::execute(
        &mut chain,
        "eth_sendRawTransaction",
        json!([raw]),
        rpc::Mining::Periodic,
    )
    .unwrap();
    let count = |chain: &mut Chain, tag: &str| {
        call(
            chain,
            "eth_getTransactionCount",
            json!([alice().address(), tag]),
        )
        .unwrap()
    };
    assert_eq!(count(&mut chain, "pending"), "0x1");
    assert_eq!(count(&mut chain, "latest"), "0x0");
    assert_eq!(
        call(&mut chain, "eth_getTransactionReceipt", json!([hash])).unwrap(),
        Value::Null,
        "not mined yet"
    );
    chain.mine_pending().unwrap();
    let receipt = call(&mut chain, "eth_getTransactionReceipt", json!([hash])).unwrap();
    assert_eq!(receipt["status"], "0x1");
    assert_eq!(count(&mut chain, "latest"), "0x1");
}

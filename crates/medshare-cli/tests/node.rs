//! `medshare node` serves a data directory's chain over Ethereum JSON-RPC, driven here by
//! foundry's `cast` (the pinned npm binary that `scripts/install-node-tools` installs) and by raw
//! JSON-RPC batches.
#![allow(clippy::unwrap_used)]

mod common;

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::Path,
    process::{Command, Output},
};

use common::{node::Node, *};

/// Anvil's first development key: any key signs on the consortium chain, which charges no gas.
const KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const KEY_ADDRESS: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

/// Runs `cast` against `url`; returns its output.
fn cast(url: &str, args: &[&str]) -> Output {
    Command::new(anvil::node_tool("cast"))
        .args(args)
        .args(["--rpc-url", url])
        .env("HOME", std::env::temp_dir())
        .output()
        .unwrap()
}

fn cast_ok(url: &str, args: &[&str]) -> String {
    succeeded(&cast(url, args), &format!("cast {args:?}"))
}

/// The trimmed stdout of a run that must have succeeded.
fn succeeded(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .trim()
        .to_string()
}

/// `cast send` signed with [`KEY`], with the zero fees of the consortium chain.
fn send(url: &str, args: &[&str]) -> Output {
    let free = [
        "send",
        "--private-key",
        KEY,
        "--gas-price",
        "0",
        "--priority-gas-price",
        "0",
    ];
    cast(url, &[&free[..], args].concat())
}

fn send_ok(url: &str, args: &[&str]) -> String {
    succeeded(&send(url, args), &format!("cast send {args:?}"))
}

/// POSTs `body` to the node and returns the JSON it answered.
fn post(url: &str, body: &str) -> serde_json::Value {
    let address = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    serde_json::from_str(body).unwrap()
}

fn config(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("config.json")).unwrap()).unwrap()
}

#[test]
fn cast_reads_and_sends_through_the_node() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let height: u64 = data(&run(&dir, &["--json", "chain", "status"]))["blockNumber"]
        .as_u64()
        .unwrap();
    let consortium = config(&dir)["networks"]["embedded"]["deployment"]["contracts"]["consortium"]
        .as_str()
        .unwrap()
        .to_string();
    let node = Node::start(&dir);
    let url = node.url.clone();

    assert_eq!(cast_ok(&url, &["chain-id"]), "1337");
    assert_eq!(cast_ok(&url, &["block-number"]), height.to_string());
    assert_eq!(
        cast_ok(&url, &["call", &consortium, "memberCount()(uint256)"]),
        "1"
    );
    let code = cast_ok(&url, &["code", &consortium]);
    assert!(code.starts_with("0x6080") && code.len() > 1000, "{code}");

    // A signed transaction mines a block; its receipt and transaction read back.
    let sent = send_ok(
        &url,
        &["--json", "0x0000000000000000000000000000000000000001"],
    );
    let receipt: serde_json::Value = serde_json::from_str(&sent).unwrap();
    assert_eq!(receipt["status"], "0x1", "{receipt}");
    let hash = receipt["transactionHash"].as_str().unwrap();
    assert_eq!(cast_ok(&url, &["block-number"]), (height + 1).to_string());
    let from = cast_ok(&url, &["tx", hash, "from"]);
    assert!(from.eq_ignore_ascii_case(KEY_ADDRESS), "{from}");
    assert_eq!(cast_ok(&url, &["receipt", hash, "status"]), "true");
    assert_eq!(cast_ok(&url, &["nonce", KEY_ADDRESS]), "1");

    // The consortium's bootstrap event, by contract and topic.
    let logs = cast_ok(
        &url,
        &[
            "logs",
            "--json",
            "--from-block",
            "0",
            "--address",
            &consortium,
            "MemberAdded(address,uint256,bytes32)",
        ],
    );
    let logs: serde_json::Value = serde_json::from_str(&logs).unwrap();
    assert_eq!(logs.as_array().unwrap().len(), 1, "{logs}");

    // A transaction the contract refuses fails at the estimate, with the custom error's data.
    let zero = format!("0x{}", "0".repeat(64));
    let refused = send(
        &url,
        &[
            &consortium,
            "propose(uint8,address,uint256,bytes32)",
            "0",
            "0x0000000000000000000000000000000000000002",
            "4",
            &zero,
        ],
    );
    let refusal = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        refusal.contains("execution reverted")
            && refusal.contains(&KEY_ADDRESS[2..].to_lowercase()),
        "{refusal}"
    );

    // While the node runs, medshare commands on the directory go through it: reads, and a
    // transaction mined in the node's next block.
    let status = data(&run(&dir, &["--json", "chain", "status"]));
    assert_eq!(status["blockNumber"].as_u64(), Some(height + 1));
    let lab = "0x00000000000000000000000000000000000000aa";
    let proposed = ok(
        &dir,
        &["consortium", "propose", "add", lab, "--roles", "research"],
    );
    assert!(proposed.contains("executed"), "{proposed}");
    let members = ok(&dir, &["consortium", "members"]).to_lowercase();
    assert!(members.contains(lab), "{members}");
    // Only checking the chain file needs the node stopped.
    let out = run(&dir, &["chain", "verify"]);
    assert_one_line_error(&out, "stop it to check the chain file");

    let (code, printed) = node.stop();
    assert_eq!(code, Some(0), "{printed}");
    assert!(printed.contains("stopped serving"), "{printed}");
    assert!(!dir.join("chain/node.json").exists());
    // Everything the node mined is in the data directory.
    let status = data(&run(&dir, &["--json", "chain", "status"]));
    assert_eq!(status["blockNumber"].as_u64(), Some(height + 2));
    assert!(ok(&dir, &["chain", "verify"]).contains("is intact"));
}

#[test]
fn batches_notifications_and_errors_follow_json_rpc() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let node = Node::start(&dir);
    let batch = post(
        &node.url,
        r#"[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},
            {"jsonrpc":"2.0","method":"eth_blockNumber"},
            {"jsonrpc":"2.0","id":"b","method":"eth_nope","params":[]},
            {"jsonrpc":"2.0","id":3,"method":"eth_getBalance","params":["0x12"]},
            {"jsonrpc":"2.0","id":4,"method":"eth_getBalance","params":["0x0000000000000000000000000000000000000001","0x0"]}]"#,
    );
    let answers = batch.as_array().unwrap();
    assert_eq!(answers.len(), 4, "the notification gets no answer: {batch}");
    assert_eq!(answers[0]["result"], "0x539");
    assert_eq!(answers[1]["id"], "b");
    assert_eq!(answers[1]["error"]["code"], -32601);
    assert_eq!(answers[2]["error"]["code"], -32602);
    assert_eq!(answers[3]["error"]["code"], -32000);
    assert!(
        answers[3]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("latest block"),
        "{batch}"
    );
    assert_eq!(post(&node.url, "{not json")["error"]["code"], -32700);
    assert_eq!(post(&node.url, "[]")["error"]["code"], -32600);
    let (code, _) = node.stop();
    assert_eq!(code, Some(0));
}

#[test]
fn a_node_binds_loopback_unless_told_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    assert_usage_error(
        &run(&dir, &["node", "--host", "0.0.0.0", "--port", "0"]),
        "--allow-remote",
    );
}

#[test]
fn a_block_period_mines_what_arrived_meanwhile_in_one_block() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let node = Node::start_with(&dir, &["--block-time", "2"]);
    let send_with_nonce = |nonce: &str| {
        send_ok(
            &node.url,
            &[
                "--async",
                "--nonce",
                nonce,
                "0x0000000000000000000000000000000000000001",
            ],
        )
    };
    // cast takes the nonce at `latest` (as it does against geth), so the second transaction of
    // one block names its own.
    let hashes = [send_with_nonce("0"), send_with_nonce("1")];
    let mut blocks = Vec::new();
    for hash in &hashes {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let receipt = loop {
            let answer = post(
                &node.url,
                &format!(
                    r#"{{"jsonrpc":"2.0","id":1,"method":"eth_getTransactionReceipt","params":["{hash}"]}}"#
                ),
            );
            if !answer["result"].is_null() {
                break answer["result"].clone();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{hash} was never mined"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
        assert_eq!(receipt["status"], "0x1");
        blocks.push(receipt["blockNumber"].clone());
    }
    assert_eq!(blocks[0], blocks[1], "both in one block");
    let block = post(
        &node.url,
        &format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":[{},false]}}"#,
            blocks[0]
        ),
    );
    assert_eq!(block["result"]["transactions"], serde_json::json!(hashes));
    let (code, _) = node.stop();
    assert_eq!(code, Some(0));
}

#[test]
fn transactions_accepted_before_a_stop_are_mined() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let height = data(&run(&dir, &["--json", "chain", "status"]))["blockNumber"]
        .as_u64()
        .unwrap();
    // A block period far longer than the test: only the stop can mine it.
    let node = Node::start_with(&dir, &["--block-time", "3600"]);
    send_ok(
        &node.url,
        &["--async", "0x0000000000000000000000000000000000000001"],
    );
    let (code, _) = node.stop();
    assert_eq!(code, Some(0));
    let status = data(&run(&dir, &["--json", "chain", "status"]));
    assert_eq!(status["blockNumber"].as_u64(), Some(height + 1));
}

/// `medshare_chain::Network`, the client the embedded network uses in process, works unchanged
/// over HTTP against the node: chain id checked, a view call, a refusal decoded by name, a
/// deployment and a send mined in the next block period.
#[test]
fn the_chain_client_speaks_to_the_node_as_to_the_embedded_chain() {
    use alloy::{
        primitives::{Address, B256, U256},
        signers::local::PrivateKeySigner,
        sol_types::SolInterface,
    };
    use medshare_chain::{Error, FeePolicy, Network};
    use medshare_contracts::{Consortium, action, deploy_code, roles};

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let consortium: Address =
        config(&dir)["networks"]["embedded"]["deployment"]["contracts"]["consortium"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
    let node = Node::start(&dir);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        assert!(matches!(
            Network::http(&node.url, Some(1), FeePolicy::Free).await,
            Err(Error::WrongChain {
                expected: 1,
                found: 1337
            })
        ));
        let network = Network::http(&node.url, Some(1337), FeePolicy::Free)
            .await
            .unwrap();
        let members = network
            .call(consortium, &Consortium::memberCountCall {})
            .await
            .unwrap();
        assert_eq!(members, U256::from(1));
        let key: PrivateKeySigner = KEY.parse().unwrap();
        let propose = Consortium::proposeCall {
            action: action::ADD_MEMBER,
            account: Address::repeat_byte(0x33),
            value: roles::RESEARCH,
            name: B256::repeat_byte(0x62),
        };
        let Err(Error::Reverted { data, .. }) = network.send(&key, consortium, &propose).await
        else {
            panic!("a non-member's proposal must be refused");
        };
        assert!(matches!(
            Consortium::ConsortiumErrors::abi_decode(&data).unwrap(),
            Consortium::ConsortiumErrors::ConsortiumUnauthorizedAccount(_)
        ));
        // A consortium of its own, where the key is the admin.
        let own = network
            .deploy(
                &key,
                deploy_code(
                    &Consortium::BYTECODE,
                    &Consortium::constructorCall {
                        initialAdmins: vec![key.address()],
                        names: vec![B256::repeat_byte(0x61)],
                        initialThreshold: U256::from(1),
                    },
                ),
            )
            .await
            .unwrap()
            .contract_address
            .unwrap();
        assert!(network.send(&key, own, &propose).await.unwrap().status());
        let members = network
            .call(own, &Consortium::memberCountCall {})
            .await
            .unwrap();
        assert_eq!(members, U256::from(2));
    });
    let (code, _) = node.stop();
    assert_eq!(code, Some(0));
}

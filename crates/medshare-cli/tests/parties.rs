//! Separate parties (#9): a hospital, a regulator, a research lab and three proxies, each with
//! its own data directory and keystore and nothing shared but the chain, run the consortium's
//! votes and check proxy re-encryption on chain, through `medshare node` and on anvil; and the
//! ways joining a network goes wrong, each a one-line error with nothing half-made.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use alloy::primitives::Address;
use common::{
    anvil::{self, Anvil},
    node::Node,
    *,
};
use medshare_chain::{Deployment, FeePolicy, Network, PreVerifier};
use medshare_pre::{
    Capsule, MasterSecret, SecretKey, generate_kfrags_with_rng, reencrypt_with_rng,
};

/// A party on its own machine: its data directory and its account's address.
struct Party {
    dir: PathBuf,
    address: String,
}

/// `name` joins `network` at `url` with the deployment `record`, in a data directory of its own.
fn join(root: &Path, name: &str, network: &str, url: &str, record: &Path) -> Party {
    let dir = root.join(name);
    let report = data(&run(
        &dir,
        &[
            "--json",
            "--network",
            network,
            "init",
            "--light-kdf",
            "--rpc-url",
            url,
            "--addresses",
            record.to_str().unwrap(),
        ],
    ));
    assert_eq!(report["network"], network);
    assert!(report["consortium"].is_string(), "{report}");
    assert!(
        !dir.join("chain").exists(),
        "a party that joins keeps no chain"
    );
    Party {
        dir,
        address: report["address"].as_str().unwrap().to_string(),
    }
}

fn deployment(record: &Path) -> Deployment {
    serde_json::from_slice(&std::fs::read(record).unwrap()).unwrap()
}

/// The votes and the re-encryption check, once the hospital (the only admin) has deployed the
/// suite on the network whose `record` it wrote.
fn the_consortium_forms_across_data_directories(
    root: &Path,
    hospital: &Path,
    network: &str,
    url: &str,
    record: &Path,
) {
    let regulator = join(root, "regulator", network, url, record);
    let lab = join(root, "city-lab", network, url, record);
    let proxies: Vec<Party> = (1..=3)
        .map(|i| join(root, &format!("proxy-{i}"), network, url, record))
        .collect();

    let propose = |args: &[&str]| {
        data(&run(
            hospital,
            &[&["--json", "consortium", "propose"][..], args].concat(),
        ))
    };
    let regulator_roles = propose(&[
        "add",
        &regulator.address,
        "--roles",
        "admin,authority",
        "--name",
        "Health Regulator",
    ]);
    assert_eq!(
        regulator_roles["executed"], true,
        "1-of-1: {regulator_roles}"
    );
    assert_eq!(propose(&["set-threshold", "2"])["executed"], true);

    for (party, roles, name) in [
        (&lab, "research", "City Lab"),
        (&proxies[0], "proxy", "Proxy One"),
        (&proxies[1], "proxy", "Proxy Two"),
        (&proxies[2], "proxy", "Proxy Three"),
    ] {
        let proposed = propose(&["add", &party.address, "--roles", roles, "--name", name]);
        assert_eq!(
            proposed["executed"], false,
            "one admin alone does not add: {proposed}"
        );
        let id = proposed["id"].to_string();
        // The party itself is no admin: its approval is refused, by name, from its own machine.
        assert_json_refusal(
            &run(&party.dir, &["--json", "consortium", "approve", &id]),
            "ConsortiumUnauthorizedAccount",
        );
        let approved = data(&run(
            &regulator.dir,
            &["--json", "consortium", "approve", &id],
        ));
        assert_eq!(approved["executed"], true, "{approved}");
    }

    // Every party reads the same consortium through its own profile.
    let members = data(&run(&proxies[2].dir, &["--json", "consortium", "members"]));
    let listed: Vec<(String, String)> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_string(),
                m["roles"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(","),
            )
        })
        .collect();
    let expected = [
        ("St Mary Hospital", "admin"),
        ("Health Regulator", "admin,authority"),
        ("City Lab", "research"),
        ("Proxy One", "proxy"),
        ("Proxy Two", "proxy"),
        ("Proxy Three", "proxy"),
    ]
    .map(|(n, r)| (n.to_string(), r.to_string()));
    assert_eq!(listed, expected);
    let status = data(&run(&lab.dir, &["--json", "chain", "status"]));
    assert_eq!(status["network"], network);
    assert_eq!(status["rpcUrl"], url);
    assert_eq!(status["consortium"]["threshold"], 2);
    // A member who is no admin cannot change the consortium on its own.
    assert_json_refusal(
        &run(
            &lab.dir,
            &[
                "--json",
                "consortium",
                "propose",
                "add",
                &lab.address,
                "--roles",
                "admin",
            ],
        ),
        "ConsortiumUnauthorizedAccount",
    );

    proxy_fragments_verify_on_chain(url, &deployment(record));
}

/// The hospital delegates a record to the lab 2-of-3; each proxy's fragment is checked by the
/// deployed `PreVerifier`, and one checked against another receiver is refused.
fn proxy_fragments_verify_on_chain(url: &str, deployment: &Deployment) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let network = Network::http(url, Some(deployment.chain_id), FeePolicy::Free)
            .await
            .unwrap();
        let verifier = PreVerifier::new(&network, deployment.contracts.pre_verifier.unwrap());
        let mut rng = rand08::thread_rng();
        let hospital = MasterSecret::random_with_rng(&mut rng);
        let label = b"record:0001";
        let (label_key, delegation_key) = (
            hospital.derive_label_key(label),
            hospital.derive_delegation_key(label),
        );
        let (owner_key, verifying_key) = (label_key.public_key(), delegation_key.verifying_key());
        let lab = SecretKey::random_with_rng(&mut rng).public_key();
        let stranger = SecretKey::random_with_rng(&mut rng).public_key();
        let (capsule, _) = Capsule::new_with_rng(&mut rng, &label_key.public_key());
        assert!(verifier.verify_capsule(&capsule).await.unwrap());
        let kfrags =
            generate_kfrags_with_rng(&mut rng, &label_key, &delegation_key, &lab, 2, 3).unwrap();
        for kfrag in &kfrags {
            let cfrag = reencrypt_with_rng(&mut rng, &capsule, kfrag).unverify();
            let check = |receiver| {
                verifier.verify_capsule_frag(&capsule, &owner_key, &verifying_key, receiver, &cfrag)
            };
            assert!(check(&lab).await.unwrap(), "a proxy's fragment for the lab");
            assert!(!check(&stranger).await.unwrap(), "not for anyone else");
        }
    });
}

#[test]
fn separate_parties_through_medshare_node() {
    let tmp = tempfile::tempdir().unwrap();
    let hospital = tmp.path().join("st-mary");
    init(&hospital);
    let node = Node::start_with(&hospital, &["--instant"]);
    // The hospital's chain is deployed by `init`: `deploy` finds it and writes the record the
    // others join with.
    let out = tmp.path().join("deployments");
    let deployed = data(&run(
        &hospital,
        &["--json", "deploy", "--out", out.to_str().unwrap()],
    ));
    assert_eq!(deployed["deployed"], false, "{deployed}");
    let record = out.join("embedded/addresses.json");
    assert_eq!(
        deployment(&record).contracts.consortium,
        deployed["deployment"]["contracts"]["consortium"]
            .as_str()
            .unwrap()
            .parse::<Address>()
            .unwrap()
    );
    the_consortium_forms_across_data_directories(
        tmp.path(),
        &hospital,
        "local",
        &node.url,
        &record,
    );

    // The node stops: a party's command says which endpoint failed, in one line.
    drop(node);
    let lab = tmp.path().join("city-lab");
    assert_one_line_error(
        &run(&lab, &["consortium", "members"]),
        "reaching network `local` at http://127.0.0.1:",
    );
}

#[test]
fn separate_parties_on_anvil() {
    let anvil = Anvil::start(&anvil::FREE);
    let tmp = tempfile::tempdir().unwrap();
    let hospital = tmp.path().join("st-mary");
    let report = data(&run(
        &hospital,
        &[
            "--json",
            "--network",
            "anvil",
            "init",
            "--light-kdf",
            "--rpc-url",
            &anvil.url,
        ],
    ));
    assert_eq!(report["chainId"], anvil::CHAIN_ID);
    assert!(
        report["consortium"].is_null(),
        "nothing deployed yet: {report}"
    );
    assert!(!hospital.join("chain").exists());

    let out = tmp.path().join("deployments");
    let deploy = [
        "--json",
        "deploy",
        "--name",
        "St Mary Hospital",
        "--out",
        out.to_str().unwrap(),
    ];
    let first = data(&run(&hospital, &deploy));
    assert_eq!(first["deployed"], true, "{first}");
    assert_eq!(first["network"], "anvil");
    // Run again, it verifies what it deployed instead of deploying twice.
    let second = data(&run(&hospital, &deploy));
    assert_eq!(second["deployed"], false);
    assert_eq!(second["deployment"], first["deployment"]);
    let record = out.join("anvil/addresses.json");
    the_consortium_forms_across_data_directories(
        tmp.path(),
        &hospital,
        "anvil",
        &anvil.url,
        &record,
    );
}

#[test]
fn joining_a_network_fails_clearly_and_leaves_nothing() {
    let anvil = Anvil::start(&anvil::FREE);
    let tmp = tempfile::tempdir().unwrap();
    let hospital = tmp.path().join("st-mary");
    ok(
        &hospital,
        &[
            "--network",
            "anvil",
            "init",
            "--light-kdf",
            "--rpc-url",
            &anvil.url,
        ],
    );
    let out = tmp.path().join("deployments");
    ok(&hospital, &["deploy", "--out", out.to_str().unwrap()]);
    let record = out.join("anvil/addresses.json");
    let good = deployment(&record);
    let party = tmp.path().join("party");
    let join = |args: &[&str]| {
        run(
            &party,
            &[&["--network", "anvil", "init", "--light-kdf"][..], args].concat(),
        )
    };
    // Joins with `deployment` as the record.
    let join_record = |name: &str, deployment: &Deployment| {
        let path = tmp.path().join(name);
        std::fs::write(&path, serde_json::to_vec(deployment).unwrap()).unwrap();
        join(&[
            "--rpc-url",
            &anvil.url,
            "--addresses",
            path.to_str().unwrap(),
        ])
    };

    // Nobody listens at the URL: the error names it, without waiting long.
    let started = std::time::Instant::now();
    let closed = "http://127.0.0.1:9";
    assert_one_line_error(
        &join(&["--rpc-url", closed]),
        "reaching network `anvil` at http://127.0.0.1:9",
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    // Another chain than the one asked for.
    assert_one_line_error(
        &join(&["--rpc-url", &anvil.url, "--chain-id", "5"]),
        "the endpoint serves chain 1337, not chain 5",
    );
    // Addresses that hold nothing, or another contract.
    let mut empty = good;
    empty.contracts.consortium = Address::repeat_byte(0x42);
    assert_one_line_error(
        &join_record("empty.json", &empty),
        "the Consortium address 0x4242424242424242424242424242424242424242 holds no contract code",
    );
    let mut swapped = good;
    swapped.contracts.consortium = good.contracts.identity_registry;
    assert_one_line_error(
        &join_record("swapped.json", &swapped),
        "holds code that is not medshare's Consortium",
    );
    let mut elsewhere = good;
    elsewhere.chain_id = 5;
    assert_one_line_error(
        &join_record("elsewhere.json", &elsewhere),
        "the endpoint serves chain 1337, not chain 5",
    );
    let garbage = tmp.path().join("garbage.json");
    std::fs::write(&garbage, b"{\"chainId\": 1337}").unwrap();
    assert_one_line_error(
        &join(&[
            "--rpc-url",
            &anvil.url,
            "--addresses",
            garbage.to_str().unwrap(),
        ]),
        "is not a medshare deployment record",
    );
    assert_usage_error(&join(&[]), "network `anvil` needs --rpc-url URL");
    assert!(!party.exists(), "a failed init leaves no data directory");

    // The good record joins.
    ok(
        &party,
        &[
            "--network",
            "anvil",
            "init",
            "--light-kdf",
            "--rpc-url",
            &anvil.url,
            "--addresses",
            record.to_str().unwrap(),
        ],
    );
    assert!(party.join("config.json").exists());
}

#[test]
fn network_profiles_are_added_listed_shown_and_removed() {
    let anvil = Anvil::start(&anvil::FREE);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let add = data(&run(
        &dir,
        &[
            "--json",
            "network",
            "add",
            "dev",
            "--rpc-url",
            &anvil.url,
            "--fees",
            "market",
        ],
    ));
    assert_eq!(
        add["chainId"],
        anvil::CHAIN_ID,
        "read from the endpoint: {add}"
    );
    assert_usage_error(
        &run(&dir, &["network", "add", "dev", "--rpc-url", &anvil.url]),
        "network `dev` exists already",
    );
    assert_usage_error(
        &run(
            &dir,
            &["network", "add", "embedded", "--rpc-url", &anvil.url],
        ),
        "`embedded` is the chain kept in the data directory",
    );
    assert_usage_error(
        &run(
            &dir,
            &["network", "add", "bad name", "--rpc-url", &anvil.url],
        ),
        "invalid network name",
    );
    let listed = data(&run(&dir, &["--json", "network", "list"]));
    let names: Vec<(&str, bool)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["name"].as_str().unwrap(), n["default"].as_bool().unwrap()))
        .collect();
    assert_eq!(names, [("dev", false), ("embedded", true)]);
    let shown = data(&run(&dir, &["--json", "network", "show", "dev"]));
    assert_eq!(shown["rpcUrl"], anvil.url.as_str());
    assert_eq!(shown["fees"], "market");
    assert!(shown["deployment"].is_null());
    let text = ok(&dir, &["network", "show", "dev"]);
    assert!(text.contains("medshare deploy --network dev"), "{text}");
    // A profile without a deployment says how to get one.
    assert_one_line_error(
        &run(&dir, &["--network", "dev", "consortium", "members"]),
        "network `dev` has no medshare deployment in this data directory",
    );
    ok(&dir, &["network", "remove", "dev"]);
    assert_usage_error(
        &run(&dir, &["--network", "dev", "chain", "status"]),
        "no network named `dev`",
    );
    assert_one_line_error(
        &run(&dir, &["network", "remove", "embedded"]),
        "cannot be removed",
    );
}

#[test]
fn a_node_refuses_a_held_chain_and_a_taken_port() {
    let tmp = tempfile::tempdir().unwrap();
    let (first, second) = (tmp.path().join("first"), tmp.path().join("second"));
    init(&first);
    init(&second);
    let node = Node::start(&first);
    assert_one_line_error(
        &run(&first, &["node", "--port", "0"]),
        "a medshare node (pid ",
    );
    let port = node.url.rsplit(':').next().unwrap();
    assert_one_line_error(
        &run(&second, &["node", "--port", port]),
        &format!("listening on 127.0.0.1:{port}"),
    );
}

#[test]
fn a_node_that_dies_after_a_send_leaves_the_command_saying_what_to_check() {
    let tmp = tempfile::tempdir().unwrap();
    let hospital = tmp.path().join("st-mary");
    init(&hospital);
    let sender: Address = address(&hospital, "default").parse().unwrap();
    // A block period far longer than the test: the transaction waits in the node.
    let node = Node::start_with(&hospital, &["--block-time", "3600"]);
    let url = node.url.clone();
    let command = medshare(&hospital, &["consortium", "propose", "set-threshold", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        use alloy::providers::Provider;
        let network = Network::http(&url, None, FeePolicy::Free).await.unwrap();
        let pending = || async {
            network
                .provider()
                .get_transaction_count(sender)
                .pending()
                .await
                .unwrap()
        };
        let before = pending().await;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while pending().await == before {
            assert!(
                std::time::Instant::now() < deadline,
                "the transaction never arrived"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    });
    // The node crashes (SIGKILL) with the transaction accepted but not mined.
    drop(node);
    let out = command.wait_with_output().unwrap();
    assert_one_line_error(&out, "was sent, but whether it was mined is unknown");
    assert!(stderr(&out).contains("cast receipt 0x"), "{}", stderr(&out));
}

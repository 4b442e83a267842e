//! The embedded chain as its history grows: building it, time to open, a view call,
//! `eth_getLogs` for one contract and event answered from the log index against a scan of every
//! block, bytes on disk per block and peak memory; beside the machine's fsync rate, the physical
//! limit of a durable commit.
//!
//! `cargo bench -p medshare-evm --bench chain` writes `docs/bench-chain.md`;
//! `MEDSHARE_BENCH_BLOCKS=1000,10000` sets the history sizes, and histories of at least
//! `MEDSHARE_BENCH_BULK_FROM` blocks (default 100000) are built with `Chain::in_bulk`. The
//! queries run in a child process, so that its peak memory is that of opening and querying.

#[path = "../tests/common/mod.rs"]
mod common;

use std::{
    fmt::Write as _,
    io::Write as _,
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use alloy::primitives::{Address, B256, TxKind, U256};
use common::*;
use medshare_evm::{CallRequest, Chain, LogFilter};

/// Each counter gets about this many increments, so that one query by contract and event
/// finds this many logs.
const LOGS_PER_CONTRACT: u64 = 10;

/// Set in the child process that runs the queries: the chain directory, the counter queried and
/// its topic.
const QUERY_ENV: &str = "MEDSHARE_BENCH_QUERY";

struct Row {
    blocks: u64,
    bulk: bool,
    built_per_second: f64,
    file_bytes: u64,
    build_peak_kib: u64,
    queries: Queries,
}

/// What the child process measures on the closed chain.
struct Queries {
    open: Duration,
    call: Duration,
    indexed_logs: Duration,
    scanned_logs: Duration,
    logs_found: usize,
    peak_kib: u64,
}

fn main() {
    if let Ok(query) = std::env::var(QUERY_ENV) {
        let queries = run_queries(&query);
        println!(
            "{} {} {} {} {} {}",
            queries.open.as_nanos(),
            queries.call.as_nanos(),
            queries.indexed_logs.as_nanos(),
            queries.scanned_logs.as_nanos(),
            queries.logs_found,
            queries.peak_kib
        );
        return;
    }
    let sizes: Vec<u64> = std::env::var("MEDSHARE_BENCH_BLOCKS")
        .unwrap_or_else(|_| "1000,10000,100000,1000000".into())
        .split(',')
        .map(|n| n.trim().parse().expect("MEDSHARE_BENCH_BLOCKS: numbers"))
        .collect();
    let bulk_from: u64 = std::env::var("MEDSHARE_BENCH_BULK_FROM").map_or(100_000, |n| {
        n.parse().expect("MEDSHARE_BENCH_BULK_FROM: a number")
    });
    let fsyncs = fsyncs_per_second();
    let rows: Vec<Row> = sizes
        .iter()
        .map(|&blocks| {
            let row = measure(blocks, blocks >= bulk_from);
            eprintln!("{}", render_row(&row));
            row
        })
        .collect();
    let report = render(&rows, fsyncs);
    print!("{report}");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/bench-chain.md");
    std::fs::write(&path, report).expect("writing docs/bench-chain.md");
    eprintln!("wrote {}", path.display());
}

/// A chain of `blocks` blocks: `blocks / LOGS_PER_CONTRACT` counters, each with its own event
/// topic, then increments round robin (one signed transaction, one log per block).
fn measure(blocks: u64, bulk: bool) -> Row {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut chain = Chain::create(dir.path(), genesis()).expect("a chain");
    let started = Instant::now();
    let counters = if bulk {
        chain.in_bulk(|chain| Ok(build(chain, blocks)))
    } else {
        Ok(build(&mut chain, blocks))
    }
    .expect("a history");
    let built_per_second = blocks as f64 / started.elapsed().as_secs_f64();
    drop(chain);
    let file_bytes = std::fs::metadata(dir.path().join("chain.redb"))
        .map(|m| m.len())
        .unwrap_or(0);
    let (counter, topic) = counters[counters.len() / 2];
    let output = Command::new(std::env::current_exe().expect("this benchmark"))
        .env(
            QUERY_ENV,
            format!("{} {counter} {topic}", dir.path().display()),
        )
        .output()
        .expect("the query process");
    assert!(output.status.success(), "the query process failed");
    let numbers: Vec<u64> = String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .map(|n| n.parse().expect("numbers"))
        .collect();
    let nanos = |i: usize| Duration::from_nanos(numbers[i]);
    Row {
        blocks,
        bulk,
        built_per_second,
        file_bytes,
        build_peak_kib: peak_rss_kib(),
        queries: Queries {
            open: nanos(0),
            call: nanos(1),
            indexed_logs: nanos(2),
            scanned_logs: nanos(3),
            logs_found: numbers[4] as usize,
            peak_kib: numbers[5],
        },
    }
}

/// Mines the history of [`measure`] on `chain`; returns the counters and their topics.
fn build(chain: &mut Chain, blocks: u64) -> Vec<(Address, B256)> {
    let alice = alice();
    let mut nonce = chain.nonce(alice.address()).expect("a nonce");
    let mut send = |chain: &mut Chain, to: TxKind, input: Vec<u8>| {
        let raw = eip1559(&alice, nonce, to, U256::ZERO, input);
        nonce += 1;
        chain.send_raw_transaction(&raw).expect("mined")
    };
    let contracts = (blocks / LOGS_PER_CONTRACT).max(1);
    let counters: Vec<(Address, B256)> = (0..contracts)
        .map(|index| {
            let topic = topic(index);
            let init = init_code(&counter_runtime_with_topic(topic));
            let receipt = send(chain, TxKind::Create, init);
            (receipt.contract_address.expect("a contract"), topic)
        })
        .collect();
    while chain.block_number() < blocks {
        let (counter, _) = counters[(chain.block_number() % contracts) as usize];
        assert!(send(chain, TxKind::Call(counter), Vec::new()).status);
    }
    counters
}

/// The child process: opens the chain named by `query` and times the queries.
fn run_queries(query: &str) -> Queries {
    let mut parts = query.split(' ');
    let mut next = || parts.next().expect("dir, counter and topic");
    let dir = next().to_owned();
    let counter: Address = next().parse().expect("a counter");
    let topic: B256 = next().parse().expect("a topic");
    let open = median(5, || {
        let started = Instant::now();
        drop(Chain::open(&dir).expect("opens"));
        started.elapsed()
    });
    let chain = Chain::open(&dir).expect("opens");
    let call = median(200, || {
        let started = Instant::now();
        let outcome = chain
            .call(&CallRequest::new(Address::ZERO, counter, Vec::new()))
            .expect("a call");
        assert!(outcome.success);
        started.elapsed()
    });
    let indexed = LogFilter::address(counter).event(topic);
    let logs_found = chain.logs(&indexed).expect("logs").len();
    let indexed_logs = median(50, || {
        let started = Instant::now();
        assert_eq!(chain.logs(&indexed).expect("logs").len(), logs_found);
        started.elapsed()
    });
    // The same answer without naming the contract: every block is read.
    let scan = LogFilter::default().event(topic);
    let scanned_logs = median(3, || {
        let started = Instant::now();
        assert_eq!(chain.logs(&scan).expect("logs").len(), logs_found);
        started.elapsed()
    });
    Queries {
        open,
        call,
        indexed_logs,
        scanned_logs,
        logs_found,
        peak_kib: peak_rss_kib(),
    }
}

/// This process's peak resident set (`VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

fn topic(index: u64) -> B256 {
    B256::from(U256::from(index + 1) << 200)
}

fn median(runs: usize, mut run: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..runs).map(|_| run()).collect();
    times.sort_unstable();
    times[runs / 2]
}

/// 4 KiB writes each followed by `fsync`, for one second: what one durable commit costs at
/// least (a block commits with four: redb's two-phase commit, `HEAD` and its directory).
fn fsyncs_per_second() -> f64 {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut file = std::fs::File::create(dir.path().join("probe")).expect("a file");
    let started = Instant::now();
    let mut count = 0u32;
    while started.elapsed() < Duration::from_secs(1) {
        file.write_all(&[0x5a; 4096]).expect("a write");
        file.sync_data().expect("an fsync");
        count += 1;
    }
    f64::from(count) / started.elapsed().as_secs_f64()
}

fn ms(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64() * 1_000.0)
}

fn mib(kib: u64) -> String {
    format!("{:.0}", kib as f64 / 1024.0)
}

fn render_row(row: &Row) -> String {
    let q = &row.queries;
    format!(
        "| {} | {} | {:.0} | {} | {} | {} | {} | {} | {:.1} | {:.0} | {} | {} |",
        row.blocks,
        if row.bulk { "bulk" } else { "mined" },
        row.built_per_second,
        ms(q.open),
        ms(q.call),
        ms(q.indexed_logs),
        ms(q.scanned_logs),
        q.logs_found,
        row.file_bytes as f64 / (1024.0 * 1024.0),
        row.file_bytes as f64 / row.blocks as f64,
        mib(q.peak_kib),
        mib(row.build_peak_kib),
    )
}

fn render(rows: &[Row], fsyncs: f64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Embedded chain benchmark\n\n\
         `cargo bench -p medshare-evm --bench chain` (release profile; written by the bench,\n\
         do not edit). One signed transaction and one log per block, a counter contract per\n\
         {LOGS_PER_CONTRACT} blocks (its deployment is a block too), then increments round robin,\n\
         each counter with its own event topic; medians. Machine: 2 vCPU, shared and noisy, so\n\
         compare rows of one run.\n\n\
         - *built*: `mined` commits every block durably as `medshare` does (redb two-phase\n  \
         commit, `HEAD`); `bulk` (`Chain::in_bulk`, feature `bulk`, for benchmarks) executes and\n  \
         commits the same blocks one by one, each in its own redb write transaction, but flushes\n  \
         only every 100th and writes `HEAD` once at the end: the same file, built without\n  \
         waiting for the disk.\n\
         - *open* to *peak RSS, queries*: measured in a fresh process on the closed chain;\n  \
         peak RSS is `VmHWM` of that process (open, calls, log queries including the scan).\n\
         - *peak RSS, build*: `VmHWM` of the benchmark process after building the history\n  \
         (cumulative over the rows above it).\n"
    );
    let _ = writeln!(
        out,
        "| blocks | built | blocks/s | open (ms) | view call (ms) | eth_getLogs, contract + topic, index (ms) | same, scan of every block (ms) | logs found | file (MiB) | bytes per block | peak RSS, queries (MiB) | peak RSS, build (MiB) |"
    );
    let _ = writeln!(
        out,
        "|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for row in rows {
        let _ = writeln!(out, "{}", render_row(row));
    }
    let _ = writeln!(
        out,
        "\nPhysical limit: this disk does {fsyncs:.0} fsyncs/s (4 KiB write + fsync); a mined block\n\
         commits with four (redb's two-phase commit, `HEAD`, its directory), so one block per\n\
         transaction cannot exceed about {:.0} blocks/s here. A block period puts many transactions\n\
         in one commit (`medshare node`).\n",
        fsyncs / 4.0
    );
    let _ = writeln!(
        out,
        "Opening reads the head only (format, genesis, head block and digests, `HEAD`); the state is\n\
         read entry by entry as calls touch it (`docs/chain-integrity.md`), so neither open nor a\n\
         call grows with the chain. Not measured here: `medshare node` throughput over HTTP\n\
         against anvil."
    );
    out
}

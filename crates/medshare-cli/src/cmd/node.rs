//! `medshare node`: the data directory's embedded chain over Ethereum JSON-RPC (HTTP).
//!
//! The answers come from `medshare_evm::rpc`; this module only listens, bounds request sizes
//! and stops cleanly. One request runs at a time (the chain executes transactions in order), on
//! one thread.

use std::{
    cell::RefCell,
    net::{IpAddr, SocketAddr},
    rc::Rc,
};

use anyhow::{Context, Result};
use http_body_util::{BodyExt, Full, Limited};
use hyper::{
    Method, Request, Response, StatusCode,
    body::{Bytes, Incoming},
    header,
    server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::TokioIo;
use medshare_evm::{Chain, rpc};
use serde::Serialize;

use crate::{
    args::{GlobalArgs, NodeArgs},
    client::{self, Opened},
    datadir::{DataDir, Profile},
    output::Printer,
};

/// Beside the chain file while a node serves it: tells other commands where the chain went.
const NODE_FILE: &str = "node.json";

/// The node serving the chain of `data_dir`, if one says so: its URL and process id.
pub(crate) fn serving_node(data_dir: &DataDir) -> Option<(String, u32)> {
    let text = std::fs::read(data_dir.chain_dir().join(NODE_FILE)).ok()?;
    let marker: NodeMarker = serde_json::from_slice(&text).ok()?;
    Some((marker.url, marker.pid))
}

#[derive(Serialize, serde::Deserialize)]
struct NodeMarker {
    url: String,
    pid: u32,
}

/// Removes the marker when the node stops, however `serve` returns.
struct MarkerGuard(std::path::PathBuf);

impl Drop for MarkerGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What the node prints when it is ready.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Serving {
    url: String,
    /// "a block every N s" or "a block per transaction".
    mining: String,
    chain_id: u64,
    block_number: u64,
    data_dir: String,
}

pub(super) fn run(global: &GlobalArgs, args: &NodeArgs, printer: &Printer) -> Result<()> {
    let data_dir = &super::data_dir(global)?;
    if !args.host.is_loopback() && !args.allow_remote {
        return Err(crate::output::usage(format!(
            "{} is not a loopback address: anyone who reaches it could send transactions and read the whole chain; pass --allow-remote to bind it anyway",
            args.host
        )));
    }
    let config = super::config(global, data_dir)?;
    if let (
        name,
        Profile {
            rpc_url: Some(url), ..
        },
    ) = config.network()
    {
        return Err(crate::output::usage(format!(
            "medshare node serves the embedded chain of a data directory; network `{name}` is a chain reached at {url}"
        )));
    }
    let chain = match client::open_chain(data_dir)? {
        Opened::Chain(chain) => *chain,
        Opened::Node { url, pid } => {
            anyhow::bail!("a medshare node (pid {pid}) already serves this chain at {url}")
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .context("starting the I/O runtime")?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, serve(chain, data_dir, args, printer))
}

async fn serve(chain: Chain, data_dir: &DataDir, args: &NodeArgs, printer: &Printer) -> Result<()> {
    let address = SocketAddr::new(args.host, args.port);
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("listening on {address}"))?;
    let bound = listener.local_addr().context("reading the bound address")?;
    if !args.host.is_loopback() {
        eprintln!(
            "warning: serving on {bound}, reachable from other machines, without authentication"
        );
    }
    let marker_path = data_dir.chain_dir().join(NODE_FILE);
    let marker = NodeMarker {
        url: url(bound),
        pid: std::process::id(),
    };
    crate::datadir::write_atomically(
        &marker_path,
        &serde_json::to_vec(&marker).context("encoding the node marker")?,
        0o644,
    )?;
    let _marker = MarkerGuard(marker_path);
    let serving = Serving {
        mining: if args.instant {
            "a block per transaction".to_string()
        } else {
            format!("a block every {} s", args.block_time)
        },
        url: url(bound),
        chain_id: chain.chain_id(),
        block_number: chain.block_number(),
        data_dir: data_dir.root().display().to_string(),
    };
    printer.result(
        &serving,
        || {
            format!(
                "serving the chain of {} (chain id {}, block {}) at {}; {}; Ctrl-C stops\n",
                serving.data_dir,
                serving.chain_id,
                serving.block_number,
                serving.url,
                serving.mining
            )
        },
        &serving.url,
    );
    let chain = Rc::new(RefCell::new(chain));
    let mining = if args.instant {
        rpc::Mining::Instant
    } else {
        rpc::Mining::Periodic
    };
    let mut blocks = tokio::time::interval(std::time::Duration::from_secs(args.block_time));
    blocks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // A connection that failed before it was accepted concerns that client only.
                Err(_) => continue,
            },
            _ = blocks.tick(), if mining == rpc::Mining::Periodic => {
                mine(&chain);
                continue;
            }
            _ = tokio::signal::ctrl_c() => break,
            _ = terminate.recv() => break,
        };
        let chain = Rc::clone(&chain);
        tokio::task::spawn_local(async move {
            let service = service_fn(move |request| respond(Rc::clone(&chain), request, mining));
            // A client that goes away mid-request loses only its own answer.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
    // Transactions already accepted are mined before the node stops.
    mine(&chain);
    eprintln!("stopped serving {}", serving.url);
    Ok(())
}

/// Mines the pending block, if any. A failed commit leaves the transactions pending for the
/// next period; the operator is told on stderr.
fn mine(chain: &RefCell<Chain>) {
    if let Err(err) = chain.borrow_mut().mine_pending() {
        eprintln!("error: mining the pending block failed (it is retried): {err}");
    }
}

fn url(address: SocketAddr) -> String {
    match address.ip() {
        IpAddr::V6(ip) => format!("http://[{ip}]:{}", address.port()),
        IpAddr::V4(ip) => format!("http://{ip}:{}", address.port()),
    }
}

async fn respond(
    chain: Rc<RefCell<Chain>>,
    request: Request<Incoming>,
    mining: rpc::Mining,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    if request.method() != Method::POST {
        return Ok(plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "medshare node speaks Ethereum JSON-RPC: POST a JSON-RPC request\n",
        ));
    }
    let body = match Limited::new(request.into_body(), rpc::MAX_REQUEST_BYTES)
        .collect()
        .await
    {
        Ok(body) => body.to_bytes(),
        Err(_) => {
            return Ok(plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request is larger than the node accepts or was cut short\n",
            ));
        }
    };
    let answer = rpc::handle(&mut chain.borrow_mut(), &body, mining);
    Ok(match answer {
        Some(answer) => Response::builder()
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(answer)))
            .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "")),
        // Only notifications: nothing to answer.
        None => plain(StatusCode::NO_CONTENT, ""),
    })
}

fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urls_bracket_ipv6_hosts() {
        assert_eq!(
            url("127.0.0.1:8545".parse().unwrap()),
            "http://127.0.0.1:8545"
        );
        assert_eq!(url("[::1]:9000".parse().unwrap()), "http://[::1]:9000");
    }
}

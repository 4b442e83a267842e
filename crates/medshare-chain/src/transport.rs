//! The embedded chain as an alloy transport: each request packet goes, as JSON, through
//! `medshare_evm::rpc` in this process, exactly as a `medshare node` would answer it over HTTP.

use std::{
    sync::{Arc, Mutex},
    task::{Context, Poll},
};

use alloy::{
    rpc::json_rpc::{RequestPacket, ResponsePacket},
    transports::{TransportError, TransportErrorKind, TransportFut},
};
use medshare_evm::{Chain, rpc};

/// A [`Chain`] in this process, served to alloy as a JSON-RPC endpoint.
#[derive(Clone, Debug)]
pub struct InProcess {
    chain: Arc<Mutex<Chain>>,
    mining: rpc::Mining,
}

impl InProcess {
    /// Serves `chain`; `mining` says whether each transaction is mined at once.
    pub fn new(chain: Chain, mining: rpc::Mining) -> Self {
        Self {
            chain: Arc::new(Mutex::new(chain)),
            mining,
        }
    }

    /// The chain, for what only the embedded network offers (checking the file, mining).
    pub fn chain(&self) -> &Arc<Mutex<Chain>> {
        &self.chain
    }

    fn answer(&self, request: &RequestPacket) -> Result<ResponsePacket, TransportError> {
        let body = serde_json::to_vec(request).map_err(TransportError::ser_err)?;
        let answer = {
            let mut chain = self
                .chain
                .lock()
                .map_err(|_| TransportErrorKind::custom_str("the chain lock is poisoned"))?;
            rpc::handle(&mut chain, &body, self.mining)
        };
        // Only notifications: JSON-RPC answers nothing, alloy expects an empty batch.
        let answer = answer.unwrap_or_else(|| b"[]".to_vec());
        serde_json::from_slice(&answer)
            .map_err(|err| TransportError::deser_err(err, String::from_utf8_lossy(&answer)))
    }
}

impl tower::Service<RequestPacket> for InProcess {
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: RequestPacket) -> Self::Future {
        let answer = self.answer(&request);
        Box::pin(async move { answer })
    }
}

//! Entry points for the fuzz targets (`core/fuzz`) and the replay of their
//! seed corpora (`core/tests/fuzz_corpus.rs`) into parsers that are private
//! to the crate.
//!
//! Compiled only with the `fuzzing` feature, which no release build
//! enables: not an API, and it may change with any commit. Each function
//! hands its input to the very code a connection runs, with memory in place
//! of the socket; the properties checked live with the targets, in
//! `core/tests/fuzz_driver/`.

use std::io::{Read, Write};

use crate::error::Result;
use crate::store::StoredMessage;
use crate::transport::proxy::{Plan, TunnelIo, proxy_closed};
use crate::{ProxyConfig, WsUrl, store, transport};

/// The WebSocket library, for the message and error types of [`ws_client`].
pub use tungstenite;

/// Reads and checks the answer to a WebSocket upgrade request sent with
/// `key` (the `Sec-WebSocket-Key`) to `url` with the extra `headers`,
/// exactly as a connection does. `read` appends what has arrived to the
/// buffer and returns how much (at least 1; 0 at the end of the stream).
/// Returns the bytes that followed the response head (the server's first
/// frames), or the error the connection would fail with.
pub fn upgrade_response(
    read: impl FnMut(&mut Vec<u8>) -> Result<usize>,
    key: &str,
    url: &WsUrl,
    headers: &[(String, String)],
) -> Result<Vec<u8>> {
    transport::read_upgrade_response(read, key, url, headers, &std::cell::Cell::new(None))
}

/// The client's side of a WebSocket on `stream`, after an upgrade that left
/// `leftover` unread, with the limits a client whose messages may be
/// `max_message_size` bytes runs with.
pub fn ws_client<S: Read + Write>(
    stream: S,
    leftover: Vec<u8>,
    max_message_size: usize,
) -> tungstenite::WebSocket<S> {
    tungstenite::WebSocket::from_partially_read(
        stream,
        leftover,
        tungstenite::protocol::Role::Client,
        Some(transport::ws_config(max_message_size)),
    )
}

/// What a proxy negotiation did with the proxy's answer (see [`tunnel`]).
#[derive(Debug)]
pub struct TunnelRun {
    /// `Ok` when the tunnel is open, else the error the connection fails with.
    pub result: Result<()>,
    /// How many bytes of the answer the negotiation consumed. After an open
    /// tunnel, the rest belongs to TLS or the WebSocket upgrade.
    pub consumed: usize,
    /// Everything sent to the proxy.
    pub sent: Vec<u8>,
}

/// Negotiates a tunnel to `host:port` through `proxy` (HTTP CONNECT or
/// SOCKS5, with its credentials), the proxy's answer arriving in the pieces
/// `arrivals`; once they are used up, the proxy has closed the connection.
/// An error when the requests cannot be built (a host or credentials the
/// protocol cannot carry), before anything is sent.
pub fn tunnel(proxy: &ProxyConfig, host: &str, port: u16, arrivals: &[&[u8]]) -> Result<TunnelRun> {
    let plan = Plan::new(proxy, host, port)?;
    let mut io = MemTunnel {
        arrivals: arrivals.iter(),
        data: Vec::new(),
        consumed: 0,
        sent: Vec::new(),
    };
    let result = plan.run(&mut io, host, port);
    Ok(TunnelRun {
        result,
        consumed: io.consumed,
        sent: io.sent,
    })
}

/// A proxy socket in memory: each read or peek that finds nothing new waits
/// for the next arrival, as the socket would.
struct MemTunnel<'a> {
    arrivals: std::slice::Iter<'a, &'a [u8]>,
    /// Everything arrived so far.
    data: Vec<u8>,
    consumed: usize,
    sent: Vec<u8>,
}

impl MemTunnel<'_> {
    /// Takes the next arrival; `false` when the proxy has closed.
    fn arrive(&mut self) -> bool {
        match self.arrivals.next() {
            Some(piece) => {
                self.data.extend_from_slice(piece);
                true
            }
            None => false,
        }
    }
}

impl TunnelIo for MemTunnel<'_> {
    fn write_all(&mut self, buf: &[u8]) -> Result<()> {
        self.sent.extend_from_slice(buf);
        Ok(())
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<()> {
        while self.data.len() - self.consumed < buf.len() {
            if !self.arrive() {
                return Err(proxy_closed());
            }
        }
        buf.copy_from_slice(&self.data[self.consumed..self.consumed + buf.len()]);
        self.consumed += buf.len();
        Ok(())
    }

    fn peek(&mut self, buf: &mut [u8]) -> Result<usize> {
        while self.data.len() == self.consumed {
            if !self.arrive() {
                return Err(proxy_closed());
            }
        }
        let n = buf.len().min(self.data.len() - self.consumed);
        buf[..n].copy_from_slice(&self.data[self.consumed..self.consumed + n]);
        Ok(n)
    }
}

/// What replaying a store log found (see [`store_scan`]).
#[derive(Debug)]
pub struct StoreScan {
    /// The messages stored and not done, by sequence number.
    pub live: Vec<StoredMessage>,
    /// The highest sequence number of any valid record (0 if none).
    pub max_seq: u64,
    /// Byte ranges `(start, end)` that held no valid record.
    pub damaged: Vec<(u64, u64)>,
    /// Offset of an incomplete last record, if the log ends in one.
    pub torn_tail: Option<u64>,
}

/// Replays the durable store's log `data` the way `Store::open` does.
pub fn store_scan(data: &[u8]) -> StoreScan {
    let s = store::scan(data);
    StoreScan {
        live: s.live.into_values().collect(),
        max_seq: s.max_seq,
        damaged: s.damaged,
        torn_tail: s.torn_tail,
    }
}

/// The log record that stores `m`; an error when it does not fit the format.
pub fn store_message_record(m: &StoredMessage) -> Result<Vec<u8>> {
    store::encode_message(m)
}

/// The log record that marks message `seq` done.
pub fn store_done_record(seq: u64) -> Vec<u8> {
    store::done_record(seq)
}

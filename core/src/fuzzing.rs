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
use crate::transport::ws::{Incoming, WsConn, WsStream};
use crate::{ProxyConfig, WsUrl, store, transport};

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

/// What [`WsClient::read`] found: the connection's own `Incoming`, owned.
#[derive(Debug, PartialEq, Eq)]
pub enum WsRead {
    /// Bytes of the MQTT stream (part of a data frame, never empty).
    Data(Vec<u8>),
    /// A PONG arrived.
    Pong,
    /// The server closed the WebSocket (its code and reason, as text).
    Close(String),
}

/// The client's WebSocket framing (`transport::ws`) on a stream in memory,
/// after an upgrade that left `leftover` unread.
pub struct WsClient<S: Read + Write>(WsConn<MemStream<S>>);

/// The client's side of a WebSocket on `stream` (see [`WsClient`]).
pub fn ws_client<S: Read + Write>(stream: S, leftover: &[u8]) -> WsClient<S> {
    WsClient(WsConn::new(MemStream(stream), leftover))
}

/// The size of the client's receive buffer: no [`WsRead::Data`] is longer
/// than this or than what came with the upgrade response.
pub const WS_READ_BUF: usize = transport::ws::READ_BUF;

impl<S: Read + Write> WsClient<S> {
    /// The next thing the server sent, as a connection reads it: `Ok(None)`
    /// when the stream would block. A PING is answered (queued).
    pub fn read(&mut self) -> Result<Option<WsRead>> {
        Ok(self.0.read()?.map(|incoming| match incoming {
            Incoming::Data(d) => WsRead::Data(d.to_vec()),
            Incoming::Pong => WsRead::Pong,
            Incoming::Close(why) => WsRead::Close(why),
        }))
    }

    /// Writes the queued frames (answers to PINGs and CLOSEs).
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// A stream in memory: always worth reading, and no TLS.
struct MemStream<S>(S);

impl<S: Read> Read for MemStream<S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl<S: Write> Write for MemStream<S> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl<S: Read + Write> WsStream for MemStream<S> {
    fn may_have_data(&self) -> bool {
        true
    }

    fn read_decrypted(&mut self, _: &mut [u8]) -> usize {
        0
    }
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

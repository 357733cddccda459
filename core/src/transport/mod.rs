//! The byte pipe under the session: TCP, optional TLS, and WebSocket framing.
//!
//! ```text
//!   socket (mio, non-blocking) ⇄ rustls (wss) ⇄ tungstenite ⇄ MQTT bytes
//! ```
//!
//! Everything here is non-blocking and waits only in [`Poller::wait`], which
//! takes a deadline and wakes early for [`InterruptHandle::interrupt`]. That
//! is how every phase of a connection (DNS, TCP, TLS, WebSocket upgrade) gets
//! a deadline and how another thread can wake a blocked receive, without
//! `unsafe` and without a background thread per connection. The one thread
//! used is for DNS, because the system resolver has no timeout of its own.

pub mod proxy;
pub mod tls;
pub mod url;

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token, Waker};
use rustls::{ClientConfig, ClientConnection, StreamOwned};
use tungstenite::handshake::HandshakeError;
use tungstenite::handshake::client::generate_key;
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{WebSocket, http};

use crate::error::{Error, Result, TimeoutPhase};
use url::WsUrl;

const SOCKET: Token = Token(0);
const WAKER: Token = Token(1);

/// The subprotocol MQTT 3.1.1 section 6 requires.
const SUBPROTOCOL: &str = "mqtt";

/// A TCP stream, plain or wrapped in TLS.
#[derive(Debug)]
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&mut self) -> &mut TcpStream {
        match self {
            Self::Plain(s) => s,
            Self::Tls(s) => &mut s.sock,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.read(buf),
            Self::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.write(buf),
            Self::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(s) => s.flush(),
            Self::Tls(s) => s.flush(),
        }
    }
}

/// Wakes a blocked call on a [`Client`](crate::Client) from another thread.
///
/// Cheap to clone, `Send + Sync`. An interrupt makes the call that is blocked
/// now, or else the next blocking call, return [`Error::Interrupted`] once.
#[derive(Clone, Debug)]
pub struct InterruptHandle {
    flag: Arc<AtomicBool>,
    waker: Arc<Waker>,
}

impl InterruptHandle {
    /// Wakes the blocked call. Safe from any thread, any number of times.
    pub fn interrupt(&self) {
        self.flag.store(true, Ordering::SeqCst);
        if let Err(e) = self.waker.wake() {
            log::warn!("interrupt: waking the poller failed: {e}");
        }
    }
}

/// Waits for socket readiness, a deadline, or an interrupt.
#[derive(Debug)]
pub(crate) struct Poller {
    poll: Poll,
    events: Events,
    interrupt: InterruptHandle,
}

impl Poller {
    pub(crate) fn new() -> Result<Self> {
        let poll = Poll::new().map_err(|e| Error::io("creating the poller", e))?;
        let waker =
            Waker::new(poll.registry(), WAKER).map_err(|e| Error::io("creating the poller", e))?;
        Ok(Self {
            poll,
            events: Events::with_capacity(8),
            interrupt: InterruptHandle {
                flag: Arc::new(AtomicBool::new(false)),
                waker: Arc::new(waker),
            },
        })
    }

    pub(crate) fn interrupt_handle(&self) -> InterruptHandle {
        self.interrupt.clone()
    }

    /// Consumes a pending interrupt, if any.
    pub(crate) fn take_interrupt(&self) -> Result<()> {
        if self.interrupt.flag.swap(false, Ordering::SeqCst) {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }

    /// Blocks until the socket may be ready, `deadline` passes (returns
    /// `Ok(false)`), or an interrupt arrives (returns [`Error::Interrupted`]).
    /// Spurious wake-ups return `Ok(true)`; callers retry their I/O.
    pub(crate) fn wait(&mut self, deadline: Option<Instant>) -> Result<bool> {
        self.take_interrupt()?;
        let timeout = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if timeout == Some(Duration::ZERO) {
            return Ok(false);
        }
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(true),
            Err(e) => return Err(Error::io("waiting for the socket", e)),
        }
        self.take_interrupt()?;
        if self.events.is_empty() {
            // poll(2) may return a little early; let the caller check the clock.
            return Ok(deadline.is_none_or(|d| Instant::now() < d));
        }
        Ok(true)
    }

    fn register(&self, tcp: &mut TcpStream) -> Result<()> {
        self.poll
            .registry()
            .register(tcp, SOCKET, Interest::READABLE | Interest::WRITABLE)
            .map_err(|e| Error::io("registering the socket", e))
    }

    pub(crate) fn deregister(&self, ws: &mut WebSocket<Stream>) {
        // Failure only means the socket is already gone.
        let _ = self.poll.registry().deregister(ws.get_mut().tcp());
    }
}

/// Where and how to open one connection.
pub(crate) struct Target<'a> {
    pub url: &'a WsUrl,
    pub headers: &'a [(String, String)],
    pub tls: Option<Arc<ClientConfig>>,
    pub max_message_size: usize,
    /// Tunnel the TCP connection through this proxy.
    pub proxy: Option<&'a proxy::ProxyConfig>,
}

/// Opens TCP, TLS (for wss) and the WebSocket upgrade, each phase bounded by
/// `deadline`. The returned socket is registered with `poller`.
pub(crate) fn open(
    target: &Target<'_>,
    poller: &mut Poller,
    deadline: Instant,
) -> Result<WebSocket<Stream>> {
    let url = target.url;
    let tcp = match target.proxy {
        Some(p) => proxy::connect_via(p, &url.host, url.port, poller, deadline)?,
        None => {
            let addrs = resolve(&url.host, url.port, deadline)?;
            connect_tcp(&addrs, poller, deadline)?
        }
    };
    let stream = if url.secure {
        let config = target
            .tls
            .clone()
            .ok_or_else(|| Error::invalid("wss:// needs a TLS configuration"))?;
        let conn = ClientConnection::new(config, tls::server_name(&url.host)?)
            .map_err(|e| tls::describe(&e))?;
        Stream::Tls(Box::new(tls_handshake(conn, tcp, poller, deadline)?))
    } else {
        Stream::Plain(tcp)
    };
    ws_handshake(target, stream, poller, deadline)
}

pub(crate) fn resolve(host: &str, port: u16, deadline: Instant) -> Result<Vec<SocketAddr>> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    // The system resolver cannot be cancelled or given a timeout, so it runs
    // on a short-lived thread that we stop waiting for at the deadline.
    let (tx, rx) = std::sync::mpsc::channel();
    let name = host.to_owned();
    std::thread::Builder::new()
        .name("mqttws-dns".into())
        .spawn(move || {
            let _ = tx.send(
                (name.as_str(), port)
                    .to_socket_addrs()
                    .map(|a| a.collect::<Vec<_>>()),
            );
        })
        .map_err(|e| Error::io("starting the DNS lookup", e))?;
    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(Error::io(
            "resolving the host name",
            io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address")),
        )),
        Ok(Err(e)) => Err(Error::io("resolving the host name", e)),
        Err(_) => Err(Error::Timeout(TimeoutPhase::Dns)),
    }
}

pub(crate) fn connect_tcp(
    addrs: &[SocketAddr],
    poller: &mut Poller,
    deadline: Instant,
) -> Result<TcpStream> {
    let mut last_err = None;
    for addr in addrs {
        let mut tcp = TcpStream::connect(*addr).map_err(|e| Error::io("connecting", e))?;
        poller.register(&mut tcp)?;
        loop {
            // A connect in progress reports NotConnected from peer_addr.
            if let Some(e) = tcp.take_error().map_err(|e| Error::io("connecting", e))? {
                last_err = Some(e);
                break;
            }
            match tcp.peer_addr() {
                Ok(_) => {
                    tcp.set_nodelay(true)
                        .map_err(|e| Error::io("setting TCP_NODELAY", e))?;
                    return Ok(tcp);
                }
                Err(e) if e.kind() == io::ErrorKind::NotConnected => {}
                Err(e) => {
                    last_err = Some(e);
                    break;
                }
            }
            if !poller.wait(Some(deadline))? {
                let _ = poller.poll.registry().deregister(&mut tcp);
                return Err(Error::Timeout(TimeoutPhase::TcpConnect));
            }
        }
        let _ = poller.poll.registry().deregister(&mut tcp);
    }
    Err(Error::io(
        "connecting",
        last_err
            .unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address to connect to")),
    ))
}

fn tls_handshake(
    mut conn: ClientConnection,
    mut tcp: TcpStream,
    poller: &mut Poller,
    deadline: Instant,
) -> Result<StreamOwned<ClientConnection, TcpStream>> {
    while conn.is_handshaking() {
        match conn.complete_io(&mut tcp) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if !poller.wait(Some(deadline))? {
                    return Err(Error::Timeout(TimeoutPhase::Tls));
                }
            }
            Err(e) => return Err(classify_io("TLS handshake", e)),
        }
    }
    Ok(StreamOwned::new(conn, tcp))
}

fn ws_handshake(
    target: &Target<'_>,
    stream: Stream,
    poller: &mut Poller,
    deadline: Instant,
) -> Result<WebSocket<Stream>> {
    let url = target.url;
    let scheme = if url.secure { "wss" } else { "ws" };
    let mut builder = http::Request::builder()
        .method("GET")
        .uri(format!(
            "{scheme}://{}{}",
            url.host_header(),
            url.path_and_query
        ))
        .header("Host", url.host_header())
        .header("Connection", "Upgrade")
        .header("Upgrade", "websocket")
        .header("Sec-WebSocket-Version", "13")
        .header("Sec-WebSocket-Key", generate_key())
        .header("Sec-WebSocket-Protocol", SUBPROTOCOL);
    for (name, value) in target.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let request = builder.body(()).map_err(|e| {
        Error::invalid(format!(
            "cannot build the upgrade request for {}: {e}",
            url.redacted()
        ))
    })?;
    let config = WebSocketConfig::default()
        .max_message_size(Some(target.max_message_size))
        .max_frame_size(Some(target.max_message_size));
    let mut attempt = tungstenite::client::client_with_config(request, stream, Some(config));
    loop {
        match attempt {
            Ok((ws, _response)) => return Ok(ws),
            Err(HandshakeError::Failure(e)) => return Err(handshake_error(e)),
            Err(HandshakeError::Interrupted(mid)) => {
                if !poller.wait(Some(deadline))? {
                    return Err(Error::Timeout(TimeoutPhase::WebSocketHandshake));
                }
                attempt = mid.handshake();
            }
        }
    }
}

/// Maps a tungstenite error during the upgrade.
fn handshake_error(e: tungstenite::Error) -> Error {
    use tungstenite::Error as W;
    use tungstenite::error::{ProtocolError as P, SubProtocolError as S};
    let plain = |reason: &str| Error::Handshake {
        status: None,
        reason: reason.to_owned(),
        body: String::new(),
    };
    match e {
        W::Http(response) => {
            let status = response.status();
            let body = response.body().as_deref().unwrap_or_default();
            let body = String::from_utf8_lossy(&body[..body.len().min(512)]).into_owned();
            Error::Handshake {
                status: Some(status.as_u16()),
                reason: format!("the server answered {status} instead of 101 Switching Protocols"),
                body,
            }
        }
        W::Protocol(P::SecWebSocketSubProtocolError(S::NoSubProtocol)) => plain(
            "the server selected no subprotocol; MQTT over WebSocket requires it to select \"mqtt\"",
        ),
        W::Protocol(P::SecWebSocketSubProtocolError(_)) => {
            plain("the server selected a subprotocol other than \"mqtt\"")
        }
        W::Protocol(p) => plain(&format!("invalid upgrade response: {p}")),
        W::Io(io) => classify_io("WebSocket handshake", io),
        W::Url(u) => Error::invalid(format!("invalid URL: {u}")),
        W::HttpFormat(h) => Error::invalid(format!("invalid upgrade request: {h}")),
        other => plain(&other.to_string()),
    }
}

/// Maps an I/O error, recognising TLS errors carried inside it.
pub(crate) fn classify_io(context: &'static str, e: io::Error) -> Error {
    if let Some(tls) = tls::rustls_error(&e) {
        return tls::describe(tls);
    }
    if e.kind() == io::ErrorKind::UnexpectedEof {
        return Error::Closed(format!(
            "the server closed the connection during the {context}"
        ));
    }
    Error::io(context, e)
}

//! The byte pipe under the session: TCP, optional TLS, and WebSocket framing.
//!
//! ```text
//!   socket (mio, non-blocking) ⇄ rustls (wss) ⇄ WebSocket framing (ws) ⇄ MQTT bytes
//! ```
//!
//! Everything here is non-blocking and waits only in `Poller::wait`, which
//! takes a deadline and wakes early for an interrupt (`Wakeup`). That
//! is how every phase of a connection (DNS, TCP, TLS, WebSocket upgrade) gets
//! a deadline and how another thread can wake a blocked receive, without
//! `unsafe` and without a background thread per connection. The one thread
//! used is for DNS, because the system resolver has no timeout of its own.

pub mod proxy;
mod redact;
pub mod tls;
pub mod url;
pub(crate) mod ws;

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Registry, Token, Waker};
use rustls::{ClientConfig, ClientConnection, StreamOwned};
use sha1::{Digest, Sha1};

use crate::error::{Error, Result, TimeoutPhase};
use url::WsUrl;
use ws::WsConn;

const SOCKET: Token = Token(0);
const WAKER: Token = Token(1);

/// The subprotocol MQTT 3.1.1 section 6 requires.
const SUBPROTOCOL: &str = "mqtt";

/// What the poller has seen of the connection's socket, shared with the
/// socket ([`Tcp`]).
#[derive(Debug, Default)]
pub(crate) struct Readiness {
    /// Readable events so far.
    events: AtomicU64,
    /// The peer closed or reset the connection: reads must go to the kernel.
    hangup: AtomicBool,
}

/// The connection's TCP socket, which knows when reading it would only give
/// `WouldBlock`. A read that comes back short (or blocked) empties the
/// kernel's receive queue, and the poller's epoll is edge-triggered: every
/// byte that arrives after that read is a readable event. Until the poller
/// has counted one, a read returns `WouldBlock` without a system call. This
/// saves the `recvfrom` that only returns `EAGAIN`: the one after each
/// batch of incoming data, and the one before each wait. An end of stream
/// does not show in a short read (it shows only in the *next* read, and
/// may have arrived before the event that reported the data), so once the
/// poller has seen a hang-up every read goes to the kernel.
#[derive(Debug)]
pub(crate) struct Tcp {
    sock: TcpStream,
    readiness: Arc<Readiness>,
    /// The event count when a read last found the queue empty; `None`
    /// before that.
    drained_at: Option<u64>,
}

impl Tcp {
    fn new(sock: TcpStream, poller: &Poller) -> Self {
        Self {
            sock,
            readiness: poller.readiness.clone(),
            drained_at: None,
        }
    }

    /// Whether a read would go to the kernel (see [`Tcp`]).
    pub(crate) fn may_have_data(&self) -> bool {
        self.drained_at != Some(self.readiness.events.load(Ordering::SeqCst))
            || self.readiness.hangup.load(Ordering::SeqCst)
    }
}

impl Read for Tcp {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Loaded before the read: an event that comes during it makes the
        // next read go to the kernel.
        let events = self.readiness.events.load(Ordering::SeqCst);
        if self.drained_at == Some(events)
            && !buf.is_empty()
            && !self.readiness.hangup.load(Ordering::SeqCst)
        {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        match self.sock.read(buf) {
            Ok(n) if n > 0 && n < buf.len() => {
                self.drained_at = Some(events);
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.drained_at = Some(events);
                Err(e)
            }
            other => other,
        }
    }
}

impl Write for Tcp {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sock.write(buf)
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        self.sock.write_vectored(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sock.flush()
    }
}

/// A TCP stream, plain or wrapped in TLS.
#[derive(Debug)]
pub(crate) enum Stream {
    Plain(Tcp),
    Tls(Box<StreamOwned<ClientConnection, Tcp>>),
}

impl Stream {
    fn tcp(&mut self) -> &mut TcpStream {
        match self {
            Self::Plain(s) => &mut s.sock,
            Self::Tls(s) => &mut s.sock.sock,
        }
    }

    /// Whether reading the socket may give something (see [`Tcp`]).
    pub(crate) fn may_have_data(&self) -> bool {
        match self {
            Self::Plain(s) => s.may_have_data(),
            Self::Tls(s) => s.sock.may_have_data(),
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

/// What wakes a thread blocked in [`Poller::wait`]: the poller's waker,
/// and the count of interrupts so far. A blocking call notes the count when
/// it starts (its *scope*) and is interrupted when the count moves on, so an
/// interrupt ends exactly the calls in progress when it happens and leaves
/// nothing pending for later ones.
#[derive(Debug)]
pub(crate) struct Wakeup {
    waker: Waker,
    interrupts: AtomicU64,
}

impl Wakeup {
    /// The interrupt count now: the scope of a call that starts now.
    pub(crate) fn generation(&self) -> u64 {
        self.interrupts.load(Ordering::SeqCst)
    }

    /// Interrupts every call in progress and wakes the thread in
    /// [`Poller::wait`], if any.
    pub(crate) fn interrupt(&self) {
        self.interrupts.fetch_add(1, Ordering::SeqCst);
        self.wake();
    }

    /// Wakes the thread in [`Poller::wait`], if any (a spurious wake-up
    /// otherwise, which the next wait absorbs).
    pub(crate) fn wake(&self) {
        if let Err(e) = self.waker.wake() {
            log::warn!("waking the poller failed: {e}");
        }
    }
}

/// Waits for socket readiness, a deadline, or an interrupt. One thread at a
/// time (it sits behind a mutex in the client); the socket itself is read
/// and written by whichever thread holds the client's state.
#[derive(Debug)]
pub(crate) struct Poller {
    poll: Poll,
    events: Events,
    wakeup: Arc<Wakeup>,
    /// What epoll reported of the socket: see [`Tcp`].
    readiness: Arc<Readiness>,
    /// The interrupt count when the call now using the poller started.
    scope: u64,
}

impl Poller {
    /// A poller, the [`Wakeup`] shared with other threads, and a registry
    /// for (de)registering sockets without holding the poller.
    pub(crate) fn new() -> Result<(Self, Arc<Wakeup>, Registry)> {
        let poll = Poll::new().map_err(|e| Error::io("creating the poller", e))?;
        let waker =
            Waker::new(poll.registry(), WAKER).map_err(|e| Error::io("creating the poller", e))?;
        let registry = poll
            .registry()
            .try_clone()
            .map_err(|e| Error::io("creating the poller", e))?;
        let wakeup = Arc::new(Wakeup {
            waker,
            interrupts: AtomicU64::new(0),
        });
        let poller = Self {
            poll,
            events: Events::with_capacity(8),
            wakeup: wakeup.clone(),
            readiness: Arc::default(),
            scope: 0,
        };
        Ok((poller, wakeup, registry))
    }

    /// The call now using the poller started when the interrupt count was
    /// `generation`.
    pub(crate) fn set_scope(&mut self, generation: u64) {
        self.scope = generation;
    }

    fn interrupted(&self) -> Result<()> {
        if self.wakeup.generation() != self.scope {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }

    /// Blocks until the socket may be ready, `deadline` passes (returns
    /// `Ok(false)`), the poller is woken, or the current call is
    /// interrupted (returns [`Error::Interrupted`]). Spurious wake-ups return
    /// `Ok(true)`; callers retry their I/O.
    pub(crate) fn wait(&mut self, deadline: Option<Instant>) -> Result<bool> {
        self.wait_at(deadline, Instant::now())
    }

    /// [`Poller::wait`] for a caller that has just read the clock (`now`).
    pub(crate) fn wait_at(&mut self, deadline: Option<Instant>, now: Instant) -> Result<bool> {
        self.interrupted()?;
        let timeout = deadline.map(|d| d.saturating_duration_since(now));
        if timeout == Some(Duration::ZERO) {
            return Ok(false);
        }
        self.poll_events(timeout)?;
        self.interrupted()?;
        if self.events.is_empty() {
            // poll(2) may return a little early; let the caller check the clock.
            return Ok(deadline.is_none_or(|d| Instant::now() < d));
        }
        Ok(true)
    }

    /// Collects what epoll has now, without waiting: after this, a read of
    /// the socket skips the kernel only if nothing arrived since the last
    /// one found it empty (see [`Tcp`]).
    pub(crate) fn refresh(&mut self) -> Result<()> {
        self.poll_events(Some(Duration::ZERO))
    }

    fn poll_events(&mut self, timeout: Option<Duration>) -> Result<()> {
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io("waiting for the socket", e)),
        }
        for e in &self.events {
            if e.token() != SOCKET {
                continue;
            }
            if e.is_read_closed() || e.is_error() {
                self.readiness.hangup.store(true, Ordering::SeqCst);
            }
            if e.is_readable() || e.is_read_closed() || e.is_error() {
                self.readiness.events.fetch_add(1, Ordering::SeqCst);
            }
        }
        Ok(())
    }

    fn register(&self, tcp: &mut TcpStream) -> Result<()> {
        // A new connection: the last one's hang-up is not its own.
        self.readiness.hangup.store(false, Ordering::SeqCst);
        self.poll
            .registry()
            .register(tcp, SOCKET, Interest::READABLE | Interest::WRITABLE)
            .map_err(|e| Error::io("registering the socket", e))
    }
}

/// Stops watching the connection's socket (before it is dropped).
pub(crate) fn deregister(registry: &Registry, ws: &mut WsConn) {
    // Failure only means the socket is already gone.
    let _ = registry.deregister(ws.stream_mut().tcp());
}

/// Where and how to open one connection.
pub(crate) struct Target<'a> {
    pub url: &'a WsUrl,
    pub headers: &'a [(String, String)],
    pub tls: Option<Arc<ClientConfig>>,
    /// Tunnel the TCP connection through this proxy.
    pub proxy: Option<&'a proxy::ProxyConfig>,
    /// Receives the `Date` header of the server's upgrade response (101 or
    /// a refusal), if it sent one.
    pub server_date: &'a std::cell::Cell<Option<String>>,
}

/// Opens TCP, TLS (for wss) and the WebSocket upgrade, each phase bounded by
/// `deadline`, then sends `first` (the encoded CONNECT) as one binary frame.
/// The returned socket is registered with `poller`.
///
/// CONNECT carries the password (or a cloud signature): nothing on its way
/// logs it (the WebSocket framing is our own, [`ws`], and logs nothing).
pub(crate) fn open(
    target: &Target<'_>,
    first: &[u8],
    poller: &mut Poller,
    deadline: Instant,
) -> Result<WsConn> {
    let url = target.url;
    let tcp = match target.proxy {
        Some(p) => proxy::connect_via(p, &url.host, url.port, poller, deadline)?,
        None => {
            let addrs = resolve(&url.host, url.port, deadline)?;
            connect_tcp(&addrs, poller, deadline)?
        }
    };
    let tcp = Tcp::new(tcp, poller);
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
    ws_handshake(target, stream, first, poller, deadline)
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
    mut tcp: Tcp,
    poller: &mut Poller,
    deadline: Instant,
) -> Result<StreamOwned<ClientConnection, Tcp>> {
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

/// Largest upgrade response head accepted.
const MAX_RESPONSE_HEAD: usize = 16 * 1024;
/// How much of a refusal's body is kept for the error.
const MAX_ERROR_BODY: usize = 512;

/// The HTTP upgrade to WebSocket (RFC 6455 section 4), done here so that the
/// response head may arrive in any number of pieces (tungstenite's client
/// handshake refuses a head read in many small chunks as an attack, which a
/// slow link or proxy can trigger), the whole exchange shares the connect
/// deadline, and a refusal keeps its body.
fn ws_handshake(
    target: &Target<'_>,
    mut stream: Stream,
    first: &[u8],
    poller: &mut Poller,
    deadline: Instant,
) -> Result<WsConn> {
    let key = generate_key();
    let request = upgrade_request(target.url, &key, target.headers)?;
    write_all(&mut stream, &request, poller, deadline)?;
    let leftover = read_upgrade_response(
        |buf| read_some(&mut stream, buf, poller, deadline),
        &key,
        target.url,
        target.headers,
        target.server_date,
    )?;
    let mut ws = WsConn::new(stream, &leftover);
    if !first.is_empty() {
        ws.send_binary(first);
        flush_within(poller, deadline, || ws.flush())?;
    }
    Ok(ws)
}

/// Reads the answer to an upgrade request sent with `key` to `url` (with the
/// extra `headers`) and checks it. `read` appends what has arrived to the
/// buffer (at least one byte, 0 at end of stream; the socket's deadline is
/// its business). Returns the bytes that arrived after the response head:
/// the first frames of the server.
///
/// Sets `server_date` to the response's `Date` header (for a refusal too).
///
/// Reads no more than a head of [`MAX_RESPONSE_HEAD`] bytes (plus one last
/// read) and, after a refusal, [`MAX_ERROR_BODY`] bytes of its body. A refusal
/// loses the request's secrets before it becomes the error (see `refusal`).
pub(crate) fn read_upgrade_response(
    mut read: impl FnMut(&mut Vec<u8>) -> Result<usize>,
    key: &str,
    url: &WsUrl,
    headers: &[(String, String)],
    server_date: &std::cell::Cell<Option<String>>,
) -> Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(1024);
    let head_len = loop {
        if let Some(end) = find_head_end(&buf) {
            break end;
        }
        if buf.len() > MAX_RESPONSE_HEAD {
            return Err(handshake_failure(
                None,
                "the upgrade response head is larger than 16 KiB",
                &[],
            ));
        }
        if read(&mut buf)? == 0 {
            return Err(Error::Closed(
                "the server closed the connection during the WebSocket handshake".into(),
            ));
        }
    };
    // Parsed from a copy: the body of a refusal is read into `buf` below.
    let head = buf[..head_len].to_vec();
    let mut parsed_headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut parsed_headers);
    match response.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => {
            return Err(handshake_failure(
                None,
                "the server's upgrade response is not valid HTTP",
                &[],
            ));
        }
    }
    let status = response.code.unwrap_or(0);
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_owned())
    };
    server_date.set(header("Date"));
    if status != 101 {
        // Keep the start of the body: cloud refusals (401/403) explain themselves there.
        let want = header("Content-Length")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0)
            .min(MAX_ERROR_BODY);
        while buf.len() - head_len < want {
            match read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
        let body = &buf[head_len..buf.len().min(head_len + MAX_ERROR_BODY)];
        return Err(refusal(
            url,
            headers,
            status,
            response.reason.unwrap_or(""),
            body,
        ));
    }
    let has_token = |name: &str, token: &str| {
        header(name).is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    };
    if !has_token("Upgrade", "websocket") || !has_token("Connection", "upgrade") {
        return Err(handshake_failure(
            Some(101),
            "the 101 response lacks Upgrade: websocket / Connection: Upgrade",
            &[],
        ));
    }
    if header("Sec-WebSocket-Accept").as_deref() != Some(derive_accept_key(key.as_bytes()).as_str())
    {
        return Err(handshake_failure(
            Some(101),
            "the server's Sec-WebSocket-Accept does not match our key",
            &[],
        ));
    }
    match header("Sec-WebSocket-Protocol") {
        None => {
            return Err(handshake_failure(
                Some(101),
                "the server selected no subprotocol; MQTT over WebSocket requires it to select \"mqtt\"",
                &[],
            ));
        }
        Some(p) if p != SUBPROTOCOL => {
            // The server's text: without our secrets (it may echo the
            // request), and short.
            let shown: String = request_redactor(url, headers)
                .redact(&p)
                .chars()
                .take(64)
                .collect();
            return Err(handshake_failure(
                Some(101),
                &format!("the server selected a subprotocol other than \"mqtt\" ({shown:?})"),
                &[],
            ));
        }
        Some(_) => {}
    }
    Ok(buf.split_off(head_len))
}

/// A fresh `Sec-WebSocket-Key`: 16 random bytes in base64 (RFC 6455
/// section 4.1).
fn generate_key() -> String {
    let mut key = [0u8; 16];
    // Only its echo matters to us; were the OS generator to fail, a fixed
    // key still makes a valid request.
    let _ = getrandom::fill(&mut key);
    BASE64.encode(key)
}

/// The `Sec-WebSocket-Accept` the server must answer to `key` (RFC 6455
/// section 4.2.2).
fn derive_accept_key(key: &[u8]) -> String {
    const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    let mut h = Sha1::new();
    h.update(key);
    h.update(GUID);
    BASE64.encode(h.finalize())
}

/// The upgrade request, byte for byte: the path and query as written, `Host`
/// without a default port, subprotocol `mqtt`, then the caller's headers.
fn upgrade_request(url: &WsUrl, key: &str, extra: &[(String, String)]) -> Result<Vec<u8>> {
    let mut req = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Protocol: {SUBPROTOCOL}\r\n",
        url.path_and_query,
        url.host_header()
    );
    for (name, value) in extra {
        let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if name.is_empty() || !name.chars().all(token) {
            return Err(Error::invalid(format!(
                "{name:?} is not a valid HTTP header name"
            )));
        }
        if value.chars().any(|c| c == '\r' || c == '\n' || c == '\0') {
            return Err(Error::invalid(format!(
                "the value of header {name:?} contains a line break"
            )));
        }
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    req.push_str("\r\n");
    Ok(req.into_bytes())
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

fn handshake_failure(status: Option<u16>, reason: &str, body: &[u8]) -> Error {
    Error::Handshake {
        status,
        reason: reason.to_owned(),
        body: String::from_utf8_lossy(body).into_owned(),
    }
}

/// What takes the secrets of the upgrade request to `url` with the extra
/// `headers` out of the server's text.
fn request_redactor(url: &WsUrl, headers: &[(String, String)]) -> redact::Redactor {
    redact::Redactor::new(&url.path_and_query, headers.iter().map(|(_, v)| v.as_str()))
}

/// A refusal: its status text and body may echo the request, so both lose
/// the request's secrets (and any query value) before entering the error.
fn refusal(
    url: &WsUrl,
    headers: &[(String, String)],
    status: u16,
    status_text: &str,
    body: &[u8],
) -> Error {
    let redactor = request_redactor(url, headers);
    let reason = format!(
        "the server answered {status} {} instead of 101 Switching Protocols",
        redactor.redact(status_text)
    );
    Error::Handshake {
        status: Some(status),
        reason: reason.trim_end().to_owned(),
        body: redactor.redact(&String::from_utf8_lossy(body)),
    }
}

/// Writes everything, waiting for the socket within `deadline`.
fn write_all(
    stream: &mut Stream,
    mut data: &[u8],
    poller: &mut Poller,
    deadline: Instant,
) -> Result<()> {
    while !data.is_empty() {
        match stream.write(data) {
            Ok(0) => {
                return Err(Error::Closed(
                    "the server closed the connection during the WebSocket handshake".into(),
                ));
            }
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if !poller.wait(Some(deadline))? {
                    return Err(Error::Timeout(TimeoutPhase::WebSocketHandshake));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(classify_io("WebSocket handshake", e)),
        }
    }
    flush_within(poller, deadline, || stream.flush())
}

/// Runs `flush` until it has written everything, waiting in the poller while
/// the socket is full, up to the handshake's `deadline`. Serves the upgrade
/// request (through TLS) and the first frame (through the WebSocket).
fn flush_within(
    poller: &mut Poller,
    deadline: Instant,
    mut flush: impl FnMut() -> io::Result<()>,
) -> Result<()> {
    loop {
        match flush() {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if !poller.wait(Some(deadline))? {
                    return Err(Error::Timeout(TimeoutPhase::WebSocketHandshake));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(classify_io("WebSocket handshake", e)),
        }
    }
}

/// Reads what is available (at least one byte, or 0 at EOF) within `deadline`.
fn read_some(
    stream: &mut Stream,
    buf: &mut Vec<u8>,
    poller: &mut Poller,
    deadline: Instant,
) -> Result<usize> {
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk) {
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return Ok(n);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if !poller.wait(Some(deadline))? {
                    return Err(Error::Timeout(TimeoutPhase::WebSocketHandshake));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(classify_io("WebSocket handshake", e)),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accept_key_is_the_one_of_rfc_6455_section_1_3() {
        assert_eq!(
            derive_accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn upgrade_keys_are_16_random_bytes_in_base64() {
        let (a, b) = (generate_key(), generate_key());
        assert_eq!(BASE64.decode(&a).unwrap().len(), 16);
        assert_ne!(a, b);
    }

    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
    const SIG: &str = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

    /// Reads `answer` through [`read_upgrade_response`], in one piece.
    fn upgrade(answer: &[u8], url: &WsUrl, headers: &[(String, String)]) -> Result<Vec<u8>> {
        let mut rest = answer;
        read_upgrade_response(
            |buf| {
                buf.extend_from_slice(rest);
                Ok(std::mem::take(&mut rest).len())
            },
            KEY,
            url,
            headers,
            &std::cell::Cell::new(None),
        )
    }

    fn switching(protocol: &str) -> String {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n"
        )
    }

    #[test]
    fn an_accepted_upgrade_keeps_the_frames_that_followed_the_head() {
        let url = WsUrl::parse("ws://h/mqtt").unwrap();
        let answer = [switching("mqtt").as_bytes(), &[0x82, 0x02, 0x20]].concat();
        let leftover = upgrade(&answer, &url, &[]).unwrap();
        assert_eq!(leftover, [0x82, 0x02, 0x20]);
    }

    /// Found by fuzzing: the subprotocol a server selected went into the
    /// error as it was, whatever it echoed and however long.
    #[test]
    fn a_foreign_subprotocol_is_named_without_the_requests_secrets() {
        let url = WsUrl::parse(&format!("wss://h/mqtt?X-Amz-Signature={SIG}")).unwrap();
        let headers = [("x-token".to_owned(), "authorizer-token-123".to_owned())];
        for protocol in [
            format!("mqtt,{SIG}"),
            "authorizer-token-123".to_owned(),
            format!("v{}", "x".repeat(5000)),
        ] {
            let err = upgrade(switching(&protocol).as_bytes(), &url, &headers)
                .unwrap_err()
                .to_string();
            assert!(err.contains("other than \"mqtt\""), "{err}");
            assert!(
                !err.contains(SIG) && !err.contains("authorizer-token-123"),
                "{err}"
            );
            assert!(err.len() < 300, "{} bytes: {err}", err.len());
        }
    }
}

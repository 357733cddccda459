//! The blocking client: a thin driver that moves bytes between the
//! [`transport`](crate::transport) and the sans-IO [`Session`].
//!
//! No hidden threads, no async runtime: all work happens inside the caller's
//! calls. Every call that can block takes or has a deadline, and
//! [`InterruptHandle::interrupt`] wakes it from another thread.
//!
//! Calls that receive (`poll`, `recv`, and the waits inside `subscribe`,
//! `wait_for` ...) keep every message and event that arrives while they wait
//! in one queue, in arrival order, so nothing is lost between calls.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use rustls::ClientConfig;
use tungstenite::{Message as WsMessage, WebSocket};

use crate::auth::CredentialProvider;
use crate::codec::QoS;
use crate::error::{Error, Result, TimeoutPhase};
use crate::session::{ConnectParams, Event, Message, PacketId, Session, SessionConfig, Will};
use crate::transport::proxy::ProxyConfig;
use crate::transport::tls::TlsOptions;
use crate::transport::url::WsUrl;
use crate::transport::{self, InterruptHandle, Poller, Stream, Target};

/// At most this many WebSocket messages are read per step, so a fast sender
/// cannot keep a `poll` from returning; the rest is read on the next step.
const READ_BATCH: usize = 64;

/// A wall clock for signing credentials; replaceable for tests.
pub type WallClock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Everything a [`Client`] needs. Built with chained setters:
///
/// ```
/// use std::time::Duration;
/// let options = mqttws::ClientOptions::new("wss://broker.example.com/mqtt")
///     .client_id("sensor-17")
///     .credentials("user", "password")
///     .keepalive(30)
///     .connect_timeout(Duration::from_secs(5));
/// ```
#[derive(Clone)]
pub struct ClientOptions {
    url: String,
    client_id: String,
    username: Option<String>,
    password: Option<String>,
    keepalive: u16,
    clean_session: bool,
    will: Option<Will>,
    tls: TlsOptions,
    headers: Vec<(String, String)>,
    connect_timeout: Duration,
    operation_timeout: Duration,
    session: SessionConfig,
    provider: Option<Arc<dyn CredentialProvider>>,
    clock: WallClock,
    proxy: Option<ProxyConfig>,
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = WsUrl::parse(&self.url)
            .map(|u| u.redacted())
            .unwrap_or_else(|_| "<invalid>".into());
        f.debug_struct("ClientOptions")
            .field("url", &url)
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("keepalive", &self.keepalive)
            .field("clean_session", &self.clean_session)
            .field("will", &self.will)
            .field("tls", &self.tls)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("connect_timeout", &self.connect_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("session", &self.session)
            .field("credential_provider", &self.provider.is_some())
            .field("proxy", &self.proxy)
            .finish()
    }
}

impl ClientOptions {
    /// Options for `url` (`ws://` or `wss://`, path and query sent exactly as
    /// written), with defaults: empty client id (the broker assigns one),
    /// keepalive 60 s, clean session, Mozilla roots for TLS, connect and
    /// operation timeouts 10 s, inflight window 100, incoming packets with
    /// payloads up to 1 MiB.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            client_id: String::new(),
            username: None,
            password: None,
            keepalive: 60,
            clean_session: true,
            will: None,
            tls: TlsOptions::default(),
            headers: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            operation_timeout: Duration::from_secs(10),
            session: SessionConfig::default(),
            provider: None,
            clock: Arc::new(SystemTime::now),
            proxy: None,
        }
    }

    /// The MQTT client identifier.
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.client_id = id.into();
        self
    }

    /// User name and password for CONNECT.
    pub fn credentials(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self.password = Some(password.into());
        self
    }

    /// User name without a password.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// Keepalive interval in seconds (0 turns it off). A PINGREQ goes out
    /// after this much silence; no PINGRESP within half of it means the link
    /// is dead.
    pub fn keepalive(mut self, secs: u16) -> Self {
        self.keepalive = secs;
        self
    }

    /// `false` asks the broker to keep the session (subscriptions and queued
    /// QoS 1/2 messages) across connections.
    pub fn clean_session(mut self, clean: bool) -> Self {
        self.clean_session = clean;
        self
    }

    /// The last will, published by the broker if the client vanishes
    /// without `disconnect()`.
    pub fn will(mut self, will: Will) -> Self {
        self.will = Some(will);
        self
    }

    /// Trust only the CA certificate(s) in this PEM file.
    pub fn ca_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.tls.ca = Some(transport::tls::Pem::File(path.into()));
        self
    }

    /// Trust only the CA certificate(s) in this PEM text.
    pub fn ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.tls.ca = Some(transport::tls::Pem::Bytes(pem.into()));
        self
    }

    /// Client certificate chain and private key for mutual TLS (PEM files).
    pub fn client_cert_files(
        mut self,
        cert: impl Into<std::path::PathBuf>,
        key: impl Into<std::path::PathBuf>,
    ) -> Self {
        self.tls.client_cert = Some((
            transport::tls::Pem::File(cert.into()),
            transport::tls::Pem::File(key.into()),
        ));
        self
    }

    /// Client certificate chain and private key for mutual TLS (PEM text).
    pub fn client_cert_pem(mut self, cert: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> Self {
        self.tls.client_cert = Some((
            transport::tls::Pem::Bytes(cert.into()),
            transport::tls::Pem::Bytes(key.into()),
        ));
        self
    }

    /// Accept any server certificate. For tests against throwaway servers
    /// only: this removes all protection against impostors.
    pub fn insecure_skip_verify(mut self, insecure: bool) -> Self {
        self.tls.insecure_skip_verify = insecure;
        self
    }

    /// Adds an HTTP header to the WebSocket upgrade request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Deadline for the whole connect: DNS, TCP, TLS, upgrade and CONNACK.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Deadline for waits inside `subscribe`, `unsubscribe`, `disconnect`, a
    /// full inflight window and a full socket.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// Largest incoming packet (MQTT remaining length) accepted; larger ones
    /// end the connection with a protocol error. The default,
    /// [`DEFAULT_MAX_PACKET_SIZE`](crate::session::DEFAULT_MAX_PACKET_SIZE),
    /// fits a 1 MiB payload.
    pub fn max_packet_size(mut self, bytes: usize) -> Self {
        self.session.max_incoming_packet_size = bytes;
        self
    }

    /// Most outgoing QoS 1/2 messages awaiting acknowledgement (default 100).
    pub fn inflight_window(mut self, window: u16) -> Self {
        self.session.inflight_window = window;
        self
    }

    /// Computes client id, user name, password (and for some platforms URL
    /// and headers) afresh at every connection attempt; overrides the static
    /// values.
    pub fn credential_provider(mut self, provider: Arc<dyn CredentialProvider>) -> Self {
        self.provider = Some(provider);
        self
    }

    /// The wall clock passed to the credential provider (tests fix it).
    pub fn wall_clock(mut self, clock: WallClock) -> Self {
        self.clock = clock;
        self
    }

    /// Tunnels every connection through this HTTP CONNECT or SOCKS5 proxy.
    /// Proxies are used only when configured here; environment variables are
    /// never read implicitly.
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// The configured URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// What `connect()` learned from CONNACK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectInfo {
    /// Whether the broker resumed a stored session.
    pub session_present: bool,
}

/// A blocking MQTT 3.1.1 client over WebSocket.
///
/// Use from one thread at a time (it is `Send`); wake a blocked call from
/// another thread with [`Client::interrupt_handle`].
pub struct Client {
    options: ClientOptions,
    tls: Option<Arc<ClientConfig>>,
    session: Session,
    poller: Poller,
    ws: Option<WebSocket<Stream>>,
    events: VecDeque<Event>,
    /// An error that ended the connection while events were still queued; it
    /// is reported once they are consumed.
    deferred_error: Option<Error>,
    /// Why the last connection ended, for `Closed` messages.
    last_loss: Option<String>,
    read_pending: bool,
    write_blocked: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("options", &self.options)
            .field("connected", &self.is_connected())
            .field("inflight", &self.session.inflight())
            .field("queued_events", &self.events.len())
            .finish()
    }
}

impl Client {
    /// A client for these options. Validates the URL and reads TLS files now;
    /// does no network I/O.
    pub fn new(options: ClientOptions) -> Result<Self> {
        let url = WsUrl::parse(&options.url)?;
        let tls = if url.secure {
            Some(options.tls.client_config()?)
        } else {
            None
        };
        for (name, _) in &options.headers {
            check_header_name(name)?;
        }
        Ok(Self {
            session: Session::new(options.session.clone()),
            options,
            tls,
            poller: Poller::new()?,
            ws: None,
            events: VecDeque::new(),
            deferred_error: None,
            last_loss: None,
            read_pending: false,
            write_blocked: false,
        })
    }

    /// A handle that wakes this client's blocked call from any thread.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.poller.interrupt_handle()
    }

    /// Whether the connection is open and CONNACK accepted it.
    pub fn is_connected(&self) -> bool {
        self.ws.is_some() && self.session.is_connected()
    }

    /// Outgoing QoS 1/2 messages not yet acknowledged (kept across reconnects).
    pub fn inflight(&self) -> usize {
        self.session.inflight()
    }

    /// Connects: DNS, TCP, TLS, WebSocket upgrade (subprotocol `mqtt`),
    /// CONNECT and CONNACK, all within the connect timeout. Messages not
    /// acknowledged on a previous connection are sent again.
    pub fn connect(&mut self) -> Result<ConnectInfo> {
        if self.ws.is_some() {
            return Err(Error::invalid("already connected; call disconnect() first"));
        }
        self.poller.take_interrupt().ok();
        let deadline = Instant::now() + self.options.connect_timeout;
        let attempt = self.attempt_params()?;
        let url = WsUrl::parse(&attempt.url)?;
        let tls = if url.secure {
            match &self.tls {
                Some(t) => Some(t.clone()),
                None => {
                    let t = self.options.tls.client_config()?;
                    self.tls = Some(t.clone());
                    Some(t)
                }
            }
        } else {
            None
        };
        let target = Target {
            url: &url,
            headers: &attempt.headers,
            tls,
            max_message_size: message_limit(self.options.session.max_incoming_packet_size),
            proxy: self.options.proxy.as_ref(),
        };
        let ws = transport::open(&target, &mut self.poller, deadline)?;
        self.ws = Some(ws);
        self.read_pending = false;
        self.write_blocked = false;
        self.deferred_error = None;
        if let Err(e) = self.session.connect(attempt.params, Instant::now()) {
            self.drop_connection(&e);
            return Err(e);
        }
        match self.run_until(Some(deadline), |c| c.session.is_connected()) {
            Ok(true) => {}
            Ok(false) => return Err(self.fail(Error::Timeout(TimeoutPhase::Connack))),
            Err(e) => return Err(self.fail(e)),
        }
        let pos = self
            .events
            .iter()
            .position(|e| matches!(e, Event::Connected { .. }));
        let session_present = match pos.and_then(|p| self.events.remove(p)) {
            Some(Event::Connected { session_present }) => session_present,
            _ => false,
        };
        Ok(ConnectInfo { session_present })
    }

    /// Publishes a message. Returns at once for QoS 0, and for QoS 1/2 as
    /// soon as the message is handed to the socket, with its packet id; use
    /// [`Client::wait_for`] to wait for the acknowledgement. Blocks (up to the
    /// operation timeout) only while the inflight window or the socket is full.
    pub fn publish(
        &mut self,
        topic: &str,
        payload: impl Into<Bytes>,
        qos: QoS,
        retain: bool,
    ) -> Result<Option<PacketId>> {
        self.ensure_open()?;
        let deadline = Instant::now() + self.options.operation_timeout;
        if qos != QoS::AtMostOnce
            && !self.session.has_inflight_room()
            && !self.run_until(Some(deadline), |c| c.session.has_inflight_room())?
        {
            return Err(Error::Timeout(TimeoutPhase::Ack));
        }
        if self.write_blocked && !self.run_until(Some(deadline), |c| !c.write_blocked)? {
            return Err(self.fail(Error::Timeout(TimeoutPhase::Write)));
        }
        let id = self
            .session
            .publish(topic, payload.into(), qos, retain, Instant::now())?;
        if let Err(e) = self.flush_transmit() {
            return Err(self.fail(e));
        }
        Ok(id)
    }

    /// Waits until the QoS 1/2 message with this packet id is acknowledged
    /// (PUBACK, or PUBCOMP for QoS 2), or the subscription/unsubscription with
    /// it is answered. `timeout` `None` uses the operation timeout. A timeout
    /// is not fatal: the message stays in flight.
    pub fn wait_for(&mut self, id: PacketId, timeout: Option<Duration>) -> Result<()> {
        let deadline = Instant::now() + timeout.unwrap_or(self.options.operation_timeout);
        if !self.session.is_pending(id) {
            return Ok(());
        }
        self.ensure_open()?;
        if self.run_until(Some(deadline), |c| !c.session.is_pending(id))? {
            Ok(())
        } else {
            Err(Error::Timeout(TimeoutPhase::Ack))
        }
    }

    /// Publishes and waits for the acknowledgement (QoS 1/2).
    pub fn publish_and_wait(
        &mut self,
        topic: &str,
        payload: impl Into<Bytes>,
        qos: QoS,
        retain: bool,
    ) -> Result<()> {
        match self.publish(topic, payload, qos, retain)? {
            Some(id) => self.wait_for(id, None),
            None => Ok(()),
        }
    }

    /// Subscribes and waits for SUBACK. Returns, per filter, the QoS the
    /// broker granted, or `None` where it refused the filter.
    pub fn subscribe(&mut self, filters: &[(&str, QoS)]) -> Result<Vec<Option<QoS>>> {
        self.ensure_open()?;
        let id = self.session.subscribe(filters, Instant::now())?;
        self.await_ack(id)?;
        match self
            .take_event(|e| matches!(e, Event::Subscribed { packet_id, .. } if *packet_id == id))
        {
            Some(Event::Subscribed { granted, .. }) => Ok(granted),
            _ => Err(Error::protocol("SUBACK was lost")),
        }
    }

    /// Unsubscribes and waits for UNSUBACK.
    pub fn unsubscribe(&mut self, filters: &[&str]) -> Result<()> {
        self.ensure_open()?;
        let id = self.session.unsubscribe(filters, Instant::now())?;
        self.await_ack(id)?;
        self.take_event(|e| matches!(e, Event::Unsubscribed { packet_id } if *packet_id == id));
        Ok(())
    }

    /// The next event (message, acknowledgement...), waiting up to `timeout`
    /// (`None`: until one arrives or the connection fails). `Ok(None)` means
    /// the timeout passed. Events that arrived before a connection failure
    /// are returned before the failure is.
    pub fn poll(&mut self, timeout: Option<Duration>) -> Result<Option<Event>> {
        if let Some(e) = self.events.pop_front() {
            return Ok(Some(e));
        }
        if let Some(err) = self.deferred_error.take() {
            return Err(err);
        }
        self.ensure_open()?;
        let deadline = timeout.map(|t| Instant::now() + t);
        match self.run_until(deadline, |c| !c.events.is_empty()) {
            Ok(_) => Ok(self.events.pop_front()),
            Err(e) => match self.events.pop_front() {
                Some(ev) if e.is_fatal() => {
                    self.deferred_error = Some(e);
                    Ok(Some(ev))
                }
                _ => Err(e),
            },
        }
    }

    /// The next message, skipping other events, waiting up to `timeout`.
    /// `Ok(None)` means the timeout passed.
    pub fn recv(&mut self, timeout: Option<Duration>) -> Result<Option<Message>> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            match self.poll(left)? {
                Some(Event::Message(m)) => return Ok(Some(m)),
                Some(_) => continue,
                None => return Ok(None),
            }
        }
    }

    /// Sends DISCONNECT and closes the WebSocket (the broker then discards
    /// the will). Waits up to the operation timeout for the close to
    /// complete. Calling it when not connected does nothing.
    pub fn disconnect(&mut self) -> Result<()> {
        if self.ws.is_none() {
            return Ok(());
        }
        let deadline = Instant::now() + self.options.operation_timeout;
        let mut result = Ok(());
        if self.session.is_connected() {
            result = self
                .session
                .disconnect(Instant::now())
                .and_then(|()| self.flush_transmit());
        }
        if let Some(ws) = self.ws.as_mut() {
            let _ = ws.close(None);
        }
        // Wait for the server's close frame or EOF; either way we are done.
        let _ = self.run_until(Some(deadline), |_| false);
        self.close_socket();
        self.session.connection_lost();
        self.last_loss = Some("disconnected by the application".into());
        result
    }

    /// Runs I/O until `done` holds (`Ok(true)`), `deadline` passes
    /// (`Ok(false)`), or an error. Fatal errors close the connection.
    fn run_until(
        &mut self,
        deadline: Option<Instant>,
        mut done: impl FnMut(&Self) -> bool,
    ) -> Result<bool> {
        loop {
            if let Err(e) = self.step() {
                return Err(self.fail(e));
            }
            if done(self) {
                return Ok(true);
            }
            if self.ws.is_none() {
                return Err(self.closed_error());
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                return Ok(false);
            }
            if self.read_pending {
                continue;
            }
            let wake = match (deadline, self.session.poll_timeout()) {
                (Some(d), Some(t)) => Some(d.min(t)),
                (d, t) => d.or(t),
            };
            self.poller.wait(wake)?;
        }
    }

    /// One non-blocking round: read what is there, fire timers, write what is
    /// queued, collect events.
    fn step(&mut self) -> Result<()> {
        let result = self.read_available().and_then(|()| {
            let now = Instant::now();
            if self.session.poll_timeout().is_some_and(|t| now >= t) {
                self.session.handle_timeout(now)?;
            }
            self.flush_transmit()
        });
        while let Some(ev) = self.session.poll_event() {
            self.events.push_back(ev);
        }
        result
    }

    fn read_available(&mut self) -> Result<()> {
        let Some(ws) = self.ws.as_mut() else {
            return Ok(());
        };
        self.read_pending = false;
        for _ in 0..READ_BATCH {
            match ws.read() {
                Ok(WsMessage::Binary(data)) => self.session.handle_bytes(&data, Instant::now())?,
                Ok(WsMessage::Text(_)) => {
                    return Err(Error::protocol(
                        "the server sent a text frame; MQTT uses binary frames only",
                    ));
                }
                Ok(WsMessage::Close(frame)) => {
                    let why = frame
                        .map(|f| {
                            format!("code {}, reason {:?}", u16::from(f.code), f.reason.as_str())
                        })
                        .unwrap_or_else(|| "no reason given".into());
                    let _ = ws.flush();
                    return Err(Error::Closed(format!(
                        "the server closed the WebSocket ({why})"
                    )));
                }
                // tungstenite answers PINGs itself (flushed on the next read or write).
                Ok(WsMessage::Ping(_) | WsMessage::Pong(_) | WsMessage::Frame(_)) => {}
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    return Ok(());
                }
                Err(e) => return Err(ws_error(e)),
            }
        }
        self.read_pending = true;
        Ok(())
    }

    fn flush_transmit(&mut self) -> Result<()> {
        let Some(ws) = self.ws.as_mut() else {
            return Ok(());
        };
        while let Some(frame) = self.session.poll_transmit() {
            match ws.write(WsMessage::Binary(frame)) {
                Ok(()) => {}
                // The frame stays in tungstenite's buffer; flush retries it.
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(ws_error(e)),
            }
        }
        match ws.flush() {
            Ok(()) => self.write_blocked = false,
            Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {
                self.write_blocked = true;
            }
            Err(e) => return Err(ws_error(e)),
        }
        Ok(())
    }

    fn await_ack(&mut self, id: PacketId) -> Result<()> {
        let deadline = Instant::now() + self.options.operation_timeout;
        if let Err(e) = self.flush_transmit() {
            return Err(self.fail(e));
        }
        if self.run_until(Some(deadline), |c| !c.session.is_pending(id))? {
            Ok(())
        } else {
            Err(Error::Timeout(TimeoutPhase::Ack))
        }
    }

    fn take_event(&mut self, pred: impl Fn(&Event) -> bool) -> Option<Event> {
        let pos = self.events.iter().position(pred)?;
        self.events.remove(pos)
    }

    fn ensure_open(&self) -> Result<()> {
        if self.ws.is_some() && self.session.is_connected() {
            Ok(())
        } else {
            Err(self.closed_error())
        }
    }

    fn closed_error(&self) -> Error {
        match &self.last_loss {
            Some(why) => Error::Closed(format!("not connected: {why}")),
            None => Error::Closed("not connected: call connect() first".into()),
        }
    }

    /// Closes the connection if `e` is fatal; returns `e`.
    fn fail(&mut self, e: Error) -> Error {
        if e.is_fatal() && self.ws.is_some() {
            self.drop_connection(&e);
        }
        e
    }

    fn drop_connection(&mut self, why: &Error) {
        self.close_socket();
        self.session.connection_lost();
        self.last_loss = Some(why.to_string());
    }

    fn close_socket(&mut self) {
        if let Some(mut ws) = self.ws.take() {
            self.poller.deregister(&mut ws);
        }
        self.read_pending = false;
        self.write_blocked = false;
    }

    fn attempt_params(&self) -> Result<Attempt> {
        let o = &self.options;
        let mut attempt = Attempt {
            url: o.url.clone(),
            headers: o.headers.clone(),
            params: ConnectParams {
                client_id: o.client_id.clone(),
                username: o.username.clone(),
                password: o.password.clone(),
                keepalive: o.keepalive,
                clean_session: o.clean_session,
                will: o.will.clone(),
            },
        };
        if let Some(provider) = &o.provider {
            if let Some((lo, hi)) = provider.keepalive_range() {
                if o.keepalive < lo || o.keepalive > hi {
                    return Err(Error::invalid(format!(
                        "keepalive {} s is outside the platform's allowed range {lo}..={hi} s",
                        o.keepalive
                    )));
                }
            }
            let c = provider.credentials((o.clock)())?;
            attempt.params.client_id = c.client_id;
            attempt.params.username = c.username;
            attempt.params.password = c.password;
            if let Some(url) = c.url {
                attempt.url = url;
            }
            attempt.headers.extend(c.headers);
        }
        for (name, _) in &attempt.headers {
            check_header_name(name)?;
        }
        Ok(attempt)
    }
}

/// One connection attempt's URL, headers and CONNECT fields.
struct Attempt {
    url: String,
    headers: Vec<(String, String)>,
    params: ConnectParams,
}

/// Headers the WebSocket handshake owns; setting them would break it.
fn check_header_name(name: &str) -> Result<()> {
    const RESERVED: [&str; 6] = [
        "host",
        "connection",
        "upgrade",
        "sec-websocket-version",
        "sec-websocket-key",
        "sec-websocket-protocol",
    ];
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
        return Err(Error::invalid(format!(
            "header {name:?} is set by the WebSocket handshake itself and cannot be overridden"
        )));
    }
    Ok(())
}

/// The largest WebSocket message accepted: one frame may carry a packet of
/// the maximum size plus other packets coalesced with it.
fn message_limit(max_packet: usize) -> usize {
    max_packet.saturating_mul(2).max(1 << 20).saturating_add(64)
}

fn ws_error(e: tungstenite::Error) -> Error {
    use tungstenite::Error as W;
    match e {
        W::ConnectionClosed | W::AlreadyClosed => Error::Closed("the WebSocket is closed".into()),
        W::Io(io) => transport::classify_io("exchanging data", io),
        W::Capacity(c) => Error::protocol(format!("WebSocket message too large: {c}")),
        W::Protocol(p) => Error::protocol(format!("WebSocket protocol violation: {p}")),
        W::Utf8(_) => Error::protocol("invalid UTF-8 in a WebSocket control frame"),
        other => Error::protocol(other.to_string()),
    }
}

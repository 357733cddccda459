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

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use rustls::ClientConfig;
use tungstenite::{Message as WsMessage, WebSocket};

use crate::auth::{CredentialProvider, Scheme};
use crate::codec::QoS;
use crate::deadline;
use crate::error::{Error, Result, TimeoutPhase};
use crate::session::{
    ConnectParams, Event, IncomingQueue, Message, OfflineQueue, PacketId, Session, SessionConfig,
    Will,
};
use crate::store::Store;
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
    reconnect: Option<ReconnectPolicy>,
    ws_ping: Option<(Duration, Duration)>,
    store_dir: Option<std::path::PathBuf>,
}

/// Automatic reconnect: after a drop, the client waits a growing, jittered
/// delay and connects again, inside the caller's `poll`/`recv`/`wait_for`.
///
/// The delay before attempt *n* is uniform in
/// `[min_delay, min(max_delay, min_delay × 2^(n-1))]`, measured from the
/// failure (not from the start of the failed attempt). The attempt counter
/// goes back to zero only after a connection stayed up for `stable_after`,
/// so a broker that kicks the client right after CONNACK (for example for a
/// duplicate client id) sees growing delays, not a reconnect storm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReconnectPolicy {
    /// Shortest delay. Default 500 ms.
    pub min_delay: Duration,
    /// Longest delay. Default 30 s.
    pub max_delay: Duration,
    /// A connection that lasted this long resets the back-off. Default 10 s.
    pub stable_after: Duration,
    /// Subscribe again to every granted filter when the broker has no session
    /// for us (`session_present == false`). Default `true`.
    pub restore_subscriptions: bool,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        Self {
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            stable_after: Duration::from_secs(10),
            restore_subscriptions: true,
        }
    }
}

impl ReconnectPolicy {
    /// The delay before attempt `attempt` (1-based), with `unit` in [0, 1)
    /// drawn at random by the caller (a parameter, so tests can pin it).
    /// A `min_delay` below 1 ms counts as 1 ms, so that the delays grow.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let floor = Duration::from_millis(1);
        let min = self.min_delay.max(floor).min(self.max_delay.max(floor));
        let growth = 2f64.powi(attempt.saturating_sub(1).min(30) as i32);
        let cap = min.mul_f64(growth).min(self.max_delay).max(min);
        min + (cap - min).mul_f64(unit.clamp(0.0, 1.0))
    }
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
            .field("reconnect", &self.reconnect)
            .field("ws_ping", &self.ws_ping)
            .field("store_dir", &self.store_dir)
            .finish()
    }
}

impl ClientOptions {
    /// Options for `url` (`ws://` or `wss://`, path and query sent exactly as
    /// written), with defaults: empty client id (the broker assigns one),
    /// keepalive 60 s, clean session, Mozilla roots for TLS, connect and
    /// operation timeouts 10 s, inflight window 20, incoming packets with
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
            reconnect: None,
            ws_ping: None,
            store_dir: None,
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

    /// Bounds on received messages that the application has not taken yet
    /// (default 10,000 messages, 32 MiB of topics and payloads). When
    /// either is reached the client stops reading from the socket until
    /// `poll`/`recv` take messages, so that TCP pushes back on the broker;
    /// nothing is dropped. See [`IncomingQueue`].
    pub fn incoming_queue(mut self, queue: IncomingQueue) -> Self {
        self.session.incoming_queue = queue;
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

    /// Most outgoing QoS 1/2 messages awaiting acknowledgement (default 20).
    /// Brokers limit this too (mosquitto's `max_inflight_messages`, 20 by
    /// default, beyond which mosquitto 2.0 silently drops QoS 2 messages from
    /// MQTT 3.1.1 clients): raise it only to what the broker accepts.
    pub fn inflight_window(mut self, window: u16) -> Self {
        self.session.inflight_window = window;
        self
    }

    /// Computes client id, user name, password (and for some platforms URL
    /// and headers) afresh at every connection attempt; overrides the static
    /// values. A provider that returns a URL (AWS SigV4 presigning) replaces
    /// the configured one, so `ClientOptions::new` may then be given the
    /// provider's `url()` or any placeholder `wss://` URL.
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

    /// Reconnects automatically after every drop (see [`ReconnectPolicy`]).
    /// Also turns on the offline queue with default bounds unless
    /// [`ClientOptions::offline_queue`] set it. Off by default: without it a
    /// drop is returned as an error and `connect()` must be called again.
    ///
    /// Each attempt runs inside the caller's `poll`/`recv`/`wait_for` and may
    /// take up to the connect timeout, even when the caller's own timeout is
    /// shorter; [`InterruptHandle::interrupt`] abandons an attempt (it is
    /// retried at once, without growing the back-off).
    pub fn reconnect(mut self, policy: ReconnectPolicy) -> Self {
        self.reconnect = Some(policy);
        if self.session.offline_queue.is_none() {
            self.session.offline_queue = Some(OfflineQueue::default());
        }
        self
    }

    /// Accept publishes while disconnected, within these bounds; they are
    /// sent after the next CONNACK.
    pub fn offline_queue(mut self, queue: OfflineQueue) -> Self {
        self.session.offline_queue = Some(queue);
        self
    }

    /// Sends a WebSocket PING every `interval` and declares the link dead
    /// when the PONG has not come within `timeout`; keeps proxies and load
    /// balancers with idle timeouts from closing a quiet connection. Off by
    /// default (MQTT keepalive already detects dead links).
    pub fn ws_ping(mut self, interval: Duration, timeout: Duration) -> Self {
        self.ws_ping = Some((interval, timeout));
        self
    }

    /// Keeps outgoing QoS 1/2 messages in a durable store in this directory
    /// until the broker acknowledges them: each is synced to disk before
    /// `publish` returns, and a client created later on the same directory
    /// (after a crash, say) sends the unacknowledged ones again. See
    /// [`crate::store`]. One client per directory at a time.
    pub fn store_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.store_dir = Some(dir.into());
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
    link: Link,
    /// Consecutive failed or short-lived connections, for the back-off.
    attempt: u32,
    /// SUBSCRIBE packets sent to restore subscriptions; their SUBACK is ours.
    restoring: Vec<PacketId>,
    /// Next WebSocket PING due, and the PONG deadline of the outstanding one.
    ws_ping_due: Option<Instant>,
    ws_pong_deadline: Option<Instant>,
    /// The durable store, and the store sequence of each stored packet id.
    store: Option<Store>,
    stored: HashMap<PacketId, u64>,
    /// Packet ids the offline queue dropped, until `wait_for` reports them.
    dropped: std::collections::HashSet<PacketId>,
    /// The `Date` header of the last upgrade response.
    server_date: Option<String>,
}

/// The connection's life cycle as the driver sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    /// Never connected, or disconnected by the application.
    Idle,
    /// Connected (CONNACK accepted) since this instant.
    Up(Instant),
    /// Waiting to reconnect at this instant.
    Backoff(Instant),
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
        // Build TLS now for wss://, and whenever TLS options were given (a
        // credential provider may switch to wss://): bad files fail here.
        let tls = if url.secure || options.tls != TlsOptions::default() {
            Some(options.tls.client_config()?)
        } else {
            None
        };
        for (name, _) in &options.headers {
            check_header_name(name)?;
        }
        let mut session = Session::new(options.session.clone());
        let mut stored = HashMap::new();
        let mut events = VecDeque::new();
        let store = match &options.store_dir {
            None => None,
            Some(dir) => {
                let (store, recovered) = Store::open(dir)?;
                if let Some(damage) = recovered.damage {
                    events.push_back(Event::StoreDamaged(damage));
                }
                for m in recovered.messages {
                    if let Some(id) = session.restore(&m.topic, m.payload, m.qos, m.retain)? {
                        stored.insert(id, m.seq);
                    }
                }
                Some(store)
            }
        };
        Ok(Self {
            session,
            options,
            tls,
            poller: Poller::new()?,
            ws: None,
            events,
            deferred_error: None,
            last_loss: None,
            read_pending: false,
            write_blocked: false,
            link: Link::Idle,
            attempt: 0,
            restoring: Vec::new(),
            ws_ping_due: None,
            ws_pong_deadline: None,
            store,
            stored,
            dropped: Default::default(),
            server_date: None,
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

    /// The `Date` header of the server's answer to the last WebSocket
    /// upgrade request (101, or a refusal such as 401), as sent; `None` when
    /// the last attempt got no answer or the answer had no `Date`. Lets an
    /// application compare its clock with the server's when a cloud refuses
    /// a signature, since a skewed clock is a common cause.
    pub fn server_date(&self) -> Option<&str> {
        self.server_date.as_deref()
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
        let info = self.connect_once()?;
        // Connected is reported by the return value, not as an event.
        let pos = self
            .events
            .iter()
            .rposition(|e| matches!(e, Event::Connected { .. }));
        if let Some(p) = pos {
            self.events.remove(p);
        }
        Ok(info)
    }

    /// One connection attempt within the connect timeout; on success the
    /// `Connected` event is queued.
    fn connect_once(&mut self) -> Result<ConnectInfo> {
        let deadline = deadline::from_now(self.options.connect_timeout);
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
        let server_date = std::cell::Cell::new(None);
        let target = Target {
            url: &url,
            headers: &attempt.headers,
            tls,
            max_message_size: message_limit(self.options.session.max_incoming_packet_size),
            proxy: self.options.proxy.as_ref(),
            server_date: &server_date,
        };
        // CONNECT is queued first and written by the transport itself, right
        // after the upgrade (see transport::open: it must not pass through
        // tungstenite, which logs what it sends).
        self.session.connect(attempt.params, Instant::now())?;
        let connect = self.session.poll_transmit().unwrap_or_default();
        let opened = transport::open(&target, &connect, &mut self.poller, deadline);
        self.server_date = server_date.take();
        let ws = match opened {
            Ok(ws) => ws,
            Err(e) => {
                self.session.connection_lost();
                return Err(e);
            }
        };
        self.ws = Some(ws);
        self.read_pending = false;
        self.write_blocked = false;
        self.deferred_error = None;
        // While CONNACK is awaited the link is not Up, so a failure here is
        // returned to the caller instead of starting a back-off.
        self.link = Link::Idle;
        let connack = match self.run_until(Some(deadline), |c| c.session.is_connected()) {
            Ok(true) => Ok(()),
            Ok(false) => Err(Error::Timeout(TimeoutPhase::Connack)),
            Err(e) => Err(e),
        };
        if let Err(e) = connack {
            // Whatever ended the attempt (an interrupt, too), the half-open
            // connection goes: the client must be able to connect again.
            if self.ws.is_some() {
                self.drop_connection(&e);
            }
            return Err(e);
        }
        let now = Instant::now();
        self.link = Link::Up(now);
        self.ws_ping_due = self
            .options
            .ws_ping
            .map(|(interval, _)| deadline::after(now, interval));
        self.ws_pong_deadline = None;
        let session_present = self
            .events
            .iter()
            .rev()
            .find_map(|e| match e {
                Event::Connected { session_present } => Some(*session_present),
                _ => None,
            })
            .unwrap_or(false);
        let restore = self
            .options
            .reconnect
            .is_some_and(|p| p.restore_subscriptions);
        if restore && !session_present && !self.session.subscriptions().is_empty() {
            let subs: Vec<(String, QoS)> = self.session.subscriptions().to_vec();
            let filters: Vec<(&str, QoS)> = subs.iter().map(|(t, q)| (t.as_str(), *q)).collect();
            let id = self.session.subscribe(&filters, now)?;
            self.restoring.push(id);
            if let Err(e) = self.flush_transmit() {
                return Err(self.fail(e));
            }
        }
        Ok(ConnectInfo { session_present })
    }

    /// Publishes a message. Returns as soon as the message is handed to the
    /// socket, with its packet id for QoS 1/2 (use [`Client::wait_for`] to
    /// wait for the acknowledgement). Blocks (up to the operation timeout)
    /// only while the inflight window or the socket's send buffer is full.
    /// While disconnected with an offline queue, the message is queued.
    pub fn publish(
        &mut self,
        topic: &str,
        payload: impl Into<Bytes>,
        qos: QoS,
        retain: bool,
    ) -> Result<Option<PacketId>> {
        let payload = payload.into();
        // Arguments first: a bad call is InvalidArgument whatever the
        // connection's state, and nothing is stored.
        crate::codec::check_topic_name(topic)?;
        crate::codec::check_publish_size(topic.len(), payload.len(), qos)?;
        let seq = match (&mut self.store, qos) {
            (Some(store), QoS::AtLeastOnce | QoS::ExactlyOnce) => {
                Some(store.append(topic, &payload, qos, retain)?)
            }
            _ => None,
        };
        let result = self.publish_inner(topic, payload, qos, retain);
        if let Ok(Some(id)) = &result {
            // A reused id starts clean.
            self.dropped.remove(id);
        }
        if let Some(seq) = seq {
            match &result {
                Ok(Some(id)) => {
                    self.stored.insert(*id, seq);
                }
                // Not accepted: forget it again.
                _ => {
                    if let Some(store) = &mut self.store {
                        store.complete(seq)?;
                    }
                }
            }
        }
        result
    }

    fn publish_inner(
        &mut self,
        topic: &str,
        payload: Bytes,
        qos: QoS,
        retain: bool,
    ) -> Result<Option<PacketId>> {
        if self.ws.is_none() {
            // Offline: the session queues it if an offline queue is configured.
            if let Some(err) = self.deferred_error.take() {
                return Err(err);
            }
            if self.session.config().offline_queue.is_none() {
                return Err(self.closed_error());
            }
            return self
                .session
                .publish(topic, payload, qos, retain, Instant::now());
        }
        self.ensure_open()?;
        let deadline = deadline::from_now(self.options.operation_timeout);
        // A socket that has not taken our last output gets no more until it
        // does: what we queued meanwhile would only grow the write buffer.
        if self.write_blocked && !self.run_until(Some(deadline), |c| !c.write_blocked)? {
            return Err(self.fail(Error::Timeout(TimeoutPhase::Write)));
        }
        if qos != QoS::AtMostOnce
            && !self.session.has_inflight_room()
            && !self.run_until(Some(deadline), |c| c.session.has_inflight_room())?
        {
            return Err(Error::Timeout(TimeoutPhase::Ack));
        }
        let id = self
            .session
            .publish(topic, payload, qos, retain, Instant::now())?;
        // Return only once the bytes are with the kernel: the client has no
        // thread of its own, so bytes left in our buffer would wait for the
        // application's next call (a QoS 0 publish followed by a sleep would
        // never leave). A full socket therefore blocks here, up to the
        // operation timeout: backpressure, as a blocking write gives.
        let flushed = match self.flush_transmit() {
            Ok(()) if self.write_blocked => self.run_until(Some(deadline), |c| !c.write_blocked),
            Ok(()) => Ok(true),
            Err(e) => Err(self.fail(e)),
        };
        match flushed {
            Ok(true) => {}
            Ok(false) => return Err(self.fail(Error::Timeout(TimeoutPhase::Write))),
            // With reconnect on, an accepted QoS 1/2 message is resent after
            // the reconnect: report success rather than invite a duplicate.
            Err(_) if matches!(self.link, Link::Backoff(_)) => {}
            Err(e) => return Err(e),
        }
        Ok(id)
    }

    /// Waits until the QoS 1/2 message with this packet id is acknowledged
    /// (PUBACK, or PUBCOMP for QoS 2), or the subscription/unsubscription with
    /// it is answered. `timeout` `None` uses the operation timeout. A timeout
    /// is not fatal: the message stays in flight.
    pub fn wait_for(&mut self, id: PacketId, timeout: Option<Duration>) -> Result<()> {
        let deadline = deadline::from_now(timeout.unwrap_or(self.options.operation_timeout));
        if !self.session.is_pending(id) {
            return self.dropped_check(id);
        }
        self.ensure_usable()?;
        if self.run_until(Some(deadline), |c| !c.session.is_pending(id))? {
            self.dropped_check(id)
        } else {
            Err(Error::Timeout(TimeoutPhase::Ack))
        }
    }

    /// An id that stopped being pending because the offline queue dropped it
    /// did not succeed.
    ///
    /// A completed wait also consumes the `Published` event it waited for,
    /// so that `poll` does not report the acknowledgement a second time.
    fn dropped_check(&mut self, id: PacketId) -> Result<()> {
        self.collect_events();
        if self.dropped.remove(&id) {
            return Err(Error::QueueFull(format!(
                "message {id} was dropped from the full offline queue"
            )));
        }
        self.take_event(|e| matches!(e, Event::Published { packet_id } if *packet_id == id));
        Ok(())
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
        crate::codec::check_topic_filters(filters.iter().map(|(f, _)| *f))?;
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
        crate::codec::check_topic_filters(filters.iter().copied())?;
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
        if let Some(e) = self.next_event() {
            return Ok(Some(e));
        }
        if let Some(err) = self.deferred_error.take() {
            return Err(err);
        }
        // Events the session produced while offline (Dropped) come first.
        self.collect_events();
        if let Some(e) = self.next_event() {
            return Ok(Some(e));
        }
        self.ensure_usable()?;
        let deadline = timeout.map(deadline::from_now);
        match self.run_until(deadline, |c| !c.events.is_empty()) {
            Ok(_) => Ok(self.next_event()),
            Err(e) => match self.next_event() {
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
        let deadline = timeout.map(deadline::from_now);
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
        self.link = Link::Idle;
        if self.ws.is_none() {
            return Ok(());
        }
        let deadline = deadline::from_now(self.options.operation_timeout);
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
        self.link = Link::Idle;
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
                let e = self.fail(e);
                if matches!(self.link, Link::Backoff(_)) {
                    // Reconnect is on: the drop became events; keep waiting.
                    continue;
                }
                return Err(e);
            }
            if done(self) {
                return Ok(true);
            }
            let now = Instant::now();
            if self.ws.is_none() {
                let Link::Backoff(at) = self.link else {
                    return Err(self.closed_error());
                };
                if now >= at {
                    self.reconnect_attempt()?;
                    continue;
                }
                if deadline.is_some_and(|d| now >= d) {
                    return Ok(false);
                }
                self.poller.wait(Some(deadline.map_or(at, |d| d.min(at))))?;
                continue;
            }
            if deadline.is_some_and(|d| now >= d) {
                return Ok(false);
            }
            if self.read_pending && self.may_read() {
                continue;
            }
            let timers = [
                deadline,
                self.session.poll_timeout(),
                self.ws_ping_due,
                self.ws_pong_deadline,
            ];
            let wake = timers.into_iter().flatten().min();
            self.poller.wait(wake)?;
        }
    }

    /// One non-blocking round: read what is there, fire timers, write what is
    /// queued, collect events.
    fn step(&mut self) -> Result<()> {
        let result = self
            .session
            .handle_buffered(Instant::now())
            .and_then(|()| self.read_available())
            .and_then(|()| {
                let now = Instant::now();
                if self.session.poll_timeout().is_some_and(|t| now >= t) {
                    self.session.handle_timeout(now)?;
                }
                self.ws_ping_timers(now)?;
                self.flush_transmit()
            });
        self.collect_events();
        result
    }

    /// Moves the session's events into the client's queue, settling the
    /// durable store and the internal subscription restores on the way.
    fn collect_events(&mut self) {
        while let Some(ev) = self.session.poll_event() {
            if let Event::Dropped {
                packet_id: Some(id),
                ..
            } = &ev
            {
                self.dropped.insert(*id);
            }
            if let Event::Published { packet_id }
            | Event::Dropped {
                packet_id: Some(packet_id),
                ..
            } = &ev
                && let (Some(seq), Some(store)) = (self.stored.remove(packet_id), &mut self.store)
                && let Err(e) = store.complete(seq)
            {
                // The message was delivered; failing to record it only
                // means it is sent again after a restart.
                log::warn!("durable store: {e}");
            }
            if let Event::Subscribed { packet_id, .. } = &ev
                && let Some(pos) = self.restoring.iter().position(|id| id == packet_id)
            {
                self.restoring.remove(pos);
                continue;
            }
            self.events.push_back(ev);
        }
    }

    fn read_available(&mut self) -> Result<()> {
        if self.ws.is_none() {
            return Ok(());
        }
        self.read_pending = false;
        for _ in 0..READ_BATCH {
            if !self.may_read() {
                // There may be more to read once this clears; the socket will
                // not signal it again (edge-triggered), so remember.
                self.read_pending = true;
                return Ok(());
            }
            let Some(ws) = self.ws.as_mut() else {
                return Ok(());
            };
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
                Ok(WsMessage::Pong(_)) => self.ws_pong_deadline = None,
                // tungstenite answers PINGs itself (flushed on the next read or write).
                Ok(WsMessage::Ping(_) | WsMessage::Frame(_)) => {}
                Err(e) if would_block(&e) => {
                    return Ok(());
                }
                Err(e) => return Err(ws_error(e)),
            }
        }
        self.read_pending = true;
        Ok(())
    }

    /// Reading is paused while the application leaves the incoming queue
    /// full ([`IncomingQueue`]) and while the socket takes no more of our
    /// output: what we read would only pile up (messages, or the
    /// acknowledgements we owe for them), so TCP pushes back on the broker
    /// instead.
    fn may_read(&self) -> bool {
        !self.write_blocked && !self.session.is_receive_paused()
    }

    /// Sends the periodic WebSocket PING and checks its PONG deadline.
    fn ws_ping_timers(&mut self, now: Instant) -> Result<()> {
        let Some((interval, timeout)) = self.options.ws_ping else {
            return Ok(());
        };
        if self.ws_pong_deadline.is_some_and(|d| now >= d) {
            return Err(Error::Timeout(TimeoutPhase::Keepalive));
        }
        if self.ws_ping_due.is_some_and(|d| now >= d) {
            if let Some(ws) = self.ws.as_mut() {
                match ws.write(WsMessage::Ping(Bytes::from_static(b"mqttws"))) {
                    Ok(()) => {}
                    Err(e) if would_block(&e) => {}
                    Err(e) => return Err(ws_error(e)),
                }
            }
            self.ws_ping_due = Some(deadline::after(now, interval));
            if self.ws_pong_deadline.is_none() {
                self.ws_pong_deadline = Some(deadline::after(now, timeout));
            }
        }
        Ok(())
    }

    /// The connection dropped and reconnect is on: schedule the next attempt.
    fn schedule_reconnect(&mut self, reason: String, lived: Option<Duration>) {
        let Some(policy) = self.options.reconnect else {
            return;
        };
        if lived.is_some_and(|l| l >= policy.stable_after) {
            self.attempt = 0;
        }
        self.attempt = self.attempt.saturating_add(1);
        let delay = policy.delay(self.attempt, random_unit());
        self.link = Link::Backoff(deadline::from_now(delay));
        self.events.push_back(Event::Disconnected { reason });
        self.events.push_back(Event::Reconnecting {
            delay,
            attempt: self.attempt,
        });
    }

    /// One automatic reconnect attempt; failures schedule the next one.
    ///
    /// An interrupt is not a failure of the link: the attempt is abandoned
    /// without growing the back-off, is due again at once, and the caller
    /// gets [`Error::Interrupted`].
    fn reconnect_attempt(&mut self) -> Result<()> {
        match self.connect_once() {
            Ok(_) => Ok(()),
            Err(Error::Interrupted) => {
                self.close_socket();
                self.session.connection_lost();
                self.link = Link::Backoff(Instant::now());
                Err(Error::Interrupted)
            }
            Err(e) => {
                self.close_socket();
                self.schedule_reconnect(e.to_string(), None);
                Ok(())
            }
        }
    }

    fn flush_transmit(&mut self) -> Result<()> {
        let Some(ws) = self.ws.as_mut() else {
            return Ok(());
        };
        while let Some(frame) = self.session.poll_transmit() {
            match ws.write(WsMessage::Binary(frame)) {
                Ok(()) => {}
                // The frame stays in tungstenite's buffer; flush retries it.
                Err(e) if would_block(&e) => {}
                Err(e) => return Err(ws_error(e)),
            }
        }
        match ws.flush() {
            Ok(()) => self.write_blocked = false,
            Err(e) if would_block(&e) => {
                self.write_blocked = true;
            }
            Err(e) => return Err(ws_error(e)),
        }
        Ok(())
    }

    fn await_ack(&mut self, id: PacketId) -> Result<()> {
        let deadline = deadline::from_now(self.options.operation_timeout);
        if let Err(e) = self.flush_transmit() {
            return Err(self.fail(e));
        }
        if self.run_until(Some(deadline), |c| !c.session.is_pending(id))? {
            Ok(())
        } else {
            Err(Error::Timeout(TimeoutPhase::Ack))
        }
    }

    /// Hands the oldest queued event to the application; a message leaves
    /// the session's incoming bound then.
    fn next_event(&mut self) -> Option<Event> {
        let ev = self.events.pop_front()?;
        if let Event::Message(m) = &ev {
            self.session.message_taken(m);
        }
        Some(ev)
    }

    fn take_event(&mut self, pred: impl Fn(&Event) -> bool) -> Option<Event> {
        let pos = self.events.iter().position(pred)?;
        self.events.remove(pos)
    }

    /// Connected, or waiting to reconnect automatically.
    fn ensure_usable(&self) -> Result<()> {
        if matches!(self.link, Link::Backoff(_)) {
            Ok(())
        } else {
            self.ensure_open()
        }
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
        if let Link::Up(since) = self.link {
            self.link = Link::Idle;
            self.schedule_reconnect(why.to_string(), Some(since.elapsed()));
        }
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
            if let Some((lo, hi)) = provider.keepalive_range()
                && (o.keepalive < lo || o.keepalive > hi)
            {
                return Err(Error::invalid(format!(
                    "keepalive {} s is outside {}'s allowed range {lo}..={hi} s",
                    o.keepalive,
                    provider.platform()
                )));
            }
            // The scheme of the URL this attempt will use: the configured one,
            // or the provider's own (AWS presigns a wss:// URL).
            let scheme = if WsUrl::parse(&o.url).is_ok_and(|u| !u.secure) {
                Scheme::Ws
            } else {
                Scheme::Wss
            };
            let c = provider.credentials_for((o.clock)(), scheme)?;
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

/// A non-blocking socket had nothing to read or no room to write; tungstenite
/// keeps its state, so the operation is simply retried later.
fn would_block(e: &tungstenite::Error) -> bool {
    matches!(e, tungstenite::Error::Io(io) if io.kind() == std::io::ErrorKind::WouldBlock)
}

/// A uniform number in [0, 1) from the OS generator (for back-off jitter).
fn random_unit() -> f64 {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

fn ws_error(e: tungstenite::Error) -> Error {
    use tungstenite::Error as W;
    match e {
        W::ConnectionClosed | W::AlreadyClosed => Error::Closed("the WebSocket is closed".into()),
        W::Protocol(tungstenite::error::ProtocolError::ResetWithoutClosingHandshake) => {
            Error::Closed("the server dropped the connection without a WebSocket close".into())
        }
        W::Io(io) => transport::classify_io("exchanging data", io),
        W::Capacity(c) => Error::protocol(format!("WebSocket message too large: {c}")),
        W::Protocol(p) => Error::protocol(format!("WebSocket protocol violation: {p}")),
        W::Utf8(_) => Error::protocol("invalid UTF-8 in a WebSocket control frame"),
        other => Error::protocol(other.to_string()),
    }
}

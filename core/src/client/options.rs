//! [`ClientOptions`]: everything a [`Client`](crate::Client) needs, with
//! the library's defaults in one place.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::auth::CredentialProvider;
use crate::codec::ProtocolVersion;
use crate::link::ReconnectPolicy;
use crate::properties::ConnectProperties;
use crate::session::{Authenticator, IncomingQueue, OfflineQueue, SessionConfig, Will};
use crate::transport::proxy::ProxyConfig;
use crate::transport::tls::{Pem, TlsOptions};
use crate::transport::url::WsUrl;

/// A wall clock for signing credentials; replaceable for tests.
pub type WallClock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Everything a [`Client`](crate::Client) needs. Built with chained setters:
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
    pub(super) url: String,
    pub(super) client_id: String,
    pub(super) username: Option<String>,
    pub(super) password: Option<String>,
    pub(super) keepalive: u16,
    pub(super) clean_session: bool,
    pub(super) will: Option<Will>,
    pub(super) connect_properties: ConnectProperties,
    pub(super) tls: TlsOptions,
    pub(super) headers: Vec<(String, String)>,
    pub(super) connect_timeout: Duration,
    pub(super) operation_timeout: Duration,
    pub(super) session: SessionConfig,
    pub(super) provider: Option<Arc<dyn CredentialProvider>>,
    pub(super) clock: WallClock,
    pub(super) proxy: Option<ProxyConfig>,
    pub(super) reconnect: Option<ReconnectPolicy>,
    pub(super) ws_ping: Option<(Duration, Duration)>,
    pub(super) store_dir: Option<std::path::PathBuf>,
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
            .field("protocol_version", &self.session.protocol_version)
            .field("connect_properties", &self.connect_properties)
            .field("authenticator", &self.session.authenticator.is_some())
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
            connect_properties: ConnectProperties::default(),
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
        self.tls.ca = Some(Pem::File(path.into()));
        self
    }

    /// Trust only the CA certificate(s) in this PEM text.
    pub fn ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.tls.ca = Some(Pem::Bytes(pem.into()));
        self
    }

    /// Client certificate chain and private key for mutual TLS (PEM files).
    pub fn client_cert_files(
        mut self,
        cert: impl Into<std::path::PathBuf>,
        key: impl Into<std::path::PathBuf>,
    ) -> Self {
        self.tls.client_cert = Some((Pem::File(cert.into()), Pem::File(key.into())));
        self
    }

    /// Client certificate chain and private key for mutual TLS (PEM text).
    pub fn client_cert_pem(mut self, cert: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> Self {
        self.tls.client_cert = Some((Pem::Bytes(cert.into()), Pem::Bytes(key.into())));
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

    /// The MQTT version to speak: [`ProtocolVersion::V311`] (the default)
    /// or [`ProtocolVersion::V5`]. Only under MQTT 5 do the `_with` calls'
    /// properties, reason codes and [`ClientOptions::connect_properties`]
    /// apply; under 3.1.1 setting them is [`crate::Error::InvalidArgument`].
    pub fn protocol_version(mut self, version: ProtocolVersion) -> Self {
        self.session.protocol_version = version;
        self
    }

    /// MQTT 5: what CONNECT asks of the broker (session expiry, receive
    /// maximum, topic alias maximum, user properties...). Under 3.1.1 only
    /// the default is accepted (checked at `connect()`).
    pub fn connect_properties(mut self, properties: ConnectProperties) -> Self {
        self.connect_properties = properties;
        self
    }

    /// MQTT 5 enhanced authentication (AUTH exchanges, e.g. SCRAM): the
    /// authenticator names the method and answers the broker's challenges.
    pub fn authenticator(mut self, authenticator: Arc<dyn Authenticator>) -> Self {
        self.session.authenticator = Some(authenticator);
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
    /// shorter; [`InterruptHandle::interrupt`](crate::InterruptHandle::interrupt) abandons an attempt (it is
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

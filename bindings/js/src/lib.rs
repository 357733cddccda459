//! # mqttws for JavaScript: the core's session, link and signers as WebAssembly
//!
//! The npm package `mqttws` (built by `make js` into `bindings/js/pkg/`) is
//! the same engine as the C, Python and Go faces, for browsers and Node 20+.
//!
//! ## Design overview
//!
//! ```text
//!  application (browser page, Node service)
//!      │  connect / publish / subscribe / messages() / close
//!      ▼
//!  js/index.js: the driver (hand-written, ~600 lines) ─ owns the WebSocket
//!      │  and the one timer; no MQTT logic          (browser's, or npm ws)
//!      │  connect / handleBytes / handleTimeout / pollTransmit /
//!      │  pollEvent / pollTimeout / takeMessage
//!      ▼
//!  Engine (this crate, wasm-bindgen) ─ Session + Link of the core
//!      ▼
//!  mqttws core without `native`: session.rs, link.rs, codec.rs, auth/
//! ```
//!
//! The split is the core's sans-IO boundary: everything about MQTT (packet
//! ids, QoS 1/2 flows, keepalive, retransmission with DUP, the offline
//! queue, reconnect back-off, subscription restore) runs in Rust; the driver
//! only moves bytes between the WebSocket and the [`Engine`], arms a timer
//! for [`Engine::poll_timeout`] and turns events into promise settlements.
//! Signers are the core's `auth` builders behind one function per platform,
//! taking the option names of the Python package in camelCase.
//!
//! ## Rules
//!
//! * Time: the engine reads the monotonic clock itself
//!   (`mqttws::Instant`, `performance.now()` on wasm32) and gets the jitter
//!   draw for the back-off from the driver (`Math.random()`); signers take
//!   the wall clock as `now` in milliseconds since the epoch (the driver
//!   passes `Date.now()` unless the caller gave one).
//! * Errors cross as plain objects `{ kind, message, ... }`
//!   ([`ErrorInfo`]); the driver turns them into `Error` subclasses, one per
//!   core [`ErrorKind`]. Their texts are the core's, which never hold a
//!   secret.
//! * A panic aborts the wasm call with a `RuntimeError`. wasm-bindgen then
//!   refuses every later call on the same `Engine` ("recursive use"), so
//!   the driver marks that one client dead; other clients, which have their
//!   own `Engine`, go on.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mqttws::auth::{self, CredentialProvider, Scheme};
use mqttws::link::{Link, LinkAction};
use mqttws::{
    Bytes, ConnectParams, Error, ErrorKind, Event, IncomingQueue, Instant, Message, OfflineQueue,
    QoS, QueueFull, ReconnectPolicy, Session, SessionConfig, Will,
};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

// ------------------------------------------------------------------ errors

/// A core error as the driver receives it: a plain object, thrown.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorInfo {
    /// The core's [`ErrorKind`] as its Rust name (`"Timeout"`,
    /// `"ConnectionRefused"`, ...), or `"InvalidArgument"` for options the
    /// engine could not read.
    pub kind: String,
    /// The core's message (never contains a secret).
    pub message: String,
    /// [`Error::Timeout`]: the phase that ran out of time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// [`Error::Handshake`] and [`Error::Proxy`]: the HTTP status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// [`Error::ConnectionRefused`]: the CONNACK return code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u8>,
}

impl From<Error> for ErrorInfo {
    fn from(e: Error) -> Self {
        let (phase, status, code) = match &e {
            Error::Timeout(p) => (Some(p.to_string()), None, None),
            Error::Handshake { status, .. } | Error::Proxy { status, .. } => (None, *status, None),
            Error::ConnectionRefused(c) => (None, None, Some(c.code())),
            _ => (None, None, None),
        };
        Self {
            kind: kind_name(e.kind()).into(),
            message: e.to_string(),
            phase,
            status,
            code,
        }
    }
}

/// The Rust name of a kind, which the driver maps to its error class.
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Timeout => "Timeout",
        ErrorKind::Io => "Io",
        ErrorKind::Tls => "Tls",
        ErrorKind::Handshake => "Handshake",
        ErrorKind::ConnectionRefused => "ConnectionRefused",
        ErrorKind::Protocol => "Protocol",
        ErrorKind::InvalidArgument => "InvalidArgument",
        ErrorKind::Closed => "Closed",
        ErrorKind::Interrupted => "Interrupted",
        ErrorKind::Auth => "Auth",
        ErrorKind::Proxy => "Proxy",
        ErrorKind::QueueFull => "QueueFull",
        _ => "Mqtt",
    }
}

fn js_err(e: Error) -> JsValue {
    to_js(&ErrorInfo::from(e))
}

fn invalid(message: impl Into<String>) -> JsValue {
    js_err(Error::InvalidArgument(message.into()))
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    // Bytes become a Uint8Array, None becomes null. Serialising our own
    // plain structs cannot fail; undefined if it did.
    value
        .serialize(&serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true))
        .unwrap_or(JsValue::UNDEFINED)
}

/// Reads an options object (a missing required option or a wrong type is
/// InvalidArgument). The message names the option, never a value (it may
/// be a secret).
fn from_js<T: for<'de> Deserialize<'de>>(what: &str, value: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        // serde-wasm-bindgen's text starts with "Error: ".
        let e = e.to_string();
        invalid(format!("{what}: {}", e.trim_start_matches("Error: ")))
    })
}

fn qos(value: u8) -> Result<QoS, JsValue> {
    mqttws::qos_from_u8(value).map_err(js_err)
}

/// A duration in milliseconds from JavaScript (finite, >= 0).
fn millis(what: &str, ms: f64) -> Result<Duration, JsValue> {
    Duration::try_from_secs_f64(ms / 1000.0).map_err(|_| {
        invalid(format!(
            "{what} must be a finite number of milliseconds >= 0"
        ))
    })
}

// ------------------------------------------------------------------ engine

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EngineOptions {
    keepalive: u16,
    clean_session: bool,
    #[serde(default)]
    will: Option<WillOptions>,
    #[serde(default)]
    reconnect: Option<ReconnectOptions>,
    #[serde(default)]
    offline_queue: Option<OfflineQueueOptions>,
    #[serde(default)]
    inflight_window: Option<u16>,
    #[serde(default)]
    max_packet_size: Option<usize>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WillOptions {
    topic: String,
    payload: serde_bytes::ByteBuf,
    #[serde(default)]
    qos: u8,
    #[serde(default)]
    retain: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReconnectOptions {
    min_delay_ms: Option<f64>,
    max_delay_ms: Option<f64>,
    stable_after_ms: Option<f64>,
    restore_subscriptions: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OfflineQueueOptions {
    max_messages: Option<usize>,
    max_bytes: Option<usize>,
    when_full: Option<String>,
}

/// An event for the driver, `{ type: "connected", ... }`.
#[derive(Serialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum JsEvent {
    Connected {
        session_present: bool,
    },
    Disconnected {
        reason: String,
    },
    Reconnecting {
        delay_ms: f64,
        attempt: u32,
    },
    Published {
        packet_id: u16,
    },
    Subscribed {
        packet_id: u16,
        granted: Vec<Option<u8>>,
    },
    Unsubscribed {
        packet_id: u16,
    },
    Dropped {
        packet_id: Option<u16>,
        topic: String,
    },
}

/// A received message for the application.
#[derive(Serialize)]
struct JsMessage<'a> {
    topic: &'a str,
    #[serde(with = "serde_bytes")]
    payload: &'a [u8],
    qos: u8,
    retain: bool,
    dup: bool,
}

/// One client's MQTT state: the core's [`Session`] and [`Link`], driven by
/// `js/index.js`. Not for applications: use `connect()` of the package.
///
/// Order of use, as for the core's session: after any input, the driver
/// sends every [`Engine::poll_transmit`] frame, handles every
/// [`Engine::poll_event`], takes messages with [`Engine::take_message`] as
/// the application asks for them, and arms its timer for
/// [`Engine::poll_timeout`].
#[wasm_bindgen]
pub struct Engine {
    session: Session,
    link: Link,
    keepalive: u16,
    clean_session: bool,
    will: Option<Will>,
    /// Messages decoded and not yet taken by the application; the session's
    /// [`IncomingQueue`] bounds them.
    messages: VecDeque<Message>,
    /// Events for the driver, in order (the link's and the session's).
    events: VecDeque<JsEvent>,
    /// SUBSCRIBE ids sent to restore subscriptions after a reconnect: their
    /// SUBACKs are ours, not the application's.
    restoring: Vec<u16>,
    /// An automatic reconnect attempt is in progress.
    automatic: bool,
}

#[wasm_bindgen]
impl Engine {
    /// A disconnected engine. `options`: `{ keepalive, cleanSession, will?,
    /// reconnect?, offlineQueue?, inflightWindow?, maxPacketSize? }` with
    /// durations in milliseconds; `will.payload` is a `Uint8Array`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Engine, JsValue> {
        let o: EngineOptions = from_js("connect options", options)?;
        let will = match o.will {
            Some(w) => Some(Will {
                topic: w.topic,
                payload: Bytes::from(w.payload.into_vec()),
                qos: qos(w.qos)?,
                retain: w.retain,
            }),
            None => None,
        };
        let policy = match o.reconnect {
            Some(r) => {
                let d = ReconnectPolicy::default();
                let ms = |what, v: Option<f64>, default| v.map_or(Ok(default), |v| millis(what, v));
                Some(ReconnectPolicy {
                    min_delay: ms("reconnect.minDelayMs", r.min_delay_ms, d.min_delay)?,
                    max_delay: ms("reconnect.maxDelayMs", r.max_delay_ms, d.max_delay)?,
                    stable_after: ms("reconnect.stableAfterMs", r.stable_after_ms, d.stable_after)?,
                    restore_subscriptions: r.restore_subscriptions.unwrap_or(true),
                })
            }
            None => None,
        };
        let offline_queue = match o.offline_queue {
            Some(q) => {
                let d = OfflineQueue::default();
                let when_full = match q.when_full.as_deref() {
                    None | Some("error") => QueueFull::Error,
                    Some("dropOldest") => QueueFull::DropOldest,
                    Some(other) => {
                        return Err(invalid(format!(
                            "offlineQueue.whenFull must be \"error\" or \"dropOldest\", not {other:?}"
                        )));
                    }
                };
                Some(OfflineQueue {
                    max_messages: q.max_messages.unwrap_or(d.max_messages),
                    max_bytes: q.max_bytes.unwrap_or(d.max_bytes),
                    when_full,
                })
            }
            None => None,
        };
        let mut config = SessionConfig {
            offline_queue,
            incoming_queue: IncomingQueue::default(),
            ..SessionConfig::default()
        };
        if let Some(w) = o.inflight_window {
            config.inflight_window = w;
        }
        if let Some(m) = o.max_packet_size {
            config.max_incoming_packet_size = m;
        }
        Ok(Engine {
            session: Session::new(config),
            // The browser's WebSocket answers the server's PINGs itself and
            // cannot send its own: no client PINGs here.
            link: Link::new(policy, None),
            keepalive: o.keepalive,
            clean_session: o.clean_session,
            will,
            messages: VecDeque::new(),
            events: VecDeque::new(),
            restoring: Vec::new(),
            automatic: false,
        })
    }

    /// A connection attempt starts: the driver is opening a WebSocket.
    /// `automatic`: the reconnect timer started it.
    #[wasm_bindgen(js_name = attemptStarted)]
    pub fn attempt_started(&mut self, automatic: bool) {
        self.automatic = automatic;
        self.link.attempt_started();
    }

    /// The WebSocket is open (subprotocol `mqtt` checked by the driver):
    /// queues CONNECT with the credentials of this attempt.
    pub fn connect(
        &mut self,
        client_id: String,
        username: Option<String>,
        password: Option<String>,
    ) -> Result<(), JsValue> {
        let params = ConnectParams {
            client_id,
            username,
            password,
            keepalive: self.keepalive,
            clean_session: self.clean_session,
            will: self.will.clone(),
        };
        self.session.connect(params, Instant::now()).map_err(js_err)
    }

    /// The attempt failed before CONNACK (WebSocket refused, timeout,
    /// CONNACK refusal). With reconnect on and an automatic attempt, the
    /// next one is scheduled (events follow); otherwise the link is idle and
    /// the caller of `connect()` gets the error. `unit`: jitter in [0, 1).
    #[wasm_bindgen(js_name = attemptFailed)]
    pub fn attempt_failed(&mut self, reason: &str, unit: f64) {
        self.session.connection_lost();
        self.link
            .attempt_failed(Instant::now(), reason, self.automatic, false, unit);
        self.drain_link();
    }

    /// The connection was lost after CONNACK (socket closed, keepalive
    /// timeout, protocol error). With reconnect on, `Disconnected` and
    /// `Reconnecting` events follow and the timer will ask for the attempt.
    #[wasm_bindgen(js_name = connectionLost)]
    pub fn connection_lost(&mut self, reason: &str, unit: f64) {
        self.session.connection_lost();
        self.link.lost(Instant::now(), reason, unit);
        self.drain_link();
    }

    /// Bytes of one incoming binary frame. An error (protocol violation,
    /// CONNACK refusal) means the connection is over: the driver closes the
    /// socket and reports the loss.
    #[wasm_bindgen(js_name = handleBytes)]
    pub fn handle_bytes(&mut self, data: &[u8]) -> Result<(), JsValue> {
        let r = self.session.handle_bytes(data, Instant::now());
        self.drain_session()?;
        r.map_err(js_err)
    }

    /// The timer fired. Returns `"reconnect"` when the back-off ended and
    /// the driver must start an attempt, `""` otherwise. An error (no
    /// PINGRESP in time) means the connection is dead.
    #[wasm_bindgen(js_name = handleTimeout)]
    pub fn handle_timeout(&mut self) -> Result<String, JsValue> {
        let now = Instant::now();
        self.session.handle_timeout(now).map_err(js_err)?;
        let action = self.link.handle_timeout(now).map_err(js_err)?;
        Ok(match action {
            LinkAction::Reconnect => "reconnect".into(),
            LinkAction::None | LinkAction::SendPing => String::new(),
        })
    }

    /// The next frame to send (one MQTT packet per binary frame).
    #[wasm_bindgen(js_name = pollTransmit)]
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.session.poll_transmit().map(|b| b.to_vec())
    }

    /// The next event for the driver, or `undefined`: `{ type: "connected",
    /// sessionPresent }`, `"disconnected"` `{ reason }`, `"reconnecting"`
    /// `{ delayMs, attempt }`, `"published"` `{ packetId }`, `"subscribed"`
    /// `{ packetId, granted }`, `"unsubscribed"` `{ packetId }`, `"dropped"`
    /// `{ packetId, topic }`.
    #[wasm_bindgen(js_name = pollEvent)]
    pub fn poll_event(&mut self) -> JsValue {
        self.events
            .pop_front()
            .map_or(JsValue::UNDEFINED, |e| to_js(&e))
    }

    /// How many milliseconds from now the driver must call
    /// [`Engine::handle_timeout`], or `undefined` for no deadline.
    #[wasm_bindgen(js_name = pollTimeout)]
    pub fn poll_timeout(&self) -> Option<f64> {
        let at = [self.session.poll_timeout(), self.link.poll_timeout()]
            .into_iter()
            .flatten()
            .min()?;
        Some(at.saturating_duration_since(Instant::now()).as_secs_f64() * 1000.0)
    }

    /// Messages received and not yet taken.
    #[wasm_bindgen(getter, js_name = messagesWaiting)]
    pub fn messages_waiting(&self) -> usize {
        self.messages.len()
    }

    /// The oldest received message `{ topic, payload: Uint8Array, qos,
    /// retain, dup }`, or `undefined`. Taking it makes room in the incoming
    /// bound, so bytes that waited undecoded are decoded now (the driver
    /// then polls transmits and events again).
    #[wasm_bindgen(js_name = takeMessage)]
    pub fn take_message(&mut self) -> Result<JsValue, JsValue> {
        let Some(m) = self.messages.pop_front() else {
            return Ok(JsValue::UNDEFINED);
        };
        self.session.message_taken(&m);
        let value = to_js(&JsMessage {
            topic: &m.topic,
            payload: &m.payload,
            qos: m.qos as u8,
            retain: m.retain,
            dup: m.dup,
        });
        let r = self.session.handle_buffered(Instant::now());
        self.drain_session()?;
        r.map_err(js_err)?;
        Ok(value)
    }

    /// Queues a PUBLISH; returns the packet id for QoS 1/2 (settled by a
    /// `published` or `dropped` event), `undefined` for QoS 0.
    pub fn publish(
        &mut self,
        topic: &str,
        payload: Vec<u8>,
        qos: u8,
        retain: bool,
    ) -> Result<Option<u16>, JsValue> {
        let q = self::qos(qos)?;
        let r = self
            .session
            .publish(topic, Bytes::from(payload), q, retain, Instant::now());
        self.drain_session()?;
        r.map_err(js_err)
    }

    /// Whether a QoS 1/2 publish would go out at once (the inflight window
    /// has room and nothing waits ahead of it).
    #[wasm_bindgen(getter, js_name = hasInflightRoom)]
    pub fn has_inflight_room(&self) -> bool {
        self.session.has_inflight_room()
    }

    /// Queues a SUBSCRIBE of `filters`, all at `qos`; settled by a
    /// `subscribed` event with the returned id.
    pub fn subscribe(&mut self, filters: Vec<String>, qos: u8) -> Result<u16, JsValue> {
        let q = self::qos(qos)?;
        let pairs: Vec<(&str, QoS)> = filters.iter().map(|f| (f.as_str(), q)).collect();
        self.session
            .subscribe(&pairs, Instant::now())
            .map_err(js_err)
    }

    /// Queues an UNSUBSCRIBE; settled by an `unsubscribed` event.
    pub fn unsubscribe(&mut self, filters: Vec<String>) -> Result<u16, JsValue> {
        let refs: Vec<&str> = filters.iter().map(String::as_str).collect();
        self.session
            .unsubscribe(&refs, Instant::now())
            .map_err(js_err)
    }

    /// The application closes the client: DISCONNECT is queued when
    /// connected (send it, then close the socket), no reconnect follows.
    pub fn disconnect(&mut self) {
        if self.session.is_connected() {
            // Only fails when not connected, checked just above.
            let _ = self.session.disconnect(Instant::now());
        }
        self.session.connection_lost();
        self.link.closed();
    }

    /// Whether CONNACK accepted the current connection.
    #[wasm_bindgen(getter, js_name = isConnected)]
    pub fn is_connected(&self) -> bool {
        self.session.is_connected()
    }

    /// Waiting to reconnect automatically.
    #[wasm_bindgen(getter, js_name = isBackingOff)]
    pub fn is_backing_off(&self) -> bool {
        self.link.is_backing_off()
    }

    /// Outgoing QoS 1/2 messages not yet acknowledged, queued ones included.
    #[wasm_bindgen(getter)]
    pub fn inflight(&self) -> usize {
        self.session.inflight()
    }

    /// Panics, for the test of the driver's panic handling.
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __panicForTests)]
    pub fn panic_for_tests(&mut self) {
        panic!("panic requested by a test");
    }

    fn drain_link(&mut self) {
        while let Some(e) = self.link.poll_event() {
            self.push_event(e);
        }
    }

    /// Moves the session's events to the driver's queue and messages to the
    /// application's; reacts to CONNACK (link up, subscriptions restored).
    fn drain_session(&mut self) -> Result<(), JsValue> {
        while let Some(e) = self.session.poll_event() {
            match e {
                Event::Message(m) => self.messages.push_back(m),
                Event::Connected { session_present } => {
                    self.link.connected(Instant::now());
                    self.automatic = false;
                    self.push_event(e);
                    self.restore_subscriptions(session_present)?;
                }
                Event::Subscribed { packet_id, .. } if self.restoring.contains(&packet_id) => {
                    self.restoring.retain(|id| *id != packet_id);
                }
                other => self.push_event(other),
            }
        }
        Ok(())
    }

    /// Subscribes again to every granted filter when the broker kept no
    /// session (as the native client does).
    fn restore_subscriptions(&mut self, session_present: bool) -> Result<(), JsValue> {
        let restore = self.link.policy().is_some_and(|p| p.restore_subscriptions);
        if !restore || session_present || self.session.subscriptions().is_empty() {
            return Ok(());
        }
        let subs = self.session.subscriptions().to_vec();
        let filters: Vec<(&str, QoS)> = subs.iter().map(|(t, q)| (t.as_str(), *q)).collect();
        let id = self
            .session
            .subscribe(&filters, Instant::now())
            .map_err(js_err)?;
        self.restoring.push(id);
        Ok(())
    }

    fn push_event(&mut self, e: Event) {
        let e = match e {
            Event::Connected { session_present } => JsEvent::Connected { session_present },
            Event::Disconnected { reason } => JsEvent::Disconnected { reason },
            Event::Reconnecting { delay, attempt } => JsEvent::Reconnecting {
                delay_ms: delay.as_secs_f64() * 1000.0,
                attempt,
            },
            Event::Published { packet_id } => JsEvent::Published { packet_id },
            Event::Subscribed { packet_id, granted } => JsEvent::Subscribed {
                packet_id,
                granted: granted.into_iter().map(|g| g.map(|q| q as u8)).collect(),
            },
            Event::Unsubscribed { packet_id } => JsEvent::Unsubscribed { packet_id },
            Event::Dropped { packet_id, topic } => JsEvent::Dropped { packet_id, topic },
            // Messages go to their own queue; nothing else reaches here.
            _ => return,
        };
        self.events.push_back(e);
    }
}

// ----------------------------------------------------------------- signers

/// What a signer returns: `{ clientId, username?, password?, url?,
/// headers }` (the core's `auth::Credentials`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsCredentials {
    client_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    headers: Vec<(String, String)>,
    /// The platform's endpoint URL for the device, where the signer knows
    /// it (the `url` of Python's device classes).
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoint: Option<String>,
    /// The keepalive range (seconds, inclusive) the platform accepts.
    keepalive_range: (u16, u16),
}

fn credentials_out(
    c: auth::Credentials,
    endpoint: Option<String>,
    keepalive_range: (u16, u16),
) -> JsValue {
    to_js(&JsCredentials {
        client_id: c.client_id,
        username: c.username,
        password: c.password,
        url: c.url,
        headers: c.headers,
        endpoint,
        keepalive_range,
    })
}

/// The wall clock from milliseconds since the epoch (the driver always
/// passes one: `std`'s `SystemTime::now()` traps on wasm32).
fn wall_clock(now_ms: f64) -> Result<SystemTime, JsValue> {
    if !now_ms.is_finite() || now_ms < 0.0 {
        return Err(invalid(
            "now must be a time after 1970 (a Date or milliseconds)",
        ));
    }
    UNIX_EPOCH
        .checked_add(Duration::from_secs_f64(now_ms / 1000.0))
        .ok_or_else(|| invalid("now is out of range"))
}

fn scheme(secure: Option<bool>) -> Scheme {
    if secure.unwrap_or(true) {
        Scheme::Wss
    } else {
        Scheme::Ws
    }
}

/// Seconds from JavaScript for a validity: whole, at least 1.
fn whole_seconds(what: &str, secs: f64) -> Result<Duration, JsValue> {
    let d = Duration::try_from_secs_f64(secs)
        .map_err(|_| invalid(format!("{what} must be a finite number of seconds")))?;
    if d.as_secs() == 0 {
        return Err(invalid(format!("{what} must be at least 1 second")));
    }
    Ok(Duration::from_secs(d.as_secs()))
}

/// Tencent `expiry`: a UNIX time in seconds, `"never"`, or `{ ttl }`
/// seconds (Python's `timedelta`).
#[derive(Deserialize)]
#[serde(untagged)]
enum TencentExpiry {
    At(f64),
    Word(String),
    Ttl { ttl: f64 },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TencentOptions {
    product_id: String,
    device_name: String,
    psk: Option<String>,
    private_key: Option<String>,
    method: Option<String>,
    connid: Option<String>,
    expiry: Option<TencentExpiry>,
    sdkappid: Option<String>,
    region: Option<String>,
    secure: Option<bool>,
    now: f64,
}

/// Tencent IoT Hub / IoT Explorer credentials: HMAC with the base64 `psk`,
/// or RSA-SHA256 with `privateKey` (PEM). See `index.d.ts`.
#[wasm_bindgen(js_name = tencentCredentials)]
pub fn tencent_credentials(options: JsValue) -> Result<JsValue, JsValue> {
    use auth::tencent::{Expiry, KEEPALIVE_RANGE, SignMethod, TencentDevice};
    let o: TencentOptions = from_js("tencentCredentials", options)?;
    let method: SignMethod = o
        .method
        .as_deref()
        .unwrap_or("hmacsha256")
        .parse()
        .map_err(js_err)?;
    let mut device = match (o.psk, o.private_key) {
        (Some(psk), None) => {
            TencentDevice::with_psk(o.product_id, o.device_name, psk).sign_method(method)
        }
        (None, Some(pem)) => {
            if method != SignMethod::HmacSha256 {
                return Err(invalid(
                    "certificate devices always sign with rsa-sha256; leave method at its default",
                ));
            }
            TencentDevice::with_private_key_pem(o.product_id, o.device_name, pem.into_bytes())
        }
        _ => return Err(invalid("give exactly one of psk and privateKey")),
    };
    if let Some(e) = o.expiry {
        device = device.expiry(match e {
            TencentExpiry::At(at) if at.is_finite() && at >= 0.0 => Expiry::At(at as u64),
            TencentExpiry::Word(w) if w == "never" => Expiry::Never,
            TencentExpiry::Ttl { ttl } => Expiry::Ttl(whole_seconds("expiry.ttl", ttl)?),
            _ => {
                return Err(invalid(
                    "expiry must be a UNIX time in seconds, \"never\" or { ttl: seconds }",
                ));
            }
        });
    }
    if let Some(c) = o.connid {
        device = device.connid(c);
    }
    if let Some(s) = o.sdkappid {
        device = device.sdkappid(s);
    }
    if let Some(r) = o.region {
        device = device.region(r);
    }
    device = device.scheme(scheme(o.secure));
    let endpoint = device.url().map_err(js_err)?;
    let c = device.credentials(wall_clock(o.now)?).map_err(js_err)?;
    Ok(credentials_out(c, Some(endpoint), KEEPALIVE_RANGE))
}

/// Alibaba `timestamp`: milliseconds, `"now"` or `"omit"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum AliyunTimestamp {
    Fixed(f64),
    Word(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AliyunOptions {
    product_key: String,
    device_name: String,
    device_secret: String,
    client_id: Option<String>,
    timestamp: Option<AliyunTimestamp>,
    method: Option<String>,
    secure: Option<bool>,
    lowercase_hex: Option<bool>,
    region: Option<String>,
    instance: Option<String>,
    now: f64,
}

/// Alibaba Cloud IoT Platform credentials (device secret HMAC); `secure`
/// selects securemode 2 (wss, the default) or 3 (ws). See `index.d.ts`.
#[wasm_bindgen(js_name = aliyunCredentials)]
pub fn aliyun_credentials(options: JsValue) -> Result<JsValue, JsValue> {
    use auth::aliyun::{AliyunDevice, KEEPALIVE_RANGE, SignMethod, Timestamp};
    let o: AliyunOptions = from_js("aliyunCredentials", options)?;
    let method: SignMethod = o
        .method
        .as_deref()
        .unwrap_or("hmacsha256")
        .parse()
        .map_err(js_err)?;
    let scheme = scheme(o.secure);
    let mut device = AliyunDevice::new(o.product_key, o.device_name, o.device_secret)
        .sign_method(method)
        .scheme(scheme)
        .lowercase_hex(o.lowercase_hex.unwrap_or(false));
    if let Some(id) = o.client_id {
        device = device.client_id(id);
    }
    if let Some(t) = o.timestamp {
        device = device.timestamp(match t {
            AliyunTimestamp::Fixed(ms) if ms.is_finite() && ms >= 0.0 => {
                Timestamp::Fixed(ms as u64)
            }
            AliyunTimestamp::Word(w) if w == "now" => Timestamp::Now,
            AliyunTimestamp::Word(w) if w == "omit" => Timestamp::Omit,
            _ => {
                return Err(invalid(
                    "timestamp must be milliseconds, \"now\" or \"omit\"",
                ));
            }
        });
    }
    match (o.region, o.instance) {
        (Some(_), Some(_)) => return Err(invalid("give region or instance, not both")),
        (Some(r), None) => device = device.region(r),
        (None, Some(i)) => device = device.instance(i),
        (None, None) => {}
    }
    let endpoint = device.url().ok();
    let c = device
        .credentials_for(wall_clock(o.now)?, scheme)
        .map_err(js_err)?;
    Ok(credentials_out(c, endpoint, KEEPALIVE_RANGE))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AwsOptions {
    host: String,
    access_key_id: String,
    secret_access_key: String,
    client_id: String,
    region: Option<String>,
    session_token: Option<String>,
    expires: Option<f64>,
    port: Option<u16>,
    now: f64,
}

/// AWS IoT Core SigV4 credentials: `url` is the presigned URL (a secret),
/// there is no user name or password. See `index.d.ts`.
#[wasm_bindgen(js_name = awsCredentials)]
pub fn aws_credentials(options: JsValue) -> Result<JsValue, JsValue> {
    use auth::aws::{AwsSigV4, KEEPALIVE_RANGE};
    let o: AwsOptions = from_js("awsCredentials", options)?;
    let mut signer = AwsSigV4::new(o.host, o.access_key_id, o.secret_access_key)
        .client_id(o.client_id)
        .port(o.port.unwrap_or(auth::aws::DEFAULT_PORT));
    if let Some(r) = o.region {
        signer = signer.region(r);
    }
    if let Some(t) = o.session_token {
        signer = signer.session_token(t);
    }
    if let Some(e) = o.expires {
        signer = signer.expires(whole_seconds("expires", e)?);
    }
    let c = signer.credentials(wall_clock(o.now)?).map_err(js_err)?;
    Ok(credentials_out(c, None, KEEPALIVE_RANGE))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AwsCustomOptions {
    host: String,
    client_id: String,
    authorizer_name: Option<String>,
    token_key_name: Option<String>,
    token: Option<String>,
    token_signature: Option<String>,
    query_string: Option<bool>,
    port: Option<u16>,
}

/// AWS IoT Core custom-authorizer credentials. Browsers cannot send
/// upgrade headers, so `queryString: true` is the mode that works there;
/// the default (headers, as in Python) suits Node with the `ws` package.
#[wasm_bindgen(js_name = awsCustomAuthCredentials)]
pub fn aws_custom_auth_credentials(options: JsValue) -> Result<JsValue, JsValue> {
    use auth::aws::{AwsCustomAuth, CustomAuthMode, KEEPALIVE_RANGE};
    let o: AwsCustomOptions = from_js("awsCustomAuthCredentials", options)?;
    let mut a = AwsCustomAuth::new(o.host)
        .client_id(o.client_id)
        .port(o.port.unwrap_or(auth::aws::DEFAULT_PORT));
    if let Some(n) = o.authorizer_name {
        a = a.authorizer_name(n);
    }
    match (o.token_key_name, o.token) {
        (Some(k), Some(t)) => a = a.token(k, t),
        (None, None) => {}
        _ => return Err(invalid("token and tokenKeyName go together")),
    }
    if let Some(s) = o.token_signature {
        a = a.token_signature(s);
    }
    if o.query_string.unwrap_or(false) {
        a = a.mode(CustomAuthMode::QueryString);
    }
    // The custom authorizer does not depend on the time.
    let c = a.credentials(UNIX_EPOCH).map_err(js_err)?;
    Ok(credentials_out(c, None, KEEPALIVE_RANGE))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzureOptions {
    hub: String,
    device_id: String,
    key: String,
    module_id: Option<String>,
    key_name: Option<String>,
    ttl: Option<f64>,
    api_version: Option<String>,
    device_client_type: Option<String>,
    no_client_cert_hint: Option<bool>,
    now: f64,
}

/// Azure IoT Hub credentials: a SAS token valid `ttl` seconds (default
/// 3600) from `now`. See `index.d.ts`.
#[wasm_bindgen(js_name = azureCredentials)]
pub fn azure_credentials(options: JsValue) -> Result<JsValue, JsValue> {
    use auth::azure::{AzureDevice, DEFAULT_API_VERSION, KEEPALIVE_RANGE};
    let o: AzureOptions = from_js("azureCredentials", options)?;
    let mut d = AzureDevice::new(o.hub, o.device_id, o.key)
        .sas_ttl(whole_seconds("ttl", o.ttl.unwrap_or(3600.0))?)
        .api_version(o.api_version.as_deref().unwrap_or(DEFAULT_API_VERSION))
        .no_client_cert_hint(o.no_client_cert_hint.unwrap_or(true));
    if let Some(m) = o.module_id {
        d = d.module_id(m);
    }
    if let Some(n) = o.key_name {
        d = d.shared_access_key_name(n);
    }
    if let Some(t) = o.device_client_type {
        d = d.device_client_type(t);
    }
    let endpoint = d.url().map_err(js_err)?;
    let c = d.credentials(wall_clock(o.now)?).map_err(js_err)?;
    Ok(credentials_out(c, Some(endpoint), KEEPALIVE_RANGE))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HuaweiOptions {
    host: String,
    device_id: String,
    secret: String,
    check_timestamp: Option<bool>,
    now: f64,
}

/// Huawei Cloud IoTDA credentials (device secret HMAC, hour of `now` in
/// UTC). See `index.d.ts`.
#[wasm_bindgen(js_name = huaweiCredentials)]
pub fn huawei_credentials(options: JsValue) -> Result<JsValue, JsValue> {
    use auth::huawei::{HuaweiDevice, KEEPALIVE_RANGE};
    let o: HuaweiOptions = from_js("huaweiCredentials", options)?;
    let d = HuaweiDevice::new(o.host, o.device_id, o.secret)
        .check_timestamp(o.check_timestamp.unwrap_or(false));
    let endpoint = d.url().map_err(js_err)?;
    let c = d.credentials(wall_clock(o.now)?).map_err(js_err)?;
    Ok(credentials_out(c, Some(endpoint), KEEPALIVE_RANGE))
}

//! The MQTT client session (3.1.1 and 5.0) as a sans-IO state machine.
//!
//! # Rules
//!
//! * The session never touches a socket and never reads a clock: every input
//!   that depends on time takes `now: Instant`.
//! * Inputs are [`Session::handle_bytes`] (bytes of incoming WebSocket binary
//!   frames, in order, any split), [`Session::handle_timeout`], and the
//!   commands [`Session::connect`], [`Session::publish`] /
//!   [`Session::publish_with`], [`Session::subscribe`] /
//!   [`Session::subscribe_with`], [`Session::unsubscribe`] /
//!   [`Session::unsubscribe_with`], [`Session::disconnect`] and
//!   [`Session::connection_lost`].
//! * After any input, the driver polls the outputs in this order:
//!   1. [`Session::poll_transmit`] until `None`: each item is exactly one
//!      encoded MQTT packet, to be sent as one WebSocket binary frame;
//!   2. [`Session::poll_event`] until `None`: connection results, messages and
//!      acknowledgements, in the order they happened;
//!   3. [`Session::poll_timeout`]: the instant at which
//!      [`Session::handle_timeout`] must be called if nothing else happens.
//!
//! # Theory of operation
//!
//! The session holds what MQTT calls session state on the client side:
//! outgoing QoS 1 and 2 messages until they are acknowledged (in the order
//! they were first sent), incoming QoS 2 packet ids until PUBREL, the
//! subscriptions the broker granted, and the packet id allocator. That state
//! survives [`Session::connection_lost`], so that after a new
//! [`Session::connect`] the unacknowledged messages are sent again with DUP set
//! (MQTT 3.1.1 section 4.4), whatever `session_present` says: losing a message
//! the caller handed us is worse than a duplicate, which QoS 1 allows anyway.
//!
//! Offline queue (opt-in, [`SessionConfig::offline_queue`]): publishes made
//! while disconnected wait in the same ordered queue, QoS 1/2 ones with their
//! packet id already assigned, and go out after the next CONNACK, behind the
//! retransmissions, as the inflight window allows. The queue is bounded by
//! count and bytes; when full, [`QueueFull`] decides between refusing the
//! new message and dropping the oldest queued one ([`Event::Dropped`]).
//!
//! Keepalive: a PINGREQ goes out when nothing was sent *or* received for the
//! keepalive interval, and the link is declared dead when its PINGRESP has not
//! arrived after the ping timeout (half the keepalive by default), so a
//! half-open link is detected within 1.5 × keepalive even while publishing.
//!
//! # MQTT 5
//!
//! With [`SessionConfig::protocol_version`] set to [`ProtocolVersion::V5`]:
//!
//! * CONNECT carries [`ConnectProperties`] (and, from an [`Authenticator`],
//!   the enhanced authentication method and data; AUTH challenges before
//!   CONNACK are answered by it). CONNACK's [`ConnAckProperties`] set the
//!   connection's limits: the inflight window never exceeds the broker's
//!   receive maximum, a packet above its maximum packet size, a QoS above
//!   its maximum QoS or a retained message it does not support is refused
//!   at publish, and its server keep alive replaces ours.
//! * PUBLISH carries [`PublishProperties`] both ways. Topic aliases are
//!   used toward the broker when it allows them (a topic's first PUBLISH
//!   names it, later ones send only the alias; retransmissions after a
//!   reconnect always name the topic, since aliases live per connection)
//!   and resolved from it (an alias the client did not allow, or one never
//!   named, is a protocol error). The application never sees an alias.
//! * A PUBACK or PUBREC with a reason code of 0x80 or more completes the
//!   message as refused ([`Event::Rejected`]); it is not sent again.
//! * SUBACK and UNSUBACK carry a reason code per filter, and a DISCONNECT
//!   from the broker its reason ([`Event::ServerDisconnected`]) before the
//!   connection ends.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};

use crate::Instant;
use crate::codec::{
    self, Ack, Auth, ConnAck, Connect, Decoder, Disconnect, LastWill, Packet, Properties,
    ProtocolVersion, Publish, PublishRef, QoS, SubAck, Subscribe, SubscribeFilter, UnsubAck,
    Unsubscribe,
};
use crate::error::{ConnectReturnCode, Error, Result, TimeoutPhase};
use crate::properties::{
    ConnAckProperties, ConnectProperties, PublishProperties, SubscribeOptions, SubscribeProperties,
    UserProperty, reason_code_name,
};

/// The default limit on incoming packets: room for a 1 MiB payload with the
/// longest possible topic and the packet id (not the 10 KiB of some peers).
pub const DEFAULT_MAX_PACKET_SIZE: usize = (1 << 20) + 2 + 65_535 + 2;

/// An MQTT packet identifier (1 to 65535).
pub type PacketId = u16;

/// A message received from the broker.
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    /// The topic it was published to (an MQTT 5 topic alias is resolved).
    pub topic: String,
    /// The payload, shared with the receive buffer (no copy): it keeps the
    /// buffer it arrived in (4 KiB, or the packet's size if larger) alive,
    /// with the messages received around it. To keep a small payload for
    /// long, copy it (`Bytes::copy_from_slice`).
    pub payload: Bytes,
    /// The QoS it was delivered with.
    pub qos: QoS,
    /// Whether the broker sent it as a retained message.
    pub retain: bool,
    /// Whether the broker marked it as a possible duplicate.
    pub dup: bool,
    /// The broker's packet identifier for QoS 1 and 2 deliveries (`None`
    /// for QoS 0), e.g. for `mosquitto_sub`'s `%m` output.
    pub packet_id: Option<PacketId>,
    /// Its MQTT 5 properties; `None` when it carries none (always under
    /// MQTT 3.1.1).
    pub properties: Option<Box<PublishProperties>>,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("topic", &self.topic)
            .field("payload_len", &self.payload.len())
            .field("qos", &(self.qos as u8))
            .field("retain", &self.retain)
            .field("dup", &self.dup)
            .field("packet_id", &self.packet_id)
            .field("properties", &self.properties)
            .finish()
    }
}

/// The last will: published by the broker when the client dies without
/// sending DISCONNECT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Will {
    /// Topic of the will message (no wildcards).
    pub topic: String,
    /// Payload of the will message.
    pub payload: Bytes,
    /// QoS of the will message.
    pub qos: QoS,
    /// Whether the broker retains the will message.
    pub retain: bool,
    /// MQTT 5: the will message's properties (empty under 3.1.1).
    pub properties: PublishProperties,
    /// MQTT 5: seconds the broker waits after the connection is lost before
    /// it publishes the will (`None`: at once).
    pub delay_interval: Option<u32>,
}

impl Will {
    /// A will without MQTT 5 properties.
    pub fn new(
        topic: impl Into<String>,
        payload: impl Into<Bytes>,
        qos: QoS,
        retain: bool,
    ) -> Self {
        Self {
            topic: topic.into(),
            payload: payload.into(),
            qos,
            retain,
            properties: PublishProperties::default(),
            delay_interval: None,
        }
    }
}

/// MQTT 5 enhanced authentication (the AUTH exchange of section 4.12), for
/// SCRAM, Kerberos or a broker's own method. The session calls it during
/// each connection attempt: [`Authenticator::start`] for CONNECT, then
/// [`Authenticator::respond`] for every AUTH challenge before CONNACK, then
/// [`Authenticator::finish`] with CONNACK's data. Keep per-attempt state
/// (nonces) inside, reset by `start`.
pub trait Authenticator: Send + Sync {
    /// The method name and the initial data for CONNECT.
    fn start(&self) -> Result<(String, Option<Bytes>)>;
    /// The data of the client's AUTH answering the broker's challenge.
    fn respond(&self, challenge: Option<&[u8]>) -> Result<Option<Bytes>>;
    /// Checks the data of a successful CONNACK (say, the server's proof).
    /// An error refuses the connection. By default everything is accepted.
    fn finish(&self, data: Option<&[u8]>) -> Result<()> {
        let _ = data;
        Ok(())
    }
}

impl fmt::Debug for dyn Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Authenticator")
    }
}

/// What goes into one CONNECT packet.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectParams {
    /// Client identifier (may be empty only with `clean_session`).
    pub client_id: String,
    /// User name, if any.
    pub username: Option<String>,
    /// Password, if any. Never printed by `Debug`.
    pub password: Option<String>,
    /// Keepalive in seconds; 0 turns keepalive off.
    pub keepalive: u16,
    /// Start a new session (`true`) or resume the stored one (`false`).
    pub clean_session: bool,
    /// The last will, if any.
    pub will: Option<Will>,
    /// MQTT 5: what CONNECT asks of the broker (ignored under 3.1.1, where
    /// it must be left at its default).
    pub properties: ConnectProperties,
}

impl fmt::Debug for ConnectParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectParams")
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("keepalive", &self.keepalive)
            .field("clean_session", &self.clean_session)
            .field("will", &self.will)
            .field("properties", &self.properties)
            .finish()
    }
}

/// Something that happened, returned by [`Session::poll_event`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The broker accepted CONNECT.
    Connected {
        /// Whether the broker resumed a stored session (clean session off).
        session_present: bool,
        /// What CONNACK said (MQTT 5; empty under 3.1.1).
        properties: Box<ConnAckProperties>,
    },
    /// A message arrived.
    Message(Message),
    /// An outgoing QoS 1 message was acknowledged (PUBACK), or a QoS 2 one
    /// completed (PUBCOMP, or a PUBACK after [`Event::Downgraded`]).
    Published {
        /// The packet id that [`Session::publish`] returned.
        packet_id: PacketId,
    },
    /// The broker answered a QoS 2 PUBLISH with PUBACK, i.e. took the
    /// message at QoS 1 (at least once: it may be delivered twice). RabbitMQ
    /// does this: it has no QoS 2. The message is complete, so
    /// [`Event::Published`] with the same id follows at once; it is not sent
    /// again after a reconnect. Publish at QoS 1 to such a broker.
    Downgraded {
        /// The packet id that [`Session::publish`] returned.
        packet_id: PacketId,
        /// The QoS the broker acknowledged ([`QoS::AtLeastOnce`]).
        granted: QoS,
    },
    /// MQTT 5: the broker refused an outgoing QoS 1/2 message (PUBACK or
    /// PUBREC with a reason code of 0x80 or more). The message is done: it
    /// is not sent again.
    Rejected {
        /// The packet id that [`Session::publish`] returned.
        packet_id: PacketId,
        /// The reason code.
        reason_code: u8,
        /// The broker's reason string, if any.
        reason: Option<String>,
    },
    /// SUBACK: one entry per filter, the granted QoS or `None` for a refusal.
    Subscribed {
        /// The packet id that [`Session::subscribe`] returned.
        packet_id: PacketId,
        /// Granted QoS per filter, `None` where the broker refused it.
        granted: Vec<Option<QoS>>,
        /// The return (3.1.1) or reason (5.0) code per filter.
        reason_codes: Vec<u8>,
    },
    /// UNSUBACK.
    Unsubscribed {
        /// The packet id that [`Session::unsubscribe`] returned.
        packet_id: PacketId,
        /// MQTT 5: the reason code per filter (0 success, 0x11 no
        /// subscription existed...); empty under 3.1.1.
        reason_codes: Vec<u8>,
    },
    /// MQTT 5: the broker sent DISCONNECT, with a reason; the connection ends
    /// right after (an error, or [`Event::Disconnected`] with reconnect on).
    ServerDisconnected {
        /// The reason code (0x8E session taken over, 0x8B server shutting
        /// down, 0x9C use another server...).
        reason_code: u8,
        /// The broker's reason string, if any.
        reason: Option<String>,
        /// Another server to use, if the broker named one (the client does
        /// not follow it).
        server_reference: Option<String>,
    },
    /// A message waiting in the full offline queue was dropped to make room
    /// ([`QueueFull::DropOldest`]); it will never be sent.
    Dropped {
        /// Its packet id, `None` for QoS 0.
        packet_id: Option<PacketId>,
        /// Its topic.
        topic: String,
    },
    /// The durable store found damaged bytes in its log when the client was
    /// created: every valid record was recovered and the damaged log kept
    /// aside (see [`crate::store`]); whatever the damaged bytes held is lost.
    /// Produced by the [`Client`](crate::Client), first of all events.
    #[cfg(feature = "native")]
    StoreDamaged(crate::store::Damage),
    /// The connection ended; with automatic reconnect, [`Event::Reconnecting`]
    /// follows. Produced by the [`Client`](crate::Client), not the session.
    Disconnected {
        /// Why, as the error text (never contains credentials).
        reason: String,
    },
    /// The client will try to connect again after `delay` (automatic
    /// reconnect). Produced by the [`Client`](crate::Client).
    Reconnecting {
        /// Back-off before the attempt, measured from the failure.
        delay: Duration,
        /// 1 for the first attempt after a drop.
        attempt: u32,
    },
}

/// What the offline queue does when a publish does not fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum QueueFull {
    /// Refuse the new message with [`Error::QueueFull`]; nothing is lost
    /// silently. The default.
    #[default]
    Error,
    /// Drop the oldest queued message (reported as [`Event::Dropped`]) and
    /// queue the new one.
    DropOldest,
}

/// Bounds of the offline queue: publishes accepted while disconnected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OfflineQueue {
    /// Most messages waiting. Default 1000.
    pub max_messages: usize,
    /// Most payload + topic bytes waiting. Default 4 MiB.
    pub max_bytes: usize,
    /// Policy when a message does not fit.
    pub when_full: QueueFull,
}

impl Default for OfflineQueue {
    fn default() -> Self {
        Self {
            max_messages: 1000,
            max_bytes: 4 << 20,
            when_full: QueueFull::Error,
        }
    }
}

/// Bounds on incoming messages that the application has not taken yet.
///
/// When either is reached, the session stops decoding (and the client stops
/// reading from the socket) until the application takes messages: TCP then
/// pushes back on the broker, and no message is dropped, since a QoS 1/2
/// message is acknowledged only once it has been decoded. Each bound may be
/// exceeded by one message. While reading is paused, the keepalive does not
/// declare the link dead for a PINGRESP it cannot read; a blocking call that
/// waits for an acknowledgement meanwhile ends with its operation timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IncomingQueue {
    /// Most messages held. Default 10,000.
    pub max_messages: usize,
    /// Most topic + payload bytes held. Default 32 MiB.
    pub max_bytes: usize,
}

impl Default for IncomingQueue {
    fn default() -> Self {
        Self {
            max_messages: 10_000,
            max_bytes: 32 << 20,
        }
    }
}

/// Tunables that do not change between connections.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    /// The MQTT version to speak. Default [`ProtocolVersion::V311`].
    pub protocol_version: ProtocolVersion,
    /// Largest incoming packet (remaining length) accepted; larger ones are a
    /// protocol error. Default [`DEFAULT_MAX_PACKET_SIZE`]. Under MQTT 5 it
    /// is also sent to the broker as the maximum packet size, unless
    /// [`ConnectProperties::maximum_packet_size`] says otherwise.
    pub max_incoming_packet_size: usize,
    /// Most outgoing QoS 1/2 messages awaiting acknowledgement. Default 20,
    /// mosquitto's `max_inflight_messages`: mosquitto 2.0 silently drops
    /// QoS 2 PUBLISHes beyond it from an MQTT 3.1.1 client. Under MQTT 5 the
    /// broker's receive maximum caps it too.
    pub inflight_window: u16,
    /// How long to wait for PINGRESP; default `None` = half the keepalive.
    pub ping_timeout: Option<Duration>,
    /// Accept publishes while disconnected, up to these bounds. `None` (the
    /// default): publishing while disconnected is [`Error::Closed`].
    pub offline_queue: Option<OfflineQueue>,
    /// Bounds on received messages not yet taken by the application (see
    /// [`Session::message_taken`]).
    pub incoming_queue: IncomingQueue,
    /// MQTT 5 enhanced authentication, if any.
    pub authenticator: Option<Arc<dyn Authenticator>>,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            protocol_version: ProtocolVersion::V311,
            max_incoming_packet_size: DEFAULT_MAX_PACKET_SIZE,
            inflight_window: 20,
            ping_timeout: None,
            offline_queue: None,
            incoming_queue: IncomingQueue::default(),
            authenticator: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// No connection (never connected, lost, or after DISCONNECT).
    Disconnected,
    /// CONNECT sent, waiting for CONNACK (or an AUTH challenge, MQTT 5).
    Connecting,
    /// CONNACK accepted.
    Connected,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OutgoingStage {
    /// Accepted while disconnected or behind a full window; not sent yet.
    Queued,
    /// QoS 1 PUBLISH sent, waiting for PUBACK.
    Qos1Sent,
    /// QoS 2 PUBLISH sent, waiting for PUBREC.
    Qos2Sent,
    /// PUBREL sent, waiting for PUBCOMP.
    Qos2Released,
}

#[derive(Debug)]
struct Outgoing {
    publish: Publish,
    stage: OutgoingStage,
}

/// The limits and aliases of the current connection (MQTT 5; under 3.1.1
/// they stay at their defaults, which limit nothing).
#[derive(Debug, Default)]
struct Limits {
    /// The broker's receive maximum.
    receive_maximum: Option<u16>,
    /// The broker's maximum packet size.
    maximum_packet_size: Option<u32>,
    /// The broker's maximum QoS.
    maximum_qos: Option<QoS>,
    /// Whether the broker supports retained messages.
    retain_available: bool,
    /// How many aliases we may use toward the broker, and those in use.
    alias_max_out: u16,
    aliases_out: HashMap<String, u16>,
    /// How many aliases the broker may use toward us, and those it named.
    alias_max_in: u16,
    aliases_in: HashMap<u16, String>,
}

/// The sans-IO MQTT client session. See the [module docs](self) for the
/// rules of use.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    state: State,
    keepalive: Option<Duration>,
    decoder: Decoder,
    encode_buf: BytesMut,
    tx: VecDeque<Bytes>,
    events: VecDeque<Event>,
    /// Outgoing QoS 1/2 in first-sent order, then queued messages (any QoS)
    /// in publish order.
    outgoing: VecDeque<Outgoing>,
    /// Entries of `outgoing` that were sent (the inflight window's use).
    sent: usize,
    /// Topic + payload bytes of the queued entries.
    queued_bytes: usize,
    /// Incoming QoS 2 ids received (PUBREC sent) and not yet released.
    incoming_qos2: HashSet<PacketId>,
    pending_subscribe: Vec<(PacketId, Vec<SubscribeFilter>)>,
    pending_unsubscribe: Vec<(PacketId, Vec<String>)>,
    subscriptions: Vec<(String, SubscribeOptions)>,
    next_packet_id: PacketId,
    last_tx: Option<Instant>,
    last_rx: Option<Instant>,
    ping_sent: Option<Instant>,
    /// Messages delivered as events and not yet taken by the application,
    /// and their topic + payload bytes (see [`IncomingQueue`]).
    held_messages: usize,
    held_bytes: usize,
    limits: Limits,
}

fn v5_only(what: &str) -> Error {
    Error::invalid(format!(
        "{what} exists only in MQTT 5; set the protocol version to 5"
    ))
}

impl Session {
    /// A new session with no connection.
    pub fn new(config: SessionConfig) -> Self {
        let max = config.max_incoming_packet_size;
        let mut decoder = Decoder::new(max);
        decoder.set_version(config.protocol_version);
        Self {
            config,
            state: State::Disconnected,
            keepalive: None,
            decoder,
            encode_buf: BytesMut::with_capacity(4096),
            tx: VecDeque::new(),
            events: VecDeque::new(),
            outgoing: VecDeque::new(),
            sent: 0,
            queued_bytes: 0,
            incoming_qos2: HashSet::new(),
            pending_subscribe: Vec::new(),
            pending_unsubscribe: Vec::new(),
            subscriptions: Vec::new(),
            next_packet_id: 1,
            last_tx: None,
            last_rx: None,
            ping_sent: None,
            held_messages: 0,
            held_bytes: 0,
            limits: Limits {
                retain_available: true,
                ..Limits::default()
            },
        }
    }

    /// The configuration this session was built with.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    fn v5(&self) -> bool {
        self.config.protocol_version == ProtocolVersion::V5
    }

    /// Whether CONNACK has accepted the current connection.
    pub fn is_connected(&self) -> bool {
        self.state == State::Connected
    }

    /// Outgoing QoS 1/2 messages not yet fully acknowledged, queued ones
    /// included.
    pub fn inflight(&self) -> usize {
        self.outgoing
            .iter()
            .filter(|o| o.publish.qos != QoS::AtMostOnce)
            .count()
    }

    /// Messages accepted but not sent yet (offline queue).
    pub fn queued(&self) -> usize {
        self.outgoing.len() - self.sent
    }

    /// Whether a QoS 1/2 publish would be sent at once: nothing queued ahead
    /// of it and room in the inflight window.
    pub fn has_inflight_room(&self) -> bool {
        self.sent == self.outgoing.len() && self.sent < self.window()
    }

    /// The inflight window: ours, capped by the broker's receive maximum.
    fn window(&self) -> usize {
        let ours = self.config.inflight_window.max(1);
        usize::from(self.limits.receive_maximum.map_or(ours, |m| m.min(ours)))
    }

    /// Whether the packet id is still awaiting its acknowledgement.
    pub fn is_pending(&self, id: PacketId) -> bool {
        self.outgoing.iter().any(|o| o.publish.pkid == id)
            || self.pending_subscribe.iter().any(|(p, _)| *p == id)
            || self.pending_unsubscribe.iter().any(|(p, _)| *p == id)
    }

    /// Filters the broker granted in this session, with the options asked
    /// for and the QoS granted.
    pub fn subscriptions(&self) -> &[(String, SubscribeOptions)] {
        &self.subscriptions
    }

    /// Starts a connection on a freshly opened transport: queues CONNECT.
    pub fn connect(&mut self, params: ConnectParams, now: Instant) -> Result<()> {
        let v5 = self.v5();
        if params.client_id.is_empty() && !params.clean_session && !v5 {
            return Err(Error::invalid(
                "an empty client id requires clean_session (MQTT 3.1.1 section 3.1.3.1)",
            ));
        }
        if let Some(w) = &params.will {
            codec::check_topic_name(&w.topic)?;
            if !v5 && (!w.properties.is_empty() || w.delay_interval.is_some()) {
                return Err(v5_only("a will with properties"));
            }
        }
        if params.password.is_some() && params.username.is_none() && !v5 {
            return Err(Error::invalid(
                "a password requires a user name (MQTT 3.1.1 section 3.1.2.9)",
            ));
        }
        let p = &params.properties;
        if !v5 && *p != ConnectProperties::default() {
            return Err(v5_only("a CONNECT with properties"));
        }
        if !v5 && self.config.authenticator.is_some() {
            return Err(v5_only("enhanced authentication"));
        }
        let mut properties = Properties::default();
        if v5 {
            properties.session_expiry_interval = p.session_expiry_interval.or(
                // clean_session(false) keeps the session, as it does under
                // 3.1.1: with no expiry given, ask for "never".
                (!params.clean_session).then_some(u32::MAX),
            );
            properties.receive_maximum = p.receive_maximum;
            properties.maximum_packet_size = p.maximum_packet_size.or(Some(
                u32::try_from(self.config.max_incoming_packet_size.saturating_add(5))
                    .unwrap_or(u32::MAX),
            ));
            properties.topic_alias_maximum = p.topic_alias_maximum.filter(|m| *m > 0);
            properties.request_response_information = p.request_response_information.then_some(1);
            properties.request_problem_information = p.request_problem_information.map(u8::from);
            properties.user_properties = p.user_properties.clone();
            if let Some(auth) = &self.config.authenticator {
                let (method, data) = auth.start()?;
                properties.authentication_method = Some(method);
                properties.authentication_data = data;
            }
        }
        let connect = Connect {
            client_id: params.client_id,
            keep_alive: params.keepalive,
            clean_start: params.clean_session,
            username: params.username,
            password: params.password.map(Bytes::from),
            will: params.will.map(|w| LastWill {
                topic: w.topic,
                payload: w.payload,
                qos: w.qos,
                retain: w.retain,
                properties: Properties {
                    will_delay_interval: w.delay_interval,
                    ..w.properties.to_wire()
                },
            }),
            properties,
        };
        // Reset the per-connection state before queueing.
        self.reset_connection();
        self.limits.alias_max_in = p.topic_alias_maximum.unwrap_or(0);
        if params.clean_session {
            // The subscription list is kept: it is what a reconnect restores.
            self.incoming_qos2.clear();
        }
        self.queue(&Packet::Connect(Box::new(connect)), now)?;
        self.keepalive =
            (params.keepalive > 0).then(|| Duration::from_secs(params.keepalive.into()));
        self.state = State::Connecting;
        self.last_rx = Some(now);
        Ok(())
    }

    /// Queues a PUBLISH without properties (see [`Session::publish_with`]).
    pub fn publish(
        &mut self,
        topic: &str,
        payload: Bytes,
        qos: QoS,
        retain: bool,
        now: Instant,
    ) -> Result<Option<PacketId>> {
        self.publish_with(
            topic,
            payload,
            qos,
            retain,
            PublishProperties::default(),
            now,
        )
    }

    /// Queues a PUBLISH. Returns the packet id for QoS 1 and 2 (watch for
    /// [`Event::Published`]), `None` for QoS 0.
    ///
    /// Errors: [`Error::InvalidArgument`] for a bad topic, properties under
    /// MQTT 3.1.1, what the broker said it does not accept (MQTT 5: a QoS
    /// above its maximum, a retained message it does not support) or a full
    /// inflight window (check [`Session::has_inflight_room`] first),
    /// [`Error::Closed`] when not connected.
    pub fn publish_with(
        &mut self,
        topic: &str,
        payload: Bytes,
        qos: QoS,
        retain: bool,
        properties: PublishProperties,
        now: Instant,
    ) -> Result<Option<PacketId>> {
        codec::check_topic_name(topic)?;
        // Checked now, not when the packet is encoded: a queued message
        // that could never be encoded would wedge the queue.
        codec::check_publish_size(topic.len(), payload.len(), qos)?;
        if !properties.is_empty() && !self.v5() {
            return Err(v5_only("a PUBLISH with properties"));
        }
        if let Some(r) = &properties.response_topic {
            codec::check_topic_name(r).map_err(|e| match e {
                Error::InvalidArgument(why) => Error::invalid(format!("response topic: {why}")),
                other => other,
            })?;
        }
        if properties.payload_format_utf8 == Some(true) && std::str::from_utf8(&payload).is_err() {
            // The broker would refuse it (0x99 payload format invalid), or
            // a subscriber would: say so where the mistake is.
            return Err(Error::invalid(
                "the payload is marked UTF-8 (payload format indicator) but is not valid UTF-8",
            ));
        }
        if let Some(max) = self.limits.maximum_qos
            && qos > max
        {
            return Err(Error::invalid(format!(
                "the broker supports QoS {} at most (CONNACK maximum QoS)",
                max as u8
            )));
        }
        if retain && !self.limits.retain_available {
            return Err(Error::invalid(
                "the broker does not support retained messages (CONNACK retain available = 0)",
            ));
        }
        let wire = (!properties.is_empty()).then(|| Box::new(properties.to_wire()));
        let sendable = self.state == State::Connected && self.queued() == 0;
        if sendable && qos == QoS::AtMostOnce {
            // Sent at once and not kept: encoded from the borrowed topic.
            self.send_publish(
                PublishRef {
                    dup: false,
                    qos,
                    retain,
                    topic,
                    pkid: 0,
                    payload: &payload,
                    properties: wire.as_deref(),
                },
                now,
            )?;
            return Ok(None);
        }
        let mut publish = Publish::new(topic, qos, payload);
        publish.retain = retain;
        publish.properties = wire;
        if !sendable {
            return self.enqueue(publish);
        }
        if !self.has_inflight_room() {
            return Err(Error::invalid(format!(
                "the inflight window of {} messages is full",
                self.window()
            )));
        }
        let id = self.allocate_packet_id()?;
        publish.pkid = id;
        self.send_publish(publish.as_ref(), now)?;
        self.outgoing.push_back(Outgoing {
            publish,
            stage: sent_stage(qos),
        });
        self.sent += 1;
        Ok(Some(id))
    }

    /// Re-queues a message recovered from a durable store after a restart:
    /// it is sent (with DUP set, since it may have been sent before) after the
    /// next CONNACK, outside the offline queue's bounds. Returns its new
    /// packet id (`None` for QoS 0).
    pub fn restore(
        &mut self,
        topic: &str,
        payload: Bytes,
        qos: QoS,
        retain: bool,
    ) -> Result<Option<PacketId>> {
        codec::check_topic_name(topic)?;
        codec::check_publish_size(topic.len(), payload.len(), qos)?;
        let mut publish = Publish::new(topic, qos, payload);
        publish.retain = retain;
        publish.dup = qos != QoS::AtMostOnce;
        self.enqueue_unbounded(publish)
    }

    /// Accepts a publish into the offline queue, honouring its bounds.
    fn enqueue(&mut self, publish: Publish) -> Result<Option<PacketId>> {
        let Some(limits) = self.config.offline_queue else {
            // Without an offline queue only a connected session queues: behind
            // restored messages that still wait for room in the window.
            self.ensure_connected()?;
            return self.enqueue_unbounded(publish);
        };
        let size = publish.topic.len() + publish.payload.len();
        if size > limits.max_bytes || limits.max_messages == 0 {
            return Err(Error::invalid(format!(
                "a message of {size} bytes can never fit the offline queue ({} messages, {} bytes)",
                limits.max_messages, limits.max_bytes
            )));
        }
        while self.queued() + 1 > limits.max_messages || self.queued_bytes + size > limits.max_bytes
        {
            match limits.when_full {
                QueueFull::Error => {
                    return Err(Error::QueueFull(format!(
                        "{} messages / {} bytes are waiting (limits {} / {})",
                        self.queued(),
                        self.queued_bytes,
                        limits.max_messages,
                        limits.max_bytes
                    )));
                }
                QueueFull::DropOldest => {
                    let Some(old) = self.outgoing.remove(self.sent) else {
                        break;
                    };
                    self.queued_bytes -= old.publish.topic.len() + old.publish.payload.len();
                    let packet_id =
                        (old.publish.qos != QoS::AtMostOnce).then_some(old.publish.pkid);
                    self.events.push_back(Event::Dropped {
                        packet_id,
                        topic: old.publish.topic,
                    });
                }
            }
        }
        self.enqueue_unbounded(publish)
    }

    fn enqueue_unbounded(&mut self, mut publish: Publish) -> Result<Option<PacketId>> {
        let id = if publish.qos == QoS::AtMostOnce {
            None
        } else {
            Some(self.allocate_packet_id()?)
        };
        publish.pkid = id.unwrap_or(0);
        self.queued_bytes += publish.topic.len() + publish.payload.len();
        self.outgoing.push_back(Outgoing {
            publish,
            stage: OutgoingStage::Queued,
        });
        Ok(id)
    }

    /// Sends queued messages, in order, while the window has room.
    fn send_queued(&mut self, now: Instant) -> Result<()> {
        while self.state == State::Connected && self.sent < self.outgoing.len() {
            let qos = self.outgoing[self.sent].publish.qos;
            if qos != QoS::AtMostOnce && self.sent >= self.window() {
                break;
            }
            // Moved out for the encoding (and back): no copy of it.
            let placeholder = Publish::new(String::new(), qos, Bytes::new());
            let publish = std::mem::replace(&mut self.outgoing[self.sent].publish, placeholder);
            let size = publish.topic.len() + publish.payload.len();
            let sent = self.send_publish(publish.as_ref(), now);
            self.outgoing[self.sent].publish = publish;
            if let Err(e) = sent {
                // publish() and restore() check what encoding checks, but a
                // broker limit learnt since (its maximum packet size) may
                // refuse the message now: it is reported dropped rather than
                // left to block the queue.
                log::warn!("a queued message could not be sent and was dropped: {e}");
                if let Some(old) = self.outgoing.remove(self.sent) {
                    self.queued_bytes -= size;
                    self.events.push_back(Event::Dropped {
                        packet_id: (qos != QoS::AtMostOnce).then_some(old.publish.pkid),
                        topic: old.publish.topic,
                    });
                }
                continue;
            }
            self.queued_bytes -= size;
            if qos == QoS::AtMostOnce {
                self.outgoing.remove(self.sent);
            } else {
                self.outgoing[self.sent].stage = sent_stage(qos);
                self.sent += 1;
            }
        }
        Ok(())
    }

    /// Encodes a PUBLISH for this connection: with a topic alias when the
    /// broker allows them (the first PUBLISH on a topic names it and
    /// assigns the alias, later ones send only the alias), within the
    /// broker's maximum packet size.
    fn send_publish(&mut self, publish: PublishRef<'_>, now: Instant) -> Result<()> {
        if self.limits.alias_max_out == 0 {
            return self.queue_publish(&publish, now);
        }
        let with_alias = |alias: u16| {
            let mut props = publish.properties.cloned().unwrap_or_default();
            props.topic_alias = Some(alias);
            props
        };
        if let Some(&alias) = self.limits.aliases_out.get(publish.topic) {
            let props = with_alias(alias);
            let p = PublishRef {
                topic: "",
                properties: Some(&props),
                ..publish
            };
            self.queue_publish(&p, now)
        } else if self.limits.aliases_out.len() < usize::from(self.limits.alias_max_out) {
            let alias = self.limits.aliases_out.len() as u16 + 1;
            let props = with_alias(alias);
            let p = PublishRef {
                properties: Some(&props),
                ..publish
            };
            self.queue_publish(&p, now)?;
            self.limits
                .aliases_out
                .insert(publish.topic.to_owned(), alias);
            Ok(())
        } else {
            self.queue_publish(&publish, now)
        }
    }

    /// Queues a SUBSCRIBE for one or more `(filter, max QoS)` pairs. Watch
    /// for [`Event::Subscribed`] with the returned id.
    pub fn subscribe(&mut self, filters: &[(&str, QoS)], now: Instant) -> Result<PacketId> {
        let filters: Vec<(&str, SubscribeOptions)> = filters
            .iter()
            .map(|(f, q)| (*f, SubscribeOptions::qos(*q)))
            .collect();
        self.subscribe_with(&filters, SubscribeProperties::default(), now)
    }

    /// Queues a SUBSCRIBE with options per filter and (MQTT 5) properties.
    /// Watch for [`Event::Subscribed`] with the returned id.
    pub fn subscribe_with(
        &mut self,
        filters: &[(&str, SubscribeOptions)],
        properties: SubscribeProperties,
        now: Instant,
    ) -> Result<PacketId> {
        codec::check_topic_filters(filters.iter().map(|(f, _)| *f))?;
        if !self.v5()
            && (filters.iter().any(|(_, o)| o.uses_v5())
                || properties != SubscribeProperties::default())
        {
            return Err(v5_only(
                "a subscription option other than QoS, or SUBSCRIBE properties",
            ));
        }
        if properties
            .subscription_identifier
            .is_some_and(|i| i == 0 || i as usize > codec::MAX_REMAINING_LENGTH)
        {
            return Err(Error::invalid(
                "a subscription identifier is 1 to 268,435,455",
            ));
        }
        self.ensure_connected()?;
        let id = self.allocate_packet_id()?;
        let filters: Vec<SubscribeFilter> = filters
            .iter()
            .map(|(f, o)| SubscribeFilter {
                path: (*f).to_owned(),
                qos: o.qos,
                no_local: o.no_local,
                retain_as_published: o.retain_as_published,
                retain_handling: o.retain_handling as u8,
            })
            .collect();
        self.queue(
            &Packet::Subscribe(Subscribe {
                pkid: id,
                filters: filters.clone(),
                properties: Properties {
                    subscription_identifiers: properties
                        .subscription_identifier
                        .into_iter()
                        .collect(),
                    user_properties: properties.user_properties,
                    ..Properties::default()
                },
            }),
            now,
        )?;
        self.pending_subscribe.push((id, filters));
        Ok(id)
    }

    /// Queues an UNSUBSCRIBE. Watch for [`Event::Unsubscribed`].
    pub fn unsubscribe(&mut self, filters: &[&str], now: Instant) -> Result<PacketId> {
        self.unsubscribe_with(filters, Vec::new(), now)
    }

    /// Queues an UNSUBSCRIBE with (MQTT 5) user properties. Watch for
    /// [`Event::Unsubscribed`].
    pub fn unsubscribe_with(
        &mut self,
        filters: &[&str],
        user_properties: Vec<UserProperty>,
        now: Instant,
    ) -> Result<PacketId> {
        codec::check_topic_filters(filters.iter().copied())?;
        if !self.v5() && !user_properties.is_empty() {
            return Err(v5_only("UNSUBSCRIBE properties"));
        }
        self.ensure_connected()?;
        let id = self.allocate_packet_id()?;
        let topics: Vec<String> = filters.iter().map(|f| (*f).to_owned()).collect();
        self.queue(
            &Packet::Unsubscribe(Unsubscribe {
                pkid: id,
                topics: topics.clone(),
                properties: Properties {
                    user_properties,
                    ..Properties::default()
                },
            }),
            now,
        )?;
        self.pending_unsubscribe.push((id, topics));
        Ok(id)
    }

    /// Queues DISCONNECT; the session is disconnected afterwards (the will is
    /// not published by the broker). Unacknowledged messages are kept.
    pub fn disconnect(&mut self, now: Instant) -> Result<()> {
        self.ensure_connected()?;
        self.queue(&Packet::Disconnect(Disconnect::default()), now)?;
        self.state = State::Disconnected;
        self.keepalive = None;
        Ok(())
    }

    /// The transport is gone. Unacknowledged messages are kept for the next
    /// connection; queued output and partial input are dropped.
    pub fn connection_lost(&mut self) {
        self.state = State::Disconnected;
        self.reset_connection();
    }

    /// Feeds the payload of one incoming WebSocket binary frame (any split of
    /// the MQTT byte stream; empty is fine). A protocol violation returns an
    /// error, and the session is then disconnected.
    pub fn handle_bytes(&mut self, data: &[u8], now: Instant) -> Result<()> {
        if self.state == State::Disconnected {
            // Late bytes after DISCONNECT or a loss are ignored.
            return Ok(());
        }
        self.decoder.extend(data);
        self.last_rx = Some(now);
        self.decode(now)
    }

    /// Whether received messages not yet taken by the application fill the
    /// [`IncomingQueue`]: then bytes fed in are kept undecoded, and the
    /// driver should stop reading from the socket until
    /// [`Session::message_taken`] makes room.
    pub fn is_receive_paused(&self) -> bool {
        let q = self.config.incoming_queue;
        self.held_messages >= q.max_messages.max(1) || self.held_bytes >= q.max_bytes
    }

    /// The application took this message (it left the driver's queue): its
    /// room in the [`IncomingQueue`] is free again. Call
    /// [`Session::handle_buffered`] afterwards to decode what waited.
    pub fn message_taken(&mut self, message: &Message) {
        self.held_messages = self.held_messages.saturating_sub(1);
        self.held_bytes = self
            .held_bytes
            .saturating_sub(message.topic.len() + message.payload.len());
    }

    /// Decodes bytes that [`Session::handle_bytes`] kept while receiving was
    /// paused, as far as the [`IncomingQueue`] allows now. A no-op when
    /// nothing waits.
    pub fn handle_buffered(&mut self, now: Instant) -> Result<()> {
        if self.state == State::Disconnected {
            return Ok(());
        }
        self.decode(now)
    }

    fn decode(&mut self, now: Instant) -> Result<()> {
        loop {
            if self.is_receive_paused() {
                return Ok(());
            }
            let packet = match self.decoder.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => return Ok(()),
                Err(e) => return Err(self.fail(e)),
            };
            if let Err(e) = self.handle_packet(packet, now) {
                return Err(self.fail(e));
            }
            if self.state == State::Disconnected {
                return Ok(());
            }
        }
    }

    /// Advances timers. Returns [`Error::Timeout`] with
    /// [`TimeoutPhase::Keepalive`] when the broker did not answer a PINGREQ in
    /// time; the session is then disconnected.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<()> {
        if self.state != State::Connected {
            return Ok(());
        }
        let Some(keepalive) = self.keepalive else {
            return Ok(());
        };
        if let Some(sent) = self.ping_sent {
            if self.is_receive_paused() {
                // The PINGRESP may well be among the bytes the application
                // keeps us from reading: no verdict now, and a full ping
                // timeout from when reading resumes.
                self.ping_sent = Some(now);
                return Ok(());
            }
            if self
                .ping_deadline(sent, keepalive)
                .is_some_and(|d| now >= d)
            {
                return Err(self.fail(Error::Timeout(TimeoutPhase::Keepalive)));
            }
            return Ok(());
        }
        let Some(idle_since) = self.idle_since() else {
            return Ok(());
        };
        if now >= idle_since + keepalive {
            self.queue(&Packet::PingReq, now)?;
            self.ping_sent = Some(now);
        }
        Ok(())
    }

    /// The next encoded packet to send, one per WebSocket binary frame.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.tx.pop_front()
    }

    /// The next event, in the order they happened.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Session::handle_timeout`] must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.state != State::Connected {
            return None;
        }
        let keepalive = self.keepalive?;
        match self.ping_sent {
            Some(sent) => self.ping_deadline(sent, keepalive),
            None => self.idle_since().map(|t| t + keepalive),
        }
    }

    /// When the PINGRESP to a PINGREQ sent at `sent` is overdue; `None` for
    /// a configured ping timeout too long for the clock (no deadline).
    fn ping_deadline(&self, sent: Instant, keepalive: Duration) -> Option<Instant> {
        let timeout = self
            .config
            .ping_timeout
            .unwrap_or(keepalive / 2)
            .max(Duration::from_millis(1));
        sent.checked_add(timeout)
    }

    /// The start of the current idle period: the older of the last send and
    /// the last receive.
    fn idle_since(&self) -> Option<Instant> {
        match (self.last_tx, self.last_rx) {
            (Some(t), Some(r)) => Some(t.min(r)),
            (t, r) => t.or(r),
        }
    }

    fn fail(&mut self, e: Error) -> Error {
        self.connection_lost();
        e
    }

    fn reset_connection(&mut self) {
        self.tx.clear();
        self.decoder.clear();
        self.ping_sent = None;
        self.last_tx = None;
        self.last_rx = None;
        self.pending_subscribe.clear();
        self.pending_unsubscribe.clear();
        // Topic aliases live as long as one connection (MQTT 5 section 3.3.2.3.4).
        self.limits.aliases_out.clear();
        self.limits.aliases_in.clear();
    }

    fn ensure_connected(&self) -> Result<()> {
        match self.state {
            State::Connected => Ok(()),
            State::Connecting => Err(Error::Closed(
                "not connected yet: CONNACK not received".into(),
            )),
            State::Disconnected => Err(Error::Closed("not connected".into())),
        }
    }

    fn queue(&mut self, packet: &Packet, now: Instant) -> Result<()> {
        codec::encode(packet, self.config.protocol_version, &mut self.encode_buf)?;
        self.push_encoded(packet.name(), now)
    }

    fn queue_publish(&mut self, publish: &PublishRef<'_>, now: Instant) -> Result<()> {
        codec::encode_publish(publish, self.config.protocol_version, &mut self.encode_buf)?;
        self.push_encoded("PUBLISH", now)
    }

    /// Moves the packet just encoded to the transmit queue, unless it is
    /// larger than the broker accepts (MQTT 5 maximum packet size).
    fn push_encoded(&mut self, name: &str, now: Instant) -> Result<()> {
        if let Some(max) = self.limits.maximum_packet_size
            && self.encode_buf.len() > max as usize
        {
            let len = self.encode_buf.len();
            self.encode_buf.clear();
            return Err(Error::invalid(format!(
                "a {name} of {len} bytes exceeds the broker's maximum packet size of {max} bytes"
            )));
        }
        let frame = self.encode_buf.split().freeze();
        self.tx.push_back(frame);
        self.last_tx = Some(now);
        Ok(())
    }

    fn allocate_packet_id(&mut self) -> Result<PacketId> {
        for _ in 0..u16::MAX {
            let id = self.next_packet_id;
            self.next_packet_id = if id == u16::MAX { 1 } else { id + 1 };
            if !self.is_pending(id) {
                return Ok(id);
            }
        }
        Err(Error::invalid("all 65535 packet ids are in use"))
    }

    fn handle_packet(&mut self, packet: Packet, now: Instant) -> Result<()> {
        if self.state == State::Connecting {
            return match packet {
                Packet::ConnAck(ack) => self.handle_connack(ack, now),
                Packet::Auth(auth) => self.handle_auth_challenge(auth, now),
                other => Err(Error::protocol(format!(
                    "expected CONNACK, got {}",
                    other.name()
                ))),
            };
        }
        match packet {
            Packet::Publish(p) => self.handle_publish(p, now),
            Packet::PubAck(ack) => {
                let pkid = ack.pkid;
                if ack.code >= 0x80 {
                    self.reject_outgoing(ack);
                } else if self.stage_of(pkid) == Some(OutgoingStage::Qos2Sent) {
                    // A broker without QoS 2 (RabbitMQ): it took the message
                    // at QoS 1. Waiting for a PUBREC that never comes would
                    // end every wait in a timeout and resend the message at
                    // every reconnect; complete it now and say so.
                    self.events.push_back(Event::Downgraded {
                        packet_id: pkid,
                        granted: QoS::AtLeastOnce,
                    });
                    self.complete_outgoing(pkid, OutgoingStage::Qos2Sent);
                } else {
                    self.complete_outgoing(pkid, OutgoingStage::Qos1Sent);
                }
                self.send_queued(now)
            }
            Packet::PubRec(ack) => {
                let pkid = ack.pkid;
                if let Some(o) = self
                    .outgoing
                    .iter_mut()
                    .take(self.sent)
                    .find(|o| o.publish.pkid == pkid)
                {
                    if o.stage == OutgoingStage::Qos1Sent {
                        return Err(Error::protocol(format!("PUBREC for QoS 1 message {pkid}")));
                    }
                    if ack.code >= 0x80 {
                        // The broker refused the message: the flow ends here,
                        // without PUBREL (MQTT 5 section 4.3.3).
                        self.reject_outgoing(ack);
                        return self.send_queued(now);
                    }
                    o.stage = OutgoingStage::Qos2Released;
                } else if ack.code >= 0x80 {
                    return Ok(());
                }
                // Release even an unknown id, so the broker can finish its flow.
                self.queue(&Packet::PubRel(Ack::new(pkid)), now)
            }
            Packet::PubComp(ack) => {
                self.complete_outgoing(ack.pkid, OutgoingStage::Qos2Released);
                self.send_queued(now)
            }
            Packet::PubRel(ack) => {
                self.incoming_qos2.remove(&ack.pkid);
                self.queue(&Packet::PubComp(Ack::new(ack.pkid)), now)
            }
            Packet::SubAck(SubAck { pkid, codes, .. }) => {
                let Some(pos) = self.pending_subscribe.iter().position(|(p, _)| *p == pkid) else {
                    log::debug!("SUBACK for unknown packet id {pkid} ignored");
                    return Ok(());
                };
                let (_, filters) = self.pending_subscribe.remove(pos);
                if filters.len() != codes.len() {
                    return Err(Error::protocol(format!(
                        "SUBACK has {} return codes for {} filters",
                        codes.len(),
                        filters.len()
                    )));
                }
                let granted: Vec<Option<QoS>> = codes
                    .iter()
                    .map(|c| match c {
                        0 => Some(QoS::AtMostOnce),
                        1 => Some(QoS::AtLeastOnce),
                        2 => Some(QoS::ExactlyOnce),
                        _ => None,
                    })
                    .collect();
                for (f, g) in filters.into_iter().zip(&granted) {
                    self.subscriptions.retain(|(t, _)| *t != f.path);
                    if let Some(q) = g {
                        let options = SubscribeOptions {
                            qos: *q,
                            no_local: f.no_local,
                            retain_as_published: f.retain_as_published,
                            retain_handling: match f.retain_handling {
                                1 => crate::properties::RetainHandling::SendIfNew,
                                2 => crate::properties::RetainHandling::DoNotSend,
                                _ => crate::properties::RetainHandling::SendAlways,
                            },
                        };
                        self.subscriptions.push((f.path, options));
                    }
                }
                self.events.push_back(Event::Subscribed {
                    packet_id: pkid,
                    granted,
                    reason_codes: codes,
                });
                Ok(())
            }
            Packet::UnsubAck(UnsubAck { pkid, codes, .. }) => {
                if let Some(pos) = self
                    .pending_unsubscribe
                    .iter()
                    .position(|(p, _)| *p == pkid)
                {
                    let (_, topics) = self.pending_unsubscribe.remove(pos);
                    self.subscriptions.retain(|(t, _)| !topics.contains(t));
                    self.events.push_back(Event::Unsubscribed {
                        packet_id: pkid,
                        reason_codes: codes,
                    });
                }
                Ok(())
            }
            Packet::PingResp => {
                self.ping_sent = None;
                Ok(())
            }
            Packet::Disconnect(d) => {
                // MQTT 5: the broker ends the connection and says why.
                let text = format!(
                    "the broker disconnected: {} (reason code {:#04x}){}",
                    reason_code_name(d.code),
                    d.code,
                    d.properties
                        .reason_string
                        .as_ref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                );
                self.events.push_back(Event::ServerDisconnected {
                    reason_code: d.code,
                    reason: d.properties.reason_string,
                    server_reference: d.properties.server_reference,
                });
                Err(Error::Closed(text))
            }
            other => Err(Error::protocol(format!(
                "unexpected {} from the server",
                other.name()
            ))),
        }
    }

    /// MQTT 5 enhanced authentication: the broker's challenge before
    /// CONNACK, answered by the [`Authenticator`].
    fn handle_auth_challenge(&mut self, auth: Auth, now: Instant) -> Result<()> {
        let Some(authenticator) = self.config.authenticator.clone() else {
            return Err(Error::protocol(
                "the broker sent AUTH, but no enhanced authentication was asked for",
            ));
        };
        if auth.code != 0x18 {
            return Err(Error::protocol(format!(
                "AUTH with reason code {:#04x} before CONNACK (only 0x18, continue, is allowed)",
                auth.code
            )));
        }
        let data = authenticator.respond(auth.properties.authentication_data.as_deref())?;
        self.queue(
            &Packet::Auth(Auth {
                code: 0x18,
                properties: Properties {
                    authentication_method: auth.properties.authentication_method,
                    authentication_data: data,
                    ..Properties::default()
                },
            }),
            now,
        )
    }

    fn handle_connack(&mut self, ack: ConnAck, now: Instant) -> Result<()> {
        let v5 = self.v5();
        let refused = match (v5, ack.code) {
            (_, 0) => None,
            (false, 1) => Some(ConnectReturnCode::UnacceptableProtocolVersion),
            (false, 2) => Some(ConnectReturnCode::IdentifierRejected),
            (false, 3) => Some(ConnectReturnCode::ServerUnavailable),
            (false, 4) => Some(ConnectReturnCode::BadUserNameOrPassword),
            (false, 5) => Some(ConnectReturnCode::NotAuthorized),
            (false, code) => {
                return Err(Error::protocol(format!(
                    "CONNACK with the unknown return code {code}"
                )));
            }
            (true, code) if code >= 0x80 => Some(ConnectReturnCode::Reason(code)),
            (true, code) => {
                return Err(Error::protocol(format!(
                    "CONNACK with the reason code {code:#04x}, which is not a refusal and not success"
                )));
            }
        };
        if let Some(code) = refused {
            return Err(Error::ConnectionRefused {
                code,
                reason: ack.properties.reason_string,
                server_reference: ack.properties.server_reference,
            });
        }
        if let Some(auth) = &self.config.authenticator {
            auth.finish(ack.properties.authentication_data.as_deref())?;
        }
        let props = ConnAckProperties::from_wire(ack.properties);
        if v5 {
            self.limits.receive_maximum = props.receive_maximum;
            self.limits.maximum_packet_size = props.maximum_packet_size;
            self.limits.maximum_qos = props.maximum_qos;
            self.limits.retain_available = props.retain_available.unwrap_or(true);
            self.limits.alias_max_out = props.topic_alias_maximum.unwrap_or(0);
            if let Some(k) = props.server_keep_alive {
                // The broker's keep alive replaces ours (section 3.2.2.3.14).
                self.keepalive = (k > 0).then(|| Duration::from_secs(k.into()));
            }
        }
        self.state = State::Connected;
        if !ack.session_present {
            self.incoming_qos2.clear();
        }
        self.events.push_back(Event::Connected {
            session_present: ack.session_present,
            properties: Box::new(props),
        });
        // Resend what was not acknowledged, in the original order, naming
        // every topic (aliases are per connection).
        let resend: Vec<Packet> = self
            .outgoing
            .iter()
            .take(self.sent)
            .map(|o| match o.stage {
                OutgoingStage::Qos2Released => Packet::PubRel(Ack::new(o.publish.pkid)),
                _ => {
                    let mut p = o.publish.clone();
                    p.dup = true;
                    Packet::Publish(p)
                }
            })
            .collect();
        for p in &resend {
            self.queue(p, now)?;
        }
        self.send_queued(now)
    }

    fn handle_publish(&mut self, mut p: Publish, now: Instant) -> Result<()> {
        if let Some(alias) = p.properties.as_mut().and_then(|pp| pp.topic_alias.take()) {
            // MQTT 5 topic alias (section 3.3.2.3.4): 1 up to the maximum we
            // allowed; a topic names (or renames) it, an empty topic uses it.
            if alias == 0 || alias > self.limits.alias_max_in {
                return Err(Error::protocol(format!(
                    "the server used topic alias {alias}, beyond the {} allowed",
                    self.limits.alias_max_in
                )));
            }
            if p.topic.is_empty() {
                match self.limits.aliases_in.get(&alias) {
                    Some(t) => p.topic = t.clone(),
                    None => {
                        return Err(Error::protocol(format!(
                            "the server used topic alias {alias} before naming it"
                        )));
                    }
                }
            } else {
                self.limits.aliases_in.insert(alias, p.topic.clone());
            }
        }
        if let Err(e) = codec::check_topic_name(&p.topic) {
            // A server must never send this (MQTT 3.1.1 section 4.7): the
            // message is not delivered, and the connection ends.
            return Err(Error::protocol(format!(
                "the server sent a PUBLISH with an invalid topic name {:?} ({e})",
                p.topic
            )));
        }
        let message = |p: Publish| Message {
            packet_id: (p.qos != QoS::AtMostOnce).then_some(p.pkid),
            topic: p.topic,
            payload: p.payload,
            qos: p.qos,
            retain: p.retain,
            dup: p.dup,
            properties: p
                .properties
                .map(|pp| PublishProperties::from_wire(*pp))
                .filter(|pp| !pp.is_empty())
                .map(Box::new),
        };
        let size = p.topic.len() + p.payload.len();
        let deliver = match p.qos {
            QoS::AtMostOnce => true,
            QoS::AtLeastOnce => {
                self.queue(&Packet::PubAck(Ack::new(p.pkid)), now)?;
                true
            }
            QoS::ExactlyOnce => {
                self.queue(&Packet::PubRec(Ack::new(p.pkid)), now)?;
                // A redelivery of an id we already hold is acknowledged, not delivered again.
                self.incoming_qos2.insert(p.pkid)
            }
        };
        if deliver {
            self.held_messages += 1;
            self.held_bytes += size;
            self.events.push_back(Event::Message(message(p)));
        }
        Ok(())
    }

    /// The stage of the sent message with this packet id, if any.
    fn stage_of(&self, id: PacketId) -> Option<OutgoingStage> {
        self.outgoing
            .iter()
            .take(self.sent)
            .find(|o| o.publish.pkid == id)
            .map(|o| o.stage)
    }

    /// MQTT 5: the broker refused a sent message (PUBACK or PUBREC with a
    /// failure reason code): it is done, reported, and not sent again.
    fn reject_outgoing(&mut self, ack: Ack) {
        let id = ack.pkid;
        match self
            .outgoing
            .iter()
            .take(self.sent)
            .position(|o| o.publish.pkid == id && o.stage != OutgoingStage::Qos2Released)
        {
            Some(pos) => {
                self.outgoing.remove(pos);
                self.sent -= 1;
                self.events.push_back(Event::Rejected {
                    packet_id: id,
                    reason_code: ack.code,
                    reason: ack.properties.reason_string,
                });
            }
            None => log::debug!("refusal for packet id {id} ignored: not awaiting it"),
        }
    }

    fn complete_outgoing(&mut self, id: PacketId, expected: OutgoingStage) {
        match self
            .outgoing
            .iter()
            .take(self.sent)
            .position(|o| o.publish.pkid == id)
        {
            Some(pos) if self.outgoing[pos].stage == expected => {
                self.outgoing.remove(pos);
                self.sent -= 1;
                self.events.push_back(Event::Published { packet_id: id });
            }
            _ => log::debug!("acknowledgement for packet id {id} ignored: not awaiting it"),
        }
    }
}

fn sent_stage(qos: QoS) -> OutgoingStage {
    if qos == QoS::AtLeastOnce {
        OutgoingStage::Qos1Sent
    } else {
        OutgoingStage::Qos2Sent
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_v5;

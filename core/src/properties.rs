//! MQTT 5 properties as the application sees them: what a PUBLISH (or a
//! will) carries, what CONNECT asks for, what CONNACK answers, and the
//! options of a subscription. Under MQTT 3.1.1 none of this exists on the
//! wire: the client refuses properties there rather than drop them.
//!
//! Each type maps onto the codec's single property list
//! (`codec::Properties`), which is what the wire carries.

use bytes::Bytes;

use crate::codec::{Properties, QoS};

/// A user property: a name and a value. Lists of them keep their order, and
/// a name may repeat.
pub type UserProperty = (String, String);

/// The properties of a PUBLISH (MQTT 5 section 3.3.2.3), and of a will.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublishProperties {
    /// `Some(true)`: the payload is UTF-8 text; `Some(false)`: unspecified
    /// bytes (the same as `None` on the wire, but sent explicitly).
    pub payload_format_utf8: Option<bool>,
    /// Seconds after which the broker discards the message if it has not
    /// delivered it (for a retained message: after which it is no longer
    /// retained).
    pub message_expiry_interval: Option<u32>,
    /// The content type, e.g. `application/json`.
    pub content_type: Option<String>,
    /// The topic a response should be published to (request/response).
    pub response_topic: Option<String>,
    /// Data that ties a response to its request.
    pub correlation_data: Option<Bytes>,
    /// User properties, in order; names may repeat.
    pub user_properties: Vec<UserProperty>,
    /// Incoming messages only: the identifiers of the subscriptions that
    /// matched the message (ignored when publishing).
    pub subscription_identifiers: Vec<u32>,
}

impl PublishProperties {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        // Field by field: comparing with a default value builds and drops one.
        let Self {
            payload_format_utf8,
            message_expiry_interval,
            content_type,
            response_topic,
            correlation_data,
            user_properties,
            subscription_identifiers,
        } = self;
        payload_format_utf8.is_none()
            && message_expiry_interval.is_none()
            && content_type.is_none()
            && response_topic.is_none()
            && correlation_data.is_none()
            && user_properties.is_empty()
            && subscription_identifiers.is_empty()
    }

    pub(crate) fn to_wire(&self) -> Properties {
        Properties {
            payload_format_indicator: self.payload_format_utf8.map(u8::from),
            message_expiry_interval: self.message_expiry_interval,
            content_type: self.content_type.clone(),
            response_topic: self.response_topic.clone(),
            correlation_data: self.correlation_data.clone(),
            user_properties: self.user_properties.clone(),
            ..Properties::default()
        }
    }

    pub(crate) fn from_wire(p: Properties) -> Self {
        Self {
            payload_format_utf8: p.payload_format_indicator.map(|v| v == 1),
            message_expiry_interval: p.message_expiry_interval,
            content_type: p.content_type,
            response_topic: p.response_topic,
            correlation_data: p.correlation_data,
            user_properties: p.user_properties,
            subscription_identifiers: p.subscription_identifiers,
        }
    }
}

/// What CONNECT asks of the broker (MQTT 5 section 3.1.2.11). Values left
/// `None` are not sent: the broker's defaults apply.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectProperties {
    /// Seconds the broker keeps the session after the connection closes
    /// (`None`: 0, the session ends with the connection, unless
    /// `clean_session(false)` is set, which then asks for `u32::MAX`,
    /// "never", so that a persistent session works as under 3.1.1).
    pub session_expiry_interval: Option<u32>,
    /// How many QoS 1/2 messages the broker may have in flight toward the
    /// client at once.
    pub receive_maximum: Option<u16>,
    /// Largest packet the client accepts. `None`: the client's own
    /// incoming limit ([`crate::ClientOptions::max_packet_size`]) is sent.
    pub maximum_packet_size: Option<u32>,
    /// How many topic aliases the broker may use toward the client (`None`:
    /// none). The client resolves them; the application never sees one.
    pub topic_alias_maximum: Option<u16>,
    /// Ask the broker for response information (CONNACK's
    /// [`ConnAckProperties::response_information`]).
    pub request_response_information: bool,
    /// `Some(false)`: the broker must not send reason strings and user
    /// properties except in PUBLISH, CONNACK and DISCONNECT.
    pub request_problem_information: Option<bool>,
    /// User properties of the CONNECT.
    pub user_properties: Vec<UserProperty>,
}

/// What the broker said in CONNACK (MQTT 5 section 3.2.2.3): its limits,
/// an assigned client id, a reason string... All `None` / empty under
/// MQTT 3.1.1.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnAckProperties {
    /// The session expiry the broker chose, if it differs from the request.
    pub session_expiry_interval: Option<u32>,
    /// How many QoS 1/2 messages the broker accepts in flight from the
    /// client; the client's inflight window never exceeds it.
    pub receive_maximum: Option<u16>,
    /// The highest QoS the broker supports (`None`: 2).
    pub maximum_qos: Option<QoS>,
    /// Whether the broker supports retained messages (`None`: yes).
    pub retain_available: Option<bool>,
    /// Largest packet the broker accepts; the client refuses to send more.
    pub maximum_packet_size: Option<u32>,
    /// The client id the broker assigned (when CONNECT's was empty).
    pub assigned_client_identifier: Option<String>,
    /// How many topic aliases the client may use toward the broker; the
    /// client uses them by itself.
    pub topic_alias_maximum: Option<u16>,
    /// A human-readable reason.
    pub reason_string: Option<String>,
    /// User properties of the CONNACK.
    pub user_properties: Vec<UserProperty>,
    /// Whether wildcard subscriptions are supported (`None`: yes).
    pub wildcard_subscription_available: Option<bool>,
    /// Whether subscription identifiers are supported (`None`: yes).
    pub subscription_identifiers_available: Option<bool>,
    /// Whether shared subscriptions are supported (`None`: yes).
    pub shared_subscription_available: Option<bool>,
    /// The keepalive the broker imposes; the client uses it instead of its
    /// own.
    pub server_keep_alive: Option<u16>,
    /// Response information (when requested).
    pub response_information: Option<String>,
    /// Another server to use (with a refusal or a redirection).
    pub server_reference: Option<String>,
    /// The enhanced authentication method.
    pub authentication_method: Option<String>,
}

impl ConnAckProperties {
    pub(crate) fn from_wire(p: Properties) -> Self {
        let flag = |v: Option<u8>| v.map(|v| v == 1);
        Self {
            session_expiry_interval: p.session_expiry_interval,
            receive_maximum: p.receive_maximum,
            maximum_qos: p.maximum_qos.map(|q| {
                if q == 0 {
                    QoS::AtMostOnce
                } else {
                    QoS::AtLeastOnce
                }
            }),
            retain_available: flag(p.retain_available),
            maximum_packet_size: p.maximum_packet_size,
            assigned_client_identifier: p.assigned_client_identifier,
            topic_alias_maximum: p.topic_alias_maximum,
            reason_string: p.reason_string,
            user_properties: p.user_properties,
            wildcard_subscription_available: flag(p.wildcard_subscription_available),
            subscription_identifiers_available: flag(p.subscription_identifier_available),
            shared_subscription_available: flag(p.shared_subscription_available),
            server_keep_alive: p.server_keep_alive,
            response_information: p.response_information,
            server_reference: p.server_reference,
            authentication_method: p.authentication_method,
        }
    }
}

/// What the broker does with retained messages when a subscription is made
/// (MQTT 5 section 3.8.3.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RetainHandling {
    /// Send the retained messages at every subscribe (the default; 3.1.1's
    /// behaviour).
    #[default]
    SendAlways = 0,
    /// Send them only if the subscription did not exist yet.
    SendIfNew = 1,
    /// Never send them.
    DoNotSend = 2,
}

/// One filter of a subscription and its options. Under MQTT 3.1.1 only the
/// QoS exists: the other options must keep their defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubscribeOptions {
    /// The highest QoS wanted.
    pub qos: QoS,
    /// Do not receive the messages this client publishes itself.
    pub no_local: bool,
    /// Keep the retain flag of messages as published (instead of clearing
    /// it for live messages).
    pub retain_as_published: bool,
    /// What to do with retained messages at subscribe time.
    pub retain_handling: RetainHandling,
}

impl SubscribeOptions {
    /// Options with only a QoS (all MQTT 5 options at their defaults).
    pub fn qos(qos: QoS) -> Self {
        Self {
            qos,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::SendAlways,
        }
    }

    /// Whether any MQTT 5-only option is set.
    pub(crate) fn uses_v5(&self) -> bool {
        self.no_local
            || self.retain_as_published
            || self.retain_handling != RetainHandling::SendAlways
    }
}

impl From<QoS> for SubscribeOptions {
    fn from(qos: QoS) -> Self {
        Self::qos(qos)
    }
}

/// The properties of a SUBSCRIBE (MQTT 5 section 3.8.2.1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubscribeProperties {
    /// An identifier (1 to 268,435,455) the broker attaches to the messages
    /// this subscription delivers ([`PublishProperties::subscription_identifiers`]).
    pub subscription_identifier: Option<u32>,
    /// User properties of the SUBSCRIBE.
    pub user_properties: Vec<UserProperty>,
}

/// A reason code's meaning (MQTT 5 section 2.4), for messages.
pub fn reason_code_name(code: u8) -> &'static str {
    match code {
        0x00 => "success",
        0x01 => "granted QoS 1",
        0x02 => "granted QoS 2",
        0x04 => "disconnect with will message",
        0x10 => "no matching subscribers",
        0x11 => "no subscription existed",
        0x18 => "continue authentication",
        0x19 => "re-authenticate",
        0x80 => "unspecified error",
        0x81 => "malformed packet",
        0x82 => "protocol error",
        0x83 => "implementation specific error",
        0x84 => "unsupported protocol version",
        0x85 => "client identifier not valid",
        0x86 => "bad user name or password",
        0x87 => "not authorized",
        0x88 => "server unavailable",
        0x89 => "server busy",
        0x8A => "banned",
        0x8B => "server shutting down",
        0x8C => "bad authentication method",
        0x8D => "keep alive timeout",
        0x8E => "session taken over",
        0x8F => "topic filter invalid",
        0x90 => "topic name invalid",
        0x91 => "packet identifier in use",
        0x92 => "packet identifier not found",
        0x93 => "receive maximum exceeded",
        0x94 => "topic alias invalid",
        0x95 => "packet too large",
        0x96 => "message rate too high",
        0x97 => "quota exceeded",
        0x98 => "administrative action",
        0x99 => "payload format invalid",
        0x9A => "retain not supported",
        0x9B => "QoS not supported",
        0x9C => "use another server",
        0x9D => "server moved",
        0x9E => "shared subscriptions not supported",
        0x9F => "connection rate exceeded",
        0xA0 => "maximum connect time",
        0xA1 => "subscription identifiers not supported",
        0xA2 => "wildcard subscriptions not supported",
        _ => "unknown reason code",
    }
}

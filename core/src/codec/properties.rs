//! MQTT 5 properties (section 2.2.2): one struct for every property any
//! packet may carry, the list of which packet may carry which, and their
//! wire form.
//!
//! One struct rather than one per packet: the wire form is the same list of
//! `(identifier, value)` pairs everywhere, and which identifiers a packet
//! may carry is a table ([`Allowed`]), checked when decoding (a property in
//! the wrong packet is a malformed packet, section 2.2.2.2). The session
//! maps the struct onto the public, per-packet types.

use bytes::{BufMut, Bytes, BytesMut};

use super::wire::{Reader, put_binary, put_string, put_varint, varint_len};
use crate::error::{Error, Result};

/// Every MQTT 5 property. `None` / empty: absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Properties {
    pub(crate) payload_format_indicator: Option<u8>,
    pub(crate) message_expiry_interval: Option<u32>,
    pub(crate) content_type: Option<String>,
    pub(crate) response_topic: Option<String>,
    pub(crate) correlation_data: Option<Bytes>,
    pub(crate) subscription_identifiers: Vec<u32>,
    pub(crate) session_expiry_interval: Option<u32>,
    pub(crate) assigned_client_identifier: Option<String>,
    pub(crate) server_keep_alive: Option<u16>,
    pub(crate) authentication_method: Option<String>,
    pub(crate) authentication_data: Option<Bytes>,
    pub(crate) request_problem_information: Option<u8>,
    pub(crate) will_delay_interval: Option<u32>,
    pub(crate) request_response_information: Option<u8>,
    pub(crate) response_information: Option<String>,
    pub(crate) server_reference: Option<String>,
    pub(crate) reason_string: Option<String>,
    pub(crate) receive_maximum: Option<u16>,
    pub(crate) topic_alias_maximum: Option<u16>,
    pub(crate) topic_alias: Option<u16>,
    pub(crate) maximum_qos: Option<u8>,
    pub(crate) retain_available: Option<u8>,
    pub(crate) user_properties: Vec<(String, String)>,
    pub(crate) maximum_packet_size: Option<u32>,
    pub(crate) wildcard_subscription_available: Option<u8>,
    pub(crate) subscription_identifier_available: Option<u8>,
    pub(crate) shared_subscription_available: Option<u8>,
}

/// Which packet the properties belong to, for the table of section 2.2.2.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Allowed {
    Connect,
    Will,
    ConnAck,
    Publish,
    /// PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK.
    Ack,
    Subscribe,
    Unsubscribe,
    Disconnect,
    Auth,
}

// Property identifiers (section 2.2.2.2).
const PAYLOAD_FORMAT_INDICATOR: u32 = 0x01;
const MESSAGE_EXPIRY_INTERVAL: u32 = 0x02;
const CONTENT_TYPE: u32 = 0x03;
const RESPONSE_TOPIC: u32 = 0x08;
const CORRELATION_DATA: u32 = 0x09;
const SUBSCRIPTION_IDENTIFIER: u32 = 0x0B;
const SESSION_EXPIRY_INTERVAL: u32 = 0x11;
const ASSIGNED_CLIENT_IDENTIFIER: u32 = 0x12;
const SERVER_KEEP_ALIVE: u32 = 0x13;
const AUTHENTICATION_METHOD: u32 = 0x15;
const AUTHENTICATION_DATA: u32 = 0x16;
const REQUEST_PROBLEM_INFORMATION: u32 = 0x17;
const WILL_DELAY_INTERVAL: u32 = 0x18;
const REQUEST_RESPONSE_INFORMATION: u32 = 0x19;
const RESPONSE_INFORMATION: u32 = 0x1A;
const SERVER_REFERENCE: u32 = 0x1C;
const REASON_STRING: u32 = 0x1F;
const RECEIVE_MAXIMUM: u32 = 0x21;
const TOPIC_ALIAS_MAXIMUM: u32 = 0x22;
const TOPIC_ALIAS: u32 = 0x23;
const MAXIMUM_QOS: u32 = 0x24;
const RETAIN_AVAILABLE: u32 = 0x25;
const USER_PROPERTY: u32 = 0x26;
const MAXIMUM_PACKET_SIZE: u32 = 0x27;
const WILDCARD_SUBSCRIPTION_AVAILABLE: u32 = 0x28;
const SUBSCRIPTION_IDENTIFIER_AVAILABLE: u32 = 0x29;
const SHARED_SUBSCRIPTION_AVAILABLE: u32 = 0x2A;

/// Whether property `id` may appear in `packet` (section 2.2.2.2).
fn allowed(id: u32, packet: Allowed) -> bool {
    use Allowed as A;
    match id {
        PAYLOAD_FORMAT_INDICATOR
        | MESSAGE_EXPIRY_INTERVAL
        | CONTENT_TYPE
        | RESPONSE_TOPIC
        | CORRELATION_DATA => matches!(packet, A::Publish | A::Will),
        SUBSCRIPTION_IDENTIFIER => matches!(packet, A::Publish | A::Subscribe),
        SESSION_EXPIRY_INTERVAL => matches!(packet, A::Connect | A::ConnAck | A::Disconnect),
        ASSIGNED_CLIENT_IDENTIFIER
        | SERVER_KEEP_ALIVE
        | RESPONSE_INFORMATION
        | MAXIMUM_QOS
        | RETAIN_AVAILABLE
        | WILDCARD_SUBSCRIPTION_AVAILABLE
        | SUBSCRIPTION_IDENTIFIER_AVAILABLE
        | SHARED_SUBSCRIPTION_AVAILABLE => packet == A::ConnAck,
        AUTHENTICATION_METHOD | AUTHENTICATION_DATA => {
            matches!(packet, A::Connect | A::ConnAck | A::Auth)
        }
        REQUEST_PROBLEM_INFORMATION | REQUEST_RESPONSE_INFORMATION => packet == A::Connect,
        WILL_DELAY_INTERVAL => packet == A::Will,
        SERVER_REFERENCE => matches!(packet, A::ConnAck | A::Disconnect),
        REASON_STRING => matches!(packet, A::ConnAck | A::Ack | A::Disconnect | A::Auth),
        RECEIVE_MAXIMUM | TOPIC_ALIAS_MAXIMUM | MAXIMUM_PACKET_SIZE => {
            matches!(packet, A::Connect | A::ConnAck)
        }
        TOPIC_ALIAS => packet == A::Publish,
        USER_PROPERTY => true,
        _ => false,
    }
}

fn malformed(what: impl std::fmt::Display) -> Error {
    Error::protocol(format!("malformed MQTT packet: {what}"))
}

impl Properties {
    /// Reads a property list (its varint length first) for `packet`.
    pub(crate) fn read(r: &mut Reader<'_>, packet: Allowed) -> Result<Self> {
        let len = r.varint()? as usize;
        let mut r = r.sub(len)?;
        let mut p = Properties::default();
        while !r.is_empty() {
            let id = r.varint()?;
            if !allowed(id, packet) {
                return Err(malformed(format_args!(
                    "property {id:#04x} is not allowed in this packet"
                )));
            }
            let once = |present: bool| {
                if present {
                    Err(malformed(format_args!("property {id:#04x} appears twice")))
                } else {
                    Ok(())
                }
            };
            match id {
                PAYLOAD_FORMAT_INDICATOR => {
                    once(p.payload_format_indicator.is_some())?;
                    p.payload_format_indicator = Some(bit(r.u8()?, id)?);
                }
                MESSAGE_EXPIRY_INTERVAL => {
                    once(p.message_expiry_interval.is_some())?;
                    p.message_expiry_interval = Some(r.u32()?);
                }
                CONTENT_TYPE => {
                    once(p.content_type.is_some())?;
                    p.content_type = Some(r.string()?);
                }
                RESPONSE_TOPIC => {
                    once(p.response_topic.is_some())?;
                    p.response_topic = Some(r.string()?);
                }
                CORRELATION_DATA => {
                    once(p.correlation_data.is_some())?;
                    p.correlation_data = Some(r.binary()?);
                }
                SUBSCRIPTION_IDENTIFIER => {
                    let v = r.varint()?;
                    if v == 0 {
                        return Err(malformed("a subscription identifier of 0"));
                    }
                    if packet == Allowed::Subscribe {
                        once(!p.subscription_identifiers.is_empty())?;
                    }
                    p.subscription_identifiers.push(v);
                }
                SESSION_EXPIRY_INTERVAL => {
                    once(p.session_expiry_interval.is_some())?;
                    p.session_expiry_interval = Some(r.u32()?);
                }
                ASSIGNED_CLIENT_IDENTIFIER => {
                    once(p.assigned_client_identifier.is_some())?;
                    p.assigned_client_identifier = Some(r.string()?);
                }
                SERVER_KEEP_ALIVE => {
                    once(p.server_keep_alive.is_some())?;
                    p.server_keep_alive = Some(r.u16()?);
                }
                AUTHENTICATION_METHOD => {
                    once(p.authentication_method.is_some())?;
                    p.authentication_method = Some(r.string()?);
                }
                AUTHENTICATION_DATA => {
                    once(p.authentication_data.is_some())?;
                    p.authentication_data = Some(r.binary()?);
                }
                REQUEST_PROBLEM_INFORMATION => {
                    once(p.request_problem_information.is_some())?;
                    p.request_problem_information = Some(bit(r.u8()?, id)?);
                }
                WILL_DELAY_INTERVAL => {
                    once(p.will_delay_interval.is_some())?;
                    p.will_delay_interval = Some(r.u32()?);
                }
                REQUEST_RESPONSE_INFORMATION => {
                    once(p.request_response_information.is_some())?;
                    p.request_response_information = Some(bit(r.u8()?, id)?);
                }
                RESPONSE_INFORMATION => {
                    once(p.response_information.is_some())?;
                    p.response_information = Some(r.string()?);
                }
                SERVER_REFERENCE => {
                    once(p.server_reference.is_some())?;
                    p.server_reference = Some(r.string()?);
                }
                REASON_STRING => {
                    once(p.reason_string.is_some())?;
                    p.reason_string = Some(r.string()?);
                }
                RECEIVE_MAXIMUM => {
                    once(p.receive_maximum.is_some())?;
                    let v = r.u16()?;
                    if v == 0 {
                        return Err(malformed("a receive maximum of 0"));
                    }
                    p.receive_maximum = Some(v);
                }
                TOPIC_ALIAS_MAXIMUM => {
                    once(p.topic_alias_maximum.is_some())?;
                    p.topic_alias_maximum = Some(r.u16()?);
                }
                TOPIC_ALIAS => {
                    once(p.topic_alias.is_some())?;
                    p.topic_alias = Some(r.u16()?);
                }
                MAXIMUM_QOS => {
                    once(p.maximum_qos.is_some())?;
                    p.maximum_qos = Some(bit(r.u8()?, id)?);
                }
                RETAIN_AVAILABLE => {
                    once(p.retain_available.is_some())?;
                    p.retain_available = Some(bit(r.u8()?, id)?);
                }
                USER_PROPERTY => {
                    let k = r.string()?;
                    let v = r.string()?;
                    p.user_properties.push((k, v));
                }
                MAXIMUM_PACKET_SIZE => {
                    once(p.maximum_packet_size.is_some())?;
                    let v = r.u32()?;
                    if v == 0 {
                        return Err(malformed("a maximum packet size of 0"));
                    }
                    p.maximum_packet_size = Some(v);
                }
                WILDCARD_SUBSCRIPTION_AVAILABLE => {
                    once(p.wildcard_subscription_available.is_some())?;
                    p.wildcard_subscription_available = Some(bit(r.u8()?, id)?);
                }
                SUBSCRIPTION_IDENTIFIER_AVAILABLE => {
                    once(p.subscription_identifier_available.is_some())?;
                    p.subscription_identifier_available = Some(bit(r.u8()?, id)?);
                }
                SHARED_SUBSCRIPTION_AVAILABLE => {
                    once(p.shared_subscription_available.is_some())?;
                    p.shared_subscription_available = Some(bit(r.u8()?, id)?);
                }
                _ => return Err(malformed(format_args!("unknown property {id:#04x}"))),
            }
        }
        Ok(p)
    }

    /// The encoded length of the property list, without its own length.
    pub(crate) fn len(&self) -> usize {
        let mut n = 0;
        let s = |v: &Option<String>| v.as_ref().map_or(0, |s| 1 + 2 + s.len());
        let b = |v: &Option<Bytes>| v.as_ref().map_or(0, |s| 1 + 2 + s.len());
        let u8_ = |v: &Option<u8>| if v.is_some() { 2 } else { 0 };
        let u16_ = |v: &Option<u16>| if v.is_some() { 3 } else { 0 };
        let u32_ = |v: &Option<u32>| if v.is_some() { 5 } else { 0 };
        n += u8_(&self.payload_format_indicator) + u32_(&self.message_expiry_interval);
        n += s(&self.content_type) + s(&self.response_topic) + b(&self.correlation_data);
        n += self
            .subscription_identifiers
            .iter()
            .map(|v| 1 + varint_len(*v as usize))
            .sum::<usize>();
        n += u32_(&self.session_expiry_interval) + s(&self.assigned_client_identifier);
        n += u16_(&self.server_keep_alive) + s(&self.authentication_method);
        n += b(&self.authentication_data) + u8_(&self.request_problem_information);
        n += u32_(&self.will_delay_interval) + u8_(&self.request_response_information);
        n += s(&self.response_information) + s(&self.server_reference);
        n += s(&self.reason_string) + u16_(&self.receive_maximum);
        n += u16_(&self.topic_alias_maximum) + u16_(&self.topic_alias);
        n += u8_(&self.maximum_qos) + u8_(&self.retain_available);
        n += self
            .user_properties
            .iter()
            .map(|(k, v)| 1 + 2 + k.len() + 2 + v.len())
            .sum::<usize>();
        n += u32_(&self.maximum_packet_size) + u8_(&self.wildcard_subscription_available);
        n += u8_(&self.subscription_identifier_available);
        n += u8_(&self.shared_subscription_available);
        n
    }

    /// The encoded length with the length prefix.
    pub(crate) fn wire_len(&self) -> usize {
        let n = self.len();
        varint_len(n) + n
    }

    /// Writes the property list with its length prefix.
    pub(crate) fn write(&self, out: &mut BytesMut) {
        put_varint(out, self.len());
        let id = |out: &mut BytesMut, id: u32| put_varint(out, id as usize);
        macro_rules! put {
            ($field:expr, $id:expr, $put:expr) => {
                if let Some(v) = &$field {
                    id(out, $id);
                    #[allow(clippy::redundant_closure_call)]
                    $put(out, v);
                }
            };
        }
        let byte = |out: &mut BytesMut, v: &u8| out.put_u8(*v);
        let two = |out: &mut BytesMut, v: &u16| out.put_u16(*v);
        let four = |out: &mut BytesMut, v: &u32| out.put_u32(*v);
        let text = |out: &mut BytesMut, v: &String| put_string(out, v);
        let bin = |out: &mut BytesMut, v: &Bytes| put_binary(out, v);
        put!(
            self.payload_format_indicator,
            PAYLOAD_FORMAT_INDICATOR,
            byte
        );
        put!(self.message_expiry_interval, MESSAGE_EXPIRY_INTERVAL, four);
        put!(self.content_type, CONTENT_TYPE, text);
        put!(self.response_topic, RESPONSE_TOPIC, text);
        put!(self.correlation_data, CORRELATION_DATA, bin);
        for v in &self.subscription_identifiers {
            id(out, SUBSCRIPTION_IDENTIFIER);
            put_varint(out, *v as usize);
        }
        put!(self.session_expiry_interval, SESSION_EXPIRY_INTERVAL, four);
        put!(
            self.assigned_client_identifier,
            ASSIGNED_CLIENT_IDENTIFIER,
            text
        );
        put!(self.server_keep_alive, SERVER_KEEP_ALIVE, two);
        put!(self.authentication_method, AUTHENTICATION_METHOD, text);
        put!(self.authentication_data, AUTHENTICATION_DATA, bin);
        put!(
            self.request_problem_information,
            REQUEST_PROBLEM_INFORMATION,
            byte
        );
        put!(self.will_delay_interval, WILL_DELAY_INTERVAL, four);
        put!(
            self.request_response_information,
            REQUEST_RESPONSE_INFORMATION,
            byte
        );
        put!(self.response_information, RESPONSE_INFORMATION, text);
        put!(self.server_reference, SERVER_REFERENCE, text);
        put!(self.reason_string, REASON_STRING, text);
        put!(self.receive_maximum, RECEIVE_MAXIMUM, two);
        put!(self.topic_alias_maximum, TOPIC_ALIAS_MAXIMUM, two);
        put!(self.topic_alias, TOPIC_ALIAS, two);
        put!(self.maximum_qos, MAXIMUM_QOS, byte);
        put!(self.retain_available, RETAIN_AVAILABLE, byte);
        for (k, v) in &self.user_properties {
            id(out, USER_PROPERTY);
            put_string(out, k);
            put_string(out, v);
        }
        put!(self.maximum_packet_size, MAXIMUM_PACKET_SIZE, four);
        put!(
            self.wildcard_subscription_available,
            WILDCARD_SUBSCRIPTION_AVAILABLE,
            byte
        );
        put!(
            self.subscription_identifier_available,
            SUBSCRIPTION_IDENTIFIER_AVAILABLE,
            byte
        );
        put!(
            self.shared_subscription_available,
            SHARED_SUBSCRIPTION_AVAILABLE,
            byte
        );
    }

    /// Whether no property is set.
    pub(crate) fn is_empty(&self) -> bool {
        *self == Properties::default()
    }

    /// Every string in the list, for the 65,535-byte limit check.
    pub(crate) fn strings(&self) -> impl Iterator<Item = usize> + '_ {
        [
            &self.content_type,
            &self.response_topic,
            &self.assigned_client_identifier,
            &self.authentication_method,
            &self.response_information,
            &self.server_reference,
            &self.reason_string,
        ]
        .into_iter()
        .flatten()
        .map(String::len)
        .chain(
            [&self.correlation_data, &self.authentication_data]
                .into_iter()
                .flatten()
                .map(Bytes::len),
        )
        .chain(
            self.user_properties
                .iter()
                .flat_map(|(k, v)| [k.len(), v.len()]),
        )
    }
}

/// A property whose value must be 0 or 1.
fn bit(v: u8, id: u32) -> Result<u8> {
    if v > 1 {
        return Err(malformed(format_args!(
            "property {id:#04x} must be 0 or 1, not {v}"
        )));
    }
    Ok(v)
}

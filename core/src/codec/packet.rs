//! The fifteen MQTT control packets, their encoding and their decoding, for
//! MQTT 3.1.1 and 5.0 (which differ in properties, reason codes, AUTH and a
//! few omissions).

use bytes::{BufMut, Bytes, BytesMut};

use super::properties::{Allowed, Properties};
use super::wire::{MAX_VARINT, Reader, put_binary, put_string, put_varint, varint_len};
use super::{ProtocolVersion, QoS};
use crate::error::{Error, Result};

/// CONNECT (section 3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Connect {
    pub(crate) client_id: String,
    pub(crate) keep_alive: u16,
    /// 3.1.1's "clean session", 5.0's "clean start".
    pub(crate) clean_start: bool,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<Bytes>,
    pub(crate) will: Option<LastWill>,
    pub(crate) properties: Properties,
}

/// The will of a CONNECT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LastWill {
    pub(crate) topic: String,
    pub(crate) payload: Bytes,
    pub(crate) qos: QoS,
    pub(crate) retain: bool,
    pub(crate) properties: Properties,
}

/// CONNACK (section 3.2). `code`: 3.1.1's return code or 5.0's reason code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ConnAck {
    pub(crate) session_present: bool,
    pub(crate) code: u8,
    pub(crate) properties: Properties,
}

/// PUBLISH (section 3.3). `pkid` is 0 for QoS 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Publish {
    pub(crate) dup: bool,
    pub(crate) qos: QoS,
    pub(crate) retain: bool,
    pub(crate) topic: String,
    pub(crate) pkid: u16,
    pub(crate) payload: Bytes,
    /// 5.0 only, and boxed: `None` (no properties, and always under 3.1.1)
    /// keeps the messages the session holds small.
    pub(crate) properties: Option<Box<Properties>>,
}

impl Publish {
    /// The properties, created empty when there were none.
    #[cfg(test)]
    pub(crate) fn properties_mut(&mut self) -> &mut Properties {
        self.properties.get_or_insert_with(Box::default)
    }

    /// The topic alias (5.0), if any.
    #[cfg(test)]
    pub(crate) fn topic_alias(&self) -> Option<u16> {
        self.properties.as_ref().and_then(|p| p.topic_alias)
    }

    pub(crate) fn new(topic: impl Into<String>, qos: QoS, payload: impl Into<Bytes>) -> Self {
        Self {
            dup: false,
            qos,
            retain: false,
            topic: topic.into(),
            pkid: 0,
            payload: payload.into(),
            properties: None,
        }
    }

    /// The fields, borrowed, for encoding.
    pub(crate) fn as_ref(&self) -> PublishRef<'_> {
        PublishRef {
            dup: self.dup,
            qos: self.qos,
            retain: self.retain,
            topic: &self.topic,
            pkid: self.pkid,
            payload: &self.payload,
            properties: self.properties.as_deref(),
        }
    }
}

/// A PUBLISH to encode, borrowed: a QoS 0 message sent at once needs no
/// owned copy of its topic.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PublishRef<'a> {
    pub(crate) dup: bool,
    pub(crate) qos: QoS,
    pub(crate) retain: bool,
    pub(crate) topic: &'a str,
    pub(crate) pkid: u16,
    pub(crate) payload: &'a [u8],
    pub(crate) properties: Option<&'a Properties>,
}

/// PUBACK, PUBREC, PUBREL or PUBCOMP (sections 3.4 to 3.7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ack {
    pub(crate) pkid: u16,
    /// 5.0's reason code; 0 (success) under 3.1.1.
    pub(crate) code: u8,
    pub(crate) properties: Properties,
}

impl Ack {
    /// A successful acknowledgement of `pkid`.
    pub(crate) fn new(pkid: u16) -> Self {
        Self {
            pkid,
            code: 0,
            properties: Properties::default(),
        }
    }
}

/// One filter of a SUBSCRIBE and its options (5.0 section 3.8.3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SubscribeFilter {
    pub(crate) path: String,
    pub(crate) qos: QoS,
    pub(crate) no_local: bool,
    pub(crate) retain_as_published: bool,
    pub(crate) retain_handling: u8,
}

impl SubscribeFilter {
    #[cfg(test)]
    pub(crate) fn new(path: impl Into<String>, qos: QoS) -> Self {
        Self {
            path: path.into(),
            qos,
            no_local: false,
            retain_as_published: false,
            retain_handling: 0,
        }
    }
}

/// SUBSCRIBE (section 3.8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Subscribe {
    pub(crate) pkid: u16,
    pub(crate) filters: Vec<SubscribeFilter>,
    pub(crate) properties: Properties,
}

/// SUBACK (section 3.9): a return (reason) code per filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SubAck {
    pub(crate) pkid: u16,
    pub(crate) codes: Vec<u8>,
    pub(crate) properties: Properties,
}

/// UNSUBSCRIBE (section 3.10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unsubscribe {
    pub(crate) pkid: u16,
    pub(crate) topics: Vec<String>,
    pub(crate) properties: Properties,
}

/// UNSUBACK (section 3.11): 5.0 has a reason code per filter; 3.1.1 none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UnsubAck {
    pub(crate) pkid: u16,
    pub(crate) codes: Vec<u8>,
    pub(crate) properties: Properties,
}

/// DISCONNECT (section 3.14); `code` is 5.0's reason code (0 under 3.1.1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Disconnect {
    pub(crate) code: u8,
    pub(crate) properties: Properties,
}

/// AUTH (5.0 section 3.15).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Auth {
    pub(crate) code: u8,
    pub(crate) properties: Properties,
}

/// An MQTT control packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Packet {
    Connect(Box<Connect>),
    ConnAck(ConnAck),
    Publish(Publish),
    PubAck(Ack),
    PubRec(Ack),
    PubRel(Ack),
    PubComp(Ack),
    Subscribe(Subscribe),
    SubAck(SubAck),
    Unsubscribe(Unsubscribe),
    UnsubAck(UnsubAck),
    PingReq,
    PingResp,
    Disconnect(Disconnect),
    Auth(Auth),
}

impl Packet {
    /// The packet's name, for messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Packet::Connect(_) => "CONNECT",
            Packet::ConnAck(_) => "CONNACK",
            Packet::Publish(_) => "PUBLISH",
            Packet::PubAck(_) => "PUBACK",
            Packet::PubRec(_) => "PUBREC",
            Packet::PubRel(_) => "PUBREL",
            Packet::PubComp(_) => "PUBCOMP",
            Packet::Subscribe(_) => "SUBSCRIBE",
            Packet::SubAck(_) => "SUBACK",
            Packet::Unsubscribe(_) => "UNSUBSCRIBE",
            Packet::UnsubAck(_) => "UNSUBACK",
            Packet::PingReq => "PINGREQ",
            Packet::PingResp => "PINGRESP",
            Packet::Disconnect(_) => "DISCONNECT",
            Packet::Auth(_) => "AUTH",
        }
    }
}

fn malformed(what: impl std::fmt::Display) -> Error {
    Error::protocol(format!("malformed MQTT packet: {what}"))
}

fn qos(bits: u8) -> Result<QoS> {
    match bits {
        0 => Ok(QoS::AtMostOnce),
        1 => Ok(QoS::AtLeastOnce),
        2 => Ok(QoS::ExactlyOnce),
        _ => Err(malformed("QoS 3")),
    }
}

// ---- decoding --------------------------------------------------------------

/// Decodes one packet from its first byte and its body (the remaining
/// length's bytes). Everything the spec calls malformed is an error; so is
/// a packet of a type that `version` does not have.
pub(crate) fn decode(first: u8, body: Bytes, version: ProtocolVersion) -> Result<Packet> {
    let v5 = version == ProtocolVersion::V5;
    let (kind, flags) = (first >> 4, first & 0x0f);
    let fixed_flags = match kind {
        3 => None,
        6 | 8 | 10 => Some(0b0010),
        _ => Some(0),
    };
    if fixed_flags.is_some_and(|f| f != flags) {
        return Err(malformed(format_args!(
            "reserved flags {flags:#06b} in a packet of type {kind}"
        )));
    }
    let mut r = Reader::new(&body);
    let packet = match kind {
        1 => Packet::Connect(Box::new(decode_connect(&mut r)?)),
        2 => {
            let ack_flags = r.u8()?;
            if ack_flags & 0xfe != 0 {
                return Err(malformed("reserved CONNACK flags set"));
            }
            let code = r.u8()?;
            // A broker without MQTT 5 refuses a level-5 CONNECT with its own
            // CONNACK: return code 1, no properties (3.1.1 section 3.1.2.2).
            // That is 5.0's 0x84, unsupported protocol version.
            if v5 && code == 1 && r.is_empty() {
                return Ok(Packet::ConnAck(ConnAck {
                    session_present: false,
                    code: 0x84,
                    properties: Properties::default(),
                }));
            }
            let properties = if v5 {
                Properties::read(&mut r, Allowed::ConnAck)?
            } else {
                Properties::default()
            };
            Packet::ConnAck(ConnAck {
                session_present: ack_flags & 1 == 1,
                code,
                properties,
            })
        }
        3 => {
            let qos = qos((flags >> 1) & 0b11)?;
            let topic = r.string()?;
            let pkid = if qos == QoS::AtMostOnce {
                0
            } else {
                let id = r.u16()?;
                if id == 0 {
                    return Err(malformed("packet id 0 in a PUBLISH"));
                }
                id
            };
            let properties = if v5 {
                let p = Properties::read(&mut r, Allowed::Publish)?;
                (!p.is_empty()).then(|| Box::new(p))
            } else {
                None
            };
            let payload = r.rest();
            return Ok(Packet::Publish(Publish {
                dup: flags & 0b1000 != 0,
                qos,
                retain: flags & 1 != 0,
                topic,
                pkid,
                payload,
                properties,
            }));
        }
        4..=7 => {
            let pkid = r.u16()?;
            let (code, properties) = if v5 && !r.is_empty() {
                let code = r.u8()?;
                let p = if r.is_empty() {
                    Properties::default()
                } else {
                    Properties::read(&mut r, Allowed::Ack)?
                };
                (code, p)
            } else {
                (0, Properties::default())
            };
            let ack = Ack {
                pkid,
                code,
                properties,
            };
            match kind {
                4 => Packet::PubAck(ack),
                5 => Packet::PubRec(ack),
                6 => Packet::PubRel(ack),
                _ => Packet::PubComp(ack),
            }
        }
        8 => {
            let pkid = r.u16()?;
            let properties = if v5 {
                Properties::read(&mut r, Allowed::Subscribe)?
            } else {
                Properties::default()
            };
            let mut filters = Vec::new();
            while !r.is_empty() {
                let path = r.string()?;
                let o = r.u8()?;
                let reserved = if v5 { 0b1100_0000 } else { 0b1111_1100 };
                if o & reserved != 0 || (o >> 4) & 0b11 == 3 {
                    return Err(malformed("reserved subscription option bits set"));
                }
                filters.push(SubscribeFilter {
                    path,
                    qos: qos(o & 0b11)?,
                    no_local: o & 0b100 != 0,
                    retain_as_published: o & 0b1000 != 0,
                    retain_handling: (o >> 4) & 0b11,
                });
            }
            if filters.is_empty() {
                return Err(malformed("a SUBSCRIBE without filters"));
            }
            Packet::Subscribe(Subscribe {
                pkid,
                filters,
                properties,
            })
        }
        9 | 11 => {
            let pkid = r.u16()?;
            let properties = if v5 {
                Properties::read(&mut r, Allowed::Ack)?
            } else {
                Properties::default()
            };
            let mut codes = Vec::with_capacity(r.remaining());
            while !r.is_empty() {
                codes.push(r.u8()?);
            }
            if kind == 9 {
                if codes.is_empty() {
                    return Err(malformed("a SUBACK without return codes"));
                }
                Packet::SubAck(SubAck {
                    pkid,
                    codes,
                    properties,
                })
            } else {
                if v5 && codes.is_empty() {
                    return Err(malformed("an UNSUBACK without reason codes"));
                }
                Packet::UnsubAck(UnsubAck {
                    pkid,
                    codes,
                    properties,
                })
            }
        }
        10 => {
            let pkid = r.u16()?;
            let properties = if v5 {
                Properties::read(&mut r, Allowed::Unsubscribe)?
            } else {
                Properties::default()
            };
            let mut topics = Vec::new();
            while !r.is_empty() {
                topics.push(r.string()?);
            }
            if topics.is_empty() {
                return Err(malformed("an UNSUBSCRIBE without filters"));
            }
            Packet::Unsubscribe(Unsubscribe {
                pkid,
                topics,
                properties,
            })
        }
        12 => Packet::PingReq,
        13 => Packet::PingResp,
        14 => {
            let (code, properties) = reason_and_properties(&mut r, v5, Allowed::Disconnect)?;
            Packet::Disconnect(Disconnect { code, properties })
        }
        15 if v5 => {
            let (code, properties) = reason_and_properties(&mut r, v5, Allowed::Auth)?;
            Packet::Auth(Auth { code, properties })
        }
        _ => return Err(malformed(format_args!("unknown packet type {kind}"))),
    };
    r.end(packet.name())?;
    Ok(packet)
}

/// The optional reason code and properties of DISCONNECT and AUTH (5.0:
/// both may be left out, meaning success and none).
fn reason_and_properties(r: &mut Reader<'_>, v5: bool, which: Allowed) -> Result<(u8, Properties)> {
    if !v5 || r.is_empty() {
        return Ok((0, Properties::default()));
    }
    let code = r.u8()?;
    let properties = if r.is_empty() {
        Properties::default()
    } else {
        Properties::read(r, which)?
    };
    Ok((code, properties))
}

fn decode_connect(r: &mut Reader<'_>) -> Result<Connect> {
    let name = r.string()?;
    let level = r.u8()?;
    let v5 = match (name.as_str(), level) {
        ("MQTT", 4) => false,
        ("MQTT", 5) => true,
        _ => return Err(malformed(format_args!("protocol {name:?} level {level}"))),
    };
    let flags = r.u8()?;
    if flags & 1 != 0 {
        return Err(malformed("the reserved CONNECT flag is set"));
    }
    let keep_alive = r.u16()?;
    let properties = if v5 {
        Properties::read(r, Allowed::Connect)?
    } else {
        Properties::default()
    };
    let client_id = r.string()?;
    let will = if flags & 0b100 != 0 {
        let properties = if v5 {
            Properties::read(r, Allowed::Will)?
        } else {
            Properties::default()
        };
        Some(LastWill {
            properties,
            topic: r.string()?,
            payload: r.binary()?,
            qos: qos((flags >> 3) & 0b11)?,
            retain: flags & 0b10_0000 != 0,
        })
    } else {
        None
    };
    let username = if flags & 0b1000_0000 != 0 {
        Some(r.string()?)
    } else {
        None
    };
    let password = if flags & 0b100_0000 != 0 {
        Some(r.binary()?)
    } else {
        None
    };
    Ok(Connect {
        client_id,
        keep_alive,
        clean_start: flags & 0b10 != 0,
        username,
        password,
        will,
        properties,
    })
}

// ---- encoding --------------------------------------------------------------

/// Largest string or binary field (a two-byte length prefix).
const MAX_FIELD: usize = u16::MAX as usize;

fn check_field(what: &str, len: usize) -> Result<()> {
    if len > MAX_FIELD {
        return Err(Error::invalid(format!(
            "{what} is {len} bytes long; MQTT allows at most {MAX_FIELD}"
        )));
    }
    Ok(())
}

fn check_properties(p: &Properties) -> Result<()> {
    for len in p.strings() {
        check_field("a property", len)?;
    }
    Ok(())
}

/// Encodes `packet` for `version` into `out` (appending). Fields too long
/// for MQTT, and packets beyond its largest remaining length, are refused
/// before anything is written.
pub(crate) fn encode(packet: &Packet, version: ProtocolVersion, out: &mut BytesMut) -> Result<()> {
    let v5 = version == ProtocolVersion::V5;
    let props = |p: &Properties| if v5 { p.wire_len() } else { 0 };
    // First the checks and the remaining length.
    let (first, remaining) = match packet {
        Packet::Connect(c) => {
            check_field("client id", c.client_id.len())?;
            let mut n = 2 + 4 + 1 + 1 + 2 + props(&c.properties) + 2 + c.client_id.len();
            if v5 {
                check_properties(&c.properties)?;
            }
            if let Some(w) = &c.will {
                check_field("will topic", w.topic.len())?;
                check_field("will payload", w.payload.len())?;
                if v5 {
                    check_properties(&w.properties)?;
                }
                n += props(&w.properties) + 2 + w.topic.len() + 2 + w.payload.len();
            }
            if let Some(u) = &c.username {
                check_field("username", u.len())?;
                n += 2 + u.len();
            }
            if let Some(p) = &c.password {
                check_field("password", p.len())?;
                n += 2 + p.len();
            }
            (0x10, n)
        }
        Packet::ConnAck(a) => (0x20, 2 + props(&a.properties)),
        Packet::Publish(p) => return encode_publish(&p.as_ref(), version, out),
        Packet::PubAck(a) | Packet::PubRec(a) | Packet::PubRel(a) | Packet::PubComp(a) => {
            let first = match packet {
                Packet::PubAck(_) => 0x40,
                Packet::PubRec(_) => 0x50,
                Packet::PubRel(_) => 0x62,
                _ => 0x70,
            };
            if v5 {
                check_properties(&a.properties)?;
            }
            (first, 2 + ack_tail_len(a.code, &a.properties, v5))
        }
        Packet::Subscribe(s) => {
            if v5 {
                check_properties(&s.properties)?;
            }
            let mut n = 2 + props(&s.properties);
            for f in &s.filters {
                check_field("topic filter", f.path.len())?;
                n += 2 + f.path.len() + 1;
            }
            (0x82, n)
        }
        Packet::SubAck(s) => (0x90, 2 + props(&s.properties) + s.codes.len()),
        Packet::Unsubscribe(u) => {
            if v5 {
                check_properties(&u.properties)?;
            }
            let mut n = 2 + props(&u.properties);
            for t in &u.topics {
                check_field("topic filter", t.len())?;
                n += 2 + t.len();
            }
            (0xa2, n)
        }
        Packet::UnsubAck(u) => {
            let n = if v5 {
                2 + props(&u.properties) + u.codes.len()
            } else {
                2
            };
            (0xb0, n)
        }
        Packet::PingReq => (0xc0, 0),
        Packet::PingResp => (0xd0, 0),
        Packet::Disconnect(d) => {
            if v5 {
                check_properties(&d.properties)?;
            }
            (0xe0, reason_tail_len(d.code, &d.properties, v5))
        }
        Packet::Auth(a) => {
            if !v5 {
                return Err(Error::invalid("AUTH does not exist in MQTT 3.1.1"));
            }
            check_properties(&a.properties)?;
            (0xf0, reason_tail_len(a.code, &a.properties, v5))
        }
    };
    if remaining > MAX_VARINT {
        return Err(Error::invalid(format!(
            "a {} of {remaining} bytes exceeds MQTT's packet size limit ({MAX_VARINT} bytes after the fixed header)",
            packet.name()
        )));
    }
    out.reserve(1 + varint_len(remaining) + remaining);
    out.put_u8(first);
    put_varint(out, remaining);
    let before = out.len();
    write_body(packet, v5, out);
    debug_assert_eq!(out.len() - before, remaining, "{}", packet.name());
    Ok(())
}

/// Encodes a PUBLISH, like [`encode`] but without owning a [`Packet`]: the
/// session sends from the messages it keeps for retransmission, and a copy
/// of each would cost an allocation per message.
pub(crate) fn encode_publish(
    p: &PublishRef<'_>,
    version: ProtocolVersion,
    out: &mut BytesMut,
) -> Result<()> {
    let v5 = version == ProtocolVersion::V5;
    check_field("topic", p.topic.len())?;
    let props = match (p.properties, v5) {
        (_, false) => 0,
        (None, true) => 1,
        (Some(pp), true) => {
            check_properties(pp)?;
            pp.wire_len()
        }
    };
    let id = if p.qos == QoS::AtMostOnce { 0 } else { 2 };
    let remaining = (2 + p.topic.len() + id + props).saturating_add(p.payload.len());
    if remaining > MAX_VARINT {
        return Err(Error::invalid(format!(
            "a PUBLISH of {remaining} bytes exceeds MQTT's packet size limit ({MAX_VARINT} bytes after the fixed header)"
        )));
    }
    let flags = (u8::from(p.dup) << 3) | ((p.qos as u8) << 1) | u8::from(p.retain);
    out.reserve(1 + varint_len(remaining) + remaining);
    out.put_u8(0x30 | flags);
    put_varint(out, remaining);
    write_publish(p, v5, out);
    Ok(())
}

fn write_publish(p: &PublishRef<'_>, v5: bool, out: &mut BytesMut) {
    put_string(out, p.topic);
    if p.qos != QoS::AtMostOnce {
        out.put_u16(p.pkid);
    }
    if v5 {
        match p.properties {
            Some(pp) => pp.write(out),
            None => put_varint(out, 0),
        }
    }
    out.put_slice(p.payload);
}

/// The length after the packet id of a PUBACK-like packet: 5.0 leaves out
/// a success code without properties, and properties when there are none.
fn ack_tail_len(code: u8, p: &Properties, v5: bool) -> usize {
    if !v5 || (code == 0 && p.is_empty()) {
        0
    } else if p.is_empty() {
        1
    } else {
        1 + p.wire_len()
    }
}

/// The length of a DISCONNECT or AUTH: empty for a success without
/// properties (and always under 3.1.1).
fn reason_tail_len(code: u8, p: &Properties, v5: bool) -> usize {
    ack_tail_len(code, p, v5)
}

fn write_body(packet: &Packet, v5: bool, out: &mut BytesMut) {
    match packet {
        Packet::Connect(c) => {
            put_string(out, "MQTT");
            out.put_u8(if v5 { 5 } else { 4 });
            let mut flags = u8::from(c.clean_start) << 1;
            if let Some(w) = &c.will {
                flags |= 0b100 | ((w.qos as u8) << 3) | (u8::from(w.retain) << 5);
            }
            if c.password.is_some() {
                flags |= 0b100_0000;
            }
            if c.username.is_some() {
                flags |= 0b1000_0000;
            }
            out.put_u8(flags);
            out.put_u16(c.keep_alive);
            if v5 {
                c.properties.write(out);
            }
            put_string(out, &c.client_id);
            if let Some(w) = &c.will {
                if v5 {
                    w.properties.write(out);
                }
                put_string(out, &w.topic);
                put_binary(out, &w.payload);
            }
            if let Some(u) = &c.username {
                put_string(out, u);
            }
            if let Some(p) = &c.password {
                put_binary(out, p);
            }
        }
        Packet::ConnAck(a) => {
            out.put_u8(u8::from(a.session_present));
            out.put_u8(a.code);
            if v5 {
                a.properties.write(out);
            }
        }
        Packet::Publish(p) => write_publish(&p.as_ref(), v5, out),
        Packet::PubAck(a) | Packet::PubRec(a) | Packet::PubRel(a) | Packet::PubComp(a) => {
            out.put_u16(a.pkid);
            write_reason_tail(a.code, &a.properties, v5, out);
        }
        Packet::Subscribe(s) => {
            out.put_u16(s.pkid);
            if v5 {
                s.properties.write(out);
            }
            for f in &s.filters {
                put_string(out, &f.path);
                let mut o = f.qos as u8;
                if v5 {
                    o |= (u8::from(f.no_local) << 2)
                        | (u8::from(f.retain_as_published) << 3)
                        | ((f.retain_handling & 0b11) << 4);
                }
                out.put_u8(o);
            }
        }
        Packet::SubAck(s) => {
            out.put_u16(s.pkid);
            if v5 {
                s.properties.write(out);
            }
            out.put_slice(&s.codes);
        }
        Packet::Unsubscribe(u) => {
            out.put_u16(u.pkid);
            if v5 {
                u.properties.write(out);
            }
            for t in &u.topics {
                put_string(out, t);
            }
        }
        Packet::UnsubAck(u) => {
            out.put_u16(u.pkid);
            if v5 {
                u.properties.write(out);
                out.put_slice(&u.codes);
            }
        }
        Packet::PingReq | Packet::PingResp => {}
        Packet::Disconnect(Disconnect { code, properties })
        | Packet::Auth(Auth { code, properties }) => {
            write_reason_tail(*code, properties, v5, out);
        }
    }
}

fn write_reason_tail(code: u8, p: &Properties, v5: bool, out: &mut BytesMut) {
    match ack_tail_len(code, p, v5) {
        0 => {}
        1 => out.put_u8(code),
        _ => {
            out.put_u8(code);
            p.write(out);
        }
    }
}

//! MQTT packet encoding and decoding, for MQTT 3.1.1 and 5.0.
//!
//! The project's own codec: one set of packet types for both versions
//! (`packet`), their properties (`properties`) and the data
//! representations (`wire`), every read bounds-checked so that no input can
//! panic. (It replaced mqttbytes 0.6, whose 5.0 module has no AUTH packet,
//! which enhanced authentication needs, and which is no longer maintained.)
//! The rest of the crate speaks its `Packet` type.
//!
//! Incoming WebSocket payloads are a byte *stream*: one binary frame may hold
//! several MQTT packets, part of one, or nothing at all. The `Decoder` keeps the
//! unconsumed tail between frames, so any split works.

mod packet;
mod properties;
mod wire;

use bytes::{Buf, BytesMut};

use crate::error::{Error, Result};

pub(crate) use packet::{
    Ack, Auth, ConnAck, Connect, Disconnect, LastWill, Packet, Publish, PublishRef, SubAck,
    Subscribe, SubscribeFilter, UnsubAck, Unsubscribe,
};
pub(crate) use properties::Properties;

/// An MQTT quality of service level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum QoS {
    /// QoS 0: at most once, fire and forget.
    AtMostOnce = 0,
    /// QoS 1: at least once, acknowledged by PUBACK; may be duplicated.
    AtLeastOnce = 1,
    /// QoS 2: exactly once, the PUBREC/PUBREL/PUBCOMP handshake.
    ExactlyOnce = 2,
}

/// The MQTT version a connection speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ProtocolVersion {
    /// MQTT 3.1.1 (protocol level 4), the default.
    #[default]
    V311,
    /// MQTT 5.0 (protocol level 5).
    V5,
}

/// Largest string MQTT can carry (a u16 length prefix).
const MAX_STRING_LEN: usize = u16::MAX as usize;

/// Largest remaining length MQTT can encode (four length bytes).
pub const MAX_REMAINING_LENGTH: usize = wire::MAX_VARINT;

/// Room the decoder's buffer takes at a time. Decoded payloads share the
/// buffer they arrived in (no copy); a buffer still shared when more bytes
/// come is replaced by a new one of this size, so its cost (an allocation,
/// and one more for sharing it) is spread over the messages it holds, not
/// paid per message.
const DECODE_CHUNK: usize = 4096;

/// Incremental decoder for the incoming byte stream.
#[derive(Debug)]
pub(crate) struct Decoder {
    buf: BytesMut,
    max_packet_size: usize,
    version: ProtocolVersion,
}

impl Decoder {
    /// A decoder that refuses packets whose remaining length exceeds
    /// `max_packet_size`.
    pub(crate) fn new(max_packet_size: usize) -> Self {
        Self {
            buf: BytesMut::with_capacity(DECODE_CHUNK),
            max_packet_size,
            version: ProtocolVersion::V311,
        }
    }

    /// The version the packets are decoded as (set at every CONNECT).
    pub(crate) fn set_version(&mut self, version: ProtocolVersion) {
        self.version = version;
    }

    /// Appends received bytes (one WebSocket payload, possibly empty).
    pub(crate) fn extend(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// Bytes received but not yet decoded.
    #[cfg(test)]
    pub(crate) fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Drops any partial packet (used when the connection is lost).
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
    }

    /// The next complete packet, `Ok(None)` if more bytes are needed, or a
    /// protocol error for malformed or oversize input. An oversize packet is
    /// refused as soon as its fixed header is in, without waiting for (or
    /// buffering) its body.
    pub(crate) fn next_packet(&mut self) -> Result<Option<Packet>> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        // The remaining length: up to four bytes after the first.
        let mut len = 0usize;
        let mut header = 1;
        loop {
            let Some(&b) = self.buf.get(header) else {
                return Ok(None);
            };
            len |= usize::from(b & 0x7f) << (7 * (header - 1));
            header += 1;
            if b & 0x80 == 0 {
                break;
            }
            if header == 5 {
                return Err(Error::protocol(
                    "malformed MQTT packet: a remaining length longer than four bytes",
                ));
            }
        }
        if len > self.max_packet_size {
            return Err(Error::protocol(format!(
                "incoming packet of {len} bytes exceeds the maximum packet size of {} bytes",
                self.max_packet_size
            )));
        }
        if self.buf.len() < header + len {
            return Ok(None);
        }
        let first = self.buf[0];
        self.buf.advance(header);
        let body = self.buf.split_to(len).freeze();
        packet::decode(first, body, self.version).map(Some)
    }
}

/// Encodes one packet for `version` into `out` (appending), after checking
/// the limits MQTT sets (string lengths, the largest packet).
pub(crate) fn encode(packet: &Packet, version: ProtocolVersion, out: &mut BytesMut) -> Result<()> {
    packet::encode(packet, version, out)
}

/// Encodes one PUBLISH (see [`packet::encode_publish`]).
pub(crate) fn encode_publish(
    p: &PublishRef<'_>,
    version: ProtocolVersion,
    out: &mut BytesMut,
) -> Result<()> {
    packet::encode_publish(p, version, out)
}

/// Checks that a PUBLISH with this topic length, payload length and QoS
/// fits MQTT's largest remaining length: 2 + topic + packet id (QoS 1/2) +
/// payload (and, under MQTT 5, its properties, checked when encoding).
pub(crate) fn check_publish_size(topic_len: usize, payload_len: usize, qos: QoS) -> Result<()> {
    let id = if qos == QoS::AtMostOnce { 0 } else { 2 };
    let remaining = (2 + id + topic_len).saturating_add(payload_len);
    if remaining > MAX_REMAINING_LENGTH {
        return Err(Error::invalid(format!(
            "a payload of {payload_len} bytes on a {topic_len}-byte topic exceeds MQTT's packet size \
             limit ({MAX_REMAINING_LENGTH} bytes of topic, packet id and payload)"
        )));
    }
    Ok(())
}

/// Validates a topic name for PUBLISH: non-empty, no wildcards, no NUL
/// (MQTT 3.1.1 sections 4.7.1 and 4.7.3). UTF-8 is guaranteed by `&str`.
pub fn check_topic_name(topic: &str) -> Result<()> {
    if topic.is_empty() {
        return Err(Error::invalid("topic must not be empty"));
    }
    // One pass over the bytes (on every publish, sent and received); the
    // messages below come from the slower checks, only for a bad topic.
    if topic.len() <= MAX_STRING_LEN && !topic.bytes().any(|b| matches!(b, b'+' | b'#' | 0)) {
        return Ok(());
    }
    if topic.contains(['+', '#']) {
        return Err(Error::invalid(format!(
            "topic {topic:?} contains a wildcard (+ or #); wildcards are only allowed in subscriptions"
        )));
    }
    if topic.contains('\0') {
        return Err(Error::invalid("topic must not contain the NUL character"));
    }
    if topic.len() > MAX_STRING_LEN {
        return Err(Error::invalid(format!(
            "topic is longer than {MAX_STRING_LEN} bytes"
        )));
    }
    Ok(())
}

/// Validates a topic filter for SUBSCRIBE/UNSUBSCRIBE (section 4.7.1): `#` only
/// as the whole last level, `+` only as a whole level.
pub fn check_topic_filter(filter: &str) -> Result<()> {
    if filter.is_empty() {
        return Err(Error::invalid("topic filter must not be empty"));
    }
    if filter.contains('\0') {
        return Err(Error::invalid(
            "topic filter must not contain the NUL character",
        ));
    }
    if filter.len() > MAX_STRING_LEN {
        return Err(Error::invalid(format!(
            "topic filter is longer than {MAX_STRING_LEN} bytes"
        )));
    }
    let levels: Vec<&str> = filter.split('/').collect();
    for (i, level) in levels.iter().enumerate() {
        if level.contains('#') && (*level != "#" || i != levels.len() - 1) {
            return Err(Error::invalid(format!(
                "topic filter {filter:?}: '#' must be the whole last level"
            )));
        }
        if level.contains('+') && *level != "+" {
            return Err(Error::invalid(format!(
                "topic filter {filter:?}: '+' must be a whole level"
            )));
        }
    }
    Ok(())
}

/// Whether `topic` matches the topic `filter` as a broker matches it (MQTT
/// 3.1.1 section 4.7): `+` stands for one level, a final `#` for any number
/// of levels including none (`a/#` matches `a`), and a filter that starts
/// with a wildcard does not match topics that start with `$`. An invalid
/// filter matches nothing.
pub fn topic_matches(filter: &str, topic: &str) -> bool {
    if check_topic_filter(filter).is_err()
        || (topic.starts_with('$') && filter.starts_with(['+', '#']))
    {
        return false;
    }
    let mut topic_levels = topic.split('/');
    for level in filter.split('/') {
        if level == "#" {
            return true;
        }
        match topic_levels.next() {
            Some(t) if level == "+" || level == t => {}
            _ => return false,
        }
    }
    topic_levels.next().is_none()
}

/// Validates the filters of one SUBSCRIBE or UNSUBSCRIBE: at least one,
/// each valid.
pub(crate) fn check_topic_filters<'a>(filters: impl IntoIterator<Item = &'a str>) -> Result<()> {
    let mut any = false;
    for f in filters {
        check_topic_filter(f)?;
        any = true;
    }
    if !any {
        return Err(Error::invalid("at least one topic filter is needed"));
    }
    Ok(())
}

/// Converts a numeric QoS from a caller (0, 1 or 2).
pub fn qos_from_u8(qos: u8) -> Result<QoS> {
    match qos {
        0 => Ok(QoS::AtMostOnce),
        1 => Ok(QoS::AtLeastOnce),
        2 => Ok(QoS::ExactlyOnce),
        n => Err(Error::invalid(format!("QoS must be 0, 1 or 2, not {n}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn topic_matches_follows_the_wildcard_rules_of_section_4_7() {
        for (filter, topic, want) in [
            ("a/b", "a/b", true),
            ("a/b", "a/b/c", false),
            ("a/+", "a/b", true),
            ("a/+", "a/b/c", false),
            ("a/+/c", "a//c", true),
            ("a/#", "a", true),
            ("a/#", "a/b/c", true),
            ("#", "a/b", true),
            ("+/+", "/x", true),
            ("#", "$SYS/x", false),
            ("+/x", "$SYS/x", false),
            ("$SYS/#", "$SYS/x", true),
            ("a/b#", "a/b", false),
            ("a", "b", false),
        ] {
            assert_eq!(topic_matches(filter, topic), want, "{filter} {topic}");
        }
    }

    fn props(n: u8) -> Properties {
        Properties {
            user_properties: vec![("k".into(), format!("v{n}")), ("k".into(), "again".into())],
            ..Properties::default()
        }
    }

    /// Every packet type, with (5.0) and without (3.1.1) properties and reason
    /// codes.
    fn all_packets(version: ProtocolVersion) -> Vec<Packet> {
        let v5 = version == ProtocolVersion::V5;
        let p = |n| if v5 { props(n) } else { Properties::default() };
        let code = |c: u8| if v5 { c } else { 0 };
        let mut connect_props = p(1);
        if v5 {
            connect_props.session_expiry_interval = Some(3600);
            connect_props.receive_maximum = Some(10);
            connect_props.maximum_packet_size = Some(1 << 20);
            connect_props.topic_alias_maximum = Some(5);
            connect_props.request_problem_information = Some(1);
        }
        let mut will_props = p(2);
        if v5 {
            will_props.will_delay_interval = Some(5);
            will_props.content_type = Some("text/plain".into());
        }
        let connect = Connect {
            client_id: "client-1".into(),
            keep_alive: 30,
            clean_start: false,
            username: Some("user".into()),
            password: Some(Bytes::from_static(b"pa\x00ss")),
            will: Some(LastWill {
                topic: "will/t".into(),
                payload: Bytes::from_static(b"bye"),
                qos: QoS::AtLeastOnce,
                retain: true,
                properties: will_props,
            }),
            properties: connect_props,
        };
        let mut connack_props = p(3);
        if v5 {
            connack_props.assigned_client_identifier = Some("auto-1".into());
            connack_props.server_keep_alive = Some(20);
            connack_props.maximum_qos = Some(1);
            connack_props.retain_available = Some(0);
            connack_props.reason_string = Some("fine".into());
        }
        let mut publish = Publish::new("a/b", QoS::ExactlyOnce, vec![1u8, 2, 3]);
        publish.pkid = 7;
        publish.retain = true;
        publish.dup = true;
        if v5 {
            publish.properties = Some(Box::new(Properties {
                payload_format_indicator: Some(1),
                message_expiry_interval: Some(60),
                content_type: Some("application/json".into()),
                response_topic: Some("re/ply".into()),
                correlation_data: Some(Bytes::from_static(b"\x01\x02")),
                subscription_identifiers: vec![1, 300],
                topic_alias: Some(2),
                ..props(4)
            }));
        }
        let mut filter = SubscribeFilter::new("x/#", QoS::AtLeastOnce);
        if v5 {
            filter.no_local = true;
            filter.retain_as_published = true;
            filter.retain_handling = 2;
        }
        let mut sub_props = p(5);
        if v5 {
            sub_props.subscription_identifiers = vec![268_435_455];
        }
        let mut packets = vec![
            Packet::Connect(Box::new(connect)),
            Packet::ConnAck(ConnAck {
                session_present: true,
                code: 0,
                properties: connack_props,
            }),
            Packet::Publish(publish),
            Packet::Publish(Publish::new("q0", QoS::AtMostOnce, Vec::<u8>::new())),
            Packet::PubAck(Ack::new(1)),
            Packet::PubAck(Ack {
                pkid: 11,
                code: code(0x10),
                properties: Properties::default(),
            }),
            Packet::PubRec(Ack {
                pkid: 2,
                code: code(0x80),
                properties: p(6),
            }),
            Packet::PubRel(Ack::new(3)),
            Packet::PubComp(Ack::new(4)),
            Packet::Subscribe(Subscribe {
                pkid: 5,
                filters: vec![filter, SubscribeFilter::new("y", QoS::ExactlyOnce)],
                properties: sub_props,
            }),
            Packet::SubAck(SubAck {
                pkid: 5,
                codes: vec![1, 0x80],
                properties: p(7),
            }),
            Packet::Unsubscribe(Unsubscribe {
                pkid: 6,
                topics: vec!["x/#".into(), "y".into()],
                properties: p(8),
            }),
            Packet::UnsubAck(UnsubAck {
                pkid: 6,
                codes: if v5 { vec![0, 0x11] } else { vec![] },
                properties: p(9),
            }),
            Packet::PingReq,
            Packet::PingResp,
            Packet::Disconnect(Disconnect::default()),
        ];
        if v5 {
            packets.push(Packet::Disconnect(Disconnect {
                code: 0x8e,
                properties: Properties {
                    reason_string: Some("taken over".into()),
                    server_reference: Some("other:1883".into()),
                    ..props(10)
                },
            }));
            packets.push(Packet::Auth(Auth {
                code: 0x18,
                properties: Properties {
                    authentication_method: Some("SCRAM-SHA-1".into()),
                    authentication_data: Some(Bytes::from_static(b"client-first")),
                    ..Properties::default()
                },
            }));
            packets.push(Packet::Auth(Auth::default()));
        }
        packets
    }

    const BOTH: [ProtocolVersion; 2] = [ProtocolVersion::V311, ProtocolVersion::V5];

    fn encoded(p: &Packet, version: ProtocolVersion) -> Vec<u8> {
        let mut out = BytesMut::new();
        encode(p, version, &mut out).unwrap();
        out.to_vec()
    }

    fn decoder(version: ProtocolVersion) -> Decoder {
        let mut d = Decoder::new(1 << 20);
        d.set_version(version);
        d
    }

    #[test]
    fn every_packet_type_decodes_when_fed_one_byte_at_a_time() {
        for version in BOTH {
            for packet in all_packets(version) {
                let bytes = encoded(&packet, version);
                let mut dec = decoder(version);
                for (i, b) in bytes.iter().enumerate() {
                    dec.extend(&[*b]);
                    let got = dec.next_packet().unwrap();
                    if i + 1 < bytes.len() {
                        assert!(got.is_none(), "{packet:?} decoded early at byte {i}");
                    } else {
                        assert_eq!(got, Some(packet.clone()), "{version:?}");
                    }
                }
                assert_eq!(dec.buffered(), 0);
            }
        }
    }

    #[test]
    fn many_packets_in_one_buffer_decode_in_order() {
        for version in BOTH {
            let packets = all_packets(version);
            let mut dec = decoder(version);
            let mut all = Vec::new();
            for p in &packets {
                all.extend(encoded(p, version));
            }
            dec.extend(&all);
            for p in &packets {
                assert_eq!(dec.next_packet().unwrap().as_ref(), Some(p));
            }
            assert_eq!(dec.next_packet().unwrap(), None);
        }
    }

    /// Byte layouts written out by hand from the specifications, so that the
    /// round trips above cannot hide an encoder and a decoder that agree on
    /// the wrong thing.
    #[test]
    fn packets_match_the_byte_layouts_of_the_specifications() {
        let mut connect = Connect {
            client_id: "c".into(),
            keep_alive: 60,
            clean_start: true,
            username: Some("u".into()),
            password: Some(Bytes::from_static(b"p")),
            will: None,
            properties: Properties::default(),
        };
        // 3.1.1: "MQTT", level 4, flags 0xc2 (user, password, clean), keepalive 60.
        assert_eq!(
            encoded(
                &Packet::Connect(Box::new(connect.clone())),
                ProtocolVersion::V311
            ),
            b"\x10\x13\x00\x04MQTT\x04\xc2\x00\x3c\x00\x01c\x00\x01u\x00\x01p"
        );
        // 5.0: level 5 and a property list (session expiry 0x11 = 10).
        connect.properties.session_expiry_interval = Some(10);
        assert_eq!(
            encoded(&Packet::Connect(Box::new(connect)), ProtocolVersion::V5),
            b"\x10\x19\x00\x04MQTT\x05\xc2\x00\x3c\x05\x11\x00\x00\x00\x0a\x00\x01c\x00\x01u\x00\x01p"
        );
        // 5.0 PUBACK: success without properties is the 3.1.1 form; a
        // reason code alone adds one byte.
        assert_eq!(
            encoded(&Packet::PubAck(Ack::new(5)), ProtocolVersion::V5),
            b"\x40\x02\x00\x05"
        );
        let refused = Ack {
            pkid: 5,
            code: 0x87,
            properties: Properties::default(),
        };
        assert_eq!(
            encoded(&Packet::PubAck(refused.clone()), ProtocolVersion::V5),
            b"\x40\x03\x00\x05\x87"
        );
        // PUBREL carries the flags 0b0010.
        assert_eq!(
            encoded(&Packet::PubRel(Ack::new(1)), ProtocolVersion::V311),
            b"\x62\x02\x00\x01"
        );
        // 5.0 SUBSCRIBE options: QoS 1, no local, retain as published, handling 2.
        let mut f = SubscribeFilter::new("a", QoS::AtLeastOnce);
        f.no_local = true;
        f.retain_as_published = true;
        f.retain_handling = 2;
        let sub = Subscribe {
            pkid: 1,
            filters: vec![f],
            properties: Properties::default(),
        };
        assert_eq!(
            encoded(&Packet::Subscribe(sub), ProtocolVersion::V5),
            b"\x82\x07\x00\x01\x00\x00\x01a\x2d"
        );
        // A 5.0 DISCONNECT with success and no properties is empty.
        assert_eq!(
            encoded(
                &Packet::Disconnect(Disconnect::default()),
                ProtocolVersion::V5
            ),
            b"\xe0\x00"
        );
        // A 5.0 CONNACK with a refusal and a reason string.
        let connack = b"\x20\x0a\x00\x87\x07\x1f\x00\x04nope";
        let mut dec = decoder(ProtocolVersion::V5);
        dec.extend(connack);
        match dec.next_packet().unwrap() {
            Some(Packet::ConnAck(a)) => {
                assert_eq!((a.session_present, a.code), (false, 0x87));
                assert_eq!(a.properties.reason_string.as_deref(), Some("nope"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_packets_are_protocol_errors() {
        for (version, bytes, why) in [
            (
                ProtocolVersion::V311,
                &b"\x30\x03\x00\x05a"[..],
                "string past the end",
            ),
            (ProtocolVersion::V311, b"\x36\x05\x00\x01a\x00\x01", "QoS 3"),
            (
                ProtocolVersion::V311,
                b"\x32\x05\x00\x01a\x00\x00",
                "packet id 0",
            ),
            (ProtocolVersion::V311, b"\x60\x02\x00\x01", "PUBREL flags"),
            (ProtocolVersion::V311, b"\x41\x02\x00\x01", "PUBACK flags"),
            (
                ProtocolVersion::V311,
                b"\x40\x03\x00\x01\x00",
                "3.1.1 PUBACK with a code",
            ),
            (ProtocolVersion::V311, b"\xf0\x00", "AUTH in 3.1.1"),
            (ProtocolVersion::V311, b"\x00\x00", "type 0"),
            (
                ProtocolVersion::V311,
                b"\x20\x02\x02\x00",
                "CONNACK reserved flags",
            ),
            (
                ProtocolVersion::V311,
                b"\x90\x02\x00\x01",
                "SUBACK without codes",
            ),
            (
                ProtocolVersion::V311,
                b"\x30\x04\x00\x02\xc3\x28",
                "topic not UTF-8",
            ),
            (
                ProtocolVersion::V311,
                b"\x30\x03\x00\x01\x00",
                "topic with NUL",
            ),
            (
                ProtocolVersion::V5,
                b"\x40\x06\x00\x01\x00\x02\x12\x00",
                "property not allowed",
            ),
            (
                ProtocolVersion::V5,
                b"\x40\x07\x00\x01\x00\x03\x1f\x00\x05",
                "property past the end",
            ),
            (
                ProtocolVersion::V5,
                b"\x40\x05\x00\x01\x00\x01\x7f",
                "unknown property",
            ),
            (
                ProtocolVersion::V5,
                b"\x30\x09\x00\x01a\x04\x23\x00\x01\x23\x00",
                "two topic aliases",
            ),
            (
                ProtocolVersion::V5,
                b"\x20\x06\x00\x00\x03\x21\x00\x00",
                "receive maximum 0",
            ),
            (
                ProtocolVersion::V5,
                b"\xb0\x03\x00\x01\x00",
                "UNSUBACK without codes",
            ),
            (
                ProtocolVersion::V5,
                b"\x30\x06\x00\x01a\x02\x01\x02",
                "payload format 2",
            ),
        ] {
            let mut dec = decoder(version);
            dec.extend(bytes);
            let err = dec.next_packet().expect_err(why);
            assert_eq!(err.kind(), crate::ErrorKind::Protocol, "{why}: {err}");
        }
        // A remaining length of five bytes.
        let mut dec = decoder(ProtocolVersion::V311);
        dec.extend(b"\x30\xff\xff\xff\xff\x01");
        assert!(dec.next_packet().is_err());
    }

    #[test]
    fn a_packet_split_across_frames_and_empty_frames_decodes_once() {
        let mut publish = Publish::new("split/topic", QoS::AtLeastOnce, vec![9u8; 1000]);
        publish.pkid = 42;
        let bytes = encoded(&Packet::Publish(publish.clone()), ProtocolVersion::V311);
        let mut dec = Decoder::new(1 << 20);
        // Frames: empty, 3 bytes, empty, the rest minus one, the last byte + next packet.
        dec.extend(&[]);
        assert_eq!(dec.next_packet().unwrap(), None);
        dec.extend(&bytes[..3]);
        assert_eq!(dec.next_packet().unwrap(), None);
        dec.extend(&[]);
        dec.extend(&bytes[3..bytes.len() - 1]);
        assert_eq!(dec.next_packet().unwrap(), None);
        let mut tail = vec![bytes[bytes.len() - 1]];
        tail.extend(encoded(&Packet::PingResp, ProtocolVersion::V311));
        dec.extend(&tail);
        assert_eq!(dec.next_packet().unwrap(), Some(Packet::Publish(publish)));
        assert_eq!(dec.next_packet().unwrap(), Some(Packet::PingResp));
        assert_eq!(dec.next_packet().unwrap(), None);
    }

    #[test]
    fn oversize_packet_is_a_protocol_error_before_its_body_arrives() {
        let p = Publish::new("t", QoS::AtMostOnce, Bytes::from(vec![0u8; 2000]));
        let bytes = encoded(&Packet::Publish(p), ProtocolVersion::V311);
        let mut dec = Decoder::new(1000);
        dec.extend(&bytes[..4]);
        let err = dec.next_packet().unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Protocol);
        assert!(
            err.to_string().contains("exceeds the maximum packet size"),
            "{err}"
        );
    }

    #[test]
    fn garbage_input_never_panics() {
        // A small xorshift generator: deterministic, no extra crate.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for version in BOTH {
            for _ in 0..20_000 {
                let len = (next() % 40) as usize;
                let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                let mut dec = decoder(version);
                dec.extend(&data);
                for _ in 0..8 {
                    match dec.next_packet() {
                        Ok(Some(_)) => continue,
                        _ => break,
                    }
                }
            }
            // Mutations of every valid packet, byte by byte.
            for packet in all_packets(version) {
                let bytes = encoded(&packet, version);
                for i in 0..bytes.len() {
                    for v in [0x00, 0xff, bytes[i] ^ 0x80, bytes[i].wrapping_add(1)] {
                        let mut m = bytes.clone();
                        m[i] = v;
                        let mut dec = decoder(version);
                        dec.extend(&m);
                        let _ = dec.next_packet();
                    }
                }
            }
        }
    }

    #[test]
    fn topic_names_with_wildcards_are_rejected() {
        assert!(check_topic_name("a/b").is_ok());
        assert!(check_topic_name("a/+").is_err());
        assert!(check_topic_name("#").is_err());
        assert!(check_topic_name("").is_err());
        assert!(check_topic_name("a\0").is_err());
    }

    #[test]
    fn topic_filters_follow_the_wildcard_rules() {
        for ok in ["a/b", "a/+/c", "+", "#", "a/#", "+/+/#", "/"] {
            assert!(check_topic_filter(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a/#/b", "a#", "a/b+", "#/a", "a\0"] {
            assert!(check_topic_filter(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn overlong_topic_is_refused_instead_of_truncated() {
        let p = Publish::new("x".repeat(70_000), QoS::AtMostOnce, vec![]);
        let mut out = BytesMut::new();
        assert_eq!(
            encode(&Packet::Publish(p), ProtocolVersion::V311, &mut out)
                .unwrap_err()
                .kind(),
            crate::ErrorKind::InvalidArgument
        );
        assert!(out.is_empty());
    }

    #[test]
    fn qos_3_is_invalid() {
        assert!(qos_from_u8(3).is_err());
        assert_eq!(qos_from_u8(2).unwrap(), QoS::ExactlyOnce);
    }
}

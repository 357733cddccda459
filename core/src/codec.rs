//! MQTT 3.1.1 packet encoding and decoding.
//!
//! This is the only module that knows about `mqttbytes`; swapping the codec
//! means rewriting this file alone. The rest of the crate speaks [`Packet`].
//!
//! Incoming WebSocket payloads are a byte *stream*: one binary frame may hold
//! several MQTT packets, part of one, or nothing at all. [`Decoder`] keeps the
//! unconsumed tail between frames, so any split works.

use bytes::BytesMut;
use mqttbytes::v4;

use crate::error::{Error, Result};

pub use mqttbytes::QoS;
pub(crate) use v4::{
    ConnAck, Connect, LastWill, Login, Packet, PubAck, PubComp, PubRec, PubRel, Publish, SubAck,
    Subscribe, SubscribeFilter, SubscribeReasonCode, UnsubAck, Unsubscribe,
};

/// Largest string MQTT can carry (a u16 length prefix).
const MAX_STRING_LEN: usize = u16::MAX as usize;

/// Largest remaining length MQTT can encode (four length bytes).
pub const MAX_REMAINING_LENGTH: usize = 268_435_455;

/// Incremental decoder for the incoming byte stream.
#[derive(Debug)]
pub(crate) struct Decoder {
    buf: BytesMut,
    max_packet_size: usize,
}

impl Decoder {
    /// A decoder that refuses packets whose remaining length exceeds
    /// `max_packet_size`.
    pub(crate) fn new(max_packet_size: usize) -> Self {
        Self {
            buf: BytesMut::new(),
            max_packet_size,
        }
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
    /// protocol error for malformed or oversize input.
    pub(crate) fn next_packet(&mut self) -> Result<Option<Packet>> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        match v4::read(&mut self.buf, self.max_packet_size) {
            Ok(packet) => Ok(Some(packet)),
            Err(mqttbytes::Error::InsufficientBytes(_)) => Ok(None),
            Err(mqttbytes::Error::PayloadSizeLimitExceeded(n)) => Err(Error::protocol(format!(
                "incoming packet of {n} bytes exceeds the maximum packet size of {} bytes",
                self.max_packet_size
            ))),
            Err(e) => Err(Error::protocol(format!("malformed MQTT packet: {e:?}"))),
        }
    }
}

/// Encodes one packet into `out` (appending), after checking the limits that
/// `mqttbytes` does not check (string lengths, which it would truncate).
pub(crate) fn encode(packet: &Packet, out: &mut BytesMut) -> Result<()> {
    check_outgoing(packet)?;
    let res = match packet {
        Packet::Connect(p) => p.write(out),
        Packet::ConnAck(p) => p.write(out),
        Packet::Publish(p) => p.write(out),
        Packet::PubAck(p) => p.write(out),
        Packet::PubRec(p) => p.write(out),
        Packet::PubRel(p) => p.write(out),
        Packet::PubComp(p) => p.write(out),
        Packet::Subscribe(p) => p.write(out),
        Packet::SubAck(p) => p.write(out),
        Packet::Unsubscribe(p) => p.write(out),
        Packet::UnsubAck(p) => p.write(out),
        Packet::PingReq => v4::PingReq.write(out),
        Packet::PingResp => v4::PingResp.write(out),
        Packet::Disconnect => v4::Disconnect.write(out),
    };
    res.map(|_| ())
        .map_err(|e| Error::invalid(format!("cannot encode packet: {e:?}")))
}

fn check_outgoing(packet: &Packet) -> Result<()> {
    let strings: Vec<(&str, usize)> = match packet {
        Packet::Connect(c) => {
            let mut v = vec![("client id", c.client_id.len())];
            if let Some(login) = &c.login {
                v.push(("username", login.username.len()));
                v.push(("password", login.password.len()));
            }
            if let Some(w) = &c.last_will {
                v.push(("will topic", w.topic.len()));
                v.push(("will payload", w.message.len()));
            }
            v
        }
        Packet::Publish(p) => vec![("topic", p.topic.len())],
        Packet::Subscribe(s) => s
            .filters
            .iter()
            .map(|f| ("topic filter", f.path.len()))
            .collect(),
        Packet::Unsubscribe(u) => u.topics.iter().map(|t| ("topic filter", t.len())).collect(),
        _ => Vec::new(),
    };
    for (what, len) in strings {
        if len > MAX_STRING_LEN {
            return Err(Error::invalid(format!(
                "{what} is {len} bytes long; MQTT allows at most {MAX_STRING_LEN}"
            )));
        }
    }
    if let Packet::Publish(p) = packet {
        check_publish_size(p.topic.len(), p.payload.len(), p.qos)?;
    }
    Ok(())
}

/// Checks that a PUBLISH with this topic length, payload length and QoS
/// fits MQTT's largest remaining length: 2 + topic + packet id (QoS 1/2) +
/// payload.
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

    fn all_packets() -> Vec<Packet> {
        let mut connect = Connect::new("client-1");
        connect.keep_alive = 30;
        connect.clean_session = false;
        connect.login = Some(Login::new("user", "pass"));
        connect.last_will = Some(LastWill::new("will/t", "bye", QoS::AtLeastOnce, true));
        let mut publish = Publish::new("a/b", QoS::ExactlyOnce, vec![1u8, 2, 3]);
        publish.pkid = 7;
        publish.retain = true;
        vec![
            Packet::Connect(connect),
            Packet::ConnAck(ConnAck::new(v4::ConnectReturnCode::Success, true)),
            Packet::Publish(publish),
            Packet::Publish(Publish::new("q0", QoS::AtMostOnce, Vec::<u8>::new())),
            Packet::PubAck(PubAck::new(1)),
            Packet::PubRec(PubRec::new(2)),
            Packet::PubRel(PubRel::new(3)),
            Packet::PubComp(PubComp::new(4)),
            Packet::Subscribe(Subscribe {
                pkid: 5,
                filters: vec![SubscribeFilter::new("x/#".into(), QoS::AtLeastOnce)],
            }),
            Packet::SubAck(SubAck::new(
                5,
                vec![SubscribeReasonCode::Success(QoS::AtLeastOnce)],
            )),
            Packet::Unsubscribe(Unsubscribe {
                pkid: 6,
                topics: vec!["x/#".into()],
            }),
            Packet::UnsubAck(UnsubAck::new(6)),
            Packet::PingReq,
            Packet::PingResp,
            Packet::Disconnect,
        ]
    }

    fn encoded(p: &Packet) -> Vec<u8> {
        let mut out = BytesMut::new();
        encode(p, &mut out).unwrap();
        out.to_vec()
    }

    #[test]
    fn every_packet_type_decodes_when_fed_one_byte_at_a_time() {
        for packet in all_packets() {
            let bytes = encoded(&packet);
            let mut dec = Decoder::new(1 << 20);
            for (i, b) in bytes.iter().enumerate() {
                dec.extend(&[*b]);
                let got = dec.next_packet().unwrap();
                if i + 1 < bytes.len() {
                    assert!(got.is_none(), "{packet:?} decoded early at byte {i}");
                } else {
                    assert_eq!(got, Some(packet.clone()));
                }
            }
            assert_eq!(dec.buffered(), 0);
        }
    }

    #[test]
    fn many_packets_in_one_buffer_decode_in_order() {
        let packets = all_packets();
        let mut dec = Decoder::new(1 << 20);
        let mut all = Vec::new();
        for p in &packets {
            all.extend(encoded(p));
        }
        dec.extend(&all);
        for p in &packets {
            assert_eq!(dec.next_packet().unwrap().as_ref(), Some(p));
        }
        assert_eq!(dec.next_packet().unwrap(), None);
    }

    #[test]
    fn a_packet_split_across_frames_and_empty_frames_decodes_once() {
        let mut publish = Publish::new("split/topic", QoS::AtLeastOnce, vec![9u8; 1000]);
        publish.pkid = 42;
        let bytes = encoded(&Packet::Publish(publish.clone()));
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
        tail.extend(encoded(&Packet::PingResp));
        dec.extend(&tail);
        assert_eq!(dec.next_packet().unwrap(), Some(Packet::Publish(publish)));
        assert_eq!(dec.next_packet().unwrap(), Some(Packet::PingResp));
        assert_eq!(dec.next_packet().unwrap(), None);
    }

    #[test]
    fn oversize_packet_is_a_protocol_error_before_its_body_arrives() {
        let p = Publish::from_bytes("t", QoS::AtMostOnce, Bytes::from(vec![0u8; 2000]));
        let bytes = encoded(&Packet::Publish(p));
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
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let mut dec = Decoder::new(1 << 20);
            dec.extend(&data);
            for _ in 0..8 {
                match dec.next_packet() {
                    Ok(Some(_)) => continue,
                    _ => break,
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
            encode(&Packet::Publish(p), &mut out).unwrap_err().kind(),
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

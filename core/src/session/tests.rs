//! Session tests with a virtual clock and an in-memory fake broker: no
//! sockets, no sleeps.

use super::*;
use crate::ErrorKind;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// The broker side of the pair: decodes what the session sends and encodes
/// what the test wants the broker to send.
pub(super) struct FakeBroker {
    decoder: Decoder,
}

impl FakeBroker {
    pub(super) fn new() -> Self {
        Self {
            decoder: Decoder::new(usize::MAX >> 4),
        }
    }

    /// A broker that speaks MQTT 5.
    pub(super) fn v5() -> Self {
        let mut b = Self::new();
        b.decoder.set_version(ProtocolVersion::V5);
        b
    }

    /// Everything the session has queued, decoded.
    pub(super) fn receive(&mut self, s: &mut Session) -> Vec<Packet> {
        let mut out = Vec::new();
        while let Some(frame) = s.poll_transmit() {
            assert!(!frame.is_empty(), "the session produced an empty frame");
            self.decoder.extend(&frame);
            let p = self
                .decoder
                .next_packet()
                .unwrap()
                .expect("one whole packet per frame");
            assert_eq!(
                self.decoder.buffered(),
                0,
                "more than one packet in a frame"
            );
            out.push(p);
        }
        out
    }
}

fn bytes_of(p: Packet) -> Vec<u8> {
    let mut b = BytesMut::new();
    codec::encode(&p, ProtocolVersion::V311, &mut b).unwrap();
    b.to_vec()
}

fn params(clean: bool, keepalive: u16) -> ConnectParams {
    ConnectParams {
        client_id: "dev1".into(),
        username: Some("user".into()),
        password: Some("s3cret-pass".into()),
        keepalive,
        clean_session: clean,
        will: None,
        properties: ConnectProperties::default(),
    }
}

fn connack(code: u8, session_present: bool) -> Packet {
    Packet::ConnAck(ConnAck {
        session_present,
        code,
        properties: Properties::default(),
    })
}

pub(super) fn events(s: &mut Session) -> Vec<Event> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

/// A connected session (CONNECT consumed by the broker) at `t0`.
fn connected(clean: bool, keepalive: u16, t0: Instant) -> (Session, FakeBroker) {
    let mut s = Session::new(SessionConfig::default());
    let mut b = FakeBroker::new();
    s.connect(params(clean, keepalive), t0).unwrap();
    let sent = b.receive(&mut s);
    assert!(matches!(&sent[..], [Packet::Connect(c)] if c.keep_alive == keepalive));
    s.handle_bytes(&bytes_of(connack(0, false)), t0).unwrap();
    assert_eq!(
        events(&mut s),
        vec![Event::Connected {
            session_present: false,
            properties: Box::default(),
        }]
    );
    (s, b)
}

fn publish_from_broker(topic: &str, qos: QoS, pkid: u16, payload: &[u8]) -> Vec<u8> {
    let mut p = Publish::new(topic, qos, payload.to_vec());
    p.pkid = pkid;
    bytes_of(Packet::Publish(p))
}

#[test]
fn connect_carries_credentials_and_debug_hides_the_password() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig::default());
    let p = params(true, 30);
    assert!(!format!("{p:?}").contains("s3cret-pass"));
    s.connect(p, t0).unwrap();
    let sent = FakeBroker::new().receive(&mut s);
    match &sent[..] {
        [Packet::Connect(c)] => {
            assert_eq!(c.client_id, "dev1");
            assert_eq!(c.password.as_deref(), Some(&b"s3cret-pass"[..]));
            assert!(c.clean_start);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        !format!("{s:?}").contains("s3cret-pass"),
        "session Debug must not leak the password"
    );
}

#[test]
fn refused_connack_reports_the_code_and_leaves_the_session_disconnected() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig::default());
    s.connect(params(true, 30), t0).unwrap();
    let err = s
        .handle_bytes(&bytes_of(connack(4, false)), t0)
        .unwrap_err();
    assert!(matches!(
        err,
        Error::ConnectionRefused {
            code: ConnectReturnCode::BadUserNameOrPassword,
            ..
        }
    ));
    assert!(!s.is_connected());
    assert_eq!(
        s.publish("t", Bytes::new(), QoS::AtMostOnce, false, t0)
            .unwrap_err()
            .kind(),
        ErrorKind::Closed
    );
}

#[test]
fn a_packet_other_than_connack_first_is_a_protocol_error() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig::default());
    s.connect(params(true, 30), t0).unwrap();
    let err = s.handle_bytes(&bytes_of(Packet::PingResp), t0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
}

#[test]
fn keepalive_sends_pingreq_when_idle_and_declares_the_peer_dead_without_pingresp() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(true, 10, t0);
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(10)));
    s.handle_timeout(t0 + Duration::from_secs(9)).unwrap();
    assert!(
        b.receive(&mut s).is_empty(),
        "no ping before the keepalive interval"
    );
    let t1 = t0 + Duration::from_secs(10);
    s.handle_timeout(t1).unwrap();
    assert_eq!(b.receive(&mut s), vec![Packet::PingReq]);
    // PINGRESP due within half the keepalive.
    assert_eq!(s.poll_timeout(), Some(t1 + Duration::from_secs(5)));
    s.handle_bytes(&bytes_of(Packet::PingResp), t1 + Duration::from_secs(1))
        .unwrap();
    // Next ping after another idle interval (measured from the ping we sent).
    assert_eq!(s.poll_timeout(), Some(t1 + Duration::from_secs(10)));
    let t2 = t1 + Duration::from_secs(10);
    s.handle_timeout(t2).unwrap();
    assert_eq!(b.receive(&mut s), vec![Packet::PingReq]);
    s.handle_timeout(t2 + Duration::from_millis(4999)).unwrap();
    let err = s.handle_timeout(t2 + Duration::from_secs(5)).unwrap_err();
    assert!(matches!(err, Error::Timeout(TimeoutPhase::Keepalive)));
    assert!(!s.is_connected());
    // Dead within 1.5 x keepalive of the last sign of life.
    assert!(t2 + Duration::from_secs(5) - (t1 + Duration::from_secs(1)) <= Duration::from_secs(15));
}

#[test]
fn keepalive_pings_a_silent_broker_even_while_the_client_keeps_publishing() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(true, 10, t0);
    for i in 1..=10 {
        let t = t0 + Duration::from_secs(i);
        s.publish("t", Bytes::from_static(b"x"), QoS::AtMostOnce, false, t)
            .unwrap();
        s.handle_timeout(t).unwrap();
    }
    let sent = b.receive(&mut s);
    assert_eq!(
        sent.last(),
        Some(&Packet::PingReq),
        "a ping is due 10 s after the last receive"
    );
}

#[test]
fn keepalive_zero_never_pings() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(true, 0, t0);
    assert_eq!(s.poll_timeout(), None);
    s.handle_timeout(t0 + Duration::from_secs(100_000)).unwrap();
    assert!(b.receive(&mut s).is_empty());
}

#[test]
fn qos1_publish_is_completed_by_puback() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(true, 30, t0);
    let id = s
        .publish("a/b", Bytes::from_static(b"hi"), QoS::AtLeastOnce, true, t0)
        .unwrap()
        .unwrap();
    match &b.receive(&mut s)[..] {
        [Packet::Publish(p)] => {
            assert_eq!(
                (p.pkid, p.qos, p.retain, p.dup),
                (id, QoS::AtLeastOnce, true, false)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.inflight(), 1);
    s.handle_bytes(&bytes_of(Packet::PubAck(Ack::new(id))), t0)
        .unwrap();
    assert_eq!(events(&mut s), vec![Event::Published { packet_id: id }]);
    assert_eq!(s.inflight(), 0);
}

#[test]
fn qos2_publish_goes_through_pubrec_pubrel_pubcomp() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(true, 30, t0);
    let id = sent_qos2(&mut s, &mut b, t0);
    s.handle_bytes(&bytes_of(Packet::PubRec(Ack::new(id))), t0)
        .unwrap();
    assert_eq!(b.receive(&mut s), vec![Packet::PubRel(Ack::new(id))]);
    assert!(events(&mut s).is_empty(), "not complete before PUBCOMP");
    s.handle_bytes(&bytes_of(Packet::PubComp(Ack::new(id))), t0)
        .unwrap();
    assert_eq!(events(&mut s), vec![Event::Published { packet_id: id }]);
    assert_eq!(s.inflight(), 0);
}

#[test]
fn incoming_qos1_is_delivered_then_acknowledged() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(true, 30, t0);
    s.handle_bytes(&publish_from_broker("x", QoS::AtLeastOnce, 9, b"p"), t0)
        .unwrap();
    match &events(&mut s)[..] {
        [Event::Message(m)] => assert_eq!(
            (m.topic.as_str(), &m.payload[..], m.qos),
            ("x", &b"p"[..], QoS::AtLeastOnce)
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(b.receive(&mut s), vec![Packet::PubAck(Ack::new(9))]);
}

#[test]
fn incoming_qos2_is_delivered_exactly_once_even_when_the_broker_resends_it() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(true, 30, t0);
    let data = publish_from_broker("x", QoS::ExactlyOnce, 5, b"once");
    s.handle_bytes(&data, t0).unwrap();
    s.handle_bytes(&data, t0).unwrap(); // duplicate before PUBREL
    let msgs = events(&mut s);
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert_eq!(
        b.receive(&mut s),
        vec![Packet::PubRec(Ack::new(5)), Packet::PubRec(Ack::new(5))]
    );
    s.handle_bytes(&bytes_of(Packet::PubRel(Ack::new(5))), t0)
        .unwrap();
    assert_eq!(b.receive(&mut s), vec![Packet::PubComp(Ack::new(5))]);
    // After PUBREL the id is free again: a new message with it is delivered.
    s.handle_bytes(&data, t0).unwrap();
    assert_eq!(events(&mut s).len(), 1);
}

#[test]
fn messages_are_delivered_in_order_even_when_coalesced_in_one_frame() {
    let t0 = Instant::now();
    let (mut s, _b) = connected(true, 30, t0);
    let mut frame = Vec::new();
    for i in 0..50u16 {
        frame.extend(publish_from_broker(
            "seq",
            QoS::AtLeastOnce,
            i + 1,
            &i.to_be_bytes(),
        ));
    }
    // Deliver it split at odd places.
    for chunk in frame.chunks(7) {
        s.handle_bytes(chunk, t0).unwrap();
    }
    let got: Vec<u16> = events(&mut s)
        .into_iter()
        .map(|e| match e {
            Event::Message(m) => u16::from_be_bytes([m.payload[0], m.payload[1]]),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(got, (0..50).collect::<Vec<_>>());
}

#[test]
fn unacknowledged_messages_are_resent_with_dup_after_reconnect_with_session_present() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(false, 30, t0);
    let a = s
        .publish("q1", Bytes::from_static(b"a"), QoS::AtLeastOnce, false, t0)
        .unwrap()
        .unwrap();
    let c = s
        .publish("q2", Bytes::from_static(b"c"), QoS::ExactlyOnce, false, t0)
        .unwrap()
        .unwrap();
    let d = s
        .publish("q2", Bytes::from_static(b"d"), QoS::ExactlyOnce, false, t0)
        .unwrap()
        .unwrap();
    b.receive(&mut s);
    // d reached PUBREC before the link died.
    s.handle_bytes(&bytes_of(Packet::PubRec(Ack::new(d))), t0)
        .unwrap();
    b.receive(&mut s);
    s.connection_lost();
    assert!(!s.is_connected());
    assert_eq!(s.inflight(), 3, "unacknowledged messages survive the loss");

    s.connect(params(false, 30), t0).unwrap();
    b.receive(&mut s);
    s.handle_bytes(&bytes_of(connack(0, true)), t0).unwrap();
    assert_eq!(
        events(&mut s),
        vec![Event::Connected {
            session_present: true,
            properties: Box::default(),
        }]
    );
    let resent = b.receive(&mut s);
    match &resent[..] {
        [Packet::Publish(p1), Packet::Publish(p2), Packet::PubRel(r)] => {
            assert_eq!((p1.pkid, p1.dup, &p1.payload[..]), (a, true, &b"a"[..]));
            assert_eq!((p2.pkid, p2.dup, &p2.payload[..]), (c, true, &b"c"[..]));
            assert_eq!(r.pkid, d);
        }
        other => panic!("{other:?}"),
    }
    s.handle_bytes(&bytes_of(Packet::PubAck(Ack::new(a))), t0)
        .unwrap();
    s.handle_bytes(&bytes_of(Packet::PubComp(Ack::new(d))), t0)
        .unwrap();
    assert_eq!(
        events(&mut s),
        vec![
            Event::Published { packet_id: a },
            Event::Published { packet_id: d }
        ]
    );
    assert_eq!(s.inflight(), 1);
}

#[test]
fn packet_ids_wrap_around_and_skip_ids_still_in_flight() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig {
        inflight_window: 10,
        ..SessionConfig::default()
    });
    let mut b = FakeBroker::new();
    s.connect(params(true, 0), t0).unwrap();
    s.handle_bytes(&bytes_of(connack(0, false)), t0).unwrap();
    // Id 1 stays in flight for the whole test.
    let held = s
        .publish("t", Bytes::new(), QoS::AtLeastOnce, false, t0)
        .unwrap()
        .unwrap();
    assert_eq!(held, 1);
    let mut last = held;
    for _ in 0..70_000 {
        let id = s
            .publish("t", Bytes::new(), QoS::AtLeastOnce, false, t0)
            .unwrap()
            .unwrap();
        assert_ne!(id, 0);
        assert_ne!(id, held, "an id in flight must not be reused");
        assert!(
            id == last.wrapping_add(1) || (last == u16::MAX && id == 2),
            "{last} -> {id}"
        );
        last = id;
        s.handle_bytes(&bytes_of(Packet::PubAck(Ack::new(id))), t0)
            .unwrap();
        b.receive(&mut s);
        events(&mut s);
    }
}

#[test]
fn the_inflight_window_bounds_unacknowledged_messages() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig {
        inflight_window: 2,
        ..SessionConfig::default()
    });
    s.connect(params(true, 0), t0).unwrap();
    s.handle_bytes(&bytes_of(connack(0, false)), t0).unwrap();
    s.publish("t", Bytes::new(), QoS::AtLeastOnce, false, t0)
        .unwrap();
    s.publish("t", Bytes::new(), QoS::AtLeastOnce, false, t0)
        .unwrap();
    assert!(!s.has_inflight_room());
    assert_eq!(
        s.publish("t", Bytes::new(), QoS::AtLeastOnce, false, t0)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    // QoS 0 is not limited by the window.
    s.publish("t", Bytes::new(), QoS::AtMostOnce, false, t0)
        .unwrap();
    s.handle_bytes(&bytes_of(Packet::PubAck(Ack::new(1))), t0)
        .unwrap();
    assert!(s.has_inflight_room());
}

#[test]
fn suback_reports_granted_and_refused_filters() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(true, 30, t0);
    let id = s
        .subscribe(&[("a/#", QoS::ExactlyOnce), ("b", QoS::AtLeastOnce)], t0)
        .unwrap();
    match &b.receive(&mut s)[..] {
        [Packet::Subscribe(sub)] => assert_eq!(sub.filters.len(), 2),
        other => panic!("{other:?}"),
    }
    s.handle_bytes(
        &bytes_of(Packet::SubAck(SubAck {
            pkid: id,
            codes: vec![1, 0x80],
            properties: Properties::default(),
        })),
        t0,
    )
    .unwrap();
    assert_eq!(
        events(&mut s),
        vec![Event::Subscribed {
            packet_id: id,
            granted: vec![Some(QoS::AtLeastOnce), None],
            reason_codes: vec![1, 0x80],
        }]
    );
    assert_eq!(
        s.subscriptions(),
        &[("a/#".to_string(), SubscribeOptions::qos(QoS::AtLeastOnce))]
    );
    let u = s.unsubscribe(&["a/#"], t0).unwrap();
    s.handle_bytes(
        &bytes_of(Packet::UnsubAck(UnsubAck {
            pkid: u,
            codes: Vec::new(),
            properties: Properties::default(),
        })),
        t0,
    )
    .unwrap();
    assert_eq!(
        events(&mut s),
        vec![Event::Unsubscribed {
            packet_id: u,
            reason_codes: Vec::new(),
        }]
    );
    assert!(s.subscriptions().is_empty());
}

#[test]
fn client_only_packets_from_the_server_are_protocol_errors() {
    let t0 = Instant::now();
    let (mut s, _b) = connected(true, 30, t0);
    let err = s
        .handle_bytes(
            &bytes_of(Packet::Subscribe(Subscribe {
                pkid: 1,
                filters: vec![SubscribeFilter::new("x", QoS::AtMostOnce)],
                properties: Properties::default(),
            })),
            t0,
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol);
    assert!(!s.is_connected());
}

#[test]
fn invalid_calls_are_rejected_before_anything_is_queued() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(true, 30, t0);
    assert_eq!(
        s.publish("a/+", Bytes::new(), QoS::AtMostOnce, false, t0)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        s.subscribe(&[("a/#/b", QoS::AtMostOnce)], t0)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        s.subscribe(&[], t0).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert!(b.receive(&mut s).is_empty());
}

#[test]
fn disconnect_queues_disconnect_and_keeps_unacknowledged_messages() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(false, 30, t0);
    s.publish("t", Bytes::new(), QoS::AtLeastOnce, false, t0)
        .unwrap();
    b.receive(&mut s);
    s.disconnect(t0).unwrap();
    assert_eq!(
        b.receive(&mut s),
        vec![Packet::Disconnect(Disconnect::default())]
    );
    assert!(!s.is_connected());
    assert_eq!(s.inflight(), 1);
    assert_eq!(s.disconnect(t0).unwrap_err().kind(), ErrorKind::Closed);
}

fn with_queue(q: OfflineQueue, window: u16) -> Session {
    Session::new(SessionConfig {
        offline_queue: Some(q),
        inflight_window: window,
        ..SessionConfig::default()
    })
}

fn accept(s: &mut Session, present: bool, t: Instant) {
    s.handle_bytes(&bytes_of(connack(0, present)), t).unwrap();
}

#[test]
fn offline_publishes_are_queued_and_sent_in_order_after_connack_behind_retransmissions() {
    let t0 = Instant::now();
    let mut s = with_queue(OfflineQueue::default(), 10);
    let mut b = FakeBroker::new();
    s.connect(params(false, 30), t0).unwrap();
    accept(&mut s, false, t0);
    let early = s
        .publish(
            "t",
            Bytes::from_static(b"early"),
            QoS::AtLeastOnce,
            false,
            t0,
        )
        .unwrap()
        .unwrap();
    b.receive(&mut s);
    s.connection_lost();
    let q1 = s
        .publish("t", Bytes::from_static(b"q1"), QoS::AtLeastOnce, false, t0)
        .unwrap();
    let q0 = s
        .publish("t", Bytes::from_static(b"q0"), QoS::AtMostOnce, false, t0)
        .unwrap();
    assert!(q1.is_some() && q0.is_none());
    assert_eq!(s.queued(), 2);
    assert!(
        b.receive(&mut s).is_empty(),
        "nothing is sent while disconnected"
    );
    s.connect(params(false, 30), t0).unwrap();
    b.receive(&mut s);
    accept(&mut s, true, t0);
    let sent: Vec<(Vec<u8>, bool)> = b
        .receive(&mut s)
        .into_iter()
        .map(|p| match p {
            Packet::Publish(p) => (p.payload.to_vec(), p.dup),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        sent,
        vec![
            (b"early".to_vec(), true),
            (b"q1".to_vec(), false),
            (b"q0".to_vec(), false)
        ]
    );
    assert_eq!(s.queued(), 0);
    s.handle_bytes(&bytes_of(Packet::PubAck(Ack::new(early))), t0)
        .unwrap();
    s.handle_bytes(&bytes_of(Packet::PubAck(Ack::new(q1.unwrap()))), t0)
        .unwrap();
    assert_eq!(s.inflight(), 0);
}

#[test]
fn without_an_offline_queue_publishing_while_disconnected_is_closed() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig::default());
    let e = s
        .publish("t", Bytes::new(), QoS::AtLeastOnce, false, t0)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Closed);
}

#[test]
fn a_full_offline_queue_refuses_or_drops_the_oldest_as_configured() {
    let t0 = Instant::now();
    let q = OfflineQueue {
        max_messages: 2,
        max_bytes: 1000,
        when_full: QueueFull::Error,
    };
    let mut s = with_queue(q, 10);
    s.publish("t", Bytes::from_static(b"1"), QoS::AtLeastOnce, false, t0)
        .unwrap();
    s.publish("t", Bytes::from_static(b"2"), QoS::AtLeastOnce, false, t0)
        .unwrap();
    let e = s
        .publish("t", Bytes::from_static(b"3"), QoS::AtLeastOnce, false, t0)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::QueueFull);
    assert_eq!(s.queued(), 2);

    let mut s = with_queue(
        OfflineQueue {
            when_full: QueueFull::DropOldest,
            ..q
        },
        10,
    );
    let first = s
        .publish("a", Bytes::from_static(b"1"), QoS::AtLeastOnce, false, t0)
        .unwrap();
    s.publish("b", Bytes::from_static(b"2"), QoS::AtLeastOnce, false, t0)
        .unwrap();
    s.publish("c", Bytes::from_static(b"3"), QoS::AtLeastOnce, false, t0)
        .unwrap();
    assert_eq!(
        events(&mut s),
        vec![Event::Dropped {
            packet_id: first,
            topic: "a".into()
        }]
    );
    assert!(
        !s.is_pending(first.unwrap()),
        "a dropped message is no longer pending"
    );
    // Bytes bound: 600 + 600 > 1000 drops the older one.
    s.publish("d", Bytes::from(vec![0u8; 600]), QoS::AtMostOnce, false, t0)
        .unwrap();
    assert_eq!(s.queued(), 2);
    let e = s
        .publish(
            "e",
            Bytes::from(vec![0u8; 2000]),
            QoS::AtMostOnce,
            false,
            t0,
        )
        .unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::InvalidArgument,
        "a message larger than the queue can never fit"
    );
}

#[test]
fn queued_messages_beyond_the_window_go_out_as_acknowledgements_free_room() {
    let t0 = Instant::now();
    let mut s = with_queue(OfflineQueue::default(), 2);
    let mut b = FakeBroker::new();
    let ids: Vec<u16> = (0..5)
        .map(|_| {
            s.publish("t", Bytes::new(), QoS::AtLeastOnce, false, t0)
                .unwrap()
                .unwrap()
        })
        .collect();
    s.connect(params(true, 30), t0).unwrap();
    b.receive(&mut s);
    accept(&mut s, false, t0);
    assert_eq!(
        b.receive(&mut s).len(),
        2,
        "only the window's worth is sent"
    );
    s.handle_bytes(&bytes_of(Packet::PubAck(Ack::new(ids[0]))), t0)
        .unwrap();
    match &b.receive(&mut s)[..] {
        [Packet::Publish(p)] => assert_eq!(p.pkid, ids[2]),
        other => panic!("{other:?}"),
    }
    // While messages are queued, new publishes queue behind them (order kept).
    let later = s
        .publish("t", Bytes::new(), QoS::AtMostOnce, false, t0)
        .unwrap();
    assert!(later.is_none());
    assert!(b.receive(&mut s).is_empty());
    assert_eq!(s.queued(), 3);
}

#[test]
fn restored_messages_are_marked_dup_and_sent_after_connack() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig::default());
    let mut b = FakeBroker::new();
    let id = s
        .restore(
            "t",
            Bytes::from_static(b"from disk"),
            QoS::AtLeastOnce,
            false,
        )
        .unwrap()
        .unwrap();
    s.connect(params(false, 30), t0).unwrap();
    b.receive(&mut s);
    accept(&mut s, true, t0);
    match &b.receive(&mut s)[..] {
        [Packet::Publish(p)] => assert_eq!(
            (p.pkid, p.dup, &p.payload[..]),
            (id, true, &b"from disk"[..])
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn without_an_offline_queue_a_connected_publish_waits_behind_restored_messages() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig {
        inflight_window: 2,
        ..SessionConfig::default()
    });
    let mut b = FakeBroker::new();
    let restored: Vec<u16> = (0..3)
        .map(|_| {
            s.restore("t", Bytes::from_static(b"old"), QoS::AtLeastOnce, false)
                .unwrap()
                .unwrap()
        })
        .collect();
    s.connect(params(false, 30), t0).unwrap();
    b.receive(&mut s);
    accept(&mut s, true, t0);
    assert_eq!(
        b.receive(&mut s).len(),
        2,
        "the window's worth of restored messages"
    );
    // Connected, one restored message still waiting: a new publish queues behind it.
    assert_eq!(
        s.publish("t", Bytes::from_static(b"new"), QoS::AtMostOnce, false, t0)
            .unwrap(),
        None
    );
    assert!(b.receive(&mut s).is_empty());
    s.handle_bytes(&bytes_of(Packet::PubAck(Ack::new(restored[0]))), t0)
        .unwrap();
    let sent: Vec<Vec<u8>> = b
        .receive(&mut s)
        .into_iter()
        .map(|p| match p {
            Packet::Publish(p) => p.payload.to_vec(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(sent, vec![b"old".to_vec(), b"new".to_vec()], "order kept");
}

#[test]
fn incoming_topics_that_break_the_rules_are_protocol_errors_and_never_delivered() {
    let t0 = Instant::now();
    for topic in ["a/+", "a/#", "+", "", "a\0b"] {
        let (mut s, _b) = connected(true, 30, t0);
        let err = s
            .handle_bytes(&publish_from_broker(topic, QoS::AtLeastOnce, 7, b"x"), t0)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Protocol, "{topic:?}: {err}");
        assert!(!s.is_connected(), "{topic:?}");
        assert!(
            !events(&mut s)
                .iter()
                .any(|e| matches!(e, Event::Message(_))),
            "{topic:?} was delivered"
        );
    }
}

#[test]
fn an_offline_message_too_large_to_encode_is_refused_at_publish() {
    let t0 = Instant::now();
    let mut s = with_queue(
        OfflineQueue {
            max_messages: 10,
            max_bytes: usize::MAX,
            when_full: QueueFull::Error,
        },
        20,
    );
    // 2 (topic length) + 1 (topic) + payload > 268,435,455, even without a packet id.
    let payload = Bytes::from(vec![0u8; 268_435_453]);
    for qos in [QoS::AtMostOnce, QoS::AtLeastOnce] {
        let err = s.publish("t", payload.clone(), qos, false, t0).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    }
    assert_eq!(s.queued(), 0);
    // The largest QoS 1 message that fits is accepted, and goes out after CONNACK.
    let fits = Bytes::from(vec![0u8; 268_435_450]);
    s.publish("t", fits, QoS::AtLeastOnce, false, t0).unwrap();
    let mut b = FakeBroker::new();
    s.connect(params(true, 30), t0).unwrap();
    b.receive(&mut s);
    accept(&mut s, false, t0);
    assert!(
        matches!(&b.receive(&mut s)[..], [Packet::Publish(p)] if p.payload.len() == 268_435_450)
    );
}

#[test]
fn a_ping_timeout_beyond_the_clock_means_no_ping_deadline() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig {
        ping_timeout: Some(Duration::MAX),
        ..SessionConfig::default()
    });
    let mut b = FakeBroker::new();
    s.connect(params(true, 1), t0).unwrap();
    b.receive(&mut s);
    accept(&mut s, false, t0);
    let t1 = t0 + Duration::from_secs(1);
    s.handle_timeout(t1).unwrap();
    assert_eq!(b.receive(&mut s), vec![Packet::PingReq]);
    assert_eq!(s.poll_timeout(), None, "no PINGRESP deadline");
    s.handle_timeout(t1 + Duration::from_secs(3600)).unwrap();
    assert!(s.is_connected());
}

#[test]
fn the_incoming_bound_pauses_decoding_and_acknowledgement_until_messages_are_taken() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig {
        incoming_queue: IncomingQueue {
            max_messages: 2,
            max_bytes: usize::MAX,
        },
        ..SessionConfig::default()
    });
    let mut b = FakeBroker::new();
    s.connect(params(true, 10), t0).unwrap();
    b.receive(&mut s);
    accept(&mut s, false, t0);
    events(&mut s);
    // Five QoS 1 messages in one frame.
    let frame: Vec<u8> = (1..=5)
        .flat_map(|i| publish_from_broker("t", QoS::AtLeastOnce, i, &[i as u8]))
        .collect();
    s.handle_bytes(&frame, t0).unwrap();
    let got = events(&mut s);
    assert_eq!(got.len(), 2, "only as many as the bound");
    assert!(s.is_receive_paused());
    // Only what was decoded is acknowledged.
    assert_eq!(
        b.receive(&mut s),
        vec![Packet::PubAck(Ack::new(1)), Packet::PubAck(Ack::new(2))]
    );
    // No keepalive verdict while paused, however long.
    s.handle_timeout(t0 + Duration::from_secs(10)).unwrap();
    assert_eq!(b.receive(&mut s), vec![Packet::PingReq]);
    s.handle_timeout(t0 + Duration::from_secs(100)).unwrap();
    assert!(s.is_connected());
    // Taking one makes room for one.
    let Event::Message(m) = &got[0] else {
        panic!("{got:?}")
    };
    s.message_taken(m);
    assert!(!s.is_receive_paused());
    s.handle_buffered(t0).unwrap();
    assert_eq!(events(&mut s).len(), 1);
    assert!(s.is_receive_paused());
    assert_eq!(b.receive(&mut s), vec![Packet::PubAck(Ack::new(3))]);
    // Taking the rest lets everything through, in order.
    for e in &got[1..] {
        if let Event::Message(m) = e {
            s.message_taken(m);
        }
    }
    let mut rest = Vec::new();
    loop {
        s.handle_buffered(t0).unwrap();
        let more = events(&mut s);
        if more.is_empty() {
            break;
        }
        for e in &more {
            if let Event::Message(m) = e {
                s.message_taken(m);
                rest.push(m.payload[0]);
            }
        }
    }
    // 3 was counted above without being taken: it still holds a place.
    assert_eq!(rest, vec![4, 5]);
}

/// An accepting MQTT 3.1.1 CONNACK, encoded.
pub(super) fn bytes_of_v311_connack() -> Vec<u8> {
    bytes_of(connack(0, false))
}

/// A QoS 2 PUBLISH sent (and consumed by the broker); its packet id.
fn sent_qos2(s: &mut Session, b: &mut FakeBroker, t0: Instant) -> PacketId {
    let id = s
        .publish(
            "a/b",
            Bytes::from_static(b"hi"),
            QoS::ExactlyOnce,
            false,
            t0,
        )
        .unwrap()
        .unwrap();
    b.receive(s);
    id
}

#[test]
fn a_puback_answering_a_qos2_publish_completes_it_as_qos1_with_a_downgrade_event() {
    // RabbitMQ's MQTT plugin has no QoS 2: it answers a QoS 2 PUBLISH with
    // PUBACK. The message was accepted (at least once), so it completes at
    // once instead of waiting out the operation timeout, is not sent again
    // after a reconnect, and the downgrade is reported before the completion.
    let t0 = Instant::now();
    let (mut s, mut b) = connected(false, 30, t0);
    let id = sent_qos2(&mut s, &mut b, t0);
    s.handle_bytes(&bytes_of(Packet::PubAck(Ack::new(id))), t0)
        .unwrap();
    assert!(b.receive(&mut s).is_empty(), "no PUBREL for a PUBACK");
    assert_eq!(
        events(&mut s),
        vec![
            Event::Downgraded {
                packet_id: id,
                granted: QoS::AtLeastOnce
            },
            Event::Published { packet_id: id }
        ]
    );
    assert_eq!(s.inflight(), 0);
    assert!(!s.is_pending(id));

    s.connection_lost();
    s.connect(params(false, 30), t0).unwrap();
    b.receive(&mut s);
    accept(&mut s, true, t0);
    assert!(b.receive(&mut s).is_empty(), "nothing to resend");
}

#[test]
fn a_puback_after_pubrec_is_still_ignored() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(true, 30, t0);
    let id = sent_qos2(&mut s, &mut b, t0);
    s.handle_bytes(&bytes_of(Packet::PubRec(Ack::new(id))), t0)
        .unwrap();
    b.receive(&mut s);
    s.handle_bytes(&bytes_of(Packet::PubAck(Ack::new(id))), t0)
        .unwrap();
    assert!(
        events(&mut s).is_empty(),
        "released: only PUBCOMP completes it"
    );
    assert!(s.is_pending(id));
}

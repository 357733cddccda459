//! MQTT 5 session tests: properties both ways, the broker's limits, topic
//! aliases, reason codes, server DISCONNECT and enhanced authentication.
//! Virtual clock and an in-memory broker, as in `tests.rs`.

use std::sync::Mutex;

use super::tests::{FakeBroker, events};
use super::*;
use crate::ErrorKind;
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn wire(p: Packet) -> Vec<u8> {
    let mut b = BytesMut::new();
    codec::encode(&p, ProtocolVersion::V5, &mut b).unwrap();
    b.to_vec()
}

fn v5_config() -> SessionConfig {
    SessionConfig {
        protocol_version: ProtocolVersion::V5,
        ..SessionConfig::default()
    }
}

fn params(properties: ConnectProperties) -> ConnectParams {
    ConnectParams {
        client_id: "dev5".into(),
        username: None,
        password: None,
        keepalive: 30,
        clean_session: true,
        will: None,
        properties,
    }
}

fn connack(properties: Properties) -> Packet {
    Packet::ConnAck(ConnAck {
        session_present: false,
        code: 0,
        properties,
    })
}

/// A v5 session connected with these CONNECT and CONNACK properties; the
/// Connected event is consumed.
fn connected(
    config: SessionConfig,
    ask: ConnectProperties,
    granted: Properties,
    t0: Instant,
) -> (Session, FakeBroker) {
    let mut s = Session::new(config);
    let mut b = FakeBroker::v5();
    s.connect(params(ask), t0).unwrap();
    assert!(matches!(&b.receive(&mut s)[..], [Packet::Connect(_)]));
    s.handle_bytes(&wire(connack(granted)), t0).unwrap();
    assert!(matches!(&events(&mut s)[..], [Event::Connected { .. }]));
    (s, b)
}

fn publish_one(s: &mut Session, topic: &str, qos: QoS, t: Instant) -> Option<PacketId> {
    s.publish(topic, Bytes::from_static(b"x"), qos, false, t)
        .unwrap()
}

fn sent_publishes(b: &mut FakeBroker, s: &mut Session) -> Vec<Publish> {
    b.receive(s)
        .into_iter()
        .map(|p| match p {
            Packet::Publish(p) => p,
            other => panic!("expected PUBLISH, got {other:?}"),
        })
        .collect()
}

#[test]
fn connect_carries_the_properties_and_connack_properties_reach_the_event() {
    let t0 = Instant::now();
    let mut s = Session::new(v5_config());
    let mut b = FakeBroker::v5();
    let mut p = params(ConnectProperties {
        receive_maximum: Some(10),
        topic_alias_maximum: Some(4),
        user_properties: vec![("site".into(), "north".into())],
        ..ConnectProperties::default()
    });
    p.clean_session = false;
    s.connect(p, t0).unwrap();
    match &b.receive(&mut s)[..] {
        [Packet::Connect(c)] => {
            assert!(!c.clean_start);
            // A kept session with no expiry given asks for "never expire",
            // as clean_session(false) means under 3.1.1.
            assert_eq!(c.properties.session_expiry_interval, Some(u32::MAX));
            assert_eq!(c.properties.receive_maximum, Some(10));
            assert_eq!(c.properties.topic_alias_maximum, Some(4));
            assert_eq!(
                c.properties.maximum_packet_size,
                Some((DEFAULT_MAX_PACKET_SIZE + 5) as u32)
            );
            assert_eq!(
                c.properties.user_properties,
                vec![("site".to_string(), "north".to_string())]
            );
        }
        other => panic!("{other:?}"),
    }
    s.handle_bytes(
        &wire(connack(Properties {
            assigned_client_identifier: Some("auto-7".into()),
            server_keep_alive: Some(5),
            reason_string: Some("welcome".into()),
            ..Properties::default()
        })),
        t0,
    )
    .unwrap();
    match &events(&mut s)[..] {
        [Event::Connected { properties, .. }] => {
            assert_eq!(
                properties.assigned_client_identifier.as_deref(),
                Some("auto-7")
            );
            assert_eq!(properties.server_keep_alive, Some(5));
            assert_eq!(properties.reason_string.as_deref(), Some("welcome"));
        }
        other => panic!("{other:?}"),
    }
    // The server's keep alive (5 s) replaces ours (30 s).
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(5)));
}

#[test]
fn the_brokers_receive_maximum_caps_the_inflight_window() {
    let t0 = Instant::now();
    let (mut s, _b) = connected(
        v5_config(),
        ConnectProperties::default(),
        Properties {
            receive_maximum: Some(2),
            ..Properties::default()
        },
        t0,
    );
    publish_one(&mut s, "t", QoS::AtLeastOnce, t0).unwrap();
    publish_one(&mut s, "t", QoS::ExactlyOnce, t0).unwrap();
    assert!(!s.has_inflight_room());
    let err = s
        .publish("t", Bytes::new(), QoS::AtLeastOnce, false, t0)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    // QoS 0 does not count against the receive maximum.
    assert_eq!(publish_one(&mut s, "t", QoS::AtMostOnce, t0), None);
}

#[test]
fn the_brokers_maximum_qos_retain_and_packet_size_are_refused_at_publish() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(
        v5_config(),
        ConnectProperties::default(),
        Properties {
            maximum_qos: Some(1),
            retain_available: Some(0),
            maximum_packet_size: Some(64),
            ..Properties::default()
        },
        t0,
    );
    let qos2 = s
        .publish("t", Bytes::new(), QoS::ExactlyOnce, false, t0)
        .unwrap_err();
    assert!(qos2.to_string().contains("QoS 1 at most"), "{qos2}");
    let retained = s
        .publish("t", Bytes::new(), QoS::AtMostOnce, true, t0)
        .unwrap_err();
    assert!(retained.to_string().contains("retained"), "{retained}");
    let big = s
        .publish("t", Bytes::from(vec![0u8; 100]), QoS::AtMostOnce, false, t0)
        .unwrap_err();
    assert_eq!(big.kind(), ErrorKind::InvalidArgument);
    assert!(
        big.to_string().contains("maximum packet size of 64"),
        "{big}"
    );
    assert!(b.receive(&mut s).is_empty(), "nothing refused was sent");
    // The session is still usable.
    publish_one(&mut s, "t", QoS::AtLeastOnce, t0).unwrap();
    assert_eq!(sent_publishes(&mut b, &mut s).len(), 1);
}

#[test]
fn topic_aliases_name_a_topic_once_then_replace_it_and_reconnects_name_it_again() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(
        v5_config(),
        ConnectProperties::default(),
        Properties {
            topic_alias_maximum: Some(2),
            ..Properties::default()
        },
        t0,
    );
    for topic in ["a/long/topic", "a/long/topic", "b", "c", "b"] {
        publish_one(&mut s, topic, QoS::AtLeastOnce, t0);
    }
    let sent: Vec<(String, Option<u16>)> = sent_publishes(&mut b, &mut s)
        .into_iter()
        .map(|p| (p.topic.clone(), p.topic_alias()))
        .collect();
    assert_eq!(
        sent,
        vec![
            ("a/long/topic".into(), Some(1)),
            (String::new(), Some(1)),
            ("b".into(), Some(2)),
            // Out of aliases: the topic goes in full, without one.
            ("c".into(), None),
            (String::new(), Some(2)),
        ]
    );
    // Aliases end with the connection: the retransmissions name the topic.
    s.connection_lost();
    s.connect(params(ConnectProperties::default()), t0).unwrap();
    b.receive(&mut s);
    s.handle_bytes(&wire(connack(Properties::default())), t0)
        .unwrap();
    let resent = sent_publishes(&mut b, &mut s);
    assert_eq!(resent.len(), 5);
    assert!(
        resent
            .iter()
            .all(|p| !p.topic.is_empty() && p.topic_alias().is_none() && p.dup),
        "{resent:?}"
    );
}

#[test]
fn incoming_topic_aliases_resolve_and_unknown_or_excess_ones_are_protocol_errors() {
    let t0 = Instant::now();
    let ask = ConnectProperties {
        topic_alias_maximum: Some(3),
        ..ConnectProperties::default()
    };
    let (mut s, _b) = connected(v5_config(), ask.clone(), Properties::default(), t0);
    let aliased = |topic: &str, alias: u16| {
        let mut p = Publish::new(topic, QoS::AtMostOnce, &b"m"[..]);
        p.properties_mut().topic_alias = Some(alias);
        wire(Packet::Publish(p))
    };
    s.handle_bytes(&aliased("x/y", 1), t0).unwrap();
    s.handle_bytes(&aliased("", 1), t0).unwrap();
    let topics: Vec<String> = events(&mut s)
        .into_iter()
        .map(|e| match e {
            Event::Message(m) => m.topic,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(topics, ["x/y", "x/y"]);

    let err = s.handle_bytes(&aliased("", 2), t0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(err.to_string().contains("before naming it"), "{err}");

    let (mut s, _b) = connected(v5_config(), ask, Properties::default(), t0);
    let err = s.handle_bytes(&aliased("z", 4), t0).unwrap_err();
    assert!(err.to_string().contains("beyond the 3 allowed"), "{err}");
}

#[test]
fn incoming_properties_reach_the_message() {
    let t0 = Instant::now();
    let (mut s, _b) = connected(
        v5_config(),
        ConnectProperties::default(),
        Properties::default(),
        t0,
    );
    let mut p = Publish::new("r", QoS::AtLeastOnce, &b"{}"[..]);
    p.pkid = 3;
    p.properties = Some(Box::new(Properties {
        content_type: Some("application/json".into()),
        response_topic: Some("reply/here".into()),
        correlation_data: Some(Bytes::from_static(b"\x01\x02")),
        message_expiry_interval: Some(30),
        subscription_identifiers: vec![7],
        user_properties: vec![("k".into(), "v".into()), ("k".into(), "w".into())],
        ..Properties::default()
    }));
    s.handle_bytes(&wire(Packet::Publish(p)), t0).unwrap();
    match &events(&mut s)[..] {
        [Event::Message(m)] => {
            let props = m
                .properties
                .as_deref()
                .expect("v5 messages carry properties");
            assert_eq!(props.content_type.as_deref(), Some("application/json"));
            assert_eq!(props.response_topic.as_deref(), Some("reply/here"));
            assert_eq!(props.correlation_data.as_deref(), Some(&b"\x01\x02"[..]));
            assert_eq!(props.message_expiry_interval, Some(30));
            assert_eq!(props.subscription_identifiers, vec![7]);
            assert_eq!(props.user_properties.len(), 2, "repeated names are kept");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn refused_pubacks_and_pubrecs_complete_the_message_with_a_rejected_event() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(
        v5_config(),
        ConnectProperties::default(),
        Properties::default(),
        t0,
    );
    let q1 = publish_one(&mut s, "t", QoS::AtLeastOnce, t0).unwrap();
    let q2 = publish_one(&mut s, "t", QoS::ExactlyOnce, t0).unwrap();
    b.receive(&mut s);
    let refusal = |pkid, code, reason: &str| Ack {
        pkid,
        code,
        properties: Properties {
            reason_string: Some(reason.into()),
            ..Properties::default()
        },
    };
    s.handle_bytes(&wire(Packet::PubAck(refusal(q1, 0x87, "no"))), t0)
        .unwrap();
    s.handle_bytes(&wire(Packet::PubRec(refusal(q2, 0x97, "quota"))), t0)
        .unwrap();
    assert_eq!(
        events(&mut s),
        vec![
            Event::Rejected {
                packet_id: q1,
                reason_code: 0x87,
                reason: Some("no".into()),
            },
            Event::Rejected {
                packet_id: q2,
                reason_code: 0x97,
                reason: Some("quota".into()),
            },
        ]
    );
    // No PUBREL for a refused QoS 2 message, nothing left in flight, and
    // nothing is sent again after a reconnect.
    assert!(b.receive(&mut s).is_empty());
    assert_eq!(s.inflight(), 0);
    s.connection_lost();
    s.connect(params(ConnectProperties::default()), t0).unwrap();
    b.receive(&mut s);
    s.handle_bytes(&wire(connack(Properties::default())), t0)
        .unwrap();
    assert!(b.receive(&mut s).is_empty());
}

#[test]
fn subscribe_options_reach_the_wire_and_reason_codes_come_back() {
    let t0 = Instant::now();
    let (mut s, mut b) = connected(
        v5_config(),
        ConnectProperties::default(),
        Properties::default(),
        t0,
    );
    let options = SubscribeOptions {
        qos: QoS::AtLeastOnce,
        no_local: true,
        retain_as_published: true,
        retain_handling: crate::properties::RetainHandling::DoNotSend,
    };
    let id = s
        .subscribe_with(
            &[
                ("a/#", options),
                ("$share/g/b", SubscribeOptions::qos(QoS::ExactlyOnce)),
            ],
            SubscribeProperties {
                subscription_identifier: Some(42),
                user_properties: Vec::new(),
            },
            t0,
        )
        .unwrap();
    match &b.receive(&mut s)[..] {
        [Packet::Subscribe(sub)] => {
            assert_eq!(sub.properties.subscription_identifiers, vec![42]);
            let f = &sub.filters[0];
            assert!(f.no_local && f.retain_as_published);
            assert_eq!(f.retain_handling, 2);
        }
        other => panic!("{other:?}"),
    }
    s.handle_bytes(
        &wire(Packet::SubAck(SubAck {
            pkid: id,
            codes: vec![0x01, 0x9E],
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
            reason_codes: vec![0x01, 0x9E],
        }]
    );
    // The granted filter is kept with its options, for a restore.
    assert_eq!(
        s.subscriptions(),
        &[(
            "a/#".to_string(),
            SubscribeOptions {
                qos: QoS::AtLeastOnce,
                ..options
            }
        )]
    );
    let u = s.unsubscribe(&["a/#", "nope"], t0).unwrap();
    b.receive(&mut s);
    s.handle_bytes(
        &wire(Packet::UnsubAck(UnsubAck {
            pkid: u,
            codes: vec![0x00, 0x11],
            properties: Properties::default(),
        })),
        t0,
    )
    .unwrap();
    assert_eq!(
        events(&mut s),
        vec![Event::Unsubscribed {
            packet_id: u,
            reason_codes: vec![0x00, 0x11],
        }]
    );
}

#[test]
fn a_server_disconnect_ends_the_connection_with_its_reason() {
    let t0 = Instant::now();
    let (mut s, _b) = connected(
        v5_config(),
        ConnectProperties::default(),
        Properties::default(),
        t0,
    );
    let err = s
        .handle_bytes(
            &wire(Packet::Disconnect(Disconnect {
                code: 0x8E,
                properties: Properties {
                    reason_string: Some("another client took the id".into()),
                    ..Properties::default()
                },
            })),
            t0,
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Closed);
    assert!(err.to_string().contains("session taken over"), "{err}");
    assert!(
        err.to_string().contains("another client took the id"),
        "{err}"
    );
    assert_eq!(
        events(&mut s),
        vec![Event::ServerDisconnected {
            reason_code: 0x8E,
            reason: Some("another client took the id".into()),
            server_reference: None,
        }]
    );
}

#[test]
fn a_v5_refusal_carries_its_reason_code_and_string() {
    let t0 = Instant::now();
    let mut s = Session::new(v5_config());
    let mut b = FakeBroker::v5();
    s.connect(params(ConnectProperties::default()), t0).unwrap();
    b.receive(&mut s);
    let err = s
        .handle_bytes(
            &wire(Packet::ConnAck(ConnAck {
                session_present: false,
                code: 0x9C,
                properties: Properties {
                    reason_string: Some("move".into()),
                    server_reference: Some("other.example:443".into()),
                    ..Properties::default()
                },
            })),
            t0,
        )
        .unwrap_err();
    match err {
        Error::ConnectionRefused {
            code,
            reason,
            server_reference,
        } => {
            assert_eq!(code, ConnectReturnCode::Reason(0x9C));
            assert_eq!(code.v311_equivalent(), None);
            assert_eq!(reason.as_deref(), Some("move"));
            assert_eq!(server_reference.as_deref(), Some("other.example:443"));
        }
        other => panic!("{other:?}"),
    }
}

/// A broker without MQTT 5 refuses a level-5 CONNECT with a 3.1.1 CONNACK:
/// return code 1 and no properties (Aedes does). That is a refusal for
/// "unsupported protocol version", as 5.0's 0x84 says it, not a malformed
/// packet; a 3.1.1-shaped CONNACK that accepts stays malformed under 5.0.
#[test]
fn a_3_1_1_connack_refusing_the_protocol_version_is_a_refusal_under_5() {
    let t0 = Instant::now();
    let refused = |bytes: &[u8]| {
        let mut s = Session::new(v5_config());
        let mut b = FakeBroker::v5();
        s.connect(params(ConnectProperties::default()), t0).unwrap();
        b.receive(&mut s);
        s.handle_bytes(bytes, t0).unwrap_err()
    };
    match refused(&[0x20, 0x02, 0x00, 0x01]) {
        Error::ConnectionRefused {
            code,
            reason,
            server_reference,
        } => {
            assert_eq!(code, ConnectReturnCode::Reason(0x84));
            assert_eq!(code.v311_equivalent(), Some(1));
            assert_eq!((reason, server_reference), (None, None));
        }
        other => panic!("{other:?}"),
    }
    let err = refused(&[0x20, 0x02, 0x00, 0x00]);
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
}

/// A challenge-response authenticator that records what it saw.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<String>>,
    reject_final: bool,
}

impl Authenticator for Recorder {
    fn start(&self) -> Result<(String, Option<Bytes>)> {
        self.seen.lock().unwrap().push("start".into());
        Ok(("TEST-CR".into(), Some(Bytes::from_static(b"client-first"))))
    }

    fn respond(&self, challenge: Option<&[u8]>) -> Result<Option<Bytes>> {
        let c = String::from_utf8_lossy(challenge.unwrap_or_default()).into_owned();
        self.seen.lock().unwrap().push(format!("challenge {c}"));
        Ok(Some(Bytes::from(format!("answer to {c}"))))
    }

    fn finish(&self, data: Option<&[u8]>) -> Result<()> {
        let d = String::from_utf8_lossy(data.unwrap_or_default()).into_owned();
        self.seen.lock().unwrap().push(format!("finish {d}"));
        if self.reject_final {
            return Err(Error::Auth("the server's proof did not verify".into()));
        }
        Ok(())
    }
}

fn auth_session(reject_final: bool, t0: Instant) -> (Session, FakeBroker, Arc<Recorder>) {
    let auth = Arc::new(Recorder {
        reject_final,
        ..Recorder::default()
    });
    let mut s = Session::new(SessionConfig {
        authenticator: Some(auth.clone()),
        ..v5_config()
    });
    let mut b = FakeBroker::v5();
    s.connect(params(ConnectProperties::default()), t0).unwrap();
    match &b.receive(&mut s)[..] {
        [Packet::Connect(c)] => {
            assert_eq!(
                c.properties.authentication_method.as_deref(),
                Some("TEST-CR")
            );
            assert_eq!(
                c.properties.authentication_data.as_deref(),
                Some(&b"client-first"[..])
            );
        }
        other => panic!("{other:?}"),
    }
    let challenge = Auth {
        code: 0x18,
        properties: Properties {
            authentication_method: Some("TEST-CR".into()),
            authentication_data: Some(Bytes::from_static(b"nonce-1")),
            ..Properties::default()
        },
    };
    s.handle_bytes(&wire(Packet::Auth(challenge)), t0).unwrap();
    match &b.receive(&mut s)[..] {
        [Packet::Auth(a)] => {
            assert_eq!(a.code, 0x18);
            assert_eq!(
                a.properties.authentication_method.as_deref(),
                Some("TEST-CR")
            );
            assert_eq!(
                a.properties.authentication_data.as_deref(),
                Some(&b"answer to nonce-1"[..])
            );
        }
        other => panic!("{other:?}"),
    }
    (s, b, auth)
}

fn final_connack() -> Vec<u8> {
    wire(connack(Properties {
        authentication_method: Some("TEST-CR".into()),
        authentication_data: Some(Bytes::from_static(b"server-proof")),
        ..Properties::default()
    }))
}

#[test]
fn enhanced_authentication_answers_challenges_and_checks_the_final_connack() {
    let t0 = Instant::now();
    let (mut s, _b, auth) = auth_session(false, t0);
    s.handle_bytes(&final_connack(), t0).unwrap();
    assert!(s.is_connected());
    assert_eq!(
        *auth.seen.lock().unwrap(),
        ["start", "challenge nonce-1", "finish server-proof"]
    );
}

#[test]
fn a_server_proof_the_authenticator_refuses_fails_the_connection() {
    let t0 = Instant::now();
    let (mut s, _b, _auth) = auth_session(true, t0);
    let err = s.handle_bytes(&final_connack(), t0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth, "{err}");
    assert!(!s.is_connected());
}

#[test]
fn an_auth_challenge_nobody_asked_for_is_a_protocol_error() {
    let t0 = Instant::now();
    let mut s = Session::new(v5_config());
    let mut b = FakeBroker::v5();
    s.connect(params(ConnectProperties::default()), t0).unwrap();
    b.receive(&mut s);
    let err = s
        .handle_bytes(&wire(Packet::Auth(Auth::default())), t0)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
}

#[test]
fn mqtt5_features_under_3_1_1_are_invalid_arguments_and_nothing_is_sent() {
    let t0 = Instant::now();
    let mut s = Session::new(SessionConfig::default());
    let mut b = FakeBroker::new();
    let err = s
        .connect(
            params(ConnectProperties {
                session_expiry_interval: Some(60),
                ..ConnectProperties::default()
            }),
            t0,
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("MQTT 5"), "{err}");
    s.connect(params(ConnectProperties::default()), t0).unwrap();
    b.receive(&mut s);
    s.handle_bytes(&super::tests::bytes_of_v311_connack(), t0)
        .unwrap();
    events(&mut s);
    let props = PublishProperties {
        content_type: Some("text/plain".into()),
        ..PublishProperties::default()
    };
    let err = s
        .publish_with("t", Bytes::new(), QoS::AtMostOnce, false, props, t0)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let no_local = SubscribeOptions {
        no_local: true,
        ..SubscribeOptions::qos(QoS::AtMostOnce)
    };
    let err = s
        .subscribe_with(&[("t", no_local)], SubscribeProperties::default(), t0)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(b.receive(&mut s).is_empty());
}

#[test]
fn a_payload_marked_utf8_must_be_utf8() {
    let t0 = Instant::now();
    let (mut s, _b) = connected(
        v5_config(),
        ConnectProperties::default(),
        Properties::default(),
        t0,
    );
    let utf8 = || PublishProperties {
        payload_format_utf8: Some(true),
        ..PublishProperties::default()
    };
    let err = s
        .publish_with(
            "t",
            Bytes::from_static(b"\xff"),
            QoS::AtMostOnce,
            false,
            utf8(),
            t0,
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    s.publish_with(
        "t",
        Bytes::from_static(b"ok"),
        QoS::AtMostOnce,
        false,
        utf8(),
        t0,
    )
    .unwrap();
}

#[test]
fn a_response_topic_must_be_a_topic_name() {
    // MQTT 5 section 3.3.2.3.5: a response topic is a topic name, so no
    // wildcards; the broker would end the connection for one.
    let t0 = Instant::now();
    let (mut s, mut b) = connected(
        v5_config(),
        ConnectProperties::default(),
        Properties::default(),
        t0,
    );
    for bad in ["replies/#", "replies/+/x", ""] {
        let props = PublishProperties {
            response_topic: Some(bad.into()),
            ..PublishProperties::default()
        };
        let err = s
            .publish_with("t", Bytes::new(), QoS::AtMostOnce, false, props, t0)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad:?}");
        assert!(err.to_string().contains("response topic"), "{err}");
    }
    assert!(b.receive(&mut s).is_empty());
}

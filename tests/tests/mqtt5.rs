//! MQTT 5 against a real mosquitto (2.0 speaks 5.0 on the same listeners):
//! CONNACK properties, publish properties end to end, subscription options
//! and identifiers, topic aliases, refusals with reason codes, and 3.1.1
//! and 5.0 clients side by side. (mosquitto 2.0.11 closes a taken-over
//! session without the DISCONNECT 0x8E it should send, so a server's
//! DISCONNECT is tested in the session's unit tests and the interop matrix.)

use std::time::Duration;

use mqttws::{
    Bytes, Client, ClientOptions, ConnectProperties, Error, ErrorKind, ProtocolVersion,
    PublishProperties, QoS, RetainHandling, SubscribeOptions, SubscribeProperties, Will,
};
use mqttws_tests::{Broker, BrokerConfig, unique};

const WAIT: Option<Duration> = Some(Duration::from_secs(10));

fn v5(url: &str) -> ClientOptions {
    ClientOptions::new(url)
        .client_id(unique("v5"))
        .protocol_version(ProtocolVersion::V5)
        .connect_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(10))
}

fn connected(o: ClientOptions) -> Client {
    let c = Client::new(o).expect("valid options");
    c.connect().expect("connect");
    c
}

#[test]
fn connack_properties_reach_connect_info_and_an_empty_id_is_assigned() {
    let b = Broker::start();
    let c = Client::new(v5(&b.ws_url("/mqtt")).client_id("")).unwrap();
    let info = c.connect().unwrap();
    let assigned = info
        .properties
        .assigned_client_identifier
        .clone()
        .expect("mosquitto assigns an id to an empty one under MQTT 5");
    assert!(!assigned.is_empty());
    assert!(!info.session_present);
    // mosquitto 2.0 announces its topic alias maximum (10 by default).
    assert!(
        info.properties.topic_alias_maximum.unwrap_or(0) > 0,
        "{info:?}"
    );
    c.disconnect().unwrap();
}

#[test]
fn publish_properties_travel_end_to_end_over_ws_and_wss() {
    let b = Broker::start();
    for url in [b.ws_url("/mqtt"), b.wss_url("/mqtt")] {
        let o = v5(&url).ca_file(b.ca_pem_path());
        let sub = connected(o.clone());
        let pubr = connected(o.client_id(unique("pub")));
        let topic = unique("props");
        sub.subscribe(&[(&topic, QoS::ExactlyOnce)]).unwrap();
        let sent = PublishProperties {
            payload_format_utf8: Some(true),
            message_expiry_interval: Some(300),
            content_type: Some("application/json".into()),
            response_topic: Some(format!("{topic}/reply")),
            correlation_data: Some(Bytes::from_static(b"req-1")),
            user_properties: vec![("unit".into(), "C".into()), ("unit".into(), "K".into())],
            ..PublishProperties::default()
        };
        for qos in [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce] {
            let id = pubr
                .publish_with(&topic, "{\"t\":21}", qos, false, sent.clone())
                .unwrap();
            if let Some(id) = id {
                pubr.wait_for(id, None).unwrap();
            }
            let m = sub.recv(WAIT).unwrap().expect("message");
            assert_eq!((m.topic.as_str(), m.qos), (topic.as_str(), qos));
            let got = m.properties.expect("an MQTT 5 message carries properties");
            assert_eq!(got.payload_format_utf8, Some(true));
            assert_eq!(got.content_type, sent.content_type);
            assert_eq!(got.response_topic, sent.response_topic);
            assert_eq!(got.correlation_data, sent.correlation_data);
            assert_eq!(
                got.user_properties, sent.user_properties,
                "order and repeats kept"
            );
            // The broker counts the expiry down; it is present and not more.
            assert!(
                got.message_expiry_interval.is_some_and(|s| s <= 300),
                "{got:?}"
            );
        }
        sub.disconnect().unwrap();
        pubr.disconnect().unwrap();
    }
}

#[test]
fn no_local_subscription_identifiers_and_retain_handling_work_on_the_broker() {
    let b = Broker::start();
    let url = b.ws_url("/mqtt");
    let c = connected(v5(&url));
    let other = connected(v5(&url));
    let topic = unique("opts");
    let retained = unique("retained");
    other
        .publish_and_wait(&retained, "kept", QoS::AtLeastOnce, true)
        .unwrap();

    let no_local = SubscribeOptions {
        no_local: true,
        ..SubscribeOptions::qos(QoS::AtLeastOnce)
    };
    let dont_send_retained = SubscribeOptions {
        retain_handling: RetainHandling::DoNotSend,
        ..SubscribeOptions::qos(QoS::AtLeastOnce)
    };
    let reply = c
        .subscribe_with(
            &[(&topic, no_local), (&retained, dont_send_retained)],
            SubscribeProperties {
                subscription_identifier: Some(77),
                user_properties: Vec::new(),
            },
        )
        .unwrap();
    assert_eq!(reply.granted, vec![Some(QoS::AtLeastOnce); 2]);
    assert_eq!(reply.reason_codes, vec![1, 1]);

    // Our own message is not echoed (no local); another client's is, with
    // the subscription identifier; the retained message is not sent.
    c.publish_and_wait(&topic, "mine", QoS::AtLeastOnce, false)
        .unwrap();
    other
        .publish_and_wait(&topic, "theirs", QoS::AtLeastOnce, false)
        .unwrap();
    let m = c.recv(WAIT).unwrap().expect("the other client's message");
    assert_eq!(&m.payload[..], b"theirs");
    assert_eq!(m.properties.unwrap().subscription_identifiers, vec![77]);
    assert!(c.recv(Some(Duration::from_millis(300))).unwrap().is_none());

    let codes = c
        .unsubscribe_with(&[&topic, "never/subscribed"], Vec::new())
        .unwrap();
    assert_eq!(codes, vec![0x00, 0x11]);
    other
        .publish_and_wait(&retained, "", QoS::AtLeastOnce, true)
        .unwrap();
}

#[test]
fn many_publishes_on_one_topic_use_aliases_and_all_arrive_in_order() {
    let b = Broker::start();
    let url = b.ws_url("/mqtt");
    let sub = connected(v5(&url).connect_properties(ConnectProperties {
        topic_alias_maximum: Some(5),
        ..ConnectProperties::default()
    }));
    let pubr = connected(v5(&url));
    let topics: Vec<String> = (0..3).map(|i| unique(&format!("alias{i}"))).collect();
    for t in &topics {
        sub.subscribe(&[(t, QoS::AtLeastOnce)]).unwrap();
    }
    let mut expected = Vec::new();
    for n in 0..30 {
        let t = &topics[n % topics.len()];
        pubr.publish_and_wait(t, n.to_string(), QoS::AtLeastOnce, false)
            .unwrap();
        expected.push((t.clone(), n.to_string()));
    }
    let mut got = Vec::new();
    while got.len() < expected.len() {
        let m = sub.recv(WAIT).unwrap().expect("message");
        got.push((m.topic, String::from_utf8(m.payload.to_vec()).unwrap()));
    }
    assert_eq!(got, expected);
}

#[test]
fn a_publish_the_broker_refuses_is_an_error_with_its_reason_code_and_the_link_stays_up() {
    let b = Broker::start();
    let c = connected(v5(&b.ws_url("/mqtt")));
    // mosquitto refuses writes to $SYS from clients: under MQTT 5 it says
    // so in PUBACK (0x87 not authorized) instead of dropping silently.
    let err = c
        .publish_and_wait("$SYS/mqttws-test", "x", QoS::AtLeastOnce, false)
        .unwrap_err();
    match &err {
        Error::Rejected { code, .. } => assert_eq!(*code, 0x87, "{err}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(!err.is_fatal());
    assert!(c.is_connected());
    assert_eq!(c.inflight(), 0, "a refused message is done, not resent");
    // The wait reported the refusal, so it took the Rejected event too, as a
    // completed wait takes its Published event.
    assert!(
        c.poll(Some(Duration::from_millis(200))).unwrap().is_none(),
        "the refusal was reported twice"
    );
    // QoS 2: refused in PUBREC.
    let err = c
        .publish_and_wait("$SYS/mqttws-test", "x", QoS::ExactlyOnce, false)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err}");
    c.publish_and_wait(&unique("ok"), "fine", QoS::AtLeastOnce, false)
        .unwrap();
}

#[test]
fn a_will_with_properties_and_a_311_subscriber_see_the_same_message() {
    let b = Broker::start();
    let url = b.ws_url("/mqtt");
    let topic = unique("will5");
    let old = connected(
        ClientOptions::new(&url)
            .client_id(unique("v311"))
            .connect_timeout(Duration::from_secs(10)),
    );
    old.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();
    let watcher = connected(v5(&url));
    watcher.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();
    let mut will = Will::new(topic.clone(), "gone", QoS::AtLeastOnce, false);
    will.properties.content_type = Some("text/plain".into());
    let dying = connected(v5(&url).will(will).keepalive(5));
    drop(dying); // no DISCONNECT: the broker publishes the will
    let m = old
        .recv(WAIT)
        .unwrap()
        .expect("the will, to a 3.1.1 client");
    assert_eq!(
        (&m.payload[..], m.properties.is_none()),
        (&b"gone"[..], true)
    );
    let m = watcher
        .recv(WAIT)
        .unwrap()
        .expect("the will, to a 5.0 client");
    assert_eq!(
        m.properties.unwrap().content_type.as_deref(),
        Some("text/plain")
    );
}

#[test]
fn properties_under_3_1_1_are_refused_before_anything_is_sent() {
    let b = Broker::start();
    let c = connected(ClientOptions::new(b.ws_url("/mqtt")).client_id(unique("old")));
    let props = PublishProperties {
        content_type: Some("text/plain".into()),
        ..PublishProperties::default()
    };
    let err = c
        .publish_with("t", "x", QoS::AtMostOnce, false, props)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("MQTT 5"), "{err}");
    assert!(c.is_connected());
}

#[test]
fn publish_properties_with_a_durable_store_are_refused_not_lost_on_restart() {
    let b = Broker::start();
    let dir = b.dir().join(unique("store"));
    let c = connected(v5(&b.ws_url("/mqtt")).store_dir(&dir));
    let props = PublishProperties {
        message_expiry_interval: Some(60),
        ..PublishProperties::default()
    };
    let err = c
        .publish_with("t", "x", QoS::AtLeastOnce, false, props.clone())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("durable store"), "{err}");
    // QoS 0 is never stored, so its properties are fine.
    c.publish_with("t", "x", QoS::AtMostOnce, false, props)
        .unwrap();
    assert_eq!(c.inflight(), 0);
}

#[test]
fn the_brokers_receive_maximum_bounds_the_messages_in_flight() {
    // mosquitto announces max_inflight_messages as its receive maximum.
    let b = Broker::start_with(BrokerConfig::new().extra_config("max_inflight_messages 3"));
    let c = connected(v5(&b.ws_url("/mqtt")).inflight_window(20));
    let topic = unique("window");
    let mut ids = Vec::new();
    let mut most = 0;
    for n in 0..30 {
        // publish() waits while the window is full, so in flight never
        // exceeds the broker's 3 although ours would allow 20.
        ids.push(
            c.publish(&topic, n.to_string(), QoS::AtLeastOnce, false)
                .unwrap()
                .unwrap(),
        );
        most = most.max(c.inflight());
    }
    assert_eq!(
        most, 3,
        "the window fills to the broker's receive maximum, no further"
    );
    for id in ids {
        c.wait_for(id, None).unwrap();
    }
    assert_eq!(c.inflight(), 0);
}

#[test]
fn a_retained_message_expires_on_the_broker() {
    let b = Broker::start();
    let url = b.ws_url("/mqtt");
    let pubr = connected(v5(&url));
    let short = unique("expiring");
    let long = unique("kept");
    let expiring = |secs| PublishProperties {
        message_expiry_interval: Some(secs),
        ..PublishProperties::default()
    };
    pubr.publish_with(&short, "soon gone", QoS::AtLeastOnce, true, expiring(1))
        .and_then(|id| pubr.wait_for(id.unwrap(), None))
        .unwrap();
    pubr.publish_with(&long, "still here", QoS::AtLeastOnce, true, expiring(600))
        .and_then(|id| pubr.wait_for(id.unwrap(), None))
        .unwrap();
    let retained = |topic: &str| {
        let s = connected(v5(&url));
        s.subscribe(&[(topic, QoS::AtLeastOnce)]).unwrap();
        s.recv(Some(Duration::from_millis(500))).unwrap()
    };
    // Each attempt takes at least 0.5 s (the receive timeout), so the loop
    // is bounded by its deadline, not by a sleep.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        match retained(&short) {
            None => break,
            Some(m) => {
                let left = m.properties.unwrap().message_expiry_interval;
                assert!(left.is_some_and(|s| s <= 1), "{left:?}");
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the retained message never expired"
        );
    }
    let kept = retained(&long).expect("a message with a long expiry stays retained");
    assert_eq!(&kept.payload[..], b"still here");
    pubr.publish_and_wait(&long, "", QoS::AtLeastOnce, true)
        .unwrap();
}

//! The Rust client against a real mosquitto over ws:// and wss://.
//!
//! Every wait is bounded: `recv` calls take a timeout and the client's own
//! connect/operation timeouts are short.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mqttws::{
    Client, ClientOptions, ConnectReturnCode, Error, ErrorKind, Event, QoS, TimeoutPhase, Will,
};
use mqttws_tests::{Broker, BrokerConfig, RepeatedInterrupt, unique};

const WAIT: Option<Duration> = Some(Duration::from_secs(10));

fn options(url: &str) -> ClientOptions {
    ClientOptions::new(url)
        .client_id(unique("c"))
        .connect_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(10))
}

fn tls(broker: &Broker, url: &str) -> ClientOptions {
    options(url).ca_file(broker.ca_pem_path())
}

fn connected(o: ClientOptions) -> Client {
    let c = Client::new(o).expect("client options are valid");
    c.connect().expect("connect");
    c
}

fn round_trip(broker: &Broker, o: ClientOptions) {
    let c = connected(o);
    let topic = unique("rt");
    let granted = c.subscribe(&[(&topic, QoS::ExactlyOnce)]).unwrap();
    assert_eq!(granted, vec![Some(QoS::ExactlyOnce)]);
    for qos in [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce] {
        let body = format!("payload at {qos:?}");
        c.publish_and_wait(&topic, body.clone(), qos, false)
            .unwrap();
        let m = c
            .recv(WAIT)
            .unwrap()
            .unwrap_or_else(|| panic!("no message at {qos:?}; log:\n{}", broker.log()));
        assert_eq!(
            (m.topic.as_str(), &m.payload[..], m.qos, m.retain),
            (topic.as_str(), body.as_bytes(), qos, false)
        );
    }
    c.disconnect().unwrap();
    assert!(!c.is_connected());
}

#[test]
fn qos_0_1_2_round_trip_over_ws() {
    let b = Broker::start();
    round_trip(&b, options(&b.ws_url("/mqtt")));
}

#[test]
fn qos_0_1_2_round_trip_over_wss() {
    let b = Broker::start();
    round_trip(&b, tls(&b, &b.wss_url("/mqtt")));
}

#[test]
fn many_qos1_messages_arrive_in_order_without_loss() {
    let b = Broker::start();
    let c = connected(options(&b.ws_url("/mqtt")));
    let topic = unique("order");
    c.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();
    let n = 5_000u32;
    for i in 0..n {
        c.publish(&topic, i.to_be_bytes().to_vec(), QoS::AtLeastOnce, false)
            .unwrap();
    }
    for i in 0..n {
        let m = c.recv(WAIT).unwrap().expect("message");
        assert_eq!(u32::from_be_bytes(m.payload[..4].try_into().unwrap()), i);
    }
    assert_eq!(c.inflight(), 0, "every publish was acknowledged");
}

/// `cork` holds a batch's bytes back until `uncork` (bounded by 16 KiB and
/// by any call that waits), and the batch arrives whole and in order.
#[test]
fn a_corked_batch_leaves_at_uncork_and_arrives_in_order() {
    let b = Broker::start();
    for o in [options(&b.ws_url("/mqtt")), tls(&b, &b.wss_url("/mqtt"))] {
        let rx = connected(o.clone());
        let tx = connected(o.client_id(unique("s")));
        let topic = unique("cork");
        rx.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();

        tx.cork();
        tx.publish(&topic, "held", QoS::AtMostOnce, false).unwrap();
        // Nothing on the wire yet: the receiver sees nothing within a bounded wait.
        let early = rx.recv(Some(Duration::from_millis(300))).unwrap();
        assert!(early.is_none(), "sent while corked: {early:?}");
        tx.uncork().unwrap();
        let m = rx
            .recv(WAIT)
            .unwrap()
            .expect("the held message after uncork");
        assert_eq!(&m.payload[..], b"held");

        // flush() writes without ending the cork: what follows is held again.
        tx.cork();
        tx.publish(&topic, "flushed", QoS::AtMostOnce, false)
            .unwrap();
        tx.flush().unwrap();
        let m = rx.recv(WAIT).unwrap().expect("the message flush() wrote");
        assert_eq!(&m.payload[..], b"flushed");
        tx.publish(&topic, "held again", QoS::AtMostOnce, false)
            .unwrap();
        let early = rx.recv(Some(Duration::from_millis(300))).unwrap();
        assert!(early.is_none(), "sent while still corked: {early:?}");
        tx.uncork().unwrap();
        let m = rx
            .recv(WAIT)
            .unwrap()
            .expect("the message held after flush");
        assert_eq!(&m.payload[..], b"held again");

        // Over the limit, a corked publish writes anyway.
        tx.cork();
        tx.publish(&topic, vec![7u8; 20 * 1024], QoS::AtMostOnce, false)
            .unwrap();
        let m = rx
            .recv(WAIT)
            .unwrap()
            .expect("a large message without uncork");
        assert_eq!(m.payload.len(), 20 * 1024);
        tx.uncork().unwrap();

        // A batch larger than the inflight window (its waits write), QoS 0 and 1.
        let n = 500u32;
        tx.cork();
        for i in 0..n {
            let qos = if i % 2 == 0 {
                QoS::AtMostOnce
            } else {
                QoS::AtLeastOnce
            };
            tx.publish(&topic, i.to_be_bytes().to_vec(), qos, false)
                .unwrap();
        }
        tx.uncork().unwrap();
        // MQTT orders messages per QoS level only (the broker may pass
        // QoS 0 ahead of QoS 1 held back by the receiver's window).
        let mut next = [0u32, 1];
        for _ in 0..n {
            let m = rx.recv(WAIT).unwrap().expect("every message of the batch");
            let i = u32::from_be_bytes(m.payload[..4].try_into().unwrap());
            let level = (i % 2) as usize;
            assert_eq!(i, next[level], "out of order at QoS {level}");
            next[level] += 2;
        }
        rx.disconnect().unwrap();
        tx.disconnect().unwrap();
    }
}

#[test]
fn retained_message_is_delivered_to_a_later_subscriber() {
    let b = Broker::start();
    let topic = unique("retained");
    let p = connected(options(&b.ws_url("/mqtt")));
    p.publish_and_wait(&topic, "kept", QoS::AtLeastOnce, true)
        .unwrap();
    p.disconnect().unwrap();
    let s = connected(options(&b.ws_url("/mqtt")));
    s.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();
    let m = s.recv(WAIT).unwrap().expect("retained message");
    assert!(m.retain);
    assert_eq!(&m.payload[..], b"kept");
}

#[test]
fn last_will_is_published_when_the_client_dies_and_not_after_disconnect() {
    let b = Broker::start();
    let topic = unique("will");
    let watcher = connected(options(&b.ws_url("/mqtt")));
    watcher.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();
    let will = |body: &'static str| Will::new(topic.clone(), body, QoS::AtLeastOnce, false);

    // A clean disconnect: no will.
    let polite = connected(options(&b.ws_url("/mqtt")).will(will("polite")));
    polite.disconnect().unwrap();
    // Dropping the client closes the socket without DISCONNECT: the broker sends the will.
    let dying = connected(options(&b.ws_url("/mqtt")).will(will("died")));
    drop(dying);
    let m = watcher.recv(WAIT).unwrap().expect("will message");
    assert_eq!(
        &m.payload[..],
        b"died",
        "only the dead client's will arrives"
    );
}

/// Keeps mosquitto's main loop turning while it lives. mosquitto 2.0.11 moves
/// WebSocket output one libwebsockets write per loop turn, and an idle loop
/// turns every 100 ms, so a 1 MiB message to a WebSocket client takes ~25 s
/// on an idle broker (paho-mqtt sees the same). A plain-TCP MQTT connection
/// sending PINGREQ every millisecond keeps it turning (as the shared
/// benchmark's waker.py does). The 1 ms pause is a rate limit, not a
/// synchronisation; the thread stops on drop and after 120 s at most.
struct BrokerWaker {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BrokerWaker {
    fn start(broker: &Broker) -> Self {
        use std::sync::atomic::Ordering;
        let mut sock = std::net::TcpStream::connect(("127.0.0.1", broker.tcp_port())).unwrap();
        sock.set_nodelay(true).unwrap();
        let id = unique("waker");
        let mut body = b"\x00\x04MQTT\x04\x02\x02\x58".to_vec(); // 3.1.1, clean, keepalive 600 s
        body.extend((id.len() as u16).to_be_bytes());
        body.extend(id.as_bytes());
        let mut connect = vec![0x10, body.len() as u8];
        connect.extend(body);
        sock.write_all(&connect).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut ack = [0u8; 4];
        sock.read_exact(&mut ack).unwrap();
        assert_eq!(ack, [0x20, 2, 0, 0], "waker CONNACK");
        sock.set_nonblocking(true).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let end = Instant::now() + Duration::from_secs(120);
            let mut sink = [0u8; 256];
            while !flag.load(Ordering::Relaxed) && Instant::now() < end {
                let _ = sock.write_all(&[0xc0, 0]);
                while matches!(sock.read(&mut sink), Ok(n) if n > 0) {}
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for BrokerWaker {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn one_mib_payload_round_trips_over_ws_and_wss() {
    let b = Broker::start();
    let _waker = BrokerWaker::start(&b);
    let payload: Vec<u8> = (0..(1 << 20)).map(|i| (i % 251) as u8).collect();
    for o in [options(&b.ws_url("/mqtt")), tls(&b, &b.wss_url("/mqtt"))] {
        let c = connected(o);
        let topic = unique("big");
        c.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();
        c.publish_and_wait(&topic, payload.clone(), QoS::AtLeastOnce, false)
            .unwrap();
        let m = c.recv(WAIT).unwrap().expect("1 MiB message");
        assert_eq!(m.payload.len(), payload.len());
        assert!(m.payload[..] == payload[..]);
    }
}

#[test]
fn a_packet_over_the_incoming_limit_ends_the_connection_with_a_protocol_error() {
    let b = Broker::start();
    let c = connected(options(&b.ws_url("/mqtt")).max_packet_size(1000));
    let topic = unique("limit");
    c.subscribe(&[(&topic, QoS::AtMostOnce)]).unwrap();
    c.publish(&topic, vec![0u8; 2000], QoS::AtMostOnce, false)
        .unwrap();
    let err = c.recv(WAIT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(
        err.to_string()
            .contains("exceeds the maximum packet size of 1000"),
        "{err}"
    );
    assert!(!c.is_connected());
    assert_eq!(
        c.publish(&topic, "x", QoS::AtMostOnce, false)
            .unwrap_err()
            .kind(),
        ErrorKind::Closed
    );
}

#[test]
fn persistent_session_receives_messages_queued_while_offline() {
    let b = Broker::start();
    let id = unique("persist");
    let topic = unique("offline");
    let o = options(&b.ws_url("/mqtt"))
        .client_id(id.clone())
        .clean_session(false);
    let sub = connected(o.clone());
    sub.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();
    sub.disconnect().unwrap();

    let p = connected(options(&b.ws_url("/mqtt")));
    for i in 0..3 {
        p.publish_and_wait(&topic, format!("queued {i}"), QoS::AtLeastOnce, false)
            .unwrap();
    }
    let info = sub.connect().unwrap();
    assert!(info.session_present, "the broker kept the session");
    for i in 0..3 {
        let m = sub.recv(WAIT).unwrap().expect("queued message");
        assert_eq!(m.payload, format!("queued {i}").as_bytes());
    }
    // A clean session on the same id discards it.
    sub.disconnect().unwrap();
    let fresh = Client::new(o.clean_session(true)).unwrap();
    assert!(!fresh.connect().unwrap().session_present);
}

#[test]
fn wrong_ca_gives_a_tls_error_naming_the_cause() {
    let b = Broker::start();
    let c = Client::new(options(&b.wss_url("/mqtt")).ca_pem(b.wrong_ca_pem())).unwrap();
    let err = c.connect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Tls, "{err}");
    assert!(err.to_string().contains("unknown CA"), "{err}");
}

#[test]
fn hostname_mismatch_is_named() {
    let b = Broker::start();
    // The server certificate is for 127.0.0.1 and localhost, not 127.0.0.2.
    let url = b.wss_url("/mqtt").replace("127.0.0.1", "127.0.0.2");
    let c = Client::new(tls(&b, &url)).unwrap();
    match c.connect() {
        Err(e) if e.kind() == ErrorKind::Tls => {
            assert!(e.to_string().contains("hostname mismatch"), "{e}")
        }
        // The listener is bound to lo (127.0.0.1) only in some set-ups; then 127.0.0.2 is refused.
        Err(e) => assert_eq!(e.kind(), ErrorKind::Io, "{e}"),
        Ok(_) => panic!("connected despite a certificate for another name"),
    }
}

#[test]
fn insecure_switch_accepts_an_untrusted_server() {
    let b = Broker::start();
    let c = Client::new(options(&b.wss_url("/mqtt")).insecure_skip_verify(true)).unwrap();
    c.connect().unwrap();
}

#[test]
fn mtls_listener_accepts_a_client_certificate_and_refuses_without_one() {
    let b = Broker::start();
    let url = b.wss_mtls_url("/mqtt");
    let with = tls(&b, &url).client_cert_files(b.client_cert_path(), b.client_key_path());
    round_trip(&b, with);
    let without = Client::new(tls(&b, &url)).unwrap();
    let err = without.connect().unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Tls | ErrorKind::Closed | ErrorKind::Io
        ),
        "refused without a client certificate, got {err}"
    );
}

#[test]
fn wrong_password_is_refused_with_the_connack_code() {
    let b = Broker::start_with(BrokerConfig::new().password("alice", "correct horse"));
    let good = options(&b.ws_auth_url("/mqtt")).credentials("alice", "correct horse");
    connected(good);
    let bad = Client::new(options(&b.ws_auth_url("/mqtt")).credentials("alice", "wrong")).unwrap();
    let err = bad.connect().unwrap_err();
    assert!(
        matches!(
            err,
            Error::ConnectionRefused {
                code: ConnectReturnCode::NotAuthorized | ConnectReturnCode::BadUserNameOrPassword,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        !err.to_string().contains("wrong"),
        "the password must not appear in the error: {err}"
    );
    assert!(!format!("{bad:?}").contains("wrong"), "nor in Debug output");
}

#[test]
fn keepalive_keeps_an_idle_connection_alive_through_ping_exchanges() {
    let b = Broker::start();
    let c = connected(options(&b.ws_url("/mqtt")).keepalive(1));
    // 3.5 s of idleness: at least three PINGREQ/PINGRESP rounds, or the broker
    // (1.5 x keepalive) or the client (no PINGRESP) would have dropped us.
    let start = Instant::now();
    assert!(c.recv(Some(Duration::from_millis(3500))).unwrap().is_none());
    assert!(start.elapsed() >= Duration::from_millis(3400));
    assert!(c.is_connected());
    let topic = unique("alive");
    c.subscribe(&[(&topic, QoS::AtMostOnce)]).unwrap();
}

#[test]
fn interrupt_from_another_thread_wakes_a_blocked_recv_promptly() {
    let b = Broker::start();
    let c = connected(options(&b.ws_url("/mqtt")));
    let interrupter = RepeatedInterrupt::start(c.interrupt_handle());
    let err = c.recv(Some(Duration::from_secs(30))).unwrap_err();
    let woke = Instant::now();
    let sent = interrupter.stop();
    assert!(matches!(err, Error::Interrupted));
    assert!(
        woke.saturating_duration_since(sent) < Duration::from_millis(100),
        "took {:?}",
        woke.saturating_duration_since(sent)
    );
    // Nothing stays pending: the next call is not interrupted.
    assert!(c.recv(Some(Duration::from_millis(50))).unwrap().is_none());
    assert!(c.is_connected(), "an interrupt does not end the connection");
    c.subscribe(&[(&unique("after"), QoS::AtMostOnce)]).unwrap();
}

#[test]
fn recv_timeout_returns_none_without_error() {
    let b = Broker::start();
    let c = connected(options(&b.ws_url("/mqtt")));
    let start = Instant::now();
    assert!(c.recv(Some(Duration::from_millis(300))).unwrap().is_none());
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(290) && took < Duration::from_secs(3),
        "{took:?}"
    );
}

/// The client reads the socket only when epoll has reported it readable
/// since the last read found it empty; a caller that never blocks (a game
/// loop polling with a zero timeout) must still see what arrives between its
/// calls, over ws and wss.
#[test]
fn a_caller_that_only_polls_with_a_zero_timeout_receives_every_message() {
    let b = Broker::start();
    for o in [options(&b.ws_url("/mqtt")), tls(&b, &b.wss_url("/mqtt"))] {
        let c = connected(o.clone());
        let sender = connected(o.client_id(unique("s")));
        let topic = unique("zero");
        c.subscribe(&[(&topic, QoS::AtMostOnce)]).unwrap();
        for i in 0..20u8 {
            sender
                .publish(&topic, vec![i], QoS::AtMostOnce, false)
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(10);
            let m = loop {
                if let Some(Event::Message(m)) = c.poll(Some(Duration::ZERO)).unwrap() {
                    break m;
                }
                assert!(
                    Instant::now() < deadline,
                    "message {i} never seen by poll(0)"
                );
                std::thread::sleep(Duration::from_millis(1));
            };
            assert_eq!(&m.payload[..], &[i]);
        }
        c.disconnect().unwrap();
        sender.disconnect().unwrap();
    }
}

#[test]
fn poll_returns_acknowledgements_as_events() {
    let b = Broker::start();
    let c = connected(options(&b.ws_url("/mqtt")));
    let id = c
        .publish(&unique("ack"), "x", QoS::AtLeastOnce, false)
        .unwrap()
        .unwrap();
    match c.poll(WAIT).unwrap() {
        Some(Event::Published { packet_id }) => assert_eq!(packet_id, id),
        other => panic!("{other:?}"),
    }
}

#[test]
fn calls_before_connect_and_invalid_arguments_fail_cleanly() {
    let b = Broker::start();
    let c = Client::new(options(&b.ws_url("/mqtt"))).unwrap();
    assert_eq!(
        c.publish("t", "x", QoS::AtMostOnce, false)
            .unwrap_err()
            .kind(),
        ErrorKind::Closed
    );
    assert_eq!(c.recv(WAIT).unwrap_err().kind(), ErrorKind::Closed);
    c.connect().unwrap();
    assert_eq!(c.connect().unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        c.publish("a/#", "x", QoS::AtMostOnce, false)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        c.subscribe(&[("a/#/b", QoS::AtMostOnce)])
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    assert!(
        c.is_connected(),
        "invalid arguments do not end the connection"
    );
    assert!(Client::new(ClientOptions::new("http://example.com/")).is_err());
    assert!(
        Client::new(options(&b.ws_url("/")).header("Sec-WebSocket-Protocol", "mqttv3.1")).is_err()
    );
}

#[test]
fn connection_refused_port_is_an_io_error() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = Client::new(options(&format!("ws://127.0.0.1:{port}/mqtt"))).unwrap();
    assert_eq!(c.connect().unwrap_err().kind(), ErrorKind::Io);
}

/// A scripted HTTP server (mosquitto accepts any path and always upgrades, so
/// cloud-style refusals need a server of our own): accepts one connection,
/// captures the request head, and answers with `response` (or nothing).
fn scripted_server(response: Option<&'static str>) -> (u16, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut reader = BufReader::new(sock.try_clone().unwrap());
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let key = head
            .lines()
            .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
            .unwrap_or_default()
            .trim()
            .to_owned();
        let _ = tx.send(head);
        match response {
            Some(r) => {
                let accept = tungstenite_accept(&key);
                let _ = sock.write_all(r.replace("{accept}", &accept).as_bytes());
                // Hold the socket until the client closes it.
                let _ = sock.read(&mut [0u8; 64]);
            }
            None => {
                let _ = sock.read(&mut [0u8; 64]);
            }
        }
    });
    (port, rx)
}

fn tungstenite_accept(key: &str) -> String {
    tungstenite::handshake::derive_accept_key(key.as_bytes())
}

#[test]
fn wrong_path_gives_a_handshake_error_with_status_and_body() {
    let (port, _) = scripted_server(Some(
        "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 38\r\n\r\n{\"code\":404,\"message\":\"no such path\"}",
    ));
    let c = Client::new(options(&format!("ws://127.0.0.1:{port}/wrong"))).unwrap();
    match c.connect().unwrap_err() {
        Error::Handshake { status, body, .. } => {
            assert_eq!(status, Some(404));
            assert!(body.contains("no such path"), "{body}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_server_that_selects_no_subprotocol_is_refused_clearly() {
    let (port, _) = scripted_server(Some(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n",
    ));
    let c = Client::new(options(&format!("ws://127.0.0.1:{port}/mqtt"))).unwrap();
    let err = c.connect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Handshake, "{err}");
    assert!(err.to_string().contains("\"mqtt\""), "{err}");
}

#[test]
fn a_server_that_selects_another_subprotocol_is_refused_clearly() {
    let (port, _) = scripted_server(Some(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: mqttv3.1\r\n\r\n",
    ));
    let c = Client::new(options(&format!("ws://127.0.0.1:{port}/mqtt"))).unwrap();
    let err = c.connect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Handshake, "{err}");
    assert!(err.to_string().contains("other than \"mqtt\""), "{err}");
}

#[test]
fn upgrade_request_has_exact_path_host_without_default_port_and_extra_headers() {
    let (port, head) = scripted_server(None);
    let query = "/mqtt?X-Amz-Credential=AKID%2F20150830%2Fus-east-1&x=a%2Bb";
    let c = Client::new(
        options(&format!("ws://127.0.0.1:{port}{query}"))
            .header("x-amz-customauthorizer-name", "my-authorizer")
            .connect_timeout(Duration::from_millis(500)),
    )
    .unwrap();
    let err = c.connect().unwrap_err();
    assert!(
        matches!(err, Error::Timeout(TimeoutPhase::WebSocketHandshake)),
        "{err:?}"
    );
    let head = head.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(
        head.starts_with(&format!("GET {query} HTTP/1.1\r\n")),
        "{head}"
    );
    assert!(
        head.contains(&format!("Host: 127.0.0.1:{port}\r\n")),
        "{head}"
    );
    assert!(head.contains("Sec-WebSocket-Protocol: mqtt\r\n"), "{head}");
    assert!(
        head.contains("x-amz-customauthorizer-name: my-authorizer\r\n"),
        "{head}"
    );
}

#[test]
fn the_connect_deadline_bounds_a_server_that_never_answers() {
    let (port, _) = scripted_server(None);
    let c = Client::new(
        options(&format!("ws://127.0.0.1:{port}/mqtt")).connect_timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let start = Instant::now();
    let err = c.connect().unwrap_err();
    assert!(
        matches!(err, Error::Timeout(TimeoutPhase::WebSocketHandshake)),
        "{err:?}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn host_header_omits_the_default_port() {
    // Port 80 cannot be bound in tests; the URL layer is what builds the header.
    let u = mqttws::WsUrl::parse("ws://example.com:80/mqtt").unwrap();
    assert_eq!(u.host_header(), "example.com");
}

#[test]
fn publish_returns_only_once_the_bytes_are_with_the_kernel() {
    // 8 MiB of QoS 0 in 256 KiB messages overflows the socket's send buffer,
    // so some publishes meet a full socket. Afterwards the publisher is left
    // alone (no more calls, not dropped): everything must still arrive,
    // because nothing may stay behind in the client's own buffer.
    let b = Broker::start();
    let _waker = BrokerWaker::start(&b);
    let topic = unique("flushed");
    let sub = connected(options(&b.ws_url("/mqtt")));
    sub.subscribe(&[(&topic, QoS::AtMostOnce)]).unwrap();
    let publ = connected(options(&b.ws_url("/mqtt")));
    let chunk = vec![5u8; 256 * 1024];
    for _ in 0..32 {
        publ.publish(&topic, chunk.clone(), QoS::AtMostOnce, false)
            .unwrap();
    }
    let mut got = 0;
    while got < 32 {
        match sub.recv(Some(Duration::from_secs(60))).unwrap() {
            Some(m) => {
                assert_eq!(m.payload.len(), chunk.len());
                got += 1;
            }
            None => panic!("only {got} of 32 messages arrived while the publisher was idle"),
        }
    }
    drop(publ);
}

#[test]
fn an_acknowledgement_that_was_waited_for_is_not_reported_again_by_poll() {
    let b = Broker::start();
    let c = connected(options(&b.ws_url("/mqtt")));
    c.publish_and_wait(&unique("acked"), "x", QoS::AtLeastOnce, false)
        .unwrap();
    assert_eq!(c.poll(Some(Duration::from_millis(200))).unwrap(), None);
}

#[test]
fn a_burst_of_qos2_publishes_is_not_lost_with_the_default_window() {
    // mosquitto 2.0 drops QoS 2 PUBLISHes beyond its max_inflight_messages
    // (20) from an MQTT 3.1.1 client without telling it; the default window
    // must stay within that.
    let b = Broker::start();
    let topic = unique("qos2-burst");
    let c = connected(options(&b.ws_url("/mqtt")));
    c.subscribe(&[(&topic, QoS::ExactlyOnce)]).unwrap();
    let ids: Vec<_> = (0..200u32)
        .map(|i| {
            c.publish(&topic, i.to_be_bytes().to_vec(), QoS::ExactlyOnce, false)
                .unwrap()
                .unwrap()
        })
        .collect();
    let mut got = std::collections::HashSet::new();
    while got.len() < ids.len() {
        let m = c
            .recv(WAIT)
            .unwrap()
            .unwrap_or_else(|| panic!("only {} of 200 QoS 2 messages arrived", got.len()));
        assert!(
            got.insert(u32::from_be_bytes(m.payload[..4].try_into().unwrap())),
            "delivered twice"
        );
    }
}

#[test]
fn client_websocket_pings_are_answered_by_the_broker_and_keep_the_link_up() {
    // MQTT keepalive off: only the WebSocket PING/PONG exchange is checked.
    // A PING every 100 ms for 2.5 s; a PONG missing for 1 s would end the
    // link (the broker may take up to its 100 ms idle tick to answer).
    let b = Broker::start();
    let c = connected(
        options(&b.ws_url("/mqtt"))
            .keepalive(0)
            .ws_ping(Duration::from_millis(100), Duration::from_secs(1)),
    );
    assert!(c.recv(Some(Duration::from_millis(2500))).unwrap().is_none());
    assert!(c.is_connected());
}

#[test]
fn bad_arguments_are_invalid_argument_whether_connected_or_not() {
    let b = Broker::start();
    let mut c = Client::new(options(&b.ws_url("/mqtt"))).unwrap();
    let check = |c: &mut Client, state: &str| {
        for (what, r) in [
            (
                "publish to an empty topic",
                c.publish("", "x", QoS::AtMostOnce, false).err(),
            ),
            (
                "publish to a wildcard",
                c.publish("a/+", "x", QoS::AtLeastOnce, false).err(),
            ),
            (
                "subscribe to a/#/b",
                c.subscribe(&[("a/#/b", QoS::AtMostOnce)]).err(),
            ),
            ("subscribe to nothing", c.subscribe(&[]).err()),
            (
                "unsubscribe from an empty filter",
                c.unsubscribe(&[""]).err(),
            ),
        ] {
            let e = r.unwrap_or_else(|| panic!("{what} {state} succeeded"));
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{what} {state}: {e}");
        }
    };
    check(&mut c, "before connect");
    c.connect().unwrap();
    check(&mut c, "while connected");
    assert!(
        c.is_connected(),
        "a bad argument does not end the connection"
    );
}

#[test]
fn an_offline_message_too_large_for_mqtt_is_refused_and_the_client_still_connects() {
    let b = Broker::start();
    let c = Client::new(
        options(&b.ws_url("/mqtt")).offline_queue(mqttws::OfflineQueue {
            max_messages: 10,
            max_bytes: usize::MAX,
            when_full: mqttws::QueueFull::Error,
        }),
    )
    .unwrap();
    let huge = mqttws::Bytes::from(vec![0u8; 268_435_451]);
    let e = c
        .publish("t", huge, QoS::AtLeastOnce, false)
        .expect_err("a message MQTT cannot carry is refused at publish");
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    c.connect().expect("connect");
    let topic = unique("after-huge");
    c.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();
    c.publish_and_wait(&topic, "small", QoS::AtLeastOnce, false)
        .unwrap();
    assert!(c.recv(WAIT).unwrap().is_some());
}

#[test]
#[allow(clippy::result_large_err)] // tungstenite's callback signature, not ours
fn an_interrupt_while_waiting_for_connack_leaves_the_client_able_to_connect_again() {
    // A server that never answers the first CONNECT, and accepts the second.
    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let url = format!("ws://{}/mqtt", listener.local_addr().unwrap());
    let (got_connect, connect_seen) = mpsc::channel();
    let server = std::thread::spawn(move || {
        for round in 0..2 {
            let (sock, _) = listener.accept().unwrap();
            sock.set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut ws = tungstenite::accept_hdr(
                sock,
                |_: &tungstenite::handshake::server::Request,
                 mut resp: tungstenite::handshake::server::Response| {
                    resp.headers_mut()
                        .insert("Sec-WebSocket-Protocol", "mqtt".parse().unwrap());
                    Ok(resp)
                },
            )
            .unwrap();
            let connect = ws.read().unwrap();
            assert_eq!(connect.into_data()[0], 0x10, "CONNECT");
            if round == 0 {
                got_connect.send(()).unwrap();
                while ws.read().is_ok() {} // until the client goes away
            } else {
                ws.send(tungstenite::Message::binary(vec![0x20, 2, 0, 0]))
                    .unwrap();
                let _ = ws.read();
            }
        }
    });
    let c = Client::new(options(&url)).unwrap();
    let handle = c.interrupt_handle();
    let interrupter = std::thread::spawn(move || {
        connect_seen
            .recv_timeout(Duration::from_secs(10))
            .expect("the server got CONNECT");
        handle.interrupt();
    });
    let e = c.connect().unwrap_err();
    interrupter.join().unwrap();
    assert_eq!(e.kind(), ErrorKind::Interrupted, "{e}");
    assert!(!c.is_connected());
    c.connect()
        .expect("connect again after an interrupted connect");
    assert!(c.is_connected());
    drop(c);
    server.join().unwrap();
}

#[test]
fn timeouts_too_large_for_the_clock_mean_no_deadline_and_never_panic() {
    let b = Broker::start();
    let c = Client::new(
        ClientOptions::new(b.ws_url("/mqtt"))
            .connect_timeout(Duration::MAX)
            .operation_timeout(Duration::MAX)
            .ws_ping(Duration::MAX, Duration::MAX),
    )
    .unwrap();
    c.connect().unwrap();
    let topic = unique("max-timeout");
    c.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();
    let id = c
        .publish(&topic, "x", QoS::AtLeastOnce, false)
        .unwrap()
        .unwrap();
    c.wait_for(id, Some(Duration::MAX)).unwrap();
    let m = c.recv(Some(Duration::MAX)).unwrap().expect("the message");
    assert_eq!(&m.payload[..], b"x");
    // An interrupt still ends a wait without a deadline.
    let interrupter = RepeatedInterrupt::start(c.interrupt_handle());
    assert_eq!(
        c.poll(Some(Duration::MAX)).unwrap_err().kind(),
        ErrorKind::Interrupted
    );
    interrupter.stop();
    c.disconnect().unwrap();
}

#[test]
fn a_refusal_that_echoes_the_presigned_request_keeps_no_secret_in_the_error() {
    const SIG: &str = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
    const TOKEN: &str = "IQoJb3JpZ2luX2VjEJr%2F%2F%2F%2FAQ%3D%3D";
    const BEARER: &str = "custom-authorizer-token-0123456789";
    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut reader = BufReader::new(sock.try_clone().unwrap());
        let mut request = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                break;
            }
            request.push_str(&line);
        }
        // A gateway that echoes the request line in its status text and the
        // whole request in its body.
        let first = request.lines().next().unwrap().to_owned();
        let reply = format!(
            "HTTP/1.1 403 Forbidden {first}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{request}",
            request.len()
        );
        sock.write_all(reply.as_bytes()).unwrap();
        let _ = sock.read(&mut [0u8; 1]);
    });
    let url = format!(
        "ws://127.0.0.1:{port}/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature={SIG}&X-Amz-Security-Token={TOKEN}"
    );
    let c = Client::new(options(&url).header("Authorization", format!("Bearer {BEARER}"))).unwrap();
    let e = c.connect().unwrap_err();
    server.join().unwrap();
    let shown = format!("{e} {e:?}");
    assert!(
        matches!(
            e,
            Error::Handshake {
                status: Some(403),
                ..
            }
        ),
        "{shown}"
    );
    for secret in [SIG, TOKEN, "IQoJb3JpZ2luX2VjEJr////AQ==", BEARER] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    assert!(shown.contains("X-Amz-Signature=<redacted>"), "{shown}");
}

#[test]
fn one_client_serves_a_blocked_poll_and_two_publishing_threads_at_once() {
    // The [ARCH] acceptance case, in Rust: one thread blocks in poll without a
    // timeout while two threads publish 400 QoS 1 messages each on the same
    // client; no publish waits for the poll, and all 800 arrive.
    const PER_THREAD: usize = 400;
    let b = Broker::start();
    let topic = unique("shared");
    let sub = connected(options(&b.ws_url("/mqtt")));
    sub.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();
    let c = connected(options(&b.ws_url("/mqtt")));
    let worst = std::thread::scope(|s| {
        let poller = s.spawn(|| {
            // Acknowledgement events, until the publishers are done.
            let mut events = 0;
            loop {
                match c.poll(None) {
                    Ok(Some(_)) => events += 1,
                    Ok(None) => unreachable!("no timeout"),
                    Err(Error::Interrupted) => return events,
                    Err(e) => panic!("poll: {e}"),
                }
            }
        });
        let publishers: Vec<_> = (0..2)
            .map(|t| {
                let (c, topic) = (&c, &topic);
                s.spawn(move || {
                    let mut worst = Duration::ZERO;
                    for i in 0..PER_THREAD {
                        let start = Instant::now();
                        c.publish(topic, format!("{t}/{i}"), QoS::AtLeastOnce, false)
                            .unwrap();
                        worst = worst.max(start.elapsed());
                    }
                    worst
                })
            })
            .collect();
        let worst = publishers
            .into_iter()
            .map(|p| p.join().unwrap())
            .max()
            .unwrap();
        let interrupter = RepeatedInterrupt::start(c.interrupt_handle());
        let events = poller.join().unwrap();
        interrupter.stop();
        eprintln!("shared client: {events} events polled, slowest publish {worst:?}");
        worst
    });
    assert!(
        worst < Duration::from_millis(500),
        "a publish waited {worst:?}"
    );
    let mut got = std::collections::HashSet::new();
    while got.len() < 2 * PER_THREAD {
        let m = sub
            .recv(WAIT)
            .unwrap()
            .unwrap_or_else(|| panic!("{} of {} arrived", got.len(), 2 * PER_THREAD));
        got.insert(m.payload);
    }
}

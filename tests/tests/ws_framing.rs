//! WebSocket framing edge cases, driven by a scripted WebSocket server.
//!
//! mosquitto always sends one MQTT packet per frame, so the cases that other
//! brokers and proxies produce (packets split over continuation frames,
//! several packets in one frame, empty frames, PINGs in between, text frames,
//! garbage, a CONNACK that never comes) are played by a small server built on
//! tungstenite's server side over a real loopback socket.

use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mqttws::{Client, ClientOptions, Error, ErrorKind, QoS, TimeoutPhase};
use tungstenite::handshake::server::{Request, Response};
use tungstenite::protocol::frame::Frame;
use tungstenite::protocol::frame::coding::{Data, OpCode};
use tungstenite::{Message, WebSocket};

const CONNACK: [u8; 4] = [0x20, 2, 0, 0];

fn publish(topic: &str, qos: u8, id: u16, payload: &[u8]) -> Vec<u8> {
    let mut body = (topic.len() as u16).to_be_bytes().to_vec();
    body.extend(topic.as_bytes());
    if qos > 0 {
        body.extend(id.to_be_bytes());
    }
    body.extend(payload);
    assert!(body.len() < 128);
    let mut p = vec![0x30 | (qos << 1), body.len() as u8];
    p.extend(body);
    p
}

/// Accepts one client, selects subprotocol `mqtt`, reads its CONNECT, then
/// runs `script`. The script's result is sent back for the test to check.
fn scripted<T: Send + 'static>(
    script: impl FnOnce(&mut WebSocket<TcpStream>) -> T + Send + 'static,
) -> (String, mpsc::Receiver<T>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "ws://127.0.0.1:{}/mqtt",
        listener.local_addr().unwrap().port()
    );
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        // The callback's signature (a large Err type) is tungstenite's, not ours.
        #[allow(clippy::result_large_err)]
        let select_mqtt = |_: &Request, mut resp: Response| {
            resp.headers_mut()
                .insert("Sec-WebSocket-Protocol", "mqtt".parse().unwrap());
            Ok(resp)
        };
        let mut ws = tungstenite::accept_hdr(sock, select_mqtt).unwrap();
        match ws.read().unwrap() {
            Message::Binary(b) => assert_eq!(b[0], 0x10, "CONNECT first"),
            other => panic!("expected CONNECT, got {other:?}"),
        }
        let _ = tx.send(script(&mut ws));
    });
    (url, rx)
}

fn client(url: &str) -> Client {
    Client::new(
        ClientOptions::new(url)
            .client_id("framing")
            .connect_timeout(Duration::from_secs(5))
            .operation_timeout(Duration::from_secs(5)),
    )
    .unwrap()
}

fn binary_fragment(data: &[u8], first: bool, last: bool) -> Message {
    let opcode = if first {
        OpCode::Data(Data::Binary)
    } else {
        OpCode::Data(Data::Continue)
    };
    Message::Frame(Frame::message(data.to_vec(), opcode, last))
}

#[test]
fn split_coalesced_and_empty_frames_with_pings_in_between_all_decode() {
    let (url, done) = scripted(|ws| {
        // CONNACK split over three fragments, one of them empty.
        ws.write(binary_fragment(&CONNACK[..1], true, false))
            .unwrap();
        ws.write(binary_fragment(&[], false, false)).unwrap();
        ws.write(binary_fragment(&CONNACK[1..], false, true))
            .unwrap();
        ws.flush().unwrap();
        // An empty binary frame, a PING, then three PUBLISHes in one frame,
        // the third continuing in the next frame.
        ws.send(Message::binary(Vec::new())).unwrap();
        ws.send(Message::Ping(b"are you there".to_vec().into()))
            .unwrap();
        let mut coalesced = publish("a", 0, 0, b"one");
        coalesced.extend(publish("a", 1, 7, b"two"));
        let third = publish("a", 0, 0, b"three");
        coalesced.extend(&third[..3]);
        ws.send(Message::binary(coalesced)).unwrap();
        ws.send(Message::binary(third[3..].to_vec())).unwrap();
        // The client must answer the PING and acknowledge the QoS 1 message.
        let (mut pong, mut puback) = (false, false);
        while !(pong && puback) {
            match ws.read().unwrap() {
                Message::Pong(p) => pong = &p[..] == b"are you there",
                Message::Binary(b) => puback |= b[..] == [0x40, 2, 0, 7],
                _ => {}
            }
        }
        (pong, puback)
    });
    let c = client(&url);
    c.connect().unwrap();
    let got: Vec<String> = (0..3)
        .map(|_| {
            let m = c
                .recv(Some(Duration::from_secs(5)))
                .unwrap()
                .expect("message");
            String::from_utf8(m.payload.to_vec()).unwrap()
        })
        .collect();
    assert_eq!(got, ["one", "two", "three"]);
    // Keep the connection serviced until the server has seen PONG and PUBACK.
    let deadline = Instant::now() + Duration::from_secs(5);
    let result = loop {
        if let Ok(r) = done.try_recv() {
            break r;
        }
        assert!(
            Instant::now() < deadline,
            "server never saw PONG and PUBACK"
        );
        let _ = c.poll(Some(Duration::from_millis(50)));
    };
    assert_eq!(result, (true, true));
}

#[test]
fn every_outgoing_packet_is_one_non_empty_binary_frame() {
    let (url, done) = scripted(|ws| {
        ws.send(Message::binary(CONNACK.to_vec())).unwrap();
        let mut frames = Vec::new();
        while frames.len() < 3 {
            match ws.read().unwrap() {
                Message::Binary(b) => frames.push(b.to_vec()),
                Message::Frame(_) | Message::Text(_) => panic!("unexpected frame kind"),
                _ => {}
            }
        }
        frames
    });
    let c = client(&url);
    c.connect().unwrap();
    c.publish("t", "x", QoS::AtMostOnce, false).unwrap();
    c.publish("t", Vec::<u8>::new(), QoS::AtMostOnce, false)
        .unwrap();
    c.publish("t", vec![1u8; 300], QoS::AtMostOnce, false)
        .unwrap();
    let frames = done.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(frames.len(), 3);
    for f in &frames {
        assert!(!f.is_empty());
        assert_eq!(f[0] & 0xf0, 0x30, "one PUBLISH per frame");
    }
    // Fixed header (1) + remaining length (2 bytes for 303) + topic (2 + 1) + payload.
    assert_eq!(
        frames[2].len(),
        1 + 2 + (2 + 1 + 300),
        "the 300-byte payload is whole in its frame"
    );
}

#[test]
fn a_text_frame_is_a_protocol_error() {
    let (url, _done) = scripted(|ws| {
        ws.send(Message::binary(CONNACK.to_vec())).unwrap();
        ws.send(Message::text("{\"hello\":1}")).unwrap();
        let _ = ws.read();
    });
    let c = client(&url);
    c.connect().unwrap();
    let err = c.recv(Some(Duration::from_secs(5))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(err.to_string().contains("text frame"), "{err}");
    assert!(!c.is_connected());
}

#[test]
fn garbage_after_connack_is_a_protocol_error_not_a_panic() {
    let (url, _done) = scripted(|ws| {
        ws.send(Message::binary(CONNACK.to_vec())).unwrap();
        ws.send(Message::binary(vec![0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))
            .unwrap();
        let _ = ws.read();
    });
    let c = client(&url);
    c.connect().unwrap();
    let err = c.recv(Some(Duration::from_secs(5))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
}

#[test]
fn a_connack_that_never_comes_times_out_within_the_connect_deadline() {
    let (url, _done) = scripted(|ws| {
        let _ = ws.read(); // hold the connection open, say nothing
    });
    let c =
        Client::new(ClientOptions::new(&url).connect_timeout(Duration::from_millis(400))).unwrap();
    let start = Instant::now();
    let err = c.connect().unwrap_err();
    assert!(
        matches!(err, Error::Timeout(TimeoutPhase::Connack)),
        "{err:?}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_close_frame_from_the_server_ends_the_connection_with_its_reason() {
    let (url, _done) = scripted(|ws| {
        ws.send(Message::binary(CONNACK.to_vec())).unwrap();
        ws.close(Some(tungstenite::protocol::CloseFrame {
            code: tungstenite::protocol::frame::coding::CloseCode::Policy,
            reason: "kicked".into(),
        }))
        .unwrap();
        let _ = ws.flush();
        let _ = ws.read();
    });
    let c = client(&url);
    c.connect().unwrap();
    let err = c.recv(Some(Duration::from_secs(5))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Closed, "{err}");
    assert!(err.to_string().contains("kicked"), "{err}");
}

#[test]
fn a_server_that_never_answers_websocket_pings_is_declared_dead() {
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (url, _done) = scripted(move |ws| {
        ws.send(Message::binary(CONNACK.to_vec())).unwrap();
        // Hold the connection without reading it: PINGs are never answered.
        let _ = release_rx.recv_timeout(Duration::from_secs(10));
    });
    let c = Client::new(
        ClientOptions::new(&url)
            .keepalive(0)
            .ws_ping(Duration::from_millis(100), Duration::from_millis(200))
            .connect_timeout(Duration::from_secs(5)),
    )
    .unwrap();
    c.connect().unwrap();
    let start = Instant::now();
    let err = c.recv(Some(Duration::from_secs(5))).unwrap_err();
    assert!(
        matches!(err, Error::Timeout(TimeoutPhase::Keepalive)),
        "{err:?}"
    );
    // First PING after 100 ms, PONG due 200 ms later.
    assert!(
        start.elapsed() >= Duration::from_millis(250),
        "{:?}",
        start.elapsed()
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(!c.is_connected());
    let _ = release_tx.send(());
}

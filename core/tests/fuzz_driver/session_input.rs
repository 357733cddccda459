//! Target `session_input`: arbitrary server bytes into the sans-IO session.
//!
//! It drives the PUBLIC sans-IO API only: a [`Session`] is connected, then the
//! input is fed to [`Session::handle_bytes`] as if it came from the broker, in
//! chunks whose sizes, and the commands, timer calls and clock jumps between
//! them, come from a small generator seeded by the input's first bytes. The
//! first byte also picks the configuration. Nothing may panic, and the
//! documented rules must hold:
//!
//! * every item of [`Session::poll_transmit`] is one non-empty MQTT packet
//!   with a valid packet type;
//! * after [`Session::handle_bytes`] or [`Session::handle_timeout`] returns an
//!   error, the session is not connected;
//! * the number of outgoing messages in flight never exceeds the window plus
//!   what the offline queue may hold.
//!
//! Input layout: byte 0 picks the configuration, the rest is the server's
//! byte stream (so seed files are a configuration byte followed by real
//! packets), and bytes 0..8 seed the generator.

use std::time::{Duration, Instant};

use mqttws::{
    Bytes, ConnectParams, ConnectProperties, OfflineQueue, ProtocolVersion, QoS, QueueFull,
    Session, SessionConfig, Will,
};

use super::Gen;

const TOPICS: [&str; 3] = ["a", "a/b", "sensors/17/temp"];
const FILTERS: [&str; 4] = ["a", "a/#", "+/b", "#"];

/// Runs one input. Panics only if the session breaks a rule (or panics itself).
pub fn run(data: &[u8]) {
    let Some((&ctl, stream)) = data.split_first() else {
        return;
    };
    let mut g = Gen::new(data);
    let mut config = SessionConfig::default();
    // Both protocol versions, decided by the input: the same bytes decode
    // differently under 5.0 (properties, reason codes, AUTH).
    if g.below(2) == 1 {
        config.protocol_version = ProtocolVersion::V5;
    }
    if ctl & 0x01 != 0 {
        // Small limits, to reach the oversize paths with short inputs.
        config.max_incoming_packet_size = 8 + usize::from(ctl >> 2);
    }
    config.inflight_window = 1 + u16::from(ctl >> 5);
    if ctl & 0x02 != 0 {
        config.ping_timeout = Some(Duration::from_millis(1 + u64::from(ctl)));
    }
    if ctl & 0x04 != 0 {
        config.offline_queue = Some(OfflineQueue {
            max_messages: 1 + usize::from(ctl >> 4),
            max_bytes: 64,
            when_full: if ctl & 0x08 != 0 {
                QueueFull::DropOldest
            } else {
                QueueFull::Error
            },
        });
    }
    let queue_room = config.offline_queue.map_or(0, |q| q.max_messages);
    let window = usize::from(config.inflight_window);
    let params = ConnectParams {
        client_id: "fuzz".into(),
        username: (ctl & 0x10 != 0).then(|| "user".into()),
        password: (ctl & 0x10 != 0).then(|| "pass".into()),
        keepalive: u16::from(ctl & 0x03) * 5,
        clean_session: ctl & 0x40 == 0,
        will: (ctl & 0x80 != 0)
            .then(|| Will::new("will", Bytes::from_static(b"gone"), QoS::AtLeastOnce, false)),
        properties: ConnectProperties {
            // MQTT 5: let the server name topic aliases too.
            topic_alias_maximum: (config.protocol_version == ProtocolVersion::V5).then_some(4),
            ..ConnectProperties::default()
        },
    };

    let mut session = Session::new(config);
    let mut now = Instant::now();
    session
        .connect(params.clone(), now)
        .expect("valid connect parameters");
    drain(&mut session);

    let mut rest = stream;
    while !rest.is_empty() {
        let max = match g.below(4) {
            0 => 1,
            1 => 7,
            2 => 64,
            _ => rest.len() as u64,
        };
        let n = (1 + g.below(max) as usize).min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        rest = tail;

        if session.handle_bytes(chunk, now).is_err() {
            assert!(!session.is_connected(), "connected after a protocol error");
        }
        drain(&mut session);

        // The clock moves: not at all, a little, or past any keepalive.
        now += Duration::from_millis(match g.below(4) {
            0 => 0,
            1 => g.below(50),
            2 => g.below(5_000),
            _ => g.below(400_000),
        });
        if session.handle_timeout(now).is_err() {
            assert!(!session.is_connected(), "connected after a timeout error");
        }
        drain(&mut session);

        command(&mut session, &mut g, &params, now);
        drain(&mut session);
        assert!(
            session.inflight() <= window + queue_room + 1,
            "{} in flight with a window of {window} and a queue of {queue_room}",
            session.inflight()
        );
    }
    // Whatever state it is in, the session can always be dropped or reset.
    session.connection_lost();
    drain(&mut session);
}

/// One application command, chosen by the generator (often none).
fn command(session: &mut Session, g: &mut Gen, params: &ConnectParams, now: Instant) {
    match g.below(12) {
        0..=2 => {
            let topic = TOPICS[g.below(3) as usize];
            let payload = Bytes::from(vec![0x5a; g.below(40) as usize]);
            let qos = qos(g);
            // Refusals (window full, queue full, not connected) are fine.
            let _ = session.publish(topic, payload, qos, g.below(2) == 0, now);
        }
        3 => {
            let f = FILTERS[g.below(4) as usize];
            let _ = session.subscribe(&[(f, qos(g))], now);
        }
        4 => {
            let _ = session.unsubscribe(&[FILTERS[g.below(4) as usize]], now);
        }
        5 => {
            session.connection_lost();
            session
                .connect(params.clone(), now)
                .expect("valid connect parameters");
        }
        6 if !session.is_connected() => {
            session.connection_lost();
            session
                .connect(params.clone(), now)
                .expect("valid connect parameters");
        }
        7 if g.below(8) == 0 => {
            let _ = session.disconnect(now);
        }
        _ => {}
    }
}

fn qos(g: &mut Gen) -> QoS {
    match g.below(3) {
        0 => QoS::AtMostOnce,
        1 => QoS::AtLeastOnce,
        _ => QoS::ExactlyOnce,
    }
}

/// Takes every output, checking each transmitted packet's first byte.
pub fn drain(session: &mut Session) {
    while let Some(packet) = session.poll_transmit() {
        assert!(!packet.is_empty(), "empty packet transmitted");
        let kind = packet[0] >> 4;
        assert!(
            (1..=14).contains(&kind),
            "transmitted packet type {kind} ({:#04x})",
            packet[0]
        );
    }
    while session.poll_event().is_some() {}
    let _ = session.poll_timeout();
}

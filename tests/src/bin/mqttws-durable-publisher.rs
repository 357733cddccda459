//! A publisher with a durable store, for the crash test (SIGKILL mid-stream).
//!
//! ```text
//! mqttws-durable-publisher URL TOPIC STORE_DIR FROM TO
//! ```
//! Publishes the numbers FROM..TO (exclusive, 4-byte big-endian payloads) at
//! QoS 1 with automatic reconnect and a durable store in STORE_DIR. After
//! each `publish` returns it prints `accepted N` (flushed), so whoever kills it
//! knows which messages it promised. At the end it waits until the broker
//! acknowledged everything (including messages recovered from the store) and
//! prints `done`.

use std::io::Write;
use std::time::{Duration, Instant};

use mqttws::{Client, ClientOptions, QoS, ReconnectPolicy};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, topic, store, from, to] = args.as_slice() else {
        eprintln!("usage: mqttws-durable-publisher URL TOPIC STORE_DIR FROM TO");
        std::process::exit(2);
    };
    let (from, to): (u32, u32) = (from.parse().expect("FROM"), to.parse().expect("TO"));
    let options = ClientOptions::new(url.as_str())
        .client_id(format!("durable-{}", std::process::id()))
        .store_dir(store)
        .reconnect(ReconnectPolicy {
            min_delay: Duration::from_millis(50),
            ..ReconnectPolicy::default()
        })
        .connect_timeout(Duration::from_secs(5));
    let client = Client::new(options).expect("client");
    let recovered = client.inflight();
    eprintln!("durable-publisher: {recovered} messages recovered from the store");
    client.connect().expect("connect");
    let mut out = std::io::stdout().lock();
    for i in from..to {
        client
            .publish(topic, i.to_be_bytes().to_vec(), QoS::AtLeastOnce, false)
            .expect("publish");
        writeln!(out, "accepted {i}")
            .and_then(|()| out.flush())
            .expect("stdout");
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while client.inflight() > 0 {
        assert!(
            Instant::now() < deadline,
            "{} messages never acknowledged",
            client.inflight()
        );
        client.poll(Some(Duration::from_millis(200))).expect("poll");
    }
    writeln!(out, "done")
        .and_then(|()| out.flush())
        .expect("stdout");
}

//! The durable store under a real crash: a publisher is SIGKILLed mid-stream
//! and restarted on the same store directory; every message it had accepted
//! (printed "accepted N" after `publish` returned) reaches the subscriber.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mqttws::{Client, ClientOptions, Event, QoS};
use mqttws_tests::Broker;

struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the publisher; its stdout lines arrive on the channel.
fn publisher(
    url: &str,
    topic: &str,
    store: &std::path::Path,
    from: u32,
    to: u32,
) -> (Guard, mpsc::Receiver<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mqttws-durable-publisher"))
        .args([
            url,
            topic,
            store.to_str().unwrap(),
            &from.to_string(),
            &to.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the publisher");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (Guard(child), rx)
}

#[test]
fn every_accepted_message_arrives_after_the_publisher_is_killed_and_restarted() {
    const N: u32 = 3000;
    let b = Broker::start();
    let url = b.ws_url("/mqtt");
    let topic = format!("durable-{}", std::process::id());
    let store = tempfile::tempdir().unwrap();

    let mut sub = Client::new(
        ClientOptions::new(url.as_str()).client_id(format!("durable-sub-{}", std::process::id())),
    )
    .unwrap();
    sub.connect().unwrap();
    sub.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();

    // First run: kill -9 once it has accepted a third of the stream.
    let (mut first, lines) = publisher(&url, &topic, store.path(), 0, N);
    let mut accepted: Option<u32> = None;
    let deadline = Instant::now() + Duration::from_secs(30);
    while accepted.is_none_or(|a| a < N / 3) {
        let line = lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("publisher progress");
        if let Some(n) = line.strip_prefix("accepted ") {
            accepted = Some(n.parse().unwrap());
        }
    }
    first.0.kill().unwrap(); // SIGKILL
    first.0.wait().unwrap();
    // Lines printed before the kill are still in the pipe.
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(2)) {
        if let Some(n) = line.strip_prefix("accepted ") {
            accepted = Some(n.parse().unwrap());
        }
    }
    let last = accepted.unwrap();
    assert!(last < N - 1, "killed mid-stream (at {last})");

    // Second run on the same store: recovers the unacknowledged messages and
    // publishes the rest.
    let (_second, lines) = publisher(&url, &topic, store.path(), last + 1, N);
    let mut seen: HashMap<u32, u32> = HashMap::new();
    let mut done = false;
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(done && seen.len() as u32 == N) {
        assert!(
            Instant::now() < deadline,
            "{} of {N} arrived; publisher done: {done}",
            seen.len()
        );
        while let Ok(line) = lines.try_recv() {
            done |= line == "done";
        }
        if let Some(Event::Message(m)) = sub.poll(Some(Duration::from_millis(100))).unwrap() {
            *seen
                .entry(u32::from_be_bytes(m.payload[..4].try_into().unwrap()))
                .or_default() += 1;
        }
        if done && seen.len() as u32 != N {
            // Everything is acknowledged by the broker; what is missing now is lost.
            let settle = Instant::now() + Duration::from_secs(5);
            while Instant::now() < settle && (seen.len() as u32) < N {
                if let Some(Event::Message(m)) = sub.poll(Some(Duration::from_millis(100))).unwrap()
                {
                    *seen
                        .entry(u32::from_be_bytes(m.payload[..4].try_into().unwrap()))
                        .or_default() += 1;
                }
            }
            break;
        }
    }
    let missing: Vec<u32> = (0..N).filter(|i| !seen.contains_key(i)).collect();
    let duplicates: u32 = seen.values().map(|n| n - 1).sum();
    eprintln!("durable: killed after accepting {last}; {duplicates} duplicates after the restart");
    assert!(
        missing.is_empty(),
        "lost {} accepted messages, first {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
}

//! Automatic reconnect, back-off and the offline queue against a real
//! mosquitto that is stopped and restarted under the client.

use std::collections::HashMap;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mqttws::{Client, ClientOptions, Event, QoS, ReconnectPolicy};
use mqttws_tests::{Broker, BrokerConfig, unique};

fn policy(min_ms: u64, max_ms: u64) -> ReconnectPolicy {
    ReconnectPolicy {
        min_delay: Duration::from_millis(min_ms),
        max_delay: Duration::from_millis(max_ms),
        ..ReconnectPolicy::default()
    }
}

fn options(url: &str, id: &str) -> ClientOptions {
    ClientOptions::new(url)
        .client_id(id)
        .connect_timeout(Duration::from_secs(5))
        .operation_timeout(Duration::from_secs(10))
}

#[test]
fn backoff_delays_grow_with_jitter_within_bounds_while_the_broker_is_down() {
    let mut b = Broker::start();
    let c =
        Client::new(options(&b.ws_url("/mqtt"), &unique("backoff")).reconnect(policy(100, 2000)))
            .unwrap();
    c.connect().unwrap();
    b.stop();
    let down_since = Instant::now();
    // (delay announced, when announced)
    let mut announced: Vec<(Duration, u32, Instant)> = Vec::new();
    let mut disconnects = 0;
    let mut restarted = false;
    let deadline = Instant::now() + Duration::from_secs(30);
    let reconnected_at = loop {
        assert!(
            Instant::now() < deadline,
            "never reconnected; events {announced:?}"
        );
        if !restarted && down_since.elapsed() >= Duration::from_secs(5) {
            b.start_again();
            restarted = true;
        }
        match c.poll(Some(Duration::from_millis(200))).unwrap() {
            Some(Event::Disconnected { .. }) => disconnects += 1,
            Some(Event::Reconnecting { delay, attempt }) => {
                announced.push((delay, attempt, Instant::now()))
            }
            Some(Event::Connected { .. }) => break Instant::now(),
            _ => {}
        }
    };
    assert!(restarted, "reconnected only after the broker came back");
    assert!(reconnected_at.duration_since(down_since) >= Duration::from_secs(5));
    assert!(
        announced.len() >= 4,
        "several attempts in 5 s: {announced:?}"
    );
    assert_eq!(
        disconnects,
        announced.len(),
        "each drop or failed attempt is reported"
    );
    for (i, (delay, attempt, _)) in announced.iter().enumerate() {
        assert_eq!(*attempt as usize, i + 1);
        let cap = (100u64 << i.min(20)).min(2000);
        assert!(
            *delay >= Duration::from_millis(100),
            "{delay:?} below the minimum"
        );
        assert!(
            *delay <= Duration::from_millis(cap),
            "attempt {attempt}: {delay:?} above the cap {cap} ms"
        );
    }
    // The next failure comes no earlier than the announced delay, counted from
    // the failure that announced it (connection refused is immediate here).
    for w in announced.windows(2) {
        let gap = w[1].2.duration_since(w[0].2);
        assert!(
            gap + Duration::from_millis(5) >= w[0].0,
            "attempt after {gap:?}, announced {:?}",
            w[0].0
        );
        assert!(
            gap <= w[0].0 + Duration::from_millis(1500),
            "attempt late: {gap:?} vs {:?}",
            w[0].0
        );
    }
    // Later delays reach the cap region: growth, not a constant rate.
    let late = announced.iter().rev().take(2).map(|a| a.0).max().unwrap();
    assert!(
        late >= Duration::from_millis(200),
        "delays did not grow: {announced:?}"
    );
    assert!(c.is_connected());
}

#[test]
fn a_broker_kick_right_after_connack_does_not_cause_a_reconnect_storm() {
    let b = Broker::start();
    let id = unique("dup-id");
    // Two clients with the same id kick each other out right after CONNACK.
    let mut a = Client::new(options(&b.ws_url("/mqtt"), &id).reconnect(policy(100, 3000))).unwrap();
    let mut z = Client::new(options(&b.ws_url("/mqtt"), &id).reconnect(policy(100, 3000))).unwrap();
    a.connect().unwrap();
    z.connect().unwrap();
    let start = Instant::now();
    let mut attempts = 0;
    while start.elapsed() < Duration::from_secs(6) {
        for c in [&mut a, &mut z] {
            if let Some(Event::Reconnecting { .. }) =
                c.poll(Some(Duration::from_millis(20))).unwrap()
            {
                attempts += 1;
            }
        }
    }
    // Without growth, 100 ms delays would give ~120 attempts in 6 s for two
    // clients; with doubling capped at 3 s it is a handful per client.
    assert!(attempts >= 2, "the kick was noticed: {attempts}");
    assert!(
        attempts <= 16,
        "reconnect storm: {attempts} attempts in 6 s"
    );
    let log = b.log();
    let connects = log.matches(&format!(" as {id} ")).count();
    assert!(connects <= 20, "broker saw {connects} connections");
}

#[test]
fn subscriptions_are_restored_when_the_broker_forgot_the_session() {
    let mut b = Broker::start();
    let topic = unique("restore");
    let c = Client::new(options(&b.ws_url("/mqtt"), &unique("sub")).reconnect(policy(50, 500)))
        .unwrap();
    c.connect().unwrap();
    c.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();
    b.stop();
    b.start_again(); // no persistence: the new broker has no session for us
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        assert!(Instant::now() < deadline, "no reconnect");
        if let Some(Event::Connected {
            session_present, ..
        }) = c.poll(Some(Duration::from_millis(500))).unwrap()
        {
            assert!(!session_present);
            break;
        }
    }
    // The restore SUBSCRIBE went out with the reconnect; a publish from
    // another client now reaches us. Retained, so the order of our SUBACK and
    // their publish does not matter.
    let p = Client::new(options(&b.ws_url("/mqtt"), &unique("pub"))).unwrap();
    p.connect().unwrap();
    p.publish_and_wait(&topic, "after restart", QoS::AtLeastOnce, true)
        .unwrap();
    let m = c
        .recv(Some(Duration::from_secs(10)))
        .unwrap()
        .expect("restored subscription delivers");
    assert_eq!(&m.payload[..], b"after restart");
}

#[test]
fn qos1_soak_with_three_broker_restarts_delivers_every_message() {
    const N: u32 = 20_000;
    let mut b = Broker::start_with(BrokerConfig::new().persistence(true));
    let topic = unique("soak");
    let url = b.ws_url("/mqtt");
    let sub = Client::new(
        options(&url, &unique("soak-sub"))
            .clean_session(false)
            .reconnect(policy(50, 500))
            .keepalive(5),
    )
    .unwrap();
    sub.connect().unwrap();
    sub.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();

    let (progress_tx, progress_rx) = mpsc::channel::<u32>();
    let pub_url = url.clone();
    let pub_topic = topic.clone();
    let publisher = std::thread::spawn(move || {
        let p = Client::new(
            options(&pub_url, &unique("soak-pub"))
                .clean_session(false)
                .reconnect(policy(50, 500))
                .offline_queue(mqttws::OfflineQueue {
                    max_messages: N as usize,
                    ..Default::default()
                }),
        )
        .unwrap();
        p.connect().unwrap();
        for i in 0..N {
            p.publish(
                &pub_topic,
                i.to_be_bytes().to_vec(),
                QoS::AtLeastOnce,
                false,
            )
            .unwrap();
            // Let the client process acknowledgements and reconnects as it goes.
            if i % 100 == 99 {
                while p.poll(Some(Duration::ZERO)).unwrap().is_some() {}
                let _ = progress_tx.send(i + 1);
            }
        }
        // Drain: every message acknowledged by the broker.
        let deadline = Instant::now() + Duration::from_secs(60);
        while p.inflight() > 0 {
            assert!(
                Instant::now() < deadline,
                "publisher still has {} in flight",
                p.inflight()
            );
            let _ = p.poll(Some(Duration::from_millis(200))).unwrap();
        }
        p.disconnect().unwrap();
    });

    let mut seen: HashMap<u32, u32> = HashMap::new();
    let mut restarts = 0;
    let mut published = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    while (seen.len() as u32) < N {
        assert!(
            Instant::now() < deadline,
            "only {} of {N} delivered after 120 s",
            seen.len()
        );
        while let Ok(n) = progress_rx.try_recv() {
            published = n;
        }
        if restarts < 3 && published >= (restarts + 1) * N / 4 {
            b.stop();
            b.start_again();
            restarts += 1;
        }
        if let Some(Event::Message(m)) = sub.poll(Some(Duration::from_millis(200))).unwrap() {
            let i = u32::from_be_bytes(m.payload[..4].try_into().unwrap());
            *seen.entry(i).or_default() += 1;
        }
    }
    publisher.join().expect("publisher thread");
    assert_eq!(restarts, 3);
    let duplicates: u32 = seen.values().map(|n| n - 1).sum();
    eprintln!(
        "soak: {N} messages delivered across {restarts} broker restarts, {duplicates} duplicates"
    );
    assert!(
        (0..N).all(|i| seen.contains_key(&i)),
        "every message delivered"
    );
}

#[test]
fn publishes_while_disconnected_are_queued_and_delivered_after_reconnect() {
    let mut b = Broker::start_with(BrokerConfig::new().persistence(true));
    let topic = unique("offline");
    let sub =
        Client::new(options(&b.ws_url("/mqtt"), &unique("osub")).clean_session(false)).unwrap();
    sub.connect().unwrap();
    sub.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();
    sub.disconnect().unwrap();

    let p = Client::new(options(&b.ws_url("/mqtt"), &unique("opub")).reconnect(policy(50, 300)))
        .unwrap();
    p.connect().unwrap();
    b.stop();
    // Notice the drop, then publish into the offline queue.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(Instant::now() < deadline);
        if let Some(Event::Disconnected { .. }) = p.poll(Some(Duration::from_millis(200))).unwrap()
        {
            break;
        }
    }
    let ids: Vec<_> = (0..5)
        .map(|i| {
            p.publish(&topic, format!("offline {i}"), QoS::AtLeastOnce, false)
                .unwrap()
        })
        .collect();
    assert!(ids.iter().all(|id| id.is_some()));
    b.start_again();
    for id in ids.into_iter().flatten() {
        p.wait_for(id, Some(Duration::from_secs(15))).unwrap();
    }
    sub.connect().unwrap();
    for i in 0..5 {
        let m = sub
            .recv(Some(Duration::from_secs(10)))
            .unwrap()
            .expect("queued message");
        assert_eq!(m.payload, format!("offline {i}").as_bytes());
    }
}

#[test]
fn a_message_dropped_from_the_full_offline_queue_fails_its_wait_even_after_poll_saw_the_event() {
    let mut b = Broker::start();
    let queue = mqttws::OfflineQueue {
        max_messages: 1,
        max_bytes: 1 << 20,
        when_full: mqttws::QueueFull::DropOldest,
    };
    let c = Client::new(
        options(&b.ws_url("/mqtt"), &unique("drop"))
            .reconnect(policy(5_000, 10_000))
            .offline_queue(queue),
    )
    .unwrap();
    c.connect().unwrap();
    b.stop();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(Instant::now() < deadline);
        if let Some(Event::Disconnected { .. }) = c.poll(Some(Duration::from_millis(200))).unwrap()
        {
            break;
        }
    }
    let first = c
        .publish("t", "first", QoS::AtLeastOnce, false)
        .unwrap()
        .unwrap();
    let _second = c
        .publish("t", "second", QoS::AtLeastOnce, false)
        .unwrap()
        .unwrap();
    // poll reports the drop while still offline...
    let mut saw_drop = false;
    while let Some(ev) = c.poll(Some(Duration::ZERO)).unwrap() {
        saw_drop |= matches!(ev, Event::Dropped { packet_id: Some(id), .. } if id == first);
    }
    assert!(saw_drop, "the drop is reported while offline");
    // ...and the wait for the dropped message still fails.
    let err = c
        .wait_for(first, Some(Duration::from_millis(100)))
        .unwrap_err();
    assert_eq!(err.kind(), mqttws::ErrorKind::QueueFull, "{err}");
}

#[test]
fn an_interrupt_during_a_reconnect_attempt_is_not_counted_as_a_failure() {
    use mqttws_tests::{Fault, Relay};
    let b = Broker::start();
    let relay = Relay::start(("127.0.0.1", b.ws_port()));
    let c = Client::new(
        options(&relay.ws_url("/mqtt"), &unique("interrupted-attempt"))
            .connect_timeout(Duration::from_secs(20))
            .reconnect(policy(50, 200)),
    )
    .unwrap();
    c.connect().unwrap();
    // New connections hang in the handshake; the current one is cut.
    relay.set_both(Fault::Stall);
    relay.cut_connections();
    let mut attempts = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while attempts.is_empty() {
        assert!(Instant::now() < deadline, "the cut was never noticed");
        if let Some(Event::Reconnecting { attempt, .. }) =
            c.poll(Some(Duration::from_millis(200))).unwrap()
        {
            attempts.push(attempt);
        }
    }
    // The next poll starts the attempt, which hangs in the stalled handshake;
    // another thread interrupts it.
    let handle = c.interrupt_handle();
    let connections = relay.connections();
    let waker = std::thread::spawn(move || {
        let r = relay;
        assert!(
            r.wait_for_connections(connections + 1, Duration::from_secs(10)),
            "no attempt started"
        );
        handle.interrupt();
        r
    });
    let started = Instant::now();
    let err = c.poll(Some(Duration::from_secs(15))).unwrap_err();
    assert!(matches!(err, mqttws::Error::Interrupted), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the interrupt did not cut the attempt short"
    );
    let relay = waker.join().unwrap();
    // No Disconnected/Reconnecting for the interrupted attempt; once the
    // relay passes traffic again the client connects.
    relay.set_both(Fault::Pass);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        assert!(Instant::now() < deadline, "never reconnected");
        match c.poll(Some(Duration::from_millis(500))).unwrap() {
            Some(Event::Connected { .. }) => break,
            Some(Event::Disconnected { reason }) => {
                panic!("interrupted attempt reported as a failure: {reason}")
            }
            _ => {}
        }
    }
}

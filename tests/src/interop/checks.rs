//! The checks of the interop matrix, run through the Rust client ([`CHECKS`]) and
//! through the C, Python and Go faces ([`LANGUAGE_CHECKS`]).
//!
//! Each check uses its own topics and client ids, publishes from one client and
//! receives on another (except `own-subscription`, which is about exactly that), and
//! bounds every wait: a message that does not come within [`MESSAGE_WAIT`] is a failure.
//! A check that must show that something does *not* happen (no will after a clean
//! DISCONNECT, no duplicate) orders a marker message behind it instead of waiting.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use mqttws::{Bytes, Client, ClientOptions, Event, Message, QoS, Will};

use super::{Outcome, PASSWORD, Transport, USER};
use crate::relay::{Fault, Relay};
use crate::unique;

/// How long a receiver waits for a message.
pub const MESSAGE_WAIT: Duration = Duration::from_secs(10);
/// How long a large message may take.
const LARGE_WAIT: Duration = Duration::from_secs(30);
/// How long a broker may take to notice a silent link (keepalive 2 s) and publish the will.
const DROP_WAIT: Duration = Duration::from_secs(15);
/// The size of the large-message checks.
pub const LARGE: usize = 256 * 1024;
/// How long a language check's program may run.
const PROGRAM_WAIT: Duration = Duration::from_secs(60);

/// How the checks reach a broker over one transport.
#[derive(Clone, Debug)]
pub struct Target {
    /// `ws://127.0.0.1:PORT/mqtt` or `wss://...`.
    pub url: String,
    /// The port of `url` (for the relay of `will-on-drop`).
    pub port: u16,
    /// Which transport `url` is.
    pub transport: Transport,
    /// The test CA, for wss.
    pub ca: Option<PathBuf>,
    /// Whether to send [`USER`] and [`PASSWORD`].
    pub credentials: bool,
}

impl Target {
    /// Options for a client of this target: CA, credentials, 10 s timeouts.
    pub fn options(&self, client_id: &str) -> ClientOptions {
        self.options_for(&self.url, client_id)
    }

    fn options_for(&self, url: &str, client_id: &str) -> ClientOptions {
        let mut o = ClientOptions::new(url)
            .client_id(client_id)
            .connect_timeout(Duration::from_secs(10))
            .operation_timeout(Duration::from_secs(10));
        if let Some(ca) = &self.ca {
            o = o.ca_file(ca);
        }
        if self.credentials {
            o = o.credentials(USER, PASSWORD);
        }
        o
    }

    fn connect(&self) -> Result<Client, String> {
        connect(self.options(&unique("iop")))
    }

    /// A connected client subscribed to `topic` at `qos`; returns the granted QoS.
    fn subscriber(&self, topic: &str, qos: QoS) -> Result<(Client, QoS), String> {
        let c = self.connect()?;
        let granted = c.subscribe(&[(topic, qos)]).ctx("subscribe")?;
        match granted[..] {
            [Some(g)] => Ok((c, g)),
            _ => Err(format!(
                "the subscription to {topic} was refused: {granted:?}"
            )),
        }
    }
}

/// One check: a name for the matrix, what it asserts, and the code.
#[derive(Debug)]
pub struct Check {
    /// Short name, the column of the matrix.
    pub name: &'static str,
    /// What passing means.
    pub what: &'static str,
    /// Runs it against a target.
    pub run: fn(&Target) -> Outcome,
}

/// The checks run through the Rust client.
pub const CHECKS: &[Check] = &[
    Check {
        name: "connect",
        what: "WebSocket upgrade with subprotocol `mqtt`, CONNECT, CONNACK accepted",
        run: |t| outcome(connect_check(t)),
    },
    Check {
        name: "subscribe-qos1",
        what: "SUBACK grants QoS 1 to a QoS 1 subscription",
        run: |t| outcome(subscribe_qos1(t)),
    },
    Check {
        name: "publish-qos0",
        what: "a QoS 0 message reaches a QoS 2 subscriber at QoS 0 (min of both)",
        run: |t| outcome(publish_at(t, QoS::AtMostOnce)),
    },
    Check {
        name: "publish-qos1",
        what: "PUBACK, and the message reaches a QoS 2 subscriber at QoS 1 (min of both)",
        run: |t| outcome(publish_at(t, QoS::AtLeastOnce)),
    },
    Check {
        name: "publish-qos2",
        what: "a QoS 2 publish completes with PUBREC/PUBREL/PUBCOMP (no downgrade) and arrives",
        run: |t| outcome(publish_qos2(t)),
    },
    Check {
        name: "qos2-roundtrip",
        what: "a QoS 2 subscription is granted QoS 2 and a QoS 2 message arrives at QoS 2, once",
        run: |t| outcome(qos2_roundtrip(t)),
    },
    Check {
        name: "own-subscription",
        what: "a client subscribed to the topic it publishes to gets the PUBACKs of 10 QoS 1 messages in flight, and the messages",
        run: |t| outcome(own_subscription(t)),
    },
    Check {
        name: "retained",
        what: "a retained message reaches a later subscriber, with the retain flag",
        run: |t| outcome(retained(t)),
    },
    Check {
        name: "large-qos0",
        what: "256 KiB at QoS 0 in both directions",
        run: |t| outcome(large(t, QoS::AtMostOnce)),
    },
    Check {
        name: "large-qos1",
        what: "256 KiB at QoS 1 in both directions",
        run: |t| outcome(large(t, QoS::AtLeastOnce)),
    },
    Check {
        name: "clean-disconnect",
        what: "DISCONNECT ends the connection cleanly and the will is not published",
        run: |t| outcome(clean_disconnect(t)),
    },
    Check {
        name: "persistent-session",
        what: "clean_session=false: session_present on return, and the QoS 1 messages published meanwhile arrive, in order",
        run: |t| outcome(persistent_session(t)),
    },
    Check {
        name: "will-on-kill",
        what: "a connection closed without DISCONNECT (the process died) gets its will published",
        run: |t| outcome(will_on_kill(t)),
    },
    Check {
        name: "will-on-drop",
        what: "a link gone silent (no FIN) gets its will published after the keepalive (2 s) expires",
        run: |t| outcome(will_on_drop(t)),
    },
];

/// One round trip (subscribe QoS 1, publish QoS 1 and wait for PUBACK, receive) through
/// each of the other faces: a program per language, given by an environment variable
/// (`make interop` sets them). Unset: not run, and not counted.
pub const LANGUAGE_CHECKS: &[Check] = &[
    Check {
        name: "c",
        what: "the round trip through the C ABI (tests/interop/lang/roundtrip.c)",
        run: |t| program(t, "MQTTWS_INTEROP_C"),
    },
    Check {
        name: "python",
        what: "the round trip through the Python package (tests/interop/lang/roundtrip.py)",
        run: |t| program(t, "MQTTWS_INTEROP_PYTHON"),
    },
    Check {
        name: "go",
        what: "the round trip through the Go module (tests/interop/lang/go)",
        run: |t| program(t, "MQTTWS_INTEROP_GO"),
    },
];

fn outcome(r: Result<(), String>) -> Outcome {
    match r {
        Ok(()) => Outcome::Pass,
        Err(why) => Outcome::Fail(why),
    }
}

/// `.ctx("what")?`: an mqttws error as a check failure saying what failed.
trait Ctx<T> {
    fn ctx(self, what: &str) -> Result<T, String>;
}

impl<T> Ctx<T> for mqttws::Result<T> {
    fn ctx(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}

fn connect(options: ClientOptions) -> Result<Client, String> {
    let c = Client::new(options).ctx("client")?;
    c.connect().ctx("connect")?;
    Ok(c)
}

fn topic(what: &str) -> String {
    unique(&format!("interop/{what}"))
}

/// The next message on `topic` (others are skipped) within `wait`.
fn next_message(c: &mut Client, topic: &str, wait: Duration) -> Result<Message, String> {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!("no message on {topic} within {wait:?}"));
        }
        if let Some(m) = c.recv(Some(left)).ctx("receive")?
            && m.topic == topic
        {
            return Ok(m);
        }
    }
}

fn qos_name(q: QoS) -> u8 {
    q as u8
}

fn connect_check(t: &Target) -> Result<(), String> {
    let c = t.connect()?;
    c.disconnect().ctx("disconnect")
}

fn subscribe_qos1(t: &Target) -> Result<(), String> {
    let (c, granted) = t.subscriber(&topic("sub"), QoS::AtLeastOnce)?;
    c.disconnect().ctx("disconnect")?;
    if granted != QoS::AtLeastOnce {
        return Err(format!("granted QoS {}", qos_name(granted)));
    }
    Ok(())
}

fn publish_at(t: &Target, qos: QoS) -> Result<(), String> {
    let topic = topic("pub");
    let (mut sub, granted) = t.subscriber(&topic, QoS::ExactlyOnce)?;
    let publisher = t.connect()?;
    publisher
        .publish_and_wait(&topic, "hello", qos, false)
        .ctx("publish")?;
    let m = next_message(&mut sub, &topic, MESSAGE_WAIT)?;
    let want = mqttws::qos_from_u8((qos as u8).min(granted as u8)).expect("0, 1 or 2");
    if m.qos != want {
        return Err(format!(
            "delivered at QoS {} (published at {}, subscription granted {})",
            qos_name(m.qos),
            qos_name(qos),
            qos_name(granted)
        ));
    }
    publisher.disconnect().ctx("disconnect")?;
    sub.disconnect().ctx("disconnect")
}

fn publish_qos2(t: &Target) -> Result<(), String> {
    let topic = topic("pub2");
    let (mut sub, _) = t.subscriber(&topic, QoS::ExactlyOnce)?;
    let publisher = t.connect()?;
    let id = publisher
        .publish(&topic, "hello", QoS::ExactlyOnce, false)
        .ctx("publish")?
        .ok_or("a QoS 2 publish got no packet id")?;
    publisher.wait_for(id, None).ctx("wait for PUBCOMP")?;
    // Events the wait left in the queue: a downgrade is reported there.
    while let Some(ev) = publisher.poll(Some(Duration::ZERO)).ctx("poll")? {
        if matches!(ev, Event::Downgraded { packet_id, .. } if packet_id == id) {
            return Err("answered with PUBACK: the broker took the message at QoS 1".into());
        }
    }
    next_message(&mut sub, &topic, MESSAGE_WAIT)?;
    publisher.disconnect().ctx("disconnect")?;
    sub.disconnect().ctx("disconnect")
}

fn qos2_roundtrip(t: &Target) -> Result<(), String> {
    let topic = topic("rt2");
    let (mut sub, granted) = t.subscriber(&topic, QoS::ExactlyOnce)?;
    if granted != QoS::ExactlyOnce {
        return Err(format!(
            "a QoS 2 subscription was granted QoS {}",
            qos_name(granted)
        ));
    }
    let publisher = t.connect()?;
    publisher
        .publish_and_wait(&topic, "once", QoS::ExactlyOnce, false)
        .ctx("publish")?;
    // Published behind it on the same topic: a duplicate would arrive before it.
    publisher
        .publish_and_wait(&topic, "marker", QoS::ExactlyOnce, false)
        .ctx("publish the marker")?;
    let m = next_message(&mut sub, &topic, MESSAGE_WAIT)?;
    if m.qos != QoS::ExactlyOnce || &m.payload[..] != b"once" {
        return Err(format!("received {m:?} at QoS {}", qos_name(m.qos)));
    }
    let next = next_message(&mut sub, &topic, MESSAGE_WAIT)?;
    if &next.payload[..] != b"marker" {
        return Err("the QoS 2 message arrived twice".into());
    }
    publisher.disconnect().ctx("disconnect")?;
    sub.disconnect().ctx("disconnect")
}

fn own_subscription(t: &Target) -> Result<(), String> {
    const N: usize = 10;
    let topic = topic("own");
    let (mut c, _) = t.subscriber(&topic, QoS::AtLeastOnce)?;
    // Several in flight at once, as an application publishes.
    let mut ids = Vec::new();
    for i in 0..N {
        let id = c
            .publish(&topic, format!("to myself {i}"), QoS::AtLeastOnce, false)
            .ctx("publish")?;
        ids.extend(id);
    }
    for (i, id) in ids.into_iter().enumerate() {
        c.wait_for(id, None)
            .map_err(|e| format!("PUBACK of message {} of {N}: {e}", i + 1))?;
    }
    for i in 0..N {
        next_message(&mut c, &topic, MESSAGE_WAIT)
            .map_err(|e| format!("message {} of {N}: {e}", i + 1))?;
    }
    c.disconnect().ctx("disconnect")
}

fn retained(t: &Target) -> Result<(), String> {
    let topic = topic("retain");
    let publisher = t.connect()?;
    publisher
        .publish_and_wait(&topic, "kept", QoS::AtLeastOnce, true)
        .ctx("publish retained")?;
    let result = (|| {
        let (mut sub, _) = t.subscriber(&topic, QoS::AtLeastOnce)?;
        let m = next_message(&mut sub, &topic, MESSAGE_WAIT)?;
        sub.disconnect().ctx("disconnect")?;
        match (&m.payload[..], m.retain) {
            (b"kept", true) => Ok(()),
            (b"kept", false) => Err("the retained copy came without the retain flag".into()),
            _ => Err(format!("received {m:?}")),
        }
    })();
    // An empty retained message clears it, whatever the outcome.
    publisher
        .publish_and_wait(&topic, "", QoS::AtLeastOnce, true)
        .ctx("clear the retained message")?;
    publisher.disconnect().ctx("disconnect")?;
    result
}

fn large(t: &Target, qos: QoS) -> Result<(), String> {
    let topic = topic("large");
    let payload: Vec<u8> = (0..LARGE).map(|i| (i % 251) as u8).collect();
    let (mut sub, _) = t.subscriber(&topic, qos)?;
    let publisher = t.connect()?;
    publisher
        .publish_and_wait(&topic, payload.clone(), qos, false)
        .ctx("publish 256 KiB")?;
    let m = next_message(&mut sub, &topic, LARGE_WAIT)?;
    if m.payload[..] != payload[..] {
        return Err(format!(
            "received {} bytes, not the {LARGE} sent",
            m.payload.len()
        ));
    }
    publisher.disconnect().ctx("disconnect")?;
    sub.disconnect().ctx("disconnect")
}

fn will(topic: &str) -> Will {
    Will::new(topic, Bytes::from_static(b"will"), QoS::AtLeastOnce, false)
}

fn clean_disconnect(t: &Target) -> Result<(), String> {
    let topic = topic("will");
    let (mut watcher, _) = t.subscriber(&topic, QoS::AtLeastOnce)?;
    let id = unique("iop");
    let c = connect(t.options(&id).will(will(&topic)))?;
    c.disconnect().ctx("disconnect")?;
    // The same client id again: the broker is done with the first connection once it
    // accepts this one, so a will it published would be ahead of this marker.
    let again = connect(t.options(&id))?;
    again
        .publish_and_wait(&topic, "marker", QoS::AtLeastOnce, false)
        .ctx("publish the marker")?;
    let m = next_message(&mut watcher, &topic, MESSAGE_WAIT)?;
    again.disconnect().ctx("disconnect")?;
    watcher.disconnect().ctx("disconnect")?;
    match &m.payload[..] {
        b"marker" => Ok(()),
        b"will" => Err("the will was published after a clean DISCONNECT".into()),
        other => Err(format!("received {:?}", String::from_utf8_lossy(other))),
    }
}

fn persistent_session(t: &Target) -> Result<(), String> {
    let topic = topic("session");
    let id = unique("iop");
    let persistent = || t.options(&id).clean_session(false);
    let c = Client::new(persistent()).ctx("client")?;
    c.connect().ctx("connect")?;
    c.subscribe(&[(&topic, QoS::AtLeastOnce)])
        .ctx("subscribe")?;
    c.disconnect().ctx("disconnect")?;

    let sent: Vec<String> = (1..=5).map(|i| format!("m{i}")).collect();
    let publisher = t.connect()?;
    for m in &sent {
        publisher
            .publish_and_wait(&topic, m.clone(), QoS::AtLeastOnce, false)
            .ctx("publish")?;
    }
    publisher.disconnect().ctx("disconnect")?;

    let mut c = Client::new(persistent()).ctx("client")?;
    let info = c.connect().ctx("reconnect")?;
    let mut got = Vec::new();
    let mut missing = None;
    while got.len() < sent.len() {
        match next_message(&mut c, &topic, MESSAGE_WAIT) {
            Ok(m) => got.push(String::from_utf8_lossy(&m.payload).into_owned()),
            Err(e) => {
                missing = Some(e);
                break;
            }
        }
    }
    c.disconnect().ctx("disconnect")?;
    // Leave no session behind.
    let clean = connect(t.options(&id))?;
    clean.disconnect().ctx("disconnect")?;

    if !info.session_present {
        return Err(format!("session_present was false (received {got:?})"));
    }
    if let Some(e) = missing {
        return Err(format!("received {got:?} of {sent:?}: {e}"));
    }
    if got != sent {
        return Err(format!("received {got:?}, sent {sent:?}"));
    }
    Ok(())
}

fn will_on_kill(t: &Target) -> Result<(), String> {
    let topic = topic("kill");
    let (mut watcher, _) = t.subscriber(&topic, QoS::AtLeastOnce)?;
    let c = connect(t.options(&unique("iop")).will(will(&topic)))?;
    // What the broker sees when the process dies: the socket closes, with no
    // DISCONNECT and no WebSocket close frame.
    drop(c);
    let m = next_message(&mut watcher, &topic, MESSAGE_WAIT)?;
    watcher.disconnect().ctx("disconnect")?;
    if &m.payload[..] != b"will" {
        return Err(format!("received {m:?}"));
    }
    Ok(())
}

fn will_on_drop(t: &Target) -> Result<(), String> {
    let topic = topic("drop");
    let (mut watcher, _) = t.subscriber(&topic, QoS::AtLeastOnce)?;
    let relay = Relay::start(("127.0.0.1", t.port));
    let url = match t.transport {
        Transport::Ws => relay.ws_url("/mqtt"),
        Transport::Wss => relay.wss_url("/mqtt"),
    };
    let c = connect(
        t.options_for(&url, &unique("iop"))
            .keepalive(2)
            .will(will(&topic)),
    )?;
    // Nothing passes any more, and no side learns it: only the keepalive can tell.
    relay.set_both(Fault::Stall);
    let m = next_message(&mut watcher, &topic, DROP_WAIT);
    drop(c);
    drop(relay);
    let m = m?;
    watcher.disconnect().ctx("disconnect")?;
    if &m.payload[..] != b"will" {
        return Err(format!("received {m:?}"));
    }
    Ok(())
}

/// Runs the program of a language check (a command line in `var`) with the target in
/// `MQTTWS_URL`, `MQTTWS_CA_FILE`, `MQTTWS_USERNAME`, `MQTTWS_PASSWORD` and
/// `MQTTWS_TOPIC`; it passes when the program exits 0 within [`PROGRAM_WAIT`].
fn program(t: &Target, var: &str) -> Outcome {
    let Some(line) = std::env::var(var).ok().filter(|v| !v.trim().is_empty()) else {
        return Outcome::NotRun(format!("{var} is not set"));
    };
    let mut words = line.split_whitespace();
    let mut command = Command::new(words.next().expect("not empty"));
    command
        .args(words)
        .current_dir(super::repo_root())
        .env("MQTTWS_URL", &t.url)
        .env("MQTTWS_TOPIC", topic(var))
        .env_remove("MQTTWS_CA_FILE")
        .env_remove("MQTTWS_USERNAME")
        .env_remove("MQTTWS_PASSWORD")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(ca) = &t.ca {
        command.env("MQTTWS_CA_FILE", ca);
    }
    if t.credentials {
        command
            .env("MQTTWS_USERNAME", USER)
            .env("MQTTWS_PASSWORD", PASSWORD);
    }
    let child = match command.spawn() {
        Ok(c) => c,
        Err(e) => return Outcome::Fail(format!("cannot run {line}: {e}")),
    };
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = match rx.recv_timeout(PROGRAM_WAIT) {
        Ok(Ok(output)) => output,
        Ok(Err(e)) => return Outcome::Fail(format!("{line}: {e}")),
        Err(_) => {
            // SAFETY: kill(2) has no memory-safety preconditions; the child is not
            // reaped yet (its waiter is still waiting), so the pid is still ours.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            return Outcome::Fail(format!("{line} did not finish within {PROGRAM_WAIT:?}"));
        }
    };
    if output.status.success() {
        Outcome::Pass
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        Outcome::Fail(format!("{line}: {} {last}", output.status))
    }
}

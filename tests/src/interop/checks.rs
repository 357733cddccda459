//! The checks of the interop matrix, run through the Rust client ([`CHECKS`]) and
//! through the C, Python and Go faces ([`LANGUAGE_CHECKS`]). Each says under which MQTT
//! versions it runs ([`Versions`]); a check of both runs twice against a broker that
//! speaks MQTT 5, and [`Target::options`] carries the version to every client it makes.
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

use mqttws::{
    Bytes, Client, ClientOptions, ConnectProperties, Error, Event, Message, ProtocolVersion,
    PublishProperties, QoS, RetainHandling, SubscribeOptions, SubscribeProperties, Will,
};

use super::{DENIED, Outcome, PASSWORD, Refusal, Spec, Transport, USER};
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
    /// The MQTT version every client of the check speaks.
    pub version: ProtocolVersion,
    /// The test CA, for wss.
    pub ca: Option<PathBuf>,
    /// The broker (credentials, how it refuses a publish).
    pub spec: &'static Spec,
}

impl Target {
    /// Options for a client of this target: MQTT version, CA, credentials, 10 s timeouts.
    pub fn options(&self, client_id: &str) -> ClientOptions {
        self.options_for(&self.url, client_id)
    }

    fn options_for(&self, url: &str, client_id: &str) -> ClientOptions {
        let mut o = ClientOptions::new(url)
            .client_id(client_id)
            .protocol_version(self.version)
            .connect_timeout(Duration::from_secs(10))
            .operation_timeout(Duration::from_secs(10));
        if let Some(ca) = &self.ca {
            o = o.ca_file(ca);
        }
        if self.spec.credentials {
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

/// One check: a name for the matrix, what it asserts, under which MQTT versions, and
/// the code.
#[derive(Debug)]
pub struct Check {
    /// Short name, the row of the matrix.
    pub name: &'static str,
    /// What passing means.
    pub what: &'static str,
    /// Under which MQTT versions it runs.
    pub versions: Versions,
    /// Runs it against a target.
    pub run: fn(&Target) -> Outcome,
}

/// Under which MQTT versions a check runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versions {
    /// 3.1.1, and 5 against a broker that speaks it.
    Both,
    /// 3.1.1 only.
    V311,
    /// 5 only, against a broker that speaks it.
    V5,
    /// 5 only, against a broker that does not speak it.
    RefusedV5,
}

impl Versions {
    /// Whether the check runs under `version` against the broker `spec`.
    pub fn runs(self, version: ProtocolVersion, spec: &Spec) -> bool {
        let v5 = version == ProtocolVersion::V5;
        match self {
            Versions::Both => !v5 || spec.speaks_v5(),
            Versions::V311 => !v5,
            Versions::V5 => v5 && spec.speaks_v5(),
            Versions::RefusedV5 => v5 && !spec.speaks_v5(),
        }
    }

    /// For the docs: `3.1.1, 5`, `3.1.1`, `5`.
    pub fn describe(self) -> &'static str {
        match self {
            Versions::Both => "3.1.1 and 5",
            Versions::V311 => "3.1.1",
            Versions::V5 => "5",
            Versions::RefusedV5 => "5, brokers without it",
        }
    }
}

/// The checks run through the Rust client.
pub const CHECKS: &[Check] = &[
    Check {
        name: "connect",
        what: "WebSocket upgrade with subprotocol `mqtt`, CONNECT, CONNACK accepted",
        versions: Versions::Both,
        run: |t| outcome(connect_check(t)),
    },
    Check {
        name: "subscribe-qos1",
        what: "SUBACK grants QoS 1 to a QoS 1 subscription",
        versions: Versions::Both,
        run: |t| outcome(subscribe_qos1(t)),
    },
    Check {
        name: "publish-qos0",
        what: "a QoS 0 message reaches a QoS 2 subscriber at QoS 0 (min of both)",
        versions: Versions::Both,
        run: |t| outcome(publish_at(t, QoS::AtMostOnce)),
    },
    Check {
        name: "publish-qos1",
        what: "PUBACK, and the message reaches a QoS 2 subscriber at QoS 1 (min of both)",
        versions: Versions::Both,
        run: |t| outcome(publish_at(t, QoS::AtLeastOnce)),
    },
    Check {
        name: "publish-qos2",
        what: "a QoS 2 publish completes with PUBREC/PUBREL/PUBCOMP (no downgrade) and arrives",
        versions: Versions::Both,
        run: |t| outcome(publish_qos2(t)),
    },
    Check {
        name: "qos2-roundtrip",
        what: "a QoS 2 subscription is granted QoS 2 and a QoS 2 message arrives at QoS 2, once",
        versions: Versions::Both,
        run: |t| outcome(qos2_roundtrip(t)),
    },
    Check {
        name: "own-subscription",
        what: "a client subscribed to the topic it publishes to gets the PUBACKs of 10 QoS 1 messages in flight, and the messages",
        versions: Versions::Both,
        run: |t| outcome(own_subscription(t)),
    },
    Check {
        name: "retained",
        what: "a retained message reaches a later subscriber, with the retain flag",
        versions: Versions::Both,
        run: |t| outcome(retained(t)),
    },
    Check {
        name: "large-qos0",
        what: "256 KiB at QoS 0 in both directions",
        versions: Versions::Both,
        run: |t| outcome(large(t, QoS::AtMostOnce)),
    },
    Check {
        name: "large-qos1",
        what: "256 KiB at QoS 1 in both directions",
        versions: Versions::Both,
        run: |t| outcome(large(t, QoS::AtLeastOnce)),
    },
    Check {
        name: "clean-disconnect",
        what: "DISCONNECT ends the connection cleanly and the will is not published",
        versions: Versions::Both,
        run: |t| outcome(clean_disconnect(t)),
    },
    Check {
        name: "persistent-session",
        what: "clean_session=false: session_present on return, and the QoS 1 messages published meanwhile arrive, in order",
        versions: Versions::Both,
        run: |t| outcome(persistent_session(t)),
    },
    Check {
        name: "will-on-kill",
        what: "a connection closed without DISCONNECT (the process died) gets its will published",
        versions: Versions::Both,
        run: |t| outcome(will_on_kill(t)),
    },
    Check {
        name: "will-on-drop",
        what: "a link gone silent (no FIN) gets its will published after the keepalive (2 s) expires",
        versions: Versions::Both,
        run: |t| outcome(will_on_drop(t)),
    },
    Check {
        name: "v5-refused",
        what: "a broker without MQTT 5 refuses an MQTT 5 CONNECT with a CONNACK saying so (5.0's 0x84 or 3.1.1's 1), which mqttws reports as a refusal",
        versions: Versions::RefusedV5,
        run: |t| outcome(v5_refused(t)),
    },
    Check {
        name: "assigned-client-id",
        what: "an empty client id gets one assigned in CONNACK",
        versions: Versions::V5,
        run: |t| outcome(assigned_client_id(t)),
    },
    Check {
        name: "publish-properties",
        what: "payload format, message expiry (counted down, not up), content type, response topic, correlation data and user properties (order and repeated names kept) reach the subscriber",
        versions: Versions::V5,
        run: |t| outcome(publish_properties(t)),
    },
    Check {
        name: "no-local",
        what: "a no-local subscription does not get the client's own message, and gets another client's",
        versions: Versions::V5,
        run: |t| outcome(no_local(t)),
    },
    Check {
        name: "subscription-id",
        what: "a message carries the identifier of the subscription that matched it",
        versions: Versions::V5,
        run: |t| outcome(subscription_id(t)),
    },
    Check {
        name: "retain-handling",
        what: "a subscription with retain handling 2 (do not send) does not get the retained message, and gets the next live one",
        versions: Versions::V5,
        run: |t| outcome(retain_handling(t)),
    },
    Check {
        name: "retain-as-published",
        what: "a subscription with retain as published gets a live retained message with its retain flag",
        versions: Versions::V5,
        run: |t| outcome(retain_as_published(t)),
    },
    Check {
        name: "suback-reason-codes",
        what: "SUBACK has a reason code per filter: the QoS granted (1, and 2 or the broker's maximum QoS)",
        versions: Versions::V5,
        run: |t| outcome(suback_reason_codes(t)),
    },
    Check {
        name: "unsuback-reason-codes",
        what: "UNSUBACK has a success reason code per filter: 0x00 for a subscription that existed, 0x11 (no subscription existed) or 0x00 for one that did not",
        versions: Versions::V5,
        run: |t| outcome(unsuback_reason_codes(t)),
    },
    Check {
        name: "topic-alias",
        what: "with the broker's topic alias maximum, 30 QoS 1 messages in flight over 3 topics (aliases toward the broker) arrive in order, at a subscriber that allows aliases too",
        versions: Versions::V5,
        run: |t| outcome(topic_alias(t)),
    },
    Check {
        name: "receive-maximum",
        what: "the receive maximum the broker announces (not the client's own, larger window) bounds the QoS 1 messages in flight: filled, never exceeded, and all are acknowledged",
        versions: Versions::V5,
        run: |t| outcome(receive_maximum(t)),
    },
    Check {
        name: "session-takeover",
        what: "a connection whose client id connects again gets DISCONNECT 0x8E (session taken over), reported as `Event::ServerDisconnected`",
        versions: Versions::V5,
        run: |t| outcome(session_takeover(t)),
    },
    Check {
        name: "publish-refused",
        what: "a QoS 1 and a QoS 2 publish the broker refuses (an ACL) end in `Error::Rejected` with the PUBACK/PUBREC reason code, and the connection stays up",
        versions: Versions::V5,
        run: |t| outcome(publish_refused(t)),
    },
];

/// One round trip (subscribe QoS 1, publish QoS 1 and wait for PUBACK, receive) through
/// each of the other faces: a program per language, given by an environment variable
/// (`make interop` sets them). Unset: not run, and not counted.
pub const LANGUAGE_CHECKS: &[Check] = &[
    Check {
        name: "c",
        what: "the round trip through the C ABI (tests/interop/lang/roundtrip.c)",
        versions: Versions::V311,
        run: |t| program(t, "MQTTWS_INTEROP_C"),
    },
    Check {
        name: "python",
        what: "the round trip through the Python package (tests/interop/lang/roundtrip.py)",
        versions: Versions::V311,
        run: |t| program(t, "MQTTWS_INTEROP_PYTHON"),
    },
    Check {
        name: "go",
        what: "the round trip through the Go module (tests/interop/lang/go)",
        versions: Versions::V311,
        run: |t| program(t, "MQTTWS_INTEROP_GO"),
    },
];

/// Why a check did not pass.
enum Stop {
    /// It failed, with what was seen.
    Fail(String),
    /// It does not apply to this broker, said why.
    NotApplicable(String),
}

impl From<String> for Stop {
    fn from(why: String) -> Self {
        Stop::Fail(why)
    }
}

impl From<&str> for Stop {
    fn from(why: &str) -> Self {
        Stop::Fail(why.to_owned())
    }
}

fn outcome(r: Result<(), impl Into<Stop>>) -> Outcome {
    match r.map_err(Into::into) {
        Ok(()) => Outcome::Pass,
        Err(Stop::Fail(why)) => Outcome::Fail(why),
        Err(Stop::NotApplicable(why)) => Outcome::NotApplicable(why),
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
    first_is(
        &m,
        "marker",
        ("will", "the will was published after a clean DISCONNECT"),
    )
}

/// Passes when the payload of `m` is `want`; says `why` when it is `bad.0`, else what came.
fn first_is(m: &Message, want: &str, bad: (&str, &str)) -> Result<(), String> {
    match &m.payload[..] {
        p if p == want.as_bytes() => Ok(()),
        p if p == bad.0.as_bytes() => Err(bad.1.into()),
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
    if t.spec.credentials {
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

fn v5_refused(t: &Target) -> Result<(), String> {
    // A refusal comes at once; a broker that never answers need not cost 10 s.
    let options = t
        .options(&unique("iop"))
        .connect_timeout(Duration::from_secs(3));
    let c = Client::new(options).ctx("client")?;
    match c.connect() {
        Ok(_) => {
            let _ = c.disconnect();
            Err("an MQTT 5 CONNECT was accepted".into())
        }
        Err(Error::ConnectionRefused { code, .. }) if code.v311_equivalent() == Some(1) => Ok(()),
        Err(e) => Err(format!("no CONNACK refusing the protocol version: {e}")),
    }
}

/// A client connected with these options, and what CONNACK said.
fn connect_info(options: ClientOptions) -> Result<(Client, mqttws::ConnectInfo), String> {
    let c = Client::new(options).ctx("client")?;
    let info = c.connect().ctx("connect")?;
    Ok((c, info))
}

fn assigned_client_id(t: &Target) -> Result<(), String> {
    let (c, info) = connect_info(t.options(""))?;
    c.disconnect().ctx("disconnect")?;
    match info.properties.assigned_client_identifier {
        Some(id) if !id.is_empty() => Ok(()),
        other => Err(format!("CONNACK assigned {other:?}")),
    }
}

fn publish_properties(t: &Target) -> Result<(), String> {
    let topic = topic("props");
    let (mut sub, _) = t.subscriber(&topic, QoS::AtLeastOnce)?;
    let publisher = t.connect()?;
    let sent = PublishProperties {
        payload_format_utf8: Some(true),
        message_expiry_interval: Some(300),
        content_type: Some("application/json".into()),
        response_topic: Some(format!("{topic}/reply")),
        correlation_data: Some(Bytes::from_static(b"req-1\x00\xff")),
        user_properties: [("unit", "C"), ("site", "north"), ("unit", "K")]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .to_vec(),
        ..PublishProperties::default()
    };
    let id = publisher
        .publish_with(&topic, "{\"t\":21}", QoS::AtLeastOnce, false, sent.clone())
        .ctx("publish")?
        .ok_or("a QoS 1 publish got no packet id")?;
    publisher.wait_for(id, None).ctx("wait for PUBACK")?;
    let m = next_message(&mut sub, &topic, MESSAGE_WAIT)?;
    publisher.disconnect().ctx("disconnect")?;
    sub.disconnect().ctx("disconnect")?;
    let got = m
        .properties
        .ok_or("the message arrived without properties")?;
    let mut wrong = Vec::new();
    let mut compare = |what: &str, same: bool, got: &dyn std::fmt::Debug| {
        if !same {
            wrong.push(format!("{what} {got:?}"));
        }
    };
    compare(
        "payload format",
        got.payload_format_utf8 == Some(true),
        &got.payload_format_utf8,
    );
    compare(
        "content type",
        got.content_type == sent.content_type,
        &got.content_type,
    );
    compare(
        "response topic",
        got.response_topic == sent.response_topic,
        &got.response_topic,
    );
    compare(
        "correlation data",
        got.correlation_data == sent.correlation_data,
        &got.correlation_data,
    );
    compare(
        "user properties",
        got.user_properties == sent.user_properties,
        &got.user_properties,
    );
    compare(
        "message expiry",
        got.message_expiry_interval
            .is_some_and(|s| (1..=300).contains(&s)),
        &got.message_expiry_interval,
    );
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("received {}", wrong.join(", ")))
    }
}

fn no_local(t: &Target) -> Result<(), String> {
    let topic = topic("nolocal");
    let c = t.connect()?;
    let options = SubscribeOptions {
        no_local: true,
        ..SubscribeOptions::qos(QoS::AtLeastOnce)
    };
    c.subscribe_with(&[(&topic, options)], SubscribeProperties::default())
        .ctx("subscribe")?;
    c.publish_and_wait(&topic, "mine", QoS::AtLeastOnce, false)
        .ctx("publish")?;
    // Acknowledged before the other client publishes: an echo would come first.
    let m = from_another(t, c, &topic, "theirs")?;
    first_is(&m, "theirs", ("mine", "the client's own message came back"))
}

/// Another client publishes `payload` to `topic` at QoS 1; returns the next message
/// `c` gets there. Both disconnect.
fn from_another(t: &Target, mut c: Client, topic: &str, payload: &str) -> Result<Message, String> {
    let other = t.connect()?;
    other
        .publish_and_wait(topic, payload.to_owned(), QoS::AtLeastOnce, false)
        .ctx("publish from another client")?;
    let m = next_message(&mut c, topic, MESSAGE_WAIT)?;
    other.disconnect().ctx("disconnect")?;
    c.disconnect().ctx("disconnect")?;
    Ok(m)
}

fn subscription_id(t: &Target) -> Result<(), Stop> {
    let topic = topic("subid");
    let (c, info) = connect_info(t.options(&unique("iop")))?;
    if info.properties.subscription_identifiers_available == Some(false) {
        return Err(Stop::NotApplicable(
            "it announces no subscription identifiers".into(),
        ));
    }
    let properties = SubscribeProperties {
        subscription_identifier: Some(77),
        user_properties: Vec::new(),
    };
    c.subscribe_with(&[(&topic, QoS::AtLeastOnce.into())], properties)
        .ctx("subscribe")?;
    let m = from_another(t, c, &topic, "hello")?;
    let ids = m.properties.map(|p| p.subscription_identifiers);
    if ids.as_deref() == Some(&[77][..]) {
        Ok(())
    } else {
        Err(format!("the message carried subscription identifiers {ids:?}, not [77]").into())
    }
}

/// Publishes a retained `kept` on a new topic, subscribes a new client with `options`,
/// publishes `live` with the retain flag, and returns the first message the subscriber
/// gets. The retained message is cleared whatever happens.
fn retained_then_live(t: &Target, options: SubscribeOptions) -> Result<Message, String> {
    let topic = topic("rh");
    let publisher = t.connect()?;
    publisher
        .publish_and_wait(&topic, "kept", QoS::AtLeastOnce, true)
        .ctx("publish retained")?;
    let first = (|| {
        let mut sub = t.connect()?;
        sub.subscribe_with(&[(&topic, options)], SubscribeProperties::default())
            .ctx("subscribe")?;
        // After SUBACK: a retained copy the broker sends would come first.
        publisher
            .publish_and_wait(&topic, "live", QoS::AtLeastOnce, true)
            .ctx("publish live")?;
        let m = next_message(&mut sub, &topic, MESSAGE_WAIT)?;
        sub.disconnect().ctx("disconnect")?;
        Ok(m)
    })();
    publisher
        .publish_and_wait(&topic, "", QoS::AtLeastOnce, true)
        .ctx("clear the retained message")?;
    publisher.disconnect().ctx("disconnect")?;
    first
}

fn retain_handling(t: &Target) -> Result<(), String> {
    let options = SubscribeOptions {
        retain_handling: RetainHandling::DoNotSend,
        ..SubscribeOptions::qos(QoS::AtLeastOnce)
    };
    let m = retained_then_live(t, options)?;
    first_is(&m, "live", ("kept", "the retained message was sent"))
}

fn retain_as_published(t: &Target) -> Result<(), String> {
    let options = SubscribeOptions {
        retain_as_published: true,
        retain_handling: RetainHandling::DoNotSend,
        ..SubscribeOptions::qos(QoS::AtLeastOnce)
    };
    let m = retained_then_live(t, options)?;
    first_is(&m, "live", ("kept", "the retained message was sent"))?;
    if m.retain {
        Ok(())
    } else {
        Err("the live retained message came without the retain flag".into())
    }
}

fn suback_reason_codes(t: &Target) -> Result<(), String> {
    let (c, info) = connect_info(t.options(&unique("iop")))?;
    let (one, two) = (topic("suback1"), topic("suback2"));
    let reply = c
        .subscribe_with(
            &[
                (&one, QoS::AtLeastOnce.into()),
                (&two, QoS::ExactlyOnce.into()),
            ],
            SubscribeProperties::default(),
        )
        .ctx("subscribe")?;
    c.disconnect().ctx("disconnect")?;
    let most = info.properties.maximum_qos.map_or(2, |q| q as u8);
    let want = vec![1, most.min(2)];
    if reply.reason_codes == want {
        Ok(())
    } else {
        Err(format!(
            "SUBACK reason codes {:?}, not {want:?}",
            reply.reason_codes
        ))
    }
}

fn unsuback_reason_codes(t: &Target) -> Result<(), String> {
    let c = t.connect()?;
    let (had, never) = (topic("unsub"), topic("never"));
    c.subscribe(&[(&had, QoS::AtLeastOnce)]).ctx("subscribe")?;
    let codes = c
        .unsubscribe_with(&[&had, &never], Vec::new())
        .ctx("unsubscribe")?;
    c.disconnect().ctx("disconnect")?;
    match codes[..] {
        [0x00, 0x00 | 0x11] => Ok(()),
        _ => Err(format!(
            "UNSUBACK reason codes {codes:02x?}, not [00, 11] (or [00, 00])"
        )),
    }
}

/// Publishes `n` QoS 1 messages without waiting in between (as many in flight as the
/// window allows), then waits for every acknowledgement. Returns the most in flight.
fn publish_many(c: &Client, topics: &[String], n: usize) -> Result<usize, String> {
    let mut ids = Vec::new();
    let mut most = 0;
    for i in 0..n {
        let t = &topics[i % topics.len()];
        ids.extend(
            c.publish(t, i.to_string(), QoS::AtLeastOnce, false)
                .ctx("publish")?,
        );
        most = most.max(c.inflight());
    }
    for (i, id) in ids.into_iter().enumerate() {
        c.wait_for(id, None)
            .map_err(|e| format!("PUBACK of message {} of {n}: {e}", i + 1))?;
    }
    Ok(most)
}

fn topic_alias(t: &Target) -> Result<(), Stop> {
    const N: usize = 30;
    let base = topic("alias");
    let (publisher, info) = connect_info(t.options(&unique("iop")))?;
    if info.properties.topic_alias_maximum.unwrap_or(0) == 0 {
        return Err(Stop::NotApplicable(
            "it announces no topic alias maximum: the client may use none".into(),
        ));
    }
    let aliases = ConnectProperties {
        topic_alias_maximum: Some(5),
        ..ConnectProperties::default()
    };
    let sub = connect(t.options(&unique("iop")).connect_properties(aliases))?;
    sub.subscribe(&[(&format!("{base}/#"), QoS::AtLeastOnce)])
        .ctx("subscribe")?;
    let topics: Vec<String> = (0..3).map(|i| format!("{base}/{i}")).collect();
    publish_many(&publisher, &topics, N)?;
    let mut got = Vec::new();
    while got.len() < N {
        let m = sub.recv(Some(MESSAGE_WAIT)).ctx("receive")?;
        let m = m.ok_or_else(|| format!("{} of {N} messages arrived", got.len()))?;
        got.push((m.topic, String::from_utf8_lossy(&m.payload).into_owned()));
    }
    publisher.disconnect().ctx("disconnect")?;
    sub.disconnect().ctx("disconnect")?;
    let sent: Vec<(String, String)> = (0..N)
        .map(|i| (topics[i % topics.len()].clone(), i.to_string()))
        .collect();
    match sent.iter().zip(&got).position(|(s, g)| s != g) {
        None => Ok(()),
        Some(i) => Err(format!("message {i}: sent {:?}, received {:?}", sent[i], got[i]).into()),
    }
}

fn receive_maximum(t: &Target) -> Result<(), Stop> {
    /// More than this is too many messages to fill the window in a check.
    const MOST: u16 = 64;
    // A window far above the broker's: only what the broker announced can bound it.
    let options = t.options(&unique("iop")).inflight_window(4 * MOST);
    let (c, info) = connect_info(options)?;
    let max = match info.properties.receive_maximum {
        Some(n) if n <= MOST => usize::from(n),
        Some(n) => {
            return Err(Stop::NotApplicable(format!(
                "it announces a receive maximum of {n}, more than the {MOST} this check fills"
            )));
        }
        None => {
            return Err(Stop::NotApplicable(
                "it announces no receive maximum (65,535)".into(),
            ));
        }
    };
    let most = publish_many(&c, &[topic("recvmax")], 3 * max)?;
    let up = c.is_connected();
    c.disconnect().ctx("disconnect")?;
    if most > max {
        return Err(format!("{most} messages in flight, beyond the receive maximum {max}").into());
    }
    if most < max {
        return Err(format!("at most {most} in flight: the window of {max} never filled").into());
    }
    if !up {
        return Err("the connection closed".into());
    }
    Ok(())
}

fn session_takeover(t: &Target) -> Result<(), String> {
    let id = unique("iop");
    let first = connect(t.options(&id))?;
    let second = connect(t.options(&id))?;
    let deadline = Instant::now() + MESSAGE_WAIT;
    let seen = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match first.poll(Some(left)) {
            Ok(Some(Event::ServerDisconnected {
                reason_code,
                reason,
                ..
            })) => break Ok((reason_code, reason)),
            Ok(Some(_)) => {}
            Ok(None) => {
                break Err(format!(
                    "the first connection was still up {MESSAGE_WAIT:?} after the takeover"
                ));
            }
            Err(e) => {
                break Err(format!(
                    "the first connection ended without DISCONNECT: {e}"
                ));
            }
        }
    };
    second.disconnect().ctx("disconnect")?;
    match seen? {
        (0x8E, _) => Ok(()),
        (code, reason) => Err(format!(
            "DISCONNECT {code:#04x} ({reason:?}), not 0x8e (session taken over)"
        )),
    }
}

fn publish_refused(t: &Target) -> Result<(), Stop> {
    if let Refusal::Unavailable(why) = t.spec.refusal {
        return Err(Stop::NotApplicable(why.into()));
    }
    let c = t.connect()?;
    let denied = format!("{DENIED}/{}", unique("x"));
    for qos in [QoS::AtLeastOnce, QoS::ExactlyOnce] {
        let q = qos_name(qos);
        match c.publish_and_wait(&denied, "x", qos, false) {
            Err(Error::Rejected { code, .. }) if code >= 0x80 => {}
            Ok(()) => return Err(format!("the QoS {q} publish to {denied} was accepted").into()),
            Err(e) => return Err(format!("the QoS {q} publish to {denied}: {e}").into()),
        }
    }
    // Still up, and a publish elsewhere goes through.
    c.publish_and_wait(&topic("allowed"), "fine", QoS::AtLeastOnce, false)
        .ctx("a publish after the refusals")?;
    c.disconnect().ctx("disconnect")?;
    Ok(())
}

//! The interop matrix: the same checks against other brokers than mosquitto.
//!
//! [`BROKERS`] is the one list of brokers, with what a user must set for each and the
//! known defects the checks are expected to find, each with its reason; [`checks::CHECKS`]
//! is the one list of checks, each declared for MQTT 3.1.1, 5 or both. `tests/tests/interop.rs`
//! runs them (one test per broker; ws and wss, under each version the check and the broker
//! speak), [`Report`] says whether every outcome was the expected one (a known
//! defect that stops failing turns the run red, so a broker fixed upstream is noticed),
//! and the `mqttws-interop-doc` binary turns the results into `docs/interop.md`.
//!
//! # One start/stop protocol
//!
//! Every broker is started the same way, by [`RunningBroker::start`]:
//! `tests/interop/broker start NAME` (a bash script that ends by exec-ing the broker)
//! runs in a process group of its own, with a fresh directory, free loopback ports and
//! a test PKI passed in `IOP_*` variables (see that script). Readiness is probed: both
//! ports accept TCP, then an MQTT CONNECT over ws and over wss is accepted; between
//! probes the harness waits for the broker's next line of output or 100 ms, and the
//! whole wait is bounded by the broker's start-up limit. Stopping sends SIGTERM to the
//! broker, waits (bounded) for it to exit, then SIGTERM and, if need be, SIGKILL to
//! what is left of its process group (epmd for the Erlang brokers), each by its id.
//! Installing is `tests/interop/broker install NAME` (`make interop-deps`).

use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use mqttws::ProtocolVersion;
use tempfile::TempDir;

use crate::HOST;
use crate::certs::TestPki;

pub mod checks;

pub use checks::{CHECKS, Check, LANGUAGE_CHECKS, Versions};

/// The credentials every check sends when a broker needs them ([`Spec::credentials`]).
pub const USER: &str = "interop";
/// See [`USER`]. Not a secret: the brokers that need a password check none.
pub const PASSWORD: &str = "interop-password";

/// How long a broker may take to stop after SIGTERM before it gets SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);
/// How often start-up is retried with new ports when another process took one.
const PORT_ATTEMPTS: usize = 3;
/// The exit status of a broker that could not listen on a port it was given (the port
/// was taken meanwhile): start-up is retried with new ports.
const EXIT_PORT_TAKEN: i32 = 3;

/// One broker of the matrix.
#[derive(Debug)]
pub struct Spec {
    /// The name of its directory under `tests/interop/brokers/` (and of its test).
    pub name: &'static str,
    /// What it is called.
    pub title: &'static str,
    /// Where it comes from (registry and package), for the docs. The exact version is
    /// `VERSION` in its `broker.sh`, pinned by the files beside it.
    pub source: &'static str,
    /// Whether a client must send a user name and password ([`USER`], [`PASSWORD`]).
    pub credentials: bool,
    /// Whether it also speaks MQTT 5 over WebSocket (and so which checks run under 5).
    pub mqtt5: Mqtt5,
    /// How the `publish-refused` check gets it to refuse a publish.
    pub refusal: Refusal,
    /// Upper bound on start-up, install excluded (JVM and Erlang brokers on a busy
    /// 2-core machine take tens of seconds).
    pub start_timeout: Duration,
    /// What a user must set (frame limits, credentials...), one item each.
    pub settings: &'static [&'static str],
    /// The known defects: these checks are expected to fail, for the reason given.
    pub expected: &'static [Expect],
    /// Anything else a user should know (for the docs).
    pub notes: &'static [&'static str],
}

/// Whether a broker speaks MQTT 5 over WebSocket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mqtt5 {
    /// It does: the checks declared for 5 run under 5 too.
    Yes,
    /// It does not: under 5 only the checks of [`Versions::RefusedV5`] run. The text says
    /// what it does with an MQTT 5 CONNECT, as observed.
    No(&'static str),
}

/// How the `publish-refused` check gets a broker to refuse a PUBLISH.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Its configuration (`broker.sh`) refuses publishes to the topics under [`DENIED`]
    /// (an ACL), for every client.
    Acl,
    /// No way was found: the check does not apply, for this reason.
    Unavailable(&'static str),
}

/// The topics a broker with [`Refusal::Acl`] refuses publishes to: `DENIED/...` (passed
/// to its `broker.sh` as `IOP_DENIED`).
pub const DENIED: &str = "interop-denied";

/// A known defect: a check that fails against one broker, and why.
#[derive(Debug)]
pub struct Expect {
    /// [`Check::name`], or [`ANY_CHECK`].
    pub check: &'static str,
    /// The MQTT version it shows under; `None`: under every version the check runs.
    pub version: Option<ProtocolVersion>,
    /// Why it fails (the broker's behaviour, as observed).
    pub reason: &'static str,
    /// It fails only sometimes: either outcome is accepted, both are reported.
    pub flaky: bool,
    /// For a defect of [`ANY_CHECK`]: what a failure it causes says (one of these texts
    /// is in the failure's detail). Other failures stay unexpected.
    pub seen: &'static [&'static str],
}

/// [`Expect::check`] of a defect that can make any check fail, recognised by what the
/// failure says ([`Expect::seen`]).
pub const ANY_CHECK: &str = "*";

const fn fails(check: &'static str, reason: &'static str) -> Expect {
    Expect {
        check,
        version: None,
        reason,
        flaky: false,
        seen: &[],
    }
}

const fn flaky(check: &'static str, reason: &'static str) -> Expect {
    Expect {
        flaky: true,
        ..fails(check, reason)
    }
}

/// A defect that sometimes makes any check fail, with one of the texts `seen`.
const fn flaky_anywhere(seen: &'static [&'static str], reason: &'static str) -> Expect {
    Expect {
        seen,
        ..flaky(ANY_CHECK, reason)
    }
}

impl Expect {
    fn covers(&self, check: &str, version: ProtocolVersion) -> bool {
        self.check == check && self.version.is_none_or(|v| v == version)
    }

    fn explains(&self, version: ProtocolVersion, outcome: &Outcome) -> bool {
        self.covers(ANY_CHECK, version)
            && matches!(outcome, Outcome::Fail(d) if self.seen.iter().any(|s| d.contains(s)))
    }
}

/// Both MQTT versions, in report order.
pub const VERSIONS: [ProtocolVersion; 2] = [ProtocolVersion::V311, ProtocolVersion::V5];

/// `3.1.1` or `5`.
pub fn version_name(v: ProtocolVersion) -> &'static str {
    match v {
        ProtocolVersion::V311 => "3.1.1",
        ProtocolVersion::V5 => "5",
    }
}

fn parse_version(name: &str) -> Option<ProtocolVersion> {
    VERSIONS.into_iter().find(|v| version_name(*v) == name)
}

/// Why `publish-refused` does not apply to a broker without MQTT 5.
const NO_V5: &str = "no MQTT 5: a 3.1.1 PUBACK carries no reason code";

/// How ActiveMQ Classic, rumqttd and RabbitMQ refuse MQTT 5.
const NO_CONNACK: &str = "closes the connection without the CONNACK return code 1 that MQTT 3.1.1 (section 3.1.2.2) requires";

/// The QoS defect amqtt and rumqttd share.
const SUBSCRIPTION_QOS: &str =
    "delivers at the subscription's QoS (2), not min(publish QoS, subscription QoS)";

/// Every broker of the matrix, in the order of the docs.
pub const BROKERS: &[Spec] = &[
    Spec {
        name: "hivemq",
        title: "HiveMQ CE",
        source: "Maven `com.hivemq:hivemq-community-edition-embedded`, in a small Java main",
        credentials: false,
        mqtt5: Mqtt5::Yes,
        refusal: Refusal::Acl,
        start_timeout: Duration::from_secs(90),
        settings: &[
            "`<websocket-listener>` / `<tls-websocket-listener>` with `<path>/mqtt</path>` and the subprotocols `mqttv3.1` and `mqtt`",
        ],
        expected: &[],
        notes: &[
            "MQTT 5: a `PublishAuthorizer` that fails a publish sends PUBACK/PUBREC 0x87 and then DISCONNECT 0x87; a `PublishInboundInterceptor` that prevents delivery with 0x87 (what `publish-refused` runs against) keeps the connection",
        ],
    },
    Spec {
        name: "artemis",
        title: "ActiveMQ Artemis",
        source: "Maven `org.apache.activemq:artemis-server` + `artemis-mqtt-protocol`, embedded",
        credentials: false,
        mqtt5: Mqtt5::Yes,
        refusal: Refusal::Acl,
        start_timeout: Duration::from_secs(90),
        settings: &[
            "acceptor `tcp://HOST:PORT?protocols=MQTT;webSocketMaxFramePayloadLength=2097152`: the default 65,536 answers a larger message with a TCP reset, not even a close frame",
        ],
        expected: &[flaky(
            "clean-disconnect",
            "publishes the will after a clean DISCONNECT in about 1 run in 4 here, over ws or wss: the DISCONNECT and the close that follows it race inside the broker",
        )],
        notes: &[],
    },
    Spec {
        name: "ejabberd",
        title: "ejabberd `mod_mqtt`",
        source: "Debian `ejabberd`",
        credentials: true,
        mqtt5: Mqtt5::Yes,
        refusal: Refusal::Acl,
        start_timeout: Duration::from_secs(60),
        settings: &[
            "an `ejabberd_http` listener with `request_handlers: {/mqtt: mod_mqtt}`; with anonymous authentication the user name and password are not checked, but the password must not be empty",
        ],
        expected: &[],
        notes: &[
            "MQTT 5: a publish that `access_publish` forbids is refused with reason code 0x90 (topic name invalid), not 0x87 (not authorized); `access_publish` is an allow-list (a topic that no filter matches is refused)",
        ],
    },
    Spec {
        name: "aedes",
        title: "Aedes + ws",
        source: "npm `aedes` with `ws` 8",
        credentials: false,
        mqtt5: Mqtt5::No(
            "answers with a 3.1.1 CONNACK, return code 1 (unacceptable protocol version), and closes",
        ),
        refusal: Refusal::Unavailable(NO_V5),
        start_timeout: Duration::from_secs(30),
        settings: &["the `ws` server must answer the `mqtt` subprotocol (`handleProtocols`)"],
        expected: &[],
        notes: &[],
    },
    Spec {
        name: "mochi",
        title: "Mochi MQTT",
        source: "Go module `github.com/mochi-mqtt/server/v2`",
        credentials: false,
        mqtt5: Mqtt5::Yes,
        refusal: Refusal::Acl,
        start_timeout: Duration::from_secs(30),
        settings: &[],
        expected: &[flaky(
            "persistent-session",
            "messages queued for an offline persistent session come back out of order (seen: m3 m4 m5 m1 m2)",
        )],
        notes: &[
            "MQTT 5: accepts topic aliases from clients but announces no topic alias maximum in CONNACK, so a client that follows the spec uses none (`topic-alias` does not apply)",
        ],
    },
    Spec {
        name: "activemq",
        title: "ActiveMQ Classic",
        source: "Maven `activemq-broker`, `activemq-mqtt`, `activemq-http` + Jetty `websocket-jetty-server` 11, embedded",
        credentials: false,
        mqtt5: Mqtt5::No("closes the WebSocket (close code 1000) without a CONNACK"),
        refusal: Refusal::Unavailable(NO_V5),
        start_timeout: Duration::from_secs(90),
        settings: &[
            "connector `ws://HOST:PORT?websocket.maxBinaryMessageSize=2097152`: the default 65,536 closes the connection with 1009 (message too big)",
        ],
        expected: &[
            fails(
                "persistent-session",
                "never sets session_present in CONNACK, though the session is kept",
            ),
            fails("v5-refused", NO_CONNACK),
            flaky_anywhere(
                &[
                    "Illegal character OTEXT=0x88",
                    "the server closed the WebSocket (code 1000, reason \"\")",
                ],
                "over wss, in about 1 run in 5 here, a connection opened just after another one closed reads a byte of that one's WebSocket close frame (0x88): before the upgrade it is answered HTTP 400 \"Illegal character OTEXT=0x88\", after it the broker closes it (1000) as if the client had; Jetty 11 reuses a buffer too early (seen with the mqttws client before and after its rewrite, and from the Python face)",
            ),
        ],
        notes: &[],
    },
    Spec {
        name: "amqtt",
        title: "amqtt",
        source: "PyPI `amqtt`, in its own venv",
        credentials: true,
        mqtt5: Mqtt5::No(
            "never answers: no CONNACK, and the connection stays open until the client gives up",
        ),
        refusal: Refusal::Unavailable(NO_V5),
        start_timeout: Duration::from_secs(30),
        settings: &[
            "`allow_anonymous: false` (AnonymousAuthPlugin), which lets in any client that sends a user name: the session of an anonymous client is never kept",
            "WebSocket messages are limited to 1 MiB (the `websockets` default, not configurable)",
        ],
        expected: &[
            fails("publish-qos0", SUBSCRIPTION_QOS),
            fails("publish-qos1", SUBSCRIPTION_QOS),
            fails(
                "will-on-drop",
                "does not enforce the keepalive (its read timeout handler does nothing): a silent link stays open and its will is never published",
            ),
            fails(
                "v5-refused",
                "no CONNACK and no close: the client waits out its connect timeout",
            ),
        ],
        notes: &[],
    },
    Spec {
        name: "rumqttd",
        title: "rumqttd",
        source: "crates.io `rumqttd` (`cargo install`, not `--locked`; about 7 minutes)",
        credentials: false,
        mqtt5: Mqtt5::No(
            "drops the connection without a CONNACK (its WebSocket listeners speak 3.1.1 only)",
        ),
        refusal: Refusal::Unavailable(NO_V5),
        start_timeout: Duration::from_secs(30),
        settings: &["WebSocket listeners speak MQTT 3.1.1 only"],
        expected: &[
            fails("publish-qos0", SUBSCRIPTION_QOS),
            fails("publish-qos1", SUBSCRIPTION_QOS),
            fails("v5-refused", NO_CONNACK),
        ],
        notes: &[],
    },
    Spec {
        name: "moquette",
        title: "Moquette",
        source: "Maven `io.moquette:moquette-broker`, embedded",
        credentials: false,
        mqtt5: Mqtt5::No(
            "answers with a CONNACK in MQTT 5's shape (with a property length) but 3.1.1's return code 1, which is no MQTT 5 reason code (0x84 would be); mqttws reports a protocol violation",
        ),
        refusal: Refusal::Unavailable(NO_V5),
        start_timeout: Duration::from_secs(90),
        settings: &[
            "`netty.mqtt.message_size` (default 8,092 bytes) and `websocket_max_frame_size` (default 65,536) raised above the largest message",
        ],
        expected: &[
            fails(
                "retained",
                "the retain flag is missing on retained copies sent to a new subscriber",
            ),
            fails(
                "v5-refused",
                "its CONNACK carries 3.1.1's return code 1 in MQTT 5's shape, not the reason code 0x84",
            ),
        ],
        notes: &[
            "An independent smoke test also saw PUBACKs dropped when the publisher is subscribed to its topic, and about 5% of connections closed with \"Bye\"; the dropped PUBACKs never showed in this matrix (`own-subscription` has 10 QoS 1 messages in flight); the \"Bye\" did once (a SUBSCRIBE answered by that close, a red run that passed when run again)",
        ],
    },
    Spec {
        name: "rabbitmq",
        title: "RabbitMQ `rabbitmq_web_mqtt`",
        source: "Debian `rabbitmq-server`",
        credentials: false,
        mqtt5: Mqtt5::No(
            "closes the WebSocket with close code 1011 (internal error) without a CONNACK (MQTT 5 came with RabbitMQ 3.13)",
        ),
        refusal: Refusal::Unavailable(NO_V5),
        start_timeout: Duration::from_secs(120),
        settings: &[
            "`web_mqtt.tcp.port`, `web_mqtt.ws_path = /mqtt`, `web_mqtt.ssl.*`; `mqtt.allow_anonymous = true` and `loopback_users = none` for the guest login",
            "no QoS 2: publish at QoS 1 (mqttws completes a QoS 2 publish at QoS 1 with `Event::Downgraded`)",
        ],
        expected: &[
            fails(
                "publish-qos2",
                "no QoS 2: answers a QoS 2 PUBLISH with PUBACK (mqttws reports Event::Downgraded)",
            ),
            fails(
                "qos2-roundtrip",
                "no QoS 2: grants QoS 1 to a QoS 2 subscription",
            ),
            fails(
                "clean-disconnect",
                "publishes the will after a clean DISCONNECT",
            ),
            fails("v5-refused", NO_CONNACK),
        ],
        notes: &[],
    },
];

/// The broker of this name.
pub fn spec(name: &str) -> Option<&'static Spec> {
    BROKERS.iter().find(|s| s.name == name)
}

/// The repository's root (for `tests/interop/broker`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the repository")
        .to_path_buf()
}

/// `tests/interop/broker`.
pub fn broker_script() -> PathBuf {
    repo_root().join("tests/interop/broker")
}

/// The pinned version of a broker (`VERSION` in its `broker.sh`).
pub fn version(name: &str) -> Result<String, String> {
    let out = Command::new("bash")
        .arg(broker_script())
        .args(["version", name])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run tests/interop/broker: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The two transports every check runs over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transport {
    /// `ws://`
    Ws,
    /// `wss://` with the test CA.
    Wss,
}

impl Transport {
    /// Both, in report order.
    pub const ALL: [Transport; 2] = [Transport::Ws, Transport::Wss];

    /// `ws` or `wss`.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Ws => "ws",
            Transport::Wss => "wss",
        }
    }
}

/// Free loopback ports: ws, wss and three more for what a broker needs besides.
#[derive(Clone, Copy, Debug)]
struct Ports([u16; 5]);

impl Ports {
    /// Binds five sockets at once (so the ports differ) and closes them again.
    fn pick() -> Ports {
        let sockets: Vec<TcpListener> = (0..5)
            .map(|_| TcpListener::bind((HOST, 0)).expect("bind 127.0.0.1:0"))
            .collect();
        let mut p = [0; 5];
        for (slot, s) in p.iter_mut().zip(&sockets) {
            *slot = s.local_addr().expect("local_addr").port();
        }
        Ports(p)
    }

    /// Whether another process holds one of them now.
    fn any_taken(&self) -> bool {
        self.0
            .iter()
            .any(|&p| TcpListener::bind((HOST, p)).is_err())
    }
}

/// A broker of the matrix, running. Dropping it stops it.
pub struct RunningBroker {
    spec: &'static Spec,
    pid: u32,
    ports: Ports,
    exited: Receiver<ExitStatus>,
    exit_status: Option<ExitStatus>,
    /// Set by [`RunningBroker::stop`]: its process group id may be reused afterwards.
    stopped: bool,
    output: Arc<Mutex<String>>,
    ca: PathBuf,
    /// Declared last: removed once the broker is gone.
    dir: TempDir,
}

enum Line {
    Text,
    Eof,
}

impl RunningBroker {
    /// Starts a broker and waits until it accepts MQTT over ws and wss, or fails with
    /// its output. Retries with new ports when another process took one of them.
    pub fn start(spec: &'static Spec) -> Result<RunningBroker, String> {
        let mut last = String::new();
        for attempt in 1..=PORT_ATTEMPTS {
            match Self::start_once(spec) {
                Ok(b) => return Ok(b),
                Err((why, ports_taken)) => {
                    last = why;
                    if !ports_taken {
                        break;
                    }
                    eprintln!(
                        "interop: {}: attempt {attempt}: a port was taken; retrying",
                        spec.name
                    );
                }
            }
        }
        Err(last)
    }

    fn start_once(spec: &'static Spec) -> Result<RunningBroker, (String, bool)> {
        let fail = |why: String| (why, false);
        let dir = tempfile::Builder::new()
            .prefix(&format!("mqttws-interop-{}-", spec.name))
            .tempdir()
            .map_err(|e| fail(format!("cannot create a temporary directory: {e}")))?;
        let work = dir.path().join("work");
        fs::create_dir(&work)
            .map_err(|e| fail(format!("cannot create {}: {e}", work.display())))?;
        let pki = TestPki::generate();
        let file = |name: &str, pem: &str| -> Result<PathBuf, (String, bool)> {
            let path = dir.path().join(name);
            fs::write(&path, pem)
                .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
            Ok(path)
        };
        let ca = file("ca.pem", &pki.ca_pem)?;
        let cert = file("server.pem", &pki.server_cert_pem)?;
        let key = file("server.key", &pki.server_key_pem)?;
        let ports = Ports::pick();
        let p = ports.0;

        let mut command = Command::new("bash");
        command
            .arg(broker_script())
            .args(["start", spec.name])
            .env("IOP_DIR", &work)
            .env("IOP_WS_PORT", p[0].to_string())
            .env("IOP_WSS_PORT", p[1].to_string())
            .env("IOP_PORT_1", p[2].to_string())
            .env("IOP_PORT_2", p[3].to_string())
            .env("IOP_PORT_3", p[4].to_string())
            .env("IOP_CA", &ca)
            .env("IOP_CERT", &cert)
            .env("IOP_KEY", &key)
            .env("IOP_USER", USER)
            .env("IOP_PASSWORD", PASSWORD)
            .env("IOP_DENIED", DENIED)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group: helpers (epmd) are stopped with it, by its id.
            .process_group(0);
        // SAFETY: only sigprocmask on a local set, between fork and exec (as the
        // mosquitto fixture does): a caller's blocked SIGTERM must not be inherited.
        unsafe {
            command.pre_exec(|| {
                let mut empty: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut empty);
                libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
                Ok(())
            });
        }
        let mut child = command
            .spawn()
            .map_err(|e| fail(format!("cannot run tests/interop/broker: {e}")))?;
        let output = Arc::new(Mutex::new(String::new()));
        let (line_tx, lines) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().expect("piped")) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().expect("piped")),
        ] {
            let output = Arc::clone(&output);
            let tx = line_tx.clone();
            thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    let mut out = output.lock().unwrap_or_else(PoisonError::into_inner);
                    out.push_str(&line);
                    out.push('\n');
                    let _ = tx.send(Line::Text);
                }
                let _ = tx.send(Line::Eof);
            });
        }
        let pid = child.id();
        let (exit_tx, exited) = mpsc::channel();
        thread::spawn(move || {
            if let Ok(status) = child.wait() {
                let _ = exit_tx.send(status);
            }
        });
        let mut broker = RunningBroker {
            spec,
            pid,
            ports,
            exited,
            exit_status: None,
            stopped: false,
            output,
            ca,
            dir,
        };
        match broker.wait_ready(&lines) {
            Ok(()) => Ok(broker),
            Err(why) => {
                // Stopped first: a port still bound then is another process's. A
                // broker that found a port taken may also say so by its exit status.
                broker.stop();
                let said = broker.exit_status.and_then(|s| s.code()) == Some(EXIT_PORT_TAKEN);
                let taken = said || ports.any_taken();
                Err((
                    format!(
                        "{} did not come up: {why}\n--- its output ---\n{}--- end ---",
                        spec.name,
                        broker.output()
                    ),
                    taken,
                ))
            }
        }
    }

    /// Probes until the broker accepts MQTT over both transports or the start-up limit
    /// passes. Between probes: the broker's next line of output, or 100 ms.
    fn wait_ready(&mut self, lines: &Receiver<Line>) -> Result<(), String> {
        let deadline = Instant::now() + self.spec.start_timeout;
        let mut last;
        loop {
            if self.has_exited() {
                return Err(format!("it exited ({:?})", self.exit_status));
            }
            match self.probe() {
                Ok(()) => return Ok(()),
                Err(e) => last = e,
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "not ready within {:?}; last probe: {last}",
                    self.spec.start_timeout
                ));
            }
            match lines.recv_timeout(left.min(Duration::from_millis(100))) {
                Ok(Line::Text) | Err(RecvTimeoutError::Timeout) => {}
                // Output closed: the exit status follows at once.
                Ok(Line::Eof) | Err(RecvTimeoutError::Disconnected) => {
                    if let Ok(status) = self.exited.recv_timeout(Duration::from_secs(5)) {
                        self.exit_status = Some(status);
                    }
                }
            }
        }
    }

    /// Both ports accept TCP, then MQTT CONNECT over ws and wss is accepted.
    fn probe(&self) -> Result<(), String> {
        for port in [self.ports.0[0], self.ports.0[1]] {
            TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), Duration::from_secs(1))
                .map_err(|e| format!("TCP connect to port {port}: {e}"))?;
        }
        for transport in Transport::ALL {
            let target = self.target(transport, ProtocolVersion::V311);
            let client = mqttws::Client::new(
                target
                    .options(&crate::unique("probe"))
                    .connect_timeout(Duration::from_secs(5)),
            )
            .map_err(|e| e.to_string())?;
            client
                .connect()
                .map_err(|e| format!("MQTT over {}: {e}", transport.name()))?;
            let _ = client.disconnect();
        }
        Ok(())
    }

    fn has_exited(&mut self) -> bool {
        if self.exit_status.is_none() {
            self.exit_status = self.exited.try_recv().ok();
        }
        self.exit_status.is_some()
    }

    /// Stops the broker and what is left of its process group (see the module docs).
    /// Idempotent.
    pub fn stop(&mut self) {
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        let pid = self.pid as libc::pid_t;
        if !self.has_exited() {
            // SAFETY: kill(2) has no memory-safety preconditions. The pid is not reaped
            // until the waiter thread reports the exit, so it is still ours.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            match self.exited.recv_timeout(STOP_TIMEOUT) {
                Ok(status) => self.exit_status = Some(status),
                Err(_) => {
                    eprintln!(
                        "interop: {} (pid {pid}) did not exit within {STOP_TIMEOUT:?} of SIGTERM; SIGKILL",
                        self.spec.name
                    );
                    // SAFETY: as above.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    self.exit_status = self.exited.recv_timeout(STOP_TIMEOUT).ok();
                }
            }
        }
        stop_group(pid);
    }

    /// The spec it was started from.
    pub fn spec(&self) -> &'static Spec {
        self.spec
    }

    /// The URL of a transport, path `/mqtt`.
    pub fn url(&self, transport: Transport) -> String {
        match transport {
            Transport::Ws => format!("ws://{HOST}:{}/mqtt", self.ports.0[0]),
            Transport::Wss => format!("wss://{HOST}:{}/mqtt", self.ports.0[1]),
        }
    }

    /// The port of a transport.
    pub fn port(&self, transport: Transport) -> u16 {
        match transport {
            Transport::Ws => self.ports.0[0],
            Transport::Wss => self.ports.0[1],
        }
    }

    /// The test CA (PEM file) that signed the wss certificate.
    pub fn ca_pem_path(&self) -> &Path {
        &self.ca
    }

    /// The directory of this run (config, data, PEM files).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Everything the broker printed so far.
    pub fn output(&self) -> String {
        self.output
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// What the checks need to reach it over one transport, in one MQTT version.
    pub fn target(&self, transport: Transport, version: ProtocolVersion) -> checks::Target {
        checks::Target {
            url: self.url(transport),
            port: self.port(transport),
            transport,
            version,
            ca: (transport == Transport::Wss).then(|| self.ca.clone()),
            spec: self.spec,
        }
    }
}

impl Drop for RunningBroker {
    fn drop(&mut self) {
        self.stop();
    }
}

/// SIGTERM to what is left of the process group `pgid`, SIGKILL after 5 s.
fn stop_group(pgid: libc::pid_t) {
    // SAFETY (all three): kill(2) has no memory-safety preconditions. The group id is
    // ours: it cannot be reused while any member of the group lives.
    let alive = || unsafe { libc::kill(-pgid, 0) } == 0;
    if !alive() {
        return;
    }
    unsafe { libc::kill(-pgid, libc::SIGTERM) };
    // Not our children: no exit event to wait for, so look every 20 ms, bounded.
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive() && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    if alive() {
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
    }
}

/// The result of one check over one transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It passed.
    Pass,
    /// It failed, with what was seen.
    Fail(String),
    /// Not run (a language check whose program was not given); never counted.
    NotRun(String),
    /// The check does not apply: the broker lacks what it needs (it announces no
    /// topic aliases, no way to refuse a publish is known...), said why; never counted.
    NotApplicable(String),
}

/// How an outcome compares with the expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Passed, as expected.
    Pass,
    /// Failed, as a known defect says it does.
    ExpectedFailure,
    /// A flaky known defect: either outcome is accepted.
    Flaky,
    /// Failed, and no known defect says so: red.
    UnexpectedFailure,
    /// A known defect did not show (fixed upstream?): red.
    UnexpectedPass,
    /// Not run, or not applicable: counted neither way.
    NotRun,
}

impl Verdict {
    /// Whether this verdict makes the run red.
    pub fn is_red(self) -> bool {
        matches!(self, Verdict::UnexpectedFailure | Verdict::UnexpectedPass)
    }
}

/// One line of a report.
#[derive(Clone, Debug)]
pub struct Row {
    /// [`Check::name`].
    pub check: &'static str,
    /// The transport it ran over.
    pub transport: Transport,
    /// The MQTT version it ran in.
    pub version: ProtocolVersion,
    /// What happened.
    pub outcome: Outcome,
    /// Compared with the known defects.
    pub verdict: Verdict,
    /// How long it took.
    pub elapsed: Duration,
}

/// The checks of one broker.
#[derive(Debug)]
pub struct Report {
    /// The broker.
    pub spec: &'static Spec,
    /// Its pinned version.
    pub version: String,
    /// One row per check, transport and MQTT version.
    pub rows: Vec<Row>,
    /// How long start-up took.
    pub start_time: Duration,
}

impl Spec {
    /// The known defect of a check under a version, if any.
    pub fn expect(&self, check: &str, version: ProtocolVersion) -> Option<&Expect> {
        self.expected.iter().find(|e| e.covers(check, version))
    }

    /// The known defect that accounts for an outcome of a check: the check's own, or
    /// for a failure, a defect of [`ANY_CHECK`] whose text the failure has.
    pub fn explain(
        &self,
        check: &str,
        version: ProtocolVersion,
        outcome: &Outcome,
    ) -> Option<&Expect> {
        self.expect(check, version)
            .or_else(|| self.expected.iter().find(|e| e.explains(version, outcome)))
    }

    /// Whether it speaks MQTT 5 over WebSocket.
    pub fn speaks_v5(&self) -> bool {
        self.mqtt5 == Mqtt5::Yes
    }
}

fn verdict(spec: &Spec, check: &str, version: ProtocolVersion, outcome: &Outcome) -> Verdict {
    let known = spec.explain(check, version, outcome);
    match (outcome, known) {
        (Outcome::NotRun(_) | Outcome::NotApplicable(_), _) => Verdict::NotRun,
        (_, Some(e)) if e.flaky => Verdict::Flaky,
        (Outcome::Pass, None) => Verdict::Pass,
        (Outcome::Pass, Some(_)) => Verdict::UnexpectedPass,
        (Outcome::Fail(_), Some(_)) => Verdict::ExpectedFailure,
        (Outcome::Fail(_), None) => Verdict::UnexpectedFailure,
    }
}

/// Starts the broker, runs every check (and every language check) over ws and wss,
/// under each MQTT version both the check and the broker speak, stops it. `Err` only when
/// the broker did not start.
pub fn run(name: &str) -> Result<Report, String> {
    let spec = spec(name).ok_or_else(|| format!("no broker named {name:?} in BROKERS"))?;
    let version = version(name)?;
    let started = Instant::now();
    let mut broker = RunningBroker::start(spec)?;
    let start_time = started.elapsed();
    eprintln!(
        "interop: {name} {version} up in {:.1} s: {}, {}",
        start_time.as_secs_f64(),
        broker.url(Transport::Ws),
        broker.url(Transport::Wss)
    );
    // For working on a few checks: MQTTWS_INTEROP_CHECKS=name,name runs only those.
    let only: Option<Vec<String>> = std::env::var("MQTTWS_INTEROP_CHECKS")
        .ok()
        .map(|v| v.split(',').map(|n| n.trim().to_owned()).collect());
    let mut rows = Vec::new();
    for (version, transport) in VERSIONS
        .into_iter()
        .flat_map(|v| Transport::ALL.map(|t| (v, t)))
    {
        let target = broker.target(transport, version);
        let chosen = |c: &&Check| {
            only.as_ref()
                .is_none_or(|names| names.iter().any(|n| n == c.name))
        };
        for check in all_checks()
            .filter(|c| c.versions.runs(version, spec))
            .filter(chosen)
        {
            let t = Instant::now();
            let outcome = (check.run)(&target);
            let elapsed = t.elapsed();
            let verdict = verdict(spec, check.name, version, &outcome);
            eprintln!(
                "interop: {name} {:<3} {:<5} {:<22} {:<18} {:>6.2} s{}",
                transport.name(),
                version_name(version),
                check.name,
                format!("{verdict:?}"),
                elapsed.as_secs_f64(),
                match outcome.detail() {
                    "" => String::new(),
                    why => format!(": {why}"),
                }
            );
            rows.push(Row {
                check: check.name,
                transport,
                version,
                outcome,
                verdict,
                elapsed,
            });
        }
    }
    broker.stop();
    Ok(Report {
        spec,
        version,
        rows,
        start_time,
    })
}

/// Every check: [`CHECKS`], then [`LANGUAGE_CHECKS`].
pub fn all_checks() -> impl Iterator<Item = &'static Check> {
    CHECKS.iter().chain(LANGUAGE_CHECKS)
}

impl Outcome {
    /// What was seen (empty for a pass).
    pub fn detail(&self) -> &str {
        match self {
            Outcome::Pass => "",
            Outcome::Fail(d) | Outcome::NotRun(d) | Outcome::NotApplicable(d) => d,
        }
    }
}

impl Report {
    /// The row of a check over a transport under a version, if it ran.
    pub fn row(&self, check: &str, transport: Transport, version: ProtocolVersion) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.check == check && r.transport == transport && r.version == version)
    }

    /// The rows that make the run red.
    pub fn red(&self) -> Vec<&Row> {
        self.rows.iter().filter(|r| r.verdict.is_red()).collect()
    }

    /// One line per row, tab-separated: `transport mqtt-version check outcome verdict
    /// detail`; the first line is `# broker version start-seconds`. Read back by
    /// [`Report::parse`].
    pub fn to_tsv(&self) -> String {
        let mut out = format!(
            "# {}\t{}\t{:.1}\n",
            self.spec.name,
            self.version,
            self.start_time.as_secs_f64()
        );
        for r in &self.rows {
            let outcome = match &r.outcome {
                Outcome::Pass => "pass",
                Outcome::Fail(_) => "fail",
                Outcome::NotRun(_) => "not-run",
                Outcome::NotApplicable(_) => "n/a",
            };
            let detail: String = r
                .outcome
                .detail()
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            let _ = writeln!(
                out,
                "{}\t{}\t{}\t{outcome}\t{:?}\t{detail}",
                r.transport.name(),
                version_name(r.version),
                r.check,
                r.verdict
            );
        }
        out
    }

    /// Reads what [`Report::to_tsv`] wrote.
    pub fn parse(text: &str) -> Result<Report, String> {
        let mut lines = text.lines();
        let head = lines.next().ok_or("empty results file")?;
        let mut head = head.trim_start_matches("# ").split('\t');
        let name = head.next().unwrap_or_default();
        let spec = spec(name).ok_or_else(|| format!("unknown broker {name:?}"))?;
        let version = head.next().unwrap_or_default().to_owned();
        let start_time = Duration::from_secs_f64(head.next().unwrap_or("0").parse().unwrap_or(0.0));
        let mut rows = Vec::new();
        for line in lines {
            let f: Vec<&str> = line.splitn(6, '\t').collect();
            let [transport, version, check, outcome, _, detail] = f[..] else {
                return Err(format!("bad line {line:?}"));
            };
            let version =
                parse_version(version).ok_or_else(|| format!("bad MQTT version {version:?}"))?;
            let transport = match transport {
                "ws" => Transport::Ws,
                "wss" => Transport::Wss,
                other => return Err(format!("bad transport {other:?}")),
            };
            let check = all_checks()
                .find(|c| c.name == check)
                .ok_or_else(|| format!("unknown check {check:?}"))?
                .name;
            let outcome = match outcome {
                "pass" => Outcome::Pass,
                "fail" => Outcome::Fail(detail.to_owned()),
                "n/a" => Outcome::NotApplicable(detail.to_owned()),
                _ => Outcome::NotRun(detail.to_owned()),
            };
            // Judged again against today's list of known defects.
            let verdict = verdict(spec, check, version, &outcome);
            rows.push(Row {
                check,
                transport,
                version,
                outcome,
                verdict,
                elapsed: Duration::ZERO,
            });
        }
        Ok(Report {
            spec,
            version,
            rows,
            start_time,
        })
    }
}

/// Where results go: `$MQTTWS_INTEROP_RESULTS`, else `target/interop/results`.
pub fn results_dir() -> PathBuf {
    std::env::var_os("MQTTWS_INTEROP_RESULTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/interop/results"))
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn every_broker_has_a_script_and_every_known_defect_names_a_check() {
        for s in BROKERS {
            let dir = repo_root().join("tests/interop/brokers").join(s.name);
            assert!(dir.join("broker.sh").is_file(), "{}: no broker.sh", s.name);
            for e in s.expected.iter().filter(|e| e.check != ANY_CHECK) {
                let check = CHECKS.iter().find(|c| c.name == e.check);
                let check = check.unwrap_or_else(|| {
                    panic!("{}: known defect of an unknown check {:?}", s.name, e.check)
                });
                // A defect of a version the check does not run under would never show.
                assert!(
                    VERSIONS
                        .into_iter()
                        .filter(|v| e.version.is_none_or(|ev| ev == *v))
                        .any(|v| check.versions.runs(v, s)),
                    "{}: known defect of {:?} under a version it does not run under",
                    s.name,
                    e.check
                );
            }
        }
    }

    #[test]
    fn every_broker_directory_is_in_the_list() {
        for entry in fs::read_dir(repo_root().join("tests/interop/brokers")).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                spec(&name).is_some(),
                "tests/interop/brokers/{name} is not in BROKERS"
            );
        }
    }

    /// The version the docs show is the one the install files pin.
    #[test]
    fn every_version_is_the_pinned_one() {
        for s in BROKERS {
            let v = version(s.name).unwrap();
            let dir = repo_root().join("tests/interop/brokers").join(s.name);
            let pinned = fs::read_dir(&dir)
                .unwrap()
                .filter_map(|e| fs::read_to_string(e.unwrap().path()).ok())
                .filter(|text| !text.contains("VERSION="))
                .any(|text| text.contains(&v));
            let from_debian = ["rabbitmq", "ejabberd", "rumqttd"].contains(&s.name);
            assert!(
                pinned || from_debian,
                "{}: no file beside broker.sh pins version {v}",
                s.name
            );
        }
    }

    #[test]
    fn reports_round_trip_through_tsv() {
        let spec = spec("rabbitmq").unwrap();
        let report = Report {
            spec,
            version: "1.2".into(),
            rows: vec![
                Row {
                    check: "publish-qos2",
                    transport: Transport::Wss,
                    version: ProtocolVersion::V311,
                    outcome: Outcome::Fail("PUBACK\tfor\nQoS 2".into()),
                    verdict: Verdict::ExpectedFailure,
                    elapsed: Duration::ZERO,
                },
                Row {
                    check: "connect",
                    transport: Transport::Ws,
                    version: ProtocolVersion::V311,
                    outcome: Outcome::Pass,
                    verdict: Verdict::Pass,
                    elapsed: Duration::ZERO,
                },
                Row {
                    check: "v5-refused",
                    transport: Transport::Ws,
                    version: ProtocolVersion::V5,
                    outcome: Outcome::NotApplicable("no\tway".into()),
                    verdict: Verdict::NotRun,
                    elapsed: Duration::ZERO,
                },
            ],
            start_time: Duration::from_millis(1500),
        };
        let back = Report::parse(&report.to_tsv()).unwrap();
        assert_eq!(back.version, "1.2");
        assert_eq!(
            back.rows[0].outcome,
            Outcome::Fail("PUBACK for QoS 2".into())
        );
        assert_eq!(back.rows[0].verdict, Verdict::ExpectedFailure);
        assert_eq!(back.rows[1].verdict, Verdict::Pass);
        assert_eq!(back.rows[2].version, ProtocolVersion::V5);
        assert_eq!(
            back.rows[2].outcome,
            Outcome::NotApplicable("no way".into())
        );
        assert!(back.red().is_empty());
    }

    /// A defect declared for one version is expected under that version only.
    #[test]
    fn a_known_defect_of_one_version_is_not_expected_under_the_other() {
        const EXPECTED: &[Expect] = &[Expect {
            version: Some(ProtocolVersion::V5),
            ..fails("retained", "x")
        }];
        let spec = Spec {
            expected: EXPECTED,
            ..*spec("hivemq").unwrap()
        };
        let fail = Outcome::Fail("x".into());
        assert_eq!(
            verdict(&spec, "retained", ProtocolVersion::V5, &fail),
            Verdict::ExpectedFailure
        );
        assert_eq!(
            verdict(&spec, "retained", ProtocolVersion::V311, &fail),
            Verdict::UnexpectedFailure
        );
    }

    /// A defect of any check explains only the failures that say what it says.
    #[test]
    fn a_defect_of_any_check_is_recognised_by_its_text() {
        let spec = spec("activemq").unwrap();
        let v311 = ProtocolVersion::V311;
        let bad = Outcome::Fail("HTTP 400: Illegal character OTEXT=0x88".into());
        assert_eq!(verdict(spec, "retained", v311, &bad), Verdict::Flaky);
        let other = Outcome::Fail("no message within 10s".into());
        assert_eq!(
            verdict(spec, "retained", v311, &other),
            Verdict::UnexpectedFailure
        );
        assert_eq!(
            verdict(spec, "retained", v311, &Outcome::Pass),
            Verdict::Pass
        );
    }

    #[test]
    fn a_known_defect_that_passes_is_red() {
        let spec = spec("rabbitmq").unwrap();
        let v311 = ProtocolVersion::V311;
        assert_eq!(
            verdict(spec, "publish-qos2", v311, &Outcome::Pass),
            Verdict::UnexpectedPass
        );
        assert_eq!(
            verdict(spec, "connect", v311, &Outcome::Fail("x".into())),
            Verdict::UnexpectedFailure
        );
        assert_eq!(
            verdict(spec, "connect", v311, &Outcome::NotRun("x".into())),
            Verdict::NotRun
        );
    }
}

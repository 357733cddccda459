//! The interop matrix: the same checks against other brokers than mosquitto.
//!
//! [`BROKERS`] is the one list of brokers, with what a user must set for each and the
//! known defects the checks are expected to find, each with its reason; [`checks::CHECKS`]
//! is the one list of checks. `tests/tests/interop.rs` runs them (one test per broker,
//! ws and wss), [`Report`] says whether every outcome was the expected one (a known
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

use tempfile::TempDir;

use crate::HOST;
use crate::certs::TestPki;

pub mod checks;

pub use checks::{CHECKS, Check, LANGUAGE_CHECKS};

/// The credentials every check sends when a broker needs them ([`Spec::credentials`]).
pub const USER: &str = "interop";
/// See [`USER`]. Not a secret: the brokers that need a password check none.
pub const PASSWORD: &str = "interop-password";

/// How long a broker may take to stop after SIGTERM before it gets SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);
/// How often start-up is retried with new ports when another process took one.
const PORT_ATTEMPTS: usize = 3;

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
    /// Whether it also speaks MQTT 5 over WebSocket (for the docs; the checks use 3.1.1).
    pub mqtt5: bool,
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

/// A known defect: a check that fails against one broker, and why.
#[derive(Debug)]
pub struct Expect {
    /// [`Check::name`].
    pub check: &'static str,
    /// Why it fails (the broker's behaviour, as observed).
    pub reason: &'static str,
    /// It fails only sometimes: either outcome is accepted, both are reported.
    pub flaky: bool,
}

const fn fails(check: &'static str, reason: &'static str) -> Expect {
    Expect {
        check,
        reason,
        flaky: false,
    }
}

const fn flaky(check: &'static str, reason: &'static str) -> Expect {
    Expect {
        check,
        reason,
        flaky: true,
    }
}

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
        mqtt5: true,
        start_timeout: Duration::from_secs(90),
        settings: &[
            "`<websocket-listener>` / `<tls-websocket-listener>` with `<path>/mqtt</path>` and the subprotocols `mqttv3.1` and `mqtt`",
        ],
        expected: &[],
        notes: &[],
    },
    Spec {
        name: "artemis",
        title: "ActiveMQ Artemis",
        source: "Maven `org.apache.activemq:artemis-server` + `artemis-mqtt-protocol`, embedded",
        credentials: false,
        mqtt5: true,
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
        mqtt5: true,
        start_timeout: Duration::from_secs(60),
        settings: &[
            "an `ejabberd_http` listener with `request_handlers: {/mqtt: mod_mqtt}`; with anonymous authentication the user name and password are not checked, but the password must not be empty",
        ],
        expected: &[],
        notes: &[],
    },
    Spec {
        name: "aedes",
        title: "Aedes + ws",
        source: "npm `aedes` with `ws` 8",
        credentials: false,
        mqtt5: false,
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
        mqtt5: true,
        start_timeout: Duration::from_secs(30),
        settings: &[],
        expected: &[flaky(
            "persistent-session",
            "messages queued for an offline persistent session come back out of order (seen: m3 m4 m5 m1 m2)",
        )],
        notes: &[],
    },
    Spec {
        name: "activemq",
        title: "ActiveMQ Classic",
        source: "Maven `activemq-broker`, `activemq-mqtt`, `activemq-http` + Jetty `websocket-jetty-server` 11, embedded",
        credentials: false,
        mqtt5: false,
        start_timeout: Duration::from_secs(90),
        settings: &[
            "connector `ws://HOST:PORT?websocket.maxBinaryMessageSize=2097152`: the default 65,536 closes the connection with 1009 (message too big)",
        ],
        expected: &[fails(
            "persistent-session",
            "never sets session_present in CONNACK, though the session is kept",
        )],
        notes: &[],
    },
    Spec {
        name: "amqtt",
        title: "amqtt",
        source: "PyPI `amqtt`, in its own venv",
        credentials: true,
        mqtt5: false,
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
        ],
        notes: &[],
    },
    Spec {
        name: "rumqttd",
        title: "rumqttd",
        source: "crates.io `rumqttd` (`cargo install`, not `--locked`; about 7 minutes)",
        credentials: false,
        mqtt5: false,
        start_timeout: Duration::from_secs(30),
        settings: &["WebSocket listeners speak MQTT 3.1.1 only"],
        expected: &[
            fails("publish-qos0", SUBSCRIPTION_QOS),
            fails("publish-qos1", SUBSCRIPTION_QOS),
        ],
        notes: &[],
    },
    Spec {
        name: "moquette",
        title: "Moquette",
        source: "Maven `io.moquette:moquette-broker`, embedded",
        credentials: false,
        mqtt5: false,
        start_timeout: Duration::from_secs(90),
        settings: &[
            "`netty.mqtt.message_size` (default 8,092 bytes) and `websocket_max_frame_size` (default 65,536) raised above the largest message",
        ],
        expected: &[fails(
            "retained",
            "the retain flag is missing on retained copies sent to a new subscriber",
        )],
        notes: &[
            "An independent smoke test also saw PUBACKs dropped when the publisher is subscribed to its topic, and about 5% of connections closed with \"Bye\"; neither showed in this matrix (`own-subscription` has 10 QoS 1 messages in flight).",
        ],
    },
    Spec {
        name: "rabbitmq",
        title: "RabbitMQ `rabbitmq_web_mqtt`",
        source: "Debian `rabbitmq-server`",
        credentials: false,
        mqtt5: false,
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
                let taken = broker.has_exited() && ports.any_taken();
                broker.stop();
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
            let target = self.target(transport);
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

    /// What the checks need to reach it over one transport.
    pub fn target(&self, transport: Transport) -> checks::Target {
        checks::Target {
            url: self.url(transport),
            port: self.port(transport),
            transport,
            ca: (transport == Transport::Wss).then(|| self.ca.clone()),
            credentials: self.spec.credentials,
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
    /// Not run: counted neither way.
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
    /// One row per check and transport.
    pub rows: Vec<Row>,
    /// How long start-up took.
    pub start_time: Duration,
}

fn verdict(spec: &Spec, check: &str, outcome: &Outcome) -> Verdict {
    let known = spec.expected.iter().find(|e| e.check == check);
    match (outcome, known) {
        (Outcome::NotRun(_), _) => Verdict::NotRun,
        (_, Some(e)) if e.flaky => Verdict::Flaky,
        (Outcome::Pass, None) => Verdict::Pass,
        (Outcome::Pass, Some(_)) => Verdict::UnexpectedPass,
        (Outcome::Fail(_), Some(_)) => Verdict::ExpectedFailure,
        (Outcome::Fail(_), None) => Verdict::UnexpectedFailure,
    }
}

/// Starts the broker, runs every check (and every language check) over ws and wss,
/// stops it. `Err` only when the broker did not start.
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
    let mut rows = Vec::new();
    for transport in Transport::ALL {
        let target = broker.target(transport);
        for check in CHECKS.iter().chain(LANGUAGE_CHECKS) {
            let t = Instant::now();
            let outcome = (check.run)(&target);
            let elapsed = t.elapsed();
            let verdict = verdict(spec, check.name, &outcome);
            eprintln!(
                "interop: {name} {:<3} {:<20} {:<18} {:>6.2} s{}",
                transport.name(),
                check.name,
                format!("{verdict:?}"),
                elapsed.as_secs_f64(),
                match &outcome {
                    Outcome::Pass => String::new(),
                    Outcome::Fail(why) | Outcome::NotRun(why) => format!(": {why}"),
                }
            );
            rows.push(Row {
                check: check.name,
                transport,
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

impl Report {
    /// The rows that make the run red.
    pub fn red(&self) -> Vec<&Row> {
        self.rows.iter().filter(|r| r.verdict.is_red()).collect()
    }

    /// One line per row, tab-separated: `transport check outcome verdict detail`; the
    /// first line is `# broker version start-seconds`. Read back by [`Report::parse`].
    pub fn to_tsv(&self) -> String {
        let mut out = format!(
            "# {}\t{}\t{:.1}\n",
            self.spec.name,
            self.version,
            self.start_time.as_secs_f64()
        );
        for r in &self.rows {
            let (outcome, detail) = match &r.outcome {
                Outcome::Pass => ("pass", ""),
                Outcome::Fail(d) => ("fail", d.as_str()),
                Outcome::NotRun(d) => ("not-run", d.as_str()),
            };
            let detail: String = detail
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            let _ = writeln!(
                out,
                "{}\t{}\t{outcome}\t{:?}\t{detail}",
                r.transport.name(),
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
            let f: Vec<&str> = line.splitn(5, '\t').collect();
            let [transport, check, outcome, _, detail] = f[..] else {
                return Err(format!("bad line {line:?}"));
            };
            let transport = match transport {
                "ws" => Transport::Ws,
                "wss" => Transport::Wss,
                other => return Err(format!("bad transport {other:?}")),
            };
            let check = CHECKS
                .iter()
                .chain(LANGUAGE_CHECKS)
                .find(|c| c.name == check)
                .ok_or_else(|| format!("unknown check {check:?}"))?
                .name;
            let outcome = match outcome {
                "pass" => Outcome::Pass,
                "fail" => Outcome::Fail(detail.to_owned()),
                _ => Outcome::NotRun(detail.to_owned()),
            };
            // Judged again against today's list of known defects.
            let verdict = verdict(spec, check, &outcome);
            rows.push(Row {
                check,
                transport,
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
            for e in s.expected {
                assert!(
                    CHECKS.iter().any(|c| c.name == e.check),
                    "{}: known defect of an unknown check {:?}",
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
                    outcome: Outcome::Fail("PUBACK\tfor\nQoS 2".into()),
                    verdict: Verdict::ExpectedFailure,
                    elapsed: Duration::ZERO,
                },
                Row {
                    check: "connect",
                    transport: Transport::Ws,
                    outcome: Outcome::Pass,
                    verdict: Verdict::Pass,
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
        assert!(back.red().is_empty());
    }

    #[test]
    fn a_known_defect_that_passes_is_red() {
        let spec = spec("rabbitmq").unwrap();
        assert_eq!(
            verdict(spec, "publish-qos2", &Outcome::Pass),
            Verdict::UnexpectedPass
        );
        assert_eq!(
            verdict(spec, "connect", &Outcome::Fail("x".into())),
            Verdict::UnexpectedFailure
        );
        assert_eq!(
            verdict(spec, "connect", &Outcome::NotRun("x".into())),
            Verdict::NotRun
        );
    }
}

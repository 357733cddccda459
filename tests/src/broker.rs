//! The mosquitto process: configuration, start-up, readiness, stop and restart.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::certs::TestPki;

/// The address every listener is reachable on.
pub const HOST: &str = "127.0.0.1";

/// How long mosquitto may take to open all its listeners.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long mosquitto may take to exit after SIGTERM before it gets SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);
/// How many sets of free ports to try when another process grabs one first.
const PORT_ATTEMPTS: usize = 3;

const INSTALL_HINT: &str = "install it with: apt-get install -y mosquitto mosquitto-clients";

/// What to start: everything not listed here is fixed (see the crate documentation).
#[derive(Clone, Debug, Default)]
pub struct BrokerConfig {
    /// `(username, password)` pairs accepted by the `ws_auth` and `wss_auth` listeners.
    ///
    /// Written with `mosquitto_passwd -b`, so any UTF-8 is fine except: the username must be
    /// non-empty and must not contain `:` (the password-file separator) or control characters
    /// (mosquitto_passwd refuses them). `;`, `&`, `/`, `?`, `=`, `#`, `+`, spaces and non-ASCII
    /// all work. The password may be anything (even empty or with a newline) but NUL.
    /// With no pairs at all the password listeners reject every client.
    pub passwords: Vec<(String, String)>,
    /// Enable mosquitto persistence (`persistence true`, database in `<dir>/data/`): sessions,
    /// queued and retained messages survive [`Broker::stop`] + [`Broker::start_again`]
    /// (mosquitto saves the database when it gets SIGTERM).
    pub persistence: bool,
    /// Raw mosquitto.conf lines, inserted after the fixture's global options and before the
    /// first `listener`, so they can override global options (mosquitto keeps the last value)
    /// but not per-listener ones. Do not remove `log_dest stderr` or `log_type information`:
    /// start-up detection reads the "Opening ..." and "running" lines (both information).
    pub extra_config: Vec<String>,
}

impl BrokerConfig {
    /// The defaults: no password users, no persistence, no extra lines.
    pub fn new() -> BrokerConfig {
        BrokerConfig::default()
    }

    /// Adds a user for the password listeners.
    pub fn password(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.passwords.push((username.into(), password.into()));
        self
    }

    /// Turns persistence on or off.
    pub fn persistence(mut self, on: bool) -> Self {
        self.persistence = on;
        self
    }

    /// Adds one raw mosquitto.conf line (global section).
    pub fn extra_config(mut self, line: impl Into<String>) -> Self {
        self.extra_config.push(line.into());
        self
    }
}

/// The TCP ports of one broker, all on [`HOST`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ports {
    /// Plain MQTT over TCP, anonymous.
    pub tcp: u16,
    /// MQTT over WebSocket, anonymous.
    pub ws: u16,
    /// MQTT over WebSocket + TLS (server certificate only), anonymous.
    pub wss: u16,
    /// MQTT over WebSocket + TLS, a client certificate signed by the test CA is required.
    pub wss_mtls: u16,
    /// MQTT over WebSocket, username + password required.
    pub ws_auth: u16,
    /// MQTT over WebSocket + TLS, username + password required.
    pub wss_auth: u16,
}

impl Ports {
    /// All six ports, in the field order.
    pub fn all(&self) -> [u16; 6] {
        [
            self.tcp,
            self.ws,
            self.wss,
            self.wss_mtls,
            self.ws_auth,
            self.wss_auth,
        ]
    }

    /// Six distinct free ports, bound at once to check them and closed again
    /// for mosquitto to take over. They are drawn at random from below the
    /// kernel's ephemeral range: there, nothing but an explicit bind takes
    /// them while the broker is stopped for [`Broker::start_again`], whereas
    /// the ephemeral range hands its ports to every outgoing connection and
    /// every `bind(0)` on the machine. Where that range starts too low to
    /// leave room, the kernel picks (`bind(0)`).
    fn pick_free() -> Ports {
        const FLOOR: u16 = 10_000;
        let (low, _) = ephemeral_range();
        let mut sockets: Vec<TcpListener> = Vec::with_capacity(6);
        if low >= FLOOR + 1_000 {
            let span = u64::from(low - FLOOR);
            let mut tries = 0;
            while sockets.len() < 6 && tries < 1_000 {
                tries += 1;
                let port = FLOOR + (random_u64() % span) as u16;
                if let Ok(s) = TcpListener::bind((HOST, port)) {
                    sockets.push(s);
                }
            }
        }
        while sockets.len() < 6 {
            sockets.push(
                TcpListener::bind((HOST, 0))
                    .unwrap_or_else(|e| panic!("cannot bind {HOST}:0 to find a free port: {e}")),
            );
        }
        let p: Vec<u16> = sockets
            .iter()
            .map(|s| s.local_addr().expect("local_addr of a bound socket").port())
            .collect();
        drop(sockets);
        Ports {
            tcp: p[0],
            ws: p[1],
            wss: p[2],
            wss_mtls: p[3],
            ws_auth: p[4],
            wss_auth: p[5],
        }
    }
}

/// 64 random bits from std's per-process hash keys and a counter: enough to
/// spread the port picks of parallel tests and processes, not for secrets.
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    h.finish()
}

/// The kernel's ephemeral port range (`net.ipv4.ip_local_port_range`), from
/// which it takes the local ports of outgoing connections and of `bind(0)`;
/// Linux's default when it cannot be read.
fn ephemeral_range() -> (u16, u16) {
    let parsed = fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| {
            let mut it = s.split_whitespace().map(str::parse::<u16>);
            Some((it.next()?.ok()?, it.next()?.ok()?))
        });
    parsed.unwrap_or((32768, 60999))
}

/// Paths of the files written into the broker's temporary directory.
#[derive(Clone, Debug)]
struct Files {
    ca: PathBuf,
    wrong_ca: PathBuf,
    server_cert: PathBuf,
    server_key: PathBuf,
    client_cert: PathBuf,
    client_key: PathBuf,
    passwd: PathBuf,
    conf: PathBuf,
    data: PathBuf,
}

enum Event {
    Line(String),
    Eof,
}

enum SpawnError {
    /// mosquitto could not bind one of the ports (another process was faster).
    PortsTaken,
    Failed(String),
}

/// A running mosquitto with six loopback listeners (see the crate documentation), its
/// certificates and its log. Dropping it kills (SIGKILL) and reaps mosquitto, then deletes
/// the temporary directory.
pub struct Broker {
    config: BrokerConfig,
    mosquitto: PathBuf,
    pki: TestPki,
    files: Files,
    ports: Ports,
    child: Option<Child>,
    /// stderr events of the running child; only `Eof` arrives after start-up.
    events: Option<Mutex<Receiver<Event>>>,
    log: Arc<Mutex<String>>,
    // Declared last: removed after the child is gone.
    dir: TempDir,
}

impl Broker {
    /// Starts a broker with [`BrokerConfig::default`]. Panics (with mosquitto's log) if it
    /// does not come up within 10 s.
    pub fn start() -> Broker {
        Broker::start_with(BrokerConfig::default())
    }

    /// Starts a broker with the given configuration. Panics (with mosquitto's log) if it
    /// does not come up within 10 s; retries with new ports up to 3 times if another process
    /// takes one of the chosen free ports first.
    pub fn start_with(config: BrokerConfig) -> Broker {
        let mosquitto = find_tool("MOSQUITTO", "mosquitto", "/usr/sbin/mosquitto");
        let dir = tempfile::Builder::new()
            .prefix("mqttws-broker-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
        let root = dir.path().to_path_buf();
        if root.to_string_lossy().contains(char::is_whitespace) {
            panic!(
                "temporary directory {} contains whitespace, which mosquitto.conf cannot \
                 express; set TMPDIR to a path without spaces",
                root.display()
            );
        }
        // mosquitto started as root drops privileges to user `mosquitto`: everything it
        // reads must be readable by that user (tempfile creates the directory 0700).
        set_mode(&root, 0o755);

        let pki = TestPki::generate();
        let files = Files {
            ca: root.join("ca.pem"),
            wrong_ca: root.join("wrong-ca.pem"),
            server_cert: root.join("server.pem"),
            server_key: root.join("server.key"),
            client_cert: root.join("client.pem"),
            client_key: root.join("client.key"),
            passwd: root.join("passwd"),
            conf: root.join("mosquitto.conf"),
            data: root.join("data"),
        };
        for (path, pem) in [
            (&files.ca, &pki.ca_pem),
            (&files.wrong_ca, &pki.wrong_ca_pem),
            (&files.server_cert, &pki.server_cert_pem),
            (&files.server_key, &pki.server_key_pem),
            (&files.client_cert, &pki.client_cert_pem),
            (&files.client_key, &pki.client_key_pem),
        ] {
            write_file(path, pem);
        }
        write_password_file(&files.passwd, &config.passwords);
        if config.persistence {
            fs::create_dir(&files.data)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", files.data.display()));
            // mosquitto (possibly running as user `mosquitto`) writes the database here,
            // via a temporary file + rename, so it needs write access to the directory.
            // The parent is not world-writable; these are throwaway test files.
            set_mode(&files.data, 0o777);
        }

        let mut broker = Broker {
            config,
            mosquitto,
            pki,
            files,
            ports: Ports::pick_free(),
            child: None,
            events: None,
            log: Arc::new(Mutex::new(String::new())),
            dir,
        };
        for attempt in 1..=PORT_ATTEMPTS {
            if attempt > 1 {
                broker.ports = Ports::pick_free();
            }
            broker.write_config();
            match broker.spawn() {
                Ok(()) => return broker,
                Err(SpawnError::PortsTaken) if attempt < PORT_ATTEMPTS => {
                    broker.note(&format!(
                        "attempt {attempt}: another process took one of the ports \
                         {:?}; retrying with new ports",
                        broker.ports
                    ));
                }
                Err(SpawnError::PortsTaken) => broker.fail(&format!(
                    "mosquitto could not bind its ports in {PORT_ATTEMPTS} attempts"
                )),
                Err(SpawnError::Failed(why)) => broker.fail(&why),
            }
        }
        unreachable!("the last attempt either returns or panics")
    }

    /// Stops mosquitto: SIGTERM, then waits up to 5 s for it to exit (it saves the
    /// persistence database on the way), then SIGKILL. The ports, files and log are kept
    /// for [`Broker::start_again`]. Does nothing if it is not running.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let events = self.events.take();
        // The child is not reaped yet, so its pid cannot have been reused.
        let pid = child.id() as libc::pid_t;
        // SAFETY: kill(2) has no memory-safety preconditions.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = Instant::now() + STOP_TIMEOUT;
        let exited = match events {
            Some(rx) => wait_for_eof(
                &rx.into_inner().unwrap_or_else(PoisonError::into_inner),
                deadline,
            ),
            None => false,
        };
        if !exited {
            self.note(&format!(
                "mosquitto (pid {pid}) did not exit within {STOP_TIMEOUT:?} of SIGTERM; sending SIGKILL"
            ));
            let _ = child.kill();
        }
        // stderr is closed: the process has exited (or was just killed); reaping is immediate.
        let _ = child.wait();
    }

    /// Starts mosquitto again after [`Broker::stop`] (stops it first if it is running):
    /// same ports, same configuration, certificates and password file, same persistence
    /// database. Panics if it does not come up, e.g. because another process took one of
    /// the ports meanwhile (no retry is possible: the ports must stay the same).
    pub fn start_again(&mut self) {
        self.stop();
        self.note("restarting on the same ports");
        match self.spawn() {
            Ok(()) => {}
            Err(SpawnError::PortsTaken) => self.fail(&format!(
                "restart failed: another process took one of the ports {:?} while the \
                 broker was stopped",
                self.ports
            )),
            Err(SpawnError::Failed(why)) => self.fail(&format!("restart failed: {why}")),
        }
    }

    /// Everything mosquitto has logged so far (all starts, oldest first), plus the
    /// fixture's own `[mqttws-tests]` notes.
    pub fn log(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// mosquitto's process id, or `None` while stopped.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The configuration this broker was started with.
    pub fn config(&self) -> &BrokerConfig {
        &self.config
    }

    /// All ports.
    pub fn ports(&self) -> Ports {
        self.ports
    }

    /// Plain MQTT over TCP (anonymous), e.g. for `mosquitto_sub -h 127.0.0.1 -p PORT`.
    pub fn tcp_port(&self) -> u16 {
        self.ports.tcp
    }

    /// Port of the anonymous `ws` listener.
    pub fn ws_port(&self) -> u16 {
        self.ports.ws
    }

    /// Port of the anonymous `wss` listener.
    pub fn wss_port(&self) -> u16 {
        self.ports.wss
    }

    /// Port of the `wss` listener that requires a client certificate.
    pub fn wss_mtls_port(&self) -> u16 {
        self.ports.wss_mtls
    }

    /// Port of the `ws` listener that requires username + password.
    pub fn ws_auth_port(&self) -> u16 {
        self.ports.ws_auth
    }

    /// Port of the `wss` listener that requires username + password.
    pub fn wss_auth_port(&self) -> u16 {
        self.ports.wss_auth
    }

    /// `ws://127.0.0.1:PORT{path}` of the anonymous listener (mosquitto accepts any path;
    /// a missing leading `/` is added).
    pub fn ws_url(&self, path: &str) -> String {
        url("ws", self.ports.ws, path)
    }

    /// `wss://127.0.0.1:PORT{path}`: anonymous, server certificate signed by [`Broker::ca_pem`].
    pub fn wss_url(&self, path: &str) -> String {
        url("wss", self.ports.wss, path)
    }

    /// `wss://127.0.0.1:PORT{path}`: requires [`Broker::client_cert_pem`] + key.
    pub fn wss_mtls_url(&self, path: &str) -> String {
        url("wss", self.ports.wss_mtls, path)
    }

    /// `ws://127.0.0.1:PORT{path}`: requires a username + password from the config.
    pub fn ws_auth_url(&self, path: &str) -> String {
        url("ws", self.ports.ws_auth, path)
    }

    /// `wss://127.0.0.1:PORT{path}`: requires a username + password from the config.
    pub fn wss_auth_url(&self, path: &str) -> String {
        url("wss", self.ports.wss_auth, path)
    }

    /// All generated certificates and keys as PEM strings.
    pub fn pki(&self) -> &TestPki {
        &self.pki
    }

    /// The test CA certificate (PEM file).
    pub fn ca_pem_path(&self) -> &Path {
        &self.files.ca
    }

    /// The test CA certificate (PEM).
    pub fn ca_pem(&self) -> &str {
        &self.pki.ca_pem
    }

    /// An unrelated CA that did not sign the server certificate (PEM file).
    pub fn wrong_ca_pem_path(&self) -> &Path {
        &self.files.wrong_ca
    }

    /// An unrelated CA that did not sign the server certificate (PEM).
    pub fn wrong_ca_pem(&self) -> &str {
        &self.pki.wrong_ca_pem
    }

    /// The server certificate (PEM file; SANs 127.0.0.1 and localhost).
    pub fn server_cert_path(&self) -> &Path {
        &self.files.server_cert
    }

    /// The server certificate (PEM).
    pub fn server_cert_pem(&self) -> &str {
        &self.pki.server_cert_pem
    }

    /// The mTLS client certificate (PEM file).
    pub fn client_cert_path(&self) -> &Path {
        &self.files.client_cert
    }

    /// The mTLS client private key (PKCS#8 PEM file).
    pub fn client_key_path(&self) -> &Path {
        &self.files.client_key
    }

    /// The mTLS client certificate (PEM).
    pub fn client_cert_pem(&self) -> &str {
        &self.pki.client_cert_pem
    }

    /// The mTLS client private key (PKCS#8 PEM).
    pub fn client_key_pem(&self) -> &str {
        &self.pki.client_key_pem
    }

    /// The broker's temporary directory (certificates, config, password file, database).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The generated mosquitto.conf.
    pub fn config_path(&self) -> &Path {
        &self.files.conf
    }

    /// The persistence database file, if persistence is enabled (it exists only once
    /// mosquitto has saved, e.g. after [`Broker::stop`]).
    pub fn persistence_path(&self) -> Option<PathBuf> {
        self.config
            .persistence
            .then(|| self.files.data.join("mosquitto.db"))
    }

    fn write_config(&self) {
        let f = &self.files;
        let p = &self.ports;
        let mut c = String::new();
        let mut line = |s: &str| {
            c.push_str(s);
            c.push('\n');
        };
        line("# Generated by mqttws-tests for one test run; throwaway.");
        // Needed for allow_anonymous/password_file per listener; with it every listener
        // must say allow_anonymous itself (the 2.0 default is false).
        line("per_listener_settings true");
        line("log_dest stderr");
        line("log_type error");
        line("log_type warning");
        line("log_type notice");
        line("log_type information");
        line("log_timestamp_format %Y-%m-%dT%H:%M:%S");
        line("connection_messages true");
        line("websockets_log_level 0");
        line("sys_interval 0");
        line("set_tcp_nodelay true");
        line("max_queued_messages 1000000");
        line("max_queued_bytes 0");
        line("max_inflight_messages 20");
        // Packet size: mosquitto 2.0's default is "no limit" (up to the MQTT maximum of
        // 256 MiB), which 2 MiB payloads need. `max_packet_size 0` is rejected as invalid and
        // `message_size_limit` is deprecated (it logs a note), so neither is written.
        if self.config.persistence {
            line("persistence true");
            line(&format!("persistence_location {}/", f.data.display()));
            line("persistence_file mosquitto.db");
            line("autosave_interval 0");
        } else {
            line("persistence false");
        }
        for extra in &self.config.extra_config {
            line(extra);
        }

        line("");
        line(&format!("listener {} {HOST}", p.tcp));
        line("protocol mqtt");
        line("allow_anonymous true");

        // mosquitto 2.0.11 ignores an IP address on websockets listeners and binds every
        // interface (fixed in 2.0.12); libwebsockets accepts an interface name, so `lo`.
        let ws = |c: &mut String, port: u16| {
            let _ = write!(c, "\nlistener {port} lo\nprotocol websockets\n");
        };
        let tls = |c: &mut String| {
            let _ = write!(
                c,
                "certfile {}\nkeyfile {}\n",
                f.server_cert.display(),
                f.server_key.display()
            );
        };
        let auth = |c: &mut String| {
            let _ = write!(
                c,
                "allow_anonymous false\npassword_file {}\n",
                f.passwd.display()
            );
        };
        ws(&mut c, p.ws);
        c.push_str("allow_anonymous true\n");

        ws(&mut c, p.wss);
        c.push_str("allow_anonymous true\n");
        tls(&mut c);

        ws(&mut c, p.wss_mtls);
        c.push_str("allow_anonymous true\n");
        tls(&mut c);
        let _ = writeln!(c, "cafile {}", f.ca.display());
        c.push_str("require_certificate true\n");

        ws(&mut c, p.ws_auth);
        auth(&mut c);

        ws(&mut c, p.wss_auth);
        auth(&mut c);
        tls(&mut c);

        write_file(&f.conf, &c);
    }

    /// Starts mosquitto on `self.ports` and waits until every listener is open.
    fn spawn(&mut self) -> Result<(), SpawnError> {
        let mut command = Command::new(&self.mosquitto);
        command.arg("-c").arg(&self.files.conf);
        // Since Rust 1.66 (rust-lang/rust#101077) children inherit the parent's signal mask.
        // mosquitto restores the mask it started with around its epoll wait, so a SIGTERM
        // blocked by the caller (e.g. the mqttws-test-broker binary, which sigwait()s for
        // it) would stay pending forever and stop() would need SIGKILL. Start it unblocked.
        // SAFETY: the closure only calls sigemptyset/sigprocmask (async-signal-safe) on a
        // local, between fork and exec.
        unsafe {
            command.pre_exec(|| {
                let mut empty: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut empty);
                if libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut()) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                SpawnError::Failed(format!(
                    "cannot run {}: {e} ({INSTALL_HINT})",
                    self.mosquitto.display()
                ))
            })?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let events = spawn_log_reader(stderr, Arc::clone(&self.log));
        let deadline = Instant::now() + START_TIMEOUT;

        // "Opening ... listen socket on port N." is logged *before* the bind, so it only
        // proves the config was read; "mosquitto version X running" comes after every
        // listener was bound successfully.
        let mut lines = Vec::new();
        let mut opened = BTreeSet::new();
        let failure = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match events.recv_timeout(left) {
                Ok(Event::Line(line)) => {
                    if let Some(port) = opened_port(&line) {
                        opened.insert(port);
                    }
                    let running = is_running_line(&line);
                    lines.push(line);
                    if running {
                        break None;
                    }
                }
                Ok(Event::Eof) | Err(RecvTimeoutError::Disconnected) => {
                    let status = match child.wait() {
                        Ok(status) => status.to_string(),
                        Err(e) => format!("wait failed: {e}"),
                    };
                    if lines.iter().any(|l| is_bind_error(l)) {
                        return Err(SpawnError::PortsTaken);
                    }
                    break Some(format!(
                        "mosquitto exited during start-up ({status}) before logging \
                         \"mosquitto version ... running\""
                    ));
                }
                Err(RecvTimeoutError::Timeout) => {
                    break Some(format!(
                        "mosquitto did not log \"mosquitto version ... running\" within \
                         {START_TIMEOUT:?}"
                    ));
                }
            }
        };
        let failure = failure.or_else(|| {
            let missing: Vec<u16> = self
                .ports
                .all()
                .into_iter()
                .filter(|p| !opened.contains(p))
                .collect();
            (!missing.is_empty()).then(|| {
                format!("mosquitto is running but never logged opening the ports {missing:?}")
            })
        });
        let failure = failure.or_else(|| {
            self.ports.all().into_iter().find_map(|port| {
                let left = deadline
                    .saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(100));
                TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), left)
                    .err()
                    .map(|e| format!("mosquitto logged it was running, but connecting to {HOST}:{port} failed: {e}"))
            })
        });
        let failure = failure.or_else(|| {
            mqtt_probe(self.ports.tcp, deadline).err().map(|e| {
                format!(
                    "mosquitto accepts TCP connections but did not answer an MQTT CONNECT \
                     on {HOST}:{}: {e}",
                    self.ports.tcp
                )
            })
        });
        if let Some(why) = failure {
            let _ = child.kill();
            let _ = child.wait();
            return Err(SpawnError::Failed(why));
        }
        self.child = Some(child);
        self.events = Some(Mutex::new(events));
        Ok(())
    }

    /// Appends a fixture note to the log.
    fn note(&self, what: &str) {
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = writeln!(log, "[mqttws-tests] {what}");
    }

    fn fail(&self, why: &str) -> ! {
        let config = fs::read_to_string(&self.files.conf).unwrap_or_default();
        panic!(
            "mqttws-tests broker: {why}\n--- {} ---\n{config}--- mosquitto log ---\n{}\
             --- end of log ---",
            self.files.conf.display(),
            self.log()
        )
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl std::fmt::Debug for Broker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Broker")
            .field("pid", &self.pid())
            .field("ports", &self.ports)
            .field("dir", &self.dir.path())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Reads mosquitto's stderr until EOF (always, so mosquitto never blocks on a full pipe),
/// appending every line to `log`. Lines are also sent on the returned channel up to and
/// including the "running" line (all that start-up needs); `Eof` is sent when stderr
/// closes, i.e. when mosquitto has exited.
fn spawn_log_reader(stderr: ChildStderr, log: Arc<Mutex<String>>) -> Receiver<Event> {
    let (tx, rx) = mpsc::channel();
    thread::Builder::new()
        .name("mosquitto-stderr".into())
        .spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut buf = Vec::new();
            let mut forward = true;
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                let text = String::from_utf8_lossy(&buf);
                let line = text.trim_end_matches(['\r', '\n']);
                {
                    let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
                    log.push_str(line);
                    log.push('\n');
                }
                if forward {
                    forward = !is_running_line(line);
                    let _ = tx.send(Event::Line(line.to_owned()));
                }
            }
            let _ = tx.send(Event::Eof);
        })
        .expect("spawn the mosquitto log reader thread");
    rx
}

/// MQTT CONNECT, CONNACK, DISCONNECT on the plain TCP listener. mosquitto answers only from
/// its main loop, so this proves start-up is over. That matters: 2.0.11 logs "running",
/// *then* sets its `run` flag, so a SIGTERM arriving in between is lost (the handler clears
/// the flag, which is then set again) and the broker would ignore [`Broker::stop`] until
/// the SIGKILL fallback.
fn mqtt_probe(port: u16, deadline: Instant) -> io::Result<()> {
    const ID: &[u8] = b"mqttws-tests-ready-probe";
    let left = || {
        deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(100))
    };
    let mut s = TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), left())?;
    s.set_read_timeout(Some(left()))?;
    s.set_write_timeout(Some(left()))?;
    // MQTT 3.1.1 CONNECT, clean session, keep-alive 0.
    let mut connect = vec![
        0x10,
        (12 + ID.len()) as u8,
        0,
        4,
        b'M',
        b'Q',
        b'T',
        b'T',
        4,
        0x02,
    ];
    connect.extend_from_slice(&[0, 0, 0, ID.len() as u8]);
    connect.extend_from_slice(ID);
    s.write_all(&connect)?;
    let mut connack = [0u8; 4];
    s.read_exact(&mut connack)?;
    if connack != [0x20, 2, 0, 0] {
        return Err(io::Error::other(format!(
            "unexpected CONNACK {connack:02x?}"
        )));
    }
    s.write_all(&[0xe0, 0])
}

/// Waits for the stderr `Eof` event until `deadline`; true if it arrived.
fn wait_for_eof(events: &Receiver<Event>, deadline: Instant) -> bool {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(Event::Line(_)) => continue,
            Ok(Event::Eof) | Err(RecvTimeoutError::Disconnected) => return true,
            Err(RecvTimeoutError::Timeout) => return false,
        }
    }
}

/// `1795414346: mosquitto version 2.0.11 running`
fn is_running_line(line: &str) -> bool {
    line.contains("mosquitto version ") && line.ends_with(" running")
}

/// `...: Opening ipv4 listen socket on port 31883.` /
/// `...: Opening websockets listen socket on port 31884.`
fn opened_port(line: &str) -> Option<u16> {
    const MARK: &str = " listen socket on port ";
    if !line.contains("Opening ") {
        return None;
    }
    let rest = &line[line.find(MARK)? + MARK.len()..];
    rest.trim_end_matches('.').parse().ok()
}

/// `Error: Address already in use` (TCP listener; names no port) /
/// `Error: Unable to create websockets listener on port N.`
fn is_bind_error(line: &str) -> bool {
    line.contains("Address already in use")
        || line.contains("Unable to create websockets listener on port")
}

fn url(scheme: &str, port: u16, path: &str) -> String {
    let slash = if path.starts_with('/') { "" } else { "/" };
    format!("{scheme}://{HOST}:{port}{slash}{path}")
}

/// `$ENV` if set, else `fallback` if it exists, else `name` (looked up in PATH).
fn find_tool(env: &str, name: &str, fallback: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(env) {
        return PathBuf::from(path);
    }
    if Path::new(fallback).exists() {
        return PathBuf::from(fallback);
    }
    PathBuf::from(name)
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("cannot chmod {mode:o} {}: {e}", path.display()));
}

/// Writes a file readable by the `mosquitto` user (0644; throwaway test material).
fn write_file(path: &Path, contents: &str) {
    fs::write(path, contents).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    set_mode(path, 0o644);
}

fn write_password_file(path: &Path, users: &[(String, String)]) {
    write_file(path, "");
    let tool = find_tool(
        "MOSQUITTO_PASSWD",
        "mosquitto_passwd",
        "/usr/bin/mosquitto_passwd",
    );
    for (user, password) in users {
        assert!(
            !user.is_empty() && !user.contains(':') && !user.chars().any(char::is_control),
            "password user {user:?}: mosquitto_passwd needs a non-empty username without ':' \
             and without control characters"
        );
        assert!(
            !password.contains('\0'),
            "password of user {user:?} contains NUL"
        );
        let out = Command::new(&tool)
            .arg("-b")
            .arg(path)
            .arg(user)
            .arg(password)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e} ({INSTALL_HINT})", tool.display()));
        assert!(
            out.status.success(),
            "{} -b {} {user:?} ... failed ({}): {}{}",
            tool.display(),
            path.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // mosquitto_passwd rewrites the file; make sure it stays readable for mosquitto.
    set_mode(path, 0o644);
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn parses_log_lines() {
        assert_eq!(
            opened_port("1795414346: Opening ipv4 listen socket on port 31883."),
            Some(31883)
        );
        assert_eq!(
            opened_port("2026-01-01T00:00:00: Opening websockets listen socket on port 1."),
            Some(1)
        );
        assert_eq!(opened_port("Client x closed its connection."), None);
        assert!(is_running_line(
            "1795414346: mosquitto version 2.0.11 running"
        ));
        assert!(!is_running_line(
            "1795414346: mosquitto version 2.0.11 starting"
        ));
        assert!(is_bind_error("1: Error: Address already in use"));
        assert!(is_bind_error(
            "1: Error: Unable to create websockets listener on port 31890."
        ));
    }

    #[test]
    fn broker_can_be_shared_across_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Broker>();
        send_sync::<BrokerConfig>();
    }

    #[test]
    fn urls() {
        assert_eq!(url("ws", 1, "/mqtt"), "ws://127.0.0.1:1/mqtt");
        assert_eq!(url("wss", 2, "mqtt"), "wss://127.0.0.1:2/mqtt");
        assert_eq!(url("ws", 3, ""), "ws://127.0.0.1:3/");
    }

    /// A broker that restarts on the same ports (`start_again`) must not find
    /// them taken by an outgoing connection's local port or by another
    /// fixture's `bind(0)`, which both come from the ephemeral range (seen
    /// in CI: "Unable to create websockets listener" on restart).
    #[test]
    fn picked_ports_lie_below_the_ephemeral_range() {
        let (low, _) = ephemeral_range();
        for _ in 0..20 {
            let ports = Ports::pick_free();
            for p in ports.all() {
                assert!(
                    p < low,
                    "port {p} of {ports:?} is in the ephemeral range from {low}"
                );
            }
            let distinct: BTreeSet<u16> = ports.all().into_iter().collect();
            assert_eq!(distinct.len(), 6, "{ports:?}");
        }
    }
}

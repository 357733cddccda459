//! The Rust client through REAL proxies to a real mosquitto, over ws:// and wss://.
//!
//! * HTTP CONNECT: Debian's `tinyproxy` (1.11), with and without `BasicAuth`;
//! * SOCKS5: Debian's `microsocks` (1.0), with and without `-u`/`-P`.
//!
//! Install both with `apt-get install -y tinyproxy microsocks` (`.ci/deps.d/proxy.sh`).
//! Each test starts its own proxy as a child process on a free loopback port,
//! with a generated configuration; the Debian tinyproxy package's own service
//! (port 8888, `/etc/tinyproxy`) is neither used nor disturbed. Readiness is a
//! bounded loop of TCP connects (each blocking in `connect_timeout`), never a
//! sleep; the child is killed and reaped on drop.
//!
//! tinyproxy 1.11 quirk, observed here: a CONNECT *without* credentials gets
//! `407 Proxy Authentication Required`, but one with a *wrong* password gets
//! `401 Unauthorized` (its code jumps to the 401 path for both the stats page
//! and failed checks). The client reports either as `Error::Proxy` with the
//! real status and a reason that starts "the proxy requires authentication".

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mqttws::{Client, ClientOptions, Error, ErrorKind, ProxyConfig, QoS, TimeoutPhase};
use mqttws_tests::{Broker, HOST, unique};

const WAIT: Option<Duration> = Some(Duration::from_secs(10));
const READY_TIMEOUT: Duration = Duration::from_secs(10);
const INSTALL_HINT: &str = "install it with: apt-get install -y tinyproxy microsocks";

fn free_port() -> u16 {
    TcpListener::bind((HOST, 0))
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// A proxy child process on a loopback port; killed and reaped on drop.
struct ProxyProcess {
    name: &'static str,
    port: u16,
    child: Child,
    log: Arc<Mutex<String>>,
    // Declared last: removed after the child is gone.
    _dir: tempfile::TempDir,
}

impl ProxyProcess {
    /// Starts `make(port, dir)` on a free port and waits (bounded) until it
    /// accepts TCP connections. Retries with a new port (3 times) if the
    /// child exits first, which is what losing the port to another process
    /// looks like.
    fn start(name: &'static str, make: impl Fn(u16, &std::path::Path) -> Command) -> Self {
        let mut last_log = String::new();
        for _ in 0..3 {
            let dir = tempfile::Builder::new()
                .prefix("mqttws-proxy-")
                .tempdir()
                .expect("temporary directory");
            let port = free_port();
            let mut cmd = make(port, dir.path());
            cmd.stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = cmd
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {name} ({cmd:?}): {e}; {INSTALL_HINT}"));
            let log = Arc::new(Mutex::new(String::new()));
            for out in [
                child
                    .stdout
                    .take()
                    .map(|s| Box::new(s) as Box<dyn Read + Send>),
                child
                    .stderr
                    .take()
                    .map(|s| Box::new(s) as Box<dyn Read + Send>),
            ]
            .into_iter()
            .flatten()
            {
                let log = log.clone();
                std::thread::spawn(move || {
                    for line in BufReader::new(out).lines().map_while(Result::ok) {
                        let mut l = log.lock().unwrap_or_else(|p| p.into_inner());
                        l.push_str(&line);
                        l.push('\n');
                    }
                });
            }
            let mut proxy = ProxyProcess {
                name,
                port,
                child,
                log,
                _dir: dir,
            };
            if proxy.wait_ready() {
                return proxy;
            }
            last_log = proxy.log();
        }
        panic!("{name} exited before accepting connections, 3 times; last log:\n{last_log}");
    }

    /// A bounded loop of connects; `false` if the child exited first.
    fn wait_ready(&mut self) -> bool {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!(
                    "{} did not accept connections on port {} within {READY_TIMEOUT:?}; log:\n{}",
                    self.name,
                    self.port,
                    self.log()
                );
            }
            if TcpStream::connect_timeout(&addr, left.min(Duration::from_secs(1))).is_ok() {
                return true;
            }
        }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// tinyproxy allowing CONNECT to `ports` only, optionally with Basic auth.
    fn tinyproxy(ports: &[u16], auth: Option<(&str, &str)>) -> Self {
        let mut conf = String::from(
            "# Generated by tests/tests/proxy.rs\n\
             Listen 127.0.0.1\n\
             Timeout 60\n\
             MaxClients 50\n\
             LogLevel Info\n\
             Allow 127.0.0.1\n",
        );
        for p in ports {
            conf.push_str(&format!("ConnectPort {p}\n"));
        }
        if let Some((user, password)) = auth {
            conf.push_str(&format!("BasicAuth {user} {password}\n"));
        }
        Self::start("tinyproxy", move |port, dir| {
            let path = dir.join("tinyproxy.conf");
            std::fs::write(&path, format!("{conf}Port {port}\n")).expect("write tinyproxy.conf");
            let mut cmd = Command::new("tinyproxy");
            cmd.arg("-d").arg("-c").arg(path);
            cmd
        })
    }

    /// microsocks, optionally requiring a user name and password.
    fn microsocks(auth: Option<(&str, &str)>) -> Self {
        let auth = auth.map(|(u, p)| (u.to_owned(), p.to_owned()));
        Self::start("microsocks", move |port, _| {
            let mut cmd = Command::new("microsocks");
            cmd.args(["-i", HOST, "-p", &port.to_string()]);
            if let Some((u, p)) = &auth {
                cmd.args(["-u", u, "-P", p]);
            }
            cmd
        })
    }
}

impl Drop for ProxyProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn options(url: &str, proxy: ProxyConfig) -> ClientOptions {
    ClientOptions::new(url)
        .client_id(unique("proxied"))
        .connect_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(10))
        .proxy(proxy)
}

/// The broker's ws and wss URLs (with `host` in place of 127.0.0.1) and
/// their options.
fn ws_and_wss(broker: &Broker, host: &str, proxy: &ProxyConfig) -> Vec<ClientOptions> {
    let ws = broker.ws_url("/mqtt").replace(HOST, host);
    let wss = broker.wss_url("/mqtt").replace(HOST, host);
    vec![
        options(&ws, proxy.clone()),
        options(&wss, proxy.clone()).ca_file(broker.ca_pem_path()),
    ]
}

/// Connects through the proxy and round-trips one message at each QoS.
fn round_trip(broker: &Broker, proxy: &ProxyProcess, o: ClientOptions) {
    let what = format!("{o:?}");
    let c = Client::new(o).expect("valid options");
    c.connect().unwrap_or_else(|e| {
        panic!(
            "connect {what}: {e}\n{} log:\n{}\nbroker log:\n{}",
            proxy.name,
            proxy.log(),
            broker.log()
        )
    });
    let topic = unique("through-proxy");
    c.subscribe(&[(&topic, QoS::ExactlyOnce)]).unwrap();
    for qos in [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce] {
        let body = format!("via {} at {qos:?}", proxy.name);
        c.publish_and_wait(&topic, body.clone(), qos, false)
            .unwrap();
        let m = c.recv(WAIT).unwrap().expect("message through the proxy");
        assert_eq!((&m.payload[..], m.qos), (body.as_bytes(), qos));
    }
    c.disconnect().unwrap();
}

fn connect_err(o: ClientOptions) -> Error {
    let c = Client::new(o).expect("valid options");
    let err = c.connect().expect_err("the proxy must refuse");
    assert!(!c.is_connected());
    err
}

#[test]
fn http_connect_through_tinyproxy_carries_ws_and_wss() {
    let b = Broker::start();
    let proxy = ProxyProcess::tinyproxy(&[b.ws_port(), b.wss_port()], None);
    let config = ProxyConfig::http(HOST, proxy.port).timeout(Duration::from_secs(5));
    for o in ws_and_wss(&b, HOST, &config) {
        round_trip(&b, &proxy, o);
    }
    // tinyproxy logs each tunnel it opened.
    let log = proxy.log();
    assert!(log.contains("CONNECT"), "tinyproxy saw no CONNECT:\n{log}");
}

#[test]
fn http_connect_with_basic_auth_and_a_clear_error_for_bad_or_missing_credentials() {
    let b = Broker::start();
    let proxy = ProxyProcess::tinyproxy(&[b.ws_port(), b.wss_port()], Some(("alice", "s3cret-pw")));
    let good = ProxyConfig::http(HOST, proxy.port).credentials("alice", "s3cret-pw");
    for o in ws_and_wss(&b, HOST, &good) {
        round_trip(&b, &proxy, o);
    }

    let url = b.ws_url("/mqtt");
    // No credentials: 407 Proxy Authentication Required.
    let err = connect_err(options(&url, ProxyConfig::http(HOST, proxy.port)));
    match &err {
        Error::Proxy { reason, status } => {
            assert_eq!(*status, Some(407), "{err}");
            assert!(
                reason.starts_with("the proxy requires authentication (407)"),
                "{err}"
            );
            assert!(reason.contains("set credentials"), "{err}");
        }
        other => panic!("expected Error::Proxy, got {other:?}"),
    }
    assert!(err.to_string().contains("(HTTP 407)"), "{err}");

    // Wrong password, over ws and wss: tinyproxy 1.11 answers 401 (see the module doc).
    let wrong = ProxyConfig::http(HOST, proxy.port).credentials("alice", "wrong");
    for o in ws_and_wss(&b, HOST, &wrong) {
        let err = connect_err(o);
        assert_eq!(err.kind(), ErrorKind::Proxy, "{err}");
        match &err {
            Error::Proxy { reason, status } => {
                assert!(matches!(status, Some(401 | 407)), "{err}");
                assert!(
                    reason.starts_with("the proxy requires authentication"),
                    "{err}"
                );
                assert!(
                    reason.contains("rejected the user name or password"),
                    "{err}"
                );
            }
            other => panic!("expected Error::Proxy, got {other:?}"),
        }
        assert!(!err.to_string().contains("wrong"), "no password in {err}");
    }
}

#[test]
fn tinyproxy_refusing_the_port_is_a_proxy_error_with_its_status() {
    let b = Broker::start();
    // CONNECT allowed to the wss port only.
    let proxy = ProxyProcess::tinyproxy(&[b.wss_port()], None);
    let err = connect_err(options(
        &b.ws_url("/mqtt"),
        ProxyConfig::http(HOST, proxy.port),
    ));
    match &err {
        Error::Proxy { reason, status } => {
            assert_eq!(*status, Some(403), "{err}");
            assert!(reason.contains(&format!("{HOST}:{}", b.ws_port())), "{err}");
        }
        other => panic!("expected Error::Proxy, got {other:?}"),
    }
}

#[test]
fn socks5_through_microsocks_carries_ws_and_wss() {
    let b = Broker::start();
    let proxy = ProxyProcess::microsocks(None);
    let config = ProxyConfig::socks5(HOST, proxy.port).timeout(Duration::from_secs(5));
    for o in ws_and_wss(&b, HOST, &config) {
        round_trip(&b, &proxy, o);
    }
    // A host name goes to the proxy unresolved (DOMAINNAME) and microsocks
    // resolves it. Only where `localhost` means 127.0.0.1 first: the
    // broker's WebSocket listeners are not on ::1.
    let v4_first = ("localhost", 0)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|a| a.ip() == std::net::Ipv4Addr::LOCALHOST);
    if v4_first {
        for o in ws_and_wss(&b, "localhost", &config) {
            round_trip(&b, &proxy, o);
        }
        let log = proxy.log();
        assert!(
            log.contains(&format!("connected to localhost:{}", b.wss_port())),
            "microsocks did not resolve the name itself:\n{log}"
        );
    } else {
        eprintln!("localhost does not resolve to 127.0.0.1 first here: name case skipped");
    }
}

#[test]
fn socks5_with_username_password_and_clear_errors_for_bad_or_missing_credentials() {
    let b = Broker::start();
    let proxy = ProxyProcess::microsocks(Some(("bob", "socks-pw")));
    let good = ProxyConfig::socks5(HOST, proxy.port).credentials("bob", "socks-pw");
    for o in ws_and_wss(&b, HOST, &good) {
        round_trip(&b, &proxy, o);
    }
    let url = b.wss_url("/mqtt");
    let wrong = ProxyConfig::socks5(HOST, proxy.port).credentials("bob", "nope");
    let err = connect_err(options(&url, wrong).ca_file(b.ca_pem_path()));
    assert!(
        matches!(&err, Error::Proxy { reason, status: None } if reason.contains("rejected the user name or password")),
        "{err:?}"
    );
    let err = connect_err(options(&url, ProxyConfig::socks5(HOST, proxy.port)));
    assert!(
        matches!(&err, Error::Proxy { reason, .. } if reason.contains("requires authentication")),
        "{err:?}"
    );
}

#[test]
fn socks5_reply_codes_reach_the_caller() {
    let proxy = ProxyProcess::microsocks(None);
    // Nothing listens on this port: the proxy answers "connection refused" (5).
    let closed = free_port();
    let url = format!("ws://{HOST}:{closed}/mqtt");
    let err = connect_err(options(&url, ProxyConfig::socks5(HOST, proxy.port)));
    match &err {
        Error::Proxy { reason, status } => {
            assert_eq!(*status, None);
            assert!(
                reason.contains("connection refused by the destination host")
                    && reason.contains("reply code 5"),
                "{err}"
            );
        }
        other => panic!("expected Error::Proxy, got {other:?}"),
    }
}

#[test]
fn a_proxy_that_never_answers_times_out_within_the_proxy_timeout() {
    // Accepts (the kernel's backlog does) and says nothing.
    let silent = TcpListener::bind((HOST, 0)).unwrap();
    let port = silent.local_addr().unwrap().port();
    for proxy in [
        ProxyConfig::http(HOST, port),
        ProxyConfig::socks5(HOST, port),
    ] {
        let start = Instant::now();
        let err = connect_err(
            ClientOptions::new("wss://broker.invalid/mqtt")
                .connect_timeout(Duration::from_secs(30))
                .proxy(proxy.timeout(Duration::from_millis(300))),
        );
        let took = start.elapsed();
        assert!(
            matches!(err, Error::Timeout(TimeoutPhase::Proxy)),
            "{err:?}"
        );
        assert!(
            took >= Duration::from_millis(250) && took < Duration::from_secs(3),
            "{took:?}"
        );
    }
    // The connect timeout bounds the proxy phase too.
    let start = Instant::now();
    let err = connect_err(
        ClientOptions::new("ws://broker.invalid/mqtt")
            .connect_timeout(Duration::from_millis(300))
            .proxy(ProxyConfig::http(HOST, port)),
    );
    assert!(
        matches!(err, Error::Timeout(TimeoutPhase::Proxy)),
        "{err:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(3));
}

//! Self-tests of the broker fixture against the real mosquitto.

mod support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, Ipv6Addr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use mqttws_tests::{Broker, BrokerConfig};
use support::{Mqtt, assert_success, run, tcp, tls, tls_config, wait_child};

const CMD_LIMIT: Duration = Duration::from_secs(10);

/// Usernames with characters that need escaping in URLs and query strings.
const ODD_USER: &str = "dev;1&x/y?z=w";
const ODD_PASS: &str = "p@ss:w=rd&;/ ?";

fn pub_retained(broker: &Broker, topic: &str, message: &str) {
    let out = run(
        Command::new("mosquitto_pub")
            .args(["-h", "127.0.0.1", "-p", &broker.tcp_port().to_string()])
            .args(["-q", "1", "-r", "-t", topic, "-m", message]),
        CMD_LIMIT,
    );
    assert_success(&out, "mosquitto_pub");
}

/// Receives one (retained) message on the plain TCP listener, waiting at most 5 s.
fn sub_one(broker: &Broker, topic: &str) -> Vec<u8> {
    let out = run(
        Command::new("mosquitto_sub")
            .args(["-h", "127.0.0.1", "-p", &broker.tcp_port().to_string()])
            .args(["-t", topic, "-C", "1", "-W", "5"]),
        CMD_LIMIT,
    );
    assert_success(&out, "mosquitto_sub");
    out.stdout
}

/// Local addresses of listening sockets on `port`, from /proc/net/tcp{,6}.
fn listening_addresses(port: u16) -> Vec<std::net::IpAddr> {
    let mut found = Vec::new();
    for (file, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
        let Ok(table) = std::fs::read_to_string(file) else {
            continue;
        };
        for line in table.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() < 4 || fields[3] != "0A" {
                continue;
            }
            let Some((addr, p)) = fields[1].split_once(':') else {
                continue;
            };
            if u16::from_str_radix(p, 16) != Ok(port) {
                continue;
            }
            // The kernel prints each 32-bit word of the address in host (little) endian.
            let words: Vec<u32> = (0..addr.len() / 8)
                .map(|i| u32::from_str_radix(&addr[i * 8..i * 8 + 8], 16).unwrap())
                .collect();
            let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
            found.push(if v6 {
                let b: [u8; 16] = bytes.try_into().unwrap();
                std::net::IpAddr::V6(Ipv6Addr::from(b))
            } else {
                let b: [u8; 4] = bytes.try_into().unwrap();
                std::net::IpAddr::V4(Ipv4Addr::from(b))
            });
        }
    }
    found
}

fn is_loopback(ip: &std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => v4.is_loopback(),
        std::net::IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

#[test]
fn every_listener_accepts_tcp_on_loopback_only() {
    let broker = Broker::start();
    let ports = broker.ports();
    assert_eq!(
        ports.all().iter().collect::<BTreeSet<_>>().len(),
        6,
        "ports must be distinct: {ports:?}"
    );
    for port in ports.all() {
        TcpStream::connect(("127.0.0.1", port))
            .unwrap_or_else(|e| panic!("connect 127.0.0.1:{port}: {e}\n{}", broker.log()));
        let addrs = listening_addresses(port);
        assert!(
            !addrs.is_empty(),
            "nothing listens on port {port} in /proc/net/tcp*"
        );
        assert!(
            addrs.iter().all(is_loopback),
            "port {port} listens beyond loopback: {addrs:?} (trap 1: websockets listeners \
             must be bound to `lo`)"
        );
    }
    assert!(broker.log().contains("mosquitto version"));
}

#[test]
fn tcp_listener_round_trips_with_mosquitto_clients() {
    let broker = Broker::start();
    pub_retained(&broker, "fixture/tcp", "hello over tcp");
    assert_eq!(sub_one(&broker, "fixture/tcp"), b"hello over tcp\n");
}

#[test]
fn ws_listener_speaks_mqtt_and_carries_2_mib() {
    let broker = Broker::start();
    let port = broker.ws_port();
    assert_eq!(
        broker.ws_url("/mqtt"),
        format!("ws://127.0.0.1:{port}/mqtt")
    );
    for path in ["/mqtt", "/"] {
        let (_, rc) = Mqtt::connect(Box::new(tcp(port)), port, path, "fixture-ws", None)
            .unwrap_or_else(|e| panic!("ws {path}: {e}\n{}", broker.log()));
        assert_eq!(rc, 0, "CONNACK on ws {path}");
    }
    // 2 MiB, published over ws, retained, read back over TCP.
    let payload = vec![b'x'; 2 * 1024 * 1024];
    let (mut mqtt, rc) = Mqtt::connect(Box::new(tcp(port)), port, "/mqtt", "fixture-big", None)
        .unwrap_or_else(|e| panic!("ws: {e}\n{}", broker.log()));
    assert_eq!(rc, 0);
    mqtt.publish_qos1("fixture/big", &payload, true)
        .unwrap_or_else(|e| panic!("2 MiB publish over ws: {e}\n{}", broker.log()));
    let got = sub_one(&broker, "fixture/big");
    assert_eq!(got.len(), payload.len() + 1, "2 MiB retained message");
}

#[test]
fn wss_listeners_check_certificates() {
    let broker = Broker::start();
    let pki = broker.pki();

    let port = broker.wss_port();
    let stream = tls(port, tls_config(broker.ca_pem(), None));
    let (_, rc) = Mqtt::connect(Box::new(stream), port, "/mqtt", "fixture-wss", None)
        .unwrap_or_else(|e| panic!("wss with the test CA: {e}\n{}", broker.log()));
    assert_eq!(rc, 0);

    let stream = tls(port, tls_config(broker.wrong_ca_pem(), None));
    let err = Mqtt::connect(Box::new(stream), port, "/mqtt", "fixture-wrong-ca", None)
        .err()
        .expect("wss trusting only the wrong CA must fail");
    assert!(
        format!("{err:?}").contains("UnknownIssuer"),
        "unexpected error for the wrong CA: {err:?}"
    );

    let port = broker.wss_mtls_port();
    let with_cert = tls_config(
        broker.ca_pem(),
        Some((broker.client_cert_pem(), broker.client_key_pem())),
    );
    let (_, rc) = Mqtt::connect(Box::new(tls(port, with_cert)), port, "/mqtt", "mtls", None)
        .unwrap_or_else(|e| panic!("mTLS with the client cert: {e}\n{}", broker.log()));
    assert_eq!(rc, 0);
    let no_cert = tls_config(broker.ca_pem(), None);
    assert!(
        Mqtt::connect(Box::new(tls(port, no_cert)), port, "/mqtt", "no-cert", None).is_err(),
        "the mTLS listener must refuse a client without certificate"
    );
    // The files hold the same PEM as the accessors.
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    assert_eq!(read(broker.ca_pem_path()), pki.ca_pem);
    assert_eq!(read(broker.wrong_ca_pem_path()), pki.wrong_ca_pem);
    assert_eq!(read(broker.client_cert_path()), pki.client_cert_pem);
    assert_eq!(read(broker.client_key_path()), pki.client_key_pem);
}

#[test]
fn password_listeners_accept_only_configured_users() {
    let broker = Broker::start_with(
        BrokerConfig::new()
            .password(ODD_USER, ODD_PASS)
            .password("plain", "secret"),
    );
    let port = broker.ws_auth_port();
    let connect = |login| {
        Mqtt::connect(Box::new(tcp(port)), port, "/mqtt", "fixture-auth", login)
            .map(|(_, rc)| rc)
            .unwrap_or_else(|e| panic!("ws_auth: {e}\n{}", broker.log()))
    };
    assert_eq!(connect(Some((ODD_USER, ODD_PASS))), 0, "odd user accepted");
    assert_eq!(connect(Some(("plain", "secret"))), 0, "plain user accepted");
    assert_eq!(
        connect(Some(("plain", "wrong"))),
        5,
        "wrong password: not authorized"
    );
    assert_eq!(connect(None), 5, "anonymous: not authorized");

    let port = broker.wss_auth_port();
    let config = tls_config(broker.ca_pem(), None);
    let connect = |login| {
        Mqtt::connect(
            Box::new(tls(port, config.clone())),
            port,
            "/",
            "wss-auth",
            login,
        )
        .map(|(_, rc)| rc)
        .unwrap_or_else(|e| panic!("wss_auth: {e}\n{}", broker.log()))
    };
    assert_eq!(connect(Some((ODD_USER, ODD_PASS))), 0);
    assert_eq!(connect(None), 5);
}

#[test]
fn stop_and_start_again_keep_ports_and_persisted_state() {
    let mut broker = Broker::start_with(BrokerConfig::new().persistence(true));
    let ports = broker.ports();
    let first_pid = broker.pid().expect("running");
    pub_retained(&broker, "fixture/persist", "survives restarts");

    broker.stop();
    assert_eq!(broker.pid(), None);
    assert!(!Path::new(&format!("/proc/{first_pid}")).exists());
    assert!(
        TcpStream::connect(("127.0.0.1", ports.tcp)).is_err(),
        "nothing must listen while stopped"
    );
    let db = broker.persistence_path().expect("persistence on");
    assert!(db.exists(), "mosquitto saved {} on SIGTERM", db.display());
    broker.stop(); // idempotent

    broker.start_again();
    assert_eq!(broker.ports(), ports, "same ports after restart");
    assert_ne!(broker.pid(), Some(first_pid));
    for port in ports.all() {
        TcpStream::connect(("127.0.0.1", port)).expect("listening again");
    }
    assert_eq!(
        sub_one(&broker, "fixture/persist"),
        b"survives restarts\n",
        "retained message restored from the database\n{}",
        broker.log()
    );
    let log = broker.log();
    assert_eq!(log.matches(" running\n").count(), 2, "two starts:\n{log}");
    assert!(log.contains("restarting on the same ports"), "{log}");
}

#[test]
fn parallel_brokers_get_different_ports() {
    let (a, b) = thread::scope(|s| {
        let a = s.spawn(Broker::start);
        let b = s.spawn(Broker::start);
        (a.join().unwrap(), b.join().unwrap())
    });
    let a_ports: BTreeSet<u16> = a.ports().all().into();
    let b_ports: BTreeSet<u16> = b.ports().all().into();
    assert!(a_ports.is_disjoint(&b_ports), "{a_ports:?} vs {b_ports:?}");
    assert_ne!(a.dir(), b.dir());
}

#[test]
fn certificates_verify_with_openssl() {
    let broker = Broker::start();
    let verify = |ca: &Path, cert: &Path, purpose: &str| {
        run(
            Command::new("openssl")
                .arg("verify")
                .args(["-purpose", purpose])
                .arg("-CAfile")
                .arg(ca)
                .arg(cert),
            CMD_LIMIT,
        )
    };
    let server = broker.server_cert_path();
    let client = broker.client_cert_path();
    assert_success(
        &verify(broker.ca_pem_path(), server, "sslserver"),
        "verify server",
    );
    assert_success(
        &verify(broker.ca_pem_path(), client, "sslclient"),
        "verify client",
    );
    assert!(
        !verify(broker.wrong_ca_pem_path(), server, "sslserver")
            .status
            .success()
    );
    assert!(
        !verify(broker.wrong_ca_pem_path(), client, "sslclient")
            .status
            .success()
    );

    let out = run(
        Command::new("openssl")
            .args(["x509", "-noout", "-ext", "subjectAltName", "-in"])
            .arg(server),
        CMD_LIMIT,
    );
    assert_success(&out, "openssl x509");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("IP Address:127.0.0.1"), "{text}");
    assert!(text.contains("DNS:localhost"), "{text}");
}

#[test]
fn drop_kills_and_reaps_mosquitto() {
    let broker = Broker::start();
    let pid = broker.pid().expect("running");
    let proc_dir = format!("/proc/{pid}");
    let dir = broker.dir().to_path_buf();
    assert!(Path::new(&proc_dir).exists());
    drop(broker);
    assert!(!Path::new(&proc_dir).exists(), "{proc_dir} still exists");
    assert!(!dir.exists(), "{} not removed", dir.display());
}

/// Starts the binary and returns it with its JSON line (read with a deadline).
fn start_binary(args: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mqttws-test-broker"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn mqttws-test-broker");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(15))
        .expect("mqttws-test-broker printed no JSON line within 15 s");
    (child, line)
}

fn json_number(json: &str, key: &str) -> u32 {
    let pat = format!("\"{key}\":");
    let start = json
        .find(&pat)
        .unwrap_or_else(|| panic!("{key} missing in {json}"))
        + pat.len();
    let digits: String = json[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("{key} is not a number in {json}"))
}

fn check_json(json: &str) {
    for key in [
        "pid",
        "dir",
        "host",
        "tcp_port",
        "ws_port",
        "wss_port",
        "wss_mtls_port",
        "ws_auth_port",
        "wss_auth_port",
        "ws_url",
        "wss_url",
        "wss_mtls_url",
        "ws_auth_url",
        "wss_auth_url",
        "ca_pem_path",
        "wrong_ca_pem_path",
        "server_cert_path",
        "client_cert_path",
        "client_key_path",
        "config_path",
        "persistence",
        "persistence_path",
        "users",
    ] {
        assert!(
            json.contains(&format!("\"{key}\":")),
            "{key} missing in {json}"
        );
    }
    // Validate the hand-written JSON with a real parser when python3 is around.
    let python = Command::new("python3")
        .args([
            "-c",
            "import json,sys; d=json.loads(sys.stdin.read()); \
             assert d['ws_url'].startswith('ws://127.0.0.1:'), d; \
             assert d['users'] == ['dev;1&x/y?z=w', 'a\"b'], d['users']",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    match python {
        Ok(mut child) => {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(json.as_bytes())
                .unwrap();
            let out = wait_child(child, "python3 json check", CMD_LIMIT);
            assert_success(&out, "python3 json.loads of the binary's line");
        }
        Err(e) => eprintln!("python3 not available ({e}); JSON checked by key only"),
    }
}

/// Waits for the binary to exit within `limit`; returns how long it took.
fn wait_exit(child: std::process::Child, limit: Duration) -> Duration {
    let start = Instant::now();
    let out = wait_child(child, "mqttws-test-broker", limit);
    assert!(
        out.status.success(),
        "mqttws-test-broker exited with {}",
        out.status
    );
    start.elapsed()
}

#[test]
fn binary_prints_json_and_stops_when_stdin_closes() {
    let (mut child, json) =
        start_binary(&["--user", "dev;1&x/y?z=w", "secret", "--password", "a\"b=pw"]);
    check_json(&json);
    let pid = json_number(&json, "pid");
    let ws_port = json_number(&json, "ws_port") as u16;
    assert!(json.contains(&format!("\"ws_url\":\"ws://127.0.0.1:{ws_port}/mqtt\"")));
    TcpStream::connect(("127.0.0.1", ws_port)).expect("ws port open");
    drop(child.stdin.take()); // EOF
    let took = wait_exit(child, Duration::from_secs(10));
    assert!(took < Duration::from_secs(4), "graceful stop took {took:?}");
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "mosquitto {pid} still alive"
    );
    assert!(TcpStream::connect(("127.0.0.1", ws_port)).is_err());
}

#[test]
fn binary_stops_on_sigterm() {
    let (mut child, json) = start_binary(&["--persistence"]);
    let stdin = child.stdin.take();
    let pid = json_number(&json, "pid");
    assert!(json.contains("\"persistence\":true"), "{json}");
    // SAFETY: kill(2) has no memory-safety preconditions; the child is not reaped yet.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    // stdin stays open (held by `child`): only the signal can stop it. A graceful stop
    // (SIGTERM reaching mosquitto) is fast; the SIGKILL fallback would take 5 s.
    let took = wait_exit(child, Duration::from_secs(10));
    drop(stdin);
    assert!(took < Duration::from_secs(4), "graceful stop took {took:?}");
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "mosquitto {pid} still alive"
    );
}

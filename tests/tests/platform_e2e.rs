//! Cloud platform signers end to end: the client connects to a real mosquitto
//! with the Tencent and Alibaba credential providers (URL overridden to the
//! local broker), keepalive ranges are enforced before any network I/O, and
//! credentials are signed afresh at every connection attempt.
//!
//! mosquitto cannot check a cloud signature, but it can check a password
//! file: each test computes the user name and password the signer produces
//! for fixed inputs (Tencent connid and expiry, Alibaba timestamp), puts them
//! in the broker's password file, and connects with the provider itself. A
//! signer that drifts from its own fixed-input output, or a client that does
//! not send what the provider returned, fails the connection.
//!
//! Every wait is bounded: client deadlines are short, `recv` takes a timeout,
//! the scripted TLS server's sockets have read timeouts, and broker logs are
//! read after [`Broker::stop`], which waits (at most 5 s) for mosquitto to
//! exit, so the log is complete without sleeping.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mqttws::auth::aliyun::{self, AliyunDevice};
use mqttws::auth::aws::AwsSigV4;
use mqttws::auth::azure::AzureDevice;
use mqttws::auth::huawei::HuaweiDevice;
use mqttws::auth::tencent::{self, Expiry, TencentDevice};
use mqttws::auth::{CredentialProvider, Credentials, Scheme};
use mqttws::{Client, ClientOptions, ConnectReturnCode, Error, ErrorKind, QoS};
use mqttws_tests::{Broker, BrokerConfig, TestPki, unique};

const WAIT: Option<Duration> = Some(Duration::from_secs(10));

/// Tencent test device (the reference's vector identity).
const PRODUCT_ID: &str = "ABCDEFGHIJ";
const DEVICE_NAME: &str = "dev001";
/// Bytes 00..0f.
const PSK: &str = "AAECAwQFBgcICQoLDA0ODw==";
/// Another valid 16-byte key: bytes 10..1f.
const WRONG_PSK: &str = "EBESExQVFhcYGRobHB0eHw==";
const CONNID: &str = "abcde";
/// 2100-01-01T00:00:00Z: a fixed expiry that stays in the future.
const EXPIRY: u64 = 4_102_444_800;

/// Alibaba test device.
const PRODUCT_KEY: &str = "a1B2c3D4e5F";
const ALIYUN_DEVICE: &str = "dev002";
const DEVICE_SECRET: &str = "kS3cr3tV4lue0123456789abcdefABCD";

fn options(url: &str, provider: Arc<dyn CredentialProvider>) -> ClientOptions {
    ClientOptions::new(url)
        .credential_provider(provider)
        .connect_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(10))
}

fn tencent_device(psk: &str) -> TencentDevice {
    TencentDevice::with_psk(PRODUCT_ID, DEVICE_NAME, psk)
        .connid(CONNID)
        .expiry(Expiry::At(EXPIRY))
}

fn aliyun_device(secret: &str) -> AliyunDevice {
    AliyunDevice::new(PRODUCT_KEY, ALIYUN_DEVICE, secret)
        .timestamp(aliyun::Timestamp::Fixed(aliyun::FIXED_TIMESTAMP_MS))
}

fn login(c: &Credentials) -> (String, String) {
    (
        c.username.clone().expect("the signer sets a user name"),
        c.password.clone().expect("the signer sets a password"),
    )
}

/// Connects, subscribes, publishes at QoS 1 and receives the message back.
fn round_trip(o: ClientOptions) {
    let c = Client::new(o).expect("client options are valid");
    c.connect().expect("connect with the platform credentials");
    let topic = unique("platform");
    assert_eq!(
        c.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap(),
        vec![Some(QoS::AtLeastOnce)]
    );
    c.publish_and_wait(&topic, "signed", QoS::AtLeastOnce, false)
        .unwrap();
    let m = c.recv(WAIT).unwrap().expect("the message comes back");
    assert_eq!(
        (m.topic.as_str(), &m.payload[..]),
        (topic.as_str(), &b"signed"[..])
    );
    c.disconnect().unwrap();
}

/// mosquitto's "New client connected" lines (connection_messages true), read
/// after stopping the broker so that the log is complete.
fn connected_lines(broker: &mut Broker) -> Vec<String> {
    broker.stop();
    broker
        .log()
        .lines()
        .filter(|l| l.contains("New client connected"))
        .map(str::to_owned)
        .collect()
}

/// A port on which nothing listens (bound, then released).
fn dead_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn tencent_psk_device_connects_over_ws_and_wss_and_round_trips() {
    let device = tencent_device(PSK);
    let creds = device.credentials(SystemTime::now()).unwrap();
    let (user, pass) = login(&creds);
    let client_id = format!("{PRODUCT_ID}{DEVICE_NAME}");
    assert_eq!(creds.client_id, client_id);
    assert_eq!(user, format!("{client_id};12010126;{CONNID};{EXPIRY}"));
    assert!(pass.ends_with(";hmacsha256"), "{pass}");
    let mut b = Broker::start_with(BrokerConfig::new().password(&user, &pass));

    round_trip(options(
        &b.ws_auth_url("/mqtt"),
        Arc::new(device.clone().scheme(Scheme::Ws)),
    ));
    round_trip(
        options(
            &b.wss_auth_url("/mqtt"),
            Arc::new(device.clone().scheme(Scheme::Wss)),
        )
        .ca_file(b.ca_pem_path()),
    );

    let lines = connected_lines(&mut b);
    let expected = format!(" as {client_id} (p2, c1, k60, u'{user}')");
    assert_eq!(
        lines.iter().filter(|l| l.contains(&expected)).count(),
        2,
        "one ws and one wss connection as {expected}; got:\n{}",
        lines.join("\n")
    );
}

#[test]
fn tencent_wrong_psk_is_refused_with_the_connack_code() {
    let (user, pass) = login(&tencent_device(PSK).credentials(SystemTime::now()).unwrap());
    let b = Broker::start_with(BrokerConfig::new().password(&user, &pass));
    let wrong = tencent_device(WRONG_PSK);
    let (wrong_user, wrong_pass) = login(&wrong.credentials(SystemTime::now()).unwrap());
    assert_eq!(wrong_user, user, "same identity, connid and expiry");
    assert_ne!(wrong_pass, pass, "another key signs differently");

    for (url, tls) in [
        (b.ws_auth_url("/mqtt"), false),
        (b.wss_auth_url("/mqtt"), true),
    ] {
        let mut o = options(&url, Arc::new(wrong.clone()));
        if tls {
            o = o.ca_file(b.ca_pem_path());
        }
        let c = Client::new(o).unwrap();
        let err = c.connect().unwrap_err();
        // mosquitto 2.0 answers a bad password on MQTT 3.1.1 with 5, not 4.
        assert!(
            matches!(
                err,
                Error::ConnectionRefused {
                    code: ConnectReturnCode::NotAuthorized,
                    ..
                }
            ),
            "{url}: {err:?}"
        );
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        assert_eq!(
            err.to_string(),
            "connection refused by the broker: not authorized (code 5)"
        );
        assert!(!c.is_connected());
    }
}

#[test]
fn aliyun_device_connects_over_ws_and_wss_with_the_scheme_in_the_client_id() {
    let ws = aliyun_device(DEVICE_SECRET).scheme(Scheme::Ws);
    let wss = aliyun_device(DEVICE_SECRET).scheme(Scheme::Wss);
    let now = SystemTime::now();
    let (ws_creds, wss_creds) = (ws.credentials(now).unwrap(), wss.credentials(now).unwrap());
    let ts = aliyun::FIXED_TIMESTAMP_MS;
    let bare = format!("{PRODUCT_KEY}.{ALIYUN_DEVICE}");
    assert_eq!(
        ws_creds.client_id,
        format!("{bare}|securemode=3,signmethod=hmacsha256,timestamp={ts}|")
    );
    assert_eq!(
        wss_creds.client_id,
        format!("{bare}|securemode=2,signmethod=hmacsha256,timestamp={ts}|")
    );
    // securemode is not signed: one password-file entry serves both schemes.
    assert_eq!(login(&ws_creds), login(&wss_creds));
    let (user, pass) = login(&ws_creds);
    assert_eq!(user, format!("{ALIYUN_DEVICE}&{PRODUCT_KEY}"));
    assert_eq!(pass.len(), 64, "hex HMAC-SHA256");
    let mut b = Broker::start_with(BrokerConfig::new().password(&user, &pass));

    round_trip(options(&b.ws_auth_url("/"), Arc::new(ws)));
    round_trip(options(&b.wss_auth_url("/"), Arc::new(wss)).ca_file(b.ca_pem_path()));

    let lines = connected_lines(&mut b);
    for id in [&ws_creds.client_id, &wss_creds.client_id] {
        let expected = format!(" as {id} (p2, c1, k60, u'{user}')");
        assert!(
            lines.iter().any(|l| l.contains(&expected)),
            "no connection as {expected}; got:\n{}",
            lines.join("\n")
        );
    }
}

#[test]
fn aliyun_wrong_device_secret_is_refused_with_the_connack_code() {
    let (user, pass) = login(
        &aliyun_device(DEVICE_SECRET)
            .credentials(SystemTime::now())
            .unwrap(),
    );
    let b = Broker::start_with(BrokerConfig::new().password(&user, &pass));
    let wrong = aliyun_device("not-the-device-secret").scheme(Scheme::Ws);
    let c = Client::new(options(&b.ws_auth_url("/"), Arc::new(wrong))).unwrap();
    let err = c.connect().unwrap_err();
    assert!(
        matches!(
            err,
            Error::ConnectionRefused {
                code: ConnectReturnCode::NotAuthorized,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains("not-the-device-secret"), "{err}");
}

/// A platform's provider, keepalives outside its range (low and high where
/// there is a low bound), one inside, and the range as errors print it.
struct KeepaliveCase {
    platform: &'static str,
    provider: Arc<dyn CredentialProvider>,
    outside: Vec<u16>,
    inside: u16,
    range: &'static str,
}

fn keepalive_cases(port: u16) -> Vec<KeepaliveCase> {
    let case = |platform, provider, outside, inside, range| KeepaliveCase {
        platform,
        provider,
        outside,
        inside,
        range,
    };
    let aws = AwsSigV4::new(
        "127.0.0.1",
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    )
    .port(port)
    .region("us-east-1")
    .client_id("thing-1");
    vec![
        case(
            "tencent",
            Arc::new(tencent_device(PSK)),
            vec![901, u16::MAX],
            900,
            "0..=900",
        ),
        case(
            "aliyun",
            Arc::new(aliyun_device(DEVICE_SECRET)),
            vec![0, 29, 1201],
            30,
            "30..=1200",
        ),
        case("aws", Arc::new(aws), vec![0, 1201], 1200, "1..=1200"),
        case(
            "azure",
            Arc::new(AzureDevice::new("myhub.azure-devices.net", "dev001", PSK)),
            vec![0, 1741],
            1740,
            "1..=1740",
        ),
        case(
            "huawei",
            Arc::new(HuaweiDevice::new("127.0.0.1", "dev001", "mySecret123")),
            vec![29, 1201],
            1200,
            "30..=1200",
        ),
    ]
}

#[test]
fn keepalive_out_of_the_platform_range_fails_in_connect_before_any_network_io() {
    // Nothing listens on `port`: any network I/O would end in an Io error.
    let port = dead_port();
    let url = format!("ws://127.0.0.1:{port}/mqtt");
    for KeepaliveCase {
        platform,
        provider,
        outside,
        inside,
        range,
    } in keepalive_cases(port)
    {
        for keepalive in outside {
            let c = Client::new(options(&url, provider.clone()).keepalive(keepalive)).unwrap();
            let err = c.connect().unwrap_err();
            assert_eq!(
                err.kind(),
                ErrorKind::InvalidArgument,
                "{platform} k={keepalive}: {err}"
            );
            let text = err.to_string();
            assert!(
                text.contains(&format!("keepalive {keepalive} s")) && text.contains(range),
                "{platform}: the error names the value and the range {range}: {text}"
            );
            assert!(!c.is_connected());
        }
        // Inside the range the same client goes to the network and fails
        // there: the keepalive check, not the dead port, made the difference.
        let c = Client::new(options(&url, provider).keepalive(inside)).unwrap();
        let err = c.connect().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io, "{platform} k={inside}: {err}");
    }
    // The builders' own check names the platform too.
    let err = aliyun_device(DEVICE_SECRET)
        .validate_keepalive(10)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid argument: keepalive 10 s is outside Alibaba IoT Platform's allowed range 30..=1200 s"
    );
    assert!(
        tencent_device(PSK)
            .validate_keepalive(tencent::KEEPALIVE_RANGE.1 + 1)
            .is_err()
    );
}

/// A provider that records every set of credentials it hands out.
struct Recording<P> {
    inner: P,
    seen: Mutex<Vec<Credentials>>,
}

impl<P: CredentialProvider> CredentialProvider for Recording<P> {
    fn credentials(&self, now: SystemTime) -> mqttws::Result<Credentials> {
        let c = self.inner.credentials(now)?;
        self.seen.lock().unwrap().push(c.clone());
        Ok(c)
    }

    fn keepalive_range(&self) -> Option<(u16, u16)> {
        self.inner.keepalive_range()
    }
}

#[test]
fn tencent_reconnect_signs_again_with_a_new_random_connid() {
    // The anonymous ws listener accepts any user name, and logs it.
    let mut b = Broker::start();
    let provider = Arc::new(Recording {
        inner: TencentDevice::with_psk(PRODUCT_ID, DEVICE_NAME, PSK),
        seen: Mutex::new(Vec::new()),
    });
    let c = Client::new(options(&b.ws_url("/mqtt"), provider.clone())).unwrap();
    c.connect().unwrap();
    c.disconnect().unwrap();
    c.connect().unwrap();
    c.disconnect().unwrap();

    let users: Vec<String> = provider
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|c| c.username.clone().unwrap())
        .collect();
    assert_eq!(users.len(), 2, "one signature per attempt");
    let connids: Vec<&str> = users.iter().map(|u| u.split(';').nth(2).unwrap()).collect();
    assert_ne!(
        connids[0], connids[1],
        "a fresh random connid per attempt: {users:?}"
    );
    for connid in &connids {
        assert!(
            connid.len() == 5 && connid.bytes().all(|b| b.is_ascii_alphanumeric()),
            "{connid}"
        );
    }
    let lines = connected_lines(&mut b);
    for user in &users {
        assert!(
            lines.iter().any(|l| l.contains(&format!(
                " as {PRODUCT_ID}{DEVICE_NAME} (p2, c1, k60, u'{user}')"
            ))),
            "the broker saw {user}; log:\n{}",
            lines.join("\n")
        );
    }
}

/// A TLS server (certificate for 127.0.0.1 from `pki`) that accepts `n`
/// connections one after the other, sends each upgrade request's head on
/// the channel and answers like AWS IoT refusing a signature: HTTP 403.
fn scripted_tls_server(pki: &TestPki, n: usize) -> (u16, mpsc::Receiver<String>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    let certs = CertificateDer::pem_slice_iter(pki.server_cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(pki.server_key_pem.as_bytes()).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for _ in 0..n {
            let Ok((sock, _)) = listener.accept() else {
                return;
            };
            sock.set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            sock.set_write_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, sock);
            let mut reader = BufReader::new(&mut tls);
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let _ = tx.send(head);
            let body = r#"{"message":"Forbidden","traceId":"scripted"}"#;
            let _ = write!(
                tls,
                "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    (port, rx)
}

#[test]
fn aws_sigv4_is_presigned_again_at_each_attempt_with_the_injected_clock() {
    let pki = TestPki::generate();
    let (port, heads) = scripted_tls_server(&pki, 2);
    let signer = AwsSigV4::new(
        "127.0.0.1",
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    )
    .port(port)
    .region("us-east-1")
    .client_id("thing-1");
    // 2015-08-30T12:36:00Z (the reference vector's time), then 90 s later.
    let t1 = 1_440_938_160;
    let clock_secs = Arc::new(AtomicU64::new(t1));
    let clock = clock_secs.clone();
    let o = options(
        &format!("wss://127.0.0.1:{port}/mqtt"),
        Arc::new(signer.clone()),
    )
    .ca_pem(pki.ca_pem.clone())
    .wall_clock(Arc::new(move || {
        UNIX_EPOCH + Duration::from_secs(clock.load(Ordering::SeqCst))
    }));
    let c = Client::new(o).unwrap();

    let mut request_lines = Vec::new();
    for (secs, amz_date) in [(t1, "20150830T123600Z"), (t1 + 90, "20150830T123730Z")] {
        clock_secs.store(secs, Ordering::SeqCst);
        match c.connect().unwrap_err() {
            Error::Handshake {
                status: Some(403),
                body,
                ..
            } => assert!(body.contains("Forbidden"), "{body}"),
            other => panic!("expected the scripted HTTP 403, got {other:?}"),
        }
        let head = heads
            .recv_timeout(Duration::from_secs(10))
            .expect("the upgrade request");
        let line = head.lines().next().unwrap().to_owned();
        assert!(line.contains(&format!("&X-Amz-Date={amz_date}&")), "{line}");
        // Exactly the URL the signer computes for that instant, signed host included.
        let presigned = signer
            .presigned_url(UNIX_EPOCH + Duration::from_secs(secs))
            .unwrap();
        let path = presigned
            .strip_prefix(&format!("wss://127.0.0.1:{port}"))
            .unwrap();
        assert_eq!(line, format!("GET {path} HTTP/1.1"));
        assert!(
            head.contains(&format!("Host: 127.0.0.1:{port}\r\n")),
            "{head}"
        );
        request_lines.push(line);
    }
    assert_ne!(
        request_lines[0], request_lines[1],
        "a new date and signature per attempt"
    );
}

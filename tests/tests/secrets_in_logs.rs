//! No secret reaches any log, at any level, from any crate: a logger that
//! records everything at trace level is installed for the whole process, the
//! client connects over ws and wss with a password and with a platform
//! signer, publishes and disconnects, and the captured text must not contain
//! the secret, its hex (upper or lower case) or its base64.
//!
//! One test per file: a logger is global to the process.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use log::{LevelFilter, Log, Metadata, Record};
use mqttws::auth::tencent::{Expiry, TencentDevice};
use mqttws::auth::{CredentialProvider, Scheme};
use mqttws::{Client, ClientOptions, QoS};
use mqttws_tests::{Broker, BrokerConfig, unique};

struct Capture(Mutex<String>);

impl Log for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &Record<'_>) {
        let mut s = self.0.lock().unwrap();
        s.push_str(&format!(
            "{} {} {}\n",
            record.level(),
            record.target(),
            record.args()
        ));
    }

    fn flush(&self) {}
}

static CAPTURE: Capture = Capture(Mutex::new(String::new()));

/// Every spelling of `secret` a log line could carry.
fn spellings(secret: &str) -> Vec<String> {
    let b = secret.as_bytes();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    vec![
        secret.to_owned(),
        format!("{:?}", secret).trim_matches('"').to_owned(),
        hex.clone(),
        hex.to_uppercase(),
        base64::engine::general_purpose::STANDARD.encode(b),
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(b),
    ]
}

fn assert_absent(secret: &str, what: &str) {
    let logs = CAPTURE.0.lock().unwrap();
    for s in spellings(secret) {
        assert!(
            !logs.contains(&s),
            "{what} ({s}) appears in the log:\n{}",
            logs.lines()
                .filter(|l| l.contains(&s))
                .take(3)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

fn exercise(options: ClientOptions) {
    let c = Client::new(options).unwrap();
    c.connect().expect("connect");
    let topic = unique("secrets");
    c.subscribe(&[(&topic, QoS::AtLeastOnce)]).unwrap();
    c.publish_and_wait(&topic, "hello", QoS::AtLeastOnce, false)
        .unwrap();
    assert!(c.recv(Some(Duration::from_secs(5))).unwrap().is_some());
    c.disconnect().unwrap();
}

#[test]
fn no_password_or_signature_reaches_a_trace_logger_over_ws_or_wss() {
    log::set_logger(&CAPTURE).unwrap();
    log::set_max_level(LevelFilter::Trace);

    // A password user, and the password the Tencent signer computes now.
    let password = "p4ss-W0rd-that-must-never-be-logged";
    let device = TencentDevice::with_psk("ABCDEFGHIJ", "dev001", "AAECAwQFBgcICQoLDA0ODw==")
        .connid("abcde")
        .expiry(Expiry::At(4_102_444_800));
    let signed = device
        .credentials_for(SystemTime::now(), Scheme::Ws)
        .unwrap();
    let (user, signature) = (signed.username.unwrap(), signed.password.unwrap());
    let b = Broker::start_with(
        BrokerConfig::new()
            .password("alice", password)
            .password(user.as_str(), signature.as_str()),
    );
    let ca = b.ca_pem().to_owned();
    for url in [b.ws_auth_url("/mqtt"), b.wss_auth_url("/mqtt")] {
        exercise(
            ClientOptions::new(url.as_str())
                .ca_pem(ca.as_str())
                .credentials("alice", password),
        );
        exercise(
            ClientOptions::new(url.as_str())
                .ca_pem(ca.as_str())
                .credential_provider(Arc::new(device.clone())),
        );
    }
    let captured = CAPTURE.0.lock().unwrap().len();
    assert!(
        captured > 1000,
        "the logger saw the traffic ({captured} bytes)"
    );
    assert_absent(password, "the password");
    assert_absent(&signature, "the Tencent signature");
    assert_absent("AAECAwQFBgcICQoLDA0ODw==", "the PSK");
    let _ = UNIX_EPOCH;
}

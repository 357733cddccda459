//! The `mqttws` binary end to end, against a real mosquitto.
//!
//! Synchronisation between `sub` and `pub`: `sub -d` prints
//! "mqttws: subscribed to FILTER (QoS n)" on stderr once SUBACK has arrived,
//! and the tests start `pub` only after reading that line. (Retaining the
//! message would also make the order irrelevant, but it would leave state in
//! the broker and would not test the plain live-delivery path.)
//!
//! Every wait is bounded: `sub` runs with `-W`, `pub` has its own 10 s
//! default, and each child is read on helper threads and waited for with a
//! channel timeout; a child still running when a test ends (or panics) is
//! killed by its guard.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use mqttws::auth::aliyun::{self, AliyunDevice};
use mqttws::auth::tencent::{Expiry, TencentDevice};
use mqttws_tests::{Broker, BrokerConfig};

/// Upper bound for any child process.
const LIMIT: Duration = Duration::from_secs(30);

const SECRET_ENV: [&str; 6] = [
    "MQTTWS_PSK",
    "MQTTWS_DEVICE_SECRET",
    "MQTTWS_DEVICE_KEY",
    "MQTTWS_SECRET_ACCESS_KEY",
    "MQTTWS_SESSION_TOKEN",
    "MQTTWS_PASSWORD",
];

const PRODUCT_ID: &str = "ABCDEFGHIJ";
const PSK: &str = "AAECAwQFBgcICQoLDA0ODw==";
/// Valid base64, wrong key.
const WRONG_PSK: &str = "EBESExQVFhcYGRobHB0eHw==";
const CONNID: &str = "xYz09";
/// 2100-01-01T00:00:00Z.
const EXPIRY: u64 = 4_102_444_800;

const PRODUCT_KEY: &str = "a1B2c3D4e5F";
const DEVICE_SECRET: &str = "kS3cr3tV4lue0123456789abcdefABCD";

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}/{}/{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The binary, with no secret inherited from the test's environment.
fn mqttws() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mqttws"));
    for var in SECRET_ENV {
        cmd.env_remove(var);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// A running child, read on helper threads; killed on drop if still running.
struct Proc {
    what: String,
    child: Child,
    stdout: Receiver<Vec<u8>>,
    stderr: Receiver<String>,
    stderr_seen: Vec<String>,
}

/// What a finished child left.
struct Finished {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Proc {
    fn spawn(cmd: &mut Command) -> Proc {
        let what = format!("{cmd:?}");
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
        let mut out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        let (out_tx, stdout) = mpsc::channel();
        thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = out.read_to_end(&mut buf);
            let _ = out_tx.send(buf);
        });
        let (err_tx, stderr) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                if err_tx.send(line).is_err() {
                    break;
                }
            }
        });
        Proc {
            what,
            child,
            stdout,
            stderr,
            stderr_seen: Vec::new(),
        }
    }

    /// Waits (bounded) for a stderr line equal to `wanted`.
    fn wait_for_stderr_line(&mut self, wanted: &str) {
        let deadline = Instant::now() + LIMIT;
        loop {
            match self
                .stderr
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => {
                    let done = line == wanted;
                    self.stderr_seen.push(line);
                    if done {
                        return;
                    }
                }
                Err(e) => panic!(
                    "{}: no stderr line {wanted:?} ({}); stderr so far:\n{}",
                    self.what,
                    match e {
                        RecvTimeoutError::Timeout => "timed out",
                        RecvTimeoutError::Disconnected => "stderr closed",
                    },
                    self.stderr_seen.join("\n")
                ),
            }
        }
    }

    /// Waits (bounded) for the child to exit; its output streams close then.
    fn finish(mut self) -> Finished {
        let deadline = Instant::now() + LIMIT;
        let stdout = self
            .stdout
            .recv_timeout(LIMIT)
            .unwrap_or_else(|_| panic!("{}: still running after {LIMIT:?}; killed", self.what));
        loop {
            match self
                .stderr
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => self.stderr_seen.push(line),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    panic!("{}: stderr still open after {LIMIT:?}", self.what)
                }
            }
        }
        // Both pipes are closed: the process has exited, so this returns at once.
        let status = self.child.wait().unwrap();
        let mut stderr = self.stderr_seen.join("\n");
        if !stderr.is_empty() {
            stderr.push('\n');
        }
        Finished {
            status,
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr,
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        // Not reaped before `finish` waited, so the pid is still this child's.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(cmd: &mut Command) -> Finished {
    Proc::spawn(cmd).finish()
}

impl Finished {
    fn code(&self) -> Option<i32> {
        self.status.code()
    }

    fn describe(&self) -> String {
        format!(
            "status {}\nstdout: {}\nstderr: {}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// The user name and password of a Tencent device with fixed connid and expiry.
fn tencent_login(device_name: &str, psk: &str) -> (String, String) {
    let c = TencentDevice::with_psk(PRODUCT_ID, device_name, psk)
        .connid(CONNID)
        .expiry(Expiry::At(EXPIRY))
        .credentials(SystemTime::now())
        .unwrap();
    (c.username.unwrap(), c.password.unwrap())
}

/// The user name and password of an Alibaba device with the fixed timestamp.
fn aliyun_login(device_name: &str) -> (String, String) {
    let c = AliyunDevice::new(PRODUCT_KEY, device_name, DEVICE_SECRET)
        .timestamp(aliyun::Timestamp::Fixed(aliyun::FIXED_TIMESTAMP_MS))
        .credentials(SystemTime::now())
        .unwrap();
    (c.username.unwrap(), c.password.unwrap())
}

fn tencent_args<'a>(cmd: &'a mut Command, url: &str, device_name: &str) -> &'a mut Command {
    cmd.args([
        "--platform",
        "tencent",
        "--url",
        url,
        "--product-id",
        PRODUCT_ID,
    ])
    .args([
        "--device-name",
        device_name,
        "--connid",
        CONNID,
        "--expiry",
        &EXPIRY.to_string(),
    ])
}

fn aliyun_args<'a>(cmd: &'a mut Command, url: &str, device_name: &str) -> &'a mut Command {
    cmd.args([
        "--platform",
        "aliyun",
        "--url",
        url,
        "--product-key",
        PRODUCT_KEY,
    ])
    .args([
        "--device-name",
        device_name,
        "--timestamp",
        &aliyun::FIXED_TIMESTAMP_MS.to_string(),
    ])
}

fn dead_url() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("ws://127.0.0.1:{port}/mqtt")
}

#[test]
fn help_lists_every_subcommand_platform_flag_and_exit_code_without_secret_values() {
    let secret = "h3lp-must-not-show-this";
    let mut cmd = mqttws();
    for var in SECRET_ENV {
        cmd.env(var, secret);
    }
    let top = run(cmd.arg("--help"));
    assert_eq!(top.code(), Some(0), "{}", top.describe());
    for needle in [
        "sub ",
        "pub ",
        "Exit codes:",
        "1  usage",
        "2  connection",
        "3  refused",
        "4  timeout",
        "MQTTWS_PSK",
        "mqttws sub --platform tencent",
        "mqttws pub --platform aliyun",
    ] {
        assert!(
            top.stdout.contains(needle),
            "top-level help lacks {needle:?}:\n{}",
            top.stdout
        );
    }
    assert!(!top.stdout.contains(secret));

    let flags = [
        "--url",
        "--platform",
        "--scheme",
        "--cafile",
        "--cert",
        "--key ",
        "--insecure",
        "--client-id",
        "--username",
        "--password",
        "--keepalive",
        "--timeout",
        "--debug",
        "--product-id",
        "--device-name",
        "--psk",
        "--key-file",
        "--region",
        "--sign-method",
        "--connid",
        "--expiry",
        "--product-key",
        "--device-secret",
        "--instance",
        "--timestamp",
        "--host",
        "--port",
        "--access-key-id",
        "--secret-access-key",
        "--session-token",
        "--hub",
        "--device-id",
        "--device-key",
        "tencent",
        "aliyun",
        "aws",
        "azure",
        "huawei",
    ];
    let sub_only = [
        "--topic <FILTER>",
        "--count",
        "--verbose",
        "-C,",
        "-v,",
        "-W,",
        "-q,",
    ];
    let pub_only = [
        "--topic <TOPIC>",
        "--message",
        "--file",
        "--retain",
        "-m,",
        "-f,",
        "-r,",
        "-q,",
    ];
    for (sub, own) in [("sub", &sub_only[..]), ("pub", &pub_only[..])] {
        let mut cmd = mqttws();
        for var in SECRET_ENV {
            cmd.env(var, secret);
        }
        let help = run(cmd.args([sub, "--help"]));
        assert_eq!(help.code(), Some(0), "{}", help.describe());
        for needle in flags.iter().chain(own) {
            assert!(
                help.stdout.contains(needle),
                "`{sub} --help` lacks {needle:?}:\n{}",
                help.stdout
            );
        }
        for var in SECRET_ENV {
            assert!(
                help.stdout.contains(&format!("[env: {var}")),
                "`{sub} --help` lacks {var}"
            );
        }
        assert!(
            !help.stdout.contains(secret),
            "`{sub} --help` shows a secret:\n{}",
            help.stdout
        );
        assert!(help.stdout.contains("Exit codes:"), "{}", help.stdout);
    }

    let version = run(mqttws().arg("--version"));
    assert_eq!(version.code(), Some(0));
    assert!(version.stdout.starts_with("mqttws "), "{}", version.stdout);
    // No subcommand: help on stderr, usage error.
    let bare = run(&mut mqttws());
    assert_eq!(bare.code(), Some(1), "{}", bare.describe());
}

#[test]
fn tencent_sub_and_pub_round_trip_through_the_broker_with_the_psk_from_the_environment() {
    let (sub_user, sub_pass) = tencent_login("sub001", PSK);
    let (pub_user, pub_pass) = tencent_login("pub001", PSK);
    let b = Broker::start_with(
        BrokerConfig::new()
            .password(sub_user, sub_pass)
            .password(pub_user, pub_pass),
    );
    let url = b.ws_auth_url("/mqtt");
    let topic = unique("tencent");

    let mut cmd = mqttws();
    tencent_args(cmd.arg("sub"), &url, "sub001")
        .args(["-t", &topic, "-q", "1", "-C", "1", "-W", "20", "-v", "-d"])
        .env("MQTTWS_PSK", PSK);
    let mut sub = Proc::spawn(&mut cmd);
    sub.wait_for_stderr_line(&format!("mqttws: subscribed to {topic} (QoS 1)"));

    let mut cmd = mqttws();
    tencent_args(cmd.arg("pub"), &url, "pub001")
        .args(["-t", &topic, "-m", "hello tencent", "-q", "1"])
        .env("MQTTWS_PSK", PSK);
    let published = run(&mut cmd);
    assert_eq!(published.code(), Some(0), "pub: {}", published.describe());
    assert_eq!(published.stdout, "");

    let received = sub.finish();
    assert_eq!(
        received.code(),
        Some(0),
        "sub: {}\nbroker log:\n{}",
        received.describe(),
        b.log()
    );
    assert_eq!(received.stdout, format!("{topic} hello tencent\n"));
}

#[test]
fn aliyun_sub_and_pub_round_trip_over_wss_with_the_secret_from_the_environment() {
    let (sub_user, sub_pass) = aliyun_login("dev-sub");
    let (pub_user, pub_pass) = aliyun_login("dev-pub");
    let mut b = Broker::start_with(
        BrokerConfig::new()
            .password(sub_user, sub_pass)
            .password(pub_user, pub_pass),
    );
    let url = b.wss_auth_url("/");
    let ca = b.ca_pem_path().to_str().unwrap().to_owned();
    let topic = unique("aliyun");

    let mut cmd = mqttws();
    aliyun_args(cmd.arg("sub"), &url, "dev-sub")
        .args(["--cafile", &ca, "-t", &topic, "-C", "1", "-W", "20", "-d"])
        .env("MQTTWS_DEVICE_SECRET", DEVICE_SECRET);
    let mut sub = Proc::spawn(&mut cmd);
    sub.wait_for_stderr_line(&format!("mqttws: subscribed to {topic} (QoS 0)"));

    let mut cmd = mqttws();
    aliyun_args(cmd.arg("pub"), &url, "dev-pub")
        .args(["--cafile", &ca, "-t", &topic, "-m", "hello aliyun", "-d"])
        .env("MQTTWS_DEVICE_SECRET", DEVICE_SECRET);
    let published = run(&mut cmd);
    assert_eq!(published.code(), Some(0), "pub: {}", published.describe());
    assert!(
        published
            .stderr
            .contains(&format!("mqttws: published to {topic} (QoS 0)")),
        "{}",
        published.stderr
    );

    let received = sub.finish();
    assert_eq!(
        received.code(),
        Some(0),
        "sub: {}\nbroker log:\n{}",
        received.describe(),
        b.log()
    );
    assert_eq!(received.stdout, "hello aliyun\n");
    // The securemode follows the URL scheme: wss gives 2. Stopping the
    // broker first makes its log complete.
    b.stop();
    let log = b.log();
    let id = format!(
        "{PRODUCT_KEY}.dev-sub|securemode=2,signmethod=hmacsha256,timestamp={}|",
        aliyun::FIXED_TIMESTAMP_MS
    );
    assert!(
        log.contains(&format!(" as {id} (p2, c1, k60, u'dev-sub&{PRODUCT_KEY}')")),
        "{log}"
    );
}

#[test]
fn a_wrong_secret_exits_3_with_the_connack_refusal_and_never_echoes_the_secret() {
    let (user, pass) = tencent_login("dev001", PSK);
    let (a_user, a_pass) = aliyun_login("dev001");
    let b = Broker::start_with(
        BrokerConfig::new()
            .password(user, pass)
            .password(a_user, a_pass),
    );
    let url = b.ws_auth_url("/mqtt");

    // Tencent, wrong PSK from the environment.
    let mut cmd = mqttws();
    tencent_args(cmd.arg("pub"), &url, "dev001")
        .args(["-t", "t", "-m", "x"])
        .env("MQTTWS_PSK", WRONG_PSK);
    let out = run(&mut cmd);
    assert_eq!(out.code(), Some(3), "{}", out.describe());
    assert_eq!(
        out.stderr,
        "mqttws: connection refused by the broker: not authorized (code 5)\n"
    );

    // Alibaba, wrong secret on the command line.
    let wrong = "Wr0ngDeviceSecretValue";
    let mut cmd = mqttws();
    aliyun_args(cmd.arg("sub"), &url, "dev001").args([
        "--device-secret",
        wrong,
        "-t",
        "t",
        "-W",
        "10",
    ]);
    let out = run(&mut cmd);
    assert_eq!(out.code(), Some(3), "{}", out.describe());
    assert_eq!(
        out.stderr,
        "mqttws: connection refused by the broker: not authorized (code 5)\n"
    );
    assert!(!out.stderr.contains(wrong) && !out.stdout.contains(wrong));
}

#[test]
fn a_psk_that_is_not_base64_exits_1_before_connecting() {
    let bad = "%%n0t-base64-s3cret%%";
    let mut cmd = mqttws();
    // Nothing listens at the URL: exit 1 (not 2) shows nothing was attempted.
    tencent_args(cmd.arg("pub"), &dead_url(), "dev001").args(["--psk", bad, "-t", "t", "-m", "x"]);
    let out = run(&mut cmd);
    assert_eq!(out.code(), Some(1), "{}", out.describe());
    assert_eq!(
        out.stderr,
        "mqttws: credentials error: Tencent IoT Hub: the device PSK is not valid base64 \
         (standard alphabet, with padding)\n"
    );
    assert!(!out.stderr.contains(bad));
}

#[test]
fn a_keepalive_outside_the_platform_range_exits_1_naming_the_range() {
    let mut cmd = mqttws();
    aliyun_args(cmd.arg("pub"), &dead_url(), "dev001")
        .args(["-k", "10", "-t", "t", "-m", "x"])
        .env("MQTTWS_DEVICE_SECRET", DEVICE_SECRET);
    let out = run(&mut cmd);
    assert_eq!(out.code(), Some(1), "{}", out.describe());
    assert_eq!(
        out.stderr,
        "mqttws: invalid argument: keepalive 10 s is outside Alibaba IoT Platform's allowed range 30..=1200 s\n"
    );
    let mut cmd = mqttws();
    tencent_args(cmd.arg("sub"), &dead_url(), "dev001")
        .args(["-k", "901", "-t", "t"])
        .env("MQTTWS_PSK", PSK);
    let out = run(&mut cmd);
    assert_eq!(out.code(), Some(1), "{}", out.describe());
    assert!(out.stderr.contains("0..=900"), "{}", out.stderr);
}

#[test]
fn usage_errors_exit_1_with_a_readable_message() {
    // A flag of another platform.
    let mut cmd = mqttws();
    aliyun_args(cmd.arg("pub"), &dead_url(), "dev001")
        .args(["--psk", PSK, "-t", "t", "-m", "x"])
        .env("MQTTWS_DEVICE_SECRET", DEVICE_SECRET);
    let out = run(&mut cmd);
    assert_eq!(out.code(), Some(1), "{}", out.describe());
    assert_eq!(
        out.stderr,
        "mqttws: --psk does not apply to --platform aliyun (it is for --platform tencent)\n"
    );
    // A missing identity.
    let out = run(mqttws().args([
        "sub",
        "--platform",
        "tencent",
        "--device-name",
        "d",
        "-t",
        "t",
    ]));
    assert_eq!(out.code(), Some(1), "{}", out.describe());
    assert_eq!(
        out.stderr,
        "mqttws: --platform tencent needs --product-id\n"
    );
    // clap's own errors (missing -m/-f) use 1 too, not clap's 2.
    let out = run(mqttws().args(["pub", "--url", "ws://127.0.0.1:1/mqtt", "-t", "t"]));
    assert_eq!(out.code(), Some(1), "{}", out.describe());
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
}

#[test]
fn sub_exits_4_when_the_timeout_passes_before_the_count() {
    let b = Broker::start();
    let start = Instant::now();
    let out = run(mqttws().args([
        "sub",
        "--url",
        &b.ws_url("/mqtt"),
        "-t",
        &unique("quiet"),
        "-C",
        "2",
        "-W",
        "1",
    ]));
    assert_eq!(out.code(), Some(4), "{}", out.describe());
    assert_eq!(
        out.stderr,
        "mqttws: timed out after 1 s: received 0 of 2 messages\n"
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}

//! The `mqttws` binary end to end, against a real mosquitto, and compared
//! with Debian's `mosquitto_sub` where the output should be the same.
//!
//! Synchronisation between `sub` and `pub`: `sub -d` prints
//! "mqttws: subscribed to FILTER (QoS n)" on stderr once SUBACK has arrived,
//! and the tests start `pub` only after reading that line. mosquitto_sub
//! (which cannot speak WebSocket, so it uses the fixture's plain TCP
//! listener) has no such line without mixing debug output into stdout: the
//! comparisons therefore use retained messages, which every subscriber gets
//! on subscribing whenever it starts, or wait for mosquitto_sub to print a
//! retained message before publishing live ones.
//!
//! Every wait is bounded: `sub` runs with `-W`, `pub` has its own 10 s
//! default, and each child is read on helper threads and waited for with a
//! channel timeout; a child still running when a test ends (or panics) is
//! killed by its guard. Servers scripted in the tests (an HTTP CONNECT
//! proxy, a WebSocket endpoint that refuses) run on threads with bounded
//! accepts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mqttws::auth::aliyun::{self, AliyunDevice};
use mqttws::auth::tencent::{Expiry, TencentDevice};
use mqttws_tests::{Broker, BrokerConfig, unique};

/// Upper bound for any child process or scripted exchange.
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

/// The Azure device of the platform reference (section 5), and its key.
const AZURE: [&str; 6] = [
    "--platform",
    "azure",
    "--hub",
    "myhub.azure-devices.net",
    "--device-id",
    "dev001",
];
const AZURE_KEY_ENV: &[(&str, &str)] = &[(
    "MQTTWS_DEVICE_KEY",
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
)];
const DEVICE_SECRET: &str = "kS3cr3tV4lue0123456789abcdefABCD";

/// The binary, with no secret inherited from the test's environment and
/// UTC as the local time zone (for comparable time fields).
fn mqttws() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mqttws"));
    for var in SECRET_ENV {
        cmd.env_remove(var);
    }
    cmd.env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Debian's mosquitto_sub on the broker's plain TCP listener, its stdout
/// line-buffered (by stdbuf) so that a test sees each line, and -d's
/// "Subscribed" line, as soon as it is printed.
fn mosquitto_sub(b: &Broker) -> Command {
    let mut cmd = Command::new("stdbuf");
    cmd.env("TZ", "UTC")
        .args(["-oL", "mosquitto_sub"])
        .args(["-h", "127.0.0.1", "-p", &b.tcp_port().to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Publishes with Debian's mosquitto_pub on the TCP listener and waits for it.
fn mosquitto_pub(b: &Broker, args: &[&str], stdin: Option<&[u8]>) {
    let mut cmd = Command::new("mosquitto_pub");
    cmd.args(["-h", "127.0.0.1", "-p", &b.tcp_port().to_string()])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = Proc::spawn_with_input(&mut cmd, stdin.map(<[u8]>::to_vec)).finish();
    assert_eq!(
        out.code(),
        Some(0),
        "mosquitto_pub {args:?}: {}",
        out.describe()
    );
}

/// A running child, read on helper threads; killed on drop if still running.
struct Proc {
    what: String,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Receiver<Vec<u8>>,
    stdout_seen: Vec<u8>,
    stderr: Receiver<String>,
    stderr_seen: Vec<String>,
}

/// What a finished child left.
struct Finished {
    status: ExitStatus,
    stdout: String,
    stdout_bytes: Vec<u8>,
    stderr: String,
}

impl Proc {
    fn spawn(cmd: &mut Command) -> Proc {
        Self::spawn_with_input(cmd, None)
    }

    /// Spawns with `input` written to stdin on a thread (then closed);
    /// `Some(empty)` keeps stdin open as a pipe until [`Proc::close_stdin`].
    fn spawn_with_input(cmd: &mut Command, input: Option<Vec<u8>>) -> Proc {
        if input.is_some() {
            cmd.stdin(Stdio::piped());
        }
        let what = format!("{cmd:?}");
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
        let mut stdin = child.stdin.take();
        if let Some(data) = input.filter(|d| !d.is_empty())
            && let Some(mut pipe) = stdin.take()
        {
            thread::spawn(move || {
                let _ = pipe.write_all(&data);
            });
        }
        let mut out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        let (out_tx, stdout) = mpsc::channel();
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 || out_tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
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
            stdin,
            stdout,
            stdout_seen: Vec::new(),
            stderr,
            stderr_seen: Vec::new(),
        }
    }

    fn close_stdin(&mut self) {
        self.stdin.take();
    }

    /// Waits (bounded) for a stderr line that `wanted` accepts.
    fn wait_for_stderr(&mut self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + LIMIT;
        loop {
            match self
                .stderr
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => {
                    let done = wanted(&line);
                    self.stderr_seen.push(line.clone());
                    if done {
                        return line;
                    }
                }
                Err(e) => panic!(
                    "{}: no stderr line {what} ({}); stderr so far:\n{}",
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

    fn wait_for_stderr_line(&mut self, wanted: &str) {
        self.wait_for_stderr(&format!("{wanted:?}"), |l| l == wanted);
    }

    /// Waits (bounded) until stdout holds at least `n` bytes.
    fn wait_for_stdout(&mut self, n: usize) {
        let deadline = Instant::now() + LIMIT;
        while self.stdout_seen.len() < n {
            match self
                .stdout
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(chunk) => self.stdout_seen.extend(chunk),
                Err(_) => panic!(
                    "{}: stdout has {} of {n} bytes: {:?}",
                    self.what,
                    self.stdout_seen.len(),
                    String::from_utf8_lossy(&self.stdout_seen)
                ),
            }
        }
    }

    /// Waits (bounded) until stdout contains `text`.
    fn wait_for_stdout_text(&mut self, text: &str) {
        let deadline = Instant::now() + LIMIT;
        while !String::from_utf8_lossy(&self.stdout_seen).contains(text) {
            match self
                .stdout
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(chunk) => self.stdout_seen.extend(chunk),
                Err(_) => panic!(
                    "{}: stdout lacks {text:?}: {:?}",
                    self.what,
                    String::from_utf8_lossy(&self.stdout_seen)
                ),
            }
        }
    }

    /// Waits (bounded) for the child to exit; its output streams close then.
    fn finish(mut self) -> Finished {
        self.close_stdin();
        let deadline = Instant::now() + LIMIT;
        let what = &self.what;
        drain(&self.stdout, deadline, what, |chunk| {
            self.stdout_seen.extend(chunk)
        });
        drain(&self.stderr, deadline, what, |line| {
            self.stderr_seen.push(line)
        });
        // Both pipes are closed: the process has exited, so this returns at once.
        let status = self.child.wait().unwrap();
        let mut stderr = self.stderr_seen.join("\n");
        if !stderr.is_empty() {
            stderr.push('\n');
        }
        let stdout_bytes = std::mem::take(&mut self.stdout_seen);
        Finished {
            status,
            stdout: String::from_utf8_lossy(&stdout_bytes).into_owned(),
            stdout_bytes,
            stderr,
        }
    }
}

/// Takes everything from `rx` until its sender is gone (the child closed
/// the stream), panicking at `deadline`.
fn drain<T>(rx: &Receiver<T>, deadline: Instant, what: &str, mut take: impl FnMut(T)) {
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(item) => take(item),
            Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {
                panic!("{what}: still running after {LIMIT:?}; killed")
            }
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

/// The connection flags of the broker's anonymous ws and wss listeners, in
/// mosquitto's style (`-h -p`, `--cafile` turning TLS on), with a name.
fn transports(b: &Broker) -> [(&'static str, Vec<String>); 2] {
    let ca = b.ca_pem_path().to_str().unwrap().to_owned();
    let ws = b.ws_port().to_string();
    let wss = b.wss_port().to_string();
    [
        ("ws", vec!["-h".into(), "127.0.0.1".into(), "-p".into(), ws]),
        (
            "wss",
            vec![
                "-h".into(),
                "127.0.0.1".into(),
                "-p".into(),
                wss,
                "--cafile".into(),
                ca,
            ],
        ),
    ]
}

/// Starts `mqttws sub -d ... -t filter` and waits until it is subscribed.
fn subscribed(args: &[String], filter: &str, extra: &[&str]) -> Proc {
    let mut cmd = mqttws();
    cmd.arg("sub")
        .args(args)
        .args(["-t", filter, "-d", "-W", "25"])
        .args(extra);
    let mut sub = Proc::spawn(&mut cmd);
    let q = extra
        .windows(2)
        .find(|w| w[0] == "-q")
        .map_or("0", |w| w[1]);
    sub.wait_for_stderr_line(&format!("mqttws: subscribed to {filter} (QoS {q})"));
    sub
}

/// What a new subscriber to `topic` gets first, as "PAYLOAD RETAIN-FLAG".
fn retained(args: &[String], topic: &str) -> String {
    let mut cmd = mqttws();
    cmd.arg("sub")
        .args(args)
        .args(["-t", topic, "-C", "1", "-W", "20", "-F", "%p %r"]);
    run(&mut cmd).stdout
}

/// Runs `mqttws pub` and expects success.
fn publish(args: &[String], extra: &[&str], stdin: Option<&[u8]>) -> Finished {
    let mut cmd = mqttws();
    cmd.arg("pub").args(args).args(extra);
    let out = Proc::spawn_with_input(&mut cmd, stdin.map(<[u8]>::to_vec)).finish();
    assert_eq!(out.code(), Some(0), "pub {extra:?}: {}", out.describe());
    out
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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn dead_url() -> String {
    format!("ws://127.0.0.1:{}/mqtt", free_port())
}

/// A server on a loopback port that takes one connection, reads the HTTP
/// request head, answers `reply(head)` and, if `then` is given, writes those
/// bytes after it (a WebSocket frame). The head arrives on the channel.
fn scripted_server(
    reply: impl Fn(&str) -> String + Send + 'static,
    then: Option<Vec<u8>>,
) -> (u16, Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        // Blocking: if the client never comes, this thread just stays
        // parked in accept; the test's own wait on `rx` is bounded.
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        stream.set_read_timeout(Some(LIMIT)).unwrap();
        let head = read_head(&mut stream);
        let _ = stream.write_all(reply(&head).as_bytes());
        if let Some(bytes) = then {
            let _ = stream.write_all(&bytes);
        }
        let _ = tx.send(head);
        // Let the client read everything, then close.
        let mut rest = [0u8; 1024];
        while matches!(stream.read(&mut rest), Ok(n) if n > 0) {}
    });
    (port, rx)
}

fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && matches!(stream.read(&mut byte), Ok(1)) {
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// The head's value of header `name` (case-insensitive).
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A 101 answer that accepts the upgrade, with a `Date` header.
fn upgrade_reply(head: &str, date: &str) -> String {
    let key = header(head, "Sec-WebSocket-Key").unwrap_or_default();
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Protocol: mqtt\r\nDate: {date}\r\n\r\n",
        tungstenite::handshake::derive_accept_key(key.as_bytes())
    )
}

/// An HTTP date `offset_secs` away from now.
fn http_date(offset_secs: i64) -> String {
    let t = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(offset_secs);
    jiff::fmt::strtime::format(
        "%a, %d %b %Y %H:%M:%S GMT",
        &t.to_zoned_datetime(jiff::tz::TimeZone::UTC),
    )
    .unwrap()
}

/// A minimal HTTP CONNECT proxy on a loopback port: it records each
/// request head, opens the tunnel and copies bytes both ways.
fn connect_proxy() -> (u16, Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            let tx = tx.clone();
            thread::spawn(move || {
                client.set_read_timeout(Some(LIMIT)).unwrap();
                let head = read_head(&mut client);
                let target = head
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned();
                let _ = tx.send(head);
                let Ok(upstream) = TcpStream::connect(target) else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
                    return;
                };
                let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                let (mut c2, mut u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                let (mut c1, mut u1) = (client, upstream);
                thread::spawn(move || {
                    let _ = std::io::copy(&mut u2, &mut c2);
                    let _ = c2.shutdown(Shutdown::Write);
                });
                let _ = std::io::copy(&mut c1, &mut u1);
                let _ = u1.shutdown(Shutdown::Write);
            });
        }
    });
    (port, rx)
}

/// `"tst":"..."` values (which differ from run to run) made equal.
fn normalise_tst(out: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(out);
    let mut result = String::new();
    let mut rest = text.as_ref();
    while let Some(i) = rest.find("\"tst\":") {
        let after = &rest[i + 6..];
        let quote = after.find('"').unwrap();
        let end = after[quote + 1..].find('"').unwrap();
        let value = &after[quote + 1..quote + 1 + end];
        assert_eq!(
            value.len(),
            "2026-12-02T17:00:37.271944Z+0000".len(),
            "{value}"
        );
        assert!(value.ends_with("Z+0000"), "{value}");
        result.push_str(&rest[..i + 6]);
        result.push_str(&after[..quote]);
        result.push_str("\"TST\"");
        rest = &after[quote + end + 2..];
    }
    result.push_str(rest);
    result.into_bytes()
}

// ---------------------------------------------------------------------------
// Help and usage

#[test]
fn help_lists_every_subcommand_flag_and_exit_code_without_secret_values() {
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
        "creds ",
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

    let connection = [
        "-L, --url",
        "-h, --host",
        "-p, --port",
        "--ws-path",
        "--platform",
        "--scheme",
        "-i, --id",
    ];
    let session = [
        "--tls",
        "--cafile",
        "--cert",
        "--key ",
        "--insecure",
        "-u, --username",
        "-P, --password",
        "-k, --keepalive",
        "-c, --disable-clean-session",
        "-V, --protocol-version",
        "-x, --session-expiry-interval",
        "-D, --property",
        "--nodelay",
        "--proxy",
        "-H, --header",
        "-W, --timeout",
        "-d, --debug",
        "--will-topic",
        "--will-payload",
        "--will-qos",
        "--will-retain",
    ];
    let platform = [
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
        "-t, --topic <FILTER>",
        "-T, --filter-out",
        "-U, --unsubscribe",
        "-C, --count",
        "-v, --verbose",
        "-F, --format",
        "--pretty",
        "-N, --no-eol",
        "-R, --no-retained",
        "-E, --exit-after-subscribe",
        "--retain-as-published",
        "-q, --qos",
        "%j",
        "%P user",
        "-D subscribe subscription-identifier",
    ];
    let pub_only = [
        "-t, --topic <TOPIC>",
        "-m, --message",
        "-f, --file",
        "-l, --stdin-line",
        "-s, --stdin-file",
        "-n, --null-message",
        "-r, --retain",
        "--repeat <N>",
        "--repeat-delay",
        "-q, --qos",
        "-D publish content-type",
        "0x87 not authorized",
    ];
    let creds_only = ["--time", "--show-password"];
    let with_session: Vec<&str> = connection.iter().chain(&session).copied().collect();
    for (sub, own) in [
        ("sub", [&with_session[..], &sub_only].concat()),
        ("pub", [&with_session[..], &pub_only].concat()),
        ("creds", [&connection[..], &creds_only].concat()),
    ] {
        let mut cmd = mqttws();
        for var in SECRET_ENV {
            cmd.env(var, secret);
        }
        // -? is help too; -h is the host.
        let help = run(cmd.args([sub, if sub == "pub" { "-?" } else { "--help" }]));
        assert_eq!(help.code(), Some(0), "{}", help.describe());
        for needle in platform.iter().chain(&own) {
            assert!(
                help.stdout.contains(needle),
                "`{sub} --help` lacks {needle:?}:\n{}",
                help.stdout
            );
        }
        for var in SECRET_ENV
            .iter()
            .filter(|v| sub != "creds" || **v != "MQTTWS_PASSWORD")
        {
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
    }

    let version = run(mqttws().arg("--version"));
    assert_eq!(version.code(), Some(0));
    assert!(version.stdout.starts_with("mqttws "), "{}", version.stdout);
    // No subcommand: help on stderr, usage error.
    let bare = run(&mut mqttws());
    assert_eq!(bare.code(), Some(1), "{}", bare.describe());
    // -h wants a host: it is not help.
    let h = run(mqttws().args(["pub", "-t", "t", "-m", "x", "-h"]));
    assert_eq!(h.code(), Some(1), "{}", h.describe());
    assert!(h.stderr.contains("'--host <HOST>'"), "{}", h.stderr);
}

#[test]
fn the_issue_example_publishes_with_h_and_p_instead_of_printing_help() {
    // `mqttws pub -h 127.0.0.1 -p PORT -t x -m hi` printed help and exited 0.
    let b = Broker::start();
    let topic = unique("issue");
    let [(_, ws), _] = transports(&b);
    let sub = subscribed(&ws, &topic, &["-C", "1", "-v"]);
    let port = b.ws_port().to_string();
    let out = publish(
        &[],
        &["-h", "127.0.0.1", "-p", &port, "-t", &topic, "-m", "hi"],
        None,
    );
    assert_eq!(out.stdout, "");
    let got = sub.finish();
    assert_eq!(got.code(), Some(0), "{}", got.describe());
    assert_eq!(got.stdout, format!("{topic} hi\n"));
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
    let dead = dead_url();
    for (args, want) in [
        (
            vec![
                "sub",
                "--platform",
                "tencent",
                "--device-name",
                "d",
                "-t",
                "t",
            ],
            "mqttws: --platform tencent needs --product-id\n",
        ),
        (
            vec!["sub", "-L", &dead, "-t", "t", "-c"],
            "mqttws: -c (clean session off) needs a fixed client id: give -i/--id, so that the \
             next connection finds the session\n",
        ),
        (
            vec!["pub", "-L", &dead, "-t", "t", "-m", "x", "-H", "no-colon"],
            "mqttws: -H expects NAME:VALUE (e.g. -H 'X-Device: 17'); the value given has no ':'\n",
        ),
        (
            vec!["pub", "-L", &dead, "-t", "a/+", "-m", "x"],
            "mqttws: invalid argument: topic \"a/+\" contains a wildcard (+ or #); wildcards are \
             only allowed in subscriptions\n",
        ),
        (
            vec!["sub", "-L", &dead, "-t", "t", "-T", "a/#/b"],
            "mqttws: invalid argument: topic filter \"a/#/b\": '#' must be the whole last level\n",
        ),
        (
            vec![
                "pub", "-L", &dead, "--cafile", "ca.pem", "-t", "t", "-m", "x",
            ],
            "mqttws: --cafile, --cert/--key and --insecure need TLS, but the URL is ws://: use \
             --tls, a wss:// URL or --scheme wss\n",
        ),
        (
            vec![
                "pub",
                "-h",
                "127.0.0.1",
                "--ws-path",
                "mqtt",
                "-t",
                "t",
                "-m",
                "x",
            ],
            "mqttws: --ws-path \"mqtt\" must start with '/'\n",
        ),
        (
            vec![
                "pub",
                "-L",
                &dead,
                "--proxy",
                "https://p:1",
                "-t",
                "t",
                "-m",
                "x",
            ],
            "mqttws: invalid argument: https:// proxies (TLS to the proxy) are not supported; use \
             an http:// or socks5:// proxy\n",
        ),
        (
            vec!["creds", "-h", "127.0.0.1"],
            "mqttws: creds needs --platform: without one nothing is signed, and the credentials \
             are -i, -u and -P as given\n",
        ),
    ] {
        let out = run(mqttws().args(&args));
        assert_eq!(out.code(), Some(1), "{args:?}: {}", out.describe());
        assert_eq!(out.stderr, want, "{args:?}");
    }
    // clap's own errors (missing payload, conflicts) use 1 too, not clap's 2.
    for args in [
        vec!["pub", "-L", "ws://127.0.0.1:1/mqtt", "-t", "t"],
        vec![
            "pub",
            "-L",
            "ws://127.0.0.1:1/mqtt",
            "-t",
            "t",
            "-m",
            "x",
            "-n",
        ],
        vec![
            "pub",
            "-L",
            "ws://127.0.0.1:1/mqtt",
            "-h",
            "x",
            "-t",
            "t",
            "-m",
            "x",
        ],
        vec![
            "pub",
            "-L",
            "ws://127.0.0.1:1/mqtt",
            "-t",
            "t",
            "-l",
            "--repeat",
            "2",
        ],
        vec![
            "sub",
            "-L",
            "ws://127.0.0.1:1/mqtt",
            "-t",
            "t",
            "--will-qos",
            "1",
        ],
    ] {
        let out = run(mqttws().args(&args));
        assert_eq!(out.code(), Some(1), "{args:?}: {}", out.describe());
        assert!(
            out.stderr.starts_with("error: "),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn mqtt5_only_options_without_mqtt5_and_bad_properties_exit_1_with_mosquittos_errors() {
    let b = Broker::start();
    let [(_, ws), _] = transports(&b);
    let topic = unique("v5-usage");
    for v in ["mqttv311", "311"] {
        publish(&ws, &["-V", v, "-t", &topic, "-m", "x"], None);
    }
    // Both spellings of MQTT 5, and -D alone, which selects it as in mosquitto.
    for args in [
        &["-V", "5"][..],
        &["-V", "mqttv5"],
        &["-D", "publish", "content-type", "text/plain"],
    ] {
        let out = publish(
            &ws,
            &[&["-t", &topic, "-m", "x", "-d"][..], args].concat(),
            None,
        );
        assert!(
            out.stderr.contains("mqttws: CONNACK: "),
            "{args:?}: {}",
            out.stderr
        );
    }
    // (flags, for pub and sub, or only one of them; what mqttws says; whether
    // mosquitto refuses it too, with exit code 1).
    let both = ["pub", "sub"];
    for (args, subs, want, mosquitto_refuses) in [
        (
            &["-x", "60"][..],
            &both[..],
            "-x (session expiry interval) needs MQTT 5: add -V mqttv5",
            false,
        ),
        (
            &["--retain-as-published"],
            &["sub"],
            "--retain-as-published needs MQTT 5: add -V mqttv5",
            false,
        ),
        (
            &["-V", "311", "-D", "connect", "receive-maximum", "5"],
            &both,
            "-D sets MQTT 5 properties, but -V mqttv311 asks for MQTT 3.1.1",
            false,
        ),
        (
            &["-V", "mqttv31"],
            &both,
            "-V mqttv31 is not supported: mqttws speaks MQTT 3.1.1",
            false,
        ),
        (
            &["-D", "pubish", "content-type", "x"],
            &both,
            "Invalid command \"pubish\" given in --property argument",
            true,
        ),
        (
            &["-D", "publish", "contenttype", "x"],
            &both,
            "Invalid property name \"contenttype\" given in --property argument",
            true,
        ),
        (
            &["-D", "connect", "content-type", "x"],
            &both,
            "content-type property not allowed for connect in --property argument",
            true,
        ),
        (
            &["-D", "publish", "payload-format-indicator", "300"],
            &["pub"],
            "Property value (300) out of range for property payload-format-indicator (0 to 1)",
            true,
        ),
        (
            &["-D", "subscribe", "subscription-identifier", "268435456"],
            &["sub"],
            "Property value (268435456) out of range for property subscription-identifier \
             (1 to 268435455)",
            true,
        ),
        (
            &["-D", "connect", "receive-maximum", "many"],
            &both,
            "Property value (many) is not a number for property receive-maximum",
            true,
        ),
        (
            &["-D", "publish", "user-property", "k"],
            &["pub"],
            "--property argument given but not enough arguments specified",
            true,
        ),
        (
            &["-D", "publish", "subscription-identifier", "3"],
            &["pub"],
            "subscription-identifier property not supported for publish in --property argument",
            true,
        ),
        (
            &[
                "-D",
                "connect",
                "receive-maximum",
                "5",
                "-D",
                "connect",
                "receive-maximum",
                "6",
            ],
            &both,
            "receive-maximum given twice for connect in --property argument",
            true,
        ),
        (
            &["-D", "publish", "topic-alias", "1"],
            &["pub"],
            "topic-alias property not supported for publish in --property argument: the \
             library chooses topic aliases itself",
            false,
        ),
        (
            &["-D", "publish", "content-type", "x"],
            &["sub"],
            "content-type property not supported for publish in --property argument: sub does \
             not publish",
            false,
        ),
        (
            &["-D", "subscribe", "user-property", "k", "v"],
            &["pub"],
            "user-property property not supported for subscribe in --property argument: pub \
             does not subscribe",
            false,
        ),
        (
            &["-D", "disconnect", "user-property", "k", "v"],
            &both,
            "user-property property not supported for disconnect in --property argument: \
             mqttws sends DISCONNECT without properties",
            false,
        ),
        (
            &["-D", "will", "content-type", "x"],
            &both,
            "-D will ... needs --will-topic",
            false,
        ),
        (
            &["-V", "5", "-x", "soon"],
            &both,
            "-x \"soon\": session-expiry-interval not a number",
            true,
        ),
        (
            &["-V", "5", "-x", "-2"],
            &both,
            "-x -2: session-expiry-interval out of range",
            true,
        ),
        (
            &["-V", "5", "-c"],
            &both,
            "a session that never expires (-c without -x, or -x -1) needs a fixed client id",
            true,
        ),
        (
            &["-V", "5", "-x", "∞"],
            &both,
            "a session that never expires (-c without -x, or -x -1) needs a fixed client id",
            true,
        ),
    ] {
        for sub in subs {
            let mut cmd = mqttws();
            cmd.arg(*sub).args(&ws).args(["-t", &topic]).args(args);
            if *sub == "pub" {
                cmd.args(["-m", "x"]);
            }
            let out = run(&mut cmd);
            assert_eq!(out.code(), Some(1), "{sub} {args:?}: {}", out.describe());
            assert!(
                out.stderr.starts_with(&format!("mqttws: {want}"))
                    && out.stderr.lines().count() == 1,
                "{sub} {args:?}: {}",
                out.stderr
            );
            if mosquitto_refuses {
                let mosq = run(Command::new(format!("mosquitto_{sub}"))
                    .args(["-p", "1", "-t", "t"])
                    .args(args)
                    .args(if *sub == "pub" { &["-m", "x"][..] } else { &[] })
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped()));
                assert_eq!(
                    mosq.code(),
                    Some(1),
                    "mosquitto_{sub} {args:?}: {}",
                    mosq.describe()
                );
            }
        }
    }
    let out = run(mqttws().args(["pub", "-V", "4", "-t", "t", "-m", "x"]));
    assert_eq!(out.code(), Some(1), "{}", out.describe());
}

// ---------------------------------------------------------------------------
// Output compared with mosquitto_sub

/// Payloads of the comparisons: text, JSON, control characters and UTF-8.
const TEXT_PAYLOADS: [&[u8]; 3] = [
    b"hello world",
    br#"{"temperature":27.0,"humidity":57, "a": [1, 2.5e3, "x", 1e400, 0.1, -0, 12345678901234567890, true, null, {}, []], "s":"\u00e9\n", "d":{"k":[{}]}}"#,
    b"a\"b\\c\x01\tz\xc3\xa9 /",
];

/// Not UTF-8, with a NUL.
const BINARY_PAYLOAD: &[u8] = b"bin\xff\x00end";

/// Retains `payloads` under `prefix/N` (QoS 1), so that every later
/// subscriber to `prefix/#` gets them, in the broker's order.
fn retain_all(b: &Broker, prefix: &str, payloads: &[&[u8]]) {
    for (n, p) in payloads.iter().enumerate() {
        let topic = format!("{prefix}/{n}");
        mosquitto_pub(b, &["-t", &topic, "-r", "-q", "1", "-s"], Some(p));
    }
}

/// mosquitto_sub and mqttws (ws and wss) subscribe to the retained
/// messages under `prefix` with `args`; returns the three outputs.
fn outputs(b: &Broker, prefix: &str, count: usize, args: &[&str]) -> [(String, Finished); 3] {
    let filter = format!("{prefix}/#");
    let count = count.to_string();
    let mut mosq = mosquitto_sub(b);
    mosq.args(["-t", &filter, "-C", &count, "-W", "20"])
        .args(args);
    let procs: Vec<(String, Proc)> =
        std::iter::once(("mosquitto_sub".to_owned(), Proc::spawn(&mut mosq)))
            .chain(transports(b).into_iter().map(|(name, t)| {
                let mut cmd = mqttws();
                cmd.arg("sub")
                    .args(&t)
                    .args(["-t", &filter, "-C", &count, "-W", "20"])
                    .args(args);
                (format!("mqttws over {name}"), Proc::spawn(&mut cmd))
            }))
            .collect();
    let mut done = procs.into_iter().map(|(name, p)| {
        let f = p.finish();
        assert_eq!(f.code(), Some(0), "{name} {args:?}: {}", f.describe());
        (name, f)
    });
    [
        done.next().unwrap(),
        done.next().unwrap(),
        done.next().unwrap(),
    ]
}

/// Asserts that mqttws printed what mosquitto_sub printed, after `normalise`.
fn assert_same_output(
    b: &Broker,
    prefix: &str,
    count: usize,
    args: &[&str],
    normalise: fn(&[u8]) -> Vec<u8>,
) {
    let [(_, mosq), ours @ ..] = outputs(b, prefix, count, args);
    let want = normalise(&mosq.stdout_bytes);
    assert!(!want.is_empty(), "{args:?}: mosquitto_sub printed nothing");
    for (name, f) in ours {
        assert_eq!(
            String::from_utf8_lossy(&normalise(&f.stdout_bytes)),
            String::from_utf8_lossy(&want),
            "{name} {args:?} differs from mosquitto_sub"
        );
        assert_eq!(normalise(&f.stdout_bytes), want, "{name} {args:?} (bytes)");
        assert_eq!(
            f.stderr,
            mosq_stderr_as_ours(&mosq.stderr),
            "{name} {args:?} stderr"
        );
    }
}

/// mosquitto_sub's %J complaint, in our words.
fn mosq_stderr_as_ours(stderr: &str) -> String {
    stderr
        .lines()
        .map(|l| {
            match l
                .strip_prefix("Error: Message payload is not valid JSON on topic ")
                .and_then(|t| t.strip_suffix('.'))
            {
                Some(topic) => {
                    format!("mqttws: the payload on topic {topic} is not valid JSON (for %J)\n")
                }
                None => format!("{l}\n"),
            }
        })
        .collect()
}

#[test]
fn sub_output_is_byte_for_byte_mosquitto_subs_over_ws_and_wss() {
    let b = Broker::start();
    let prefix = unique("cmp");
    let mut payloads = TEXT_PAYLOADS.to_vec();
    payloads.push(BINARY_PAYLOAD);
    retain_all(&b, &prefix, &payloads);
    let text = unique("cmp-text");
    retain_all(&b, &text, &TEXT_PAYLOADS);
    let same = |v: &[u8]| v.to_vec();
    let n = payloads.len();
    thread::scope(|s| {
        let b = &b;
        for args in [
            &[][..],
            &["-v"],
            &["-F", "%t %p"],
            &["-N", "-v"],
            &["-F", "%p", "-N"],
            &[
                "-q",
                "1",
                "-F",
                "%t|%5.3t|%-8t|%.2t|%l|%05l|%-4l|%q|%r|%m|%3m|%x|%X|%8x|%8p|%-8p|%-p|\\t\\\\\\e\\0|%%|%A%C%D%E%F%P%R%S|%5A|%05E|%3C",
            ],
            &["-q", "2", "-F", "%m %q %r %l", "-N"],
        ] {
            let prefix = &prefix;
            s.spawn(move || assert_same_output(b, prefix, n, args, same));
        }
        for args in [
            &["-F", "%j"][..],
            &["-q", "1", "-F", "%j", "--pretty"],
            &["-F", "%J"],
            &["-F", "%J", "--pretty"],
            &["-q", "2", "-F", ">%J<%j"],
        ] {
            let text = &text;
            s.spawn(move || assert_same_output(b, text, TEXT_PAYLOADS.len(), args, normalise_tst));
        }
    });
}

#[test]
fn sub_live_messages_match_mosquitto_sub_and_j_stays_json_for_binary() {
    let b = Broker::start();
    let prefix = unique("live");
    // A retained first message shows when mosquitto_sub has subscribed.
    retain_all(&b, &prefix, &[b"first"]);
    let filter = format!("{prefix}/#");
    let args = ["-v", "-q", "1"];
    let mut mosq = mosquitto_sub(&b);
    mosq.args(["-t", &filter, "-C", "5", "-W", "20"]).args(args);
    let mut mosq = Proc::spawn(&mut mosq);
    mosq.wait_for_stdout(format!("{prefix}/0 first\n").len());
    let subs: Vec<Proc> = transports(&b)
        .iter()
        .map(|(_, t)| subscribed(t, &filter, &["-C", "5", "-v", "-q", "1"]))
        .collect();
    let mut j = mqttws();
    let [(_, ws), _] = transports(&b);
    let live = format!("{prefix}/live");
    j.arg("sub")
        .args(&ws)
        .args(["-t", &live, "-C", "4", "-W", "20", "-d", "-F", "%j"]);
    let mut j = Proc::spawn(&mut j);
    j.wait_for_stderr_line(&format!("mqttws: subscribed to {live} (QoS 0)"));
    // Live: an empty payload ("(null)" with -v), text, binary, QoS 2.
    mosquitto_pub(&b, &["-t", &live, "-n"], None);
    mosquitto_pub(&b, &["-t", &live, "-m", "text", "-q", "1"], None);
    mosquitto_pub(&b, &["-t", &live, "-s"], Some(BINARY_PAYLOAD));
    mosquitto_pub(&b, &["-t", &live, "-m", "{\"n\":1}", "-q", "2"], None);
    let want = mosq.finish();
    assert_eq!(want.code(), Some(0), "{}", want.describe());
    assert!(
        want.stdout.contains(&format!("{live} (null)\n")),
        "{}",
        want.stdout
    );
    for sub in subs {
        let got = sub.finish();
        assert_eq!(got.code(), Some(0), "{}", got.describe());
        assert_eq!(got.stdout_bytes, want.stdout_bytes);
    }
    // %j is JSON for every payload (mosquitto_sub 2.0.11 would print the
    // binary one raw inside a string, cut at its NUL).
    let got = j.finish();
    assert_eq!(got.code(), Some(0), "{}", got.describe());
    let lines: Vec<serde_json::Value> = got
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert_eq!(lines.len(), 4, "{}", got.stdout);
    assert_eq!(lines[0]["payload"], serde_json::Value::Null);
    assert_eq!(lines[1]["payload"], "text");
    assert_eq!(lines[1]["retain"], 0);
    let bytes: Vec<u64> = BINARY_PAYLOAD.iter().map(|&b| u64::from(b)).collect();
    assert_eq!(lines[2]["payload"], serde_json::json!(bytes));
    assert_eq!(lines[2]["payloadlen"], BINARY_PAYLOAD.len());
    assert_eq!(lines[3]["payload"], "{\"n\":1}");
    for l in &lines {
        assert_eq!(l["topic"], live.as_str());
        assert_eq!(l["qos"], 0);
        assert!(l["tst"].as_str().unwrap().ends_with("Z+0000"), "{l}");
    }
}

#[test]
fn bad_formats_exit_1_where_mosquitto_sub_refuses_them_too() {
    for (format, want) in [
        ("%z", "invalid format specifier 'z'"),
        ("abc%", "incomplete format specifier"),
        ("%10", "incomplete format specifier"),
        ("\\q", "invalid escape specifier '\\q'"),
        ("x\\", "incomplete escape specifier"),
        ("@", "incomplete format specifier"),
    ] {
        let out = run(mqttws().args(["sub", "-L", &dead_url(), "-t", "t", "-F", format]));
        assert_eq!(out.code(), Some(1), "{format}: {}", out.describe());
        assert!(out.stderr.contains(want), "{format}: {}", out.stderr);
        let mosq = run(Command::new("mosquitto_sub")
            .args(["-p", "1", "-t", "t", "-F", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()));
        assert_eq!(
            mosq.code(),
            Some(1),
            "mosquitto_sub -F {format}: {}",
            mosq.describe()
        );
    }
}

#[test]
fn sub_filters_out_skips_retained_and_counts_only_what_it_prints() {
    let b = Broker::start();
    for (name, t) in transports(&b) {
        let prefix = unique(name);
        retain_all(&b, &prefix, &[b"old"]);
        let filter = format!("{prefix}/#");
        let skip = format!("{prefix}/skip/#");
        // Two -t filters in one SUBSCRIBE: its SUBACK covers both.
        let extra = unique("extra");
        let sub = subscribed(
            &t,
            &filter,
            &["-t", &extra, "-T", &skip, "-R", "-C", "3", "-v"],
        );
        for (topic, payload) in [("skip/x", "no"), ("a", "yes"), ("skip", "no"), ("b", "yes")] {
            let topic = format!("{prefix}/{topic}");
            publish(&t, &["-t", &topic, "-m", payload], None);
        }
        publish(&t, &["-t", &extra, "-m", "too"], None);
        let got = sub.finish();
        assert_eq!(got.code(), Some(0), "{}", got.describe());
        assert_eq!(
            got.stdout,
            format!("{prefix}/a yes\n{prefix}/b yes\n{extra} too\n"),
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------
// MQTT 5

/// Every MQTT 5 sequence of -F, with flags and widths, then %j.
const V5_FORMAT: &str = "%t|%C|%D|%E|%F|%P|%R|%S|%A|%5S|%-4E|%03F|%.4C|%8R|%q %r|%j";

#[test]
fn mqtt5_round_trip_with_properties_matches_mosquitto_sub_byte_for_byte_over_ws_and_wss() {
    let b = Broker::start();
    let prefix = unique("v5");
    // A retained first message shows when mosquitto_sub has subscribed.
    retain_all(&b, &prefix, &[b"first"]);
    let filter = format!("{prefix}/#");
    let args = [
        "-V",
        "5",
        "-q",
        "1",
        "-D",
        "subscribe",
        "subscription-identifier",
        "3",
        "-D",
        "subscribe",
        "user-property",
        "sub",
        "scriber",
        "-F",
        V5_FORMAT,
    ];
    let mut mosq = mosquitto_sub(&b);
    mosq.args(["-t", &filter, "-C", "4", "-W", "20"]).args(args);
    let mut mosq = Proc::spawn(&mut mosq);
    mosq.wait_for_stdout(format!("{prefix}/0|").len());
    let subs: Vec<Proc> = transports(&b)
        .iter()
        .map(|(_, t)| subscribed(t, &filter, &[&["-C", "4"][..], &args].concat()))
        .collect();
    let [(_, ws), (_, wss)] = transports(&b);
    // Every publish property, names repeated, over ws at QoS 1...
    let all = format!("{prefix}/all");
    publish(
        &ws,
        &[
            "-t",
            &all,
            "-m",
            "hello",
            "-q",
            "1",
            "-D",
            "publish",
            "content-type",
            "text/plain",
            "-D",
            "publish",
            "user-property",
            "k",
            "v",
            "-D",
            "publish",
            "user-property",
            "k",
            "w",
            "-D",
            "publish",
            "response-topic",
            "reply/to",
            "-D",
            "publish",
            "correlation-data",
            "id-17",
            "-D",
            "Publish",
            "Message-Expiry-Interval",
            "600",
            "-D",
            "publish",
            "payload-format-indicator",
            "1",
            "-D",
            "connect",
            "user-property",
            "client",
            "mqttws",
        ],
        None,
    );
    // ...some over wss at QoS 2, and one property alone at QoS 0.
    let json = format!("{prefix}/json");
    publish(
        &wss,
        &[
            "-V",
            "mqttv5",
            "-t",
            &json,
            "-m",
            "{\"n\":1}",
            "-q",
            "2",
            "-D",
            "publish",
            "content-type",
            "application/json",
            "-D",
            "publish",
            "user-property",
            "name with space",
            "ünïcode",
        ],
        None,
    );
    let plain = format!("{prefix}/plain");
    publish(
        &ws,
        &[
            "-t",
            &plain,
            "-m",
            "p",
            "-D",
            "publish",
            "payload-format-indicator",
            "0",
        ],
        None,
    );
    let want = mosq.finish();
    assert_eq!(want.code(), Some(0), "{}", want.describe());
    // The properties made it through: mosquitto_sub printed them.
    for line in [
        format!(
            "{all}|text/plain|id-17|600|1|k:v k:w|reply/to|3||    3|600 |001|text|reply/to|1 0|"
        ),
        format!("{json}|application/json||||name with space:ünïcode||3||    3|    |000|appl||1 0|"),
        format!("{plain}||||0|||3||    3|    |000|||0 0|"),
    ] {
        assert!(
            want.stdout.contains(&line),
            "{line}\nnot in\n{}",
            want.stdout
        );
    }
    let want = normalise_tst(&want.stdout_bytes);
    for sub in subs {
        let got = sub.finish();
        assert_eq!(got.code(), Some(0), "{}", got.describe());
        assert_eq!(
            String::from_utf8_lossy(&normalise_tst(&got.stdout_bytes)),
            String::from_utf8_lossy(&want)
        );
    }
}

#[test]
fn mqtt5_retain_as_published_and_no_retained_match_mosquitto_sub() {
    let b = Broker::start();
    let prefix = unique("rap");
    retain_all(&b, &prefix, &[b"first"]);
    let filter = format!("{prefix}/#");
    // (flags, what every subscriber prints: the retained message, then a
    // live message published with -r).
    let groups = [
        (&["--retain-as-published"][..], "first 1\nlive 1\n", "2"),
        (&[], "first 1\nlive 0\n", "2"),
        (&["-R"], "live 0\n", "1"),
    ];
    let mut waiting = Vec::new();
    for (flags, want, count) in groups {
        let args = [&["-V", "5", "-F", "%p %r", "-C", count][..], flags].concat();
        // mosquitto_sub -d says on stdout when it has subscribed (-R hides
        // the retained message that would show it otherwise).
        let mut mosq = mosquitto_sub(&b);
        mosq.args(["-t", &filter, "-W", "20", "-d"]).args(&args);
        let mut mosq = Proc::spawn(&mut mosq);
        mosq.wait_for_stdout_text("Subscribed (mid: ");
        let ours: Vec<Proc> = transports(&b)
            .iter()
            .map(|(_, t)| subscribed(t, &filter, &args))
            .collect();
        waiting.push((flags, want, mosq, ours));
    }
    let [(_, ws), _] = transports(&b);
    let live = format!("{prefix}/live");
    publish(
        &ws,
        &["-V", "5", "-t", &live, "-m", "live", "-r", "-q", "1"],
        None,
    );
    for (flags, want, mosq, ours) in waiting {
        let got = mosq.finish();
        assert_eq!(
            got.code(),
            Some(0),
            "mosquitto_sub {flags:?}: {}",
            got.describe()
        );
        let printed: String = got
            .stdout
            .lines()
            .filter(|l| !l.starts_with("Client ") && !l.starts_with("Subscribed (mid: "))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(printed, want, "mosquitto_sub {flags:?}");
        for p in ours {
            let got = p.finish();
            assert_eq!(got.code(), Some(0), "{flags:?}: {}", got.describe());
            assert_eq!(got.stdout, want, "{flags:?}");
        }
    }
}

#[test]
fn mqtt5_refusals_exit_3_with_the_reason_code_over_ws_and_wss() {
    let b = Broker::start_with(BrokerConfig::new().password("alice", "pw-s3cret"));
    let refused = "mqttws: the broker refused the PUBLISH: not authorized (reason code 0x87)\n";
    for (name, t) in transports(&b) {
        // mosquitto refuses client writes to $SYS under MQTT 5 (PUBACK/PUBREC 0x87).
        for q in ["1", "2"] {
            let mut cmd = mqttws();
            cmd.arg("pub")
                .args(&t)
                .args(["-V", "5", "-t", "$SYS/mqttws", "-m", "x", "-q", q]);
            let out = run(&mut cmd);
            assert_eq!(out.code(), Some(3), "{name} -q {q}: {}", out.describe());
            assert_eq!(out.stderr, refused, "{name} -q {q}");
        }
        // -l goes on after a refusal and says so at the end.
        let mut cmd = mqttws();
        cmd.arg("pub")
            .args(&t)
            .args(["-V", "5", "-t", "$SYS/mqttws", "-l", "-q", "1"]);
        let out = Proc::spawn_with_input(&mut cmd, Some(b"a\nb\n".to_vec())).finish();
        assert_eq!(out.code(), Some(3), "{name} -l: {}", out.describe());
        let line = "mqttws: the broker refused a message: not authorized (reason code 0x87)\n";
        assert_eq!(
            out.stderr,
            format!("{line}{line}mqttws: the broker refused 2 of 2 lines\n"),
            "{name} -l"
        );
        // QoS 0 has no acknowledgement, and MQTT 3.1.1 no reason codes: the
        // broker drops the message silently.
        publish(&t, &["-V", "5", "-t", "$SYS/mqttws", "-m", "x"], None);
        publish(&t, &["-t", "$SYS/mqttws", "-m", "x", "-q", "1"], None);
        // A CONNACK refusal under MQTT 5 carries its reason code: mosquitto
        // has no authentication method, and says so.
        for sub in ["pub", "sub"] {
            let mut cmd = mqttws();
            cmd.arg(sub).args(&t).args([
                "-t",
                "t",
                "-D",
                "connect",
                "authentication-method",
                "SCRAM-SHA-1",
                "-D",
                "connect",
                "authentication-data",
                "n,,n=user,r=nonce",
            ]);
            if sub == "pub" {
                cmd.args(["-m", "x"]);
            }
            let out = run(&mut cmd);
            assert_eq!(out.code(), Some(3), "{name} {sub}: {}", out.describe());
            assert_eq!(
                out.stderr,
                "mqttws: connection refused by the broker: bad authentication method (reason \
                 code 0x8c)\n",
                "{name} {sub}"
            );
        }
    }
    // mosquitto_pub refuses alike, exits 0 for the refused publish, and
    // with the reason code for the refused connection.
    let mut mosq = Command::new("mosquitto_pub");
    mosq.args(["-p", &b.tcp_port().to_string(), "-V", "5", "-q", "1"])
        .args(["-t", "$SYS/mqttws", "-m", "x"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = run(&mut mosq);
    assert_eq!(out.code(), Some(0), "{}", out.describe());
    assert_eq!(out.stderr, "Warning: Publish 1 failed: Not authorized.\n");
    let mut mosq = Command::new("mosquitto_pub");
    mosq.args(["-p", &b.tcp_port().to_string(), "-t", "t", "-m", "x"])
        .args(["-D", "connect", "authentication-method", "SCRAM-SHA-1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = run(&mut mosq);
    assert_eq!(out.code(), Some(0x8c), "{}", out.describe());
    assert!(
        out.stderr
            .starts_with("Connection error: Bad authentication method\n")
    );
    // A wrong password under MQTT 5: the reason code, not 3.1.1's code 5.
    let mut cmd = mqttws();
    cmd.args([
        "pub",
        "-V",
        "5",
        "-h",
        "127.0.0.1",
        "-p",
        &b.ws_auth_port().to_string(),
    ])
    .args(["-u", "alice", "-t", "t", "-m", "x"])
    .env("MQTTWS_PASSWORD", "wrong-pw");
    let out = run(&mut cmd);
    assert_eq!(out.code(), Some(3), "{}", out.describe());
    assert_eq!(
        out.stderr,
        "mqttws: connection refused by the broker: not authorized (reason code 0x87)\n"
    );
}

#[test]
fn mqtt5_a_refusal_with_a_reason_string_and_a_server_disconnect_are_reported() {
    // mosquitto 2.0.11 sends neither a reason string nor a DISCONNECT to a
    // client of these listeners: a scripted WebSocket server stands in.
    // CONNACK: 0x84 unsupported protocol version, reason string "v3 only".
    let connack = [
        0x82, 0x0F, 0x20, 0x0D, 0x00, 0x84, 0x0A, 0x1F, 0x00, 0x07, b'v', b'3', b' ', b'o', b'n',
        b'l', b'y',
    ];
    // CONNACK accepted, then DISCONNECT 0x8E session taken over, reason
    // string "bye".
    let disconnect = [
        0x82, 0x05, 0x20, 0x03, 0x00, 0x00, 0x00, 0x82, 0x0A, 0xE0, 0x08, 0x8E, 0x06, 0x1F, 0x00,
        0x03, b'b', b'y', b'e',
    ];
    for (frames, sub, code, want) in [
        (
            &connack[..],
            "pub",
            3,
            "mqttws: connection refused by the broker: unsupported protocol version (reason \
             code 0x84): v3 only\nmqttws: the broker does not speak MQTT 5: connect with -V \
             mqttv311\n",
        ),
        (
            &disconnect,
            "pub",
            2,
            "the broker disconnected: session taken over (reason code 0x8e): bye",
        ),
        (
            &disconnect,
            "sub",
            2,
            "the broker disconnected: session taken over (reason code 0x8e): bye",
        ),
    ] {
        let (port, heads) = scripted_server(
            |head| upgrade_reply(head, &http_date(0)),
            Some(frames.to_vec()),
        );
        let mut cmd = mqttws();
        cmd.arg(sub).args([
            "-L",
            &format!("ws://127.0.0.1:{port}/mqtt"),
            "-V",
            "5",
            "-t",
            "t",
        ]);
        if sub == "pub" {
            cmd.args(["-m", "x", "-q", "1"]);
        } else {
            cmd.args(["-W", "5"]);
        }
        let out = run(&mut cmd);
        heads.recv_timeout(LIMIT).unwrap();
        assert_eq!(out.code(), Some(code), "{sub}: {}", out.describe());
        assert!(out.stderr.contains(want), "{sub}: {}", out.stderr);
    }
}

/// Reads one masked WebSocket frame from a client and returns its payload.
fn read_ws_frame(stream: &mut TcpStream) -> Vec<u8> {
    let mut head = [0u8; 2];
    stream.read_exact(&mut head).unwrap();
    let len = match head[1] & 0x7F {
        126 => {
            let mut ext = [0u8; 2];
            stream.read_exact(&mut ext).unwrap();
            usize::from(u16::from_be_bytes(ext))
        }
        n => usize::from(n),
    };
    let mut mask = [0u8; 4];
    stream.read_exact(&mut mask).unwrap();
    let mut payload = vec![0u8; len];
    stream.read_exact(&mut payload).unwrap();
    for (i, b) in payload.iter_mut().enumerate() {
        *b ^= mask[i % 4];
    }
    payload
}

/// A scripted MQTT 5 broker for one `sub`: it accepts the upgrade, answers
/// CONNECT with CONNACK and SUBSCRIBE with a SUBACK carrying `code`, sends
/// the frames `then`, and waits for the client to close. The channel says
/// when all was sent.
fn scripted_v5_broker(code: u8, then: Vec<u8>) -> (u16, Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, done) = mpsc::channel();
    thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        drop(listener);
        stream.set_read_timeout(Some(LIMIT)).unwrap();
        let head = read_head(&mut stream);
        stream
            .write_all(upgrade_reply(&head, &http_date(0)).as_bytes())
            .unwrap();
        let connect = read_ws_frame(&mut stream);
        assert_eq!(connect[0], 0x10);
        stream
            .write_all(&[0x82, 0x05, 0x20, 0x03, 0x00, 0x00, 0x00])
            .unwrap();
        let subscribe = read_ws_frame(&mut stream);
        assert_eq!(subscribe[0], 0x82);
        // SUBACK: the packet id, no properties, one reason code.
        let mut frames = vec![
            0x82,
            0x06,
            0x90,
            0x04,
            subscribe[2],
            subscribe[3],
            0x00,
            code,
        ];
        frames.extend(then);
        stream.write_all(&frames).unwrap();
        let _ = tx.send(());
        let mut rest = [0u8; 64];
        while matches!(stream.read(&mut rest), Ok(n) if n > 0) {}
    });
    (port, done)
}

#[test]
fn mqtt5_a_refused_subscription_and_a_server_disconnect_while_subscribed_are_reported() {
    // DISCONNECT 0x8B (server shutting down), reason string "maintenance".
    let mut disconnect = vec![0x82, 0x12, 0xE0, 0x10, 0x8B, 0x0E, 0x1F, 0x00, 0x0B];
    disconnect.extend(b"maintenance");
    for (code, then, exit, want) in [
        // Subscribed, then disconnected: sub tries to reconnect (the server
        // is gone) until -W.
        (
            0x00,
            disconnect,
            4,
            "mqttws: the broker disconnected: server shutting down (reason code 0x8b): \
             maintenance\n",
        ),
        (
            0x87,
            Vec::new(),
            3,
            "mqttws: the broker refused the subscription to t: not authorized (reason code \
             0x87)\n",
        ),
    ] {
        let (port, done) = scripted_v5_broker(code, then);
        let mut cmd = mqttws();
        cmd.args(["sub", "-L", &format!("ws://127.0.0.1:{port}/mqtt")])
            .args(["-V", "5", "-t", "t", "-W", "1"]);
        let out = run(&mut cmd);
        done.recv_timeout(LIMIT).unwrap();
        assert_eq!(out.code(), Some(exit), "{}", out.describe());
        assert!(out.stderr.starts_with(want), "{}", out.stderr);
    }
}

#[test]
fn mqtt5_session_expiry_x_and_c_keep_or_end_the_session_as_mosquitto_does() {
    let b = Broker::start();
    let [(_, ws), _] = transports(&b);
    let session = |id: &str, extra: &[&str]| {
        let mut cmd = mqttws();
        cmd.arg("sub")
            .args(&ws)
            .args(["-V", "5", "-i", id, "-q", "1", "-W", "20", "-d"])
            .args(extra);
        let out = run(&mut cmd);
        assert_eq!(out.code(), Some(0), "{extra:?}: {}", out.describe());
        out
    };
    let present = |out: &Finished| {
        let line = out
            .stderr
            .lines()
            .find(|l| l.starts_with("mqttws: CONNACK: "))
            .unwrap_or_else(|| panic!("no CONNACK line: {}", out.stderr));
        line.starts_with("mqttws: CONNACK: session present 1")
    };
    // (first connection's flags, whether the second finds the session).
    for (first, kept) in [
        // -x without -c: a clean start, but the session outlives it.
        (&["-x", "600"][..], true),
        // -c alone: never expires.
        (&["-c"], true),
        // -c -x 0: the session ends with the connection.
        (&["-c", "-x", "0"], false),
        // Neither: MQTT 5's default expiry is 0.
        (&[], false),
    ] {
        let id = unique("x").replace('/', "-");
        let topic = unique("x");
        let out = session(&id, &[&["-t", &topic, "-E"][..], first].concat());
        assert!(!present(&out), "{first:?}: {}", out.stderr);
        publish(&ws, &["-t", &topic, "-m", "queued", "-q", "1"], None);
        let extra = if kept {
            vec!["-c", "-t", &topic, "-C", "1", "-v"]
        } else {
            vec!["-c", "-t", &topic, "-E"]
        };
        let out = session(&id, &extra);
        assert_eq!(present(&out), kept, "{first:?}: {}", out.stderr);
        if kept {
            assert_eq!(out.stdout, format!("{topic} queued\n"), "{first:?}");
        }
    }
}

#[test]
fn mqtt5_will_properties_reach_the_subscriber() {
    let b = Broker::start();
    for (name, t) in transports(&b) {
        let will = unique(name);
        let sub = subscribed(
            &t,
            &will,
            &[
                "-V",
                "5",
                "-C",
                "1",
                "-F",
                "%t %p %C %P %R %D %F",
                "-q",
                "1",
            ],
        );
        let mut cmd = mqttws();
        cmd.arg("pub").args(&t).args([
            "-t",
            "x",
            "-l",
            "-d",
            "-k",
            "5",
            "--will-topic",
            &will,
            "--will-payload",
            "gone",
            "--will-qos",
            "1",
        ]);
        for p in [
            &["content-type", "text/plain"][..],
            &["user-property", "why", "killed"],
            &["user-property", "why", "again"],
            &["response-topic", "re/spond"],
            &["correlation-data", "c0"],
            &["payload-format-indicator", "1"],
            &["will-delay-interval", "0"],
        ] {
            cmd.args(["-D", "will"]).args(p);
        }
        let mut publisher = Proc::spawn_with_input(&mut cmd, Some(Vec::new()));
        publisher.wait_for_stderr("connected to", |l| l.starts_with("mqttws: connected to"));
        // Vanish without DISCONNECT.
        publisher.child.kill().unwrap();
        let got = sub.finish();
        assert_eq!(got.code(), Some(0), "{}", got.describe());
        assert_eq!(
            got.stdout,
            format!("{will} gone text/plain why:killed why:again re/spond c0 1\n"),
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------
// pub payload sources, will, session

#[test]
fn pub_payload_sources_l_s_n_f_and_repeat_over_ws_and_wss() {
    let b = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("payload.bin");
    std::fs::write(&file, b"from a file\n").unwrap();
    let file = file.to_str().unwrap().to_owned();
    for (name, t) in transports(&b) {
        let topic = unique(name);
        let sub = subscribed(&t, &topic, &["-C", "9", "-F", "%p|", "-q", "1"]);
        // -l: three lines, three messages (the last one without a newline).
        publish(
            &t,
            &["-t", &topic, "-l", "-q", "1"],
            Some(b"one\ntwo\nthree"),
        );
        publish(&t, &["-t", &topic, "-s"], Some(b"whole\nstdin\n"));
        publish(&t, &["-t", &topic, "-n", "-q", "2"], None);
        publish(&t, &["-t", &topic, "-f", &file], None);
        let start = Instant::now();
        let out = publish(
            &t,
            &[
                "-t",
                &topic,
                "-m",
                "again",
                "--repeat",
                "3",
                "--repeat-delay",
                "0.2",
                "-q",
                "1",
                "-d",
            ],
            None,
        );
        assert!(
            start.elapsed() >= Duration::from_millis(400),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(
            out.stderr.matches("published to").count(),
            3,
            "{}",
            out.stderr
        );
        let got = sub.finish();
        assert_eq!(got.code(), Some(0), "{name}: {}", got.describe());
        assert_eq!(
            got.stdout,
            "one|\ntwo|\nthree|\nwhole\nstdin\n|\n|\nfrom a file\n|\nagain|\nagain|\nagain|\n",
            "{name}"
        );
        // -r: a later subscriber gets the message, flagged as retained.
        publish(&t, &["-t", &topic, "-m", "kept", "-r", "-q", "1"], None);
        assert_eq!(retained(&t, &topic), "kept 1\n", "{name}");
    }
}

#[test]
fn pub_l_keeps_publishing_lines_as_they_arrive() {
    let b = Broker::start();
    let [(_, ws), _] = transports(&b);
    let topic = unique("lines");
    let mut sub = subscribed(&ws, &topic, &["-C", "2"]);
    let mut cmd = mqttws();
    cmd.arg("pub").args(&ws).args(["-t", &topic, "-l", "-d"]);
    let mut publisher = Proc::spawn_with_input(&mut cmd, Some(Vec::new()));
    publisher.wait_for_stderr_line(&format!(
        "mqttws: connected to ws://127.0.0.1:{}/mqtt",
        b.ws_port()
    ));
    let mut stdin = publisher.stdin.take().unwrap();
    stdin.write_all(b"first\n").unwrap();
    // Delivered while stdin is still open: -l does not wait for the end.
    sub.wait_for_stdout(b"first\n".len());
    stdin.write_all(b"second\n").unwrap();
    drop(stdin);
    let out = publisher.finish();
    assert_eq!(out.code(), Some(0), "{}", out.describe());
    assert_eq!(sub.finish().stdout, "first\nsecond\n");
    // -W bounds a stream whose input never ends.
    let mut cmd = mqttws();
    cmd.arg("pub")
        .args(&ws)
        .args(["-t", &topic, "-l", "-W", "1"]);
    let mut stuck = Proc::spawn_with_input(&mut cmd, Some(Vec::new()));
    let stdin = stuck.stdin.take();
    let out = stuck.finish();
    drop(stdin);
    assert_eq!(out.code(), Some(4), "{}", out.describe());
    assert_eq!(
        out.stderr,
        "mqttws: timed out after 1 s: published 0 lines, standard input is still open\n"
    );
}

#[test]
fn will_flags_make_the_broker_publish_the_will_when_pub_vanishes() {
    let b = Broker::start();
    for (name, t) in transports(&b) {
        let will = unique(name);
        let sub = subscribed(&t, &will, &["-C", "1", "-F", "%t %p %q %r", "-q", "1"]);
        let mut cmd = mqttws();
        cmd.arg("pub").args(&t).args([
            "-t",
            "x",
            "-l",
            "-d",
            "-k",
            "5",
            "--will-topic",
            &will,
            "--will-payload",
            "gone",
            "--will-qos",
            "1",
            "--will-retain",
        ]);
        let mut publisher = Proc::spawn_with_input(&mut cmd, Some(Vec::new()));
        publisher.wait_for_stderr("connected to", |l| l.starts_with("mqttws: connected to"));
        // Vanish without DISCONNECT.
        publisher.child.kill().unwrap();
        let got = sub.finish();
        assert_eq!(got.code(), Some(0), "{}", got.describe());
        assert_eq!(got.stdout, format!("{will} gone 1 0\n"), "{name}");
        // --will-retain: a later subscriber gets it as retained.
        assert_eq!(retained(&t, &will), "gone 1\n", "{name}");
    }
}

#[test]
fn persistent_session_c_i_e_and_u_behave_as_with_mosquitto() {
    let b = Broker::start();
    for (name, t) in transports(&b) {
        let id = unique(name).replace('/', "-");
        let (kept, other) = (unique("kept"), unique("other"));
        let session = |extra: &[&str]| {
            let mut cmd = mqttws();
            cmd.arg("sub")
                .args(&t)
                .args(["-c", "-i", &id, "-q", "1", "-W", "20"])
                .args(extra);
            cmd
        };
        // -E: subscribe, then exit at once; the session stays.
        let out = run(&mut session(&["-t", &kept, "-E", "-d"]));
        assert_eq!(out.code(), Some(0), "{}", out.describe());
        assert!(
            out.stderr
                .contains(&format!("subscribed to {kept} (QoS 1)")),
            "{}",
            out.stderr
        );
        // Queued by the broker while nobody is connected, delivered on return.
        publish(&t, &["-t", &kept, "-m", "queued", "-q", "1"], None);
        let out = run(&mut session(&["-t", &kept, "-C", "1", "-v"]));
        assert_eq!(
            out.stdout,
            format!("{kept} queued\n"),
            "{name}: {}",
            out.describe()
        );
        // -U: the subscription to `kept` goes; only `other` is queued then.
        let out = run(&mut session(&["-t", &other, "-U", &kept, "-E", "-d"]));
        assert!(
            out.stderr.contains(&format!("unsubscribed from {kept}")),
            "{}",
            out.stderr
        );
        publish(&t, &["-t", &kept, "-m", "dropped", "-q", "1"], None);
        publish(&t, &["-t", &other, "-m", "kept", "-q", "1"], None);
        let out = run(&mut session(&["-t", &other, "-C", "1", "-v"]));
        assert_eq!(
            out.stdout,
            format!("{other} kept\n"),
            "{name}: {}",
            out.describe()
        );
    }
}

#[test]
fn connect_flags_k_c_i_u_p_and_mutual_tls_reach_the_broker() {
    let b = Broker::start_with(BrokerConfig::new().password("alice", "pw-s3cret"));
    let id = unique("flags").replace('/', "-");
    let ws_auth = b.ws_auth_port().to_string();
    publish(
        &[],
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &ws_auth,
            "-u",
            "alice",
            "-P",
            "pw-s3cret",
            "-i",
            &id,
            "-k",
            "30",
            "-c",
            "-t",
            "t",
            "-m",
            "x",
        ],
        None,
    );
    // A wrong password is refused: exit 3, no hint (no platform), no echo.
    let mut cmd = mqttws();
    cmd.args([
        "pub",
        "-h",
        "127.0.0.1",
        "-p",
        &ws_auth,
        "-u",
        "alice",
        "-t",
        "t",
        "-m",
        "x",
    ])
    .env("MQTTWS_PASSWORD", "wrong-pw");
    let out = run(&mut cmd);
    assert_eq!(out.code(), Some(3), "{}", out.describe());
    assert_eq!(
        out.stderr,
        "mqttws: connection refused by the broker: not authorized (code 5)\n"
    );
    // Mutual TLS with --cert/--key.
    let cert = b.client_cert_path().to_str().unwrap().to_owned();
    let key = b.client_key_path().to_str().unwrap().to_owned();
    let ca = b.ca_pem_path().to_str().unwrap().to_owned();
    let mtls = b.wss_mtls_port().to_string();
    publish(
        &[],
        &[
            "-h",
            "127.0.0.1",
            "-p",
            &mtls,
            "--tls",
            "--cafile",
            &ca,
            "--cert",
            &cert,
            "--key",
            &key,
            "-t",
            "t",
            "-m",
            "x",
        ],
        None,
    );
    // --insecure accepts the server without the CA.
    let wss = b.wss_port().to_string();
    publish(
        &[],
        &[
            "-L",
            &format!("wss://127.0.0.1:{wss}/mqtt"),
            "--insecure",
            "-t",
            "t",
            "-m",
            "x",
        ],
        None,
    );
    // Without the CA, the Mozilla roots refuse the test certificate.
    let out = run(mqttws().args([
        "pub",
        "-h",
        "127.0.0.1",
        "-p",
        &wss,
        "--tls",
        "-t",
        "t",
        "-m",
        "x",
    ]));
    assert_eq!(out.code(), Some(2), "{}", out.describe());
    assert!(out.stderr.contains("TLS error"), "{}", out.stderr);
    let mut b = b;
    b.stop();
    let log = b.log();
    assert!(
        log.contains(&format!(" as {id} (p2, c0, k30, u'alice')")),
        "{log}"
    );
    assert!(!log.contains("pw-s3cret"));
}

#[test]
fn ws_path_url_and_header_flags_shape_the_upgrade_request() {
    for (args, line, port_in_url) in [
        (vec![], "GET /mqtt HTTP/1.1", false),
        (
            vec!["--ws-path", "/custom/ws?q=1"],
            "GET /custom/ws?q=1 HTTP/1.1",
            false,
        ),
        (vec!["-L"], "GET /other HTTP/1.1", true),
    ] {
        let (port, heads) = scripted_server(
            |_| "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".into(),
            None,
        );
        let mut cmd = mqttws();
        cmd.arg("pub");
        if port_in_url {
            cmd.args(["-L", &format!("ws://127.0.0.1:{port}/other")]);
        } else {
            cmd.args(["-h", "127.0.0.1", "-p", &port.to_string()])
                .args(&args);
        }
        cmd.args([
            "-t",
            "t",
            "-m",
            "x",
            "-H",
            "X-Token: s3cret-token",
            "-H",
            "X-Two:2",
        ]);
        let out = run(&mut cmd);
        assert_eq!(out.code(), Some(2), "{}", out.describe());
        assert!(out.stderr.contains("(HTTP 404)"), "{}", out.stderr);
        assert!(!out.stderr.contains("s3cret-token"), "{}", out.stderr);
        let head = heads.recv_timeout(LIMIT).unwrap();
        assert!(head.starts_with(&format!("{line}\r\n")), "{head}");
        assert_eq!(
            header(&head, "Host"),
            Some(format!("127.0.0.1:{port}").as_str())
        );
        assert_eq!(header(&head, "X-Token"), Some("s3cret-token"), "{head}");
        assert_eq!(header(&head, "X-Two"), Some("2"), "{head}");
    }
}

#[test]
fn proxy_flag_tunnels_pub_and_sub_through_an_http_connect_proxy() {
    let b = Broker::start();
    let (proxy_port, heads) = connect_proxy();
    let proxy = format!("http://user:pr0xy-pw@127.0.0.1:{proxy_port}");
    for (name, t) in transports(&b) {
        let topic = unique(name);
        let sub = subscribed(&t, &topic, &["-C", "1", "-v", "--proxy", &proxy]);
        let out = publish(
            &t,
            &["-t", &topic, "-m", "via proxy", "--proxy", &proxy, "-d"],
            None,
        );
        assert!(out.stderr.contains("via proxy"), "{}", out.stderr);
        let got = sub.finish();
        assert_eq!(
            got.stdout,
            format!("{topic} via proxy\n"),
            "{name}: {}",
            got.describe()
        );
        assert!(!got.stderr.contains("pr0xy-pw") && !out.stderr.contains("pr0xy-pw"));
        let port = if name == "ws" {
            b.ws_port()
        } else {
            b.wss_port()
        };
        for _ in 0..2 {
            let head = heads.recv_timeout(LIMIT).unwrap();
            assert!(
                head.starts_with(&format!("CONNECT 127.0.0.1:{port} HTTP/1.1\r\n")),
                "{head}"
            );
            // base64("user:pr0xy-pw")
            assert_eq!(
                header(&head, "Proxy-Authorization"),
                Some("Basic dXNlcjpwcjB4eS1wdw==")
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Reconnect

#[test]
fn sub_and_pub_l_survive_a_broker_restart_and_sub_subscribes_again() {
    let mut b = Broker::start();
    let [(_, ws), (_, wss)] = transports(&b);
    let topic = unique("restart");
    let line = format!("mqttws: subscribed to {topic} (QoS 1)");
    let mut subs: Vec<Proc> = [&ws, &wss]
        .iter()
        .map(|t| subscribed(t, &topic, &["-C", "2", "-v", "-q", "1", "-k", "5"]))
        .collect();
    let mut cmd = mqttws();
    cmd.arg("pub")
        .args(&ws)
        .args(["-t", &topic, "-l", "-q", "1", "-d"]);
    let mut publisher = Proc::spawn_with_input(&mut cmd, Some(Vec::new()));
    publisher.wait_for_stderr("connected", |l| l.starts_with("mqttws: connected to "));
    let mut stdin = publisher.stdin.take().unwrap();
    stdin.write_all(b"before\n").unwrap();
    for s in &mut subs {
        s.wait_for_stdout(format!("{topic} before\n").len());
    }
    b.stop();
    for s in subs.iter_mut().chain([&mut publisher]) {
        s.wait_for_stderr("connection lost", |l| {
            l.starts_with("mqttws: connection lost: ")
        });
        s.wait_for_stderr("reconnecting", |l| {
            l.starts_with("mqttws: reconnecting in ")
        });
    }
    b.start_again();
    for s in &mut subs {
        s.wait_for_stderr("reconnected", |l| l.starts_with("mqttws: reconnected to "));
        s.wait_for_stderr_line(&line);
    }
    publisher.wait_for_stderr("reconnected", |l| l.starts_with("mqttws: reconnected to "));
    stdin.write_all(b"after\n").unwrap();
    drop(stdin);
    let out = publisher.finish();
    assert_eq!(out.code(), Some(0), "{}", out.describe());
    for s in subs {
        let got = s.finish();
        assert_eq!(got.code(), Some(0), "{}", got.describe());
        assert_eq!(got.stdout, format!("{topic} before\n{topic} after\n"));
    }
}

// ---------------------------------------------------------------------------
// Platforms

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
fn aliyun_sub_and_pub_round_trip_over_wss_with_h_p_overriding_the_endpoint() {
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

    // -h/-p replace the host and port of the region's endpoint (path "/").
    let port = b.wss_auth_port().to_string();
    let mut cmd = mqttws();
    cmd.args([
        "pub",
        "--platform",
        "aliyun",
        "--region",
        "cn-shanghai",
        "-h",
        "127.0.0.1",
        "-p",
        &port,
    ])
    .args(["--product-key", PRODUCT_KEY, "--device-name", "dev-pub"])
    .args(["--timestamp", &aliyun::FIXED_TIMESTAMP_MS.to_string()])
    .args(["--cafile", &ca, "-t", &topic, "-m", "hello aliyun", "-d"])
    .env("MQTTWS_DEVICE_SECRET", DEVICE_SECRET);
    let published = run(&mut cmd);
    assert_eq!(published.code(), Some(0), "pub: {}", published.describe());
    assert!(
        published
            .stderr
            .contains(&format!("mqttws: connecting to wss://127.0.0.1:{port}/\n")),
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

/// The hint lines after a platform's refusal, without the clock line's
/// variable part.
fn assert_hint(stderr: &str, first: &str, platform: &str, causes: &[&str], clock: &str) {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 6, "{stderr}");
    assert_eq!(lines[0], first, "{stderr}");
    assert_eq!(
        lines[1],
        format!("mqttws: {platform} did not accept the credentials; the likely causes:")
    );
    assert_eq!(lines[2], format!("mqttws:   - {}", causes[0]));
    assert_eq!(lines[3], format!("mqttws:   - {}", causes[1]));
    assert!(
        lines[4].starts_with(&format!("mqttws:   - {clock}")),
        "{stderr}"
    );
    assert!(
        lines[5].starts_with("mqttws: 'mqttws creds' with the same platform flags"),
        "{stderr}"
    );
}

#[test]
fn a_wrong_secret_exits_3_naming_the_likely_causes_and_never_echoes_the_secret() {
    let (user, pass) = tencent_login("dev001", PSK);
    let (a_user, a_pass) = aliyun_login("dev001");
    let b = Broker::start_with(
        BrokerConfig::new()
            .password(user, pass)
            .password(a_user, a_pass),
    );
    let url = b.ws_auth_url("/mqtt");
    let refused = "mqttws: connection refused by the broker: not authorized (code 5)";
    // mosquitto's 101 has no Date header.
    let no_date =
        "the clock: the server sent no Date header to compare with; this machine's clock reads ";

    // Tencent, wrong PSK from the environment.
    let mut cmd = mqttws();
    tencent_args(cmd.arg("pub"), &url, "dev001")
        .args(["-t", "t", "-m", "x"])
        .env("MQTTWS_PSK", WRONG_PSK);
    let out = run(&mut cmd);
    assert_eq!(out.code(), Some(3), "{}", out.describe());
    assert_hint(
        &out.stderr,
        refused,
        "Tencent IoT Hub",
        &[
            "the device PSK (--psk or MQTTWS_PSK) is not this device's: copy it again from the console (base64, as shown)",
            "the product id or device name (ABCDEFGHIJ / dev001) differs from the console's",
        ],
        no_date,
    );
    assert!(!out.stderr.contains(WRONG_PSK));

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
    assert_hint(
        &out.stderr,
        refused,
        "Alibaba IoT Platform",
        &[
            "the device secret (--device-secret or MQTTWS_DEVICE_SECRET) is not this device's",
            &format!(
                "the product key or device name ({PRODUCT_KEY} / dev001) differs from the console's"
            ),
        ],
        no_date,
    );
    assert!(!out.stderr.contains(wrong) && !out.stdout.contains(wrong));
}

#[test]
fn a_refusal_measures_the_clock_offset_from_the_servers_date_header() {
    // Tencent: the upgrade succeeds with a Date 10 minutes ahead, then
    // CONNACK refuses (code 5).
    let (port, heads) = scripted_server(
        |head| upgrade_reply(head, &http_date(600)),
        Some(vec![0x82, 0x04, 0x20, 0x02, 0x00, 0x05]),
    );
    let mut cmd = mqttws();
    tencent_args(
        cmd.arg("pub"),
        &format!("ws://127.0.0.1:{port}/mqtt"),
        "dev001",
    )
    .args(["-t", "t", "-m", "x"])
    .env("MQTTWS_PSK", PSK);
    let out = run(&mut cmd);
    assert_eq!(out.code(), Some(3), "{}", out.describe());
    heads.recv_timeout(LIMIT).unwrap();
    let clock = out.stderr.lines().nth(4).unwrap();
    let secs: i64 = clock
        .strip_prefix("mqttws:   - the clock: this machine's clock is ")
        .and_then(|r| r.split_once(" s behind the server's (Date: "))
        .map(|(n, _)| n.parse().unwrap())
        .unwrap_or_else(|| panic!("{}", out.stderr));
    assert!((598..=602).contains(&secs), "{clock}");
    assert!(
        clock.ends_with("GMT); signatures carry the time, so set the clock right (NTP)"),
        "{clock}"
    );

    // Azure: HTTP 401 at the upgrade, Date 5 minutes behind; a clock
    // within a few seconds is declared not the cause.
    for (offset, want) in [
        (-300, "s ahead of the server's"),
        (0, "the clock is probably not the cause"),
    ] {
        let (port, _heads) = scripted_server(
            move |_| {
                format!(
                    "HTTP/1.1 401 Unauthorized\r\nDate: {}\r\nContent-Length: 0\r\n\r\n",
                    http_date(offset)
                )
            },
            None,
        );
        let mut cmd = mqttws();
        cmd.arg("sub")
            .args(AZURE)
            .args([
                "-L",
                &format!("ws://127.0.0.1:{port}/$iothub/websocket"),
                "-t",
                "t",
                "-W",
                "10",
            ])
            .envs(AZURE_KEY_ENV.iter().copied());
        let out = run(&mut cmd);
        assert_eq!(out.code(), Some(3), "{}", out.describe());
        assert!(
            out.stderr
                .starts_with("mqttws: WebSocket handshake failed: "),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr
                .contains("Azure IoT Hub did not accept the credentials"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr
                .contains("the hub or device id (myhub.azure-devices.net / dev001)"),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains(want), "{}", out.stderr);
        assert!(!out.stderr.contains(AZURE_KEY_ENV[0].1));
    }
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

// ---------------------------------------------------------------------------
// creds

/// `mqttws creds` with `args`; the output as `name: value` pairs.
fn creds(args: &[&str], env: &[(&str, &str)]) -> (Vec<(String, String)>, String) {
    let mut cmd = mqttws();
    cmd.arg("creds").args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = run(&mut cmd);
    assert_eq!(out.code(), Some(0), "creds {args:?}: {}", out.describe());
    let pairs = out
        .stdout
        .lines()
        .map(|l| {
            let (k, v) = l.split_once(": ").unwrap_or_else(|| panic!("{l}"));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    (pairs, out.stdout)
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {pairs:?}"))
}

#[test]
fn creds_prints_the_reference_vectors_and_the_password_only_when_asked() {
    // Tencent (platform-auth.md 2.4), hmacsha1 and hmacsha256.
    let tencent = [
        "--platform",
        "tencent",
        "--product-id",
        "ABCDEFGHIJ",
        "--device-name",
        "dev001",
        "--connid",
        "abcde",
        "--expiry",
        "1700000000",
        "--time",
        "2023-11-14T00:00:00Z",
    ];
    let (hidden, text) = creds(&tencent, &[("MQTTWS_PSK", PSK)]);
    assert_eq!(
        text,
        "platform: Tencent IoT Hub\ntime: 2023-11-14T00:00:00Z (1699920000)\n\
         url: wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt\n\
         client_id: ABCDEFGHIJdev001\nusername: ABCDEFGHIJdev001;12010126;abcde;1700000000\n\
         password: (hidden; --show-password prints it)\n"
    );
    assert_eq!(field(&hidden, "client_id"), "ABCDEFGHIJdev001");
    for (method, password) in [
        (
            "hmacsha1",
            "4503b73274d953b0d5cf14777dbddbd2d9ae67b6;hmacsha1",
        ),
        (
            "hmacsha256",
            "ee0578a13c87a73422451cef483983c7681f1e954149f82f799a29bb961ecd03;hmacsha256",
        ),
    ] {
        let args = [
            &tencent[..],
            &["--sign-method", method, "--show-password", "--scheme", "ws"],
        ]
        .concat();
        let (shown, _) = creds(&args, &[("MQTTWS_PSK", PSK)]);
        assert_eq!(field(&shown, "password"), password);
        assert_eq!(
            field(&shown, "url"),
            "ws://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt"
        );
    }

    // Alibaba (3.3): the documented example, ws (securemode 3), uppercase hex.
    let aliyun = [
        "--platform",
        "aliyun",
        "--product-key",
        "pk",
        "--device-name",
        "device",
        "-i",
        "12345",
        "--timestamp",
        "789",
        "--device-secret",
        "secret",
        "--region",
        "cn-shanghai",
        "--scheme",
        "ws",
    ];
    for (method, hex) in [
        ("hmacsha1", "fafd82a3d602b37fb0fa8b7892f24a477f851a14"),
        (
            "hmacsha256",
            "6074a46a91b1ebb2cc4ea42790ad0e80202c9843859fc292e57c4eb19fad9e57",
        ),
        ("hmacmd5", "14b198324fe55e1d3c88f2e705e201ee"),
    ] {
        let (shown, _) = creds(
            &[&aliyun[..], &["--sign-method", method, "--show-password"]].concat(),
            &[],
        );
        assert_eq!(
            field(&shown, "client_id"),
            format!("12345|securemode=3,signmethod={method},timestamp=789|")
        );
        assert_eq!(field(&shown, "username"), "device&pk");
        assert_eq!(field(&shown, "password"), hex.to_uppercase());
        assert_eq!(
            field(&shown, "url"),
            "ws://pk.iot-as-mqtt.cn-shanghai.aliyuncs.com:443/"
        );
    }

    // AWS (4.3): the presigned URL, its query hidden unless asked.
    let aws = [
        "--platform",
        "aws",
        "-h",
        "example-ats.iot.us-east-1.amazonaws.com",
        "--access-key-id",
        "AKIDEXAMPLE",
        "-i",
        "dev001",
        "--time",
        "1440938160",
    ];
    let secret = [(
        "MQTTWS_SECRET_ACCESS_KEY",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    )];
    let signature = "026c20a61bae0c9e109ab3720b96164d965f64dfc0dd03bfc9f1152ab1d323f9";
    let (hidden, text) = creds(&aws, &secret);
    assert_eq!(
        field(&hidden, "url"),
        "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt?... (hidden; --show-password prints it)"
    );
    assert!(
        !text.contains(signature) && !text.contains("wJalrXUtnFEMI"),
        "{text}"
    );
    assert_eq!(field(&hidden, "time"), "2015-08-30T12:36:00Z (1440938160)");
    assert_eq!(field(&hidden, "password"), "(none)");
    let (shown, _) = creds(&[&aws[..], &["--show-password"]].concat(), &secret);
    assert_eq!(
        field(&shown, "url"),
        format!(
            "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fiotdevicegateway%2Faws4_request\
             &X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}"
        )
    );
    let token = [
        secret[0],
        ("MQTTWS_SESSION_TOKEN", "AQoDYXdzEXAMPLETOKEN+/="),
    ];
    let (shown, _) = creds(&[&aws[..], &["--show-password"]].concat(), &token);
    assert!(field(&shown, "url").ends_with(&format!(
        "&X-Amz-Signature={signature}&X-Amz-Security-Token=AQoDYXdzEXAMPLETOKEN%2B%2F%3D"
    )));

    // Azure (5): se = time + 3600. Huawei (6): the UTC hour is signed.
    let azure = [&AZURE[..], &["--time", "1699996400", "--show-password"]].concat();
    let huawei = [
        "--platform",
        "huawei",
        "-h",
        "iot.example.com",
        "--device-id",
        "65a1b2c3d4e5f6a7b8c9d0e1_dev001",
        "--time",
        "2024-01-01T12:34:56Z",
        "--show-password",
    ];
    let huawei_env = &[("MQTTWS_DEVICE_SECRET", "mySecret123")][..];
    for (args, env, want) in [
        (
            &azure[..],
            AZURE_KEY_ENV,
            [
                (
                    "password",
                    "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdev001&sig=IyzAVunfpol%2Bok6JBPSlNvjj7eJ8GKMNNYoV7bsMqiw%3D&se=1700000000",
                ),
                (
                    "username",
                    "myhub.azure-devices.net/dev001/?api-version=2021-04-12",
                ),
                ("client_id", "dev001"),
            ],
        ),
        (
            &huawei[..],
            huawei_env,
            [
                (
                    "password",
                    "5cbe3a5a502c0c74bab04dc9cc4a88e499e4dc1e207a742ca1ffc753a4266679",
                ),
                (
                    "client_id",
                    "65a1b2c3d4e5f6a7b8c9d0e1_dev001_0_0_2024010112",
                ),
                ("url", "wss://iot.example.com/mqtt"),
            ],
        ),
    ] {
        let (shown, _) = creds(args, env);
        for (name, value) in want {
            assert_eq!(field(&shown, name), value, "{args:?}");
        }
    }

    // The clock: without --time, now.
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (now, _) = creds(&AZURE, AZURE_KEY_ENV);
    let secs: u64 = field(&now, "time")
        .rsplit_once('(')
        .unwrap()
        .1
        .trim_end_matches(')')
        .parse()
        .unwrap();
    assert!((before..=before + 5).contains(&secs), "{secs}");
    let out = run(mqttws().args(["creds", "--platform", "azure", "--time", "yesterday"]));
    assert_eq!(out.code(), Some(1), "{}", out.describe());
    assert!(
        out.stderr
            .contains("--time \"yesterday\" is neither UNIX seconds nor an RFC 3339 time")
    );
}

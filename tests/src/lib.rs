//! A real mosquitto broker for the mqttws test suites (Rust, Python, Go).
//!
//! [`Broker::start`] runs the Debian mosquitto (2.0.11, `/usr/sbin/mosquitto`, or `$MOSQUITTO`;
//! `mosquitto_passwd` from PATH or `$MOSQUITTO_PASSWD`;
//! install with `apt-get install -y mosquitto mosquitto-clients`) in a fresh temporary
//! directory, with certificates generated at run time by rcgen ([`TestPki`]) and every
//! listener on a free loopback port picked at run time. Nothing is fixed, nothing sleeps:
//! start-up waits (at most 10 s) for mosquitto's own log lines, stop waits (at most 5 s)
//! for its stderr to close.
//!
//! # Listeners
//!
//! All on `127.0.0.1`, each on its own port ([`Ports`]):
//!
//! | name       | transport            | who may connect | why |
//! |------------|----------------------|-----------------|-----|
//! | `tcp`      | plain MQTT over TCP  | anyone          | cross-checks with `mosquitto_pub`/`mosquitto_sub` (which cannot speak WebSocket) |
//! | `ws`       | WebSocket            | anyone          | the basic transport under test |
//! | `wss`      | WebSocket + TLS      | anyone          | TLS: server certificate for `127.0.0.1`/`localhost` signed by the test CA; wrong-CA tests use [`Broker::wrong_ca_pem`] |
//! | `wss_mtls` | WebSocket + TLS      | client certificate signed by the test CA (`require_certificate true`) | mutual TLS ([`Broker::client_cert_pem`], [`Broker::client_key_pem`]) |
//! | `ws_auth`  | WebSocket            | username + password from [`BrokerConfig::passwords`] | MQTT username/password auth, bad-credential tests |
//! | `wss_auth` | WebSocket + TLS      | username + password | cloud presets (token as password) are tested over wss |
//!
//! mosquitto accepts any HTTP path on its WebSocket listeners; the URL accessors take the
//! path (`broker.ws_url("/mqtt")` → `ws://127.0.0.1:PORT/mqtt`). Use `127.0.0.1`, not
//! `localhost`: the WebSocket listeners do not listen on `::1`.
//!
//! Global options: `per_listener_settings true` (so each listener has its own
//! `allow_anonymous`/`password_file`; in 2.0 every listener must then say
//! `allow_anonymous true` explicitly), `max_queued_messages 1000000`, `max_queued_bytes 0`,
//! `max_inflight_messages 20`, `set_tcp_nodelay true`, `sys_interval 0`, no packet size
//! limit (2 MiB payloads pass), `connection_messages true`, log types error, warning,
//! notice and information to stderr (captured: [`Broker::log`]; not subscribe/debug/
//! websockets, which are per-message noise). Persistence is off unless
//! [`BrokerConfig::persistence`].
//!
//! # Two mosquitto traps
//!
//! 1. mosquitto 2.0.11 ignores the IP address of a `protocol websockets` listener and binds
//!    every interface (fixed in 2.0.12). libwebsockets accepts an interface name, so the
//!    WebSocket listeners are `listener PORT lo`; they then listen on
//!    `[::ffff:127.0.0.1]:PORT`, which `127.0.0.1` reaches.
//! 2. mosquitto started as root drops privileges to the user `mosquitto`, so the temporary
//!    directory is chmod 0755 and every certificate, key and password file 0644 (throwaway
//!    test material); the persistence directory `data/` is 0777 because mosquitto writes it.
//!
//! # Start-up and shutdown details
//!
//! - mosquitto logs "Opening ... listen socket on port N." *before* binding, so start-up
//!   waits for "mosquitto version X running" (logged after all binds succeeded), checks that
//!   every port was opened, then confirms each port with a TCP connect.
//! - 2.0.11 logs "running" *before* it sets its `run` flag, so a SIGTERM arriving right after
//!   that line is lost (the handler clears the flag, which is then set again) and the broker
//!   ignores it. Start-up therefore ends with an MQTT CONNECT/CONNACK on the plain TCP
//!   listener, which mosquitto only answers from its main loop.
//! - Children inherit the signal mask since Rust 1.66, and mosquitto restores the mask it
//!   started with around its epoll wait: a caller that blocks SIGTERM (as the binary does,
//!   to sigwait() for it) would give mosquitto a SIGTERM that stays pending forever. The
//!   fixture clears the mask in the child before exec.
//! - A bind lost to another process (the free port was taken between probing and
//!   mosquitto's bind) is retried with new ports, up to 3 times; [`Broker::start_again`]
//!   must reuse its ports and cannot retry.
//! - A WebSocket handshake to an idle 2.0.x broker takes ~200 ms (its 100 ms idle tick);
//!   that is expected.
//! - The same tick throttles large messages from the broker to a ws/wss client: mosquitto
//!   services libwebsockets once per main-loop pass, which on an idle broker is every
//!   100 ms, and writes about 4 KiB per pass (eclipse/mosquitto#1390). Measured here:
//!   16 KiB ≈ 0.3 s, 64 KiB ≈ 1.5 s, 256 KiB ≈ 6.3 s, 1 MiB ≈ 26 s, ws and wss alike.
//!   Client to broker is fast (a 2 MiB PUBLISH is PUBACKed in well under a second) and the
//!   plain TCP listener is fast both ways. Size timeouts of large-receive tests accordingly,
//!   or check large payloads via the TCP listener.
//!
//! # The `mqttws-test-broker` binary
//!
//! For the Python, Go and JavaScript suites. Starts a [`Broker`], prints ONE line of JSON
//! on stdout, then runs until its stdin reaches EOF (close it, or die) or it gets
//! SIGTERM/SIGINT/SIGHUP, and then stops the broker (SIGTERM, so persistence is saved) and
//! exits 0. Keep stdin a pipe: with `/dev/null` it stops at once (unless `--ignore-stdin`).
//! SIGKILL of the binary leaves mosquitto running: close stdin or send SIGTERM instead.
//!
//! Lines written to its stdin restart the broker on the same ports, for reconnect tests:
//! `stop` stops mosquitto (SIGTERM, as above) and `start` starts it again
//! ([`Broker::start_again`]); each is answered with the JSON line again (`"pid": null`
//! while stopped). Other lines are ignored.
//!
//! ```text
//! mqttws-test-broker [--password USER=PASS]... [--user USER PASS]... [--persistence]
//!                    [--extra-config LINE]... [--path /mqtt] [--ignore-stdin] [--print-log]
//! ```
//!
//! `--password` splits at the first `=` (the username cannot contain `=`); `--user` takes
//! username and password as two arguments (any characters). `--path` sets the path of the
//! URLs in the JSON (default `/mqtt`). `--print-log` writes mosquitto's log to stderr on exit.
//!
//! JSON keys (values are strings unless noted):
//!
//! - `pid` (number): mosquitto's process id; `dir`: the temporary directory; `host`: `"127.0.0.1"`
//! - `tcp_port`, `ws_port`, `wss_port`, `wss_mtls_port`, `ws_auth_port`, `wss_auth_port` (numbers)
//! - `ws_url`, `wss_url`, `wss_mtls_url`, `ws_auth_url`, `wss_auth_url`: e.g.
//!   `"ws://127.0.0.1:40123/mqtt"`
//! - `ca_pem_path`, `wrong_ca_pem_path`, `server_cert_path`, `client_cert_path`,
//!   `client_key_path`: PEM files (keys are PKCS#8, ECDSA P-256)
//! - `config_path`: the generated mosquitto.conf
//! - `persistence` (bool); `persistence_path`: the database file, or `null`
//! - `users` (array of strings): the usernames accepted by the `*_auth` listeners
//!
//! ```text
//! {"pid":4242,"dir":"/tmp/mqttws-broker-Ab12","host":"127.0.0.1","tcp_port":40121,...}
//! ```

//! # Other brokers
//!
//! [`interop`] runs the same checks against ten other brokers (HiveMQ CE, ActiveMQ
//! Artemis and Classic, Moquette, RabbitMQ, ejabberd, Aedes, Mochi MQTT, amqtt,
//! rumqttd), started through `tests/interop/broker`; see docs/interop.md.

mod broker;
mod certs;
pub mod interop;
pub mod relay;

pub use broker::{Broker, BrokerConfig, HOST, Ports};
pub use certs::TestPki;
pub use relay::{Direction, Fault, Relay};

/// A name unique to this process and call (`{prefix}-{pid}-{n}`), for client
/// ids and topics, so tests running in parallel on one broker never share
/// them.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Interrupts a client again and again (every 10 ms) until stopped, from a
/// thread of its own: an interrupt ends only the calls in progress when it
/// happens, and a test cannot see the moment its call starts blocking, so
/// it keeps interrupting until the call has returned.
pub struct RepeatedInterrupt {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<std::time::Instant>,
}

impl RepeatedInterrupt {
    /// Starts interrupting through `handle`.
    pub fn start(handle: mqttws::InterruptHandle) -> RepeatedInterrupt {
        use std::sync::atomic::Ordering;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut last = std::time::Instant::now();
            while !flag.load(Ordering::SeqCst) {
                handle.interrupt();
                last = std::time::Instant::now();
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            last
        });
        RepeatedInterrupt { stop, thread }
    }

    /// Stops; returns when the last interrupt was sent.
    pub fn stop(self) -> std::time::Instant {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.thread.join().expect("the interrupting thread")
    }
}

//! Runs a test broker for the Python and Go suites; see the `mqttws_tests` crate docs for
//! the command line and the JSON line printed on stdout.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::sync::mpsc;
use std::thread;

use mqttws_tests::{Broker, BrokerConfig, HOST};

const USAGE: &str = "usage: mqttws-test-broker [--password USER=PASS]... [--user USER PASS]... \
[--persistence] [--extra-config LINE]... [--path /mqtt] [--ignore-stdin] [--print-log]";

struct Args {
    config: BrokerConfig,
    path: String,
    ignore_stdin: bool,
    print_log: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        config: BrokerConfig::new(),
        path: "/mqtt".into(),
        ignore_stdin: false,
        print_log: false,
    };
    let mut it = std::env::args().skip(1);
    let value = |it: &mut dyn Iterator<Item = String>, flag: &str| {
        it.next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--password" => {
                let v = value(&mut it, "--password")?;
                let (user, pass) = v
                    .split_once('=')
                    .ok_or_else(|| format!("--password expects USER=PASS, got {v:?}"))?;
                args.config.passwords.push((user.into(), pass.into()));
            }
            "--user" => {
                let user = value(&mut it, "--user")?;
                let pass = value(&mut it, "--user USER")?;
                args.config.passwords.push((user, pass));
            }
            "--persistence" => args.config.persistence = true,
            "--extra-config" => {
                let line = value(&mut it, "--extra-config")?;
                args.config.extra_config.push(line);
            }
            "--path" => args.path = value(&mut it, "--path")?,
            "--ignore-stdin" => args.ignore_stdin = true,
            "--print-log" => args.print_log = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(args)
}

/// A JSON string literal.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_line(broker: &Broker, path: &str) -> String {
    let p = broker.ports();
    let s = |v: &str| json_str(v);
    let file = |v: &std::path::Path| json_str(&v.to_string_lossy());
    let users: Vec<String> = broker
        .config()
        .passwords
        .iter()
        .map(|(u, _)| json_str(u))
        .collect();
    let fields = [
        ("pid", broker.pid().map_or("null".into(), |p| p.to_string())),
        ("dir", file(broker.dir())),
        ("host", s(HOST)),
        ("tcp_port", p.tcp.to_string()),
        ("ws_port", p.ws.to_string()),
        ("wss_port", p.wss.to_string()),
        ("wss_mtls_port", p.wss_mtls.to_string()),
        ("ws_auth_port", p.ws_auth.to_string()),
        ("wss_auth_port", p.wss_auth.to_string()),
        ("ws_url", s(&broker.ws_url(path))),
        ("wss_url", s(&broker.wss_url(path))),
        ("wss_mtls_url", s(&broker.wss_mtls_url(path))),
        ("ws_auth_url", s(&broker.ws_auth_url(path))),
        ("wss_auth_url", s(&broker.wss_auth_url(path))),
        ("ca_pem_path", file(broker.ca_pem_path())),
        ("wrong_ca_pem_path", file(broker.wrong_ca_pem_path())),
        ("server_cert_path", file(broker.server_cert_path())),
        ("client_cert_path", file(broker.client_cert_path())),
        ("client_key_path", file(broker.client_key_path())),
        ("config_path", file(broker.config_path())),
        ("persistence", broker.config().persistence.to_string()),
        (
            "persistence_path",
            broker
                .persistence_path()
                .map_or("null".into(), |p| file(&p)),
        ),
        ("users", format!("[{}]", users.join(","))),
    ];
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{v}", json_str(k)))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// Blocks SIGTERM, SIGINT and SIGHUP in this (and every later) thread, so that they can be
/// received with sigwait(2). Must run before any thread is spawned. (Children spawned by
/// std::process::Command get an empty signal mask again.)
fn block_stop_signals() -> libc::sigset_t {
    // SAFETY: sigset_t is plain data initialised by sigemptyset; the calls only read/write it.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGHUP);
        let rc = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        assert_eq!(rc, 0, "pthread_sigmask failed");
        set
    }
}

enum Reason {
    StdinClosed,
    Signal(i32),
    /// A line on stdin: `stop` or `start` (see the crate docs).
    Command(String),
}

fn main() -> ExitCode {
    let signals = block_stop_signals();
    let args = match parse_args() {
        Ok(args) => args,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };

    let (tx, rx) = mpsc::channel();
    {
        let tx = tx.clone();
        thread::spawn(move || {
            let mut sig: libc::c_int = 0;
            // SAFETY: `signals` is an initialised set; `sig` is a valid out-pointer.
            if unsafe { libc::sigwait(&signals, &mut sig) } == 0 {
                let _ = tx.send(Reason::Signal(sig));
            }
        });
    }

    let mut broker = Broker::start_with(args.config);

    let line = json_line(&broker, &args.path);
    let mut stdout = io::stdout().lock();
    let printed = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
    drop(stdout);
    if let Err(e) = printed {
        eprintln!("mqttws-test-broker: cannot write to stdout ({e}); stopping");
        broker.stop();
        return ExitCode::FAILURE;
    }

    if !args.ignore_stdin {
        thread::spawn(move || {
            for line in io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if tx.send(Reason::Command(line.trim().to_owned())).is_err() {
                    return;
                }
            }
            let _ = tx.send(Reason::StdinClosed);
        });
    }
    // `stop` and `start` let a harness restart the broker on the same ports
    // (reconnect tests); each is answered with the JSON line (pid null while
    // stopped). Other lines are ignored.
    let reason = loop {
        match rx.recv() {
            Ok(Reason::Command(c)) if c == "stop" || c == "start" => {
                if c == "stop" {
                    broker.stop();
                } else {
                    broker.start_again();
                }
                let mut stdout = io::stdout().lock();
                if writeln!(stdout, "{}", json_line(&broker, &args.path))
                    .and_then(|()| stdout.flush())
                    .is_err()
                {
                    break Ok(Reason::StdinClosed);
                }
            }
            Ok(Reason::Command(_)) => {}
            other => break other,
        }
    };
    broker.stop();
    if args.print_log {
        let why = match reason {
            Ok(Reason::StdinClosed) => "stdin closed".to_string(),
            Ok(Reason::Signal(sig)) => format!("signal {sig}"),
            Ok(Reason::Command(_)) | Err(_) => "no more wake-up sources".to_string(),
        };
        eprintln!(
            "mqttws-test-broker: stopped ({why}); mosquitto log:\n{}",
            broker.log()
        );
    }
    ExitCode::SUCCESS
}

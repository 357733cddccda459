//! `mqttws`: MQTT 3.1.1 over WebSocket from the shell, in the manner of
//! `mosquitto_sub` / `mosquitto_pub`, with cloud platform signing.
//!
//! ```text
//! mqttws sub [--url URL | --platform P ...] -t FILTER... [-q QOS] [-C N] [-W SECS] [-v] [-d]
//! mqttws pub [--url URL | --platform P ...] -t TOPIC (-m TEXT | -f PATH) [-q QOS] [-r]
//! ```
//!
//! Exit codes: 0 success, 1 usage or configuration, 2 connection, 3 refused
//! by the broker, 4 timeout (see `mqttws --help`). Errors are one line on
//! stderr, `mqttws: ` followed by the library's message, which never
//! contains a secret.

#![forbid(unsafe_code)]

mod args;
mod platform;

use std::fmt;
use std::io::{self, Read, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};
use mqttws::{Client, ClientOptions, ErrorKind, QoS, qos_from_u8};

use args::{Cli, Command, Common, PubArgs, SubArgs};
use platform::Target;

/// Connect and acknowledgement deadline when `-W` is not given.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the program failed; each kind has its exit code.
#[derive(Debug)]
pub(crate) enum CliError {
    /// Bad flags or configuration (exit 1).
    Usage(String),
    /// The broker refused something other than the connection (exit 3).
    Refused(String),
    /// `-W` elapsed (exit 4).
    Timeout(String),
    /// Standard output or input failed (exit 2).
    Io(String),
    /// An error from the library; the code depends on its kind.
    Mqtt(mqttws::Error),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => 1,
            Self::Io(_) => 2,
            Self::Refused(_) => 3,
            Self::Timeout(_) => 4,
            Self::Mqtt(e) => match e.kind() {
                ErrorKind::InvalidArgument | ErrorKind::Auth => 1,
                ErrorKind::ConnectionRefused => 3,
                // A cloud that refuses the signature at the upgrade (AWS, Azure).
                ErrorKind::Handshake
                    if matches!(
                        e,
                        mqttws::Error::Handshake {
                            status: Some(401 | 403),
                            ..
                        }
                    ) =>
                {
                    3
                }
                ErrorKind::Timeout => 4,
                _ => 2,
            },
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(m) | Self::Refused(m) | Self::Timeout(m) | Self::Io(m) => f.write_str(m),
            Self::Mqtt(e) => write!(f, "{e}"),
        }
    }
}

impl From<mqttws::Error> for CliError {
    fn from(e: mqttws::Error) -> Self {
        Self::Mqtt(e)
    }
}

fn main() -> ExitCode {
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            // Help and version go to stdout with status 0; usage errors to
            // stderr with status 1 (clap's own default would be 2, which
            // here means a connection error).
            let code = u8::from(e.use_stderr());
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = Cli::from_arg_matches(&matches)
        .map_err(|e| CliError::Usage(e.to_string()))
        .and_then(|cli| {
            let sub = matches
                .subcommand()
                .map(|(_, m)| m)
                .expect("a subcommand is required");
            run(cli.command, sub)
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mqttws: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(command: Command, matches: &ArgMatches) -> Result<(), CliError> {
    let given = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    match command {
        Command::Sub(args) => sub(args, &given),
        Command::Pub(args) => publish(args, &given),
    }
}

/// Progress messages on stderr, with `-d`.
struct Debug(bool);

impl Debug {
    fn say(&self, msg: fmt::Arguments<'_>) {
        if self.0 {
            eprintln!("mqttws: {msg}");
        }
    }
}

fn sub(args: SubArgs, given: &dyn Fn(&str) -> bool) -> Result<(), CliError> {
    let target = platform::resolve(&args.common, given)?;
    let qos = qos_from_u8(args.qos)?;
    let debug = Debug(args.common.conn.debug);
    let deadline = args
        .common
        .conn
        .timeout
        .map(|s| Instant::now() + Duration::from_secs(s));
    let client = connect(&target, &args.common, deadline, &debug)?;
    let filters: Vec<(&str, QoS)> = args.topics.iter().map(|t| (t.as_str(), qos)).collect();
    let granted = client.subscribe(&filters)?;
    for (filter, granted) in args.topics.iter().zip(granted) {
        match granted {
            Some(q) => debug.say(format_args!("subscribed to {filter} (QoS {})", q as u8)),
            None => {
                return Err(CliError::Refused(format!(
                    "the broker refused the subscription to {filter}"
                )));
            }
        }
    }
    let mut received = 0u64;
    let mut out = io::stdout().lock();
    while args.count.is_none_or(|n| received < n) {
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let message = match left {
            Some(Duration::ZERO) => None,
            _ => client.recv(left)?,
        };
        let Some(m) = message else {
            let of = args.count.map(|n| format!(" of {n}")).unwrap_or_default();
            return Err(CliError::Timeout(format!(
                "timed out after {} s: received {received}{of} messages",
                args.common.conn.timeout.unwrap_or_default()
            )));
        };
        received += 1;
        let line = if args.verbose {
            [m.topic.as_bytes(), b" ", &m.payload, b"\n"].concat()
        } else {
            [&m.payload[..], b"\n"].concat()
        };
        match out.write_all(&line).and_then(|()| out.flush()) {
            Ok(()) => {}
            // The reader went away (`| head -1`): a normal end.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => break,
            Err(e) => {
                return Err(CliError::Io(format!(
                    "cannot write to standard output: {e}"
                )));
            }
        }
    }
    // Everything asked for has arrived; a failing goodbye changes nothing.
    let _ = client.disconnect();
    Ok(())
}

fn publish(args: PubArgs, given: &dyn Fn(&str) -> bool) -> Result<(), CliError> {
    let target = platform::resolve(&args.common, given)?;
    let qos = qos_from_u8(args.qos)?;
    let debug = Debug(args.common.conn.debug);
    let payload = match (&args.message, &args.file) {
        (Some(text), _) => text.clone().into_bytes(),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut buf = Vec::new();
            io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| CliError::Io(format!("cannot read standard input: {e}")))?;
            buf
        }
        (None, Some(path)) => std::fs::read(path)
            .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?,
        (None, None) => unreachable!("clap requires -m or -f"),
    };
    let timeout = Duration::from_secs(
        args.common
            .conn
            .timeout
            .unwrap_or(DEFAULT_TIMEOUT.as_secs()),
    );
    let deadline = Instant::now() + timeout;
    let client = connect(&target, &args.common, Some(deadline), &debug)?;
    if let Some(id) = client.publish(&args.topic, payload, qos, args.retain)? {
        client.wait_for(id, Some(deadline.saturating_duration_since(Instant::now())))?;
        debug.say(format_args!(
            "published to {} (QoS {}, acknowledged)",
            args.topic, args.qos
        ));
    } else {
        debug.say(format_args!("published to {} (QoS 0)", args.topic));
    }
    client.disconnect()?;
    Ok(())
}

/// Builds the client and connects, within `deadline` if there is one.
fn connect(
    target: &Target,
    c: &Common,
    deadline: Option<Instant>,
    debug: &Debug,
) -> Result<Client, CliError> {
    let conn = &c.conn;
    let timeout = match deadline {
        Some(d) => d
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1)),
        None => DEFAULT_TIMEOUT,
    };
    let mut o = ClientOptions::new(target.url.as_str())
        .keepalive(conn.keepalive)
        .connect_timeout(timeout)
        .operation_timeout(timeout);
    if let Some(id) = &target.client_id {
        o = o.client_id(id.as_str());
    }
    match &target.login {
        Some((user, Some(password))) => o = o.credentials(user.as_str(), password.as_str()),
        Some((user, None)) => o = o.username(user.as_str()),
        None => {}
    }
    if let Some(provider) = &target.provider {
        o = o.credential_provider(provider.clone());
    }
    if let Some(ca) = &conn.cafile {
        o = o.ca_file(ca);
    }
    if let (Some(cert), Some(key)) = (&conn.cert, &conn.key) {
        o = o.client_cert_files(cert, key);
    }
    if conn.insecure {
        o = o.insecure_skip_verify(true);
    }
    let client = Client::new(o)?;
    debug.say(format_args!("connecting to {}", target.display_url));
    client.connect()?;
    debug.say(format_args!("connected to {}", target.display_url));
    Ok(client)
}

//! `mqttws`: MQTT 3.1.1 and 5 over WebSocket from the shell, with the flags
//! of `mosquitto_sub` / `mosquitto_pub`, and cloud platform signing.
//!
//! ```text
//! mqttws sub [-h HOST] [-p PORT] [-L URL | --platform P ...] -t FILTER... [-v | -F FORMAT] [-C N] [-W SECS]
//! mqttws pub [-h HOST] [-p PORT] [-L URL | --platform P ...] -t TOPIC (-m TEXT | -f PATH | -l | -s | -n)
//! mqttws creds --platform P ... [--time T] [--show-password]
//! ```
//!
//! Exit codes: 0 success, 1 usage or configuration, 2 connection, 3 refused
//! by the broker, 4 timeout (see `mqttws --help`). Errors are one line on
//! stderr, `mqttws: ` followed by the library's message, which never
//! contains a secret; a platform's refusal adds the likely causes.

#![forbid(unsafe_code)]

mod args;
mod format;
mod json;
#[cfg(test)]
mod man;
mod platform;
mod v5;

use std::fmt;
use std::io::{self, BufRead, Read, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::{self, TryRecvError};
use std::time::{Duration, Instant, SystemTime};

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use mqttws::codec::{check_topic_filter, check_topic_name, topic_matches};
use mqttws::properties::reason_code_name;
use mqttws::{
    Bytes, Client, ClientOptions, ConnectInfo, ErrorKind, Event, ProxyConfig, PublishProperties,
    QoS, ReconnectPolicy, RetainHandling, SubscribeOptions, SubscribeProperties, Will, WsUrl,
    qos_from_u8,
};

use args::{Cli, Command, Common, CredsArgs, PubArgs, SubArgs};
use format::{Format, Output};
use platform::{Target, usage};
use v5::{Mqtt5, Role};

/// Connect and acknowledgement deadline when `-W` is not given.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A clock within this many seconds of the server's `Date` is not blamed.
const CLOCK_TOLERANCE_SECS: i64 = 5;

/// How long `pub -l` serves the connection between two looks at standard
/// input: the most a line waits before it is published.
const LINE_SLICE: Duration = Duration::from_millis(50);

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
    /// A platform refused the credentials: the error, then what to check.
    Hinted(mqttws::Error, Vec<String>),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => 1,
            Self::Io(_) => 2,
            Self::Refused(_) => 3,
            Self::Timeout(_) => 4,
            Self::Mqtt(e) | Self::Hinted(e, _) => match e.kind() {
                ErrorKind::InvalidArgument | ErrorKind::Auth => 1,
                ErrorKind::ConnectionRefused | ErrorKind::Rejected => 3,
                // A cloud that refuses the signature at the upgrade (AWS, Azure).
                ErrorKind::Handshake if is_upgrade_refusal(e) => 3,
                ErrorKind::Timeout => 4,
                _ => 2,
            },
        }
    }
}

/// HTTP 401/403 at the WebSocket upgrade: the credentials were refused.
fn is_upgrade_refusal(e: &mqttws::Error) -> bool {
    matches!(
        e,
        mqttws::Error::Handshake {
            status: Some(401 | 403),
            ..
        }
    )
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(m) | Self::Refused(m) | Self::Timeout(m) | Self::Io(m) => f.write_str(m),
            Self::Mqtt(e) => write!(f, "{e}"),
            // Every line gets the program's prefix, as the first one does.
            Self::Hinted(e, hint) => {
                write!(f, "{e}")?;
                hint.iter()
                    .try_for_each(|line| write!(f, "\nmqttws: {line}"))
            }
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
        .and_then(|cli| match matches.subcommand() {
            Some((_, sub)) => run(cli.command, sub),
            None => Err(usage("a subcommand is required: sub, pub or creds")),
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
    // Not every subcommand has every argument: an unknown id is not given.
    let given = |id: &str| {
        matches.try_contains_id(id).unwrap_or(false)
            && matches.value_source(id) == Some(ValueSource::CommandLine)
    };
    // Each -D with its own three or four values.
    let properties: Vec<Vec<String>> = matches
        .try_get_occurrences::<String>("properties")
        .ok()
        .flatten()
        .map(|all| all.map(|one| one.cloned().collect()).collect())
        .unwrap_or_default();
    match command {
        Command::Sub(mut args) => {
            args.common.conn.properties = properties;
            sub(args, &given)
        }
        Command::Pub(mut args) => {
            args.common.conn.properties = properties;
            publish(args, &given)
        }
        Command::Creds(args) => creds(args, &given),
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

/// The connection target of `sub` and `pub` and the MQTT version (`None`:
/// 3.1.1), once every flag is checked.
fn target(
    c: &Common,
    given: &dyn Fn(&str) -> bool,
    role: Role,
    retain_as_published: bool,
) -> Result<(Target, Option<Mqtt5>), CliError> {
    let v5 = v5::resolve(c, role, retain_as_published)?;
    let target = platform::resolve(
        &c.endpoint,
        &c.platform,
        Some(&c.conn),
        given,
        SystemTime::now(),
    )?;
    Ok((target, v5))
}

fn sub(args: SubArgs, given: &dyn Fn(&str) -> bool) -> Result<(), CliError> {
    let c = &args.common;
    let (target, v5) = target(c, given, Role::Sub, args.retain_as_published)?;
    let qos = qos_from_u8(args.qos)?;
    // As mosquitto_sub does, -R under MQTT 5 also asks the broker not to
    // send retained messages at all.
    let subscription = Subscription {
        topics: &args.topics,
        options: SubscribeOptions {
            retain_as_published: args.retain_as_published,
            retain_handling: match (&v5, args.no_retained) {
                (Some(_), true) => RetainHandling::DoNotSend,
                _ => RetainHandling::SendAlways,
            },
            ..SubscribeOptions::qos(qos)
        },
        properties: v5.as_ref().map(|m| m.subscribe.clone()).unwrap_or_default(),
    };
    for filter in args.filter_out.iter().chain(&args.unsubscribe) {
        check_topic_filter(filter)?;
    }
    let tz = TimeZone::try_system().unwrap_or(TimeZone::UTC);
    let format = match &args.format {
        Some(f) => Some(Format::parse(f, &tz).map_err(CliError::Usage)?),
        None => None,
    };
    let output = Output {
        format,
        verbose: args.verbose,
        eol: !args.no_eol,
        pretty: args.pretty,
        tz,
    };
    let debug = Debug(c.conn.debug);
    let deadline = c
        .conn
        .timeout
        .map(|s| Instant::now() + Duration::from_secs(s));
    // As mosquitto_sub does, reconnect after a drop and subscribe again
    // (here, not in the library, so that -d can report the new SUBACK).
    let policy = ReconnectPolicy {
        restore_subscriptions: false,
        ..ReconnectPolicy::default()
    };
    let client = connect(&target, c, v5.as_ref(), deadline, &debug, Some(policy))?;
    subscribe(&client, &subscription, &debug)?;
    if !args.unsubscribe.is_empty() {
        let properties = v5.as_ref().map(|m| m.unsubscribe.clone());
        unsubscribe(&client, &args.unsubscribe, properties, &debug)?;
    }
    if args.exit_after_subscribe {
        let _ = client.disconnect();
        return Ok(());
    }
    let mut printed = 0u64;
    let mut out = io::stdout().lock();
    let mut buf = Vec::new();
    while args.count.is_none_or(|n| printed < n) {
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let event = match left {
            Some(Duration::ZERO) => None,
            _ => client.poll(left)?,
        };
        let Some(event) = event else {
            let of = args.count.map(|n| format!(" of {n}")).unwrap_or_default();
            return Err(CliError::Timeout(format!(
                "timed out after {} s: received {printed}{of} messages",
                c.conn.timeout.unwrap_or_default()
            )));
        };
        let m = match event {
            Event::Message(m) => m,
            ev @ Event::Connected { .. } => {
                report(&ev, &debug, &target);
                let Event::Connected {
                    session_present, ..
                } = ev
                else {
                    unreachable!("matched above")
                };
                if !session_present {
                    match subscribe(&client, &subscription, &debug) {
                        Ok(()) => {}
                        // Dropped again: the next Connected subscribes.
                        Err(CliError::Mqtt(e)) if e.is_fatal() => {
                            debug.say(format_args!("subscribing again failed: {e}"));
                        }
                        Err(e) => return Err(e),
                    }
                }
                continue;
            }
            other => {
                report(&other, &debug, &target);
                continue;
            }
        };
        // Skipped messages do not count towards -C, as in mosquitto_sub.
        if (args.no_retained && m.retain)
            || args.filter_out.iter().any(|f| topic_matches(f, &m.topic))
        {
            continue;
        }
        buf.clear();
        for warning in output.render(&m, Timestamp::now(), &mut buf) {
            eprintln!("mqttws: {warning}");
        }
        printed += 1;
        match out.write_all(&buf).and_then(|()| out.flush()) {
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

/// Reports the connection's ups and downs with `-d`, and a DISCONNECT
/// from the broker (MQTT 5) always.
fn report(event: &Event, debug: &Debug, target: &Target) {
    match event {
        Event::ServerDisconnected {
            reason_code,
            reason,
            server_reference,
        } => eprintln!(
            "mqttws: the broker disconnected: {} (reason code {reason_code:#04x}){}{}",
            reason_code_name(*reason_code),
            reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default(),
            server_reference
                .as_ref()
                .map(|s| format!(" (use server {s})"))
                .unwrap_or_default()
        ),
        Event::Rejected {
            reason_code,
            reason,
            ..
        } => eprintln!(
            "mqttws: the broker refused a message: {} (reason code {reason_code:#04x}){}",
            reason_code_name(*reason_code),
            reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        Event::Disconnected { reason } => debug.say(format_args!("connection lost: {reason}")),
        Event::Reconnecting { delay, attempt } => debug.say(format_args!(
            "reconnecting in {:.1} s (attempt {attempt})",
            delay.as_secs_f64()
        )),
        Event::Connected { .. } => {
            debug.say(format_args!("reconnected to {}", target.display_url));
        }
        _ => {}
    }
}

/// What `sub` subscribes to, with the same options for every filter.
struct Subscription<'a> {
    topics: &'a [String],
    options: SubscribeOptions,
    properties: SubscribeProperties,
}

/// Subscribes to every filter; a refused filter is an error, with its MQTT 5
/// reason code.
fn subscribe(client: &Client, s: &Subscription<'_>, debug: &Debug) -> Result<(), CliError> {
    let filters: Vec<(&str, SubscribeOptions)> =
        s.topics.iter().map(|t| (t.as_str(), s.options)).collect();
    let reply = client.subscribe_with(&filters, s.properties.clone())?;
    for (i, (filter, granted)) in s.topics.iter().zip(reply.granted).enumerate() {
        match granted {
            Some(q) => debug.say(format_args!("subscribed to {filter} (QoS {})", q as u8)),
            None => {
                return Err(CliError::Refused(format!(
                    "the broker refused the subscription to {filter}{}",
                    reason_suffix(reply.reason_codes.get(i).copied())
                )));
            }
        }
    }
    Ok(())
}

/// Unsubscribes from `filters` (with MQTT 5 user properties); an MQTT 5
/// refusal is an error.
fn unsubscribe(
    client: &Client,
    filters: &[String],
    properties: Option<Vec<mqttws::UserProperty>>,
    debug: &Debug,
) -> Result<(), CliError> {
    let filters: Vec<&str> = filters.iter().map(String::as_str).collect();
    let codes = client.unsubscribe_with(&filters, properties.unwrap_or_default())?;
    for (i, f) in filters.iter().enumerate() {
        match codes.get(i).copied() {
            Some(code @ 0x80..) => {
                return Err(CliError::Refused(format!(
                    "the broker refused to unsubscribe from {f}: {} (reason code {code:#04x})",
                    reason_code_name(code)
                )));
            }
            Some(code @ 0x01..) => debug.say(format_args!(
                "unsubscribed from {f} ({}, reason code {code:#04x})",
                reason_code_name(code)
            )),
            _ => debug.say(format_args!("unsubscribed from {f}")),
        }
    }
    Ok(())
}

/// ": REASON (reason code 0xNN)" for an MQTT 5 refusal; nothing for 0x80,
/// 3.1.1's only refusal code and MQTT 5's "unspecified error".
fn reason_suffix(code: Option<u8>) -> String {
    match code {
        Some(code) if code != 0x80 => {
            format!(": {} (reason code {code:#04x})", reason_code_name(code))
        }
        _ => String::new(),
    }
}

/// Where `pub` takes its payload from.
enum Source {
    /// One payload (`-m`, `-f`, `-s`, `-n`), sent `--repeat` times.
    One(Bytes),
    /// `-l`: each line of standard input.
    Lines,
}

fn publish(args: PubArgs, given: &dyn Fn(&str) -> bool) -> Result<(), CliError> {
    let c = &args.common;
    let (target, v5) = target(c, given, Role::Pub, false)?;
    let qos = qos_from_u8(args.qos)?;
    check_topic_name(&args.topic)?;
    let outgoing = Outgoing {
        qos,
        properties: v5.as_ref().map(|m| m.publish.clone()).unwrap_or_default(),
    };
    let debug = Debug(c.conn.debug);
    let read_stdin = || {
        let mut buf = Vec::new();
        io::stdin()
            .read_to_end(&mut buf)
            .map(|_| Bytes::from(buf))
            .map_err(|e| CliError::Io(format!("cannot read standard input: {e}")))
    };
    // The payload is read before connecting: a missing file costs no connection.
    let source = if let Some(text) = &args.message {
        Source::One(Bytes::from(text.clone()))
    } else if let Some(path) = &args.file {
        if path.as_os_str() == "-" {
            Source::One(read_stdin()?)
        } else {
            let data = std::fs::read(path)
                .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
            Source::One(Bytes::from(data))
        }
    } else if args.stdin_file {
        Source::One(read_stdin()?)
    } else if args.null_message {
        Source::One(Bytes::new())
    } else {
        Source::Lines
    };
    let timeout = Duration::from_secs(c.conn.timeout.unwrap_or(DEFAULT_TIMEOUT.as_secs()));
    // A stream of lines has no end in sight: -W bounds it only if given.
    let deadline = match (&source, c.conn.timeout) {
        (Source::Lines, None) => None,
        _ => Some(Instant::now() + timeout),
    };
    // A stream of lines outlives broker restarts, as with mosquitto_pub -l:
    // lines read while disconnected wait in the offline queue.
    let reconnect = matches!(source, Source::Lines).then(ReconnectPolicy::default);
    let client = connect(&target, c, v5.as_ref(), deadline, &debug, reconnect)?;
    match source {
        Source::One(payload) => {
            for n in 0..args.repeat.unwrap_or(1) {
                if n > 0
                    && let Some(delay) = args.repeat_delay
                {
                    // Waiting inside the client keeps the connection served.
                    let until = Instant::now() + delay;
                    while let Some(left) = until.checked_duration_since(Instant::now()) {
                        client.poll(Some(left))?;
                    }
                }
                publish_one(&client, &args, payload.clone(), &outgoing, timeout, &debug)?;
            }
        }
        Source::Lines => publish_lines(
            &client,
            &args,
            &outgoing,
            (deadline, timeout),
            (&debug, &target),
        )?,
    }
    client.disconnect()?;
    Ok(())
}

/// What every message of `pub` carries besides topic, payload and retain.
struct Outgoing {
    qos: QoS,
    /// MQTT 5 `-D publish` properties (empty under 3.1.1).
    properties: PublishProperties,
}

/// One publish; QoS 1 and 2 wait (up to `timeout`) for the acknowledgement,
/// and an MQTT 5 refusal (PUBACK/PUBREC reason code) is an error.
fn publish_one(
    client: &Client,
    args: &PubArgs,
    payload: Bytes,
    out: &Outgoing,
    timeout: Duration,
    debug: &Debug,
) -> Result<(), CliError> {
    let props = out.properties.clone();
    if let Some(id) = client.publish_with(&args.topic, payload, out.qos, args.retain, props)? {
        client.wait_for(id, Some(timeout))?;
        debug.say(format_args!(
            "published to {} (QoS {}, acknowledged)",
            args.topic, args.qos
        ));
    } else {
        debug.say(format_args!("published to {} (QoS 0)", args.topic));
    }
    Ok(())
}

/// `-l`: publishes each line of standard input as it arrives, until its
/// end or `deadline` (-W), then waits (up to `timeout`) for the
/// acknowledgements still owed.
///
/// A thread reads standard input (it may block for ever, so nobody joins
/// it) and hands lines over a channel; this thread serves the connection
/// (keepalive, reconnect) inside `poll`, in slices of [`LINE_SLICE`], and
/// publishes the lines between slices.
fn publish_lines(
    client: &Client,
    args: &PubArgs,
    out: &Outgoing,
    (deadline, timeout): (Option<Instant>, Duration),
    (debug, target): (&Debug, &Target),
) -> Result<(), CliError> {
    let (tx, rx) = mpsc::channel::<io::Result<Vec<u8>>>();
    std::thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        loop {
            let mut line = Vec::new();
            match stdin.read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) => {
                    if line.last() == Some(&b'\n') {
                        line.pop();
                    }
                    if tx.send(Ok(line)).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    break;
                }
            }
        }
        // The end of input: the main thread sees the channel close.
    });
    let mut lines = 0u64;
    // MQTT 5 refusals (PUBACK/PUBREC reason codes): reported as they come,
    // counted for the exit code.
    let mut refused = 0u64;
    let mut seen = |event: &Event| {
        refused += u64::from(matches!(event, Event::Rejected { .. }));
        report(event, debug, target);
    };
    loop {
        match rx.try_recv() {
            Ok(line) => {
                let line =
                    line.map_err(|e| CliError::Io(format!("cannot read standard input: {e}")))?;
                let props = out.properties.clone();
                client.publish_with(&args.topic, line, out.qos, args.retain, props)?;
                lines += 1;
            }
            Err(TryRecvError::Disconnected) => break,
            Err(TryRecvError::Empty) => {
                let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
                if left == Some(Duration::ZERO) {
                    return Err(CliError::Timeout(format!(
                        "timed out after {} s: published {lines} lines, standard input is \
                         still open",
                        args.common.conn.timeout.unwrap_or_default()
                    )));
                }
                let slice = left.map_or(LINE_SLICE, |l| l.min(LINE_SLICE));
                match client.poll(Some(slice)) {
                    Ok(Some(event)) => seen(&event),
                    Ok(None) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    // Lines queued while disconnected leave once the link is back.
    let deadline = Instant::now() + timeout;
    while !client.is_connected() || client.inflight() > 0 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() && client.is_connected() {
            return Err(mqttws::Error::Timeout(mqttws::TimeoutPhase::Ack).into());
        }
        if left.is_zero() {
            return Err(CliError::Timeout(format!(
                "the connection was still down {} s after the end of input: lines read \
                 while it was down were not sent",
                timeout.as_secs()
            )));
        }
        if let Some(event) = client.poll(Some(left))? {
            seen(&event);
        }
    }
    // Acknowledgements that arrived with the last one.
    while let Some(event) = client.poll(Some(Duration::ZERO))? {
        seen(&event);
    }
    if refused > 0 {
        return Err(CliError::Refused(format!(
            "the broker refused {refused} of {lines} lines"
        )));
    }
    debug.say(format_args!(
        "published {lines} lines to {} (QoS {})",
        args.topic, args.qos
    ));
    Ok(())
}

/// The client options for a connection to `target`.
fn client_options(
    target: &Target,
    c: &Common,
    v5: Option<&Mqtt5>,
    timeout: Duration,
) -> Result<ClientOptions, CliError> {
    let conn = &c.conn;
    let mut o = ClientOptions::new(target.url.as_str())
        .keepalive(conn.keepalive)
        .clean_session(!conn.no_clean_session)
        .connect_timeout(timeout)
        .operation_timeout(timeout);
    if let Some(m) = v5 {
        o = o
            .protocol_version(mqttws::ProtocolVersion::V5)
            .connect_properties(m.connect.clone());
        if let Some(auth) = m.authenticator()? {
            o = o.authenticator(Arc::new(auth));
        }
    }
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
    for header in &conn.headers {
        // The value may be a token: never echo it.
        let Some((name, value)) = header.split_once(':') else {
            return Err(usage(
                "-H expects NAME:VALUE (e.g. -H 'X-Device: 17'); the value given has no ':'",
            ));
        };
        o = o.header(name.trim(), value.trim_start());
    }
    if let Some(proxy) = &conn.proxy {
        o = o.proxy(ProxyConfig::parse(proxy)?);
    }
    if let Some(topic) = &c.will.will_topic {
        check_topic_name(topic)?;
        let mut will = Will::new(
            topic.clone(),
            Bytes::from(c.will.will_payload.clone().unwrap_or_default()),
            qos_from_u8(c.will.will_qos)?,
            c.will.will_retain,
        );
        if let Some(m) = v5 {
            will.properties = m.will.clone();
            will.delay_interval = m.will_delay;
        }
        o = o.will(will);
    }
    Ok(o)
}

/// Builds the client and connects, within `deadline` if there is one; with
/// `reconnect`, later drops are reconnected inside `poll`.
fn connect(
    target: &Target,
    c: &Common,
    v5: Option<&Mqtt5>,
    deadline: Option<Instant>,
    debug: &Debug,
    reconnect: Option<ReconnectPolicy>,
) -> Result<Client, CliError> {
    let timeout = match deadline {
        Some(d) => d
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1)),
        None => DEFAULT_TIMEOUT,
    };
    let mut o = client_options(target, c, v5, timeout)?;
    if let Some(policy) = reconnect {
        o = o.reconnect(policy);
    }
    let client = Client::new(o)?;
    match &c.conn.proxy {
        Some(_) => debug.say(format_args!(
            "connecting to {} via proxy",
            target.display_url
        )),
        None => debug.say(format_args!("connecting to {}", target.display_url)),
    }
    let info = match client.connect() {
        Ok(info) => info,
        // The refusal a broker without MQTT 5 gives an MQTT 5 CONNECT.
        Err(e @ mqttws::Error::ConnectionRefused { code, .. })
            if v5.is_some() && code.code() == 0x84 =>
        {
            let hint = "the broker does not speak MQTT 5: connect with -V mqttv311";
            return Err(CliError::Hinted(e, vec![hint.into()]));
        }
        Err(e) => return Err(with_hint(e, target, c, client.server_date().as_deref())),
    };
    debug.say(format_args!("connected to {}", target.display_url));
    if v5.is_some() {
        debug.say(format_args!("CONNACK: {}", connack_summary(&info)));
    }
    Ok(client)
}

/// What an MQTT 5 CONNACK said, for `-d`: the session flag and each
/// property the broker sent.
fn connack_summary(info: &ConnectInfo) -> String {
    let p = &info.properties;
    let mut said = vec![format!(
        "session present {}",
        u8::from(info.session_present)
    )];
    let mut say = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            said.push(format!("{name} {v}"));
        }
    };
    let num = |v: Option<u32>| v.map(|v| v.to_string());
    let flag = |v: Option<bool>| v.map(|v| u8::from(v).to_string());
    say("assigned client id", p.assigned_client_identifier.clone());
    say("session expiry interval", num(p.session_expiry_interval));
    say("server keep alive", num(p.server_keep_alive.map(u32::from)));
    say("receive maximum", num(p.receive_maximum.map(u32::from)));
    say("maximum QoS", num(p.maximum_qos.map(|q| q as u32)));
    say("retain available", flag(p.retain_available));
    say("maximum packet size", num(p.maximum_packet_size));
    say(
        "topic alias maximum",
        num(p.topic_alias_maximum.map(u32::from)),
    );
    let wildcards = p.wildcard_subscription_available;
    say("wildcard subscriptions available", flag(wildcards));
    let ids = p.subscription_identifiers_available;
    say("subscription identifiers available", flag(ids));
    let shared = p.shared_subscription_available;
    say("shared subscriptions available", flag(shared));
    say("response information", p.response_information.clone());
    say("server reference", p.server_reference.clone());
    say("authentication method", p.authentication_method.clone());
    say("reason", p.reason_string.clone());
    for (k, v) in &p.user_properties {
        said.push(format!("user property {k}:{v}"));
    }
    said.join(", ")
}

/// A platform's refusal of the credentials, with what to check: the
/// secret, the identity, and the clock (measured against the server's
/// `Date` when it sent one). Other errors pass unchanged.
fn with_hint(e: mqttws::Error, target: &Target, c: &Common, server_date: Option<&str>) -> CliError {
    let refused = match &e {
        // Identifier rejected, bad user name or password, not authorised
        // (and their MQTT 5 reason codes).
        mqttws::Error::ConnectionRefused { code, .. } => {
            matches!(code.v311_equivalent(), Some(2 | 4 | 5))
        }
        other => is_upgrade_refusal(other),
    };
    let (Some(platform), Some(provider), true) = (target.platform, &target.provider, refused)
    else {
        return CliError::Mqtt(e);
    };
    let mut hint = vec![format!(
        "{} did not accept the credentials; the likely causes:",
        provider.platform()
    )];
    for cause in platform::refusal_causes(platform, &c.platform, &c.endpoint) {
        hint.push(format!("  - {cause}"));
    }
    hint.push(format!(
        "  - {}",
        clock_cause(server_date, SystemTime::now())
    ));
    hint.push(
        "'mqttws creds' with the same platform flags prints what was sent, to compare with \
         the console's (--show-password adds the password)"
            .into(),
    );
    CliError::Hinted(e, hint)
}

/// The clock as a cause, with the offset from the server's `Date` header.
fn clock_cause(server_date: Option<&str>, now: SystemTime) -> String {
    let now = Timestamp::try_from(now).unwrap_or(Timestamp::UNIX_EPOCH);
    let server = server_date.and_then(|d| {
        jiff::fmt::rfc2822::parse(d)
            .ok()
            .map(|z| (d, z.timestamp()))
    });
    let Some((date, server)) = server else {
        return format!(
            "the clock: the server sent no Date header to compare with; this machine's clock \
             reads {}: check it (NTP)",
            now.round(jiff::Unit::Second).unwrap_or(now)
        );
    };
    let offset = now.as_second() - server.as_second();
    if offset.abs() <= CLOCK_TOLERANCE_SECS {
        return format!(
            "the clock is probably not the cause: this machine's clock is within \
             {CLOCK_TOLERANCE_SECS} s of the server's (Date: {date})"
        );
    }
    let side = if offset > 0 { "ahead of" } else { "behind" };
    format!(
        "the clock: this machine's clock is {} s {side} the server's (Date: {date}); signatures \
         carry the time, so set the clock right (NTP)",
        offset.abs()
    )
}

fn creds(args: CredsArgs, given: &dyn Fn(&str) -> bool) -> Result<(), CliError> {
    let now = match &args.time {
        Some(t) => parse_time(t)?,
        None => SystemTime::now(),
    };
    if args.endpoint.platform.is_none() {
        return Err(usage(
            "creds needs --platform: without one nothing is signed, and the credentials are \
             -i, -u and -P as given",
        ));
    }
    let target = platform::resolve(&args.endpoint, &args.platform, None, given, now)?;
    let Some(provider) = &target.provider else {
        return Err(usage("creds needs --platform"));
    };
    let c = provider.credentials_for(now, target.scheme())?;
    let stamp = Timestamp::try_from(now).unwrap_or(Timestamp::UNIX_EPOCH);
    let hidden = "(hidden; --show-password prints it)";
    let url = match &c.url {
        // A presigned URL's query is the signature.
        Some(url) if !args.show_password => {
            format!("{} {hidden}", WsUrl::parse(url)?.redacted())
        }
        Some(url) => url.clone(),
        None => target.url.clone(),
    };
    let password = match (&c.password, args.show_password) {
        (None, _) => "(none)",
        (Some(_), false) => hidden,
        (Some(p), true) => p.as_str(),
    };
    let mut out = format!(
        "platform: {}\ntime: {} ({})\nurl: {url}\nclient_id: {}\nusername: {}\npassword: {password}\n",
        provider.platform(),
        stamp,
        stamp.as_second(),
        c.client_id,
        c.username.as_deref().unwrap_or("(none)"),
    );
    for (name, value) in &c.headers {
        let value = if args.show_password { value } else { hidden };
        out.push_str(&format!("header: {name}: {value}\n"));
    }
    io::stdout()
        .write_all(out.as_bytes())
        .map_err(|e| CliError::Io(format!("cannot write to standard output: {e}")))
}

/// `--time`: UNIX seconds or RFC 3339.
fn parse_time(s: &str) -> Result<SystemTime, CliError> {
    let t = match s.parse::<i64>() {
        Ok(secs) => Timestamp::from_second(secs).ok(),
        Err(_) => s.parse::<Timestamp>().ok(),
    };
    t.and_then(|t| SystemTime::try_from(t).ok()).ok_or_else(|| {
        usage(format!(
            "--time {s:?} is neither UNIX seconds nor an RFC 3339 time such as \
             2023-11-14T22:13:20Z"
        ))
    })
}

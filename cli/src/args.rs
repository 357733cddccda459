//! The command line, declared with clap's derive API.
//!
//! Flags follow `mosquitto_sub`/`mosquitto_pub` where they exist there (`-h`
//! is the host, so help is `--help` or `-?`). Platform flags live in one
//! flattened group shared by `sub`, `pub` and `creds`. Several serve more
//! than one platform (`--device-name` is Tencent's and Alibaba's...), so they
//! are listed under one heading, each help line starting with the platforms
//! it applies to; [`crate::platform`] refuses a flag given for a platform it
//! does not apply to.

use std::path::PathBuf;

use clap::{ArgAction, ArgGroup, Args, Parser, Subcommand, ValueEnum};

/// Text shown after the top-level help: exit codes, secrets, examples.
const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  usage or configuration error (bad flag, missing or malformed credential, keepalive
     outside the platform's range, a bad -D property...); nothing was sent
  2  connection error: DNS, TCP, TLS, proxy, WebSocket handshake, protocol, connection lost
     (a DISCONNECT from the broker is printed with its reason code)
  3  refused by the broker: CONNACK refusal (bad signature or credentials; MQTT 5: with its
     reason code and reason string), HTTP 401/403 at the WebSocket upgrade, a refused
     subscription or unsubscription, or (MQTT 5) a refused publish
  4  timeout: -W elapsed before the work was done, or a connect/acknowledgement deadline

Secrets can come from the environment instead of the command line (where other users
can read them in the process list): MQTTWS_PSK, MQTTWS_DEVICE_SECRET, MQTTWS_DEVICE_KEY,
MQTTWS_SECRET_ACCESS_KEY, MQTTWS_SESSION_TOKEN, MQTTWS_PASSWORD. They never appear in
messages or in --help.

Examples:
  # Any broker, like mosquitto_sub/mosquitto_pub (ws://localhost:80/mqtt by default):
  mqttws sub -h broker.example.com -p 8080 -t 'sensors/#' -v
  mqttws pub -h broker.example.com --tls -t sensors/1 -m 21.5 -q 1     # wss, port 443

  # Tencent IoT Hub, key (PSK) device, wss to the ap-guangzhou endpoint:
  export MQTTWS_PSK='AAECAwQFBgcICQoLDA0ODw=='
  mqttws sub --platform tencent --product-id ABCDEFGHIJ --device-name dev001 \\
      -t 'ABCDEFGHIJ/dev001/control' -v
  mqttws pub --platform tencent --product-id ABCDEFGHIJ --device-name dev001 \\
      -t 'ABCDEFGHIJ/dev001/data' -m '{\"temp\":21.5}' -q 1

  # Alibaba IoT Platform, shanghai region (or --instance iot-06z00...), wss:
  export MQTTWS_DEVICE_SECRET='...'
  mqttws pub --platform aliyun --product-key a1B2c3D4e5F --device-name dev001 \\
      --region cn-shanghai -t '/a1B2c3D4e5F/dev001/user/update' -m hello -q 1

  # What would be sent, to compare with the console (password only when asked):
  mqttws creds --platform aliyun --product-key a1B2c3D4e5F --device-name dev001 \\
      --region cn-shanghai --show-password

Run 'mqttws sub --help', 'mqttws pub --help' or 'mqttws creds --help' for every flag.";

/// The `sub` help epilogue.
const SUB_AFTER_HELP: &str = "\
Output: one line per message on stdout: the payload (with -v: the topic, a space, the
payload; an empty payload prints nothing, or 'TOPIC (null)' with -v), or -F's format.
-F takes mosquitto_sub's sequences: %t topic, %p payload, %q QoS, %r retained (0/1),
%m message id, %l payload length, %x/%X payload in hex, %I ISO 8601 local time,
%U UNIX time with nanoseconds, %j/%J JSON (%J: the payload must be JSON; --pretty
indents), %% a '%'; flags and widths as in printf ('%-20t', '%05l', '%.10t');
@X is strftime's %X in local time (@@ an '@', @N nanoseconds); escapes \\n \\t \\r \\a
\\e \\v \\0 \\\\. MQTT 5 properties (empty when absent, and always under MQTT 3.1.1): %C content
type, %D correlation data, %E message expiry interval, %F payload format indicator, %P user
properties (NAME:VALUE, space-separated), %R response topic, %S subscription identifier,
%A topic alias (always absent: the library resolves aliases); %j/%J add a 'properties'
object.

MQTT 5 (-V mqttv5, or any -D): -D takes mosquitto_sub's properties:
  -D connect session-expiry-interval|receive-maximum|maximum-packet-size|
     topic-alias-maximum|request-problem-information|request-response-information N
  -D connect authentication-method NAME, -D connect authentication-data DATA
  -D subscribe subscription-identifier N   (printed by %S)
  -D connect|subscribe|unsubscribe|will user-property NAME VALUE
  -D will content-type|response-topic|correlation-data TEXT,
  -D will message-expiry-interval|payload-format-indicator|will-delay-interval N

-x sets the session expiry (with -c the default is never, which needs -i); -R also asks
the broker not to send retained messages; --retain-as-published keeps the retain flag of
live messages. A refused subscription names its reason code. With -d, a 'CONNACK: ...'
line shows what the broker answered (assigned client id, limits...); a DISCONNECT from the
broker is always printed with its reason code.

With -d, progress goes to stderr, including one 'subscribed to FILTER (QoS n)' line per
filter once the broker has acknowledged it, so a script can publish safely. When the
connection drops, sub reconnects with growing delays (0.5 s to 30 s) and subscribes
again, as mosquitto_sub does; -d shows 'connection lost', 'reconnecting' and
'reconnected' lines.

Exit codes: 0 success (or -C messages received, or -E), 1 usage/configuration,
2 connection, 3 refused by the broker, 4 timeout (-W elapsed before -C messages arrived).

Example (Tencent, PSK from the environment):
  MQTTWS_PSK='AAECAwQFBgcICQoLDA0ODw==' mqttws sub --platform tencent \\
      --product-id ABCDEFGHIJ --device-name dev001 -t 'ABCDEFGHIJ/dev001/control' -v -C 1 -W 60

Example (any broker, JSON lines):
  mqttws sub -h 127.0.0.1 -p 9001 -t 'sensors/#' -F '%j'";

/// The `pub` help epilogue.
const PUB_AFTER_HELP: &str = "\
With -q 1 or 2, pub waits for the broker's acknowledgements before disconnecting; under
MQTT 5 a refusal (PUBACK/PUBREC reason code, e.g. 0x87 not authorized for $SYS/...) ends
pub with exit code 3 and the reason (with -l: each refusal is printed, the exit code is 3
at the end).
-l publishes each line of standard input as it arrives (without its newline; an empty
line is an empty message) until end of input; like mosquitto_pub -l, it reconnects after
a drop, and lines read meanwhile are sent once the connection is back.

MQTT 5 (-V mqttv5, or any -D): -D takes mosquitto_pub's properties:
  -D publish content-type|response-topic|correlation-data TEXT
  -D publish message-expiry-interval|payload-format-indicator N
  -D connect session-expiry-interval|receive-maximum|maximum-packet-size|
     topic-alias-maximum|request-problem-information|request-response-information N
  -D connect authentication-method NAME, -D connect authentication-data DATA
  -D connect|publish|will user-property NAME VALUE   (repeatable, names may repeat)
  -D will content-type|response-topic|correlation-data TEXT,
  -D will message-expiry-interval|payload-format-indicator|will-delay-interval N

-x sets the session expiry interval (with -c the default is never, which needs -i). With
-d, a 'CONNACK: ...' line shows what the broker answered (assigned client id, limits...);
a DISCONNECT from the broker is always printed with its reason code.

Exit codes: 0 success, 1 usage/configuration, 2 connection, 3 refused by the broker,
4 timeout (-W, default 10 s, elapsed while connecting or waiting for an acknowledgement).

Example (Tencent, PSK from the environment):
  MQTTWS_PSK='AAECAwQFBgcICQoLDA0ODw==' mqttws pub --platform tencent \\
      --product-id ABCDEFGHIJ --device-name dev001 -t 'ABCDEFGHIJ/dev001/data' -m 'hello' -q 1

Example (any broker, one message per line, ten times a reading):
  tail -f readings.log | mqttws pub -h 127.0.0.1 -p 9001 -t sensors/1 -l
  mqttws pub -h 127.0.0.1 -p 9001 -t sensors/1 -m 21.5 --repeat 10 --repeat-delay 0.5";

/// The `creds` help epilogue.
const CREDS_AFTER_HELP: &str = "\
Prints what a connection would present, one 'name: value' line each: platform, time (the
wall clock the signature is computed for), url, client_id, username, password. The
password (and a presigned URL's query) is printed only with --show-password.

Compare these with the values the platform's console or device SDK computes: a
difference in the user name or client id points at an identity flag, a difference in the
password alone at the secret or the clock.

Example (Tencent, the reference vector):
  mqttws creds --platform tencent --product-id ABCDEFGHIJ --device-name dev001 \\
      --psk AAECAwQFBgcICQoLDA0ODw== --connid abcde --expiry 1700000000 \\
      --time 2023-11-14T00:00:00Z --show-password";

/// mqttws: MQTT 3.1.1 and 5 over WebSocket (ws:// and wss://) from the shell.
#[derive(Debug, Parser)]
#[command(
    name = "mqttws",
    version,
    about = "MQTT 3.1.1 and 5 over WebSocket from the shell, with cloud platform signing",
    long_about = "MQTT 3.1.1 and 5 over WebSocket (ws:// and wss://) from the shell, with the flags of \
                  mosquitto_sub and mosquitto_pub. With --platform, the client id, user name and \
                  password (or the presigned URL) are computed for Tencent IoT Hub, Alibaba IoT \
                  Platform, AWS IoT Core, Azure IoT Hub or Huawei IoTDA at each connection \
                  attempt, and the URL defaults to the platform's endpoint; 'mqttws creds' shows \
                  them.",
    after_help = AFTER_HELP,
    subcommand_required = true,
    arg_required_else_help = true,
    disable_help_flag = true
)]
pub(crate) struct Cli {
    /// Print help (-? works too; -h is the host, as in mosquitto_sub)
    #[arg(long, short_alias = '?', action = ArgAction::Help, global = true)]
    help: Option<bool>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Subscribe to topic filters and print the messages (like mosquitto_sub)
    #[command(after_help = SUB_AFTER_HELP, disable_help_flag = true)]
    Sub(SubArgs),
    /// Publish a message, a file, standard input or its lines (like mosquitto_pub)
    #[command(after_help = PUB_AFTER_HELP, disable_help_flag = true)]
    Pub(PubArgs),
    /// Print the URL, client id, user name (and password) a platform connection would use
    #[command(after_help = CREDS_AFTER_HELP, disable_help_flag = true)]
    Creds(CredsArgs),
}

/// `mqttws sub`.
#[derive(Debug, Args)]
pub(crate) struct SubArgs {
    /// Topic filter to subscribe to (repeat for several; '+' and '#' wildcards allowed)
    #[arg(short = 't', long = "topic", value_name = "FILTER", required = true)]
    pub(crate) topics: Vec<String>,

    /// Do not print messages whose topic matches this filter (repeatable)
    #[arg(short = 'T', long = "filter-out", value_name = "FILTER")]
    pub(crate) filter_out: Vec<String>,

    /// Unsubscribe from this filter after subscribing (repeatable; for persistent sessions, -c)
    #[arg(short = 'U', long = "unsubscribe", value_name = "FILTER")]
    pub(crate) unsubscribe: Vec<String>,

    /// QoS of the subscription: 0, 1 or 2
    #[arg(short = 'q', long, value_name = "QOS", default_value_t = 0,
          value_parser = clap::value_parser!(u8).range(0..=2))]
    pub(crate) qos: u8,

    /// Exit after printing this many messages
    #[arg(short = 'C', long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) count: Option<u64>,

    /// Print the topic, then a space, before each payload
    #[arg(short = 'v', long)]
    pub(crate) verbose: bool,

    /// Output format (mosquitto_sub's -F: %t %p %q %r %m %l %x %X %I %U %j %J, @X, \n...;
    /// see below); overrides -v
    #[arg(short = 'F', long = "format", value_name = "FORMAT")]
    pub(crate) format: Option<String>,

    /// Indent the JSON of %j and %J
    #[arg(long)]
    pub(crate) pretty: bool,

    /// Do not print a newline after each message
    #[arg(short = 'N', long = "no-eol")]
    pub(crate) no_eol: bool,

    /// Do not print retained messages (those the broker held from before); with MQTT 5 the
    /// broker is asked not to send them at all (retain handling 2), as mosquitto_sub does
    #[arg(short = 'R', long = "no-retained")]
    pub(crate) no_retained: bool,

    /// MQTT 5: keep the retain flag of live messages as their publisher set it (the broker
    /// clears it otherwise, so that it marks only messages held from before)
    #[arg(long)]
    pub(crate) retain_as_published: bool,

    /// Exit once the broker has acknowledged the subscriptions
    #[arg(short = 'E', long = "exit-after-subscribe")]
    pub(crate) exit_after_subscribe: bool,

    #[command(flatten)]
    pub(crate) common: Common,
}

/// `mqttws pub`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("payload").required(true)
    .args(["message", "file", "stdin_line", "stdin_file", "null_message"])))]
pub(crate) struct PubArgs {
    /// Topic to publish to (no wildcards)
    #[arg(short = 't', long, value_name = "TOPIC")]
    pub(crate) topic: String,

    /// The message payload
    #[arg(short = 'm', long, value_name = "TEXT")]
    pub(crate) message: Option<String>,

    /// Send the contents of this file as the payload ('-' reads standard input)
    #[arg(short = 'f', long, value_name = "PATH")]
    pub(crate) file: Option<PathBuf>,

    /// Send each line of standard input as a message, as it arrives
    #[arg(short = 'l', long = "stdin-line")]
    pub(crate) stdin_line: bool,

    /// Send all of standard input as one message
    #[arg(short = 's', long = "stdin-file")]
    pub(crate) stdin_file: bool,

    /// Send an empty (zero-length) message
    #[arg(short = 'n', long = "null-message")]
    pub(crate) null_message: bool,

    /// QoS of the message: 0, 1 or 2 (1 and 2 wait for the acknowledgement)
    #[arg(short = 'q', long, value_name = "QOS", default_value_t = 0,
          value_parser = clap::value_parser!(u8).range(0..=2))]
    pub(crate) qos: u8,

    /// Ask the broker to retain the message
    #[arg(short = 'r', long)]
    pub(crate) retain: bool,

    /// Publish the message N times in all (with -m, -f, -s or -n)
    #[arg(long, value_name = "N", conflicts_with = "stdin_line",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) repeat: Option<u64>,

    /// Seconds to wait between repeated publishes (fractions allowed) [default: 0]
    #[arg(long, value_name = "SECS", requires = "repeat", value_parser = parse_delay)]
    pub(crate) repeat_delay: Option<std::time::Duration>,

    #[command(flatten)]
    pub(crate) common: Common,
}

/// `mqttws creds`.
#[derive(Debug, Args)]
pub(crate) struct CredsArgs {
    /// Sign for this wall-clock time instead of now: UNIX seconds or RFC 3339
    /// (2023-11-14T22:13:20Z), to reproduce a vector or another machine's result
    #[arg(long, value_name = "TIME")]
    pub(crate) time: Option<String>,

    /// Print the password (and a presigned URL's query); hidden by default
    #[arg(long)]
    pub(crate) show_password: bool,

    #[command(flatten)]
    pub(crate) endpoint: EndpointArgs,

    #[command(flatten)]
    pub(crate) platform: PlatformArgs,
}

/// Flags shared by `sub` and `pub`.
#[derive(Debug, Args)]
pub(crate) struct Common {
    #[command(flatten)]
    pub(crate) endpoint: EndpointArgs,

    #[command(flatten)]
    pub(crate) conn: ConnArgs,

    #[command(flatten)]
    pub(crate) will: WillArgs,

    #[command(flatten)]
    pub(crate) platform: PlatformArgs,
}

/// Which cloud platform signs the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Platform {
    /// Tencent IoT Hub / IoT Explorer
    Tencent,
    /// Alibaba Cloud IoT Platform
    Aliyun,
    /// AWS IoT Core (SigV4 presigned URL)
    Aws,
    /// Azure IoT Hub (SAS token)
    Azure,
    /// Huawei Cloud IoTDA
    Huawei,
}

impl Platform {
    /// The name given on the command line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Tencent => "tencent",
            Self::Aliyun => "aliyun",
            Self::Aws => "aws",
            Self::Azure => "azure",
            Self::Huawei => "huawei",
        }
    }
}

/// `ws` or `wss` for the platform's default endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum SchemeArg {
    /// WebSocket over plain TCP
    Ws,
    /// WebSocket over TLS
    Wss,
}

/// `-V`: the MQTT protocol version, spelled as mosquitto spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProtocolVersion {
    /// MQTT 3.1 (`31`, `mqttv31`): refused, mqttws speaks 3.1.1 and 5.
    V31,
    /// MQTT 3.1.1 (`311`, `mqttv311`), the default.
    V311,
    /// MQTT 5 (`5`, `mqttv5`).
    V5,
}

fn parse_version(s: &str) -> Result<ProtocolVersion, String> {
    match s.to_ascii_lowercase().as_str() {
        "31" | "mqttv31" => Ok(ProtocolVersion::V31),
        "311" | "mqttv311" => Ok(ProtocolVersion::V311),
        "5" | "mqttv5" => Ok(ProtocolVersion::V5),
        _ => Err(
            "expected mqttv311 (or 311) or mqttv5 (or 5); mqttv31 (31) is recognised but \
                  not supported"
                .into(),
        ),
    }
}

/// Non-negative seconds, fractions allowed (`0.25`).
fn parse_delay(s: &str) -> Result<std::time::Duration, String> {
    s.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && (0.0..=86_400.0).contains(f))
        .map(std::time::Duration::from_secs_f64)
        .ok_or_else(|| "expected seconds from 0 to 86400, e.g. 0.5".into())
}

/// Where to connect: a URL, or mosquitto's host/port plus the WebSocket
/// path, or a platform's endpoint.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub(crate) struct EndpointArgs {
    /// ws:// or wss:// URL of the broker (its path is the WebSocket path); instead of -h, -p,
    /// --ws-path and --tls; with --platform it replaces the platform's endpoint
    #[arg(short = 'L', long = "url", value_name = "URL",
          conflicts_with_all = ["host", "port", "ws_path"])]
    pub(crate) url: Option<String>,

    /// Broker host [default: localhost]; [aws, huawei] the endpoint host (required);
    /// other platforms: replaces the host of the platform's endpoint
    #[arg(short = 'h', long, value_name = "HOST")]
    pub(crate) host: Option<String>,

    /// Broker port [default: 80 for ws, 443 for wss]; [aws] a port other than 443 is signed
    /// as HOST:PORT
    #[arg(short = 'p', long, value_name = "PORT",
          value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) port: Option<u16>,

    /// WebSocket path, with any query [default: /mqtt, or the platform's]
    #[arg(long, value_name = "PATH")]
    pub(crate) ws_path: Option<String>,

    /// Sign the connection for this cloud platform (see "Platform" below)
    #[arg(long, value_enum, value_name = "PLATFORM")]
    pub(crate) platform: Option<Platform>,

    /// Scheme of the platform's default endpoint (tencent: ws on port 80 or wss on 443;
    /// aliyun: both on 443) [default: wss]
    #[arg(long, value_enum, value_name = "SCHEME", conflicts_with = "url")]
    pub(crate) scheme: Option<SchemeArg>,

    /// MQTT client id (aws: required; aliyun: the bare id inside the signed client id,
    /// default PRODUCTKEY.DEVICENAME; no platform: default mqttws-PID)
    #[arg(
        short = 'i',
        long = "id",
        visible_alias = "client-id",
        value_name = "ID"
    )]
    pub(crate) client_id: Option<String>,
}

/// TLS, login, session and transport options of a real connection.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub(crate) struct ConnArgs {
    /// Use TLS (wss://); implied by --cafile, --cert and --insecure
    #[arg(long, conflicts_with_all = ["url", "scheme"])]
    pub(crate) tls: bool,

    /// Trust only the CA certificate(s) in this PEM file (default: the Mozilla roots)
    #[arg(long, value_name = "PATH")]
    pub(crate) cafile: Option<PathBuf>,

    /// Client certificate chain (PEM) for mutual TLS; needs --key
    #[arg(long, value_name = "PATH", requires = "key")]
    pub(crate) cert: Option<PathBuf>,

    /// Private key (PEM) of --cert
    #[arg(long, value_name = "PATH", requires = "cert")]
    pub(crate) key: Option<PathBuf>,

    /// Accept any server certificate (throwaway test servers only)
    #[arg(long)]
    pub(crate) insecure: bool,

    /// MQTT user name (without --platform)
    #[arg(short = 'u', long, value_name = "USER")]
    pub(crate) username: Option<String>,

    /// MQTT password (without --platform)
    #[arg(
        short = 'P',
        long,
        visible_alias = "pw",
        value_name = "PASSWORD",
        env = "MQTTWS_PASSWORD",
        hide_env_values = true
    )]
    pub(crate) password: Option<String>,

    /// Keepalive in seconds, checked against the platform's range before connecting
    /// (tencent 0-900, aliyun 30-1200, aws 1-1200, azure 1-1740, huawei 30-1200)
    #[arg(short = 'k', long, value_name = "SECS", default_value_t = 60)]
    pub(crate) keepalive: u16,

    /// Keep the session (clean session off): the broker keeps subscriptions and queues QoS 1/2
    /// messages while disconnected; needs -i without --platform (MQTT 5: resume the session,
    /// which then never expires unless -x says otherwise)
    #[arg(short = 'c', long = "disable-clean-session")]
    pub(crate) no_clean_session: bool,

    /// MQTT version: mqttv311 (311, the default) or mqttv5 (5); -D alone also selects MQTT 5,
    /// as in mosquitto; mqttv31 (31) is refused
    #[arg(short = 'V', long = "protocol-version", value_name = "VERSION",
          value_parser = parse_version)]
    pub(crate) protocol_version: Option<ProtocolVersion>,

    /// MQTT 5 session expiry interval in seconds: 0 to 4294967294, or -1, 4294967295 or '∞'
    /// for never [default: never with -c, 0 without]; never needs -i without --platform
    #[arg(
        short = 'x',
        long = "session-expiry-interval",
        value_name = "SECS",
        allow_hyphen_values = true
    )]
    pub(crate) session_expiry: Option<String>,

    /// MQTT 5 property, as in mosquitto: -D COMMAND IDENTIFIER VALUE, or
    /// -D COMMAND user-property NAME VALUE (repeatable; selects MQTT 5); see "MQTT 5" below
    #[arg(id = "properties", short = 'D', long = "property", num_args = 3..=4,
          action = ArgAction::Append, allow_negative_numbers = true,
          value_names = ["COMMAND", "IDENTIFIER", "VALUE"])]
    pub(crate) property_values: Vec<String>,

    /// `-D`, one entry per occurrence (clap's derive flattens the values;
    /// `crate::run` fills this from the matches).
    #[arg(skip)]
    pub(crate) properties: Vec<Vec<String>>,

    /// Accepted for mosquitto compatibility: Nagle's algorithm is always off (TCP_NODELAY)
    #[arg(long)]
    pub(crate) nodelay: bool,

    /// Tunnel through this proxy: http://[USER:PASS@]HOST[:PORT] (HTTP CONNECT) or
    /// socks5h://[USER:PASS@]HOST[:PORT]; proxy environment variables are not read
    #[arg(long, value_name = "URL")]
    pub(crate) proxy: Option<String>,

    /// Extra header for the WebSocket upgrade request, NAME:VALUE (repeatable)
    #[arg(short = 'H', long = "header", value_name = "NAME:VALUE")]
    pub(crate) headers: Vec<String>,

    /// Give up after this many seconds (sub and pub -l: default never; pub: default 10)
    #[arg(short = 'W', long, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub(crate) timeout: Option<u64>,

    /// Print progress to stderr ("connected to ...", "subscribed to FILTER", ...)
    #[arg(short = 'd', long)]
    pub(crate) debug: bool,
}

/// The last will, published by the broker if the client vanishes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Will")]
pub(crate) struct WillArgs {
    /// Topic of the last will (published by the broker if this client vanishes)
    #[arg(long, value_name = "TOPIC")]
    pub(crate) will_topic: Option<String>,

    /// Payload of the last will [default: empty]
    #[arg(long, value_name = "TEXT", requires = "will_topic")]
    pub(crate) will_payload: Option<String>,

    /// QoS of the last will: 0, 1 or 2
    #[arg(long, value_name = "QOS", default_value_t = 0, requires = "will_topic",
          value_parser = clap::value_parser!(u8).range(0..=2))]
    pub(crate) will_qos: u8,

    /// Retain the last will
    #[arg(long, requires = "will_topic")]
    pub(crate) will_retain: bool,
}

/// Per-platform identity and secrets. Each help line names the platforms
/// the flag applies to.
#[derive(Debug, Args)]
#[command(next_help_heading = "Platform (each flag names the --platform values it applies to)")]
pub(crate) struct PlatformArgs {
    /// [tencent] Product id
    #[arg(long, value_name = "ID")]
    pub(crate) product_id: Option<String>,

    /// [tencent, aliyun] Device name
    #[arg(long, value_name = "NAME")]
    pub(crate) device_name: Option<String>,

    /// [tencent] Device PSK (base64, as the console shows it), for key devices
    #[arg(
        long,
        value_name = "BASE64",
        env = "MQTTWS_PSK",
        hide_env_values = true
    )]
    pub(crate) psk: Option<String>,

    /// [tencent] Device private key (PEM, PKCS#1 or PKCS#8 RSA), for certificate devices
    #[arg(long, value_name = "PATH")]
    pub(crate) key_file: Option<PathBuf>,

    /// [tencent] Region: ap-guangzhou (default), us-east, europe, ap-bangkok.
    /// [aliyun] Region id, e.g. cn-shanghai (or use --instance).
    /// [aws] Signing region (default: taken from -h)
    #[arg(long, value_name = "REGION")]
    pub(crate) region: Option<String>,

    /// [tencent] hmacsha256 (default) or hmacsha1.
    /// [aliyun] hmacsha256 (default), hmacsha1 or hmacmd5
    #[arg(long, value_name = "METHOD")]
    pub(crate) sign_method: Option<String>,

    /// [tencent] Fixed connection id (1+ letters/digits; default: 5 random characters)
    #[arg(long, value_name = "ID")]
    pub(crate) connid: Option<String>,

    /// [tencent] Signature expiry: UNIX seconds, or 'never' (2147483647) for devices without
    /// a trusted clock (default: now + 3600)
    #[arg(long, value_name = "SECS|never")]
    pub(crate) expiry: Option<String>,

    /// [aliyun] Product key
    #[arg(long, value_name = "KEY")]
    pub(crate) product_key: Option<String>,

    /// [aliyun, huawei] Device secret
    #[arg(
        long,
        value_name = "SECRET",
        env = "MQTTWS_DEVICE_SECRET",
        hide_env_values = true
    )]
    pub(crate) device_secret: Option<String>,

    /// [aliyun] Instance id (endpoint INSTANCE.mqtt.iothub.aliyuncs.com) instead of --region
    #[arg(long, value_name = "ID", conflicts_with = "region")]
    pub(crate) instance: Option<String>,

    /// [aliyun] Signed timestamp: milliseconds since the epoch, or 'none' (default: now)
    #[arg(long, value_name = "MS|none")]
    pub(crate) timestamp: Option<String>,

    /// [aws] Access key id
    #[arg(long, value_name = "ID")]
    pub(crate) access_key_id: Option<String>,

    /// [aws] Secret access key
    #[arg(
        long,
        value_name = "SECRET",
        env = "MQTTWS_SECRET_ACCESS_KEY",
        hide_env_values = true
    )]
    pub(crate) secret_access_key: Option<String>,

    /// [aws] Session token of temporary credentials (STS, Cognito)
    #[arg(
        long,
        value_name = "TOKEN",
        env = "MQTTWS_SESSION_TOKEN",
        hide_env_values = true
    )]
    pub(crate) session_token: Option<String>,

    /// [azure] Hub host name, e.g. myhub.azure-devices.net
    #[arg(long, value_name = "HOST")]
    pub(crate) hub: Option<String>,

    /// [azure, huawei] Device id
    #[arg(long, value_name = "ID")]
    pub(crate) device_id: Option<String>,

    /// [azure] Device symmetric key (base64, as the portal shows it)
    #[arg(
        long,
        value_name = "BASE64",
        env = "MQTTWS_DEVICE_KEY",
        hide_env_values = true
    )]
    pub(crate) device_key: Option<String>,
}

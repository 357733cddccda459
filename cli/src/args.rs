//! The command line, declared with clap's derive API.
//!
//! Platform flags live in one flattened group shared by `sub` and `pub`.
//! Several flags serve more than one platform (`--device-name` is Tencent's
//! and Alibaba's, `--host` AWS's and Huawei's...), so they are listed under
//! one heading, each help line starting with the platforms it applies to;
//! [`crate::platform`] refuses a flag given for a platform it does not apply
//! to.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

/// Text shown after the top-level help: exit codes, secrets, examples.
const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  usage or configuration error (bad flag, missing or malformed credential, keepalive
     outside the platform's range...); nothing was sent
  2  connection error: DNS, TCP, TLS, WebSocket handshake, protocol, connection lost
  3  refused by the broker: CONNACK refusal (bad signature or credentials), HTTP 401/403
     at the WebSocket upgrade, or a refused subscription
  4  timeout: -W elapsed before the work was done, or a connect/acknowledgement deadline

Secrets can come from the environment instead of the command line (where other users
can read them in the process list): MQTTWS_PSK, MQTTWS_DEVICE_SECRET, MQTTWS_DEVICE_KEY,
MQTTWS_SECRET_ACCESS_KEY, MQTTWS_SESSION_TOKEN, MQTTWS_PASSWORD. They never appear in
messages or in --help.

Examples:
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

  # Any broker, no platform signing:
  mqttws sub --url wss://broker.example.com/mqtt --cafile ca.pem -t 'sensors/#' -v -C 10 -W 60

Run 'mqttws sub --help' or 'mqttws pub --help' for every flag.";

/// The `sub` help epilogue.
const SUB_AFTER_HELP: &str = "\
Output: one line per message on stdout: the payload (with -v: the topic, a space, the
payload). With -d, progress goes to stderr, including one 'subscribed to FILTER' line per
filter once the broker has acknowledged the subscription, so a script can publish safely.

Exit codes: 0 success (or -C messages received), 1 usage/configuration, 2 connection,
3 refused by the broker, 4 timeout (-W elapsed before -C messages arrived).

Example (Tencent, PSK from the environment):
  MQTTWS_PSK='AAECAwQFBgcICQoLDA0ODw==' mqttws sub --platform tencent \\
      --product-id ABCDEFGHIJ --device-name dev001 -t 'ABCDEFGHIJ/dev001/control' -v -C 1 -W 60

Example (Alibaba, device secret from the environment):
  MQTTWS_DEVICE_SECRET='...' mqttws sub --platform aliyun --product-key a1B2c3D4e5F \\
      --device-name dev001 --region cn-shanghai -t '/a1B2c3D4e5F/dev001/user/get' -v";

/// The `pub` help epilogue.
const PUB_AFTER_HELP: &str = "\
With -q 1 or 2, pub waits for the broker's acknowledgement before disconnecting.

Exit codes: 0 success, 1 usage/configuration, 2 connection, 3 refused by the broker,
4 timeout (-W, default 10 s, elapsed while connecting or waiting for the acknowledgement).

Example (Tencent, PSK from the environment):
  MQTTWS_PSK='AAECAwQFBgcICQoLDA0ODw==' mqttws pub --platform tencent \\
      --product-id ABCDEFGHIJ --device-name dev001 -t 'ABCDEFGHIJ/dev001/data' -m 'hello' -q 1

Example (Alibaba, payload from a file):
  MQTTWS_DEVICE_SECRET='...' mqttws pub --platform aliyun --product-key a1B2c3D4e5F \\
      --device-name dev001 --region cn-shanghai -t '/a1B2c3D4e5F/dev001/user/update' \\
      -f reading.json -q 1";

/// mqttws: MQTT 3.1.1 over WebSocket (ws:// and wss://) from the shell.
#[derive(Debug, Parser)]
#[command(
    name = "mqttws",
    version,
    about = "MQTT 3.1.1 over WebSocket from the shell, with cloud platform signing",
    long_about = "MQTT 3.1.1 over WebSocket (ws:// and wss://) from the shell, in the manner of \
                  mosquitto_sub and mosquitto_pub. With --platform, the client id, user name and \
                  password (or the presigned URL) are computed for Tencent IoT Hub, Alibaba IoT \
                  Platform, AWS IoT Core, Azure IoT Hub or Huawei IoTDA at each connection \
                  attempt, and the URL defaults to the platform's endpoint (override it with --url).",
    after_help = AFTER_HELP,
    subcommand_required = true,
    arg_required_else_help = true
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The two subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Subscribe to topic filters and print the messages, one per line (like mosquitto_sub)
    #[command(after_help = SUB_AFTER_HELP)]
    Sub(SubArgs),
    /// Publish one message (like mosquitto_pub)
    #[command(after_help = PUB_AFTER_HELP)]
    Pub(PubArgs),
}

/// `mqttws sub`.
#[derive(Debug, Args)]
pub(crate) struct SubArgs {
    /// Topic filter to subscribe to (repeat for several; '+' and '#' wildcards allowed)
    #[arg(short = 't', long = "topic", value_name = "FILTER", required = true)]
    pub(crate) topics: Vec<String>,

    /// QoS of the subscription: 0, 1 or 2
    #[arg(short = 'q', long, value_name = "QOS", default_value_t = 0,
          value_parser = clap::value_parser!(u8).range(0..=2))]
    pub(crate) qos: u8,

    /// Exit after receiving this many messages
    #[arg(short = 'C', long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) count: Option<u64>,

    /// Print the topic, then a space, before each payload
    #[arg(short = 'v', long)]
    pub(crate) verbose: bool,

    #[command(flatten)]
    pub(crate) common: Common,
}

/// `mqttws pub`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("payload").required(true).args(["message", "file"])))]
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

    /// QoS of the message: 0, 1 or 2 (1 and 2 wait for the acknowledgement)
    #[arg(short = 'q', long, value_name = "QOS", default_value_t = 0,
          value_parser = clap::value_parser!(u8).range(0..=2))]
    pub(crate) qos: u8,

    /// Ask the broker to retain the message
    #[arg(short = 'r', long)]
    pub(crate) retain: bool,

    #[command(flatten)]
    pub(crate) common: Common,
}

/// Flags shared by `sub` and `pub`.
#[derive(Debug, Args)]
pub(crate) struct Common {
    #[command(flatten)]
    pub(crate) conn: ConnArgs,

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

/// Where to connect and how.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub(crate) struct ConnArgs {
    /// ws:// or wss:// URL of the broker; with --platform it overrides the platform's endpoint
    #[arg(long, value_name = "URL")]
    pub(crate) url: Option<String>,

    /// Sign the connection for this cloud platform (see "Platform" below)
    #[arg(long, value_enum, value_name = "PLATFORM")]
    pub(crate) platform: Option<Platform>,

    /// Scheme of the platform's default endpoint (tencent: ws on port 80 or wss on 443;
    /// aliyun: both on 443) [default: wss]
    #[arg(long, value_enum, value_name = "SCHEME", conflicts_with = "url")]
    pub(crate) scheme: Option<SchemeArg>,

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

    /// MQTT client id (aws: required; aliyun: the bare id inside the signed client id,
    /// default PRODUCTKEY.DEVICENAME; no platform: default mqttws-PID)
    #[arg(short = 'i', long, value_name = "ID")]
    pub(crate) client_id: Option<String>,

    /// MQTT user name (without --platform)
    #[arg(short = 'u', long, value_name = "USER")]
    pub(crate) username: Option<String>,

    /// MQTT password (without --platform)
    #[arg(
        short = 'P',
        long,
        value_name = "PASSWORD",
        env = "MQTTWS_PASSWORD",
        hide_env_values = true
    )]
    pub(crate) password: Option<String>,

    /// Keepalive in seconds, checked against the platform's range before connecting
    /// (tencent 0-900, aliyun 30-1200, aws 1-1200, azure 1-1740, huawei 30-1200)
    #[arg(short = 'k', long, value_name = "SECS", default_value_t = 60)]
    pub(crate) keepalive: u16,

    /// Give up after this many seconds (sub: default never; pub: default 10)
    #[arg(short = 'W', long, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub(crate) timeout: Option<u64>,

    /// Print progress to stderr ("connected to ...", "subscribed to FILTER", ...)
    #[arg(short = 'd', long)]
    pub(crate) debug: bool,
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
    /// [aws] Signing region (default: taken from --host)
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

    /// [aws] Endpoint host, e.g. abc123-ats.iot.us-east-1.amazonaws.com.
    /// [huawei] Device access host
    #[arg(long, value_name = "HOST")]
    pub(crate) host: Option<String>,

    /// [aws] Port (default 443; another port is signed as HOST:PORT)
    #[arg(long, value_name = "PORT")]
    pub(crate) port: Option<u16>,

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

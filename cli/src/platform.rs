//! From the command line to a URL and a credential provider.
//!
//! Everything here runs before any network I/O: flags that do not apply to
//! the chosen platform, missing identities, malformed secrets (a PSK that is
//! not base64...) and a keepalive outside the platform's range all end the
//! program with exit code 1 and nothing sent. The platforms' endpoints,
//! paths and signing rules come from the library (`mqttws::auth`); this
//! module only maps flags onto its builders.

use std::sync::Arc;
use std::time::SystemTime;

use mqttws::WsUrl;
use mqttws::auth::aliyun::{self, AliyunDevice};
use mqttws::auth::aws::AwsSigV4;
use mqttws::auth::azure::AzureDevice;
use mqttws::auth::huawei::HuaweiDevice;
use mqttws::auth::tencent::{self, Expiry, TencentDevice};
use mqttws::auth::{CredentialProvider, Scheme};

use crate::CliError;
use crate::args::{ConnArgs, EndpointArgs, Platform, PlatformArgs, SchemeArg};

use Platform::{Aliyun, Aws, Azure, Huawei, Tencent};

/// The WebSocket path without a platform, as most brokers serve it.
const DEFAULT_WS_PATH: &str = "/mqtt";

/// Where to connect, and who signs.
pub(crate) struct Target {
    /// The URL given to `ClientOptions` (for AWS a placeholder with the right
    /// scheme, host and port: the provider replaces it with the presigned URL).
    pub(crate) url: String,
    /// The URL for messages, query hidden.
    pub(crate) display_url: String,
    /// The platform, if one signs.
    pub(crate) platform: Option<Platform>,
    /// The platform signer, if any.
    pub(crate) provider: Option<Arc<dyn CredentialProvider>>,
    /// The client id without a platform (or `None` to let the platform decide).
    pub(crate) client_id: Option<String>,
    /// User name and password without a platform.
    pub(crate) login: Option<(String, Option<String>)>,
}

impl Target {
    /// The scheme of [`Target::url`], which decides Alibaba's securemode.
    pub(crate) fn scheme(&self) -> Scheme {
        if WsUrl::parse(&self.url).is_ok_and(|u| !u.secure) {
            Scheme::Ws
        } else {
            Scheme::Wss
        }
    }
}

/// Flags tied to platforms: (clap argument id, flag as typed, platforms it
/// applies to).
const PLATFORM_FLAGS: &[(&str, &str, &[Platform])] = &[
    ("product_id", "--product-id", &[Tencent]),
    ("device_name", "--device-name", &[Tencent, Aliyun]),
    ("psk", "--psk", &[Tencent]),
    ("key_file", "--key-file", &[Tencent]),
    ("region", "--region", &[Tencent, Aliyun, Aws]),
    ("sign_method", "--sign-method", &[Tencent, Aliyun]),
    ("connid", "--connid", &[Tencent]),
    ("expiry", "--expiry", &[Tencent]),
    ("product_key", "--product-key", &[Aliyun]),
    ("device_secret", "--device-secret", &[Aliyun, Huawei]),
    ("instance", "--instance", &[Aliyun]),
    ("timestamp", "--timestamp", &[Aliyun]),
    ("access_key_id", "--access-key-id", &[Aws]),
    ("secret_access_key", "--secret-access-key", &[Aws]),
    ("session_token", "--session-token", &[Aws]),
    ("hub", "--hub", &[Azure]),
    ("device_id", "--device-id", &[Azure, Huawei]),
    ("device_key", "--device-key", &[Azure]),
    ("scheme", "--scheme", &[Tencent, Aliyun]),
];

/// Resolves the connection target. `given(id)` says whether the argument
/// with that clap id was typed on the command line (values that came from
/// the environment are ignored where they do not apply). `conn` is absent
/// for `creds`, which connects to nothing; `now` is the wall clock the
/// credentials are checked with.
pub(crate) fn resolve(
    e: &EndpointArgs,
    p: &PlatformArgs,
    conn: Option<&ConnArgs>,
    given: &dyn Fn(&str) -> bool,
    now: SystemTime,
) -> Result<Target, CliError> {
    let Some(platform) = e.platform else {
        return plain(e, conn, given);
    };
    for (id, flag, platforms) in PLATFORM_FLAGS {
        if given(id) && !platforms.contains(&platform) {
            return Err(usage(format!(
                "{flag} does not apply to --platform {} (it is for --platform {})",
                platform.name(),
                names(platforms)
            )));
        }
    }
    for (id, flag) in [("username", "-u/--username"), ("password", "-P/--password")] {
        if given(id) {
            return Err(usage(format!(
                "{flag} does not apply with --platform: the {} signer computes the user name \
                 and password",
                platform.name()
            )));
        }
    }
    if given("client_id") && !matches!(platform, Aws | Aliyun) {
        return Err(usage(format!(
            "-i/--id does not apply to --platform {}: the platform fixes the client id",
            platform.name()
        )));
    }
    if matches!(platform, Aws | Huawei) && e.host.is_none() && e.url.is_none() {
        return Err(usage(format!(
            "--platform {} needs -h/--host (the endpoint host)",
            platform.name()
        )));
    }

    // With --url, the URL's scheme decides (Alibaba signs it as securemode).
    let scheme = match &e.url {
        Some(url) => {
            if platform == Aws {
                return Err(usage(
                    "-L/--url does not apply to --platform aws: the URL is presigned for -h \
                     (and -p)",
                ));
            }
            if WsUrl::parse(url)?.secure {
                Scheme::Wss
            } else {
                Scheme::Ws
            }
        }
        None => match e.scheme {
            Some(SchemeArg::Ws) => Scheme::Ws,
            Some(SchemeArg::Wss) | None => Scheme::Wss,
        },
    };

    let provider: Arc<dyn CredentialProvider> = match platform {
        Tencent => {
            let pid = need(&p.product_id, "--product-id", platform)?;
            let name = need(&p.device_name, "--device-name", platform)?;
            let mut d = match (&p.key_file, &p.psk) {
                (Some(_), Some(_)) if given("psk") => {
                    return Err(usage("give either --psk or --key-file, not both"));
                }
                (Some(path), _) => TencentDevice::with_private_key_file(pid, name, path),
                (None, Some(psk)) => TencentDevice::with_psk(pid, name, psk.as_str()),
                (None, None) => {
                    return Err(usage(
                        "--platform tencent needs --psk (or MQTTWS_PSK) for a key device, \
                         or --key-file for a certificate device",
                    ));
                }
            };
            d = d.scheme(scheme);
            if let Some(region) = &p.region {
                d = d.region(region.as_str());
            }
            if let Some(m) = &p.sign_method {
                d = d.sign_method(m.parse::<tencent::SignMethod>()?);
            }
            if let Some(connid) = &p.connid {
                d = d.connid(connid.as_str());
            }
            if let Some(x) = &p.expiry {
                d = d.expiry(parse_expiry(x)?);
            }
            Arc::new(d)
        }
        Aliyun => {
            let pk = need(&p.product_key, "--product-key", platform)?;
            let name = need(&p.device_name, "--device-name", platform)?;
            let secret = need_secret(
                &p.device_secret,
                "--device-secret",
                "MQTTWS_DEVICE_SECRET",
                platform,
            )?;
            let mut d = AliyunDevice::new(pk, name, secret).scheme(scheme);
            if let Some(id) = &e.client_id {
                d = d.client_id(id.as_str());
            }
            if let Some(m) = &p.sign_method {
                d = d.sign_method(m.parse::<aliyun::SignMethod>()?);
            }
            if let Some(t) = &p.timestamp {
                d = d.timestamp(parse_timestamp(t)?);
            }
            match (&p.region, &p.instance) {
                (Some(region), _) => d = d.region(region.as_str()),
                (None, Some(instance)) => d = d.instance(instance.as_str()),
                (None, None) if e.url.is_none() && e.host.is_none() => {
                    return Err(usage(
                        "--platform aliyun needs --region (public instance) or --instance \
                         (instance endpoint), or an explicit -h/--host or -L/--url",
                    ));
                }
                (None, None) => {}
            }
            Arc::new(d)
        }
        Aws => {
            let host = need(&e.host, "-h/--host", platform)?;
            let akid = need(&p.access_key_id, "--access-key-id", platform)?;
            let secret = need_secret(
                &p.secret_access_key,
                "--secret-access-key",
                "MQTTWS_SECRET_ACCESS_KEY",
                platform,
            )?;
            let Some(client_id) = &e.client_id else {
                return Err(usage(
                    "--platform aws needs -i/--id (a client id the IoT policy allows)",
                ));
            };
            if e.ws_path.is_some() {
                return Err(usage(
                    "--ws-path does not apply to --platform aws: the path /mqtt is signed",
                ));
            }
            let mut d = AwsSigV4::new(host, akid, secret).client_id(client_id.as_str());
            if let Some(port) = e.port {
                d = d.port(port);
            }
            if let Some(region) = &p.region {
                d = d.region(region.as_str());
            }
            if let Some(token) = &p.session_token {
                d = d.session_token(token.as_str());
            }
            Arc::new(d)
        }
        Azure => {
            let hub = need(&p.hub, "--hub", platform)?;
            let id = need(&p.device_id, "--device-id", platform)?;
            let key = need_secret(&p.device_key, "--device-key", "MQTTWS_DEVICE_KEY", platform)?;
            Arc::new(AzureDevice::new(hub, id, key))
        }
        Huawei => {
            let id = need(&p.device_id, "--device-id", platform)?;
            let secret = need_secret(
                &p.device_secret,
                "--device-secret",
                "MQTTWS_DEVICE_SECRET",
                platform,
            )?;
            // -h is the endpoint itself here, not an override of it; with
            // -L, the URL's host.
            let host = match (&e.host, &e.url) {
                (Some(host), _) => host.clone(),
                (None, Some(url)) => WsUrl::parse(url)?.host,
                (None, None) => return Err(usage("--platform huawei needs -h/--host")),
            };
            Arc::new(HuaweiDevice::new(host, id, secret))
        }
    };
    // Every signer is checked the same way, before any network I/O.
    provider.validate_keepalive(conn.map_or(60, |c| c.keepalive))?;
    provider.credentials(now)?;
    // The endpoint (for AWS the unsigned URL: the presigned one replaces it
    // at every attempt). An Alibaba device without region or instance has
    // none; -h or -L gives it.
    let default_url = match provider.url() {
        Ok(url) => url,
        Err(_) if platform == Aliyun && e.host.is_some() => build_url(
            scheme == Scheme::Wss,
            e.host.as_deref().unwrap_or_default(),
            None,
            aliyun::DEFAULT_PATH,
        )?,
        Err(_) if platform == Aliyun && e.url.is_some() => String::new(),
        Err(err) => return Err(err.into()),
    };
    let url = match &e.url {
        Some(url) => url.clone(),
        // AWS signs host and port: they went into the signer above.
        None if platform == Aws => default_url,
        None => {
            let u = WsUrl::parse(&default_url)?;
            build_url(
                u.secure,
                e.host.as_deref().unwrap_or(&u.host),
                Some(e.port.unwrap_or(u.port)),
                e.ws_path.as_deref().unwrap_or(&u.path_and_query),
            )?
        }
    };
    if let Some(conn) = conn {
        check_tls_flags(&url, conn)?;
    }
    Ok(Target {
        display_url: WsUrl::parse(&url)?.redacted(),
        url,
        platform: Some(platform),
        provider: Some(provider),
        client_id: None,
        login: None,
    })
}

/// No platform: `-L`, or `-h`/`-p`/`--ws-path`/`--tls`, and an optional
/// user name and password.
fn plain(
    e: &EndpointArgs,
    conn: Option<&ConnArgs>,
    given: &dyn Fn(&str) -> bool,
) -> Result<Target, CliError> {
    for (id, flag, platforms) in PLATFORM_FLAGS {
        if given(id) {
            return Err(usage(format!(
                "{flag} needs --platform {}",
                names(platforms)
            )));
        }
    }
    let Some(conn) = conn else {
        return Err(usage(
            "creds needs --platform: without one, nothing is signed (the credentials are \
             -i, -u and -P as given)",
        ));
    };
    let url = match &e.url {
        Some(url) => url.clone(),
        None => {
            // As mosquitto_pub turns TLS on for --cafile, so do TLS options here.
            let secure = conn.tls || conn.cafile.is_some() || conn.cert.is_some() || conn.insecure;
            build_url(
                secure,
                e.host.as_deref().unwrap_or("localhost"),
                e.port,
                e.ws_path.as_deref().unwrap_or(DEFAULT_WS_PATH),
            )?
        }
    };
    check_tls_flags(&url, conn)?;
    if given("password") && conn.username.is_none() {
        return Err(usage("-P/--password needs -u/--username"));
    }
    let login = conn
        .username
        .as_ref()
        .map(|user| (user.clone(), conn.password.clone()));
    Ok(Target {
        display_url: WsUrl::parse(&url)?.redacted(),
        url,
        platform: None,
        provider: None,
        client_id: Some(
            e.client_id
                .clone()
                .unwrap_or_else(|| format!("mqttws-{}", std::process::id())),
        ),
        login,
    })
}

/// `{scheme}://{host}[:{port}]{path}`, naming the port only when it is not
/// the scheme's default, and checked by the library's URL parser.
fn build_url(secure: bool, host: &str, port: Option<u16>, path: &str) -> Result<String, CliError> {
    if !path.starts_with('/') {
        return Err(usage(format!("--ws-path {path:?} must start with '/'")));
    }
    let (scheme, default) = if secure { ("wss", 443) } else { ("ws", 80) };
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    let url = match port {
        Some(port) if port != default => format!("{scheme}://{host}:{port}{path}"),
        _ => format!("{scheme}://{host}{path}"),
    };
    WsUrl::parse(&url)?;
    Ok(url)
}

/// TLS files and `--insecure` only make sense for wss.
fn check_tls_flags(url: &str, conn: &ConnArgs) -> Result<(), CliError> {
    if !WsUrl::parse(url)?.secure && (conn.cafile.is_some() || conn.cert.is_some() || conn.insecure)
    {
        return Err(usage(
            "--cafile, --cert/--key and --insecure need TLS, but the URL is ws://: use --tls, \
             a wss:// URL or --scheme wss",
        ));
    }
    Ok(())
}

/// What to check when `platform` refuses the credentials, one cause per
/// line, naming the flags that feed each part of the signature.
pub(crate) fn refusal_causes(
    platform: Platform,
    p: &PlatformArgs,
    e: &EndpointArgs,
) -> [String; 2] {
    let show = |v: &Option<String>| v.clone().unwrap_or_default();
    match platform {
        Tencent => [
            if p.key_file.is_some() {
                "the device private key (--key-file) is not this device's".to_owned()
            } else {
                "the device PSK (--psk or MQTTWS_PSK) is not this device's: copy it again from \
                 the console (base64, as shown)"
                    .to_owned()
            },
            format!(
                "the product id or device name ({} / {}) differs from the console's",
                show(&p.product_id),
                show(&p.device_name)
            ),
        ],
        Aliyun => [
            "the device secret (--device-secret or MQTTWS_DEVICE_SECRET) is not this device's"
                .to_owned(),
            format!(
                "the product key or device name ({} / {}) differs from the console's",
                show(&p.product_key),
                show(&p.device_name)
            ),
        ],
        Aws => [
            "the secret access key (--secret-access-key or MQTTWS_SECRET_ACCESS_KEY) or the \
             session token does not belong to the access key id"
                .to_owned(),
            format!(
                "the access key id, the region or the IoT policy: it must allow client id {:?} \
                 to connect",
                show(&e.client_id)
            ),
        ],
        Azure => [
            "the device key (--device-key or MQTTWS_DEVICE_KEY) is not this device's".to_owned(),
            format!(
                "the hub or device id ({} / {}) differs from the portal's",
                show(&p.hub),
                show(&p.device_id)
            ),
        ],
        Huawei => [
            "the device secret (--device-secret or MQTTWS_DEVICE_SECRET) is not this device's"
                .to_owned(),
            format!(
                "the device id ({}) differs from the console's",
                show(&p.device_id)
            ),
        ],
    }
}

fn need<'a>(
    value: &'a Option<String>,
    flag: &str,
    platform: Platform,
) -> Result<&'a str, CliError> {
    value
        .as_deref()
        .ok_or_else(|| usage(format!("--platform {} needs {flag}", platform.name())))
}

fn need_secret<'a>(
    value: &'a Option<String>,
    flag: &str,
    env: &str,
    platform: Platform,
) -> Result<&'a str, CliError> {
    value.as_deref().ok_or_else(|| {
        usage(format!(
            "--platform {} needs {flag} (or {env})",
            platform.name()
        ))
    })
}

/// `never`, or UNIX seconds.
fn parse_expiry(s: &str) -> Result<Expiry, CliError> {
    if s.eq_ignore_ascii_case("never") {
        return Ok(Expiry::Never);
    }
    s.parse::<u64>().map(Expiry::At).map_err(|_| {
        usage(format!(
            "--expiry {s:?} is neither UNIX seconds nor 'never'"
        ))
    })
}

/// `none`, or milliseconds since the epoch.
fn parse_timestamp(s: &str) -> Result<aliyun::Timestamp, CliError> {
    if s.eq_ignore_ascii_case("none") {
        return Ok(aliyun::Timestamp::Omit);
    }
    s.parse::<u64>().map(aliyun::Timestamp::Fixed).map_err(|_| {
        usage(format!(
            "--timestamp {s:?} is neither milliseconds since the epoch nor 'none'"
        ))
    })
}

fn names(platforms: &[Platform]) -> String {
    platforms
        .iter()
        .map(|p| p.name())
        .collect::<Vec<_>>()
        .join(" or ")
}

pub(crate) fn usage(msg: impl Into<String>) -> CliError {
    CliError::Usage(msg.into())
}

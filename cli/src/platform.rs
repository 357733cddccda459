//! From the command line to a URL and a credential provider.
//!
//! Everything here runs before any network I/O: flags that do not apply to
//! the chosen platform, missing identities, malformed secrets (a PSK that is
//! not base64...) and a keepalive outside the platform's range all end the
//! program with exit code 1 and nothing sent.

use std::sync::Arc;
use std::time::SystemTime;

use mqttws::WsUrl;
use mqttws::auth::aliyun::{self, AliyunDevice};
use mqttws::auth::aws::{self, AwsSigV4};
use mqttws::auth::azure::AzureDevice;
use mqttws::auth::huawei::HuaweiDevice;
use mqttws::auth::tencent::{self, Expiry, TencentDevice};
use mqttws::auth::{CredentialProvider, Scheme};

use crate::CliError;
use crate::args::{Common, Platform, SchemeArg};

use Platform::{Aliyun, Aws, Azure, Huawei, Tencent};

/// Where to connect, and who signs.
pub(crate) struct Target {
    /// The URL given to `ClientOptions` (for AWS a placeholder with the right
    /// scheme, host and port: the provider replaces it with the presigned URL).
    pub(crate) url: String,
    /// The URL for messages, query hidden.
    pub(crate) display_url: String,
    /// The platform signer, if any.
    pub(crate) provider: Option<Arc<dyn CredentialProvider>>,
    /// The client id without a platform (or `None` to let the platform decide).
    pub(crate) client_id: Option<String>,
    /// User name and password without a platform.
    pub(crate) login: Option<(String, Option<String>)>,
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
    ("host", "--host", &[Aws, Huawei]),
    ("port", "--port", &[Aws]),
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
/// the environment are ignored where they do not apply).
pub(crate) fn resolve(c: &Common, given: &dyn Fn(&str) -> bool) -> Result<Target, CliError> {
    let conn = &c.conn;
    let Some(platform) = conn.platform else {
        return plain(c, given);
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
            "-i/--client-id does not apply to --platform {}: the platform fixes the client id",
            platform.name()
        )));
    }

    // With --url, the URL's scheme decides (Alibaba signs it as securemode).
    let scheme = match &conn.url {
        Some(url) => {
            if platform == Aws {
                return Err(usage(
                    "--url does not apply to --platform aws: the URL is presigned for --host \
                     (and --port)",
                ));
            }
            if WsUrl::parse(url)?.secure {
                Scheme::Wss
            } else {
                Scheme::Ws
            }
        }
        None => match conn.scheme {
            Some(SchemeArg::Ws) => Scheme::Ws,
            Some(SchemeArg::Wss) | None => Scheme::Wss,
        },
    };

    let p = &c.platform;
    let now = SystemTime::now();
    let k = conn.keepalive;
    let (default_url, provider): (String, Arc<dyn CredentialProvider>) = match platform {
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
            if let Some(e) = &p.expiry {
                d = d.expiry(parse_expiry(e)?);
            }
            d.validate_keepalive(k)?;
            d.credentials(now)?;
            let url = if conn.url.is_none() {
                d.url()?
            } else {
                String::new()
            };
            (url, Arc::new(d))
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
            if let Some(id) = &conn.client_id {
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
                (None, None) if conn.url.is_none() => {
                    return Err(usage(
                        "--platform aliyun needs --region (public instance) or --instance \
                         (instance endpoint), or an explicit --url",
                    ));
                }
                (None, None) => {}
            }
            d.validate_keepalive(k)?;
            d.credentials(now)?;
            let url = if conn.url.is_none() {
                d.url()?
            } else {
                String::new()
            };
            (url, Arc::new(d))
        }
        Aws => {
            let host = need(&p.host, "--host", platform)?;
            let akid = need(&p.access_key_id, "--access-key-id", platform)?;
            let secret = need_secret(
                &p.secret_access_key,
                "--secret-access-key",
                "MQTTWS_SECRET_ACCESS_KEY",
                platform,
            )?;
            let Some(client_id) = &conn.client_id else {
                return Err(usage(
                    "--platform aws needs -i/--client-id (a client id the IoT policy allows)",
                ));
            };
            let port = p.port.unwrap_or(aws::DEFAULT_PORT);
            let mut d = AwsSigV4::new(host, akid, secret)
                .client_id(client_id.as_str())
                .port(port);
            if let Some(region) = &p.region {
                d = d.region(region.as_str());
            }
            if let Some(token) = &p.session_token {
                d = d.session_token(token.as_str());
            }
            d.validate_keepalive(k)?;
            // The presigned URL replaces this one at every attempt; it only
            // tells the client to prepare TLS.
            let url = if port == aws::DEFAULT_PORT {
                format!("wss://{host}{}", aws::DEFAULT_PATH)
            } else {
                format!("wss://{host}:{port}{}", aws::DEFAULT_PATH)
            };
            d.credentials(now)?;
            (url, Arc::new(d))
        }
        Azure => {
            let hub = need(&p.hub, "--hub", platform)?;
            let id = need(&p.device_id, "--device-id", platform)?;
            let key = need_secret(&p.device_key, "--device-key", "MQTTWS_DEVICE_KEY", platform)?;
            let d = AzureDevice::new(hub, id, key);
            d.validate_keepalive(k)?;
            d.credentials(now)?;
            (d.url()?, Arc::new(d))
        }
        Huawei => {
            let host = need(&p.host, "--host", platform)?;
            let id = need(&p.device_id, "--device-id", platform)?;
            let secret = need_secret(
                &p.device_secret,
                "--device-secret",
                "MQTTWS_DEVICE_SECRET",
                platform,
            )?;
            let d = HuaweiDevice::new(host, id, secret);
            d.validate_keepalive(k)?;
            d.credentials(now)?;
            (d.url()?, Arc::new(d))
        }
    };
    let url = conn.url.clone().unwrap_or(default_url);
    Ok(Target {
        display_url: WsUrl::parse(&url)?.redacted(),
        url,
        provider: Some(provider),
        client_id: None,
        login: None,
    })
}

/// No platform: `--url` and optional user name and password.
fn plain(c: &Common, given: &dyn Fn(&str) -> bool) -> Result<Target, CliError> {
    for (id, flag, platforms) in PLATFORM_FLAGS {
        if given(id) {
            return Err(usage(format!(
                "{flag} needs --platform {}",
                names(platforms)
            )));
        }
    }
    let conn = &c.conn;
    let Some(url) = &conn.url else {
        return Err(usage(
            "give --url, or --platform to use a platform's endpoint",
        ));
    };
    if given("password") && conn.username.is_none() {
        return Err(usage("-P/--password needs -u/--username"));
    }
    let login = conn
        .username
        .as_ref()
        .map(|user| (user.clone(), conn.password.clone()));
    Ok(Target {
        display_url: WsUrl::parse(url)?.redacted(),
        url: url.clone(),
        provider: None,
        client_id: Some(
            conn.client_id
                .clone()
                .unwrap_or_else(|| format!("mqttws-{}", std::process::id())),
        ),
        login,
    })
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

fn usage(msg: impl Into<String>) -> CliError {
    CliError::Usage(msg.into())
}

//! Cloud platform signers: per-platform credential builders and endpoints.
//!
//! Each cloud IoT platform authenticates an MQTT-over-WebSocket client in its
//! own way. This module has one submodule per platform; each offers a builder
//! that holds the device identity and secret, computes fresh [`Credentials`]
//! for every connection attempt, knows the platform's endpoint URL, default
//! WebSocket path and keepalive range, and implements [`CredentialProvider`].
//!
//! | Platform | Builder | Auth carried in | Default path | Keepalive (s) |
//! |---|---|---|---|---|
//! | Tencent IoT Hub / Explorer | [`tencent::TencentDevice`] | CONNECT user name + HMAC or RSA password | `/mqtt` | 0..=900 |
//! | Alibaba IoT Platform | [`aliyun::AliyunDevice`] | CONNECT client id + user name + HMAC password | `/` | 30..=1200 |
//! | AWS IoT Core (IAM) | [`aws::AwsSigV4`] | SigV4 presigned URL | `/mqtt` | 1..=1200 |
//! | AWS IoT Core (custom authorizer) | [`aws::AwsCustomAuth`] | upgrade headers or URL query | `/mqtt` | 1..=1200 |
//! | Azure IoT Hub | [`azure::AzureDevice`] | CONNECT user name + SAS token password | `/$iothub/websocket` | 1..=1740 |
//! | Huawei Cloud IoTDA | [`huawei::HuaweiDevice`] | CONNECT client id + HMAC password | `/mqtt` | 30..=1200 |
//!
//! # Rules shared by every signer
//!
//! * **Time is a parameter.** Signing never reads the clock: every
//!   `credentials(now)` takes the wall-clock time, so that tests are
//!   deterministic and a reconnect signs with a fresh time. Platforms whose
//!   signatures expire (AWS, Azure, Tencent with a TTL, Huawei with a checked
//!   timestamp) refuse a `now` before 2015, which means the device clock was
//!   never set: better a clear error than an HTTP 403 or a CONNACK refusal.
//! * **Secrets never leak into text.** Error messages never contain a PSK,
//!   device secret, key, password, AWS secret or session token; the `Debug`
//!   output of every builder and of [`Credentials`] prints `<redacted>` in
//!   their place.
//! * **Errors are classified.** Invalid caller input (empty ids, unknown sign
//!   method names, an expiry in the past, a keepalive out of range) gives
//!   [`Error::InvalidArgument`]; bad credential material (a PSK that is not
//!   base64, an unreadable key file, a key of the wrong type) gives
//!   [`Error::Auth`].
//! * **Builders validate late.** Setters never fail; `credentials()` (and the
//!   URL methods) check everything and say what is wrong.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};

use crate::error::{Error, Result};

// Textual macro scope: defined before the platform modules that use it.
/// Implements [`CredentialProvider`] for a platform builder whose inherent
/// `credentials(now)` does the signing and whose inherent `url()` gives the
/// endpoint, with the module's `KEEPALIVE_RANGE` and `PLATFORM` constants
/// (one definition instead of one per platform).
macro_rules! platform_provider {
    ($ty:ty) => {
        impl CredentialProvider for $ty {
            fn credentials(&self, now: SystemTime) -> Result<Credentials> {
                <$ty>::credentials(self, now)
            }

            fn url(&self) -> Result<String> {
                <$ty>::url(self)
            }

            fn keepalive_range(&self) -> Option<(u16, u16)> {
                Some(KEEPALIVE_RANGE)
            }

            fn platform(&self) -> &str {
                PLATFORM
            }
        }
    };
}

pub mod aliyun;
pub mod aws;
pub mod azure;
mod encoding;
pub mod huawei;
pub mod tencent;

/// What a connection attempt presents to the server, computed fresh for each
/// attempt by a [`CredentialProvider`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// MQTT client identifier for CONNECT.
    pub client_id: String,
    /// MQTT user name, if any.
    pub username: Option<String>,
    /// MQTT password, if any. Never printed by `Debug`.
    pub password: Option<String>,
    /// A URL that replaces the configured one for this attempt (AWS SigV4
    /// presigned URLs). `None` keeps the configured URL.
    pub url: Option<String>,
    /// Extra WebSocket upgrade headers for this attempt (AWS custom authorizer).
    pub headers: Vec<(String, String)>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("url", &self.url.as_ref().map(|_| "<redacted>"))
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Computes [`Credentials`] at each connection attempt, so that expiring
/// signatures are fresh after a reconnect. `now` is the wall clock, passed in
/// so that signing is testable.
pub trait CredentialProvider: Send + Sync {
    /// Credentials for an attempt made at wall-clock time `now`.
    fn credentials(&self, now: SystemTime) -> Result<Credentials>;

    /// Credentials for an attempt on a URL of this `scheme`. Platforms whose
    /// signature depends on the transport (Alibaba's `securemode`) override
    /// it, so the client id always matches the connection actually made; the
    /// default ignores the scheme.
    fn credentials_for(&self, now: SystemTime, scheme: Scheme) -> Result<Credentials> {
        let _ = scheme;
        self.credentials(now)
    }

    /// The endpoint URL to give [`ClientOptions::new`](crate::ClientOptions::new),
    /// e.g. `wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt`.
    /// The credentials of an attempt may replace it ([`Credentials::url`]:
    /// AWS presigns `wss://{host}/mqtt` afresh at every attempt).
    ///
    /// Errors: [`Error::InvalidArgument`] when the provider has no endpoint
    /// (the default, and an Alibaba device with neither region nor
    /// instance) or its host is malformed.
    fn url(&self) -> Result<String> {
        Err(Error::InvalidArgument(format!(
            "{} has no endpoint URL of its own; give the broker's URL",
            self.platform()
        )))
    }

    /// The keepalive range (seconds, inclusive) the platform accepts, checked
    /// before connecting. `None` means any value MQTT allows.
    fn keepalive_range(&self) -> Option<(u16, u16)> {
        None
    }

    /// Checks a keepalive (seconds) against [`keepalive_range`](Self::keepalive_range),
    /// as the client does before connecting: [`Error::InvalidArgument`]
    /// naming the platform and the range when it is outside.
    fn validate_keepalive(&self, secs: u16) -> Result<()> {
        match self.keepalive_range() {
            Some(range) => check_keepalive(self.platform(), range, secs),
            None => Ok(()),
        }
    }

    /// The platform's name, for error messages.
    fn platform(&self) -> &str {
        "the platform"
    }
}

/// The WebSocket URL scheme: plain `ws://` or TLS `wss://`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `ws://`: WebSocket over plain TCP (default port 80). Credentials cross
    /// the network in the clear; use only where the platform requires it.
    Ws,
    /// `wss://`: WebSocket over TLS (default port 443). The default.
    #[default]
    Wss,
}

impl Scheme {
    /// The URL scheme name: `"ws"` or `"wss"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ws => "ws",
            Self::Wss => "wss",
        }
    }

    /// The port a URL of this scheme uses when it names none: 80 or 443.
    pub fn default_port(self) -> u16 {
        match self {
            Self::Ws => 80,
            Self::Wss => 443,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Checks a keepalive (seconds) against a platform's inclusive `range`.
///
/// The error is [`Error::InvalidArgument`] and names the platform and the
/// range, e.g. "keepalive 5 s is outside Alibaba IoT Platform's allowed range
/// 30..=1200 s". [`CredentialProvider::validate_keepalive`] calls this with
/// the provider's range.
pub fn check_keepalive(platform: &str, range: (u16, u16), secs: u16) -> Result<()> {
    let (lo, hi) = range;
    if (lo..=hi).contains(&secs) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "keepalive {secs} s is outside {platform}'s allowed range {lo}..={hi} s"
        )))
    }
}

/// The placeholder `Debug` prints in place of a secret.
pub(crate) const REDACTED: &str = "<redacted>";

/// 2015-01-01T00:00:00Z. A wall clock before this was never set.
const PLAUSIBLE_CLOCK_FLOOR: u64 = 1_420_070_400;

/// Whole seconds since the UNIX epoch at `now`.
pub(crate) fn unix_seconds(platform: &str, now: SystemTime) -> Result<u64> {
    now.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| {
            Error::InvalidArgument(format!(
                "{platform}: the wall clock is before 1970-01-01; set the clock before signing"
            ))
        })
}

/// Whole milliseconds since the UNIX epoch at `now`.
pub(crate) fn unix_millis(platform: &str, now: SystemTime) -> Result<u64> {
    let d = now.duration_since(UNIX_EPOCH).map_err(|_| {
        Error::InvalidArgument(format!(
            "{platform}: the wall clock is before 1970-01-01; set the clock before signing"
        ))
    })?;
    u64::try_from(d.as_millis())
        .map_err(|_| Error::InvalidArgument(format!("{platform}: the wall clock is out of range")))
}

/// Seconds since the epoch at `now`, refusing clocks that were never set
/// (before 2015), for signatures the server checks against its own time.
pub(crate) fn unix_seconds_checked(platform: &str, now: SystemTime) -> Result<u64> {
    let secs = unix_seconds(platform, now)?;
    if secs < PLAUSIBLE_CLOCK_FLOOR {
        return Err(Error::InvalidArgument(format!(
            "{platform}: the wall clock reads {}, before 2015: it was never set; \
             synchronise it (NTP) before signing, or the server will refuse the signature",
            UtcDateTime::from_unix(secs).iso8601()
        )));
    }
    Ok(secs)
}

/// Fails with [`Error::InvalidArgument`] if `value` is empty.
pub(crate) fn require_non_empty(platform: &str, what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        Err(Error::InvalidArgument(format!(
            "{platform}: {what} is empty"
        )))
    } else {
        Ok(())
    }
}

/// Checks that `host` is a bare DNS host name (no scheme, port, path or
/// spaces): ASCII letters, digits, `-`, `_` and `.`.
pub(crate) fn check_host(platform: &str, what: &str, host: &str) -> Result<()> {
    require_non_empty(platform, what, host)?;
    let ok = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !host.starts_with('.')
        && !host.ends_with('.')
        && !host.contains("..");
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "{platform}: {what} {host:?} is not a bare host name \
             (expected letters, digits, '-', '_' and '.', without scheme, port or path)"
        )))
    }
}

/// Checks that `value` can be one label of a host name (ASCII letters,
/// digits, `-`, `_`).
pub(crate) fn check_label(platform: &str, what: &str, value: &str) -> Result<()> {
    require_non_empty(platform, what, value)?;
    if value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
    {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "{platform}: {what} {value:?} may only contain ASCII letters, digits, '-' and '_'"
        )))
    }
}

/// `{scheme}://{host}[:{port}]{path}`, naming the port only when it is not
/// the scheme's default.
pub(crate) fn build_url(scheme: Scheme, host: &str, port: u16, path: &str) -> String {
    if port == scheme.default_port() {
        format!("{scheme}://{host}{path}")
    } else {
        format!("{scheme}://{host}:{port}{path}")
    }
}

/// HMAC-SHA1 of `msg` under `key`.
pub(crate) fn hmac_sha1(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// HMAC-SHA256 of `msg` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// HMAC-MD5 of `msg` under `key`.
pub(crate) fn hmac_md5(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<md5::Md5>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// A UTC calendar date and time, computed from UNIX seconds without a date
/// library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct UtcDateTime {
    pub(crate) year: i64,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
}

impl UtcDateTime {
    /// The UTC date and time `secs` seconds after 1970-01-01T00:00:00Z.
    pub(crate) fn from_unix(secs: u64) -> Self {
        let days = (secs / 86_400) as i64;
        let rem = (secs % 86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Self {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem % 3600 / 60,
            second: rem % 60,
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, for messages.
    pub(crate) fn iso8601(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// The proleptic Gregorian (year, month, day) of `days` days after
/// 1970-01-01: Howard Hinnant's `civil_from_days` algorithm, which counts in
/// 400-year eras starting on March 1st so that leap days fall at the end.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1st
    let mp = (5 * doy + 2) / 153; // month from March, 0..=11
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn check_keepalive_accepts_the_bounds_and_names_platform_and_range_otherwise() {
        assert!(check_keepalive("Alibaba IoT Platform", (30, 1200), 30).is_ok());
        assert!(check_keepalive("Alibaba IoT Platform", (30, 1200), 1200).is_ok());
        let err = check_keepalive("Alibaba IoT Platform", (30, 1200), 5).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument);
        assert_eq!(
            err.to_string(),
            "invalid argument: keepalive 5 s is outside Alibaba IoT Platform's allowed range 30..=1200 s"
        );
        assert!(check_keepalive("X", (30, 1200), 1201).is_err());
    }

    /// A provider that keeps every default of the trait.
    struct Bare;

    impl CredentialProvider for Bare {
        fn credentials(&self, _now: SystemTime) -> Result<Credentials> {
            Ok(Credentials::default())
        }
    }

    #[test]
    fn trait_defaults_have_no_endpoint_and_accept_any_keepalive() {
        let err = Bare.url().unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument);
        assert!(err.to_string().contains("has no endpoint URL"), "{err}");
        assert!(Bare.validate_keepalive(0).is_ok() && Bare.validate_keepalive(u16::MAX).is_ok());
    }

    #[test]
    fn every_platform_answers_url_through_the_trait() {
        let providers: [(&dyn CredentialProvider, &str); 5] = [
            (
                &tencent::TencentDevice::with_psk("ABCDEFGHIJ", "dev001", "AA=="),
                "wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt",
            ),
            (
                &aliyun::AliyunDevice::new("pk", "dn", "s").region("cn-shanghai"),
                "wss://pk.iot-as-mqtt.cn-shanghai.aliyuncs.com/",
            ),
            (
                &aws::AwsSigV4::new("h.iot.us-east-1.amazonaws.com", "AK", "SK"),
                "wss://h.iot.us-east-1.amazonaws.com/mqtt",
            ),
            (
                &azure::AzureDevice::new("hub.azure-devices.net", "d", "AA=="),
                "wss://hub.azure-devices.net/$iothub/websocket?iothub-no-client-cert=true",
            ),
            (
                &huawei::HuaweiDevice::new("h.example.com", "d", "s"),
                "wss://h.example.com/mqtt",
            ),
        ];
        for (p, url) in providers {
            assert_eq!(p.url().unwrap(), url, "{}", p.platform());
        }
        let no_endpoint: &dyn CredentialProvider = &aliyun::AliyunDevice::new("pk", "dn", "s");
        assert!(no_endpoint.url().is_err());
    }

    #[test]
    fn civil_from_days_matches_known_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(47_482), (2100, 1, 1));
        assert_eq!(civil_from_days(51_133), (2109, 12, 31));
    }

    #[test]
    fn utc_date_time_from_unix_splits_date_and_time() {
        // 2015-08-30T12:36:00Z, the AWS test vector time.
        let t = UtcDateTime::from_unix(1_440_938_160);
        assert_eq!(t.iso8601(), "2015-08-30T12:36:00Z");
        assert_eq!(
            UtcDateTime::from_unix(1_700_000_000).iso8601(),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(
            UtcDateTime::from_unix(2_147_483_647).iso8601(),
            "2038-01-19T03:14:07Z"
        );
        // Every day boundary over four centuries round-trips through the year.
        let mut last = (1969, 12, 31);
        for d in 0..146_097 {
            let c = civil_from_days(d);
            assert!(c > last, "day {d}: {c:?} after {last:?}");
            last = c;
        }
    }

    #[test]
    #[cfg_attr(
        all(target_arch = "wasm32", target_os = "unknown"),
        ignore = "wasm32's SystemTime cannot hold a time before 1970"
    )]
    fn unix_seconds_checked_refuses_a_clock_that_was_never_set() {
        let t = UNIX_EPOCH + std::time::Duration::from_secs(86_400);
        let err = unix_seconds_checked("AWS IoT Core", t).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument);
        assert!(err.to_string().contains("1970-01-02T00:00:00Z"));
        let before = UNIX_EPOCH - std::time::Duration::from_secs(1);
        assert!(unix_seconds("X", before).is_err());
        assert!(unix_millis("X", before).is_err());
    }

    #[test]
    fn build_url_names_only_non_default_ports() {
        assert_eq!(build_url(Scheme::Wss, "h", 443, "/mqtt"), "wss://h/mqtt");
        assert_eq!(build_url(Scheme::Ws, "h", 80, "/mqtt"), "ws://h/mqtt");
        assert_eq!(build_url(Scheme::Ws, "h", 443, "/"), "ws://h:443/");
        assert_eq!(build_url(Scheme::Wss, "h", 8443, "/"), "wss://h:8443/");
    }

    #[test]
    fn check_host_refuses_urls_ports_and_paths() {
        assert!(check_host("X", "host", "a-b.example.com").is_ok());
        for bad in [
            "",
            "wss://a.com",
            "a.com:443",
            "a.com/mqtt",
            "a b",
            ".a",
            "a..b",
            "a.",
        ] {
            let err = check_host("X", "host", bad).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidArgument, "{bad:?}");
        }
    }

    #[test]
    fn credentials_debug_redacts_password_url_and_header_values() {
        let c = Credentials {
            client_id: "id".into(),
            username: Some("user".into()),
            password: Some("hunter2".into()),
            url: Some("wss://h/mqtt?X-Amz-Security-Token=S3ssionT0ken".into()),
            headers: vec![("x-token".into(), "s3cr3t".into())],
        };
        let s = format!("{c:?}");
        assert!(
            !s.contains("hunter2") && !s.contains("S3ssionT0ken") && !s.contains("s3cr3t"),
            "{s}"
        );
        assert!(s.contains("user") && s.contains("x-token"), "{s}");
    }
}

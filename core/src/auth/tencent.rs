//! Tencent IoT Hub and IoT Explorer: HMAC (PSK) and RSA (certificate) device
//! signatures for MQTT over WebSocket.
//!
//! # Wire format
//!
//! * Endpoint `{ProductId}.{region}.iothub.tencentdevices.com`, `ws://` on
//!   port 80 or `wss://` on 443, default path [`DEFAULT_PATH`] (`/mqtt`).
//! * Client id `{ProductId}{DeviceName}` (no separator).
//! * User name `{ProductId}{DeviceName};{sdkappid};{connid};{expiry}`:
//!   `sdkappid` is an SDK tag ([`DEFAULT_SDKAPPID`]), `connid` 5 random
//!   characters of `[A-Za-z0-9]` drawn anew for each attempt, `expiry` the
//!   UNIX time (seconds) after which the server refuses the signature.
//! * Password, key (PSK) devices: lowercase hex of HMAC-SHA1 or HMAC-SHA256
//!   of the user name, keyed with the base64-*decoded* PSK, followed by
//!   `;hmacsha1` or `;hmacsha256`.
//! * Password, certificate devices: over WebSocket the SDKs present no client
//!   certificate; they send the lowercase hex of an RSA PKCS#1 v1.5 SHA-256
//!   signature of the user name with the device private key, followed by
//!   `;rsa-sha256`. This module does the same.
//!
//! # Example
//!
//! ```
//! use std::time::SystemTime;
//! use mqttws::auth::tencent::{TencentDevice, SignMethod};
//!
//! let device = TencentDevice::with_psk("ABCDEFGHIJ", "dev001", "AAECAwQFBgcICQoLDA0ODw==")
//!     .sign_method(SignMethod::HmacSha1);
//! let url = device.url()?; // wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt
//! let creds = device.credentials(SystemTime::now())?;
//! assert_eq!(creds.client_id, "ABCDEFGHIJdev001");
//! assert!(creds.password.unwrap().ends_with(";hmacsha1"));
//! # assert!(url.starts_with("wss://"));
//! # Ok::<(), mqttws::Error>(())
//! ```

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use rustls::SignatureScheme;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::{self, PemObject};

use super::encoding::{base64_decode, hex_lower};
use super::{
    CredentialProvider, Credentials, REDACTED, Scheme, build_url, check_label, hmac_sha1,
    hmac_sha256, require_non_empty, unix_seconds, unix_seconds_checked,
};
use crate::error::{Error, Result};

/// The platform name used in error messages.
pub const PLATFORM: &str = "Tencent IoT Hub";

/// The default WebSocket path. The server does not seem to check it (SDKs
/// connect to `/` and `/mqtt` alike); `/mqtt` is what the browser and
/// mini-program samples use.
pub const DEFAULT_PATH: &str = "/mqtt";

/// The keepalive range (seconds, inclusive) the platform documents. The
/// server drops a client silent for 1.5 times its keepalive; the C SDK
/// clamps to 690 s.
pub const KEEPALIVE_RANGE: (u16, u16) = (0, 900);

/// The `sdkappid` field of the user name used by default: the value the
/// documentation and the Java SDK send. (The C and Python SDKs send
/// `21010406`; both are accepted. It is an SDK tag, not a secret.)
pub const DEFAULT_SDKAPPID: &str = "12010126";

/// The expiry sent for [`Expiry::Never`]: `2147483647` (2038-01-19), the
/// value the Java SDK uses for "always valid".
pub const EXPIRY_NEVER: u64 = 2_147_483_647;

/// The default signature lifetime of [`Expiry::Ttl`]: one hour.
pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);

/// Length of the random `connid` field.
const CONNID_LEN: usize = 5;

/// A Tencent IoT Hub region, the second label of the endpoint host.
///
/// [`Region::Custom`] takes any other region name; it must be a DNS label.
/// Note: in the certificate embedded in Tencent's C SDK, the us-east name is
/// `*.us-east.iotcloud.tencentdevices.com` while the SDK connects to
/// `us-east.iothub…`; if `wss://` fails with a name mismatch there, ask
/// Tencent for the current host rather than disabling verification.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Region {
    /// `ap-guangzhou` (mainland China), the default.
    #[default]
    ApGuangzhou,
    /// `us-east`.
    UsEast,
    /// `europe`.
    Europe,
    /// `ap-bangkok`.
    ApBangkok,
    /// Any other region name, used as given in the host name.
    Custom(String),
}

impl Region {
    /// The region's name as it appears in the host, e.g. `"ap-guangzhou"`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::ApGuangzhou => "ap-guangzhou",
            Self::UsEast => "us-east",
            Self::Europe => "europe",
            Self::ApBangkok => "ap-bangkok",
            Self::Custom(name) => name,
        }
    }
}

impl From<&str> for Region {
    /// Maps the four known names to their variants and anything else to
    /// [`Region::Custom`].
    fn from(name: &str) -> Self {
        match name {
            "ap-guangzhou" => Self::ApGuangzhou,
            "us-east" => Self::UsEast,
            "europe" => Self::Europe,
            "ap-bangkok" => Self::ApBangkok,
            other => Self::Custom(other.to_owned()),
        }
    }
}

impl From<String> for Region {
    /// As `From<&str>`.
    fn from(name: String) -> Self {
        Self::from(name.as_str())
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The HMAC used to sign the password of a key (PSK) device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SignMethod {
    /// HMAC-SHA1, suffix `;hmacsha1` (what the C SDK sends).
    HmacSha1,
    /// HMAC-SHA256, suffix `;hmacsha256` (what the Java WebSocket client
    /// sends). The default.
    #[default]
    HmacSha256,
}

impl SignMethod {
    /// The name used in the password suffix: `"hmacsha1"` or `"hmacsha256"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HmacSha1 => "hmacsha1",
            Self::HmacSha256 => "hmacsha256",
        }
    }
}

impl FromStr for SignMethod {
    type Err = Error;

    /// Parses `hmacsha1` or `hmacsha256` (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self> {
        if s.eq_ignore_ascii_case("hmacsha1") {
            Ok(Self::HmacSha1)
        } else if s.eq_ignore_ascii_case("hmacsha256") {
            Ok(Self::HmacSha256)
        } else {
            Err(Error::InvalidArgument(format!(
                "{PLATFORM}: unknown sign method {s:?}; expected hmacsha1 or hmacsha256"
            )))
        }
    }
}

impl fmt::Display for SignMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When the signature stops being accepted: the `expiry` field of the user
/// name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Expiry {
    /// `now` plus this lifetime (whole seconds). Needs a wall clock that is
    /// set: a `now` before 2015 is refused. The default, with
    /// [`DEFAULT_TTL`] (one hour); a reconnect signs anew.
    Ttl(Duration),
    /// This UNIX time (seconds). Must be after `now`.
    At(u64),
    /// [`EXPIRY_NEVER`] (`2147483647`): for devices without a trustworthy
    /// clock, as the SDKs do.
    Never,
}

impl Default for Expiry {
    fn default() -> Self {
        Self::Ttl(DEFAULT_TTL)
    }
}

/// How the device authenticates.
#[derive(Clone)]
enum Auth {
    /// Key device: the PSK as the console shows it (base64).
    Psk(String),
    /// Certificate device: the private key PEM.
    KeyPem(Vec<u8>),
    /// Certificate device: a file holding the private key PEM, read at each
    /// attempt (so a rotated key is picked up).
    KeyFile(PathBuf),
}

/// The host name of a product's endpoint:
/// `{product_id}.{region}.iothub.tencentdevices.com`.
///
/// Fails with [`Error::InvalidArgument`] if the product id or a custom
/// region is empty or not a DNS label.
pub fn endpoint_host(product_id: &str, region: &Region) -> Result<String> {
    check_label(PLATFORM, "product id", product_id)?;
    check_label(PLATFORM, "region", region.as_str())?;
    Ok(format!("{product_id}.{region}.iothub.tencentdevices.com"))
}

/// The WebSocket URL of a product's endpoint: `ws://{host}/mqtt` (port 80)
/// or `wss://{host}/mqtt` (port 443), with `host` from [`endpoint_host`].
pub fn endpoint_url(product_id: &str, region: &Region, scheme: Scheme) -> Result<String> {
    let host = endpoint_host(product_id, region)?;
    Ok(build_url(
        scheme,
        &host,
        scheme.default_port(),
        DEFAULT_PATH,
    ))
}

/// A Tencent IoT Hub / IoT Explorer device: builds the CONNECT credentials
/// and the endpoint URL.
///
/// Create it with [`with_psk`](Self::with_psk) (key device) or
/// [`with_private_key_pem`](Self::with_private_key_pem) /
/// [`with_private_key_file`](Self::with_private_key_file) (certificate
/// device), then adjust with the setters. Defaults: region
/// [`Region::ApGuangzhou`], scheme [`Scheme::Wss`], sign method
/// [`SignMethod::HmacSha256`], expiry [`Expiry::Ttl`] of one hour, a random
/// `connid` per attempt, sdkappid [`DEFAULT_SDKAPPID`].
///
/// `Debug` prints the PSK and the key PEM as `<redacted>`.
#[derive(Clone)]
pub struct TencentDevice {
    product_id: String,
    device_name: String,
    auth: Auth,
    sign_method: Option<SignMethod>,
    region: Region,
    scheme: Scheme,
    expiry: Expiry,
    connid: Option<String>,
    sdkappid: String,
}

impl TencentDevice {
    fn new(product_id: String, device_name: String, auth: Auth) -> Self {
        Self {
            product_id,
            device_name,
            auth,
            sign_method: None,
            region: Region::default(),
            scheme: Scheme::default(),
            expiry: Expiry::default(),
            connid: None,
            sdkappid: DEFAULT_SDKAPPID.to_owned(),
        }
    }

    /// A key-authenticated device. `psk_base64` is the device key exactly as
    /// the console shows it (standard base64); it is decoded at signing time.
    pub fn with_psk(
        product_id: impl Into<String>,
        device_name: impl Into<String>,
        psk_base64: impl Into<String>,
    ) -> Self {
        Self::new(
            product_id.into(),
            device_name.into(),
            Auth::Psk(psk_base64.into()),
        )
    }

    /// A certificate-authenticated device whose RSA private key is given as
    /// PEM (`-----BEGIN RSA PRIVATE KEY-----` PKCS#1 or `-----BEGIN PRIVATE
    /// KEY-----` PKCS#8, unencrypted).
    pub fn with_private_key_pem(
        product_id: impl Into<String>,
        device_name: impl Into<String>,
        pem: impl Into<Vec<u8>>,
    ) -> Self {
        Self::new(
            product_id.into(),
            device_name.into(),
            Auth::KeyPem(pem.into()),
        )
    }

    /// A certificate-authenticated device whose RSA private key PEM is in a
    /// file, read at each [`credentials`](Self::credentials) call.
    pub fn with_private_key_file(
        product_id: impl Into<String>,
        device_name: impl Into<String>,
        path: impl Into<PathBuf>,
    ) -> Self {
        Self::new(
            product_id.into(),
            device_name.into(),
            Auth::KeyFile(path.into()),
        )
    }

    /// The HMAC of a key device's password (default
    /// [`SignMethod::HmacSha256`]). Setting it on a certificate device makes
    /// [`credentials`](Self::credentials) fail: those always sign with
    /// `rsa-sha256`.
    pub fn sign_method(mut self, method: SignMethod) -> Self {
        self.sign_method = Some(method);
        self
    }

    /// The region of the endpoint (default [`Region::ApGuangzhou`]).
    pub fn region(mut self, region: impl Into<Region>) -> Self {
        self.region = region.into();
        self
    }

    /// The scheme of [`url`](Self::url) (default [`Scheme::Wss`]). The
    /// documentation pairs key devices with `ws://` on port 80, but they
    /// connect over `wss://` on 443 as well, and should.
    pub fn scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// When the signature expires (default one hour after `now`).
    pub fn expiry(mut self, expiry: Expiry) -> Self {
        self.expiry = expiry;
        self
    }

    /// Fixes the `connid` field (ASCII letters and digits) instead of drawing
    /// 5 random characters at each attempt. Meant for tests.
    pub fn connid(mut self, connid: impl Into<String>) -> Self {
        self.connid = Some(connid.into());
        self
    }

    /// The `sdkappid` field of the user name (default [`DEFAULT_SDKAPPID`]).
    pub fn sdkappid(mut self, sdkappid: impl Into<String>) -> Self {
        self.sdkappid = sdkappid.into();
        self
    }

    /// The MQTT client id: `{product_id}{device_name}`.
    pub fn client_id(&self) -> String {
        format!("{}{}", self.product_id, self.device_name)
    }

    /// The endpoint URL for the configured product, region and scheme, e.g.
    /// `wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt`.
    pub fn url(&self) -> Result<String> {
        endpoint_url(&self.product_id, &self.region, self.scheme)
    }

    /// The credentials for an attempt at wall-clock time `now`: client id,
    /// user name (with a fresh `connid` and the expiry) and signed password.
    ///
    /// Errors: [`Error::InvalidArgument`] for an empty or malformed product
    /// id, device name, sdkappid or connid, an expiry in the past, a zero
    /// TTL, a clock before 2015 with [`Expiry::Ttl`], or a sign method set on
    /// a certificate device; [`Error::Auth`] for a PSK that is not base64, an
    /// unreadable or unparsable key, or a key that is not RSA.
    pub fn credentials(&self, now: SystemTime) -> Result<Credentials> {
        check_label(PLATFORM, "product id", &self.product_id)?;
        require_non_empty(PLATFORM, "device name", &self.device_name)?;
        if self.device_name.contains(';') {
            return Err(Error::InvalidArgument(format!(
                "{PLATFORM}: device name {:?} contains ';', the user name separator",
                self.device_name
            )));
        }
        check_label(PLATFORM, "sdkappid", &self.sdkappid)?;
        let expiry = self.expiry_secs(now)?;
        let connid = match &self.connid {
            Some(fixed) => {
                require_non_empty(PLATFORM, "connid", fixed)?;
                if !fixed.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(Error::InvalidArgument(format!(
                        "{PLATFORM}: connid {fixed:?} may only contain ASCII letters and digits"
                    )));
                }
                fixed.clone()
            }
            None => random_connid()?,
        };
        let client_id = self.client_id();
        let username = format!("{client_id};{};{connid};{expiry}", self.sdkappid);
        let password = match &self.auth {
            Auth::Psk(psk) => {
                let key = decode_psk(psk)?;
                let method = self.sign_method.unwrap_or_default();
                let mac = match method {
                    SignMethod::HmacSha1 => hmac_sha1(&key, username.as_bytes()),
                    SignMethod::HmacSha256 => hmac_sha256(&key, username.as_bytes()),
                };
                format!("{};{method}", hex_lower(&mac))
            }
            Auth::KeyPem(_) | Auth::KeyFile(_) => {
                if let Some(method) = self.sign_method {
                    return Err(Error::InvalidArgument(format!(
                        "{PLATFORM}: sign method {method} applies to key (PSK) devices; \
                         certificate devices always sign with rsa-sha256"
                    )));
                }
                let pem = self.key_pem()?;
                let signature = rsa_pkcs1_sha256(&pem, username.as_bytes())?;
                format!("{};rsa-sha256", hex_lower(&signature))
            }
        };
        Ok(Credentials {
            client_id,
            username: Some(username),
            password: Some(password),
            url: None,
            headers: Vec::new(),
        })
    }

    fn expiry_secs(&self, now: SystemTime) -> Result<u64> {
        match self.expiry {
            Expiry::Ttl(ttl) => {
                if ttl.as_secs() == 0 {
                    return Err(Error::InvalidArgument(format!(
                        "{PLATFORM}: the signature TTL must be at least 1 s"
                    )));
                }
                Ok(unix_seconds_checked(PLATFORM, now)?.saturating_add(ttl.as_secs()))
            }
            Expiry::At(at) => {
                let now_secs = unix_seconds(PLATFORM, now)?;
                if at <= now_secs {
                    return Err(Error::InvalidArgument(format!(
                        "{PLATFORM}: expiry {at} is not after now ({now_secs}); \
                         the server would refuse the signature"
                    )));
                }
                Ok(at)
            }
            Expiry::Never => Ok(EXPIRY_NEVER),
        }
    }

    fn key_pem(&self) -> Result<Vec<u8>> {
        match &self.auth {
            Auth::KeyPem(pem) => Ok(pem.clone()),
            Auth::KeyFile(path) => std::fs::read(path).map_err(|e| {
                Error::Auth(format!(
                    "{PLATFORM}: cannot read the device private key file {}: {e}",
                    path.display()
                ))
            }),
            Auth::Psk(_) => Err(Error::Auth(format!(
                "{PLATFORM}: the device has no private key"
            ))),
        }
    }
}

impl fmt::Debug for TencentDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.auth {
            Auth::Psk(_) => format!("Psk({REDACTED})"),
            Auth::KeyPem(_) => format!("PrivateKeyPem({REDACTED})"),
            Auth::KeyFile(path) => format!("PrivateKeyFile({})", path.display()),
        };
        f.debug_struct("TencentDevice")
            .field("product_id", &self.product_id)
            .field("device_name", &self.device_name)
            .field("auth", &format_args!("{auth}"))
            .field("sign_method", &self.sign_method)
            .field("region", &self.region)
            .field("scheme", &self.scheme)
            .field("expiry", &self.expiry)
            .field("connid", &self.connid)
            .field("sdkappid", &self.sdkappid)
            .finish()
    }
}

platform_provider!(TencentDevice);

/// Decodes the base64 PSK into the raw HMAC key.
fn decode_psk(psk: &str) -> Result<Vec<u8>> {
    let key = base64_decode(psk).ok_or_else(|| {
        Error::Auth(format!(
            "{PLATFORM}: the device PSK is not valid base64 (standard alphabet, with padding)"
        ))
    })?;
    if key.is_empty() {
        return Err(Error::Auth(format!("{PLATFORM}: the device PSK is empty")));
    }
    Ok(key)
}

/// 5 random characters of `[A-Za-z0-9]`, uniformly drawn.
fn random_connid() -> Result<String> {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(CONNID_LEN);
    let mut buf = [0u8; 16];
    while out.len() < CONNID_LEN {
        getrandom::fill(&mut buf).map_err(|e| {
            Error::Auth(format!(
                "{PLATFORM}: the system random number generator failed: {e}"
            ))
        })?;
        // 248 = 4 * 62: rejecting larger bytes keeps the draw uniform.
        for &b in buf.iter().filter(|&&b| b < 248) {
            if out.len() == CONNID_LEN {
                break;
            }
            out.push(char::from(ALPHABET[usize::from(b % 62)]));
        }
    }
    Ok(out)
}

/// RSA PKCS#1 v1.5 SHA-256 signature of `msg` with the PEM private key.
fn rsa_pkcs1_sha256(pem: &[u8], msg: &[u8]) -> Result<Vec<u8>> {
    // The PEM parser's own messages may quote decoded bytes: never pass them on.
    let der = PrivateKeyDer::from_pem_slice(pem).map_err(|e| {
        Error::Auth(match e {
            pem::Error::NoItemsFound => format!(
                "{PLATFORM}: no private key found in the PEM data (expected an unencrypted \
                 'BEGIN RSA PRIVATE KEY' or 'BEGIN PRIVATE KEY' section)"
            ),
            _ => format!("{PLATFORM}: the device private key PEM is malformed"),
        })
    })?;
    let key = rustls::crypto::ring::sign::any_supported_type(&der).map_err(|_| {
        Error::Auth(format!(
            "{PLATFORM}: the device private key could not be loaded \
             (expected an RSA key of 2048 to 8192 bits)"
        ))
    })?;
    let signer = key
        .choose_scheme(&[SignatureScheme::RSA_PKCS1_SHA256])
        .ok_or_else(|| {
            Error::Auth(format!(
                "{PLATFORM}: the device private key is a key of the wrong type ({:?}); \
                 certificate devices sign with an RSA key",
                key.algorithm()
            ))
        })?;
    signer
        .sign(msg)
        .map_err(|e| Error::Auth(format!("{PLATFORM}: RSA signing failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use std::time::UNIX_EPOCH;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const PSK: &str = "AAECAwQFBgcICQoLDA0ODw==";

    /// THROWAWAY TEST KEY, generated for these tests with
    /// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`.
    /// It protects nothing; never use it anywhere else.
    const TEST_RSA_PKCS8: &str = r"-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDcwr7YMNKuon+Z
28j3YyuLUxkl+HRI8m/38008bl71eNPJGtZNKgw2Jhcjkltx+GKNOo05TM6aK2DL
k5RxBXDjdWz3QMtdMTTZeEcJpbN4lpmJ6aHjLNfQyRUKk6EhOgveMSmEk9eTxrwM
+gaunc+Yyj2+IbN3p5LOzdLi9YvXhieC/e5vBFq+lxhf404KmdSI7EWYXBVhvw03
lXgH+H4+IrncNh9BGr441ICzjn/ruEK/tTl6yaLOIBsKPZaGPMhDpIVjB+ldyvo4
vGwt1TCCG3gOW86TEDcEpDdEIMf+kpqQo8kjYeKyZjNXy4id5O0U++hwT8ck59c0
+oU3E25FAgMBAAECggEAIH1Zff14JvMhFBaYde7hRot6d4VLLpMzmbUeiFwhWz98
QoF8dEsnFJm4LRLfT3TZTY9bn8kR3PcGXgpVvekpleg/GwfXsNr1kWNAvTGRqhfW
op6WUJYAcH4E5pNskt8f8QRLknNPC7TOEfDYJpRw1uaTfgB9Zl5CCRqZ71oTnypy
zxmnWVP3jieDwN7m+fVy8kVLA80HYIUcbbDDE010IEnt8SY2j0ZgzvgAW4kbyE/L
fRG5UWDYuVk4pBYxLF0cb7mMONJwYIKN51zcO+yQjvoRYslvWA2RRrP//mxios3h
U67j8ngTO2Px7ino9Yr33647j02oxvNeMCwQi3jsHwKBgQDxP618L4LOpoPwg32+
eHJA/hpJrfu5TiIpSjZsnKJvf1U85QmAnkT5/kE+ykdNx1SuGpGPeNgbJ47iRS3f
Yd7+usRNH+4bqsXKwSTwIJLF1o8rBFvcZAk48QqkLt4IPuBA9TPSa2U8Qf96GD9r
xBtukhLuuXOFNnNezombkD+Z3wKBgQDqQl05G8beX/K5XbaKGkIqNbLkQEO1H367
PC6bjYII6bgjU89UHarr4uUhVsyeECzkZLwEWCNUEyRwxOpYtHMkGF67jfZKLD0K
XSqzUmtfAiDhj9rUCpi87U5Yb8M6N2m6a81mkc0xSNYFxQ6ICDuT0yyNpgAirzcd
gtsvSHfEWwKBgQCj3U/WcWMVQK+P15C6po9cq/xpHX9E79huWVU8UuxWdZQNJ7lb
nqVVdSkWIElsgD95ftxuKnQHhcgc00aEW7MfLPcXN+AA9O8ieCzB2i43qTRX0L8g
pOZKwhcrTBZOXX7vQF4xx/bchiuk4AF8DplfcmLfuiHIUyLsO7fmbYV12wKBgGL6
9X7K0MVnDxzpjtZdb/V7yQGOcc1W6GpebGcHbJktf8NVhzXIb07KCPyEO2LR/NXo
BlVjlFHS4MPRQB+I51mp/mUK/7SpaoU1hnRMb9euA4yrBtAvRggV0NOnLXssrLy7
Dge3tVaMqvm3IIOzztCQGrQjHs2I8SXEA66/1PMfAoGAR0n5p3NP3ejetLL8hErU
x3FSrX11TCZsGkJN4lUFVoe5sulRTrTsNos5ha3TJciFPIWmq61oAEdMc0RKK1d/
mrNWdPQOu1npmtjcHjof2rDgDvV8248+IyV+FRaYH4gYbkhnSDvJ1GyV0WCrHaAq
jrtvPPVbP46iYZzBhkVOPWU=
-----END PRIVATE KEY-----";

    /// The same throwaway key in PKCS#1 form (`openssl rsa -traditional`).
    const TEST_RSA_PKCS1: &str = r"-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA3MK+2DDSrqJ/mdvI92Mri1MZJfh0SPJv9/NNPG5e9XjTyRrW
TSoMNiYXI5JbcfhijTqNOUzOmitgy5OUcQVw43Vs90DLXTE02XhHCaWzeJaZiemh
4yzX0MkVCpOhIToL3jEphJPXk8a8DPoGrp3PmMo9viGzd6eSzs3S4vWL14Yngv3u
bwRavpcYX+NOCpnUiOxFmFwVYb8NN5V4B/h+PiK53DYfQRq+ONSAs45/67hCv7U5
esmiziAbCj2WhjzIQ6SFYwfpXcr6OLxsLdUwght4DlvOkxA3BKQ3RCDH/pKakKPJ
I2HismYzV8uIneTtFPvocE/HJOfXNPqFNxNuRQIDAQABAoIBACB9WX39eCbzIRQW
mHXu4UaLeneFSy6TM5m1HohcIVs/fEKBfHRLJxSZuC0S30902U2PW5/JEdz3Bl4K
Vb3pKZXoPxsH17Da9ZFjQL0xkaoX1qKellCWAHB+BOaTbJLfH/EES5JzTwu0zhHw
2CaUcNbmk34AfWZeQgkame9aE58qcs8Zp1lT944ng8De5vn1cvJFSwPNB2CFHG2w
wxNNdCBJ7fEmNo9GYM74AFuJG8hPy30RuVFg2LlZOKQWMSxdHG+5jDjScGCCjedc
3DvskI76EWLJb1gNkUaz//5sYqLN4VOu4/J4Eztj8e4p6PWK99+uO49NqMbzXjAs
EIt47B8CgYEA8T+tfC+CzqaD8IN9vnhyQP4aSa37uU4iKUo2bJyib39VPOUJgJ5E
+f5BPspHTcdUrhqRj3jYGyeO4kUt32He/rrETR/uG6rFysEk8CCSxdaPKwRb3GQJ
OPEKpC7eCD7gQPUz0mtlPEH/ehg/a8QbbpIS7rlzhTZzXs6Jm5A/md8CgYEA6kJd
ORvG3l/yuV22ihpCKjWy5EBDtR9+uzwum42CCOm4I1PPVB2q6+LlIVbMnhAs5GS8
BFgjVBMkcMTqWLRzJBheu432Siw9Cl0qs1JrXwIg4Y/a1AqYvO1OWG/DOjdpumvN
ZpHNMUjWBcUOiAg7k9MsjaYAIq83HYLbL0h3xFsCgYEAo91P1nFjFUCvj9eQuqaP
XKv8aR1/RO/YbllVPFLsVnWUDSe5W56lVXUpFiBJbIA/eX7cbip0B4XIHNNGhFuz
Hyz3FzfgAPTvIngswdouN6k0V9C/IKTmSsIXK0wWTl1+70BeMcf23IYrpOABfA6Z
X3Ji37ohyFMi7Du35m2FddsCgYBi+vV+ytDFZw8c6Y7WXW/1e8kBjnHNVuhqXmxn
B2yZLX/DVYc1yG9Oygj8hDti0fzV6AZVY5RR0uDD0UAfiOdZqf5lCv+0qWqFNYZ0
TG/XrgOMqwbQL0YIFdDTpy17LKy8uw4Ht7VWjKr5tyCDs87QkBq0Ix7NiPElxAOu
v9TzHwKBgEdJ+adzT93o3rSy/IRK1MdxUq19dUwmbBpCTeJVBVaHubLpUU607DaL
OYWt0yXIhTyFpqutaABHTHNESitXf5qzVnT0DrtZ6ZrY3B46H9qw4A71fNuPPiMl
fhUWmB+IGG5IZ0g7ydRsldFgqx2gKo67bzz1Wz+OomGcwYZFTj1l
-----END RSA PRIVATE KEY-----";

    /// A throwaway P-256 key (PKCS#8), for the wrong-type test.
    const TEST_EC_PKCS8: &str = r"-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQggfAhEBVb56PyrSgK
P/91uTyt76kX30HMZJ0Uel2kccahRANCAAQcwajjzWz0nVro28HfF9VRr047PWgH
DH4XDCdqsX9vjjgCM81O398VF/9vh+u07qKmQnKoGfxkSyjXXpn7hOMq
-----END PRIVATE KEY-----";

    /// `openssl dgst -sha256 -sign` of the vector user name with the test
    /// key, verified with `openssl dgst -sha256 -verify` against its public
    /// key. RSA PKCS#1 v1.5 is deterministic, so the signer must match.
    const TEST_RSA_SIGNATURE: &str = "b5b7f7736603cb3a03e20dd4e161813ba57a962b7cf3a1ea35fc8b8c9d8a9e64ecd8bb5df748361fdbe5471d4479600bedade3682c5d734e8a9705b2b4d2a1af2127f95fffac3c8861ff718de4e5ba758ff659813e54057630d655c52ad438fb7303d872f3abeed7bd0649d4115d267502e188cbf88dee1af233f335baff161151b59e0fc3a08afa88a9d3ab6b65b151cb162fe78cca0fc00eb0cdefebd771a291ba1d0f4ebfe081262c84dc8fc9781687803c336d153133642ba181a79651ac62ce57604c1ec78c1b0f823ef6ebea7849432d9cd02903b7dffb58a0a49a65e8bc6d81b7ae228925d816e01959fefcba1fb639aa519967b8a82c2f1248012945";

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn vector_device() -> TencentDevice {
        TencentDevice::with_psk("ABCDEFGHIJ", "dev001", PSK)
            .connid("abcde")
            .expiry(Expiry::At(1_700_000_000))
    }

    #[test]
    fn tencent_client_id_and_username_match_reference_vector() {
        let c = vector_device().credentials(at(1_699_999_000)).unwrap();
        assert_eq!(c.client_id, "ABCDEFGHIJdev001");
        assert_eq!(
            c.username.as_deref(),
            Some("ABCDEFGHIJdev001;12010126;abcde;1700000000")
        );
        assert_eq!(c.url, None);
        assert!(c.headers.is_empty());
    }

    #[test]
    fn tencent_hmacsha1_password_matches_reference_vector() {
        let c = vector_device()
            .sign_method(SignMethod::HmacSha1)
            .credentials(at(1_699_999_000))
            .unwrap();
        assert_eq!(
            c.password.as_deref(),
            Some("4503b73274d953b0d5cf14777dbddbd2d9ae67b6;hmacsha1")
        );
    }

    #[test]
    fn tencent_hmacsha256_password_matches_reference_vector() {
        let c = vector_device()
            .sign_method(SignMethod::HmacSha256)
            .credentials(at(1_699_999_000))
            .unwrap();
        assert_eq!(
            c.password.as_deref(),
            Some("ee0578a13c87a73422451cef483983c7681f1e954149f82f799a29bb961ecd03;hmacsha256")
        );
    }

    #[test]
    fn tencent_default_sign_method_is_hmacsha256() {
        let c = vector_device().credentials(at(1_699_999_000)).unwrap();
        assert!(c.password.unwrap().ends_with(";hmacsha256"));
    }

    #[test]
    fn tencent_sign_method_parses_names_and_rejects_unknown_ones() {
        assert_eq!(
            "hmacsha1".parse::<SignMethod>().unwrap(),
            SignMethod::HmacSha1
        );
        assert_eq!(
            "HMACSHA256".parse::<SignMethod>().unwrap(),
            SignMethod::HmacSha256
        );
        let err = "hmacmd5".parse::<SignMethod>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.to_string().contains("hmacmd5"));
    }

    #[test]
    fn tencent_rsa_password_matches_openssl_signature_for_pkcs8_and_pkcs1_keys() {
        let expected = format!("{TEST_RSA_SIGNATURE};rsa-sha256");
        for pem in [TEST_RSA_PKCS8, TEST_RSA_PKCS1] {
            let c = TencentDevice::with_private_key_pem("ABCDEFGHIJ", "dev001", pem)
                .connid("abcde")
                .expiry(Expiry::At(1_700_000_000))
                .credentials(at(1_699_999_000))
                .unwrap();
            assert_eq!(
                c.username.as_deref(),
                Some("ABCDEFGHIJdev001;12010126;abcde;1700000000")
            );
            assert_eq!(c.password.as_deref(), Some(expected.as_str()));
        }
    }

    #[test]
    #[cfg_attr(
        all(target_arch = "wasm32", target_os = "unknown"),
        ignore = "wasm32 has no file system"
    )]
    fn tencent_rsa_key_is_read_from_a_file_and_an_unreadable_file_is_an_auth_error() {
        let path =
            std::env::temp_dir().join(format!("mqttws-tencent-test-{}.pem", std::process::id()));
        std::fs::write(&path, TEST_RSA_PKCS8).unwrap();
        let device = TencentDevice::with_private_key_file("ABCDEFGHIJ", "dev001", &path)
            .connid("abcde")
            .expiry(Expiry::At(1_700_000_000));
        let result = device.credentials(at(1_699_999_000));
        std::fs::remove_file(&path).unwrap();
        let expected = format!("{TEST_RSA_SIGNATURE};rsa-sha256");
        assert_eq!(result.unwrap().password.as_deref(), Some(expected.as_str()));

        let err = device.credentials(at(1_699_999_000)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth);
        assert!(err.to_string().contains("cannot read"), "{err}");
    }

    #[test]
    fn tencent_non_rsa_key_is_an_auth_error_of_the_wrong_type() {
        let err = TencentDevice::with_private_key_pem("ABCDEFGHIJ", "dev001", TEST_EC_PKCS8)
            .credentials(at(1_699_999_000))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth);
        let msg = err.to_string();
        assert!(msg.contains("wrong type"), "{msg}");
        assert!(!msg.contains("MIGHAgEA"), "{msg}");
    }

    #[test]
    fn tencent_garbage_pem_is_an_auth_error_without_the_key_text() {
        let broken = TEST_RSA_PKCS8.replace("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw", "MIIEvQIB!!!");
        for pem in ["not a pem at all", broken.as_str()] {
            let err = TencentDevice::with_private_key_pem("ABCDEFGHIJ", "dev001", pem)
                .credentials(at(1_699_999_000))
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Auth);
            let msg = err.to_string();
            assert!(
                !msg.contains("MIIEvQIB") && !msg.contains("not a pem"),
                "{msg}"
            );
        }
    }

    #[test]
    fn tencent_sign_method_on_a_certificate_device_is_invalid() {
        let err = TencentDevice::with_private_key_pem("ABCDEFGHIJ", "dev001", TEST_RSA_PKCS8)
            .sign_method(SignMethod::HmacSha1)
            .credentials(at(1_699_999_000))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn tencent_bad_base64_psk_is_an_auth_error_without_the_psk() {
        for psk in ["not!base64@@", "", "AAECAwQFBgcICQoLDA0ODw"] {
            let err = TencentDevice::with_psk("ABCDEFGHIJ", "dev001", psk)
                .credentials(at(1_699_999_000))
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Auth, "{psk:?}");
            if !psk.is_empty() {
                assert!(!err.to_string().contains(psk), "{err}");
            }
        }
    }

    #[test]
    fn tencent_empty_or_malformed_ids_are_invalid_arguments() {
        let cases = [
            TencentDevice::with_psk("", "dev001", PSK),
            TencentDevice::with_psk("ABCDEFGHIJ", "", PSK),
            TencentDevice::with_psk("ABC.DEF", "dev001", PSK),
            TencentDevice::with_psk("ABCDEFGHIJ", "dev;001", PSK),
            TencentDevice::with_psk("ABCDEFGHIJ", "dev001", PSK).connid("ab;de"),
            TencentDevice::with_psk("ABCDEFGHIJ", "dev001", PSK).connid(""),
            TencentDevice::with_psk("ABCDEFGHIJ", "dev001", PSK).sdkappid(""),
        ];
        for device in cases {
            let err = device.credentials(at(1_699_999_000)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{device:?}");
            assert!(!err.to_string().contains(PSK));
        }
    }

    #[test]
    fn tencent_expiry_policies_give_the_expected_expiry_field() {
        let now = at(1_700_000_000);
        let expiry = |e: Expiry| {
            let c = TencentDevice::with_psk("P", "d", PSK)
                .connid("x")
                .expiry(e)
                .credentials(now)
                .unwrap();
            c.username.unwrap().rsplit(';').next().unwrap().to_owned()
        };
        assert_eq!(expiry(Expiry::default()), "1700003600");
        assert_eq!(expiry(Expiry::Ttl(Duration::from_secs(600))), "1700000600");
        assert_eq!(expiry(Expiry::At(1_800_000_000)), "1800000000");
        assert_eq!(expiry(Expiry::Never), "2147483647");
    }

    #[test]
    fn tencent_expiry_in_the_past_zero_ttl_or_unset_clock_is_invalid() {
        let device = TencentDevice::with_psk("P", "d", PSK);
        let cases = [
            (
                device.clone().expiry(Expiry::At(1_700_000_000)),
                at(1_700_000_000),
            ),
            (
                device.clone().expiry(Expiry::Ttl(Duration::ZERO)),
                at(1_700_000_000),
            ),
            (device.clone(), at(1000)),
        ];
        for (d, now) in cases {
            let err = d.credentials(now).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{d:?}");
        }
        // A clock-less device can still sign with a fixed or no expiry.
        assert!(
            device
                .clone()
                .expiry(Expiry::Never)
                .credentials(at(1000))
                .is_ok()
        );
    }

    #[test]
    fn tencent_two_credentials_calls_give_different_random_connids() {
        let device = TencentDevice::with_psk("ABCDEFGHIJ", "dev001", PSK);
        let connid = |c: Credentials| c.username.unwrap().split(';').nth(2).unwrap().to_owned();
        let a = connid(device.credentials(at(1_700_000_000)).unwrap());
        let b = connid(device.credentials(at(1_700_000_000)).unwrap());
        assert_ne!(a, b);
        for id in [&a, &b] {
            assert_eq!(id.len(), 5);
            assert!(id.bytes().all(|c| c.is_ascii_alphanumeric()), "{id}");
        }
    }

    #[test]
    fn tencent_keepalive_accepts_0_to_900_and_names_the_range_otherwise() {
        let device = vector_device();
        assert!(device.validate_keepalive(0).is_ok());
        assert!(device.validate_keepalive(900).is_ok());
        let err = device.validate_keepalive(901).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(
            err.to_string()
                .contains("Tencent IoT Hub's allowed range 0..=900 s"),
            "{err}"
        );
        assert_eq!(CredentialProvider::keepalive_range(&device), Some((0, 900)));
    }

    #[test]
    fn tencent_endpoint_urls_follow_region_and_scheme() {
        assert_eq!(
            endpoint_url("ABCDEFGHIJ", &Region::ApGuangzhou, Scheme::Ws).unwrap(),
            "ws://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt"
        );
        assert_eq!(
            endpoint_url("ABCDEFGHIJ", &Region::UsEast, Scheme::Wss).unwrap(),
            "wss://ABCDEFGHIJ.us-east.iothub.tencentdevices.com/mqtt"
        );
        assert_eq!(
            vector_device().region("europe").url().unwrap(),
            "wss://ABCDEFGHIJ.europe.iothub.tencentdevices.com/mqtt"
        );
        assert_eq!(
            vector_device()
                .region(Region::ApBangkok)
                .scheme(Scheme::Ws)
                .url()
                .unwrap(),
            "ws://ABCDEFGHIJ.ap-bangkok.iothub.tencentdevices.com/mqtt"
        );
        assert_eq!(
            Region::from("na-ashburn"),
            Region::Custom("na-ashburn".into())
        );
        assert_eq!(
            endpoint_host("P", &Region::Custom("na-ashburn".into())).unwrap(),
            "P.na-ashburn.iothub.tencentdevices.com"
        );
        let err = endpoint_url("P", &Region::Custom("x/y".into()), Scheme::Wss).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(endpoint_url("", &Region::ApGuangzhou, Scheme::Wss).is_err());
    }

    #[test]
    fn tencent_debug_redacts_psk_and_private_key() {
        let s = format!("{:?}", vector_device());
        assert!(!s.contains(PSK) && s.contains(REDACTED), "{s}");
        let s = format!(
            "{:?}",
            TencentDevice::with_private_key_pem("P", "d", TEST_RSA_PKCS8)
        );
        assert!(
            !s.contains("MIIEvQIB") && !s.contains("PRIVATE KEY-----"),
            "{s}"
        );
        let c = vector_device().credentials(at(1_699_999_000)).unwrap();
        let s = format!("{c:?}");
        assert!(!s.contains("ee0578a1"), "{s}");
    }
}

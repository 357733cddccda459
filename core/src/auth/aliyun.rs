//! Alibaba Cloud IoT Platform: device-secret (HMAC) signatures for MQTT over
//! WebSocket.
//!
//! # Wire format
//!
//! * Endpoint `{ProductKey}.iot-as-mqtt.{RegionId}.aliyuncs.com` (old public
//!   instance) or `{IotInstanceId}.mqtt.iothub.aliyuncs.com` (new public and
//!   Enterprise instances), port **443 for both `ws://` and `wss://`**, path
//!   [`DEFAULT_PATH`] (`/`, what the official JavaScript SDK uses).
//! * Client id `{clientId}|securemode={2|3},signmethod={m},timestamp={ms}|`:
//!   `securemode=2` for `wss://`, `3` for `ws://`; the `timestamp` parameter
//!   is optional.
//! * User name `{deviceName}&{productKey}`.
//! * Password: hex of HMAC (the *advertised* `signmethod`, strictly) keyed
//!   with the device secret bytes as they are (not base64-decoded), over the
//!   signed parameters sorted by name and concatenated without separators:
//!   `clientId{id}deviceName{dn}productKey{pk}[timestamp{ms}]`.
//! * Hex case: the C SDKs emit upper case, the JavaScript SDK lower case; the
//!   server compares without case. Upper case by default.
//!
//! # Example
//!
//! ```
//! use std::time::SystemTime;
//! use mqttws::auth::aliyun::AliyunDevice;
//!
//! let device = AliyunDevice::new("a1B2c3D4e5F", "dev001", "device-secret")
//!     .region("cn-shanghai");
//! assert_eq!(device.url()?, "wss://a1B2c3D4e5F.iot-as-mqtt.cn-shanghai.aliyuncs.com/");
//! let creds = device.credentials(SystemTime::now())?;
//! assert!(creds.client_id.starts_with("a1B2c3D4e5F.dev001|securemode=2,signmethod=hmacsha256,"));
//! # Ok::<(), mqttws::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use super::encoding::{hex_lower, hex_upper};
use super::{
    CredentialProvider, Credentials, REDACTED, Scheme, build_url, check_label, hmac_md5, hmac_sha1,
    hmac_sha256, require_non_empty, unix_millis,
};
use crate::error::{Error, Result};

/// The platform name used in error messages.
pub const PLATFORM: &str = "Alibaba IoT Platform";

/// The default WebSocket path. Not documented by Alibaba; `/` is what the
/// official JavaScript SDK connects to.
pub const DEFAULT_PATH: &str = "/";

/// The port of both `ws://` and `wss://` endpoints. A `ws://` URL therefore
/// names it explicitly (`ws://host:443/`).
pub const PORT: u16 = 443;

/// The keepalive range (seconds, inclusive): outside it the server refuses
/// CONNECT. Alibaba recommends more than 300 s.
pub const KEEPALIVE_RANGE: (u16, u16) = (30, 1200);

/// The fixed timestamp (2050-01-01, milliseconds) that Alibaba's C SDKs
/// send; see [`Timestamp::Fixed`].
pub const FIXED_TIMESTAMP_MS: u64 = 2_524_608_000_000;

/// The longest client id (characters) the platform accepts.
pub const MAX_CLIENT_ID_LEN: usize = 64;

/// The HMAC of the password, advertised as `signmethod` in the client id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SignMethod {
    /// `hmacsha256`, the default (what the C SDKs send).
    #[default]
    HmacSha256,
    /// `hmacsha1`.
    HmacSha1,
    /// `hmacmd5`.
    HmacMd5,
}

impl SignMethod {
    /// The `signmethod` value: `"hmacsha256"`, `"hmacsha1"` or `"hmacmd5"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HmacSha256 => "hmacsha256",
            Self::HmacSha1 => "hmacsha1",
            Self::HmacMd5 => "hmacmd5",
        }
    }

    fn mac(self, key: &[u8], msg: &[u8]) -> Vec<u8> {
        match self {
            Self::HmacSha256 => hmac_sha256(key, msg),
            Self::HmacSha1 => hmac_sha1(key, msg),
            Self::HmacMd5 => hmac_md5(key, msg),
        }
    }
}

impl FromStr for SignMethod {
    type Err = Error;

    /// Parses `hmacsha256`, `hmacsha1` or `hmacmd5` (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self> {
        [Self::HmacSha256, Self::HmacSha1, Self::HmacMd5]
            .into_iter()
            .find(|m| s.eq_ignore_ascii_case(m.as_str()))
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "{PLATFORM}: unknown sign method {s:?}; expected hmacsha256, hmacsha1 or hmacmd5"
                ))
            })
    }
}

impl fmt::Display for SignMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `timestamp` parameter of the client id, which is also signed.
///
/// The server does not enforce freshness for device-secret signatures (the C
/// SDKs send a fixed date in 2050), so any choice connects; the default,
/// [`Timestamp::Now`], is what the documentation describes and the
/// JavaScript (WebSocket) SDK sends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Timestamp {
    /// `now` in milliseconds since the UNIX epoch. The default.
    #[default]
    Now,
    /// This value (milliseconds), e.g. [`FIXED_TIMESTAMP_MS`] as the C SDKs
    /// send, for devices without a clock.
    Fixed(u64),
    /// No timestamp: neither in the client id nor in the signed content.
    Omit,
}

/// Which Alibaba endpoint the device connects to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// The old public instance of a region:
    /// `{ProductKey}.iot-as-mqtt.{RegionId}.aliyuncs.com`, e.g. region
    /// `cn-shanghai`.
    Region(String),
    /// A new public or Enterprise instance:
    /// `{IotInstanceId}.mqtt.iothub.aliyuncs.com`, e.g. `iot-06z00ab1c2d3e4f`.
    Instance(String),
}

/// The URL of an old public instance endpoint:
/// `wss://{product_key}.iot-as-mqtt.{region_id}.aliyuncs.com/` or
/// `ws://…:443/`.
pub fn public_endpoint_url(product_key: &str, region_id: &str, scheme: Scheme) -> Result<String> {
    check_label(PLATFORM, "product key", product_key)?;
    check_label(PLATFORM, "region id", region_id)?;
    let host = format!("{product_key}.iot-as-mqtt.{region_id}.aliyuncs.com");
    Ok(build_url(scheme, &host, PORT, DEFAULT_PATH))
}

/// The URL of an instance endpoint:
/// `wss://{instance_id}.mqtt.iothub.aliyuncs.com/` or `ws://…:443/`.
pub fn instance_endpoint_url(instance_id: &str, scheme: Scheme) -> Result<String> {
    check_label(PLATFORM, "instance id", instance_id)?;
    let host = format!("{instance_id}.mqtt.iothub.aliyuncs.com");
    Ok(build_url(scheme, &host, PORT, DEFAULT_PATH))
}

/// An Alibaba Cloud IoT Platform device authenticated by its device secret:
/// builds the CONNECT credentials and the endpoint URL.
///
/// Defaults: scheme [`Scheme::Wss`] (`securemode=2`), client id
/// `{productKey}.{deviceName}` (as LinkSDK), sign method
/// [`SignMethod::HmacSha256`], timestamp [`Timestamp::Now`], upper-case hex.
/// The endpoint has no default: set [`region`](Self::region) or
/// [`instance`](Self::instance) before calling [`url`](Self::url).
///
/// `Debug` prints the device secret as `<redacted>`.
#[derive(Clone)]
pub struct AliyunDevice {
    product_key: String,
    device_name: String,
    device_secret: String,
    client_id: Option<String>,
    scheme: Scheme,
    sign_method: SignMethod,
    timestamp: Timestamp,
    lowercase_hex: bool,
    endpoint: Option<Endpoint>,
}

impl AliyunDevice {
    /// A device of product `product_key` named `device_name`, with its
    /// device secret (used as is, as UTF-8 bytes).
    pub fn new(
        product_key: impl Into<String>,
        device_name: impl Into<String>,
        device_secret: impl Into<String>,
    ) -> Self {
        Self {
            product_key: product_key.into(),
            device_name: device_name.into(),
            device_secret: device_secret.into(),
            client_id: None,
            scheme: Scheme::default(),
            sign_method: SignMethod::default(),
            timestamp: Timestamp::default(),
            lowercase_hex: false,
            endpoint: None,
        }
    }

    /// The bare client id, before the `|…|` parameters (default
    /// `{productKey}.{deviceName}`). At most 64 characters, no `|`; a MAC
    /// address or serial number is typical.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// `ws://` (`securemode=3`) or `wss://` (`securemode=2`, the default).
    /// It decides both the client id and [`url`](Self::url).
    pub fn scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// The HMAC of the password (default [`SignMethod::HmacSha256`]); the
    /// same name is advertised in the client id.
    pub fn sign_method(mut self, method: SignMethod) -> Self {
        self.sign_method = method;
        self
    }

    /// The `timestamp` parameter (default [`Timestamp::Now`]).
    pub fn timestamp(mut self, timestamp: Timestamp) -> Self {
        self.timestamp = timestamp;
        self
    }

    /// Emit the password in lower-case hex instead of upper case (the server
    /// accepts both).
    pub fn lowercase_hex(mut self, lowercase: bool) -> Self {
        self.lowercase_hex = lowercase;
        self
    }

    /// Connect to the old public instance of `region_id` (e.g.
    /// `cn-shanghai`, `ap-southeast-1`).
    pub fn region(mut self, region_id: impl Into<String>) -> Self {
        self.endpoint = Some(Endpoint::Region(region_id.into()));
        self
    }

    /// Connect to the instance `instance_id` (new public or Enterprise
    /// instance, e.g. `iot-06z00ab1c2d3e4f`).
    pub fn instance(mut self, instance_id: impl Into<String>) -> Self {
        self.endpoint = Some(Endpoint::Instance(instance_id.into()));
        self
    }

    /// The endpoint URL for the configured endpoint and scheme, e.g.
    /// `wss://{pk}.iot-as-mqtt.cn-shanghai.aliyuncs.com/` or
    /// `ws://{instance}.mqtt.iothub.aliyuncs.com:443/`.
    ///
    /// Fails with [`Error::InvalidArgument`] if no endpoint was set.
    pub fn url(&self) -> Result<String> {
        match &self.endpoint {
            Some(Endpoint::Region(region)) => {
                public_endpoint_url(&self.product_key, region, self.scheme)
            }
            Some(Endpoint::Instance(id)) => instance_endpoint_url(id, self.scheme),
            None => Err(Error::InvalidArgument(format!(
                "{PLATFORM}: no endpoint: set a region id or an instance id"
            ))),
        }
    }

    /// The credentials for an attempt at wall-clock time `now`.
    ///
    /// Errors: [`Error::InvalidArgument`] for an empty product key or device
    /// name, a device name with `&` or `|`, a client id that is empty, longer
    /// than 64 characters or contains `|`, or a clock before 1970 with
    /// [`Timestamp::Now`]; [`Error::Auth`] for an empty device secret.
    pub fn credentials(&self, now: SystemTime) -> Result<Credentials> {
        check_label(PLATFORM, "product key", &self.product_key)?;
        require_non_empty(PLATFORM, "device name", &self.device_name)?;
        if self.device_name.contains(['&', '|']) {
            return Err(Error::InvalidArgument(format!(
                "{PLATFORM}: device name {:?} contains '&' or '|'",
                self.device_name
            )));
        }
        let client_id = match &self.client_id {
            Some(id) => id.clone(),
            None => format!("{}.{}", self.product_key, self.device_name),
        };
        require_non_empty(PLATFORM, "client id", &client_id)?;
        if client_id.chars().count() > MAX_CLIENT_ID_LEN || client_id.contains('|') {
            return Err(Error::InvalidArgument(format!(
                "{PLATFORM}: client id {client_id:?} must have at most {MAX_CLIENT_ID_LEN} \
                 characters and no '|'"
            )));
        }
        if self.device_secret.is_empty() {
            return Err(Error::Auth(format!(
                "{PLATFORM}: the device secret is empty"
            )));
        }
        let timestamp = match self.timestamp {
            Timestamp::Now => Some(unix_millis(PLATFORM, now)?),
            Timestamp::Fixed(ms) => Some(ms),
            Timestamp::Omit => None,
        }
        .map(|ms| ms.to_string());

        let securemode = match self.scheme {
            Scheme::Wss => 2,
            Scheme::Ws => 3,
        };
        let method = self.sign_method;
        let mqtt_client_id = match &timestamp {
            Some(ts) => {
                format!("{client_id}|securemode={securemode},signmethod={method},timestamp={ts}|")
            }
            None => format!("{client_id}|securemode={securemode},signmethod={method}|"),
        };
        let content = sign_content(
            &client_id,
            &self.device_name,
            &self.product_key,
            timestamp.as_deref(),
        );
        let mac = method.mac(self.device_secret.as_bytes(), content.as_bytes());
        let password = if self.lowercase_hex {
            hex_lower(&mac)
        } else {
            hex_upper(&mac)
        };
        Ok(Credentials {
            client_id: mqtt_client_id,
            username: Some(format!("{}&{}", self.device_name, self.product_key)),
            password: Some(password),
            url: None,
            headers: Vec::new(),
        })
    }
}

/// The signed content: the present parameters sorted by name (clientId,
/// deviceName, productKey, timestamp), as `name` + `value` without
/// separators.
fn sign_content(
    client_id: &str,
    device_name: &str,
    product_key: &str,
    timestamp: Option<&str>,
) -> String {
    let mut content = format!("clientId{client_id}deviceName{device_name}productKey{product_key}");
    if let Some(ts) = timestamp {
        content.push_str("timestamp");
        content.push_str(ts);
    }
    content
}

impl fmt::Debug for AliyunDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AliyunDevice")
            .field("product_key", &self.product_key)
            .field("device_name", &self.device_name)
            .field("device_secret", &REDACTED)
            .field("client_id", &self.client_id)
            .field("scheme", &self.scheme)
            .field("sign_method", &self.sign_method)
            .field("timestamp", &self.timestamp)
            .field("lowercase_hex", &self.lowercase_hex)
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

impl CredentialProvider for AliyunDevice {
    fn credentials(&self, now: SystemTime) -> Result<Credentials> {
        AliyunDevice::credentials(self, now)
    }

    /// `securemode` follows the URL actually connected to (2 for wss, 3 for
    /// ws), whatever [`AliyunDevice::scheme`] said.
    fn credentials_for(&self, now: SystemTime, scheme: Scheme) -> Result<Credentials> {
        self.clone().scheme(scheme).credentials(now)
    }

    fn url(&self) -> Result<String> {
        AliyunDevice::url(self)
    }

    fn keepalive_range(&self) -> Option<(u16, u16)> {
        Some(KEEPALIVE_RANGE)
    }

    fn platform(&self) -> &str {
        PLATFORM
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use std::time::{Duration, UNIX_EPOCH};
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const SECRET: &str = "secret";

    fn doc_device(method: SignMethod) -> AliyunDevice {
        AliyunDevice::new("pk", "device", SECRET)
            .client_id("12345")
            .timestamp(Timestamp::Fixed(789))
            .sign_method(method)
    }

    fn password(device: AliyunDevice) -> String {
        device.credentials(UNIX_EPOCH).unwrap().password.unwrap()
    }

    #[test]
    fn aliyun_sign_content_matches_reference_vector() {
        assert_eq!(
            sign_content("12345", "device", "pk", Some("789")),
            "clientId12345deviceNamedeviceproductKeypktimestamp789"
        );
        assert_eq!(
            sign_content("12345", "device", "pk", None),
            "clientId12345deviceNamedeviceproductKeypk"
        );
    }

    #[test]
    fn aliyun_client_id_and_username_match_reference_vector() {
        let ws = doc_device(SignMethod::HmacSha1).scheme(Scheme::Ws);
        let c = ws.credentials(UNIX_EPOCH).unwrap();
        assert_eq!(
            c.client_id,
            "12345|securemode=3,signmethod=hmacsha1,timestamp=789|"
        );
        assert_eq!(c.username.as_deref(), Some("device&pk"));
        assert_eq!(c.url, None);
        let wss = doc_device(SignMethod::HmacSha1).scheme(Scheme::Wss);
        let c = wss.credentials(UNIX_EPOCH).unwrap();
        assert_eq!(
            c.client_id,
            "12345|securemode=2,signmethod=hmacsha1,timestamp=789|"
        );
    }

    #[test]
    fn aliyun_hmacsha1_password_matches_reference_vector() {
        let expected = "fafd82a3d602b37fb0fa8b7892f24a477f851a14";
        assert_eq!(
            password(doc_device(SignMethod::HmacSha1)),
            expected.to_uppercase()
        );
        assert_eq!(
            password(doc_device(SignMethod::HmacSha1).lowercase_hex(true)),
            expected
        );
    }

    #[test]
    fn aliyun_hmacsha256_password_matches_reference_vector() {
        let expected = "6074a46a91b1ebb2cc4ea42790ad0e80202c9843859fc292e57c4eb19fad9e57";
        assert_eq!(
            password(doc_device(SignMethod::HmacSha256)),
            expected.to_uppercase()
        );
        assert_eq!(
            password(doc_device(SignMethod::HmacSha256).lowercase_hex(true)),
            expected
        );
    }

    #[test]
    fn aliyun_hmacmd5_password_matches_reference_vector() {
        let expected = "14b198324fe55e1d3c88f2e705e201ee";
        assert_eq!(
            password(doc_device(SignMethod::HmacMd5)),
            expected.to_uppercase()
        );
        assert_eq!(
            password(doc_device(SignMethod::HmacMd5).lowercase_hex(true)),
            expected
        );
    }

    #[test]
    fn aliyun_defaults_are_linksdk_client_id_hmacsha256_wss_and_now_in_ms() {
        let now = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        let c = AliyunDevice::new("pk", "device", SECRET)
            .credentials(now)
            .unwrap();
        assert_eq!(
            c.client_id,
            "pk.device|securemode=2,signmethod=hmacsha256,timestamp=1700000000123|"
        );
        let content = "clientIdpk.devicedeviceNamedeviceproductKeypktimestamp1700000000123";
        let mac = hmac_sha256(SECRET.as_bytes(), content.as_bytes());
        assert_eq!(c.password.unwrap(), hex_upper(&mac));
    }

    #[test]
    fn aliyun_omitted_timestamp_is_neither_sent_nor_signed() {
        let c = doc_device(SignMethod::HmacSha1)
            .timestamp(Timestamp::Omit)
            .credentials(UNIX_EPOCH)
            .unwrap();
        assert_eq!(c.client_id, "12345|securemode=2,signmethod=hmacsha1|");
        let mac = hmac_sha1(b"secret", b"clientId12345deviceNamedeviceproductKeypk");
        assert_eq!(c.password.unwrap(), hex_upper(&mac));
        let c = doc_device(SignMethod::HmacSha1)
            .timestamp(Timestamp::Fixed(FIXED_TIMESTAMP_MS))
            .credentials(UNIX_EPOCH)
            .unwrap();
        assert!(
            c.client_id.ends_with(",timestamp=2524608000000|"),
            "{}",
            c.client_id
        );
    }

    #[test]
    fn aliyun_sign_method_parses_names_and_rejects_unknown_ones() {
        assert_eq!(
            "hmacmd5".parse::<SignMethod>().unwrap(),
            SignMethod::HmacMd5
        );
        assert_eq!(
            "HmacSha1".parse::<SignMethod>().unwrap(),
            SignMethod::HmacSha1
        );
        let err = "sha256".parse::<SignMethod>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.to_string().contains("\"sha256\""), "{err}");
    }

    #[test]
    #[cfg_attr(
        all(target_arch = "wasm32", target_os = "unknown"),
        ignore = "wasm32's SystemTime cannot hold a time before 1970"
    )]
    fn aliyun_bad_inputs_give_the_right_error_kind_without_the_secret() {
        let long = "x".repeat(65);
        let invalid = [
            AliyunDevice::new("", "device", SECRET),
            AliyunDevice::new("pk", "", SECRET),
            AliyunDevice::new("pk", "dev&ice", SECRET),
            AliyunDevice::new("pk", "device", SECRET).client_id(""),
            AliyunDevice::new("pk", "device", SECRET).client_id("a|b"),
            AliyunDevice::new("pk", "device", SECRET).client_id(long),
        ];
        for device in invalid {
            let err = device.credentials(UNIX_EPOCH).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{device:?}");
            assert!(!err.to_string().contains(SECRET), "{err}");
        }
        let err = AliyunDevice::new("pk", "device", "")
            .credentials(UNIX_EPOCH)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth);
        let before = UNIX_EPOCH - Duration::from_secs(1);
        let err = AliyunDevice::new("pk", "device", SECRET)
            .credentials(before)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn aliyun_keepalive_accepts_30_to_1200_and_names_the_range_otherwise() {
        let device = AliyunDevice::new("pk", "device", SECRET);
        assert!(device.validate_keepalive(30).is_ok());
        assert!(device.validate_keepalive(1200).is_ok());
        for bad in [0, 29, 1201] {
            let err = device.validate_keepalive(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument);
            assert!(
                err.to_string()
                    .contains("Alibaba IoT Platform's allowed range 30..=1200 s"),
                "{err}"
            );
        }
        assert_eq!(
            CredentialProvider::keepalive_range(&device),
            Some((30, 1200))
        );
    }

    #[test]
    fn aliyun_urls_use_port_443_for_ws_and_wss() {
        let device = AliyunDevice::new("a1B2c3D4e5F", "device", SECRET);
        assert_eq!(
            device.clone().region("cn-shanghai").url().unwrap(),
            "wss://a1B2c3D4e5F.iot-as-mqtt.cn-shanghai.aliyuncs.com/"
        );
        assert_eq!(
            device
                .clone()
                .region("cn-shanghai")
                .scheme(Scheme::Ws)
                .url()
                .unwrap(),
            "ws://a1B2c3D4e5F.iot-as-mqtt.cn-shanghai.aliyuncs.com:443/"
        );
        assert_eq!(
            device
                .clone()
                .instance("iot-06z00ab1c2d3e4f")
                .url()
                .unwrap(),
            "wss://iot-06z00ab1c2d3e4f.mqtt.iothub.aliyuncs.com/"
        );
        assert_eq!(
            instance_endpoint_url("iot-06z00ab1c2d3e4f", Scheme::Ws).unwrap(),
            "ws://iot-06z00ab1c2d3e4f.mqtt.iothub.aliyuncs.com:443/"
        );
        let err = device.url().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(public_endpoint_url("pk", "cn/shanghai", Scheme::Wss).is_err());
    }

    #[test]
    fn aliyun_debug_redacts_the_device_secret() {
        let device = AliyunDevice::new("pk", "device", "s3cr3t-value");
        let s = format!("{device:?}");
        assert!(!s.contains("s3cr3t-value") && s.contains(REDACTED), "{s}");
    }

    #[test]
    fn as_a_provider_securemode_follows_the_scheme_of_the_connection() {
        let dev = AliyunDevice::new("pk", "device", "secret")
            .client_id("12345")
            .timestamp(Timestamp::Fixed(789))
            .sign_method(SignMethod::HmacSha1);
        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let ws = CredentialProvider::credentials_for(&dev, now, Scheme::Ws).unwrap();
        assert_eq!(
            ws.client_id,
            "12345|securemode=3,signmethod=hmacsha1,timestamp=789|"
        );
        let wss = CredentialProvider::credentials_for(&dev, now, Scheme::Wss).unwrap();
        assert_eq!(
            wss.client_id,
            "12345|securemode=2,signmethod=hmacsha1,timestamp=789|"
        );
        assert_eq!(ws.password, wss.password, "securemode is not signed");
        assert_eq!(CredentialProvider::platform(&dev), PLATFORM);
    }
}

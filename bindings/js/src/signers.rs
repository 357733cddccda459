//! The core's signers, one function per platform, with the option names of
//! the Python package in camelCase. Each takes `now` (milliseconds since
//! the epoch) and returns `{ clientId, username, password, url, headers,
//! endpoint, keepaliveRange, platform }` (absent values are null), which the
//! driver wraps in its `Credentials` class.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mqttws::auth::{self, CredentialProvider, Credentials, Scheme};
use wasm_bindgen::prelude::*;

use crate::value::{self, ObjectBuilder, Options, error, invalid};

/// Signs for `now` (the options' `now`, read last so that [`Options::finish`]
/// sees every name) and returns the credentials with what the driver needs
/// besides: the endpoint, the platform's name and its keepalive range.
fn signed(
    mut o: Options,
    device: &dyn CredentialProvider,
    scheme: Scheme,
    endpoint: Option<String>,
) -> Result<JsValue, JsValue> {
    let now = wall_clock(&mut o)?;
    o.finish()?;
    let c: Credentials = device.credentials_for(now, scheme).map_err(error)?;
    let headers = c.headers.into_iter().map(|(k, v)| value::array([k, v]));
    let range = device
        .keepalive_range()
        .map(|(lo, hi)| value::array([lo, hi]));
    Ok(ObjectBuilder::new()
        .set("clientId", c.client_id)
        .set("username", c.username)
        .set("password", c.password)
        .set("url", c.url)
        .set("headers", value::array(headers))
        .set("endpoint", endpoint)
        .set("keepaliveRange", range)
        .set("platform", device.platform())
        .build())
}

/// The wall clock from `now`, milliseconds since the epoch (the driver
/// always passes one: std's `SystemTime::now()` traps on wasm32).
fn wall_clock(o: &mut Options) -> Result<SystemTime, JsValue> {
    let ms = o
        .opt_f64("now")?
        .ok_or_else(|| invalid("now is required (milliseconds since the epoch)"))?;
    if ms < 0.0 {
        return Err(invalid("now must be after 1970-01-01"));
    }
    Duration::try_from_secs_f64(ms / 1000.0)
        .ok()
        .and_then(|d| UNIX_EPOCH.checked_add(d))
        .ok_or_else(|| invalid("now is out of range"))
}

fn scheme(o: &mut Options) -> Result<Scheme, JsValue> {
    Ok(if o.opt_bool("secure")?.unwrap_or(true) {
        Scheme::Wss
    } else {
        Scheme::Ws
    })
}

/// Tencent IoT Hub / IoT Explorer credentials: HMAC with the base64 `psk`,
/// or RSA-SHA256 with `privateKey` (PEM). Options: `productId`,
/// `deviceName`, `psk` | `privateKey`, `method`, `connid`, `expiry` (UNIX
/// seconds, `"never"` or `{ ttl }` seconds), `sdkappid`, `region`,
/// `secure`, `now`.
#[wasm_bindgen(js_name = tencentCredentials)]
pub fn tencent_credentials(options: JsValue) -> Result<JsValue, JsValue> {
    use auth::tencent::{Expiry, SignMethod, TencentDevice};
    let mut o = Options::new("tencentCredentials", options)?;
    let (product_id, device_name) = (o.string("productId")?, o.string("deviceName")?);
    let method = o.opt_string("method")?;
    let mut device = match (o.opt_string("psk")?, o.opt_string("privateKey")?) {
        (Some(psk), None) => {
            let method: SignMethod = method
                .as_deref()
                .unwrap_or("hmacsha256")
                .parse()
                .map_err(error)?;
            TencentDevice::with_psk(product_id, device_name, psk).sign_method(method)
        }
        (None, Some(pem)) => {
            if method.is_some_and(|m| m != "hmacsha256") {
                return Err(invalid(
                    "certificate devices always sign with rsa-sha256; leave method unset",
                ));
            }
            TencentDevice::with_private_key_pem(product_id, device_name, pem.into_bytes())
        }
        _ => {
            return Err(invalid(
                "tencentCredentials: give exactly one of psk and privateKey",
            ));
        }
    };
    if let Some(e) = o.opt_any("expiry")? {
        let expiry = if let Some(at) = e.as_f64().filter(|at| *at >= 0.0 && at.fract() == 0.0) {
            Expiry::At(at as u64)
        } else if e.as_string().is_some_and(|w| w == "never") {
            Expiry::Never
        } else if e.is_object() {
            let mut t = Options::new("tencentCredentials.expiry", e)?;
            let ttl = t
                .opt_validity("ttl")?
                .ok_or_else(|| invalid("expiry.ttl is required"))?;
            t.finish()?;
            Expiry::Ttl(ttl)
        } else {
            return Err(invalid(
                "expiry must be a UNIX time in seconds, \"never\" or { ttl: seconds }",
            ));
        };
        device = device.expiry(expiry);
    }
    if let Some(c) = o.opt_string("connid")? {
        device = device.connid(c);
    }
    if let Some(s) = o.opt_string("sdkappid")? {
        device = device.sdkappid(s);
    }
    if let Some(r) = o.opt_string("region")? {
        device = device.region(r);
    }
    let scheme = scheme(&mut o)?;
    device = device.scheme(scheme);
    let endpoint = device.url().map_err(error)?;
    signed(o, &device, scheme, Some(endpoint))
}

/// Alibaba Cloud IoT Platform credentials (device secret HMAC); `secure`
/// selects securemode 2 (wss, the default) or 3 (ws). Options:
/// `productKey`, `deviceName`, `deviceSecret`, `clientId`, `timestamp`
/// (milliseconds, `"now"` or `"omit"`), `method`, `secure`,
/// `lowercaseHex`, `region` | `instance` (for the endpoint), `now`.
#[wasm_bindgen(js_name = aliyunCredentials)]
pub fn aliyun_credentials(options: JsValue) -> Result<JsValue, JsValue> {
    use auth::aliyun::{AliyunDevice, SignMethod, Timestamp};
    let mut o = Options::new("aliyunCredentials", options)?;
    let scheme = scheme(&mut o)?;
    let method: SignMethod = o
        .opt_string("method")?
        .as_deref()
        .unwrap_or("hmacsha256")
        .parse()
        .map_err(error)?;
    let mut device = AliyunDevice::new(
        o.string("productKey")?,
        o.string("deviceName")?,
        o.string("deviceSecret")?,
    )
    .sign_method(method)
    .scheme(scheme)
    .lowercase_hex(o.opt_bool("lowercaseHex")?.unwrap_or(false));
    if let Some(id) = o.opt_string("clientId")? {
        device = device.client_id(id);
    }
    if let Some(t) = o.opt_any("timestamp")? {
        let word = t.as_string();
        device = device.timestamp(match t.as_f64() {
            Some(ms) if ms >= 0.0 && ms.fract() == 0.0 => Timestamp::Fixed(ms as u64),
            _ if word.as_deref() == Some("now") => Timestamp::Now,
            _ if word.as_deref() == Some("omit") => Timestamp::Omit,
            _ => {
                return Err(invalid(
                    "timestamp must be milliseconds, \"now\" or \"omit\"",
                ));
            }
        });
    }
    match (o.opt_string("region")?, o.opt_string("instance")?) {
        (Some(_), Some(_)) => return Err(invalid("give region or instance, not both")),
        (Some(r), None) => device = device.region(r),
        (None, Some(i)) => device = device.instance(i),
        (None, None) => {}
    }
    let endpoint = device.url().ok();
    signed(o, &device, scheme, endpoint)
}

/// AWS IoT Core SigV4 credentials: `url` is the presigned URL (a secret),
/// there is no user name or password. Options: `host`, `accessKeyId`,
/// `secretAccessKey`, `clientId`, `region`, `sessionToken`, `expires`
/// (seconds), `port`, `now`.
#[wasm_bindgen(js_name = awsCredentials)]
pub fn aws_credentials(options: JsValue) -> Result<JsValue, JsValue> {
    use auth::aws::{AwsSigV4, DEFAULT_PORT};
    let mut o = Options::new("awsCredentials", options)?;
    let mut signer = AwsSigV4::new(
        o.string("host")?,
        o.string("accessKeyId")?,
        o.string("secretAccessKey")?,
    )
    .client_id(o.string("clientId")?)
    .port(
        o.opt_uint("port", u16::MAX.into())?
            .map_or(DEFAULT_PORT, |p| p as u16),
    );
    if let Some(r) = o.opt_string("region")? {
        signer = signer.region(r);
    }
    if let Some(t) = o.opt_string("sessionToken")? {
        signer = signer.session_token(t);
    }
    if let Some(e) = o.opt_validity("expires")? {
        signer = signer.expires(e);
    }
    signed(o, &signer, Scheme::Wss, None)
}

/// AWS IoT Core custom-authorizer credentials. Browsers cannot send
/// upgrade headers, so `queryString: true` is the mode that works there;
/// the default (headers, as in Python) is refused by `connect()`. Options:
/// `host`, `clientId`, `authorizerName`, `tokenKeyName`, `token`,
/// `tokenSignature`, `queryString`, `port`, `now` (unused).
#[wasm_bindgen(js_name = awsCustomAuthCredentials)]
pub fn aws_custom_auth_credentials(options: JsValue) -> Result<JsValue, JsValue> {
    use auth::aws::{AwsCustomAuth, CustomAuthMode, DEFAULT_PORT};
    let mut o = Options::new("awsCustomAuthCredentials", options)?;
    let mut a = AwsCustomAuth::new(o.string("host")?)
        .client_id(o.string("clientId")?)
        .port(
            o.opt_uint("port", u16::MAX.into())?
                .map_or(DEFAULT_PORT, |p| p as u16),
        );
    if let Some(n) = o.opt_string("authorizerName")? {
        a = a.authorizer_name(n);
    }
    match (o.opt_string("tokenKeyName")?, o.opt_string("token")?) {
        (Some(k), Some(t)) => a = a.token(k, t),
        (None, None) => {}
        _ => return Err(invalid("token and tokenKeyName go together")),
    }
    if let Some(s) = o.opt_string("tokenSignature")? {
        a = a.token_signature(s);
    }
    if o.opt_bool("queryString")?.unwrap_or(false) {
        a = a.mode(CustomAuthMode::QueryString);
    }
    // The custom authorizer does not depend on `now`.
    signed(o, &a, Scheme::Wss, None)
}

/// Azure IoT Hub credentials: a SAS token valid `ttl` seconds (default
/// 3600) from `now`. Options: `hub`, `deviceId`, `key`, `moduleId`,
/// `keyName`, `ttl`, `apiVersion`, `deviceClientType`, `noClientCertHint`,
/// `now`.
#[wasm_bindgen(js_name = azureCredentials)]
pub fn azure_credentials(options: JsValue) -> Result<JsValue, JsValue> {
    use auth::azure::{AzureDevice, DEFAULT_API_VERSION, DEFAULT_SAS_TTL};
    let mut o = Options::new("azureCredentials", options)?;
    let mut d = AzureDevice::new(o.string("hub")?, o.string("deviceId")?, o.string("key")?)
        .sas_ttl(o.opt_validity("ttl")?.unwrap_or(DEFAULT_SAS_TTL))
        .api_version(
            o.opt_string("apiVersion")?
                .as_deref()
                .unwrap_or(DEFAULT_API_VERSION),
        )
        .no_client_cert_hint(o.opt_bool("noClientCertHint")?.unwrap_or(true));
    if let Some(m) = o.opt_string("moduleId")? {
        d = d.module_id(m);
    }
    if let Some(n) = o.opt_string("keyName")? {
        d = d.shared_access_key_name(n);
    }
    if let Some(t) = o.opt_string("deviceClientType")? {
        d = d.device_client_type(t);
    }
    let endpoint = d.url().map_err(error)?;
    signed(o, &d, Scheme::Wss, Some(endpoint))
}

/// Huawei Cloud IoTDA credentials (device secret HMAC, hour of `now` in
/// UTC). Options: `host`, `deviceId`, `secret`, `checkTimestamp`, `now`.
#[wasm_bindgen(js_name = huaweiCredentials)]
pub fn huawei_credentials(options: JsValue) -> Result<JsValue, JsValue> {
    use auth::huawei::HuaweiDevice;
    let mut o = Options::new("huaweiCredentials", options)?;
    let d = HuaweiDevice::new(
        o.string("host")?,
        o.string("deviceId")?,
        o.string("secret")?,
    )
    .check_timestamp(o.opt_bool("checkTimestamp")?.unwrap_or(false));
    let endpoint = d.url().map_err(error)?;
    signed(o, &d, Scheme::Wss, Some(endpoint))
}

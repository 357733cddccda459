//! `mqttws.auth`: the core's platform signers for Python.
//!
//! Two shapes for each platform:
//!
//! * a one-shot function, `tencent_credentials(...)`, ... returning a
//!   [`Credentials`] for a given wall-clock time (the reference vectors are
//!   checked through these);
//! * a *device* class, `TencentDevice(...)`, ..., subclass of [`Platform`],
//!   that knows its endpoint URL and is passed as `Client(credentials=...)`
//!   so that the client signs afresh at every `connect()`.
//!
//! Secrets stay in Rust: no getter returns a PSK, device secret or key, and
//! every `repr()` prints `<redacted>` in their place (the core's `Debug`).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use mqttws::auth::{self, CredentialProvider, Scheme};
use mqttws::{Result as CoreResult, WsUrl};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDelta, PyDeltaAccess, PyList, PyString};

use crate::convert::{self, py_repr, type_name, wall_time};
use crate::errors::{IntoPyResult, invalid};

/// What a connection attempt presents: client id, user name, password, and
/// where the platform decides them, the URL and extra upgrade headers.
#[pyclass(module = "mqttws.auth", frozen)]
pub(crate) struct Credentials {
    pub(crate) inner: auth::Credentials,
}

#[pymethods]
impl Credentials {
    #[new]
    #[pyo3(signature = (client_id, username=None, password=None, url=None, headers=None))]
    fn new(
        py: Python<'_>,
        client_id: String,
        username: Option<String>,
        password: Option<String>,
        url: Option<String>,
        headers: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        if let Some(u) = &url {
            WsUrl::parse(u).py_err(py)?;
        }
        let headers = match headers {
            Some(h) => crate::client::headers(h)?,
            None => Vec::new(),
        };
        Ok(Self {
            inner: auth::Credentials {
                client_id,
                username,
                password,
                url,
                headers,
            },
        })
    }

    /// The MQTT client identifier.
    #[getter]
    fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The MQTT user name, or None.
    #[getter]
    fn username(&self) -> Option<&str> {
        self.inner.username.as_deref()
    }

    /// The MQTT password, or None. Never shown by repr().
    #[getter]
    fn password(&self) -> Option<&str> {
        self.inner.password.as_deref()
    }

    /// The URL that replaces the client's for this attempt, where the
    /// platform puts credentials in it (AWS: the SigV4 presigned URL, which
    /// is a secret; the custom-authorizer URL). None elsewhere: the device
    /// classes' `.url` gives the endpoint.
    #[getter]
    fn url(&self) -> Option<&str> {
        self.inner.url.as_deref()
    }

    /// Extra WebSocket upgrade headers as (name, value) pairs.
    #[getter]
    fn headers(&self) -> Vec<(String, String)> {
        self.inner.headers.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let c = &self.inner;
        let url = c.url.as_deref().map(redacted_url);
        let headers: Vec<&str> = c.headers.iter().map(|(k, _)| k.as_str()).collect();
        Ok(format!(
            "Credentials(client_id={}, username={}, password={}, url={}, headers={})",
            py_repr(py, Some(c.client_id.as_str()))?,
            py_repr(py, c.username.as_deref())?,
            if c.password.is_some() {
                "<redacted>"
            } else {
                "None"
            },
            py_repr(py, url.as_deref())?,
            PyList::new(py, headers)?.repr()?,
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Credentials>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self) -> PyResult<isize> {
        Err(PyTypeError::new_err("unhashable type: 'Credentials'"))
    }
}

/// A URL with its query (which may hold a signature or token) hidden.
pub(crate) fn redacted_url(url: &str) -> String {
    WsUrl::parse(url)
        .map(|u| u.redacted())
        .unwrap_or_else(|_| "<invalid URL>".into())
}

/// Static credentials as a provider: the same values at every attempt.
struct Fixed(auth::Credentials);

impl CredentialProvider for Fixed {
    fn credentials(&self, _now: SystemTime) -> CoreResult<auth::Credentials> {
        Ok(self.0.clone())
    }
}

/// Base class of the device classes: signs credentials for each connection
/// attempt and knows the endpoint URL.
#[pyclass(module = "mqttws.auth", subclass, frozen)]
pub(crate) struct Platform {
    provider: Arc<dyn CredentialProvider>,
    url: Option<String>,
    repr: String,
}

impl Platform {
    fn new<P: CredentialProvider + std::fmt::Debug + 'static>(
        py: Python<'_>,
        provider: P,
        url: Option<String>,
        name: &str,
    ) -> PyResult<Self> {
        // Validate now, with the current time, rather than at connect().
        provider.credentials(SystemTime::now()).py_err(py)?;
        // The core's Debug prints every secret as <redacted>.
        let repr = format!("<mqttws.auth.{provider:?}>");
        debug_assert!(repr.starts_with(&format!("<mqttws.auth.{name}")));
        Ok(Self {
            provider: Arc::new(provider),
            url,
            repr,
        })
    }
}

/// What `Client(credentials=...)` accepts.
pub(crate) struct ProviderArg {
    pub(crate) provider: Arc<dyn CredentialProvider>,
    pub(crate) url: Option<String>,
    /// A device preset (signs afresh per attempt): the high-level path, where
    /// `reconnect` defaults to on.
    pub(crate) preset: bool,
}

impl ProviderArg {
    pub(crate) fn extract(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(p) = obj.cast::<Platform>() {
            let p = p.get();
            return Ok(Self {
                provider: p.provider.clone(),
                url: p.url.clone(),
                preset: true,
            });
        }
        if let Ok(c) = obj.cast::<Credentials>() {
            let c = c.get().inner.clone();
            return Ok(Self {
                url: c.url.clone(),
                provider: Arc::new(Fixed(c)),
                preset: false,
            });
        }
        Err(PyTypeError::new_err(format!(
            "credentials must be a mqttws.auth device (TencentDevice, AliyunDevice, AwsSigV4, \
             AwsCustomAuth, AzureDevice, HuaweiDevice) or mqttws.auth.Credentials, not {}",
            type_name(obj)
        )))
    }
}

#[pymethods]
impl Platform {
    /// Credentials for a connection attempt at `now` (default: the current
    /// time; a UNIX timestamp or a datetime).
    #[pyo3(signature = (now=None))]
    fn credentials(&self, py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<Credentials> {
        let t = wall_time(now)?;
        let inner = self.provider.credentials(t).py_err(py)?;
        Ok(Credentials { inner })
    }

    /// The platform endpoint URL (for AWS SigV4, before signing).
    #[getter]
    fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// The keepalive range (seconds, inclusive) the platform accepts, or None.
    #[getter]
    fn keepalive_range(&self) -> Option<(u16, u16)> {
        self.provider.keepalive_range()
    }

    fn __repr__(&self) -> &str {
        &self.repr
    }
}

fn scheme(secure: bool) -> Scheme {
    if secure { Scheme::Wss } else { Scheme::Ws }
}

fn secs_u64(py: Python<'_>, what: &str, value: f64) -> PyResult<Duration> {
    let d = convert::seconds(py, what, value)?;
    if d.as_secs() == 0 {
        return Err(invalid(py, format!("{what} must be at least 1 second")));
    }
    Ok(Duration::from_secs(d.as_secs()))
}

// ---------------------------------------------------------------- Tencent

#[allow(clippy::too_many_arguments)]
fn tencent_device(
    py: Python<'_>,
    product_id: String,
    device_name: String,
    psk: Option<String>,
    private_key: Option<&Bound<'_, PyAny>>,
    private_key_file: Option<&Bound<'_, PyAny>>,
    method: &str,
    expiry: Option<&Bound<'_, PyAny>>,
    connid: Option<String>,
    sdkappid: &str,
    region: &str,
    secure: bool,
) -> PyResult<(auth::tencent::TencentDevice, Option<String>)> {
    use auth::tencent::{Expiry, SignMethod, TencentDevice};
    let key_given = usize::from(psk.is_some())
        + usize::from(private_key.is_some_and(|k| !k.is_none()))
        + usize::from(private_key_file.is_some_and(|k| !k.is_none()));
    if key_given != 1 {
        return Err(invalid(
            py,
            "give exactly one of psk, private_key and private_key_file",
        ));
    }
    let method: SignMethod = method.parse().py_err(py)?;
    let mut device = if let Some(psk) = psk {
        TencentDevice::with_psk(product_id.clone(), device_name, psk).sign_method(method)
    } else {
        if method != SignMethod::HmacSha256 {
            return Err(invalid(
                py,
                "certificate devices always sign with rsa-sha256; leave method at its default",
            ));
        }
        match (
            private_key.filter(|k| !k.is_none()),
            private_key_file.filter(|k| !k.is_none()),
        ) {
            (Some(pem), _) => {
                let pem: Vec<u8> = if let Ok(b) = pem.cast::<PyBytes>() {
                    b.as_bytes().to_vec()
                } else if let Ok(s) = pem.cast::<PyString>() {
                    s.to_cow()?.as_bytes().to_vec()
                } else {
                    return Err(PyTypeError::new_err(format!(
                        "private_key must be PEM as str or bytes, not {}",
                        type_name(pem)
                    )));
                };
                TencentDevice::with_private_key_pem(product_id.clone(), device_name, pem)
            }
            (None, Some(file)) => TencentDevice::with_private_key_file(
                product_id.clone(),
                device_name,
                convert::path("private_key_file", file)?,
            ),
            (None, None) => unreachable!("checked above"),
        }
    };
    if let Some(e) = expiry.filter(|e| !e.is_none()) {
        let expiry = if let Ok(s) = e.cast::<PyString>() {
            if s.to_cow()? != "never" {
                return Err(invalid(
                    py,
                    "expiry must be a UNIX time, a timedelta, \"never\" or None",
                ));
            }
            Expiry::Never
        } else if let Ok(d) = e.cast::<PyDelta>() {
            let secs = i64::from(d.get_days()) * 86_400 + i64::from(d.get_seconds());
            if secs <= 0 {
                return Err(invalid(py, "an expiry timedelta must be at least 1 second"));
            }
            Expiry::Ttl(Duration::from_secs(secs.unsigned_abs()))
        } else if let Ok(at) = e.extract::<i64>() {
            Expiry::At(
                u64::try_from(at)
                    .map_err(|_| invalid(py, "expiry must be a positive UNIX time"))?,
            )
        } else {
            return Err(PyTypeError::new_err(format!(
                "expiry must be an int UNIX time, a datetime.timedelta, \"never\" or None, not {}",
                type_name(e)
            )));
        };
        device = device.expiry(expiry);
    }
    if let Some(c) = connid {
        device = device.connid(c);
    }
    device = device
        .sdkappid(sdkappid)
        .region(region)
        .scheme(scheme(secure));
    let url = device.url().py_err(py)?;
    Ok((device, Some(url)))
}

/// Tencent IoT Hub / IoT Explorer credentials (HMAC with the device PSK, or
/// RSA-SHA256 with the device private key) for an attempt at `now`.
#[pyfunction]
#[pyo3(signature = (product_id, device_name, psk=None, *, method="hmacsha256", connid=None, expiry=None,
    sdkappid="12010126", private_key=None, private_key_file=None, now=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn tencent_credentials(
    py: Python<'_>,
    product_id: String,
    device_name: String,
    psk: Option<String>,
    method: &str,
    connid: Option<String>,
    expiry: Option<&Bound<'_, PyAny>>,
    sdkappid: &str,
    private_key: Option<&Bound<'_, PyAny>>,
    private_key_file: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<Credentials> {
    let (device, _) = tencent_device(
        py,
        product_id,
        device_name,
        psk,
        private_key,
        private_key_file,
        method,
        expiry,
        connid,
        sdkappid,
        "ap-guangzhou",
        true,
    )?;
    let inner = device.credentials(wall_time(now)?).py_err(py)?;
    Ok(Credentials { inner })
}

/// A Tencent IoT Hub / IoT Explorer device, for `Client(credentials=...)`.
#[pyclass(module = "mqttws.auth", extends = Platform, frozen)]
pub(crate) struct TencentDevice;

#[pymethods]
impl TencentDevice {
    #[new]
    #[pyo3(signature = (product_id, device_name, psk=None, *, method="hmacsha256", connid=None, expiry=None,
        sdkappid="12010126", private_key=None, private_key_file=None, region="ap-guangzhou", secure=true))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        product_id: String,
        device_name: String,
        psk: Option<String>,
        method: &str,
        connid: Option<String>,
        expiry: Option<&Bound<'_, PyAny>>,
        sdkappid: &str,
        private_key: Option<&Bound<'_, PyAny>>,
        private_key_file: Option<&Bound<'_, PyAny>>,
        region: &str,
        secure: bool,
    ) -> PyResult<PyClassInitializer<Self>> {
        let (device, url) = tencent_device(
            py,
            product_id,
            device_name,
            psk,
            private_key,
            private_key_file,
            method,
            expiry,
            connid,
            sdkappid,
            region,
            secure,
        )?;
        Ok(
            PyClassInitializer::from(Platform::new(py, device, url, "TencentDevice")?)
                .add_subclass(Self),
        )
    }
}

// ---------------------------------------------------------------- Alibaba

#[allow(clippy::too_many_arguments)]
fn aliyun_device(
    py: Python<'_>,
    product_key: String,
    device_name: String,
    device_secret: String,
    client_id: Option<String>,
    timestamp: Option<&Bound<'_, PyAny>>,
    method: &str,
    secure: bool,
    lowercase_hex: bool,
    region: Option<String>,
    instance: Option<String>,
) -> PyResult<(auth::aliyun::AliyunDevice, Option<String>)> {
    use auth::aliyun::{AliyunDevice, SignMethod, Timestamp};
    let method: SignMethod = method.parse().py_err(py)?;
    let mut device = AliyunDevice::new(product_key, device_name, device_secret)
        .sign_method(method)
        .scheme(scheme(secure))
        .lowercase_hex(lowercase_hex);
    if let Some(id) = client_id {
        device = device.client_id(id);
    }
    if let Some(t) = timestamp.filter(|t| !t.is_none()) {
        let ts = if let Ok(s) = t.cast::<PyString>() {
            match s.to_cow()?.as_ref() {
                "now" => Timestamp::Now,
                "omit" => Timestamp::Omit,
                _ => {
                    return Err(invalid(
                        py,
                        "timestamp must be milliseconds, \"now\", \"omit\" or None",
                    ));
                }
            }
        } else if let Ok(ms) = t.extract::<i64>() {
            Timestamp::Fixed(
                u64::try_from(ms).map_err(|_| invalid(py, "timestamp must not be negative"))?,
            )
        } else {
            return Err(PyTypeError::new_err(format!(
                "timestamp must be an int (milliseconds), \"now\", \"omit\" or None, not {}",
                type_name(t)
            )));
        };
        device = device.timestamp(ts);
    }
    match (region, instance) {
        (Some(_), Some(_)) => return Err(invalid(py, "give region or instance, not both")),
        (Some(r), None) => device = device.region(r),
        (None, Some(i)) => device = device.instance(i),
        (None, None) => {}
    }
    let url = device.url().ok();
    Ok((device, url))
}

/// Alibaba Cloud IoT Platform credentials (device secret HMAC) for an
/// attempt at `now`; `secure` selects securemode 2 (wss) or 3 (ws).
#[pyfunction]
#[pyo3(signature = (product_key, device_name, device_secret, *, client_id=None, timestamp=None,
    method="hmacsha256", secure=true, lowercase_hex=false, now=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn aliyun_credentials(
    py: Python<'_>,
    product_key: String,
    device_name: String,
    device_secret: String,
    client_id: Option<String>,
    timestamp: Option<&Bound<'_, PyAny>>,
    method: &str,
    secure: bool,
    lowercase_hex: bool,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<Credentials> {
    let (device, _) = aliyun_device(
        py,
        product_key,
        device_name,
        device_secret,
        client_id,
        timestamp,
        method,
        secure,
        lowercase_hex,
        None,
        None,
    )?;
    let inner = device.credentials(wall_time(now)?).py_err(py)?;
    Ok(Credentials { inner })
}

/// An Alibaba Cloud IoT Platform device, for `Client(credentials=...)`.
#[pyclass(module = "mqttws.auth", extends = Platform, frozen)]
pub(crate) struct AliyunDevice;

#[pymethods]
impl AliyunDevice {
    #[new]
    #[pyo3(signature = (product_key, device_name, device_secret, *, region=None, instance=None, client_id=None,
        timestamp=None, method="hmacsha256", secure=true, lowercase_hex=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        product_key: String,
        device_name: String,
        device_secret: String,
        region: Option<String>,
        instance: Option<String>,
        client_id: Option<String>,
        timestamp: Option<&Bound<'_, PyAny>>,
        method: &str,
        secure: bool,
        lowercase_hex: bool,
    ) -> PyResult<PyClassInitializer<Self>> {
        let (device, url) = aliyun_device(
            py,
            product_key,
            device_name,
            device_secret,
            client_id,
            timestamp,
            method,
            secure,
            lowercase_hex,
            region,
            instance,
        )?;
        Ok(
            PyClassInitializer::from(Platform::new(py, device, url, "AliyunDevice")?)
                .add_subclass(Self),
        )
    }
}

// ---------------------------------------------------------------- AWS

/// `wss://{host}[:port]/mqtt`: the endpoint before signing (the core only
/// builds the signed form).
fn aws_endpoint(host: &str, port: u16) -> String {
    if port == auth::aws::DEFAULT_PORT {
        format!("wss://{host}{}", auth::aws::DEFAULT_PATH)
    } else {
        format!("wss://{host}:{port}{}", auth::aws::DEFAULT_PATH)
    }
}

#[allow(clippy::too_many_arguments)]
fn aws_sigv4(
    py: Python<'_>,
    host: String,
    access_key_id: String,
    secret_access_key: String,
    client_id: String,
    region: Option<String>,
    session_token: Option<String>,
    expires: Option<f64>,
    port: u16,
) -> PyResult<(auth::aws::AwsSigV4, Option<String>)> {
    let url = aws_endpoint(&host, port);
    let mut signer = auth::aws::AwsSigV4::new(host, access_key_id, secret_access_key)
        .client_id(client_id)
        .port(port);
    if let Some(r) = region {
        signer = signer.region(r);
    }
    if let Some(t) = session_token {
        signer = signer.session_token(t);
    }
    if let Some(e) = expires {
        signer = signer.expires(secs_u64(py, "expires", e)?);
    }
    Ok((signer, Some(url)))
}

/// AWS IoT Core SigV4 credentials (IAM or Cognito keys) for an attempt at
/// `now`: `.url` is the presigned URL, there is no user name or password.
#[pyfunction]
#[pyo3(signature = (host, access_key_id, secret_access_key, *, client_id, region=None, session_token=None,
    expires=None, port=443, now=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn aws_credentials(
    py: Python<'_>,
    host: String,
    access_key_id: String,
    secret_access_key: String,
    client_id: String,
    region: Option<String>,
    session_token: Option<String>,
    expires: Option<f64>,
    port: u16,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<Credentials> {
    let (signer, _) = aws_sigv4(
        py,
        host,
        access_key_id,
        secret_access_key,
        client_id,
        region,
        session_token,
        expires,
        port,
    )?;
    let inner = signer.credentials(wall_time(now)?).py_err(py)?;
    Ok(Credentials { inner })
}

/// AWS IoT Core over WSS with SigV4 presigned URLs, for
/// `Client(credentials=...)`: each connect presigns afresh.
#[pyclass(module = "mqttws.auth", extends = Platform, frozen)]
pub(crate) struct AwsSigV4;

#[pymethods]
impl AwsSigV4 {
    #[new]
    #[pyo3(signature = (host, access_key_id, secret_access_key, *, client_id, region=None, session_token=None,
        expires=None, port=443))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        host: String,
        access_key_id: String,
        secret_access_key: String,
        client_id: String,
        region: Option<String>,
        session_token: Option<String>,
        expires: Option<f64>,
        port: u16,
    ) -> PyResult<PyClassInitializer<Self>> {
        let (signer, url) = aws_sigv4(
            py,
            host,
            access_key_id,
            secret_access_key,
            client_id,
            region,
            session_token,
            expires,
            port,
        )?;
        Ok(
            PyClassInitializer::from(Platform::new(py, signer, url, "AwsSigV4")?)
                .add_subclass(Self),
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn aws_custom(
    py: Python<'_>,
    host: String,
    client_id: String,
    authorizer_name: Option<String>,
    token_key_name: Option<String>,
    token: Option<String>,
    token_signature: Option<String>,
    query_string: bool,
    port: u16,
) -> PyResult<(auth::aws::AwsCustomAuth, Option<String>)> {
    use auth::aws::{AwsCustomAuth, CustomAuthMode};
    let url = aws_endpoint(&host, port);
    let mut a = AwsCustomAuth::new(host).client_id(client_id).port(port);
    if let Some(n) = authorizer_name {
        a = a.authorizer_name(n);
    }
    match (token_key_name, token) {
        (Some(k), Some(t)) => a = a.token(k, t),
        (None, None) => {}
        _ => return Err(invalid(py, "token and token_key_name go together")),
    }
    if let Some(s) = token_signature {
        a = a.token_signature(s);
    }
    if query_string {
        a = a.mode(CustomAuthMode::QueryString);
    }
    Ok((a, Some(url)))
}

/// AWS IoT Core custom-authorizer credentials: `.url` and, unless
/// `query_string`, `.headers` carry the authorizer parameters.
#[pyfunction]
#[pyo3(signature = (host, *, client_id, authorizer_name=None, token_key_name=None, token=None,
    token_signature=None, query_string=false, port=443))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn aws_custom_auth_credentials(
    py: Python<'_>,
    host: String,
    client_id: String,
    authorizer_name: Option<String>,
    token_key_name: Option<String>,
    token: Option<String>,
    token_signature: Option<String>,
    query_string: bool,
    port: u16,
) -> PyResult<Credentials> {
    let (a, _) = aws_custom(
        py,
        host,
        client_id,
        authorizer_name,
        token_key_name,
        token,
        token_signature,
        query_string,
        port,
    )?;
    let inner = a.credentials(SystemTime::now()).py_err(py)?;
    Ok(Credentials { inner })
}

/// AWS IoT Core over WSS with a custom authorizer, for `Client(credentials=...)`.
#[pyclass(module = "mqttws.auth", extends = Platform, frozen)]
pub(crate) struct AwsCustomAuth;

#[pymethods]
impl AwsCustomAuth {
    #[new]
    #[pyo3(signature = (host, *, client_id, authorizer_name=None, token_key_name=None, token=None,
        token_signature=None, query_string=false, port=443))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        host: String,
        client_id: String,
        authorizer_name: Option<String>,
        token_key_name: Option<String>,
        token: Option<String>,
        token_signature: Option<String>,
        query_string: bool,
        port: u16,
    ) -> PyResult<PyClassInitializer<Self>> {
        let (a, url) = aws_custom(
            py,
            host,
            client_id,
            authorizer_name,
            token_key_name,
            token,
            token_signature,
            query_string,
            port,
        )?;
        Ok(
            PyClassInitializer::from(Platform::new(py, a, url, "AwsCustomAuth")?)
                .add_subclass(Self),
        )
    }
}

// ---------------------------------------------------------------- Azure

#[allow(clippy::too_many_arguments)]
fn azure_device(
    py: Python<'_>,
    hub: String,
    device_id: String,
    key: String,
    module_id: Option<String>,
    key_name: Option<String>,
    ttl: f64,
    api_version: &str,
    device_client_type: Option<String>,
    no_client_cert_hint: bool,
) -> PyResult<(auth::azure::AzureDevice, Option<String>)> {
    let mut d = auth::azure::AzureDevice::new(hub, device_id, key)
        .sas_ttl(secs_u64(py, "ttl", ttl)?)
        .api_version(api_version)
        .no_client_cert_hint(no_client_cert_hint);
    if let Some(m) = module_id {
        d = d.module_id(m);
    }
    if let Some(n) = key_name {
        d = d.shared_access_key_name(n);
    }
    if let Some(t) = device_client_type {
        d = d.device_client_type(t);
    }
    let url = d.url().py_err(py)?;
    Ok((d, Some(url)))
}

/// Azure IoT Hub credentials (SAS token valid `ttl` seconds from `now`).
#[pyfunction]
#[pyo3(signature = (hub, device_id, key, *, module_id=None, key_name=None, ttl=3600.0,
    api_version="2021-04-12", device_client_type=None, no_client_cert_hint=true, now=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn azure_credentials(
    py: Python<'_>,
    hub: String,
    device_id: String,
    key: String,
    module_id: Option<String>,
    key_name: Option<String>,
    ttl: f64,
    api_version: &str,
    device_client_type: Option<String>,
    no_client_cert_hint: bool,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<Credentials> {
    let (d, _) = azure_device(
        py,
        hub,
        device_id,
        key,
        module_id,
        key_name,
        ttl,
        api_version,
        device_client_type,
        no_client_cert_hint,
    )?;
    let inner = d.credentials(wall_time(now)?).py_err(py)?;
    Ok(Credentials { inner })
}

/// An Azure IoT Hub device (or module), for `Client(credentials=...)`.
#[pyclass(module = "mqttws.auth", extends = Platform, frozen)]
pub(crate) struct AzureDevice;

#[pymethods]
impl AzureDevice {
    #[new]
    #[pyo3(signature = (hub, device_id, key, *, module_id=None, key_name=None, ttl=3600.0,
        api_version="2021-04-12", device_client_type=None, no_client_cert_hint=true))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        hub: String,
        device_id: String,
        key: String,
        module_id: Option<String>,
        key_name: Option<String>,
        ttl: f64,
        api_version: &str,
        device_client_type: Option<String>,
        no_client_cert_hint: bool,
    ) -> PyResult<PyClassInitializer<Self>> {
        let (d, url) = azure_device(
            py,
            hub,
            device_id,
            key,
            module_id,
            key_name,
            ttl,
            api_version,
            device_client_type,
            no_client_cert_hint,
        )?;
        Ok(PyClassInitializer::from(Platform::new(py, d, url, "AzureDevice")?).add_subclass(Self))
    }
}

// ---------------------------------------------------------------- Huawei

fn huawei_device(
    py: Python<'_>,
    host: String,
    device_id: String,
    secret: String,
    check_timestamp: bool,
) -> PyResult<(auth::huawei::HuaweiDevice, Option<String>)> {
    let d =
        auth::huawei::HuaweiDevice::new(host, device_id, secret).check_timestamp(check_timestamp);
    let url = d.url().py_err(py)?;
    Ok((d, Some(url)))
}

/// Huawei Cloud IoTDA credentials (device secret HMAC, hour of `now` in UTC).
#[pyfunction]
#[pyo3(signature = (host, device_id, secret, *, check_timestamp=false, now=None))]
pub(crate) fn huawei_credentials(
    py: Python<'_>,
    host: String,
    device_id: String,
    secret: String,
    check_timestamp: bool,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<Credentials> {
    let (d, _) = huawei_device(py, host, device_id, secret, check_timestamp)?;
    let inner = d.credentials(wall_time(now)?).py_err(py)?;
    Ok(Credentials { inner })
}

/// A Huawei Cloud IoTDA device, for `Client(credentials=...)`.
#[pyclass(module = "mqttws.auth", extends = Platform, frozen)]
pub(crate) struct HuaweiDevice;

#[pymethods]
impl HuaweiDevice {
    #[new]
    #[pyo3(signature = (host, device_id, secret, *, check_timestamp=false))]
    fn new(
        py: Python<'_>,
        host: String,
        device_id: String,
        secret: String,
        check_timestamp: bool,
    ) -> PyResult<PyClassInitializer<Self>> {
        let (d, url) = huawei_device(py, host, device_id, secret, check_timestamp)?;
        Ok(PyClassInitializer::from(Platform::new(py, d, url, "HuaweiDevice")?).add_subclass(Self))
    }
}

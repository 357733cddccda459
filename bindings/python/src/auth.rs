//! `mqttws.auth`: the core's platform signers for Python.
//!
//! Each platform is one *device* class, `TencentDevice(...)`, ...,
//! subclass of [`Platform`]: it wraps the core's credential provider, knows
//! the endpoint URL (the core's `CredentialProvider::url`) and is passed as
//! `Client(credentials=...)` so that the client signs afresh at every
//! `connect()`. Its keyword arguments default to `None`, which leaves the
//! core's default in place (no default is restated here).
//!
//! The one-shot functions (`tencent_credentials(...)`, ...) are thin
//! wrappers in `mqttws/auth.py`: `Device(*args, **kwargs).credentials(now)`
//! through [`credentials_once`], which builds the device without the
//! constructor's check at the current time (a vector signed for a `now` in
//! the past must not be refused because it expired since).
//!
//! Secrets stay in Rust: no getter returns a PSK, device secret or key, and
//! every `repr()` prints `<redacted>` in their place. A device's repr is the
//! Python call that made it, with the arguments that were given (defaults
//! are the core's, so they are not restated): `TencentDevice('ABCDEFGHIJ',
//! 'dev001', psk=<redacted>, method='hmacsha1')`.

use std::cell::Cell;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use mqttws::auth::{self, CredentialProvider, Scheme};
use mqttws::{Result as CoreResult, WsUrl};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDelta, PyDeltaAccess, PyDict, PyList, PyString, PyTuple, PyType};

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
            Some(h) => crate::convert::pairs("headers", h)?,
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

thread_local! {
    /// Set by [`credentials_once`] around the device constructor it calls:
    /// that device signs for a `now` of the caller's, not for the current
    /// time, so [`Platform::new`] leaves the checking to that signing.
    static SIGNING_ONCE: Cell<bool> = const { Cell::new(false) };
}

/// Base class of the device classes: signs credentials for each connection
/// attempt and knows the endpoint URL.
#[pyclass(module = "mqttws.auth", subclass, frozen)]
pub(crate) struct Platform {
    provider: Arc<dyn CredentialProvider>,
    repr: String,
}

impl Platform {
    /// Wraps a core provider; unless a one-shot function builds it, checks
    /// it now by signing for the current time, rather than at `connect()`.
    fn new<P: CredentialProvider + 'static>(
        py: Python<'_>,
        provider: P,
        repr: String,
    ) -> PyResult<Self> {
        if !SIGNING_ONCE.get() {
            provider.credentials(SystemTime::now()).py_err(py)?;
        }
        Ok(Self {
            provider: Arc::new(provider),
            repr,
        })
    }

    /// Wraps a core provider as an instance of the device class `D`, shown
    /// by `repr`.
    fn device<D: pyo3::PyClass<BaseType = Platform> + Default, P>(
        py: Python<'_>,
        provider: P,
        repr: Repr<'_>,
    ) -> PyResult<PyClassInitializer<D>>
    where
        P: CredentialProvider + 'static,
    {
        let platform = Self::new(py, provider, repr.finish())?;
        Ok(PyClassInitializer::from(platform).add_subclass(D::default()))
    }
}

/// A device's repr: the call that made it, with the arguments given and
/// every secret as `<redacted>`.
pub(crate) struct Repr<'py> {
    py: Python<'py>,
    out: String,
    first: bool,
}

impl<'py> Repr<'py> {
    fn new(py: Python<'py>, class: &str) -> Self {
        Self {
            py,
            out: format!("{class}("),
            first: true,
        }
    }

    fn push(&mut self, name: Option<&str>, value: &str) {
        if !self.first {
            self.out.push_str(", ");
        }
        self.first = false;
        if let Some(n) = name {
            self.out.push_str(n);
            self.out.push('=');
        }
        self.out.push_str(value);
    }

    /// A positional text argument.
    fn pos(mut self, value: &str) -> PyResult<Self> {
        let r = py_repr(self.py, Some(value))?;
        self.push(None, &r);
        Ok(self)
    }

    /// A keyword text argument, if given.
    fn text(mut self, name: &str, value: Option<&str>) -> PyResult<Self> {
        if let Some(v) = value {
            let r = py_repr(self.py, Some(v))?;
            self.push(Some(name), &r);
        }
        Ok(self)
    }

    /// A keyword argument of any type, if given, as Python shows it.
    fn any(mut self, name: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        if let Some(v) = value.filter(|v| !v.is_none()) {
            let r = v.repr()?.to_cow()?.into_owned();
            self.push(Some(name), &r);
        }
        Ok(self)
    }

    /// A number or flag, if given (flags: when not at their default).
    fn value(mut self, name: &str, value: Option<impl std::fmt::Display>) -> Self {
        if let Some(v) = value {
            self.push(Some(name), &v.to_string());
        }
        self
    }

    /// A flag shown when it differs from its default.
    fn flag(self, name: &str, value: bool, default: bool) -> Self {
        let shown = (value != default).then_some(if value { "True" } else { "False" });
        self.value(name, shown)
    }

    /// A secret: only whether it was given.
    fn secret(mut self, name: &str, given: bool) -> Self {
        if given {
            self.push(Some(name), "<redacted>");
        }
        self
    }

    fn finish(mut self) -> String {
        self.out.push(')');
        self.out
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
                url: p.provider.url().ok(),
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

    /// The platform endpoint URL (for AWS, before signing), or None when
    /// the device has none (an Alibaba device without region or instance).
    #[getter]
    fn url(&self) -> Option<String> {
        self.provider.url().ok()
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

/// `device(*args, **kwargs).credentials(now)` without the constructor's
/// check at the current time: what the `*_credentials` functions of
/// `mqttws/auth.py` call.
#[pyfunction]
#[pyo3(name = "_credentials_once", signature = (device, args, kwargs, now=None))]
pub(crate) fn credentials_once(
    device: &Bound<'_, PyType>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<Credentials> {
    let py = device.py();
    if !device.is_subclass_of::<Platform>()? {
        return Err(PyTypeError::new_err(format!(
            "device must be a mqttws.auth device class, not {}",
            device.name()?
        )));
    }
    let was = SIGNING_ONCE.replace(true);
    let made = device.call(args, kwargs);
    SIGNING_ONCE.set(was);
    made?.cast::<Platform>()?.get().credentials(py, now)
}

fn scheme(secure: bool) -> Scheme {
    if secure { Scheme::Wss } else { Scheme::Ws }
}

/// A whole number of seconds, at least 1.
fn whole_seconds(py: Python<'_>, what: &str, value: f64) -> PyResult<Duration> {
    let d = convert::seconds(py, what, value)?;
    if d.as_secs() == 0 {
        return Err(invalid(py, format!("{what} must be at least 1 second")));
    }
    Ok(Duration::from_secs(d.as_secs()))
}

// ---------------------------------------------------------------- Tencent

/// The key of a Tencent device: exactly one of the three arguments.
fn tencent_key(
    py: Python<'_>,
    product_id: String,
    device_name: String,
    psk: Option<String>,
    private_key: Option<&Bound<'_, PyAny>>,
    private_key_file: Option<&Bound<'_, PyAny>>,
) -> PyResult<auth::tencent::TencentDevice> {
    use auth::tencent::TencentDevice;
    let private_key = private_key.filter(|k| !k.is_none());
    let private_key_file = private_key_file.filter(|k| !k.is_none());
    match (psk, private_key, private_key_file) {
        (Some(psk), None, None) => Ok(TencentDevice::with_psk(product_id, device_name, psk)),
        (None, Some(pem), None) => {
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
            Ok(TencentDevice::with_private_key_pem(
                product_id,
                device_name,
                pem,
            ))
        }
        (None, None, Some(file)) => Ok(TencentDevice::with_private_key_file(
            product_id,
            device_name,
            convert::path("private_key_file", file)?,
        )),
        _ => Err(invalid(
            py,
            "give exactly one of psk, private_key and private_key_file",
        )),
    }
}

/// The `expiry` argument: a UNIX time, a timedelta or "never".
fn tencent_expiry(py: Python<'_>, e: &Bound<'_, PyAny>) -> PyResult<auth::tencent::Expiry> {
    use auth::tencent::Expiry;
    if let Ok(s) = e.cast::<PyString>() {
        if s.to_cow()? != "never" {
            return Err(invalid(
                py,
                "expiry must be a UNIX time, a timedelta, \"never\" or None",
            ));
        }
        Ok(Expiry::Never)
    } else if let Ok(d) = e.cast::<PyDelta>() {
        let secs = i64::from(d.get_days()) * 86_400 + i64::from(d.get_seconds());
        if secs <= 0 {
            return Err(invalid(py, "an expiry timedelta must be at least 1 second"));
        }
        Ok(Expiry::Ttl(Duration::from_secs(secs.unsigned_abs())))
    } else if let Ok(at) = e.extract::<i64>() {
        let at =
            u64::try_from(at).map_err(|_| invalid(py, "expiry must be a positive UNIX time"))?;
        Ok(Expiry::At(at))
    } else {
        Err(PyTypeError::new_err(format!(
            "expiry must be an int UNIX time, a datetime.timedelta, \"never\" or None, not {}",
            type_name(e)
        )))
    }
}

/// A Tencent IoT Hub / IoT Explorer device (HMAC with the device PSK, or
/// RSA-SHA256 with the device private key), for `Client(credentials=...)`.
#[pyclass(module = "mqttws.auth", extends = Platform, frozen)]
#[derive(Default)]
pub(crate) struct TencentDevice;

#[pymethods]
impl TencentDevice {
    #[new]
    #[pyo3(signature = (product_id, device_name, psk=None, *, method=None, connid=None, expiry=None,
        sdkappid=None, private_key=None, private_key_file=None, region=None, secure=true))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        product_id: String,
        device_name: String,
        psk: Option<String>,
        method: Option<&str>,
        connid: Option<String>,
        expiry: Option<&Bound<'_, PyAny>>,
        sdkappid: Option<String>,
        private_key: Option<&Bound<'_, PyAny>>,
        private_key_file: Option<&Bound<'_, PyAny>>,
        region: Option<String>,
        secure: bool,
    ) -> PyResult<PyClassInitializer<Self>> {
        let repr = Repr::new(py, "TencentDevice")
            .pos(&product_id)?
            .pos(&device_name)?
            .secret("psk", psk.is_some())
            .text("method", method)?
            .text("connid", connid.as_deref())?
            .any("expiry", expiry)?
            .text("sdkappid", sdkappid.as_deref())?
            .secret("private_key", private_key.is_some_and(|k| !k.is_none()))
            .any("private_key_file", private_key_file)?
            .text("region", region.as_deref())?
            .flag("secure", secure, true);
        let mut d = tencent_key(
            py,
            product_id,
            device_name,
            psk,
            private_key,
            private_key_file,
        )?
        .scheme(scheme(secure));
        if let Some(m) = method {
            d = d.sign_method(m.parse().py_err(py)?);
        }
        if let Some(e) = expiry.filter(|e| !e.is_none()) {
            d = d.expiry(tencent_expiry(py, e)?);
        }
        if let Some(c) = connid {
            d = d.connid(c);
        }
        if let Some(a) = sdkappid {
            d = d.sdkappid(a);
        }
        if let Some(r) = region {
            d = d.region(r);
        }
        Platform::device(py, d, repr)
    }
}

// ---------------------------------------------------------------- Alibaba

/// The `timestamp` argument: milliseconds, "now" or "omit".
fn aliyun_timestamp(py: Python<'_>, t: &Bound<'_, PyAny>) -> PyResult<auth::aliyun::Timestamp> {
    use auth::aliyun::Timestamp;
    if let Ok(s) = t.cast::<PyString>() {
        match s.to_cow()?.as_ref() {
            "now" => Ok(Timestamp::Now),
            "omit" => Ok(Timestamp::Omit),
            _ => Err(invalid(
                py,
                "timestamp must be milliseconds, \"now\", \"omit\" or None",
            )),
        }
    } else if let Ok(ms) = t.extract::<i64>() {
        let ms = u64::try_from(ms).map_err(|_| invalid(py, "timestamp must not be negative"))?;
        Ok(Timestamp::Fixed(ms))
    } else {
        Err(PyTypeError::new_err(format!(
            "timestamp must be an int (milliseconds), \"now\", \"omit\" or None, not {}",
            type_name(t)
        )))
    }
}

/// An Alibaba Cloud IoT Platform device (device secret HMAC), for
/// `Client(credentials=...)`; `secure` selects securemode 2 (wss) or 3 (ws).
#[pyclass(module = "mqttws.auth", extends = Platform, frozen)]
#[derive(Default)]
pub(crate) struct AliyunDevice;

#[pymethods]
impl AliyunDevice {
    #[new]
    #[pyo3(signature = (product_key, device_name, device_secret, *, region=None, instance=None, client_id=None,
        timestamp=None, method=None, secure=true, lowercase_hex=false))]
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
        method: Option<&str>,
        secure: bool,
        lowercase_hex: bool,
    ) -> PyResult<PyClassInitializer<Self>> {
        let repr = Repr::new(py, "AliyunDevice")
            .pos(&product_key)?
            .pos(&device_name)?
            .secret("device_secret", true)
            .text("region", region.as_deref())?
            .text("instance", instance.as_deref())?
            .text("client_id", client_id.as_deref())?
            .any("timestamp", timestamp)?
            .text("method", method)?
            .flag("secure", secure, true)
            .flag("lowercase_hex", lowercase_hex, false);
        let mut d = auth::aliyun::AliyunDevice::new(product_key, device_name, device_secret)
            .scheme(scheme(secure))
            .lowercase_hex(lowercase_hex);
        if let Some(m) = method {
            d = d.sign_method(m.parse().py_err(py)?);
        }
        if let Some(id) = client_id {
            d = d.client_id(id);
        }
        if let Some(t) = timestamp.filter(|t| !t.is_none()) {
            d = d.timestamp(aliyun_timestamp(py, t)?);
        }
        match (region, instance) {
            (Some(_), Some(_)) => return Err(invalid(py, "give region or instance, not both")),
            (Some(r), None) => d = d.region(r),
            (None, Some(i)) => d = d.instance(i),
            (None, None) => {}
        }
        Platform::device(py, d, repr)
    }
}

// ---------------------------------------------------------------- AWS

/// AWS IoT Core over WSS with SigV4 presigned URLs (IAM or Cognito keys),
/// for `Client(credentials=...)`: each connect presigns afresh; the
/// credentials' `.url` is the presigned URL, there is no user name or
/// password.
#[pyclass(module = "mqttws.auth", extends = Platform, frozen)]
#[derive(Default)]
pub(crate) struct AwsSigV4;

#[pymethods]
impl AwsSigV4 {
    #[new]
    #[pyo3(signature = (host, access_key_id, secret_access_key, *, client_id, region=None, session_token=None,
        expires=None, port=None))]
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
        port: Option<u16>,
    ) -> PyResult<PyClassInitializer<Self>> {
        let repr = Repr::new(py, "AwsSigV4")
            .pos(&host)?
            .pos(&access_key_id)?
            .secret("secret_access_key", true)
            .text("client_id", Some(&client_id))?
            .text("region", region.as_deref())?
            .secret("session_token", session_token.is_some())
            .value("expires", expires)
            .value("port", port);
        let mut s =
            auth::aws::AwsSigV4::new(host, access_key_id, secret_access_key).client_id(client_id);
        if let Some(p) = port {
            s = s.port(p);
        }
        if let Some(r) = region {
            s = s.region(r);
        }
        if let Some(t) = session_token {
            s = s.session_token(t);
        }
        if let Some(e) = expires {
            s = s.expires(whole_seconds(py, "expires", e)?);
        }
        Platform::device(py, s, repr)
    }
}

/// AWS IoT Core over WSS with a custom authorizer, for
/// `Client(credentials=...)`: the credentials' `.url` and, unless
/// `query_string`, `.headers` carry the authorizer parameters.
#[pyclass(module = "mqttws.auth", extends = Platform, frozen)]
#[derive(Default)]
pub(crate) struct AwsCustomAuth;

#[pymethods]
impl AwsCustomAuth {
    #[new]
    #[pyo3(signature = (host, *, client_id, authorizer_name=None, token_key_name=None, token=None,
        token_signature=None, query_string=false, port=None))]
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
        port: Option<u16>,
    ) -> PyResult<PyClassInitializer<Self>> {
        use auth::aws::CustomAuthMode;
        let repr = Repr::new(py, "AwsCustomAuth")
            .pos(&host)?
            .text("client_id", Some(&client_id))?
            .text("authorizer_name", authorizer_name.as_deref())?
            .text("token_key_name", token_key_name.as_deref())?
            .secret("token", token.is_some())
            .secret("token_signature", token_signature.is_some())
            .flag("query_string", query_string, false)
            .value("port", port);
        let mut a = auth::aws::AwsCustomAuth::new(host).client_id(client_id);
        if let Some(p) = port {
            a = a.port(p);
        }
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
        Platform::device(py, a, repr)
    }
}

// ---------------------------------------------------------------- Azure

/// An Azure IoT Hub device (or module) with a symmetric key (SAS token
/// valid `ttl` seconds from the signing time), for `Client(credentials=...)`.
#[pyclass(module = "mqttws.auth", extends = Platform, frozen)]
#[derive(Default)]
pub(crate) struct AzureDevice;

#[pymethods]
impl AzureDevice {
    #[new]
    #[pyo3(signature = (hub, device_id, key, *, module_id=None, key_name=None, ttl=None,
        api_version=None, device_client_type=None, no_client_cert_hint=true))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        hub: String,
        device_id: String,
        key: String,
        module_id: Option<String>,
        key_name: Option<String>,
        ttl: Option<f64>,
        api_version: Option<String>,
        device_client_type: Option<String>,
        no_client_cert_hint: bool,
    ) -> PyResult<PyClassInitializer<Self>> {
        let repr = Repr::new(py, "AzureDevice")
            .pos(&hub)?
            .pos(&device_id)?
            .secret("key", true)
            .text("module_id", module_id.as_deref())?
            .text("key_name", key_name.as_deref())?
            .value("ttl", ttl)
            .text("api_version", api_version.as_deref())?
            .text("device_client_type", device_client_type.as_deref())?
            .flag("no_client_cert_hint", no_client_cert_hint, true);
        let mut d = auth::azure::AzureDevice::new(hub, device_id, key)
            .no_client_cert_hint(no_client_cert_hint);
        if let Some(t) = ttl {
            d = d.sas_ttl(whole_seconds(py, "ttl", t)?);
        }
        if let Some(v) = api_version {
            d = d.api_version(v);
        }
        if let Some(m) = module_id {
            d = d.module_id(m);
        }
        if let Some(n) = key_name {
            d = d.shared_access_key_name(n);
        }
        if let Some(t) = device_client_type {
            d = d.device_client_type(t);
        }
        Platform::device(py, d, repr)
    }
}

// ---------------------------------------------------------------- Huawei

/// A Huawei Cloud IoTDA device (device secret HMAC keyed with the UTC
/// hour), for `Client(credentials=...)`.
#[pyclass(module = "mqttws.auth", extends = Platform, frozen)]
#[derive(Default)]
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
        let repr = Repr::new(py, "HuaweiDevice")
            .pos(&host)?
            .pos(&device_id)?
            .secret("secret", true)
            .flag("check_timestamp", check_timestamp, false);
        let d = auth::huawei::HuaweiDevice::new(host, device_id, secret)
            .check_timestamp(check_timestamp);
        Platform::device(py, d, repr)
    }
}

//! Cloud platform credentials: one device (or signer) object per platform.
//!
//! Every platform object follows the same pattern:
//!
//! * `mqttws_<platform>_..._new(..., &device)` creates it from the identity
//!   and secret; `_set_*` setters adjust it; `_free` frees it.
//! * `_credentials(device, unix_time, &credentials, &err)` computes the
//!   client id, user name, password (and for AWS the URL and headers) for a
//!   given wall-clock time, into an owned `mqttws_credentials`.
//! * `_attach(device, builder)` makes a copy of the device the options'
//!   credential provider: the client then signs afresh at every
//!   `mqttws_client_connect`, with the current time, and checks the
//!   keepalive against the platform's range.
//! * `_url(device, buf, len, &n, &err)` gives the platform endpoint URL
//!   (AWS SigV4: `_presigned_url`, which needs the time).
//!
//! Secrets (keys, PSKs, tokens) are copied into the object and never
//! appear in error messages.

use std::ffi::c_char;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mqttws_core::auth::aliyun::{self, AliyunDevice};
use mqttws_core::auth::aws::{AwsCustomAuth, AwsSigV4, CustomAuthMode};
use mqttws_core::auth::azure::AzureDevice;
use mqttws_core::auth::huawei::HuaweiDevice;
use mqttws_core::auth::tencent::{self, TencentDevice};
use mqttws_core::auth::{CredentialProvider, Credentials, Scheme};

use crate::error::{Failure, mqttws_error, mqttws_result, report};
use crate::ffi::{
    Castable, OwnershipBox, bytes, cstr, free_box, obj, obj_mut, out, path, run, to_boxed_mut_ptr,
};
use crate::options::{Builder, mqttws_options_builder};
use crate::slice::{copy_text, mqttws_str, nul_terminated};

/// `ws://`: WebSocket over plain TCP (a `scheme` parameter value).
pub const MQTTWS_SCHEME_WS: u32 = 0;
/// `wss://`: WebSocket over TLS (a `scheme` parameter value; the default).
pub const MQTTWS_SCHEME_WSS: u32 = 1;
/// AWS custom authorizer parameters as WebSocket upgrade headers (default).
pub const MQTTWS_AWS_CUSTOM_AUTH_HEADERS: u32 = 0;
/// AWS custom authorizer parameters in the URL query string.
pub const MQTTWS_AWS_CUSTOM_AUTH_QUERY_STRING: u32 = 1;

// ---------------------------------------------------------------------------
// Shared plumbing

fn scheme(value: u32) -> Result<Scheme, Failure> {
    match value {
        MQTTWS_SCHEME_WS => Ok(Scheme::Ws),
        MQTTWS_SCHEME_WSS => Ok(Scheme::Wss),
        _ => Err(Failure::invalid(
            "scheme",
            format_args!("is {value}; use MQTTWS_SCHEME_WS or MQTTWS_SCHEME_WSS"),
        )),
    }
}

fn system_time(unix_time: u64) -> Result<SystemTime, Failure> {
    UNIX_EPOCH
        .checked_add(Duration::from_secs(unix_time))
        .ok_or_else(|| Failure::invalid("unix_time", "is out of range"))
}

/// Writes a newly created device to `device_out`.
///
/// # Safety
///
/// `device_out` is NULL or writable.
unsafe fn create<C>(
    device_out: *mut *mut C,
    make: impl FnOnce() -> Result<C::RustType, Failure>,
) -> mqttws_result
where
    C: Castable<Ownership = OwnershipBox>,
{
    run(|| {
        // SAFETY: per this function's contract.
        let o = unsafe { out(device_out, "device_out") }?;
        o.write(to_boxed_mut_ptr::<C>(make()?));
        Ok(())
    })
}

/// Replaces the value behind `device` with `f(copy of it)`.
///
/// # Safety
///
/// `device` is NULL or a live handle used by no other thread.
unsafe fn set<C>(
    device: *mut C,
    f: impl FnOnce(C::RustType) -> Result<C::RustType, Failure>,
) -> mqttws_result
where
    C: Castable<Ownership = OwnershipBox>,
    C::RustType: Clone,
{
    run(|| {
        // SAFETY: per this function's contract.
        let d = unsafe { obj_mut(device, "device") }?;
        *d = f(d.clone())?;
        Ok(())
    })
}

/// Computes credentials at `unix_time` into a new `mqttws_credentials`.
///
/// # Safety
///
/// `device` is NULL or live; `credentials_out` and `err_out` are NULL or
/// writable.
unsafe fn credentials_of<C>(
    device: *const C,
    unix_time: u64,
    credentials_out: *mut *mut mqttws_credentials,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result
where
    C: Castable,
    C::RustType: CredentialProvider,
{
    let result = (|| {
        // SAFETY: per this function's contract.
        let (d, o) = unsafe {
            (
                obj(device, "device")?,
                out(credentials_out, "credentials_out")?,
            )
        };
        let c = d
            .credentials(system_time(unix_time)?)
            .map_err(Failure::from)?;
        o.write(to_boxed_mut_ptr::<mqttws_credentials>(
            CredentialsOut::from(c),
        ));
        Ok(())
    })();
    match result {
        Ok(()) => mqttws_result::MQTTWS_OK,
        // SAFETY: per this function's contract.
        Err(f) => unsafe { report(f, err_out) },
    }
}

/// Makes a copy of `device` the credential provider of `builder`.
///
/// # Safety
///
/// `device` is NULL or live; `builder` is NULL or a live builder used by no
/// other thread.
unsafe fn attach<C>(device: *const C, builder: *mut mqttws_options_builder) -> mqttws_result
where
    C: Castable,
    C::RustType: CredentialProvider + Clone + 'static,
{
    run(|| {
        // SAFETY: per this function's contract.
        let (d, b) = unsafe {
            (
                obj(device, "device")?,
                obj_mut::<mqttws_options_builder>(builder, "builder")?,
            )
        };
        let b: &mut Builder = b;
        b.set_provider(Arc::new(d.clone()));
        Ok(())
    })
}

/// Copies a computed text (a URL) into a caller buffer.
///
/// # Safety
///
/// `device` is NULL or live; `buf` NULL or writable for `len` bytes;
/// `out_n` and `err_out` NULL or writable.
unsafe fn text_of<C: Castable>(
    device: *const C,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut mqttws_error,
    compute: impl FnOnce(&C::RustType) -> mqttws_core::Result<String>,
) -> mqttws_result {
    let result = (|| {
        // SAFETY: per this function's contract.
        let d = unsafe { obj(device, "device") }?;
        if out_n.is_null() {
            return Err(Failure::null("out_n"));
        }
        if buf.is_null() && len > 0 {
            return Err(Failure::null("buf"));
        }
        let text = compute(d).map_err(Failure::from)?;
        // SAFETY: checked and writable per this function's contract.
        match unsafe { copy_text(&text, buf, len, out_n) } {
            mqttws_result::MQTTWS_OK => Ok(()),
            code => Err(Failure::new(
                code,
                format!(
                    "the buffer of {len} bytes is too small; {} are needed",
                    text.len() + 1
                ),
            )),
        }
    })();
    match result {
        Ok(()) => mqttws_result::MQTTWS_OK,
        // SAFETY: per this function's contract.
        Err(f) => unsafe { report(f, err_out) },
    }
}

// ---------------------------------------------------------------------------
// mqttws_credentials

/// Credentials computed for one connection attempt: client id, user name,
/// password, and (AWS) a URL and upgrade headers.
///
/// Ownership: created by a `mqttws_*_credentials` function, freed with
/// `mqttws_credentials_free`; the views its accessors return are valid
/// until then. Threading: immutable; may be read from several threads.
pub struct mqttws_credentials {
    _private: [u8; 0],
}

/// The Rust value behind `mqttws_credentials`: every text NUL-terminated.
pub(crate) struct CredentialsOut {
    client_id: Box<[u8]>,
    username: Option<Box<[u8]>>,
    password: Option<Box<[u8]>>,
    url: Option<Box<[u8]>>,
    headers: Vec<Header>,
}

/// A header name and value, each NUL-terminated.
type Header = (Box<[u8]>, Box<[u8]>);

impl From<Credentials> for CredentialsOut {
    fn from(c: Credentials) -> Self {
        let t = |s: &str| nul_terminated(s);
        Self {
            client_id: t(&c.client_id),
            username: c.username.as_deref().map(t),
            password: c.password.as_deref().map(t),
            url: c.url.as_deref().map(t),
            headers: c.headers.iter().map(|(k, v)| (t(k), t(v))).collect(),
        }
    }
}

impl Castable for mqttws_credentials {
    type Ownership = OwnershipBox;
    type RustType = CredentialsOut;
}

fn view(field: Option<&[u8]>) -> mqttws_str {
    field.map_or(mqttws_str::NONE, mqttws_str::of_nul_terminated)
}

/// The MQTT client id. Borrowed (valid until `mqttws_credentials_free`),
/// NUL-terminated. NULL `credentials`: a view with `data` NULL.
/// Thread-safe (credentials are immutable).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_credentials_client_id(
    credentials: *const mqttws_credentials,
) -> mqttws_str {
    ffi_panic_boundary! {
        // SAFETY: NULL or live credentials (header contract).
        unsafe { obj(credentials, "credentials") }.map_or(mqttws_str::NONE, |c| view(Some(&c.client_id)))
    }
}

/// The MQTT user name, or a view with `data` NULL if there is none (or
/// `credentials` is NULL). Borrowed (valid until `mqttws_credentials_free`),
/// NUL-terminated. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_credentials_username(
    credentials: *const mqttws_credentials,
) -> mqttws_str {
    ffi_panic_boundary! {
        // SAFETY: NULL or live credentials (header contract).
        unsafe { obj(credentials, "credentials") }.map_or(mqttws_str::NONE, |c| view(c.username.as_deref()))
    }
}

/// The MQTT password (a secret: do not log it), or a view with `data` NULL
/// if there is none (or `credentials` is NULL). Borrowed (valid until
/// `mqttws_credentials_free`), NUL-terminated. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_credentials_password(
    credentials: *const mqttws_credentials,
) -> mqttws_str {
    ffi_panic_boundary! {
        // SAFETY: NULL or live credentials (header contract).
        unsafe { obj(credentials, "credentials") }.map_or(mqttws_str::NONE, |c| view(c.password.as_deref()))
    }
}

/// The URL that replaces the configured one for this attempt (AWS: the
/// presigned or custom-authorizer URL), or a view with `data` NULL if the
/// configured URL stays (or `credentials` is NULL). Borrowed (valid until
/// `mqttws_credentials_free`), NUL-terminated. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_credentials_url(
    credentials: *const mqttws_credentials,
) -> mqttws_str {
    ffi_panic_boundary! {
        // SAFETY: NULL or live credentials (header contract).
        unsafe { obj(credentials, "credentials") }.map_or(mqttws_str::NONE, |c| view(c.url.as_deref()))
    }
}

/// The number of extra WebSocket upgrade headers (AWS custom authorizer).
/// NULL `credentials`: 0. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_credentials_header_count(
    credentials: *const mqttws_credentials,
) -> usize {
    ffi_panic_boundary! {
        // SAFETY: NULL or live credentials (header contract).
        unsafe { obj(credentials, "credentials") }.map_or(0, |c| c.headers.len())
    }
}

/// The header at `index` (0 to count - 1): its name and value, borrowed
/// (valid until `mqttws_credentials_free`), NUL-terminated.
///
/// NULL `credentials`, `name_out` or `value_out`: `MQTTWS_NULL_PARAMETER`;
/// `index` out of range: `MQTTWS_INVALID_PARAMETER`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_credentials_header(
    credentials: *const mqttws_credentials,
    index: usize,
    name_out: *mut mqttws_str,
    value_out: *mut mqttws_str,
) -> mqttws_result {
    ffi_panic_boundary! {
        run(|| {
            // SAFETY: NULL or live credentials, NULL or writable outputs (header contract).
            let (c, name_out, value_out) = unsafe {
                (obj(credentials, "credentials")?, out(name_out, "name_out")?, out(value_out, "value_out")?)
            };
            let (k, v) = c.headers.get(index).ok_or_else(|| Failure::invalid("index", "is out of range"))?;
            name_out.write(mqttws_str::of_nul_terminated(k));
            value_out.write(mqttws_str::of_nul_terminated(v));
            Ok(())
        })
    }
}

/// Frees credentials and the views they handed out. NULL is a no-op. Must
/// not be called twice, nor while another thread reads them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_credentials_free(credentials: *mut mqttws_credentials) {
    ffi_panic_boundary! {
        // SAFETY: NULL or live credentials (header contract).
        unsafe { free_box(credentials) }
    }
}

// ---------------------------------------------------------------------------
// Tencent IoT Hub / IoT Explorer

/// A Tencent IoT Hub / IoT Explorer device. Client id
/// `{product_id}{device_name}`; user name
/// `{client_id};{sdkappid};{connid};{expiry}`; password an HMAC (key
/// devices) or RSA-SHA256 (certificate devices) signature of the user name.
/// Defaults: region ap-guangzhou, wss://, HMAC-SHA256, expiry one hour
/// after the signing time, random connid, keepalive range 0..900 s.
///
/// Ownership: created by a `mqttws_tencent_device_new_*` function, freed
/// with `mqttws_tencent_device_free`. Threading: setters one thread at a
/// time; `_url`, `_credentials` and `_attach` do not modify the device.
pub struct mqttws_tencent_device {
    _private: [u8; 0],
}

impl Castable for mqttws_tencent_device {
    type Ownership = OwnershipBox;
    type RustType = TencentDevice;
}

/// Creates a key (PSK) device. `psk_base64` is the device key exactly as
/// the console shows it (base64; decoded when signing).
///
/// All strings (UTF-8) are copied. On success `*device_out` receives a
/// device the caller frees with `mqttws_tencent_device_free`. NULL
/// parameter: `MQTTWS_NULL_PARAMETER`; not UTF-8:
/// `MQTTWS_INVALID_PARAMETER`. Values are checked when signing.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_new_psk(
    product_id: *const c_char,
    device_name: *const c_char,
    psk_base64: *const c_char,
    device_out: *mut *mut mqttws_tencent_device,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: strings and out-pointer as documented (header contract).
        unsafe {
            create(device_out, || {
                Ok(TencentDevice::with_psk(
                    cstr(product_id, "product_id")?,
                    cstr(device_name, "device_name")?,
                    cstr(psk_base64, "psk_base64")?,
                ))
            })
        }
    }
}

/// Creates a certificate device whose RSA private key (PEM, PKCS#1 or
/// PKCS#8, unencrypted) is given as `pem_len` bytes; the password is then
/// an RSA-SHA256 signature, as Tencent's SDKs send over WebSocket.
///
/// Strings and the key are copied. NULL parameter (or `pem_len` 0):
/// `MQTTWS_NULL_PARAMETER` / `MQTTWS_INVALID_PARAMETER`. On success
/// `*device_out` receives a device to free with
/// `mqttws_tencent_device_free`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_new_private_key_pem(
    product_id: *const c_char,
    device_name: *const c_char,
    pem: *const u8,
    pem_len: usize,
    device_out: *mut *mut mqttws_tencent_device,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and length as documented (header contract).
        unsafe {
            create(device_out, || {
                let product_id = cstr(product_id, "product_id")?;
                let device_name = cstr(device_name, "device_name")?;
                if pem.is_null() {
                    return Err(Failure::null("pem"));
                }
                let pem = bytes(pem, pem_len, "pem")?;
                if pem.is_empty() {
                    return Err(Failure::invalid("pem", "is empty"));
                }
                Ok(TencentDevice::with_private_key_pem(product_id, device_name, pem.to_vec()))
            })
        }
    }
}

/// Creates a certificate device whose RSA private key PEM is in the file
/// `key_path`, read at every signing (so a rotated key is picked up).
///
/// Strings are copied. NULL parameter: `MQTTWS_NULL_PARAMETER`. On success
/// `*device_out` receives a device to free with
/// `mqttws_tencent_device_free`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_new_private_key_file(
    product_id: *const c_char,
    device_name: *const c_char,
    key_path: *const c_char,
    device_out: *mut *mut mqttws_tencent_device,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: strings and out-pointer as documented (header contract).
        unsafe {
            create(device_out, || {
                Ok(TencentDevice::with_private_key_file(
                    cstr(product_id, "product_id")?,
                    cstr(device_name, "device_name")?,
                    path(key_path, "key_path")?.to_owned(),
                ))
            })
        }
    }
}

/// Sets the HMAC of a key device: `"hmacsha1"` or `"hmacsha256"` (the
/// default). On a certificate device, signing then fails.
///
/// NULL `device` or `method`: `MQTTWS_NULL_PARAMETER`; an unknown name:
/// `MQTTWS_INVALID_ARGUMENT`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_set_sign_method(
    device: *mut mqttws_tencent_device,
    method: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            set(device, |d| {
                let m: tencent::SignMethod = cstr(method, "method")?.parse().map_err(Failure::from)?;
                Ok(d.sign_method(m))
            })
        }
    }
}

/// Sets the region, the second label of the endpoint host: e.g.
/// `"ap-guangzhou"` (default), `"us-east"`, `"europe"`, `"ap-bangkok"`.
///
/// `region` is copied. NULL `device` or `region`: `MQTTWS_NULL_PARAMETER`.
/// One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_set_region(
    device: *mut mqttws_tencent_device,
    region: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(device, |d| Ok(d.region(cstr(region, "region")?))) }
    }
}

/// Sets the scheme of `mqttws_tencent_device_url`: `MQTTWS_SCHEME_WSS`
/// (default, port 443) or `MQTTWS_SCHEME_WS` (port 80).
///
/// NULL `device`: `MQTTWS_NULL_PARAMETER`; another value:
/// `MQTTWS_INVALID_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_set_scheme(
    device: *mut mqttws_tencent_device,
    scheme: u32,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe { set(device, |d| Ok(d.scheme(self::scheme(scheme)?))) }
    }
}

/// Makes the signature expire `seconds` after the signing time (the
/// default is 3600). Signing then needs a wall clock after 2015.
///
/// NULL `device`: `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_set_expiry_ttl(
    device: *mut mqttws_tencent_device,
    seconds: u64,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe { set(device, |d| Ok(d.expiry(tencent::Expiry::Ttl(Duration::from_secs(seconds))))) }
    }
}

/// Makes the signature expire at this UNIX time (seconds), which must be
/// after the signing time.
///
/// NULL `device`: `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_set_expiry_at(
    device: *mut mqttws_tencent_device,
    unix_time: u64,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe { set(device, |d| Ok(d.expiry(tencent::Expiry::At(unix_time)))) }
    }
}

/// Makes the signature never expire (expiry 2147483647, as the SDKs do for
/// devices without a trustworthy clock).
///
/// NULL `device`: `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_set_expiry_never(
    device: *mut mqttws_tencent_device,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe { set(device, |d| Ok(d.expiry(tencent::Expiry::Never))) }
    }
}

/// Fixes the connid field (ASCII letters and digits) instead of 5 random
/// characters per attempt. Meant for tests.
///
/// `connid` is copied. NULL `device` or `connid`: `MQTTWS_NULL_PARAMETER`.
/// One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_set_connid(
    device: *mut mqttws_tencent_device,
    connid: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(device, |d| Ok(d.connid(cstr(connid, "connid")?))) }
    }
}

/// Sets the sdkappid field of the user name (default "12010126").
///
/// `sdkappid` is copied. NULL `device` or `sdkappid`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_set_sdkappid(
    device: *mut mqttws_tencent_device,
    sdkappid: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(device, |d| Ok(d.sdkappid(cstr(sdkappid, "sdkappid")?))) }
    }
}

/// Copies the endpoint URL, e.g.
/// `wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt`, into
/// `buf` (NUL-terminated) and its length into `*out_n`.
///
/// NULL `device` or `out_n`, or NULL `buf` with `len` > 0:
/// `MQTTWS_NULL_PARAMETER`. If `len` is too small, nothing is copied,
/// `*out_n` receives the size needed (with the NUL) and the result is
/// `MQTTWS_INSUFFICIENT_SIZE`. On failure, if `err_out` is not NULL (it is
/// optional), `*err_out` receives an `mqttws_error` to free. A malformed
/// product id or region: `MQTTWS_INVALID_ARGUMENT`. Does not modify the
/// device; thread-safe with other calls that do not modify it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_url(
    device: *const mqttws_tencent_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { text_of(device, buf, len, out_n, err_out, TencentDevice::url) }
    }
}

/// Computes the credentials for a connection made at `unix_time` (seconds
/// since 1970, e.g. `time(NULL)`).
///
/// On success `*credentials_out` receives credentials the caller frees with
/// `mqttws_credentials_free`. On failure, if `err_out` is not NULL (it is
/// optional), `*err_out` receives an `mqttws_error` to free. NULL `device`
/// or `credentials_out`: `MQTTWS_NULL_PARAMETER`; bad identity, expiry in
/// the past or a clock before 2015: `MQTTWS_INVALID_ARGUMENT`; a PSK that
/// is not base64 or an unusable key: `MQTTWS_AUTH`. Does not modify the
/// device; thread-safe with other calls that do not modify it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_credentials(
    device: *const mqttws_tencent_device,
    unix_time: u64,
    credentials_out: *mut *mut mqttws_credentials,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { credentials_of(device, unix_time, credentials_out, err_out) }
    }
}

/// Attaches a copy of the device to the options builder as its credential
/// provider: every `mqttws_client_connect` then signs afresh with the
/// current time (overriding the builder's client id, user name and
/// password) and checks the keepalive against 0..900 s. The builder's URL
/// is kept: build it from `mqttws_tencent_device_url`.
///
/// `device` is borrowed (later changes to it do not affect the builder);
/// `builder` is modified. NULL `device` or `builder`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_attach(
    device: *const mqttws_tencent_device,
    builder: *mut mqttws_options_builder,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { attach(device, builder) }
    }
}

/// Frees a Tencent device. NULL is a no-op. Must not be called twice, nor while another
/// thread uses it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_free(device: *mut mqttws_tencent_device) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live device (header contract).
        unsafe { free_box(device) }
    }
}

// ---------------------------------------------------------------------------
// Alibaba Cloud IoT Platform

/// An Alibaba Cloud IoT Platform device authenticated by its device secret.
/// Client id `{client_id}|securemode=2,signmethod=...,timestamp=...|`, user
/// name `{device_name}&{product_key}`, password an HMAC of the sorted
/// parameters. Defaults: wss:// (securemode 2), client id
/// `{product_key}.{device_name}`, HMAC-SHA256, timestamp = signing time,
/// upper-case hex, keepalive range 30..1200 s. No default endpoint: set a
/// region or an instance before `mqttws_aliyun_device_url`.
///
/// Ownership: created by `mqttws_aliyun_device_new`, freed with
/// `mqttws_aliyun_device_free`. Threading: setters one thread at a time;
/// `_url`, `_credentials` and `_attach` do not modify the device.
pub struct mqttws_aliyun_device {
    _private: [u8; 0],
}

impl Castable for mqttws_aliyun_device {
    type Ownership = OwnershipBox;
    type RustType = AliyunDevice;
}

/// Creates a device of product `product_key` named `device_name` with its
/// device secret (used as is).
///
/// All strings (UTF-8) are copied. On success `*device_out` receives a
/// device the caller frees with `mqttws_aliyun_device_free`. NULL
/// parameter: `MQTTWS_NULL_PARAMETER`. Values are checked when signing.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_new(
    product_key: *const c_char,
    device_name: *const c_char,
    device_secret: *const c_char,
    device_out: *mut *mut mqttws_aliyun_device,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: strings and out-pointer as documented (header contract).
        unsafe {
            create(device_out, || {
                Ok(AliyunDevice::new(
                    cstr(product_key, "product_key")?,
                    cstr(device_name, "device_name")?,
                    cstr(device_secret, "device_secret")?,
                ))
            })
        }
    }
}

/// Sets the bare client id before the `|...|` parameters (at most 64
/// characters, no `|`; default `{product_key}.{device_name}`).
///
/// `client_id` is copied. NULL `device` or `client_id`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_set_client_id(
    device: *mut mqttws_aliyun_device,
    client_id: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(device, |d| Ok(d.client_id(cstr(client_id, "client_id")?))) }
    }
}

/// Sets the scheme: `MQTTWS_SCHEME_WSS` (default, securemode=2) or
/// `MQTTWS_SCHEME_WS` (securemode=3); both use port 443. It changes both
/// the client id and the URL.
///
/// NULL `device`: `MQTTWS_NULL_PARAMETER`; another value:
/// `MQTTWS_INVALID_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_set_scheme(
    device: *mut mqttws_aliyun_device,
    scheme: u32,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe { set(device, |d| Ok(d.scheme(self::scheme(scheme)?))) }
    }
}

/// Sets the HMAC: `"hmacsha256"` (default), `"hmacsha1"` or `"hmacmd5"`.
///
/// NULL `device` or `method`: `MQTTWS_NULL_PARAMETER`; an unknown name:
/// `MQTTWS_INVALID_ARGUMENT`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_set_sign_method(
    device: *mut mqttws_aliyun_device,
    method: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            set(device, |d| {
                let m: aliyun::SignMethod = cstr(method, "method")?.parse().map_err(Failure::from)?;
                Ok(d.sign_method(m))
            })
        }
    }
}

/// Uses the signing time (milliseconds) as the timestamp parameter (the
/// default).
///
/// NULL `device`: `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_set_timestamp_now(
    device: *mut mqttws_aliyun_device,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe { set(device, |d| Ok(d.timestamp(aliyun::Timestamp::Now))) }
    }
}

/// Uses this fixed timestamp parameter (milliseconds), e.g. 2524608000000
/// as Alibaba's C SDKs send, for devices without a clock.
///
/// NULL `device`: `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_set_timestamp_fixed(
    device: *mut mqttws_aliyun_device,
    timestamp_ms: u64,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe { set(device, |d| Ok(d.timestamp(aliyun::Timestamp::Fixed(timestamp_ms)))) }
    }
}

/// Sends no timestamp parameter (neither in the client id nor signed).
///
/// NULL `device`: `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_set_timestamp_omit(
    device: *mut mqttws_aliyun_device,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe { set(device, |d| Ok(d.timestamp(aliyun::Timestamp::Omit))) }
    }
}

/// Emits the password in lower-case hex instead of upper case (the server
/// accepts both).
///
/// NULL `device`: `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_set_lowercase_hex(
    device: *mut mqttws_aliyun_device,
    lowercase: bool,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe { set(device, |d| Ok(d.lowercase_hex(lowercase))) }
    }
}

/// Connects to the old public instance of a region, e.g. `"cn-shanghai"`:
/// host `{product_key}.iot-as-mqtt.{region_id}.aliyuncs.com`.
///
/// `region_id` is copied. NULL `device` or `region_id`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_set_region(
    device: *mut mqttws_aliyun_device,
    region_id: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(device, |d| Ok(d.region(cstr(region_id, "region_id")?))) }
    }
}

/// Connects to a new public or Enterprise instance, e.g.
/// `"iot-06z00ab1c2d3e4f"`: host `{instance_id}.mqtt.iothub.aliyuncs.com`.
///
/// `instance_id` is copied. NULL `device` or `instance_id`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_set_instance(
    device: *mut mqttws_aliyun_device,
    instance_id: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(device, |d| Ok(d.instance(cstr(instance_id, "instance_id")?))) }
    }
}

/// Copies the endpoint URL (e.g.
/// `wss://a1B2c3D4e5F.iot-as-mqtt.cn-shanghai.aliyuncs.com/`) into `buf`.
///
/// NULL `device` or `out_n`, or NULL `buf` with `len` > 0:
/// `MQTTWS_NULL_PARAMETER`; buffer and `err_out` rules as
/// `mqttws_tencent_device_url`. Does not modify the device; thread-safe
/// with other calls that do not modify it. No region or
/// instance set: `MQTTWS_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_url(
    device: *const mqttws_aliyun_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { text_of(device, buf, len, out_n, err_out, AliyunDevice::url) }
    }
}

/// Computes the credentials for a connection made at `unix_time` (seconds).
///
/// Ownership, NULL handling, errors and threading as
/// `mqttws_tencent_device_credentials`; an empty
/// device secret: `MQTTWS_AUTH`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_credentials(
    device: *const mqttws_aliyun_device,
    unix_time: u64,
    credentials_out: *mut *mut mqttws_credentials,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { credentials_of(device, unix_time, credentials_out, err_out) }
    }
}

/// Attaches a copy of the device to the options builder as its credential
/// provider (signing at every connect; keepalive checked against 30..1200
/// s). The builder's URL is kept: build it from `mqttws_aliyun_device_url`.
///
/// `device` is borrowed; `builder` is modified. NULL `device` or `builder`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_attach(
    device: *const mqttws_aliyun_device,
    builder: *mut mqttws_options_builder,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { attach(device, builder) }
    }
}

/// Frees an Alibaba device. NULL is a no-op. Must not be called twice, nor while another
/// thread uses it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_free(device: *mut mqttws_aliyun_device) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live device (header contract).
        unsafe { free_box(device) }
    }
}

// ---------------------------------------------------------------------------
// AWS IoT Core, SigV4

/// An AWS IoT Core SigV4 presigner (IAM or Cognito credentials): the
/// credentials carry the client id and a presigned
/// `wss://{host}/mqtt?X-Amz-...` URL, no user name or password. Defaults:
/// port 443, region derived from the host, no X-Amz-Expires, keepalive
/// range 1..1200 s.
///
/// Ownership: created by `mqttws_aws_sigv4_new`, freed with
/// `mqttws_aws_sigv4_free`. Threading: setters one thread at a time;
/// `_presigned_url`, `_credentials` and `_attach` do not modify it.
pub struct mqttws_aws_sigv4 {
    _private: [u8; 0],
}

impl Castable for mqttws_aws_sigv4 {
    type Ownership = OwnershipBox;
    type RustType = AwsSigV4;
}

/// Creates a presigner for the endpoint `host` (e.g.
/// `abc123-ats.iot.us-east-1.amazonaws.com`, no scheme or port) with an
/// access key id and its secret.
///
/// All strings are copied. On success `*signer_out` receives a signer the
/// caller frees with `mqttws_aws_sigv4_free`. NULL parameter:
/// `MQTTWS_NULL_PARAMETER`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_new(
    host: *const c_char,
    access_key_id: *const c_char,
    secret_access_key: *const c_char,
    signer_out: *mut *mut mqttws_aws_sigv4,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: strings and out-pointer as documented (header contract).
        unsafe {
            create(signer_out, || {
                Ok(AwsSigV4::new(
                    cstr(host, "host")?,
                    cstr(access_key_id, "access_key_id")?,
                    cstr(secret_access_key, "secret_access_key")?,
                ))
            })
        }
    }
}

/// Sets the MQTT client id (required; the IoT policy must allow it).
///
/// `client_id` is copied. NULL `signer` or `client_id`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per signer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_set_client_id(
    signer: *mut mqttws_aws_sigv4,
    client_id: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(signer, |d| Ok(d.client_id(cstr(client_id, "client_id")?))) }
    }
}

/// Sets the port (default 443; another port is signed as `host:port`).
///
/// NULL `signer`: `MQTTWS_NULL_PARAMETER`. One thread at a time per signer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_set_port(
    signer: *mut mqttws_aws_sigv4,
    port: u16,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe { set(signer, |d| Ok(d.port(port))) }
    }
}

/// Sets the signing region instead of deriving it from the host (needed for
/// custom domains).
///
/// `region` is copied. NULL `signer` or `region`: `MQTTWS_NULL_PARAMETER`.
/// One thread at a time per signer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_set_region(
    signer: *mut mqttws_aws_sigv4,
    region: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(signer, |d| Ok(d.region(cstr(region, "region")?))) }
    }
}

/// Sets the session token of temporary credentials (STS, Cognito),
/// appended to the URL after signing.
///
/// `token` is copied. NULL `signer` or `token`: `MQTTWS_NULL_PARAMETER`.
/// One thread at a time per signer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_set_session_token(
    signer: *mut mqttws_aws_sigv4,
    token: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(signer, |d| Ok(d.session_token(cstr(token, "token")?))) }
    }
}

/// Adds `X-Amz-Expires` (1 to 604800 seconds, checked when signing) to the
/// signed query.
///
/// NULL `signer`: `MQTTWS_NULL_PARAMETER`. One thread at a time per signer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_set_expires(
    signer: *mut mqttws_aws_sigv4,
    seconds: u64,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe { set(signer, |d| Ok(d.expires(Duration::from_secs(seconds)))) }
    }
}

/// Copies the presigned URL for a connection made at `unix_time` (seconds)
/// into `buf`.
///
/// NULL `device` or `out_n`, or NULL `buf` with `len` > 0:
/// `MQTTWS_NULL_PARAMETER`; buffer and `err_out` rules as
/// `mqttws_tencent_device_url`. Does not modify the device; thread-safe
/// with other calls that do not modify it. A malformed
/// host, an underivable region, a clock before 2015:
/// `MQTTWS_INVALID_ARGUMENT`; an empty secret or token: `MQTTWS_AUTH`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_presigned_url(
    signer: *const mqttws_aws_sigv4,
    unix_time: u64,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            text_of(signer, buf, len, out_n, err_out, |s| {
                let now = UNIX_EPOCH
                    .checked_add(Duration::from_secs(unix_time))
                    .ok_or_else(|| mqttws_core::Error::InvalidArgument("unix_time is out of range".into()))?;
                s.presigned_url(now)
            })
        }
    }
}

/// Computes the credentials (client id and presigned URL in
/// `mqttws_credentials_url`) for a connection made at `unix_time`.
///
/// Ownership, NULL handling, errors and threading as
/// `mqttws_tencent_device_credentials`; no client
/// id: `MQTTWS_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_credentials(
    signer: *const mqttws_aws_sigv4,
    unix_time: u64,
    credentials_out: *mut *mut mqttws_credentials,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { credentials_of(signer, unix_time, credentials_out, err_out) }
    }
}

/// Attaches a copy of the signer to the options builder as its credential
/// provider: every connect presigns a fresh URL, which replaces the
/// builder's URL, and checks the keepalive against 1..1200 s.
///
/// `signer` is borrowed; `builder` is modified. NULL `signer` or `builder`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_attach(
    signer: *const mqttws_aws_sigv4,
    builder: *mut mqttws_options_builder,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { attach(signer, builder) }
    }
}

/// Frees a SigV4 signer. NULL is a no-op. Must not be called twice, nor while another
/// thread uses it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_free(signer: *mut mqttws_aws_sigv4) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live signer (header contract).
        unsafe { free_box(signer) }
    }
}

// ---------------------------------------------------------------------------
// AWS IoT Core, custom authorizer

/// Credentials for an AWS IoT Core custom authorizer over wss://: the
/// client id, the URL `wss://{host}/mqtt` and the authorizer parameters as
/// upgrade headers (default) or in the URL query. Keepalive range 1..1200
/// s.
///
/// Ownership: created by `mqttws_aws_custom_auth_new`, freed with
/// `mqttws_aws_custom_auth_free`. Threading: setters one thread at a time;
/// `_credentials` and `_attach` do not modify it.
pub struct mqttws_aws_custom_auth {
    _private: [u8; 0],
}

impl Castable for mqttws_aws_custom_auth {
    type Ownership = OwnershipBox;
    type RustType = AwsCustomAuth;
}

/// Creates custom-authorizer credentials for the endpoint `host` (no scheme
/// or port).
///
/// `host` is copied. On success `*auth_out` receives an object the caller
/// frees with `mqttws_aws_custom_auth_free`. NULL parameter:
/// `MQTTWS_NULL_PARAMETER`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_new(
    host: *const c_char,
    auth_out: *mut *mut mqttws_aws_custom_auth,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: string and out-pointer as documented (header contract).
        unsafe { create(auth_out, || Ok(AwsCustomAuth::new(cstr(host, "host")?))) }
    }
}

/// Sets the MQTT client id (required).
///
/// `client_id` is copied. NULL `auth` or `client_id`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_set_client_id(
    auth: *mut mqttws_aws_custom_auth,
    client_id: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(auth, |d| Ok(d.client_id(cstr(client_id, "client_id")?))) }
    }
}

/// Sets the port (default 443).
///
/// NULL `auth`: `MQTTWS_NULL_PARAMETER`. One thread at a time per object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_set_port(
    auth: *mut mqttws_aws_custom_auth,
    port: u16,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe { set(auth, |d| Ok(d.port(port))) }
    }
}

/// Sets the authorizer name (`x-amz-customauthorizer-name`; without it the
/// account's default authorizer applies).
///
/// `name` is copied. NULL `auth` or `name`: `MQTTWS_NULL_PARAMETER`. One
/// thread at a time per object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_set_authorizer_name(
    auth: *mut mqttws_aws_custom_auth,
    name: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(auth, |d| Ok(d.authorizer_name(cstr(name, "name")?))) }
    }
}

/// Sets the token, sent as `{key_name}: {token}` (or `key_name=token` in
/// the query); `key_name` is the authorizer's token key name.
///
/// Both strings are copied. NULL `auth`, `key_name` or `token`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_set_token(
    auth: *mut mqttws_aws_custom_auth,
    key_name: *const c_char,
    token: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(auth, |d| Ok(d.token(cstr(key_name, "key_name")?, cstr(token, "token")?))) }
    }
}

/// Sets the token signature (`x-amz-customauthorizer-signature`, base64),
/// needed when the authorizer has token signing on.
///
/// `signature` is copied. NULL `auth` or `signature`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_set_token_signature(
    auth: *mut mqttws_aws_custom_auth,
    signature: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(auth, |d| Ok(d.token_signature(cstr(signature, "signature")?))) }
    }
}

/// Where the parameters go: `MQTTWS_AWS_CUSTOM_AUTH_HEADERS` (default) or
/// `MQTTWS_AWS_CUSTOM_AUTH_QUERY_STRING`.
///
/// NULL `auth`: `MQTTWS_NULL_PARAMETER`; another value:
/// `MQTTWS_INVALID_PARAMETER`. One thread at a time per object.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_set_mode(
    auth: *mut mqttws_aws_custom_auth,
    mode: u32,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            set(auth, |d| {
                let mode = match mode {
                    MQTTWS_AWS_CUSTOM_AUTH_HEADERS => CustomAuthMode::Headers,
                    MQTTWS_AWS_CUSTOM_AUTH_QUERY_STRING => CustomAuthMode::QueryString,
                    _ => return Err(Failure::invalid("mode", format_args!("is {mode}; use MQTTWS_AWS_CUSTOM_AUTH_*"))),
                };
                Ok(d.mode(mode))
            })
        }
    }
}

/// Computes the credentials: client id, URL (`mqttws_credentials_url`) and
/// headers (`mqttws_credentials_header`). `unix_time` is not used by this
/// scheme but must be given.
///
/// Ownership, NULL handling, errors and threading as
/// `mqttws_tencent_device_credentials`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_credentials(
    auth: *const mqttws_aws_custom_auth,
    unix_time: u64,
    credentials_out: *mut *mut mqttws_credentials,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { credentials_of(auth, unix_time, credentials_out, err_out) }
    }
}

/// Attaches a copy to the options builder as its credential provider: every
/// connect uses its URL (replacing the builder's) and upgrade headers, and
/// checks the keepalive against 1..1200 s.
///
/// `auth` is borrowed; `builder` is modified. NULL `auth` or `builder`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_attach(
    auth: *const mqttws_aws_custom_auth,
    builder: *mut mqttws_options_builder,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { attach(auth, builder) }
    }
}

/// Frees custom-authorizer credentials. NULL is a no-op. Must not be called
/// twice, nor while another thread uses them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_free(auth: *mut mqttws_aws_custom_auth) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live object (header contract).
        unsafe { free_box(auth) }
    }
}

// ---------------------------------------------------------------------------
// Azure IoT Hub

/// An Azure IoT Hub device (or module) with a symmetric key: client id
/// `{device_id}`, user name `{hub}/{device_id}/?api-version=...`, password a
/// SAS token valid for the TTL after the signing time. Defaults: TTL 3600
/// s, api-version 2021-04-12, the `?iothub-no-client-cert=true` URL hint
/// on, keepalive range 1..1740 s.
///
/// Ownership: created by `mqttws_azure_device_new`, freed with
/// `mqttws_azure_device_free`. Threading: setters one thread at a time;
/// `_url`, `_credentials` and `_attach` do not modify the device.
pub struct mqttws_azure_device {
    _private: [u8; 0],
}

impl Castable for mqttws_azure_device {
    type Ownership = OwnershipBox;
    type RustType = AzureDevice;
}

/// Creates device `device_id` of the hub `hub` (full host name, e.g.
/// `myhub.azure-devices.net`) with its key as the portal shows it (base64).
///
/// All strings are copied. On success `*device_out` receives a device the
/// caller frees with `mqttws_azure_device_free`. NULL parameter:
/// `MQTTWS_NULL_PARAMETER`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_new(
    hub: *const c_char,
    device_id: *const c_char,
    key_base64: *const c_char,
    device_out: *mut *mut mqttws_azure_device,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: strings and out-pointer as documented (header contract).
        unsafe {
            create(device_out, || {
                Ok(AzureDevice::new(
                    cstr(hub, "hub")?,
                    cstr(device_id, "device_id")?,
                    cstr(key_base64, "key_base64")?,
                ))
            })
        }
    }
}

/// Authenticates as module `module_id` of the device (the key is then the
/// module's).
///
/// `module_id` is copied. NULL `device` or `module_id`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_set_module_id(
    device: *mut mqttws_azure_device,
    module_id: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(device, |d| Ok(d.module_id(cstr(module_id, "module_id")?))) }
    }
}

/// Names the shared access policy whose key was given (adds `&skn=`).
///
/// `name` is copied. NULL `device` or `name`: `MQTTWS_NULL_PARAMETER`. One
/// thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_set_shared_access_key_name(
    device: *mut mqttws_azure_device,
    name: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(device, |d| Ok(d.shared_access_key_name(cstr(name, "name")?))) }
    }
}

/// Sets the SAS token lifetime in seconds (default 3600; at least 1,
/// checked when signing).
///
/// NULL `device`: `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_set_sas_ttl(
    device: *mut mqttws_azure_device,
    seconds: u64,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe { set(device, |d| Ok(d.sas_ttl(Duration::from_secs(seconds)))) }
    }
}

/// Sets the api-version of the user name (default "2021-04-12").
///
/// `version` is copied. NULL `device` or `version`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_set_api_version(
    device: *mut mqttws_azure_device,
    version: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(device, |d| Ok(d.api_version(cstr(version, "version")?))) }
    }
}

/// Appends `&DeviceClientType={client_type}` to the user name.
///
/// `client_type` is copied. NULL `device` or `client_type`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_set_device_client_type(
    device: *mut mqttws_azure_device,
    client_type: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { set(device, |d| Ok(d.device_client_type(cstr(client_type, "client_type")?))) }
    }
}

/// Whether the URL ends with `?iothub-no-client-cert=true` (default true).
///
/// NULL `device`: `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_set_no_client_cert_hint(
    device: *mut mqttws_azure_device,
    on: bool,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe { set(device, |d| Ok(d.no_client_cert_hint(on))) }
    }
}

/// Copies the endpoint URL (`wss://{hub}/$iothub/websocket...`) into `buf`.
///
/// NULL `device` or `out_n`, or NULL `buf` with `len` > 0:
/// `MQTTWS_NULL_PARAMETER`; buffer and `err_out` rules as
/// `mqttws_tencent_device_url`. Does not modify the device; thread-safe
/// with other calls that do not modify it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_url(
    device: *const mqttws_azure_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { text_of(device, buf, len, out_n, err_out, AzureDevice::url) }
    }
}

/// Computes the credentials (with a SAS token valid from `unix_time` for
/// the TTL) for a connection made at `unix_time` (seconds).
///
/// Ownership, NULL handling, errors and threading as
/// `mqttws_tencent_device_credentials`; a key that
/// is not base64: `MQTTWS_AUTH`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_credentials(
    device: *const mqttws_azure_device,
    unix_time: u64,
    credentials_out: *mut *mut mqttws_credentials,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { credentials_of(device, unix_time, credentials_out, err_out) }
    }
}

/// Attaches a copy of the device to the options builder as its credential
/// provider (a fresh SAS token at every connect; keepalive checked against
/// 1..1740 s). The builder's URL is kept: build it from
/// `mqttws_azure_device_url`.
///
/// `device` is borrowed; `builder` is modified. NULL `device` or `builder`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_attach(
    device: *const mqttws_azure_device,
    builder: *mut mqttws_options_builder,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { attach(device, builder) }
    }
}

/// Frees an Azure device. NULL is a no-op. Must not be called twice, nor while another
/// thread uses it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_free(device: *mut mqttws_azure_device) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live device (header contract).
        unsafe { free_box(device) }
    }
}

// ---------------------------------------------------------------------------
// Huawei Cloud IoTDA

/// A Huawei Cloud IoTDA device authenticated by its secret: client id
/// `{device_id}_0_{0|1}_{YYYYMMDDHH}`, user name `{device_id}`, password an
/// HMAC-SHA256 keyed with the UTC hour. Default: the platform does not
/// check the timestamp. Keepalive range 30..1200 s.
///
/// Ownership: created by `mqttws_huawei_device_new`, freed with
/// `mqttws_huawei_device_free`. Threading: setters one thread at a time;
/// `_url`, `_credentials` and `_attach` do not modify the device.
pub struct mqttws_huawei_device {
    _private: [u8; 0],
}

impl Castable for mqttws_huawei_device {
    type Ownership = OwnershipBox;
    type RustType = HuaweiDevice;
}

/// Creates device `device_id` with its `secret`, connecting to the device
/// access host `host` (no scheme, port or path).
///
/// All strings are copied. On success `*device_out` receives a device the
/// caller frees with `mqttws_huawei_device_free`. NULL parameter:
/// `MQTTWS_NULL_PARAMETER`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_huawei_device_new(
    host: *const c_char,
    device_id: *const c_char,
    secret: *const c_char,
    device_out: *mut *mut mqttws_huawei_device,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: strings and out-pointer as documented (header contract).
        unsafe {
            create(device_out, || {
                Ok(HuaweiDevice::new(cstr(host, "host")?, cstr(device_id, "device_id")?, cstr(secret, "secret")?))
            })
        }
    }
}

/// Whether the platform checks the timestamp against its own time (client
/// id `_0_1_`; default false, `_0_0_`). Checking needs a set clock.
///
/// NULL `device`: `MQTTWS_NULL_PARAMETER`. One thread at a time per device.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_huawei_device_set_check_timestamp(
    device: *mut mqttws_huawei_device,
    check: bool,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe { set(device, |d| Ok(d.check_timestamp(check))) }
    }
}

/// Copies the endpoint URL (`wss://{host}/mqtt`) into `buf`.
///
/// NULL `device` or `out_n`, or NULL `buf` with `len` > 0:
/// `MQTTWS_NULL_PARAMETER`; buffer and `err_out` rules as
/// `mqttws_tencent_device_url`. Does not modify the device; thread-safe
/// with other calls that do not modify it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_huawei_device_url(
    device: *const mqttws_huawei_device,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { text_of(device, buf, len, out_n, err_out, HuaweiDevice::url) }
    }
}

/// Computes the credentials for a connection made at `unix_time` (seconds).
///
/// Ownership, NULL handling, errors and threading as
/// `mqttws_tencent_device_credentials`; an empty
/// secret: `MQTTWS_AUTH`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_huawei_device_credentials(
    device: *const mqttws_huawei_device,
    unix_time: u64,
    credentials_out: *mut *mut mqttws_credentials,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { credentials_of(device, unix_time, credentials_out, err_out) }
    }
}

/// Attaches a copy of the device to the options builder as its credential
/// provider (signing at every connect; keepalive checked against 30..1200
/// s). The builder's URL is kept: build it from `mqttws_huawei_device_url`.
///
/// `device` is borrowed; `builder` is modified. NULL `device` or `builder`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_huawei_device_attach(
    device: *const mqttws_huawei_device,
    builder: *mut mqttws_options_builder,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { attach(device, builder) }
    }
}

/// Frees a Huawei device. NULL is a no-op. Must not be called twice, nor while another
/// thread uses it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_huawei_device_free(device: *mut mqttws_huawei_device) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live device (header contract).
        unsafe { free_box(device) }
    }
}

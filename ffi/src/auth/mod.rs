//! Cloud platform credentials: one builder per platform, one provider type.
//!
//! ```text
//! mqttws_<platform>_builder_new...(identity, secret)   Box<device>  one thread at a time
//!   ├─ mqttws_<platform>_builder_set_*                 (mutate)
//!   └─ mqttws_<platform>_builder_build ──► Arc<dyn CredentialProvider>
//!                                           mqttws_credential_provider: immutable, shareable
//!        ├─ mqttws_credential_provider_credentials(provider, unix_time) ──► mqttws_credentials
//!        ├─ mqttws_credential_provider_url(provider, buf, ...)  the endpoint URL
//!        ├─ mqttws_options_builder_set_credential_provider(options builder, provider)
//!        └─ mqttws_credential_provider_free
//! ```
//!
//! The platforms' modules (`tencent`, `aliyun`, `aws`, `azure`, `huawei`,
//! as in the core's `auth`) hold only the builders: their constructors and
//! setters, each an export with its own documentation, and `_build` and
//! `_free`. Everything done with a finished provider is here, once.
//!
//! Secrets (keys, PSKs, tokens) are copied into the builder and never
//! appear in error messages.

use std::ffi::c_char;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mqttws_core::auth::{CredentialProvider, Credentials, Scheme};

use crate::error::{Failure, mqttws_error, mqttws_result};
use crate::ffi::{
    Castable, OwnershipArc, OwnershipBox, cstr, free_arc, free_box, obj, obj_box, obj_mut, out,
    read, run, run_reporting, to_arc_const_ptr, to_boxed_mut_ptr,
};
use crate::slice::{TextPair, copy_text, mqttws_str, nul_terminated, opt_view, pair_at, text_pair};

// Textual macro scope: defined before the platform modules that use it.
/// The body of a platform builder's setter: `set!(builder, |d| new value)`,
/// where the expression may use `?` and the unsafe parameter helpers
/// (`cstr`...), inside the panic boundary.
macro_rules! set {
    ($builder:ident, |$d:ident| $value:expr) => {
        ffi_panic_boundary! {
            // SAFETY: `$builder` is NULL or a live builder of this platform
            // used by one thread, and every other pointer parameter is NULL
            // or what the header says (header contract).
            unsafe { $crate::auth::set($builder, |$d| Ok($value)) }
        }
    };
}

/// The body of a platform builder's constructor: `create!(builder_out,
/// value)`, where the expression may use `?` and the unsafe parameter
/// helpers, inside the panic boundary.
macro_rules! create {
    ($builder_out:ident, $value:expr) => {
        ffi_panic_boundary! {
            // SAFETY: `$builder_out` and every other pointer parameter are
            // NULL or what the header says (header contract).
            unsafe { $crate::auth::create($builder_out, || Ok($value)) }
        }
    };
}

/// The body of a platform builder's `_build`, inside the panic boundary.
macro_rules! build {
    ($builder:ident, $provider_out:ident) => {
        ffi_panic_boundary! {
            // SAFETY: a live builder (consumed here) and a writable
            // out-pointer, or NULL (header contract).
            unsafe { $crate::auth::build($builder, $provider_out) }
        }
    };
}

// (cbindgen lists the functions module by module, in this order.)
pub mod aliyun;
pub mod aws;
pub mod azure;
pub mod huawei;
pub mod tencent;

/// `ws://`: WebSocket over plain TCP (a `scheme` parameter value).
pub const MQTTWS_SCHEME_WS: u32 = 0;
/// `wss://`: WebSocket over TLS (a `scheme` parameter value; the default).
pub const MQTTWS_SCHEME_WSS: u32 = 1;

// ---------------------------------------------------------------------------
// Shared plumbing of the platform builders

/// A `scheme` parameter.
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

/// A `unix_time` parameter (seconds since 1970).
fn system_time(unix_time: u64) -> Result<SystemTime, Failure> {
    UNIX_EPOCH
        .checked_add(Duration::from_secs(unix_time))
        .ok_or_else(|| Failure::invalid("unix_time", "is out of range"))
}

/// Writes a newly created builder to `builder_out`.
///
/// # Safety
///
/// `builder_out` is NULL or writable.
unsafe fn create<C>(
    builder_out: *mut *mut C,
    make: impl FnOnce() -> Result<C::RustType, Failure>,
) -> mqttws_result
where
    C: Castable<Ownership = OwnershipBox>,
{
    run(|| {
        // SAFETY: per this function's contract.
        let o = unsafe { out(builder_out, "builder_out") }?;
        o.write(to_boxed_mut_ptr::<C>(make()?));
        Ok(())
    })
}

/// A parameter naming a value the core parses (a sign method such as
/// `"hmacsha256"`): an unknown name is `MQTTWS_INVALID_ARGUMENT`.
///
/// # Safety
///
/// As [`cstr`].
unsafe fn parsed<T: FromStr<Err = mqttws_core::Error>>(
    ptr: *const c_char,
    name: &str,
) -> Result<T, Failure> {
    // SAFETY: per this function's contract.
    unsafe { cstr(ptr, name) }?.parse().map_err(Failure::from)
}

/// Replaces the value behind `builder` with `f(copy of it)`: the core's
/// platform builders take `self` by value.
///
/// # Safety
///
/// `builder` is NULL or a live handle used by no other thread.
unsafe fn set<C>(
    builder: *mut C,
    f: impl FnOnce(C::RustType) -> Result<C::RustType, Failure>,
) -> mqttws_result
where
    C: Castable<Ownership = OwnershipBox>,
    C::RustType: Clone,
{
    run(|| {
        // SAFETY: per this function's contract.
        let d = unsafe { obj_mut(builder, "builder") }?;
        *d = f(d.clone())?;
        Ok(())
    })
}

/// Consumes `builder` into a new `mqttws_credential_provider` written to
/// `provider_out`. The builder is freed even when `provider_out` is NULL.
///
/// # Safety
///
/// `builder` is NULL or a live handle that nothing uses afterwards;
/// `provider_out` is NULL or writable.
unsafe fn build<C>(
    builder: *mut C,
    provider_out: *mut *const mqttws_credential_provider,
) -> mqttws_result
where
    C: Castable<Ownership = OwnershipBox>,
    C::RustType: CredentialProvider + 'static,
{
    run(|| {
        // SAFETY: per this function's contract (the builder is taken first,
        // so that it is consumed whatever happens next).
        let device = unsafe { obj_box(builder, "builder") }?;
        // SAFETY: per this function's contract.
        let o = unsafe { out(provider_out, "provider_out") }?;
        let provider: Arc<dyn CredentialProvider> = Arc::new(*device);
        o.write(to_arc_const_ptr::<mqttws_credential_provider>(provider));
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// mqttws_credential_provider

/// A finished platform signer: computes the credentials of each connection
/// attempt, knows the platform's endpoint URL and keepalive range.
///
/// Ownership: created by a platform builder's `_build`
/// (`mqttws_tencent_device_builder_build`, ...), freed with
/// `mqttws_credential_provider_free`. Threading: immutable and
/// reference-counted (under the hood an `Arc<dyn CredentialProvider>`);
/// every function may be called from several threads at once, and options
/// and clients keep their own reference.
pub struct mqttws_credential_provider {
    _private: [u8; 0],
}

impl Castable for mqttws_credential_provider {
    type Ownership = OwnershipArc;
    type RustType = Arc<dyn CredentialProvider>;
}

/// Computes the credentials for a connection made at `unix_time` (seconds
/// since 1970, e.g. `time(NULL)`): client id, user name and password, and
/// for AWS the URL (`mqttws_credentials_url`) and upgrade headers
/// (`mqttws_credentials_header`). The client does this by itself at every
/// connect; this function shows what it would send.
///
/// On success `*credentials_out` receives credentials the caller frees with
/// `mqttws_credentials_free`. On failure, if `err_out` is not NULL (it is
/// optional), `*err_out` receives an `mqttws_error` to free. NULL
/// `provider` or `credentials_out`: `MQTTWS_NULL_PARAMETER`; a malformed
/// identity, an expiry in the past, a clock before 2015 where the platform
/// checks the time: `MQTTWS_INVALID_ARGUMENT`; unusable secrets (a PSK or
/// key that is not base64, an unreadable or unusable private key, an empty
/// secret or token): `MQTTWS_AUTH`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_credential_provider_credentials(
    provider: *const mqttws_credential_provider,
    unix_time: u64,
    credentials_out: *mut *mut mqttws_credentials,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result {
    ffi_panic_boundary! {
        let body = || {
            // SAFETY: NULL or a live provider, NULL or a writable output (header contract).
            let (p, o) = unsafe { (obj(provider, "provider")?, out(credentials_out, "credentials_out")?) };
            let c = p.credentials(system_time(unix_time)?).map_err(Failure::from)?;
            o.write(to_boxed_mut_ptr::<mqttws_credentials>(CredentialsOut::from(c)));
            Ok(())
        };
        // SAFETY: err_out is NULL or writable (header contract).
        unsafe { run_reporting(err_out, body) }
    }
}

/// Copies the platform's endpoint URL, e.g.
/// `wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt`, into
/// `buf` (NUL-terminated) and its length into `*out_n`: the URL to give
/// `mqttws_options_builder_new`. For AWS it is the endpoint before signing
/// (`wss://{host}/mqtt`), which the credentials of each connect replace.
///
/// NULL `provider` or `out_n`, or NULL `buf` with `len` > 0:
/// `MQTTWS_NULL_PARAMETER`. If `len` is too small, nothing is copied,
/// `*out_n` receives the size needed (with the NUL) and the result is
/// `MQTTWS_INSUFFICIENT_SIZE`. No endpoint (an Alibaba device without
/// region or instance) or a malformed host, product id or region:
/// `MQTTWS_INVALID_ARGUMENT`. On failure, if `err_out` is not NULL (it is
/// optional), `*err_out` receives an `mqttws_error` to free. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_credential_provider_url(
    provider: *const mqttws_credential_provider,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result {
    ffi_panic_boundary! {
        let body = || {
            // SAFETY: NULL or a live provider (header contract).
            let p = unsafe { obj(provider, "provider") }?;
            if out_n.is_null() {
                return Err(Failure::null("out_n"));
            }
            if buf.is_null() && len > 0 {
                return Err(Failure::null("buf"));
            }
            let url = p.url().map_err(Failure::from)?;
            // SAFETY: checked above; writable per the header contract.
            match unsafe { copy_text(&url, buf, len, out_n) } {
                mqttws_result::MQTTWS_OK => Ok(()),
                code => Err(Failure::new(
                    code,
                    format!("the buffer of {len} bytes is too small; {} are needed", url.len() + 1),
                )),
            }
        };
        // SAFETY: err_out is NULL or writable (header contract).
        unsafe { run_reporting(err_out, body) }
    }
}

/// Releases the caller's reference to a provider. Options and clients it
/// was given to keep theirs, so it may be freed right after
/// `mqttws_options_builder_set_credential_provider`. NULL is a no-op. Must
/// not be called twice for the same reference, nor while another thread
/// still uses it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_credential_provider_free(
    provider: *const mqttws_credential_provider,
) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a provider from a `_build` not freed before (header contract).
        unsafe { free_arc(provider) }
    }
}

// ---------------------------------------------------------------------------
// mqttws_credentials

/// Credentials computed for one connection attempt: client id, user name,
/// password, and (AWS) a URL and upgrade headers.
///
/// Ownership: created by `mqttws_credential_provider_credentials`, freed
/// with `mqttws_credentials_free`; the views its accessors return are valid
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
    headers: Vec<TextPair>,
}

impl From<Credentials> for CredentialsOut {
    fn from(c: Credentials) -> Self {
        let t = |s: &str| nul_terminated(s);
        Self {
            client_id: t(&c.client_id),
            username: c.username.as_deref().map(t),
            password: c.password.as_deref().map(t),
            url: c.url.as_deref().map(t),
            headers: c.headers.iter().map(text_pair).collect(),
        }
    }
}

impl Castable for mqttws_credentials {
    type Ownership = OwnershipBox;
    type RustType = CredentialsOut;
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
        unsafe { read(credentials, mqttws_str::NONE, |c| mqttws_str::of_nul_terminated(&c.client_id)) }
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
        unsafe { read(credentials, mqttws_str::NONE, |c| opt_view(c.username.as_deref())) }
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
        unsafe { read(credentials, mqttws_str::NONE, |c| opt_view(c.password.as_deref())) }
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
        unsafe { read(credentials, mqttws_str::NONE, |c| opt_view(c.url.as_deref())) }
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
        unsafe { read(credentials, 0, |c| c.headers.len()) }
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
            unsafe { pair_at(&obj(credentials, "credentials")?.headers, index, name_out, value_out) }
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

//! Tencent IoT Hub / IoT Explorer: `mqttws_tencent_device_builder`.

use std::ffi::c_char;
use std::time::Duration;

use mqttws_core::auth::tencent::{Expiry, TencentDevice};

use super::{mqttws_credential_provider, parsed};
use crate::error::{Failure, mqttws_result};
use crate::ffi::{Castable, OwnershipBox, bytes, cstr, free_box, path};

/// Builds a Tencent IoT Hub / IoT Explorer device. Client id
/// `{product_id}{device_name}`; user name
/// `{client_id};{sdkappid};{connid};{expiry}`; password an HMAC (key
/// devices) or RSA-SHA256 (certificate devices) signature of the user name.
/// Defaults: region ap-guangzhou, wss://, HMAC-SHA256, expiry one hour
/// after the signing time, random connid, sdkappid 12010126; keepalive
/// range 0..900 s.
///
/// Ownership: created by a `mqttws_tencent_device_builder_new_*` function;
/// consumed by `mqttws_tencent_device_builder_build`, or freed with
/// `mqttws_tencent_device_builder_free`. Threading: one thread at a time.
pub struct mqttws_tencent_device_builder {
    _private: [u8; 0],
}

impl Castable for mqttws_tencent_device_builder {
    type Ownership = OwnershipBox;
    type RustType = TencentDevice;
}

/// Starts a key (PSK) device. `psk_base64` is the device key exactly as the
/// console shows it (base64; decoded when signing).
///
/// All strings (UTF-8) are copied. On success `*builder_out` receives a
/// builder (build it, or free it with `mqttws_tencent_device_builder_free`).
/// NULL parameter: `MQTTWS_NULL_PARAMETER`; not UTF-8:
/// `MQTTWS_INVALID_PARAMETER`. Values are checked when signing.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_builder_new_psk(
    product_id: *const c_char,
    device_name: *const c_char,
    psk_base64: *const c_char,
    builder_out: *mut *mut mqttws_tencent_device_builder,
) -> mqttws_result {
    create!(
        builder_out,
        TencentDevice::with_psk(
            cstr(product_id, "product_id")?,
            cstr(device_name, "device_name")?,
            cstr(psk_base64, "psk_base64")?,
        )
    )
}

/// Starts a certificate device whose RSA private key (PEM, PKCS#1 or
/// PKCS#8, unencrypted) is given as `pem_len` bytes; the password is then
/// an RSA-SHA256 signature, as Tencent's SDKs send over WebSocket.
///
/// Strings and the key are copied. NULL parameter: `MQTTWS_NULL_PARAMETER`;
/// `pem_len` 0: `MQTTWS_INVALID_PARAMETER`. On success `*builder_out`
/// receives a builder. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_builder_new_private_key_pem(
    product_id: *const c_char,
    device_name: *const c_char,
    pem: *const u8,
    pem_len: usize,
    builder_out: *mut *mut mqttws_tencent_device_builder,
) -> mqttws_result {
    create!(builder_out, {
        let product_id = cstr(product_id, "product_id")?;
        let device_name = cstr(device_name, "device_name")?;
        if pem.is_null() {
            return Err(Failure::null("pem"));
        }
        let pem = bytes(pem, pem_len, "pem")?;
        if pem.is_empty() {
            return Err(Failure::invalid("pem", "is empty"));
        }
        TencentDevice::with_private_key_pem(product_id, device_name, pem.to_vec())
    })
}

/// Starts a certificate device whose RSA private key PEM is in the file
/// `key_path`, read at every signing (so a rotated key is picked up).
///
/// Strings are copied. NULL parameter: `MQTTWS_NULL_PARAMETER`. On success
/// `*builder_out` receives a builder. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_builder_new_private_key_file(
    product_id: *const c_char,
    device_name: *const c_char,
    key_path: *const c_char,
    builder_out: *mut *mut mqttws_tencent_device_builder,
) -> mqttws_result {
    create!(
        builder_out,
        TencentDevice::with_private_key_file(
            cstr(product_id, "product_id")?,
            cstr(device_name, "device_name")?,
            path(key_path, "key_path")?.to_owned(),
        )
    )
}

/// Sets the HMAC of a key device: `"hmacsha1"` or `"hmacsha256"` (the
/// default). On a certificate device, signing then fails.
///
/// NULL `builder` or `method`: `MQTTWS_NULL_PARAMETER`; an unknown name:
/// `MQTTWS_INVALID_ARGUMENT`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_builder_set_sign_method(
    builder: *mut mqttws_tencent_device_builder,
    method: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.sign_method(parsed(method, "method")?))
}

/// Sets the region, the second label of the endpoint host: e.g.
/// `"ap-guangzhou"` (default), `"us-east"`, `"europe"`, `"ap-bangkok"`.
///
/// `region` is copied. NULL `builder` or `region`: `MQTTWS_NULL_PARAMETER`.
/// One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_builder_set_region(
    builder: *mut mqttws_tencent_device_builder,
    region: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.region(cstr(region, "region")?))
}

/// Sets the scheme of the endpoint URL: `MQTTWS_SCHEME_WSS` (default, port
/// 443) or `MQTTWS_SCHEME_WS` (port 80).
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`; another value:
/// `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_builder_set_scheme(
    builder: *mut mqttws_tencent_device_builder,
    scheme: u32,
) -> mqttws_result {
    set!(builder, |d| d.scheme(super::scheme(scheme)?))
}

/// Makes the signature expire `seconds` after the signing time (the
/// default is 3600). Signing then needs a wall clock after 2015.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_builder_set_expiry_ttl(
    builder: *mut mqttws_tencent_device_builder,
    seconds: u64,
) -> mqttws_result {
    set!(builder, |d| d
        .expiry(Expiry::Ttl(Duration::from_secs(seconds))))
}

/// Makes the signature expire at this UNIX time (seconds), which must be
/// after the signing time.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_builder_set_expiry_at(
    builder: *mut mqttws_tencent_device_builder,
    unix_time: u64,
) -> mqttws_result {
    set!(builder, |d| d.expiry(Expiry::At(unix_time)))
}

/// Makes the signature never expire (expiry 2147483647, as the SDKs do for
/// devices without a trustworthy clock).
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_builder_set_expiry_never(
    builder: *mut mqttws_tencent_device_builder,
) -> mqttws_result {
    set!(builder, |d| d.expiry(Expiry::Never))
}

/// Fixes the connid field (ASCII letters and digits) instead of 5 random
/// characters per attempt. Meant for tests.
///
/// `connid` is copied. NULL `builder` or `connid`: `MQTTWS_NULL_PARAMETER`.
/// One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_builder_set_connid(
    builder: *mut mqttws_tencent_device_builder,
    connid: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.connid(cstr(connid, "connid")?))
}

/// Sets the sdkappid field of the user name (default "12010126").
///
/// `sdkappid` is copied. NULL `builder` or `sdkappid`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_builder_set_sdkappid(
    builder: *mut mqttws_tencent_device_builder,
    sdkappid: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.sdkappid(cstr(sdkappid, "sdkappid")?))
}

/// Turns the builder into a credential provider (keepalive range 0..900 s).
/// Nothing is checked here: the values are checked at each signing.
///
/// Always consumes `builder`, also on failure: do not use or free it
/// afterwards. On success `*provider_out` receives a provider the caller
/// frees with `mqttws_credential_provider_free`. NULL `builder` or
/// `provider_out`: `MQTTWS_NULL_PARAMETER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_builder_build(
    builder: *mut mqttws_tencent_device_builder,
    provider_out: *mut *const mqttws_credential_provider,
) -> mqttws_result {
    build!(builder, provider_out)
}

/// Frees a builder that was not built. NULL is a no-op. Must not be called
/// twice, nor after `mqttws_tencent_device_builder_build`, nor while
/// another thread uses the builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_tencent_device_builder_free(
    builder: *mut mqttws_tencent_device_builder,
) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live builder (header contract).
        unsafe { free_box(builder) }
    }
}

//! Alibaba Cloud IoT Platform: `mqttws_aliyun_device_builder`.

use std::ffi::c_char;

use mqttws_core::auth::aliyun::{AliyunDevice, Timestamp};

use super::{mqttws_credential_provider, parsed};
use crate::error::mqttws_result;
use crate::ffi::{Castable, OwnershipBox, cstr, free_box};

/// Builds an Alibaba Cloud IoT Platform device authenticated by its device
/// secret. Client id `{client_id}|securemode=2,signmethod=...,timestamp=...|`,
/// user name `{device_name}&{product_key}`, password an HMAC of the sorted
/// parameters. Defaults: wss:// (securemode 2; the client follows the
/// scheme of the URL it connects to), client id
/// `{product_key}.{device_name}`, HMAC-SHA256, timestamp = signing time,
/// upper-case hex; keepalive range 30..1200 s. No default endpoint: set a
/// region or an instance for `mqttws_credential_provider_url`.
///
/// Ownership: created by `mqttws_aliyun_device_builder_new`; consumed by
/// `mqttws_aliyun_device_builder_build`, or freed with
/// `mqttws_aliyun_device_builder_free`. Threading: one thread at a time.
pub struct mqttws_aliyun_device_builder {
    _private: [u8; 0],
}

impl Castable for mqttws_aliyun_device_builder {
    type Ownership = OwnershipBox;
    type RustType = AliyunDevice;
}

/// Starts a device of product `product_key` named `device_name` with its
/// device secret (used as is).
///
/// All strings (UTF-8) are copied. On success `*builder_out` receives a
/// builder (build it, or free it with `mqttws_aliyun_device_builder_free`).
/// NULL parameter: `MQTTWS_NULL_PARAMETER`. Values are checked when
/// signing. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_builder_new(
    product_key: *const c_char,
    device_name: *const c_char,
    device_secret: *const c_char,
    builder_out: *mut *mut mqttws_aliyun_device_builder,
) -> mqttws_result {
    create!(
        builder_out,
        AliyunDevice::new(
            cstr(product_key, "product_key")?,
            cstr(device_name, "device_name")?,
            cstr(device_secret, "device_secret")?,
        )
    )
}

/// Sets the bare client id before the `|...|` parameters (at most 64
/// characters, no `|`; default `{product_key}.{device_name}`).
///
/// `client_id` is copied. NULL `builder` or `client_id`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_builder_set_client_id(
    builder: *mut mqttws_aliyun_device_builder,
    client_id: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.client_id(cstr(client_id, "client_id")?))
}

/// Sets the scheme: `MQTTWS_SCHEME_WSS` (default, securemode=2) or
/// `MQTTWS_SCHEME_WS` (securemode=3); both use port 443. It changes both
/// the client id and the endpoint URL.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`; another value:
/// `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_builder_set_scheme(
    builder: *mut mqttws_aliyun_device_builder,
    scheme: u32,
) -> mqttws_result {
    set!(builder, |d| d.scheme(super::scheme(scheme)?))
}

/// Sets the HMAC: `"hmacsha256"` (default), `"hmacsha1"` or `"hmacmd5"`.
///
/// NULL `builder` or `method`: `MQTTWS_NULL_PARAMETER`; an unknown name:
/// `MQTTWS_INVALID_ARGUMENT`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_builder_set_sign_method(
    builder: *mut mqttws_aliyun_device_builder,
    method: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.sign_method(parsed(method, "method")?))
}

/// Uses the signing time (milliseconds) as the timestamp parameter (the
/// default).
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_builder_set_timestamp_now(
    builder: *mut mqttws_aliyun_device_builder,
) -> mqttws_result {
    set!(builder, |d| d.timestamp(Timestamp::Now))
}

/// Uses this fixed timestamp parameter (milliseconds), e.g. 2524608000000
/// as Alibaba's C SDKs send, for devices without a clock.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_builder_set_timestamp_fixed(
    builder: *mut mqttws_aliyun_device_builder,
    timestamp_ms: u64,
) -> mqttws_result {
    set!(builder, |d| d.timestamp(Timestamp::Fixed(timestamp_ms)))
}

/// Sends no timestamp parameter (neither in the client id nor signed).
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_builder_set_timestamp_omit(
    builder: *mut mqttws_aliyun_device_builder,
) -> mqttws_result {
    set!(builder, |d| d.timestamp(Timestamp::Omit))
}

/// Emits the password in lower-case hex instead of upper case (the server
/// accepts both).
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_builder_set_lowercase_hex(
    builder: *mut mqttws_aliyun_device_builder,
    lowercase: bool,
) -> mqttws_result {
    set!(builder, |d| d.lowercase_hex(lowercase))
}

/// Connects to the old public instance of a region, e.g. `"cn-shanghai"`:
/// host `{product_key}.iot-as-mqtt.{region_id}.aliyuncs.com`.
///
/// `region_id` is copied. NULL `builder` or `region_id`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_builder_set_region(
    builder: *mut mqttws_aliyun_device_builder,
    region_id: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.region(cstr(region_id, "region_id")?))
}

/// Connects to a new public or Enterprise instance, e.g.
/// `"iot-06z00ab1c2d3e4f"`: host `{instance_id}.mqtt.iothub.aliyuncs.com`.
///
/// `instance_id` is copied. NULL `builder` or `instance_id`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_builder_set_instance(
    builder: *mut mqttws_aliyun_device_builder,
    instance_id: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.instance(cstr(instance_id, "instance_id")?))
}

/// Turns the builder into a credential provider (keepalive range 30..1200
/// s). Nothing is checked here: the values are checked at each signing.
///
/// Always consumes `builder`, also on failure: do not use or free it
/// afterwards. On success `*provider_out` receives a provider the caller
/// frees with `mqttws_credential_provider_free`. NULL `builder` or
/// `provider_out`: `MQTTWS_NULL_PARAMETER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_builder_build(
    builder: *mut mqttws_aliyun_device_builder,
    provider_out: *mut *const mqttws_credential_provider,
) -> mqttws_result {
    build!(builder, provider_out)
}

/// Frees a builder that was not built. NULL is a no-op. Must not be called
/// twice, nor after `mqttws_aliyun_device_builder_build`, nor while another
/// thread uses the builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aliyun_device_builder_free(
    builder: *mut mqttws_aliyun_device_builder,
) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live builder (header contract).
        unsafe { free_box(builder) }
    }
}

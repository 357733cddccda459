//! Huawei Cloud IoTDA: `mqttws_huawei_device_builder`.

use std::ffi::c_char;

use mqttws_core::auth::huawei::HuaweiDevice;

use super::mqttws_credential_provider;
use crate::error::mqttws_result;
use crate::ffi::{Castable, OwnershipBox, cstr, free_box};

/// Builds a Huawei Cloud IoTDA device authenticated by its secret: client
/// id `{device_id}_0_{0|1}_{YYYYMMDDHH}`, user name `{device_id}`, password
/// an HMAC-SHA256 keyed with the UTC hour. Default: the platform does not
/// check the timestamp. Keepalive range 30..1200 s.
///
/// Ownership: created by `mqttws_huawei_device_builder_new`; consumed by
/// `mqttws_huawei_device_builder_build`, or freed with
/// `mqttws_huawei_device_builder_free`. Threading: one thread at a time.
pub struct mqttws_huawei_device_builder {
    _private: [u8; 0],
}

impl Castable for mqttws_huawei_device_builder {
    type Ownership = OwnershipBox;
    type RustType = HuaweiDevice;
}

/// Starts device `device_id` with its `secret`, connecting to the device
/// access host `host` (no scheme, port or path).
///
/// All strings are copied. On success `*builder_out` receives a builder
/// (build it, or free it with `mqttws_huawei_device_builder_free`). NULL
/// parameter: `MQTTWS_NULL_PARAMETER`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_huawei_device_builder_new(
    host: *const c_char,
    device_id: *const c_char,
    secret: *const c_char,
    builder_out: *mut *mut mqttws_huawei_device_builder,
) -> mqttws_result {
    create!(
        builder_out,
        HuaweiDevice::new(
            cstr(host, "host")?,
            cstr(device_id, "device_id")?,
            cstr(secret, "secret")?
        )
    )
}

/// Whether the platform checks the timestamp against its own time (client
/// id `_0_1_`; default false, `_0_0_`). Checking needs a set clock.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_huawei_device_builder_set_check_timestamp(
    builder: *mut mqttws_huawei_device_builder,
    check: bool,
) -> mqttws_result {
    set!(builder, |d| d.check_timestamp(check))
}

/// Turns the builder into a credential provider (signing at every connect;
/// keepalive range 30..1200 s). Nothing is checked here: the values are
/// checked at each signing.
///
/// Always consumes `builder`, also on failure: do not use or free it
/// afterwards. On success `*provider_out` receives a provider the caller
/// frees with `mqttws_credential_provider_free`. NULL `builder` or
/// `provider_out`: `MQTTWS_NULL_PARAMETER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_huawei_device_builder_build(
    builder: *mut mqttws_huawei_device_builder,
    provider_out: *mut *const mqttws_credential_provider,
) -> mqttws_result {
    build!(builder, provider_out)
}

/// Frees a builder that was not built. NULL is a no-op. Must not be called
/// twice, nor after `mqttws_huawei_device_builder_build`, nor while another
/// thread uses the builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_huawei_device_builder_free(
    builder: *mut mqttws_huawei_device_builder,
) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live builder (header contract).
        unsafe { free_box(builder) }
    }
}

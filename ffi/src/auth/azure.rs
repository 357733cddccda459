//! Azure IoT Hub: `mqttws_azure_device_builder`.

use std::ffi::c_char;
use std::time::Duration;

use mqttws_core::auth::azure::AzureDevice;

use super::mqttws_credential_provider;
use crate::error::mqttws_result;
use crate::ffi::{Castable, OwnershipBox, cstr, free_box};

/// Builds an Azure IoT Hub device (or module) with a symmetric key: client
/// id `{device_id}`, user name `{hub}/{device_id}/?api-version=...`,
/// password a SAS token valid for the TTL after the signing time. Defaults:
/// TTL 3600 s, api-version 2021-04-12, the `?iothub-no-client-cert=true`
/// URL hint on; keepalive range 1..1740 s.
///
/// Ownership: created by `mqttws_azure_device_builder_new`; consumed by
/// `mqttws_azure_device_builder_build`, or freed with
/// `mqttws_azure_device_builder_free`. Threading: one thread at a time.
pub struct mqttws_azure_device_builder {
    _private: [u8; 0],
}

impl Castable for mqttws_azure_device_builder {
    type Ownership = OwnershipBox;
    type RustType = AzureDevice;
}

/// Starts device `device_id` of the hub `hub` (full host name, e.g.
/// `myhub.azure-devices.net`) with its key as the portal shows it (base64).
///
/// All strings are copied. On success `*builder_out` receives a builder
/// (build it, or free it with `mqttws_azure_device_builder_free`). NULL
/// parameter: `MQTTWS_NULL_PARAMETER`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_builder_new(
    hub: *const c_char,
    device_id: *const c_char,
    key_base64: *const c_char,
    builder_out: *mut *mut mqttws_azure_device_builder,
) -> mqttws_result {
    create!(
        builder_out,
        AzureDevice::new(
            cstr(hub, "hub")?,
            cstr(device_id, "device_id")?,
            cstr(key_base64, "key_base64")?,
        )
    )
}

/// Authenticates as module `module_id` of the device (the key is then the
/// module's).
///
/// `module_id` is copied. NULL `builder` or `module_id`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_builder_set_module_id(
    builder: *mut mqttws_azure_device_builder,
    module_id: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.module_id(cstr(module_id, "module_id")?))
}

/// Names the shared access policy whose key was given (adds `&skn=`).
///
/// `name` is copied. NULL `builder` or `name`: `MQTTWS_NULL_PARAMETER`. One
/// thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_builder_set_shared_access_key_name(
    builder: *mut mqttws_azure_device_builder,
    name: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.shared_access_key_name(cstr(name, "name")?))
}

/// Sets the SAS token lifetime in seconds (default 3600; at least 1,
/// checked when signing).
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_builder_set_sas_ttl(
    builder: *mut mqttws_azure_device_builder,
    seconds: u64,
) -> mqttws_result {
    set!(builder, |d| d.sas_ttl(Duration::from_secs(seconds)))
}

/// Sets the api-version of the user name (default "2021-04-12").
///
/// `version` is copied. NULL `builder` or `version`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_builder_set_api_version(
    builder: *mut mqttws_azure_device_builder,
    version: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.api_version(cstr(version, "version")?))
}

/// Appends `&DeviceClientType={client_type}` to the user name.
///
/// `client_type` is copied. NULL `builder` or `client_type`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_builder_set_device_client_type(
    builder: *mut mqttws_azure_device_builder,
    client_type: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d
        .device_client_type(cstr(client_type, "client_type")?))
}

/// Whether the endpoint URL ends with `?iothub-no-client-cert=true`
/// (default true).
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_builder_set_no_client_cert_hint(
    builder: *mut mqttws_azure_device_builder,
    on: bool,
) -> mqttws_result {
    set!(builder, |d| d.no_client_cert_hint(on))
}

/// Turns the builder into a credential provider (a fresh SAS token at every
/// connect; keepalive range 1..1740 s). Nothing is checked here: the values
/// are checked at each signing.
///
/// Always consumes `builder`, also on failure: do not use or free it
/// afterwards. On success `*provider_out` receives a provider the caller
/// frees with `mqttws_credential_provider_free`. NULL `builder` or
/// `provider_out`: `MQTTWS_NULL_PARAMETER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_builder_build(
    builder: *mut mqttws_azure_device_builder,
    provider_out: *mut *const mqttws_credential_provider,
) -> mqttws_result {
    build!(builder, provider_out)
}

/// Frees a builder that was not built. NULL is a no-op. Must not be called
/// twice, nor after `mqttws_azure_device_builder_build`, nor while another
/// thread uses the builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_azure_device_builder_free(
    builder: *mut mqttws_azure_device_builder,
) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live builder (header contract).
        unsafe { free_box(builder) }
    }
}

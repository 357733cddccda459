//! AWS IoT Core: `mqttws_aws_sigv4_builder` (SigV4 presigned URLs) and
//! `mqttws_aws_custom_auth_builder` (custom authorizers).

use std::ffi::c_char;
use std::time::Duration;

use mqttws_core::auth::aws::{AwsCustomAuth, AwsSigV4, CustomAuthMode};

use super::mqttws_credential_provider;
use crate::error::{Failure, mqttws_result};
use crate::ffi::{Castable, OwnershipBox, cstr, free_box};

/// AWS custom authorizer parameters as WebSocket upgrade headers (default).
pub const MQTTWS_AWS_CUSTOM_AUTH_HEADERS: u32 = 0;
/// AWS custom authorizer parameters in the URL query string.
pub const MQTTWS_AWS_CUSTOM_AUTH_QUERY_STRING: u32 = 1;

// ---------------------------------------------------------------------------
// SigV4

/// Builds an AWS IoT Core SigV4 presigner (IAM or Cognito credentials): the
/// credentials carry the client id and a presigned
/// `wss://{host}/mqtt?X-Amz-...` URL, which replaces the options' URL at
/// every connect; no user name or password. Defaults: port 443, region
/// derived from the host, no X-Amz-Expires; keepalive range 1..1200 s.
///
/// Ownership: created by `mqttws_aws_sigv4_builder_new`; consumed by
/// `mqttws_aws_sigv4_builder_build`, or freed with
/// `mqttws_aws_sigv4_builder_free`. Threading: one thread at a time.
pub struct mqttws_aws_sigv4_builder {
    _private: [u8; 0],
}

impl Castable for mqttws_aws_sigv4_builder {
    type Ownership = OwnershipBox;
    type RustType = AwsSigV4;
}

/// Starts a presigner for the endpoint `host` (e.g.
/// `abc123-ats.iot.us-east-1.amazonaws.com`, no scheme or port) with an
/// access key id and its secret.
///
/// All strings are copied. On success `*builder_out` receives a builder
/// (build it, or free it with `mqttws_aws_sigv4_builder_free`). NULL
/// parameter: `MQTTWS_NULL_PARAMETER`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_builder_new(
    host: *const c_char,
    access_key_id: *const c_char,
    secret_access_key: *const c_char,
    builder_out: *mut *mut mqttws_aws_sigv4_builder,
) -> mqttws_result {
    create!(
        builder_out,
        AwsSigV4::new(
            cstr(host, "host")?,
            cstr(access_key_id, "access_key_id")?,
            cstr(secret_access_key, "secret_access_key")?,
        )
    )
}

/// Sets the MQTT client id (required; the IoT policy must allow it).
///
/// `client_id` is copied. NULL `builder` or `client_id`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_builder_set_client_id(
    builder: *mut mqttws_aws_sigv4_builder,
    client_id: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.client_id(cstr(client_id, "client_id")?))
}

/// Sets the port (default 443; another port is signed as `host:port`).
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_builder_set_port(
    builder: *mut mqttws_aws_sigv4_builder,
    port: u16,
) -> mqttws_result {
    set!(builder, |d| d.port(port))
}

/// Sets the signing region instead of deriving it from the host (needed for
/// custom domains).
///
/// `region` is copied. NULL `builder` or `region`: `MQTTWS_NULL_PARAMETER`.
/// One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_builder_set_region(
    builder: *mut mqttws_aws_sigv4_builder,
    region: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.region(cstr(region, "region")?))
}

/// Sets the session token of temporary credentials (STS, Cognito),
/// appended to the URL after signing.
///
/// `token` is copied. NULL `builder` or `token`: `MQTTWS_NULL_PARAMETER`.
/// One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_builder_set_session_token(
    builder: *mut mqttws_aws_sigv4_builder,
    token: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.session_token(cstr(token, "token")?))
}

/// Adds `X-Amz-Expires` (1 to 604800 seconds, checked when signing) to the
/// signed query.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_builder_set_expires(
    builder: *mut mqttws_aws_sigv4_builder,
    seconds: u64,
) -> mqttws_result {
    set!(builder, |d| d.expires(Duration::from_secs(seconds)))
}

/// Turns the builder into a credential provider: every connect presigns a
/// fresh URL, which replaces the options' URL, and the keepalive is checked
/// against 1..1200 s. Nothing is checked here: the values are checked at
/// each signing.
///
/// Always consumes `builder`, also on failure: do not use or free it
/// afterwards. On success `*provider_out` receives a provider the caller
/// frees with `mqttws_credential_provider_free`. NULL `builder` or
/// `provider_out`: `MQTTWS_NULL_PARAMETER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_builder_build(
    builder: *mut mqttws_aws_sigv4_builder,
    provider_out: *mut *const mqttws_credential_provider,
) -> mqttws_result {
    build!(builder, provider_out)
}

/// Frees a builder that was not built. NULL is a no-op. Must not be called
/// twice, nor after `mqttws_aws_sigv4_builder_build`, nor while another
/// thread uses the builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_sigv4_builder_free(builder: *mut mqttws_aws_sigv4_builder) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live builder (header contract).
        unsafe { free_box(builder) }
    }
}

// ---------------------------------------------------------------------------
// Custom authorizer

/// Builds credentials for an AWS IoT Core custom authorizer over wss://:
/// the client id, the URL `wss://{host}/mqtt` (which replaces the options'
/// URL at every connect) and the authorizer parameters as upgrade headers
/// (default) or in the URL query. Keepalive range 1..1200 s.
///
/// Ownership: created by `mqttws_aws_custom_auth_builder_new`; consumed by
/// `mqttws_aws_custom_auth_builder_build`, or freed with
/// `mqttws_aws_custom_auth_builder_free`. Threading: one thread at a time.
pub struct mqttws_aws_custom_auth_builder {
    _private: [u8; 0],
}

impl Castable for mqttws_aws_custom_auth_builder {
    type Ownership = OwnershipBox;
    type RustType = AwsCustomAuth;
}

/// Starts custom-authorizer credentials for the endpoint `host` (no scheme
/// or port).
///
/// `host` is copied. On success `*builder_out` receives a builder (build
/// it, or free it with `mqttws_aws_custom_auth_builder_free`). NULL
/// parameter: `MQTTWS_NULL_PARAMETER`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_builder_new(
    host: *const c_char,
    builder_out: *mut *mut mqttws_aws_custom_auth_builder,
) -> mqttws_result {
    create!(builder_out, AwsCustomAuth::new(cstr(host, "host")?))
}

/// Sets the MQTT client id (required).
///
/// `client_id` is copied. NULL `builder` or `client_id`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_builder_set_client_id(
    builder: *mut mqttws_aws_custom_auth_builder,
    client_id: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.client_id(cstr(client_id, "client_id")?))
}

/// Sets the port (default 443).
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_builder_set_port(
    builder: *mut mqttws_aws_custom_auth_builder,
    port: u16,
) -> mqttws_result {
    set!(builder, |d| d.port(port))
}

/// Sets the authorizer name (`x-amz-customauthorizer-name`; without it the
/// account's default authorizer applies).
///
/// `name` is copied. NULL `builder` or `name`: `MQTTWS_NULL_PARAMETER`. One
/// thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_builder_set_authorizer_name(
    builder: *mut mqttws_aws_custom_auth_builder,
    name: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d.authorizer_name(cstr(name, "name")?))
}

/// Sets the token, sent as `{key_name}: {token}` (or `key_name=token` in
/// the query); `key_name` is the authorizer's token key name.
///
/// Both strings are copied. NULL `builder`, `key_name` or `token`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_builder_set_token(
    builder: *mut mqttws_aws_custom_auth_builder,
    key_name: *const c_char,
    token: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d
        .token(cstr(key_name, "key_name")?, cstr(token, "token")?))
}

/// Sets the token signature (`x-amz-customauthorizer-signature`, base64),
/// needed when the authorizer has token signing on.
///
/// `signature` is copied. NULL `builder` or `signature`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_builder_set_token_signature(
    builder: *mut mqttws_aws_custom_auth_builder,
    signature: *const c_char,
) -> mqttws_result {
    set!(builder, |d| d
        .token_signature(cstr(signature, "signature")?))
}

/// Where the parameters go: `MQTTWS_AWS_CUSTOM_AUTH_HEADERS` (default) or
/// `MQTTWS_AWS_CUSTOM_AUTH_QUERY_STRING`.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`; another value:
/// `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_builder_set_mode(
    builder: *mut mqttws_aws_custom_auth_builder,
    mode: u32,
) -> mqttws_result {
    set!(builder, |d| {
        let mode = match mode {
            MQTTWS_AWS_CUSTOM_AUTH_HEADERS => CustomAuthMode::Headers,
            MQTTWS_AWS_CUSTOM_AUTH_QUERY_STRING => CustomAuthMode::QueryString,
            _ => {
                return Err(Failure::invalid(
                    "mode",
                    format_args!("is {mode}; use MQTTWS_AWS_CUSTOM_AUTH_*"),
                ));
            }
        };
        d.mode(mode)
    })
}

/// Turns the builder into a credential provider: every connect uses its
/// URL (replacing the options') and upgrade headers, and the keepalive is
/// checked against 1..1200 s. Nothing is checked here: the values are
/// checked at each signing.
///
/// Always consumes `builder`, also on failure: do not use or free it
/// afterwards. On success `*provider_out` receives a provider the caller
/// frees with `mqttws_credential_provider_free`. NULL `builder` or
/// `provider_out`: `MQTTWS_NULL_PARAMETER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_builder_build(
    builder: *mut mqttws_aws_custom_auth_builder,
    provider_out: *mut *const mqttws_credential_provider,
) -> mqttws_result {
    build!(builder, provider_out)
}

/// Frees a builder that was not built. NULL is a no-op. Must not be called
/// twice, nor after `mqttws_aws_custom_auth_builder_build`, nor while
/// another thread uses the builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_aws_custom_auth_builder_free(
    builder: *mut mqttws_aws_custom_auth_builder,
) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live builder (header contract).
        unsafe { free_box(builder) }
    }
}

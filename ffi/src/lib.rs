//! # mqttws-ffi: the C ABI of mqttws
//!
//! This crate builds `libmqttws.so` and `libmqttws.a`, whose interface is
//! `include/mqttws.h`, generated from these sources by cbindgen (see
//! `ffi/cbindgen.toml` and `make header`). Every `unsafe` block of the
//! project lives here; the core crate is `#![forbid(unsafe_code)]`.
//!
//! ## Conventions (the header's "Conventions" block is the normative text)
//!
//! * Everything is prefixed `mqttws_`; functions are `mqttws_<type>_<verb>`.
//! * Types are opaque and created and freed by the library: `_new()` creates,
//!   `_free()` destroys, and `_free(NULL)` does nothing. Never free twice.
//! * Fallible functions return [`mqttws_result`]; `MQTTWS_OK` is 0. Output
//!   parameters come last and are written only when the function succeeds.
//! * Every pointer parameter is checked: NULL gives `MQTTWS_NULL_PARAMETER`
//!   unless the function documents it as optional.
//! * A `const` first parameter means the call does not change the object.
//! * A panic inside the library never unwinds into C: the function returns
//!   `MQTTWS_PANIC` (or NULL / 0 / false for functions without a result).
//! * Text in: NUL-terminated UTF-8 `const char *`, except topics and
//!   payloads, which are pointer + length. Invalid UTF-8 gives
//!   `MQTTWS_INVALID_PARAMETER`.
//! * Text out: copied into a caller buffer (`buf`, `len`, `out_n`), always
//!   NUL-terminated, or borrowed as [`mqttws_str`] / [`mqttws_bytes`] with
//!   the lifetime stated by the function.
//!
//! ## Module map
//!
//! | module | C surface |
//! |---|---|
//! | `ffi` | pointer plumbing: `Castable`, checked conversions (`obj`, `cstr`, `text`, `bytes`, `out`) |
//! | `panic` | `ffi_panic_boundary!` |
//! | `error` | `mqttws_result`, `mqttws_result_str`, `mqttws_error` |
//! | `slice` | `mqttws_str`, `mqttws_bytes`, text copy-out |
//! | `options` | `mqttws_options_builder`, `mqttws_options` |
//! | `properties` | MQTT 5: `mqttws_publish_properties`, `mqttws_connack` |
//! | `client` | `mqttws_client`, `mqttws_subscription`, `mqttws_subscribe_filter` |
//! | `event` | `mqttws_event` (opaque, with accessors), `mqttws_message` |
//! | `auth` | `mqttws_credential_provider`, `mqttws_credentials`; per platform (`auth::tencent`, `aliyun`, `aws`, `azure`, `huawei`) only a builder: `mqttws_<platform>_builder_*` |

#![allow(non_camel_case_types)]
#![warn(missing_docs, unreachable_pub)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]
// The exports are `unsafe extern "C"` because they take raw pointers. Their
// safety contract is the same for all of them and is written once, in the
// header's "Conventions" (a non-NULL pointer must be what the parameter's
// type says, live, and not used concurrently except as the thread rules
// allow), rather than as a `# Safety` section in each function's comment,
// which cbindgen would copy into the header a hundred times.
#![allow(clippy::missing_safety_doc)]

#[macro_use]
mod panic;
mod ffi;

// (cbindgen lists the functions module by module, in file-name order.)
pub mod auth;
pub mod client;
pub mod error;
pub mod event;
pub mod options;
pub mod properties;
pub mod slice;

#[cfg(test)]
mod error_lists;

/// The library version as a static NUL-terminated string, e.g. `"0.1.0"`.
///
/// Compare with `MQTTWS_VERSION_STRING` to detect a header/library mismatch.
/// Never NULL; the string is static and must not be freed. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn mqttws_version() -> *const std::ffi::c_char {
    ffi_panic_boundary! {
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
    }
}

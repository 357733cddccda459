//! Client options: a mutable builder, consumed into immutable options.
//!
//! ```text
//! mqttws_options_builder_new(url)      Box<Builder>       one thread at a time
//!   ├─ mqttws_options_builder_set_*    (mutate)
//!   └─ mqttws_options_builder_build ─► Arc<ClientOptions> shareable, immutable
//!                                        └─ mqttws_client_new (clones them)
//! ```

use std::ffi::c_char;
use std::sync::Arc;
use std::time::Duration;

use mqttws_core::auth::CredentialProvider;
use mqttws_core::{
    ClientOptions, ConnectProperties, IncomingQueue, OfflineQueue, ProtocolVersion, ProxyConfig,
    PublishProperties, QueueFull, ReconnectPolicy, Will, WsUrl,
};

use crate::auth::mqttws_credential_provider;
use crate::client::message;
use crate::error::{Failure, mqttws_error, mqttws_result};
use crate::ffi::{
    Castable, OwnershipArc, OwnershipBox, bytes, cstr, free_arc, free_box, obj, obj_box, obj_mut,
    out, path, run, run_reporting, to_arc_const_ptr, to_boxed_mut_ptr,
};
use crate::properties::mqttws_publish_properties;

/// MQTT 3.1.1 (protocol level 4), the default: a
/// `mqttws_options_builder_set_protocol_version` value.
pub const MQTTWS_PROTOCOL_V311: u32 = 4;
/// MQTT 5.0 (protocol level 5): a `mqttws_options_builder_set_protocol_version`
/// value.
pub const MQTTWS_PROTOCOL_V5: u32 = 5;

/// A mutable set of client options, turned into an immutable
/// `mqttws_options` by `mqttws_options_builder_build`.
///
/// Ownership: created by `mqttws_options_builder_new`; consumed by
/// `mqttws_options_builder_build`, or freed with `mqttws_options_builder_free`.
/// Threading: not safe for concurrent use; one thread at a time. (Under the
/// hood: a `Box` of the Rust `ClientOptions` being built.)
pub struct mqttws_options_builder {
    _private: [u8; 0],
}

/// Immutable client options, used by `mqttws_client_new` (which copies what
/// it needs, so the options may be freed right after).
///
/// Ownership: created by `mqttws_options_builder_build`, freed with
/// `mqttws_options_free`. Threading: immutable and reference-counted; may be
/// used from several threads at once (e.g. to create clients in parallel).
pub struct mqttws_options {
    _private: [u8; 0],
}

/// What the builder accumulates. The will and the CONNECT properties are
/// kept apart and put into the options by `_build`, so that their setters
/// may come in any order.
pub(crate) struct Builder {
    opts: ClientOptions,
    username: Option<String>,
    password: Option<String>,
    will: Option<Will>,
    will_properties: Option<PublishProperties>,
    will_delay_interval: Option<u32>,
    connect: ConnectProperties,
}

impl Builder {
    fn update(&mut self, f: impl FnOnce(ClientOptions) -> ClientOptions) {
        self.opts = f(self.opts.clone());
    }
}

impl Castable for mqttws_options_builder {
    type Ownership = OwnershipBox;
    type RustType = Builder;
}

impl Castable for mqttws_options {
    type Ownership = OwnershipArc;
    type RustType = ClientOptions;
}

/// Applies `f` to the builder behind `builder`.
///
/// # Safety
///
/// `builder` is NULL or a live builder used by no other thread.
pub(crate) unsafe fn with_builder(
    builder: *mut mqttws_options_builder,
    f: impl FnOnce(&mut Builder) -> Result<(), Failure>,
) -> mqttws_result {
    run(|| {
        // SAFETY: per this function's contract.
        let b = unsafe { obj_mut(builder, "builder") }?;
        f(b)
    })
}

/// Starts building options for the broker at `url` (`ws://host[:port]/path`
/// or `wss://...`; path and query are sent exactly as written).
///
/// Defaults: empty client id (the broker assigns one), no user name,
/// keepalive 60 s, clean session, no will, the Mozilla root CAs for wss://,
/// connect and operation timeouts 10 s, packets up to 1 MiB of payload,
/// inflight window 20. The URL is checked by `mqttws_options_builder_build`.
///
/// `url` is copied. On success `*builder_out` receives a new builder that the
/// caller owns (pass it to `mqttws_options_builder_build`, or free it with
/// `mqttws_options_builder_free`). NULL `url` or `builder_out`:
/// `MQTTWS_NULL_PARAMETER`; `url` not UTF-8: `MQTTWS_INVALID_PARAMETER`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_new(
    url: *const c_char,
    builder_out: *mut *mut mqttws_options_builder,
) -> mqttws_result {
    ffi_panic_boundary! {
        run(|| {
            // SAFETY: NUL-terminated string and writable out-pointer, or NULL (header contract).
            let (url, builder_out) = unsafe { (cstr(url, "url")?, out(builder_out, "builder_out")?) };
            let b = Builder {
                opts: ClientOptions::new(url),
                username: None,
                password: None,
                will: None,
                will_properties: None,
                will_delay_interval: None,
                connect: ConnectProperties::default(),
            };
            builder_out.write(to_boxed_mut_ptr::<mqttws_options_builder>(b));
            Ok(())
        })
    }
}

/// Frees a builder that was not built. NULL is a no-op. Must not be called
/// twice, nor after `mqttws_options_builder_build` (which consumed it), nor
/// while another thread uses the builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_free(builder: *mut mqttws_options_builder) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live builder from mqttws_options_builder_new.
        unsafe { free_box(builder) }
    }
}

/// Sets the MQTT client identifier (default empty: the broker assigns one,
/// which requires a clean session).
///
/// `client_id` (UTF-8) is copied. NULL `builder` or `client_id`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_client_id(
    builder: *mut mqttws_options_builder,
    client_id: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                let id = cstr(client_id, "client_id")?;
                b.update(|o| o.client_id(id));
                Ok(())
            })
        }
    }
}

/// Sets the CONNECT user name (default: none).
///
/// `username` (UTF-8) is copied. NULL `builder` or `username`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_username(
    builder: *mut mqttws_options_builder,
    username: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                b.username = Some(cstr(username, "username")?.to_owned());
                Ok(())
            })
        }
    }
}

/// Sets the CONNECT password (default: none). MQTT 3.1.1 sends a password
/// only with a user name: building options with a password and no user name
/// fails with `MQTTWS_INVALID_ARGUMENT`.
///
/// `password` (UTF-8) is copied; the library never prints it. NULL `builder`
/// or `password`: `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_password(
    builder: *mut mqttws_options_builder,
    password: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                b.password = Some(cstr(password, "password")?.to_owned());
                Ok(())
            })
        }
    }
}

/// Sets the keepalive interval in seconds (default 60; 0 turns keepalive
/// off). A PINGREQ goes out after this much silence; no PINGRESP within half
/// of it closes the connection with `MQTTWS_TIMEOUT`. With a platform
/// credential provider, a value outside the platform's range makes
/// `mqttws_client_connect` fail with `MQTTWS_INVALID_ARGUMENT`.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_keepalive(
    builder: *mut mqttws_options_builder,
    seconds: u16,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                b.update(|o| o.keepalive(seconds));
                Ok(())
            })
        }
    }
}

/// Sets the clean-session flag (default true). False asks the broker to
/// keep subscriptions and queued QoS 1/2 messages across connections (needs
/// a client id).
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_clean_session(
    builder: *mut mqttws_options_builder,
    clean_session: bool,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                b.update(|o| o.clean_session(clean_session));
                Ok(())
            })
        }
    }
}

/// Sets the last will: the message the broker publishes if the client
/// vanishes without `mqttws_client_disconnect`.
///
/// `topic` is `topic_len` bytes of UTF-8 without wildcards (not
/// NUL-terminated); `payload` is `payload_len` bytes (NULL allowed when
/// `payload_len` is 0); both are copied. `qos` is 0, 1 or 2. NULL `builder`
/// or `topic`: `MQTTWS_NULL_PARAMETER`; bad UTF-8 or QoS above 2:
/// `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_will(
    builder: *mut mqttws_options_builder,
    topic: *const c_char,
    topic_len: usize,
    payload: *const u8,
    payload_len: usize,
    qos: u8,
    retain: bool,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and lengths as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                let (topic, payload, qos) = message(topic, topic_len, payload, payload_len, qos)?;
                b.will = Some(Will::new(topic, payload, qos, retain));
                Ok(())
            })
        }
    }
}

/// MQTT 5: gives the will message these properties (content type, message
/// expiry, user properties...; see `mqttws_publish_properties`). Needs a
/// will (`mqttws_options_builder_set_will`, before or after this call) and
/// protocol version 5: `mqttws_options_builder_build` refuses properties
/// without a will, and `mqttws_client_connect` refuses them under 3.1.1,
/// both with `MQTTWS_INVALID_ARGUMENT`.
///
/// `properties` is copied (owned or borrowed properties may be passed, and
/// freed right after). NULL `builder` or `properties`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_will_properties(
    builder: *mut mqttws_options_builder,
    properties: *const mqttws_publish_properties,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                b.will_properties = Some(obj(properties, "properties")?.to_core());
                Ok(())
            })
        }
    }
}

/// MQTT 5: makes the broker wait `seconds` after the connection is lost
/// before it publishes the will (default: at once; a reconnect within the
/// delay cancels it). Needs a will and protocol version 5, as
/// `mqttws_options_builder_set_will_properties`.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_will_delay_interval(
    builder: *mut mqttws_options_builder,
    seconds: u32,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                b.will_delay_interval = Some(seconds);
                Ok(())
            })
        }
    }
}

/// Trusts only the CA certificates in this PEM file for wss:// (default:
/// the Mozilla root CAs). The file is read by `mqttws_client_new`.
///
/// `path` (a NUL-terminated file name) is copied. NULL `builder` or `path`:
/// `MQTTWS_NULL_PARAMETER`; empty `path`: `MQTTWS_INVALID_PARAMETER`. One
/// thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_ca_file(
    builder: *mut mqttws_options_builder,
    path: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                let p = self::path(path, "path")?.to_owned();
                b.update(|o| o.ca_file(p));
                Ok(())
            })
        }
    }
}

/// Trusts only the CA certificates in this PEM text for wss://.
///
/// `pem` is `pem_len` bytes (not NUL-terminated), copied. NULL `builder` or
/// `pem`: `MQTTWS_NULL_PARAMETER`; `pem_len` 0: `MQTTWS_INVALID_PARAMETER`.
/// One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_ca_pem(
    builder: *mut mqttws_options_builder,
    pem: *const u8,
    pem_len: usize,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and length as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                let pem = non_empty_bytes(pem, pem_len, "pem")?;
                b.update(|o| o.ca_pem(pem));
                Ok(())
            })
        }
    }
}

/// Presents this client certificate chain and private key (PEM files;
/// PKCS#8, PKCS#1 or SEC1 key, unencrypted) for mutual TLS. The files are
/// read by `mqttws_client_new`.
///
/// Both paths are copied. NULL `builder`, `cert_path` or `key_path`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_client_cert_files(
    builder: *mut mqttws_options_builder,
    cert_path: *const c_char,
    key_path: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                let cert = path(cert_path, "cert_path")?.to_owned();
                let key = path(key_path, "key_path")?.to_owned();
                b.update(|o| o.client_cert_files(cert, key));
                Ok(())
            })
        }
    }
}

/// Presents this client certificate chain and private key (PEM text) for
/// mutual TLS.
///
/// Both buffers (not NUL-terminated) are copied; the key is never printed.
/// NULL `builder`, `cert_pem` or `key_pem`: `MQTTWS_NULL_PARAMETER`; a zero
/// length: `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_client_cert_pem(
    builder: *mut mqttws_options_builder,
    cert_pem: *const u8,
    cert_pem_len: usize,
    key_pem: *const u8,
    key_pem_len: usize,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and lengths as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                let cert = non_empty_bytes(cert_pem, cert_pem_len, "cert_pem")?;
                let key = non_empty_bytes(key_pem, key_pem_len, "key_pem")?;
                b.update(|o| o.client_cert_pem(cert, key));
                Ok(())
            })
        }
    }
}

/// Accepts any server certificate when `insecure` is true (default false).
/// For tests against throwaway servers only: it removes all protection
/// against impostors.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_insecure_skip_verify(
    builder: *mut mqttws_options_builder,
    insecure: bool,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                b.update(|o| o.insecure_skip_verify(insecure));
                Ok(())
            })
        }
    }
}

/// Adds an HTTP header to the WebSocket upgrade request (may be called
/// several times). The handshake's own headers (Host, Connection, Upgrade,
/// Sec-WebSocket-*) are refused by `mqttws_client_new`.
///
/// `name` (an HTTP token) and `value` (UTF-8 without CR or LF) are copied.
/// NULL `builder`, `name` or `value`: `MQTTWS_NULL_PARAMETER`; an invalid
/// name or value: `MQTTWS_INVALID_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_add_header(
    builder: *mut mqttws_options_builder,
    name: *const c_char,
    value: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                let name = cstr(name, "name")?;
                let value = cstr(value, "value")?;
                let token = |c: u8| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c);
                if name.is_empty() || !name.bytes().all(token) {
                    return Err(Failure::invalid("name", "is not an HTTP header name"));
                }
                if value.bytes().any(|c| c == b'\r' || c == b'\n') {
                    return Err(Failure::invalid("value", "contains CR or LF"));
                }
                b.update(|o| o.header(name, value));
                Ok(())
            })
        }
    }
}

/// Sets the deadline for a whole connect (DNS, TCP, TLS, upgrade, CONNACK)
/// in milliseconds (default 10000).
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`; 0: `MQTTWS_INVALID_PARAMETER`.
/// One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_connect_timeout_ms(
    builder: *mut mqttws_options_builder,
    timeout_ms: u32,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                let t = non_zero_ms(timeout_ms, "timeout_ms")?;
                b.update(|o| o.connect_timeout(t));
                Ok(())
            })
        }
    }
}

/// Sets the deadline in milliseconds (default 10000) for the waits inside
/// subscribe, unsubscribe, disconnect, `mqttws_client_wait_for` with a
/// negative timeout, a full inflight window and a full socket.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`; 0: `MQTTWS_INVALID_PARAMETER`.
/// One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_operation_timeout_ms(
    builder: *mut mqttws_options_builder,
    timeout_ms: u32,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                let t = non_zero_ms(timeout_ms, "timeout_ms")?;
                b.update(|o| o.operation_timeout(t));
                Ok(())
            })
        }
    }
}

/// Sets the largest incoming packet accepted, in bytes of MQTT remaining
/// length (default: room for a 1 MiB payload). A larger packet closes the
/// connection with `MQTTWS_PROTOCOL`.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`; 0: `MQTTWS_INVALID_PARAMETER`.
/// One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_max_packet_size(
    builder: *mut mqttws_options_builder,
    bytes: usize,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                if bytes == 0 {
                    return Err(Failure::invalid("bytes", "is 0"));
                }
                b.update(|o| o.max_packet_size(bytes));
                Ok(())
            })
        }
    }
}

/// Sets how many outgoing QoS 1/2 messages may await acknowledgement at
/// once (default 20, mosquitto's own limit). A publish beyond it waits, up to the operation
/// timeout, for room.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`; 0: `MQTTWS_INVALID_PARAMETER`.
/// One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_inflight_window(
    builder: *mut mqttws_options_builder,
    window: u16,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                if window == 0 {
                    return Err(Failure::invalid("window", "is 0"));
                }
                b.update(|o| o.inflight_window(window));
                Ok(())
            })
        }
    }
}

/// Tunnels every connection through an HTTP CONNECT or SOCKS5 proxy, given
/// as a URL: `http://[user:password@]host[:port]`, `socks5://...` (or a
/// bare `host:port`, HTTP); user and password may be percent-encoded.
/// `timeout_ms` bounds the proxy phase (0: only the connect timeout
/// applies). Proxies are never taken from the environment implicitly.
///
/// `proxy_url` is copied (the password is never printed). NULL `builder` or
/// `proxy_url`: `MQTTWS_NULL_PARAMETER`; a malformed or unsupported URL
/// (https://, socks4://): `MQTTWS_INVALID_ARGUMENT`. One thread at a time
/// per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_proxy(
    builder: *mut mqttws_options_builder,
    proxy_url: *const c_char,
    timeout_ms: u32,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                let mut proxy = ProxyConfig::parse(cstr(proxy_url, "proxy_url")?).map_err(Failure::from)?;
                if timeout_ms > 0 {
                    proxy = proxy.timeout(Duration::from_millis(u64::from(timeout_ms)));
                }
                b.update(|o| o.proxy(proxy));
                Ok(())
            })
        }
    }
}

/// Turns on the automatic reconnect: after a drop, the client waits a
/// growing, jittered delay (from `min_delay_ms` up to `max_delay_ms`) and
/// connects again, inside the caller's `mqttws_client_poll` /
/// `mqttws_client_wait_for`, which report `MQTTWS_EVENT_DISCONNECTED`,
/// `MQTTWS_EVENT_RECONNECTING` and `MQTTWS_EVENT_CONNECTED` instead of
/// failing. A connection that lasted `stable_after_ms` resets the back-off.
/// With `restore_subscriptions`, the subscriptions are made again when the
/// broker kept no session. Also turns on an offline queue with default
/// bounds (1000 messages, 4 MiB) unless one was set. Off by default; the
/// first connect is still `mqttws_client_connect`.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`; `min_delay_ms` 0 or above
/// `max_delay_ms`: `MQTTWS_INVALID_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_reconnect(
    builder: *mut mqttws_options_builder,
    min_delay_ms: u32,
    max_delay_ms: u32,
    stable_after_ms: u32,
    restore_subscriptions: bool,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                let min_delay = non_zero_ms(min_delay_ms, "min_delay_ms")?;
                if max_delay_ms < min_delay_ms {
                    return Err(Failure::invalid("max_delay_ms", "is below min_delay_ms"));
                }
                let policy = ReconnectPolicy {
                    min_delay,
                    max_delay: Duration::from_millis(u64::from(max_delay_ms)),
                    stable_after: Duration::from_millis(u64::from(stable_after_ms)),
                    restore_subscriptions,
                };
                b.update(|o| o.reconnect(policy));
                Ok(())
            })
        }
    }
}

/// Accepts publishes while disconnected, up to `max_messages` messages and
/// `max_bytes` bytes of topics and payloads; they are sent after the next
/// CONNACK. When a message does not fit: with `drop_oldest` false the
/// publish fails with `MQTTWS_QUEUE_FULL`; with true the oldest queued
/// message is dropped (reported as `MQTTWS_EVENT_DROPPED`). Off by default:
/// publishing while disconnected is `MQTTWS_CLOSED`.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`; a zero bound:
/// `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_offline_queue(
    builder: *mut mqttws_options_builder,
    max_messages: usize,
    max_bytes: usize,
    drop_oldest: bool,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                if max_messages == 0 {
                    return Err(Failure::invalid("max_messages", "is 0"));
                }
                if max_bytes == 0 {
                    return Err(Failure::invalid("max_bytes", "is 0"));
                }
                let queue = OfflineQueue {
                    max_messages,
                    max_bytes,
                    when_full: if drop_oldest { QueueFull::DropOldest } else { QueueFull::Error },
                };
                b.update(|o| o.offline_queue(queue));
                Ok(())
            })
        }
    }
}

/// Bounds received messages that the application has not taken with
/// `mqttws_client_poll` yet (default 10,000 messages and 32 MiB of topics
/// and payloads). When either is reached the client stops reading from the
/// socket until poll takes messages, so that TCP pushes back on the broker;
/// nothing is dropped. Meanwhile a blocking call that waits for an
/// acknowledgement (publish_and_wait, subscribe...) may end with
/// `MQTTWS_TIMEOUT`.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`; a zero value:
/// `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_incoming_queue(
    builder: *mut mqttws_options_builder,
    max_messages: usize,
    max_bytes: usize,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                if max_messages == 0 {
                    return Err(Failure::invalid("max_messages", "is 0"));
                }
                if max_bytes == 0 {
                    return Err(Failure::invalid("max_bytes", "is 0"));
                }
                b.update(|o| o.incoming_queue(IncomingQueue { max_messages, max_bytes }));
                Ok(())
            })
        }
    }
}

/// Sends a WebSocket PING every `interval_ms` and declares the link dead
/// (`MQTTWS_TIMEOUT`) when the PONG has not come within `timeout_ms`; keeps
/// proxies and load balancers with idle timeouts from closing a quiet
/// connection. Off by default (MQTT keepalive already detects dead links).
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`; a zero value:
/// `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_ws_ping(
    builder: *mut mqttws_options_builder,
    interval_ms: u32,
    timeout_ms: u32,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                let interval = non_zero_ms(interval_ms, "interval_ms")?;
                let timeout = non_zero_ms(timeout_ms, "timeout_ms")?;
                b.update(|o| o.ws_ping(interval, timeout));
                Ok(())
            })
        }
    }
}

/// Keeps outgoing QoS 1/2 messages in a durable store in directory `dir`
/// until the broker acknowledges them: each is synced to disk before
/// `mqttws_client_publish` returns, and a client created later on the same
/// directory (after a crash, say) sends the unacknowledged ones again. One
/// client per directory at a time. The directory is opened by
/// `mqttws_client_new`.
///
/// `dir` is copied. NULL `builder` or `dir`: `MQTTWS_NULL_PARAMETER`; empty
/// `dir`: `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_store_dir(
    builder: *mut mqttws_options_builder,
    dir: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                let dir = path(dir, "dir")?.to_owned();
                b.update(|o| o.store_dir(dir));
                Ok(())
            })
        }
    }
}

/// Makes a platform's credential provider sign every connect of clients
/// made from these options: the client id, user name and password it
/// computes with the current time override the builder's (for AWS the URL
/// too), and `mqttws_client_connect` checks the keepalive against the
/// platform's range (`MQTTWS_INVALID_ARGUMENT` outside it). The builder's
/// URL stays the one to connect to: take it from
/// `mqttws_credential_provider_url`.
///
/// The builder takes its own reference: `provider` is borrowed for the call
/// and may be freed right after. A second call replaces the provider. NULL
/// `builder` or `provider`: `MQTTWS_NULL_PARAMETER`. One thread at a time
/// per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_credential_provider(
    builder: *mut mqttws_options_builder,
    provider: *const mqttws_credential_provider,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                let provider: Arc<dyn CredentialProvider> = Arc::clone(obj(provider, "provider")?);
                b.update(|o| o.credential_provider(provider));
                Ok(())
            })
        }
    }
}

/// Chooses the MQTT version: `MQTTWS_PROTOCOL_V311` (4, the default) or
/// `MQTTWS_PROTOCOL_V5` (5). Under 3.1.1, every MQTT 5-only argument
/// (CONNECT or will properties, publish properties, subscription options
/// other than QoS, a subscription identifier) is refused with
/// `MQTTWS_INVALID_ARGUMENT` before anything is sent.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`; another value:
/// `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_protocol_version(
    builder: *mut mqttws_options_builder,
    version: u32,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_builder(builder, |b| {
                let v = match version {
                    MQTTWS_PROTOCOL_V311 => ProtocolVersion::V311,
                    MQTTWS_PROTOCOL_V5 => ProtocolVersion::V5,
                    _ => {
                        return Err(Failure::invalid(
                            "version",
                            format_args!("is {version}; use MQTTWS_PROTOCOL_V311 or MQTTWS_PROTOCOL_V5"),
                        ));
                    }
                };
                b.update(|o| o.protocol_version(v));
                Ok(())
            })
        }
    }
}

/// Sets a CONNECT property (MQTT 5) on the builder.
///
/// # Safety
///
/// `builder` is NULL or a live builder used by no other thread.
unsafe fn set_connect(
    builder: *mut mqttws_options_builder,
    f: impl FnOnce(&mut ConnectProperties) -> Result<(), Failure>,
) -> mqttws_result {
    // SAFETY: per this function's contract.
    unsafe { with_builder(builder, |b| f(&mut b.connect)) }
}

/// MQTT 5 CONNECT property: how long, in seconds, the broker keeps the
/// session after the connection closes (0: it ends with the connection;
/// 0xFFFFFFFF: never). Not set: 0, or "never" with clean session off, so
/// that a persistent session works as under 3.1.1.
///
/// Like every CONNECT property: under 3.1.1, `mqttws_client_connect` fails
/// with `MQTTWS_INVALID_ARGUMENT` and sends nothing. NULL `builder`:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_session_expiry_interval(
    builder: *mut mqttws_options_builder,
    seconds: u32,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            set_connect(builder, |p| {
                p.session_expiry_interval = Some(seconds);
                Ok(())
            })
        }
    }
}

/// MQTT 5 CONNECT property: how many QoS 1/2 messages the broker may have
/// in flight toward the client at once (not set: 65,535).
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`; 0: `MQTTWS_INVALID_PARAMETER`.
/// One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_receive_maximum(
    builder: *mut mqttws_options_builder,
    value: u16,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            set_connect(builder, |p| {
                if value == 0 {
                    return Err(Failure::invalid("value", "is 0; MQTT 5 allows 1 to 65535"));
                }
                p.receive_maximum = Some(value);
                Ok(())
            })
        }
    }
}

/// MQTT 5 CONNECT property: the largest packet, in bytes, the client tells
/// the broker it accepts (not set: the incoming limit of
/// `mqttws_options_builder_set_max_packet_size` is announced). It only
/// informs the broker; what the client accepts stays that incoming limit.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`; 0: `MQTTWS_INVALID_PARAMETER`.
/// One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_maximum_packet_size(
    builder: *mut mqttws_options_builder,
    bytes: u32,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            set_connect(builder, |p| {
                if bytes == 0 {
                    return Err(Failure::invalid("bytes", "is 0"));
                }
                p.maximum_packet_size = Some(bytes);
                Ok(())
            })
        }
    }
}

/// MQTT 5 CONNECT property: how many topic aliases the broker may use
/// toward the client (default 0: none). The client resolves them; messages
/// always arrive with their topic.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_topic_alias_maximum(
    builder: *mut mqttws_options_builder,
    value: u16,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            set_connect(builder, |p| {
                p.topic_alias_maximum = Some(value);
                Ok(())
            })
        }
    }
}

/// MQTT 5 CONNECT property: asks the broker for response information
/// (`mqttws_connack_response_information`). Default false.
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_request_response_information(
    builder: *mut mqttws_options_builder,
    request: bool,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            set_connect(builder, |p| {
                p.request_response_information = request;
                Ok(())
            })
        }
    }
}

/// MQTT 5 CONNECT property: false asks the broker not to send reason
/// strings and user properties except in PUBLISH, CONNACK and DISCONNECT
/// (not set: the broker may send them everywhere).
///
/// NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
/// builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_set_request_problem_information(
    builder: *mut mqttws_options_builder,
    request: bool,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            set_connect(builder, |p| {
                p.request_problem_information = Some(request);
                Ok(())
            })
        }
    }
}

/// MQTT 5 CONNECT property: appends a user property (name and value,
/// UTF-8, copied); call once per property. Order is kept and a name may
/// repeat.
///
/// NULL `builder`, `name` or `value`: `MQTTWS_NULL_PARAMETER`; not UTF-8:
/// `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_add_connect_user_property(
    builder: *mut mqttws_options_builder,
    name: *const c_char,
    value: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            set_connect(builder, |p| {
                let pair = (cstr(name, "name")?.to_owned(), cstr(value, "value")?.to_owned());
                p.user_properties.push(pair);
                Ok(())
            })
        }
    }
}

/// Turns the builder into immutable options, checking the URL and the user
/// name / password pair.
///
/// Always consumes `builder`, also on failure: do not use or free it
/// afterwards. On success `*options_out` receives options that the caller
/// frees with `mqttws_options_free`. On failure, if `err_out` is not NULL,
/// `*err_out` receives an `mqttws_error` (free it with `mqttws_error_free`);
/// `err_out` is optional. NULL `builder` or `options_out`:
/// `MQTTWS_NULL_PARAMETER`; a bad URL, a password without user name, or
/// will properties or a will delay without a will:
/// `MQTTWS_INVALID_ARGUMENT`. One thread at a time per builder.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_builder_build(
    builder: *mut mqttws_options_builder,
    options_out: *mut *const mqttws_options,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result {
    ffi_panic_boundary! {
        let body = || {
            // SAFETY: a live builder (consumed here) and a writable
            // out-pointer, or NULL (header contract).
            let (b, options_out) =
                unsafe { (obj_box::<mqttws_options_builder>(builder, "builder")?, out(options_out, "options_out")?) };
            let Builder {
                mut opts, username, password, will, will_properties, will_delay_interval, connect,
            } = *b;
            WsUrl::parse(opts.url()).map_err(Failure::from)?;
            match will {
                Some(mut will) => {
                    will.properties = will_properties.unwrap_or_default();
                    will.delay_interval = will_delay_interval;
                    opts = opts.will(will);
                }
                None if will_properties.is_some() || will_delay_interval.is_some() => {
                    return Err(Failure::new(
                        mqttws_result::MQTTWS_INVALID_ARGUMENT,
                        "will properties or a will delay need a will (mqttws_options_builder_set_will)",
                    ));
                }
                None => {}
            }
            opts = opts.connect_properties(connect);
            opts = match (username, password) {
                (Some(u), Some(p)) => opts.credentials(u, p),
                (Some(u), None) => opts.username(u),
                (None, None) => opts,
                (None, Some(_)) => {
                    return Err(Failure::new(
                        mqttws_result::MQTTWS_INVALID_ARGUMENT,
                        "a password was set without a user name; MQTT 3.1.1 sends a password only with a user name",
                    ));
                }
            };
            options_out.write(to_arc_const_ptr::<mqttws_options>(opts));
            Ok(())
        };
        // SAFETY: err_out is NULL or writable (header contract).
        unsafe { run_reporting(err_out, body) }
    }
}

/// Frees options. NULL is a no-op. Clients created from them are not
/// affected. Must not be called twice, nor while another thread still uses
/// these options (e.g. in `mqttws_client_new`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_options_free(options: *const mqttws_options) {
    ffi_panic_boundary! {
        // SAFETY: NULL or live options from mqttws_options_builder_build.
        unsafe { free_arc(options) }
    }
}

/// A non-empty byte buffer parameter, copied.
///
/// # Safety
///
/// As [`bytes`], and NULL is refused.
unsafe fn non_empty_bytes(ptr: *const u8, len: usize, name: &str) -> Result<Vec<u8>, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: per this function's contract.
    let b = unsafe { bytes(ptr, len, name) }?;
    if b.is_empty() {
        return Err(Failure::invalid(name, "is empty"));
    }
    Ok(b.to_vec())
}

fn non_zero_ms(ms: u32, name: &str) -> Result<Duration, Failure> {
    if ms == 0 {
        Err(Failure::invalid(name, "is 0"))
    } else {
        Ok(Duration::from_millis(u64::from(ms)))
    }
}

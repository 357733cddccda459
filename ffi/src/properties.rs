//! MQTT 5 properties: `mqttws_publish_properties` (what a PUBLISH or a will
//! carries; built by the caller, or borrowed from a received message) and
//! `mqttws_connack` (what the broker said in CONNACK).
//!
//! Both keep their texts NUL-terminated, so that accessors hand out
//! `mqttws_str` views without copying; the core's types are rebuilt from
//! them when a message is published.
//!
//! Optional values the core keeps as `Option` are read with accessors that
//! return `bool` (present or not) and write the value through an optional
//! output (see [`crate::ffi::read_opt`]): the C side sees exactly what the
//! broker sent, and the protocol's defaults for absent values stay in the
//! core's documentation, not in a second copy here.

use std::ffi::c_char;

use mqttws_core::{Bytes, ConnAckProperties, PublishProperties};

use crate::error::{Failure, mqttws_result};
use crate::event::qos_u8;
use crate::ffi::{
    Castable, OwnershipArc, OwnershipBox, bytes, cstr, free_arc, free_box, obj, obj_mut, out, read,
    read_opt, run, text, to_boxed_mut_ptr,
};
use crate::slice::{
    TextPair, mqttws_bytes, mqttws_str, nul_terminated, opt_view, pair_at, text_of, text_pair,
};

// ---------------------------------------------------------------------------
// mqttws_publish_properties

/// The MQTT 5 properties of a message: payload format, message expiry,
/// content type, response topic, correlation data, user properties and
/// (received messages only) subscription identifiers.
///
/// Two kinds of pointers reach the caller:
///
/// * Owned, from `mqttws_publish_properties_new`: set with the
///   `mqttws_publish_properties_set_*` / `_add_*` functions, pass to
///   `mqttws_client_publish_with` or `mqttws_options_builder_set_will_properties`
///   (which copy it) as often as wanted, free with
///   `mqttws_publish_properties_free`. One thread at a time while it is
///   being changed; may be read (published) from several threads at once.
/// * Borrowed, `const`, from a received message (`mqttws_message.properties`):
///   owned by the event, valid until `mqttws_event_free` (inside the
///   message callback: until the callback returns). Read it; never free or
///   change it.
///
/// The reading accessors work on both.
pub struct mqttws_publish_properties {
    _private: [u8; 0],
}

/// The Rust value behind `mqttws_publish_properties`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PublishProps {
    payload_format_utf8: Option<bool>,
    message_expiry_interval: Option<u32>,
    content_type: Option<Box<[u8]>>,
    response_topic: Option<Box<[u8]>>,
    correlation_data: Option<Bytes>,
    user_properties: Vec<TextPair>,
    subscription_identifiers: Vec<u32>,
}

impl Castable for mqttws_publish_properties {
    type Ownership = OwnershipBox;
    type RustType = PublishProps;
}

impl PublishProps {
    /// The C view of a received message's properties.
    pub(crate) fn from_core(p: &PublishProperties) -> Self {
        Self {
            payload_format_utf8: p.payload_format_utf8,
            message_expiry_interval: p.message_expiry_interval,
            content_type: p.content_type.as_deref().map(nul_terminated),
            response_topic: p.response_topic.as_deref().map(nul_terminated),
            correlation_data: p.correlation_data.clone(),
            user_properties: p.user_properties.iter().map(text_pair).collect(),
            subscription_identifiers: p.subscription_identifiers.clone(),
        }
    }

    /// The core's properties, to publish.
    pub(crate) fn to_core(&self) -> PublishProperties {
        PublishProperties {
            payload_format_utf8: self.payload_format_utf8,
            message_expiry_interval: self.message_expiry_interval,
            content_type: self.content_type.as_deref().map(text_of),
            response_topic: self.response_topic.as_deref().map(text_of),
            correlation_data: self.correlation_data.clone(),
            user_properties: self
                .user_properties
                .iter()
                .map(|(k, v)| (text_of(k), text_of(v)))
                .collect(),
            subscription_identifiers: self.subscription_identifiers.clone(),
        }
    }
}

/// The properties behind an optional `const` parameter: NULL is none.
///
/// # Safety
///
/// `properties` is NULL or live properties.
pub(crate) unsafe fn opt_publish_properties(
    properties: *const mqttws_publish_properties,
) -> PublishProperties {
    // SAFETY: per this function's contract.
    unsafe {
        read(
            properties,
            PublishProperties::default(),
            PublishProps::to_core,
        )
    }
}

/// Applies `f` to owned properties.
///
/// # Safety
///
/// `properties` is NULL or live owned properties used by no other thread.
unsafe fn update(
    properties: *mut mqttws_publish_properties,
    f: impl FnOnce(&mut PublishProps) -> Result<(), Failure>,
) -> mqttws_result {
    run(|| {
        // SAFETY: per this function's contract.
        f(unsafe { obj_mut(properties, "properties") }?)
    })
}

/// Creates empty publish properties (nothing set: a PUBLISH without
/// properties).
///
/// On success `*properties_out` receives properties the caller frees with
/// `mqttws_publish_properties_free`. NULL `properties_out`:
/// `MQTTWS_NULL_PARAMETER`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_new(
    properties_out: *mut *mut mqttws_publish_properties,
) -> mqttws_result {
    ffi_panic_boundary! {
        run(|| {
            // SAFETY: NULL or a writable out-pointer (header contract).
            let o = unsafe { out(properties_out, "properties_out") }?;
            o.write(to_boxed_mut_ptr::<mqttws_publish_properties>(PublishProps::default()));
            Ok(())
        })
    }
}

/// Frees properties made by `mqttws_publish_properties_new`. NULL is a
/// no-op. Never pass the borrowed properties of a received message, never
/// free twice, and not while another thread uses them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_free(
    properties: *mut mqttws_publish_properties,
) {
    ffi_panic_boundary! {
        // SAFETY: NULL or owned properties not used afterwards (header contract).
        unsafe { free_box(properties) }
    }
}

/// Sets the payload format indicator: true, the payload is UTF-8 text (a
/// publish whose payload is not valid UTF-8 is then refused with
/// `MQTTWS_INVALID_ARGUMENT`); false, unspecified bytes (sent explicitly).
///
/// NULL `properties`: `MQTTWS_NULL_PARAMETER`. One thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_set_payload_format_utf8(
    properties: *mut mqttws_publish_properties,
    utf8: bool,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            update(properties, |p| {
                p.payload_format_utf8 = Some(utf8);
                Ok(())
            })
        }
    }
}

/// Sets the message expiry interval: seconds after which the broker
/// discards the message if it has not delivered it (a retained message
/// stops being retained).
///
/// NULL `properties`: `MQTTWS_NULL_PARAMETER`. One thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_set_message_expiry_interval(
    properties: *mut mqttws_publish_properties,
    seconds: u32,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            update(properties, |p| {
                p.message_expiry_interval = Some(seconds);
                Ok(())
            })
        }
    }
}

/// Sets the content type, e.g. `"application/json"` (UTF-8, copied).
///
/// NULL `properties` or `content_type`: `MQTTWS_NULL_PARAMETER`; not
/// UTF-8: `MQTTWS_INVALID_PARAMETER`. One thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_set_content_type(
    properties: *mut mqttws_publish_properties,
    content_type: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            update(properties, |p| {
                p.content_type = Some(nul_terminated(cstr(content_type, "content_type")?));
                Ok(())
            })
        }
    }
}

/// Sets the response topic, where a responder should publish its answer:
/// `topic_len` bytes of UTF-8 (not NUL-terminated), copied.
///
/// NULL `properties` or `topic`: `MQTTWS_NULL_PARAMETER`; not UTF-8 or with
/// a NUL: `MQTTWS_INVALID_PARAMETER`. One thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_set_response_topic(
    properties: *mut mqttws_publish_properties,
    topic: *const c_char,
    topic_len: usize,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and length as documented (header contract).
        unsafe {
            update(properties, |p| {
                p.response_topic = Some(nul_terminated(text(topic, topic_len, "topic")?));
                Ok(())
            })
        }
    }
}

/// Sets the correlation data (binary, `len` bytes, copied; NULL allowed
/// when `len` is 0, which sends empty correlation data).
///
/// NULL `properties`, or NULL `data` with `len` > 0:
/// `MQTTWS_NULL_PARAMETER`. One thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_set_correlation_data(
    properties: *mut mqttws_publish_properties,
    data: *const u8,
    len: usize,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and length as documented (header contract).
        unsafe {
            update(properties, |p| {
                p.correlation_data = Some(Bytes::copy_from_slice(bytes(data, len, "data")?));
                Ok(())
            })
        }
    }
}

/// Appends a user property (a name and a value, UTF-8, copied). User
/// properties keep their order, and a name may repeat.
///
/// NULL `properties`, `name` or `value`: `MQTTWS_NULL_PARAMETER`; not
/// UTF-8: `MQTTWS_INVALID_PARAMETER`. One thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_add_user_property(
    properties: *mut mqttws_publish_properties,
    name: *const c_char,
    value: *const c_char,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            update(properties, |p| {
                let pair = (nul_terminated(cstr(name, "name")?), nul_terminated(cstr(value, "value")?));
                p.user_properties.push(pair);
                Ok(())
            })
        }
    }
}

/// The payload format indicator: returns true and writes it to `utf8_out`
/// (true: UTF-8 text; false: unspecified bytes, sent explicitly) when it
/// is set; false when it is not (or `properties` is NULL). `utf8_out` may
/// be NULL to ask only whether it is set. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_payload_format_utf8(
    properties: *const mqttws_publish_properties,
    utf8_out: *mut bool,
) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or live properties, NULL or a writable output (header contract).
        unsafe { read_opt(properties, utf8_out, |p| p.payload_format_utf8) }
    }
}

/// The message expiry interval in seconds (for a received message, what is
/// left of it): returns true and writes it to `seconds_out` when it is set;
/// false when it is not (or `properties` is NULL). `seconds_out` may be NULL
/// to ask only whether it is set. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_message_expiry_interval(
    properties: *const mqttws_publish_properties,
    seconds_out: *mut u32,
) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or live properties, NULL or a writable output (header contract).
        unsafe { read_opt(properties, seconds_out, |p| p.message_expiry_interval) }
    }
}

/// The content type, borrowed from `properties` (NUL-terminated); `data`
/// NULL when it is not set or `properties` is NULL. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_content_type(
    properties: *const mqttws_publish_properties,
) -> mqttws_str {
    ffi_panic_boundary! {
        // SAFETY: NULL or live properties (header contract).
        unsafe { read(properties, mqttws_str::NONE, |p| opt_view(p.content_type.as_deref())) }
    }
}

/// The response topic, borrowed from `properties` (NUL-terminated); `data`
/// NULL when it is not set or `properties` is NULL. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_response_topic(
    properties: *const mqttws_publish_properties,
) -> mqttws_str {
    ffi_panic_boundary! {
        // SAFETY: NULL or live properties (header contract).
        unsafe { read(properties, mqttws_str::NONE, |p| opt_view(p.response_topic.as_deref())) }
    }
}

/// The correlation data: returns true and writes a view borrowed from
/// `properties` to `data_out` when it is set (possibly empty; `data` is
/// never NULL); false when it is not (or `properties` is NULL). `data_out`
/// may be NULL to ask only whether it is set. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_correlation_data(
    properties: *const mqttws_publish_properties,
    data_out: *mut mqttws_bytes,
) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or live properties, NULL or a writable output (header contract).
        unsafe { read_opt(properties, data_out, |p| p.correlation_data.as_deref().map(mqttws_bytes::of)) }
    }
}

/// The number of user properties. NULL `properties`: 0. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_user_property_count(
    properties: *const mqttws_publish_properties,
) -> usize {
    ffi_panic_boundary! {
        // SAFETY: NULL or live properties (header contract).
        unsafe { read(properties, 0, |p| p.user_properties.len()) }
    }
}

/// The user property at `index` (0 to count - 1, in the order sent): its
/// name and value, borrowed from `properties`, NUL-terminated.
///
/// NULL `properties`, `name_out` or `value_out`: `MQTTWS_NULL_PARAMETER`;
/// `index` out of range: `MQTTWS_INVALID_PARAMETER`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_user_property(
    properties: *const mqttws_publish_properties,
    index: usize,
    name_out: *mut mqttws_str,
    value_out: *mut mqttws_str,
) -> mqttws_result {
    ffi_panic_boundary! {
        run(|| {
            // SAFETY: NULL or live properties, NULL or writable outputs (header contract).
            unsafe { pair_at(&obj(properties, "properties")?.user_properties, index, name_out, value_out) }
        })
    }
}

/// The number of subscription identifiers: a received message carries the
/// identifiers of the subscriptions it matched (see
/// `mqttws_client_subscribe_with`); 0 for properties made with
/// `mqttws_publish_properties_new` and for NULL `properties`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_subscription_identifier_count(
    properties: *const mqttws_publish_properties,
) -> usize {
    ffi_panic_boundary! {
        // SAFETY: NULL or live properties (header contract).
        unsafe { read(properties, 0, |p| p.subscription_identifiers.len()) }
    }
}

/// The subscription identifier at `index` (0 to count - 1; identifiers are
/// 1 to 268,435,455); 0 for an index out of range and for NULL
/// `properties`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_publish_properties_subscription_identifier(
    properties: *const mqttws_publish_properties,
    index: usize,
) -> u32 {
    ffi_panic_boundary! {
        // SAFETY: NULL or live properties (header contract).
        unsafe { read(properties, 0, |p| p.subscription_identifiers.get(index).copied().unwrap_or(0)) }
    }
}

// ---------------------------------------------------------------------------
// mqttws_connack

/// What the broker answered in CONNACK on the client's most recent
/// connection: whether it resumed a session, and (MQTT 5) its properties:
/// an assigned client id, its limits, a reason string, a server reference.
/// Under MQTT 3.1.1 every property is absent.
///
/// Ownership: a snapshot handed out by `mqttws_client_connack`, freed with
/// `mqttws_connack_free`; the views its accessors return are valid until
/// then. Later connections do not change it. Threading: immutable and
/// reference-counted; may be read from several threads at once.
pub struct mqttws_connack {
    _private: [u8; 0],
}

/// The Rust value behind `mqttws_connack`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ConnackData {
    session_present: bool,
    session_expiry_interval: Option<u32>,
    receive_maximum: Option<u16>,
    maximum_qos: Option<u8>,
    retain_available: Option<bool>,
    maximum_packet_size: Option<u32>,
    assigned_client_identifier: Option<Box<[u8]>>,
    topic_alias_maximum: Option<u16>,
    reason_string: Option<Box<[u8]>>,
    user_properties: Vec<TextPair>,
    wildcard_subscription_available: Option<bool>,
    subscription_identifiers_available: Option<bool>,
    shared_subscription_available: Option<bool>,
    server_keep_alive: Option<u16>,
    response_information: Option<Box<[u8]>>,
    server_reference: Option<Box<[u8]>>,
}

impl Castable for mqttws_connack {
    type Ownership = OwnershipArc;
    type RustType = ConnackData;
}

impl ConnackData {
    pub(crate) fn new(session_present: bool, p: &ConnAckProperties) -> Self {
        let text = |s: &Option<String>| s.as_deref().map(nul_terminated);
        Self {
            session_present,
            session_expiry_interval: p.session_expiry_interval,
            receive_maximum: p.receive_maximum,
            maximum_qos: p.maximum_qos.map(qos_u8),
            retain_available: p.retain_available,
            maximum_packet_size: p.maximum_packet_size,
            assigned_client_identifier: text(&p.assigned_client_identifier),
            topic_alias_maximum: p.topic_alias_maximum,
            reason_string: text(&p.reason_string),
            user_properties: p.user_properties.iter().map(text_pair).collect(),
            wildcard_subscription_available: p.wildcard_subscription_available,
            subscription_identifiers_available: p.subscription_identifiers_available,
            shared_subscription_available: p.shared_subscription_available,
            server_keep_alive: p.server_keep_alive,
            response_information: text(&p.response_information),
            server_reference: text(&p.server_reference),
        }
    }
}

/// Releases the caller's reference to a CONNACK snapshot. NULL is a no-op.
/// Never free twice.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_free(connack: *const mqttws_connack) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a snapshot from mqttws_client_connack not freed before (header contract).
        unsafe { free_arc(connack) }
    }
}

/// Whether the broker resumed a stored session. NULL `connack`: false.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_session_present(connack: *const mqttws_connack) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot (header contract).
        unsafe { read(connack, false, |c| c.session_present) }
    }
}

/// The client id the broker assigned (when the client sent an empty one),
/// borrowed from `connack`, NUL-terminated; `data` NULL when the broker
/// assigned none or `connack` is NULL. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_assigned_client_identifier(
    connack: *const mqttws_connack,
) -> mqttws_str {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot (header contract).
        unsafe { read(connack, mqttws_str::NONE, |c| opt_view(c.assigned_client_identifier.as_deref())) }
    }
}

/// The broker's reason string, borrowed from `connack`, NUL-terminated;
/// `data` NULL when it sent none or `connack` is NULL. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_reason_string(
    connack: *const mqttws_connack,
) -> mqttws_str {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot (header contract).
        unsafe { read(connack, mqttws_str::NONE, |c| opt_view(c.reason_string.as_deref())) }
    }
}

/// The response information (sent when the client asked for it with
/// `mqttws_options_builder_set_request_response_information`), borrowed
/// from `connack`, NUL-terminated; `data` NULL when absent or `connack` is
/// NULL. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_response_information(
    connack: *const mqttws_connack,
) -> mqttws_str {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot (header contract).
        unsafe { read(connack, mqttws_str::NONE, |c| opt_view(c.response_information.as_deref())) }
    }
}

/// Another server the broker suggests (redirection; the client does not
/// follow it), borrowed from `connack`, NUL-terminated; `data` NULL when
/// absent or `connack` is NULL. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_server_reference(
    connack: *const mqttws_connack,
) -> mqttws_str {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot (header contract).
        unsafe { read(connack, mqttws_str::NONE, |c| opt_view(c.server_reference.as_deref())) }
    }
}

/// The number of CONNACK user properties. NULL `connack`: 0. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_user_property_count(
    connack: *const mqttws_connack,
) -> usize {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot (header contract).
        unsafe { read(connack, 0, |c| c.user_properties.len()) }
    }
}

/// The CONNACK user property at `index` (0 to count - 1): name and value,
/// borrowed from `connack`, NUL-terminated.
///
/// NULL `connack`, `name_out` or `value_out`: `MQTTWS_NULL_PARAMETER`;
/// `index` out of range: `MQTTWS_INVALID_PARAMETER`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_user_property(
    connack: *const mqttws_connack,
    index: usize,
    name_out: *mut mqttws_str,
    value_out: *mut mqttws_str,
) -> mqttws_result {
    ffi_panic_boundary! {
        run(|| {
            // SAFETY: NULL or a live snapshot, NULL or writable outputs (header contract).
            unsafe { pair_at(&obj(connack, "connack")?.user_properties, index, name_out, value_out) }
        })
    }
}

/// The session expiry interval the broker chose, in seconds, when it
/// differs from the one asked for: returns true and writes it to
/// `seconds_out` (which may be NULL) when CONNACK carried it; false when it
/// did not (or `connack` is NULL). Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_session_expiry_interval(
    connack: *const mqttws_connack,
    seconds_out: *mut u32,
) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot, NULL or a writable output (header contract).
        unsafe { read_opt(connack, seconds_out, |c| c.session_expiry_interval) }
    }
}

/// How many QoS 1/2 messages the broker accepts in flight from the client
/// (the client's inflight window never exceeds it): returns true and writes
/// it to `value_out` (which may be NULL) when CONNACK carried it; false
/// when it did not (MQTT 5's default is then 65,535) or `connack` is NULL.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_receive_maximum(
    connack: *const mqttws_connack,
    value_out: *mut u16,
) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot, NULL or a writable output (header contract).
        unsafe { read_opt(connack, value_out, |c| c.receive_maximum) }
    }
}

/// The highest QoS the broker supports (0 or 1): returns true and writes
/// it to `qos_out` (which may be NULL) when CONNACK carried it; false when
/// it did not (the broker supports QoS 2) or `connack` is NULL. A publish
/// above it is refused with `MQTTWS_INVALID_ARGUMENT`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_maximum_qos(
    connack: *const mqttws_connack,
    qos_out: *mut u8,
) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot, NULL or a writable output (header contract).
        unsafe { read_opt(connack, qos_out, |c| c.maximum_qos) }
    }
}

/// Whether the broker supports retained messages: returns true and writes
/// it to `available_out` (which may be NULL) when CONNACK said; false when
/// it did not (they are supported) or `connack` is NULL. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_retain_available(
    connack: *const mqttws_connack,
    available_out: *mut bool,
) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot, NULL or a writable output (header contract).
        unsafe { read_opt(connack, available_out, |c| c.retain_available) }
    }
}

/// The largest packet the broker accepts, in bytes (the client refuses to
/// send a larger one): returns true and writes it to `bytes_out` (which may
/// be NULL) when CONNACK carried it; false when it did not (no limit) or
/// `connack` is NULL. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_maximum_packet_size(
    connack: *const mqttws_connack,
    bytes_out: *mut u32,
) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot, NULL or a writable output (header contract).
        unsafe { read_opt(connack, bytes_out, |c| c.maximum_packet_size) }
    }
}

/// How many topic aliases the client may use toward the broker (the client
/// uses them by itself): returns true and writes it to `value_out` (which
/// may be NULL) when CONNACK carried it; false when it did not (none) or
/// `connack` is NULL. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_topic_alias_maximum(
    connack: *const mqttws_connack,
    value_out: *mut u16,
) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot, NULL or a writable output (header contract).
        unsafe { read_opt(connack, value_out, |c| c.topic_alias_maximum) }
    }
}

/// The keepalive the broker imposes, in seconds (the client uses it instead
/// of its own): returns true and writes it to `seconds_out` (which may be
/// NULL) when CONNACK carried it; false when it did not or `connack` is
/// NULL. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_server_keep_alive(
    connack: *const mqttws_connack,
    seconds_out: *mut u16,
) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot, NULL or a writable output (header contract).
        unsafe { read_opt(connack, seconds_out, |c| c.server_keep_alive) }
    }
}

/// Whether the broker supports wildcard subscriptions: returns true and
/// writes it to `available_out` (which may be NULL) when CONNACK said;
/// false when it did not (they are supported) or `connack` is NULL.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_wildcard_subscription_available(
    connack: *const mqttws_connack,
    available_out: *mut bool,
) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot, NULL or a writable output (header contract).
        unsafe { read_opt(connack, available_out, |c| c.wildcard_subscription_available) }
    }
}

/// Whether the broker supports subscription identifiers: returns true and
/// writes it to `available_out` (which may be NULL) when CONNACK said;
/// false when it did not (they are supported) or `connack` is NULL.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_subscription_identifiers_available(
    connack: *const mqttws_connack,
    available_out: *mut bool,
) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot, NULL or a writable output (header contract).
        unsafe { read_opt(connack, available_out, |c| c.subscription_identifiers_available) }
    }
}

/// Whether the broker supports shared subscriptions: returns true and
/// writes it to `available_out` (which may be NULL) when CONNACK said;
/// false when it did not (they are supported) or `connack` is NULL.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_connack_shared_subscription_available(
    connack: *const mqttws_connack,
    available_out: *mut bool,
) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live snapshot, NULL or a writable output (header contract).
        unsafe { read_opt(connack, available_out, |c| c.shared_subscription_available) }
    }
}

#[cfg(test)]
// The tests pass pointers to live locals or NULL on purpose.
#[allow(clippy::undocumented_unsafe_blocks)]
mod tests {
    use super::*;
    use crate::ffi::{borrowed_ptr, to_arc_const_ptr};
    use mqttws_core::QoS;

    fn s(v: mqttws_str) -> Option<String> {
        (!v.data.is_null()).then(|| {
            let b = unsafe { std::slice::from_raw_parts(v.data.cast::<u8>(), v.len + 1) };
            assert_eq!(b[v.len], 0, "NUL-terminated");
            String::from_utf8(b[..v.len].to_vec()).unwrap()
        })
    }

    #[test]
    fn publish_properties_set_in_c_become_the_core_ones_in_order() {
        let mut p = std::ptr::null_mut();
        unsafe {
            assert_eq!(
                mqttws_publish_properties_new(&mut p),
                mqttws_result::MQTTWS_OK
            );
            mqttws_publish_properties_set_payload_format_utf8(p, true);
            mqttws_publish_properties_set_message_expiry_interval(p, 60);
            mqttws_publish_properties_set_content_type(p, c"text/plain".as_ptr());
            mqttws_publish_properties_set_response_topic(p, c"re/q".as_ptr(), 4);
            mqttws_publish_properties_set_correlation_data(p, std::ptr::null(), 0);
            mqttws_publish_properties_add_user_property(p, c"k".as_ptr(), c"1".as_ptr());
            mqttws_publish_properties_add_user_property(p, c"k".as_ptr(), c"2".as_ptr());
            let core = opt_publish_properties(p);
            assert_eq!(
                core,
                PublishProperties {
                    payload_format_utf8: Some(true),
                    message_expiry_interval: Some(60),
                    content_type: Some("text/plain".into()),
                    response_topic: Some("re/q".into()),
                    correlation_data: Some(Bytes::new()),
                    user_properties: vec![("k".into(), "1".into()), ("k".into(), "2".into())],
                    subscription_identifiers: vec![],
                }
            );
            // Read back through the accessors.
            let mut b = mqttws_bytes::of(b"x");
            assert!(mqttws_publish_properties_correlation_data(p, &mut b));
            assert_eq!(b.len, 0);
            assert!(!b.data.is_null());
            let (mut k, mut v) = (mqttws_str::NONE, mqttws_str::NONE);
            assert_eq!(
                mqttws_publish_properties_user_property(p, 1, &mut k, &mut v),
                mqttws_result::MQTTWS_OK
            );
            assert_eq!((s(k).unwrap(), s(v).unwrap()), ("k".into(), "2".into()));
            assert_eq!(
                mqttws_publish_properties_user_property(p, 2, &mut k, &mut v),
                mqttws_result::MQTTWS_INVALID_PARAMETER
            );
            mqttws_publish_properties_free(p);
            assert_eq!(
                opt_publish_properties(std::ptr::null()),
                PublishProperties::default()
            );
        }
    }

    #[test]
    fn received_properties_read_back_with_absent_values_reported_as_absent() {
        let core = PublishProperties {
            content_type: Some("a/b".into()),
            subscription_identifiers: vec![7, 9],
            ..PublishProperties::default()
        };
        let data = PublishProps::from_core(&core);
        let p: *const mqttws_publish_properties = borrowed_ptr(&data);
        unsafe {
            assert_eq!(
                s(mqttws_publish_properties_content_type(p)).as_deref(),
                Some("a/b")
            );
            assert_eq!(s(mqttws_publish_properties_response_topic(p)), None);
            let mut n = 5u32;
            assert!(!mqttws_publish_properties_message_expiry_interval(
                p, &mut n
            ));
            assert_eq!(n, 5, "nothing written when absent");
            assert!(!mqttws_publish_properties_payload_format_utf8(
                p,
                std::ptr::null_mut()
            ));
            assert!(!mqttws_publish_properties_correlation_data(
                p,
                std::ptr::null_mut()
            ));
            assert_eq!(
                mqttws_publish_properties_subscription_identifier_count(p),
                2
            );
            assert_eq!(mqttws_publish_properties_subscription_identifier(p, 1), 9);
            assert_eq!(mqttws_publish_properties_subscription_identifier(p, 2), 0);
        }
        assert_eq!(data.to_core(), core);
    }

    #[test]
    fn connack_accessors_report_what_the_broker_sent_and_only_that() {
        let props = ConnAckProperties {
            maximum_qos: Some(QoS::AtLeastOnce),
            retain_available: Some(false),
            server_keep_alive: Some(30),
            assigned_client_identifier: Some("auto-1".into()),
            server_reference: Some("other:1883".into()),
            user_properties: vec![("a".into(), "b".into())],
            ..ConnAckProperties::default()
        };
        let c = to_arc_const_ptr::<mqttws_connack>(ConnackData::new(true, &props));
        unsafe {
            assert!(mqttws_connack_session_present(c));
            let (mut q, mut r, mut k) = (9u8, true, 0u16);
            assert!(mqttws_connack_maximum_qos(c, &mut q) && q == 1);
            assert!(mqttws_connack_retain_available(c, &mut r) && !r);
            assert!(mqttws_connack_server_keep_alive(c, &mut k) && k == 30);
            assert!(!mqttws_connack_receive_maximum(c, std::ptr::null_mut()));
            assert!(!mqttws_connack_topic_alias_maximum(c, &mut k) && k == 30);
            assert_eq!(
                s(mqttws_connack_assigned_client_identifier(c)).as_deref(),
                Some("auto-1")
            );
            assert_eq!(
                s(mqttws_connack_server_reference(c)).as_deref(),
                Some("other:1883")
            );
            assert_eq!(s(mqttws_connack_reason_string(c)), None);
            assert_eq!(mqttws_connack_user_property_count(c), 1);
            mqttws_connack_free(c);
            assert!(!mqttws_connack_session_present(std::ptr::null()));
            assert!(!mqttws_connack_maximum_qos(std::ptr::null(), &mut q));
        }
    }
}

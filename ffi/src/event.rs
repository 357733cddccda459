//! Events: what `mqttws_client_poll` hands out, each an opaque object the
//! caller owns and reads with accessors.
//!
//! # Why opaque
//!
//! An event used to be a caller-allocated `#[repr(C)]` struct: adding a
//! field (MQTT 5 properties are next) would have changed its size and broken
//! every compiled caller, and its views pointed into storage the client
//! reused at the next poll, which cannot work with several threads
//! polling. Now `mqttws_client_poll` allocates each event; its views live
//! exactly as long as the event (until `mqttws_event_free`), whichever
//! thread polled it; and new information arrives as new accessor functions.
//!
//! `mqttws_message` stays a struct: the library allocates it inside the
//! event and hands out only `const` pointers to it, so fields may be added
//! at its end without breaking callers (who must never allocate or copy
//! one by value). The header's "Extensibility" rules say so.

use mqttws_core::{Bytes, Event, QoS};

use crate::ffi::{Castable, OwnershipBox, borrowed_ptr, read, to_boxed_mut_ptr};
use crate::properties::{PublishProps, mqttws_publish_properties};
use crate::slice::{mqttws_bytes, mqttws_str, nul_terminated, opt_view};

/// An event from `mqttws_client_poll`: opaque; read it with the
/// `mqttws_event_*` accessors.
///
/// Ownership: created by `mqttws_client_poll`, owned by its caller, freed
/// with `mqttws_event_free`. Every view an accessor returns is borrowed from
/// the event: valid until the event is freed, on any thread. Threading:
/// immutable; may be read from several threads.
pub struct mqttws_event {
    _private: [u8; 0],
}

/// What an event reports (`mqttws_event_get_kind`). New kinds may be added;
/// treat an unknown one like `MQTTWS_EVENT_OTHER`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mqttws_event_kind {
    /// Not an event (the kind of a NULL event).
    MQTTWS_EVENT_NONE = 0,
    /// A message arrived: see `mqttws_event_message`.
    MQTTWS_EVENT_MESSAGE = 1,
    /// An outgoing QoS 1 message was acknowledged (PUBACK) or a QoS 2 one
    /// completed (PUBCOMP): see `mqttws_event_packet_id`.
    MQTTWS_EVENT_PUBLISHED = 2,
    /// A SUBACK that no call was waiting for: see `mqttws_event_packet_id`,
    /// `mqttws_event_granted_qos`, `mqttws_event_reason_codes`.
    MQTTWS_EVENT_SUBSCRIBED = 3,
    /// An UNSUBACK that no call was waiting for: see
    /// `mqttws_event_packet_id`, `mqttws_event_reason_codes` (MQTT 5).
    MQTTWS_EVENT_UNSUBSCRIBED = 4,
    /// Connected again by the automatic reconnect (not reported for
    /// `mqttws_client_connect`, which returns the outcome itself): see
    /// `mqttws_event_session_present`, and `mqttws_client_connack` for the
    /// rest of this CONNACK.
    MQTTWS_EVENT_CONNECTED = 5,
    /// The full offline queue dropped a message to make room; it will never
    /// be sent: see `mqttws_event_packet_id` (0 for QoS 0) and
    /// `mqttws_event_text` (its topic).
    MQTTWS_EVENT_DROPPED = 6,
    /// The connection ended and the automatic reconnect takes over: see
    /// `mqttws_event_text` (why). A RECONNECTING event follows.
    MQTTWS_EVENT_DISCONNECTED = 7,
    /// The automatic reconnect will try again: see `mqttws_event_attempt`
    /// (1 for the first after a drop) and `mqttws_event_delay_ms` (the
    /// back-off before it).
    MQTTWS_EVENT_RECONNECTING = 8,
    /// The durable store found damaged bytes in its log when the client was
    /// created (reported by the first poll): every valid record was
    /// recovered and the damaged log kept aside; what the damaged bytes held
    /// is lost. See `mqttws_event_text` (what was found, and where the
    /// damaged log is).
    MQTTWS_EVENT_STORE_DAMAGED = 9,
    /// MQTT 5: the broker refused an outgoing QoS 1/2 message (PUBACK or
    /// PUBREC with a reason code of 0x80 or more); the message is done and
    /// not sent again: see `mqttws_event_packet_id`,
    /// `mqttws_event_reason_code` (e.g. 0x87 not authorized) and
    /// `mqttws_event_text` (the broker's reason string, if any). Reported
    /// once: a `mqttws_client_wait_for` that fails with `MQTTWS_REJECTED`
    /// takes the event (as a completed wait takes its PUBLISHED event).
    MQTTWS_EVENT_REJECTED = 10,
    /// MQTT 5: the broker sent DISCONNECT; the connection ends right after
    /// (the next poll fails, or with the automatic reconnect a DISCONNECTED
    /// event follows): see `mqttws_event_reason_code` (0x8B server shutting
    /// down, 0x8E session taken over, 0x9C use another server...),
    /// `mqttws_event_text` (the reason string, if any) and
    /// `mqttws_event_server_reference` (another server, if named; not
    /// followed).
    MQTTWS_EVENT_SERVER_DISCONNECTED = 11,
    /// The broker answered a QoS 2 publish with PUBACK: it took the message
    /// at QoS 1 (it may be delivered twice). A PUBLISHED event with the same
    /// packet id follows. See `mqttws_event_packet_id` and
    /// `mqttws_event_granted_qos` (one byte: the QoS acknowledged).
    MQTTWS_EVENT_DOWNGRADED = 12,
    /// An event this version of the header does not describe; ignore it.
    MQTTWS_EVENT_OTHER = 255,
}

/// A received message, inside an event (`mqttws_event_message`) or handed
/// to the message callback. Allocated by the library: never allocate or
/// copy one yourself; fields may be added at the end in later versions.
/// Its views, and its properties, are borrowed from the event (inside the
/// callback: valid until the callback returns).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct mqttws_message {
    /// The topic (UTF-8, NUL-terminated for convenience; `len` excludes it).
    pub topic: mqttws_str,
    /// The payload (binary; `data` is never NULL, even for an empty payload).
    pub payload: mqttws_bytes,
    /// The QoS the message was delivered with: 0, 1 or 2.
    pub qos: u8,
    /// Whether the broker sent it as a retained message.
    pub retain: bool,
    /// Whether the broker marked it as a possible duplicate.
    pub dup: bool,
    /// MQTT 5: its properties (content type, user properties, subscription
    /// identifiers...), read with the `mqttws_publish_properties_*`
    /// accessors; NULL when it carries none (always under MQTT 3.1.1).
    /// Borrowed from the event like the views: never free or change them.
    pub properties: *const mqttws_publish_properties,
}

/// The Rust value behind a `mqttws_event` pointer. The views in `message`
/// point into the heap buffers of the fields below, which never change once
/// built (moving the value, or boxing it, does not move them).
pub(crate) struct EventData {
    kind: mqttws_event_kind,
    packet_id: u16,
    session_present: bool,
    topic: Box<[u8]>,
    payload: Bytes,
    granted: Box<[u8]>,
    reason_code: u8,
    reason_codes: Box<[u8]>,
    text: Box<[u8]>,
    server_reference: Box<[u8]>,
    attempt: u32,
    delay_ms: u64,
    properties: Option<Box<PublishProps>>,
    message: Option<mqttws_message>,
}

// SAFETY: the raw pointers inside `message` point into this value's own
// immutable heap buffers, so sharing or sending the value shares or sends
// those buffers with it, which are plain bytes.
unsafe impl Send for EventData {}
// SAFETY: as for Send; nothing is ever written after construction.
unsafe impl Sync for EventData {}

impl Castable for mqttws_event {
    type Ownership = OwnershipBox;
    type RustType = EventData;
}

pub(crate) fn qos_u8(q: QoS) -> u8 {
    match q {
        QoS::AtMostOnce => 0,
        QoS::AtLeastOnce => 1,
        QoS::ExactlyOnce => 2,
    }
}

/// Granted QoS per filter as bytes, 0x80 where the broker refused one.
pub(crate) fn granted_bytes(granted: &[Option<QoS>]) -> Box<[u8]> {
    granted.iter().map(|g| g.map_or(0x80, qos_u8)).collect()
}

/// An optional text, NUL-terminated; empty (no view) when absent.
fn opt_text(text: Option<String>) -> Box<[u8]> {
    text.as_deref().map(nul_terminated).unwrap_or_default()
}

/// The view of a text field: `data` NULL when it is empty (absent).
fn text_view(text: &[u8]) -> mqttws_str {
    opt_view((!text.is_empty()).then_some(text))
}

impl EventData {
    fn empty(kind: mqttws_event_kind) -> Self {
        Self {
            kind,
            packet_id: 0,
            session_present: false,
            topic: Box::default(),
            payload: Bytes::new(),
            granted: Box::default(),
            reason_code: 0,
            reason_codes: Box::default(),
            text: Box::default(),
            server_reference: Box::default(),
            attempt: 0,
            delay_ms: 0,
            properties: None,
            message: None,
        }
    }

    /// The C view of a core event.
    pub(crate) fn from_core(ev: Event) -> Self {
        use mqttws_event_kind as K;
        let mut e = match ev {
            Event::Message(m) => {
                let mut e = Self::empty(K::MQTTWS_EVENT_MESSAGE);
                e.topic = nul_terminated(&m.topic);
                e.payload = m.payload;
                e.properties = m.properties.map(|p| Box::new(PublishProps::from_core(&p)));
                e.message = Some(mqttws_message {
                    topic: mqttws_str::NONE,
                    payload: mqttws_bytes::of(&[]),
                    qos: qos_u8(m.qos),
                    retain: m.retain,
                    dup: m.dup,
                    properties: std::ptr::null(),
                });
                e
            }
            Event::Published { packet_id } => Self {
                packet_id,
                ..Self::empty(K::MQTTWS_EVENT_PUBLISHED)
            },
            Event::Subscribed {
                packet_id,
                granted,
                reason_codes,
            } => Self {
                packet_id,
                granted: granted_bytes(&granted),
                reason_codes: reason_codes.into(),
                ..Self::empty(K::MQTTWS_EVENT_SUBSCRIBED)
            },
            Event::Unsubscribed {
                packet_id,
                reason_codes,
            } => Self {
                packet_id,
                reason_codes: reason_codes.into(),
                ..Self::empty(K::MQTTWS_EVENT_UNSUBSCRIBED)
            },
            Event::Rejected {
                packet_id,
                reason_code,
                reason,
            } => Self {
                packet_id,
                reason_code,
                text: opt_text(reason),
                ..Self::empty(K::MQTTWS_EVENT_REJECTED)
            },
            Event::ServerDisconnected {
                reason_code,
                reason,
                server_reference,
            } => Self {
                reason_code,
                text: opt_text(reason),
                server_reference: opt_text(server_reference),
                ..Self::empty(K::MQTTWS_EVENT_SERVER_DISCONNECTED)
            },
            Event::Downgraded { packet_id, granted } => Self {
                packet_id,
                granted: Box::new([qos_u8(granted)]),
                ..Self::empty(K::MQTTWS_EVENT_DOWNGRADED)
            },
            Event::Connected {
                session_present, ..
            } => Self {
                session_present,
                ..Self::empty(K::MQTTWS_EVENT_CONNECTED)
            },
            Event::Dropped { packet_id, topic } => Self {
                packet_id: packet_id.unwrap_or(0),
                text: nul_terminated(&topic),
                ..Self::empty(K::MQTTWS_EVENT_DROPPED)
            },
            Event::Disconnected { reason } => Self {
                text: nul_terminated(&reason),
                ..Self::empty(K::MQTTWS_EVENT_DISCONNECTED)
            },
            Event::Reconnecting { delay, attempt } => Self {
                attempt,
                delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                ..Self::empty(K::MQTTWS_EVENT_RECONNECTING)
            },
            Event::StoreDamaged(damage) => Self {
                text: nul_terminated(&damage.to_string()),
                ..Self::empty(K::MQTTWS_EVENT_STORE_DAMAGED)
            },
            _ => Self::empty(K::MQTTWS_EVENT_OTHER),
        };
        // The views, now that the buffers are allocated for good.
        if e.message.is_some() {
            let (topic, payload, properties) = (
                mqttws_str::of_nul_terminated(&e.topic),
                mqttws_bytes::of(&e.payload),
                e.properties
                    .as_deref()
                    .map_or(std::ptr::null(), borrowed_ptr::<mqttws_publish_properties>),
            );
            if let Some(m) = e.message.as_mut() {
                m.topic = topic;
                m.payload = payload;
                m.properties = properties;
            }
        }
        e
    }

    /// The message, for the callback.
    pub(crate) fn message(&self) -> Option<&mqttws_message> {
        self.message.as_ref()
    }

    /// Hands the event to C.
    pub(crate) fn into_raw(self) -> *mut mqttws_event {
        to_boxed_mut_ptr::<mqttws_event>(self)
    }
}

/// What the event reports. NULL `event`: `MQTTWS_EVENT_NONE`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_event_get_kind(event: *const mqttws_event) -> mqttws_event_kind {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live event (header contract).
        unsafe { read(event, mqttws_event_kind::MQTTWS_EVENT_NONE, |e| e.kind) }
    }
}

/// The message of a `MQTTWS_EVENT_MESSAGE` event, borrowed from the event
/// (valid until `mqttws_event_free`); NULL for other kinds and for a NULL
/// `event`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_event_message(event: *const mqttws_event) -> *const mqttws_message {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live event (header contract).
        unsafe {
            read(event, std::ptr::null(), |e| {
                e.message.as_ref().map_or(std::ptr::null(), |m| m as *const mqttws_message)
            })
        }
    }
}

/// The packet id of a PUBLISHED, SUBSCRIBED, UNSUBSCRIBED or DROPPED event
/// (0 for a dropped QoS 0 message); 0 otherwise and for a NULL `event`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_event_packet_id(event: *const mqttws_event) -> u16 {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live event (header contract).
        unsafe { read(event, 0, |e| e.packet_id) }
    }
}

/// For CONNECTED: whether the broker resumed a stored session; false
/// otherwise and for a NULL `event`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_event_session_present(event: *const mqttws_event) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live event (header contract).
        unsafe { read(event, false, |e| e.session_present) }
    }
}

/// For SUBSCRIBED: the granted QoS per filter (0x80: refused); for
/// DOWNGRADED: one byte, the QoS the broker acknowledged (1). Borrowed from
/// the event; empty otherwise and for a NULL `event`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_event_granted_qos(event: *const mqttws_event) -> mqttws_bytes {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live event (header contract).
        unsafe { read(event, mqttws_bytes::of(&[]), |e| mqttws_bytes::of(&e.granted)) }
    }
}

/// For DROPPED: the topic; for DISCONNECTED: the reason; for
/// STORE_DAMAGED: what was found; for REJECTED and SERVER_DISCONNECTED:
/// the broker's reason string. NUL-terminated, borrowed from the event.
/// `data` NULL and `len` 0 when there is none (a broker need not send a
/// reason string), for other kinds and for a NULL `event`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_event_text(event: *const mqttws_event) -> mqttws_str {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live event (header contract).
        unsafe {
            read(event, mqttws_str::NONE, |e| text_view(&e.text))
        }
    }
}

/// For SUBSCRIBED: the SUBACK reason code per filter (3.1.1: 0, 1, 2 or
/// 0x80; MQTT 5: the granted QoS, or 0x80 and up for a refusal such as 0x87
/// not authorized); for UNSUBSCRIBED (MQTT 5): the UNSUBACK reason code per
/// filter (0x00 success, 0x11 no subscription existed...). Borrowed from
/// the event; empty otherwise (UNSUBSCRIBED under 3.1.1 too) and for a
/// NULL `event`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_event_reason_codes(event: *const mqttws_event) -> mqttws_bytes {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live event (header contract).
        unsafe { read(event, mqttws_bytes::of(&[]), |e| mqttws_bytes::of(&e.reason_codes)) }
    }
}

/// For REJECTED and SERVER_DISCONNECTED: the MQTT 5 reason code; 0
/// otherwise and for a NULL `event`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_event_reason_code(event: *const mqttws_event) -> u8 {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live event (header contract).
        unsafe { read(event, 0, |e| e.reason_code) }
    }
}

/// For SERVER_DISCONNECTED: the other server the broker named (the client
/// does not follow it), NUL-terminated, borrowed from the event; `data`
/// NULL when none was named, for other kinds and for a NULL `event`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_event_server_reference(event: *const mqttws_event) -> mqttws_str {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live event (header contract).
        unsafe { read(event, mqttws_str::NONE, |e| text_view(&e.server_reference)) }
    }
}

/// For RECONNECTING: the attempt number, 1 for the first after a drop; 0
/// otherwise and for a NULL `event`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_event_attempt(event: *const mqttws_event) -> u32 {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live event (header contract).
        unsafe { read(event, 0, |e| e.attempt) }
    }
}

/// For RECONNECTING: the delay before the attempt, in milliseconds; 0
/// otherwise and for a NULL `event`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_event_delay_ms(event: *const mqttws_event) -> u64 {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live event (header contract).
        unsafe { read(event, 0, |e| e.delay_ms) }
    }
}

/// Frees an event and every view borrowed from it. NULL is a no-op. Never
/// free an event twice.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_event_free(event: *mut mqttws_event) {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live event, not used afterwards (header contract).
        unsafe { crate::ffi::free_box(event) }
    }
}

#[cfg(test)]
// The tests read events they made themselves.
#[allow(clippy::undocumented_unsafe_blocks)]
mod tests {
    use super::*;
    use crate::properties::mqttws_publish_properties_user_property_count;
    use mqttws_core::{Message, PublishProperties};

    fn text(v: mqttws_str) -> Option<String> {
        (!v.data.is_null()).then(|| {
            let b = unsafe { std::slice::from_raw_parts(v.data.cast::<u8>(), v.len) };
            String::from_utf8(b.to_vec()).unwrap()
        })
    }

    fn codes(b: mqttws_bytes) -> Vec<u8> {
        unsafe { std::slice::from_raw_parts(b.data, b.len) }.to_vec()
    }

    /// Converts a core event as poll does, reads it through the exports.
    fn with_event<T>(ev: Event, f: impl FnOnce(*const mqttws_event) -> T) -> T {
        let e = EventData::from_core(ev).into_raw();
        let r = f(e);
        unsafe { mqttws_event_free(e) };
        r
    }

    #[test]
    fn mqtt5_refusals_and_server_disconnects_have_kinds_codes_and_reasons() {
        let rejected = Event::Rejected {
            packet_id: 7,
            reason_code: 0x87,
            reason: Some("not yours".into()),
        };
        with_event(rejected, |e| unsafe {
            assert_eq!(
                mqttws_event_get_kind(e),
                mqttws_event_kind::MQTTWS_EVENT_REJECTED
            );
            assert_eq!(mqttws_event_packet_id(e), 7);
            assert_eq!(mqttws_event_reason_code(e), 0x87);
            assert_eq!(text(mqttws_event_text(e)).as_deref(), Some("not yours"));
        });
        let gone = Event::ServerDisconnected {
            reason_code: 0x9C,
            reason: None,
            server_reference: Some("b.example:443".into()),
        };
        with_event(gone, |e| unsafe {
            assert_eq!(
                mqttws_event_get_kind(e),
                mqttws_event_kind::MQTTWS_EVENT_SERVER_DISCONNECTED
            );
            assert_eq!(mqttws_event_reason_code(e), 0x9C);
            assert_eq!(text(mqttws_event_text(e)), None, "no reason string sent");
            assert_eq!(
                text(mqttws_event_server_reference(e)).as_deref(),
                Some("b.example:443")
            );
        });
        let downgraded = Event::Downgraded {
            packet_id: 3,
            granted: QoS::AtLeastOnce,
        };
        with_event(downgraded, |e| unsafe {
            assert_eq!(
                mqttws_event_get_kind(e),
                mqttws_event_kind::MQTTWS_EVENT_DOWNGRADED
            );
            assert_eq!(mqttws_event_packet_id(e), 3);
            assert_eq!(codes(mqttws_event_granted_qos(e)), [1]);
        });
    }

    #[test]
    fn suback_and_unsuback_reason_codes_are_per_filter() {
        let sub = Event::Subscribed {
            packet_id: 1,
            granted: vec![Some(QoS::AtLeastOnce), None],
            reason_codes: vec![1, 0x87],
        };
        with_event(sub, |e| unsafe {
            assert_eq!(codes(mqttws_event_granted_qos(e)), [1, 0x80]);
            assert_eq!(codes(mqttws_event_reason_codes(e)), [1, 0x87]);
        });
        let unsub = Event::Unsubscribed {
            packet_id: 2,
            reason_codes: vec![0, 0x11],
        };
        with_event(unsub, |e| unsafe {
            assert_eq!(codes(mqttws_event_reason_codes(e)), [0, 0x11]);
            assert_eq!(mqttws_event_reason_code(e), 0);
            assert_eq!(text(mqttws_event_server_reference(e)), None);
        });
    }

    #[test]
    fn a_message_points_at_its_properties_only_when_it_has_some() {
        let message = |properties| {
            Event::Message(Message {
                topic: "t".into(),
                payload: Bytes::from_static(b"p"),
                qos: QoS::AtMostOnce,
                retain: false,
                dup: false,
                packet_id: None,
                properties,
            })
        };
        with_event(message(None), |e| unsafe {
            assert!((*mqttws_event_message(e)).properties.is_null());
        });
        let props = PublishProperties {
            user_properties: vec![("a".into(), "1".into())],
            ..PublishProperties::default()
        };
        with_event(message(Some(Box::new(props))), |e| unsafe {
            let p = (*mqttws_event_message(e)).properties;
            assert!(!p.is_null());
            assert_eq!(mqttws_publish_properties_user_property_count(p), 1);
        });
    }
}

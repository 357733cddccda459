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

use crate::ffi::{Castable, OwnershipBox, to_boxed_mut_ptr};
use crate::slice::{mqttws_bytes, mqttws_str, nul_terminated};

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
    /// `mqttws_event_granted_qos`.
    MQTTWS_EVENT_SUBSCRIBED = 3,
    /// An UNSUBACK that no call was waiting for: see
    /// `mqttws_event_packet_id`.
    MQTTWS_EVENT_UNSUBSCRIBED = 4,
    /// Connected again by the automatic reconnect (not reported for
    /// `mqttws_client_connect`, which returns the outcome itself): see
    /// `mqttws_event_session_present`.
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
    /// An event this version of the header does not describe; ignore it.
    MQTTWS_EVENT_OTHER = 255,
}

/// A received message, inside an event (`mqttws_event_message`) or handed
/// to the message callback. Allocated by the library: never allocate or
/// copy one yourself; fields may be added at the end in later versions.
/// Its views are borrowed from the event (inside the callback: valid until
/// the callback returns).
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
    text: Box<[u8]>,
    attempt: u32,
    delay_ms: u64,
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

impl EventData {
    fn empty(kind: mqttws_event_kind) -> Self {
        Self {
            kind,
            packet_id: 0,
            session_present: false,
            topic: Box::default(),
            payload: Bytes::new(),
            granted: Box::default(),
            text: Box::default(),
            attempt: 0,
            delay_ms: 0,
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
                e.message = Some(mqttws_message {
                    topic: mqttws_str::NONE,
                    payload: mqttws_bytes::of(&[]),
                    qos: qos_u8(m.qos),
                    retain: m.retain,
                    dup: m.dup,
                });
                e
            }
            Event::Published { packet_id } => Self {
                packet_id,
                ..Self::empty(K::MQTTWS_EVENT_PUBLISHED)
            },
            Event::Subscribed {
                packet_id, granted, ..
            } => Self {
                packet_id,
                granted: granted.iter().map(|g| g.map_or(0x80, qos_u8)).collect(),
                ..Self::empty(K::MQTTWS_EVENT_SUBSCRIBED)
            },
            Event::Unsubscribed { packet_id, .. } => Self {
                packet_id,
                ..Self::empty(K::MQTTWS_EVENT_UNSUBSCRIBED)
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
            let (topic, payload) = (
                mqttws_str::of_nul_terminated(&e.topic),
                mqttws_bytes::of(&e.payload),
            );
            if let Some(m) = e.message.as_mut() {
                m.topic = topic;
                m.payload = payload;
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

/// Reads `event` (NULL gives `default`).
///
/// # Safety
///
/// `event` is NULL or a live event.
unsafe fn read<T>(event: *const mqttws_event, default: T, f: impl FnOnce(&EventData) -> T) -> T {
    // SAFETY: per this function's contract.
    match unsafe { crate::ffi::obj(event, "event") } {
        Ok(e) => f(e),
        Err(_) => default,
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

/// For SUBSCRIBED: the granted QoS per filter (0x80: refused), borrowed
/// from the event; empty otherwise and for a NULL `event`. Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_event_granted_qos(event: *const mqttws_event) -> mqttws_bytes {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live event (header contract).
        unsafe { read(event, mqttws_bytes::of(&[]), |e| mqttws_bytes::of(&e.granted)) }
    }
}

/// For DROPPED: the topic; for DISCONNECTED: the reason; for
/// STORE_DAMAGED: what was found. NUL-terminated, borrowed from the event.
/// `data` NULL and `len` 0 for other kinds and for a NULL `event`.
/// Thread-safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_event_text(event: *const mqttws_event) -> mqttws_str {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live event (header contract).
        unsafe {
            read(event, mqttws_str::NONE, |e| {
                if e.text.is_empty() {
                    mqttws_str::NONE
                } else {
                    mqttws_str::of_nul_terminated(&e.text)
                }
            })
        }
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

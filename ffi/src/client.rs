//! The client handle: connect, publish, subscribe, poll, interrupt.
//!
//! # Theory of operation
//!
//! A `mqttws_client` is a `Box<ClientHandle>`:
//!
//! ```text
//! ClientHandle
//!   interrupt    InterruptHandle (Send + Sync)  ◄── mqttws_client_interrupt, any thread
//!   in_callback  AtomicBool: a message callback of this client is running
//!   inner        Mutex<Inner>: the core Client, the held event data, the callback
//!   last         Mutex<Option<Failure>>: the last failure, for mqttws_client_last_error
//! ```
//!
//! Rust code never forms a `&mut ClientHandle`: every export borrows it
//! shared, so that `mqttws_client_interrupt` on another thread never aliases
//! a mutable borrow. The interrupt handle sits outside the mutex, so waking
//! a blocked poll never waits for the lock the poll holds.
//!
//! The mutex is only ever *tried* (`try_lock`): a client is used from one
//! thread at a time, so a held lock means a misuse (a second thread), which
//! gets `MQTTWS_BUSY` instead of a deadlock.
//!
//! Poll and the callback: poll takes the lock, gets the next event from the
//! core, moves its data into `inner.held` (which keeps topic and payload
//! alive for the borrowed views), *releases the lock*, and only then calls
//! the message callback with `in_callback` set. So the callback may publish
//! (that takes the free lock), while the calls that would recurse or pull
//! the client from under the poll (poll, connect, free) see `in_callback`
//! and return `MQTTWS_REENTRANT`.

use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::Duration;

use mqttws_core::{Bytes, Client, Event, InterruptHandle, QoS};

use crate::error::{Failure, mqttws_error, mqttws_result, report};
use crate::ffi::{
    Castable, OwnershipBox, array, bytes, obj, obj_arc, opt_out, out, qos, text, to_boxed_mut_ptr,
};
use crate::options::mqttws_options;
use crate::slice::{copy_text, mqttws_bytes, mqttws_str, nul_terminated};

/// An MQTT client connection over WebSocket.
///
/// Ownership: created by `mqttws_client_new`, freed with `mqttws_client_free`.
/// Threading: use a client from one thread at a time; only
/// `mqttws_client_interrupt` may be called from another thread, at any
/// time before `mqttws_client_free`. Calls that would need the client while
/// another thread uses it return `MQTTWS_BUSY` rather than wait.
pub struct mqttws_client {
    _private: [u8; 0],
}

/// What `mqttws_client_poll` returned.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mqttws_event_kind {
    /// Nothing: the timeout passed without an event.
    MQTTWS_EVENT_NONE = 0,
    /// A message arrived: see `message`.
    MQTTWS_EVENT_MESSAGE = 1,
    /// An outgoing QoS 1 message was acknowledged (PUBACK) or a QoS 2 one
    /// completed (PUBCOMP): see `packet_id`.
    MQTTWS_EVENT_PUBLISHED = 2,
    /// A SUBACK that no call was waiting for: see `packet_id`, `granted_qos`.
    MQTTWS_EVENT_SUBSCRIBED = 3,
    /// An UNSUBACK that no call was waiting for: see `packet_id`.
    MQTTWS_EVENT_UNSUBSCRIBED = 4,
    /// Connected again by the automatic reconnect (not reported for
    /// `mqttws_client_connect`, which returns the outcome itself): see
    /// `session_present`.
    MQTTWS_EVENT_CONNECTED = 5,
    /// The full offline queue dropped a message to make room; it will never
    /// be sent: see `packet_id` (0 for QoS 0) and `text` (its topic).
    MQTTWS_EVENT_DROPPED = 6,
    /// The connection ended and the automatic reconnect takes over: see
    /// `text` (why). A RECONNECTING event follows.
    MQTTWS_EVENT_DISCONNECTED = 7,
    /// The automatic reconnect will try again: see `attempt` (1 for the
    /// first after a drop) and `delay_ms` (the back-off before it).
    MQTTWS_EVENT_RECONNECTING = 8,
    /// The durable store found damaged bytes in its log when the client was
    /// created (reported by the first poll): every valid record was
    /// recovered and the damaged log kept aside; what the damaged bytes held
    /// is lost. See `text` (what was found, and where the damaged log is).
    MQTTWS_EVENT_STORE_DAMAGED = 9,
    /// An event this version of the header does not describe; ignore it.
    MQTTWS_EVENT_OTHER = 255,
}

/// A received message. All views are borrowed from the client: valid until
/// the next `mqttws_client_poll` or `mqttws_client_free` on that client
/// (inside a callback: until the callback returns, and then as for poll).
/// Copy what you keep.
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

/// One event from `mqttws_client_poll`. Fields that do not apply to `kind`
/// are zero / NULL. Borrowed views follow the rule of `mqttws_message`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct mqttws_event {
    /// What happened.
    pub kind: mqttws_event_kind,
    /// The packet id for PUBLISHED, SUBSCRIBED, UNSUBSCRIBED and DROPPED.
    pub packet_id: u16,
    /// For CONNECTED: whether the broker resumed a stored session.
    pub session_present: bool,
    /// For MESSAGE: the message.
    pub message: mqttws_message,
    /// For SUBSCRIBED: the granted QoS per filter (0x80: refused).
    pub granted_qos: mqttws_bytes,
    /// For DROPPED: the topic; for DISCONNECTED: the reason; for
    /// STORE_DAMAGED: what was found (NUL-terminated).
    pub text: mqttws_str,
    /// For RECONNECTING: the attempt number, 1 for the first after a drop.
    pub attempt: u32,
    /// For RECONNECTING: the delay before the attempt, in milliseconds.
    pub delay_ms: u64,
}

impl mqttws_event {
    fn none() -> Self {
        let empty = mqttws_bytes {
            data: std::ptr::null(),
            len: 0,
        };
        Self {
            kind: mqttws_event_kind::MQTTWS_EVENT_NONE,
            packet_id: 0,
            session_present: false,
            message: mqttws_message {
                topic: mqttws_str::NONE,
                payload: empty,
                qos: 0,
                retain: false,
                dup: false,
            },
            granted_qos: empty,
            text: mqttws_str::NONE,
            attempt: 0,
            delay_ms: 0,
        }
    }
}

/// One subscription request of `mqttws_client_subscribe_many`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct mqttws_subscription {
    /// The topic filter (UTF-8, wildcards allowed; `len` bytes, a NUL after
    /// them is not needed).
    pub filter: mqttws_str,
    /// The maximum QoS requested: 0, 1 or 2.
    pub qos: u8,
}

/// Called by `mqttws_client_poll`, on the thread calling it, for each
/// message it returns. `userdata` is the pointer given to
/// `mqttws_client_set_message_callback`; `message` is borrowed (see
/// `mqttws_message`). From inside the callback, publish, subscribe,
/// unsubscribe, wait_for, disconnect and the accessors of this client work;
/// poll, connect and free return `MQTTWS_REENTRANT`. The callback must
/// return normally: no longjmp or C++ exception may leave it.
pub type mqttws_message_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, message: *const mqttws_message)>;

/// The Rust value behind a `mqttws_client` pointer.
pub(crate) struct ClientHandle {
    interrupt: InterruptHandle,
    in_callback: AtomicBool,
    /// Calls in progress on this client (see [`Call`]).
    active: AtomicUsize,
    inner: Mutex<Inner>,
    last: Mutex<Option<Failure>>,
}

struct Inner {
    client: Client,
    held: Held,
    callback: Option<Callback>,
}

/// The data behind the views of the last event handed out.
#[derive(Default)]
struct Held {
    topic: Vec<u8>,
    payload: Bytes,
    granted: Vec<u8>,
    text: Vec<u8>,
}

#[derive(Clone, Copy)]
struct Callback {
    f: unsafe extern "C" fn(*mut c_void, *const mqttws_message),
    userdata: *mut c_void,
}

// SAFETY: Rust never dereferences `userdata`; it is only handed back to the
// C callback on the thread that calls poll, as the header documents.
unsafe impl Send for Callback {}

impl Castable for mqttws_client {
    type Ownership = OwnershipBox;
    type RustType = ClientHandle;
}

/// Sets `in_callback` for the life of the value.
struct CallbackScope<'a>(&'a AtomicBool);

impl<'a> CallbackScope<'a> {
    fn enter(flag: &'a AtomicBool) -> Self {
        flag.store(true, Ordering::SeqCst);
        Self(flag)
    }
}

impl Drop for CallbackScope<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl ClientHandle {
    fn record(&self, op: &str, f: &Failure) {
        let mut f = f.clone();
        f.message = format!("{op}: {}", f.message);
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = Some(f);
    }

    fn last(&self) -> Option<Failure> {
        self.last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn refuse_in_callback(&self, op: &str) -> Result<(), Failure> {
        if self.in_callback.load(Ordering::SeqCst) {
            Err(Failure::new(
                mqttws_result::MQTTWS_REENTRANT,
                format!("{op} may not be called from inside this client's message callback"),
            ))
        } else {
            Ok(())
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, Failure> {
        match self.inner.try_lock() {
            Ok(g) => Ok(g),
            Err(TryLockError::WouldBlock) => Err(Failure::new(
                mqttws_result::MQTTWS_BUSY,
                "the client is in use by another thread; use a client from one thread at a time",
            )),
            Err(TryLockError::Poisoned(_)) => Err(Failure::new(
                mqttws_result::MQTTWS_PANIC,
                "an earlier call on this client panicked; the client is unusable, free it",
            )),
        }
    }
}

/// A call in progress on a client, from its first to its last touch of the
/// handle (the error it records included). While one exists,
/// `mqttws_client_free` answers `MQTTWS_BUSY` instead of freeing: a free
/// retried on BUSY therefore frees only once every other call is done with
/// the handle.
struct Call<'a>(&'a ClientHandle);

impl std::ops::Deref for Call<'_> {
    type Target = ClientHandle;

    fn deref(&self) -> &ClientHandle {
        self.0
    }
}

impl Drop for Call<'_> {
    fn drop(&mut self) {
        // The last touch of the handle by this call.
        self.0.active.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Borrows the client behind `client` for one call (see [`Call`]).
///
/// # Safety
///
/// `client` is NULL or a live client.
unsafe fn enter<'a>(client: *const mqttws_client) -> Result<Call<'a>, Failure> {
    // SAFETY: per this function's contract.
    let h: &'a ClientHandle = unsafe { obj(client, "client") }?;
    h.active.fetch_add(1, Ordering::SeqCst);
    Ok(Call(h))
}

/// Runs `f` with the client locked, recording a failure as the client's
/// last error. `in_callback_ok` says whether `op` may run inside the
/// client's message callback.
///
/// # Safety
///
/// `client` is NULL or a live client.
unsafe fn with_client(
    client: *const mqttws_client,
    op: &str,
    in_callback_ok: bool,
    f: impl FnOnce(&mut Inner) -> Result<(), Failure>,
) -> mqttws_result {
    // SAFETY: per this function's contract.
    let h = match unsafe { enter(client) } {
        Ok(h) => h,
        Err(e) => return e.code,
    };
    let r = (|| {
        if !in_callback_ok {
            h.refuse_in_callback(op)?;
        }
        let mut g = h.lock()?;
        f(&mut g)
    })();
    match r {
        Ok(()) => mqttws_result::MQTTWS_OK,
        Err(e) => {
            h.record(op, &e);
            e.code
        }
    }
}

fn qos_u8(q: QoS) -> u8 {
    match q {
        QoS::AtMostOnce => 0,
        QoS::AtLeastOnce => 1,
        QoS::ExactlyOnce => 2,
    }
}

/// A timeout parameter: negative means none (`None`).
fn timeout(ms: c_int) -> Option<Duration> {
    u64::try_from(ms).ok().map(Duration::from_millis)
}

impl Inner {
    /// Keeps the data of `ev` in `held` and returns the C view of it.
    fn hold(&mut self, ev: Option<Event>) -> mqttws_event {
        let mut e = mqttws_event::none();
        let Some(ev) = ev else { return e };
        match ev {
            Event::Message(m) => {
                self.held.topic = nul_terminated(&m.topic).into_vec();
                self.held.payload = m.payload;
                e.kind = mqttws_event_kind::MQTTWS_EVENT_MESSAGE;
                e.message = mqttws_message {
                    topic: mqttws_str::of_nul_terminated(&self.held.topic),
                    payload: mqttws_bytes::of(&self.held.payload),
                    qos: qos_u8(m.qos),
                    retain: m.retain,
                    dup: m.dup,
                };
            }
            Event::Published { packet_id } => {
                e.kind = mqttws_event_kind::MQTTWS_EVENT_PUBLISHED;
                e.packet_id = packet_id;
            }
            Event::Subscribed { packet_id, granted } => {
                self.held.granted = granted.iter().map(|g| g.map_or(0x80, qos_u8)).collect();
                e.kind = mqttws_event_kind::MQTTWS_EVENT_SUBSCRIBED;
                e.packet_id = packet_id;
                e.granted_qos = mqttws_bytes::of(&self.held.granted);
            }
            Event::Unsubscribed { packet_id } => {
                e.kind = mqttws_event_kind::MQTTWS_EVENT_UNSUBSCRIBED;
                e.packet_id = packet_id;
            }
            Event::Connected { session_present } => {
                e.kind = mqttws_event_kind::MQTTWS_EVENT_CONNECTED;
                e.session_present = session_present;
            }
            Event::Dropped { packet_id, topic } => {
                self.held.text = nul_terminated(&topic).into_vec();
                e.kind = mqttws_event_kind::MQTTWS_EVENT_DROPPED;
                e.packet_id = packet_id.unwrap_or(0);
                e.text = mqttws_str::of_nul_terminated(&self.held.text);
            }
            Event::Disconnected { reason } => {
                self.held.text = nul_terminated(&reason).into_vec();
                e.kind = mqttws_event_kind::MQTTWS_EVENT_DISCONNECTED;
                e.text = mqttws_str::of_nul_terminated(&self.held.text);
            }
            Event::StoreDamaged(damage) => {
                self.held.text = nul_terminated(&damage.to_string()).into_vec();
                e.kind = mqttws_event_kind::MQTTWS_EVENT_STORE_DAMAGED;
                e.text = mqttws_str::of_nul_terminated(&self.held.text);
            }
            Event::Reconnecting { delay, attempt } => {
                e.kind = mqttws_event_kind::MQTTWS_EVENT_RECONNECTING;
                e.attempt = attempt;
                e.delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
            }
            _ => e.kind = mqttws_event_kind::MQTTWS_EVENT_OTHER,
        }
        e
    }
}

/// Creates a client for these options. Checks the URL and reads the TLS
/// files (CA, client certificate and key) now; does no network I/O.
///
/// `options` is borrowed (the client copies what it needs; the options may
/// be freed right after). On success `*client_out` receives a client that
/// the caller frees with `mqttws_client_free`. On failure, if `err_out` is
/// not NULL, `*err_out` receives an `mqttws_error` to free with
/// `mqttws_error_free` (`err_out` is optional). NULL `options` or
/// `client_out`: `MQTTWS_NULL_PARAMETER`; unreadable CA or key file:
/// `MQTTWS_INVALID_ARGUMENT` or `MQTTWS_TLS`. Thread-safe (for distinct
/// `client_out`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_new(
    options: *const mqttws_options,
    client_out: *mut *mut mqttws_client,
    err_out: *mut *mut mqttws_error,
) -> mqttws_result {
    ffi_panic_boundary! {
        let result = (|| {
            // SAFETY: live options and a writable out-pointer, or NULL (header contract).
            let (options, client_out) =
                unsafe { (obj_arc::<mqttws_options>(options, "options")?, out(client_out, "client_out")?) };
            let client = Client::new((*options).clone()).map_err(Failure::from)?;
            let handle = ClientHandle {
                interrupt: client.interrupt_handle(),
                in_callback: AtomicBool::new(false),
                active: AtomicUsize::new(0),
                inner: Mutex::new(Inner { client, held: Held::default(), callback: None }),
                last: Mutex::new(None),
            };
            client_out.write(to_boxed_mut_ptr::<mqttws_client>(handle));
            Ok(())
        })();
        match result {
            Ok(()) => mqttws_result::MQTTWS_OK,
            // SAFETY: err_out is NULL or writable (header contract).
            Err(f) => unsafe { report(f, err_out) },
        }
    }
}

/// Connects: DNS, TCP, TLS (wss), WebSocket upgrade (subprotocol mqtt),
/// CONNECT and CONNACK, all within the connect timeout. With a platform
/// credential provider attached, the credentials are signed afresh now.
/// QoS 1/2 messages not acknowledged on a previous connection are sent
/// again. A pending interrupt is discarded first.
///
/// On success, if `session_present_out` is not NULL (it is optional), it
/// receives whether the broker resumed a stored session. NULL `client`:
/// `MQTTWS_NULL_PARAMETER`. Already connected: `MQTTWS_INVALID_ARGUMENT`.
/// From inside this client's callback: `MQTTWS_REENTRANT`. Failures:
/// `MQTTWS_IO`, `MQTTWS_PROXY`, `MQTTWS_TIMEOUT`, `MQTTWS_TLS`,
/// `MQTTWS_HANDSHAKE` (see `mqttws_client_last_http_status`),
/// `MQTTWS_CONNACK_*` (see
/// `mqttws_client_last_connack_code`), `MQTTWS_AUTH`, `MQTTWS_INTERRUPTED`.
/// Blocks; one thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_connect(
    client: *mut mqttws_client,
    session_present_out: *mut bool,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_connect", false, |c| {
                let session_present_out = opt_out(session_present_out);
                let info = c.client.connect().map_err(Failure::from)?;
                if let Some(o) = session_present_out {
                    o.write(info.session_present);
                }
                Ok(())
            })
        }
    }
}

/// Publishes a message. Returns once the message is handed to the kernel
/// (QoS 0), or for QoS 1/2 as soon as it is; `mqttws_client_wait_for` waits
/// for the acknowledgement. Blocks (up to the operation timeout) only while
/// the inflight window or the socket is full. While disconnected, with an
/// offline queue configured (`mqttws_options_builder_set_offline_queue` or
/// `_set_reconnect`), the message is queued and sent after the next CONNACK.
///
/// `topic` is `topic_len` bytes of UTF-8 (no NUL needed), without
/// wildcards; `payload` is `payload_len` bytes (NULL allowed when
/// `payload_len` is 0); both are copied. `qos` is 0, 1 or 2. On success, if
/// `packet_id_out` is not NULL (it is optional), it receives the packet id
/// (0 for QoS 0). NULL `client` or `topic`: `MQTTWS_NULL_PARAMETER`; topic
/// not UTF-8 or QoS above 2: `MQTTWS_INVALID_PARAMETER`; a wildcard or an
/// empty topic: `MQTTWS_INVALID_ARGUMENT`; not connected (and no offline
/// queue): `MQTTWS_CLOSED`; offline queue full: `MQTTWS_QUEUE_FULL`. Works
/// from inside this client's message callback. One thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_publish(
    client: *mut mqttws_client,
    topic: *const c_char,
    topic_len: usize,
    payload: *const u8,
    payload_len: usize,
    qos: u8,
    retain: bool,
    packet_id_out: *mut u16,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and lengths as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_publish", true, |c| {
                let topic = text(topic, topic_len, "topic")?;
                let payload = Bytes::copy_from_slice(bytes(payload, payload_len, "payload")?);
                let qos = self::qos(qos, "qos")?;
                let packet_id_out = opt_out(packet_id_out);
                let id = c.client.publish(topic, payload, qos, retain).map_err(Failure::from)?;
                if let Some(o) = packet_id_out {
                    o.write(id.unwrap_or(0));
                }
                Ok(())
            })
        }
    }
}

/// Waits until the QoS 1/2 message with this packet id is acknowledged
/// (PUBACK, or PUBCOMP for QoS 2). Returns at once for an id that is not in
/// flight (e.g. 0, the id of a QoS 0 publish). `timeout_ms` < 0 uses the
/// operation timeout. Messages that arrive meanwhile are kept for
/// `mqttws_client_poll`.
///
/// NULL `client`: `MQTTWS_NULL_PARAMETER`. Timeout: `MQTTWS_ACK_TIMEOUT`
/// (not fatal: the message stays in flight). Works from inside this
/// client's message callback. Blocks; one thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_wait_for(
    client: *mut mqttws_client,
    packet_id: u16,
    timeout_ms: c_int,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_wait_for", true, |c| {
                c.client.wait_for(packet_id, timeout(timeout_ms)).map_err(Failure::from)
            })
        }
    }
}

/// Publishes and, for QoS 1/2, waits for the acknowledgement (up to the
/// operation timeout). Parameters, NULL handling and errors as
/// `mqttws_client_publish` and `mqttws_client_wait_for`. Blocks; one thread
/// at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_publish_and_wait(
    client: *mut mqttws_client,
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
            with_client(client, "mqttws_client_publish_and_wait", true, |c| {
                let topic = text(topic, topic_len, "topic")?;
                let payload = Bytes::copy_from_slice(bytes(payload, payload_len, "payload")?);
                let qos = self::qos(qos, "qos")?;
                c.client.publish_and_wait(topic, payload, qos, retain).map_err(Failure::from)
            })
        }
    }
}

/// Subscribes to one topic filter and waits for SUBACK (up to the
/// operation timeout).
///
/// `filter` is `filter_len` bytes of UTF-8 (wildcards allowed), copied.
/// `qos` is the maximum QoS wanted: 0, 1 or 2. On success, if
/// `granted_qos_out` is not NULL (it is optional), it receives the QoS the
/// broker granted. NULL `client` or `filter`: `MQTTWS_NULL_PARAMETER`; bad
/// UTF-8 or QoS above 2: `MQTTWS_INVALID_PARAMETER`; a malformed filter:
/// `MQTTWS_INVALID_ARGUMENT`; refused by the broker:
/// `MQTTWS_SUBSCRIBE_REFUSED`. Blocks; one thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_subscribe(
    client: *mut mqttws_client,
    filter: *const c_char,
    filter_len: usize,
    qos: u8,
    granted_qos_out: *mut u8,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and lengths as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_subscribe", true, |c| {
                let filter = text(filter, filter_len, "filter")?;
                let qos = self::qos(qos, "qos")?;
                let granted_qos_out = opt_out(granted_qos_out);
                let granted = c.client.subscribe(&[(filter, qos)]).map_err(Failure::from)?;
                match granted.first().copied().flatten() {
                    Some(g) => {
                        if let Some(o) = granted_qos_out {
                            o.write(qos_u8(g));
                        }
                        Ok(())
                    }
                    None => Err(Failure::new(
                        mqttws_result::MQTTWS_SUBSCRIBE_REFUSED,
                        format!("the broker refused the subscription to {filter:?}"),
                    )),
                }
            })
        }
    }
}

/// Subscribes to `count` topic filters in one SUBSCRIBE and waits for
/// SUBACK.
///
/// `subscriptions` is an array of `count` (at least 1) entries, borrowed
/// for the call. On success, if `granted_qos_out` is not NULL (it is
/// optional), its `count` bytes receive the granted QoS per filter, 0x80
/// where the broker refused one; refusals do not make the call fail. NULL
/// `client`, `subscriptions` or a filter's `data`: `MQTTWS_NULL_PARAMETER`;
/// `count` 0, bad UTF-8 or QoS above 2: `MQTTWS_INVALID_PARAMETER`.
/// Blocks; one thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_subscribe_many(
    client: *mut mqttws_client,
    subscriptions: *const mqttws_subscription,
    count: usize,
    granted_qos_out: *mut u8,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and lengths as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_subscribe_many", true, |c| {
                let subs = array(subscriptions, count, "subscriptions")?;
                let mut filters = Vec::with_capacity(subs.len());
                for s in subs {
                    filters.push((text(s.filter.data, s.filter.len, "subscriptions[].filter")?, qos(s.qos, "subscriptions[].qos")?));
                }
                let granted = c.client.subscribe(&filters).map_err(Failure::from)?;
                if !granted_qos_out.is_null() {
                    let out = std::slice::from_raw_parts_mut(granted_qos_out, count);
                    for (o, g) in out.iter_mut().zip(granted.iter().chain(std::iter::repeat(&None))) {
                        *o = g.map_or(0x80, qos_u8);
                    }
                }
                Ok(())
            })
        }
    }
}

/// Unsubscribes from one topic filter and waits for UNSUBACK.
///
/// `filter` is `filter_len` bytes of UTF-8, copied. NULL `client` or
/// `filter`: `MQTTWS_NULL_PARAMETER`; bad UTF-8: `MQTTWS_INVALID_PARAMETER`.
/// Blocks; one thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_unsubscribe(
    client: *mut mqttws_client,
    filter: *const c_char,
    filter_len: usize,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and lengths as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_unsubscribe", true, |c| {
                let filter = text(filter, filter_len, "filter")?;
                c.client.unsubscribe(&[filter]).map_err(Failure::from)
            })
        }
    }
}

/// Unsubscribes from `count` topic filters in one UNSUBSCRIBE and waits for
/// UNSUBACK.
///
/// `filters` is an array of `count` (at least 1) views, borrowed for the
/// call. NULL `client`, `filters` or a filter's `data`:
/// `MQTTWS_NULL_PARAMETER`; `count` 0 or bad UTF-8:
/// `MQTTWS_INVALID_PARAMETER`. Blocks; one thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_unsubscribe_many(
    client: *mut mqttws_client,
    filters: *const mqttws_str,
    count: usize,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and lengths as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_unsubscribe_many", true, |c| {
                let views = array(filters, count, "filters")?;
                let mut list = Vec::with_capacity(views.len());
                for v in views {
                    list.push(text(v.data, v.len, "filters[]")?);
                }
                c.client.unsubscribe(&list).map_err(Failure::from)
            })
        }
    }
}

/// Sets the message callback (NULL `callback` removes it). It is called
/// only from inside `mqttws_client_poll`, on the caller's thread, once for
/// each message that poll returns, before poll returns; poll still fills
/// its `event_out`.
///
/// `userdata` is passed back as the callback's first argument and never
/// dereferenced by the library; it must stay valid while the callback is
/// set. NULL `client`: `MQTTWS_NULL_PARAMETER`. May be called from inside
/// the callback. One thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_set_message_callback(
    client: *mut mqttws_client,
    callback: mqttws_message_callback,
    userdata: *mut c_void,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_set_message_callback", true, |c| {
                c.callback = callback.map(|f| Callback { f, userdata });
                Ok(())
            })
        }
    }
}

/// Returns the next event, waiting up to `timeout_ms` milliseconds for one
/// (0: do not wait; negative: wait until an event, a failure or an
/// interrupt). While waiting, the client answers pings and acknowledges
/// incoming QoS 1/2 messages. If the timeout passes, the result is
/// `MQTTWS_OK` with `kind` `MQTTWS_EVENT_NONE`.
///
/// For a message, the message callback (if set) is called first, then
/// `*event_out` is filled. The views in `*event_out` are borrowed from the
/// client: valid until the next `mqttws_client_poll` or
/// `mqttws_client_free` on this client; copy what you keep.
///
/// NULL `client` or `event_out`: `MQTTWS_NULL_PARAMETER`. From inside this
/// client's callback: `MQTTWS_REENTRANT`. Interrupted:
/// `MQTTWS_INTERRUPTED`. Not connected: `MQTTWS_CLOSED` (messages that
/// arrived before a connection failed are returned first). Blocks; one
/// thread at a time, except `mqttws_client_interrupt`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_poll(
    client: *mut mqttws_client,
    timeout_ms: c_int,
    event_out: *mut mqttws_event,
) -> mqttws_result {
    const OP: &str = "mqttws_client_poll";
    ffi_panic_boundary! {
        // SAFETY: NULL or a live client (header contract).
        let h = match unsafe { enter(client.cast_const()) } {
            Ok(h) => h,
            Err(e) => return e.code,
        };
        let result = (|| {
            h.refuse_in_callback(OP)?;
            // SAFETY: NULL or writable (header contract).
            let event_out = unsafe { out(event_out, "event_out") }?;
            let mut g = h.lock()?;
            // The previous event's views end here.
            g.held = Held::default();
            let ev = g.client.poll(timeout(timeout_ms)).map_err(Failure::from)?;
            let event = g.hold(ev);
            let callback = g.callback;
            // Unlocked while the callback runs, so that it may publish.
            drop(g);
            if let (Some(cb), mqttws_event_kind::MQTTWS_EVENT_MESSAGE) = (callback, event.kind) {
                let _scope = CallbackScope::enter(&h.in_callback);
                // SAFETY: the C caller registered `cb` and `userdata`. The
                // message views point into `held`, which only poll and free
                // replace, and both are refused while `in_callback` is set.
                unsafe { (cb.f)(cb.userdata, &event.message) };
            }
            event_out.write(event);
            Ok(())
        })();
        match result {
            Ok(()) => mqttws_result::MQTTWS_OK,
            Err(e) => {
                h.record(OP, &e);
                e.code
            }
        }
    }
}

/// Sends DISCONNECT and closes the connection (the broker then discards the
/// will), waiting up to the operation timeout for the close. Does nothing
/// if not connected. Afterwards, publish, subscribe and poll return
/// `MQTTWS_CLOSED` until the next `mqttws_client_connect`.
///
/// NULL `client`: `MQTTWS_NULL_PARAMETER`. Works from inside this client's
/// message callback. Blocks; one thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_disconnect(client: *mut mqttws_client) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_disconnect", true, |c| {
                c.client.disconnect().map_err(Failure::from)
            })
        }
    }
}

/// Wakes the call blocked on this client now (poll, connect, wait_for...),
/// or else the next blocking call, which then returns `MQTTWS_INTERRUPTED`
/// promptly. The connection is unchanged.
///
/// The only function that is safe to call from any thread while the client
/// is in use (e.g. from a signal-handling or UI thread), any number of
/// times, as long as `mqttws_client_free` has not started. Does not block.
/// NULL `client`: `MQTTWS_NULL_PARAMETER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_interrupt(client: *const mqttws_client) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live client (header contract). Only the
        // Send + Sync interrupt handle is touched, never the mutex.
        match unsafe { enter(client) } {
            Ok(h) => {
                h.interrupt.interrupt();
                mqttws_result::MQTTWS_OK
            }
            Err(e) => e.code,
        }
    }
}

/// Withdraws an interrupt that no call has consumed yet. An interrupt wakes
/// the call blocked now, or else the next blocking call; a program that
/// interrupts a call from another thread just as that call returns on its
/// own calls this (on the thread that uses the client) so that the
/// interrupt does not end its next call. Callable from any thread; does
/// not block. NULL `client`: `MQTTWS_NULL_PARAMETER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_clear_interrupt(
    client: *const mqttws_client,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live client (header contract). Only the
        // Send + Sync interrupt handle is touched, never the mutex.
        match unsafe { enter(client) } {
            Ok(h) => {
                h.interrupt.clear();
                mqttws_result::MQTTWS_OK
            }
            Err(e) => e.code,
        }
    }
}

/// Whether the connection is open and CONNACK accepted it.
///
/// NULL `client`, or a client in use by another thread: false. One thread
/// at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_is_connected(client: *const mqttws_client) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live client (header contract).
        match unsafe { enter(client) } {
            Ok(h) => h.lock().map(|g| g.client.is_connected()).unwrap_or(false),
            Err(_) => false,
        }
    }
}

/// The number of outgoing QoS 1/2 messages not yet acknowledged (kept
/// across reconnects).
///
/// NULL `client`, or a client in use by another thread: 0. One thread at a
/// time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_inflight(client: *const mqttws_client) -> usize {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live client (header contract).
        match unsafe { enter(client) } {
            Ok(h) => h.lock().map(|g| g.client.inflight()).unwrap_or(0),
            Err(_) => 0,
        }
    }
}

/// Copies the detailed message of the most recent failed call on this
/// client (UTF-8, NUL-terminated, e.g. "mqttws_client_connect: TLS error:
/// invalid peer certificate: UnknownIssuer") into `buf`, and its length
/// without the NUL into `*out_n`. Successful calls do not clear it; before
/// any failure the message is empty.
///
/// If `len` is too small, nothing is copied, `*out_n` receives the size
/// needed (with the NUL) and the result is `MQTTWS_INSUFFICIENT_SIZE`
/// (`buf` NULL with `len` 0 asks for the size). NULL `client` or `out_n`,
/// or NULL `buf` with `len` > 0: `MQTTWS_NULL_PARAMETER`. `buf` and `out_n`
/// are borrowed for the call. Does not change the last error itself. One
/// thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_last_error(
    client: *const mqttws_client,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live client (header contract).
        let h = match unsafe { enter(client) } {
            Ok(h) => h,
            Err(e) => return e.code,
        };
        let message = h.last().map(|f| f.message).unwrap_or_default();
        // SAFETY: buf/len/out_n as documented (header contract).
        unsafe { copy_text(&message, buf, len, out_n) }
    }
}

/// The result code of the most recent failed call on this client
/// (`MQTTWS_OK` before any failure). NULL `client`: `MQTTWS_NULL_PARAMETER`.
/// One thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_last_error_code(
    client: *const mqttws_client,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live client (header contract).
        match unsafe { enter(client) } {
            Ok(h) => h.last().map_or(mqttws_result::MQTTWS_OK, |f| f.code),
            Err(e) => e.code,
        }
    }
}

/// The HTTP status of the WebSocket upgrade response if the most recent
/// failure was `MQTTWS_HANDSHAKE` with a response (e.g. 401, 403, 404), or
/// of an HTTP proxy's refusal for `MQTTWS_PROXY` (e.g. 407); otherwise 0. NULL `client`: 0. One thread at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_last_http_status(client: *const mqttws_client) -> u16 {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live client (header contract).
        match unsafe { enter(client) } {
            Ok(h) => h.last().map_or(0, |f| f.http_status),
            Err(_) => 0,
        }
    }
}

/// The CONNACK return code (1 to 5) if the most recent failure was a
/// refusal (`MQTTWS_CONNACK_*`); otherwise 0. NULL `client`: 0. One thread
/// at a time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_last_connack_code(client: *const mqttws_client) -> u8 {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live client (header contract).
        match unsafe { enter(client) } {
            Ok(h) => h.last().map_or(0, |f| f.connack),
            Err(_) => 0,
        }
    }
}

/// Frees a client, closing its connection without DISCONNECT (so the
/// broker publishes the will, if any; call `mqttws_client_disconnect` first
/// for an orderly close). NULL is a no-op returning `MQTTWS_OK`.
///
/// From inside this client's message callback it frees nothing and returns
/// `MQTTWS_REENTRANT`; while a call of another thread on this client is in
/// progress (up to its very return, `mqttws_client_interrupt` included),
/// it frees nothing and returns `MQTTWS_BUSY`: retrying until it returns
/// `MQTTWS_OK` is safe. Otherwise the client, and every view it handed
/// out, is gone: do not use it again, and start no call on it from another
/// thread once free may have begun.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_free(client: *mut mqttws_client) -> mqttws_result {
    const OP: &str = "mqttws_client_free";
    ffi_panic_boundary! {
        if client.is_null() {
            return mqttws_result::MQTTWS_OK;
        }
        // SAFETY: a live client (header contract).
        let h = match unsafe { obj(client.cast_const(), "client") } {
            Ok(h) => h,
            Err(e) => return e.code,
        };
        if let Err(e) = h.refuse_in_callback(OP) {
            h.record(OP, &e);
            return e.code;
        }
        // Another thread's call still touches the handle (even one that has
        // unlocked and is recording its error), or holds the lock. A
        // poisoned lock does not keep the client from being freed.
        if h.active.load(Ordering::SeqCst) > 0
            || matches!(h.inner.try_lock(), Err(TryLockError::WouldBlock))
        {
            let e = Failure::new(mqttws_result::MQTTWS_BUSY, "the client is in use by another thread");
            h.record(OP, &e);
            return e.code;
        }
        // SAFETY: a live boxed client, no longer used (header contract).
        drop(unsafe { crate::ffi::obj_box(client, "client") });
        mqttws_result::MQTTWS_OK
    }
}

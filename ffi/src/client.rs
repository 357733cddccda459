//! The client handle: connect, publish, subscribe, poll, interrupt.
//!
//! # Theory of operation
//!
//! A `mqttws_client` is a `Box<ClientHandle>`:
//!
//! ```text
//! ClientHandle
//!   client     mqttws::Client (Send + Sync): the core does all the locking
//!   callback   Mutex<Option<Callback>>: the message callback
//!   active     AtomicUsize: calls in progress (see `Call`)
//!   last       Mutex<LastFailures>: the last failure of each thread
//!   connack    Mutex<Option<Arc<ConnackData>>>: the latest CONNACK
//! ```
//!
//! Rust code never forms a `&mut ClientHandle`: every export borrows it
//! shared, and the core client is safe to use from several threads at once,
//! so several C threads may call one client at the same time (one blocked in
//! poll while others publish). Only `mqttws_client_free` must wait until
//! the others are done: it answers `MQTTWS_BUSY` while any call is in
//! progress.
//!
//! Events are owned objects (`crate::event`), so nothing a thread is
//! reading is ever replaced by another thread's poll.
//!
//! The message callback runs inside poll, on the polling thread, with no
//! lock held: from inside it every call works but `mqttws_client_free`
//! (which returns `MQTTWS_REENTRANT`). A thread-local notes which client's
//! callback is running on the thread.

use std::cell::Cell;
use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::ThreadId;
use std::time::Duration;

use mqttws_core::{
    Bytes, Client, Event, PublishProperties, QoS, RetainHandling, SubscribeOptions,
    SubscribeProperties,
};

use crate::error::{Failure, mqttws_error, mqttws_result};
use crate::event::{EventData, granted_bytes, mqttws_event, mqttws_message, qos_u8};
use crate::ffi::{
    Castable, OwnershipBox, arc_into_ptr, array, bytes, obj, obj_arc, opt_out, out, qos,
    run_reporting, text, to_boxed_mut_ptr,
};
use crate::options::mqttws_options;
use crate::properties::{
    ConnackData, mqttws_connack, mqttws_publish_properties, opt_publish_properties,
};
use crate::slice::{copy_text, mqttws_str};

/// Retained messages are sent at every subscribe (the default, and 3.1.1's
/// behaviour): a `mqttws_subscribe_filter.retain_handling` value.
pub const MQTTWS_RETAIN_HANDLING_SEND_ALWAYS: u8 = 0;
/// Retained messages are sent only if the subscription did not exist yet
/// (MQTT 5).
pub const MQTTWS_RETAIN_HANDLING_SEND_IF_NEW: u8 = 1;
/// Retained messages are never sent at subscribe time (MQTT 5).
pub const MQTTWS_RETAIN_HANDLING_DO_NOT_SEND: u8 = 2;

/// An MQTT client connection over WebSocket.
///
/// Ownership: created by `mqttws_client_new`, freed with `mqttws_client_free`.
/// Threading: safe to use from several threads at once; one thread may
/// block in `mqttws_client_poll` while others publish, subscribe or
/// disconnect, and none waits for another's blocked call.
/// `mqttws_client_free` must be the last call: it answers `MQTTWS_BUSY`
/// while another thread's call is still in progress.
pub struct mqttws_client {
    _private: [u8; 0],
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

/// One topic filter of `mqttws_client_subscribe_with`, with every
/// subscription option of MQTT 5 (the options byte has no room for more, so
/// this struct will not grow). Under MQTT 3.1.1 only `qos` exists: the
/// other fields must be false / `MQTTWS_RETAIN_HANDLING_SEND_ALWAYS` (0),
/// so a zero-initialised struct with a filter and a QoS works with both.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct mqttws_subscribe_filter {
    /// The topic filter (UTF-8, wildcards allowed; `len` bytes, a NUL after
    /// them is not needed).
    pub filter: mqttws_str,
    /// The maximum QoS requested: 0, 1 or 2.
    pub qos: u8,
    /// MQTT 5: do not receive the messages this client publishes itself.
    pub no_local: bool,
    /// MQTT 5: keep the retain flag of messages as published (instead of
    /// clearing it on live messages).
    pub retain_as_published: bool,
    /// MQTT 5: `MQTTWS_RETAIN_HANDLING_SEND_ALWAYS` (0),
    /// `MQTTWS_RETAIN_HANDLING_SEND_IF_NEW` (1) or
    /// `MQTTWS_RETAIN_HANDLING_DO_NOT_SEND` (2).
    pub retain_handling: u8,
}

/// Called by `mqttws_client_poll`, on the thread calling it, for each
/// message it returns. `userdata` is the pointer given to
/// `mqttws_client_set_message_callback`; `message` is borrowed until the
/// callback returns. From inside the callback every call on this client
/// works except `mqttws_client_free` (`MQTTWS_REENTRANT`). The callback
/// must return normally: no longjmp or C++ exception may leave it. With
/// several threads polling, it may run on several threads at once.
pub type mqttws_message_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, message: *const mqttws_message)>;

/// The Rust value behind a `mqttws_client` pointer.
pub(crate) struct ClientHandle {
    client: Client,
    callback: Mutex<Option<Callback>>,
    /// Calls in progress on this client (see [`Call`]).
    active: AtomicUsize,
    last: Mutex<LastFailures>,
    /// The CONNACK of the latest connection reported to the application.
    connack: Mutex<Option<Arc<ConnackData>>>,
}

/// The last failure of each thread that used the client, most recent last;
/// a few dozen threads at most are remembered.
#[derive(Default)]
struct LastFailures(Vec<(ThreadId, Failure)>);

/// How many threads' last failures a client remembers.
const LAST_FAILURES: usize = 64;

impl LastFailures {
    fn record(&mut self, f: Failure) {
        let me = std::thread::current().id();
        self.0.retain(|(t, _)| *t != me);
        if self.0.len() >= LAST_FAILURES {
            self.0.remove(0);
        }
        self.0.push((me, f));
    }

    fn get(&self) -> Option<&Failure> {
        let me = std::thread::current().id();
        self.0.iter().find(|(t, _)| *t == me).map(|(_, f)| f)
    }
}

#[derive(Clone, Copy)]
struct Callback {
    f: unsafe extern "C" fn(*mut c_void, *const mqttws_message),
    userdata: *mut c_void,
}

// SAFETY: Rust never dereferences `userdata`; it is only handed back to the
// C callback, on whichever thread polls, as the header documents.
unsafe impl Send for Callback {}

impl Castable for mqttws_client {
    type Ownership = OwnershipBox;
    type RustType = ClientHandle;
}

thread_local! {
    /// The client whose message callback runs on this thread, if any.
    static IN_CALLBACK: Cell<*const ClientHandle> = const { Cell::new(std::ptr::null()) };
}

/// Notes, for the life of the value, that `handle`'s callback runs on this
/// thread (restoring what was noted before: callbacks of different clients
/// may nest).
struct CallbackScope(*const ClientHandle);

impl CallbackScope {
    fn enter(handle: &ClientHandle) -> Self {
        Self(IN_CALLBACK.with(|c| c.replace(handle)))
    }
}

impl Drop for CallbackScope {
    fn drop(&mut self) {
        IN_CALLBACK.with(|c| c.set(self.0));
    }
}

impl ClientHandle {
    fn record(&self, op: &str, f: &Failure) {
        let mut f = f.clone();
        f.message = format!("{op}: {}", f.message);
        self.last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .record(f);
    }

    fn last(&self) -> Option<Failure> {
        self.last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get()
            .cloned()
    }

    fn in_callback(&self) -> bool {
        IN_CALLBACK.with(|c| std::ptr::eq(c.get(), self))
    }

    fn callback(&self) -> Option<Callback> {
        *self.callback.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set_connack(&self, connack: ConnackData) {
        *self.connack.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(connack));
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

/// Runs `f` on the client, recording a failure as the calling thread's last
/// error on the client.
///
/// # Safety
///
/// `client` is NULL or a live client.
unsafe fn with_client(
    client: *const mqttws_client,
    op: &str,
    f: impl FnOnce(&ClientHandle) -> Result<(), Failure>,
) -> mqttws_result {
    // SAFETY: per this function's contract.
    let h = match unsafe { enter(client) } {
        Ok(h) => h,
        Err(e) => return e.code,
    };
    match f(&h) {
        Ok(()) => mqttws_result::MQTTWS_OK,
        Err(e) => {
            h.record(op, &e);
            e.code
        }
    }
}

/// A timeout parameter: negative means none (`None`).
fn timeout(ms: c_int) -> Option<Duration> {
    u64::try_from(ms).ok().map(Duration::from_millis)
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
        let body = || {
            // SAFETY: live options and a writable out-pointer, or NULL (header contract).
            let (options, client_out) =
                unsafe { (obj_arc::<mqttws_options>(options, "options")?, out(client_out, "client_out")?) };
            let client = Client::new((*options).clone()).map_err(Failure::from)?;
            let handle = ClientHandle {
                client,
                callback: Mutex::new(None),
                active: AtomicUsize::new(0),
                last: Mutex::new(LastFailures::default()),
                connack: Mutex::new(None),
            };
            client_out.write(to_boxed_mut_ptr::<mqttws_client>(handle));
            Ok(())
        };
        // SAFETY: err_out is NULL or writable (header contract).
        unsafe { run_reporting(err_out, body) }
    }
}

/// Connects: DNS, TCP, TLS (wss), WebSocket upgrade (subprotocol mqtt),
/// CONNECT and CONNACK, all within the connect timeout. With a platform
/// credential provider attached, the credentials are signed afresh now.
/// QoS 1/2 messages not acknowledged on a previous connection are sent
/// again.
///
/// On success, if `session_present_out` is not NULL (it is optional), it
/// receives whether the broker resumed a stored session; the rest of what
/// CONNACK said (MQTT 5 properties) is in `mqttws_client_connack`. Under
/// MQTT 3.1.1, CONNECT or will properties (MQTT 5 only) fail with
/// `MQTTWS_INVALID_ARGUMENT` before CONNECT is sent. NULL `client`:
/// `MQTTWS_NULL_PARAMETER`. Already connected: `MQTTWS_INVALID_ARGUMENT`.
/// Failures:
/// `MQTTWS_IO`, `MQTTWS_PROXY`, `MQTTWS_TIMEOUT`, `MQTTWS_TLS`,
/// `MQTTWS_HANDSHAKE` (see `mqttws_client_last_http_status`),
/// `MQTTWS_CONNACK_*` (see
/// `mqttws_client_last_connack_code`), `MQTTWS_AUTH`, `MQTTWS_INTERRUPTED`.
/// Blocks; any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_connect(
    client: *mut mqttws_client,
    session_present_out: *mut bool,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_connect", |c| {
                let session_present_out = opt_out(session_present_out);
                let info = c.client.connect().map_err(Failure::from)?;
                c.set_connack(ConnackData::new(info.session_present, &info.properties));
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
/// from inside this client's message callback. Any thread.
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
            with_client(client, "mqttws_client_publish", |c| {
                let (topic, payload, qos) = message(topic, topic_len, payload, payload_len, qos)?;
                publish(c, topic, payload, qos, retain, PublishProperties::default(), packet_id_out)
            })
        }
    }
}

/// The topic, payload and QoS parameters of a publish.
///
/// # Safety
///
/// As [`text`] and [`bytes`].
pub(crate) unsafe fn message<'a>(
    topic: *const c_char,
    topic_len: usize,
    payload: *const u8,
    payload_len: usize,
    qos: u8,
) -> Result<(&'a str, Bytes, QoS), Failure> {
    // SAFETY: per this function's contract.
    let (topic, payload) = unsafe {
        (
            text(topic, topic_len, "topic")?,
            bytes(payload, payload_len, "payload")?,
        )
    };
    Ok((
        topic,
        Bytes::copy_from_slice(payload),
        self::qos(qos, "qos")?,
    ))
}

/// Publishes and writes the packet id to the optional `packet_id_out`.
///
/// # Safety
///
/// `packet_id_out` is NULL or writable.
unsafe fn publish(
    c: &ClientHandle,
    topic: &str,
    payload: Bytes,
    qos: QoS,
    retain: bool,
    properties: PublishProperties,
    packet_id_out: *mut u16,
) -> Result<(), Failure> {
    // SAFETY: per this function's contract.
    let packet_id_out = unsafe { opt_out(packet_id_out) };
    let id = c
        .client
        .publish_with(topic, payload, qos, retain, properties)
        .map_err(Failure::from)?;
    if let Some(o) = packet_id_out {
        o.write(id.unwrap_or(0));
    }
    Ok(())
}

/// `mqttws_client_publish` with MQTT 5 properties (`properties` NULL: none,
/// the same as `mqttws_client_publish`). Wait for the acknowledgement with
/// `mqttws_client_wait_for`, which fails with `MQTTWS_REJECTED` (reason
/// code in `mqttws_client_last_connack_code`, e.g. 0x87 not authorized)
/// when the broker refuses the message.
///
/// `properties` is borrowed for the call and copied: owned properties may
/// be reused or freed right after, and a received message's properties may
/// be passed (its subscription identifiers are not sent). Parameters, NULL
/// handling and errors otherwise as `mqttws_client_publish`, plus
/// `MQTTWS_INVALID_ARGUMENT` (nothing sent) for properties under MQTT
/// 3.1.1, a payload marked UTF-8 that is not, and properties with a QoS 1/2
/// message while a durable store (`mqttws_options_builder_set_store_dir`)
/// is set (the store does not keep properties). Any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_publish_with(
    client: *mut mqttws_client,
    topic: *const c_char,
    topic_len: usize,
    payload: *const u8,
    payload_len: usize,
    qos: u8,
    retain: bool,
    properties: *const mqttws_publish_properties,
    packet_id_out: *mut u16,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and lengths as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_publish_with", |c| {
                let (topic, payload, qos) = message(topic, topic_len, payload, payload_len, qos)?;
                let properties = opt_publish_properties(properties);
                publish(c, topic, payload, qos, retain, properties, packet_id_out)
            })
        }
    }
}

/// Starts a batch of publishes: until the matching `mqttws_client_uncork`,
/// a publish leaves its packet in the client's buffer instead of writing
/// it, so that a batch leaves in a few writes (one TLS record each over
/// wss) instead of one per message. Bounded: a publish writes anyway once
/// 16 KiB wait, and any call that waits (a QoS 1/2 publish with a full
/// inflight window, poll, wait_for) writes first. Corks nest.
///
/// NULL `client`: `MQTTWS_NULL_PARAMETER`. Does not block; any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_cork(client: *mut mqttws_client) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_cork", |c| {
                c.client.cork();
                Ok(())
            })
        }
    }
}

/// Ends a batch started by `mqttws_client_cork`: when the last open cork
/// ends, writes what waits and returns once it is with the kernel (the
/// promise of `mqttws_client_publish`, for the batch as a whole). An uncork
/// without a cork only writes.
///
/// NULL `client`: `MQTTWS_NULL_PARAMETER`. A full socket for the operation
/// timeout: `MQTTWS_TIMEOUT` (fatal, as for a publish). Blocks only
/// while the socket is full; any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_uncork(client: *mut mqttws_client) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_uncork", |c| {
                c.client.uncork().map_err(Failure::from)
            })
        }
    }
}

/// Writes what corked publishes left in the client's buffer without ending
/// the cork, and returns once it is with the kernel.
///
/// NULL `client`: `MQTTWS_NULL_PARAMETER`. A full socket for the operation
/// timeout: `MQTTWS_TIMEOUT` (fatal, as for a publish). Blocks only
/// while the socket is full; any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_flush(client: *mut mqttws_client) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_flush", |c| {
                c.client.flush().map_err(Failure::from)
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
/// client's message callback. Blocks; any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_wait_for(
    client: *mut mqttws_client,
    packet_id: u16,
    timeout_ms: c_int,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_wait_for", |c| {
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
            with_client(client, "mqttws_client_publish_and_wait", |c| {
                let (topic, payload, qos) = message(topic, topic_len, payload, payload_len, qos)?;
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
/// `MQTTWS_SUBSCRIBE_REFUSED`. Blocks; any thread.
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
            with_client(client, "mqttws_client_subscribe", |c| {
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
/// Blocks; any thread.
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
            with_client(client, "mqttws_client_subscribe_many", |c| {
                let subs = array(subscriptions, count, "subscriptions")?;
                let mut filters = Vec::with_capacity(subs.len());
                for s in subs {
                    let options = SubscribeOptions::qos(qos(s.qos, "subscriptions[].qos")?);
                    filters.push((text(s.filter.data, s.filter.len, "subscriptions[].filter")?, options));
                }
                let none = SubscribeProperties::default();
                subscribe(c, &filters, none, granted_qos_out, std::ptr::null_mut())
            })
        }
    }
}

/// Unsubscribes from one topic filter and waits for UNSUBACK.
///
/// `filter` is `filter_len` bytes of UTF-8, copied. NULL `client` or
/// `filter`: `MQTTWS_NULL_PARAMETER`; bad UTF-8: `MQTTWS_INVALID_PARAMETER`.
/// Blocks; any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_unsubscribe(
    client: *mut mqttws_client,
    filter: *const c_char,
    filter_len: usize,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and lengths as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_unsubscribe", |c| {
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
/// `MQTTWS_INVALID_PARAMETER`. Blocks; any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_unsubscribe_many(
    client: *mut mqttws_client,
    filters: *const mqttws_str,
    count: usize,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and lengths as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_unsubscribe_many", |c| {
                c.client.unsubscribe(&filter_list(filters, count)?).map_err(Failure::from)
            })
        }
    }
}

/// The filters of an unsubscribe: `count` (at least 1) views.
///
/// # Safety
///
/// As [`array`], and each view's `data` as [`text`].
unsafe fn filter_list<'a>(
    filters: *const mqttws_str,
    count: usize,
) -> Result<Vec<&'a str>, Failure> {
    // SAFETY: per this function's contract.
    unsafe { array(filters, count, "filters")? }
        .iter()
        // SAFETY: per this function's contract.
        .map(|v| unsafe { text(v.data, v.len, "filters[]") })
        .collect()
}

/// Copies `codes` into the optional output array `out` of `count` bytes,
/// `pad` where there are fewer codes than entries.
///
/// # Safety
///
/// `out` is NULL or valid for writing `count` bytes.
unsafe fn write_codes(out: *mut u8, count: usize, codes: &[u8], pad: u8) {
    if out.is_null() {
        return;
    }
    // SAFETY: non-NULL and writable for `count` bytes per this function's contract.
    let out = unsafe { std::slice::from_raw_parts_mut(out, count) };
    for (o, code) in out
        .iter_mut()
        .zip(codes.iter().chain(std::iter::repeat(&pad)))
    {
        *o = *code;
    }
}

/// Subscribes, waits for SUBACK, and writes the granted QoS and the reason
/// code per filter to the optional output arrays (one byte per filter).
///
/// # Safety
///
/// `granted_qos_out` and `reason_codes_out` are NULL or valid for writing
/// one byte per filter.
unsafe fn subscribe(
    c: &ClientHandle,
    filters: &[(&str, SubscribeOptions)],
    properties: SubscribeProperties,
    granted_qos_out: *mut u8,
    reason_codes_out: *mut u8,
) -> Result<(), Failure> {
    let reply = c
        .client
        .subscribe_with(filters, properties)
        .map_err(Failure::from)?;
    let n = filters.len();
    // SAFETY: per this function's contract.
    unsafe {
        write_codes(granted_qos_out, n, &granted_bytes(&reply.granted), 0x80);
        write_codes(reason_codes_out, n, &reply.reason_codes, 0x80);
    }
    Ok(())
}

/// Subscribes to `count` topic filters with their MQTT 5 options (no local,
/// retain as published, retain handling) in one SUBSCRIBE, optionally
/// tagged with a subscription identifier, and waits for SUBACK (up to the
/// operation timeout). Messages delivered through these subscriptions carry
/// the identifier (`mqttws_publish_properties_subscription_identifier`).
///
/// `filters` is an array of `count` (at least 1) entries, borrowed for the
/// call. `subscription_identifier` is 1 to 268,435,455, or 0 for none. On
/// success, if not NULL (both are optional), the `count` bytes of
/// `granted_qos_out` receive the granted QoS per filter (0x80 where the
/// broker refused it), and those of `reason_codes_out` the SUBACK reason
/// code per filter (the granted QoS, or a refusal of 0x80 and up: 0x87 not
/// authorized, 0x8F filter invalid, 0xA1 subscription identifiers not
/// supported...). Refusals do not make the call fail.
///
/// NULL `client`, `filters` or a filter's `data`: `MQTTWS_NULL_PARAMETER`;
/// `count` 0, bad UTF-8, QoS above 2 or a retain handling above 2:
/// `MQTTWS_INVALID_PARAMETER`; a malformed filter, an identifier above
/// 268,435,455, or under MQTT 3.1.1 any option but QoS or an identifier:
/// `MQTTWS_INVALID_ARGUMENT` (nothing sent). Blocks; any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_subscribe_with(
    client: *mut mqttws_client,
    filters: *const mqttws_subscribe_filter,
    count: usize,
    subscription_identifier: u32,
    granted_qos_out: *mut u8,
    reason_codes_out: *mut u8,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and lengths as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_subscribe_with", |c| {
                let entries = array(filters, count, "filters")?;
                let mut list = Vec::with_capacity(entries.len());
                for f in entries {
                    let retain_handling = match f.retain_handling {
                        MQTTWS_RETAIN_HANDLING_SEND_ALWAYS => RetainHandling::SendAlways,
                        MQTTWS_RETAIN_HANDLING_SEND_IF_NEW => RetainHandling::SendIfNew,
                        MQTTWS_RETAIN_HANDLING_DO_NOT_SEND => RetainHandling::DoNotSend,
                        other => {
                            let why = format_args!("is {other}; use 0, 1 or 2");
                            return Err(Failure::invalid("filters[].retain_handling", why));
                        }
                    };
                    let options = SubscribeOptions {
                        qos: qos(f.qos, "filters[].qos")?,
                        no_local: f.no_local,
                        retain_as_published: f.retain_as_published,
                        retain_handling,
                    };
                    list.push((text(f.filter.data, f.filter.len, "filters[].filter")?, options));
                }
                let properties = SubscribeProperties {
                    subscription_identifier: Some(subscription_identifier).filter(|i| *i != 0),
                    user_properties: Vec::new(),
                };
                subscribe(c, &list, properties, granted_qos_out, reason_codes_out)
            })
        }
    }
}

/// Unsubscribes from `count` topic filters in one UNSUBSCRIBE, waits for
/// UNSUBACK, and reports its reason code per filter.
///
/// On success, if `reason_codes_out` is not NULL (it is optional), its
/// `count` bytes receive the UNSUBACK reason code per filter: 0x00 success,
/// 0x11 no subscription existed, 0x87 not authorized, 0x8F filter
/// invalid... MQTT 3.1.1's UNSUBACK carries no codes: there every entry is
/// 0x00. Parameters, NULL handling and errors otherwise as
/// `mqttws_client_unsubscribe_many`. Blocks; any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_unsubscribe_with(
    client: *mut mqttws_client,
    filters: *const mqttws_str,
    count: usize,
    reason_codes_out: *mut u8,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers and lengths as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_unsubscribe_with", |c| {
                let list = filter_list(filters, count)?;
                let codes = c.client.unsubscribe_with(&list, Vec::new()).map_err(Failure::from)?;
                write_codes(reason_codes_out, count, &codes, 0x00);
                Ok(())
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
/// the callback. Any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_set_message_callback(
    client: *mut mqttws_client,
    callback: mqttws_message_callback,
    userdata: *mut c_void,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_set_message_callback", |c| {
                *c.callback.lock().unwrap_or_else(PoisonError::into_inner) =
                    callback.map(|f| Callback { f, userdata });
                Ok(())
            })
        }
    }
}

/// Returns the next event, waiting up to `timeout_ms` milliseconds for one
/// (0: do not wait; negative: wait until an event, a failure or an
/// interrupt). While waiting, the client answers pings and acknowledges
/// incoming QoS 1/2 messages. On success `*event_out` receives an event to
/// free with `mqttws_event_free`, or NULL if the timeout passed.
///
/// For a message, the message callback (if set) is called first, on this
/// thread, then `*event_out` is filled. With several threads polling, each
/// event goes to one of them.
///
/// NULL `client` or `event_out`: `MQTTWS_NULL_PARAMETER`. Interrupted:
/// `MQTTWS_INTERRUPTED`. Not connected: `MQTTWS_CLOSED` (messages that
/// arrived before a connection failed are returned first). Blocks; any
/// thread, several at once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_poll(
    client: *mut mqttws_client,
    timeout_ms: c_int,
    event_out: *mut *mut mqttws_event,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_poll", |c| {
                let event_out = out(event_out, "event_out")?;
                let Some(ev) = c.client.poll(timeout(timeout_ms)).map_err(Failure::from)? else {
                    event_out.write(std::ptr::null_mut());
                    return Ok(());
                };
                if let Event::Connected { session_present, properties } = &ev {
                    c.set_connack(ConnackData::new(*session_present, properties));
                }
                let event = EventData::from_core(ev);
                if let (Some(cb), Some(m)) = (c.callback(), event.message()) {
                    let _scope = CallbackScope::enter(c);
                    // SAFETY: the C caller registered `cb` and `userdata`; the
                    // message is borrowed from `event`, alive until after the call.
                    (cb.f)(cb.userdata, m);
                }
                event_out.write(event.into_raw());
                Ok(())
            })
        }
    }
}

/// Sends DISCONNECT and closes the connection (the broker then discards the
/// will), waiting up to the operation timeout for the close. Does nothing
/// if not connected. Afterwards, publish, subscribe and poll return
/// `MQTTWS_CLOSED` until the next `mqttws_client_connect`.
///
/// NULL `client`: `MQTTWS_NULL_PARAMETER`. Works from inside this client's
/// message callback. Blocks; any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_disconnect(client: *mut mqttws_client) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointer as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_disconnect", |c| {
                c.client.disconnect().map_err(Failure::from)
            })
        }
    }
}

/// Interrupts every call in progress on this client (poll, connect,
/// wait_for... on any thread), which returns `MQTTWS_INTERRUPTED` promptly.
/// Calls that start afterwards are not affected: nothing stays pending. The
/// connection is unchanged.
///
/// Safe to call from any thread (e.g. a signal-handling or UI thread), any
/// number of times, as long as `mqttws_client_free` has not started. Does
/// not block for long. NULL `client`: `MQTTWS_NULL_PARAMETER`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_interrupt(client: *const mqttws_client) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live client (header contract).
        match unsafe { enter(client) } {
            Ok(h) => {
                h.client.interrupt_handle().interrupt();
                mqttws_result::MQTTWS_OK
            }
            Err(e) => e.code,
        }
    }
}

/// Whether the connection is open and CONNACK accepted it.
///
/// NULL `client`: false. Any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_is_connected(client: *const mqttws_client) -> bool {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live client (header contract).
        match unsafe { enter(client) } {
            Ok(h) => h.client.is_connected(),
            Err(_) => false,
        }
    }
}

/// The number of outgoing QoS 1/2 messages not yet acknowledged (kept
/// across reconnects).
///
/// NULL `client`: 0. Any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_inflight(client: *const mqttws_client) -> usize {
    ffi_panic_boundary! {
        // SAFETY: NULL or a live client (header contract).
        match unsafe { enter(client) } {
            Ok(h) => h.client.inflight(),
            Err(_) => 0,
        }
    }
}

/// Copies the detailed message of the most recent failed call on this
/// client made by the calling thread (UTF-8, NUL-terminated, e.g. "mqttws_client_connect: TLS error:
/// invalid peer certificate: UnknownIssuer") into `buf`, and its length
/// without the NUL into `*out_n`. Successful calls do not clear it; before
/// any failure the message is empty.
///
/// If `len` is too small, nothing is copied, `*out_n` receives the size
/// needed (with the NUL) and the result is `MQTTWS_INSUFFICIENT_SIZE`
/// (`buf` NULL with `len` 0 asks for the size). NULL `client` or `out_n`,
/// or NULL `buf` with `len` > 0: `MQTTWS_NULL_PARAMETER`. `buf` and `out_n`
/// are borrowed for the call. Does not change the last error itself. Call
/// it on the thread whose call failed (each thread has its own last error
/// on each client; Go bindings lock the goroutine to its thread for the
/// pair of calls).
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

/// The result code of the most recent failed call on this client made by
/// the calling thread (`MQTTWS_OK` before any failure). NULL `client`:
/// `MQTTWS_NULL_PARAMETER`.
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
/// of an HTTP proxy's refusal for `MQTTWS_PROXY` (e.g. 407); otherwise 0
/// (the calling thread's most recent failure). NULL `client`: 0.
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

/// The code the broker answered with if the calling thread's most recent
/// failure was a refusal: the CONNACK return code (1 to 5) or MQTT 5 reason
/// code (0x80 and up) for `MQTTWS_CONNACK_*`, the PUBACK/PUBREC reason code
/// for `MQTTWS_REJECTED`; otherwise 0. NULL `client`: 0.
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

/// Copies what `pick` takes from the calling thread's last failure on the
/// client (empty when there is none) into `buf`, as `mqttws_client_last_error`.
///
/// # Safety
///
/// `client` is NULL or a live client; `buf`, `len` and `out_n` as
/// [`copy_text`].
unsafe fn copy_last(
    client: *const mqttws_client,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
    pick: impl FnOnce(Failure) -> Option<String>,
) -> mqttws_result {
    // SAFETY: per this function's contract.
    let h = match unsafe { enter(client) } {
        Ok(h) => h,
        Err(e) => return e.code,
    };
    let text = h.last().and_then(pick).unwrap_or_default();
    // SAFETY: per this function's contract.
    unsafe { copy_text(&text, buf, len, out_n) }
}

/// MQTT 5: copies the broker's reason string of the calling thread's most
/// recent failure on this client, if it was a refusal that carried one
/// (`MQTTWS_CONNACK_*`, `MQTTWS_REJECTED`), into `buf`; empty otherwise
/// (brokers need not send one). The failure's message
/// (`mqttws_client_last_error`) contains it too. Buffer rules, NULL
/// handling and thread rules as `mqttws_client_last_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_last_reason_string(
    client: *const mqttws_client,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { copy_last(client, buf, len, out_n, |f| f.reason) }
    }
}

/// MQTT 5: copies the server a refused connection was redirected to (the
/// CONNACK's server reference, e.g. with reason code 0x9C use another
/// server or 0x9D server moved; the client does not follow it) of the
/// calling thread's most recent failure on this client into `buf`; empty
/// otherwise. Buffer rules, NULL handling and thread rules as
/// `mqttws_client_last_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_last_server_reference(
    client: *const mqttws_client,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe { copy_last(client, buf, len, out_n, |f| f.server_reference) }
    }
}

/// Hands out what the broker answered in CONNACK on the client's latest
/// connection: the one `mqttws_client_connect` made, or, with the
/// automatic reconnect, the one a `MQTTWS_EVENT_CONNECTED` event that
/// `mqttws_client_poll` returned reported. Read it with the
/// `mqttws_connack_*` accessors (assigned client id, server keep alive,
/// maximum QoS, receive maximum...).
///
/// On success `*connack_out` receives a snapshot the caller frees with
/// `mqttws_connack_free`; later connections do not change it, and it stays
/// valid after the client is freed. NULL `client` or `connack_out`:
/// `MQTTWS_NULL_PARAMETER`; no connection accepted yet: `MQTTWS_CLOSED`
/// (after a disconnect, the last CONNACK is still handed out). Any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mqttws_client_connack(
    client: *const mqttws_client,
    connack_out: *mut *const mqttws_connack,
) -> mqttws_result {
    ffi_panic_boundary! {
        // SAFETY: pointers as documented (header contract).
        unsafe {
            with_client(client, "mqttws_client_connack", |c| {
                let connack_out = out(connack_out, "connack_out")?;
                let connack = c.connack.lock().unwrap_or_else(PoisonError::into_inner).clone();
                let connack = connack.ok_or_else(|| {
                    Failure::new(mqttws_result::MQTTWS_CLOSED, "no CONNACK yet: never connected")
                })?;
                connack_out.write(arc_into_ptr::<mqttws_connack>(connack));
                Ok(())
            })
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
        if h.in_callback() {
            let e = Failure::new(
                mqttws_result::MQTTWS_REENTRANT,
                "mqttws_client_free may not be called from inside this client's message callback",
            );
            h.record(OP, &e);
            return e.code;
        }
        // Another thread's call still touches the handle (even one that is
        // just recording its error).
        if h.active.load(Ordering::SeqCst) > 0 {
            let e = Failure::new(mqttws_result::MQTTWS_BUSY, "the client is in use by another thread");
            h.record(OP, &e);
            return e.code;
        }
        // SAFETY: a live boxed client, no longer used (header contract).
        drop(unsafe { crate::ffi::obj_box(client, "client") });
        mqttws_result::MQTTWS_OK
    }
}

//! The blocking client: a thin driver that moves bytes between the
//! [`transport`] and the sans-IO [`Session`] and
//! [`Link`](crate::link::Link), safe to share between threads.
//!
//! No hidden threads, no async runtime: all work happens inside the callers'
//! calls. Every call that can block takes or has a deadline, and
//! [`InterruptHandle::interrupt`] ends the calls in progress from another
//! thread.
//!
//! # Theory of operation
//!
//! ```text
//! Client (Send + Sync, methods on &self)
//!   state    Mutex<Driver>   session, link, socket, events, store   driver.rs
//!   news     Condvar         "something changed", for threads waiting for news
//!   poller   Mutex<Poller>   epoll; held by at most one waiting thread
//!   wakeup   Wakeup          wakes the poller; counts interrupts
//! ```
//!
//! * **The state is never locked while a thread blocks.** A call locks it,
//!   does non-blocking work (read what the socket has, fire timers, queue
//!   and write packets) and unlocks. A `publish` from one thread therefore
//!   never waits for another thread's `poll`: it takes the lock, writes,
//!   and returns.
//! * **One thread waits on the socket; the others wait for news.** A call
//!   that must block (for a message, an acknowledgement, room in the
//!   window, a full socket to drain) takes the poller if it is free and
//!   waits in epoll with the state unlocked; if another thread has the
//!   poller, it waits on the condition variable instead. Whoever returns
//!   from epoll locks the state, steps it, and signals news to the others
//!   (so that one of them takes the poller over when it leaves).
//! * **What the socket does not show is signalled.** The socket wakes the
//!   thread in epoll by itself when data arrives or drains. A thread that
//!   changes the state otherwise (the connection closes, the offline queue
//!   drops a message, a timer now falls earlier) wakes the poller.
//! * **Interrupts are scoped.** A blocking call notes the interrupt count
//!   when it starts; [`InterruptHandle::interrupt`] bumps the count and
//!   wakes everyone, so every call in progress returns
//!   [`Error::Interrupted`], and calls that start later are not affected:
//!   nothing stays pending.
//! * **Connection attempts hold the poller, not the state.** DNS, TCP, TLS
//!   and the upgrade run with the state unlocked; meanwhile publishes go
//!   to the offline queue (if any) and waits wait for news.
//!
//! Lock order: the poller before the state; the state is never held while
//! taking the poller with a blocking lock.

mod driver;
mod options;

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::codec::QoS;
use crate::deadline;
use crate::error::{Error, Result, TimeoutPhase};
use crate::link::LinkState;
use crate::properties::{PublishProperties, SubscribeOptions, SubscribeProperties, UserProperty};
use crate::session::{Event, Message, PacketId, Session};
use crate::store::Store;
use crate::transport::tls::TlsOptions;
use crate::transport::url::WsUrl;
use crate::transport::{self, Poller, Wakeup};
use driver::{Driver, check_header_name, random_unit};

pub use options::{ClientOptions, WallClock};

/// What `connect()` learned from CONNACK.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectInfo {
    /// Whether the broker resumed a stored session.
    pub session_present: bool,
    /// MQTT 5: what the broker told us in CONNACK (assigned client id,
    /// limits, server keep alive...). All empty under MQTT 3.1.1.
    pub properties: Box<crate::ConnAckProperties>,
}

/// What SUBACK answered for each filter of a subscription.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubscribeReply {
    /// The QoS granted per filter, `None` where the broker refused it.
    pub granted: Vec<Option<QoS>>,
    /// The return code (3.1.1: 0, 1, 2 or 0x80) or reason code (5.0: 0x80
    /// unspecified, 0x87 not authorized, 0x8F filter invalid, 0x9E shared
    /// subscriptions not supported, 0xA1 subscription identifiers not
    /// supported, 0xA2 wildcards not supported...) per filter.
    pub reason_codes: Vec<u8>,
}

/// A blocking MQTT client (3.1.1 or 5.0) over WebSocket, safe to share between
/// threads (`Send + Sync`; share it by reference or in an `Arc`).
///
/// Any number of threads may call it at once: one may block in
/// [`Client::poll`] while others publish, subscribe or disconnect; none
/// waits for another's blocked call. [`Client::interrupt_handle`] ends the
/// blocked calls from any thread. Dropping the client closes the
/// connection without DISCONNECT (the broker publishes the will).
pub struct Client {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<Driver>,
    news: Condvar,
    poller: Mutex<Poller>,
    wakeup: Arc<Wakeup>,
    /// Threads that need the poller for a connection attempt or a
    /// disconnect: waiting threads leave it to them.
    poller_wanted: AtomicUsize,
}

/// Ends the blocking calls of a [`Client`] from another thread.
///
/// Cheap to clone, `Send + Sync`. [`InterruptHandle::interrupt`] makes every
/// call that is in progress on the client at that moment return
/// [`Error::Interrupted`] promptly; calls that start afterwards are not
/// affected (nothing stays pending). The connection stays up. A handle that
/// outlives its client does nothing.
#[derive(Clone)]
pub struct InterruptHandle {
    shared: Weak<Shared>,
}

impl fmt::Debug for InterruptHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InterruptHandle")
            .field("client_alive", &(self.shared.strong_count() > 0))
            .finish()
    }
}

impl InterruptHandle {
    /// Interrupts every call in progress on the client. Safe from any
    /// thread, any number of times; does not block for long (it takes the
    /// client's state lock briefly, never while the state is held across a
    /// blocking wait).
    pub fn interrupt(&self) {
        if let Some(shared) = self.shared.upgrade() {
            shared.interrupt();
        }
    }
}

/// The interrupt scope of one blocking call.
#[derive(Clone, Copy)]
struct Call {
    generation: u64,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.shared.lock();
        f.debug_struct("Client")
            .field("options", &d.options)
            .field("connected", &d.is_connected())
            .field("inflight", &d.session.inflight())
            .field("queued_events", &d.queued_events())
            .finish()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // Interrupt handles may keep the shared state alive: the socket
        // goes now.
        let mut d = self.shared.lock();
        d.close_socket();
        d.session.connection_lost();
        d.link.closed();
    }
}

type Guard<'a> = MutexGuard<'a, Driver>;

impl Shared {
    fn lock(&self) -> Guard<'_> {
        // A panic while the state was locked left it as it was at some step;
        // the session's invariants hold between steps, so go on.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn begin(&self) -> Call {
        Call {
            generation: self.wakeup.generation(),
        }
    }

    fn interrupted(&self, call: Call) -> bool {
        self.wakeup.generation() != call.generation
    }

    fn interrupt(&self) {
        // Under the state lock: a thread between checking for an interrupt
        // and waiting on the condition variable holds it, so the notify
        // below cannot fall between the two.
        let d = self.lock();
        self.wakeup.interrupt();
        if d.waiters > 0 {
            self.news.notify_all();
        }
    }

    /// Tells waiting threads what changed: the condition-variable waiters
    /// re-check, and the thread in the poller is woken if the change is one
    /// the socket will not show it, or its wake-up time is now too late.
    fn signal(&self, d: &mut Driver) {
        if d.changed && d.waiters > 0 {
            self.news.notify_all();
        }
        if let Some(planned) = d.polling {
            let earlier = d
                .next_timer()
                .is_some_and(|t| planned.is_none_or(|p| t < p));
            if d.wake_poller || earlier {
                self.wakeup.wake();
            }
        }
        d.changed = false;
        d.wake_poller = false;
    }

    /// Takes the poller for a connection attempt or a disconnect, making
    /// the thread that waits in it give it up.
    fn take_poller(&self, call: Call) -> MutexGuard<'_, Poller> {
        self.poller_wanted.fetch_add(1, Ordering::SeqCst);
        self.wakeup.wake();
        let mut p = self.poller.lock().unwrap_or_else(PoisonError::into_inner);
        self.poller_wanted.fetch_sub(1, Ordering::SeqCst);
        p.set_scope(call.generation);
        p
    }

    /// Gives the poller back and lets the threads waiting for news take it.
    fn release_poller<'a>(&'a self, p: MutexGuard<'_, Poller>) -> Guard<'a> {
        drop(p);
        let mut d = self.lock();
        d.changed = true;
        self.signal(&mut d);
        d
    }

    /// Collects the socket's readiness without waiting, if the poller is
    /// free (a thread waiting in it collects it otherwise). Called with the
    /// state locked: it only tries the poller's lock.
    fn refresh_poller(&self, call: Call) -> bool {
        if self.poller_wanted.load(Ordering::SeqCst) != 0 {
            return false;
        }
        let Ok(mut p) = self.poller.try_lock() else {
            return false;
        };
        p.set_scope(call.generation);
        // An error here shows again in the next read.
        let _ = p.refresh();
        true
    }

    /// Blocks until `wake`, news, or socket activity. Returns the state
    /// locked again.
    /// `now` is the caller's reading of the clock, just taken.
    fn block<'a>(
        &'a self,
        mut d: Guard<'a>,
        call: Call,
        wake: Option<Instant>,
        now: Instant,
    ) -> Guard<'a> {
        if self.poller_wanted.load(Ordering::SeqCst) == 0
            && let Ok(mut p) = self.poller.try_lock()
        {
            p.set_scope(call.generation);
            d.polling = Some(wake);
            drop(d);
            // An interrupt or an error here shows again in the caller's next
            // round (the interrupt count, the socket's own error).
            let _ = p.wait_at(wake, now);
            drop(p);
            let mut d = self.lock();
            d.polling = None;
            // So that a thread waiting for news takes the poller over if this
            // one is done.
            d.changed = true;
            return d;
        }
        d.waiters += 1;
        let mut d = match wake {
            Some(w) => {
                self.news
                    .wait_timeout(d, w.saturating_duration_since(now))
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
            None => self.news.wait(d).unwrap_or_else(PoisonError::into_inner),
        };
        d.waiters -= 1;
        d
    }

    /// Runs I/O until `done` gives a result, `deadline` passes (`Ok(None)`),
    /// the call is interrupted, or an error. Fatal errors close the
    /// connection; with automatic reconnect they become events and the wait
    /// goes on, reconnecting when the back-off ends.
    fn wait<'a, R>(
        &'a self,
        mut d: Guard<'a>,
        call: Call,
        deadline: Option<Instant>,
        mut done: impl FnMut(&mut Driver) -> Result<Option<R>>,
    ) -> (Guard<'a>, Result<Option<R>>) {
        let mut refreshed = false;
        loop {
            // One clock reading per round: the step's, and the deadline's.
            let now = Instant::now();
            if let Err(e) = d.step(now) {
                let e = d.fail(e);
                self.signal(&mut d);
                if !d.link.is_backing_off() || !e.is_fatal() {
                    return (d, Err(e));
                }
            }
            self.signal(&mut d);
            match done(&mut d) {
                Ok(None) => {}
                other => return (d, other),
            }
            if self.interrupted(call) {
                return (d, Err(Error::Interrupted));
            }
            if d.ws.is_none() {
                match d.link.state() {
                    LinkState::Backoff(at) if now >= at => {
                        let (g, r) = self.attempt(d, call, true);
                        d = g;
                        if let Err(Error::Interrupted) = r {
                            return (d, Err(Error::Interrupted));
                        }
                        continue;
                    }
                    LinkState::Backoff(_) => {}
                    // Another thread's attempt: wait for news of it.
                    LinkState::Connecting => {}
                    _ => {
                        let e = d.closed_error();
                        return (d, Err(e));
                    }
                }
            }
            if deadline.is_some_and(|t| now >= t) {
                // Reads skip the kernel until the poller reports the socket
                // readable; a call that never blocks (poll with a zero
                // timeout) collects those reports itself, once.
                if !refreshed && d.socket_drained() && self.refresh_poller(call) {
                    refreshed = true;
                    continue;
                }
                return (d, Ok(None));
            }
            if d.read_pending() {
                continue;
            }
            let wake = [deadline, d.next_timer()].into_iter().flatten().min();
            d = self.block(d, call, wake, now);
        }
    }

    /// One connection attempt: the application's (`automatic` false) or the
    /// automatic reconnect's. DNS, TCP, TLS and the upgrade run with the
    /// state unlocked and the poller held; then CONNACK is awaited like any
    /// other answer.
    fn attempt<'a>(
        &'a self,
        mut d: Guard<'a>,
        call: Call,
        automatic: bool,
    ) -> (Guard<'a>, Result<ConnectInfo>) {
        d.link.attempt_started();
        d.connecting_by_app = !automatic;
        let prepared = match d.prepare_attempt() {
            Ok(p) => p,
            Err(e) => {
                d.session.connection_lost();
                let r = self.attempt_failed(&mut d, e, automatic);
                return (d, Err(r));
            }
        };
        drop(d);
        let mut p = self.take_poller(call);
        let opened = transport::open(
            &prepared.target(),
            &prepared.connect,
            &mut p,
            prepared.deadline,
        );
        let mut d = self.release_poller(p);
        d.server_date = prepared.server_date.take();
        match opened {
            Ok(ws) => d.install(ws),
            Err(e) => {
                d.session.connection_lost();
                let r = self.attempt_failed(&mut d, e, automatic);
                return (d, Err(r));
            }
        }
        let (mut d, connack) = self.wait(d, call, Some(prepared.deadline), |d| {
            Ok(d.session.is_connected().then_some(()))
        });
        let connack = match connack {
            Ok(Some(())) => Ok(()),
            Ok(None) => Err(Error::Timeout(TimeoutPhase::Connack)),
            Err(e) => Err(e),
        };
        if let Err(e) = connack {
            // Whatever ended the attempt (an interrupt, too), the half-open
            // connection goes: the client must be able to connect again.
            d.close_socket();
            d.session.connection_lost();
            let r = self.attempt_failed(&mut d, e, automatic);
            return (d, Err(r));
        }
        let now = Instant::now();
        d.link.connected(now);
        d.connecting_by_app = false;
        let info = ConnectInfo {
            session_present: d.session_present,
            properties: d.connack.clone(),
        };
        if let Err(e) = d.restore_subscriptions(now) {
            let e = d.fail(e);
            self.signal(&mut d);
            return (d, Err(e));
        }
        d.changed = true;
        self.signal(&mut d);
        (d, Ok(info))
    }

    fn attempt_failed(&self, d: &mut Driver, e: Error, automatic: bool) -> Error {
        let interrupted = matches!(e, Error::Interrupted);
        d.connecting_by_app = false;
        d.link.attempt_failed(
            Instant::now(),
            &e.to_string(),
            automatic,
            interrupted,
            random_unit(),
        );
        d.collect_events();
        d.changed = true;
        self.signal(d);
        e
    }
}

impl Client {
    /// A client for these options. Validates the URL and reads TLS files now;
    /// does no network I/O. With a store directory, the store is opened and
    /// the messages it holds are queued to be sent after `connect()`.
    pub fn new(options: ClientOptions) -> Result<Self> {
        let url = WsUrl::parse(&options.url)?;
        // Build TLS now for wss://, and whenever TLS options were given (a
        // credential provider may switch to wss://): bad files fail here.
        let tls = if url.secure || options.tls != TlsOptions::default() {
            Some(options.tls.client_config()?)
        } else {
            None
        };
        for (name, _) in &options.headers {
            check_header_name(name)?;
        }
        let mut session = Session::new(options.session.clone());
        let mut stored = std::collections::HashMap::new();
        let mut events = VecDeque::new();
        let store = match &options.store_dir {
            None => None,
            Some(dir) => {
                let (store, recovered) = Store::open(dir)?;
                if let Some(damage) = recovered.damage {
                    events.push_back(Event::StoreDamaged(damage));
                }
                for m in recovered.messages {
                    if let Some(id) = session.restore(&m.topic, m.payload, m.qos, m.retain)? {
                        stored.insert(id, m.seq);
                    }
                }
                Some(store)
            }
        };
        let (poller, wakeup, registry) = Poller::new()?;
        let driver = Driver::new(options, tls, session, registry, events, store, stored);
        Ok(Self {
            shared: Arc::new(Shared {
                state: Mutex::new(driver),
                news: Condvar::new(),
                poller: Mutex::new(poller),
                wakeup,
                poller_wanted: AtomicUsize::new(0),
            }),
        })
    }

    /// A handle that ends this client's blocked calls from any thread.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle {
            shared: Arc::downgrade(&self.shared),
        }
    }

    /// Whether the connection is open and CONNACK accepted it.
    pub fn is_connected(&self) -> bool {
        self.shared.lock().is_connected()
    }

    /// The `Date` header of the server's answer to the last WebSocket
    /// upgrade request (101, or a refusal such as 401), as sent; `None` when
    /// the last attempt got no answer or the answer had no `Date`. Lets an
    /// application compare its clock with the server's when a cloud refuses
    /// a signature, since a skewed clock is a common cause.
    pub fn server_date(&self) -> Option<String> {
        self.shared.lock().server_date.clone()
    }

    /// Outgoing QoS 1/2 messages not yet acknowledged (kept across reconnects).
    pub fn inflight(&self) -> usize {
        self.shared.lock().session.inflight()
    }

    /// Connects: DNS, TCP, TLS, WebSocket upgrade (subprotocol `mqtt`),
    /// CONNECT and CONNACK, all within the connect timeout. Messages not
    /// acknowledged on a previous connection are sent again.
    pub fn connect(&self) -> Result<ConnectInfo> {
        let call = self.shared.begin();
        let d = self.shared.lock();
        if d.ws.is_some() || d.link.is_connecting() {
            return Err(Error::invalid("already connected; call disconnect() first"));
        }
        let (_d, r) = self.shared.attempt(d, call, false);
        r
    }

    /// Publishes a message. Returns as soon as the message is handed to the
    /// socket, with its packet id for QoS 1/2 (use [`Client::wait_for`] to
    /// wait for the acknowledgement). Blocks (up to the operation timeout)
    /// only while the inflight window or the socket's send buffer is full.
    /// While disconnected with an offline queue, the message is queued.
    pub fn publish(
        &self,
        topic: &str,
        payload: impl Into<Bytes>,
        qos: QoS,
        retain: bool,
    ) -> Result<Option<PacketId>> {
        self.publish_with(topic, payload, qos, retain, PublishProperties::default())
    }

    /// [`Client::publish`] with MQTT 5 properties (message expiry, content
    /// type, response topic, correlation data, user properties...). Under
    /// MQTT 3.1.1 any property set is [`Error::InvalidArgument`]. A durable
    /// store keeps topic, payload, QoS and retain only, so with a store
    /// directory set, properties are refused rather than lost on a restart.
    pub fn publish_with(
        &self,
        topic: &str,
        payload: impl Into<Bytes>,
        qos: QoS,
        retain: bool,
        properties: PublishProperties,
    ) -> Result<Option<PacketId>> {
        let payload = payload.into();
        // Arguments first: a bad call is InvalidArgument whatever the
        // connection's state, and nothing is stored.
        crate::codec::check_topic_name(topic)?;
        crate::codec::check_publish_size(topic.len(), payload.len(), qos)?;
        let has_properties = !properties.is_empty();
        let call = self.shared.begin();
        let mut d = self.shared.lock();
        let seq = match (&mut d.store, qos) {
            (Some(_), QoS::AtLeastOnce | QoS::ExactlyOnce) if has_properties => {
                return Err(Error::invalid(
                    "the durable store does not keep MQTT 5 publish properties; \
                     publish without properties or without a store directory",
                ));
            }
            (Some(store), QoS::AtLeastOnce | QoS::ExactlyOnce) => {
                Some(store.append(topic, &payload, qos, retain)?)
            }
            _ => None,
        };
        let message = Outgoing {
            topic,
            payload,
            qos,
            retain,
            properties,
        };
        let (mut d, result) = self.publish_locked(d, call, message);
        if let Ok(Some(id)) = &result {
            // A reused id starts clean.
            d.forget_dropped(*id);
        }
        if let Some(seq) = seq {
            match &result {
                Ok(Some(id)) => {
                    d.stored.insert(*id, seq);
                }
                // Not accepted: forget it again.
                _ => {
                    if let Some(store) = &mut d.store {
                        store.complete(seq)?;
                    }
                }
            }
        }
        result
    }

    fn publish_locked<'a>(
        &'a self,
        mut d: Guard<'a>,
        call: Call,
        message: Outgoing<'_>,
    ) -> (Guard<'a>, Result<Option<PacketId>>) {
        let qos = message.qos;
        let shared = &self.shared;
        if d.ws.is_none() {
            // Offline: the session queues it if an offline queue is configured.
            if let Some(err) = d.deferred_error.take() {
                return (d, Err(err));
            }
            if d.session.config().offline_queue.is_none() {
                let e = d.closed_error();
                return (d, Err(e));
            }
            let r = message.hand_to(&mut d.session);
            d.collect_events();
            shared.signal(&mut d);
            return (d, r);
        }
        if let Err(e) = d.ensure_open() {
            return (d, Err(e));
        }
        // Read from the clock only when a wait needs it (not on the fast path).
        let timeout = d.options.operation_timeout;
        let mut deadline = None;
        let mut deadline = move || *deadline.get_or_insert_with(|| deadline::from_now(timeout));
        // A socket that has not taken our last output gets no more until it
        // does: what we queued meanwhile would only grow the write buffer.
        if d.write_blocked {
            let (g, r) = shared.wait(d, call, Some(deadline()), |d| {
                Ok((!d.write_blocked).then_some(()))
            });
            d = g;
            match r {
                Ok(Some(())) => {}
                Ok(None) => {
                    let e = d.fail(Error::Timeout(TimeoutPhase::Write));
                    shared.signal(&mut d);
                    return (d, Err(e));
                }
                Err(e) => return (d, Err(e)),
            }
        }
        if qos != QoS::AtMostOnce && !d.session.has_inflight_room() {
            let (g, r) = shared.wait(d, call, Some(deadline()), |d| {
                Ok(d.session.has_inflight_room().then_some(()))
            });
            d = g;
            match r {
                Ok(Some(())) => {}
                Ok(None) => return (d, Err(Error::Timeout(TimeoutPhase::Ack))),
                Err(e) => return (d, Err(e)),
            }
            if d.ws.is_none() {
                // Lost while waiting, with reconnect on: queue it offline.
                return self.publish_locked(d, call, message);
            }
        }
        let id = match message.hand_to(&mut d.session) {
            Ok(id) => id,
            Err(e) => return (d, Err(e)),
        };
        // Return only once the bytes are with the kernel: the client has no
        // thread of its own, so bytes left in our buffer would wait for the
        // application's next call (a QoS 0 publish followed by a sleep would
        // never leave). A full socket therefore blocks here, up to the
        // operation timeout: backpressure, as a blocking write gives. Corked
        // (`cork`), the bytes wait for `uncork` instead, up to CORK_LIMIT.
        if let Err(e) = d.transmit_after_publish() {
            let e = d.fail(e);
            shared.signal(&mut d);
            return if d.link.is_backing_off() {
                // With reconnect on, an accepted QoS 1/2 message is resent
                // after the reconnect: report success rather than invite a
                // duplicate.
                (d, Ok(id))
            } else {
                (d, Err(e))
            };
        }
        if d.write_blocked {
            let (g, r) = shared.wait(d, call, Some(deadline()), |d| {
                Ok((!d.write_blocked || d.ws.is_none()).then_some(()))
            });
            d = g;
            match r {
                Ok(Some(())) => {}
                Ok(None) => {
                    let e = d.fail(Error::Timeout(TimeoutPhase::Write));
                    shared.signal(&mut d);
                    return (d, Err(e));
                }
                // Accepted and queued; another call's I/O sends it.
                Err(Error::Interrupted) => {}
                Err(_) if d.link.is_backing_off() => {}
                Err(e) => return (d, Err(e)),
            }
        }
        (d, Ok(id))
    }

    /// Starts a batch of publishes: until the matching [`Client::uncork`],
    /// [`Client::publish`] leaves its packet in the client's buffer instead
    /// of writing it, so that a batch leaves in a few writes (one TLS record
    /// each over wss) rather than one per message. `uncork` writes the
    /// batch and returns once it is with the kernel: the promise of
    /// `publish` holds for the batch as a whole.
    ///
    /// Bounded: a publish writes anyway once 16 KiB wait, and any call that
    /// waits (a QoS 1/2 publish with a full inflight window, `poll`, `recv`,
    /// `wait_for`...) writes what waits first. Corks nest (each `cork` needs
    /// its `uncork`) and belong to the client, not to a thread: while one is
    /// open, other threads' publishes wait for the `uncork` too.
    pub fn cork(&self) {
        let mut d = self.shared.lock();
        d.corks = d.corks.saturating_add(1);
    }

    /// Ends a batch started by [`Client::cork`]: when the last open cork
    /// ends, writes what the batch left in the buffer and returns once it is
    /// with the kernel (blocking, up to the operation timeout, while the
    /// socket is full). An `uncork` without a `cork` only writes.
    pub fn uncork(&self) -> Result<()> {
        let call = self.shared.begin();
        let mut d = self.shared.lock();
        d.corks = d.corks.saturating_sub(1);
        if d.corks > 0 {
            return Ok(());
        }
        self.flush_locked(d, call)
    }

    /// Writes what corked publishes left in the client's buffer without
    /// ending the cork, and returns once it is with the kernel (blocking,
    /// up to the operation timeout, while the socket is full). For a long
    /// batch that wants its head on the wire, and for a caller that must
    /// finish an interrupted [`Client::uncork`] without ending another cork.
    pub fn flush(&self) -> Result<()> {
        let call = self.shared.begin();
        let d = self.shared.lock();
        self.flush_locked(d, call)
    }

    fn flush_locked(&self, mut d: Guard<'_>, call: Call) -> Result<()> {
        if d.ws.is_none() {
            return Ok(());
        }
        if let Err(e) = d.flush_transmit() {
            let e = d.fail(e);
            self.shared.signal(&mut d);
            return if d.link.is_backing_off() {
                // The reconnect resends what was accepted at QoS 1/2.
                Ok(())
            } else {
                Err(e)
            };
        }
        if !d.write_blocked {
            return Ok(());
        }
        let deadline = deadline::from_now(d.options.operation_timeout);
        let (mut d, r) = self.shared.wait(d, call, Some(deadline), |d| {
            Ok((!d.write_blocked || d.ws.is_none()).then_some(()))
        });
        match r {
            Ok(Some(())) => Ok(()),
            Ok(None) => {
                let e = d.fail(Error::Timeout(TimeoutPhase::Write));
                self.shared.signal(&mut d);
                Err(e)
            }
            Err(_) if d.link.is_backing_off() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Waits until the QoS 1/2 message with this packet id is acknowledged
    /// (PUBACK, or PUBCOMP for QoS 2), or the subscription/unsubscription with
    /// it is answered. `timeout` `None` uses the operation timeout. A timeout
    /// is not fatal: the message stays in flight. A completed wait consumes
    /// the `Published` event, unless a concurrent `poll` took it first.
    pub fn wait_for(&self, id: PacketId, timeout: Option<Duration>) -> Result<()> {
        let call = self.shared.begin();
        let mut d = self.shared.lock();
        let deadline = deadline::from_now(timeout.unwrap_or(d.options.operation_timeout));
        if d.session.is_pending(id) {
            d.ensure_usable()?;
            let (g, r) = self.shared.wait(d, call, Some(deadline), |d| {
                Ok((!d.session.is_pending(id)).then_some(()))
            });
            d = g;
            if r?.is_none() {
                return Err(Error::Timeout(TimeoutPhase::Ack));
            }
        }
        d.collect_events();
        if let Some((code, reason)) = d.take_rejected(id) {
            return Err(Error::Rejected {
                what: "PUBLISH",
                code,
                reason,
            });
        }
        if d.take_dropped(id) {
            return Err(Error::QueueFull(format!(
                "message {id} was dropped from the full offline queue"
            )));
        }
        d.forget_published(id);
        Ok(())
    }

    /// Publishes and waits for the acknowledgement (QoS 1/2).
    pub fn publish_and_wait(
        &self,
        topic: &str,
        payload: impl Into<Bytes>,
        qos: QoS,
        retain: bool,
    ) -> Result<()> {
        match self.publish(topic, payload, qos, retain)? {
            Some(id) => self.wait_for(id, None),
            None => Ok(()),
        }
    }

    /// Subscribes and waits for SUBACK. Returns, per filter, the QoS the
    /// broker granted, or `None` where it refused the filter.
    pub fn subscribe(&self, filters: &[(&str, QoS)]) -> Result<Vec<Option<QoS>>> {
        let filters: Vec<(&str, SubscribeOptions)> = filters
            .iter()
            .map(|(f, q)| (*f, SubscribeOptions::qos(*q)))
            .collect();
        self.subscribe_with(&filters, SubscribeProperties::default())
            .map(|s| s.granted)
    }

    /// Subscribes with options per filter (MQTT 5: no local, retain as
    /// published, retain handling) and SUBSCRIBE properties (subscription
    /// identifier, user properties), and waits for SUBACK. Under MQTT 3.1.1
    /// anything beyond QoS is [`Error::InvalidArgument`].
    pub fn subscribe_with(
        &self,
        filters: &[(&str, SubscribeOptions)],
        properties: SubscribeProperties,
    ) -> Result<SubscribeReply> {
        crate::codec::check_topic_filters(filters.iter().map(|(f, _)| *f))?;
        let call = self.shared.begin();
        let mut d = self.shared.lock();
        d.ensure_open()?;
        let id = d
            .session
            .subscribe_with(filters, properties, Instant::now())?;
        d.awaited.insert(id);
        match self.await_answer(d, call, id)? {
            Event::Subscribed {
                granted,
                reason_codes,
                ..
            } => Ok(SubscribeReply {
                granted,
                reason_codes,
            }),
            _ => Err(Error::protocol("SUBACK was lost")),
        }
    }

    /// Unsubscribes and waits for UNSUBACK.
    pub fn unsubscribe(&self, filters: &[&str]) -> Result<()> {
        self.unsubscribe_with(filters, Vec::new()).map(|_| ())
    }

    /// Unsubscribes with MQTT 5 user properties and waits for UNSUBACK.
    /// Returns the reason code per filter (0 success, 0x11 no subscription
    /// existed, 0x87 not authorized...); empty under MQTT 3.1.1, whose
    /// UNSUBACK carries none.
    pub fn unsubscribe_with(
        &self,
        filters: &[&str],
        user_properties: Vec<UserProperty>,
    ) -> Result<Vec<u8>> {
        crate::codec::check_topic_filters(filters.iter().copied())?;
        let call = self.shared.begin();
        let mut d = self.shared.lock();
        d.ensure_open()?;
        let id = d
            .session
            .unsubscribe_with(filters, user_properties, Instant::now())?;
        d.awaited.insert(id);
        match self.await_answer(d, call, id)? {
            Event::Unsubscribed { reason_codes, .. } => Ok(reason_codes),
            _ => Err(Error::protocol("UNSUBACK was lost")),
        }
    }

    /// Sends what `id` queued and waits for the answer claimed for it.
    fn await_answer(&self, mut d: Guard<'_>, call: Call, id: PacketId) -> Result<Event> {
        let deadline = deadline::from_now(d.options.operation_timeout);
        if let Err(e) = d.flush_transmit() {
            d.awaited.remove(&id);
            let e = d.fail(e);
            self.shared.signal(&mut d);
            return Err(e);
        }
        let (mut d, r) = self.shared.wait(d, call, Some(deadline), |d| {
            if let Some(ev) = d.take_claimed(id) {
                return Ok(Some(ev));
            }
            if !d.session.is_pending(id) {
                // The connection was lost before the answer.
                return Err(d.closed_error());
            }
            Ok(None)
        });
        d.awaited.remove(&id);
        match r {
            Ok(Some(ev)) => Ok(ev),
            Ok(None) => Err(Error::Timeout(TimeoutPhase::Ack)),
            Err(e) => Err(e),
        }
    }

    /// The next event (message, acknowledgement...), waiting up to `timeout`
    /// (`None`: until one arrives or the connection fails). `Ok(None)` means
    /// the timeout passed. Events that arrived before a connection failure
    /// are returned before the failure is. With several threads polling,
    /// each event goes to one of them.
    pub fn poll(&self, timeout: Option<Duration>) -> Result<Option<Event>> {
        self.poll_until(|| timeout.map(deadline::from_now))
    }

    /// [`Client::poll`] with a deadline, read from the clock only if the
    /// call has to wait.
    fn poll_until(&self, deadline: impl FnOnce() -> Option<Instant>) -> Result<Option<Event>> {
        let call = self.shared.begin();
        let mut d = self.shared.lock();
        if let Some(e) = d.next_event() {
            return Ok(Some(e));
        }
        if let Some(err) = d.deferred_error.take() {
            return Err(err);
        }
        // Events the session produced while offline (Dropped) come first.
        d.collect_events();
        if let Some(e) = d.next_event() {
            return Ok(Some(e));
        }
        d.ensure_usable()?;
        let (mut d, r) = self
            .shared
            .wait(d, call, deadline(), |d| Ok(d.next_event()));
        match r {
            Ok(ev) => Ok(ev),
            Err(e) => match d.next_event() {
                Some(ev) if e.is_fatal() => {
                    d.deferred_error = Some(e);
                    Ok(Some(ev))
                }
                _ => Err(e),
            },
        }
    }

    /// The next message, skipping other events, waiting up to `timeout`.
    /// `Ok(None)` means the timeout passed.
    pub fn recv(&self, timeout: Option<Duration>) -> Result<Option<Message>> {
        // Fixed when a wait first needs it; the same for every event skipped.
        let mut deadline = None;
        loop {
            let next = || *deadline.get_or_insert_with(|| timeout.map(deadline::from_now));
            match self.poll_until(next)? {
                Some(Event::Message(m)) => return Ok(Some(m)),
                Some(_) => continue,
                None => return Ok(None),
            }
        }
    }

    /// Sends DISCONNECT and closes the WebSocket (the broker then discards
    /// the will). Waits up to the operation timeout for the close to
    /// complete. Calling it when not connected does nothing. Calls blocked
    /// on other threads then return [`Error::Closed`].
    pub fn disconnect(&self) -> Result<()> {
        let call = self.shared.begin();
        let mut d = self.shared.lock();
        if d.ws.is_none() {
            d.closed_by_app();
            self.shared.signal(&mut d);
            return Ok(());
        }
        d.link.closed();
        let deadline = deadline::from_now(d.options.operation_timeout);
        let mut result = Ok(());
        if d.session.is_connected() {
            result = d
                .session
                .disconnect(Instant::now())
                .and_then(|()| d.flush_transmit());
        }
        if let Some(ws) = d.ws.as_mut() {
            ws.close();
            let _ = ws.flush();
        }
        // Wait for the server's close frame or EOF; either way we are done.
        // The poller is taken so that no other thread reads the close first.
        drop(d);
        let mut p = self.shared.take_poller(call);
        loop {
            let mut d = self.shared.lock();
            let finished = d.step(Instant::now()).is_err()
                || d.ws.is_none()
                || self.shared.interrupted(call)
                || Instant::now() >= deadline;
            if finished {
                d.closed_by_app();
                break;
            }
            drop(d);
            let _ = p.wait(Some(deadline));
        }
        let mut d = self.shared.release_poller(p);
        self.shared.signal(&mut d);
        result
    }
}

/// One publish on its way to the session.
struct Outgoing<'t> {
    topic: &'t str,
    payload: Bytes,
    qos: QoS,
    retain: bool,
    properties: PublishProperties,
}

impl Outgoing<'_> {
    fn hand_to(self, session: &mut Session) -> Result<Option<PacketId>> {
        session.publish_with(
            self.topic,
            self.payload,
            self.qos,
            self.retain,
            self.properties,
            Instant::now(),
        )
    }
}

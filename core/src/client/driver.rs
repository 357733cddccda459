//! The client's state behind its mutex, and every non-blocking thing done
//! to it: reading what the socket has, firing the session's and the link's
//! timers, writing what is queued, collecting events, and closing the
//! connection. Whichever thread holds the mutex does this work; the waiting
//! (and the locking protocol around it) is in the parent module.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use mio::Registry;
use rustls::ClientConfig;

use super::options::ClientOptions;
use crate::auth::Scheme;
use crate::error::{Error, Result};
use crate::link::{Link, LinkAction};
use crate::session::{ConnectParams, Event, PacketId, Session};
use crate::store::Store;
use crate::transport::proxy::ProxyConfig;
use crate::transport::url::WsUrl;
use crate::transport::ws::{Incoming, WsConn};
use crate::transport::{self, Target};

/// At most this many pieces of WebSocket frames are taken per step, so a
/// fast sender cannot keep a call from returning; the rest is read on the
/// next step.
const READ_BATCH: usize = 64;

/// While corked, a publish writes once this many bytes wait: a forgotten
/// `uncork` costs latency, never unbounded memory.
pub(super) const CORK_LIMIT: usize = 16 * 1024;

/// Most `Published` events kept for `poll`. A publisher that never polls
/// (it waits with `wait_for`, or not at all) would otherwise collect one per
/// QoS 1/2 message forever; beyond this the oldest go, which loses nothing
/// (an acknowledgement is also visible as `wait_for` returning).
const MAX_ACK_EVENTS: usize = 10_000;

/// The state of one client, behind its mutex.
pub(super) struct Driver {
    pub(super) options: ClientOptions,
    tls: Option<Arc<ClientConfig>>,
    pub(super) session: Session,
    pub(super) link: Link,
    pub(super) ws: Option<WsConn>,
    /// For deregistering the socket without holding the poller.
    registry: Registry,
    /// Events for `poll`/`recv`, in arrival order.
    events: VecDeque<Event>,
    /// Acknowledgements that a waiting call claimed (SUBACK, UNSUBACK and
    /// the CONNACK of the application's own `connect`), so that a
    /// concurrent `poll` never takes them.
    claimed: HashMap<PacketId, Event>,
    pub(super) awaited: HashSet<PacketId>,
    /// The application's own connect is waiting for CONNACK: its
    /// `Connected` event is its return value, not an event.
    pub(super) connecting_by_app: bool,
    /// `session_present` of the last CONNACK.
    pub(super) session_present: bool,
    /// MQTT 5: the properties of the last CONNACK (empty under 3.1.1).
    pub(super) connack: Box<crate::ConnAckProperties>,
    /// MQTT 5: packet ids the broker refused, until `wait_for` reports them.
    rejected: std::collections::HashMap<PacketId, (u8, Option<String>)>,
    /// An error that ended the connection while events were still queued; it
    /// is reported once they are consumed.
    pub(super) deferred_error: Option<Error>,
    /// Why the last connection ended, for `Closed` messages.
    last_loss: Option<String>,
    read_pending: bool,
    pub(super) write_blocked: bool,
    /// Open [`Client::cork`](super::Client::cork) calls: while above zero,
    /// a publish leaves its bytes in the WebSocket's buffer (up to
    /// [`CORK_LIMIT`]) instead of writing them.
    pub(super) corks: u32,
    /// SUBSCRIBE packets sent to restore subscriptions; their SUBACK is ours.
    restoring: Vec<PacketId>,
    /// The durable store, and the store sequence of each stored packet id.
    pub(super) store: Option<Store>,
    pub(super) stored: HashMap<PacketId, u64>,
    /// Packet ids the offline queue dropped, until `wait_for` reports them.
    dropped: HashSet<PacketId>,
    /// `Published` events in `events`.
    ack_events: usize,
    /// The `Date` header of the last upgrade response.
    pub(super) server_date: Option<String>,
    /// Threads waiting on the condition variable for news.
    pub(super) waiters: usize,
    /// A thread waits in the poller until this instant (`Some(None)`: no
    /// deadline); `None` when no thread does.
    pub(super) polling: Option<Option<Instant>>,
    /// Something a waiting thread may care about happened since the last
    /// signal (events, acknowledgements, the socket drained, the link).
    pub(super) changed: bool,
    /// Something happened that the thread in the poller cannot see on the
    /// socket (the connection closed, events from the offline queue).
    pub(super) wake_poller: bool,
}

impl Driver {
    pub(super) fn new(
        options: ClientOptions,
        tls: Option<Arc<ClientConfig>>,
        session: Session,
        registry: Registry,
        events: VecDeque<Event>,
        store: Option<Store>,
        stored: HashMap<PacketId, u64>,
    ) -> Self {
        let link = Link::new(options.reconnect, options.ws_ping);
        Self {
            options,
            tls,
            session,
            link,
            ws: None,
            registry,
            events,
            claimed: HashMap::new(),
            awaited: HashSet::new(),
            connecting_by_app: false,
            session_present: false,
            connack: Box::default(),
            rejected: std::collections::HashMap::new(),
            deferred_error: None,
            last_loss: None,
            read_pending: false,
            write_blocked: false,
            corks: 0,
            restoring: Vec::new(),
            store,
            stored,
            dropped: HashSet::new(),
            ack_events: 0,
            server_date: None,
            waiters: 0,
            polling: None,
            changed: false,
            wake_poller: false,
        }
    }

    /// Connected, and CONNACK accepted.
    pub(super) fn is_connected(&self) -> bool {
        self.ws.is_some() && self.session.is_connected()
    }

    /// Queued events, for `Debug`.
    pub(super) fn queued_events(&self) -> usize {
        self.events.len()
    }

    /// One non-blocking round: decode what waited, read what is there, fire
    /// timers, write what is queued, collect events.
    pub(super) fn step(&mut self, now: Instant) -> Result<()> {
        let result = self
            .session
            .handle_buffered(now)
            .and_then(|()| self.read_available(now))
            .and_then(|()| self.timers(now))
            .and_then(|()| self.flush_transmit());
        self.collect_events();
        result
    }

    /// The session's and the link's timers. A due reconnect is the waiting
    /// loop's business (it blocks), not a step's.
    fn timers(&mut self, now: Instant) -> Result<()> {
        if self.session.poll_timeout().is_some_and(|t| now >= t) {
            self.session.handle_timeout(now)?;
        }
        if self.ws.is_some() && self.link.handle_timeout(now)? == LinkAction::SendPing {
            self.write_ping()?;
        }
        Ok(())
    }

    /// The earliest timer of the session and the link.
    pub(super) fn next_timer(&self) -> Option<Instant> {
        [self.session.poll_timeout(), self.link.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Moves the session's and the link's events into the queue, settling
    /// the durable store, the claimed acknowledgements and the internal
    /// subscription restores on the way.
    pub(super) fn collect_events(&mut self) {
        while let Some(ev) = self.session.poll_event() {
            self.changed = true;
            if self.ws.is_none() {
                // Produced without the socket (offline-queue drops): a thread
                // in the poller would not notice.
                self.wake_poller = true;
            }
            match &ev {
                Event::Dropped {
                    packet_id: Some(id),
                    ..
                } => {
                    self.dropped.insert(*id);
                    self.complete_stored(*id);
                }
                Event::Published { packet_id } => self.complete_stored(*packet_id),
                Event::Rejected {
                    packet_id,
                    reason_code,
                    reason,
                } => {
                    self.rejected
                        .insert(*packet_id, (*reason_code, reason.clone()));
                    self.complete_stored(*packet_id);
                }
                Event::Connected {
                    session_present,
                    properties,
                } => {
                    self.session_present = *session_present;
                    self.connack = properties.clone();
                    if self.connecting_by_app {
                        continue;
                    }
                }
                Event::Subscribed { packet_id, .. } => {
                    if let Some(pos) = self.restoring.iter().position(|id| id == packet_id) {
                        self.restoring.remove(pos);
                        continue;
                    }
                }
                _ => {}
            }
            match &ev {
                Event::Subscribed { packet_id, .. } | Event::Unsubscribed { packet_id, .. }
                    if self.awaited.remove(packet_id) =>
                {
                    self.claimed.insert(*packet_id, ev);
                }
                Event::Published { .. } => {
                    self.events.push_back(ev);
                    self.ack_events += 1;
                    if self.ack_events > MAX_ACK_EVENTS
                        && let Some(pos) = self
                            .events
                            .iter()
                            .position(|e| matches!(e, Event::Published { .. }))
                    {
                        self.events.remove(pos);
                        self.ack_events -= 1;
                    }
                }
                _ => self.events.push_back(ev),
            }
        }
        while let Some(ev) = self.link.poll_event() {
            self.changed = true;
            self.wake_poller = true;
            self.events.push_back(ev);
        }
    }

    /// Marks a stored message done: delivered, or dropped for good.
    fn complete_stored(&mut self, id: PacketId) {
        if let (Some(seq), Some(store)) = (self.stored.remove(&id), &mut self.store)
            && let Err(e) = store.complete(seq)
        {
            // The message was delivered; failing to record it only means it
            // is sent again after a restart.
            log::warn!("durable store: {e}");
        }
    }

    /// Takes the acknowledgement a waiting call claimed.
    pub(super) fn take_claimed(&mut self, id: PacketId) -> Option<Event> {
        self.claimed.remove(&id)
    }

    /// Hands the oldest queued event to the application; a message leaves
    /// the session's incoming bound then.
    pub(super) fn next_event(&mut self) -> Option<Event> {
        let ev = self.events.pop_front()?;
        match &ev {
            Event::Message(m) => self.session.message_taken(m),
            Event::Published { .. } => self.ack_events -= 1,
            _ => {}
        }
        Some(ev)
    }

    /// Removes the `Published` event of `id`, which a completed wait reports
    /// itself.
    pub(super) fn forget_published(&mut self, id: PacketId) {
        if let Some(pos) = self
            .events
            .iter()
            .position(|e| matches!(e, Event::Published { packet_id } if *packet_id == id))
        {
            self.events.remove(pos);
            self.ack_events -= 1;
        }
    }

    /// The broker's refusal of `id`, if it refused it (reported once: the
    /// `Rejected` event goes with it, as a completed wait takes `Published`).
    pub(super) fn take_rejected(&mut self, id: PacketId) -> Option<(u8, Option<String>)> {
        let refusal = self.rejected.remove(&id)?;
        if let Some(pos) = self
            .events
            .iter()
            .position(|e| matches!(e, Event::Rejected { packet_id, .. } if *packet_id == id))
        {
            self.events.remove(pos);
        }
        Some(refusal)
    }

    /// Whether the offline queue dropped `id` (reported once).
    pub(super) fn take_dropped(&mut self, id: PacketId) -> bool {
        self.dropped.remove(&id)
    }

    /// A reused packet id starts clean.
    pub(super) fn forget_dropped(&mut self, id: PacketId) {
        self.dropped.remove(&id);
        self.rejected.remove(&id);
    }

    fn read_available(&mut self, now: Instant) -> Result<()> {
        if self.ws.is_none() {
            return Ok(());
        }
        self.read_pending = false;
        for _ in 0..READ_BATCH {
            if !self.may_read() {
                // There may be more to read once this clears; the socket will
                // not signal it again (edge-triggered), so remember.
                self.read_pending = true;
                return Ok(());
            }
            let Some(ws) = self.ws.as_mut() else {
                return Ok(());
            };
            match ws.read()? {
                Some(Incoming::Data(data)) => {
                    self.changed = true;
                    self.session.handle_bytes(data, now)?;
                }
                Some(Incoming::Close(why)) => {
                    // Our answering CLOSE, if the socket takes it.
                    let _ = ws.flush();
                    return Err(Error::Closed(format!(
                        "the server closed the WebSocket ({why})"
                    )));
                }
                Some(Incoming::Pong) => self.link.pong_received(),
                None => return Ok(()),
            }
        }
        self.read_pending = true;
        Ok(())
    }

    /// Whether a step would read nothing from the socket until the poller
    /// collects its next readable event (see `transport::Tcp`).
    pub(super) fn socket_drained(&self) -> bool {
        self.ws.as_ref().is_some_and(|ws| !ws.may_have_data())
    }

    /// Whether the socket may hold more to read than the last step took.
    pub(super) fn read_pending(&self) -> bool {
        self.read_pending && self.may_read()
    }

    /// Reading is paused while the application leaves the incoming queue
    /// full ([`IncomingQueue`](crate::IncomingQueue)) and while the socket
    /// takes no more of our output: what we read would only pile up
    /// (messages, or the acknowledgements we owe for them), so TCP pushes
    /// back on the broker instead.
    fn may_read(&self) -> bool {
        !self.write_blocked && !self.session.is_receive_paused()
    }

    fn write_ping(&mut self) -> Result<()> {
        if let Some(ws) = self.ws.as_mut() {
            // Sent with the step's other output (flush_transmit).
            ws.send_ping(b"mqttws");
        }
        Ok(())
    }

    /// After a publish: writes what the session has to send, unless the
    /// client is corked and fewer than [`CORK_LIMIT`] bytes wait.
    pub(super) fn transmit_after_publish(&mut self) -> Result<()> {
        if self.corks > 0
            && self
                .frame_transmit()
                .is_some_and(|ws| ws.queued_len() < CORK_LIMIT)
        {
            return Ok(());
        }
        self.flush_transmit()
    }

    /// Moves what the session queued into the WebSocket's output, each
    /// packet one binary frame, without writing; the connection, if any.
    fn frame_transmit(&mut self) -> Option<&mut WsConn> {
        let ws = self.ws.as_mut()?;
        while let Some(frame) = self.session.poll_transmit() {
            ws.send_binary(&frame);
        }
        Some(ws)
    }

    /// Writes what the session queued, each packet one binary frame, all of
    /// them in one write; `write_blocked` tells whether the socket took it
    /// all.
    pub(super) fn flush_transmit(&mut self) -> Result<()> {
        let Some(ws) = self.frame_transmit() else {
            return Ok(());
        };
        match ws.flush() {
            Ok(()) => {
                if self.write_blocked {
                    self.changed = true;
                }
                self.write_blocked = false;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => self.write_blocked = true,
            Err(e) => return Err(transport::classify_io("exchanging data", e)),
        }
        Ok(())
    }

    /// Connected, or waiting to reconnect automatically (or reconnecting).
    pub(super) fn ensure_usable(&self) -> Result<()> {
        if self.link.is_backing_off() || (self.link.is_connecting() && !self.connecting_by_app) {
            Ok(())
        } else {
            self.ensure_open()
        }
    }

    pub(super) fn ensure_open(&self) -> Result<()> {
        if self.is_connected() {
            Ok(())
        } else {
            Err(self.closed_error())
        }
    }

    pub(super) fn closed_error(&self) -> Error {
        match &self.last_loss {
            Some(why) => Error::Closed(format!("not connected: {why}")),
            None => Error::Closed("not connected: call connect() first".into()),
        }
    }

    /// Closes the connection if `e` is fatal; returns `e`.
    pub(super) fn fail(&mut self, e: Error) -> Error {
        if e.is_fatal() && self.ws.is_some() {
            self.drop_connection(&e);
        }
        e
    }

    /// The connection is gone: close the socket, tell the session and the
    /// link (which schedules the reconnect, if on).
    pub(super) fn drop_connection(&mut self, why: &Error) {
        self.close_socket();
        self.session.connection_lost();
        let reason = why.to_string();
        self.last_loss = Some(reason.clone());
        self.link.lost(Instant::now(), &reason, random_unit());
        self.collect_events();
    }

    pub(super) fn close_socket(&mut self) {
        if let Some(mut ws) = self.ws.take() {
            transport::deregister(&self.registry, &mut ws);
            self.changed = true;
            self.wake_poller = true;
        }
        self.read_pending = false;
        self.write_blocked = false;
    }

    /// The application closed the connection.
    pub(super) fn closed_by_app(&mut self) {
        self.close_socket();
        self.session.connection_lost();
        self.link.closed();
        self.last_loss = Some("disconnected by the application".into());
    }

    /// A new connection's socket, CONNECT already sent.
    pub(super) fn install(&mut self, ws: WsConn) {
        self.ws = Some(ws);
        self.read_pending = false;
        self.write_blocked = false;
        self.deferred_error = None;
        self.changed = true;
        self.wake_poller = true;
    }

    /// Everything one connection attempt needs, signed now, and CONNECT
    /// queued in the session (taken out as `connect`).
    pub(super) fn prepare_attempt(&mut self) -> Result<Prepared> {
        let attempt = self.attempt_params()?;
        let url = WsUrl::parse(&attempt.url)?;
        let tls = if url.secure {
            match &self.tls {
                Some(t) => Some(t.clone()),
                None => {
                    let t = self.options.tls.client_config()?;
                    self.tls = Some(t.clone());
                    Some(t)
                }
            }
        } else {
            None
        };
        // CONNECT is queued first and written by the transport itself, right
        // after the upgrade (see transport::open).
        self.session.connect(attempt.params, Instant::now())?;
        let connect = self.session.poll_transmit().unwrap_or_default();
        Ok(Prepared {
            url,
            headers: attempt.headers,
            tls,
            proxy: self.options.proxy.clone(),
            connect,
            deadline: crate::deadline::from_now(self.options.connect_timeout),
            server_date: std::cell::Cell::new(None),
        })
    }

    fn attempt_params(&self) -> Result<Attempt> {
        let o = &self.options;
        let mut attempt = Attempt {
            url: o.url.clone(),
            headers: o.headers.clone(),
            params: ConnectParams {
                client_id: o.client_id.clone(),
                username: o.username.clone(),
                password: o.password.clone(),
                keepalive: o.keepalive,
                clean_session: o.clean_session,
                will: o.will.clone(),
                properties: o.connect_properties.clone(),
            },
        };
        if let Some(provider) = &o.provider {
            provider.validate_keepalive(o.keepalive)?;
            // The scheme of the URL this attempt will use: the configured one,
            // or the provider's own (AWS presigns a wss:// URL).
            let scheme = if WsUrl::parse(&o.url).is_ok_and(|u| !u.secure) {
                Scheme::Ws
            } else {
                Scheme::Wss
            };
            let c = provider.credentials_for((o.clock)(), scheme)?;
            attempt.params.client_id = c.client_id;
            attempt.params.username = c.username;
            attempt.params.password = c.password;
            if let Some(url) = c.url {
                attempt.url = url;
            }
            attempt.headers.extend(c.headers);
        }
        for (name, _) in &attempt.headers {
            check_header_name(name)?;
        }
        Ok(attempt)
    }

    /// Subscribes again to every granted filter when the broker kept no
    /// session for us (automatic reconnect).
    pub(super) fn restore_subscriptions(&mut self, now: Instant) -> Result<()> {
        let restore = self
            .options
            .reconnect
            .is_some_and(|p| p.restore_subscriptions);
        if restore && !self.session_present && !self.session.subscriptions().is_empty() {
            let subs = self.session.subscriptions().to_vec();
            let filters: Vec<(&str, crate::SubscribeOptions)> =
                subs.iter().map(|(t, o)| (t.as_str(), *o)).collect();
            let id = self.session.subscribe_with(
                &filters,
                crate::SubscribeProperties::default(),
                now,
            )?;
            self.restoring.push(id);
            self.flush_transmit()?;
        }
        Ok(())
    }
}

/// What one connection attempt needs once the state's lock is released.
pub(super) struct Prepared {
    url: WsUrl,
    headers: Vec<(String, String)>,
    tls: Option<Arc<ClientConfig>>,
    proxy: Option<ProxyConfig>,
    /// The encoded CONNECT packet.
    pub(super) connect: Bytes,
    /// The connect deadline: DNS, TCP, TLS, upgrade and CONNACK.
    pub(super) deadline: Instant,
    /// Receives the `Date` header of the upgrade response.
    pub(super) server_date: std::cell::Cell<Option<String>>,
}

impl Prepared {
    pub(super) fn target(&self) -> Target<'_> {
        Target {
            url: &self.url,
            headers: &self.headers,
            tls: self.tls.clone(),
            proxy: self.proxy.as_ref(),
            server_date: &self.server_date,
        }
    }
}

/// One connection attempt's URL, headers and CONNECT fields.
struct Attempt {
    url: String,
    headers: Vec<(String, String)>,
    params: ConnectParams,
}

/// Headers the WebSocket handshake owns; setting them would break it.
pub(super) fn check_header_name(name: &str) -> Result<()> {
    const RESERVED: [&str; 6] = [
        "host",
        "connection",
        "upgrade",
        "sec-websocket-version",
        "sec-websocket-key",
        "sec-websocket-protocol",
    ];
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
        return Err(Error::invalid(format!(
            "header {name:?} is set by the WebSocket handshake itself and cannot be overridden"
        )));
    }
    Ok(())
}

/// A uniform number in [0, 1) from the OS generator (for back-off jitter).
pub(super) fn random_unit() -> f64 {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

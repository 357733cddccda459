//! [`Engine`]: one client's MQTT state for the JS driver.

use std::collections::VecDeque;

use mqttws::link::{Link, LinkAction};
use mqttws::{
    Bytes, ConnectParams, Event, Instant, Message, OfflineQueue, QoS, QueueFull, ReconnectPolicy,
    Session, SessionConfig, Will,
};
use wasm_bindgen::prelude::*;

use crate::value::{self, ObjectBuilder, Options, error, invalid};

/// One client's MQTT state: the core's [`Session`] and [`Link`], driven by
/// `js/index.js`. Not for applications: use `connect()` of the package.
///
/// Order of use, as for the core's session: after any input, the driver
/// sends every [`Engine::poll_transmit`] frame, handles every
/// [`Engine::poll_event`], takes messages with [`Engine::take_message`] as
/// the application asks for them, and arms its timer for
/// [`Engine::poll_timeout`].
#[wasm_bindgen]
pub struct Engine {
    session: Session,
    link: Link,
    keepalive: u16,
    clean_session: bool,
    will: Option<Will>,
    /// Messages decoded and not yet taken by the application; the session's
    /// incoming bound counts them.
    messages: VecDeque<Message>,
    /// Events for the driver, in order (the link's and the session's).
    events: VecDeque<Event>,
    /// SUBSCRIBE ids sent to restore subscriptions after a reconnect: their
    /// SUBACKs are ours, not the application's.
    restoring: Vec<u16>,
    /// An automatic reconnect attempt is in progress.
    automatic: bool,
}

#[wasm_bindgen]
impl Engine {
    /// A disconnected engine. `options`: `{ keepalive, cleanSession, will?,
    /// reconnect?, offlineQueue?, inflightWindow?, maxPacketSize? }`, with
    /// durations in milliseconds and `will.payload` a `Uint8Array`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Engine, JsValue> {
        let mut o = Options::new("connect options", options)?;
        let keepalive = o.opt_uint("keepalive", u16::MAX.into())?.unwrap_or(60) as u16;
        let clean_session = o.opt_bool("cleanSession")?.unwrap_or(true);
        let will = match o.opt_object("will")? {
            Some(mut w) => {
                let will = Will::new(
                    w.string("topic")?,
                    Bytes::from(w.opt_bytes("payload")?.unwrap_or_default()),
                    value::qos(w.opt_uint("qos", 2)?.unwrap_or(0) as u8)?,
                    w.opt_bool("retain")?.unwrap_or(false),
                );
                w.finish()?;
                Some(will)
            }
            None => None,
        };
        let policy = match o.opt_object("reconnect")? {
            Some(mut r) => {
                let d = ReconnectPolicy::default();
                let policy = ReconnectPolicy {
                    min_delay: r.opt_millis("minDelayMs")?.unwrap_or(d.min_delay),
                    max_delay: r.opt_millis("maxDelayMs")?.unwrap_or(d.max_delay),
                    stable_after: r.opt_millis("stableAfterMs")?.unwrap_or(d.stable_after),
                    restore_subscriptions: r
                        .opt_bool("restoreSubscriptions")?
                        .unwrap_or(d.restore_subscriptions),
                };
                r.finish()?;
                Some(policy)
            }
            None => None,
        };
        let mut config = SessionConfig::default();
        if let Some(mut q) = o.opt_object("offlineQueue")? {
            let d = OfflineQueue::default();
            let when_full = match q.opt_string("whenFull")?.as_deref() {
                None | Some("error") => QueueFull::Error,
                Some("dropOldest") => QueueFull::DropOldest,
                Some(_) => {
                    return Err(invalid(
                        "offlineQueue.whenFull must be \"error\" or \"dropOldest\"",
                    ));
                }
            };
            config.offline_queue = Some(OfflineQueue {
                max_messages: q
                    .opt_uint("maxMessages", u32::MAX.into())?
                    .map_or(d.max_messages, |n| n as usize),
                max_bytes: q
                    .opt_uint("maxBytes", u32::MAX.into())?
                    .map_or(d.max_bytes, |n| n as usize),
                when_full,
            });
            q.finish()?;
        }
        if let Some(w) = o.opt_uint("inflightWindow", u16::MAX.into())? {
            config.inflight_window = w as u16;
        }
        if let Some(m) = o.opt_uint("maxPacketSize", u32::MAX.into())? {
            config.max_incoming_packet_size = m as usize;
        }
        o.finish()?;
        Ok(Engine {
            session: Session::new(config),
            // The browser's WebSocket answers the server's PINGs itself and
            // cannot send its own: no client PINGs here.
            link: Link::new(policy, None),
            keepalive,
            clean_session,
            will,
            messages: VecDeque::new(),
            events: VecDeque::new(),
            restoring: Vec::new(),
            automatic: false,
        })
    }

    /// A connection attempt starts: the driver is opening a WebSocket.
    /// `automatic`: the reconnect timer started it.
    #[wasm_bindgen(js_name = attemptStarted)]
    pub fn attempt_started(&mut self, automatic: bool) {
        self.automatic = automatic;
        self.link.attempt_started();
    }

    /// The WebSocket is open (subprotocol `mqtt` checked by the driver):
    /// queues CONNECT with the credentials of this attempt.
    pub fn connect(
        &mut self,
        client_id: String,
        username: Option<String>,
        password: Option<String>,
    ) -> Result<(), JsValue> {
        let params = ConnectParams {
            client_id,
            username,
            password,
            keepalive: self.keepalive,
            clean_session: self.clean_session,
            will: self.will.clone(),
            properties: Default::default(),
        };
        self.session.connect(params, Instant::now()).map_err(error)
    }

    /// The attempt failed before CONNACK (WebSocket refused, timeout,
    /// CONNACK refusal). With reconnect on and an automatic attempt, the
    /// next one is scheduled (events follow); otherwise the link is idle and
    /// the caller of `connect()` gets the error. `unit`: jitter in [0, 1).
    #[wasm_bindgen(js_name = attemptFailed)]
    pub fn attempt_failed(&mut self, reason: &str, unit: f64) {
        self.session.connection_lost();
        self.link
            .attempt_failed(Instant::now(), reason, self.automatic, false, unit);
        self.drain_link();
    }

    /// The connection was lost after CONNACK (socket closed, keepalive
    /// timeout, protocol error). With reconnect on, `disconnected` and
    /// `reconnecting` events follow and the timer will ask for the attempt.
    #[wasm_bindgen(js_name = connectionLost)]
    pub fn connection_lost(&mut self, reason: &str, unit: f64) {
        self.session.connection_lost();
        self.link.lost(Instant::now(), reason, unit);
        self.drain_link();
    }

    /// Bytes of one incoming binary frame. An error (protocol violation,
    /// CONNACK refusal) means the connection is over: the driver closes the
    /// socket and reports the loss.
    #[wasm_bindgen(js_name = handleBytes)]
    pub fn handle_bytes(&mut self, data: &[u8]) -> Result<(), JsValue> {
        let r = self.session.handle_bytes(data, Instant::now());
        self.drain_session()?;
        r.map_err(error)
    }

    /// The timer fired. Returns `"reconnect"` when the back-off ended and
    /// the driver must start an attempt, `""` otherwise. An error (no
    /// PINGRESP in time) means the connection is dead.
    #[wasm_bindgen(js_name = handleTimeout)]
    pub fn handle_timeout(&mut self) -> Result<String, JsValue> {
        let now = Instant::now();
        self.session.handle_timeout(now).map_err(error)?;
        let action = self.link.handle_timeout(now).map_err(error)?;
        Ok(match action {
            LinkAction::Reconnect => "reconnect".into(),
            LinkAction::None | LinkAction::SendPing => String::new(),
        })
    }

    /// The next frame to send (one MQTT packet per binary frame).
    #[wasm_bindgen(js_name = pollTransmit)]
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.session.poll_transmit().map(|b| b.to_vec())
    }

    /// The next event for the driver, or `undefined`: `{ type: "connected",
    /// sessionPresent }`, `"disconnected"` `{ reason }`, `"reconnecting"`
    /// `{ delayMs, attempt }`, `"published"` `{ packetId }`, `"subscribed"`
    /// `{ packetId, granted }` (null for a refused filter),
    /// `"unsubscribed"` `{ packetId }`, `"dropped"` `{ packetId, topic }`
    /// (packetId null for QoS 0).
    #[wasm_bindgen(js_name = pollEvent)]
    pub fn poll_event(&mut self) -> JsValue {
        let Some(e) = self.events.pop_front() else {
            return JsValue::UNDEFINED;
        };
        let o = ObjectBuilder::new();
        match e {
            Event::Connected {
                session_present, ..
            } => o
                .set("type", "connected")
                .set("sessionPresent", session_present),
            Event::Disconnected { reason } => o.set("type", "disconnected").set("reason", reason),
            Event::Reconnecting { delay, attempt } => o
                .set("type", "reconnecting")
                .set("delayMs", delay.as_secs_f64() * 1000.0)
                .set("attempt", attempt),
            Event::Published { packet_id } => o.set("type", "published").set("packetId", packet_id),
            Event::Subscribed {
                packet_id, granted, ..
            } => o.set("type", "subscribed").set("packetId", packet_id).set(
                "granted",
                value::array(granted.into_iter().map(|g| g.map(|q| q as u8))),
            ),
            Event::Unsubscribed { packet_id, .. } => {
                o.set("type", "unsubscribed").set("packetId", packet_id)
            }
            Event::Dropped { packet_id, topic } => o
                .set("type", "dropped")
                .set("packetId", packet_id)
                .set("topic", topic),
            // Only the variants above are queued (see drain_session).
            _ => o.set("type", "other"),
        }
        .build()
    }

    /// How many milliseconds from now the driver must call
    /// [`Engine::handle_timeout`], or `undefined` for no deadline.
    #[wasm_bindgen(js_name = pollTimeout)]
    pub fn poll_timeout(&self) -> Option<f64> {
        let at = [self.session.poll_timeout(), self.link.poll_timeout()]
            .into_iter()
            .flatten()
            .min()?;
        Some(at.saturating_duration_since(Instant::now()).as_secs_f64() * 1000.0)
    }

    /// Messages received and not yet taken.
    #[wasm_bindgen(getter, js_name = messagesWaiting)]
    pub fn messages_waiting(&self) -> usize {
        self.messages.len()
    }

    /// The oldest received message `{ topic, payload: Uint8Array, qos,
    /// retain, dup }`, or `undefined`. Taking it makes room in the incoming
    /// bound, so bytes that waited undecoded are decoded now (the driver
    /// then polls transmits and events again).
    #[wasm_bindgen(js_name = takeMessage)]
    pub fn take_message(&mut self) -> Result<JsValue, JsValue> {
        let Some(m) = self.messages.pop_front() else {
            return Ok(JsValue::UNDEFINED);
        };
        self.session.message_taken(&m);
        let message = ObjectBuilder::new()
            .set("topic", m.topic.as_str())
            .set("payload", value::bytes(&m.payload))
            .set("qos", m.qos as u8)
            .set("retain", m.retain)
            .set("dup", m.dup)
            .build();
        let r = self.session.handle_buffered(Instant::now());
        self.drain_session()?;
        r.map_err(error)?;
        Ok(message)
    }

    /// Queues a PUBLISH; returns the packet id for QoS 1/2 (settled by a
    /// `published` or `dropped` event), `undefined` for QoS 0.
    pub fn publish(
        &mut self,
        topic: &str,
        payload: Vec<u8>,
        qos: u8,
        retain: bool,
    ) -> Result<Option<u16>, JsValue> {
        let q = value::qos(qos)?;
        let r = self
            .session
            .publish(topic, Bytes::from(payload), q, retain, Instant::now());
        self.drain_session()?;
        r.map_err(error)
    }

    /// Whether a QoS 1/2 publish would go out at once (the inflight window
    /// has room and nothing waits ahead of it).
    #[wasm_bindgen(getter, js_name = hasInflightRoom)]
    pub fn has_inflight_room(&self) -> bool {
        self.session.has_inflight_room()
    }

    /// Queues a SUBSCRIBE of `filters`, all at `qos`; settled by a
    /// `subscribed` event with the returned id.
    pub fn subscribe(&mut self, filters: Vec<String>, qos: u8) -> Result<u16, JsValue> {
        let q = value::qos(qos)?;
        let pairs: Vec<(&str, QoS)> = filters.iter().map(|f| (f.as_str(), q)).collect();
        self.session
            .subscribe(&pairs, Instant::now())
            .map_err(error)
    }

    /// Queues an UNSUBSCRIBE; settled by an `unsubscribed` event.
    pub fn unsubscribe(&mut self, filters: Vec<String>) -> Result<u16, JsValue> {
        let refs: Vec<&str> = filters.iter().map(String::as_str).collect();
        self.session
            .unsubscribe(&refs, Instant::now())
            .map_err(error)
    }

    /// The application closes the client: DISCONNECT is queued when
    /// connected (send it, then close the socket), no reconnect follows.
    pub fn disconnect(&mut self) {
        if self.session.is_connected() {
            // Only fails when not connected, checked just above.
            let _ = self.session.disconnect(Instant::now());
        }
        self.link.closed();
    }

    /// Whether CONNACK accepted the current connection.
    #[wasm_bindgen(getter, js_name = isConnected)]
    pub fn is_connected(&self) -> bool {
        self.session.is_connected()
    }

    /// Waiting to reconnect automatically.
    #[wasm_bindgen(getter, js_name = isBackingOff)]
    pub fn is_backing_off(&self) -> bool {
        self.link.is_backing_off()
    }

    /// Outgoing QoS 1/2 messages not yet acknowledged, queued ones included.
    #[wasm_bindgen(getter)]
    pub fn inflight(&self) -> usize {
        self.session.inflight()
    }

    /// Panics, for the test of the driver's panic handling.
    #[doc(hidden)]
    #[wasm_bindgen(js_name = __panicForTests)]
    pub fn panic_for_tests(&mut self) {
        panic!("panic requested by a test");
    }

    fn drain_link(&mut self) {
        while let Some(e) = self.link.poll_event() {
            self.events.push_back(e);
        }
    }

    /// Moves the session's events to the driver's queue and messages to the
    /// application's; reacts to CONNACK (link up, subscriptions restored).
    fn drain_session(&mut self) -> Result<(), JsValue> {
        while let Some(e) = self.session.poll_event() {
            match e {
                Event::Message(m) => self.messages.push_back(m),
                Event::Connected {
                    session_present, ..
                } => {
                    self.link.connected(Instant::now());
                    self.automatic = false;
                    self.events.push_back(e);
                    self.restore_subscriptions(session_present)?;
                }
                Event::Subscribed { packet_id, .. } if self.restoring.contains(&packet_id) => {
                    self.restoring.retain(|id| *id != packet_id);
                }
                other => self.events.push_back(other),
            }
        }
        Ok(())
    }

    /// Subscribes again to every granted filter when the broker kept no
    /// session (as the native client does).
    fn restore_subscriptions(&mut self, session_present: bool) -> Result<(), JsValue> {
        let restore = self.link.policy().is_some_and(|p| p.restore_subscriptions);
        if !restore || session_present || self.session.subscriptions().is_empty() {
            return Ok(());
        }
        let subs = self.session.subscriptions().to_vec();
        let filters: Vec<(&str, mqttws::SubscribeOptions)> =
            subs.iter().map(|(t, o)| (t.as_str(), *o)).collect();
        let id = self
            .session
            .subscribe_with(&filters, Default::default(), Instant::now())
            .map_err(error)?;
        self.restoring.push(id);
        Ok(())
    }
}

//! `mqttws.Client`: the core's blocking client, shared between Python threads.
//!
//! # Theory of operation
//!
//! The core [`mqttws::Client`] is safe to share between threads: one
//! thread may block in `recv` while others publish, and none waits for
//! another. So the binding keeps it in an `Arc` and calls it directly,
//! always detached from the Python runtime (`py.detach`), so the GIL is
//! never held while a call blocks.
//!
//! * Waits (`recv`, `poll`, iteration, `PublishHandle.wait`) run in slices
//!   of at most [`SLICE`] and call `py.check_signals()` between slices, so
//!   Ctrl-C is noticed within 50 ms.
//! * The other calls (`connect`, `publish`, `subscribe`, `unsubscribe`,
//!   `disconnect`, `close`) block in the core without slices; made on the
//!   main thread, they run on a helper thread while the main thread checks
//!   for signals (see `signals.rs`), and Ctrl-C interrupts them. A publish
//!   with room in the inflight window does not wait and stays put.
//! * The core's interrupts end *every* call in progress. A call ended by an
//!   interrupt that was not meant for it (Ctrl-C on another thread, an
//!   `AsyncClient` cancelling its own call) simply runs again: a wait goes
//!   on, a publish that was not accepted is made again, a subscribe is sent
//!   again.
//! * `Client.interrupt()` sets a flag that the current or next wait turns
//!   into `mqttws.Interrupted`, and interrupts the core's calls in progress
//!   so that the current wait notices at once; the other calls in progress
//!   raise `Interrupted` too.
//! * `close()` takes the client out of the shared slot (later calls raise
//!   `ClosedError`), disconnects, and interrupts the calls still in
//!   progress; the socket goes when the last of them returns.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::SystemTime;
use std::time::{Duration, Instant};

use mqttws::auth::{CredentialProvider, Credentials as CoreCredentials, Scheme};
use mqttws::{
    Bytes, ClientOptions, ConnAckProperties as CoreConnAck, ConnectInfo, Error, Event,
    Message as CoreMessage, PacketId, ProtocolVersion, ProxyConfig, QoS, SubscribeProperties,
    TimeoutPhase, Will as CoreWill,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PySequence, PyString, PyTuple};

use crate::auth::{ProviderArg, redacted_url};
use crate::convert::{
    self, call_repr, field, field_if_set, payload, py_repr, qos, seconds, type_name,
};
use crate::errors::{IntoPyResult, invalid, to_py};
use crate::events;
use crate::resilience::{ReconnectArg, offline_queue_arg, ws_ping_arg};
use crate::signals::{self, SLICE};
use crate::v5::{
    self, ConnAckProperties, ConnectArgs, PublishProperties, SubscribeArgs, SubscribeReply,
};

/// The client for one call: `None` once closed.
struct Core(Option<Arc<mqttws::Client>>);

impl Core {
    fn client(&self) -> Result<&mqttws::Client, Error> {
        self.0.as_deref().ok_or_else(closed)
    }
}

fn closed() -> Error {
    Error::Closed("the client is closed".into())
}

/// Passes a credential provider's answers through, noting the client id of
/// each attempt, so that `Client.client_id` shows the one actually used.
struct NoteClientId {
    inner: Arc<dyn CredentialProvider>,
    client_id: Arc<Mutex<String>>,
}

impl NoteClientId {
    fn note(&self, c: mqttws::Result<CoreCredentials>) -> mqttws::Result<CoreCredentials> {
        if let Ok(c) = &c {
            *self
                .client_id
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = c.client_id.clone();
        }
        c
    }
}

impl CredentialProvider for NoteClientId {
    fn credentials(&self, now: SystemTime) -> mqttws::Result<CoreCredentials> {
        self.note(self.inner.credentials(now))
    }

    fn credentials_for(&self, now: SystemTime, scheme: Scheme) -> mqttws::Result<CoreCredentials> {
        self.note(self.inner.credentials_for(now, scheme))
    }

    fn keepalive_range(&self) -> Option<(u16, u16)> {
        self.inner.keepalive_range()
    }

    fn platform(&self) -> &str {
        self.inner.platform()
    }
}

/// The state shared by a `Client`, its handles and iterators.
pub(crate) struct Shared {
    client: RwLock<Option<Arc<mqttws::Client>>>,
    /// `Client.interrupt()` was called and no wait has raised it yet.
    user_interrupt: AtomicBool,
    /// How many times `Client.interrupt()` was called: the calls that are
    /// not waits raise `Interrupted` when it moved during the call.
    user_interrupts: AtomicU64,
    /// How many times `Client._interrupt_calls()` was called: likewise,
    /// but waits go on.
    aborts: AtomicU64,
    /// The application called disconnect() or close(): iteration ends.
    stopped: AtomicBool,
    closed: AtomicBool,
    url: String,
    inflight_window: usize,
    /// The client id of the last CONNECT (or the configured one before),
    /// or the one the broker assigned to an empty one (MQTT 5).
    client_id: Arc<Mutex<String>>,
    operation_timeout: Duration,
    version: ProtocolVersion,
    /// MQTT 5: the last CONNACK's properties.
    connack: Mutex<Option<Box<CoreConnAck>>>,
}

/// Where one call that is not a wait stands with respect to interrupts.
struct Scope {
    user_interrupts: u64,
    aborts: u64,
    /// Ctrl-C arrived while the main thread waited for this call.
    signalled: Arc<AtomicBool>,
}

impl Shared {
    fn core(&self) -> Core {
        Core(
            self.client
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        )
    }

    fn client_id(&self) -> String {
        self.client_id
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn v5(&self) -> bool {
        self.version == ProtocolVersion::V5
    }

    /// Notes what a CONNACK said: its properties and the client id the
    /// broker assigned, if it did.
    fn note_connack(&self, properties: &CoreConnAck) {
        if !self.v5() {
            return;
        }
        if let Some(id) = &properties.assigned_client_identifier {
            *self
                .client_id
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = id.clone();
        }
        *self.connack.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(Box::new(properties.clone()));
    }

    /// Notes the CONNACK of an automatic reconnect on its way to the caller.
    fn note(&self, ev: &Event) {
        if let Event::Connected { properties, .. } = ev {
            self.note_connack(properties);
        }
    }

    /// Runs a short operation on the client. Call detached from Python.
    fn run<R>(&self, f: impl FnOnce(&mut Core) -> R) -> R {
        f(&mut self.core())
    }

    /// Runs a call that is not a wait (connect, publish, subscribe...) so
    /// that Ctrl-C, `interrupt()` and `_interrupt_calls()` end it, and an
    /// interrupt meant for another call does not: the call is then made
    /// again (see the module documentation).
    fn call<R: Send + 'static>(
        self: &Arc<Self>,
        py: Python<'_>,
        f: impl FnMut(&mqttws::Client) -> Result<R, Error> + Send + 'static,
    ) -> PyResult<R> {
        self.call_unless_quick(py, false, f)
    }

    /// [`Shared::call`], run right here when `quick` (a call that will not
    /// wait: the hand-over to the helper thread would cost more than it).
    fn call_unless_quick<R: Send + 'static>(
        self: &Arc<Self>,
        py: Python<'_>,
        quick: bool,
        mut f: impl FnMut(&mqttws::Client) -> Result<R, Error> + Send + 'static,
    ) -> PyResult<R> {
        let scope = Scope {
            user_interrupts: self.user_interrupts.load(Ordering::SeqCst),
            aborts: self.aborts.load(Ordering::SeqCst),
            signalled: Arc::new(AtomicBool::new(false)),
        };
        let signalled = scope.signalled.clone();
        let shared = self.clone();
        let run = move || loop {
            let client = shared.core().0.ok_or_else(closed)?;
            match f(&client) {
                Err(Error::Interrupted) => {
                    let meant = scope.signalled.load(Ordering::SeqCst)
                        || shared.user_interrupts.load(Ordering::SeqCst) != scope.user_interrupts
                        || shared.aborts.load(Ordering::SeqCst) != scope.aborts;
                    if meant {
                        return Err(Error::Interrupted);
                    }
                    if shared.closed.load(Ordering::SeqCst) {
                        return Err(closed());
                    }
                }
                other => return other,
            }
        };
        if quick {
            return py.detach(run).py_err(py);
        }
        let shared = self.clone();
        signals::interruptible(py, run, move || {
            signalled.store(true, Ordering::SeqCst);
            if let Ok(c) = shared.core().client() {
                c.interrupt_handle().interrupt();
            }
        })?
        .py_err(py)
    }

    /// Runs a wait in slices until it gives a result or `deadline` passes
    /// (`Ok(None)`), checking for signals and `Client.interrupt()` between
    /// slices.
    fn wait_sliced<T: Send>(
        &self,
        py: Python<'_>,
        deadline: Option<Instant>,
        mut f: impl FnMut(&mut Core, Duration) -> Result<Option<T>, Error> + Send,
    ) -> PyResult<Option<T>> {
        loop {
            let now = Instant::now();
            let slice_end = match deadline {
                Some(d) => d.min(now + SLICE),
                None => now + SLICE,
            };
            let step = py.detach(|| {
                if self.user_interrupt.swap(false, Ordering::SeqCst) {
                    return Err(Error::Interrupted);
                }
                let left = slice_end.saturating_duration_since(Instant::now());
                match f(&mut self.core(), left) {
                    // The core interrupts every call in progress: raise it
                    // only for our own interrupt (or a close); otherwise the
                    // slice simply ends early.
                    Err(Error::Interrupted) => {
                        if self.user_interrupt.swap(false, Ordering::SeqCst) {
                            Err(Error::Interrupted)
                        } else if self.closed.load(Ordering::SeqCst) {
                            Err(closed())
                        } else {
                            Ok(None)
                        }
                    }
                    other => other,
                }
            });
            match step {
                Ok(Some(v)) => return Ok(Some(v)),
                Ok(None) => {}
                Err(e) => return Err(to_py(py, e)),
            }
            py.check_signals()?;
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(None);
            }
        }
    }

    fn receive(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<CoreMessage>> {
        let deadline = match timeout {
            // A timeout beyond what the clock can hold: no deadline.
            Some(t) => Instant::now().checked_add(seconds(py, "timeout", t)?),
            None => None,
        };
        // The core's poll() rather than its recv(): the events skipped on
        // the way (an automatic reconnect's CONNACK) are noted.
        self.wait_sliced(py, deadline, |core, left| {
            let client = core.client()?;
            let end = Instant::now() + left;
            loop {
                let left = end.saturating_duration_since(Instant::now());
                match client.poll(Some(left))? {
                    Some(Event::Message(m)) => return Ok(Some(m)),
                    Some(ev) => self.note(&ev),
                    None => return Ok(None),
                }
            }
        })
    }

    /// The next event (see `Client.poll`), like [`Shared::receive`].
    fn next_event(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<Event>> {
        let deadline = match timeout {
            // A timeout beyond what the clock can hold: no deadline.
            Some(t) => Instant::now().checked_add(seconds(py, "timeout", t)?),
            None => None,
        };
        self.wait_sliced(py, deadline, |core, left| {
            // A kind this binding does not know is skipped: `Ok(None)` keeps
            // the wait going.
            let ev = core.client()?.poll(Some(left))?;
            if let Some(ev) = &ev {
                self.note(ev);
            }
            Ok(ev.filter(events::is_known))
        })
    }

    /// Whether an error from a receive means "the application stopped the
    /// client" (iteration ends) rather than a failure.
    fn stopped_by_app(&self, e: &PyErr, py: Python<'_>) -> bool {
        self.stopped.load(Ordering::SeqCst)
            && e.get_type(py)
                .name()
                .is_ok_and(|n| n.to_cow().is_ok_and(|n| n == "ClosedError"))
    }
}

/// A message received from the broker.
#[pyclass(module = "mqttws", frozen)]
pub(crate) struct Message {
    /// The topic it was published to.
    #[pyo3(get)]
    topic: String,
    /// The payload.
    #[pyo3(get)]
    payload: Py<PyBytes>,
    /// The QoS it was delivered with (0, 1 or 2).
    #[pyo3(get)]
    qos: u8,
    /// Whether it is a retained message.
    #[pyo3(get)]
    retain: bool,
    /// Whether the broker marked it as a possible duplicate.
    #[pyo3(get)]
    dup: bool,
    /// MQTT 5: its properties (None when it carries none, always under
    /// MQTT 3.1.1).
    #[pyo3(get)]
    properties: Option<Py<PublishProperties>>,
}

impl Message {
    pub(crate) fn from_core(py: Python<'_>, m: CoreMessage) -> PyResult<Self> {
        Ok(Self {
            topic: m.topic,
            payload: PyBytes::new(py, &m.payload).unbind(),
            qos: m.qos as u8,
            retain: m.retain,
            dup: m.dup,
            properties: PublishProperties::from_core(py, m.properties)?,
        })
    }
}

#[pymethods]
impl Message {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr(
            "Message",
            &[
                field(py, "topic", &self.topic)?,
                field(py, "payload", self.payload.bind(py))?,
                field(py, "qos", self.qos)?,
                field(py, "retain", self.retain)?,
                field(py, "dup", self.dup)?,
                field_if_set(py, "properties", &self.properties)?,
            ],
        )
    }
}

/// The last will: published by the broker if the client vanishes without
/// `disconnect()`. MQTT 5: `properties` (a `mqttws.PublishProperties`) go
/// with it, and `delay` is the seconds the broker waits after losing the
/// connection before it publishes it (None: at once).
#[pyclass(module = "mqttws", frozen)]
pub(crate) struct Will {
    inner: CoreWill,
}

#[pymethods]
impl Will {
    #[new]
    #[pyo3(signature = (topic, payload=None, qos=0, retain=false, *, properties=None, delay=None))]
    fn new(
        py: Python<'_>,
        topic: String,
        payload: Option<&Bound<'_, PyAny>>,
        qos: i64,
        retain: bool,
        properties: Option<&Bound<'_, PyAny>>,
        delay: Option<i64>,
    ) -> PyResult<Self> {
        let qos = convert::qos(py, "qos", qos)?;
        if topic.is_empty() || topic.contains(['+', '#']) {
            return Err(invalid(
                py,
                "the will topic must be non-empty and without wildcards",
            ));
        }
        let mut inner = CoreWill::new(topic, convert::payload("payload", payload)?, qos, retain);
        inner.properties = v5::publish_properties_arg(properties)?;
        inner.delay_interval = delay
            .map(|d| convert::int_in(py, "delay", d, 0, u32::MAX.into()))
            .transpose()?;
        Ok(Self { inner })
    }

    /// MQTT 5: the will's properties (None: none).
    #[getter]
    fn properties(&self) -> Option<PublishProperties> {
        (!self.inner.properties.is_empty()).then(|| PublishProperties {
            inner: self.inner.properties.clone(),
        })
    }

    /// MQTT 5: seconds between losing the connection and the will.
    #[getter]
    fn delay(&self) -> Option<u32> {
        self.inner.delay_interval
    }

    #[getter]
    fn topic(&self) -> &str {
        &self.inner.topic
    }

    #[getter]
    fn payload<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.payload)
    }

    #[getter]
    fn qos(&self) -> u8 {
        self.inner.qos as u8
    }

    #[getter]
    fn retain(&self) -> bool {
        self.inner.retain
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        // The payload's size only: a will may carry anything.
        let v5 = convert::fields_text(&[
            field_if_set(py, "properties", self.properties())?,
            field_if_set(py, "delay", self.inner.delay_interval)?,
        ])?;
        Ok(format!(
            "Will(topic={}, payload=<{} bytes>, qos={}, retain={}{}{v5})",
            py_repr(py, Some(&self.inner.topic))?,
            self.inner.payload.len(),
            self.inner.qos as u8,
            convert::py_bool(self.inner.retain),
            if v5.is_empty() { "" } else { ", " },
        ))
    }
}

fn will_arg(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<CoreWill> {
    if let Ok(w) = obj.cast::<Will>() {
        return Ok(w.get().inner.clone());
    }
    if let Some(t) = obj
        .cast::<PyTuple>()
        .ok()
        .filter(|t| (1..=4).contains(&t.len()))
    {
        let item = |i: usize| {
            if t.len() > i {
                t.get_item(i).map(Some)
            } else {
                Ok(None)
            }
        };
        let topic = convert::string("will topic", &t.get_item(0)?)?;
        let payload = item(1)?;
        let qos: i64 = item(2)?.map(|q| q.extract()).transpose()?.unwrap_or(0);
        let retain: bool = item(3)?.map(|r| r.extract()).transpose()?.unwrap_or(false);
        return Will::new(py, topic, payload.as_ref(), qos, retain, None, None).map(|w| w.inner);
    }
    Err(PyTypeError::new_err(format!(
        "will must be a mqttws.Will or a (topic, payload[, qos[, retain]]) tuple, not {}",
        type_name(obj)
    )))
}

/// A blocking MQTT client (3.1.1, or 5.0 with `protocol_version=5`) over
/// WebSocket (`ws://` or `wss://`).
///
/// Creating it validates the options and reads TLS files; `connect()` opens
/// the connection. Safe to share between threads; every blocking call
/// releases the GIL.
///
/// - `url`: `ws://host[:port]/path` or `wss://...`, sent as written; may be
///   omitted when `credentials` is a device preset that knows its endpoint.
/// - `client_id`: the MQTT client id (default: empty, the broker assigns
///   one; presets and `Credentials` set it).
/// - `username`, `password`: CONNECT credentials (a password needs a user).
/// - `keepalive`: seconds, 0 to 65535 (0: off); `clean_session`: `False`
///   resumes the broker's stored session.
/// - `ca_file`: trust only these CA certificates (PEM; default: the Mozilla
///   roots); `cert_file` + `key_file`: client certificate for mutual TLS;
///   `insecure`: accept any server certificate (tests only).
/// - `headers`: extra WebSocket upgrade headers (mapping or pairs).
/// - `will`: a `mqttws.Will` or `(topic, payload[, qos[, retain]])`.
/// - `connect_timeout`: seconds for DNS + TCP + TLS + upgrade + CONNACK;
///   `operation_timeout`: seconds for SUBACK/UNSUBACK, a full inflight
///   window or socket, `PublishHandle.wait()` without a timeout.
/// - `max_packet_size`: largest incoming packet accepted (default: room for
///   a 1 MiB payload; MQTT 5: CONNECT announces it as the Maximum Packet
///   Size, and the broker's own, from CONNACK, caps what is sent);
///   `inflight_window`: most unacknowledged outgoing QoS 1/2 messages
///   (default 20, mosquitto's own limit: beyond it mosquitto 2.0 silently
///   drops QoS 2 messages; MQTT 5: the broker's receive maximum caps it).
/// - `credentials`: a device preset from `mqttws.auth` (signed afresh at
///   every connect) or a `mqttws.auth.Credentials`; it overrides
///   `client_id`, `username` and `password`.
/// - `proxy`: tunnel through an HTTP CONNECT or SOCKS5 proxy:
///   `http://[user:password@]host[:port]`, `socks5://...` or `host:port`
///   (environment variables are never read implicitly).
/// - `reconnect`: `True` (the default `mqttws.ReconnectPolicy()`), a
///   `ReconnectPolicy`, or `False` / `None` (off). Not given: off for
///   `Client(url)` (explicit is better than implicit: a drop raises and
///   `connect()` must be called again), on when `credentials` is a device
///   preset from `mqttws.auth` (the high-level path; pass `reconnect=False`
///   to turn it off). With it, a drop raises nothing: the client reconnects
///   inside `poll()`, `recv()`, iteration and `PublishHandle.wait()` (signing
///   afresh), resends unacknowledged QoS 1/2 messages, restores
///   subscriptions, and `poll()` reports `Disconnected`, `Reconnecting` and
///   `Connected`. The first `connect()` is not retried. Publishes while
///   disconnected go to the offline queue (default bounds unless
///   `offline_queue` is given); `subscribe()` then raises `ClosedError`.
/// - `offline_queue`: a `mqttws.OfflineQueue`: publishes while disconnected
///   (also before the first `connect()`) are queued within its bounds and
///   sent after the next CONNACK, instead of raising `ClosedError`.
/// - `ws_ping`: `(interval, timeout)` seconds: send a WebSocket PING every
///   `interval`, and treat the link as dead without a PONG within `timeout`
///   (keeps proxies and load balancers with idle timeouts from closing it).
/// - `store_dir`: a directory (str or `os.PathLike`) where every QoS 1/2
///   message is synced to disk before `publish()` returns and kept until
///   acknowledged; a client created later on the same directory (after a
///   crash, say) sends the unacknowledged ones again after `connect()`. One
///   client per directory at a time (`InvalidArgument` otherwise).
/// - `incoming_queue`: `(max_messages, max_bytes)`, default `(10000,
///   33554432)`: received messages not yet taken by `recv()`/`poll()`
///   are held up to these bounds; beyond them the client stops reading from
///   the socket (TCP pushes back on the broker, nothing is dropped), and a
///   `PublishHandle.wait()` meanwhile may raise `TimeoutError`.
/// - `protocol_version`: 4 (`mqttws.MQTTv311`, the default) or 5
///   (`mqttws.MQTTv5`).
/// - MQTT 5 CONNECT properties (`InvalidArgument` for a 3.1.1 client, when
///   it is made; None / False: not sent, the broker's defaults apply):
///   `session_expiry`: seconds the broker keeps the session after the
///   connection closes (not given: 0, or "never" with
///   `clean_session=False`, as under 3.1.1); `receive_maximum`: QoS 1/2
///   messages the broker may have in flight toward the client (1 to
///   65535); `topic_alias_maximum`: topic aliases the broker may use toward
///   the client (resolved by the client: messages show the topic);
///   `request_response_information`: ask for CONNACK's response
///   information; `request_problem_information`: False asks the broker to
///   leave reason strings and user properties out where MQTT allows;
///   `user_properties`: the CONNECT's user properties (pairs, in order, or
///   a mapping). They may carry tokens: no repr or error message shows them.
///   What CONNACK answered is `connack_properties`.
/// (`mqttws.Client` is a Python subclass: `mqttws/_client.py`.)
#[pyclass(module = "mqttws._mqttws", frozen, subclass)]
pub(crate) struct Client {
    shared: Arc<Shared>,
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (url=None, *, client_id=None, username=None, password=None, keepalive=60,
        clean_session=true, ca_file=None, cert_file=None, key_file=None, insecure=false, headers=None,
        will=None, connect_timeout=10.0, operation_timeout=10.0, max_packet_size=None, inflight_window=20,
        credentials=None, proxy=None, reconnect=None, offline_queue=None, ws_ping=None,
        store_dir=None, incoming_queue=None, protocol_version=4, session_expiry=None,
        receive_maximum=None, topic_alias_maximum=None, request_response_information=false,
        request_problem_information=None, user_properties=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        url: Option<String>,
        client_id: Option<String>,
        username: Option<String>,
        password: Option<String>,
        keepalive: i64,
        clean_session: bool,
        ca_file: Option<&Bound<'_, PyAny>>,
        cert_file: Option<&Bound<'_, PyAny>>,
        key_file: Option<&Bound<'_, PyAny>>,
        insecure: bool,
        headers: Option<&Bound<'_, PyAny>>,
        will: Option<&Bound<'_, PyAny>>,
        connect_timeout: f64,
        operation_timeout: f64,
        max_packet_size: Option<i64>,
        inflight_window: i64,
        credentials: Option<&Bound<'_, PyAny>>,
        proxy: Option<String>,
        reconnect: Option<ReconnectArg>,
        offline_queue: Option<&Bound<'_, PyAny>>,
        ws_ping: Option<&Bound<'_, PyAny>>,
        store_dir: Option<&Bound<'_, PyAny>>,
        incoming_queue: Option<(i64, i64)>,
        protocol_version: i64,
        session_expiry: Option<i64>,
        receive_maximum: Option<i64>,
        topic_alias_maximum: Option<i64>,
        request_response_information: bool,
        request_problem_information: Option<bool>,
        user_properties: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let version = v5::protocol_version(py, protocol_version)?;
        let (connect_properties, mut v5_args) = ConnectArgs {
            session_expiry,
            receive_maximum,
            topic_alias_maximum,
            request_response_information,
            request_problem_information,
            user_properties,
        }
        .properties(py)?;
        let provider = match credentials.filter(|c| !c.is_none()) {
            Some(c) => Some(ProviderArg::extract(c)?),
            None => None,
        };
        let url = match (url, provider.as_ref().and_then(|p| p.url.clone())) {
            (Some(u), _) => u,
            (None, Some(u)) => u,
            (None, None) => {
                return Err(invalid(
                    py,
                    "url is required (or credentials that know their URL)",
                ));
            }
        };
        let window: usize = convert::int_in(py, "inflight_window", inflight_window, 1, 65_535)?;
        let mut o = ClientOptions::new(url.clone())
            .keepalive(convert::int_in(py, "keepalive", keepalive, 0, 65_535)?)
            .clean_session(clean_session)
            .insecure_skip_verify(insecure)
            .connect_timeout(seconds(py, "connect_timeout", connect_timeout)?)
            .operation_timeout(seconds(py, "operation_timeout", operation_timeout)?)
            .inflight_window(window as u16);
        if let Some(id) = &client_id {
            o = o.client_id(id.clone());
        }
        match (username, password) {
            (Some(u), Some(p)) => o = o.credentials(u, p),
            (Some(u), None) => o = o.username(u),
            (None, Some(_)) => return Err(invalid(py, "a password needs a username (MQTT 3.1.1)")),
            (None, None) => {}
        }
        if let Some(ca) = ca_file.filter(|c| !c.is_none()) {
            o = o.ca_file(convert::path("ca_file", ca)?);
        }
        match (
            cert_file.filter(|c| !c.is_none()),
            key_file.filter(|c| !c.is_none()),
        ) {
            (Some(c), Some(k)) => {
                o = o.client_cert_files(
                    convert::path("cert_file", c)?,
                    convert::path("key_file", k)?,
                )
            }
            (None, None) => {}
            _ => return Err(invalid(py, "cert_file and key_file go together")),
        }
        if let Some(h) = headers.filter(|h| !h.is_none()) {
            for (k, v) in convert::pairs("headers", h)? {
                o = o.header(k, v);
            }
        }
        if let Some(w) = will.filter(|w| !w.is_none()) {
            let w = will_arg(py, w)?;
            if !w.properties.is_empty() || w.delay_interval.is_some() {
                v5_args.push("a will with properties or a delay");
            }
            o = o.will(w);
        }
        v5::refuse_under_v311(py, version, &v5_args)?;
        o = o
            .protocol_version(version)
            .connect_properties(connect_properties);
        if let Some(size) = max_packet_size {
            o = o.max_packet_size(convert::int_in(
                py,
                "max_packet_size",
                size,
                2,
                268_435_455,
            )?);
        }
        let shown_id = Arc::new(Mutex::new(client_id.clone().unwrap_or_default()));
        let operation_timeout = seconds(py, "operation_timeout", operation_timeout)?;
        let preset = provider.as_ref().is_some_and(|p| p.preset);
        if let Some(p) = provider {
            if !p.preset {
                // Fixed credentials: their id is known now.
                if let Ok(c) = p.provider.credentials(SystemTime::now()) {
                    *shown_id.lock().unwrap_or_else(PoisonError::into_inner) = c.client_id;
                }
            }
            o = o.credential_provider(Arc::new(NoteClientId {
                inner: p.provider,
                client_id: shown_id.clone(),
            }));
        }
        if let Some(p) = proxy {
            o = o.proxy(ProxyConfig::parse(&p).py_err(py)?);
        }
        // The queue first: reconnect() adds a default one only if none is set.
        if let Some(q) = offline_queue.map(offline_queue_arg).transpose()?.flatten() {
            o = o.offline_queue(q);
        }
        if let Some(policy) = reconnect.unwrap_or(ReconnectArg::Unset).resolve(preset) {
            o = o.reconnect(policy);
        }
        if let Some((interval, timeout)) =
            ws_ping.map(|w| ws_ping_arg(py, w)).transpose()?.flatten()
        {
            o = o.ws_ping(interval, timeout);
        }
        if let Some(dir) = store_dir.filter(|d| !d.is_none()) {
            o = o.store_dir(convert::path("store_dir", dir)?);
        }
        if let Some((messages, bytes)) = incoming_queue {
            o = o.incoming_queue(mqttws::IncomingQueue {
                max_messages: convert::int_in(
                    py,
                    "incoming_queue max_messages",
                    messages,
                    1,
                    i64::MAX,
                )?,
                max_bytes: convert::int_in(py, "incoming_queue max_bytes", bytes, 1, i64::MAX)?,
            });
        }
        let client = py.detach(|| mqttws::Client::new(o)).py_err(py)?;
        Ok(Self {
            shared: Arc::new(Shared {
                client: RwLock::new(Some(Arc::new(client))),
                user_interrupt: AtomicBool::new(false),
                user_interrupts: AtomicU64::new(0),
                aborts: AtomicU64::new(0),
                stopped: AtomicBool::new(false),
                closed: AtomicBool::new(false),
                url: redacted_url(&url),
                client_id: shown_id,
                inflight_window: window,
                operation_timeout,
                version,
                connack: Mutex::new(None),
            }),
        })
    }

    /// Connects (DNS, TCP, TLS, WebSocket upgrade, CONNECT/CONNACK) within
    /// `connect_timeout`. Returns whether the broker resumed a stored session.
    fn connect(&self, py: Python<'_>) -> PyResult<bool> {
        let info: ConnectInfo = self.shared.call(py, |c| c.connect())?;
        self.shared.note_connack(&info.properties);
        self.shared.stopped.store(false, Ordering::SeqCst);
        Ok(info.session_present)
    }

    /// Publishes `payload` (bytes, bytearray, memoryview, str as UTF-8, or
    /// None) to `topic`. Returns once the message is handed to the socket;
    /// with `wait=True` (QoS 1/2) once the broker acknowledged it (a
    /// refusal raises `RejectedError`). MQTT 5: `properties`, a
    /// `mqttws.PublishProperties` (`InvalidArgument` under 3.1.1).
    #[pyo3(signature = (topic, payload=None, qos=0, retain=false, wait=false, *, properties=None))]
    #[allow(clippy::too_many_arguments)]
    fn publish(
        &self,
        py: Python<'_>,
        topic: &str,
        payload: Option<&Bound<'_, PyAny>>,
        qos: i64,
        retain: bool,
        wait: bool,
        properties: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PublishHandle> {
        let qos = self::qos(py, "qos", qos)?;
        let data: Bytes = self::payload("payload", payload)?;
        let properties = v5::publish_properties_arg(properties)?;
        let topic = topic.to_owned();
        // A publish waits only for room in the inflight window (or in a
        // full socket, which the operation timeout bounds): with room, it
        // stays on this thread, where it costs ~2 us instead of ~25 us.
        let shared = &self.shared;
        let quick = qos == QoS::AtMostOnce
            || py.detach(|| {
                shared.run(|core| {
                    core.client()
                        .is_ok_and(|c| c.inflight() < shared.inflight_window)
                })
            });
        let id = self.shared.call_unless_quick(py, quick, move |c| {
            c.publish_with(&topic, data.clone(), qos, retain, properties.clone())
        })?;
        let handle = PublishHandle {
            shared: self.shared.clone(),
            packet_id: id,
        };
        if wait {
            handle.wait(py, None)?;
        }
        Ok(handle)
    }

    /// Starts a batch of publishes: until the matching `uncork()`,
    /// `publish()` leaves its packet in the client's buffer instead of
    /// writing it, so that the batch leaves in a few writes (one TLS record
    /// each over wss) instead of one per message. Bounded: a publish writes
    /// anyway once 16 KiB wait, and any call that waits (a QoS 1/2 publish
    /// with a full inflight window, `recv`...) writes first. Corks nest and
    /// belong to the client, not to a thread. `with client.corked():` pairs
    /// them for you.
    fn cork(&self, py: Python<'_>) -> PyResult<()> {
        let shared = &self.shared;
        py.detach(|| shared.run(|core| core.client().map(mqttws::Client::cork)))
            .py_err(py)
    }

    /// Ends a batch started by `cork()`: when the last open cork ends,
    /// writes what waits and returns once it is with the socket (blocking
    /// while the socket is full, up to `operation_timeout`). Without an open
    /// cork it only writes.
    fn uncork(&self, py: Python<'_>) -> PyResult<()> {
        // Made again after an interrupt meant for another call (see the
        // module documentation): the cork already ended, so only write.
        let mut ended = false;
        self.shared.call(py, move |c| {
            if std::mem::replace(&mut ended, true) {
                c.flush()
            } else {
                c.uncork()
            }
        })
    }

    /// Writes what corked publishes left in the buffer without ending the
    /// cork; returns once it is with the socket.
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        self.shared.call(py, |c| c.flush())
    }

    /// Subscribes and waits for SUBACK. `subscribe("a/#", qos=1)` returns the
    /// granted QoS (None if the broker refused the filter);
    /// `subscribe([("a/#", 1), ("b", 0)])` or `subscribe(["a", "b"], qos=1)`
    /// returns a list of them. `subscribe_reply()` returns the reason codes
    /// too. MQTT 5 options, for every filter of the call (`InvalidArgument`
    /// under 3.1.1): `no_local` (not the messages this client publishes),
    /// `retain_as_published` (keep the retain flag of live messages),
    /// `retain_handling` (0: send retained messages at every subscribe, 1:
    /// only if the subscription is new, 2: never), `subscription_identifier`
    /// (1 to 268435455, shown in `Message.properties.subscription_identifiers`
    /// of the messages it delivers), `user_properties`.
    #[pyo3(signature = (topic, qos=0, *, no_local=false, retain_as_published=false,
        retain_handling=0, subscription_identifier=None, user_properties=None))]
    #[allow(clippy::too_many_arguments)]
    fn subscribe<'py>(
        &self,
        py: Python<'py>,
        topic: &Bound<'py, PyAny>,
        qos: i64,
        no_local: bool,
        retain_as_published: bool,
        retain_handling: i64,
        subscription_identifier: Option<i64>,
        user_properties: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = SubscribeArgs::new(py, no_local, retain_as_published, retain_handling)?;
        let (reply, single) = self.subscribe_call(
            py,
            topic,
            qos,
            options,
            subscription_identifier,
            user_properties,
        )?;
        let granted = v5::granted(reply.granted);
        if single {
            Ok(granted
                .first()
                .copied()
                .flatten()
                .into_pyobject(py)?
                .into_any())
        } else {
            Ok(PyList::new(py, granted)?.into_any())
        }
    }

    /// `subscribe()` with the same arguments, returning a
    /// `mqttws.SubscribeReply`: the granted QoS and the SUBACK reason code
    /// per filter (a list even for one filter).
    #[pyo3(signature = (topic, qos=0, *, no_local=false, retain_as_published=false,
        retain_handling=0, subscription_identifier=None, user_properties=None))]
    #[allow(clippy::too_many_arguments)]
    fn subscribe_reply<'py>(
        &self,
        py: Python<'py>,
        topic: &Bound<'py, PyAny>,
        qos: i64,
        no_local: bool,
        retain_as_published: bool,
        retain_handling: i64,
        subscription_identifier: Option<i64>,
        user_properties: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<SubscribeReply> {
        let options = SubscribeArgs::new(py, no_local, retain_as_published, retain_handling)?;
        let (reply, _) = self.subscribe_call(
            py,
            topic,
            qos,
            options,
            subscription_identifier,
            user_properties,
        )?;
        Ok(SubscribeReply::from_core(reply))
    }

    /// Unsubscribes from a filter (or a list of filters) and waits for
    /// UNSUBACK. Returns MQTT 5's reason code per filter (0 success, 0x11
    /// no subscription existed, 0x87 not authorized...); `[]` under 3.1.1,
    /// whose UNSUBACK has none. `user_properties`: MQTT 5 only.
    #[pyo3(signature = (topic, *, user_properties=None))]
    fn unsubscribe(
        &self,
        py: Python<'_>,
        topic: &Bound<'_, PyAny>,
        user_properties: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<u32>> {
        let (filters, _) = filter_list(py, topic, None)?;
        let user_properties = v5::user_properties(user_properties)?;
        let codes = self.shared.call(py, move |c| {
            let refs: Vec<&str> = filters.iter().map(|(t, _)| t.as_str()).collect();
            c.unsubscribe_with(&refs, user_properties.clone())
        })?;
        Ok(v5::codes(&codes))
    }

    /// The next message, waiting up to `timeout` seconds (None: until one
    /// arrives). Returns None when the timeout passes. Ctrl-C interrupts it.
    #[pyo3(signature = (timeout=None))]
    fn recv(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<Message>> {
        self.shared
            .receive(py, timeout)?
            .map(|m| Message::from_core(py, m))
            .transpose()
    }

    /// The next event, waiting up to `timeout` seconds (None: until one
    /// arrives); None when the timeout passes. Returns a `Message`, or one of
    /// `Connected`, `Disconnected`, `Reconnecting` (the automatic reconnect
    /// at work), `Published` (a QoS 1/2 acknowledgement nobody waited for),
    /// `Dropped` (the offline queue made room), `Subscribed`, `Unsubscribed`,
    /// `Downgraded` (a QoS 2 message taken at QoS 1), `StoreDamaged`, and
    /// under MQTT 5 `Rejected` (a refused message nobody waited for: a
    /// `wait()` that raised `RejectedError` took it) and `ServerDisconnected`
    /// (the broker's DISCONNECT).
    /// Waits like `recv()`: GIL released, Ctrl-C and `interrupt()` wake it,
    /// other threads' calls go first. With reconnect on, a drop does not
    /// raise: the events say what happens; a reconnect attempt that falls
    /// due runs inside this call (as inside `recv()`), which may then return
    /// up to `connect_timeout` after `timeout`. Without reconnect, events
    /// that arrived before a drop come first, then the error.
    #[pyo3(signature = (timeout=None))]
    fn poll(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<Py<PyAny>>> {
        // Only kinds that events::to_py shows come out of next_event.
        match self.shared.next_event(py, timeout)? {
            Some(ev) => events::to_py(py, ev, self.shared.v5()),
            None => Ok(None),
        }
    }

    /// An iterator over incoming messages that ends after `timeout` seconds
    /// without one (None: never, like iterating over the client).
    #[pyo3(signature = (timeout=None))]
    fn messages(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<MessageIterator> {
        if let Some(t) = timeout {
            seconds(py, "timeout", t)?;
        }
        Ok(MessageIterator {
            shared: self.shared.clone(),
            timeout,
        })
    }

    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Message>> {
        next_message(&self.shared, py, None)
    }

    /// Makes a blocked `recv()` (or `PublishHandle.wait()`) in another thread
    /// raise `mqttws.Interrupted`; if none is blocked, the next one does.
    fn interrupt(&self) {
        self.shared.user_interrupt.store(true, Ordering::SeqCst);
        self.shared.user_interrupts.fetch_add(1, Ordering::SeqCst);
        if let Ok(c) = self.shared.core().client() {
            c.interrupt_handle().interrupt();
        }
    }

    /// Ends the calls in progress that are not waits (connect, publish,
    /// subscribe, unsubscribe, disconnect) with `mqttws.Interrupted`; waits
    /// (recv, poll, iteration, `PublishHandle.wait`) go on. For
    /// `AsyncClient`, which cancels its own call this way.
    fn _interrupt_calls(&self) {
        self.shared.aborts.fetch_add(1, Ordering::SeqCst);
        if let Ok(c) = self.shared.core().client() {
            c.interrupt_handle().interrupt();
        }
    }

    /// Sends DISCONNECT and closes the connection (the broker discards the
    /// will). Does nothing when not connected.
    fn disconnect(&self, py: Python<'_>) -> PyResult<()> {
        self.shared.stopped.store(true, Ordering::SeqCst);
        if self.shared.core().0.is_none() {
            return Ok(());
        }
        self.shared.call(py, |c| c.disconnect())
    }

    /// Disconnects if connected (errors ignored) and releases the socket.
    /// The client cannot be used afterwards. Idempotent.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.shared.stopped.store(true, Ordering::SeqCst);
        self.shared.closed.store(true, Ordering::SeqCst);
        let shared = &self.shared;
        let client = py.detach(|| {
            shared
                .client
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
        });
        let Some(c) = client else {
            return Ok(());
        };
        let handle = c.interrupt_handle();
        signals::interruptible(
            py,
            move || {
                if c.is_connected() {
                    let _ = c.disconnect();
                }
                // Calls still in progress on other threads return now; the
                // socket goes when the last of them drops its reference.
                c.interrupt_handle().interrupt();
            },
            move || handle.interrupt(),
        )
    }

    /// Whether the connection is open and accepted by the broker.
    #[getter]
    fn is_connected(&self, py: Python<'_>) -> bool {
        let shared = &self.shared;
        py.detach(|| shared.run(|core| core.client().is_ok_and(|c| c.is_connected())))
    }

    /// Whether close() was called.
    #[getter]
    fn closed(&self) -> bool {
        self.shared.closed.load(Ordering::SeqCst)
    }

    /// Outgoing QoS 1/2 messages not yet acknowledged.
    #[getter]
    fn inflight(&self, py: Python<'_>) -> usize {
        let shared = &self.shared;
        py.detach(|| shared.run(|core| core.client().map_or(0, |c| c.inflight())))
    }

    /// The client id of the last connection attempt: the configured one, or
    /// the one the credentials chose (a device preset signs it at every
    /// connect). An empty one: under MQTT 5, once connected, the id the
    /// broker assigned (CONNACK); under 3.1.1 "" (the broker does not say).
    #[getter]
    fn client_id(&self) -> String {
        self.shared.client_id()
    }

    /// 4 (MQTT 3.1.1) or 5 (MQTT 5.0), as given to the constructor.
    #[getter]
    fn protocol_version(&self) -> i64 {
        match self.shared.version {
            ProtocolVersion::V5 => v5::MQTT_V5,
            _ => v5::MQTT_V311,
        }
    }

    /// MQTT 5: what the broker said in the last CONNACK (`connect()`'s, or
    /// an automatic reconnect's once `poll()`/`recv()` passed it): its
    /// limits, assigned client id, server keep alive, reason... None before
    /// the first connection, and always under MQTT 3.1.1.
    #[getter]
    fn connack_properties(&self) -> Option<ConnAckProperties> {
        self.shared
            .connack
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .map(ConnAckProperties::new)
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (exc_type=None, exc_value=None, traceback=None))]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<&Bound<'_, PyAny>>,
        exc_value: Option<&Bound<'_, PyAny>>,
        traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let _ = (exc_type, exc_value, traceback);
        self.close(py)?;
        Ok(false)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "<mqttws.Client url={} client_id={}{}>",
            py_repr(py, Some(&self.shared.url))?,
            py_repr(py, Some(&self.shared.client_id()))?,
            if self.shared.closed.load(Ordering::SeqCst) {
                " closed"
            } else {
                ""
            }
        ))
    }
}

impl Client {
    /// What `subscribe()` and `subscribe_reply()` share: the SUBACK, and
    /// whether `topic` was a single str.
    fn subscribe_call(
        &self,
        py: Python<'_>,
        topic: &Bound<'_, PyAny>,
        qos: i64,
        options: SubscribeArgs,
        subscription_identifier: Option<i64>,
        user_properties: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(mqttws::SubscribeReply, bool)> {
        let default_qos = self::qos(py, "qos", qos)?;
        let (filters, single) = filter_list(py, topic, Some(default_qos))?;
        let properties = SubscribeProperties {
            // The core refuses 0 and values beyond 268,435,455.
            subscription_identifier: subscription_identifier
                .map(|i| convert::int_in(py, "subscription_identifier", i, 0, u32::MAX.into()))
                .transpose()?,
            user_properties: v5::user_properties(user_properties)?,
        };
        let reply = self.shared.call(py, move |c| {
            let refs: Vec<_> = filters
                .iter()
                .map(|(t, q)| (t.as_str(), options.options(*q)))
                .collect();
            c.subscribe_with(&refs, properties.clone())
        })?;
        Ok((reply, single))
    }
}

fn next_message(
    shared: &Arc<Shared>,
    py: Python<'_>,
    timeout: Option<f64>,
) -> PyResult<Option<Message>> {
    match shared.receive(py, timeout) {
        Ok(m) => m.map(|m| Message::from_core(py, m)).transpose(),
        Err(e) if shared.stopped_by_app(&e, py) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Filters from a str or a sequence (list, tuple...) of str / (str, qos)
/// pairs; `true` for the single-str form.
fn filter_list(
    py: Python<'_>,
    topic: &Bound<'_, PyAny>,
    default_qos: Option<QoS>,
) -> PyResult<(Vec<(String, QoS)>, bool)> {
    let default = default_qos.unwrap_or(QoS::AtMostOnce);
    if let Ok(s) = topic.cast::<PyString>() {
        return Ok((vec![(s.to_cow()?.into_owned(), default)], true));
    }
    let bad = || {
        PyTypeError::new_err(format!(
            "topic must be a str or a sequence of str or (str, qos) pairs, not {}",
            type_name(topic)
        ))
    };
    if topic.cast::<PySequence>().is_err() || topic.cast::<PyBytes>().is_ok() {
        return Err(bad());
    }
    let mut out = Vec::new();
    for item in topic.try_iter()? {
        let item = item?;
        if let Ok(s) = item.cast::<PyString>() {
            out.push((s.to_cow()?.into_owned(), default));
        } else if let Ok((t, q)) = item.extract::<(String, i64)>() {
            if default_qos.is_none() {
                return Err(bad());
            }
            out.push((t, self::qos(py, "qos", q)?));
        } else {
            return Err(bad());
        }
    }
    if out.is_empty() {
        return Err(invalid(py, "the list of topics is empty"));
    }
    Ok((out, false))
}

/// What `publish()` returns: the packet id of a QoS 1/2 message, and a way to
/// wait for its acknowledgement.
#[pyclass(module = "mqttws", frozen)]
pub(crate) struct PublishHandle {
    shared: Arc<Shared>,
    packet_id: Option<PacketId>,
}

#[pymethods]
impl PublishHandle {
    /// The MQTT packet id (None for QoS 0).
    #[getter]
    fn packet_id(&self) -> Option<u16> {
        self.packet_id
    }

    /// Waits until the broker acknowledged the message (PUBACK, or PUBCOMP
    /// for QoS 2), at most `timeout` seconds (None: the client's
    /// operation_timeout). Raises mqttws.TimeoutError if it did not; the
    /// message stays in flight. Returns at once for QoS 0. Wait soon after
    /// publishing: packet ids are reused once acknowledged.
    #[pyo3(signature = (timeout=None))]
    fn wait(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<()> {
        let Some(id) = self.packet_id else {
            return Ok(());
        };
        let timeout = match timeout {
            Some(t) => seconds(py, "timeout", t)?,
            None => self.shared.operation_timeout,
        };
        // A timeout beyond what the clock can hold: no deadline.
        let deadline = Instant::now().checked_add(timeout);
        let done = self.shared.wait_sliced(py, deadline, move |core, left| {
            match core.client()?.wait_for(id, Some(left)) {
                Ok(()) => Ok(Some(())),
                Err(Error::Timeout(TimeoutPhase::Ack)) => Ok(None),
                Err(e) => Err(e),
            }
        })?;
        match done {
            Some(()) => Ok(()),
            None => Err(to_py(py, Error::Timeout(TimeoutPhase::Ack))),
        }
    }

    /// Whether the acknowledgement arrived (always True for QoS 0). Reads
    /// what the socket holds without waiting.
    #[getter]
    fn done(&self, py: Python<'_>) -> PyResult<bool> {
        let Some(id) = self.packet_id else {
            return Ok(true);
        };
        let shared = &self.shared;
        let r = py.detach(|| shared.run(|core| core.client()?.wait_for(id, Some(Duration::ZERO))));
        match r {
            Ok(()) => Ok(true),
            Err(Error::Timeout(TimeoutPhase::Ack)) => Ok(false),
            Err(e) => Err(to_py(py, e)),
        }
    }

    fn __repr__(&self) -> String {
        match self.packet_id {
            Some(id) => format!("<mqttws.PublishHandle packet_id={id}>"),
            None => "<mqttws.PublishHandle qos=0>".into(),
        }
    }
}

/// Iterator returned by `Client.messages(timeout)`.
#[pyclass(module = "mqttws", frozen)]
pub(crate) struct MessageIterator {
    shared: Arc<Shared>,
    timeout: Option<f64>,
}

#[pymethods]
impl MessageIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Message>> {
        next_message(&self.shared, py, self.timeout)
    }
}

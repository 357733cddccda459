//! The events `Client.poll()` returns: one frozen class per core [`Event`]
//! kind (messages are `mqttws.Message`).
//!
//! Each class can be built from Python (tests, fakes), compares by value,
//! has a `repr()` that reads like the call that builds it, and a
//! `__match_args__`, so that `match client.poll():` works with positional
//! patterns (`case mqttws.Reconnecting(delay, attempt):`).

use mqttws::{ConnAckProperties as CoreConnAck, Event};
use pyo3::prelude::*;

use crate::client::Message;
use crate::convert::{call_repr, field, field_if_set};
use crate::v5::{ConnAckProperties, codes, granted};

/// Connected again by the automatic reconnect. (`connect()` reports its own
/// outcome by its return value, not with this event.)
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct Connected {
    /// Whether the broker resumed a stored session.
    #[pyo3(get)]
    session_present: bool,
    properties: Option<Box<CoreConnAck>>,
}

#[pymethods]
impl Connected {
    #[new]
    #[pyo3(signature = (session_present, properties=None))]
    fn new(session_present: bool, properties: Option<PyRef<'_, ConnAckProperties>>) -> Self {
        Self {
            session_present,
            properties: properties.map(|p| p.inner.clone()),
        }
    }

    /// MQTT 5: what the CONNACK said (None under MQTT 3.1.1).
    #[getter]
    fn properties(&self) -> Option<ConnAckProperties> {
        self.properties.clone().map(ConnAckProperties::new)
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str) {
        ("session_present", "properties")
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr(
            "Connected",
            &[
                field(py, "session_present", self.session_present)?,
                field_if_set(py, "properties", self.properties())?,
            ],
        )
    }
}

/// The connection ended; with automatic reconnect a `Reconnecting` follows.
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct Disconnected {
    /// Why, as the error text (never contains credentials).
    #[pyo3(get)]
    reason: String,
}

#[pymethods]
impl Disconnected {
    #[new]
    fn new(reason: String) -> Self {
        Self { reason }
    }

    #[classattr]
    fn __match_args__() -> (&'static str,) {
        ("reason",)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr("Disconnected", &[field(py, "reason", &self.reason)?])
    }
}

/// The automatic reconnect will try again after `delay` seconds (measured
/// from the failure); `attempt` is 1 for the first attempt after a drop.
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct Reconnecting {
    /// Seconds before the attempt.
    #[pyo3(get)]
    delay: f64,
    /// 1 for the first attempt after a drop, growing while attempts fail.
    #[pyo3(get)]
    attempt: u32,
}

#[pymethods]
impl Reconnecting {
    #[new]
    fn new(delay: f64, attempt: u32) -> Self {
        Self { delay, attempt }
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str) {
        ("delay", "attempt")
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr(
            "Reconnecting",
            &[
                field(py, "delay", self.delay)?,
                field(py, "attempt", self.attempt)?,
            ],
        )
    }
}

/// A QoS 1 message was acknowledged (PUBACK) or a QoS 2 one completed
/// (PUBCOMP). Not reported for messages whose `PublishHandle.wait()`
/// already returned.
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct Published {
    /// The packet id `PublishHandle.packet_id` showed.
    #[pyo3(get)]
    packet_id: u16,
}

#[pymethods]
impl Published {
    #[new]
    fn new(packet_id: u16) -> Self {
        Self { packet_id }
    }

    #[classattr]
    fn __match_args__() -> (&'static str,) {
        ("packet_id",)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr("Published", &[field(py, "packet_id", self.packet_id)?])
    }
}

/// The broker answered a QoS 2 message with PUBACK: it took it at QoS 1
/// (at least once; it may be delivered twice). The message is complete
/// (`Published` follows) and is not sent again; publish at QoS 1 to such
/// a broker.
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct Downgraded {
    /// The packet id `PublishHandle.packet_id` showed.
    #[pyo3(get)]
    packet_id: u16,
    /// The QoS the broker acknowledged (1).
    #[pyo3(get)]
    granted: u8,
}

#[pymethods]
impl Downgraded {
    #[new]
    fn new(packet_id: u16, granted: u8) -> Self {
        Self { packet_id, granted }
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str) {
        ("packet_id", "granted")
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr(
            "Downgraded",
            &[
                field(py, "packet_id", self.packet_id)?,
                field(py, "granted", self.granted)?,
            ],
        )
    }
}

/// MQTT 5: the broker refused an outgoing QoS 1/2 message (PUBACK or PUBREC
/// with a reason code of 0x80 or more). The message is done: it is not
/// sent again. Reported for every refused message, also when
/// `PublishHandle.wait()` raised `RejectedError` for it.
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct Rejected {
    /// The packet id `PublishHandle.packet_id` showed.
    #[pyo3(get)]
    packet_id: u16,
    /// The reason code (0x87 not authorized, 0x97 quota exceeded, 0x99
    /// payload format invalid...).
    #[pyo3(get)]
    reason_code: u8,
    /// The broker's reason string, if any.
    #[pyo3(get)]
    reason: Option<String>,
}

#[pymethods]
impl Rejected {
    #[new]
    #[pyo3(signature = (packet_id, reason_code, reason=None))]
    fn new(packet_id: u16, reason_code: u8, reason: Option<String>) -> Self {
        Self {
            packet_id,
            reason_code,
            reason,
        }
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str, &'static str) {
        ("packet_id", "reason_code", "reason")
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr(
            "Rejected",
            &[
                field(py, "packet_id", self.packet_id)?,
                field(py, "reason_code", self.reason_code)?,
                field(py, "reason", &self.reason)?,
            ],
        )
    }
}

/// MQTT 5: the broker sent DISCONNECT; the connection ends right after
/// (`Disconnected` follows with reconnect on, otherwise the next call
/// raises). `server_reference` is reported, not followed.
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct ServerDisconnected {
    /// The reason code (0x8B server shutting down, 0x8E session taken
    /// over, 0x9C use another server, 0x9D server moved...).
    #[pyo3(get)]
    reason_code: u8,
    /// The broker's reason string, if any.
    #[pyo3(get)]
    reason: Option<String>,
    /// Another server to use, if the broker named one.
    #[pyo3(get)]
    server_reference: Option<String>,
}

#[pymethods]
impl ServerDisconnected {
    #[new]
    #[pyo3(signature = (reason_code, reason=None, server_reference=None))]
    fn new(reason_code: u8, reason: Option<String>, server_reference: Option<String>) -> Self {
        Self {
            reason_code,
            reason,
            server_reference,
        }
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str, &'static str) {
        ("reason_code", "reason", "server_reference")
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr(
            "ServerDisconnected",
            &[
                field(py, "reason_code", self.reason_code)?,
                field(py, "reason", &self.reason)?,
                field(py, "server_reference", &self.server_reference)?,
            ],
        )
    }
}

/// The full offline queue (`when_full="drop_oldest"`) dropped a message to
/// make room; it will never be sent.
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct Dropped {
    /// Its packet id (None for QoS 0).
    #[pyo3(get)]
    packet_id: Option<u16>,
    /// Its topic.
    #[pyo3(get)]
    topic: String,
}

#[pymethods]
impl Dropped {
    #[new]
    fn new(packet_id: Option<u16>, topic: String) -> Self {
        Self { packet_id, topic }
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str) {
        ("packet_id", "topic")
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr(
            "Dropped",
            &[
                field(py, "packet_id", self.packet_id)?,
                field(py, "topic", &self.topic)?,
            ],
        )
    }
}

/// A SUBACK that no call waited for (`subscribe()` returns its own).
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct Subscribed {
    /// The SUBSCRIBE's packet id.
    #[pyo3(get)]
    packet_id: u16,
    /// The granted QoS per filter, None where the broker refused it.
    #[pyo3(get)]
    granted: Vec<Option<u8>>,
    reason_codes: Vec<u8>,
}

#[pymethods]
impl Subscribed {
    /// `reason_codes` left out: the 3.1.1 return codes of `granted` (the
    /// QoS, 0x80 for a refusal).
    #[new]
    #[pyo3(signature = (packet_id, granted, reason_codes=None))]
    fn new(packet_id: u16, granted: Vec<Option<u8>>, reason_codes: Option<Vec<u8>>) -> Self {
        let reason_codes =
            reason_codes.unwrap_or_else(|| granted.iter().map(|g| g.unwrap_or(0x80)).collect());
        Self {
            packet_id,
            granted,
            reason_codes,
        }
    }

    /// The reason (3.1.1: return) code per filter: the granted QoS, or 0x80
    /// and up for a refusal.
    #[getter]
    fn reason_codes(&self) -> Vec<u32> {
        codes(&self.reason_codes)
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str, &'static str) {
        ("packet_id", "granted", "reason_codes")
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr(
            "Subscribed",
            &[
                field(py, "packet_id", self.packet_id)?,
                field(py, "granted", self.granted.clone())?,
                field(py, "reason_codes", self.reason_codes())?,
            ],
        )
    }
}

/// An UNSUBACK that no call waited for (`unsubscribe()` waits for its own).
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct Unsubscribed {
    /// The UNSUBSCRIBE's packet id.
    #[pyo3(get)]
    packet_id: u16,
    reason_codes: Vec<u8>,
}

#[pymethods]
impl Unsubscribed {
    #[new]
    #[pyo3(signature = (packet_id, reason_codes=None))]
    fn new(packet_id: u16, reason_codes: Option<Vec<u8>>) -> Self {
        Self {
            packet_id,
            reason_codes: reason_codes.unwrap_or_default(),
        }
    }

    /// MQTT 5: the reason code per filter (0 success, 0x11 no subscription
    /// existed, 0x87 not authorized...); empty under 3.1.1.
    #[getter]
    fn reason_codes(&self) -> Vec<u32> {
        codes(&self.reason_codes)
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str) {
        ("packet_id", "reason_codes")
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr(
            "Unsubscribed",
            &[
                field(py, "packet_id", self.packet_id)?,
                field(py, "reason_codes", self.reason_codes())?,
            ],
        )
    }
}

/// The durable store found damaged bytes in its log when the client was
/// created: every valid record was recovered, the damaged log kept aside,
/// and what the damaged bytes held is lost. The first event `poll()` returns.
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct StoreDamaged {
    /// How many bytes of the log held no valid record.
    #[pyo3(get)]
    damaged_bytes: u64,
    /// Where the damaged log was kept, unchanged (None if it could not be
    /// set aside).
    #[pyo3(get)]
    kept_aside: Option<String>,
    /// What was found, in words.
    #[pyo3(get)]
    description: String,
}

#[pymethods]
impl StoreDamaged {
    #[new]
    fn new(damaged_bytes: u64, kept_aside: Option<String>, description: String) -> Self {
        Self {
            damaged_bytes,
            kept_aside,
            description,
        }
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str, &'static str) {
        ("damaged_bytes", "kept_aside", "description")
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr(
            "StoreDamaged",
            &[
                field(py, "damaged_bytes", self.damaged_bytes)?,
                field(py, "kept_aside", &self.kept_aside)?,
                field(py, "description", &self.description)?,
            ],
        )
    }
}

/// Whether the binding knows how to show this event (the core's `Event` is
/// non-exhaustive; kinds added later are skipped by `poll()`).
pub(crate) fn is_known(ev: &Event) -> bool {
    matches!(
        ev,
        Event::Connected { .. }
            | Event::Message(_)
            | Event::Published { .. }
            | Event::Downgraded { .. }
            | Event::Rejected { .. }
            | Event::Subscribed { .. }
            | Event::Unsubscribed { .. }
            | Event::ServerDisconnected { .. }
            | Event::Dropped { .. }
            | Event::Disconnected { .. }
            | Event::Reconnecting { .. }
            | Event::StoreDamaged(_)
    )
}

/// The Python object for a core event (`None` for a kind [`is_known`]
/// rejects). `v5`: the client speaks MQTT 5 (CONNACK properties shown).
pub(crate) fn to_py(py: Python<'_>, ev: Event, v5: bool) -> PyResult<Option<Py<PyAny>>> {
    fn obj<T: pyo3::PyClass + Into<pyo3::PyClassInitializer<T>>>(
        py: Python<'_>,
        v: T,
    ) -> PyResult<Option<Py<PyAny>>> {
        Ok(Some(Py::new(py, v)?.into_any()))
    }
    match ev {
        Event::Message(m) => obj(py, Message::from_core(py, m)?),
        Event::Connected {
            session_present,
            properties,
        } => obj(
            py,
            Connected {
                session_present,
                properties: v5.then_some(properties),
            },
        ),
        Event::Disconnected { reason } => obj(py, Disconnected { reason }),
        Event::Reconnecting { delay, attempt } => obj(
            py,
            Reconnecting {
                delay: delay.as_secs_f64(),
                attempt,
            },
        ),
        Event::Published { packet_id } => obj(py, Published { packet_id }),
        Event::Downgraded { packet_id, granted } => obj(
            py,
            Downgraded {
                packet_id,
                granted: granted as u8,
            },
        ),
        Event::Rejected {
            packet_id,
            reason_code,
            reason,
        } => obj(
            py,
            Rejected {
                packet_id,
                reason_code,
                reason,
            },
        ),
        Event::ServerDisconnected {
            reason_code,
            reason,
            server_reference,
        } => obj(
            py,
            ServerDisconnected {
                reason_code,
                reason,
                server_reference,
            },
        ),
        Event::Dropped { packet_id, topic } => obj(py, Dropped { packet_id, topic }),
        Event::Subscribed {
            packet_id,
            granted: g,
            reason_codes,
        } => obj(
            py,
            Subscribed {
                packet_id,
                granted: granted(g),
                reason_codes,
            },
        ),
        Event::Unsubscribed {
            packet_id,
            reason_codes,
        } => obj(
            py,
            Unsubscribed {
                packet_id,
                reason_codes,
            },
        ),
        Event::StoreDamaged(d) => obj(
            py,
            StoreDamaged {
                damaged_bytes: d.damaged_bytes,
                kept_aside: d
                    .kept_aside
                    .as_ref()
                    .map(|p| p.to_string_lossy().into_owned()),
                description: d.to_string(),
            },
        ),
        _ => Ok(None),
    }
}

//! The events `Client.poll()` returns: one frozen class per core [`Event`]
//! kind (messages are `mqttws.Message`).
//!
//! Each class can be built from Python (tests, fakes), compares by value,
//! has a `repr()` that reads like the call that builds it, and a
//! `__match_args__`, so that `match client.poll():` works with positional
//! patterns (`case mqttws.Reconnecting(delay, attempt):`).

use mqttws::Event;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::client::Message;
use crate::resilience::float_repr;

fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// Connected again by the automatic reconnect. (`connect()` reports its own
/// outcome by its return value, not with this event.)
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct Connected {
    /// Whether the broker resumed a stored session.
    #[pyo3(get)]
    session_present: bool,
}

#[pymethods]
impl Connected {
    #[new]
    fn new(session_present: bool) -> Self {
        Self { session_present }
    }

    #[classattr]
    fn __match_args__() -> (&'static str,) {
        ("session_present",)
    }

    fn __repr__(&self) -> String {
        format!(
            "Connected(session_present={})",
            py_bool(self.session_present)
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
        Ok(format!(
            "Disconnected(reason={})",
            PyString::new(py, &self.reason).repr()?
        ))
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
        Ok(format!(
            "Reconnecting(delay={}, attempt={})",
            float_repr(py, self.delay)?,
            self.attempt
        ))
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

    fn __repr__(&self) -> String {
        format!("Published(packet_id={})", self.packet_id)
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
        Ok(format!(
            "Dropped(packet_id={}, topic={})",
            self.packet_id
                .map_or_else(|| "None".to_owned(), |id| id.to_string()),
            PyString::new(py, &self.topic).repr()?
        ))
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
}

#[pymethods]
impl Subscribed {
    #[new]
    fn new(packet_id: u16, granted: Vec<Option<u8>>) -> Self {
        Self { packet_id, granted }
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str) {
        ("packet_id", "granted")
    }

    fn __repr__(&self) -> String {
        let granted: Vec<String> = self
            .granted
            .iter()
            .map(|g| g.map_or_else(|| "None".to_owned(), |q| q.to_string()))
            .collect();
        format!(
            "Subscribed(packet_id={}, granted=[{}])",
            self.packet_id,
            granted.join(", ")
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
}

#[pymethods]
impl Unsubscribed {
    #[new]
    fn new(packet_id: u16) -> Self {
        Self { packet_id }
    }

    #[classattr]
    fn __match_args__() -> (&'static str,) {
        ("packet_id",)
    }

    fn __repr__(&self) -> String {
        format!("Unsubscribed(packet_id={})", self.packet_id)
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
        Ok(format!(
            "StoreDamaged(damaged_bytes={}, kept_aside={}, description={})",
            self.damaged_bytes,
            match &self.kept_aside {
                Some(p) => PyString::new(py, p).repr()?.to_string(),
                None => "None".to_owned(),
            },
            PyString::new(py, &self.description).repr()?
        ))
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
            | Event::Subscribed { .. }
            | Event::Unsubscribed { .. }
            | Event::Dropped { .. }
            | Event::Disconnected { .. }
            | Event::Reconnecting { .. }
            | Event::StoreDamaged(_)
    )
}

/// The Python object for a core event (`None` for a kind [`is_known`]
/// rejects).
pub(crate) fn to_py(py: Python<'_>, ev: Event) -> PyResult<Option<Py<PyAny>>> {
    fn obj<T: pyo3::PyClass + Into<pyo3::PyClassInitializer<T>>>(
        py: Python<'_>,
        v: T,
    ) -> PyResult<Option<Py<PyAny>>> {
        Ok(Some(Py::new(py, v)?.into_any()))
    }
    match ev {
        Event::Message(m) => obj(py, Message::from_core(py, m)),
        Event::Connected {
            session_present, ..
        } => obj(py, Connected { session_present }),
        Event::Disconnected { reason } => obj(py, Disconnected { reason }),
        Event::Reconnecting { delay, attempt } => obj(
            py,
            Reconnecting {
                delay: delay.as_secs_f64(),
                attempt,
            },
        ),
        Event::Published { packet_id } => obj(py, Published { packet_id }),
        Event::Dropped { packet_id, topic } => obj(py, Dropped { packet_id, topic }),
        Event::Subscribed {
            packet_id, granted, ..
        } => obj(
            py,
            Subscribed {
                packet_id,
                granted: granted.into_iter().map(|g| g.map(|q| q as u8)).collect(),
            },
        ),
        Event::Unsubscribed { packet_id, .. } => obj(py, Unsubscribed { packet_id }),
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

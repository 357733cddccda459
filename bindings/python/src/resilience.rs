//! The resilience options of `mqttws.Client`: `ReconnectPolicy`,
//! `OfflineQueue`, and the conversions of the `reconnect=`, `ws_ping=`
//! arguments.
//!
//! Both classes are frozen values (compared by value, printed as the call
//! that makes them); their durations are seconds as floats, as everywhere
//! in the package.

use std::time::Duration;

use mqttws::{OfflineQueue as CoreQueue, QueueFull, ReconnectPolicy as CorePolicy};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyString};

use crate::convert::{int_in, py_bool, seconds, type_name};
use crate::errors::invalid;

/// Python's `repr()` of a float (`0.5`, `30.0`, `1e-05`).
pub(crate) fn float_repr(py: Python<'_>, value: f64) -> PyResult<String> {
    Ok(PyFloat::new(py, value).repr()?.to_cow()?.into_owned())
}

/// Automatic reconnect: after a drop, wait a growing, jittered delay and
/// connect again (inside the application's `poll()`, `recv()` or
/// `PublishHandle.wait()`), with credentials signed afresh.
///
/// The delay before attempt *n* is uniform in
/// `[min_delay, min(max_delay, min_delay * 2**(n-1))]` seconds, measured from
/// the failure. The attempt counter restarts only after a connection stayed
/// up for `stable_after` seconds, so a broker that kicks the client right
/// after CONNACK sees growing delays, not a reconnect storm. With
/// `restore_subscriptions`, the client subscribes again to every granted
/// filter when the broker kept no session for it.
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct ReconnectPolicy {
    pub(crate) inner: CorePolicy,
}

#[pymethods]
impl ReconnectPolicy {
    #[new]
    #[pyo3(signature = (*, min_delay=0.5, max_delay=30.0, stable_after=10.0, restore_subscriptions=true))]
    fn new(
        py: Python<'_>,
        min_delay: f64,
        max_delay: f64,
        stable_after: f64,
        restore_subscriptions: bool,
    ) -> PyResult<Self> {
        let min = seconds(py, "min_delay", min_delay)?;
        if min.is_zero() {
            return Err(invalid(
                py,
                "min_delay must be > 0 seconds (the back-off doubles it)",
            ));
        }
        let max = seconds(py, "max_delay", max_delay)?;
        if max < min {
            return Err(invalid(
                py,
                format!("max_delay ({max_delay}) must be >= min_delay ({min_delay})"),
            ));
        }
        Ok(Self {
            inner: CorePolicy {
                min_delay: min,
                max_delay: max,
                stable_after: seconds(py, "stable_after", stable_after)?,
                restore_subscriptions,
            },
        })
    }

    /// Shortest delay before an attempt, in seconds.
    #[getter]
    fn min_delay(&self) -> f64 {
        self.inner.min_delay.as_secs_f64()
    }

    /// Longest delay before an attempt, in seconds.
    #[getter]
    fn max_delay(&self) -> f64 {
        self.inner.max_delay.as_secs_f64()
    }

    /// A connection that lasted this many seconds resets the back-off.
    #[getter]
    fn stable_after(&self) -> f64 {
        self.inner.stable_after.as_secs_f64()
    }

    /// Whether subscriptions are restored when the broker has no session.
    #[getter]
    fn restore_subscriptions(&self) -> bool {
        self.inner.restore_subscriptions
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "ReconnectPolicy(min_delay={}, max_delay={}, stable_after={}, restore_subscriptions={})",
            float_repr(py, self.min_delay())?,
            float_repr(py, self.max_delay())?,
            float_repr(py, self.stable_after())?,
            py_bool(self.inner.restore_subscriptions)
        ))
    }
}

/// Bounds of the offline queue: publishes accepted while disconnected (before
/// the first `connect()`, or between a drop and the automatic reconnect),
/// sent in order after the next CONNACK.
///
/// `max_messages` and `max_bytes` (topic + payload bytes) bound it. When a
/// publish does not fit, `when_full="error"` refuses it with
/// `mqttws.QueueFullError` (nothing is lost silently), and
/// `when_full="drop_oldest"` drops the oldest queued message, reported by
/// `Client.poll()` as `mqttws.Dropped` (its `PublishHandle.wait()` raises
/// `QueueFullError`).
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct OfflineQueue {
    pub(crate) inner: CoreQueue,
}

#[pymethods]
impl OfflineQueue {
    #[new]
    #[pyo3(signature = (*, max_messages=1000, max_bytes=4194304, when_full="error"))]
    fn new(py: Python<'_>, max_messages: i64, max_bytes: i64, when_full: &str) -> PyResult<Self> {
        let when_full = match when_full {
            "error" => QueueFull::Error,
            "drop_oldest" => QueueFull::DropOldest,
            other => {
                return Err(invalid(
                    py,
                    format!("when_full must be \"error\" or \"drop_oldest\", got {other:?}"),
                ));
            }
        };
        Ok(Self {
            inner: CoreQueue {
                max_messages: int_in(py, "max_messages", max_messages, 1, i64::MAX)?,
                max_bytes: int_in(py, "max_bytes", max_bytes, 1, i64::MAX)?,
                when_full,
            },
        })
    }

    /// Most messages waiting.
    #[getter]
    fn max_messages(&self) -> usize {
        self.inner.max_messages
    }

    /// Most topic + payload bytes waiting.
    #[getter]
    fn max_bytes(&self) -> usize {
        self.inner.max_bytes
    }

    /// `"error"` or `"drop_oldest"`.
    #[getter]
    fn when_full(&self) -> &'static str {
        match self.inner.when_full {
            QueueFull::DropOldest => "drop_oldest",
            _ => "error",
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "OfflineQueue(max_messages={}, max_bytes={}, when_full='{}')",
            self.inner.max_messages,
            self.inner.max_bytes,
            self.when_full()
        )
    }
}

/// The `reconnect=` argument of `Client`.
pub(crate) enum ReconnectArg {
    /// `None` (the default): on for device presets, off otherwise.
    Unset,
    /// `False`.
    Off,
    /// `True` (the default policy) or a `ReconnectPolicy`.
    On(CorePolicy),
}

impl ReconnectArg {
    /// The policy to use; `preset` says whether `credentials` is a device
    /// preset (the high-level path, where reconnect is on by default).
    pub(crate) fn resolve(self, preset: bool) -> Option<CorePolicy> {
        match self {
            Self::Unset if preset => Some(CorePolicy::default()),
            Self::Unset | Self::Off => None,
            Self::On(p) => Some(p),
        }
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for ReconnectArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_none() {
            return Ok(Self::Unset);
        }
        if let Ok(b) = obj.cast::<PyBool>() {
            return Ok(if b.is_true() {
                Self::On(CorePolicy::default())
            } else {
                Self::Off
            });
        }
        if let Ok(p) = obj.cast::<ReconnectPolicy>() {
            return Ok(Self::On(p.get().inner));
        }
        Err(PyTypeError::new_err(format!(
            "reconnect must be a bool, a mqttws.ReconnectPolicy or None, not {}",
            type_name(&obj)
        )))
    }
}

/// The `offline_queue=` argument: `None` or an `OfflineQueue`.
pub(crate) fn offline_queue_arg(obj: &Bound<'_, PyAny>) -> PyResult<Option<CoreQueue>> {
    if obj.is_none() {
        return Ok(None);
    }
    match obj.cast::<OfflineQueue>() {
        Ok(q) => Ok(Some(q.get().inner)),
        Err(_) => Err(PyTypeError::new_err(format!(
            "offline_queue must be a mqttws.OfflineQueue or None, not {}",
            type_name(obj)
        ))),
    }
}

/// The `ws_ping=` argument: `None` or `(interval, timeout)` in seconds, both > 0.
pub(crate) fn ws_ping_arg(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
) -> PyResult<Option<(Duration, Duration)>> {
    if obj.is_none() {
        return Ok(None);
    }
    let bad = || {
        PyTypeError::new_err(format!(
            "ws_ping must be None or an (interval, timeout) tuple of seconds, not {}",
            type_name(obj)
        ))
    };
    if obj.cast::<PyString>().is_ok() {
        return Err(bad());
    }
    let (interval, timeout): (f64, f64) = obj.extract().map_err(|_| bad())?;
    let interval_d = seconds(py, "ws_ping interval", interval)?;
    let timeout_d = seconds(py, "ws_ping timeout", timeout)?;
    if interval_d.is_zero() || timeout_d.is_zero() {
        return Err(invalid(
            py,
            "ws_ping interval and timeout must be > 0 seconds",
        ));
    }
    Ok(Some((interval_d, timeout_d)))
}

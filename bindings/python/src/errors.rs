//! Core errors as Python exceptions.
//!
//! The classes live in `mqttws/exceptions.py` (pure Python, so that
//! `TimeoutError` can also subclass the builtin `TimeoutError`, `IoError`
//! `OSError` and `InvalidArgument` `ValueError`, which `create_exception!`
//! cannot express). Each [`ErrorKind`] maps to exactly one class.
//!
//! Texts come from the core's `Display`, which never contains a password,
//! key or token; the binding adds only argument names, never values of
//! secret arguments.

use mqttws::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

static EXCEPTIONS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The Python class name for each error kind.
pub(crate) fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Timeout => "TimeoutError",
        ErrorKind::Io => "IoError",
        ErrorKind::Tls => "TlsError",
        ErrorKind::Handshake => "HandshakeError",
        ErrorKind::ConnectionRefused => "ConnectionRefused",
        ErrorKind::Protocol => "ProtocolError",
        ErrorKind::InvalidArgument => "InvalidArgument",
        ErrorKind::Closed => "ClosedError",
        ErrorKind::Interrupted => "Interrupted",
        ErrorKind::Auth => "AuthError",
        ErrorKind::Proxy => "ProxyError",
        ErrorKind::QueueFull => "QueueFullError",
        ErrorKind::Rejected => "RejectedError",
        _ => "MqttError",
    }
}

/// Instantiates `mqttws.exceptions.<name>(message, **kwargs)` as a `PyErr`.
pub(crate) fn raise(
    py: Python<'_>,
    name: &str,
    message: String,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let module =
            EXCEPTIONS.get_or_try_init(py, || py.import("mqttws.exceptions").map(Bound::unbind))?;
        let class = module.bind(py).getattr(name)?;
        Ok(PyErr::from_value(class.call((message,), kwargs)?))
    };
    build().unwrap_or_else(|e| e)
}

/// Converts a core error to the exception of its kind, with its details as
/// attributes (`code`, `reason`, `server_reference`, `status`, `body`,
/// `phase`, `errno`).
pub(crate) fn to_py(py: Python<'_>, err: Error) -> PyErr {
    let message = err.to_string();
    let name = class_name(err.kind());
    let kwargs = PyDict::new(py);
    let filled: PyResult<()> = (|| {
        match &err {
            Error::Timeout(phase) => kwargs.set_item("phase", phase.to_string())?,
            Error::Io { source, .. } => kwargs.set_item("errno", source.raw_os_error())?,
            Error::Handshake { status, body, .. } => {
                kwargs.set_item("status", *status)?;
                kwargs.set_item("body", body)?;
            }
            Error::ConnectionRefused {
                code,
                reason,
                server_reference,
            } => {
                kwargs.set_item("code", code.code())?;
                kwargs.set_item("reason", reason)?;
                kwargs.set_item("server_reference", server_reference)?;
            }
            Error::Rejected { code, reason, .. } => {
                kwargs.set_item("code", *code)?;
                kwargs.set_item("reason", reason)?;
            }
            Error::Proxy { status, .. } => kwargs.set_item("status", *status)?,
            _ => {}
        }
        Ok(())
    })();
    if let Err(e) = filled {
        return e;
    }
    raise(py, name, message, Some(&kwargs))
}

/// `mqttws.InvalidArgument` (a `ValueError`) for a bad argument value.
pub(crate) fn invalid(py: Python<'_>, message: impl Into<String>) -> PyErr {
    raise(
        py,
        "InvalidArgument",
        format!("invalid argument: {}", message.into()),
        None,
    )
}

/// Extension for `Result<T, mqttws::Error>`.
pub(crate) trait IntoPyResult<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, Error> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}

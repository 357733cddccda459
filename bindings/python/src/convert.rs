//! Argument conversions with Python-style errors: `TypeError` for a wrong
//! type, `mqttws.InvalidArgument` (a `ValueError`) for a value out of range.
//! Messages name the argument, never its value (it may be a secret).

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mqttws::{Bytes, QoS};
use pyo3::BoundObject;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyMapping, PyMemoryView, PyString};

use crate::errors::invalid;

/// The Python type name of `obj`, for messages.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// A payload from `bytes`, `bytearray`, `memoryview`, `str` (UTF-8) or
/// `None` (empty).
pub(crate) fn payload(what: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Bytes> {
    let Some(obj) = obj else {
        return Ok(Bytes::new());
    };
    if obj.is_none() {
        return Ok(Bytes::new());
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Bytes::copy_from_slice(b.as_bytes()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Bytes::copy_from_slice(s.to_cow()?.as_bytes()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Bytes::from(b.to_vec()));
    }
    if obj.cast::<PyMemoryView>().is_ok() {
        let copy = obj.py().get_type::<PyBytes>().call1((obj,))?;
        return Ok(Bytes::copy_from_slice(copy.cast::<PyBytes>()?.as_bytes()));
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be bytes, bytearray, memoryview, str or None, not {}",
        type_name(obj)
    )))
}

/// A QoS level from 0, 1 or 2.
pub(crate) fn qos(py: Python<'_>, what: &str, value: i64) -> PyResult<QoS> {
    match value {
        0 => Ok(QoS::AtMostOnce),
        1 => Ok(QoS::AtLeastOnce),
        2 => Ok(QoS::ExactlyOnce),
        _ => Err(invalid(
            py,
            format!("{what} must be 0, 1 or 2, got {value}"),
        )),
    }
}

/// A number of seconds (int or float, finite, >= 0) as a `Duration`.
pub(crate) fn seconds(py: Python<'_>, what: &str, value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        invalid(
            py,
            format!("{what} must be a finite number of seconds >= 0, got {value}"),
        )
    })
}

/// An integer in `lo..=hi`.
pub(crate) fn int_in<T: TryFrom<i64>>(
    py: Python<'_>,
    what: &str,
    value: i64,
    lo: i64,
    hi: i64,
) -> PyResult<T> {
    if !(lo..=hi).contains(&value) {
        return Err(invalid(
            py,
            format!("{what} must be between {lo} and {hi}, got {value}"),
        ));
    }
    T::try_from(value).map_err(|_| invalid(py, format!("{what} is out of range")))
}

/// Wall-clock time from `None` (now), a UNIX timestamp in seconds (int or
/// float) or a `datetime` (anything with a `timestamp()` method).
pub(crate) fn wall_time(obj: Option<&Bound<'_, PyAny>>) -> PyResult<SystemTime> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(SystemTime::now());
    };
    let secs: f64 = if let Ok(stamp) = obj.getattr("timestamp") {
        stamp.call0()?.extract()?
    } else {
        obj.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "now must be a UNIX timestamp (int or float), a datetime or None, not {}",
                type_name(obj)
            ))
        })?
    };
    let py = obj.py();
    if !secs.is_finite() {
        return Err(invalid(py, "now must be finite"));
    }
    let d =
        Duration::try_from_secs_f64(secs.abs()).map_err(|_| invalid(py, "now is out of range"))?;
    let t = if secs >= 0.0 {
        UNIX_EPOCH.checked_add(d)
    } else {
        UNIX_EPOCH.checked_sub(d)
    };
    t.ok_or_else(|| invalid(py, "now is out of range"))
}

/// A file path from `str` or `os.PathLike`.
pub(crate) fn path(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    obj.extract::<PathBuf>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be a str or os.PathLike path, not {}",
            type_name(obj)
        ))
    })
}

/// A `str` argument, with a message naming it.
pub(crate) fn string(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<String> {
    obj.extract::<String>()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be a str, not {}", type_name(obj))))
}

/// Python's repr() of an optional str.
pub(crate) fn py_repr(py: Python<'_>, s: Option<&str>) -> PyResult<String> {
    match s {
        Some(s) => Ok(PyString::new(py, s).repr()?.to_cow()?.into_owned()),
        None => Ok("None".into()),
    }
}

/// Python's spelling of a bool.
pub(crate) fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// Name/value pairs (headers, user properties) from a mapping or an
/// iterable of `(str, str)` pairs, in order (pairs may repeat a name).
pub(crate) fn pairs(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    let items = if let Ok(m) = obj.cast::<PyMapping>() {
        m.items()?.into_any()
    } else {
        obj.clone()
    };
    let bad = || {
        PyTypeError::new_err(format!(
            "{what} must be a mapping or an iterable of (name, value) str pairs"
        ))
    };
    if obj.cast::<PyString>().is_ok() {
        return Err(bad());
    }
    for item in items.try_iter().map_err(|_| bad())? {
        let (k, v): (String, String) = item?.extract().map_err(|_| bad())?;
        out.push((k, v));
    }
    Ok(out)
}

/// One `name=value` of [`call_repr`]; `None` leaves it out.
pub(crate) type Field<'py> = (&'static str, Option<Bound<'py, PyAny>>);

/// A field [`call_repr`] always shows.
pub(crate) fn field<'py, T>(py: Python<'py>, name: &'static str, value: T) -> PyResult<Field<'py>>
where
    T: IntoPyObject<'py>,
    PyErr: From<T::Error>,
{
    Ok((name, Some(value.into_pyobject(py)?.into_any().into_bound())))
}

/// A field [`call_repr`] shows only when set: not None, not an empty list.
pub(crate) fn field_if_set<'py, T>(
    py: Python<'py>,
    name: &'static str,
    value: T,
) -> PyResult<Field<'py>>
where
    T: IntoPyObject<'py>,
    PyErr: From<T::Error>,
{
    let (name, value) = field(py, name, value)?;
    let unset = value
        .as_ref()
        .is_none_or(|v| v.is_none() || v.cast::<PyList>().is_ok_and(|l| l.is_empty()));
    Ok((name, if unset { None } else { value }))
}

/// `Name(field=repr(value), ...)`, as the call that builds the object.
/// Bytes longer than 64 show as `<N bytes>`.
pub(crate) fn call_repr(name: &str, fields: &[Field<'_>]) -> PyResult<String> {
    Ok(format!("{name}({})", fields_text(fields)?))
}

/// The `field=repr(value), ...` of [`call_repr`].
pub(crate) fn fields_text(fields: &[Field<'_>]) -> PyResult<String> {
    let mut shown = Vec::with_capacity(fields.len());
    for (field, value) in fields {
        let Some(value) = value else { continue };
        let text = match value.cast::<PyBytes>() {
            Ok(b) if b.as_bytes().len() > 64 => format!("<{} bytes>", b.as_bytes().len()),
            _ => value.repr()?.to_cow()?.into_owned(),
        };
        shown.push(format!("{field}={text}"));
    }
    Ok(shown.join(", "))
}

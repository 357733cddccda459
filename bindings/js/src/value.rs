//! JavaScript values in and out, by hand: a reader of options objects that
//! refuses names it does not know, plain-object builders, and core errors
//! as the objects the driver turns into `Error` subclasses.
//!
//! Why not serde: serde-wasm-bindgen monomorphises a deserializer per
//! options struct and pulls in float formatting for its messages; this
//! file does the same job for about 50 KB less `.wasm`, and can tell a
//! typo (`productID`) from a missing option, which serde-wasm-bindgen
//! cannot (it only looks up the names it expects).

use std::time::Duration;

use js_sys::{Array, Object, Reflect, Uint8Array};
use mqttws::{Error, ErrorKind, QoS};
use wasm_bindgen::prelude::*;

/// A core error as the driver receives it: a plain object `{ kind,
/// message, phase?, status?, code? }`, thrown. `kind` is the core's
/// [`ErrorKind`] by its Rust name; the message never holds a secret.
pub(crate) fn error(e: Error) -> JsValue {
    let mut o = ObjectBuilder::new()
        .set("kind", kind_name(e.kind()))
        .set("message", e.to_string());
    match &e {
        Error::Timeout(phase) => o = o.set("phase", phase.to_string()),
        Error::Handshake { status, .. } | Error::Proxy { status, .. } => {
            o = o.set("status", status.map(u32::from))
        }
        Error::ConnectionRefused { code, .. } => o = o.set("code", u32::from(code.code())),
        Error::Rejected { code, .. } => o = o.set("code", u32::from(*code)),
        _ => {}
    }
    o.build()
}

/// [`Error::InvalidArgument`] with this message, as [`error`] throws it.
pub(crate) fn invalid(message: impl Into<String>) -> JsValue {
    error(Error::InvalidArgument(message.into()))
}

/// The Rust name of a kind, which the driver maps to its error class.
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Timeout => "Timeout",
        ErrorKind::Io => "Io",
        ErrorKind::Tls => "Tls",
        ErrorKind::Handshake => "Handshake",
        ErrorKind::ConnectionRefused => "ConnectionRefused",
        ErrorKind::Protocol => "Protocol",
        ErrorKind::InvalidArgument => "InvalidArgument",
        ErrorKind::Closed => "Closed",
        ErrorKind::Interrupted => "Interrupted",
        ErrorKind::Auth => "Auth",
        ErrorKind::Proxy => "Proxy",
        ErrorKind::QueueFull => "QueueFull",
        ErrorKind::Rejected => "Rejected",
        _ => "Mqtt",
    }
}

/// A QoS from 0, 1 or 2.
pub(crate) fn qos(value: u8) -> Result<QoS, JsValue> {
    mqttws::qos_from_u8(value).map_err(error)
}

/// A plain object, field by field.
pub(crate) struct ObjectBuilder(Object);

impl ObjectBuilder {
    pub(crate) fn new() -> Self {
        Self(Object::new())
    }

    /// Sets `name` (`None` becomes `null`).
    pub(crate) fn set(self, name: &str, value: impl Into<JsValue>) -> Self {
        // Reflect.set on a fresh plain object cannot fail.
        let _ = Reflect::set(&self.0, &JsValue::from_str(name), &value.into());
        self
    }

    pub(crate) fn build(self) -> JsValue {
        self.0.into()
    }
}

/// A `Uint8Array` copy of `bytes`.
pub(crate) fn bytes(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).into()
}

/// A JS array of the values.
pub(crate) fn array<T: Into<JsValue>>(values: impl IntoIterator<Item = T>) -> JsValue {
    values.into_iter().map(Into::into).collect::<Array>().into()
}

/// Reads an options object by name. `undefined` and `null` count as
/// absent. [`Options::finish`] refuses the names nobody asked for. Messages
/// name the option, never its value (it may be a secret).
pub(crate) struct Options {
    what: String,
    object: JsValue,
    read: Vec<&'static str>,
}

impl Options {
    /// `value` must be an object; `what` names it in messages
    /// (`"tencentCredentials"`, `"reconnect"`).
    pub(crate) fn new(what: impl Into<String>, value: JsValue) -> Result<Self, JsValue> {
        let what = what.into();
        if !value.is_object() {
            return Err(invalid(format!("{what} must be an options object")));
        }
        Ok(Self {
            what,
            object: value,
            read: Vec::new(),
        })
    }

    fn get(&mut self, name: &'static str) -> Result<Option<JsValue>, JsValue> {
        self.read.push(name);
        let v = Reflect::get(&self.object, &JsValue::from_str(name))?;
        Ok((!v.is_undefined() && !v.is_null()).then_some(v))
    }

    fn wrong(&self, name: &str, expected: &str) -> JsValue {
        invalid(format!("{}.{name} must be {expected}", self.what))
    }

    /// A required string.
    pub(crate) fn string(&mut self, name: &'static str) -> Result<String, JsValue> {
        self.opt_string(name)?
            .ok_or_else(|| invalid(format!("{}.{name} is required", self.what)))
    }

    pub(crate) fn opt_string(&mut self, name: &'static str) -> Result<Option<String>, JsValue> {
        match self.get(name)? {
            None => Ok(None),
            Some(v) => v
                .as_string()
                .map(Some)
                .ok_or_else(|| self.wrong(name, "a string")),
        }
    }

    pub(crate) fn opt_bool(&mut self, name: &'static str) -> Result<Option<bool>, JsValue> {
        match self.get(name)? {
            None => Ok(None),
            Some(v) => v
                .as_bool()
                .map(Some)
                .ok_or_else(|| self.wrong(name, "a boolean")),
        }
    }

    /// A finite number.
    pub(crate) fn opt_f64(&mut self, name: &'static str) -> Result<Option<f64>, JsValue> {
        match self.get(name)? {
            None => Ok(None),
            Some(v) => match v.as_f64() {
                Some(n) if n.is_finite() => Ok(Some(n)),
                _ => Err(self.wrong(name, "a finite number")),
            },
        }
    }

    /// A whole number in `0..=max`.
    pub(crate) fn opt_uint(
        &mut self,
        name: &'static str,
        max: u64,
    ) -> Result<Option<u64>, JsValue> {
        match self.opt_f64(name)? {
            None => Ok(None),
            Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= max as f64 => Ok(Some(n as u64)),
            Some(_) => Err(self.wrong(name, &format!("a whole number from 0 to {max}"))),
        }
    }

    /// Milliseconds as a duration.
    pub(crate) fn opt_millis(&mut self, name: &'static str) -> Result<Option<Duration>, JsValue> {
        match self.opt_f64(name)? {
            None => Ok(None),
            Some(ms) => Duration::try_from_secs_f64(ms / 1000.0)
                .map(Some)
                .map_err(|_| self.wrong(name, "milliseconds >= 0")),
        }
    }

    /// Whole seconds, at least 1, for a validity.
    pub(crate) fn opt_validity(&mut self, name: &'static str) -> Result<Option<Duration>, JsValue> {
        match self.opt_f64(name)? {
            None => Ok(None),
            Some(s) if s >= 1.0 && s < u64::MAX as f64 => Ok(Some(Duration::from_secs(s as u64))),
            Some(_) => Err(self.wrong(name, "at least 1 second")),
        }
    }

    /// A `Uint8Array`, copied.
    pub(crate) fn opt_bytes(&mut self, name: &'static str) -> Result<Option<Vec<u8>>, JsValue> {
        match self.get(name)? {
            None => Ok(None),
            Some(v) => v
                .dyn_into::<Uint8Array>()
                .map(|a| Some(a.to_vec()))
                .map_err(|_| self.wrong(name, "a Uint8Array")),
        }
    }

    /// A nested options object.
    pub(crate) fn opt_object(&mut self, name: &'static str) -> Result<Option<Options>, JsValue> {
        match self.get(name)? {
            None => Ok(None),
            Some(v) => Options::new(format!("{}.{name}", self.what), v).map(Some),
        }
    }

    /// A value of several possible types, for the caller to inspect.
    pub(crate) fn opt_any(&mut self, name: &'static str) -> Result<Option<JsValue>, JsValue> {
        self.get(name)
    }

    /// Fails on any name that was not read (a typo, or an option of another
    /// signer), unless its value is `undefined`.
    pub(crate) fn finish(self) -> Result<(), JsValue> {
        for key in Object::keys(self.object.unchecked_ref::<Object>()).iter() {
            let Some(name) = key.as_string() else {
                continue;
            };
            if self.read.contains(&name.as_str()) {
                continue;
            }
            if Reflect::get(&self.object, &key)?.is_undefined() {
                continue;
            }
            return Err(invalid(format!("{}: unknown option {name:?}", self.what)));
        }
        Ok(())
    }
}

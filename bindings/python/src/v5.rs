//! The MQTT 5 face: `PublishProperties`, `ConnAckProperties`,
//! `SubscribeReply`, and the conversions of the MQTT 5 arguments of
//! `Client(...)` (protocol version, CONNECT properties), `publish()` and
//! `subscribe()`.
//!
//! The names are the core's (`mqttws::properties`), with one rule: a
//! duration in seconds drops the core's `_interval` suffix
//! (`session_expiry`, `message_expiry`, `Will(delay=...)`), as the issue's
//! `message_expiry` does; reason strings are `reason`, as on every
//! exception and event. Values are checked for their wire range here
//! (`InvalidArgument`); what MQTT forbids beyond that (a subscription
//! identifier of 0, an over-long string...) the core refuses.

use mqttws::{
    Bytes, ConnAckProperties as CoreConnAck, ConnectProperties, ProtocolVersion,
    PublishProperties as CoreProps, QoS, RetainHandling, SubscribeOptions,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::convert::{self, Field, call_repr, field, field_if_set, int_in, type_name};
use crate::errors::invalid;

/// `protocol_version=4`: MQTT 3.1.1 (paho-mqtt's `MQTTv311`).
pub(crate) const MQTT_V311: i64 = 4;
/// `protocol_version=5`: MQTT 5.0 (paho-mqtt's `MQTTv5`).
pub(crate) const MQTT_V5: i64 = 5;

/// The protocol version from paho's numbers (the CONNECT protocol level).
pub(crate) fn protocol_version(py: Python<'_>, value: i64) -> PyResult<ProtocolVersion> {
    match value {
        MQTT_V311 => Ok(ProtocolVersion::V311),
        MQTT_V5 => Ok(ProtocolVersion::V5),
        _ => Err(invalid(
            py,
            format!(
                "protocol_version must be {MQTT_V311} (mqttws.MQTTv311) or {MQTT_V5} (mqttws.MQTTv5), got {value}"
            ),
        )),
    }
}

/// `InvalidArgument` when MQTT 5-only arguments (`used`: their names) are
/// given to a 3.1.1 client. Checked when the client is made, so that the
/// mistake shows before anything is sent; the core checks again.
pub(crate) fn refuse_under_v311(
    py: Python<'_>,
    version: ProtocolVersion,
    used: &[&str],
) -> PyResult<()> {
    if version == ProtocolVersion::V311 && !used.is_empty() {
        return Err(invalid(
            py,
            format!(
                "{}: MQTT 5 only, and this client speaks 3.1.1; pass protocol_version=mqttws.MQTTv5",
                used.join(", ")
            ),
        ));
    }
    Ok(())
}

/// The CONNECT properties of `Client(...)`'s keyword arguments.
pub(crate) struct ConnectArgs<'a, 'py> {
    pub(crate) session_expiry: Option<i64>,
    pub(crate) receive_maximum: Option<i64>,
    pub(crate) topic_alias_maximum: Option<i64>,
    pub(crate) request_response_information: bool,
    pub(crate) request_problem_information: Option<bool>,
    pub(crate) user_properties: Option<&'a Bound<'py, PyAny>>,
}

impl ConnectArgs<'_, '_> {
    /// The properties, and the names of the arguments that were given.
    pub(crate) fn properties(
        &self,
        py: Python<'_>,
    ) -> PyResult<(ConnectProperties, Vec<&'static str>)> {
        let mut used = Vec::new();
        let mut note = |name: &'static str, given: bool| {
            if given {
                used.push(name);
            }
        };
        note("session_expiry", self.session_expiry.is_some());
        note("receive_maximum", self.receive_maximum.is_some());
        note("topic_alias_maximum", self.topic_alias_maximum.is_some());
        note(
            "request_response_information",
            self.request_response_information,
        );
        note(
            "request_problem_information",
            self.request_problem_information.is_some(),
        );
        let user_properties = user_properties(self.user_properties)?;
        note("user_properties", !user_properties.is_empty());
        let properties = ConnectProperties {
            session_expiry_interval: self
                .session_expiry
                .map(|s| int_in(py, "session_expiry", s, 0, u32::MAX.into()))
                .transpose()?,
            receive_maximum: self
                .receive_maximum
                .map(|r| int_in(py, "receive_maximum", r, 1, u16::MAX.into()))
                .transpose()?,
            // The client's own incoming limit (`max_packet_size`) is sent.
            maximum_packet_size: None,
            topic_alias_maximum: self
                .topic_alias_maximum
                .map(|t| int_in(py, "topic_alias_maximum", t, 0, u16::MAX.into()))
                .transpose()?,
            request_response_information: self.request_response_information,
            request_problem_information: self.request_problem_information,
            user_properties,
        };
        Ok((properties, used))
    }
}

/// User properties from None, a mapping or an iterable of pairs.
pub(crate) fn user_properties(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    match obj.filter(|o| !o.is_none()) {
        Some(o) => convert::pairs("user_properties", o),
        None => Ok(Vec::new()),
    }
}

/// The `properties=` argument of `publish()` and `Will(...)`.
pub(crate) fn publish_properties_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<CoreProps> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(CoreProps::default());
    };
    match obj.cast::<PublishProperties>() {
        Ok(p) => Ok(p.get().inner.clone()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "properties must be a mqttws.PublishProperties or None, not {}",
            type_name(obj)
        ))),
    }
}

/// MQTT 5 properties of a message: what `publish(..., properties=...)` and
/// `Will(..., properties=...)` send, and what `Message.properties` shows
/// of a received one. Immutable; compared by value.
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct PublishProperties {
    pub(crate) inner: CoreProps,
}

#[pymethods]
impl PublishProperties {
    #[new]
    #[pyo3(signature = (*, payload_format_utf8=None, message_expiry=None, content_type=None,
        response_topic=None, correlation_data=None, user_properties=None))]
    fn new(
        py: Python<'_>,
        payload_format_utf8: Option<bool>,
        message_expiry: Option<i64>,
        content_type: Option<String>,
        response_topic: Option<String>,
        correlation_data: Option<&Bound<'_, PyAny>>,
        user_properties: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let correlation_data: Option<Bytes> = correlation_data
            .filter(|c| !c.is_none())
            .map(|c| convert::payload("correlation_data", Some(c)))
            .transpose()?;
        Ok(Self {
            inner: CoreProps {
                payload_format_utf8,
                message_expiry_interval: message_expiry
                    .map(|m| int_in(py, "message_expiry", m, 0, u32::MAX.into()))
                    .transpose()?,
                content_type,
                response_topic,
                correlation_data,
                user_properties: self::user_properties(user_properties)?,
                subscription_identifiers: Vec::new(),
            },
        })
    }

    /// True: the payload is UTF-8 text; False: unspecified bytes (sent
    /// explicitly); None: not said.
    #[getter]
    fn payload_format_utf8(&self) -> Option<bool> {
        self.inner.payload_format_utf8
    }

    /// Seconds the broker keeps the message for subscribers it has not
    /// reached yet (a retained one: how long it stays retained); on a
    /// received message, what is left of it.
    #[getter]
    fn message_expiry(&self) -> Option<u32> {
        self.inner.message_expiry_interval
    }

    /// The payload's content type (e.g. "application/json").
    #[getter]
    fn content_type(&self) -> Option<&str> {
        self.inner.content_type.as_deref()
    }

    /// Where a response should be published (request/response).
    #[getter]
    fn response_topic(&self) -> Option<&str> {
        self.inner.response_topic.as_deref()
    }

    /// Data that ties a response to its request.
    #[getter]
    fn correlation_data<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner
            .correlation_data
            .as_ref()
            .map(|c| PyBytes::new(py, c))
    }

    /// The user properties, in order, names may repeat (a new list each time).
    #[getter]
    fn user_properties(&self) -> Vec<(String, String)> {
        self.inner.user_properties.clone()
    }

    /// Received messages: the identifiers of the subscriptions that matched
    /// it (`subscribe(..., subscription_identifier=...)`); empty otherwise.
    #[getter]
    fn subscription_identifiers(&self) -> Vec<u32> {
        self.inner.subscription_identifiers.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr("PublishProperties", &self.fields(py)?)
    }
}

impl PublishProperties {
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        let p = &self.inner;
        Ok(vec![
            field_if_set(py, "payload_format_utf8", p.payload_format_utf8)?,
            field_if_set(py, "message_expiry", p.message_expiry_interval)?,
            field_if_set(py, "content_type", p.content_type.as_deref())?,
            field_if_set(py, "response_topic", p.response_topic.as_deref())?,
            field_if_set(py, "correlation_data", self.correlation_data(py))?,
            field_if_set(py, "user_properties", p.user_properties.clone())?,
            field_if_set(
                py,
                "subscription_identifiers",
                p.subscription_identifiers.clone(),
            )?,
        ])
    }

    /// The Python object for a received message's properties.
    pub(crate) fn from_core(
        py: Python<'_>,
        p: Option<Box<CoreProps>>,
    ) -> PyResult<Option<Py<Self>>> {
        p.map(|p| Py::new(py, Self { inner: *p })).transpose()
    }
}

/// What the broker said in its CONNACK under MQTT 5 (`Client.connack_properties`,
/// `Connected.properties`): its limits, an assigned client id, a reason...
/// None / empty where the broker did not say (then MQTT's defaults apply).
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct ConnAckProperties {
    pub(crate) inner: Box<CoreConnAck>,
}

impl ConnAckProperties {
    pub(crate) fn new(inner: Box<CoreConnAck>) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl ConnAckProperties {
    /// Seconds the broker keeps the session, when it differs from the request.
    #[getter]
    fn session_expiry(&self) -> Option<u32> {
        self.inner.session_expiry_interval
    }

    /// QoS 1/2 messages the broker accepts in flight from the client (the
    /// client's inflight window never exceeds it).
    #[getter]
    fn receive_maximum(&self) -> Option<u16> {
        self.inner.receive_maximum
    }

    /// The highest QoS the broker supports (None: 2).
    #[getter]
    fn maximum_qos(&self) -> Option<u8> {
        self.inner.maximum_qos.map(|q| q as u8)
    }

    /// Whether retained messages are supported (None: yes).
    #[getter]
    fn retain_available(&self) -> Option<bool> {
        self.inner.retain_available
    }

    /// Largest packet the broker accepts (the client refuses to send more).
    #[getter]
    fn maximum_packet_size(&self) -> Option<u32> {
        self.inner.maximum_packet_size
    }

    /// The client id the broker assigned to an empty one (also in
    /// `Client.client_id`).
    #[getter]
    fn assigned_client_identifier(&self) -> Option<&str> {
        self.inner.assigned_client_identifier.as_deref()
    }

    /// Topic aliases the client may use toward the broker (it uses them by itself).
    #[getter]
    fn topic_alias_maximum(&self) -> Option<u16> {
        self.inner.topic_alias_maximum
    }

    /// The broker's reason string.
    #[getter]
    fn reason(&self) -> Option<&str> {
        self.inner.reason_string.as_deref()
    }

    /// The CONNACK's user properties, in order.
    #[getter]
    fn user_properties(&self) -> Vec<(String, String)> {
        self.inner.user_properties.clone()
    }

    /// Whether wildcard subscriptions are supported (None: yes).
    #[getter]
    fn wildcard_subscription_available(&self) -> Option<bool> {
        self.inner.wildcard_subscription_available
    }

    /// Whether subscription identifiers are supported (None: yes).
    #[getter]
    fn subscription_identifiers_available(&self) -> Option<bool> {
        self.inner.subscription_identifiers_available
    }

    /// Whether shared subscriptions are supported (None: yes).
    #[getter]
    fn shared_subscription_available(&self) -> Option<bool> {
        self.inner.shared_subscription_available
    }

    /// The keepalive (seconds) the broker imposes; the client uses it.
    #[getter]
    fn server_keep_alive(&self) -> Option<u16> {
        self.inner.server_keep_alive
    }

    /// Response information (with `request_response_information=True`).
    #[getter]
    fn response_information(&self) -> Option<&str> {
        self.inner.response_information.as_deref()
    }

    /// Another server to use (reported, not followed).
    #[getter]
    fn server_reference(&self) -> Option<&str> {
        self.inner.server_reference.as_deref()
    }

    /// The enhanced authentication method.
    #[getter]
    fn authentication_method(&self) -> Option<&str> {
        self.inner.authentication_method.as_deref()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let p = &self.inner;
        call_repr(
            "ConnAckProperties",
            &[
                field_if_set(py, "session_expiry", p.session_expiry_interval)?,
                field_if_set(py, "receive_maximum", p.receive_maximum)?,
                field_if_set(py, "maximum_qos", self.maximum_qos())?,
                field_if_set(py, "retain_available", p.retain_available)?,
                field_if_set(py, "maximum_packet_size", p.maximum_packet_size)?,
                field_if_set(
                    py,
                    "assigned_client_identifier",
                    self.assigned_client_identifier(),
                )?,
                field_if_set(py, "topic_alias_maximum", p.topic_alias_maximum)?,
                field_if_set(py, "reason", self.reason())?,
                field_if_set(py, "user_properties", self.user_properties())?,
                field_if_set(
                    py,
                    "wildcard_subscription_available",
                    p.wildcard_subscription_available,
                )?,
                field_if_set(
                    py,
                    "subscription_identifiers_available",
                    p.subscription_identifiers_available,
                )?,
                field_if_set(
                    py,
                    "shared_subscription_available",
                    p.shared_subscription_available,
                )?,
                field_if_set(py, "server_keep_alive", p.server_keep_alive)?,
                field_if_set(py, "response_information", self.response_information())?,
                field_if_set(py, "server_reference", self.server_reference())?,
                field_if_set(py, "authentication_method", self.authentication_method())?,
            ],
        )
    }
}

/// The subscription options of `subscribe()`'s keyword arguments, for
/// every filter of the call.
pub(crate) struct SubscribeArgs {
    no_local: bool,
    retain_as_published: bool,
    retain_handling: RetainHandling,
}

impl SubscribeArgs {
    pub(crate) fn new(
        py: Python<'_>,
        no_local: bool,
        retain_as_published: bool,
        retain_handling: i64,
    ) -> PyResult<Self> {
        let retain_handling = match retain_handling {
            0 => RetainHandling::SendAlways,
            1 => RetainHandling::SendIfNew,
            2 => RetainHandling::DoNotSend,
            _ => {
                return Err(invalid(
                    py,
                    format!(
                        "retain_handling must be 0 (send), 1 (send if new) or 2 (do not send), got {retain_handling}"
                    ),
                ));
            }
        };
        Ok(Self {
            no_local,
            retain_as_published,
            retain_handling,
        })
    }

    pub(crate) fn options(&self, qos: QoS) -> SubscribeOptions {
        SubscribeOptions {
            qos,
            no_local: self.no_local,
            retain_as_published: self.retain_as_published,
            retain_handling: self.retain_handling,
        }
    }
}

/// What SUBACK answered, per filter in the order subscribed
/// (`Client.subscribe_reply()`).
#[pyclass(module = "mqttws", frozen, eq)]
#[derive(PartialEq)]
pub(crate) struct SubscribeReply {
    /// The granted QoS per filter, None where the broker refused it.
    #[pyo3(get)]
    granted: Vec<Option<u8>>,
    reason_codes: Vec<u8>,
}

impl SubscribeReply {
    pub(crate) fn from_core(reply: mqttws::SubscribeReply) -> Self {
        Self {
            granted: granted(reply.granted),
            reason_codes: reply.reason_codes,
        }
    }
}

/// Reason codes as a list of ints (a `Vec<u8>` would become `bytes`).
pub(crate) fn codes(codes: &[u8]) -> Vec<u32> {
    codes.iter().copied().map(u32::from).collect()
}

/// Granted QoS levels as Python ints.
pub(crate) fn granted(granted: Vec<Option<QoS>>) -> Vec<Option<u8>> {
    granted.into_iter().map(|g| g.map(|q| q as u8)).collect()
}

#[pymethods]
impl SubscribeReply {
    #[new]
    fn new(granted: Vec<Option<u8>>, reason_codes: Vec<u8>) -> Self {
        Self {
            granted,
            reason_codes,
        }
    }

    /// The reason code per filter: the granted QoS (0, 1, 2) or a refusal
    /// (0x80 and up; MQTT 5: 0x87 not authorized, 0x8F topic filter
    /// invalid, 0xA1 subscription identifiers not supported...). Under
    /// 3.1.1 the SUBACK return codes (0, 1, 2, 0x80).
    #[getter]
    fn reason_codes(&self) -> Vec<u32> {
        codes(&self.reason_codes)
    }

    #[classattr]
    fn __match_args__() -> (&'static str, &'static str) {
        ("granted", "reason_codes")
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr(
            "SubscribeReply",
            &[
                field(py, "granted", self.granted.clone())?,
                field(py, "reason_codes", self.reason_codes())?,
            ],
        )
    }
}

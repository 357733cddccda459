# Typing stub for the native module mqttws._mqttws (bindings/python/src).
# Checked against the built module by `python -m mypy.stubtest mqttws._mqttws`
# (tests/test_typing.py); keep it in step with the #[pyo3(signature)]s.

import datetime
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Literal, Optional, Union, final, overload

from typing_extensions import Self, disjoint_base

__all__ = [
    "MQTTv311",
    "MQTTv5",
    "AliyunDevice",
    "AwsCustomAuth",
    "AwsSigV4",
    "AzureDevice",
    "Client",
    "ConnAckProperties",
    "Connected",
    "Credentials",
    "Disconnected",
    "Downgraded",
    "Dropped",
    "HuaweiDevice",
    "Message",
    "MessageIterator",
    "OfflineQueue",
    "Platform",
    "PublishHandle",
    "PublishProperties",
    "Published",
    "ReconnectPolicy",
    "Reconnecting",
    "Rejected",
    "ServerDisconnected",
    "StoreDamaged",
    "SubscribeReply",
    "Subscribed",
    "TencentDevice",
    "Unsubscribed",
    "Will",
    "topic_matches",
    "__version__",
    "_credentials_once",
]

__version__: str

#: ``protocol_version=MQTTv311``: MQTT 3.1.1, the default (paho-mqtt's name).
MQTTv311: Final = 4
#: ``protocol_version=MQTTv5``: MQTT 5.0 (paho-mqtt's name).
MQTTv5: Final = 5

_Payload = Union[bytes, bytearray, memoryview, str, None]
_Path = Union[str, os.PathLike[str]]
_Now = Union[int, float, datetime.datetime, None]
_Headers = Union[Mapping[str, str], Iterable[tuple[str, str]]]
_Will = Union[Will, tuple[str], tuple[str, _Payload], tuple[str, _Payload, int], tuple[str, _Payload, int, bool], None]
#: User properties: (name, value) pairs, in order, names may repeat (or a mapping).
_UserProperties = Union[Mapping[str, str], Iterable[tuple[str, str]]]
_Bytes = Union[bytes, bytearray, memoryview, str]

# ---------------------------------------------------------------- MQTT 5

@final
class PublishProperties:
    """MQTT 5 properties of a message: sent with publish(..., properties=...)
    and Will(..., properties=...), shown by Message.properties. Immutable;
    compared by value; unset ones are None (user_properties and
    subscription_identifiers: empty)."""

    def __new__(
        cls,
        *,
        payload_format_utf8: Optional[bool] = None,
        message_expiry: Optional[int] = None,
        content_type: Optional[str] = None,
        response_topic: Optional[str] = None,
        correlation_data: Optional[_Bytes] = None,
        user_properties: Optional[_UserProperties] = None,
    ) -> Self: ...
    @property
    def payload_format_utf8(self) -> Optional[bool]:
        """True: the payload is UTF-8 text; False: unspecified bytes."""
    @property
    def message_expiry(self) -> Optional[int]:
        """Seconds the broker keeps the message (retained: stays retained); received: what is left."""
    @property
    def content_type(self) -> Optional[str]: ...
    @property
    def response_topic(self) -> Optional[str]: ...
    @property
    def correlation_data(self) -> Optional[bytes]: ...
    @property
    def user_properties(self) -> list[tuple[str, str]]:
        """In order, names may repeat (a new list each time)."""
    @property
    def subscription_identifiers(self) -> list[int]:
        """Received messages: the identifiers of the subscriptions that matched."""
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class ConnAckProperties:
    """What the broker said in its MQTT 5 CONNACK (Client.connack_properties,
    Connected.properties); None / empty where it said nothing."""

    @property
    def session_expiry(self) -> Optional[int]: ...
    @property
    def receive_maximum(self) -> Optional[int]: ...
    @property
    def maximum_qos(self) -> Optional[int]: ...
    @property
    def retain_available(self) -> Optional[bool]: ...
    @property
    def maximum_packet_size(self) -> Optional[int]: ...
    @property
    def assigned_client_identifier(self) -> Optional[str]: ...
    @property
    def topic_alias_maximum(self) -> Optional[int]: ...
    @property
    def reason(self) -> Optional[str]: ...
    @property
    def user_properties(self) -> list[tuple[str, str]]: ...
    @property
    def wildcard_subscription_available(self) -> Optional[bool]: ...
    @property
    def subscription_identifiers_available(self) -> Optional[bool]: ...
    @property
    def shared_subscription_available(self) -> Optional[bool]: ...
    @property
    def server_keep_alive(self) -> Optional[int]: ...
    @property
    def response_information(self) -> Optional[str]: ...
    @property
    def server_reference(self) -> Optional[str]: ...
    @property
    def authentication_method(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class SubscribeReply:
    """What Client.subscribe_reply() returns: per filter, the granted QoS
    (None: refused) and the SUBACK reason code (the QoS, or 0x80 and up)."""

    __match_args__ = ("granted", "reason_codes")
    def __new__(cls, granted: list[Optional[int]], reason_codes: list[int]) -> Self: ...
    @property
    def granted(self) -> list[Optional[int]]: ...
    @property
    def reason_codes(self) -> list[int]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Message:
    """A message received from the broker."""

    @property
    def topic(self) -> str: ...
    @property
    def payload(self) -> bytes: ...
    @property
    def qos(self) -> int: ...
    @property
    def retain(self) -> bool: ...
    @property
    def dup(self) -> bool: ...
    @property
    def properties(self) -> Optional[PublishProperties]:
        """MQTT 5: its properties (None when it carries none, always under 3.1.1)."""

@final
class ReconnectPolicy:
    """Automatic reconnect: growing, jittered delays (seconds) between attempts."""

    def __new__(
        cls,
        *,
        min_delay: float = 0.5,
        max_delay: float = 30.0,
        stable_after: float = 10.0,
        restore_subscriptions: bool = True,
    ) -> Self: ...
    @property
    def min_delay(self) -> float: ...
    @property
    def max_delay(self) -> float: ...
    @property
    def stable_after(self) -> float: ...
    @property
    def restore_subscriptions(self) -> bool: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class OfflineQueue:
    """Bounds of the queue of publishes accepted while disconnected."""

    def __new__(
        cls,
        *,
        max_messages: int = 1000,
        max_bytes: int = 4194304,
        when_full: Literal["error", "drop_oldest"] = "error",
    ) -> Self: ...
    @property
    def max_messages(self) -> int: ...
    @property
    def max_bytes(self) -> int: ...
    @property
    def when_full(self) -> Literal["error", "drop_oldest"]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

# ---------------------------------------------------------- poll() events

@final
class Connected:
    """Connected again by the automatic reconnect."""

    __match_args__ = ("session_present", "properties")
    def __new__(cls, session_present: bool, properties: Optional[ConnAckProperties] = None) -> Self: ...
    @property
    def session_present(self) -> bool: ...
    @property
    def properties(self) -> Optional[ConnAckProperties]:
        """MQTT 5: the CONNACK's properties (None under 3.1.1)."""
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Disconnected:
    """The connection ended (a Reconnecting follows when reconnect is on)."""

    __match_args__ = ("reason",)
    def __new__(cls, reason: str) -> Self: ...
    @property
    def reason(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Reconnecting:
    """The next automatic attempt comes after `delay` seconds."""

    __match_args__ = ("delay", "attempt")
    def __new__(cls, delay: float, attempt: int) -> Self: ...
    @property
    def delay(self) -> float: ...
    @property
    def attempt(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Published:
    """A QoS 1/2 message nobody waited for was acknowledged."""

    __match_args__ = ("packet_id",)
    def __new__(cls, packet_id: int) -> Self: ...
    @property
    def packet_id(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Downgraded:
    """The broker acknowledged a QoS 2 message with PUBACK (took it at QoS 1)."""

    __match_args__ = ("packet_id", "granted")
    def __new__(cls, packet_id: int, granted: int) -> Self: ...
    @property
    def packet_id(self) -> int: ...
    @property
    def granted(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Rejected:
    """MQTT 5: the broker refused a QoS 1/2 message (reason code 0x80 and up).
    Reported once: a ``PublishHandle.wait()`` (or ``publish(wait=True)``)
    that raises ``RejectedError`` for it takes the event, as a completed wait
    takes ``Published``."""

    __match_args__ = ("packet_id", "reason_code", "reason")
    def __new__(cls, packet_id: int, reason_code: int, reason: Optional[str] = None) -> Self: ...
    @property
    def packet_id(self) -> int: ...
    @property
    def reason_code(self) -> int: ...
    @property
    def reason(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class ServerDisconnected:
    """MQTT 5: the broker sent DISCONNECT; the connection ends right after."""

    __match_args__ = ("reason_code", "reason", "server_reference")
    def __new__(cls, reason_code: int, reason: Optional[str] = None, server_reference: Optional[str] = None) -> Self: ...
    @property
    def reason_code(self) -> int: ...
    @property
    def reason(self) -> Optional[str]: ...
    @property
    def server_reference(self) -> Optional[str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Dropped:
    """The full offline queue dropped this message; it will never be sent."""

    __match_args__ = ("packet_id", "topic")
    def __new__(cls, packet_id: Optional[int], topic: str) -> Self: ...
    @property
    def packet_id(self) -> Optional[int]: ...
    @property
    def topic(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Subscribed:
    """A SUBACK no call waited for."""

    __match_args__ = ("packet_id", "granted", "reason_codes")
    def __new__(
        cls, packet_id: int, granted: list[Optional[int]], reason_codes: Optional[list[int]] = None
    ) -> Self: ...
    @property
    def packet_id(self) -> int: ...
    @property
    def granted(self) -> list[Optional[int]]: ...
    @property
    def reason_codes(self) -> list[int]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Unsubscribed:
    """An UNSUBACK no call waited for."""

    __match_args__ = ("packet_id", "reason_codes")
    def __new__(cls, packet_id: int, reason_codes: Optional[list[int]] = None) -> Self: ...
    @property
    def packet_id(self) -> int: ...
    @property
    def reason_codes(self) -> list[int]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class StoreDamaged:
    """The durable store found damaged bytes in its log when the client was
    created: every valid record was recovered and the damaged log kept aside
    (`kept_aside`); what the damaged bytes held is lost."""

    __match_args__ = ("damaged_bytes", "kept_aside", "description")
    def __new__(cls, damaged_bytes: int, kept_aside: Optional[str], description: str) -> Self: ...
    @property
    def damaged_bytes(self) -> int: ...
    @property
    def kept_aside(self) -> Optional[str]: ...
    @property
    def description(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

_Event = Union[
    Message,
    Connected,
    Disconnected,
    Reconnecting,
    Published,
    Downgraded,
    Rejected,
    Dropped,
    Subscribed,
    Unsubscribed,
    ServerDisconnected,
    StoreDamaged,
]

@final
class Will:
    """The last will, published by the broker if the client vanishes."""

    def __new__(
        cls,
        topic: str,
        payload: _Payload = None,
        qos: int = 0,
        retain: bool = False,
        *,
        properties: Optional[PublishProperties] = None,
        delay: Optional[int] = None,
    ) -> Self: ...
    @property
    def properties(self) -> Optional[PublishProperties]:
        """MQTT 5: the will's properties."""
    @property
    def delay(self) -> Optional[int]:
        """MQTT 5: seconds between losing the connection and the will."""
    @property
    def topic(self) -> str: ...
    @property
    def payload(self) -> bytes: ...
    @property
    def qos(self) -> int: ...
    @property
    def retain(self) -> bool: ...

@final
class PublishHandle:
    """What Client.publish() returns."""

    @property
    def packet_id(self) -> Optional[int]: ...
    @property
    def done(self) -> bool: ...
    def wait(self, timeout: Optional[float] = None) -> None: ...

@final
class MessageIterator:
    """Iterator returned by Client.messages()."""

    def __iter__(self) -> Self: ...
    def __next__(self) -> Message: ...

def topic_matches(filter: str, topic: str) -> bool: ...
@disjoint_base
class Client:
    """A blocking MQTT 3.1.1 or 5.0 client over WebSocket; safe to share between threads."""

    def __new__(
        cls,
        url: Optional[str] = None,
        *,
        client_id: Optional[str] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        keepalive: int = 60,
        clean_session: bool = True,
        ca_file: Optional[_Path] = None,
        cert_file: Optional[_Path] = None,
        key_file: Optional[_Path] = None,
        insecure: bool = False,
        headers: Optional[_Headers] = None,
        will: _Will = None,
        connect_timeout: float = 10.0,
        operation_timeout: float = 10.0,
        max_packet_size: Optional[int] = None,
        inflight_window: int = 20,
        credentials: Union[Platform, Credentials, None] = None,
        proxy: Optional[str] = None,
        reconnect: Union[bool, ReconnectPolicy, None] = None,
        offline_queue: Optional[OfflineQueue] = None,
        ws_ping: Optional[tuple[float, float]] = None,
        store_dir: Optional[_Path] = None,
        incoming_queue: Optional[tuple[int, int]] = None,
        protocol_version: int = 4,
        session_expiry: Optional[int] = None,
        receive_maximum: Optional[int] = None,
        topic_alias_maximum: Optional[int] = None,
        request_response_information: bool = False,
        request_problem_information: Optional[bool] = None,
        user_properties: Optional[_UserProperties] = None,
    ) -> Self: ...
    def connect(self) -> bool: ...
    def publish(
        self,
        topic: str,
        payload: _Payload = None,
        qos: int = 0,
        retain: bool = False,
        wait: bool = False,
        *,
        properties: Optional[PublishProperties] = None,
    ) -> PublishHandle: ...
    def cork(self) -> None: ...
    def uncork(self) -> None: ...
    def flush(self) -> None: ...
    # A str is also a Sequence[str]; the first overload wins for it.
    @overload
    def subscribe(  # type: ignore[overload-overlap]
        self,
        topic: str,
        qos: int = 0,
        *,
        no_local: bool = False,
        retain_as_published: bool = False,
        retain_handling: int = 0,
        subscription_identifier: Optional[int] = None,
        user_properties: Optional[_UserProperties] = None,
    ) -> Optional[int]: ...
    @overload
    def subscribe(
        self,
        topic: Sequence[Union[str, tuple[str, int]]],
        qos: int = 0,
        *,
        no_local: bool = False,
        retain_as_published: bool = False,
        retain_handling: int = 0,
        subscription_identifier: Optional[int] = None,
        user_properties: Optional[_UserProperties] = None,
    ) -> list[Optional[int]]: ...
    def subscribe_reply(
        self,
        topic: Union[str, Sequence[Union[str, tuple[str, int]]]],
        qos: int = 0,
        *,
        no_local: bool = False,
        retain_as_published: bool = False,
        retain_handling: int = 0,
        subscription_identifier: Optional[int] = None,
        user_properties: Optional[_UserProperties] = None,
    ) -> SubscribeReply: ...
    def unsubscribe(
        self, topic: Union[str, Sequence[str]], *, user_properties: Optional[_UserProperties] = None
    ) -> list[int]: ...
    def recv(self, timeout: Optional[float] = None) -> Optional[Message]: ...
    def poll(self, timeout: Optional[float] = None) -> Optional[_Event]: ...
    def messages(self, timeout: Optional[float] = None) -> MessageIterator: ...
    def __iter__(self) -> Self: ...
    def __next__(self) -> Message: ...
    def interrupt(self) -> None: ...
    def _interrupt_calls(self) -> None: ...
    def disconnect(self) -> None: ...
    def close(self) -> None: ...
    @property
    def is_connected(self) -> bool: ...
    @property
    def closed(self) -> bool: ...
    @property
    def inflight(self) -> int: ...
    @property
    def client_id(self) -> str: ...
    @property
    def protocol_version(self) -> int: ...
    @property
    def connack_properties(self) -> Optional[ConnAckProperties]: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, exc_type: object = None, exc_value: object = None, traceback: object = None) -> bool: ...

# ------------------------------------------------------------------ auth
# Optional arguments left as None keep the Rust core's defaults (Tencent:
# sdkappid 12010126, region ap-guangzhou, hmacsha256; Alibaba: hmacsha256;
# AWS: port 443; Azure: ttl 3600 s, api-version 2021-04-12).

@final
class Credentials:
    """Client id, user name, password (and URL / upgrade headers where the platform sets them)."""

    def __new__(
        cls,
        client_id: str,
        username: Optional[str] = None,
        password: Optional[str] = None,
        url: Optional[str] = None,
        headers: Optional[_Headers] = None,
    ) -> Self: ...
    @property
    def client_id(self) -> str: ...
    @property
    def username(self) -> Optional[str]: ...
    @property
    def password(self) -> Optional[str]: ...
    @property
    def url(self) -> Optional[str]: ...
    @property
    def headers(self) -> list[tuple[str, str]]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@disjoint_base
class Platform:
    """Base class of the device presets: signs afresh for each connection attempt."""

    def credentials(self, now: _Now = None) -> Credentials: ...
    @property
    def url(self) -> Optional[str]: ...
    @property
    def keepalive_range(self) -> Optional[tuple[int, int]]: ...

_Expiry = Union[int, Literal["never"], datetime.timedelta, None]

@final
class TencentDevice(Platform):
    def __new__(
        cls,
        product_id: str,
        device_name: str,
        psk: Optional[str] = None,
        *,
        method: Optional[Literal["hmacsha1", "hmacsha256"]] = None,
        connid: Optional[str] = None,
        expiry: _Expiry = None,
        sdkappid: Optional[str] = None,
        private_key: Union[str, bytes, None] = None,
        private_key_file: Optional[_Path] = None,
        region: Optional[str] = None,
        secure: bool = True,
    ) -> Self: ...

_AliyunMethod = Literal["hmacsha256", "hmacsha1", "hmacmd5"]
_Timestamp = Union[int, Literal["now", "omit"], None]

@final
class AliyunDevice(Platform):
    def __new__(
        cls,
        product_key: str,
        device_name: str,
        device_secret: str,
        *,
        region: Optional[str] = None,
        instance: Optional[str] = None,
        client_id: Optional[str] = None,
        timestamp: _Timestamp = None,
        method: Optional[_AliyunMethod] = None,
        secure: bool = True,
        lowercase_hex: bool = False,
    ) -> Self: ...

@final
class AwsSigV4(Platform):
    def __new__(
        cls,
        host: str,
        access_key_id: str,
        secret_access_key: str,
        *,
        client_id: str,
        region: Optional[str] = None,
        session_token: Optional[str] = None,
        expires: Optional[float] = None,
        port: Optional[int] = None,
    ) -> Self: ...

@final
class AwsCustomAuth(Platform):
    def __new__(
        cls,
        host: str,
        *,
        client_id: str,
        authorizer_name: Optional[str] = None,
        token_key_name: Optional[str] = None,
        token: Optional[str] = None,
        token_signature: Optional[str] = None,
        query_string: bool = False,
        port: Optional[int] = None,
    ) -> Self: ...

@final
class AzureDevice(Platform):
    def __new__(
        cls,
        hub: str,
        device_id: str,
        key: str,
        *,
        module_id: Optional[str] = None,
        key_name: Optional[str] = None,
        ttl: Optional[float] = None,
        api_version: Optional[str] = None,
        device_client_type: Optional[str] = None,
        no_client_cert_hint: bool = True,
    ) -> Self: ...

@final
class HuaweiDevice(Platform):
    def __new__(cls, host: str, device_id: str, secret: str, *, check_timestamp: bool = False) -> Self: ...

# The one-shot *_credentials functions of mqttws.auth (auth.py) call this:
# device(*args, **kwargs).credentials(now), without checking the device at
# the current time first.
def _credentials_once(
    device: type[Platform], args: tuple[object, ...], kwargs: Optional[dict[str, object]], now: _Now = None
) -> Credentials: ...

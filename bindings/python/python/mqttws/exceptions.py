"""The exceptions mqttws raises: one class per error kind of the Rust core.

::

    MqttError
    ├── TimeoutError        (also builtins.TimeoutError)  .phase
    ├── IoError             (also builtins.OSError)       .errno
    ├── TlsError
    ├── HandshakeError                                     .status, .body
    ├── ConnectionRefused         .code (= .reason_code), .reason, .server_reference
    ├── ProtocolError
    ├── InvalidArgument     (also builtins.ValueError)
    ├── ClosedError
    ├── Interrupted
    ├── AuthError
    ├── ProxyError                                         .status
    ├── QueueFullError
    └── RejectedError                      .code (= .reason_code), .reason

Wrong argument *types* raise the builtin ``TypeError``. Messages never contain
a password, pre-shared key, device secret or token.

Which errors end the connection: everything except ``TimeoutError`` while
waiting for an acknowledgement (the message stays in flight),
``InvalidArgument``, ``Interrupted``, ``AuthError``, ``QueueFullError`` and
``RejectedError``.
After one that does, ``connect()`` may be called again; unacknowledged QoS 1/2
messages are resent. With ``reconnect`` on, a drop raises nothing: the client
reconnects by itself and ``Client.poll()`` reports it.
"""

from __future__ import annotations

import builtins
from typing import Optional

__all__ = [
    "AuthError",
    "ClosedError",
    "ConnectionRefused",
    "HandshakeError",
    "Interrupted",
    "InvalidArgument",
    "IoError",
    "MqttError",
    "ProtocolError",
    "ProxyError",
    "QueueFullError",
    "RejectedError",
    "TimeoutError",
    "TlsError",
]


class MqttError(Exception):
    """Base class of every mqttws error."""


class TimeoutError(MqttError, builtins.TimeoutError):
    """A deadline passed; ``phase`` says which (e.g. ``"TLS handshake"``,
    ``"waiting for CONNACK"``, ``"waiting for an acknowledgement"``)."""

    phase: Optional[str]

    def __init__(self, message: str, phase: Optional[str] = None) -> None:
        super().__init__(message)
        self.phase = phase


class IoError(MqttError, builtins.OSError):
    """The operating system reported an I/O error (connection refused or
    reset, host unreachable...); ``errno`` is its number when there is one."""

    def __init__(self, message: str, errno: Optional[int] = None) -> None:
        super().__init__(message)
        self.errno = errno


class TlsError(MqttError):
    """TLS failed: unknown CA, hostname mismatch, client certificate refused..."""


class HandshakeError(MqttError):
    """The WebSocket upgrade failed. ``status`` is the HTTP status if the
    server answered one (401/403: signature or policy; 404: wrong path),
    ``body`` the start of the response body."""

    status: Optional[int]
    body: str

    def __init__(self, message: str, status: Optional[int] = None, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class _ReasonCode:
    """``reason_code``: MQTT 5's name for ``code``."""

    code: int

    @property
    def reason_code(self) -> int:
        """The same as ``code``."""
        return self.code


class ConnectionRefused(_ReasonCode, MqttError):
    """The broker refused CONNECT; ``code`` is the CONNACK return code (1:
    protocol version, 2: identifier rejected, 3: server unavailable, 4: bad
    user name or password, 5: not authorized), or under MQTT 5 its reason
    code (0x80 and up: 0x86 bad user name or password, 0x87 not authorized,
    0x9C use another server...); ``reason_code`` is the same value, by the
    name MQTT 5 gives it. MQTT 5: ``reason`` is the broker's reason string,
    ``server_reference`` another server it names (reported, not followed)."""

    code: int
    reason: Optional[str]
    server_reference: Optional[str]

    def __init__(
        self, message: str, code: int = 0, reason: Optional[str] = None, server_reference: Optional[str] = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.server_reference = server_reference



class ProtocolError(MqttError):
    """The server broke MQTT or WebSocket rules."""


class InvalidArgument(MqttError, builtins.ValueError):
    """An argument value is invalid (wildcard in a publish topic, QoS 3, an
    URL that is not ws:// or wss://...). Nothing was sent."""


class ClosedError(MqttError):
    """The connection is not open (never connected, disconnected, closed by
    the broker) or the client was closed."""


class Interrupted(MqttError):
    """``Client.interrupt()`` woke the call. The connection is unchanged."""


class AuthError(MqttError):
    """Credentials could not be built (PSK not base64, unreadable key...)."""


class ProxyError(MqttError):
    """The HTTP or SOCKS5 proxy refused or failed the tunnel; ``status`` is
    an HTTP proxy's status code."""

    status: Optional[int]

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status


class QueueFullError(MqttError):
    """The offline queue (``OfflineQueue(when_full="error")``) is full: the
    message was refused while disconnected, nothing was queued. Also raised
    by ``PublishHandle.wait()`` for a message that ``when_full="drop_oldest"``
    dropped."""


class RejectedError(_ReasonCode, MqttError):
    """MQTT 5: the broker refused a message (PUBACK or PUBREC with a reason
    code of 0x80 or more: 0x87 not authorized, 0x97 quota exceeded, 0x99
    payload format invalid...). ``code`` (also ``reason_code``) is the
    reason code, ``reason`` the broker's reason string. Raised by
    ``PublishHandle.wait()``, ``publish(..., wait=True)`` and
    ``AsyncClient.publish()``; ``poll()`` also reports a ``Rejected`` event.
    Not fatal: the connection stays open, and the message is done (it is
    not sent again)."""

    code: int
    reason: Optional[str]

    def __init__(self, message: str, code: int = 0, reason: Optional[str] = None) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason

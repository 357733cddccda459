"""mqttws: MQTT 3.1.1 over WebSocket (ws:// and wss://), on a native Rust engine.

Quick start::

    import mqttws

    with mqttws.Client("ws://127.0.0.1:8080/mqtt", client_id="sensor-17") as client:
        client.connect()
        client.subscribe("sensors/#", qos=1)
        client.publish("sensors/17/temp", "21.5", qos=1, wait=True)
        msg = client.recv(timeout=5)
        if msg is not None:
            print(msg.topic, msg.payload)

Every blocking call releases the GIL; ``recv()`` wakes for Ctrl-C within
50 ms; one client may be shared by several threads (say one publishing, one
receiving). Cloud platform signers are in :mod:`mqttws.auth`; exceptions in
:mod:`mqttws.exceptions` (also importable from here).
"""

from . import auth, exceptions
from ._mqttws import Client, Message, MessageIterator, PublishHandle, Will, __version__
from .exceptions import (
    AuthError,
    ClosedError,
    ConnectionRefused,
    HandshakeError,
    Interrupted,
    InvalidArgument,
    IoError,
    MqttError,
    ProtocolError,
    ProxyError,
    TimeoutError,
    TlsError,
)

__all__ = [
    "AuthError",
    "Client",
    "ClosedError",
    "ConnectionRefused",
    "HandshakeError",
    "Interrupted",
    "InvalidArgument",
    "IoError",
    "Message",
    "MessageIterator",
    "MqttError",
    "ProtocolError",
    "ProxyError",
    "PublishHandle",
    "TimeoutError",
    "TlsError",
    "Will",
    "__version__",
    "auth",
    "exceptions",
]

"""mqttws: MQTT 3.1.1 and 5.0 over WebSocket (ws:// and wss://), on a native Rust engine.

Quick start::

    import mqttws

    with mqttws.Client("ws://127.0.0.1:8080/mqtt", client_id="sensor-17") as client:
        client.connect()
        client.subscribe("sensors/#", qos=1)
        client.publish("sensors/17/temp", "21.5", qos=1, wait=True)
        msg = client.recv(timeout=5)
        if msg is not None:
            print(msg.topic, msg.payload)

Every blocking call releases the GIL and Ctrl-C interrupts it within
100 ms; one client may be shared by several threads (say one publishing, one
receiving). :class:`AsyncClient` is the client for asyncio (same arguments).
Cloud platform signers are in :mod:`mqttws.auth`; exceptions in
:mod:`mqttws.exceptions` (also importable from here); pytest fixtures
(``mqtt_broker``, ``mqtt_client``) in :mod:`mqttws.pytest_plugin`, loaded by
pytest by itself. Coming from paho-mqtt: ``on_message`` & co. with
``loop_start()`` / ``loop_forever()``, and :func:`topic_matches`.

Resilience (all opt-in for ``Client(url)``; ``reconnect`` is on by default
with a device preset, ``Client(credentials=TencentDevice(...))``)::

    client = mqttws.Client(
        url,
        reconnect=mqttws.ReconnectPolicy(min_delay=0.5, max_delay=30.0),  # or True
        offline_queue=mqttws.OfflineQueue(max_messages=1000, when_full="drop_oldest"),
        ws_ping=(20.0, 10.0),  # WebSocket PING every 20 s, PONG within 10 s
        store_dir="/var/lib/app/mqtt",  # unacknowledged QoS 1/2 survive a crash
    )
    client.connect()
    while True:
        event = client.poll(timeout=1.0)  # None after 1 s without one
        if isinstance(event, mqttws.Message):
            ...
        elif isinstance(event, mqttws.Reconnecting):
            print(f"reconnecting in {event.delay:.1f} s (attempt {event.attempt})")

MQTT 5 (``protocol_version=mqttws.MQTTv5``; 3.1.1 stays the default, and
MQTT 5-only arguments to a 3.1.1 client raise ``InvalidArgument``)::

    client = mqttws.Client(url, protocol_version=mqttws.MQTTv5, session_expiry=300)
    client.connect()
    print(client.client_id, client.connack_properties)  # an assigned id, the broker's limits
    client.subscribe("replies/#", qos=1, no_local=True, subscription_identifier=7)
    props = mqttws.PublishProperties(content_type="application/json", user_properties=[("unit", "C")])
    client.publish("sensors/1", b'{"t": 21.5}', qos=1, properties=props).wait()  # RejectedError if refused
    msg = client.recv(timeout=5)
    if msg is not None and msg.properties is not None:
        print(msg.properties.user_properties, msg.properties.subscription_identifiers)
"""

from typing import Union

from . import auth, exceptions
from ._client import Client
from ._mqttws import (
    MQTTv5,
    MQTTv311,
    ConnAckProperties,
    Connected,
    Disconnected,
    Downgraded,
    Dropped,
    Message,
    MessageIterator,
    OfflineQueue,
    Published,
    PublishHandle,
    PublishProperties,
    ReconnectPolicy,
    Reconnecting,
    Rejected,
    ServerDisconnected,
    StoreDamaged,
    SubscribeReply,
    Subscribed,
    Unsubscribed,
    Will,
    __version__,
    topic_matches,
)
from .aio import AsyncClient
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
    QueueFullError,
    RejectedError,
    TimeoutError,
    TlsError,
)

#: What ``Client.poll()`` returns (besides None on timeout), for annotations:
#: ``event: Optional[mqttws.Event] = client.poll(1.0)``.
Event = Union[
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

__all__ = [
    "MQTTv311",
    "MQTTv5",
    "AsyncClient",
    "AuthError",
    "Client",
    "ClosedError",
    "ConnAckProperties",
    "Connected",
    "ConnectionRefused",
    "Disconnected",
    "Downgraded",
    "Dropped",
    "Event",
    "HandshakeError",
    "Interrupted",
    "InvalidArgument",
    "IoError",
    "Message",
    "MessageIterator",
    "MqttError",
    "OfflineQueue",
    "ProtocolError",
    "ProxyError",
    "Published",
    "PublishHandle",
    "PublishProperties",
    "QueueFullError",
    "Rejected",
    "RejectedError",
    "ReconnectPolicy",
    "Reconnecting",
    "ServerDisconnected",
    "StoreDamaged",
    "SubscribeReply",
    "Subscribed",
    "TimeoutError",
    "TlsError",
    "Unsubscribed",
    "Will",
    "__version__",
    "auth",
    "exceptions",
    "topic_matches",
]

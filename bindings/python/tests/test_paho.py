"""The paho-mqtt habits: callbacks run by loop_start() / loop_forever(),
and topic_matches()."""

from __future__ import annotations

import threading
from typing import List, Tuple

import pytest

import mqttws
from helpers import Relay, new_id, wait_until


def test_callbacks_on_the_loop_thread(broker, topic):
    events: List[Tuple[str, object]] = []
    threads = set()
    client = mqttws.Client(broker.ws_url, client_id=new_id())

    def on_connect(c: mqttws.Client, session_present: bool) -> None:
        threads.add(threading.current_thread().name)
        events.append(("connect", session_present))
        c.subscribe(topic, qos=1)  # blocking calls work from a callback
        c.publish(topic, b"hello", qos=1)

    def on_message(c: mqttws.Client, message: mqttws.Message) -> None:
        threads.add(threading.current_thread().name)
        events.append(("message", message.payload))
        c.disconnect()

    def on_disconnect(c: mqttws.Client, reason: str) -> None:
        events.append(("disconnect", reason))

    client.on_connect, client.on_message, client.on_disconnect = on_connect, on_message, on_disconnect
    client.loop_start()
    client.connect()
    assert wait_until(lambda: len(events) == 3, timeout=10), events
    client.loop_stop()
    assert events == [("connect", False), ("message", b"hello"), ("disconnect", "disconnect() called")]
    assert threads == {"mqttws-loop"}
    client.close()


def test_loop_forever_returns_after_disconnect_and_reports_reconnects(broker, topic):
    with Relay(broker.ws_port) as relay:
        policy = mqttws.ReconnectPolicy(min_delay=0.05, max_delay=0.1)
        client = mqttws.Client(relay.url(), client_id=new_id(), reconnect=policy)
        seen: List[str] = []

        def on_connect(c: mqttws.Client, session_present: bool) -> None:
            seen.append("connect")
            if seen.count("connect") == 1:
                c.subscribe(topic)
                relay.cut()
            else:
                c.publish(topic, b"again")

        def on_message(c: mqttws.Client, message: mqttws.Message) -> None:
            seen.append(message.payload.decode())
            c.disconnect()

        client.on_connect = on_connect
        client.on_message = on_message
        client.on_disconnect = lambda c, reason: seen.append("disconnect")
        client.connect()
        client.loop_forever()
        # The drop, the automatic reconnect (subscription restored), the app's disconnect.
        assert seen == ["connect", "disconnect", "connect", "again", "disconnect"]
        client.close()


def test_loop_forever_raises_a_callback_error(connect, topic):
    c = connect()
    c.subscribe(topic)
    c.publish(topic, b"x")

    def boom(client: mqttws.Client, message: mqttws.Message) -> None:
        raise ValueError("from the callback")

    c.on_message = boom
    with pytest.raises(ValueError, match="from the callback"):
        c.loop_forever()


@pytest.mark.parametrize(
    "filter, topic, expected",
    [
        ("a/+/c", "a/b/c", True),
        ("a/#", "a", True),
        ("a/#", "a/b/c", True),
        ("+/b", "a/b/c", False),
        ("#", "$SYS/x", False),
        ("$SYS/#", "$SYS/x", True),
        ("a/#/c", "a/b/c", False),  # invalid filter
    ],
)
def test_topic_matches(filter, topic, expected):
    assert mqttws.topic_matches(filter, topic) is expected

"""Every public call of the package, for `mypy --strict` (tests/test_typing.py).
Not run: only type-checked."""

from __future__ import annotations

import asyncio
from typing import List, Optional

import pytest

import mqttws
from mqttws.pytest_plugin import MosquittoBroker


def blocking(url: str) -> List[bytes]:
    out: List[bytes] = []
    c = mqttws.Client(url, client_id="x", keepalive=30, reconnect=None, will=("w", b"bye", 1, False))
    present: bool = c.connect()
    one: Optional[int] = c.subscribe("a/#", qos=1)
    many: List[Optional[int]] = c.subscribe([("a/#", 0), "b"])
    tup: List[Optional[int]] = c.subscribe(("a", "b"), qos=2)
    c.unsubscribe(["a", "b"])
    c.unsubscribe(("a",))
    h: mqttws.PublishHandle = c.publish("a/b", b"x", qos=1, retain=False, wait=False)
    pid: Optional[int] = h.packet_id
    done: bool = h.done
    h.wait(1.0)
    m: Optional[mqttws.Message] = c.recv(timeout=1)
    if m is not None:
        out.append(m.payload)
    ev: Optional[mqttws.Event] = c.poll(0.1)
    for msg in c.messages(timeout=0.1):
        out.append(msg.payload)
    c.interrupt()
    cid: str = c.client_id
    flags: List[bool] = [c.is_connected, c.closed, present, done]
    n: int = c.inflight

    def on_connect(client: mqttws.Client, session_present: bool) -> None:
        client.subscribe("x")

    def on_message(client: mqttws.Client, message: mqttws.Message) -> None:
        out.append(message.payload)

    def on_disconnect(client: mqttws.Client, reason: str) -> None:
        print(reason)

    c.on_connect = on_connect
    c.on_message = on_message
    c.on_disconnect = on_disconnect
    c.loop_start()
    c.loop_stop()
    c.loop_forever()
    c.disconnect()
    c.close()
    matched: bool = mqttws.topic_matches("a/+", "a/b")
    print(one, many, tup, pid, ev, cid, flags, n, matched)
    return out


async def asynchronous(url: str) -> List[bytes]:
    out: List[bytes] = []
    async with mqttws.AsyncClient(url, client_id="y", reconnect=mqttws.ReconnectPolicy()) as c:
        one: Optional[int] = await c.subscribe("a/#", qos=1)
        many: List[Optional[int]] = await c.subscribe([("a/#", 0), "b"])
        await c.unsubscribe("a/#")
        await c.publish("a/b", "text", qos=1)
        m: Optional[mqttws.Message] = await c.recv(timeout=1.0)
        if m is not None:
            out.append(m.payload)
        ev: Optional[mqttws.Event] = await c.poll(0.5)
        async for msg in c.messages(timeout=1):
            out.append(msg.payload)
        connected: bool = c.is_connected
        cid: str = c.client_id
        print(one, many, ev, connected, cid)
    a = mqttws.AsyncClient(url)
    present: bool = await a.connect()
    await a.disconnect()
    await a.close()
    print(present)
    return out


def rig(mqtt_client: mqttws.Client, mqtt_broker: MosquittoBroker) -> None:
    extra: mqttws.Client = mqtt_broker.client(tls=True, keepalive=10)
    urls: List[str] = [mqtt_broker.ws_url, mqtt_broker.wss_url, mqtt_broker.ca_file, mqtt_broker.log]
    with MosquittoBroker() as b:
        print(b.tcp_port, urls, extra)
    mqtt_client.publish("x")
    asyncio.run(asynchronous(mqtt_broker.ws_url))
    with pytest.raises(mqttws.ClosedError):
        blocking(mqtt_broker.ws_url)

"""Every public call of the package, for `mypy --strict` (tests/test_typing.py).
Not run: only type-checked."""

from __future__ import annotations

import asyncio
from typing import List, Optional, Tuple

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
    with c.corked() as same:
        same.publish("a/b", b"batched")
    c.cork()
    c.flush()
    c.uncork()
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


def mqtt5(url: str) -> List[bytes]:
    out: List[bytes] = []
    props = mqttws.PublishProperties(
        payload_format_utf8=True,
        message_expiry=60,
        content_type="text/plain",
        response_topic="r",
        correlation_data=b"id",
        user_properties=[("k", "v"), ("k", "w")],
    )
    will = mqttws.Will("w", b"bye", 1, properties=props, delay=5)
    c = mqttws.Client(
        url,
        protocol_version=mqttws.MQTTv5,
        will=will,
        session_expiry=300,
        receive_maximum=10,
        topic_alias_maximum=5,
        request_response_information=True,
        request_problem_information=False,
        user_properties={"token": "t"},
    )
    c.connect()
    version: int = c.protocol_version
    connack: Optional[mqttws.ConnAckProperties] = c.connack_properties
    if connack is not None:
        assigned: Optional[str] = connack.assigned_client_identifier
        limits: List[Optional[int]] = [connack.receive_maximum, connack.maximum_qos, connack.server_keep_alive]
        print(assigned, limits, connack.reason, connack.server_reference, connack.user_properties)
    one: Optional[int] = c.subscribe("a", 1, no_local=True, retain_as_published=True, retain_handling=2)
    many: List[Optional[int]] = c.subscribe([("a", 1)], subscription_identifier=7, user_properties=[("k", "v")])
    reply: mqttws.SubscribeReply = c.subscribe_reply(["a", "b"], qos=1, retain_handling=1)
    codes: List[int] = reply.reason_codes + c.unsubscribe("a", user_properties=[("k", "v")])
    c.publish("a", b"x", qos=1, properties=props, wait=True)
    m = c.recv(timeout=1)
    if m is not None and m.properties is not None:
        p = m.properties
        ids: List[int] = p.subscription_identifiers
        pairs: List[Tuple[str, str]] = p.user_properties
        data: Optional[bytes] = p.correlation_data
        print(ids, pairs, data, p.message_expiry, p.payload_format_utf8, p.content_type, p.response_topic)
    ev = c.poll(0.1)
    if isinstance(ev, mqttws.Rejected):
        print(ev.packet_id, ev.reason_code, ev.reason)
    elif isinstance(ev, mqttws.ServerDisconnected):
        print(ev.reason_code, ev.reason, ev.server_reference)
    elif isinstance(ev, mqttws.Downgraded):
        print(ev.packet_id, ev.granted)
    elif isinstance(ev, mqttws.Connected) and ev.properties is not None:
        print(ev.properties.assigned_client_identifier)
    elif isinstance(ev, (mqttws.Subscribed, mqttws.Unsubscribed)):
        print(ev.reason_codes)
    try:
        c.publish("$SYS/x", b"x", qos=1).wait()
    except mqttws.RejectedError as e:
        print(e.code, e.reason_code, e.reason)
    except mqttws.ConnectionRefused as e:
        print(e.code, e.reason_code, e.reason, e.server_reference)
    print(version, one, many, codes, will.properties, will.delay)
    return out


async def asynchronous_mqtt5(url: str) -> None:
    async with mqttws.AsyncClient(url, protocol_version=mqttws.MQTTv5, session_expiry=60) as c:
        props: Optional[mqttws.ConnAckProperties] = c.connack_properties
        one: Optional[int] = await c.subscribe("a", 1, no_local=True, subscription_identifier=3)
        many: List[Optional[int]] = await c.subscribe(["a", "b"], retain_handling=2)
        reply: mqttws.SubscribeReply = await c.subscribe_reply("a", 1, user_properties=[("k", "v")])
        await c.publish("a", b"x", qos=1, properties=mqttws.PublishProperties(content_type="x"))
        codes: List[int] = await c.unsubscribe(["a"], user_properties=[("k", "v")])
        print(props, one, many, reply.granted, codes, c.protocol_version)


def rig(mqtt_client: mqttws.Client, mqtt_broker: MosquittoBroker) -> None:
    extra: mqttws.Client = mqtt_broker.client(tls=True, keepalive=10)
    urls: List[str] = [mqtt_broker.ws_url, mqtt_broker.wss_url, mqtt_broker.ca_file, mqtt_broker.log]
    with MosquittoBroker() as b:
        print(b.tcp_port, urls, extra)
    mqtt_client.publish("x")
    asyncio.run(asynchronous(mqtt_broker.ws_url))
    with pytest.raises(mqttws.ClosedError):
        blocking(mqtt_broker.ws_url)

"""MQTT 5 through the Python package, against a real mosquitto (2.0 speaks
5.0 on the same listeners) over ws and wss: publish properties both ways,
subscription options and identifiers, reason codes, the assigned client id,
CONNACK properties, the broker's receive maximum, and 3.1.1 clients refusing
MQTT 5 arguments before anything is sent.

Where mosquitto cannot show a behaviour (what CONNECT carries, a redirecting
CONNACK, a server DISCONNECT, a refused filter in SUBACK, a QoS 2 message
taken at QoS 1), a scripted server speaks just enough MQTT 5."""

from __future__ import annotations

import asyncio
import struct
import time
from typing import List

import pytest

import mqttws
from helpers import (
    Relay,
    ScriptedServer,
    V5Script,
    connack_v5,
    disconnect_v5,
    mqtt_packet,
    new_id,
    parse_v5_connect,
    send_frame,
    suback_v5,
    v5_properties,
    wait_until,
)

V5 = {"protocol_version": mqttws.MQTTv5}

USER_PROPERTIES = [("unit", "C"), ("unit", "K"), ("é", "ü"), ("empty", "")]
EVERY_PROPERTY = mqttws.PublishProperties(
    payload_format_utf8=True,
    message_expiry=300,
    content_type="application/json",
    response_topic="replies/1",
    correlation_data=b"\x00req-1\xff",
    user_properties=USER_PROPERTIES,
)


def first_payload(client: mqttws.Client) -> bytes:
    msg = client.recv(timeout=5)
    assert msg is not None, "no message within 5 s"
    return msg.payload


# ------------------------------------------------------------ properties


@pytest.mark.parametrize("transport", ["ws_url", "wss_url"])
@pytest.mark.parametrize("qos", [0, 1, 2])
def test_every_publish_property_round_trips(broker, connect, topic, transport, qos):
    url = getattr(broker, transport)
    sub = connect(url, **V5)
    pub = connect(url, **V5)
    assert sub.subscribe(topic, qos=2) == 2
    pub.publish(topic, '{"t": 21}', qos=qos, properties=EVERY_PROPERTY, wait=True)
    msg = sub.recv(timeout=5)
    assert msg is not None and (msg.topic, msg.payload, msg.qos) == (topic, b'{"t": 21}', qos)
    got = msg.properties
    assert got is not None
    # Ordered, with the repeated name and the empty value kept.
    assert got.user_properties == USER_PROPERTIES
    assert got.payload_format_utf8 is True
    assert (got.content_type, got.response_topic) == ("application/json", "replies/1")
    assert got.correlation_data == b"\x00req-1\xff"
    # The broker forwards what is left of the expiry.
    assert got.message_expiry is not None and 290 <= got.message_expiry <= 300
    assert got.subscription_identifiers == []
    expected = mqttws.PublishProperties(
        payload_format_utf8=True,
        message_expiry=got.message_expiry,
        content_type="application/json",
        response_topic="replies/1",
        correlation_data=b"\x00req-1\xff",
        user_properties=USER_PROPERTIES,
    )
    assert got == expected


def test_properties_are_none_without_any_and_for_a_311_subscriber(connect, topic):
    sub5 = connect(**V5)
    sub311 = connect()
    pub = connect(**V5)
    for c in (sub5, sub311):
        c.subscribe(topic, qos=1)
    pub.publish(topic, b"plain", qos=1, wait=True)
    only_format = mqttws.PublishProperties(payload_format_utf8=False)
    pub.publish(topic, b"\xff bytes", qos=1, properties=only_format, wait=True)
    plain, formatted = sub5.recv(timeout=5), sub5.recv(timeout=5)
    assert plain is not None and plain.properties is None
    # False is sent explicitly, and arrives as False (not None).
    assert formatted is not None and formatted.properties == only_format
    old = [sub311.recv(timeout=5), sub311.recv(timeout=5)]
    assert [(m.payload, m.properties) for m in old if m] == [(b"plain", None), (b"\xff bytes", None)]


def test_properties_are_immutable_values_with_a_repr_that_builds_them():
    p = mqttws.PublishProperties(content_type="text/plain", user_properties={"a": "1"}, correlation_data="id-1")
    assert repr(p) == "PublishProperties(content_type='text/plain', correlation_data=b'id-1', user_properties=[('a', '1')])"
    assert eval(repr(p), {"PublishProperties": mqttws.PublishProperties}) == p
    assert p != mqttws.PublishProperties(content_type="text/plain")
    assert repr(mqttws.PublishProperties()) == "PublishProperties()"
    with pytest.raises(AttributeError):
        p.content_type = "x"  # type: ignore[misc]
    p.user_properties.append(("b", "2"))  # a copy: p is unchanged
    assert p.user_properties == [("a", "1")]
    big = mqttws.PublishProperties(correlation_data=bytes(100))
    assert repr(big) == "PublishProperties(correlation_data=<100 bytes>)"
    for bad in ({"message_expiry": -1}, {"message_expiry": 2**32}):
        with pytest.raises(mqttws.InvalidArgument, match="message_expiry"):
            mqttws.PublishProperties(**bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="user_properties"):
        mqttws.PublishProperties(user_properties=[("only a name",)])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="properties must be a mqttws.PublishProperties"):
        mqttws.Client("ws://127.0.0.1:1/mqtt", **V5).publish("t", properties={"content_type": "x"})  # type: ignore[arg-type]


def test_a_will_carries_its_properties(broker, connect, topic):
    watcher = connect(**V5)
    watcher.subscribe(topic, qos=1)
    will = mqttws.Will(topic, b"gone", 1, properties=mqttws.PublishProperties(content_type="text/plain"), delay=0)
    assert will.delay == 0 and will.properties == mqttws.PublishProperties(content_type="text/plain")
    assert repr(will) == (
        f"Will(topic={topic!r}, payload=<4 bytes>, qos=1, retain=False, "
        "properties=PublishProperties(content_type='text/plain'), delay=0)"
    )
    doomed = mqttws.Client(broker.ws_url, client_id=new_id("doomed"), will=will, **V5)
    doomed.connect()
    del doomed  # no DISCONNECT: the broker publishes the will
    msg = watcher.recv(timeout=10)
    assert msg is not None and msg.payload == b"gone"
    assert msg.properties is not None and msg.properties.content_type == "text/plain"


# -------------------------------------------------------- subscriptions


def test_no_local_keeps_a_clients_own_messages_away(connect, topic):
    c = connect(**V5)
    other = connect(**V5)
    assert c.subscribe(topic, qos=1, no_local=True) == 1
    assert c.subscribe(f"{topic}/echo", qos=1) == 1  # the control: echoed
    c.publish(topic, b"mine", qos=1, wait=True)
    other.publish(topic, b"theirs", qos=1, wait=True)
    assert first_payload(c) == b"theirs"
    c.publish(f"{topic}/echo", b"mine, echoed", qos=1, wait=True)
    assert first_payload(c) == b"mine, echoed"


def test_retain_handling_and_retain_as_published(connect, topic):
    pub = connect(**V5)
    c = connect(**V5)
    marker = f"{topic}/marker"
    c.subscribe(marker, qos=1)
    pub.publish(topic, b"kept", qos=1, retain=True, wait=True)
    try:
        # 2: never send retained messages.
        c.subscribe(topic, qos=1, retain_handling=2)
        pub.publish(marker, b"after 2", qos=1, wait=True)
        assert first_payload(c) == b"after 2"
        c.unsubscribe(topic)
        # 1: only for a new subscription.
        c.subscribe(topic, qos=1, retain_handling=1)
        assert first_payload(c) == b"kept"
        c.subscribe(topic, qos=1, retain_handling=1)
        pub.publish(marker, b"after 1 again", qos=1, wait=True)
        assert first_payload(c) == b"after 1 again"
        # 0: at every subscribe.
        c.subscribe(topic, qos=1, retain_handling=0)
        assert first_payload(c) == b"kept"
        # A live retained message keeps its flag only with retain_as_published.
        # (mosquitto 2.0.11 keeps a subscription's first options when it is
        # made again: each case starts afresh.)
        c.unsubscribe(topic)
        c.subscribe(topic, qos=1, retain_handling=2, retain_as_published=True)
        pub.publish(topic, b"live", qos=1, retain=True, wait=True)
        msg = c.recv(timeout=5)
        assert msg is not None and (msg.payload, msg.retain) == (b"live", True)
        c.unsubscribe(topic)
        c.subscribe(topic, qos=1, retain_handling=2)
        pub.publish(topic, b"live again", qos=1, retain=True, wait=True)
        msg = c.recv(timeout=5)
        assert msg is not None and (msg.payload, msg.retain) == (b"live again", False)
    finally:
        pub.publish(topic, b"", qos=1, retain=True, wait=True)  # clears it
    with pytest.raises(mqttws.InvalidArgument, match="retain_handling"):
        c.subscribe(topic, qos=1, retain_handling=3)


def test_subscription_identifiers_mark_the_messages_they_deliver(connect, topic):
    c = connect(**V5)
    pub = connect(**V5)
    c.subscribe(f"{topic}/a", qos=1, subscription_identifier=77)
    c.subscribe([(f"{topic}/b", 1), f"{topic}/c"], subscription_identifier=268_435_455)
    c.subscribe(f"{topic}/d", qos=1)
    for leaf in "abcd":
        pub.publish(f"{topic}/{leaf}", leaf, qos=1, wait=True)
    got = [c.recv(timeout=5) for _ in "abcd"]
    ids = [m.properties.subscription_identifiers if m and m.properties else None for m in got]
    assert ids == [[77], [268_435_455], [268_435_455], None]
    for bad in (0, 268_435_456, -1):
        with pytest.raises(mqttws.InvalidArgument, match="subscription.identifier"):
            c.subscribe(topic, subscription_identifier=bad)


def test_subscribe_and_unsubscribe_reason_codes(connect, topic):
    c = connect(**V5)
    reply = c.subscribe_reply([(f"{topic}/a", 1), (f"{topic}/b", 2)], user_properties=[("why", "test")])
    assert reply == mqttws.SubscribeReply([1, 2], [1, 2])
    assert (reply.granted, reply.reason_codes) == ([1, 2], [1, 2])
    assert repr(reply) == "SubscribeReply(granted=[1, 2], reason_codes=[1, 2])"
    assert c.subscribe_reply(f"{topic}/c", qos=0) == mqttws.SubscribeReply([0], [0])
    # 0x11: no subscription existed.
    assert c.unsubscribe([f"{topic}/a", f"{topic}/never"], user_properties={"why": "done"}) == [0x00, 0x11]
    assert c.unsubscribe(f"{topic}/b") == [0x00]
    old = connect()
    assert old.subscribe_reply(topic, qos=2) == mqttws.SubscribeReply([2], [2])
    assert old.unsubscribe(topic) == []  # a 3.1.1 UNSUBACK has no reason codes


def test_a_filter_the_broker_refuses_shows_its_reason_code():
    def on_packet(conn, first, body):
        if first == 0x82:  # SUBSCRIBE: the second filter is not authorized
            send_frame(conn, 2, suback_v5(body, [0x01, 0x87]))

    with ScriptedServer(V5Script(on_packet=on_packet)) as server:
        with mqttws.Client(server.url, client_id="x", **V5) as c:
            c.connect()
            assert c.subscribe([("a", 1), ("b", 1)]) == [1, None]
            assert c.subscribe_reply([("a", 1), ("b", 1)]) == mqttws.SubscribeReply([1, None], [0x01, 0x87])
            c.disconnect()
        assert not server.errors


# ------------------------------------------------------------- expiry


def test_a_retained_message_expires(broker, connect, topic):
    live = connect(**V5)
    live.subscribe(topic, qos=1)
    pub = connect(**V5)
    kept = f"{topic}/kept"
    # Two retained messages alike but for their expiry: 1 s, and an hour.
    pub.publish(topic, b"short-lived", qos=1, retain=True, properties=mqttws.PublishProperties(message_expiry=1))
    pub.publish(kept, b"kept", qos=1, retain=True, properties=mqttws.PublishProperties(message_expiry=3600), wait=True)
    try:
        msg = live.recv(timeout=5)  # the property reached the broker
        assert msg is not None and msg.payload == b"short-lived"
        assert msg.properties is not None and msg.properties.message_expiry in (0, 1)

        def a_new_subscriber_gets_only_the_kept_one() -> bool:
            with mqttws.Client(broker.ws_url, client_id=new_id(), **V5) as late:
                late.connect()
                late.subscribe([topic, kept, f"{topic}/marker"], qos=1)
                late.publish(f"{topic}/marker", b"marker", qos=1, wait=True)
                # Retained messages come before the marker.
                got = [late.recv(timeout=5)]
                while got[-1] is not None and got[-1].payload != b"marker":
                    got.append(late.recv(timeout=5))
                retained = [m for m in got if m is not None and m.retain]
                assert [m.payload for m in retained][-1:] == [b"kept"], got
                assert retained[-1].properties is not None
                assert 0 < (retained[-1].properties.message_expiry or 0) <= 3600
                return len(retained) == 1

        assert wait_until(a_new_subscriber_gets_only_the_kept_one, timeout=10, step=0.2)
    finally:
        for t in (topic, kept):
            pub.publish(t, b"", qos=1, retain=True, wait=True)


# ------------------------------------------------------------- refusals


def test_a_refused_publish_raises_rejected_error_and_is_reported(connect, topic):
    c = connect(**V5)
    # mosquitto refuses client writes to $SYS: 0x87 not authorized.
    h = c.publish("$SYS/mqttws-test", b"x", qos=1)
    with pytest.raises(mqttws.RejectedError) as e:
        h.wait(5)
    assert e.value.code == e.value.reason_code == 0x87
    assert "not authorized" in str(e.value)
    assert c.is_connected and c.inflight == 0  # done, not sent again
    with pytest.raises(mqttws.RejectedError) as e2:
        c.publish("$SYS/mqttws-test", b"x", qos=2, wait=True)  # refused in PUBREC
    assert e2.value.reason_code == 0x87
    # Each refusal is reported once: the waits above took theirs, and the
    # refusal of a publish nobody waits for comes out of poll().
    unwaited = c.publish("$SYS/mqttws-test", b"y", qos=1)
    ev = c.poll(timeout=5)
    assert ev == mqttws.Rejected(unwaited.packet_id or 0, 0x87, None), ev
    c.subscribe(topic, qos=1)
    c.publish(topic, b"still fine", qos=1, wait=True)
    assert first_payload(c) == b"still fine"


def test_a_refused_connect_has_its_reason_code(broker):
    password = "not-the-right-one"
    c = mqttws.Client(broker.ws_auth_url, client_id=new_id(), username="alice", password=password, **V5)
    with pytest.raises(mqttws.ConnectionRefused) as e:
        c.connect()
    assert e.value.reason_code == e.value.code == 0x87  # mosquitto: not authorized
    assert e.value.server_reference is None
    assert password not in str(e.value) and not c.is_connected


def test_a_refused_connect_names_another_server_and_is_not_followed():
    props = v5_properties(reason_string="moved for maintenance", server_reference="other.example:8084")
    with ScriptedServer(V5Script(connack_v5(0x9C, props))) as server:  # 0x9C: use another server
        c = mqttws.Client(server.url, client_id="x", user_properties=[("token", "s3cr3t-token")], **V5)
        with pytest.raises(mqttws.ConnectionRefused) as e:
            c.connect()
        assert (e.value.reason_code, e.value.reason, e.value.server_reference) == (
            0x9C,
            "moved for maintenance",
            "other.example:8084",
        )
        assert "s3cr3t-token" not in str(e.value) and "s3cr3t-token" not in repr(c)
        assert len(server.conns) == 1  # not followed
        assert not server.errors


def test_a_server_disconnect_is_an_event_with_its_reason():
    props = v5_properties(reason_string="going down", server_reference="backup.example")
    script = V5Script(connack_v5(), disconnect_v5(0x8B, props))  # 0x8B: server shutting down
    with ScriptedServer(script) as server:
        with mqttws.Client(server.url, client_id="x", **V5) as c:
            c.connect()
            ev = c.poll(timeout=5)
            assert ev == mqttws.ServerDisconnected(0x8B, "going down", "backup.example")
            assert repr(ev) == "ServerDisconnected(reason_code=139, reason='going down', server_reference='backup.example')"
            with pytest.raises(mqttws.MqttError):
                c.poll(timeout=5)  # then the connection ends
            assert not c.is_connected
        assert not server.errors


def test_a_qos2_message_taken_at_qos1_is_reported_as_downgraded():
    def on_packet(conn, first, body):
        if first >> 4 == 3:  # PUBLISH: answer with PUBACK, as a broker without QoS 2 does
            (n,) = struct.unpack(">H", body[:2])
            send_frame(conn, 2, mqtt_packet(0x40, body[2 + n : 4 + n]))

    with ScriptedServer(V5Script(on_packet=on_packet)) as server:
        with mqttws.Client(server.url, client_id="x", **V5) as c:
            c.connect()
            h = c.publish("t", b"x", qos=2)
            assert h.packet_id is not None
            assert c.poll(timeout=5) == mqttws.Downgraded(h.packet_id, 1)
            assert c.poll(timeout=5) == mqttws.Published(h.packet_id)
            c.disconnect()
        assert not server.errors


# ------------------------------------------------- CONNECT and CONNACK


def test_connect_properties_reach_the_wire_and_connack_properties_come_back():
    props = v5_properties(
        assigned_client_identifier="srv-assigned-1",
        reason_string="welcome",
        user_properties=[("region", "eu"), ("region", "us")],
    )
    script = V5Script(connack_v5(0, props))
    with ScriptedServer(script) as server:
        c = mqttws.Client(
            server.url,
            max_packet_size=4096,
            session_expiry=600,
            receive_maximum=7,
            topic_alias_maximum=3,
            request_response_information=True,
            request_problem_information=False,
            user_properties=[("token", "s3cr3t-token"), ("token", "again")],
            **V5,
        )
        assert (c.client_id, c.connack_properties, c.protocol_version) == ("", None, 5)
        c.connect()
        c.close()
        assert not server.errors
    seen = parse_v5_connect(script.connects[0])
    assert seen["level"] == 5 and seen["client_id"] == ""
    assert seen["properties"] == {
        "session_expiry": 600,
        "receive_maximum": 7,
        # max_packet_size bounds the remaining length; MQTT 5's maximum
        # packet size counts the fixed header too (at most 5 bytes).
        "maximum_packet_size": 4096 + 5,
        "topic_alias_maximum": 3,
        "request_response_information": 1,
        "request_problem_information": 0,
        "user_properties": [("token", "s3cr3t-token"), ("token", "again")],
    }
    connack = c.connack_properties
    assert connack is not None
    assert c.client_id == connack.assigned_client_identifier == "srv-assigned-1"
    assert (connack.reason, connack.user_properties) == ("welcome", [("region", "eu"), ("region", "us")])
    assert connack.receive_maximum is None and connack.server_reference is None
    assert repr(connack) == (
        "ConnAckProperties(assigned_client_identifier='srv-assigned-1', reason='welcome', "
        "user_properties=[('region', 'eu'), ('region', 'us')])"
    )
    # The CONNECT's user properties may hold tokens: nothing shows them.
    assert "s3cr3t-token" not in repr(c)


@pytest.mark.parametrize("transport", ["ws_url", "wss_url"])
def test_an_empty_client_id_is_assigned_by_the_broker(broker, transport):
    url = getattr(broker, transport)
    with mqttws.Client(url, ca_file=broker.ca_pem_path, **V5) as c:
        assert c.client_id == "" and c.connack_properties is None
        c.connect()
        props = c.connack_properties
        assert props is not None and props.assigned_client_identifier
        assert c.client_id == props.assigned_client_identifier
        assert f"client_id={c.client_id!r}" in repr(c)
        # mosquitto 2.0's limits: receive maximum 20, 10 topic aliases.
        assert (props.receive_maximum, props.topic_alias_maximum) == (20, 10)
    with mqttws.Client(url, ca_file=broker.ca_pem_path) as old:
        old.connect()
        assert old.client_id == "" and old.connack_properties is None  # 3.1.1: not told


def test_an_automatic_reconnect_notes_the_new_connack(broker):
    policy = mqttws.ReconnectPolicy(min_delay=0.05, max_delay=0.2)
    with Relay(broker.ws_port) as relay:
        with mqttws.Client(relay.url(), reconnect=policy, **V5) as c:
            c.connect()
            first = c.client_id
            assert first.startswith("auto-")
            relay.cut()
            # poll(): the Connected event shows the new CONNACK.
            deadline = time.monotonic() + 10
            ev = None
            while not isinstance(ev, mqttws.Connected) and time.monotonic() < deadline:
                ev = c.poll(timeout=1)
            assert isinstance(ev, mqttws.Connected) and ev.properties is not None
            assert ev.properties.assigned_client_identifier == c.client_id != first
            assert c.connack_properties == ev.properties
            # recv() skips the event, but notes it too.
            second = c.client_id
            relay.cut()
            assert wait_until(lambda: c.recv(timeout=0.1) is None and c.client_id != second, timeout=10)


def test_the_brokers_receive_maximum_caps_the_inflight_window(connect, topic):
    sub = connect(receive_maximum=5, **V5)
    pub = connect(inflight_window=200, **V5)
    props = pub.connack_properties
    assert props is not None and props.receive_maximum == 20
    sub.subscribe(topic, qos=2)
    # Beyond its receive maximum mosquitto refuses QoS 2 messages with 0x97
    # (quota exceeded): every one is accepted only if the client kept to 20.
    handles = [pub.publish(topic, b"%d" % i, qos=2) for i in range(100)]
    for h in handles:
        h.wait(10)
    got = [sub.recv(timeout=5) for _ in range(100)]
    assert [m.payload for m in got if m] == [b"%d" % i for i in range(100)]


# ------------------------------------------------------------ 3.1.1 clients


@pytest.mark.parametrize(
    "v5_only",
    [
        {"session_expiry": 60},
        {"receive_maximum": 10},
        {"topic_alias_maximum": 5},
        {"request_response_information": True},
        {"request_problem_information": False},
        {"user_properties": [("k", "v")]},
        {"will": mqttws.Will("w", properties=mqttws.PublishProperties(content_type="x"))},
        {"will": mqttws.Will("w", delay=5)},
    ],
)
def test_a_311_client_refuses_v5_arguments_when_made(broker, v5_only):
    with pytest.raises(mqttws.InvalidArgument, match="MQTT 5 only") as e:
        mqttws.Client(broker.ws_url, client_id="x", **v5_only)
    assert "protocol_version" in str(e.value)
    with pytest.raises(mqttws.InvalidArgument, match="MQTT 5 only"):
        mqttws.AsyncClient(broker.ws_url, client_id="x", **v5_only)
    mqttws.Client(broker.ws_url, client_id="x", protocol_version=mqttws.MQTTv5, **v5_only).close()


@pytest.mark.parametrize("version", [0, 3, 6, -4])
def test_only_the_two_protocol_versions(broker, version):
    with pytest.raises(mqttws.InvalidArgument, match="protocol_version must be 4"):
        mqttws.Client(broker.ws_url, protocol_version=version)
    assert (mqttws.MQTTv311, mqttws.MQTTv5) == (4, 5)
    assert mqttws.Client(broker.ws_url).protocol_version == mqttws.MQTTv311


def test_a_311_client_sends_nothing_for_calls_with_v5_arguments(connect, topic):
    old = connect()
    watcher = connect()
    watcher.subscribe(topic, qos=1)
    old.subscribe(f"{topic}/marker", qos=1)
    props = mqttws.PublishProperties(content_type="text/plain")
    with pytest.raises(mqttws.InvalidArgument, match="MQTT 5"):
        old.publish(topic, b"refused", qos=1, properties=props)
    for options in (
        {"no_local": True},
        {"retain_as_published": True},
        {"retain_handling": 1},
        {"subscription_identifier": 1},
        {"user_properties": [("k", "v")]},
    ):
        with pytest.raises(mqttws.InvalidArgument, match="MQTT 5"):
            old.subscribe(f"{topic}/refused", qos=1, **options)  # type: ignore[call-overload]
    with pytest.raises(mqttws.InvalidArgument, match="MQTT 5"):
        old.unsubscribe(f"{topic}/marker", user_properties=[("k", "v")])
    assert old.is_connected
    # Nothing reached the broker: the refused publish never arrives, the
    # refused subscription does not exist, the marker one still does.
    old.publish(topic, b"first", qos=1, wait=True)
    assert first_payload(watcher) == b"first"
    watcher.publish(f"{topic}/refused", b"to nobody", qos=1, wait=True)
    watcher.publish(f"{topic}/marker", b"marker", qos=1, wait=True)
    assert first_payload(old) == b"marker"
    # An empty PublishProperties is no properties: fine under 3.1.1.
    old.publish(topic, b"empty", qos=1, properties=mqttws.PublishProperties(), wait=True)
    assert first_payload(watcher) == b"empty"


# ------------------------------------------------------------ AsyncClient


def test_the_async_client_speaks_mqtt5(broker, topic):
    async def main() -> List[object]:
        async with mqttws.AsyncClient(broker.ws_url, session_expiry=0, **V5) as c:
            assert c.protocol_version == 5 and c.client_id.startswith("auto-")
            props = c.connack_properties
            assert props is not None and props.assigned_client_identifier == c.client_id
            reply = await c.subscribe_reply(topic, qos=1, subscription_identifier=9)
            assert reply == mqttws.SubscribeReply([1], [1])
            assert await c.subscribe(f"{topic}/own", qos=1, no_local=True) == 1
            await c.publish(f"{topic}/own", b"not echoed", qos=1)
            await c.publish(topic, b"x", qos=1, properties=EVERY_PROPERTY)
            msg = await c.recv(timeout=5)
            assert msg is not None and msg.payload == b"x" and msg.properties is not None
            assert msg.properties.subscription_identifiers == [9]
            assert msg.properties.user_properties == USER_PROPERTIES
            with pytest.raises(mqttws.RejectedError) as e:
                await c.publish("$SYS/mqttws-test", b"x", qos=1)
            assert e.value.reason_code == 0x87
            # The refusal raised in publish(): poll() does not repeat it.
            assert await c.poll(timeout=0.3) is None
            return await c.unsubscribe([topic, f"{topic}/never"])

    assert asyncio.run(main()) == [0x00, 0x11]


def test_every_refused_async_publish_raises(broker, topic):
    # The reader and the writer both settle publishes: each refusal must
    # reach its own publish, however they interleave.
    async def main() -> List[object]:
        async with mqttws.AsyncClient(broker.ws_url, **V5) as c:
            calls = [c.publish("$SYS/mqttws-test" if i % 2 else topic, b"x", qos=1 + i % 2) for i in range(60)]
            return await asyncio.gather(*calls, return_exceptions=True)

    results = asyncio.run(main())
    refused = [r.reason_code for r in results[1::2] if isinstance(r, mqttws.RejectedError)]
    assert refused == [0x87] * 30, results[1::2]
    assert results[::2] == [None] * 30

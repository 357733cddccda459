"""Round trips through a real mosquitto: ws, wss, mTLS, QoS 0/1/2, retained
and will messages, persistent sessions, iteration, payload types."""

from __future__ import annotations

import gc

import pytest

import mqttws
from helpers import new_id


@pytest.mark.parametrize("transport", ["ws_url", "wss_url"])
@pytest.mark.parametrize("qos", [0, 1, 2])
def test_round_trip(broker, connect, topic, transport, qos):
    url = getattr(broker, transport)
    sub = connect(url)
    pub = connect(url)
    assert sub.is_connected and pub.is_connected
    assert sub.subscribe(topic, qos=qos) == qos
    handles = [pub.publish(topic, f"m{i}".encode(), qos=qos) for i in range(10)]
    for h in handles:
        h.wait(5)
        assert h.done
        assert (h.packet_id is None) == (qos == 0)
    got = [sub.recv(timeout=5) for _ in range(10)]
    assert [m.payload for m in got if m] == [f"m{i}".encode() for i in range(10)]
    for m in got:
        assert m is not None and m.topic == topic and m.qos == qos and not m.retain
    assert sub.recv(timeout=0.1) is None


def test_publish_wait_and_payload_types(connect, topic):
    c = connect()
    c.subscribe(topic, qos=1)
    payloads = ["text é", b"bytes", bytearray(b"ba"), memoryview(b"mv"), None, b"\x00" * 70_000]
    for p in payloads:
        h = c.publish(topic, p, qos=1, wait=True)
        assert h.done and isinstance(h.packet_id, int)
    got = [c.recv(timeout=5) for _ in payloads]
    assert [m.payload for m in got if m] == [
        "text é".encode(),
        b"bytes",
        b"ba",
        b"mv",
        b"",
        b"\x00" * 70_000,
    ]
    assert "70000 bytes" in repr(got[-1])


def test_mutual_tls(broker, topic, connect):
    c = connect(
        broker.wss_mtls_url,
        cert_file=broker.client_cert_path,
        key_file=broker.client_key_path,
    )
    c.subscribe(topic, qos=1)
    c.publish(topic, b"over mTLS", qos=1, wait=True)
    msg = c.recv(timeout=5)
    assert msg is not None and msg.payload == b"over mTLS"


def test_retained_message(connect, topic):
    pub = connect()
    pub.publish(topic, b"last value", qos=1, retain=True, wait=True)
    late = connect()
    late.subscribe(topic, qos=1)
    msg = late.recv(timeout=5)
    assert msg is not None and msg.retain and msg.payload == b"last value"
    pub.publish(topic, b"", qos=1, retain=True, wait=True)  # clears it


def test_will_is_published_when_the_client_vanishes(broker, connect, topic):
    watcher = connect()
    watcher.subscribe(topic, qos=1)
    doomed = mqttws.Client(
        broker.ws_url, client_id=new_id("doomed"), will=mqttws.Will(topic, b"gone", qos=1)
    )
    doomed.connect()
    del doomed  # dropped without DISCONNECT: the socket just closes
    gc.collect()
    msg = watcher.recv(timeout=10)
    assert msg is not None and msg.payload == b"gone" and msg.topic == topic


def test_will_is_discarded_after_disconnect(broker, connect, topic):
    watcher = connect()
    watcher.subscribe(topic, qos=1)
    with mqttws.Client(broker.ws_url, client_id=new_id(), will=(topic, "bye", 1)) as c:
        c.connect()
        c.disconnect()
        assert not c.is_connected
    assert watcher.recv(timeout=0.5) is None


def test_persistent_session_keeps_subscriptions_and_queues_messages(broker, connect, topic):
    cid = new_id("persistent")
    c = mqttws.Client(broker.ws_url, client_id=cid, clean_session=False)
    try:
        c.connect()  # the broker may or may not know the id from an earlier run
        c.subscribe(topic, qos=1)
        c.disconnect()
        pub = connect()
        for i in range(5):
            pub.publish(topic, f"queued {i}", qos=1, wait=True)
        assert c.connect() is True  # session_present
        got = [c.recv(timeout=5) for _ in range(5)]
        assert [m.payload for m in got if m] == [f"queued {i}".encode() for i in range(5)]
    finally:
        c.close()
    # Clean it up: a clean session discards the stored one.
    with mqttws.Client(broker.ws_url, client_id=cid) as c2:
        assert c2.connect() is False


def test_subscribe_list_forms_and_unsubscribe(connect, topic):
    c = connect()
    assert c.subscribe([(topic + "/a", 1), (topic + "/b", 2)]) == [1, 2]
    assert c.subscribe([topic + "/c"], qos=1) == [1]
    c.publish(topic + "/b", b"x", qos=2, wait=True)
    msg = c.recv(timeout=5)
    assert msg is not None and msg.topic == topic + "/b" and msg.qos == 2
    c.unsubscribe([topic + "/a", topic + "/b"])
    c.unsubscribe(topic + "/c")
    c.publish(topic + "/b", b"y", qos=1, wait=True)
    assert c.recv(timeout=0.2) is None


def test_iteration(connect, topic):
    c = connect()
    c.subscribe(topic, qos=1)
    for i in range(3):
        c.publish(topic, str(i), qos=1)
    assert [m.payload for m in c.messages(timeout=0.5)] == [b"0", b"1", b"2"]
    c.publish(topic, "after", qos=1)
    for msg in c:
        assert msg.payload == b"after"
        c.disconnect()  # iteration ends once the application disconnects
    assert not c.is_connected


def test_context_manager_closes(broker):
    with mqttws.Client(broker.ws_url, client_id=new_id()) as c:
        assert c.connect() is False
        assert "closed" not in repr(c)
    assert c.closed and not c.is_connected and "closed" in repr(c)
    with pytest.raises(mqttws.ClosedError):
        c.connect()
    c.close()  # idempotent


def test_reconnect_after_disconnect(connect, topic):
    c = connect()
    c.disconnect()
    c.disconnect()  # does nothing
    assert not c.is_connected
    c.connect()
    c.subscribe(topic, qos=1)
    c.publish(topic, b"again", qos=1, wait=True)
    msg = c.recv(timeout=5)
    assert msg is not None and msg.payload == b"again"
    assert repr(msg) == f"Message(topic={topic!r}, payload=b'again', qos=1, retain=False, dup=False)"


@pytest.mark.parametrize("transport", ["ws_url", "wss_url"])
def test_corked_batch_leaves_when_the_block_ends(broker, connect, topic, transport):
    url = getattr(broker, transport)
    sub = connect(url)
    pub = connect(url)
    sub.subscribe(topic, qos=1)
    with pub.corked() as c:
        assert c is pub
        pub.publish(topic, b"held")
        # Nothing is written while corked: a bounded wait sees nothing.
        assert sub.recv(timeout=0.3) is None
    m = sub.recv(timeout=5)
    assert m is not None and m.payload == b"held"

    # flush() writes without ending the cork; what follows waits again.
    pub.cork()
    pub.publish(topic, b"flushed")
    pub.flush()
    m = sub.recv(timeout=5)
    assert m is not None and m.payload == b"flushed"
    pub.publish(topic, b"held again")
    assert sub.recv(timeout=0.3) is None
    pub.uncork()
    m = sub.recv(timeout=5)
    assert m is not None and m.payload == b"held again"

    # A batch larger than the inflight window, QoS 1, in order; and the
    # block's exception still uncorks.
    with pytest.raises(RuntimeError):
        with pub.corked():
            for i in range(200):
                pub.publish(topic, i.to_bytes(2, "big"), qos=1)
            raise RuntimeError("the batch's own failure")
    got = [sub.recv(timeout=5) for _ in range(200)]
    assert [int.from_bytes(m.payload, "big") for m in got if m] == list(range(200))

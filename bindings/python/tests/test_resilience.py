"""Resilience through the Python API, against the real mosquitto: automatic
reconnect and its events, the offline queue (delivered after a reconnect;
full: error or drop oldest), the durable store, poll() events, defaults for
device presets, argument checking.

Outages are made by a loopback relay in front of the broker (helpers.Relay):
``cut()`` kills the connections, ``block()`` refuses new ones.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Callable, Iterator, List, Type

import pytest

import mqttws
from mqttws import auth
from helpers import (
    CONNACK_OK,
    TENCENT,
    Relay,
    ScriptedServer,
    accept_upgrade,
    drain,
    new_id,
    read_frame,
    read_request,
    send_frame,
)

# Short back-off so that tests reconnect within tens of milliseconds.
FAST = mqttws.ReconnectPolicy(min_delay=0.05, max_delay=0.2)


def poll_until(
    client: mqttws.Client, done: Callable[[object], bool], timeout: float = 10.0
) -> List[object]:
    """Events from client.poll() up to and including the first that `done`
    accepts; fails after `timeout` seconds."""
    events: List[object] = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        ev = client.poll(timeout=max(0.0, left))
        if ev is None:
            pytest.fail(f"no matching event within {timeout} s; saw {events}")
        events.append(ev)
        if done(ev):
            return events


def is_a(cls: Type[object]) -> Callable[[object], bool]:
    return lambda ev: isinstance(ev, cls)


def nth(cls: Type[object], n: int) -> Callable[[object], bool]:
    """Accepts the n-th event of class `cls`."""
    seen = [0]

    def done(ev: object) -> bool:
        seen[0] += isinstance(ev, cls)
        return seen[0] >= n

    return done


def payloads(client: mqttws.Client, n: int, timeout: float = 5.0) -> List[bytes]:
    out = []
    for _ in range(n):
        m = client.recv(timeout=timeout)
        assert m is not None, f"only {len(out)} of {n} messages: {out}"
        out.append(m.payload)
    return out


@pytest.fixture
def relay(broker) -> Iterator[Relay]:
    with Relay(broker.ws_port) as r:
        yield r


def test_reconnect_events_and_round_trip_after_a_cut(connect, relay, topic):
    sub = connect()
    sub.subscribe(topic, qos=1)
    with mqttws.Client(relay.url(), client_id=new_id(), reconnect=FAST) as c:
        assert c.connect() is False
        assert c.subscribe(topic, qos=1) == 1
        relay.cut()
        events = poll_until(c, is_a(mqttws.Connected))
        assert [type(e) for e in events] == [mqttws.Disconnected, mqttws.Reconnecting, mqttws.Connected], events
        dropped, again, connected = events
        assert isinstance(dropped, mqttws.Disconnected) and dropped.reason
        assert isinstance(again, mqttws.Reconnecting) and again.attempt == 1
        assert FAST.min_delay <= again.delay <= FAST.max_delay
        assert connected == mqttws.Connected(session_present=False)
        assert c.is_connected
        # Published after the reconnect: delivered to the other client, and to
        # this one through the subscription restored after CONNACK (same
        # connection, so the SUBSCRIBE precedes the PUBLISH).
        c.publish(topic, b"after the cut", qos=1, wait=True)
        assert payloads(sub, 1) == [b"after the cut"]
        assert payloads(c, 1) == [b"after the cut"]


def test_offline_publishes_are_delivered_after_the_reconnect(connect, relay, topic):
    sub = connect()
    sub.subscribe(topic, qos=1)
    with mqttws.Client(relay.url(), client_id=new_id(), reconnect=FAST) as c:
        c.connect()
        relay.block()
        relay.cut()
        poll_until(c, is_a(mqttws.Disconnected))
        assert not c.is_connected
        handles = [c.publish(topic, f"offline {i}", qos=1) for i in range(5)]
        c.publish(topic, "offline qos0")
        assert all(h.packet_id is not None for h in handles)
        # Attempts against the "down" broker fail and back off: attempt 1, 2, 3...
        attempts = [
            e.attempt
            for e in poll_until(c, lambda e: isinstance(e, mqttws.Reconnecting) and e.attempt >= 3)
            if isinstance(e, mqttws.Reconnecting)
        ]
        assert attempts == sorted(attempts) and attempts[-1] == 3, attempts
        assert relay.refused >= 1
        relay.unblock()
        for h in handles:
            h.wait(10)
        assert c.is_connected
        assert payloads(sub, 6) == [f"offline {i}".encode() for i in range(5)] + [b"offline qos0"]


def test_full_offline_queue_raises_or_drops_the_oldest(broker, connect, topic):
    sub = connect()
    sub.subscribe(topic, qos=1)
    # when_full="error": the publish that does not fit is refused, nothing lost.
    q = mqttws.OfflineQueue(max_messages=2, when_full="error")
    with mqttws.Client(broker.ws_url, client_id=new_id(), offline_queue=q) as c:
        kept = [c.publish(topic, f"e{i}", qos=1) for i in range(2)]
        with pytest.raises(mqttws.QueueFullError, match="waiting"):
            c.publish(topic, "e2", qos=1)
        c.connect()
        for h in kept:
            h.wait(5)
        assert payloads(sub, 2) == [b"e0", b"e1"]
    # when_full="drop_oldest": room is made, and poll() says what was dropped.
    q = mqttws.OfflineQueue(max_messages=2, when_full="drop_oldest")
    with mqttws.Client(broker.ws_url, client_id=new_id(), offline_queue=q) as c:
        hs = [c.publish(topic, f"d{i}", qos=1) for i in range(3)]
        assert c.poll(timeout=0) == mqttws.Dropped(hs[0].packet_id, topic)
        with pytest.raises(mqttws.QueueFullError):
            hs[0].wait(1)
        c.connect()
        for h in hs[1:]:
            h.wait(5)
        assert payloads(sub, 2) == [b"d1", b"d2"]
    assert sub.recv(timeout=0.1) is None


def swallow(conn) -> None:
    """A server that accepts the connection and never acknowledges anything."""
    accept_upgrade(conn, read_request(conn))
    read_frame(conn)  # CONNECT
    send_frame(conn, 2, CONNACK_OK)
    drain(conn)


def test_store_resends_unacknowledged_messages_from_a_new_client(broker, connect, topic, tmp_path):
    store = tmp_path / "store"
    sub = connect()
    sub.subscribe(topic, qos=1)
    with ScriptedServer(swallow) as server:
        c = mqttws.Client(server.url, client_id=new_id(), store_dir=store, operation_timeout=1)
        c.connect()
        for i in range(3):
            c.publish(topic, f"stored {i}", qos=1)
        assert c.inflight == 3
        server.close()  # the connection is cut before any acknowledgement
        c.close()
    assert sub.recv(timeout=0.1) is None
    # A new client on the same directory (str or PathLike) sends them again.
    with mqttws.Client(broker.ws_url, client_id=new_id(), store_dir=str(store)) as c2:
        assert c2.inflight == 3
        with pytest.raises(mqttws.InvalidArgument, match="in use"):
            mqttws.Client(broker.ws_url, store_dir=store)
        c2.connect()
        assert payloads(sub, 3) == [f"stored {i}".encode() for i in range(3)]
        # Nobody holds a handle for these: their acknowledgements are events.
        events = poll_until(c2, nth(mqttws.Published, 3))
        assert all(isinstance(e, mqttws.Published) for e in events), events
        assert c2.inflight == 0 and c2.poll(timeout=0.05) is None
    # Acknowledged messages are not sent a third time.
    with mqttws.Client(broker.ws_url, client_id=new_id(), store_dir=store) as c3:
        assert c3.inflight == 0
        c3.connect()
    assert sub.recv(timeout=0.2) is None


def test_poll_reports_acknowledgements_nobody_waited_for(connect, topic):
    c = connect()
    c.subscribe(topic, qos=1)
    handles = [c.publish(topic, f"p{i}", qos=1) for i in range(3)]
    waited = c.publish(topic, "waited", qos=1, wait=True)
    events: List[object] = []
    messages: List[bytes] = []
    acks: List[int] = []
    deadline = time.monotonic() + 5
    while (len(acks) < 3 or len(messages) < 4) and time.monotonic() < deadline:
        ev = c.poll(timeout=1)
        events.append(ev)
        if isinstance(ev, mqttws.Message):
            messages.append(ev.payload)
        elif isinstance(ev, mqttws.Published):
            acks.append(ev.packet_id)
    assert sorted(acks) == sorted(h.packet_id for h in handles), events  # type: ignore[type-var]
    assert waited.packet_id not in acks  # its wait() consumed its event
    assert messages == [b"p0", b"p1", b"p2", b"waited"]
    assert c.poll(timeout=0.05) is None
    assert repr(mqttws.Published(acks[0])) == f"Published(packet_id={acks[0]})"


def test_poll_in_one_thread_sees_every_ack_of_another_threads_publishes(connect, topic):
    """Each publish interrupts the blocked poll(); events the binding reads
    while consuming such an interrupt must still reach poll(). (A race: with
    a binding that dropped them, about one run in three lost thousands.)"""
    c = connect()
    n = 10_000
    errors: List[BaseException] = []

    def publisher() -> None:
        try:
            for i in range(n):
                c.publish(topic, b"%d" % i, qos=1)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    t = threading.Thread(target=publisher)
    t.start()
    acks = 0
    deadline = time.monotonic() + 30
    while acks < n and time.monotonic() < deadline:
        ev = c.poll(timeout=0.2)
        if isinstance(ev, mqttws.Published):
            acks += 1
        elif ev is None and not t.is_alive() and c.inflight == 0:
            break  # every message is acknowledged: no event is coming
    t.join(timeout=30)
    assert not errors, errors
    assert (acks, c.inflight) == (n, 0)
    assert c.poll(timeout=0.05) is None


def test_a_publishing_thread_does_not_abort_a_slow_reconnect():
    """While the link is down, a wait in the core runs the reconnect attempt;
    other threads' calls wait for it rather than interrupt it (an interrupted
    attempt counts as failed, so a busy publisher would keep the client
    offline for ever behind a handshake slower than its publishing period)."""
    cut = threading.Event()
    conns = [0]

    def script(conn) -> None:
        conns[0] += 1
        first = conns[0] == 1
        request = read_request(conn)
        if not first:
            time.sleep(0.3)  # a slow link: the upgrade answer takes 300 ms
        accept_upgrade(conn, request)
        read_frame(conn)  # CONNECT
        send_frame(conn, 2, CONNACK_OK)
        if first:
            cut.wait(5)
            conn.shutdown(socket.SHUT_RDWR)  # the drop
            return
        drain(conn)

    stop = threading.Event()
    published: List[int] = []
    errors: List[BaseException] = []
    with ScriptedServer(script) as server:
        with mqttws.Client(server.url, client_id="slow", reconnect=FAST, connect_timeout=5) as c:
            c.connect()

            def publisher() -> None:
                try:
                    while not stop.wait(0.01):
                        c.publish("t", b"x")
                        published.append(1)
                except BaseException as e:  # noqa: BLE001
                    errors.append(e)

            t = threading.Thread(target=publisher)
            t.start()
            try:
                cut.set()
                events = poll_until(c, is_a(mqttws.Connected), timeout=5)
            finally:
                stop.set()
                t.join(timeout=10)
            server.close()  # so that close() need not wait for a WebSocket close
        assert not server.errors
    assert not errors, errors
    assert [type(e) for e in events] == [mqttws.Disconnected, mqttws.Reconnecting, mqttws.Connected], events
    assert published and conns[0] == 2


def test_interrupt_wakes_a_blocked_poll(connect):
    c = connect()
    result: List[object] = []

    def waiter() -> None:
        try:
            result.append(c.poll())
        except mqttws.Interrupted as e:
            result.append(e)

    t = threading.Thread(target=waiter)
    t.start()
    # Whether the thread is inside poll() yet or not: an interrupt() that
    # finds no wait is delivered to the next one.
    c.interrupt()
    t.join(timeout=5)
    assert not t.is_alive() and isinstance(result[0], mqttws.Interrupted)


def test_device_presets_reconnect_by_default(broker):
    device = auth.TencentDevice(**TENCENT)  # type: ignore[arg-type]
    with Relay(broker.ws_auth_port) as relay:
        # No reconnect= argument: on for a preset (default policy, 0.5 s first delay).
        with mqttws.Client(relay.url(), credentials=device) as c:
            c.connect()
            relay.cut()
            events = poll_until(c, is_a(mqttws.Connected))
            assert [type(e) for e in events] == [mqttws.Disconnected, mqttws.Reconnecting, mqttws.Connected]
        # reconnect=False turns it off: the drop is an error again.
        with mqttws.Client(relay.url(), credentials=device, reconnect=False) as c:
            c.connect()
            relay.cut()
            with pytest.raises((mqttws.ClosedError, mqttws.IoError)):
                c.poll(timeout=5)
        # A plain URL (here with a user name and password) keeps it off.
        with mqttws.Client(relay.url(), client_id=new_id(), username="alice", password="s3cret-pw") as c:
            c.connect()
            relay.cut()
            with pytest.raises((mqttws.ClosedError, mqttws.IoError)):
                c.poll(timeout=5)


# ------------------------------------------------------------------ arguments


def test_resilience_option_objects():
    p = mqttws.ReconnectPolicy(min_delay=0.1, max_delay=2, stable_after=0, restore_subscriptions=False)
    assert (p.min_delay, p.max_delay, p.stable_after, p.restore_subscriptions) == (0.1, 2.0, 0.0, False)
    assert repr(p) == "ReconnectPolicy(min_delay=0.1, max_delay=2.0, stable_after=0.0, restore_subscriptions=False)"
    assert p == eval("mqttws." + repr(p)) and p != mqttws.ReconnectPolicy()
    q = mqttws.OfflineQueue()
    assert (q.max_messages, q.max_bytes, q.when_full) == (1000, 4 << 20, "error")
    assert repr(q) == "OfflineQueue(max_messages=1000, max_bytes=4194304, when_full='error')"
    assert mqttws.OfflineQueue(when_full="drop_oldest").when_full == "drop_oldest"
    for ev, text in [
        (mqttws.Connected(True), "Connected(session_present=True)"),
        (mqttws.Disconnected("gone"), "Disconnected(reason='gone')"),
        (mqttws.Reconnecting(0.25, 2), "Reconnecting(delay=0.25, attempt=2)"),
        (mqttws.Published(7), "Published(packet_id=7)"),
        (mqttws.Dropped(None, "a/b"), "Dropped(packet_id=None, topic='a/b')"),
        (mqttws.Subscribed(3, [1, None]), "Subscribed(packet_id=3, granted=[1, None], reason_codes=[1, 128])"),
        (mqttws.Unsubscribed(4), "Unsubscribed(packet_id=4, reason_codes=[])"),
        (mqttws.Unsubscribed(4, [0, 0x11]), "Unsubscribed(packet_id=4, reason_codes=[0, 17])"),
        (mqttws.Rejected(5, 0x87), "Rejected(packet_id=5, reason_code=135, reason=None)"),
        (mqttws.Downgraded(6, 1), "Downgraded(packet_id=6, granted=1)"),
        (
            mqttws.ServerDisconnected(0x9C, "moved", "b:1"),
            "ServerDisconnected(reason_code=156, reason='moved', server_reference='b:1')",
        ),
    ]:
        assert repr(ev) == text and ev == eval("mqttws." + text)
    assert mqttws.Reconnecting.__match_args__ == ("delay", "attempt")
    # Valid forms of every argument.
    for kwargs in [
        dict(reconnect=True),
        dict(reconnect=False),
        dict(reconnect=None),
        dict(reconnect=p, offline_queue=q, ws_ping=(20, 5.5)),
        dict(offline_queue=None, ws_ping=None, store_dir=None),
    ]:
        mqttws.Client("ws://127.0.0.1:1/mqtt", **kwargs).close()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(reconnect=1), TypeError),
        (dict(reconnect="yes"), TypeError),
        (dict(reconnect={"min_delay": 1}), TypeError),
        (dict(offline_queue=True), TypeError),
        (dict(offline_queue=1000), TypeError),
        (dict(ws_ping=5), TypeError),
        (dict(ws_ping="12"), TypeError),
        (dict(ws_ping=("a", "b")), TypeError),
        (dict(ws_ping=(1, 2, 3)), TypeError),
        (dict(ws_ping=(-1, 5)), ValueError),
        (dict(ws_ping=(0, 5)), ValueError),
        (dict(ws_ping=(5, float("nan"))), ValueError),
        (dict(store_dir=5), TypeError),
    ],
)
def test_client_resilience_argument_errors(kwargs, error):
    with pytest.raises(error):
        mqttws.Client("ws://127.0.0.1:1/mqtt", **kwargs)


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda: mqttws.ReconnectPolicy(min_delay=-1), ValueError),
        (lambda: mqttws.ReconnectPolicy(min_delay=0), ValueError),
        (lambda: mqttws.ReconnectPolicy(min_delay=2, max_delay=1), ValueError),
        (lambda: mqttws.ReconnectPolicy(max_delay=float("inf")), ValueError),
        (lambda: mqttws.ReconnectPolicy(stable_after=-0.5), ValueError),
        (lambda: mqttws.ReconnectPolicy(min_delay="1"), TypeError),
        (lambda: mqttws.ReconnectPolicy(restore_subscriptions=1), TypeError),
        (lambda: mqttws.ReconnectPolicy(0.5), TypeError),  # keyword-only
        (lambda: mqttws.OfflineQueue(max_messages=0), ValueError),
        (lambda: mqttws.OfflineQueue(max_bytes=-1), ValueError),
        (lambda: mqttws.OfflineQueue(when_full="drop_newest"), ValueError),
        (lambda: mqttws.OfflineQueue(when_full=1), TypeError),
        (lambda: mqttws.OfflineQueue(max_messages="10"), TypeError),
        (lambda: mqttws.Reconnecting("soon", 1), TypeError),
    ],
)
def test_option_object_argument_errors(make, error):
    with pytest.raises(error):
        make()
    if error is ValueError:
        with pytest.raises(mqttws.InvalidArgument):
            make()

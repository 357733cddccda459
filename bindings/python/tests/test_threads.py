"""Threads and signals: the GIL is released while blocked, Ctrl-C interrupts
a blocked recv() or poll(), one client serves a publishing and a receiving thread at
once without loss, and a publisher is not held up by a blocked receiver."""

from __future__ import annotations

import signal
import statistics
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import mqttws
from helpers import CONNACK_OK, ScriptedServer, accept_upgrade, drain, read_frame, read_request, send_frame, wait_until

STRESS_MESSAGES = 50_000


def spin(seconds: float) -> int:
    """Counts pure-Python loop turns for `seconds` (needs the GIL)."""
    n, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        n += 1
    return n


def test_gil_is_released_while_blocked(connect, topic):
    c = connect()
    c.subscribe(topic)
    baseline = spin(0.3)

    def silent(conn):
        read_request(conn)
        drain(conn)

    with ScriptedServer(silent) as server:
        stuck = mqttws.Client(server.url, client_id="x", connect_timeout=1.5)
        threads = [
            threading.Thread(target=c.recv, kwargs={"timeout": 1.5}),
            threading.Thread(target=lambda: pytest.raises(mqttws.TimeoutError, stuck.connect)),
        ]
        for t in threads:
            t.start()
        time.sleep(0.1)
        during = spin(0.3)
        for t in threads:
            t.join()
    # Two threads blocked in recv() and connect(): the main thread still runs
    # at (nearly) full speed.
    assert during > 0.5 * baseline, (during, baseline)


def assert_set(event: threading.Event) -> None:
    assert event.wait(10)


def ctrl_c_latency(args: list, ready) -> float:
    """Runs `python -c *args`, calls `ready(child)` until the child is in the
    call under test, sends SIGINT, and returns how long the child took to
    catch KeyboardInterrupt (it prints time.monotonic() then)."""
    child = subprocess.Popen([sys.executable, "-c", *args], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    try:
        ready(child)
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        caught = float(child.stdout.readline())
        assert child.wait(timeout=10) == 0
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    return caught - sent


CTRL_C_CHILD = textwrap.dedent(
    """
    import sys, time, mqttws
    c = mqttws.Client(sys.argv[1], client_id="ctrl-c")
    c.connect()
    c.subscribe(sys.argv[2])
    print("ready", flush=True)
    try:
        getattr(c, sys.argv[3])()  # recv() or poll(): nothing will ever arrive
    except KeyboardInterrupt:
        print(time.monotonic(), flush=True)
        c.close()
    """
)


@pytest.mark.parametrize("method", ["recv", "poll"])
def test_ctrl_c_interrupts_a_blocked_recv(broker, topic, method):
    def ready(child: subprocess.Popen) -> None:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.3)  # well inside recv()

    latency = ctrl_c_latency([CTRL_C_CHILD, broker.ws_url, topic, method], ready)
    print(f"Ctrl-C latency: {latency * 1000:.1f} ms")
    assert 0 <= latency < 0.5


CTRL_C_CALL_CHILD = textwrap.dedent(
    """
    import sys, time, mqttws
    c = mqttws.Client(sys.argv[1], client_id="ctrl-c", connect_timeout=30, operation_timeout=30)
    try:
        if sys.argv[2] == "subscribe":
            c.connect()
            c.subscribe("never/acknowledged")
        else:
            c.connect()
    except KeyboardInterrupt:
        print(time.monotonic(), flush=True)
    """
)


@pytest.mark.parametrize("call", ["connect", "subscribe"])
def test_ctrl_c_interrupts_connect_and_subscribe(call):
    """connect() to a server that never answers the upgrade, subscribe() to
    one that never sends SUBACK: Ctrl-C ends either within 100 ms."""
    reached = threading.Event()

    def script(conn) -> None:
        request = read_request(conn)
        if call == "connect":
            reached.set()
            drain(conn)
            return
        accept_upgrade(conn, request)
        read_frame(conn)  # CONNECT
        send_frame(conn, 2, CONNACK_OK)
        read_frame(conn)  # SUBSCRIBE
        reached.set()
        drain(conn)

    with ScriptedServer(script) as server:
        latency = ctrl_c_latency([CTRL_C_CALL_CHILD, server.url, call], lambda child: assert_set(reached))
    print(f"Ctrl-C latency in {call}(): {latency * 1000:.1f} ms")
    assert 0 <= latency < 0.1


def test_ctrl_c_on_another_thread_leaves_its_calls_alone(connect, topic):
    """A call ended by an interrupt meant for another (here: interrupt_calls
    of an AsyncClient-style cancel) runs again instead of failing."""
    c = connect()
    results: list = []
    t = threading.Thread(target=lambda: results.append(c.recv(timeout=2)))
    t.start()
    assert wait_until(lambda: t.is_alive())
    c._interrupt_calls()  # ends no wait
    c.subscribe(topic)
    c.publish(topic, b"x")
    t.join()
    assert results and results[0] is not None and results[0].payload == b"x"


def test_threaded_stress_no_message_lost_at_qos1(connect, topic):
    """One client, a publishing thread and a receiving thread, QoS 1 both
    ways (the broker echoes to the subscribed client)."""
    c = connect(inflight_window=100)
    assert c.subscribe(topic, qos=1) == 1
    seen = bytearray(STRESS_MESSAGES)
    got = [0]
    errors: list = []
    deadline = time.monotonic() + 150

    def receiver() -> None:
        try:
            while got[0] < STRESS_MESSAGES:
                m = c.recv(timeout=max(0.0, deadline - time.monotonic()))
                if m is None:
                    return
                i = int(m.payload)
                if not seen[i]:
                    seen[i] = 1
                    got[0] += 1
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    def publisher() -> None:
        try:
            last = None
            for i in range(STRESS_MESSAGES):
                last = c.publish(topic, b"%d" % i, qos=1)
            assert last is not None
            last.wait(30)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    t0 = time.monotonic()
    threads = [threading.Thread(target=receiver), threading.Thread(target=publisher)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=160)
    elapsed = time.monotonic() - t0
    assert not errors, errors
    assert got[0] == STRESS_MESSAGES, f"lost {STRESS_MESSAGES - got[0]} messages"
    print(f"stress: {STRESS_MESSAGES} QoS 1 messages in {elapsed:.2f} s = {STRESS_MESSAGES / elapsed:.0f} msg/s")


def publish_latencies(c: mqttws.Client, topic: str, n: int) -> list:
    out = []
    for i in range(n):
        t = time.perf_counter()
        c.publish(topic, b"x", qos=0)
        out.append(time.perf_counter() - t)
    return out


@pytest.mark.parametrize("method", ["recv", "poll"])
def test_publisher_is_not_held_up_by_a_blocked_receiver(connect, topic, method):
    c = connect()
    c.subscribe(topic + "/idle")
    alone = publish_latencies(c, topic, 2000)
    stop = threading.Event()
    wait = getattr(c, method)

    def receiver() -> None:
        while not stop.is_set():
            wait(timeout=0.5)

    t = threading.Thread(target=receiver)
    t.start()
    time.sleep(0.1)
    try:
        shared = publish_latencies(c, topic, 2000)
    finally:
        stop.set()
        t.join()
    p50, p99 = statistics.median(shared), sorted(shared)[int(len(shared) * 0.99)]
    print(
        f"publish latency alone p50 {statistics.median(alone) * 1e6:.0f} us; "
        f"with a blocked receiver p50 {p50 * 1e6:.0f} us, p99 {p99 * 1e6:.0f} us, max {max(shared) * 1e3:.1f} ms"
    )
    assert p50 < 0.005 and p99 < 0.03  # a 50 ms receive slice would show as ~50 ms


def test_many_threads_share_one_client(connect, topic):
    # mosquitto accepts at most max_inflight_messages (20) unacknowledged
    # incoming QoS 2 messages per client and silently drops the rest (its
    # PUBREC carries reason 151 "quota exceeded", which MQTT 3.1.1 clients
    # cannot see): QoS 2 publishers must keep the window within that.
    c = connect(inflight_window=20)
    c.subscribe(topic, qos=1)
    errors: list = []

    def worker(k: int) -> None:
        try:
            for i in range(200):
                c.publish(topic, f"{k}:{i}", qos=1 + (i % 2), wait=(i % 50 == 0))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    got = set()
    while len(got) < 800:
        m = c.recv(timeout=10)
        assert m is not None, f"only {len(got)} of 800"
        got.add(m.payload)
    for t in threads:
        t.join()
    assert not errors, errors

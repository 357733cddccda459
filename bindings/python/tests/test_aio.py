"""mqttws.AsyncClient against mosquitto and scripted servers: concurrency
without a thread per call, ordering, timeouts, cancellation, errors and
reconnects."""

from __future__ import annotations

import asyncio
import inspect
import socket
import time
from typing import Awaitable, Callable, Dict, List, TypeVar

import pytest

import mqttws
from helpers import CONNACK_OK, Relay, ScriptedServer, accept_upgrade, drain, new_id, read_frame, read_request, send_frame

T = TypeVar("T")

CANCEL_LIMIT = 0.1  # seconds: the bound for a cancelled call to return


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 60))  # type: ignore[arg-type]


def os_threads() -> int:
    """Threads of this process, native ones included."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    raise AssertionError("no Threads: line")


async def until(pred: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Polls `pred` for at most `timeout` seconds."""
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            return False
        await asyncio.sleep(0.005)
    return True


async def cancel_latency(task: asyncio.Task[object]) -> float:
    """Cancels `task` (which must be waiting) and returns how long it took to end."""
    for _ in range(3):
        await asyncio.sleep(0)  # let it reach its await
    assert not task.done()
    t0 = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return time.monotonic() - t0


def test_same_constructor_arguments_as_client():
    a = inspect.signature(mqttws.AsyncClient).parameters.values()
    c = inspect.signature(mqttws.Client).parameters.values()
    assert [(p.name, p.kind, p.default) for p in a] == [(p.name, p.kind, p.default) for p in c]


def test_200_gathered_qos1_publishes_arrive_in_order_per_topic(broker, topic):
    async def main() -> Dict[str, List[int]]:
        baseline = os_threads()
        async with mqttws.AsyncClient(broker.ws_url, client_id=new_id()) as sub:
            async with mqttws.AsyncClient(broker.ws_url, client_id=new_id()) as pub:
                assert await sub.subscribe([(f"{topic}/#", 1)]) == [1]
                peak = [os_threads()]

                async def publish(i: int) -> None:
                    await pub.publish(f"{topic}/{i % 4}", b"%d" % i, qos=1)
                    peak.append(os_threads())

                t0 = time.monotonic()
                await asyncio.gather(*(publish(i) for i in range(200)))
                print(f"200 QoS 1 publishes acknowledged in {(time.monotonic() - t0) * 1000:.0f} ms")
                got: Dict[str, List[int]] = {}
                n = 0
                async for m in sub.messages(timeout=10):
                    got.setdefault(m.topic, []).append(int(m.payload))
                    n += 1
                    if n == 200:
                        break
        print(f"threads: {baseline} before, at most {max(peak)} during the gather")
        # Two clients, two threads each; nothing per pending call.
        assert max(peak) - baseline <= 5
        return got

    got = run(main())
    assert sum(len(v) for v in got.values()) == 200
    for k in range(4):
        assert got[f"{topic}/{k}"] == list(range(k, 200, 4))


def test_gathered_qos0_publishes_leave_corked_and_in_order(broker, topic):
    """A burst of publishes queued behind one another runs corked: far fewer
    writes reach the relay than there are messages, every publish resolves
    (once written), and the messages arrive in order."""
    n = 2000

    async def main(url: str) -> List[int]:
        async with mqttws.AsyncClient(broker.ws_url, client_id=new_id()) as sub:
            async with mqttws.AsyncClient(url, client_id=new_id()) as pub:
                assert await sub.subscribe(topic, qos=0) == 0
                await asyncio.gather(*(pub.publish(topic, b"%d" % i) for i in range(n)))
                got = []
                async for m in sub.messages(timeout=10):
                    got.append(int(m.payload))
                    if len(got) == n:
                        break
                return got

    with Relay(broker.ws_port) as relay:
        got = run(main(relay.url()))
        reads = relay.client_reads
    assert got == list(range(n))
    # Each relay read takes at most what one or more client writes sent. One
    # write per publish would show up as hundreds of reads; a corked batch
    # writes at 16 KiB (~200 publishes of this size). Handshake and CONNECT
    # and the DISCONNECT and close add a few.
    print(f"{n} gathered publishes reached the relay in {reads} reads")
    assert reads <= n // 20


def test_recv_and_messages_time_out(broker, topic):
    async def main() -> None:
        async with mqttws.AsyncClient(broker.ws_url, client_id=new_id()) as c:
            assert await c.subscribe(topic, qos=1) == 1
            t0 = time.monotonic()
            assert await c.recv(timeout=0.2) is None
            assert 0.15 < time.monotonic() - t0 < 2
            await c.publish(topic, "one", qos=1)
            await c.publish(topic, "two")
            got = [m.payload async for m in c.messages(timeout=0.3)]
            assert got == [b"one", b"two"]
            await c.unsubscribe([topic])
            await c.publish(topic, "three", qos=1)
            assert await c.recv(timeout=0.2) is None
        assert not c.is_connected

    run(main())


def test_errors_are_the_blocking_clients_classes(broker):
    async def main() -> None:
        c = mqttws.AsyncClient(broker.ws_url, client_id=new_id())
        with pytest.raises(mqttws.ClosedError):
            await c.recv(timeout=0)
        await c.connect()
        with pytest.raises(mqttws.InvalidArgument):
            await c.publish("a/+", b"x")
        with pytest.raises(mqttws.InvalidArgument):
            await c.publish("a", b"x", qos=3)
        with pytest.raises(TypeError):
            await c.subscribe(5)  # type: ignore[call-overload]
        await c.disconnect()
        with pytest.raises(mqttws.ClosedError):
            await c.recv(timeout=1)
        await c.close()
        with pytest.raises(mqttws.ClosedError):
            await c.connect()
        with socket.socket() as s:  # bound, never listening: refused
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        bad = mqttws.AsyncClient(f"ws://127.0.0.1:{port}/mqtt")
        with pytest.raises(mqttws.IoError):
            await bad.connect()
        await bad.close()

    run(main())


def test_cancelled_recv_returns_at_once_and_loses_nothing(broker, topic):
    async def main() -> None:
        async with mqttws.AsyncClient(broker.ws_url, client_id=new_id()) as c:
            await c.subscribe(topic)
            latency = await cancel_latency(asyncio.ensure_future(c.recv()))
            print(f"recv() cancelled in {latency * 1000:.2f} ms")
            assert latency < CANCEL_LIMIT
            await c.publish(topic, b"after")
            m = await c.recv(timeout=5)
            assert m is not None and m.payload == b"after"

    run(main())


def silent_after_connack(conn) -> None:
    """Accepts the upgrade and CONNECT, then answers nothing but the
    WebSocket close."""
    accept_upgrade(conn, read_request(conn))
    read_frame(conn)
    send_frame(conn, 2, CONNACK_OK)
    while read_frame(conn)[0] != 8:
        pass
    send_frame(conn, 8, b"")


def test_cancelled_publish_returns_at_once_and_the_client_stays_usable():
    async def main() -> None:
        with ScriptedServer(silent_after_connack) as server:
            c = mqttws.AsyncClient(server.url, client_id="x", inflight_window=1, operation_timeout=20)
            await c.connect()
            # Sent, waiting for a PUBACK that never comes.
            waiting_ack = asyncio.ensure_future(c.publish("t", b"1", qos=1))
            await until(lambda: c._client.inflight == 1)
            latency = await cancel_latency(waiting_ack)
            assert latency < CANCEL_LIMIT
            # Blocked in the writer for room in the window (inflight_window=1).
            blocked = asyncio.ensure_future(c.publish("t", b"2", qos=1))
            await until(lambda: c._engine.current is not None)
            latency2 = await cancel_latency(blocked)
            print(f"publish() cancelled in {latency * 1000:.2f} ms (awaiting PUBACK), {latency2 * 1000:.2f} ms (running)")
            assert latency2 < CANCEL_LIMIT
            # The writer is free again: QoS 0 goes out at once.
            await asyncio.wait_for(c.publish("t", b"3"), 2)
            assert c.is_connected
            await asyncio.wait_for(c.close(), 5)

    run(main())


def test_cancelled_connect_returns_at_once_and_connect_works_again():
    attempts: List[int] = []

    def script(conn) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            read_request(conn)
            drain(conn)  # silent
        else:
            silent_after_connack(conn)

    async def main() -> None:
        with ScriptedServer(script) as server:
            c = mqttws.AsyncClient(server.url, client_id="x", connect_timeout=30)
            task = asyncio.ensure_future(c.connect())
            assert await until(lambda: len(attempts) == 1)
            latency = await cancel_latency(task)
            print(f"connect() cancelled in {latency * 1000:.2f} ms")
            assert latency < CANCEL_LIMIT
            assert await asyncio.wait_for(c.connect(), 5) is False
            assert c.is_connected
            await c.close()

    run(main())


def test_reconnect_events_and_messages_after_a_drop(broker, topic):
    async def main() -> None:
        with Relay(broker.ws_port) as relay:
            policy = mqttws.ReconnectPolicy(min_delay=0.05, max_delay=0.1)
            async with mqttws.AsyncClient(relay.url(), client_id=new_id(), reconnect=policy) as c:
                await c.subscribe(topic, qos=1)
                relay.cut()
                kinds = []
                while not kinds or not isinstance(kinds[-1], mqttws.Connected):
                    ev = await c.poll(timeout=10)
                    assert ev is not None, kinds
                    kinds.append(ev)
                assert isinstance(kinds[0], mqttws.Disconnected)
                assert any(isinstance(k, mqttws.Reconnecting) for k in kinds)
                # Subscriptions restored, publishes acknowledged again.
                await c.publish(topic, b"back", qos=1)
                m = await c.recv(timeout=10)
                assert m is not None and m.payload == b"back"

    run(main())

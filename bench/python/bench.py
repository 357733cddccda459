#!/usr/bin/env python3
"""Benchmark client for the shared MQTT-over-WebSocket harness (../shared/bench):
the mqttws Python package (bindings/python). Modelled on the harness's
peers/paho-python/bench.py: same scenarios, structure, warm-up and JSON line.

  bench.py --url ws://127.0.0.1:18080/mqtt --scenario throughput|latency|connect
           --count N --size BYTES [--qos Q] [--cafile CA.pem] [--timeout SECONDS]

Library usage (the package's idiomatic shape): blocking ``mqttws.Client``
objects, no callbacks. Throughput: the subscriber receives with ``recv()`` on
its own thread (the GIL is released while it waits), the publisher calls
``publish()`` on the main thread in batches of 32 inside ``with
client.corked():`` (a batch is with the socket when the block ends; at QoS 1
the library's inflight window of 20 bounds what is unacknowledged), as the
C and Rust benchmark clients do. Latency: ``publish()`` then ``recv()`` on
one client.
Connect: ``Client(...)``, ``connect()``, ``disconnect()``, ``close()``.
"""
import argparse
import math
import json
import os
import random
import sys
import threading
import time

import mqttws

CLIENT = "mqttws-python"
WINDOW = 20  # mqttws.Client(inflight_window=20), the default
BATCH = 32  # publishes per corked batch in the throughput scenario


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--url", default="ws://127.0.0.1:18080/mqtt")
    p.add_argument("--scenario", choices=["throughput", "latency", "connect"], default="throughput")
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--qos", type=int, choices=[0, 1, 2], default=0)
    p.add_argument("--cafile", default=os.environ.get("BENCH_CAFILE"))
    p.add_argument("--timeout", type=float, default=60.0)
    a = p.parse_args()
    if a.count < 1 or a.size < 0:
        p.error("count must be >= 1 and size >= 0")
    return a


A = parse_args()
_seq = 0


def pct(sorted_vals, p):
    if not sorted_vals:
        return 0.0
    idx = min(max(math.ceil(p / 100.0 * len(sorted_vals)) - 1, 0), len(sorted_vals) - 1)
    return sorted_vals[idx]


def emit(seconds=0.0, received=0, p50=None, p99=None, connect=None, error=None):
    n = received if A.scenario == "throughput" else A.count
    rec = {
        "client": CLIENT,
        "scenario": A.scenario,
        "count": A.count,
        "size": A.size,
        "qos": A.qos,
        "seconds": round(seconds, 6),
        "msgs_per_s": round(n / seconds, 1) if (seconds > 0 and error is None) else 0.0,
        "p50_us": None if p50 is None else round(p50, 1),
        "p99_us": None if p99 is None else round(p99, 1),
        "connect_ms": None,
    }
    if connect is not None:
        rec["connect_ms"], rec["connect_p50_ms"], rec["connect_p99_ms"] = (round(x, 3) for x in connect)
    rec.update(received=received, inflight_window=WINDOW if A.qos > 0 else 0, url=A.url, ok=error is None)
    if error is not None:
        rec["error"] = str(error)
    sys.stdout.write(json.dumps(rec, separators=(",", ":")) + "\n")
    sys.stdout.flush()
    os._exit(0 if error is None else 1)


def make_client(tag):
    global _seq
    cid = f"bench-{CLIENT}-{os.getpid()}-{tag}-{_seq}"
    _seq += 1
    return mqttws.Client(
        A.url,
        client_id=cid,
        keepalive=60,
        clean_session=True,
        ca_file=A.cafile if A.url.startswith("wss://") else None,
        connect_timeout=A.timeout,
        operation_timeout=A.timeout,
    )


def connected(tag):
    c = make_client(tag)
    try:
        c.connect()
    except mqttws.MqttError as e:
        emit(error=f"connect ({tag}): {e!r}")
    return c


def topic():
    return f"bench/{CLIENT}/{os.getpid()}-{random.getrandbits(32):08x}"


def scenario_throughput():
    t = topic()
    n = A.count
    state = {"got": 0, "last": 0.0, "error": None}

    sub = connected("sub")
    sub.subscribe(t, qos=A.qos)
    deadline = time.perf_counter() + A.timeout

    def receive():
        got = 0
        recv = sub.recv
        try:
            while got < n:
                left = deadline - time.perf_counter()
                if left <= 0 or recv(timeout=left) is None:
                    break
                got += 1
        except mqttws.MqttError as e:
            state["error"] = f"subscriber: {e!r}"
        state["got"] = got
        state["last"] = time.perf_counter()

    rx = threading.Thread(target=receive, daemon=True)
    rx.start()
    pub = connected("pub")

    payload = b"x" * A.size
    qos = A.qos
    publish, corked = pub.publish, pub.corked
    t0 = time.perf_counter()
    try:
        for start in range(0, n, BATCH):
            with corked():
                for _ in range(min(BATCH, n - start)):
                    publish(t, payload, qos)
    except mqttws.MqttError as e:
        emit(error=f"publisher: {e!r}")
    rx.join(max(0.0, deadline - time.perf_counter()) + 1.0)
    if state["error"]:
        emit(received=state["got"], error=state["error"])
    if rx.is_alive() or state["got"] < n:
        emit(received=state["got"], error=f"timeout: received {state['got']} of {n}")
    secs = state["last"] - t0
    pub.disconnect()
    sub.disconnect()
    pub.close()
    sub.close()
    emit(seconds=secs, received=state["got"])


def scenario_latency():
    t = topic()
    c = connected("lat")
    c.subscribe(t, qos=A.qos)
    payload = b"x" * A.size
    qos = A.qos
    warm = min(A.count // 10, 100)
    rtt = []
    deadline = time.perf_counter() + A.timeout
    t_measure = time.perf_counter()
    publish, recv, clock = c.publish, c.recv, time.perf_counter
    try:
        for i in range(warm + A.count):
            if i == warm:
                t_measure = clock()
            t0 = clock()
            publish(t, payload, qos)
            if recv(timeout=max(0.001, deadline - clock())) is None:
                emit(error=f"timeout at round trip {i}")
            if i >= warm:
                rtt.append((clock() - t0) * 1e6)
    except mqttws.MqttError as e:
        emit(error=f"round trip: {e!r}")
    secs = time.perf_counter() - t_measure
    rtt.sort()
    c.disconnect()
    c.close()
    emit(seconds=secs, received=A.count, p50=pct(rtt, 50), p99=pct(rtt, 99))


def scenario_connect():
    ms = []
    t_start = time.perf_counter()
    # i == -1 is one unmeasured warm-up cycle (first-use costs: TLS init, CA load).
    for i in range(-1, A.count):
        if i == 0:
            t_start = time.perf_counter()
        if time.perf_counter() - t_start > A.timeout:
            emit(error=f"timeout after {i} connects")
        c = make_client("con")
        t0 = time.perf_counter()
        try:
            c.connect()  # TCP (+TLS) + WebSocket upgrade + CONNECT -> CONNACK
        except mqttws.MqttError as e:
            emit(error=f"connect: {e!r}")
        if i >= 0:
            ms.append((time.perf_counter() - t0) * 1e3)
        c.disconnect()
        c.close()
    secs = time.perf_counter() - t_start
    mean = sum(ms) / len(ms)
    ms.sort()
    emit(seconds=secs, connect=(mean, pct(ms, 50), pct(ms, 99)))


def main():
    if not A.url.startswith(("ws://", "wss://")):
        emit(error=f"unsupported URL {A.url}: mqttws speaks ws:// and wss:// only")
    # Hard stop in case something wedges where we do not time out.
    watchdog = threading.Timer(A.timeout + 5, lambda: emit(error="overall timeout"))
    watchdog.daemon = True
    watchdog.start()
    {"throughput": scenario_throughput, "latency": scenario_latency, "connect": scenario_connect}[A.scenario]()


if __name__ == "__main__":
    main()

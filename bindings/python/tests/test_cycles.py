"""10,000 create/connect/close cycles with stable memory.

mosquitto 2.0 services WebSocket handshakes once per main-loop turn, and an
idle broker turns every 100 ms: ~200 ms per connect. The `waker` fixture keeps
it busy (a PINGREQ every millisecond on a plain TCP connection), which brings
a connect down to ~1-2 ms, so that the cycles measure the client.
"""

from __future__ import annotations

import gc
import time

import mqttws
from helpers import rss_kib

CYCLES = 10_000
WARM_UP = 300
# A leak of 300 bytes per cycle would show; allocator noise stays well below.
MAX_GROWTH_KIB = 3 * 1024


def measure(n: int, cycle) -> tuple:
    for i in range(WARM_UP):
        cycle(i)
    gc.collect()
    before = rss_kib()
    t0 = time.monotonic()
    for i in range(n):
        cycle(i)
    elapsed = time.monotonic() - t0
    gc.collect()
    return before, rss_kib(), elapsed


def test_create_close_cycles(broker):
    def cycle(i: int) -> None:
        mqttws.Client(broker.wss_url, client_id=f"c{i}", ca_file=broker.ca_pem_path).close()

    before, after, elapsed = measure(CYCLES, cycle)
    print(f"{CYCLES} create/close (wss, TLS config built): {elapsed:.2f} s, RSS {before} -> {after} KiB")
    assert after - before < MAX_GROWTH_KIB


def test_create_connect_close_cycles(broker, waker):
    def cycle(i: int) -> None:
        c = mqttws.Client(broker.ws_url, client_id=f"cycle-{i % 16}")
        c.connect()
        c.close()

    before, after, elapsed = measure(CYCLES, cycle)
    print(
        f"{CYCLES} create/connect/close (ws): {elapsed:.2f} s ({elapsed / CYCLES * 1000:.2f} ms each), "
        f"RSS {before} -> {after} KiB"
    )
    assert after - before < MAX_GROWTH_KIB


def test_wss_connect_cycles(broker, waker):
    n = 1_000

    def cycle(i: int) -> None:
        with mqttws.Client(broker.wss_url, client_id=f"tls-{i % 16}", ca_file=broker.ca_pem_path) as c:
            c.connect()

    before, after, elapsed = measure(n, cycle)
    print(f"{n} create/connect/close (wss): {elapsed:.2f} s, RSS {before} -> {after} KiB")
    assert after - before < MAX_GROWTH_KIB

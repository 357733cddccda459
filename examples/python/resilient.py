#!/usr/bin/env python3
"""A device loop that survives outages: automatic reconnect, offline queue,
durable store, and the connection events from poll().

    python3 resilient.py ws://127.0.0.1:8080/mqtt --count 5 --interval 1
    python3 resilient.py wss://broker.example.com/mqtt --ca-file ca.pem --store-dir /tmp/readings

It publishes one QoS 1 reading per interval without waiting, and reports
what poll() says in between: acknowledgements, and while the link is down
"disconnected", "reconnecting in N s", "connected". Stop the broker or cut
the network while it runs: readings keep being accepted (queued offline,
and with --store-dir kept on disk across a crash) and are sent after the
reconnect. It ends once --count readings are acknowledged (or dropped by
the full offline queue).
"""

import argparse
import time
import uuid
from typing import Optional

import mqttws


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("url")
    p.add_argument("--topic", default=f"mqttws/demo/{uuid.uuid4().hex[:8]}")
    p.add_argument("--count", type=int, default=3)
    p.add_argument("--interval", type=float, default=1.0, help="seconds between readings")
    p.add_argument("--ca-file")
    p.add_argument("--store-dir", help="keep unacknowledged readings on disk here")
    a = p.parse_args()

    client = mqttws.Client(
        a.url,
        client_id=f"resilient-{uuid.uuid4().hex[:8]}",
        ca_file=a.ca_file,
        reconnect=mqttws.ReconnectPolicy(min_delay=0.5, max_delay=30.0),
        offline_queue=mqttws.OfflineQueue(max_messages=10_000, when_full="drop_oldest"),
        ws_ping=(30.0, 10.0),  # keeps idle-timeout proxies from closing the link
        store_dir=a.store_dir,
    )
    with client:
        client.connect()
        sent, settled = 0, 0
        next_reading = time.monotonic()
        while settled < a.count:
            now = time.monotonic()
            if sent < a.count and now >= next_reading:
                sent += 1
                handle = client.publish(a.topic, f"reading #{sent}", qos=1)
                print(f"reading #{sent} accepted (packet id {handle.packet_id})")
                next_reading = now + a.interval
            timeout: Optional[float] = max(0.0, next_reading - now) if sent < a.count else None
            event = client.poll(timeout=timeout)
            if isinstance(event, mqttws.Published):
                settled += 1
                print(f"packet {event.packet_id} acknowledged ({settled}/{a.count})")
            elif isinstance(event, mqttws.Disconnected):
                print(f"disconnected: {event.reason}")
            elif isinstance(event, mqttws.Reconnecting):
                print(f"reconnecting in {event.delay:.2f} s (attempt {event.attempt})")
            elif isinstance(event, mqttws.Connected):
                print(f"connected again (session present: {event.session_present})")
            elif isinstance(event, mqttws.Dropped):
                settled += 1
                print(f"the offline queue was full: dropped packet {event.packet_id}")
        client.disconnect()


if __name__ == "__main__":
    main()

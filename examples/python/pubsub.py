#!/usr/bin/env python3
"""Publish and subscribe with one client shared by two threads.

    python3 pubsub.py ws://127.0.0.1:8080/mqtt
    python3 pubsub.py wss://broker.example.com/mqtt --ca-file ca.pem --count 5

A receiving thread iterates over incoming messages while the main thread
publishes at QoS 1 and waits for each acknowledgement.
"""

import argparse
import threading
import uuid

import mqttws


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("url")
    p.add_argument("--topic", default=f"mqttws/demo/{uuid.uuid4().hex[:8]}")
    p.add_argument("--count", type=int, default=3)
    p.add_argument("--ca-file")
    a = p.parse_args()

    with mqttws.Client(a.url, client_id=f"pubsub-{uuid.uuid4().hex[:8]}", ca_file=a.ca_file) as client:
        client.connect()
        client.subscribe(a.topic, qos=1)

        say = threading.Lock()  # one line at a time from both threads

        def receive() -> None:
            for n, msg in enumerate(client.messages(timeout=5), 1):
                with say:
                    print(f"received on {msg.topic} (QoS {msg.qos}): {msg.payload.decode()}")
                if n == a.count:
                    return

        receiver = threading.Thread(target=receive)
        receiver.start()
        for i in range(1, a.count + 1):
            client.publish(a.topic, f"hello #{i}", qos=1, wait=True)
            with say:
                print(f"published hello #{i}")
        receiver.join()


if __name__ == "__main__":
    main()

"""The interop matrix's round trip through the Python package (docs/interop.md).

A subscriber and a publisher; the subscriber subscribes at QoS 1, the publisher
publishes at QoS 1 and waits for PUBACK, the subscriber receives the message
within 10 s. Exits 0 when all of that worked.

Environment (set by the Rust harness, tests/src/interop/checks.rs): MQTTWS_URL,
MQTTWS_TOPIC, and if needed MQTTWS_CA_FILE, MQTTWS_USERNAME, MQTTWS_PASSWORD.
"""

import os
import sys

import mqttws


def client(role: str) -> mqttws.Client:
    c = mqttws.Client(
        os.environ["MQTTWS_URL"],
        client_id=f"iop-py-{role}-{os.getpid()}",
        ca_file=os.environ.get("MQTTWS_CA_FILE"),
        username=os.environ.get("MQTTWS_USERNAME"),
        password=os.environ.get("MQTTWS_PASSWORD"),
    )
    c.connect()
    return c


def main() -> int:
    topic = os.environ["MQTTWS_TOPIC"]
    with client("sub") as sub, client("pub") as pub:
        sub.subscribe(topic, qos=1)
        pub.publish(topic, b"hello from Python", qos=1, wait=True)
        msg = sub.recv(timeout=10)
        if msg is None:
            print("roundtrip.py: no message within 10 s", file=sys.stderr)
            return 1
        if msg.payload != b"hello from Python":
            print(f"roundtrip.py: received {msg.payload!r}", file=sys.stderr)
            return 1
    print("roundtrip.py: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

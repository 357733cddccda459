#!/usr/bin/env python3
"""Tencent IoT Hub / IoT Explorer over wss:// with a key (PSK) device.

Secrets come from the environment, never from the command line:

    export TENCENT_PRODUCT_ID=ABCDEFGHIJ TENCENT_DEVICE_NAME=dev001
    export TENCENT_DEVICE_PSK=...          # the device key, base64, as the console shows it
    export TENCENT_REGION=ap-guangzhou     # optional
    python3 tencent.py

The device preset signs a fresh password (random connid, one-hour expiry) at
every connect. The topic defaults to the IoT Hub custom topic
{ProductId}/{DeviceName}/data; IoT Explorer devices use
$thing/up/property/{ProductId}/{DeviceName} (set TENCENT_TOPIC).
MQTTWS_URL and MQTTWS_CA_FILE point the example at a local test broker.
"""

import json
import os
import sys
import time

import mqttws
from mqttws.auth import TencentDevice


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        sys.exit(f"tencent.py: set {name} (see the docstring)")
    return value


def main() -> None:
    product_id, device_name = env("TENCENT_PRODUCT_ID"), env("TENCENT_DEVICE_NAME")
    device = TencentDevice(
        product_id,
        device_name,
        env("TENCENT_DEVICE_PSK"),
        region=os.environ.get("TENCENT_REGION", "ap-guangzhou"),
    )
    topic = os.environ.get("TENCENT_TOPIC", f"{product_id}/{device_name}/data")
    url = os.environ.get("MQTTWS_URL", device.url)
    print(f"connecting to {url} as {device.credentials().client_id}")
    with mqttws.Client(url, credentials=device, keepalive=240, ca_file=os.environ.get("MQTTWS_CA_FILE")) as client:
        client.connect()
        client.subscribe(topic, qos=1)
        report = {"method": "report", "clientToken": f"t-{int(time.time())}", "params": {"temperature": 21.5}}
        client.publish(topic, json.dumps(report), qos=1, wait=True)
        print(f"published to {topic}")
        msg = client.recv(timeout=5)
        print(f"received: {msg.payload.decode()}" if msg else "no message within 5 s")


if __name__ == "__main__":
    try:
        main()
    except mqttws.ConnectionRefused as e:
        sys.exit(f"refused (CONNACK code {e.code}): check the product id, device name and PSK")
    except mqttws.MqttError as e:
        sys.exit(f"tencent.py: {e}")

#!/usr/bin/env python3
"""Alibaba Cloud IoT Platform over wss:// with a device secret.

Secrets come from the environment, never from the command line:

    export ALIYUN_PRODUCT_KEY=a1B2c3D4e5F ALIYUN_DEVICE_NAME=dev001
    export ALIYUN_DEVICE_SECRET=...
    export ALIYUN_REGION=cn-shanghai       # old public instance, or:
    export ALIYUN_INSTANCE=iot-06z00...    # new public / Enterprise instance
    python3 aliyun.py

Alibaba refuses a keepalive outside 30..1200 s; the device preset checks it
before connecting. The topic defaults to the custom topic
/{ProductKey}/{DeviceName}/user/update (set ALIYUN_TOPIC).
MQTTWS_URL and MQTTWS_CA_FILE point the example at a local test broker.
"""

import json
import os
import sys

import mqttws
from mqttws.auth import AliyunDevice


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        sys.exit(f"aliyun.py: set {name} (see the docstring)")
    return value


def main() -> None:
    product_key, device_name = env("ALIYUN_PRODUCT_KEY"), env("ALIYUN_DEVICE_NAME")
    instance = os.environ.get("ALIYUN_INSTANCE")
    device = AliyunDevice(
        product_key,
        device_name,
        env("ALIYUN_DEVICE_SECRET"),
        region=None if instance else os.environ.get("ALIYUN_REGION", "cn-shanghai"),
        instance=instance,
    )
    topic = os.environ.get("ALIYUN_TOPIC", f"/{product_key}/{device_name}/user/update")
    url = os.environ.get("MQTTWS_URL") or device.url
    assert url is not None
    print(f"connecting to {url} as {device.credentials().client_id}")
    with mqttws.Client(url, credentials=device, keepalive=300, ca_file=os.environ.get("MQTTWS_CA_FILE")) as client:
        client.connect()
        client.subscribe(topic, qos=1)
        client.publish(topic, json.dumps({"temperature": 21.5}), qos=1, wait=True)
        print(f"published to {topic}")
        msg = client.recv(timeout=5)
        print(f"received: {msg.payload.decode()}" if msg else "no message within 5 s")


if __name__ == "__main__":
    try:
        main()
    except mqttws.ConnectionRefused as e:
        sys.exit(f"refused (CONNACK code {e.code}): check the product key, device name and secret")
    except mqttws.MqttError as e:
        sys.exit(f"aliyun.py: {e}")

"""The pytest plugin (entry point pytest11): the fixtures a rig author uses."""

from __future__ import annotations

import asyncio

import mqttws
from mqttws.pytest_plugin import MosquittoBroker


def test_five_line_broker_test(mqtt_client: mqttws.Client) -> None:
    mqtt_client.subscribe("rig/#", qos=1)
    mqtt_client.publish("rig/1", b"on", qos=1, wait=True)
    message = mqtt_client.recv(timeout=5)
    assert message is not None and message.payload == b"on"


def test_wss_and_async(mqtt_broker: MosquittoBroker) -> None:
    with mqtt_broker.client(tls=True) as c:
        c.connect()
        assert c.is_connected

    async def main() -> bytes:
        async with mqttws.AsyncClient(mqtt_broker.ws_url) as a:
            await a.subscribe("rig/async")
            await a.publish("rig/async", b"ok")
            m = await a.recv(timeout=5)
            assert m is not None
            return m.payload

    assert asyncio.run(main()) == b"ok"
    assert "running" in mqtt_broker.log

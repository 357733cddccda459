// Automatic reconnect across a real broker restart (same ports): events,
// offline queue, restored subscriptions, credentials signed per attempt.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import * as mqttws from "../pkg/index.js";
import { startBroker, within } from "./broker.mjs";

// A Tencent device, registered in mosquitto's password file under the
// user name and password its signer gives (fixed connid and expiry, so
// that every attempt signs the same).
const device = {
  productId: "ABCDEFGHIJ",
  deviceName: "dev001",
  psk: "AAECAwQFBgcICQoLDA0ODw==",
  connid: "abcde",
  expiry: "never",
  secure: false,
};
let broker;

before(async () => {
  const creds = mqttws.tencentCredentials(device);
  broker = await startBroker(["--user", creds.username, creds.password]);
});
after(() => broker.close());

function once(target, type) {
  return within(15_000, `a ${type} event`, new Promise((resolve) => target.addEventListener(type, resolve, { once: true })));
}

test("after a broker restart the client reconnects, re-signs, restores its subscription and sends the offline queue", async () => {
  let signed = 0;
  const c = await mqttws.connect(broker.info.ws_auth_url, {
    credentials: () => {
      signed += 1;
      return mqttws.tencentCredentials(device);
    },
    reconnect: { minDelayMs: 50, maxDelayMs: 200 },
    offlineQueue: { maxMessages: 10 },
    keepalive: 30,
  });
  try {
    assert.equal(c.clientId, "ABCDEFGHIJdev001");
    const topic = `js/${process.pid}/restart`;
    await c.subscribe(topic, 1);
    const disconnected = once(c, "disconnected");
    const reconnecting = once(c, "reconnecting");
    await broker.stop();
    assert.match((await disconnected).reason, /closed/);
    const r = await reconnecting;
    assert.equal(r.attempt, 1);
    assert.ok(r.delayMs >= 50 && r.delayMs <= 200, `delay ${r.delayMs}`);
    assert.equal(c.isConnected, false);

    // Accepted while the broker is down: waits in the offline queue.
    const offline = c.publish(topic, "sent while offline", { qos: 1 });
    assert.equal(c.inflight, 1);

    const connected = once(c, "connected");
    await broker.start();
    const e = await connected;
    assert.equal(e.sessionPresent, false, "mosquitto restarted without persistence");
    assert.ok(signed >= 2, `signed ${signed} times`);
    await within(10_000, "the offline publish's PUBACK", offline);
    // The subscription was restored. (The offline message went out right
    // after CONNACK, before the restoring SUBSCRIBE, so it may not come back
    // to this client itself.)
    await c.publish(topic, "after the restart", { qos: 1 });
    const payloads = [];
    for await (const m of c.messages()) {
      payloads.push(new TextDecoder().decode(m.payload));
      if (payloads.at(-1) === "after the restart") break;
    }
    assert.ok(payloads.every((p) => ["sent while offline", "after the restart"].includes(p)), payloads);
  } finally {
    await c.close();
  }
});

test("without reconnect a broker stop closes the client and rejects what is pending", async () => {
  const c = await mqttws.connect(broker.info.ws_auth_url, { credentials: mqttws.tencentCredentials(device) });
  const disconnected = once(c, "disconnected");
  await broker.stop();
  try {
    await disconnected;
    assert.equal(c.closed, true);
    await assert.rejects(c.publish("t", "x", { qos: 1 }), mqttws.ClosedError);
  } finally {
    await broker.start();
    await c.close();
  }
});

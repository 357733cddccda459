// The client against a real mosquitto over ws and wss: round trips at every
// QoS, concurrent publishes, async iteration, errors and panics.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";

import * as mqttws from "../pkg/index.js";
import { startBroker, within } from "./broker.mjs";

const text = (m) => new TextDecoder().decode(m.payload);
let broker;
let WssWebSocket; // the ws package trusting the test CA
let n = 0;
const id = () => `js-${process.pid}-${++n}`;

before(async () => {
  broker = await startBroker(["--user", "alice", "alice-secret"]);
  const ca = await readFile(broker.info.ca_pem_path);
  WssWebSocket = class extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols, { ca });
    }
  };
});
after(() => broker.close());

async function next(iterator, what = "a message") {
  const { value, done } = await within(10_000, what, iterator.next());
  assert.equal(done, false);
  return value;
}

for (const scheme of ["ws", "wss"]) {
  describe(`over ${scheme}`, () => {
    const options = () => (scheme === "wss" ? { WebSocket: WssWebSocket } : {});
    const url = () => broker.info[`${scheme}_url`];

    for (const qos of [0, 1, 2]) {
      test(`a QoS ${qos} message comes back with its topic, payload and QoS`, async () => {
        const c = await mqttws.connect(url(), { ...options(), clientId: id() });
        try {
          const topic = `js/${id()}/q${qos}`;
          assert.equal(await c.subscribe(topic, qos), qos);
          const messages = c.messages();
          const payload = new Uint8Array([0, 1, 2, 255, qos]);
          await c.publish(topic, payload, { qos });
          const m = await next(messages);
          assert.deepEqual([m.topic, [...m.payload], m.qos, m.retain, m.dup], [topic, [...payload], qos, false, false]);
          assert.ok(m.payload instanceof Uint8Array);
          assert.equal(c.inflight, 0);
        } finally {
          await c.close();
        }
      });
    }
  });
}

test("50 concurrent QoS 1 publishes all resolve (past the inflight window of 20) and all arrive", async () => {
  const c = await mqttws.connect(broker.info.ws_url, { clientId: id() });
  try {
    const topic = `js/${id()}/many`;
    await c.subscribe(topic, 1);
    await within(20_000, "50 PUBACKs", Promise.all(Array.from({ length: 50 }, (_, i) => c.publish(topic, `m${i}`, { qos: 1 }))));
    assert.equal(c.inflight, 0);
    const got = [];
    for await (const m of c.messages()) {
      got.push(text(m));
      if (got.length === 50) break;
    }
    assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => `m${i}`), "in order");
  } finally {
    await c.close();
  }
});

test("for await iterates messages from another client, retained first; close() ends the iteration", async () => {
  const topic = `js/${id()}/iter`;
  const publisher = await mqttws.connect(broker.info.ws_url, { clientId: id() });
  const reader = await mqttws.connect(broker.info.ws_url, { clientId: id() });
  try {
    await publisher.publish(topic, "retained", { qos: 1, retain: true });
    await reader.subscribe([topic], 1);
    const seen = [];
    const done = (async () => {
      for await (const m of reader.messages()) {
        seen.push([text(m), m.retain]);
        if (seen.length === 3) reader.close();
      }
    })();
    await publisher.publish(topic, "one", { qos: 1 });
    await publisher.publish(topic, "two", { qos: 2 });
    await within(10_000, "the iteration to end", done);
    assert.deepEqual(seen, [["retained", true], ["one", false], ["two", false]]);
    assert.equal(reader.closed, true);
    await assert.rejects(reader.publish(topic, "x"), mqttws.ClosedError);
    await publisher.publish(topic, "", { qos: 1, retain: true }); // clear the retained message
  } finally {
    await publisher.close();
    await reader.close();
  }
});

test("unsubscribe stops the delivery; the will is published when a client vanishes", async () => {
  const topic = `js/${id()}/unsub`;
  const c = await mqttws.connect(broker.info.ws_url, { clientId: id() });
  try {
    await c.subscribe([topic, `${topic}/will`], 1);
    await c.unsubscribe(topic);
    await c.publish(topic, "not delivered", { qos: 1 });
    // A client with a will whose socket dies without DISCONNECT.
    let socket;
    const Spy = class extends WebSocket {
      constructor(...args) {
        super(...args);
        socket = this;
      }
    };
    const doomed = await mqttws.connect(broker.info.ws_url, {
      clientId: id(),
      WebSocket: Spy,
      will: { topic: `${topic}/will`, payload: "gone", qos: 1 },
    });
    socket.terminate();
    const messages = c.messages();
    const m = await next(messages, "the will");
    assert.deepEqual([m.topic, text(m)], [`${topic}/will`, "gone"]);
    assert.equal(doomed.closed, true, "without reconnect a drop closes the client");
    // close() sends DISCONNECT: the broker discards that client's will.
    const polite = await mqttws.connect(broker.info.ws_url, { clientId: id(), will: { topic: `${topic}/will`, payload: "not sent" } });
    await polite.close();
    await c.publish(`${topic}/will`, "marker", { qos: 1 });
    assert.equal(text(await next(messages, "the marker")), "marker");
  } finally {
    await c.close();
  }
});

test("user name and password reach CONNECT; a wrong password is ConnectionRefused with the CONNACK code", async () => {
  const good = await mqttws.connect(broker.info.ws_auth_url, { clientId: id(), username: "alice", password: "alice-secret" });
  await good.close();
  const err = await mqttws.connect(broker.info.ws_auth_url, { clientId: id(), username: "alice", password: "wrong" }).then(
    () => assert.fail("connected with a wrong password"),
    (e) => e,
  );
  assert.ok(err instanceof mqttws.ConnectionRefused, err);
  assert.ok(err instanceof mqttws.MqttError && err instanceof Error);
  assert.ok([4, 5].includes(err.code), `code ${err.code}`);
  assert.ok(!err.message.includes("wrong"), "the password is not in the message");
  await assert.rejects(
    mqttws.connect(broker.info.ws_url, { clientId: id(), password: "no user name" }),
    (e) => e instanceof mqttws.InvalidArgument && /user name/.test(e.message),
  );
});

test("a refused TCP connection is an IoError; an invalid topic is InvalidArgument and sends nothing", async () => {
  const { tcp_port: port } = broker.info; // not a WebSocket listener: the upgrade fails
  await assert.rejects(mqttws.connect(`ws://127.0.0.1:${port}/mqtt`, { clientId: id(), connectTimeoutMs: 5000 }), (e) =>
    e instanceof mqttws.IoError || e instanceof mqttws.HandshakeError,
  );
  const c = await mqttws.connect(broker.info.ws_url, { clientId: id() });
  try {
    await assert.rejects(c.publish("a/+/b", "x"), mqttws.InvalidArgument);
    await assert.rejects(c.publish("a", "x", { qos: 3 }), mqttws.InvalidArgument);
    await assert.rejects(c.subscribe("a/#/b"), mqttws.InvalidArgument);
    assert.equal(c.isConnected, true, "the connection stays up");
  } finally {
    await c.close();
  }
});

test("a keepalive outside the platform's range is refused before connecting", async () => {
  const creds = mqttws.aliyunCredentials({ productKey: "pk", deviceName: "d", deviceSecret: "s", secure: false });
  await assert.rejects(
    mqttws.connect(broker.info.ws_url, { credentials: creds, keepalive: 10 }),
    (e) => e instanceof mqttws.InvalidArgument && /30\.\.=1200/.test(e.message),
  );
});

test("a panic in the engine rejects with PanicError and closes only that client", async () => {
  const victim = await mqttws.connect(broker.info.ws_url, { clientId: id() });
  const bystander = await mqttws.connect(broker.info.ws_url, { clientId: id() });
  try {
    const pending = victim.publish(`js/${id()}`, "x", { qos: 1 }); // may or may not complete before the panic
    assert.throws(() => victim._panicForTests(), mqttws.PanicError);
    await pending.catch((e) => assert.ok(e instanceof mqttws.PanicError, e));
    assert.equal(victim.closed, true);
    await assert.rejects(victim.publish("t", "x"), mqttws.ClosedError);
    const topic = `js/${id()}/alive`;
    await bystander.subscribe(topic, 1);
    await bystander.publish(topic, "still here", { qos: 1 });
    assert.equal(text(await next(bystander.messages())), "still here");
  } finally {
    await victim.close();
    await bystander.close();
  }
});

test("Node's own global WebSocket (node --experimental-websocket) is used when present", async () => {
  // A child Node, so that the global exists from the start; it never loads ws.
  const script = `
    import { connect } from ${JSON.stringify(new URL("../pkg/index.js", import.meta.url).href)};
    const c = await connect(process.argv[1], { clientId: "global-ws" });
    await c.subscribe("js/global", 2);
    await c.publish("js/global", "via the global WebSocket", { qos: 2 });
    const { value } = await c.messages().next();
    console.log(typeof WebSocket, new TextDecoder().decode(value.payload));
    await c.close();`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--experimental-websocket", "--no-warnings", "--input-type=module", "-e", script, broker.info.ws_url],
    { timeout: 20_000 },
  );
  assert.equal(stdout.trim(), "function via the global WebSocket");
});

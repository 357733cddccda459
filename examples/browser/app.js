// A Tencent or Alibaba device in a web page: signs with the mqttws engine,
// connects over the browser's WebSocket, subscribes to its topic and logs
// what arrives. Served with the package at ./pkg/ (see serve.mjs).
import { aliyunCredentials, connect, tencentCredentials } from "./pkg/index.js";

const $ = (id) => document.getElementById(id);
const fields = ["platform", "url", "productId", "deviceName", "secret", "method", "connid", "expiry",
  "timestamp", "clientId", "now", "topic", "payload", "qos"];

// Prefill from the query string, so that a link (or a test) can set a device up.
const query = new URLSearchParams(location.search);
for (const f of fields) if (query.has(f)) $(f).value = query.get(f);

let client = null;

function log(text, error = false) {
  const line = document.createElement("div");
  line.textContent = `${new Date().toISOString().slice(11, 23)} ${text}`;
  if (error) line.className = "error";
  $("log").append(line);
  $("log").scrollTop = $("log").scrollHeight;
}

const optional = (id) => $(id).value.trim() || undefined;
const number = (id) => (optional(id) === undefined ? undefined : Number(optional(id)));

/** Signs for the form's device, now (every reconnect calls it again). */
function credentials() {
  const now = number("now");
  if ($("platform").value === "aliyun") {
    return aliyunCredentials({
      productKey: $("productId").value.trim(),
      deviceName: $("deviceName").value.trim(),
      deviceSecret: $("secret").value,
      clientId: optional("clientId"),
      timestamp: number("timestamp"),
      method: optional("method"),
      // securemode follows the scheme of the URL actually used.
      secure: !($("url").value.trim().startsWith("ws:")),
      now,
    });
  }
  return tencentCredentials({
    productId: $("productId").value.trim(),
    deviceName: $("deviceName").value.trim(),
    psk: $("secret").value,
    method: optional("method"),
    connid: optional("connid"),
    expiry: number("expiry"),
    secure: !($("url").value.trim().startsWith("ws:")),
    now,
  });
}

function topic() {
  return optional("topic") ?? ($("platform").value === "aliyun"
    ? `/${$("productId").value.trim()}/${$("deviceName").value.trim()}/user/get`
    : `${$("productId").value.trim()}/${$("deviceName").value.trim()}/data`);
}

function showCredentials(c) {
  $("credClientId").value = c.clientId;
  $("credUsername").value = c.username ?? "";
  $("credPassword").value = c.password ?? "";
}

$("sign").addEventListener("click", () => {
  try {
    showCredentials(credentials());
  } catch (e) {
    log(`${e.name}: ${e.message}`, true);
  }
});

$("connect").addEventListener("click", async () => {
  $("connect").disabled = true;
  $("status").value = "connecting";
  try {
    const first = credentials();
    showCredentials(first);
    client = await connect(optional("url") ?? null, {
      credentials: credentials,
      keepalive: 60,
      reconnect: { minDelayMs: 500, maxDelayMs: 10_000 },
    });
    for (const type of ["connected", "disconnected", "reconnecting"]) {
      client.addEventListener(type, (e) => {
        $("status").value = type;
        log(`${type}${e.reason ? `: ${e.reason}` : ""}${e.delayMs ? ` (retry in ${Math.round(e.delayMs)} ms)` : ""}`);
      });
    }
    const t = topic();
    await client.subscribe(t, 1);
    log(`connected as ${client.clientId}; subscribed to ${t}`);
    $("status").value = "connected";
    $("publish").disabled = $("disconnect").disabled = false;
    const decoder = new TextDecoder();
    for await (const m of client.messages()) {
      log(`received on ${m.topic} (QoS ${m.qos}): ${decoder.decode(m.payload)}`);
    }
  } catch (e) {
    log(`${e.name}: ${e.message}`, true);
    $("status").value = "failed";
    $("connect").disabled = false;
  }
});

$("publish").addEventListener("click", async () => {
  try {
    await client.publish(topic(), $("payload").value, { qos: Number($("qos").value) });
    log(`published to ${topic()}`);
  } catch (e) {
    log(`${e.name}: ${e.message}`, true);
  }
});

$("disconnect").addEventListener("click", async () => {
  await client.close();
  $("status").value = "disconnected";
  $("publish").disabled = $("disconnect").disabled = true;
  $("connect").disabled = false;
  log("disconnected");
});

// Compiled by `tsc --noEmit` (make js-test): a program written against the
// package's declarations, so that index.d.ts stays usable and complete.
import {
  Client,
  ClosedError,
  connect,
  Credentials,
  MqttError,
  type MqttEvent,
  type Message,
  tencentCredentials,
  aliyunCredentials,
  awsCredentials,
  awsCustomAuthCredentials,
  azureCredentials,
  huaweiCredentials,
  TimeoutError,
  ConnectionRefused,
} from "../pkg/index.js";

export async function device(): Promise<void> {
  const provider = (): Credentials =>
    tencentCredentials({ productId: "ABCDEFGHIJ", deviceName: "dev001", psk: "AAECAwQFBgcICQoLDA0ODw==", expiry: { ttl: 600 } });
  const client: Client = await connect(null, {
    credentials: provider,
    keepalive: 240,
    reconnect: { minDelayMs: 500, maxDelayMs: 30_000, restoreSubscriptions: true },
    offlineQueue: { maxMessages: 100, whenFull: "dropOldest" },
    will: { topic: "status", payload: new Uint8Array([0]), qos: 1, retain: true },
    connectTimeoutMs: 5000,
  });
  client.addEventListener("reconnecting", (e: MqttEvent) => console.log(e.delayMs, e.attempt));
  const granted: 0 | 1 | 2 | null = await client.subscribe("a/#", 1);
  const all: Array<0 | 1 | 2 | null> = await client.subscribe(["b", "c"], 2);
  await client.publish("a/b", "text", { qos: 2, retain: false });
  await client.publish("a/b", new Uint8Array(3));
  for await (const m of client.messages()) {
    const payload: Uint8Array = m.payload;
    const topic: string = m.topic;
    console.log(topic, payload.length, m.qos, m.retain, m.dup, granted, all);
    break;
  }
  const first: IteratorResult<Message> = await client.messages().next();
  console.log(first.done, client.isConnected, client.closed, client.inflight, client.clientId);
  await client.unsubscribe(["a/#"]);
  await client.close();
}

export function signers(): string[] {
  const now = new Date();
  const list: Credentials[] = [
    aliyunCredentials({ productKey: "pk", deviceName: "d", deviceSecret: "s", timestamp: "now", method: "hmacsha1", now }),
    awsCredentials({ host: "h-ats.iot.us-east-1.amazonaws.com", accessKeyId: "A", secretAccessKey: "S", clientId: "c", now: 0 }),
    awsCustomAuthCredentials({ host: "h", clientId: "c", queryString: true }),
    azureCredentials({ hub: "h.azure-devices.net", deviceId: "d", key: "AAAA", ttl: 60 }),
    huaweiCredentials({ host: "h", deviceId: "d", secret: "s", checkTimestamp: true }),
  ];
  return list.map((c) => `${c.clientId} ${c.username ?? ""} ${c.password ?? ""} ${c.url ?? ""} ${c.endpoint ?? ""}`);
}

export function kinds(e: unknown): string {
  if (e instanceof TimeoutError) return `timeout ${e.phase ?? ""}`;
  if (e instanceof ConnectionRefused) return `refused ${e.code}`;
  if (e instanceof ClosedError) return "closed";
  return e instanceof MqttError ? e.name : "other";
}

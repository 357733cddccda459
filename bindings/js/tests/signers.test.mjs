// Every signer against the reference vectors of
// ../shared/reference/platform-auth.md (the same ones as the Rust, C,
// Python and Go suites), plus the secrecy of what they return.
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";

import * as mqttws from "../pkg/index.js";

const tencent = {
  productId: "ABCDEFGHIJ",
  deviceName: "dev001",
  psk: "AAECAwQFBgcICQoLDA0ODw==",
  connid: "abcde",
  expiry: 1700000000,
  now: new Date(1_699_999_000_000),
};

test("Tencent: client id, user name and the hmacsha1 and hmacsha256 passwords", () => {
  const sha1 = mqttws.tencentCredentials({ ...tencent, method: "hmacsha1" });
  assert.equal(sha1.clientId, "ABCDEFGHIJdev001");
  assert.equal(sha1.username, "ABCDEFGHIJdev001;12010126;abcde;1700000000");
  assert.equal(sha1.password, "4503b73274d953b0d5cf14777dbddbd2d9ae67b6;hmacsha1");
  const sha256 = mqttws.tencentCredentials({ ...tencent, now: 1_699_999_000_000 });
  assert.equal(sha256.password, "ee0578a13c87a73422451cef483983c7681f1e954149f82f799a29bb961ecd03;hmacsha256");
  assert.equal(sha256.endpoint, "wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt");
  assert.deepEqual(sha256.keepaliveRange, [0, 900]);
});

test("Tencent: an expiry in the past is refused, a bad PSK is an AuthError without the PSK", () => {
  assert.throws(() => mqttws.tencentCredentials({ ...tencent, now: undefined }), mqttws.InvalidArgument);
  assert.throws(
    () => mqttws.tencentCredentials({ ...tencent, psk: "not-base64-SECRET!" }),
    (e) => e instanceof mqttws.AuthError && !e.message.includes("SECRET"),
  );
  assert.throws(() => mqttws.tencentCredentials({ ...tencent, productId: undefined }), mqttws.InvalidArgument);
  assert.throws(
    () => mqttws.tencentCredentials({ ...tencent, productID: "x" }),
    (e) => e instanceof mqttws.InvalidArgument && /unknown option "productID"/.test(e.message),
  );
  assert.throws(() => mqttws.tencentCredentials({ ...tencent, expiry: "soon" }), mqttws.InvalidArgument);
});

test("Alibaba: the documented example with each method, ws and wss", () => {
  const base = { productKey: "pk", deviceName: "device", deviceSecret: "secret", clientId: "12345", timestamp: 789 };
  const sha1 = mqttws.aliyunCredentials({ ...base, method: "hmacsha1", secure: false });
  assert.equal(sha1.clientId, "12345|securemode=3,signmethod=hmacsha1,timestamp=789|");
  assert.equal(sha1.username, "device&pk");
  assert.equal(sha1.password, "FAFD82A3D602B37FB0FA8B7892F24A477F851A14");
  const sha256 = mqttws.aliyunCredentials({ ...base, lowercaseHex: true });
  assert.equal(sha256.clientId, "12345|securemode=2,signmethod=hmacsha256,timestamp=789|");
  assert.equal(sha256.password, "6074a46a91b1ebb2cc4ea42790ad0e80202c9843859fc292e57c4eb19fad9e57");
  const md5 = mqttws.aliyunCredentials({ ...base, method: "hmacmd5" });
  assert.equal(md5.password, "14B198324FE55E1D3C88F2E705E201EE");
  assert.throws(() => mqttws.aliyunCredentials({ ...base, method: "sha512" }), mqttws.InvalidArgument);
});

test("AWS SigV4: the presigned URL of variant A, and the session token appended after signing", () => {
  const base = {
    host: "example-ats.iot.us-east-1.amazonaws.com",
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    clientId: "thing",
    now: Date.UTC(2015, 7, 30, 12, 36, 0),
  };
  const a = mqttws.awsCredentials(base);
  assert.equal(
    a.url,
    "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fiotdevicegateway%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=026c20a61bae0c9e109ab3720b96164d965f64dfc0dd03bfc9f1152ab1d323f9",
  );
  assert.equal(a.clientId, "thing");
  assert.equal(a.username, null);
  const t = mqttws.awsCredentials({ ...base, sessionToken: "AQoDYXdzEXAMPLETOKEN+/=" });
  assert.ok(t.url.startsWith(a.url), "same signature");
  assert.ok(t.url.endsWith("&X-Amz-Security-Token=AQoDYXdzEXAMPLETOKEN%2B%2F%3D"));
});

test("AWS custom authorizer: query-string mode for browsers, header mode refused by connect()", async () => {
  const base = { host: "example-ats.iot.us-east-1.amazonaws.com", clientId: "thing", authorizerName: "auth", tokenKeyName: "tok", token: "T0KEN" };
  const q = mqttws.awsCustomAuthCredentials({ ...base, queryString: true });
  assert.equal(q.url, "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt?x-amz-customauthorizer-name=auth&tok=T0KEN");
  assert.deepEqual(q.headers, []);
  const h = mqttws.awsCustomAuthCredentials(base);
  assert.deepEqual(h.headers.map(([k]) => k).sort(), ["tok", "x-amz-customauthorizer-name"]);
  await assert.rejects(mqttws.connect(null, { credentials: h }), (e) => e instanceof mqttws.InvalidArgument && /query-string/.test(e.message));
});

test("Azure: the SAS token and user name of the reference device", () => {
  const c = mqttws.azureCredentials({
    hub: "myhub.azure-devices.net",
    deviceId: "dev001",
    key: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    now: (1_700_000_000 - 3600) * 1000,
  });
  assert.equal(c.clientId, "dev001");
  assert.equal(c.username, "myhub.azure-devices.net/dev001/?api-version=2021-04-12");
  assert.equal(
    c.password,
    "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdev001&sig=IyzAVunfpol%2Bok6JBPSlNvjj7eJ8GKMNNYoV7bsMqiw%3D&se=1700000000",
  );
  assert.equal(c.endpoint, "wss://myhub.azure-devices.net/$iothub/websocket?iothub-no-client-cert=true");
});

test("Huawei: client id and password for the UTC hour of now", () => {
  const c = mqttws.huaweiCredentials({
    host: "iot-mqtts.cn-north-4.myhuaweicloud.com",
    deviceId: "65a1b2c3d4e5f6a7b8c9d0e1_dev001",
    secret: "mySecret123",
    now: new Date("2024-01-01T12:34:56Z"),
  });
  assert.equal(c.clientId, "65a1b2c3d4e5f6a7b8c9d0e1_dev001_0_0_2024010112");
  assert.equal(c.username, "65a1b2c3d4e5f6a7b8c9d0e1_dev001");
  assert.equal(c.password, "5cbe3a5a502c0c74bab04dc9cc4a88e499e4dc1e207a742ca1ffc753a4266679");
});

test("credentials hide their secrets from JSON, console.log and util.inspect", () => {
  const c = mqttws.tencentCredentials({ ...tencent, method: "hmacsha1" });
  for (const shown of [JSON.stringify(c), inspect(c), inspect({ nested: c }), String(Object.values(c))]) {
    assert.ok(!shown.includes("4503b73274d953b0"), shown);
  }
  assert.ok(JSON.stringify(c).includes("ABCDEFGHIJdev001"));
  assert.throws(() => { c.password = "x"; }, TypeError, "frozen");
});

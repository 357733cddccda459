// The example page (examples/browser) in Debian's headless Chromium, driven
// by selenium through Debian's chromium-driver: a signer vector shown in the
// DOM, and a round trip through mosquitto over ws and over wss.
//
// wss: Chromium does not read the test CA from a file. The test instead
// passes --ignore-certificate-errors-spki-list with the SHA-256 of the
// server certificate's public key, which makes Chromium accept exactly that
// key (and nothing else it would otherwise refuse); it takes effect only
// with --user-data-dir, which the test gives anyway (a fresh one per run).
// An NSS database with the CA would also work, but needs certutil and
// Chromium's profile layout; the flag needs nothing.
import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { Builder, By, until } from "selenium-webdriver";
import chrome from "selenium-webdriver/chrome.js";

import { serve } from "../../../examples/browser/serve.mjs";
import { startBroker } from "./broker.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const CHROMEDRIVER = process.env.CHROMEDRIVER ?? "/usr/bin/chromedriver";
const WAIT = 20_000;

let broker;
let server;
let driver;
let profile;

before(async () => {
  for (const path of [CHROMIUM, CHROMEDRIVER]) {
    assert.ok(existsSync(path), `${path} is missing: apt-get install chromium chromium-driver (make deps)`);
  }
  broker = await startBroker();
  server = await serve();
  const cert = new X509Certificate(await readFile(broker.info.server_cert_path));
  const spki = createHash("sha256").update(cert.publicKey.export({ type: "spki", format: "der" })).digest("base64");
  profile = await mkdtemp(join(tmpdir(), "mqttws-chromium-"));
  const options = new chrome.Options()
    .setChromeBinaryPath(CHROMIUM)
    .addArguments(
      "--headless",
      "--no-sandbox", // root in CI
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
      `--ignore-certificate-errors-spki-list=${spki}`,
    );
  // Both paths given: selenium's own driver download (selenium-manager) never runs.
  driver = await new Builder()
    .forBrowser("chrome")
    .setChromeOptions(options)
    .setChromeService(new chrome.ServiceBuilder(CHROMEDRIVER))
    .build();
  await driver.manage().setTimeouts({ script: WAIT, pageLoad: WAIT });
});

after(async () => {
  await driver?.quit();
  await server?.close();
  await broker?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

async function open(params) {
  await driver.get(`${server.url}?${new URLSearchParams(params)}`);
  // The module has loaded (wasm included) once the page answers the sign button.
  await driver.wait(until.elementLocated(By.id("sign")), WAIT);
}

async function textOf(id, predicate, what) {
  const element = await driver.findElement(By.id(id));
  await driver.wait(async () => predicate(await element.getText()), WAIT, what);
  return element.getText();
}

const errors = () => driver.findElements(By.css("#log .error"));

test("the page signs the Tencent reference vector (hmacsha1) and shows it", async () => {
  await open({
    platform: "tencent",
    productId: "ABCDEFGHIJ",
    deviceName: "dev001",
    secret: "AAECAwQFBgcICQoLDA0ODw==",
    method: "hmacsha1",
    connid: "abcde",
    expiry: "1700000000",
    now: "1699999000000",
  });
  await driver.findElement(By.id("sign")).click();
  const password = await textOf("credPassword", (t) => t !== "", "the password in the DOM");
  assert.equal(password, "4503b73274d953b0d5cf14777dbddbd2d9ae67b6;hmacsha1");
  assert.equal(await driver.findElement(By.id("credUsername")).getText(), "ABCDEFGHIJdev001;12010126;abcde;1700000000");
  assert.equal((await errors()).length, 0);
});

for (const scheme of ["ws", "wss"]) {
  test(`an Alibaba device round-trips a QoS 1 message through mosquitto over ${scheme}`, async () => {
    const payload = `hello over ${scheme} ${process.pid}`;
    await open({
      platform: "aliyun",
      url: broker.info[`${scheme}_url`],
      productId: "a1B2c3D4e5F",
      deviceName: `dev-${scheme}`,
      secret: "device-secret",
      payload,
    });
    await driver.findElement(By.id("connect")).click();
    await textOf("status", (t) => t === "connected" || t === "failed", "the connection");
    assert.deepEqual(await Promise.all((await errors()).map((e) => e.getText())), []);
    assert.equal(await driver.findElement(By.id("status")).getText(), "connected");
    // Alibaba's client id carries the securemode of the scheme actually used.
    const clientId = await driver.findElement(By.id("credClientId")).getText();
    assert.match(clientId, new RegExp(`securemode=${scheme === "wss" ? 2 : 3},signmethod=hmacsha256`));
    await driver.findElement(By.id("publish")).click();
    const log = await textOf("log", (t) => t.includes(`received on /a1B2c3D4e5F/dev-${scheme}/user/get (QoS 1): ${payload}`), "the message back");
    assert.match(log, /published to/);
    await driver.findElement(By.id("disconnect")).click();
    await textOf("status", (t) => t === "disconnected", "the disconnect");
  });
}

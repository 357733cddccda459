// The test broker for the JS suites: tests crate's mqttws-test-broker
// (MQTTWS_TEST_BROKER) runs a real mosquitto on free loopback ports, prints
// one JSON line (URLs, ports, CA path), restarts on `stop`/`start` lines,
// and stops when its stdin closes. Every wait here is bounded.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** Resolves `promise`, or rejects after `ms` with a message naming `what`. */
export function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts mosquitto. `args`: extra arguments (`--user NAME PASS`...).
 * Resolves with `{ info, stop(), start(), close() }`; stop/start restart it
 * on the same ports and resolve with the new JSON line.
 */
export async function startBroker(args = []) {
  const bin = process.env.MQTTWS_TEST_BROKER;
  if (!bin) throw new Error("MQTTWS_TEST_BROKER is not set (make js-test sets it)");
  const child = spawn(bin, args, { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async (what) => {
    const { value, done } = await within(30_000, what, lines.next());
    if (done) throw new Error(`mqttws-test-broker exited during ${what}`);
    return JSON.parse(value);
  };
  const info = await nextLine("broker start-up");
  const command = (c) => {
    child.stdin.write(`${c}\n`);
    return nextLine(`broker ${c}`);
  };
  return {
    info,
    stop: () => command("stop"),
    start: () => command("start"),
    close: () =>
      within(15_000, "broker shutdown", new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", resolve);
        child.stdin.end();
      })),
  };
}

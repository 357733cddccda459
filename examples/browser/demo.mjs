// make demo-browser: a throwaway mosquitto on loopback and the device page,
// until Ctrl-C. mosquitto's ws listener takes any user name and password,
// so the signed credentials are shown but not checked.
import { serve } from "./serve.mjs";
import { startBroker } from "../../bindings/js/tests/broker.mjs";

const broker = await startBroker();
const server = await serve();
const page = (platform, id, name, secret) =>
  `${server.url}?${new URLSearchParams({ platform, url: broker.info.ws_url, productId: id, deviceName: name, secret })}`;
console.log(`mosquitto: ${broker.info.ws_url} (and ${broker.info.wss_url}, test CA ${broker.info.ca_pem_path})`);
console.log(`a Tencent device:  ${page("tencent", "ABCDEFGHIJ", "dev001", "AAECAwQFBgcICQoLDA0ODw==")}`);
console.log(`an Alibaba device: ${page("aliyun", "a1B2c3D4e5F", "dev001", "secret")}`);
console.log("Open one in a browser on this machine; Ctrl-C stops.");
await new Promise((resolve) => process.once("SIGINT", resolve));
await server.close();
await broker.close();

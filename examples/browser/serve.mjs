// A static server on a free loopback port for the browser example: the
// page from examples/browser/ and the built package (bindings/js/pkg/) at
// /pkg/. Used by demo.mjs (make demo-browser) and the browser test.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const pkg = fileURLToPath(new URL("../../bindings/js/pkg/", import.meta.url));

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

/** Starts the server; resolves with `{ url, close() }`. */
export async function serve() {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const [root, rest] = path.startsWith("/pkg/") ? [pkg, path.slice(5)] : [here, path.slice(1) || "index.html"];
    const file = normalize(join(root, rest));
    if (!file.startsWith(root) || ![".html", ".js", ".wasm"].includes(extname(file))) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": types[extname(file)], "cache-control": "no-store" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections(); // the browser's keep-alive connections
      }),
  };
}

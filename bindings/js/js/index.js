// mqttws for browsers and Node 20+: the driver around the wasm engine.
//
// Everything about MQTT (packet ids, QoS 1/2 flows, keepalive, DUP
// retransmission, the offline queue, reconnect back-off, subscription
// restore) and every signer runs in Rust (src/lib.rs over the mqttws core).
// This file only owns what the engine must not: the WebSocket (the
// browser's, Node's global one, or the npm `ws` package), one timer, and
// the promises and async iterators the application sees. Types and
// contracts: index.d.ts.

import init, * as wasm from "./wasm.js";

// One module for both worlds: browsers fetch the .wasm next to this file,
// Node reads it from disk (its fetch() does not take file: URLs).
const wasmUrl = new URL("./wasm_bg.wasm", import.meta.url);
if (wasmUrl.protocol === "file:") {
  const { readFile } = await import("node:fs/promises");
  await init({ module_or_path: await readFile(wasmUrl) });
} else {
  await init({ module_or_path: wasmUrl });
}

// ------------------------------------------------------------------ errors

/** Base class of every mqttws error. */
export class MqttError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = new.target.name;
  }
}
/** A deadline passed; `phase` says which. */
export class TimeoutError extends MqttError {
  constructor(message, { phase } = {}) {
    super(message);
    this.phase = phase ?? null;
  }
}
/** The network failed (connection refused or reset, host unreachable...). */
export class IoError extends MqttError {}
/** TLS failed (Node with `ws`; browsers report TLS failures as closes). */
export class TlsError extends MqttError {}
/** The WebSocket upgrade failed (refused, or no `mqtt` subprotocol). */
export class HandshakeError extends MqttError {
  constructor(message, { status } = {}) {
    super(message);
    this.status = status ?? null;
  }
}
/** The broker refused CONNECT; `code` is the CONNACK return code (1-5). */
export class ConnectionRefused extends MqttError {
  constructor(message, { code } = {}) {
    super(message);
    this.code = code ?? 0;
  }
}
/** The server broke MQTT or WebSocket rules. */
export class ProtocolError extends MqttError {}
/** An argument is invalid; nothing was sent. */
export class InvalidArgument extends MqttError {}
/** The connection is not open, or the client was closed. */
export class ClosedError extends MqttError {}
/** Kept for the kinds of the other faces; the JS face never interrupts. */
export class Interrupted extends MqttError {}
/** Credentials could not be built (PSK not base64, key of the wrong type...). */
export class AuthError extends MqttError {}
/** A proxy refused the tunnel (kept for the kinds of the other faces). */
export class ProxyError extends MqttError {}
/** The offline queue is full, or dropped this message to make room. */
export class QueueFullError extends MqttError {}
/** MQTT 5: the broker refused a message; `code` is its reason code (kept
 * for the kinds of the other faces: the JS face speaks MQTT 3.1.1). */
export class RejectedError extends MqttError {
  constructor(message, { code } = {}) {
    super(message);
    this.code = code ?? 0;
  }
}
/** The engine panicked (a bug): this client is dead, others go on. */
export class PanicError extends MqttError {}

const classes = {
  Timeout: TimeoutError,
  Io: IoError,
  Tls: TlsError,
  Handshake: HandshakeError,
  ConnectionRefused,
  Protocol: ProtocolError,
  InvalidArgument,
  Closed: ClosedError,
  Interrupted,
  Auth: AuthError,
  Proxy: ProxyError,
  QueueFull: QueueFullError,
  Rejected: RejectedError,
};

/** A thrown engine error object `{ kind, message, ... }` as its class, or null. */
function fromEngine(e) {
  if (e === null || typeof e !== "object" || typeof e.kind !== "string" || e instanceof Error) {
    return null;
  }
  const Class = classes[e.kind] ?? MqttError;
  return new Class(e.message, e);
}

/** Calls a signer or free engine function: engine errors become classes. */
function call(fn) {
  try {
    return fn();
  } catch (e) {
    throw fromEngine(e) ?? e;
  }
}

// ----------------------------------------------------------------- signers

/** Milliseconds since the epoch from a Date, a number of milliseconds or undefined (now). */
function wallClock(now) {
  if (now === undefined || now === null) return Date.now();
  if (now instanceof Date) return now.getTime();
  if (typeof now === "number") return now;
  throw new TypeError("now must be a Date, milliseconds since the epoch, or undefined");
}

/**
 * What a connection attempt presents. Secrets (`password`, `url`, header
 * values) are readable but hidden from JSON.stringify, console.log and
 * util.inspect.
 */
export class Credentials {
  #password;
  #url;
  #headers;
  constructor({ clientId, username, password, url, headers, endpoint, keepaliveRange, platform }) {
    this.clientId = clientId;
    this.username = username ?? null;
    this.endpoint = endpoint ?? null;
    this.keepaliveRange = keepaliveRange ?? null;
    this.platform = platform ?? null;
    this.#password = password ?? null;
    this.#url = url ?? null;
    this.#headers = (headers ?? []).map(([k, v]) => [k, v]);
    Object.freeze(this);
  }
  get password() {
    return this.#password;
  }
  get url() {
    return this.#url;
  }
  get headers() {
    return this.#headers.map(([k, v]) => [k, v]);
  }
  toJSON() {
    return {
      clientId: this.clientId,
      username: this.username,
      password: this.#password === null ? null : "<redacted>",
      url: this.#url === null ? null : "<redacted>",
      headers: this.#headers.map(([k]) => [k, "<redacted>"]),
      endpoint: this.endpoint,
    };
  }
  [Symbol.for("nodejs.util.inspect.custom")]() {
    return `Credentials ${JSON.stringify(this.toJSON())}`;
  }
}

function signer(fn) {
  return (options) => {
    if (options === null || typeof options !== "object") {
      throw new TypeError("the signer takes an options object");
    }
    return new Credentials(call(() => fn({ ...options, now: wallClock(options.now) })));
  };
}

export const tencentCredentials = signer(wasm.tencentCredentials);
export const aliyunCredentials = signer(wasm.aliyunCredentials);
export const awsCredentials = signer(wasm.awsCredentials);
export const awsCustomAuthCredentials = signer(wasm.awsCustomAuthCredentials);
export const azureCredentials = signer(wasm.azureCredentials);
export const huaweiCredentials = signer(wasm.huaweiCredentials);

// ------------------------------------------------------------------ client

/** A connection event: `connected`, `disconnected`, `reconnecting` or `dropped`. */
export class MqttEvent extends Event {
  constructor(type, fields) {
    super(type);
    Object.assign(this, fields);
  }
}

const encoder = new TextEncoder();

function bytes(what, value) {
  if (value === undefined || value === null) return new Uint8Array(0);
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`${what} must be a string or a Uint8Array`);
}

function qosOf(what, qos) {
  if (qos !== 0 && qos !== 1 && qos !== 2) {
    throw new InvalidArgument(`invalid argument: ${what} must be 0, 1 or 2`);
  }
  return qos;
}

async function webSocketClass(given) {
  if (given) return given;
  if (typeof globalThis.WebSocket === "function") return globalThis.WebSocket;
  try {
    return (await import("ws")).default;
  } catch {
    throw new InvalidArgument(
      "invalid argument: no WebSocket here: use Node 22+, node --experimental-websocket, " +
        "or install the ws package",
    );
  }
}

const defaults = { keepalive: 60, cleanSession: true, connectTimeoutMs: 10_000 };

/**
 * Connects; resolves with the client once the broker accepted CONNECT.
 * See index.d.ts for the options.
 */
export async function connect(url, options = {}) {
  const o = { ...defaults, ...options };
  const WS = await webSocketClass(o.WebSocket);
  const provider =
    typeof o.credentials === "function"
      ? o.credentials
      : o.credentials
        ? () => o.credentials
        : () =>
            new Credentials({
              clientId: o.clientId ?? "",
              username: o.username,
              password: o.password,
            });
  const engineOptions = {
    keepalive: o.keepalive,
    cleanSession: o.cleanSession,
    will: o.will
      ? {
          topic: o.will.topic,
          payload: bytes("will.payload", o.will.payload),
          qos: o.will.qos ?? 0,
          retain: o.will.retain ?? false,
        }
      : undefined,
    reconnect: o.reconnect === true ? {} : o.reconnect || undefined,
    offlineQueue: o.offlineQueue ?? undefined,
    inflightWindow: o.inflightWindow,
    maxPacketSize: o.maxPacketSize,
  };
  const engine = call(() => new wasm.Engine(engineOptions));
  const client = new Client(engine, url, o, provider, WS);
  await client._attempt(false);
  return client;
}

/** A connected MQTT client. Create it with {@link connect}. */
export class Client extends EventTarget {
  #engine;
  #url;
  #options;
  #provider;
  #WS;
  #ws = null;
  #timer = null;
  #connectTimer = null;
  /** The attempt in progress: { resolve, reject } of its promise. */
  #attempt = null;
  #clientId = "";
  #closed = false;
  #closing = null;
  /** packet id -> { resolve, reject } of publishes, subscribes, unsubscribes. */
  #publishes = new Map();
  #subscribes = new Map();
  #unsubscribes = new Map();
  /** Publishes waiting for room in the inflight window, FIFO. */
  #room = [];
  /** next() calls of message iterators waiting for a message, FIFO. */
  #readers = [];
  /** The engine panicked: it refuses every call now. */
  #poisoned = false;

  /** @internal Use connect(). */
  constructor(engine, url, options, provider, WS) {
    super();
    this.#engine = engine;
    this.#url = url;
    this.#options = options;
    this.#provider = provider;
    this.#WS = WS;
  }

  /** The client id of the current (or last) connection. */
  get clientId() {
    return this.#clientId;
  }
  /** Whether the broker accepted the current connection. */
  get isConnected() {
    return !this.#closed && this.#engine.isConnected;
  }
  /** Whether close() was called, the connection ended for good, or the engine panicked. */
  get closed() {
    return this.#closed;
  }
  /** Outgoing QoS 1/2 messages not yet acknowledged (offline ones included). */
  get inflight() {
    return this.#closed ? 0 : this.#engine.inflight;
  }

  /**
   * Publishes; resolves when the message is on the socket (QoS 0) or
   * acknowledged (PUBACK for QoS 1, PUBCOMP for QoS 2).
   */
  async publish(topic, payload, { qos = 0, retain = false } = {}) {
    const data = bytes("payload", payload);
    qosOf("qos", qos);
    this.#checkOpen();
    while (qos > 0 && this.#engine.isConnected && !this.#engine.hasInflightRoom) {
      await new Promise((resolve) => this.#room.push(resolve));
      this.#checkOpen();
    }
    const id = this.#use(() => this.#engine.publish(topic, data, qos, !!retain));
    const done =
      id === undefined
        ? undefined
        : new Promise((resolve, reject) => this.#publishes.set(id, { resolve, reject }));
    this.#pump();
    return done;
  }

  /** Subscribes; resolves with the granted QoS (null: refused), an array for an array. */
  async subscribe(filter, qos = 0) {
    const filters = Array.isArray(filter) ? filter : [filter];
    qosOf("qos", qos);
    this.#checkOpen();
    const id = this.#use(() => this.#engine.subscribe(filters, qos));
    const granted = new Promise((resolve, reject) => this.#subscribes.set(id, { resolve, reject }));
    this.#pump();
    const g = await granted;
    return Array.isArray(filter) ? g : g[0];
  }

  /** Unsubscribes; resolves on UNSUBACK. */
  async unsubscribe(filter) {
    const filters = Array.isArray(filter) ? filter : [filter];
    this.#checkOpen();
    const id = this.#use(() => this.#engine.unsubscribe(filters));
    const done = new Promise((resolve, reject) => this.#unsubscribes.set(id, { resolve, reject }));
    this.#pump();
    return done;
  }

  /**
   * Received messages, in order, shared by every iterator: each message goes
   * to one reader. Ends after close() once the messages already received
   * are taken.
   */
  messages() {
    const client = this;
    const iterator = {
      next: () => client.#next(),
      return: async () => ({ value: undefined, done: true }),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  [Symbol.asyncIterator]() {
    return this.messages();
  }

  /**
   * Sends DISCONNECT (when connected) and closes the WebSocket; pending
   * operations fail with ClosedError. Resolves once the socket is closed
   * (at most 2 s). Calling it again returns the same promise.
   */
  close() {
    if (this.#closing) return this.#closing;
    if (!this.#closed) {
      try {
        this.#engine.disconnect();
        this.#flush();
      } catch (e) {
        this.#poison(e);
      }
    }
    const ws = this.#ws;
    this.#shutdown(new ClosedError("connection closed: the client was closed"));
    this.#closing = closeSocket(ws);
    return this.#closing;
  }

  // ------------------------------------------------------------ internals

  /** @internal Starts a connection attempt; resolves on CONNACK. */
  _attempt(automatic) {
    return new Promise((resolve, reject) => {
      this.#attempt = { resolve, reject };
      this.#engine.attemptStarted(automatic);
      this.#open().catch((e) => this.#fail(e));
    });
  }

  async #open() {
    const creds = await this.#provider();
    if (this.#closed) return;
    if (!(creds instanceof Credentials)) {
      throw new TypeError("credentials must be a Credentials object or a function returning one");
    }
    const range = creds.keepaliveRange;
    if (range && (this.#options.keepalive < range[0] || this.#options.keepalive > range[1])) {
      throw new InvalidArgument(
        `invalid argument: keepalive ${this.#options.keepalive} s is outside ` +
          `${creds.platform}'s allowed range ${range[0]}..=${range[1]} s`,
      );
    }
    if (creds.headers.length > 0) {
      throw new InvalidArgument(
        "invalid argument: a browser WebSocket cannot send upgrade headers; " +
          "use the query-string mode (awsCustomAuthCredentials({ queryString: true }))",
      );
    }
    const url = creds.url ?? this.#url ?? creds.endpoint;
    if (!url) throw new InvalidArgument("invalid argument: no URL to connect to");
    this.#clientId = creds.clientId;
    this.#connectTimer = setTimeout(
      () => this.#fail(new TimeoutError("timed out: waiting for CONNACK", { phase: "waiting for CONNACK" })),
      this.#options.connectTimeoutMs,
    );
    let ws;
    try {
      ws = new this.#WS(url, "mqtt");
    } catch (e) {
      // Only the URL's text is known to be safe to show: not the query, which may hold a signature.
      throw new InvalidArgument(`invalid argument: cannot open a WebSocket to ${redact(url)}: ${e.message}`);
    }
    ws.binaryType = "arraybuffer";
    this.#ws = ws;
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      if (ws.protocol !== "mqtt") {
        this.#fail(new HandshakeError("WebSocket handshake failed: server did not select subprotocol mqtt"));
        return;
      }
      try {
        this.#engine.connect(creds.clientId, creds.username ?? undefined, creds.password ?? undefined);
      } catch (e) {
        this.#fail(this.#convert(e)); // e.g. a password without a user name
        return;
      }
      this.#pump();
    };
    ws.onmessage = (event) => {
      if (this.#ws !== ws) return;
      if (typeof event.data === "string") {
        this.#fail(new ProtocolError("protocol violation by the server: text frame"));
        return;
      }
      try {
        this.#engine.handleBytes(new Uint8Array(event.data));
      } catch (e) {
        this.#fail(this.#convert(e));
        return;
      }
      this.#pump();
    };
    ws.onclose = (event) => {
      if (this.#ws !== ws) return;
      const connected = this.#engine.isConnected;
      const why = connected ? "the server closed the connection" : `cannot connect to ${redact(url)}`;
      this.#fail(new IoError(`I/O error: ${why} (WebSocket close code ${event.code})`));
    };
    ws.onerror = () => {}; // a close event follows, with the code
  }

  /** Sends every frame the engine has queued. */
  #flush() {
    for (let frame = this.#engine.pollTransmit(); frame !== undefined; frame = this.#engine.pollTransmit()) {
      if (this.#ws && this.#ws.readyState === 1) this.#ws.send(frame);
    }
  }

  /**
   * After any input: frames out, events to promises and listeners, messages
   * to waiting readers, then the timer. Engine errors end the connection.
   */
  #pump() {
    if (this.#closed) return;
    try {
      this.#flush();
      for (let e = this.#engine.pollEvent(); e !== undefined; e = this.#engine.pollEvent()) {
        this.#dispatch(e);
      }
      while (this.#readers.length > 0 && this.#engine.messagesWaiting > 0) {
        this.#readers.shift().resolve({ value: message(this.#engine.takeMessage()), done: false });
        this.#flush();
        for (let e = this.#engine.pollEvent(); e !== undefined; e = this.#engine.pollEvent()) {
          this.#dispatch(e);
        }
      }
      this.#arm();
    } catch (e) {
      this.#fail(this.#convert(e));
    }
  }

  #dispatch(e) {
    const settle = (map, id, value) => {
      const p = map.get(id);
      map.delete(id);
      p?.resolve(value);
    };
    switch (e.type) {
      case "connected":
        clearTimeout(this.#connectTimer);
        this.#attempt?.resolve();
        this.#attempt = null;
        this.dispatchEvent(new MqttEvent("connected", { sessionPresent: e.sessionPresent }));
        break;
      case "published":
        settle(this.#publishes, e.packetId, undefined);
        this.#room.shift()?.();
        break;
      case "subscribed":
        settle(this.#subscribes, e.packetId, e.granted);
        break;
      case "unsubscribed":
        settle(this.#unsubscribes, e.packetId, undefined);
        break;
      case "dropped": {
        const p = e.packetId === null ? undefined : this.#publishes.get(e.packetId);
        this.#publishes.delete(e.packetId);
        p?.reject(new QueueFullError(`the offline queue is full: the message to ${e.topic} was dropped`));
        this.dispatchEvent(new MqttEvent("dropped", { packetId: e.packetId, topic: e.topic }));
        break;
      }
      case "disconnected":
        this.dispatchEvent(new MqttEvent("disconnected", { reason: e.reason }));
        break;
      case "reconnecting":
        this.dispatchEvent(new MqttEvent("reconnecting", { delayMs: e.delayMs, attempt: e.attempt }));
        break;
    }
  }

  /** Arms the one timer for the engine's next deadline. */
  #arm() {
    clearTimeout(this.#timer);
    this.#timer = null;
    const ms = this.#engine.pollTimeout();
    if (ms === undefined || this.#closed) return;
    this.#timer = setTimeout(() => this.#onTimer(), Math.min(Math.ceil(ms), 2 ** 31 - 1));
  }

  #onTimer() {
    this.#timer = null;
    if (this.#closed) return;
    let action;
    try {
      action = this.#engine.handleTimeout();
    } catch (e) {
      this.#fail(this.#convert(e));
      return;
    }
    if (action === "reconnect") {
      this._attempt(true).catch(() => {}); // failures are reported as events
    }
    this.#pump();
  }

  /**
   * The current attempt or connection failed with `error`: the socket goes,
   * the engine decides (reconnect or not), promises and readers are told.
   */
  #fail(error) {
    if (this.#closed) return;
    clearTimeout(this.#connectTimer);
    const ws = this.#ws;
    this.#ws = null;
    closeSocket(ws);
    const wasConnected = this.#engine.isConnected;
    const attempt = this.#attempt;
    this.#attempt = null;
    try {
      if (wasConnected) this.#engine.connectionLost(error.message, Math.random());
      else this.#engine.attemptFailed(error.message, Math.random());
    } catch (e) {
      this.#poison(e);
      attempt?.reject(error);
      return;
    }
    // SUBSCRIBE and UNSUBSCRIBE do not survive a connection; publishes do
    // (resent with DUP) while the engine will reconnect.
    for (const map of [this.#subscribes, this.#unsubscribes]) {
      for (const p of map.values()) p.reject(error);
      map.clear();
    }
    for (const wake of this.#room.splice(0)) wake();
    attempt?.reject(error);
    if (this.#engine.isBackingOff) {
      this.#pump();
    } else {
      // No automatic reconnect: the client is done.
      for (let e = this.#engine.pollEvent(); e !== undefined; e = this.#engine.pollEvent()) {
        this.#dispatch(e);
      }
      if (wasConnected) this.dispatchEvent(new MqttEvent("disconnected", { reason: error.message }));
      this.#shutdown(error);
    }
  }

  /** Ends the client: timers off, pending operations rejected, readers ended. */
  #shutdown(error) {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#connectTimer);
    this.#ws = null;
    for (const map of [this.#publishes, this.#subscribes, this.#unsubscribes]) {
      for (const p of map.values()) p.reject(error);
      map.clear();
    }
    for (const wake of this.#room.splice(0)) wake();
    this.#attempt?.reject(error);
    this.#attempt = null;
    // Messages already received stay readable; readers waiting now get the end.
    for (const r of this.#readers.splice(0)) r.resolve({ value: undefined, done: true });
  }

  #next() {
    if (!this.#poisoned && this.#engine.messagesWaiting > 0) {
      try {
        const value = message(this.#engine.takeMessage());
        this.#pump();
        return Promise.resolve({ value, done: false });
      } catch (e) {
        return Promise.reject(this.#convert(e));
      }
    }
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.#readers.push({ resolve, reject }));
  }

  /** An engine failure that is not an MQTT error: a panic. This client is dead. */
  #poison(cause) {
    this.#poisoned = true;
    const error = new PanicError("internal error: the engine panicked (a bug; please report it)", { cause });
    const ws = this.#ws;
    this.#shutdown(error);
    closeSocket(ws);
    return error;
  }

  /** An exception from the engine as the error to report (poisoning on a panic). */
  #convert(e) {
    if (e instanceof MqttError) return e;
    return fromEngine(e) ?? this.#poison(e);
  }

  /** Calls the engine for the application: its errors are thrown as classes. */
  #use(fn) {
    try {
      return fn();
    } catch (e) {
      throw this.#convert(e);
    }
  }

  #checkOpen() {
    if (this.#closed) throw new ClosedError("connection closed: the client was closed");
  }

  /** @internal Makes the engine panic, for the test of panic handling. */
  _panicForTests() {
    return this.#use(() => this.#engine.__panicForTests());
  }
}

/** A received message: the engine's object, frozen. */
function message(m) {
  return Object.freeze(m);
}

/** The URL without its query, which may hold a presigned signature or token. */
function redact(url) {
  const i = String(url).indexOf("?");
  return i < 0 ? String(url) : `${String(url).slice(0, i)}?<redacted>`;
}

/** Closes a WebSocket; resolves once it is closed (at most 2 s). */
function closeSocket(ws) {
  if (!ws) return Promise.resolve();
  ws.onopen = ws.onmessage = ws.onerror = null;
  if (ws.readyState === 3) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 2000);
    ws.onclose = () => {
      clearTimeout(timer);
      resolve();
    };
    try {
      ws.close(1000);
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

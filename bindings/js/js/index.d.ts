// Types of the mqttws package: MQTT 3.1.1 over WebSocket with the cloud
// signers, for browsers and Node 20+. The engine is the Rust core compiled
// to WebAssembly (wasm.d.ts is wasm-bindgen's, for the engine only); this
// file describes the driver (index.js), which is the public API. Names and
// semantics follow the Python package, in camelCase, with durations in
// milliseconds (`...Ms`) except where a platform counts in seconds.

// ------------------------------------------------------------------ errors

/** Base class of every mqttws error. Messages never contain a secret. */
export class MqttError extends Error {}
/** A deadline passed; `phase` says which (e.g. "waiting for CONNACK", "keepalive (no PINGRESP from the broker)"). */
export class TimeoutError extends MqttError {
  readonly phase: string | null;
}
/** The network failed: connection refused or reset, host unreachable, the server closed the socket. */
export class IoError extends MqttError {}
/** TLS failed (browsers report TLS failures as a closed socket: IoError). */
export class TlsError extends MqttError {}
/** The WebSocket upgrade failed, e.g. the server did not select the `mqtt` subprotocol. */
export class HandshakeError extends MqttError {
  /** The HTTP status, when known (browsers do not tell). */
  readonly status: number | null;
}
/** The broker refused CONNECT; `code` is the CONNACK return code (4: bad user name or password, 5: not authorized). */
export class ConnectionRefused extends MqttError {
  readonly code: number;
}
/** The server broke MQTT or WebSocket rules (malformed packet, text frame...). */
export class ProtocolError extends MqttError {}
/** An argument is invalid (wildcard in a publish topic, QoS 3, keepalive outside a platform's range...). Nothing was sent. */
export class InvalidArgument extends MqttError {}
/** The connection is not open, or the client was closed. */
export class ClosedError extends MqttError {}
/** The kind of the other faces' interrupts; the JS face never raises it. */
export class Interrupted extends MqttError {}
/** Credentials could not be built (PSK not base64, key of the wrong type...). */
export class AuthError extends MqttError {}
/** The kind of the other faces' proxy errors; the JS face never raises it. */
export class ProxyError extends MqttError {}
/** The offline queue is full (whenFull "error"), or dropped this message (whenFull "dropOldest"). */
export class QueueFullError extends MqttError {}
/** MQTT 5: the broker refused a message; `code` is its reason code. The JS face speaks MQTT 3.1.1, so this is kept for the kinds of the other faces. */
export class RejectedError extends MqttError {
  readonly code: number;
}
/** The engine panicked (a bug; please report it). That client is closed; other clients go on. */
export class PanicError extends MqttError {}

// ----------------------------------------------------------------- signers

/** A wall-clock time: a Date, milliseconds since the epoch, or undefined for now. */
export type Now = Date | number | undefined;

/**
 * What a connection attempt presents: a signer's result. `password`, `url`
 * and `headers` may be secrets: readable, but redacted by toJSON() and
 * Node's util.inspect (console.log).
 */
export class Credentials {
  constructor(init: { clientId: string; username?: string; password?: string; url?: string });
  /** MQTT client identifier. */
  readonly clientId: string;
  /** MQTT user name, or null. */
  readonly username: string | null;
  /** MQTT password, or null. */
  readonly password: string | null;
  /** A URL that replaces connect()'s for this attempt (AWS: the presigned URL), or null. */
  readonly url: string | null;
  /** Extra upgrade headers (AWS custom authorizer, header mode): refused by connect(), browsers cannot send them. */
  readonly headers: Array<[string, string]>;
  /** The platform's endpoint URL for this device, where the signer knows it. */
  readonly endpoint: string | null;
  /** The keepalive range (seconds, inclusive) the platform accepts; connect() checks it. */
  readonly keepaliveRange: [number, number] | null;
  /** The platform's name, for messages. */
  readonly platform: string | null;
  toJSON(): object;
}

/** Tencent IoT Hub / IoT Explorer: HMAC with the device PSK, or RSA-SHA256 with the device key. */
export interface TencentOptions {
  productId: string;
  deviceName: string;
  /** The device PSK, base64 as the console shows it (give psk or privateKey). */
  psk?: string;
  /** The device private key, PEM (PKCS#8 or PKCS#1) (give psk or privateKey). */
  privateKey?: string;
  /** HMAC for PSK devices; default "hmacsha256". */
  method?: "hmacsha1" | "hmacsha256";
  /** Default: 5 random characters. */
  connid?: string;
  /** UNIX time in seconds, "never" (2147483647), or a validity from now; default: 3600 s from now. */
  expiry?: number | "never" | { ttl: number };
  /** Default "12010126". */
  sdkappid?: string;
  /** Region of the endpoint; default "ap-guangzhou". */
  region?: string;
  /** wss (default) or ws for `endpoint`. */
  secure?: boolean;
  now?: Now;
}
export function tencentCredentials(options: TencentOptions): Credentials;

/** Alibaba Cloud IoT Platform: HMAC of the device secret. */
export interface AliyunOptions {
  productKey: string;
  deviceName: string;
  deviceSecret: string;
  /** The id before the `|` of the MQTT client id; default `{productKey}.{deviceName}`. */
  clientId?: string;
  /** Milliseconds, "now", or "omit"; default the fixed 2524608000000 of Alibaba's SDKs. */
  timestamp?: number | "now" | "omit";
  /** Default "hmacsha256". */
  method?: "hmacsha256" | "hmacsha1" | "hmacmd5";
  /** securemode 2 (wss, default) or 3 (ws); must match the URL's scheme. */
  secure?: boolean;
  /** Lower-case hex signature (default upper case, as the C SDKs). */
  lowercaseHex?: boolean;
  /** Region id of the public instance, for `endpoint` (e.g. "cn-shanghai"). */
  region?: string;
  /** Instance id, for `endpoint` (instead of region). */
  instance?: string;
  now?: Now;
}
export function aliyunCredentials(options: AliyunOptions): Credentials;

/** AWS IoT Core with SigV4 (IAM or Cognito keys): `url` is the presigned URL. */
export interface AwsOptions {
  /** The ATS endpoint host, e.g. "xxxx-ats.iot.us-east-1.amazonaws.com". */
  host: string;
  accessKeyId: string;
  secretAccessKey: string;
  clientId: string;
  /** Default: taken from the host. */
  region?: string;
  /** Temporary credentials' token, appended after signing. */
  sessionToken?: string;
  /** X-Amz-Expires in seconds (omitted by default, as the AWS JS SDK does). */
  expires?: number;
  /** Default 443. */
  port?: number;
  now?: Now;
}
export function awsCredentials(options: AwsOptions): Credentials;

/** AWS IoT Core custom authorizer. Browsers need `queryString: true`. */
export interface AwsCustomAuthOptions {
  host: string;
  clientId: string;
  authorizerName?: string;
  tokenKeyName?: string;
  token?: string;
  tokenSignature?: string;
  /** Parameters in the URL query instead of upgrade headers (the only mode a browser can use). */
  queryString?: boolean;
  port?: number;
}
export function awsCustomAuthCredentials(options: AwsCustomAuthOptions): Credentials;

/** Azure IoT Hub with a SAS token from the device key. */
export interface AzureOptions {
  /** The hub host, e.g. "myhub.azure-devices.net". */
  hub: string;
  deviceId: string;
  /** The device (or policy) key, base64. */
  key: string;
  moduleId?: string;
  /** Shared access policy name, for a policy key. */
  keyName?: string;
  /** Token validity in seconds; default 3600. */
  ttl?: number;
  /** Default "2021-04-12". */
  apiVersion?: string;
  deviceClientType?: string;
  /** `?iothub-no-client-cert=true` on the endpoint; default true. */
  noClientCertHint?: boolean;
  now?: Now;
}
export function azureCredentials(options: AzureOptions): Credentials;

/** Huawei Cloud IoTDA: HMAC of the device secret keyed by the UTC hour. */
export interface HuaweiOptions {
  host: string;
  deviceId: string;
  secret: string;
  /** Ask the platform to check the timestamp (client id `..._0_1_...`); default false. */
  checkTimestamp?: boolean;
  now?: Now;
}
export function huaweiCredentials(options: HuaweiOptions): Credentials;

// ------------------------------------------------------------------ client

export type QoS = 0 | 1 | 2;

/** The last will, published by the broker if the client vanishes. */
export interface Will {
  topic: string;
  payload?: string | Uint8Array;
  qos?: QoS;
  retain?: boolean;
}

/** Automatic reconnect after a drop: growing, jittered delays measured from the failure. */
export interface ReconnectPolicy {
  /** Default 500. */
  minDelayMs?: number;
  /** Default 30000. */
  maxDelayMs?: number;
  /** A connection that lasted this long resets the back-off; default 10000. */
  stableAfterMs?: number;
  /** Subscribe again when the broker kept no session; default true. */
  restoreSubscriptions?: boolean;
}

/** Bounds of the queue of publishes accepted while disconnected (needs reconnect to be useful). */
export interface OfflineQueue {
  /** Default 1000. */
  maxMessages?: number;
  /** Default 4 MiB (topic + payload bytes). */
  maxBytes?: number;
  /** "error" (default): publish() rejects with QueueFullError; "dropOldest": the oldest is dropped (its publish rejects). */
  whenFull?: "error" | "dropOldest";
}

/** Something that gives the credentials of each attempt, called again at every reconnect. */
export type CredentialsProvider = () => Credentials | Promise<Credentials>;

/** A WebSocket constructor: the browser's, Node's, or the npm ws package's. */
export type WebSocketConstructor = new (url: string, protocols: string) => any;

export interface ConnectOptions {
  /** Ignored when `credentials` is given. */
  clientId?: string;
  /** Ignored when `credentials` is given. */
  username?: string;
  /** Ignored when `credentials` is given. */
  password?: string;
  /** Seconds; 0 turns keepalive off. Default 60. */
  keepalive?: number;
  /** Default true. */
  cleanSession?: boolean;
  will?: Will;
  /** Bounds the WebSocket opening plus CONNACK of each attempt. Default 10000. */
  connectTimeoutMs?: number;
  /** A signer's result (signed once), or a provider (re-signed at every attempt). */
  credentials?: Credentials | CredentialsProvider;
  /** Off by default: then a drop closes the client. */
  reconnect?: boolean | ReconnectPolicy;
  /** Publishes while reconnecting wait here. Off by default (ClosedError). */
  offlineQueue?: OfflineQueue;
  /** Most unacknowledged QoS 1/2 publishes on the wire (more wait); default 20. */
  inflightWindow?: number;
  /** Largest incoming packet accepted; default 1 MiB of payload plus headers. */
  maxPacketSize?: number;
  /** Default: the global WebSocket, else the npm ws package. */
  WebSocket?: WebSocketConstructor;
}

/** A received message. */
export interface Message {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly dup: boolean;
}

/** A connection event. */
export class MqttEvent extends Event {
  /** `connected`: whether the broker resumed a stored session. */
  readonly sessionPresent?: boolean;
  /** `disconnected`: why (never contains a secret). */
  readonly reason?: string;
  /** `reconnecting`: back-off before the attempt. */
  readonly delayMs?: number;
  /** `reconnecting`: 1 for the first attempt after a drop. */
  readonly attempt?: number;
  /** `dropped`: the packet id of the dropped QoS 1/2 message, null for QoS 0. */
  readonly packetId?: number | null;
  /** `dropped`: its topic. */
  readonly topic?: string;
}

export interface ClientEventMap {
  connected: MqttEvent;
  disconnected: MqttEvent;
  reconnecting: MqttEvent;
  dropped: MqttEvent;
}

/**
 * Connects to `url` (ws:// or wss://; may be null when the credentials carry
 * a URL or an endpoint) and resolves once the broker accepted CONNECT. The
 * first attempt's failure rejects; `reconnect` applies to later drops.
 */
export function connect(url: string | null | undefined, options?: ConnectOptions): Promise<Client>;

/** An MQTT 3.1.1 client over WebSocket. */
export class Client extends EventTarget {
  private constructor();
  /** The client id of the current (or last) connection. */
  readonly clientId: string;
  /** Whether the broker accepted the current connection. */
  readonly isConnected: boolean;
  /** Whether close() was called, a drop without reconnect ended it, or the engine panicked. */
  readonly closed: boolean;
  /** Outgoing QoS 1/2 messages not yet acknowledged, offline ones included. */
  readonly inflight: number;
  /**
   * Resolves when the message is on the socket (QoS 0, or queued offline)
   * or acknowledged (PUBACK for QoS 1, PUBCOMP for QoS 2). With a full
   * inflight window it first waits for room.
   */
  publish(topic: string, payload?: string | Uint8Array | null, options?: { qos?: QoS; retain?: boolean }): Promise<void>;
  /** Resolves with the granted QoS, null where the broker refused. */
  subscribe(filter: string, qos?: QoS): Promise<QoS | null>;
  subscribe(filters: string[], qos?: QoS): Promise<Array<QoS | null>>;
  /** Resolves on UNSUBACK. */
  unsubscribe(filter: string | string[]): Promise<void>;
  /** Received messages; every iterator reads the one queue. Ends after close(). */
  messages(): AsyncIterableIterator<Message>;
  [Symbol.asyncIterator](): AsyncIterableIterator<Message>;
  /** DISCONNECT, then closes the socket; pending operations reject with ClosedError. */
  close(): Promise<void>;
  addEventListener<K extends keyof ClientEventMap>(
    type: K,
    listener: (event: ClientEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}

/*
 * mqttws.h: the C API of mqttws, an MQTT 3.1.1 and 5.0 client over
 * WebSocket (ws:// and wss://) with cloud platform signers.
 *
 * Conventions
 *
 *  - Everything is prefixed mqttws_; functions are mqttws_<type>_<verb>.
 *  - Types are opaque, created and freed by the library: _new creates,
 *    _free destroys, and _free(NULL) does nothing. Never free twice.
 *  - Builders are consumed: mqttws_<type>_builder_new and its setters end
 *    in _build, which turns the builder into an immutable object (options,
 *    a platform's credential provider) and frees the builder, also when
 *    it fails. _free is only for a builder that is not built.
 *  - Fallible functions return mqttws_result; MQTTWS_OK is 0. The other
 *    numbers never change between releases; mqttws_result_str() gives a
 *    static text, mqttws_client_last_error() the detail of a client's last
 *    failure, and constructors hand out details through an optional
 *    mqttws_error **err_out (NULL if not wanted). There is no thread-local
 *    "last error".
 *  - Parameters: the object first, then inputs, then outputs. Output
 *    parameters are written only on success (exceptions, documented: *out_n
 *    on MQTTWS_INSUFFICIENT_SIZE, and *err_out on failure). There are no
 *    in/out parameters.
 *  - A const object pointer means the call does not modify the object.
 *  - Every pointer parameter is checked: NULL gives MQTTWS_NULL_PARAMETER
 *    unless documented as optional. Any non-NULL pointer must be valid for
 *    what its type says (a live object of that type, a readable buffer of
 *    the given length, a writable output).
 *  - Text in: NUL-terminated UTF-8 (const char *), except topics and
 *    payloads, which are pointer + length. Invalid UTF-8, or a NUL inside a
 *    topic, gives MQTTWS_INVALID_PARAMETER; so does a QoS above 2.
 *  - Text out: copied into (buf, len, &out_n), always NUL-terminated, with
 *    *out_n the length without the NUL; if len is too small, nothing is
 *    copied, *out_n receives the size needed (with the NUL) and the result
 *    is MQTTWS_INSUFFICIENT_SIZE. Or borrowed as mqttws_str / mqttws_bytes
 *    (pointer + length) with the lifetime stated by the function; an
 *    absent text is a mqttws_str with data NULL.
 *  - Optional values (MQTT 5 properties a peer may or may not send) are
 *    read with bool accessors: true, and the value written to the output
 *    (which may be NULL to ask only whether it is there), when present;
 *    false, writing nothing, when absent.
 *  - Borrowed objects: a message's properties (mqttws_message.properties)
 *    belong to its event and live until mqttws_event_free; they are const
 *    and must never be freed or changed.
 *  - A panic inside the library never unwinds into C: the function returns
 *    MQTTWS_PANIC (or NULL / 0 / false). No global state is touched: no
 *    panic hook, no signal handler, no background thread (name resolution
 *    uses one short-lived thread per connect).
 *
 * Thread rules
 *
 *  - A client may be used from several threads at once: one thread may
 *    block in mqttws_client_poll() while others publish, subscribe or
 *    disconnect, and no call waits for another thread's blocked call.
 *    mqttws_client_interrupt() ends every call in progress on the client
 *    (calls that start later are not affected).
 *  - mqttws_client_free() must be the last call on a client: while another
 *    thread's call is still in progress it frees nothing and returns
 *    MQTTWS_BUSY (retrying until MQTTWS_OK is safe).
 *  - mqttws_client_last_error() and its siblings report the calling
 *    thread's most recent failure on that client.
 *  - A builder (mqttws_options_builder, mqttws_<platform>_builder) and
 *    mqttws_publish_properties being set are used from one thread at a
 *    time; what a builder builds (mqttws_options,
 *    mqttws_credential_provider) and mqttws_credentials, mqttws_error,
 *    mqttws_event and mqttws_connack are immutable and may be shared
 *    between threads.
 *  - The message callback runs inside mqttws_client_poll(), on the thread
 *    calling it (with several polling threads, on several threads). From
 *    inside it every call on the same client works except
 *    mqttws_client_free(), which returns MQTTWS_REENTRANT.
 *
 * MQTT 5
 *
 *  - 3.1.1 stays the default; mqttws_options_builder_set_protocol_version
 *    (MQTTWS_PROTOCOL_V5) opts in, per client. Under 3.1.1 every MQTT
 *    5-only argument is MQTTWS_INVALID_ARGUMENT, and nothing is sent.
 *  - CONNECT: the options builder's MQTT 5 setters; CONNACK: the
 *    mqttws_connack snapshot of mqttws_client_connack. PUBLISH:
 *    mqttws_publish_properties with mqttws_client_publish_with, and
 *    mqttws_message.properties on received messages. SUBSCRIBE:
 *    mqttws_client_subscribe_with (options, identifier, reason codes);
 *    UNSUBSCRIBE: mqttws_client_unsubscribe_with (reason codes).
 *  - A refused publish ends its wait with MQTTWS_REJECTED (or comes as a
 *    MQTTWS_EVENT_REJECTED event), a refused connection with a
 *    MQTTWS_CONNACK_* code; mqttws_client_last_connack_code has the reason
 *    code and mqttws_client_last_reason_string the broker's text. A server
 *    DISCONNECT is a MQTTWS_EVENT_SERVER_DISCONNECTED event.
 *
 * Extensibility
 *
 *  - Opaque types (mqttws_event, mqttws_client...) are read and changed
 *    only through functions; new information comes as new functions.
 *  - Structs the library hands out by pointer (mqttws_message) may gain
 *    fields at their end: never allocate one or copy one by value.
 *  - Enums may gain values: treat an unknown event kind as
 *    MQTTWS_EVENT_OTHER and an unknown result as a failure.
 */

#ifndef MQTTWS_H
#define MQTTWS_H

/* Generated by cbindgen from ffi/src (run `make header`); do not edit by hand. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MQTTWS_VERSION_MAJOR 0
#define MQTTWS_VERSION_MINOR 1
#define MQTTWS_VERSION_PATCH 0
#define MQTTWS_VERSION_STRING "0.1.0"

/**
 * `ws://`: WebSocket over plain TCP (a `scheme` parameter value).
 */
#define MQTTWS_SCHEME_WS 0

/**
 * `wss://`: WebSocket over TLS (a `scheme` parameter value; the default).
 */
#define MQTTWS_SCHEME_WSS 1

/**
 * AWS custom authorizer parameters as WebSocket upgrade headers (default).
 */
#define MQTTWS_AWS_CUSTOM_AUTH_HEADERS 0

/**
 * AWS custom authorizer parameters in the URL query string.
 */
#define MQTTWS_AWS_CUSTOM_AUTH_QUERY_STRING 1

/**
 * Retained messages are sent at every subscribe (the default, and 3.1.1's
 * behaviour): a `mqttws_subscribe_filter.retain_handling` value.
 */
#define MQTTWS_RETAIN_HANDLING_SEND_ALWAYS 0

/**
 * Retained messages are sent only if the subscription did not exist yet
 * (MQTT 5).
 */
#define MQTTWS_RETAIN_HANDLING_SEND_IF_NEW 1

/**
 * Retained messages are never sent at subscribe time (MQTT 5).
 */
#define MQTTWS_RETAIN_HANDLING_DO_NOT_SEND 2

/**
 * MQTT 3.1.1 (protocol level 4), the default: a
 * `mqttws_options_builder_set_protocol_version` value.
 */
#define MQTTWS_PROTOCOL_V311 4

/**
 * MQTT 5.0 (protocol level 5): a `mqttws_options_builder_set_protocol_version`
 * value.
 */
#define MQTTWS_PROTOCOL_V5 5

/**
 * The result of a fallible call. `MQTTWS_OK` (0) is success; every other
 * value is a failure whose number never changes between releases.
 *
 * Ranges: 1-99 misuse of the API and generic conditions; 100-199 network
 * I/O, proxies and deadlines; 200-299 TLS; 300-399 the WebSocket (HTTP upgrade)
 * handshake; 400-499 MQTT (protocol errors, CONNACK refusals, closed
 * connection, subscription refusals, the offline queue); 500-599
 * credentials.
 *
 * In C the type is a `uint32_t`; compare it with the constants.
 */
enum mqttws_result
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * Success.
     */
    MQTTWS_OK = 0,
    /**
     * A bug: the library panicked. The object used in the call may be
     * unusable; free it. Please report it.
     */
    MQTTWS_PANIC = 1,
    /**
     * A required pointer parameter was NULL.
     */
    MQTTWS_NULL_PARAMETER = 2,
    /**
     * A parameter could not be used as given: text that is not UTF-8 or
     * contains NUL, a QoS above 2, a length or index out of range, a zero
     * timeout, an unknown constant.
     */
    MQTTWS_INVALID_PARAMETER = 3,
    /**
     * The output buffer is too small; `*out_n` holds the size needed
     * (including the terminating NUL).
     */
    MQTTWS_INSUFFICIENT_SIZE = 4,
    /**
     * Not allowed from inside this client's message callback
     * (`mqttws_client_free`).
     */
    MQTTWS_REENTRANT = 5,
    /**
     * `mqttws_client_free` was called while a call of another thread on
     * the client was still in progress; nothing was freed. Retry once the
     * other calls have returned.
     */
    MQTTWS_BUSY = 6,
    /**
     * `mqttws_client_interrupt` woke the call. The connection is unchanged.
     */
    MQTTWS_INTERRUPTED = 7,
    /**
     * The library refused a value: a wildcard in a publish topic, a
     * malformed topic filter, an URL that is not ws:// or wss://, a
     * keepalive outside the platform's range, connect while connected...
     * Nothing was sent. The detailed message says which.
     */
    MQTTWS_INVALID_ARGUMENT = 8,
    /**
     * An error this version of the library does not classify further; see
     * the detailed message.
     */
    MQTTWS_UNKNOWN = 99,
    /**
     * The operating system reported an I/O error (connection refused or
     * reset, host unreachable, DNS failure). The connection is closed.
     */
    MQTTWS_IO = 100,
    /**
     * A deadline passed while connecting (DNS, TCP, TLS, upgrade, CONNACK),
     * writing, waiting for PINGRESP or closing. The connection is closed.
     */
    MQTTWS_TIMEOUT = 101,
    /**
     * An acknowledgement (PUBACK, PUBCOMP, SUBACK, UNSUBACK) did not arrive
     * in time. Not fatal: the connection is still open and a QoS 1/2
     * message stays in flight.
     */
    MQTTWS_ACK_TIMEOUT = 102,
    /**
     * The HTTP or SOCKS5 proxy refused or failed the tunnel (e.g. HTTP 407:
     * see `mqttws_client_last_http_status`). The connection is closed.
     */
    MQTTWS_PROXY = 110,
    /**
     * TLS failed (unknown CA, name mismatch, client certificate refused,
     * unreadable CA or key file...). The connection is closed.
     */
    MQTTWS_TLS = 200,
    /**
     * The WebSocket upgrade failed; `mqttws_client_last_http_status` gives
     * the HTTP status if the server sent one (401/403: signature or policy;
     * 404: wrong path). The connection is closed.
     */
    MQTTWS_HANDSHAKE = 300,
    /**
     * The server broke the MQTT or WebSocket rules (malformed or oversized
     * packet, text frame...). The connection is closed.
     */
    MQTTWS_PROTOCOL = 400,
    /**
     * CONNACK return code 1: the broker does not speak MQTT 3.1.1.
     */
    MQTTWS_CONNACK_UNACCEPTABLE_PROTOCOL_VERSION = 401,
    /**
     * CONNACK return code 2: the client identifier is not allowed.
     */
    MQTTWS_CONNACK_IDENTIFIER_REJECTED = 402,
    /**
     * CONNACK return code 3: the MQTT service is unavailable.
     */
    MQTTWS_CONNACK_SERVER_UNAVAILABLE = 403,
    /**
     * CONNACK return code 4: bad user name or password (on cloud platforms:
     * the signature did not verify).
     */
    MQTTWS_CONNACK_BAD_USERNAME_OR_PASSWORD = 404,
    /**
     * CONNACK return code 5: the client is not authorised to connect.
     */
    MQTTWS_CONNACK_NOT_AUTHORIZED = 405,
    /**
     * MQTT 5: CONNACK refused the connection with a reason code that has no
     * 3.1.1 counterpart (0x97 quota exceeded, 0x9C use another server, 0x9F
     * connection rate exceeded...); `mqttws_client_last_connack_code` holds
     * it. (Reason codes with a counterpart, such as 0x86 bad user name or
     * password, give the codes 401 to 405.)
     */
    MQTTWS_CONNACK_REFUSED = 406,
    /**
     * The connection is not open: never connected, disconnected, or closed
     * by the broker. Call `mqttws_client_connect` again.
     */
    MQTTWS_CLOSED = 410,
    /**
     * The broker refused the subscription (SUBACK return code 0x80).
     */
    MQTTWS_SUBSCRIBE_REFUSED = 420,
    /**
     * The offline queue is full and refuses new messages (or dropped the
     * message waited for). Not fatal; nothing was queued.
     */
    MQTTWS_QUEUE_FULL = 430,
    /**
     * MQTT 5: the broker refused the message (PUBACK or PUBREC with a
     * reason code of 0x80 or more: not authorized, quota exceeded, payload
     * format invalid...); `mqttws_client_last_connack_code` holds the
     * reason code. Not fatal: the connection stays open, and the message
     * is done (it is not sent again).
     */
    MQTTWS_REJECTED = 440,
    /**
     * Credentials could not be built: a key that is not base64, an
     * unreadable or unusable private key, an empty secret. Nothing was sent.
     */
    MQTTWS_AUTH = 500,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum mqttws_result mqttws_result;
#else
typedef uint32_t mqttws_result;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * What an event reports (`mqttws_event_get_kind`). New kinds may be added;
 * treat an unknown one like `MQTTWS_EVENT_OTHER`.
 */
enum mqttws_event_kind
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * Not an event (the kind of a NULL event).
     */
    MQTTWS_EVENT_NONE = 0,
    /**
     * A message arrived: see `mqttws_event_message`.
     */
    MQTTWS_EVENT_MESSAGE = 1,
    /**
     * An outgoing QoS 1 message was acknowledged (PUBACK) or a QoS 2 one
     * completed (PUBCOMP): see `mqttws_event_packet_id`.
     */
    MQTTWS_EVENT_PUBLISHED = 2,
    /**
     * A SUBACK that no call was waiting for: see `mqttws_event_packet_id`,
     * `mqttws_event_granted_qos`, `mqttws_event_reason_codes`.
     */
    MQTTWS_EVENT_SUBSCRIBED = 3,
    /**
     * An UNSUBACK that no call was waiting for: see
     * `mqttws_event_packet_id`, `mqttws_event_reason_codes` (MQTT 5).
     */
    MQTTWS_EVENT_UNSUBSCRIBED = 4,
    /**
     * Connected again by the automatic reconnect (not reported for
     * `mqttws_client_connect`, which returns the outcome itself): see
     * `mqttws_event_session_present`, and `mqttws_client_connack` for the
     * rest of this CONNACK.
     */
    MQTTWS_EVENT_CONNECTED = 5,
    /**
     * The full offline queue dropped a message to make room; it will never
     * be sent: see `mqttws_event_packet_id` (0 for QoS 0) and
     * `mqttws_event_text` (its topic).
     */
    MQTTWS_EVENT_DROPPED = 6,
    /**
     * The connection ended and the automatic reconnect takes over: see
     * `mqttws_event_text` (why). A RECONNECTING event follows.
     */
    MQTTWS_EVENT_DISCONNECTED = 7,
    /**
     * The automatic reconnect will try again: see `mqttws_event_attempt`
     * (1 for the first after a drop) and `mqttws_event_delay_ms` (the
     * back-off before it).
     */
    MQTTWS_EVENT_RECONNECTING = 8,
    /**
     * The durable store found damaged bytes in its log when the client was
     * created (reported by the first poll): every valid record was
     * recovered and the damaged log kept aside; what the damaged bytes held
     * is lost. See `mqttws_event_text` (what was found, and where the
     * damaged log is).
     */
    MQTTWS_EVENT_STORE_DAMAGED = 9,
    /**
     * MQTT 5: the broker refused an outgoing QoS 1/2 message (PUBACK or
     * PUBREC with a reason code of 0x80 or more); the message is done and
     * not sent again: see `mqttws_event_packet_id`,
     * `mqttws_event_reason_code` (e.g. 0x87 not authorized) and
     * `mqttws_event_text` (the broker's reason string, if any). Reported
     * once: a `mqttws_client_wait_for` that fails with `MQTTWS_REJECTED`
     * takes the event (as a completed wait takes its PUBLISHED event).
     */
    MQTTWS_EVENT_REJECTED = 10,
    /**
     * MQTT 5: the broker sent DISCONNECT; the connection ends right after
     * (the next poll fails, or with the automatic reconnect a DISCONNECTED
     * event follows): see `mqttws_event_reason_code` (0x8B server shutting
     * down, 0x8E session taken over, 0x9C use another server...),
     * `mqttws_event_text` (the reason string, if any) and
     * `mqttws_event_server_reference` (another server, if named; not
     * followed).
     */
    MQTTWS_EVENT_SERVER_DISCONNECTED = 11,
    /**
     * The broker answered a QoS 2 publish with PUBACK: it took the message
     * at QoS 1 (it may be delivered twice). A PUBLISHED event with the same
     * packet id follows. See `mqttws_event_packet_id` and
     * `mqttws_event_granted_qos` (one byte: the QoS acknowledged).
     */
    MQTTWS_EVENT_DOWNGRADED = 12,
    /**
     * An event this version of the header does not describe; ignore it.
     */
    MQTTWS_EVENT_OTHER = 255,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum mqttws_event_kind mqttws_event_kind;
#else
typedef uint32_t mqttws_event_kind;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Builds an Alibaba Cloud IoT Platform device authenticated by its device
 * secret. Client id `{client_id}|securemode=2,signmethod=...,timestamp=...|`,
 * user name `{device_name}&{product_key}`, password an HMAC of the sorted
 * parameters. Defaults: wss:// (securemode 2; the client follows the
 * scheme of the URL it connects to), client id
 * `{product_key}.{device_name}`, HMAC-SHA256, timestamp = signing time,
 * upper-case hex; keepalive range 30..1200 s. No default endpoint: set a
 * region or an instance for `mqttws_credential_provider_url`.
 *
 * Ownership: created by `mqttws_aliyun_device_builder_new`; consumed by
 * `mqttws_aliyun_device_builder_build`, or freed with
 * `mqttws_aliyun_device_builder_free`. Threading: one thread at a time.
 */
typedef struct mqttws_aliyun_device_builder mqttws_aliyun_device_builder;

/**
 * Builds credentials for an AWS IoT Core custom authorizer over wss://:
 * the client id, the URL `wss://{host}/mqtt` (which replaces the options'
 * URL at every connect) and the authorizer parameters as upgrade headers
 * (default) or in the URL query. Keepalive range 1..1200 s.
 *
 * Ownership: created by `mqttws_aws_custom_auth_builder_new`; consumed by
 * `mqttws_aws_custom_auth_builder_build`, or freed with
 * `mqttws_aws_custom_auth_builder_free`. Threading: one thread at a time.
 */
typedef struct mqttws_aws_custom_auth_builder mqttws_aws_custom_auth_builder;

/**
 * Builds an AWS IoT Core SigV4 presigner (IAM or Cognito credentials): the
 * credentials carry the client id and a presigned
 * `wss://{host}/mqtt?X-Amz-...` URL, which replaces the options' URL at
 * every connect; no user name or password. Defaults: port 443, region
 * derived from the host, no X-Amz-Expires; keepalive range 1..1200 s.
 *
 * Ownership: created by `mqttws_aws_sigv4_builder_new`; consumed by
 * `mqttws_aws_sigv4_builder_build`, or freed with
 * `mqttws_aws_sigv4_builder_free`. Threading: one thread at a time.
 */
typedef struct mqttws_aws_sigv4_builder mqttws_aws_sigv4_builder;

/**
 * Builds an Azure IoT Hub device (or module) with a symmetric key: client
 * id `{device_id}`, user name `{hub}/{device_id}/?api-version=...`,
 * password a SAS token valid for the TTL after the signing time. Defaults:
 * TTL 3600 s, api-version 2021-04-12, the `?iothub-no-client-cert=true`
 * URL hint on; keepalive range 1..1740 s.
 *
 * Ownership: created by `mqttws_azure_device_builder_new`; consumed by
 * `mqttws_azure_device_builder_build`, or freed with
 * `mqttws_azure_device_builder_free`. Threading: one thread at a time.
 */
typedef struct mqttws_azure_device_builder mqttws_azure_device_builder;

/**
 * An MQTT client connection over WebSocket.
 *
 * Ownership: created by `mqttws_client_new`, freed with `mqttws_client_free`.
 * Threading: safe to use from several threads at once; one thread may
 * block in `mqttws_client_poll` while others publish, subscribe or
 * disconnect, and none waits for another's blocked call.
 * `mqttws_client_free` must be the last call: it answers `MQTTWS_BUSY`
 * while another thread's call is still in progress.
 */
typedef struct mqttws_client mqttws_client;

/**
 * What the broker answered in CONNACK on the client's most recent
 * connection: whether it resumed a session, and (MQTT 5) its properties:
 * an assigned client id, its limits, a reason string, a server reference.
 * Under MQTT 3.1.1 every property is absent.
 *
 * Ownership: a snapshot handed out by `mqttws_client_connack`, freed with
 * `mqttws_connack_free`; the views its accessors return are valid until
 * then. Later connections do not change it. Threading: immutable and
 * reference-counted; may be read from several threads at once.
 */
typedef struct mqttws_connack mqttws_connack;

/**
 * A finished platform signer: computes the credentials of each connection
 * attempt, knows the platform's endpoint URL and keepalive range.
 *
 * Ownership: created by a platform builder's `_build`
 * (`mqttws_tencent_device_builder_build`, ...), freed with
 * `mqttws_credential_provider_free`. Threading: immutable and
 * reference-counted (under the hood an `Arc<dyn CredentialProvider>`);
 * every function may be called from several threads at once, and options
 * and clients keep their own reference.
 */
typedef struct mqttws_credential_provider mqttws_credential_provider;

/**
 * Credentials computed for one connection attempt: client id, user name,
 * password, and (AWS) a URL and upgrade headers.
 *
 * Ownership: created by `mqttws_credential_provider_credentials`, freed
 * with `mqttws_credentials_free`; the views its accessors return are valid
 * until then. Threading: immutable; may be read from several threads.
 */
typedef struct mqttws_credentials mqttws_credentials;

/**
 * The detailed description of one failure, handed out by constructors and
 * other fallible functions that are not tied to a client, through an
 * optional `mqttws_error **err_out` last parameter.
 *
 * Ownership: the caller owns it and frees it with `mqttws_error_free`.
 * Threading: immutable; its functions may be called from any thread.
 */
typedef struct mqttws_error mqttws_error;

/**
 * An event from `mqttws_client_poll`: opaque; read it with the
 * `mqttws_event_*` accessors.
 *
 * Ownership: created by `mqttws_client_poll`, owned by its caller, freed
 * with `mqttws_event_free`. Every view an accessor returns is borrowed from
 * the event: valid until the event is freed, on any thread. Threading:
 * immutable; may be read from several threads.
 */
typedef struct mqttws_event mqttws_event;

/**
 * Builds a Huawei Cloud IoTDA device authenticated by its secret: client
 * id `{device_id}_0_{0|1}_{YYYYMMDDHH}`, user name `{device_id}`, password
 * an HMAC-SHA256 keyed with the UTC hour. Default: the platform does not
 * check the timestamp. Keepalive range 30..1200 s.
 *
 * Ownership: created by `mqttws_huawei_device_builder_new`; consumed by
 * `mqttws_huawei_device_builder_build`, or freed with
 * `mqttws_huawei_device_builder_free`. Threading: one thread at a time.
 */
typedef struct mqttws_huawei_device_builder mqttws_huawei_device_builder;

/**
 * Immutable client options, used by `mqttws_client_new` (which copies what
 * it needs, so the options may be freed right after).
 *
 * Ownership: created by `mqttws_options_builder_build`, freed with
 * `mqttws_options_free`. Threading: immutable and reference-counted; may be
 * used from several threads at once (e.g. to create clients in parallel).
 */
typedef struct mqttws_options mqttws_options;

/**
 * A mutable set of client options, turned into an immutable
 * `mqttws_options` by `mqttws_options_builder_build`.
 *
 * Ownership: created by `mqttws_options_builder_new`; consumed by
 * `mqttws_options_builder_build`, or freed with `mqttws_options_builder_free`.
 * Threading: not safe for concurrent use; one thread at a time. (Under the
 * hood: a `Box` of the Rust `ClientOptions` being built.)
 */
typedef struct mqttws_options_builder mqttws_options_builder;

/**
 * The MQTT 5 properties of a message: payload format, message expiry,
 * content type, response topic, correlation data, user properties and
 * (received messages only) subscription identifiers.
 *
 * Two kinds of pointers reach the caller:
 *
 * * Owned, from `mqttws_publish_properties_new`: set with the
 *   `mqttws_publish_properties_set_*` / `_add_*` functions, pass to
 *   `mqttws_client_publish_with` or `mqttws_options_builder_set_will_properties`
 *   (which copy it) as often as wanted, free with
 *   `mqttws_publish_properties_free`. One thread at a time while it is
 *   being changed; may be read (published) from several threads at once.
 * * Borrowed, `const`, from a received message (`mqttws_message.properties`):
 *   owned by the event, valid until `mqttws_event_free` (inside the
 *   message callback: until the callback returns). Read it; never free or
 *   change it.
 *
 * The reading accessors work on both.
 */
typedef struct mqttws_publish_properties mqttws_publish_properties;

/**
 * Builds a Tencent IoT Hub / IoT Explorer device. Client id
 * `{product_id}{device_name}`; user name
 * `{client_id};{sdkappid};{connid};{expiry}`; password an HMAC (key
 * devices) or RSA-SHA256 (certificate devices) signature of the user name.
 * Defaults: region ap-guangzhou, wss://, HMAC-SHA256, expiry one hour
 * after the signing time, random connid, sdkappid 12010126; keepalive
 * range 0..900 s.
 *
 * Ownership: created by a `mqttws_tencent_device_builder_new_*` function;
 * consumed by `mqttws_tencent_device_builder_build`, or freed with
 * `mqttws_tencent_device_builder_free`. Threading: one thread at a time.
 */
typedef struct mqttws_tencent_device_builder mqttws_tencent_device_builder;

/**
 * A borrowed UTF-8 string: `len` bytes at `data`, not counting a
 * terminating NUL.
 *
 * The library always puts a NUL after the `len` bytes, so `data` can also
 * be printed as a C string; `len` is authoritative. Views of absent values
 * (an unset user name...) have `data` = NULL and `len` = 0. A view is valid
 * only as long as the function that produced it says; copy what you keep.
 */
typedef struct mqttws_str {
    /**
     * The first byte, or NULL for an absent value.
     */
    const char *data;
    /**
     * The number of bytes, without the terminating NUL.
     */
    size_t len;
} mqttws_str;

/**
 * One subscription request of `mqttws_client_subscribe_many`.
 */
typedef struct mqttws_subscription {
    /**
     * The topic filter (UTF-8, wildcards allowed; `len` bytes, a NUL after
     * them is not needed).
     */
    struct mqttws_str filter;
    /**
     * The maximum QoS requested: 0, 1 or 2.
     */
    uint8_t qos;
} mqttws_subscription;

/**
 * One topic filter of `mqttws_client_subscribe_with`, with every
 * subscription option of MQTT 5 (the options byte has no room for more, so
 * this struct will not grow). Under MQTT 3.1.1 only `qos` exists: the
 * other fields must be false / `MQTTWS_RETAIN_HANDLING_SEND_ALWAYS` (0),
 * so a zero-initialised struct with a filter and a QoS works with both.
 */
typedef struct mqttws_subscribe_filter {
    /**
     * The topic filter (UTF-8, wildcards allowed; `len` bytes, a NUL after
     * them is not needed).
     */
    struct mqttws_str filter;
    /**
     * The maximum QoS requested: 0, 1 or 2.
     */
    uint8_t qos;
    /**
     * MQTT 5: do not receive the messages this client publishes itself.
     */
    bool no_local;
    /**
     * MQTT 5: keep the retain flag of messages as published (instead of
     * clearing it on live messages).
     */
    bool retain_as_published;
    /**
     * MQTT 5: `MQTTWS_RETAIN_HANDLING_SEND_ALWAYS` (0),
     * `MQTTWS_RETAIN_HANDLING_SEND_IF_NEW` (1) or
     * `MQTTWS_RETAIN_HANDLING_DO_NOT_SEND` (2).
     */
    uint8_t retain_handling;
} mqttws_subscribe_filter;

/**
 * Borrowed bytes: `len` bytes at `data` (binary, not NUL-terminated).
 *
 * `data` is never NULL in a view the library hands out, even when `len` is
 * 0. The lifetime is stated by the function that produced it.
 */
typedef struct mqttws_bytes {
    /**
     * The first byte.
     */
    const uint8_t *data;
    /**
     * The number of bytes.
     */
    size_t len;
} mqttws_bytes;

/**
 * A received message, inside an event (`mqttws_event_message`) or handed
 * to the message callback. Allocated by the library: never allocate or
 * copy one yourself; fields may be added at the end in later versions.
 * Its views, and its properties, are borrowed from the event (inside the
 * callback: valid until the callback returns).
 */
typedef struct mqttws_message {
    /**
     * The topic (UTF-8, NUL-terminated for convenience; `len` excludes it).
     */
    struct mqttws_str topic;
    /**
     * The payload (binary; `data` is never NULL, even for an empty payload).
     */
    struct mqttws_bytes payload;
    /**
     * The QoS the message was delivered with: 0, 1 or 2.
     */
    uint8_t qos;
    /**
     * Whether the broker sent it as a retained message.
     */
    bool retain;
    /**
     * Whether the broker marked it as a possible duplicate.
     */
    bool dup;
    /**
     * MQTT 5: its properties (content type, user properties, subscription
     * identifiers...), read with the `mqttws_publish_properties_*`
     * accessors; NULL when it carries none (always under MQTT 3.1.1).
     * Borrowed from the event like the views: never free or change them.
     */
    const struct mqttws_publish_properties *properties;
} mqttws_message;

/**
 * Called by `mqttws_client_poll`, on the thread calling it, for each
 * message it returns. `userdata` is the pointer given to
 * `mqttws_client_set_message_callback`; `message` is borrowed until the
 * callback returns. From inside the callback every call on this client
 * works except `mqttws_client_free` (`MQTTWS_REENTRANT`). The callback
 * must return normally: no longjmp or C++ exception may leave it. With
 * several threads polling, it may run on several threads at once.
 */
typedef void (*mqttws_message_callback)(void *userdata, const struct mqttws_message *message);

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

/**
 * The library version as a static NUL-terminated string, e.g. `"0.1.0"`.
 *
 * Compare with `MQTTWS_VERSION_STRING` to detect a header/library mismatch.
 * Never NULL; the string is static and must not be freed. Thread-safe.
 */
const char *mqttws_version(void);

/**
 * Computes the credentials for a connection made at `unix_time` (seconds
 * since 1970, e.g. `time(NULL)`): client id, user name and password, and
 * for AWS the URL (`mqttws_credentials_url`) and upgrade headers
 * (`mqttws_credentials_header`). The client does this by itself at every
 * connect; this function shows what it would send.
 *
 * On success `*credentials_out` receives credentials the caller frees with
 * `mqttws_credentials_free`. On failure, if `err_out` is not NULL (it is
 * optional), `*err_out` receives an `mqttws_error` to free. NULL
 * `provider` or `credentials_out`: `MQTTWS_NULL_PARAMETER`; a malformed
 * identity, an expiry in the past, a clock before 2015 where the platform
 * checks the time: `MQTTWS_INVALID_ARGUMENT`; unusable secrets (a PSK or
 * key that is not base64, an unreadable or unusable private key, an empty
 * secret or token): `MQTTWS_AUTH`. Thread-safe.
 */
mqttws_result mqttws_credential_provider_credentials(const struct mqttws_credential_provider *provider,
                                                     uint64_t unix_time,
                                                     struct mqttws_credentials **credentials_out,
                                                     struct mqttws_error **err_out);

/**
 * Copies the platform's endpoint URL, e.g.
 * `wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt`, into
 * `buf` (NUL-terminated) and its length into `*out_n`: the URL to give
 * `mqttws_options_builder_new`. For AWS it is the endpoint before signing
 * (`wss://{host}/mqtt`), which the credentials of each connect replace.
 *
 * NULL `provider` or `out_n`, or NULL `buf` with `len` > 0:
 * `MQTTWS_NULL_PARAMETER`. If `len` is too small, nothing is copied,
 * `*out_n` receives the size needed (with the NUL) and the result is
 * `MQTTWS_INSUFFICIENT_SIZE`. No endpoint (an Alibaba device without
 * region or instance) or a malformed host, product id or region:
 * `MQTTWS_INVALID_ARGUMENT`. On failure, if `err_out` is not NULL (it is
 * optional), `*err_out` receives an `mqttws_error` to free. Thread-safe.
 */
mqttws_result mqttws_credential_provider_url(const struct mqttws_credential_provider *provider,
                                             char *buf,
                                             size_t len,
                                             size_t *out_n,
                                             struct mqttws_error **err_out);

/**
 * Releases the caller's reference to a provider. Options and clients it
 * was given to keep theirs, so it may be freed right after
 * `mqttws_options_builder_set_credential_provider`. NULL is a no-op. Must
 * not be called twice for the same reference, nor while another thread
 * still uses it.
 */
void mqttws_credential_provider_free(const struct mqttws_credential_provider *provider);

/**
 * The MQTT client id. Borrowed (valid until `mqttws_credentials_free`),
 * NUL-terminated. NULL `credentials`: a view with `data` NULL.
 * Thread-safe (credentials are immutable).
 */
struct mqttws_str mqttws_credentials_client_id(const struct mqttws_credentials *credentials);

/**
 * The MQTT user name, or a view with `data` NULL if there is none (or
 * `credentials` is NULL). Borrowed (valid until `mqttws_credentials_free`),
 * NUL-terminated. Thread-safe.
 */
struct mqttws_str mqttws_credentials_username(const struct mqttws_credentials *credentials);

/**
 * The MQTT password (a secret: do not log it), or a view with `data` NULL
 * if there is none (or `credentials` is NULL). Borrowed (valid until
 * `mqttws_credentials_free`), NUL-terminated. Thread-safe.
 */
struct mqttws_str mqttws_credentials_password(const struct mqttws_credentials *credentials);

/**
 * The URL that replaces the configured one for this attempt (AWS: the
 * presigned or custom-authorizer URL), or a view with `data` NULL if the
 * configured URL stays (or `credentials` is NULL). Borrowed (valid until
 * `mqttws_credentials_free`), NUL-terminated. Thread-safe.
 */
struct mqttws_str mqttws_credentials_url(const struct mqttws_credentials *credentials);

/**
 * The number of extra WebSocket upgrade headers (AWS custom authorizer).
 * NULL `credentials`: 0. Thread-safe.
 */
size_t mqttws_credentials_header_count(const struct mqttws_credentials *credentials);

/**
 * The header at `index` (0 to count - 1): its name and value, borrowed
 * (valid until `mqttws_credentials_free`), NUL-terminated.
 *
 * NULL `credentials`, `name_out` or `value_out`: `MQTTWS_NULL_PARAMETER`;
 * `index` out of range: `MQTTWS_INVALID_PARAMETER`. Thread-safe.
 */
mqttws_result mqttws_credentials_header(const struct mqttws_credentials *credentials,
                                        size_t index,
                                        struct mqttws_str *name_out,
                                        struct mqttws_str *value_out);

/**
 * Frees credentials and the views they handed out. NULL is a no-op. Must
 * not be called twice, nor while another thread reads them.
 */
void mqttws_credentials_free(struct mqttws_credentials *credentials);

/**
 * Starts a device of product `product_key` named `device_name` with its
 * device secret (used as is).
 *
 * All strings (UTF-8) are copied. On success `*builder_out` receives a
 * builder (build it, or free it with `mqttws_aliyun_device_builder_free`).
 * NULL parameter: `MQTTWS_NULL_PARAMETER`. Values are checked when
 * signing. Thread-safe.
 */
mqttws_result mqttws_aliyun_device_builder_new(const char *product_key,
                                               const char *device_name,
                                               const char *device_secret,
                                               struct mqttws_aliyun_device_builder **builder_out);

/**
 * Sets the bare client id before the `|...|` parameters (at most 64
 * characters, no `|`; default `{product_key}.{device_name}`).
 *
 * `client_id` is copied. NULL `builder` or `client_id`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_aliyun_device_builder_set_client_id(struct mqttws_aliyun_device_builder *builder,
                                                         const char *client_id);

/**
 * Sets the scheme: `MQTTWS_SCHEME_WSS` (default, securemode=2) or
 * `MQTTWS_SCHEME_WS` (securemode=3); both use port 443. It changes both
 * the client id and the endpoint URL.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`; another value:
 * `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_aliyun_device_builder_set_scheme(struct mqttws_aliyun_device_builder *builder,
                                                      uint32_t scheme);

/**
 * Sets the HMAC: `"hmacsha256"` (default), `"hmacsha1"` or `"hmacmd5"`.
 *
 * NULL `builder` or `method`: `MQTTWS_NULL_PARAMETER`; an unknown name:
 * `MQTTWS_INVALID_ARGUMENT`. One thread at a time per builder.
 */
mqttws_result mqttws_aliyun_device_builder_set_sign_method(struct mqttws_aliyun_device_builder *builder,
                                                           const char *method);

/**
 * Uses the signing time (milliseconds) as the timestamp parameter (the
 * default).
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_aliyun_device_builder_set_timestamp_now(struct mqttws_aliyun_device_builder *builder);

/**
 * Uses this fixed timestamp parameter (milliseconds), e.g. 2524608000000
 * as Alibaba's C SDKs send, for devices without a clock.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_aliyun_device_builder_set_timestamp_fixed(struct mqttws_aliyun_device_builder *builder,
                                                               uint64_t timestamp_ms);

/**
 * Sends no timestamp parameter (neither in the client id nor signed).
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_aliyun_device_builder_set_timestamp_omit(struct mqttws_aliyun_device_builder *builder);

/**
 * Emits the password in lower-case hex instead of upper case (the server
 * accepts both).
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_aliyun_device_builder_set_lowercase_hex(struct mqttws_aliyun_device_builder *builder,
                                                             bool lowercase);

/**
 * Connects to the old public instance of a region, e.g. `"cn-shanghai"`:
 * host `{product_key}.iot-as-mqtt.{region_id}.aliyuncs.com`.
 *
 * `region_id` is copied. NULL `builder` or `region_id`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_aliyun_device_builder_set_region(struct mqttws_aliyun_device_builder *builder,
                                                      const char *region_id);

/**
 * Connects to a new public or Enterprise instance, e.g.
 * `"iot-06z00ab1c2d3e4f"`: host `{instance_id}.mqtt.iothub.aliyuncs.com`.
 *
 * `instance_id` is copied. NULL `builder` or `instance_id`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_aliyun_device_builder_set_instance(struct mqttws_aliyun_device_builder *builder,
                                                        const char *instance_id);

/**
 * Turns the builder into a credential provider (keepalive range 30..1200
 * s). Nothing is checked here: the values are checked at each signing.
 *
 * Always consumes `builder`, also on failure: do not use or free it
 * afterwards. On success `*provider_out` receives a provider the caller
 * frees with `mqttws_credential_provider_free`. NULL `builder` or
 * `provider_out`: `MQTTWS_NULL_PARAMETER`.
 */
mqttws_result mqttws_aliyun_device_builder_build(struct mqttws_aliyun_device_builder *builder,
                                                 const struct mqttws_credential_provider **provider_out);

/**
 * Frees a builder that was not built. NULL is a no-op. Must not be called
 * twice, nor after `mqttws_aliyun_device_builder_build`, nor while another
 * thread uses the builder.
 */
void mqttws_aliyun_device_builder_free(struct mqttws_aliyun_device_builder *builder);

/**
 * Starts a presigner for the endpoint `host` (e.g.
 * `abc123-ats.iot.us-east-1.amazonaws.com`, no scheme or port) with an
 * access key id and its secret.
 *
 * All strings are copied. On success `*builder_out` receives a builder
 * (build it, or free it with `mqttws_aws_sigv4_builder_free`). NULL
 * parameter: `MQTTWS_NULL_PARAMETER`. Thread-safe.
 */
mqttws_result mqttws_aws_sigv4_builder_new(const char *host,
                                           const char *access_key_id,
                                           const char *secret_access_key,
                                           struct mqttws_aws_sigv4_builder **builder_out);

/**
 * Sets the MQTT client id (required; the IoT policy must allow it).
 *
 * `client_id` is copied. NULL `builder` or `client_id`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_aws_sigv4_builder_set_client_id(struct mqttws_aws_sigv4_builder *builder,
                                                     const char *client_id);

/**
 * Sets the port (default 443; another port is signed as `host:port`).
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_aws_sigv4_builder_set_port(struct mqttws_aws_sigv4_builder *builder,
                                                uint16_t port);

/**
 * Sets the signing region instead of deriving it from the host (needed for
 * custom domains).
 *
 * `region` is copied. NULL `builder` or `region`: `MQTTWS_NULL_PARAMETER`.
 * One thread at a time per builder.
 */
mqttws_result mqttws_aws_sigv4_builder_set_region(struct mqttws_aws_sigv4_builder *builder,
                                                  const char *region);

/**
 * Sets the session token of temporary credentials (STS, Cognito),
 * appended to the URL after signing.
 *
 * `token` is copied. NULL `builder` or `token`: `MQTTWS_NULL_PARAMETER`.
 * One thread at a time per builder.
 */
mqttws_result mqttws_aws_sigv4_builder_set_session_token(struct mqttws_aws_sigv4_builder *builder,
                                                         const char *token);

/**
 * Adds `X-Amz-Expires` (1 to 604800 seconds, checked when signing) to the
 * signed query.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_aws_sigv4_builder_set_expires(struct mqttws_aws_sigv4_builder *builder,
                                                   uint64_t seconds);

/**
 * Turns the builder into a credential provider: every connect presigns a
 * fresh URL, which replaces the options' URL, and the keepalive is checked
 * against 1..1200 s. Nothing is checked here: the values are checked at
 * each signing.
 *
 * Always consumes `builder`, also on failure: do not use or free it
 * afterwards. On success `*provider_out` receives a provider the caller
 * frees with `mqttws_credential_provider_free`. NULL `builder` or
 * `provider_out`: `MQTTWS_NULL_PARAMETER`.
 */
mqttws_result mqttws_aws_sigv4_builder_build(struct mqttws_aws_sigv4_builder *builder,
                                             const struct mqttws_credential_provider **provider_out);

/**
 * Frees a builder that was not built. NULL is a no-op. Must not be called
 * twice, nor after `mqttws_aws_sigv4_builder_build`, nor while another
 * thread uses the builder.
 */
void mqttws_aws_sigv4_builder_free(struct mqttws_aws_sigv4_builder *builder);

/**
 * Starts custom-authorizer credentials for the endpoint `host` (no scheme
 * or port).
 *
 * `host` is copied. On success `*builder_out` receives a builder (build
 * it, or free it with `mqttws_aws_custom_auth_builder_free`). NULL
 * parameter: `MQTTWS_NULL_PARAMETER`. Thread-safe.
 */
mqttws_result mqttws_aws_custom_auth_builder_new(const char *host,
                                                 struct mqttws_aws_custom_auth_builder **builder_out);

/**
 * Sets the MQTT client id (required).
 *
 * `client_id` is copied. NULL `builder` or `client_id`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_aws_custom_auth_builder_set_client_id(struct mqttws_aws_custom_auth_builder *builder,
                                                           const char *client_id);

/**
 * Sets the port (default 443).
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_aws_custom_auth_builder_set_port(struct mqttws_aws_custom_auth_builder *builder,
                                                      uint16_t port);

/**
 * Sets the authorizer name (`x-amz-customauthorizer-name`; without it the
 * account's default authorizer applies).
 *
 * `name` is copied. NULL `builder` or `name`: `MQTTWS_NULL_PARAMETER`. One
 * thread at a time per builder.
 */
mqttws_result mqttws_aws_custom_auth_builder_set_authorizer_name(struct mqttws_aws_custom_auth_builder *builder,
                                                                 const char *name);

/**
 * Sets the token, sent as `{key_name}: {token}` (or `key_name=token` in
 * the query); `key_name` is the authorizer's token key name.
 *
 * Both strings are copied. NULL `builder`, `key_name` or `token`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_aws_custom_auth_builder_set_token(struct mqttws_aws_custom_auth_builder *builder,
                                                       const char *key_name,
                                                       const char *token);

/**
 * Sets the token signature (`x-amz-customauthorizer-signature`, base64),
 * needed when the authorizer has token signing on.
 *
 * `signature` is copied. NULL `builder` or `signature`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_aws_custom_auth_builder_set_token_signature(struct mqttws_aws_custom_auth_builder *builder,
                                                                 const char *signature);

/**
 * Where the parameters go: `MQTTWS_AWS_CUSTOM_AUTH_HEADERS` (default) or
 * `MQTTWS_AWS_CUSTOM_AUTH_QUERY_STRING`.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`; another value:
 * `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_aws_custom_auth_builder_set_mode(struct mqttws_aws_custom_auth_builder *builder,
                                                      uint32_t mode);

/**
 * Turns the builder into a credential provider: every connect uses its
 * URL (replacing the options') and upgrade headers, and the keepalive is
 * checked against 1..1200 s. Nothing is checked here: the values are
 * checked at each signing.
 *
 * Always consumes `builder`, also on failure: do not use or free it
 * afterwards. On success `*provider_out` receives a provider the caller
 * frees with `mqttws_credential_provider_free`. NULL `builder` or
 * `provider_out`: `MQTTWS_NULL_PARAMETER`.
 */
mqttws_result mqttws_aws_custom_auth_builder_build(struct mqttws_aws_custom_auth_builder *builder,
                                                   const struct mqttws_credential_provider **provider_out);

/**
 * Frees a builder that was not built. NULL is a no-op. Must not be called
 * twice, nor after `mqttws_aws_custom_auth_builder_build`, nor while
 * another thread uses the builder.
 */
void mqttws_aws_custom_auth_builder_free(struct mqttws_aws_custom_auth_builder *builder);

/**
 * Starts device `device_id` of the hub `hub` (full host name, e.g.
 * `myhub.azure-devices.net`) with its key as the portal shows it (base64).
 *
 * All strings are copied. On success `*builder_out` receives a builder
 * (build it, or free it with `mqttws_azure_device_builder_free`). NULL
 * parameter: `MQTTWS_NULL_PARAMETER`. Thread-safe.
 */
mqttws_result mqttws_azure_device_builder_new(const char *hub,
                                              const char *device_id,
                                              const char *key_base64,
                                              struct mqttws_azure_device_builder **builder_out);

/**
 * Authenticates as module `module_id` of the device (the key is then the
 * module's).
 *
 * `module_id` is copied. NULL `builder` or `module_id`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_azure_device_builder_set_module_id(struct mqttws_azure_device_builder *builder,
                                                        const char *module_id);

/**
 * Names the shared access policy whose key was given (adds `&skn=`).
 *
 * `name` is copied. NULL `builder` or `name`: `MQTTWS_NULL_PARAMETER`. One
 * thread at a time per builder.
 */
mqttws_result mqttws_azure_device_builder_set_shared_access_key_name(struct mqttws_azure_device_builder *builder,
                                                                     const char *name);

/**
 * Sets the SAS token lifetime in seconds (default 3600; at least 1,
 * checked when signing).
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_azure_device_builder_set_sas_ttl(struct mqttws_azure_device_builder *builder,
                                                      uint64_t seconds);

/**
 * Sets the api-version of the user name (default "2021-04-12").
 *
 * `version` is copied. NULL `builder` or `version`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_azure_device_builder_set_api_version(struct mqttws_azure_device_builder *builder,
                                                          const char *version);

/**
 * Appends `&DeviceClientType={client_type}` to the user name.
 *
 * `client_type` is copied. NULL `builder` or `client_type`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_azure_device_builder_set_device_client_type(struct mqttws_azure_device_builder *builder,
                                                                 const char *client_type);

/**
 * Whether the endpoint URL ends with `?iothub-no-client-cert=true`
 * (default true).
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_azure_device_builder_set_no_client_cert_hint(struct mqttws_azure_device_builder *builder,
                                                                  bool on);

/**
 * Turns the builder into a credential provider (a fresh SAS token at every
 * connect; keepalive range 1..1740 s). Nothing is checked here: the values
 * are checked at each signing.
 *
 * Always consumes `builder`, also on failure: do not use or free it
 * afterwards. On success `*provider_out` receives a provider the caller
 * frees with `mqttws_credential_provider_free`. NULL `builder` or
 * `provider_out`: `MQTTWS_NULL_PARAMETER`.
 */
mqttws_result mqttws_azure_device_builder_build(struct mqttws_azure_device_builder *builder,
                                                const struct mqttws_credential_provider **provider_out);

/**
 * Frees a builder that was not built. NULL is a no-op. Must not be called
 * twice, nor after `mqttws_azure_device_builder_build`, nor while another
 * thread uses the builder.
 */
void mqttws_azure_device_builder_free(struct mqttws_azure_device_builder *builder);

/**
 * Starts device `device_id` with its `secret`, connecting to the device
 * access host `host` (no scheme, port or path).
 *
 * All strings are copied. On success `*builder_out` receives a builder
 * (build it, or free it with `mqttws_huawei_device_builder_free`). NULL
 * parameter: `MQTTWS_NULL_PARAMETER`. Thread-safe.
 */
mqttws_result mqttws_huawei_device_builder_new(const char *host,
                                               const char *device_id,
                                               const char *secret,
                                               struct mqttws_huawei_device_builder **builder_out);

/**
 * Whether the platform checks the timestamp against its own time (client
 * id `_0_1_`; default false, `_0_0_`). Checking needs a set clock.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_huawei_device_builder_set_check_timestamp(struct mqttws_huawei_device_builder *builder,
                                                               bool check);

/**
 * Turns the builder into a credential provider (signing at every connect;
 * keepalive range 30..1200 s). Nothing is checked here: the values are
 * checked at each signing.
 *
 * Always consumes `builder`, also on failure: do not use or free it
 * afterwards. On success `*provider_out` receives a provider the caller
 * frees with `mqttws_credential_provider_free`. NULL `builder` or
 * `provider_out`: `MQTTWS_NULL_PARAMETER`.
 */
mqttws_result mqttws_huawei_device_builder_build(struct mqttws_huawei_device_builder *builder,
                                                 const struct mqttws_credential_provider **provider_out);

/**
 * Frees a builder that was not built. NULL is a no-op. Must not be called
 * twice, nor after `mqttws_huawei_device_builder_build`, nor while another
 * thread uses the builder.
 */
void mqttws_huawei_device_builder_free(struct mqttws_huawei_device_builder *builder);

/**
 * Starts a key (PSK) device. `psk_base64` is the device key exactly as the
 * console shows it (base64; decoded when signing).
 *
 * All strings (UTF-8) are copied. On success `*builder_out` receives a
 * builder (build it, or free it with `mqttws_tencent_device_builder_free`).
 * NULL parameter: `MQTTWS_NULL_PARAMETER`; not UTF-8:
 * `MQTTWS_INVALID_PARAMETER`. Values are checked when signing.
 * Thread-safe.
 */
mqttws_result mqttws_tencent_device_builder_new_psk(const char *product_id,
                                                    const char *device_name,
                                                    const char *psk_base64,
                                                    struct mqttws_tencent_device_builder **builder_out);

/**
 * Starts a certificate device whose RSA private key (PEM, PKCS#1 or
 * PKCS#8, unencrypted) is given as `pem_len` bytes; the password is then
 * an RSA-SHA256 signature, as Tencent's SDKs send over WebSocket.
 *
 * Strings and the key are copied. NULL parameter: `MQTTWS_NULL_PARAMETER`;
 * `pem_len` 0: `MQTTWS_INVALID_PARAMETER`. On success `*builder_out`
 * receives a builder. Thread-safe.
 */
mqttws_result mqttws_tencent_device_builder_new_private_key_pem(const char *product_id,
                                                                const char *device_name,
                                                                const uint8_t *pem,
                                                                size_t pem_len,
                                                                struct mqttws_tencent_device_builder **builder_out);

/**
 * Starts a certificate device whose RSA private key PEM is in the file
 * `key_path`, read at every signing (so a rotated key is picked up).
 *
 * Strings are copied. NULL parameter: `MQTTWS_NULL_PARAMETER`. On success
 * `*builder_out` receives a builder. Thread-safe.
 */
mqttws_result mqttws_tencent_device_builder_new_private_key_file(const char *product_id,
                                                                 const char *device_name,
                                                                 const char *key_path,
                                                                 struct mqttws_tencent_device_builder **builder_out);

/**
 * Sets the HMAC of a key device: `"hmacsha1"` or `"hmacsha256"` (the
 * default). On a certificate device, signing then fails.
 *
 * NULL `builder` or `method`: `MQTTWS_NULL_PARAMETER`; an unknown name:
 * `MQTTWS_INVALID_ARGUMENT`. One thread at a time per builder.
 */
mqttws_result mqttws_tencent_device_builder_set_sign_method(struct mqttws_tencent_device_builder *builder,
                                                            const char *method);

/**
 * Sets the region, the second label of the endpoint host: e.g.
 * `"ap-guangzhou"` (default), `"us-east"`, `"europe"`, `"ap-bangkok"`.
 *
 * `region` is copied. NULL `builder` or `region`: `MQTTWS_NULL_PARAMETER`.
 * One thread at a time per builder.
 */
mqttws_result mqttws_tencent_device_builder_set_region(struct mqttws_tencent_device_builder *builder,
                                                       const char *region);

/**
 * Sets the scheme of the endpoint URL: `MQTTWS_SCHEME_WSS` (default, port
 * 443) or `MQTTWS_SCHEME_WS` (port 80).
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`; another value:
 * `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_tencent_device_builder_set_scheme(struct mqttws_tencent_device_builder *builder,
                                                       uint32_t scheme);

/**
 * Makes the signature expire `seconds` after the signing time (the
 * default is 3600). Signing then needs a wall clock after 2015.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_tencent_device_builder_set_expiry_ttl(struct mqttws_tencent_device_builder *builder,
                                                           uint64_t seconds);

/**
 * Makes the signature expire at this UNIX time (seconds), which must be
 * after the signing time.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_tencent_device_builder_set_expiry_at(struct mqttws_tencent_device_builder *builder,
                                                          uint64_t unix_time);

/**
 * Makes the signature never expire (expiry 2147483647, as the SDKs do for
 * devices without a trustworthy clock).
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_tencent_device_builder_set_expiry_never(struct mqttws_tencent_device_builder *builder);

/**
 * Fixes the connid field (ASCII letters and digits) instead of 5 random
 * characters per attempt. Meant for tests.
 *
 * `connid` is copied. NULL `builder` or `connid`: `MQTTWS_NULL_PARAMETER`.
 * One thread at a time per builder.
 */
mqttws_result mqttws_tencent_device_builder_set_connid(struct mqttws_tencent_device_builder *builder,
                                                       const char *connid);

/**
 * Sets the sdkappid field of the user name (default "12010126").
 *
 * `sdkappid` is copied. NULL `builder` or `sdkappid`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_tencent_device_builder_set_sdkappid(struct mqttws_tencent_device_builder *builder,
                                                         const char *sdkappid);

/**
 * Turns the builder into a credential provider (keepalive range 0..900 s).
 * Nothing is checked here: the values are checked at each signing.
 *
 * Always consumes `builder`, also on failure: do not use or free it
 * afterwards. On success `*provider_out` receives a provider the caller
 * frees with `mqttws_credential_provider_free`. NULL `builder` or
 * `provider_out`: `MQTTWS_NULL_PARAMETER`.
 */
mqttws_result mqttws_tencent_device_builder_build(struct mqttws_tencent_device_builder *builder,
                                                  const struct mqttws_credential_provider **provider_out);

/**
 * Frees a builder that was not built. NULL is a no-op. Must not be called
 * twice, nor after `mqttws_tencent_device_builder_build`, nor while
 * another thread uses the builder.
 */
void mqttws_tencent_device_builder_free(struct mqttws_tencent_device_builder *builder);

/**
 * Creates a client for these options. Checks the URL and reads the TLS
 * files (CA, client certificate and key) now; does no network I/O.
 *
 * `options` is borrowed (the client copies what it needs; the options may
 * be freed right after). On success `*client_out` receives a client that
 * the caller frees with `mqttws_client_free`. On failure, if `err_out` is
 * not NULL, `*err_out` receives an `mqttws_error` to free with
 * `mqttws_error_free` (`err_out` is optional). NULL `options` or
 * `client_out`: `MQTTWS_NULL_PARAMETER`; unreadable CA or key file:
 * `MQTTWS_INVALID_ARGUMENT` or `MQTTWS_TLS`. Thread-safe (for distinct
 * `client_out`).
 */
mqttws_result mqttws_client_new(const struct mqttws_options *options,
                                struct mqttws_client **client_out,
                                struct mqttws_error **err_out);

/**
 * Connects: DNS, TCP, TLS (wss), WebSocket upgrade (subprotocol mqtt),
 * CONNECT and CONNACK, all within the connect timeout. With a platform
 * credential provider attached, the credentials are signed afresh now.
 * QoS 1/2 messages not acknowledged on a previous connection are sent
 * again.
 *
 * On success, if `session_present_out` is not NULL (it is optional), it
 * receives whether the broker resumed a stored session; the rest of what
 * CONNACK said (MQTT 5 properties) is in `mqttws_client_connack`. Under
 * MQTT 3.1.1, CONNECT or will properties (MQTT 5 only) fail with
 * `MQTTWS_INVALID_ARGUMENT` before CONNECT is sent. NULL `client`:
 * `MQTTWS_NULL_PARAMETER`. Already connected: `MQTTWS_INVALID_ARGUMENT`.
 * Failures:
 * `MQTTWS_IO`, `MQTTWS_PROXY`, `MQTTWS_TIMEOUT`, `MQTTWS_TLS`,
 * `MQTTWS_HANDSHAKE` (see `mqttws_client_last_http_status`),
 * `MQTTWS_CONNACK_*` (see
 * `mqttws_client_last_connack_code`), `MQTTWS_AUTH`, `MQTTWS_INTERRUPTED`.
 * Blocks; any thread.
 */
mqttws_result mqttws_client_connect(struct mqttws_client *client, bool *session_present_out);

/**
 * Publishes a message. Returns once the message is handed to the kernel
 * (QoS 0), or for QoS 1/2 as soon as it is; `mqttws_client_wait_for` waits
 * for the acknowledgement. Blocks (up to the operation timeout) only while
 * the inflight window or the socket is full. While disconnected, with an
 * offline queue configured (`mqttws_options_builder_set_offline_queue` or
 * `_set_reconnect`), the message is queued and sent after the next CONNACK.
 *
 * `topic` is `topic_len` bytes of UTF-8 (no NUL needed), without
 * wildcards; `payload` is `payload_len` bytes (NULL allowed when
 * `payload_len` is 0); both are copied. `qos` is 0, 1 or 2. On success, if
 * `packet_id_out` is not NULL (it is optional), it receives the packet id
 * (0 for QoS 0). NULL `client` or `topic`: `MQTTWS_NULL_PARAMETER`; topic
 * not UTF-8 or QoS above 2: `MQTTWS_INVALID_PARAMETER`; a wildcard or an
 * empty topic: `MQTTWS_INVALID_ARGUMENT`; not connected (and no offline
 * queue): `MQTTWS_CLOSED`; offline queue full: `MQTTWS_QUEUE_FULL`. Works
 * from inside this client's message callback. Any thread.
 */
mqttws_result mqttws_client_publish(struct mqttws_client *client,
                                    const char *topic,
                                    size_t topic_len,
                                    const uint8_t *payload,
                                    size_t payload_len,
                                    uint8_t qos,
                                    bool retain,
                                    uint16_t *packet_id_out);

/**
 * `mqttws_client_publish` with MQTT 5 properties (`properties` NULL: none,
 * the same as `mqttws_client_publish`). Wait for the acknowledgement with
 * `mqttws_client_wait_for`, which fails with `MQTTWS_REJECTED` (reason
 * code in `mqttws_client_last_connack_code`, e.g. 0x87 not authorized)
 * when the broker refuses the message.
 *
 * `properties` is borrowed for the call and copied: owned properties may
 * be reused or freed right after, and a received message's properties may
 * be passed (its subscription identifiers are not sent). Parameters, NULL
 * handling and errors otherwise as `mqttws_client_publish`, plus
 * `MQTTWS_INVALID_ARGUMENT` (nothing sent) for properties under MQTT
 * 3.1.1, a payload marked UTF-8 that is not, and properties with a QoS 1/2
 * message while a durable store (`mqttws_options_builder_set_store_dir`)
 * is set (the store does not keep properties). Any thread.
 */
mqttws_result mqttws_client_publish_with(struct mqttws_client *client,
                                         const char *topic,
                                         size_t topic_len,
                                         const uint8_t *payload,
                                         size_t payload_len,
                                         uint8_t qos,
                                         bool retain,
                                         const struct mqttws_publish_properties *properties,
                                         uint16_t *packet_id_out);

/**
 * Starts a batch of publishes: until the matching `mqttws_client_uncork`,
 * a publish leaves its packet in the client's buffer instead of writing
 * it, so that a batch leaves in a few writes (one TLS record each over
 * wss) instead of one per message. Bounded: a publish writes anyway once
 * 16 KiB wait, and any call that waits (a QoS 1/2 publish with a full
 * inflight window, poll, wait_for) writes first. Corks nest.
 *
 * NULL `client`: `MQTTWS_NULL_PARAMETER`. Does not block; any thread.
 */
mqttws_result mqttws_client_cork(struct mqttws_client *client);

/**
 * Ends a batch started by `mqttws_client_cork`: when the last open cork
 * ends, writes what waits and returns once it is with the kernel (the
 * promise of `mqttws_client_publish`, for the batch as a whole). An uncork
 * without a cork only writes.
 *
 * NULL `client`: `MQTTWS_NULL_PARAMETER`. A full socket for the operation
 * timeout: `MQTTWS_TIMEOUT` (fatal, as for a publish). Blocks only
 * while the socket is full; any thread.
 */
mqttws_result mqttws_client_uncork(struct mqttws_client *client);

/**
 * Writes what corked publishes left in the client's buffer without ending
 * the cork, and returns once it is with the kernel.
 *
 * NULL `client`: `MQTTWS_NULL_PARAMETER`. A full socket for the operation
 * timeout: `MQTTWS_TIMEOUT` (fatal, as for a publish). Blocks only
 * while the socket is full; any thread.
 */
mqttws_result mqttws_client_flush(struct mqttws_client *client);

/**
 * Waits until the QoS 1/2 message with this packet id is acknowledged
 * (PUBACK, or PUBCOMP for QoS 2). Returns at once for an id that is not in
 * flight (e.g. 0, the id of a QoS 0 publish). `timeout_ms` < 0 uses the
 * operation timeout. Messages that arrive meanwhile are kept for
 * `mqttws_client_poll`.
 *
 * NULL `client`: `MQTTWS_NULL_PARAMETER`. Timeout: `MQTTWS_ACK_TIMEOUT`
 * (not fatal: the message stays in flight). Works from inside this
 * client's message callback. Blocks; any thread.
 */
mqttws_result mqttws_client_wait_for(struct mqttws_client *client,
                                     uint16_t packet_id,
                                     int timeout_ms);

/**
 * Publishes and, for QoS 1/2, waits for the acknowledgement (up to the
 * operation timeout). Parameters, NULL handling and errors as
 * `mqttws_client_publish` and `mqttws_client_wait_for`. Blocks; one thread
 * at a time.
 */
mqttws_result mqttws_client_publish_and_wait(struct mqttws_client *client,
                                             const char *topic,
                                             size_t topic_len,
                                             const uint8_t *payload,
                                             size_t payload_len,
                                             uint8_t qos,
                                             bool retain);

/**
 * Subscribes to one topic filter and waits for SUBACK (up to the
 * operation timeout).
 *
 * `filter` is `filter_len` bytes of UTF-8 (wildcards allowed), copied.
 * `qos` is the maximum QoS wanted: 0, 1 or 2. On success, if
 * `granted_qos_out` is not NULL (it is optional), it receives the QoS the
 * broker granted. NULL `client` or `filter`: `MQTTWS_NULL_PARAMETER`; bad
 * UTF-8 or QoS above 2: `MQTTWS_INVALID_PARAMETER`; a malformed filter:
 * `MQTTWS_INVALID_ARGUMENT`; refused by the broker:
 * `MQTTWS_SUBSCRIBE_REFUSED`. Blocks; any thread.
 */
mqttws_result mqttws_client_subscribe(struct mqttws_client *client,
                                      const char *filter,
                                      size_t filter_len,
                                      uint8_t qos,
                                      uint8_t *granted_qos_out);

/**
 * Subscribes to `count` topic filters in one SUBSCRIBE and waits for
 * SUBACK.
 *
 * `subscriptions` is an array of `count` (at least 1) entries, borrowed
 * for the call. On success, if `granted_qos_out` is not NULL (it is
 * optional), its `count` bytes receive the granted QoS per filter, 0x80
 * where the broker refused one; refusals do not make the call fail. NULL
 * `client`, `subscriptions` or a filter's `data`: `MQTTWS_NULL_PARAMETER`;
 * `count` 0, bad UTF-8 or QoS above 2: `MQTTWS_INVALID_PARAMETER`.
 * Blocks; any thread.
 */
mqttws_result mqttws_client_subscribe_many(struct mqttws_client *client,
                                           const struct mqttws_subscription *subscriptions,
                                           size_t count,
                                           uint8_t *granted_qos_out);

/**
 * Unsubscribes from one topic filter and waits for UNSUBACK.
 *
 * `filter` is `filter_len` bytes of UTF-8, copied. NULL `client` or
 * `filter`: `MQTTWS_NULL_PARAMETER`; bad UTF-8: `MQTTWS_INVALID_PARAMETER`.
 * Blocks; any thread.
 */
mqttws_result mqttws_client_unsubscribe(struct mqttws_client *client,
                                        const char *filter,
                                        size_t filter_len);

/**
 * Unsubscribes from `count` topic filters in one UNSUBSCRIBE and waits for
 * UNSUBACK.
 *
 * `filters` is an array of `count` (at least 1) views, borrowed for the
 * call. NULL `client`, `filters` or a filter's `data`:
 * `MQTTWS_NULL_PARAMETER`; `count` 0 or bad UTF-8:
 * `MQTTWS_INVALID_PARAMETER`. Blocks; any thread.
 */
mqttws_result mqttws_client_unsubscribe_many(struct mqttws_client *client,
                                             const struct mqttws_str *filters,
                                             size_t count);

/**
 * Subscribes to `count` topic filters with their MQTT 5 options (no local,
 * retain as published, retain handling) in one SUBSCRIBE, optionally
 * tagged with a subscription identifier, and waits for SUBACK (up to the
 * operation timeout). Messages delivered through these subscriptions carry
 * the identifier (`mqttws_publish_properties_subscription_identifier`).
 *
 * `filters` is an array of `count` (at least 1) entries, borrowed for the
 * call. `subscription_identifier` is 1 to 268,435,455, or 0 for none. On
 * success, if not NULL (both are optional), the `count` bytes of
 * `granted_qos_out` receive the granted QoS per filter (0x80 where the
 * broker refused it), and those of `reason_codes_out` the SUBACK reason
 * code per filter (the granted QoS, or a refusal of 0x80 and up: 0x87 not
 * authorized, 0x8F filter invalid, 0xA1 subscription identifiers not
 * supported...). Refusals do not make the call fail.
 *
 * NULL `client`, `filters` or a filter's `data`: `MQTTWS_NULL_PARAMETER`;
 * `count` 0, bad UTF-8, QoS above 2 or a retain handling above 2:
 * `MQTTWS_INVALID_PARAMETER`; a malformed filter, an identifier above
 * 268,435,455, or under MQTT 3.1.1 any option but QoS or an identifier:
 * `MQTTWS_INVALID_ARGUMENT` (nothing sent). Blocks; any thread.
 */
mqttws_result mqttws_client_subscribe_with(struct mqttws_client *client,
                                           const struct mqttws_subscribe_filter *filters,
                                           size_t count,
                                           uint32_t subscription_identifier,
                                           uint8_t *granted_qos_out,
                                           uint8_t *reason_codes_out);

/**
 * Unsubscribes from `count` topic filters in one UNSUBSCRIBE, waits for
 * UNSUBACK, and reports its reason code per filter.
 *
 * On success, if `reason_codes_out` is not NULL (it is optional), its
 * `count` bytes receive the UNSUBACK reason code per filter: 0x00 success,
 * 0x11 no subscription existed, 0x87 not authorized, 0x8F filter
 * invalid... MQTT 3.1.1's UNSUBACK carries no codes: there every entry is
 * 0x00. Parameters, NULL handling and errors otherwise as
 * `mqttws_client_unsubscribe_many`. Blocks; any thread.
 */
mqttws_result mqttws_client_unsubscribe_with(struct mqttws_client *client,
                                             const struct mqttws_str *filters,
                                             size_t count,
                                             uint8_t *reason_codes_out);

/**
 * Sets the message callback (NULL `callback` removes it). It is called
 * only from inside `mqttws_client_poll`, on the caller's thread, once for
 * each message that poll returns, before poll returns; poll still fills
 * its `event_out`.
 *
 * `userdata` is passed back as the callback's first argument and never
 * dereferenced by the library; it must stay valid while the callback is
 * set. NULL `client`: `MQTTWS_NULL_PARAMETER`. May be called from inside
 * the callback. Any thread.
 */
mqttws_result mqttws_client_set_message_callback(struct mqttws_client *client,
                                                 mqttws_message_callback callback,
                                                 void *userdata);

/**
 * Returns the next event, waiting up to `timeout_ms` milliseconds for one
 * (0: do not wait; negative: wait until an event, a failure or an
 * interrupt). While waiting, the client answers pings and acknowledges
 * incoming QoS 1/2 messages. On success `*event_out` receives an event to
 * free with `mqttws_event_free`, or NULL if the timeout passed.
 *
 * For a message, the message callback (if set) is called first, on this
 * thread, then `*event_out` is filled. With several threads polling, each
 * event goes to one of them.
 *
 * NULL `client` or `event_out`: `MQTTWS_NULL_PARAMETER`. Interrupted:
 * `MQTTWS_INTERRUPTED`. Not connected: `MQTTWS_CLOSED` (messages that
 * arrived before a connection failed are returned first). Blocks; any
 * thread, several at once.
 */
mqttws_result mqttws_client_poll(struct mqttws_client *client,
                                 int timeout_ms,
                                 struct mqttws_event **event_out);

/**
 * Sends DISCONNECT and closes the connection (the broker then discards the
 * will), waiting up to the operation timeout for the close. Does nothing
 * if not connected. Afterwards, publish, subscribe and poll return
 * `MQTTWS_CLOSED` until the next `mqttws_client_connect`.
 *
 * NULL `client`: `MQTTWS_NULL_PARAMETER`. Works from inside this client's
 * message callback. Blocks; any thread.
 */
mqttws_result mqttws_client_disconnect(struct mqttws_client *client);

/**
 * Interrupts every call in progress on this client (poll, connect,
 * wait_for... on any thread), which returns `MQTTWS_INTERRUPTED` promptly.
 * Calls that start afterwards are not affected: nothing stays pending. The
 * connection is unchanged.
 *
 * Safe to call from any thread (e.g. a signal-handling or UI thread), any
 * number of times, as long as `mqttws_client_free` has not started. Does
 * not block for long. NULL `client`: `MQTTWS_NULL_PARAMETER`.
 */
mqttws_result mqttws_client_interrupt(const struct mqttws_client *client);

/**
 * Whether the connection is open and CONNACK accepted it.
 *
 * NULL `client`: false. Any thread.
 */
bool mqttws_client_is_connected(const struct mqttws_client *client);

/**
 * The number of outgoing QoS 1/2 messages not yet acknowledged (kept
 * across reconnects).
 *
 * NULL `client`: 0. Any thread.
 */
size_t mqttws_client_inflight(const struct mqttws_client *client);

/**
 * Copies the detailed message of the most recent failed call on this
 * client made by the calling thread (UTF-8, NUL-terminated, e.g. "mqttws_client_connect: TLS error:
 * invalid peer certificate: UnknownIssuer") into `buf`, and its length
 * without the NUL into `*out_n`. Successful calls do not clear it; before
 * any failure the message is empty.
 *
 * If `len` is too small, nothing is copied, `*out_n` receives the size
 * needed (with the NUL) and the result is `MQTTWS_INSUFFICIENT_SIZE`
 * (`buf` NULL with `len` 0 asks for the size). NULL `client` or `out_n`,
 * or NULL `buf` with `len` > 0: `MQTTWS_NULL_PARAMETER`. `buf` and `out_n`
 * are borrowed for the call. Does not change the last error itself. Call
 * it on the thread whose call failed (each thread has its own last error
 * on each client; Go bindings lock the goroutine to its thread for the
 * pair of calls).
 */
mqttws_result mqttws_client_last_error(const struct mqttws_client *client,
                                       char *buf,
                                       size_t len,
                                       size_t *out_n);

/**
 * The result code of the most recent failed call on this client made by
 * the calling thread (`MQTTWS_OK` before any failure). NULL `client`:
 * `MQTTWS_NULL_PARAMETER`.
 */
mqttws_result mqttws_client_last_error_code(const struct mqttws_client *client);

/**
 * The HTTP status of the WebSocket upgrade response if the most recent
 * failure was `MQTTWS_HANDSHAKE` with a response (e.g. 401, 403, 404), or
 * of an HTTP proxy's refusal for `MQTTWS_PROXY` (e.g. 407); otherwise 0
 * (the calling thread's most recent failure). NULL `client`: 0.
 */
uint16_t mqttws_client_last_http_status(const struct mqttws_client *client);

/**
 * The code the broker answered with if the calling thread's most recent
 * failure was a refusal: the CONNACK return code (1 to 5) or MQTT 5 reason
 * code (0x80 and up) for `MQTTWS_CONNACK_*`, the PUBACK/PUBREC reason code
 * for `MQTTWS_REJECTED`; otherwise 0. NULL `client`: 0.
 */
uint8_t mqttws_client_last_connack_code(const struct mqttws_client *client);

/**
 * MQTT 5: copies the broker's reason string of the calling thread's most
 * recent failure on this client, if it was a refusal that carried one
 * (`MQTTWS_CONNACK_*`, `MQTTWS_REJECTED`), into `buf`; empty otherwise
 * (brokers need not send one). The failure's message
 * (`mqttws_client_last_error`) contains it too. Buffer rules, NULL
 * handling and thread rules as `mqttws_client_last_error`.
 */
mqttws_result mqttws_client_last_reason_string(const struct mqttws_client *client,
                                               char *buf,
                                               size_t len,
                                               size_t *out_n);

/**
 * MQTT 5: copies the server a refused connection was redirected to (the
 * CONNACK's server reference, e.g. with reason code 0x9C use another
 * server or 0x9D server moved; the client does not follow it) of the
 * calling thread's most recent failure on this client into `buf`; empty
 * otherwise. Buffer rules, NULL handling and thread rules as
 * `mqttws_client_last_error`.
 */
mqttws_result mqttws_client_last_server_reference(const struct mqttws_client *client,
                                                  char *buf,
                                                  size_t len,
                                                  size_t *out_n);

/**
 * Hands out what the broker answered in CONNACK on the client's latest
 * connection: the one `mqttws_client_connect` made, or, with the
 * automatic reconnect, the one a `MQTTWS_EVENT_CONNECTED` event that
 * `mqttws_client_poll` returned reported. Read it with the
 * `mqttws_connack_*` accessors (assigned client id, server keep alive,
 * maximum QoS, receive maximum...).
 *
 * On success `*connack_out` receives a snapshot the caller frees with
 * `mqttws_connack_free`; later connections do not change it, and it stays
 * valid after the client is freed. NULL `client` or `connack_out`:
 * `MQTTWS_NULL_PARAMETER`; no connection accepted yet: `MQTTWS_CLOSED`
 * (after a disconnect, the last CONNACK is still handed out). Any thread.
 */
mqttws_result mqttws_client_connack(const struct mqttws_client *client,
                                    const struct mqttws_connack **connack_out);

/**
 * Frees a client, closing its connection without DISCONNECT (so the
 * broker publishes the will, if any; call `mqttws_client_disconnect` first
 * for an orderly close). NULL is a no-op returning `MQTTWS_OK`.
 *
 * From inside this client's message callback it frees nothing and returns
 * `MQTTWS_REENTRANT`; while a call of another thread on this client is in
 * progress (up to its very return, `mqttws_client_interrupt` included),
 * it frees nothing and returns `MQTTWS_BUSY`: retrying until it returns
 * `MQTTWS_OK` is safe. Otherwise the client, and every view it handed
 * out, is gone: do not use it again, and start no call on it from another
 * thread once free may have begun.
 */
mqttws_result mqttws_client_free(struct mqttws_client *client);

/**
 * The static English text of a result code, e.g. "connection closed".
 *
 * Never NULL: an unknown code gives "unknown mqttws_result code". The string
 * is static (do not free it), NUL-terminated. Thread-safe.
 */
const char *mqttws_result_str(uint32_t result);

/**
 * The name of an MQTT reason code (a SUBACK, UNSUBACK, PUBACK, CONNACK or
 * DISCONNECT code; MQTT 5 section 2.4), e.g. "not authorized" for 0x87,
 * "no subscription existed" for 0x11, "granted QoS 1" for 0x01; "unknown
 * reason code" for a value MQTT 5 does not define.
 *
 * Never NULL; the string is static (do not free it), NUL-terminated.
 * Thread-safe.
 */
const char *mqttws_reason_code_str(uint8_t code);

/**
 * The code of an error object.
 *
 * NULL: returns `MQTTWS_NULL_PARAMETER`. Thread-safe.
 */
mqttws_result mqttws_error_code(const struct mqttws_error *error);

/**
 * Copies the detailed message of an error object into `buf` (UTF-8, with a
 * terminating NUL) and its length without the NUL into `*out_n`.
 *
 * If `len` is smaller than the message plus its NUL, nothing is copied,
 * `*out_n` receives the size needed and the result is
 * `MQTTWS_INSUFFICIENT_SIZE` (so `buf` = NULL with `len` = 0 asks for the
 * size). NULL `error` or `out_n`, or NULL `buf` with `len` > 0:
 * `MQTTWS_NULL_PARAMETER`. `buf` and `out_n` are borrowed for the call.
 * Thread-safe.
 */
mqttws_result mqttws_error_message(const struct mqttws_error *error,
                                   char *buf,
                                   size_t len,
                                   size_t *out_n);

/**
 * Frees an error object. NULL is a no-op. Must not be called twice, nor
 * while another thread reads it.
 */
void mqttws_error_free(struct mqttws_error *error);

/**
 * What the event reports. NULL `event`: `MQTTWS_EVENT_NONE`. Thread-safe.
 */
mqttws_event_kind mqttws_event_get_kind(const struct mqttws_event *event);

/**
 * The message of a `MQTTWS_EVENT_MESSAGE` event, borrowed from the event
 * (valid until `mqttws_event_free`); NULL for other kinds and for a NULL
 * `event`. Thread-safe.
 */
const struct mqttws_message *mqttws_event_message(const struct mqttws_event *event);

/**
 * The packet id of a PUBLISHED, SUBSCRIBED, UNSUBSCRIBED or DROPPED event
 * (0 for a dropped QoS 0 message); 0 otherwise and for a NULL `event`.
 * Thread-safe.
 */
uint16_t mqttws_event_packet_id(const struct mqttws_event *event);

/**
 * For CONNECTED: whether the broker resumed a stored session; false
 * otherwise and for a NULL `event`. Thread-safe.
 */
bool mqttws_event_session_present(const struct mqttws_event *event);

/**
 * For SUBSCRIBED: the granted QoS per filter (0x80: refused); for
 * DOWNGRADED: one byte, the QoS the broker acknowledged (1). Borrowed from
 * the event; empty otherwise and for a NULL `event`. Thread-safe.
 */
struct mqttws_bytes mqttws_event_granted_qos(const struct mqttws_event *event);

/**
 * For DROPPED: the topic; for DISCONNECTED: the reason; for
 * STORE_DAMAGED: what was found; for REJECTED and SERVER_DISCONNECTED:
 * the broker's reason string. NUL-terminated, borrowed from the event.
 * `data` NULL and `len` 0 when there is none (a broker need not send a
 * reason string), for other kinds and for a NULL `event`. Thread-safe.
 */
struct mqttws_str mqttws_event_text(const struct mqttws_event *event);

/**
 * For SUBSCRIBED: the SUBACK reason code per filter (3.1.1: 0, 1, 2 or
 * 0x80; MQTT 5: the granted QoS, or 0x80 and up for a refusal such as 0x87
 * not authorized); for UNSUBSCRIBED (MQTT 5): the UNSUBACK reason code per
 * filter (0x00 success, 0x11 no subscription existed...). Borrowed from
 * the event; empty otherwise (UNSUBSCRIBED under 3.1.1 too) and for a
 * NULL `event`. Thread-safe.
 */
struct mqttws_bytes mqttws_event_reason_codes(const struct mqttws_event *event);

/**
 * For REJECTED and SERVER_DISCONNECTED: the MQTT 5 reason code; 0
 * otherwise and for a NULL `event`. Thread-safe.
 */
uint8_t mqttws_event_reason_code(const struct mqttws_event *event);

/**
 * For SERVER_DISCONNECTED: the other server the broker named (the client
 * does not follow it), NUL-terminated, borrowed from the event; `data`
 * NULL when none was named, for other kinds and for a NULL `event`.
 * Thread-safe.
 */
struct mqttws_str mqttws_event_server_reference(const struct mqttws_event *event);

/**
 * For RECONNECTING: the attempt number, 1 for the first after a drop; 0
 * otherwise and for a NULL `event`. Thread-safe.
 */
uint32_t mqttws_event_attempt(const struct mqttws_event *event);

/**
 * For RECONNECTING: the delay before the attempt, in milliseconds; 0
 * otherwise and for a NULL `event`. Thread-safe.
 */
uint64_t mqttws_event_delay_ms(const struct mqttws_event *event);

/**
 * Frees an event and every view borrowed from it. NULL is a no-op. Never
 * free an event twice.
 */
void mqttws_event_free(struct mqttws_event *event);

/**
 * Starts building options for the broker at `url` (`ws://host[:port]/path`
 * or `wss://...`; path and query are sent exactly as written).
 *
 * Defaults: empty client id (the broker assigns one), no user name,
 * keepalive 60 s, clean session, no will, the Mozilla root CAs for wss://,
 * connect and operation timeouts 10 s, packets up to 1 MiB of payload,
 * inflight window 20. The URL is checked by `mqttws_options_builder_build`.
 *
 * `url` is copied. On success `*builder_out` receives a new builder that the
 * caller owns (pass it to `mqttws_options_builder_build`, or free it with
 * `mqttws_options_builder_free`). NULL `url` or `builder_out`:
 * `MQTTWS_NULL_PARAMETER`; `url` not UTF-8: `MQTTWS_INVALID_PARAMETER`.
 * Thread-safe.
 */
mqttws_result mqttws_options_builder_new(const char *url,
                                         struct mqttws_options_builder **builder_out);

/**
 * Frees a builder that was not built. NULL is a no-op. Must not be called
 * twice, nor after `mqttws_options_builder_build` (which consumed it), nor
 * while another thread uses the builder.
 */
void mqttws_options_builder_free(struct mqttws_options_builder *builder);

/**
 * Sets the MQTT client identifier (default empty: the broker assigns one,
 * which requires a clean session).
 *
 * `client_id` (UTF-8) is copied. NULL `builder` or `client_id`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_client_id(struct mqttws_options_builder *builder,
                                                   const char *client_id);

/**
 * Sets the CONNECT user name (default: none).
 *
 * `username` (UTF-8) is copied. NULL `builder` or `username`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_username(struct mqttws_options_builder *builder,
                                                  const char *username);

/**
 * Sets the CONNECT password (default: none). MQTT 3.1.1 sends a password
 * only with a user name: building options with a password and no user name
 * fails with `MQTTWS_INVALID_ARGUMENT`.
 *
 * `password` (UTF-8) is copied; the library never prints it. NULL `builder`
 * or `password`: `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_password(struct mqttws_options_builder *builder,
                                                  const char *password);

/**
 * Sets the keepalive interval in seconds (default 60; 0 turns keepalive
 * off). A PINGREQ goes out after this much silence; no PINGRESP within half
 * of it closes the connection with `MQTTWS_TIMEOUT`. With a platform
 * credential provider, a value outside the platform's range makes
 * `mqttws_client_connect` fail with `MQTTWS_INVALID_ARGUMENT`.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_keepalive(struct mqttws_options_builder *builder,
                                                   uint16_t seconds);

/**
 * Sets the clean-session flag (default true). False asks the broker to
 * keep subscriptions and queued QoS 1/2 messages across connections (needs
 * a client id).
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_clean_session(struct mqttws_options_builder *builder,
                                                       bool clean_session);

/**
 * Sets the last will: the message the broker publishes if the client
 * vanishes without `mqttws_client_disconnect`.
 *
 * `topic` is `topic_len` bytes of UTF-8 without wildcards (not
 * NUL-terminated); `payload` is `payload_len` bytes (NULL allowed when
 * `payload_len` is 0); both are copied. `qos` is 0, 1 or 2. NULL `builder`
 * or `topic`: `MQTTWS_NULL_PARAMETER`; bad UTF-8 or QoS above 2:
 * `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_will(struct mqttws_options_builder *builder,
                                              const char *topic,
                                              size_t topic_len,
                                              const uint8_t *payload,
                                              size_t payload_len,
                                              uint8_t qos,
                                              bool retain);

/**
 * MQTT 5: gives the will message these properties (content type, message
 * expiry, user properties...; see `mqttws_publish_properties`). Needs a
 * will (`mqttws_options_builder_set_will`, before or after this call) and
 * protocol version 5: `mqttws_options_builder_build` refuses properties
 * without a will, and `mqttws_client_connect` refuses them under 3.1.1,
 * both with `MQTTWS_INVALID_ARGUMENT`.
 *
 * `properties` is copied (owned or borrowed properties may be passed, and
 * freed right after). NULL `builder` or `properties`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_will_properties(struct mqttws_options_builder *builder,
                                                         const struct mqttws_publish_properties *properties);

/**
 * MQTT 5: makes the broker wait `seconds` after the connection is lost
 * before it publishes the will (default: at once; a reconnect within the
 * delay cancels it). Needs a will and protocol version 5, as
 * `mqttws_options_builder_set_will_properties`.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_options_builder_set_will_delay_interval(struct mqttws_options_builder *builder,
                                                             uint32_t seconds);

/**
 * Trusts only the CA certificates in this PEM file for wss:// (default:
 * the Mozilla root CAs). The file is read by `mqttws_client_new`.
 *
 * `path` (a NUL-terminated file name) is copied. NULL `builder` or `path`:
 * `MQTTWS_NULL_PARAMETER`; empty `path`: `MQTTWS_INVALID_PARAMETER`. One
 * thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_ca_file(struct mqttws_options_builder *builder,
                                                 const char *path);

/**
 * Trusts only the CA certificates in this PEM text for wss://.
 *
 * `pem` is `pem_len` bytes (not NUL-terminated), copied. NULL `builder` or
 * `pem`: `MQTTWS_NULL_PARAMETER`; `pem_len` 0: `MQTTWS_INVALID_PARAMETER`.
 * One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_ca_pem(struct mqttws_options_builder *builder,
                                                const uint8_t *pem,
                                                size_t pem_len);

/**
 * Presents this client certificate chain and private key (PEM files;
 * PKCS#8, PKCS#1 or SEC1 key, unencrypted) for mutual TLS. The files are
 * read by `mqttws_client_new`.
 *
 * Both paths are copied. NULL `builder`, `cert_path` or `key_path`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_client_cert_files(struct mqttws_options_builder *builder,
                                                           const char *cert_path,
                                                           const char *key_path);

/**
 * Presents this client certificate chain and private key (PEM text) for
 * mutual TLS.
 *
 * Both buffers (not NUL-terminated) are copied; the key is never printed.
 * NULL `builder`, `cert_pem` or `key_pem`: `MQTTWS_NULL_PARAMETER`; a zero
 * length: `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_client_cert_pem(struct mqttws_options_builder *builder,
                                                         const uint8_t *cert_pem,
                                                         size_t cert_pem_len,
                                                         const uint8_t *key_pem,
                                                         size_t key_pem_len);

/**
 * Accepts any server certificate when `insecure` is true (default false).
 * For tests against throwaway servers only: it removes all protection
 * against impostors.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_insecure_skip_verify(struct mqttws_options_builder *builder,
                                                              bool insecure);

/**
 * Adds an HTTP header to the WebSocket upgrade request (may be called
 * several times). The handshake's own headers (Host, Connection, Upgrade,
 * Sec-WebSocket-*) are refused by `mqttws_client_new`.
 *
 * `name` (an HTTP token) and `value` (UTF-8 without CR or LF) are copied.
 * NULL `builder`, `name` or `value`: `MQTTWS_NULL_PARAMETER`; an invalid
 * name or value: `MQTTWS_INVALID_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_options_builder_add_header(struct mqttws_options_builder *builder,
                                                const char *name,
                                                const char *value);

/**
 * Sets the deadline for a whole connect (DNS, TCP, TLS, upgrade, CONNACK)
 * in milliseconds (default 10000).
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`; 0: `MQTTWS_INVALID_PARAMETER`.
 * One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_connect_timeout_ms(struct mqttws_options_builder *builder,
                                                            uint32_t timeout_ms);

/**
 * Sets the deadline in milliseconds (default 10000) for the waits inside
 * subscribe, unsubscribe, disconnect, `mqttws_client_wait_for` with a
 * negative timeout, a full inflight window and a full socket.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`; 0: `MQTTWS_INVALID_PARAMETER`.
 * One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_operation_timeout_ms(struct mqttws_options_builder *builder,
                                                              uint32_t timeout_ms);

/**
 * Sets the largest incoming packet accepted, in bytes of MQTT remaining
 * length (default: room for a 1 MiB payload). A larger packet closes the
 * connection with `MQTTWS_PROTOCOL`.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`; 0: `MQTTWS_INVALID_PARAMETER`.
 * One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_max_packet_size(struct mqttws_options_builder *builder,
                                                         size_t bytes);

/**
 * Sets how many outgoing QoS 1/2 messages may await acknowledgement at
 * once (default 20, mosquitto's own limit). A publish beyond it waits, up to the operation
 * timeout, for room.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`; 0: `MQTTWS_INVALID_PARAMETER`.
 * One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_inflight_window(struct mqttws_options_builder *builder,
                                                         uint16_t window);

/**
 * Tunnels every connection through an HTTP CONNECT or SOCKS5 proxy, given
 * as a URL: `http://[user:password@]host[:port]`, `socks5://...` (or a
 * bare `host:port`, HTTP); user and password may be percent-encoded.
 * `timeout_ms` bounds the proxy phase (0: only the connect timeout
 * applies). Proxies are never taken from the environment implicitly.
 *
 * `proxy_url` is copied (the password is never printed). NULL `builder` or
 * `proxy_url`: `MQTTWS_NULL_PARAMETER`; a malformed or unsupported URL
 * (https://, socks4://): `MQTTWS_INVALID_ARGUMENT`. One thread at a time
 * per builder.
 */
mqttws_result mqttws_options_builder_set_proxy(struct mqttws_options_builder *builder,
                                               const char *proxy_url,
                                               uint32_t timeout_ms);

/**
 * Turns on the automatic reconnect: after a drop, the client waits a
 * growing, jittered delay (from `min_delay_ms` up to `max_delay_ms`) and
 * connects again, inside the caller's `mqttws_client_poll` /
 * `mqttws_client_wait_for`, which report `MQTTWS_EVENT_DISCONNECTED`,
 * `MQTTWS_EVENT_RECONNECTING` and `MQTTWS_EVENT_CONNECTED` instead of
 * failing. A connection that lasted `stable_after_ms` resets the back-off.
 * With `restore_subscriptions`, the subscriptions are made again when the
 * broker kept no session. Also turns on an offline queue with default
 * bounds (1000 messages, 4 MiB) unless one was set. Off by default; the
 * first connect is still `mqttws_client_connect`.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`; `min_delay_ms` 0 or above
 * `max_delay_ms`: `MQTTWS_INVALID_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_options_builder_set_reconnect(struct mqttws_options_builder *builder,
                                                   uint32_t min_delay_ms,
                                                   uint32_t max_delay_ms,
                                                   uint32_t stable_after_ms,
                                                   bool restore_subscriptions);

/**
 * Accepts publishes while disconnected, up to `max_messages` messages and
 * `max_bytes` bytes of topics and payloads; they are sent after the next
 * CONNACK. When a message does not fit: with `drop_oldest` false the
 * publish fails with `MQTTWS_QUEUE_FULL`; with true the oldest queued
 * message is dropped (reported as `MQTTWS_EVENT_DROPPED`). Off by default:
 * publishing while disconnected is `MQTTWS_CLOSED`.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`; a zero bound:
 * `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_offline_queue(struct mqttws_options_builder *builder,
                                                       size_t max_messages,
                                                       size_t max_bytes,
                                                       bool drop_oldest);

/**
 * Bounds received messages that the application has not taken with
 * `mqttws_client_poll` yet (default 10,000 messages and 32 MiB of topics
 * and payloads). When either is reached the client stops reading from the
 * socket until poll takes messages, so that TCP pushes back on the broker;
 * nothing is dropped. Meanwhile a blocking call that waits for an
 * acknowledgement (publish_and_wait, subscribe...) may end with
 * `MQTTWS_TIMEOUT`.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`; a zero value:
 * `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_incoming_queue(struct mqttws_options_builder *builder,
                                                        size_t max_messages,
                                                        size_t max_bytes);

/**
 * Sends a WebSocket PING every `interval_ms` and declares the link dead
 * (`MQTTWS_TIMEOUT`) when the PONG has not come within `timeout_ms`; keeps
 * proxies and load balancers with idle timeouts from closing a quiet
 * connection. Off by default (MQTT keepalive already detects dead links).
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`; a zero value:
 * `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_ws_ping(struct mqttws_options_builder *builder,
                                                 uint32_t interval_ms,
                                                 uint32_t timeout_ms);

/**
 * Keeps outgoing QoS 1/2 messages in a durable store in directory `dir`
 * until the broker acknowledges them: each is synced to disk before
 * `mqttws_client_publish` returns, and a client created later on the same
 * directory (after a crash, say) sends the unacknowledged ones again. One
 * client per directory at a time. The directory is opened by
 * `mqttws_client_new`.
 *
 * `dir` is copied. NULL `builder` or `dir`: `MQTTWS_NULL_PARAMETER`; empty
 * `dir`: `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_store_dir(struct mqttws_options_builder *builder,
                                                   const char *dir);

/**
 * Makes a platform's credential provider sign every connect of clients
 * made from these options: the client id, user name and password it
 * computes with the current time override the builder's (for AWS the URL
 * too), and `mqttws_client_connect` checks the keepalive against the
 * platform's range (`MQTTWS_INVALID_ARGUMENT` outside it). The builder's
 * URL stays the one to connect to: take it from
 * `mqttws_credential_provider_url`.
 *
 * The builder takes its own reference: `provider` is borrowed for the call
 * and may be freed right after. A second call replaces the provider. NULL
 * `builder` or `provider`: `MQTTWS_NULL_PARAMETER`. One thread at a time
 * per builder.
 */
mqttws_result mqttws_options_builder_set_credential_provider(struct mqttws_options_builder *builder,
                                                             const struct mqttws_credential_provider *provider);

/**
 * Chooses the MQTT version: `MQTTWS_PROTOCOL_V311` (4, the default) or
 * `MQTTWS_PROTOCOL_V5` (5). Under 3.1.1, every MQTT 5-only argument
 * (CONNECT or will properties, publish properties, subscription options
 * other than QoS, a subscription identifier) is refused with
 * `MQTTWS_INVALID_ARGUMENT` before anything is sent.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`; another value:
 * `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_protocol_version(struct mqttws_options_builder *builder,
                                                          uint32_t version);

/**
 * MQTT 5 CONNECT property: how long, in seconds, the broker keeps the
 * session after the connection closes (0: it ends with the connection;
 * 0xFFFFFFFF: never). Not set: 0, or "never" with clean session off, so
 * that a persistent session works as under 3.1.1.
 *
 * Like every CONNECT property: under 3.1.1, `mqttws_client_connect` fails
 * with `MQTTWS_INVALID_ARGUMENT` and sends nothing. NULL `builder`:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_session_expiry_interval(struct mqttws_options_builder *builder,
                                                                 uint32_t seconds);

/**
 * MQTT 5 CONNECT property: how many QoS 1/2 messages the broker may have
 * in flight toward the client at once (not set: 65,535).
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`; 0: `MQTTWS_INVALID_PARAMETER`.
 * One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_receive_maximum(struct mqttws_options_builder *builder,
                                                         uint16_t value);

/**
 * MQTT 5 CONNECT property: the largest packet, in bytes, the client tells
 * the broker it accepts (not set: the incoming limit of
 * `mqttws_options_builder_set_max_packet_size` is announced). It only
 * informs the broker; what the client accepts stays that incoming limit.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`; 0: `MQTTWS_INVALID_PARAMETER`.
 * One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_set_maximum_packet_size(struct mqttws_options_builder *builder,
                                                             uint32_t bytes);

/**
 * MQTT 5 CONNECT property: how many topic aliases the broker may use
 * toward the client (default 0: none). The client resolves them; messages
 * always arrive with their topic.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_options_builder_set_topic_alias_maximum(struct mqttws_options_builder *builder,
                                                             uint16_t value);

/**
 * MQTT 5 CONNECT property: asks the broker for response information
 * (`mqttws_connack_response_information`). Default false.
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_options_builder_set_request_response_information(struct mqttws_options_builder *builder,
                                                                      bool request);

/**
 * MQTT 5 CONNECT property: false asks the broker not to send reason
 * strings and user properties except in PUBLISH, CONNACK and DISCONNECT
 * (not set: the broker may send them everywhere).
 *
 * NULL `builder`: `MQTTWS_NULL_PARAMETER`. One thread at a time per
 * builder.
 */
mqttws_result mqttws_options_builder_set_request_problem_information(struct mqttws_options_builder *builder,
                                                                     bool request);

/**
 * MQTT 5 CONNECT property: appends a user property (name and value,
 * UTF-8, copied); call once per property. Order is kept and a name may
 * repeat.
 *
 * NULL `builder`, `name` or `value`: `MQTTWS_NULL_PARAMETER`; not UTF-8:
 * `MQTTWS_INVALID_PARAMETER`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_add_connect_user_property(struct mqttws_options_builder *builder,
                                                               const char *name,
                                                               const char *value);

/**
 * Turns the builder into immutable options, checking the URL and the user
 * name / password pair.
 *
 * Always consumes `builder`, also on failure: do not use or free it
 * afterwards. On success `*options_out` receives options that the caller
 * frees with `mqttws_options_free`. On failure, if `err_out` is not NULL,
 * `*err_out` receives an `mqttws_error` (free it with `mqttws_error_free`);
 * `err_out` is optional. NULL `builder` or `options_out`:
 * `MQTTWS_NULL_PARAMETER`; a bad URL, a password without user name, or
 * will properties or a will delay without a will:
 * `MQTTWS_INVALID_ARGUMENT`. One thread at a time per builder.
 */
mqttws_result mqttws_options_builder_build(struct mqttws_options_builder *builder,
                                           const struct mqttws_options **options_out,
                                           struct mqttws_error **err_out);

/**
 * Frees options. NULL is a no-op. Clients created from them are not
 * affected. Must not be called twice, nor while another thread still uses
 * these options (e.g. in `mqttws_client_new`).
 */
void mqttws_options_free(const struct mqttws_options *options);

/**
 * Creates empty publish properties (nothing set: a PUBLISH without
 * properties).
 *
 * On success `*properties_out` receives properties the caller frees with
 * `mqttws_publish_properties_free`. NULL `properties_out`:
 * `MQTTWS_NULL_PARAMETER`. Thread-safe.
 */
mqttws_result mqttws_publish_properties_new(struct mqttws_publish_properties **properties_out);

/**
 * Frees properties made by `mqttws_publish_properties_new`. NULL is a
 * no-op. Never pass the borrowed properties of a received message, never
 * free twice, and not while another thread uses them.
 */
void mqttws_publish_properties_free(struct mqttws_publish_properties *properties);

/**
 * Sets the payload format indicator: true, the payload is UTF-8 text (a
 * publish whose payload is not valid UTF-8 is then refused with
 * `MQTTWS_INVALID_ARGUMENT`); false, unspecified bytes (sent explicitly).
 *
 * NULL `properties`: `MQTTWS_NULL_PARAMETER`. One thread at a time.
 */
mqttws_result mqttws_publish_properties_set_payload_format_utf8(struct mqttws_publish_properties *properties,
                                                                bool utf8);

/**
 * Sets the message expiry interval: seconds after which the broker
 * discards the message if it has not delivered it (a retained message
 * stops being retained).
 *
 * NULL `properties`: `MQTTWS_NULL_PARAMETER`. One thread at a time.
 */
mqttws_result mqttws_publish_properties_set_message_expiry_interval(struct mqttws_publish_properties *properties,
                                                                    uint32_t seconds);

/**
 * Sets the content type, e.g. `"application/json"` (UTF-8, copied).
 *
 * NULL `properties` or `content_type`: `MQTTWS_NULL_PARAMETER`; not
 * UTF-8: `MQTTWS_INVALID_PARAMETER`. One thread at a time.
 */
mqttws_result mqttws_publish_properties_set_content_type(struct mqttws_publish_properties *properties,
                                                         const char *content_type);

/**
 * Sets the response topic, where a responder should publish its answer:
 * `topic_len` bytes of UTF-8 (not NUL-terminated), copied.
 *
 * NULL `properties` or `topic`: `MQTTWS_NULL_PARAMETER`; not UTF-8 or with
 * a NUL: `MQTTWS_INVALID_PARAMETER`. One thread at a time.
 */
mqttws_result mqttws_publish_properties_set_response_topic(struct mqttws_publish_properties *properties,
                                                           const char *topic,
                                                           size_t topic_len);

/**
 * Sets the correlation data (binary, `len` bytes, copied; NULL allowed
 * when `len` is 0, which sends empty correlation data).
 *
 * NULL `properties`, or NULL `data` with `len` > 0:
 * `MQTTWS_NULL_PARAMETER`. One thread at a time.
 */
mqttws_result mqttws_publish_properties_set_correlation_data(struct mqttws_publish_properties *properties,
                                                             const uint8_t *data,
                                                             size_t len);

/**
 * Appends a user property (a name and a value, UTF-8, copied). User
 * properties keep their order, and a name may repeat.
 *
 * NULL `properties`, `name` or `value`: `MQTTWS_NULL_PARAMETER`; not
 * UTF-8: `MQTTWS_INVALID_PARAMETER`. One thread at a time.
 */
mqttws_result mqttws_publish_properties_add_user_property(struct mqttws_publish_properties *properties,
                                                          const char *name,
                                                          const char *value);

/**
 * The payload format indicator: returns true and writes it to `utf8_out`
 * (true: UTF-8 text; false: unspecified bytes, sent explicitly) when it
 * is set; false when it is not (or `properties` is NULL). `utf8_out` may
 * be NULL to ask only whether it is set. Thread-safe.
 */
bool mqttws_publish_properties_payload_format_utf8(const struct mqttws_publish_properties *properties,
                                                   bool *utf8_out);

/**
 * The message expiry interval in seconds (for a received message, what is
 * left of it): returns true and writes it to `seconds_out` when it is set;
 * false when it is not (or `properties` is NULL). `seconds_out` may be NULL
 * to ask only whether it is set. Thread-safe.
 */
bool mqttws_publish_properties_message_expiry_interval(const struct mqttws_publish_properties *properties,
                                                       uint32_t *seconds_out);

/**
 * The content type, borrowed from `properties` (NUL-terminated); `data`
 * NULL when it is not set or `properties` is NULL. Thread-safe.
 */
struct mqttws_str mqttws_publish_properties_content_type(const struct mqttws_publish_properties *properties);

/**
 * The response topic, borrowed from `properties` (NUL-terminated); `data`
 * NULL when it is not set or `properties` is NULL. Thread-safe.
 */
struct mqttws_str mqttws_publish_properties_response_topic(const struct mqttws_publish_properties *properties);

/**
 * The correlation data: returns true and writes a view borrowed from
 * `properties` to `data_out` when it is set (possibly empty; `data` is
 * never NULL); false when it is not (or `properties` is NULL). `data_out`
 * may be NULL to ask only whether it is set. Thread-safe.
 */
bool mqttws_publish_properties_correlation_data(const struct mqttws_publish_properties *properties,
                                                struct mqttws_bytes *data_out);

/**
 * The number of user properties. NULL `properties`: 0. Thread-safe.
 */
size_t mqttws_publish_properties_user_property_count(const struct mqttws_publish_properties *properties);

/**
 * The user property at `index` (0 to count - 1, in the order sent): its
 * name and value, borrowed from `properties`, NUL-terminated.
 *
 * NULL `properties`, `name_out` or `value_out`: `MQTTWS_NULL_PARAMETER`;
 * `index` out of range: `MQTTWS_INVALID_PARAMETER`. Thread-safe.
 */
mqttws_result mqttws_publish_properties_user_property(const struct mqttws_publish_properties *properties,
                                                      size_t index,
                                                      struct mqttws_str *name_out,
                                                      struct mqttws_str *value_out);

/**
 * The number of subscription identifiers: a received message carries the
 * identifiers of the subscriptions it matched (see
 * `mqttws_client_subscribe_with`); 0 for properties made with
 * `mqttws_publish_properties_new` and for NULL `properties`. Thread-safe.
 */
size_t mqttws_publish_properties_subscription_identifier_count(const struct mqttws_publish_properties *properties);

/**
 * The subscription identifier at `index` (0 to count - 1; identifiers are
 * 1 to 268,435,455); 0 for an index out of range and for NULL
 * `properties`. Thread-safe.
 */
uint32_t mqttws_publish_properties_subscription_identifier(const struct mqttws_publish_properties *properties,
                                                           size_t index);

/**
 * Releases the caller's reference to a CONNACK snapshot. NULL is a no-op.
 * Never free twice.
 */
void mqttws_connack_free(const struct mqttws_connack *connack);

/**
 * Whether the broker resumed a stored session. NULL `connack`: false.
 * Thread-safe.
 */
bool mqttws_connack_session_present(const struct mqttws_connack *connack);

/**
 * The client id the broker assigned (when the client sent an empty one),
 * borrowed from `connack`, NUL-terminated; `data` NULL when the broker
 * assigned none or `connack` is NULL. Thread-safe.
 */
struct mqttws_str mqttws_connack_assigned_client_identifier(const struct mqttws_connack *connack);

/**
 * The broker's reason string, borrowed from `connack`, NUL-terminated;
 * `data` NULL when it sent none or `connack` is NULL. Thread-safe.
 */
struct mqttws_str mqttws_connack_reason_string(const struct mqttws_connack *connack);

/**
 * The response information (sent when the client asked for it with
 * `mqttws_options_builder_set_request_response_information`), borrowed
 * from `connack`, NUL-terminated; `data` NULL when absent or `connack` is
 * NULL. Thread-safe.
 */
struct mqttws_str mqttws_connack_response_information(const struct mqttws_connack *connack);

/**
 * Another server the broker suggests (redirection; the client does not
 * follow it), borrowed from `connack`, NUL-terminated; `data` NULL when
 * absent or `connack` is NULL. Thread-safe.
 */
struct mqttws_str mqttws_connack_server_reference(const struct mqttws_connack *connack);

/**
 * The number of CONNACK user properties. NULL `connack`: 0. Thread-safe.
 */
size_t mqttws_connack_user_property_count(const struct mqttws_connack *connack);

/**
 * The CONNACK user property at `index` (0 to count - 1): name and value,
 * borrowed from `connack`, NUL-terminated.
 *
 * NULL `connack`, `name_out` or `value_out`: `MQTTWS_NULL_PARAMETER`;
 * `index` out of range: `MQTTWS_INVALID_PARAMETER`. Thread-safe.
 */
mqttws_result mqttws_connack_user_property(const struct mqttws_connack *connack,
                                           size_t index,
                                           struct mqttws_str *name_out,
                                           struct mqttws_str *value_out);

/**
 * The session expiry interval the broker chose, in seconds, when it
 * differs from the one asked for: returns true and writes it to
 * `seconds_out` (which may be NULL) when CONNACK carried it; false when it
 * did not (or `connack` is NULL). Thread-safe.
 */
bool mqttws_connack_session_expiry_interval(const struct mqttws_connack *connack,
                                            uint32_t *seconds_out);

/**
 * How many QoS 1/2 messages the broker accepts in flight from the client
 * (the client's inflight window never exceeds it): returns true and writes
 * it to `value_out` (which may be NULL) when CONNACK carried it; false
 * when it did not (MQTT 5's default is then 65,535) or `connack` is NULL.
 * Thread-safe.
 */
bool mqttws_connack_receive_maximum(const struct mqttws_connack *connack, uint16_t *value_out);

/**
 * The highest QoS the broker supports (0 or 1): returns true and writes
 * it to `qos_out` (which may be NULL) when CONNACK carried it; false when
 * it did not (the broker supports QoS 2) or `connack` is NULL. A publish
 * above it is refused with `MQTTWS_INVALID_ARGUMENT`. Thread-safe.
 */
bool mqttws_connack_maximum_qos(const struct mqttws_connack *connack, uint8_t *qos_out);

/**
 * Whether the broker supports retained messages: returns true and writes
 * it to `available_out` (which may be NULL) when CONNACK said; false when
 * it did not (they are supported) or `connack` is NULL. Thread-safe.
 */
bool mqttws_connack_retain_available(const struct mqttws_connack *connack, bool *available_out);

/**
 * The largest packet the broker accepts, in bytes (the client refuses to
 * send a larger one): returns true and writes it to `bytes_out` (which may
 * be NULL) when CONNACK carried it; false when it did not (no limit) or
 * `connack` is NULL. Thread-safe.
 */
bool mqttws_connack_maximum_packet_size(const struct mqttws_connack *connack, uint32_t *bytes_out);

/**
 * How many topic aliases the client may use toward the broker (the client
 * uses them by itself): returns true and writes it to `value_out` (which
 * may be NULL) when CONNACK carried it; false when it did not (none) or
 * `connack` is NULL. Thread-safe.
 */
bool mqttws_connack_topic_alias_maximum(const struct mqttws_connack *connack, uint16_t *value_out);

/**
 * The keepalive the broker imposes, in seconds (the client uses it instead
 * of its own): returns true and writes it to `seconds_out` (which may be
 * NULL) when CONNACK carried it; false when it did not or `connack` is
 * NULL. Thread-safe.
 */
bool mqttws_connack_server_keep_alive(const struct mqttws_connack *connack, uint16_t *seconds_out);

/**
 * Whether the broker supports wildcard subscriptions: returns true and
 * writes it to `available_out` (which may be NULL) when CONNACK said;
 * false when it did not (they are supported) or `connack` is NULL.
 * Thread-safe.
 */
bool mqttws_connack_wildcard_subscription_available(const struct mqttws_connack *connack,
                                                    bool *available_out);

/**
 * Whether the broker supports subscription identifiers: returns true and
 * writes it to `available_out` (which may be NULL) when CONNACK said;
 * false when it did not (they are supported) or `connack` is NULL.
 * Thread-safe.
 */
bool mqttws_connack_subscription_identifiers_available(const struct mqttws_connack *connack,
                                                       bool *available_out);

/**
 * Whether the broker supports shared subscriptions: returns true and
 * writes it to `available_out` (which may be NULL) when CONNACK said;
 * false when it did not (they are supported) or `connack` is NULL.
 * Thread-safe.
 */
bool mqttws_connack_shared_subscription_available(const struct mqttws_connack *connack,
                                                  bool *available_out);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* MQTTWS_H */

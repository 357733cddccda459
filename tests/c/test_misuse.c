/*
 * Misuse of the API: NULL for every pointer parameter of every function,
 * invalid UTF-8, QoS 3, wildcards, a buffer too small for the error
 * message, and calls on a client that is not connected. None of these may
 * crash, leak or write an output.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "harness.h"

#define NUL MQTTWS_NULL_PARAMETER

void test_result_codes_and_version(void) {
    /* Every code of the header's enum, in its order; ffi/src/error_lists.rs
     * fails when this list and mqttws_result::ALL differ. */
    static const mqttws_result codes[] = {
        MQTTWS_OK,
        MQTTWS_PANIC,
        MQTTWS_NULL_PARAMETER,
        MQTTWS_INVALID_PARAMETER,
        MQTTWS_INSUFFICIENT_SIZE,
        MQTTWS_REENTRANT,
        MQTTWS_BUSY,
        MQTTWS_INTERRUPTED,
        MQTTWS_INVALID_ARGUMENT,
        MQTTWS_UNKNOWN,
        MQTTWS_IO,
        MQTTWS_TIMEOUT,
        MQTTWS_ACK_TIMEOUT,
        MQTTWS_PROXY,
        MQTTWS_TLS,
        MQTTWS_HANDSHAKE,
        MQTTWS_PROTOCOL,
        MQTTWS_CONNACK_UNACCEPTABLE_PROTOCOL_VERSION,
        MQTTWS_CONNACK_IDENTIFIER_REJECTED,
        MQTTWS_CONNACK_SERVER_UNAVAILABLE,
        MQTTWS_CONNACK_BAD_USERNAME_OR_PASSWORD,
        MQTTWS_CONNACK_NOT_AUTHORIZED,
        MQTTWS_CONNACK_REFUSED,
        MQTTWS_CLOSED,
        MQTTWS_SUBSCRIBE_REFUSED,
        MQTTWS_QUEUE_FULL,
        MQTTWS_REJECTED,
        MQTTWS_AUTH,
    };
    size_t i;
    char version[32];
    CHECK(MQTTWS_OK == 0);
    CHECK(MQTTWS_CONNACK_NOT_AUTHORIZED == 405 && MQTTWS_AUTH == 500 && MQTTWS_CLOSED == 410);
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *s = mqttws_result_str(codes[i]);
        CHECK(s != NULL && strlen(s) > 3);
        CHECK(strcmp(s, "unknown mqttws_result code") != 0);
        /* Distinct numbers, ascending as in the header. */
        CHECK(i == 0 || codes[i] > codes[i - 1]);
    }
    CHECK(strcmp(mqttws_result_str(12345), "unknown mqttws_result code") == 0);
    CHECK(strcmp(mqttws_result_str(MQTTWS_CLOSED), "connection closed") == 0);
    snprintf(version, sizeof version, "%d.%d.%d", MQTTWS_VERSION_MAJOR, MQTTWS_VERSION_MINOR,
             MQTTWS_VERSION_PATCH);
    CHECK(strcmp(version, MQTTWS_VERSION_STRING) == 0);
    CHECK(strcmp(mqttws_version(), MQTTWS_VERSION_STRING) == 0);
}

void test_options_builder_misuse(void) {
    mqttws_options_builder *b = NULL;
    const mqttws_options *o = (const mqttws_options *)0x1;
    mqttws_error *err = NULL;
    char msg[256];
    size_t n = 0;
    static const char bad_utf8[] = {'w', 's', ':', '/', '/', (char)0xff, '\0'};

    /* Not UTF-8: refused at once. */
    CHECK_RC(mqttws_options_builder_new(bad_utf8, &b), MQTTWS_INVALID_PARAMETER);
    CHECK(b == NULL);

    /* A bad scheme is found by build, which consumes the builder anyway. */
    CHECK_OK(mqttws_options_builder_new("http://127.0.0.1/", &b));
    CHECK_RC(mqttws_options_builder_build(b, &o, &err), MQTTWS_INVALID_ARGUMENT);
    CHECK(o == (const mqttws_options *)0x1); /* not written on failure */
    CHECK(err != NULL);
    CHECK_RC(mqttws_error_code(err), MQTTWS_INVALID_ARGUMENT);
    CHECK_OK(mqttws_error_message(err, msg, sizeof msg, &n));
    CHECK(strstr(msg, "ws://") != NULL && n == strlen(msg));
    mqttws_error_free(err);
    err = NULL;

    /* A password without a user name. */
    CHECK_OK(mqttws_options_builder_new("ws://127.0.0.1/", &b));
    CHECK_OK(mqttws_options_builder_set_password(b, "secret"));
    CHECK_RC(mqttws_options_builder_build(b, &o, NULL), MQTTWS_INVALID_ARGUMENT);

    /* Out-of-range values and invalid headers. */
    CHECK_OK(mqttws_options_builder_new("ws://127.0.0.1/", &b));
    CHECK_RC(mqttws_options_builder_set_connect_timeout_ms(b, 0), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_operation_timeout_ms(b, 0), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_max_packet_size(b, 0), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_inflight_window(b, 0), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_add_header(b, "Bad Name", "v"), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_add_header(b, "X-Ok", "a\r\nb"), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_will(b, "w/t", 3, NULL, 0, 3, false),
             MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_will(b, bad_utf8 + 5, 1, NULL, 0, 1, false),
             MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_ca_file(b, ""), MQTTWS_INVALID_PARAMETER);
    CHECK_OK(mqttws_options_builder_set_keepalive(b, 30));
    CHECK_OK(mqttws_options_builder_set_clean_session(b, true));
    CHECK_OK(mqttws_options_builder_set_insecure_skip_verify(b, false));
    CHECK_OK(mqttws_options_builder_add_header(b, "X-Test", "1"));
    /* Reserved handshake headers are refused when the client is created. */
    CHECK_OK(mqttws_options_builder_add_header(b, "Sec-WebSocket-Protocol", "x"));
    CHECK_OK(mqttws_options_builder_build(b, &o, NULL));
    {
        mqttws_client *c = NULL;
        CHECK_RC(mqttws_client_new(o, &c, &err), MQTTWS_INVALID_ARGUMENT);
        CHECK(c == NULL && err != NULL);
        mqttws_error_free(err);
    }
    mqttws_options_free(o);

    /* An unreadable CA file: client_new fails with a message naming it. */
    CHECK_OK(mqttws_options_builder_new("wss://127.0.0.1/", &b));
    CHECK_OK(mqttws_options_builder_set_ca_file(b, "/nonexistent/ca.pem"));
    CHECK_OK(mqttws_options_builder_build(b, &o, NULL));
    {
        mqttws_client *c = NULL;
        err = NULL;
        CHECK(mqttws_client_new(o, &c, &err) != MQTTWS_OK);
        CHECK(c == NULL && err != NULL);
        CHECK_OK(mqttws_error_message(err, msg, sizeof msg, &n));
        CHECK(strstr(msg, "/nonexistent/ca.pem") != NULL);
        mqttws_error_free(err);
    }
    mqttws_options_free(o);

    /* A builder that is never built is freed. */
    CHECK_OK(mqttws_options_builder_new("ws://127.0.0.1/", &b));
    mqttws_options_builder_free(b);
}

void test_null_parameters_options_and_errors(void) {
    mqttws_options_builder *b = NULL;
    const mqttws_options *o = NULL;
    mqttws_error *err = NULL;
    char buf[64];
    size_t n = 77;
    static const uint8_t pem[] = "-----BEGIN CERTIFICATE-----";

    /* mqttws_error_* */
    CHECK_RC(mqttws_error_code(NULL), NUL);
    CHECK_RC(mqttws_error_message(NULL, buf, sizeof buf, &n), NUL);
    mqttws_error_free(NULL);

    /* builder_new */
    CHECK_RC(mqttws_options_builder_new(NULL, &b), NUL);
    CHECK_RC(mqttws_options_builder_new("ws://127.0.0.1/", NULL), NUL);
    mqttws_options_builder_free(NULL);

    CHECK_OK(mqttws_options_builder_new("ws://127.0.0.1/", &b));
    /* Every setter: NULL builder, then each NULL pointer. */
    CHECK_RC(mqttws_options_builder_set_client_id(NULL, "id"), NUL);
    CHECK_RC(mqttws_options_builder_set_client_id(b, NULL), NUL);
    CHECK_RC(mqttws_options_builder_set_username(NULL, "u"), NUL);
    CHECK_RC(mqttws_options_builder_set_username(b, NULL), NUL);
    CHECK_RC(mqttws_options_builder_set_password(NULL, "p"), NUL);
    CHECK_RC(mqttws_options_builder_set_password(b, NULL), NUL);
    CHECK_RC(mqttws_options_builder_set_keepalive(NULL, 10), NUL);
    CHECK_RC(mqttws_options_builder_set_clean_session(NULL, true), NUL);
    CHECK_RC(mqttws_options_builder_set_will(NULL, "t", 1, NULL, 0, 0, false), NUL);
    CHECK_RC(mqttws_options_builder_set_will(b, NULL, 1, NULL, 0, 0, false), NUL);
    CHECK_RC(mqttws_options_builder_set_will(b, "t", 1, NULL, 4, 0, false), NUL);
    CHECK_OK(mqttws_options_builder_set_will(b, "t", 1, NULL, 0, 0, false));
    CHECK_RC(mqttws_options_builder_set_ca_file(NULL, "/x"), NUL);
    CHECK_RC(mqttws_options_builder_set_ca_file(b, NULL), NUL);
    CHECK_RC(mqttws_options_builder_set_ca_pem(NULL, pem, sizeof pem), NUL);
    CHECK_RC(mqttws_options_builder_set_ca_pem(b, NULL, sizeof pem), NUL);
    CHECK_RC(mqttws_options_builder_set_ca_pem(b, pem, 0), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_client_cert_files(NULL, "/c", "/k"), NUL);
    CHECK_RC(mqttws_options_builder_set_client_cert_files(b, NULL, "/k"), NUL);
    CHECK_RC(mqttws_options_builder_set_client_cert_files(b, "/c", NULL), NUL);
    CHECK_RC(mqttws_options_builder_set_client_cert_pem(NULL, pem, sizeof pem, pem, sizeof pem),
             NUL);
    CHECK_RC(mqttws_options_builder_set_client_cert_pem(b, NULL, sizeof pem, pem, sizeof pem),
             NUL);
    CHECK_RC(mqttws_options_builder_set_client_cert_pem(b, pem, sizeof pem, NULL, sizeof pem),
             NUL);
    CHECK_RC(mqttws_options_builder_set_insecure_skip_verify(NULL, true), NUL);
    CHECK_RC(mqttws_options_builder_add_header(NULL, "X-A", "1"), NUL);
    CHECK_RC(mqttws_options_builder_add_header(b, NULL, "1"), NUL);
    CHECK_RC(mqttws_options_builder_add_header(b, "X-A", NULL), NUL);
    CHECK_RC(mqttws_options_builder_set_connect_timeout_ms(NULL, 10), NUL);
    CHECK_RC(mqttws_options_builder_set_operation_timeout_ms(NULL, 10), NUL);
    CHECK_RC(mqttws_options_builder_set_max_packet_size(NULL, 10), NUL);
    CHECK_RC(mqttws_options_builder_set_inflight_window(NULL, 10), NUL);

    /* build: NULL builder; NULL options_out (consumes the builder). */
    CHECK_RC(mqttws_options_builder_build(NULL, &o, &err), NUL);
    CHECK(o == NULL && err != NULL);
    CHECK_RC(mqttws_error_code(err), NUL);
    CHECK_RC(mqttws_error_message(err, NULL, sizeof buf, &n), NUL);
    CHECK_RC(mqttws_error_message(err, buf, sizeof buf, NULL), NUL);
    CHECK_OK(mqttws_error_message(err, buf, sizeof buf, &n));
    CHECK(strcmp(buf, "parameter `builder` is NULL") == 0);
    mqttws_error_free(err);
    CHECK_RC(mqttws_options_builder_build(b, NULL, NULL), NUL);
    mqttws_options_free(NULL);
}

static void noop_callback(void *userdata, const mqttws_message *message) {
    (void)userdata;
    (void)message;
}

void test_null_parameters_client(void) {
    const mqttws_options *o = make_options("ws://127.0.0.1:9/", "null-test", NULL);
    mqttws_client *c = NULL;
    mqttws_error *err = NULL;
    mqttws_event *ev = NULL;
    mqttws_subscription sub = {{"a/b", 3}, 1};
    mqttws_subscription sub_null = {{NULL, 3}, 1};
    mqttws_str filt = {"a/b", 3};
    mqttws_str filt_null = {NULL, 3};
    uint8_t granted[1] = {0x55};
    uint16_t pid = 0x5555;
    char buf[256];
    size_t n = 0;
    CHECK(o != NULL);

    /* client_new */
    CHECK_RC(mqttws_client_new(NULL, &c, &err), NUL);
    CHECK(c == NULL && err != NULL);
    mqttws_error_free(err);
    CHECK_RC(mqttws_client_new(o, NULL, NULL), NUL);
    CHECK_OK(mqttws_client_new(o, &c, NULL));
    mqttws_options_free(o);

    CHECK_RC(mqttws_client_connect(NULL, NULL), NUL);

    CHECK_RC(mqttws_client_publish(NULL, "t", 1, NULL, 0, 0, false, &pid), NUL);
    CHECK_RC(mqttws_client_publish(c, NULL, 1, NULL, 0, 0, false, &pid), NUL);
    CHECK_RC(mqttws_client_publish(c, "t", 1, NULL, 5, 0, false, &pid), NUL);
    /* payload NULL with length 0 and packet_id_out NULL are allowed. */
    CHECK_RC(mqttws_client_publish(c, "t", 1, NULL, 0, 0, false, NULL), MQTTWS_CLOSED);
    CHECK(pid == 0x5555);

    CHECK_RC(mqttws_client_wait_for(NULL, 1, 0), NUL);

    CHECK_RC(mqttws_client_publish_and_wait(NULL, "t", 1, NULL, 0, 1, false), NUL);
    CHECK_RC(mqttws_client_publish_and_wait(c, NULL, 1, NULL, 0, 1, false), NUL);
    CHECK_RC(mqttws_client_publish_and_wait(c, "t", 1, NULL, 5, 1, false), NUL);

    CHECK_RC(mqttws_client_subscribe(NULL, "a/b", 3, 1, granted), NUL);
    CHECK_RC(mqttws_client_subscribe(c, NULL, 3, 1, granted), NUL);
    CHECK_RC(mqttws_client_subscribe(c, "a/b", 3, 1, NULL), MQTTWS_CLOSED);

    CHECK_RC(mqttws_client_subscribe_many(NULL, &sub, 1, granted), NUL);
    CHECK_RC(mqttws_client_subscribe_many(c, NULL, 1, granted), NUL);
    CHECK_RC(mqttws_client_subscribe_many(c, &sub_null, 1, granted), NUL);
    CHECK_RC(mqttws_client_subscribe_many(c, &sub, 1, NULL), MQTTWS_CLOSED);
    CHECK(granted[0] == 0x55);

    CHECK_RC(mqttws_client_unsubscribe(NULL, "a/b", 3), NUL);
    CHECK_RC(mqttws_client_unsubscribe(c, NULL, 3), NUL);

    CHECK_RC(mqttws_client_unsubscribe_many(NULL, &filt, 1), NUL);
    CHECK_RC(mqttws_client_unsubscribe_many(c, NULL, 1), NUL);
    CHECK_RC(mqttws_client_unsubscribe_many(c, &filt_null, 1), NUL);

    CHECK_RC(mqttws_client_set_message_callback(NULL, noop_callback, NULL), NUL);
    CHECK_OK(mqttws_client_set_message_callback(c, noop_callback, NULL));
    CHECK_OK(mqttws_client_set_message_callback(c, NULL, NULL)); /* removes it */

    CHECK_RC(mqttws_client_poll(NULL, 0, &ev), NUL);
    CHECK_RC(mqttws_client_poll(c, 0, NULL), NUL);
    CHECK(ev == NULL); /* outputs are written only on success */
    /* Event accessors take NULL and answer with empty values. */
    CHECK(mqttws_event_get_kind(NULL) == MQTTWS_EVENT_NONE);
    CHECK(mqttws_event_message(NULL) == NULL);
    CHECK(mqttws_event_packet_id(NULL) == 0 && !mqttws_event_session_present(NULL));
    CHECK(mqttws_event_text(NULL).data == NULL && mqttws_event_granted_qos(NULL).len == 0);
    CHECK(mqttws_event_attempt(NULL) == 0 && mqttws_event_delay_ms(NULL) == 0);
    mqttws_event_free(NULL);

    CHECK_RC(mqttws_client_disconnect(NULL), NUL);
    CHECK_RC(mqttws_client_interrupt(NULL), NUL);
    CHECK(!mqttws_client_is_connected(NULL));
    CHECK(mqttws_client_inflight(NULL) == 0);

    CHECK_RC(mqttws_client_last_error(NULL, buf, sizeof buf, &n), NUL);
    CHECK_RC(mqttws_client_last_error(c, NULL, sizeof buf, &n), NUL);
    CHECK_RC(mqttws_client_last_error(c, buf, sizeof buf, NULL), NUL);
    CHECK_RC(mqttws_client_last_error_code(NULL), NUL);
    CHECK(mqttws_client_last_http_status(NULL) == 0);
    CHECK(mqttws_client_last_connack_code(NULL) == 0);

    /* The failures above were recorded, with the function and parameter. */
    CHECK_RC(mqttws_client_last_error_code(c), NUL);
    CHECK_OK(mqttws_client_last_error(c, buf, sizeof buf, &n));
    CHECK(strcmp(buf, "mqttws_client_poll: parameter `event_out` is NULL") == 0);

    CHECK_OK(mqttws_client_free(NULL));
    CHECK_OK(mqttws_client_free(c));
    mqttws_event_free(ev);
}

void test_null_parameters_platforms(void) {
    mqttws_tencent_device_builder *t = NULL;
    mqttws_aliyun_device_builder *a = NULL;
    mqttws_aws_sigv4_builder *s = NULL;
    mqttws_aws_custom_auth_builder *ca = NULL;
    mqttws_azure_device_builder *z = NULL;
    mqttws_huawei_device_builder *h = NULL;
    const mqttws_credential_provider *p = NULL;
    mqttws_credentials *cr = NULL;
    mqttws_options_builder *b = NULL;
    mqttws_error *err = NULL;
    mqttws_str name, value;
    char buf[256];
    size_t n = 0;
    static const uint8_t pem[] = "not a key";

    /* Tencent */
    CHECK_RC(mqttws_tencent_device_builder_new_psk(NULL, "d", "AA==", &t), NUL);
    CHECK_RC(mqttws_tencent_device_builder_new_psk("P", NULL, "AA==", &t), NUL);
    CHECK_RC(mqttws_tencent_device_builder_new_psk("P", "d", NULL, &t), NUL);
    CHECK_RC(mqttws_tencent_device_builder_new_psk("P", "d", "AA==", NULL), NUL);
    CHECK_RC(mqttws_tencent_device_builder_new_private_key_pem(NULL, "d", pem, sizeof pem, &t), NUL);
    CHECK_RC(mqttws_tencent_device_builder_new_private_key_pem("P", NULL, pem, sizeof pem, &t), NUL);
    CHECK_RC(mqttws_tencent_device_builder_new_private_key_pem("P", "d", NULL, sizeof pem, &t), NUL);
    CHECK_RC(mqttws_tencent_device_builder_new_private_key_pem("P", "d", pem, 0, &t),
             MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_tencent_device_builder_new_private_key_pem("P", "d", pem, sizeof pem, NULL), NUL);
    CHECK_RC(mqttws_tencent_device_builder_new_private_key_file(NULL, "d", "/k", &t), NUL);
    CHECK_RC(mqttws_tencent_device_builder_new_private_key_file("P", NULL, "/k", &t), NUL);
    CHECK_RC(mqttws_tencent_device_builder_new_private_key_file("P", "d", NULL, &t), NUL);
    CHECK_RC(mqttws_tencent_device_builder_new_private_key_file("P", "d", "/k", NULL), NUL);
    CHECK(t == NULL);
    CHECK_OK(mqttws_tencent_device_builder_new_psk("P", "d", "AA==", &t));
    CHECK_RC(mqttws_tencent_device_builder_set_sign_method(NULL, "hmacsha1"), NUL);
    CHECK_RC(mqttws_tencent_device_builder_set_sign_method(t, NULL), NUL);
    CHECK_RC(mqttws_tencent_device_builder_set_region(NULL, "europe"), NUL);
    CHECK_RC(mqttws_tencent_device_builder_set_region(t, NULL), NUL);
    CHECK_RC(mqttws_tencent_device_builder_set_scheme(NULL, MQTTWS_SCHEME_WS), NUL);
    CHECK_RC(mqttws_tencent_device_builder_set_expiry_ttl(NULL, 60), NUL);
    CHECK_RC(mqttws_tencent_device_builder_set_expiry_at(NULL, 60), NUL);
    CHECK_RC(mqttws_tencent_device_builder_set_expiry_never(NULL), NUL);
    CHECK_RC(mqttws_tencent_device_builder_set_connid(NULL, "abc"), NUL);
    CHECK_RC(mqttws_tencent_device_builder_set_connid(t, NULL), NUL);
    CHECK_RC(mqttws_tencent_device_builder_set_sdkappid(NULL, "1"), NUL);
    CHECK_RC(mqttws_tencent_device_builder_set_sdkappid(t, NULL), NUL);
    CHECK_RC(mqttws_tencent_device_builder_build(NULL, &p), NUL);
    mqttws_tencent_device_builder_free(NULL);
    mqttws_tencent_device_builder_free(t);

    /* Alibaba */
    CHECK_RC(mqttws_aliyun_device_builder_new(NULL, "d", "s", &a), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_new("pk", NULL, "s", &a), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_new("pk", "d", NULL, &a), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_new("pk", "d", "s", NULL), NUL);
    CHECK_OK(mqttws_aliyun_device_builder_new("pk", "d", "s", &a));
    CHECK_RC(mqttws_aliyun_device_builder_set_client_id(NULL, "c"), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_set_client_id(a, NULL), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_set_scheme(NULL, MQTTWS_SCHEME_WS), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_set_sign_method(NULL, "hmacmd5"), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_set_sign_method(a, NULL), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_set_timestamp_now(NULL), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_set_timestamp_fixed(NULL, 1), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_set_timestamp_omit(NULL), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_set_lowercase_hex(NULL, true), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_set_region(NULL, "cn-shanghai"), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_set_region(a, NULL), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_set_instance(NULL, "iot-1"), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_set_instance(a, NULL), NUL);
    CHECK_RC(mqttws_aliyun_device_builder_build(NULL, &p), NUL);
    mqttws_aliyun_device_builder_free(NULL);
    mqttws_aliyun_device_builder_free(a);

    /* AWS SigV4 */
    CHECK_RC(mqttws_aws_sigv4_builder_new(NULL, "AK", "SK", &s), NUL);
    CHECK_RC(mqttws_aws_sigv4_builder_new("h", NULL, "SK", &s), NUL);
    CHECK_RC(mqttws_aws_sigv4_builder_new("h", "AK", NULL, &s), NUL);
    CHECK_RC(mqttws_aws_sigv4_builder_new("h", "AK", "SK", NULL), NUL);
    CHECK_OK(mqttws_aws_sigv4_builder_new("h", "AK", "SK", &s));
    CHECK_RC(mqttws_aws_sigv4_builder_set_client_id(NULL, "c"), NUL);
    CHECK_RC(mqttws_aws_sigv4_builder_set_client_id(s, NULL), NUL);
    CHECK_RC(mqttws_aws_sigv4_builder_set_port(NULL, 1), NUL);
    CHECK_RC(mqttws_aws_sigv4_builder_set_region(NULL, "r"), NUL);
    CHECK_RC(mqttws_aws_sigv4_builder_set_region(s, NULL), NUL);
    CHECK_RC(mqttws_aws_sigv4_builder_set_session_token(NULL, "t"), NUL);
    CHECK_RC(mqttws_aws_sigv4_builder_set_session_token(s, NULL), NUL);
    CHECK_RC(mqttws_aws_sigv4_builder_set_expires(NULL, 60), NUL);
    CHECK_RC(mqttws_aws_sigv4_builder_build(NULL, &p), NUL);
    mqttws_aws_sigv4_builder_free(NULL);
    mqttws_aws_sigv4_builder_free(s);

    /* AWS custom authorizer */
    CHECK_RC(mqttws_aws_custom_auth_builder_new(NULL, &ca), NUL);
    CHECK_RC(mqttws_aws_custom_auth_builder_new("h", NULL), NUL);
    CHECK_OK(mqttws_aws_custom_auth_builder_new("h", &ca));
    CHECK_RC(mqttws_aws_custom_auth_builder_set_client_id(NULL, "c"), NUL);
    CHECK_RC(mqttws_aws_custom_auth_builder_set_client_id(ca, NULL), NUL);
    CHECK_RC(mqttws_aws_custom_auth_builder_set_port(NULL, 1), NUL);
    CHECK_RC(mqttws_aws_custom_auth_builder_set_authorizer_name(NULL, "n"), NUL);
    CHECK_RC(mqttws_aws_custom_auth_builder_set_authorizer_name(ca, NULL), NUL);
    CHECK_RC(mqttws_aws_custom_auth_builder_set_token(NULL, "k", "t"), NUL);
    CHECK_RC(mqttws_aws_custom_auth_builder_set_token(ca, NULL, "t"), NUL);
    CHECK_RC(mqttws_aws_custom_auth_builder_set_token(ca, "k", NULL), NUL);
    CHECK_RC(mqttws_aws_custom_auth_builder_set_token_signature(NULL, "s"), NUL);
    CHECK_RC(mqttws_aws_custom_auth_builder_set_token_signature(ca, NULL), NUL);
    CHECK_RC(mqttws_aws_custom_auth_builder_set_mode(NULL, MQTTWS_AWS_CUSTOM_AUTH_HEADERS), NUL);
    CHECK_RC(mqttws_aws_custom_auth_builder_set_mode(ca, 7), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_aws_custom_auth_builder_build(NULL, &p), NUL);
    mqttws_aws_custom_auth_builder_free(NULL);
    mqttws_aws_custom_auth_builder_free(ca);

    /* Azure */
    CHECK_RC(mqttws_azure_device_builder_new(NULL, "d", "AA==", &z), NUL);
    CHECK_RC(mqttws_azure_device_builder_new("h", NULL, "AA==", &z), NUL);
    CHECK_RC(mqttws_azure_device_builder_new("h", "d", NULL, &z), NUL);
    CHECK_RC(mqttws_azure_device_builder_new("h", "d", "AA==", NULL), NUL);
    CHECK_OK(mqttws_azure_device_builder_new("h", "d", "AA==", &z));
    CHECK_RC(mqttws_azure_device_builder_set_module_id(NULL, "m"), NUL);
    CHECK_RC(mqttws_azure_device_builder_set_module_id(z, NULL), NUL);
    CHECK_RC(mqttws_azure_device_builder_set_shared_access_key_name(NULL, "n"), NUL);
    CHECK_RC(mqttws_azure_device_builder_set_shared_access_key_name(z, NULL), NUL);
    CHECK_RC(mqttws_azure_device_builder_set_sas_ttl(NULL, 60), NUL);
    CHECK_RC(mqttws_azure_device_builder_set_api_version(NULL, "v"), NUL);
    CHECK_RC(mqttws_azure_device_builder_set_api_version(z, NULL), NUL);
    CHECK_RC(mqttws_azure_device_builder_set_device_client_type(NULL, "c"), NUL);
    CHECK_RC(mqttws_azure_device_builder_set_device_client_type(z, NULL), NUL);
    CHECK_RC(mqttws_azure_device_builder_set_no_client_cert_hint(NULL, false), NUL);
    CHECK_RC(mqttws_azure_device_builder_build(NULL, &p), NUL);
    mqttws_azure_device_builder_free(NULL);
    mqttws_azure_device_builder_free(z);

    /* Huawei */
    CHECK_RC(mqttws_huawei_device_builder_new(NULL, "d", "s", &h), NUL);
    CHECK_RC(mqttws_huawei_device_builder_new("h", NULL, "s", &h), NUL);
    CHECK_RC(mqttws_huawei_device_builder_new("h", "d", NULL, &h), NUL);
    CHECK_RC(mqttws_huawei_device_builder_new("h", "d", "s", NULL), NUL);
    CHECK_OK(mqttws_huawei_device_builder_new("h", "d", "s", &h));
    CHECK_RC(mqttws_huawei_device_builder_set_check_timestamp(NULL, true), NUL);
    CHECK_RC(mqttws_huawei_device_builder_build(NULL, &p), NUL);
    CHECK(p == NULL);
    mqttws_huawei_device_builder_free(NULL);
    /* Built: the builder is consumed (freeing it now would be a double free). */
    CHECK_OK(mqttws_huawei_device_builder_build(h, &p));

    /* The provider, shared by every platform */
    CHECK_RC(mqttws_credential_provider_url(NULL, buf, sizeof buf, &n, NULL), NUL);
    CHECK_RC(mqttws_credential_provider_url(p, NULL, sizeof buf, &n, NULL), NUL);
    CHECK_RC(mqttws_credential_provider_url(p, buf, sizeof buf, NULL, NULL), NUL);
    CHECK_RC(mqttws_credential_provider_credentials(NULL, 1700000000, &cr, NULL), NUL);
    CHECK_RC(mqttws_credential_provider_credentials(p, 1700000000, NULL, &err), NUL);
    CHECK(err != NULL);
    mqttws_error_free(err);
    err = NULL;
    CHECK_OK(mqttws_options_builder_new("ws://127.0.0.1/", &b));
    CHECK_RC(mqttws_options_builder_set_credential_provider(NULL, p), NUL);
    CHECK_RC(mqttws_options_builder_set_credential_provider(b, NULL), NUL);
    mqttws_options_builder_free(b);

    /* Credentials accessors */
    CHECK_OK(mqttws_credential_provider_credentials(p, 1700000000, &cr, NULL));
    CHECK(mqttws_credentials_client_id(NULL).data == NULL);
    CHECK(mqttws_credentials_username(NULL).data == NULL);
    CHECK(mqttws_credentials_password(NULL).data == NULL);
    CHECK(mqttws_credentials_url(NULL).data == NULL);
    CHECK(mqttws_credentials_header_count(NULL) == 0);
    CHECK_RC(mqttws_credentials_header(NULL, 0, &name, &value), NUL);
    CHECK_RC(mqttws_credentials_header(cr, 0, NULL, &value), NUL);
    CHECK_RC(mqttws_credentials_header(cr, 0, &name, NULL), NUL);
    CHECK_RC(mqttws_credentials_header(cr, 0, &name, &value), MQTTWS_INVALID_PARAMETER);
    mqttws_credentials_free(NULL);
    mqttws_credentials_free(cr);
    mqttws_credential_provider_free(NULL);
    mqttws_credential_provider_free(p);
}

void test_invalid_parameters_client(void) {
    const mqttws_options *o = make_options("ws://127.0.0.1:9/", "invalid-test", NULL);
    mqttws_client *c = NULL;
    static const char bad[] = {'a', '/', (char)0xc3, (char)0x28, '\0'}; /* invalid UTF-8 */
    mqttws_subscription sub = {{bad, 4}, 1};
    mqttws_str filt = {bad, 4};
    CHECK(o != NULL);
    CHECK_OK(mqttws_client_new(o, &c, NULL));
    mqttws_options_free(o);

    /* Checked before anything else, even while not connected. */
    CHECK_RC(mqttws_client_publish(c, bad, 4, NULL, 0, 0, false, NULL), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_client_publish(c, "a\0b", 3, NULL, 0, 0, false, NULL),
             MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_client_publish(c, "a/b", 3, NULL, 0, 3, false, NULL),
             MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_client_publish_and_wait(c, bad, 4, NULL, 0, 1, false),
             MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_client_publish_and_wait(c, "a/b", 3, NULL, 0, 3, false),
             MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_client_subscribe(c, bad, 4, 1, NULL), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_client_subscribe(c, "a/#", 3, 3, NULL), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_client_subscribe_many(c, &sub, 1, NULL), MQTTWS_INVALID_PARAMETER);
    sub.filter.data = "a/b";
    sub.filter.len = 3;
    sub.qos = 3;
    CHECK_RC(mqttws_client_subscribe_many(c, &sub, 1, NULL), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_client_subscribe_many(c, &sub, 0, NULL), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_client_unsubscribe(c, bad, 4), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_client_unsubscribe_many(c, &filt, 1), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_client_unsubscribe_many(c, &filt, 0), MQTTWS_INVALID_PARAMETER);
    CHECK_OK(mqttws_client_free(c));
    /* The wildcard case needs a connection: see roundtrip_ws_qos0_1_2. */
}

void test_error_message_buffer_too_small(void) {
    const mqttws_options *o = make_options("ws://127.0.0.1:9/", "small-buffer", NULL);
    mqttws_client *c = NULL;
    char buf[256];
    char tiny[4] = {'x', 'x', 'x', 'x'};
    size_t n = 0, need = 0;
    CHECK(o != NULL);
    CHECK_OK(mqttws_client_new(o, &c, NULL));
    mqttws_options_free(o);

    /* Before any failure the message is empty (it still needs its NUL). */
    CHECK_OK(mqttws_client_last_error(c, buf, sizeof buf, &n));
    CHECK(n == 0 && buf[0] == '\0');
    CHECK_RC(mqttws_client_last_error(c, NULL, 0, &n), MQTTWS_INSUFFICIENT_SIZE);
    CHECK(n == 1);
    CHECK_RC(mqttws_client_last_error_code(c), MQTTWS_OK);

    CHECK_RC(mqttws_client_publish(c, "t", 1, NULL, 0, 0, false, NULL), MQTTWS_CLOSED);
    CHECK_RC(mqttws_client_last_error(c, tiny, sizeof tiny, &need), MQTTWS_INSUFFICIENT_SIZE);
    CHECK(tiny[0] == 'x'); /* nothing copied */
    CHECK(need > sizeof tiny);
    CHECK_RC(mqttws_client_last_error(c, NULL, 0, &n), MQTTWS_INSUFFICIENT_SIZE);
    CHECK(n == need);
    CHECK(need <= sizeof buf);
    CHECK_RC(mqttws_client_last_error(c, buf, need - 1, &n), MQTTWS_INSUFFICIENT_SIZE);
    CHECK_OK(mqttws_client_last_error(c, buf, need, &n));
    CHECK(n == need - 1 && strlen(buf) == n);
    CHECK(strncmp(buf, "mqttws_client_publish: connection closed", 40) == 0);
    /* Reading the message does not change it. */
    CHECK_RC(mqttws_client_last_error_code(c), MQTTWS_CLOSED);
    CHECK_OK(mqttws_client_free(c));
}

void test_calls_before_connect_and_after_disconnect(void) {
    const char *url = need_env("MQTTWS_WS_URL");
    mqttws_client *c;
    mqttws_event *ev = NULL;
    char topic[128];
    uint16_t pid = 0;
    mqttws_str filt = {"a/b", 3};
    mqttws_subscription sub = {{"a/b", 3}, 1};
    if (url == NULL) return;

    /* Never connected. */
    {
        const mqttws_options *o = make_options(url, "before-connect", NULL);
        mqttws_client *n = NULL;
        CHECK(o != NULL);
        CHECK_OK(mqttws_client_new(o, &n, NULL));
        mqttws_options_free(o);
        CHECK(!mqttws_client_is_connected(n));
        CHECK_RC(mqttws_client_poll(n, 0, &ev), MQTTWS_CLOSED);
        CHECK_RC(mqttws_client_subscribe(n, "a/b", 3, 0, NULL), MQTTWS_CLOSED);
        /* Bad arguments are INVALID_ARGUMENT, connected or not (the header's
         * contract; arguments are checked before the connection). */
        CHECK_RC(mqttws_client_publish(n, "", 0, NULL, 0, 0, false, NULL), MQTTWS_INVALID_ARGUMENT);
        CHECK_RC(mqttws_client_publish(n, "a/+", 3, NULL, 0, 1, false, NULL),
                 MQTTWS_INVALID_ARGUMENT);
        CHECK_RC(mqttws_client_subscribe(n, "a/#/b", 5, 0, NULL), MQTTWS_INVALID_ARGUMENT);
        CHECK_RC(mqttws_client_unsubscribe(n, "", 0), MQTTWS_INVALID_ARGUMENT);
        CHECK_OK(mqttws_client_disconnect(n)); /* nothing to do */
        CHECK_OK(mqttws_client_free(n));
    }

    c = connect_client(url, "after-disconnect", NULL);
    if (c == NULL) return;
    CHECK(mqttws_client_is_connected(c));
    unique_topic(topic, sizeof topic, "closed");
    CHECK_RC(mqttws_client_connect(c, NULL), MQTTWS_INVALID_ARGUMENT); /* already connected */
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK(!mqttws_client_is_connected(c));
    CHECK_RC(mqttws_client_publish(c, topic, strlen(topic), (const uint8_t *)"x", 1, 1, false, &pid),
             MQTTWS_CLOSED);
    CHECK(pid == 0);
    CHECK_RC(mqttws_client_publish_and_wait(c, topic, strlen(topic), NULL, 0, 2, false),
             MQTTWS_CLOSED);
    CHECK_RC(mqttws_client_subscribe(c, "a/b", 3, 1, NULL), MQTTWS_CLOSED);
    CHECK_RC(mqttws_client_subscribe_many(c, &sub, 1, NULL), MQTTWS_CLOSED);
    CHECK_RC(mqttws_client_unsubscribe(c, "a/b", 3), MQTTWS_CLOSED);
    CHECK_RC(mqttws_client_unsubscribe_many(c, &filt, 1), MQTTWS_CLOSED);
    CHECK_RC(mqttws_client_poll(c, 0, &ev), MQTTWS_CLOSED);
    CHECK_RC(mqttws_client_poll(c, -1, &ev), MQTTWS_CLOSED); /* does not block */
    CHECK_OK(mqttws_client_wait_for(c, 0, 0));                /* nothing in flight */
    CHECK_OK(mqttws_client_disconnect(c));                    /* again: no-op */
    /* Reconnecting works. */
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK(mqttws_client_is_connected(c));
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
    mqttws_event_free(ev);
}

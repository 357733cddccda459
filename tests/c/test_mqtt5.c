/*
 * MQTT 5 through the C API, against the real mosquitto (2.0 speaks 5.0 on
 * the same listeners) over ws and wss: CONNECT and CONNACK properties,
 * publish properties both ways (and on a will), subscription options and
 * identifiers, SUBACK / UNSUBACK reason codes, a publish the broker refuses,
 * and a 3.1.1 client given MQTT 5-only arguments. Plus the misuse of every
 * new function (NULLs, bad values).
 *
 * (mosquitto 2.0.11 never sends a server DISCONNECT and grants QoS 2, so
 * the SERVER_DISCONNECTED and DOWNGRADED events are tested on the Rust side:
 * ffi/src/event.rs.)
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "harness.h"

#define NUL MQTTWS_NULL_PARAMETER
#define PAYLOAD "{\"t\":21}"

/* A builder for `url` speaking MQTT 5 (3.1.1 when `v5` is false), with the
 * test CA when `ca` is not NULL. NULL (after recording a failure) on error. */
static mqttws_options_builder *builder(const char *url, const char *client_id, const char *ca,
                                       bool v5) {
    mqttws_options_builder *b = NULL;
    if (url == NULL || mqttws_options_builder_new(url, &b) != MQTTWS_OK) {
        test_fail(__FILE__, __LINE__, "mqttws_options_builder_new(%s)", url ? url : "(null)");
        return NULL;
    }
    if (client_id != NULL) mqttws_options_builder_set_client_id(b, client_id);
    if (ca != NULL) mqttws_options_builder_set_ca_file(b, ca);
    mqttws_options_builder_set_connect_timeout_ms(b, 10000);
    if (v5) mqttws_options_builder_set_protocol_version(b, MQTTWS_PROTOCOL_V5);
    return b;
}

/* Builds the options (consuming `b`) and creates a client; NULL (after
 * recording a failure) on error. */
static mqttws_client *client_of(mqttws_options_builder *b) {
    const mqttws_options *o = NULL;
    mqttws_client *c = NULL;
    mqttws_error *err = NULL;
    char msg[512] = "";
    size_t n = 0;
    if (b == NULL) return NULL;
    if (mqttws_options_builder_build(b, &o, &err) == MQTTWS_OK &&
        mqttws_client_new(o, &c, &err) == MQTTWS_OK) {
        mqttws_options_free(o);
        return c;
    }
    mqttws_error_message(err, msg, sizeof msg, &n);
    test_fail(__FILE__, __LINE__, "options or client: %s", msg);
    mqttws_error_free(err);
    mqttws_options_free(o);
    return NULL;
}

/* A connected MQTT 5 client; NULL (after recording a failure) on error. */
static mqttws_client *connect_v5(const char *url, const char *client_id, const char *ca) {
    mqttws_client *c = client_of(builder(url, client_id, ca, true));
    if (c != NULL && mqttws_client_connect(c, NULL) != MQTTWS_OK) {
        char msg[512] = "";
        size_t n = 0;
        mqttws_client_last_error(c, msg, sizeof msg, &n);
        test_fail(__FILE__, __LINE__, "MQTT 5 connect to %s: %s", url, msg);
        mqttws_client_free(c);
        return NULL;
    }
    return c;
}

/* Disconnects and frees, recording a failure. */
static void done(mqttws_client *c) {
    if (c == NULL) return;
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
}

static bool bytes_eq(mqttws_bytes b, const char *expected) {
    return b.data != NULL && b.len == strlen(expected) && memcmp(b.data, expected, b.len) == 0;
}

/* Every publish property, with a repeated user property name. */
static mqttws_publish_properties *all_properties(const char *response_topic) {
    mqttws_publish_properties *p = NULL;
    if (mqttws_publish_properties_new(&p) != MQTTWS_OK) return NULL;
    mqttws_publish_properties_set_payload_format_utf8(p, true);
    mqttws_publish_properties_set_message_expiry_interval(p, 300);
    mqttws_publish_properties_set_content_type(p, "application/json");
    mqttws_publish_properties_set_response_topic(p, response_topic, strlen(response_topic));
    mqttws_publish_properties_set_correlation_data(p, (const uint8_t *)"req\0-1", 6);
    mqttws_publish_properties_add_user_property(p, "unit", "C");
    mqttws_publish_properties_add_user_property(p, "sensor", "17");
    mqttws_publish_properties_add_user_property(p, "unit", "K");
    return p;
}

/* Checks that `p` holds what all_properties(response_topic) set. */
static void check_all_properties(const mqttws_publish_properties *p, const char *response_topic) {
    static const char *const names[] = {"unit", "sensor", "unit"};
    static const char *const values[] = {"C", "17", "K"};
    bool utf8 = false;
    uint32_t expiry = 0;
    mqttws_bytes corr = {NULL, 0};
    mqttws_str name, value;
    size_t i;
    CHECK(p != NULL);
    CHECK(mqttws_publish_properties_payload_format_utf8(p, &utf8) && utf8);
    /* The broker counts the expiry down: present, and not more. */
    CHECK(mqttws_publish_properties_message_expiry_interval(p, &expiry));
    CHECK(expiry > 0 && expiry <= 300);
    CHECK_STR(mqttws_publish_properties_content_type(p), "application/json");
    CHECK_STR(mqttws_publish_properties_response_topic(p), response_topic);
    CHECK(mqttws_publish_properties_correlation_data(p, &corr));
    CHECK(corr.len == 6 && memcmp(corr.data, "req\0-1", 6) == 0);
    /* Order and repeated names kept. */
    CHECK(mqttws_publish_properties_user_property_count(p) == 3);
    for (i = 0; i < 3; i++) {
        CHECK_OK(mqttws_publish_properties_user_property(p, i, &name, &value));
        CHECK_STR(name, names[i]);
        CHECK_STR(value, values[i]);
    }
    CHECK_RC(mqttws_publish_properties_user_property(p, 3, &name, &value),
             MQTTWS_INVALID_PARAMETER);
    CHECK(mqttws_publish_properties_subscription_identifier_count(p) == 0);
}

static int g_callback_checked;

static void properties_callback(void *userdata, const mqttws_message *m) {
    check_all_properties(m->properties, (const char *)userdata);
    g_callback_checked++;
}

/* Publishes with every property at QoS 0, 1 and 2 and reads them back, in
 * the event and in the message callback. */
static void properties_roundtrip(const char *url, const char *ca) {
    mqttws_client *sub = connect_v5(url, "v5-props-sub", ca);
    mqttws_client *pub = connect_v5(url, "v5-props-pub", ca);
    mqttws_publish_properties *props = NULL;
    mqttws_event *ev = NULL;
    char topic[128], reply[160];
    unsigned qos;
    uint16_t pid = 0;
    if (sub == NULL || pub == NULL) return;
    unique_topic(topic, sizeof topic, "props");
    snprintf(reply, sizeof reply, "%s/reply", topic);
    props = all_properties(reply);
    CHECK(props != NULL);
    CHECK_CLIENT_OK(sub, mqttws_client_subscribe(sub, topic, strlen(topic), 2, NULL));
    g_callback_checked = 0;
    CHECK_OK(mqttws_client_set_message_callback(sub, properties_callback, reply));
    for (qos = 0; qos <= 2; qos++) {
        CHECK_CLIENT_OK(pub, mqttws_client_publish_with(pub, topic, strlen(topic),
                                                        (const uint8_t *)PAYLOAD, strlen(PAYLOAD),
                                                        (uint8_t)qos, false, props, &pid));
        CHECK_CLIENT_OK(pub, mqttws_client_wait_for(pub, pid, 5000));
        CHECK_CLIENT_OK(sub, poll_message(sub, 5000, &ev));
        CHECK_STR(msg_of(ev)->topic, topic);
        CHECK(msg_of(ev)->qos == qos);
        CHECK(bytes_eq(msg_of(ev)->payload, PAYLOAD));
        check_all_properties(msg_of(ev)->properties, reply);
    }
    CHECK(g_callback_checked == 3);
    CHECK_OK(mqttws_client_set_message_callback(sub, NULL, NULL));
    /* The properties are reusable, and a message without any has none. */
    CHECK_CLIENT_OK(pub, mqttws_client_publish_with(pub, topic, strlen(topic), NULL, 0, 1, false,
                                                    NULL, &pid));
    CHECK_CLIENT_OK(pub, mqttws_client_wait_for(pub, pid, 5000));
    CHECK_CLIENT_OK(sub, poll_message(sub, 5000, &ev));
    CHECK(msg_of(ev)->payload.len == 0 && msg_of(ev)->properties == NULL);
    mqttws_publish_properties_free(props);
    mqttws_event_free(ev);
    done(sub);
    done(pub);
}

void test_mqtt5_properties_roundtrip_ws(void) {
    properties_roundtrip(need_env("MQTTWS_WS_URL"), NULL);
}

void test_mqtt5_properties_roundtrip_wss(void) {
    properties_roundtrip(need_env("MQTTWS_WSS_URL"), need_env("MQTTWS_CA_PEM"));
}

/* CONNECT properties go out, CONNACK's come back: an empty client id is
 * assigned one, mosquitto announces its topic alias maximum. */
void test_mqtt5_connect_and_connack(void) {
    const char *url = need_env("MQTTWS_WSS_URL");
    const char *ca = need_env("MQTTWS_CA_PEM");
    mqttws_options_builder *b = builder(url, "", ca, true);
    mqttws_client *c;
    const mqttws_connack *ack = NULL, *again = NULL;
    mqttws_str id;
    uint16_t alias_max = 0;
    uint8_t max_qos = 9;
    bool present = true;
    if (b == NULL) return;
    CHECK_OK(mqttws_options_builder_set_session_expiry_interval(b, 60));
    CHECK_OK(mqttws_options_builder_set_receive_maximum(b, 10));
    CHECK_OK(mqttws_options_builder_set_maximum_packet_size(b, 1 << 20));
    CHECK_OK(mqttws_options_builder_set_topic_alias_maximum(b, 5));
    CHECK_OK(mqttws_options_builder_set_request_response_information(b, true));
    CHECK_OK(mqttws_options_builder_set_request_problem_information(b, true));
    CHECK_OK(mqttws_options_builder_add_connect_user_property(b, "site", "lab"));
    CHECK_OK(mqttws_options_builder_add_connect_user_property(b, "site", "bench"));
    c = client_of(b);
    CHECK(c != NULL);
    CHECK_RC(mqttws_client_connack(c, &ack), MQTTWS_CLOSED); /* not connected yet */
    CHECK(ack == NULL);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, &present));
    CHECK(!present);
    CHECK_CLIENT_OK(c, mqttws_client_connack(c, &ack));
    CHECK(!mqttws_connack_session_present(ack));
    id = mqttws_connack_assigned_client_identifier(ack);
    CHECK(id.data != NULL && id.len > 0 && id.data[id.len] == '\0');
    CHECK(mqttws_connack_topic_alias_maximum(ack, &alias_max) && alias_max > 0);
    CHECK(mqttws_connack_topic_alias_maximum(ack, NULL)); /* presence only */
    /* mosquitto supports QoS 2 and sends no maximum QoS. */
    CHECK(!mqttws_connack_maximum_qos(ack, &max_qos) && max_qos == 9);
    CHECK(mqttws_connack_reason_string(ack).data == NULL);
    CHECK(mqttws_connack_server_reference(ack).data == NULL);
    /* The snapshot outlives the connection and the client. */
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_CLIENT_OK(c, mqttws_client_connack(c, &again));
    CHECK(str_eq(mqttws_connack_assigned_client_identifier(again), id.data));
    mqttws_connack_free(again);
    CHECK_OK(mqttws_client_free(c));
    CHECK(mqttws_connack_assigned_client_identifier(ack).len == id.len);
    mqttws_connack_free(ack);

    /* Under 3.1.1 the snapshot has the session flag only. */
    c = connect_client(need_env("MQTTWS_WS_URL"), "v5-connack-v311", NULL);
    if (c == NULL) return;
    CHECK_CLIENT_OK(c, mqttws_client_connack(c, &ack));
    CHECK(mqttws_connack_assigned_client_identifier(ack).data == NULL);
    CHECK(!mqttws_connack_topic_alias_maximum(ack, NULL));
    CHECK(mqttws_connack_user_property_count(ack) == 0);
    mqttws_connack_free(ack);
    done(c);
}

/* no_local, retain handling and a subscription identifier on the broker;
 * SUBACK and UNSUBACK reason codes per filter. */
void test_mqtt5_subscribe_options_and_reason_codes(void) {
    const char *url = need_env("MQTTWS_WS_URL");
    mqttws_client *c = connect_v5(url, "v5-subopts", NULL);
    mqttws_client *other = connect_v5(url, "v5-subopts-other", NULL);
    mqttws_subscribe_filter filters[2];
    mqttws_str unsub[2];
    uint8_t granted[2] = {0x55, 0x55}, codes[2] = {0x55, 0x55};
    mqttws_event *ev = NULL;
    const mqttws_publish_properties *p;
    char topic[128], retained[128];
    if (c == NULL || other == NULL) return;
    unique_topic(topic, sizeof topic, "opts");
    unique_topic(retained, sizeof retained, "retained");
    CHECK_CLIENT_OK(other, mqttws_client_publish_and_wait(other, retained, strlen(retained),
                                                          (const uint8_t *)"kept", 4, 1, true));
    memset(filters, 0, sizeof filters);
    filters[0].filter.data = topic;
    filters[0].filter.len = strlen(topic);
    filters[0].qos = 1;
    filters[0].no_local = true;
    filters[1].filter.data = retained;
    filters[1].filter.len = strlen(retained);
    filters[1].qos = 2;
    filters[1].retain_handling = MQTTWS_RETAIN_HANDLING_DO_NOT_SEND;
    CHECK_CLIENT_OK(c, mqttws_client_subscribe_with(c, filters, 2, 77, granted, codes));
    CHECK(granted[0] == 1 && granted[1] == 2);
    CHECK(codes[0] == 0x01 && codes[1] == 0x02);

    /* Our own message is not echoed (no local), the retained message is
     * not sent: the first message is the other client's, tagged 77. */
    CHECK_CLIENT_OK(c, mqttws_client_publish_and_wait(c, topic, strlen(topic),
                                                      (const uint8_t *)"mine", 4, 1, false));
    CHECK_CLIENT_OK(other, mqttws_client_publish_and_wait(other, topic, strlen(topic),
                                                          (const uint8_t *)"theirs", 6, 1, false));
    CHECK_CLIENT_OK(c, poll_message(c, 5000, &ev));
    CHECK(bytes_eq(msg_of(ev)->payload, "theirs"));
    p = msg_of(ev)->properties;
    CHECK(p != NULL);
    CHECK(mqttws_publish_properties_subscription_identifier_count(p) == 1);
    CHECK(mqttws_publish_properties_subscription_identifier(p, 0) == 77);
    CHECK(mqttws_publish_properties_subscription_identifier(p, 1) == 0);

    /* UNSUBACK: 0x00 for the subscription, 0x11 for a filter never
     * subscribed. */
    unsub[0].data = topic;
    unsub[0].len = strlen(topic);
    unsub[1].data = "never/subscribed";
    unsub[1].len = 16;
    CHECK_CLIENT_OK(c, mqttws_client_unsubscribe_with(c, unsub, 2, codes));
    CHECK(codes[0] == 0x00 && codes[1] == 0x11);
    CHECK_CLIENT_OK(other, mqttws_client_publish_and_wait(other, retained, strlen(retained), NULL,
                                                          0, 1, true));
    mqttws_event_free(ev);
    done(c);
    done(other);
}

/* mosquitto refuses client writes to $SYS: under MQTT 5 it says so in
 * PUBACK / PUBREC (0x87 not authorized). */
void test_mqtt5_refused_publish(void) {
    const char *url = need_env("MQTTWS_WSS_URL");
    mqttws_client *c = connect_v5(url, "v5-refused", need_env("MQTTWS_CA_PEM"));
    mqttws_event *ev = NULL;
    uint16_t pid = 0;
    char msg[512];
    size_t n = 0;
    double deadline;
    if (c == NULL) return;
    CHECK_CLIENT_OK(c, mqttws_client_publish_with(c, "$SYS/mqttws-c", 13, (const uint8_t *)"x", 1, 1,
                                                  false, NULL, &pid));
    CHECK_RC(mqttws_client_wait_for(c, pid, 5000), MQTTWS_REJECTED);
    CHECK(mqttws_client_last_connack_code(c) == 0x87);
    CHECK_OK(mqttws_client_last_error(c, msg, sizeof msg, &n));
    CHECK(strstr(msg, "not authorized") != NULL && strstr(msg, "0x87") != NULL);
    /* mosquitto sends no reason string: empty, not absent-and-failing. */
    CHECK_OK(mqttws_client_last_reason_string(c, msg, sizeof msg, &n));
    CHECK(n == strlen(msg));
    CHECK(mqttws_client_is_connected(c)); /* not fatal */
    CHECK(mqttws_client_inflight(c) == 0); /* done, not resent */

    /* QoS 2: refused in PUBREC. */
    CHECK_RC(mqttws_client_publish_and_wait(c, "$SYS/mqttws-c", 13, (const uint8_t *)"x", 1, 2,
                                            false),
             MQTTWS_REJECTED);
    CHECK(mqttws_client_last_connack_code(c) == 0x87);

    /* A refusal nobody waits for comes out of poll as an event (the waits
     * above took theirs: each refusal is reported once). */
    CHECK_CLIENT_OK(c, mqttws_client_publish(c, "$SYS/mqttws-c", 13, (const uint8_t *)"y", 1, 1,
                                             false, &pid));
    deadline = now_ms() + 5000;
    do {
        CHECK_CLIENT_OK(c, poll_into(c, 200, &ev));
        /* Only this publish's refusal: the earlier ones were taken. */
        CHECK(mqttws_event_get_kind(ev) != MQTTWS_EVENT_REJECTED ||
              mqttws_event_packet_id(ev) == pid);
    } while (mqttws_event_get_kind(ev) != MQTTWS_EVENT_REJECTED && now_ms() < deadline);
    CHECK(mqttws_event_get_kind(ev) == MQTTWS_EVENT_REJECTED);
    CHECK(mqttws_event_packet_id(ev) == pid);
    CHECK(mqttws_event_reason_code(ev) == 0x87);
    CHECK(mqttws_event_message(ev) == NULL);
    mqttws_event_free(ev);
    done(c);
}

/* A will with MQTT 5 properties reaches its subscriber with them. */
void test_mqtt5_will_properties(void) {
    const char *url = need_env("MQTTWS_WS_URL");
    mqttws_client *watcher = connect_v5(url, "v5-will-watcher", NULL);
    mqttws_options_builder *b;
    mqttws_publish_properties *props = NULL;
    mqttws_client *dying;
    mqttws_event *ev = NULL;
    mqttws_str name, value;
    char topic[128];
    if (watcher == NULL) return;
    unique_topic(topic, sizeof topic, "will5");
    CHECK_CLIENT_OK(watcher, mqttws_client_subscribe(watcher, topic, strlen(topic), 1, NULL));
    b = builder(url, "v5-will-dying", NULL, true);
    CHECK(b != NULL);
    CHECK_OK(mqttws_publish_properties_new(&props));
    CHECK_OK(mqttws_publish_properties_set_content_type(props, "text/plain"));
    CHECK_OK(mqttws_publish_properties_add_user_property(props, "why", "gone"));
    CHECK_OK(mqttws_options_builder_set_will_properties(b, props));
    mqttws_publish_properties_free(props); /* the builder copied them */
    CHECK_OK(mqttws_options_builder_set_will_delay_interval(b, 0));
    CHECK_OK(mqttws_options_builder_set_will(b, topic, strlen(topic), (const uint8_t *)"bye", 3, 1,
                                             false));
    dying = client_of(b);
    CHECK(dying != NULL);
    CHECK_CLIENT_OK(dying, mqttws_client_connect(dying, NULL));
    CHECK_OK(mqttws_client_free(dying)); /* no DISCONNECT: the will goes out */
    CHECK_CLIENT_OK(watcher, poll_message(watcher, 5000, &ev));
    CHECK(bytes_eq(msg_of(ev)->payload, "bye"));
    CHECK_STR(mqttws_publish_properties_content_type(msg_of(ev)->properties), "text/plain");
    CHECK_OK(mqttws_publish_properties_user_property(msg_of(ev)->properties, 0, &name, &value));
    CHECK_STR(name, "why");
    CHECK_STR(value, "gone");
    mqttws_event_free(ev);
    done(watcher);
}

/* A 3.1.1 client refuses every MQTT 5-only argument, and sends nothing:
 * after the refusals, the first message the subscriber gets is a marker
 * published next. */
void test_mqtt5_v311_client_refuses_v5_arguments(void) {
    const char *url = need_env("MQTTWS_WS_URL");
    mqttws_client *c = connect_client(url, "v311-strict", NULL), *other;
    mqttws_publish_properties *props = all_properties("r/t");
    mqttws_options_builder *b;
    mqttws_subscribe_filter f;
    mqttws_str unsub;
    mqttws_event *ev = NULL;
    uint8_t codes[1] = {0x55};
    uint16_t pid = 0x5555;
    char topic[128];
    if (c == NULL || props == NULL) return;
    unique_topic(topic, sizeof topic, "v311");
    CHECK_CLIENT_OK(c, mqttws_client_subscribe(c, topic, strlen(topic), 1, NULL));

    CHECK_RC(mqttws_client_publish_with(c, topic, strlen(topic), (const uint8_t *)"v5", 2, 1, false,
                                        props, &pid),
             MQTTWS_INVALID_ARGUMENT);
    CHECK(pid == 0x5555);
    CHECK_RC(mqttws_client_publish_with(c, topic, strlen(topic), (const uint8_t *)"v5", 2, 0, false,
                                        props, NULL),
             MQTTWS_INVALID_ARGUMENT);
    memset(&f, 0, sizeof f);
    f.filter.data = topic;
    f.filter.len = strlen(topic);
    f.qos = 1;
    f.no_local = true;
    CHECK_RC(mqttws_client_subscribe_with(c, &f, 1, 0, NULL, NULL), MQTTWS_INVALID_ARGUMENT);
    f.no_local = false;
    f.retain_handling = MQTTWS_RETAIN_HANDLING_SEND_IF_NEW;
    CHECK_RC(mqttws_client_subscribe_with(c, &f, 1, 0, NULL, NULL), MQTTWS_INVALID_ARGUMENT);
    f.retain_handling = MQTTWS_RETAIN_HANDLING_SEND_ALWAYS;
    CHECK_RC(mqttws_client_subscribe_with(c, &f, 1, 5, NULL, NULL), MQTTWS_INVALID_ARGUMENT);
    CHECK(mqttws_client_is_connected(c));

    /* Without MQTT 5 arguments the same calls work under 3.1.1. */
    CHECK_CLIENT_OK(c, mqttws_client_subscribe_with(c, &f, 1, 0, NULL, codes));
    CHECK(codes[0] == 1);
    CHECK_CLIENT_OK(c, mqttws_client_publish_with(c, topic, strlen(topic), (const uint8_t *)"marker",
                                                  6, 1, false, NULL, &pid));
    CHECK_CLIENT_OK(c, mqttws_client_wait_for(c, pid, 5000));
    CHECK_CLIENT_OK(c, poll_message(c, 5000, &ev));
    CHECK(bytes_eq(msg_of(ev)->payload, "marker"));
    CHECK(msg_of(ev)->properties == NULL);
    /* 3.1.1's UNSUBACK has no codes: 0x00 for each filter. */
    unsub.data = topic;
    unsub.len = strlen(topic);
    codes[0] = 0x55;
    CHECK_CLIENT_OK(c, mqttws_client_unsubscribe_with(c, &unsub, 1, codes));
    CHECK(codes[0] == 0x00);

    /* CONNECT and will properties: refused by connect, before CONNECT. */
    b = builder(url, "v311-connect-props", NULL, false);
    CHECK(b != NULL);
    CHECK_OK(mqttws_options_builder_set_session_expiry_interval(b, 60));
    other = client_of(b);
    CHECK(other != NULL);
    CHECK_RC(mqttws_client_connect(other, NULL), MQTTWS_INVALID_ARGUMENT);
    CHECK(!mqttws_client_is_connected(other));
    CHECK_OK(mqttws_client_free(other));
    b = builder(url, "v311-will-props", NULL, false);
    CHECK(b != NULL);
    CHECK_OK(mqttws_options_builder_set_will(b, "w", 1, NULL, 0, 0, false));
    CHECK_OK(mqttws_options_builder_set_will_delay_interval(b, 5));
    other = client_of(b);
    CHECK(other != NULL);
    CHECK_RC(mqttws_client_connect(other, NULL), MQTTWS_INVALID_ARGUMENT);
    CHECK_OK(mqttws_client_free(other));

    mqttws_publish_properties_free(props);
    mqttws_event_free(ev);
    done(c);
}

/* A refused MQTT 5 CONNECT: the reason code (0x80 and up) keeps the
 * 3.1.1 counterpart's result code. */
void test_mqtt5_connack_refused(void) {
    const char *url = need_env("MQTTWS_WS_AUTH_URL");
    mqttws_options_builder *b = builder(url, "v5-refused-connect", NULL, true);
    mqttws_client *c;
    const mqttws_connack *ack = NULL;
    mqttws_result rc;
    char buf[256];
    size_t n = 0;
    if (b == NULL) return;
    CHECK_OK(mqttws_options_builder_set_username(b, "alice"));
    CHECK_OK(mqttws_options_builder_set_password(b, "wrong"));
    c = client_of(b);
    CHECK(c != NULL);
    rc = mqttws_client_connect(c, NULL);
    CHECK(rc == MQTTWS_CONNACK_NOT_AUTHORIZED || rc == MQTTWS_CONNACK_BAD_USERNAME_OR_PASSWORD);
    CHECK(mqttws_client_last_connack_code(c) == (rc == MQTTWS_CONNACK_NOT_AUTHORIZED ? 0x87 : 0x86));
    CHECK_OK(mqttws_client_last_error(c, buf, sizeof buf, &n));
    CHECK(strstr(buf, "reason code 0x8") != NULL);
    CHECK_OK(mqttws_client_last_server_reference(c, buf, sizeof buf, &n));
    CHECK(n == 0); /* no redirection */
    CHECK_RC(mqttws_client_connack(c, &ack), MQTTWS_CLOSED);
    CHECK_OK(mqttws_client_free(c));
}

/* ---- misuse ------------------------------------------------------------ */

void test_mqtt5_misuse_options(void) {
    mqttws_options_builder *b = NULL;
    mqttws_publish_properties *p = NULL;
    const mqttws_options *o = NULL;
    mqttws_error *err = NULL;
    static const char bad_utf8[] = {'a', (char)0xff, '\0'};

    CHECK_RC(mqttws_options_builder_set_protocol_version(NULL, MQTTWS_PROTOCOL_V5), NUL);
    CHECK_RC(mqttws_options_builder_set_session_expiry_interval(NULL, 1), NUL);
    CHECK_RC(mqttws_options_builder_set_receive_maximum(NULL, 1), NUL);
    CHECK_RC(mqttws_options_builder_set_maximum_packet_size(NULL, 1), NUL);
    CHECK_RC(mqttws_options_builder_set_topic_alias_maximum(NULL, 1), NUL);
    CHECK_RC(mqttws_options_builder_set_request_response_information(NULL, true), NUL);
    CHECK_RC(mqttws_options_builder_set_request_problem_information(NULL, true), NUL);
    CHECK_RC(mqttws_options_builder_add_connect_user_property(NULL, "a", "b"), NUL);
    CHECK_RC(mqttws_options_builder_set_will_properties(NULL, NULL), NUL);
    CHECK_RC(mqttws_options_builder_set_will_delay_interval(NULL, 1), NUL);

    CHECK_OK(mqttws_options_builder_new("ws://127.0.0.1/", &b));
    /* Only 3.1.1 (4) and 5. */
    CHECK_RC(mqttws_options_builder_set_protocol_version(b, 3), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_protocol_version(b, 311), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_protocol_version(b, 6), MQTTWS_INVALID_PARAMETER);
    CHECK_OK(mqttws_options_builder_set_protocol_version(b, MQTTWS_PROTOCOL_V311));
    CHECK_OK(mqttws_options_builder_set_protocol_version(b, MQTTWS_PROTOCOL_V5));
    CHECK(MQTTWS_PROTOCOL_V311 == 4 && MQTTWS_PROTOCOL_V5 == 5);
    /* Values MQTT 5 forbids. */
    CHECK_RC(mqttws_options_builder_set_receive_maximum(b, 0), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_maximum_packet_size(b, 0), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_add_connect_user_property(b, NULL, "b"), NUL);
    CHECK_RC(mqttws_options_builder_add_connect_user_property(b, "a", NULL), NUL);
    CHECK_RC(mqttws_options_builder_add_connect_user_property(b, bad_utf8, "b"),
             MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_will_properties(b, NULL), NUL);
    /* Will properties without a will: refused by build (which consumes b). */
    CHECK_OK(mqttws_options_builder_set_will_delay_interval(b, 10));
    CHECK_RC(mqttws_options_builder_build(b, &o, &err), MQTTWS_INVALID_ARGUMENT);
    CHECK(o == NULL && err != NULL);
    mqttws_error_free(err);

    /* mqttws_publish_properties */
    CHECK_RC(mqttws_publish_properties_new(NULL), NUL);
    mqttws_publish_properties_free(NULL);
    CHECK_RC(mqttws_publish_properties_set_payload_format_utf8(NULL, true), NUL);
    CHECK_RC(mqttws_publish_properties_set_message_expiry_interval(NULL, 1), NUL);
    CHECK_RC(mqttws_publish_properties_set_content_type(NULL, "a"), NUL);
    CHECK_RC(mqttws_publish_properties_set_response_topic(NULL, "a", 1), NUL);
    CHECK_RC(mqttws_publish_properties_set_correlation_data(NULL, NULL, 0), NUL);
    CHECK_RC(mqttws_publish_properties_add_user_property(NULL, "a", "b"), NUL);
    CHECK_OK(mqttws_publish_properties_new(&p));
    CHECK_RC(mqttws_publish_properties_set_content_type(p, NULL), NUL);
    CHECK_RC(mqttws_publish_properties_set_content_type(p, bad_utf8), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_publish_properties_set_response_topic(p, NULL, 1), NUL);
    CHECK_RC(mqttws_publish_properties_set_response_topic(p, bad_utf8, 2), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_publish_properties_set_response_topic(p, "a\0b", 3), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_publish_properties_set_correlation_data(p, NULL, 3), NUL);
    CHECK_RC(mqttws_publish_properties_add_user_property(p, NULL, "b"), NUL);
    CHECK_RC(mqttws_publish_properties_add_user_property(p, "a", NULL), NUL);
    CHECK_RC(mqttws_publish_properties_add_user_property(p, "a", bad_utf8),
             MQTTWS_INVALID_PARAMETER);
    /* Nothing was set by the failed calls. */
    CHECK(mqttws_publish_properties_content_type(p).data == NULL);
    CHECK(mqttws_publish_properties_response_topic(p).data == NULL);
    CHECK(!mqttws_publish_properties_correlation_data(p, NULL));
    CHECK(mqttws_publish_properties_user_property_count(p) == 0);
    mqttws_publish_properties_free(p);
}

void test_mqtt5_misuse_accessors(void) {
    mqttws_str name = {"x", 1}, value = {"x", 1};
    mqttws_bytes data = {(const uint8_t *)"x", 1};
    bool flag = true;
    uint32_t u32 = 7;
    uint16_t u16 = 7;
    uint8_t u8 = 7;
    /* Reading NULL answers "absent" and writes nothing. */
    CHECK(!mqttws_publish_properties_payload_format_utf8(NULL, &flag) && flag);
    CHECK(!mqttws_publish_properties_message_expiry_interval(NULL, &u32) && u32 == 7);
    CHECK(mqttws_publish_properties_content_type(NULL).data == NULL);
    CHECK(mqttws_publish_properties_response_topic(NULL).data == NULL);
    CHECK(!mqttws_publish_properties_correlation_data(NULL, &data) && data.len == 1);
    CHECK(mqttws_publish_properties_user_property_count(NULL) == 0);
    CHECK_RC(mqttws_publish_properties_user_property(NULL, 0, &name, &value), NUL);
    CHECK(mqttws_publish_properties_subscription_identifier_count(NULL) == 0);
    CHECK(mqttws_publish_properties_subscription_identifier(NULL, 0) == 0);
    mqttws_connack_free(NULL);
    CHECK(!mqttws_connack_session_present(NULL));
    CHECK(mqttws_connack_assigned_client_identifier(NULL).data == NULL);
    CHECK(mqttws_connack_reason_string(NULL).data == NULL);
    CHECK(mqttws_connack_response_information(NULL).data == NULL);
    CHECK(mqttws_connack_server_reference(NULL).data == NULL);
    CHECK(mqttws_connack_user_property_count(NULL) == 0);
    CHECK_RC(mqttws_connack_user_property(NULL, 0, &name, &value), NUL);
    CHECK(!mqttws_connack_session_expiry_interval(NULL, &u32) && u32 == 7);
    CHECK(!mqttws_connack_receive_maximum(NULL, &u16) && u16 == 7);
    CHECK(!mqttws_connack_maximum_qos(NULL, &u8) && u8 == 7);
    CHECK(!mqttws_connack_retain_available(NULL, &flag) && flag);
    CHECK(!mqttws_connack_maximum_packet_size(NULL, &u32) && u32 == 7);
    CHECK(!mqttws_connack_topic_alias_maximum(NULL, &u16) && u16 == 7);
    CHECK(!mqttws_connack_server_keep_alive(NULL, &u16) && u16 == 7);
    CHECK(!mqttws_connack_wildcard_subscription_available(NULL, &flag) && flag);
    CHECK(!mqttws_connack_subscription_identifiers_available(NULL, &flag) && flag);
    CHECK(!mqttws_connack_shared_subscription_available(NULL, &flag) && flag);
    CHECK(mqttws_event_reason_code(NULL) == 0);
    CHECK(mqttws_event_reason_codes(NULL).len == 0 && mqttws_event_reason_codes(NULL).data != NULL);
    CHECK(mqttws_event_server_reference(NULL).data == NULL);
    CHECK(name.len == 1 && value.len == 1); /* outputs untouched */
    /* Reason code names, static. */
    CHECK(strcmp(mqttws_reason_code_str(0x87), "not authorized") == 0);
    CHECK(strcmp(mqttws_reason_code_str(0x11), "no subscription existed") == 0);
    CHECK(strcmp(mqttws_reason_code_str(0xFF), "unknown reason code") == 0);
}

void test_mqtt5_misuse_client(void) {
    const mqttws_options *o = make_options("ws://127.0.0.1:9/", "v5-misuse", NULL);
    mqttws_client *c = NULL;
    const mqttws_connack *ack = NULL;
    mqttws_subscribe_filter f;
    mqttws_str filt = {"a/b", 3}, filt_null = {NULL, 3};
    uint8_t codes[1] = {0x55}, granted[1] = {0x55};
    uint16_t pid = 0x5555;
    char buf[64];
    size_t n = 0;
    static const char bad[] = {'a', (char)0xc3, (char)0x28, '\0'};
    CHECK(o != NULL);
    CHECK_OK(mqttws_client_new(o, &c, NULL));
    mqttws_options_free(o);
    memset(&f, 0, sizeof f);
    f.filter.data = "a/b";
    f.filter.len = 3;
    f.qos = 1;

    CHECK_RC(mqttws_client_publish_with(NULL, "t", 1, NULL, 0, 0, false, NULL, &pid), NUL);
    CHECK_RC(mqttws_client_publish_with(c, NULL, 1, NULL, 0, 0, false, NULL, &pid), NUL);
    CHECK_RC(mqttws_client_publish_with(c, "t", 1, NULL, 4, 0, false, NULL, &pid), NUL);
    CHECK_RC(mqttws_client_publish_with(c, bad, 3, NULL, 0, 0, false, NULL, &pid),
             MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_client_publish_with(c, "t", 1, NULL, 0, 3, false, NULL, &pid),
             MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_client_publish_with(c, "a/#", 3, NULL, 0, 1, false, NULL, &pid),
             MQTTWS_INVALID_ARGUMENT);
    CHECK_RC(mqttws_client_publish_with(c, "t", 1, NULL, 0, 0, false, NULL, NULL), MQTTWS_CLOSED);
    CHECK(pid == 0x5555);

    CHECK_RC(mqttws_client_subscribe_with(NULL, &f, 1, 0, granted, codes), NUL);
    CHECK_RC(mqttws_client_subscribe_with(c, NULL, 1, 0, granted, codes), NUL);
    CHECK_RC(mqttws_client_subscribe_with(c, &f, 0, 0, granted, codes), MQTTWS_INVALID_PARAMETER);
    f.qos = 3;
    CHECK_RC(mqttws_client_subscribe_with(c, &f, 1, 0, granted, codes), MQTTWS_INVALID_PARAMETER);
    f.qos = 1;
    f.retain_handling = 3;
    CHECK_RC(mqttws_client_subscribe_with(c, &f, 1, 0, granted, codes), MQTTWS_INVALID_PARAMETER);
    f.retain_handling = 0;
    f.filter.data = NULL;
    CHECK_RC(mqttws_client_subscribe_with(c, &f, 1, 0, granted, codes), NUL);
    f.filter.data = bad;
    CHECK_RC(mqttws_client_subscribe_with(c, &f, 1, 0, granted, codes), MQTTWS_INVALID_PARAMETER);
    f.filter.data = "a/#/b";
    f.filter.len = 5;
    CHECK_RC(mqttws_client_subscribe_with(c, &f, 1, 0, granted, codes), MQTTWS_INVALID_ARGUMENT);
    f.filter.data = "a/b";
    f.filter.len = 3;
    CHECK_RC(mqttws_client_subscribe_with(c, &f, 1, 0, NULL, NULL), MQTTWS_CLOSED);
    CHECK(granted[0] == 0x55 && codes[0] == 0x55);

    CHECK_RC(mqttws_client_unsubscribe_with(NULL, &filt, 1, codes), NUL);
    CHECK_RC(mqttws_client_unsubscribe_with(c, NULL, 1, codes), NUL);
    CHECK_RC(mqttws_client_unsubscribe_with(c, &filt_null, 1, codes), NUL);
    CHECK_RC(mqttws_client_unsubscribe_with(c, &filt, 0, codes), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_client_unsubscribe_with(c, &filt, 1, NULL), MQTTWS_CLOSED);
    CHECK(codes[0] == 0x55);

    CHECK_RC(mqttws_client_connack(NULL, &ack), NUL);
    CHECK_RC(mqttws_client_connack(c, NULL), NUL);
    CHECK_RC(mqttws_client_connack(c, &ack), MQTTWS_CLOSED);
    CHECK(ack == NULL);

    CHECK_RC(mqttws_client_last_reason_string(NULL, buf, sizeof buf, &n), NUL);
    CHECK_RC(mqttws_client_last_reason_string(c, NULL, sizeof buf, &n), NUL);
    CHECK_RC(mqttws_client_last_reason_string(c, buf, sizeof buf, NULL), NUL);
    CHECK_RC(mqttws_client_last_server_reference(NULL, buf, sizeof buf, &n), NUL);
    CHECK_OK(mqttws_client_last_reason_string(c, buf, sizeof buf, &n));
    CHECK(n == 0 && buf[0] == '\0'); /* the last failure was no refusal */
    CHECK_OK(mqttws_client_free(c));
}

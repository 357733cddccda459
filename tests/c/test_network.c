/*
 * Against the real mosquitto: ws and wss round trips at QoS 0/1/2, mutual
 * TLS, TLS and handshake failures, CONNACK refusals, the message callback
 * and what may be called from inside it, wills and persistent sessions.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

/* Publishes at QoS 0, 1 and 2 to a topic the client subscribed to at QoS 2
 * and checks each message, its packet ids and the PUBLISHED events. */
static void roundtrip(mqttws_client *c) {
    char topic[128];
    uint8_t granted = 0x55;
    uint16_t pid = 0;
    mqttws_event *ev = NULL;
    unsigned qos;
    static uint8_t big[100 * 1024];
    size_t i;
    unique_topic(topic, sizeof topic, "roundtrip");

    CHECK_CLIENT_OK(c, mqttws_client_subscribe(c, topic, strlen(topic), 2, &granted));
    CHECK(granted == 2);
    for (qos = 0; qos <= 2; qos++) {
        char payload[32];
        int len = snprintf(payload, sizeof payload, "hello at QoS %u", qos);
        CHECK_CLIENT_OK(c, mqttws_client_publish(c, topic, strlen(topic), (const uint8_t *)payload,
                                                 (size_t)len, (uint8_t)qos, false, &pid));
        CHECK(qos == 0 ? pid == 0 : pid != 0);
        CHECK_CLIENT_OK(c, mqttws_client_wait_for(c, pid, 5000));
        CHECK_CLIENT_OK(c, poll_message(c, 5000, &ev));
        CHECK_STR(msg_of(ev)->topic, topic);
        CHECK(msg_of(ev)->payload.len == (size_t)len);
        CHECK(memcmp(msg_of(ev)->payload.data, payload, (size_t)len) == 0);
        CHECK(msg_of(ev)->qos == qos);
        CHECK(!msg_of(ev)->retain && !msg_of(ev)->dup);
    }
    CHECK(mqttws_client_inflight(c) == 0);

    /* Without waiting: the acknowledgement comes out of poll as an event. */
    {
        bool got_message = false, got_ack = false;
        double deadline = now_ms() + 5000;
        CHECK_CLIENT_OK(c, mqttws_client_publish(c, topic, strlen(topic), (const uint8_t *)"x", 1,
                                                 1, false, &pid));
        while ((!got_message || !got_ack) && now_ms() < deadline) {
            CHECK_CLIENT_OK(c, poll_into(c, 200, &ev));
            if (mqttws_event_get_kind(ev) == MQTTWS_EVENT_MESSAGE) got_message = true;
            if (mqttws_event_get_kind(ev) == MQTTWS_EVENT_PUBLISHED && mqttws_event_packet_id(ev) == pid) got_ack = true;
        }
        CHECK(got_message && got_ack);
    }

    /* Binary and empty payloads, and 100 KiB, with publish_and_wait. */
    for (i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 7);
    CHECK_CLIENT_OK(c, mqttws_client_publish_and_wait(c, topic, strlen(topic), big, sizeof big, 2,
                                                      false));
    CHECK_CLIENT_OK(c, poll_message(c, 5000, &ev));
    CHECK(msg_of(ev)->payload.len == sizeof big);
    CHECK(memcmp(msg_of(ev)->payload.data, big, sizeof big) == 0);
    CHECK_CLIENT_OK(c, mqttws_client_publish_and_wait(c, topic, strlen(topic), NULL, 0, 1, false));
    CHECK_CLIENT_OK(c, poll_message(c, 5000, &ev));
    CHECK(msg_of(ev)->payload.len == 0 && msg_of(ev)->payload.data != NULL);

    /* A corked batch of 50 QoS 1 messages (more than the inflight window,
     * whose waits write): all arrive, in order, after the uncork. */
    CHECK_CLIENT_OK(c, mqttws_client_cork(c));
    for (i = 0; i < 50; i++) {
        uint8_t b = (uint8_t)i;
        CHECK_CLIENT_OK(c, mqttws_client_publish(c, topic, strlen(topic), &b, 1, 1, false, NULL));
        /* flush writes mid-batch without ending the cork */
        if (i == 25) CHECK_CLIENT_OK(c, mqttws_client_flush(c));
    }
    CHECK_CLIENT_OK(c, mqttws_client_uncork(c));
    for (i = 0; i < 50; i++) {
        CHECK_CLIENT_OK(c, poll_message(c, 5000, &ev));
        CHECK(msg_of(ev)->payload.len == 1 && msg_of(ev)->payload.data[0] == (uint8_t)i);
    }
    CHECK_RC(mqttws_client_cork(NULL), MQTTWS_NULL_PARAMETER);
    CHECK_RC(mqttws_client_uncork(NULL), MQTTWS_NULL_PARAMETER);
    CHECK_RC(mqttws_client_flush(NULL), MQTTWS_NULL_PARAMETER);

    /* A wildcard in a publish topic: refused by the library, nothing sent. */
    CHECK_RC(mqttws_client_publish(c, "a/+/b", 5, NULL, 0, 0, false, NULL),
             MQTTWS_INVALID_ARGUMENT);
    CHECK_RC(mqttws_client_publish(c, "a/#", 3, NULL, 0, 1, false, NULL), MQTTWS_INVALID_ARGUMENT);
    CHECK_RC(mqttws_client_subscribe(c, "a/#/b", 5, 1, NULL), MQTTWS_INVALID_ARGUMENT);
    CHECK(mqttws_client_is_connected(c)); /* not fatal */

    /* After unsubscribing, nothing arrives. */
    CHECK_CLIENT_OK(c, mqttws_client_unsubscribe(c, topic, strlen(topic)));
    CHECK_CLIENT_OK(c, mqttws_client_publish_and_wait(c, topic, strlen(topic),
                                                      (const uint8_t *)"late", 4, 1, false));
    CHECK_RC(poll_message(c, 300, &ev), MQTTWS_TIMEOUT);
    mqttws_event_free(ev);
}

void test_roundtrip_ws_qos0_1_2(void) {
    mqttws_client *c = connect_client(need_env("MQTTWS_WS_URL"), "rt-ws", NULL);
    if (c == NULL) return;
    roundtrip(c);
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
}

void test_roundtrip_wss_qos0_1_2(void) {
    mqttws_client *c = connect_client(need_env("MQTTWS_WSS_URL"), "rt-wss", need_env("MQTTWS_CA_PEM"));
    if (c == NULL) return;
    roundtrip(c);
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
}

/* Reads a whole file into a malloc'ed buffer. */
static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long size;
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)size + 1);
    if (buf != NULL && fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)size;
    return buf;
}

void test_roundtrip_mtls(void) {
    const char *url = need_env("MQTTWS_WSS_MTLS_URL");
    const char *ca = need_env("MQTTWS_CA_PEM");
    const char *cert = need_env("MQTTWS_CLIENT_CERT");
    const char *key = need_env("MQTTWS_CLIENT_KEY");
    mqttws_options_builder *b = NULL;
    const mqttws_options *o = NULL;
    mqttws_client *c = NULL;
    mqttws_result rc;
    uint8_t *ca_pem, *cert_pem, *key_pem;
    size_t ca_len = 0, cert_len = 0, key_len = 0;
    if (url == NULL || ca == NULL || cert == NULL || key == NULL) return;

    /* Certificate and key from files. */
    CHECK_OK(mqttws_options_builder_new(url, &b));
    CHECK_OK(mqttws_options_builder_set_client_id(b, "rt-mtls-files"));
    CHECK_OK(mqttws_options_builder_set_ca_file(b, ca));
    CHECK_OK(mqttws_options_builder_set_client_cert_files(b, cert, key));
    CHECK_OK(mqttws_options_builder_build(b, &o, NULL));
    CHECK_OK(mqttws_client_new(o, &c, NULL));
    mqttws_options_free(o);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    roundtrip(c);
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));

    /* CA, certificate and key as PEM bytes. */
    ca_pem = read_file(ca, &ca_len);
    cert_pem = read_file(cert, &cert_len);
    key_pem = read_file(key, &key_len);
    CHECK(ca_pem != NULL && cert_pem != NULL && key_pem != NULL);
    CHECK_OK(mqttws_options_builder_new(url, &b));
    CHECK_OK(mqttws_options_builder_set_client_id(b, "rt-mtls-pem"));
    CHECK_OK(mqttws_options_builder_set_ca_pem(b, ca_pem, ca_len));
    CHECK_OK(mqttws_options_builder_set_client_cert_pem(b, cert_pem, cert_len, key_pem, key_len));
    free(ca_pem);
    free(cert_pem);
    free(key_pem);
    CHECK_OK(mqttws_options_builder_build(b, &o, NULL));
    CHECK_OK(mqttws_client_new(o, &c, NULL));
    mqttws_options_free(o);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK_CLIENT_OK(c, mqttws_client_publish_and_wait(c, "mqttws-c/mtls", 13, NULL, 0, 1, false));
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));

    /* Without a client certificate, the mTLS listener refuses us. */
    o = make_options(url, "rt-mtls-none", ca);
    CHECK(o != NULL);
    CHECK_OK(mqttws_client_new(o, &c, NULL));
    mqttws_options_free(o);
    rc = mqttws_client_connect(c, NULL);
    CHECK(rc == MQTTWS_TLS || rc == MQTTWS_IO || rc == MQTTWS_CLOSED || rc == MQTTWS_HANDSHAKE);
    CHECK(!mqttws_client_is_connected(c));
    CHECK_OK(mqttws_client_free(c));
}

void test_tls_errors(void) {
    const char *url = need_env("MQTTWS_WSS_URL");
    const char *wrong = need_env("MQTTWS_WRONG_CA_PEM");
    const mqttws_options *o;
    mqttws_options_builder *b = NULL;
    mqttws_client *c = NULL;
    char msg[512];
    size_t n = 0;
    if (url == NULL || wrong == NULL) return;

    o = make_options(url, "tls-wrong-ca", wrong);
    CHECK(o != NULL);
    CHECK_OK(mqttws_client_new(o, &c, NULL));
    mqttws_options_free(o);
    CHECK_RC(mqttws_client_connect(c, NULL), MQTTWS_TLS);
    CHECK_RC(mqttws_client_last_error_code(c), MQTTWS_TLS);
    CHECK_OK(mqttws_client_last_error(c, msg, sizeof msg, &n));
    CHECK(strstr(msg, "mqttws_client_connect: TLS error") == msg);
    CHECK_OK(mqttws_client_free(c));

    /* The insecure switch accepts any certificate. */
    CHECK_OK(mqttws_options_builder_new(url, &b));
    CHECK_OK(mqttws_options_builder_set_ca_file(b, wrong));
    CHECK_OK(mqttws_options_builder_set_insecure_skip_verify(b, true));
    CHECK_OK(mqttws_options_builder_build(b, &o, NULL));
    CHECK_OK(mqttws_client_new(o, &c, NULL));
    mqttws_options_free(o);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK_OK(mqttws_client_free(c));

    /* Nothing listens on port 9 of the loopback: an I/O error. */
    o = make_options("ws://127.0.0.1:9/mqtt", "io-error", NULL);
    CHECK(o != NULL);
    CHECK_OK(mqttws_client_new(o, &c, NULL));
    mqttws_options_free(o);
    CHECK_RC(mqttws_client_connect(c, NULL), MQTTWS_IO);
    CHECK_OK(mqttws_client_free(c));
}

void test_connack_refused(void) {
    const char *url = need_env("MQTTWS_WS_AUTH_URL");
    mqttws_options_builder *b = NULL;
    const mqttws_options *o = NULL;
    mqttws_client *c = NULL;
    mqttws_result rc;
    if (url == NULL) return;
    CHECK_OK(mqttws_options_builder_new(url, &b));
    CHECK_OK(mqttws_options_builder_set_username(b, "alice"));
    CHECK_OK(mqttws_options_builder_set_password(b, "wrong"));
    CHECK_OK(mqttws_options_builder_build(b, &o, NULL));
    CHECK_OK(mqttws_client_new(o, &c, NULL));
    mqttws_options_free(o);
    rc = mqttws_client_connect(c, NULL);
    CHECK(rc == MQTTWS_CONNACK_NOT_AUTHORIZED || rc == MQTTWS_CONNACK_BAD_USERNAME_OR_PASSWORD);
    CHECK(mqttws_client_last_connack_code(c) == rc - 400);
    CHECK(mqttws_client_last_http_status(c) == 0);
    CHECK_OK(mqttws_client_free(c));

    CHECK_OK(mqttws_options_builder_new(url, &b));
    CHECK_OK(mqttws_options_builder_set_username(b, "alice"));
    CHECK_OK(mqttws_options_builder_set_password(b, "alice-secret"));
    CHECK_OK(mqttws_options_builder_build(b, &o, NULL));
    CHECK_OK(mqttws_client_new(o, &c, NULL));
    mqttws_options_free(o);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK(mqttws_client_last_connack_code(c) == 0);
    CHECK_OK(mqttws_client_free(c));
}

static void *http_reply_once(void *arg) {
    struct http_server *s = arg;
    char buf[2048];
    int conn = accept(s->fd, NULL, NULL);
    if (conn >= 0) {
        ssize_t got = recv(conn, buf, sizeof buf, 0); /* the request */
        (void)got;
        if (send(conn, s->reply, strlen(s->reply), 0) < 0) perror("send");
        close(conn);
    }
    return NULL;
}

int http_server_start(struct http_server *s, pthread_t *th, const char *reply) {
    struct sockaddr_in addr;
    socklen_t alen = sizeof addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->reply = reply;
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (s->fd < 0) return -1;
    if (bind(s->fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s->fd, 1) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&addr, &alen) != 0) {
        close(s->fd);
        return -1;
    }
    s->port = ntohs(addr.sin_port);
    if (pthread_create(th, NULL, http_reply_once, s) != 0) {
        close(s->fd);
        return -1;
    }
    return 0;
}

void test_handshake_http_status(void) {
    static const char reply[] =
        "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 20\r\n"
        "Connection: close\r\n\r\nsignature is invalid";
    struct http_server s;
    pthread_t th;
    char url[64], msg[512];
    size_t n = 0;
    const mqttws_options *o;
    mqttws_client *c = NULL;
    mqttws_result rc;
    CHECK(http_server_start(&s, &th, reply) == 0);
    snprintf(url, sizeof url, "ws://127.0.0.1:%u/mqtt", (unsigned)s.port);
    o = make_options(url, "handshake-403", NULL);
    if (o != NULL) {
        mqttws_client_new(o, &c, NULL);
        mqttws_options_free(o);
    }
    rc = c != NULL ? mqttws_client_connect(c, NULL) : MQTTWS_PANIC;
    if (c == NULL) pthread_cancel(th);
    pthread_join(th, NULL);
    close(s.fd);
    CHECK(c != NULL);
    CHECK_RC(rc, MQTTWS_HANDSHAKE);
    CHECK(mqttws_client_last_http_status(c) == 403);
    CHECK_OK(mqttws_client_last_error(c, msg, sizeof msg, &n));
    CHECK(strstr(msg, "403") != NULL && strstr(msg, "signature is invalid") != NULL);
    CHECK_OK(mqttws_client_free(c));
}

/* What the message callback saw and did. */
struct cb_state {
    mqttws_client *client;
    const char *in_topic;
    const char *out_topic;
    int calls;
    int in_calls;
    mqttws_result poll_rc, free_rc, connect_rc, publish_rc, subscribe_rc, unsubscribe_rc;
    bool connected_inside;
    char last_payload[64];
};

static void on_message(void *userdata, const mqttws_message *m) {
    struct cb_state *s = userdata;
    mqttws_event *ev = NULL;
    s->calls++;
    snprintf(s->last_payload, sizeof s->last_payload, "%.*s", (int)m->payload.len,
             (const char *)m->payload.data);
    if (!str_eq(m->topic, s->in_topic)) return;
    s->in_calls++;
    /* Allowed: a poll (which returns its own event), a connect (refused as
     * usual: already connected). */
    s->poll_rc = poll_into(s->client, 0, &ev);
    mqttws_event_free(ev);
    s->connect_rc = mqttws_client_connect(s->client, NULL);
    /* Refused from inside the callback, without damage: */
    s->free_rc = mqttws_client_free(s->client);
    /* Allowed: */
    s->connected_inside = mqttws_client_is_connected(s->client);
    s->subscribe_rc = mqttws_client_subscribe(s->client, "mqttws-c/cb/extra", 17, 0, NULL);
    s->unsubscribe_rc = mqttws_client_unsubscribe(s->client, "mqttws-c/cb/extra", 17);
    s->publish_rc = mqttws_client_publish(s->client, s->out_topic, strlen(s->out_topic),
                                          m->payload.data, m->payload.len, 1, false, NULL);
    mqttws_event_free(ev);
}

void test_callback_and_reentrancy(void) {
    mqttws_client *c = connect_client(need_env("MQTTWS_WS_URL"), "callback", NULL);
    char in[128], out[128], msg[256];
    struct cb_state s;
    mqttws_event *ev = NULL;
    size_t n = 0;
    if (c == NULL) return;
    unique_topic(in, sizeof in, "in");
    unique_topic(out, sizeof out, "out");
    memset(&s, 0, sizeof s);
    s.client = c;
    s.in_topic = in;
    s.out_topic = out;
    CHECK_CLIENT_OK(c, mqttws_client_subscribe(c, in, strlen(in), 1, NULL));
    CHECK_CLIENT_OK(c, mqttws_client_subscribe(c, out, strlen(out), 1, NULL));
    CHECK_OK(mqttws_client_set_message_callback(c, on_message, &s));

    CHECK_CLIENT_OK(c, mqttws_client_publish_and_wait(c, in, strlen(in), (const uint8_t *)"ping",
                                                      4, 1, false));
    CHECK_CLIENT_OK(c, poll_message(c, 5000, &ev));
    /* The callback ran inside poll, before it returned, with the same message. */
    CHECK(s.calls == 1 && s.in_calls == 1);
    CHECK_STR(msg_of(ev)->topic, in);
    CHECK(strcmp(s.last_payload, "ping") == 0);
    CHECK_RC(s.poll_rc, MQTTWS_OK);
    CHECK_RC(s.free_rc, MQTTWS_REENTRANT);
    CHECK_RC(s.connect_rc, MQTTWS_INVALID_ARGUMENT);
    CHECK(s.connected_inside);
    CHECK_RC(s.subscribe_rc, MQTTWS_OK);
    CHECK_RC(s.unsubscribe_rc, MQTTWS_OK);
    CHECK_RC(s.publish_rc, MQTTWS_OK);
    /* The last recorded failure is the refused free, with its reason. */
    CHECK_OK(mqttws_client_last_error(c, msg, sizeof msg, &n));
    CHECK(strstr(msg, "mqttws_client_free may not be called from inside") != NULL);

    /* What the callback published comes back, through the callback too. */
    CHECK_CLIENT_OK(c, poll_message(c, 5000, &ev));
    CHECK_STR(msg_of(ev)->topic, out);
    CHECK(msg_of(ev)->payload.len == 4 && memcmp(msg_of(ev)->payload.data, "ping", 4) == 0);
    CHECK(s.calls == 2 && s.in_calls == 1);

    /* The views stay valid as long as the event: other calls do not touch it. */
    CHECK_CLIENT_OK(c, mqttws_client_publish_and_wait(c, out, strlen(out), (const uint8_t *)"keep",
                                                      4, 0, false));
    CHECK_STR(msg_of(ev)->topic, out);

    /* Without a callback, poll alone delivers. */
    CHECK_OK(mqttws_client_set_message_callback(c, NULL, NULL));
    CHECK_CLIENT_OK(c, poll_message(c, 5000, &ev));
    CHECK(msg_of(ev)->payload.len == 4 && memcmp(msg_of(ev)->payload.data, "keep", 4) == 0);
    CHECK(s.calls == 2);
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
    mqttws_event_free(ev);
}

void test_subscribe_many_and_unsubscribe_many(void) {
    mqttws_client *c = connect_client(need_env("MQTTWS_WS_URL"), "many", NULL);
    char base[128], f0[160], f1[160], f2[160], t[200];
    mqttws_subscription subs[3];
    mqttws_str filters[3];
    uint8_t granted[3] = {0x55, 0x55, 0x55};
    mqttws_event *ev = NULL;
    int i, got = 0;
    if (c == NULL) return;
    unique_topic(base, sizeof base, "many");
    snprintf(f0, sizeof f0, "%s/a", base);
    snprintf(f1, sizeof f1, "%s/+/x", base);
    snprintf(f2, sizeof f2, "%s/deep/#", base);
    subs[0].filter.data = f0, subs[0].filter.len = strlen(f0), subs[0].qos = 0;
    subs[1].filter.data = f1, subs[1].filter.len = strlen(f1), subs[1].qos = 1;
    subs[2].filter.data = f2, subs[2].filter.len = strlen(f2), subs[2].qos = 2;
    CHECK_CLIENT_OK(c, mqttws_client_subscribe_many(c, subs, 3, granted));
    CHECK(granted[0] == 0 && granted[1] == 1 && granted[2] == 2);

    {
        const char *suffixes[] = {"a", "b/x", "deep/er/still"};
        for (i = 0; i < 3; i++) {
            snprintf(t, sizeof t, "%s/%s", base, suffixes[i]);
            CHECK_CLIENT_OK(c, mqttws_client_publish_and_wait(c, t, strlen(t), NULL, 0, 2, false));
        }
        for (i = 0; i < 3; i++) {
            CHECK_CLIENT_OK(c, poll_message(c, 5000, &ev));
            got++;
        }
        CHECK(got == 3);
    }
    for (i = 0; i < 3; i++) filters[i] = subs[i].filter;
    CHECK_CLIENT_OK(c, mqttws_client_unsubscribe_many(c, filters, 3));
    snprintf(t, sizeof t, "%s/a", base);
    CHECK_CLIENT_OK(c, mqttws_client_publish_and_wait(c, t, strlen(t), NULL, 0, 1, false));
    CHECK_RC(poll_message(c, 300, &ev), MQTTWS_TIMEOUT);
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
    mqttws_event_free(ev);
}

void test_will_and_clean_session(void) {
    const char *url = need_env("MQTTWS_WS_URL");
    char will_topic[128], topic[128], client_id[64];
    mqttws_options_builder *b = NULL;
    const mqttws_options *o = NULL;
    mqttws_client *dying = NULL, *watcher, *persistent = NULL, *other;
    mqttws_event *ev = NULL;
    bool present = true;
    if (url == NULL) return;
    unique_topic(will_topic, sizeof will_topic, "will");
    unique_topic(topic, sizeof topic, "queued");

    /* A client that vanishes without DISCONNECT: the broker sends its will. */
    watcher = connect_client(url, "will-watcher", NULL);
    if (watcher == NULL) return;
    CHECK_CLIENT_OK(watcher, mqttws_client_subscribe(watcher, will_topic, strlen(will_topic), 1, NULL));
    CHECK_OK(mqttws_options_builder_new(url, &b));
    CHECK_OK(mqttws_options_builder_set_will(b, will_topic, strlen(will_topic),
                                             (const uint8_t *)"gone", 4, 1, false));
    CHECK_OK(mqttws_options_builder_build(b, &o, NULL));
    CHECK_OK(mqttws_client_new(o, &dying, NULL));
    mqttws_options_free(o);
    CHECK_CLIENT_OK(dying, mqttws_client_connect(dying, &present));
    CHECK(!present);
    CHECK_OK(mqttws_client_free(dying)); /* no DISCONNECT */
    CHECK_CLIENT_OK(watcher, poll_message(watcher, 5000, &ev));
    CHECK_STR(msg_of(ev)->topic, will_topic);
    CHECK(msg_of(ev)->payload.len == 4 && memcmp(msg_of(ev)->payload.data, "gone", 4) == 0);
    CHECK_CLIENT_OK(watcher, mqttws_client_disconnect(watcher));
    CHECK_OK(mqttws_client_free(watcher));

    /* clean_session false: the broker queues QoS 1 messages while away. */
    snprintf(client_id, sizeof client_id, "mqttws-c-persistent-%ld", (long)getpid());
    CHECK_OK(mqttws_options_builder_new(url, &b));
    CHECK_OK(mqttws_options_builder_set_client_id(b, client_id));
    CHECK_OK(mqttws_options_builder_set_clean_session(b, false));
    CHECK_OK(mqttws_options_builder_build(b, &o, NULL));
    CHECK_OK(mqttws_client_new(o, &persistent, NULL));
    mqttws_options_free(o);
    CHECK_CLIENT_OK(persistent, mqttws_client_connect(persistent, &present));
    CHECK_CLIENT_OK(persistent, mqttws_client_subscribe(persistent, topic, strlen(topic), 1, NULL));
    CHECK_CLIENT_OK(persistent, mqttws_client_disconnect(persistent));
    other = connect_client(url, "queue-filler", NULL);
    if (other == NULL) return;
    CHECK_CLIENT_OK(other, mqttws_client_publish_and_wait(other, topic, strlen(topic),
                                                          (const uint8_t *)"queued", 6, 1, false));
    CHECK_CLIENT_OK(other, mqttws_client_disconnect(other));
    CHECK_OK(mqttws_client_free(other));
    CHECK_CLIENT_OK(persistent, mqttws_client_connect(persistent, &present));
    CHECK(present);
    CHECK_CLIENT_OK(persistent, poll_message(persistent, 5000, &ev));
    CHECK(msg_of(ev)->payload.len == 6 && memcmp(msg_of(ev)->payload.data, "queued", 6) == 0);
    CHECK_CLIENT_OK(persistent, mqttws_client_disconnect(persistent));
    CHECK_OK(mqttws_client_free(persistent));
    mqttws_event_free(ev);
}

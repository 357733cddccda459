/*
 * Options beyond the basics: the offline queue, automatic reconnect (with
 * its DISCONNECTED / RECONNECTING / CONNECTED events), WebSocket pings, the
 * durable store, and proxies.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define NUL MQTTWS_NULL_PARAMETER

void test_feature_options_misuse(void) {
    mqttws_options_builder *b = NULL;
    CHECK_RC(mqttws_options_builder_set_proxy(NULL, "http://127.0.0.1:3128", 0), NUL);
    CHECK_RC(mqttws_options_builder_set_reconnect(NULL, 100, 200, 1000, true), NUL);
    CHECK_RC(mqttws_options_builder_set_offline_queue(NULL, 10, 1000, false), NUL);
    CHECK_RC(mqttws_options_builder_set_ws_ping(NULL, 100, 100), NUL);
    CHECK_RC(mqttws_options_builder_set_store_dir(NULL, "/tmp"), NUL);
    CHECK_OK(mqttws_options_builder_new("ws://127.0.0.1/", &b));
    CHECK_RC(mqttws_options_builder_set_proxy(b, NULL, 0), NUL);
    CHECK_RC(mqttws_options_builder_set_store_dir(b, NULL), NUL);
    CHECK_RC(mqttws_options_builder_set_proxy(b, "https://127.0.0.1:3128", 0),
             MQTTWS_INVALID_ARGUMENT);
    CHECK_RC(mqttws_options_builder_set_proxy(b, "socks4://127.0.0.1:1080", 0),
             MQTTWS_INVALID_ARGUMENT);
    CHECK_OK(mqttws_options_builder_set_proxy(b, "socks5://user:p%40ss@127.0.0.1:1080", 500));
    CHECK_RC(mqttws_options_builder_set_reconnect(b, 0, 200, 1000, true), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_reconnect(b, 300, 200, 1000, true),
             MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_offline_queue(b, 0, 1000, false), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_offline_queue(b, 10, 0, false), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_incoming_queue(NULL, 10, 1000), NUL);
    CHECK_RC(mqttws_options_builder_set_incoming_queue(b, 0, 1000), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_incoming_queue(b, 10, 0), MQTTWS_INVALID_PARAMETER);
    CHECK_OK(mqttws_options_builder_set_incoming_queue(b, 10, 1000));
    CHECK_RC(mqttws_options_builder_set_ws_ping(b, 0, 100), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_ws_ping(b, 100, 0), MQTTWS_INVALID_PARAMETER);
    CHECK_RC(mqttws_options_builder_set_store_dir(b, ""), MQTTWS_INVALID_PARAMETER);
    mqttws_options_builder_free(b);
}

static mqttws_client *new_client(mqttws_options_builder *b) {
    const mqttws_options *o = NULL;
    mqttws_client *c = NULL;
    mqttws_error *err = NULL;
    if (mqttws_options_builder_build(b, &o, &err) != MQTTWS_OK) {
        mqttws_error_free(err);
        return NULL;
    }
    if (mqttws_client_new(o, &c, &err) != MQTTWS_OK) {
        char msg[512] = "";
        size_t n = 0;
        mqttws_error_message(err, msg, sizeof msg, &n);
        fprintf(stderr, "     mqttws_client_new: %s\n", msg);
        mqttws_error_free(err);
    }
    mqttws_options_free(o);
    return c;
}

void test_offline_queue(void) {
    const char *url = need_env("MQTTWS_WS_URL");
    mqttws_options_builder *b = NULL;
    mqttws_client *c, *watcher;
    mqttws_event *ev = NULL;
    char topic[128];
    uint16_t pid_a = 0, pid_b = 0, pid_x = 0;
    if (url == NULL) return;
    unique_topic(topic, sizeof topic, "offline");
    watcher = connect_client(url, "offline-watcher", NULL);
    if (watcher == NULL) return;
    CHECK_CLIENT_OK(watcher, mqttws_client_subscribe(watcher, topic, strlen(topic), 1, NULL));

    /* Refuse when full: two messages fit, the third does not. */
    CHECK_OK(mqttws_options_builder_new(url, &b));
    CHECK_OK(mqttws_options_builder_set_offline_queue(b, 2, 4096, false));
    c = new_client(b);
    CHECK(c != NULL);
    CHECK_CLIENT_OK(c, mqttws_client_publish(c, topic, strlen(topic), (const uint8_t *)"a", 1, 1,
                                             false, &pid_a));
    CHECK_CLIENT_OK(c, mqttws_client_publish(c, topic, strlen(topic), (const uint8_t *)"b", 1, 1,
                                             false, &pid_b));
    CHECK(pid_a != 0 && pid_b != 0 && pid_a != pid_b);
    CHECK_RC(mqttws_client_publish(c, topic, strlen(topic), (const uint8_t *)"c", 1, 1, false, NULL),
             MQTTWS_QUEUE_FULL);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK_CLIENT_OK(c, mqttws_client_wait_for(c, pid_b, 5000));
    CHECK_CLIENT_OK(watcher, poll_message(watcher, 5000, &ev));
    CHECK(msg_of(ev)->payload.len == 1 && msg_of(ev)->payload.data[0] == 'a');
    CHECK_CLIENT_OK(watcher, poll_message(watcher, 5000, &ev));
    CHECK(msg_of(ev)->payload.len == 1 && msg_of(ev)->payload.data[0] == 'b');
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));

    /* Drop the oldest: reported as an event with its packet id and topic. */
    CHECK_OK(mqttws_options_builder_new(url, &b));
    CHECK_OK(mqttws_options_builder_set_offline_queue(b, 1, 4096, true));
    c = new_client(b);
    CHECK(c != NULL);
    CHECK_CLIENT_OK(c, mqttws_client_publish(c, topic, strlen(topic), (const uint8_t *)"x", 1, 1,
                                             false, &pid_x));
    CHECK_CLIENT_OK(c, mqttws_client_publish(c, topic, strlen(topic), (const uint8_t *)"y", 1, 1,
                                             false, NULL));
    /* The core reports the drop once connected (while offline, poll only
     * says MQTTWS_CLOSED). */
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    /* (wait_for sees the drop only while its event is still queued) */
    CHECK_RC(mqttws_client_wait_for(c, pid_x, 0), MQTTWS_QUEUE_FULL);
    CHECK_CLIENT_OK(c, poll_into(c, 0, &ev));
    CHECK(mqttws_event_get_kind(ev) == MQTTWS_EVENT_DROPPED);
    CHECK(mqttws_event_packet_id(ev) == pid_x);
    CHECK_STR(mqttws_event_text(ev), topic);
    CHECK_CLIENT_OK(watcher, poll_message(watcher, 5000, &ev));
    CHECK(msg_of(ev)->payload.len == 1 && msg_of(ev)->payload.data[0] == 'y');
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
    CHECK_CLIENT_OK(watcher, mqttws_client_disconnect(watcher));
    CHECK_OK(mqttws_client_free(watcher));
    mqttws_event_free(ev);
}

/* Polls until an event of `kind` (skipping others) within `ms`. */
static mqttws_result poll_kind(mqttws_client *c, mqttws_event_kind kind, int ms, mqttws_event **ev) {
    double deadline = now_ms() + ms;
    while (now_ms() < deadline) {
        mqttws_result rc = poll_into(c, 200, ev);
        if (rc != MQTTWS_OK) return rc;
        if (mqttws_event_get_kind(*ev) == kind) return MQTTWS_OK;
    }
    return MQTTWS_TIMEOUT;
}

/*
 * The broker drops a client when another connects with the same client id
 * (MQTT session takeover). With automatic reconnect, the dropped client
 * reports DISCONNECTED and RECONNECTING, connects again (CONNECTED) and,
 * the broker having no session for it, restores its subscription.
 */
void test_reconnect_events(void) {
    const char *url = need_env("MQTTWS_WS_URL");
    mqttws_options_builder *b = NULL;
    mqttws_client *c, *thief, *sender;
    mqttws_event *ev = NULL;
    char topic[128], id[64];
    if (url == NULL) return;
    unique_topic(topic, sizeof topic, "reconnect");
    snprintf(id, sizeof id, "mqttws-c-reconnect-%ld", (long)getpid());
    CHECK_OK(mqttws_options_builder_new(url, &b));
    CHECK_OK(mqttws_options_builder_set_client_id(b, id));
    CHECK_OK(mqttws_options_builder_set_reconnect(b, 100, 200, 10000, true));
    c = new_client(b);
    CHECK(c != NULL);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK_CLIENT_OK(c, mqttws_client_subscribe(c, topic, strlen(topic), 1, NULL));

    thief = connect_client(url, id, NULL); /* takes the client id over */
    if (thief == NULL) return;
    CHECK_CLIENT_OK(thief, mqttws_client_disconnect(thief));
    CHECK_OK(mqttws_client_free(thief));

    CHECK_CLIENT_OK(c, poll_kind(c, MQTTWS_EVENT_DISCONNECTED, 5000, &ev));
    CHECK(mqttws_event_text(ev).data != NULL && mqttws_event_text(ev).len > 0);
    CHECK_CLIENT_OK(c, poll_kind(c, MQTTWS_EVENT_RECONNECTING, 5000, &ev));
    CHECK(mqttws_event_attempt(ev) == 1);
    CHECK(mqttws_event_delay_ms(ev) >= 100 && mqttws_event_delay_ms(ev) <= 200);
    CHECK_CLIENT_OK(c, poll_kind(c, MQTTWS_EVENT_CONNECTED, 5000, &ev));
    CHECK(!mqttws_event_session_present(ev));
    CHECK(mqttws_client_is_connected(c));

    /* The subscription was restored. */
    sender = connect_client(url, "reconnect-sender", NULL);
    if (sender == NULL) return;
    CHECK_CLIENT_OK(sender, mqttws_client_publish_and_wait(sender, topic, strlen(topic),
                                                           (const uint8_t *)"back", 4, 1, false));
    CHECK_CLIENT_OK(sender, mqttws_client_disconnect(sender));
    CHECK_OK(mqttws_client_free(sender));
    CHECK_CLIENT_OK(c, poll_message(c, 5000, &ev));
    CHECK(msg_of(ev)->payload.len == 4 && memcmp(msg_of(ev)->payload.data, "back", 4) == 0);
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
    mqttws_event_free(ev);
}

void test_ws_ping_and_store_dir(void) {
    const char *url = need_env("MQTTWS_WSS_URL");
    const char *ca = need_env("MQTTWS_CA_PEM");
    char dir[] = "/tmp/mqttws-c-store-XXXXXX", cmd[128];
    mqttws_options_builder *b = NULL;
    mqttws_client *c;
    mqttws_event *ev = NULL;
    double until;
    if (url == NULL || ca == NULL) return;
    CHECK(mkdtemp(dir) != NULL);
    CHECK_OK(mqttws_options_builder_new(url, &b));
    CHECK_OK(mqttws_options_builder_set_ca_file(b, ca));
    CHECK_OK(mqttws_options_builder_set_ws_ping(b, 100, 2000));
    CHECK_OK(mqttws_options_builder_set_store_dir(b, dir));
    c = new_client(b);
    CHECK(c != NULL);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK_CLIENT_OK(c, mqttws_client_publish_and_wait(c, "mqttws-c/store", 14,
                                                      (const uint8_t *)"durable", 7, 2, false));
    /* A few WebSocket pings go out and their pongs come back. */
    until = now_ms() + 500;
    while (now_ms() < until) CHECK_CLIENT_OK(c, poll_into(c, 100, &ev));
    CHECK(mqttws_client_is_connected(c));
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    mqttws_event_free(ev);
}

void test_proxy_refusal(void) {
    static const char reply[] =
        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"t\"\r\n"
        "Content-Length: 0\r\nConnection: close\r\n\r\n";
    struct http_server s;
    pthread_t th;
    char proxy[64];
    mqttws_options_builder *b = NULL;
    mqttws_client *c;
    mqttws_result rc;
    CHECK(http_server_start(&s, &th, reply) == 0);
    snprintf(proxy, sizeof proxy, "http://user:wrong@127.0.0.1:%u", (unsigned)s.port);
    CHECK_OK(mqttws_options_builder_new("ws://broker.invalid/mqtt", &b));
    CHECK_OK(mqttws_options_builder_set_proxy(b, proxy, 5000));
    c = new_client(b);
    rc = c != NULL ? mqttws_client_connect(c, NULL) : MQTTWS_PANIC;
    if (c == NULL) pthread_cancel(th);
    pthread_join(th, NULL);
    close(s.fd);
    CHECK(c != NULL);
    CHECK_RC(rc, MQTTWS_PROXY);
    CHECK(mqttws_client_last_http_status(c) == 407);
    CHECK_OK(mqttws_client_free(c));
}

/*
 * The interop matrix's round trip through the C ABI (docs/interop.md): a
 * subscriber and a publisher; the subscriber subscribes at QoS 1, the
 * publisher publishes at QoS 1 and waits for PUBACK, the subscriber receives
 * the message within 10 s. Exits 0 when all of that worked.
 *
 * Environment (set by the Rust harness, tests/src/interop/checks.rs):
 * MQTTWS_URL, MQTTWS_TOPIC, and if needed MQTTWS_CA_FILE, MQTTWS_USERNAME,
 * MQTTWS_PASSWORD.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mqttws.h>

static const char *env(const char *name) {
    const char *v = getenv(name);
    return v != NULL && *v != '\0' ? v : NULL;
}

/* Prints the client's last error (or the bare code) and exits 1. */
static void fail(mqttws_client *c, const char *what, mqttws_result rc) {
    char msg[512] = "";
    size_t n = 0;
    if (c != NULL) mqttws_client_last_error(c, msg, sizeof msg - 1, &n);
    msg[n] = '\0';
    fprintf(stderr, "roundtrip.c: %s: %s (%u) %s\n", what, mqttws_result_str(rc), (unsigned)rc, msg);
    exit(1);
}

static mqttws_client *connect_as(const char *url, const char *id) {
    mqttws_options_builder *b = NULL;
    const mqttws_options *o = NULL;
    mqttws_client *c = NULL;
    mqttws_result rc;
    if ((rc = mqttws_options_builder_new(url, &b)) != MQTTWS_OK) fail(NULL, "options", rc);
    mqttws_options_builder_set_client_id(b, id);
    if (env("MQTTWS_CA_FILE")) mqttws_options_builder_set_ca_file(b, env("MQTTWS_CA_FILE"));
    if (env("MQTTWS_USERNAME")) mqttws_options_builder_set_username(b, env("MQTTWS_USERNAME"));
    if (env("MQTTWS_PASSWORD")) mqttws_options_builder_set_password(b, env("MQTTWS_PASSWORD"));
    mqttws_options_builder_set_connect_timeout_ms(b, 10000);
    if ((rc = mqttws_options_builder_build(b, &o, NULL)) != MQTTWS_OK) fail(NULL, "build", rc);
    rc = mqttws_client_new(o, &c, NULL);
    mqttws_options_free(o);
    if (rc != MQTTWS_OK) fail(NULL, "client", rc);
    if ((rc = mqttws_client_connect(c, NULL)) != MQTTWS_OK) fail(c, "connect", rc);
    return c;
}

int main(void) {
    const char *url = env("MQTTWS_URL"), *topic = env("MQTTWS_TOPIC");
    const char *payload = "hello from C";
    char sub_id[32], pub_id[32];
    mqttws_client *sub, *pub;
    mqttws_event *ev = NULL;
    const mqttws_message *m = NULL;
    mqttws_result rc;
    uint8_t granted = 0;
    int tries;

    if (url == NULL || topic == NULL) {
        fprintf(stderr, "roundtrip.c: set MQTTWS_URL and MQTTWS_TOPIC\n");
        return 2;
    }
    snprintf(sub_id, sizeof sub_id, "iop-c-sub-%ld", (long)getpid());
    snprintf(pub_id, sizeof pub_id, "iop-c-pub-%ld", (long)getpid());
    sub = connect_as(url, sub_id);
    pub = connect_as(url, pub_id);
    if ((rc = mqttws_client_subscribe(sub, topic, strlen(topic), 1, &granted)) != MQTTWS_OK)
        fail(sub, "subscribe", rc);
    if ((rc = mqttws_client_publish_and_wait(pub, topic, strlen(topic), (const uint8_t *)payload,
                                             strlen(payload), 1, false)) != MQTTWS_OK)
        fail(pub, "publish", rc);
    /* Skip other events; 10 polls of up to 1 s each (a timeout gives no event). */
    for (tries = 0; tries < 10; tries++) {
        if ((rc = mqttws_client_poll(sub, 1000, &ev)) != MQTTWS_OK) fail(sub, "poll", rc);
        if (ev != NULL && mqttws_event_get_kind(ev) == MQTTWS_EVENT_MESSAGE) break;
        mqttws_event_free(ev);
        ev = NULL;
    }
    if (tries == 10) {
        fprintf(stderr, "roundtrip.c: no message within 10 s\n");
        return 1;
    }
    m = mqttws_event_message(ev);
    if (m->payload.len != strlen(payload) || memcmp(m->payload.data, payload, strlen(payload)) != 0) {
        fprintf(stderr, "roundtrip.c: received another payload\n");
        return 1;
    }
    mqttws_event_free(ev);
    mqttws_client_disconnect(pub);
    mqttws_client_disconnect(sub);
    mqttws_client_free(pub);
    mqttws_client_free(sub);
    printf("roundtrip.c: ok (granted QoS %u)\n", (unsigned)granted);
    return 0;
}

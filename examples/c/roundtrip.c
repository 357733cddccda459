/*
 * roundtrip: connects, subscribes to a topic, publishes one QoS 1 message to
 * it and waits (at most 10 s) until the broker delivers it back. Exits 0
 * only when the payload came back unchanged: the smallest check that a
 * build of libmqttws works on a machine (used by `make test` natively, under
 * qemu-user for the ARM builds, and by the CMake example).
 *
 *   roundtrip URL [TOPIC]
 *
 * Environment: MQTTWS_CA_FILE, a PEM file of CA certificates to trust for
 * wss:// instead of the system roots.
 *
 * Build: cc roundtrip.c -o roundtrip $(pkg-config --cflags --libs mqttws)
 *    or: CMake, see CMakeLists.txt in this directory
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mqttws.h>

static void die(mqttws_client *client, const char *what, mqttws_result rc) {
    char msg[512] = "";
    size_t n = 0;
    if (client != NULL) mqttws_client_last_error(client, msg, sizeof msg, &n);
    fprintf(stderr, "roundtrip: %s failed: %s (%u)%s%.*s\n", what, mqttws_result_str(rc),
            (unsigned)rc, n ? ": " : "", (int)n, msg);
    mqttws_client_free(client);
    exit(1);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    const char *url, *ca = getenv("MQTTWS_CA_FILE");
    char topic[128], payload[160];
    mqttws_options_builder *builder = NULL;
    const mqttws_options *options = NULL;
    mqttws_client *client = NULL;
    mqttws_error *err = NULL;
    mqttws_result rc;
    mqttws_event *ev = NULL;
    const mqttws_message *m;
    double deadline;

    if (argc < 2) {
        fprintf(stderr, "usage: roundtrip URL [TOPIC]\n");
        return 2;
    }
    url = argv[1];
    if (argc > 2)
        snprintf(topic, sizeof topic, "%s", argv[2]);
    else
        snprintf(topic, sizeof topic, "mqttws/roundtrip/%ld", (long)getpid());
    snprintf(payload, sizeof payload, "hello from libmqttws %s (%zu-bit)", mqttws_version(),
             sizeof(void *) * 8);

    if ((rc = mqttws_options_builder_new(url, &builder)) != MQTTWS_OK) die(NULL, "options", rc);
    if (ca != NULL) mqttws_options_builder_set_ca_file(builder, ca);
    mqttws_options_builder_set_connect_timeout_ms(builder, 10000);
    if ((rc = mqttws_options_builder_build(builder, &options, &err)) != MQTTWS_OK) {
        char msg[256] = "";
        size_t n = 0;
        mqttws_error_message(err, msg, sizeof msg, &n);
        fprintf(stderr, "roundtrip: %.*s\n", (int)n, msg);
        mqttws_error_free(err);
        return 1;
    }
    rc = mqttws_client_new(options, &client, NULL);
    mqttws_options_free(options);
    if (rc != MQTTWS_OK) die(NULL, "client", rc);
    if ((rc = mqttws_client_connect(client, NULL)) != MQTTWS_OK) die(client, "connect", rc);
    if ((rc = mqttws_client_subscribe(client, topic, strlen(topic), 1, NULL)) != MQTTWS_OK)
        die(client, "subscribe", rc);
    rc = mqttws_client_publish_and_wait(client, topic, strlen(topic), (const uint8_t *)payload,
                                        strlen(payload), 1, false);
    if (rc != MQTTWS_OK) die(client, "publish", rc);

    deadline = now_ms() + 10000;
    for (;;) {
        double left = deadline - now_ms();
        if (left <= 0) die(client, "waiting for the message", MQTTWS_TIMEOUT);
        if ((rc = mqttws_client_poll(client, (int)left + 1, &ev)) != MQTTWS_OK)
            die(client, "poll", rc);
        if (ev != NULL && mqttws_event_get_kind(ev) == MQTTWS_EVENT_MESSAGE) break;
        mqttws_event_free(ev);
        ev = NULL;
    }
    m = mqttws_event_message(ev);
    if (m->payload.len != strlen(payload) || memcmp(m->payload.data, payload, strlen(payload)) != 0) {
        fprintf(stderr, "roundtrip: got \"%.*s\", sent \"%s\"\n", (int)m->payload.len,
                (const char *)m->payload.data, payload);
        mqttws_event_free(ev);
        mqttws_client_free(client);
        return 1;
    }
    printf("roundtrip: ok: %.*s: %s\n", (int)m->topic.len, m->topic.data, payload);
    mqttws_event_free(ev);
    mqttws_client_disconnect(client);
    mqttws_client_free(client);
    return 0;
}

/*
 * subscriber: subscribes to a topic filter over ws:// or wss:// and prints
 * the messages, from a message callback called inside mqttws_client_poll.
 *
 *   subscriber URL FILTER [COUNT]      (COUNT 0 or absent: until Ctrl-C)
 *
 * Environment: MQTTWS_CA_FILE, a PEM file of CA certificates to trust for
 * wss:// instead of the system roots.
 *
 * Build: cc subscriber.c -o subscriber $(pkg-config --cflags --libs mqttws)
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mqttws.h>

static volatile sig_atomic_t stop = 0;

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

/* userdata first; the message is borrowed for the duration of the call. */
static void on_message(void *userdata, const mqttws_message *m) {
    int *received = userdata;
    (*received)++;
    printf("%.*s: %.*s\n", (int)m->topic.len, m->topic.data, (int)m->payload.len,
           (const char *)m->payload.data);
    fflush(stdout);
}

int main(int argc, char **argv) {
    const char *ca = getenv("MQTTWS_CA_FILE");
    int count = argc > 3 ? atoi(argv[3]) : 0, received = 0;
    mqttws_options_builder *builder = NULL;
    const mqttws_options *options = NULL;
    mqttws_client *client = NULL;
    mqttws_result rc;
    uint8_t granted = 0;
    char msg[512] = "";
    size_t n = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: subscriber URL FILTER [COUNT]\n");
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    if (mqttws_options_builder_new(argv[1], &builder) != MQTTWS_OK) return 1;
    mqttws_options_builder_set_client_id(builder, "mqttws-c-subscriber");
    if (ca != NULL) mqttws_options_builder_set_ca_file(builder, ca);
    if (mqttws_options_builder_build(builder, &options, NULL) != MQTTWS_OK) {
        fprintf(stderr, "subscriber: invalid URL %s\n", argv[1]);
        return 1;
    }
    rc = mqttws_client_new(options, &client, NULL);
    mqttws_options_free(options);
    if (rc != MQTTWS_OK) return 1;

    if ((rc = mqttws_client_connect(client, NULL)) != MQTTWS_OK ||
        (rc = mqttws_client_subscribe(client, argv[2], strlen(argv[2]), 1, &granted)) != MQTTWS_OK)
        goto fail;
    printf("subscribed to %s (granted QoS %u)\n", argv[2], (unsigned)granted);
    fflush(stdout);
    mqttws_client_set_message_callback(client, on_message, &received);

    while (!stop && (count == 0 || received < count)) {
        mqttws_event *event = NULL;
        /* Wake up every second to look at the stop flag. The callback saw
         * the message already; the event is only freed. */
        if ((rc = mqttws_client_poll(client, 1000, &event)) != MQTTWS_OK) goto fail;
        mqttws_event_free(event);
    }
    mqttws_client_disconnect(client);
    mqttws_client_free(client);
    return 0;

fail:
    mqttws_client_last_error(client, msg, sizeof msg, &n);
    fprintf(stderr, "subscriber: %s (%u): %s\n", mqttws_result_str(rc), (unsigned)rc, msg);
    mqttws_client_free(client);
    return 1;
}

/*
 * publisher: publishes messages over ws:// or wss:// and waits for each
 * acknowledgement.
 *
 *   publisher URL TOPIC MESSAGE [COUNT]
 *
 * Environment: MQTTWS_CA_FILE, a PEM file of CA certificates to trust for
 * wss:// instead of the system roots (e.g. a test broker's CA).
 *
 * Build: cc publisher.c -o publisher $(pkg-config --cflags --libs mqttws)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mqttws.h>

/* Prints the failed call's detailed message and exits. */
static void die(mqttws_client *client, const char *what, mqttws_result rc) {
    char msg[512] = "";
    size_t n = 0;
    if (client != NULL) mqttws_client_last_error(client, msg, sizeof msg, &n);
    fprintf(stderr, "publisher: %s failed: %s (%u)%s%s\n", what, mqttws_result_str(rc),
            (unsigned)rc, n ? ": " : "", msg);
    mqttws_client_free(client);
    exit(1);
}

int main(int argc, char **argv) {
    const char *url, *topic, *message, *ca = getenv("MQTTWS_CA_FILE");
    int count = 1, i;
    mqttws_options_builder *builder = NULL;
    const mqttws_options *options = NULL;
    mqttws_client *client = NULL;
    mqttws_error *err = NULL;
    mqttws_result rc;

    if (argc < 4) {
        fprintf(stderr, "usage: publisher URL TOPIC MESSAGE [COUNT]\n");
        return 2;
    }
    url = argv[1];
    topic = argv[2];
    message = argv[3];
    if (argc > 4) count = atoi(argv[4]);

    if ((rc = mqttws_options_builder_new(url, &builder)) != MQTTWS_OK) die(NULL, "options", rc);
    mqttws_options_builder_set_client_id(builder, "mqttws-c-publisher");
    if (ca != NULL) mqttws_options_builder_set_ca_file(builder, ca);
    if ((rc = mqttws_options_builder_build(builder, &options, &err)) != MQTTWS_OK) {
        char msg[256] = "";
        size_t n = 0;
        mqttws_error_message(err, msg, sizeof msg, &n);
        fprintf(stderr, "publisher: %s\n", msg);
        mqttws_error_free(err);
        return 1;
    }
    rc = mqttws_client_new(options, &client, NULL);
    mqttws_options_free(options);
    if (rc != MQTTWS_OK) die(NULL, "client", rc);
    if ((rc = mqttws_client_connect(client, NULL)) != MQTTWS_OK) die(client, "connect", rc);

    for (i = 1; i <= count; i++) {
        rc = mqttws_client_publish_and_wait(client, topic, strlen(topic), (const uint8_t *)message,
                                            strlen(message), 1, false);
        if (rc != MQTTWS_OK) die(client, "publish", rc);
        printf("published to %s (QoS 1): %s\n", topic, message);
    }
    mqttws_client_disconnect(client);
    mqttws_client_free(client);
    return 0;
}

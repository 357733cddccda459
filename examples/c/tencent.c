/*
 * tencent: connects a Tencent IoT Hub / IoT Explorer key (PSK) device over
 * wss:// and publishes one message to {ProductId}/{DeviceName}/data.
 *
 * Secrets come from the environment, never from the command line:
 *   TENCENT_PRODUCT_ID, TENCENT_DEVICE_NAME, TENCENT_DEVICE_PSK (base64)
 *   TENCENT_REGION   optional, default ap-guangzhou
 *   MQTTWS_URL       optional: connect there instead of the Tencent endpoint
 *                    (a local test broker), with MQTTWS_CA_FILE for wss://
 *   TENCENT_CONNID, TENCENT_EXPIRY=never   optional, for such tests
 *
 * The device is built into a credential provider, which signs afresh at
 * every connect (mqttws_options_builder_set_credential_provider).
 *
 * Build: cc tencent.c -o tencent $(pkg-config --cflags --libs mqttws)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mqttws.h>

static const char *env(const char *name) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        fprintf(stderr, "tencent: set %s (and TENCENT_PRODUCT_ID, TENCENT_DEVICE_NAME, "
                        "TENCENT_DEVICE_PSK)\n", name);
        exit(2);
    }
    return v;
}

int main(void) {
    const char *product = env("TENCENT_PRODUCT_ID");
    const char *device_name = env("TENCENT_DEVICE_NAME");
    const char *psk = env("TENCENT_DEVICE_PSK");
    const char *url_override = getenv("MQTTWS_URL"), *ca = getenv("MQTTWS_CA_FILE");
    const char *expiry = getenv("TENCENT_EXPIRY"), *connid = getenv("TENCENT_CONNID");
    mqttws_tencent_device_builder *device = NULL;
    const mqttws_credential_provider *provider = NULL;
    mqttws_options_builder *builder = NULL;
    const mqttws_options *options = NULL;
    mqttws_client *client = NULL;
    mqttws_error *err = NULL;
    mqttws_result rc;
    char url[256], topic[256], msg[512] = "";
    size_t n = 0;

    rc = mqttws_tencent_device_builder_new_psk(product, device_name, psk, &device);
    if (rc != MQTTWS_OK) goto fail;
    if (getenv("TENCENT_REGION") != NULL)
        mqttws_tencent_device_builder_set_region(device, getenv("TENCENT_REGION"));
    if (connid != NULL) mqttws_tencent_device_builder_set_connid(device, connid);
    if (expiry != NULL && strcmp(expiry, "never") == 0)
        mqttws_tencent_device_builder_set_expiry_never(device);
    rc = mqttws_tencent_device_builder_build(device, &provider);
    device = NULL; /* consumed */
    if (rc != MQTTWS_OK) goto fail;
    if (url_override != NULL) {
        snprintf(url, sizeof url, "%s", url_override);
    } else if ((rc = mqttws_credential_provider_url(provider, url, sizeof url, &n, &err)) !=
               MQTTWS_OK) {
        goto fail;
    }

    if ((rc = mqttws_options_builder_new(url, &builder)) != MQTTWS_OK) goto fail;
    if (ca != NULL) mqttws_options_builder_set_ca_file(builder, ca);
    mqttws_options_builder_set_keepalive(builder, 240);
    if ((rc = mqttws_options_builder_set_credential_provider(builder, provider)) != MQTTWS_OK)
        goto fail;
    rc = mqttws_options_builder_build(builder, &options, &err);
    builder = NULL; /* consumed */
    if (rc != MQTTWS_OK) goto fail;
    rc = mqttws_client_new(options, &client, &err);
    mqttws_options_free(options);
    if (rc != MQTTWS_OK) goto fail;

    if ((rc = mqttws_client_connect(client, NULL)) != MQTTWS_OK) goto fail;
    printf("tencent: connected to %s as %s%s\n", url, product, device_name);
    snprintf(topic, sizeof topic, "%s/%s/data", product, device_name);
    rc = mqttws_client_publish_and_wait(client, topic, strlen(topic),
                                        (const uint8_t *)"{\"hello\":\"mqttws\"}", 18, 1, false);
    if (rc != MQTTWS_OK) goto fail;
    printf("tencent: published to %s\n", topic);
    mqttws_client_disconnect(client);
    mqttws_client_free(client);
    mqttws_credential_provider_free(provider);
    return 0;

fail:
    if (err != NULL) mqttws_error_message(err, msg, sizeof msg, &n);
    else if (client != NULL) mqttws_client_last_error(client, msg, sizeof msg, &n);
    fprintf(stderr, "tencent: %s (%u): %s\n", mqttws_result_str(rc), (unsigned)rc, msg);
    mqttws_error_free(err);
    mqttws_client_free(client);
    mqttws_options_builder_free(builder);
    mqttws_tencent_device_builder_free(device);
    mqttws_credential_provider_free(provider);
    return 1;
}

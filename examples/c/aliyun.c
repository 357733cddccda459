/*
 * aliyun: connects an Alibaba Cloud IoT Platform device (device secret)
 * over wss:// and publishes one message to /{ProductKey}/{DeviceName}/user/update.
 *
 * Secrets come from the environment, never from the command line:
 *   ALIYUN_PRODUCT_KEY, ALIYUN_DEVICE_NAME, ALIYUN_DEVICE_SECRET
 *   ALIYUN_REGION (e.g. cn-shanghai) or ALIYUN_INSTANCE_ID (iot-...)
 *   MQTTWS_URL       optional: connect there instead of the Alibaba endpoint
 *                    (a local test broker), with MQTTWS_CA_FILE for wss://
 *   ALIYUN_TIMESTAMP optional fixed timestamp (ms), for such tests
 *
 * The device is built into a credential provider, which signs afresh at
 * every connect (mqttws_options_builder_set_credential_provider).
 *
 * Build: cc aliyun.c -o aliyun $(pkg-config --cflags --libs mqttws)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mqttws.h>

static const char *env(const char *name) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        fprintf(stderr, "aliyun: set %s (and ALIYUN_PRODUCT_KEY, ALIYUN_DEVICE_NAME, "
                        "ALIYUN_DEVICE_SECRET, ALIYUN_REGION or ALIYUN_INSTANCE_ID)\n", name);
        exit(2);
    }
    return v;
}

int main(void) {
    const char *product_key = env("ALIYUN_PRODUCT_KEY");
    const char *device_name = env("ALIYUN_DEVICE_NAME");
    const char *secret = env("ALIYUN_DEVICE_SECRET");
    const char *instance = getenv("ALIYUN_INSTANCE_ID");
    const char *url_override = getenv("MQTTWS_URL"), *ca = getenv("MQTTWS_CA_FILE");
    const char *timestamp = getenv("ALIYUN_TIMESTAMP");
    mqttws_aliyun_device_builder *device = NULL;
    const mqttws_credential_provider *provider = NULL;
    mqttws_options_builder *builder = NULL;
    const mqttws_options *options = NULL;
    mqttws_client *client = NULL;
    mqttws_error *err = NULL;
    mqttws_result rc;
    char url[256], topic[256], msg[512] = "";
    size_t n = 0;

    rc = mqttws_aliyun_device_builder_new(product_key, device_name, secret, &device);
    if (rc != MQTTWS_OK) goto fail;
    if (instance != NULL) mqttws_aliyun_device_builder_set_instance(device, instance);
    else mqttws_aliyun_device_builder_set_region(device, env("ALIYUN_REGION"));
    if (timestamp != NULL)
        mqttws_aliyun_device_builder_set_timestamp_fixed(device, strtoull(timestamp, NULL, 10));
    rc = mqttws_aliyun_device_builder_build(device, &provider);
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
    mqttws_options_builder_set_keepalive(builder, 300); /* Alibaba: 30..1200 s */
    if ((rc = mqttws_options_builder_set_credential_provider(builder, provider)) != MQTTWS_OK)
        goto fail;
    rc = mqttws_options_builder_build(builder, &options, &err);
    builder = NULL; /* consumed */
    if (rc != MQTTWS_OK) goto fail;
    rc = mqttws_client_new(options, &client, &err);
    mqttws_options_free(options);
    if (rc != MQTTWS_OK) goto fail;

    if ((rc = mqttws_client_connect(client, NULL)) != MQTTWS_OK) goto fail;
    printf("aliyun: connected to %s as %s.%s\n", url, product_key, device_name);
    snprintf(topic, sizeof topic, "/%s/%s/user/update", product_key, device_name);
    rc = mqttws_client_publish_and_wait(client, topic, strlen(topic),
                                        (const uint8_t *)"{\"hello\":\"mqttws\"}", 18, 1, false);
    if (rc != MQTTWS_OK) goto fail;
    printf("aliyun: published to %s\n", topic);
    mqttws_client_disconnect(client);
    mqttws_client_free(client);
    mqttws_credential_provider_free(provider);
    return 0;

fail:
    if (err != NULL) mqttws_error_message(err, msg, sizeof msg, &n);
    else if (client != NULL) mqttws_client_last_error(client, msg, sizeof msg, &n);
    fprintf(stderr, "aliyun: %s (%u): %s\n", mqttws_result_str(rc), (unsigned)rc, msg);
    mqttws_error_free(err);
    mqttws_client_free(client);
    mqttws_options_builder_free(builder);
    mqttws_aliyun_device_builder_free(device);
    mqttws_credential_provider_free(provider);
    return 1;
}

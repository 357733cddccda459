/*
 * The platform credential functions against the reference vectors of
 * shared/reference/platform-auth.md, their error paths, and (with the
 * broker) credential providers attached to options: the client signs at
 * each connect.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* PSK = bytes 00..0f. */
#define TENCENT_PSK "AAECAwQFBgcICQoLDA0ODw=="

void test_tencent_vectors(void) {
    mqttws_tencent_device *d = NULL;
    mqttws_credentials *c = NULL;
    char url[128];
    size_t n = 0;
    CHECK_OK(mqttws_tencent_device_new_psk("ABCDEFGHIJ", "dev001", TENCENT_PSK, &d));
    CHECK_OK(mqttws_tencent_device_set_connid(d, "abcde"));
    CHECK_OK(mqttws_tencent_device_set_expiry_at(d, 1700000000));
    CHECK_OK(mqttws_tencent_device_set_sign_method(d, "hmacsha1"));
    CHECK_OK(mqttws_tencent_device_credentials(d, 1699990000, &c, NULL));
    CHECK_STR(mqttws_credentials_client_id(c), "ABCDEFGHIJdev001");
    CHECK_STR(mqttws_credentials_username(c), "ABCDEFGHIJdev001;12010126;abcde;1700000000");
    CHECK_STR(mqttws_credentials_password(c), "4503b73274d953b0d5cf14777dbddbd2d9ae67b6;hmacsha1");
    CHECK(mqttws_credentials_url(c).data == NULL);
    CHECK(mqttws_credentials_header_count(c) == 0);
    mqttws_credentials_free(c);

    CHECK_OK(mqttws_tencent_device_set_sign_method(d, "hmacsha256"));
    CHECK_OK(mqttws_tencent_device_credentials(d, 1699990000, &c, NULL));
    CHECK_STR(mqttws_credentials_password(c),
              "ee0578a13c87a73422451cef483983c7681f1e954149f82f799a29bb961ecd03;hmacsha256");
    mqttws_credentials_free(c);

    CHECK_OK(mqttws_tencent_device_url(d, url, sizeof url, &n, NULL));
    CHECK(strcmp(url, "wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt") == 0);
    CHECK(n == strlen(url));
    CHECK_OK(mqttws_tencent_device_set_region(d, "europe"));
    CHECK_OK(mqttws_tencent_device_set_scheme(d, MQTTWS_SCHEME_WS));
    CHECK_OK(mqttws_tencent_device_url(d, url, sizeof url, &n, NULL));
    CHECK(strcmp(url, "ws://ABCDEFGHIJ.europe.iothub.tencentdevices.com/mqtt") == 0);

    /* Expiry "never" and a TTL. */
    CHECK_OK(mqttws_tencent_device_set_expiry_never(d));
    CHECK_OK(mqttws_tencent_device_credentials(d, 1699990000, &c, NULL));
    CHECK_STR(mqttws_credentials_username(c), "ABCDEFGHIJdev001;12010126;abcde;2147483647");
    mqttws_credentials_free(c);
    CHECK_OK(mqttws_tencent_device_set_expiry_ttl(d, 600));
    CHECK_OK(mqttws_tencent_device_set_sdkappid(d, "21010406"));
    CHECK_OK(mqttws_tencent_device_credentials(d, 1699990000, &c, NULL));
    CHECK_STR(mqttws_credentials_username(c), "ABCDEFGHIJdev001;21010406;abcde;1699990600");
    mqttws_credentials_free(c);
    mqttws_tencent_device_free(d);
}

void test_aliyun_vectors(void) {
    mqttws_aliyun_device *d = NULL;
    mqttws_credentials *c = NULL;
    char url[128];
    size_t n = 0;
    /* The documented example: client id 12345, timestamp 789. */
    CHECK_OK(mqttws_aliyun_device_new("pk", "device", "secret", &d));
    CHECK_OK(mqttws_aliyun_device_set_client_id(d, "12345"));
    CHECK_OK(mqttws_aliyun_device_set_timestamp_fixed(d, 789));
    CHECK_OK(mqttws_aliyun_device_set_scheme(d, MQTTWS_SCHEME_WS));
    CHECK_OK(mqttws_aliyun_device_set_sign_method(d, "hmacsha1"));
    CHECK_OK(mqttws_aliyun_device_credentials(d, 1700000000, &c, NULL));
    CHECK_STR(mqttws_credentials_client_id(c), "12345|securemode=3,signmethod=hmacsha1,timestamp=789|");
    CHECK_STR(mqttws_credentials_username(c), "device&pk");
    CHECK_STR(mqttws_credentials_password(c), "FAFD82A3D602B37FB0FA8B7892F24A477F851A14");
    mqttws_credentials_free(c);

    CHECK_OK(mqttws_aliyun_device_set_sign_method(d, "hmacsha256"));
    CHECK_OK(mqttws_aliyun_device_set_lowercase_hex(d, true));
    CHECK_OK(mqttws_aliyun_device_set_scheme(d, MQTTWS_SCHEME_WSS));
    CHECK_OK(mqttws_aliyun_device_credentials(d, 1700000000, &c, NULL));
    CHECK_STR(mqttws_credentials_client_id(c), "12345|securemode=2,signmethod=hmacsha256,timestamp=789|");
    CHECK_STR(mqttws_credentials_password(c),
              "6074a46a91b1ebb2cc4ea42790ad0e80202c9843859fc292e57c4eb19fad9e57");
    mqttws_credentials_free(c);

    CHECK_OK(mqttws_aliyun_device_set_sign_method(d, "hmacmd5"));
    CHECK_OK(mqttws_aliyun_device_credentials(d, 1700000000, &c, NULL));
    CHECK_STR(mqttws_credentials_password(c), "14b198324fe55e1d3c88f2e705e201ee");
    mqttws_credentials_free(c);

    /* Timestamp = signing time, in milliseconds; or none. */
    CHECK_OK(mqttws_aliyun_device_set_timestamp_now(d));
    CHECK_OK(mqttws_aliyun_device_credentials(d, 1700000000, &c, NULL));
    CHECK_STR(mqttws_credentials_client_id(c),
              "12345|securemode=2,signmethod=hmacmd5,timestamp=1700000000000|");
    mqttws_credentials_free(c);
    CHECK_OK(mqttws_aliyun_device_set_timestamp_omit(d));
    CHECK_OK(mqttws_aliyun_device_credentials(d, 1700000000, &c, NULL));
    CHECK_STR(mqttws_credentials_client_id(c), "12345|securemode=2,signmethod=hmacmd5|");
    mqttws_credentials_free(c);

    CHECK_OK(mqttws_aliyun_device_set_region(d, "cn-shanghai"));
    CHECK_OK(mqttws_aliyun_device_url(d, url, sizeof url, &n, NULL));
    CHECK(strcmp(url, "wss://pk.iot-as-mqtt.cn-shanghai.aliyuncs.com/") == 0);
    CHECK_OK(mqttws_aliyun_device_set_instance(d, "iot-06z00ab1c2d3e4f"));
    CHECK_OK(mqttws_aliyun_device_set_scheme(d, MQTTWS_SCHEME_WS));
    CHECK_OK(mqttws_aliyun_device_url(d, url, sizeof url, &n, NULL));
    CHECK(strcmp(url, "ws://iot-06z00ab1c2d3e4f.mqtt.iothub.aliyuncs.com:443/") == 0);
    mqttws_aliyun_device_free(d);
}

#define AWS_URL_A                                                                              \
    "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-" \
    "Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fiotdevicegateway%2Faws4_request&X-Amz-"    \
    "Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature="                            \
    "026c20a61bae0c9e109ab3720b96164d965f64dfc0dd03bfc9f1152ab1d323f9"

void test_aws_vectors(void) {
    mqttws_aws_sigv4 *s = NULL;
    mqttws_aws_custom_auth *a = NULL;
    mqttws_credentials *c = NULL;
    mqttws_str name, value;
    char url[1024];
    size_t n = 0;
    const uint64_t t = 1440938160; /* 2015-08-30T12:36:00Z */

    CHECK_OK(mqttws_aws_sigv4_new("example-ats.iot.us-east-1.amazonaws.com", "AKIDEXAMPLE",
                                  "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", &s));
    CHECK_OK(mqttws_aws_sigv4_presigned_url(s, t, url, sizeof url, &n, NULL));
    CHECK(strcmp(url, AWS_URL_A) == 0);
    CHECK(n == strlen(AWS_URL_A));
    CHECK_OK(mqttws_aws_sigv4_set_session_token(s, "AQoDYXdzEXAMPLETOKEN+/="));
    CHECK_OK(mqttws_aws_sigv4_set_client_id(s, "dev1"));
    CHECK_OK(mqttws_aws_sigv4_credentials(s, t, &c, NULL));
    CHECK_STR(mqttws_credentials_client_id(c), "dev1");
    CHECK(mqttws_credentials_username(c).data == NULL);
    CHECK(mqttws_credentials_password(c).data == NULL);
    CHECK_STR(mqttws_credentials_url(c), AWS_URL_A "&X-Amz-Security-Token=AQoDYXdzEXAMPLETOKEN%2B%2F%3D");
    mqttws_credentials_free(c);
    mqttws_aws_sigv4_free(s);

    CHECK_OK(mqttws_aws_custom_auth_new("example-ats.iot.us-east-1.amazonaws.com", &a));
    CHECK_OK(mqttws_aws_custom_auth_set_client_id(a, "dev1"));
    CHECK_OK(mqttws_aws_custom_auth_set_authorizer_name(a, "myAuth"));
    CHECK_OK(mqttws_aws_custom_auth_set_token(a, "x-token", "tok"));
    CHECK_OK(mqttws_aws_custom_auth_set_token_signature(a, "c2ln"));
    CHECK_OK(mqttws_aws_custom_auth_credentials(a, t, &c, NULL));
    CHECK_STR(mqttws_credentials_url(c), "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt");
    CHECK(mqttws_credentials_header_count(c) == 3);
    CHECK_OK(mqttws_credentials_header(c, 0, &name, &value));
    CHECK_STR(name, "x-amz-customauthorizer-name");
    CHECK_STR(value, "myAuth");
    CHECK_OK(mqttws_credentials_header(c, 1, &name, &value));
    CHECK_STR(name, "x-amz-customauthorizer-signature");
    CHECK_STR(value, "c2ln");
    CHECK_OK(mqttws_credentials_header(c, 2, &name, &value));
    CHECK_STR(name, "x-token");
    CHECK_STR(value, "tok");
    CHECK_RC(mqttws_credentials_header(c, 3, &name, &value), MQTTWS_INVALID_PARAMETER);
    mqttws_credentials_free(c);
    CHECK_OK(mqttws_aws_custom_auth_set_mode(a, MQTTWS_AWS_CUSTOM_AUTH_QUERY_STRING));
    CHECK_OK(mqttws_aws_custom_auth_credentials(a, t, &c, NULL));
    CHECK_STR(mqttws_credentials_url(c),
              "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt?x-amz-customauthorizer-name="
              "myAuth&x-amz-customauthorizer-signature=c2ln&x-token=tok");
    CHECK(mqttws_credentials_header_count(c) == 0);
    mqttws_credentials_free(c);
    mqttws_aws_custom_auth_free(a);
}

void test_azure_vectors(void) {
    mqttws_azure_device *d = NULL;
    mqttws_credentials *c = NULL;
    char url[128];
    size_t n = 0;
    /* key = bytes 00..1f; se = 1700000000 = signing time + the default TTL. */
    CHECK_OK(mqttws_azure_device_new("myhub.azure-devices.net", "dev001",
                                     "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", &d));
    CHECK_OK(mqttws_azure_device_credentials(d, 1700000000 - 3600, &c, NULL));
    CHECK_STR(mqttws_credentials_client_id(c), "dev001");
    CHECK_STR(mqttws_credentials_username(c), "myhub.azure-devices.net/dev001/?api-version=2021-04-12");
    CHECK_STR(mqttws_credentials_password(c),
              "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdev001&sig="
              "IyzAVunfpol%2Bok6JBPSlNvjj7eJ8GKMNNYoV7bsMqiw%3D&se=1700000000");
    mqttws_credentials_free(c);
    CHECK_OK(mqttws_azure_device_set_sas_ttl(d, 60));
    CHECK_OK(mqttws_azure_device_set_api_version(d, "2019-10-01"));
    CHECK_OK(mqttws_azure_device_set_device_client_type(d, "mqttws/c"));
    CHECK_OK(mqttws_azure_device_set_module_id(d, "mod1"));
    CHECK_OK(mqttws_azure_device_credentials(d, 1700000000, &c, NULL));
    CHECK_STR(mqttws_credentials_client_id(c), "dev001/mod1");
    CHECK_STR(mqttws_credentials_username(c),
              "myhub.azure-devices.net/dev001/mod1/?api-version=2019-10-01&DeviceClientType=mqttws%2Fc");
    CHECK(strstr(mqttws_credentials_password(c).data, "&se=1700000060") != NULL);
    mqttws_credentials_free(c);
    CHECK_OK(mqttws_azure_device_url(d, url, sizeof url, &n, NULL));
    CHECK(strcmp(url, "wss://myhub.azure-devices.net/$iothub/websocket?iothub-no-client-cert=true") == 0);
    CHECK_OK(mqttws_azure_device_set_no_client_cert_hint(d, false));
    CHECK_OK(mqttws_azure_device_set_shared_access_key_name(d, "device"));
    CHECK_OK(mqttws_azure_device_url(d, url, sizeof url, &n, NULL));
    CHECK(strcmp(url, "wss://myhub.azure-devices.net/$iothub/websocket") == 0);
    mqttws_azure_device_free(d);
}

void test_huawei_vectors(void) {
    mqttws_huawei_device *d = NULL;
    mqttws_credentials *c = NULL;
    char url[128];
    size_t n = 0;
    CHECK_OK(mqttws_huawei_device_new("iot-mqtts.cn-north-4.myhuaweicloud.com",
                                      "65a1b2c3d4e5f6a7b8c9d0e1_dev001", "mySecret123", &d));
    CHECK_OK(mqttws_huawei_device_credentials(d, 1704110400, &c, NULL)); /* 2024-01-01T12Z */
    CHECK_STR(mqttws_credentials_client_id(c), "65a1b2c3d4e5f6a7b8c9d0e1_dev001_0_0_2024010112");
    CHECK_STR(mqttws_credentials_username(c), "65a1b2c3d4e5f6a7b8c9d0e1_dev001");
    CHECK_STR(mqttws_credentials_password(c),
              "5cbe3a5a502c0c74bab04dc9cc4a88e499e4dc1e207a742ca1ffc753a4266679");
    mqttws_credentials_free(c);
    CHECK_OK(mqttws_huawei_device_set_check_timestamp(d, true));
    CHECK_OK(mqttws_huawei_device_credentials(d, 1704110400, &c, NULL));
    CHECK_STR(mqttws_credentials_client_id(c), "65a1b2c3d4e5f6a7b8c9d0e1_dev001_0_1_2024010112");
    mqttws_credentials_free(c);
    CHECK_OK(mqttws_huawei_device_url(d, url, sizeof url, &n, NULL));
    CHECK(strcmp(url, "wss://iot-mqtts.cn-north-4.myhuaweicloud.com/mqtt") == 0);
    mqttws_huawei_device_free(d);
}

/* Expects `rc` with an error object whose message contains `part`. */
#define CHECK_ERR(expr, code, part)                                            \
    do {                                                                       \
        mqttws_error *e_ = NULL;                                               \
        char m_[512];                                                          \
        size_t n_ = 0;                                                         \
        CHECK_RC(expr, code);                                                  \
        CHECK(e_ != NULL);                                                     \
        CHECK_RC(mqttws_error_code(e_), code);                                 \
        CHECK_OK(mqttws_error_message(e_, m_, sizeof m_, &n_));                \
        mqttws_error_free(e_);                                                 \
        if (strstr(m_, part) == NULL) {                                        \
            test_fail(__FILE__, __LINE__, "message \"%s\" lacks \"%s\"", m_, part); \
            return;                                                            \
        }                                                                      \
    } while (0)

void test_platform_errors(void) {
    mqttws_tencent_device *t = NULL;
    mqttws_aliyun_device *a = NULL;
    mqttws_aws_sigv4 *s = NULL;
    mqttws_credentials *c = (mqttws_credentials *)0x1;
    char url[16];
    size_t n = 0;

    /* A PSK that is not base64: MQTTWS_AUTH, without quoting the PSK. */
    CHECK_OK(mqttws_tencent_device_new_psk("ABCDEFGHIJ", "dev001", "not*base64!", &t));
    CHECK_ERR(mqttws_tencent_device_credentials(t, 1700000000, &c, &e_), MQTTWS_AUTH, "base64");
    CHECK(c == (mqttws_credentials *)0x1);
    mqttws_tencent_device_free(t);

    CHECK_OK(mqttws_tencent_device_new_psk("ABCDEFGHIJ", "dev001", TENCENT_PSK, &t));
    CHECK_RC(mqttws_tencent_device_set_sign_method(t, "md5"), MQTTWS_INVALID_ARGUMENT);
    CHECK_RC(mqttws_tencent_device_set_scheme(t, 7), MQTTWS_INVALID_PARAMETER);
    CHECK_OK(mqttws_tencent_device_set_expiry_at(t, 1600000000));
    CHECK_ERR(mqttws_tencent_device_credentials(t, 1700000000, &c, &e_), MQTTWS_INVALID_ARGUMENT,
              "not after now");
    /* A clock before 2015 with a TTL. */
    CHECK_OK(mqttws_tencent_device_set_expiry_ttl(t, 60));
    CHECK_ERR(mqttws_tencent_device_credentials(t, 0, &c, &e_), MQTTWS_INVALID_ARGUMENT, "2015");
    /* The URL does not fit: the size needed, and an error object. */
    CHECK_ERR(mqttws_tencent_device_url(t, url, sizeof url, &n, &e_), MQTTWS_INSUFFICIENT_SIZE,
              "too small");
    CHECK(n == strlen("wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt") + 1);
    CHECK_RC(mqttws_tencent_device_url(t, NULL, 0, &n, NULL), MQTTWS_INSUFFICIENT_SIZE);
    mqttws_tencent_device_free(t);

    /* A key that is not a key. */
    CHECK_OK(mqttws_tencent_device_new_private_key_pem("ABCDEFGHIJ", "dev001",
                                                       (const uint8_t *)"garbage", 7, &t));
    CHECK_OK(mqttws_tencent_device_set_expiry_never(t));
    CHECK_ERR(mqttws_tencent_device_credentials(t, 1700000000, &c, &e_), MQTTWS_AUTH, "key");
    mqttws_tencent_device_free(t);
    CHECK_OK(mqttws_tencent_device_new_private_key_file("ABCDEFGHIJ", "dev001", "/nonexistent.pem",
                                                        &t));
    CHECK_ERR(mqttws_tencent_device_credentials(t, 1700000000, &c, &e_), MQTTWS_AUTH,
              "/nonexistent.pem");
    mqttws_tencent_device_free(t);

    /* Alibaba without an endpoint; an unknown sign method. */
    CHECK_OK(mqttws_aliyun_device_new("pk", "dev", "secret", &a));
    CHECK_ERR(mqttws_aliyun_device_url(a, url, sizeof url, &n, &e_), MQTTWS_INVALID_ARGUMENT,
              "endpoint");
    CHECK_RC(mqttws_aliyun_device_set_sign_method(a, "sha512"), MQTTWS_INVALID_ARGUMENT);
    mqttws_aliyun_device_free(a);
    CHECK_OK(mqttws_aliyun_device_new("pk", "dev", "", &a));
    CHECK_ERR(mqttws_aliyun_device_credentials(a, 1700000000, &c, &e_), MQTTWS_AUTH, "secret");
    mqttws_aliyun_device_free(a);

    /* AWS: no client id; a clock never set; an underivable region. */
    CHECK_OK(mqttws_aws_sigv4_new("example-ats.iot.us-east-1.amazonaws.com", "AK", "SK", &s));
    CHECK_ERR(mqttws_aws_sigv4_credentials(s, 1700000000, &c, &e_), MQTTWS_INVALID_ARGUMENT,
              "client id");
    CHECK_ERR(mqttws_aws_sigv4_presigned_url(s, 5, url, sizeof url, &n, &e_),
              MQTTWS_INVALID_ARGUMENT, "2015");
    mqttws_aws_sigv4_free(s);
    CHECK_OK(mqttws_aws_sigv4_new("broker.example.com", "AK", "SK", &s));
    CHECK_ERR(mqttws_aws_sigv4_presigned_url(s, 1700000000, url, sizeof url, &n, &e_),
              MQTTWS_INVALID_ARGUMENT, "region");
    mqttws_aws_sigv4_free(s);
    CHECK(c == (mqttws_credentials *)0x1);
}

/* Builds options for `url` with a device attached by `attach`. */
static mqttws_client *client_with(const char *url, const char *ca, uint16_t keepalive,
                                  mqttws_result (*attach)(const void *, mqttws_options_builder *),
                                  const void *device) {
    mqttws_options_builder *b = NULL;
    const mqttws_options *o = NULL;
    mqttws_client *c = NULL;
    if (mqttws_options_builder_new(url, &b) != MQTTWS_OK) return NULL;
    if (ca != NULL) mqttws_options_builder_set_ca_file(b, ca);
    mqttws_options_builder_set_keepalive(b, keepalive);
    /* Overridden by the provider: */
    mqttws_options_builder_set_client_id(b, "ignored");
    mqttws_options_builder_set_username(b, "ignored");
    mqttws_options_builder_set_password(b, "ignored");
    if (attach(device, b) != MQTTWS_OK) {
        mqttws_options_builder_free(b);
        return NULL;
    }
    if (mqttws_options_builder_build(b, &o, NULL) != MQTTWS_OK) return NULL;
    mqttws_client_new(o, &c, NULL);
    mqttws_options_free(o);
    return c;
}

static mqttws_result attach_tencent(const void *d, mqttws_options_builder *b) {
    return mqttws_tencent_device_attach((const mqttws_tencent_device *)d, b);
}
static mqttws_result attach_aliyun(const void *d, mqttws_options_builder *b) {
    return mqttws_aliyun_device_attach((const mqttws_aliyun_device *)d, b);
}
static mqttws_result attach_sigv4(const void *d, mqttws_options_builder *b) {
    return mqttws_aws_sigv4_attach((const mqttws_aws_sigv4 *)d, b);
}
static mqttws_result attach_custom(const void *d, mqttws_options_builder *b) {
    return mqttws_aws_custom_auth_attach((const mqttws_aws_custom_auth *)d, b);
}

/*
 * run.sh registers, on the broker's password listeners, the user name and
 * password this device signs with a fixed connid and no expiry (computed
 * there independently, with Python's hmac).
 */
void test_platform_tencent_attached_connects(void) {
    const char *url = need_env("MQTTWS_WS_AUTH_URL");
    mqttws_tencent_device *d = NULL;
    mqttws_client *c;
    if (url == NULL) return;
    CHECK_OK(mqttws_tencent_device_new_psk("ABCDEFGHIJ", "dev001", TENCENT_PSK, &d));
    CHECK_OK(mqttws_tencent_device_set_connid(d, "abcde"));
    CHECK_OK(mqttws_tencent_device_set_expiry_never(d));
    c = client_with(url, NULL, 60, attach_tencent, d);
    CHECK(c != NULL);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    /* Signed again at the next connect. */
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));

    /* The keepalive is checked against the platform's 0..900 s. */
    c = client_with(url, NULL, 1000, attach_tencent, d);
    CHECK(c != NULL);
    CHECK_RC(mqttws_client_connect(c, NULL), MQTTWS_INVALID_ARGUMENT);
    CHECK_OK(mqttws_client_free(c));

    /* A wrong key: the broker refuses CONNECT. */
    mqttws_tencent_device_free(d);
    CHECK_OK(mqttws_tencent_device_new_psk("ABCDEFGHIJ", "dev001", "AAAAAAAAAAAAAAAAAAAAAA==", &d));
    CHECK_OK(mqttws_tencent_device_set_connid(d, "abcde"));
    CHECK_OK(mqttws_tencent_device_set_expiry_never(d));
    c = client_with(url, NULL, 60, attach_tencent, d);
    CHECK(c != NULL);
    {
        mqttws_result rc = mqttws_client_connect(c, NULL);
        CHECK(rc == MQTTWS_CONNACK_NOT_AUTHORIZED || rc == MQTTWS_CONNACK_BAD_USERNAME_OR_PASSWORD);
        CHECK(mqttws_client_last_connack_code(c) == rc - 400);
    }
    CHECK_OK(mqttws_client_free(c));
    mqttws_tencent_device_free(d);
}

void test_platform_aliyun_attached_connects(void) {
    const char *url = need_env("MQTTWS_WS_AUTH_URL");
    mqttws_aliyun_device *d = NULL;
    mqttws_client *c;
    if (url == NULL) return;
    CHECK_OK(mqttws_aliyun_device_new("a1B2c3D4e5F", "dev001", "device-secret", &d));
    CHECK_OK(mqttws_aliyun_device_set_timestamp_fixed(d, 789));
    CHECK_OK(mqttws_aliyun_device_set_scheme(d, MQTTWS_SCHEME_WS));
    c = client_with(url, NULL, 60, attach_aliyun, d);
    CHECK(c != NULL);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
    /* Alibaba refuses keepalives under 30 s; checked before connecting. */
    c = client_with(url, NULL, 10, attach_aliyun, d);
    CHECK(c != NULL);
    CHECK_RC(mqttws_client_connect(c, NULL), MQTTWS_INVALID_ARGUMENT);
    CHECK_OK(mqttws_client_free(c));
    mqttws_aliyun_device_free(d);
}

/*
 * AWS providers replace the URL at each connect: pointed at the broker's
 * wss listener, the client connects although the builder's URL is bogus.
 * SigV4 signs the URL with the current time at every connect.
 */
void test_platform_aws_attached_connects(void) {
    const char *port_s = need_env("MQTTWS_WSS_PORT");
    const char *ca = need_env("MQTTWS_CA_PEM");
    mqttws_aws_sigv4 *s = NULL;
    mqttws_aws_custom_auth *a = NULL;
    mqttws_client *c;
    char url[1024], prefix[64];
    size_t n = 0;
    uint16_t port;
    if (port_s == NULL || ca == NULL) return;
    port = (uint16_t)atoi(port_s);
    snprintf(prefix, sizeof prefix, "wss://127.0.0.1:%u/mqtt?X-Amz-Algorithm=", (unsigned)port);

    CHECK_OK(mqttws_aws_sigv4_new("127.0.0.1", "AKIDEXAMPLE", "secret", &s));
    CHECK_OK(mqttws_aws_sigv4_set_region(s, "us-east-1"));
    CHECK_OK(mqttws_aws_sigv4_set_port(s, port));
    CHECK_OK(mqttws_aws_sigv4_set_client_id(s, "aws-sigv4-dev"));
    CHECK_OK(mqttws_aws_sigv4_set_expires(s, 300));
    CHECK_OK(mqttws_aws_sigv4_presigned_url(s, 1700000000, url, sizeof url, &n, NULL));
    CHECK(strncmp(url, prefix, strlen(prefix)) == 0);
    CHECK(strstr(url, "X-Amz-Expires=300") != NULL);
    c = client_with("wss://bogus.invalid/never-used", ca, 60, attach_sigv4, s);
    CHECK(c != NULL);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
    mqttws_aws_sigv4_free(s);

    CHECK_OK(mqttws_aws_custom_auth_new("127.0.0.1", &a));
    CHECK_OK(mqttws_aws_custom_auth_set_port(a, port));
    CHECK_OK(mqttws_aws_custom_auth_set_client_id(a, "aws-custom-dev"));
    CHECK_OK(mqttws_aws_custom_auth_set_authorizer_name(a, "myAuth"));
    CHECK_OK(mqttws_aws_custom_auth_set_token(a, "x-token", "tok"));
    c = client_with("wss://bogus.invalid/never-used", ca, 60, attach_custom, a);
    CHECK(c != NULL);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
    mqttws_aws_custom_auth_free(a);
}

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

/* Signs with provider `p` at `t` into *c, and frees `p` (NULL is fine). */
static mqttws_result sign(const mqttws_credential_provider *p, uint64_t t, mqttws_credentials **c) {
    mqttws_result rc = mqttws_credential_provider_credentials(p, t, c, NULL);
    mqttws_credential_provider_free(p);
    return rc;
}

/* Copies the endpoint URL of `p` into buf (len bytes), and frees `p`. */
static mqttws_result url_of(const mqttws_credential_provider *p, char *buf, size_t len) {
    size_t n = 0;
    mqttws_result rc = mqttws_credential_provider_url(p, buf, len, &n, NULL);
    mqttws_credential_provider_free(p);
    return rc == MQTTWS_OK && n != strlen(buf) ? MQTTWS_UNKNOWN : rc;
}

/* The reference device of platform-auth.md 2.4, with `method`. */
static mqttws_result tencent_vector_device(const char *method,
                                           mqttws_tencent_device_builder **b) {
    mqttws_result rc = mqttws_tencent_device_builder_new_psk("ABCDEFGHIJ", "dev001", TENCENT_PSK, b);
    if (rc == MQTTWS_OK) rc = mqttws_tencent_device_builder_set_connid(*b, "abcde");
    if (rc == MQTTWS_OK) rc = mqttws_tencent_device_builder_set_sign_method(*b, method);
    return rc;
}

void test_tencent_vectors(void) {
    static const char *const vectors[2][2] = {
        {"hmacsha1", "4503b73274d953b0d5cf14777dbddbd2d9ae67b6;hmacsha1"},
        {"hmacsha256", "ee0578a13c87a73422451cef483983c7681f1e954149f82f799a29bb961ecd03;hmacsha256"},
    };
    mqttws_tencent_device_builder *b = NULL;
    const mqttws_credential_provider *p = NULL;
    mqttws_credentials *c = NULL;
    char url[128];
    size_t i;
    for (i = 0; i < 2; i++) {
        CHECK_OK(tencent_vector_device(vectors[i][0], &b));
        CHECK_OK(mqttws_tencent_device_builder_set_expiry_at(b, 1700000000));
        CHECK_OK(mqttws_tencent_device_builder_build(b, &p));
        CHECK_OK(sign(p, 1699990000, &c));
        CHECK_STR(mqttws_credentials_client_id(c), "ABCDEFGHIJdev001");
        CHECK_STR(mqttws_credentials_username(c), "ABCDEFGHIJdev001;12010126;abcde;1700000000");
        CHECK_STR(mqttws_credentials_password(c), vectors[i][1]);
        CHECK(mqttws_credentials_url(c).data == NULL);
        CHECK(mqttws_credentials_header_count(c) == 0);
        mqttws_credentials_free(c);
    }

    /* The endpoint, by default and in another region over ws://. */
    CHECK_OK(tencent_vector_device("hmacsha256", &b));
    CHECK_OK(mqttws_tencent_device_builder_build(b, &p));
    CHECK_OK(url_of(p, url, sizeof url));
    CHECK(strcmp(url, "wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt") == 0);
    CHECK_OK(tencent_vector_device("hmacsha256", &b));
    CHECK_OK(mqttws_tencent_device_builder_set_region(b, "europe"));
    CHECK_OK(mqttws_tencent_device_builder_set_scheme(b, MQTTWS_SCHEME_WS));
    CHECK_OK(mqttws_tencent_device_builder_build(b, &p));
    CHECK_OK(url_of(p, url, sizeof url));
    CHECK(strcmp(url, "ws://ABCDEFGHIJ.europe.iothub.tencentdevices.com/mqtt") == 0);

    /* Expiry "never", and a TTL with another sdkappid. */
    CHECK_OK(tencent_vector_device("hmacsha256", &b));
    CHECK_OK(mqttws_tencent_device_builder_set_expiry_never(b));
    CHECK_OK(mqttws_tencent_device_builder_build(b, &p));
    CHECK_OK(sign(p, 1699990000, &c));
    CHECK_STR(mqttws_credentials_username(c), "ABCDEFGHIJdev001;12010126;abcde;2147483647");
    mqttws_credentials_free(c);
    CHECK_OK(tencent_vector_device("hmacsha256", &b));
    CHECK_OK(mqttws_tencent_device_builder_set_expiry_ttl(b, 600));
    CHECK_OK(mqttws_tencent_device_builder_set_sdkappid(b, "21010406"));
    CHECK_OK(mqttws_tencent_device_builder_build(b, &p));
    CHECK_OK(sign(p, 1699990000, &c));
    CHECK_STR(mqttws_credentials_username(c), "ABCDEFGHIJdev001;21010406;abcde;1699990600");
    mqttws_credentials_free(c);
}

/* The documented example of platform-auth.md 3.3: client id 12345,
 * timestamp 789, with `method`, `scheme` and the hex case. */
static mqttws_result aliyun_vector_device(const char *method, uint32_t scheme, bool lowercase,
                                          mqttws_aliyun_device_builder **b) {
    mqttws_result rc = mqttws_aliyun_device_builder_new("pk", "device", "secret", b);
    if (rc == MQTTWS_OK) rc = mqttws_aliyun_device_builder_set_client_id(*b, "12345");
    if (rc == MQTTWS_OK) rc = mqttws_aliyun_device_builder_set_timestamp_fixed(*b, 789);
    if (rc == MQTTWS_OK) rc = mqttws_aliyun_device_builder_set_scheme(*b, scheme);
    if (rc == MQTTWS_OK) rc = mqttws_aliyun_device_builder_set_sign_method(*b, method);
    if (rc == MQTTWS_OK) rc = mqttws_aliyun_device_builder_set_lowercase_hex(*b, lowercase);
    return rc;
}

void test_aliyun_vectors(void) {
    mqttws_aliyun_device_builder *b = NULL;
    const mqttws_credential_provider *p = NULL;
    mqttws_credentials *c = NULL;
    char url[128];

    CHECK_OK(aliyun_vector_device("hmacsha1", MQTTWS_SCHEME_WS, false, &b));
    CHECK_OK(mqttws_aliyun_device_builder_build(b, &p));
    CHECK_OK(sign(p, 1700000000, &c));
    CHECK_STR(mqttws_credentials_client_id(c), "12345|securemode=3,signmethod=hmacsha1,timestamp=789|");
    CHECK_STR(mqttws_credentials_username(c), "device&pk");
    CHECK_STR(mqttws_credentials_password(c), "FAFD82A3D602B37FB0FA8B7892F24A477F851A14");
    mqttws_credentials_free(c);

    CHECK_OK(aliyun_vector_device("hmacsha256", MQTTWS_SCHEME_WSS, true, &b));
    CHECK_OK(mqttws_aliyun_device_builder_build(b, &p));
    CHECK_OK(sign(p, 1700000000, &c));
    CHECK_STR(mqttws_credentials_client_id(c), "12345|securemode=2,signmethod=hmacsha256,timestamp=789|");
    CHECK_STR(mqttws_credentials_password(c),
              "6074a46a91b1ebb2cc4ea42790ad0e80202c9843859fc292e57c4eb19fad9e57");
    mqttws_credentials_free(c);

    CHECK_OK(aliyun_vector_device("hmacmd5", MQTTWS_SCHEME_WSS, true, &b));
    CHECK_OK(mqttws_aliyun_device_builder_build(b, &p));
    CHECK_OK(sign(p, 1700000000, &c));
    CHECK_STR(mqttws_credentials_password(c), "14b198324fe55e1d3c88f2e705e201ee");
    mqttws_credentials_free(c);

    /* Timestamp = signing time, in milliseconds; or none. */
    CHECK_OK(aliyun_vector_device("hmacmd5", MQTTWS_SCHEME_WSS, true, &b));
    CHECK_OK(mqttws_aliyun_device_builder_set_timestamp_now(b));
    CHECK_OK(mqttws_aliyun_device_builder_build(b, &p));
    CHECK_OK(sign(p, 1700000000, &c));
    CHECK_STR(mqttws_credentials_client_id(c),
              "12345|securemode=2,signmethod=hmacmd5,timestamp=1700000000000|");
    mqttws_credentials_free(c);
    CHECK_OK(aliyun_vector_device("hmacmd5", MQTTWS_SCHEME_WSS, true, &b));
    CHECK_OK(mqttws_aliyun_device_builder_set_timestamp_omit(b));
    CHECK_OK(mqttws_aliyun_device_builder_build(b, &p));
    CHECK_OK(sign(p, 1700000000, &c));
    CHECK_STR(mqttws_credentials_client_id(c), "12345|securemode=2,signmethod=hmacmd5|");
    mqttws_credentials_free(c);

    /* Endpoints: a region's public instance, an instance (over ws://). */
    CHECK_OK(aliyun_vector_device("hmacmd5", MQTTWS_SCHEME_WSS, true, &b));
    CHECK_OK(mqttws_aliyun_device_builder_set_region(b, "cn-shanghai"));
    CHECK_OK(mqttws_aliyun_device_builder_build(b, &p));
    CHECK_OK(url_of(p, url, sizeof url));
    CHECK(strcmp(url, "wss://pk.iot-as-mqtt.cn-shanghai.aliyuncs.com/") == 0);
    CHECK_OK(aliyun_vector_device("hmacmd5", MQTTWS_SCHEME_WS, true, &b));
    CHECK_OK(mqttws_aliyun_device_builder_set_region(b, "cn-shanghai"));
    CHECK_OK(mqttws_aliyun_device_builder_set_instance(b, "iot-06z00ab1c2d3e4f"));
    CHECK_OK(mqttws_aliyun_device_builder_build(b, &p));
    CHECK_OK(url_of(p, url, sizeof url));
    CHECK(strcmp(url, "ws://iot-06z00ab1c2d3e4f.mqtt.iothub.aliyuncs.com:443/") == 0);
}

#define AWS_HOST "example-ats.iot.us-east-1.amazonaws.com"
#define AWS_URL_A                                                                              \
    "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-" \
    "Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fiotdevicegateway%2Faws4_request&X-Amz-"    \
    "Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature="                            \
    "026c20a61bae0c9e109ab3720b96164d965f64dfc0dd03bfc9f1152ab1d323f9"

/* The SigV4 reference signer of platform-auth.md 4.3, with client id dev1. */
static mqttws_result aws_vector_signer(mqttws_aws_sigv4_builder **b) {
    mqttws_result rc = mqttws_aws_sigv4_builder_new(AWS_HOST, "AKIDEXAMPLE",
                                                    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", b);
    if (rc == MQTTWS_OK) rc = mqttws_aws_sigv4_builder_set_client_id(*b, "dev1");
    return rc;
}

/* The custom-authorizer device of the same section, in `mode`. */
static mqttws_result aws_custom_device(uint32_t mode, mqttws_aws_custom_auth_builder **b) {
    mqttws_result rc = mqttws_aws_custom_auth_builder_new(AWS_HOST, b);
    if (rc == MQTTWS_OK) rc = mqttws_aws_custom_auth_builder_set_client_id(*b, "dev1");
    if (rc == MQTTWS_OK) rc = mqttws_aws_custom_auth_builder_set_authorizer_name(*b, "myAuth");
    if (rc == MQTTWS_OK) rc = mqttws_aws_custom_auth_builder_set_token(*b, "x-token", "tok");
    if (rc == MQTTWS_OK) rc = mqttws_aws_custom_auth_builder_set_token_signature(*b, "c2ln");
    if (rc == MQTTWS_OK) rc = mqttws_aws_custom_auth_builder_set_mode(*b, mode);
    return rc;
}

void test_aws_vectors(void) {
    mqttws_aws_sigv4_builder *s = NULL;
    mqttws_aws_custom_auth_builder *a = NULL;
    const mqttws_credential_provider *p = NULL;
    mqttws_credentials *c = NULL;
    mqttws_str name, value;
    char url[128];
    const uint64_t t = 1440938160; /* 2015-08-30T12:36:00Z */

    CHECK_OK(aws_vector_signer(&s));
    CHECK_OK(mqttws_aws_sigv4_builder_build(s, &p));
    CHECK_OK(mqttws_credential_provider_url(p, url, sizeof url, &(size_t){0}, NULL));
    CHECK(strcmp(url, "wss://" AWS_HOST "/mqtt") == 0); /* before signing */
    CHECK_OK(sign(p, t, &c));
    CHECK_STR(mqttws_credentials_client_id(c), "dev1");
    CHECK(mqttws_credentials_username(c).data == NULL);
    CHECK(mqttws_credentials_password(c).data == NULL);
    CHECK_STR(mqttws_credentials_url(c), AWS_URL_A);
    mqttws_credentials_free(c);
    CHECK_OK(aws_vector_signer(&s));
    CHECK_OK(mqttws_aws_sigv4_builder_set_session_token(s, "AQoDYXdzEXAMPLETOKEN+/="));
    CHECK_OK(mqttws_aws_sigv4_builder_build(s, &p));
    CHECK_OK(sign(p, t, &c));
    CHECK_STR(mqttws_credentials_url(c), AWS_URL_A "&X-Amz-Security-Token=AQoDYXdzEXAMPLETOKEN%2B%2F%3D");
    mqttws_credentials_free(c);

    CHECK_OK(aws_custom_device(MQTTWS_AWS_CUSTOM_AUTH_HEADERS, &a));
    CHECK_OK(mqttws_aws_custom_auth_builder_build(a, &p));
    CHECK_OK(sign(p, t, &c));
    CHECK_STR(mqttws_credentials_url(c), "wss://" AWS_HOST "/mqtt");
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
    CHECK_OK(aws_custom_device(MQTTWS_AWS_CUSTOM_AUTH_QUERY_STRING, &a));
    CHECK_OK(mqttws_aws_custom_auth_builder_build(a, &p));
    CHECK_OK(sign(p, t, &c));
    CHECK_STR(mqttws_credentials_url(c),
              "wss://" AWS_HOST "/mqtt?x-amz-customauthorizer-name="
              "myAuth&x-amz-customauthorizer-signature=c2ln&x-token=tok");
    CHECK(mqttws_credentials_header_count(c) == 0);
    mqttws_credentials_free(c);
}

/* key = bytes 00..1f */
#define AZURE_KEY "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

void test_azure_vectors(void) {
    mqttws_azure_device_builder *b = NULL;
    const mqttws_credential_provider *p = NULL;
    mqttws_credentials *c = NULL;
    char url[128];
    /* se = 1700000000 = signing time + the default TTL. */
    CHECK_OK(mqttws_azure_device_builder_new("myhub.azure-devices.net", "dev001", AZURE_KEY, &b));
    CHECK_OK(mqttws_azure_device_builder_build(b, &p));
    CHECK_OK(mqttws_credential_provider_url(p, url, sizeof url, &(size_t){0}, NULL));
    CHECK(strcmp(url, "wss://myhub.azure-devices.net/$iothub/websocket?iothub-no-client-cert=true") == 0);
    CHECK_OK(sign(p, 1700000000 - 3600, &c));
    CHECK_STR(mqttws_credentials_client_id(c), "dev001");
    CHECK_STR(mqttws_credentials_username(c), "myhub.azure-devices.net/dev001/?api-version=2021-04-12");
    CHECK_STR(mqttws_credentials_password(c),
              "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdev001&sig="
              "IyzAVunfpol%2Bok6JBPSlNvjj7eJ8GKMNNYoV7bsMqiw%3D&se=1700000000");
    mqttws_credentials_free(c);

    CHECK_OK(mqttws_azure_device_builder_new("myhub.azure-devices.net", "dev001", AZURE_KEY, &b));
    CHECK_OK(mqttws_azure_device_builder_set_sas_ttl(b, 60));
    CHECK_OK(mqttws_azure_device_builder_set_api_version(b, "2019-10-01"));
    CHECK_OK(mqttws_azure_device_builder_set_device_client_type(b, "mqttws/c"));
    CHECK_OK(mqttws_azure_device_builder_set_module_id(b, "mod1"));
    CHECK_OK(mqttws_azure_device_builder_set_no_client_cert_hint(b, false));
    CHECK_OK(mqttws_azure_device_builder_set_shared_access_key_name(b, "device"));
    CHECK_OK(mqttws_azure_device_builder_build(b, &p));
    CHECK_OK(mqttws_credential_provider_url(p, url, sizeof url, &(size_t){0}, NULL));
    CHECK(strcmp(url, "wss://myhub.azure-devices.net/$iothub/websocket") == 0);
    CHECK_OK(sign(p, 1700000000, &c));
    CHECK_STR(mqttws_credentials_client_id(c), "dev001/mod1");
    CHECK_STR(mqttws_credentials_username(c),
              "myhub.azure-devices.net/dev001/mod1/?api-version=2019-10-01&DeviceClientType=mqttws%2Fc");
    CHECK(strstr(mqttws_credentials_password(c).data, "&se=1700000060") != NULL);
    CHECK(strstr(mqttws_credentials_password(c).data, "&skn=device") != NULL);
    mqttws_credentials_free(c);
}

void test_huawei_vectors(void) {
    mqttws_huawei_device_builder *b = NULL;
    const mqttws_credential_provider *p = NULL;
    mqttws_credentials *c = NULL;
    char url[128];
    size_t i;
    for (i = 0; i < 2; i++) {
        CHECK_OK(mqttws_huawei_device_builder_new("iot-mqtts.cn-north-4.myhuaweicloud.com",
                                                  "65a1b2c3d4e5f6a7b8c9d0e1_dev001", "mySecret123", &b));
        CHECK_OK(mqttws_huawei_device_builder_set_check_timestamp(b, i == 1));
        CHECK_OK(mqttws_huawei_device_builder_build(b, &p));
        CHECK_OK(mqttws_credential_provider_url(p, url, sizeof url, &(size_t){0}, NULL));
        CHECK(strcmp(url, "wss://iot-mqtts.cn-north-4.myhuaweicloud.com/mqtt") == 0);
        CHECK_OK(sign(p, 1704110400, &c)); /* 2024-01-01T12Z */
        CHECK_STR(mqttws_credentials_client_id(c), i == 0 ? "65a1b2c3d4e5f6a7b8c9d0e1_dev001_0_0_2024010112"
                                                          : "65a1b2c3d4e5f6a7b8c9d0e1_dev001_0_1_2024010112");
        CHECK_STR(mqttws_credentials_username(c), "65a1b2c3d4e5f6a7b8c9d0e1_dev001");
        CHECK_STR(mqttws_credentials_password(c),
                  "5cbe3a5a502c0c74bab04dc9cc4a88e499e4dc1e207a742ca1ffc753a4266679");
        mqttws_credentials_free(c);
    }
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

/* A Tencent key device with `psk`, built into a provider; NULL on failure. */
static const mqttws_credential_provider *tencent_psk(const char *psk, uint64_t expiry_at,
                                                     uint64_t ttl) {
    mqttws_tencent_device_builder *b = NULL;
    const mqttws_credential_provider *p = NULL;
    if (mqttws_tencent_device_builder_new_psk("ABCDEFGHIJ", "dev001", psk, &b) != MQTTWS_OK)
        return NULL;
    mqttws_tencent_device_builder_set_connid(b, "abcde");
    if (expiry_at != 0) mqttws_tencent_device_builder_set_expiry_at(b, expiry_at);
    else if (ttl != 0) mqttws_tencent_device_builder_set_expiry_ttl(b, ttl);
    else mqttws_tencent_device_builder_set_expiry_never(b);
    return mqttws_tencent_device_builder_build(b, &p) == MQTTWS_OK ? p : NULL;
}

void test_platform_errors(void) {
    mqttws_tencent_device_builder *t = NULL;
    mqttws_aliyun_device_builder *a = NULL;
    mqttws_aws_sigv4_builder *s = NULL;
    const mqttws_credential_provider *p = NULL;
    mqttws_credentials *c = (mqttws_credentials *)0x1;
    char url[16];
    size_t n = 0;

    /* A PSK that is not base64: MQTTWS_AUTH, without quoting the PSK. */
    CHECK((p = tencent_psk("not*base64!", 0, 0)) != NULL);
    CHECK_ERR(mqttws_credential_provider_credentials(p, 1700000000, &c, &e_), MQTTWS_AUTH, "base64");
    CHECK(c == (mqttws_credentials *)0x1);
    mqttws_credential_provider_free(p);

    /* Setters refuse what they can check; the rest is checked when signing. */
    CHECK_OK(mqttws_tencent_device_builder_new_psk("ABCDEFGHIJ", "dev001", TENCENT_PSK, &t));
    CHECK_RC(mqttws_tencent_device_builder_set_sign_method(t, "md5"), MQTTWS_INVALID_ARGUMENT);
    CHECK_RC(mqttws_tencent_device_builder_set_scheme(t, 7), MQTTWS_INVALID_PARAMETER);
    mqttws_tencent_device_builder_free(t);
    CHECK((p = tencent_psk(TENCENT_PSK, 1600000000, 0)) != NULL);
    CHECK_ERR(mqttws_credential_provider_credentials(p, 1700000000, &c, &e_), MQTTWS_INVALID_ARGUMENT,
              "not after now");
    mqttws_credential_provider_free(p);
    /* A clock before 2015 with a TTL. */
    CHECK((p = tencent_psk(TENCENT_PSK, 0, 60)) != NULL);
    CHECK_ERR(mqttws_credential_provider_credentials(p, 0, &c, &e_), MQTTWS_INVALID_ARGUMENT, "2015");
    /* The URL does not fit: the size needed, and an error object. */
    CHECK_ERR(mqttws_credential_provider_url(p, url, sizeof url, &n, &e_), MQTTWS_INSUFFICIENT_SIZE,
              "too small");
    CHECK(n == strlen("wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt") + 1);
    CHECK_RC(mqttws_credential_provider_url(p, NULL, 0, &n, NULL), MQTTWS_INSUFFICIENT_SIZE);
    mqttws_credential_provider_free(p);

    /* A key that is not a key; a key file that is not there. */
    CHECK_OK(mqttws_tencent_device_builder_new_private_key_pem("ABCDEFGHIJ", "dev001",
                                                               (const uint8_t *)"garbage", 7, &t));
    CHECK_OK(mqttws_tencent_device_builder_set_expiry_never(t));
    CHECK_OK(mqttws_tencent_device_builder_build(t, &p));
    CHECK_ERR(mqttws_credential_provider_credentials(p, 1700000000, &c, &e_), MQTTWS_AUTH, "key");
    mqttws_credential_provider_free(p);
    CHECK_OK(mqttws_tencent_device_builder_new_private_key_file("ABCDEFGHIJ", "dev001",
                                                                "/nonexistent.pem", &t));
    CHECK_OK(mqttws_tencent_device_builder_build(t, &p));
    CHECK_ERR(mqttws_credential_provider_credentials(p, 1700000000, &c, &e_), MQTTWS_AUTH,
              "/nonexistent.pem");
    mqttws_credential_provider_free(p);

    /* Alibaba without an endpoint; an unknown sign method; an empty secret. */
    CHECK_OK(mqttws_aliyun_device_builder_new("pk", "dev", "secret", &a));
    CHECK_RC(mqttws_aliyun_device_builder_set_sign_method(a, "sha512"), MQTTWS_INVALID_ARGUMENT);
    CHECK_OK(mqttws_aliyun_device_builder_build(a, &p));
    CHECK_ERR(mqttws_credential_provider_url(p, url, sizeof url, &n, &e_), MQTTWS_INVALID_ARGUMENT,
              "endpoint");
    mqttws_credential_provider_free(p);
    CHECK_OK(mqttws_aliyun_device_builder_new("pk", "dev", "", &a));
    CHECK_OK(mqttws_aliyun_device_builder_build(a, &p));
    CHECK_ERR(mqttws_credential_provider_credentials(p, 1700000000, &c, &e_), MQTTWS_AUTH, "secret");
    mqttws_credential_provider_free(p);

    /* AWS: no client id; then a clock never set; an underivable region. */
    CHECK_OK(mqttws_aws_sigv4_builder_new(AWS_HOST, "AK", "SK", &s));
    CHECK_OK(mqttws_aws_sigv4_builder_build(s, &p));
    CHECK_ERR(mqttws_credential_provider_credentials(p, 1700000000, &c, &e_), MQTTWS_INVALID_ARGUMENT,
              "client id");
    mqttws_credential_provider_free(p);
    CHECK_OK(mqttws_aws_sigv4_builder_new(AWS_HOST, "AK", "SK", &s));
    CHECK_OK(mqttws_aws_sigv4_builder_set_client_id(s, "dev1"));
    CHECK_OK(mqttws_aws_sigv4_builder_build(s, &p));
    CHECK_ERR(mqttws_credential_provider_credentials(p, 5, &c, &e_), MQTTWS_INVALID_ARGUMENT, "2015");
    mqttws_credential_provider_free(p);
    CHECK_OK(mqttws_aws_sigv4_builder_new("broker.example.com", "AK", "SK", &s));
    CHECK_OK(mqttws_aws_sigv4_builder_set_client_id(s, "dev1"));
    CHECK_OK(mqttws_aws_sigv4_builder_build(s, &p));
    CHECK_ERR(mqttws_credential_provider_credentials(p, 1700000000, &c, &e_), MQTTWS_INVALID_ARGUMENT,
              "region");
    mqttws_credential_provider_free(p);
    CHECK(c == (mqttws_credentials *)0x1);

    /* _build consumes the builder even without an output (ASan: no leak). */
    {
        mqttws_huawei_device_builder *h = NULL;
        CHECK_OK(mqttws_huawei_device_builder_new("h", "d", "s", &h));
        CHECK_RC(mqttws_huawei_device_builder_build(h, NULL), MQTTWS_NULL_PARAMETER);
    }
}

/* Builds options for `url` whose credentials come from `provider`, which
 * is freed right away: the options hold their own reference. */
static mqttws_client *client_with(const char *url, const char *ca, uint16_t keepalive,
                                  const mqttws_credential_provider *provider) {
    mqttws_options_builder *b = NULL;
    const mqttws_options *o = NULL;
    mqttws_client *c = NULL;
    mqttws_result rc;
    if (provider == NULL || mqttws_options_builder_new(url, &b) != MQTTWS_OK) {
        mqttws_credential_provider_free(provider);
        return NULL;
    }
    if (ca != NULL) mqttws_options_builder_set_ca_file(b, ca);
    mqttws_options_builder_set_keepalive(b, keepalive);
    /* Overridden by the provider: */
    mqttws_options_builder_set_client_id(b, "ignored");
    mqttws_options_builder_set_username(b, "ignored");
    mqttws_options_builder_set_password(b, "ignored");
    rc = mqttws_options_builder_set_credential_provider(b, provider);
    mqttws_credential_provider_free(provider);
    if (rc != MQTTWS_OK) {
        mqttws_options_builder_free(b);
        return NULL;
    }
    if (mqttws_options_builder_build(b, &o, NULL) != MQTTWS_OK) return NULL;
    mqttws_client_new(o, &c, NULL);
    mqttws_options_free(o);
    return c;
}

/*
 * run.sh registers, on the broker's password listeners, the user name and
 * password this device signs with a fixed connid and no expiry (computed
 * there independently, with Python's hmac).
 */
void test_platform_tencent_attached_connects(void) {
    const char *url = need_env("MQTTWS_WS_AUTH_URL");
    mqttws_client *c;
    if (url == NULL) return;
    c = client_with(url, NULL, 60, tencent_psk(TENCENT_PSK, 0, 0));
    CHECK(c != NULL);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    /* Signed again at the next connect. */
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));

    /* The keepalive is checked against the platform's 0..900 s. */
    c = client_with(url, NULL, 1000, tencent_psk(TENCENT_PSK, 0, 0));
    CHECK(c != NULL);
    CHECK_RC(mqttws_client_connect(c, NULL), MQTTWS_INVALID_ARGUMENT);
    CHECK_OK(mqttws_client_free(c));

    /* A wrong key: the broker refuses CONNECT. */
    c = client_with(url, NULL, 60, tencent_psk("AAAAAAAAAAAAAAAAAAAAAA==", 0, 0));
    CHECK(c != NULL);
    {
        mqttws_result rc = mqttws_client_connect(c, NULL);
        CHECK(rc == MQTTWS_CONNACK_NOT_AUTHORIZED || rc == MQTTWS_CONNACK_BAD_USERNAME_OR_PASSWORD);
        CHECK(mqttws_client_last_connack_code(c) == rc - 400);
    }
    CHECK_OK(mqttws_client_free(c));
}

/* The Alibaba device of platform_users.py, built; NULL on failure. */
static const mqttws_credential_provider *aliyun_test_device(void) {
    mqttws_aliyun_device_builder *b = NULL;
    const mqttws_credential_provider *p = NULL;
    if (mqttws_aliyun_device_builder_new("a1B2c3D4e5F", "dev001", "device-secret", &b) != MQTTWS_OK)
        return NULL;
    mqttws_aliyun_device_builder_set_timestamp_fixed(b, 789);
    return mqttws_aliyun_device_builder_build(b, &p) == MQTTWS_OK ? p : NULL;
}

void test_platform_aliyun_attached_connects(void) {
    const char *url = need_env("MQTTWS_WS_AUTH_URL");
    mqttws_client *c;
    if (url == NULL) return;
    c = client_with(url, NULL, 60, aliyun_test_device());
    CHECK(c != NULL);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
    /* Alibaba refuses keepalives under 30 s; checked before connecting. */
    c = client_with(url, NULL, 10, aliyun_test_device());
    CHECK(c != NULL);
    CHECK_RC(mqttws_client_connect(c, NULL), MQTTWS_INVALID_ARGUMENT);
    CHECK_OK(mqttws_client_free(c));
}

/*
 * AWS providers replace the URL at each connect: pointed at the broker's
 * wss listener, the client connects although the builder's URL is bogus.
 * SigV4 signs the URL with the current time at every connect.
 */
void test_platform_aws_attached_connects(void) {
    const char *port_s = need_env("MQTTWS_WSS_PORT");
    const char *ca = need_env("MQTTWS_CA_PEM");
    mqttws_aws_sigv4_builder *s = NULL;
    mqttws_aws_custom_auth_builder *a = NULL;
    const mqttws_credential_provider *p = NULL;
    mqttws_credentials *cr = NULL;
    mqttws_client *c;
    char prefix[64];
    uint16_t port;
    if (port_s == NULL || ca == NULL) return;
    port = (uint16_t)atoi(port_s);
    snprintf(prefix, sizeof prefix, "wss://127.0.0.1:%u/mqtt?X-Amz-Algorithm=", (unsigned)port);

    CHECK_OK(mqttws_aws_sigv4_builder_new("127.0.0.1", "AKIDEXAMPLE", "secret", &s));
    CHECK_OK(mqttws_aws_sigv4_builder_set_region(s, "us-east-1"));
    CHECK_OK(mqttws_aws_sigv4_builder_set_port(s, port));
    CHECK_OK(mqttws_aws_sigv4_builder_set_client_id(s, "aws-sigv4-dev"));
    CHECK_OK(mqttws_aws_sigv4_builder_set_expires(s, 300));
    CHECK_OK(mqttws_aws_sigv4_builder_build(s, &p));
    CHECK_OK(mqttws_credential_provider_credentials(p, 1700000000, &cr, NULL));
    CHECK(strncmp(mqttws_credentials_url(cr).data, prefix, strlen(prefix)) == 0);
    CHECK(strstr(mqttws_credentials_url(cr).data, "X-Amz-Expires=300") != NULL);
    mqttws_credentials_free(cr);
    c = client_with("wss://bogus.invalid/never-used", ca, 60, p);
    CHECK(c != NULL);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));

    CHECK_OK(mqttws_aws_custom_auth_builder_new("127.0.0.1", &a));
    CHECK_OK(mqttws_aws_custom_auth_builder_set_port(a, port));
    CHECK_OK(mqttws_aws_custom_auth_builder_set_client_id(a, "aws-custom-dev"));
    CHECK_OK(mqttws_aws_custom_auth_builder_set_authorizer_name(a, "myAuth"));
    CHECK_OK(mqttws_aws_custom_auth_builder_set_token(a, "x-token", "tok"));
    CHECK_OK(mqttws_aws_custom_auth_builder_build(a, &p));
    c = client_with("wss://bogus.invalid/never-used", ca, 60, p);
    CHECK(c != NULL);
    CHECK_CLIENT_OK(c, mqttws_client_connect(c, NULL));
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
}

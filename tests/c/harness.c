/*
 * Test runner: `mqttws_c_tests [--reduced] [name-substring...]`.
 *
 * --reduced (used under valgrind, which runs code 20-50 times slower):
 * fewer iterations in the loops, and the 1,000 connect cycles are skipped;
 * every other test runs.
 */
#define _POSIX_C_SOURCE 200809L

#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

bool g_reduced = false;
int g_failures = 0;
static const char *g_current = "";

void test_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    g_failures++;
    fprintf(stderr, "  FAIL %s (%s:%d): ", g_current, file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

bool str_eq(mqttws_str view, const char *expected) {
    if (view.data == NULL) return expected == NULL;
    if (expected == NULL) return false;
    return view.len == strlen(expected) && memcmp(view.data, expected, view.len) == 0 &&
           view.data[view.len] == '\0';
}

const char *need_env(const char *name) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        test_fail(__FILE__, __LINE__, "environment variable %s is not set (run tests/c/run.sh)",
                  name);
        return NULL;
    }
    return v;
}

void unique_topic(char *buf, size_t len, const char *suffix) {
    static unsigned counter = 0;
    snprintf(buf, len, "mqttws-c/%ld/%u/%s", (long)getpid(), ++counter, suffix);
}

double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

long rss_kib(void) {
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL) return -1;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void print_error(const char *what, mqttws_result rc, mqttws_error *err) {
    char msg[512] = "";
    size_t n = 0;
    if (err != NULL) mqttws_error_message(err, msg, sizeof msg, &n);
    test_fail(__FILE__, __LINE__, "%s: %u (%s): %s", what, (unsigned)rc, mqttws_result_str(rc),
              msg);
    mqttws_error_free(err);
}

const mqttws_options *make_options(const char *url, const char *client_id, const char *ca) {
    mqttws_options_builder *b = NULL;
    const mqttws_options *o = NULL;
    mqttws_error *err = NULL;
    mqttws_result rc;
    if (url == NULL) return NULL;
    if ((rc = mqttws_options_builder_new(url, &b)) != MQTTWS_OK) {
        print_error("mqttws_options_builder_new", rc, NULL);
        return NULL;
    }
    if (client_id != NULL) mqttws_options_builder_set_client_id(b, client_id);
    if (ca != NULL) mqttws_options_builder_set_ca_file(b, ca);
    mqttws_options_builder_set_connect_timeout_ms(b, 10000);
    if ((rc = mqttws_options_builder_build(b, &o, &err)) != MQTTWS_OK) {
        print_error("mqttws_options_builder_build", rc, err);
        return NULL;
    }
    return o;
}

mqttws_client *connect_client(const char *url, const char *client_id, const char *ca) {
    const mqttws_options *o = make_options(url, client_id, ca);
    mqttws_client *c = NULL;
    mqttws_error *err = NULL;
    mqttws_result rc;
    if (o == NULL) return NULL;
    rc = mqttws_client_new(o, &c, &err);
    mqttws_options_free(o);
    if (rc != MQTTWS_OK) {
        print_error("mqttws_client_new", rc, err);
        return NULL;
    }
    if ((rc = mqttws_client_connect(c, NULL)) != MQTTWS_OK) {
        char msg[512] = "";
        size_t n = 0;
        mqttws_client_last_error(c, msg, sizeof msg, &n);
        test_fail(__FILE__, __LINE__, "connect to %s: %u: %s", url, (unsigned)rc, msg);
        mqttws_client_free(c);
        return NULL;
    }
    return c;
}

mqttws_result poll_into(mqttws_client *client, int timeout_ms, mqttws_event **event) {
    mqttws_event_free(*event);
    *event = NULL;
    return mqttws_client_poll(client, timeout_ms, event);
}

const mqttws_message *msg_of(const mqttws_event *event) {
    static const mqttws_message empty = {{NULL, 0}, {(const uint8_t *)"", 0}, 0, false, false, NULL};
    const mqttws_message *m = mqttws_event_message(event);
    return m != NULL ? m : &empty;
}

mqttws_result poll_message(mqttws_client *client, int timeout_ms, mqttws_event **event) {
    double deadline = now_ms() + timeout_ms;
    for (;;) {
        double left = deadline - now_ms();
        mqttws_result rc;
        if (left <= 0) return MQTTWS_TIMEOUT;
        rc = poll_into(client, (int)left + 1, event);
        if (rc != MQTTWS_OK) return rc;
        if (mqttws_event_get_kind(*event) == MQTTWS_EVENT_MESSAGE) return MQTTWS_OK;
    }
}

/* ---- the test list ---------------------------------------------------- */

#define TEST_LIST(X)                       \
    X(result_codes_and_version)            \
    X(options_builder_misuse)              \
    X(null_parameters_options_and_errors)  \
    X(null_parameters_client)              \
    X(null_parameters_platforms)           \
    X(invalid_parameters_client)           \
    X(error_message_buffer_too_small)      \
    X(calls_before_connect_and_after_disconnect) \
    X(tencent_vectors)                     \
    X(aliyun_vectors)                      \
    X(aws_vectors)                         \
    X(azure_vectors)                       \
    X(huawei_vectors)                      \
    X(platform_errors)                     \
    X(roundtrip_ws_qos0_1_2)               \
    X(roundtrip_wss_qos0_1_2)              \
    X(roundtrip_mtls)                      \
    X(tls_errors)                          \
    X(connack_refused)                     \
    X(handshake_http_status)               \
    X(callback_and_reentrancy)             \
    X(subscribe_many_and_unsubscribe_many) \
    X(will_and_clean_session)              \
    X(feature_options_misuse)              \
    X(offline_queue)                       \
    X(reconnect_events)                    \
    X(ws_ping_and_store_dir)               \
    X(proxy_refusal)                       \
    X(mqtt5_misuse_options)                \
    X(mqtt5_misuse_accessors)              \
    X(mqtt5_misuse_client)                 \
    X(mqtt5_properties_roundtrip_ws)       \
    X(mqtt5_properties_roundtrip_wss)      \
    X(mqtt5_connect_and_connack)           \
    X(mqtt5_subscribe_options_and_reason_codes) \
    X(mqtt5_refused_publish)               \
    X(mqtt5_will_properties)               \
    X(mqtt5_v311_client_refuses_v5_arguments) \
    X(mqtt5_connack_refused)               \
    X(platform_tencent_attached_connects)  \
    X(platform_aliyun_attached_connects)   \
    X(platform_aws_attached_connects)      \
    X(interrupt_from_another_thread)       \
    X(one_client_shared_by_a_poller_and_two_publishers) \
    X(free_retried_while_a_call_ends)      \
    X(create_free_cycles)                  \
    X(create_connect_free_cycles)

#define DECLARE(name) void test_##name(void);
TEST_LIST(DECLARE)

struct test {
    const char *name;
    void (*fn)(void);
};

#define ENTRY(name) {#name, test_##name},
static const struct test TESTS[] = {TEST_LIST(ENTRY)};

int main(int argc, char **argv) {
    int ran = 0, failed_tests = 0;
    double t0 = now_ms();
    size_t i;
    int a;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (a = 1; a < argc && strncmp(argv[a], "--", 2) == 0; a++) {
        if (strcmp(argv[a], "--reduced") == 0) g_reduced = true;
    }
    for (i = 0; i < sizeof TESTS / sizeof TESTS[0]; i++) {
        int before = g_failures;
        double start;
        bool selected = a >= argc;
        int f;
        for (f = a; f < argc; f++)
            if (strstr(TESTS[i].name, argv[f]) != NULL) selected = true;
        if (!selected) continue;
        g_current = TESTS[i].name;
        start = now_ms();
        TESTS[i].fn();
        ran++;
        if (g_failures != before) {
            failed_tests++;
            printf("FAIL %s (%.0f ms)\n", TESTS[i].name, now_ms() - start);
        } else {
            printf("ok   %s (%.0f ms)\n", TESTS[i].name, now_ms() - start);
        }
    }
    printf("%d tests, %d failed, %.1f s%s\n", ran, failed_tests, (now_ms() - t0) / 1000.0,
           g_reduced ? " (reduced)" : "");
    return failed_tests == 0 && ran > 0 ? 0 : 1;
}

/*
 * A tiny test harness for the C test suite of libmqttws.
 *
 * Each test is a `void test_x(void)` that returns at the first failed CHECK
 * (the failure is counted and printed; resources of a failed test may leak,
 * which the sanitizers then also report). Tests are listed in harness.c.
 *
 * The broker's addresses come from environment variables exported by
 * tests/c/run.sh, which starts the mqttws-test-broker binary (a real
 * mosquitto): MQTTWS_WS_URL, MQTTWS_WSS_URL, MQTTWS_WSS_MTLS_URL,
 * MQTTWS_WS_AUTH_URL, MQTTWS_WSS_PORT, MQTTWS_CA_PEM, MQTTWS_WRONG_CA_PEM,
 * MQTTWS_CLIENT_CERT, MQTTWS_CLIENT_KEY.
 */
#ifndef MQTTWS_TEST_HARNESS_H
#define MQTTWS_TEST_HARNESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqttws.h"

/* Set by main: run the reduced set of iterations (under valgrind). */
extern bool g_reduced;
/* Failed checks so far. */
extern int g_failures;

void test_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#define CHECK(cond)                                                  \
    do {                                                             \
        if (!(cond)) {                                               \
            test_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond); \
            return;                                                  \
        }                                                            \
    } while (0)

#define CHECK_RC(expr, expected)                                                         \
    do {                                                                                 \
        mqttws_result rc_ = (expr);                                                      \
        mqttws_result want_ = (expected);                                                \
        if (rc_ != want_) {                                                              \
            test_fail(__FILE__, __LINE__, "%s returned %u (%s), expected %u (%s)", #expr, \
                      (unsigned)rc_, mqttws_result_str(rc_), (unsigned)want_,            \
                      mqttws_result_str(want_));                                         \
            return;                                                                      \
        }                                                                                \
    } while (0)

#define CHECK_OK(expr) CHECK_RC(expr, MQTTWS_OK)

/* Like CHECK_RC, and prints the client's last error on a mismatch. */
#define CHECK_CLIENT_RC(client, expr, expected)                                          \
    do {                                                                                 \
        mqttws_result rc_ = (expr);                                                      \
        mqttws_result want_ = (expected);                                                \
        if (rc_ != want_) {                                                              \
            char msg_[512];                                                              \
            size_t n_ = 0;                                                               \
            if (mqttws_client_last_error((client), msg_, sizeof msg_, &n_) != MQTTWS_OK) \
                msg_[0] = '\0';                                                          \
            test_fail(__FILE__, __LINE__, "%s returned %u (%s), expected %u (%s): %s",    \
                      #expr, (unsigned)rc_, mqttws_result_str(rc_), (unsigned)want_,     \
                      mqttws_result_str(want_), msg_);                                   \
            return;                                                                      \
        }                                                                                \
    } while (0)

#define CHECK_CLIENT_OK(client, expr) CHECK_CLIENT_RC(client, expr, MQTTWS_OK)

/* Compares a borrowed string view with a C string. */
#define CHECK_STR(view, expected)                                                       \
    do {                                                                                \
        mqttws_str v_ = (view);                                                         \
        const char *e_ = (expected);                                                    \
        if (!str_eq(v_, e_)) {                                                          \
            test_fail(__FILE__, __LINE__, "%s is \"%.*s\", expected \"%s\"", #view,     \
                      v_.data ? (int)v_.len : 6, v_.data ? v_.data : "(null)", e_);     \
            return;                                                                     \
        }                                                                               \
    } while (0)

bool str_eq(mqttws_str view, const char *expected);

/* The environment variable `name`, or NULL after recording a failure. */
const char *need_env(const char *name);

/* A topic unique to this process and call: "mqttws-c/<pid>/<n>/<suffix>". */
void unique_topic(char *buf, size_t len, const char *suffix);

/* Milliseconds on the monotonic clock. */
double now_ms(void);

/* Resident set size in KiB, from /proc/self/statm. */
long rss_kib(void);

/*
 * Builds options for `url` with the given client id; adds the test CA when
 * `ca` is not NULL. Returns NULL (after recording a failure) on error.
 */
const mqttws_options *make_options(const char *url, const char *client_id, const char *ca);

/* Creates and connects a client; NULL (after recording a failure) on error. */
mqttws_client *connect_client(const char *url, const char *client_id, const char *ca);

/*
 * mqttws_client_poll into a variable that holds one event at a time: the
 * event *event held before is freed first, so a test reads its event until
 * its next poll, and frees the last one with mqttws_event_free.
 */
mqttws_result poll_into(mqttws_client *client, int timeout_ms, mqttws_event **event);

/* The message of a MESSAGE event; for any other event (or NULL), an empty
 * message, so that a failing check reads zeros instead of crashing. */
const mqttws_message *msg_of(const mqttws_event *event);

/*
 * Polls (as poll_into) until a MESSAGE event arrives (skipping others) or
 * `timeout_ms` passes; returns its result code (MQTTWS_TIMEOUT if none came).
 */
mqttws_result poll_message(mqttws_client *client, int timeout_ms, mqttws_event **event);

/*
 * A one-shot HTTP server on a free loopback port: a thread accepts one
 * connection, reads the request and answers with `reply`. Join `th` and
 * close `s->fd` when done. Returns 0 on success. (test_network.c)
 */
struct http_server {
    int fd;
    uint16_t port;
    const char *reply;
};
int http_server_start(struct http_server *s, pthread_t *th, const char *reply);

#endif /* MQTTWS_TEST_HARNESS_H */

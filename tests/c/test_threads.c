/*
 * Threads and memory: mqttws_client_interrupt from a second thread, a
 * second thread misusing a busy client, and create/free and
 * create/connect/free cycles whose resident memory must not grow.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#if defined(__SANITIZE_ADDRESS__)
/* ASan keeps freed memory in quarantine: RSS grows by design. */
#define RSS_MEANINGFUL 0
#else
#define RSS_MEANINGFUL 1
#endif

/* Under qemu-user (the ARM runs of tests/dist/run.sh, which set
 * MQTTWS_TEST_EMULATED=1), /proc/self/statm is the emulator's: its
 * translation cache grows with the code it runs. The cycles still run and
 * must succeed; only their RSS is not judged. */
static bool rss_meaningful(void) {
    static int emulated = -1;
    if (emulated < 0) emulated = getenv("MQTTWS_TEST_EMULATED") != NULL;
    if (RSS_MEANINGFUL && emulated) printf("     RSS not judged: running under an emulator\n");
    return RSS_MEANINGFUL && !emulated;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

struct interrupter {
    mqttws_client *client;
    long delay_ms;
    double fired_at;
    mqttws_result rc;
};

static void *interrupt_later(void *arg) {
    struct interrupter *it = arg;
    sleep_ms(it->delay_ms);
    it->fired_at = now_ms();
    it->rc = mqttws_client_interrupt(it->client);
    return NULL;
}

void test_interrupt_from_another_thread(void) {
    mqttws_client *c = connect_client(need_env("MQTTWS_WS_URL"), "interrupt", NULL);
    mqttws_event ev;
    int round;
    /* Under valgrind everything is 20-50 times slower. */
    const double limit_ms = g_reduced ? 1000.0 : 100.0;
    if (c == NULL) return;
    for (round = 0; round < 5; round++) {
        struct interrupter it = {c, 150, 0, MQTTWS_PANIC};
        pthread_t th;
        double returned, started = now_ms();
        mqttws_result rc;
        CHECK(pthread_create(&th, NULL, interrupt_later, &it) == 0);
        rc = mqttws_client_poll(c, -1, &ev); /* would block forever */
        returned = now_ms();
        pthread_join(th, NULL);
        CHECK_RC(it.rc, MQTTWS_OK);
        CHECK_RC(rc, MQTTWS_INTERRUPTED);
        CHECK(returned >= it.fired_at);
        if (returned - it.fired_at > limit_ms) {
            test_fail(__FILE__, __LINE__, "poll returned %.1f ms after the interrupt (limit %.0f)",
                      returned - it.fired_at, limit_ms);
            return;
        }
        if (round == 0)
            printf("     interrupt: blocked %.0f ms, returned %.2f ms after the interrupt\n",
                   returned - started, returned - it.fired_at);
    }
    /* The connection is unchanged. */
    CHECK(mqttws_client_is_connected(c));
    CHECK_CLIENT_OK(c, mqttws_client_publish_and_wait(c, "mqttws-c/interrupt", 18, NULL, 0, 1, false));
    /* An interrupt with nothing blocked makes the next blocking call return
     * (once the events already queued, like the PUBACK above, are taken). */
    do {
        CHECK_CLIENT_OK(c, mqttws_client_poll(c, 0, &ev));
    } while (ev.kind != MQTTWS_EVENT_NONE);
    CHECK_OK(mqttws_client_interrupt(c));
    {
        double t = now_ms();
        CHECK_RC(mqttws_client_poll(c, 5000, &ev), MQTTWS_INTERRUPTED);
        CHECK(now_ms() - t < 1000);
    }
    CHECK_CLIENT_OK(c, mqttws_client_poll(c, 0, &ev)); /* consumed: back to normal */
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
}

struct poller {
    mqttws_client *client;
    mqttws_result rc;
};

static void *poll_forever(void *arg) {
    struct poller *p = arg;
    mqttws_event ev;
    p->rc = mqttws_client_poll(p->client, -1, &ev);
    return NULL;
}

/* A misuse (two threads on one client) gets MQTTWS_BUSY, never a deadlock. */
void test_busy_from_another_thread(void) {
    mqttws_client *c = connect_client(need_env("MQTTWS_WS_URL"), "busy", NULL);
    struct poller p;
    pthread_t th;
    if (c == NULL) return;
    p.client = c;
    p.rc = MQTTWS_PANIC;
    CHECK(pthread_create(&th, NULL, poll_forever, &p) == 0);
    sleep_ms(g_reduced ? 1500 : 200);
    CHECK_RC(mqttws_client_publish(c, "mqttws-c/busy", 13, NULL, 0, 0, false, NULL), MQTTWS_BUSY);
    CHECK_RC(mqttws_client_free(c), MQTTWS_BUSY);
    CHECK(!mqttws_client_is_connected(c)); /* unknown while busy: false */
    CHECK_OK(mqttws_client_interrupt(c));
    pthread_join(th, NULL);
    CHECK_RC(p.rc, MQTTWS_INTERRUPTED);
    CHECK_RC(mqttws_client_last_error_code(c), MQTTWS_INTERRUPTED);
    CHECK(mqttws_client_is_connected(c));
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
}

/* One create/free cycle of every object kind, without network. */
static int create_free_once(void) {
    mqttws_options_builder *b = NULL;
    const mqttws_options *o = NULL;
    mqttws_client *c = NULL;
    mqttws_tencent_device *t = NULL;
    mqttws_credentials *cr = NULL;
    mqttws_error *err = NULL;
    if (mqttws_options_builder_new("wss://127.0.0.1:9/mqtt", &b) != MQTTWS_OK) return 0;
    mqttws_options_builder_set_client_id(b, "cycle");
    mqttws_options_builder_set_username(b, "user");
    mqttws_options_builder_set_password(b, "pass");
    mqttws_options_builder_set_will(b, "w", 1, (const uint8_t *)"x", 1, 1, true);
    mqttws_options_builder_add_header(b, "X-Cycle", "1");
    if (mqttws_tencent_device_new_psk("ABCDEFGHIJ", "dev001", "AAECAwQFBgcICQoLDA0ODw==", &t) !=
        MQTTWS_OK)
        return 0;
    mqttws_tencent_device_attach(t, b);
    if (mqttws_tencent_device_credentials(t, 1700000000, &cr, NULL) != MQTTWS_OK) return 0;
    mqttws_credentials_free(cr);
    mqttws_tencent_device_set_expiry_at(t, 1);
    if (mqttws_tencent_device_credentials(t, 1700000000, &cr, &err) == MQTTWS_OK) return 0;
    mqttws_error_free(err);
    mqttws_tencent_device_free(t);
    if (mqttws_options_builder_build(b, &o, NULL) != MQTTWS_OK) return 0;
    if (mqttws_client_new(o, &c, NULL) != MQTTWS_OK) return 0;
    mqttws_options_free(o);
    mqttws_client_publish(c, "t", 1, NULL, 0, 0, false, NULL); /* CLOSED: records an error */
    return mqttws_client_free(c) == MQTTWS_OK;
}

void test_create_free_cycles(void) {
    const int warmup = 100, cycles = g_reduced ? 200 : 1000;
    long before, after;
    int i;
    for (i = 0; i < warmup; i++) CHECK(create_free_once());
    before = rss_kib();
    for (i = 0; i < cycles; i++) CHECK(create_free_once());
    after = rss_kib();
    printf("     %d create/free cycles: RSS %ld KiB -> %ld KiB (%+ld KiB)\n", cycles, before, after,
           after - before);
    if (!g_reduced && rss_meaningful()) CHECK(after - before < 1024);
}

/* Connect cycles run in parallel threads; mosquitto answers a handshake
 * only on its ~100 ms idle tick, so one thread would take minutes. */
#define CONNECT_THREADS 8

struct cycler {
    const mqttws_options *options;
    int cycles;
    int failures;
    mqttws_result last_rc;
};

static void *connect_cycles(void *arg) {
    struct cycler *cy = arg;
    int i;
    for (i = 0; i < cy->cycles; i++) {
        mqttws_client *c = NULL;
        mqttws_result rc = mqttws_client_new(cy->options, &c, NULL);
        if (rc == MQTTWS_OK) rc = mqttws_client_connect(c, NULL);
        if (rc == MQTTWS_OK && i % 10 == 0)
            rc = mqttws_client_publish_and_wait(c, "mqttws-c/cycle", 14, (const uint8_t *)"c", 1, 1,
                                                false);
        if (rc != MQTTWS_OK) {
            cy->failures++;
            cy->last_rc = rc;
        }
        mqttws_client_free(c);
    }
    return NULL;
}

static int run_connect_cycles(const mqttws_options *o, int total) {
    pthread_t th[CONNECT_THREADS];
    struct cycler cy[CONNECT_THREADS];
    int i, failures = 0;
    for (i = 0; i < CONNECT_THREADS; i++) {
        cy[i].options = o; /* shared, immutable: safe from several threads */
        cy[i].cycles = total / CONNECT_THREADS;
        cy[i].failures = 0;
        cy[i].last_rc = MQTTWS_OK;
        if (pthread_create(&th[i], NULL, connect_cycles, &cy[i]) != 0) return -1;
    }
    for (i = 0; i < CONNECT_THREADS; i++) {
        pthread_join(th[i], NULL);
        failures += cy[i].failures;
        if (cy[i].failures)
            fprintf(stderr, "     thread %d: %d failed, last %u (%s)\n", i, cy[i].failures,
                    (unsigned)cy[i].last_rc, mqttws_result_str(cy[i].last_rc));
    }
    return failures;
}

void test_create_connect_free_cycles(void) {
    const char *url = need_env("MQTTWS_WSS_URL");
    const char *ca = need_env("MQTTWS_CA_PEM");
    const mqttws_options *o;
    const int total = 1000;
    long before, after;
    double t0;
    if (g_reduced) {
        /* Under valgrind, 1,000 TLS connects would take far too long; the
         * create/free cycles above still run there. */
        printf("     skipped under --reduced (valgrind)\n");
        return;
    }
    o = make_options(url, NULL, ca);
    if (o == NULL) return;
    CHECK(run_connect_cycles(o, 80) == 0); /* warm-up */
    before = rss_kib();
    t0 = now_ms();
    CHECK(run_connect_cycles(o, total) == 0);
    after = rss_kib();
    mqttws_options_free(o);
    printf("     %d wss create/connect/free cycles in %.1f s (%d threads): "
           "RSS %ld KiB -> %ld KiB (%+ld KiB)\n",
           total, (now_ms() - t0) / 1000.0, CONNECT_THREADS, before, after, after - before);
    if (rss_meaningful()) CHECK(after - before < 2048);
}

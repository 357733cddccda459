/*
 * Threads and memory: mqttws_client_interrupt from a second thread, a
 * second thread misusing a busy client, and create/free and
 * create/connect/free cycles whose resident memory must not grow.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

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

/* Interrupts `client` every 10 ms, after a first delay, until `done`: an
 * interrupt ends only the calls in progress when it happens, and the test
 * cannot see the moment its poll starts blocking. */
struct interrupter {
    mqttws_client *client;
    long delay_ms;
    volatile int done;
    volatile double fired_at; /* the last interrupt */
    mqttws_result rc;
};

static void *interrupt_until_done(void *arg) {
    struct interrupter *it = arg;
    sleep_ms(it->delay_ms);
    while (!__atomic_load_n(&it->done, __ATOMIC_SEQ_CST)) {
        it->fired_at = now_ms();
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        it->rc = mqttws_client_interrupt(it->client);
        sleep_ms(10);
    }
    return NULL;
}

void test_interrupt_from_another_thread(void) {
    mqttws_client *c = connect_client(need_env("MQTTWS_WS_URL"), "interrupt", NULL);
    mqttws_event *ev = NULL;
    int round;
    /* Under valgrind everything is 20-50 times slower. */
    const double limit_ms = g_reduced ? 1000.0 : 100.0;
    if (c == NULL) return;
    for (round = 0; round < 5; round++) {
        struct interrupter it = {c, 150, 0, 0, MQTTWS_PANIC};
        pthread_t th;
        double returned, fired, started = now_ms();
        mqttws_result rc;
        CHECK(pthread_create(&th, NULL, interrupt_until_done, &it) == 0);
        rc = poll_into(c, -1, &ev); /* would block forever */
        returned = now_ms();
        __atomic_store_n(&it.done, 1, __ATOMIC_SEQ_CST);
        pthread_join(th, NULL);
        fired = it.fired_at;
        CHECK_RC(it.rc, MQTTWS_OK);
        CHECK_RC(rc, MQTTWS_INTERRUPTED);
        CHECK(returned >= fired || returned - fired > -15.0);
        if (returned - fired > limit_ms) {
            test_fail(__FILE__, __LINE__, "poll returned %.1f ms after the interrupt (limit %.0f)",
                      returned - fired, limit_ms);
            return;
        }
        if (round == 0)
            printf("     interrupt: blocked %.0f ms, returned %.2f ms after the interrupt\n",
                   returned - started, returned - fired);
    }
    /* The connection is unchanged. */
    CHECK(mqttws_client_is_connected(c));
    CHECK_CLIENT_OK(c, mqttws_client_publish_and_wait(c, "mqttws-c/interrupt", 18, NULL, 0, 1, false));
    /* An interrupt with nothing blocked is not kept for a later call. */
    CHECK_OK(mqttws_client_interrupt(c));
    {
        double t = now_ms();
        do {
            CHECK_CLIENT_OK(c, poll_into(c, 100, &ev));
        } while (mqttws_event_get_kind(ev) != MQTTWS_EVENT_NONE);
        CHECK(now_ms() - t >= 90);
    }
    mqttws_event_free(ev);
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
}

/* One client shared by three threads: one blocked in poll(-1), two
 * publishing QoS 1 messages. Nothing answers MQTTWS_BUSY, no publish waits
 * for the poll, and every message arrives. */
struct shared_poller {
    mqttws_client *client;
    volatile int stop;
    int events;
    mqttws_result rc;
};

static void *poll_until_stopped(void *arg) {
    struct shared_poller *p = arg;
    mqttws_event *ev = NULL;
    for (;;) {
        mqttws_result rc = poll_into(p->client, -1, &ev);
        if (rc == MQTTWS_INTERRUPTED && __atomic_load_n(&p->stop, __ATOMIC_SEQ_CST)) break;
        if (rc != MQTTWS_OK && rc != MQTTWS_INTERRUPTED) {
            p->rc = rc;
            break;
        }
        if (ev != NULL) p->events++;
    }
    mqttws_event_free(ev);
    return NULL;
}

struct shared_publisher {
    mqttws_client *client;
    const char *topic;
    int id, count;
    double worst_ms;
    mqttws_result rc;
};

static void *publish_many(void *arg) {
    struct shared_publisher *p = arg;
    int i;
    p->rc = MQTTWS_OK;
    for (i = 0; i < p->count; i++) {
        char payload[32];
        int n = snprintf(payload, sizeof payload, "%d/%d", p->id, i);
        double t = now_ms();
        mqttws_result rc = mqttws_client_publish(p->client, p->topic, strlen(p->topic),
                                                 (const uint8_t *)payload, (size_t)n, 1, false,
                                                 NULL);
        t = now_ms() - t;
        if (t > p->worst_ms) p->worst_ms = t;
        if (rc != MQTTWS_OK) {
            p->rc = rc;
            return NULL;
        }
    }
    return NULL;
}

void test_one_client_shared_by_a_poller_and_two_publishers(void) {
    const int per_thread = g_reduced ? 50 : 400;
    const double limit_ms = g_reduced ? 5000.0 : 500.0;
    char topic[128];
    mqttws_client *sub, *c;
    struct shared_poller poller = {NULL, 0, 0, MQTTWS_OK};
    struct shared_publisher pubs[2];
    struct interrupter it;
    pthread_t poll_th, pub_th[2], it_th;
    mqttws_event *ev = NULL;
    int i, got = 0;
    char *seen;
    unique_topic(topic, sizeof topic, "shared");
    sub = connect_client(need_env("MQTTWS_WS_URL"), NULL, NULL);
    if (sub == NULL) return;
    CHECK_CLIENT_OK(sub, mqttws_client_subscribe(sub, topic, strlen(topic), 1, NULL));
    c = connect_client(need_env("MQTTWS_WS_URL"), NULL, NULL);
    if (c == NULL) return;
    poller.client = c;
    CHECK(pthread_create(&poll_th, NULL, poll_until_stopped, &poller) == 0);
    for (i = 0; i < 2; i++) {
        pubs[i] = (struct shared_publisher){c, topic, i, per_thread, 0, MQTTWS_PANIC};
        CHECK(pthread_create(&pub_th[i], NULL, publish_many, &pubs[i]) == 0);
    }
    for (i = 0; i < 2; i++) pthread_join(pub_th[i], NULL);
    /* Stop the poller: interrupt until it has returned. */
    __atomic_store_n(&poller.stop, 1, __ATOMIC_SEQ_CST);
    it = (struct interrupter){c, 0, 0, 0, MQTTWS_PANIC};
    CHECK(pthread_create(&it_th, NULL, interrupt_until_done, &it) == 0);
    pthread_join(poll_th, NULL);
    __atomic_store_n(&it.done, 1, __ATOMIC_SEQ_CST);
    pthread_join(it_th, NULL);
    for (i = 0; i < 2; i++) {
        CHECK_RC(pubs[i].rc, MQTTWS_OK);
        if (pubs[i].worst_ms > limit_ms) {
            test_fail(__FILE__, __LINE__, "a publish waited %.1f ms (limit %.0f)", pubs[i].worst_ms,
                      limit_ms);
            return;
        }
    }
    CHECK_RC(poller.rc, MQTTWS_OK);
    printf("     shared client: slowest publish %.2f / %.2f ms, %d events polled\n",
           pubs[0].worst_ms, pubs[1].worst_ms, poller.events);
    /* Every message arrives, once or more (QoS 1). */
    seen = calloc((size_t)(2 * per_thread), 1);
    CHECK(seen != NULL);
    while (got < 2 * per_thread) {
        const mqttws_message *m;
        int id = -1, n = -1;
        char text[32];
        if (poll_message(sub, 10000, &ev) != MQTTWS_OK) {
            test_fail(__FILE__, __LINE__, "%d of %d messages arrived", got, 2 * per_thread);
            free(seen);
            return;
        }
        m = msg_of(ev);
        snprintf(text, sizeof text, "%.*s", (int)m->payload.len, (const char *)m->payload.data);
        if (sscanf(text, "%d/%d", &id, &n) == 2 && id >= 0 && id < 2 && n >= 0 &&
            n < per_thread && !seen[id * per_thread + n]) {
            seen[id * per_thread + n] = 1;
            got++;
        }
    }
    free(seen);
    mqttws_event_free(ev);
    CHECK_CLIENT_OK(c, mqttws_client_disconnect(c));
    CHECK_OK(mqttws_client_free(c));
    CHECK_CLIENT_OK(sub, mqttws_client_disconnect(sub));
    CHECK_OK(mqttws_client_free(sub));
}

struct connector {
    mqttws_client *client;
    mqttws_result rc;
};

static void *connect_once(void *arg) {
    struct connector *c = arg;
    c->rc = mqttws_client_connect(c->client, NULL);
    return NULL;
}

/* A listening socket on a free loopback port that never answers the
 * upgrade; accept() is bounded by a 5 s receive timeout. */
static int silent_listener(unsigned *port) {
    struct sockaddr_in addr;
    socklen_t alen = sizeof addr;
    struct timeval tv = {5, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &alen) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(addr.sin_port);
    return fd;
}

/* A free that retries on MQTTWS_BUSY while another thread's call ends must
 * not free the client until that call is completely done. It used to: the
 * call recorded its error after unlocking, and a free in that window made
 * it write into freed memory (ASan: heap-use-after-free, double free). */
void test_free_retried_while_a_call_ends(void) {
    const int rounds = g_reduced ? 5 : 150;
    unsigned port = 0;
    char url[64];
    int lfd = silent_listener(&port), round, busy_seen = 0;
    CHECK(lfd >= 0);
    snprintf(url, sizeof url, "ws://127.0.0.1:%u/mqtt", port);
    for (round = 0; round < rounds; round++) {
        mqttws_options_builder *b = NULL;
        const mqttws_options *o = NULL;
        struct connector conn = {NULL, MQTTWS_PANIC};
        pthread_t th;
        mqttws_result rc;
        int fd;
        CHECK_OK(mqttws_options_builder_new(url, &b));
        CHECK_OK(mqttws_options_builder_set_connect_timeout_ms(b, 20));
        CHECK_OK(mqttws_options_builder_build(b, &o, NULL));
        CHECK_OK(mqttws_client_new(o, &conn.client, NULL));
        mqttws_options_free(o);
        CHECK(pthread_create(&th, NULL, connect_once, &conn) == 0);
        /* The connect is in progress once its TCP connection is here. */
        fd = accept(lfd, NULL, NULL);
        CHECK(fd >= 0);
        while ((rc = mqttws_client_free(conn.client)) == MQTTWS_BUSY) busy_seen++;
        pthread_join(th, NULL);
        close(fd);
        CHECK_RC(rc, MQTTWS_OK);
        CHECK_RC(conn.rc, MQTTWS_TIMEOUT);
    }
    close(lfd);
    CHECK(busy_seen > 0);
}

/* One create/free cycle of every object kind, without network. */
static int create_free_once(void) {
    mqttws_options_builder *b = NULL;
    const mqttws_options *o = NULL;
    mqttws_client *c = NULL;
    mqttws_tencent_device_builder *t = NULL;
    const mqttws_credential_provider *p = NULL;
    mqttws_credentials *cr = NULL;
    mqttws_error *err = NULL;
    if (mqttws_options_builder_new("wss://127.0.0.1:9/mqtt", &b) != MQTTWS_OK) return 0;
    mqttws_options_builder_set_client_id(b, "cycle");
    mqttws_options_builder_set_username(b, "user");
    mqttws_options_builder_set_password(b, "pass");
    mqttws_options_builder_set_will(b, "w", 1, (const uint8_t *)"x", 1, 1, true);
    mqttws_options_builder_add_header(b, "X-Cycle", "1");
    if (mqttws_tencent_device_builder_new_psk("ABCDEFGHIJ", "dev001", "AAECAwQFBgcICQoLDA0ODw==",
                                              &t) != MQTTWS_OK)
        return 0;
    mqttws_tencent_device_builder_set_expiry_at(t, 1);
    if (mqttws_tencent_device_builder_build(t, &p) != MQTTWS_OK) return 0;
    mqttws_options_builder_set_credential_provider(b, p);
    if (mqttws_credential_provider_credentials(p, 1700000000, &cr, &err) == MQTTWS_OK) return 0;
    mqttws_error_free(err);
    mqttws_credential_provider_free(p);
    if (mqttws_tencent_device_builder_new_psk("ABCDEFGHIJ", "dev001", "AAECAwQFBgcICQoLDA0ODw==",
                                              &t) != MQTTWS_OK)
        return 0;
    if (mqttws_tencent_device_builder_build(t, &p) != MQTTWS_OK) return 0;
    if (mqttws_credential_provider_credentials(p, 1700000000, &cr, NULL) != MQTTWS_OK) return 0;
    mqttws_credentials_free(cr);
    mqttws_credential_provider_free(p);
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

/*
 * Benchmark client for the shared MQTT-over-WebSocket harness (../shared/bench):
 * the mqttws C API (include/mqttws.h), linked statically against libmqttws.a.
 * Modelled on the harness's peers/paho-c/bench.c: same scenarios, same
 * structure (two connections for throughput, one for latency, warm-up rules),
 * same JSON line.
 *
 *   mqttws-c-bench --url ws://127.0.0.1:18080/mqtt --scenario throughput|latency|connect
 *                  --count N --size BYTES [--qos Q] [--cafile CA.pem] [--timeout SECONDS]
 *
 * Library usage (the way the C examples use it):
 *  - one client per thread (the C API's thread rule): the subscriber runs
 *    mqttws_client_poll on its own thread with a message callback, the
 *    publisher publishes on the main thread;
 *  - throughput: publishes in batches of BATCH between mqttws_client_cork
 *    and mqttws_client_uncork (a batch is with the kernel when uncork
 *    returns; a few writes per batch instead of one per message);
 *  - mqttws_client_publish hands each message to the kernel and returns; at
 *    QoS 1 the library's own inflight window (default 20) bounds the
 *    unacknowledged messages, and publish blocks only while it is full;
 *  - the publisher drains its PUBLISHED events with mqttws_client_poll(0)
 *    every 256 publishes, so that they do not pile up in the client;
 *  - latency: publish, then mqttws_client_poll until the callback has seen
 *    the message come back.
 */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mqttws.h>

#define CLIENT_NAME "mqttws-c"
#define MQTTWS_DEFAULT_WINDOW 20 /* the core's default inflight window (core/src/session.rs) */
#define DRAIN_EVERY 256
/* Publishes per cork/uncork batch in the throughput scenario (divides DRAIN_EVERY). */
#define BATCH 32

static const char *g_url = "ws://127.0.0.1:18080/mqtt";
static const char *g_scenario = "throughput";
static long g_count = 1000;
static long g_size = 64;
static int g_qos = 0;
static const char *g_cafile = NULL;
static double g_timeout_s = 60.0;
static char g_topic[128];
static size_t g_topic_len;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void emit(double seconds, double p50_us, double p99_us, double connect_ms, double c50_ms,
                 double c99_ms, long received, const char *error)
{
	int is_lat = strcmp(g_scenario, "latency") == 0;
	int is_con = strcmp(g_scenario, "connect") == 0;
	double rate = seconds > 0 ? (double)(is_con || is_lat ? g_count : received) / seconds : 0.0;
	printf("{\"client\":\"%s\",\"scenario\":\"%s\",\"count\":%ld,\"size\":%ld,\"qos\":%d,"
	       "\"seconds\":%.6f,\"msgs_per_s\":%.1f,",
	       CLIENT_NAME, g_scenario, g_count, g_size, g_qos, seconds, error ? 0.0 : rate);
	if (is_lat && !error)
		printf("\"p50_us\":%.1f,\"p99_us\":%.1f,", p50_us, p99_us);
	else
		printf("\"p50_us\":null,\"p99_us\":null,");
	if (is_con && !error)
		printf("\"connect_ms\":%.3f,\"connect_p50_ms\":%.3f,\"connect_p99_ms\":%.3f,", connect_ms,
		       c50_ms, c99_ms);
	else
		printf("\"connect_ms\":null,");
	printf("\"received\":%ld,\"inflight_window\":%d,\"url\":\"%s\",\"ok\":%s", received,
	       g_qos > 0 ? MQTTWS_DEFAULT_WINDOW : 0, g_url, error ? "false" : "true");
	if (error) {
		printf(",\"error\":\"");
		for (const char *p = error; *p; p++) {
			if (*p == '"' || *p == '\\')
				putchar('\\');
			putchar((*p >= 0x20) ? *p : ' ');
		}
		printf("\"");
	}
	printf("}\n");
	fflush(stdout);
}

static void fail(const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	emit(0, 0, 0, 0, 0, 0, 0, buf);
	exit(1);
}

/* "what: result text: detail" for a failed call on a client. */
static void fail_client(mqttws_client *c, const char *what, mqttws_result rc)
{
	char detail[512] = "";
	size_t n = 0;
	if (c)
		mqttws_client_last_error(c, detail, sizeof detail, &n);
	fail("%s: %s (%u)%s%s", what, mqttws_result_str(rc), (unsigned)rc, n ? ": " : "", detail);
}

static int remaining_ms(double deadline)
{
	double left = deadline - now_s();
	if (left <= 0)
		return 0;
	return left > 2e9 / 1e3 ? 2000000000 : (int)(left * 1e3) + 1;
}

static mqttws_client *make_client(const char *suffix)
{
	static unsigned seq = 0;
	char cid[96];
	snprintf(cid, sizeof cid, "bench-%s-%d-%s-%u", CLIENT_NAME, (int)getpid(), suffix, seq++);
	mqttws_options_builder *b = NULL;
	const mqttws_options *o = NULL;
	mqttws_error *err = NULL;
	mqttws_client *c = NULL;
	uint32_t tmo = (uint32_t)(g_timeout_s * 1e3);
	mqttws_result rc = mqttws_options_builder_new(g_url, &b);
	if (rc != MQTTWS_OK)
		fail("mqttws_options_builder_new(%s): %s", g_url, mqttws_result_str(rc));
	mqttws_options_builder_set_client_id(b, cid);
	mqttws_options_builder_set_keepalive(b, 60);
	mqttws_options_builder_set_clean_session(b, true);
	mqttws_options_builder_set_connect_timeout_ms(b, tmo ? tmo : 1);
	mqttws_options_builder_set_operation_timeout_ms(b, tmo ? tmo : 1);
	if (g_cafile && strncmp(g_url, "wss://", 6) == 0)
		mqttws_options_builder_set_ca_file(b, g_cafile);
	rc = mqttws_options_builder_build(b, &o, &err);
	if (rc != MQTTWS_OK) {
		char msg[256] = "";
		size_t n = 0;
		mqttws_error_message(err, msg, sizeof msg, &n);
		mqttws_error_free(err);
		fail("options: %s", msg);
	}
	rc = mqttws_client_new(o, &c, &err);
	mqttws_options_free(o);
	if (rc != MQTTWS_OK) {
		char msg[256] = "";
		size_t n = 0;
		mqttws_error_message(err, msg, sizeof msg, &n);
		mqttws_error_free(err);
		fail("mqttws_client_new: %s", msg);
	}
	return c;
}

static void connect_or_fail(mqttws_client *c, const char *what)
{
	mqttws_result rc = mqttws_client_connect(c, NULL);
	if (rc != MQTTWS_OK)
		fail_client(c, what, rc);
}

static void subscribe_or_fail(mqttws_client *c)
{
	mqttws_result rc = mqttws_client_subscribe(c, g_topic, g_topic_len, (uint8_t)g_qos, NULL);
	if (rc != MQTTWS_OK)
		fail_client(c, "subscribe", rc);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double pct(double *sorted, long n, double p)
{
	if (n <= 0)
		return 0;
	long idx = (long)ceil(p / 100.0 * (double)n) - 1;
	if (idx < 0)
		idx = 0;
	if (idx >= n)
		idx = n - 1;
	return sorted[idx];
}

/* ---- throughput ------------------------------------------------------------ */
struct receiver {
	mqttws_client *client;
	long received;
	double last_rx;
	double deadline;
	mqttws_result rc;
};

static void on_count(void *userdata, const mqttws_message *m)
{
	(void)m;
	struct receiver *r = userdata;
	r->received++;
}

static void *receiver_main(void *arg)
{
	struct receiver *r = arg;
	while (r->received < g_count) {
		mqttws_event *ev = NULL;
		int ms = remaining_ms(r->deadline);
		if (ms == 0)
			break;
		r->rc = mqttws_client_poll(r->client, ms, &ev);
		mqttws_event_free(ev);
		if (r->rc != MQTTWS_OK)
			return NULL;
	}
	r->last_rx = now_s();
	return NULL;
}

static void scenario_throughput(void)
{
	struct receiver r = {0};
	r.client = make_client("sub");
	connect_or_fail(r.client, "connect (subscriber)");
	subscribe_or_fail(r.client);
	mqttws_client_set_message_callback(r.client, on_count, &r);

	/* The subscriber's own thread, polling while the publisher publishes on its client. */
	r.deadline = now_s() + g_timeout_s;
	pthread_t th;
	if (pthread_create(&th, NULL, receiver_main, &r) != 0)
		fail("pthread_create failed");

	mqttws_client *pub = make_client("pub");
	connect_or_fail(pub, "connect (publisher)");

	uint8_t *payload = malloc((size_t)g_size + 1);
	memset(payload, 'x', (size_t)g_size);

	double t0 = now_s();
	for (long i = 0; i < g_count; i++) {
		mqttws_result rc;
		if (i % BATCH == 0 && (rc = mqttws_client_cork(pub)) != MQTTWS_OK)
			fail_client(pub, "cork", rc);
		rc = mqttws_client_publish(pub, g_topic, g_topic_len, payload, (size_t)g_size,
		                           (uint8_t)g_qos, false, NULL);
		if (rc != MQTTWS_OK)
			fail_client(pub, "publish", rc);
		if (((i + 1) % BATCH == 0 || i + 1 == g_count) && (rc = mqttws_client_uncork(pub)) != MQTTWS_OK)
			fail_client(pub, "uncork", rc);
		if (g_qos > 0 && (i + 1) % DRAIN_EVERY == 0) {
			/* Take the PUBLISHED events (acknowledgements) out of the client. */
			mqttws_event *ev = NULL;
			do {
				mqttws_event_free(ev);
				rc = mqttws_client_poll(pub, 0, &ev);
				if (rc != MQTTWS_OK)
					fail_client(pub, "poll (publisher)", rc);
			} while (ev != NULL);
		}
	}
	pthread_join(th, NULL);
	if (r.rc != MQTTWS_OK)
		fail_client(r.client, "poll (subscriber)", r.rc);
	if (r.received < g_count)
		fail("timeout: received %ld of %ld", r.received, g_count);

	emit(r.last_rx - t0, 0, 0, 0, 0, 0, r.received, NULL);
	mqttws_client_disconnect(pub);
	mqttws_client_disconnect(r.client);
	mqttws_client_free(pub);
	mqttws_client_free(r.client);
	free(payload);
}

/* ---- latency --------------------------------------------------------------- */
struct echo {
	long received;
	double t_rx;
};

static void on_echo(void *userdata, const mqttws_message *m)
{
	(void)m;
	struct echo *e = userdata;
	e->t_rx = now_s();
	e->received++;
}

static void scenario_latency(void)
{
	struct echo e = {0};
	mqttws_client *c = make_client("lat");
	connect_or_fail(c, "connect");
	subscribe_or_fail(c);
	mqttws_client_set_message_callback(c, on_echo, &e);

	uint8_t *payload = malloc((size_t)g_size + 1);
	memset(payload, 'x', (size_t)g_size);
	long warm = g_count / 10 < 100 ? g_count / 10 : 100;
	double *rtt = malloc(sizeof(double) * (size_t)g_count);
	double deadline = now_s() + g_timeout_s;
	double t_measure = now_s();
	for (long i = 0; i < warm + g_count; i++) {
		if (i == warm)
			t_measure = now_s();
		long before = e.received;
		double t = now_s();
		mqttws_result rc = mqttws_client_publish(c, g_topic, g_topic_len, payload, (size_t)g_size,
		                                         (uint8_t)g_qos, false, NULL);
		if (rc != MQTTWS_OK)
			fail_client(c, "publish", rc);
		while (e.received == before) {
			int ms = remaining_ms(deadline);
			if (ms == 0)
				fail("timeout at round trip %ld", i);
			mqttws_event *ev = NULL;
			rc = mqttws_client_poll(c, ms, &ev);
			mqttws_event_free(ev);
			if (rc != MQTTWS_OK)
				fail_client(c, "poll", rc);
		}
		if (i >= warm)
			rtt[i - warm] = (e.t_rx - t) * 1e6;
	}
	double secs = now_s() - t_measure;
	qsort(rtt, (size_t)g_count, sizeof(double), cmp_double);
	emit(secs, pct(rtt, g_count, 50), pct(rtt, g_count, 99), 0, 0, 0, g_count, NULL);
	mqttws_client_disconnect(c);
	mqttws_client_free(c);
	free(rtt);
	free(payload);
}

/* ---- connect --------------------------------------------------------------- */
static void scenario_connect(void)
{
	double *ms = malloc(sizeof(double) * (size_t)g_count);
	double t0 = now_s();
	double sum = 0;
	/* i == -1 is one unmeasured warm-up cycle (first-use costs: TLS init, CA load). */
	for (long i = -1; i < g_count; i++) {
		if (i == 0)
			t0 = now_s();
		if (now_s() - t0 > g_timeout_s)
			fail("timeout after %ld connects", i);
		mqttws_client *c = make_client("con");
		double a = now_s();
		connect_or_fail(c, "connect");
		double b = now_s();
		mqttws_result rc = mqttws_client_disconnect(c);
		if (rc != MQTTWS_OK)
			fail_client(c, "disconnect", rc);
		mqttws_client_free(c);
		if (i >= 0) {
			ms[i] = (b - a) * 1e3;
			sum += ms[i];
		}
	}
	double secs = now_s() - t0;
	qsort(ms, (size_t)g_count, sizeof(double), cmp_double);
	emit(secs, 0, 0, sum / (double)g_count, pct(ms, g_count, 50), pct(ms, g_count, 99), 0, NULL);
	free(ms);
}

static void usage(void)
{
	fprintf(stderr, "usage: mqttws-c-bench --url URL --scenario throughput|latency|connect --count N "
	                "--size BYTES [--qos 0|1|2] [--cafile FILE] [--timeout SECONDS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (i + 1 >= argc)
			usage();
		const char *v = argv[++i];
		if (!strcmp(a, "--url"))
			g_url = v;
		else if (!strcmp(a, "--scenario"))
			g_scenario = v;
		else if (!strcmp(a, "--count"))
			g_count = atol(v);
		else if (!strcmp(a, "--size"))
			g_size = atol(v);
		else if (!strcmp(a, "--qos"))
			g_qos = atoi(v);
		else if (!strcmp(a, "--cafile"))
			g_cafile = v;
		else if (!strcmp(a, "--timeout"))
			g_timeout_s = atof(v);
		else
			usage();
	}
	if (strcmp(g_scenario, "throughput") && strcmp(g_scenario, "latency") && strcmp(g_scenario, "connect"))
		usage();
	if (g_count < 1 || g_size < 0 || g_qos < 0 || g_qos > 2 || g_timeout_s <= 0)
		usage();
	if (!g_cafile)
		g_cafile = getenv("BENCH_CAFILE");
	if (strncmp(g_url, "ws://", 5) != 0 && strncmp(g_url, "wss://", 6) != 0)
		fail("unsupported URL %s: mqttws speaks ws:// and wss:// only", g_url);

	srand((unsigned)(getpid() ^ (unsigned)time(NULL)));
	snprintf(g_topic, sizeof g_topic, "bench/%s/%d-%08x", CLIENT_NAME, (int)getpid(), (unsigned)rand());
	g_topic_len = strlen(g_topic);

	if (!strcmp(g_scenario, "throughput"))
		scenario_throughput();
	else if (!strcmp(g_scenario, "latency"))
		scenario_latency();
	else
		scenario_connect();
	return 0;
}

// Command mqttws-go-bench is the benchmark client of the shared
// MQTT-over-WebSocket harness (../shared/bench) for the mqttws Go module
// (bindings/go), modelled on the harness's peers: same scenarios, structure,
// warm-up rules and JSON line.
//
//	mqttws-go-bench --url URL --scenario throughput|latency|connect --count N --size BYTES
//	                [--qos Q] [--cafile CA.pem] [--timeout SECONDS]
//
// Library usage (the module's idiomatic shape): mqttws.Dial per connection;
// throughput: the subscriber's Recv loop in its own goroutine, the publisher
// calls PublishAsync in batches of 32 between Cork and Uncork (a batch is
// with the socket when Uncork returns; at QoS 1 the library's inflight window
// (default 20) bounds what is unacknowledged);
// latency: PublishAsync then Recv on one client; connect: Dial then Close.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"sort"
	"strings"
	"time"

	"mqttws.dev/mqttws"
)

const clientName = "mqttws-go"

// hot is the context of the per-message calls (PublishAsync, Recv). A
// cancellable context costs the binding a watcher goroutine per C call, so,
// as a long-running Go publisher would, they run without one; they stay
// bounded by WithOperationTimeout (publish) and by the --timeout watchdog in
// main (Recv). Dial and Subscribe take the --timeout context.
var hot = context.Background()

// batch is the number of publishes per Cork/Uncork batch in the throughput scenario.
const batch = 32

var (
	url      = flag.String("url", "ws://127.0.0.1:18080/mqtt", "broker URL")
	scenario = flag.String("scenario", "throughput", "throughput|latency|connect")
	count    = flag.Int("count", 1000, "messages, round trips or connects")
	size     = flag.Int("size", 64, "payload bytes")
	qosFlag  = flag.Int("qos", 0, "QoS 0, 1 or 2")
	cafile   = flag.String("cafile", os.Getenv("BENCH_CAFILE"), "CA file for wss://")
	timeout  = flag.Float64("timeout", 60, "seconds")
	seq      = 0
)

type outcome struct {
	seconds, p50, p99          float64
	received                   int
	connMean, connP50, connP99 float64
	isLatency, isConnect       bool
}

func emit(o outcome, err error) {
	n := o.received
	if *scenario != "throughput" {
		n = *count
	}
	rate := 0.0
	if err == nil && o.seconds > 0 {
		rate = float64(n) / o.seconds
	}
	rec := map[string]any{
		"client": clientName, "scenario": *scenario, "count": *count, "size": *size, "qos": *qosFlag,
		"seconds": o.seconds, "msgs_per_s": math.Round(rate*10) / 10, "p50_us": nil, "p99_us": nil,
		"connect_ms": nil, "received": o.received, "url": *url, "ok": err == nil,
	}
	if *qosFlag > 0 {
		rec["inflight_window"] = 20 // the library default (WithInflightWindow)
	} else {
		rec["inflight_window"] = 0
	}
	if err == nil && o.isLatency {
		rec["p50_us"], rec["p99_us"] = o.p50, o.p99
	}
	if err == nil && o.isConnect {
		rec["connect_ms"], rec["connect_p50_ms"], rec["connect_p99_ms"] = o.connMean, o.connP50, o.connP99
	}
	if err != nil {
		rec["error"] = err.Error()
	}
	line, _ := json.Marshal(rec)
	fmt.Println(string(line))
	if err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

func fail(format string, a ...any) { emit(outcome{}, fmt.Errorf(format, a...)) }

func dial(ctx context.Context, tag string) (*mqttws.Client, error) {
	cid := fmt.Sprintf("bench-%s-%d-%s-%d", clientName, os.Getpid(), tag, seq)
	seq++
	to := time.Duration(*timeout * float64(time.Second))
	opts := []mqttws.Option{
		mqttws.WithClientID(cid),
		mqttws.WithKeepAlive(60 * time.Second),
		mqttws.WithCleanSession(true),
		mqttws.WithConnectTimeout(to),
		mqttws.WithOperationTimeout(to),
	}
	if *cafile != "" && strings.HasPrefix(*url, "wss://") {
		opts = append(opts, mqttws.WithCAFile(*cafile))
	}
	return mqttws.Dial(ctx, *url, opts...)
}

func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}

func topic() string {
	return fmt.Sprintf("bench/%s/%d-%08x", clientName, os.Getpid(), rand.Uint32())
}

func throughput(ctx context.Context) {
	t, n, q := topic(), *count, mqttws.QoS(*qosFlag)
	sub, err := dial(ctx, "sub")
	if err != nil {
		fail("connect (subscriber): %v", err)
	}
	if _, err := sub.Subscribe(ctx, t, q); err != nil {
		fail("subscribe: %v", err)
	}
	type result struct {
		got  int
		last time.Time
		err  error
	}
	done := make(chan result, 1)
	go func() {
		got := 0
		for got < n {
			if _, err := sub.Recv(hot); err != nil {
				done <- result{got, time.Now(), err}
				return
			}
			got++
		}
		done <- result{got, time.Now(), nil}
	}()
	pub, err := dial(ctx, "pub")
	if err != nil {
		fail("connect (publisher): %v", err)
	}
	payload := []byte(strings.Repeat("x", *size))
	t0 := time.Now()
	// Batches of batch publishes between Cork and Uncork (as the C and Rust
	// benchmark clients do): a batch leaves in a few writes and is with the
	// kernel when Uncork returns.
	for i := 0; i < n; i++ {
		if i%batch == 0 {
			if err := pub.Cork(); err != nil {
				fail("publisher: %v", err)
			}
		}
		if _, err := pub.PublishAsync(hot, t, payload, q, false); err != nil {
			fail("publisher: %v", err)
		}
		if (i+1)%batch == 0 || i+1 == n {
			if err := pub.Uncork(hot); err != nil {
				fail("publisher: %v", err)
			}
		}
	}
	r := <-done
	if r.err != nil {
		emit(outcome{received: r.got}, fmt.Errorf("subscriber (received %d of %d): %w", r.got, n, r.err))
	}
	secs := r.last.Sub(t0).Seconds()
	_ = pub.Close()
	_ = sub.Close()
	emit(outcome{seconds: secs, received: r.got}, nil)
}

func latency(ctx context.Context) {
	t, q := topic(), mqttws.QoS(*qosFlag)
	c, err := dial(ctx, "lat")
	if err != nil {
		fail("connect: %v", err)
	}
	if _, err := c.Subscribe(ctx, t, q); err != nil {
		fail("subscribe: %v", err)
	}
	payload := []byte(strings.Repeat("x", *size))
	warm := *count / 10
	if warm > 100 {
		warm = 100
	}
	rtt := make([]float64, 0, *count)
	tMeasure := time.Now()
	for i := 0; i < warm+*count; i++ {
		if i == warm {
			tMeasure = time.Now()
		}
		t0 := time.Now()
		if _, err := c.PublishAsync(hot, t, payload, q, false); err != nil {
			fail("publish at round trip %d: %v", i, err)
		}
		if _, err := c.Recv(hot); err != nil {
			fail("round trip %d: %v", i, err)
		}
		if i >= warm {
			rtt = append(rtt, float64(time.Since(t0).Nanoseconds())/1e3)
		}
	}
	secs := time.Since(tMeasure).Seconds()
	sort.Float64s(rtt)
	_ = c.Close()
	emit(outcome{seconds: secs, received: *count, p50: pct(rtt, 50), p99: pct(rtt, 99), isLatency: true}, nil)
}

func connect(ctx context.Context) {
	ms := make([]float64, 0, *count)
	t0 := time.Now()
	// i == -1 is one unmeasured warm-up cycle (first-use costs: TLS init, CA load).
	for i := -1; i < *count; i++ {
		if i == 0 {
			t0 = time.Now()
		}
		a := time.Now()
		c, err := dial(ctx, "con") // create + connect: one call in this API
		if err != nil {
			fail("connect %d: %v", i, err)
		}
		b := time.Now()
		if err := c.Close(); err != nil {
			fail("close %d: %v", i, err)
		}
		if i >= 0 {
			ms = append(ms, float64(b.Sub(a).Nanoseconds())/1e6)
		}
	}
	secs := time.Since(t0).Seconds()
	sum := 0.0
	for _, v := range ms {
		sum += v
	}
	sort.Float64s(ms)
	emit(outcome{seconds: secs, connMean: sum / float64(len(ms)), connP50: pct(ms, 50), connP99: pct(ms, 99),
		isConnect: true}, nil)
}

func main() {
	flag.Parse()
	if *count < 1 || *size < 0 || *qosFlag < 0 || *qosFlag > 2 {
		fmt.Fprintln(os.Stderr, "usage: mqttws-go-bench --url URL --scenario throughput|latency|connect --count N --size BYTES [--qos Q] [--cafile CA] [--timeout S]")
		os.Exit(2)
	}
	if !strings.HasPrefix(*url, "ws://") && !strings.HasPrefix(*url, "wss://") {
		fail("unsupported URL %s: mqttws speaks ws:// and wss:// only", *url)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(*timeout*float64(time.Second)))
	defer cancel()
	go func() {
		<-ctx.Done()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			time.Sleep(5 * time.Second) // the calls above report the timeout themselves
			fail("overall timeout")
		}
	}()
	switch *scenario {
	case "throughput":
		throughput(ctx)
	case "latency":
		latency(ctx)
	case "connect":
		connect(ctx)
	default:
		fmt.Fprintln(os.Stderr, "unknown scenario", *scenario)
		os.Exit(2)
	}
}

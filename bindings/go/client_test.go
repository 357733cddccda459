package mqttws

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testTimeout bounds every wait of a test.
const testTimeout = 20 * time.Second

var topicSeq atomic.Int64

// topic returns a topic no other test uses.
func topic(t *testing.T) string {
	return fmt.Sprintf("mqttws-go/%s/%d", strings.ReplaceAll(t.Name(), "/", "-"), topicSeq.Add(1))
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// dial connects or fails the test; the client is closed at the end.
func dial(t *testing.T, url string, opts ...Option) *Client {
	t.Helper()
	c, err := Dial(testCtx(t), url, opts...)
	if err != nil {
		t.Fatalf("Dial(%s): %v", url, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func subscribe(t *testing.T, c *Client, filter string, qos QoS) {
	t.Helper()
	if _, err := c.Subscribe(testCtx(t), filter, qos); err != nil {
		t.Fatalf("Subscribe(%s): %v", filter, err)
	}
}

func recv(t *testing.T, c *Client) *Message {
	t.Helper()
	m, err := c.Recv(testCtx(t))
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	return m
}

func wssOpts() []Option { return []Option{WithCAFile(broker.CAPEMPath)} }

func TestRoundTrip(t *testing.T) {
	transports := []struct {
		name string
		url  string
		opts []Option
	}{
		{"ws", broker.WSURL, nil},
		{"wss", broker.WSSURL, wssOpts()},
	}
	for _, tr := range transports {
		for _, qos := range []QoS{AtMostOnce, AtLeastOnce, ExactlyOnce} {
			tr, qos := tr, qos
			t.Run(fmt.Sprintf("%s/qos%d", tr.name, qos), func(t *testing.T) {
				sub := dial(t, tr.url, tr.opts...)
				pub := dial(t, tr.url, tr.opts...)
				tp := topic(t)
				subscribe(t, sub, tp, qos)
				payloads := [][]byte{[]byte("hello"), {0, 1, 2, 0xff, 0}, {}}
				for _, p := range payloads {
					if err := pub.Publish(testCtx(t), tp, p, qos, false); err != nil {
						t.Fatalf("Publish: %v", err)
					}
				}
				for i, want := range payloads {
					m := recv(t, sub)
					if m.Topic != tp || !bytes.Equal(m.Payload, want) || m.QoS != qos || m.Retain {
						t.Fatalf("message %d: got %+v, want topic %s payload %x qos %d", i, m, tp, want, qos)
					}
				}
				if n := pub.Inflight(); n != 0 {
					t.Errorf("Inflight after acknowledged publishes: %d", n)
				}
			})
		}
	}
}

// TestCorkedBatch: a corked publish stays in the client until Uncork or
// Flush, and a batch larger than the inflight window arrives in order.
func TestCorkedBatch(t *testing.T) {
	sub := dial(t, broker.WSURL)
	pub := dial(t, broker.WSURL)
	tp := topic(t)
	subscribe(t, sub, tp, AtLeastOnce)
	// nothingWithin fails the test if a message arrives within a bounded wait.
	nothingWithin := func(what string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		if m, err := sub.Recv(ctx); err == nil {
			t.Fatalf("%s: got %q while corked", what, m.Payload)
		}
	}
	expect := func(want string) {
		t.Helper()
		if m := recv(t, sub); string(m.Payload) != want {
			t.Fatalf("got %q, want %q", m.Payload, want)
		}
	}
	if err := pub.Cork(); err != nil {
		t.Fatal(err)
	}
	if _, err := pub.PublishAsync(testCtx(t), tp, []byte("held"), AtMostOnce, false); err != nil {
		t.Fatal(err)
	}
	nothingWithin("before Flush")
	if err := pub.Flush(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	expect("held")
	if _, err := pub.PublishAsync(testCtx(t), tp, []byte("held again"), AtMostOnce, false); err != nil {
		t.Fatal(err)
	}
	nothingWithin("after Flush")
	if err := pub.Uncork(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	expect("held again")

	const n = 100 // more than the inflight window (20): its waits write
	if err := pub.Cork(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := pub.PublishAsync(testCtx(t), tp, []byte{byte(i)}, AtLeastOnce, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Uncork(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if m := recv(t, sub); len(m.Payload) != 1 || m.Payload[0] != byte(i) {
			t.Fatalf("message %d: got %x", i, m.Payload)
		}
	}
}

func TestRetainedAndOwnMessages(t *testing.T) {
	c := dial(t, broker.WSURL)
	tp := topic(t)
	if err := c.Publish(testCtx(t), tp, []byte("kept"), AtLeastOnce, true); err != nil {
		t.Fatal(err)
	}
	subscribe(t, c, tp, AtLeastOnce)
	m := recv(t, c)
	if !m.Retain || string(m.Payload) != "kept" {
		t.Fatalf("got %+v, want the retained message", m)
	}
	// Clear it again.
	if err := c.Publish(testCtx(t), tp, nil, AtLeastOnce, true); err != nil {
		t.Fatal(err)
	}
}

func TestMutualTLS(t *testing.T) {
	c := dial(t, broker.WSSMTLSURL, WithCAFile(broker.CAPEMPath),
		WithClientCertFiles(broker.ClientCert, broker.ClientKey))
	tp := topic(t)
	subscribe(t, c, tp, AtLeastOnce)
	if err := c.Publish(testCtx(t), tp, []byte("mtls"), AtLeastOnce, false); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, c); string(m.Payload) != "mtls" {
		t.Fatalf("got %q", m.Payload)
	}

	// The same from PEM text.
	ca, _ := os.ReadFile(broker.CAPEMPath)
	cert, _ := os.ReadFile(broker.ClientCert)
	key, _ := os.ReadFile(broker.ClientKey)
	dial(t, broker.WSSMTLSURL, WithCAPEM(ca), WithClientCertPEM(cert, key))

	// Without a certificate the listener refuses the TLS handshake (how
	// that surfaces depends on timing: TLS alert, reset, or EOF).
	_, err := Dial(testCtx(t), broker.WSSMTLSURL, WithCAFile(broker.CAPEMPath))
	if !(errors.Is(err, ErrTLS) || errors.Is(err, ErrIO) || errors.Is(err, ErrClosed) || errors.Is(err, ErrHandshake)) {
		t.Fatalf("Dial without a client certificate: %v", err)
	}
}

func TestTLSErrors(t *testing.T) {
	_, err := Dial(testCtx(t), broker.WSSURL, WithCAFile(broker.WrongCAPath))
	var e *Error
	if !errors.Is(err, ErrTLS) || !errors.As(err, &e) || !strings.HasPrefix(e.Msg, "mqttws_client_connect: TLS error") {
		t.Fatalf("Dial with the wrong CA: %v", err)
	}
	// The insecure switch accepts any certificate.
	dial(t, broker.WSSURL, WithCAFile(broker.WrongCAPath), WithInsecureSkipVerify())

	_, err = Dial(testCtx(t), "ws://127.0.0.1:9/mqtt")
	if !errors.Is(err, ErrIO) {
		t.Fatalf("Dial to a closed port: %v", err)
	}
}

func TestRefused(t *testing.T) {
	dial(t, broker.WSAuthURL, WithCredentials(testUser, testPassword))
	_, err := Dial(testCtx(t), broker.WSAuthURL, WithCredentials(testUser, "wrong"))
	var e *Error
	if !errors.Is(err, ErrRefused) || !errors.As(err, &e) {
		t.Fatalf("Dial with a wrong password: %v", err)
	}
	if e.ConnackCode != int(e.Code-400) || (e.Code != CodeConnackNotAuthorized && e.Code != CodeConnackBadUsernameOrPassword) {
		t.Fatalf("code %d, CONNACK code %d", e.Code, e.ConnackCode)
	}
	if errors.Is(err, ErrTLS) || errors.Is(err, ErrTimeout) {
		t.Fatalf("%v matches unrelated kinds", err)
	}
}

func TestHandshakeRefused(t *testing.T) {
	// An HTTP server that refuses every upgrade with 403.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 4096)
				_, _ = conn.Read(buf)
				_, _ = conn.Write([]byte("HTTP/1.1 403 Forbidden\r\nContent-Length: 6\r\nConnection: close\r\n\r\nnot you"))
			}()
		}
	}()
	_, err = Dial(testCtx(t), "ws://"+ln.Addr().String()+"/mqtt")
	var e *Error
	if !errors.Is(err, ErrHandshake) || !errors.As(err, &e) || e.HTTPStatus != 403 {
		t.Fatalf("Dial to a server answering 403: %v (%#v)", err, e)
	}
}

func TestInvalidArguments(t *testing.T) {
	c := dial(t, broker.WSURL)
	ctx := testCtx(t)
	cases := []struct {
		name string
		err  error
	}{
		{"wildcard topic", c.Publish(ctx, "a/+/b", nil, AtMostOnce, false)},
		{"empty topic", c.Publish(ctx, "", nil, AtMostOnce, false)},
		{"QoS 3", c.Publish(ctx, "a", nil, 3, false)},
		{"bad filter", func() error { _, err := c.Subscribe(ctx, "a/#/b", AtMostOnce); return err }()},
		{"no filters", c.Unsubscribe(ctx)},
	}
	for _, tc := range cases {
		var e *Error
		if !errors.Is(tc.err, ErrInvalidArgument) || !errors.As(tc.err, &e) || e.Msg == "" {
			t.Errorf("%s: %v", tc.name, tc.err)
		}
	}
	// The connection is still usable.
	tp := topic(t)
	subscribe(t, c, tp, AtMostOnce)

	for _, opts := range [][]Option{
		{WithHeader("Bad Name", "x")},
		{WithHeader("Sec-WebSocket-Key", "x")},
		{WithClientID("nul\x00inside")},
		{WithKeepAlive(-time.Second)},
		{WithConnectTimeout(0)},
		{WithInflightWindow(0)},
		{WithIncomingQueue(0, 1<<20)},
		{WithIncomingQueue(10, -1)},
	} {
		if _, err := Dial(ctx, broker.WSURL, opts...); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("Dial with a bad option: %v", err)
		}
	}
	if _, err := Dial(ctx, "http://127.0.0.1/"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Dial with an http:// URL: %v", err)
	}
}

func TestSubscribeManyUnsubscribe(t *testing.T) {
	c := dial(t, broker.WSURL)
	a, b := topic(t), topic(t)
	granted, err := c.SubscribeMany(testCtx(t), []Subscription{{a, AtLeastOnce}, {b + "/#", ExactlyOnce}})
	if err != nil || len(granted) != 2 || granted[0] != AtLeastOnce || granted[1] != ExactlyOnce {
		t.Fatalf("SubscribeMany: %v %v", granted, err)
	}
	for _, tp := range []string{a, b + "/x"} {
		if err := c.Publish(testCtx(t), tp, []byte(tp), AtLeastOnce, false); err != nil {
			t.Fatal(err)
		}
		if m := recv(t, c); m.Topic != tp {
			t.Fatalf("got %s, want %s", m.Topic, tp)
		}
	}
	if err := c.Unsubscribe(testCtx(t), a, b+"/#"); err != nil {
		t.Fatal(err)
	}
	// Nothing more arrives: publish to a, then to a third subscribed topic,
	// and see the third first.
	sentinel := topic(t)
	subscribe(t, c, sentinel, AtLeastOnce)
	if err := c.Publish(testCtx(t), a, []byte("gone"), AtLeastOnce, false); err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(testCtx(t), sentinel, []byte("end"), AtLeastOnce, false); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, c); m.Topic != sentinel {
		t.Fatalf("got %s after Unsubscribe", m.Topic)
	}
}

// TestRecvCancel measures how long a Recv blocked in C takes to return once
// its context is cancelled, and with a deadline.
func TestRecvCancel(t *testing.T) {
	c := dial(t, broker.WSURL)
	subscribe(t, c, topic(t), AtMostOnce)
	var worst time.Duration
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		type result struct {
			err error
			at  time.Time
		}
		done := make(chan result, 1)
		go func() {
			_, err := c.Recv(ctx)
			done <- result{err, time.Now()}
		}()
		// Let Recv get into a poll: cancel at different points of the 50 ms
		// slice.
		time.Sleep(time.Duration(7*i%60) * time.Millisecond)
		start := time.Now()
		cancel()
		select {
		case r := <-done:
			lat := r.at.Sub(start)
			if lat > worst {
				worst = lat
			}
			if !errors.Is(r.err, context.Canceled) || !errors.Is(r.err, ErrInterrupted) {
				t.Fatalf("Recv after cancel: %v", r.err)
			}
		case <-time.After(testTimeout):
			t.Fatal("Recv did not return after cancel")
		}
	}
	t.Logf("ctx cancel -> Recv returns: worst %v over 20 runs", worst)
	if worst >= 100*time.Millisecond {
		t.Fatalf("Recv took %v to notice the cancellation (limit 100 ms)", worst)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Recv(ctx)
	late := time.Since(start) - 30*time.Millisecond
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrTimeout) {
		t.Fatalf("Recv with a deadline: %v", err)
	}
	t.Logf("ctx deadline -> Recv returns %v after it", late)
	if late >= 100*time.Millisecond {
		t.Fatalf("Recv returned %v after its deadline", late)
	}
	// The client is fine afterwards: no stale interrupt hits the next call.
	tp := topic(t)
	subscribe(t, c, tp, AtLeastOnce)
	if err := c.Publish(testCtx(t), tp, []byte("after"), AtLeastOnce, false); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, c); string(m.Payload) != "after" {
		t.Fatalf("got %q", m.Payload)
	}
}

// silentServer accepts TCP connections and never answers: a connect to it
// blocks in the WebSocket upgrade until interrupted.
func silentServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "ws://" + ln.Addr().String() + "/mqtt"
}

func TestDialCancel(t *testing.T) {
	url := silentServer(t)
	var worst time.Duration
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		var at time.Time
		go func() {
			_, err := Dial(ctx, url)
			at = time.Now()
			done <- err
		}()
		time.Sleep(time.Duration(i*3) * time.Millisecond)
		start := time.Now()
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Dial after cancel: %v", err)
			}
			if d := at.Sub(start); d > worst {
				worst = d
			}
		case <-time.After(testTimeout):
			t.Fatal("Dial did not return after cancel")
		}
	}
	t.Logf("ctx cancel -> Dial returns: worst %v over 10 runs", worst)
	if worst >= 100*time.Millisecond {
		t.Fatalf("Dial took %v to notice the cancellation", worst)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := Dial(ctx, url)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrTimeout) {
		t.Fatalf("Dial with a deadline: %v", err)
	}
	// The connect timeout of the library applies too.
	_, err = Dial(context.Background(), url, WithConnectTimeout(50*time.Millisecond))
	if !errors.Is(err, ErrTimeout) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Dial with a connect timeout: %v", err)
	}
}

// TestConcurrentPublishers: 16 goroutines publish at QoS 1 on one client
// while one goroutine receives on the same client; every message arrives.
func TestConcurrentPublishers(t *testing.T) {
	const publishers = 16
	perPublisher := 200
	if debugGC {
		perPublisher = 20
	}
	c := dial(t, broker.WSURL)
	tp := topic(t)
	subscribe(t, c, tp, AtLeastOnce)
	total := publishers * perPublisher

	got := make(map[string]int)
	recvDone := make(chan error, 1)
	go func() {
		ctx := testCtx(t)
		for len(got) < total {
			m, err := c.Recv(ctx)
			if err != nil {
				recvDone <- err
				return
			}
			got[string(m.Payload)]++
		}
		recvDone <- nil
	}()

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, publishers)
	for g := 0; g < publishers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < perPublisher; i++ {
				p := fmt.Sprintf("%02d-%04d", g, i)
				if err := c.Publish(testCtx(t), tp, []byte(p), AtLeastOnce, false); err != nil {
					errs <- fmt.Errorf("publisher %d, message %d: %w", g, i, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := <-recvDone; err != nil {
		t.Fatalf("receiver: %v (after %d of %d)", err, len(got), total)
	}
	dups := 0
	for g := 0; g < publishers; g++ {
		for i := 0; i < perPublisher; i++ {
			n := got[fmt.Sprintf("%02d-%04d", g, i)]
			if n == 0 {
				t.Fatalf("message %02d-%04d lost", g, i)
			}
			dups += n - 1
		}
	}
	t.Logf("%d publishers x %d QoS 1 messages on one client with a receiver: %v, %.0f msg/s acknowledged, %d received, %d duplicates",
		publishers, perPublisher, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(), total, dups)
}

// TestPublisherLatencyWhileReceiving: a goroutine blocked in Recv (no
// traffic) must not make publishers on the same client wait for its poll
// slice.
func TestPublisherLatencyWhileReceiving(t *testing.T) {
	c := dial(t, broker.WSURL)
	subscribe(t, c, topic(t), AtMostOnce)
	ctx, cancel := context.WithCancel(context.Background())
	recvDone := make(chan error, 1)
	go func() {
		_, err := c.Recv(ctx)
		recvDone <- err
	}()
	tp := topic(t)
	n := 300
	if debugGC {
		n = 50
	}
	var lat0, lat1 []time.Duration
	for i := 0; i < n; i++ {
		// Give the receiver time to be back in a poll.
		time.Sleep(time.Millisecond)
		qos := QoS(i % 2)
		start := time.Now()
		if err := c.Publish(testCtx(t), tp, []byte("x"), qos, false); err != nil {
			t.Fatal(err)
		}
		if qos == 0 {
			lat0 = append(lat0, time.Since(start))
		} else {
			lat1 = append(lat1, time.Since(start))
		}
	}
	cancel()
	if err := <-recvDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("receiver: %v", err)
	}
	q := func(l []time.Duration) (time.Duration, time.Duration, time.Duration) {
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		return l[len(l)/2], l[len(l)*99/100], l[len(l)-1]
	}
	p50, p99, max := q(lat0)
	t.Logf("Publish QoS 0 while a Recv waits: p50 %v, p99 %v, max %v", p50, p99, max)
	a50, a99, amax := q(lat1)
	t.Logf("Publish QoS 1 (with PUBACK) while a Recv waits: p50 %v, p99 %v, max %v", a50, a99, amax)
	if debugGC {
		return // a GC per C call: the numbers say nothing
	}
	if p50 >= 10*time.Millisecond || a50 >= 10*time.Millisecond {
		t.Fatalf("publishers wait for the receiver's poll slice (p50 %v / %v)", p50, a50)
	}
}

// TestNoStaleInterrupt hammers the race the interrupt design must survive:
// Recvs whose contexts end at random moments (interrupts landing while
// the poll returns) interleaved with acknowledged publishes and subscribes,
// which must never see an interrupt meant for another call.
func TestNoStaleInterrupt(t *testing.T) {
	c := dial(t, broker.WSURL)
	tp := topic(t)
	subscribe(t, c, tp, AtLeastOnce)
	rounds := 300
	if debugGC {
		rounds = 40
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var recvd atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%3)*time.Millisecond)
			if _, err := c.Recv(ctx); err == nil {
				recvd.Add(1)
			} else if !errors.Is(err, ErrInterrupted) {
				t.Errorf("Recv: %v", err)
			}
			cancel()
		}
	}()
	for i := 0; i < rounds; i++ {
		if err := c.Publish(testCtx(t), tp, []byte("m"), QoS(1+i%2), false); err != nil {
			t.Fatalf("round %d: Publish: %v", i, err)
		}
		if i%20 == 0 {
			if _, err := c.Subscribe(testCtx(t), tp, AtLeastOnce); err != nil {
				t.Fatalf("round %d: Subscribe: %v", i, err)
			}
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d publishes, %d received by the interrupted receiver", rounds, recvd.Load())
}

func TestClose(t *testing.T) {
	c, err := Dial(testCtx(t), broker.WSURL)
	if err != nil {
		t.Fatal(err)
	}
	tp := topic(t)
	subscribe(t, c, tp, AtMostOnce)
	ch := c.Messages()
	blocked := make(chan error, 1)
	go func() {
		_, err := c.Recv(context.Background())
		blocked <- err
	}()
	start := time.Now()
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-blocked:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("Recv blocked during Close: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Close did not unblock Recv")
	}
	t.Logf("Close with a blocked Recv and a Messages goroutine: %v", time.Since(start))
	if _, ok := <-ch; ok {
		t.Fatal("Messages channel still open after Close")
	}
	if !errors.Is(c.Err(), ErrClosed) {
		t.Fatalf("Err after Close: %v", c.Err())
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ctx := testCtx(t)
	_, subErr := c.Subscribe(ctx, tp, AtMostOnce)
	_, recvErr := c.Recv(ctx)
	_, asyncErr := c.PublishAsync(ctx, tp, nil, AtMostOnce, false)
	_, reconnErr := c.Reconnect(ctx)
	for name, err := range map[string]error{
		"Publish":      c.Publish(ctx, tp, nil, AtMostOnce, false),
		"PublishAsync": asyncErr,
		"Subscribe":    subErr,
		"Unsubscribe":  c.Unsubscribe(ctx, tp),
		"Recv":         recvErr,
		"WaitAck":      c.WaitAck(ctx, 1),
		"Disconnect":   c.Disconnect(ctx),
		"Reconnect":    reconnErr,
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v", name, err)
		}
	}
	if c.IsConnected() || c.Inflight() != 0 {
		t.Error("closed client reports a connection")
	}
	if _, ok := <-c.Messages(); ok {
		t.Error("Messages after Close delivers")
	}
}

func TestMessagesChannel(t *testing.T) {
	c := dial(t, broker.WSURL)
	tp := topic(t)
	subscribe(t, c, tp, AtLeastOnce)
	ch := c.Messages()
	for i := 0; i < 5; i++ {
		if err := c.Publish(testCtx(t), tp, []byte{byte(i)}, AtLeastOnce, false); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 5; i++ {
		select {
		case m := <-ch:
			if m.Payload[0] != byte(i) {
				t.Fatalf("message %d: %v", i, m.Payload)
			}
		case <-time.After(testTimeout):
			t.Fatal("no message on the channel")
		}
	}
	if c.Messages() != ch {
		t.Fatal("Messages returned another channel")
	}
}

func TestDisconnectReconnect(t *testing.T) {
	c := dial(t, broker.WSURL, WithClientID("go-reconnect"), WithCleanSession(false))
	tp := topic(t)
	subscribe(t, c, tp, AtLeastOnce)
	if err := c.Disconnect(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if c.IsConnected() {
		t.Fatal("connected after Disconnect")
	}
	if err := c.Publish(testCtx(t), tp, nil, AtMostOnce, false); !errors.Is(err, ErrClosed) {
		t.Fatalf("Publish while disconnected: %v", err)
	}
	if _, err := c.Recv(testCtx(t)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Recv while disconnected: %v", err)
	}
	// Meanwhile another client publishes; the stored session keeps it.
	other := dial(t, broker.WSURL)
	if err := other.Publish(testCtx(t), tp, []byte("while away"), AtLeastOnce, false); err != nil {
		t.Fatal(err)
	}
	present, err := c.Reconnect(testCtx(t))
	if err != nil || !present || !c.SessionPresent() {
		t.Fatalf("Reconnect: present %v, %v", present, err)
	}
	if m := recv(t, c); string(m.Payload) != "while away" {
		t.Fatalf("got %q", m.Payload)
	}
	// Clean up the stored session.
	clean := dial(t, broker.WSURL, WithClientID("go-reconnect"))
	clean.Close()
}

func TestOfflineQueueAndAsync(t *testing.T) {
	// A stored session keeps the subscription across the reconnect.
	c := dial(t, broker.WSURL, WithClientID("go-offline"), WithCleanSession(false),
		WithOfflineQueue(OfflineQueue{MaxMessages: 2, MaxBytes: 1 << 20}))
	defer func() { dial(t, broker.WSURL, WithClientID("go-offline")).Close() }()
	tp := topic(t)
	subscribe(t, c, tp, AtLeastOnce)
	if err := c.Disconnect(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := c.PublishAsync(testCtx(t), tp, []byte{byte(i)}, AtLeastOnce, false); err != nil {
			t.Fatalf("queued publish %d: %v", i, err)
		}
	}
	if _, err := c.PublishAsync(testCtx(t), tp, []byte{9}, AtLeastOnce, false); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("publish into the full queue: %v", err)
	}
	if _, err := c.Reconnect(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if m := recv(t, c); m.Payload[0] != byte(i) {
			t.Fatalf("got %v", m.Payload)
		}
	}
	id, err := c.PublishAsync(testCtx(t), tp, []byte("async"), ExactlyOnce, false)
	if err != nil || id == 0 {
		t.Fatalf("PublishAsync: %d %v", id, err)
	}
	if err := c.WaitAck(testCtx(t), id); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, c); string(m.Payload) != "async" {
		t.Fatalf("got %q", m.Payload)
	}
}

// TestFinalizerAndWill: a client dropped without Close is freed by its
// finalizer, without DISCONNECT, so the broker publishes its will.
func TestFinalizerAndWill(t *testing.T) {
	watcher := dial(t, broker.WSURL)
	will := topic(t)
	subscribe(t, watcher, will, AtLeastOnce)
	func() {
		c, err := Dial(testCtx(t), broker.WSURL, WithWill(will, []byte("gone"), AtLeastOnce, false))
		if err != nil {
			t.Fatal(err)
		}
		_ = c
	}()
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		// Finalizers run on their own goroutine after a GC: collect again
		// while waiting.
		runtime.GC()
		wctx, wcancel := context.WithTimeout(ctx, 200*time.Millisecond)
		m, err := watcher.Recv(wctx)
		wcancel()
		if err == nil {
			if string(m.Payload) != "gone" {
				t.Fatalf("got %q", m.Payload)
			}
			return
		}
		if ctx.Err() != nil {
			t.Fatal("the will never came: the finalizer did not free the client")
		}
	}
}

func TestEventHandlerReconnect(t *testing.T) {
	// A proxy we can cut: the client connects through it; closing the
	// upstream drops the connection, and the automatic reconnect takes over.
	addr := strings.TrimPrefix(strings.TrimSuffix(broker.WSURL, "/mqtt"), "ws://")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var live []net.Conn
	go func() {
		for {
			down, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", addr)
			if err != nil {
				down.Close()
				continue
			}
			mu.Lock()
			live = append(live, down, up)
			mu.Unlock()
			go func() { _, _ = io.Copy(up, down); up.Close() }()
			go func() { _, _ = io.Copy(down, up); down.Close() }()
		}
	}()
	events := make(chan Event, 16)
	c := dial(t, "ws://"+ln.Addr().String()+"/mqtt",
		WithReconnect(ReconnectPolicy{MinDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond, RestoreSubscriptions: true}),
		WithEventHandler(func(e Event) { events <- e }))
	tp := topic(t)
	subscribe(t, c, tp, AtLeastOnce)
	mu.Lock()
	for _, conn := range live {
		conn.Close()
	}
	mu.Unlock()
	// A retained message published meanwhile reaches the client once Recv
	// has reconnected and restored the subscription, whenever that is.
	other := dial(t, broker.WSURL)
	if err := other.Publish(testCtx(t), tp, []byte("back"), AtLeastOnce, true); err != nil {
		t.Fatal(err)
	}
	defer other.Publish(testCtx(t), tp, nil, AtLeastOnce, true)
	m := recv(t, c)
	if string(m.Payload) != "back" {
		t.Fatalf("got %q", m.Payload)
	}
	kinds := map[EventKind]bool{}
	for len(events) > 0 {
		kinds[(<-events).Kind] = true
	}
	if !kinds[EventDisconnected] || !kinds[EventReconnecting] || !kinds[EventConnected] {
		t.Fatalf("events seen: %v", kinds)
	}
}

func TestErrorKinds(t *testing.T) {
	e := &Error{Code: CodeConnackBadUsernameOrPassword, Msg: "refused", ConnackCode: 4}
	for _, target := range []error{ErrRefused} {
		if !errors.Is(e, target) {
			t.Errorf("%v is not %v", e, target)
		}
	}
	for _, target := range []error{ErrTLS, ErrTimeout, ErrClosed, ErrInvalidArgument} {
		if errors.Is(e, target) {
			t.Errorf("%v is %v", e, target)
		}
	}
	ack := &Error{Code: CodeAckTimeout}
	if !errors.Is(ack, ErrTimeout) || !errors.Is(ack, ErrAckTimeout) || !ack.Timeout() {
		t.Error("an ack timeout is a timeout")
	}
	if errors.Is(&Error{Code: CodeTimeout}, ErrAckTimeout) {
		t.Error("a timeout is not an ack timeout")
	}
	ctxErr := ctxError("Recv", context.DeadlineExceeded)
	if !errors.Is(ctxErr, ErrTimeout) || !errors.Is(ctxErr, ErrInterrupted) || !errors.Is(ctxErr, context.DeadlineExceeded) {
		t.Error("a context deadline is a timeout and an interruption")
	}
	if errors.Is(ctxError("Recv", context.Canceled), ErrTimeout) {
		t.Error("a cancellation is not a timeout")
	}
	if !errors.Is(&Error{Code: CodeInvalidParameter}, ErrInvalidArgument) {
		t.Error("INVALID_PARAMETER is an invalid argument")
	}
	if CodeClosed.String() != "connection closed" {
		t.Errorf("CodeClosed.String() = %q", CodeClosed.String())
	}
	if (&Error{Code: CodeTLS}).Error() != "mqttws: TLS error" {
		t.Errorf("Error() = %q", (&Error{Code: CodeTLS}).Error())
	}
	if Version() != HeaderVersion {
		t.Errorf("library %s, header %s", Version(), HeaderVersion)
	}
}

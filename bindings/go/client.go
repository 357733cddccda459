package mqttws

// #include <stdlib.h>
// #include <mqttws.h>
import "C"

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Client is a connection to an MQTT broker over WebSocket. It is safe for
// concurrent use by several goroutines: for example one goroutine may
// block in Recv while others Publish, and none waits for another. Close it
// when done.
type Client struct {
	// mu is held for reading by every C call and for writing by Close,
	// which frees _ptr (see call.go).
	mu   sync.RWMutex
	_ptr *C.mqttws_client // nil once closed

	closing        atomic.Bool
	sessionPresent atomic.Bool

	// Set by Dial, then read-only.
	opTimeout time.Duration
	onEvent   func(Event)
	v5        bool // WithProtocolVersion(MQTT5)

	closeOnce sync.Once
	closeErr  error
	done      chan struct{} // closed when Close starts

	pumpMu  sync.Mutex
	pumpCh  chan *Message // Messages(); nil until asked for
	pumpErr error
}

// ptr returns the C client, or nil once closed. c.mu must be held. Every C
// call on the pointer is followed by runtime.KeepAlive(c); see ffi.go.
func (c *Client) ptr() *C.mqttws_client {
	maybeGC()
	return c._ptr
}

// Dial creates a client for the broker at url (ws://host[:port]/path or
// wss://...) and connects: DNS, TCP, TLS, the WebSocket upgrade (subprotocol
// mqtt), CONNECT and CONNACK. ctx bounds the whole connect: cancelling it,
// or its deadline, interrupts it promptly (the error then matches
// ErrInterrupted and ctx's error, and ErrTimeout for a deadline). The
// connect timeout of WithConnectTimeout (default 10 s) applies as well.
//
// url may be "" with WithPlatform: the platform's endpoint is used.
func Dial(ctx context.Context, url string, opts ...Option) (*Client, error) {
	if err := ctx.Err(); err != nil {
		return nil, ctxError("Dial", err)
	}
	cfg := config{opTimeout: 10 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	if url == "" && cfg.platform != nil {
		u, err := cfg.platform.URL()
		if err != nil {
			return nil, err
		}
		url = u
	}
	opt, err := cfg.build(url)
	if err != nil {
		return nil, err
	}
	var p *C.mqttws_client
	var e *C.mqttws_error
	r := C.mqttws_client_new(opt, &p, &e)
	C.mqttws_options_free(opt)
	if r != C.MQTTWS_OK {
		return nil, errorObject(r, e)
	}
	c := &Client{
		_ptr:      p,
		opTimeout: cfg.opTimeout,
		onEvent:   cfg.onEvent,
		v5:        cfg.v5,
		done:      make(chan struct{}),
	}
	// Only a backstop: Close is the way to free a client (see Close).
	runtime.SetFinalizer(c, (*Client).finalize)
	if _, err := c.connect(ctx, "Dial"); err != nil {
		c.free()
		return nil, err
	}
	return c, nil
}

// connect runs mqttws_client_connect.
func (c *Client) connect(ctx context.Context, op string) (bool, error) {
	var present C.bool
	_, err := c.call(ctx, op, func(p *C.mqttws_client) C.mqttws_result {
		return C.mqttws_client_connect(p, &present)
	})
	if err != nil {
		return false, err
	}
	c.sessionPresent.Store(bool(present))
	return bool(present), nil
}

// finalize frees a client that was never closed (see Close). Nothing else
// can reach an unreachable client, so no call is in progress.
func (c *Client) finalize() {
	if c._ptr != nil {
		C.mqttws_client_free(c._ptr)
		c._ptr = nil
	}
}

// free frees the C client at once; for a client nobody else has seen.
func (c *Client) free() {
	runtime.SetFinalizer(c, nil)
	c.mu.Lock()
	p := c._ptr
	c._ptr = nil
	c.mu.Unlock()
	C.mqttws_client_free(p)
}

// SessionPresent reports whether the broker resumed a stored session at
// the last successful Dial or Reconnect.
func (c *Client) SessionPresent() bool {
	return c.sessionPresent.Load()
}

// Reconnect connects again after the connection was lost or Disconnect was
// called (not needed with WithReconnect, which reconnects by itself inside
// Recv). It returns whether the broker resumed a stored session. QoS 1/2
// messages not acknowledged on the previous connection are sent again.
func (c *Client) Reconnect(ctx context.Context) (sessionPresent bool, err error) {
	return c.connect(ctx, "Reconnect")
}

// Disconnect sends DISCONNECT and closes the connection (the broker then
// discards the will), but keeps the client for Reconnect. Does nothing if
// not connected. A Recv in progress returns an error matching ErrClosed.
func (c *Client) Disconnect(ctx context.Context) error {
	_, err := c.call(ctx, "Disconnect", func(p *C.mqttws_client) C.mqttws_result {
		return C.mqttws_client_disconnect(p)
	})
	return err
}

// IsConnected reports whether the connection is open and CONNACK accepted
// it. False once closed.
func (c *Client) IsConnected() bool {
	var ok bool
	c.call(context.Background(), "IsConnected", func(p *C.mqttws_client) C.mqttws_result {
		ok = bool(C.mqttws_client_is_connected(p))
		return C.MQTTWS_OK
	})
	return ok
}

// Inflight returns the number of outgoing QoS 1/2 messages not yet
// acknowledged (kept across reconnects).
func (c *Client) Inflight() int {
	var n int
	c.call(context.Background(), "Inflight", func(p *C.mqttws_client) C.mqttws_result {
		n = int(C.mqttws_client_inflight(p))
		return C.MQTTWS_OK
	})
	return n
}

// Publish sends a message and, at QoS 1 and 2, waits for its
// acknowledgement (PUBACK, or PUBCOMP), at most the operation timeout
// (WithOperationTimeout). At QoS 0 it returns once the message is written
// to the socket.
//
// ctx may cut the wait short; the message is then still in flight and
// will be delivered. With WithOfflineQueue or WithReconnect, a message
// published while disconnected is queued; Publish then waits for the ack
// after the reconnect, up to the operation timeout (use PublishAsync not
// to wait). payload is copied; the caller may reuse it at once.
func (c *Client) Publish(ctx context.Context, topic string, payload []byte, qos QoS, retain bool) error {
	id, err := c.PublishAsync(ctx, topic, payload, qos, retain)
	if err != nil || id == 0 {
		return err
	}
	return c.waitAck(ctx, "Publish", id)
}

// PublishAsync sends a message without waiting for its acknowledgement and
// returns its packet id (0 for QoS 0), for WaitAck. It blocks only while
// the inflight window (WithInflightWindow) or the socket is full. If ctx
// ends while it blocks, the message was not accepted.
func (c *Client) PublishAsync(ctx context.Context, topic string, payload []byte, qos QoS, retain bool) (uint16, error) {
	return c.publish(ctx, "Publish", topic, payload, qos, retain, nil)
}

// Cork starts a batch of publishes: until the matching Uncork, a publish
// leaves its packet in the client's buffer instead of writing it, so that
// the batch leaves in a few writes (one TLS record each over wss) instead of
// one per message. Bounded: a publish writes anyway once 16 KiB wait, and
// any call that waits (a QoS 1/2 publish with a full inflight window, Recv,
// WaitAck...) writes first. Corks nest and belong to the client, not to a
// goroutine: while one is open, other goroutines' publishes wait for the
// Uncork too. Use PublishAsync inside a batch: Publish at QoS 1/2 waits for
// its acknowledgement, which writes the batch. Does not block.
func (c *Client) Cork() error {
	_, err := c.call(context.Background(), "Cork", func(p *C.mqttws_client) C.mqttws_result {
		return C.mqttws_client_cork(p)
	})
	return err
}

// Uncork ends a batch started by Cork: when the last open cork ends, it
// writes what waits and returns once that is with the kernel (blocking
// while the socket is full, up to the operation timeout). Without an open
// cork it only writes. If ctx ends while it blocks, the cork has ended and
// the batch is written by the client's next call.
func (c *Client) Uncork(ctx context.Context) error {
	ended := false
	_, err := c.call(ctx, "Uncork", func(p *C.mqttws_client) C.mqttws_result {
		if ended {
			// Made again after another goroutine's interrupt: the cork
			// already ended, so only write.
			return C.mqttws_client_flush(p)
		}
		ended = true
		return C.mqttws_client_uncork(p)
	})
	return err
}

// Flush writes what corked publishes left in the client's buffer without
// ending the cork, and returns once it is with the kernel.
func (c *Client) Flush(ctx context.Context) error {
	_, err := c.call(ctx, "Flush", func(p *C.mqttws_client) C.mqttws_result {
		return C.mqttws_client_flush(p)
	})
	return err
}

// publish sends a message with optional MQTT 5 properties and returns its
// packet id.
func (c *Client) publish(ctx context.Context, op, topic string, payload []byte, qos QoS, retain bool,
	props *PublishProperties) (uint16, error) {
	cp, err := props.toC()
	if err != nil {
		return 0, err
	}
	defer C.mqttws_publish_properties_free(cp)
	t := textPtr(topic)
	var id C.uint16_t
	_, err = c.call(ctx, op, func(p *C.mqttws_client) C.mqttws_result {
		return C.mqttws_client_publish_with(p, t, C.size_t(len(topic)), bytesPtr(payload), C.size_t(len(payload)),
			C.uint8_t(qos), C.bool(retain), cp, &id)
	})
	runtime.KeepAlive(payload)
	return uint16(id), err
}

// WaitAck waits until the QoS 1/2 message with this packet id (from
// PublishAsync) is acknowledged, at most the operation timeout
// (ErrAckTimeout; not fatal, the message stays in flight). It returns at
// once for an id not in flight, such as 0 or an id already acknowledged.
// Packet ids are reused once acknowledged, so wait soon after publishing.
func (c *Client) WaitAck(ctx context.Context, packetID uint16) error {
	return c.waitAck(ctx, "WaitAck", packetID)
}

func (c *Client) waitAck(ctx context.Context, op string, id uint16) error {
	deadline := time.Now().Add(c.opTimeout)
	_, err := c.call(ctx, op, func(p *C.mqttws_client) C.mqttws_result {
		return C.mqttws_client_wait_for(p, C.uint16_t(id), C.int(millis(time.Until(deadline))))
	})
	return err
}

// Subscribe subscribes to one topic filter and waits for SUBACK (at most
// the operation timeout). It returns the QoS the broker granted; a refusal
// is an error matching ErrSubscribeRefused.
func (c *Client) Subscribe(ctx context.Context, filter string, qos QoS) (QoS, error) {
	f := textPtr(filter)
	var granted C.uint8_t
	_, err := c.call(ctx, "Subscribe", func(p *C.mqttws_client) C.mqttws_result {
		return C.mqttws_client_subscribe(p, f, C.size_t(len(filter)), C.uint8_t(qos), &granted)
	})
	if err != nil {
		return 0, err
	}
	return QoS(granted), nil
}

// SubscribeMany subscribes to several filters in one SUBSCRIBE and waits
// for SUBACK. It returns the granted QoS per filter, Refused where the
// broker refused one (refusals do not make it fail).
func (c *Client) SubscribeMany(ctx context.Context, subs []Subscription) ([]QoS, error) {
	if len(subs) == 0 {
		return nil, argError("SubscribeMany: no subscriptions")
	}
	// The array holds pointers, so it lives in C memory (cgo rules).
	n := len(subs)
	var m cMem
	defer m.free()
	arr := (*C.mqttws_subscription)(m.alloc(n, unsafe.Sizeof(C.mqttws_subscription{})))
	view := unsafe.Slice(arr, n)
	for i, s := range subs {
		view[i] = C.mqttws_subscription{filter: m.text(s.Filter), qos: C.uint8_t(s.QoS)}
	}
	granted := make([]byte, n)
	_, err := c.call(ctx, "SubscribeMany", func(p *C.mqttws_client) C.mqttws_result {
		return C.mqttws_client_subscribe_many(p, arr, C.size_t(n), (*C.uint8_t)(unsafe.Pointer(&granted[0])))
	})
	if err != nil {
		return nil, err
	}
	out := make([]QoS, n)
	for i, g := range granted {
		out[i] = QoS(g)
	}
	return out, nil
}

// Unsubscribe unsubscribes from one or more topic filters (in one
// UNSUBSCRIBE) and waits for UNSUBACK.
func (c *Client) Unsubscribe(ctx context.Context, filters ...string) error {
	_, err := c.unsubscribe(ctx, "Unsubscribe", filters)
	return err
}

// unsubscribe unsubscribes and returns the reason code per filter (0 for
// each under MQTT 3.1.1).
func (c *Client) unsubscribe(ctx context.Context, op string, filters []string) ([]byte, error) {
	n := len(filters)
	if n == 0 {
		return nil, argError(op + ": no filters")
	}
	// The array holds pointers, so it lives in C memory (cgo rules).
	var m cMem
	defer m.free()
	arr := (*C.mqttws_str)(m.alloc(n, unsafe.Sizeof(C.mqttws_str{})))
	view := unsafe.Slice(arr, n)
	for i, f := range filters {
		view[i] = m.text(f)
	}
	codes := make([]byte, n)
	_, err := c.call(ctx, op, func(p *C.mqttws_client) C.mqttws_result {
		return C.mqttws_client_unsubscribe_with(p, arr, C.size_t(n), (*C.uint8_t)(unsafe.Pointer(&codes[0])))
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// Recv returns the next message, waiting until one arrives, ctx ends
// (an error matching ErrInterrupted and ctx's error; ErrTimeout for a
// deadline), or the connection fails (ErrClosed afterwards). While it
// waits, the client answers pings and acknowledges incoming QoS 1/2
// messages. With WithReconnect, it reconnects after a drop and keeps
// waiting; WithEventHandler sees the events.
//
// A waiting Recv does not delay other goroutines' calls. Several
// goroutines may call Recv: each message goes to one of them. The returned
// message is a copy.
func (c *Client) Recv(ctx context.Context) (*Message, error) {
	for {
		ms := -1
		if dl, ok := ctx.Deadline(); ok {
			left := time.Until(dl)
			if left <= 0 {
				return nil, ctxError("Recv", context.DeadlineExceeded)
			}
			ms = int(millis(left))
		}
		var got item
		_, err := c.call(ctx, "Recv", func(p *C.mqttws_client) C.mqttws_result {
			var ev *C.mqttws_event
			r := C.mqttws_client_poll(p, C.int(ms), &ev)
			if r == C.MQTTWS_OK {
				got = takeEvent(ev)
			}
			return r
		})
		if err != nil {
			return nil, err
		}
		if got.msg != nil {
			return got.msg, nil
		}
		c.dispatch(got.ev)
	}
}

// dispatch hands an event to the event handler, outside the lock.
func (c *Client) dispatch(ev *Event) {
	if ev != nil && c.onEvent != nil {
		c.onEvent(*ev)
	}
}

// Messages returns a channel of incoming messages, an alternative to
// calling Recv in a loop. The first call starts a goroutine that calls Recv
// and sends what it gets; the channel is closed soon after Close, or when
// Recv fails (see Err). Do not also call Recv unless you want the messages
// shared between both.
func (c *Client) Messages() <-chan *Message {
	c.pumpMu.Lock()
	defer c.pumpMu.Unlock()
	if c.pumpCh == nil {
		c.pumpCh = make(chan *Message)
		select {
		case <-c.done:
			c.pumpErr = closedError()
			close(c.pumpCh)
		default:
			go c.pump()
		}
	}
	return c.pumpCh
}

// Err returns why the Messages channel was closed (an error matching
// ErrClosed after Close), or nil while it is open or was never asked for.
func (c *Client) Err() error {
	c.pumpMu.Lock()
	defer c.pumpMu.Unlock()
	return c.pumpErr
}

func (c *Client) pump() {
	ctx, cancel := context.WithCancel(context.Background())
	defer func() {
		cancel()
		c.pumpMu.Lock()
		close(c.pumpCh)
		c.pumpMu.Unlock()
	}()
	go func() {
		select {
		case <-c.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		m, err := c.Recv(ctx)
		if err != nil {
			select {
			case <-c.done:
				err = closedError()
			default:
			}
			c.pumpMu.Lock()
			c.pumpErr = err
			c.pumpMu.Unlock()
			return
		}
		select {
		case c.pumpCh <- m:
		case <-c.done:
			c.pumpMu.Lock()
			c.pumpErr = closedError()
			c.pumpMu.Unlock()
			return
		}
	}
}

// Close disconnects (DISCONNECT, so the broker discards the will; at most
// the operation timeout) and frees the client. Calls in progress return
// promptly with an error matching ErrClosed, and so does every later call.
// Close is idempotent: later calls return nil at once.
//
// A client that is never closed is freed by a finalizer once unreachable,
// without DISCONNECT; do not rely on it: the garbage collector does not see
// the native memory, socket and file descriptors a client holds, and runs
// finalizers late or not at all.
func (c *Client) Close() error {
	first := false
	c.closeOnce.Do(func() {
		first = true
		close(c.done)
		c.closing.Store(true)
		// The Messages goroutine sees done and closes its channel; Close
		// does not wait for it, so that an event handler may call Close.

		// End the calls in progress (they see closing and return), again
		// and again until the last has returned and the lock is ours.
		c.mu.RLock()
		p := c._ptr
		c.mu.RUnlock()
		if p == nil {
			return
		}
		quit := make(chan struct{})
		exited := make(chan struct{})
		go func() {
			defer close(exited)
			interruptUntil(p, quit)
		}()
		c.mu.Lock()
		close(quit)
		<-exited
		defer c.mu.Unlock()
		runtime.LockOSThread()
		if r := C.mqttws_client_disconnect(p); r != C.MQTTWS_OK {
			c.closeErr = c.lastError(p, r)
		}
		runtime.UnlockOSThread()
		runtime.SetFinalizer(c, nil)
		C.mqttws_client_free(p)
		c._ptr = nil
	})
	if !first {
		return nil
	}
	return c.closeErr
}

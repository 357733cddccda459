package mqttws

// #include <mqttws.h>
import "C"

import (
	"context"
	"runtime"
	"time"
)

// How a call reaches the C client (see "Concurrency" in doc.go):
//
//  1. The C client may be used by several threads at once, so goroutines
//     call it directly, without a lock of the binding's own. Every call
//     holds c.mu for reading, only so that Close (which takes it for
//     writing) frees the client after the last call has returned.
//  2. A context ends a call through mqttws_client_interrupt, which ends
//     every call in progress on the client at that moment (and none that
//     starts later). A call interrupted for another goroutine's context is
//     therefore simply made again; one interrupted for its own context, or
//     by Close, returns.
//  3. The library keeps each thread's last error per client, so a call and
//     the reading of its error run on one locked OS thread.

// interruptEvery is how often an ended context (or Close) interrupts the
// client again: an interrupt reaches only the calls already in progress,
// and the call it targets may not have entered the library yet.
const interruptEvery = 5 * time.Millisecond

// call runs f, one C call on the client, and returns its result and the
// *Error of a failure. See the rules above.
func (c *Client) call(ctx context.Context, op string, f func(p *C.mqttws_client) C.mqttws_result) (C.mqttws_result, error) {
	for {
		if err := ctx.Err(); err != nil {
			return C.MQTTWS_INTERRUPTED, ctxError(op, err)
		}
		r, again, err := c.callOnce(ctx, op, f)
		if !again {
			return r, err
		}
	}
}

func (c *Client) callOnce(ctx context.Context, op string, f func(p *C.mqttws_client) C.mqttws_result) (C.mqttws_result, bool, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p := c.ptr()
	if p == nil || c.closing.Load() {
		return C.MQTTWS_CLOSED, false, closedError()
	}
	stop := c.watch(ctx, p)
	runtime.LockOSThread()
	r := f(p)
	var err error
	if r != C.MQTTWS_OK {
		err = c.lastError(p, r)
	}
	runtime.UnlockOSThread()
	stop()
	runtime.KeepAlive(c)
	if r == C.MQTTWS_INTERRUPTED {
		switch {
		case c.closing.Load():
			return r, false, closedError()
		case ctx.Err() != nil:
			return r, false, ctxError(op, ctx.Err())
		default:
			// Another goroutine's context, not ours: again.
			return r, true, nil
		}
	}
	return r, false, err
}

// watch interrupts the client while the call runs once ctx has ended; the
// returned function stops watching and returns only once the watcher can no
// longer touch p.
func (c *Client) watch(ctx context.Context, p *C.mqttws_client) (stop func()) {
	done := ctx.Done()
	if done == nil {
		return func() {}
	}
	quit := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		select {
		case <-quit:
			return
		case <-done:
		}
		interruptUntil(p, quit)
	}()
	return func() {
		close(quit)
		<-exited
	}
}

// interruptUntil interrupts p now and every interruptEvery until quit is
// closed.
func interruptUntil(p *C.mqttws_client, quit <-chan struct{}) {
	t := time.NewTicker(interruptEvery)
	defer t.Stop()
	for {
		C.mqttws_client_interrupt(p)
		select {
		case <-quit:
			return
		case <-t.C:
		}
	}
}

// lastError reads the calling thread's last error detail on the client for
// result r. The OS thread must be the one that made the failing call.
func (c *Client) lastError(p *C.mqttws_client, r C.mqttws_result) error {
	e := &Error{Code: Code(r)}
	e.Msg = copyText(func(buf *C.char, n C.size_t, out *C.size_t) C.mqttws_result {
		return C.mqttws_client_last_error(p, buf, n, out)
	})
	e.HTTPStatus = int(C.mqttws_client_last_http_status(p))
	e.ConnackCode = int(C.mqttws_client_last_connack_code(p))
	if e.Code == CodeRejected || e.Is(ErrRefused) {
		e.Reason = copyText(func(buf *C.char, n C.size_t, out *C.size_t) C.mqttws_result {
			return C.mqttws_client_last_reason_string(p, buf, n, out)
		})
		e.ServerReference = copyText(func(buf *C.char, n C.size_t, out *C.size_t) C.mqttws_result {
			return C.mqttws_client_last_server_reference(p, buf, n, out)
		})
	}
	runtime.KeepAlive(c)
	return e
}

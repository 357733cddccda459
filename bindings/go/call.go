package mqttws

// #include "mqttws.h"
import "C"

import (
	"context"
	"errors"
	"runtime"
	"time"
)

// The machinery that lets many goroutines share one C client, which allows
// one thread at a time and one cross-thread call, mqttws_client_interrupt.
// See "Concurrency" in doc.go for the picture; the rules are:
//
//  1. Every C call on the client, apart from mqttws_client_interrupt, runs
//     with the client's lock held (lock/unlock). The lock is a buffered
//     channel of capacity 1: goroutines blocked on it are served in FIFO
//     order and unlock hands the lock straight to the first one, so a
//     goroutine that releases and re-takes the lock (Recv between two poll
//     slices) queues behind the waiters instead of barging.
//
//  2. A C call that may block runs through invoke, which records it under
//     imu as "the call in progress" with a sequence number. Interrupts are
//     only ever sent to that call: from its context's watcher goroutine, from
//     Close, or from a goroutine that wants the lock to start new work (a
//     "kick", only for yieldable calls: Recv's poll slices and WaitAck's
//     wait slices). After the call, imu is taken again, and no interrupt can
//     reach the client until the next invoke.
//
//  3. The core's interrupt is a flag: it wakes "the call blocked now, or else
//     the next blocking call", once. An interrupt that lands while the call
//     is already returning would therefore hit a LATER call, perhaps another
//     goroutine's Publish. invoke prevents that: if it sent an interrupt that
//     the call did not consume (the call did not return INTERRUPTED, or
//     several were sent), it withdraws the flag before unlocking (drain,
//     mqttws_client_clear_interrupt), so that no interrupt is ever pending
//     while the lock is free.

// recvSlice bounds one poll (Recv) or wait_for (WaitAck) call, after which
// the lock is released and taken again. Goroutines starting new work do not
// wait for it: they interrupt the slice (rule 2).
const recvSlice = 50 * time.Millisecond

// repeatEvery is how often a cancelled context re-interrupts a connect,
// which discards a pending interrupt when it starts.
const repeatEvery = 5 * time.Millisecond

type callKind int

const (
	// plain: interrupted by its context (and Close) only.
	plain callKind = iota
	// yieldable: also interrupted by a goroutine waiting for the lock to start
	// new work; if one is already waiting, the call runs with timeout 0.
	yieldable
	// connecting: a connect, which discards a pending interrupt when it
	// starts; a done context interrupts it every repeatEvery until it returns.
	connecting
)

var (
	// errYield: a yieldable call was interrupted so that another goroutine
	// may have the lock; the caller releases it and tries again.
	errYield = errors.New("mqttws: yield")
	// errClosing: Close interrupted the call.
	errClosing = errors.New("mqttws: closing")
)

// lock takes the client's lock (rule 1). kick: the caller starts new work
// (publish, subscribe...) and interrupts a yieldable call in progress
// instead of waiting for its slice to end. Fails if ctx ends or the client
// is being closed first.
func (c *Client) lock(ctx context.Context, op string, kick bool) error {
	if err := ctx.Err(); err != nil {
		return ctxError(op, err)
	}
	select {
	case c.sem <- struct{}{}:
		return nil
	default:
	}
	if kick {
		c.kickers.Add(1)
		defer c.kickers.Add(-1)
		c.kick()
	}
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctxError(op, ctx.Err())
	case <-c.done:
		return closedError()
	}
}

func (c *Client) unlock() { <-c.sem }

// lockForAck takes the lock for waitAck: without interrupting anybody, or,
// once ack is closed (another goroutine saw the acknowledgement), like a
// goroutine starting new work, so that a receiver in a poll slice does not
// keep the publisher waiting for an ack that already came.
func (c *Client) lockForAck(ctx context.Context, op string, ack <-chan struct{}) (acked bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, ctxError(op, err)
	}
	select {
	case c.sem <- struct{}{}:
		return false, nil
	default:
	}
	select {
	case c.sem <- struct{}{}:
		return false, nil
	case <-ack:
		return true, c.lock(ctx, op, true)
	case <-ctx.Done():
		return false, ctxError(op, ctx.Err())
	case <-c.done:
		return false, closedError()
	}
}

// kick interrupts the call in progress if it is yieldable.
func (c *Client) kick() {
	c.imu.Lock()
	defer c.imu.Unlock()
	if c.inCall && c.yieldable && c.sent == 0 {
		c.interruptLocked(errYield)
	}
}

// interruptCall interrupts call number seq if it is still in progress.
// repeat: interrupt again even if already interrupted (connect).
func (c *Client) interruptCall(seq uint64, cause error, repeat bool) {
	c.imu.Lock()
	defer c.imu.Unlock()
	if c.inCall && c.seq == seq && (c.sent == 0 || repeat) {
		c.interruptLocked(cause)
	}
}

// interruptLocked interrupts the call in progress; imu is held and inCall
// is true, so the client has not been freed.
func (c *Client) interruptLocked(cause error) {
	C.mqttws_client_interrupt(c._ptr)
	runtime.KeepAlive(c)
	c.sent++
	if c.cause == nil || c.cause == errYield {
		c.cause = cause
	}
}

// invoke runs f, one C call on the client that may block, with the lock
// held by the caller (rules 2 and 3). timeout is f's timeout argument in
// milliseconds (yieldable calls may get 0 instead). f must copy out any
// borrowed view before returning. The error is nil for MQTTWS_OK, errYield
// when the caller should release the lock and retry, else an *Error read
// from the client right after the call.
func (c *Client) invoke(ctx context.Context, op string, kind callKind, timeout time.Duration,
	f func(p *C.mqttws_client, timeoutMs C.int) C.mqttws_result) (C.mqttws_result, error) {
	p := c.ptr()
	if p == nil {
		return C.MQTTWS_CLOSED, closedError()
	}
	ms := millis(timeout)
	if ms > 1<<30 {
		ms = 1 << 30
	}
	c.imu.Lock()
	if err := ctx.Err(); err != nil {
		c.imu.Unlock()
		return C.MQTTWS_INTERRUPTED, ctxError(op, err)
	}
	if c.closing {
		c.imu.Unlock()
		return C.MQTTWS_INTERRUPTED, closedError()
	}
	if kind == yieldable && c.kickers.Load() > 0 {
		ms = 0
	}
	c.seq++
	seq := c.seq
	c.inCall, c.yieldable, c.sent, c.cause = true, kind == yieldable, 0, nil
	c.imu.Unlock()

	var stop chan struct{}
	if done := ctx.Done(); done != nil {
		stop = make(chan struct{})
		go c.watch(ctx, done, stop, seq, kind == connecting)
	}

	r := f(p, C.int(ms))
	runtime.KeepAlive(c)

	c.imu.Lock()
	c.inCall = false
	sent, cause := c.sent, c.cause
	c.imu.Unlock()
	if stop != nil {
		close(stop)
	}

	var err error
	if r != C.MQTTWS_OK {
		err = c.callError(p, op, r, cause)
	}
	if sent > 1 || (sent == 1 && r != C.MQTTWS_INTERRUPTED) {
		c.drain(p)
	}
	return r, err
}

// watch interrupts call seq when ctx ends before the call does.
func (c *Client) watch(ctx context.Context, done <-chan struct{}, stop chan struct{}, seq uint64, repeat bool) {
	select {
	case <-stop:
		return
	case <-done:
	}
	c.interruptCall(seq, ctx.Err(), repeat)
	if !repeat {
		return
	}
	t := time.NewTicker(repeatEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			c.interruptCall(seq, ctx.Err(), true)
		}
	}
}

// callError builds the error of a failed call, in the same locked section,
// before any other call can overwrite the client's last error.
func (c *Client) callError(p *C.mqttws_client, op string, r C.mqttws_result, cause error) error {
	if r == C.MQTTWS_INTERRUPTED {
		switch {
		case cause == errClosing:
			return closedError()
		case cause == errYield:
			return errYield
		case cause != nil:
			return ctxError(op, cause)
		}
		// Not ours: an interrupt that landed after drain withdrew the last
		// one (a watcher racing the end of its call). Harmless for the
		// looping calls, which retry.
		return errYield
	}
	return c.lastError(p, r)
}

// lastError reads the client's last error detail for result r.
func (c *Client) lastError(p *C.mqttws_client, r C.mqttws_result) error {
	e := &Error{Code: Code(r)}
	e.Msg = copyText(func(buf *C.char, n C.size_t, out *C.size_t) C.mqttws_result {
		return C.mqttws_client_last_error(p, buf, n, out)
	})
	e.HTTPStatus = int(C.mqttws_client_last_http_status(p))
	e.ConnackCode = int(C.mqttws_client_last_connack_code(p))
	runtime.KeepAlive(c)
	return e
}

// drain withdraws an interrupt that may still be pending in the core (rule
// 3). Events stay in the core's queue, within its incoming bound, for the
// next Recv. The lock is held.
func (c *Client) drain(p *C.mqttws_client) {
	C.mqttws_client_clear_interrupt(p)
	runtime.KeepAlive(c)
}

// expectAck registers the goroutine about to wait for the
// acknowledgement of packet id, so that whoever polls the PUBLISHED event
// can tell it (see waitAck). Called with the lock held, right after the
// publish, so that no poll can take the event first.
func (c *Client) expectAck(id uint16) chan struct{} {
	ch := make(chan struct{})
	c.ackMu.Lock()
	c.acks[id] = ch
	c.ackMu.Unlock()
	return ch
}

func (c *Client) forgetAck(id uint16, ch chan struct{}) {
	c.ackMu.Lock()
	if c.acks[id] == ch {
		delete(c.acks, id)
	}
	c.ackMu.Unlock()
}

// acked tells the goroutine waiting for packet id that a PUBLISHED event
// for it was seen. Only a hint: the event may be a stale one of an earlier
// message with the same id, so the waiter still asks C (wait_for).
func (c *Client) acked(id uint16) {
	if id == 0 {
		return
	}
	c.ackMu.Lock()
	if ch, ok := c.acks[id]; ok {
		close(ch)
		delete(c.acks, id)
	}
	c.ackMu.Unlock()
}

// stash keeps a message, event or error for Recv. The lock is held.
func (c *Client) stash(it item) {
	c.acked(it.acked)
	if it.msg != nil || it.err != nil || (it.ev != nil && c.onEvent != nil) {
		c.pending = append(c.pending, it)
	}
}

// Package mqttws is an MQTT 3.1.1 client over WebSocket (ws:// and wss://),
// with the credential schemes of the cloud IoT platforms (Tencent, Alibaba,
// AWS, Azure, Huawei). It is a cgo binding of libmqttws, the C API of the
// Rust mqttws crate.
//
// # Quick start
//
//	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
//	defer cancel()
//	c, err := mqttws.Dial(ctx, "wss://broker.example.com/mqtt", mqttws.WithClientID("sensor-1"))
//	if err != nil {
//		return err
//	}
//	defer c.Close()
//	if _, err := c.Subscribe(ctx, "sensors/#", mqttws.AtLeastOnce); err != nil {
//		return err
//	}
//	err = c.Publish(ctx, "sensors/1/temperature", []byte("21.5"), mqttws.AtLeastOnce, false)
//	m, err := c.Recv(ctx) // or: for m := range c.Messages() {...}
//
// # Building
//
// The package needs cgo (CGO_ENABLED=1, a C compiler) and the C library
// libmqttws; with CGO_ENABLED=0 the build stops with an error naming both.
// By default it links an installed libmqttws found by pkg-config (`make
// install PREFIX=...` in a checkout writes PREFIX/lib/pkgconfig/mqttws.pc;
// point PKG_CONFIG_PATH at it unless PREFIX is /usr or /usr/local). That
// gives a program that loads libmqttws.so.0 at run time, found through
// ldconfig, an rpath (CGO_LDFLAGS=-Wl,-rpath,PREFIX/lib) or
// LD_LIBRARY_PATH. Go's build cache keeps pkg-config's answer: after
// installing libmqttws into another prefix, build once with -a
// (golang/go#24544). For 64-bit ARM: GOARCH=arm64
// CC=aarch64-linux-gnu-gcc, with PKG_CONFIG_LIBDIR pointing at the
// install of `make install TARGET=aarch64-unknown-linux-gnu`.
//
// With -tags mqttws_static it links statically against the archive that
// the checkout holding this package builds instead:
// ../../target/release/libmqttws.a (`make c-lib`) for amd64,
// ../../target/aarch64-unknown-linux-gnu/release/libmqttws.a for arm64 and
// ../../target/armv7-unknown-linux-gnueabihf/release/libmqttws.a for arm
// (`make c-lib TARGET=...`). Such programs need no libmqttws.so at run
// time. The module uses the standard library only.
//
// # Concurrency
//
// A Client may be used by several goroutines at once. The C library allows
// one thread at a time per client, and a single cross-thread call,
// mqttws_client_interrupt, which wakes the call blocked in the library. The
// binding builds on both:
//
//   - Every C call runs with the client's lock held. The lock is FIFO: a
//     goroutine that releases and retakes it queues behind the goroutines
//     already waiting.
//   - Recv does not hold the lock while it waits for a message: it polls the
//     library in slices of 50 ms and releases the lock in between. A
//     goroutine that wants to publish (subscribe, ...) meanwhile does not
//     wait for the slice to end: it interrupts the poll, which returns at
//     once. Measured on loopback, a Publish while another goroutine waits
//     in Recv takes about 0.1 ms at QoS 0 and 0.2 ms at QoS 1.
//   - Publish at QoS 1/2 writes the message with the lock held, then waits
//     for the acknowledgement in slices too, so that many goroutines'
//     messages are in flight at once, and any goroutine's poll reads
//     everybody's acknowledgements.
//   - Contexts end calls through the interrupt: a goroutine watches ctx
//     while a call is in the library and interrupts exactly that call (by
//     sequence number; never one that started later). A cancelled Recv
//     returns within a millisecond; so does a Dial.
//
// The library's interrupt is a flag that makes "the call blocked now, or
// else the next blocking call" return once. An interrupt sent while the
// call is already returning would therefore hit a later call, perhaps
// another goroutine's Publish. So after a call that was interrupted but
// did not consume the interrupt, the binding consumes it itself (it
// interrupts once more and polls until the poll reports the interrupt,
// keeping any message that comes first) before it releases the lock: no
// interrupt is ever pending while the lock is free.
//
// # Errors
//
// Every error is an *Error carrying the C result code and the library's
// detailed message. Compare with errors.Is against the sentinels
// (ErrTimeout, ErrClosed, ErrTLS, ErrHandshake, ErrRefused, ErrProtocol,
// ErrInvalidArgument, ErrInterrupted, ErrAuth, ErrProxy, ErrQueueFull, ...);
// errors.As gives the code, the message, the HTTP status of a refused
// upgrade and the CONNACK code of a refused connection. The C library keeps
// the last error per client, not per thread, and the binding reads it in
// the same locked section as the failing call, so no goroutine can see
// another's error and runtime.LockOSThread is not needed. A call ended by
// its context returns an *Error matching ErrInterrupted that also wraps
// ctx.Err() (context.Canceled or context.DeadlineExceeded; a deadline also
// matches ErrTimeout).
//
// # Memory and ownership
//
// C never holds a Go pointer. Topics, payloads and options are copied by C
// during the call; arrays of pointers are built in C memory. Received
// topics and payloads are borrowed from the C client only until its next
// call, so the binding copies them before releasing the lock: a *Message
// belongs to the caller. The binding uses the library's pull API
// (mqttws_client_poll), so C never calls into Go: there are no callbacks,
// no runtime/cgo.Handle and no exported trampolines.
//
// A Client owns native memory, a socket and a poller. Close frees them
// (and sends DISCONNECT); it is idempotent, and every later call fails with
// ErrClosed. A finalizer frees a client that was never closed, as a
// backstop only: the garbage collector does not see the native resources
// and may run finalizers late or never. Every C call is followed by
// runtime.KeepAlive so the finalizer cannot run during it; tests run once
// with -tags debug, which forces a garbage collection before every C call
// to prove it.
//
// Platform devices (Tencent, Aliyun, AWSSigV4, AWSCustomAuth, Azure,
// Huawei) are plain Go values; each call creates the C object, uses it and
// frees it.
//
// # Not covered
//
// The C library's durable store (WithStoreDir), proxies (WithProxy) and
// WebSocket pings (WithWSPing) are passed through as options and tested on
// the C side. Events of the automatic reconnect reach WithEventHandler from
// Recv: with WithReconnect, keep a goroutine in Recv (or ranging over
// Messages) so that the client notices drops and reconnects.
package mqttws

// Package mqttws is an MQTT 3.1.1 and 5.0 client over WebSocket (ws:// and
// wss://), with the credential schemes of the cloud IoT platforms (Tencent,
// Alibaba, AWS, Azure, Huawei). It is a cgo binding of libmqttws, the C API
// of the Rust mqttws crate.
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
// # MQTT 5
//
// 3.1.1 is the default; WithProtocolVersion(MQTT5) opts a client in.
// Then:
//
//   - CONNECT: WithConnectProperties (session expiry, receive maximum,
//     maximum packet size, topic alias maximum, request response/problem
//     information, user properties) and WithWillProperties; CONNACK:
//     Client.Connack (assigned client id, server keep alive, maximum QoS,
//     receive maximum, reason string, server reference...).
//   - PUBLISH: PublishWith takes PublishProperties (payload format, message
//     expiry, content type, response topic, correlation data, user
//     properties in order with repeated names); received messages carry
//     theirs in Message.Properties, with the subscription identifiers.
//   - SUBSCRIBE: SubscribeWith (no local, retain as published, retain
//     handling, a subscription identifier) returns the SUBACK reason code
//     of each filter; UnsubscribeWith the UNSUBACK ones.
//   - Refusals: a publish the broker refuses is an error matching
//     ErrRejected (Error.ConnackCode holds the reason code, Error.Reason
//     the broker's text), and an EventRejected; a refused CONNECT matches
//     ErrRefused, with Error.Reason and Error.ServerReference; a server
//     DISCONNECT is an EventServerDisconnected.
//
// Under 3.1.1 every MQTT 5-only argument is ErrInvalidArgument, and
// nothing is sent.
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
// A Client may be used by several goroutines at once, and so may the C
// client under it: goroutines call the library directly, and a goroutine
// blocked in Recv does not delay another's Publish (the library locks its
// state only around non-blocking work, never while it waits).
//
//   - Contexts end calls through mqttws_client_interrupt. The library's
//     interrupt ends every call in progress on the client at that moment
//     (and none that starts later), so a call interrupted for another
//     goroutine's context is simply made again; a cancelled Recv returns
//     within milliseconds, and so does a Dial.
//   - Close ends the calls in progress (they return ErrClosed), waits for
//     them to leave the library, then frees the client.
//
// # Errors
//
// Every error is an *Error carrying the C result code and the library's
// detailed message. Compare with errors.Is against the sentinels
// (ErrTimeout, ErrClosed, ErrTLS, ErrHandshake, ErrRefused, ErrProtocol,
// ErrInvalidArgument, ErrInterrupted, ErrAuth, ErrProxy, ErrQueueFull, ...);
// errors.As gives the code, the message, the HTTP status of a refused
// upgrade and the CONNACK code of a refused connection. The C library keeps
// each thread's last error per client; the binding makes a call and reads
// its error on one locked OS thread (runtime.LockOSThread), so no
// goroutine can see another's error. A call ended by
// its context returns an *Error matching ErrInterrupted that also wraps
// ctx.Err() (context.Canceled or context.DeadlineExceeded; a deadline also
// matches ErrTimeout).
//
// # Memory and ownership
//
// C never holds a Go pointer. Topics, payloads and options are copied by C
// during the call; arrays of pointers are built in C memory. Received
// topics and payloads are borrowed from the C event that carries them, so
// the binding copies them before freeing the event: a *Message belongs to
// the caller. The binding uses the library's pull API
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
// MQTT 5 enhanced authentication (AUTH exchanges) and the user properties
// of SUBSCRIBE and UNSUBSCRIBE are not in the C API, so not here either.
// The C library's durable store (WithStoreDir), proxies (WithProxy) and
// WebSocket pings (WithWSPing) are passed through as options and tested on
// the C side. Events of the automatic reconnect reach WithEventHandler from
// Recv: with WithReconnect, keep a goroutine in Recv (or ranging over
// Messages) so that the client notices drops and reconnects.
package mqttws

package mqttws

// #include <stdlib.h>
// #include <mqttws.h>
import "C"

import (
	"math"
	"time"
	"unsafe"
)

// Option configures Dial. Options are applied in order; a later option
// overrides an earlier one of the same kind (WithHeader adds).
type Option func(*config)

type config struct {
	steps     []step
	platform  Platform
	opTimeout time.Duration
	onEvent   func(Event)
	v5        bool // WithProtocolVersion(MQTT5)
}

// step applies one option to the C options builder.
type step struct {
	name  string
	apply func(b *C.mqttws_options_builder) (C.mqttws_result, error)
}

func (cfg *config) add(name string, apply func(b *C.mqttws_options_builder) (C.mqttws_result, error)) {
	cfg.steps = append(cfg.steps, step{name, apply})
}

// addString adds a step that passes s to a setter taking a C string.
func (cfg *config) addString(name, s string, set func(b *C.mqttws_options_builder, s *C.char) C.mqttws_result) {
	cfg.add(name, func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
		cs, err := cstring(name, s)
		if err != nil {
			return C.MQTTWS_INVALID_PARAMETER, err
		}
		defer C.free(unsafe.Pointer(cs))
		return set(b, cs), nil
	})
}

// build turns the configuration into C options (free with
// mqttws_options_free).
func (cfg *config) build(url string) (*C.mqttws_options, error) {
	curl, err := cstring("URL", url)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(curl))
	var b *C.mqttws_options_builder
	if r := C.mqttws_options_builder_new(curl, &b); r != C.MQTTWS_OK {
		return nil, codeError("Dial: URL", r)
	}
	for _, s := range cfg.steps {
		r, err := s.apply(b)
		if err == nil && r != C.MQTTWS_OK {
			err = codeError(s.name, r)
		}
		if err != nil {
			C.mqttws_options_builder_free(b)
			return nil, err
		}
	}
	if cfg.platform != nil {
		if err := attach(cfg.platform, b); err != nil {
			C.mqttws_options_builder_free(b)
			return nil, err
		}
	}
	var o *C.mqttws_options
	var e *C.mqttws_error
	// build consumes the builder, also on failure.
	if r := C.mqttws_options_builder_build(b, &o, &e); r != C.MQTTWS_OK {
		return nil, errorObject(r, e)
	}
	return o, nil
}

// WithClientID sets the MQTT client identifier (default empty: the broker
// assigns one, which needs a clean session). A platform (WithPlatform)
// overrides it.
func WithClientID(id string) Option {
	return func(cfg *config) {
		cfg.addString("WithClientID", id, func(b *C.mqttws_options_builder, s *C.char) C.mqttws_result {
			return C.mqttws_options_builder_set_client_id(b, s)
		})
	}
}

// WithCredentials sets the CONNECT user name and password. A platform
// (WithPlatform) overrides them.
func WithCredentials(username, password string) Option {
	return func(cfg *config) {
		WithUsername(username)(cfg)
		cfg.addString("WithCredentials", password, func(b *C.mqttws_options_builder, s *C.char) C.mqttws_result {
			return C.mqttws_options_builder_set_password(b, s)
		})
	}
}

// WithUsername sets the CONNECT user name without a password.
func WithUsername(username string) Option {
	return func(cfg *config) {
		cfg.addString("WithUsername", username, func(b *C.mqttws_options_builder, s *C.char) C.mqttws_result {
			return C.mqttws_options_builder_set_username(b, s)
		})
	}
}

// WithKeepAlive sets the keepalive interval, in whole seconds (default
// 60 s; 0 turns it off). A PINGREQ goes out after this much silence; no
// PINGRESP within half of it closes the connection (ErrTimeout). With a
// platform, a value outside its range makes Dial fail with
// ErrInvalidArgument.
func WithKeepAlive(d time.Duration) Option {
	return func(cfg *config) {
		cfg.add("WithKeepAlive", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			secs := d / time.Second
			if d < 0 || secs > math.MaxUint16 {
				return 0, argError("WithKeepAlive: out of range 0..65535 s")
			}
			return C.mqttws_options_builder_set_keepalive(b, C.uint16_t(secs)), nil
		})
	}
}

// WithCleanSession sets the clean-session flag (default true). False asks
// the broker to keep subscriptions and queued QoS 1/2 messages across
// connections (needs WithClientID).
func WithCleanSession(clean bool) Option {
	return func(cfg *config) {
		cfg.add("WithCleanSession", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			return C.mqttws_options_builder_set_clean_session(b, C.bool(clean)), nil
		})
	}
}

// WithWill sets the last will: the message the broker publishes if the
// client vanishes without DISCONNECT (Close and Disconnect send one; the
// finalizer and a dropped connection do not).
func WithWill(topic string, payload []byte, qos QoS, retain bool) Option {
	return func(cfg *config) {
		cfg.add("WithWill", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			r := C.mqttws_options_builder_set_will(b, textPtr(topic), C.size_t(len(topic)),
				bytesPtr(payload), C.size_t(len(payload)), C.uint8_t(qos), C.bool(retain))
			return r, nil
		})
	}
}

// WithCAFile trusts only the CA certificates in this PEM file for wss://
// (default: the Mozilla root CAs). The file is read by Dial.
func WithCAFile(path string) Option {
	return func(cfg *config) {
		cfg.addString("WithCAFile", path, func(b *C.mqttws_options_builder, s *C.char) C.mqttws_result {
			return C.mqttws_options_builder_set_ca_file(b, s)
		})
	}
}

// WithCAPEM trusts only the CA certificates in this PEM text for wss://.
func WithCAPEM(pem []byte) Option {
	return func(cfg *config) {
		cfg.add("WithCAPEM", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			return C.mqttws_options_builder_set_ca_pem(b, bytesPtr(pem), C.size_t(len(pem))), nil
		})
	}
}

// WithClientCertFiles presents this certificate chain and private key (PEM
// files; PKCS#8, PKCS#1 or SEC1 key, unencrypted) for mutual TLS.
func WithClientCertFiles(certPath, keyPath string) Option {
	return func(cfg *config) {
		cfg.add("WithClientCertFiles", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			return withCStrings([]string{"WithClientCertFiles: certificate path", "WithClientCertFiles: key path"},
				[]string{certPath, keyPath}, func(cs []*C.char) C.mqttws_result {
					return C.mqttws_options_builder_set_client_cert_files(b, cs[0], cs[1])
				})
		})
	}
}

// WithClientCertPEM presents this certificate chain and private key (PEM
// text) for mutual TLS.
func WithClientCertPEM(certPEM, keyPEM []byte) Option {
	return func(cfg *config) {
		cfg.add("WithClientCertPEM", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			return C.mqttws_options_builder_set_client_cert_pem(b, bytesPtr(certPEM), C.size_t(len(certPEM)),
				bytesPtr(keyPEM), C.size_t(len(keyPEM))), nil
		})
	}
}

// WithInsecureSkipVerify accepts any server certificate. For tests against
// throwaway servers only: it removes all protection against impostors.
func WithInsecureSkipVerify() Option {
	return func(cfg *config) {
		cfg.add("WithInsecureSkipVerify", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			return C.mqttws_options_builder_set_insecure_skip_verify(b, true), nil
		})
	}
}

// WithHeader adds an HTTP header to the WebSocket upgrade request (may be
// given several times). The handshake's own headers (Host, Connection,
// Upgrade, Sec-WebSocket-*) are refused.
func WithHeader(name, value string) Option {
	return func(cfg *config) {
		cfg.add("WithHeader", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			return withCStrings([]string{"WithHeader: name", "WithHeader: value"}, []string{name, value},
				func(cs []*C.char) C.mqttws_result {
					return C.mqttws_options_builder_add_header(b, cs[0], cs[1])
				})
		})
	}
}

// durationMs converts d to whole milliseconds for a uint32 C parameter
// (rounded up; 0 stays 0 and is refused by C where it is invalid).
func durationMs(name string, d time.Duration) (C.uint32_t, error) {
	ms := millis(d)
	if d < 0 || ms > math.MaxUint32 {
		return 0, argError(name + ": out of range")
	}
	return C.uint32_t(ms), nil
}

// WithConnectTimeout bounds a whole connect: DNS, TCP, TLS, upgrade,
// CONNACK (default 10 s). Dial's context can end it sooner.
func WithConnectTimeout(d time.Duration) Option {
	return func(cfg *config) {
		cfg.add("WithConnectTimeout", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			ms, err := durationMs("WithConnectTimeout", d)
			if err != nil {
				return 0, err
			}
			return C.mqttws_options_builder_set_connect_timeout_ms(b, ms), nil
		})
	}
}

// WithOperationTimeout bounds the wait for acknowledgements (Publish at
// QoS 1/2, Subscribe, Unsubscribe, WaitAck), for room in a full inflight
// window or socket, and for Disconnect (default 10 s).
func WithOperationTimeout(d time.Duration) Option {
	return func(cfg *config) {
		cfg.opTimeout = d
		cfg.add("WithOperationTimeout", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			ms, err := durationMs("WithOperationTimeout", d)
			if err != nil {
				return 0, err
			}
			return C.mqttws_options_builder_set_operation_timeout_ms(b, ms), nil
		})
	}
}

// WithMaxPacketSize sets the largest incoming packet accepted, in bytes of
// MQTT remaining length (default: room for a 1 MiB payload). A larger
// packet closes the connection (ErrProtocol).
func WithMaxPacketSize(bytes int) Option {
	return func(cfg *config) {
		cfg.add("WithMaxPacketSize", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			if bytes < 0 {
				return 0, argError("WithMaxPacketSize: negative")
			}
			return C.mqttws_options_builder_set_max_packet_size(b, C.size_t(bytes)), nil
		})
	}
}

// WithInflightWindow sets how many outgoing QoS 1/2 messages may await
// acknowledgement at once (default 20); a publish beyond it waits for
// room, at most the operation timeout.
func WithInflightWindow(n int) Option {
	return func(cfg *config) {
		cfg.add("WithInflightWindow", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			if n < 0 || n > math.MaxUint16 {
				return 0, argError("WithInflightWindow: out of range 1..65535")
			}
			return C.mqttws_options_builder_set_inflight_window(b, C.uint16_t(n)), nil
		})
	}
}

// WithProxy tunnels every connection through an HTTP CONNECT or SOCKS5
// proxy: http://[user:password@]host[:port], socks5://..., or a bare
// host:port (HTTP). timeout bounds the proxy phase (0: only the connect
// timeout). Proxies are never taken from the environment implicitly.
func WithProxy(proxyURL string, timeout time.Duration) Option {
	return func(cfg *config) {
		cfg.add("WithProxy", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			ms, err := durationMs("WithProxy", timeout)
			if err != nil {
				return 0, err
			}
			cs, err := cstring("WithProxy: URL", proxyURL)
			if err != nil {
				return 0, err
			}
			defer C.free(unsafe.Pointer(cs))
			return C.mqttws_options_builder_set_proxy(b, cs, ms), nil
		})
	}
}

// ReconnectPolicy configures WithReconnect.
type ReconnectPolicy struct {
	// MinDelay and MaxDelay bound the growing, jittered delay between
	// attempts. MinDelay must be positive and at most MaxDelay.
	MinDelay, MaxDelay time.Duration
	// StableAfter: a connection that lasted this long resets the delay.
	StableAfter time.Duration
	// RestoreSubscriptions makes the subscriptions again when the broker
	// kept no session.
	RestoreSubscriptions bool
}

// WithReconnect turns on the automatic reconnect: after a drop the client
// waits, connects again and reports EventDisconnected, EventReconnecting
// and EventConnected (see WithEventHandler) instead of failing. The
// reconnect runs inside Recv, WaitAck and Publish's wait for the ack: some
// goroutine must be calling Recv (or ranging over Messages) for it to
// happen. Also turns on an offline queue (1000 messages, 4 MiB) unless
// WithOfflineQueue sets one. Dial itself does not retry.
func WithReconnect(p ReconnectPolicy) Option {
	return func(cfg *config) {
		cfg.add("WithReconnect", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			lo, err := durationMs("WithReconnect: MinDelay", p.MinDelay)
			if err != nil {
				return 0, err
			}
			hi, err := durationMs("WithReconnect: MaxDelay", p.MaxDelay)
			if err != nil {
				return 0, err
			}
			st, err := durationMs("WithReconnect: StableAfter", p.StableAfter)
			if err != nil {
				return 0, err
			}
			return C.mqttws_options_builder_set_reconnect(b, lo, hi, st, C.bool(p.RestoreSubscriptions)), nil
		})
	}
}

// OfflineQueue configures WithOfflineQueue.
type OfflineQueue struct {
	// MaxMessages and MaxBytes (topics plus payloads) bound the queue; both
	// must be positive.
	MaxMessages, MaxBytes int
	// DropOldest: when a message does not fit, drop the oldest queued one
	// (EventDropped) instead of failing the publish with ErrQueueFull.
	DropOldest bool
}

// WithOfflineQueue accepts publishes while disconnected, sent after the
// next CONNACK. Off by default: publishing while disconnected fails with
// ErrClosed.
func WithOfflineQueue(q OfflineQueue) Option {
	return func(cfg *config) {
		cfg.add("WithOfflineQueue", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			if q.MaxMessages < 0 || q.MaxBytes < 0 {
				return 0, argError("WithOfflineQueue: negative bound")
			}
			return C.mqttws_options_builder_set_offline_queue(b, C.size_t(q.MaxMessages), C.size_t(q.MaxBytes),
				C.bool(q.DropOldest)), nil
		})
	}
}

// WithIncomingQueue bounds received messages that Recv has not returned
// yet (default 10,000 messages and 32 MiB of topics and payloads). When
// either is reached the client stops reading from the socket until Recv
// takes messages, so that TCP pushes back on the broker; nothing is
// dropped. Meanwhile a call that waits for an acknowledgement may end with
// ErrTimeout. Both bounds must be positive.
func WithIncomingQueue(maxMessages, maxBytes int) Option {
	return func(cfg *config) {
		cfg.add("WithIncomingQueue", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			if maxMessages <= 0 || maxBytes <= 0 {
				return 0, argError("WithIncomingQueue: bounds must be positive")
			}
			return C.mqttws_options_builder_set_incoming_queue(b, C.size_t(maxMessages), C.size_t(maxBytes)), nil
		})
	}
}

// WithWSPing sends a WebSocket PING every interval and declares the link
// dead (ErrTimeout) when the PONG has not come within timeout; keeps
// proxies and load balancers with idle timeouts from closing a quiet
// connection. Off by default.
func WithWSPing(interval, timeout time.Duration) Option {
	return func(cfg *config) {
		cfg.add("WithWSPing", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			i, err := durationMs("WithWSPing: interval", interval)
			if err != nil {
				return 0, err
			}
			t, err := durationMs("WithWSPing: timeout", timeout)
			if err != nil {
				return 0, err
			}
			return C.mqttws_options_builder_set_ws_ping(b, i, t), nil
		})
	}
}

// WithStoreDir keeps outgoing QoS 1/2 messages in a durable store in dir
// until acknowledged: each is synced to disk before the publish returns,
// and a client created later on the same directory (after a crash, say)
// sends the unacknowledged ones again. One client per directory at a time.
func WithStoreDir(dir string) Option {
	return func(cfg *config) {
		cfg.addString("WithStoreDir", dir, func(b *C.mqttws_options_builder, s *C.char) C.mqttws_result {
			return C.mqttws_options_builder_set_store_dir(b, s)
		})
	}
}

// WithPlatform signs the credentials of every connect with this cloud
// platform device (Tencent, Aliyun, AWSSigV4, AWSCustomAuth, Azure,
// Huawei), overriding WithClientID and WithCredentials, and checks the
// keepalive against the platform's range. Dial with url "" then connects
// to the platform's endpoint (p.URL()). The device is copied: changing it
// afterwards does not affect the client.
func WithPlatform(p Platform) Option {
	return func(cfg *config) { cfg.platform = p }
}

// WithEventHandler calls f for each connection event (automatic
// reconnects, messages dropped from the offline queue). f runs on the
// goroutine calling Recv (or the Messages goroutine), without the client's
// lock: it may call the client's methods.
func WithEventHandler(f func(Event)) Option {
	return func(cfg *config) { cfg.onEvent = f }
}

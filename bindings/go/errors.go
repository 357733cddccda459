package mqttws

// #include <stdlib.h>
// #include <mqttws.h>
import "C"

import (
	"context"
	"errors"
	"unsafe"
)

// Code is a result code of the C library (mqttws_result). The numbers never
// change between releases. Ranges: 1-99 misuse and generic conditions,
// 100-199 network I/O, proxies and deadlines, 200-299 TLS, 300-399 the
// WebSocket handshake, 400-499 MQTT, 500-599 credentials.
type Code uint32

// The result codes of mqttws.h, with the same numbers.
const (
	CodeOK                                 Code = 0
	CodePanic                              Code = 1
	CodeNullParameter                      Code = 2
	CodeInvalidParameter                   Code = 3
	CodeInsufficientSize                   Code = 4
	CodeReentrant                          Code = 5
	CodeBusy                               Code = 6
	CodeInterrupted                        Code = 7
	CodeInvalidArgument                    Code = 8
	CodeUnknown                            Code = 99
	CodeIO                                 Code = 100
	CodeTimeout                            Code = 101
	CodeAckTimeout                         Code = 102
	CodeProxy                              Code = 110
	CodeTLS                                Code = 200
	CodeHandshake                          Code = 300
	CodeProtocol                           Code = 400
	CodeConnackUnacceptableProtocolVersion Code = 401
	CodeConnackIdentifierRejected          Code = 402
	CodeConnackServerUnavailable           Code = 403
	CodeConnackBadUsernameOrPassword       Code = 404
	CodeConnackNotAuthorized               Code = 405
	CodeConnackRefused                     Code = 406
	CodeClosed                             Code = 410
	CodeSubscribeRefused                   Code = 420
	CodeQueueFull                          Code = 430
	CodeRejected                           Code = 440
	CodeAuth                               Code = 500
)

// Compile-time proof that the constants above equal the header's: indexing
// a one-element array with a non-zero constant does not compile.
var _ = [1]struct{}{}[int(C.MQTTWS_OK)-int(CodeOK)+
	int(C.MQTTWS_PANIC)-int(CodePanic)+
	int(C.MQTTWS_NULL_PARAMETER)-int(CodeNullParameter)+
	int(C.MQTTWS_INVALID_PARAMETER)-int(CodeInvalidParameter)+
	int(C.MQTTWS_INSUFFICIENT_SIZE)-int(CodeInsufficientSize)+
	int(C.MQTTWS_REENTRANT)-int(CodeReentrant)+
	int(C.MQTTWS_BUSY)-int(CodeBusy)+
	int(C.MQTTWS_INTERRUPTED)-int(CodeInterrupted)+
	int(C.MQTTWS_INVALID_ARGUMENT)-int(CodeInvalidArgument)+
	int(C.MQTTWS_UNKNOWN)-int(CodeUnknown)+
	int(C.MQTTWS_IO)-int(CodeIO)+
	int(C.MQTTWS_TIMEOUT)-int(CodeTimeout)+
	int(C.MQTTWS_ACK_TIMEOUT)-int(CodeAckTimeout)+
	int(C.MQTTWS_PROXY)-int(CodeProxy)+
	int(C.MQTTWS_TLS)-int(CodeTLS)+
	int(C.MQTTWS_HANDSHAKE)-int(CodeHandshake)+
	int(C.MQTTWS_PROTOCOL)-int(CodeProtocol)+
	int(C.MQTTWS_CONNACK_UNACCEPTABLE_PROTOCOL_VERSION)-int(CodeConnackUnacceptableProtocolVersion)+
	int(C.MQTTWS_CONNACK_IDENTIFIER_REJECTED)-int(CodeConnackIdentifierRejected)+
	int(C.MQTTWS_CONNACK_SERVER_UNAVAILABLE)-int(CodeConnackServerUnavailable)+
	int(C.MQTTWS_CONNACK_BAD_USERNAME_OR_PASSWORD)-int(CodeConnackBadUsernameOrPassword)+
	int(C.MQTTWS_CONNACK_NOT_AUTHORIZED)-int(CodeConnackNotAuthorized)+
	int(C.MQTTWS_CONNACK_REFUSED)-int(CodeConnackRefused)+
	int(C.MQTTWS_CLOSED)-int(CodeClosed)+
	int(C.MQTTWS_SUBSCRIBE_REFUSED)-int(CodeSubscribeRefused)+
	int(C.MQTTWS_QUEUE_FULL)-int(CodeQueueFull)+
	int(C.MQTTWS_REJECTED)-int(CodeRejected)+
	int(C.MQTTWS_AUTH)-int(CodeAuth)]

// String returns the library's static English text for the code, e.g.
// "connection closed".
func (c Code) String() string {
	return C.GoString(C.mqttws_result_str(C.uint32_t(c)))
}

// Error is every error this package returns, apart from a few plain
// errors.New values for arguments Go cannot pass to C. Compare with
// errors.Is against the Err* values (errors.Is(err, mqttws.ErrTimeout)),
// or get the details with errors.As.
type Error struct {
	// Code is the C result code.
	Code Code
	// Msg is the detailed message: the client's last error
	// (mqttws_client_last_error) read right after the failing call, or the
	// error object of a constructor or signer. Empty for the sentinels.
	Msg string
	// HTTPStatus is the status of a refused WebSocket upgrade (CodeHandshake:
	// 401, 403, 404...) or of an HTTP proxy's refusal (CodeProxy: 407...);
	// 0 if none was received.
	HTTPStatus int
	// ConnackCode is the CONNACK return code (1 to 5) or MQTT 5 reason code
	// of a refused connection (the CodeConnack* codes), the MQTT 5 reason
	// code of a refused message (CodeRejected), 0 otherwise.
	ConnackCode int
	// Reason is the broker's reason string of an MQTT 5 refusal (a
	// CONNACK refusal, or CodeRejected), if it sent one; Msg contains it
	// too.
	Reason string
	// ServerReference is the server a refused MQTT 5 connection was
	// redirected to (reason codes 0x9C use another server, 0x9D server
	// moved), if the broker named one; the client does not follow it.
	ServerReference string

	// cause is the context error when a context ended the call.
	cause error
}

// Error returns the detailed message, or the code's text.
func (e *Error) Error() string {
	if e.Msg != "" {
		return e.Msg
	}
	return "mqttws: " + e.Code.String()
}

// Unwrap returns the context error (context.Canceled or
// context.DeadlineExceeded) when a context ended the call, else nil.
func (e *Error) Unwrap() error { return e.cause }

// Timeout reports whether the error is a timeout: a deadline of the library
// (CodeTimeout, CodeAckTimeout) or of the context.
func (e *Error) Timeout() bool { return e.Is(ErrTimeout) }

// Is reports whether e is of the kind of target, an *Error (normally one of
// the Err* sentinels): same Code, with these groupings:
//   - ErrRefused matches every CONNACK refusal (codes 401 to 406);
//   - ErrTimeout matches CodeTimeout, CodeAckTimeout, and a call ended by a
//     context deadline;
//   - ErrInvalidArgument matches CodeInvalidArgument, CodeInvalidParameter
//     and CodeNullParameter (values refused before anything was sent).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	switch t {
	case ErrRefused:
		return e.Code >= CodeConnackUnacceptableProtocolVersion && e.Code <= CodeConnackRefused
	case ErrTimeout:
		return e.Code == CodeTimeout || e.Code == CodeAckTimeout ||
			errors.Is(e.cause, context.DeadlineExceeded)
	case ErrInvalidArgument:
		return e.Code == CodeInvalidArgument || e.Code == CodeInvalidParameter ||
			e.Code == CodeNullParameter
	}
	return t.Code != CodeOK && e.Code == t.Code
}

// Sentinels for errors.Is. Each is an *Error with only Code set (see
// Error.Is for the groupings).
var (
	// ErrPanic: a bug, the library panicked; Close the client.
	ErrPanic = &Error{Code: CodePanic}
	// ErrInvalidArgument: a value refused before anything was sent (a
	// wildcard in a publish topic, a QoS above 2, a malformed URL or filter,
	// a keepalive outside the platform's range...); see the message.
	ErrInvalidArgument = &Error{Code: CodeInvalidArgument}
	// ErrInterrupted: the call was cut short, by its context (see Unwrap)
	// or by Close.
	ErrInterrupted = &Error{Code: CodeInterrupted}
	// ErrIO: the operating system reported an I/O error (refused, reset,
	// unreachable, DNS). The connection is closed.
	ErrIO = &Error{Code: CodeIO}
	// ErrTimeout: a deadline passed (connect, write, PINGRESP, ack, or the
	// context's).
	ErrTimeout = &Error{Code: CodeTimeout}
	// ErrAckTimeout: a PUBACK/PUBCOMP/SUBACK/UNSUBACK did not come in time.
	// Not fatal: the connection stays open and the message in flight.
	ErrAckTimeout = &Error{Code: CodeAckTimeout}
	// ErrProxy: the HTTP or SOCKS5 proxy refused the tunnel (HTTPStatus).
	ErrProxy = &Error{Code: CodeProxy}
	// ErrTLS: TLS failed (unknown CA, name mismatch, refused client
	// certificate, unreadable PEM).
	ErrTLS = &Error{Code: CodeTLS}
	// ErrHandshake: the WebSocket upgrade failed (HTTPStatus).
	ErrHandshake = &Error{Code: CodeHandshake}
	// ErrProtocol: the server broke the MQTT or WebSocket rules.
	ErrProtocol = &Error{Code: CodeProtocol}
	// ErrRefused: the broker refused the connection in CONNACK
	// (ConnackCode: 1 to 5, or an MQTT 5 reason code).
	ErrRefused = &Error{Code: CodeOK, Msg: "mqttws: connection refused"}
	// ErrClosed: the client was closed, or the connection is not open.
	ErrClosed = &Error{Code: CodeClosed}
	// ErrSubscribeRefused: the broker refused the subscription.
	ErrSubscribeRefused = &Error{Code: CodeSubscribeRefused}
	// ErrQueueFull: the offline queue is full; nothing was queued.
	ErrQueueFull = &Error{Code: CodeQueueFull}
	// ErrRejected: MQTT 5, the broker refused the message (PUBACK or
	// PUBREC reason code in ConnackCode). Not fatal; the message is done.
	ErrRejected = &Error{Code: CodeRejected}
	// ErrAuth: credentials could not be built (a key that is not base64, an
	// unusable private key, an empty secret).
	ErrAuth = &Error{Code: CodeAuth}
	// ErrBusy: the C client was freed while another thread's call was in
	// progress. Close waits for calls to return, so seeing it is a bug.
	ErrBusy = &Error{Code: CodeBusy}
	// ErrUnknown: an error the library does not classify; see the message.
	ErrUnknown = &Error{Code: CodeUnknown}
)

// errorObject turns an mqttws_error handed out by a constructor or signer
// into an *Error and frees it. e may be NULL (then only the code is known).
func errorObject(r C.mqttws_result, e *C.mqttws_error) error {
	err := &Error{Code: Code(r)}
	if e == nil {
		return err
	}
	defer C.mqttws_error_free(e)
	err.Msg = copyText(func(buf *C.char, n C.size_t, out *C.size_t) C.mqttws_result {
		return C.mqttws_error_message(e, buf, n, out)
	})
	return err
}

// copyText runs a C function that copies NUL-terminated text into
// (buf, len, &out_n), growing the buffer once if the first one was too
// small. It returns "" if the text cannot be had.
func copyText(f func(buf *C.char, n C.size_t, out *C.size_t) C.mqttws_result) string {
	buf := make([]byte, 256)
	for i := 0; i < 2; i++ {
		var n C.size_t
		r := f((*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &n)
		switch Code(r) {
		case CodeOK:
			return string(buf[:n])
		case CodeInsufficientSize:
			buf = make([]byte, int(n))
		default:
			return ""
		}
	}
	return ""
}

// codeError is the *Error of a C call outside a client that failed with r.
func codeError(what string, r C.mqttws_result) error {
	return &Error{Code: Code(r), Msg: "mqttws: " + what + ": " + Code(r).String()}
}

// argError is an *Error for an argument refused on the Go side.
func argError(msg string) error {
	return &Error{Code: CodeInvalidArgument, Msg: "mqttws: " + msg}
}

// closedError is what every call on a closed Client returns.
func closedError() error {
	return &Error{Code: CodeClosed, Msg: "mqttws: the client is closed"}
}

// ctxError is the error of a call ended by its context.
func ctxError(op string, err error) error {
	return &Error{Code: CodeInterrupted, Msg: "mqttws: " + op + ": " + err.Error(), cause: err}
}

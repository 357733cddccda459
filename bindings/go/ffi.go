package mqttws

// #cgo CFLAGS: -I${SRCDIR}/../../include
// #include <stdlib.h>
// #include <mqttws.h>
import "C"

import (
	"strings"
	"time"
	"unsafe"
)

// What's up with ptr() and runtime.KeepAlive? (After wasmtime-go's ffi.go.)
//
// A Client owns a C object (mqttws_client) that must be freed exactly once,
// and never while C is still using it. Close frees it; a finalizer frees it
// too if the program forgets Close. A finalizer runs once the *Client is
// unreachable, and for the garbage collector a *Client is unreachable as
// soon as Go code no longer uses it, which can be *during* a C call that
// received the raw pointer:
//
//	p := c.ptr()
//	C.mqttws_client_poll(p, ...) // c is dead here: the GC may finalize it
//
// So every C call on the pointer is followed by runtime.KeepAlive(c), and
// the pointer is only read through ptr(). In builds with -tags debug, ptr()
// runs the garbage collector every time, so that a forgotten KeepAlive
// crashes the test suite instead of a production process once a month.
//
// C never keeps a Go pointer: strings and payloads passed to C are copied
// by C during the call (or are C copies made with C.CString / C.malloc),
// and the binding uses the pull API (mqttws_client_poll), so C never calls
// back into Go and needs no runtime/cgo.Handle.

// cstring copies s into C memory (free it with C.free). Go strings may
// contain NUL, C strings may not: that is refused here rather than
// silently cut.
func cstring(what, s string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, argError(what + " contains a NUL byte")
	}
	return C.CString(s), nil
}

// withCStrings converts strs to C strings for the duration of f.
func withCStrings(names []string, strs []string, f func(cs []*C.char) C.mqttws_result) (C.mqttws_result, error) {
	cs := make([]*C.char, len(strs))
	defer func() {
		for _, p := range cs {
			if p != nil {
				C.free(unsafe.Pointer(p))
			}
		}
	}()
	for i, s := range strs {
		p, err := cstring(names[i], s)
		if err != nil {
			return C.MQTTWS_INVALID_PARAMETER, err
		}
		cs[i] = p
	}
	return f(cs), nil
}

// cMem holds the C memory of one call's arguments that contain pointers
// (cgo forbids Go memory there); free releases it all.
type cMem []unsafe.Pointer

// alloc returns n elements of size bytes each, in C memory.
func (m *cMem) alloc(n int, size uintptr) unsafe.Pointer {
	p := C.malloc(C.size_t(n) * C.size_t(size))
	*m = append(*m, p)
	return p
}

// text copies s into C memory (NUL-terminated) as a view.
func (m *cMem) text(s string) C.mqttws_str {
	p := C.CBytes(append([]byte(s), 0))
	*m = append(*m, p)
	return C.mqttws_str{data: (*C.char)(p), len: C.size_t(len(s))}
}

func (m *cMem) free() {
	for _, p := range *m {
		C.free(p)
	}
	*m = nil
}

// goString copies a borrowed mqttws_str view; "" for an absent value.
func goString(s C.mqttws_str) string {
	if s.data == nil {
		return ""
	}
	return C.GoStringN(s.data, C.int(s.len))
}

// goBytes copies a borrowed mqttws_bytes view.
func goBytes(b C.mqttws_bytes) []byte {
	if b.data == nil || b.len == 0 {
		return []byte{}
	}
	return C.GoBytes(unsafe.Pointer(b.data), C.int(b.len))
}

// bytesPtr returns a pointer to b's first byte for the duration of a C call
// (Go memory without Go pointers may be passed to C), or NULL if b is
// empty.
func bytesPtr(b []byte) *C.uint8_t {
	if len(b) == 0 {
		return nil
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0]))
}

// textPtr returns a pointer to a copy of s for the duration of a C call
// that takes (pointer, length) text: never NULL, even for "".
func textPtr(s string) *C.char {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return (*C.char)(unsafe.Pointer(&b[0]))
}

// millis converts a duration to whole milliseconds for C, rounding up so
// that a positive duration never becomes 0; negative gives 0.
func millis(d time.Duration) uint64 {
	if d <= 0 {
		return 0
	}
	return uint64((d + time.Millisecond - 1) / time.Millisecond)
}

// Version returns the version of the linked C library, e.g. "0.1.0".
func Version() string { return C.GoString(C.mqttws_version()) }

// HeaderVersion is the version of the mqttws.h this package was compiled
// against; it differs from Version() when a system library
// (-tags mqttws_system) does not match the header.
const HeaderVersion = C.MQTTWS_VERSION_STRING

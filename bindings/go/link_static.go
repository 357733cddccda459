//go:build !mqttws_system

package mqttws

// Default: link statically against the library the workspace builds
// (`make c-lib`, i.e. cargo build --release -p mqttws-ffi), so a binary
// needs no libmqttws.so at run time. The libraries after it are what the
// Rust standard library needs (rustc --print native-static-libs; the same
// list as MQTTWS_NATIVE_LIBS in mk/c.mk).

// #cgo LDFLAGS: ${SRCDIR}/../../target/release/libmqttws.a -lgcc_s -lutil -lrt -lpthread -lm -ldl
import "C"

//go:build cgo && mqttws_static

package mqttws

// With -tags mqttws_static: link statically against the library that the
// checkout this package sits in builds, so a program needs no libmqttws.so
// at run time and nothing has to be installed. Build it first, in that
// checkout: `make c-lib` (amd64, target/release) or `make c-lib
// TARGET=aarch64-unknown-linux-gnu` (arm64) / `TARGET=armv7-unknown-linux-gnueabihf`
// (arm). The libraries after it are what the Rust standard library needs
// (MQTTWS_NATIVE_LIBS in mk/c.mk).

// #cgo amd64 LDFLAGS: ${SRCDIR}/../../target/release/libmqttws.a
// #cgo arm64 LDFLAGS: ${SRCDIR}/../../target/aarch64-unknown-linux-gnu/release/libmqttws.a
// #cgo arm LDFLAGS: ${SRCDIR}/../../target/armv7-unknown-linux-gnueabihf/release/libmqttws.a
// #cgo LDFLAGS: -lutil -lrt -lpthread -lm -ldl
import "C"

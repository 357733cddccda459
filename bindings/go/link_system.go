//go:build mqttws_system

package mqttws

// With -tags mqttws_system: link against an installed libmqttws found by
// pkg-config (`make install PREFIX=...` writes mqttws.pc; point
// PKG_CONFIG_PATH at PREFIX/lib/pkgconfig). pkg-config gives -lmqttws, so
// the linker takes libmqttws.so when both it and libmqttws.a are installed.

// #cgo pkg-config: mqttws
import "C"

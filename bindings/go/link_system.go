//go:build cgo && !mqttws_static

package mqttws

// Default: link against an installed libmqttws found by pkg-config
// (`make install PREFIX=...` writes PREFIX/lib/pkgconfig/mqttws.pc; point
// PKG_CONFIG_PATH at that directory unless PREFIX is /usr/local or /usr).
// pkg-config gives -lmqttws, so the program uses libmqttws.so.0 at run
// time: it finds it through ldconfig (system directories), an rpath
// (CGO_LDFLAGS=-Wl,-rpath,PREFIX/lib at build time) or LD_LIBRARY_PATH.
// Cross builds (GOARCH=arm64) take the cross compiler in CC and pkg-config
// pointed at that architecture's install, see README.md.

// #cgo pkg-config: mqttws
import "C"

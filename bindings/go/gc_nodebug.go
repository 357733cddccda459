//go:build !debug

package mqttws

// debugGC is true in builds with -tags debug.
const debugGC = false

// maybeGC does nothing outside debug builds; see gc_debug.go.
func maybeGC() {}

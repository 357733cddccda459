//go:build debug

package mqttws

import "runtime"

// debugGC is true in builds with -tags debug.
const debugGC = true

// maybeGC collects garbage at every ptr() call in debug builds, so that a
// missing runtime.KeepAlive (a finalizer freeing a client while C still
// uses it) crashes the tests instead of hiding.
func maybeGC() { runtime.GC() }

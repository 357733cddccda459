//go:build !cgo

package mqttws

// This package is a cgo binding of the C library libmqttws: it cannot be
// built with CGO_ENABLED=0. The undefined name below is the compiler's
// message to whoever tries.
var _ = mqttws_needs_cgo__build_with_CGO_ENABLED_1_a_C_compiler_and_libmqttws_installed_see_README

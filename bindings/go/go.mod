// The Go binding of mqttws: cgo over the C library libmqttws (../../ffi).
// Standard library only; nothing is ever downloaded to build it.
module mqttws.dev/mqttws

go 1.19

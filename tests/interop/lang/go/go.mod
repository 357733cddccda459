// The interop matrix's round trip through the Go module (docs/interop.md),
// built against the binding in this repository (no download: the replace
// points at the local directory).
module mqttws.dev/interop/roundtrip

go 1.19

require mqttws.dev/mqttws v0.0.0

replace mqttws.dev/mqttws => ../../../../bindings/go

// The Go examples of mqttws, built against the binding in this repository
// (no download: the replace points at the local directory).
module mqttws.dev/examples

go 1.19

require mqttws.dev/mqttws v0.0.0

replace mqttws.dev/mqttws => ../../bindings/go

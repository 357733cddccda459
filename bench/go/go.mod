// Benchmark client for the shared harness: the mqttws Go module
// (bindings/go), through a replace directive; standard library only.
module mqttws.dev/mqttws/bench

go 1.21

require mqttws.dev/mqttws v0.0.0

replace mqttws.dev/mqttws => ../../bindings/go

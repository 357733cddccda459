# The Go module (bindings/go): a cgo binding of libmqttws. Included by the
# top-level Makefile. By default it links an installed libmqttws found by
# pkg-config; here, in the checkout, it is built with -tags mqttws_static,
# which links target/release/libmqttws.a statically (nothing to install).
# tests/dist/run.sh (make dist-test) builds a module outside the repository
# the default way, for amd64 and arm64.
#
#   make go-test   gofmt, go vet, then the tests against a real mosquitto,
#                  once with -race and once with -tags debug (a GC before
#                  every C call); part of `make test`
#   make demo-go   the examples in examples/go against a throwaway broker;
#                  part of `make demo`
#
# GOTOOLCHAIN=local: never download another Go toolchain. GOPROXY=off: the
# module has no dependencies, so nothing may be fetched; if anything tried,
# it would fail loudly instead.

GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
GOFMT ?= $(shell $(GO) env GOROOT 2>/dev/null)/bin/gofmt
GO_ENV := GOTOOLCHAIN=local GOPROXY=off CGO_ENABLED=1
GO_TAGS := mqttws_static
GO_TEST_BROKER := $(abspath target/debug/mqttws-test-broker)

.PHONY: go-lib go-test demo-go

# The static library that -tags mqttws_static links (c-lib of mk/c.mk, release build).
go-lib:
	$(MAKE) --no-print-directory c-lib MQTTWS_PROFILE=release TARGET=

go-test: go-lib
	$(CARGO) build -q -p mqttws-tests --bin mqttws-test-broker
	@unformatted=$$(cd bindings/go && $(GOFMT) -l . ../../examples/go); \
	  if [ -n "$$unformatted" ]; then echo "go-test: not gofmt-ed: $$unformatted" >&2; exit 1; fi
	cd bindings/go && $(GO_ENV) $(GO) vet -tags $(GO_TAGS) ./...
	cd examples/go && $(GO_ENV) $(GO) vet -tags $(GO_TAGS) ./...
	cd bindings/go && $(GO_ENV) MQTTWS_TEST_BROKER=$(GO_TEST_BROKER) $(GO) test -tags $(GO_TAGS) -race -count=1 ./...
	cd bindings/go && $(GO_ENV) MQTTWS_TEST_BROKER=$(GO_TEST_BROKER) $(GO) test -tags $(GO_TAGS),debug -count=1 ./...

demo-go: go-lib
	$(CARGO) build -q --release -p mqttws-tests --bin mqttws-test-broker
	GO=$(GO) MQTTWS_TEST_BROKER=target/release/mqttws-test-broker bash examples/go/demo.sh

TEST_TARGETS += go-test
DEMO_TARGETS += demo-go

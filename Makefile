# mqttws: every build, test and demo entry point.
#   make test   - every test suite (each mk/*.mk adds its own to TEST_TARGETS)
#   make demo   - start a loopback mosquitto and run the examples over ws and wss
# Both install what a fresh Debian 12 machine lacks (see .ci/install-deps).
SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

# Suites run by `make test`, in this order; fragments in mk/ append to these.
TEST_TARGETS := rust-test
DEMO_TARGETS := demo-rust

.PHONY: all deps build test rust-test lint fmt demo demo-rust clean

all: build

deps:
	@bash .ci/install-deps

build:
	$(CARGO) build --workspace --all-targets

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	# The Rust API's docs: every intra-doc link resolves (rustdoc warns, not fails, by default).
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps -p mqttws -p mqttws-tests

fmt:
	$(CARGO) fmt --all

rust-test:
	$(CARGO) test --workspace

demo-rust:
	$(CARGO) build --release -p mqttws-examples -p mqttws-tests
	bash examples/demo.sh

include $(sort $(wildcard mk/*.mk))

test: deps lint $(TEST_TARGETS)

demo: deps $(DEMO_TARGETS)

clean:
	$(CARGO) clean

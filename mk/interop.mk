# The interop matrix (docs/interop.md): the same checks against ten other
# brokers, through the Rust client and through C, Python and Go, in MQTT
# 3.1.1 and (HiveMQ CE, Artemis, ejabberd, Mochi) MQTT 5, with the checks of
# MQTT 5's own features. Included by the top-level Makefile.
#
#   make interop        install what is missing (Debian packages through
#                       `make deps`, Maven, npm, pip, Go and cargo under
#                       target/interop/), run every broker, then rewrite
#                       docs/interop.md and the README's table; ~15 min
#                       cold (rumqttd's cargo install alone takes 7-9), ~3
#                       min warm
#   make interop-test   the subset that `make test` runs: HiveMQ CE, Aedes and
#                       RabbitMQ (an Erlang broker), ws and wss; ~1.5 min cold
#                       (apt, Maven, npm included), ~1 min warm
#   make interop-deps   only the installs
#
# The brokers, their known defects and the checks are listed once, in
# tests/src/interop.rs; each broker's version, install and configuration are
# in tests/interop/brokers/NAME/broker.sh, run through tests/interop/broker.

INTEROP_SUBSET := hivemq aedes rabbitmq
INTEROP_LANG := $(CURDIR)/target/interop/lang
# Recursive (=): PY comes from mk/python.mk, included after this file.
INTEROP_ENV = MQTTWS_INTEROP_C=$(INTEROP_LANG)/roundtrip-c \
  MQTTWS_INTEROP_GO=$(INTEROP_LANG)/roundtrip-go \
  MQTTWS_INTEROP_PYTHON="$(abspath $(PY)) tests/interop/lang/roundtrip.py"
INTEROP_CARGO_TEST := $(CARGO) test -q -p mqttws-tests --test interop -- --ignored --test-threads 1 --exact

.PHONY: interop interop-test interop-deps interop-langs

interop-deps: deps
	@bash tests/interop/broker install $$(bash tests/interop/broker list)

# The round-trip programs of the C, Python and Go checks, against the
# release libmqttws.a (go-lib; Go links it with -tags $(GO_TAGS)) and the
# package in the Python venv (py-install).
interop-langs: go-lib py-install
	@mkdir -p $(INTEROP_LANG)
	cc -std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude tests/interop/lang/roundtrip.c \
	  target/release/libmqttws.a $(MQTTWS_NATIVE_LIBS) -o $(INTEROP_LANG)/roundtrip-c
	@unformatted=$$($(GOFMT) -l tests/interop/lang/go); \
	  if [ -n "$$unformatted" ]; then echo "interop: not gofmt-ed: $$unformatted" >&2; exit 1; fi
	cd tests/interop/lang/go && $(GO_ENV) $(GO) vet -tags $(GO_TAGS) . && \
	  $(GO_ENV) $(GO) build -tags $(GO_TAGS) -o $(INTEROP_LANG)/roundtrip-go .

interop-test: interop-langs
	@bash tests/interop/broker install $(INTEROP_SUBSET)
	$(INTEROP_ENV) $(INTEROP_CARGO_TEST) $(INTEROP_SUBSET)

# Every broker (every ignored test of tests/tests/interop.rs) runs even when
# one fails; the page is rewritten from whatever results there are (and
# fails if a broker left none).
interop: interop-deps interop-langs
	@rm -f target/interop/results/*.tsv
	@status=0; \
	$(INTEROP_ENV) $(INTEROP_CARGO_TEST) || status=$$?; \
	$(CARGO) run -q -p mqttws-tests --bin mqttws-interop-doc || status=1; \
	exit $$status

TEST_TARGETS += interop-test

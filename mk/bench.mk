# Benchmarks against the peers (Paho C, paho-mqtt, rumqttc, MQTT.js) in the
# shared harness ../shared/bench (see its README). Included by the top-level
# Makefile; NOT part of `make test`.
#
#   make bench              full comparison (3 rounds, pinned, wss cases
#                           included; ~15 min on 2 cores), then
#                           results into docs/bench/results/ and the chart
#   make bench BENCH_ARGS=--quick          smoke test (1 round, tiny N)
#   make bench BENCH_CLIENTS=mqttws-c,paho-c   only some clients (run.sh's variable)
#   make bench-chart        re-draw docs/bench/chart.png from the newest results in
#                           docs/bench/results/, print the issue's targets
#                           (docs/bench/targets.py) and put the tables into
#                           docs/benchmarks.md (docs/bench/update_doc.py)
#   make bench-brokers      the QoS 1 cases against mosquitto and two brokers of
#                           the interop matrix (bench/brokers.py; ~3 min once
#                           built, rumqttd's first build ~7 min): whether a
#                           ratio to a peer is the client's or the broker's pacing
#
# The harness is copied (it is read-only where it is shared) to
# $(TMPDIR)/mqttws-bench-harness, outside the repository (inside it, cargo
# would take the rumqttc peer for a member of our workspace), keeping the
# peers' build outputs between runs; our clients are plugged in from
# bench/clients.d through BENCH_EXTRA_CLIENTS.
# The Debian packages the peers need are installed only when missing.

BENCH_HARNESS_SRC ?= $(abspath $(CURDIR)/../shared/bench)
BENCH_HARNESS ?= $(or $(TMPDIR),/tmp)/mqttws-bench-harness
BENCH_RESULTS := docs/bench/results
BENCH_ARGS ?=
# The harness's default cases plus the same scenarios over TLS (wss://, what
# the clouds serve on 443); pinned (broker on CPU 0, each client on CPU 1) so
# that latency is not bimodal on a small VM. Both are the [PERF2] issue's
# conditions; override on the command line (BENCH_PIN=0, BENCH_CASES=...).
BENCH_CASES ?= throughput-qos0 throughput-qos1 latency-qos0 connect-ws connect-wss \
  throughput-qos0-wss throughput-qos1-wss latency-qos0-wss
BENCH_PIN ?= 1
BENCH_CHART_VENV := $(CURDIR)/target/bench/chart-venv
# Packages the harness README lists (mosquitto runs the broker; Rust comes from rustup).
BENCH_DEBS := mosquitto mosquitto-clients openssl libpaho-mqtt-dev gcc time python3-venv rsync

.PHONY: bench bench-deps bench-harness bench-chart bench-brokers

bench-deps:
	@missing=; \
	for p in $(BENCH_DEBS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	command -v node >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "bench: installing$$missing" >&2; \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update -q && $$sudo apt-get install -y -q $$missing; \
	fi
	@command -v cargo >/dev/null || { echo "bench: cargo is needed (rumqttc peer and our clients)" >&2; exit 1; }

# Refresh the copy in place: sources are overwritten, build outputs (the
# rumqttc target dir, node_modules, venvs, broker certificates) survive.
bench-harness:
	@test -x $(BENCH_HARNESS_SRC)/run.sh || { echo "bench: no harness at $(BENCH_HARNESS_SRC)" >&2; exit 1; }
	mkdir -p $(BENCH_HARNESS)
	rsync -a --chmod=u+w $(BENCH_HARNESS_SRC)/ $(BENCH_HARNESS)/

bench: bench-deps bench-harness
	BENCH_EXTRA_CLIENTS=$(CURDIR)/bench/clients.d BENCH_CASES="$(BENCH_CASES)" BENCH_PIN=$(BENCH_PIN) \
	  $(BENCH_HARNESS)/run.sh $(BENCH_ARGS)
	mkdir -p $(BENCH_RESULTS)
	@ts=$$(ls -t $(BENCH_HARNESS)/results/*.jsonl | head -1); ts=$${ts%.jsonl}; \
	cp $$ts.jsonl $$ts.meta.json $$ts.md $(BENCH_RESULTS)/ && \
	echo "bench: copied $$(basename $$ts).{jsonl,meta.json,md} to $(BENCH_RESULTS)/"
	$(MAKE) --no-print-directory bench-chart

# The chart uses matplotlib from a private venv when pip can install it, and
# otherwise its own pure-Python PNG writer (docs/bench/chart.py --help).
bench-chart:
	@if [ ! -x $(BENCH_CHART_VENV)/bin/python ]; then \
	  python3 -m venv $(BENCH_CHART_VENV) && \
	  { $(BENCH_CHART_VENV)/bin/pip install -q --disable-pip-version-check matplotlib \
	    || echo "bench: matplotlib not installable, using the built-in renderer" >&2; }; \
	fi
	@latest=$$(ls -t $(BENCH_RESULTS)/*.jsonl | head -1); \
	py=$(BENCH_CHART_VENV)/bin/python; [ -x $$py ] || py=python3; \
	$$py docs/bench/chart.py $$latest -o docs/bench/chart.png && \
	python3 docs/bench/targets.py $$latest && \
	python3 docs/bench/update_doc.py $$latest docs/benchmarks.md

# BENCH_BROKERS: any of mosquitto and the interop matrix's brokers
# (tests/interop/broker list); BENCH_BROKERS_ARGS goes to bench/brokers.py.
BENCH_BROKERS ?= mosquitto,mochi,rumqttd
BENCH_BROKERS_ARGS ?=
bench-brokers: bench-deps bench-harness
	python3 bench/brokers.py --harness $(BENCH_HARNESS) --brokers $(BENCH_BROKERS) $(BENCH_BROKERS_ARGS)

# Python package (bindings/python). Included by the top-level Makefile.
#
#   make wheel        abi3 manylinux2014 (glibc 2.17) wheels for x86_64 and
#                     aarch64 in target/wheels/ (maturin --zig)
#   make py-test      installs this machine's wheel from target/wheels into a
#                     private venv (bindings/python/.venv), then stubtest (stub
#                     vs. built module) + pytest against mosquitto
#   make wheel-test   auditwheel accepts both wheels; the x86_64 wheel in a
#                     fresh venv with no Rust toolchain on PATH, round trip
#                     against mosquitto (tests/dist/wheel.sh)
#   make demo-python  the Python examples against a throwaway local broker
#
# The suite tests the wheel that ships, not a second build: `pip install
# ./bindings/python` (a source build, pip fetches maturin) still works for
# users with a Rust toolchain, but is not what `make test` installs.
#
# maturin, ziglang (zig as the C compiler and linker: it links against glibc
# 2.17's symbols and cross-links aarch64, no Debian cross gcc involved) and
# auditwheel come from PyPI, pinned, into target/wheel-tools. The wheels are
# built in their own cargo target directory: zig as CC/linker would
# otherwise invalidate the c-lib builds of the same targets.

PYTHON ?= python3
PY_VENV := bindings/python/.venv
PY := $(PY_VENV)/bin/python
PY_TARGET_DIR := $(abspath $(or $(CARGO_TARGET_DIR),target))
PY_TEST_BROKER := $(PY_TARGET_DIR)/debug/mqttws-test-broker
WHEEL_DIR := $(PY_TARGET_DIR)/wheels
WHEEL_TOOLS := $(PY_TARGET_DIR)/wheel-tools
WHEEL_BUILD_DIR := $(PY_TARGET_DIR)/wheel-build
WHEEL_PINS := maturin==1.16.0 ziglang==0.17.0 auditwheel==6.8.2
WHEEL_TARGETS := x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu
# The package's version is the workspace's (pyproject: dynamic = ["version"]).
PY_VERSION := $(shell sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
# This machine's wheel (x86_64 on CI).
PY_WHEEL_GLOB := $(WHEEL_DIR)/mqttws-$(PY_VERSION)-cp39-abi3-*_$(shell uname -m).whl

.PHONY: py-venv py-install py-test demo-python wheel wheel-tools wheel-test

$(PY):
	$(PYTHON) -m venv $(PY_VENV)

py-venv: $(PY)

wheel-tools:
	@if [ "$$(cat $(WHEEL_TOOLS)/.pins 2>/dev/null)" != "$(WHEEL_PINS)" ]; then \
	  echo "wheel-tools: $(WHEEL_PINS) into $(WHEEL_TOOLS)" >&2; \
	  $(PYTHON) -m venv --clear $(WHEEL_TOOLS) && \
	  $(WHEEL_TOOLS)/bin/pip install -q --disable-pip-version-check $(WHEEL_PINS) && \
	  echo '$(WHEEL_PINS)' > $(WHEEL_TOOLS)/.pins; \
	fi

# Old wheels go first, so that target/wheels holds exactly this build's.
wheel: wheel-tools
	bash mk/toolchain.sh --rust-only $(WHEEL_TARGETS)
	mkdir -p $(WHEEL_DIR)
	rm -f $(WHEEL_DIR)/mqttws-*.whl
	for t in $(WHEEL_TARGETS); do \
	  (cd bindings/python && PATH=$(WHEEL_TOOLS)/bin:$$PATH maturin build --release --zig \
	    --compatibility manylinux2014 --target $$t --out $(WHEEL_DIR) --target-dir $(WHEEL_BUILD_DIR)) \
	    || exit 1; \
	done
	@ls -l $(WHEEL_DIR)/mqttws-*.whl

# --force-reinstall: the version does not change between source edits.
# --no-index: the wheel has no dependencies; nothing is fetched.
py-install: $(PY) wheel
	$(PY) -m pip install -q --disable-pip-version-check --force-reinstall --no-deps --no-index $(PY_WHEEL_GLOB)

py-test: py-install
	$(PY) -m pip install -q --disable-pip-version-check "pytest>=7" "pytest-timeout>=2" "mypy>=1.10"
	$(CARGO) build -q -p mqttws-tests --bin mqttws-test-broker
	# From inside the venv: mypy keeps its cache there, and a working directory
	# above the venv would make it see the installed package twice.
	cd $(PY_VENV) && bin/python -m mypy.stubtest mqttws --allowlist ../.mypy-stubtest-allowlist
	cd bindings/python && MQTTWS_TEST_BROKER=$(PY_TEST_BROKER) .venv/bin/python -m pytest -q -p no:cacheprovider

demo-python: py-install
	$(CARGO) build -q -p mqttws-tests --bin mqttws-test-broker
	PYTHON=$(abspath $(PY)) MQTTWS_TEST_BROKER=$(PY_TEST_BROKER) bash examples/python/demo.sh

wheel-test: wheel
	$(CARGO) build -q -p mqttws-tests --bin mqttws-test-broker
	PYTHON=$(PYTHON) WHEEL_DIR=$(WHEEL_DIR) AUDITWHEEL=$(WHEEL_TOOLS)/bin/auditwheel \
	  MQTTWS_TEST_BROKER=$(PY_TEST_BROKER) bash tests/dist/wheel.sh $(PY_VERSION)

TEST_TARGETS += py-test wheel-test
DEMO_TARGETS += demo-python

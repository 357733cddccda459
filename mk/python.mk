# Python package (bindings/python): pip builds the wheel with maturin from the
# source tree, exactly as `pip install ./bindings/python` does on a fresh
# machine (maturin comes in through [build-system] requires), into a private
# venv. Included by the top-level Makefile.
#
#   make py-test      stubtest (stub vs. built module) + pytest against mosquitto
#   make demo-python  the Python examples against a throwaway local broker

PYTHON ?= python3
PY_VENV := bindings/python/.venv
PY := $(PY_VENV)/bin/python
PY_TEST_BROKER := $(abspath $(or $(CARGO_TARGET_DIR),target))/debug/mqttws-test-broker

.PHONY: py-venv py-install py-test demo-python

$(PY):
	$(PYTHON) -m venv $(PY_VENV)

py-venv: $(PY)

# --force-reinstall: the version does not change between source edits.
py-install: $(PY)
	$(PY) -m pip install -q --disable-pip-version-check --force-reinstall --no-deps ./bindings/python

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

TEST_TARGETS += py-test
DEMO_TARGETS += demo-python

# The npm package mqttws (bindings/js): the core's session, link and signers
# compiled to WebAssembly under a small JS driver, for browsers and Node 20+.
# Included by the top-level Makefile.
#
#   make js            bindings/js/pkg/ (ES module index.js, wasm.js + wasm_bg.wasm,
#                      index.d.ts + wasm.d.ts, package.json) and target/js/mqttws-VERSION.tgz
#   make js-test       core unit tests built for wasm32 and run under Node, tsc --noEmit,
#                      the Node suite and the headless-Chromium test against mosquitto;
#                      part of `make test`
#   make demo-browser  examples/browser served on loopback next to a throwaway mosquitto
#                      (open the printed URL; Ctrl-C stops both); interactive, so not
#                      part of `make demo`
#
# Tools, installed here when missing and kept between runs (quiet when present):
# the wasm32 target (rustup), wasm-bindgen-cli at exactly the wasm-bindgen version
# of Cargo.lock (cargo install into target/js-tools; a debug build without debug
# info: ~2 min on 2 cores instead of 5-8 for a release build, and it processes
# our modules in well under a second, the 116 core tests' module in ~10 s),
# and the npm packages of bindings/js/package-lock.json (wasm-opt from binaryen,
# typescript, ws, selenium-webdriver). clang (ring's C for wasm32), chromium and
# chromium-driver come from Debian (.ci/deps.d/js.sh).

JS_DIR := bindings/js
JS_PKG := $(JS_DIR)/pkg
JS_TOOLS := $(abspath $(or $(CARGO_TARGET_DIR),target))/js-tools
JS_OUT := $(abspath $(or $(CARGO_TARGET_DIR),target))
WASM_TARGET := wasm32-unknown-unknown
WASM_BINDGEN_VERSION = $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/^version = "\(.*\)"$$/\1/p;q}' Cargo.lock)
JS_VERSION = $(shell sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"$$/\1/p' Cargo.toml)
# strip would drop the target_features section that wasm-bindgen reads; the
# rest of the release profile (fat LTO, opt-level "s") suits wasm as well.
JS_CARGO := CARGO_PROFILE_RELEASE_STRIP=false $(CARGO)
JS_TEST_BROKER := $(JS_OUT)/debug/mqttws-test-broker

.PHONY: js js-tools js-test demo-browser

js-tools: $(JS_DIR)/node_modules/.installed
	@rustup target list --installed 2>/dev/null | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@command -v clang >/dev/null || { echo "js: clang is needed for ring on wasm32 (make deps)" >&2; exit 1; }
	@node -e 'process.exit(parseInt(process.versions.node) < 20 ? 1 : 0)' 2>/dev/null || { \
	  echo "js: Node 20 or later with npm is needed" >&2; exit 1; }
	@[ "$$($(JS_TOOLS)/bin/wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] || { \
	  echo "js: installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) into $(JS_TOOLS) (about 2 minutes, once)" >&2; \
	  CARGO_PROFILE_DEV_DEBUG=0 $(CARGO) install -q --force --debug wasm-bindgen-cli \
	    --version $(WASM_BINDGEN_VERSION) --root $(JS_TOOLS); }

# npm ci again only when the lock file changed.
$(JS_DIR)/node_modules/.installed: $(JS_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "js: Node 20 or later with npm is needed" >&2; exit 1; }
	cd $(JS_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# One build for Node and browsers: wasm-bindgen's "web" target is an ES module
# that index.js initialises from the .wasm next to it (fetched, or read from
# disk under Node).
js: js-tools
	$(JS_CARGO) build -q --release --target $(WASM_TARGET) -p mqttws-js
	rm -rf $(JS_PKG) && mkdir -p $(JS_PKG) $(JS_OUT)/js
	$(JS_TOOLS)/bin/wasm-bindgen --target web --out-name wasm --out-dir $(JS_PKG) \
	  $(JS_OUT)/$(WASM_TARGET)/release/mqttws_js.wasm
	$(JS_DIR)/node_modules/.bin/wasm-opt -Os $(JS_PKG)/wasm_bg.wasm -o $(JS_PKG)/wasm_bg.wasm
	cp $(JS_DIR)/js/index.js $(JS_DIR)/js/index.d.ts $(JS_DIR)/README.md $(JS_PKG)/
	sed 's/@VERSION@/$(JS_VERSION)/' $(JS_DIR)/js/package.json > $(JS_PKG)/package.json
	cd $(JS_PKG) && npm pack --silent --pack-destination $(JS_OUT)/js >/dev/null
	@printf 'js: %s (wasm %s bytes, %s gzipped)\n' "$(JS_OUT)/js/mqttws-$(JS_VERSION).tgz" \
	  "$$(wc -c < $(JS_PKG)/wasm_bg.wasm)" "$$(gzip -9c $(JS_PKG)/wasm_bg.wasm | wc -c)"

# The core's unit tests, built for wasm32 without debug info (a 30 MB module
# with it, which the runner parses slowly), run by wasm-bindgen-test-runner
# under Node. Host build scripts keep their own profile: nothing native is
# rebuilt.
js-test: js
	CARGO_PROFILE_DEV_DEBUG=0 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=$(JS_TOOLS)/bin/wasm-bindgen-test-runner \
	  $(CARGO) test -p mqttws --lib --no-default-features --target $(WASM_TARGET)
	cd $(JS_DIR) && node_modules/.bin/tsc -p tsconfig.json
	$(CARGO) build -q -p mqttws-tests --bin mqttws-test-broker
	cd $(JS_DIR) && MQTTWS_TEST_BROKER=$(JS_TEST_BROKER) node --test --test-timeout=120000 tests/

demo-browser: js
	$(CARGO) build -q -p mqttws-tests --bin mqttws-test-broker
	MQTTWS_TEST_BROKER=$(JS_TEST_BROKER) node examples/browser/demo.mjs

TEST_TARGETS += js-test

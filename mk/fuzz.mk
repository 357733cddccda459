# make fuzz: libFuzzer on every parser fed by the network, a URL or the disk
# (core/fuzz: one target per parser, listed by `cargo fuzz list`), each for
# FUZZ_TIME seconds (default 60; 9 targets, so about 10 minutes, after a first
# build of about 7). Needs a nightly toolchain (`rustup toolchain install
# nightly`); installs cargo-fuzz if missing. One target at a time: libFuzzer
# uses one core. NOT part of `make test`: there, core/tests/fuzz_corpus.rs
# replays every target's seed corpus (core/fuzz/corpus/<target>/) on stable.
#
#   make fuzz                          every target, FUZZ_TIME each
#   make fuzz FUZZ_TARGETS=ws_url      only some targets
#   make fuzz FUZZ_TIME=600            the 10-minute runs of docs/fuzzing.md
#
# New inputs go to core/fuzz/work/<target>/ (ignored by git); the seed corpus
# is only read. An input that runs longer than 10 s counts as a hang. A crash
# stops the run and is saved under core/fuzz/artifacts/<target>/: minimise it
# with
#   cargo +nightly fuzz tmin --fuzz-dir core/fuzz <target> <crash file>
# and add the result to core/fuzz/corpus/<target>/ so that `make test` replays
# it (docs/fuzzing.md has the whole routine).
FUZZ_TIME ?= 60
FUZZ_DIR := core/fuzz
# Empty: every target `cargo fuzz list` shows (the [[bin]]s of core/fuzz/Cargo.toml).
FUZZ_TARGETS ?=

.PHONY: fuzz fuzz-tools

fuzz-tools:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	@rustup run nightly rustc --version >/dev/null 2>&1 || { \
	  echo "make fuzz: needs a nightly toolchain: rustup toolchain install nightly" >&2; exit 1; }

fuzz: fuzz-tools
	cargo +nightly fuzz build --fuzz-dir $(FUZZ_DIR)
	@targets="$(FUZZ_TARGETS)"; \
	[ -n "$$targets" ] || targets=$$(cargo +nightly fuzz list --fuzz-dir $(FUZZ_DIR)); \
	for t in $$targets; do \
	  echo "== make fuzz: $$t for $(FUZZ_TIME) s"; \
	  mkdir -p $(FUZZ_DIR)/work/$$t && \
	  cargo +nightly fuzz run --fuzz-dir $(FUZZ_DIR) $$t \
	    $(FUZZ_DIR)/work/$$t $(FUZZ_DIR)/corpus/$$t -- \
	    -max_total_time=$(FUZZ_TIME) -timeout=10 -print_final_stats=1 || exit 1; \
	done

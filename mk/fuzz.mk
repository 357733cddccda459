# make fuzz: libFuzzer on the session input path (core/fuzz, target session_input) for
# FUZZ_TIME seconds (default 60). Needs a nightly toolchain (`rustup toolchain install
# nightly`); installs cargo-fuzz if missing. NOT part of `make test`: there, the seed
# corpus in core/fuzz/corpus/session_input/ is replayed by core/tests/fuzz_corpus.rs.
#
# New inputs go to core/fuzz/work/corpus (ignored by git); the seed corpus is read only.
# A crash is saved under core/fuzz/artifacts/session_input/: minimise it with
#   cargo +nightly fuzz tmin --fuzz-dir core/fuzz session_input <crash file>
# and add the result to core/fuzz/corpus/session_input/ so that `make test` replays it.
FUZZ_TIME ?= 60
FUZZ_DIR := core/fuzz

.PHONY: fuzz

fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	@rustup run nightly rustc --version >/dev/null 2>&1 || { \
	  echo "make fuzz: needs a nightly toolchain: rustup toolchain install nightly" >&2; exit 1; }
	mkdir -p $(FUZZ_DIR)/work/corpus
	cargo +nightly fuzz run --fuzz-dir $(FUZZ_DIR) session_input \
	  $(FUZZ_DIR)/work/corpus $(FUZZ_DIR)/corpus/session_input -- -max_total_time=$(FUZZ_TIME)

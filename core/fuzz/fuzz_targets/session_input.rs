//! Feeds arbitrary server bytes to the sans-IO session through its public API, split
//! at input-derived positions, with timers, clock jumps and commands in between. The
//! logic lives in `core/tests/fuzz_driver/mod.rs`, shared with the corpus replay test
//! `core/tests/fuzz_corpus.rs` (run by `make test`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/fuzz_driver/mod.rs"]
mod driver;

fuzz_target!(|data: &[u8]| driver::run(data));

//! Fuzz target `store_replay`: the durable store's log replay. The logic and the
//! properties checked are in `core/tests/fuzz_driver/`, shared with the corpus
//! replay test `core/tests/fuzz_corpus.rs` (run by `make test`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/fuzz_driver/mod.rs"]
mod driver;

fuzz_target!(|data: &[u8]| driver::run_target("store_replay", data));
